"""The consistent-hash ring of Dynamo (paper 4.2, 4.3 and 6.2).

Each physical node holds several *tokens* (virtual nodes): positions on a
ring of 2**128 MD5 values. A key belongs to the first token clockwise from its
position, and the node holding that token is the key's *coordinator*. The
*preference list* is the coordinator followed by the next distinct physical
nodes clockwise; positions of a node already in the list are skipped.

The paper's three partitioning strategies (section 6.2):

1. ``strategy=1``: T random tokens per node; tokens cut the ring.
2. ``strategy=2``: T random tokens per node and Q equal, fixed partitions;
   a partition is placed by walking clockwise from its end to the first token.
3. ``strategy=3``: Q equal partitions and Q/S tokens per node; the tokens are
   the partitions. A joining node steals tokens at random from the most
   loaded nodes; a leaving node's tokens go, at random, to the least loaded
   ones. Both pick tokens so that, as in strategies 1 and 2, keys move only
   to a joining node and only away from a leaving one.

Examples
--------
The paper's Figure 2: nodes A to G in ring order; a key K in the range
(A, B] is coordinated by B and stored on B, C and D.

>>> from dynamo_lab.dynamo.hashing import RING_SIZE, position
>>> ring = Ring(seed=1)
>>> for i, name in enumerate("ABCDEFG"):
...     _ = ring.add_node(name, tokens=[i * RING_SIZE // 7])
>>> k = RING_SIZE // 14                  # a position between A's token and B's
>>> ring.owner_at(k), ring.preference_list_at(k, 3)
('B', ['B', 'C', 'D'])
>>> ring.nodes
['A', 'B', 'C', 'D', 'E', 'F', 'G']

Keys are hashed with MD5; every join and leave reports which ranges moved.

>>> ring.preference_list("cart:alice") == ring.preference_list_at(position("cart:alice"))
True
>>> change = ring.add_node("H", tokens=[RING_SIZE // 10])
>>> all(m.dst == "H" for m in change.moves)
True
>>> [e.kind for e in ring.sim.log][-2:]
['ring.node_added', 'ring.ranges_moved']
"""
from __future__ import annotations

import random
from bisect import bisect_left
from typing import Iterable

from sortedcontainers import SortedList

from ..sim import Simulation, make_rng
from .hashing import RING_SIZE, _md5, position
from .ring_core import _ROUTES, _SEEN, RingCore
from .ring_records import LoadBalance, NodeRanges, RingChange, TokenMove
from .ring_strategies import check_weight, plan_join, plan_leave, position_int, positive_int

__all__ = ["Ring", "RING_SIZE"]

_from_bytes = int.from_bytes
_SEEN_MASK = _SEEN - 1
_DEFAULT_T = 8
_DEFAULT_Q = 120      # divides evenly by 2..6, 8, 10, 12, 15, 20, 24, 30 nodes


