"""The closing summary: the Dynamo paper's Table 1, then and now.

Table 1 of the Dynamo paper (DeCandia et al., SOSP 2007, section 4) sums up
the system in five rows: a problem, the technique Dynamo uses for it, and
the advantage. :data:`TABLE1` keeps those rows, each beside the DynamoDB
feature that answers the same problem today (from the DynamoDB developer
guide and the 2022 USENIX ATC paper), the lessons that teach both, and the
lab's engine modules that implement them. ``lessons/summary_table1.ipynb``
shows them; the tests check every lesson and module named here exists.

Examples
--------
>>> [row.problem for row in TABLE1][:2]
['Partitioning', 'High availability for writes']
>>> print(table_text().splitlines()[0])
problem                            | Dynamo (2007)                                    | DynamoDB today
"""
from __future__ import annotations

import html
from dataclasses import dataclass

__all__ = ["Row", "TABLE1", "table_text", "Table1", "table"]


@dataclass(frozen=True)
class Row:
    """One row of Table 1, and its answer today."""

    problem: str
    technique: str          #: the paper's words
    advantage: str          #: the paper's words
    dynamodb: str           #: what answers the same problem in DynamoDB
    why_changed: str        #: why DynamoDB answers it differently (or the same)
    lessons: tuple          #: notebooks of lessons/, Dynamo's first
    modules: tuple          #: the lab's engine modules (dotted names)


TABLE1 = (
    Row("Partitioning", "Consistent hashing", "Incremental scalability",
        "Hash of the partition key into key ranges (partitions); a partition splits "
        "when it outgrows its storage or stays hot (split for heat)",
        "A central partition map instead of a ring every node knows; splits follow "
        "size and traffic, not node joins.",
        ("02_consistent_hashing.ipynb", "09_partitioning_strategies.ipynb",
         "12_hash_and_range_keys.ipynb", "15_capacity_and_partitions.ipynb"),
        ("dynamo_lab.dynamo.ring", "dynamo_lab.dynamo.ring_strategies",
         "dynamo_lab.dynamodb.partitions.partitioning")),
    Row("High availability for writes", "Vector clocks with reconciliation during reads",
        "Version size is decoupled from update rates",
        "One leader per partition orders every write (Multi-Paxos replication group); "
        "a write is acknowledged once two of three replicas have it; conditional "
        "writes and transactions instead of siblings",
        "With one writer per partition there are no concurrent versions to "
        "reconcile: no vector clocks, no siblings for the application to merge.",
        ("04_vector_clocks.ipynb", "10_divergent_versions_and_coordination.ipynb",
         "13_overview_zones_replicas.ipynb"),
        ("dynamo_lab.dynamo.vclock", "dynamo_lab.dynamo.coordinator",
         "dynamo_lab.dynamodb.replication.groups")),
    Row("Handling temporary failures", "Sloppy quorum and hinted handoff",
        "Provides high availability and durability guarantee when some of the "
        "replicas are not available",
        "Leader failover: the surviving replicas elect a leader that holds every "
        "acknowledged write; eventually consistent reads go on from any live replica",
        "A majority of the fixed replica group keeps writing; no stand-in node "
        "holds writes for an absent one.",
        ("06_hinted_handoff.ipynb", "05_quorums.ipynb", "13_overview_zones_replicas.ipynb"),
        ("dynamo_lab.dynamo.handoff", "dynamo_lab.dynamodb.replication.groups")),
    Row("Recovering from permanent failures", "Anti-entropy using Merkle trees",
        "Synchronizes divergent replicas in the background",
        "The replication group replaces a failed replica, copying from the "
        "leader's state and write-ahead log (archived to S3); data at rest is "
        "checked continuously (the ATC paper, section 5)",
        "The log orders every change, so a new replica catches up by replaying it "
        "instead of comparing trees.",
        ("07_merkle_anti_entropy.ipynb", "13_overview_zones_replicas.ipynb"),
        ("dynamo_lab.dynamo.merkle", "dynamo_lab.dynamo.antientropy",
         "dynamo_lab.dynamodb.replication.groups")),
    Row("Membership and failure detection",
        "Gossip-based membership protocol and failure detection",
        "Preserves symmetry and avoids having a centralized registry for storing "
        "membership and node liveness information",
        "A managed control plane: request routers look partitions up in a metadata "
        "service; a leader holds a lease, and its peers elect a new one when it "
        "stops renewing",
        "A fully managed, multi-tenant service gives up symmetry for a central "
        "authority it runs itself.",
        ("08_membership_and_gossip.ipynb", "13_overview_zones_replicas.ipynb"),
        ("dynamo_lab.dynamo.membership", "dynamo_lab.dynamodb.replication.groups")),
)


def table_text() -> str:
    """The rows as plain text, one line each (problem, Dynamo, DynamoDB)."""
    lines = [f"{'problem':<34} | {'Dynamo (2007)':<48} | DynamoDB today"]
    for r in TABLE1:
        lines.append(f"{r.problem:<34} | {r.technique:<48} | {r.dynamodb.split(';')[0]}")
    return "\n".join(lines)


class Table1:
    """Table 1, then and now, for a notebook: HTML with links to the lessons,
    and :func:`table_text` as its plain text."""

    def __repr__(self) -> str:
        return table_text()

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{h}</th>" for h in
                       ("problem", "technique (Dynamo, 2007)", "advantage (the paper)",
                        "DynamoDB today", "lessons"))
        rows = []
        for r in TABLE1:
            links = ", ".join(f"<a href='{n}'>{n[:2]}</a>" for n in r.lessons)
            cells = (r.problem, r.technique, r.advantage, r.dynamodb)
            rows.append("<tr>" + "".join(f"<td style='text-align:left;vertical-align:top'>"
                                         f"{html.escape(c)}</td>" for c in cells)
                        + f"<td style='vertical-align:top'>{links}</td></tr>")
        return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def table() -> Table1:
    """Table 1, then and now (displays as a table in a notebook)."""
    return Table1()
