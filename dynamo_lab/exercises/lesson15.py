"""Exercises of lesson 15, "Capacity units and partitions" (the DynamoDB deck).

Every answer follows from the deck's arithmetic (1 RCU reads 4 KB strongly
consistent, half that eventually; 1 WCU writes 1 KB; sizes round up per item;
partitions = max(ceil(RCU/3000 + WCU/1000), ceil(size/10 GB)), throughput and
data divided evenly), never from one endpoint's reply, so the lesson is
judged alike on the lab and elsewhere.

Examples
--------
>>> item_bytes(item_of_size("small", 1228))
1228
>>> q1.check(1000)
q1: not quite. 1,000 RCU is the strongly consistent price; eventually consistent reads cost half.
>>> q2.evaluate(3).status, q3.evaluate((1500, 500, 4)).status
('correct', 'correct')
"""
from __future__ import annotations

import math
from typing import Any

from ..dynamodb.capacity.throughput import rcu_for
from ..dynamodb.partitions.partitioning import GB, KB, partitions_needed
from ..errors import ArgumentError
from ..text import noun, plural
from .core import Exercise, ExerciseSet, Wrong, as_number
from .lesson11 import drop_lesson_tables as _drop
from .lesson11 import low_level

__all__ = ["q1", "q2", "q3", "q4", "exercises", "progress", "TABLES", "item_bytes", "item_of_size",
           "drop_lesson_tables", "solution_namespace", "WRONG", "Q1_ITEM_KB", "Q1_READS",
           "Q2_TABLE"]

#: The tables the lesson makes; its setup cell drops them, so it can run again.
TABLES = ("Sizes", "Slide", "Growing")

#: q1: items of this many KB, read this many times a second, eventually consistent.
Q1_ITEM_KB, Q1_READS = 6.5, 500
#: q2 and q3: the table (RCU, WCU, size in GB).
Q2_TABLE = (4500, 1500, 12)


def drop_lesson_tables(client: Any) -> list:
    """Delete this lesson's tables where they exist (any backend), so that the
    lesson can run again from the top; returns the names deleted."""
    return _drop(client, TABLES)


def item_bytes(item: dict) -> int:
    """DynamoDB's size of ``item`` (resource form): attribute names plus
    values, by the developer guide's rules (via the lab's size module).

    >>> from decimal import Decimal
    >>> item_bytes({"id": "a", "n": Decimal(7)})    # "id"+"a" = 3, "n" + a number = 3
    6
    """
    from ..dynamodb.model.size import item_size
    return item_size(low_level(item))


def item_of_size(key: str, size_bytes: int) -> dict:
    """An item ``{"id": key, "pad": "xxx..."}`` of exactly ``size_bytes`` bytes
    as DynamoDB counts them (names plus values, a string by its UTF-8 length).

    >>> item = item_of_size("large", int(4.5 * KB))
    >>> item_bytes(item), len(item["pad"])
    (4608, 4598)
    """
    pad = size_bytes - len("id") - len(key.encode()) - len("pad")
    if pad < 0:
        raise ArgumentError(f"{size_bytes} bytes is too small for key {key!r}")
    return {"id": key, "pad": "x" * pad}


# -- q1: read capacity units --------------------------------------------------------
def _q1_expected() -> dict:
    size = Q1_ITEM_KB * KB
    return {"right": rcu_for(size, Q1_READS, consistent=False),
            "strong": rcu_for(size, Q1_READS),
            "unrounded": Q1_ITEM_KB / 4 * Q1_READS / 2,
            "unrounded_strong": Q1_ITEM_KB / 4 * Q1_READS}


def _check_q1(answer: Any, expected: dict) -> None:
    got = as_number(answer, "RCU")
    if math.isclose(got, expected["right"]):
        return
    if math.isclose(got, expected["strong"]):
        raise Wrong(f"{got:,.0f} RCU is the strongly consistent price; eventually "
                    f"consistent reads cost half.")
    for k in ("unrounded", "unrounded_strong"):
        if abs(got - expected[k]) < 1:
            raise Wrong(f"{Q1_ITEM_KB}/4 = {Q1_ITEM_KB / 4} is not a whole number of units: "
                        f"each read rounds its item up to the next 4 KB first.")
    raise Wrong(f"{answer!r} RCU is not it: units per read (4 KB steps, rounded up), "
                f"halved for eventual consistency, times {Q1_READS} reads a second.")


