"""record(): what the learner's own client sees, as events any view can read.

The endpoint views (:class:`RequestTraceView`, :class:`ItemCollectionsView`,
:class:`StreamRecordsView`) and the DynamoDB lessons' pictures are built
from these events only, so they draw the same on the lab, DynamoDB Local,
moto's server and AWS. :func:`record` hooks botocore's events on the
clients it is given (``before-parameter-build``, ``before-call``,
``after-call``, ``after-call-error``): it reads the request as it goes on
the wire and the response as it comes back, and writes one ``client.call``
event per call (operation, table, key, consumed capacity, counts, latency,
error code, retries), plus ``client.items`` (the items read, written or
deleted), ``client.shards`` and ``client.records`` (streams). The kinds and
their fields are in :mod:`dynamo_lab.catalogue.client`.

On the lab the events go to the service's own log, in virtual time, beside
its internals (a view may then add which partition, which replica). On an
outside endpoint they go to the recorder's own log, timed in wall-clock ms
since recording began. When that endpoint is ``dynamo-lab serve`` (a
room's shared server), the recorder also fetches the internals of the
learner's own namespace after each call (``GET /_lab/events``, signed with
the client's credentials: :class:`~._endpoint.LabEvents`) and merges them
into its log, so ``PartitionMapView(calls, table=...)`` and the capacity
views draw the learner's own tables there too; ``internals=False`` turns
that off.

Consumed capacity is only in a response that asked for it, so by default
the recorder adds ``ReturnConsumedCapacity="INDEXES"`` to every call that
takes it and does not name it (``capacity=None`` leaves requests alone).
A table's key schema comes from the CreateTable or DescribeTable calls it
sees; for a table it has not seen, it asks DescribeTable once itself (a
call it does not record).

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> c = DynamoDB(seed=0).client()
>>> calls = record(c)
>>> _ = c.create_table(TableName="Tab", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
>>> c.get_waiter("table_exists").wait(TableName="Tab", WaiterConfig={"Delay": 1})
>>> _ = c.put_item(TableName="Tab", Item={"pk": {"S": "a"}, "n": {"N": "12"}})
>>> ev = calls.calls()[-1]
>>> ev.operation, ev.table, ev.key, ev.status, ev.wcu
('PutItem', 'Tab', 'pk=a', 'ok', 1.0)
>>> calls
<CallRecorder 4 calls on the lab>
"""
from __future__ import annotations

import json
import threading
import time
from contextlib import nullcontext
from typing import Any

from ...errors import LabError, OptionValueError
from ...events import Event, EventLog
from ._base import plural
from ._endpoint import LabEvents

__all__ = ["record", "CallRecorder", "NotAClientError", "key_text", "av_text", "item_entry"]


class NotAClientError(LabError, TypeError):
    """:func:`record` was given something that is not a boto3 client or resource."""

_SINGLE = {"GetItem", "PutItem", "UpdateItem", "DeleteItem"}
_READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}


def av_text(av: Any) -> tuple[str, str]:
    """An attribute value's ``(type, text)``: numbers as written, sets and
    documents as compact JSON. ``av_text({"N": "10"}) == ("N", "10")``."""
    if not isinstance(av, dict) or len(av) != 1:
        return ("?", str(av))
    (t, v), = av.items()
    if isinstance(v, str):
        return (t, v)
    return (t, json.dumps(v, separators=(",", ":"), sort_keys=True))


def key_text(key: dict | None, order: tuple = ()) -> str | None:
    """A key as ``'pk=1, sk=a'``, attributes in ``order`` first.

    >>> key_text({"sk": {"S": "a"}, "pk": {"N": "1"}}, ("pk", "sk"))
    'pk=1, sk=a'
    """
    if not key:
        return None
    names = [n for n in order if n in key] + sorted(n for n in key if n not in order)
    return ", ".join(f"{n}={av_text(key[n])[1]}" for n in names)


def _sizes(item: dict) -> tuple[int, tuple]:
    from ...dynamodb.model.size import value_size
    attrs = []
    total = 0
    for name in sorted(item):
        av = item[name]
        try:
            b = len(name.encode("utf-8")) + value_size(av)
        except Exception:       # an outside endpoint's value the lab cannot size
            b = len(name.encode("utf-8")) + len(json.dumps(av))
        attrs.append((name, next(iter(av)) if isinstance(av, dict) and av else "?", b))
        total += b
    return total, tuple(attrs)


