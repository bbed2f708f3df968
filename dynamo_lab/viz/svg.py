"""A tiny scene format shared by the browser and the static fallback.

A *scene* is a list of items ``[tag, id, attrs, text]``: an SVG element,
its stable id, its attributes and its text (``""`` for none). Python builds
the scene from a view's state; :func:`to_svg` turns it into a deterministic
SVG string (the static fallback for nbconvert, GitHub and nbval), and the
widget's ES module (``static/scene.js``) draws the same list in the browser,
keeping elements keyed by id so that CSS transitions animate what changed.

Numbers are rounded to two decimals and ids come from the data, never from
memory addresses or random draws, so the same run gives byte-identical SVG.

Examples
--------
>>> scene = [["circle", "a", {"class": "dl-token", "cx": 1.234, "cy": 2, "r": 3}, ""],
...          ["text", "b", {"x": 0, "y": 9}, "A & B"]]
>>> print(to_svg(scene, 10, 10))
<svg xmlns="http://www.w3.org/2000/svg" class="dl-svg" width="10" height="10" viewBox="0 0 10 10" font-family="system-ui, sans-serif" font-size="12"><circle data-id="a" class="dl-token" cx="1.23" cy="2" r="3"/><text data-id="b" x="0" y="9">A &amp; B</text></svg>
"""
from __future__ import annotations

import math
from functools import lru_cache
from html import escape
from importlib import resources

__all__ = ["to_svg", "num", "polar", "arc_path", "color", "ZONE_COLORS", "css",
           "html_block", "LOOK", "dress"]

RING = 2 ** 128

# Tableau 10, then colours spread by the golden angle: deterministic and
# distinct enough for a classroom projector.
_BASE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
         "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
ZONE_COLORS = ["#1b4f72", "#7d3c98", "#117864", "#9a7d0a", "#922b21", "#515a5a"]


def color(i: int) -> str:
    """The colour of the ``i``-th node ever seen.

    >>> color(0), color(10)
    ('#4e79a7', 'hsl(295,55%,45%)')
    """
    if i < len(_BASE):
        return _BASE[i]
    return f"hsl({(i * 137.508) % 360:.0f},55%,45%)"


def num(x: float) -> str:
    """A number as SVG text: at most two decimals, no trailing zeros.

    >>> num(1.0), num(2.345), num(-0.001)
    ('1', '2.35', '0')
    """
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def polar(cx: float, cy: float, r: float, pos: int) -> tuple[float, float]:
    """The point at ring position ``pos``: 0 at the top, clockwise."""
    a = 2 * math.pi * (pos / RING)
    return cx + r * math.sin(a), cy - r * math.cos(a)


def arc_path(cx: float, cy: float, r: float, start: int, end: int,
             points: dict | None = None) -> str:
    """An SVG path along the circle from ``start`` clockwise to ``end``.

    ``start == end`` draws the whole circle (a single token owns everything).
    ``points`` may map positions to ready ``(x, y)`` on this circle, to save
    the trigonometry when many arcs share their ends.
    """
    span = (end - start) % RING or RING
    p0 = points[start] if points and start in points else polar(cx, cy, r, start)
    rr = num(r)
    if span == RING:
        x1, y1 = polar(cx, cy, r, start + RING // 2)
        return (f"M{num(p0[0])} {num(p0[1])}A{rr} {rr} 0 1 1 {num(x1)} {num(y1)}"
                f"A{rr} {rr} 0 1 1 {num(p0[0])} {num(p0[1])}")
    p1 = points[end] if points and end in points else polar(cx, cy, r, end)
    large = 1 if span > RING // 2 else 0
    return f"M{num(p0[0])} {num(p0[1])}A{rr} {rr} 0 {large} 1 {num(p1[0])} {num(p1[1])}"


#: Presentation attributes per class, so that a scene still draws sensibly
#: where no stylesheet reaches it (viewers that strip ``<style>`` from HTML).
#: The stylesheet's rules win over them wherever it does apply.
LOOK: dict[str, dict] = {
    "dl-track": {"fill": "none", "stroke": "#ececec", "stroke-width": 10},
    "dl-range": {"fill": "none", "stroke-width": 10},
    "dl-zone": {"fill": "none", "stroke-width": 3},
    "dl-move": {"fill": "none", "stroke-width": 5, "opacity": 0.45},
    "dl-token": {"stroke": "#333", "stroke-width": 0.8},
    "dl-key": {"fill": "#555"},
    "dl-key dl-key-chosen": {"fill": "#d62728", "stroke": "#fff", "stroke-width": 1.5},
    "dl-walk": {"fill": "none", "stroke": "#d62728", "stroke-width": 2, "stroke-dasharray": "4 3"},
    "dl-pref": {"fill": "none", "stroke": "#222", "stroke-width": 2},
    "dl-pref dl-coordinator": {"fill": "none", "stroke": "#d62728", "stroke-width": 3},
    "dl-pref-label": {"font-weight": 600, "text-anchor": "middle",
                      "dominant-baseline": "central"},
    "dl-legend-zone": {"font-weight": 600},
    "dl-caption": {"fill": "#444"},
    "dl-band": {"fill": "#2ca02c", "opacity": 0.12},
    "dl-mean": {"stroke": "#2ca02c", "stroke-width": 2, "stroke-dasharray": "5 3"},
}


def dress(items: list, look: dict | None = None) -> list:
    """Add :data:`LOOK`'s attributes to each item by its class, in place;
    attributes an item already has are kept. ``dl-down`` items get
    ``opacity`` 0.3. Returns ``items``. O(items).

    >>> dress([["path", "a", {"class": "dl-range", "stroke": "red"}, ""]])[0][2]
    {'class': 'dl-range', 'stroke': 'red', 'fill': 'none', 'stroke-width': 10}
    """
    look = LOOK if look is None else look
    for item in items:
        attrs = item[2]
        cls = attrs.get("class")
        if not cls:
            continue
        extra = look.get(cls) or look.get(cls.split(" ", 1)[0])
        if extra:
            for k, v in extra.items():
                attrs.setdefault(k, v)
        if " dl-down" in cls:
            attrs.setdefault("opacity", 0.3)
    return items


def _attr(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return num(v)
    return escape(str(v), quote=True)


def to_svg(scene: list, width: float, height: float, cls: str = "dl-svg") -> str:
    """The scene as one deterministic ``<svg>`` string. O(items)."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" width="{num(width)}" '
             f'height="{num(height)}" viewBox="0 0 {num(width)} {num(height)}" '
             f'font-family="system-ui, sans-serif" font-size="12">']
    for tag, ident, attrs, text in scene:
        a = f' data-id="{escape(ident, quote=True)}"' + "".join(
            f' {k}="{_attr(v)}"' for k, v in attrs.items())
        if text:
            parts.append(f"<{tag}{a}>{escape(text, quote=False)}</{tag}>")
        else:
            parts.append(f"<{tag}{a}/>")
    parts.append("</svg>")
    return "".join(parts)


@lru_cache(maxsize=None)
def css() -> str:
    """The views' stylesheet (``static/views.css``), shared with the widgets."""
    return resources.files("dynamo_lab.viz").joinpath("static/views.css").read_text("utf-8")


def html_block(body: str, cls: str) -> str:
    """Wrap a static drawing for ``text/html``: a scoped ``<style>`` plus the body.

    >>> html_block("<b>x</b>", "dl-ring").startswith('<div class="dl-view dl-ring">')
    True
    """
    return f'<div class="dl-view {cls}"><style>{css()}</style>{body}</div>'
