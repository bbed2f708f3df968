"""SequenceView: a Lamport diagram of one get or put (paper 4.5 and 5).

One lifeline per node (the client first, then the coordinator and the
replicas in preference-list order), time running down, one arrow per message
from the time it was ``sent`` to its ``msg.deliver`` (a dropped message,
``msg.drop``, ends in a red cross). Replies that made the quorum are green,
replies that came after it are orange (for a get they trigger read repair,
purple). The coordinator's own write or read has no message: it is a dot on
its lifeline. A message appears once its fate is known: the log has one
event per message, at its delivery or drop.

Every message of a request carries its ``rid``, so the reducer files each
one under its request; a message that arrives before the first
``request.*`` event of its request (the client's get or put) waits in a
small pool until that event comes.

Examples
--------
>>> from dynamo_lab import DynamoCluster
>>> c = DynamoCluster(nodes=4, seed=3)
>>> _ = c.put("cart", "pen")
>>> view = SequenceView(c, op="put")
>>> view
<SequenceView put 'cart' rid=1 coordinator=n2 W=2: quorum n2,n3; late n1; 6 messages>
>>> view.quorum()
('n2', 'n3')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...errors import ArgumentError
from ...events import Event
from ...text import plural
from ._base import REQUEST_MSGS, StoreView, arrow_head, clock_text

__all__ = ["SequenceView", "SeqState", "Req"]

_KEEP = 64              # requests remembered (the selected one is always kept)
_W, _TOP, _LANE, _ROW = 760, 70, 110, 30


@dataclass
class Req:
    """One request as the diagram sees it."""

    rid: int
    op: str
    key: str
    t0: int
    coordinator: str | None = None
    targets: tuple = ()
    hints: tuple = ()
    need: int = 0
    n: int = 0
    client: str | None = None
    entry: str | None = None
    msgs: dict = field(default_factory=dict)   # id -> [src, dst, msg, t_send, t_end, status, role]
    local: list = field(default_factory=list)  # (node, t, 'quorum' | 'late')
    quorum: tuple = ()
    ok: bool | None = None
    t_ok: int | None = None
    fail: str | None = None
    repairs: list = field(default_factory=list)  # (node, t, clocks)
    retries: list = field(default_factory=list)  # (t, silent, fallback)
    t_done: int | None = None
    clocks: tuple = ()


@dataclass
class SeqState:
    """Requests by rid (most recent last) and messages waiting for theirs."""

    reqs: dict = field(default_factory=dict)
    pool: dict = field(default_factory=dict)      # rid -> {id: rec}, request not seen yet
    last: dict = field(default_factory=dict)      # op or None -> rid of the latest start


def _req(state: SeqState, ev: Event, keep_rid: int | None, op: str | None) -> Req | None:
    """The request an event belongs to; None for one the view does not follow."""
    r = state.reqs.get(ev.rid)
    if r is None:
        waiting = state.pool.pop(ev.rid, None)
        if (keep_rid is not None and ev.rid != keep_rid) or (op is not None and ev.op != op):
            return None
        r = state.reqs[ev.rid] = Req(ev.rid, ev.op, ev.key, ev.t)
        if waiting:
            r.msgs.update(waiting)
        if len(state.reqs) > 2 * _KEEP:      # forget old requests in batches: O(1) amortised
            for old in list(state.reqs)[:len(state.reqs) - _KEEP]:
                if old != keep_rid:
                    del state.reqs[old]
    return r


def apply(state: SeqState, ev: Event, keep_rid: int | None = None,
          op: str | None = None) -> SeqState:
    """Fold one event into the request table. O(1) amortised per event."""
    kind = ev.kind
    if kind == "msg.deliver" or kind == "msg.drop":
        rid = ev.get("rid")
        if rid is None or ev.msg not in REQUEST_MSGS or (keep_rid is not None
                                                          and rid != keep_rid):
            return state
        rec = [ev.src, ev.dst, ev.msg, ev.sent, ev.t,
               "delivered" if kind == "msg.deliver" else "dropped:" + ev.reason, ""]
        r = state.reqs.get(rid)
        if r is not None:
            r.msgs[ev.id] = rec
            return state
        pool = state.pool
        pool.setdefault(rid, {})[ev.id] = rec
        if len(pool) > 2 * _KEEP:            # requests never followed: forget in batches
            for old in list(pool)[:len(pool) - _KEEP]:
                del pool[old]
        return state
    if kind in ("read_repair", "request.read_repair"):   # older logs: read_repair
        r = state.reqs.get(ev.rid)
        if r is not None:
            r.repairs.append((ev.node, ev.t, ev.clocks))
        return state
    if not kind.startswith("request."):
        return state
    r = _req(state, ev, keep_rid, op)
    if r is None:
        return state
    if kind == "request.forward":
        r.entry = r.entry or ev.src
    elif kind == "request.start":
        r.t0 = min(r.t0, ev.t)
        r.coordinator, r.targets, r.hints = ev.coordinator, tuple(ev.targets), tuple(ev.hints)
        r.need, r.n = ev.need, ev.n
        r.entry = r.entry or ev.coordinator
        r.client = r.client or _client(r)
        state.last[None] = state.last[r.op] = ev.rid
    elif kind == "request.reply":
        role = "quorum" if ev.in_quorum else "late"
        if ev.node == ev.coordinator:
            r.local.append((ev.node, ev.t, role))
        else:
            for rec in reversed(list(r.msgs.values())):
                if (rec[0] == ev.node and rec[1] == ev.coordinator and rec[4] == ev.t
                        and rec[2] in ("replicate_ack", "read_reply") and not rec[6]):
                    rec[6] = role
                    break
    elif kind == "request.retry":
        r.retries.append((ev.t, ev.silent, ev.fallback))
        r.targets = r.targets + (ev.fallback,)
    elif kind == "request.ok":
        r.ok, r.t_ok, r.quorum, r.clocks = True, ev.t, tuple(ev.replies), tuple(ev.clocks)
    elif kind == "request.fail":
        r.ok, r.t_ok, r.fail = False, ev.t, ev.reason
        if r.coordinator is None:       # refused at once: no request.start
            r.coordinator, r.need = ev.coordinator, ev.need
            r.entry = r.entry or ev.coordinator
            r.client = r.client or _client(r)
            state.last[None] = state.last[r.op] = ev.rid
    elif kind == "request.done":
        r.t_done = ev.t
        if r.ok is None:
            r.ok = ev.ok
        r.client = r.client or next((rec[1] for rec in r.msgs.values()
                                     if rec[2].endswith("_reply")), None)
    return state


def _client(r: Req) -> str | None:
    """The sender of the request's first get or put message: the client."""
    return next((rec[0] for rec in r.msgs.values() if rec[2] == r.op), None)


