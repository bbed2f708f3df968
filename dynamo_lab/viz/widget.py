"""SceneWidget: the one small anywidget that draws a scene in the browser.

Python sends the drawing as JSON text of a scene (:mod:`.svg`); the ES module
``static/views.js`` (a few KB) reconciles it into an ``<svg>`` keyed by id,
so CSS transitions animate changes. RingView adds its controls; the live
LoadView uses the widget as it is. No plotly.js bundle is involved.
"""
from __future__ import annotations

import json
from pathlib import Path

import anywidget
import traitlets

__all__ = ["SceneWidget", "scene_json"]

_STATIC = Path(__file__).parent / "static"


def scene_json(scene: dict) -> str:
    """A scene as compact JSON text (deterministic: dicts keep their order).

    >>> scene_json({"w": 1, "h": 2, "items": []})
    '{"w":1,"h":2,"items":[]}'
    """
    return json.dumps(scene, separators=(",", ":"), ensure_ascii=False)


class SceneWidget(anywidget.AnyWidget):
    """An SVG drawn from a scene; ``kind`` is the CSS class of the view.

    ``scene`` is one JSON string: ipywidgets would walk thousands of nested
    lists to look for binary buffers, a string it sends as it is.

    Examples
    --------
    >>> w = SceneWidget(scene=scene_json({"w": 10, "h": 10, "items": []}), kind="dl-load")
    >>> json.loads(w.scene)["w"]
    10
    """

    _esm = _STATIC / "views.js"
    _css = _STATIC / "views.css"

    scene = traitlets.Unicode("{}").tag(sync=True)
    kind = traitlets.Unicode("dl-scene").tag(sync=True)
    controls = traitlets.Dict().tag(sync=True)
