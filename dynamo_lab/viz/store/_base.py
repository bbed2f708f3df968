"""What the store views share: a base class, the widget, CSS and clock text.

Every store view is a :class:`~dynamo_lab.viz.View` (a reducer over events)
whose ``render(state)`` returns a *scene* (see :mod:`dynamo_lab.viz.svg`).
:class:`StoreView` adds the display: a deterministic ``repr``, static SVG as
``text/html`` (nbconvert, GitHub, nbval) and, with ``live=True``, a
:class:`StoreWidget` (the framework's SceneWidget plus this package's CSS)
that follows the log at most once per animation frame. No extra JavaScript:
the framework's ``views.js`` draws every scene.

Examples
--------
>>> clock_text((("Sx", 2, 10), ("Sy", 1, 12)))
'[Sx,2][Sy,1]'
>>> clock_text((("A", 3, 5),), gap=("A", 0))
'[A,3/0]'
>>> clock_key((("Sy", 1, 12), ("Sx", 2, 10)))
(('Sx', 2), ('Sy', 1))
"""
from __future__ import annotations

from html import escape
from typing import Any

from ..base import View
from ..svg import css, num, to_svg
from ..widget import SceneWidget, scene_json

__all__ = ["StoreView", "StoreWidget", "STORE_CSS", "store_html", "clock_text", "clock_key",
           "REQUEST_MSGS", "arrow_head", "older"]

#: message kinds that belong to a get or put (client, entry node, coordinator,
#: replicas); ``forward_ack`` is the coordinator's acknowledgement of a
#: forwarded request to the node that forwarded it
REQUEST_MSGS = frozenset({"put", "get", "replicate", "replicate_ack", "read", "read_reply",
                          "put_reply", "get_reply", "forward_ack"})

#: the store views' stylesheet, added to the framework's ``views.css``
STORE_CSS = """
.dl-view .dl-title{font-weight:600}
.dl-view .dl-muted{fill:#777}
.dl-view .dl-replica{stroke:#222;stroke-width:1.5;transition:cx .6s,cy .6s,fill .6s,opacity .6s}
.dl-view .dl-held{fill:#2ca02c}
.dl-view .dl-missing{fill:#fff}
.dl-view .dl-extra{fill:#9edae5}
.dl-view .dl-hint{fill:#ff7f0e;stroke:#222;stroke-width:1.2;transition:cx 1.2s ease-in-out,cy 1.2s ease-in-out,fill .6s,opacity 1.2s}
.dl-view .dl-hint-delivered{fill:#2ca02c;opacity:.55}
.dl-view .dl-hint-lost{fill:#d62728;opacity:.8}
.dl-view .dl-hint-link{fill:none;stroke:#ff7f0e;stroke-width:1.5;stroke-dasharray:4 3;transition:opacity 1.2s}
.dl-view .dl-hint-link.dl-hint-delivered{stroke:#2ca02c;opacity:.25;fill:none}
.dl-view .dl-hint-link.dl-hint-lost{stroke:#d62728;fill:none}
.dl-view .dl-lifeline{stroke:#bbb;stroke-width:1.5;stroke-dasharray:3 3}
.dl-view .dl-lifeline-head{fill:#f4f4f4;stroke:#888}
.dl-view .dl-msg{fill:none;stroke:#555;stroke-width:1.4}
.dl-view .dl-head{fill:#555;stroke:none}
.dl-view .dl-msg-quorum{stroke:#2ca02c;stroke-width:2.4}
.dl-view .dl-msg-late{stroke:#ff7f0e;stroke-dasharray:5 3}
.dl-view .dl-msg-repair{stroke:#9467bd;stroke-width:2}
.dl-view .dl-msg-drop{stroke:#d62728;stroke-dasharray:2 3}
.dl-view .dl-drop-mark{stroke:#d62728;stroke-width:2.5}
.dl-view .dl-local{fill:#2ca02c;stroke:#222}
.dl-view .dl-local.dl-late{fill:#ff7f0e}
.dl-view .dl-quorum-line{stroke:#2ca02c;stroke-width:1;stroke-dasharray:6 3}
.dl-view .dl-version{fill:#fff;stroke:#333;stroke-width:1.5;transition:fill .5s}
.dl-view .dl-version.dl-current{fill:#e8f5e9}
.dl-view .dl-version.dl-sibling{stroke:#ff7f0e;stroke-width:2.5}
.dl-view .dl-version.dl-merge{stroke:#1f77b4;stroke-width:2.5}
.dl-view .dl-edge{fill:none;stroke:#555;stroke-width:1.4}
.dl-view .dl-cell{stroke:#fff;stroke-width:1;transition:fill .5s}
.dl-view .dl-cell-self{fill:#c7c7c7}
.dl-view .dl-cell-up{fill:#2ca02c}
.dl-view .dl-cell-suspect{fill:#ff7f0e}
.dl-view .dl-cell-unknown{fill:#f2f2f2}
.dl-view .dl-cell-left{fill:#7f7f7f}
.dl-view .dl-crashed{fill:#d62728;font-weight:600}
.dl-view .dl-series{fill:none;stroke-width:2}
.dl-view .dl-mnode{fill:#f4f4f4;stroke:#999;stroke-width:1;transition:fill .5s}
.dl-view .dl-mnode.dl-lit{fill:#ffdd57;stroke:#d62728;stroke-width:2}
.dl-view .dl-mnode.dl-leaf-keys{stroke-width:2}
.dl-view .dl-medge{stroke:#ccc;stroke-width:1}
.dl-view .dl-medge.dl-lit{stroke:#d62728;stroke-width:2.5}
.dl-view .dl-node-box{stroke:#333;stroke-width:1;transition:fill .5s}
.dl-view .dl-node-up{fill:#b9e3b0}
.dl-view .dl-node-down{fill:#f4b4b4}
.dl-view .dl-node-left{fill:#ddd}
.dl-view .dl-badge{fill:#ff7f0e}
.dl-view .dl-zone-box{fill:#fafafa;stroke:#bbb}
"""

