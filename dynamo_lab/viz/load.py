"""LoadView: how many keys each node stores, and how even that is (paper 6.2).

The view folds ``ring.*`` events into its own copy of the ring
(:mod:`dynamo_lab.viz.ringstate`) and counts, for a fixed set of keys, how
many each node stores as one of the N replicas. Efficiency is mean load /
max load; a node is out of balance when its load is more than 15% from the
mean.

Output: a plotly figure (:meth:`LoadView.figure`, a plain ``go.Figure``),
shown with the plotly mimetype, plus a small deterministic SVG bar chart as
``text/html`` for static viewers and nbval. With ``live=True`` the view shows
that SVG chart in a :class:`~dynamo_lab.viz.widget.SceneWidget` that follows
the log (bars move with CSS transitions, at most one update per frame). Not
a ``go.FigureWidget``: plotly 6+ puts all of plotly.js, about 5 MB, into
every one, and in JupyterLab 4.6 with plotly 7.1 it drew empty axes.
"""
from __future__ import annotations

from typing import Any, Iterable

from ..events import Event
from ..text import plural
from . import ringstate
from .base import View
from .ringstate import RingState, key_position
from .svg import color, dress, html_block, to_svg
from .widget import SceneWidget, scene_json

__all__ = ["LoadView", "load_scene", "BAND"]

#: a node is out of balance when its load is more than this far from the mean
BAND = 0.15

W, H = 560, 300
_LEFT, _TOP, _BOTTOM = 48, 40, 48


def _summary(load: dict[str, int]) -> tuple[float, float, int]:
    vals = list(load.values())
    mean = sum(vals) / len(vals) if vals else 0.0
    out = sum(1 for v in vals if mean and abs(v - mean) > BAND * mean)
    return mean, ringstate.efficiency(load), out


def _title(load: dict[str, int], keys: int, n: int) -> str:
    mean, eff, out = _summary(load)
    return (f"load per node (N={n}, {plural(keys, 'key')}): efficiency {eff:.3f}, "
            f"{out} of {plural(len(load), 'node')} outside ±{BAND:.0%}")


def load_scene(load: dict[str, int], colors: dict[str, str], title: str) -> dict:
    """A deterministic SVG bar chart of ``load`` (scene format of :mod:`.svg`).

    Examples
    --------
    >>> sc = load_scene({"A": 3, "B": 1}, {"A": "#111", "B": "#222"}, "t")
    >>> [it[2]["data-node"] for it in sc["items"] if it[2].get("class") == "dl-bar"]
    ['A', 'B']
    """
    items: list = []
    add = items.append
    nodes = list(load)
    mean, _, _ = _summary(load)
    top = max([*load.values(), mean * (1 + BAND), 1])
    ph = H - _TOP - _BOTTOM
    pw = W - _LEFT - 10

    def y(v: float) -> float:
        return round(_TOP + ph * (1 - v / top), 2)

    add(["text", "title", {"class": "dl-title", "x": _LEFT, "y": 18}, title])
    add(["line", "axis", {"x1": _LEFT, "x2": _LEFT + pw, "y1": y(0), "y2": y(0),
                          "stroke": "#888"}, ""])
    if nodes:
        add(["rect", "band", {"class": "dl-band", "x": _LEFT, "width": pw,
                              "y": y(mean * (1 + BAND)),
                              "height": round(y(mean * (1 - BAND)) - y(mean * (1 + BAND)), 2)}, ""])
    slot = pw / max(len(nodes), 1)
    for i, node in enumerate(nodes):
        v = load[node]
        x = _LEFT + i * slot + slot * 0.15
        add(["rect", f"b:{node}", {"class": "dl-bar", "x": round(x, 2), "y": y(v),
                                   "width": round(slot * 0.7, 2), "height": round(y(0) - y(v), 2),
                                   "fill": colors.get(node, "#888"), "data-node": node,
                                   "data-load": v}, ""])
        if len(nodes) <= 40:
            add(["text", f"bl:{node}", {"x": round(x + slot * 0.35, 2), "y": y(0) + 14,
                                        "text-anchor": "middle"}, node])
    if nodes:
        add(["line", "mean", {"class": "dl-mean", "x1": _LEFT, "x2": _LEFT + pw,
                              "y1": y(mean), "y2": y(mean)}, ""])
        add(["text", "meanl", {"x": _LEFT - 4, "y": y(mean) + 4, "text-anchor": "end"},
             f"{mean:.0f}"])
    return {"w": W, "h": H, "items": dress(items)}


