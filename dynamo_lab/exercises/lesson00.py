"""Exercises of lesson 00, "Welcome": the Simulation, seeds and the event log.

The checkers rebuild the lesson's run from the same seed, which is the point
of the lesson: the same seed gives the same run, event for event.

Examples
--------
>>> q1.evaluate("b").status
'correct'
>>> q2.evaluate(expected_deliveries_before(4)).status
'correct'
>>> q2.check(5)
q2: not quite. That is every ping of the run: `between(0, 4)` stops before t = 4 ms; count only the deliveries stamped earlier.
>>> q3.check(["net.crash"])
q3: not quite. 1 of the expected event kinds is missing.
"""
from __future__ import annotations

from ..sim import Simulation
from .core import Exercise, ExerciseSet, Wrong, as_number, expect_choice, expect_number, expect_sequence

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


def _check_early(answer, expected) -> None:
    got = as_number(answer, "count of deliveries")
    if got == len(lesson_run().log.of_kind("msg.deliver")) != expected:
        raise Wrong("That is every ping of the run: `between(0, 4)` stops before t = 4 ms; "
                    "count only the deliveries stamped earlier.")
    if got == len(lesson_run().log.between(0, 4)) != expected:
        raise Wrong("That counts every event before t = 4 ms; keep only the deliveries "
                    "(kind 'msg.deliver'), since a log holds other kinds too.")
    expect_number(what="count of deliveries")(answer, expected)


q2 = Exercise(
    "q2", "How many pings had reached bob before t = 4 ms (events with t < 4)? Compute it "
          "from the log.",
    var="q2_early",
    expected=lambda: expected_deliveries_before(4),
    check=_check_early,
    kind="code",
    hints=["The log can be sliced by virtual time: `sim.log.between(start, end)` gives the "
           "events with start <= t < end.",
           "A slice holds every kind of event; the arrivals are the ones whose `kind` is "
           "'msg.deliver'. Count those."],
    solution="""
        q2_early = len([e for e in sim.log.between(0, 4) if e.kind == "msg.deliver"])
    """,
    success="Everyone who ran seed 42 got this same number.",
)


def _check_seen(answer, expected) -> None:
    if isinstance(answer, (list, tuple)) and list(answer) == list(reversed(expected)):
        raise Wrong("The log is append-only, in the order things happen: the crash came "
                    "before the recovery, so the callback saw it first.")
    if isinstance(answer, (list, tuple)) and not answer:
        raise Wrong("Your callback saw nothing: subscribe first, then crash and recover bob "
                    "(a subscription sees only new events).")
    expect_sequence("event kinds")(answer, expected)


q3 = Exercise(
    "q3", "Subscribe to 'net.*', crash bob and recover him: which kinds did your "
          "callback see, in order?",
    var="q3_seen",
    expected=["net.crash", "net.recover"],
    check=_check_seen,
    kind="code",
    hints=["Views are built this way: `sim.log.subscribe(callback, kinds='net.*')` calls "
           "`callback(event)` for each new event whose kind starts with 'net.'.",
           "Make a list, subscribe a callback that appends each event's `kind` to it, then "
           "call `sim.network.crash` and `sim.network.recover` with bob's name."],
    solution="""
        q3_seen = []
        sub = sim.log.subscribe(lambda e: q3_seen.append(e.kind), kinds="net.*")
        sim.network.crash("bob")
        sim.network.recover("bob")
        sub.cancel()
    """,
    success="Views are built the same way: a subscription that reduces events into a picture.",
)

_WHY = {
    "a": "Latencies are drawn from the seed, not from the wall clock, so the "
         "same seed gives the same times on every laptop, fast or slow.",
    "c": "The code is the same, but a different seed draws different latencies, so "
         "seed 43's times will differ.",
}

q1 = Exercise(
    "q1", "You and a neighbour both run the lesson with seed=42; a third person uses "
          "seed=43. Which is true? (a) your delivery times differ from your "
          "neighbour's because your laptops differ in speed; (b) you and your "
          "neighbour see identical logs, event for event; (c) all three logs are "
          "identical, because the code is the same.",
    var="q1_choice",
    expected="b",
    check=expect_choice(["a", "b", "c"], what="statement", why=_WHY),
    kind="predict",
    too_common="a one-letter choice; the cell comparing the logs comes after the answer cell",
    hints=["Virtual time advances only when the simulation runs; the wall clock never "
           "enters it.",
           "Every random draw, each message's latency included, comes from the seed: "
           "what is the same, and what differs, between the three runs?"],
    solution='q1_choice = "b"',
    success="A seed fixes every random draw, so a room can follow one picture.",
)

exercises = ExerciseSet("Lesson 00 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"sim": lesson_run()}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": ["a", "c"], "q2": [5, "2"], "q3": [["net.recover", "net.crash"], []]}
