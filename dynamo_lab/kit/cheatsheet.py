"""The one-page cheat sheet: Dynamo's design and DynamoDB's rules, as
markdown and as printable HTML.

Every number on it that the engine also knows is taken from the engine: the
capacity units from :mod:`dynamo_lab.dynamodb.capacity.units`, the partition
arithmetic from :func:`~dynamo_lab.dynamodb.partitions.partitioning.partitions_needed`,
the limits from the modules that enforce them, N/R/W from
:class:`~dynamo_lab.DynamoCluster`'s default options. So the sheet and the lab
cannot disagree: change a constant and :func:`stale` reports the committed
files out of date until ``dynamo-lab cheatsheet`` writes them again.

Examples
--------
>>> w = worked_numbers()
>>> w["rcu_1_2kb"], w["rcu_4_5kb"]
(1000, 2000)
>>> w["partitions"], w["per_partition_rcu"], w["per_partition_wcu"], w["per_partition_gb"]
(3, 1666.67, 166.67, 2.66)
>>> markdown().splitlines()[0]
'# dynamo_lab cheat sheet'
"""
from __future__ import annotations

import html
import os
import re
from pathlib import Path

__all__ = ["worked_numbers", "markdown", "page", "write", "stale", "FILES"]

#: The files :func:`write` makes, relative to its folder.
FILES = ("cheatsheet.md", "cheatsheet.html")


def _n(x: float) -> str:
    """A number as the deck prints it: thousands separated, two decimals at most.

    >>> _n(1666.666), _n(3000), _n(0.8)
    ('1,666.67', '3,000', '0.8')
    """
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _truncate2(x: float) -> float:
    # The deck writes 2.666... GB as 2.66: truncated, not rounded.
    return int(x * 100) / 100


def worked_numbers() -> dict:
    """The deck's worked examples, computed by the engine's own functions.

    Returns
    -------
    dict
        ``rcu_1_2kb`` and ``rcu_4_5kb`` (RCU for 1,000 strongly consistent
        reads per second of a 1.2 KB and a 4.5 KB item), ``units_1_2kb`` and
        ``units_4_5kb`` (per read), and for a table of 8 GB, 5,000 RCU and
        500 WCU: ``throughput_ratio``, ``size_ratio``, ``partitions`` and the
        share of each partition (``per_partition_*``, rounded as the deck
        prints them).
    """
    from ..dynamodb.capacity.units import read_units
    from ..dynamodb.partitions.partitioning import GB, KB, partitions_needed
    u12, u45 = read_units(round(1.2 * KB)), read_units(round(4.5 * KB))
    plan = partitions_needed(5000, 500, 8 * GB)
    return {"units_1_2kb": int(u12), "units_4_5kb": int(u45),
            "rcu_1_2kb": int(u12 * 1000), "rcu_4_5kb": int(u45 * 1000),
            "throughput_ratio": round(plan.throughput_ratio, 2),
            "size_ratio": round(plan.size_ratio, 2),
            "for_throughput": plan.for_throughput, "for_size": plan.for_size,
            "partitions": plan.count,
            "per_partition_rcu": round(plan.per_partition_rcu, 2),
            "per_partition_wcu": round(plan.per_partition_wcu, 2),
            "per_partition_gb": _truncate2(plan.per_partition_gb)}


