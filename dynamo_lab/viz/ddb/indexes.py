"""IndexPlacementView: where a table's secondary index entries live.

Lesson 14's picture, from what the client wrote and read:

* left, the **table**: its item collections (one row per partition key,
  items in sort-key order). Under a collection, its **LSI** entries: the
  same items re-sorted by the LSI's sort key. They live beside the base
  items, in the same partition and the same item collection (hence the
  10 GB limit of a collection with an LSI);
* right, the **GSI**: another partition key, so its entries are grouped
  differently, in partitions of their own, and **fed asynchronously**
  from the table. An item written but missing from a later Scan of the
  GSI is *not there yet* (orange: the lag, seen by the client). An item
  without the GSI's key attribute never goes in: a **sparse** index (grey,
  dashed).

The index entries come from the client's reads of the indexes (Query or
Scan with ``IndexName``); the schema from CreateTable/DescribeTable. On the
lab, ``gsi.applied`` events add the lag the service measured.

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> from dynamo_lab.viz import IndexPlacementView, record
>>> ddb = DynamoDB(seed=14, indexes={"gsi_lag_ms": (50, 50)})
>>> c = ddb.client(retries=0)
>>> calls = record(c)
>>> _ = c.create_table(TableName="Posts", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "forum", "KeyType": "HASH"},
...                {"AttributeName": "id", "KeyType": "RANGE"}],
...     AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
...                           for a in ("forum", "id", "author")],
...     GlobalSecondaryIndexes=[{"IndexName": "ByAuthor", "Projection": {"ProjectionType": "KEYS_ONLY"},
...         "KeySchema": [{"AttributeName": "author", "KeyType": "HASH"}]}])
>>> c.get_waiter("table_exists").wait(TableName="Posts", WaiterConfig={"Delay": 1})
>>> for i, who in enumerate(["ann", "bob", None, "ann"]):
...     item = {"forum": {"S": "db"}, "id": {"S": f"p{i}"}}
...     if who:
...         item["author"] = {"S": who}
...     _ = c.put_item(TableName="Posts", Item=item)
>>> _ = c.scan(TableName="Posts", IndexName="ByAuthor")      # right after: nothing yet
>>> ddb.run(ms=100)
>>> _ = c.put_item(TableName="Posts", Item={"forum": {"S": "db"}, "id": {"S": "p4"}})
>>> _ = c.scan(TableName="Posts", IndexName="ByAuthor")
>>> view = IndexPlacementView(calls)
>>> view
<IndexPlacementView 'Posts' GSI ByAuthor: 5 items, 3 in the GSI, 2 sparse, 0 not there yet>
>>> view.marks()["db"]
['in', 'in', 'sparse', 'in', 'sparse']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...events import Event
from ._base import plural
from ._endpoint import ROLE_COLORS, EndpointView, clip, own_text
from .collections import sort_token

__all__ = ["IndexPlacementView", "IndexState"]

W = 860
_LX, _RX = 10, 480            # the two panels
_GUTTER = 90                  # between them: the async feed's arrow and its labels
_TOP, _ROW, _CELL = 58, 26, 42


@dataclass
class IndexState:
    """The table's schema, its items, and what the index reads returned."""

    table: str | None = None
    index: str | None = None
    keys: tuple = (None, None)
    indexes: dict = field(default_factory=dict)   # name -> (kind, hash, range)
    base: dict = field(default_factory=dict)      # (hv, rv) -> [attr names, t written, rtype]
    entries: dict = field(default_factory=dict)   # index -> {(ih, ir, rtype, base): base key}
    scans: dict = field(default_factory=dict)     # index -> (t, base keys returned)
    lags: dict = field(default_factory=dict)      # index -> [lag ms] (lab internals)


