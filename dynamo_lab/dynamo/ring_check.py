"""The ring's invariants, checked from scratch (sortedcontainers' ``_check``).

Stress tests call ``ring._check()`` after every random step. It is slow on
purpose: it recomputes everything the ring caches and compares.

Examples
--------
>>> from dynamo_lab.dynamo.ring import Ring
>>> ring = Ring(seed=4)
>>> for name in "ABCD":
...     _ = ring.add_node(name)
>>> check(ring)
>>> _ = ring.remove_node("B")
>>> check(ring)
"""
from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING, Iterable

from .hashing import RING_SIZE, in_range, position, span

if TYPE_CHECKING:
    from .ring import Ring

__all__ = ["check", "holder_map"]


def holder_map(ring: "Ring") -> tuple[list[int], list[frozenset]]:
    """``(unit ends in ring order, the set of N holders of each unit)``.

    A position p is held by the holders of the first end at or after p.
    Cost: O(units * n).
    """
    if not ring._zones:
        return [], []
    n = min(ring.n, len(ring._zones))
    ends, holders = [], []
    for _, end, u in ring._units():
        ends.append(end)
        holders.append(frozenset(ring._walk_unit(u, n, False)))
    return ends, holders


def _holders_at(hm, p: int) -> frozenset:
    ends, holders = hm
    if not ends:
        return frozenset()
    i = bisect_left(ends, p)
    return holders[i if i < len(ends) else 0]


def check(ring: "Ring") -> None:
    """Raise AssertionError if any invariant of ``ring`` fails.

    - tokens, owners and per-node token lists agree; every node holds a token;
    - strategy 3: the tokens are exactly the Q partition ends;
    - the ranges cover the ring exactly once;
    - every preference list has min(n, S) distinct physical nodes, and every
      cached list equals a fresh walk;
    - the table holds exactly one list per unit (none on an empty ring), each
      equal to a fresh walk of min(N, S) nodes, and is the cache of
      ``(N, False)`` whenever that cache exists and the lookups' fast path
      exactly while the ring has at least N nodes;
    - a bucket holds None if a unit boundary falls in it before its last
      position, else the table's list of its positions' unit (every bucket
      of a small ring; a sample of a big one);
    - the fast successor lookup agrees with SortedList's public bisection,
      and every remembered key route is still the key's unit;
    - since the previous check: on a join keys moved only to the new node,
      on a leave only away from the leaving node; and applying the reported
      range moves to the old holders gives exactly the new holders. (A
      strategy-3 join whose tokens could not be spaced out, or were given
      explicitly, may also shift a range between two other nodes; the ring
      notes those joins and the moves report the shift.)
    """
    sl, owner, held = ring._sl, ring._owner, ring._held
    toks = list(sl)
    assert toks == sorted(set(toks)), "tokens are not unique and sorted"
    assert set(toks) == set(owner), "token list and owner map differ"
    assert set(held) == set(ring._zones) == set(ring._weights), "node tables differ"
    from_held = {}
    for x, ts in held.items():
        assert len(ts) > 0, f"node {x!r} holds no token"
        for t in ts:
            assert t not in from_held, f"token {t} held twice"
            from_held[t] = x
    assert from_held == owner, "per-node tokens disagree with token owners"
    assert all(0 <= t < RING_SIZE for t in toks)
    if ring.strategy == 3:
        assert toks == (ring._ends if ring._zones else []), \
            "strategy 3 tokens must be exactly the partition ends"

    units = list(ring._units()) if ring._zones else []
    if units:
        total = sum(span(s, e) for s, e, _ in units)
        assert total == RING_SIZE, f"ranges cover {total} positions, not 2**128"
        for (_, prev_end, _), (start, _, _) in zip(units[-1:] + units[:-1], units):
            assert start == prev_end, "ranges leave a gap or overlap"

    S = len(ring._zones)
    for (n, zones), cache in ring._caches.items():
        assert n <= S, f"cache for n={n} kept with {S} nodes"
        for u, pl in cache.items():
            fresh = ring._walk_unit(u, n, zones)
            assert pl == fresh, f"stale cached preference list at {u}: {pl} != {fresh}"
    for _, _, u in units:
        pl = ring._walk_unit(u, ring.n, False)
        assert len(pl) == min(ring.n, S) == len(set(pl)), f"bad preference list {pl}"
    _check_table(ring, units)

    if toks:
        for key, u in ring._routes.items():
            assert u == ring._unit_of(position(key)), f"stale route for key {key!r}"
        probes = toks[:50] + [t + 1 for t in toks[:50]] + [0, RING_SIZE - 1]
        for p in probes:
            p %= RING_SIZE
            assert ring._unit_of(p) == _slow_unit(ring, p)

    _check_moves(ring)


