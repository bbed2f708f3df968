"""What the endpoint views share: a base class over recorded calls, and small helpers.

The endpoint views read the ``client.*`` events that :func:`~dynamo_lab.viz.record`
writes (what any client sees), and may add the lab's internals when the
log has them. Colours are written on each mark as attributes, so a viewer
that strips ``<style>`` (GitHub) still draws them; the stylesheet adds
hover and transitions only.

Examples
--------
>>> clip("a long partition key value", 10)
'a long pa…'
>>> units_text(0.5), units_text(None), units_text(3.0)
('0.5', '–', '3')
>>> EVENT_COLORS["INSERT"]
'#59a14f'
>>> own_text({"w": 9, "h": 9, "items": [["text", "a", {"font-size": 8.5, "fill": "#fff"}, "x"]]})
{'w': 9, 'h': 9, 'items': [['text', 'a', {'font-size': 8.5, 'fill': '#fff', 'style': 'font-size:8.5px;fill:#fff'}, 'x']]}
"""
from __future__ import annotations

from typing import Any

from ..svg import css
from ._base import DDB_CSS, DdbView, DdbWidget, ddb_html, scene_svg

__all__ = ["EndpointView", "EndpointWidget", "ENDPOINT_CSS", "clip", "units_text", "own_text",
           "EVENT_COLORS", "ROLE_COLORS", "ZONES3"]

#: stream record colours by eventName
EVENT_COLORS = {"INSERT": "#59a14f", "MODIFY": "#4e79a7", "REMOVE": "#e15759"}
#: item marks: known, returned by the chosen call, read then filtered out, written
ROLE_COLORS = {"known": "#eeeeee", "read": "#4e79a7", "filtered": "#f28e2b",
               "written": "#59a14f", "deleted": "#bbbbbb", "stale": "#e15759"}
#: the three availability zones a replica group spans, as the deck draws them
ZONES3 = ("AZ-a", "AZ-b", "AZ-c")

ENDPOINT_CSS = """
.dl-view .dl-call:hover,.dl-view .dl-item:hover,.dl-view .dl-rec:hover,.dl-view .dl-key-dot:hover{stroke:#222;stroke-width:1.5}
.dl-view .dl-item,.dl-view .dl-rec,.dl-view .dl-key-dot,.dl-view .dl-attr{transition:fill .4s,x .4s,y .4s,cx .4s,width .4s;animation:dl-in .5s ease-out}
.dl-view .dl-call{animation:dl-in .5s ease-out}
.dl-view .dl-err{fill:#d62728;font-weight:600}
.dl-view .dl-ok{fill:#2b7a2b}
"""


def clip(text: Any, n: int) -> str:
    """``text`` cut to ``n`` characters with an ellipsis."""
    s = "" if text is None else str(text)
    return s if len(s) <= n else s[:n - 1] + "…"


def own_text(scene: dict) -> dict:
    """The scene with each text's own ``font-size`` and ``fill`` also written
    as an inline style. The stylesheet's default now applies only to texts
    that name no size or colour; the inline style still holds on a page
    where an older copy of the stylesheet (a plain ``.dl-view text`` rule,
    12px and dark) is loaded by outputs saved before the fix. Where a
    viewer strips the stylesheet (GitHub), the attributes alone hold."""
    for tag, _, a, _ in scene["items"]:
        if tag == "text" and "style" not in a:
            st = ([f"font-size:{a['font-size']}px"] if "font-size" in a else []) + (
                [f"fill:{a['fill']}"] if "fill" in a else [])
            if st:
                a["style"] = ";".join(st)
    return scene


def units_text(u: float | None) -> str:
    """Capacity units as the console writes them; '–' when not returned."""
    if u is None:
        return "–"
    return f"{u:g}"


class EndpointWidget(DdbWidget):
    """The scene widget with the endpoint views' CSS added."""

    _css = css() + DDB_CSS + ENDPOINT_CSS


class EndpointView(DdbView):
    """Base of the views drawn from recorded calls (any endpoint).

    ``source`` is a :class:`~dynamo_lab.viz.ddb.record.CallRecorder`, a
    :class:`~dynamo_lab.DynamoDB`, its Simulation, or a recorded EventLog.
    """

    css_class = "dl-endpoint"
    live = True

    def widget(self) -> EndpointWidget:
        if self._widget is None:
            from ..widget import scene_json
            self._widget = EndpointWidget(scene=scene_json(self._live_scene()),
                                          kind=self.css_class)
        return self._widget

    def _repr_html_(self) -> str:
        return ddb_html(scene_svg(self.scene()), self.css_class).replace(
            "</style>", ENDPOINT_CSS + "</style>", 1)
