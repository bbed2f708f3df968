"""ReplicaGroupView: one partition's replica group across three zones, call by call.

Lesson 13's picture. Three availability zones, one replica of the
partition in each, the leader marked. Under them, the recorded calls on the
table as a sequence diagram:

* a **write** goes to the leader, which sends it to both other replicas
  and acknowledges once **two of the three** have it (green); the third
  applies it later (orange, dashed: catching up). Which replica was third
  is known when an eventually consistent read later finds it behind;
* a **strongly consistent read** goes to the leader;
* an **eventually consistent read** goes to any replica: when the one it
  reached had not caught up, the answer is **stale** (red, with how many
  changes it lacked);
* a storage node's crash greys its zone, and a failover moves the leader.

Calls come from :func:`~dynamo_lab.viz.record`; the replica group, the
leader, crashes and stale reads are the lab's internals
(``partition.created``/``partition.leader``/``storage.*``/
``replica.stale_read``). On an outside endpoint the calls still draw, on
three anonymous replicas: a client cannot see which replica answered.

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> from dynamo_lab.viz import ReplicaGroupView, record
>>> ddb = DynamoDB(seed=13, replication={"lag_ms": (100, 100)})
>>> c = ddb.client(retries=0)
>>> calls = record(c)
>>> _ = c.create_table(TableName="Profiles", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "user", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "user", "AttributeType": "S"}])
>>> c.get_waiter("table_exists").wait(TableName="Profiles", WaiterConfig={"Delay": 1})
>>> _ = c.put_item(TableName="Profiles", Item={"user": {"S": "ada"}, "city": {"S": "London"}})
>>> for _ in range(4):
...     _ = c.get_item(TableName="Profiles", Key={"user": {"S": "ada"}})
>>> _ = c.get_item(TableName="Profiles", Key={"user": {"S": "ada"}}, ConsistentRead=True)
>>> view = ReplicaGroupView(calls, table="Profiles")
>>> view
<ReplicaGroupView 'Profiles' p0: 3 zones, leader sn-b2 (az-b); 1 write, 5 reads (1 stale)>
>>> [r["lagging"] for r in view.rows() if r["kind"] == "write"]
['sn-a1']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...events import Event
from ..store._base import arrow_head
from ..svg import ZONE_COLORS
from ._base import plural
from ._endpoint import ZONES3, EndpointView, clip, own_text

__all__ = ["ReplicaGroupView", "ReplicaGroupState"]

W = 820
# the call labels (x 8 to about 170) end before the client's lifeline and its arrows
_CLIENT, _LANES = 190, (360, 540, 720)
_TOP, _ROW = 104, 30
_WRITES = {"PutItem", "UpdateItem", "DeleteItem"}


@dataclass
class ReplicaGroupState:
    """The partition's group, its leader, nodes down, and the calls as rows."""

    table: str | None = None
    index: str | None = None
    partition: str | None = None
    replicas: tuple = ()
    zones: tuple = ()
    leader: str | None = None
    down: set = field(default_factory=set)
    rows: list = field(default_factory=list)
    stale: list = field(default_factory=list)      # stale reads since the last call
    failovers: int = 0


