"""Exercises of lesson 06, "Hinted handoff" (Dynamo paper 4.6).

The checkers replay the lesson's scenarios on the real
:class:`~dynamo_lab.DynamoCluster` (same nodes, seed and steps), so an answer
is judged against the engine.

Examples
--------
>>> sloppy_targets()
['D', 'A', 'B']
>>> q1.evaluate(["D", "A", "B"]).status
'correct'
>>> q2.check(("C", "B"))
q2: not quite. The other way round: the first name holds the copy, the second is the node it stands in for.
"""
from __future__ import annotations

from ..check import check_history
from ..dynamo.cluster import DynamoCluster
from .core import Exercise, ExerciseSet, Wrong, expect_choice, expect_sequence

__all__ = ["q1", "q2", "q3", "exercises", "progress", "NODES", "KEY", "SEED", "cluster",
           "sloppy_targets", "hint_pair", "small_cluster", "hint_holder_crash",
           "solution_namespace", "WRONG"]

NODES = ["A", "B", "C", "D", "E", "F"]
KEY = "cart:alice"
SEED = 6


def cluster(**kw) -> DynamoCluster:
    """The lesson's six-node cluster (anti-entropy off: only handoff repairs here)."""
    return DynamoCluster(nodes=NODES, seed=SEED, anti_entropy_ms=0, **kw)


def _after_crash() -> tuple:
    c = cluster()
    c.crash("C")
    c.put(KEY, {"pen"})           # D finds out that C is silent, B gets a hint
    c.run(ms=100)
    got = c.get(KEY)
    res = c.put(KEY, {"pen", "ink"}, context=got.context, coordinator="D")
    return c, res


def sloppy_targets() -> list:
    """Where D sends a put of KEY once it thinks C is down."""
    return list(_after_crash()[1].targets)


def hint_pair() -> tuple:
    """(holder, target) of the one hint in the cluster after the crash of C."""
    c, _ = _after_crash()
    (h,) = c.hints()
    return (h.node, h.target)


def small_cluster(w: int = 1) -> DynamoCluster:
    """Four nodes, so that the three homes of KEY leave one fallback."""
    return DynamoCluster(nodes=["A", "B", "C", "D"], seed=SEED, w=w, anti_entropy_ms=0)


def hint_holder_crash(order: str, w: int = 1) -> DynamoCluster:
    """KEY's three homes crash; the fourth node takes a write with a hint.

    ``order`` "a": the hint holder crashes before the homes recover;
    "b": the homes recover first and the next hint scan delivers.
    """
    c = small_cluster(w)
    pl = c.preference_list(KEY)
    homes, holder = pl[:3], pl[3]
    for x in homes:
        c.crash(x)
    c.put(KEY, {"pen"}, coordinator=holder)
    c.run(ms=100)
    if order == "a":
        c.crash(holder)
        for x in homes:
            c.recover(x)
    else:
        for x in homes:
            c.recover(x)
        c.run(ms=2000)
        c.crash(holder)
    c.run(ms=2000)
    c.recover(holder)
    c.run(ms=2000)
    return c


def _safe_order() -> str:
    safe = [o for o in "ab" if check_history(hint_holder_crash(o)).ok]
    assert len(safe) == 1, safe
    return safe[0]


q1 = Exercise(
    "q1", "C is down and its coordinator D knows it. Which N=3 nodes does D send a put "
          "of 'cart:alice' to, in preference-list order?",
    var="q1_targets",
    expected=sloppy_targets,
    check=expect_sequence("node names"),
    hints=["The preference list of 'cart:alice' is ['D', 'C', 'A', 'B', 'F', 'E'].",
           "Sloppy quorum: the first N *healthy* nodes of that list. Skip C."],
    solution="""
        c = cluster()
        c.crash("C")
        c.put(KEY, {"pen"})
        c.run(ms=100)
        got = c.get(KEY)
        q1_targets = list(c.put(KEY, {"pen", "ink"}, context=got.context,
                                coordinator="D").targets)
    """,
    success="B is not a home of the key, but it is the next healthy node: it takes "
            "C's copy, with a hint naming C.",
)


def _check_pair(answer, expected) -> None:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or len(answer) != 2:
        raise Wrong(f"Expected two node names, (holder, target), got {answer!r}.")
    got = tuple(answer)
    if got == expected:
        return
    if got == expected[::-1]:
        raise Wrong("The other way round: the first name holds the copy, the second is "
                    "the node it stands in for.")
    if got[0] != expected[0]:
        raise Wrong(f"{got[0]!r} does not hold the hinted copy; look at `c.hints()`.")
    raise Wrong(f"The hint does not name {got[1]!r}.")


q2 = Exercise(
    "q2", "After C crashed, which node holds the hinted copy of 'cart:alice', and which "
          "node does its hint name? Answer (holder, target).",
    var="q2_hint",
    expected=hint_pair,
    check=_check_pair,
    hints=["`c.hints()` lists every hinted copy: `Hint(node, target, key, clock)`.",
           "`node` holds the copy; `target` is the home node it must go back to."],
    solution="""
        (h,) = c.hints()
        q2_hint = (h.node, h.target)
    """,
    success="The hint is kept apart from B's own data: a read of B's store does not "
            "see it, and B deletes it once C confirms the handoff.",
)

q3 = Exercise(
    "q3", "With W=1 on four nodes, the three homes of 'cart:alice' crash and B takes the "
          "write as a hint. Which order keeps the acknowledged write? (a) B crashes, then "
          "the homes recover; (b) the homes recover, B's next scan hands the hint over, "
          "then B crashes. Answer \"a\" or \"b\".",
    var="q3_order",
    expected=_safe_order,
    check=expect_choice("ab", why={
        "a": "In (a) the hint lives only in B's memory when B crashes: `hint.lost`, and "
             "check_history counts the acknowledged write as lost."}),
    hints=["Run `check_history(hint_holder_crash('a'))` and the same for 'b'.",
           "A memory store loses its hints on a crash; the write survives only if the "
           "hint reached a home first."],
    solution="""
        q3_order = next(o for o in "ab" if check_history(hint_holder_crash(o)).ok)
    """,
    success="With W=1 the hint was the only copy: sloppy quorum bought availability, "
            "and the durability of that write rested on one node's memory.",
)

exercises = ExerciseSet("Lesson 06 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    c, _ = _after_crash()
    return {"cluster": cluster, "KEY": KEY, "c": c, "check_history": check_history,
            "hint_holder_crash": hint_holder_crash}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": [["D", "C", "A"], ["D", "B", "A"], "DAB"],
         "q2": [("C", "B"), ("A", "C"), "B"],
         "q3": ["a", "c"]}