def arrow_head(x1: float, y1: float, x2: float, y2: float, size: float = 7) -> str:
    """An SVG path of a filled arrow head at ``(x2, y2)``, pointing away from ``(x1, y1)``.

    Drawn as its own item (no ``<marker>``), so the browser's flat scene and
    the static SVG draw the same thing.

    >>> arrow_head(0, 0, 10, 0)
    'M10 0L3 3.5L3 -3.5Z'
    """
    import math
    dx, dy = x2 - x1, y2 - y1
    d = math.hypot(dx, dy) or 1.0
    ux, uy = dx / d, dy / d
    bx, by = x2 - ux * size, y2 - uy * size
    px, py = -uy * size / 2, ux * size / 2
    return (f"M{num(x2)} {num(y2)}L{num(bx + px)} {num(by + py)}"
            f"L{num(bx - px)} {num(by - py)}Z")


def clock_key(clock: tuple) -> tuple:
    """A clock's identity: ``((node, counter), ...)`` sorted by node.

    Timestamps are left out, as the engine's equality leaves them out.
    """
    return tuple(sorted((str(n), int(c)) for n, c, *_ in clock))


def older(a: tuple, b: tuple) -> bool:
    """Whether clock key ``a`` is strictly older than ``b`` (``b`` descends from it).

    >>> older((("A", 1),), (("A", 2), ("B", 1))), older((("B", 1),), (("A", 1),))
    (True, False)
    """
    db = dict(b)
    return a != b and all(c <= db.get(n, 0) for n, c in a)


def clock_text(clock: tuple, gap: tuple | None = None) -> str:
    """A clock as the paper writes it, ``[Sx,2][Sy,1]`` (``[A,3/0]`` with a gap)."""
    g = dict([gap]) if gap else {}
    return "".join(f"[{n},{c}/{g[n]}]" if n in g else f"[{n},{c}]"
                   for n, c in clock_key(clock)) or "[]"


def store_html(svg: str, cls: str, caption: str = "") -> str:
    """The static ``text/html`` of a store view: scoped CSS, the SVG, a caption."""
    cap = f'<p class="dl-caption-text">{escape(caption)}</p>' if caption else ""
    return f'<div class="dl-view {cls}"><style>{css()}{STORE_CSS}</style>{svg}{cap}</div>'


class StoreWidget(SceneWidget):
    """The framework's scene widget with the store views' CSS added."""

    _css = css() + STORE_CSS


class StoreView(View):
    """Base of the store views: reducer + scene + display.

    Subclasses define ``initial``, ``apply``, ``render(state) -> scene`` and
    ``summary(state) -> str`` (the body of the ``repr``). ``css_class`` names
    the view in the DOM (``div.dl-view.<css_class>``).
    """

    css_class = "dl-store"
    live = False

    def __init__(self, source: Any, live: bool | None = None) -> None:
        if live is not None:
            self.live = bool(live)
        self._widget: StoreWidget | None = None
        self._kind_cache: dict[str, bool] = {}
        super().__init__(source)

    def _matches(self, kind: str) -> bool:
        # replay tests every event's kind against ``kinds``; remember the answer
        m = self._kind_cache.get(kind)
        if m is None:
            m = self._kind_cache[kind] = View._matches(self, kind)
        return m

    # -- subclasses ------------------------------------------------------
    def summary(self, state: Any) -> str:  # pragma: no cover - overridden
        return ""

    # -- drawing ---------------------------------------------------------
    def scene(self) -> dict:
        """The scene of the current state (deterministic)."""
        return self.render(self.state)

    def svg(self) -> str:
        """The static SVG of the current state (deterministic)."""
        sc = self.scene()
        return to_svg(sc["items"], sc["w"], sc["h"])

    def widget(self) -> StoreWidget:
        """The live widget (made on first use, then reused)."""
        if self._widget is None:
            self._widget = StoreWidget(scene=scene_json(self._live_scene()), kind=self.css_class)
        return self._widget

    def _live_scene(self) -> dict:
        return self.scene()

    def _flush(self) -> None:
        if self._widget is not None:
            self._widget.scene = scene_json(self._live_scene())

    # -- display ---------------------------------------------------------
    def __repr__(self) -> str:
        text = f"<{type(self).__name__} {self.summary(self.state)}"
        if self.at is not None:
            text += f", at event {self.at} of {len(self.event_log)}"
        return text + ">"

    def _repr_html_(self) -> str:
        return store_html(self.svg(), self.css_class)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        self.flush()
        data: dict = {"text/plain": repr(self), "text/html": self._repr_html_()}
        if self.live:
            key = "application/vnd.jupyter.widget-view+json"
            data[key] = self.widget()._repr_mimebundle_()[0][key]
        return data
