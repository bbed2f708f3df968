"""Exercises of lesson 13, "DynamoDB: a managed service, three zones, three replicas" (the DynamoDB deck).

The checkers know DynamoDB's documented rules (three replicas in three
Availability Zones, a write acknowledged by two of them, which reads are
strongly consistent, the 4 KB read unit and its half price for eventually
consistent reads), never one endpoint's reply, so the lesson is judged alike
on the lab and elsewhere.

Examples
--------
>>> q1.evaluate((3, 3, 2)).status
'correct'
>>> q2.check({"B", "D", "E"})
q2: not quite. E reads a global secondary index, a copy kept up asynchronously: it refuses ConsistentRead altogether.
>>> q3.evaluate(read_units(item_bytes(profile()))).status
'correct'
"""
from __future__ import annotations

import math
from typing import Any

from ..text import noun
from .core import Exercise, ExerciseSet, Wrong
from .lesson11 import drop_lesson_tables as _drop
from .lesson11 import low_level

__all__ = ["q1", "q2", "q3", "q4", "exercises", "progress", "TABLES", "READS", "profile",
           "item_bytes", "read_units", "drop_lesson_tables", "solution_namespace", "WRONG"]

#: The tables the lesson makes; its setup cell drops them, so it can run again.
TABLES = ("Profiles",)

#: The reads q2 asks about: which of them always see the latest acknowledged write?
READS = {
    "A": "GetItem (default)",
    "B": "GetItem with ConsistentRead=True",
    "C": "Query (default)",
    "D": "Query with ConsistentRead=True",
    "E": "Query on a global secondary index",
    "F": "TransactGetItems",
}
_STRONG = {"B", "D", "F"}


def drop_lesson_tables(client: Any) -> list:
    """Delete this lesson's tables where they exist (any backend), so that the
    lesson can run again from the top; returns the names deleted."""
    return _drop(client, TABLES)


def profile(user: str = "ada") -> dict:
    """The lesson's big item (resource form): a profile with a 6,000-character bio.

    >>> sorted(profile())
    ['bio', 'name', 'user']
    """
    return {"user": user, "name": user.title(),
            "bio": ("Writes programs for engines that do not exist yet. " * 120)[:6000]}


def item_bytes(item: dict) -> int:
    """DynamoDB's size of ``item`` (resource form): names plus values.

    >>> item_bytes({"a": "xy"})
    3
    """
    from ..dynamodb.model.size import item_size
    return item_size(low_level(item))


def read_units(size: int) -> tuple[float, float]:
    """``(strongly consistent, eventually consistent)`` read units of a
    GetItem of an item of ``size`` bytes: 4 KB per unit, rounded up; half
    for an eventually consistent read.

    >>> read_units(4096), read_units(4097)
    ((1.0, 0.5), (2.0, 1.0))
    """
    units = math.ceil(size / 4096)
    return float(units), units / 2


def _check_copies(answer: Any, expected: tuple) -> None:
    try:
        replicas, zones, ack = answer
    except (TypeError, ValueError):
        raise Wrong(f"Expected three numbers (replicas, zones, replicas that acknowledge a "
                    f"write), got {answer!r}.") from None
    if (replicas, zones, ack) == expected:
        return
    if replicas != expected[0]:
        raise Wrong(f"{replicas!r} {noun(replicas, 'copy', 'copies')} is not it: the deck stores every table three times.")
    if zones != expected[1]:
        raise Wrong(f"{zones!r} {noun(zones, 'zone')} is not it: each of the copies sits in its own "
                    f"Availability Zone, so one zone can burn.")
    if ack == 3:
        raise Wrong("Waiting for all three would stop writes whenever one replica is slow "
                    "or down; the leader and one more replica are a majority.")
    raise Wrong(f"{ack!r} {noun(ack, 'replica')} is not it: a write is durable on a majority of the "
                f"three, the leader and one more.")


q1 = Exercise(
    "q1", "How many copies of each item does DynamoDB keep, in how many Availability "
          "Zones, and how many of those replicas must have a write before DynamoDB "
          "acknowledges it? Give a tuple of three numbers.",
    var="q1_copies",
    kind="recall",
    expected=(3, 3, 2),
    check=_check_copies,
    hints=["The deck: 'every table is stored three times, in three AZs'.",
           "For the acknowledgement, the 2022 USENIX ATC paper: the leader waits for a "
           "quorum of its replication group, a majority of the three."],
    solution="""
        q1_copies = (3, 3, 2)
    """,
    success="Two of three is a majority: any two majorities share a replica, which is "
            "why a new leader can always be one that has every acknowledged write.",
)


_WHY_NOT_STRONG = {
    "A": "A is a default GetItem: eventually consistent, any replica may answer it.",
    "C": "C is a default Query: eventually consistent, like every read that does not ask.",
    "E": "E reads a global secondary index, a copy kept up asynchronously: it refuses "
         "ConsistentRead altogether.",
}
_WHY_STRONG = {
    "B": "B asks for ConsistentRead=True: the leader answers.",
    "D": "D is a Query with ConsistentRead=True: the leader answers.",
    "F": "F is a transaction: TransactGetItems reads the committed state, from the leaders.",
}


