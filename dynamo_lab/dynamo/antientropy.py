"""Anti-entropy with Merkle trees (Dynamo paper 4.7), as a background task.

A *key range* is the stretch of the ring between two consecutive units (a
token, or with strategy 2 a fixed partition end). Each node keeps one
:class:`~dynamo_lab.dynamo.merkle.MerkleTree` per range it hosts, rebuilt
lazily when a write touches the range.

Periodically a node picks a peer that replicates some of the same ranges and
runs one exchange:

1. ``ae_roots``: it sends the roots of the shared ranges;
2. ``ae_level``: the two sides alternate, sending child hashes only under
   nodes whose hashes differed, one level per message;
3. ``ae_keys`` / ``ae_keys_reply``: at the leaves, each side sends the
   versions of the keys in the differing leaves and merges what it gets.

``merkle.done`` reports hash comparisons and keys shipped against what a
full comparison would have shipped (``keys_full``). Messages carry
snapshots - fresh dicts, tuples of versions - never a structure a node goes
on changing.

Examples
--------
>>> from dynamo_lab.dynamo.cluster import DynamoCluster
>>> c = DynamoCluster(nodes=["A", "B", "C"], seed=4, w=1)
>>> c.crash("C"); _ = c.put("k", "v", coordinator="A"); c.recover("C")
>>> c.run(ms=10_000)
>>> c.converged()
True
>>> done = c.sim.log.of_kind("merkle.done")
>>> sum(e.repaired for e in done) >= 1
True
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Any

from ..events import row_kind
from .hashing import RING_SIZE, position
from .merkle import MerkleTree

# one pair per exchange, every anti_entropy_ms on every node: written as rows
_EXCHANGE = row_kind("merkle.exchange", "xid", "a", "b", "ranges")
_DONE = row_kind("merkle.done", "xid", "a", "b", "ranges", "ranges_differing",
                 "hashes_compared", "keys_sent", "keys_full", "repaired")

__all__ = ["KeyRanges", "AntiEntropyMixin"]

class KeyRanges:
    """The ring's key ranges ``(start, end]``, read from a Ring's layout.

    O(log u) per lookup for u ranges.
    """

    def __init__(self, ring) -> None:
        if ring.strategy == 2:
            q = ring.partitions
            ends = sorted(j * RING_SIZE // q % RING_SIZE for j in range(1, q + 1))
        else:
            ends = sorted({t for t, _ in ring.tokens})
        self.ends = ends
        # end -> start of its range: O(1) (a bisect compares 128-bit ints)
        self._start = dict(zip(ends, ends[-1:] + ends[:-1]))

    def range_of(self, pos: int) -> tuple[int, int]:
        """The range ``(start, end]`` holding position ``pos``."""
        ends = self.ends
        i = bisect_left(ends, pos)
        if i == len(ends):
            i = 0
        return ends[i - 1], ends[i]

    def start_of(self, end: int) -> int:
        s = self._start.get(end)
        if s is not None:
            return s
        ends = self.ends
        i = bisect_left(ends, end)
        return ends[i - 1]

    def __len__(self) -> int:
        return len(self.ends)


def _digest(versions) -> str:
    return "|".join(sorted(v.clock.digest() for v in versions))


class AntiEntropyMixin:
    """Merkle trees per key range and the exchange protocol."""

    def _init_antientropy(self) -> None:
        self._pos: dict[str, int] = {}
        self._range_keys: dict[int, set] = {}
        self._trees: dict[int, MerkleTree] = {}
        self._dirty: set[int] = set()
        self._ranges_version = None
        self._shared: dict[str, list[int]] = {}
        self._peers: list[str] = []
        self._end_of = {}
        self._root_of: dict[int, bytes] = {}   # end -> root of its built tree
        self._n_of: dict[int, int] = {}        # end -> keys in its built tree
        self._digests: dict[str, Any] = {}   # key -> digest of its versions
        self._home_ends: frozenset = frozenset()
        self._orphan_ends: set[int] = set()
        self._xstats: dict[int, dict] = {}

    # -- ranges and trees ------------------------------------------------
    def _sync_ranges(self) -> None:
        c = self.cluster
        if self._ranges_version == c.ring_version:
            return
        self._ranges_version = c.ring_version
        kr = c.key_ranges
        self._end_of: dict[str, int] = {}    # key -> end of its range, this ring
        self._range_keys = {}
        for key in self.store.keys():
            end = kr.range_of(self._position(key))[1]
            self._range_keys.setdefault(end, set()).add(key)
        self._trees.clear()
        self._root_of.clear()
        self._n_of.clear()
        self._dirty.clear()
        shared: dict[str, list[int]] = {}
        mine = c.replica_sets().get(self.name, ())
        for end in mine:
            for other in c.range_homes(end):
                if other != self.name:
                    shared.setdefault(other, []).append(end)
        self._shared = shared
        self._peers = sorted(shared)
        # Ranges this node holds keys of but no longer replicates: what the
        # orphan scan (handoff.py) hands over. Kept up to date by
        # _range_dirty, so a scan with nothing to hand over costs nothing.
        self._home_ends = frozenset(mine)
        self._orphan_ends = {e for e in self._range_keys if e not in self._home_ends}

    def _position(self, key: str) -> int:
        p = self._pos.get(key)
        if p is None:
            p = self._pos[key] = position(key)
        return p

    def _range_dirty(self, key: str) -> None:
        self._digests.pop(key, None)
        if self._ranges_version != self.cluster.ring_version:
            return  # the next _sync_ranges rebuilds everything
        end = self._end_of.get(key)
        if end is None:
            end = self._end_of[key] = self.cluster.key_ranges.range_of(self._position(key))[1]
        keys = self._range_keys.get(end)
        if keys is None:
            keys = self._range_keys[end] = set()
            if end not in self._home_ends:
                self._orphan_ends.add(end)
        keys.add(key)
        if end not in self._home_ends:
            self.wake("handoff")    # a key to hand over (orphan scan)
        self._dirty.add(end)

    def tree(self, end: int) -> MerkleTree:
        """This node's Merkle tree of the range ending at ``end``.

        O(1) when no write touched the range since the last call; otherwise
        the range's tree is rebuilt, O(k log k) for its k keys.
        """
        t = self._trees.get(end)
        if t is not None and self._ranges_version == self.cluster.ring_version \
                and end not in self._dirty:
            return t
        self._sync_ranges()
        t = self._trees.get(end)
        if t is None or end in self._dirty:
            t = self._build(end)
        return t

    def _build(self, end: int) -> MerkleTree:
        """Rebuild the tree of the range ending at ``end`` (ranges in sync)."""
        pairs = []
        get = self.store.get
        digests = self._digests
        for key in self._range_keys.get(end, ()):
            dg = digests.get(key)
            if dg is None:
                vs = get(key)
                # cached until a write changes the key (_range_dirty) or
                # a crash loses the write buffer (Node.crash)
                dg = digests[key] = (vs[0].clock.digest() if len(vs) == 1 else _digest(vs)) \
                    if vs else False
            if dg is not False:
                pairs.append((key, dg))
        if len(pairs) > 1:
            pairs.sort()
        c = self.cluster
        start = c.key_ranges.start_of(end)
        # Replicas holding the same versions of a range build the same tree:
        # share it (a write reaches N replicas, and each would hash it anew).
        # The key is everything the tree is made from (a key's position
        # follows from the key), so a shared tree is the one this node would
        # build; trees are never changed once built.
        memo = c._tree_cache
        ck = (start, end, c.merkle_depth, tuple(pairs))
        t = memo.get(ck)
        if t is None:
            if len(memo) >= 4096:
                memo.clear()
            position = self._position
            t = memo[ck] = MerkleTree(start, end, [(position(k), k, d) for k, d in pairs],
                                      depth=c.merkle_depth)
        self._trees[end] = t
        self._root_of[end] = t.root
        self._n_of[end] = t._n
        self._dirty.discard(end)
        return t

    def _roots(self, ends) -> tuple[dict, int]:
        """``({end: root}, keys)`` of the trees of ``ends``, rebuilding only
        the trees a write touched (an exchange reads dozens of ranges)."""
        if self._ranges_version != self.cluster.ring_version:
            self._sync_ranges()
        root_of, dirty, n_of = self._root_of, self._dirty, self._n_of
        roots = {}
        keys = 0
        for e in ends:
            if e in dirty or e not in root_of:
                self._build(e)
            roots[e] = root_of[e]
            keys += n_of[e]
        return roots, keys

    def shared_ranges(self, peer: str) -> list[int]:
        """Ends of the ranges this node and ``peer`` both replicate."""
        self._sync_ranges()
        return self._shared.get(peer, [])

    # -- the exchange ------------------------------------------------------
    def _anti_entropy_round(self) -> None:
        if not self.up:
            return
        if self._ranges_version != self.cluster.ring_version:
            self._sync_ranges()
        down = self.down
        peers = [p for p in self._peers if p not in down] if down else self._peers
        if not peers or not self.admitted("anti_entropy"):
            return
        peer = peers[self._rng._randbelow(len(peers))]   # = randrange, one call less
        self.start_exchange(peer)

    def start_exchange(self, peer: str) -> int:
        """Begin one Merkle exchange with ``peer``; returns its id."""
        if self._ranges_version != self.cluster.ring_version:
            self._sync_ranges()
        ranges = self._shared.get(peer, [])     # shared_ranges(peer), in sync
        xid = next(self.cluster._xids)
        roots, keys_full = self._roots(ranges)
        log = self.sim.log
        if log.enabled:
            sink = log._sink
            if sink is None:
                log.emit_row(_EXCHANGE, xid, self.name, peer, len(ranges))
            else:       # one write, t and kind first (see EventLog)
                sink((self._kernel.now, _EXCHANGE, xid, self.name, peer, len(ranges)))
        self._net_send(self.name, peer, "ae_roots", ("ae_roots", (xid, roots, keys_full)), None)
        return xid

    def on_ae_roots(self, src: str, body: tuple) -> None:
        xid, roots, keys_full = body
        # _roots(roots) and the comparison in one pass, with no dict of mine
        if self._ranges_version != self.cluster.ring_version:
            self._sync_ranges()
        root_of, dirty, n_of = self._root_of, self._dirty, self._n_of
        full = 0
        diff = []
        for e, h in roots.items():
            if e in dirty or e not in root_of:
                self._build(e)
            full += n_of[e]
            if root_of[e] != h:
                diff.append(e)
        n = len(roots)
        if not diff:            # the usual exchange: every root agrees
            log = self.sim.log
            if log.enabled:
                sink = log._sink
                if sink is None:
                    log.emit_row(_DONE, xid, src, self.name, n, 0, n, 0, keys_full + full, 0)
                else:       # one write, t and kind first (see EventLog)
                    sink((self._kernel.now, _DONE, xid, src, self.name, n, 0, n, 0,
                          keys_full + full, 0))
            self.cluster._ae_quiet(n, keys_full + full)
            return
        # The running statistics travel with the messages from here on (made
        # here, never kept: each message carries its own copy).
        stats = {"a": src, "b": self.name, "ranges": n, "differing": len(diff),
                 "hashes": n, "sent": 0, "full": keys_full + full, "repaired": 0}
        log = self.sim.log
        out = {}
        for e in diff:
            if log.enabled:
                t = self.tree(e)
                log.emit("merkle.diff", xid=xid, node=self.name, peer=src,
                         range=(t.start, t.end), level=0, indexes=(0,))
            out[e] = self._children(e, 0, (0,))
        self.send(src, "ae_level", (xid, 1, out, stats))

    def _children(self, end: int, level: int, idx: tuple) -> dict:
        """Hashes one level below ``idx`` at ``level`` (leaf keys at the bottom)."""
        h = self.tree(end).hash
        return {c: h(level + 1, c) for i in idx for c in (2 * i, 2 * i + 1)}

    def on_ae_level(self, src: str, body: tuple) -> None:
        xid, level, ranges, stats = body
        depth = self.cluster.merkle_depth
        log = self.sim.log
        nxt, leaves = {}, {}
        for end, hashes in ranges.items():
            mine = self.tree(end).hash
            stats["hashes"] += len(hashes)
            bad = tuple(i for i, h in hashes.items() if mine(level, i) != h)
            if not bad:
                continue
            if log.enabled:
                t = self.tree(end)
                log.emit("merkle.diff", xid=xid, node=self.name, peer=src,
                         range=(t.start, t.end), level=level, indexes=bad)
            if level == depth:
                leaves[end] = bad
            else:
                nxt[end] = self._children(end, level, bad)
        # Each message carries its own copy of the running stats: two batches
        # in flight at once must not write into one shared dict.
        if leaves:
            self.send(src, "ae_keys", (xid, self._leaf_versions(leaves), leaves, dict(stats)))
        if nxt:
            self.send(src, "ae_level", (xid, level + 1, nxt, dict(stats)))
        if not leaves and not nxt:
            self._ae_done(stats, xid)

    def _leaf_versions(self, leaves: dict) -> tuple:
        """``((key, (version, ...)), ...)`` held in the ``leaves``: a snapshot
        for a message, immutable containers only."""
        out = []
        get = self.store.get
        for end, idx in leaves.items():
            t = self.tree(end)
            for i in idx:
                for key in t.leaf_keys(i):
                    out.append((key, tuple(get(key))))
        return tuple(out)

    def on_ae_keys(self, src: str, body: tuple) -> None:
        xid, items, leaves, stats = body
        stats["sent"] += len(items)
        self._ae_merge(src, items, stats, xid)
        # Send back only what the peer does not already hold.
        theirs = {k: _digest(vs) for k, vs in items}
        back = tuple((k, vs) for k, vs in self._leaf_versions(leaves)
                     if theirs.get(k) != _digest(vs))
        self.send(src, "ae_keys_reply", (xid, back, dict(stats)))

    def on_ae_keys_reply(self, src: str, body: tuple) -> None:
        xid, items, stats = body
        stats["sent"] += len(items)
        self._ae_merge(src, items, stats, xid)
        self._ae_done(stats, xid)

    def _ae_merge(self, src: str, items: list, stats: dict, xid: int | None = None) -> None:
        log = self.sim.log
        for key, versions in items:
            for v in versions:
                if self.write_local(key, v, None, "anti_entropy") != "obsolete":
                    stats["repaired"] += 1
                    if log.enabled:
                        log.emit("merkle.repair", node=self.name, src=src, key=key,
                                 clock=v.clock.entries, xid=xid)

    def _ae_done(self, stats: dict, xid: int) -> None:
        # Several leaf batches may finish one exchange; report each batch.
        log = self.sim.log
        if log.enabled:
            log.emit_row(_DONE, xid, stats["a"], stats["b"], stats["ranges"],
                         stats["differing"], stats["hashes"], stats["sent"], stats["full"],
                         stats["repaired"])
        self.cluster._ae_report(stats)

    def merkle_roots(self) -> dict[int, bytes]:
        """The root of every range this node replicates, by range end."""
        self._sync_ranges()
        mine = sorted({e for ends in self._shared.values() for e in ends})
        return {e: self.tree(e).root for e in mine}

    def describe_range(self, end: int) -> dict[str, Any]:
        t = self.tree(end)
        return {"start": t.start, "end": t.end, "keys": t.key_count(), "root": t.root.hex()}