q1 = Exercise(
    "q1", f"Items of {Q1_ITEM_KB} KB are read {Q1_READS} times a second, eventually "
          f"consistent. How many RCU must the table provision?",
    var="q1_rcu",
    kind="arithmetic",
    expected=_q1_expected,
    check=_check_q1,
    hints=["First the units of ONE read: the item's size in 4 KB steps, rounded up.",
           "An eventually consistent read costs half of a strongly consistent one; then "
           "multiply by the reads per second."],
    solution=f"""
        units_per_read = math.ceil({Q1_ITEM_KB} / 4)       # 4 KB steps, rounded up: 2
        q1_rcu = units_per_read / 2 * {Q1_READS}            # eventually consistent: half
    """,
    success="Round per item first, then halve for eventual consistency, then multiply.",
)


# -- q2 and q3: partitions ----------------------------------------------------------
def _plan():
    rcu, wcu, gb = Q2_TABLE
    return partitions_needed(rcu, wcu, gb * GB)


def _q2_expected() -> dict:
    rcu, wcu, gb = Q2_TABLE
    plan = _plan()
    return {"right": plan.count, "each_up": math.ceil(rcu / 3000) + math.ceil(wcu / 1000),
            "size": plan.for_size, "sum": plan.for_throughput + plan.for_size}


def _check_q2(answer: Any, expected: dict) -> None:
    got = as_number(answer, "partitions")
    if got == expected["right"]:
        return
    if got == expected["each_up"]:
        raise Wrong("You rounded RCU/3000 and WCU/1000 up one by one; add them first, then "
                    "round up once.")
    if got == expected["size"]:
        raise Wrong("That is only the count for size; the table needs the larger of the "
                    "counts for throughput and for size.")
    if got == expected["sum"]:
        raise Wrong("The two counts are not added: the table takes the larger of them.")
    raise Wrong(f"{answer!r} {noun(answer, 'partition')} is not it: ceil(RCU/3000 + WCU/1000) for "
                f"throughput, ceil(size/10 GB) for size, then the larger.")


q2 = Exercise(
    "q2", f"A table of {Q2_TABLE[2]} GB with {Q2_TABLE[0]:,} RCU and {Q2_TABLE[1]:,} WCU: "
          f"how many partitions does the deck's formula give it?",
    var="q2_partitions",
    kind="arithmetic",
    expected=_q2_expected,
    check=_check_q2,
    hints=["For throughput: RCU/3000 + WCU/1000, rounded up once. For size: size / 10 GB, "
           "rounded up.",
           "The table takes the larger of the two."],
    solution=f"""
        for_throughput = math.ceil({Q2_TABLE[0]} / 3000 + {Q2_TABLE[1]} / 1000)
        for_size = math.ceil({Q2_TABLE[2]} / 10)
        q2_partitions = max(for_throughput, for_size)
    """,
    success="The larger of the two counts; here throughput decides.",
)


def _q3_expected() -> dict:
    rcu, wcu, gb = Q2_TABLE
    plan = _plan()
    n = plan.count
    return {"right": (rcu / n, wcu / n, gb / n), "whole": (rcu, wcu, gb),
            "by_size": tuple(x / plan.for_size for x in (rcu, wcu, gb))}


def _check_q3(answer: Any, expected: dict) -> None:
    if isinstance(answer, (str, bytes, dict)) or not hasattr(answer, "__len__"):
        raise Wrong(f"Expected three numbers (RCU, WCU, GB), got a "
                    f"{type(answer).__name__}: {answer!r}.")
    if len(answer) != 3:
        raise Wrong(f"Expected three numbers (RCU, WCU, GB), got {len(answer)} of them.")
    got = tuple(as_number(x, "RCU, WCU or GB") for x in answer)

    def same(a, b):
        return all(math.isclose(x, y, rel_tol=1e-3) for x, y in zip(a, b))
    if same(got, expected["right"]):
        return
    if same(got, expected["whole"]):
        raise Wrong("Those are the whole table's numbers; each partition gets an even share.")
    if same(got, expected["by_size"]):
        raise Wrong("You divided by the partitions for size; divide by the table's partition "
                    "count (q2).")
    wrong = [name for name, g, e in zip(("RCU", "WCU", "GB"), got, expected["right"])
             if not math.isclose(g, e, rel_tol=1e-3)]
    raise Wrong(f"The {' and '.join(wrong)} per partition is not it: divide the table's "
                f"figure by its number of partitions.")


