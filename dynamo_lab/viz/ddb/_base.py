"""What the DynamoDB views share: a base class, their CSS, SVG with hover tips.

Every DynamoDB view is a :class:`~dynamo_lab.viz.View` (a reducer over
events) that reads one table (or one of its global secondary indexes):
``table=None`` follows the first table the log names. Like the store views
(:mod:`dynamo_lab.viz.store`), ``render(state)`` returns a *scene*
(:mod:`dynamo_lab.viz.svg`) and the display is a deterministic ``repr`` plus
static SVG as ``text/html``; with ``live=True`` a :class:`DdbWidget` draws
the same scene in the browser and follows the log at most once per frame.

Hover tips: an item with a ``data-tip`` attribute gets an SVG ``<title>``
child, in the static SVG (:func:`scene_svg`) and in the browser
(``static/views.js``), so hovering a partition shows its numbers.

Examples
--------
>>> print(scene_svg({"w": 10, "h": 10, "items": [
...     ["rect", "a", {"x": 0, "y": 0, "width": 5, "height": 5, "data-tip": "p0 · 3 items"}, ""]]}))
<svg xmlns="http://www.w3.org/2000/svg" class="dl-svg" width="10" height="10" viewBox="0 0 10 10" font-family="system-ui, sans-serif" font-size="12"><rect data-id="a" x="0" y="0" width="5" height="5" data-tip="p0 · 3 items"><title>p0 · 3 items</title></rect></svg>
>>> short_hash(2 ** 127), short_hash(0)
('80', '00')
>>> size_text(1536), size_text(3 * 2 ** 30)
('1.5 KB', '3.00 GB')
>>> plural(1, "partition"), plural(3, "partition"), plural(1, "index", "indexes")
('1 partition', '3 partitions', '1 index')
"""
from __future__ import annotations

from html import escape
from typing import Any

from ...events import Event
from ...text import plural  # the package's one rule for counts, re-exported
from ..store._base import StoreView
from ..svg import css, num
from ..widget import SceneWidget, scene_json

__all__ = ["DdbView", "DdbWidget", "DDB_CSS", "ddb_html", "scene_svg", "short_hash",
           "size_text", "plural", "HASH_SPACE"]

HASH_SPACE = 2 ** 128

#: the DynamoDB views' stylesheet, added to the framework's ``views.css``
DDB_CSS = """
.dl-view .dl-title{font-weight:600}
.dl-view .dl-muted{fill:#777}
.dl-view .dl-hash-band{fill:#f4f4f4;stroke:#bbb}
.dl-view .dl-part{stroke:#fff;stroke-width:2;transition:x .8s ease-in-out,width .8s ease-in-out,fill .6s;animation:dl-in .8s ease-out}
.dl-view .dl-part:hover,.dl-view .dl-shard:hover{stroke:#222}
.dl-view .dl-part-label{text-anchor:middle;font-weight:600;fill:#222;transition:x .8s ease-in-out}
.dl-view .dl-part-sub{text-anchor:middle;font-size:10px;fill:#555;transition:x .8s ease-in-out}
.dl-view .dl-zone-row{stroke:#ddd;stroke-dasharray:3 3}
.dl-view .dl-member{fill:#fff;stroke:#555;stroke-width:1.2;transition:cx .8s ease-in-out,r .6s,fill .6s,stroke .6s}
.dl-view .dl-member.dl-leader{fill:#d62728;stroke:#7f0000;stroke-width:2}
.dl-view .dl-member.dl-down{opacity:.35;stroke-dasharray:2 2}
.dl-view .dl-member-link{stroke:#ccc;stroke-width:1;transition:x1 .8s,x2 .8s}
.dl-view .dl-cap-bar{fill:#4e79a7;transition:height .4s,y .4s}
.dl-view .dl-cap-bar.dl-over{fill:#f28e2b}
.dl-view .dl-ceiling{stroke:#222;stroke-width:1.2;stroke-dasharray:5 3}
.dl-view .dl-throttle{fill:#d62728}
.dl-view .dl-row-box{fill:#fafafa;stroke:#e4e4e4}
.dl-view .dl-row-box.dl-hot{fill:#fdecea;stroke:#d62728}
.dl-view .dl-shard{stroke:#333;stroke-width:1.2;transition:fill .6s}
.dl-view .dl-shard-open{fill:#b9e3b0}
.dl-view .dl-shard-closed{fill:#e4e4e4}
.dl-view .dl-lineage{fill:none;stroke:#888;stroke-width:1.4}
.dl-view .dl-flow{fill:none;stroke:#4e79a7;opacity:.45;transition:stroke-width .4s}
.dl-view .dl-consumer{fill:#fff4e0;stroke:#f28e2b;stroke-width:1.2}
.dl-view .dl-lag{fill:none;stroke:#7d3c98;stroke-width:2}
.dl-view .dl-queued{fill:#b07aa1;opacity:.35}
"""


