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
>>> st.request_id() == ServiceState(Simulation(seed=0)).request_id()   # the seed decides
True
"""
from __future__ import annotations

import base64
import random
import threading
import uuid
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
        expiry) is ``epoch`` plus virtual time.
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
        """The lab's Unix time in seconds: :attr:`epoch` plus virtual time."""
        return self.epoch + self.sim.now / 1000

    def wall_time(self, t_ms: float) -> float:
        """Unix seconds of virtual time ``t_ms`` (ms): :attr:`epoch` plus it."""
        return self.epoch + t_ms / 1000

    def virtual_ms(self, seconds: float) -> int:
        """The virtual ms that Unix time ``seconds`` names (the inverse of
        :meth:`wall_time`, rounded to the ms)."""
        return int(round((seconds - self.epoch) * 1000))

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
