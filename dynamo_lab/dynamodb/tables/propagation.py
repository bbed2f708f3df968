"""Global secondary indexes maintained asynchronously: the propagation queue.

A global secondary index lives on partitions of its own, away from the
table's. DynamoDB writes the table first, acknowledges the write, and
*propagates* the change to each GSI afterwards: "changes to the table data
are propagated to the global secondary indexes within a fraction of a
second, under normal conditions". So a Query on a GSI right after a write
may not see it yet, and a GSI offers eventually consistent reads only
(``ConsistentRead=True`` on one is a ``ValidationException``). Local
secondary indexes live with the table's partition and stay synchronous.

Here each table has one :class:`Propagation`. ``Table.write`` hands it every
change to a GSI entry (the delete of the old entry, the put of the new
projection, or both); the change is applied after a lag drawn from the
simulation's seed, in virtual time, uniformly from
``svc.index_options["gsi_lag_ms"]`` (``(lo, hi)`` ms, default
:data:`DEFAULT_LAG_MS`). Two changes to one item are applied in the order
they were made: a change waits at least until the item's previous change in
that index has been applied. A change whose lag is 0 (and that waits for
nothing) is applied at once, inside the write. Once the queue is empty the
GSI equals the projection of the table.

Capacity: the GSI's write capacity is consumed when the change is
*queued*, inside the request, not when it is applied. That is what AWS
documents: "for a table write to succeed, the provisioned throughput
settings for the table and all of its global secondary indexes must have
enough write capacity to accommodate the write; otherwise, the write to the
table is throttled" -- the table write is refused up front (back-pressure,
:func:`.layout.charge_write`), so a change that is queued never fails later,
and a throttled write leaves no trace in the table, the GSI or the stream.

Indexes added by UpdateTable are *backfilled*: the index is CREATING with
``Backfilling`` false while resources are allocated (the table is
UPDATING), then ``Backfilling`` true while the table's items are read into
it, ``gsi_backfill_rate`` items a virtual second (default
:data:`DEFAULT_BACKFILL_RATE`), then ACTIVE. Writes made meanwhile are
propagated as usual, so the index converges whatever the order.

Events: ``gsi.applied`` (table, index, queued, lag, change) once per change
applied, ``gsi.backfill`` (table, index, phase, items) when a backfill
starts and ends.

Costs: queueing and applying a change are O(log n) (one scheduler entry);
:func:`lag` is O(1).

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0, indexes={"gsi_lag_ms": (50, 50)})
>>> from dynamo_lab.dynamodb.service import handle
>>> _ = handle(ddb, "CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
...                              {"AttributeName": "g", "AttributeType": "S"}],
...     "GlobalSecondaryIndexes": [{"IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
...         "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}]})
>>> _ = handle(ddb, "PutItem", {"TableName": "Tab", "Item": {"id": {"S": "a"}, "g": {"S": "x"}}})
>>> q = {"TableName": "Tab", "IndexName": "byG", "KeyConditionExpression": "g = :g",
...      "ExpressionAttributeValues": {":g": {"S": "x"}}}
>>> handle(ddb, "Query", q)["Count"], lag(ddb, "Tab", "byG")
(0, {'pending': 1, 'oldest_ms': 1})
>>> ddb.run(ms=50)
>>> handle(ddb, "Query", q)["Count"], lag(ddb, "Tab", "byG")
(1, {'pending': 0, 'oldest_ms': 0})
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from ...errors import NotFoundError
from ..options import DEFAULT_BACKFILL_RATE, DEFAULT_LAG_MS
from ..state import ServiceState
from .lookup import table_for_control

if TYPE_CHECKING:  # pragma: no cover
    from .table import Index, Table

__all__ = ["Propagation", "of", "lag", "start_backfill", "forget", "DEFAULT_LAG_MS",
           "DEFAULT_BACKFILL_RATE", "BACKFILL_STEP_MS"]

#: The default propagation lag range, virtual ms. (0, 0): changes reach the
#: GSI inside the write, so code written against moto behaves the same; a
#: lesson or test asks for a visible lag with, e.g.,
#: ``DynamoDB(indexes={"gsi_lag_ms": (10, 300)})``.
#: Items a backfill reads into a new GSI per virtual second.
#: A backfill works in steps this far apart (virtual ms).
BACKFILL_STEP_MS = 100


class _Change:
    """One GSI change in flight."""

    __slots__ = ("ix", "skey", "old_ikey", "new_ikey", "projected", "size", "queued", "due",
                 "done")

    def __init__(self, ix: "Index", skey: tuple, old_ikey: tuple | None,
                 new_ikey: tuple | None, projected: dict | None, size: int, queued: int,
                 due: int) -> None:
        self.ix, self.skey = ix, skey
        self.old_ikey, self.new_ikey, self.projected, self.size = old_ikey, new_ikey, projected, size
        self.queued, self.due = queued, due
        self.done = False


class Propagation:
    """The GSI changes of one table that are queued and not yet applied.

    Parameters
    ----------
    svc : DynamoDB
    table : Table

    Attributes
    ----------
    lo, hi : int
        The lag range, virtual ms.
    """

    def __init__(self, svc: "ServiceState", table: "Table") -> None:
        self.svc, self.table = svc, table
        self.sim = svc.sim
        self.log = svc.log
        lo, hi = svc.index_opts.gsi_lag_ms     # checked by IndexOptions
        self.lo, self.hi = int(lo), int(hi)
        self._rng = svc.sim.rng_for(f"dynamodb.gsi:{table.name}")
        self._queues: dict[str, deque] = {}      # index name -> changes in queue order
        self._pending: dict[str, int] = {}       # index name -> changes not applied
        self._last: dict[tuple, _Change] = {}    # (index, table skey) -> its latest change

    def queue(self, ix: "Index", skey: tuple, old_ikey: tuple | None, new_ikey: tuple | None,
              projected: dict | None, size: int) -> None:
        """Propagate one change to ``ix``: remove ``old_ikey``, store
        ``projected`` at ``new_ikey``, after the lag. O(log n)."""
        now = self.sim.now
        due = now + (self._rng.randint(self.lo, self.hi) if self.hi else 0)
        prev = self._last.get((ix.name, skey)) if self._last else None
        if prev is not None and prev.due > due:
            due = prev.due               # never overtake the item's previous change
        if due == now and prev is None:
            ix.apply(old_ikey, new_ikey, projected, size)
            self.log.emit("gsi.applied", table=self.table.name, index=ix.name, queued=now,
                          lag=0, change="delete" if new_ikey is None else "put")
            return
        ch = _Change(ix, skey, old_ikey, new_ikey, projected, size, now, due)
        q = self._queues.get(ix.name)
        if q is None:
            q = self._queues[ix.name] = deque()
        q.append(ch)
        self._pending[ix.name] = self._pending.get(ix.name, 0) + 1
        self._last[(ix.name, skey)] = ch
        self.sim.schedule(due - now, self._apply, ch)

    def _apply(self, ch: _Change) -> None:
        if ch.done:
            return                       # its index was deleted
        ix, name = ch.ix, ch.ix.name
        ch.done = True
        self._pending[name] -= 1
        q = self._queues[name]
        while q and q[0].done:
            q.popleft()
        key = (name, ch.skey)
        if self._last.get(key) is ch:
            del self._last[key]
        if self.table.indexes.get(name) is not ix or self.svc.tables.get(self.table.name) \
                is not self.table:
            return
        ix.apply(ch.old_ikey, ch.new_ikey, ch.projected, ch.size)
        self.log.emit("gsi.applied", table=self.table.name, index=name, queued=ch.queued,
                      lag=self.sim.now - ch.queued,
                      change="delete" if ch.new_ikey is None else "put")

    def forget(self, ix: "Index") -> None:
        """Drop every change queued for ``ix`` (the index was deleted)."""
        for ch in self._queues.pop(ix.name, ()):
            ch.done = True
        self._pending.pop(ix.name, None)
        for key in [k for k in self._last if k[0] == ix.name]:
            del self._last[key]

    def pending(self, ix: "Index") -> tuple[int, int]:
        """``(changes not applied, age of the oldest in ms)`` for ``ix``. O(1)."""
        n = self._pending.get(ix.name, 0)
        if not n:
            return 0, 0
        return n, self.sim.now - self._queues[ix.name][0].queued

    def pending_changes(self, ix: "Index") -> list:
        """``[(old_ikey, new_ikey, projected), ...]`` not yet applied to ``ix``,
        in queue order (for ``Table._check``)."""
        return [(c.old_ikey, c.new_ikey, c.projected)
                for c in self._queues.get(ix.name, ()) if not c.done]

    def __repr__(self) -> str:
        busy = {k: v for k, v in self._pending.items() if v}
        return f"<Propagation {self.table.name} lag={self.lo}-{self.hi} ms pending={busy}>"


def of(svc: "ServiceState", table: "Table") -> Propagation:
    """The table's :class:`Propagation`, made (and attached) on first use."""
    prop = table.propagation
    if prop is None:
        prop = table.propagation = Propagation(svc, table)
    return prop


