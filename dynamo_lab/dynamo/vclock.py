"""Vector clocks and versions (Dynamo paper 4.4).

A :class:`VectorClock` is a list of ``(node, counter, timestamp)`` entries.
Version ``a`` *descends* from ``b`` when every counter of ``b`` is ``<=`` the
same node's counter in ``a``; when neither descends from the other the two
are *siblings* (concurrent) and both are kept. The store reconciles
syntactically (drops versions that another version descends from); merging
siblings is left to the application, through a reconciliation policy such
as :func:`union_merge` (the shopping cart) or :func:`last_write_wins`.

Clocks are truncated at :data:`TRUNCATE_AT` entries by dropping the entry
with the oldest timestamp, as the paper describes.

Examples
--------
The paper's Figure 3, clock for clock:

>>> d1 = VectorClock().increment("Sx", t=1)
>>> d2 = d1.increment("Sx", t=2)
>>> d3 = d2.increment("Sy", t=3)
>>> d4 = d2.increment("Sz", t=4)
>>> d3.concurrent(d4), d3.descends(d2)
(True, True)
>>> d5 = d3.merge(d4).increment("Sx", t=5)
>>> d5
VectorClock([Sx,3],[Sy,1],[Sz,1])
>>> d5.descends(d3) and d5.descends(d4)
True
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

__all__ = ["VectorClock", "Version", "TRUNCATE_AT", "reconcile", "union_merge",
           "last_write_wins", "resolve_policy", "MalformedContext"]

TRUNCATE_AT = 10
"""Most entries a clock keeps; the paper's threshold."""


class MalformedContext(ValueError):
    """A context that is not one this store handed out."""


