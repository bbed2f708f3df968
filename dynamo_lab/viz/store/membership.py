"""MembershipView: who knows whom, and who thinks whom is up (paper 4.8).

A node x node matrix: row = the observer, column = the node it has an
opinion about. A cell is *unknown* (not in the observer's membership
history yet), *up* (known, joined), *suspect* (the observer's local
failure detector thinks it down), *left* (removed by an administrator) or
*self*. Under the matrix, a line over virtual time counts the up nodes
whose membership view is complete (and complete with no wrong suspicion):
gossip makes it climb to the whole cluster. :meth:`MembershipView.figure`
gives the same series as a plotly chart.

Reconstructed from events only: ``cluster.created`` (nodes, seeds),
``member.joined`` / ``member.left``, ``gossip.exchange`` (who learned what),
``member.down`` / ``member.up`` (local failure detection) and
``net.crash`` / ``net.recover`` (a crashed node forgets its suspicions).
The event log does not say whether a cluster started with converged
membership or seeds only; the view infers it from the first gossip
exchange, or takes ``membership=`` from you.

Examples
--------
>>> from dynamo_lab import DynamoCluster
>>> c = DynamoCluster(nodes=6, seed=5, membership="seeds")
>>> view = MembershipView(c, membership="seeds")
>>> view.complete()
0
>>> c.run(ms=8000)
>>> view.complete(), view.matrix()["n3"]["n6"]
(6, 'up')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...errors import ArgumentError
from ...events import Event
from ...text import plural
from ._base import StoreView

__all__ = ["MembershipView", "MembershipState"]

_CELL, _LEFT, _TOP = 22, 60, 60
_CH = 150  # chart height


@dataclass
class MembershipState:
    """The truth (members, crashed) and each node's view of it."""

    members: dict = field(default_factory=dict)   # node -> 'joined' | 'left'
    seeds: tuple = ()
    knows: dict = field(default_factory=dict)     # observer -> {node: status}
    suspects: dict = field(default_factory=dict)  # observer -> set
    crashed: set = field(default_factory=set)
    mode: str | None = None                       # 'converged', 'seeds' or None (guess)
    series: list = field(default_factory=list)    # (t, complete, accurate, total)
    t: int = 0                                    # time of the last event read


