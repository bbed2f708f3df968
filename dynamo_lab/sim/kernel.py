"""The discrete-event kernel: virtual time in integer milliseconds.

Callbacks due at the same moment run in a fixed order: lower priority first,
then the order they were scheduled in. Nothing here knows about networks or
Dynamo; it only runs callbacks at virtual times.

The queue is a *calendar*: a heap of the distinct due times (plain ints),
and for each due time a list of its entries ``(priority, sequence, callback,
args)`` kept in that order. Most entries share a millisecond with none or a
few others, so scheduling is a dict look-up and an append (plus an int heap
push for a new time), and taking the next entry never compares tuples: the
order is the one a heap keyed by ``(time, priority, sequence)`` gives, at a
fraction of its comparisons (a simulation runs one entry per message).

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

from bisect import insort
from heapq import heappop, heappush
from itertools import count
from typing import Any, Callable

__all__ = ["Kernel", "Timer"]

# The last slot of an entry is the callback's argument tuple, or this marker
# when the callback slot holds a Timer (which may have been cancelled).
_TIMER: Any = object()

Entry = tuple  # (priority, sequence, callback or Timer, args or _TIMER)


class Timer:
    """A handle on one scheduled callback; ``cancel()`` stops it from running.

    Cancelling is O(1): the entry stays queued and is skipped when its time
    comes.
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
    """Virtual clock plus a calendar of timers.

    ``schedule`` and ``post`` are O(log d) for d distinct due times (O(1)
    when the time already has entries and the priority is not lower than
    the last one's); taking the next entry is O(log d) when it empties its
    time, else O(b) for the b entries left at that time (b is small: the
    entries of one millisecond). ``now`` is O(1).
    """

    def __init__(self) -> None:
        self.now: int = 0
        self._times: list[int] = []          # heap of the due times in _at
        self._at: dict[int, list[Entry]] = {}  # due time -> entries, in order
        self._seq = count()

    def _pop(self, time: int) -> Entry:
        """Take the first entry due at ``time`` (the earliest due time)."""
        b = self._at[time]
        e = b.pop(0)
        if not b:
            del self._at[time]
            heappop(self._times)
        return e

    def schedule(self, delay: int, callback: Callable[..., Any], *args: Any,
                 priority: int = 0) -> Timer:
        """Run ``callback(*args)`` ``delay`` virtual ms from now."""
        delay = int(delay)
        if delay < 0:
            raise ValueError(f"cannot schedule in the past: delay={delay} ms")
        timer = Timer(self.now + delay, callback, args)
        self.post(timer.time, timer, _TIMER, priority)
        return timer

    def post(self, time: int, callback: Any, args: Any, priority: int = 0) -> None:
        """Run ``callback(*args)`` at absolute virtual time ``time`` (an int,
        not before ``now``); no handle, so it cannot be cancelled. The
        caller checks ``time``: this is the hot path of every message.

        It is also the one place entries are queued (``schedule`` passes a
        Timer and the ``_TIMER`` marker; ``Network.send`` and ``Periodic``
        write it out inline)."""
        e = (priority, next(self._seq), callback, args)
        b = self._at.get(time)
        if b is None:
            self._at[time] = [e]
            heappush(self._times, time)
        elif b[-1][0] <= priority:
            b.append(e)         # the usual case: after everything queued for then
        else:
            insort(b, e)        # before entries of a higher priority (sequences differ)

    def rearm(self, timer: Timer, delay: int, priority: int = 0) -> Timer:
        """Schedule an already fired ``timer`` again, ``delay`` ms from now
        (a periodic task reuses its one handle instead of making one per
        round). ``delay`` is an int >= 0."""
        timer.time = time = self.now + delay
        self.post(time, timer, _TIMER, priority)
        return timer

    def at(self, time: int, callback: Callable[..., Any], *args: Any,
           priority: int = 0) -> Timer:
        """Run ``callback(*args)`` at absolute virtual time ``time``."""
        return self.schedule(int(time) - self.now, callback, *args, priority=priority)

    def peek(self) -> int | None:
        """The time of the next live timer, or None when nothing is due."""
        times = self._times
        while times:
            t = times[0]
            e = self._at[t][0]
            if e[3] is _TIMER and e[2].cancelled:
                self._pop(t)
                continue
            return t
        return None

    def step(self) -> bool:
        """Run the next live timer. Returns False when there is none."""
        times = self._times
        while times:
            time = times[0]
            _, _, fn, args = self._pop(time)
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
        times, at = self._times, self._at
        # step() inlined: this loop runs every timer of a simulation.
        while times:
            time = times[0]
            if time > until:
                break
            b = at[time]
            _, _, fn, args = b.pop(0)
            if not b:
                del at[time]
                heappop(times)
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
        while not predicate():
            t = self.peek()         # skips cancelled timers
            if t is None or t > limit:
                return predicate()
            self.step()
        return True

    def run_until_in(self, item: Any, container: Any, limit: int) -> bool:
        """``run_until(lambda: item in container, limit)`` without a call per
        step: a client waiting for its reply steps every message of the run.

        >>> k, got = Kernel(), {}
        >>> _ = k.schedule(3, got.__setitem__, "r1", "ok")
        >>> k.run_until_in("r1", got, limit=10), k.now
        (True, 3)
        """
        times, at = self._times, self._at
        while item not in container:
            # A cancelled entry past the limit stops the loop as a live one
            # would (every later entry is later still); one within it is
            # taken and skipped without moving the clock.
            if not times or times[0] > limit:
                return item in container
            time = times[0]
            b = at[time]
            _, _, fn, args = b.pop(0)
            if not b:
                del at[time]
                heappop(times)
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
        """How many live entries are queued (cancelled timers not counted)."""
        return sum(1 for b in self._at.values() for e in b
                   if not (e[3] is _TIMER and e[2].cancelled))
