"""CapacityView: capacity consumed against provisioned, per partition, per second.

The picture of a hot key: one partition at its ceiling (its share of the
table's provisioned throughput, plus what burst and adaptive capacity lend)
and throttled, while the others sit idle with tokens to spare.

From ``capacity.consumed`` (units served per partition per virtual second,
with the burst bucket's ``tokens`` at the end of the second),
``capacity.throttled`` (requests refused), ``partition.created`` /
``partition.throughput`` (each partition's share, over time) and
``partition.split``. ``op`` chooses reads or writes; by default, writes if
the log has any write activity for the table, else reads.

Output: :meth:`CapacityView.figure` is a plotly figure (consumed units and
the provisioned share per partition over time, throttles marked, and the
burst buckets below); the display adds a deterministic SVG of small
multiples, one row per partition, for static viewers and nbval.

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> ddb = DynamoDB(seed=0, capacity={"adaptive": False, "initial_burst_seconds": 1})
>>> c = ddb.client(retries=0)
>>> _ = c.create_table(TableName="Hot",
...     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
...     ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 20})
>>> c.get_waiter("table_exists").wait(TableName="Hot", WaiterConfig={"Delay": 1})
>>> _ = ddb.split_partition("Hot", "p0")             # two partitions of 10 WCU
>>> view = CapacityView(ddb, table="Hot")
>>> for i in range(300):                            # one hot key, 1 ms apart
...     try:
...         _ = c.put_item(TableName="Hot", Item={"pk": {"S": "hot"}})
...     except c.exceptions.ProvisionedThroughputExceededException:
...         pass
>>> ddb.run(ms=1000)                                # the second ends: its events
>>> view
<CapacityView 'Hot' write: 2 partitions over 1 s; throttled p1 (277 requests)>
>>> view.throttled(), view.idle()
({'p1': 277}, ['p2'])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...errors import ArgumentError
from ...events import Event
from ..svg import color
from ._base import DdbView, plural

__all__ = ["CapacityView", "CapacityState"]

W = 720
_L, _PW = 150, 540           # the plot area of each row
_TOP, _ROW_H, _GAP = 34, 46, 8
#: seconds drawn in the static chart (the last ones)
WINDOW_S = 120


@dataclass
class CapacityState:
    """Shares, consumption and throttles per partition, per second."""

    table: str | None = None
    index: str | None = None
    order: dict = field(default_factory=dict)     # id -> (start, creation number)
    live: set = field(default_factory=set)        # ids of live partitions
    shares: dict = field(default_factory=dict)    # id -> [(t, rcu, wcu), ...]
    used: dict = field(default_factory=dict)      # id -> {second: [ru, wu, adaptive, tr, tw]}
    throttled: dict = field(default_factory=dict)  # id -> {second: [re, we, units, reasons]}
    span: dict = field(default_factory=dict)      # id -> [created t, split t or None]
    ops: set = field(default_factory=set)         # 'read' / 'write' seen active
    first: int | None = None                      # first and last second with activity
    last: int | None = None


class CapacityView(DdbView):
    """Consumed against provisioned capacity per partition, throttles marked.

    Parameters
    ----------
    source : DynamoDB, Simulation or EventLog
    table : str, optional
        The table (default: the first one the log names).
    index : str, optional
        One of its global secondary indexes (its own partitions and capacity).
    op : 'read', 'write' or None
        Which capacity to draw; None picks writes if there are any, else reads.
    frame : 'action', 'all' or (first second, last second)
        The interval drawn. ``'action'`` (default) frames where something
        happens (throttles, splits, share changes, with 2 s before and 3 s
        after) when that is less than half of the run; ``'all'`` zooms out
        to the whole run (at most the last 120 s in the static SVG). The
        plotly figure holds every second either way: its autoscale (double
        click) zooms out.
    live : bool
        Display a small SVG widget that follows the log (default False: the
        display is a plotly figure of the moment it was shown).

    Notes
    -----
    Static SVG selectors: ``div.dl-capacity``; ``rect.dl-row-box`` per
    partition (``data-partition``, class ``dl-hot`` when it was throttled);
    ``rect.dl-cap-bar`` per partition-second with ``data-partition``,
    ``data-second`` and ``data-units`` (class ``dl-over`` above its share);
    ``line.dl-ceiling`` its share; ``rect.dl-throttle`` per throttled second
    with ``data-partition``, ``data-second`` and ``data-requests``; a text
    per partition with ``data-tokens``, its burst bucket after its last
    active second.
    """

    css_class = "dl-capacity"
    live = False
    kinds = ("capacity.consumed", "capacity.throttled", "partition.created",
             "partition.split", "partition.throughput", "table.deleted")

    def __init__(self, source: Any, table: str | None = None, index: str | None = None,
                 op: str | None = None, frame: Any = "action",
                 live: bool | None = None) -> None:
        if op not in (None, "read", "write"):
            raise ArgumentError(f"op must be 'read', 'write' or None, not {op!r}")
        if not (frame in ("action", "all") or (
                isinstance(frame, tuple) and len(frame) == 2
                and all(isinstance(x, (int, float)) for x in frame) and frame[0] <= frame[1])):
            raise ArgumentError(f"frame must be 'action', 'all' or (first second, last second), "
                             f"not {frame!r}")
        self.op_choice = op
        self.frame = frame
        super().__init__(source, table=table, index=index, live=live)

    def initial(self) -> CapacityState:
        return CapacityState(table=self.table, index=self.index)

    # -- the reducer ------------------------------------------------------
    def apply(self, s: CapacityState, ev: Event) -> CapacityState:
        kind = ev.kind
        if kind == "table.deleted":
            if self.mine(s, ev, indexed=False):
                return CapacityState(table=s.table, index=s.index)
            return s
        if not self.mine(s, ev):
            return s
        if kind == "capacity.consumed":
            sec = ev.second
            row = s.used.setdefault(ev.partition, {}).get(sec)
            if row is None:
                row = s.used[ev.partition][sec] = [0.0, 0.0, 0.0, 0.0, 0.0]
            row[0] += ev.read_units
            row[1] += ev.write_units
            row[2] += ev.adaptive_units
            row[3], row[4] = ev.tokens
            if ev.read_units or ev.reads:
                s.ops.add("read")
            if ev.write_units or ev.writes:
                s.ops.add("write")
            self._seen(s, sec)
        elif kind == "capacity.throttled":
            sec = ev.second
            row = s.throttled.setdefault(ev.partition, {}).get(sec)
            if row is None:
                row = s.throttled[ev.partition][sec] = [0, 0, 0.0, ()]
            row[0] += ev.read_events
            row[1] += ev.write_events
            row[2] += ev.units
            if ev.reason not in row[3]:
                row[3] = row[3] + (ev.reason,)
            if ev.read_events:
                s.ops.add("read")
            if ev.write_events:
                s.ops.add("write")
            self._seen(s, sec)
        elif kind == "partition.created":
            s.order[ev.partition] = (ev.start, len(s.order))
            s.live.add(ev.partition)
            s.shares[ev.partition] = [(ev.t, float(ev.rcu), float(ev.wcu))]
            s.span[ev.partition] = [ev.t, None]
        elif kind == "partition.split":
            s.live.discard(ev.parent)
            if ev.parent in s.span:
                s.span[ev.parent][1] = ev.t
            sh = s.shares.get(ev.parent)
            if sh:
                sh.append((ev.t, None, None))     # its share ends here
        elif kind == "partition.throughput":
            for pid, r, w in ev.shares:
                if pid in s.shares:
                    s.shares[pid].append((ev.t, float(r), float(w)))
        return s

    @staticmethod
    def _seen(s: CapacityState, sec: int) -> None:
        s.first = sec if s.first is None else min(s.first, sec)
        s.last = sec if s.last is None else max(s.last, sec)

    # -- reading ----------------------------------------------------------
    def op(self, s: CapacityState | None = None) -> str:
        """The capacity drawn: ``'read'`` or ``'write'``."""
        s = self.state if s is None else s
        if self.op_choice:
            return self.op_choice
        return "write" if "write" in s.ops or not s.ops else "read"

    def partition_ids(self, s: CapacityState | None = None) -> list[str]:
        """Partitions drawn, in hash order: the live ones and any gone ones
        that consumed or were throttled (split parents)."""
        s = self.state if s is None else s
        ids = set(s.live) | set(s.used) | set(s.throttled)
        return sorted(ids, key=lambda p: s.order.get(p, (0, 1 << 30)))

    def throttled(self, s: CapacityState | None = None) -> dict[str, int]:
        """Requests throttled per partition (reads or writes, as :meth:`op`),
        only partitions that had any, in hash order."""
        s = self.state if s is None else s
        i = 0 if self.op(s) == "read" else 1
        out = {}
        for pid in self.partition_ids(s):
            n = sum(row[i] for row in s.throttled.get(pid, {}).values())
            if n:
                out[pid] = n
        return out

    def consumed(self, partition: str, s: CapacityState | None = None) -> list[tuple]:
        """``[(second_ms, units), ...]`` one partition served (as :meth:`op`)."""
        s = self.state if s is None else s
        i = 0 if self.op(s) == "read" else 1
        return sorted((sec, row[i]) for sec, row in s.used.get(partition, {}).items())

    def idle(self, s: CapacityState | None = None) -> list[str]:
        """Live partitions that served nothing (as :meth:`op`) and were never throttled."""
        s = self.state if s is None else s
        hot = self.throttled(s)
        return [p for p in self.partition_ids(s) if p in s.live and p not in hot
                and not any(u for _, u in self.consumed(p, s))]

    def share_at(self, partition: str, t: int, s: CapacityState | None = None) -> float | None:
        """A partition's provisioned share (as :meth:`op`) at time ``t``, or
        None (not a partition then, or an on-demand table: no share)."""
        s = self.state if s is None else s
        i = 1 if self.op(s) == "read" else 2
        val = None
        for when, *rw in s.shares.get(partition, []):
            if when > t:
                break
            val = None if rw[0] is None else rw[i - 1]
        return val or None

    # -- the plotly figure ------------------------------------------------
    def figure(self):
        """A plain plotly figure: per partition, units consumed each second
        (solid) against its provisioned share (dashed), throttled seconds as
        red crosses; below, the burst bucket's tokens. Deterministic."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots
        s = self.state
        op = self.op(s)
        i = 0 if op == "read" else 1
        unit = "RCU" if op == "read" else "WCU"
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32],
                            vertical_spacing=0.08,
                            subplot_titles=(f"{op} units consumed per second, per partition",
                                            "burst bucket: tokens left"))
        secs = self._all_seconds(s)
        for n, pid in enumerate(self.partition_ids(s)):
            col = color(s.order.get(pid, (0, n))[1])
            used = s.used.get(pid, {})
            xs = [sec / 1000 for sec in secs]
            born, ended = s.span.get(pid, (None, None))

            def value(sec: int, used: dict = used, born: int | None = born,
                      ended: int | None = ended) -> float | None:
                if sec in used:
                    return used[sec][i]
                if born is None or born > sec + 999 or (ended is not None and ended < sec):
                    return None               # not a partition during that second
                return 0
            fig.add_trace(go.Scatter(x=xs, y=[value(sec) for sec in secs],
                                     mode="lines+markers", marker=dict(size=4),
                                     line=dict(color=col, width=2, shape="hv"),
                                     name=pid, legendgroup=pid), row=1, col=1)
            fig.add_trace(go.Scatter(x=xs, y=[self.share_at(pid, sec + 999, s) for sec in secs],
                                     mode="lines", line=dict(color=col, width=1, dash="dash",
                                                             shape="hv"),
                                     name=f"{pid} share", legendgroup=pid, showlegend=False),
                          row=1, col=1)
            thr = sorted(s.throttled.get(pid, {}).items())
            thr = [(sec, row) for sec, row in thr if row[i]]
            if thr:
                fig.add_trace(go.Scatter(
                    x=[sec / 1000 for sec, _ in thr],
                    y=[used[sec][i] if sec in used else 0 for sec, _ in thr],
                    mode="markers", marker=dict(symbol="x", size=11, color="#d62728"),
                    name=f"{pid} throttled", legendgroup=pid,
                    text=[f"{pid}: {row[i]} {op}s throttled ({', '.join(row[3])})"
                          for _, row in thr], hoverinfo="text+x"), row=1, col=1)
            tok = sorted(used.items())
            if tok:
                fig.add_trace(go.Scatter(x=[sec / 1000 for sec, _ in tok],
                                         y=[row[3 + i] for _, row in tok], mode="lines+markers",
                                         line=dict(color=col, width=1.5), name=f"{pid} tokens",
                                         legendgroup=pid, showlegend=False), row=2, col=1)
        fig.update_layout(title=self._title(s), template="simple_white", height=460,
                          margin=dict(l=60, r=20, t=70, b=40), hovermode="closest")
        fig.update_yaxes(title_text=unit, row=1, col=1)
        fig.update_yaxes(title_text="tokens", row=2, col=1)
        fig.update_xaxes(title_text="virtual time (s)", row=2, col=1)
        f = self.framed(s)
        if f is not None and (f[0], f[1]) != (s.first, s.last):
            # frame the action; autoscale (double click) zooms out to every second
            fig.update_xaxes(range=[f[0] / 1000 - 0.5, f[1] / 1000 + 0.5])
        return fig

    def _all_seconds(self, s: CapacityState) -> list[int]:
        if s.first is None:
            return []
        return list(range(s.first, s.last + 1000, 1000))

    def framed(self, s: CapacityState | None = None) -> tuple[int, int] | None:
        """The seconds drawn, ``(first, last)`` in ms of virtual time, or None
        before any activity. See ``frame``. O(seconds)."""
        s = self.state if s is None else s
        if s.first is None:
            return None
        lo, hi = s.first, s.last
        if self.frame == "all":
            return max(lo, hi - (WINDOW_S - 1) * 1000), hi
        if isinstance(self.frame, tuple):
            a, b = (int(x) * 1000 for x in self.frame)
            return max(lo, a), max(max(lo, a), min(hi, b))
        i = 0 if self.op(s) == "read" else 1
        marks = [sec for rows in s.throttled.values() for sec, row in rows.items() if row[i]]
        marks += [t // 1000 * 1000 for t0, t1 in s.span.values() for t in (t0, t1)
                  if t is not None and lo <= t // 1000 * 1000 <= hi and t0 != t]
        marks += [t // 1000 * 1000 for rows in s.shares.values() for t, *_ in rows[1:]
                  if lo <= t // 1000 * 1000 <= hi]
        if marks:
            a, b = max(lo, min(marks) - 2000), min(hi, max(marks) + 3000)
            if (b - a) * 2 < hi - lo:
                return a, b
        return max(lo, hi - (WINDOW_S - 1) * 1000), hi

    def _seconds(self, s: CapacityState) -> list[int]:
        f = self.framed(s)
        if f is None:
            return []
        return list(range(f[0], f[1] + 1000, 1000))

    # -- the static drawing -----------------------------------------------
    def render(self, s: CapacityState) -> dict:
        items: list = []
        add = items.append
        op = self.op(s)
        i = 0 if op == "read" else 1
        unit = "RCU" if op == "read" else "WCU"
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 20}, self._title(s)])
        secs = self._seconds(s)
        ids = self.partition_ids(s)
        slot = _PW / max(len(secs), 1)
        for n, pid in enumerate(ids):
            y0 = _TOP + n * (_ROW_H + _GAP)
            used = s.used.get(pid, {})
            thr = s.throttled.get(pid, {})
            shares = [self.share_at(pid, sec + 999, s) for sec in secs]
            top = max([1.0] + [used[sec][i] for sec in secs if sec in used]
                      + [v for v in shares if v])
            hot = any(row[i] for row in thr.values())
            gone = "" if pid in s.live else " (split)"
            add(["rect", f"row:{pid}", {"class": "dl-row-box dl-hot" if hot else "dl-row-box",
                                        "x": _L, "y": y0, "width": _PW, "height": _ROW_H,
                                        "data-partition": pid}, ""])
            last = [rw[i] for _, *rw in s.shares.get(pid, []) if rw[0] is not None and rw[i]]
            add(["text", f"rl:{pid}", {"x": _L - 8, "y": y0 + 18, "text-anchor": "end",
                                       "font-weight": 600}, f"{pid}{gone}"])
            add(["text", f"rs:{pid}", {"class": "dl-muted", "x": _L - 8, "y": y0 + 34,
                                       "text-anchor": "end", "font-size": 10},
                 (f"share {last[-1]:g} {unit}" if pid in s.live else f"had {last[-1]:g} {unit}")
                 if last else "no share (on demand)"])
            if used:
                sec, row = max(used.items())
                add(["text", f"rt:{pid}", {"class": "dl-muted", "x": _L + _PW - 4,
                                           "y": y0 + 12, "text-anchor": "end", "font-size": 10,
                                           "data-tokens": round(row[3 + i], 2)},
                     f"bucket: {row[3 + i]:.1f} tokens at t={sec // 1000 + 1} s"])

            def y(v: float, y0: float = y0, top: float = top) -> float:
                return round(y0 + _ROW_H - 4 - (_ROW_H - 10) * v / top, 2)
            for k, sec in enumerate(secs):
                x = round(_L + k * slot, 2)
                if sec in used and used[sec][i]:
                    v = used[sec][i]
                    over = shares[k] is not None and v > shares[k] + 1e-9
                    add(["rect", f"b:{pid}:{sec}", {
                        "class": "dl-cap-bar dl-over" if over else "dl-cap-bar", "x": x,
                        "y": y(v), "width": round(max(slot * 0.8, 0.6), 2),
                        "height": round(y(0) - y(v), 2), "data-partition": pid,
                        "data-second": sec, "data-units": v,
                        "data-tip": f"{pid} t={sec // 1000} s: {v:g} {unit} served"}, ""])
                if sec in thr and thr[sec][i]:
                    row = thr[sec][i]
                    add(["rect", f"t:{pid}:{sec}", {
                        "class": "dl-throttle", "x": x, "y": y0 + 1,
                        "width": round(max(slot * 0.8, 2), 2), "height": 4,
                        "data-partition": pid, "data-second": sec, "data-requests": row,
                        "data-tip": f"{pid} t={sec // 1000} s: {row} throttled "
                                    f"({', '.join(thr[sec][3])})"}, ""])
            # the ceiling: the share, as a step line over the seconds
            path = []
            for k, v in enumerate(shares):
                if v is None:
                    continue
                x0, x1 = round(_L + k * slot, 2), round(_L + (k + 1) * slot, 2)
                path.append(f"M{x0} {y(v)}H{x1}")
            if path:
                add(["path", f"c:{pid}", {"class": "dl-ceiling", "d": "".join(path),
                                          "fill": "none", "data-partition": pid}, ""])
        h = _TOP + max(len(ids), 1) * (_ROW_H + _GAP)
        if secs:
            add(["text", "x0", {"class": "dl-muted", "x": _L, "y": h + 4, "font-size": 10},
                 f"t={secs[0] // 1000} s"])
            add(["text", "x1", {"class": "dl-muted", "x": _L + _PW, "y": h + 4, "font-size": 10,
                                "text-anchor": "end"}, f"t={secs[-1] // 1000} s"])
        add(["text", "cap", {"class": "dl-caption", "x": 10, "y": h + 22},
             f"bars: {unit} served a second · dashed: the share · red: throttled · "
             f"orange: above the share (burst or adaptive)"])
        if secs and (secs[0], secs[-1]) != (s.first, s.last):
            add(["text", "framed", {"class": "dl-muted", "x": 10, "y": h + 38, "font-size": 11,
                                    "data-first": secs[0] // 1000, "data-last": secs[-1] // 1000},
                 f"framed: t={secs[0] // 1000}-{secs[-1] // 1000} s of "
                 f"{s.first // 1000}-{s.last // 1000} s, where it happens · "
                 f"frame='all' zooms out"])
            return {"w": W, "h": h + 46, "items": items}
        return {"w": W, "h": h + 30, "items": items}

    def _title(self, s: CapacityState) -> str:
        hot = self.throttled(s)
        text = f"{self.what(s)}: {self.op(s)} capacity per partition"
        if hot:
            text += " · throttled: " + ", ".join(f"{p} ({n})" for p, n in hot.items())
        return text

    def summary(self, s: CapacityState) -> str:
        secs = 0 if s.first is None else (s.last - s.first) // 1000 + 1
        text = (f"{self.what(s)} {self.op(s)}: {plural(len(self.partition_ids(s)), 'partition')} "
                f"over {secs} s")
        hot = self.throttled(s)
        if hot:
            text += "; throttled " + ", ".join(f"{p} ({plural(n, 'request')})" for p, n in hot.items())
        else:
            text += "; no throttles"
        return text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        data = super()._repr_mimebundle_(include, exclude)
        if not self.live:
            data["application/vnd.plotly.v1+json"] = self.figure().to_plotly_json()
        return data
