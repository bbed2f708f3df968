"""TransactWriteItems and TransactGetItems: all or nothing, up to 100 actions.

A write transaction runs in three steps. First every action is checked as a
request (keys, items, expressions); a bad one fails the whole call with a
``ValidationException``. Then every condition is evaluated and every update
computed against the items as they stand; if any action fails, nothing is
written and ``TransactionCanceledException`` lists one reason per action, in
request order (``None`` for those that would have succeeded). Only then are
all writes applied.

A ``ClientRequestToken`` makes the call idempotent for ten minutes of
virtual time: the same token with the same request returns the first answer
without writing again; with a different request it is refused.

Every item is read or written twice (prepare, commit), so transactions cost
double capacity, taken from each item's partition before anything is written.
A throttled action cancels the whole transaction (``ThrottlingError`` or
``ProvisionedThroughputExceeded`` in ``CancellationReasons``) and charges
nothing.

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0)
>>> from dynamo_lab.dynamodb.service import handle
>>> _ = handle(ddb, "CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
>>> put = {"Put": {"TableName": "Tab", "Item": {"id": {"S": "a"}},
...                "ConditionExpression": "attribute_not_exists(id)"}}
>>> handle(ddb, "TransactWriteItems", {"TransactItems": [put]})
{}
>>> try:
...     handle(ddb, "TransactWriteItems", {"TransactItems": [put]})
... except Exception as e:
...     print(e.code, e.extra["CancellationReasons"])
TransactionCanceledException [{'Code': 'ConditionalCheckFailed', 'Message': 'The conditional request failed'}]
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from ..capacity.units import Meter, read_units
from ..commit import prepare_observers
from ..errors import DynamoDBError, ValidationError
from ..model.evaluate import prepare
from ..model.shapes import (
    ConsumedCapacity,
    ItemResponse,
    TransactGetItemsInput,
    TransactGetItemsOutput,
    TransactWriteItemsInput,
    TransactWriteItemsOutput,
)
from ..model.size import check_item_size, item_size
from ..model.types import validate_item
from ..tables.layout import all_or_nothing, throttle_error, write_charges
from ..tables.lookup import table_for_data
from .items import WritePlan, check_collections, check_key_untouched, commit, read_key, update_plan

if TYPE_CHECKING:  # pragma: no cover
    from ..state import ServiceState
    from ..tables.table import Table

__all__ = ["transact_write_items", "transact_get_items", "check_one_region", "TOKEN_WINDOW_MS", "MAX_ACTIONS"]

MAX_ACTIONS = 100
#: How long a ClientRequestToken is remembered: ten minutes.
TOKEN_WINDOW_MS = 10 * 60 * 1000
MAX_TRANSACTION_BYTES = 4 * 1024 * 1024
_ONE_ITEM = "Transaction request cannot include multiple operations on one item"
_KINDS = ("ConditionCheck", "Put", "Delete", "Update")


class _Action:
    """One entry of TransactItems, checked."""

    __slots__ = ("kind", "p", "table", "key", "item", "expr", "skey")
    kind: str
    p: dict
    table: Table
    key: dict
    item: dict | None
    expr: Any
    skey: tuple


def _parse_action(svc: "ServiceState", entry: Mapping[str, Any], i: int) -> _Action:
    present = [k for k in _KINDS if entry.get(k) is not None]
    if len(present) != 1:
        raise ValidationError("TransactItems can only contain one of Check, Put, Update or Delete")
    a = _Action()
    a.kind = present[0]
    a.p = entry[a.kind]
    a.table = table_for_data(svc, a.p["TableName"])
    schema = a.table.schema
    a.item = None
    if a.kind == "Put":
        a.item = validate_item(a.p["Item"])
        schema.check_item(a.item)
        for ix in a.table.indexes.values():
            ix.schema.check_item(a.item, index=ix.name)
        check_item_size(a.item)
        a.key = schema.key_of(a.item)
    else:
        a.key = read_key(a.table, a.p["Key"])
    if a.kind == "ConditionCheck" and a.p.get("ConditionExpression") is None:
        raise ValidationError("1 validation error detected: Value null at "
                              f"'transactItems.{i}.member.conditionCheck.conditionExpression' "
                              "failed to satisfy constraint: Member must not be null")
    if a.kind == "Update" and a.p.get("UpdateExpression") is None:
        raise ValidationError("1 validation error detected: Value null at "
                              f"'transactItems.{i}.member.update.updateExpression' failed to "
                              "satisfy constraint: Member must not be null")
    a.expr = prepare(a.p, a.kind)
    if a.kind == "Update":
        check_key_untouched(a.table, a.expr)
    a.skey = (a.table.name, schema.storage_key(a.key))
    return a


def _fingerprint(p: Mapping[str, Any]) -> str:
    body = {k: v for k, v in p.items() if k != "ClientRequestToken"}
    return json.dumps(body, sort_keys=True, default=str)


def _remembered(svc: "ServiceState", token: str | None,
                p: Mapping[str, Any]) -> dict | None:
    if token is None:
        return None
    now = svc.sim.now
    for t, rec in list(svc.transactions.items()):
        if now - rec[0] >= TOKEN_WINDOW_MS:
            del svc.transactions[t]
    rec = svc.transactions.get(token)
    if rec is None:
        return None
    if rec[1] != _fingerprint(p):
        raise DynamoDBError("IdempotentParameterMismatchException",
                            "The request uses the same client token as a previous, but "
                            "non-identical request.")
    return rec[2]


_ARN = re.compile(r"arn:[^:]*:dynamodb:([^:]*):([^:]*):table/.+")


def check_one_region(svc: "ServiceState", names: list[str]) -> None:
    """A transaction's tables are in the caller's account and Region: a table
    given by an ARN that names another Region (or account) is refused before
    anything is read, in the words DynamoDB uses for a table ARN of another
    Region. O(actions)."""
    for name in names:
        m = _ARN.fullmatch(name)
        if m is not None and (m.group(1), m.group(2)) != (svc.region, svc.account):
            what = "AWS region" if m.group(1) != svc.region else "AWS account"
            raise ValidationError(f"1 validation error detected: Invalid {what} in '{name}'")


def _table_names(entries: list, kinds: tuple) -> list[str]:
    return [e[k]["TableName"] for e in entries for k in kinds
            if isinstance(e.get(k), dict) and isinstance(e[k].get("TableName"), str)]


def transact_write_items(svc: "ServiceState", p: TransactWriteItemsInput) -> TransactWriteItemsOutput:
    token = p.get("ClientRequestToken")
    check_one_region(svc, _table_names(p["TransactItems"], _KINDS))
    actions = [_parse_action(svc, e, i) for i, e in enumerate(p["TransactItems"], 1)]
    seen: set = set()
    for a in actions:
        if a.skey in seen:
            raise ValidationError(_ONE_ITEM)
        seen.add(a.skey)
    if sum(item_size(a.item) for a in actions if a.item) > MAX_TRANSACTION_BYTES:
        raise ValidationError("Transaction size has exceeded the maximum allowed size of 4 MB")
    earlier = _remembered(svc, token, p)
    if earlier is not None:
        return cast(TransactWriteItemsOutput, dict(earlier))
    for a in actions:       # every item's partition needs a leader and a second replica
        prepare_observers(svc, a.table, a.skey[1][0])
    # -- evaluate every condition against the items as they are ------------
    reasons: list[dict] = []
    plans: list[WritePlan | None] = []
    meters: dict[str, Meter] = {}
    failed = False
    for a in actions:
        old = a.table.get(a.key)
        meter = meters.setdefault(a.table.name, Meter(a.p["TableName"], split=True))
        try:
            if not a.expr.condition(old):
                reason: dict[str, Any] = {"Code": "ConditionalCheckFailed",
                          "Message": "The conditional request failed"}
                if a.p.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
                    reason["Item"] = old
                reasons.append(reason)
                plans.append(None)
                failed = True
                continue
            if a.kind == "ConditionCheck":
                meter.table_read(read_units(item_size(old) if old else 0, True, True))
                plan = None
            elif a.kind == "Put":
                plan = WritePlan(a.table, a.key, old, a.item, "put")
            elif a.kind == "Delete":
                plan = WritePlan(a.table, a.key, old, None, "delete")
            else:
                plan = update_plan(a.table, a.key, old, a.expr)
        except ValidationError as e:
            reasons.append({"Code": "ValidationError", "Message": e.message})
            plans.append(None)
            failed = True
            continue
        reasons.append({"Code": "None"})
        plans.append(plan)
    if not failed:
        over = check_collections(svc, plans, raise_error=False)
        if over is not None:
            reasons[over] = {"Code": "ItemCollectionSizeLimitExceeded",
                             "Message": "Collection size exceeded."}
            failed = True
    if not failed:
        charges = []
        for i, (a, plan) in enumerate(zip(actions, plans)):
            if plan is not None:
                charges += [(i,) + c for c in write_charges(plan, 2, requests=0)]
            elif a.table.layout is not None:
                old = a.table.get(a.key)
                charges.append((i, a.table.layout.cap, "read",
                                read_units(item_size(old) if old else 0, True, True),
                                a.table.schema.storage_key(a.key)[0], None, 0))
        v, where = _charge(svc, charges)
        if v is not None:
            reasons[where] = _throttle_reason(v)
            failed = True
    if failed:
        codes = ", ".join(r["Code"] for r in reasons)
        svc.log.emit("txn.canceled", token=token, reasons=tuple(r["Code"] for r in reasons))
        raise DynamoDBError("TransactionCanceledException",
                            "Transaction cancelled, please refer cancellation reasons for "
                            f"specific reasons [{codes}]", CancellationReasons=reasons)
    # -- commit ------------------------------------------------------------
    for a, plan in zip(actions, plans):
        if plan is not None:
            plan.meter(meters[a.table.name], transactional=True)
            commit(svc, plan)
    svc.log.emit("txn.committed", token=token, actions=len(actions),
                 tables=tuple(sorted({a.table.name for a in actions})))
    out: TransactWriteItemsOutput = {}
    caps = [m.render(p.get("ReturnConsumedCapacity")) for m in meters.values()]
    if caps and caps[0] is not None:
        out["ConsumedCapacity"] = cast(list[ConsumedCapacity], caps)
    if token is not None:
        svc.transactions[token] = (svc.sim.now, _fingerprint(p), out)
    return out


def _charge(svc: "ServiceState", charges: list) -> tuple:
    """Consume ``[(action, cap, op, units, hash, pid, requests), ...]`` all or
    nothing: ``(None, None)``, or the refusal and its action's index."""
    # The transaction is one request: its first charge counts it.
    v, n = all_or_nothing([(cap, op, units, h, pid, 1 if k == 0 else rq)
                           for k, (_i, cap, op, units, h, pid, rq) in enumerate(charges)],
                          svc.sim.now)
    return (None, None) if v is None or n is None else (v, charges[n][0])


