"""Exercises of lesson 07, "Merkle trees and anti-entropy" (Dynamo paper 4.7, 6.5).

The checkers rebuild the lesson's trees and clusters with the real engine
(:mod:`dynamo_lab.dynamo.merkle`, :class:`~dynamo_lab.DynamoCluster`), from the
same seeds and steps.

Examples
--------
>>> one_change_comparisons()
9
>>> q1.evaluate(17).status
'correct'
"""
from __future__ import annotations

from ..dynamo.cluster import DynamoCluster
from ..dynamo.hashing import RING_SIZE, position
from ..dynamo.merkle import MerkleTree, diff
from .core import (
    Exercise,
    ExerciseSet,
    Wrong,
    as_number,
    expect_choice,
    expect_number,
    expect_set,
    known_mistake,
)

__all__ = ["q1", "q2", "q3", "exercises", "progress", "NODES", "KEYS", "SEED", "tree_of",
           "one_change_comparisons", "comparisons", "diverged_cluster", "repair_by_hand", "loaded_cluster",
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
    """C misses 40 writes while down (the fallbacks keep them with hints), and
    while down it fails for good: its disk is lost. It comes back empty;
    handoff returns the 40 hinted writes, and nothing returns the rest of
    what it held. Anti-entropy is run by hand."""
    c = DynamoCluster(nodes=NODES, seed=SEED, anti_entropy_ms=0)
    for k in KEYS[:80]:
        c.put(k, "v1")
    c.crash("C")
    for k in KEYS[80:]:
        c.put(k, "v2")
    c.run(ms=200)
    c.crash("C", lose_disk=True)     # a permanent failure: the disk is replaced
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


def comparisons(depth: int) -> int:
    """Hash comparisons of a descent when one of 100 keys differs, trees of
    ``depth``.

    >>> comparisons(4), comparisons(8)
    (9, 17)
    """
    a = {f"k{i}": "v1" for i in range(100)}
    b = dict(a, k42="v2")
    return diff(tree_of(a, depth), tree_of(b, depth)).hashes_compared


def _check_comparisons(answer, expected) -> None:
    got = as_number(answer, "number of comparisons")
    known_mistake(got, {"keys": 100, "leaves": 2 ** 8, "path": 9},
                  {"keys": "That is a full comparison of every key. The descent compares "
                           "hashes, and only under the nodes whose hashes differ.",
                   "leaves": "That compares every leaf. The descent follows one path: only "
                             "the differing child is opened at each level.",
                   "path": "That is the depth-4 tree of the cell above; these trees are "
                           "twice as deep."})
    expect_number(what="number of comparisons")(answer, expected)


q1 = Exercise(
    "q1", "A tree of depth 4 needed 9 hash comparisons to find one differing key among 100. "
          "Work it out: how many comparisons does the root-first descent make with trees "
          "of depth 8?",
    var="q1_compared",
    expected=lambda: comparisons(8),
    check=_check_comparisons,
    kind="arithmetic",
    predict_first=True,
    shown_as=["hashes_compared=17"],
    hints=["Paper 4.7: if the hash values of the roots are equal the trees are equal; if "
           "not, the children are compared, and so on down to the leaves, so little data "
           "is transferred.",
           "Count for the depth-4 tree: the root, then at each level below it, how many "
           "hashes are compared under the one node whose hash differed?"],
    solution="q1_compared = 1 + 2 * 8",
    success="Only one path is followed: the cost grows with the depth of the tree, "
            "not with the number of keys.",
)


def _check_repaired(answer, expected) -> None:
    if isinstance(answer, (set, frozenset, list, tuple)):
        got = set(answer)
        c_hinted = {k for k in KEYS[80:]}
        if got and got <= c_hinted:
            raise Wrong("The writes C missed while it was down came back by hinted "
                        "handoff; anti-entropy repaired what C lost with its disk.")
        if not got:
            raise Wrong("Anti-entropy did repair C: keep the merkle.repair events whose "
                        "node is C, and collect their keys.")
    expect_set("keys")(answer, expected)


q2 = Exercise(
    "q2", "Which keys did anti-entropy repair on node C? Compute the set from the "
          "`merkle.repair` events of `c`'s log.",
    var="q2_repaired",
    expected=_repaired_on_c,
    check=_check_repaired,
    kind="code",
    hints=["Paper 4.7: anti-entropy keeps the replicas synchronized when hinted replicas "
           "cannot be returned; each exchange repairs only the keys under differing leaves.",
           "Each `merkle.repair` event names the repaired `node` and the `key`; you want a "
           "set of the keys repaired on C."],
    solution="""
        q2_repaired = {e.key for e in c.sim.log.of_kind("merkle.repair") if e.node == "C"}
    """,
    success="Exactly what C lost with its disk and handoff could not return: anti-entropy "
            "found them without shipping every key.",
)


def _exchanges_word() -> str:
    n = _exchanges_during_load()
    return "none" if n == 0 else "some"


q3 = Exercise(
    "q3", "In `busy`, anti-entropy is due every 500 ms, but admission control is on and "
          "slow disks keep the foreground latency over 30 ms during the load. Predict: "
          "between the notes 'foreground load' and 'quiet', how many exchanges begin: "
          "'none', 'some' or 'as usual'?",
    var="q3_exchanges",
    expected=_exchanges_word,
    check=expect_choice(["none", "some", "as usual"], what="prediction", why={
        "as usual": "Admission control skips a background slice whenever the node's "
                    "recent foreground latency is over the threshold.",
        "some": "Every slice during the load finds the foreground latency over 30 ms, so "
                "every one is deferred."}),
    kind="predict",
    hints=["Paper 6.5: background tasks are admitted only when the foreground operations' "
           "latencies are under a threshold; they get time slices, and yield them when busy.",
           "With disks of 20 ms plus a random tail, how often is the worst recent "
           "foreground latency under 30 ms while 40 writes keep every node busy?"],
    solution='q3_exchanges = "none"',
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
WRONG = {"q1": [9, 100, 256, "17"],
         "q2": [set(KEYS[80:]), set(), "item:100"],
         "q3": ["some", "as usual", 0]}
