"""Batching: at most one front-end message per animation frame.

An engine may emit thousands of events inside one cell. A view applies each
event to its Python state at once (that is cheap), but only *marks itself
dirty*; the expensive part, computing the drawing and syncing it to the
browser, happens in :meth:`FrameBatcher.flush`, which runs

* on a timer one frame (1/60 s) after the first dirty mark, when an asyncio
  loop is running (in a Jupyter kernel it always is, but a cell blocks it, so
  the timer fires when the cell ends or awaits: an ``async`` animation gets
  one message per frame);
* at the end of every IPython cell (a ``post_execute`` hook), so a cell's
  result is drawn before the kernel goes idle, in a deterministic order;
* on demand: :meth:`FrameBatcher.flush`, and views flush before they render
  their static HTML or ``repr``.

Without a loop and outside IPython (scripts, tests, doctests) nothing flushes
by itself: the state stays current, the drawing waits to be asked for.

Examples
--------
>>> sent = []
>>> b = FrameBatcher(lambda: sent.append("sync"))
>>> for _ in range(1000):
...     b.mark()
>>> b.dirty, len(sent)
(True, 0)
>>> b.flush(); b.flush()
>>> b.dirty, len(sent)
(False, 1)
"""
from __future__ import annotations

import asyncio
import weakref
from typing import Callable

__all__ = ["FrameBatcher", "FRAME_S", "flush_all"]

#: one animation frame at 60 Hz, in seconds
FRAME_S = 1 / 60

_live: "weakref.WeakSet[FrameBatcher]" = weakref.WeakSet()
_hooked = False


class FrameBatcher:
    """Coalesce many ``mark()`` calls into one ``flush_fn()`` call per frame.

    ``mark`` is O(1) and never calls ``flush_fn`` itself, so a burst of any
    size costs one flush. ``flush`` is a no-op when nothing is dirty.

    Parameters
    ----------
    flush_fn : callable
        Does the work of one frame (e.g. sends the widget's state).
    interval : float
        Seconds between the first mark and the timed flush.
    """

    def __init__(self, flush_fn: Callable[[], object], interval: float = FRAME_S) -> None:
        self._flush_fn = flush_fn
        self.interval = interval
        self.dirty = False
        self.flushes = 0
        self._timer: asyncio.TimerHandle | None = None
        _install_cell_hook()

    def mark(self) -> None:
        """Note that something changed; schedule one flush if none is due."""
        if self.dirty:
            return
        self.dirty = True
        _live.add(self)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._timer = loop.call_later(self.interval, self.flush)

    def flush(self) -> None:
        """Run ``flush_fn`` now if anything is dirty. O(1) when clean."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.dirty:
            return
        self.dirty = False
        _live.discard(self)
        self.flushes += 1
        self._flush_fn()


def flush_all() -> None:
    """Flush every dirty batcher (run at the end of each IPython cell)."""
    for b in list(_live):
        b.flush()


def _install_cell_hook() -> None:
    global _hooked
    if _hooked:
        return
    _hooked = True
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
        return
    ip = get_ipython()
    if ip is not None:
        ip.events.register("post_execute", flush_all)
