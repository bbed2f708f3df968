"""Single-item operations: GetItem, PutItem, UpdateItem, DeleteItem.

Each write is *planned* first (every check, the new item, the capacity) and
*committed* only when nothing can fail any more, so a refused request leaves
the table as it was. Transactions and BatchWriteItem reuse the same plan and
commit steps.

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0)
>>> _ = ddb.handle("CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
>>> ddb.run(ms=1)
>>> ddb.handle("PutItem", {"TableName": "Tab", "Item": {"id": {"S": "a"}, "n": {"N": "01"}},
...                        "ReturnConsumedCapacity": "TOTAL"})
{'ConsumedCapacity': {'TableName': 'Tab', 'CapacityUnits': 1.0}}
>>> ddb.handle("GetItem", {"TableName": "Tab", "Key": {"id": {"S": "a"}}})
{'Item': {'id': {'S': 'a'}, 'n': {'N': '1'}}}
"""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .capacity import Meter, read_units, write_units
from .errors import DynamoDBError, ValidationError
from .evaluate import Prepared, prepare
from .layout import charge_read, charge_write, throttle_error
from .size import check_item_size, item_size
from .tables import Table
from .types import encode_binary, validate_item

if TYPE_CHECKING:  # pragma: no cover
    from .service import DynamoDB

__all__ = ["get_item", "put_item", "update_item", "delete_item", "WritePlan",
           "plan_put", "plan_update", "plan_delete", "commit", "expire_item", "check_key_untouched",
           "read_key", "event_key", "collection_metrics"]

_INVALID = "One or more parameter values were invalid: "


def read_key(table: Table, key: Any) -> dict:
    """Validate a request's ``Key`` against the table's schema."""
    key = validate_item(key)
    table.schema.check_key(key)
    return key


def event_key(table: Table, item: dict) -> tuple:
    """A key as plain event data: ``((name, text), ...)``."""
    out = []
    for n in table.schema.names:
        (t, v), = item[n].items()
        out.append((n, v if isinstance(v, str) else encode_binary(v)))
    return tuple(out)


class WritePlan:
    """One checked, not yet applied, change to one item."""

    __slots__ = ("table", "key", "old", "new", "op", "size", "paths", "units")

    def __init__(self, table: Table, key: dict, old: dict | None, new: dict | None,
                 op: str, paths: list | None = None) -> None:
        self.table, self.key, self.old, self.new, self.op = table, key, old, new, op
        self.size = item_size(new) if new is not None else 0
        self.paths = paths or []
        # The store remembers each item's size; no need to measure it again.
        old_size = table.store.size_of(table.schema.storage_key(key)) if old is not None else 0
        self.units = write_units(max(self.size, old_size))

    def meter(self, meter: Meter, transactional: bool = False) -> None:
        meter.table_write(self.units * (2 if transactional else 1))
        for ix in self.table.indexes.values():
            was = self.old is not None and ix.schema.has_key(self.old)
            now = self.new is not None and ix.schema.has_key(self.new)
            if not (was or now):
                continue
            n = 0
            if was and now:
                same = all(self.old[a] == self.new[a] for a in ix.schema.names)
                n = 1 if same else 2
            else:
                n = 1
            size = max(item_size(ix.project(x, self.table.schema))
                       for x in (self.old, self.new) if x is not None)
            meter.index(ix.kind, ix.name, write=n * write_units(size, transactional))


def _check_return_values(p: dict, allowed: tuple) -> str:
    rv = p.get("ReturnValues", "NONE")
    if rv not in allowed:
        raise ValidationError("ReturnValues can only be ALL_OLD or NONE")
    return rv


def _check_index_keys(table: Table, item: dict) -> None:
    for ix in table.indexes.values():
        ix.schema.check_item(item, index=ix.name)