class VectorClock:
    """An immutable vector clock.

    Entries are kept sorted by node name, so equal clocks print alike. Equality
    and hashing look at ``(node, counter)`` only; timestamps are there for
    truncation and for last-write-wins. ``descends`` and ``merge`` cost O(k)
    for k entries.

    A clock may carry a *gap* ``(node, past)``: its ``node`` counter is a single
    new event (a "dot") whose causal past only knew ``node`` up to ``past``.
    Coordinators make such clocks when they already issued higher counters for
    the key than the client's context knew (two writes through one
    coordinator from the same context, or a blind write); without the gap the
    new clock would claim to descend from writes it never saw and silently
    replace them, or collide with an earlier clock. Contiguous clocks (every
    clock of the paper's Figure 3) have no gap. It prints as ``[A,3/0]``.
    """

    # Two slots only: a stored version's clock costs one small tuple of
    # entries; comparisons walk the two sorted tuples side by side.
    __slots__ = ("entries", "gap")

    def __init__(self, entries: Iterable[Sequence] = (), gap: tuple | None = None) -> None:
        ents = tuple(sorted((str(n), int(c), int(ts)) for n, c, ts in entries))
        if gap is not None:
            g, past = gap
            own = next((c for n, c, _ in ents if n == g), 0)
            gap = (g, int(past)) if own > int(past) + 1 else None
        object.__setattr__(self, "entries", ents)
        object.__setattr__(self, "gap", gap)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("vector clocks are immutable")

    @classmethod
    def _of(cls, ents: list, gap: tuple | None = None) -> "VectorClock":
        """A clock from ``(str, int, int)`` entries already of the right
        types (made by this module): the constructor without its checks."""
        ents.sort()
        self = object.__new__(cls)
        if gap is not None:
            g, past = gap
            own = next((c for n, c, _ in ents if n == g), 0)
            gap = (g, past) if own > past + 1 else None
        object.__setattr__(self, "entries", tuple(ents))
        object.__setattr__(self, "gap", gap)
        return self

    # -- reading ---------------------------------------------------------
    def counter(self, node: str) -> int:
        """The counter of ``node`` (0 when absent)."""
        for n, c, _ in self.entries:
            if n == node:
                return c
        return 0

    def __len__(self) -> int:
        return len(self.entries)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VectorClock):
            return False
        a, b = self.entries, other.entries
        return (len(a) == len(b) and self.gap == other.gap
                and all(x[0] == y[0] and x[1] == y[1] for x, y in zip(a, b)))

    def __hash__(self) -> int:
        return hash((self.pairs, self.gap))

    def __repr__(self) -> str:
        return "VectorClock(" + self._text() + ")"

    def _text(self) -> str:
        g = self.gap
        return ",".join(f"[{n},{c}/{g[1]}]" if g and g[0] == n else f"[{n},{c}]"
                        for n, c, _ in self.entries)

    @property
    def pairs(self) -> tuple:
        """The ``(node, counter)`` pairs, sorted by node."""
        return tuple((n, c) for n, c, _ in self.entries)

    @property
    def timestamp(self) -> int:
        """The newest entry timestamp (0 for the empty clock)."""
        return max((ts for _, _, ts in self.entries), default=0)

    def digest(self) -> str:
        """A short stable text for this clock, e.g. ``'Sx:3,Sy:1'``."""
        g = self.gap
        if g is None:       # the usual clock: no gap to mark
            return ",".join([f"{n}:{c}" for n, c, _ in self.entries])
        return ",".join([f"{n}:{c}/{g[1]}" if g[0] == n else f"{n}:{c}"
                         for n, c, _ in self.entries])

    # -- comparing -------------------------------------------------------
    def _knows(self, node: str, upto: int, event: int) -> bool:
        """Whether this clock knows ``node``'s events 1..upto and ``event``."""
        c = self.counter(node)
        g = self.gap
        if g is not None and g[0] == node:
            return upto <= g[1] and (event <= g[1] or event == c)
        return upto <= c and event <= c

    def descends(self, other: "VectorClock") -> bool:
        """Whether this clock is ``other`` or a descendant of it (``>=``)."""
        if self.gap is None and other.gap is None:
            mine = self.entries
            size = len(mine)
            i = 0
            for n, c, _ in other.entries:
                while i < size and mine[i][0] < n:
                    i += 1
                if i == size or mine[i][0] != n or mine[i][1] < c:
                    return False
            return True
        og = other.gap
        for n, c, _ in other.entries:
            if og is not None and og[0] == n:
                if not self._knows(n, og[1], c):
                    return False
            elif not self._knows(n, c, c):
                return False
        return True

    def concurrent(self, other: "VectorClock") -> bool:
        """Whether neither clock descends from the other (siblings)."""
        return not self.descends(other) and not other.descends(self)

    # -- making new clocks ----------------------------------------------
    def increment(self, node: str, t: int = 0, *, limit: int = TRUNCATE_AT) -> "VectorClock":
        """A new clock with ``node``'s counter one higher, stamped ``t``.

        With more than ``limit`` entries the one with the oldest timestamp is
        dropped (paper 4.4); a truncated clock may then fail to descend from
        an ancestor, which makes a false sibling, never a lost one.
        """
        return self.advance(node, 0, t, limit=limit)

    def advance(self, node: str, issued: int, t: int = 0, *,
                limit: int = TRUNCATE_AT) -> "VectorClock":
        """Like :meth:`increment`, but past ``issued``, the highest counter
        ``node`` already gave out for this key; if that skips counters the new
        clock carries a gap, so it does not claim to know the skipped ones."""
        past = self.counter(node)
        if self.gap is not None and self.gap[0] == node:
            past = self.gap[1]
        new = max(past, self.counter(node), issued) + 1
        ents = [e for e in self.entries if e[0] != node]
        ents.append((str(node), new, int(t)))
        while len(ents) > limit:
            oldest = min(ents, key=lambda e: (e[2], e[0]))
            ents.remove(oldest)
        keep_gap = self.gap if self.gap is not None and self.gap[0] != node else None
        if new > past + 1:
            keep_gap = (node, past)   # one gap per clock: the newest dot's
        return VectorClock._of(ents, keep_gap)

    def merge(self, *others: "VectorClock") -> "VectorClock":
        """The least clock that descends from this one and ``others``."""
        best: dict[str, tuple[int, int]] = {n: (c, ts) for n, c, ts in self.entries}
        for o in others:
            for n, c, ts in o.entries:
                cur = best.get(n)
                if cur is None or c > cur[0] or (c == cur[0] and ts > cur[1]):
                    best[n] = (c, ts)
        return VectorClock._of([(n, c, ts) for n, (c, ts) in best.items()])

    def safe(self) -> "VectorClock":
        """This clock without its gap's dot: only what its past surely knew.

        Used when a gapped clock comes back as a context.
        """
        if self.gap is None:
            return self
        g, past = self.gap
        ents = [e if e[0] != g else (g, past, e[2]) for e in self.entries]
        return VectorClock(e for e in ents if e[1] > 0)

    # -- contexts --------------------------------------------------------
    def to_context(self) -> tuple:
        """The clock as plain data (an opaque context, or an event field)."""
        return self.entries

    @classmethod
    def from_context(cls, ctx: Any) -> "VectorClock":
        """Read a context back; raise :class:`MalformedContext` if it is not one.

        >>> VectorClock.from_context((("A", 1, 5),))
        VectorClock([A,1])
        >>> VectorClock.from_context("nonsense")
        Traceback (most recent call last):
        ...
        dynamo_lab.dynamo.vclock.MalformedContext: a context is a tuple of (node, counter, timestamp) entries, not 'nonsense'
        """
        if ctx is None:
            return cls()
        if isinstance(ctx, VectorClock):
            return ctx
        ok = isinstance(ctx, (tuple, list))
        if ok:
            seen = set()
            for e in ctx:
                if not (isinstance(e, (tuple, list)) and len(e) == 3
                        and isinstance(e[0], str) and isinstance(e[1], int)
                        and not isinstance(e[1], bool) and e[1] > 0
                        and isinstance(e[2], int) and e[0] not in seen):
                    ok = False
                    break
                seen.add(e[0])
        if not ok:
            raise MalformedContext(
                f"a context is a tuple of (node, counter, timestamp) entries, not {ctx!r}")
        return cls(ctx)


