"""Exercises of lesson 14, "Secondary indexes" (the DynamoDB deck).

The lesson's Orders table is built from :func:`orders`. Every expected
answer follows from that data and DynamoDB's documented rules (what a sparse
index holds, how many index writes a change costs, what each kind of index
allows), never from one endpoint's reply, so the lesson is judged alike on
the lab and on any DynamoDB-compatible endpoint.

Examples
--------
>>> len(orders()), sum("unshipped" in o for o in orders())
(24, 8)
>>> q2.check([1, 0, 1, 1, 1])
q2: not quite. Change (d) moves the entry to another index key: that is two writes, the delete of the old entry and the put of the new one.
>>> q3.evaluate({"a": "LSI", "b": "GSI", "c": "GSI", "d": "LSI"}).status
'correct'
"""
from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from .core import Exercise, ExerciseSet, Wrong
from .lesson11 import drop_lesson_tables as _drop

__all__ = ["q1", "q2", "q3", "exercises", "progress", "TABLES", "CUSTOMERS", "PRODUCTS",
           "SHIPPED", "orders", "unshipped_after_lesson", "pause", "wait_for_index",
           "drop_lesson_tables", "solution_namespace", "WRONG", "CHANGES"]

#: The tables the lesson makes; its setup cell drops them, so it can run again.
TABLES = ("Orders", "Backpressure")
CUSTOMERS = ("Customer#1", "Customer#2", "Customer#3")
PRODUCTS = ("book", "lamp", "mug", "desk")
#: The order the lesson ships (its ``unshipped`` attribute is removed).
SHIPPED = {"customer": "Customer#1", "order": "Order#0003"}


def drop_lesson_tables(client: Any) -> list:
    """Delete this lesson's tables where they exist (any backend), so that the
    lesson can run again from the top; returns the names deleted."""
    return _drop(client, TABLES)


def orders() -> list[dict]:
    """The lesson's Orders items, as the resource API takes them: 8 orders of
    each of 3 customers; every third order is not shipped yet and names the
    warehouse holding it (``unshipped``); the others have no such attribute.

    >>> o = orders()[2]
    >>> o["order"], o["product"], o["date"], o["unshipped"]
    ('Order#0003', 'mug', '2026-01-06', 'Tokyo')
    """
    out = []
    n = 0
    for c in CUSTOMERS:
        for k in range(1, 9):
            n += 1
            o = {"customer": c, "order": f"Order#{k:04d}",
                 "date": f"2026-01-{(n * 11) % 28 + 1:02d}",
                 "product": PRODUCTS[n % len(PRODUCTS) - 1],
                 "amount": Decimal(10 + (n * 37) % 90),
                 "note": "gift" if n % 5 == 0 else "-"}
            if n % 3 == 0:
                o["unshipped"] = ("Osaka", "Tokyo")[n % 2]
            out.append(o)
    return out


def unshipped_after_lesson() -> list[dict]:
    """The orders still unshipped once the lesson shipped :data:`SHIPPED`."""
    return [o for o in orders() if "unshipped" in o
            and {k: o[k] for k in SHIPPED} != SHIPPED]


def pause(seconds: float) -> None:
    """Let ``seconds`` pass: on the lab's in-process service, in virtual time
    (background work such as GSI propagation runs); elsewhere, on the clock."""
    from ..dynamodb import backend
    if backend.endpoint() is None:
        backend.service().run(ms=int(seconds * 1000))
    else:
        time.sleep(seconds)


def wait_for_index(client: Any, table: str, index: str, timeout_s: int = 120) -> list:
    """Poll DescribeTable a second apart until GSI ``index`` is ACTIVE; return
    the ``(IndexStatus, Backfilling)`` states seen, in order, each once."""
    seen: list = []
    for _ in range(timeout_s):
        desc = client.describe_table(TableName=table)["Table"]
        gsi = next(g for g in desc.get("GlobalSecondaryIndexes", ()) if g["IndexName"] == index)
        state = (gsi["IndexStatus"], gsi.get("Backfilling"))
        if not seen or seen[-1] != state:
            seen.append(state)
        if gsi["IndexStatus"] == "ACTIVE":
            return seen
        pause(1)
    raise TimeoutError(f"index {index} of {table} not ACTIVE after {timeout_s} s: {seen}")


