"""PartitionMapView: a table's partitions on the hash space, and their replicas.

The hash space ``[0, 2**128)`` is drawn as a band, cut into the table's
partitions (half-open ranges, as the deck's slides draw 00-55, 55-AA,
AA-FF). Under the band, one row per availability zone: each partition's
three replicas, one per zone, with the leader filled red (it takes the
writes and the strongly consistent reads). Hovering a partition gives its
range, items, size, and its share of the table's RCU and WCU.

A split is animated in the browser: the partition's element is keyed by
where its range starts, so the left child *is* the parent shrinking (CSS
transitions on ``x`` and ``width``), and the right child fades in beside it.

Everything comes from events: ``partition.created`` / ``partition.split`` /
``partition.throughput`` for the map, ``partition.leader`` for leader
changes, ``storage.crash`` / ``storage.recover`` for replicas down,
``item.put`` / ``item.updated`` / ``item.deleted`` (which carry the item's
hash position and size) for item counts and bytes, ``table.deleted`` to
start again. A global secondary index (``index=``) has its own partitions;
no event tells what an index holds, so its items and bytes are not shown.

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> ddb = DynamoDB(seed=1, partition_size_limit=16 * 1024)
>>> c = ddb.client()
>>> _ = c.create_table(TableName="Music",
...     KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "Artist", "AttributeType": "S"}],
...     ProvisionedThroughput={"ReadCapacityUnits": 300, "WriteCapacityUnits": 300})
>>> c.get_waiter("table_exists").wait(TableName="Music")
>>> view = PartitionMapView(ddb, table="Music")
>>> for i in range(80):
...     _ = c.put_item(TableName="Music", Item={"Artist": {"S": f"a{i}"}, "Bio": {"S": "x" * 300}})
>>> view
<PartitionMapView 'Music': 2 partitions, 1 split (size), 80 items, 24.4 KB>
>>> [(p["id"], p["items"], p["wcu"]) for p in view.partitions()]
[('p1', 38, 150.0), ('p2', 42, 150.0)]
>>> [(p["id"], p["items"]) for p in ddb.partitions("Music")]
[('p1', 38), ('p2', 42)]
"""
from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass, field

from ...events import Event
from ..svg import ZONE_COLORS, color
from ._base import HASH_SPACE, DdbView, plural, short_hash, size_text

__all__ = ["PartitionMapView", "PartitionMapState", "PartitionInfo"]

W = 720
_L, _BW = 70, 630            # the band: left edge and width
_BAND_Y, _BAND_H = 44, 46
_ROW0, _ROW_H = 128, 30      # the zone rows


@dataclass
class PartitionInfo:
    """One partition as the events described it."""

    id: str
    start: int
    end: int
    parent: str | None
    rcu: float
    wcu: float
    replicas: tuple
    zones: tuple
    leader: str
    number: int              # creation order, for its colour
    t: int                   # when it came to be


@dataclass
class PartitionMapState:
    """The live partitions in hash order, their items, splits and leaders."""

    table: str | None = None
    index: str | None = None
    parts: dict = field(default_factory=dict)     # id -> PartitionInfo (live ones)
    starts: list = field(default_factory=list)    # sorted range starts of live partitions
    at: dict = field(default_factory=dict)        # start -> id
    items: dict = field(default_factory=dict)     # id -> {key: (position, size)}
    bytes: dict = field(default_factory=dict)     # id -> bytes
    rcu: float = 0.0                               # the table's (or index's) throughput
    wcu: float = 0.0
    created: int = 0                              # partitions ever created
    splits: list = field(default_factory=list)    # (t, parent, children, reason)
    leader_changes: list = field(default_factory=list)  # (t, partition, previous, leader, reason)
    zones: list = field(default_factory=list)     # availability zones, first seen first
    down: set = field(default_factory=set)        # storage nodes crashed and not recovered