def _facts() -> dict:
    from ..dynamo.options import ClusterOptions
    from ..dynamo.vclock import TRUNCATE_AT
    from ..dynamodb.capacity.token_bucket import BURST_SECONDS
    from ..dynamodb.capacity.units import READ_UNIT, WRITE_UNIT
    from ..dynamodb.model.numbers import MAX_DIGITS
    from ..dynamodb.model.size import MAX_HASH_KEY_SIZE, MAX_ITEM_SIZE, MAX_RANGE_KEY_SIZE
    from ..dynamodb.operations.batch import MAX_GET_KEYS, MAX_RESPONSE_BYTES, MAX_WRITES
    from ..dynamodb.operations.control import MAX_GSI, MAX_LSI
    from ..dynamodb.operations.items import ITEM_COLLECTION_LIMIT
    from ..dynamodb.operations.query import PAGE_BYTES
    from ..dynamodb.partitions.partitioning import (
        DEFAULT_SIZE_LIMIT,
        GB,
        KB,
        PARTITION_MAX_RCU,
        PARTITION_MAX_WCU,
    )
    from ..dynamodb.streams.hub import ITERATOR_MS, RETENTION_MS, VIEW_TYPES
    defaults = ClusterOptions().flat()      # what DynamoCluster() uses
    return {"N": defaults["n"], "R": defaults["r"], "W": defaults["w"],
            "truncate": TRUNCATE_AT,
            "read_kb": READ_UNIT // KB, "write_kb": WRITE_UNIT // KB,
            "p_rcu": PARTITION_MAX_RCU, "p_wcu": PARTITION_MAX_WCU,
            "p_gb": DEFAULT_SIZE_LIMIT // GB, "burst": BURST_SECONDS,
            "item_kb": MAX_ITEM_SIZE // KB, "hash_key": MAX_HASH_KEY_SIZE,
            "range_key": MAX_RANGE_KEY_SIZE, "lsi": MAX_LSI, "gsi": MAX_GSI,
            "collection_gb": ITEM_COLLECTION_LIMIT // GB, "digits": MAX_DIGITS,
            "get_keys": MAX_GET_KEYS, "writes": MAX_WRITES,
            "batch_mb": MAX_RESPONSE_BYTES // (KB * KB), "page_mb": PAGE_BYTES // (KB * KB),
            "retention_h": RETENTION_MS // 3_600_000, "iterator_min": ITERATOR_MS // 60_000,
            "views": VIEW_TYPES}


_VIEW_HOLDS = {"KEYS_ONLY": "the key attributes only",
               "NEW_IMAGE": "the item as it is after the change",
               "OLD_IMAGE": "the item as it was before the change",
               "NEW_AND_OLD_IMAGES": "both images"}


