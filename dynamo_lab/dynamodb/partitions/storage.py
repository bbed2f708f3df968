"""Where a table's items live: partitions over ranges of the MD5 hash space.

A partition owns the positions ``start <= p < end`` of the 128-bit space and
keeps its items (:class:`~.partition.Partition`) keyed by storage key
``(position, hash_bytes, range_token)`` (see :mod:`..model.keys`). A table
starts with one partition covering everything; once the table's
:class:`~.partitioning.PartitionMap` adopts the store, the map's partitions
are the store's and its splits move the items.

Costs: ``get``/``put``/``delete`` O(log n); a hash key's items are one
``irange`` (O(log n + k)); ``scan_from`` walks partitions in hash order.

Examples
--------
>>> st = Store()
>>> st.put((5, b"a", None), {"id": {"S": "a"}}, 10)
>>> st.get((5, b"a", None))
{'id': {'S': 'a'}}
>>> st.item_count, st.size_bytes
(1, 10)
>>> [k for k, _ in st.scan_from(None)]
[(5, b'a', None)]
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Iterator

from sortedcontainers import SortedDict

from ...errors import ArgumentError, UsageError
from ..model.keys import HASH_SPACE
from .partition import Partition, cut, load_run

__all__ = ["Partition", "Store"]


class Store:
    """A table's items across its partitions (one to begin with).

    Until a :class:`~.partitioning.PartitionMap` adopts it
    (:meth:`~.partitioning.PartitionMap.adopt`), the store keeps its own
    partitions; afterwards its partitions *are* the map's (the same list,
    the same :class:`~.partition.Partition` objects), so there is one owner
    per partition and the map's splits move the items.
    """

    def __init__(self) -> None:
        self.partitions: list[Partition] = [Partition(0, 0, HASH_SPACE)]
        self._starts = [0]
        self.owner: Any = None          # the partition map that adopted it, if any

    def partition_for(self, position: int) -> Partition:
        """The partition owning ``position``: O(log partitions)."""
        return self.partitions[bisect_right(self._starts, position) - 1]

    def get(self, skey: tuple) -> dict | None:
        return self.partition_for(skey[0]).items.get(skey)

    def size_of(self, skey: tuple) -> int:
        return self.partition_for(skey[0]).sizes.get(skey, 0)

    def put(self, skey: tuple, item: dict, size: int) -> None:
        self.partition_for(skey[0]).put(skey, item, size)

    def delete(self, skey: tuple) -> dict | None:
        return self.partition_for(skey[0]).delete(skey)

    def _own(self, what: str) -> None:
        if self.owner is not None:
            raise UsageError(f"this store belongs to a partition map; {what} it through the "
                             "map (PartitionMap.split / set_size_limit)")

    def split(self, pid, at: int, ids: tuple | None = None) -> Partition:
        """Split partition ``pid`` of a store no map owns at hash position
        ``at``: it keeps ``[start, at)`` and a new partition (the next free
        id, or ``ids=(left, right)``) takes ``[at, end)`` with its items.
        O(k) for the k items of the partition.

        >>> st = Store()
        >>> st.put((10, b"a", None), {}, 1); st.put((90, b"b", None), {}, 2)
        >>> new = st.split(0, 50)
        >>> [(p.id, p.start, len(p.items), p.size_bytes) for p in st.partitions]
        [(0, 0, 1, 1), (1, 50, 1, 2)]
        """
        self._own("split")
        i = next(n for n, p in enumerate(self.partitions) if p.id == pid)
        old = self.partitions[i]
        if not old.start < at < old.end:
            raise ArgumentError(f"split point {at} is outside partition {pid}")
        new_id = ids[1] if ids else max(p.id for p in self.partitions) + 1
        left = Partition(ids[0] if ids else old.id, old.start, at)
        new = Partition(new_id, at, old.end)
        cut(old, left, new)
        old.live = False
        self.partitions[i:i + 1] = [left, new]
        self._starts.insert(i + 1, at)
        return new

    def reshape(self, cuts: list) -> None:
        """Lay the partitions of a store no map owns out as ``cuts``
        (``[(id, start, end), ...]`` tiling the hash space), moving every
        item to its new home. O(n).

        >>> st = Store()
        >>> st.put((10, b"a", None), {}, 1); st.put((90, b"b", None), {}, 2)
        >>> st.reshape([("p0", 0, 50), ("p1", 50, HASH_SPACE)])
        >>> [(p.id, len(p.items), p.size_bytes) for p in st.partitions]
        [('p0', 1, 1), ('p1', 1, 2)]
        """
        self._own("reshape")
        parts = [Partition(pid, a, b) for pid, a, b in cuts]
        self.move_into(parts)
        self.partitions = parts
        self._starts = [p.start for p in parts]

    def move_into(self, parts: list[Partition]) -> None:
        """Move every item into ``parts`` (empty partitions tiling the hash
        space in order), leaving this store's own partitions empty. O(n)."""
        # Partitions are in hash order and each one's keys sorted, so the
        # keys are one sorted run: cut it at the new starts, load each piece.
        keys: list = []
        items: dict = {}
        sizes: dict = {}
        for p in self.partitions:
            keys += p.items.keys()
            items.update(p.items)
            sizes.update(p.sizes)
            p.items, p.sizes, p.size_bytes, p.item_count = SortedDict(), {}, 0, 0
        ends = [bisect_left(keys, (p.start,)) for p in parts[1:]] + [len(keys)]
        lo = 0
        for p, hi in zip(parts, ends):
            load_run(p, keys[lo:hi], items, sizes)
            lo = hi

    def clear(self) -> None:
        self._own("clear")
        for p in self.partitions:
            p.items.clear()
            p.sizes.clear()
            p.size_bytes = p.item_count = 0

    @property
    def item_count(self) -> int:
        return sum(p.item_count for p in self.partitions)

    @property
    def size_bytes(self) -> int:
        return sum(p.size_bytes for p in self.partitions)

    def _check(self) -> None:
        """Invariants, for stress tests: partitions tile the hash space in
        order, every item sits in the partition owning its position, and the
        byte and item counts add up."""
        assert self.partitions[0].start == 0 and self.partitions[-1].end == HASH_SPACE
        assert self._starts == [p.start for p in self.partitions]
        for a, b in zip(self.partitions, self.partitions[1:]):
            assert a.end == b.start, (a, b)
        for p in self.partitions:
            assert p.live, p
            assert set(p.items) == set(p.sizes)
            assert p.size_bytes == sum(p.sizes.values()), p
            assert p.item_count == len(p.items), p
            for k in p.items:
                assert p.start <= k[0] < p.end, (p, k)

    def irange(self, lo: tuple, hi: tuple, reverse: bool = False,
               inclusive: tuple = (True, True)) -> Iterator[tuple]:
        """``(skey, item)`` between ``lo`` and ``hi`` inside one partition
        (the bounds share a position: one hash key's items)."""
        p = self.partition_for(lo[0])
        for k in p.items.irange(lo, hi, inclusive=inclusive, reverse=reverse):
            yield k, p.items[k]

    def scan_from(self, after: tuple | None, start: int = 0,
                  end: int = HASH_SPACE) -> Iterator[tuple]:
        """``(skey, item)`` in hash order with ``start <= position < end``,
        strictly after the storage key ``after`` when given."""
        lo = start if after is None else max(start, after[0])
        for p in self.partitions:
            if p.end <= lo or p.start >= end:
                continue
            keys = p.items.irange(minimum=after, inclusive=(False, True)) \
                if after is not None else p.items.irange(minimum=(start,))
            for k in keys:
                if k[0] >= end:
                    return
                if k[0] < start:
                    continue
                yield k, p.items[k]
