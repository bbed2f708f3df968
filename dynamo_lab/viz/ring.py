"""RingView: the consistent-hash ring drawn live in SVG (paper 4.2, 4.3, 6.2).

The view is a reducer over ``ring.*`` events (see
:mod:`dynamo_lab.viz.ringstate`); it never reads the engine's state. Its
controls send commands to the engine, and what the engine does comes back as
events, which is how the drawing changes.
"""
from __future__ import annotations

import math
import re
from typing import Any, Iterable

import traitlets

from ..errors import ArgumentError, UsageError
from ..events import Event
from ..text import plural
from . import ringstate
from .base import View
from .ringstate import RingState, key_position
from .svg import ZONE_COLORS, arc_path, color, dress, html_block, polar, to_svg
from .widget import SceneWidget, scene_json

__all__ = ["RingView", "ring_scene"]

W, H = 660, 470                  # drawing size
CX, CY, R = 215, 215, 170        # ring centre and radius
_MAX_KEYS = 500                  # sample keys drawn as dots
_MAX_MOVES = 400                 # moved ranges drawn for one change


def _r(x: float) -> float:
    return round(x, 2)


def ring_scene(state: RingState, key: str | None = None, n: int = 3,
               keys: Iterable[int] = (), zones: bool = False) -> dict:
    """The drawing of a ring state as a keyed scene (see :mod:`.svg`).

    Deterministic: the same state gives the same scene. O(tokens + keys).

    Parameters
    ----------
    state : RingState
    key : str, optional
        The key whose preference list is highlighted.
    n : int
        The preference list's length N.
    keys : iterable of int
        Ring positions of sample keys, drawn as small dots.
    zones : bool
        Highlight the zone-aware preference list instead of the plain one.

    Examples
    --------
    >>> s = RingState(strategy=1, tokens_per_node=1)
    >>> s.nodes.update(A=None, B=None); s.seen += ["A", "B"]
    >>> s.tokens.update({1: "A", 2 ** 127: "B"})
    >>> sc = ring_scene(s, key="K", n=2)
    >>> sum(1 for it in sc["items"] if it[2].get("class", "").startswith("dl-token"))
    2
    """
    items: list = []
    add = items.append
    cidx = {node: i for i, node in enumerate(state.seen)}
    zlist = state.zones()
    zcol = {z: ZONE_COLORS[i % len(ZONE_COLORS)] for i, z in enumerate(zlist)}
    ntok = len(state.tokens)
    tr = max(1.5, min(5.0, 2 * math.pi * R / max(ntok, 1) / 2.5))   # ~ spacing / 2.5

    add(["circle", "track", {"class": "dl-track", "cx": CX, "cy": CY, "r": R}, ""])
    on_ring = {tok: polar(CX, CY, R, tok) for tok in state.tokens}
    spans = ringstate.ranges(state)
    for start, end, node in spans:
        cls = "dl-range dl-down" if node in state.down else "dl-range"
        add(["path", f"r:{end:x}", {"class": cls, "d": arc_path(CX, CY, R, start, end, on_ring),
                                    "stroke": color(cidx.get(node, 0)), "data-node": node}, ""])
    if len(zlist) > 1:
        merged: list = []
        for start, end, node in spans:
            z = state.nodes.get(node)
            if merged and merged[-1][2] == z:
                merged[-1][1] = end
            else:
                merged.append([start, end, z])
        if len(merged) > 1 and merged[0][2] == merged[-1][2]:
            merged[0][0] = merged.pop()[0]
        for start, end, z in merged:
            add(["path", f"z:{end:x}", {"class": "dl-zone", "d": arc_path(CX, CY, R - 10, start, end),
                                        "stroke": zcol[z], "data-zone": str(z)}, ""])
    for i, (start, end, src, dst) in enumerate(state.last_moves[:_MAX_MOVES]):
        who = dst if dst is not None else src
        add(["path", f"m:{state.changes}:{i}",
             {"class": "dl-move", "d": arc_path(CX, CY, R + 14, start, end),
              "stroke": color(cidx.get(who, 0)), "data-from": str(src), "data-to": str(dst)}, ""])
    for tok, node in state.tokens.items():
        x, y = on_ring[tok]
        attrs = {"class": "dl-token dl-down" if node in state.down else "dl-token",
                 "cx": _r(x), "cy": _r(y), "r": _r(tr), "fill": color(cidx.get(node, 0)),
                 "data-node": node}
        if state.nodes.get(node) is not None:
            attrs["data-zone"] = state.nodes[node]
        add(["circle", f"t:{tok:x}", attrs, ""])
    for i, pos in enumerate(keys):
        if i >= _MAX_KEYS:
            break
        x, y = polar(CX, CY, R - 24, pos)
        add(["circle", f"k:{i}", {"class": "dl-key", "cx": _r(x), "cy": _r(y), "r": 2}, ""])

    pref: list = []
    if key:
        kpos = key_position(key)
        pref = ringstate.preference_list(state, kpos, n, zones=zones)
        if pref:
            add(["path", "walk", {"class": "dl-walk",
                                  "d": arc_path(CX, CY, R - 17, kpos, pref[-1][1])}, ""])
        for i, (node, tok) in enumerate(pref):
            x, y = on_ring[tok]
            cls = "dl-pref dl-coordinator" if i == 0 else "dl-pref"
            add(["circle", f"p:{i}", {"class": cls, "cx": _r(x), "cy": _r(y), "r": _r(tr + 4),
                                      "data-node": node, "data-rank": i + 1}, ""])
            lx, ly = polar(CX, CY, R + 28 + 12 * i, tok)
            add(["text", f"pl:{i}", {"class": "dl-pref-label", "x": _r(lx), "y": _r(ly)}, str(i + 1)])
        x, y = polar(CX, CY, R - 24, kpos)
        add(["circle", "key", {"class": "dl-key dl-key-chosen", "cx": _r(x), "cy": _r(y), "r": 5,
                               "data-key": key}, ""])
    _legend(items, state, cidx, zcol)
    _captions(items, state, key, n, pref, zones)
    return {"w": W, "h": H, "items": dress(items)}