def _lanes(r: Req) -> list[str]:
    order: list[str] = []
    for x in ([r.client] if r.client else []) + [r.entry, r.coordinator, *r.targets]:
        if x and x not in order:
            order.append(x)
    for rec in r.msgs.values():
        for x in rec[:2]:
            if x not in order:
                order.append(x)
    return order


def _msg_class(rec: list, r: Req) -> str:
    cls = "dl-msg"
    if rec[5].startswith("dropped"):
        return cls + " dl-msg-drop"
    if rec[6] == "quorum" and r.ok is not False:
        return cls + " dl-msg-quorum"
    if rec[6] == "late":
        return cls + " dl-msg-late"
    if rec[2] == "replicate" and r.op == "get":
        return cls + " dl-msg-repair"
    return cls


def sequence_scene(r: Req | None) -> dict:
    """The Lamport diagram of one request as a scene. O(messages).

    >>> sequence_scene(None)["items"][0][3]
    'no request yet'
    """
    if r is None:
        return {"w": _W, "h": 60, "items": [["text", "empty", {"class": "dl-caption", "x": 10,
                                                               "y": 30}, "no request yet"]]}
    items: list = []
    add = items.append
    lanes = _lanes(r)
    lane_w = min(_LANE, (_W - 80) / max(len(lanes), 1))
    x = {name: 70 + lane_w * (i + 0.5) for i, name in enumerate(lanes)}
    times = [r.t0] + [t for rec in r.msgs.values() for t in (rec[3], rec[4]) if t is not None]
    times += [t for _, t, _ in r.local] + [t for t in (r.t_ok, r.t_done) if t is not None]
    # Lamport's picture needs order, not scale: one row per distinct moment,
    # so a 50 ms silence before a retry does not stretch the drawing.
    rows = {t: i for i, t in enumerate(sorted(set(times)))}
    height = _TOP + _ROW * len(rows) + 60

    def y(t: int) -> float:
        return float(_TOP + 10 + _ROW * rows[t])

    what = "W" if r.op == "put" else "R"
    add(["text", "title", {"class": "dl-title", "x": 10, "y": 18},
         f"{r.op}({r.key!r}) · rid {r.rid} · coordinator {r.coordinator} · "
         f"N={r.n or '?'} {what}={r.need}"])
    for name in lanes:
        role = ("client" if name == r.client else "coordinator" if name == r.coordinator
                else "hinted" if any(f == name for f, _ in r.hints) else "")
        add(["rect", f"lh:{name}", {"class": "dl-lifeline-head", "x": round(x[name] - 34, 2),
                                    "y": 30, "width": 68, "height": 22, "rx": 4,
                                    "data-node": name}, ""])
        add(["text", f"ln:{name}", {"x": round(x[name], 2), "y": 45, "text-anchor": "middle",
                                    "data-node": name}, name])
        if role:
            add(["text", f"lr:{name}", {"class": "dl-muted", "x": round(x[name], 2), "y": 64,
                                        "text-anchor": "middle"}, role])
        add(["line", f"ll:{name}", {"class": "dl-lifeline", "x1": round(x[name], 2),
                                    "x2": round(x[name], 2), "y1": 54, "y2": round(height - 50, 2),
                                    "data-node": name}, ""])
    for t in rows:
        add(["text", f"t:{t}", {"class": "dl-muted", "x": 8, "y": y(t) + 4}, f"{t} ms"])
    for mid in sorted(r.msgs):
        src, dst, msg, ts, te, status, role = r.msgs[mid]
        x1, y1, x2 = x[src], y(ts), x[dst]
        dropped = status.startswith("dropped")
        if te is None or dropped:
            te2 = te if te is not None else ts
            # a dead receiver: the arrow reaches its lifeline; lost on the way: half way
            frac = 0.9 if status.endswith("crashed") else 0.55
            x2 = x1 + (x2 - x1) * frac
            y2 = y(te2) if te2 > ts else y1 + _ROW / 2
        else:
            y2 = y(te)
        attrs = {"class": _msg_class(r.msgs[mid], r), "d": f"M{round(x1, 2)} {y1}L{round(x2, 2)} {y2}",
                 "data-id": mid, "data-msg": msg, "data-src": src, "data-dst": dst,
                 "data-status": status.split(":")[0]}
        if role:
            attrs["data-quorum"] = _shown(role, r)
        add(["path", f"m:{mid}", attrs, ""])
        if dropped or te is None:
            add(["path", f"mx:{mid}", {"class": "dl-drop-mark",
                                       "d": f"M{round(x2 - 5, 2)} {y2 - 5}l10 10m0 -10l-10 10"},
                 ""])
        else:
            add(["path", f"mh:{mid}", {"class": "dl-head", "d": arrow_head(x1, y1, x2, y2)}, ""])
        add(["text", f"mt:{mid}", {"class": "dl-muted", "x": round(x1 + (x2 - x1) * 0.3, 2),
                                   "y": round(y1 + (y2 - y1) * 0.3 - 3, 2),
                                   "text-anchor": "middle", "font-size": 10}, msg])
    for i, (node, t, role) in enumerate(r.local):
        add(["circle", f"lo:{i}", {"class": "dl-local" + (" dl-late" if role == "late" else ""),
                                   "cx": round(x[node], 2), "cy": y(t), "r": 6, "data-node": node,
                                   "data-quorum": _shown(role, r)}, ""])
        add(["text", f"lot:{i}", {"x": round(x[node] + 9, 2), "y": y(t) + 4, "font-size": 10},
             "local " + ("write" if r.op == "put" else "read")])
    if r.t_ok is not None:
        label = (f"quorum {what}={r.need} reached at {r.t_ok} ms" if r.ok
                 else f"failed at {r.t_ok} ms: {r.fail}")
        add(["line", "qline", {"class": "dl-quorum-line", "x1": 60, "x2": _W - 10,
                               "y1": y(r.t_ok), "y2": y(r.t_ok)}, ""])
        add(["text", "qlabel", {"class": "dl-caption", "x": _W - 10, "y": y(r.t_ok) - 4,
                                "text-anchor": "end"}, label])
    late = [n for n in _answered(r) if n not in r.quorum]
    if r.ok is False:
        lines = [f"failed ({r.fail}): answered {', '.join(_answered(r)) or '-'} of {what}={r.need}"]
    else:
        lines = [f"quorum: {', '.join(r.quorum) or '-'} · late: {', '.join(late) or '-'}"]
    if r.repairs:
        lines.append("read repair: " + ", ".join(
            f"{n} got {' '.join(clock_text(c) for c in cl)}" for n, _, cl in r.repairs))
    if r.hints:
        lines.append("hinted: " + ", ".join(f"{f} holds for {h}" for f, h in r.hints))
    for i, text in enumerate(lines):
        add(["text", f"cap:{i}", {"class": "dl-caption", "x": 10,
                                  "y": round(height - 36 + 14 * i, 2)}, text])
    return {"w": _W, "h": round(height + 14 * max(0, len(lines) - 2), 2), "items": items}


