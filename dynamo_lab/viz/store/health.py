"""HealthView: the cluster's health by availability zone (paper 4.6, 6.5).

One column per zone, one box per node: up (green), down (red) or left
(grey). Each box tells how many hinted copies the node holds for others
and how many copies others hold for it. A hint whose home node is up again
is a *pending handoff* (it goes at the holder's next scan); one whose home is
still down *waits*. The caption adds range transfers in progress, requests
answered and failed, and background slices deferred by admission control.

Examples
--------
>>> from dynamo_lab import DynamoCluster
>>> c = DynamoCluster(nodes=6, zones=3, seed=2)
>>> view = HealthView(c, live=False)
>>> c.crash_zone("az2")
>>> for i in range(5):
...     _ = c.put(f"k{i}", i)
>>> c.run(ms=200)
>>> view.zones()["az2"]
{'up': 0, 'down': 2, 'left': 0}
>>> h = view.hints(); h["held"] == h["waiting"] > 0, h["pending"]
(True, 0)
>>> c.recover_zone("az2"); c.run(ms=5000)
>>> view.hints()["held"], view.zones()["az2"]["up"]
(0, 2)
>>> view
<HealthView az1:2up/0down az2:2up/0down az3:2up/0down; hints 0 held (0 pending, 0 waiting)>

Without zones, one column holds every node:

>>> HealthView(DynamoCluster(nodes=5, seed=1), live=False)
<HealthView all:5up/0down; hints 0 held (0 pending, 0 waiting)>
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...events import Event
from ...text import plural
from ..svg import ZONE_COLORS
from ._base import StoreView, clock_key
from ._base import older as _older

__all__ = ["HealthView", "HealthState"]

_COL, _BOX_H, _TOP = 200, 44, 52


@dataclass
class HealthState:
    """Zones, node status, hints held and transfers in progress."""

    zone: dict = field(default_factory=dict)       # node -> zone
    status: dict = field(default_factory=dict)     # node -> 'up' | 'down' | 'left'
    hints: set = field(default_factory=set)        # (holder, target, key, clock)
    transfers: dict = field(default_factory=dict)  # tid -> (src, dst)
    ok: int = 0
    failed: int = 0
    deferred: int = 0


def _label(zone: Any, zones: dict) -> str:
    """A zone's name in text: ``all`` when the cluster has no zones at all,
    ``no zone`` for zoneless nodes beside zoned ones."""
    if zone is not None:
        return str(zone)
    return "all" if len(zones) == 1 else "no zone"


class HealthView(StoreView):
    """Nodes up and down per zone, hints held, pending handoffs.

    Parameters
    ----------
    source : DynamoCluster, Simulation or EventLog
    live : bool
        Display a widget that follows the log (default True).

    Notes
    -----
    Selectors: ``div.dl-health``; ``rect.dl-zone-box`` per zone
    (``data-zone``); ``rect.dl-node-box`` per node with ``data-node``,
    ``data-zone``, ``data-status`` (up, down, left), ``data-hints-held``
    and ``data-hints-for`` and class ``dl-node-up`` / ``dl-node-down`` /
    ``dl-node-left``; ``circle.dl-badge`` on nodes that hold hints.
    """

    css_class = "dl-health"
    live = True
    kinds = ("cluster.created", "member.joined", "member.left", "net.crash", "net.recover",
             "hint.*", "transfer.offer", "transfer.done", "request.done",
             "background.deferred")

    def initial(self) -> HealthState:
        return HealthState()

    def apply(self, s: HealthState, ev: Event) -> HealthState:
        kind = ev.kind
        if kind == "cluster.created":
            for node, zone in ev.zones:
                s.zone[node] = zone
                s.status[node] = "up"
        elif kind == "member.joined":
            s.zone[ev.node] = ev.zone
            s.status[ev.node] = "up"
        elif kind == "member.left":
            s.status[ev.node] = "left"
        elif kind == "net.crash":
            if s.status.get(ev.node) != "left":
                s.status[ev.node] = "down"
        elif kind == "net.recover":
            if s.status.get(ev.node) != "left":
                s.status[ev.node] = "up"
        elif kind == "hint.stored":
            if ev.outcome != "obsolete":
                h = (ev.node, ev.target, ev.key, clock_key(ev.clock))
                # the holder keeps hints like data: a newer version replaces older ones
                s.hints = {x for x in s.hints if not (x[:3] == h[:3] and _older(x[3], h[3]))}
                s.hints.add(h)
        elif kind in ("hint.delivered", "hint.lost"):
            s.hints.discard((ev.node, ev.target, ev.key, clock_key(ev.clock)))
        elif kind == "transfer.offer":
            s.transfers[ev.tid] = (ev.src, ev.dst)
        elif kind == "transfer.done":
            s.transfers.pop(ev.tid, None)
        elif kind == "request.done":      # as the client saw it (timeouts included)
            if ev.ok:
                s.ok += 1
            else:
                s.failed += 1
        elif kind == "background.deferred":
            s.deferred += 1
        return s

    # -- reading --------------------------------------------------------
    def zones(self, s: HealthState | None = None) -> dict:
        """``{zone: {'up': n, 'down': n, 'left': n}}`` in first-seen order."""
        s = self.state if s is None else s
        out: dict = {}
        for node, zone in s.zone.items():
            z = out.setdefault(zone, {"up": 0, "down": 0, "left": 0})
            z[s.status.get(node, "up")] += 1
        return out

    def hints(self, s: HealthState | None = None) -> dict:
        """``{'held', 'pending', 'waiting'}``: hints held; of those, whose home
        is up (pending handoff) or still down (waiting)."""
        s = self.state if s is None else s
        pending = sum(1 for h in s.hints if s.status.get(h[1]) == "up")
        return {"held": len(s.hints), "pending": pending, "waiting": len(s.hints) - pending}

    def figure(self):
        """Nodes up/down per zone and hints held per zone (plain plotly figure)."""
        import plotly.graph_objects as go
        s = self.state
        zs = self.zones()
        names = [_label(z, zs) for z in zs]
        held = {z: 0 for z in zs}
        for h in s.hints:
            held[s.zone.get(h[0])] = held.get(s.zone.get(h[0]), 0) + 1
        fig = go.Figure([
            go.Bar(name="up", x=names, y=[zs[z]["up"] for z in zs], marker_color="#2ca02c"),
            go.Bar(name="down", x=names, y=[zs[z]["down"] for z in zs], marker_color="#d62728"),
            go.Bar(name="hints held", x=names, y=[held[z] for z in zs], marker_color="#ff7f0e"),
        ])
        fig.update_layout(barmode="group", template="simple_white", height=320,
                          title="cluster health by zone", margin=dict(l=50, r=20, t=50, b=40))
        return fig

    # -- drawing --------------------------------------------------------
    def render(self, s: HealthState) -> dict:
        items: list = []
        add = items.append
        zs = list(self.zones(s))
        held = {n: 0 for n in s.zone}
        owed = {n: 0 for n in s.zone}
        for h in s.hints:
            held[h[0]] = held.get(h[0], 0) + 1
            owed[h[1]] = owed.get(h[1], 0) + 1
        hs = self.hints(s)
        rows = max([sum(1 for n in s.zone if s.zone[n] == z) for z in zs] + [1])
        w = max(len(zs) * (_COL + 14) + 20, 520)
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18},
             f"{sum(1 for v in s.status.values() if v == 'up')} of "
             f"{plural(sum(1 for v in s.status.values() if v != 'left'), 'node')} up · "
             f"{plural(hs['held'], 'hint')} held: {hs['pending']} pending handoff, "
             f"{hs['waiting']} waiting for their node"])
        for zi, z in enumerate(zs):
            x = 10 + zi * (_COL + 14)
            add(["rect", f"z:{z}", {"class": "dl-zone-box", "x": x, "y": _TOP - 22,
                                    "width": _COL, "height": rows * (_BOX_H + 8) + 30, "rx": 6,
                                    "data-zone": str(z)}, ""])
            add(["text", f"zl:{z}", {"class": "dl-legend-zone", "x": x + 8, "y": _TOP - 6,
                                     "fill": ZONE_COLORS[zi % len(ZONE_COLORS)]},
                 "no zone" if z is None else f"zone {z}"])
            nodes = [n for n in s.zone if s.zone[n] == z]
            for i, n in enumerate(nodes):
                st = s.status.get(n, "up")
                y = _TOP + i * (_BOX_H + 8)
                add(["rect", f"n:{n}", {"class": f"dl-node-box dl-node-{st}", "x": x + 8, "y": y,
                                        "width": _COL - 16, "height": _BOX_H, "rx": 4,
                                        "data-node": n, "data-zone": str(z), "data-status": st,
                                        "data-hints-held": held.get(n, 0),
                                        "data-hints-for": owed.get(n, 0)}, ""])
                add(["text", f"nl:{n}", {"x": x + 16, "y": y + 17, "font-weight": 600},
                     f"{n} · {st}"])
                add(["text", f"nh:{n}", {"class": "dl-muted", "x": x + 16, "y": y + 34,
                                         "font-size": 10},
                     f"hints: holds {held.get(n, 0)} · held for it {owed.get(n, 0)}"])
                if held.get(n):
                    add(["circle", f"nb:{n}", {"class": "dl-badge", "cx": x + _COL - 20,
                                               "cy": y + 12, "r": 6, "data-node": n}, ""])
        h = _TOP + rows * (_BOX_H + 8) + 22
        add(["text", "cap", {"class": "dl-caption", "x": 10, "y": h},
             f"transfers in progress: {len(s.transfers)} · requests ok {s.ok}, failed "
             f"{s.failed} · background slices deferred: {s.deferred}"])
        return {"w": w, "h": h + 10, "items": items}

    def summary(self, s: HealthState) -> str:
        zs = self.zones(s)
        hs = self.hints(s)
        parts = " ".join(f"{_label(z, zs)}:{v['up']}up/{v['down']}down" for z, v in zs.items())
        return (f"{parts}; hints {hs['held']} held ({hs['pending']} pending, "
                f"{hs['waiting']} waiting)")

