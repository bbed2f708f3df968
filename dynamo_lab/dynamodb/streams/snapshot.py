"""What :meth:`.hub.StreamHub.snapshot` returns: a service's streams as plain data.

Plain dicts and lists of strings, numbers and None (JSON can carry them;
``dynamo-lab serve --data`` keeps them in SQLite), typed for mypy. A
*header* is one stream or shard without what it holds; a *snapshot* holds
it too (a stream its shards, a shard its records).

Examples
--------
>>> rec: RecordSnapshot = {"seq": 10**20 + 2, "t": 0, "name": "INSERT",
...     "keys": {"k": {"S": "a"}}, "old": None, "new": None, "ttl": False,
...     "event_id": "0" * 32}
>>> sorted(rec) == sorted(RecordSnapshot.__annotations__)
True
"""
from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["HubSnapshot", "StreamHeader", "StreamSnapshot", "ShardHeader", "ShardSnapshot",
           "RecordSnapshot"]


class RecordSnapshot(TypedDict):
    """One record: its sequence number, time (virtual ms), event name, key,
    the images its stream keeps, whether TTL made it, and its eventID."""
    seq: int
    t: int
    name: str
    keys: dict
    old: dict | None
    new: dict | None
    ttl: bool
    event_id: str


class ShardHeader(TypedDict):
    """One shard without its records: id, parent, partition id and hash
    range, when it opened and closed (and why), its sequence number range,
    and the last sequence number retention trimmed."""
    id: str
    parent: str | None
    partition: Any
    start: int
    end: int
    opened: int
    closed: int | None
    start_seq: int
    end_seq: int | None
    reason: str | None
    trimmed_through: int | None


class ShardSnapshot(ShardHeader):
    """A shard with the records it still keeps, oldest first."""
    records: list[RecordSnapshot]


class StreamHeader(TypedDict):
    """One stream without its shards: ARN, label, table (name, id, key
    schema), view type, creation time, status and when it was disabled."""
    arn: str
    label: str
    table_name: str
    table_id: str
    key_schema: list
    view: str
    created: int
    created_epoch: float
    status: str
    disabled: int | None


class StreamSnapshot(StreamHeader):
    """A stream with its kept shards, in opening order."""
    shards: list[ShardSnapshot]


class HubSnapshot(TypedDict):
    """Every stream of a service (oldest first), the last sequence number
    handed out and the virtual time of the snapshot."""
    now: int
    last_sequence: int
    streams: list[StreamSnapshot]