def _sections() -> list:
    """The sheet as data: (heading, [block]); a block is ("p", text),
    ("ul", [text]) or ("table", header, rows). Text uses `code` and **bold**."""
    f, w = _facts(), worked_numbers()
    n, r, wq = f["N"], f["R"], f["W"]
    views = [f"`{v}`: {_VIEW_HOLDS[v]}" for v in f["views"]]
    return [
        ("Dynamo: the paper's Table 1, the whole design on one card", [
            ("table", ("problem", "technique", "what it buys"), [
                ("partitioning", "consistent hashing (virtual nodes)", "incremental scalability"),
                ("writes always available", "vector clocks, reconciled on read",
                 "version size does not grow with the update rate"),
                ("temporary failures", "sloppy quorum and hinted handoff",
                 "availability and durability while some replicas are down"),
                ("permanent failures", "anti-entropy with Merkle trees",
                 "divergent replicas synchronized in the background"),
                ("membership and failure detection", "gossip",
                 "symmetry: no central registry of members or liveness"),
            ])]),
        ("Dynamo: N, R, W", [
            ("ul", [
                f"**N** replicas of a key: the first N distinct physical nodes clockwise from "
                f"its hash, the *preference list*; the first is the coordinator. Lab default "
                f"(N, R, W) = ({n}, {r}, {wq}), the paper's typical setting.",
                "**put** succeeds after **W** replicas acknowledge (the coordinator's own "
                "write counts); **get** waits for **R** replies and returns every causally "
                "unrelated version (*siblings*) with one context to write back.",
                "**R + W > N**: every read set meets every write set, so a read sees the "
                "latest acknowledged write while the preference list is healthy.",
                "**R = 1, W = N**: fast reads, for a read-heavy catalogue. **W = 1**: a write "
                "never waits, and one crash can lose it.",
                "**Sloppy quorum**: the first N *healthy* nodes; a replica meant for a down "
                "node goes to the next one with a *hint*, delivered when the node is back. "
                "So R + W > N is no promise under failure: siblings can appear.",
                f"**Vector clocks** order versions: descendant replaces ancestor, concurrent "
                f"ones are siblings; the lab truncates a clock at {f['truncate']} entries.",
            ])]),
        ("DynamoDB: key design", [
            ("ul", [
                "**Hash key** (partition key): Hash(hash key) picks the partition. Choose a "
                "key with many values that traffic spreads over evenly.",
                "**Hash + range key**: one hash key's items live together, sorted by range "
                "key. **Query** one hash key with `=`, `<`, `<=`, `>`, `>=`, `begins_with`, "
                "`BETWEEN` on the range key; results come sorted. **Scan** reads everything.",
                "A **hot key** meets one partition's share, not the table's: throttled while "
                "the table has capacity left. Write-shard it (`key#0` .. `key#9`), sum on read.",
                f"Sizes: item <= {f['item_kb']} KB (names and values); hash key <= "
                f"{_n(f['hash_key'])} bytes; range key <= {_n(f['range_key'])} bytes; a "
                f"number has up to {f['digits']} significant digits.",
            ])]),
        ("DynamoDB: capacity units", [
            ("ul", [
                f"**1 RCU** = one strongly consistent read per second of an item up to "
                f"{f['read_kb']} KB; eventually consistent costs half; transactional double.",
                f"**1 WCU** = one write per second of an item up to {f['write_kb']} KB "
                f"(the larger of the old and new item); transactional double.",
                "Round **up per item**, then multiply. Query and Scan add up the items "
                "read (before any filter) and round once.",
                f"1.2 KB x 1,000 reads/s: 1.2/{f['read_kb']} = {1.2 / f['read_kb']:.1f} -> "
                f"{w['units_1_2kb']} unit -> **{_n(w['rcu_1_2kb'])} RCU**. 4.5 KB: "
                f"4.5/{f['read_kb']} = {4.5 / f['read_kb']:.1f} -> "
                f"{w['units_4_5kb']} units -> **{_n(w['rcu_4_5kb'])} RCU**.",
                f"**Burst**: unused capacity is saved for up to {f['burst']} s and spent on "
                f"a spike. Beyond it: `ProvisionedThroughputExceededException`.",
            ])]),
        ("DynamoDB: partitions (the 2015-era model the deck teaches)", [
            ("p", f"for throughput = RCU/{_n(f['p_rcu'])} + WCU/{_n(f['p_wcu'])}, rounded up; "
                  f"for size = GB/{f['p_gb']}, rounded up; partitions = the larger. Throughput "
                  f"and data divide evenly. Today AWS publishes no such formula (adaptive "
                  f"capacity and on-demand tables changed it), but the per-partition ceilings "
                  f"of {_n(f['p_rcu'])} RCU and {_n(f['p_wcu'])} WCU still hold."),
            ("p", f"8 GB, 5,000 RCU, 500 WCU: throughput {_n(w['throughput_ratio'])} -> "
                  f"{w['for_throughput']}, size {_n(w['size_ratio'])} -> {w['for_size']}, so "
                  f"**{w['partitions']} partitions**, each **{_n(w['per_partition_rcu'])} RCU, "
                  f"{_n(w['per_partition_wcu'])} WCU, {_n(w['per_partition_gb'])} GB**."),
        ]),
        ("DynamoDB: secondary indexes", [
            ("table", ("", "LSI (local)", "GSI (global)"), [
                ("key", "same hash key, another range key", "any hash key (and range key)"),
                ("when", "at CreateTable only", "any time; backfilled"),
                ("how many", f"<= {f['lsi']} per table", f"<= {f['gsi']} per table"),
                ("throughput", "the table's", "its own; a throttled GSI throttles table writes"),
                ("reads", "strong or eventual", "eventual only (it lags)"),
                ("size", f"item collection (one hash key) <= {f['collection_gb']} GB",
                 "no collection limit"),
            ]),
            ("p", "Projection: `KEYS_ONLY`, `INCLUDE`, `ALL`. A table write costs each "
                  "index 0, 1 or 2 writes: none if the entry is unchanged or absent, 1 to "
                  "put or remove it, 2 when its index key changes. An item without the "
                  "index key is not in the index (a *sparse* index)."),
        ]),
        ("DynamoDB: limits and streams", [
            ("ul", [
                f"BatchGetItem: {f['get_keys']} keys, {f['batch_mb']} MB; BatchWriteItem: "
                f"{f['writes']} puts or deletes; Query and Scan: {f['page_mb']} MB a page "
                f"(`LastEvaluatedKey`); partition: {_n(f['p_rcu'])} RCU, {_n(f['p_wcu'])} "
                f"WCU, {f['p_gb']} GB.",
                f"**Streams**: each change once, in order per item; records kept "
                f"{f['retention_h']} h; a shard iterator lasts {f['iterator_min']} min; "
                f"shards split with the table's partitions (parent before child).",
                "Stream view types: " + "; ".join(views) + ".",
            ])]),
    ]


