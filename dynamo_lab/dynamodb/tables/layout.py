"""One table's partitions and capacity, wired to its items.

A :class:`Layout` joins, for one table or one global secondary index, the
:class:`~..partitions.partitioning.PartitionMap` (how many partitions, their ranges,
shares, replicas and leaders), the :class:`~..capacity.throughput.TableCapacity` (the
token buckets) and the :class:`~..partitions.storage.Store` holding the items.
There is one owner per partition: a :class:`~..partitions.partition.Partition`
holds its range, its items, its buckets, its replica group and the id of its
stream shard. The map adopts the store (the store's partitions *are* the
map's), so a split -- for size, for throughput, for heat -- makes two new
owners and moves the items with their ranges, and
``DynamoDB.partitions(table)`` and the items cannot disagree.

The request path asks :func:`charge_write` / :func:`charge_read` *before*
doing the work. A refusal charges nothing anywhere (a write that would pass
on the table but not on one of its GSIs gives back what it took) and comes
back as a :class:`~..capacity.throughput.Verdict`; :func:`throttle_error` turns it into
DynamoDB's error.

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0)
>>> from dynamo_lab.dynamodb.service import handle
>>> _ = handle(ddb, "CreateTable", {"TableName": "Tab",
...     "ProvisionedThroughput": {"ReadCapacityUnits": 5000, "WriteCapacityUnits": 500},
...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
>>> [(p["id"], round(p["rcu"], 2), round(p["wcu"], 2)) for p in ddb.partitions("Tab")]
[('p0', 1666.67, 166.67), ('p1', 1666.67, 166.67), ('p2', 1666.67, 166.67)]
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..capacity.throughput import TableCapacity, Verdict
from ..capacity.units import write_units
from ..errors import DynamoDBError
from ..partitions.partitioning import PartitionMap

if TYPE_CHECKING:  # pragma: no cover
    from ..state import ServiceState
    from .table import Index, Table

__all__ = ["all_or_nothing", "Layout", "ensure", "announce", "layouts_of", "ensure_capacity_ticker", "emit_capacity_events", "charge_write", "charge_read", "throttle_error",
           "GSI_PROVISIONED_MESSAGE", "GSI_ON_DEMAND_MESSAGE"]

#: What DynamoDB says when a write to the table is throttled because one of
#: its global secondary indexes is short of write capacity (back-pressure).
GSI_PROVISIONED_MESSAGE = ("The level of configured provisioned throughput for one or more "
                           "global secondary indexes of the table was exceeded. Consider "
                           "increasing your provisioning level for the under-provisioned "
                           "global secondary indexes with the UpdateTable API")
GSI_ON_DEMAND_MESSAGE = ("Throughput exceeds the current capacity for one or more global "
                         "secondary indexes. DynamoDB is automatically scaling your index so "
                         "please try again shortly.")


class Layout:
    """The partition map, capacity and store of one table or GSI, kept as one.

    Costs: ``apply_write`` O(log n) (plus the split it causes: O(k) for the
    k items it moves).
    """

    def __init__(self, svc: "ServiceState", table: "Table", ix: "Index | None" = None,
                 quiet: bool = False) -> None:
        self.table, self.ix = table, ix
        self.store = ix.store if ix is not None else table.store
        self.mode = table.billing_mode
        rcu, wcu = self._provisioned()
        self.signature = (self.mode, rcu, wcu)
        index = ix.name if ix is not None else None
        self.pmap = PartitionMap(table.name, rcu, wcu, size_limit=svc.timing.partition_size_limit,
                                 index=index, log=None if quiet else svc.log,
                                 seed=svc.sim.rng_for(f"dynamodb.partitions:{table.name}"),
                                 min_partitions=1)
        opts = {"defer_events": True, **svc.capacity_opts.as_kwargs()}
        self.cap = TableCapacity(self.pmap, mode=self.mode, log=svc.log, now_ms=svc.sim.now,
                                 **opts)
        # Items already there (a GSI backfilled, a store filled before wiring).
        for skey, _item in self.store.scan_from(None):
            self.pmap.apply_write(skey[0], None, self.store.size_of(skey))
        self.pmap.adopt(self.store)      # one owner per partition from here on

    def _provisioned(self) -> tuple[int, int]:
        if self.table.billing_mode != "PROVISIONED":
            return 0, 0
        tp = self.ix.throughput if self.ix is not None else self.table.throughput
        return (tp.read, tp.write) if tp is not None else (0, 0)

    def apply_write(self, h: int, old_size: int | None, new_size: int | None) -> None:
        self.pmap.apply_write(h, old_size, new_size)

    def refresh(self, now_ms: int) -> None:
        """Take up a new billing mode or provisioned throughput (UpdateTable)."""
        rcu, wcu = self._provisioned()
        sig = (self.table.billing_mode, rcu, wcu)
        if sig == self.signature:
            return
        self.signature = sig
        self.mode = self.cap.mode = self.table.billing_mode
        self.pmap.set_throughput(rcu, wcu)
        self.cap.sync(now_ms)

    def set_size_limit(self, size_limit: int) -> None:
        self.pmap.set_size_limit(size_limit)

    def tick(self, now_ms: int) -> None:
        """Once a second: emit closed seconds, split hot partitions."""
        self.cap.flush(now_ms)
        self.cap.split_for_heat(now_ms)

    def _check(self, streams: Any = None) -> None:
        """Invariants, for stress tests (the property tests call it after
        every step), over the one owner per partition:

        * the live partitions tile the hash space, every item lies in its
          owner's range, and bytes and items add up per partition and for
          the table (the map's, with its store: :meth:`PartitionMap._check`);
        * each live partition owns its own buckets at its share, and no
          retired one owns any (:meth:`TableCapacity._check`);
        * each replica group belongs to exactly one live partition;
        * with ``streams`` (the service's stream hub, brought up to date by
          the caller) and the table's stream enabled: each live partition's
          recorded shard (the hub records it when it opens one, event log
          or not) is its open shard, over its range, and each split
          parent's shard is closed. O(P + n).
        """
        self.pmap._check()
        self.cap._check()
        store = self.store
        assert store.partitions is self.pmap._parts
        assert store.item_count == self.pmap.item_count
        assert store.size_bytes == self.pmap.size_bytes
        groups = [p.group for p in self.pmap if p.group is not None]
        assert all(g.part.live for g in groups) and len({id(g) for g in groups}) == len(groups)
        if streams is not None and self.ix is None:
            self._check_shards(streams)

    def _check_shards(self, hub: Any) -> None:
        table = self.table
        enabled = [s for s in hub.streams.values()
                   if s.table_name == table.name and s.table_id == table.table_id
                   and s.status == "ENABLED"]
        kept = {sid: sh for s in hub.streams.values()
                if s.table_name == table.name and s.table_id == table.table_id
                for sid, sh in s.shards.items()}
        if enabled:
            s = enabled[0]
            for p in self.pmap:
                sh = s.open.get(p.id)
                assert sh is not None and sh.closed is None, (p, sh)
                assert (sh.start, sh.end) == (p.start, p.end), (p, sh)
                assert p.shard == sh.id, (p, p.shard, sh.id)
        for p in self.pmap.retired.values():
            if p.shard in kept:
                assert kept[p.shard].closed is not None, (p, kept[p.shard])

    def __repr__(self) -> str:
        return f"<Layout {self.pmap!r}>"


def ensure(svc: "ServiceState", table: "Table", quiet: bool = False) -> "Layout":
    """The table's layout (made on first use), GSIs' too, up to date. O(1)
    when nothing changed. ``quiet``: new maps log nothing until
    :func:`announce` (CreateTable prepares the layout before it commits)."""
    lay = table.layout
    if lay is None:
        lay = table.layout = Layout(svc, table, quiet=quiet)
        ensure_capacity_ticker(svc)
    else:
        lay.refresh(svc.sim.now)
    for ix in table.indexes.values():
        if ix.kind != "GSI":
            continue
        if table.propagation is None:
            from .propagation import of
            of(svc, table)
        if ix.layout is None:
            ix.layout = Layout(svc, table, ix, quiet=quiet)
        else:
            ix.layout.refresh(svc.sim.now)
    return lay


def announce(svc: "ServiceState", table: "Table") -> None:
    """Log the partitions of layouts made quietly (table first, then GSIs)."""
    for lay in layouts_of(table):
        if lay.pmap.log is None:
            lay.pmap.announce(svc.log)


def layouts_of(table: "Table") -> list["Layout"]:
    """The table's layout and its GSIs' that are wired (table first)."""
    return [lay for lay in [table.layout] + [ix.layout for ix in table.indexes.values()]
            if lay is not None]


def ensure_capacity_ticker(svc: "ServiceState") -> None:
    """Start the once-a-second capacity tick (closing seconds, heat splits)."""
    if svc.capacity_task is None:
        svc.capacity_task = svc.sim.every(1000, lambda: _capacity_tick(svc),
                                          name="dynamodb.capacity")


def _capacity_tick(svc: "ServiceState") -> None:
    now = svc.sim.now
    for table in list(svc.tables.values()):
        for lay in layouts_of(table):
            lay.tick(now)


def emit_capacity_events(svc: "ServiceState") -> None:
    """Log the ``capacity.*`` events held back since the last request that
    succeeded (a refused request logs nothing)."""
    for table in svc.tables.values():
        for lay in layouts_of(table):
            lay.cap.emit_pending()


def throttle_error(v: Verdict, gsi: bool = False) -> DynamoDBError:
    """DynamoDB's error for a refused request (``gsi``: back-pressure from an index)."""
    if gsi and v.index is not None:
        msg = GSI_ON_DEMAND_MESSAGE if v.code == "ThrottlingException" else GSI_PROVISIONED_MESSAGE
        return DynamoDBError(v.code or "ThrottlingException", msg)
    return DynamoDBError(v.code or "ThrottlingException", v.message or "")


def all_or_nothing(charges: list, now: int) -> tuple[Verdict | None, int | None]:
    """Consume every ``(cap, op, units, h, pid, requests)``, all or nothing:
    ``(None, None)`` when all were served; on a refusal, give back what was
    taken and return the refusing verdict and its position in ``charges``.
    The one all-or-nothing charge of the service (writes with their
    indexes, batch reads, transactions)."""
    done: list = []
    for n, (cap, op, units, h, pid, requests) in enumerate(charges):
        v = cap.consume(op, units, now, key_hash=h, partition=pid, requests=requests)
        if not v.ok:
            for c, dv, rq in reversed(done):
                c.refund(dv, now, requests=rq)
            return v, n
        done.append((cap, v, requests))
    return None, None


def write_charges(plan: Any, factor: int = 1, requests: int = 1) -> list:
    """What one planned write costs, where: the table partition (with its
    LSI writes) and each GSI partition whose entry is put or removed --
    0, 1 or 2 index writes per change, by DynamoDB's rule
    (:meth:`~.table.Index.writes`)."""
    table = plan.table
    skey = table.schema.storage_key(plan.key)
    units = plan.units * factor
    gsi: list = []
    if table.indexes:
        old_size = table.store.size_of(skey) if plan.old is not None else None
        new_size = plan.size if plan.new is not None else None
        for ix in table.indexes.values():
            if ix.kind == "GSI" and ix.layout is None:
                continue
            for h, size in ix.writes(plan.old, plan.new, table.schema, old_size, new_size):
                if ix.kind == "LSI":
                    units += write_units(size) * factor
                else:
                    gsi.append((ix.layout.cap, "write", write_units(size) * factor, h, None, 0))
    out: list = []
    if table.layout is not None:
        out.append((table.layout.cap, "write", units, skey[0], None, requests))
    return out + gsi


def charge_write(svc: "ServiceState", plan: Any, factor: int = 1,
                 requests: int = 1) -> Verdict | None:
    """Charge a planned write (``factor`` 2 for a transaction) on the table
    and its indexes, all or nothing. None when served."""
    return all_or_nothing(write_charges(plan, factor, requests), svc.sim.now)[0]


def charge_read(svc: "ServiceState", layout: "Layout | None", units: float, *,
                h: int | None = None, pid: str | None = None,
                requests: int = 1) -> Verdict | None:
    """Charge ``units`` of reads on one partition (by hash or id). None when served."""
    if layout is None or units <= 0:
        return None
    v = layout.cap.consume("read", units, svc.sim.now, key_hash=h, partition=pid,
                           requests=requests)
    return None if v.ok else v


def charge_reads(svc: "ServiceState", charges: list) -> Verdict | None:
    """Several reads ``[(layout, units, h, pid, requests), ...]``, all or nothing."""
    return all_or_nothing([(lay.cap, "read", u, h, pid, rq) for lay, u, h, pid, rq in charges
                           if lay is not None and u > 0], svc.sim.now)[0]