def _check_strong(answer: Any, expected: set) -> None:
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise Wrong(f"Expected a set of letters such as {{'A', 'C'}}, got {answer!r}.")
    got = {str(x).strip().upper() for x in answer}
    unknown = sorted(got - set(READS))
    if unknown:
        raise Wrong(f"{unknown} are not reads of READS (A to F).")
    extra, missing = sorted(got - expected), sorted(expected - got)
    if extra:
        raise Wrong(_WHY_NOT_STRONG[extra[0]])
    if missing:
        raise Wrong(f"One more always sees the latest write. {_WHY_STRONG[missing[0]]}")


q2 = Exercise(
    "q2", "Which of the reads in READS always return the latest acknowledged write? "
          "Give the set of their letters.",
    var="q2_strong",
    kind="recall",
    expected=_STRONG,
    check=lambda answer, expected: _check_strong(answer, expected),
    hints=["Reads are eventually consistent unless you ask (ConsistentRead=True).",
           "A global secondary index is a separate table kept up asynchronously: it "
           "refuses ConsistentRead. Transactions read from the leaders."],
    solution="""
        q2_strong = {"B", "D", "F"}
    """,
    success="Strongly consistent reads go to the partition's leader; the others may be "
            "served by a replica that has not applied the last writes yet.",
)


def _check_units(answer: Any, expected: tuple) -> None:
    try:
        strong, eventual = answer
        strong, eventual = float(strong), float(eventual)
    except (TypeError, ValueError):
        raise Wrong(f"Expected a pair (strongly consistent RCU, eventually consistent RCU), "
                    f"got {answer!r}.") from None
    if (strong, eventual) == expected:
        return
    if (eventual, strong) == expected:
        raise Wrong("The two numbers are swapped: the strongly consistent read is the "
                    "dearer one.")
    if strong == expected[0]:
        raise Wrong(f"The strongly consistent read is right; an eventually consistent "
                    f"one costs half of it, {eventual!r} is not half.")
    raise Wrong(f"{strong!r} RCU is not it: divide the item's bytes by 4096 and round up.")


q3 = Exercise(
    "q3", "Without asking the service: how many read capacity units does a GetItem of "
          "profile() consume, strongly consistent and eventually consistent? Use "
          "item_bytes(item). Give a pair (strong, eventual).",
    var="q3_rcu",
    kind="arithmetic",
    expected=lambda: read_units(item_bytes(profile())),
    check=_check_units,
    hints=["One RCU reads up to 4 KB (4096 bytes) strongly consistent; the size "
           "rounds up.",
           "An eventually consistent read costs half as much."],
    solution="""
        units = math.ceil(item_bytes(profile()) / 4096)
        q3_rcu = (float(units), units / 2)
    """,
    success="Eventually consistent reads cost half: any of the three replicas may "
            "serve them, while a strongly consistent read needs the leader.",
)

def _check_request(answer: Any, expected: dict) -> None:
    if not isinstance(answer, dict):
        raise Wrong(f"Expected a dict of get_item's keyword arguments, got a "
                    f"{type(answer).__name__}.")
    if answer.get("TableName") != expected["TableName"]:
        raise Wrong(f"TableName should be {expected['TableName']!r}, the lesson's table.")
    key = answer.get("Key")
    if key == {"user": "ada"}:
        raise Wrong("That Key is the resource's form; the low-level client wants typed "
                    "values: {'user': {'S': 'ada'}}.")
    if key != expected["Key"]:
        raise Wrong(f"Key should name Ada's item, in the client's typed form; got {key!r}.")
    if answer.get("ConsistentRead") is not True:
        raise Wrong("Without ConsistentRead=True the read is eventually consistent: any of "
                    "the three replicas may answer, the lagging one too.")
    extra = sorted(set(answer) - set(expected) - {"ReturnConsumedCapacity",
                                                   "ProjectionExpression",
                                                   "ExpressionAttributeNames"})
    if extra:
        raise Wrong(f"{extra} are not needed here.")


q4 = Exercise(
    "q4", "Write the get_item request (a dict of keyword arguments for the low-level "
          "client) that always returns the latest acknowledged version of Ada's profile.",
    var="q4_request",
    kind="code",
    expected={"TableName": "Profiles", "Key": {"user": {"S": "ada"}}, "ConsistentRead": True},
    check=_check_request,
    hints=["Only the leader is sure to have every acknowledged write; section 2 says how "
           "a read asks for it.",
           "The low-level client takes typed values ({'S': ...}); the flag is one of "
           "GetItem's parameters, and section 2's cell uses it with the resource."],
    solution="""
        q4_request = {"TableName": "Profiles", "Key": {"user": {"S": "ada"}},
                      "ConsistentRead": True}
    """,
    success="A strongly consistent read: the leader answers, at twice the price.",
)

exercises = ExerciseSet("Lesson 13 exercises", [q1, q2, q3, q4])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"math": math, "item_bytes": item_bytes, "profile": profile, "READS": READS}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {
    "q1": [(3, 3, 3), (3, 1, 2), (2, 2, 1)],
    "q2": [{"A", "B", "C", "D", "E", "F"}, {"B", "D"}, {"B", "D", "E", "F"}],
    "q3": [(1.0, 2.0), (2.0, 2.0), (1.0, 0.5)],
    "q4": [{"TableName": "Profiles", "Key": {"user": {"S": "ada"}}},
           {"TableName": "Profiles", "Key": {"user": "ada"}, "ConsistentRead": True}],
}