# -- q1: the sparse index -----------------------------------------------------
def _check_count(answer: Any, expected: int) -> None:
    if isinstance(answer, dict):
        raise Wrong("Give a number (e.g. got['Count']), not the whole response.")
    if isinstance(answer, bool) or not isinstance(answer, (int, Decimal)):
        raise Wrong(f"Expected a number of items, got a {type(answer).__name__}: {answer!r}.")
    if answer == expected:
        return
    if answer == len(orders()):
        raise Wrong("That is every order in the table. A sparse index holds only the items "
                    "that carry its key attribute.")
    if answer == expected + 1:
        raise Wrong("One too many: the order shipped above lost its 'unshipped' attribute, "
                    "so it left the index.")
    raise Wrong(f"{answer!r} is not it: count the items of the index itself (a Scan of "
                f"the index with Select='COUNT').")


q1 = Exercise(
    "q1", "How many items does the sparse index Unshipped hold now, after the lesson "
          "shipped Customer#1's Order#0003?",
    var="q1_unshipped",
    kind="code",
    expected=lambda: len(unshipped_after_lesson()),
    check=_check_count,
    hints=["An item is in a sparse index only if it has the index's key attribute; "
           "an index can be read like a table.",
           "Scan and Query take IndexName; Select='COUNT' returns the number of items "
           "instead of the items."],
    solution="""
        q1_unshipped = client.scan(TableName="Orders", IndexName="Unshipped",
                                   Select="COUNT")["Count"]
    """,
    success="The index is small because most items are not in it: a sparse index is a "
            "cheap list of the few items that need attention.",
)


# -- q2: index writes ------------------------------------------------------------
#: The five changes of q2, made to the table with the GSI ByProduct
#: (key product + date, projecting amount).
CHANGES = (
    ("a", "PutItem of a new order that has a product and a date"),
    ("b", "UpdateItem that changes the order's note (not projected into ByProduct)"),
    ("c", "UpdateItem that changes the order's amount (projected into ByProduct)"),
    ("d", "UpdateItem that changes the order's product"),
    ("e", "DeleteItem of the order"),
)
_WRITES = [1, 0, 1, 2, 1]
_WHY = {
    "a": "the new item enters the index: one write, the put.",
    "b": "nothing the index holds changes, so the index is not written at all.",
    "c": "the entry stays under the same key, with a new projected value: one write.",
    "d": "moves the entry to another index key: that is two writes, the delete of the old "
         "entry and the put of the new one.",
    "e": "the entry leaves the index: one write, the delete.",
}


def _check_writes(answer: Any, expected: list) -> None:
    if isinstance(answer, (str, bytes, dict)) or not hasattr(answer, "__iter__"):
        raise Wrong(f"Expected a list of five numbers, one per change (a) to (e), got "
                    f"{answer!r}.")
    got = list(answer)
    if len(got) != len(expected):
        raise Wrong(f"Expected five numbers, one per change (a) to (e); got {len(got)}.")
    for (name, _), g, want in zip(CHANGES, got, expected):
        if g != want:
            raise Wrong(f"Change ({name}) {_WHY[name]}")


q2 = Exercise(
    "q2", "Five changes to one order, in turn: (a) to (e) of CHANGES. How many writes does "
          "each cost the GSI ByProduct? Give a list of five numbers.",
    var="q2_writes",
    kind="arithmetic",
    expected=lambda: list(_WRITES),
    check=_check_writes,
    hints=["An index is written only when what it holds changes: its entry appears, "
           "disappears, moves, or a projected attribute changes.",
           "A change of an index key attribute is a delete of the old entry plus a put of "
           "the new one."],
    solution="""
        q2_writes = [1, 0, 1, 2, 1]
    """,
    success="Every GSI multiplies the cost of the writes that touch it; project only what "
            "the queries need, and key changes cost double.",
)


