"""StreamRecordsView: a stream's records per shard, in order, with shard lineage.

Drawn from what a Streams client sees (:func:`~dynamo_lab.viz.record` on a
``dynamodbstreams`` client): DescribeStream's shards (``ParentShardId``
gives the lineage, an ``EndingSequenceNumber`` says a shard is closed) and
GetRecords' records, each placed on its shard's lane in sequence order and
coloured by its event name (INSERT green, MODIFY blue, REMOVE red). A small
mark above a record says which images it carries (old ▲, new ▼), so the
four StreamViewTypes look different. A child shard's lane starts where its
parent's ends, with a line from parent to child.

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> from dynamo_lab.viz import StreamRecordsView, record
>>> ddb = DynamoDB(seed=0)
>>> c, s = ddb.client(retries=0), ddb.streams_client()
>>> calls = record(c, s)
>>> _ = c.create_table(TableName="Votes", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
...     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
>>> c.get_waiter("table_exists").wait(TableName="Votes", WaiterConfig={"Delay": 1})
>>> for v in ("a", "b", "a"):
...     _ = c.put_item(TableName="Votes", Item={"pk": {"S": "k"}, "v": {"S": v}})
>>> arn = c.describe_table(TableName="Votes")["Table"]["LatestStreamArn"]
>>> shard = s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
>>> it = s.get_shard_iterator(StreamArn=arn, ShardId=shard,
...                           ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
>>> _ = s.get_records(ShardIterator=it)
>>> view = StreamRecordsView(calls)
>>> view
<StreamRecordsView 'Votes': 1 shard (1 open), 3 records (1 INSERT, 2 MODIFY)>
>>> [e for _, e, *_ in view.records(shard)]
['INSERT', 'MODIFY', 'MODIFY']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...events import Event
from ._base import plural
from ._endpoint import EVENT_COLORS, EndpointView, clip

__all__ = ["StreamRecordsView", "StreamRecordsState"]

W = 780
_L, _TOP, _LANE = 170, 44, 34
_MARK, _STEP = 12, 15


def _seq_key(seq: str) -> tuple:
    return (len(seq), seq) if seq.isdigit() else (10 ** 6, seq)


@dataclass
class StreamRecordsState:
    """The view's shards (id -> (parent, first, last)), their records, the table.

    ``shards`` holds the shards DescribeStream listed for the view's table
    (and, while no DescribeStream has named one, the shards records were
    read from); ``others`` the shards it listed for other tables, whose
    records are not drawn; ``unlisted`` the records of shards no
    DescribeStream has listed yet, kept until one does.
    """

    table: str | None = None
    index: str | None = None
    shards: dict = field(default_factory=dict)
    order: list = field(default_factory=list)      # shard ids, first seen first
    records: dict = field(default_factory=dict)    # shard -> {seq: record}
    read_to_end: set = field(default_factory=set)  # shards GetRecords found closed
    others: set = field(default_factory=set)       # shards listed for other tables
    unlisted: dict = field(default_factory=dict)   # shard -> {seq: record}, not listed yet
    listed: bool = False                           # a DescribeStream named the view's table


class StreamRecordsView(EndpointView):
    """Records per stream shard, in order, with the shards' lineage.

    Parameters
    ----------
    source : CallRecorder, DynamoDB, Simulation or EventLog
        A recorder of a ``dynamodbstreams`` client (and usually the table's).
    table : str, optional
        The table whose stream to draw (default: the first DescribeStream's).
    per_lane : int
        Records drawn per shard at most (the last ones; all are counted).

    Notes
    -----
    A GetRecords answer names its shard, not its table: records of a shard
    that DescribeStream listed for another table are left out, and records
    read before any DescribeStream named a table are drawn only until one
    does (then only that table's shards stay).

    Selectors: ``div.dl-streamrecs``; ``rect.dl-rec`` per drawn record with
    ``data-shard``, ``data-seq``, ``data-event`` and ``data-tip``;
    ``rect.dl-lane`` per shard with ``data-shard``, ``data-parent`` and
    ``data-state`` (``open``/``closed``); ``path.dl-lineage`` parent to child.
    """

    css_class = "dl-streamrecs"
    kinds = ("client.shards", "client.records")

    def __init__(self, source: Any, table: str | None = None, per_lane: int = 36,
                 live: bool | None = None) -> None:
        self.per_lane = int(per_lane)
        super().__init__(source, table=table, live=live)

    def initial(self) -> StreamRecordsState:
        return StreamRecordsState(table=self.table)

    def apply(self, s: StreamRecordsState, ev: Event) -> StreamRecordsState:
        if ev.kind == "client.shards":
            if s.table is None:
                s.table = ev.table
            listed = [row[0] for row in ev.shards]
            if ev.table != s.table:
                s.others.update(listed)
                for sid in listed:          # read before their table was known: not ours
                    s.unlisted.pop(sid, None)
                    if sid in s.shards and s.shards[sid] == (None, None, None):
                        del s.shards[sid]
                        s.order.remove(sid)
                        s.records.pop(sid, None)
                        s.read_to_end.discard(sid)
                return s
            if not s.listed:                # only this table's shards from now on
                s.listed = True
                for sid in [k for k, v in s.shards.items() if v == (None, None, None)]:
                    if sid not in listed:
                        del s.shards[sid]
                        s.order.remove(sid)
                        s.unlisted[sid] = s.records.pop(sid, {})
            for sid, parent, first, last in ev.shards:
                if sid not in s.shards:
                    s.order.append(sid)
                s.shards[sid] = (parent, first, last)
                recs = s.records.setdefault(sid, {})
                recs.update(s.unlisted.pop(sid, {}))
            return s
        shard = ev.shard
        if shard is None or shard in s.others:
            return s
        into = s.records
        if shard not in s.shards:
            if s.listed:                    # not (yet) listed for the view's table
                into = s.unlisted
            else:                           # records before any DescribeStream
                s.order.append(shard)
                s.shards[shard] = (None, None, None)
        recs = into.setdefault(shard, {})
        for rec in ev.records:
            recs[rec[0]] = tuple(rec)
        if ev.closed:
            s.read_to_end.add(shard)
        return s

    # -- reading ----------------------------------------------------------
    def records(self, shard: str, s: StreamRecordsState | None = None) -> list[tuple]:
        """One shard's records seen so far, in sequence order:
        ``(sequence, event, key, old image, new image, size)``."""
        s = self.state if s is None else s
        recs = s.records.get(shard, {})
        return [recs[q] for q in sorted(recs, key=_seq_key)]

    def lanes(self, s: StreamRecordsState | None = None) -> list[str]:
        """Shard ids in lineage order: each parent, then its children."""
        s = self.state if s is None else s
        kids: dict = {}
        roots = []
        for sid in s.order:
            parent = s.shards[sid][0]
            if parent in s.shards:
                kids.setdefault(parent, []).append(sid)
            else:
                roots.append(sid)
        out: list = []

        def walk(sid: str) -> None:
            out.append(sid)
            for k in kids.get(sid, ()):
                walk(k)
        for r in roots:
            walk(r)
        return out

    def _closed(self, s: StreamRecordsState, sid: str) -> bool:
        return s.shards[sid][2] is not None or sid in s.read_to_end

    # -- drawing ----------------------------------------------------------
    def render(self, s: StreamRecordsState) -> dict:
        items: list = []
        add = items.append
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18}, self._title(s)])
        lanes = self.lanes(s)
        depth: dict = {}
        ys: dict = {}
        for i, sid in enumerate(lanes):
            parent = s.shards[sid][0]
            depth[sid] = depth.get(parent, -1) + 1 if parent in depth else 0
            ys[sid] = _TOP + i * _LANE
        for sid in lanes:
            y = ys[sid]
            x0 = _L + 24 * depth[sid]
            closed = self._closed(s, sid)
            recs = self.records(sid, s)
            parent = s.shards[sid][0]
            add(["text", f"sl:{sid}", {"x": 10, "y": y + 16, "font-weight": 600,
                                       "font-size": 11, "data-shard": sid},
                 "…" + sid[-14:] if len(sid) > 15 else sid])
            add(["text", f"ss:{sid}", {"class": "dl-muted", "x": 10, "y": y + 28,
                                       "font-size": 9},
                 ("closed" if closed else "open") + f" · {plural(len(recs), 'record')}"])
            add(["rect", f"lane:{sid}", {
                "class": "dl-lane", "x": x0, "y": y + 2, "width": W - x0 - 8, "height": _LANE - 6,
                "rx": 4, "fill": "#f0f0f0" if closed else "#eaf6e6",
                "stroke": "#999" if closed else "#59a14f", "data-shard": sid,
                "data-parent": parent or "", "data-state": "closed" if closed else "open",
                "data-tip": f"{sid} · parent {parent or 'none'} · "
                            f"{'closed' if closed else 'open'} · {plural(len(recs), 'record')}"}, ""])
            if parent in ys:
                py = ys[parent] + _LANE - 4
                add(["path", f"lin:{sid}", {
                    "class": "dl-lineage", "d": f"M{x0 - 14} {py}V{y + _LANE / 2}H{x0}",
                    "fill": "none", "stroke": "#888", "stroke-width": 1.4}, ""])
            shown = recs[-self.per_lane:]
            if len(recs) > len(shown):
                add(["text", f"more:{sid}", {"class": "dl-muted", "x": x0 + 4, "y": y + 20,
                                             "font-size": 10}, f"+{len(recs) - len(shown)}"])
            base = x0 + (26 if len(recs) > len(shown) else 6)
            for j, (seq, event, key, old, new, size) in enumerate(shown):
                x = base + j * _STEP
                colr = EVENT_COLORS.get(event, "#999")
                imgs = ("old+new" if old and new else "old" if old else
                        "new" if new else "keys only")
                add(["rect", f"r:{sid}:{seq}", {
                    "class": "dl-rec", "x": x, "y": y + 9, "width": _MARK, "height": _MARK + 4,
                    "rx": 2, "fill": colr, "data-shard": sid, "data-seq": seq,
                    "data-event": event,
                    "data-tip": f"{event} {key} · seq {clip(seq, 24)} · {imgs} · {size} B"}, ""])
                if old:
                    add(["path", f"ro:{sid}:{seq}", {"d": f"M{x + 2} {y + 7}h8l-4 -4z",
                                                     "fill": "#555"}, ""])
                if new:
                    add(["path", f"rn:{sid}:{seq}", {"d": f"M{x + 2} {y + 27}h8l-4 4z",
                                                     "fill": "#555"}, ""])
            if closed and shown:
                x = base + len(shown) * _STEP + 2
                add(["line", f"end:{sid}", {"x1": x, "x2": x, "y1": y + 6, "y2": y + _LANE - 8,
                                            "stroke": "#555", "stroke-width": 2}, ""])
        y = _TOP + max(len(lanes), 1) * _LANE + 4
        x = 10
        for event, colr in EVENT_COLORS.items():
            add(["rect", f"lg:{event}", {"x": x, "y": y, "width": 12, "height": 12, "fill": colr},
                 ""])
            add(["text", f"lgt:{event}", {"x": x + 16, "y": y + 10, "font-size": 11}, event])
            x += 80
        add(["text", "lgt:img", {"class": "dl-muted", "x": x, "y": y + 10, "font-size": 11},
             "▲ old image · ▼ new image · lanes: shards, a child under its parent"])
        return {"w": W, "h": y + 22, "items": items}

    def _counts(self, s: StreamRecordsState) -> dict:
        out: dict = {}
        for recs in s.records.values():
            for r in recs.values():
                out[r[1]] = out.get(r[1], 0) + 1
        return out

    def _title(self, s: StreamRecordsState) -> str:
        n = sum(len(r) for r in s.records.values())
        where = f"{s.table!r} stream" if s.table else "stream"
        return (f"{where}: {plural(len(s.shards), 'shard')}, {plural(n, 'record')} read "
                "(DescribeStream and GetRecords as the client saw them)")

    def summary(self, s: StreamRecordsState) -> str:
        n = sum(len(r) for r in s.records.values())
        open_ = sum(1 for sid in s.shards if not self._closed(s, sid))
        counts = self._counts(s)
        text = (f"{self.what(s)}: {plural(len(s.shards), 'shard')} ({open_} open), {plural(n, 'record')}")
        if counts:
            text += " (" + ", ".join(f"{counts[e]} {e}" for e in sorted(counts)) + ")"
        return text
