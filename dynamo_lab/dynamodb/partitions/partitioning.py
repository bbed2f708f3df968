"""The partition map of one DynamoDB table (or of one global secondary index).

A table's items live in *partitions*: contiguous, half-open ranges
``[start, end)`` of the 128-bit hash space ``[0, 2**128)``. An item goes to
the partition whose range holds the hash of its partition key
(:func:`dynamo_lab.dynamo.hashing.position`). Every partition is a replica
group of three storage nodes in three availability zones, one of them the
leader. The slides draw three equal cuts, 00-55, 55-AA, AA-FF; ``3`` equal
partitions here start at ``0``, ``2**128 // 3`` and ``2 * 2**128 // 3``.

The model (the classic one the deck teaches, from the developer guide):

* **How many.** ``for_throughput = ceil(RCU/3000 + WCU/1000)``,
  ``for_size = ceil(size / size_limit)``, and a table takes the larger, at
  least one (:func:`partitions_needed`). Throughput is divided evenly.
* **Units.** ``KB = 1024`` and ``GB = 2**30`` bytes: the binary units of
  DynamoDB's item-size arithmetic (one RCU reads 4 KB = 4096 bytes). The
  deck's arithmetic does not depend on the choice: 8 GB over 3 partitions is
  2.666... GB, which the slide truncates to 2.66.
* **Split for size.** A partition whose bytes pass ``size_limit`` (10 GB by
  default; set it lower, say 64 KB, and a lesson sees splits after a few
  hundred items) splits in two at the item boundary that divides its bytes
  most evenly (a split for size exists to halve the data). Each child gets
  half of the parent's RCU and WCU. A partition whose bytes all sit on one
  hash (one item collection) cannot be cut by hash and stays oversize.
* **Split for throughput.** Raising throughput beyond what the partitions
  can carry (``for_throughput > count``) splits *every* partition at the
  midpoint of its range, doubling the count until it suffices; then the new
  throughput is divided evenly. Partitions never merge: lowering throughput
  keeps them all and just divides less among them.
* **Split for heat.** :class:`~dynamo_lab.dynamodb.capacity.throughput.TableCapacity`
  decides when a partition has been hot long enough and where to cut; the
  service then calls :meth:`PartitionMap.split` with ``reason="heat"``.

How the service calls it
------------------------
One map per table and one per GSI (``index="ByArtist"``)::

    pmap = PartitionMap("Music", rcu=5000, wcu=500, log=sim.log, seed=sim.rng_for("pm:Music"))
    h = position(partition_key_bytes)                # dynamo.hashing
    part = pmap.locate(h)                            # route a request
    pmap.apply_write(h, old_size, new_size)          # after every put/update/delete
    pmap.set_throughput(rcu, wcu)                    # on UpdateTable
    pmap.describe()                                  # DynamoDB.partitions(table)

``apply_write`` takes the item's size before (None: a new item) and after
(None: deleted) and returns the :class:`Split` records it caused. The map
keeps bytes per hash, not items: the service stays the owner of the data.

Events (catalogued in :mod:`dynamo_lab.catalogue.dynamodb_internals`):
``partition.created``, ``partition.split``, ``partition.throughput``.

Examples
--------
>>> pmap = PartitionMap("Music", rcu=5000, wcu=500)
>>> [p.id for p in pmap], [hex(p.start)[:4] for p in pmap]
(['p0', 'p1', 'p2'], ['0x0', '0x55', '0xaa'])
>>> pmap.locate(2**127).id, round(pmap.get("p1").rcu, 2)
('p1', 1666.67)
>>> pmap.set_throughput(5000, 2500)[0].reason, len(pmap)
('throughput', 6)
>>> pmap.set_throughput(10, 10), len(pmap)      # no merge
((), 6)
"""
from __future__ import annotations

import random
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from math import ceil
from typing import Any, Iterator, Mapping, Sequence

from sortedcontainers import SortedDict

from ...errors import ArgumentError
from ...text import plural
from ..options import DEFAULT_SIZE_LIMIT as _OPTIONS_SIZE_LIMIT
from .partition import Partition, balanced_cut, cut, settle

__all__ = ["HASH_SPACE", "KB", "GB", "DEFAULT_SIZE_LIMIT", "PARTITION_MAX_RCU",
           "PARTITION_MAX_WCU", "DEFAULT_NODES", "PartitionPlan", "partitions_needed",
           "Partition", "Split", "PartitionMap"]

