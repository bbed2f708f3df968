"""A network of named endpoints with seeded latency, zones and faults.

Links inside an availability zone are fast; links across zones are slower.
Messages can be lost at random, cut by a partition, or dropped because either
end has crashed. Every message is one event when its fate is known: a
``msg.deliver`` or a ``msg.drop``, each carrying the time it was ``sent``, so
a message sequence diagram (an arrow from ``sent`` to ``t``) can be rebuilt
from the log alone, at half the events a send plus a delivery would cost.

Examples
--------
>>> from dynamo_lab.sim import Simulation
>>> sim = Simulation(seed=1)
>>> got = []
>>> sim.network.add("a", lambda src, msg: None, zone="az1")
>>> sim.network.add("b", lambda src, msg: got.append((src, msg)), zone="az2")
>>> _ = sim.network.send("a", "b", "ping", {"n": 1})
>>> sim.run(ms=100)
>>> got
[('a', {'n': 1})]
>>> sim.log[-1]
Event(t=3, kind='msg.deliver', id=1, src='a', dst='b', msg='ping', sent=0)
"""
from __future__ import annotations

from dataclasses import dataclass
from heapq import heappush
from itertools import count
from math import log as _log
from typing import Any, Callable, Iterable, NamedTuple

from ..events import row_kind

__all__ = ["Network", "LatencyModel", "Message"]

Handler = Callable[[str, Any], None]

# One event per message, so these two are the log's bulk: written as rows.
_DELIVER = row_kind("msg.deliver", "id", "src", "dst", "msg", "sent", "rid", optional=("rid",))
_DROP = row_kind("msg.drop", "id", "src", "dst", "msg", "sent", "reason", "rid",
                 optional=("rid",))


@dataclass(frozen=True)
class LatencyModel:
    """One-way link latency in virtual ms: a floor plus an exponential tail.

    ``same_zone`` and ``cross_zone`` are ``(floor_ms, mean_tail_ms)``. The
    defaults echo a Region: sub-millisecond to a few ms inside an AZ, a few ms
    between AZs. A message to oneself takes 0 ms.
    """

    same_zone: tuple[float, float] = (1.0, 1.0)
    cross_zone: tuple[float, float] = (2.0, 3.0)

    def draw(self, rng, same_zone: bool) -> int:
        floor, tail = self.same_zone if same_zone else self.cross_zone
        return int(floor + rng.expovariate(1.0 / tail)) if tail > 0 else int(floor)


class Message(NamedTuple):
    """A message in flight: ``kind`` names it in the event log; ``body`` is
    handed to the receiver and never logged; ``sent`` is the virtual ms it
    left; ``rid`` the client request it belongs to (logged only)."""

    id: int
    src: str
    dst: str
    kind: str
    body: Any
    sent: int = 0
    rid: int | None = None