class LoadView(View):
    """Per-node load bars with the mean, the ±15% band and the efficiency.

    Parameters
    ----------
    source : Ring, engine, Simulation or EventLog
        Where the ``ring.*`` events come from.
    keys : iterable of str
        The keys whose replicas are counted (hashed once, here).
    n : int
        N, the replicas per key.
    live : bool
        Display a small widget that follows the log; otherwise the display
        is a plotly figure of the moment it was shown.

    Examples
    --------
    >>> from dynamo_lab import Simulation
    >>> sim = Simulation(seed=1)
    >>> _ = sim.log.emit("ring.created", strategy=1, tokens_per_node=1, partitions=None, n=3)
    >>> _ = sim.log.emit("ring.node_added", node="A", zone=None, tokens=(2 ** 126,))
    >>> _ = sim.log.emit("ring.node_added", node="B", zone=None, tokens=(2 ** 127,))
    >>> view = LoadView(sim, [f"k{i}" for i in range(100)], n=1)
    >>> sum(view.loads().values())
    100
    >>> view.figure().layout.title.text == view.title()
    True
    >>> repr(view).startswith("<LoadView 2 nodes, 100 keys, N=1, efficiency=")
    True
    """

    kinds = ringstate.KINDS

    def __init__(self, source: Any, keys: Iterable[str], n: int = 3, live: bool = False) -> None:
        self.positions = tuple(key_position(k) for k in keys)
        self.n = n
        self.live = live
        self._widget = None
        super().__init__(source)

    # -- the reducer ----------------------------------------------------
    def initial(self) -> RingState:
        return RingState()

    def apply(self, state: RingState, event: Event) -> RingState:
        return ringstate.apply(state, event)

    def render(self, state: RingState) -> dict[str, int]:
        """The load per node: keys stored as one of N replicas. O(K log T)."""
        return ringstate.loads(state, self.positions, self.n)

    # -- reading --------------------------------------------------------
    def loads(self) -> dict[str, int]:
        """Keys stored per node, in join order."""
        return self.render(self.state)

    def efficiency(self) -> float:
        """Mean load / max load (1.0 is perfect balance)."""
        return ringstate.efficiency(self.loads())

    def title(self) -> str:
        """The chart's title: N, keys, efficiency and nodes out of balance."""
        return _title(self.loads(), len(self.positions), self.n)

    def _colors(self) -> dict[str, str]:
        return {node: color(i) for i, node in enumerate(self.state.seen)}

    def figure(self):
        """The chart as a plain ``plotly.graph_objects.Figure`` (deterministic):
        bars per node, the mean as a dashed line, the ±15% band shaded."""
        import plotly.graph_objects as go
        load = self.loads()
        mean, _, _ = _summary(load)
        colors = self._colors()
        nodes = list(load)
        fig = go.Figure(go.Bar(x=nodes, y=[load[x] for x in nodes], name="keys stored",
                               marker_color=[colors[x] for x in nodes]))
        band = dict(type="rect", xref="paper", x0=0, x1=1, y0=mean * (1 - BAND),
                    y1=mean * (1 + BAND), fillcolor="#2ca02c", opacity=0.12, line_width=0,
                    layer="below")
        line = dict(type="line", xref="paper", x0=0, x1=1, y0=mean, y1=mean,
                    line=dict(color="#2ca02c", dash="dash", width=2))
        fig.update_layout(
            title=_title(load, len(self.positions), self.n), shapes=[band, line] if nodes else [],
            template="simple_white", height=360, margin=dict(l=50, r=20, t=60, b=40),
            showlegend=False, yaxis_title=f"keys stored (one of N={self.n})")
        return fig

    # -- display --------------------------------------------------------
    def _scene(self) -> dict:
        load = self.loads()
        return load_scene(load, self._colors(), _title(load, len(self.positions), self.n))

    def widget(self) -> SceneWidget:
        """The live widget of this view (made on first use, then reused)."""
        if self._widget is None:
            self._widget = SceneWidget(scene=scene_json(self._scene()), kind="dl-load")
        return self._widget

    def _flush(self) -> None:
        if self._widget is not None:
            self._widget.scene = scene_json(self._scene())

    def svg(self) -> str:
        """The static SVG bar chart of the current state (deterministic)."""
        sc = self._scene()
        return to_svg(sc["items"], sc["w"], sc["h"])

    def __repr__(self) -> str:
        s = self.state
        text = (f"<LoadView {plural(len(s.nodes), 'node')}, {plural(len(self.positions), 'key')}, "
                f"N={self.n}, "
                f"efficiency={self.efficiency():.3f}")
        if self.at is not None:
            text += f", at event {self.at} of {len(self.event_log)}"
        return text + ">"

    def _repr_html_(self) -> str:
        return html_block(self.svg(), "dl-load")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        self.flush()
        data: dict = {"text/plain": repr(self), "text/html": self._repr_html_()}
        if self.live:
            key = "application/vnd.jupyter.widget-view+json"
            data[key] = self.widget()._repr_mimebundle_()[0][key]
        else:
            data["application/vnd.plotly.v1+json"] = self.figure().to_plotly_json()
        return data
