"""The service's state: everything an operation may read or change.

A :class:`ServiceState` is one typed record: the simulation (clock and
event log), the tables, the lock, the id stream and the typed options, plus
the components that keep their own books (replication, streams,
transactions). Operations are plain functions ``op(state, request)``; they
import this module, never the learner's :class:`~.service.DynamoDB`
façade, which only holds a state and answers questions about it.

This is a leaf of the service: it imports the simulation, the lab's errors
and the options, and names the component types for the type checker only.

Examples
--------
>>> from dynamo_lab.sim import Simulation
>>> st = ServiceState(Simulation(seed=0))
>>> st.arn("Music"), st.epoch_now()
('arn:aws:dynamodb:us-east-1:000000000000:table/Music', 1767225600.0)
>>> st.wall_time(1500), st.virtual_ms(1767225601.5)   # virtual ms <-> Unix seconds
(1767225601.5, 1500)

On a served lab the dates follow the real clock: a spell the simulation
skipped moves later dates on, and earlier ones stay as they were told.

>>> st.sim.run(ms=2000)
>>> st.skip_wall(3600.0)                       # an idle hour not simulated
>>> st.wall_time(1500) - EPOCH, st.epoch_now() - EPOCH, st.wall_time(2500) - EPOCH
(1.5, 3602.0, 3602.5)
>>> st.virtual_ms(EPOCH + 3602.5), st.clock_record()
(2500, {'epoch': 1767225600, 'steps': [[2000, 3600.0]]})
>>> st.request_id() == ServiceState(Simulation(seed=0)).request_id()   # the seed decides
True
"""
from __future__ import annotations

import base64
import random
import threading
import uuid
from bisect import bisect_left
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..events import EventLog
from ..sim import Simulation
from .options import CapacityOptions, IndexOptions, ReplicationOptions, TimingOptions

if TYPE_CHECKING:  # pragma: no cover
    from .capacity.metrics import CapacityMetrics
    from .replication.groups import Replication
    from .streams.hub import StreamHub
    from .tables.table import Table

__all__ = ["ServiceState", "EPOCH"]

#: Unix time (s) at virtual time 0 unless a state is told otherwise:
#: 2026-01-01T00:00:00Z. Fixed, so a seed gives the same CreationDateTime
#: and TTL outcomes on every laptop. A served lab on the wall clock
#: (:class:`~.server.room.Room`) sets its namespaces' :attr:`ServiceState.epoch`
#: to the real time instead.
EPOCH = 1_767_225_600


