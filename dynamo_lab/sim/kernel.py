"""The discrete-event kernel: virtual time in integer milliseconds.

The heap key is ``(time, priority, sequence)``, so two callbacks due at the
same moment run in a fixed order (lower priority first, then the order they
were scheduled in). Nothing here knows about networks or Dynamo; it only runs
callbacks at virtual times.

Two ways in: :meth:`Kernel.schedule` returns a :class:`Timer` that can be
cancelled; :meth:`Kernel.post` returns nothing and allocates no handle (the
network uses it for every message: a message in flight is never cancelled).

Examples
--------
>>> k = Kernel()
>>> seen = []
>>> _ = k.schedule(5, seen.append, "b")
>>> _ = k.schedule(5, seen.append, "a", priority=-1)
>>> k.post(5, seen.append, ("c",))
>>> k.run(until=10)
>>> seen, k.now
(['a', 'b', 'c'], 10)
"""
from __future__ import annotations

from heapq import heappop, heappush
from itertools import count
from typing import Any, Callable

__all__ = ["Kernel", "Timer"]

# The last slot of a heap entry is the callback's argument tuple, or this
# marker when the callback slot holds a Timer (which may have been cancelled).
_TIMER: Any = object()

Entry = tuple  # (time, priority, sequence, callback or Timer, args or _TIMER)


class Timer:
    """A handle on one scheduled callback; ``cancel()`` stops it from running.

    Cancelling is O(1): the entry stays in the heap and is skipped when it
    reaches the top.
    """

    __slots__ = ("time", "callback", "args", "cancelled")

    def __init__(self, time: int, callback: Callable[..., Any], args: tuple) -> None:
        self.time = time
        self.callback = callback
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def __repr__(self) -> str:
        name = getattr(self.callback, "__qualname__", type(self.callback).__name__)
        state = " cancelled" if self.cancelled else ""
        return f"<Timer t={self.time} {name}{state}>"


class Kernel:
    """Virtual clock plus a heap of timers.

    ``schedule`` and ``post`` are O(log n), ``step`` is O(log n), ``now`` is
    O(1).
    """

    def __init__(self) -> None:
        self.now: int = 0
        self._heap: list[Entry] = []
        self._seq = count()

    def schedule(self, delay: int, callback: Callable[..., Any], *args: Any,
                 priority: int = 0) -> Timer:
        """Run ``callback(*args)`` ``delay`` virtual ms from now."""
        delay = int(delay)
        if delay < 0:
            raise ValueError(f"cannot schedule in the past: delay={delay} ms")
        timer = Timer(self.now + delay, callback, args)
        heappush(self._heap, (timer.time, priority, next(self._seq), timer, _TIMER))
        return timer

    def post(self, time: int, callback: Callable[..., Any], args: tuple,
             priority: int = 0) -> None:
        """Run ``callback(*args)`` at absolute virtual time ``time`` (an int,
        not before ``now``); no handle, so it cannot be cancelled. The
        caller checks ``time``: this is the hot path of every message."""
        heappush(self._heap, (time, priority, next(self._seq), callback, args))

    def rearm(self, timer: Timer, delay: int, priority: int = 0) -> Timer:
        """Schedule an already fired ``timer`` again, ``delay`` ms from now
        (a periodic task reuses its one handle instead of making one per
        round). ``delay`` is an int >= 0."""
        timer.time = time = self.now + delay
        heappush(self._heap, (time, priority, next(self._seq), timer, _TIMER))
        return timer

    def at(self, time: int, callback: Callable[..., Any], *args: Any,
           priority: int = 0) -> Timer:
        """Run ``callback(*args)`` at absolute virtual time ``time``."""
        return self.schedule(int(time) - self.now, callback, *args, priority=priority)

    def peek(self) -> int | None:
        """The time of the next live timer, or None when nothing is due."""
        heap = self._heap
        while heap:
            top = heap[0]
            if top[4] is _TIMER and top[3].cancelled:
                heappop(heap)
                continue
            return top[0]
        return None

    def step(self) -> bool:
        """Run the next live timer. Returns False when there is none."""
        heap = self._heap
        while heap:
            time, _, _, fn, args = heappop(heap)
            if args is _TIMER:
                if fn.cancelled:
                    continue
                self.now = time
                fn.callback(*fn.args)
            else:
                self.now = time
                fn(*args)
            return True
        return False

    def run(self, until: int | None = None) -> None:
        """Run timers due up to and including ``until``, then set ``now = until``.

        A timer's callback may itself run the kernel (a lab client retrying a
        throttled call inside a trigger's poll lets virtual time pass while
        it backs off). If that carried ``now`` past ``until``, time stays
        where it got to: it never goes backwards.

        With ``until=None`` it runs until nothing is scheduled; periodic
        background tasks never end, so engines always pass a bound.
        """
        if until is None:
            while self.step():
                pass
            return
        until = int(until)
        if until < self.now:
            raise ValueError(f"cannot run backwards: now={self.now}, until={until}")
        heap = self._heap
        # step() inlined: this loop runs every timer of a simulation.
        while heap:
            top = heap[0]
            time = top[0]
            if time > until:
                break
            heappop(heap)
            fn, args = top[3], top[4]
            if args is _TIMER:
                if fn.cancelled:
                    continue
                self.now = time
                fn.callback(*fn.args)
            else:
                self.now = time
                fn(*args)
        if until > self.now:
            self.now = until

    def run_until(self, predicate: Callable[[], bool], limit: int) -> bool:
        """Step until ``predicate()`` is true or virtual time passes ``limit``.

        Returns whether the predicate became true. API calls use this to run
        the simulation until their reply arrives.
        """
        heap = self._heap
        while not predicate():
            while heap:         # skip cancelled timers (peek() inlined)
                top = heap[0]
                if top[4] is _TIMER and top[3].cancelled:
                    heappop(heap)
                else:
                    break
            if not heap or heap[0][0] > limit:
                return predicate()
            time, _, _, fn, args = heappop(heap)
            self.now = time
            if args is _TIMER:
                fn.callback(*fn.args)
            else:
                fn(*args)
        return True

    def run_until_in(self, item: Any, container: Any, limit: int) -> bool:
        """``run_until(lambda: item in container, limit)`` without a call per
        step: a client waiting for its reply steps every message of the run.

        >>> k, got = Kernel(), {}
        >>> _ = k.schedule(3, got.__setitem__, "r1", "ok")
        >>> k.run_until_in("r1", got, limit=10), k.now
        (True, 3)
        """
        heap = self._heap
        while item not in container:
            # A cancelled entry past the limit stops the loop as a live one
            # would (every later entry is later still); one within it is
            # popped and skipped without moving the clock.
            if not heap or heap[0][0] > limit:
                return item in container
            time, _, _, fn, args = heappop(heap)
            if args is _TIMER:
                if fn.cancelled:
                    continue
                self.now = time
                fn.callback(*fn.args)
            else:
                self.now = time
                fn(*args)
        return True

    def __len__(self) -> int:
        return sum(1 for e in self._heap if not (e[4] is _TIMER and e[3].cancelled))
