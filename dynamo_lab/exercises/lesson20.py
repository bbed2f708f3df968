"""Exercises of lesson 20, "NoSQL vs RDB" (the DynamoDB deck).

One shop, two designs. :func:`orders`, :data:`CUSTOMERS`, :data:`PRODUCTS`
and :data:`CARTS` are the facts; :func:`shop_items` lays them out as one
DynamoDB table (single-table design: the customer's profile, cart lines,
orders and order lines share the partition key ``CUST#<id>``, told apart by
a composite sort key; order lines carry ``GSI1PK``/``GSI1SK`` for the
inverted index ``ByProduct``); :data:`SQL_SCHEMA` and :func:`load_sqlite`
lay them out as normalized SQLite tables with indexes. Every expected answer
comes from these facts and DynamoDB's documented rules, never from one
endpoint's reply, so the lesson is judged alike on the lab and on moto.

Examples
--------
>>> [o["order"] for o in orders() if o["customer"] == "C3"]
['O0004', 'O0008', 'O0012']
>>> q1.check(["O0005", "O0007", "O0009"])
q1: not quite. The right orders, in the wrong order: ScanIndexForward=False gives the sort key descending (newest first).
>>> q2.evaluate((len(lines_with("lamp")), 1)).status
'correct'
>>> scan_rcu(shop_items()) == scan_rcu(shop_items(after_lesson=True))
True
"""
from __future__ import annotations

import math
import sqlite3
from decimal import Decimal
from typing import Any

from .core import Exercise, ExerciseSet, Wrong, as_number, known_mistake
from .lesson11 import drop_lesson_tables as _drop
from .lesson12 import item_bytes

__all__ = ["q1", "q2", "q3", "exercises", "progress", "TABLES", "CUSTOMERS", "PRODUCTS",
           "CARTS", "ADDRESSES", "DESCRIPTION", "ADDED", "PRICE_FIX", "SQL_SCHEMA", "orders", "lines_with", "shop_items",
           "order_sk", "load_sqlite", "plan", "units", "scan_rcu", "item_bytes",
           "drop_lesson_tables", "solution_namespace", "WRONG"]

#: The tables the lesson makes; its setup cell drops them, so it can run again.
TABLES = ("Shop",)
#: Customer id -> name.
CUSTOMERS = {"C1": "Ana", "C2": "Ben", "C3": "Cleo"}
#: Customer id -> shipping address (copied onto each order in the single table).
ADDRESSES = {"C1": "12 Rue des Lilas, 69003 Lyon, France",
             "C2": "4 Harbour Road, Galway H91, Ireland",
             "C3": "Calle Mayor 20, 28013 Madrid, Spain"}
#: Every product carries a description of this many characters, so that
#: sizes add up to a few KB and the 4 KB read unit shows.
DESCRIPTION = 600
#: Product id -> unit price.
PRODUCTS = {"book": Decimal("12.50"), "lamp": Decimal("40.00"), "mug": Decimal("8.00"),
            "pen": Decimal("2.00"), "kettle": Decimal("30.00")}
#: Open carts: customer -> {product: quantity}.
CARTS = {"C1": {"lamp": 1, "pen": 3}, "C2": {"book": 1}}
#: The line the lesson adds to a cart (customer, product, quantity).
ADDED = ("C1", "mug", 2)
#: The price correction the lesson makes across orders (product, new price).
PRICE_FIX = ("kettle", Decimal("35.00"))

_ORDERS = [  # order, customer, date, lines
    ("O0001", "C1", "2026-02-03", {"book": 1, "mug": 2}),
    ("O0002", "C2", "2026-02-11", {"lamp": 1}),
    ("O0003", "C1", "2026-02-20", {"pen": 10}),
    ("O0004", "C3", "2026-03-01", {"kettle": 1, "mug": 1}),
    ("O0005", "C1", "2026-03-04", {"lamp": 2, "book": 1}),
    ("O0006", "C2", "2026-03-09", {"mug": 4}),
    ("O0007", "C1", "2026-03-15", {"kettle": 1}),
    ("O0008", "C3", "2026-03-22", {"lamp": 1, "pen": 5}),
    ("O0009", "C1", "2026-03-30", {"book": 3}),
    ("O0010", "C2", "2026-04-02", {"lamp": 1, "kettle": 1}),
    ("O0011", "C1", "2026-04-12", {"mug": 1, "pen": 2}),
    ("O0012", "C3", "2026-04-25", {"book": 2}),
]