def short_hash(h: int) -> str:
    """The first byte of a 128-bit hash, as the deck's slides write it (``'55'``)."""
    return f"{min(h, HASH_SPACE - 1) >> 120:02X}"


def size_text(n: float) -> str:
    """Bytes in DynamoDB's binary units (1 KB = 1,024 bytes)."""
    if n < 1024:
        return f"{int(n)} B"
    if n < 2 ** 20:
        return f"{n / 1024:.1f} KB"
    if n < 2 ** 30:
        return f"{n / 2 ** 20:.1f} MB"
    return f"{n / 2 ** 30:.2f} GB"


def _attr(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return num(v)
    return escape(str(v), quote=True)


def scene_svg(scene: dict, cls: str = "dl-svg") -> str:
    """A scene as one deterministic ``<svg>``, with a ``<title>`` hover tip
    inside each item that has ``data-tip``. O(items)."""
    w, h = num(scene["w"]), num(scene["h"])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" width="{w}" '
             f'height="{h}" viewBox="0 0 {w} {h}" '
             f'font-family="system-ui, sans-serif" font-size="12">']
    add = parts.append
    for tag, ident, attrs, text in scene["items"]:
        a = f' data-id="{escape(ident, quote=True)}"' + "".join(
            f' {k}="{_attr(v)}"' for k, v in attrs.items())
        tip = attrs.get("data-tip")
        if tip is not None:
            add(f"<{tag}{a}><title>{escape(str(tip), quote=False)}</title></{tag}>")
        elif text:
            add(f"<{tag}{a}>{escape(text, quote=False)}</{tag}>")
        else:
            add(f"<{tag}{a}/>")
    add("</svg>")
    return "".join(parts)


def ddb_html(svg: str, cls: str, caption: str = "") -> str:
    """The static ``text/html`` of a DynamoDB view: scoped CSS, the SVG, a caption."""
    cap = f'<p class="dl-caption-text">{escape(caption)}</p>' if caption else ""
    return f'<div class="dl-view {cls}"><style>{css()}{DDB_CSS}</style>{svg}{cap}</div>'


class DdbWidget(SceneWidget):
    """The framework's scene widget with the DynamoDB views' CSS added."""

    _css = css() + DDB_CSS


class DdbView(StoreView):
    """Base of the DynamoDB views: one table (or index), reducer + scene + display.

    Subclasses define ``initial`` (a state with ``table`` and ``index``
    attributes), ``apply``, ``render(state) -> scene`` and ``summary``.
    :meth:`mine` says whether an event is about the view's table.
    """

    css_class = "dl-ddb"
    live = False

    def __init__(self, source: Any, table: str | None = None, index: str | None = None,
                 live: bool | None = None) -> None:
        self.table = table
        self.index = index
        super().__init__(source, live=live)

    def mine(self, s: Any, ev: Event, indexed: bool = True) -> bool:
        """Whether ``ev`` is about this view's table (and index, when the
        kind carries one). With ``table=None`` the first table seen is the
        view's: the choice is part of the state, so replay makes it again."""
        t = ev.get("table")
        if s.table is None:
            if t is None:
                return False
            s.table = t
        if t != s.table:
            return False
        return not indexed or ev.get("index") == s.index

    def what(self, s: Any) -> str:
        """``'Music'`` or ``'Music'.ByArtist``: what the view shows."""
        if s.table is None:
            return "no table yet"
        return repr(s.table) + (f".{s.index}" if s.index else "")

    # -- display (the store views' display, with this package's CSS) -------
    def svg(self) -> str:
        """The static SVG of the current state (deterministic)."""
        return scene_svg(self.scene())

    def widget(self) -> DdbWidget:
        """The live widget (made on first use, then reused)."""
        if self._widget is None:
            self._widget = DdbWidget(scene=scene_json(self._live_scene()), kind=self.css_class)
        return self._widget

    def _repr_html_(self) -> str:
        return ddb_html(self.svg(), self.css_class)
