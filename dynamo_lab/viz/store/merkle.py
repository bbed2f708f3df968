"""MerkleView: one anti-entropy exchange between two replicas (paper 4.7).

For each key range whose roots differed, the view draws the binary Merkle
tree of that range and lights the nodes whose hashes differed
(``merkle.diff``: level and positions, as the two sides compared them on
the way down) and the edges between lit nodes: the path from the root to
each differing leaf. Under a lit leaf it lists the keys anti-entropy shipped
for it (``merkle.repair``), placed by hashing the key into the range, as the
engine does.

Examples
--------
>>> from dynamo_lab import DynamoCluster
>>> c = DynamoCluster(nodes=["A", "B", "C"], seed=4, w=1)
>>> c.crash("C"); _ = c.put("k", "v", coordinator="A"); c.recover("C")
>>> c.run(ms=10_000)
>>> view = MerkleView(c)
>>> view.repaired()
(('C', 'k'),)
>>> path = view.lit()[0][1]
>>> [level for level, _ in path] == list(range(view.depth + 1))
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...dynamo.hashing import position
from ...events import Event
from ...text import plural
from ._base import StoreView

__all__ = ["MerkleView", "MerkleState", "leaf_of"]

_KEEP = 32
_W, _TREE_H, _LEVEL_H = 720, 0, 46
SPACE = 2 ** 128


def leaf_of(key: str, start: int, end: int, depth: int) -> int:
    """The leaf of a ``depth``-deep tree over ``(start, end]`` that holds ``key``.

    >>> leaf_of("k", 0, 0, 3) == position("k") * 8 // 2 ** 128
    True
    """
    size = (end - start) % SPACE or SPACE
    n = 1 << depth
    return min(n - 1, ((position(key) - start - 1) % SPACE) * n // size)


@dataclass
class MerkleState:
    """Recent exchanges by id; the deepest diff level seen (the tree depth)."""

    xs: dict = field(default_factory=dict)   # xid -> dict
    depth: int = 0
    last: int | None = None
    last_diff: int | None = None


class MerkleView(StoreView):
    """The Merkle diff of one anti-entropy exchange, differing branches lit.

    Parameters
    ----------
    source : DynamoCluster, Simulation or EventLog
    xid : int, optional
        The exchange; by default the latest one that found a difference
        (else the latest one).
    depth : int, optional
        Levels below the root (the cluster's ``merkle_depth``); by default
        the deepest level any ``merkle.diff`` reached, else 4.
    live : bool
        Display a widget that follows the log (default: static SVG).

    Notes
    -----
    Selectors: ``div.dl-merkle``; ``circle.dl-mnode`` per tree node with
    ``data-range`` (its end, hex), ``data-level``, ``data-index``, and
    ``dl-lit`` when its hashes differed; ``line.dl-medge`` per edge, also
    ``dl-lit`` on a differing path; ``text.dl-leaf-key`` per repaired key
    (``data-key``, ``data-node``: the replica it repaired).
    """

    css_class = "dl-merkle"
    kinds = ("merkle.*",)

    def __init__(self, source: Any, xid: int | None = None, depth: int | None = None,
                 live: bool = False) -> None:
        self.xid, self._depth = xid, depth
        super().__init__(source, live=live)

    def initial(self) -> MerkleState:
        return MerkleState()

    def apply(self, state: MerkleState, event: Event) -> MerkleState:
        kind = event.kind
        if kind == "merkle.exchange":
            state.xs[event.xid] = {"a": event.a, "b": event.b, "t": event.t, "ranges": event.ranges,
                                   "diffs": {}, "repairs": [], "done": None}
            state.last = event.xid
            if len(state.xs) > 2 * _KEEP:       # forget old exchanges in batches
                keep = (self.xid, state.last_diff)
                for old in list(state.xs)[:len(state.xs) - _KEEP]:
                    if old not in keep:
                        del state.xs[old]
        elif kind == "merkle.diff":
            x = state.xs.get(event.xid)
            if x is not None:
                lit = x["diffs"].setdefault(tuple(event.range), set())
                lit.update((event.level, i) for i in event.indexes)
                state.last_diff = event.xid
            state.depth = max(state.depth, event.level)
        elif kind == "merkle.repair":
            pair = {event.node, event.src}
            for xid in reversed(list(state.xs)):
                x = state.xs[xid]
                if {x["a"], x["b"]} == pair and x["diffs"]:
                    x["repairs"].append((event.node, event.src, event.key))
                    break
        elif kind == "merkle.done":
            x = state.xs.get(event.xid)
            if x is not None:
                x["done"] = (event.ranges_differing, event.hashes_compared, event.keys_sent,
                             event.keys_full, event.repaired)
        return state

    # -- reading --------------------------------------------------------
    @property
    def depth(self) -> int:
        """Levels below the root."""
        return self._depth if self._depth is not None else (self.state.depth or 4)

    def exchange(self, state: MerkleState | None = None) -> tuple[int | None, dict | None]:
        """``(xid, record)`` of the exchange drawn."""
        state = self.state if state is None else state
        xid = self.xid if self.xid is not None else (
            state.last_diff if state.last_diff is not None else state.last)
        return xid, state.xs.get(xid)

    def lit(self) -> list[tuple[tuple, list]]:
        """``[(range, sorted [(level, index), ...]), ...]`` for each differing range."""
        _, x = self.exchange()
        if x is None:
            return []
        return [(rng, sorted(x["diffs"][rng])) for rng in sorted(x["diffs"])]

    def repaired(self) -> tuple:
        """``((node repaired, key), ...)`` shipped by the exchange, sorted."""
        _, x = self.exchange()
        return tuple(sorted({(n, k) for n, _, k in x["repairs"]})) if x else ()

    # -- drawing --------------------------------------------------------
    def render(self, state: MerkleState) -> dict:
        xid, x = self.exchange(state)
        depth = self._depth if self._depth is not None else (state.depth or 4)
        items: list = []
        add = items.append
        if x is None:
            add(["text", "title", {"class": "dl-title", "x": 10, "y": 18},
                 "no anti-entropy exchange yet"])
            return {"w": _W, "h": 30, "items": items}
        title = f"anti-entropy exchange {xid}: {x['a']} ↔ {x['b']}, {plural(x['ranges'], 'shared range')}"
        if x["done"]:
            diff, hashes, sent, full, rep = x["done"]
            title += (f", {diff} {'differs' if diff == 1 else 'differ'} · "
                      f"{plural(hashes, 'hash', 'hashes')} compared · "
                      f"{sent} of {plural(full, 'key')} sent")
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18}, title])
        y0 = 40
        tree_h = depth * _LEVEL_H + 96     # room for up to six rows of leaf labels
        for ti, rng in enumerate(sorted(x["diffs"])[:4]):
            start, end = rng
            lit = x["diffs"][rng]
            top = y0 + ti * (tree_h + 24)
            tag = f"{end:x}"
            add(["text", f"rt:{tag}", {"class": "dl-caption", "x": 10, "y": top + 10},
                 f"range ({start:#x}, {end:#x}]"[:90]])

            def at(level: int, i: int, top: float = top) -> tuple[float, float]:
                return (20 + (i + 0.5) * (_W - 40) / (1 << level), top + 28 + level * _LEVEL_H)

            for level in range(1, depth + 1):
                for i in range(1 << level):
                    (x1, y1), (x2, y2) = at(level - 1, i // 2), at(level, i)
                    on = (level, i) in lit and (level - 1, i // 2) in lit
                    add(["line", f"me:{tag}:{level}:{i}", {
                        "class": "dl-medge dl-lit" if on else "dl-medge", "x1": round(x1, 2),
                        "y1": y1, "x2": round(x2, 2), "y2": y2}, ""])
            for level in range(depth + 1):
                for i in range(1 << level):
                    cx, cy = at(level, i)
                    on = (level, i) in lit
                    add(["circle", f"mn:{tag}:{level}:{i}", {
                        "class": "dl-mnode dl-lit" if on else "dl-mnode", "cx": round(cx, 2),
                        "cy": cy, "r": 6 if level < depth else 5, "data-range": tag,
                        "data-level": level, "data-index": i}, ""])
            below: dict[int, list] = {}
            for node, src, key in x["repairs"]:
                leaf = leaf_of(key, start, end, depth)
                if (depth, leaf) in lit:
                    below.setdefault(leaf, []).append((key, node, src))
            for leaf, keys in sorted(below.items()):
                cx, cy = at(depth, leaf)
                # Two neighbouring leaves' labels are wider than the gap between
                # them: then each takes every other row (even leaves the first).
                packed = (leaf - 1) in below or (leaf + 1) in below
                for j, (key, node, src) in enumerate(sorted(set(keys))[:3]):
                    row = 2 * j + leaf % 2 if packed else j
                    add(["text", f"lk:{tag}:{leaf}:{j}", {
                        "class": "dl-leaf-key", "x": round(cx, 2), "y": cy + 20 + 12 * row,
                        "text-anchor": "middle", "font-size": 10, "data-key": key,
                        "data-node": node}, f"{key}→{node}"[:18]])
        shown = min(len(x["diffs"]), 4)
        h = y0 + shown * (tree_h + 24) + 10 if shown else y0 + 20
        if not shown:
            add(["text", "same", {"class": "dl-caption", "x": 10, "y": y0 + 4},
                 "every root matched: one hash per range, nothing to send"])
        return {"w": _W, "h": h, "items": items}

    def summary(self, state: MerkleState) -> str:
        xid, x = self.exchange(state)
        if x is None:
            return "no exchange"
        lit = sum(len(v) for v in x["diffs"].values())
        keys = sorted({k for _, _, k in x["repairs"]})
        return (f"exchange {xid} {x['a']}<->{x['b']}: {plural(len(x['diffs']), 'range')} "
                f"{'differs' if len(x['diffs']) == 1 else 'differ'}, "
                f"{plural(lit, 'hash', 'hashes')} lit, repaired {','.join(keys) or '-'}")
