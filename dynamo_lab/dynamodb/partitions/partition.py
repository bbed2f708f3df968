"""One partition: the one owner of a key range and of everything on it.

A :class:`Partition` is a half-open range ``[start, end)`` of the 128-bit
hash space and owns, in one object, what DynamoDB keeps per partition:

* its **items** (a :class:`sortedcontainers.SortedDict` by storage key, with
  each item's size), with ``size_bytes`` and ``item_count``;
* its **share** of the table's throughput (``rcu_share``, ``wcu_share``);
* its **replica group**: three storage nodes in three zones and the leader
  (``replicas``, ``zones``, ``leader``), and the group's replication state
  once replication has touched it (``group``);
* its **token buckets** and the capacity bookkeeping of its current second
  (``capacity``, set by :class:`~..capacity.throughput.TableCapacity`);
* the id of its open **stream shard** (``shard``), when the table has a
  stream.

A split (:meth:`~.partitioning.PartitionMap.split`) retires the parent and
makes two children, each a new owner: :func:`cut` moves the parent's items
to them; the capacity gives each child half of the parent's buckets; each
child's replica group starts in sync; the stream hub closes the parent's
shard and opens one per child. The layers above hang their state on these
slots (typed ``Any``: this module imports nothing of theirs).

Examples
--------
>>> p = Partition("p0", 0, 100)
>>> p.put((10, b"a", None), {"id": {"S": "a"}}, 7)
>>> p.put((60, b"b", None), {"id": {"S": "b"}}, 5)
>>> left, right = Partition("p1", 0, 50, parent="p0"), Partition("p2", 50, 100, parent="p0")
>>> cut(p, left, right)
>>> [(q.id, q.item_count, q.size_bytes) for q in (p, left, right)]
[('p0', 0, 0), ('p1', 1, 7), ('p2', 1, 5)]
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from sortedcontainers import SortedDict

from ...text import plural

__all__ = ["Partition", "cut", "settle", "load_run", "balanced_cut"]


class Partition:
    """One partition: a hash range ``[start, end)`` and all it carries.

    ``rcu`` and ``wcu`` are its share of the table's throughput (floats;
    ``rcu_share``/``wcu_share`` hold the exact fractions). ``replicas`` are
    three storage node names in three availability zones; ``leader`` is one
    of them (strongly consistent reads go there). ``seq`` orders partitions
    by creation (ids are ``p<seq>`` in a partition map). ``live`` turns
    False when the partition splits.

    Costs: :meth:`put`/:meth:`delete` O(log n).
    """

    __slots__ = ("id", "seq", "start", "end", "parent", "rcu_share", "wcu_share",
                 "size_bytes", "item_count", "replicas", "zones", "leader", "items", "sizes",
                 "capacity", "group", "shard", "live")

    def __init__(self, pid: Any, start: int, end: int, parent: str | None = None,
                 rcu: Fraction = Fraction(0), wcu: Fraction = Fraction(0),
                 replicas: tuple = (), zones: tuple = (), leader: str | None = None,
                 seq: int | None = None) -> None:
        self.id, self.start, self.end, self.parent = pid, start, end, parent
        self.seq = seq if seq is not None else (pid if isinstance(pid, int) else 0)
        self.rcu_share, self.wcu_share = rcu, wcu
        self.size_bytes = 0
        self.item_count = 0
        self.replicas, self.zones, self.leader = replicas, zones, leader
        self.items: SortedDict = SortedDict()     # storage key -> item
        self.sizes: dict = {}                     # storage key -> bytes
        self.capacity: Any = None                 # the capacity's per-partition state
        self.group: Any = None                    # the replica group's replication state
        self.shard: str | None = None             # its open stream shard (the hub sets it)
        self.live = True

    @property
    def rcu(self) -> float:
        return float(self.rcu_share)

    @property
    def wcu(self) -> float:
        return float(self.wcu_share)

    @property
    def range(self) -> tuple[int, int]:
        return (self.start, self.end)

    def __contains__(self, h: int) -> bool:
        return self.start <= h < self.end

    # -- items ---------------------------------------------------------------
    def put(self, skey: tuple, item: dict, size: int) -> None:
        """Store ``item`` (``size`` bytes) at storage key ``skey``. O(log n)."""
        old = self.sizes.get(skey)
        if old is None:
            self.item_count += 1
            old = 0
        self.size_bytes += size - old
        self.items[skey] = item
        self.sizes[skey] = size

    def delete(self, skey: tuple) -> dict | None:
        """Remove the item at ``skey``; returns it (None: there was none). O(log n)."""
        item = self.items.pop(skey, None)
        if item is not None:
            self.size_bytes -= self.sizes.pop(skey)
            self.item_count -= 1
        return item

    def describe(self) -> dict[str, Any]:
        """Plain data for views and ``DynamoDB.partitions(table)``."""
        return {"id": self.id, "start": self.start, "end": self.end, "parent": self.parent,
                "rcu": self.rcu, "wcu": self.wcu, "size_bytes": self.size_bytes,
                "item_count": self.item_count, "replicas": self.replicas,
                "zones": self.zones, "leader": self.leader}

    def __repr__(self) -> str:
        return (f"<Partition {self.id} [{self.start:032x}, {self.end:032x}) "
                f"rcu={self.rcu:g} wcu={self.wcu:g} {self.size_bytes} B "
                f"{plural(self.item_count, 'item')}>")


def load_run(p: Partition, run: Any, items: Any, sizes: dict) -> None:
    """Give the empty partition ``p`` the keys ``run`` (sorted, all in its
    range) with their items and sizes from ``items`` and ``sizes``: a sorted
    run loads in O(k), where moving item by item costs O(k log n). What
    :func:`cut`, :func:`settle` and the store's reshape share."""
    if run:
        p.items = SortedDict(zip(run, map(items.__getitem__, run)))
        p.sizes = {k: sizes[k] for k in run}
        p.size_bytes = sum(p.sizes.values())
        p.item_count = len(run)


