"""The control plane: CreateTable, DescribeTable, ListTables, UpdateTable,
DeleteTable, time to live and tags.

Each function takes the service and a request already checked against the
API's shapes (:mod:`..model.validate`) and returns the response body. Every rule is
checked before anything changes, so a refused request leaves no trace.

Tables change state in virtual time: CreateTable answers ``CREATING`` and the
table turns ``ACTIVE`` ``create_ms`` later; DeleteTable answers ``DELETING``
and the table is gone ``delete_ms`` later; UpdateTable passes through
``UPDATING``. Item operations see a table only while it is ``ACTIVE`` or
``UPDATING``, as on AWS.

An attribute is defined once, with one type (a second definition is named
in the refusal); tags follow DynamoDB's tagging restrictions
(:data:`TAG_PATTERN`, 128/256 characters, no ``aws:`` keys, 50 a table) at
CreateTable and TagResource alike; DeleteTable's answer leaves out what AWS
leaves out (:data:`DELETED_OMITS`).

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=1)
>>> from dynamo_lab.dynamodb.service import handle
>>> r = handle(ddb, "CreateTable", {"TableName": "Tab",
...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
...     "BillingMode": "PAY_PER_REQUEST"})
>>> r["TableDescription"]["TableStatus"]
'CREATING'
>>> ddb.run(ms=500)
>>> handle(ddb, "DescribeTable", {"TableName": "Tab"})["Table"]["TableStatus"]
'ACTIVE'
>>> handle(ddb, "ListTables", {})
{'TableNames': ['Tab']}
>>> arn = "arn:aws:dynamodb:us-east-1:000000000000:table/Tab"
>>> try:
...     handle(ddb, "TagResource", {"ResourceArn": arn, "Tags": [{"Key": "a#b", "Value": ""}]})
... except Exception as e:
...     print(e)
1 validation error detected: Value 'a#b' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-]*
>>> sorted(handle(ddb, "DeleteTable", {"TableName": "Tab"})["TableDescription"])[:4]
['BillingModeSummary', 'DeletionProtectionEnabled', 'ItemCount', 'ProvisionedThroughput']
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from ..errors import DynamoDBError, ValidationError
from ..model.keys import KeySchema
from ..model.shapes import (
    CreateTableInput,
    CreateTableOutput,
    DeleteTableInput,
    DeleteTableOutput,
    DescribeLimitsInput,
    DescribeLimitsOutput,
    DescribeTableInput,
    DescribeTableOutput,
    DescribeTimeToLiveInput,
    DescribeTimeToLiveOutput,
    ListTablesInput,
    ListTablesOutput,
    ListTagsOfResourceInput,
    ListTagsOfResourceOutput,
    TableDescription,
    TagResourceInput,
    TagResourceOutput,
    TimeToLiveDescription,
    UntagResourceInput,
    UntagResourceOutput,
    UpdateTableInput,
    UpdateTableOutput,
    UpdateTimeToLiveInput,
    UpdateTimeToLiveOutput,
)
from ..tables import propagation
from ..tables.layout import announce, ensure
from ..tables.lookup import check_table_name, table_for_control
from ..tables.table import Index, Table, Throughput
from .ttl import ensure_ttl_sweeper

if TYPE_CHECKING:  # pragma: no cover
    from ..state import ServiceState

__all__ = ["create_table", "describe_table", "list_tables", "delete_table", "update_table",
           "update_time_to_live", "describe_time_to_live", "tag_resource",
           "untag_resource", "list_tags_of_resource", "describe_limits", "check_table_name",
           "TAG_PATTERN", "DELETED_OMITS"]

_INVALID = "One or more parameter values were invalid: "
MAX_LSI, MAX_GSI = 5, 20


def _required(p: Mapping[str, Any], *names: str) -> None:
    missing = [n for n in names if p.get(n) is None]
    if missing:
        parts = [f"Value null at '{n[0].lower() + n[1:]}' failed to satisfy constraint: "
                 "Member must not be null" for n in missing]
        k = len(parts)
        raise ValidationError(f"{k} validation error{'s' if k > 1 else ''} detected: "
                              + "; ".join(parts))


def _check_schema(ks: list, defs: list[str], what: str | None = None) -> None:
    names = [k["AttributeName"] for k in ks]
    if not 1 <= len(ks) <= 2:
        raise ValidationError(
            f"1 validation error detected: Value '{ks}' at 'keySchema' failed to satisfy "
            "constraint: Member must have length "
            + ("greater than or equal to 1" if not ks else "less than or equal to 2"))
    if any(n not in defs for n in names):
        raise ValidationError(_INVALID + "Some index key attributes are not defined in "
                              f"AttributeDefinitions. Keys: [{', '.join(names)}], "
                              f"AttributeDefinitions: [{', '.join(defs)}]")
    if len(names) == 2 and names[0] == names[1]:
        raise ValidationError("Both the Hash Key and the Range Key element in the KeySchema "
                              "have the same name")
    if ks[0]["KeyType"] != "HASH":
        raise ValidationError("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if len(ks) == 2 and ks[1]["KeyType"] != "RANGE":
        raise ValidationError("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")


def _check_unique_definitions(defs: list, known: dict | None = None) -> None:
    """Each attribute is defined once, with one type: a second definition
    (the same type or another, as a GSI of another type asks for) is refused
    and named. ``known``: the types a table already has (UpdateTable)."""
    seen: dict[str, str] = dict(known or {})
    fresh: set[str] = set()
    for a in defs:
        name, kind = a["AttributeName"], a["AttributeType"]
        if name in fresh or seen.get(name, kind) != kind:
            raise ValidationError(f"{_INVALID}Cannot have two attributes with the same name: "
                                  f"{name}")
        seen[name] = kind
        fresh.add(name)


def _check_projection(ix: Mapping[str, Any]) -> dict:
    proj = ix["Projection"]
    ptype = proj.get("ProjectionType")
    if ptype is None:
        raise ValidationError(_INVALID + "Unknown ProjectionType: null")
    if proj.get("NonKeyAttributes") is not None and ptype != "INCLUDE":
        raise ValidationError(_INVALID + f"ProjectionType is {ptype}, but NonKeyAttributes "
                              "is specified")
    if ptype == "INCLUDE" and not proj.get("NonKeyAttributes"):
        raise ValidationError(_INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes "
                              "is not specified")
    return proj


def _throughput(pt: Mapping[str, Any] | None, billing: str,
                index: str | None = None) -> Throughput:
    if billing == "PAY_PER_REQUEST":
        if pt is not None:
            if index is not None:
                raise ValidationError(_INVALID + f"ProvisionedThroughput should not be specified "
                                      f"for index: {index} when BillingMode is PAY_PER_REQUEST")
            raise ValidationError(_INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits "
                                  "can be specified when BillingMode is PAY_PER_REQUEST")
        return Throughput(0, 0)
    if pt is None:
        if index is not None:
            raise ValidationError(_INVALID + "ProvisionedThroughput must be specified for "
                                  f"index: {index}")
        raise ValidationError(_INVALID + "ReadCapacityUnits and WriteCapacityUnits must both "
                              "be specified when BillingMode is PROVISIONED")
    for unit in ("ReadCapacityUnits", "WriteCapacityUnits"):
        v = pt[unit]
        if v < 1:
            raise ValidationError(_INVALID + f"{unit} must be greater than 0")
        if v > 1_000_000_000_000:
            raise ValidationError(f"Given value {v} for {unit} is out of bounds")
    return Throughput(int(pt["ReadCapacityUnits"]), int(pt["WriteCapacityUnits"]))


def _check_stream(spec: Mapping[str, Any] | None) -> dict | None:
    if spec is None:
        return None
    if spec["StreamEnabled"] and not spec.get("StreamViewType"):
        raise ValidationError(_INVALID + "StreamViewType is required when StreamEnabled is true")
    if not spec["StreamEnabled"] and spec.get("StreamViewType"):
        raise ValidationError(_INVALID + "StreamViewType should not be specified when "
                              "StreamEnabled is false")
    return {"StreamEnabled": True, "StreamViewType": spec["StreamViewType"]} \
        if spec["StreamEnabled"] else None


def _build_index(kind: str, ix: Mapping[str, Any], types: dict, table_hash: str, billing: str,
                 table_has_range: bool, seen: set) -> Index:
    name = ix["IndexName"]
    _check_schema(ix["KeySchema"], list(types))
    if kind == "LSI":
        if not table_has_range:
            raise ValidationError(_INVALID + "Table KeySchema does not have a range key, which "
                                  "is required when specifying a LocalSecondaryIndex")
        if len(ix["KeySchema"]) != 2:
            raise ValidationError(_INVALID + "Index KeySchema does not have a range key for "
                                  f"index: {name}")
        h = ix["KeySchema"][0]["AttributeName"]
        if h != table_hash:
            raise ValidationError(_INVALID + "Index KeySchema does not have the same leading "
                                  f"hash key as table KeySchema for index: {name}. index hash "
                                  f"key: {h}, table hash key: {table_hash}")
    proj = _check_projection(ix)
    if name in seen:
        raise ValidationError(_INVALID + f"Duplicate index name: {name}")
    seen.add(name)
    tp = _throughput(ix.get("ProvisionedThroughput"), billing, name) if kind == "GSI" else None
    return Index(kind, name, KeySchema(ix["KeySchema"], types), proj, tp)


def create_table(svc: "ServiceState", p: CreateTableInput) -> CreateTableOutput:
    name = p["TableName"]
    check_table_name(name)
    _required(p, "AttributeDefinitions", "KeySchema")
    defs = [a["AttributeName"] for a in p["AttributeDefinitions"]]
    types = {a["AttributeName"]: a["AttributeType"] for a in p["AttributeDefinitions"]}
    billing = p.get("BillingMode", "PROVISIONED")
    tp = _throughput(p.get("ProvisionedThroughput"), billing)
    ks = p["KeySchema"]
    _check_unique_definitions(p["AttributeDefinitions"])
    if len(ks) > len(defs):
        raise ValidationError("Invalid KeySchema: Some index key attribute have no definition")
    _check_schema(ks, defs)
    lsis, gsis = p.get("LocalSecondaryIndexes"), p.get("GlobalSecondaryIndexes")
    seen: set = set()
    indexes: list[Index] = []
    table_hash = ks[0]["AttributeName"]
    for kind, lst, limit, word in (("LSI", lsis, MAX_LSI, "LocalSecondaryIndexes"),
                                   ("GSI", gsis, MAX_GSI, "GlobalSecondaryIndexes")):
        if lst is None:
            continue
        if not lst:
            raise ValidationError(_INVALID + f"List of {word} is empty")
        for spec in lst:
            indexes.append(_build_index(kind, spec, types, table_hash, billing, len(ks) == 2,
                                        seen))
        if len(lst) > limit:
            raise ValidationError(
                _INVALID + ("Number of LocalSecondaryIndexes exceeds per-table limit of 5"
                            if kind == "LSI" else
                            "GlobalSecondaryIndex count exceeds the per-table limit of 20"))
    used = {k["AttributeName"] for k in ks}
    for ix in indexes:
        used |= set(ix.schema.names)
    if set(defs) != used:
        if not indexes:
            raise ValidationError(_INVALID + "Number of attributes in KeySchema does not exactly "
                                  "match number of attributes defined in AttributeDefinitions")
        raise ValidationError(_INVALID + "Some AttributeDefinitions are not used. "
                              f"AttributeDefinitions: [{', '.join(defs)}], keys used: "
                              f"[{', '.join(k for k in defs if k in used)}]")
    stream = _check_stream(p.get("StreamSpecification"))
    if name in svc.tables:
        raise DynamoDBError("ResourceInUseException", f"Table already exists: {name}")
    _check_tags(p.get("Tags"), {}, at_creation=True)
    # -- every rule passed: now change state ------------------------------
    table = Table(name, ks, p["AttributeDefinitions"], created=svc.epoch_now(),
                  table_id=svc.new_uuid(), billing_mode=billing, throughput=tp)
    if billing == "PAY_PER_REQUEST":
        table.last_pay_per_request = table.created
    for ix in indexes:
        ix.status = "CREATING"
        table.indexes[ix.name] = ix
    if stream:
        table.stream = stream
        table.stream_label = svc.stream_label()
    table.deletion_protection = bool(p.get("DeletionProtectionEnabled", False))
    table.tags = {t["Key"]: t["Value"] for t in p.get("Tags") or ()}
    ensure(svc, table, quiet=True)     # partitions and capacity: the last step that may fail
    # -- commit: the table exists from here on -----------------------------
    svc.tables[name] = table
    svc.log.emit("table.created", table=name, key=tuple(
        (k["AttributeName"], types[k["AttributeName"]], k["KeyType"]) for k in ks),
        billing_mode=billing, indexes=tuple(ix.name for ix in indexes))
    announce(svc, table)
    svc.after(svc.timing.create_ms, _activate, svc, table)
    return {"TableDescription": cast(TableDescription, table.describe(svc.arn(name)))}


def _activate(svc: "ServiceState", table: Table) -> None:
    if svc.tables.get(table.name) is not table or table.status not in ("CREATING", "UPDATING"):
        return
    table.status = "ACTIVE"
    for ix in table.indexes.values():
        if ix.status == "CREATING" and ix.backfilling is None:   # made with the table
            ix.status = "ACTIVE"
    svc.log.emit("table.active", table=table.name)


def describe_table(svc: "ServiceState", p: DescribeTableInput) -> DescribeTableOutput:
    table = table_for_control(svc, p["TableName"])
    return {"Table": cast(TableDescription, table.describe(svc.arn(table.name)))}


def list_tables(svc: "ServiceState", p: ListTablesInput) -> ListTablesOutput:
    limit = p.get("Limit", 100)
    if limit > 100:
        raise ValidationError(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            "constraint: Member must have value less than or equal to 100")
    start = p.get("ExclusiveStartTableName")
    names = sorted(svc.tables)
    if start is not None:
        names = [n for n in names if n > start]
    out: ListTablesOutput = {"TableNames": names[:limit]}
    if len(names) > limit:
        out["LastEvaluatedTableName"] = names[limit - 1]
    return out


#: What DeleteTable's TableDescription leaves out of DescribeTable's: the
#: schema, the indexes and the creation time (observed on AWS; see
#: :func:`delete_table`).
DELETED_OMITS = ("AttributeDefinitions", "KeySchema", "CreationDateTime",
                 "LocalSecondaryIndexes", "GlobalSecondaryIndexes")


def delete_table(svc: "ServiceState", p: DeleteTableInput) -> DeleteTableOutput:
    """DeleteTable: the table turns ``DELETING`` and is gone ``delete_ms``
    later. As the API reference says, a table being created or updated is
    in use, and a table already ``DELETING`` is no error (the same answer
    again). The TableDescription is DescribeTable's without
    :data:`DELETED_OMITS`, as AWS answers."""
    table = table_for_control(svc, p["TableName"])
    if table.status in ("CREATING", "UPDATING"):
        word = {"CREATING": "created", "UPDATING": "updated"}[table.status]
        raise DynamoDBError("ResourceInUseException", "Attempt to change a resource which is "
                            f"still in use: Table is being {word}: {table.name}")
    if table.status != "DELETING":
        if table.deletion_protection:
            raise ValidationError("Resource cannot be deleted as it is currently protected "
                                  "against deletion. Disable deletion protection first.")
        table.status = "DELETING"
        svc.log.emit("table.deleting", table=table.name, items=table.item_count)
        svc.after(svc.timing.delete_ms, _drop, svc, table)
    desc = table.describe(svc.arn(table.name))
    return {"TableDescription": cast(TableDescription, {
        k: v for k, v in desc.items() if k not in DELETED_OMITS})}


def _drop(svc: "ServiceState", table: Table) -> None:
    if svc.tables.get(table.name) is table:
        del svc.tables[table.name]
        svc.log.emit("table.deleted", table=table.name)


def update_table(svc: "ServiceState", p: UpdateTableInput) -> UpdateTableOutput:
    table = table_for_control(svc, p["TableName"])
    if table.status != "ACTIVE":
        word = {"CREATING": "created", "UPDATING": "updated", "DELETING": "deleted"}[table.status]
        raise DynamoDBError("ResourceInUseException", "Attempt to change a resource which is "
                            f"still in use: Table is being {word}: {table.name}")
    changes: list[str] = []
    billing = p.get("BillingMode", table.billing_mode)
    new_tp = None
    if "ProvisionedThroughput" in p:
        new_tp = _throughput(p["ProvisionedThroughput"], billing)
        if (new_tp.read, new_tp.write) == (table.throughput.read, table.throughput.write) \
                and billing == table.billing_mode:
            raise ValidationError("The provisioned throughput for the table will not change. "
                                  "The requested value equals the current value. Current "
                                  f"ReadCapacityUnits provisioned for the table: {new_tp.read}. "
                                  f"Requested ReadCapacityUnits: {new_tp.read}. Current "
                                  f"WriteCapacityUnits provisioned for the table: {new_tp.write}. "
                                  f"Requested WriteCapacityUnits: {new_tp.write}. Refer to the "
                                  "Amazon DynamoDB Developer Guide for current limits and how "
                                  "to request higher limits.")
        changes.append("throughput")
    elif billing == "PROVISIONED" and table.billing_mode == "PAY_PER_REQUEST":
        _throughput(None, "PROVISIONED")
    if billing != table.billing_mode:
        changes.append("billing_mode")
    types = dict(table.types)
    _check_unique_definitions(p.get("AttributeDefinitions") or [], table.types)
    for a in p.get("AttributeDefinitions") or ():
        types[a["AttributeName"]] = a["AttributeType"]
    creates, deletes, updates = [], [], []
    seen = set(table.indexes)
    for u in p.get("GlobalSecondaryIndexUpdates") or ():
        if "Create" in u:
            c = u["Create"]
            if c["IndexName"] in seen:
                raise ValidationError(_INVALID + f"Index already exists: {c['IndexName']}"
                                      if c["IndexName"] in table.indexes else
                                      _INVALID + f"Duplicate index name: {c['IndexName']}")
            creates.append(_build_index("GSI", c, types, table.schema.hash, billing,
                                        table.schema.range is not None, seen))
        elif "Delete" in u:
            n = u["Delete"]["IndexName"]
            ix = table.indexes.get(n)
            if ix is None or ix.kind != "GSI":
                raise DynamoDBError("ResourceNotFoundException",
                                    f"Requested resource not found: Index: {n} not found")
            deletes.append(n)
        elif "Update" in u:
            n = u["Update"]["IndexName"]
            ix = table.indexes.get(n)
            if ix is None or ix.kind != "GSI":
                raise DynamoDBError("ResourceNotFoundException",
                                    f"Requested resource not found: Index: {n} not found")
            updates.append((ix, _throughput(u["Update"].get("ProvisionedThroughput"), billing, n)))
    if len([i for i in table.indexes.values() if i.kind == "GSI"]) + len(creates) > MAX_GSI:
        raise DynamoDBError("LimitExceededException", "Subscriber limit exceeded: "
                            "Number of GlobalSecondaryIndexes exceeds per-table limit of 20")
    stream_spec = p.get("StreamSpecification")
    stream = _check_stream(stream_spec) if stream_spec is not None else table.stream
    if stream_spec is not None:
        if stream and table.stream:
            raise ValidationError("Table already has an enabled stream: "
                                  f"{svc.arn(table.name)}/stream/{table.stream_label}")
        if not stream and not table.stream:
            raise ValidationError("Table already has no stream enabled")
        changes.append("stream")
    if "DeletionProtectionEnabled" in p:
        changes.append("deletion_protection")
    if creates or deletes or updates:
        changes.append("indexes")
    if not changes:
        raise ValidationError("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                              "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates "
                              "is required")
    # -- apply -------------------------------------------------------------
    now = svc.epoch_now()
    if billing != table.billing_mode:
        table.billing_mode = billing
        table.billing_mode_explicit = True
        if billing == "PAY_PER_REQUEST":
            table.last_pay_per_request = now
            table.throughput = Throughput(0, 0)
    if new_tp is not None:
        table.throughput.change(new_tp.read, new_tp.write, now)
    table.attribute_definitions = [{"AttributeName": k, "AttributeType": v}
                                   for k, v in types.items()
                                   if k in table.schema.names or any(
                                       k in ix.schema.names for ix in table.indexes.values()
                                       if ix.name not in deletes) or any(
                                       k in ix.schema.names for ix in creates)]
    table.types = types
    for n in deletes:
        propagation.forget(svc, table, table.indexes.pop(n))
    for ix, tp in updates:
        ix.throughput = tp
    for ix in creates:
        table.indexes[ix.name] = ix
        propagation.start_backfill(svc, table, ix)   # CREATING, Backfilling, then ACTIVE
    if stream_spec is not None:
        table.stream = stream
        if stream:
            table.stream_label = svc.stream_label()
    if "DeletionProtectionEnabled" in p:
        table.deletion_protection = bool(p["DeletionProtectionEnabled"])
    table.status = "UPDATING"
    svc.log.emit("table.updated", table=table.name, changes=tuple(changes))
    ensure(svc, table)           # new throughput, new or deleted GSIs: partitions follow
    svc.after(svc.timing.update_ms, _activate, svc, table)
    return {"TableDescription": cast(TableDescription, table.describe(svc.arn(table.name)))}


def describe_limits(svc: "ServiceState", p: DescribeLimitsInput) -> DescribeLimitsOutput:
    """The default quotas of a Region (us-east-1), as DescribeLimits reports them."""
    return {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
            "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}


# -- time to live ------------------------------------------------------------
def update_time_to_live(svc: "ServiceState", p: UpdateTimeToLiveInput) -> UpdateTimeToLiveOutput:
    table = table_for_control(svc, p["TableName"])
    spec = p["TimeToLiveSpecification"]
    enabled, attr = spec["Enabled"], spec["AttributeName"]
    status = table.ttl["TimeToLiveStatus"]
    if enabled and status == "ENABLED":
        raise ValidationError("TimeToLive is already enabled")
    if not enabled and status == "DISABLED":
        raise ValidationError("TimeToLive is already disabled")
    if not enabled and table.ttl.get("AttributeName") != attr:
        raise ValidationError("Time to live attribute name provided does not match the current "
                              "attribute name")
    table.ttl = ({"TimeToLiveStatus": "ENABLED", "AttributeName": attr} if enabled
                 else {"TimeToLiveStatus": "DISABLED"})
    svc.log.emit("ttl.updated", table=table.name, enabled=bool(enabled), attribute=attr)
    ensure_ttl_sweeper(svc)
    return {"TimeToLiveSpecification": {"Enabled": bool(enabled), "AttributeName": attr}}


def describe_time_to_live(svc: "ServiceState", p: DescribeTimeToLiveInput) -> DescribeTimeToLiveOutput:
    table = table_for_control(svc, p["TableName"])
    return {"TimeToLiveDescription": cast(TimeToLiveDescription, dict(table.ttl))}


# -- tags --------------------------------------------------------------------
#: DynamoDB's tagging restrictions: letters, white space, numbers and ``+ - = . _ : /``.
TAG_PATTERN = r"[\p{L}\p{Z}\p{N}_.:/=+\-]*"
MAX_TAGS, MAX_TAG_KEY, MAX_TAG_VALUE = 50, 128, 256


def _tag_text_ok(text: str) -> bool:
    return all(ch.isalpha() or ch.isnumeric() or ch.isspace() or ch in "+-=._:/"
               for ch in text)


def _check_tags(tags: list | None, current: dict, at_creation: bool = False) -> None:
    """DynamoDB's tagging restrictions, checked before any tag is set: key
    1-128 and value 0-256 characters of the allowed set, no ``aws:`` prefix,
    at most 50 tags on the table afterwards, and TagResource names one tag
    at least."""
    if tags is None:
        return
    if not tags and not at_creation:
        raise ValidationError("Atleast one Tag needs to be provided as Input.")
    for i, tag in enumerate(tags, 1):
        for part, top in (("Key", MAX_TAG_KEY), ("Value", MAX_TAG_VALUE)):
            text, where = tag[part], f"tags.{i}.member.{part.lower()}"
            low = 1 if part == "Key" else 0
            if not low <= len(text) <= top:
                bound = (f"greater than or equal to {low}" if len(text) < low
                         else f"less than or equal to {top}")
                raise ValidationError(f"1 validation error detected: Value '{text}' at "
                                      f"'{where}' failed to satisfy constraint: Member must "
                                      f"have length {bound}")
            if not _tag_text_ok(text):
                raise ValidationError(f"1 validation error detected: Value '{text}' at "
                                      f"'{where}' failed to satisfy constraint: Member must "
                                      f"satisfy regular expression pattern: {TAG_PATTERN}")
        if tag["Key"].lower().startswith("aws:"):
            raise ValidationError(_INVALID + "Tag keys starting with 'aws:' are reserved for "
                                  f"AWS use: {tag['Key']}")
    if len(set(current) | {t["Key"] for t in tags}) > MAX_TAGS:
        raise ValidationError(_INVALID + "The number of tags exceeds the limit of 50")


def _table_by_arn(svc: "ServiceState", arn: str) -> Table:
    m = re.fullmatch(r"arn:aws:dynamodb:([^:]*):([^:]*):table/([^/]+)", arn)
    if m is None:
        raise ValidationError(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    table = svc.tables.get(m.group(3))
    if table is None or (m.group(1), m.group(2)) != (svc.region, svc.account):
        raise DynamoDBError("ResourceNotFoundException",
                            f"Requested resource not found: ResourcArn: {arn} not found")
    return table


def tag_resource(svc: "ServiceState", p: TagResourceInput) -> TagResourceOutput:
    table = _table_by_arn(svc, p["ResourceArn"])
    _check_tags(p["Tags"], table.tags)
    for tag in p["Tags"]:
        table.tags[tag["Key"]] = tag["Value"]
    return {}


def untag_resource(svc: "ServiceState", p: UntagResourceInput) -> UntagResourceOutput:
    table = _table_by_arn(svc, p["ResourceArn"])
    for k in p["TagKeys"]:
        table.tags.pop(k, None)
    return {}


def list_tags_of_resource(svc: "ServiceState", p: ListTagsOfResourceInput) -> ListTagsOfResourceOutput:
    table = _table_by_arn(svc, p["ResourceArn"])
    return {"Tags": [{"Key": k, "Value": v} for k, v in table.tags.items()]}
