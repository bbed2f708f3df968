"""Query and Scan: reading many items a page at a time.

A page ends when ``Limit`` items have been *read* or 1 MB of items has been
read, whichever comes first; the filter runs afterwards, on what was read,
which is why ``Count`` (items returned) can be smaller than ``ScannedCount``
(items read) and why a page can be empty yet carry a ``LastEvaluatedKey``.
Capacity is charged on the sum of the sizes read, rounded up once.

Query reads one partition key's items in sort-key order (reversed with
``ScanIndexForward=False``). Scan walks the hash space in order, partition
after partition; a parallel Scan's segment ``s`` of ``n`` reads the hash
positions ``[s * 2**128 / n, (s + 1) * 2**128 / n)``.

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0)
>>> from dynamo_lab.dynamodb.service import handle
>>> _ = handle(ddb, "CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
>>> for i in range(3):
...     _ = handle(ddb, "PutItem", {"TableName": "Tab", "Item": {"id": {"S": str(i)}}})
>>> page = handle(ddb, "Scan", {"TableName": "Tab", "Limit": 2})
>>> page["Count"], page["ScannedCount"], "LastEvaluatedKey" in page
(2, 2, True)
>>> handle(ddb, "Scan", {"TableName": "Tab", "Select": "COUNT"})
{'Count': 3, 'ScannedCount': 3}
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Iterator, cast

from ..capacity.units import Meter, read_units
from ..errors import ValidationError
from ..model.evaluate import prepare
from ..model.keys import HASH_SPACE
from ..model.shapes import QueryInput, QueryOutput, ScanInput, ScanOutput
from ..model.size import item_size
from ..model.types import validate_item
from ..tables.layout import charge_reads, throttle_error
from ..tables.lookup import table_for_data
from ..tables.table import Index, Table

if TYPE_CHECKING:  # pragma: no cover
    from ..state import ServiceState

__all__ = ["query", "scan", "PAGE_BYTES"]

#: A Query or Scan page reads at most this much (1 MB).
PAGE_BYTES = 1024 * 1024


def _index(table: Table, p: Mapping[str, Any]) -> Index | None:
    name = p.get("IndexName")
    if name is None:
        return None
    ix = table.index(name)
    if ix is None:
        raise ValidationError(f"The table does not have the specified index: {name}")
    if ix.kind == "GSI" and p.get("ConsistentRead"):
        raise ValidationError("Consistent reads are not supported on global secondary indexes")
    ix.check_readable()          # a GSI added by UpdateTable and still backfilling
    return ix


def _select(p: Mapping[str, Any], ix: Index | None) -> str:
    sel = p.get("Select")
    projected = p.get("ProjectionExpression") is not None
    listed = p.get("AttributesToGet") is not None
    if sel is None:
        if projected or listed:
            return "SPECIFIC_ATTRIBUTES"
        return "ALL_PROJECTED_ATTRIBUTES" if ix is not None else "ALL_ATTRIBUTES"
    if sel != "SPECIFIC_ATTRIBUTES" and (projected or listed):
        what = {"COUNT": "only the Count"}.get(sel, sel)
        param = "ProjectionExpression" if projected else "AttributesToGet"
        raise ValidationError(f"Cannot specify the {param} when choosing to get {what}")
    if sel == "SPECIFIC_ATTRIBUTES" and not (projected or listed):
        raise ValidationError("Must specify the AttributesToGet or ProjectionExpression when "
                              "choosing to get SPECIFIC_ATTRIBUTES")
    if sel == "ALL_PROJECTED_ATTRIBUTES" and ix is None:
        raise ValidationError("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using "
                              "an IndexName")
    if sel == "ALL_ATTRIBUTES" and ix is not None and ix.kind == "GSI" \
            and ix.projection_type != "ALL":
        raise ValidationError("One or more parameter values were invalid: Select type "
                              "ALL_ATTRIBUTES is not supported for global secondary index "
                              f"{ix.name} because its projection type is not ALL")
    return sel


def _fetches(table: Table, ix: Index | None, select: str, expr) -> bool:
    """Whether each item read from a local secondary index is fetched whole
    from the table: when the query asks for all attributes, or names one the
    index does not project. A global secondary index never fetches."""
    if ix is None or ix.kind != "LSI" or ix.projection_type == "ALL":
        return False
    if select == "ALL_ATTRIBUTES":
        return True
    if select != "SPECIFIC_ATTRIBUTES":
        return False
    kept = set(table.schema.names) | set(ix.schema.names)
    if ix.projection_type == "INCLUDE":
        kept |= set(ix.projection.get("NonKeyAttributes", ()))
    return not (expr.projected_tops or set()) <= kept


def _start_key(table: Table, ix: Index | None, p: Mapping[str, Any]) -> tuple | None:
    """The storage key a page resumes after, from ``ExclusiveStartKey``."""
    esk = p.get("ExclusiveStartKey")
    if esk is None:
        return None
    try:
        esk = validate_item(esk)
    except ValidationError as e:
        raise ValidationError(f"The provided starting key is invalid: {e.message}") from None
    need = set(table.schema.names) | (set(ix.schema.names) if ix else set())
    if set(esk) != need or not table.schema.has_key(esk) or (ix and not ix.schema.has_key(esk)):
        raise ValidationError("The provided starting key is invalid: The provided key element "
                              "does not match the schema")
    tkey = table.schema.storage_key(esk)
    return ix.storage_key(esk, tkey) if ix else tkey


def _page(svc: "ServiceState", table: Table, ix: Index | None, p: Mapping[str, Any], op: str,
          rows: Iterator[tuple], key_ok=None, home: int = 0) -> dict:
    """Read one page from ``rows`` (``(skey, item)`` in order) and answer.

    The page's read units are charged, before it is answered, on the
    partitions it read, in proportion to the bytes read from each (``home``:
    the hash whose partition pays when nothing was read)."""
    expr = prepare(p, op) if key_ok is None else key_ok[1]
    key_pred = None if key_ok is None else key_ok[0]
    select = _select(p, ix)
    fetch = _fetches(table, ix, select, expr)
    limit = p.get("Limit")
    consistent = bool(p.get("ConsistentRead", False))
    size = scanned = 0
    items: list[dict] = []
    last: dict | None = None
    stopped = False
    full_reads = 0.0
    store = ix.store if ix is not None and ix.kind == "GSI" else table.store
    per_part: dict = {}                   # partition id -> bytes read there
    last_pos, last_pid = None, None
    for _skey, item in rows:
        if key_pred is not None and not key_pred(item):
            continue                      # outside the key condition: never read
        scanned += 1
        isize = item_size(item)
        size += isize
        if _skey[0] != last_pos:
            last_pos, last_pid = _skey[0], store.partition_for(_skey[0]).id
        per_part[last_pid] = per_part.get(last_pid, 0) + isize
        if expr.filter(item):
            shown = item
            if fetch:
                # An LSI fetches the attributes it does not project from the
                # table: one read of the whole item, per item returned.
                shown = table.get(table.schema.key_of(item)) or item
                full_reads += read_units(item_size(shown), consistent)
            items.append(expr.project(shown) if select == "SPECIFIC_ATTRIBUTES" else shown)
        if (limit is not None and scanned >= limit) or size >= PAGE_BYTES:
            last, stopped = item, True
            break
    meter = Meter(p["TableName"])  # as the request named it (name or ARN)
    units = read_units(size, consistent)
    layout = ix.layout if ix is not None and ix.kind == "GSI" else table.layout
    if layout is not None:
        if not per_part:
            per_part[store.partition_for(home).id] = 1
        total = sum(per_part.values())
        charges: list[tuple] = [(layout, units * b / total, None, pid, 1 if n == 0 else 0)
                   for n, (pid, b) in enumerate(per_part.items())]
        if full_reads:
            charges.append((table.layout, full_reads, None, charges[0][3], 0))
        throttled = charge_reads(svc, charges)
        if throttled is not None:
            raise throttle_error(throttled)
    if ix is None:
        meter.table_read(units)
    else:
        meter.index(ix.kind, ix.name, read=units)
        meter.table_read(full_reads)
    out: dict[str, Any] = {}
    if select != "COUNT":
        out["Items"] = items
    out["Count"] = len(items)
    out["ScannedCount"] = scanned
    if stopped:
        names = list(table.schema.names) + [n for n in (ix.schema.names if ix else ())
                                            if n not in table.schema.names]
        out["LastEvaluatedKey"] = {n: last[n] for n in names} if last is not None else {}
    cc = meter.render(p.get("ReturnConsumedCapacity"))
    if cc is not None:
        out["ConsumedCapacity"] = cc
    return out


def query(svc: "ServiceState", p: QueryInput) -> QueryOutput:
    table = table_for_data(svc, p["TableName"])
    ix = _index(table, p)
    schema = ix.schema if ix else table.schema
    store = ix.store if ix else table.store
    expr = prepare(p, "Query", schema)
    hash_av, range_pred = expr.key_condition(schema)
    # Neither kind of filter may name a key attribute of the table or index
    # queried: the key condition is the place for those.
    which = "Filter Expression" if p.get("FilterExpression") is not None else \
        "QueryFilter" if p.get("QueryFilter") is not None else None
    if which is not None:
        for n in schema.names:
            if n in expr.filter_attributes():
                raise ValidationError(f"{which} can only contain non-primary key "
                                      f"attributes: Primary key attribute: {n}")
    _select(p, ix)
    after = _start_key(table, ix, p)
    lo, hi = schema.hash_bounds(hash_av)
    if after is not None and after[:2] != lo[:2]:
        raise ValidationError("The provided starting key is outside query boundaries based on "
                              "provided conditions")
    forward = p.get("ScanIndexForward", True)
    if after is None:
        rows = store.irange(lo, hi, reverse=not forward)
        inside = lambda k: lo <= k <= hi          # noqa: E731
    elif forward:       # resume strictly after the start key: O(log n), not a skip
        rows = store.irange(after, hi, inclusive=(False, True))
        inside = lambda k: after < k <= hi        # noqa: E731
    else:
        rows = store.irange(lo, after, reverse=True, inclusive=(True, False))
        inside = lambda k: lo <= k < after        # noqa: E731
    # An eventually consistent read is served by one replica of the
    # partition, which may lag (replication.py); ConsistentRead: the leader.
    rows, served = svc.replication.rows(table, ix, rows, bool(p.get("ConsistentRead", False)),
                                        lo[0], lo[0] + 1, inside, reverse=not forward)
    out = _page(svc, table, ix, p, "Query", rows, key_ok=(range_pred, expr), home=lo[0])
    served()
    return cast(QueryOutput, out)


def scan(svc: "ServiceState", p: ScanInput) -> ScanOutput:
    table = table_for_data(svc, p["TableName"])
    ix = _index(table, p)
    seg, total = p.get("Segment"), p.get("TotalSegments")
    if seg is not None and total is None:
        raise ValidationError("The TotalSegments parameter is required but was not present in "
                              "the request when Segment parameter is present")
    if total is not None and seg is None:
        raise ValidationError("The Segment parameter is required but was not present in the "
                              "request when parameter TotalSegments is present")
    start, end = 0, HASH_SPACE
    if total is not None and seg is not None:
        if seg >= total:
            raise ValidationError("The Segment parameter is zero-based and must be less than "
                                  f"parameter TotalSegments: Segment: {seg} is not less than "
                                  f"TotalSegments: {total}")
        start, end = seg * HASH_SPACE // total, (seg + 1) * HASH_SPACE // total
    _select(p, ix)
    after = _start_key(table, ix, p)
    if total is not None and after is not None and not start <= after[0] < end:
        # A segment resumes only from a key of its own part of the hash space.
        raise ValidationError("The provided Exclusive start key does not map to the provided "
                              "Segment and TotalSegments values.")
    store = ix.store if ix else table.store

    def inside(k: tuple) -> bool:
        return start <= k[0] < end and (after is None or k > after)
    rows, served = svc.replication.rows(table, ix, store.scan_from(after, start, end),
                                        bool(p.get("ConsistentRead", False)), start, end, inside)
    out = _page(svc, table, ix, p, "Scan", rows, home=start if after is None else after[0])
    served()
    return cast(ScanOutput, out)
