"""What the DynamoDB lessons would cost on AWS: capacity metered per request.

:func:`install` wraps botocore's request path, so every DynamoDB call any
client makes in this process (the lab's own, or a client on AWS) asks for
``ReturnConsumedCapacity="TOTAL"`` and adds what DynamoDB answered to a
:class:`Bill`. Calls that did not ask for it get the answer without it, so a
lesson sees exactly what it would have seen. Streams' ``GetRecords`` calls
and the provisioned throughput of the tables made are counted too, because
AWS bills them apart.

``python -m dynamo_lab.kit.capacity_bill lessons/1[1-9]_*.ipynb`` runs
lessons with nbclient, metered, and prints each lesson's bill and the total
priced at :data:`PRICES` (see docs/instructor/before-the-day.md).

What it does not see: requests that failed (a failed conditional write is
still billed by AWS), storage, and data transfer. Those are small for the
lessons; the guide says so.

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> c = DynamoDB(seed=0).client()
>>> with metered() as bill:
...     _ = c.create_table(TableName="Bills", BillingMode="PAY_PER_REQUEST",
...                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
...                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
...     c.get_waiter("table_exists").wait(TableName="Bills")
...     put = c.put_item(TableName="Bills", Item={"pk": {"S": "a"}})
...     _ = c.get_item(TableName="Bills", Key={"pk": {"S": "a"}}, ConsistentRead=True)
...     _ = c.get_item(TableName="Bills", Key={"pk": {"S": "a"}})
>>> "ConsumedCapacity" in put          # the caller did not ask, so it does not see it
False
>>> bill.read_units, bill.write_units, bill.requests["GetItem"]
(1.5, 1.0, 2)
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..text import plural

__all__ = ["PRICES", "Bill", "install", "main", "metered", "price", "uninstall"]

#: On-demand and provisioned prices, US East (N. Virginia), Standard table
#: class, in USD, as published on aws.amazon.com/dynamodb/pricing when this
#: was written (checked 2026-12-07). Check them before quoting a budget.
PRICES = {
    "write_request_unit": 0.625 / 1e6,     # on-demand, per WRU
    "read_request_unit": 0.125 / 1e6,      # on-demand, per RRU
    "wcu_hour": 0.00065,                   # provisioned, per WCU per hour
    "rcu_hour": 0.00013,                   # provisioned, per RCU per hour
    "stream_read_request": 0.02 / 1e5,     # GetRecords, after 2.5M free a month
}

_READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
_PARTIQL = {"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"}


@dataclass
class Bill:
    """Capacity a run consumed, in the units AWS bills."""

    read_units: float = 0.0
    write_units: float = 0.0
    stream_reads: int = 0
    requests: Counter = field(default_factory=Counter)
    #: table -> (RCU, WCU) provisioned for it and its GSIs, the largest seen.
    provisioned: dict = field(default_factory=dict)

    def add(self, operation: str, params: dict, response: dict) -> None:
        """Count one answered DynamoDB call."""
        self.requests[operation] += 1
        if operation in ("CreateTable", "UpdateTable"):
            self._provision(params)
        consumed = response.get("ConsumedCapacity")
        if not consumed:
            return
        for entry in consumed if isinstance(consumed, list) else [consumed]:
            units = float(entry.get("CapacityUnits", 0))
            if _is_read(operation, params):
                self.read_units += units
            else:
                self.write_units += units

    def _provision(self, params: dict) -> None:
        if params.get("BillingMode") == "PAY_PER_REQUEST":
            return
        rcu = wcu = 0
        throughputs = [params.get("ProvisionedThroughput")]
        for gsi in params.get("GlobalSecondaryIndexes", []):
            throughputs.append(gsi.get("ProvisionedThroughput"))
        for t in filter(None, throughputs):
            rcu += int(t.get("ReadCapacityUnits", 0))
            wcu += int(t.get("WriteCapacityUnits", 0))
        if rcu or wcu:
            old = self.provisioned.get(params["TableName"], (0, 0))
            self.provisioned[params["TableName"]] = (max(old[0], rcu), max(old[1], wcu))

    def as_dict(self) -> dict:
        """Plain data, for JSON."""
        return {"read_units": self.read_units, "write_units": self.write_units,
                "stream_reads": self.stream_reads, "requests": dict(sorted(self.requests.items())),
                "provisioned": {k: list(v) for k, v in sorted(self.provisioned.items())}}


def _is_read(operation: str, params: dict) -> bool:
    if operation in _READS:
        return True
    if operation in _PARTIQL:
        statements = [params.get("Statement", "")] + [
            s.get("Statement", "") for s in params.get("Statements", params.get("TransactStatements", []))]
        return all(s.strip().upper().startswith("SELECT") for s in statements if s)
    return False


_original: Any = None


def install(bill: Bill | None = None) -> Bill:
    """Meter every DynamoDB call in this process into ``bill`` (a new one by default)."""
    import botocore.client

    global _original
    bill = bill if bill is not None else Bill()
    uninstall()
    _original = original = botocore.client.BaseClient._make_api_call

    def metered(client: Any, operation: str, params: dict) -> Any:
        service = client.meta.service_model.service_name
        if service == "dynamodbstreams" and operation == "GetRecords":
            bill.stream_reads += 1
        if service != "dynamodb":
            return original(client, operation, params)
        asked = params.get("ReturnConsumedCapacity", "NONE") != "NONE"
        if not asked and (operation in _READS | _WRITES | _PARTIQL):
            params = {**params, "ReturnConsumedCapacity": "TOTAL"}
        response = original(client, operation, params)
        bill.add(operation, params, response)
        if not asked and "ConsumedCapacity" in response:
            response = {k: v for k, v in response.items() if k != "ConsumedCapacity"}
        return response

    botocore.client.BaseClient._make_api_call = metered
    return bill


@contextmanager
def metered(bill: Bill | None = None) -> Iterator[Bill]:
    """:func:`install` for the ``with`` block only, even when it raises."""
    try:
        yield install(bill)
    finally:
        uninstall()


def uninstall() -> None:
    """Put botocore's request path back."""
    import botocore.client

    global _original
    if _original is not None:
        botocore.client.BaseClient._make_api_call = _original
        _original = None


