"""Exercises of lesson 08, "Membership and gossip" (Dynamo paper 4.8-4.9).

The checkers rerun the lesson's clusters on the real engine, with the same
seeds and steps.

Examples
--------
>>> suspects_of("B")
['A']
>>> q2.evaluate({"A"}).status
'correct'
"""
from __future__ import annotations

from ..dynamo.cluster import DynamoCluster
from .core import Exercise, ExerciseSet, expect_number, expect_set

__all__ = ["q1", "q2", "q3", "exercises", "progress", "SEED", "NODES", "gossip_cluster",
           "rounds_to_converge", "partitioned_cluster", "suspects_of", "joined_cluster",
           "keys_received", "solution_namespace", "WRONG"]

SEED = 8
NODES = ["A", "B", "C", "D", "E"]


def gossip_cluster(n: int, seeds=None) -> DynamoCluster:
    """``n`` nodes that each start knowing only themselves and the seeds."""
    kw = {} if seeds is None else {"seeds": seeds}
    return DynamoCluster(nodes=n, seed=SEED, membership="seeds", anti_entropy_ms=0,
                         handoff_ms=0, **kw)


def rounds_to_converge(n: int, seeds=None, limit_ms: int = 20_000):
    """Gossip rounds (seconds) until every node knows every member, or None."""
    c = gossip_cluster(n, seeds)
    while not c.membership_converged():
        if c.sim.now >= limit_ms:
            return None
        c.run(ms=100)
    return c.sim.now / c.gossip_ms


def partitioned_cluster() -> DynamoCluster:
    """Five nodes; the link between A and B is cut for 5 s."""
    c = DynamoCluster(nodes=NODES, seed=SEED, anti_entropy_ms=0)
    c.partition(["A"], ["B"])
    c.run(ms=5000)
    return c


def suspects_of(node: str) -> list:
    """The nodes that think ``node`` is down in :func:`partitioned_cluster`."""
    c = partitioned_cluster()
    return sorted(x for x in c.nodes if node in c.node(x).down)


def joined_cluster() -> DynamoCluster:
    """Five nodes with 40 keys; F joins and the ranges move."""
    c = DynamoCluster(nodes=NODES, seed=SEED, anti_entropy_ms=0)
    for i in range(40):
        c.put(f"k{i:02d}", i)
    c.add_node("F")
    c.run(ms=3000)
    return c


def keys_received(c: DynamoCluster, node: str) -> int:
    return sum(e.keys for e in c.sim.log.of_kind("transfer.done") if e.dst == node)


q1 = Exercise(
    "q1", "How many gossip rounds (seconds) do 16 nodes need until every node knows every "
          "member? Use `rounds_to_converge(16)`.",
    var="q1_rounds",
    expected=lambda: rounds_to_converge(16),
    check=expect_number(what="number of rounds"),
    hints=["`rounds_to_converge(n)` runs gossip in 100 ms steps and returns the rounds.",
           "Call it with 16."],
    solution="""
        q1_rounds = rounds_to_converge(16)
    """,
    success="Close to log2(16) = 4: each round, every node that knows something tells "
            "one more node, so what is known doubles, like an epidemic.",
)

q2 = Exercise(
    "q2", "In the partitioned cluster (A cut from B only), which nodes think B is down? "
          "Answer with a set of node names.",
    var="q2_suspects",
    expected=lambda: suspects_of("B"),
    check=expect_set("nodes"),
    hints=["Each node's own opinions are in `cut.node(x).down`.",
           "`{x for x in cut.nodes if 'B' in cut.node(x).down}`"],
    solution="""
        q2_suspects = {x for x in cut.nodes if "B" in cut.node(x).down}
    """,
    success="Failure detection is local: only the node that cannot reach B suspects it, "
            "and the opinion is never gossiped.",
)

q3 = Exercise(
    "q3", "After F joined, how many keys did F receive by range transfer? Sum the `keys` "
          "of the `transfer.done` events whose `dst` is F.",
    var="q3_keys",
    expected=lambda: keys_received(joined_cluster(), "F"),
    check=expect_number(what="number of keys"),
    hints=["`grown.sim.log.of_kind('transfer.done')`; each event has `src`, `dst` and `keys`.",
           "sum(e.keys for e in ... if e.dst == 'F')"],
    solution="""
        q3_keys = sum(e.keys for e in grown.sim.log.of_kind("transfer.done") if e.dst == "F")
    """,
    success="Exactly the keys whose top N now include F: only the ranges F took over moved.",
)

exercises = ExerciseSet("Lesson 08 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"rounds_to_converge": rounds_to_converge, "cut": partitioned_cluster(),
            "grown": joined_cluster()}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": [4, 16, "4"],
         "q2": [{"A", "C", "D", "E"}, {"B"}, "A"],
         "q3": [40, 0, "many"]}