def item_entry(item: dict, keys: tuple, whole: bool = True) -> tuple:
    """One item of a ``client.items`` event (see :mod:`dynamo_lab.catalogue.client`).

    >>> item_entry({"pk": {"S": "a"}, "n": {"N": "12"}}, ("pk", None))
    ('S', 'a', None, None, 6, (('n', 'N', 3), ('pk', 'S', 3)))
    """
    h, r = keys
    ht, hv = av_text(item.get(h)) if h in item else (None, None)
    rt, rv = av_text(item.get(r)) if r and r in item else (None, None)
    if not whole:
        return (ht, hv, rt, rv, None, ())
    size, attrs = _sizes(item)
    return (ht, hv, rt, rv, size, attrs)


def _units(cc: Any) -> tuple[float | None, float | None]:
    """Read and write units of a ConsumedCapacity (or a list of them)."""
    if cc is None:
        return None, None
    rows = cc if isinstance(cc, list) else [cc]
    r = w = None
    for row in rows:
        rr, ww = row.get("ReadCapacityUnits"), row.get("WriteCapacityUnits")
        if rr is None and ww is None and "CapacityUnits" in row:
            # an answer with only the total: a read's or a write's, by the call
            ww = row["CapacityUnits"]
            rr = None
        if rr is not None:
            r = (r or 0.0) + float(rr)
        if ww is not None:
            w = (w or 0.0) + float(ww)
    return r, w


def _unwrap(text: str) -> str:
    """``'(a AND b)'`` without the parentheses boto3's conditions put around it.

    >>> _unwrap("(a = 1 AND b > 2)"), _unwrap("(a) AND (b)")
    ('a = 1 AND b > 2', '(a) AND (b)')
    """
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