#: The hash space: positions run from 0 to ``HASH_SPACE - 1`` (MD5, 128 bits).
HASH_SPACE = 2 ** 128
KB = 1024
GB = 2 ** 30
#: A partition holds up to 10 GB before it splits.
DEFAULT_SIZE_LIMIT = _OPTIONS_SIZE_LIMIT
#: What one partition can serve per second (also the cap on adaptive capacity).
PARTITION_MAX_RCU = 3000
PARTITION_MAX_WCU = 1000
#: Storage nodes per availability zone, used when the caller gives none.
DEFAULT_NODES: dict[str, tuple[str, ...]] = {
    az: tuple(f"sn-{az[-1]}{i}" for i in (1, 2, 3)) for az in ("az-a", "az-b", "az-c")}


@dataclass(frozen=True)
class PartitionPlan:
    """The slide's partition arithmetic for one table (see :func:`partitions_needed`).

    ``throughput_ratio`` and ``size_ratio`` are the numbers before rounding
    up (2.17 and 0.8 on the slide); ``per_partition_size`` is in bytes and
    ``per_partition_gb`` in GB (``2**30`` bytes).
    """

    rcu: float | Fraction
    wcu: float | Fraction
    size_bytes: int
    size_limit: int
    throughput_ratio: float
    size_ratio: float
    for_throughput: int
    for_size: int
    count: int
    per_partition_rcu: float
    per_partition_wcu: float
    per_partition_size: float

    @property
    def per_partition_gb(self) -> float:
        return self.per_partition_size / GB


def partitions_needed(rcu: float | Fraction, wcu: float | Fraction, size_bytes: int = 0,
                      size_limit: int = DEFAULT_SIZE_LIMIT) -> PartitionPlan:
    """How many partitions a table needs, and what each one gets.

    ``for_throughput = ceil(rcu/3000 + wcu/1000)``, ``for_size =
    ceil(size_bytes / size_limit)``, ``count = max(1, both)``; RCU, WCU and
    bytes are divided evenly by ``count``. The sums are exact (fractions), so
    5000/3000 + 500/1000 is 13/6, never a float a hair over an integer.
    O(1).

    Examples
    --------
    The slide: 8 GB, 5,000 RCU, 500 WCU.

    >>> plan = partitions_needed(5000, 500, 8 * GB)
    >>> round(plan.throughput_ratio, 2), plan.for_throughput, plan.size_ratio, plan.for_size
    (2.17, 3, 0.8, 1)
    >>> plan.count, round(plan.per_partition_rcu, 2), round(plan.per_partition_wcu, 2)
    (3, 1666.67, 166.67)
    >>> int(plan.per_partition_gb * 100) / 100     # the deck truncates 2.666...
    2.66
    >>> partitions_needed(0, 0).count
    1
    """
    if rcu < 0 or wcu < 0 or size_bytes < 0:
        raise ArgumentError("rcu, wcu and size_bytes must be >= 0")
    if size_limit <= 0:
        raise ArgumentError(f"size_limit must be > 0, not {size_limit}")
    tp = Fraction(rcu) / PARTITION_MAX_RCU + Fraction(wcu) / PARTITION_MAX_WCU
    sz = Fraction(size_bytes) / size_limit
    for_tp, for_sz = ceil(tp), ceil(sz)
    count = max(1, for_tp, for_sz)
    return PartitionPlan(rcu, wcu, size_bytes, size_limit, float(tp), float(sz),
                         for_tp, for_sz, count, float(Fraction(rcu) / count),
                         float(Fraction(wcu) / count), float(Fraction(size_bytes) / count))


@dataclass(frozen=True)
class Split:
    """One split: ``parent`` became ``children`` (left, right), cut at ``at``."""

    parent: str
    children: tuple[str, str]
    reason: str
    at: int
    ranges: tuple[tuple[int, int], tuple[int, int]]


_REASONS = ("size", "throughput", "heat")


