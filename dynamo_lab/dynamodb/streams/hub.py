"""DynamoDB Streams inside the service: streams, shards, records, retention.

A table with ``StreamSpecification`` enabled has one *stream* (its ARN ends
in ``/stream/<label>``). The stream has one open *shard* per partition of
the table: every change to an item becomes one *record*, appended to the
shard of the partition that holds the item, with a sequence number larger
than any before it. So each change appears exactly once, and the changes to
one item are in order within a shard.

Shards close for three reasons, and a closed shard names no more records:

* **split**: the partition split; its shard closes and each child partition
  gets a new shard whose ``ParentShardId`` is the closed one. A reader that
  finishes a parent before starting its children sees every item's changes
  in order, across the split.
  Shards follow the table's partitions lazily (at the next record or API
  call): when a partition split again before its children took a record
  (a lowered size limit can split one partition many times at once), the
  new shards name the nearest ancestor that had a shard as their parent.
* **rollover**: a shard is open at most ``rollover_ms`` (AWS: about four
  hours); a successor for the same partition takes over, the old shard as
  its parent.
* **disabled**: the stream was disabled or its table deleted. Enabling the
  stream again makes a *new* stream, with a new label and ARN.

Records and closed shards are kept ``retention_ms`` (24 hours) of virtual
time; reading what has gone raises ``TrimmedDataAccessException``. A shard
iterator is good for ``iterator_ms`` (15 minutes).

A write that changes nothing (a PutItem of the identical item, an update
that sets what is there) writes no record, as AWS documents; neither does a
throttled or failed (condition) write, since those never reach the store.

The hook is :meth:`StreamHub.on_change`, called by ``items.commit`` (the one
place every write path goes through: single items, batches, transactions and
TTL deletes). The API operations live in :mod:`.api`.

Each partition records the shard open for it (``Partition.shard``): the hub
sets it whenever it opens a shard for a partition (after a split, at
rollover, when a stream starts), with or without the event log.

:meth:`StreamHub.snapshot` and :meth:`StreamHub.restore` carry every stream,
shard and record, with their sequence numbers, from one service to a fresh
one (``dynamo-lab serve --data`` keeps them across a restart this way), so a
reader's checkpoint and its shard iterators still work there.

Costs: a record is O(log partitions) to place and O(1) to append; reading
from a sequence number is O(log n) in the shard's records.

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0)
>>> from dynamo_lab.dynamodb.service import handle
>>> _ = handle(ddb, "CreateTable", {"TableName": "Trips", "BillingMode": "PAY_PER_REQUEST",
...     "KeySchema": [{"AttributeName": "Name", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "Name", "AttributeType": "S"}],
...     "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}})
>>> _ = handle(ddb, "PutItem", {"TableName": "Trips", "Item": {"Name": {"S": "John"}}})
>>> [s] = ddb.streams.streams.values()
>>> [(r.name, r.keys) for sh in s.shards.values() for r in sh.live()]
[('INSERT', {'Name': {'S': 'John'}})]
"""
from __future__ import annotations

