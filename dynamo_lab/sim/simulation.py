"""The Simulation: one virtual clock, one network, one seeded RNG, one log.

Engines are handed a Simulation or make their own. The same seed gives the
same run, event for event, so a room of forty laptops sees one picture.

Examples
--------
>>> sim = Simulation(seed=42)
>>> ticks = []
>>> _ = sim.every(1000, lambda: ticks.append(sim.now))
>>> sim.run(ms=3500)
>>> ticks, sim.now
([1000, 2000, 3000], 3500)
>>> Simulation(seed=1).rng_for("x").random() == Simulation(seed=1).rng_for("x").random()
True
"""
from __future__ import annotations

import random
from heapq import heappush
from typing import Any, Callable

from ..events import EventLog
from .kernel import _TIMER, Kernel, Timer
from .network import LatencyModel, Network
from .rand import Seed, make_rng

__all__ = ["Simulation", "Periodic", "SLEEP"]

_Random = random.Random

#: What a periodic task's function returns to say "nothing to do until
#: someone calls :meth:`Periodic.wake`": the task leaves the heap meanwhile.
SLEEP: Any = "sleep"


class Periodic:
    """A repeating background task, made by :meth:`Simulation.every`.

    A task whose function returns :data:`SLEEP` is not run again until
    :meth:`wake` is called; it then runs at a random phase within one period
    (drawn from its own stream), and on every period after. A task with
    nothing to do most of the time (a failure detector's probe with nobody
    suspected, a hint scan with no hints) thus costs nothing while idle.

    >>> sim = Simulation(seed=1)
    >>> todo, ran = [], []
    >>> def scan():
    ...     ran.append(sim.now)
    ...     return None if todo else SLEEP
    >>> task = sim.every(100, scan)
    >>> sim.run(ms=1000); ran
    [100]
    >>> todo.append("x"); task.wake(); sim.run(ms=250); len(ran)
    3
    """

    def __init__(self, sim: "Simulation", period: int, fn: Callable[[], Any],
                 jitter: int, rng: random.Random | None) -> None:
        self.sim, self.period, self.fn, self.jitter = sim, period, fn, jitter
        self._rng = rng
        self._span = (2 * jitter + 1, (2 * jitter + 1).bit_length())
        self.active = True
        self.asleep = False
        self._kernel = sim.kernel
        self._timer: Timer | None = None
        self._arm(first=True)

    def wake(self) -> None:
        """Run a sleeping task again, first within one period. O(log n);
        O(1) when it is awake already."""
        if not self.asleep or not self.active:
            return
        self.asleep = False
        rng = self._rng
        delay = 1 + (rng.randrange(self.period) if rng is not None else self.period - 1)
        self.sim.kernel.rearm(self._timer, delay, 1)

    def _arm(self, first: bool = False) -> None:
        delay = self.period
        rng = self._rng
        if self.jitter and rng is not None:
            j = self.jitter
            # rng.randint(-j, j), or rng.randint(0, j) the first time, inlined
            # for random.Random: the same draws, without three calls deep.
            lo, n = (0, j + 1) if first else (-j, 2 * j + 1)
            if rng.__class__ is random.Random:
                k = n.bit_length()
                r = rng.getrandbits(k)
                while r >= n:
                    r = rng.getrandbits(k)
                delay += lo + r
            else:
                delay += rng.randint(lo, lo + n - 1)
        kernel = self.sim.kernel
        if self._timer is None:
            self._timer = kernel.schedule(max(1, delay), self._fire, priority=1)
        else:   # the timer that just fired: reuse the handle
            kernel.rearm(self._timer, max(1, delay), 1)

    def _fire(self) -> None:
        # Every background round of every node passes here: _arm's jitter
        # draw inlined for the usual case (the same draws as randint(-j, j)).
        if not self.active:
            return
        if self.fn() is SLEEP:
            self.asleep = True
            return
        if not self.active:
            return
        delay = self.period
        rng = self._rng
        j = self.jitter
        if j and rng is not None:
            if rng.__class__ is _Random:
                n, k = self._span      # 2j + 1 values, drawn with k random bits
                r = rng.getrandbits(k)
                while r >= n:
                    r = rng.getrandbits(k)
                delay += r - j
            else:
                delay += rng.randint(-j, j)
        # kernel.rearm inlined (this package's own kernel): the same timer,
        # queued at priority 1 after what is due then (Kernel.post)
        kernel = self._kernel
        timer = self._timer
        assert timer is not None        # armed in __init__
        timer.time = t = kernel.now + (delay if delay > 1 else 1)
        b = kernel._at.get(t)
        if b is None:
            kernel._at[t] = [(1, next(kernel._seq), timer, _TIMER)]
            heappush(kernel._times, t)
        elif b[-1][0] <= 1:
            b.append((1, next(kernel._seq), timer, _TIMER))
        else:
            kernel.post(t, timer, _TIMER, 1)

    def cancel(self) -> None:
        self.active = False
        if self._timer is not None:
            self._timer.cancel()