def _legend(items: list, state: RingState, cidx: dict, zcol: dict) -> None:
    counts = state.node_tokens()
    rows: list = []
    zlist = state.zones()
    for z in zlist:
        if len(zlist) > 1 or z is not None:
            rows.append(("zone", z))
        rows.extend(("node", node) for node in state.nodes if state.nodes[node] == z)
    per_col = 26
    cols = max(1, -(-len(rows) // per_col))
    width = (W - 440) / cols
    for i, (what, name) in enumerate(rows):
        x = 440 + (i // per_col) * width
        y = 24 + (i % per_col) * 16
        if what == "zone":
            items.append(["text", f"lz:{name}", {"class": "dl-legend-zone", "x": _r(x), "y": y,
                                                 "fill": zcol[name]}, f"zone {name}"])
            continue
        down = " (down)" if name in state.down else ""
        items.append(["rect", f"ln:{name}", {"class": "dl-legend-swatch", "x": _r(x), "y": y - 9,
                                            "width": 10, "height": 10,
                                            "fill": color(cidx.get(name, 0))}, ""])
        label = f"{name}  {counts.get(name, 0)}{down}" if cols > 1 else \
            f"{name}  {plural(counts.get(name, 0), 'token')}{down}"
        items.append(["text", f"lt:{name}", {"class": "dl-legend", "x": _r(x + 14), "y": y,
                                            "data-node": name}, label])


def _describe(state: RingState) -> str:
    parts = []
    if state.strategy is not None:
        parts.append(f"strategy {state.strategy}")
    if state.tokens_per_node:
        parts.append(f"T={state.tokens_per_node}")
    if state.partitions:
        parts.append(f"Q={state.partitions}")
    parts.append(plural(len(state.nodes), "node"))
    parts.append(plural(len(state.tokens), "token"))
    return " · ".join(parts)


def _captions(items: list, state: RingState, key, n, pref, zones) -> None:
    items.append(["text", "cap", {"class": "dl-caption", "x": 10, "y": H - 34}, _describe(state)])
    if key:
        names = [f"{node} (coordinator)" if i == 0 else node for i, (node, _) in enumerate(pref)]
        z = ", zones" if zones else ""
        text = f"preference list of {key!r} (N={n}{z}): " + (", ".join(names) or "no nodes")
        items.append(["text", "pref", {"class": "dl-caption", "x": 10, "y": H - 18}, text])
    if state.last_change is not None:
        node, change = state.last_change
        what = "join" if change == "join" else "leave"
        text = f"last change: {what} of {node}, {plural(len(state.last_moves), 'range')} moved"
        items.append(["text", "moves", {"class": "dl-caption", "x": 10, "y": H - 2}, text])


class RingView(View, SceneWidget):
    """The ring, live: tokens coloured by node, zones, keys, preference lists.

    Parameters
    ----------
    source : Ring, engine, Simulation or EventLog
        Where the events come from. With a Ring (or an engine with
        ``add_node``/``remove_node``) the controls act on it; with a
        Simulation or a recorded log they are disabled (typing a key still
        works: the view computes preference lists itself).
    key : str, optional
        The key whose preference list is highlighted.
    n : int
        N, the preference list's length.
    keys : iterable of str, optional
        Sample keys drawn as dots inside the ring.
    zones : bool
        Highlight the zone-aware preference list (``preference_list(key, n,
        zones=True)``).

    Notes
    -----
    DOM and static-SVG selectors (stable, for browser tests and lessons):

    - ``svg.dl-svg``: the drawing; ``circle.dl-token``: one per token, with
      ``data-node`` (and ``data-zone`` when the node has a zone);
    - ``path.dl-range``: the range each token owns, ``data-node``;
      ``path.dl-zone``: zone bands; ``path.dl-move``: ranges the last join or
      leave moved (a CSS animation flashes them), ``data-from``/``data-to``;
    - ``circle.dl-key-chosen`` (``data-key``), ``circle.dl-pref`` (with
      ``data-node`` and ``data-rank`` 1..N), the coordinator also has
      ``.dl-coordinator``; ``text.dl-legend`` per node;
    - controls (live widget only): ``button.dl-add`` labelled "add node",
      ``select.dl-node-select`` and ``button.dl-remove`` labelled "remove
      node", ``input.dl-vnodes`` (vnodes per node), ``select.dl-strategy``,
      ``input.dl-key-input``, ``span.dl-status`` (the last command's error).

    A removed element loses its classes at once and fades out, so
    ``.dl-token`` always counts the tokens on the ring now.

    Drawing is batched: events update the Python state at once and the
    browser gets at most one message per frame (:mod:`.batch`).

    Examples
    --------
    >>> from dynamo_lab import Simulation
    >>> sim = Simulation(seed=1)
    >>> _ = sim.log.emit("ring.created", strategy=1, tokens_per_node=2, partitions=None, n=3)
    >>> _ = sim.log.emit("ring.node_added", node="A", zone=None, tokens=(10, 2 ** 127))
    >>> view = RingView(sim, key="K", n=1)
    >>> view
    <RingView 1 node, 2 tokens, key='K'>
    >>> view.svg().count('class="dl-token"')
    2
    >>> view.preference_list()
    ['A']
    """

    key = traitlets.Unicode("").tag(sync=True)
    n = traitlets.Int(3).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)

    kinds = ringstate.KINDS

    def __init__(self, source: Any, key: str | None = None, n: int = 3,
                 keys: Iterable[str] = (), zones: bool = False) -> None:
        self._keys = tuple(key_position(k) for k in keys)
        self._zones = bool(zones)
        self._attach(source)
        key = key or ""
        SceneWidget.__init__(self, key=key, n=n, kind="dl-ring", controls=self._controls(),
                             scene=scene_json(ring_scene(self.state, key, n, self._keys,
                                                         self._zones)))
        self.observe(lambda change: self._batcher.mark(), names=["key", "n"])
        self.on_msg(self._on_msg)

    # -- the reducer ----------------------------------------------------
    def initial(self) -> RingState:
        return RingState()

    def apply(self, state: RingState, event: Event) -> RingState:
        return ringstate.apply(state, event)

    def render(self, state: RingState) -> dict:
        return ring_scene(state, self.key, self.n, self._keys, self._zones)

    # -- reading --------------------------------------------------------
    def preference_list(self, key: str | None = None, n: int | None = None) -> list[str]:
        """The highlighted key's preference list, from the view's own tokens."""
        key = self.key if key is None else key
        if not key:
            return []
        n = self.n if n is None else n
        return [node for node, _ in ringstate.preference_list(self.state, key, n, self._zones)]

    def svg(self) -> str:
        """The static SVG of the current state (deterministic)."""
        sc = self.render(self.state)
        return to_svg(sc["items"], sc["w"], sc["h"])

    def __repr__(self) -> str:
        s = self.state
        text = f"<RingView {plural(len(s.nodes), 'node')}, {plural(len(s.tokens), 'token')}"
        if self.key:
            text += f", key={self.key!r}"
        if self.at is not None:
            text += f", at event {self.at} of {len(self.event_log)}"
        return text + ">"

    def _repr_html_(self) -> str:
        return html_block(self.svg(), "dl-ring")

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict]:
        self.flush()
        data, meta = super()._repr_mimebundle_(**kwargs)
        data["text/plain"] = repr(self)
        data["text/html"] = self._repr_html_()
        return data, meta

    # -- syncing --------------------------------------------------------
    def _controls(self) -> dict:
        s, eng = self.state, self.engine
        can = {"add": hasattr(eng, "add_node"), "remove": hasattr(eng, "remove_node"),
               "rebuild": callable(getattr(eng, "rebuilt", None))}
        if s.strategy == 3 and s.nodes:
            vnodes = max(1, len(s.tokens) // len(s.nodes))
        else:
            vnodes = s.tokens_per_node
        return {"ring": True, "enabled": eng is not None and self.at is None, **can,
                "nodes": list(s.nodes), "strategy": s.strategy, "vnodes": vnodes}

    def _flush(self) -> None:
        with self.hold_sync():
            self.scene = scene_json(self.render(self.state))
            self.controls = self._controls()

    # -- commands -------------------------------------------------------
    def _on_msg(self, _widget: Any, content: dict, _buffers: Any) -> None:
        if isinstance(content, dict) and "cmd" in content:
            args = {k: v for k, v in content.items() if k != "cmd"}
            self.command(content["cmd"], **args)

    def command(self, cmd: str, **args: Any) -> None:
        """Run a control's command on the engine, as the buttons do.

        ``cmd`` is ``"add_node"``, ``"remove_node"`` (``node=``, default the
        newest), ``"set_vnodes"`` (``value=``) or ``"set_strategy"``
        (``value=``). The last two ask the engine for a new ring with the
        same nodes on the same Simulation (:meth:`Ring.rebuilt
        <dynamo_lab.dynamo.ring.Ring.rebuilt>`; its events reset the view);
        the new ring is ``view.engine``. Errors go to ``view.status``, not to
        a traceback.
        """
        try:
            if self.engine is None or self.at is not None:
                raise UsageError("controls are off: this view shows a recorded log or a "
                                   "past moment")
            if cmd == "add_node":
                self._add_node()
            elif cmd == "remove_node":
                node = args.get("node") or (list(self.state.nodes)[-1] if self.state.nodes else None)
                if node is None:
                    raise UsageError("the ring has no node to remove")
                self.engine.remove_node(node)
            elif cmd in ("set_vnodes", "set_strategy"):
                self._rebuild(**{cmd[4:]: int(args["value"])})
            else:
                raise ArgumentError(f"unknown command {cmd!r}")
        except Exception as e:  # shown in the widget: a click must not raise
            self.status = f"{cmd}: {e}"
        else:
            self.status = ""
        self._batcher.mark()

    def _add_node(self) -> None:
        s = self.state
        name = _fresh_name(s)
        zone = None
        zones = [z for z in s.zones() if z is not None]
        if zones:
            count = {z: 0 for z in zones}
            for z in s.nodes.values():
                if z in count:
                    count[z] += 1
            zone = min(zones, key=lambda z: count[z])
        self.engine.add_node(name, zone=zone)

    def _rebuild(self, vnodes: int | None = None, strategy: int | None = None) -> None:
        # The engine builds the new ring (Ring.rebuilt); its events reset
        # this view's state, which is read from them as ever.
        rebuilt = getattr(self.engine, "rebuilt", None)
        if not callable(rebuilt):
            raise UsageError("only a Ring can change strategy or vnodes")
        if vnodes is None:
            vnodes = self._controls()["vnodes"] or 8
        if vnodes < 1:
            raise ArgumentError("vnodes must be at least 1")
        self.engine = rebuilt(strategy=strategy, vnodes=vnodes)


def _fresh_name(state: RingState) -> str:
    """A name no node ever had, in the ring's own style: ``n6`` after
    ``n1..n5``, else the first free letter A..Z, else ``N27``, ``N28``...

    >>> s = RingState(seen=["n1", "n2", "n5"])
    >>> _fresh_name(s), _fresh_name(RingState(seen=["A", "B"]))
    ('n6', 'C')
    """
    taken = set(state.seen) | set(state.nodes)
    m = [re.fullmatch(r"(\D*)(\d+)", x) for x in state.seen]
    if m and all(m) and len({x.group(1) for x in m}) == 1:
        prefix, top = m[0].group(1), max(int(x.group(2)) for x in m)
        return f"{prefix}{top + 1}"
    for i in range(26):
        if chr(65 + i) not in taken:
            return chr(65 + i)
    i = 27
    while f"N{i}" in taken:
        i += 1
    return f"N{i}"