class PartitionMap:
    """The partitions of one table or GSI, in hash order.

    Parameters
    ----------
    table : str
        The table's name (events carry it).
    rcu, wcu : int or float
        Provisioned throughput. For an on-demand table pass 0, 0 and
        ``min_partitions`` (AWS: a new on-demand table serves 12,000 reads or
        4,000 writes per second, which is 4 partitions' worth).
    size_limit : int
        Bytes a partition may hold before it splits (default 10 GB).
    index : str or None
        The GSI's name, or None for the table itself.
    nodes : mapping of zone -> node names
        Where replicas may go; at least three zones. Default
        :data:`DEFAULT_NODES`.
    seed : int, random.Random or None
        Replica and leader placement. Each partition's placement is drawn
        from ``(seed, table, index, partition id)``, so it does not depend on
        the order in which other partitions were made.
    log : EventLog or None
        Where ``partition.*`` events go.
    min_partitions : int
        At least this many partitions at creation.

    Costs: ``locate`` O(log P); ``apply_write`` O(log n) plus a split when
    one happens (O(items in the partition)); ``set_throughput`` O(P).
    """

    def __init__(self, table: str, rcu: float = 0, wcu: float = 0, *,
                 size_limit: int = DEFAULT_SIZE_LIMIT, index: str | None = None,
                 nodes: Mapping[str, Sequence[str]] | None = None, seed: Any = 0,
                 log: Any = None, min_partitions: int = 1) -> None:
        if size_limit <= 0:
            raise ArgumentError(f"size_limit must be > 0, not {size_limit}")
        self.table, self.index, self.log = table, index, log
        self.size_limit = int(size_limit)
        nodes = DEFAULT_NODES if nodes is None else nodes
        self._nodes = {z: tuple(sorted(ns)) for z, ns in sorted(nodes.items()) if ns}
        if len(self._nodes) < 3:
            raise ArgumentError("replicas need at least three zones with a node each")
        if isinstance(seed, random.Random):
            seed = seed.getrandbits(64)
        elif seed is None:
            seed = random.getrandbits(64)
        self._seed = seed
        self._rcu, self._wcu = Fraction(rcu), Fraction(wcu)
        if self._rcu < 0 or self._wcu < 0:
            raise ArgumentError("rcu and wcu must be >= 0")
        self._next = 0
        self._parts: list[Partition] = []
        self._starts: list[int] = []
        self._by_id: dict[str, Partition] = {}
        #: Partitions that split, by id: retired owners, kept for their history
        #: (the capacity closes their last second; the stream hub their shard).
        self.retired: dict[str, Partition] = {}
        self._store: Any = None                      # the Store adopted, if any
        self._deferring = 0                          # inside a cascade of splits
        self._unsettled: list[Partition] = []        # retired, still holding items
        self._items: SortedDict = SortedDict()      # hash -> [bytes, items]
        self.version = 0                             # bumps on any change of the layout
        self.splits: list[Split] = []                # every split, oldest first
        n = max(int(min_partitions), partitions_needed(rcu, wcu).count)
        for i in range(n):
            p = self._new(i * HASH_SPACE // n, (i + 1) * HASH_SPACE // n, None,
                          self._rcu / n, self._wcu / n)
            self._parts.append(p)
            self._starts.append(p.start)
            self._by_id[p.id] = p

    # -- reading ---------------------------------------------------------
    def __len__(self) -> int:
        return len(self._parts)

    def __iter__(self) -> Iterator[Partition]:
        return iter(list(self._parts))

    @property
    def partitions(self) -> list[Partition]:
        """The partitions in hash order (a copy of the list)."""
        return list(self._parts)

    @property
    def rcu(self) -> float:
        return float(self._rcu)

    @property
    def wcu(self) -> float:
        return float(self._wcu)

    @property
    def throughput(self) -> tuple[Fraction, Fraction]:
        """Provisioned (RCU, WCU), exact."""
        return (self._rcu, self._wcu)

    @property
    def size_bytes(self) -> int:
        return sum(p.size_bytes for p in self._parts)

    @property
    def item_count(self) -> int:
        return sum(p.item_count for p in self._parts)

    def get(self, pid: str) -> Partition:
        """The partition with id ``pid`` (KeyError if it split or never was). O(1)."""
        return self._by_id[pid]

    def find(self, pid: str) -> Partition | None:
        """The partition with id ``pid``, or None. O(1)."""
        return self._by_id.get(pid)

    def locate(self, h: int) -> Partition:
        """The partition whose range holds hash ``h``. O(log P).

        Examples
        --------
        >>> PartitionMap("T", rcu=6000).locate(HASH_SPACE - 1).id
        'p1'
        """
        if not 0 <= h < HASH_SPACE:
            raise ArgumentError(f"hash {h} is outside [0, 2**128)")
        return self._parts[bisect_right(self._starts, h) - 1]

    def plan(self) -> PartitionPlan:
        """:func:`partitions_needed` for the table as it stands now."""
        return partitions_needed(self._rcu, self._wcu, self.size_bytes, self.size_limit)

    def describe(self) -> list[dict[str, Any]]:
        """Each partition as plain data, in hash order."""
        return [p.describe() for p in self._parts]

    def __repr__(self) -> str:
        name = self.table if self.index is None else f"{self.table}/{self.index}"
        return (f"<PartitionMap {name} {plural(len(self._parts), 'partition')} "
                f"rcu={self.rcu:g} wcu={self.wcu:g} {self.size_bytes} B>")

    # -- writing ---------------------------------------------------------
    def apply_write(self, h: int, old_size: int | None, new_size: int | None) -> tuple[Split, ...]:
        """Account one item write at hash ``h`` and split for size if needed.

        ``old_size`` is the item's size before (None: it did not exist) and
        ``new_size`` after (None: deleted). Returns the splits it caused,
        usually none. O(log n) without a split.

        Examples
        --------
        >>> pm = PartitionMap("T", rcu=100, wcu=100, size_limit=1000)
        >>> pm.apply_write(10, None, 600), pm.apply_write(2**127, None, 600)[0].reason
        ((), 'size')
        >>> [(p.id, p.item_count, p.size_bytes, p.rcu) for p in pm]
        [('p1', 1, 600, 50.0), ('p2', 1, 600, 50.0)]
        >>> pm.apply_write(10, 600, None), pm.item_count
        ((), 1)
        """
        if old_size is None and new_size is None:
            return ()
        part = self.locate(h)
        slot = self._items.get(h)
        if slot is None:
            if old_size is not None:
                raise ArgumentError(f"no item is recorded at hash {h:#x} to update")
            slot = self._items[h] = [0, 0]
        d_bytes = (new_size or 0) - (old_size or 0)
        d_items = (new_size is not None) - (old_size is not None)
        slot[0] += d_bytes
        slot[1] += d_items
        if slot[1] < 0 or slot[0] < 0:
            raise ArgumentError(f"more bytes or items removed at hash {h:#x} than were written")
        if slot[1] == 0:
            del self._items[h]
        if self._store is None:       # else the store counted the item as it stored it
            part.size_bytes += d_bytes
            part.item_count += d_items
        if part.size_bytes <= self.size_limit:
            return ()
        return tuple(self._split_oversize(part.id))

    def _split_oversize(self, pid: str) -> list[Split]:
        out = []
        todo = [pid]
        with self._cascade():
            while todo:
                p = self.get(todo.pop())
                if p.size_bytes <= self.size_limit:
                    continue
                at = self._size_cut(p)
                if at is None:
                    continue
                s = self.split(p.id, "size", at)
                out.append(s)
                todo.extend(s.children)
        return out

    @contextmanager
    def _cascade(self) -> Iterator[None]:
        """Splits inside move no items; at the end each partition that held
        items hands them to its live descendants in one pass, so a cascade
        (a lowered size limit, a doubling for throughput) costs O(n), not
        O(n) per level."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
            if not self._deferring and self._unsettled:
                holders, self._unsettled = self._unsettled, []
                for h in holders:
                    i = bisect_right(self._starts, h.start) - 1
                    heirs = []
                    while i < len(self._parts) and self._parts[i].start < h.end:
                        heirs.append(self._parts[i])
                        i += 1
                    settle(h, heirs)

    def set_size_limit(self, size_limit: int) -> tuple[Split, ...]:
        """Change the size limit; partitions already over it split now."""
        if size_limit <= 0:
            raise ArgumentError(f"size_limit must be > 0, not {size_limit}")
        self.size_limit = int(size_limit)
        out: list[Split] = []
        with self._cascade():
            for p in list(self._parts):
                out.extend(self._split_oversize(p.id))
        return tuple(out)

    def set_throughput(self, rcu: float, wcu: float) -> tuple[Split, ...]:
        """New provisioned throughput (UpdateTable). Returns the splits.

        While ``ceil(rcu/3000 + wcu/1000)`` exceeds the count, every
        partition splits at its midpoint; then ``rcu`` and ``wcu`` are divided
        evenly among all partitions. Lowering never merges. O(P).

        Examples
        --------
        >>> pm = PartitionMap("T", rcu=1000, wcu=100)
        >>> [s.parent for s in pm.set_throughput(9000, 0)], len(pm)
        (['p0', 'p1', 'p2'], 4)
        >>> pm.set_throughput(100, 100), [p.rcu for p in pm]
        ((), [25.0, 25.0, 25.0, 25.0])
        """
        rcu_f, wcu_f = Fraction(rcu), Fraction(wcu)
        if rcu_f < 0 or wcu_f < 0:
            raise ArgumentError("rcu and wcu must be >= 0")
        need = partitions_needed(rcu_f, wcu_f).for_throughput
        splits: list[Split] = []
        with self._cascade():
            while len(self._parts) < need:
                # (A range one hash wide cannot split; only a heat split placed
                # by hand can make one, and the 128-bit space never runs out.)
                wide = [p for p in self._parts if p.end - p.start > 1]
                if not wide:
                    break
                for p in wide:
                    splits.append(self.split(p.id, "throughput"))
        self._rcu, self._wcu = rcu_f, wcu_f
        n = len(self._parts)
        for p in self._parts:
            p.rcu_share, p.wcu_share = rcu_f / n, wcu_f / n
        self.version += 1
        if self.log is not None:
            self.log.emit("partition.throughput", table=self.table, index=self.index,
                          rcu=float(rcu_f), wcu=float(wcu_f),
                          shares=tuple((p.id, p.rcu, p.wcu) for p in self._parts))
        return tuple(splits)

    def split(self, pid: str, reason: str, at: int | None = None) -> Split:
        """Split partition ``pid`` in two at hash ``at``; children get half each.

        ``reason`` is ``'size'``, ``'throughput'`` or ``'heat'``. ``at``
        defaults to the byte-balanced item boundary for ``'size'`` and to
        the range midpoint otherwise; it must satisfy ``start < at < end``.
        The left child is ``[start, at)``, the right ``[at, end)``; each
        takes half the parent's RCU and WCU and the bytes and items of its
        range. Emits ``partition.split`` then two ``partition.created``.

        Examples
        --------
        >>> pm = PartitionMap("T", rcu=300, wcu=100)
        >>> s = pm.split("p0", "heat", at=2**100)
        >>> s.children, s.ranges == ((0, 2**100), (2**100, 2**128))
        (('p1', 'p2'), True)
        >>> [p.wcu for p in pm]
        [50.0, 50.0]
        """
        if reason not in _REASONS:
            raise ArgumentError(f"reason must be one of {_REASONS}, not {reason!r}")
        p = self._by_id[pid]
        i = bisect_right(self._starts, p.start) - 1
        if at is None:
            at = self._size_cut(p) if reason == "size" else None
            if at is None:
                at = p.start + (p.end - p.start) // 2
        if not p.start < at < p.end:
            raise ArgumentError(f"cannot split {pid} [{p.start:#x}, {p.end:#x}) at {at:#x}")
        half_r, half_w = p.rcu_share / 2, p.wcu_share / 2
        left_id, right_id = f"p{self._next}", f"p{self._next + 1}"
        ranges = ((p.start, at), (at, p.end))
        if self.log is not None:
            self.log.emit("partition.split", table=self.table, index=self.index, parent=pid,
                          children=(left_id, right_id), reason=reason, at=at, ranges=ranges)
        left = self._new(p.start, at, pid, half_r, half_w)
        right = self._new(at, p.end, pid, half_r, half_w)
        if self._store is not None and not self._deferring:
            cut(p, left, right)           # the items move with their range
        else:
            if p.items:                   # a cascade: they move once, at its end
                self._unsettled.append(p)
            # Count the smaller side; the other side is the parent less it.
            items = self._items
            lo = items.bisect_left(p.start)
            mid = items.bisect_left(at)
            hi = items.bisect_left(p.end)
            small, big = (left, right) if mid - lo <= hi - mid else (right, left)
            keys = items.keys()
            for k in (keys[lo:mid] if small is left else keys[mid:hi]):
                slot = items[k]
                small.size_bytes += slot[0]
                small.item_count += slot[1]
            big.size_bytes = p.size_bytes - small.size_bytes
            big.item_count = p.item_count - small.item_count
        p.live, p.group = False, None     # the children's replica groups start in sync
        self.retired[pid] = p
        self._parts[i:i + 1] = [left, right]
        self._starts[i:i + 1] = [left.start, right.start]
        del self._by_id[pid]
        self._by_id[left_id], self._by_id[right_id] = left, right
        self.version += 1
        split = Split(pid, (left_id, right_id), reason, at, ranges)
        self.splits.append(split)
        return split

    # -- internals -------------------------------------------------------
    def _new(self, start: int, end: int, parent: str | None, rcu: Fraction,
             wcu: Fraction) -> Partition:
        pid = f"p{self._next}"
        self._next += 1
        rng = random.Random(f"{self._seed}:{self.table}:{self.index}:{pid}")
        zones = tuple(sorted(rng.sample(list(self._nodes), 3)))
        replicas = tuple(rng.choice(self._nodes[z]) for z in zones)
        leader = rng.choice(replicas)
        p = Partition(pid, start, end, parent, rcu, wcu, replicas, zones, leader,
                      seq=self._next - 1)
        self.version += 1
        if self.log is not None:
            self._emit_created(p)
        return p

    def _emit_created(self, p: Partition) -> None:
        self.log.emit("partition.created", table=self.table, index=self.index,
                      partition=p.id, start=p.start, end=p.end, parent=p.parent,
                      rcu=p.rcu, wcu=p.wcu, replicas=p.replicas, zones=p.zones,
                      leader=p.leader)

    def adopt(self, store: Any) -> None:
        """Become the owner of ``store``'s partitions: its items move into
        this map's partitions, and from now on the store's partition list
        *is* this map's (one :class:`~.partition.Partition` per range, one
        truth), so every split of the map moves the items. The map must
        already account every stored item (:meth:`apply_write`). O(n).

        Examples
        --------
        >>> from dynamo_lab.dynamodb.partitions.storage import Store
        >>> st, pm = Store(), PartitionMap("T", rcu=100, wcu=100, size_limit=1000)
        >>> for h in (10, 2**127):
        ...     st.put((h, b"k", None), {}, 600)
        ...     _ = pm.apply_write(h, None, 600)
        >>> pm.adopt(st)
        >>> st.partitions is pm._parts, [(p.id, p.item_count) for p in st.partitions]
        (True, [('p1', 1), ('p2', 1)])
        >>> _ = pm.split("p1", "heat", at=5)
        >>> [(p.id, len(p.items)) for p in st.partitions]
        [('p3', 0), ('p4', 1), ('p2', 1)]
        """
        if self._store is not None:
            raise ArgumentError("this partition map already owns a store")
        if store.owner is not None:
            raise ArgumentError("that store already belongs to a partition map")
        counts = [(p.size_bytes, p.item_count) for p in self._parts]
        store.move_into(self._parts)
        if counts != [(p.size_bytes, p.item_count) for p in self._parts]:
            raise ArgumentError("the store holds items the partition map does not account")
        store.partitions, store._starts, store.owner = self._parts, self._starts, self
        self._store = store

    def lookup(self, pid: str) -> Partition:
        """The partition with id ``pid``, live or retired by a split. O(1)."""
        p = self._by_id.get(pid)
        return p if p is not None else self.retired[pid]

    def announce(self, log: Any) -> None:
        """Start logging to ``log``, first with a ``partition.created`` for
        every partition there is (a map made quietly, before its table was
        committed, tells its story once the table exists). O(P)."""
        self.log = log
        for p in self._parts:
            self._emit_created(p)

    def _size_cut(self, p: Partition) -> int | None:
        """The item boundary that splits ``p``'s bytes most evenly, or None
        when its items sit on fewer than two hashes."""
        return balanced_cut(self._items, p.start, p.end, p.size_bytes)

    def _check(self) -> None:
        """Assert every invariant; stress tests call it after each step:
        the live partitions tile the hash space in order; shares add up to
        the table's; bytes and items add up per partition (and, with a store
        adopted, every item lies in its owner's range); retired partitions
        hold nothing and are not live; replica placement is three zones."""
        assert self._parts and self._parts[0].start == 0
        assert self._parts[-1].end == HASH_SPACE
        for a, b in zip(self._parts, self._parts[1:]):
            assert a.end == b.start and a.start < a.end, (a, b)
        assert self._starts == [p.start for p in self._parts]
        ids = [p.id for p in self._parts]
        assert len(set(ids)) == len(ids) and set(ids) == set(self._by_id)
        assert not set(ids) & set(self.retired)
        assert {s.parent for s in self.splits} == set(self.retired)
        assert sum(p.rcu_share for p in self._parts) == self._rcu
        assert sum(p.wcu_share for p in self._parts) == self._wcu
        for p in self._parts:
            assert p.live and self._by_id[p.id] is p, p
            ks = list(self._items.irange(p.start, p.end - 1))
            assert p.size_bytes == sum(self._items[k][0] for k in ks), p
            assert p.item_count == sum(self._items[k][1] for k in ks), p
            assert len(set(p.zones)) == 3 and p.leader in p.replicas
        for p in self.retired.values():
            assert not p.live and not p.items and p.group is None, p
        if self._store is not None:
            store = self._store
            assert store.owner is self and store.partitions is self._parts \
                and store._starts is self._starts
            store._check()
