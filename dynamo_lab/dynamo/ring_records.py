"""The small frozen records a :class:`~dynamo_lab.dynamo.ring.Ring` hands back.

They hold plain data only (names, ints, tuples), like events, so a lesson can
print them, compare them and keep them after the ring changes.

Examples
--------
>>> m = RangeMove(10, 20, "A", "D")
>>> m == (10, 20, "A", "D"), m.src, m.dst
(True, 'A', 'D')
>>> LoadBalance.from_counts({"A": 90, "B": 110, "C": 100}, keys=100, n=3)
LoadBalance(nodes=3, keys=100, n=3, efficiency=0.909, out_of_balance=0.000)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from ..text import plural

__all__ = ["RangeMove", "TokenMove", "RingChange", "NodeRanges", "LoadBalance"]


class RangeMove(NamedTuple):
    """Keys ``k`` with ``start < k <= end`` (clockwise, mod 2**128) moved
    from replica ``src`` to replica ``dst``.

    ``src`` is None when the range gained a replica without anyone giving it
    up (the ring had fewer than N nodes); copy it from any node that holds it.
    ``dst`` is None when a replica went away and nobody took its place.
    ``start == end`` means the whole ring.
    """

    start: int
    end: int
    src: str | None
    dst: str | None


class TokenMove(NamedTuple):
    """Tokens that changed hands (strategy 3), from ``src`` to ``dst``."""

    src: str
    dst: str
    tokens: tuple


@dataclass(frozen=True)
class RingChange:
    """What one join or leave did to the ring.

    Attributes
    ----------
    change : str
        ``'join'`` or ``'leave'``.
    node : str
        The physical node that joined or left.
    zone : str or None
        Its availability zone.
    tokens : tuple of int
        The tokens it took (join) or held (leave), in ring order.
    moves : tuple of RangeMove
        Which key ranges changed replica, for the ring's replication factor.
    token_moves : tuple of TokenMove
        Tokens that changed hands between nodes (strategy 3 only).
    """

    change: str
    node: str
    zone: str | None
    tokens: tuple
    moves: tuple
    token_moves: tuple = ()

    def __repr__(self) -> str:
        return (f"RingChange({self.change} {self.node!r}, tokens={len(self.tokens)}, "
                f"moves={len(self.moves)})")


@dataclass(frozen=True)
class NodeRanges:
    """The key ranges one node holds, each ``(start, end]`` clockwise.

    ``coordinator`` holds the ranges where the node is first in the
    preference list; ``replica`` those where it is one of the next N-1.
    Adjacent ranges are merged.
    """

    node: str
    coordinator: tuple
    replica: tuple

    @classmethod
    def collect(cls, nodes: list, units) -> dict:
        """``{node: NodeRanges}`` from ``(start, end, preference list)`` units
        in ring order; adjacent ranges of one role merge. O(units * n)."""
        coord: dict = {x: [] for x in nodes}
        rep: dict = {x: [] for x in nodes}
        for start, end, pl in units:
            _append_merged(coord[pl[0]], start, end)
            for x in pl[1:]:
                _append_merged(rep[x], start, end)
        return {x: cls(x, _wrap_merge(coord[x]), _wrap_merge(rep[x])) for x in nodes}

    @property
    def all(self) -> tuple:
        """Every range the node stores, coordinator ones first."""
        return self.coordinator + self.replica

    def __repr__(self) -> str:
        return (f"NodeRanges({self.node!r}, "
                f"coordinator={plural(len(self.coordinator), 'range')}, "
                f"replica={plural(len(self.replica), 'range')})")


@dataclass(frozen=True)
class LoadBalance:
    """How evenly keys spread over the nodes (paper 6.2, Figures 6 and 8).

    Attributes
    ----------
    loads : tuple of (node, count)
        How many of the keys each node replicates (it is in their preference
        list of length ``n``), in the ring's node order.
    keys : int
        How many keys were placed.
    n : int
        Preference-list length used.
    efficiency : float
        Mean load / maximum load (Figure 8); 1.0 is perfect.
    out_of_balance : float
        Fraction of nodes whose load is more than 15% away from the mean
        (Figure 6).
    """

    loads: tuple
    keys: int
    n: int
    efficiency: float
    out_of_balance: float

    #: A node is out of balance when its load is this far from the mean.
    THRESHOLD = 0.15

    @classmethod
    def from_counts(cls, counts: dict, keys: int, n: int) -> "LoadBalance":
        """Build one from ``{node: keys it replicates}``. O(nodes)."""
        loads = tuple(counts.items())
        values = [c for _, c in loads]
        if not values:
            return cls((), keys, n, 1.0, 0.0)
        mean = sum(values) / len(values)
        top = max(values)
        eff = mean / top if top else 1.0
        out = sum(1 for v in values if abs(v - mean) > cls.THRESHOLD * mean) / len(values)
        return cls(loads, keys, n, eff, out)

    @property
    def shares(self) -> dict:
        """Each node's fraction of the replicated keys."""
        total = sum(c for _, c in self.loads) or 1
        return {node: c / total for node, c in self.loads}

    @property
    def mean(self) -> float:
        """The mean load, in keys per node."""
        return sum(c for _, c in self.loads) / len(self.loads) if self.loads else 0.0

    @property
    def max(self) -> int:
        """The largest load, in keys."""
        return max((c for _, c in self.loads), default=0)

    def __repr__(self) -> str:
        return (f"LoadBalance(nodes={len(self.loads)}, keys={self.keys}, n={self.n}, "
                f"efficiency={self.efficiency:.3f}, out_of_balance={self.out_of_balance:.3f})")


def _append_merged(ranges: list, start: int, end: int) -> None:
    if ranges and ranges[-1][1] == start:
        ranges[-1] = (ranges[-1][0], end)
    else:
        ranges.append((start, end))


def _wrap_merge(ranges: list) -> tuple:
    """Join the last range to the first when it runs across 0 into it."""
    if len(ranges) > 1 and ranges[-1][1] == ranges[0][0]:
        ranges = [(ranges[-1][0], ranges[0][1])] + ranges[1:-1]
    return tuple(ranges)