class CallRecorder:
    """Records the calls of one or more boto3 clients as events.

    Made by :func:`record`; a view's source (it has ``.log``).

    Attributes
    ----------
    log : EventLog
        Where the events go: the lab service's log, or the recorder's own.
    endpoint : str
        ``'lab'`` or the first client's endpoint URL.
    errors : list of str
        Responses the recorder could not read (the calls went on unharmed).
    lab_events : LabEvents or None
        On an outside endpoint with ``internals=True``: where the server's
        own events come from (``lab_events.available`` says whether it
        serves them, ``lab_events.why`` why not).
    """

    def __init__(self, *clients: Any, capacity: str | None = "INDEXES",
                 log: EventLog | None = None, internals: bool = True) -> None:
        if not clients:
            raise NotAClientError("record() needs at least one boto3 client or resource")
        if capacity not in (None, "INDEXES", "TOTAL"):
            raise OptionValueError("record", "capacity", capacity, "'INDEXES', 'TOTAL' or None")
        self.capacity = capacity
        cs = [getattr(getattr(c, "meta", None), "client", None) or c for c in clients]
        for c in cs:
            if not hasattr(getattr(c, "meta", None), "events"):
                raise NotAClientError(f"record() takes boto3 clients or resources, not "
                                f"{type(c).__name__}")
        svc = getattr(cs[0], "dynamo_lab_service", None)
        self._svc = svc
        # The lab's clients carry the service's state; its lock orders our
        # events with the service's own (no private attribute of the facade).
        state = getattr(cs[0], "dynamo_lab_state", None)
        self._lock = getattr(state, "lock", None) or threading.RLock()
        if log is not None:
            self.log = log
        elif svc is not None:
            self.log = svc.log
        else:
            t0 = time.perf_counter()
            self.log = EventLog(lambda: int((time.perf_counter() - t0) * 1000))
        self.endpoint = "lab" if svc is not None else str(cs[0].meta.endpoint_url)
        self.lab_events = LabEvents(cs[0]) if svc is None and internals else None
        self._n = 0
        self._schemas: dict[str, dict] = {}     # table -> {None: keys, index: keys}
        self._stream_tables: dict[str, str] = {}
        self._iterators: dict[str, str] = {}    # shard iterator -> shard id
        self._table_events: list = []            # schemas learned, to log with the next call
        self._quiet = threading.local()
        self._clients: list = []
        #: what the recorder could not read (the calls themselves went on)
        self.errors: list[str] = []
        for c in cs:
            self.attach(c)

    # -- hooking --------------------------------------------------------
    def attach(self, client: Any) -> None:
        """Record ``client``'s calls too (a client, or a resource's client)."""
        client = getattr(getattr(client, "meta", None), "client", None) or client
        if any(c is client for c in self._clients):
            return
        # one recorder per client: re-running a cell that records must not log twice
        old = getattr(client, "_dynamo_lab_recorder", None)
        if old is not None and old is not self:
            old._unhook(client)
        client._dynamo_lab_recorder = self
        name = client.meta.service_model.service_id.hyphenize()
        ev = client.meta.events
        uid = f"dynamo-lab-record-{id(self)}"
        # (botocore keeps one handler per unique id across all event names)
        ev.register(f"before-parameter-build.{name}", self._before_params,
                    unique_id=uid + "-params")
        ev.register(f"before-call.{name}", self._before_call, unique_id=uid + "-before-call")
        # first: boto3's resource turns the answer's attribute values into
        # Python values in its own after-call handler; read them before it does
        ev.register_first(f"after-call.{name}", self._after_call, unique_id=uid + "-after-call")
        ev.register(f"after-call-error.{name}", self._after_error,
                    unique_id=uid + "-after-call-error")
        self._clients.append(client)

    def detach(self) -> None:
        """Stop recording (the events recorded so far stay in the log)."""
        for c in list(self._clients):
            self._unhook(c)

    def _unhook(self, c: Any) -> None:
        uid = f"dynamo-lab-record-{id(self)}"
        name = c.meta.service_model.service_id.hyphenize()
        for hook in ("before-parameter-build", "before-call", "after-call", "after-call-error"):
            c.meta.events.unregister(f"{hook}.{name}",
                                     unique_id=uid + ("-params" if hook.startswith("before-p")
                                                      else "-" + hook))
        self._clients = [x for x in self._clients if x is not c]
        if getattr(c, "_dynamo_lab_recorder", None) is self:
            c._dynamo_lab_recorder = None

    def _now(self) -> float:
        if self._svc is not None:
            return float(self._svc.sim.now)
        return time.perf_counter() * 1000

    def _before_params(self, params: dict, model: Any, context: dict, **_: Any) -> None:
        if getattr(self._quiet, "on", False):
            return
        if (self.capacity and "ReturnConsumedCapacity" in model.input_shape.members
                and "ReturnConsumedCapacity" not in params):
            params["ReturnConsumedCapacity"] = self.capacity
            context["dynamo_lab_capacity"] = True

    def _before_call(self, params: dict, model: Any, context: dict, **_: Any) -> None:
        if getattr(self._quiet, "on", False):
            return
        body = params.get("body") or b"{}"
        try:
            context["dynamo_lab_request"] = json.loads(body)
        except (TypeError, ValueError):
            context["dynamo_lab_request"] = {}
        context["dynamo_lab_t0"] = self._now()

    def _after_error(self, exception: Exception, context: dict, event_name: str = "",
                     **_: Any) -> None:
        # botocore names no model here: the operation is the event name's last part
        if "dynamo_lab_t0" in context and not getattr(self._quiet, "on", False):
            self._record(event_name.rpartition(".")[2] or "?", context,
                         {"Error": {"Code": type(exception).__name__}})

    def _after_call(self, parsed: dict, model: Any, context: dict, **_: Any) -> None:
        if "dynamo_lab_t0" in context and not getattr(self._quiet, "on", False):
            self._record(model.name, context, parsed)

    def _safe_record(self, op: str, context: dict, parsed: dict) -> None:
        """Record one call; a response the recorder cannot read (an endpoint's
        surprise) is kept in ``errors`` and never breaks the learner's call."""
        try:
            self._record_call(op, context, parsed)
        except Exception as e:  # noqa: BLE001 - the learner's call must go on
            import traceback
            self.errors.append(f"{op}: {type(e).__name__}: {e}\n{traceback.format_exc()}")

    # -- turning one call into events -----------------------------------
    def _keys(self, table: str | None, index: str | None) -> tuple | None:
        if not table or table.startswith("arn:"):
            return None
        sch = self._schemas.get(table)
        if sch is None and self._clients:
            self._quiet.on = True
            try:
                c = next(c for c in self._clients
                         if c.meta.service_model.service_name == "dynamodb")
                self._learn(c.describe_table(TableName=table).get("Table", {}))
            except Exception:   # no such table, or no dynamodb client: keys unknown
                pass
            finally:
                self._quiet.on = False
            sch = self._schemas.get(table)
        return None if sch is None else sch.get(index)

    def _learn(self, desc: dict) -> None:
        table = desc.get("TableName")
        if not table:
            return

        def keys(schema: list) -> tuple:
            h = next((k["AttributeName"] for k in schema if k["KeyType"] == "HASH"), None)
            r = next((k["AttributeName"] for k in schema if k["KeyType"] == "RANGE"), None)
            return (h, r)
        sch = {None: keys(desc.get("KeySchema", []))}
        kinds = []
        for group in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
            for ix in desc.get(group) or ():
                sch[ix["IndexName"]] = keys(ix["KeySchema"])
                kinds.append((ix["IndexName"], group[:1] + "SI", *sch[ix["IndexName"]]))
        if self._schemas.get(table) != sch:
            self._table_events.append((table, sch[None], tuple(sorted(kinds))))
        self._schemas[table] = sch
        arn = desc.get("LatestStreamArn")
        if arn:
            self._stream_tables[arn] = table

    def _record(self, op: str, context: dict, parsed: dict) -> None:
        self._safe_record(op, context, parsed)
        if self.lab_events is not None:
            self.sync()

    def sync(self) -> int:
        """Merge the events a dynamo-lab server logged for this caller since
        the last sync (done after every recorded call); returns how many.
        Nothing on the lab in the notebook, whose log already has them, or
        on an endpoint that does not serve them."""
        src = self.lab_events
        if src is None or src.available is False:
            return 0
        n = 0
        with self._lock:
            for d in src.fetch():
                if not isinstance(d, dict) or str(d.get("kind", "")).startswith("client."):
                    continue
                try:
                    ev = Event.from_dict(d)
                    self.log.emit(ev.kind, **ev.fields)
                    n += 1
                except Exception as e:  # noqa: BLE001 - a surprise must not break the call
                    self.errors.append(f"lab event {d.get('kind')!r}: {type(e).__name__}: {e}")
        return n

    def _record_call(self, op: str, context: dict, parsed: dict) -> None:
        with self._lock if self._lock is not None else nullcontext():
            self._n += 1
            n = self._n
            req = context.get("dynamo_lab_request", {})
            latency = round(self._now() - context["dynamo_lab_t0"], 1)
            err = parsed.get("Error", {}).get("Code") if "Error" in parsed else None
            meta = parsed.get("ResponseMetadata", {})
            retries = int(meta.get("RetryAttempts", 0) or 0)
            if not err and op in ("CreateTable", "DescribeTable"):
                self._learn(parsed.get("TableDescription") or parsed.get("Table") or {})
            table = req.get("TableName") or req.get("StreamArn")
            index = req.get("IndexName")
            if table is None and isinstance(req.get("RequestItems"), dict):
                table = ", ".join(sorted(req["RequestItems"]))
            if table is None and "TransactItems" in req:
                names = sorted({next(iter(a.values())).get("TableName", "?")
                                for a in req["TransactItems"]})
                table = ", ".join(names)
            rcu, wcu = _units(parsed.get("ConsumedCapacity"))
            if op in _READS and wcu is not None and rcu is None:
                rcu, wcu = wcu, None     # a total-only answer to a read is read units
            count = parsed.get("Count")
            if count is None:
                if "Item" in parsed:
                    count = 1
                elif op == "GetItem" and not err:
                    count = 0
                elif "Records" in parsed:
                    count = len(parsed["Records"])
            scanned = parsed.get("ScannedCount")
            keys = self._keys(table, index) if op in _SINGLE | {"Query", "Scan"} else None
            order = tuple(k for k in (keys or ()) if k)
            key = None
            if op in _SINGLE:
                k = req.get("Key")
                if k is None and keys and "Item" in req:
                    k = {a: req["Item"][a] for a in order if a in req["Item"]}
                key = key_text(k, order)
            elif op == "Query":
                key = self._condition(req)
            lek = parsed.get("LastEvaluatedKey")
            fields: dict[str, Any] = dict(
                call=n, operation=op, table=table, status=err or "ok", rcu=rcu, wcu=wcu,
                count=count, scanned=scanned, latency_ms=latency, retries=retries,
                page_end=key_text(lek, order) if lek else None,
                consistent=bool(req.get("ConsistentRead", False)))
            if index:
                fields["index"] = index
            if key:
                fields["key"] = key
            self.log.emit("client.call", **fields)
            self._tables(n)
            if not err:
                self._items(n, op, req, parsed, table, index, keys)
                self._tables(n)

    def _tables(self, n: int) -> None:
        while self._table_events:
            t, keys, ixs = self._table_events.pop(0)
            self.log.emit("client.table", call=n, table=t, keys=keys, indexes=ixs)

    @staticmethod
    def _condition(req: dict) -> str | None:
        text = req.get("KeyConditionExpression")
        if text:
            for k, v in sorted((req.get("ExpressionAttributeNames") or {}).items(),
                               key=lambda kv: -len(kv[0])):
                text = text.replace(k, v)
            for k, v in sorted((req.get("ExpressionAttributeValues") or {}).items(),
                               key=lambda kv: -len(kv[0])):
                text = text.replace(k, av_text(v)[1])
            return _unwrap(text)
        kc = req.get("KeyConditions")
        if kc:
            return " AND ".join(
                f"{n} {c.get('ComparisonOperator')} "
                + ",".join(av_text(v)[1] for v in c.get("AttributeValueList", []))
                for n, c in sorted(kc.items()))
        return None

    def _emit_items(self, n: int, table: str, index: str | None, role: str, keys: tuple,
                    items: list, whole: bool = True, start: Any = None, end: Any = None,
                    filtered: int = 0) -> None:
        def pair(k: dict | None) -> tuple | None:
            if not k:
                return None
            h, r = keys
            return (av_text(k[h])[1] if h in k else None,
                    av_text(k[r])[1] if r and r in k else None)
        extra = {}
        if index is not None:
            base = (self._schemas.get(table) or {}).get(None)
            if base:
                extra["base"] = tuple((av_text(i[base[0]])[1] if base[0] in i else None,
                                       av_text(i[base[1]])[1] if base[1] and base[1] in i
                                       else None) for i in items)
        self.log.emit("client.items", call=n, table=table, index=index, role=role,
                      keys=tuple(keys), items=tuple(item_entry(i, keys, whole) for i in items),
                      start=pair(start), end=pair(end), filtered=int(filtered), **extra)

    def _items(self, n: int, op: str, req: dict, parsed: dict, table: str | None,
               index: str | None, keys: tuple | None) -> None:
        # a projected read returns part of each item: its keys, not its size
        whole = not (req.get("ProjectionExpression") or req.get("AttributesToGet")
                     or req.get("Select") in ("SPECIFIC_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"))
        if op in ("Query", "Scan") and keys:
            filtered = (parsed.get("ScannedCount") or 0) - (parsed.get("Count") or 0)
            self._emit_items(n, table, index, "read", keys, parsed.get("Items", []),
                             whole=whole and index is None, start=req.get("ExclusiveStartKey"),
                             end=parsed.get("LastEvaluatedKey"), filtered=max(0, filtered))
        elif op == "GetItem" and keys:
            self._emit_items(n, table, None, "read", keys,
                             [parsed["Item"]] if parsed.get("Item") else [], whole=whole)
        elif op == "PutItem" and keys:
            self._emit_items(n, table, None, "written", keys, [req["Item"]])
        elif op == "UpdateItem" and keys:
            after = parsed.get("Attributes")
            whole = after is not None and req.get("ReturnValues") == "ALL_NEW"
            self._emit_items(n, table, None, "written", keys,
                             [after if whole else req["Key"]], whole=whole)
        elif op == "DeleteItem" and keys:
            self._emit_items(n, table, None, "deleted", keys, [req["Key"]], whole=False)
        elif op == "BatchWriteItem":
            left = parsed.get("UnprocessedItems") or {}
            for t, reqs in sorted(req.get("RequestItems", {}).items()):
                ks = self._keys(t, None)
                if not ks:
                    continue
                skip = {json.dumps(r, sort_keys=True) for r in left.get(t, [])}
                done = [r for r in reqs if json.dumps(r, sort_keys=True) not in skip]
                puts = [r["PutRequest"]["Item"] for r in done if "PutRequest" in r]
                dels = [r["DeleteRequest"]["Key"] for r in done if "DeleteRequest" in r]
                if puts:
                    self._emit_items(n, t, None, "written", ks, puts)
                if dels:
                    self._emit_items(n, t, None, "deleted", ks, dels, whole=False)
        elif op == "BatchGetItem":
            for t, items in sorted((parsed.get("Responses") or {}).items()):
                ks = self._keys(t, None)
                if ks:
                    self._emit_items(n, t, None, "read", ks, items)
        elif op == "TransactWriteItems":
            for action in req.get("TransactItems", []):
                (what, body), = action.items()
                ks = self._keys(body.get("TableName"), None)
                if not ks or what == "ConditionCheck":
                    continue
                if what == "Put":
                    self._emit_items(n, body["TableName"], None, "written", ks, [body["Item"]])
                elif what == "Update":
                    self._emit_items(n, body["TableName"], None, "written", ks, [body["Key"]],
                                     whole=False)
                elif what == "Delete":
                    self._emit_items(n, body["TableName"], None, "deleted", ks, [body["Key"]],
                                     whole=False)
        elif op == "DescribeStream":
            d = parsed.get("StreamDescription", {})
            shards = tuple(
                (s["ShardId"], s.get("ParentShardId"),
                 s.get("SequenceNumberRange", {}).get("StartingSequenceNumber"),
                 s.get("SequenceNumberRange", {}).get("EndingSequenceNumber"))
                for s in d.get("Shards", []))
            self.log.emit("client.shards", call=n, stream=d.get("StreamArn", "?"),
                          table=d.get("TableName", "?"), shards=shards)
        elif op == "GetShardIterator":
            it = parsed.get("ShardIterator")
            if it:
                self._iterators[it] = req.get("ShardId")
        elif op == "GetRecords":
            shard = self._iterators.pop(req.get("ShardIterator"), None)
            nxt = parsed.get("NextShardIterator")
            if nxt and shard:
                self._iterators[nxt] = shard
            recs = []
            for r in parsed.get("Records", []):
                d = r.get("dynamodb", {})
                k = d.get("Keys", {})
                recs.append((d.get("SequenceNumber", "?"), r.get("eventName", "?"),
                             key_text(k, tuple(sorted(k))) or "", "OldImage" in d,
                             "NewImage" in d, int(d.get("SizeBytes", 0))))
            self.log.emit("client.records", call=n, shard=shard, records=tuple(recs),
                          closed=nxt is None)

    # -- reading ----------------------------------------------------------
    def calls(self) -> list[Event]:
        """The ``client.call`` events recorded so far, in order."""
        return [e for e in self.log.of_kind("client.call")]

    def __repr__(self) -> str:
        where = "on the lab" if self.endpoint == "lab" else f"on {self.endpoint}"
        return f"<CallRecorder {plural(self._n, 'call')} {where}>"


def record(*clients: Any, capacity: str | None = "INDEXES",
           log: EventLog | None = None, internals: bool = True) -> CallRecorder:
    """Record what ``clients`` (boto3 ``dynamodb``/``dynamodbstreams``
    clients, or ``boto3.resource("dynamodb")``) send and receive.

    Parameters
    ----------
    *clients : boto3 clients or resources
        On the lab, the first client's service gives the log and the clock.
    capacity : {'INDEXES', 'TOTAL', None}
        ``ReturnConsumedCapacity`` added to calls that do not name it, so
        the trace can show what each call cost; None leaves requests alone.
    log : EventLog, optional
        Write here instead (a recording shared by several recorders).
    internals : bool
        On ``dynamo-lab serve``: merge the server's events of this
        caller's own namespace into the log after each call.

    Returns
    -------
    CallRecorder
        A source for the views: ``RequestTraceView(record(client))``.
    """
    return CallRecorder(*clients, capacity=capacity, log=log, internals=internals)
