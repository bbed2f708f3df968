"""What the Voila demos share: widgets with stable CSS classes, a status
line that shows an error instead of a traceback, and a picture panel.

A demo is a class whose methods are the actions its controls take (so a
test can drive it without a browser) and whose ``widget`` is the dashboard.
Pictures are the lab's views' static SVG, redrawn after every action: a
demo on a projector has no use for a view's own controls, and one
``ipywidgets.HTML`` per picture is all Voila has to draw.

Examples
--------
>>> b = button("add node", "dl-demo-add")
>>> b.description, "dl-demo-add" in b._dom_classes
('add node', True)
>>> s = Status()
>>> with s.guard("burn zone"):
...     raise ValueError("unknown zone 'az9'")
>>> s.widget.value
'<span class="dl-demo-error">burn zone: unknown zone &#x27;az9&#x27;</span>'
"""
from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["button", "picture", "Status", "CSS", "header", "dashboard_frame"]

#: Styles of the demos' own text (the views bring theirs).
CSS = """<style>
.dl-demo-title h2 { margin: 0 0 4px; }
.dl-demo-facts { font: 14px/1.45 system-ui, sans-serif; }
.dl-demo-facts table { border-collapse: collapse; }
.dl-demo-facts td, .dl-demo-facts th { border: 1px solid #ddd; padding: 2px 8px;
                                      text-align: right; }
.dl-demo-facts th { background: #eef2f7; }
.dl-demo-big { font-size: 20px; font-weight: 600; }
.dl-demo-error { color: #a71d2a; font-weight: 600; }
.dl-demo-ok { color: #1e7e34; }
</style>"""


def button(label: str, css: str, style: str = "") -> Any:
    """An ``ipywidgets.Button`` with CSS class ``css`` (for tests and styling)."""
    import ipywidgets as w
    b = w.Button(description=label, button_style=style,
                 layout=w.Layout(width="auto"))
    b.add_class(css)
    return b


def picture(css: str) -> Any:
    """An ``ipywidgets.HTML`` that holds one drawing, class ``css``."""
    import ipywidgets as w
    p = w.HTML()
    p.add_class(css)
    return p


def header(title: str, line: str) -> Any:
    """The demo's title and one line saying what to try."""
    import ipywidgets as w
    h = w.HTML(f"{CSS}<div class=\"dl-demo-title\"><h2>{html.escape(title)}</h2>"
               f"<div>{html.escape(line)}</div></div>")
    h.add_class("dl-demo-header")
    return h


def dashboard_frame(title: str, line: str, controls: list, pictures: list,
                    width: str) -> Any:
    """A demo's screen: its header, then a column of ``controls`` ``width``
    wide beside a column of ``pictures`` (what every demo shows)."""
    import ipywidgets as w
    return w.VBox([header(title, line),
                   w.HBox([w.VBox(controls, layout=w.Layout(width=width)),
                           w.VBox(pictures)])])


class Status:
    """One line under the controls: what the last action did, or its error."""

    def __init__(self) -> None:
        import ipywidgets as w
        self.widget = w.HTML()
        self.widget.add_class("dl-demo-status")

    def ok(self, text: str) -> None:
        self.widget.value = f'<span class="dl-demo-ok">{html.escape(text)}</span>'

    @contextmanager
    def guard(self, action: str) -> Iterator[None]:
        """Run an action; an exception becomes the status line, never a traceback."""
        try:
            yield
        except Exception as e:   # a click on a projector must never show a traceback
            msg = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
            self.widget.value = (f'<span class="dl-demo-error">{html.escape(action)}: '
                                 f'{html.escape(msg)}</span>')