def _shown(role: str, r: Req) -> str:
    """``data-quorum`` of a reply: yes, late, or answered (the request failed)."""
    if r.ok is False:
        return "answered"
    return "yes" if role == "quorum" else "late"


def _answered(r: Req) -> list[str]:
    out = [n for n, _, _ in r.local]
    out += [rec[0] for rec in r.msgs.values() if rec[6]]
    return out


class SequenceView(StoreView):
    """The message sequence (Lamport) diagram of one get or put.

    Parameters
    ----------
    source : DynamoCluster, Simulation or EventLog
    rid : int, optional
        The request to draw; by default the last one started (at the
        moment shown, so a Timeline scrubs through requests).
    op : {'put', 'get'}, optional
        With ``rid=None``: the last request of this kind.
    live : bool
        Display a widget that follows the log (default: static SVG).

    Notes
    -----
    Selectors: ``div.dl-sequence``; ``line.dl-lifeline`` and
    ``rect.dl-lifeline-head`` per node (``data-node``); ``path.dl-msg`` per
    message (``data-msg``, ``data-src``, ``data-dst``, ``data-status``
    delivered/dropped), replies also have ``data-quorum`` "yes",
    "late" (or "answered" when the request failed) and the class
    ``dl-msg-quorum`` or ``dl-msg-late``;
    ``path.dl-msg-drop`` and ``path.dl-drop-mark`` for drops;
    ``path.dl-msg-repair`` for read repair; ``circle.dl-local`` for the
    coordinator's own write/read (``data-quorum`` too);
    ``line.dl-quorum-line`` where the quorum was reached.
    """

    css_class = "dl-sequence"
    kinds = ("request.*", "read_repair", "msg.*")

    def __init__(self, source: Any, rid: int | None = None, op: str | None = None,
                 live: bool = False) -> None:
        if op not in (None, "put", "get"):
            raise ArgumentError(f"op must be 'put', 'get' or None, not {op!r}")
        self.rid, self.op = rid, op
        super().__init__(source, live=live)

    def initial(self) -> SeqState:
        return SeqState()

    def apply(self, state: SeqState, event: Event) -> SeqState:
        return apply(state, event, self.rid, self.op)

    def request(self, state: SeqState | None = None) -> Req | None:
        """The request drawn (None before it started)."""
        state = self.state if state is None else state
        rid = self.rid if self.rid is not None else state.last.get(self.op)
        return state.reqs.get(rid)

    def render(self, state: SeqState) -> dict:
        return sequence_scene(self.request(state))

    def quorum(self) -> tuple:
        """The nodes whose replies made the quorum, in arrival order."""
        r = self.request()
        return r.quorum if r else ()

    def late(self) -> tuple:
        """The nodes that answered after the quorum was complete."""
        r = self.request()
        if r is None or r.ok is False:
            return ()
        return tuple(n for n in _answered(r) if n not in r.quorum)

    def messages(self) -> list[tuple]:
        """``(id, src, dst, msg, t_send, t_end, status, role)`` of every message drawn."""
        r = self.request()
        return [(mid, *r.msgs[mid]) for mid in sorted(r.msgs)] if r else []

    def summary(self, state: SeqState) -> str:
        r = self.request(state)
        if r is None:
            return "no request"
        what = "W" if r.op == "put" else "R"
        late = [n for n in _answered(r) if n not in r.quorum]
        text = (f"{r.op} {r.key!r} rid={r.rid} coordinator={r.coordinator} {what}={r.need}: "
                f"quorum {','.join(r.quorum) or '-'}")
        if r.ok is False:
            text += f" (failed: {r.fail}; answered {','.join(_answered(r)) or '-'})"
        elif late:
            text += f"; late {','.join(late)}"
        return text + f"; {plural(len(r.msgs), 'message')}"
