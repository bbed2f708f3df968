"""The discrete-event kernel: virtual time in integer milliseconds.

The heap key is ``(time, priority, sequence)``, so two callbacks due at the
same moment run in a fixed order (lower priority first, then the order they
were scheduled in). Nothing here knows about networks or Dynamo; it only runs
callbacks at virtual times.

Examples
--------
>>> k = Kernel()
>>> seen = []
>>> _ = k.schedule(5, seen.append, "b")
>>> _ = k.schedule(5, seen.append, "a", priority=-1)
>>> k.run(until=10)
>>> seen, k.now
(['a', 'b'], 10)
"""
from __future__ import annotations

import heapq
from itertools import count
from typing import Any, Callable

__all__ = ["Kernel", "Timer"]


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

    ``schedule`` is O(log n), ``step`` is O(log n), ``now`` is O(1).
    """

    def __init__(self) -> None:
        self.now: int = 0
        self._heap: list[tuple[int, int, int, Timer]] = []
        self._seq = count()

    def schedule(self, delay: int, callback: Callable[..., Any], *args: Any,
                 priority: int = 0) -> Timer:
        """Run ``callback(*args)`` ``delay`` virtual ms from now."""
        delay = int(delay)
        if delay < 0:
            raise ValueError(f"cannot schedule in the past: delay={delay} ms")
        timer = Timer(self.now + delay, callback, args)
        heapq.heappush(self._heap, (timer.time, priority, next(self._seq), timer))
        return timer

    def at(self, time: int, callback: Callable[..., Any], *args: Any,
           priority: int = 0) -> Timer:
        """Run ``callback(*args)`` at absolute virtual time ``time``."""
        return self.schedule(int(time) - self.now, callback, *args, priority=priority)

    def peek(self) -> int | None:
        """The time of the next live timer, or None when nothing is due."""
        heap = self._heap
        while heap and heap[0][3].cancelled:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def step(self) -> bool:
        """Run the next live timer. Returns False when there is none."""
        heap = self._heap
        while heap:
            time, _, _, timer = heapq.heappop(heap)
            if timer.cancelled:
                continue
            self.now = time
            timer.callback(*timer.args)
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
        while True:
            nxt = self.peek()
            if nxt is None or nxt > until:
                break
            self.step()
        if until > self.now:
            self.now = until

    def run_until(self, predicate: Callable[[], bool], limit: int) -> bool:
        """Step until ``predicate()`` is true or virtual time passes ``limit``.

        Returns whether the predicate became true. API calls use this to run
        the simulation until their reply arrives.
        """
        while not predicate():
            nxt = self.peek()
            if nxt is None or nxt > limit:
                return predicate()
            self.step()
        return True

    def __len__(self) -> int:
        return sum(1 for entry in self._heap if not entry[3].cancelled)
