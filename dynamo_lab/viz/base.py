"""The view framework: a view is a reducer over events plus a renderer.

A view keeps one piece of state, built only from events:

* :meth:`View.initial` gives the state before any event;
* :meth:`View.apply` folds one event in (``apply(state, event) -> state``);
  it may update ``state`` in place, since each view owns its own state;
* :meth:`View.render` turns a state into a drawing (a deterministic value).

From those three the framework gives every view the same behaviour: attach to
a source (a :class:`~dynamo_lab.Simulation`, an engine with ``.sim`` or
``.log``, or a recorded :class:`~dynamo_lab.EventLog`), replay what the log
already holds, follow new events live, and rebuild the state at any moment
of the run (:meth:`View.state_at`, :meth:`View.show_at`), which is what the
:class:`~dynamo_lab.viz.Timeline` scrubber and the static fallback use.
Drawing is batched (:mod:`dynamo_lab.viz.batch`): events only mark the view
dirty, and one flush per frame sends the drawing.

Examples
--------
A view that counts notes:

>>> from dynamo_lab import Simulation
>>> class Notes(View):
...     kinds = ("sim.note",)
...     def initial(self):
...         return ()
...     def apply(self, state, event):
...         return state + (event.text,)
...     def render(self, state):
...         return ", ".join(state)
>>> sim = Simulation(seed=1)
>>> sim.note("before")
>>> v = Notes(sim)
>>> sim.note("after")
>>> v.render(v.state)
'before, after'
>>> v.state_at(index=1)
('before',)
"""
from __future__ import annotations

from typing import Any, Iterable

from ..errors import ArgumentError, ArgumentTypeError
from ..events import Event, EventLog, Subscription
from .batch import FrameBatcher

__all__ = ["View", "resolve_source"]


def resolve_source(source: Any) -> tuple[EventLog, Any]:
    """Split a view's source into ``(log, engine)``.

    ``engine`` is the object that view controls may command (None for a
    Simulation or a bare log, whose views are read-only).

    >>> from dynamo_lab import Simulation
    >>> sim = Simulation(seed=0)
    >>> resolve_source(sim) == (sim.log, None)
    True
    >>> resolve_source(sim.log) == (sim.log, None)
    True
    """
    if isinstance(source, EventLog):
        return source, None
    sim = getattr(source, "sim", None)
    if sim is not None and isinstance(getattr(sim, "log", None), EventLog):
        return sim.log, source
    log = getattr(source, "log", None)
    if isinstance(log, EventLog):
        from ..sim import Simulation
        return log, (None if isinstance(source, Simulation) else source)
    raise ArgumentTypeError(f"a view needs a Simulation, an engine (with .sim or .log) or an "
                    f"EventLog, not {type(source).__name__}")


class View:
    """Base class of every view: subclass and define ``initial``, ``apply``
    and ``render``; set ``kinds`` to the event kinds the view reads.

    Attributes
    ----------
    event_log : EventLog
        The log the view reads.
    engine : object or None
        What controls may command; None for a Simulation or a recorded log.
    state : object
        The current state (live, or the pinned moment, see :meth:`show_at`).
    at : int or None
        None while following the log live, else the number of log events
        the pinned state was built from.
    """

    #: the event kinds this view reads (``"ring.*"`` style prefixes allowed);
    #: None reads every event
    kinds: tuple[str, ...] | None = None

    event_log: EventLog
    engine: Any
    state: Any
    at: int | None

    def __init__(self, source: Any) -> None:
        self._attach(source)

    # -- the three things a view defines --------------------------------
    def initial(self) -> Any:
        """The state before any event."""
        return None

    def apply(self, state: Any, event: Event) -> Any:
        """Fold one event into the state and return the new state."""
        return state

    def render(self, state: Any) -> Any:
        """A deterministic drawing of ``state``."""
        return state

    # -- attaching and following ----------------------------------------
    def _attach(self, source: Any) -> None:
        # Called before any widget machinery starts, so that the widget's
        # first message already carries the replayed state.
        self.event_log, self.engine = resolve_source(source)
        self.at = None
        self._batcher = FrameBatcher(self._flush)
        self.state = self._build(self.event_log)
        self._sub: Subscription | None = self.event_log.subscribe(self._on_event, kinds=self.kinds)

    def _matches(self, kind: str) -> bool:
        """Whether this view reads events of ``kind`` (see ``kinds``)."""
        if self.kinds is None:
            return True
        return any(kind == k or (k.endswith("*") and kind.startswith(k[:-1]))
                   for k in self.kinds)

    def _build(self, events: Iterable[Event]) -> Any:
        # Replays run over whole logs (every scrub of the timeline), so the
        # kind filter is decided once per kind, not once per event.
        ok: dict[str, bool] = {}
        state = self.initial()
        apply = self.apply
        for ev in events:
            hit = ok.get(ev.kind)
            if hit is None:
                hit = ok[ev.kind] = self._matches(ev.kind)
            if hit:
                state = apply(state, ev)
        return state

    def _on_event(self, event: Event) -> None:
        if self.at is None:
            self.feed(event)

    def feed(self, event: Event) -> None:
        """Apply one event to the current state and mark the drawing dirty.

        O(apply); the drawing is sent at most once per frame.
        """
        self.state = self.apply(self.state, event)
        self._batcher.mark()

    def detach(self) -> None:
        """Stop following the log (the view keeps its last state)."""
        sub = getattr(self, "_sub", None)    # None too on a half-made view
        if sub is not None:
            sub.cancel()
            self._sub = None

    def close(self) -> None:
        """Stop following the log, and close the widget if the view is one.

        A lesson that re-runs a cell makes a new view; closing the old one
        stops it from reducing events nobody will see.
        """
        self.detach()
        if hasattr(self, "_batcher"):
            self._batcher.dirty = False
        parent = getattr(super(), "close", None)
        if parent is not None:
            parent()

    # -- moments of the run ---------------------------------------------
    def state_at(self, t: int | None = None, index: int | None = None) -> Any:
        """The state after the log's events up to virtual time ``t``
        (inclusive), or after its first ``index`` events; neither gives the
        whole log. Pure: the view is not changed. O(events replayed).
        """
        return self._build(self._events_at(t, index))

    def _events_at(self, t: int | None, index: int | None) -> list[Event]:
        if t is not None and index is not None:
            raise ArgumentError("give t= or index=, not both")
        if t is not None:
            return self.event_log.until(t)
        if index is not None:
            return self.event_log[:max(0, index)]
        return self.event_log[:]

    def show_at(self, index: int | None = None, t: int | None = None) -> None:
        """Pin the view at a moment of the run (``index`` events, or time
        ``t``), or follow the log live again with no arguments.

        While pinned, new events do not move the drawing.
        """
        if index is None and t is None:
            self.at = None
            self.state = self._build(self.event_log)
        else:
            events = self._events_at(t, index)
            self.at = len(events)
            self.state = self._build(events)
        self._batcher.mark()

    # -- drawing --------------------------------------------------------
    def _flush(self) -> None:
        """Send the drawing of the current state (once per frame at most)."""

    def flush(self) -> None:
        """Send any pending drawing now instead of at the next frame."""
        self._batcher.flush()

    @property
    def syncs(self) -> int:
        """How many times the drawing was flushed (for tests of the batching)."""
        return self._batcher.flushes