q3 = Exercise(
    "q3", "For the same table: what does each partition get? Give (RCU, WCU, GB).",
    var="q3_share",
    kind="arithmetic",
    expected=_q3_expected,
    check=_check_q3,
    hints=["Throughput and data are divided evenly among the partitions.",
           "Divide RCU, WCU and the size by the count of q2."],
    solution=f"""
        n = max(math.ceil({Q2_TABLE[0]} / 3000 + {Q2_TABLE[1]} / 1000), math.ceil({Q2_TABLE[2]} / 10))
        q3_share = ({Q2_TABLE[0]} / n, {Q2_TABLE[1]} / n, {Q2_TABLE[2]} / n)
    """,
    success="A key's traffic meets one partition's share, not the table's.",
)

def deck_partitions(size_gb: float, rcu: float, wcu: float) -> int:
    """The deck's number of partitions: throughput and size, each rounded up
    once, the larger of the two.

    >>> deck_partitions(8, 5000, 500), deck_partitions(12, 4500, 1500)
    (3, 3)
    """
    return max(math.ceil(rcu / 3000 + wcu / 1000), math.ceil(size_gb / 10))


#: The tables q4's check tries: (size_gb, rcu, wcu).
Q4_CASES = [(8, 5000, 500), (12, 4500, 1500), (1, 3000, 0), (25, 1000, 100),
            (10.5, 100, 100), (2, 2000, 900)]


def _check_formula(answer: Any, expected: Any) -> None:
    if not callable(answer):
        raise Wrong(f"Expected a function q4_partitions(size_gb, rcu, wcu), got a "
                    f"{type(answer).__name__}: {answer!r}.")
    for case in Q4_CASES:
        size, rcu, wcu = case
        try:
            got = answer(size, rcu, wcu)
        except Exception as e:  # noqa: BLE001 - the learner's code
            raise Wrong(f"q4_partitions{case} raised {type(e).__name__}: {e}.") from None
        want = deck_partitions(size, rcu, wcu)
        if got == want:
            continue
        if got == math.ceil(rcu / 3000) + math.ceil(wcu / 1000):
            raise Wrong(f"For {case}: {got!r}. You rounded the reads and the writes up "
                        f"separately; the deck adds RCU/3000 + WCU/1000 and rounds up once.")
        if got == math.ceil(rcu / 3000 + wcu / 1000) + math.ceil(size / 10):
            raise Wrong(f"For {case}: {got!r}. You added the partitions for throughput and "
                        f"for size; the table takes the larger of the two.")
        if got == math.ceil(rcu / 3000 + wcu / 1000):
            raise Wrong(f"For {case}: {got!r}, the partitions for throughput only; a "
                        f"table also needs one partition per 10 GB.")
        raise Wrong(f"For {case} the deck gives {plural(want, 'partition')}; yours gives {got!r}.")


q4 = Exercise(
    "q4", "Write q4_partitions(size_gb, rcu, wcu): the deck's number of partitions "
          "for a table.",
    var="q4_partitions",
    kind="code",
    expected=None,
    check=_check_formula,
    hints=["The deck: partitions for throughput = RCU/3000 + WCU/1000 rounded up; for "
           "size = size / 10 GB rounded up; the table takes the larger.",
           "Round up with math.ceil, once per rule; q2 is the same formula with numbers."],
    solution="""
        def q4_partitions(size_gb, rcu, wcu):
            for_throughput = math.ceil(rcu / 3000 + wcu / 1000)
            for_size = math.ceil(size_gb / 10)
            return max(for_throughput, for_size)
    """,
    success="The deck's model in three lines; AWS no longer documents it (next cell).",
)

exercises = ExerciseSet("Lesson 15 exercises", [q1, q2, q3, q4])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"math": math, "KB": KB, "GB": GB, "rcu_for": rcu_for,
            "partitions_needed": partitions_needed}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {
    "q1": [1000, 406.25, "500"],
    "q2": [4, 2, 5],
    "q3": [(4500, 1500, 12), (2250, 750, 6), 1500],
    "q4": ["3",
           lambda size_gb, rcu, wcu: math.ceil(rcu / 3000) + math.ceil(wcu / 1000),
           lambda size_gb, rcu, wcu: math.ceil(rcu / 3000 + wcu / 1000) + math.ceil(size_gb / 10),
           lambda size_gb, rcu, wcu: math.ceil(rcu / 3000 + wcu / 1000)],
}
