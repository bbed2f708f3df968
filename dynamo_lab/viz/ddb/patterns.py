"""AccessPatternsView: a single-table design read by its access patterns, beside the joins.

Lesson 20's picture. Left, the single table as the client recorded it: one
row per partition key (an item collection), items in sort-key order. Each
read the client made on it (GetItem, Query, Scan, also through an index)
is an **access pattern** with its own colour, and the items it read carry
that colour: one pattern, one contiguous run of one collection (or a
collection of the index). Right, the **normalized tables** of the same
facts, and for each pattern the tables its SQL statement **joins**, linked
in the same colour. The legend puts the two side by side: requests and
capacity units on one side, joined tables on the other.

``sql`` maps a pattern (the recorded call's number, or its position among
the reads, from 1) to the SQL text that answers the same question;
``schema`` gives the relational tables and their columns (``schema_of(db)``
reads them from a ``sqlite3`` connection). Without them, only the left side
is drawn.

Examples
--------
>>> from dynamo_lab import EventLog
>>> log = EventLog(strict=True)
>>> it = lambda pk, sk: ("S", pk, "S", sk, 20, ())
>>> log.emit("client.items", call=1, table="Shop", index=None, role="written",
...          keys=("PK", "SK"), items=(it("CUST#C1", "CART#mug"), it("CUST#C1", "CART#pen"),
...          it("CUST#C1", "ORDER#01"), it("PROD#mug", "META")), start=None, end=None, filtered=0)
>>> log.emit("client.call", call=2, operation="Query", table="Shop", status="ok", rcu=0.5,
...          wcu=None, count=2, scanned=2, latency_ms=1.0, retries=0, page_end=None,
...          consistent=False, key="PK = CUST#C1 AND begins_with(SK, CART#)")
>>> log.emit("client.items", call=2, table="Shop", index=None, role="read", keys=("PK", "SK"),
...          items=(it("CUST#C1", "CART#mug"), it("CUST#C1", "CART#pen")), start=None,
...          end=None, filtered=0)
>>> view = AccessPatternsView(log, sql={1: "SELECT * FROM cart_lines c JOIN products p "
...                                        "ON p.id = c.product_id"},
...                           schema={"cart_lines": ("customer_id", "product_id", "qty"),
...                                   "products": ("id", "price")})
>>> view
<AccessPatternsView 'Shop': 2 collections, 4 items; 1 pattern: #2 Query 2 items 0.5 RCU | cart_lines ⋈ products>
>>> joined_tables("SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.id")
['orders', 'order_lines']
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...events import Event
from ..svg import color
from ._base import plural
from ._endpoint import EndpointView, clip, own_text
from .collections import sort_token

__all__ = ["AccessPatternsView", "PatternsState", "joined_tables", "schema_of"]

W = 900
_L, _TOP, _ROW, _CELL = 132, 52, 30, 82
_RX = 660                        # the relational panel
_PER_ROW = 6
_MAX_PATTERNS = 6                # drawn in colour by default (more is a busy picture)
_LOOKUPS = ("GetItem", "Query", "BatchGetItem", "TransactGetItems")
_TABLE_RE = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def _n(k: int, one: str) -> str:
    return f"{k} {one if k == 1 else one + 's'}"


def _resolve(keys, calls: list) -> dict:
    """``{call: key}``: each key names a read by its call number when one
    has it, else by its position among the reads (1 = the first).

    >>> _resolve([8, 2, 99], [3, 5, 8])
    {8: 8, 5: 2}
    """
    out = {}
    for k in keys:
        if k in calls:
            out[k] = k
        elif isinstance(k, int) and 1 <= k <= len(calls) and calls[k - 1] not in out:
            out[calls[k - 1]] = k
    return out


def joined_tables(sql: str) -> list[str]:
    """The tables a SQL statement reads (FROM and JOIN), in order, once each."""
    out: list = []
    for name in _TABLE_RE.findall(sql or ""):
        if name not in out:
            out.append(name)
    return out


def _short(sk: str | None) -> str:
    """A composite sort key shortened for a cell (11 characters at most):
    whole when it fits, else its first part's start and its last parts' end.

    >>> _short("ORDER#2026-03-05#O0007#mug"), _short("PROFILE"), _short("CART#lamp")
    ('ORD…007#mug', 'PROFILE', 'CART#lamp')
    >>> _short("PRODUCT#bookcase"), _short("ORDER#2026-03")
    ('PROD#bookc…', 'ORDE#2026-…')
    """
    if sk is None:
        return ""
    if len(sk) <= 11:
        return sk
    parts = sk.split("#")
    if len(parts) == 2:
        return f"{parts[0][:4]}#{parts[1][:5]}…"
    if len(parts) > 2:
        return f"{parts[0][:3]}…{'#'.join(parts[-2:])[-7:]}"
    return sk[:10] + "…"


def schema_of(db: Any) -> dict[str, tuple]:
    """``{table: (column, ...)}`` of a ``sqlite3`` connection, tables in name order."""
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    return {n: tuple(r[1] for r in db.execute(f'PRAGMA table_info("{n}")')) for n in names}


@dataclass
class PatternsState:
    table: str | None = None
    index: str | None = None
    keys: tuple = (None, None)
    items: dict = field(default_factory=dict)      # (pk, sk) -> sort type
    reads: list = field(default_factory=list)      # [call, op, key, rcu, index, {(pk, sk)}]
    calls: dict = field(default_factory=dict)      # call -> (op, key, rcu, index)


class AccessPatternsView(EndpointView):
    """A single-table design, each access pattern's items, and the joins SQL needs.

    Parameters
    ----------
    source : CallRecorder, DynamoDB, Simulation or EventLog
    table : str, optional
        The single table (default: the first table the recorded items name).
    sql : dict, optional
        ``{pattern: "SELECT ..."}``: the SQL for the same question; a pattern
        is a call number or the position of the read among the table's reads.
    schema : dict or sqlite3.Connection, optional
        ``{table: (columns...)}`` of the normalized design, or a connection
        to read it from (:func:`schema_of`).
    patterns : list, optional
        The patterns drawn in colour (call numbers, or positions among the
        table's reads, as in ``sql``). Default: the patterns ``sql`` names
        if any, else the first six reads. The others are listed in the
        caption, and their items stay grey.

    Notes
    -----
    Selectors: ``div.dl-patterns``; ``rect.dl-item`` per item with
    ``data-pk``, ``data-sk`` and ``data-patterns`` (the call numbers that
    read it); ``rect.dl-rel`` per relational table; ``path.dl-join`` per
    join with ``data-pattern``.
    """

    css_class = "dl-patterns"
    kinds = ("client.items", "client.call")

    def __init__(self, source: Any, table: str | None = None, sql: dict | None = None,
                 schema: dict | None = None, patterns: list | None = None,
                 live: bool | None = None) -> None:
        self.sql = dict(sql or {})
        self.pick = None if patterns is None else list(patterns)
        if schema is not None and hasattr(schema, "execute"):    # a sqlite3 connection
            schema = schema_of(schema)
        self.schema = {k: tuple(v) for k, v in (schema or {}).items()}
        super().__init__(source, table=table, live=live)

    def initial(self) -> PatternsState:
        return PatternsState(table=self.table)

    def apply(self, s: PatternsState, ev: Event) -> PatternsState:
        if ev.kind == "client.call":
            if s.table is not None and ev.table == s.table:
                s.calls[ev.call] = (ev.operation, ev.get("key"), ev.rcu, ev.get("index"))
            return s
        if not self.mine(s, ev, indexed=False):
            return s
        if ev.index is None:
            s.keys = tuple(ev["keys"])
            for ht, hv, rt, rv, *_ in ev["items"]:
                if ev.role == "deleted":
                    s.items.pop((hv, rv), None)
                else:
                    s.items[(hv, rv)] = rt
            if ev.role == "read":
                s.reads.append([ev.call, {(hv, rv) for _, hv, _, rv, *_ in ev["items"]}])
        elif ev.role == "read":
            got = {tuple(b) for b in (ev.get("base") or ())}
            s.reads.append([ev.call, got])
        return s

    # -- reading ----------------------------------------------------------
    def patterns(self, s: PatternsState | None = None) -> list[dict]:
        """The reads, in order: ``call``, ``operation``, ``key``, ``rcu``,
        ``index``, ``items`` (sorted keys), ``sql`` and ``joins`` (tables)."""
        s = self.state if s is None else s
        out = []
        which = _resolve(self.sql, [call for call, _ in s.reads])
        for call, got in s.reads:
            op, key, rcu, index = s.calls.get(call, ("read", None, None, None))
            sql = self.sql[which[call]] if call in which else None
            out.append({"call": call, "operation": op, "key": key, "rcu": rcu, "index": index,
                        "items": sorted(got, key=lambda k: (k[0] or "", str(k[1]))),
                        "sql": sql, "joins": joined_tables(sql) if sql else []})
        return out

    def shown(self, s: PatternsState | None = None) -> list[dict]:
        """The patterns drawn in colour (see the ``patterns`` parameter)."""
        pats = self.patterns(s)
        pick = self.pick
        if pick is None:
            if not self.sql:
                return pats[:_MAX_PATTERNS]
            pick = list(self.sql)
        which = _resolve(pick, [p["call"] for p in pats])
        return [p for p in pats if p["call"] in which]

    # -- drawing ----------------------------------------------------------
    def render(self, s: PatternsState) -> dict:
        items: list = []
        add = items.append
        every = self.patterns(s)
        pats = self.shown(s)
        pcolor = {p["call"]: color(i) for i, p in enumerate(pats)}
        readers: dict = {}
        for p in pats:
            for k in p["items"]:
                readers.setdefault(k, []).append(p["call"])
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18},
             f"{self.what(s)}: one table, {self._kinds(pats)}"
             + (" · beside it, the normalized tables and their joins" if self.schema else "")])
        add(["text", "lh", {"class": "dl-muted", "x": 10, "y": _TOP - 10, "font-size": 10},
             f"{s.keys[0] or 'PK'} (item collections), items sorted by {s.keys[1] or 'SK'} →"])
        by_pk: dict = {}
        for pk, sk in sorted(s.items, key=lambda k: (k[0] or "",
                                                     sort_token(s.items[k], k[1]))):
            by_pk.setdefault(pk, []).append(sk)
        y = _TOP
        for pk, sks in by_pk.items():
            lines = max(1, -(-len(sks) // _PER_ROW))
            add(["text", f"pk:{pk}", {"x": 6, "y": y + 18, "font-weight": 600, "font-size": 10},
                 clip(pk, 19)])
            for j, sk in enumerate(sks):
                x = _L + (j % _PER_ROW) * (_CELL + 3)
                yy = y + (j // _PER_ROW) * _ROW
                who = readers.get((pk, sk), [])
                fill = pcolor[who[-1]] if who else "#f0f0f0"
                add(["rect", f"i:{pk}:{sk}", {
                    "class": "dl-item", "x": x, "y": yy + 3, "width": _CELL, "height": _ROW - 10,
                    "rx": 3, "fill": fill, "opacity": 0.85 if who else 1,
                    "stroke": "#bbb" if not who else "none", "data-pk": pk,
                    "data-sk": "" if sk is None else sk,
                    "data-patterns": " ".join(str(c) for c in who),
                    "data-tip": f"{pk} / {sk}" + (" · read by " + ", ".join(
                        f"#{c}" for c in who) if who else " · read by no pattern")}, ""])
                lab = _short(sk)
                add(["text", f"il:{pk}:{sk}", {"x": x + _CELL / 2, "y": yy + 17,
                                               "text-anchor": "middle", "font-size": 8.5,
                                               "fill": "#fff" if who else "#333",
                                               "pointer-events": "none"},
                     lab])
                for d, c in enumerate(who[:-1][-3:]):      # earlier patterns: small dots
                    add(["circle", f"d:{pk}:{sk}:{c}", {"cx": x + 6 + 7 * d, "cy": yy + _ROW - 5,
                                                        "r": 2.6, "fill": pcolor[c]}, ""])
            y += lines * _ROW + 2
        left_bottom = y
        y = _TOP
        boxes: dict = {}
        for name, cols in self.schema.items():
            h = 20 + 13 * min(len(cols), 4)
            boxes[name] = (y, h)
            add(["rect", f"rel:{name}", {"class": "dl-rel", "x": _RX, "y": y, "width": 150,
                                         "height": h, "rx": 4, "fill": "#fbfbfb",
                                         "stroke": "#888", "data-table": name}, ""])
            add(["text", f"reln:{name}", {"x": _RX + 6, "y": y + 14, "font-weight": 600,
                                          "font-size": 11}, name])
            for k, col in enumerate(cols[:4]):
                add(["text", f"relc:{name}:{col}", {"x": _RX + 10, "y": y + 28 + 13 * k,
                                                    "font-size": 10, "fill": "#555"},
                     col + (" …" if k == 3 and len(cols) > 4 else "")])
            y += h + 10
        for i, p in enumerate(pats):
            ts = [t for t in p["joins"] if t in boxes]
            for a, b in zip(ts, ts[1:]):
                ya = boxes[a][0] + boxes[a][1] / 2
                yb = boxes[b][0] + boxes[b][1] / 2
                bend = 160 + 14 * i
                add(["path", f"j:{p['call']}:{a}:{b}", {
                    "class": "dl-join", "d": f"M{_RX + 150} {ya:.1f}C{_RX + bend} {ya:.1f} "
                                            f"{_RX + bend} {yb:.1f} {_RX + 150} {yb:.1f}",
                    "fill": "none", "stroke": pcolor[p["call"]], "stroke-width": 2.2,
                    "data-pattern": p["call"], "data-tip": f"#{p['call']}: {a} ⋈ {b}"}, ""])
        y = max(left_bottom, y) + 10
        if len(pats) < len(every):
            rest = [p["call"] for p in every if p not in pats]
            add(["text", "more", {"class": "dl-muted", "x": 10, "y": y + 10, "font-size": 10},
                 f"{_n(len(rest), 'other read')} not coloured ("
                 + clip(", ".join(f"#{c}" for c in rest), 60)
                 + "): pick with patterns=[call numbers]"])
            y += 16
        for i, p in enumerate(pats):
            yy = y + 16 * i
            add(["rect", f"lg:{p['call']}", {"x": 10, "y": yy, "width": 12, "height": 12,
                                              "fill": pcolor[p["call"]]}, ""])
            text = (f"#{p['call']} {p['operation']}"
                    + (f" on {p['index']}" if p["index"] else "")
                    + f" {clip(p['key'] or '', 46)}: {plural(len(p['items']), 'item')}"
                    + (f", {p['rcu']:g} RCU" if p["rcu"] is not None else "") + ", 1 request")
            if p["sql"]:
                j = p["joins"]
                text += " · SQL: " + (" ⋈ ".join(j) if len(j) > 1 else f"{j[0]}, no join"
                                      if j else "?")
            add(["text", f"lgt:{p['call']}", {"x": 28, "y": yy + 10, "font-size": 11}, text])
        return own_text({"w": W, "h": y + 16 * max(len(pats), 1) + 8, "items": items})

    @staticmethod
    def _kinds(pats: list) -> str:
        """``'3 access patterns, each a key lookup'``, or how many are Scans."""
        scans = sum(p["operation"] == "Scan" for p in pats)
        text = _n(len(pats), "access pattern")
        if not pats:
            return text
        if scans == 0:
            if all(p["operation"] in _LOOKUPS for p in pats):
                return text + (", a key lookup" if len(pats) == 1 else ", each a key lookup")
            return text
        return text + f": {len(pats) - scans} by key, {_n(scans, 'Scan')}"

    def summary(self, s: PatternsState) -> str:
        pats = self.patterns(s)
        cols = len({pk for pk, _ in s.items})
        text = f"{self.what(s)}: {plural(cols, 'collection')}, {plural(len(s.items), 'item')}; {plural(len(pats), 'pattern')}"
        for p in pats[:3]:
            text += f": #{p['call']} {p['operation']} {plural(len(p['items']), 'item')}"
            if p["rcu"] is not None:
                text += f" {p['rcu']:g} RCU"
            if p["joins"]:
                text += " | " + " ⋈ ".join(p["joins"])
        return text