def _gsi(svc: "ServiceState", table: str, index: str) -> tuple:
    t = table_for_control(svc, table)
    ix = t.index(index)
    if ix is None or ix.kind != "GSI":
        raise NotFoundError(f"{table} has no global secondary index {index!r}")
    return t, ix


def lag(svc: Any, table: str, index: str) -> dict:
    """How far GSI ``index`` of ``table`` is behind: ``pending`` (changes
    queued, not yet applied) and ``oldest_ms`` (how long the oldest has
    waited, virtual ms). ``svc`` is a service state or a ``DynamoDB``
    (whose ``ddb.gsi_lag(table, index)`` is the same question).

    >>> from dynamo_lab.dynamodb.service import DynamoDB
    >>> ddb = DynamoDB(seed=0, create_ms=0, indexes={"gsi_lag_ms": (20, 20)})
    >>> from dynamo_lab.dynamodb.service import handle
    >>> _ = handle(ddb, "CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
    ...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    ...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
    ...                              {"AttributeName": "g", "AttributeType": "S"}],
    ...     "GlobalSecondaryIndexes": [{"IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
    ...         "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}]})
    >>> for i in range(3):
    ...     _ = handle(ddb, "PutItem", {"TableName": "Tab",
    ...                                "Item": {"id": {"S": str(i)}, "g": {"S": "x"}}})
    >>> lag(ddb, "Tab", "byG")
    {'pending': 3, 'oldest_ms': 2}
    """
    if not isinstance(svc, ServiceState):        # the façade: ask it
        return svc.gsi_lag(table, index)
    with svc.lock:
        t, ix = _gsi(svc, table, index)
        n, age = t.propagation.pending(ix) if t.propagation is not None else (0, 0)
        return {"pending": n, "oldest_ms": age}


