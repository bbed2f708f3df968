"""Exercises of lesson 03, "Replication" (Dynamo paper 4.3).

The checkers build the lesson's clusters with the real
:class:`~dynamo_lab.DynamoCluster` from the same seeds and ask the engine.

Examples
--------
>>> ring_walk(store().ring, "cart:judy", 4)
['n4', 'n1', 'n1', 'n2']
>>> q1.evaluate(["n4", "n1", "n2"]).status
'correct'
>>> q1.check(["n4", "n1", "n1"])
q1: not quite. n1 stands at two positions of the walk; the second one is skipped: the list holds distinct physical nodes.
"""
from __future__ import annotations

import bisect

from ..dynamo.cluster import DynamoCluster
from ..dynamo.hashing import position
from .core import Exercise, ExerciseSet, Wrong, expect_number, expect_sequence

__all__ = ["q1", "q2", "q3", "exercises", "progress", "SEED", "store", "ring_walk",
           "zoned", "zone_spread", "sample_keys", "hint_holder", "solution_namespace",
           "WRONG"]

#: The seed of every cluster of the lesson.
SEED = 3


def store(seed: int = SEED) -> DynamoCluster:
    """Eight nodes with four random tokens each (N=3)."""
    return DynamoCluster(nodes=8, seed=seed, tokens_per_node=4)


def ring_walk(ring, key: str, count: int = 8) -> list:
    """The nodes of the first ``count`` tokens clockwise from ``key``'s
    position, repeats included (the walk the preference list is read from)."""
    toks = ring.tokens
    i = bisect.bisect_left([t for t, _ in toks], position(key))
    return [toks[(i + j) % len(toks)][1] for j in range(count)]


def zoned(zone_aware: bool, seed: int = SEED) -> DynamoCluster:
    """Nine nodes, three per zone (round robin), with or without zone-aware lists."""
    return DynamoCluster(nodes=9, zones=3, seed=seed, tokens_per_node=4,
                         zone_aware=zone_aware)


def sample_keys(count: int = 1000) -> list:
    """The keys whose placement the lesson counts."""
    return [f"user:{i}" for i in range(count)]


def zone_spread(cluster: DynamoCluster, keys) -> int:
    """How many ``keys`` have their N home replicas in N different zones."""
    n = cluster.n
    return sum(1 for k in keys
               if len({cluster.zones[x] for x in cluster.preference_list(k, n)}) == n)


def hint_holder(seed: int = SEED) -> str:
    """q2's run: n1 crashes, then 'cart:judy' is written once."""
    c = store(seed)
    c.crash("n1")
    c.put("cart:judy", "book")
    c.run(ms=200)
    holders = sorted({h.node for h in c.hints() if h.key == "cart:judy"})
    assert len(holders) == 1, holders
    return holders[0]


def _check_homes(answer, expected) -> None:
    if isinstance(answer, (list, tuple)):
        got = list(answer)
        dup = sorted({x for x in got if got.count(x) > 1})
        if dup:
            raise Wrong(f"{dup[0]} stands at two positions of the walk; the second one is "
                        f"skipped: the list holds distinct physical nodes.")
    expect_sequence("node names")(answer, expected)


q1 = Exercise(
    "q1", "Which N=3 nodes store 'cart:judy', coordinator first? Read them off "
          "ring_walk(cluster.ring, 'cart:judy'), then compare with the engine.",
    var="q1_homes",
    expected=lambda: store().preference_list("cart:judy", 3),
    check=_check_homes,
    hints=["Walk clockwise from the key and take each node the first time you meet it.",
           "`cluster.preference_list('cart:judy', 3)` is the engine's answer."],
    solution="""
        q1_homes = cluster.preference_list("cart:judy", 3)
    """,
    success="Positions of a node already in the list are skipped, so N replicas are "
            "always N different machines.",
)


def _check_holder(answer, expected) -> None:
    if not isinstance(answer, str):
        raise Wrong(f"Expected a node name (a str), got a {type(answer).__name__}: "
                    f"{answer!r}.")
    if answer == "n1":
        raise Wrong("n1 is the crashed home node; the hinted copy is held for it, "
                    "by another node.")
    if answer in ("n4", "n2"):
        raise Wrong(f"{answer} is one of the healthy home nodes: it keeps its own "
                    f"replica, not a hint.")
    if answer != expected:
        raise Wrong(f"{answer} does not hold the hint. Which node comes next in the "
                    f"full preference list after the three home nodes?")


q2 = Exercise(
    "q2", "On a fresh store(), n1 crashes and 'cart:judy' is written once. Which node "
          "holds the hinted copy meant for n1?",
    var="q2_holder",
    expected=hint_holder,
    check=_check_holder,
    hints=["The replica goes to the first node of the preference list after the top N "
           "that is healthy: look at `c.preference_list('cart:judy')`.",
           "After the put and `c.run(ms=200)`, `c.hints()` lists it; `.node` is the "
           "holder."],
    solution="""
        c = store()
        c.crash("n1")
        c.put("cart:judy", "book")
        c.run(ms=200)
        q2_holder = [h.node for h in c.hints()][0]
    """,
    success="The preference list is longer than N for exactly this reason: its next "
            "nodes are the fallbacks of a sloppy quorum.",
)

q3 = Exercise(
    "q3", "Without zone awareness (zoned(False)), how many of the 1000 sample keys have "
          "their three replicas in three different zones?",
    var="q3_spread",
    expected=lambda: zone_spread(zoned(False), sample_keys()),
    check=expect_number(what="count of keys"),
    hints=["For each key, collect `{z.zones[x] for x in z.preference_list(k, 3)}` and "
           "count the keys where that set has 3 zones.",
           "`zone_spread(zoned(False), keys)` does exactly that."],
    solution="""
        z = zoned(False)
        q3_spread = sum(1 for k in keys
                        if len({z.zones[x] for x in z.preference_list(k, 3)}) == 3)
    """,
    success="Most keys would lose two replicas with one zone: zone-aware preference "
            "lists put every key in all three zones.",
)

exercises = ExerciseSet("Lesson 03 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"cluster": store(), "store": store, "zoned": zoned, "keys": sample_keys(),
            "ring_walk": ring_walk}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": [["n4", "n1", "n1"], ["n1", "n2", "n4"], "n4"],
         "q2": ["n1", "n4", ["n7"]],
         "q3": [1000, 0, "221"]}
