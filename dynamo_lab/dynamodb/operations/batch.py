"""BatchGetItem and BatchWriteItem: many items, several tables, one call.

A batch is not a transaction: each item succeeds or fails on its own, and
what the service does not get to comes back as ``UnprocessedKeys`` /
``UnprocessedItems`` for the caller to retry. Here a BatchGetItem leaves
keys unprocessed once its answer passes 16 MB; throttling (a later issue)
will leave more. The request as a whole is still checked first: at most 100
keys or 25 writes, no key twice, every key matching its table's schema.
Each item is charged on its partition's capacity: a throttled item comes
back unprocessed, and when every item is throttled the call fails with the
throttling error, as on AWS.

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0)
>>> from dynamo_lab.dynamodb.service import handle
>>> _ = handle(ddb, "CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
>>> handle(ddb, "BatchWriteItem", {"RequestItems": {"Tab": [
...     {"PutRequest": {"Item": {"id": {"S": "a"}}}},
...     {"PutRequest": {"Item": {"id": {"S": "b"}}}}]}})
{'UnprocessedItems': {}}
>>> r = handle(ddb, "BatchGetItem", {"RequestItems": {"Tab": {"Keys": [
...     {"id": {"S": "a"}}, {"id": {"S": "zz"}}]}}})
>>> r["Responses"]["Tab"], r["UnprocessedKeys"]
([{'id': {'S': 'a'}}], {})
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ..capacity.units import Meter, read_units
from ..commit import prepare_observers
from ..errors import DynamoDBError, ValidationError
from ..model.evaluate import prepare
from ..model.shapes import (
    BatchGetItemInput,
    BatchGetItemOutput,
    BatchWriteItemInput,
    BatchWriteItemOutput,
)
from ..model.size import check_item_size, item_size
from ..model.types import validate_item
from ..replication.groups import unavailable
from ..tables.layout import charge_read, charge_write, throttle_error
from ..tables.lookup import table_for_data
from .items import WritePlan, check_collections, commit, read_key

if TYPE_CHECKING:  # pragma: no cover
    from ..state import ServiceState

__all__ = ["batch_get_item", "batch_write_item", "MAX_GET_KEYS", "MAX_WRITES",
           "MAX_RESPONSE_BYTES"]

MAX_GET_KEYS = 100
MAX_WRITES = 25
MAX_RESPONSE_BYTES = 16 * 1024 * 1024

_DUPLICATES = "Provided list of item keys contains duplicates"


def batch_get_item(svc: "ServiceState", p: BatchGetItemInput) -> BatchGetItemOutput:
    requests = p["RequestItems"]
    if sum(len(r.get("Keys") or ()) for r in requests.values()) > MAX_GET_KEYS:
        raise ValidationError("Too many items requested for the BatchGetItem call")
    plan = []
    for name, r in requests.items():
        table = table_for_data(svc, name)
        if not r.get("Keys"):
            raise ValidationError("1 validation error detected: Value null at "
                                  f"'requestItems.{name}.member.keys' failed to satisfy "
                                  "constraint: Member must not be null")
        expr = prepare(r, "BatchGetItem")
        keys, seen = [], set()
        for k in r["Keys"]:
            key = read_key(table, k)
            skey = table.schema.storage_key(key)
            if skey in seen:
                raise ValidationError(_DUPLICATES)
            seen.add(skey)
            keys.append((k, key))
        plan.append((name, table, expr, keys, bool(r.get("ConsistentRead", False))))
    # -- read ---------------------------------------------------------------
    responses: dict[str, list] = {}
    unprocessed: dict[str, dict] = {}
    meters = []
    total = 0
    served, refused, failed = 0, None, 0
    for name, table, expr, keys, consistent in plan:
        meter = Meter(name)  # as the request named it (name or ARN)
        got = responses.setdefault(name, [])
        for wire_key, key in keys:
            if total > MAX_RESPONSE_BYTES:
                entry = unprocessed.setdefault(name, {k: v for k, v in requests[name].items()
                                                      if k != "Keys"})
                entry.setdefault("Keys", []).append(wire_key)
                continue
            try:        # a partition that cannot answer now leaves the key unprocessed
                item = svc.replication.get(table, table.schema.storage_key(key), consistent)
            except DynamoDBError:
                failed += 1
                entry = unprocessed.setdefault(name, {k: v for k, v in requests[name].items()
                                                      if k != "Keys"})
                entry.setdefault("Keys", []).append(wire_key)
                continue
            size = item_size(item) if item else 0
            units = read_units(size, consistent)
            v = charge_read(svc, table.layout, units, h=table.schema.storage_key(key)[0],
                            requests=0 if served or refused else 1)
            if v is not None:
                refused = refused or v
                entry = unprocessed.setdefault(name, {k: v for k, v in requests[name].items()
                                                      if k != "Keys"})
                entry.setdefault("Keys", []).append(wire_key)
                continue
            served += 1
            meter.table_read(units)
            if item is not None:
                total += size
                got.append(expr.project(item))
        meters.append(meter)
    if refused is not None and not served:
        raise throttle_error(refused)
    if failed and not served:
        raise unavailable()
    out: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": unprocessed}
    caps = [m.render(p.get("ReturnConsumedCapacity")) for m in meters]
    if caps and caps[0] is not None:
        out["ConsumedCapacity"] = caps
    return cast(BatchGetItemOutput, out)


def batch_write_item(svc: "ServiceState", p: BatchWriteItemInput) -> BatchWriteItemOutput:
    requests = p["RequestItems"]
    if sum(len(reqs) for reqs in requests.values()) > MAX_WRITES:
        raise ValidationError("Too many items requested for the BatchWriteItem call")
    plans: list[tuple[Meter, list[tuple]]] = []   # (table, key, item, request) each
    for name, reqs in requests.items():
        table = table_for_data(svc, name)
        seen: set = set()
        table_plans: list[Any] = []
        for r in reqs:
            put, delete = r.get("PutRequest"), r.get("DeleteRequest")
            if (put is None) == (delete is None):
                raise ValidationError("Supplied AttributeValue has more than one datatypes set, "
                                      "must contain exactly one of the supported datatypes"
                                      if put is not None else
                                      "1 validation error detected: Value null at "
                                      f"'requestItems.{name}.member.putRequest' failed to "
                                      "satisfy constraint: Member must not be null")
            if put is not None:
                if put.get("Item") is None:
                    raise ValidationError("1 validation error detected: Value null at "
                                          f"'requestItems.{name}.member.putRequest.item' failed "
                                          "to satisfy constraint: Member must not be null")
                item = validate_item(put["Item"])
                table.schema.check_item(item)
                for ix in table.indexes.values():
                    ix.schema.check_item(item, index=ix.name)
                check_item_size(item)
                key = table.schema.key_of(item)
            else:
                assert delete is not None                 # exactly one of the two, checked above
                if delete.get("Key") is None:
                    raise ValidationError("1 validation error detected: Value null at "
                                          f"'requestItems.{name}.member.deleteRequest.key' failed "
                                          "to satisfy constraint: Member must not be null")
                key, item = read_key(table, delete["Key"]), None
            skey = table.schema.storage_key(key)
            if skey in seen:
                raise ValidationError(_DUPLICATES)
            seen.add(skey)
            table_plans.append((table, key, item, r))
        plans.append((Meter(name), table_plans))
    # -- every request checked: write them all -----------------------------
    # An item collection past its limit fails the whole call, before any write.
    planned = [[(WritePlan(table, key, table.get(key), item, "put" if item else "delete"), r)
                for table, key, item, r in table_plans] for _m, table_plans in plans]
    check_collections(svc, [wp for row in planned for wp, _r in row])
    unprocessed: dict[str, list] = {}
    served, refused, failed = 0, None, 0
    for (meter, _tp), row, name in zip(plans, planned, requests):
        for plan, r in row:
            try:        # no leader, or no second replica: the item comes back unprocessed
                prepare_observers(svc, plan.table, plan.table.schema.storage_key(plan.key)[0])
            except DynamoDBError:
                failed += 1
                unprocessed.setdefault(name, []).append(r)
                continue
            v = charge_write(svc, plan, requests=0 if served or refused else 1)
            if v is not None:
                refused = refused or v
                unprocessed.setdefault(name, []).append(r)
                continue
            served += 1
            plan.meter(meter)
            commit(svc, plan)
    if refused is not None and not served:
        raise throttle_error(refused, gsi=True)
    if failed and not served:
        raise unavailable()
    out: dict[str, Any] = {"UnprocessedItems": unprocessed}
    caps = [m.render(p.get("ReturnConsumedCapacity")) for m, _ in plans]
    if caps and caps[0] is not None:
        out["ConsumedCapacity"] = caps
    return cast(BatchWriteItemOutput, out)
