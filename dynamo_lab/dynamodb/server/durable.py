"""``dynamo-lab serve --data DIR``: nothing acknowledged is lost.

Each namespace's state lives in ``DIR/<namespace>.sqlite``. Every request
that changed something is made durable -- written and fsync'd -- before
its response is sent, so a server killed at any moment (``SIGKILL``, a
power cut) comes back with every write it acknowledged and none of the
ones it did not.

Why SQLite in WAL mode and not an append-only log
-------------------------------------------------
* **A request is one transaction.** A TransactWriteItems, a BatchWriteItem,
  an UpdateItem that sets several attributes: all their rows commit
  together or not at all. A log would need its own framing and checksums
  to tell a torn last record from a good one; SQLite's WAL already does.
* **The file holds the state, not the history.** An item is one row,
  replaced in place, so a room that rewrites the same 100 votes all day
  keeps a small file; a log grows with every write and needs compaction.
* **``synchronous=FULL``** fsyncs the WAL at every commit, which is what
  "durable before the response" means. Requests of one namespace that
  arrive while a commit is in flight are committed together by the next
  (group commit), so the fsync is paid once per batch, not per request.
* It is in the standard library, and an instructor can open the file with
  the ``sqlite3`` shell to see what the room wrote.

What is kept, and how a restart restores it
-------------------------------------------
State is restored *directly* into a fresh service: no request is
replayed, so nothing is charged against capacity and nothing throttles.

* **Tables**, with their key schema, attribute definitions, billing mode,
  throughput (and its decrease bookkeeping), TableId, CreationDateTime,
  deletion protection, stream specification and label, TTL and tags. A
  table that was CREATING or UPDATING comes back ACTIVE (the change would
  have finished by now); one that was DELETING does not come back (its
  DeleteTable was acknowledged).
* **Items**, one row each.
* **Indexes**: local secondary indexes follow the items as they are
  loaded; global secondary indexes are *rebuilt from the table* (a GSI
  holds only projections of the table's items, so nothing is lost), and
  come back ACTIVE, with nothing pending.
* **Partitions** are rebuilt from the table's throughput and size, as
  CreateTable builds them; splits for heat are not kept.
* **Streams**: every stream, shard (id, parent, sequence number range,
  open or closed) and record, with its sequence number, so a consumer's
  checkpoint (shard id + sequence number) still works. The rows are the
  parts of :meth:`~..streams.hub.StreamHub.snapshot`; a restart hands them
  back to :meth:`~..streams.hub.StreamHub.restore`. An open shard whose
  partition is not rebuilt is closed at the next change, and the new
  partition's shard names it as parent, as after a split.
* **Time**: the service's virtual clock continues from where it stopped
  (TTL, CreationDateTime and stream retention stay consistent).

Not kept: capacity buckets (a restart starts them full), replicas' lag (all
replicas start in sync), TransactWriteItems' idempotency tokens, and the
event log (views of a restarted namespace start from its restart).

Writes that happen in the background -- TTL expiry deletes, a GSI's
propagation -- reach the store through the same commit path (the state's
``journal``, :mod:`~dynamo_lab.dynamodb.commit`), and are made durable with
the next request at the latest (GSIs need nothing: they are rebuilt).

Without ``--data`` none of this runs: the state has no journal and the
write path does one ``is None`` test per write.

Examples
--------
>>> import tempfile
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> d = tempfile.mkdtemp()
>>> make = lambda: DynamoDB(seed=0, create_ms=0)
>>> ddb, store = open_service(d, "learner1_us-east-1", make)
>>> from dynamo_lab.dynamodb.service import handle
>>> _ = handle(ddb, "CreateTable", {"TableName": "Votes", "BillingMode": "PAY_PER_REQUEST",
...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
>>> store.after_request("CreateTable")
>>> _ = handle(ddb, "PutItem", {"TableName": "Votes", "Item": {"id": {"S": "a"}}})
>>> store.after_request("PutItem")
>>> store.close()
>>> again, store = open_service(d, "learner1_us-east-1", make)
>>> handle(again, "GetItem", {"TableName": "Votes", "Key": {"id": {"S": "a"}}})["Item"]
{'id': {'S': 'a'}}
>>> store.close()
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, cast

from ...errors import UsageError
from ..errors import DynamoDBError
from ..service import DynamoDB, state_of
from ..streams.hub import FIRST_SEQUENCE, Record, Shard, Stream
from ..streams.snapshot import HubSnapshot, RecordSnapshot, ShardSnapshot, StreamSnapshot
from ..tables.layout import announce, ensure
from ..tables.table import Index, Table, Throughput

if TYPE_CHECKING:  # pragma: no cover
    from ..commit import Change
    from ..state import ServiceState

__all__ = ["open_service", "prepare_data_dir", "DurableStore", "DataDirError", "FORMAT_VERSION"]

#: The version of the file's layout, kept in its ``meta`` table.
FORMAT_VERSION = 1

# Data directories this process holds the lock of: resolved path -> open lock file.
_LOCKS: dict[str, object] = {}
_LOCKS_GUARD = threading.Lock()

_NAMESPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta    (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tables  (name TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items   (tbl TEXT NOT NULL, k TEXT NOT NULL, body TEXT NOT NULL,
                                    size INTEGER NOT NULL, PRIMARY KEY (tbl, k)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS streams (arn TEXT PRIMARY KEY, pos INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shards  (arn TEXT NOT NULL, id TEXT NOT NULL, pos INTEGER NOT NULL,
                                    body TEXT NOT NULL, PRIMARY KEY (arn, id));
CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY, arn TEXT NOT NULL,  -- seq - 10**20
                                    shard TEXT NOT NULL, body TEXT NOT NULL);
"""