class MembershipView(StoreView):
    """Each node's view of membership during gossip, with convergence over time.

    Parameters
    ----------
    source : DynamoCluster, Simulation or EventLog
    membership : {'converged', 'seeds'}, optional
        How the cluster started (its ``membership=`` argument); by default
        inferred from the first gossip exchange (until then: converged).
    live : bool
        Display a widget that follows the log (default True); cells change
        colour with a CSS transition.

    Notes
    -----
    Selectors: ``div.dl-membership``; ``rect.dl-cell`` per (observer, node)
    with ``data-observer``, ``data-node``, ``data-state`` (self, up,
    suspect, unknown, left) and class ``dl-cell-<state>``; ``text.dl-row``
    / ``text.dl-col`` labels (``dl-crashed`` on crashed nodes);
    ``path.dl-series`` with ``data-series`` "complete", "accurate" or "total".
    """

    css_class = "dl-membership"
    live = True
    kinds = ("cluster.created", "member.*", "gossip.exchange", "net.crash", "net.recover")

    def __init__(self, source: Any, membership: str | None = None,
                 live: bool | None = None) -> None:
        if membership not in (None, "converged", "seeds"):
            raise ArgumentError("membership must be 'converged', 'seeds' or None")
        self.membership = membership
        super().__init__(source, live=live)

    # -- the reducer ----------------------------------------------------
    def initial(self) -> MembershipState:
        return MembershipState(mode=self.membership)

    def _start(self, s: MembershipState, mode: str) -> None:
        s.mode = mode
        for x in s.members:
            known = list(s.members) if mode == "converged" else [x, *s.seeds]
            s.knows[x] = {n: "joined" for n in known if n in s.members}

    def apply(self, s: MembershipState, ev: Event) -> MembershipState:
        kind = ev.kind
        s.t = ev.t
        if kind == "cluster.created":
            s.members = {n: "joined" for n in ev.nodes}
            s.seeds = tuple(ev.seeds)
            s.suspects = {n: set() for n in ev.nodes}
            self._start(s, self.membership or "converged")
            s.mode = self.membership
        elif kind == "gossip.exchange":
            if s.mode is None:
                quiet = not ev.learned_src and not ev.learned_dst
                self._start(s, "converged" if quiet and ev.view_size >= len(s.members)
                            else "seeds")
                if s.mode == "seeds" and s.series:
                    # the guess was wrong: start the line again from the seeds-only start
                    s.series = [(s.series[0][0], *_counts(s))]
            # Push-pull: dst merged src's view, then src merged dst's, so both
            # now hold the union (a 'left' entry is the newer one). The union
            # also repairs what an earlier exchange whose reply was lost
            # taught dst without an event.
            a, b = s.knows.setdefault(ev.src, {}), s.knows.setdefault(ev.dst, {})
            union = dict(a)
            for n, st in b.items():
                if union.get(n) != "left":
                    union[n] = st
            for n in (*ev.learned_src, *ev.learned_dst):
                union[n] = s.members.get(n, "joined")
            s.knows[ev.src], s.knows[ev.dst] = union, dict(union)
            if len(union) < ev.view_size and ev.view_size >= len(s.members):
                union.update(s.members)      # it learned more than the log told
        elif kind == "member.joined":
            s.members[ev.node] = "joined"
            s.suspects.setdefault(ev.node, set())
            s.knows[ev.node] = {ev.node: "joined", **{x: s.members[x] for x in s.seeds
                                                      if x in s.members and x != ev.node}}
            if ev.via is not None:
                s.knows.setdefault(ev.via, {})[ev.node] = "joined"
        elif kind == "member.left":
            s.members[ev.node] = "left"
            for x, st in s.members.items():
                if st == "joined" or x == ev.node:
                    s.knows.setdefault(x, {})[ev.node] = "left"
        elif kind == "member.down":
            s.suspects.setdefault(ev.observer, set()).add(ev.node)
        elif kind == "member.up":
            s.suspects.setdefault(ev.observer, set()).discard(ev.node)
        elif kind == "net.crash":
            s.crashed.add(ev.node)
            s.suspects.get(ev.node, set()).clear()
        elif kind == "net.recover":
            s.crashed.discard(ev.node)
        else:
            return s
        point = (ev.t, *_counts(s))
        if s.series and s.series[-1][1:] == point[1:]:
            return s
        if s.series and s.series[-1][0] == ev.t:
            s.series[-1] = point
        else:
            s.series.append(point)
        return s

    # -- reading --------------------------------------------------------
    def cell(self, observer: str, node: str, state: MembershipState | None = None) -> str:
        """What ``observer`` thinks of ``node``: self, up, suspect, unknown or left."""
        s = self.state if state is None else state
        if observer == node:
            return "self"
        st = s.knows.get(observer, {}).get(node)
        if st is None:
            return "unknown"
        if st == "left":
            return "left"
        return "suspect" if node in s.suspects.get(observer, ()) else "up"

    def matrix(self) -> dict[str, dict[str, str]]:
        """``{observer: {node: cell}}`` over every node ever a member."""
        nodes = list(self.state.members)
        return {o: {n: self.cell(o, n) for n in nodes} for o in nodes}

    def complete(self) -> int:
        """Up members whose view lists exactly the joined members."""
        return _counts(self.state)[0]

    def series(self) -> list[tuple]:
        """``(t, complete, accurate, up members)`` at every change."""
        return list(self.state.series)

    def figure(self):
        """Convergence over time as a plain plotly ``go.Figure`` (deterministic)."""
        import plotly.graph_objects as go
        ser = self.state.series
        ts = [p[0] for p in ser]
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=ts, y=[p[1] for p in ser], mode="lines", line_shape="hv",
                                 name="complete view"))
        fig.add_trace(go.Scatter(x=ts, y=[p[2] for p in ser], mode="lines", line_shape="hv",
                                 name="complete, no wrong suspicion"))
        fig.add_trace(go.Scatter(x=ts, y=[p[3] for p in ser], mode="lines", line_shape="hv",
                                 name="up members", line=dict(dash="dot", color="#999")))
        fig.update_layout(template="simple_white", height=320, xaxis_title="virtual ms",
                          yaxis_title="nodes", title="membership convergence (gossip)",
                          margin=dict(l=50, r=20, t=50, b=40))
        return fig

    # -- drawing --------------------------------------------------------
    def render(self, s: MembershipState) -> dict:
        nodes = list(s.members)
        items: list = []
        add = items.append
        size = len(nodes) * _CELL
        w = max(_LEFT + size + 20, 520)
        comp, acc, total = _counts(s)
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18},
             f"membership as each node sees it: {comp} of {total} up nodes have a complete view"])
        add(["text", "axis", {"class": "dl-muted", "x": 10, "y": 36, "font-size": 10},
             "row: observer · column: the node it has an opinion about"])
        for i, n in enumerate(nodes):
            cls = " dl-crashed" if n in s.crashed else ""
            add(["text", f"col:{n}", {"class": "dl-col" + cls, "x": _LEFT + i * _CELL + _CELL / 2,
                                      "y": _TOP - 6, "text-anchor": "middle", "font-size": 10,
                                      "data-node": n}, n])
            add(["text", f"row:{n}", {"class": "dl-row" + cls, "x": _LEFT - 6,
                                      "y": _TOP + i * _CELL + 15, "text-anchor": "end",
                                      "font-size": 10, "data-node": n}, n])
        for i, o in enumerate(nodes):
            for j, n in enumerate(nodes):
                st = self.cell(o, n, s)
                add(["rect", f"c:{o}:{n}", {"class": f"dl-cell dl-cell-{st}",
                                            "x": _LEFT + j * _CELL, "y": _TOP + i * _CELL,
                                            "width": _CELL, "height": _CELL, "data-observer": o,
                                            "data-node": n, "data-state": st}, ""])
        ly = _TOP + size + 18
        for k, st in enumerate(("up", "suspect", "unknown", "left", "self")):
            add(["rect", f"lg:{st}", {"class": f"dl-cell dl-cell-{st}", "x": _LEFT + k * 80,
                                      "y": ly - 10, "width": 12, "height": 12}, ""])
            add(["text", f"lgt:{st}", {"x": _LEFT + k * 80 + 16, "y": ly, "font-size": 10}, st])
        top = ly + 20
        self._chart(items, s, top, w)
        return {"w": w, "h": top + _CH + 30, "items": items}

    def _chart(self, items: list, s: MembershipState, top: float, w: float) -> None:
        ser = s.series
        add = items.append
        x0, x1, y0, y1 = _LEFT, w - 20, top + _CH, top + 10
        add(["line", "cx", {"x1": x0, "x2": x1, "y1": y0, "y2": y0, "stroke": "#888"}, ""])
        add(["line", "cy", {"x1": x0, "x2": x0, "y1": y0, "y2": y1, "stroke": "#888"}, ""])
        if not ser:
            return
        t0, t1 = ser[0][0], max(s.t, ser[0][0] + 1)
        top_n = max(max(p[3] for p in ser), 1)

        def X(t: float) -> float:
            return round(x0 + (x1 - x0) * (t - t0) / (t1 - t0), 2)

        def Y(v: float) -> float:
            return round(y0 - (y0 - y1) * v / top_n, 2)

        for name, idx, col in (("total", 3, "#bbbbbb"), ("complete", 1, "#1f77b4"),
                               ("accurate", 2, "#2ca02c")):
            d = f"M{X(ser[0][0])} {Y(ser[0][idx])}"
            for a, b in zip(ser, ser[1:]):
                d += f"H{X(b[0])}V{Y(b[idx])}"
            d += f"H{X(t1)}"
            add(["path", f"s:{name}", {"class": "dl-series", "d": d, "stroke": col,
                                       "data-series": name}, ""])
        add(["text", "cyl", {"class": "dl-muted", "x": x0 - 4, "y": Y(top_n) + 4,
                             "text-anchor": "end", "font-size": 10}, str(top_n)])
        add(["text", "cx0", {"class": "dl-muted", "x": x0, "y": y0 + 14, "font-size": 10},
             f"{t0} ms"])
        add(["text", "cx1", {"class": "dl-muted", "x": x1, "y": y0 + 14, "font-size": 10,
                             "text-anchor": "end"}, f"{t1} ms"])
        add(["text", "ck", {"x": x0 + 6, "y": y1 + 2, "font-size": 10, "fill": "#1f77b4"},
             "complete view"])
        add(["text", "ca", {"x": x0 + 110, "y": y1 + 2, "font-size": 10, "fill": "#2ca02c"},
             "complete, no wrong suspicion"])
        add(["text", "ct", {"x": x0 + 290, "y": y1 + 2, "font-size": 10, "fill": "#999"},
             "up members"])

    def summary(self, s: MembershipState) -> str:
        comp, acc, total = _counts(s)
        sus = sum(len(v) for v in s.suspects.values())
        joined = sum(1 for x in s.members.values() if x == "joined")
        return (f"{plural(joined, 'member')}, "
                f"{comp}/{total} up nodes complete, {plural(sus, 'suspicion')}")


def _counts(s: MembershipState) -> tuple[int, int, int]:
    joined = {n for n, st in s.members.items() if st == "joined"}
    up = [n for n in joined if n not in s.crashed]
    comp = acc = 0
    for o in up:
        k = s.knows.get(o, {})
        if {n for n, st in k.items() if st == "joined"} == joined:
            comp += 1
            if s.suspects.get(o, set()) <= s.crashed:
                acc += 1
    return comp, acc, len(up)
