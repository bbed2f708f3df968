"""Single-item operations: GetItem, PutItem, UpdateItem, DeleteItem.

Each write is *planned* first (every check, the new item, the capacity) and
*committed* only when nothing can fail any more, so a refused request leaves
the table as it was. Transactions and BatchWriteItem reuse the same plan and
commit steps.

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0)
>>> from dynamo_lab.dynamodb.service import handle
>>> _ = handle(ddb, "CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
>>> ddb.run(ms=1)
>>> handle(ddb, "PutItem", {"TableName": "Tab", "Item": {"id": {"S": "a"}, "n": {"N": "01"}},
...                        "ReturnConsumedCapacity": "TOTAL"})
{'ConsumedCapacity': {'TableName': 'Tab', 'CapacityUnits': 1.0}}
>>> handle(ddb, "GetItem", {"TableName": "Tab", "Key": {"id": {"S": "a"}}})
{'Item': {'id': {'S': 'a'}, 'n': {'N': '1'}}}
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from ..capacity.units import Meter, read_units, write_units
from ..commit import Change, event_key, notify, prepare_observers
from ..errors import DynamoDBError, ValidationError
from ..model.evaluate import Prepared, prepare
from ..model.shapes import (
    DeleteItemInput,
    DeleteItemOutput,
    GetItemInput,
    GetItemOutput,
    PutItemInput,
    PutItemOutput,
    UpdateItemInput,
    UpdateItemOutput,
)
from ..model.size import check_item_size, item_size
from ..model.types import validate_item
from ..options import ITEM_COLLECTION_LIMIT
from ..tables.layout import charge_read, charge_write, throttle_error
from ..tables.lookup import table_for_data
from ..tables.table import Table

if TYPE_CHECKING:  # pragma: no cover
    from ..state import ServiceState

__all__ = ["get_item", "put_item", "update_item", "delete_item", "WritePlan",
           "plan_put", "plan_update", "plan_delete", "commit", "expire_item", "check_key_untouched",
           "read_key", "update_plan", "event_key", "collection_metrics", "collection_size",
           "check_collections", "collection_error", "ITEM_COLLECTION_LIMIT"]

_INVALID = "One or more parameter values were invalid: "

#: An item collection (the items of one partition key, with their local
#: secondary index entries) holds at most 10 GB; ``DynamoDB(indexes=
#: {"item_collection_limit": n})`` lowers it for a lesson.
_COLLECTION_MESSAGE = ("The total size of an item collection has exceeded the maximum limit "
                       "of 10 gigabytes.")


def read_key(table: Table, key: Any) -> dict:
    """Validate a request's ``Key`` against the table's schema."""
    key = validate_item(key)
    table.schema.check_key(key)
    return key


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
        """Report this write's capacity: the table's units, and each index's
        by DynamoDB's rule of 0, 1 or 2 index writes per change, each sized
        by its own entry (:meth:`~..tables.table.Index.writes`, the rule the
        partitions are charged by, so ConsumedCapacity says what was taken).
        """
        meter.table_write(self.units * (2 if transactional else 1))
        if not self.table.indexes:
            return
        schema = self.table.schema
        old_size = self.table.store.size_of(schema.storage_key(self.key)) \
            if self.old is not None else None
        new_size = self.size if self.new is not None else None
        for ix in self.table.indexes.values():
            writes = ix.writes(self.old, self.new, schema, old_size, new_size)
            if writes:
                meter.index(ix.kind, ix.name,
                            write=sum(write_units(size, transactional) for _, size in writes))


def _check_return_values(p: Mapping[str, Any], allowed: tuple) -> str:
    rv = p.get("ReturnValues", "NONE")
    if rv not in allowed:
        raise ValidationError("ReturnValues can only be ALL_OLD or NONE")
    return rv


def _check_index_keys(table: Table, item: dict) -> None:
    for ix in table.indexes.values():
        ix.schema.check_item(item, index=ix.name)


def _failed(expr: Prepared, p: Mapping[str, Any], old: dict | None) -> DynamoDBError:
    extra = {}
    if p.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
        extra["Item"] = old
    return DynamoDBError("ConditionalCheckFailedException", "The conditional request failed",
                         **extra)


def plan_put(table: Table, p: Mapping[str, Any], expr: Prepared | None = None) -> WritePlan:
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


def plan_update(table: Table, p: Mapping[str, Any], expr: Prepared | None = None) -> WritePlan:
    key = read_key(table, p["Key"])
    expr = expr or prepare(p, "UpdateItem")
    check_key_untouched(table, expr)
    old = table.get(key)
    if not expr.condition(old):
        raise _Failure(WritePlan(table, key, old, None, "update"), expr)
    return update_plan(table, key, old, expr)


def update_plan(table: Table, key: dict, old: dict | None, expr: Prepared) -> WritePlan:
    """The update of the item at ``key`` (now ``old``) by ``expr``, checked
    (its condition already held): the key untouched, index keys valid, the
    size within limits. The one update plan of UpdateItem and
    TransactWriteItems.

    An update that only removes attributes (REMOVE, DELETE) from an item
    that does not exist creates no item: the plan changes nothing, though
    it is still a write (charged as one). Any other update of a missing
    item, even one with no actions at all, creates it from its key."""
    if old is None and expr.removes_only:
        return WritePlan(table, key, None, None, "update")
    new, paths = expr.update(copy.deepcopy(old) if old is not None else None, key)
    for n in table.schema.names:
        if n not in new or new[n] != key[n]:
            raise ValidationError(_INVALID + f"Cannot update attribute {n}. This attribute is "
                                  "part of the key")
    _check_index_keys(table, new)
    check_item_size(new, update=True)
    return WritePlan(table, key, old, new, "update", paths)


def plan_delete(table: Table, p: Mapping[str, Any], expr: Prepared | None = None) -> WritePlan:
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


def commit(svc: "ServiceState", plan: WritePlan, cause: str | None = None) -> None:
    """Apply a plan whose observers were prepared (:func:`..commit.prepare_observers`):
    the item's partition (store, LSIs, item collection size), then every
    after-commit observer in order (:data:`..commit.AFTER_COMMIT`)."""
    table = plan.table
    if plan.new is None and plan.old is None:
        return                    # deleting nothing changes nothing
    skey = table.schema.storage_key(plan.key)
    sizes = _collections(table)
    if sizes is not None:
        before = collection_size(table, skey) - _footprint(table, skey, plan.old)
    table.write_partition(skey, plan.new, plan.size)
    if sizes is not None:
        sizes[skey[:2]] = before + _footprint(table, skey, plan.new)
    notify(svc, Change(table, plan.key, skey, plan.old, plan.new, plan.size, plan.op, cause))


def _write(svc: "ServiceState", p: Mapping[str, Any], op: str) -> dict[str, Any]:
    table = table_for_data(svc, p["TableName"])
    allowed = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW") \
        if op == "UpdateItem" else ("NONE", "ALL_OLD")
    rv = _check_return_values(p, allowed)
    expr = prepare(p, op)
    planner = {"PutItem": plan_put, "UpdateItem": plan_update, "DeleteItem": plan_delete}[op]
    meter = Meter(p["TableName"])  # as the request named it (name or ARN)
    try:
        plan = planner(table, p, expr)
    except _Failure as f:
        prepare_observers(svc, table, table.schema.storage_key(f.plan.key)[0])
        # A failed condition still costs the write it would have been.
        # (AWS charges it; the error body does not report it.)
        f.plan.meter(meter)
        if table.layout is not None:     # ... and takes it from the partition's capacity
            v = table.layout.cap.consume("write", f.plan.units, svc.sim.now,
                                         key_hash=table.schema.storage_key(f.plan.key)[0])
            if not v.ok:
                raise throttle_error(v) from None
        raise _failed(f.expr, p, f.plan.old) from None
    prepare_observers(svc, table, table.schema.storage_key(plan.key)[0])
    check_collections(svc, [plan])
    plan.meter(meter)
    throttled = charge_write(svc, plan)
    if throttled is not None:        # nothing charged, nothing written
        raise throttle_error(throttled, gsi=True)
    commit(svc, plan)
    out: dict[str, Any] = {}
    if rv == "ALL_OLD" and plan.old is not None:
        out["Attributes"] = plan.old
    elif rv == "ALL_NEW" and plan.new is not None:
        out["Attributes"] = plan.new
    elif rv == "UPDATED_OLD" and plan.old is not None:
        picked = expr.pick(plan.old, plan.paths)
        if picked:
            out["Attributes"] = picked
    elif rv == "UPDATED_NEW" and plan.new is not None:
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


def collection_metrics(table: Table, key: dict, p: Mapping[str, Any]) -> dict | None:
    """``ItemCollectionMetrics`` for ``ReturnItemCollectionMetrics=SIZE``.

    Only tables with a local secondary index have item collections (every
    item of one partition key, with its LSI entries); DynamoDB reports their
    size as a range of whole gigabytes, against the 10 GB limit.
    """
    if p.get("ReturnItemCollectionMetrics") != "SIZE" or _collections(table) is None:
        return None
    h = table.schema.hash
    gb = collection_size(table, table.schema.storage_key(key)) // (1 << 30)
    return {"ItemCollectionKey": {h: key[h]}, "SizeEstimateRangeGB": [float(gb), float(gb + 1)]}


def _collections(table: Table) -> dict | None:
    """Bytes per item collection (``skey[:2]`` -> bytes), kept as writes
    happen; None for a table without a local secondary index."""
    sizes: Any = table.__dict__.get("_collection_bytes")
    if sizes is None:      # LSIs exist from CreateTable on, never added later
        sizes = table.__dict__["_collection_bytes"] = \
            {} if any(ix.kind == "LSI" for ix in table.indexes.values()) else False
    return sizes if sizes is not False else None


def collection_size(table: Table, skey: tuple) -> int:
    """Bytes of the item collection holding storage key ``skey``: its items
    plus their local secondary index entries. Measured once per collection
    (O(k)), then kept up to date by every write (O(log n)).

    >>> from dynamo_lab.dynamodb.service import DynamoDB, state_of
    >>> ddb = DynamoDB(seed=0, create_ms=0)
    >>> from dynamo_lab.dynamodb.service import handle
    >>> _ = handle(ddb, "CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
    ...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
    ...                   {"AttributeName": "sk", "KeyType": "RANGE"}],
    ...     "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"}
    ...                              for n in ("pk", "sk", "x")],
    ...     "LocalSecondaryIndexes": [{"IndexName": "ByX", "Projection": {"ProjectionType": "ALL"},
    ...         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
    ...                       {"AttributeName": "x", "KeyType": "RANGE"}]}]})
    >>> _ = handle(ddb, "PutItem", {"TableName": "Tab",
    ...     "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}, "x": {"S": "y"}}})
    >>> t = state_of(ddb).tables["Tab"]
    >>> collection_size(t, t.schema.storage_key({"pk": {"S": "a"}, "sk": {"S": "1"}}))
    16
    """
    sizes = _collections(table)
    ck = skey[:2]
    size = sizes.get(ck) if sizes is not None else None
    if size is None:
        lo, hi = _bounds(skey)
        size = sum(table.store.size_of(k) for k, _ in table.store.irange(lo, hi))
        for ix in table.indexes.values():
            if ix.kind == "LSI":
                size += sum(ix.store.size_of(k) for k, _ in ix.store.irange(lo, hi))
        if sizes is not None:
            sizes[ck] = size
    return size


def _bounds(skey: tuple) -> tuple:
    from ..model.keys import BOTTOM, TOP
    return (skey[0], skey[1], BOTTOM), (skey[0], skey[1], TOP)


def _footprint(table: Table, skey: tuple, item: dict | None) -> int:
    """Bytes ``item`` (stored at ``skey``) takes in its collection now."""
    if item is None:
        return 0
    n = table.store.size_of(skey)
    for ix in table.indexes.values():
        if ix.kind == "LSI" and ix.schema.has_key(item):
            n += ix.store.size_of(ix.storage_key(item, skey))
    return n


def _predicted(table: Table, plan: WritePlan) -> int:
    """Bytes ``plan.new`` will take in its collection once written."""
    if plan.new is None:
        return 0
    n = plan.size
    for ix in table.indexes.values():
        if ix.kind == "LSI" and ix.schema.has_key(plan.new):
            projected = ix.project(plan.new, table.schema)
            n += plan.size if projected is plan.new else item_size(projected)
    return n


def collection_error() -> DynamoDBError:
    """DynamoDB's ``ItemCollectionSizeLimitExceededException`` (HTTP 400)."""
    return DynamoDBError("ItemCollectionSizeLimitExceededException", _COLLECTION_MESSAGE)


def check_collections(svc: "ServiceState", plans: list, *, raise_error: bool = True) -> int | None:
    """Refuse writes that would grow an item collection past the limit
    (``svc.index_options["item_collection_limit"]``, 10 GB by default).

    ``plans`` are applied in order, so several writes to one collection add
    up. Raises :func:`collection_error` (or, with ``raise_error=False``,
    returns the index of the first refused plan; None when all fit).
    Writes that shrink a collection always pass. O(plans) once each
    collection has been measured.
    """
    limit = None
    grown: dict = {}
    for i, plan in enumerate(plans):
        if plan is None or plan.new is None or \
                plan.table.__dict__.get("_collection_bytes", True) is False:
            continue
        table = plan.table
        if _collections(table) is None:
            continue
        if limit is None:
            limit = svc.index_opts.item_collection_limit
        skey = table.schema.storage_key(plan.key)
        ck = (table.name, skey[:2])
        before = grown.get(ck)
        if before is None:
            before = collection_size(table, skey)
        after = before - _footprint(table, skey, plan.old) + _predicted(table, plan)
        if after > before and after > limit:
            if raise_error:
                raise collection_error()
            return i
        grown[ck] = after
    return None


def put_item(svc: "ServiceState", p: PutItemInput) -> PutItemOutput:
    return cast(PutItemOutput, _write(svc, p, "PutItem"))


def update_item(svc: "ServiceState", p: UpdateItemInput) -> UpdateItemOutput:
    return cast(UpdateItemOutput, _write(svc, p, "UpdateItem"))


def delete_item(svc: "ServiceState", p: DeleteItemInput) -> DeleteItemOutput:
    return cast(DeleteItemOutput, _write(svc, p, "DeleteItem"))


def get_item(svc: "ServiceState", p: GetItemInput) -> GetItemOutput:
    table = table_for_data(svc, p["TableName"])
    key = read_key(table, p["Key"])
    expr = prepare(p, "GetItem")
    consistent = bool(p.get("ConsistentRead", False))
    item = svc.replication.get(table, table.schema.storage_key(key), consistent)
    meter = Meter(p["TableName"])
    units = read_units(item_size(item) if item else 0, consistent)
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
    return cast(GetItemOutput, out)


def expire_item(svc: "ServiceState", table: Table, item: dict) -> None:
    """Delete an item whose time to live has passed (the TTL sweeper)."""
    key = table.schema.key_of(item)
    try:       # a partition without a leader now expires it at a later sweep
        prepare_observers(svc, table, table.schema.storage_key(key)[0])
    except DynamoDBError:
        return
    commit(svc, WritePlan(table, key, item, None, "delete"), cause="ttl")