def cut(parent: Partition, left: Partition, right: Partition) -> None:
    """Move ``parent``'s items to ``left`` (``[start, at)``) and ``right``
    (``[at, end)``), where ``at`` is ``right.start``. Both halves are
    rebuilt from the sorted keys: a sorted run loads in O(k), where moving
    item by item costs O(k log n) and is about 3x slower."""
    items, sizes = parent.items, parent.sizes
    if not items:
        return
    keys = items.keys()
    at = right.start
    n = items.bisect_left((at,))
    for child, run in ((left, keys[:n]), (right, keys[n:])):
        load_run(child, run, items, sizes)
    parent.items, parent.sizes = SortedDict(), {}
    parent.size_bytes = parent.item_count = 0


def settle(holder: Partition, heirs: list[Partition]) -> None:
    """Move ``holder``'s items to ``heirs`` -- the live partitions that now
    tile its range, in hash order, after a cascade of splits -- in one pass:
    its sorted keys are cut at the heirs' starts and each run loaded at
    once. O(k) for its k items."""
    items, sizes = holder.items, holder.sizes
    keys = items.keys()
    ends = [items.bisect_left((h.start,)) for h in heirs[1:]] + [len(keys)]
    lo = items.bisect_left((heirs[0].start,)) if heirs else 0
    for heir, hi in zip(heirs, ends):
        load_run(heir, keys[lo:hi], items, sizes)
        lo = hi
    holder.items, holder.sizes = SortedDict(), {}
    holder.size_bytes = holder.item_count = 0


def balanced_cut(per_hash: SortedDict, start: int, end: int, total: int) -> int | None:
    """The item boundary in ``[start, end)`` that divides ``total`` bytes
    most evenly, from ``per_hash`` (hash -> ``[bytes, items]``): a split for
    size exists to halve the data. None when the items sit on fewer than two
    hashes (one item collection cannot be cut by hash). O(k) for the k
    hashes up to the cut.

    >>> balanced_cut(SortedDict({1: [5, 1], 2: [5, 1], 9: [10, 1]}), 0, 10, 20)
    9
    """
    keys = per_hash.keys()
    lo, hi = per_hash.bisect_left(start), per_hash.bisect_left(end)
    if hi - lo < 2:
        return None
    best, best_gap, before = None, None, per_hash[keys[lo]][0]
    # The gap |2*before - total| falls, then rises: stop once it rises.
    for k in per_hash.islice(lo + 1, hi):
        gap = abs(2 * before - total)
        if best_gap is not None and gap > best_gap:
            break
        if best_gap is None or gap < best_gap:
            best, best_gap = k, gap
        before += per_hash[k][0]
    return best