from bisect import bisect_left
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...errors import UsageError
from ..commit import event_key
from ..model.size import item_size
from .snapshot import (
    HubSnapshot,
    RecordSnapshot,
    ShardHeader,
    ShardSnapshot,
    StreamHeader,
    StreamSnapshot,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..partitions.partition import Partition
    from ..state import ServiceState
    from ..tables.table import Table

__all__ = ["StreamHub", "Stream", "Shard", "Record", "RETENTION_MS", "ITERATOR_MS",
           "ROLLOVER_MS", "VIEW_TYPES", "FIRST_SEQUENCE"]

#: How long records (and closed shards) stay readable: 24 hours.
RETENTION_MS = 24 * 3600 * 1000
#: How long a shard iterator stays good: 15 minutes.
ITERATOR_MS = 15 * 60 * 1000
#: How long a shard stays open before a successor takes over (AWS: ~4 h).
ROLLOVER_MS = 4 * 3600 * 1000
#: The first sequence number handed out (21 digits, as AWS's are at least).
FIRST_SEQUENCE = 10 ** 20

VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")


class Record:
    """One change to one item: ``name`` INSERT/MODIFY/REMOVE, the key, the
    images the stream's view type keeps, and whether TTL made it."""

    __slots__ = ("seq", "t", "name", "keys", "old", "new", "size", "ttl", "event_id")

    def __init__(self, seq: int, t: int, name: str, keys: dict, old: dict | None,
                 new: dict | None, ttl: bool, event_id: str) -> None:
        self.seq, self.t, self.name, self.keys = seq, t, name, keys
        self.old, self.new, self.ttl, self.event_id = old, new, ttl, event_id
        # As AWS counts it: the key plus the images the record carries.
        self.size = item_size(keys) + (item_size(new) if new else 0) + \
            (item_size(old) if old else 0)

    def snapshot(self) -> RecordSnapshot:
        """The record as plain data (:meth:`from_snapshot` makes it again)."""
        return {"seq": self.seq, "t": self.t, "name": self.name, "keys": self.keys,
                "old": self.old, "new": self.new, "ttl": self.ttl, "event_id": self.event_id}

    @classmethod
    def from_snapshot(cls, d: RecordSnapshot) -> "Record":
        return cls(d["seq"], d["t"], d["name"], d["keys"], d["old"], d["new"], d["ttl"],
                   d["event_id"])

    def __repr__(self) -> str:
        return f"<Record {self.seq} {self.name} {self.keys}>"


class Shard:
    """One shard: a partition's records over one stretch of time."""

    __slots__ = ("id", "parent", "partition", "start", "end", "opened", "closed",
                 "start_seq", "end_seq", "records", "seqs", "head", "trimmed_through",
                 "reason")

    def __init__(self, shard_id: str, parent: str | None, partition: Any, start: int,
                 end: int, opened: int, start_seq: int) -> None:
        self.id, self.parent, self.partition = shard_id, parent, partition
        self.start, self.end = start, end            # the partition's hash range
        self.opened = opened                         # virtual ms
        self.closed: int | None = None
        self.start_seq = start_seq
        self.end_seq: int | None = None
        self.records: list[Record] = []
        self.seqs: list[int] = []                    # parallel to records, for bisect
        self.head = 0                                # records before head are trimmed
        self.trimmed_through: int | None = None      # last trimmed sequence number
        self.reason: str | None = None               # why it closed

    def live(self) -> list[Record]:
        """The records still kept, oldest first."""
        return self.records[self.head:]

    def append(self, rec: Record) -> None:
        self.records.append(rec)
        self.seqs.append(rec.seq)

    def trim(self, cutoff: int) -> None:
        """Drop records written at or before ``cutoff`` (virtual ms)."""
        recs, i = self.records, self.head
        while i < len(recs) and recs[i].t <= cutoff:
            i += 1
        if i != self.head:
            self.trimmed_through = recs[i - 1].seq
            self.head = i
            if i > 1024 and i * 2 > len(recs):       # compact now and then: O(1) amortised
                del recs[:i], self.seqs[:i]
                self.head = 0

    def index_of(self, seq: int) -> int:
        """Index of the first kept record with sequence number >= ``seq``."""
        return bisect_left(self.seqs, seq, self.head)

    def last_seq(self) -> int:
        return self.seqs[-1] if len(self.seqs) > self.head else \
            (self.trimmed_through if self.trimmed_through is not None else self.start_seq)

    def header(self) -> ShardHeader:
        """The shard as plain data, without its records."""
        return {"id": self.id, "parent": self.parent, "partition": self.partition,
                "start": self.start, "end": self.end, "opened": self.opened,
                "closed": self.closed, "start_seq": self.start_seq, "end_seq": self.end_seq,
                "reason": self.reason, "trimmed_through": self.trimmed_through}

    def snapshot(self) -> ShardSnapshot:
        """The shard as plain data, with the records it still keeps."""
        return {**self.header(), "records": [r.snapshot() for r in self.live()]}

    @classmethod
    def from_snapshot(cls, d: ShardHeader, records: list[RecordSnapshot]) -> "Shard":
        """The shard ``d`` describes, holding ``records`` (oldest first)."""
        sh = cls(d["id"], d["parent"], d["partition"], d["start"], d["end"], d["opened"],
                 d["start_seq"])
        sh.closed, sh.end_seq, sh.reason = d["closed"], d["end_seq"], d["reason"]
        sh.trimmed_through = d["trimmed_through"]
        for r in records:
            sh.append(Record.from_snapshot(r))
        return sh

    def describe(self) -> dict:
        rng = {"StartingSequenceNumber": str(self.start_seq)}
        if self.end_seq is not None:
            rng["EndingSequenceNumber"] = str(self.end_seq)
        d: dict[str, Any] = {"ShardId": self.id, "SequenceNumberRange": rng}
        if self.parent is not None:
            d["ParentShardId"] = self.parent
        return d

    def __repr__(self) -> str:
        state = "open" if self.closed is None else f"closed ({self.reason})"
        return f"<Shard {self.id} partition={self.partition} {state} records={len(self.live())}>"


class Stream:
    """One stream of one table (a table that re-enables its stream gets a new one)."""

    def __init__(self, arn: str, label: str, table: "Table", view: str, created: int,
                 created_epoch: float) -> None:
        self.arn, self.label = arn, label
        self.table_name, self.table_id = table.name, table.table_id
        self.key_schema = [dict(k) for k in table.schema.elements]
        self.view = view
        self.created, self.created_epoch = created, created_epoch
        self.status = "ENABLED"
        self.disabled: int | None = None
        self.shards: dict[str, Shard] = {}           # every kept shard, in opening order
        self.open: dict[Any, Shard] = {}             # partition id -> its open shard

    def header(self) -> StreamHeader:
        """The stream as plain data, without its shards."""
        return {"arn": self.arn, "label": self.label, "table_name": self.table_name,
                "table_id": self.table_id, "key_schema": self.key_schema, "view": self.view,
                "created": self.created, "created_epoch": self.created_epoch,
                "status": self.status, "disabled": self.disabled}

    def snapshot(self) -> StreamSnapshot:
        """The stream as plain data, with its kept shards in opening order."""
        return {**self.header(), "shards": [sh.snapshot() for sh in self.shards.values()]}

    @classmethod
    def from_header(cls, d: StreamHeader) -> "Stream":
        """The stream ``d`` describes, with no shards yet."""
        s = cls.__new__(cls)
        s.arn, s.label = d["arn"], d["label"]
        s.table_name, s.table_id = d["table_name"], d["table_id"]
        s.key_schema = [dict(k) for k in d["key_schema"]]
        s.view, s.created, s.created_epoch = d["view"], d["created"], d["created_epoch"]
        s.status, s.disabled = d["status"], d["disabled"]
        s.shards, s.open = {}, {}
        return s

    def describe_head(self) -> dict:
        return {"StreamArn": self.arn, "StreamLabel": self.label,
                "StreamStatus": self.status, "StreamViewType": self.view,
                "CreationRequestDateTime": self.created_epoch,
                "TableName": self.table_name, "KeySchema": self.key_schema}

    def __repr__(self) -> str:
        return (f"<Stream {self.table_name}/{self.label} {self.status} {self.view} "
                f"shards={len(self.shards)} open={len(self.open)}>")


def _label_ms(svc: "ServiceState", label: str) -> tuple[int, float]:
    """The virtual ms and epoch seconds a stream label (its creation time) names."""
    t = datetime.strptime(label, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)
    epoch = t.timestamp()
    return max(0, svc.virtual_ms(epoch)), epoch


class StreamHub:
    """Every stream of one :class:`~..service.DynamoDB` (``ddb.streams``).

    Parameters
    ----------
    svc : DynamoDB
    rollover_ms, retention_ms, iterator_ms : int
        Shard lifetime, record retention and iterator lifetime (virtual ms).
    """

    def __init__(self, svc: "ServiceState", *, rollover_ms: int = ROLLOVER_MS,
                 retention_ms: int = RETENTION_MS, iterator_ms: int = ITERATOR_MS) -> None:
        self.svc = svc
        self.rollover_ms, self.retention_ms, self.iterator_ms = \
            rollover_ms, retention_ms, iterator_ms
        self.streams: dict[str, Stream] = {}          # ARN -> stream, oldest first
        self._current: dict[tuple, Stream] = {}        # (table, table id) -> latest stream
        self._seq = FIRST_SEQUENCE
        self._rng = svc.sim.rng_for("dynamodb.streams")
        self._next_purge = 0

    # -- the write hook ---------------------------------------------------------
    def on_change(self, table: "Table", old: dict | None, new: dict | None,
                  cause: str | None = None) -> None:
        """A write was applied to ``table``: ``old`` -> ``new`` (None for no
        item). Appends a record to the item's shard when the table's stream
        is enabled and the item really changed."""
        s = self.stream_of(table)
        if s is None or old == new:
            return
        item = new if new is not None else old
        assert item is not None                    # old == new was ruled out
        key = table.schema.key_of(item)
        h = table.schema.storage_key(key)[0]
        part = table.store.partition_for(h)
        sh = s.open.get(part.id)
        if sh is None or sh.start != part.start or sh.end != part.end:
            self._sync(s, table)
            sh = s.open[part.id]
        name = "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY")
        view = s.view
        rec = Record(self._next_seq(), self.svc.sim.now, name, key,
                     old if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else None,
                     new if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") else None,
                     cause == "ttl", "%032x" % self._rng.getrandbits(128))
        sh.append(rec)
        cutoff = rec.t - self.retention_ms
        if sh.records[sh.head].t <= cutoff:          # keep memory to the retention window
            sh.trim(cutoff)
        self.svc.log.emit("stream.record", table=table.name, stream=s.label, shard=sh.id,
                          sequence=str(rec.seq), event=name, key=event_key(table, key),
                          size=rec.size)

    # -- streams of tables --------------------------------------------------------
    def stream_of(self, table: "Table") -> Stream | None:
        """The table's enabled stream, made on first sight; None when its
        stream is off (closing the one that was on)."""
        k = (table.name, table.table_id)
        s = self._current.get(k)
        if table.stream is not None and table.stream_label is not None \
                and table.status != "DELETING":
            if s is not None and s.label == table.stream_label and s.status == "ENABLED":
                return s
            if s is not None:
                self._disable(s)
            created, epoch = _label_ms(self.svc, table.stream_label)
            s = Stream(f"{self.svc.arn(table.name)}/stream/{table.stream_label}",
                       table.stream_label, table, table.stream["StreamViewType"],
                       created, epoch)
            self.streams[s.arn] = self._current[k] = s
            return s
        if s is not None and s.status == "ENABLED":
            self._disable(s)
        return None

    def refresh(self) -> None:
        """Bring every stream up to date: enabled/disabled, shards following
        partition splits, retention applied. Called by every API operation."""
        tables = self.svc.tables
        for t in list(tables.values()):
            s = self.stream_of(t)
            if s is not None:
                self._sync(s, t)
        now = self.svc.sim.now
        for s in self.streams.values():
            live = tables.get(s.table_name)
            if s.status == "ENABLED" and (live is None or live.table_id != s.table_id):
                self._disable(s)
        if now >= self._next_purge:      # O(shards): at most once a virtual minute
            self._next_purge = now + 60_000
            self.purge()

    def purge(self) -> None:
        """Apply retention everywhere: trim records, forget closed shards and
        disabled streams older than ``retention_ms``."""
        cutoff = self.svc.sim.now - self.retention_ms
        for arn, s in list(self.streams.items()):
            if s.status == "DISABLED" and s.disabled is not None and s.disabled <= cutoff:
                del self.streams[arn]
                continue
            for sid, sh in list(s.shards.items()):
                sh.trim(cutoff)
                if sh.closed is not None and sh.closed <= cutoff:
                    del s.shards[sid]

    def _disable(self, s: Stream) -> None:
        for sh in list(s.open.values()):
            self._close(s, sh, "disabled")
        s.open.clear()
        s.status, s.disabled = "DISABLED", self.svc.sim.now

    # -- shards -------------------------------------------------------------------
    @property
    def last_sequence(self) -> int:
        """The last sequence number handed out (to a record or a shard)."""
        return self._seq

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _sync(self, s: Stream, table: "Table") -> None:
        """Open and close shards so that each partition has one open shard.
        A partition that split (or shrank) closes its shard; the new
        partitions' shards name it as parent. O(partitions)."""
        parts = table.store.partitions
        live = {p.id: p for p in parts}
        if s.open and len(s.open) == len(parts) and all(
                (sh := s.open.get(p.id)) is not None and sh.start == p.start and sh.end == p.end
                for p in parts):
            return
        now = self.svc.sim.now
        closed = []
        for pid, sh in list(s.open.items()):
            p = live.get(pid)
            if p is None or p.start != sh.start or p.end != sh.end:
                self._close(s, sh, "split")
                del s.open[pid]
                closed.append(sh)
        opened_at = now if s.shards else s.created
        for p in parts:
            if p.id not in s.open:
                parent = next((c.id for c in closed if c.start <= p.start < c.end), None)
                p.shard = self._open(s, table.name, p.id, p.start, p.end, parent, opened_at).id

    def _open(self, s: Stream, table: str, pid: Any, start: int, end: int,
              parent: str | None, t: int) -> Shard:
        ms = int(round(self.svc.wall_time(t) * 1000))        # Unix ms of its opening
        sid = f"shardId-{ms:020d}-{self._rng.getrandbits(32):08x}"
        sh = Shard(sid, parent, pid, start, end, t, self._next_seq())
        s.shards[sid] = sh
        s.open[pid] = sh
        self.svc.log.emit("shard.opened", table=table, stream=s.label, shard=sid,
                          parent=parent, partition=str(pid))
        delay = max(0, t + self.rollover_ms - self.svc.sim.now)
        self.svc.sim.schedule(delay, self._roll, s, sh)
        return sh

    def _close(self, s: Stream, sh: Shard, reason: str) -> None:
        sh.closed, sh.reason = self.svc.sim.now, reason
        sh.end_seq = sh.last_seq()
        self.svc.log.emit("shard.closed", table=s.table_name, stream=s.label, shard=sh.id,
                          parent=sh.parent, reason=reason, records=len(sh.records))

    def _roll(self, s: Stream, sh: Shard) -> None:
        """The shard's time is up: a successor takes the same partition."""
        if sh.closed is not None or s.status != "ENABLED" or s.open.get(sh.partition) is not sh:
            return
        self._close(s, sh, "rollover")
        new = self._open(s, s.table_name, sh.partition, sh.start, sh.end, sh.id,
                         self.svc.sim.now)
        owner = self._owner(s, sh.partition)
        if owner is not None:
            owner.shard = new.id

    def _owner(self, s: Stream, pid: Any) -> "Partition | None":
        """The partition ``pid`` of the stream's table (live, or retired by
        a split the stream has not caught up with yet), or None. O(1)."""
        t = self.svc.tables.get(s.table_name)
        if t is None or t.table_id != s.table_id or t.layout is None:
            return None
        pmap = t.layout.pmap
        p = pmap.find(pid)
        return p if p is not None else pmap.retired.get(pid)

    # -- snapshot and restore ---------------------------------------------------
    def snapshot(self) -> HubSnapshot:
        """Every stream, shard and kept record, as plain data (JSON can
        carry it); :meth:`restore` brings it back into a fresh service.
        O(streams + shards + records).

        Examples
        --------
        >>> from dynamo_lab.dynamodb.service import DynamoDB, handle, handle_streams, state_of
        >>> def service():
        ...     ddb = DynamoDB(seed=0, create_ms=0)
        ...     _ = handle(ddb, "CreateTable", {"TableName": "Tab", "KeySchema": [
        ...         {"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [
        ...         {"AttributeName": "k", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
        ...         "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}})
        ...     return ddb
        >>> ddb = service()
        >>> _ = handle(ddb, "PutItem", {"TableName": "Tab", "Item": {"k": {"S": "a"}}})
        >>> snap = state_of(ddb).streams.snapshot()
        >>> [(sh["partition"], sh["closed"], [r["name"] for r in sh["records"]])
        ...  for s in snap["streams"] for sh in s["shards"]]
        [('p0', None, ['INSERT'])]

        Into a fresh service whose table has the same name and id (a
        restart restores the tables first; here the same seed makes it):

        >>> fresh = service()
        >>> state_of(fresh).sim.run(until=snap["now"])
        >>> state_of(fresh).streams.restore(snap, restart=1)
        >>> state_of(fresh).streams.snapshot() == snap
        True
        >>> [s] = snap["streams"]
        >>> it = handle_streams(fresh, "GetShardIterator", {"StreamArn": s["arn"],
        ...     "ShardId": s["shards"][0]["id"], "ShardIteratorType": "TRIM_HORIZON"})
        >>> [r["dynamodb"]["Keys"] for r in handle_streams(fresh, "GetRecords",
        ...     {"ShardIterator": it["ShardIterator"]})["Records"]]
        [{'k': {'S': 'a'}}]
        """
        return {"now": self.svc.sim.now, "last_sequence": self._seq,
                "streams": [s.snapshot() for s in self.streams.values()]}

    def restore(self, snap: HubSnapshot, *, restart: int) -> None:
        """Bring back what :meth:`snapshot` took, into this hub: every
        stream (oldest first), shard (open or closed, with its parent and
        sequence number range) and record, with their sequence numbers and
        event ids, so checkpoints and shard iterators taken before still
        work. The service's tables come first: a stream whose table (same
        name and id) is here is that table's stream again, and an open
        shard whose partition is here (same id and range) is recorded on
        it. An open shard whose partition is not is closed at the next
        change, and the new partition's shard names it as its parent, as
        after a split. Open shards roll over when they would have.

        Parameters
        ----------
        snap : HubSnapshot
            From :meth:`snapshot` (or a store that kept its parts).
        restart : int
            How many times this state has been restored (1 the first
            time): new shard and event ids are drawn from a random stream
            named after it, so they do not repeat ids drawn before.

        Raises
        ------
        UsageError
            The hub already has streams, or the service's clock is behind
            the snapshot's (run it to ``snap["now"]`` first). Nothing is
            changed.

        Costs: O(streams + shards + records).
        """
        if self.streams:
            raise UsageError("StreamHub.restore needs a hub with no streams yet "
                             f"(a fresh service); this one has {len(self.streams)}")
        svc = self.svc
        if svc.sim.now < snap["now"]:
            raise UsageError(f"StreamHub.restore: the clock is at {svc.sim.now} ms, behind "
                             f"the snapshot's {snap['now']} ms; run the service to it first")
        # Build everything before changing anything.
        streams = []
        for d in snap["streams"]:
            s = Stream.from_header(d)
            for e in d["shards"]:
                sh = Shard.from_snapshot(e, e["records"])
                s.shards[sh.id] = sh
            streams.append(s)
        seq = max(self._seq, snap["last_sequence"])
        for s in streams:
            self.streams[s.arn] = s
            t = svc.tables.get(s.table_name)
            if t is not None and t.table_id == s.table_id:
                self._current[(s.table_name, s.table_id)] = s
            if s.status != "ENABLED":
                continue
            for sh in s.shards.values():
                if sh.closed is not None:
                    continue
                s.open[sh.partition] = sh
                svc.sim.schedule(max(0, sh.opened + self.rollover_ms - svc.sim.now),
                                 self._roll, s, sh)
                owner = self._owner(s, sh.partition)
                if owner is not None and owner.live and (owner.start, owner.end) == \
                        (sh.start, sh.end):
                    owner.shard = sh.id
        self._seq = seq
        self._rng = svc.sim.rng_for(f"dynamodb.streams.restart{restart}")

    # -- for readers ------------------------------------------------------------
    def get(self, arn: str) -> Stream | None:
        """The stream with this ARN (retention applied to it), or None."""
        s = self.streams.get(arn)
        if s is None:
            return None
        cutoff = self.svc.sim.now - self.retention_ms
        if s.status == "DISABLED" and s.disabled is not None and s.disabled <= cutoff:
            del self.streams[arn]
            return None
        return s

    def shard(self, s: Stream, shard_id: str) -> Shard | None:
        """The shard (trimmed to the retention window), or None when gone."""
        sh = s.shards.get(shard_id)
        if sh is None:
            return None
        cutoff = self.svc.sim.now - self.retention_ms
        if sh.closed is not None and sh.closed <= cutoff:
            del s.shards[shard_id]
            return None
        sh.trim(cutoff)
        return sh

    def _check(self) -> None:
        """Invariants, for stress tests: sequence numbers rise within each
        shard and lie in its range; each open shard is its partition's; every
        parent is a known shard or gone with retention."""
        for s in self.streams.values():
            for sh in s.shards.values():
                seqs = sh.seqs
                assert all(a < b for a, b in zip(seqs, seqs[1:])), sh
                assert all(r.seq == q for r, q in zip(sh.records, seqs))
                if seqs:
                    assert seqs[0] > sh.start_seq
                    if sh.end_seq is not None:
                        assert seqs[-1] <= sh.end_seq
                assert (sh.closed is None) == (s.open.get(sh.partition) is sh)

    def __repr__(self) -> str:
        return f"<StreamHub streams={len(self.streams)}>"
