"""Exercises of lesson 12, "Partition and sort keys, and Query" (the DynamoDB deck).

The lesson's Orders table is built from :func:`orders`; the checkers derive
every expected answer from that data and DynamoDB's documented rules (sort
order, Count against ScannedCount, the 4 KB read unit), never from one
endpoint's reply, so the lesson is judged alike on the lab and elsewhere.

Examples
--------
>>> len(orders()), [o["order"] for o in orders() if o["customer"] == "Customer#3"]
(21, ['Order#0001', 'Order#0002', 'Order#0003', 'Order#0004', 'Order#0005'])
>>> q1.check(["Order#0002", "Order#0003", "Order#0004"])
q1: not quite. The right orders, in the wrong order: ScanIndexForward=False gives the sort key descending.
>>> q3.evaluate(query_rcu("Customer#1", consistent=True)).status
'correct'
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from .core import Exercise, ExerciseSet, Wrong, as_number, known_mistake
from .lesson11 import drop_lesson_tables as _drop
from .lesson11 import low_level

__all__ = ["q1", "q2", "q3", "exercises", "progress", "TABLES", "CUSTOMERS", "orders",
           "item_bytes", "query_rcu", "drop_lesson_tables", "solution_namespace", "WRONG"]

#: The tables the lesson makes; its setup cell drops them, so it can run again.
TABLES = ("HashDemo", "Orders")
#: Orders per customer.
CUSTOMERS = {"Customer#1": 12, "Customer#2": 4, "Customer#3": 5}
_PRODUCTS = ("book", "lamp", "mug", "desk", "chair", "pen", "kettle")
#: Every order carries a receipt of this many characters, so that sizes add up
#: to a few KB and the 4 KB read unit shows.
RECEIPT = 1000


def drop_lesson_tables(client: Any) -> list:
    """Delete this lesson's tables where they exist (any backend), so that the
    lesson can run again from the top; returns the names deleted."""
    return _drop(client, TABLES)


def orders() -> list[dict]:
    """The lesson's Orders items, as the resource API takes them.

    >>> orders()[0]["amount"], orders()[0]["item"]
    (Decimal('57'), 'book')
    """
    out = []
    n = 0
    for c, count in CUSTOMERS.items():
        for o in range(1, count + 1):
            n += 1
            out.append({"customer": c, "order": f"Order#{o:04d}",
                        "item": _PRODUCTS[n % len(_PRODUCTS) - 1],
                        "amount": Decimal(20 + (n * 37) % 160),
                        "receipt": ("Thank you for your order. " * 40)[:RECEIPT]})
    return out


def item_bytes(item: dict) -> int:
    """DynamoDB's size of ``item`` (resource form): names plus values, by the
    developer guide's rules (via the lab's size module).

    >>> item_bytes({"a": "xy"})
    3
    """
    from ..dynamodb.model.size import item_size
    return item_size(low_level(item))


def _rcu(total_bytes: int, consistent: bool) -> float:
    units = math.ceil(total_bytes / 4096)
    return float(units) if consistent else units / 2


def query_rcu(customer: str, consistent: bool = False) -> float:
    """Read units a Query of all of ``customer``'s orders consumes: the sizes
    of the items read are summed, then rounded up to 4 KB once."""
    return _rcu(sum(item_bytes(o) for o in orders() if o["customer"] == customer),
                consistent)


def _between_desc() -> list:
    return [o["order"] for o in reversed(orders()) if o["customer"] == "Customer#2"
            and "Order#0002" <= o["order"] <= "Order#0004"]


def _check_orders(answer: Any, expected: list) -> None:
    if isinstance(answer, (str, bytes, dict)) or not hasattr(answer, "__iter__"):
        raise Wrong(f"Expected a list of order keys like ['Order#0004', ...], got a "
                    f"{type(answer).__name__}: {answer!r}.")
    got = list(answer)
    if got and isinstance(got[0], dict):
        raise Wrong("Those are whole items; keep only each item's 'order'.")
    if got == expected:
        return
    extra = [x for x in got if x not in expected]
    missing = [x for x in expected if x not in got]
    if extra:
        raise Wrong(f"{extra!r} should not be there: between is inclusive at both ends, "
                    f"and no wider.")
    if missing:
        raise Wrong(f"{missing!r} is missing: between includes both of its bounds.")
    raise Wrong("The right orders, in the wrong order: ScanIndexForward=False gives the "
                "sort key descending.")


q1 = Exercise(
    "q1", "Customer#2's orders from Order#0002 to Order#0004 (both included), newest "
          "first: give the list of their order keys.",
    var="q1_orders",
    kind="code",
    expected=_between_desc,
    check=_check_orders,
    hints=["Key('customer').eq('Customer#2') & Key('order').between(low, high).",
           "ScanIndexForward=False reverses the sort-key order."],
    solution="""
        got = orders_table.query(
            KeyConditionExpression=Key("customer").eq("Customer#2")
            & Key("order").between("Order#0002", "Order#0004"),
            ScanIndexForward=False)
        q1_orders = [item["order"] for item in got["Items"]]
    """,
    success="One partition, one contiguous run of the sorted sort keys, read backwards.",
)


def _counts() -> tuple:
    mine = [o for o in orders() if o["customer"] == "Customer#1"]
    return (sum(o["amount"] >= 100 for o in mine), len(mine))


def _check_counts(answer: Any, expected: tuple) -> None:
    if isinstance(answer, dict):
        raise Wrong("Give a pair (Count, ScannedCount), e.g. (got['Count'], "
                    "got['ScannedCount']), not the whole response.")
    try:
        count, scanned = answer
    except (TypeError, ValueError):
        raise Wrong(f"Expected a pair (Count, ScannedCount), got {answer!r}.") from None
    if (count, scanned) == expected:
        return
    if (scanned, count) == expected:
        raise Wrong("The two numbers are swapped: Count comes after the filter, "
                    "ScannedCount before it.")
    if scanned != expected[1]:
        raise Wrong(f"ScannedCount {scanned!r} is not it: the key condition matches all "
                    f"of Customer#1's orders, and a filter does not change what is read.")
    raise Wrong(f"Count {count!r} is not it: Count is the number of items that pass "
                f"the filter.")


q2 = Exercise(
    "q2", "Query Customer#1 with FilterExpression Attr('amount').gte(100) and "
          "Select='COUNT'. Give the pair (Count, ScannedCount).",
    var="q2_counts",
    kind="code",
    expected=_counts,
    check=_check_counts,
    hints=["The filter runs after the items are read, on the items the key condition "
           "selected: Count is after the filter, ScannedCount before it.",
           "Section 5's cell makes the same call with another filter; the response "
           "holds both numbers."],
    solution="""
        got = orders_table.query(KeyConditionExpression=Key("customer").eq("Customer#1"),
                                 FilterExpression=Attr("amount").gte(100), Select="COUNT")
        q2_counts = (got["Count"], got["ScannedCount"])
    """,
    success="You pay for ScannedCount: the filter saves bandwidth, not read capacity.",
)


def _rcu_expected() -> dict:
    mine = [item_bytes(o) for o in orders() if o["customer"] == "Customer#1"]
    return {"right": _rcu(sum(mine), True),
            "per_item": float(sum(math.ceil(b / 4096) for b in mine)),
            "eventual": _rcu(sum(mine), False)}


def _check_rcu(answer: Any, expected: dict) -> None:
    got = as_number(answer, "read capacity units")
    if math.isclose(got, expected["right"]):
        return
    known_mistake(got, expected, {
        "per_item": "That rounds each item up to 4 KB, as GetItem does; Query and Scan "
                    "sum the sizes of all the items they read and round once.",
        "eventual": "That is the eventually consistent price; a strongly consistent read "
                    "costs twice as much."})
    raise Wrong(f"{answer!r} read units is not it: sum item_bytes over the items, "
                f"divide by 4096, round up.")


q3 = Exercise(
    "q3", "Without asking the service: how many read capacity units does a strongly "
          "consistent Query of all of Customer#1's orders consume? Use item_bytes(item) "
          "for each item's size.",
    var="q3_rcu",
    kind="arithmetic",
    predict_first=True,
    shown_as=["4.0", "4 units"],
    expected=_rcu_expected,
    check=_check_rcu,
    hints=["A Query adds up the sizes of the items it reads, then rounds up to a "
           "multiple of 4 KB (4096 bytes) once.",
           "One 4 KB unit is 1 RCU strongly consistent (0.5 eventually consistent)."],
    solution="""
        mine = orders_table.query(KeyConditionExpression=Key("customer").eq("Customer#1"))["Items"]
        q3_rcu = math.ceil(sum(item_bytes(i) for i in mine) / 4096) * 1.0
    """,
    success="Reading many small items with one Query is far cheaper than one GetItem each.",
)

exercises = ExerciseSet("Lesson 12 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests): a
    fresh lab service holding the Orders table."""
    from boto3.dynamodb.conditions import Attr, Key

    from ..dynamodb.service import DynamoDB
    svc = DynamoDB(seed=12)
    client, dynamodb = svc.client(), svc.resource()
    client.create_table(TableName="Orders", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
                                   {"AttributeName": "order", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                                              {"AttributeName": "order", "AttributeType": "S"}])
    client.get_waiter("table_exists").wait(TableName="Orders")
    table = dynamodb.Table("Orders")
    with table.batch_writer() as w:
        for o in orders():
            w.put_item(Item=o)
    return {"client": client, "orders_table": table, "Key": Key, "Attr": Attr,
            "math": math, "item_bytes": item_bytes}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {
    "q1": [["Order#0002", "Order#0003", "Order#0004"], ["Order#0004", "Order#0003"],
           "Order#0004"],
    "q2": [(12, 12), (12, 4), 4],
    "q3": [12.0, 2.0, "4"],
}