def _failed(expr: Prepared, p: dict, old: dict | None) -> DynamoDBError:
    extra = {}
    if p.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
        extra["Item"] = old
    return DynamoDBError("ConditionalCheckFailedException", "The conditional request failed",
                         **extra)


def plan_put(table: Table, p: dict, expr: Prepared | None = None) -> WritePlan:
    item = validate_item(p["Item"])
    table.schema.check_item(item)
    _check_index_keys(table, item)
    check_item_size(item)
    key = table.schema.key_of(item)
    expr = expr or prepare(p, "PutItem")
    old = table.get(key)
    plan = WritePlan(table, key, old, item, "put")
    if not expr.condition(old):
        plan.new = None
        raise _Failure(plan, expr)
    return plan


def check_key_untouched(table: Table, expr: Prepared) -> None:
    """An update may not name a key attribute, even to set the same value."""
    for n in table.schema.names:
        if n in expr.targets():
            raise ValidationError(_INVALID + f"Cannot update attribute {n}. This attribute is "
                                  "part of the key")


def plan_update(table: Table, p: dict, expr: Prepared | None = None) -> WritePlan:
    key = read_key(table, p["Key"])
    expr = expr or prepare(p, "UpdateItem")
    check_key_untouched(table, expr)
    old = table.get(key)
    if not expr.condition(old):
        raise _Failure(WritePlan(table, key, old, None, "update"), expr)
    new, paths = expr.update(copy.deepcopy(old) if old is not None else None, key)
    for n in table.schema.names:
        if n not in new or new[n] != key[n]:
            raise ValidationError(_INVALID + f"Cannot update attribute {n}. This attribute is "
                                  "part of the key")
    _check_index_keys(table, new)
    check_item_size(new, update=True)
    return WritePlan(table, key, old, new, "update", paths)


def plan_delete(table: Table, p: dict, expr: Prepared | None = None) -> WritePlan:
    key = read_key(table, p["Key"])
    expr = expr or prepare(p, "DeleteItem")
    old = table.get(key)
    plan = WritePlan(table, key, old, None, "delete")
    if not expr.condition(old):
        raise _Failure(plan, expr)
    return plan


class _Failure(Exception):
    """A condition that did not hold; carries the plan for its capacity."""

    def __init__(self, plan: WritePlan, expr: Prepared) -> None:
        super().__init__("The conditional request failed")
        self.plan, self.expr = plan, expr


def commit(svc: "DynamoDB", plan: WritePlan, cause: str | None = None) -> None:
    """Apply a plan: store, indexes and an event."""
    table = plan.table
    if plan.new is None and plan.old is None:
        return                    # deleting nothing changes nothing
    table.write(plan.new, plan.size, key=plan.key)
    skey = table.schema.storage_key(plan.key)
    part = table.store.partition_for(skey[0])
    fields = dict(table=table.name, key=event_key(table, plan.key), position=skey[0],
                  partition=part.id)
    if plan.new is None:
        svc.log.emit("item.deleted", **fields, cause=cause or "request")
    elif plan.old is None or plan.op == "put":
        svc.log.emit("item.put", **fields, size=plan.size, replaced=plan.old is not None)
    else:
        svc.log.emit("item.updated", **fields, size=plan.size)
    if table.stream_label is not None:   # DynamoDB Streams (streams.py)
        svc.streams.on_change(table, plan.old, plan.new, cause)


