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
>>> q3.check("lost")
q3: not quite. The paper keeps hints in a separate local database, not only in memory: a restart does not lose them. A permanent failure, a lost disk, does.
"""
from __future__ import annotations

from ..dynamo.cluster import DynamoCluster
from .core import Exercise, ExerciseSet, Wrong, expect_choice, expect_sequence

__all__ = ["q1", "q2", "q3", "exercises", "progress", "NODES", "KEY", "SEED", "cluster",
           "sloppy_targets", "hint_pair", "small_cluster", "holder_fails", "SCENARIOS",
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


def holder_fails(lose_disk: bool, w: int = 1) -> DynamoCluster:
    """KEY's three homes crash; the fourth node takes a write with a hint,
    then crashes too (``lose_disk``: permanently, its disk lost) before the
    homes recover; then everyone recovers and handoff has time to run.

    >>> c = holder_fails(lose_disk=False)
    >>> [e.kind for e in c.sim.log.of_kind("hint.*")]
    ['hint.stored', 'hint.delivered']
    """
    c = small_cluster(w)
    pl = c.preference_list(KEY)
    homes, holder = pl[:3], pl[3]
    for x in homes:
        c.crash(x)
    c.put(KEY, {"pen"}, coordinator=holder)
    c.run(ms=100)
    c.crash(holder, lose_disk=lose_disk)
    for x in homes:
        c.recover(x)
    c.run(ms=2000)
    c.recover(holder)
    c.run(ms=3000)
    return c


def _restart_keeps() -> str:
    c = holder_fails(lose_disk=False)
    kinds = {e.kind for e in c.sim.log.of_kind("hint.*")}
    return "kept" if "hint.delivered" in kinds and "hint.lost" not in kinds else "lost"


q1 = Exercise(
    "q1", "C is down and its coordinator D knows it. Predict: which N=3 nodes does D send "
          "a put of 'cart:alice' to, in preference-list order?",
    var="q1_targets",
    expected=sloppy_targets,
    check=lambda answer, expected: _check_targets(answer, expected),
    kind="predict",
    shown_as=["['D', 'A', 'B']", "('D', 'A', 'B')"],
    hints=["Paper 4.6: all read and write operations are performed on the first N healthy "
           "nodes from the preference list, which may not always be the first N nodes "
           "encountered while walking the ring.",
           "Take the preference list printed above and walk it from the start; how many "
           "healthy nodes do you need, and which one do you skip?"],
    solution="""
        q1_targets = ["D", "A", "B"]
    """,
    success="B is not a home of the key, but it is the next healthy node: it takes "
            "C's copy, with a hint naming C.",
)


def _check_targets(answer, expected) -> None:
    if isinstance(answer, (list, tuple)):
        got = list(answer)
        if got == ["D", "C", "A"]:
            raise Wrong("Those are the key's homes, C included; but C is down and D knows "
                        "it: a sloppy quorum takes the first N healthy nodes.")
        if got == ["D", "B", "A"]:
            raise Wrong("The right nodes, but B stands after A in the preference list; "
                        "the targets keep the list's order.")
    expect_sequence("node names")(answer, expected)


#: The scenarios q2's check replays: the nodes the coordinator knows are down.
SCENARIOS = (("C",), ("C", "A"), ("D",))


def _engine_sloppy(down: tuple) -> tuple:
    """``(preference list, targets, hints)`` of a put once its coordinator
    knows ``down`` are down."""
    c = cluster()
    for x in down:
        c.crash(x)
    c.put(KEY, {"pen"})
    c.run(ms=100)
    got = c.get(KEY)
    pl = c.preference_list(KEY)
    coord = next(x for x in pl if x not in down)
    res = c.put(KEY, {"pen", "ink"}, context=got.context, coordinator=coord)
    return pl, list(res.targets), [tuple(h) for h in res.hints]


def _check_sloppy(answer, expected) -> None:
    if not callable(answer):
        raise Wrong(f"Expected a function sloppy_quorum(preference_list, down, n), got a "
                    f"{type(answer).__name__}: {answer!r}.")
    for down, (pl, targets, hints) in expected:
        try:
            got = answer(list(pl), set(down), 3)
            got_t, got_h = got
        except (TypeError, ValueError):
            raise Wrong("Return two things: (targets, hints).") from None
        except Exception as e:
            raise Wrong(f"With {sorted(down)} down your function raised "
                        f"{type(e).__name__}: {e}.") from None
        got_t, got_h = list(got_t), [tuple(h) for h in got_h]
        if got_t != targets:
            if any(x in down for x in got_t):
                raise Wrong(f"With {sorted(down)} down your targets {got_t} include a node "
                            f"that is down: take the first N healthy nodes.")
            raise Wrong(f"With {sorted(down)} down the engine sends to {targets}, "
                        f"not {got_t}.")
        if got_h != hints:
            if [h[::-1] for h in got_h] == hints:
                raise Wrong("Each hint pair is (holder, home): the fallback holds the copy "
                            "for the home it stands in for.")
            raise Wrong(f"With {sorted(down)} down the engine's hints are {hints} "
                        f"(fallback, home it stands in for), not {got_h}.")


q2 = Exercise(
    "q2", "Write sloppy_quorum(preference_list, down, n): the first n healthy nodes of the "
          "list (the targets), and the hints: (fallback, home) for each fallback beyond "
          "the first n nodes, paired in order with the homes it stands in for.",
    var="q2_sloppy_quorum",
    expected=lambda: [(down, _engine_sloppy(down)) for down in SCENARIOS],
    check=_check_sloppy,
    kind="code",
    hints=["Paper 4.6: the replica that would have lived on a node that is down is sent to "
           "another node, with a hint in its metadata that suggests which node was the "
           "intended recipient.",
           "The homes are the first n nodes of the list. Walk the list collecting healthy "
           "nodes until you have n; the down homes, in order, are the ones the fallbacks "
           "(the healthy nodes beyond the first n) stand in for."],
    solution="""
        def q2_sloppy_quorum(preference_list, down, n):
            homes = preference_list[:n]
            targets = [x for x in preference_list if x not in down][:n]
            fallbacks = [x for x in targets if x not in homes]
            missing = [x for x in homes if x in down]
            return targets, list(zip(fallbacks, missing))
    """,
    success="That is the engine's rule, checked against three crashes: the data "
            "reaches N nodes, and each stand-in knows whose copy it holds.",
)

q3 = Exercise(
    "q3", "B holds a hint for a home that is down. Then B restarts (it crashes and recovers) "
          "before the home is back. Predict: is the hint 'kept' or 'lost'?",
    var="q3_restart",
    expected=_restart_keeps,
    check=expect_choice(["kept", "lost"], what="prediction", why={
        "lost": "The paper keeps hints in a separate local database, not only in memory: "
                "a restart does not lose them. A permanent failure, a lost disk, does."}),
    kind="predict",
    hints=["Paper 4.6: the node that received the hinted replica keeps it in a separate "
           "local database that is scanned periodically.",
           "What does a restart take from a node, and what does it leave? Where does that "
           "database live?"],
    solution='q3_restart = "kept"',
    success="A restart keeps the hints; only a permanent failure loses them, and that is "
            "the case anti-entropy exists for (lesson 07).",
)

exercises = ExerciseSet("Lesson 06 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    c, _ = _after_crash()
    return {"cluster": cluster, "KEY": KEY, "c": c}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": [["D", "C", "A"], ["D", "B", "A"], "DAB"],
         "q2": ["DAB",
                lambda pl, down, n: (pl[:n], []),
                lambda pl, down, n: ([x for x in pl if x not in down][:n],
                                     [(h, f) for f, h in zip(
                                         [x for x in pl if x not in down][:n][-1:],
                                         [x for x in pl[:n] if x in down])])],
         "q3": ["lost", "gone"]}