def _check_table(ring: "Ring", units: list) -> None:
    table = ring._table
    assert sorted(table) == sorted(u for _, _, u in units), \
        "the table does not hold exactly one list per unit"
    n = min(ring.n, len(ring._zones))
    for u, pl in table.items():
        fresh = ring._walk_unit(u, n, False)
        assert pl == fresh, f"stale table entry at {u}: {pl} != {fresh}"
    cache = ring._caches.get((ring.n, False))
    assert cache is None or cache is table, "the cache of N-node lists is not the table"
    want = table if len(ring._zones) >= ring.n else None
    assert ring._full is want, "the fast path's table is wrong for the ring's size"
    _check_buckets(ring, units)


def _check_buckets(ring: "Ring", units: list) -> None:
    buckets, sh = ring._buckets, ring._bshift
    assert len(buckets) == 1 << ring._bbits and sh == 128 - ring._bbits
    assert not ring._dirty, "ranges left to reindex after a change"
    if not ring._table:
        assert all(b is None for b in buckets), "an empty ring's buckets hold lists"
        return
    # Every bucket (a sample of big rings: those of the first 64 boundaries,
    # and evenly spread ones) against its first and last positions' units.
    which: Iterable[int]
    if len(buckets) <= 1 << 12:
        which = range(len(buckets))
    else:
        which = sorted({e >> sh for _, e, _ in units[:64]} |
                       set(range(0, len(buckets), len(buckets) >> 10)))
    seq = ring._ends if ring.strategy == 2 else list(ring._sl)
    for b in which:
        lo, hi = b << sh, ((b + 1) << sh) - 1
        i = bisect_left(seq, lo)
        unit = seq[i] if i < len(seq) else seq[0]
        want = None if lo <= unit < hi else ring._table[unit]
        assert buckets[b] == want, f"bucket {b} holds {buckets[b]}, not {want}"


def _slow_unit(ring: "Ring", p: int) -> int:
    seq = ring._ends if ring.strategy == 2 else list(ring._sl)
    later = [e for e in seq if e >= p]
    return later[0] if later else seq[0]


def _check_moves(ring: "Ring") -> None:
    state = ring._check_state
    now = holder_map(ring)
    ring._check_state = (now, len(ring._changes))
    if state is None:
        return
    before, seen = state
    changes = ring._changes[seen:]
    for i, ch in enumerate(changes, start=seen):
        for m in ch.moves:
            if ch.change == "join" and i not in ring._unspaced:
                assert m.dst == ch.node and m.src != ch.node, \
                    f"on joining {ch.node!r} keys moved elsewhere: {m}"
            if ch.change == "leave":
                assert m.src == ch.node and m.dst != ch.node, \
                    f"on {ch.node!r} leaving keys moved elsewhere: {m}"
    points = set(before[0]) | set(now[0])
    for ch in changes:
        for m in ch.moves:
            points.add(m.start)
            points.add(m.end)
    for p in points:
        h = set(_holders_at(before, p))
        for ch in changes:
            for m in ch.moves:
                if in_range(p, m.start, m.end):
                    if m.src is not None:
                        assert m.src in h, f"move {m} takes from a node that does not hold {p}"
                        h.discard(m.src)
                    if m.dst is not None:
                        assert m.dst not in h, f"move {m} gives {p} to a node that holds it"
                        h.add(m.dst)
        want = _holders_at(now, p)
        assert h == want, f"at {p} the moves give holders {sorted(h)}, the ring {sorted(want)}"
