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
>>> q1.check(3)
q1: not quite. Strategy 3 is the best of the three at every size: equal partitions, Q/S per node.
"""
from __future__ import annotations

from ..dynamo.hashing import RING_SIZE, span
from ..dynamo.ring import Ring
from .core import Exercise, ExerciseSet, Wrong, expect_choice, expect_number

__all__ = ["q1", "q2", "q3", "exercises", "progress", "S", "N", "Q2", "SEED", "METADATA",
           "build", "shares", "efficiency", "out_of_balance", "sweep", "PAPER_FIGURE_8",
           "solution_namespace", "WRONG"]

S = 30                 #: nodes, as in the paper's experiment
N = 3                  #: replicas
Q2 = 240               #: strategy 2's fixed number of partitions
SEED = 1
#: Entries of membership metadata per node, the x axis of the chart.
METADATA = (60, 120, 240, 480, 960, 1920)

#: Approximate points of the paper's Figure 8, read off the figure (x: "size
#: of metadata maintained at each node", abstract units; y: efficiency). They
#: give its shape (strategy 3 near 1.0, strategy 1 a little lower, strategy 2
#: peaking near 0.88 and falling to about 0.84), not exact numbers.
PAPER_FIGURE_8 = {
    1: ((2000, 0.73), (5000, 0.81), (10000, 0.87), (20000, 0.91), (30000, 0.93)),
    2: ((2000, 0.72), (5000, 0.82), (10000, 0.88), (20000, 0.86), (30000, 0.84)),
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


def _worst_at_largest() -> int:
    eff = _sweep()
    return min((1, 2, 3), key=lambda st: eff[st][-1])


_WHY = {
    1: "Strategy 1 keeps improving as T grows: more random cuts average out.",
    3: "Strategy 3 is the best of the three at every size: equal partitions, Q/S per node.",
}

q1 = Exercise(
    "q1", f"At the largest metadata size in the chart ({METADATA[-1]} entries), which "
          f"strategy balances load worst? Answer 1, 2 or 3.",
    var="q1_worst",
    expected=_worst_at_largest,
    check=expect_choice([1, 2, 3], what="strategy", why=_WHY),
    hints=["Read the right-hand end of the three lines, or `min(eff, key=lambda s: eff[s][-1])`."],
    solution="q1_worst = min(eff, key=lambda s: eff[s][-1])",
    success=f"With Q fixed at {Q2}, extra tokens stop helping: each partition lands on "
            f"one node, so strategy 2 is stuck at the spread of {Q2} placements.",
)


def _check_fraction(answer, expected) -> None:
    if isinstance(answer, (int, float)) and not 0 <= answer <= 1:
        raise Wrong(f"A fraction of nodes lies between 0 and 1; {answer!r} does not.")
    expect_number(abs_tol=1e-9, what="fraction")(answer, expected)


q2 = Exercise(
    "q2", "Strategy 1 with T=8 tokens per node (metadata 240): what fraction of the 30 "
          "nodes is out of balance, i.e. more than 15% away from the mean load?",
    var="q2_out",
    expected=lambda: out_of_balance(build(1, 240)),
    check=_check_fraction,
    hints=["`s = shares(build(1, 240))` gives each node's load; the mean is "
           "`sum(s.values()) / len(s)`.",
           "Count the nodes with `abs(load - mean) > 0.15 * mean`, then divide by 30."],
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


q3 = Exercise(
    "q3", "Strategy 3 with Q=120: node n30 joins the 30-node ring. How many tokens "
          "(partitions) does it hold afterwards?",
    var="q3_tokens",
    expected=_join_tokens,
    check=expect_number(what="token count"),
    hints=["Each node should end up with about Q/S tokens, and S is now 31.",
           "`ring = build(3, 120)`, `ring.add_node('n30')`, then `len(ring.tokens_of('n30'))`."],
    solution="""
        ring = build(3, 120)
        change = ring.add_node("n30")
        q3_tokens = len(ring.tokens_of("n30"))
    """,
    success="It stole them from the most loaded nodes; nothing else moved (look at "
            "`change.token_moves`).",
)

exercises = ExerciseSet("Lesson 09 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"eff": _sweep(), "shares": shares, "build": build}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": [3, 1, "2"], "q2": [0.5, -1], "q3": [3.5, "4"]}