# Item operations (and reads): with no item change pending they changed
# nothing -- a read, a failed condition, a throttled write -- and need no commit.
_ITEM_OPS = frozenset({
    "GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "DescribeTable",
    "ListTables", "DescribeTimeToLive", "DescribeLimits", "ListTagsOfResource",
    "ListStreams", "DescribeStream", "GetShardIterator", "GetRecords",
    "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
})

_dumps = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode


class DataDirError(UsageError):
    """``--data DIR`` cannot be used: a namespace that is not a file name,
    or a file that is not a dynamo-lab store (the message says which)."""


# -- what a table, a stream and a shard look like on disk ------------------------
def _throughput(tp: Throughput | None) -> dict | None:
    if tp is None:
        return None
    return {"read": tp.read, "write": tp.write, "decreases": tp.decreases,
            "last_increase": tp.last_increase, "last_decrease": tp.last_decrease}


def _throughput_back(d: dict | None) -> Throughput | None:
    if d is None:
        return None
    tp = Throughput(d["read"], d["write"])
    tp.decreases, tp.last_increase, tp.last_decrease = \
        d["decreases"], d["last_increase"], d["last_decrease"]
    return tp


def _table_body(t: Table) -> dict:
    return {
        "name": t.name, "table_id": t.table_id, "key_schema": t.schema.elements,
        "attribute_definitions": t.attribute_definitions, "created": t.created,
        "billing_mode": t.billing_mode, "billing_mode_explicit": t.billing_mode_explicit,
        "last_pay_per_request": t.last_pay_per_request,
        "throughput": _throughput(t.throughput), "status": t.status,
        "indexes": [{"kind": ix.kind, "name": ix.name, "key_schema": ix.schema.elements,
                     "projection": ix.projection, "throughput": _throughput(ix.throughput),
                     "status": ix.status}
                    for ix in t.indexes.values()],
        "stream": t.stream, "stream_label": t.stream_label, "ttl": t.ttl, "tags": t.tags,
        "deletion_protection": t.deletion_protection,
    }


