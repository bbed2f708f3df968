"""Exercises of lesson 02, "Consistent hashing: the ring" (Dynamo paper 4.2, 4.9).

The checkers build their own rings with the real :class:`~dynamo_lab.Ring`,
from the same explicit tokens and seeds as the lesson, so an answer is judged
against the engine, not against a number typed in here.

Examples
--------
>>> figure2_ring().owner("K")
'B'
>>> q1.evaluate("C").status
'correct'
>>> q1.check("A")
q1: not quite. A is K's predecessor. The coordinator is the first node clockwise from the key, after it.
"""
from __future__ import annotations

import functools

from ..dynamo.hashing import RING_SIZE, position
from ..dynamo.ring import Ring
from .core import Exercise, ExerciseSet, Wrong, as_number, expect_choice, expect_number, known_mistake

__all__ = ["q1", "q2", "q3", "exercises", "progress", "figure2_tokens", "figure2_ring",
           "vnode_ring", "sample_keys", "efficiency_by_T", "smallest_T", "T_CHOICES",
           "TARGETS", "VNODE_SEED", "solution_namespace", "WRONG"]

NODES = "ABCDEFG"
STEP = RING_SIZE // 7
#: The seed of the lesson's random-token rings.
VNODE_SEED = 3
#: The values of T the lesson tries.
T_CHOICES = (1, 2, 4, 8, 16, 32, 64, 128)


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
    """The paper's Figure 2: seven nodes, key K coordinated by B. ``n=1``:
    this lesson looks at coordinators only (replicas are lesson 03's)."""
    ring = Ring(strategy=1, seed=VNODE_SEED, n=1)
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


@functools.lru_cache(maxsize=1)
def efficiency_by_T() -> dict:
    """Load-balance efficiency (mean/max of the keys each node coordinates)
    for each T of :data:`T_CHOICES`; computed once (the rings are seeded)."""
    keys = sample_keys()
    return {T: vnode_ring(T).load_balance(keys, n=1).efficiency for T in T_CHOICES}


def smallest_T(target: float):
    """The smallest T of :data:`T_CHOICES` whose efficiency reaches
    ``target``, or None. (Efficiency is not monotonic in T: random cuts.)

    >>> smallest_T(0.5), smallest_T(0.99)
    (2, None)
    """
    eff = efficiency_by_T()
    return next((T for T in T_CHOICES if eff[T] >= target), None)


#: The targets q2's check tries a learner's function on.
TARGETS = (0.5, 0.7, 0.8, 0.95)


def _check_smallest(answer, expected) -> None:
    if not callable(answer):
        raise Wrong(f"Expected a function smallest_T(target), got a "
                    f"{type(answer).__name__}: {answer!r}.")
    eff = efficiency_by_T()
    for target, want in expected:
        try:
            got = answer(target)
        except Exception as e:
            raise Wrong(f"For target {target} your function raised "
                        f"{type(e).__name__}: {e}.") from None
        if got == want:
            continue
        if want is None:
            raise Wrong(f"No T in T_CHOICES reaches {target}; return None then, "
                        f"not {got!r}.")
        if got in eff and eff[got] >= target:
            raise Wrong(f"For target {target}: T={got} reaches it ({eff[got]:.3f}), but "
                        f"T={want} already does: efficiency is not monotonic in T, so "
                        f"try every T in order and stop at the first.")
        if got in eff:
            raise Wrong(f"For target {target}: with T={got} the efficiency is only "
                        f"{eff[got]:.3f}.")
        raise Wrong(f"For target {target} the answer is one of {list(T_CHOICES)} or "
                    f"None, not {got!r}.")


