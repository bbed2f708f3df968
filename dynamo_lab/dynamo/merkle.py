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


_EMPTY_LEVELS: dict[int, list] = {}


def _empty_levels(depth: int) -> list:
    lv = _EMPTY_LEVELS.get(depth)
    if lv is None:
        lv = _EMPTY_LEVELS[depth] = [(_EMPTY,) * (1 << d) for d in range(depth + 1)]
    return lv


class MerkleTree:
    """A binary hash tree of ``2**depth`` leaves over the range ``(start, end]``.

    Building is O(n log n) for n keys (sorting within leaves); reading a
    level is O(1). ``levels[0]`` is ``(root,)`` and ``levels[depth]`` the
    leaves.

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

    __slots__ = ("start", "end", "depth", "levels", "buckets", "_n")

    def __init__(self, start: int, end: int, entries: Iterable[tuple[int, str, str]],
                 depth: int = 4) -> None:
        self.start, self.end, self.depth = start, end, depth
        size = (end - start) % SPACE or SPACE
        nleaves = 1 << depth
        entries = list(entries)
        if not entries:       # an empty range: every hash is the empty hash
            self.levels = _empty_levels(depth)
            self.buckets = [()] * nleaves
            self._n = 0
            return
        # Only the leaves that hold keys, and their ancestors, are hashed:
        # a range holds a few keys, and the rest of the tree is the empty
        # hash (the same tree as hashing every node, at a fraction the cost).
        filled: dict[int, list[tuple[str, str]]] = {}
        last = nleaves - 1
        for pos, key, dig in entries:
            i = (pos - start - 1) % SPACE * nleaves // size
            b = filled.get(i if i < last else last)
            if b is None:
                filled[i if i < last else last] = [(key, dig)]
            else:
                b.append((key, dig))
        buckets: list = [()] * nleaves
        leaves = [_EMPTY] * nleaves
        for i, b in filled.items():
            b.sort()
            buckets[i] = b
            leaves[i] = _h("".join([f"{k}={d};" for k, d in b]).encode())
        levels = [tuple(leaves)]
        lo, idx = leaves, sorted(filled)
        while len(lo) > 1:
            hi = [_EMPTY] * (len(lo) >> 1)
            idx = sorted({i >> 1 for i in idx})
            for p in idx:
                hi[p] = _h(lo[2 * p] + lo[2 * p + 1])
            levels.append(tuple(hi))
            lo = hi
        levels.reverse()
        self.levels = levels
        self.buckets = buckets
        self._n = sum(len(b) for b in filled.values())

    @property
    def root(self) -> bytes:
        return self.levels[0][0]

    def hash(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def leaf_keys(self, index: int) -> tuple[str, ...]:
        """The keys in one leaf."""
        return tuple(k for k, _ in self.buckets[index])

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