def price(bill: dict, hours: float = 3.0, learners: int = 1) -> dict:
    """USD for ``learners`` running what ``bill`` (:meth:`Bill.as_dict`) counted,
    with its provisioned tables held for ``hours``.

    >>> price({"read_units": 2e6, "write_units": 1e6, "stream_reads": 0,
    ...        "provisioned": {"T": [10, 5]}}, hours=2)
    {'on_demand': 0.875, 'provisioned': 0.0091, 'streams': 0.0, 'total': 0.8841}
    """
    p = PRICES
    on_demand = bill["read_units"] * p["read_request_unit"] + bill["write_units"] * p["write_request_unit"]
    held = sum(r * p["rcu_hour"] + w * p["wcu_hour"] for r, w in bill["provisioned"].values())
    streams = bill["stream_reads"] * p["stream_read_request"]
    out = {"on_demand": on_demand * learners, "provisioned": held * hours * learners,
           "streams": streams * learners}
    out["total"] = sum(out.values())
    return {k: round(v, 4) for k, v in out.items()}


_FIRST = ("from dynamo_lab.kit.capacity_bill import install as _dl_meter\n"
          "_dl_bill = _dl_meter()")
_LAST = "import json as _dl_json; print(_dl_json.dumps(_dl_bill.as_dict()))"


def main(argv: list[str] | None = None) -> int:
    """Run the notebooks in ``argv`` metered; print each one's bill and the total."""
    import os
    import sys

    import nbformat
    from nbclient import NotebookClient

    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths:
        print("usage: python -m dynamo_lab.kit.capacity_bill LESSON.ipynb ...", file=sys.stderr)
        return 2
    total = Bill()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell(_FIRST))
        nb.cells.append(nbformat.v4.new_code_cell(_LAST))
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}}
                       ).execute()
        got = json.loads(nb.cells[-1].outputs[0]["text"])
        total.read_units += got["read_units"]
        total.write_units += got["write_units"]
        total.stream_reads += got["stream_reads"]
        total.requests.update(got["requests"])
        for table, rw in got["provisioned"].items():
            total.provisioned[f"{os.path.basename(path)[:2]}:{table}"] = tuple(rw)
        print(f"{os.path.basename(path)}: {got['read_units']:g} RRU, {got['write_units']:g} WRU, "
              f"{plural(got['stream_reads'], 'stream read')}, "
              f"{plural(sum(got['requests'].values()), 'request')}, "
              f"provisioned {got['provisioned'] or 'none'}", flush=True)
    whole = total.as_dict()
    print(json.dumps({"total": whole, "usd_one_learner_3h": price(whole)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
