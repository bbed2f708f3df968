"""RequestTraceView: every call the learner's client made, and what it cost.

One row per call, as it happens: the operation, the table or index, the key
(or the Query's key condition), the capacity the response says it consumed
(RCU and WCU, bars to scale), the items returned out of the items read
(Count of ScannedCount: the difference was read, filtered out, and still
charged), the latency, the retries and the error code. It answers "what did
that Query cost, and why?" on the lab and on AWS alike, since it reads only
``client.call`` events (:func:`~dynamo_lab.viz.record`).

DescribeTable calls (a waiter polls it) are left out unless asked for
(``hide=()``); the caption says how many were left out. The last ``rows``
calls are drawn; a :class:`~dynamo_lab.viz.Timeline` scrubs back to any
earlier moment.

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> from dynamo_lab.viz import RequestTraceView, record
>>> c = DynamoDB(seed=0).client(retries=0)
>>> calls = record(c)
>>> _ = c.create_table(TableName="Tab", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
>>> c.get_waiter("table_exists").wait(TableName="Tab", WaiterConfig={"Delay": 1})
>>> _ = c.put_item(TableName="Tab", Item={"pk": {"S": "a"}, "v": {"S": "x" * 2000}})
>>> _ = c.get_item(TableName="Tab", Key={"pk": {"S": "a"}})
>>> trace = RequestTraceView(calls)
>>> trace
<RequestTraceView 3 calls (2 DescribeTable hidden): 0.5 RCU, 2 WCU, no errors>
>>> [(r["operation"], r["rcu"], r["wcu"]) for r in trace.rows()]
[('CreateTable', None, None), ('PutItem', None, 2.0), ('GetItem', 0.5, None)]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...events import Event
from ._base import plural
from ._endpoint import EndpointView, clip, own_text, units_text

__all__ = ["RequestTraceView", "TraceState"]

W = 920
_TOP, _ROW = 46, 22
# column x positions: room for a 5-digit call number, "GetShardIterator" in bold,
# and DynamoDB's longest error codes ("ItemCollectionSizeLimitExceeded") written whole
_X = {"n": 8, "t": 48, "op": 92, "table": 226, "key": 326, "cap": 506, "count": 578,
      "lat": 632, "status": 664}
_CAPW = 66      # the capacity bars' width


def _n(k: int, one: str, many: str | None = None) -> str:
    return f"{k} {one if k == 1 else (many or one + 's')}"


def _where(table: str | None) -> str:
    """A table name, or ``'Orders stream'`` for a stream ARN.

    >>> _where("arn:aws:dynamodb:us-east-1:0:table/Orders/stream/2024-01-01T00:00:00.000")
    'Orders stream'
    """
    if table and table.startswith("arn:") and "table/" in table:
        return table.split("table/", 1)[1].split("/", 1)[0] + " stream"
    return table or ""


@dataclass
class TraceState:
    """The calls so far (as dicts), and how many were hidden."""

    table: str | None = None
    index: str | None = None
    calls: list = field(default_factory=list)
    hidden: int = 0
    rcu: float = 0.0
    wcu: float = 0.0
    errors: int = 0
    retries: int = 0


class RequestTraceView(EndpointView):
    """The recorded calls, one row each, with what each one cost.

    Parameters
    ----------
    source : CallRecorder, DynamoDB, Simulation or EventLog
        Usually ``record(client)``.
    table : str, optional
        Only the calls that named this table (default: every call).
    rows : int
        How many of the last calls to draw (all are kept).
    hide : tuple of str
        Operations left out (default: DescribeTable, which waiters poll).
    live : bool
        A widget that follows the calls as they happen (default True).

    Notes
    -----
    Selectors: ``div.dl-trace``; ``rect.dl-call`` per drawn call with
    ``data-call``, ``data-op``, ``data-status``, ``data-rcu``, ``data-wcu``
    (empty when the response did not say) and ``data-retries``;
    ``rect.dl-cap-r`` / ``rect.dl-cap-w`` for the capacity bars.
    """

    css_class = "dl-trace"
    kinds = ("client.call",)

    def __init__(self, source: Any, table: str | None = None, rows: int = 14,
                 hide: tuple = ("DescribeTable",), live: bool | None = None) -> None:
        self.max_rows = int(rows)
        self.hide = tuple(hide)
        super().__init__(source, table=table, live=live)

    def initial(self) -> TraceState:
        return TraceState(table=self.table)

    def apply(self, s: TraceState, ev: Event) -> TraceState:
        if s.table is not None and ev.table != s.table:
            return s
        if ev.operation in self.hide:
            s.hidden += 1
            return s
        row = {"call": ev.call, "t": ev.t, "operation": ev.operation, "table": ev.table,
               "index": ev.get("index"), "key": ev.get("key"), "status": ev.status,
               "rcu": ev.rcu, "wcu": ev.wcu, "count": ev.count, "scanned": ev.scanned,
               "latency_ms": ev.latency_ms, "retries": ev.retries, "page_end": ev.page_end,
               "consistent": ev.consistent}
        s.calls.append(row)
        s.rcu += ev.rcu or 0.0
        s.wcu += ev.wcu or 0.0
        s.errors += ev.status != "ok"
        s.retries += ev.retries
        return s

    # -- reading ----------------------------------------------------------
    def rows(self, s: TraceState | None = None) -> list[dict]:
        """Every call kept (not only the drawn ones), oldest first."""
        s = self.state if s is None else s
        return [dict(r) for r in s.calls]

    def cost(self, operation: str | None = None) -> tuple[float, float]:
        """``(RCU, WCU)`` consumed by the calls kept (of one operation)."""
        rows = [r for r in self.state.calls if operation in (None, r["operation"])]
        return (sum(r["rcu"] or 0.0 for r in rows), sum(r["wcu"] or 0.0 for r in rows))

    # -- drawing ----------------------------------------------------------
    def render(self, s: TraceState) -> dict:
        items: list = []
        add = items.append
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18}, self._title(s)])
        heads = {"n": "#", "t": "t (ms)", "op": "operation", "table": "table · index",
                 "key": "key / key condition", "cap": "RCU · WCU", "count": "items",
                 "lat": "ms", "status": "answer"}
        for k, text in heads.items():
            add(["text", f"h:{k}", {"class": "dl-muted", "x": _X[k], "y": _TOP - 8,
                                    "font-size": 10}, text])
        shown = s.calls[-self.max_rows:]
        top = max([1.0] + [(r["rcu"] or 0) + (r["wcu"] or 0) for r in shown])
        for i, r in enumerate(shown):
            y = _TOP + i * _ROW
            n = r["call"]
            err = r["status"] != "ok"
            tip = self._tip(r)
            add(["rect", f"c:{n}", {
                "class": "dl-call", "x": 4, "y": y, "width": W - 8, "height": _ROW - 2,
                "fill": "#fdecea" if err else ("#f7f9fc" if i % 2 else "#ffffff"),
                "stroke": "#eee", "data-call": n, "data-op": r["operation"],
                "data-status": r["status"], "data-rcu": "" if r["rcu"] is None else r["rcu"],
                "data-wcu": "" if r["wcu"] is None else r["wcu"], "data-retries": r["retries"],
                "data-tip": tip}, ""])
            ty = y + 14
            where = _where(r["table"]) + (f" · {r['index']}" if r["index"] else "")
            cells = [("n", str(n)), ("t", str(r["t"])), ("op", r["operation"]),
                          ("table", clip(where, 14)), ("key", clip(r["key"] or "", 24))]
            for k, text in cells:
                add(["text", f"{k}:{n}", {"x": _X[k], "y": ty, "font-size": 11,
                                          "font-weight": 600 if k == "op" else 400}, text])
            x = _X["cap"]
            for kind, u, colr in (("r", r["rcu"], "#4e79a7"), ("w", r["wcu"], "#59a14f")):
                if u:   # a bar under the numbers, to scale across the drawn rows
                    wd = round(max(2.0, _CAPW * u / top), 2)
                    add(["rect", f"cap{kind}:{n}", {
                        "class": f"dl-cap-{kind}", "x": round(x, 2), "y": y + 16, "width": wd,
                        "height": 3, "fill": colr, "data-units": u}, ""])
                    x += wd
            add(["text", f"u:{n}", {"x": _X["cap"], "y": ty - 2, "font-size": 11},
                 f"{units_text(r['rcu'])} · {units_text(r['wcu'])}"])
            if r["count"] is not None:
                text = str(r["count"])
                if r["scanned"] is not None and r["scanned"] != r["count"]:
                    text += f" of {r['scanned']}"
                add(["text", f"k:{n}", {"x": _X["count"], "y": ty, "font-size": 11,
                                        "fill": "#b35c00" if r["scanned"] not in
                                        (None, r["count"]) else "#222"}, text])
            add(["text", f"l:{n}", {"x": _X["lat"], "y": ty, "font-size": 11},
                 f"{r['latency_ms']:g}"])
            status = r["status"] if err else ("ok" + (", more" if r["page_end"] else ""))
            if r["retries"]:
                status += f" ↻{r['retries']}"
            add(["text", f"s:{n}", {"class": "dl-err" if err else "dl-ok", "x": _X["status"],
                                    "y": ty, "font-size": 10 if err else 11,
                                    "fill": "#d62728" if err else "#2b7a2b"},
                 status.replace("Exception", "")])
        h = _TOP + max(len(shown), 1) * _ROW + 6
        for i, line in enumerate(self._caption(s, len(shown))):
            add(["text", f"cap{i or ''}", {"class": "dl-caption", "x": 10, "y": h + 10 + 14 * i,
                                          "font-size": 11}, line])
        return own_text({"w": W, "h": h + 18 + 14 * i, "items": items})

    @staticmethod
    def _tip(r: dict) -> str:
        text = f"#{r['call']} {r['operation']} {r['table'] or ''}"
        if r["index"]:
            text += f" · index {r['index']}"
        if r["key"]:
            text += f" · {r['key']}"
        text += f" · {units_text(r['rcu'])} RCU, {units_text(r['wcu'])} WCU"
        if r["count"] is not None:
            text += f" · {r['count']} returned"
            if r["scanned"] is not None:
                text += f" of {r['scanned']} read"
        if r["page_end"]:
            text += f" · page ended at {r['page_end']}"
        if r["consistent"]:
            text += " · strongly consistent"
        text += f" · {r['latency_ms']:g} ms"
        if r["retries"]:
            text += f" · {plural(r['retries'], 'retry', 'retries')}"
        if r["status"] != "ok":
            text += f" · {r['status']}"
        return text

    def _title(self, s: TraceState) -> str:
        text = f"{plural(len(s.calls), 'call')}"
        if s.table:
            text += f" on {s.table!r}"
        text += f" · {s.rcu:g} RCU, {s.wcu:g} WCU consumed"
        if s.errors:
            text += f" · {_n(s.errors, 'error')}"
        if s.retries:
            text += f" · {_n(s.retries, 'retry', 'retries')}"
        return text

    def _caption(self, s: TraceState, shown: int) -> list[str]:
        """The footer's lines (each short enough for the width): the first
        says what is drawn; the second explains 'k of n', only when a drawn
        call read more items than it returned."""
        text = ""
        if shown < len(s.calls):
            text += f"the last {shown} of {plural(len(s.calls), 'call')} · "
        if s.hidden:
            text += f"{s.hidden} {'/'.join(self.hide)} hidden · "
        lines = [text + "units as each response reported them"]
        filtered = [r for r in s.calls[len(s.calls) - shown:]
                    if r["scanned"] is not None and r["scanned"] != r["count"]]
        if filtered:
            r = filtered[0]
            lines.append(f"'{r['count']} of {r['scanned']}': {r['count']} returned of "
                         f"{r['scanned']} read, the rest filtered out and still charged")
        return lines

    def summary(self, s: TraceState) -> str:
        text = f"{plural(len(s.calls), 'call')}"
        if s.table:
            text += f" on {s.table!r}"
        if s.hidden:
            text += f" ({s.hidden} {'/'.join(self.hide)} hidden)"
        text += f": {s.rcu:g} RCU, {s.wcu:g} WCU, "
        text += _n(s.errors, "error") if s.errors else "no errors"
        if s.retries:
            text += f", {_n(s.retries, 'retry', 'retries')}"
        return text