def _write(svc: "DynamoDB", p: dict, op: str) -> dict:
    table = svc.table_for_data(p["TableName"])
    allowed = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW") \
        if op == "UpdateItem" else ("NONE", "ALL_OLD")
    rv = _check_return_values(p, allowed)
    expr = prepare(p, op)
    planner = {"PutItem": plan_put, "UpdateItem": plan_update, "DeleteItem": plan_delete}[op]
    meter = Meter(p["TableName"])  # as the request named it (name or ARN)
    try:
        plan = planner(table, p, expr)
    except _Failure as f:
        # A failed condition still costs the write it would have been.
        # (AWS charges it; the error body does not report it.)
        f.plan.meter(meter)
        if table.layout is not None:     # ... and takes it from the partition's capacity
            v = table.layout.cap.consume("write", f.plan.units, svc.sim.now,
                                         key_hash=table.schema.storage_key(f.plan.key)[0])
            if not v.ok:
                raise throttle_error(v) from None
        raise _failed(f.expr, p, f.plan.old) from None
    plan.meter(meter)
    throttled = charge_write(svc, plan)
    if throttled is not None:        # nothing charged, nothing written
        raise throttle_error(throttled, gsi=True)
    commit(svc, plan)
    out: dict[str, Any] = {}
    if rv == "ALL_OLD" and plan.old is not None:
        out["Attributes"] = plan.old
    elif rv == "ALL_NEW":
        out["Attributes"] = plan.new
    elif rv == "UPDATED_OLD" and plan.old is not None:
        picked = expr.pick(plan.old, plan.paths)
        if picked:
            out["Attributes"] = picked
    elif rv == "UPDATED_NEW":
        picked = expr.pick(plan.new, plan.paths)
        if picked:
            out["Attributes"] = picked
    cc = meter.render(p.get("ReturnConsumedCapacity"))
    if cc is not None:
        out["ConsumedCapacity"] = cc
    icm = collection_metrics(table, plan.key, p)
    if icm is not None:
        out["ItemCollectionMetrics"] = icm
    return out


def collection_metrics(table: Table, key: dict, p: dict) -> dict | None:
    """``ItemCollectionMetrics`` for ``ReturnItemCollectionMetrics=SIZE``.

    Only tables with a local secondary index have item collections (every
    item of one partition key, with its LSI entries); DynamoDB reports their
    size as a range of whole gigabytes, against the 10 GB limit.
    """
    if p.get("ReturnItemCollectionMetrics") != "SIZE" or \
            not any(ix.kind == "LSI" for ix in table.indexes.values()):
        return None
    h = table.schema.hash
    lo, hi = table.schema.hash_bounds(key[h])
    size = sum(table.store.size_of(k) for k, _ in table.store.irange(lo, hi))
    for ix in table.indexes.values():
        if ix.kind == "LSI":
            size += sum(ix.store.size_of(k) for k, _ in ix.store.irange(lo, hi))
    gb = size // (1 << 30)
    return {"ItemCollectionKey": {h: key[h]}, "SizeEstimateRangeGB": [float(gb), float(gb + 1)]}


def put_item(svc: "DynamoDB", p: dict) -> dict:
    return _write(svc, p, "PutItem")


def update_item(svc: "DynamoDB", p: dict) -> dict:
    return _write(svc, p, "UpdateItem")


def delete_item(svc: "DynamoDB", p: dict) -> dict:
    return _write(svc, p, "DeleteItem")


def get_item(svc: "DynamoDB", p: dict) -> dict:
    table = svc.table_for_data(p["TableName"])
    key = read_key(table, p["Key"])
    expr = prepare(p, "GetItem")
    item = table.get(key)
    meter = Meter(p["TableName"])
    units = read_units(item_size(item) if item else 0, bool(p.get("ConsistentRead", False)))
    throttled = charge_read(svc, table.layout, units, h=table.schema.storage_key(key)[0])
    if throttled is not None:
        raise throttle_error(throttled)
    meter.table_read(units)
    out: dict[str, Any] = {}
    if item is not None:
        out["Item"] = expr.project(item)
    cc = meter.render(p.get("ReturnConsumedCapacity"))
    if cc is not None:
        out["ConsumedCapacity"] = cc
    return out


def expire_item(svc: "DynamoDB", table: Table, item: dict) -> None:
    """Delete an item whose time to live has passed (the TTL sweeper)."""
    key = table.schema.key_of(item)
    commit(svc, WritePlan(table, key, item, None, "delete"), cause="ttl")