def _table_back(d: dict) -> Table:
    from ..model.keys import KeySchema
    t = Table(d["name"], d["key_schema"], d["attribute_definitions"], created=d["created"],
              table_id=d["table_id"], billing_mode=d["billing_mode"],
              throughput=_throughput_back(d["throughput"]))
    t.billing_mode_explicit = d["billing_mode_explicit"]
    t.last_pay_per_request = d["last_pay_per_request"]
    t.status = "ACTIVE"                # CREATING / UPDATING would have finished by now
    for ix in d["indexes"]:
        t.indexes[ix["name"]] = Index(ix["kind"], ix["name"], KeySchema(ix["key_schema"], t.types),
                                      ix["projection"], _throughput_back(ix["throughput"]),
                                      status="ACTIVE")
    t.stream, t.stream_label = d["stream"], d["stream_label"]
    t.ttl, t.tags = d["ttl"], d["tags"]
    t.deletion_protection = d["deletion_protection"]
    return t


def _stream_body(s: Stream) -> dict:
    return dict(s.header())             # the hub's own plain data, without the shards


def _shard_body(sh: Shard) -> dict:
    return dict(sh.header())            # without the records


def _record_body(r: Record) -> dict:
    body = dict(r.snapshot())
    del body["seq"]                     # kept in its own column
    return body


