"""Exercises of lesson 09, "Partitioning strategies" (Dynamo paper 6.2).

The lesson measures load balance the way Figure 8 does, with S=30 nodes and
N=3, for the same amount of membership metadata per strategy. Load here is
exact: the fraction of the hash space a node stores as one of the N
replicas, which is what uniformly spread requests would give it.

Metadata, in entries every node keeps: strategy 1 and 2 keep every node's
token positions (S*T); strategy 3 keeps which node holds each of the Q
partitions (Q). Strategy 2 holds Q fixed at :data:`Q2` while T grows.

Examples
--------
>>> ring = build(3, 60)
>>> len(ring.nodes), len(ring.tokens)
(30, 60)
>>> round(efficiency(ring), 3) == round(efficiency(build(3, 60)), 3)
True
>>> q1.check("falls")
q1: not quite. Extra tokens do not make the placement worse; they stop making it better.
"""
from __future__ import annotations

from ..dynamo.hashing import RING_SIZE, span
from ..dynamo.ring import Ring
from .core import Exercise, ExerciseSet, Wrong, as_number, expect_choice, expect_number

__all__ = ["q1", "q2", "q3", "exercises", "progress", "S", "N", "Q2", "SEED", "METADATA",
           "build", "shares", "efficiency", "out_of_balance", "sweep", "strategy2_trend",
           "PAPER_FIGURE_8",
           "solution_namespace", "WRONG"]

S = 30                 #: nodes, as in the paper's experiment
N = 3                  #: replicas
Q2 = 240               #: strategy 2's fixed number of partitions
SEED = 1
#: Entries of membership metadata per node, the x axis of the chart.
METADATA = (60, 120, 240, 480, 960, 1920)

#: The shape of the paper's Figure 8, drawn approximately (x: "size of
#: metadata maintained at each node", abstract units; y: efficiency): these
#: are not values measured off the figure. They keep the order the paper's
#: text states, strategy 3 best and strategy 2 worst at every size, with
#: strategy 3 near 1.0, strategy 1 rising, and strategy 2 peaking and then
#: falling a little.
PAPER_FIGURE_8 = {
    1: ((2000, 0.73), (5000, 0.81), (10000, 0.87), (20000, 0.91), (30000, 0.93)),
    2: ((2000, 0.66), (5000, 0.74), (10000, 0.79), (20000, 0.77), (30000, 0.75)),
    3: ((2000, 0.93), (5000, 0.97), (10000, 0.98), (20000, 0.99), (30000, 0.995)),
}