#: The relational design: one table per entity, foreign keys, and the
#: indexes that make the lesson's access patterns searches instead of scans.
SQL_SCHEMA = """\
CREATE TABLE customers   (id TEXT PRIMARY KEY, name TEXT NOT NULL, address TEXT);
CREATE TABLE products    (id TEXT PRIMARY KEY, price NUMERIC NOT NULL, description TEXT);
CREATE TABLE cart_lines  (customer_id TEXT REFERENCES customers,
                          product_id  TEXT REFERENCES products,
                          qty INTEGER NOT NULL,
                          PRIMARY KEY (customer_id, product_id));
CREATE TABLE orders      (id TEXT PRIMARY KEY, customer_id TEXT REFERENCES customers,
                          placed TEXT NOT NULL);
CREATE TABLE order_lines (order_id   TEXT REFERENCES orders,
                          product_id TEXT REFERENCES products,
                          qty INTEGER NOT NULL, unit_price NUMERIC NOT NULL,
                          PRIMARY KEY (order_id, product_id));
CREATE INDEX orders_by_customer_date ON orders (customer_id, placed);
CREATE INDEX lines_by_product ON order_lines (product_id);
"""


def drop_lesson_tables(client: Any) -> list:
    """Delete this lesson's tables where they exist (any backend), so that the
    lesson can run again from the top; returns the names deleted."""
    return _drop(client, TABLES)


def orders() -> list[dict]:
    """The orders: ``order``, ``customer``, ``date``, ``lines`` (product ->
    quantity), ``total`` (at the prices of :data:`PRODUCTS`).

    >>> orders()[0]["total"], orders()[0]["lines"]
    (Decimal('28.50'), {'book': 1, 'mug': 2})
    """
    return [{"order": o, "customer": c, "date": d, "lines": dict(lines),
             "total": sum(PRODUCTS[p] * q for p, q in lines.items())}
            for o, c, d, lines in _ORDERS]


def lines_with(product: str) -> list[str]:
    """The orders that have a line of ``product``, oldest first.

    >>> lines_with("kettle")
    ['O0004', 'O0007', 'O0010']
    """
    return [o["order"] for o in orders() if product in o["lines"]]


def order_sk(date: str, order: str, product: str | None = None) -> str:
    """The composite sort key of an order (or of one of its lines): the date
    first, so that a customer's orders sort by date.

    >>> order_sk("2026-03-04", "O0005"), order_sk("2026-03-04", "O0005", "lamp")
    ('ORDER#2026-03-04#O0005', 'ORDER#2026-03-04#O0005#LINE#lamp')
    """
    sk = f"ORDER#{date}#{order}"
    return sk if product is None else f"{sk}#LINE#{product}"


def shop_items(after_lesson: bool = False) -> list[dict]:
    """The single-table design: every item of the ``Shop`` table (resource form).

    ``after_lesson=True`` gives the table after the lesson's own writes (the
    line :data:`ADDED` to a cart, the :data:`PRICE_FIX` across orders).

    >>> [i["SK"] for i in shop_items() if i["PK"] == "CUST#C2"][:3]
    ['PROFILE', 'CART#book', 'ORDER#2026-02-11#O0002']
    >>> len(shop_items()), len(shop_items(after_lesson=True))
    (41, 42)
    """
    carts = {c: dict(lines) for c, lines in CARTS.items()}
    prices = dict(PRODUCTS)
    fixed = None
    if after_lesson:
        c, p, q = ADDED
        carts.setdefault(c, {})[p] = q
        fixed = PRICE_FIX
    items: list[dict] = []
    for p, price in PRODUCTS.items():
        items.append({"PK": f"PRODUCT#{p}", "SK": "PRODUCT", "price": price,
                      "description": (f"The {p}: made to last. " * 40)[:DESCRIPTION]})
    for c, name in CUSTOMERS.items():
        pk = f"CUST#{c}"
        items.append({"PK": pk, "SK": "PROFILE", "name": name, "address": ADDRESSES[c]})
        for p, q in carts.get(c, {}).items():
            items.append({"PK": pk, "SK": f"CART#{p}", "qty": q, "price": prices[p]})
        for o in orders():
            if o["customer"] != c:
                continue
            items.append({"PK": pk, "SK": order_sk(o["date"], o["order"]),
                          "total": o["total"], "lines": len(o["lines"]),
                          "ship_to": f"{name}, {ADDRESSES[c]}"})
            for p, q in o["lines"].items():
                price = fixed[1] if fixed and fixed[0] == p else prices[p]
                items.append({"PK": pk, "SK": order_sk(o["date"], o["order"], p),
                              "qty": q, "price": price,
                              "GSI1PK": f"PRODUCT#{p}", "GSI1SK": f"{o['date']}#{o['order']}"})
    return items


