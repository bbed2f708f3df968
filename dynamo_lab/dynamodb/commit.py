"""The write path's after-commit observers, in one ordered list.

A write to an item is planned (:mod:`.operations.items`: the condition, the update,
the sizes, the capacity), then committed to the item's partition
(:meth:`~.tables.table.Table.write_partition`: the store, its local secondary
indexes, the partition map), then handed to each observer of
:data:`AFTER_COMMIT` in turn:

1. ``replication``: the replica group logs the change; a lagging replica
   applies it later (:mod:`.replication.groups`);
2. ``events``: ``item.put`` / ``item.updated`` / ``item.deleted``;
3. ``streams``: a stream record on the item's shard (:mod:`.streams.hub`);
4. ``indexes``: the change is queued for each global secondary index
   (:mod:`.tables.propagation`).

When the state has a ``journal`` (``dynamo-lab serve --data``:
:mod:`.server.durable`), the change is handed to it last, once every
observer has taken it; it only notes the change for the request's commit to
disk, so it does not fail either.

Every observer has two halves. ``prepare(state, table, key_hash)`` runs
*before* anything changes -- before capacity is charged, before the store
is written -- and raises if the observer cannot take the change (a
partition whose leader is down answers ``InternalServerError``); the
request then fails with the state exactly as it was. ``apply(state,
change)`` runs after the commit and only appends to books that ``prepare``
found ready, so it does not fail.

Examples
--------
>>> [o.name for o in AFTER_COMMIT]
['replication', 'events', 'streams', 'indexes']
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from .model.types import encode_binary

if TYPE_CHECKING:  # pragma: no cover
    from .state import ServiceState
    from .tables.table import Table

__all__ = ["Change", "Observer", "AFTER_COMMIT", "prepare_observers", "notify", "event_key"]


class Change(NamedTuple):
    """One committed change to one item: ``old`` -> ``new`` (None: absent).
    (A named tuple: every write makes one.)"""

    table: Table
    key: dict
    skey: tuple
    old: dict | None
    new: dict | None
    size: int
    op: str
    cause: str | None = None


class Observer(NamedTuple):
    """A part of the service that follows every committed write."""

    name: str
    prepare: Callable[[ServiceState, Table, int], None]
    apply: Callable[[ServiceState, Change], None]


def event_key(table: Table, item: dict) -> tuple:
    """A key as plain event data: ``((name, text), ...)``."""
    out = []
    for n in table.schema.names:
        (_t, v), = item[n].items()
        out.append((n, v if isinstance(v, str) else encode_binary(v)))
    return tuple(out)


def _ready(state: ServiceState, table: Table, key_hash: int) -> None:
    return None


def _replication_prepare(state: ServiceState, table: Table, key_hash: int) -> None:
    state.replication.check_write(table, key_hash)


def _replication_apply(state: ServiceState, ch: Change) -> None:
    state.replication.on_commit(ch.table, ch.skey, ch.old)


def _events_apply(state: ServiceState, ch: Change) -> None:
    table = ch.table
    part = table.store.partition_for(ch.skey[0])
    fields: dict[str, Any] = dict(table=table.name, key=event_key(table, ch.key),
                                  position=ch.skey[0], partition=part.id)
    if ch.new is None:
        state.log.emit("item.deleted", **fields, cause=ch.cause or "request")
    elif ch.old is None or ch.op == "put":
        state.log.emit("item.put", **fields, size=ch.size, replaced=ch.old is not None)
    else:
        state.log.emit("item.updated", **fields, size=ch.size)


def _streams_apply(state: ServiceState, ch: Change) -> None:
    if ch.table.stream_label is not None:
        state.streams.on_change(ch.table, ch.old, ch.new, ch.cause)


def _indexes_apply(state: ServiceState, ch: Change) -> None:
    ch.table.write_gsis(ch.skey, ch.old, ch.new, ch.size)


#: The observers of every committed write, in the order they run.
AFTER_COMMIT: list[Observer] = [
    Observer("replication", _replication_prepare, _replication_apply),
    Observer("events", _ready, _events_apply),
    Observer("streams", _ready, _streams_apply),
    Observer("indexes", _ready, _indexes_apply),
]


def prepare_observers(state: ServiceState, table: Table, key_hash: int) -> None:
    """Ask every observer whether it can take a write to the item at
    ``key_hash`` of ``table``; raises (DynamoDB's error) if one cannot."""
    for obs in AFTER_COMMIT:
        obs.prepare(state, table, key_hash)


def notify(state: ServiceState, change: Change) -> None:
    """Hand a committed change to every observer, in order, then to the
    state's journal when it has one."""
    for obs in AFTER_COMMIT:
        obs.apply(state, change)
    journal = state.journal
    if journal is not None:
        journal(change)
