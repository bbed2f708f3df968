"""Exercises of lesson 03, "Replication" (Dynamo paper 4.3).

The checkers build the lesson's clusters with the real
:class:`~dynamo_lab.DynamoCluster` from the same seeds and ask the engine.

Examples
--------
>>> ring_walk(store().ring, "cart:judy", 4)
['n4', 'n1', 'n1', 'n2']
>>> q1.check(lambda walk, n: walk[:n])
q1: not quite. On ['n8', 'n8', 'n8', 'n4', 'n1', 'n1']... with n=3 you return ['n8', 'n8', 'n8']: n8 stands at two positions of the walk, and the second is skipped, so that N replicas are N different machines.
"""
from __future__ import annotations

import bisect

from ..dynamo.cluster import DynamoCluster
from ..dynamo.hashing import position
from .core import Exercise, ExerciseSet, Wrong, as_number, expect_number, known_mistake

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


def _walk_cases() -> list:
    c = store()
    keys = ["cart:dave", "cart:judy", "cart:alice", "user:7", "user:42"]
    cases = [(ring_walk(c.ring, k, 16), n, c.preference_list(k, n)) for k in keys for n in (3, 5)]
    return cases + [(["n2", "n2", "n1", "n2", "n3"], 2, ["n2", "n1"])]


def _check_list_function(answer, expected) -> None:
    if not callable(answer):
        raise Wrong(f"Expected a function preference_list(walk, n), got a "
                    f"{type(answer).__name__}: {answer!r}.")
    for walk, n, want in expected:
        try:
            got = answer(list(walk), n)
        except Exception as e:
            raise Wrong(f"On the walk {walk[:6]}... with n={n} your function raised "
                        f"{type(e).__name__}: {e}.") from None
        if not isinstance(got, (list, tuple)):
            raise Wrong(f"Return a list of node names, not a {type(got).__name__}.")
        got = list(got)
        if got == want:
            continue
        dup = sorted({x for x in got if got.count(x) > 1})
        if dup:
            raise Wrong(f"On {walk[:6]}... with n={n} you return {got}: {dup[0]} stands at "
                        f"two positions of the walk, and the second is skipped, so that N "
                        f"replicas are N different machines.")
        if sorted(got) == sorted(want):
            raise Wrong(f"On {walk[:6]}... with n={n}: the right nodes in the wrong order; "
                        f"the list keeps the walk's order, coordinator first.")
        raise Wrong(f"On {walk[:6]}... with n={n} the preference list is {want}, "
                    f"not {got}.")


q1 = Exercise(
    "q1", "Write preference_list(walk, n): given the nodes of the tokens met walking "
          "clockwise from a key (repeats included), return the key's first n distinct "
          "physical nodes, coordinator first.",
    var="q1_preference_list",
    expected=_walk_cases,
    check=_check_list_function,
    kind="code",
    hints=["Paper 4.3: the preference list is constructed by skipping positions in the ring "
           "to ensure that the list contains only distinct physical nodes.",
           "Go through the walk in order; keep a node the first time you meet it, and stop "
           "once you have n of them."],
    solution="""
        def q1_preference_list(walk, n):
            nodes = []
            for node in walk:
                if node not in nodes:
                    nodes.append(node)
                if len(nodes) == n:
                    break
            return nodes
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
    "q2", "Predict before you write: on a fresh store(), n1 crashes and 'cart:judy' is "
          "written once. Which node will hold the hinted copy meant for n1?",
    var="q2_holder",
    expected=hint_holder,
    check=_check_holder,
    kind="predict",
    too_common="a node name; every listing above names all eight nodes",
    hints=["Paper 4.3: the preference list holds more than N nodes, so that there are "
           "fallbacks when some of the first N are down.",
           "Look at the full preference list of 'cart:judy' on a fresh store(): where is n1, "
           "and which node is the first one after the top three?"],
    solution='q2_holder = "n7"',
    success="The preference list is longer than N for exactly this reason: its next "
            "nodes are the fallbacks of a sloppy quorum.",
)


def _check_spread(answer, expected) -> None:
    got = as_number(answer, "count of keys")
    known_mistake(got, {"aware": len(sample_keys()), "zero": 0},
                  {"aware": "That is the zone-aware count. Without it, the list takes the "
                            "next distinct nodes whatever their zone, so two replicas of a "
                            "key often share one.",
                   "zero": "Some keys land in three zones by chance; count them."})
    expect_number(what="count of keys")(answer, expected)


q3 = Exercise(
    "q3", "Without zone awareness (zoned(False)), how many of the 1000 sample keys have "
          "their three replicas in three different zones? Count them with code.",
    var="q3_spread",
    expected=lambda: zone_spread(zoned(False), sample_keys()),
    check=_check_spread,
    kind="code",
    hints=["Paper 4.3 (and 2): replicas are spread so that one failure, even of a whole "
           "datacenter, does not take every copy of a key.",
           "For each key, take the zones of its first three nodes (a node's zone is in "
           "`.zones`); a key spans three zones when that set has three members."],
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
WRONG = {"q1": ["n4",
                lambda walk, n: walk[:n],
                lambda walk, n: sorted(set(walk))[:n]],
         "q2": ["n1", "n4", ["n7"]],
         "q3": [1000, 0, "221"]}