def load_sqlite(conn: sqlite3.Connection | None = None) -> sqlite3.Connection:
    """The relational design in SQLite (in memory unless ``conn`` is given):
    :data:`SQL_SCHEMA`, then the same facts as :func:`shop_items`.

    >>> db = load_sqlite()
    >>> db.execute("SELECT count(*) FROM order_lines").fetchone()[0]
    18
    """
    db = conn if conn is not None else sqlite3.connect(":memory:")
    db.executescript(SQL_SCHEMA)
    db.executemany("INSERT INTO customers VALUES (?, ?, ?)",
                   [(c, name, ADDRESSES[c]) for c, name in CUSTOMERS.items()])
    db.executemany("INSERT INTO products VALUES (?, ?, ?)",
                   [(p, str(price), (f"The {p}: made to last. " * 40)[:DESCRIPTION])
                    for p, price in PRODUCTS.items()])
    db.executemany("INSERT INTO cart_lines VALUES (?, ?, ?)",
                   [(c, p, q) for c, lines in CARTS.items() for p, q in lines.items()])
    for o in orders():
        db.execute("INSERT INTO orders VALUES (?, ?, ?)", (o["order"], o["customer"], o["date"]))
        db.executemany("INSERT INTO order_lines VALUES (?, ?, ?, ?)",
                       [(o["order"], p, q, str(PRODUCTS[p])) for p, q in o["lines"].items()])
    db.commit()
    return db


def plan(db: sqlite3.Connection, sql: str, params: tuple = ()) -> list[str]:
    """SQLite's ``EXPLAIN QUERY PLAN`` for ``sql``: one line per step, with
    ``SCAN TABLE t`` (older SQLite) written ``SCAN t`` as SQLite 3.36+ does.

    >>> db = load_sqlite()
    >>> plan(db, "SELECT * FROM order_lines WHERE product_id = ?", ("mug",))
    ['SEARCH order_lines USING INDEX lines_by_product (product_id=?)']
    >>> plan(db, "SELECT * FROM order_lines WHERE qty > 3")
    ['SCAN order_lines']
    >>> _ = db.execute("DROP INDEX lines_by_product")
    >>> plan(db, "SELECT * FROM order_lines WHERE product_id = ?", ("mug",))
    ['SCAN order_lines']
    """
    # sqlite3 caches prepared statements by their text, and a cached EXPLAIN
    # is not prepared again after DROP/CREATE INDEX: name the schema version.
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    rows = db.execute(f"EXPLAIN QUERY PLAN {sql}\n-- schema {version}", params).fetchall()
    return [r[-1].replace("SCAN TABLE ", "SCAN ").replace("SEARCH TABLE ", "SEARCH ")
            for r in rows]


def units(response: dict, index: str | None = None) -> Any:
    """The capacity units a response says it consumed (``None`` when the
    endpoint did not say): the total, or one GSI's share with ``index``
    (``ReturnConsumedCapacity="INDEXES"``).

    >>> units({"ConsumedCapacity": {"CapacityUnits": 1.5}}), units({})
    (1.5, None)
    """
    cc = response.get("ConsumedCapacity")
    if isinstance(cc, list):
        cc = cc[0] if cc else None
    if not cc:
        return None
    if index is None:
        return cc.get("CapacityUnits")
    return cc.get("GlobalSecondaryIndexes", {}).get(index, {}).get("CapacityUnits")


