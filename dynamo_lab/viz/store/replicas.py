"""ReplicaView: where a key's replicas live on the ring (paper 4.3, 4.6).

The ring itself is the framework's (:func:`dynamo_lab.viz.ring.ring_scene`
over :mod:`dynamo_lab.viz.ringstate`); this view draws on top of it, for
each chosen key: the key, its preference list (the N home replicas, filled
once they hold a version, hollow while they do not), and every hinted copy
(paper 4.6) drawn apart, on an outer orbit at the fallback node that keeps
it, with a dashed line to the home node it is meant for. When the hint is
delivered the same element moves, by CSS transition in the browser, onto
its home node and turns green; a hint lost with its holder's disk
(``crash(node, lose_disk=True)``, a permanent failure) turns red.

Everything comes from events: ``ring.*`` and ``net.*`` for the ring,
``cluster.created`` for N and zones, ``replica.write`` for who holds a
version, ``hint.stored`` / ``hint.delivered`` / ``hint.lost`` for hints.

Examples
--------
>>> from dynamo_lab import DynamoCluster
>>> c = DynamoCluster(nodes=5, seed=3)
>>> home = c.preference_list("cart")[:3]
>>> c.crash(home[1])
>>> _ = c.put("cart", "pen"); c.run(ms=100)
>>> view = ReplicaView(c, keys="cart", live=False)
>>> [(h[0], h[1], h[3]) for h in view.hints()] == [(c.preference_list("cart")[3], home[1], "stored")]
True
>>> c.recover(home[1]); c.run(ms=3000)
>>> [h[3] for h in view.hints()]
['delivered']
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from ...events import Event
from .. import ringstate
from ..ring import CX, CY, H, R, ring_scene
from ..ringstate import RingState, key_position
from ..svg import polar
from ._base import StoreView, clock_key
from ._base import older as _older

__all__ = ["ReplicaView", "ReplicaState"]

_KEY_COLORS = ["#d62728", "#1f77b4", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


@dataclass
class ReplicaState:
    """The ring plus, per key, who holds versions and hints."""

    ring: RingState = field(default_factory=RingState)
    n: int = 3
    zones: bool = False
    held: dict = field(default_factory=dict)    # key -> {node: set of clock keys}
    hints: dict = field(default_factory=dict)   # key -> {(holder, target): {clock: status}}
    last: str | None = None                     # the key written last


def _r(x: float) -> float:
    return round(x, 2)


class ReplicaView(StoreView):
    """Replica placement of one or more keys, with hinted copies and handoff.

    Parameters
    ----------
    source : DynamoCluster, Simulation or EventLog
    keys : str or iterable of str, optional
        The keys to draw; by default the key written last.
    live : bool
        Display a widget that follows the log (default True): hints move
        to their home node with a CSS transition when delivered.

    Notes
    -----
    Selectors, besides the ring's (see :class:`~dynamo_lab.viz.RingView`):
    ``div.dl-replicas``; ``circle.dl-replica`` per home replica with
    ``data-key``, ``data-node``, ``data-rank`` (1..N) and class ``dl-held``
    or ``dl-missing`` (plus ``dl-down`` if its node is down), ``dl-extra``
    for a node outside the top N that holds a version; ``circle.dl-hint``
    per hinted copy with ``data-key``, ``data-node`` (holder),
    ``data-target`` (home node) and class ``dl-hint-stored``,
    ``dl-hint-delivered`` or ``dl-hint-lost``; ``path.dl-hint-link`` its
    line to the home node; ``circle.dl-key-chosen`` per key (``data-key``).
    """

    css_class = "dl-replicas"
    live = True
    kinds = (*ringstate.KINDS, "cluster.created", "replica.write", "hint.*")

    def __init__(self, source: Any, keys: str | Iterable[str] | None = None,
                 live: bool | None = None) -> None:
        self.keys = (keys,) if isinstance(keys, str) else (tuple(keys) if keys else None)
        super().__init__(source, live=live)

    # -- the reducer ----------------------------------------------------
    def initial(self) -> ReplicaState:
        return ReplicaState()

    def apply(self, state: ReplicaState, event: Event) -> ReplicaState:
        kind = event.kind
        if kind == "cluster.created":
            state.n = event.n
            state.zones = any(z is not None for _, z in event.zones)
            return state
        if not (kind.startswith("replica.") or kind.startswith("hint.")):
            state.ring = ringstate.apply(state.ring, event)
            return state
        key = event.get("key")
        if key is None or (self.keys is not None and key not in self.keys):
            return state
        if key not in state.held:
            state.held[key] = {}
            state.hints[key] = {}
        state.last = key
        ck = clock_key(event.clock)
        if kind == "replica.write":
            if event.outcome != "obsolete":
                state.held[key].setdefault(event.node, set()).add(ck)
        elif kind == "hint.stored":
            if event.outcome != "obsolete":
                h = state.hints[key].setdefault((event.node, event.target), {})
                for old in [c for c, st in h.items() if st == "stored" and _older(c, ck)]:
                    del h[old]     # the holder replaced an older hinted version
                h[ck] = "stored"
        elif kind in ("hint.delivered", "hint.lost"):
            h = state.hints[key].setdefault((event.node, event.target), {})
            h[ck] = kind[5:]
        return state

    # -- reading --------------------------------------------------------
    def shown_keys(self, state: ReplicaState | None = None) -> tuple:
        """The keys drawn: those asked for, or the one written last."""
        state = self.state if state is None else state
        if self.keys is not None:
            return self.keys
        return (state.last,) if state.last is not None else ()

    def preference_list(self, key: str, state: ReplicaState | None = None) -> list[str]:
        """The key's N home nodes, computed from the view's own ring."""
        state = self.state if state is None else state
        return [x for x, _ in ringstate.preference_list(state.ring, key, state.n, state.zones)]

    def holders(self, key: str) -> list[str]:
        """Nodes that stored a version of ``key`` as their own data (sorted)."""
        return sorted(self.state.held.get(key, {}))

    def hints(self, key: str | None = None) -> list[tuple]:
        """``(holder, target, key, status)`` of every hinted copy drawn.

        A status is ``'stored'`` while any version of the hint waits,
        ``'lost'`` if one was lost, else ``'delivered'``.
        """
        out = []
        for k in ((key,) if key else self.shown_keys()):
            for (holder, target), clocks in sorted(self.state.hints.get(k, {}).items()):
                out.append((holder, target, k, _status(clocks)))
        return out

    # -- drawing --------------------------------------------------------
    def render(self, state: ReplicaState) -> dict:
        keys = self.shown_keys(state)
        ring = state.ring
        # the ring without its join/leave flashes: here they would hide the replicas
        base = ring_scene(replace(ring, last_moves=(), last_change=None), None, state.n)
        items = base["items"]
        add = items.append
        lines: list[str] = []
        for ki, key in enumerate(keys):
            col = _KEY_COLORS[ki % len(_KEY_COLORS)]
            walk = ringstate.preference_list(ring, key, max(len(ring.nodes), 1), state.zones)
            tok = {x: t for x, t in walk}
            homes = [x for x, _ in walk[:state.n]]
            held = state.held.get(key, {})
            kpos = key_position(key)
            x, y = polar(CX, CY, R - 24 - 8 * ki, kpos)
            add(["circle", f"rk:{key}", {"class": "dl-key dl-key-chosen", "cx": _r(x), "cy": _r(y),
                                         "r": 5, "fill": col, "data-key": key}, ""])
            home_xy = {}
            rad = R + 20 + 10 * ki
            for rank, node in enumerate(homes, 1):
                hx, hy = polar(CX, CY, rad, tok[node])
                home_xy[node] = (hx, hy)
                cls = "dl-replica " + ("dl-held" if node in held else "dl-missing")
                if node in ring.down:
                    cls += " dl-down"
                add(["circle", f"rp:{key}:{node}", {"class": cls, "cx": _r(hx), "cy": _r(hy),
                                                     "r": 7, "stroke": col, "data-key": key,
                                                     "data-node": node, "data-rank": rank}, ""])
                if ki == 0:
                    lx, ly = polar(CX, CY, R + 36 + 10 * (len(keys) - 1), tok[node])
                    add(["text", f"rl:{node}", {"class": "dl-pref-label", "x": _r(lx),
                                                "y": _r(ly), "font-size": 10}, node])
            for node in sorted(held):
                if node not in home_xy and node in tok:
                    ex, ey = polar(CX, CY, rad, tok[node])
                    add(["circle", f"rp:{key}:{node}", {"class": "dl-replica dl-extra",
                                                         "cx": _r(ex), "cy": _r(ey), "r": 4,
                                                         "data-key": key, "data-node": node}, ""])
            hint_text = []
            for (holder, target), clocks in sorted(state.hints.get(key, {}).items()):
                status = _status(clocks)
                hint_text.append(f"{holder}→{target} {status}")
                if holder not in tok:
                    continue
                fx, fy = polar(CX, CY, R + 52 + 10 * ki, tok[holder])
                tx, ty = home_xy.get(target) or (
                    polar(CX, CY, rad, tok[target]) if target in tok else (fx, fy))
                cx, cy = (tx, ty) if status == "delivered" else (fx, fy)
                hid = f"{key}:{holder}:{target}"
                add(["path", f"hl:{hid}", {"class": f"dl-hint-link dl-hint-{status}",
                                           "d": f"M{_r(fx)} {_r(fy)}L{_r(tx)} {_r(ty)}",
                                           "data-key": key, "data-node": holder,
                                           "data-target": target}, ""])
                add(["circle", f"h:{hid}", {"class": f"dl-hint dl-hint-{status}", "cx": _r(cx),
                                            "cy": _r(cy), "r": 6, "data-key": key,
                                            "data-node": holder, "data-target": target,
                                            "data-status": status}, ""])
            marks = [f"{x}{'' if x in held else ' (no copy)'}{' (down)' if x in ring.down else ''}"
                     for x in homes]
            text = f"{key!r}: " + ", ".join(marks)
            if hint_text:
                text += " · hints " + ", ".join(hint_text)
            lines.append(text)
        for i, text in enumerate(lines):
            add(["text", f"rc:{i}", {"class": "dl-caption", "x": 10, "y": H + 14 + 16 * i,
                                     "data-key": keys[i]}, text])
        return {"w": base["w"], "h": H + 16 * len(lines) + 8, "items": items}

    def summary(self, state: ReplicaState) -> str:
        keys = self.shown_keys(state)
        parts = []
        for key in keys:
            held = state.held.get(key, {})
            hints = state.hints.get(key, {})
            st = [_status(c) for c in hints.values()]
            text = f"{key!r} on {','.join(self.preference_list(key, state)) or '-'} " \
                   f"({len(held)} hold it)"
            if st:
                text += f", hints {st.count('stored')} stored {st.count('delivered')} delivered"
                if st.count("lost"):
                    text += f" {st.count('lost')} lost"
            parts.append(text)
        return f"N={state.n}: " + ("; ".join(parts) or "no key yet")


def _status(clocks: dict) -> str:
    vals = set(clocks.values())
    if "stored" in vals:
        return "stored"
    if "lost" in vals:
        return "lost"
    return "delivered"
