"""GsiLagView: how far a global secondary index lags its table, and back-pressure.

A GSI is written *after* the table: each change is queued and applied a
moment later (``gsi.applied`` tells when it was queued and its lag). So a
Query on the index right after a write may miss it. And when the index's
own partitions run out of write capacity, DynamoDB refuses the *table*
write (back-pressure): those refusals are ``capacity.throttled`` events
with the index's name. ``gsi.backfill`` marks an index being filled after
UpdateTable added it.

Drawn over virtual time: every change's lag (dots, and the worst per time
bucket), the changes waiting in the queue (a change counts from when it was
queued until it was applied), and the seconds the index throttled writes.
A change is logged when it is applied, so the queue shown at a moment
holds only changes applied by the end of what the view has read.

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0, indexes={"gsi_lag_ms": (20, 80)})
>>> c = ddb.client()
>>> _ = c.create_table(TableName="Tab", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
...                           {"AttributeName": "g", "AttributeType": "S"}],
...     GlobalSecondaryIndexes=[{"IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
...         "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])
>>> view = GsiLagView(ddb, table="Tab", index="byG")
>>> for i in range(40):
...     _ = c.put_item(TableName="Tab", Item={"id": {"S": f"i{i}"}, "g": {"S": f"g{i % 3}"}})
>>> ddb.run(ms=200)
>>> view
<GsiLagView 'Tab'.byG: 40 changes applied, lag median 48 ms, max 79 ms; queue peak 39; no throttles>
>>> view.lags()["max"] <= 80
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...events import Event
from ._base import DdbView, plural

__all__ = ["GsiLagView", "GsiLagState"]

W, H = 720, 300
_L, _PW = 60, 640
_LAG_TOP, _LAG_H = 36, 120
_Q_TOP, _Q_H = 190, 60
#: time buckets drawn in the static chart
BUCKETS = 120


@dataclass
class GsiLagState:
    """Changes applied to the index, throttles and backfills."""

    table: str | None = None
    index: str | None = None
    applied: list = field(default_factory=list)    # (t applied, queued, lag, change)
    throttled: dict = field(default_factory=dict)  # second -> [write events, units, reasons]
    backfills: list = field(default_factory=list)  # (t, phase, items)


class GsiLagView(DdbView):
    """GSI lag over time, the propagation queue, and write throttles from the index.

    Parameters
    ----------
    source : DynamoDB, Simulation or EventLog
    table : str, optional
        The table (default: the first one the log names).
    index : str, optional
        The global secondary index (default: the first one of the table
        the log names in a ``gsi.*`` or indexed capacity event).
    live : bool
        Display a small SVG widget that follows the log (default False: the
        display is a plotly figure of the moment it was shown).

    Notes
    -----
    Static SVG selectors: ``div.dl-gsi``; ``circle.dl-change`` per change
    drawn (``data-lag``, ``data-t``); ``path.dl-lag`` the worst lag per
    bucket; ``rect.dl-queued`` the queue per bucket (``data-queued``);
    ``rect.dl-throttle`` per second the index throttled writes
    (``data-second``, ``data-requests``).
    """

    css_class = "dl-gsi"
    live = False
    kinds = ("gsi.applied", "gsi.backfill", "capacity.throttled", "table.created",
             "table.deleted")

    def initial(self) -> GsiLagState:
        return GsiLagState(table=self.table, index=self.index)

    def apply(self, s: GsiLagState, ev: Event) -> GsiLagState:
        kind = ev.kind
        if kind == "table.deleted":
            if self.mine(s, ev, indexed=False):
                return GsiLagState(table=s.table, index=s.index)
            return s
        if not self.mine(s, ev, indexed=False) or kind == "table.created":
            return s
        ix = ev.index
        if ix is None:
            return s                  # the table's own partitions, not the index's
        if s.index is None:
            s.index = ix
        if ix != s.index:
            return s
        if kind == "gsi.applied":
            s.applied.append((ev.t, ev.queued, ev.lag, ev.change))
        elif kind == "capacity.throttled":
            if ev.write_events:
                row = s.throttled.setdefault(ev.second, [0, 0.0, ()])
                row[0] += ev.write_events
                row[1] += ev.units
                if ev.reason not in row[2]:
                    row[2] = row[2] + (ev.reason,)
        else:
            s.backfills.append((ev.t, ev.phase, ev.items))
        return s

    # -- reading ----------------------------------------------------------
    def lags(self, s: GsiLagState | None = None) -> dict:
        """``{'changes', 'median', 'max'}``: changes applied and their lag (ms)."""
        s = self.state if s is None else s
        lags = sorted(a[2] for a in s.applied)
        n = len(lags)
        return {"changes": n, "median": lags[(n - 1) // 2] if n else 0,
                "max": lags[-1] if n else 0}

    def queue(self, s: GsiLagState | None = None) -> list[tuple[int, int]]:
        """``[(t, changes waiting), ...]``: the queue after each moment it changed."""
        s = self.state if s is None else s
        delta: dict[int, int] = {}
        for t, queued, lag, _ in s.applied:
            if lag:
                delta[queued] = delta.get(queued, 0) + 1
                delta[t] = delta.get(t, 0) - 1
        out, n = [], 0
        for t in sorted(delta):
            n += delta[t]
            out.append((t, n))
        return out

    def throttled(self, s: GsiLagState | None = None) -> dict[int, int]:
        """``{second_ms: table writes refused because of this index}``."""
        s = self.state if s is None else s
        return {sec: row[0] for sec, row in sorted(s.throttled.items())}

    def _span(self, s: GsiLagState) -> tuple[int, int]:
        ts = [a[1] for a in s.applied] + [a[0] for a in s.applied]
        ts += [sec for sec in s.throttled] + [sec + 1000 for sec in s.throttled]
        if not ts:
            return 0, 1000
        return min(ts), max(max(ts), min(ts) + 1)

    # -- the plotly figure ------------------------------------------------
    def figure(self):
        """A plain plotly figure: each change's lag when it was applied, the
        queue of changes waiting, and the seconds the index throttled table
        writes (red bars). Deterministic."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots
        s = self.state
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4],
                            vertical_spacing=0.1,
                            subplot_titles=("lag of each change (ms)",
                                            "changes waiting · writes throttled by the index"))
        fig.add_trace(go.Scatter(x=[a[0] / 1000 for a in s.applied], y=[a[2] for a in s.applied],
                                 mode="markers", marker=dict(size=5, color="#7d3c98"),
                                 text=[a[3] for a in s.applied], name="lag"), row=1, col=1)
        q = self.queue(s)
        fig.add_trace(go.Scatter(x=[t / 1000 for t, _ in q], y=[n for _, n in q], mode="lines",
                                 line=dict(shape="hv", color="#b07aa1"), fill="tozeroy",
                                 name="waiting"), row=2, col=1)
        thr = self.throttled(s)
        fig.add_trace(go.Bar(x=[(sec + 500) / 1000 for sec in thr], y=list(thr.values()),
                             width=[0.9] * len(thr), marker_color="#d62728", opacity=0.45,
                             name="writes throttled"), row=2, col=1)
        for t, phase, items in s.backfills:
            fig.add_vline(x=t / 1000, line_dash="dot", line_color="#888")
        fig.update_layout(title=self._title(s), template="simple_white", height=420,
                          margin=dict(l=60, r=20, t=70, b=40))
        fig.update_xaxes(title_text="virtual time (s)", row=2, col=1)
        return fig

    # -- the static drawing -----------------------------------------------
    def render(self, s: GsiLagState) -> dict:
        items: list = []
        add = items.append
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 20}, self._title(s)])
        t0, t1 = self._span(s)
        span = t1 - t0

        def x(t: float) -> float:
            return round(_L + _PW * (t - t0) / span, 2)
        lg = self.lags(s)
        top = max(lg["max"], 1)

        def ylag(v: float) -> float:
            return round(_LAG_TOP + _LAG_H * (1 - v / top), 2)
        add(["rect", "lagbox", {"class": "dl-row-box", "x": _L, "y": _LAG_TOP, "width": _PW,
                                "height": _LAG_H}, ""])
        add(["text", "lagtop", {"class": "dl-muted", "x": _L - 6, "y": _LAG_TOP + 10,
                                "text-anchor": "end", "font-size": 10}, f"{top} ms"])
        add(["text", "lag0", {"class": "dl-muted", "x": _L - 6, "y": _LAG_TOP + _LAG_H,
                              "text-anchor": "end", "font-size": 10}, "0"])
        # the worst lag per bucket, and up to a few hundred dots
        size = max(span / BUCKETS, 1)
        worst: dict[int, int] = {}
        for t, _, lag, _ in s.applied:
            b = int((t - t0) // size)
            worst[b] = max(worst.get(b, 0), lag)
        step = max(1, len(s.applied) // 400)
        for i, (t, queued, lag, change) in enumerate(s.applied[::step]):
            add(["circle", f"d:{i}", {"class": "dl-change", "cx": x(t), "cy": ylag(lag), "r": 2,
                                      "fill": "#7d3c98", "opacity": 0.5, "data-t": t,
                                      "data-lag": lag}, ""])
        if worst:
            d = "".join(f"{'M' if j == 0 else 'L'}{x(t0 + (b + 0.5) * size)} {ylag(v)}"
                        for j, (b, v) in enumerate(sorted(worst.items())))
            add(["path", "worst", {"class": "dl-lag", "d": d}, ""])
        # the queue, per bucket (its largest value there)
        add(["rect", "qbox", {"class": "dl-row-box", "x": _L, "y": _Q_TOP, "width": _PW,
                              "height": _Q_H}, ""])
        q = self.queue(s)
        qmax = max([n for _, n in q] + [1])
        peak: dict[int, int] = {}
        for t, n in q:
            b = int((t - t0) // size)
            peak[b] = max(peak.get(b, 0), n)
        for b, n in sorted(peak.items()):
            if n:
                hgt = round(_Q_H * n / qmax, 2)
                add(["rect", f"q:{b}", {"class": "dl-queued", "x": x(t0 + b * size),
                                        "y": round(_Q_TOP + _Q_H - hgt, 2),
                                        "width": round(max(_PW / BUCKETS, 1), 2), "height": hgt,
                                        "data-queued": n}, ""])
        add(["text", "qtop", {"class": "dl-muted", "x": _L - 6, "y": _Q_TOP + 10,
                              "text-anchor": "end", "font-size": 10}, str(qmax)])
        add(["text", "qlabel", {"class": "dl-muted", "x": _L + 4, "y": _Q_TOP + 12,
                                "font-size": 10}, "changes waiting"])
        for sec, row in sorted(s.throttled.items()):
            add(["rect", f"t:{sec}", {
                "class": "dl-throttle", "x": x(sec), "y": _Q_TOP + _Q_H + 4,
                "width": round(max(x(sec + 1000) - x(sec), 2), 2), "height": 6,
                "data-second": sec, "data-requests": row[0],
                "data-tip": f"t={sec // 1000} s: {row[0]} table writes throttled by "
                            f"{s.index} ({', '.join(row[2])})"}, ""])
        for i, (t, phase, n) in enumerate(s.backfills):
            add(["line", f"bf:{i}", {"x1": x(t), "x2": x(t), "y1": _LAG_TOP, "y2": _Q_TOP + _Q_H,
                                     "stroke": "#888", "stroke-dasharray": "2 3"}, ""])
            add(["text", f"bfl:{i}", {"class": "dl-muted", "x": x(t) + 3, "y": _LAG_TOP + 12,
                                      "font-size": 10}, f"backfill {phase} ({plural(n, 'item')})"])
        add(["text", "x0", {"class": "dl-muted", "x": _L, "y": H - 22, "font-size": 10},
             f"t={t0} ms"])
        add(["text", "x1", {"class": "dl-muted", "x": _L + _PW, "y": H - 22, "font-size": 10,
                            "text-anchor": "end"}, f"t={t1} ms"])
        add(["text", "cap", {"class": "dl-caption", "x": 10, "y": H - 6},
             "top: lag of each change and the worst per moment · below: changes waiting · "
             "red: table writes throttled by the index"])
        return {"w": W, "h": H, "items": items}

    def _title(self, s: GsiLagState) -> str:
        lg = self.lags(s)
        where = self.what(s) if s.index or s.table is None else f"{self.what(s)}.(no GSI yet)"
        return (f"{where}: {plural(lg['changes'], 'change')}, lag median {lg['median']} ms, "
                f"max {lg['max']} ms")

    def summary(self, s: GsiLagState) -> str:
        lg = self.lags(s)
        where = self.what(s) if s.index or s.table is None else f"{self.what(s)}.(no GSI yet)"
        q = self.queue(s)
        text = (f"{where}: {plural(lg['changes'], 'change')} applied, lag median {lg['median']} ms, "
                f"max {lg['max']} ms; queue peak {max([n for _, n in q] + [0])}")
        thr = self.throttled(s)
        if thr:
            text += f"; {plural(len(thr), 'second')} throttled ({plural(sum(thr.values()), 'write')})"
        else:
            text += "; no throttles"
        return text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        data = super()._repr_mimebundle_(include, exclude)
        if not self.live:
            data["application/vnd.plotly.v1+json"] = self.figure().to_plotly_json()
        return data