class Version:
    """One stored version: a value and the vector clock that names it.

    Examples
    --------
    >>> v = Version("cart:1", VectorClock([("A", 1, 0)]))
    >>> v
    Version('cart:1', [A,1])
    """

    # ``shown``: the value's short text for the event log, made at its
    # first write (node.show) and shared by the N replicas that store it
    __slots__ = ("value", "clock", "shown")

    def __init__(self, value: Any, clock: VectorClock) -> None:
        self.value = value
        self.clock = clock
        self.shown: str | None = None

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Version) and self.clock == other.clock
                and self.value == other.value)

    def __hash__(self) -> int:
        return hash(self.clock)

    def __repr__(self) -> str:
        return f"Version({_stable_repr(self.value)}, {self.clock._text()})"


def _stable_repr(value: Any) -> str:
    """``repr`` with sets in sorted order: a set's own order follows the
    per-process string hash seed, and lessons compare printed versions.

    >>> _stable_repr({"pen", "ink"}), _stable_repr([frozenset({2, 1})])
    ("{'ink', 'pen'}", '[frozenset({1, 2})]')
    """
    if isinstance(value, (set, frozenset)):
        if not value:
            return repr(value)
        inner = ", ".join(sorted((_stable_repr(v) for v in value)))
        return "{" + inner + "}" if isinstance(value, set) else "frozenset({" + inner + "})"
    if isinstance(value, list):
        return "[" + ", ".join(_stable_repr(v) for v in value) + "]"
    if isinstance(value, tuple):
        body = ", ".join(_stable_repr(v) for v in value)
        return "(" + body + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_stable_repr(k)}: {_stable_repr(v)}" for k, v in value.items()) + "}"
    return repr(value)


def reconcile(versions: Iterable[Version]) -> list[Version]:
    """Syntactic reconciliation: keep the versions no other version descends from.

    Versions with equal clocks count once. The result is ordered by clock
    digest, so it does not depend on arrival order. O(v^2 k).

    >>> a = Version(1, VectorClock([("A", 1, 0)]))
    >>> b = Version(2, VectorClock([("A", 2, 0)]))
    >>> c = Version(3, VectorClock([("A", 1, 0), ("B", 1, 0)]))
    >>> reconcile([a, b, c])
    [Version(3, [A,1],[B,1]), Version(2, [A,2])]
    """
    if not isinstance(versions, list):
        versions = list(versions)
    if versions:
        # Usually every replica returned the one same stored version: its
        # clock object is shared, and no hashing or comparing is needed.
        first = versions[0].clock
        if all(v.clock is first for v in versions):
            return versions[:1]
    uniq: dict[VectorClock, Version] = {}
    for v in versions:
        uniq.setdefault(v.clock, v)
    vs = list(uniq.values())
    if len(vs) > 1:
        vs = [v for v in vs if not any(o is not v and o.clock.descends(v.clock) for o in vs)]
        vs.sort(key=lambda v: v.clock.pairs)
    return vs


def union_merge(values: Sequence[Any]) -> Any:
    """The shopping-cart merge: the union of every sibling's items.

    An add is never lost, but an item deleted in one sibling comes back if
    another sibling still holds it (paper 4.4).

    >>> sorted(union_merge([{"book", "pen"}, {"pen", "ink"}]))
    ['book', 'ink', 'pen']
    """
    out: set = set()
    for v in values:
        out |= set(v)
    return frozenset(out)


def last_write_wins(versions: Sequence[Version]) -> Any:
    """The value of the version with the newest timestamp (ties: clock order).

    >>> old = Version("old", VectorClock([("A", 1, 10)]))
    >>> new = Version("new", VectorClock([("B", 1, 20)]))
    >>> last_write_wins([old, new])
    'new'
    """
    return max(versions, key=lambda v: (v.clock.timestamp, v.clock.pairs)).value


def resolve_policy(policy: Any) -> Callable[[Sequence[Version]], Any] | None:
    """Turn ``None``, ``"union"``, ``"lww"`` or a callable into a merge function.

    A callable receives the sibling *values* (like :func:`union_merge`); the
    built-in ``"lww"`` looks at timestamps and so receives versions.
    """
    if policy is None:
        return None
    if policy == "union":
        return lambda vs: union_merge([v.value for v in vs])
    if policy == "lww":
        return last_write_wins
    if callable(policy):
        return lambda vs: policy([v.value for v in vs])
    raise ValueError(f"reconcile must be None, 'union', 'lww' or a callable, not {policy!r}")
