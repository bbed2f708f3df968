"""ShardLineageView: a table's stream shards as a tree, and who reads them.

DynamoDB Streams keeps one open shard per partition. When a partition
splits, its shard closes and each child partition gets a new shard whose
``ParentShardId`` is the closed one; a shard open long enough rolls over to
a successor. So the shards form a lineage tree: drawn here left to right,
generation by generation (a :mod:`networkx` tree, leaves in the order the
shards opened, each parent centred on its children).

Right of the tree, the consumers: each KCL-like worker (``kcl.lease``,
``kcl.checkpoint``: which worker holds which shard's lease, records
checkpointed) and each Lambda-like event source mapping (``trigger.batch``:
batches and records per shard, and how they ended). A flow line runs from a
shard to each consumer that read it, wider for more records.

A table with no stream draws an empty tree; consumers of other tables'
streams are not drawn (their shards are not this table's). A table deleted
and created again under the same name starts a new tree: the earlier
table's stream (readable 24 hours by its own ARN) is not the new table's.

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> from dynamo_lab.dynamodb.consumers.triggers import EventSourceMapping
>>> ddb = DynamoDB(seed=0, create_ms=0)
>>> c = ddb.client()
>>> arn = c.create_table(TableName="Votes",
...     KeySchema=[{"AttributeName": "Voter", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "Voter", "AttributeType": "S"}],
...     ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 100},
...     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
... )["TableDescription"]["LatestStreamArn"]
>>> m = EventSourceMapping(lambda event: None, arn, streams_client=ddb.streams_client(),
...                        starting_position="TRIM_HORIZON", name="tally")
>>> view = ShardLineageView(ddb, table="Votes")
>>> for v in ["ann", "bob", "cy"]:
...     _ = c.put_item(TableName="Votes", Item={"Voter": {"S": v}})
>>> _ = ddb.split_partition("Votes", "p0")
>>> _ = c.put_item(TableName="Votes", Item={"Voter": {"S": "dee"}})
>>> ddb.run(ms=2000)
>>> view
<ShardLineageView 'Votes': 3 shards (2 open), 4 records; mapping tally: 4 records in 2 batches>
>>> [(g, len(shards)) for g, shards in enumerate(view.generations())]
[(0, 1), (1, 2)]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...events import Event
from ._base import DdbView, plural

__all__ = ["ShardLineageView", "LineageState", "tree_layout"]

W = 760
_X0, _COL = 14, 172           # the tree's columns (one per generation)
_BOX_W, _BOX_H, _ROW = 150, 36, 46
_TOP = 40
_CW, _CH = 170, 40            # consumer boxes


@dataclass
class LineageState:
    """Shards of the table's streams, their records, and their consumers."""

    table: str | None = None
    index: str | None = None
    shards: dict = field(default_factory=dict)   # id -> dict(parent, partition, opened, closed,
    #                                              reason, records, stream)
    # consumers: name -> {"kind": "kcl"|"mapping", "shards": {shard: dict}}
    consumers: dict = field(default_factory=dict)


def tree_layout(parents: dict) -> dict:
    """``{node: (generation, row)}`` of a forest given ``{node: parent}``
    (parent None, or not in the forest, for a root), with networkx: each
    root's subtree in the order given, leaves one row apart, each parent on
    the mean row of its children. O(n).

    >>> tree_layout({"a": None, "b": "a", "c": "a", "d": None})
    {'a': (0, 0.5), 'b': (1, 0.0), 'c': (1, 1.0), 'd': (0, 2.0)}
    """
    import networkx as nx
    g = nx.DiGraph()
    g.add_nodes_from(parents)
    g.add_edges_from((p, n) for n, p in parents.items() if p is not None and p in parents)
    pos: dict = {}
    row = 0.0
    for root in (n for n in parents if g.in_degree(n) == 0):
        depth = nx.single_source_shortest_path_length(g, root)
        for n in nx.dfs_postorder_nodes(g, root):
            kids = list(g.successors(n))
            if kids:
                y = sum(pos[k][1] for k in kids) / len(kids)
            else:
                y, row = row, row + 1
            pos[n] = (depth[n], y)
    return {n: pos[n] for n in parents}