def scan_rcu(items: list[dict], consistent: bool = False) -> float:
    """Read units of one Scan (one page) over ``items``: their sizes summed,
    rounded up to 4 KB once; half that when eventually consistent.

    >>> scan_rcu([{"a": "x" * 5000}]), scan_rcu([{"a": "x" * 5000}], consistent=True)
    (1.0, 2.0)
    """
    n = math.ceil(sum(item_bytes(i) for i in items) / 4096)
    return float(n) if consistent else n / 2


# -- q1: a customer's orders by date ------------------------------------------------
def _march_desc() -> list:
    return [o["order"] for o in reversed(orders())
            if o["customer"] == "C1" and o["date"].startswith("2026-03")]


def _check_orders(answer: Any, expected: list) -> None:
    if isinstance(answer, (str, bytes, dict)) or not hasattr(answer, "__iter__"):
        raise Wrong(f"Expected a list of order ids like ['O0009', ...], got a "
                    f"{type(answer).__name__}: {answer!r}.")
    got = list(answer)
    if got and isinstance(got[0], dict):
        raise Wrong("Those are whole items; keep the order id, the last part of SK "
                    "(item['SK'].split('#')[2]).")
    if got == expected:
        return
    if any(isinstance(x, str) and x.startswith("ORDER#") for x in got):
        raise Wrong("Give the order ids ('O0009'), not the sort keys.")
    if len(got) > len(set(got)):
        raise Wrong("An order appears more than once: the Query also returns each "
                    "order's lines (SK ...#LINE#product); keep only the order items.")
    extra = [x for x in got if x not in expected]
    missing = [x for x in expected if x not in got]
    if extra:
        raise Wrong(f"{extra!r} should not be there: only Ana's (C1) orders placed in "
                    f"March 2026.")
    if missing:
        raise Wrong(f"{missing!r} is missing: the range must reach the end of March "
                    f"(a sort key 'ORDER#2026-03-30#...' is greater than "
                    f"'ORDER#2026-03-30').")
    raise Wrong("The right orders, in the wrong order: ScanIndexForward=False gives the "
                "sort key descending (newest first).")


q1 = Exercise(
    "q1", "Ana's (C1) orders placed in March 2026, newest first: one Query on the Shop "
          "table. Give the list of order ids.",
    var="q1_orders",
    kind="code",
    expected=_march_desc,
    check=_check_orders,
    hints=["Key('PK').eq('CUST#C1') & Key('SK').between('ORDER#2026-03', 'ORDER#2026-04'): "
           "the dates sort as strings.",
           "ScanIndexForward=False; the Query returns orders and their lines, and only "
           "an order's SK has three parts."],
    solution="""
        got = shop.query(KeyConditionExpression=Key("PK").eq("CUST#C1")
                         & Key("SK").between("ORDER#2026-03", "ORDER#2026-04"),
                         ScanIndexForward=False)["Items"]
        q1_orders = [i["SK"].split("#")[2] for i in got if "#LINE#" not in i["SK"]]
    """,
    success="One request, one partition, one sorted run: the sort key was designed "
            "for this question.",
)


# -- q2: a price correction across orders -------------------------------------------
def _price_fix_counts() -> tuple:
    return (len(lines_with("lamp")), 1)


def _check_counts(answer: Any, expected: tuple) -> None:
    if isinstance(answer, dict) or isinstance(answer, (str, bytes)):
        raise Wrong(f"Expected a pair (DynamoDB UpdateItem requests, SQL statements), "
                    f"got {answer!r}.")
    try:
        ddb, sql = answer
    except (TypeError, ValueError):
        raise Wrong(f"Expected a pair (DynamoDB UpdateItem requests, SQL statements), "
                    f"got {answer!r}.") from None
    if (ddb, sql) == expected:
        return
    if (sql, ddb) == expected:
        raise Wrong("The two numbers are swapped: DynamoDB first, SQL second.")
    if sql != expected[1]:
        raise Wrong(f"{sql!r} SQL statements: one UPDATE ... WHERE product_id = 'lamp' "
                    f"changes every matching row; the index finds them.")
    raise Wrong(f"{ddb!r} UpdateItem requests is not it: UpdateItem changes one item, "
                f"and there is one order-line item per order that has a lamp (the "
                f"ByProduct index lists them).")