class DurableStore:
    """One namespace's SQLite file, kept in step with its service.

    Made by :func:`open_service`; the Room calls :meth:`after_request`
    after every request of the namespace and :meth:`close` at shutdown.

    Costs: the commit path adds O(1) per changed item (its key and image
    are noted); :meth:`after_request` is O(1) for a read that changed
    nothing, else O(changed items + tables + shards) plus one fsync.
    """

    def __init__(self, path: Path, service: DynamoDB) -> None:
        self.path = Path(path)
        self.service = service
        self._state: ServiceState = state_of(service)
        self._commit_lock = threading.Lock()
        self._pending: dict[tuple[str, str], tuple[str, dict | None, int]] = {}
        self._tables: dict[str, str] = {}                  # name -> body as last written
        self._streams: dict[str, str] = {}                 # arn -> body
        self._shards: dict[tuple[str, str], str] = {}      # (arn, id) -> body
        self._seq_done = 0                                 # last record sequence written
        self._resync = False                               # rewrite everything next commit
        self.commits = 0                                   # SQLite transactions, for tests
        self.failures = 0                                  # transactions that failed
        try:
            self._db = sqlite3.connect(str(self.path), isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            version = self._db.execute("SELECT v FROM meta WHERE k='format'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise DataDirError(f"{self.path} is not a dynamo-lab data file ({exc})") from None
        if version is not None and version[0] != str(FORMAT_VERSION):
            raise DataDirError(f"{self.path} was written by a dynamo-lab with data format "
                               f"{version[0]}; this one reads format {FORMAT_VERSION}")

    # -- the write path's journal (runs under the state's lock) ---------------------
    def note(self, ch: Change) -> None:
        """Remember one committed change until the next commit. O(key size)."""
        self._pending[(ch.table.name, _dumps(ch.key))] = (ch.table.table_id, ch.new, ch.size)

    # -- commits ------------------------------------------------------------------------
    def after_request(self, operation: str) -> None:
        """Make everything the request (and the background work before it)
        changed durable: one SQLite transaction, fsync'd, before returning.

        Thread-safe. Requests whose changes an earlier call already
        committed return once that commit is on disk.
        """
        if operation in _ITEM_OPS and not self._pending:
            return
        with self._commit_lock:
            with self._state.lock:
                rows = self._collect()
            if rows:
                self._write(rows)

    def _collect(self) -> list[tuple[str, tuple]]:
        """The SQL that brings the file up to the state (under the state's lock)."""
        st = self._state
        out: list[tuple[str, tuple]] = []
        if self._resync:                        # after a failed commit: start the file again
            out += [(f"DELETE FROM {t}", ()) for t in ("tables", "items", "streams", "shards",
                                                       "records")]
            self._tables.clear()
            self._streams.clear()
            self._shards.clear()
            self._seq_done = 0
            self._pending = {(t.name, _dumps(t.schema.key_of(item))): (t.table_id, item, size)
                             for t in st.tables.values()
                             for skey, item in t.store.scan_from(None)
                             for size in (t.store.size_of(skey),)}
            self._resync = False
        live: dict[str, Table] = {}
        for name, t in st.tables.items():
            if t.status == "DELETING":
                continue                        # acknowledged: gone after a restart
            live[name] = t
            body = _dumps(_table_body(t))
            old = self._tables.get(name)
            if old != body:
                if old is not None and json.loads(old)["table_id"] != t.table_id:
                    out.append(("DELETE FROM items WHERE tbl=?", (name,)))
                out.append(("INSERT OR REPLACE INTO tables(name, body) VALUES (?, ?)", (name, body)))
                self._tables[name] = body
        for name in [n for n in self._tables if n not in live]:
            out.append(("DELETE FROM tables WHERE name=?", (name,)))
            out.append(("DELETE FROM items WHERE tbl=?", (name,)))
            del self._tables[name]
        hub_seq = st.streams.last_sequence
        pending, self._pending = self._pending, {}
        for (name, key), (table_id, item, size) in pending.items():
            owner = live.get(name)
            if owner is None or owner.table_id != table_id:
                continue                        # its table is gone or was made again
            if item is None:
                out.append(("DELETE FROM items WHERE tbl=? AND k=?", (name, key)))
            else:
                out.append(("INSERT OR REPLACE INTO items(tbl, k, body, size) VALUES (?, ?, ?, ?)",
                            (name, key, _dumps(item), size)))
        self._collect_streams(out)
        if out:
            out.append(("INSERT OR REPLACE INTO meta(k, v) VALUES ('now', ?)", (str(st.sim.now),)))
            out.append(("INSERT OR REPLACE INTO meta(k, v) VALUES ('clock', ?)",
                        (_dumps(st.clock_record()),)))
            if self._seq_done != hub_seq:
                out.append(("INSERT OR REPLACE INTO meta(k, v) VALUES ('seq', ?)", (str(hub_seq),)))
        self._seq_done = hub_seq
        return out

    def _collect_streams(self, out: list) -> None:
        hub = self._state.streams
        seen_streams, seen_shards = set(), set()
        done = self._seq_done
        for arn, s in hub.streams.items():
            seen_streams.add(arn)
            body = _dumps(_stream_body(s))
            if self._streams.get(arn) != body:
                # pos keeps the hub's order (oldest first) across purges: creation time
                out.append(("INSERT OR REPLACE INTO streams(arn, pos, body) VALUES (?, ?, ?)",
                            (arn, s.created, body)))
                self._streams[arn] = body
            for sid, sh in s.shards.items():
                seen_shards.add((arn, sid))
                sbody = _dumps(_shard_body(sh))
                old = self._shards.get((arn, sid))
                if old != sbody:
                    out.append(("INSERT OR REPLACE INTO shards(arn, id, pos, body) "
                                "VALUES (?, ?, ?, ?)",   # opening order: start_seq rises
                                (arn, sid, sh.start_seq - FIRST_SEQUENCE, sbody)))
                    if sh.trimmed_through is not None and (
                            old is None or json.loads(old)["trimmed_through"] != sh.trimmed_through):
                        out.append(("DELETE FROM records WHERE shard=? AND seq<=?",
                                    (sid, sh.trimmed_through - FIRST_SEQUENCE)))
                    self._shards[(arn, sid)] = sbody
                recs = sh.records
                i = len(recs)
                while i > sh.head and recs[i - 1].seq > done:
                    i -= 1
                for r in recs[i:]:
                    out.append(("INSERT OR REPLACE INTO records(seq, arn, shard, body) "
                                "VALUES (?, ?, ?, ?)",
                                (r.seq - FIRST_SEQUENCE, arn, sid, _dumps(_record_body(r)))))
        for key in [k for k in self._shards if k not in seen_shards]:
            out.append(("DELETE FROM shards WHERE arn=? AND id=?", key))
            out.append(("DELETE FROM records WHERE arn=? AND shard=?", key))
            del self._shards[key]
        for arn in [a for a in self._streams if a not in seen_streams]:
            out.append(("DELETE FROM streams WHERE arn=?", (arn,)))
            del self._streams[arn]

    def _write(self, rows: list[tuple[str, tuple]]) -> None:
        """One transaction. If it fails (a full disk, a removed file), the
        request is answered ``InternalServerError`` and the next commit
        rewrites the whole namespace, so the file never lags the service
        by more than the failed request; nothing half-written is left."""
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in rows:
                    db.execute(sql, args)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            self._resync = True
            self.failures += 1
            print(f"dynamo-lab serve: could not write {self.path}: {exc}; the request was "
                  "answered InternalServerError", file=sys.stderr)
            raise DynamoDBError("InternalServerError", "Internal server error") from None
        self.commits += 1

    # -- restore ------------------------------------------------------------------------
    def restore(self) -> None:
        """Load the file into the (fresh) service: time first, then tables,
        items, indexes and streams. Nothing goes through the request path."""
        st, db = self._state, self._db
        meta = dict(db.execute("SELECT k, v FROM meta").fetchall())
        if "format" not in meta:
            db.execute("INSERT OR REPLACE INTO meta(k, v) VALUES ('format', ?)",
                       (str(FORMAT_VERSION),))
        restarts = int(meta.get("restarts", "0")) + (1 if "now" in meta else 0)
        db.execute("INSERT OR REPLACE INTO meta(k, v) VALUES ('restarts', ?)", (str(restarts),))
        if "now" not in meta:
            return                              # a new namespace: the seed decides everything
        with st.lock:
            now = int(meta["now"])
            if "clock" in meta:                 # the dates go on where they stopped
                st.restore_clock(json.loads(meta["clock"]))
            if now > st.sim.now:
                st.sim.run(until=now)
            # New ids must not repeat the ones drawn before the restart.
            st.ids = st.sim.rng_for(f"dynamodb.ids.restart{restarts}")
            for name, body in db.execute("SELECT name, body FROM tables ORDER BY name"):
                self._restore_table(st, json.loads(body))
                self._tables[name] = body
            self._restore_streams(st, int(meta.get("seq", "0")), restarts)

    def _restore_table(self, st: ServiceState, d: dict) -> None:
        t = _table_back(d)
        schema = t.schema
        for body, size in self._db.execute("SELECT body, size FROM items WHERE tbl=?", (t.name,)):
            item = json.loads(body)
            t.write_partition(schema.storage_key(item), item, size)   # LSIs follow
        for ix in t.indexes.values():
            if ix.kind == "GSI":
                t.backfill(ix)                  # a GSI is rebuilt from its table
        ensure(st, t, quiet=True)               # partitions and capacity, from the items
        st.tables[t.name] = t
        announce(st, t)
        if t.ttl.get("TimeToLiveStatus") == "ENABLED":
            from ..operations.ttl import ensure_ttl_sweeper
            ensure_ttl_sweeper(st)

    def _restore_streams(self, st: ServiceState, seq: int, restarts: int) -> None:
        """Gather the streams, shards and records the file keeps into the
        hub's snapshot form and hand them to :meth:`StreamHub.restore`."""
        db = self._db
        snap: HubSnapshot = {"now": st.sim.now, "last_sequence": seq, "streams": []}
        for arn, body in db.execute("SELECT arn, body FROM streams ORDER BY pos, arn").fetchall():
            stream = cast(StreamSnapshot, {**json.loads(body), "shards": []})
            for sid, sbody in db.execute("SELECT id, body FROM shards WHERE arn=? ORDER BY pos",
                                         (arn,)).fetchall():
                records = [
                    cast(RecordSnapshot, {**json.loads(rbody), "seq": rseq + FIRST_SEQUENCE})
                    for rseq, rbody in db.execute("SELECT seq, body FROM records WHERE shard=? "
                                                  "ORDER BY seq", (sid,))]
                stream["shards"].append(cast(ShardSnapshot, {**json.loads(sbody),
                                                              "records": records}))
                self._shards[(arn, sid)] = sbody
            snap["streams"].append(stream)
            self._streams[arn] = body
        st.streams.restore(snap, restart=restarts)
        self._seq_done = st.streams.last_sequence

    def describe(self) -> dict:
        """What ``--status`` may show of this store: the file, its size in
        bytes (with the WAL), commits and failed commits so far.

        >>> import tempfile
        >>> ddb, store = open_service(tempfile.mkdtemp(), "ns1", lambda: DynamoDB(seed=0))
        >>> sorted(store.describe())
        ['bytes', 'commits', 'failures', 'file']
        >>> store.close()
        """
        size = 0
        for p in (self.path, self.path.with_name(self.path.name + "-wal")):
            try:
                size += p.stat().st_size
            except OSError:
                pass
        return {"file": self.path.name, "bytes": size, "commits": self.commits,
                "failures": self.failures}

    def close(self) -> None:
        """Commit what is pending and close the file. Safe to call twice."""
        db = getattr(self, "_db", None)
        if db is None:
            return
        self._state.journal = None if self._state.journal == self.note else self._state.journal
        self.after_request("close")
        db.close()
        self._db = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<DurableStore {self.path.name} commits={self.commits}>"


def prepare_data_dir(data_dir: str | Path) -> Path:
    """Make the data directory if it is missing and check that files can be
    written there; a server calls this at start, so a bad ``--data`` stops
    it at once, naming the path, instead of failing every learner's first
    request.

    Raises
    ------
    DataDirError
        The path is a file, or the directory cannot be made or written.

    Examples
    --------
    >>> prepare_data_dir("/dev/null")
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.server.durable.DataDirError: cannot keep data in /dev/null: it is not a directory
    """
    folder = Path(data_dir)
    if folder.exists() and not folder.is_dir():
        raise DataDirError(f"cannot keep data in {folder}: it is not a directory")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".dynamo-lab-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise DataDirError(f"cannot keep data in {folder}: {exc.strerror or exc}") from None
    _lock(folder)
    return folder


def _lock(folder: Path) -> None:
    """Hold ``folder/.lock`` for the life of this process: a second server
    on the same directory would restore the same namespaces and the two
    would write over each other. (POSIX ``flock``; where there is none,
    nothing is locked.)"""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return
    key = str(folder.resolve())
    with _LOCKS_GUARD:
        if key in _LOCKS:
            return
        fh = open(folder / ".lock", "a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            who = fh.read().strip() or "another process"
            fh.close()
            raise DataDirError(f"cannot keep data in {folder}: it is in use by {who} "
                               "(one dynamo-lab serve per data directory)") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"dynamo-lab serve, pid {os.getpid()}\n")
        fh.flush()
        _LOCKS[key] = fh


def open_service(data_dir: str | Path, namespace: str,
                 make_service: Callable[[], DynamoDB]) -> tuple[DynamoDB, DurableStore]:
    """Make a namespace's service and bring back what ``data_dir`` holds for it.

    Parameters
    ----------
    data_dir : str or Path
        The ``--data`` directory (made if missing).
    namespace : str
        The Room's namespace (``"<key>_<region>"`` or
        ``"shared-local-instance"``): the file is ``<namespace>.sqlite``.
    make_service : callable
        Makes a fresh service (the Room's seed and options).

    Returns
    -------
    (DynamoDB, DurableStore)
        The service, with its tables, items, indexes, streams, TTL and tags
        restored, and the store its writes are journalled to; call
        ``store.after_request(operation)`` before each response goes out.

    Raises
    ------
    DataDirError
        A namespace that is not a plain file name, or a file that is not a
        dynamo-lab store.

    Examples
    --------
    >>> open_service("/tmp", "../etc", lambda: DynamoDB(seed=0))
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.server.durable.DataDirError: namespace '../etc' cannot name a file in the data directory (letters, digits, '.', '_' and '-' only)
    """
    if not isinstance(namespace, str) or not _NAMESPACE.match(namespace) or ".." in namespace:
        raise DataDirError(f"namespace {namespace!r} cannot name a file in the data directory "
                           "(letters, digits, '.', '_' and '-' only)")
    folder = prepare_data_dir(data_dir)
    service = make_service()
    store = DurableStore(folder / f"{namespace}.sqlite", service)
    store.restore()
    state_of(service).journal = store.note
    return service, store