@dataclass(eq=False)
class ServiceState:
    """One DynamoDB service's state (see the module docstring).

    Attributes
    ----------
    sim : Simulation
        The clock, scheduler and seeded randomness.
    log : EventLog
        ``sim.log``: where every event goes.
    timing, capacity_opts, index_opts, replication_opts : frozen options
        From :mod:`.options`; a running service swaps in a new record to
        change one (``ddb.index_options[...] = ...``).
    region, account : str
        Used in ARNs.
    tables : dict of str to Table
        Every table in any status, by name.
    lock : threading.RLock
        Held by every request and by ``run``: the HTTP server's threads and
        the consumers' timers share the state.
    ids : random.Random
        Request ids and UUIDs, drawn from the seed.
    internal_errors : list of str
        Tracebacks of bugs that surfaced as ``InternalServerError``.
    transactions : dict
        ClientRequestToken -> record, for idempotent TransactWriteItems.
    replication : Replication
        Storage nodes and every partition's replica group.
    streams : StreamHub
        The tables' DynamoDB Streams.
    journal : callable or None
        Called with every committed :class:`~.commit.Change` after the
        observers, when the state is kept on disk (``dynamo-lab serve
        --data``: :mod:`.server.durable`); None otherwise.
    epoch : float
        Unix time (s) at virtual time 0: :data:`EPOCH` by default. Every
        date the service tells (stream records, CreationDateTime, TTL
        expiry) is ``epoch`` plus virtual time (:meth:`wall_time`), plus
        the real time the simulation skipped before it (:meth:`skip_wall`).
    """

    sim: Simulation
    timing: TimingOptions = field(default_factory=TimingOptions)
    capacity_opts: CapacityOptions = field(default_factory=CapacityOptions)
    index_opts: IndexOptions = field(default_factory=IndexOptions)
    replication_opts: ReplicationOptions = field(default_factory=ReplicationOptions)
    region: str = "us-east-1"
    account: str = "000000000000"
    tables: dict[str, Table] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    internal_errors: list[str] = field(default_factory=list)
    transactions: dict[str, Any] = field(default_factory=dict)
    # components, wired by the façade once the state exists
    replication: Replication = field(init=False)
    streams: StreamHub = field(init=False)
    metrics: CapacityMetrics | None = None
    ttl_task: Any = None
    capacity_task: Any = None
    retry_streams: int = 0
    journal: Callable[[Any], None] | None = None
    epoch: float = EPOCH
    # the skipped spells: at virtual ms steps_at[i] the dates moved on by
    # steps_sum[i] - steps_sum[i-1] seconds (steps_sum is cumulative)
    steps_at: list[int] = field(default_factory=list)
    steps_sum: list[float] = field(default_factory=list)
    log: EventLog = field(init=False)
    ids: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.sim.log
        self.ids = self.sim.rng_for("dynamodb.ids")

    # -- names, ids and time ----------------------------------------------------
    def arn(self, table: str) -> str:
        """The table's ARN. O(1)."""
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{table}"

    def epoch_now(self) -> float:
        """The lab's Unix time in seconds: :attr:`epoch` plus virtual time
        (plus every skipped spell). O(1)."""
        return self.epoch + self.sim.now / 1000 + (self.steps_sum[-1] if self.steps_sum else 0.0)

    def wall_time(self, t_ms: float) -> float:
        """Unix seconds of virtual time ``t_ms`` (ms): :attr:`epoch` plus
        it, plus the spells skipped before it. O(log steps)."""
        i = bisect_left(self.steps_at, t_ms)
        return self.epoch + t_ms / 1000 + (self.steps_sum[i - 1] if i else 0.0)

    def virtual_ms(self, seconds: float) -> int:
        """The virtual ms that Unix time ``seconds`` names (the inverse of
        :meth:`wall_time`, rounded to the ms); a time inside a skipped
        spell names the ms the spell began at. O(steps)."""
        for i in range(len(self.steps_at) - 1, -1, -1):
            t = round((seconds - self.epoch - self.steps_sum[i]) * 1000)
            if t > self.steps_at[i]:
                return int(t)
            if seconds - self.epoch - (self.steps_sum[i - 1] if i else 0.0) \
                    > self.steps_at[i] / 1000:
                return self.steps_at[i]       # inside the skipped spell
        return int(round((seconds - self.epoch) * 1000))

    def skip_wall(self, seconds: float) -> None:
        """Real time went on ``seconds`` longer than the simulation did (an
        idle spell the served lab did not simulate, a restart): dates from
        now on move on by it; dates already told stay. O(1)."""
        if seconds <= 0:
            return
        total = (self.steps_sum[-1] if self.steps_sum else 0.0) + seconds
        now = int(self.sim.now)
        if self.steps_at and self.steps_at[-1] == now:
            self.steps_sum[-1] = total
        else:
            self.steps_at.append(now)
            self.steps_sum.append(total)

    def follow_wall(self, seconds: float) -> None:
        """Make :meth:`epoch_now` the real time ``seconds`` (Unix s) when it
        is behind: a fresh state moves its :attr:`epoch`; one that has told
        dates already skips the difference (:meth:`skip_wall`)."""
        gap = seconds - self.epoch_now()
        if gap <= 0:
            return
        if self.sim.now == 0 and not self.steps_at and not self.tables:
            self.epoch = round(self.epoch + gap, 3)
        else:
            self.skip_wall(round(gap, 3))

    def clock_record(self) -> dict:
        """The epoch and the skipped spells, as JSON-ready data (kept by
        ``--data``; :meth:`restore_clock` reads it back)."""
        return {"epoch": self.epoch,
                "steps": [[t, s] for t, s in zip(self.steps_at, self.steps_sum)]}

    def restore_clock(self, record: dict) -> None:
        """Read back what :meth:`clock_record` gave."""
        self.epoch = float(record["epoch"])
        self.steps_at = [int(t) for t, _ in record["steps"]]
        self.steps_sum = [float(s) for _, s in record["steps"]]

    def new_uuid(self) -> str:
        """A version-4 UUID drawn from the seed."""
        return str(uuid.UUID(int=self.ids.getrandbits(128), version=4))

    def request_id(self) -> str:
        """A request id drawn from the seed (52 base32 characters, like AWS's)."""
        with self.lock:
            n = self.ids.getrandbits(260)
        # base32 of n (shifted to whole bytes) gives its 5-bit groups high to
        # low; reversed, low to high.
        return base64.b32encode((n << 4).to_bytes(33, "big"))[51::-1].decode("ascii")

    def stream_label(self) -> str:
        """A stream label: the lab's time now, ISO 8601 to the millisecond."""
        t = datetime.fromtimestamp(self.epoch_now(), tz=timezone.utc)
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}"

    def after(self, ms: int, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` ``ms`` virtual ms from now."""
        self.sim.schedule(ms, fn, *args)

    @contextmanager
    def requests_take_no_time(self) -> Iterator[None]:
        """Inside a timer the clock cannot advance: API calls made meanwhile
        (a KCL worker's or a trigger's poll) take no virtual time."""
        saved = self.timing
        self.timing = replace(saved, request_ms=0)
        try:
            yield
        finally:
            self.timing = saved