q2 = Exercise(
    "q2", "Correct the lamp's price in every order that has one. How many UpdateItem "
          "requests does the Shop table need, and how many SQL statements does SQLite? "
          "Give the pair (requests, statements).",
    var="q2_writes",
    kind="code",
    expected=_price_fix_counts,
    check=_check_counts,
    hints=["Query the ByProduct index for GSI1PK = 'PRODUCT#lamp': each item it returns "
           "is one order line to update.",
           "In SQL, one UPDATE order_lines SET unit_price = ? WHERE product_id = ? "
           "changes them all."],
    solution="""
        lamp_lines = shop.query(IndexName="ByProduct",
                                KeyConditionExpression=Key("GSI1PK").eq("PRODUCT#lamp"))["Items"]
        q2_writes = (len(lamp_lines), 1)
    """,
    success="Denormalized copies make reads one request and updates many; the "
            "normalized row is updated once and joined on every read.",
)


# -- q3: what an ad-hoc question costs -------------------------------------------------
def _scan_expected() -> dict:
    items = shop_items()
    matched = [i for i in items if i.get("GSI1SK", "").startswith("2026-03")]
    return {"right": scan_rcu(items),
            "consistent": scan_rcu(items, consistent=True),
            "matched": scan_rcu(matched),
            "per_item": sum(math.ceil(item_bytes(i) / 4096) for i in items) / 2}


def _check_scan(answer: Any, expected: dict) -> None:
    a = as_number(answer, "read capacity units")
    if math.isclose(a, expected["right"]):
        return
    known_mistake(a, expected, {
        "per_item": "That rounds each item up to 4 KB, as GetItem does; a Scan sums the "
                    "sizes of the items it reads and rounds once.",
        "consistent": "That is the strongly consistent price; a Scan is eventually "
                      "consistent unless you ask, and costs half.",
        "matched": "That counts only the items the filter keeps; a FilterExpression runs "
                   "after the read, and you pay for every item scanned."})
    raise Wrong(f"{answer!r} read units is not it: sum item_bytes over every item of the "
                f"table, divide by 4096, round up, halve.")


q3 = Exercise(
    "q3", "The ad-hoc question 'revenue per product in March' has no key on the Shop "
          "table: it takes a Scan with a FilterExpression. Without asking the service, "
          "how many read capacity units does that Scan consume (eventually consistent, "
          "one page)? Use item_bytes(item) for each item's size.",
    var="q3_rcu",
    kind="arithmetic",
    predict_first=True,
    too_common="1.0 RCU is also what the Queries above cost; the Scan runs after the answer",
    expected=_scan_expected,
    check=_check_scan,
    hints=["A Scan reads every item of the table, whatever the filter keeps: add up "
           "item_bytes over all of them.",
           "Round the total up to 4 KB (4096 bytes) once; eventually consistent is half "
           "a unit per 4 KB."],
    solution="""
        everything = shop.scan()["Items"]
        q3_rcu = math.ceil(sum(item_bytes(i) for i in everything) / 4096) / 2
    """,
    success="The Scan's price grows with the table, not with the answer; SQLite's "
            "GROUP BY scans too, but a relational engine is built to take questions "
            "nobody planned.",
)

exercises = ExerciseSet("Lesson 20 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests): a
    fresh lab service holding the Shop table and its ByProduct index."""
    from boto3.dynamodb.conditions import Attr, Key

    from ..dynamodb.service import DynamoDB
    svc = DynamoDB(seed=20)
    client, dynamodb = svc.client(), svc.resource()
    client.create_table(
        TableName="Shop", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                              for n in ("PK", "SK", "GSI1PK", "GSI1SK")],
        GlobalSecondaryIndexes=[{
            "IndexName": "ByProduct",
            "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"},
                          {"AttributeName": "GSI1SK", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}])
    client.get_waiter("table_exists").wait(TableName="Shop")
    shop = dynamodb.Table("Shop")
    with shop.batch_writer() as w:
        for item in shop_items():
            w.put_item(Item=item)
    return {"client": client, "shop": shop, "db": load_sqlite(), "Key": Key, "Attr": Attr,
            "math": math, "item_bytes": item_bytes}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {
    "q1": [["O0005", "O0007", "O0009"], ["O0009", "O0009", "O0007", "O0005"], "O0009"],
    "q2": [(1, 1), (4, 4), (1, 4)],
    "q3": [0.5, 2.0, 20.5, "1"],
}