def _throttle_reason(v: Any) -> dict:
    err = throttle_error(v, gsi=True)
    if v.code == "ThrottlingException":
        return {"Code": "ThrottlingError", "Message": err.message}
    return {"Code": "ProvisionedThroughputExceeded", "Message": err.message}


def transact_get_items(svc: "ServiceState", p: TransactGetItemsInput) -> TransactGetItemsOutput:
    check_one_region(svc, _table_names(p["TransactItems"], ("Get",)))
    gets = []
    seen: set = set()
    for i, entry in enumerate(p["TransactItems"], 1):
        g = entry.get("Get")
        if g is None:
            raise ValidationError("1 validation error detected: Value null at "
                                  f"'transactItems.{i}.member.get' failed to satisfy "
                                  "constraint: Member must not be null")
        table = table_for_data(svc, g["TableName"])
        key = read_key(table, g["Key"])
        skey = (table.name, table.schema.storage_key(key))
        if skey in seen:
            raise ValidationError(_ONE_ITEM)
        seen.add(skey)
        gets.append((table, key, prepare(cast(dict, g), "Get"), g["TableName"]))
    for table, key, _e, _n in gets:     # serializable reads: each partition's leader
        svc.replication.check_leader(table, table.schema.storage_key(key)[0])
    responses: list[dict] = []
    meters: dict[str, Meter] = {}
    charges = [(i, table.layout.cap, "read",  # type: ignore[union-attr]  # wired at CreateTable
                read_units(item_size(table.get(key) or {}), True, True),
                table.schema.storage_key(key)[0], None, 0)
               for i, (table, key, _e, _n) in enumerate(gets) if table.layout is not None]
    v, where = _charge(svc, charges)
    if v is not None:
        reasons = [{"Code": "None"} for _ in gets]
        reasons[where] = _throttle_reason(v)
        codes = ", ".join(r["Code"] for r in reasons)
        raise DynamoDBError("TransactionCanceledException",
                            "Transaction cancelled, please refer cancellation reasons for "
                            f"specific reasons [{codes}]", CancellationReasons=reasons)
    for table, key, expr, named in gets:
        item = table.get(key)
        meter = meters.setdefault(table.name, Meter(named, split=True))
        meter.table_read(read_units(item_size(item) if item else 0, True, True))
        responses.append({"Item": expr.project(item)} if item is not None else {})
    out: TransactGetItemsOutput = {"Responses": cast(list[ItemResponse], responses)}
    caps = [m.render(p.get("ReturnConsumedCapacity")) for m in meters.values()]
    if caps and caps[0] is not None:
        out["ConsumedCapacity"] = cast(list[ConsumedCapacity], caps)
    return out
