"""Timeline: a scrubber over the event log that rebuilds views by replay.

The slider counts events, not milliseconds: many ring changes happen at the
same virtual time, and each should be its own step. Moving it pins every
attached view at that moment (:meth:`View.show_at`); at the right end the
views follow the log live again. ``sim.note`` markers are listed under the
slider and can be jumped to. Play animates in the browser (``ipywidgets.Play``
linked to the slider on the front end), so no Python loop blocks the kernel.
"""
from __future__ import annotations

from html import escape
from typing import Any, Iterable

import ipywidgets as w

from ..errors import ArgumentError
from ..events import Event
from ..text import plural
from .base import View

__all__ = ["Timeline"]


class Timeline(View, w.VBox):
    """A slider over the log; every attached view is rebuilt where it points.

    Parameters
    ----------
    source : Simulation, engine or EventLog
        The log to scrub; every view must read this same log.
    views : iterable of View
        The views to rebuild (RingView, LoadView, your own).
    interval : int
        Milliseconds between steps when Play runs.

    Notes
    -----
    Widgets: ``.play`` (Play), ``.slider`` (IntSlider, 0..len(log)), ``.label``
    (event, time and kind at the slider), ``.notes`` (Dropdown to jump to a
    ``sim.note``) and ``.markers`` (HTML strip of the notes). Its state is a
    reducer too: ``(events, notes)`` with notes as ``(index, t, text)``.

    Examples
    --------
    >>> from dynamo_lab import Simulation
    >>> sim = Simulation(seed=1)
    >>> sim.note("start"); sim.run(ms=5); sim.note("later")
    >>> tl = Timeline(sim)
    >>> tl
    <Timeline 2 events, 2 notes, live>
    >>> tl.seek(1); tl
    <Timeline 2 events, 2 notes, at 1>
    >>> tl.label.value
    'event 1 of 2 · t=0 ms · sim.note'
    """

    def __init__(self, source: Any, views: Iterable[View] = (), interval: int = 300) -> None:
        self.views = list(views)
        self._attach(source)
        for v in self.views:
            if v.event_log is not self.event_log:
                raise ArgumentError(f"{v!r} reads another log than this timeline")
        end = self.state[0]
        self.play = w.Play(min=0, max=end, value=end, interval=interval, description="play")
        self.slider = w.IntSlider(min=0, max=end, value=end, description="event",
                                  continuous_update=True, layout=w.Layout(width="420px"))
        w.jslink((self.play, "value"), (self.slider, "value"))
        self.label = w.Label(self._label(end))
        self.notes = w.Dropdown(options=self._note_options(), description="note",
                                layout=w.Layout(width="320px"))
        self.markers = w.HTML(self._markers_html())
        self.slider.observe(self._on_slider, names="value")
        self.notes.observe(self._on_note, names="value")
        w.VBox.__init__(self, children=[w.HBox([self.play, self.slider, self.label]),
                                        w.HBox([self.notes]), self.markers])

    # -- the reducer: how many events, and where the notes are ----------
    def initial(self) -> tuple:
        return (0, ())

    def apply(self, state: tuple, event: Event) -> tuple:
        count, notes = state
        if event.kind == "sim.note":
            notes = notes + ((count + 1, event.t, event.text),)
        return (count + 1, notes)

    def render(self, state: tuple) -> str:
        return self._markers_html(state)

    # -- moving ---------------------------------------------------------
    def seek(self, index: int | None = None, t: int | None = None) -> None:
        """Show every view after the log's first ``index`` events, or at
        virtual time ``t``; no argument goes back to live."""
        self.flush()
        if t is not None:
            index = len(self.event_log.until(t))
        if index is None:
            index = self.state[0]
        self.slider.value = max(0, min(index, self.state[0]))
        self._on_slider({"new": self.slider.value})

    @property
    def position(self) -> int | None:
        """Where the slider is, or None when the views follow the log live."""
        return None if self.slider.value >= self.slider.max else self.slider.value

    def _on_slider(self, change: dict) -> None:
        pos = self.position
        for v in self.views:
            if pos is None:
                if v.at is not None:
                    v.show_at()
            elif v.at != pos:
                v.show_at(index=pos)
        self.label.value = self._label(self.slider.value)

    def _on_note(self, change: dict) -> None:
        # the dropdown is an action ("jump to"): it goes blank again, so the
        # same note can be picked twice and new options never move the views
        if change["new"] is not None:
            self.seek(change["new"])
            self.notes.value = None

    # -- following the log ----------------------------------------------
    def _on_event(self, event: Event) -> None:
        self.feed(event)

    def _flush(self) -> None:
        end = self.state[0]
        live = self.slider.value >= self.slider.max
        # max and value go in separate messages, max first: the front-end
        # slider clamps a value beyond its old max and sends the clamped
        # value back, which would pin every view in the past.
        self.play.max = self.slider.max = end
        if live:
            self.slider.value = end
            self.label.value = self._label(end)
        self.notes.options = self._note_options()
        self.markers.value = self._markers_html()

    # -- text -----------------------------------------------------------
    def _label(self, index: int) -> str:
        total = self.state[0]
        if index == 0:
            return f"event 0 of {total} · before the first event"
        ev = self.event_log[index - 1]
        return f"event {index} of {total} · t={ev.t} ms · {ev.kind}"

    def _note_options(self) -> list:
        return [(f"{i}: {text}", i) for i, _, text in self.state[1]]

    def _markers_html(self, state: tuple | None = None) -> str:
        count, notes = self.state if state is None else state
        marks = "".join(
            f'<span class="dl-note" data-index="{i}" style="position:absolute;left:'
            f'{100 * i / max(count, 1):.2f}%;border-left:2px solid #d62728;padding-left:2px;'
            f'white-space:nowrap;font-size:11px">{escape(text)}</span>'
            for i, _, text in notes)
        return (f'<div class="dl-timeline" style="position:relative;height:1.6em;'
                f'margin:0 2em 0 9em">{marks}</div>')

    def __repr__(self) -> str:
        count, notes = self.state
        where = "live" if self.position is None else f"at {self.slider.value}"
        return f"<Timeline {plural(count, 'event')}, {plural(len(notes), 'note')}, {where}>"

    def _repr_mimebundle_(self, **kwargs: Any):
        self.flush()
        data = w.VBox._repr_mimebundle_(self, **kwargs)
        data = dict(data[0] if isinstance(data, tuple) else data)
        data["text/plain"] = repr(self)
        data["text/html"] = (f'<div class="dl-view dl-timeline-static"><p>{escape(repr(self))}'
                             f'</p>{self._markers_html()}</div>')
        return data
