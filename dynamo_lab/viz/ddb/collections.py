"""ItemCollectionsView: a table's items grouped by partition key, sorted by sort key.

The hash-range slide as the client sees it: one row per item collection
(the items sharing a partition key), its items in sort-key order. The
items come from the recorded calls (every item the client wrote or read,
:func:`~dynamo_lab.viz.record`), so the view draws on any endpoint. One
call is highlighted (``call=``, default the last read of the table):

* blue: items it **returned**;
* orange: items it **read and filtered out** (a FilterExpression drops
  them after the read, and they are still charged); which ones is known
  when the page's end (LastEvaluatedKey) or start (ExclusiveStartKey) pins
  the run of ScannedCount items, or when the run is the whole collection;
* a red bar where its **page ended** (LastEvaluatedKey): the next page
  starts after it.

Rows are ordered by the lab's hash of the partition key (MD5, the first
byte shown as the slide writes it, with the slide's partition 00-55, 55-AA
or AA-FF that holds it): the order a Scan walks on the lab.

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> from dynamo_lab.viz import ItemCollectionsView, record
>>> c = DynamoDB(seed=0).client(retries=0)
>>> calls = record(c)
>>> _ = c.create_table(TableName="Orders", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "c", "KeyType": "HASH"},
...                {"AttributeName": "o", "KeyType": "RANGE"}],
...     AttributeDefinitions=[{"AttributeName": "c", "AttributeType": "S"},
...                           {"AttributeName": "o", "AttributeType": "N"}])
>>> c.get_waiter("table_exists").wait(TableName="Orders", WaiterConfig={"Delay": 1})
>>> for cust, n in (("A", 4), ("B", 2)):
...     for o in range(n):
...         _ = c.put_item(TableName="Orders", Item={"c": {"S": cust}, "o": {"N": str(o)},
...                                                 "big": {"BOOL": o % 2 == 0}})
>>> _ = c.query(TableName="Orders", KeyConditionExpression="c = :c",
...             FilterExpression="big = :t",
...             ExpressionAttributeValues={":c": {"S": "A"}, ":t": {"BOOL": True}})
>>> view = ItemCollectionsView(calls, table="Orders")
>>> view
<ItemCollectionsView 'Orders': 2 collections, 6 items; call 10 Query returned 2, filtered 2>
>>> view.marks()["A"]
['read', 'filtered', 'read', 'filtered']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...events import Event
from ._base import plural, short_hash
from ._endpoint import ROLE_COLORS, EndpointView, clip

__all__ = ["ItemCollectionsView", "CollectionsState", "sort_token", "hash_position"]

W = 780
_L, _TOP, _ROW = 190, 58, 28
_CELL, _GAP, _PER_ROW = 46, 3, 12
#: the deck's three partitions of the hash space, by first byte
_SLIDE = ((0x00, 0x55), (0x55, 0xAA), (0xAA, 0x100))


def hash_position(htype: str | None, hvalue: str | None) -> int:
    """The lab's 128-bit position of a partition key value (MD5 of its bytes).

    >>> f"{hash_position('N', '1') >> 120:02X}"
    'C4'
    """
    if htype not in ("S", "N", "B") or hvalue is None:
        return 0
    from ...dynamodb.model.keys import position
    try:
        return position({htype: hvalue})
    except Exception:       # a value the lab would refuse as a key
        return 0


def sort_token(rtype: str | None, rvalue: str | None) -> tuple:
    """A value whose Python order is DynamoDB's sort-key order (numbers as
    numbers, strings and binaries by their bytes).

    >>> sort_token("N", "10") > sort_token("N", "9"), sort_token("S", "B") < sort_token("S", "a")
    (True, True)
    """
    if rvalue is None:
        return (0, b"")
    if rtype == "N":
        from decimal import Decimal, InvalidOperation
        try:
            return (1, Decimal(rvalue))
        except InvalidOperation:
            return (1, Decimal(0))
    if rtype == "B":
        import base64
        try:
            return (2, base64.b64decode(rvalue))
        except Exception:
            return (2, rvalue.encode())
    return (2, rvalue.encode("utf-8"))


@dataclass
class CollectionsState:
    """Known items per partition key, and what each reading call touched."""

    table: str | None = None
    index: str | None = None
    keys: tuple = (None, None)
    colls: dict = field(default_factory=dict)     # hash value -> {range value: entry}
    htype: dict = field(default_factory=dict)     # hash value -> its type
    reads: list = field(default_factory=list)     # one dict per reading call
    ops: dict = field(default_factory=dict)       # call -> (operation, key, rcu)


class ItemCollectionsView(EndpointView):
    """A table's item collections, and the items one call read.

    Parameters
    ----------
    source : CallRecorder, DynamoDB, Simulation or EventLog
    table : str, optional
        The table (default: the first one the recorded items name).
    index : str, optional
        Draw this index's item collections instead (from the index's reads:
        writes go to the table, and an index is fed from it).
    call : int or str, optional
        The call to highlight: its number, or an operation name for the last
        call of that operation ('Query', 'Scan'); default the last read.
    rows : int
        Item collections drawn at most (the others are counted).

    Notes
    -----
    Selectors: ``div.dl-collections``; ``rect.dl-item`` per drawn item with
    ``data-hash``, ``data-range``, ``data-mark`` (``known``, ``read``,
    ``filtered``) and ``data-size``; ``line.dl-page-end`` where the chosen
    call's page ended; ``text.dl-coll`` per collection.
    """

    css_class = "dl-collections"
    kinds = ("client.items", "client.call")

    def __init__(self, source: Any, table: str | None = None, index: str | None = None,
                 call: int | str | None = None, rows: int = 10,
                 live: bool | None = None) -> None:
        self.call = call
        self.max_rows = int(rows)
        super().__init__(source, table=table, index=index, live=live)

    def initial(self) -> CollectionsState:
        return CollectionsState(table=self.table, index=self.index)

    def apply(self, s: CollectionsState, ev: Event) -> CollectionsState:
        if ev.kind == "client.call":
            if s.table is not None and ev.table == s.table:
                s.ops[ev.call] = (ev.operation, ev.get("key"), ev.rcu, ev.get("index"))
            return s
        if s.table is None:
            s.table = ev.table
        if ev.table != s.table or ev.index != s.index:
            return s
        s.keys = tuple(ev["keys"])
        role = ev.role
        for ht, hv, rt, rv, size, attrs in ev["items"]:
            if hv is None:
                continue
            coll = s.colls.setdefault(hv, {})
            s.htype.setdefault(hv, ht)
            if role == "deleted":
                coll.pop(rv, None)
                if not coll:
                    del s.colls[hv]
                continue
            old = coll.get(rv)
            if size is None and old is not None:
                size = old[1]
            coll[rv] = (rt, size)
        if role == "read":
            read = {"call": ev.call, "index": ev.index,
                    "got": tuple((hv, rv) for _, hv, _, rv, _, _ in ev["items"]),
                    "start": ev.start, "end": ev.end, "filtered": ev.filtered}
            # which items were dropped is pinned by the collections as they were then
            read["dropped"] = frozenset(self._filtered(s, read))
            s.reads.append(read)
        return s

    # -- reading ----------------------------------------------------------
    def _chosen(self, s: CollectionsState) -> dict | None:
        if not s.reads:
            return None
        if self.call is None:
            return s.reads[-1]
        if isinstance(self.call, int):
            return next((r for r in s.reads if r["call"] == self.call), None)
        hits = [r for r in s.reads if s.ops.get(r["call"], ("",))[0] == self.call]
        return hits[-1] if hits else None

    def _order(self, s: CollectionsState) -> list:
        return sorted(s.colls, key=lambda h: (hash_position(s.htype.get(h), h), h))

    def _sorted(self, s: CollectionsState, h: str) -> list:
        coll = s.colls[h]
        return sorted(coll, key=lambda r: sort_token(coll[r][0], r))

    def marks(self, s: CollectionsState | None = None) -> dict[str, list[str]]:
        """Per partition key, each item's mark in sort-key order: ``'read'``,
        ``'filtered'`` or ``'known'`` (for the highlighted call)."""
        s = self.state if s is None else s
        chosen = self._chosen(s)
        out = {}
        got = set(chosen["got"]) if chosen else set()
        filtered = chosen["dropped"] if chosen else set()
        for h in self._order(s):
            out[h] = ["read" if (h, r) in got else "filtered" if (h, r) in filtered else "known"
                      for r in self._sorted(s, h)]
        return out

    def _filtered(self, s: CollectionsState, chosen: dict) -> set:
        """The items the call read and dropped, where the recorded run pins them."""
        n = chosen["filtered"]
        if not n:
            return set()
        got = set(chosen["got"])
        hashes = sorted({h for h, _ in got} | ({chosen["end"][0]} if chosen["end"] else set())
                        | ({chosen["start"][0]} if chosen["start"] else set()))
        op = s.ops.get(chosen["call"], ("",))[0]
        if op == "Scan":
            hashes = self._order(s)
        run: list = []
        for h in hashes:
            if h in s.colls:
                run += [(h, r) for r in self._sorted(s, h)]
        scanned = n + len(got)
        if chosen["end"] and tuple(chosen["end"]) in run:
            i = run.index(tuple(chosen["end"]))
            window = run[max(0, i + 1 - scanned):i + 1]
        elif chosen["start"] and tuple(chosen["start"]) in run:
            i = run.index(tuple(chosen["start"]))
            window = run[i + 1:i + 1 + scanned]
        elif len(run) <= scanned:
            window = run
        else:
            return set()
        return {k for k in window if k not in got}

    # -- drawing ----------------------------------------------------------
    def render(self, s: CollectionsState) -> dict:
        items: list = []
        add = items.append
        chosen = self._chosen(s)
        got = set(chosen["got"]) if chosen else set()
        filtered = chosen["dropped"] if chosen else set()
        end = tuple(chosen["end"]) if chosen and chosen["end"] else None
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18}, self._title(s)])
        add(["text", "call", {"x": 10, "y": 36}, self._call_text(s, chosen)])
        h_name, r_name = s.keys
        add(["text", "hk", {"class": "dl-muted", "x": 10, "y": _TOP - 8, "font-size": 10},
             f"{clip(h_name or '?', 12)} · Hash · slide range"])
        add(["text", "rk", {"class": "dl-muted", "x": _L, "y": _TOP - 8, "font-size": 10},
             f"items sorted by {r_name} →" if r_name else "one item per key (no sort key)"])
        y = _TOP
        order = self._order(s)
        for h in order[:self.max_rows]:
            rs = self._sorted(s, h)
            lines = max(1, -(-len(rs) // _PER_ROW))
            pos = hash_position(s.htype.get(h), h)
            hx = short_hash(pos)
            slide = next(f"{a:02X}-{min(b, 255):02X}" for a, b in _SLIDE if a <= pos >> 120 < b)
            add(["text", f"coll:{h}", {"class": "dl-coll", "x": 10, "y": y + 17,
                                       "font-weight": 600, "data-hash": h}, clip(h, 14)])
            add(["text", f"hx:{h}", {"class": "dl-muted", "x": _L - 6, "y": y + 17,
                                     "font-size": 10, "text-anchor": "end"},
                 f"#{hx} · {slide}"])
            add(["rect", f"cb:{h}", {"x": _L - 2, "y": y, "width": W - _L - 6,
                                     "height": lines * _ROW - 2, "fill": "#fafafa",
                                     "stroke": "#e4e4e4"}, ""])
            for j, r in enumerate(rs):
                x = _L + (j % _PER_ROW) * (_CELL + _GAP)
                yy = y + 3 + (j // _PER_ROW) * _ROW
                mark = "read" if (h, r) in got else "filtered" if (h, r) in filtered else "known"
                rt, size = s.colls[h][r]
                label = r if r is not None else h
                label = label if len(label) <= 6 else "…" + label[-4:]
                tip = f"{h_name}={h}" + (f", {r_name}={r}" if r is not None else "")
                if size is not None:
                    tip += f" · {size} B"
                tip += {"read": " · returned", "filtered": " · read, filtered out, charged",
                        "known": ""}[mark]
                add(["rect", f"i:{h}:{r}", {
                    "class": f"dl-item dl-{mark}", "x": x, "y": yy, "width": _CELL,
                    "height": _ROW - 8, "rx": 3, "fill": ROLE_COLORS[mark],
                    "stroke": "#999" if mark == "known" else "none", "data-hash": h,
                    "data-range": "" if r is None else r, "data-mark": mark,
                    "data-size": "" if size is None else size, "data-tip": tip}, ""])
                add(["text", f"il:{h}:{r}", {"x": x + _CELL / 2, "y": yy + 14,
                                             "text-anchor": "middle", "font-size": 10,
                                             "fill": "#fff" if mark != "known" else "#333",
                                             "pointer-events": "none"}, label])
                if end == (h, r):
                    ex = x + _CELL + 1.5
                    add(["line", "page-end", {"class": "dl-page-end", "x1": ex, "x2": ex,
                                              "y1": yy - 3, "y2": yy + _ROW - 5,
                                              "stroke": "#d62728", "stroke-width": 3}, ""])
            y += lines * _ROW + 4
        if len(order) > self.max_rows:
            add(["text", "more", {"class": "dl-muted", "x": 10, "y": y + 12},
                 f"… and {len(order) - self.max_rows} more item collections"])
            y += 16
        legend = [("read", "returned"), ("filtered", "read, filtered out (charged)"),
                  ("known", "not read by this call")]
        x = 10
        for mark, text in legend:
            add(["rect", f"lg:{mark}", {"x": x, "y": y + 6, "width": 12, "height": 12,
                                        "fill": ROLE_COLORS[mark], "stroke": "#999"}, ""])
            add(["text", f"lgt:{mark}", {"x": x + 16, "y": y + 16, "font-size": 11}, text])
            x += 30 + 7 * len(text)
        add(["line", "lg:end", {"x1": x, "x2": x, "y1": y + 5, "y2": y + 19, "stroke": "#d62728",
                                "stroke-width": 3}, ""])
        add(["text", "lgt:end", {"x": x + 6, "y": y + 16, "font-size": 11},
             "page ended (LastEvaluatedKey)"])
        return {"w": W, "h": y + 26, "items": items}

    def _what_call(self, s: CollectionsState, chosen: dict | None) -> str:
        if chosen is None:
            return "no read yet"
        op, key, rcu, index = s.ops.get(chosen["call"], ("read", None, None, None))
        text = f"call {chosen['call']} {op}"
        if index:
            text += f" on {index}"
        return text

    def _title(self, s: CollectionsState) -> str:
        n = sum(len(c) for c in s.colls.values())
        return (f"{self.what(s)}: {plural(len(s.colls), 'item collection')}, {plural(n, 'item')} "
                "(as the client wrote and read them)")

    def _call_text(self, s: CollectionsState, chosen: dict | None) -> str:
        text = self._what_call(s, chosen)
        if chosen is not None:
            op, key, rcu, _ = s.ops.get(chosen["call"], ("read", None, None, None))
            if key:
                text += f" ({clip(key, 60)})"
            text += f": returned {len(chosen['got'])}"
            if chosen["filtered"]:
                text += f", read {len(chosen['got']) + chosen['filtered']}"
            if rcu is not None:
                text += f", {rcu:g} RCU"
        return text

    def summary(self, s: CollectionsState) -> str:
        n = sum(len(c) for c in s.colls.values())
        text = f"{self.what(s)}: {plural(len(s.colls), 'collection')}, {plural(n, 'item')}"
        chosen = self._chosen(s)
        if chosen is not None:
            text += f"; {self._what_call(s, chosen)} returned {len(chosen['got'])}"
            if chosen["filtered"]:
                text += f", filtered {chosen['filtered']}"
            if chosen["end"]:
                text += ", page ended"
        return text