# -- q3: LSI or GSI -------------------------------------------------------------
QUESTIONS = (
    ("a", "read one customer's orders by date with a strongly consistent read"),
    ("b", "find every order of one product, across all customers"),
    ("c", "add an index to the existing Orders table today"),
    ("d", "use the table's own provisioned throughput, not a throughput of its own"),
)
_KIND = {"a": "LSI", "b": "GSI", "c": "GSI", "d": "LSI"}
_REASON = {
    "a": "only a local secondary index offers strongly consistent reads; a GSI is "
         "eventually consistent only.",
    "b": "the partition key changes (product, not customer): that takes a global index; "
         "a local one keeps the table's partition key.",
    "c": "local secondary indexes are defined with the table, at CreateTable; only a GSI "
         "can be added (or deleted) later, with UpdateTable.",
    "d": "an LSI lives in the table's partitions and shares its capacity; a GSI has a "
         "throughput of its own.",
}


def _check_kinds(answer: Any, expected: dict) -> None:
    if not isinstance(answer, dict):
        raise Wrong("Expected a dict like {'a': 'LSI', 'b': 'GSI', ...}, one entry per "
                    "question.")
    if set(answer) != set(expected):
        raise Wrong(f"Answer each of {sorted(expected)}, no more; got {sorted(answer)}.")
    for k in sorted(expected):
        v = str(answer[k]).upper()
        if v not in ("LSI", "GSI"):
            raise Wrong(f"({k}): answer 'LSI' or 'GSI', not {answer[k]!r}.")
        if v != expected[k]:
            raise Wrong(f"({k}): {_REASON[k]}")


q3 = Exercise(
    "q3", "For each need (a) to (d) of QUESTIONS, which kind of index meets it: 'LSI' or "
          "'GSI'? Give a dict.",
    var="q3_kinds",
    kind="recall",
    expected=lambda: dict(_KIND),
    check=_check_kinds,
    hints=["Local: same partition key as the table, another sort key, made with the table, "
           "in the table's partitions.",
           "Global: any key, added any time, partitions and throughput of its own, "
           "eventually consistent."],
    solution="""
        q3_kinds = {"a": "LSI", "b": "GSI", "c": "GSI", "d": "LSI"}
    """,
    success="Local indexes buy consistency and share the table; global indexes buy "
            "freedom of key and pay with eventual consistency and their own capacity.",
)

exercises = ExerciseSet("Lesson 14 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests): a
    fresh lab service holding the Orders table, with the lesson's order
    shipped."""
    from ..dynamodb.service import DynamoDB
    svc = DynamoDB(seed=14)
    client = svc.client()
    client.create_table(
        TableName="Orders", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
                   {"AttributeName": "order", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("customer", "order", "unshipped")],
        GlobalSecondaryIndexes=[{"IndexName": "Unshipped", "Projection": {
            "ProjectionType": "KEYS_ONLY"}, "KeySchema": [
                {"AttributeName": "unshipped", "KeyType": "HASH"},
                {"AttributeName": "order", "KeyType": "RANGE"}]}])
    client.get_waiter("table_exists").wait(TableName="Orders")
    table = svc.resource().Table("Orders")
    with table.batch_writer() as w:
        for o in orders():
            w.put_item(Item=o)
    table.update_item(Key=SHIPPED, UpdateExpression="REMOVE unshipped")
    return {"client": client, "orders_table": table, "pause": pause}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {
    "q1": [24, 8, "7"],
    "q2": [[1, 1, 1, 2, 1], [1, 0, 1, 1, 1], 5],
    "q3": [{"a": "GSI", "b": "GSI", "c": "GSI", "d": "LSI"},
           {"a": "LSI", "b": "LSI", "c": "GSI", "d": "LSI"}, "LSI"],
}