def build(strategy: int, metadata: int, seed: int = SEED) -> Ring:
    """A ring of S nodes whose membership metadata is ``metadata`` entries.

    Strategies 1 and 2 get T = metadata / S tokens per node (strategy 2 with
    Q = :data:`Q2` partitions); strategy 3 gets Q = metadata partitions.
    """
    if strategy == 3:
        ring = Ring(strategy=3, partitions=metadata, seed=seed, n=N)
    else:
        ring = Ring(strategy=strategy, tokens_per_node=max(1, metadata // S),
                    partitions=Q2 if strategy == 2 else None, seed=seed, n=N)
    for i in range(S):
        ring.add_node(f"n{i:02d}")
    return ring


def shares(ring: Ring, n: int = N) -> dict:
    """Fraction of the hash space each node stores as one of ``n`` replicas."""
    return {node: sum(span(a, b) or RING_SIZE for a, b in r.all) / RING_SIZE
            for node, r in ring.ranges(n=n).items()}


def efficiency(ring: Ring) -> float:
    """Mean load / max load (paper Figure 8); 1.0 is perfect."""
    s = shares(ring)
    return sum(s.values()) / len(s) / max(s.values())


def out_of_balance(ring: Ring, threshold: float = 0.15) -> float:
    """Fraction of nodes whose load is more than ``threshold`` from the mean."""
    s = shares(ring)
    mean = sum(s.values()) / len(s)
    return sum(1 for v in s.values() if abs(v - mean) > threshold * mean) / len(s)


def sweep(metadata=METADATA) -> dict:
    """``{strategy: [efficiency for each metadata size]}``. About 4 s."""
    return {st: [efficiency(build(st, m)) for m in metadata] for st in (1, 2, 3)}


_cache: dict = {}


def _sweep() -> dict:
    if "sweep" not in _cache:
        _cache["sweep"] = sweep()
    return _cache["sweep"]


def strategy2_trend(eff: dict | None = None) -> str:
    """How strategy 2's efficiency behaves over the last three metadata sizes:
    'improves', 'levels off' or 'falls' (within 0.02 counts as level)."""
    e = (eff or _sweep())[2][-3:]
    if max(e) - min(e) <= 0.02:
        return "levels off"
    return "improves" if e[-1] > e[0] else "falls"


q1 = Exercise(
    "q1", "Strategy 2 keeps Q = 240 fixed partitions and gives each node T = M/S random "
          "tokens. Predict: as the metadata M grows from 480 to 1920 entries, does its "
          "efficiency keep improving like strategy 1's ('improves'), 'levels off' or "
          "'falls'?",
    var="q1_trend",
    expected=strategy2_trend,
    check=expect_choice(["improves", "levels off", "falls"], what="prediction",
                        why={"improves": "More tokens do cut the ring finer, but in "
                                         "strategy 2 a partition's owner is the first "
                                         "token after its end, and each partition lands "
                                         "whole on one node: with Q fixed, finer cuts stop "
                                         "mattering.",
                             "falls": "Extra tokens do not make the placement worse; they "
                                      "stop making it better."}),
    kind="predict",
    hints=["Paper 6.2: in strategy 2, the partitions are fixed, of equal size, and "
           "placement follows the tokens; strategy 1 ties partitioning and placement "
           "together.",
           "With 1920 entries each node has 64 tokens but there are still only 240 "
           "partitions, 8 per node on average. What decides how even 240 whole "
           "partitions spread over 30 nodes?"],
    solution='q1_trend = "levels off"',
    success=f"With Q fixed at {Q2}, extra tokens stop helping: each partition lands on "
            f"one node, so strategy 2 is stuck at the spread of {Q2} placements.",
)


def _check_fraction(answer, expected) -> None:
    got = as_number(answer, "fraction")
    if not 0 <= got <= 1:
        raise Wrong(f"A fraction of nodes lies between 0 and 1; {answer!r} does not.")
    ring = build(1, 240)
    s = shares(ring)
    mean = sum(s.values()) / len(s)
    above = sum(v > 1.15 * mean for v in s.values()) / len(s)
    if above != expected and abs(got - above) < 1e-9:
        raise Wrong("That counts only the overloaded nodes. Out of balance is more than "
                    "15% away from the mean on either side: underloaded nodes count too.")
    expect_number(abs_tol=1e-9, what="fraction")(answer, expected)


q2 = Exercise(
    "q2", "Strategy 1 with T=8 tokens per node (metadata 240): what fraction of the 30 "
          "nodes is out of balance, i.e. more than 15% away from the mean load? Compute "
          "it with shares().",
    var="q2_out",
    expected=lambda: out_of_balance(build(1, 240)),
    check=_check_fraction,
    kind="code",
    hints=["Paper 6.2: a node is considered out of balance if its request load deviates "
           "from the average load by a value more than a certain threshold (here 15%).",
           "`shares(ring)` maps each node to its load. Compare each with the mean, on both "
           "sides, and divide the count by the number of nodes."],
    solution="""
        s = shares(build(1, 240))
        mean = sum(s.values()) / len(s)
        q2_out = sum(abs(v - mean) > 0.15 * mean for v in s.values()) / len(s)
    """,
    success="The paper's Figure 6 tracks this fraction in production.",
)


def _join_tokens() -> int:
    ring = build(3, 120)
    ring.add_node("n30")
    return len(ring.tokens_of("n30"))


def _check_join(answer, expected) -> None:
    got = as_number(answer, "token count")
    if got != int(got):
        raise Wrong("A partition moves whole: a node holds a whole number of them.")
    if got == expected - 1:
        raise Wrong("120 / 31 is about 3.87. The new node steals until it holds as many as "
                    "most others; stopping one short would leave it the least loaded node.")
    expect_number(what="token count")(answer, expected)


q3 = Exercise(
    "q3", "Strategy 3 with Q=120 on 30 nodes: node n30 joins. Work it out before you try "
          "it: how many tokens (partitions) does it hold afterwards?",
    var="q3_tokens",
    expected=_join_tokens,
    check=_check_join,
    kind="arithmetic",
    hints=["Paper 6.2: in strategy 3 each node is assigned Q/S tokens; when a node joins, "
           "it steals tokens from other nodes in a way that preserves these properties.",
           "S becomes 31 and Q stays 120. A partition cannot be split, and the most loaded "
           "nodes give first."],
    solution="q3_tokens = 4",
    success="It stole them from the most loaded nodes; nothing else moved (look at "
            "`change.token_moves`).",
)

exercises = ExerciseSet("Lesson 09 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"eff": _sweep(), "shares": shares, "build": build}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": ["improves", "falls", 2],
         "q2": [0.5, 1 / 6, -1, "0.1"],
         "q3": [3, 3.87, "4"]}
