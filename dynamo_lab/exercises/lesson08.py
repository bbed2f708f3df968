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
from .core import Exercise, ExerciseSet, Wrong, as_number, expect_number, expect_set, known_mistake

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
    """Five nodes; the link between A and B is cut for 5 s, while A
    coordinates four writes (some of their replicas are on B)."""
    c = DynamoCluster(nodes=NODES, seed=SEED, anti_entropy_ms=0)
    c.partition(["A"], ["B"])
    for i in range(4):
        c.put(f"k{i}", i, coordinator="A")
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


def _check_rounds(answer, expected) -> None:
    got = as_number(answer, "number of rounds")
    if abs(got - expected) <= 1.5:
        return
    if got >= 24:
        raise Wrong("That is about one round per node, as if one node told the others one "
                    "at a time. But every node that knows something tells a peer each round, "
                    "so what is known doubles per round.")
    if got >= 9:
        raise Wrong("That scales with n: four times the nodes, four times the rounds. "
                    "Gossip spreads like an epidemic: what is known roughly doubles per "
                    "round, so four times the nodes costs about two more rounds.")
    if got < expected:
        raise Wrong("Too few: 8 nodes needed 3 rounds, and 32 nodes need at least that.")
    raise Wrong(f"Within 1.5 rounds, please: {got} is too high.")


q1 = Exercise(
    "q1", "8 nodes needed about 3 gossip rounds. Predict, within 1.5 rounds: how many do "
          "32 nodes need until every node knows every member?",
    var="q1_rounds",
    expected=lambda: rounds_to_converge(32),
    check=_check_rounds,
    kind="predict",
    shown_as=["4.2"],
    hints=["Paper 4.8: each node contacts a peer chosen at random every second, and the "
           "two reconcile their membership histories.",
           "If every node that knows a member tells one more node each round, how does the "
           "number of nodes that know it grow per round? How many doublings from 8 to 32?"],
    solution="""
        q1_rounds = 5
    """,
    success="Close to log2(n): each round, every node that knows something tells one more "
            "node, so what is known doubles, like an epidemic.",
)


def _check_suspects(answer, expected) -> None:
    if isinstance(answer, (set, frozenset, list, tuple)):
        got = set(answer)
        if got >= {"C", "D", "E"}:
            raise Wrong("C, D and E still hear from B. Failure detection is local: each "
                        "node keeps its own opinion from its own timeouts, and opinions "
                        "are not gossiped.")
        if "B" in got:
            raise Wrong("B does not suspect itself; the question is who cannot reach B.")
    expect_set("nodes")(answer, expected)


q2 = Exercise(
    "q2", "The link between A and B is cut; every other link works, and A coordinates four "
          "writes. Predict: after 5 s, which nodes think B is down? Answer with a set of "
          "node names.",
    var="q2_suspects",
    expected=lambda: set(suspects_of("B")),
    check=_check_suspects,
    kind="predict",
    shown_as=["{'A'}", "A thinks B is down: True", "A thinks B is down"],
    hints=["Paper 4.8: a purely local notion of failure detection is entirely sufficient: "
           "node A may consider node B failed if B does not respond to A's messages, even "
           "if B responds to C's.",
           "Which nodes send B messages that go unanswered? Does anyone tell the others "
           "what they think?"],
    solution="""
        q2_suspects = {"A"}
    """,
    success="Failure detection is local: only the node that cannot reach B suspects it, "
            "and the opinion is never gossiped.",
)


def _check_received(answer, expected) -> None:
    got = as_number(answer, "number of keys")
    known_mistake(got, {"all": 40, "none": 0},
                  {"all": "F is a replica of only the ranges its tokens took over; the other "
                          "keys stay where they were.",
                   "none": "Sum the `keys` field of the transfer.done events whose `dst` "
                           "is F: each is a batch of keys F received."})
    expect_number(what="number of keys")(answer, expected)


q3 = Exercise(
    "q3", "After F joined, how many keys did F receive by range transfer? Compute it from "
          "the `transfer.done` events of `grown`'s log.",
    var="q3_keys",
    expected=lambda: keys_received(joined_cluster(), "F"),
    check=_check_received,
    kind="code",
    hints=["Paper 4.9: when a node is added, the nodes that no longer hold some key ranges "
           "transfer those keys to it, after a confirmation round.",
           "`grown.sim.log.of_kind('transfer.done')` lists the finished transfers; each "
           "event has `src`, `dst` and `keys` (how many keys it carried)."],
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
WRONG = {"q1": [32, 12, 1, "4"],
         "q2": [{"A", "C", "D", "E"}, {"B"}, "A"],
         "q3": [40, 0, "many"]}
