"""Lesson 18's pictures: Lambda batches per shard, and KCL leases between workers.

* :class:`LambdaBatchesView`: one lane per stream shard, one mark per batch
  an event source mapping handed its function (or discarded), in order:
  green ok, orange a retry of the same batch, purple a failed batch split in
  two (bisection), yellow a partial failure (batchItemFailures), red a batch
  given up on (the on-failure record). The width of a mark is its records.
* :class:`KclLeasesView`: one lane per shard, coloured by the worker that
  holds its lease over the run, with the lease table's writes marked
  (taken, stolen, expired, released, finished) and the checkpoints as ticks;
  workers joining, dying and stealing move the colours.

Both read the consumers' own events (``trigger.batch``, ``kcl.lease``,
``kcl.checkpoint``): a consumer on the lab writes them to the lab's log;
one on an outside endpoint keeps its own (``mapping.log``, ``app.log``), so
``LambdaBatchesView(mapping)`` and ``KclLeasesView(app)`` draw anywhere.

Examples
--------
>>> from dynamo_lab import EventLog
>>> log = EventLog(strict=True)
>>> for first, n, outcome in (("1", 4, "retry"), ("1", 4, "bisect"), ("1", 2, "ok"),
...                           ("3", 2, "discarded"), ("5", 3, "ok")):
...     log.emit("trigger.batch", mapping="strict", shard="shard-1", first=first,
...              last=first, records=n, outcome=outcome)
>>> LambdaBatchesView(log)
<LambdaBatchesView 'strict': 1 shard, 5 batches (2 ok, 1 retry, 1 bisect, 1 discarded), 15 records handed>
>>> log.emit("kcl.lease", app="tally", shard="s1", worker="w0", action="taken", counter=1)
>>> log.emit("kcl.checkpoint", app="tally", shard="s1", worker="w0", sequence="9", records=5)
>>> log.emit("kcl.lease", app="tally", shard="s1", worker="w1", action="stolen", counter=2)
>>> KclLeasesView(log)
<KclLeasesView 'tally': 1 shard, 2 workers; held: s1 by w1; 1 steal, 1 checkpoint>
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...events import Event
from ..svg import color
from ._base import plural
from ._endpoint import EndpointView, clip, own_text

__all__ = ["LambdaBatchesView", "KclLeasesView", "OUTCOME_COLORS"]

#: a batch's outcome, coloured
OUTCOME_COLORS = {"ok": "#59a14f", "retry": "#f28e2b", "bisect": "#b07aa1", "error": "#edc948",
                  "discarded": "#e15759"}
_ACTIONS = {"taken": "▶", "stolen": "⇄", "expired": "✕", "released": "◻", "finished": "■"}

W = 820
_L, _TOP, _LANE = 130, 44, 30


@dataclass
class BatchesState:
    table: str | None = None
    index: str | None = None
    mapping: str | None = None
    shards: list = field(default_factory=list)
    batches: dict = field(default_factory=dict)     # shard -> [(t, first, last, n, outcome)]


class LambdaBatchesView(EndpointView):
    """An event source mapping's batches, per shard, in order, with their outcomes.

    Parameters
    ----------
    source : EventSourceMapping, DynamoDB, Simulation or EventLog
    mapping : str, optional
        The mapping's name (default: the first one in the log).
    per_lane : int
        Batches drawn per shard at most (the last ones).

    Notes
    -----
    Selectors: ``div.dl-batches``; ``rect.dl-batch`` per batch with
    ``data-shard``, ``data-outcome``, ``data-records``, ``data-first``.
    """

    css_class = "dl-batches"
    kinds = ("trigger.batch",)

    def __init__(self, source: Any, mapping: str | None = None, per_lane: int = 40,
                 live: bool | None = None) -> None:
        if mapping is None and hasattr(source, "drain") and isinstance(
                getattr(source, "name", None), str):
            mapping = source.name            # a mapping given as the source: its own batches
        self.mapping = mapping
        self.per_lane = int(per_lane)
        super().__init__(source, live=live)

    def initial(self) -> BatchesState:
        return BatchesState(mapping=self.mapping)

    def apply(self, s: BatchesState, ev: Event) -> BatchesState:
        if s.mapping is None:
            s.mapping = ev.mapping
        if ev.mapping != s.mapping:
            return s
        if ev.shard not in s.batches:
            s.shards.append(ev.shard)
            s.batches[ev.shard] = []
        s.batches[ev.shard].append((ev.t, ev.first, ev.last, ev.records, ev.outcome))
        return s

    def outcomes(self, s: BatchesState | None = None) -> dict[str, list[tuple[int, str]]]:
        """Per shard, each batch's ``(records, outcome)`` in order."""
        s = self.state if s is None else s
        return {sh: [(n, o) for _, _, _, n, o in s.batches[sh]] for sh in s.shards}

    def render(self, s: BatchesState) -> dict:
        items: list = []
        add = items.append
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18},
             f"event source mapping {s.mapping!r}: batches per shard, in order"
             if s.mapping else "no batch yet"])
        top = max([1] + [n for bs in s.batches.values() for *_, n, _ in bs])
        for i, sh in enumerate(s.shards):
            y = _TOP + i * _LANE
            add(["text", f"sh:{sh}", {"x": 10, "y": y + 18, "font-size": 11,
                                      "font-weight": 600}, "…" + sh[-12:] if len(sh) > 13 else sh])
            add(["rect", f"lane:{sh}", {"x": _L, "y": y + 2, "width": W - _L - 8,
                                        "height": _LANE - 6, "fill": "#f6f6f6", "rx": 3}, ""])
            x = _L + 4
            shown = s.batches[sh][-self.per_lane:]
            for j, (t, first, last, n, outcome) in enumerate(shown):
                wd = round(6 + 22 * n / top, 2)
                add(["rect", f"b:{sh}:{j}:{t}", {
                    "class": "dl-batch", "x": round(x, 2), "y": y + 5, "width": wd,
                    "height": _LANE - 12, "rx": 2, "fill": OUTCOME_COLORS.get(outcome, "#999"),
                    "data-shard": sh, "data-outcome": outcome, "data-records": n,
                    "data-first": first,
                    "data-tip": f"t={t} ms · {plural(n, 'record')} from {clip(first, 14)} · {outcome}"}, ""])
                if outcome == "discarded":
                    add(["text", f"bf:{sh}:{j}:{t}", {"x": round(x + wd / 2, 2), "y": y + 1,
                                                      "font-size": 9, "text-anchor": "middle",
                                                      "fill": "#e15759"}, "on-failure"])
                x += wd + 3
                if x > W - 30:
                    break
        y = _TOP + max(len(s.shards), 1) * _LANE + 6
        x = 10
        for o, colr in OUTCOME_COLORS.items():
            label = {"ok": "ok (checkpointed)", "retry": "raised: retried",
                     "bisect": "raised: split in two", "error": "partial (batchItemFailures)",
                     "discarded": "given up: on-failure record"}[o]
            if x > 10 and x + 16 + 6.6 * len(label) > W - 6:     # wrap: every label whole
                x, y = 10, y + 18
            add(["rect", f"lg:{o}", {"x": x, "y": y, "width": 12, "height": 12, "fill": colr}, ""])
            add(["text", f"lgt:{o}", {"x": x + 16, "y": y + 10, "font-size": 10}, label])
            x += 36 + 5.6 * len(label)
        add(["text", "cap", {"class": "dl-caption", "x": 10, "y": y + 30, "font-size": 11},
             "width: records in the batch · left to right: the order the function got them"])
        return own_text({"w": W, "h": y + 38, "items": items})

    def summary(self, s: BatchesState) -> str:
        counts: dict = {}
        total = 0
        for bs in s.batches.values():
            for *_, n, o in bs:
                counts[o] = counts.get(o, 0) + 1
                total += n
        n = sum(counts.values())
        order = [o for o in OUTCOME_COLORS if o in counts]
        return (f"{s.mapping!r}: {plural(len(s.shards), 'shard')}, {plural(n, 'batch', 'batches')} ("
                + ", ".join(f"{counts[o]} {o}" for o in order) + f"), {plural(total, 'record')} handed")


