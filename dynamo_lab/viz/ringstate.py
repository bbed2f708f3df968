"""The ring as the views see it: a reducer over ``ring.*`` events.

Views never look at a :class:`dynamo_lab.Ring`; they rebuild its shape from
the events it emits (``ring.created``, ``ring.node_added``,
``ring.node_removed``, ``ring.tokens_moved``, ``ring.ranges_moved``) and from
``net.crash`` / ``net.recover`` (a crashed node is drawn greyed out). The
preference list is then computed here from the tokens alone, by the paper's
rule (4.3): walk clockwise from the key, collect distinct physical nodes.
With strategy 2 (6.2) a key first falls into one of Q equal partitions,
and the walk starts at the end of that partition.

Examples
--------
>>> from dynamo_lab.events import EventLog
>>> log = EventLog(strict=False)
>>> _ = log.emit("ring.created", strategy=1, tokens_per_node=2, partitions=None, n=3)
>>> _ = log.emit("ring.node_added", node="A", zone=None, tokens=(10, 50))
>>> _ = log.emit("ring.node_added", node="B", zone=None, tokens=(30, 70))
>>> s = RingState()
>>> for ev in log:
...     s = apply(s, ev)
>>> s.node_tokens()
{'A': 2, 'B': 2}
>>> [node for node, tok in preference_list(s, 40, 2)]
['A', 'B']
>>> [node for node, tok in preference_list(s, 71, 2)]
['A', 'B']
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Iterable

from sortedcontainers import SortedDict

from ..dynamo.hashing import RING_SIZE, position

__all__ = ["RingState", "apply", "KINDS", "RING_SIZE", "key_position",
           "preference_list", "ranges", "loads", "efficiency"]

#: the event kinds the ring reducer reads
KINDS = ("ring.*", "net.crash", "net.recover")


def key_position(key: str | int) -> int:
    """A key's place on the ring: MD5 of its UTF-8 bytes as a 128-bit int.

    Ints are taken as positions already. This is the paper's hash (4.2),
    :func:`dynamo_lab.dynamo.hashing.position`.

    >>> key_position("K") == key_position("K") < RING_SIZE
    True
    """
    if isinstance(key, int):
        return key % RING_SIZE
    return position(key)


@dataclass
class RingState:
    """What the ring looks like after some prefix of the log.

    ``tokens`` maps position -> node (a SortedDict, so lookups by position
    are O(log n)); ``nodes`` maps each present node to its zone, in join
    order, and ``weights`` to the weight it joined with; ``seen`` lists every node ever added, so colours stay stable when
    one leaves. ``last_moves`` holds the ranges moved by the latest join or
    leave, ``changes`` counts joins and leaves (views use it to animate each
    change once).
    """

    strategy: int | None = None
    tokens_per_node: int | None = None
    partitions: int | None = None
    tokens: SortedDict = field(default_factory=SortedDict)
    nodes: dict = field(default_factory=dict)
    seen: list = field(default_factory=list)
    weights: dict = field(default_factory=dict)
    down: set = field(default_factory=set)
    last_change: tuple | None = None
    last_moves: tuple = ()
    changes: int = 0
    t: int = 0
    events: int = 0

    def node_tokens(self) -> dict[str, int]:
        """Tokens held per present node, in join order. O(tokens)."""
        out = {n: 0 for n in self.nodes}
        for node in self.tokens.values():
            out[node] = out.get(node, 0) + 1
        return out

    def zones(self) -> list:
        """Zones in first-seen order (None when nodes have no zone)."""
        out: list = []
        for z in self.nodes.values():
            if z not in out:
                out.append(z)
        return out


def apply(state: RingState, ev) -> RingState:
    """Fold one event into ``state`` (in place) and return it. O(tokens of the event)."""
    kind = ev.kind
    if kind == "ring.created":
        state = RingState(strategy=ev.strategy, tokens_per_node=ev.tokens_per_node,
                          partitions=ev.partitions, seen=list(state.seen),
                          down=set(state.down), changes=state.changes)
    elif kind == "ring.node_added":
        state.nodes[ev.node] = ev.zone
        state.weights[ev.node] = ev.get("weight") or 1
        if ev.node not in state.seen:
            state.seen.append(ev.node)
        for tok in ev.tokens:
            state.tokens[tok] = ev.node
    elif kind == "ring.node_removed":
        state.nodes.pop(ev.node, None)
        state.weights.pop(ev.node, None)
        for tok in ev.tokens:
            if state.tokens.get(tok) == ev.node:
                del state.tokens[tok]
        # a node that left may still hold tokens the event did not list
        for tok in [t for t, n in state.tokens.items() if n == ev.node]:
            del state.tokens[tok]
    elif kind == "ring.tokens_moved":
        for tok in ev.tokens:
            state.tokens[tok] = ev.dst
    elif kind == "ring.ranges_moved":
        state.last_change = (ev.node, ev.change)
        state.last_moves = tuple(tuple(m) for m in ev.moves)
        state.changes += 1
    elif kind == "net.crash":
        state.down.add(ev.node)
    elif kind == "net.recover":
        state.down.discard(ev.node)
    else:
        return state
    state.t = ev.t
    state.events += 1
    return state


def _walk_start(state: RingState, pos: int) -> int:
    """Where the clockwise walk for a key at ``pos`` begins.

    Strategy 2 places a whole partition ``(b[j-1], b[j]]``, with
    ``b[j] = j * 2**128 // Q``, from its end; strategies 1 and 3 walk from the
    key itself (in strategy 3 the tokens are the partition ends).
    """
    q = state.partitions
    if state.strategy == 2 and q:
        j = -(-pos * q // RING_SIZE)          # smallest j with b[j] >= pos
        while j * RING_SIZE // q < pos:       # floor division may undershoot
            j += 1
        while j > 0 and (j - 1) * RING_SIZE // q >= pos:
            j -= 1
        return (j * RING_SIZE // q) % RING_SIZE
    return pos


def preference_list(state: RingState, key: str | int, n: int = 3,
                    zones: bool = False) -> list[tuple[str, int]]:
    """The first ``n`` distinct nodes clockwise from ``key``, with the token
    where each was met; the coordinator comes first.

    With ``zones=True`` a node whose zone is already in the list is skipped
    while unseen zones remain. O(log T + walk).
    """
    return _walk(state, _walk_start(state, key_position(key)), n, zones)


def _walk(state: RingState, pos: int, n: int, zones: bool) -> list[tuple[str, int]]:
    toks = state.tokens
    if not toks:
        return []
    keys = toks.keys()
    i = bisect_left(keys, pos)
    size = len(keys)
    want_zones = zones and len(set(state.nodes.values())) > 1
    picked: list[tuple[str, int]] = []
    names: set[str] = set()
    zs: set = set()
    skipped: list[tuple[str, int]] = []
    for step in range(size):
        tok = keys[(i + step) % size]
        node = toks[tok]
        if node in names:
            continue
        zone = state.nodes.get(node)
        if want_zones and zone in zs:
            if all(n != node for n, _ in skipped):
                skipped.append((node, tok))
            continue
        picked.append((node, tok))
        names.add(node)
        zs.add(zone)
        if len(picked) == n:
            return picked
    for node, tok in skipped:  # fewer zones than n: fill with what was skipped
        if len(picked) == n:
            break
        if node not in names:
            picked.append((node, tok))
            names.add(node)
    return picked


def ranges(state: RingState) -> list[tuple[int, int, str]]:
    """Each token's range ``(start, end, node)``: keys with start < k <= end.

    In ring order; the first range wraps past zero. O(tokens).
    """
    keys = list(state.tokens.keys())
    out = []
    for j, tok in enumerate(keys):
        out.append((keys[j - 1], tok, state.tokens[tok]))
    return out


def loads(state: RingState, positions: Iterable[int], n: int = 3) -> dict[str, int]:
    """How many of the keys at ``positions`` each node stores as one of the
    ``n`` replicas. Every present node appears, in join order.

    Keys that share a walk start share a preference list, so the list is
    computed once per distinct start: O(K log T + starts * walk).
    """
    out = {node: 0 for node in state.nodes}
    cache: dict[int, list] = {}
    keys = state.tokens.keys()
    if not keys:
        return out
    for pos in positions:
        start = _walk_start(state, pos)
        i = bisect_left(keys, start) % len(keys)
        pl = cache.get(i)
        if pl is None:
            pl = cache[i] = [node for node, _ in _walk(state, keys[i], n, False)]
        for node in pl:
            out[node] += 1
    return out


def efficiency(load: dict[str, int]) -> float:
    """Mean load / max load (paper 6.2); 1.0 is perfect balance.

    >>> efficiency({"A": 10, "B": 30})
    0.6666666666666666
    """
    vals = list(load.values())
    if not vals or max(vals) == 0:
        return 1.0
    return (sum(vals) / len(vals)) / max(vals)
