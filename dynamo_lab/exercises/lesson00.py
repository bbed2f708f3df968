"""Exercises of lesson 00, "Welcome": the Simulation, seeds and the event log.

The checkers rebuild the lesson's run from the same seed, which is the point
of the lesson: the same seed gives the same run, event for event.

Examples
--------
>>> q1.evaluate(expected_deliveries_before(4)).status
'correct'
>>> q2.check(["net.crash"])
q2: not quite. 1 of the expected event kinds is missing.
>>> q3.evaluate("b").status
'correct'
"""
from __future__ import annotations

from ..sim import Simulation
from .core import Exercise, ExerciseSet, expect_choice, expect_number, expect_sequence

__all__ = ["q1", "q2", "q3", "exercises", "progress", "lesson_run",
           "expected_deliveries_before", "solution_namespace", "WRONG"]

SEED = 42


def lesson_run(seed: int = SEED) -> Simulation:
    """The run of the lesson's first cells: alice sends bob five pings.

    Examples
    --------
    >>> len(lesson_run().log.of_kind("msg.deliver"))
    5
    """
    sim = Simulation(seed=seed)
    inbox: list = []
    sim.network.add("alice", lambda src, msg: None, zone="az1")
    sim.network.add("bob", lambda src, msg: inbox.append(msg), zone="az2")
    for i in range(5):
        sim.network.send("alice", "bob", "ping", {"n": i})
    sim.run(ms=100)
    return sim


def expected_deliveries_before(t: int) -> int:
    """How many pings of :func:`lesson_run` arrived before ``t`` virtual ms."""
    return len([e for e in lesson_run().log.between(0, t) if e.kind == "msg.deliver"])


q1 = Exercise(
    "q1", "How many pings had reached bob before t = 4 ms (events with t < 4)?",
    var="q1_early",
    expected=lambda: expected_deliveries_before(4),
    check=expect_number(what="count of deliveries"),
    hints=["`sim.log.between(start, end)` gives the events with start <= t < end.",
           "Keep only the events whose `kind` is 'msg.deliver', then count them."],
    solution="""
        q1_early = len([e for e in sim.log.between(0, 4) if e.kind == "msg.deliver"])
    """,
    success="Everyone who ran seed 42 got this same number.",
)

q2 = Exercise(
    "q2", "Subscribe to 'net.*', crash bob and recover him: which kinds did your "
          "callback see, in order?",
    var="q2_seen",
    expected=["net.crash", "net.recover"],
    check=expect_sequence("event kinds"),
    hints=["`sim.log.subscribe(callback, kinds='net.*')` calls `callback(event)` "
           "for each new event whose kind starts with 'net.'.",
           "`sim.network.crash('bob')` then `sim.network.recover('bob')`; collect "
           "`event.kind` in a list."],
    solution="""
        q2_seen = []
        sub = sim.log.subscribe(lambda e: q2_seen.append(e.kind), kinds="net.*")
        sim.network.crash("bob")
        sim.network.recover("bob")
        sub.cancel()
    """,
    success="Views are built the same way: a subscription that reduces events into a picture.",
)

_WHY = {
    "a": "Latencies are drawn from the seed, not from the wall clock, so the "
         "same seed gives the same times on every laptop.",
    "c": "A different seed draws different latencies, so the times will usually differ.",
}

q3 = Exercise(
    "q3", "You and a neighbour both run the lesson with seed=42; a third person uses "
          "seed=43. Which is true? (a) your delivery times differ from your "
          "neighbour's because your laptops differ in speed; (b) you and your "
          "neighbour see identical logs, event for event; (c) all three logs are "
          "identical, because the code is the same.",
    var="q3_choice",
    expected="b",
    check=expect_choice(["a", "b", "c"], what="statement", why=_WHY),
    hints=["Virtual time advances only when the simulation runs; the wall clock never enters it."],
    solution='q3_choice = "b"',
    success="A seed fixes every random draw, so a room can follow one picture.",
)

exercises = ExerciseSet("Lesson 00 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"sim": lesson_run()}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": [5, "2"], "q2": [["net.recover", "net.crash"], []], "q3": ["a", "c"]}