def _moved_fraction() -> float:
    """The fraction of the sample keys whose coordinator changes when H joins
    halfway between C and D."""
    keys = sample_keys()
    ring = figure2_ring()
    before = [ring.owner(k) for k in keys]
    ring.add_node("H", tokens=[(figure2_tokens()["C"] + STEP // 2) % RING_SIZE])
    return sum(ring.owner(k) != b for k, b in zip(keys, before)) / len(keys)


def _check_fraction(answer, expected) -> None:
    got = as_number(answer, "fraction of the keys")
    known_mistake(got, {"all": 1 / 7, "n3": 3 / 14, "pct": 100 / 14},
                  {"all": "That is all of D's range; H's token sits halfway between C "
                          "and D, so H takes half of it.",
                   "n3": "That is what H would take as a replica of N=3 ranges (lesson 03); "
                         "the question is about coordinators only.",
                   "pct": "Answer a fraction between 0 and 1, not a percentage."})
    if got > 1:
        raise Wrong("Answer a fraction between 0 and 1.")
    expect_number(abs_tol=0.01, what="fraction of the keys")(answer, expected)


q1 = Exercise(
    "q1", "Node B leaves the Figure 2 ring. Predict: which node coordinates key K now?",
    var="q1_owner",
    expected=lambda: _after_b_leaves(),
    check=expect_choice(NODES, what="node",
                        why={"B": "B has left the ring; its token is gone.",
                             "A": "A is K's predecessor. The coordinator is the first "
                                  "node clockwise from the key, after it.",
                             "D": "Only B's range changes hands, and it goes to B's "
                                  "successor on the ring."}),
    kind="predict",
    too_common="a one-letter node name; the cell that removes B comes after the answer cell",
    hints=["Paper 4.2: each node is responsible for the region of the ring between it and "
           "its predecessor; a departure affects only its immediate neighbours.",
           "K sits between A and B. Once B's token is gone, which token is the first one "
           "clockwise from K?"],
    solution='q1_owner = "C"',
    success="Only B's neighbour is affected: C takes over B's range as well as its own.",
)


def _after_b_leaves() -> str:
    ring = figure2_ring()
    ring.remove_node("B")
    return ring.owner("K")


q2 = Exercise(
    "q2", "Write smallest_T(target): the smallest T in T_CHOICES whose load-balance "
          "efficiency (keys coordinated per node, N=1) reaches target, or None.",
    var="q2_smallest_T",
    expected=lambda: [(t, smallest_T(t)) for t in TARGETS],
    check=_check_smallest,
    kind="code",
    hints=["Paper 4.2: random positions give non-uniform load, and virtual nodes (several "
           "tokens per physical node) spread it; more tokens, smaller and more even ranges.",
           "`vnode_ring(T).load_balance(keys, n=1).efficiency` measures one T. Look at the "
           "values above before you assume that more tokens always help."],
    solution="""
        def q2_smallest_T(target):
            for T in T_CHOICES:
                if vnode_ring(T).load_balance(keys, n=1).efficiency >= target:
                    return T
            return None
    """,
    success="Each token is a random cut; more cuts per node average out the range "
            "sizes, but not smoothly.",
)

q3 = Exercise(
    "q3", "A new node H joins a fresh Figure 2 ring with one token halfway between C and D. "
          "What fraction of all keys change coordinator?",
    var="q3_fraction",
    expected=_moved_fraction,
    check=_check_fraction,
    kind="arithmetic",
    hints=["Paper 4.2: the principal advantage of consistent hashing is that the departure "
           "or arrival of a node only affects its immediate neighbours.",
           "Seven evenly spaced tokens cut the ring into seven equal ranges. Which range does "
           "H's token fall in, and how much of it does H take?"],
    solution="q3_fraction = 1 / 14",
    success="One range changes hands, between neighbours: consistent hashing is "
            "incremental (paper 4.9).",
)

exercises = ExerciseSet("Lesson 02 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"figure2_ring": figure2_ring, "tokens": figure2_tokens(),
            "RING_SIZE": RING_SIZE, "vnode_ring": vnode_ring, "keys": sample_keys(),
            "T_CHOICES": T_CHOICES}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": ["A", "D", "B"],
         "q2": [64, lambda target: 128,
                lambda target: next((T for T in T_CHOICES if efficiency_by_T()[T] >= target),
                                    128)],
         "q3": [1 / 7, 3 / 14, 100 / 14, "0.07"]}
