"""ItemAnatomyView: one item's attributes, their types and sizes, and what it costs.

Lesson 11's picture. Each attribute is a row: its name, its type (the
deck's scalar, set and document types: S, N, B, BOOL, NULL, SS, NS, BS, L,
M) and its size as DynamoDB counts it (the name's UTF-8 bytes plus the
value's), drawn as a bar of name bytes and value bytes. Below, the item's
total on a ruler of 1 KB steps (each started KB is one WCU) and 4 KB steps
(each started 4 KB is one RCU for a strongly consistent read, half for an
eventually consistent one). The item is the last one the recorded client
wrote or read in full (or the one of ``call=``), so it draws on any
endpoint.

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> from dynamo_lab.viz import ItemAnatomyView, record
>>> c = DynamoDB(seed=0).client(retries=0)
>>> calls = record(c)
>>> _ = c.create_table(TableName="Images", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "imageid", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "imageid", "AttributeType": "N"}])
>>> c.get_waiter("table_exists").wait(TableName="Images", WaiterConfig={"Delay": 1})
>>> _ = c.put_item(TableName="Images", Item={"imageid": {"N": "12345"},
...     "url": {"S": "https://example.com/cat.png"}, "tags": {"SS": ["cat", "cute"]}})
>>> view = ItemAnatomyView(calls)
>>> view
<ItemAnatomyView 'Images': imageid=12345, 3 attributes, 52 B: 1 WCU, 1 RCU (0.5 eventually consistent)>
>>> view.costs()
{'size': 52, 'wcu': 1, 'rcu_strong': 1, 'rcu_eventual': 0.5}
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ...events import Event
from ..svg import color
from ._base import plural, size_text
from ._endpoint import EndpointView, clip

__all__ = ["ItemAnatomyView", "AnatomyState", "TYPE_NAMES", "costs_of"]

#: DynamoDB's data types, as the deck names them
TYPE_NAMES = {"S": "String", "N": "Number", "B": "Binary", "BOOL": "Boolean", "NULL": "Null",
              "SS": "String Set", "NS": "Number Set", "BS": "Binary Set", "L": "List",
              "M": "Map"}
_TYPE_COLOR = {t: color(i) for i, t in enumerate(TYPE_NAMES)}

W = 780
_L, _TOP, _ROW = 210, 48, 24
_BAR = 420


def costs_of(size: int) -> dict:
    """What one item of ``size`` bytes costs to write and to read.

    >>> costs_of(1229), costs_of(4608)["rcu_strong"]
    ({'size': 1229, 'wcu': 2, 'rcu_strong': 1, 'rcu_eventual': 0.5}, 2)
    """
    wcu = max(1, math.ceil(size / 1024))
    rcu = max(1, math.ceil(size / 4096))
    return {"size": size, "wcu": wcu, "rcu_strong": rcu, "rcu_eventual": rcu / 2}


@dataclass
class AnatomyState:
    """The item drawn: its key text, size and attributes, and the call that carried it."""

    table: str | None = None
    index: str | None = None
    key: str | None = None
    size: int | None = None
    attrs: tuple = ()
    call: int | None = None
    role: str | None = None
    keys: tuple = (None, None)


class ItemAnatomyView(EndpointView):
    """One item's attributes with their types and sizes, and its RCU/WCU.

    Parameters
    ----------
    source : CallRecorder, DynamoDB, Simulation or EventLog
    table : str, optional
        Default: the first table the recorded items name.
    call : int, optional
        The call whose (first) item to draw; default the last whole item.

    Notes
    -----
    Selectors: ``div.dl-anatomy``; ``rect.dl-attr`` per attribute with
    ``data-name``, ``data-type`` and ``data-bytes``; ``rect.dl-size`` for
    the total, ``line.dl-kb`` per 1 KB step of the ruler.
    """

    css_class = "dl-anatomy"
    kinds = ("client.items",)

    def __init__(self, source: Any, table: str | None = None, call: int | None = None,
                 live: bool | None = None) -> None:
        self.call = call
        super().__init__(source, table=table, live=live)

    def initial(self) -> AnatomyState:
        return AnatomyState(table=self.table)

    def apply(self, s: AnatomyState, ev: Event) -> AnatomyState:
        if ev.index is not None or not self.mine(s, ev, indexed=False):
            return s
        if self.call is not None and ev.call != self.call:
            return s
        for ht, hv, rt, rv, size, attrs in ev["items"]:
            if size is None:
                continue
            h, r = ev["keys"]
            s.key = f"{h}={hv}" + (f", {r}={rv}" if r else "")
            s.size, s.attrs, s.call, s.role, s.keys = size, tuple(attrs), ev.call, ev.role, \
                tuple(ev["keys"])
            break
        return s

    def costs(self, s: AnatomyState | None = None) -> dict | None:
        """``{'size', 'wcu', 'rcu_strong', 'rcu_eventual'}`` of the item drawn."""
        s = self.state if s is None else s
        return None if s.size is None else costs_of(s.size)

    def render(self, s: AnatomyState) -> dict:
        items: list = []
        add = items.append
        if s.size is None:
            add(["text", "title", {"class": "dl-title", "x": 10, "y": 18},
                 f"{self.what(s)}: no item yet (put or get one)"])
            return {"w": W, "h": 30, "items": items}
        c = costs_of(s.size)
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18},
             f"{self.what(s)}: the item {clip(s.key, 48)} ({s.role} by call {s.call}), "
             f"{size_text(s.size)}"])
        add(["text", "hn", {"class": "dl-muted", "x": 10, "y": _TOP - 8, "font-size": 10},
             "attribute"])
        add(["text", "ht", {"class": "dl-muted", "x": 110, "y": _TOP - 8, "font-size": 10},
             "type"])
        add(["text", "hb", {"class": "dl-muted", "x": _L, "y": _TOP - 8, "font-size": 10},
             "bytes: name + value"])
        top = max(a[2] for a in s.attrs) if s.attrs else 1
        keys = [k for k in s.keys if k]
        order = sorted(s.attrs, key=lambda a: (a[0] not in keys, keys.index(a[0])
                                               if a[0] in keys else 0, a[0]))
        for i, (name, typ, nbytes) in enumerate(order):
            y = _TOP + i * _ROW
            nb = len(name.encode("utf-8"))
            wd = _BAR * nbytes / top
            nw = _BAR * nb / top
            add(["text", f"n:{name}", {"x": 10, "y": y + 15, "font-weight":
                                       600 if name in keys else 400},
                 clip(name, 12) + (" (key)" if name in keys else "")])
            add(["text", f"t:{name}", {"x": 110, "y": y + 15, "fill": _TYPE_COLOR.get(typ, "#555")},
                 f"{typ} · {TYPE_NAMES.get(typ, '?')}"])
            add(["rect", f"a:{name}", {
                "class": "dl-attr", "x": _L, "y": y + 4, "width": round(max(wd, 1), 2),
                "height": _ROW - 8, "fill": _TYPE_COLOR.get(typ, "#999"), "opacity": 0.75,
                "data-name": name, "data-type": typ, "data-bytes": nbytes,
                "data-tip": f"{name}: {TYPE_NAMES.get(typ, typ)}, {nb} B of name + "
                            f"{nbytes - nb} B of value = {nbytes} B"}, ""])
            add(["rect", f"an:{name}", {"x": _L, "y": y + 4, "width": round(max(nw, 0.5), 2),
                                        "height": _ROW - 8, "fill": "#fff", "opacity": 0.45}, ""])
            add(["text", f"b:{name}", {"x": round(_L + max(wd, 1) + 6, 2), "y": y + 15,
                                       "font-size": 11}, f"{nb} + {nbytes - nb} = {nbytes} B"])
        y = _TOP + len(order) * _ROW + 18
        # the ruler: the item's size against 1 KB (WCU) and 4 KB (RCU) steps
        span = max(4096, 1024 * c["wcu"])
        scale = (W - 40) / span
        add(["rect", "size", {"class": "dl-size", "x": 20, "y": y, "width": round(
            max(s.size * scale, 1), 2), "height": 16, "fill": "#4e79a7",
            "data-bytes": s.size, "data-tip": f"the item: {s.size} B"}, ""])
        add(["rect", "ruler", {"x": 20, "y": y, "width": round(span * scale, 2), "height": 16,
                               "fill": "none", "stroke": "#999"}, ""])
        for k in range(1, span // 1024 + 1):
            x = round(20 + k * 1024 * scale, 2)
            four = k % 4 == 0
            add(["line", f"kb:{k}", {"class": "dl-kb", "x1": x, "x2": x, "y1": y - (8 if four
                                     else 3), "y2": y + 19, "stroke": "#333" if four else "#999",
                                     "stroke-width": 2 if four else 1}, ""])
            add(["text", f"kbl:{k}", {"class": "dl-muted", "x": x, "y": y + 30,
                                      "text-anchor": "end" if k == span // 1024 else "middle",
                                      "font-size": 10},
                 f"{k} KB"])
        add(["text", "cost", {"x": 20, "y": y + 50, "font-weight": 600},
             f"{size_text(s.size)} ({s.size} B): {c['wcu']} WCU to write it "
             f"(1 per started KB)"])
        add(["text", "cost2", {"x": 20, "y": y + 68, "font-weight": 600},
             f"{c['rcu_strong']} RCU to read it strongly consistent (1 per started 4 KB), "
             f"{c['rcu_eventual']:g} RCU eventually consistent"])
        return {"w": W, "h": y + 78, "items": items}

    def summary(self, s: AnatomyState) -> str:
        if s.size is None:
            return f"{self.what(s)}: no item yet"
        c = costs_of(s.size)
        return (f"{self.what(s)}: {s.key}, {plural(len(s.attrs), 'attribute')}, {size_text(s.size)}: "
                f"{c['wcu']} WCU, {c['rcu_strong']} RCU ({c['rcu_eventual']:g} eventually "
                f"consistent)")