def forget(svc: "ServiceState", table: "Table", ix: "Index") -> None:
    """A GSI is being deleted: drop its changes in flight and its backfill."""
    if table.propagation is not None:
        table.propagation.forget(ix)
    ix.backfilling = None


# -- backfilling ---------------------------------------------------------------
def start_backfill(svc: "ServiceState", table: "Table", ix: "Index") -> None:
    """A GSI was added by UpdateTable: CREATING, ``Backfilling`` false for
    ``svc.timing.update_ms`` (resource allocation), then true while the table's
    items are read into it, then ACTIVE. Changes made meanwhile are
    propagated to it as to any GSI."""
    of(svc, table)
    ix.status, ix.backfilling = "CREATING", False
    rate = svc.index_opts.gsi_backfill_rate
    per_step = max(1, rate * BACKFILL_STEP_MS // 1000)
    svc.after(svc.timing.update_ms, _begin, svc, table, ix, per_step)


def _alive(svc: "ServiceState", table: "Table", ix: "Index") -> bool:
    return svc.tables.get(table.name) is table and table.indexes.get(ix.name) is ix \
        and ix.backfilling is not None


def _begin(svc: "ServiceState", table: "Table", ix: "Index", per_step: int) -> None:
    if not _alive(svc, table, ix):
        return
    ix.backfilling = True
    svc.log.emit("gsi.backfill", table=table.name, index=ix.name, phase="started",
                 items=table.item_count)
    _step(svc, table, ix, per_step, None, 0)


def _step(svc: "ServiceState", table: "Table", ix: "Index", per_step: int, after: Any,
          done: int) -> None:
    if not _alive(svc, table, ix):
        return
    after, put = table.backfill(ix, after, per_step)
    done += put
    if after is not None:
        svc.after(BACKFILL_STEP_MS, _step, svc, table, ix, per_step, after, done)
        return
    ix.status, ix.backfilling = "ACTIVE", None
    svc.log.emit("gsi.backfill", table=table.name, index=ix.name, phase="done", items=done)