class PartitionMapView(DdbView):
    """A table's partitions as ranges of the hash space, with replicas and leaders.

    Parameters
    ----------
    source : DynamoDB, Simulation or EventLog
    table : str, optional
        The table to draw (default: the first one the log names).
    index : str, optional
        A global secondary index of it, which has its own partitions.
    live : bool
        Display a widget that follows the log (default True): splits and
        leader changes animate.

    Notes
    -----
    Selectors: ``div.dl-partitions``; ``rect.dl-part`` per partition with
    ``data-partition``, ``data-start``/``data-end`` (hex of the first byte),
    ``data-items``, ``data-bytes``, ``data-rcu``, ``data-wcu``,
    ``data-leader`` and ``data-tip`` (the hover text, also a ``<title>``);
    ``circle.dl-member`` per replica with ``data-partition``, ``data-node``,
    ``data-zone``, and class ``dl-leader`` on the leader, ``dl-down`` on a
    replica whose storage node is down.
    """

    css_class = "dl-partitions"
    live = True
    kinds = ("partition.*", "item.put", "item.updated", "item.deleted", "table.deleted",
             "storage.crash", "storage.recover")

    def initial(self) -> PartitionMapState:
        return PartitionMapState(table=self.table, index=self.index)

    # -- the reducer ------------------------------------------------------
    def apply(self, s: PartitionMapState, ev: Event) -> PartitionMapState:
        kind = ev.kind
        if kind.startswith("item."):          # the common case: kept short
            if s.index is None:
                table = ev["table"]
                if table == s.table or (s.table is None and self.mine(s, ev, indexed=False)):
                    self._item(s, ev, kind == "item.deleted")
            return s
        if kind == "table.deleted":
            if self.mine(s, ev, indexed=False):
                return PartitionMapState(table=s.table, index=s.index, down=s.down)
            return s
        if kind == "storage.crash":
            s.down.add(ev.node)
            return s
        if kind == "storage.recover":
            s.down.discard(ev.node)
            return s
        if not self.mine(s, ev):
            return s
        if kind == "partition.created":
            info = PartitionInfo(ev.partition, ev.start, ev.end, ev.parent, float(ev.rcu),
                                 float(ev.wcu), tuple(ev.replicas), tuple(ev.zones), ev.leader,
                                 s.created, ev.t)
            s.created += 1
            s.parts[info.id] = info
            if info.start in s.at:
                s.starts.remove(info.start)
            insort(s.starts, info.start)
            s.at[info.start] = info.id
            s.items.setdefault(info.id, {})
            s.bytes.setdefault(info.id, 0)
            for z in info.zones:
                if z not in s.zones:
                    s.zones.append(z)
            if ev.parent is None and len(s.parts) == 1:
                s.rcu, s.wcu = info.rcu, info.wcu
        elif kind == "partition.split":
            parent = s.parts.pop(ev.parent, None)
            if parent is not None:
                s.starts.remove(parent.start)
                del s.at[parent.start]
            left, right = ev.children
            held = s.items.pop(ev.parent, {})
            s.bytes.pop(ev.parent, None)
            s.items[left] = {k: v for k, v in held.items() if v[0] < ev.at}
            s.items[right] = {k: v for k, v in held.items() if v[0] >= ev.at}
            for c in (left, right):
                s.bytes[c] = sum(v[1] for v in s.items[c].values())
            s.splits.append((ev.t, ev.parent, tuple(ev.children), ev.reason))
        elif kind == "partition.throughput":
            s.rcu, s.wcu = float(ev.rcu), float(ev.wcu)
            for pid, r, w in ev.shares:
                p = s.parts.get(pid)
                if p is not None:
                    p.rcu, p.wcu = float(r), float(w)
        elif kind == "partition.leader":
            p = s.parts.get(ev.partition)
            if p is not None:
                s.leader_changes.append((ev.t, ev.partition, ev.previous, ev.leader, ev.reason))
                p.leader = ev.leader
        return s

    def _item(self, s: PartitionMapState, ev: Event, deleted: bool) -> None:
        pid = ev["partition"]
        held = s.items.get(pid)
        if held is None:                 # not one the view knows: place it by hash
            i = bisect_right(s.starts, ev["position"]) - 1
            if i < 0:
                return
            pid = s.at[s.starts[i]]
            held = s.items[pid]
        key = ev["key"]
        old = held.get(key)
        if deleted:
            if old is not None:
                del held[key]
                s.bytes[pid] -= old[1]
            return
        size = ev["size"]
        held[key] = (ev["position"], size)
        s.bytes[pid] += size - (old[1] if old else 0)

    # -- reading ----------------------------------------------------------
    def partitions(self, s: PartitionMapState | None = None) -> list[dict]:
        """The live partitions in hash order, as dicts like
        :meth:`DynamoDB.partitions` gives (``id``, ``start``, ``end``,
        ``parent``, ``rcu``, ``wcu``, ``items``, ``bytes``, ``replicas``,
        ``zones``, ``leader``); ``items`` and ``bytes`` are None for an index."""
        s = self.state if s is None else s
        out = []
        for start in s.starts:
            p = s.parts[s.at[start]]
            table = s.index is None
            out.append({"id": p.id, "start": p.start, "end": p.end, "parent": p.parent,
                        "rcu": p.rcu, "wcu": p.wcu,
                        "items": len(s.items.get(p.id, ())) if table else None,
                        "bytes": s.bytes.get(p.id, 0) if table else None,
                        "replicas": p.replicas, "zones": p.zones, "leader": p.leader})
        return out

    def splits(self) -> list[tuple]:
        """Every split so far: ``(t, parent, (left, right), reason)``."""
        return list(self.state.splits)

    def leader_changes(self) -> list[tuple]:
        """Every leader change so far: ``(t, partition, previous, leader, reason)``."""
        return list(self.state.leader_changes)

    # -- drawing ----------------------------------------------------------
    def _tip(self, s: PartitionMapState, p: dict) -> str:
        span = f"[{short_hash(p['start'])}, {short_hash(p['end']) if p['end'] < HASH_SPACE else '100'})"
        text = f"{p['id']} {span}"
        if p["items"] is not None:
            text += f" · {plural(p['items'], 'item')}, {size_text(p['bytes'])}"

        def share(mine: float, total: float) -> str:
            return f" ({mine / total:.0%})" if total else ""
        text += (f" · {p['rcu']:g} RCU{share(p['rcu'], s.rcu)}, "
                 f"{p['wcu']:g} WCU{share(p['wcu'], s.wcu)}")
        lz = dict(zip(p["replicas"], p["zones"])).get(p["leader"], "?")
        return text + f" · leader {p['leader']} ({lz})"

    def render(self, s: PartitionMapState) -> dict:
        items: list = []
        add = items.append
        parts = self.partitions(s)
        table = s.index is None
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 20}, self._title(s, parts)])
        add(["rect", "space", {"class": "dl-hash-band", "x": _L, "y": _BAND_Y, "width": _BW,
                               "height": _BAND_H}, ""])
        for i in range(5):
            x = _L + _BW * i / 4
            add(["text", f"tick:{i}", {"class": "dl-muted", "x": round(x, 2),
                                       "y": _BAND_Y + _BAND_H + 14, "text-anchor": "middle",
                                       "font-size": 10},
                 ["00", "40", "80", "C0", "FF"][i]])
        add(["text", "hl", {"class": "dl-muted", "x": _L - 6, "y": _BAND_Y + _BAND_H / 2 + 4,
                            "text-anchor": "end", "font-size": 10}, "hash"])
        rows = {z: _ROW0 + i * _ROW_H for i, z in enumerate(s.zones)}
        for z, y in rows.items():
            zi = s.zones.index(z)
            add(["line", f"zr:{z}", {"class": "dl-zone-row", "x1": _L, "x2": _L + _BW,
                                     "y1": y, "y2": y}, ""])
            add(["text", f"zl:{z}", {"class": "dl-legend-zone", "x": _L - 6, "y": y + 4,
                                     "text-anchor": "end",
                                     "fill": ZONE_COLORS[zi % len(ZONE_COLORS)]}, str(z)])
        for p in parts:
            info = s.parts[p["id"]]
            x0 = _L + _BW * p["start"] / HASH_SPACE
            x1 = _L + _BW * p["end"] / HASH_SPACE
            wd = max(x1 - x0, 0.5)
            cx = round(x0 + wd / 2, 2)
            key = f"{p['start']:x}"        # keyed by where it starts: a split animates
            add(["rect", f"p:{key}", {
                "class": "dl-part", "x": round(x0, 2), "y": _BAND_Y, "width": round(wd, 2),
                "height": _BAND_H, "fill": color(info.number), "data-partition": p["id"],
                "data-start": short_hash(p["start"]), "data-end": short_hash(p["end"]),
                "data-items": p["items"] if table else "", "data-bytes": p["bytes"] if table else "",
                "data-rcu": p["rcu"], "data-wcu": p["wcu"], "data-leader": p["leader"],
                "data-tip": self._tip(s, p)}, ""])
            if wd >= 26:
                add(["text", f"pl:{key}", {"class": "dl-part-label", "x": cx,
                                           "y": _BAND_Y + 20}, p["id"]])
            if wd >= 60 and table:
                add(["text", f"ps:{key}", {"class": "dl-part-sub", "x": cx, "y": _BAND_Y + 36},
                     plural(p['items'], 'item')])
            r = max(2.5, min(7.0, wd / 4))
            for node, z in zip(p["replicas"], p["zones"]):
                lead = node == p["leader"]
                down = node in s.down
                add(["circle", f"m:{key}:{z}", {
                    "class": ("dl-member dl-leader" if lead else "dl-member")
                    + (" dl-down" if down else ""), "cx": cx,
                    "cy": rows[z], "r": round(r, 2), "data-partition": p["id"],
                    "data-node": node, "data-zone": str(z),
                    "data-tip": f"{node} ({z}) · {'leader' if lead else 'replica'} of {p['id']}"
                                f"{' · down' if down else ''}"},
                    ""])
                if wd >= 80:
                    add(["text", f"mn:{key}:{z}", {"class": "dl-muted", "x": round(cx + r + 3, 2),
                                                   "y": rows[z] + 4, "font-size": 10}, node])
        h = _ROW0 + max(len(s.zones), 3) * _ROW_H
        add(["text", "cap", {"class": "dl-caption", "x": 10, "y": h}, self._caption(s)])
        return {"w": W, "h": h + 10, "items": items}

    def _title(self, s: PartitionMapState, parts: list) -> str:
        text = f"{self.what(s)}: {plural(len(parts), 'partition')}"
        if s.index is None:
            text += (f" · {plural(sum(p['items'] for p in parts), 'item')}, "
                     f"{size_text(sum(p['bytes'] for p in parts))}")
        return text + f" · {s.rcu:g} RCU, {s.wcu:g} WCU"

    def _caption(self, s: PartitionMapState) -> str:
        text = f"splits: {len(s.splits)}"
        if s.splits:
            t, parent, (a, b), reason = s.splits[-1]
            text += f" (last: {parent} → {a} + {b} for {reason} at t={t} ms)"
        text += f" · leader changes: {len(s.leader_changes)}"
        if s.leader_changes:
            t, pid, prev, new, reason = s.leader_changes[-1]
            text += f" (last: {pid} {prev} → {new}, {reason}, t={t} ms)"
        if s.down:
            text += f" · down: {', '.join(sorted(s.down))}"
        return text + " · red: the leader"

    def summary(self, s: PartitionMapState) -> str:
        parts = self.partitions(s)
        text = f"{self.what(s)}: {plural(len(parts), 'partition')}"
        n = len(s.splits)
        if n:
            reasons = sorted({r for *_, r in s.splits})
            text += f", {n} split{'s' if n > 1 else ''} ({', '.join(reasons)})"
        if s.index is None:
            text += (f", {plural(sum(p['items'] for p in parts), 'item')}, "
                     f"{size_text(sum(p['bytes'] for p in parts))}")
        if s.leader_changes:
            text += f", {plural(len(s.leader_changes), 'leader change')}"
        return text