class Ring(RingCore):
    """Consistent hashing with virtual nodes and the paper's strategies 1-3.

    Parameters
    ----------
    strategy : {1, 2, 3}
        The partitioning strategy of paper section 6.2.
    tokens_per_node : int, optional
        T, tokens per unit of weight (strategies 1 and 2; default 8).
    partitions : int, optional
        Q, the number of equal partitions (strategies 2 and 3; default 120).
    seed : int, random.Random or None
        Where random tokens come from. With ``sim`` given and no seed, the
        ring draws from ``sim.rng_for("ring")``.
    sim : Simulation, optional
        Events go to ``sim.log``. Without one the ring makes
        ``Simulation(seed)``.
    n : int
        The replication factor N used for range moves and as the default
        preference-list length.

    Notes
    -----
    Tokens live in a ``SortedList``, so finding a key's token is O(log t) for
    t tokens, and a str key looked up twice has its token remembered until
    tokens change.
    Every unit's preference list of N nodes is kept in a table: a join or
    leave replaces only the lists of tokens whose walk passes a changed
    token, which it works out anyway to report the ranges that moved, so a
    join costs O(T (N + log t)) whatever the ring's size and a key never
    looked up before walks nothing. The ring is also cut into about 16
    equal buckets per unit; a bucket no unit boundary cuts holds its list,
    so most new keys need no bisection either (the buckets cost 8 bytes
    each: 2 MB at 16,000 tokens). Other lengths and zone-aware lists are
    cached per unit on first use (lists longer than N and zone-aware ones
    start afresh on a change).
    """

    def __init__(self, strategy: int = 1, tokens_per_node: int | None = None,
                 partitions: int | None = None, seed=None, sim: Simulation | None = None,
                 n: int = 3) -> None:
        if strategy not in (1, 2, 3) or isinstance(strategy, bool):
            raise ValueError(f"strategy must be 1, 2 or 3 (paper 6.2), not {strategy!r}")
        if strategy == 3 and tokens_per_node is not None:
            raise ValueError("strategy 3 gives each node Q/S tokens; leave tokens_per_node=None")
        if strategy == 1 and partitions is not None:
            raise ValueError("strategy 1 has no fixed partitions; leave partitions=None")
        T = _DEFAULT_T if tokens_per_node is None else tokens_per_node
        Q = _DEFAULT_Q if partitions is None else partitions
        positive_int("tokens_per_node", T)
        positive_int("partitions", Q)
        positive_int("n", n)
        if Q > RING_SIZE:
            raise ValueError(f"partitions must be at most 2**128, not {Q}")
        self.tokens_per_node = T if strategy != 3 else None
        self.partitions = Q if strategy != 1 else None
        self.n = n
        if sim is None:
            sim = Simulation(seed)
            self._rng = make_rng(seed) if not isinstance(seed, random.Random) else seed
        else:
            self._rng = sim.rng_for("ring") if seed is None else make_rng(seed)
        self.sim = sim
        RingCore.__init__(self, strategy, self.partitions)
        self._changes: list[RingChange] = []
        self._check_state: tuple | None = None
        self._unspaced: set[int] = set()
        self.sim.log.emit("ring.created", strategy=strategy, tokens_per_node=self.tokens_per_node,
                          partitions=self.partitions, n=n)

    # ------------------------------------------------------------------
    # reading
    # ------------------------------------------------------------------
    @property
    def nodes(self) -> list[str]:
        """The physical nodes, in the order they joined. O(S).

        Examples
        --------
        >>> ring = Ring(seed=1)
        >>> _ = ring.add_node("B"); _ = ring.add_node("A", zone="az1")
        >>> ring.nodes, len(ring), "A" in ring, ring.zone("A"), ring.zone("B")
        (['B', 'A'], 2, True, 'az1', None)
        """
        return list(self._zones)

    @property
    def tokens(self) -> list[tuple[int, str]]:
        """Every ``(token, node)`` pair, sorted by token. O(t).

        Examples
        --------
        >>> ring = Ring(seed=1)
        >>> _ = ring.add_node("A", tokens=[30, 10]); _ = ring.add_node("B", tokens=[20])
        >>> ring.tokens
        [(10, 'A'), (20, 'B'), (30, 'A')]
        >>> ring.tokens_of("A")
        [10, 30]
        """
        own = self._owner
        return [(t, own[t]) for t in self._sl]

    @property
    def changes(self) -> list[RingChange]:
        """Every join and leave so far, oldest first. O(changes).

        Examples
        --------
        >>> ring = Ring(seed=1, n=1)
        >>> _ = ring.add_node("A", tokens=[10]); _ = ring.add_node("B", tokens=[20])
        >>> ring.changes
        [RingChange(join 'A', tokens=1, moves=1), RingChange(join 'B', tokens=1, moves=1)]
        >>> ring.last_change.moves
        (RangeMove(start=10, end=20, src='A', dst='B'),)
        """
        return list(self._changes)

    @property
    def last_change(self) -> RingChange | None:
        """The most recent join or leave (None before the first)."""
        return self._changes[-1] if self._changes else None

    def tokens_of(self, node: str) -> list[int]:
        """The tokens ``node`` holds, in ring order. O(T)."""
        return list(self._held[self._known(node)])

    def zone(self, node: str) -> str | None:
        """The availability zone of ``node`` (None if it has none). O(1)."""
        return self._zones[self._known(node)]

    def weight(self, node: str) -> float:
        """The weight ``node`` joined with. O(1)."""
        return self._weights[self._known(node)]

    def __len__(self) -> int:
        return len(self._zones)

    def __contains__(self, node: object) -> bool:
        return node in self._zones

    def __repr__(self) -> str:
        q = f" Q={self.partitions}" if self.partitions else ""
        return (f"<Ring strategy={self.strategy}{q} nodes={len(self._zones)} "
                f"tokens={len(self._sl)} n={self.n}>")

    # ------------------------------------------------------------------
    # lookups
    # ------------------------------------------------------------------
    def preference_list(self, key, n: int | None = None, zones: bool = False) -> list[str]:
        """The nodes that store ``key``: coordinator first, then the next
        distinct physical nodes clockwise.

        Parameters
        ----------
        key : str or bytes
            Hashed with MD5 (:func:`~dynamo_lab.dynamo.hashing.position`).
        n : int, optional
            How many nodes (default: the ring's N). More than N gives the
            fallback nodes a sloppy quorum uses, up to every node.
        zones : bool
            Prefer, at each step, a node in an availability zone the list
            does not use yet; once every zone is used, continue clockwise.

        Cost: O(log t) for the ring's N without zones: every unit's list is
        kept in a table from the joins on, so a key never looked up before
        costs one MD5 and one index into the buckets (about 16 per unit; for
        the few a unit boundary cuts, one bisection and one dict lookup) and
        walks nothing. A str key's route
        is remembered on its second lookup, so from the third on (until tokens
        change) it costs O(1); a first pass over new keys remembers nothing
        but one byte per key in a fixed 256 KB filter.
        Other lengths and zone-aware lists are cached per unit on first use
        (a walk of O(n) tokens on average; shorter lists are the table's
        heads).

        Raises
        ------
        ValueError
            If ``key`` is not str/bytes, or ``n`` exceeds the number of nodes.

        Examples
        --------
        >>> ring = Ring(seed=7)
        >>> for name in "ABCD":
        ...     _ = ring.add_node(name)
        >>> pl = ring.preference_list("cart:alice")
        >>> len(pl), len(set(pl)), pl[0] == ring.owner("cart:alice")
        (3, 3, True)
        >>> ring.preference_list("cart:alice", 5)
        Traceback (most recent call last):
        ...
        ValueError: a preference list of n=5 nodes needs 5 nodes, but the ring has 4
        """
        # The hot path of every get and put. The ring's N without zones reads
        # the table, whole from the joins on (None while the ring has fewer
        # than N nodes: _new_cache then raises the error), or its buckets.
        if zones is False and (n is None or n == self.n):
            cache = self._full
            if cache is None:
                cache = self._new_cache(self.n, False)
            fast = True
        else:
            if n is None:
                n = self.n
            cache = self._caches.get((n, zones))
            if cache is None:
                cache = self._new_cache(n, zones)
            fast = False
        # A str key whose route is remembered skips MD5 and the bisections
        # (RingCore._routes; remembered on its second lookup, see _seen);
        # position() and _route() are inlined.
        if key.__class__ is str:
            routes = self._routes
            u = routes.get(key)
            if u is None:
                p = _from_bytes(_md5(key.encode()).digest(), "big")
                seen = self._seen
                i = p & _SEEN_MASK
                again = seen[i]
                if not again:
                    # A first lookup: note it, and if no unit boundary falls
                    # in the key's bucket, that bucket holds its list.
                    seen[i] = 1
                    if fast:
                        pl = self._buckets[p >> self._bshift]
                        if pl is not None:
                            return list(pl)
                if self._by_partition:
                    u = self._route(p)
                else:
                    lists = self._tok_lists
                    try:
                        sub = lists[bisect_left(self._tok_maxes, p)]
                        u = sub[bisect_left(sub, p)]
                    except IndexError:   # past the last token: wrap to the first
                        u = lists[0][0]
                if again:
                    if len(routes) >= _ROUTES:
                        routes.clear()
                        self._seen = bytearray(_SEEN)
                    routes[key] = u
        else:
            u = self._route(position(key))
        pl = cache.get(u)
        if pl is None:           # never for the table: it is whole
            pl = cache[u] = self._fill(u, self.n if n is None else n, zones)
        return list(pl)

    def preference_list_at(self, pos: int, n: int | None = None, zones: bool = False) -> list[str]:
        """The preference list of ring position ``pos`` (an int), O(log t).

        Lessons use it to ask about a spot on the ring, not a key.

        Examples
        --------
        >>> ring = Ring(seed=1)
        >>> for name, t in [("A", 100), ("B", 200), ("C", 300)]:
        ...     _ = ring.add_node(name, tokens=[t])
        >>> ring.preference_list_at(150, 2), ring.preference_list_at(301, 3), ring.owner_at(200)
        (['B', 'C'], ['A', 'B', 'C'], 'B')
        """
        if n is None:
            n = self.n
        pos = position_int(pos)
        if (n, zones) not in self._caches:
            self._new_cache(n, zones)
        return list(self._cached(self._unit_of(pos), n, zones))

    def owner(self, key) -> str:
        """The coordinator of ``key``: the node of the first token clockwise.

        Cost: O(log t).

        Examples
        --------
        >>> ring = Ring(seed=3)
        >>> _ = ring.add_node("A"); _ = ring.add_node("B")
        >>> ring.owner("x") in ("A", "B")
        True
        """
        return self.preference_list(key, 1)[0]

    def owner_at(self, pos: int) -> str:
        """The coordinator of ring position ``pos``. O(log t)."""
        return self.preference_list_at(pos, 1)[0]

    def ranges(self, node: str | None = None, n: int | None = None):
        """The key ranges each node holds, as coordinator and as replica.

        Returns a :class:`NodeRanges` for ``node``, or a dict of them for
        every node. Ranges are ``(start, end]`` clockwise; ``start == end``
        is the whole ring. Cost: O(units * n), units = tokens (strategies 1,
        3) or partitions (strategy 2).

        Examples
        --------
        >>> ring = Ring(seed=2)
        >>> for name in "ABC":
        ...     _ = ring.add_node(name, tokens=[100 * (ord(name) - 64)])
        >>> ring.ranges("A")
        NodeRanges('A', coordinator=1 range, replica=1 range)
        >>> ring.ranges("A").coordinator
        ((300, 100),)
        """
        if n is None:
            n = min(self.n, len(self._zones))
        if node is not None:
            self._known(node)
        units = ((start, end, self._cached(u, n)) for start, end, u in self._units()) \
            if self._zones else ()
        out = NodeRanges.collect(list(self._zones), units)
        return out[node] if node is not None else out

    def load_balance(self, keys: Iterable, n: int = 3) -> LoadBalance:
        """How many of ``keys`` each node replicates, and how even that is.

        Efficiency is mean load / max load (paper Figure 8); out of balance
        is the fraction of nodes more than 15% from the mean (Figure 6).
        Cost: O(k log t) for k keys.

        Examples
        --------
        >>> ring = Ring(strategy=3, partitions=60, seed=1)
        >>> for i in range(6):
        ...     _ = ring.add_node(f"n{i}")
        >>> lb = ring.load_balance((f"key{i}" for i in range(3000)), n=3)
        >>> lb.keys, lb.n, 0.8 < lb.efficiency <= 1.0
        (3000, 3, True)
        """
        counts = dict.fromkeys(self._zones, 0)
        k = 0
        pl = self.preference_list
        for key in keys:
            for x in pl(key, n):
                counts[x] += 1
            k += 1
        return LoadBalance.from_counts(counts, k, n)

    # ------------------------------------------------------------------
    # membership changes
    # ------------------------------------------------------------------
    def add_node(self, name: str, tokens: Iterable[int] | None = None, weight: float = 1,
                 zone: str | None = None) -> RingChange:
        """Add a physical node with its tokens (virtual nodes).

        Parameters
        ----------
        name : str
            A new node name.
        tokens : iterable of int, optional
            Explicit token positions in ``[0, 2**128)``, e.g. to rebuild the
            paper's Figure 2. In strategy 3 they must be partition ends, and
            are taken from the nodes that hold them. Default: drawn by the
            strategy (``round(T * weight)`` random tokens, or a share of the
            Q partitions in proportion to weight).
        weight : float
            Capacity relative to other nodes (> 0); more weight, more tokens.
        zone : str, optional
            The node's availability zone.

        Returns
        -------
        RingChange
            The tokens taken and the key ranges that moved (for N = ``n``),
            also emitted as ``ring.node_added`` and ``ring.ranges_moved``.

        Cost: O(T log t) for T tokens, independent of the number of nodes
        (strategy 3 adds O(S) to pick the most loaded nodes).

        Raises
        ------
        ValueError
            Duplicate node, duplicate or out-of-range token, bad weight.

        Examples
        --------
        With N=1 only the coordinator holds a key, so B takes (10, 15] from A:

        >>> ring = Ring(seed=5, n=1)
        >>> ring.add_node("A", tokens=[10, 20])
        RingChange(join 'A', tokens=2, moves=1)
        >>> ring.add_node("B", tokens=[15]).moves
        (RangeMove(start=10, end=15, src='A', dst='B'),)
        """
        name = self._new_name(name)
        check_weight(weight)
        if zone is not None and not isinstance(zone, str):
            raise ValueError(f"zone must be a str or None, not {type(zone).__name__}")
        new_tokens, steals, spaced = plan_join(self, name, tokens, weight)  # no change yet
        if steals:
            change = self._apply_steals(name, zone, weight, steals)
            if not spaced:
                # ring_check holds strategy-3 joins to "keys move only to the
                # newcomer" only where the steals were spaced out.
                self._unspaced.add(len(self._changes) - 1)
            return change
        # Tokens are inserted first; the old ring is this one with them absent.
        self._zones[name] = zone
        self._weights[name] = weight
        self._held[name] = SortedList(new_tokens)
        for t in new_tokens:
            self._sl.add(t)
            self._owner[t] = name
        absent = dict.fromkeys(new_tokens)
        moves = self._change(new_tokens, absent, None, len(self._zones) - 1, len(self._zones))
        return self._record("join", name, zone, tuple(sorted(new_tokens)), moves, (), weight)

    def remove_node(self, name: str) -> RingChange:
        """Remove a physical node; its ranges move to the nodes that follow.

        In strategy 3 its tokens are handed, at random, to the least loaded
        remaining nodes. Returns a :class:`RingChange`, also emitted as
        ``ring.node_removed`` and ``ring.ranges_moved``.

        Cost: O(T log t) (strategy 3: O(T S)).

        Raises
        ------
        KeyError
            If ``name`` is not on the ring.

        Examples
        --------
        >>> ring = Ring(seed=5, n=1)
        >>> _ = ring.add_node("A", tokens=[10]); _ = ring.add_node("B", tokens=[20])
        >>> ring.remove_node("A").moves
        (RangeMove(start=20, end=10, src='A', dst='B'),)
        >>> ring.remove_node("A")
        Traceback (most recent call last):
        ...
        KeyError: "no node 'A' on the ring (nodes: ['B'])"
        """
        name = self._known(name)
        zone = self._zones[name]
        held = tuple(self._held[name])
        handout = plan_leave(self, name)
        new_ov: dict[int, str | None] = dict(handout) if handout else dict.fromkeys(held)
        # Moves are worked out on the ring as it is, with the leaver's tokens
        # overridden to their new owners (or absent).
        moves = self._change(held, None, new_ov, len(self._zones), len(self._zones) - 1)
        token_moves: tuple[TokenMove, ...] = ()
        if handout:
            got: dict[str, list] = {}
            for t, dst in handout:
                self._owner[t] = dst
                self._held[dst].add(t)
                got.setdefault(dst, []).append(t)
            token_moves = tuple(TokenMove(name, dst, tuple(sorted(ts)))
                                for dst, ts in sorted(got.items()))
        else:
            for t in held:
                self._sl.remove(t)
                del self._owner[t]
        del self._held[name], self._zones[name], self._weights[name]
        # Caches of lists longer than the ring can now give are invalid.
        for key in [k for k in self._caches if k[0] > len(self._zones)]:
            del self._caches[key]
        return self._record("leave", name, zone, held, moves, token_moves, None)

    def rebuilt(self, strategy: int | None = None, vnodes: int | None = None) -> "Ring":
        """A new ring with the same nodes under another strategy or another
        number of virtual nodes; this ring is left as it is.

        The new ring shares this ring's Simulation and N, and its nodes join
        in this ring's join order with their zones and weights, so its
        events (``ring.created``, then one join per node) let a view redraw
        it from scratch. Views call this when a learner changes the
        strategy or the vnodes; they never build a ring themselves.

        Parameters
        ----------
        strategy : {1, 2, 3}, optional
            The paper's strategy (6.2); default: this ring's.
        vnodes : int, optional
            Virtual nodes per node: T in strategies 1 and 2 (strategy 2
            keeps this ring's Q, or the default Q coming from strategy 1);
            Q/S in strategy 3, so Q = vnodes x the number of nodes. Default:
            this ring's T, or its tokens per node in strategy 3.

        Returns
        -------
        Ring
            The new ring. Cost: one join per node.

        Raises
        ------
        ValueError
            A bad strategy, or vnodes below 1.

        Examples
        --------
        >>> ring = Ring(seed=1, tokens_per_node=4)
        >>> for name in "ABC":
        ...     _ = ring.add_node(name)
        >>> three = ring.rebuilt(strategy=3, vnodes=2)
        >>> three, three.nodes, [len(three.tokens_of(x)) for x in three.nodes]
        (<Ring strategy=3 Q=6 nodes=3 tokens=6 n=3>, ['A', 'B', 'C'], [2, 2, 2])
        >>> ring.rebuilt(vnodes=8).sim is ring.sim, ring
        (True, <Ring strategy=1 nodes=3 tokens=12 n=3>)
        >>> ring.rebuilt(vnodes=0)
        Traceback (most recent call last):
        ...
        ValueError: vnodes must be a positive int, not 0
        """
        strategy = self.strategy if strategy is None else strategy
        if strategy not in (1, 2, 3) or isinstance(strategy, bool):
            raise ValueError(f"strategy must be 1, 2 or 3 (paper 6.2), not {strategy!r}")
        if vnodes is None:
            if self.tokens_per_node is not None:
                vnodes = self.tokens_per_node
            else:
                vnodes = max(1, len(self._sl) // len(self._zones)) if self._zones else _DEFAULT_T
        positive_int("vnodes", vnodes)
        size = max(1, len(self._zones))
        ring = Ring(strategy=strategy, sim=self.sim, n=self.n,
                    tokens_per_node=None if strategy == 3 else vnodes,
                    partitions=None if strategy == 1 else
                    (vnodes * size if strategy == 3 else
                     (self.partitions if self.strategy != 1 else None)))
        for node, zone in self._zones.items():
            ring.add_node(node, zone=zone, weight=self._weights[node])
        return ring

    # ------------------------------------------------------------------
    # internals
    # ------------------------------------------------------------------
    def _known(self, node) -> str:
        if node not in self._zones:
            raise KeyError(f"no node {node!r} on the ring (nodes: {list(self._zones)})")
        return node

    def _new_name(self, name) -> str:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a node name must be a non-empty str, not {name!r}")
        if name in self._zones:
            raise ValueError(f"node {name!r} is already on the ring")
        return name

    def _check(self) -> None:
        """Verify the ring's invariants (stress tests call it after every
        step); see :func:`dynamo_lab.dynamo.ring_check.check`. O(t * n)."""
        from .ring_check import check
        check(self)
