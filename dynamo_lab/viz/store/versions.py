"""VersionView: the version DAG of one key (paper 4.4, Figure 3).

Every distinct vector clock the log shows for the key (``replica.write``,
``hint.stored``, a put's ``request.ok``) is one version, named D1, D2, ... in
the order they appeared. An edge runs from a version to each version that
descends from it directly (networkx's transitive reduction of "descends"),
and the drawing is laid out by topological generations: one row per
generation, so concurrent versions (siblings) stand side by side and a
reconciled version sits below the siblings it merges.

Which node holds which version now comes from the same events: a replica
that stores a version drops those it supersedes.

Examples
--------
The paper's Figure 3:

>>> from dynamo_lab import DynamoCluster
>>> c = DynamoCluster(nodes=["Sx", "Sy", "Sz"], seed=7)
>>> d1 = c.put("k", "D1", coordinator="Sx")
>>> d2 = c.put("k", "D2", context=d1.context, coordinator="Sx")
>>> d3 = c.put("k", "D3", context=d2.context, coordinator="Sy")
>>> d4 = c.put("k", "D4", context=d2.context, coordinator="Sz")
>>> d5 = c.put("k", "D5", context=c.get("k").context, coordinator="Sx")
>>> view = VersionView(c, key="k")
>>> view
<VersionView 'k': 5 versions in 4 generations, siblings D3|D4, merges D5>
>>> view.generations()
[['D1'], ['D2'], ['D3', 'D4'], ['D5']]
>>> view.clock("D5")
'[Sx,3][Sy,1][Sz,1]'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ...dynamo.vclock import VectorClock
from ...events import Event
from ._base import StoreView, arrow_head, clock_key, clock_text

__all__ = ["VersionView", "VersionState"]

_BW, _BH, _GX, _GY = 170, 58, 26, 44
_MAX = 40   # versions drawn (the most recent)


@dataclass
class VersionState:
    """Per key: versions by clock identity, and what each node holds."""

    versions: dict = field(default_factory=dict)   # key -> {ck: [label, entries, gap, value, t]}
    held: dict = field(default_factory=dict)       # key -> {node: set of ck}
    last: str | None = None


def _vc(rec: list) -> VectorClock:
    return VectorClock(rec[1], gap=rec[2])


class VersionView(StoreView):
    """The version DAG of one key, laid out with networkx.

    Parameters
    ----------
    source : DynamoCluster, Simulation or EventLog
    key : str, optional
        The key; by default the key written last.
    live : bool
        Display a widget that follows the log (default: static SVG).

    Notes
    -----
    Selectors: ``div.dl-versions``; ``rect.dl-version`` per version with
    ``data-version`` (D1, D2, ...), ``data-clock`` (``[Sx,2][Sy,1]``),
    ``data-generation`` (0 is the oldest) and ``data-holders``; class
    ``dl-sibling`` when it shares its generation (concurrent versions),
    ``dl-merge`` when it descends directly from two or more versions,
    ``dl-current`` while some replica holds it; ``path.dl-edge`` per edge
    (``data-from``, ``data-to``, ``data-writer``: the node whose counter grew).
    """

    css_class = "dl-versions"
    kinds = ("replica.write", "hint.stored", "request.ok", "vclock.siblings")

    def __init__(self, source: Any, key: str | None = None, live: bool = False) -> None:
        self.key = key
        super().__init__(source, live=live)

    # -- the reducer ----------------------------------------------------
    def initial(self) -> VersionState:
        return VersionState()

    def _version(self, state: VersionState, key: str, clock: tuple, gap, value, t) -> tuple:
        vs = state.versions.setdefault(key, {})
        ck = clock_key(clock)
        if gap is not None:
            ck = ck + (("/gap",) + tuple(gap),)
        rec = vs.get(ck)
        if rec is None:
            rec = vs[ck] = [f"D{len(vs) + 1}", tuple(clock), tuple(gap) if gap else None, value, t]
        elif rec[3] is None and value is not None:
            rec[3] = value
        return ck, rec

    def apply(self, state: VersionState, event: Event) -> VersionState:
        kind = event.kind
        key = event.key
        if self.key is not None and key != self.key:
            return state
        if kind == "request.ok":
            if event.op == "put" and event.clocks:
                self._version(state, key, event.clocks[0], None, None, event.t)
                state.last = key
            return state
        if kind == "vclock.siblings":
            for c in event.clocks:
                self._version(state, key, c, None, None, event.t)
            return state
        ck, rec = self._version(state, key, event.clock, event.get("gap"),
                                event.get("value"), event.t)
        state.last = key
        if kind == "replica.write" and event.outcome != "obsolete":
            held = state.held.setdefault(key, {})
            mine = _vc(rec)
            vs = state.versions[key]
            cur = {c for c in held.get(event.node, ()) if c != ck and not mine.descends(_vc(vs[c]))}
            cur.add(ck)
            held[event.node] = cur
        return state

    # -- the DAG --------------------------------------------------------
    def shown_key(self, state: VersionState | None = None) -> str | None:
        state = self.state if state is None else state
        return self.key if self.key is not None else state.last

    def graph(self, state: VersionState | None = None) -> nx.DiGraph:
        """The DAG of the key's versions: nodes are labels (D1, ...), an edge
        ``a -> b`` when ``b`` descends from ``a`` directly. O(V^2) clock tests."""
        state = self.state if state is None else state
        vs = state.versions.get(self.shown_key(state), {})
        recs = sorted(vs.values(), key=lambda r: int(r[0][1:]))[-_MAX:]
        g = nx.DiGraph()
        clocks = {r[0]: _vc(r) for r in recs}
        for r in recs:
            g.add_node(r[0])
        for a, ca in clocks.items():
            for b, cb in clocks.items():
                if a != b and cb.descends(ca) and not (ca.descends(cb) and a > b):
                    g.add_edge(a, b)
        if not nx.is_directed_acyclic_graph(g):  # equal clocks under truncation
            g.remove_edges_from([e for e in g.edges if g.has_edge(e[1], e[0])])
        red = nx.transitive_reduction(g)
        red.add_nodes_from(g.nodes)
        return red

    def generations(self, state: VersionState | None = None) -> list[list[str]]:
        """Topological generations, each sorted D1, D2, ... (siblings share one)."""
        g = self.graph(state)
        return [sorted(gen, key=lambda x: int(x[1:])) for gen in nx.topological_generations(g)]

    def _rec(self, label: str, state: VersionState | None = None) -> list:
        state = self.state if state is None else state
        vs = state.versions.get(self.shown_key(state), {})
        return next(r for r in vs.values() if r[0] == label)

    def clock(self, label: str) -> str:
        """A version's clock as the paper writes it."""
        r = self._rec(label)
        return clock_text(r[1], r[2])

    def holders(self, label: str, state: VersionState | None = None) -> list[str]:
        """Nodes that hold the version now, sorted."""
        state = self.state if state is None else state
        key = self.shown_key(state)
        vs = state.versions.get(key, {})
        ck = next(c for c, r in vs.items() if r[0] == label)
        return sorted(n for n, cur in state.held.get(key, {}).items() if ck in cur)

    # -- drawing --------------------------------------------------------
    def render(self, state: VersionState) -> dict:
        key = self.shown_key(state)
        g = self.graph(state)
        gens = self.generations(state)
        width = max([len(gen) for gen in gens] + [1]) * (_BW + _GX) + 40
        width = max(width, 420)
        items: list = []
        add = items.append
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18},
             f"versions of {key!r}" if key is not None else "no versions yet"])
        pos = {}
        for gi, gen in enumerate(gens):
            row_w = len(gen) * (_BW + _GX) - _GX
            for i, label in enumerate(gen):
                pos[label] = (width / 2 - row_w / 2 + i * (_BW + _GX), 34 + gi * (_BH + _GY), gi)
        for a, b in sorted(g.edges, key=lambda e: (int(e[0][1:]), int(e[1][1:]))):
            xa, ya, _ = pos[a]
            xb, yb, _ = pos[b]
            x1, y1, x2, y2 = xa + _BW / 2, ya + _BH, xb + _BW / 2, yb
            writer = _writer(self._rec(b, state), [self._rec(p, state) for p in g.predecessors(b)])
            add(["path", f"e:{a}:{b}", {"class": "dl-edge", "d": f"M{x1:.2f} {y1}L{x2:.2f} {y2}",
                                        "data-from": a, "data-to": b, "data-writer": writer}, ""])
            add(["path", f"eh:{a}:{b}", {"class": "dl-head", "d": arrow_head(x1, y1, x2, y2)}, ""])
        for label, (x, y, gi) in sorted(pos.items(), key=lambda p: int(p[0][1:])):
            rec = self._rec(label, state)
            holders = self.holders(label, state)
            preds = list(g.predecessors(label))
            cls = "dl-version"
            if holders:
                cls += " dl-current"
            if len(gens[gi]) > 1:
                cls += " dl-sibling"
            if len(preds) > 1:
                cls += " dl-merge"
            ctext = clock_text(rec[1], rec[2])
            add(["rect", f"v:{label}", {"class": cls, "x": round(x, 2), "y": y, "width": _BW,
                                        "height": _BH, "rx": 6, "data-version": label,
                                        "data-clock": ctext, "data-generation": gi,
                                        "data-holders": ",".join(holders)}, ""])
            value = f" = {rec[3]}" if rec[3] is not None else ""
            writer = _writer(rec, [self._rec(p, state) for p in preds])
            add(["text", f"vl:{label}", {"x": round(x + 8, 2), "y": y + 16,
                                         "font-weight": 600}, f"{label}{value}"[:28]])
            add(["text", f"vc:{label}", {"x": round(x + 8, 2), "y": y + 32}, ctext[:30]])
            who = f"by {writer}" + (f" · on {','.join(holders)}" if holders else "")
            add(["text", f"vh:{label}", {"class": "dl-muted", "x": round(x + 8, 2),
                                         "y": y + 48, "font-size": 10}, who[:34]])
        h = 34 + len(gens) * (_BH + _GY) + 10
        return {"w": round(width, 2), "h": h, "items": items}

    def summary(self, state: VersionState) -> str:
        key = self.shown_key(state)
        if key is None:
            return "no versions yet"
        g = self.graph(state)
        gens = self.generations(state)
        nv, ng = g.number_of_nodes(), len(gens)
        text = (f"{key!r}: {nv} version{'' if nv == 1 else 's'} in {ng} "
                f"generation{'' if ng == 1 else 's'}")
        sib = ["|".join(gen) for gen in gens if len(gen) > 1]
        merges = [v for v in sorted(g.nodes, key=lambda x: int(x[1:])) if g.in_degree(v) > 1]
        if sib:
            text += ", siblings " + " ".join(sib)
        if merges:
            text += ", merges " + ",".join(merges)
        return text


def _writer(rec: list, parents: list) -> str:
    """The node whose counter grew: the write's coordinator (paper 4.4)."""
    mine = dict(clock_key(rec[1]))
    best = {}
    for p in parents:
        for n, c in clock_key(p[1]):
            best[n] = max(best.get(n, 0), c)
    grew = [n for n, c in mine.items() if c > best.get(n, 0)]
    return ",".join(sorted(grew)) or "?"
