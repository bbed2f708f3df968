"""Exercises of lesson 02, "Consistent hashing" (Dynamo paper 4.2-4.3).

The checkers build their own rings with the real :class:`~dynamo_lab.Ring`,
from the same explicit tokens and seeds as the lesson, so an answer is judged
against the engine, not against a number typed in here.

Examples
--------
>>> figure2_ring().preference_list("K", 3)
['B', 'C', 'D']
>>> q1.evaluate(["C", "D", "E"]).status
'correct'
>>> q1.check(["B", "C", "D"])
q1: not quite. ['B'] should not be there; 1 of the expected node names is missing.
"""
from __future__ import annotations

from ..dynamo.hashing import RING_SIZE, position
from ..dynamo.ring import Ring
from .core import Exercise, ExerciseSet, Wrong, expect_sequence, expect_set

__all__ = ["q1", "q2", "q3", "exercises", "progress", "figure2_tokens", "figure2_ring",
           "vnode_ring", "sample_keys", "efficiency_by_T", "TARGET", "T_CHOICES",
           "VNODE_SEED", "solution_namespace", "WRONG"]

NODES = "ABCDEFG"
STEP = RING_SIZE // 7
#: The seed of the lesson's random-token rings.
VNODE_SEED = 3
#: The values of T the lesson tries, and the efficiency q2 asks for.
T_CHOICES = (1, 2, 4, 8, 16, 32, 64, 128)
TARGET = 0.9


def figure2_tokens() -> dict:
    """One token per node A..G, evenly spaced, with key "K" halfway from A to B.

    Examples
    --------
    >>> t = figure2_tokens()
    >>> t["A"] < position("K") < t["B"] or t["A"] > t["B"]
    True
    """
    start = (position("K") - STEP // 2) % RING_SIZE
    return {name: (start + i * STEP) % RING_SIZE for i, name in enumerate(NODES)}


def figure2_ring() -> Ring:
    """The paper's Figure 2: seven nodes, key K stored on B, C and D (N=3)."""
    ring = Ring(strategy=1, seed=VNODE_SEED)
    for name, token in figure2_tokens().items():
        ring.add_node(name, tokens=[token])
    return ring


def sample_keys(count: int = 20_000) -> list[str]:
    """The keys whose spread the lesson measures."""
    return [f"user:{i}" for i in range(count)]


def vnode_ring(T: int) -> Ring:
    """Nodes A..G with T random tokens each, drawn from :data:`VNODE_SEED`."""
    ring = Ring(strategy=1, tokens_per_node=T, seed=VNODE_SEED)
    for name in NODES:
        ring.add_node(name)
    return ring


def efficiency_by_T() -> dict:
    """Load-balance efficiency (mean/max, N=3) for each T of :data:`T_CHOICES`."""
    keys = sample_keys()
    return {T: vnode_ring(T).load_balance(keys, n=3).efficiency for T in T_CHOICES}


def _smallest_T() -> dict:
    eff = efficiency_by_T()
    best = next(T for T in T_CHOICES if eff[T] >= TARGET)
    return {"T": best, "efficiency": eff}


def _check_T(answer, expected) -> None:
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise Wrong(f"Expected a whole number of tokens per node, got a "
                    f"{type(answer).__name__}: {answer!r}.")
    eff = expected["efficiency"]
    if answer not in eff:
        raise Wrong(f"Try the values the lesson measures: {list(T_CHOICES)}; "
                    f"{answer} is not one of them.")
    if eff[answer] < TARGET:
        raise Wrong(f"With T={answer} the efficiency is {eff[answer]:.3f}, "
                    f"below {TARGET}. More tokens per node are needed.")
    if answer != expected["T"]:
        raise Wrong(f"T={answer} reaches {eff[answer]:.3f}, but a smaller T "
                    f"already reaches {TARGET}.")


def _moved_from() -> set:
    ring = figure2_ring()
    h = (figure2_tokens()["C"] + STEP // 2) % RING_SIZE
    change = ring.add_node("H", tokens=[h])
    return {m.src for m in change.moves}


q1 = Exercise(
    "q1", "Node B leaves the Figure 2 ring. Which three nodes store key K now, "
          "coordinator first?",
    var="q1_nodes",
    expected=lambda: _after_b_leaves(),
    check=expect_sequence("node names"),
    hints=["B's range (A, B] now belongs to the next token clockwise.",
           "Start from a fresh `figure2_ring()`, call `remove_node('B')`, then ask "
           "`preference_list('K', 3)`."],
    solution="""
        ring = figure2_ring()
        ring.remove_node("B")
        q1_nodes = ring.preference_list("K", 3)
    """,
    success="Only B's neighbours are affected: each of them takes on one more range.",
)


def _after_b_leaves() -> list:
    ring = figure2_ring()
    ring.remove_node("B")
    return ring.preference_list("K", 3)


q2 = Exercise(
    "q2", f"With T random tokens per node (seed {VNODE_SEED}), what is the smallest T "
          f"in {list(T_CHOICES)} whose load-balance efficiency reaches {TARGET}?",
    var="q2_T",
    expected=_smallest_T,
    check=_check_T,
    hints=["`vnode_ring(T).load_balance(keys, n=3).efficiency` measures one T.",
           "Loop over `T_CHOICES` in order and stop at the first efficiency >= TARGET."],
    solution="""
        q2_T = next(T for T in T_CHOICES
                    if vnode_ring(T).load_balance(keys, n=3).efficiency >= TARGET)
    """,
    success="Each token is a random cut; more cuts per node average out the range sizes.",
)

q3 = Exercise(
    "q3", "A new node H joins the Figure 2 ring with one token halfway between C and D. "
          "Which nodes hand key ranges over to H (N=3)?",
    var="q3_from",
    expected=_moved_from,
    check=expect_set("nodes"),
    hints=["H becomes a replica of the ranges (A, B], (B, C] and (C, H]; who "
           "stored each of them before?",
           "`change = ring.add_node('H', tokens=[...])`; each move in `change.moves` "
           "has `src` (the node that gave the range) and `dst` (H)."],
    solution="""
        ring = figure2_ring()
        h = (tokens["C"] + RING_SIZE // 14) % RING_SIZE
        change = ring.add_node("H", tokens=[h])
        q3_from = {m.src for m in change.moves}
    """,
    success="Each of H's N ranges was the last replica of one node, so exactly N nodes "
            "hand data over: the change stays local (paper 4.9).",
)

exercises = ExerciseSet("Lesson 02 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"figure2_ring": figure2_ring, "tokens": figure2_tokens(),
            "RING_SIZE": RING_SIZE, "vnode_ring": vnode_ring, "keys": sample_keys(),
            "T_CHOICES": T_CHOICES, "TARGET": TARGET}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": [["B", "C", "D"], ["D", "C", "E"], "CDE"],
         "q2": [1, 128, "8"],
         "q3": [{"B", "C", "D"}, ["A"]]}