@dataclass
class LeasesState:
    table: str | None = None
    index: str | None = None
    app: str | None = None
    shards: list = field(default_factory=list)
    workers: list = field(default_factory=list)
    spans: dict = field(default_factory=dict)     # shard -> [[worker, t0, t1 or None]]
    marks: dict = field(default_factory=dict)     # shard -> [(t, action, worker)]
    checkpoints: dict = field(default_factory=dict)   # shard -> [(t, sequence, records)]
    t0: int | None = None
    t1: int = 0


class KclLeasesView(EndpointView):
    """A KCL application's leases over time: which worker held which shard.

    Parameters
    ----------
    source : App, DynamoDB, Simulation or EventLog
    app : str, optional
        The application's name (default: the first one in the log).

    Notes
    -----
    Selectors: ``div.dl-leases``; ``rect.dl-lease`` per holding with
    ``data-shard`` and ``data-worker``; ``text.dl-lease-act`` per lease
    write with ``data-action``; ``line.dl-checkpoint`` per checkpoint.
    """

    css_class = "dl-leases"
    kinds = ("kcl.lease", "kcl.checkpoint")

    def __init__(self, source: Any, app: str | None = None, live: bool | None = None) -> None:
        if app is None and hasattr(source, "add_worker") and isinstance(
                getattr(source, "name", None), str):
            app = source.name                # an App given as the source: its own leases
        self.app = app
        super().__init__(source, live=live)

    def initial(self) -> LeasesState:
        return LeasesState(app=self.app)

    def apply(self, s: LeasesState, ev: Event) -> LeasesState:
        if s.app is None:
            s.app = ev.app
        if ev.app != s.app:
            return s
        s.t0 = ev.t if s.t0 is None else s.t0
        s.t1 = max(s.t1, ev.t)
        sh = ev.shard
        if sh not in s.spans:
            s.shards.append(sh)
            s.spans[sh], s.marks[sh], s.checkpoints[sh] = [], [], []
        if ev.worker not in s.workers:
            s.workers.append(ev.worker)
        if ev.kind == "kcl.checkpoint":
            s.checkpoints[sh].append((ev.t, ev.sequence, ev.records))
            return s
        spans = s.spans[sh]
        open_ = spans[-1] if spans and spans[-1][2] is None else None
        if ev.action in ("taken", "stolen"):
            if open_ is not None:
                open_[2] = ev.t
            spans.append([ev.worker, ev.t, None])
        elif ev.action in ("expired", "released", "finished") and open_ is not None:
            open_[2] = ev.t
        s.marks[sh].append((ev.t, ev.action, ev.worker))
        return s

    def holders(self, s: LeasesState | None = None) -> dict[str, str | None]:
        """Who holds each shard's lease now (None: nobody)."""
        s = self.state if s is None else s
        return {sh: (sp[-1][0] if sp and sp[-1][2] is None else None)
                for sh, sp in s.spans.items()}

    def render(self, s: LeasesState) -> dict:
        items: list = []
        add = items.append
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18},
             f"KCL application {s.app!r}: leases per shard over time"
             if s.app else "no lease yet"])
        t0, t1 = (s.t0 or 0), max(s.t1, (s.t0 or 0) + 1)
        span = W - _L - 30

        def x(t: int) -> float:
            return round(_L + span * (t - t0) / (t1 - t0), 2)
        for i, sh in enumerate(s.shards):
            y = _TOP + i * _LANE
            add(["text", f"sh:{sh}", {"x": 10, "y": y + 18, "font-size": 11, "font-weight": 600},
                 "…" + sh[-12:] if len(sh) > 13 else sh])
            add(["rect", f"lane:{sh}", {"x": _L, "y": y + 4, "width": span + 20,
                                        "height": _LANE - 10, "fill": "#f6f6f6"}, ""])
            for k, (w, a, b) in enumerate(s.spans[sh]):
                xa, xb = x(a), (x(b) if b is not None else _L + span + 20)
                add(["rect", f"l:{sh}:{k}", {
                    "class": "dl-lease", "x": xa, "y": y + 4, "width": round(max(xb - xa, 2), 2),
                    "height": _LANE - 10, "fill": color(s.workers.index(w)), "opacity": 0.75,
                    "data-shard": sh, "data-worker": w,
                    "data-tip": f"{sh} held by {w} from t={a} ms"
                                + (f" to t={b} ms" if b is not None else "")}, ""])
            last_t, dx = None, 0.0
            for k, (t, action, w) in enumerate(s.marks[sh]):
                dx = dx + 9 if t == last_t else 0.0     # writes at one moment side by side
                last_t = t
                add(["text", f"a:{sh}:{k}", {"class": "dl-lease-act", "x": x(t) + dx, "y": y + 2,
                                             "font-size": 10, "text-anchor": "middle",
                                             "data-action": action,
                                             "fill": "#d62728" if action in ("stolen", "expired")
                                             else "#333"}, _ACTIONS.get(action, "?")])
            for k, (t, seq, n) in enumerate(s.checkpoints[sh]):
                add(["line", f"c:{sh}:{k}", {"class": "dl-checkpoint", "x1": x(t), "x2": x(t),
                                             "y1": y + 6, "y2": y + _LANE - 8, "stroke": "#222",
                                             "stroke-width": 1.5,
                                             "data-tip": f"checkpoint {clip(seq, 14)} "
                                                         f"after {plural(n, 'record')}"}, ""])
        y = _TOP + max(len(s.shards), 1) * _LANE + 6
        xx = 10
        for i, w in enumerate(s.workers):
            add(["rect", f"w:{w}", {"x": xx, "y": y, "width": 12, "height": 12,
                                    "fill": color(i), "opacity": 0.75}, ""])
            add(["text", f"wt:{w}", {"x": xx + 16, "y": y + 10, "font-size": 11}, w])
            xx += 30 + 7 * len(w)
        add(["text", "acts", {"class": "dl-muted", "x": xx + 10, "y": y + 10, "font-size": 10},
             "▶ taken · ⇄ stolen · ✕ expired · ◻ released · ■ finished · | checkpoint"])
        add(["text", "axis", {"class": "dl-muted", "x": _L, "y": y + 28, "font-size": 10},
             f"t={t0} ms … t={t1} ms"])
        return own_text({"w": W, "h": y + 36, "items": items})

    def summary(self, s: LeasesState) -> str:
        held = self.holders(s)
        steals = sum(a == "stolen" for m in s.marks.values() for _, a, _ in m)
        cps = sum(len(c) for c in s.checkpoints.values())
        who = ", ".join(f"{clip(sh[-8:], 8)} by {w}" for sh, w in held.items() if w) or "none"
        return (f"{s.app!r}: {plural(len(s.shards), 'shard')}, {plural(len(s.workers), 'worker')}; held: {who}; "
                f"{plural(steals, 'steal')}, {plural(cps, 'checkpoint')}")
