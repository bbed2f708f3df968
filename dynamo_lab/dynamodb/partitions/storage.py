"""Where a table's items live: partitions over ranges of the MD5 hash space.

A partition owns the positions ``start <= p < end`` of the 128-bit space and
keeps its items in a :class:`sortedcontainers.SortedDict` keyed by storage
key ``(position, hash_bytes, range_token)`` (see :mod:`..model.keys`). A table
starts with one partition covering everything; splitting, replicas and
capacity per partition build on this shape later.

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
from typing import Iterator

from sortedcontainers import SortedDict

from ..model.keys import HASH_SPACE

__all__ = ["Partition", "Store"]


class Partition:
    """One contiguous range ``[start, end)`` of the hash space and its items."""

    __slots__ = ("id", "start", "end", "items", "sizes", "size_bytes")

    def __init__(self, pid: int, start: int, end: int) -> None:
        self.id, self.start, self.end = pid, start, end
        self.items: SortedDict = SortedDict()
        self.sizes: dict = {}
        self.size_bytes = 0

    def __repr__(self) -> str:
        return (f"<Partition {self.id} [{self.start:032x}, {self.end:032x}) "
                f"items={len(self.items)} bytes={self.size_bytes}>")


class Store:
    """A table's items across its partitions (one to begin with)."""

    def __init__(self) -> None:
        self.partitions: list[Partition] = [Partition(0, 0, HASH_SPACE)]
        self._starts = [0]

    def partition_for(self, position: int) -> Partition:
        """The partition owning ``position``: O(log partitions)."""
        return self.partitions[bisect_right(self._starts, position) - 1]

    def get(self, skey: tuple) -> dict | None:
        return self.partition_for(skey[0]).items.get(skey)

    def size_of(self, skey: tuple) -> int:
        return self.partition_for(skey[0]).sizes.get(skey, 0)

    def put(self, skey: tuple, item: dict, size: int) -> None:
        p = self.partition_for(skey[0])
        p.size_bytes += size - p.sizes.get(skey, 0)
        p.items[skey] = item
        p.sizes[skey] = size

    def delete(self, skey: tuple) -> dict | None:
        p = self.partition_for(skey[0])
        item = p.items.pop(skey, None)
        if item is not None:
            p.size_bytes -= p.sizes.pop(skey)
        return item

    def split(self, pid, at: int, ids: tuple | None = None) -> Partition:
        """Split partition ``pid`` at hash position ``at``: it keeps
        ``[start, at)`` and a new partition (the next free id) takes
        ``[at, end)`` with its items. O(k log n) for the k items moved.
        ``ids=(left, right)`` renames the two halves (the service passes
        the partition map's child ids, so store and map stay one).

        >>> st = Store()
        >>> st.put((10, b"a", None), {}, 1); st.put((90, b"b", None), {}, 2)
        >>> new = st.split(0, 50)
        >>> [(p.id, p.start, len(p.items), p.size_bytes) for p in st.partitions]
        [(0, 0, 1, 1), (1, 50, 1, 2)]
        """
        i = next(n for n, p in enumerate(self.partitions) if p.id == pid)
        old = self.partitions[i]
        if not old.start < at < old.end:
            raise ValueError(f"split point {at} is outside partition {pid}")
        new = Partition(ids[1] if ids else max(p.id for p in self.partitions) + 1, at, old.end)
        if ids:
            old.id = ids[0]
        # Rebuild both halves from the sorted keys (a sorted run loads in
        # O(k)); popping item by item costs O(k log n) and is ~3x slower.
        items, sizes = old.items, old.sizes
        keys = items.keys()
        cut = items.bisect_left((at,))
        moved = keys[cut:]
        if moved:
            kept = keys[:cut]
            new.items = SortedDict(zip(moved, map(items.__getitem__, moved)))
            new.sizes = {k: sizes.pop(k) for k in moved}
            new.size_bytes = sum(new.sizes.values())
            old.items = SortedDict(zip(kept, map(items.__getitem__, kept)))
            old.size_bytes -= new.size_bytes
        old.end = at
        self.partitions.insert(i + 1, new)
        self._starts.insert(i + 1, at)
        return new

    def reshape(self, cuts: list) -> None:
        """Lay the partitions out as ``cuts`` (``[(id, start, end), ...]``
        tiling the hash space), moving every item to its new home. O(n).

        >>> st = Store()
        >>> st.put((10, b"a", None), {}, 1); st.put((90, b"b", None), {}, 2)
        >>> st.reshape([("p0", 0, 50), ("p1", 50, HASH_SPACE)])
        >>> [(p.id, len(p.items), p.size_bytes) for p in st.partitions]
        [('p0', 1, 1), ('p1', 1, 2)]
        """
        # Partitions are in hash order and each one's keys sorted, so the
        # keys are one sorted run: cut it at the new starts, load each piece.
        keys: list = []
        items: dict = {}
        sizes: dict = {}
        for p in self.partitions:
            keys += p.items.keys()
            items.update(p.items)
            sizes.update(p.sizes)
        self.partitions = [Partition(pid, a, b) for pid, a, b in cuts]
        self._starts = [p.start for p in self.partitions]
        ends = [bisect_left(keys, (p.start,)) for p in self.partitions[1:]] + [len(keys)]
        lo = 0
        for p, hi in zip(self.partitions, ends):
            run = keys[lo:hi]
            if run:
                p.items = SortedDict(zip(run, map(items.__getitem__, run)))
                p.sizes = {k: sizes[k] for k in run}
                p.size_bytes = sum(p.sizes.values())
            lo = hi

    def clear(self) -> None:
        for p in self.partitions:
            p.items.clear()
            p.sizes.clear()
            p.size_bytes = 0

    @property
    def item_count(self) -> int:
        return sum(len(p.items) for p in self.partitions)

    @property
    def size_bytes(self) -> int:
        return sum(p.size_bytes for p in self.partitions)

    def _check(self) -> None:
        """Invariants, for stress tests: partitions tile the hash space in
        order, every item sits in the partition owning its position, and the
        byte counts add up."""
        assert self.partitions[0].start == 0 and self.partitions[-1].end == HASH_SPACE
        assert self._starts == [p.start for p in self.partitions]
        for a, b in zip(self.partitions, self.partitions[1:]):
            assert a.end == b.start, (a, b)
        for p in self.partitions:
            assert set(p.items) == set(p.sizes)
            assert p.size_bytes == sum(p.sizes.values())
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
