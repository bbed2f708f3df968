"""Exercises of lesson 07, "Merkle trees and anti-entropy" (Dynamo paper 4.7, 6.5).

The checkers rebuild the lesson's trees and clusters with the real engine
(:mod:`dynamo_lab.dynamo.merkle`, :class:`~dynamo_lab.DynamoCluster`), from the
same seeds and steps.

Examples
--------
>>> one_change_comparisons()
9
>>> q1.evaluate(9).status
'correct'
"""
from __future__ import annotations

from ..dynamo.cluster import DynamoCluster
from ..dynamo.hashing import RING_SIZE, position
from ..dynamo.merkle import MerkleTree, diff
from .core import Exercise, ExerciseSet, expect_number, expect_set

__all__ = ["q1", "q2", "q3", "exercises", "progress", "NODES", "KEYS", "SEED", "tree_of",
           "one_change_comparisons", "diverged_cluster", "repair_by_hand", "loaded_cluster",
           "solution_namespace", "WRONG"]

NODES = ["A", "B", "C", "D", "E"]
SEED = 7
KEYS = [f"item:{i:03d}" for i in range(120)]


def tree_of(values: dict, depth: int = 4) -> MerkleTree:
    """A Merkle tree over the whole ring of ``{key: value text}``."""
    return MerkleTree(0, RING_SIZE, [(position(k), k, str(v)) for k, v in values.items()],
                      depth=depth)


def one_change_comparisons() -> int:
    """Hash comparisons of a descent when one of 100 keys differs (depth 4)."""
    a = {f"k{i}": "v1" for i in range(100)}
    b = dict(a, k42="v2")
    return diff(tree_of(a), tree_of(b)).hashes_compared


def diverged_cluster() -> DynamoCluster:
    """C misses 40 writes while down; a rolling restart of the hint holders loses
    its hints; then C is back, behind its peers. Anti-entropy is run by hand."""
    c = DynamoCluster(nodes=NODES, seed=SEED, anti_entropy_ms=0)
    for k in KEYS[:80]:
        c.put(k, "v1")
    c.crash("C")
    for k in KEYS[80:]:
        c.put(k, "v2")
    c.run(ms=200)
    for h in sorted({h.node for h in c.hints()}):
        c.crash(h)
        c.recover(h)
    c.recover("C")
    c.run(ms=2000)
    return c


def repair_by_hand(c: DynamoCluster) -> list:
    """One exchange from C with each peer, in name order; their ids."""
    xids = []
    for peer in ("A", "B", "D", "E"):
        xids.append(c.node("C").start_exchange(peer))
        c.run(ms=200)
    return xids


def _repaired_on_c() -> set:
    c = diverged_cluster()
    repair_by_hand(c)
    return {e.key for e in c.sim.log.of_kind("merkle.repair") if e.node == "C"}


def loaded_cluster() -> DynamoCluster:
    """Anti-entropy every 500 ms, admission control at 30 ms, slow disks; C
    misses 40 writes, recovers, and 40 more writes keep the nodes busy."""
    c = DynamoCluster(nodes=NODES, seed=SEED, anti_entropy_ms=500, admission_ms=30,
                      disk_ms=(20, 20))
    for k in KEYS[:40]:
        c.put(k, "v1")
    c.crash("C")
    for k in KEYS[40:80]:
        c.put(k, "v1")
    c.recover("C")
    c.sim.note("foreground load")
    for k in KEYS[80:]:
        c.put(k, "v1")
    c.sim.note("quiet")
    return c


def _exchanges_during_load() -> int:
    c = loaded_cluster()
    start, end = [e.t for e in c.sim.log.of_kind("sim.note")]
    return sum(1 for e in c.sim.log.of_kind("merkle.exchange") if start <= e.t < end)


q1 = Exercise(
    "q1", "Two trees of depth 4 over the same 100 keys differ in one key's value. How many "
          "hash comparisons does the root-first descent make?",
    var="q1_compared",
    expected=one_change_comparisons,
    check=expect_number(what="number of comparisons"),
    hints=["`diff(tree_a, tree_b)` returns a `Diff` with `hashes_compared`.",
           "By hand: the root, then the two children of each differing node on the way "
           "down: 1 + 2 x depth."],
    solution="""
        a = {f"k{i}": "v1" for i in range(100)}
        b = dict(a, k42="v2")
        q1_compared = diff(tree_of(a), tree_of(b)).hashes_compared
    """,
    success="Only one path is followed: the cost grows with the depth of the tree, "
            "not with the number of keys.",
)

q2 = Exercise(
    "q2", "Which keys did anti-entropy repair on node C? Answer with a set of keys, read "
          "from the `merkle.repair` events.",
    var="q2_repaired",
    expected=_repaired_on_c,
    check=expect_set("keys"),
    hints=["`c.sim.log.of_kind('merkle.repair')`: each event names the repaired `node` "
           "and the `key`.",
           "Keep the events whose node is 'C' and collect their keys in a set."],
    solution="""
        q2_repaired = {e.key for e in c.sim.log.of_kind("merkle.repair") if e.node == "C"}
    """,
    success="Exactly the writes C missed while it was down, whose hints were lost: "
            "anti-entropy found them without scanning every key.",
)


def _check_zero(answer, expected) -> None:
    expect_number(what="number of exchanges")(answer, expected)


q3 = Exercise(
    "q3", "In `loaded_cluster()`, how many anti-entropy exchanges began between the notes "
          "'foreground load' and 'quiet'?",
    var="q3_exchanges",
    expected=_exchanges_during_load,
    check=_check_zero,
    hints=["The two notes are `sim.note` events; their `t` bound the busy period.",
           "Count `merkle.exchange` events with start <= t < end."],
    solution="""
        start, end = [e.t for e in busy.sim.log.of_kind("sim.note")]
        q3_exchanges = sum(1 for e in busy.sim.log.of_kind("merkle.exchange")
                           if start <= e.t < end)
    """,
    success="Admission control: background work yields its time slices while the "
            "foreground is slow, and catches up when it is quiet (paper 6.5).",
)

exercises = ExerciseSet("Lesson 07 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    c = diverged_cluster()
    repair_by_hand(c)
    return {"diff": diff, "tree_of": tree_of, "c": c, "busy": loaded_cluster()}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": [100, 5, "9"],
         "q2": [{"item:000"}, set(), "item:100"],
         "q3": [3, 10, "0"]}