class Simulation:
    """Clock, scheduler, network, faults and event log of one run.

    Parameters
    ----------
    seed : int, random.Random or None
        Every random draw of the run comes from this seed. None gives an
        unrepeatable run.
    events : bool
        Record events. Off is only for measuring what recording costs.
    latency : LatencyModel, optional
        Link latency inside and across availability zones.
    """

    def __init__(self, seed: Seed = 0, *, events: bool = True,
                 latency: LatencyModel | None = None, strict: bool | None = None) -> None:
        self.seed = seed if isinstance(seed, int) else None
        self.rng = make_rng(seed)
        # Named sub-streams hang off one base, so a new draw in one subsystem
        # never shifts the draws of another.
        self._base = self.rng.getrandbits(64)
        self.kernel = Kernel()
        self.log = EventLog(self.kernel, enabled=events, strict=strict)
        self.network = Network(self, latency)

    # -- time ------------------------------------------------------------
    @property
    def now(self) -> int:
        """Virtual time in ms."""
        return self.kernel.now

    def schedule(self, delay: int, callback: Callable[..., Any], *args: Any,
                 priority: int = 0) -> Timer:
        """Run ``callback(*args)`` after ``delay`` virtual ms."""
        return self.kernel.schedule(delay, callback, *args, priority=priority)

    def every(self, period: int, fn: Callable[[], Any], *, jitter: int = 0,
              name: str = "periodic") -> Periodic:
        """Run ``fn()`` every ``period`` ms (± ``jitter``, drawn from the seed)."""
        if period <= 0:
            raise ValueError(f"period must be a positive number of ms, not {period}")
        rng = self.rng_for(f"every:{name}") if jitter else None
        return Periodic(self, int(period), fn, int(jitter), rng)

    def step(self) -> bool:
        return self.kernel.step()

    def run(self, ms: int | None = None, until: int | None = None) -> None:
        """Advance virtual time by ``ms``, or to ``until``, running what is due."""
        if (ms is None) == (until is None):
            raise ValueError("give exactly one of ms= or until=")
        if ms is not None:
            if ms < 0:
                raise ValueError(f"ms must be >= 0, not {ms}")
            until = self.kernel.now + int(ms)
        self.kernel.run(until=until)

    def run_until(self, predicate: Callable[[], bool], timeout: int) -> bool:
        """Run until ``predicate()`` holds or ``timeout`` virtual ms pass."""
        return self.kernel.run_until(predicate, self.kernel.now + int(timeout))

    # -- randomness ------------------------------------------------------
    def rng_for(self, name: str) -> random.Random:
        """An independent, repeatable random stream for one purpose."""
        return random.Random(f"{self._base}:{name}")

    def note(self, text: str) -> None:
        """Put a marker on the timeline (shown by the scrubber)."""
        self.log.emit("sim.note", text=str(text))

    def __repr__(self) -> str:
        return (f"<Simulation seed={self.seed} t={self.now} ms "
                f"endpoints={len(self.network.endpoints)} events={len(self.log)}>")