_MD_INLINE = ((re.compile(r"\*\*(.+?)\*\*"), r"<b>\1</b>"),
              (re.compile(r"(?<![\w*])\*(?!\s)(.+?)\*(?!\w)"), r"<i>\1</i>"),
              (re.compile(r"`(.+?)`"), r"<code>\1</code>"))


def _inline_html(text: str) -> str:
    out = html.escape(text, quote=False)
    for pat, rep in _MD_INLINE:
        out = pat.sub(rep, out)
    return out


def markdown() -> str:
    """The sheet as markdown (GitHub's dialect: pipe tables)."""
    lines = ["# dynamo_lab cheat sheet", "",
             "Generated by `dynamo-lab cheatsheet` from the engine's own constants; "
             "do not edit by hand.", ""]
    for heading, blocks in _sections():
        lines += [f"## {heading}", ""]
        for block in blocks:
            if block[0] == "p":
                lines += [block[1], ""]
            elif block[0] == "ul":
                lines += [f"- {item}" for item in block[1]] + [""]
            else:
                _, header, rows = block
                lines.append("| " + " | ".join(header) + " |")
                lines.append("|" + "---|" * len(header))
                lines += ["| " + " | ".join(row) + " |" for row in rows]
                lines.append("")
    return "\n".join(lines)


_CSS = """
@page { size: A4 landscape; margin: 9mm; }
body { font: 9pt/1.3 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111;
       margin: 0 auto; max-width: 290mm; }
h1 { font-size: 14pt; margin: 0 0 2px; }
.note { color: #555; margin: 0 0 6px; font-size: 8pt; }
.cols { column-count: 2; column-gap: 7mm; }
section { break-inside: avoid; margin: 0 0 5px; }
h2 { font-size: 10.5pt; margin: 0 0 2px; border-bottom: 1.5px solid #4e79a7; color: #234; }
ul { margin: 0; padding-left: 14px; }
li, p { margin: 0 0 2px; }
table { border-collapse: collapse; width: 100%; margin: 0 0 3px; }
th, td { border: 1px solid #ccc; padding: 1px 4px; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
code { font: 8.5pt ui-monospace, monospace; background: #f3f3f3; padding: 0 2px; }
@media print { body { max-width: none; font-size: 8.5pt; } }
"""


def page() -> str:
    """The sheet as one printable HTML page (A4 landscape, two columns, no scripts)."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>dynamo_lab cheat sheet</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>dynamo_lab cheat sheet</h1>",
             '<p class="note">Generated by <code>dynamo-lab cheatsheet</code> from the '
             "engine's own constants.</p>", '<div class="cols">']
    for heading, blocks in _sections():
        parts.append(f"<section><h2>{_inline_html(heading)}</h2>")
        for block in blocks:
            if block[0] == "p":
                parts.append(f"<p>{_inline_html(block[1])}</p>")
            elif block[0] == "ul":
                parts.append("<ul>" + "".join(f"<li>{_inline_html(i)}</li>" for i in block[1])
                             + "</ul>")
            else:
                _, header, rows = block
                head = "".join(f"<th>{_inline_html(h)}</th>" for h in header)
                body = "".join("<tr>" + "".join(f"<td>{_inline_html(c)}</td>" for c in row)
                               + "</tr>" for row in rows)
                parts.append(f"<table><tr>{head}</tr>{body}</table>")
        parts.append("</section>")
    parts += ["</div>", "</body></html>", ""]
    return "\n".join(parts)


def _contents() -> dict:
    return {"cheatsheet.md": markdown(), "cheatsheet.html": page()}


def write(folder: str | os.PathLike = "docs") -> list[Path]:
    """Write :data:`FILES` into ``folder`` (created if missing); returns their paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in _contents().items():
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    return written


def stale(folder: str | os.PathLike = "docs") -> list[str]:
    """The files of :data:`FILES` in ``folder`` that are missing or differ from
    what :func:`write` would write now (empty when up to date)."""
    out = Path(folder)
    return [name for name, text in _contents().items()
            if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text]