class Network:
    """Named endpoints exchanging messages over the simulation's clock.

    Costs: ``send`` is O(log n) (one timer); fault checks are O(1).
    """

    def __init__(self, sim, latency: LatencyModel | None = None) -> None:
        self.sim = sim
        self.latency = latency or LatencyModel()
        self._loss = 0.0
        self._rng = sim.rng_for("network")
        self._handlers: dict[str, Handler] = {}
        self._zones: dict[str, str | None] = {}
        self._down: set[str] = set()
        self._cuts: set[frozenset] = set()
        self._slow: dict[frozenset, int] = {}
        # True while no fault of any kind is set (nobody down, no cut, no
        # loss, no slow link): send and deliver then skip every fault check.
        self._calm = True
        self._ids = count(1)
        self._deliver_cb = self._deliver     # one bound method, not one per message
        self._kernel = sim.kernel            # read on every message
        self._log = sim.log

    @property
    def loss(self) -> float:
        """The probability that a message is lost (see :meth:`set_loss`)."""
        return self._loss

    @loss.setter
    def loss(self, probability: float) -> None:
        self._loss = probability
        self._settle()

    def _settle(self) -> None:
        """Note whether any fault is set (called whenever one changes)."""
        self._calm = not (self._down or self._cuts or self._slow or self._loss)

    # -- endpoints -------------------------------------------------------
    def add(self, name: str, handler: Handler, zone: str | None = None) -> None:
        """Register endpoint ``name``; ``handler(src, body)`` receives messages."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"endpoint name must be a non-empty string, not {name!r}")
        if name in self._handlers:
            raise ValueError(f"endpoint {name!r} already exists")
        self._handlers[name] = handler
        self._zones[name] = zone

    def remove(self, name: str) -> None:
        self._need(name)
        del self._handlers[name]
        del self._zones[name]
        self._down.discard(name)
        self._settle()

    def zone(self, name: str) -> str | None:
        self._need(name)
        return self._zones[name]

    @property
    def endpoints(self) -> list[str]:
        return list(self._handlers)

    def _need(self, name: str) -> None:
        if name not in self._handlers:
            raise KeyError(f"unknown endpoint {name!r}; known: {sorted(self._handlers)}")

    # -- faults ----------------------------------------------------------
    def crash(self, name: str) -> None:
        """Stop ``name``: it neither sends nor receives until ``recover``."""
        self._need(name)
        if name not in self._down:
            self._down.add(name)
            self._calm = False
            self.sim.log.emit("net.crash", node=name)

    def recover(self, name: str) -> None:
        self._need(name)
        if name in self._down:
            self._down.discard(name)
            self._settle()
            self.sim.log.emit("net.recover", node=name)

    def is_up(self, name: str) -> bool:
        self._need(name)
        return name not in self._down

    def partition(self, *groups: Iterable[str]) -> None:
        """Cut every link between endpoints of different ``groups`` (symmetric).

        Endpoints named in no group keep all their links.
        """
        sets = [sorted(set(g)) for g in groups]
        if len(sets) < 2:
            raise ValueError("partition needs at least two groups")
        seen: set[str] = set()
        for g in sets:
            for n in g:
                self._need(n)
                if n in seen:
                    raise ValueError(f"endpoint {n!r} is in more than one group")
                seen.add(n)
        for i, a in enumerate(sets):
            for b in sets[i + 1:]:
                for x in a:
                    for y in b:
                        self._cuts.add(frozenset((x, y)))
        self._settle()
        self.sim.log.emit("net.partition", groups=tuple(tuple(g) for g in sets))

    def heal(self) -> None:
        """Restore every cut link and every slow link."""
        self._cuts.clear()
        self._slow.clear()
        self._settle()
        self.sim.log.emit("net.heal")

    def reachable(self, a: str, b: str) -> bool:
        """Whether a message from ``a`` could reach ``b`` right now."""
        return (a not in self._down and b not in self._down
                and (a == b or frozenset((a, b)) not in self._cuts))

    def slow_link(self, a: str, b: str, extra_ms: int) -> None:
        """Add ``extra_ms`` to every message between ``a`` and ``b``."""
        self._need(a)
        self._need(b)
        if extra_ms < 0:
            raise ValueError(f"extra_ms must be >= 0, not {extra_ms}")
        self._slow[frozenset((a, b))] = int(extra_ms)
        self._settle()
        self.sim.log.emit("net.slow", a=a, b=b, extra_ms=int(extra_ms))

    def set_loss(self, probability: float) -> None:
        """Drop each message independently with ``probability``."""
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"loss probability must be in [0, 1], not {probability}")
        self.loss = float(probability)
        self.sim.log.emit("net.loss", probability=self._loss)

    # -- messages --------------------------------------------------------
    def delay(self, src: str, dst: str) -> int:
        """Draw one latency for a message from ``src`` to ``dst``."""
        if src == dst:
            return 0
        zs, zd = self._zones.get(src), self._zones.get(dst)
        ms = self.latency.draw(self._rng, zs == zd)
        if self._slow:
            ms += self._slow.get(frozenset((src, dst)), 0)
        return ms

    def send(self, src: str, dst: str, kind: str, body: Any = None,
             rid: int | None = None) -> int:
        """Send ``body`` from ``src`` to ``dst``; returns the message id.

        ``rid`` (optional) names the client request the message belongs to;
        it is only logged (on ``msg.deliver``/``msg.drop``), never interpreted.

        The message is dropped (and the drop logged) if either end is down,
        the link is cut, or the loss lottery says so. A receiver that crashes
        while the message is in flight never sees it. Nothing is logged at
        the send itself: the delivery or drop carries the send time.
        """
        # The hot path of every simulation: fault checks (none while no fault
        # is set), the latency draw (LatencyModel.draw, inlined: the same
        # draws from the same stream) and the kernel's post, one call deep.
        if dst not in self._handlers:
            raise KeyError(f"unknown endpoint {dst!r}")
        mid = next(self._ids)
        kernel = self._kernel
        now = kernel.now
        if not self._calm or src == dst:
            fate = self._fate(src, dst)
            if fate is not None:
                if fate == "self":      # to oneself: 0 ms, never lost
                    kernel.post(now, self._deliver_cb, (mid, src, dst, kind, body, now, rid))
                else:
                    self._drop(mid, src, dst, kind, now, fate, rid)
                return mid
        lat = self.latency
        if lat.__class__ is LatencyModel:
            zones = self._zones
            floor, tail = lat.same_zone if zones.get(src) == zones.get(dst) else lat.cross_zone
            t = now + (int(floor - _log(1.0 - self._rng.random()) / (1.0 / tail)) if tail > 0
                       else int(floor))
            if self._slow:
                t += self._slow.get(frozenset((src, dst)), 0)
        else:
            t = now + self.delay(src, dst)
        # Kernel.post inlined (this package's own kernel): priority 0, after
        # everything already due at t (the usual case), one frame less
        e = (0, next(kernel._seq), self._deliver_cb, (mid, src, dst, kind, body, now, rid))
        b = kernel._at.get(t)
        if b is None:
            kernel._at[t] = [e]
            heappush(kernel._times, t)
        elif b[-1][0] <= 0:
            b.append(e)
        else:
            kernel.post(t, self._deliver_cb, e[3])
        return mid

    def _fate(self, src: str, dst: str) -> str | None:
        """What happens to a message sent now, before its latency is drawn:
        None (it travels), "self" (to oneself), or why it is dropped
        ("crashed", "partition", "loss"; the loss lottery draws only here)."""
        down = self._down
        if down and (src in down or dst in down):
            return "crashed"
        if src == dst:
            return "self"
        if self._cuts and frozenset((src, dst)) in self._cuts:
            return "partition"
        if self._loss and self._rng.random() < self._loss:
            return "loss"
        return None

    def _blocked(self, src: str, dst: str) -> bool:
        """Whether an end is down or the link is cut (a message in flight
        is dropped when it arrives)."""
        down = self._down
        if down and (src in down or dst in down):
            return True
        return bool(self._cuts) and src != dst and frozenset((src, dst)) in self._cuts

    def _drop(self, mid: int, src: str, dst: str, kind: str, sent: int, reason: str,
              rid: int | None) -> None:
        log = self.sim.log
        if log.enabled:
            log.emit_row(_DROP, mid, src, dst, kind, sent, reason, rid)

    def _deliver(self, mid: int, src: str, dst: str, kind: str, body: Any, sent: int,
                 rid: int | None) -> None:
        handler = self._handlers.get(dst)
        if handler is None or not self._calm and self._blocked(src, dst):
            down = self._down
            self._drop(mid, src, dst, kind, sent,
                       "crashed" if dst in down or src in down else "partition", rid)
            return
        log = self._log
        if log.enabled:
            sink = log._sink
            if sink is None:
                log.emit_row(_DELIVER, mid, src, dst, kind, sent, rid)
            else:       # one write, t and kind first (see EventLog)
                sink((self._kernel.now, _DELIVER, mid, src, dst, kind, sent, rid))
        handler(src, body)
