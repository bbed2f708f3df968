"""Merkle trees over one key range (Dynamo paper 4.7).

Each node keeps one tree per key range it hosts. A leaf covers a slice of the
range and hashes the ``(key, clock digest)`` pairs that fall in it; a parent
hashes its two children. Two replicas compare roots first and descend only
where hashes differ, so equal ranges cost one comparison and a single missing
key costs ``depth + 1`` comparisons on the way down instead of a full scan.

Hashes are BLAKE2b (8 bytes), so trees are the same on every machine and in
every run.

Examples
--------
>>> a = MerkleTree(0, 2**128, [(10, "k1", "A:1"), (2**127, "k2", "A:1")], depth=3)
>>> b = MerkleTree(0, 2**128, [(10, "k1", "A:1"), (2**127, "k2", "A:2")], depth=3)
>>> a.root == b.root
False
>>> d = diff(a, b)
>>> d.leaves, d.hashes_compared, d.keys
((3,), 7, ('k2',))
>>> diff(a, a).hashes_compared
1
"""
from __future__ import annotations

from dataclasses import dataclass
from hashlib import blake2b
from typing import Iterable

__all__ = ["MerkleTree", "Diff", "diff", "SPACE", "in_range"]

SPACE = 2 ** 128
_EMPTY = b"\0" * 8


def _h(data: bytes) -> bytes:
    return blake2b(data, digest_size=8).digest()


def in_range(pos: int, start: int, end: int) -> bool:
    """Whether ring position ``pos`` lies in ``(start, end]`` (mod 2**128).

    ``start == end`` means the whole ring.
    """
    if start == end:
        return True
    if start < end:
        return start < pos <= end
    return pos > start or pos <= end


class MerkleTree:
    """A binary hash tree of ``2**depth`` leaves over the range ``(start, end]``.

    Building is O(n log n) for n keys (sorting within leaves), and hashes
    only the leaves that hold keys and their ancestors: a range holds a few
    keys, and every other node is the empty hash. ``hash(level, index)`` and
    ``root`` are O(1); ``levels[0]`` is ``(root,)`` and ``levels[depth]``
    the leaves, made (O(2**depth)) when first read.

    Parameters
    ----------
    start, end : int
        The range, as ring positions; ``start == end`` (or ``end - start ==
        2**128``) is the whole ring.
    entries : iterable of (position, key, digest)
        The keys in the range with a digest of what is stored for each.
    depth : int
        Levels below the root.
    """

    __slots__ = ("start", "end", "depth", "root", "_nodes", "_levels", "buckets", "_n")

    def __init__(self, start: int, end: int, entries: Iterable[tuple[int, str, str]],
                 depth: int = 4) -> None:
        self.start, self.end, self.depth = start, end, depth
        self._levels: list | None = None
        # The hashes that are not the empty hash, numbered as in a binary
        # heap: the root is 1, the children of node i are 2i and 2i + 1, so
        # index j of level l is (1 << l) + j.
        nodes: dict[int, bytes] = {}
        self._nodes = nodes
        buckets: dict[int, list[tuple[str, str]]] = {}
        self.buckets = buckets
        size = (end - start) % SPACE or SPACE
        nleaves = 1 << depth
        last = nleaves - 1
        n = 0
        for pos, key, dig in entries:
            i = (pos - start - 1) % SPACE * nleaves // size
            if i > last:
                i = last
            b = buckets.get(i)
            if b is None:
                buckets[i] = [(key, dig)]
            else:
                b.append((key, dig))
            n += 1
        self._n = n
        if not n:       # an empty range: every hash is the empty hash
            self.root = _EMPTY
            return
        lo = []
        for i, b in buckets.items():
            if len(b) > 1:
                b.sort()
            j = nleaves + i
            nodes[j] = blake2b("".join([f"{k}={d};" for k, d in b]).encode(),
                               digest_size=8).digest()
            lo.append(j)
        get = nodes.get
        while lo[0] > 1:        # one level up at a time, only above filled nodes
            hi = []
            for j in lo:
                p = j >> 1
                if p not in nodes:
                    nodes[p] = blake2b(get(2 * p, _EMPTY) + get(2 * p + 1, _EMPTY),
                                       digest_size=8).digest()
                    hi.append(p)
            lo = hi
        self.root = nodes[1]

    @property
    def levels(self) -> list[tuple[bytes, ...]]:
        """Every level's hashes, root first: ``levels[l][i]``."""
        lv = self._levels
        if lv is None:
            get = self._nodes.get
            lv = self._levels = [tuple([get((1 << d) + i, _EMPTY) for i in range(1 << d)])
                                 for d in range(self.depth + 1)]
        return lv

    def hash(self, level: int, index: int) -> bytes:
        return self._nodes.get((1 << level) + index, _EMPTY)

    def leaf_keys(self, index: int) -> tuple[str, ...]:
        """The keys in one leaf."""
        return tuple(k for k, _ in self.buckets.get(index, ()))

    def key_count(self) -> int:
        return self._n

    def __repr__(self) -> str:
        return (f"<MerkleTree ({self.start:#x}, {self.end:#x}] depth={self.depth} "
                f"keys={self.key_count()} root={self.root.hex()}>")


@dataclass(frozen=True)
class Diff:
    """What a root-first descent found between two trees of the same range."""

    leaves: tuple            # leaf indices whose hashes differ
    hashes_compared: int     # hash comparisons made on the way down
    keys: tuple              # keys held by either side in those leaves
    keys_total: int          # keys a full comparison would have read (both sides)


def diff(a: MerkleTree, b: MerkleTree) -> Diff:
    """Descend from the roots of ``a`` and ``b`` only where hashes differ.

    O(d log L) comparisons for d differing leaves of L.
    """
    if (a.start, a.end, a.depth) != (b.start, b.end, b.depth):
        raise ValueError("trees cover different ranges or depths")
    compared = 1
    frontier = [0] if a.root != b.root else []
    for level in range(1, a.depth + 1):
        nxt = []
        la, lb = a.levels[level], b.levels[level]
        for i in frontier:
            for c in (2 * i, 2 * i + 1):
                compared += 1
                if la[c] != lb[c]:
                    nxt.append(c)
        frontier = nxt
    keys = sorted({k for i in frontier for k in a.leaf_keys(i) + b.leaf_keys(i)})
    return Diff(tuple(frontier), compared, tuple(keys), a.key_count() + b.key_count())