class ReplicaGroupView(EndpointView):
    """A partition's three replicas in three zones, and the calls that reach them.

    Parameters
    ----------
    source : CallRecorder, DynamoDB, Simulation or EventLog
    table : str, optional
        Default: the first table the log names.
    key : str, optional
        Only the calls on this key, as the trace writes it (``'user=ada'``).
    rows : int
        How many of the last calls to draw.

    Notes
    -----
    Selectors: ``div.dl-replicas``; ``rect.dl-zone-box`` per zone with
    ``data-zone``, ``data-replica``, ``data-role`` (``leader``/``follower``/
    ``down``); ``path.dl-msg`` per arrow with ``data-call`` and ``data-part``
    (``request``, ``quorum``, ``catch-up``, ``read``, ``stale``).
    """

    css_class = "dl-replicas"
    kinds = ("client.call", "partition.created", "partition.leader", "partition.split",
             "storage.crash", "storage.recover", "replica.stale_read", "table.deleted")

    def __init__(self, source: Any, table: str | None = None, key: str | None = None,
                 rows: int = 10, live: bool | None = None) -> None:
        self.key = key
        self.max_rows = int(rows)
        super().__init__(source, table=table, live=live)

    def initial(self) -> ReplicaGroupState:
        return ReplicaGroupState(table=self.table)

    def apply(self, s: ReplicaGroupState, ev: Event) -> ReplicaGroupState:
        kind = ev.kind
        if kind == "storage.crash":
            s.down.add(ev.node)
            return s
        if kind == "storage.recover":
            s.down.discard(ev.node)
            return s
        if kind == "replica.stale_read":
            if ev.table == s.table and ev.partition == s.partition:
                s.stale.append((ev.replica, ev.behind))
            return s
        if kind == "client.call":
            if s.table is None and ev.table is not None and ev.operation in _WRITES | {"GetItem"}:
                s.table = ev.table
            if ev.table != s.table or ev.operation not in _WRITES | {"GetItem"}:
                s.stale = []
                return s
            if self.key is not None and ev.get("key") != self.key:
                s.stale = []
                return s
            row = {"call": ev.call, "t": ev.t, "op": ev.operation, "key": ev.get("key"),
                   "status": ev.status, "leader": s.leader, "down": tuple(sorted(s.down)),
                   "kind": "write" if ev.operation in _WRITES else
                   ("strong" if ev.consistent else "eventual"),
                   "stale": s.stale[-1] if s.stale else None, "lagging": None}
            if row["stale"] is not None:
                # the replica that answered stale missed the writes before: it was third
                for prev in reversed(s.rows):
                    if prev["kind"] == "write" and prev["status"] == "ok":
                        if prev["lagging"] is None:
                            prev["lagging"] = row["stale"][0]
                        break
            s.rows.append(row)
            s.stale = []
            return s
        if not self.mine(s, ev, indexed=True):
            return s
        if kind == "partition.created":
            if s.partition is None or ev.parent == s.partition:
                s.partition, s.replicas, s.zones = ev.partition, tuple(ev.replicas), \
                    tuple(ev.zones)
                s.leader = ev.leader
        elif kind == "partition.leader" and ev.partition == s.partition:
            s.leader = ev.leader
            s.failovers += 1
        elif kind == "table.deleted":
            return ReplicaGroupState(table=s.table)
        return s

    def rows(self, s: ReplicaGroupState | None = None) -> list[dict]:
        """The calls drawn, as dicts (``kind``: write/strong/eventual,
        ``stale``: (replica, behind) or None, ``lagging``: the replica a
        later read found behind after this write, or None)."""
        s = self.state if s is None else s
        return [dict(r) for r in s.rows]

    # -- drawing ----------------------------------------------------------
    def _shown(self, s: ReplicaGroupState) -> list:
        """The last ``rows`` calls; when they hold no write, the last write
        first (what the reads after it saw), then a gap (None), then the rest."""
        rows = s.rows[-self.max_rows:]
        if any(r["kind"] == "write" for r in rows) or self.max_rows < 3:
            return rows
        last = next((r for r in reversed(s.rows) if r["kind"] == "write"), None)
        if last is None:
            return rows
        i = s.rows.index(last)
        after = s.rows[i + 1:]
        # the reads right after the write (where stale answers come), then the latest
        head = after[:(self.max_rows - 2) // 2]
        tail = after[len(after) - (self.max_rows - 2 - len(head)):]
        return [last, *head, None, *tail]

    def _lanes(self, s: ReplicaGroupState) -> list[tuple[str, str]]:
        if s.replicas:
            return list(zip(s.replicas, s.zones))
        return [(f"replica {i + 1}", z) for i, z in enumerate(ZONES3)]

    def render(self, s: ReplicaGroupState) -> dict:
        items: list = []
        add = items.append
        lanes = self._lanes(s)
        xs = dict(zip((n for n, _ in lanes), _LANES))
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18}, self._title(s)])
        add(["rect", "client", {"x": _CLIENT - 40, "y": 32, "width": 80, "height": 44, "rx": 6,
                                "fill": "#fff4e0", "stroke": "#f28e2b"}, ""])
        add(["text", "client-l", {"x": _CLIENT, "y": 58, "text-anchor": "middle",
                                  "font-weight": 600}, "client"])
        shown = self._shown(s)
        bottom = _TOP + max(len(shown), 1) * _ROW
        add(["line", "client-life", {"x1": _CLIENT, "x2": _CLIENT, "y1": 76, "y2": bottom,
                                     "stroke": "#bbb", "stroke-dasharray": "3 3"}, ""])
        for i, (node, zone) in enumerate(lanes):
            x = _LANES[i]
            role = "down" if node in s.down else "leader" if node == s.leader else "follower"
            fill = {"down": "#e4e4e4", "leader": "#fdecea", "follower": "#f4f9f4"}[role]
            add(["rect", f"zone:{zone}", {
                "class": "dl-zone-box", "x": x - 72, "y": 32, "width": 144, "height": 44, "rx": 6,
                "fill": fill, "stroke": ZONE_COLORS[i % len(ZONE_COLORS)],
                "stroke-width": 2.5 if role == "leader" else 1.2, "data-zone": zone,
                "data-replica": node, "data-role": role,
                "data-tip": f"{node} in {zone}: {role}"}, ""])
            add(["text", f"zl:{zone}", {"x": x, "y": 50, "text-anchor": "middle",
                                        "font-weight": 600,
                                        "fill": ZONE_COLORS[i % len(ZONE_COLORS)]}, str(zone)])
            add(["text", f"zn:{zone}", {"x": x, "y": 67, "text-anchor": "middle",
                                        "font-size": 11},
                 f"{node} · {role}" if s.replicas else "replica (not visible)"])
            add(["line", f"life:{zone}", {"x1": x, "x2": x, "y1": 76, "y2": bottom,
                                          "stroke": "#bbb", "stroke-dasharray": "3 3"}, ""])
        for j, r in enumerate(shown):
            y = _TOP + j * _ROW
            if r is None:
                add(["text", "gap", {"class": "dl-muted", "x": 8, "y": y + 4, "font-size": 10},
                     "… reads in between"])
                continue
            n = r["call"]
            add(["text", f"cl:{n}", {"x": 8, "y": y + 4, "font-size": 10},
                 clip(f"#{n} {r['op']} {r['key'] or ''}", 26)])
            leader = r["leader"] if r["leader"] in xs else None
            lx = xs.get(leader, _LANES[0])

            def arrow(part: str, x1: float, x2: float, yy: float, stroke: str,
                      dash: str | None = None, width: float = 1.6, n: int = n) -> None:
                attrs = {"class": "dl-msg", "d": f"M{x1} {yy}L{x2} {yy}", "fill": "none",
                         "stroke": stroke, "stroke-width": width, "data-call": n,
                         "data-part": part}
                if dash:
                    attrs["stroke-dasharray"] = dash
                add(["path", f"m:{n}:{part}:{x2}", attrs, ""])
                add(["path", f"h:{n}:{part}:{x2}", {"d": arrow_head(x1, yy, x2, yy),
                                                    "fill": stroke}, ""])
            if r["status"] != "ok":
                arrow("request", _CLIENT, lx - 8, y, "#d62728")
                add(["text", f"err:{n}", {"x": lx + 8, "y": y + 4, "font-size": 11,
                                          "fill": "#d62728", "font-weight": 600},
                     clip(r["status"].replace("Exception", ""), 24)])
                continue
            if r["kind"] == "write":
                arrow("request", _CLIENT, lx - 8, y - 4, "#555")
                others = [nm for nm, _ in lanes if nm != leader and nm not in r["down"]]
                lag = r["lagging"] if r["lagging"] in others else None
                quorum = [o for o in others if o != lag][:1] if lag else others[:1]
                for o in others:
                    late = (o == lag) or (lag is None and o not in quorum)
                    part = "catch-up" if late else "quorum"
                    x2 = xs[o]
                    arrow(part, lx + (6 if x2 > lx else -6), x2 + (-8 if x2 > lx else 8),
                          y + (6 if late else 2), "#f28e2b" if late else "#2ca02c",
                          "5 3" if late else None, 2.2 if not late else 1.6)
                gone = [nm for nm, _ in lanes if nm != leader and nm in r["down"]]
                if gone:
                    note = f"ack: 2 of 3 ({gone[0]} is down: it catches up when it recovers)"
                elif lag or not s.replicas:
                    note = "ack: 2 of 3"
                else:
                    note = "ack: 2 of 3 (which one was third: no read has shown it yet)"
                add(["text", f"ack:{n}", {"x": _CLIENT + 8, "y": y + 14, "font-size": 10,
                                          "fill": "#2b7a2b"}, note])
            elif r["kind"] == "strong":
                arrow("read", _CLIENT, lx - 8, y, "#4e79a7", width=2)
                add(["text", f"rd:{n}", {"x": _CLIENT + 8, "y": y + 13, "font-size": 10,
                                         "fill": "#4e79a7"}, "ConsistentRead: the leader"])
            else:
                st = r["stale"]
                if st is not None and st[0] in xs:
                    arrow("stale", _CLIENT, xs[st[0]] - 8, y, "#d62728", width=2)
                    add(["text", f"rd:{n}", {"x": _CLIENT + 8, "y": y + 13, "font-size": 10,
                                             "fill": "#d62728"},
                         f"stale: {st[0]} was {st[1]} change{'s' if st[1] != 1 else ''} behind"])
                else:
                    add(["path", f"m:{n}:read", {"class": "dl-msg", "d":
                                                 f"M{_CLIENT} {y}L{_LANES[0] - 80} {y}",
                                                 "fill": "none", "stroke": "#4e79a7",
                                                 "stroke-dasharray": "2 3", "data-call": n,
                                                 "data-part": "read"}, ""])
                    add(["text", f"rd:{n}", {"x": _LANES[0] - 76, "y": y + 4, "font-size": 10,
                                             "fill": "#4e79a7"},
                         "any replica: up to date" if s.replicas else
                         "any replica (a client cannot tell which)"])
        add(["text", "cap", {"class": "dl-caption", "x": 10, "y": bottom + 18, "font-size": 11},
             "green: two of three have the write, acknowledged · orange dashed: the third "
             "catches up · red: a stale read"])
        return own_text({"w": W, "h": bottom + 28, "items": items})

    def _title(self, s: ReplicaGroupState) -> str:
        if not s.replicas:
            return (f"{self.what(s)}: every item stored three times, in three zones "
                    "(the replicas are not visible from a client)")
        text = (f"{self.what(s)} partition {s.partition}: replicas in "
                f"{', '.join(map(str, s.zones))}, leader {s.leader}")
        if s.failovers:
            text += f" · {s.failovers} failover{'s' if s.failovers > 1 else ''}"
        return text

    def summary(self, s: ReplicaGroupState) -> str:
        writes = sum(r["kind"] == "write" for r in s.rows)
        reads = len(s.rows) - writes
        stale = sum(r["stale"] is not None for r in s.rows)
        where = f"{self.what(s)}"
        if s.replicas:
            lz = dict(zip(s.replicas, s.zones)).get(s.leader, "?")
            where += f" {s.partition}: {plural(len(s.zones), 'zone')}, leader {s.leader} ({lz})"
        else:
            where += ": replicas not visible"
        return (f"{where}; {writes} write{'s' if writes != 1 else ''}, "
                f"{reads} read{'s' if reads != 1 else ''} ({stale} stale)")