class ShardLineageView(DdbView):
    """Stream shard lineage as a tree, record counts, and each consumer's share.

    Parameters
    ----------
    source : DynamoDB, Simulation or EventLog
    table : str, optional
        The table whose stream is drawn (default: the first one the log names).
    live : bool
        Display a widget that follows the log (default True).

    Notes
    -----
    Selectors: ``div.dl-lineage``; ``rect.dl-shard`` per shard with
    ``data-shard``, ``data-parent``, ``data-partition``, ``data-records``,
    ``data-state`` (open, closed) and class ``dl-shard-open`` /
    ``dl-shard-closed``; ``path.dl-lineage`` per parent-child pair
    (``data-parent``, ``data-child``); ``rect.dl-consumer`` per mapping and
    per KCL worker (``data-consumer``, ``data-worker``, ``data-kind`` kcl or
    mapping); ``path.dl-flow`` per shard and consumer (``data-shard``, ``data-consumer``, ``data-records``,
    and ``data-worker`` for KCL).
    """

    css_class = "dl-lineage"
    live = True
    kinds = ("shard.opened", "shard.closed", "stream.record", "kcl.lease", "kcl.checkpoint",
             "trigger.batch", "table.created", "table.deleted")

    def __init__(self, source: Any, table: str | None = None, live: bool | None = None) -> None:
        super().__init__(source, table=table, live=live)

    def initial(self) -> LineageState:
        return LineageState(table=self.table)

    # -- the reducer ------------------------------------------------------
    def apply(self, s: LineageState, ev: Event) -> LineageState:
        kind = ev.kind
        if kind.startswith("shard.") or kind == "stream.record":
            if not self.mine(s, ev, indexed=False):
                return s
            if kind == "stream.record":
                sh = s.shards.get(ev.shard)
                if sh is not None:
                    sh["records"] += 1
            elif kind == "shard.opened":
                s.shards[ev.shard] = {"parent": ev.parent, "partition": ev.partition,
                                      "opened": ev.t, "closed": None, "reason": None,
                                      "records": 0, "stream": ev.stream}
            else:
                sh = s.shards.get(ev.shard)
                if sh is not None:
                    sh["closed"], sh["reason"] = ev.t, ev.reason
            return s
        if kind in ("table.created", "table.deleted"):
            # (mine names the view's table if it has none)
            if self.mine(s, ev, indexed=False) and kind == "table.created":
                s.shards, s.consumers = {}, {}   # made again: an earlier table's stream is not its
            return s          # a deleted table's shards stay readable 24 hours: the tree stays
        if ev.shard not in s.shards:
            return s          # another table's stream
        if kind == "trigger.batch":
            c = s.consumers.setdefault(f"mapping {ev.mapping}", {"kind": "mapping", "shards": {}})
            row = c["shards"].setdefault(ev.shard, {"batches": 0, "records": 0, "outcomes": {}})
            row["batches"] += 1
            if ev.outcome in ("ok", "error"):
                row["records"] += ev.records
            row["outcomes"][ev.outcome] = row["outcomes"].get(ev.outcome, 0) + 1
        else:
            c = s.consumers.setdefault(f"app {ev.app}", {"kind": "kcl", "shards": {}})
            row = c["shards"].setdefault(ev.shard, {"worker": None, "last": None,
                                                    "lease": None, "records": 0,
                                                    "sequence": None, "moves": 0})
            if ev.worker not in c.setdefault("workers", []):
                c["workers"].append(ev.worker)
            if kind == "kcl.lease":
                act = ev.action
                if act in ("taken", "stolen"):
                    if row["last"] not in (None, ev.worker):
                        row["moves"] += 1
                    row["worker"] = row["last"] = ev.worker
                elif act in ("expired", "released", "finished"):
                    if row["worker"] == ev.worker or act == "finished":
                        row["worker"] = None
                if act != "renewed":
                    row["lease"] = act
            else:
                row["last"] = ev.worker
                row["records"] += ev.records
                row["sequence"] = ev.sequence
        return s

    # -- reading ----------------------------------------------------------
    def shards(self, s: LineageState | None = None) -> dict:
        """``{shard: {parent, partition, opened, closed, reason, records, stream}}``."""
        s = self.state if s is None else s
        return {k: dict(v) for k, v in s.shards.items()}

    def generations(self, s: LineageState | None = None) -> list[list[str]]:
        """The shards by generation: roots first, then their children, and so on."""
        s = self.state if s is None else s
        pos = tree_layout({k: v["parent"] for k, v in s.shards.items()})
        out: list[list[str]] = []
        for k, (g, _) in sorted(pos.items(), key=lambda kv: (kv[1][0], kv[1][1])):
            while len(out) <= g:
                out.append([])
            out[g].append(k)
        return out

    def consumers(self, s: LineageState | None = None) -> dict:
        """``{consumer: {shard: numbers}}``: ``'app <name>'`` for a KCL
        application (``worker``: who holds the lease now, None once finished
        or given up; ``last``: who processed it last; ``lease``: its last
        action; ``records`` checkpointed; ``sequence``; ``moves`` between
        workers) and ``'mapping <name>'`` for an event source mapping
        (``batches``, ``records``, ``outcomes``)."""
        s = self.state if s is None else s
        return {name: {sh: dict(row) for sh, row in c["shards"].items()}
                for name, c in s.consumers.items()}

    # -- drawing ----------------------------------------------------------
    def render(self, s: LineageState) -> dict:
        items: list = []
        add = items.append
        pos = tree_layout({k: v["parent"] for k, v in s.shards.items()})
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 20}, self._title(s)])
        gens = 1 + max([g for g, _ in pos.values()], default=0)
        right = _X0 + gens * _COL
        cx0 = max(right + 60, W - _CW - 14)
        width = cx0 + _CW + 14

        def box(k: str) -> tuple[float, float]:
            g, r = pos[k]
            return _X0 + g * _COL, _TOP + r * _ROW
        for k, sh in s.shards.items():
            p = sh["parent"]
            if p in pos:
                (px, py), (x, y) = box(p), box(k)
                x1, y1, x2, y2 = px + _BOX_W, py + _BOX_H / 2, x, y + _BOX_H / 2
                mid = (x1 + x2) / 2
                add(["path", f"e:{p}:{k}", {"class": "dl-lineage", "data-parent": p,
                                            "data-child": k,
                                            "d": f"M{x1:.2f} {y1:.2f}C{mid:.2f} {y1:.2f} "
                                                 f"{mid:.2f} {y2:.2f} {x2:.2f} {y2:.2f}"}, ""])
        # consumers on the right: one box per mapping, one per worker of a KCL app
        boxes = [(n, w) for n, c in s.consumers.items()
                 for w in (c.get("workers") or [None] if c["kind"] == "kcl" else [None])]
        cy = {b: _TOP + i * (_CH + 14) for i, b in enumerate(boxes)}
        top_records = max([1] + [row["records"] for c in s.consumers.values()
                                 for row in c["shards"].values()])
        for n, c in s.consumers.items():
            for k, row in c["shards"].items():
                w = (row["worker"] or row["last"]) if c["kind"] == "kcl" else None
                if k not in pos or (n, w) not in cy or not (row["records"] or w):
                    continue
                x, y = box(k)
                x1, y1, x2, y2 = x + _BOX_W, y + _BOX_H / 2, cx0, cy[(n, w)] + _CH / 2
                mid = (x1 + x2) / 2
                attrs = {"class": "dl-flow", "data-shard": k, "data-consumer": n,
                         "data-records": row["records"],
                         "stroke-width": round(1.5 + 8 * row["records"] / top_records, 2),
                         "d": f"M{x1:.2f} {y1:.2f}C{mid:.2f} {y1:.2f} {mid:.2f} {y2:.2f} "
                              f"{x2:.2f} {y2:.2f}"}
                if c["kind"] == "kcl":
                    attrs["data-worker"] = w
                    tip = (f"{n} · {k}: lease {row['lease'] or '-'}"
                           f"{', held by ' + row['worker'] if row['worker'] else ''}, "
                           f"{plural(row['records'], 'record')} checkpointed (last by {row['last']})"
                           f"{', moved ' + str(row['moves']) + '×' if row['moves'] else ''}")
                else:
                    outs = ", ".join(f"{o} {v}" for o, v in sorted(row["outcomes"].items()))
                    tip = f"{n} · {k}: {plural(row['batches'], 'batch', 'batches')} ({outs}), {plural(row['records'], 'record')}"
                attrs["data-tip"] = tip
                add(["path", f"f:{k}:{n}", attrs, ""])
        for k, sh in s.shards.items():
            x, y = box(k)
            state = "open" if sh["closed"] is None else "closed"
            add(["rect", f"s:{k}", {
                "class": f"dl-shard dl-shard-{state}", "x": round(x, 2), "y": round(y, 2),
                "width": _BOX_W, "height": _BOX_H, "rx": 5, "data-shard": k,
                "data-parent": sh["parent"] or "", "data-partition": sh["partition"],
                "data-records": sh["records"], "data-state": state,
                "data-tip": self._tip(k, sh)}, ""])
            add(["text", f"sl:{k}", {"x": round(x + 6, 2), "y": round(y + 15, 2),
                                     "font-weight": 600, "font-size": 11},
                 f"…{k[-8:]} · {sh['partition']}"])
            add(["text", f"sr:{k}", {"class": "dl-muted", "x": round(x + 6, 2),
                                     "y": round(y + 29, 2), "font-size": 10},
                 f"{plural(sh['records'], 'record')} · {state}"
                 + (f": {sh['reason']}" if sh["reason"] else "")])
        for (n, w), y in cy.items():
            c = s.consumers[n]
            if c["kind"] == "kcl":
                rows = c["shards"].values()
                held = sum(1 for r in rows if r["worker"] == w)
                rec = sum(r["records"] for r in rows if (r["worker"] or r["last"]) == w)
                label, sub = f"{n} · {w}", f"{plural(held, 'lease')} · {plural(rec, 'record')}"
                tip = f"{n}, worker {w}: holds {plural(held, 'lease')}; {plural(rec, 'record')} checkpointed"
            else:
                rec = sum(r["records"] for r in c["shards"].values())
                batches = sum(r["batches"] for r in c["shards"].values())
                label, sub = n, f"{plural(batches, 'batch', 'batches')} · {plural(rec, 'record')}"
                tip = f"{n}: {plural(batches, 'batch', 'batches')}, {plural(rec, 'record')}"
            ident = n if w is None else f"{n}:{w}"
            add(["rect", f"c:{ident}", {"class": "dl-consumer", "x": cx0, "y": y, "width": _CW,
                                        "height": _CH, "rx": 6, "data-consumer": n,
                                        "data-worker": w or "", "data-kind": c["kind"],
                                        "data-tip": tip}, ""])
            add(["text", f"cl:{ident}", {"x": cx0 + 8, "y": y + 16, "font-weight": 600}, label])
            add(["text", f"cs:{ident}", {"class": "dl-muted", "x": cx0 + 8, "y": y + 31,
                                         "font-size": 10}, sub])
        names = boxes
        rows = 1 + max([r for _, r in pos.values()], default=0)
        h = max(_TOP + rows * _ROW, _TOP + len(names) * (_CH + 14)) + 16
        if not s.shards:
            add(["text", "empty", {"class": "dl-muted", "x": 10, "y": _TOP + 14},
                 "no stream shards: the table has no stream (yet)"])
        return {"w": width, "h": h, "items": items}

    @staticmethod
    def _tip(k: str, sh: dict) -> str:
        text = (f"{k} · partition {sh['partition']} · parent {sh['parent'] or 'none'} · "
                f"{plural(sh['records'], 'record')} · opened t={sh['opened']} ms")
        if sh["closed"] is not None:
            text += f" · closed t={sh['closed']} ms ({sh['reason']})"
        return text

    def _title(self, s: LineageState) -> str:
        open_ = sum(1 for v in s.shards.values() if v["closed"] is None)
        return (f"{self.what(s)}: stream shards {len(s.shards)} ({open_} open), "
                f"{plural(sum(v['records'] for v in s.shards.values()), 'record')}")

    def summary(self, s: LineageState) -> str:
        open_ = sum(1 for v in s.shards.values() if v["closed"] is None)
        text = (f"{self.what(s)}: {plural(len(s.shards), 'shard')} ({open_} open), "
                f"{plural(sum(v['records'] for v in s.shards.values()), 'record')}")
        for n, c in s.consumers.items():
            rec = sum(row["records"] for row in c["shards"].values())
            if c["kind"] == "kcl":
                workers = c.get("workers", [])
                held = sum(1 for row in c["shards"].values() if row["worker"])
                text += f"; {n}: {plural(len(workers), 'worker')}, {plural(held, 'lease')}, {plural(rec, 'record')}"
            else:
                batches = sum(row["batches"] for row in c["shards"].values())
                text += f"; {n}: {plural(rec, 'record')} in {plural(batches, 'batch', 'batches')}"
        return text
