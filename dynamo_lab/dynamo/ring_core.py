"""The ring's token table and the walks over it, shared by every strategy.

:class:`RingCore` holds the tokens (a ``SortedList``), who owns each, the
*table* of every unit's preference list for the ring's N (kept whole at every
join and leave, so a key never looked up before costs one hash, one bisection
and one dict lookup), and lazily cached lists for other lengths. Its walks go clockwise (preference lists) and
counter-clockwise (which cached lists a change can touch); from those it
works out a change's range moves, applies the change and records it. The
public API is :class:`dynamo_lab.dynamo.ring.Ring`, which builds on this.

A *unit* is what a cached preference list belongs to: a token (strategies 1
and 3) or a partition end (strategy 2). Keys in the range ``(start, end]`` of
a unit all have the same preference list.

Examples
--------
>>> core = RingCore(strategy=1, partitions=None)
>>> for t, node in [(10, "A"), (20, "B"), (30, "A"), (40, "C")]:
...     core._sl.add(t); core._owner[t] = node
>>> core._walk(30, 3), core._walk(35, 2)
(('A', 'C', 'B'), ('C', 'A'))
>>> list(core._ccw(20)), core._succ_token(41)
([20, 10, 40, 30], 10)
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Iterator

from sortedcontainers import SortedList

from ..text import noun, plural
from .hashing import RING_SIZE
from .ring_records import RangeMove, RingChange, TokenMove

__all__ = ["RingCore"]

_ROUTES = 1 << 16          # remembered key routes before starting afresh
_SEEN = 1 << 18            # slots of the filter of keys looked up once
_MIN_BITS = 10             # the fewest buckets: 2**10


class RingCore:
    """Tokens in ring order, their owners, and cached preference lists.

    Parameters
    ----------
    strategy : {1, 2, 3}
        Decides what a unit is (see the module docstring).
    partitions : int or None
        Q equal partitions (strategies 2 and 3).
    """

    # Set by Ring before RingCore.__init__ runs (declared for type checkers).
    n: int
    sim: Any
    _changes: list

    def __init__(self, strategy: int, partitions: int | None) -> None:
        self.strategy = strategy
        self._sl = SortedList()                   # every token, in ring order
        # SortedList changes these two lists in place (add, remove), so the
        # hot lookup path may hold them directly (see _succ_token).
        self._tok_lists = self._sl._lists
        self._tok_maxes = self._sl._maxes
        self._by_partition = strategy == 2
        self._owner: dict[int, str] = {}          # token -> physical node
        self._held: dict[str, SortedList] = {}    # node -> its tokens
        self._zones: dict[str, str | None] = {}   # node -> zone, in join order
        self._weights: dict[str, float] = {}
        # Strategies 2 and 3 cut the ring into Q partitions (b[j-1], b[j]]
        # with b[j] = j * 2**128 // Q. ``_ends`` holds their ends mod 2**128
        # in ring order (the last one ends at 2**128 == 0, so it comes first).
        if partitions is None:
            self._ends: list[int] = []
            self._starts: dict[int, int] = {}
        else:
            b = [j * RING_SIZE // partitions for j in range(partitions + 1)]
            self._starts = {b[j] % RING_SIZE: b[j - 1] for j in range(1, partitions + 1)}
            self._ends = sorted(self._starts)
        # unit -> its first min(N, S) distinct nodes clockwise, for every
        # unit, brought up to date by each change (_refresh), never filled
        # lazily: a first lookup of a key must not pay for a walk.
        self._table: dict[int, tuple] = {}
        # (n, zones) -> {unit: preference list as a tuple}. (N, False) is the
        # table itself while the ring has at least N nodes; the others fill
        # lazily (shorter lists from the table, longer or zone-aware ones by
        # walking).
        self._caches: dict[tuple, dict[int, tuple]] = {}
        # The table while it can answer the ring's N (at least N nodes), else
        # None; Ring.preference_list reads it first.
        self._full: dict[int, tuple] | None = None
        # Buckets: the ring cut into 2**k equal spans (k grows with the
        # units, about 16 buckets per unit). A bucket no unit boundary falls
        # in holds the table's list of the unit all its positions belong to;
        # one a boundary falls in holds None. So most keys find their list
        # by one shift and one index, with no bisection (see _reindex).
        self._bbits = _MIN_BITS
        self._bshift = 128 - _MIN_BITS
        self._buckets: list = [None] * (1 << _MIN_BITS)
        self._dirty: list[tuple[int, int]] = []     # ranges (a, t] to reindex
        # str key -> its unit, so a key looked up again skips MD5 and both
        # bisections. A unit only changes when tokens come or go, which in
        # strategies 2 and 3 never happens (partitions are fixed), so only
        # strategy 1 drops the routes on a change. Bounded by _ROUTES.
        self._routes: dict[str, int] = {}
        # Which positions' keys were looked up once (slot: the position's low
        # 18 bits). A route is remembered only on a key's second lookup:
        # remembering every key of a first pass cost more than its MD5 and
        # bisections (a growing dict, cold in the CPU cache). A slot shared
        # with another key only remembers a route one lookup early. Reset
        # with the routes when they overflow; kept across ring changes, since
        # a key's position never changes.
        self._seen = bytearray(_SEEN)

    # -- finding tokens ----------------------------------------------------
    # SortedList keeps its items in sublists (``_lists``) with their maxima
    # (``_maxes``). Bisecting those directly finds a neighbour in two small
    # bisections, without the positional index that ``sl[i]`` maintains; the
    # walks below iterate the sublists for the same reason. ring_check
    # compares these with SortedList's public methods.
    def _succ_token(self, p: int) -> int:
        """The first token at or clockwise after position ``p``. O(log t)."""
        maxes = self._tok_maxes
        k = bisect_left(maxes, p)
        if k == len(maxes):
            return self._tok_lists[0][0]
        sub = self._tok_lists[k]
        return sub[bisect_left(sub, p)]

    def _unit_of(self, p: int) -> int:
        """The unit whose range ``(start, end]`` holds position ``p``. O(log t)."""
        if self.strategy == 2:
            ends = self._ends
            i = bisect_left(ends, p)
            return ends[i] if i < len(ends) else ends[0]
        return self._succ_token(p)

    def _route(self, p: int) -> int:
        """The unit of position ``p``, as _unit_of but for the hot path
        (Ring.preference_list inlines its common case). O(log t)."""
        if self._by_partition:
            ends = self._ends
            i = bisect_left(ends, p)
            return ends[i] if i < len(ends) else ends[0]
        lists = self._tok_lists
        try:
            sub = lists[bisect_left(self._tok_maxes, p)]
            return sub[bisect_left(sub, p)]
        except IndexError:               # past the last token: wrap to the first
            return lists[0][0]

    def _cw(self, start: int) -> Iterator[int]:
        """Tokens clockwise from position ``start`` (inclusive), once round."""
        lists, maxes = self._sl._lists, self._sl._maxes
        if not maxes:
            return
        m = len(lists)
        k = bisect_left(maxes, start)
        if k == m:
            k, j = 0, 0
        else:
            j = bisect_left(lists[k], start)
        sub = lists[k]
        for i in range(j, len(sub)):
            yield sub[i]
        for kk in range(k + 1, m):
            yield from lists[kk]
        for kk in range(k):
            yield from lists[kk]
        for i in range(j):
            yield sub[i]

    def _ccw(self, start: int) -> Iterator[int]:
        """Tokens counter-clockwise from position ``start`` (inclusive), once round."""
        lists, maxes = self._sl._lists, self._sl._maxes
        if not maxes:
            return
        m = len(lists)
        k = bisect_left(maxes, start)
        if k == m:
            k = m - 1
            j = len(lists[k]) - 1
        else:
            j = bisect_right(lists[k], start) - 1
        sub = lists[k]
        for i in range(j, -1, -1):
            yield sub[i]
        for kk in range(k - 1, -1, -1):
            yield from reversed(lists[kk])
        for kk in range(m - 1, k, -1):
            yield from reversed(lists[kk])
        for i in range(len(sub) - 1, j, -1):
            yield sub[i]

    # -- walks -------------------------------------------------------------
    def _walk(self, start: int, n: int, ov: dict | None = None) -> tuple:
        """The first ``n`` distinct physical nodes clockwise from ``start``.

        ``ov`` overrides owners (None: the token is absent); moves use it to
        see the ring before or after a change. O(n) tokens on average.
        """
        out: list[str] = []
        owner = self._owner
        if ov is None:
            for t in self._cw(start):
                x = owner[t]
                if x not in out:
                    out.append(x)
                    if len(out) == n:
                        break
        else:
            for t in self._cw(start):
                x = ov[t] if t in ov else owner[t]
                if x is not None and x not in out:
                    out.append(x)
                    if len(out) == n:
                        break
        return tuple(out)

    def _walk_unit(self, u: int, n: int, zones: bool) -> tuple:
        """The preference list of unit ``u`` (from the cache's point of view)."""
        start = self._succ_token(u) if self.strategy == 2 else u
        if not zones:
            return self._walk(start, n)
        from .ring_strategies import zone_walk
        return zone_walk(self, start, n)

    def _cached(self, u: int, n: int, zones: bool = False) -> tuple:
        cache = self._caches.get((n, zones))
        if cache is None:
            cache = self._new_cache(n, zones)
        pl = cache.get(u)
        if pl is None:
            pl = cache[u] = self._fill(u, n, zones)
        return pl

    def _fill(self, u: int, n: int, zones: bool) -> tuple:
        """The list a lazy cache lacks: for fewer than N nodes, the head of
        the table's list (the first n distinct nodes clockwise are the first
        n of the first N); else a walk. O(n), or O(n) tokens on average."""
        if not zones and n < self.n:
            full = self._table.get(u)
            if full is not None:
                return full[:n]
        return self._walk_unit(u, n, zones)

    def _new_cache(self, n, zones) -> dict:
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError(f"n must be a positive int, not {n!r}")
        if n > len(self._zones):
            raise ValueError(f"a preference list of n={n} {noun(n, 'node')} needs "
                             f"{plural(n, 'node')}, but the ring has {len(self._zones)}")
        zones = bool(zones)
        cache = self._caches[(n, zones)] = self._table if (n == self.n and not zones) else {}
        return cache

    def _units(self) -> Iterator[tuple[int, int, int]]:
        """``(start, end, unit)`` for every unit, in ring order. O(units)."""
        if self.strategy == 2:
            for e in self._ends:
                yield self._starts[e], e, e
            return
        sl = self._sl
        prev = sl[-1] if sl else 0
        for t in sl:
            yield prev, t, t
            prev = t

    # -- what a change touches ------------------------------------------------
    def _affected(self, changed, old_ov, new_ov, n: int, s_old: int, s_new: int) -> dict:
        """What a change touches: ``{token: [predecessor, old list, new list]}``.

        The tokens are those whose walk of ``n`` distinct nodes reaches a
        changed token in the old or the new ring (only their lists can
        change), with their first ``n`` distinct nodes before and after.
        ``old_ov``/``new_ov`` override owners (None: absent); ``s_old`` and
        ``s_new`` count the nodes before and after, since a walk on a ring of
        fewer than ``n`` nodes ends once it has met them all.

        From each changed token c it walks forward until ``n`` distinct nodes
        are seen, and back likewise; every walk from a token behind c is that
        back part, reversed, then the forward part. So the cost is O(n)
        tokens per changed token on average, whatever the ring's size.
        """
        n_old, n_new = min(n, s_old), min(n, s_new)
        out: dict[int, list] = {}
        owner = self._owner
        old_ov = old_ov or {}
        new_ov = new_ov or {}
        for c in changed:
            fo: list = []
            fn: list = []
            so: set = set()
            sn: set = set()
            for t in self._cw(c):
                x = owner[t]
                a = old_ov.get(t, x)
                b = new_ov.get(t, x)
                fo.append(a)
                fn.append(b)
                if a is not None:
                    so.add(a)
                if b is not None:
                    sn.add(b)
                if len(so) >= n_old and len(sn) >= n_new:
                    break
            # The walk from c, then from each token behind it in turn: a walk
            # is its first owner followed by the walk from the next token, so
            # each list comes from the one before it (see _prepend).
            lo = _first(fo, n_old)
            ln = _first(fn, n_new)
            so, sn = set(), set()
            prev = c
            first = True
            for t in self._ccw(c):
                if first:               # c itself
                    first = False
                    if c not in out:
                        out[c] = [None, lo, ln]
                    continue
                out[prev][0] = t        # t is the predecessor of prev
                x = owner[t]
                a = old_ov.get(t, x)
                b = new_ov.get(t, x)
                if a is not None:
                    so.add(a)
                if b is not None:
                    sn.add(b)
                if len(so) >= n_old and len(sn) >= n_new:
                    break
                if a is not None:
                    lo = _prepend(a, lo, n_old)
                if b is not None:
                    ln = _prepend(b, ln, n_new)
                if t not in out:
                    out[t] = [None, lo, ln]
                prev = t
            else:
                out[prev][0] = c        # went all the way round
        return out

    def _moves(self, aff: dict) -> tuple:
        """The key ranges whose set of holders differs between the old and
        the new ring, as :class:`RangeMove` records in ring order."""
        moves: list[RangeMove] = []
        for t in sorted(aff):
            pred, old, new = aff[t]
            if old == new:
                continue
            lost = [x for x in old if x not in new]
            if not lost and len(old) == len(new):
                continue                  # the same holders, in a new order
            won = [x for x in new if x not in old]
            if len(lost) > 1 or len(won) > 1:
                lost.sort()
                won.sort()
            if self.strategy == 2:
                # Keys move by partition: those whose end leads to token t.
                ends = _ends_in(self._ends, pred, t)
                if not ends:
                    continue
                start, end = self._starts[ends[0]], ends[-1]
            else:
                start, end = pred, t
            for i in range(max(len(lost), len(won))):
                _append_move(moves, RangeMove(start, end, lost[i] if i < len(lost) else None,
                                              won[i] if i < len(won) else None))
        return tuple(moves)

    def _refresh(self, aff: dict, changed, new_ov, s_new: int) -> None:
        """Bring the table and the caches up to date after a change.

        The table's lists (N nodes) are replaced where ``aff`` (worked out
        for N) says they changed, and a token that left takes its list with
        it; every other entry stays, the same object. Shorter lazy lists are
        dropped near the change, like the table's. Longer lists (fallback
        nodes) and zone-aware ones may reach far round the ring, so their
        caches start afresh: a join stays O(T) whatever the ring's size, and
        they refill lazily. ``new_ov`` gives owners after the change where
        they differ (None: the token is absent); ``s_new`` counts the nodes
        after it.
        """
        if self.strategy == 1:
            self._routes = {}
        table = self._table
        for k in self._caches:
            if k[1] or k[0] > self.n:
                self._caches[k] = {}
        self._full = table if s_new >= self.n else None
        dirty = self._dirty
        if s_new == 0:
            table.clear()
        elif self.strategy == 2:
            ends, starts = self._ends, self._starts
            for t, (pred, _, new) in aff.items():
                for e in _ends_in(ends, pred, t):
                    if table.get(e) != new:
                        table[e] = new
                        dirty.append((starts[e], e))
        else:
            gone = new_ov or {}
            moved = set(changed)
            for t, (pred, _, new) in aff.items():
                if t in gone and gone[t] is None:
                    table.pop(t, None)
                elif table.get(t) != new:
                    table[t] = new
                elif t not in moved and pred not in moved:
                    continue              # same list, same range: buckets hold
                dirty.append((pred, t))
        near = [c for k, c in self._caches.items()
                if c and c is not table and not k[1] and k[0] < self.n]
        if not near:
            return
        if self.strategy == 2:
            units = [e for t, v in aff.items() for e in _ends_in(self._ends, v[0], t)]
        else:
            units = list(aff)
            units.extend(changed)     # a token that leaves is a unit that goes
        for cache in near:
            for u in units:
                cache.pop(u, None)

    # -- applying a change ---------------------------------------------------
    def _apply_steals(self, name, zone, weight, steals) -> RingChange:
        """Strategy 3 join: ``steals`` is [(token, old owner)]."""
        toks = [t for t, _ in steals]
        old_ov = dict(steals)
        self._zones[name] = zone
        self._weights[name] = weight
        self._held[name] = SortedList()
        for t, src in steals:
            if src is None:              # the first node: the ring was empty
                self._sl.add(t)
            else:
                self._held[src].remove(t)
            self._owner[t] = name
            self._held[name].add(t)
        moves = self._change(toks, old_ov, None, len(self._zones) - 1, len(self._zones))
        by_src: dict[str, list] = {}
        for t, src in steals:
            if src is not None:
                by_src.setdefault(src, []).append(t)
        token_moves = tuple(TokenMove(src, name, tuple(sorted(ts)))
                            for src, ts in sorted(by_src.items()))
        return self._record("join", name, zone, tuple(sorted(toks)), moves, token_moves, weight)

    def _change(self, changed, old_ov, new_ov, s_old: int, s_new: int) -> tuple:
        """Work out the range moves of a change and bring the table and
        the caches up to date. The table holds every token involved; ``old_ov``/``new_ov``
        give the owners before/after where they differ (None: absent)."""
        aff = self._affected(changed, old_ov, new_ov, self.n, s_old, s_new)
        moves = self._moves(aff)
        self._refresh(aff, changed, new_ov, s_new)
        return moves

    # -- buckets ---------------------------------------------------------------
    def _reindex(self) -> None:
        """Bring the buckets up to date once a change is applied: the ranges
        ``_refresh`` noted, or every bucket when the number of units calls
        for another bucket count. O(changed units * (log t + buckets per
        unit)); a resize is O(buckets + units), rare (4x the units apart)."""
        dirty, self._dirty = self._dirty, []
        units = len(self._ends) if self.strategy == 2 else len(self._sl)
        want = _bucket_bits(units)
        if not self._table:
            self._bbits, self._bshift = want, 128 - want
            self._buckets = [None] * (1 << want)
        elif want > self._bbits + 1 or want < self._bbits - 2:
            self._rebuild_buckets(want)
        else:
            ends: set[int] = set()
            for a, t in dirty:
                self._fill_range(a, t, ends)
            for b in ends:
                self._fix_bucket(b)

    def _rebuild_buckets(self, bits: int) -> None:
        self._bbits, self._bshift = bits, 128 - bits
        self._buckets = [None] * (1 << bits)
        ends: set[int] = set()
        for start, end, _ in self._units():
            self._fill_range(start, end, ends)
        for b in ends:
            self._fix_bucket(b)

    def _fill_range(self, a: int, t: int, ends: set) -> None:
        """Give the buckets wholly inside ``(a, t]`` (no boundary falls in
        them) the list of the unit holding ``t``, and None to an end bucket
        a present boundary cuts in two; note for ``_fix_bucket`` the end
        buckets of boundaries that left (or that end their bucket)."""
        sh, buckets, table = self._bshift, self._buckets, self._table
        ba, bt = a >> sh, t >> sh
        pl = table.get(t)
        if pl is None:                          # t left: its keys go on
            pl = table[self._unit_of(t)]
        if a < t:
            if bt > ba + 1:
                buckets[ba + 1:bt] = [pl] * (bt - ba - 1)
        else:                                   # the range wraps past zero
            buckets[ba + 1:] = [pl] * (len(buckets) - ba - 1)
            buckets[:bt] = [pl] * bt
        # A boundary x that is a unit splits its bucket between x and x + 1,
        # unless x ends the bucket.
        last = (1 << sh) - 1
        for x, b in ((a, ba), (t, bt)):
            if x in table and x & last != last:
                buckets[b] = None
            else:
                ends.add(b)

    def _fix_bucket(self, b: int) -> None:
        """Settle bucket ``b`` exactly: the list of its positions' unit if no
        boundary falls in it before its last position, else None."""
        self._buckets[b] = _bucket_list(self, b)

    def _record(self, change, name, zone, tokens, moves, token_moves, weight) -> RingChange:
        self._reindex()              # every change ends here, fully applied
        rec = RingChange(change, name, zone, tokens, moves, token_moves)
        self._changes.append(rec)
        log = self.sim.log
        if change == "join":
            for tm in token_moves:
                log.emit("ring.tokens_moved", src=tm.src, dst=tm.dst, tokens=tm.tokens)
            log.emit("ring.node_added", node=name, zone=zone, tokens=tokens, weight=weight)
        else:
            log.emit("ring.node_removed", node=name, tokens=tokens)
            for tm in token_moves:
                log.emit("ring.tokens_moved", src=tm.src, dst=tm.dst, tokens=tm.tokens)
        log.emit("ring.ranges_moved", node=name, change=change, moves=tuple(tuple(m) for m in moves))
        return rec


def _bucket_list(core: RingCore, b: int):
    """What bucket ``b`` should hold: None if a unit boundary falls in it
    before its last position (its keys then bisect), else the table's list
    of the unit every position in it belongs to. O(log t)."""
    sh = core._bshift
    lo = b << sh
    x = core._unit_of(lo)
    if lo <= x < lo + (1 << sh) - 1:
        return None
    return core._table[x]


def _bucket_bits(units: int) -> int:
    """How many bits of a position pick its bucket: about 16 buckets per
    unit, so most buckets hold no boundary.

    >>> _bucket_bits(0), _bucket_bits(16000), _bucket_bits(64000)
    (10, 18, 20)
    """
    return max(_MIN_BITS, (units * 16).bit_length())


def _first(seq, n: int) -> tuple:
    """The first ``n`` distinct names in ``seq``, skipping None."""
    out: list = []
    if n <= 0:
        return ()
    for x in seq:
        if x is not None and x not in out:
            out.append(x)
            if len(out) == n:
                break
    return tuple(out)


def _prepend(x: str, walk: tuple, n: int) -> tuple:
    """The first ``n`` distinct names of ``x`` followed by a sequence whose
    first ``n`` distinct names are ``walk``. If x is among them it moves to
    the front; if not, it pushes the last one out. O(n)."""
    if x in walk:
        i = walk.index(x)
        return (x,) + walk[:i] + walk[i + 1:]
    return (x,) + walk[:n - 1]


def _ends_in(ends: list[int], a: int, b: int) -> list[int]:
    """Partition ends in the clockwise range ``(a, b]`` (all if ``a == b``)."""
    if a < b:
        return ends[bisect_right(ends, a):bisect_right(ends, b)]
    return ends[bisect_right(ends, a):] + ends[:bisect_right(ends, b)]


def _append_move(moves: list, m: RangeMove) -> None:
    # A join's moves come as runs of adjacent ranges with the same src and
    # dst; merge them so a lesson reads a few ranges, not one per token.
    for i in range(len(moves) - 1, max(-1, len(moves) - 4), -1):
        p = moves[i]
        if p.end == m.start and p.src == m.src and p.dst == m.dst:
            moves[i] = RangeMove(p.start, m.end, m.src, m.dst)
            return
    moves.append(m)