class IndexPlacementView(EndpointView):
    """A table's items, its LSI entries beside them, its GSI entries apart.

    Parameters
    ----------
    source : CallRecorder, DynamoDB, Simulation or EventLog
    table : str, optional
        Default: the first table whose schema the recorder learned.
    gsi, lsi : str, optional
        The indexes to draw (default: the table's first of each kind).
    rows : int
        Item collections drawn per panel at most.

    Notes
    -----
    Selectors: ``div.dl-indexes``; ``rect.dl-item`` per base item with
    ``data-gsi`` (``in``, ``sparse``, ``pending``, ``unknown``);
    ``rect.dl-lsi`` per LSI entry; ``rect.dl-gsi`` per GSI entry.
    """

    css_class = "dl-indexes"
    kinds = ("client.table", "client.items", "client.call", "gsi.applied")

    def __init__(self, source: Any, table: str | None = None, gsi: str | None = None,
                 lsi: str | None = None, rows: int = 8, live: bool | None = None) -> None:
        self.gsi, self.lsi, self.max_rows = gsi, lsi, int(rows)
        self._scan_calls: dict = {}
        super().__init__(source, table=table, live=live)

    def initial(self) -> IndexState:
        return IndexState(table=self.table)

    def apply(self, s: IndexState, ev: Event) -> IndexState:
        kind = ev.kind
        if kind == "client.table":
            if s.table is None and ev.indexes:
                s.table = ev.table
            if ev.table == s.table:
                s.keys = tuple(ev["keys"])
                s.indexes = {n: (k, h, r) for n, k, h, r in ev.indexes}
            return s
        if kind == "gsi.applied":
            if ev.table == s.table:
                s.lags.setdefault(ev.index, []).append(ev.lag)
            return s
        if kind == "client.call":
            if ev.table == s.table and ev.operation == "Scan" and ev.get("index"):
                self._scan_calls[ev.call] = ev.t
            return s
        if ev.table != s.table:
            return s
        if ev.index is None:
            for ht, hv, rt, rv, size, attrs in ev["items"]:
                k = (hv, rv)
                if ev.role == "deleted":
                    s.base.pop(k, None)
                elif size is not None:
                    old = s.base.get(k)
                    t = ev.t if ev.role == "written" or old is None else old[1]
                    s.base[k] = [frozenset(a[0] for a in attrs), t, rt]
                elif k not in s.base or ev.role == "written":
                    old = s.base.get(k)
                    s.base[k] = [old[0] if old else None, ev.t, rt]
            return s
        got = s.entries.setdefault(ev.index, {})
        bases = ev.get("base") or ()
        for (ht, hv, rt, rv, size, attrs), b in zip(ev["items"], bases):
            got[(hv, rv, rt, tuple(b))] = tuple(b)     # index keys need not be unique
        if ev.call in self._scan_calls and ev.start is None and ev.end is None:
            s.scans[ev.index] = (ev.t, frozenset(tuple(b) for b in bases))
        return s

    # -- reading ----------------------------------------------------------
    def _pick(self, s: IndexState, kind: str, chosen: str | None) -> str | None:
        if chosen is not None:
            return chosen if chosen in s.indexes else None
        return next((n for n, (k, *_) in sorted(s.indexes.items()) if k == kind), None)

    def _mark(self, s: IndexState, key: tuple, gsi: str | None) -> str:
        if gsi is None:
            return "unknown"
        names, t, _ = s.base[key]
        gh, gr = s.indexes[gsi][1:]
        if names is not None and (gh not in names or (gr and gr not in names)):
            return "sparse"
        seen = {b for b in s.entries.get(gsi, {}).values()}
        if key in seen:
            scan = s.scans.get(gsi)
            if scan is None or key in scan[1] or scan[0] < t:
                return "in"
        scan = s.scans.get(gsi)
        if scan is not None and scan[0] >= t and key not in scan[1]:
            return "pending"
        return "in" if key in seen else "unknown"

    def marks(self, s: IndexState | None = None) -> dict[str, list[str]]:
        """Per table partition key, each item's place in the GSI, in sort order:
        ``'in'``, ``'sparse'`` (no GSI key attribute), ``'pending'`` (written
        before the last Scan of the GSI, missing from it) or ``'unknown'``."""
        s = self.state if s is None else s
        gsi = self._pick(s, "GSI", self.gsi)
        out: dict = {}
        for h, r in self._base_order(s):
            out.setdefault(h, []).append(self._mark(s, (h, r), gsi))
        return out

    def _base_order(self, s: IndexState) -> list[tuple]:
        return sorted(s.base, key=lambda k: (k[0], sort_token(s.base[k][2], k[1])))

    # -- drawing ----------------------------------------------------------
    def render(self, s: IndexState) -> dict:
        items: list = []
        add = items.append
        gsi, lsi = self._pick(s, "GSI", self.gsi), self._pick(s, "LSI", self.lsi)
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18}, self._title(s, gsi, lsi)])
        add(["text", "lh", {"font-weight": 600, "x": _LX, "y": 44},
             f"table: by {s.keys[0] or '?'}, sorted by {s.keys[1] or '(no sort key)'}"])
        if gsi:
            gh, gr = s.indexes[gsi][1:]
            add(["text", "rh", {"font-weight": 600, "x": _RX, "y": 44},
                 f"GSI {clip(gsi, 14)}: by {gh}" + (f", sorted by {gr}" if gr else "")])
        colors = {"in": ROLE_COLORS["read"], "sparse": "#ffffff", "pending": ROLE_COLORS["filtered"],
                  "unknown": ROLE_COLORS["known"]}
        y = _TOP
        per_row = (_RX - _LX - 100 - _GUTTER) // (_CELL + 3)
        by_hash: dict = {}
        for k in self._base_order(s):
            by_hash.setdefault(k[0], []).append(k)
        lsi_entries = s.entries.get(lsi, {}) if lsi else {}
        for h in list(by_hash)[:self.max_rows]:
            add(["text", f"bh:{h}", {"x": _LX, "y": y + 16, "font-weight": 600, "font-size": 11},
                 clip(h, 14)])
            for j, k in enumerate(by_hash[h][:per_row]):
                x = _LX + 100 + j * (_CELL + 3)
                m = self._mark(s, k, gsi)
                add(["rect", f"b:{h}:{k[1]}", {
                    "class": "dl-item", "x": x, "y": y + 3, "width": _CELL, "height": _ROW - 8,
                    "rx": 3, "fill": colors[m], "stroke": "#888" if m != "in" else "none",
                    "stroke-dasharray": "3 2" if m == "sparse" else "none", "data-gsi": m,
                    "data-tip": f"{s.keys[0]}={h}" + (f", {s.keys[1]}={k[1]}" if k[1] else "")
                                + {"in": " · in the GSI", "sparse": " · no GSI key: not in it",
                                   "pending": " · not in the GSI yet (lag)",
                                   "unknown": ""}[m]}, ""])
                lab = k[1] if k[1] is not None else h
                add(["text", f"bl:{h}:{k[1]}", {"x": x + _CELL / 2, "y": y + 16,
                                                "text-anchor": "middle", "font-size": 10,
                                                "fill": "#fff" if m in ("in", "pending") else "#333",
                                                "pointer-events": "none"},
                     lab if len(lab) <= 6 else "…" + lab[-4:]])
            y += _ROW
            mine = sorted(((e, b) for e, b in lsi_entries.items() if e[0] == h),
                          key=lambda eb: sort_token(eb[0][2], eb[0][1]))
            if mine:
                add(["text", f"lt:{h}", {"class": "dl-muted", "x": _LX + 8, "y": y + 13,
                                         "font-size": 10}, f"LSI by {s.indexes[lsi][2]}"])
                for j, (e, b) in enumerate(mine[:per_row]):
                    x = _LX + 100 + j * (_CELL + 3)
                    add(["rect", f"l:{h}:{e[1]}:{b[1]}", {
                        "class": "dl-lsi", "x": x, "y": y + 2, "width": _CELL, "height": _ROW - 12,
                        "rx": 2, "fill": "#b07aa1", "opacity": 0.8,
                        "data-tip": f"LSI entry {s.indexes[lsi][2]}={e[1]} → item {b[1]}"}, ""])
                    lab = b[1] if b[1] is not None else e[1]
                    add(["text", f"ll:{h}:{e[1]}:{b[1]}", {
                        "x": x + _CELL / 2, "y": y + 13, "text-anchor": "middle",
                        "font-size": 9, "fill": "#fff", "pointer-events": "none"},
                        lab if len(lab) <= 6 else "…" + lab[-4:]])
                y += _ROW - 6
            y += 4
        left_bottom = y
        y = _TOP
        if gsi:
            ents = s.entries.get(gsi, {})
            groups: dict = {}
            for e in sorted(ents, key=lambda e: (e[0] or "", sort_token(e[2], e[1]))):
                groups.setdefault(e[0], []).append(e)
            per = (W - _RX - 100) // (_CELL + 3)
            for gh_val in list(groups)[:self.max_rows]:
                add(["text", f"gh:{gh_val}", {"x": _RX, "y": y + 16, "font-weight": 600,
                                              "font-size": 11}, clip(gh_val, 13)])
                for j, e in enumerate(groups[gh_val][:per]):
                    x = _RX + 96 + j * (_CELL + 3)
                    b = ents[e]
                    lab = b[1] if b[1] is not None else b[0]
                    add(["rect", f"g:{gh_val}:{e[1]}:{b}", {
                        "class": "dl-gsi", "x": x, "y": y + 3, "width": _CELL, "height": _ROW - 8,
                        "rx": 3, "fill": "#59a14f", "opacity": 0.85,
                        "data-tip": f"GSI entry {gh_val} → item {b[0]}/{b[1]}"}, ""])
                    add(["text", f"gl:{gh_val}:{e[1]}:{b}", {
                        "x": x + _CELL / 2, "y": y + 16, "text-anchor": "middle",
                        "font-size": 10, "fill": "#fff", "pointer-events": "none"},
                        lab if len(lab or "") <= 6 else "…" + lab[-4:]])
                y += _ROW + 4
            if not groups:
                add(["text", "gnone", {"class": "dl-muted", "x": _RX, "y": y + 16},
                     "no read of the GSI yet: Query or Scan it with IndexName"])
                y += _ROW
            lag = s.lags.get(gsi)
            mid = (_TOP + max(y, left_bottom)) / 2
            # the arrow and both labels stay in the gutter, clear of the rows on the left
            fx = _RX - _GUTTER / 2 + 4
            add(["path", "feed", {"d": f"M{_RX - 72} {mid}L{_RX - 8} {mid}", "stroke": "#888",
                                  "stroke-width": 2, "stroke-dasharray": "5 3", "fill": "none"},
                 ""])
            add(["path", "feed-h", {"d": f"M{_RX - 6} {mid}l-7 -4v8z", "fill": "#888"}, ""])
            add(["text", "feed-l", {"class": "dl-muted", "x": fx, "y": mid - 8,
                                    "font-size": 10, "text-anchor": "middle"}, "async"])
            if lag:
                ls = sorted(lag)
                add(["text", "feed-lag", {"class": "dl-muted", "x": fx, "y": mid + 16,
                                          "font-size": 9, "text-anchor": "middle"},
                     f"lag ≤{ls[-1]} ms"])
        y = max(y, left_bottom) + 8
        x = 10
        for m, text in (("in", "in the GSI"), ("pending", "written, not in the GSI yet (lag)"),
                        ("sparse", "no GSI key attribute: never in it (sparse)")):
            add(["rect", f"lg:{m}", {"x": x, "y": y, "width": 12, "height": 12,
                                     "fill": colors[m], "stroke": "#888",
                                     "stroke-dasharray": "3 2" if m == "sparse" else "none"}, ""])
            add(["text", f"lgt:{m}", {"x": x + 16, "y": y + 10, "font-size": 11}, text])
            x += 30 + 6.3 * len(text)
        return own_text({"w": W, "h": y + 22, "items": items})

    def _counts(self, s: IndexState) -> dict:
        out = {"in": 0, "sparse": 0, "pending": 0, "unknown": 0}
        for marks in self.marks(s).values():
            for m in marks:
                out[m] += 1
        return out

    def _title(self, s: IndexState, gsi: str | None, lsi: str | None) -> str:
        text = f"{self.what(s)}: {plural(len(s.base), 'item')}"
        if lsi:
            text += f" · LSI {lsi}: in each item collection"
        if gsi:
            text += f" · GSI {gsi}: apart, fed asynchronously"
        if not s.indexes:
            text += " · no secondary index seen (create or describe the table while recording)"
        return text

    def summary(self, s: IndexState) -> str:
        gsi = self._pick(s, "GSI", self.gsi)
        c = self._counts(s)
        text = f"{self.what(s)}"
        if gsi:
            text += (f" GSI {gsi}: {plural(len(s.base), 'item')}, {c['in']} in the GSI, {c['sparse']} "
                     f"sparse, {c['pending']} not there yet")
        else:
            text += f": {plural(len(s.base), 'item')}, no GSI"
        return text
