"""Local persistence of one storage node: versions, siblings and hints.

Each node writes through a :class:`Store`. The paper's nodes used pluggable
engines (Berkeley DB, MySQL); here there are two:

* :class:`MemoryStore` keeps everything in Python dicts, standing for a
  local disk: its versions and its hints survive a crash and restart. Only
  the optional *write buffer* (paper 6.1) lives in process memory and is
  lost when the node crashes.
* :class:`SqliteStore` writes to a SQLite file (stdlib ``sqlite3``) in a
  temporary folder; versions and hints survive crash and restart. Only the
  optional write buffer is lost.

Hinted replicas are kept apart from the node's own data (paper 4.6: "a
separate local database that is scanned periodically"), in a separate dict
or table, so they are never served as the node's own replica and are easy to
scan and hand off. Being on disk, they survive a restart. A *permanent*
failure, ``crash(lose_disk=True)``, loses the disk: data and hints are gone,
and only anti-entropy (paper 4.7) can rebuild the node's replicas.

A put merges syntactically: a version that an existing one descends from is
*obsolete*; versions the new one descends from are replaced; the rest stay as
*siblings*.

Examples
--------
>>> from dynamo_lab.dynamo.vclock import Version, VectorClock
>>> s = MemoryStore()
>>> s.put("cart", Version({"pen"}, VectorClock([("A", 1, 0)])))
'stored'
>>> s.put("cart", Version({"ink"}, VectorClock([("B", 1, 0)])))
'sibling'
>>> s.put("cart", Version({"old"}, VectorClock([("A", 1, 0)])))
'obsolete'
>>> len(s.get("cart")), s.version_count()
(2, 2)
>>> s.add_hint("C", "cart", Version({"pen"}, VectorClock([("A", 1, 0)])))
'stored'
>>> s.crash()["hints_lost"]          # a restart: the hint is on disk
()
>>> s.recover(); s.hint_count()
1
>>> lost = s.crash(lose_disk=True)   # the disk is gone: so is everything on it
>>> lost["hints_lost"], lost["keys_lost"]
((('C', 'cart', (('A', 1, 0),)),), ('cart',))
>>> s.recover(); s.hint_count(), s.keys()
(0, [])
"""
from __future__ import annotations

import abc
import json
import os
import pickle
import sqlite3
from typing import Any, Iterator

from .vclock import VectorClock, Version

__all__ = ["Store", "MemoryStore", "SqliteStore", "merge_into"]


def merge_into(existing: list[Version], v: Version) -> tuple[str, list[Version]]:
    """Merge ``v`` into the sibling list ``existing``.

    Returns ``(outcome, new_list)`` with outcome ``'stored'`` (v is now the
    only version), ``'sibling'`` (v stands beside concurrent versions) or
    ``'obsolete'`` (v was already held or an existing version descends from
    it; nothing changes). O(s k) for s siblings of k entries.
    """
    vc = v.clock
    for x in existing:
        if x.clock.descends(vc):
            return "obsolete", existing
    keep = [x for x in existing if not vc.descends(x.clock)]
    keep.append(v)
    if len(keep) > 1:
        keep.sort(key=lambda x: x.clock.pairs)
        return "sibling", keep
    return "stored", keep


class Store(abc.ABC):
    """The interface both stores share; subclasses supply raw reads and writes
    (the abstract methods below: MemoryStore and SqliteStore each implement them).

    Parameters
    ----------
    write_buffer : bool
        Paper 6.1: writes go to an in-memory buffer that :meth:`flush`
        (called periodically by the node) writes to the durable store. Reads
        see the buffer. A crash loses what was not flushed.
    """

    volatile_hints = False

    def __init__(self, write_buffer: bool = False) -> None:
        self.write_buffer = bool(write_buffer)
        self._buffer: dict[str, list[Version]] = {}
        self.up = True

    # -- raw I/O (subclasses) ---------------------------------------------
    @abc.abstractmethod
    def _read(self, key: str) -> list[Version]:
        """The durable versions of ``key`` (the buffer aside)."""

    @abc.abstractmethod
    def _write(self, key: str, versions: list[Version]) -> None:
        """Replace the durable versions of ``key``."""

    @abc.abstractmethod
    def _keys(self) -> list[str]:
        """Every key with durable versions."""

    @abc.abstractmethod
    def _hint_read(self, target: str, key: str) -> list[Version]:
        """The hinted versions of ``key`` kept for ``target``."""

    @abc.abstractmethod
    def _hint_write(self, target: str, key: str, versions: list[Version]) -> None:
        """Replace the hinted versions of ``key`` kept for ``target``."""

    @abc.abstractmethod
    def _hint_all(self) -> list[tuple[str, str, Version]]:
        """Every hint as (target, key, version)."""

    # -- versions ----------------------------------------------------------
    def get(self, key: str) -> list[Version]:
        """Every sibling held for ``key`` (buffer included). O(s)."""
        disk = self._read(key)
        buf = self._buffer.get(key)
        if not buf:
            return list(disk)
        out = list(disk)
        for v in buf:
            out = merge_into(out, v)[1]
        return out

    def put(self, key: str, version: Version) -> str:
        """Merge ``version`` into ``key``; returns ``'stored'``, ``'sibling'`` or ``'obsolete'``."""
        outcome, new = merge_into(self.get(key), version)
        if outcome != "obsolete":
            if self.write_buffer:
                self._buffer[key] = new
            else:
                self._write(key, new)
        return outcome

    def delete(self, key: str) -> None:
        """Forget ``key`` (after its range moved to another node, paper 4.9)."""
        self._buffer.pop(key, None)
        self._write(key, [])

    def hinted(self, key: str) -> list[Version]:
        """Hinted copies of ``key`` held for any node."""
        return [v for _t, k, v in self._hint_all() if k == key]

    def keys(self) -> list[str]:
        """Every key this node holds as its own replica (not hints)."""
        ks = set(self._keys())
        ks.update(self._buffer)
        return sorted(ks)

    def items(self) -> Iterator[tuple[str, list[Version]]]:
        for k in self.keys():
            yield k, self.get(k)

    def version_count(self) -> int:
        """Stored versions, siblings counted one by one."""
        return sum(len(vs) for _, vs in self.items())

    def flush(self) -> int:
        """Write the buffer to the durable store; returns how many keys moved."""
        n = len(self._buffer)
        for k, vs in self._buffer.items():
            self._write(k, vs)
        self._buffer.clear()
        return n

    # -- hints ---------------------------------------------------------------
    def add_hint(self, target: str, key: str, version: Version) -> str:
        """Keep ``version`` of ``key`` for ``target``, apart from own data."""
        outcome, new = merge_into(self._hint_read(target, key), version)
        if outcome != "obsolete":
            self._hint_write(target, key, new)
        return outcome

    def hints(self) -> list[tuple[str, str, Version]]:
        """Every hint as ``(target, key, version)``, in a stable order."""
        return sorted(self._hint_all(), key=lambda h: (h[0], h[1], h[2].clock.pairs))

    def drop_hint(self, target: str, key: str, clock: VectorClock) -> bool:
        """Delete one delivered hint; returns whether it was there."""
        vs = self._hint_read(target, key)
        keep = [v for v in vs if v.clock != clock]
        if len(keep) == len(vs):
            return False
        self._hint_write(target, key, keep)
        return True

    def hint_count(self) -> int:
        return len(self._hint_all())

    # -- faults --------------------------------------------------------------
    def crash(self, lose_disk: bool = False) -> dict[str, Any]:
        """The node stopped: lose what lives only in memory (the write
        buffer, and hints if they are volatile); with ``lose_disk`` the disk
        too, so the node will restart empty.

        Returns ``{"buffered_lost": keys, "hints_lost": ((target, key,
        clock), ...), "keys_lost": keys}`` (``keys_lost``: own keys that were
        on the lost disk, sorted).
        """
        lost_buf = tuple(sorted(self._buffer))
        self._buffer.clear()
        lost_hints: tuple = ()
        lost_keys: tuple = ()
        if self.volatile_hints or lose_disk:
            lost_hints = tuple((t, k, v.clock.to_context()) for t, k, v in self.hints())
            self._drop_all_hints()
        if lose_disk:
            lost_keys = tuple(sorted(self._keys()))
            self._wipe()
        self.up = False
        return {"buffered_lost": lost_buf, "hints_lost": lost_hints, "keys_lost": lost_keys}

    def recover(self) -> None:
        self.up = True

    # -- disk loss (subclasses: each store knows where it keeps hints and versions)
    @abc.abstractmethod
    def _drop_all_hints(self) -> None:
        """Forget every hint this node holds (its hint database is gone)."""

    @abc.abstractmethod
    def _wipe(self) -> None:
        """Forget every own version (the disk was replaced)."""

    def close(self) -> None:
        """Release files; the store is not used afterwards."""
        return None   # a store without files has nothing to release (SqliteStore overrides)


class MemoryStore(Store):
    """Dicts standing for a local disk: versions and hints survive a crash;
    the write buffer does not; ``crash(lose_disk=True)`` loses everything.

    ``durable_hints=False`` keeps hints in process memory instead, lost on
    every crash (not the paper's design: its hints are on disk).

    Every operation is O(siblings) apart from :meth:`keys` (O(n log n)).
    """

    def __init__(self, write_buffer: bool = False, durable_hints: bool = True) -> None:
        super().__init__(write_buffer)
        self._data: dict[str, list[Version]] = {}
        self._hints: dict[tuple[str, str], list[Version]] = {}
        self.volatile_hints = not durable_hints

    def _read(self, key):
        return self._data.get(key, ())

    def _write(self, key, versions):
        if versions:
            self._data[key] = versions
        else:
            self._data.pop(key, None)

    def _keys(self):
        return self._data.keys()

    def get(self, key):
        if not self._buffer:
            return list(self._data.get(key, ()))
        return super().get(key)

    def _hint_read(self, target, key):
        return self._hints.get((target, key), [])

    def _hint_write(self, target, key, versions):
        if versions:
            self._hints[(target, key)] = versions
        else:
            self._hints.pop((target, key), None)

    def _hint_all(self):
        return [(t, k, v) for (t, k), vs in self._hints.items() for v in vs]

    def hint_count(self) -> int:
        return sum(len(vs) for vs in self._hints.values())

    def _drop_all_hints(self):
        self._hints.clear()

    def _wipe(self):
        self._data.clear()

    def hinted(self, key):
        if not self._hints:
            return []
        return [v for (t, k), vs in self._hints.items() if k == key for v in vs]


class SqliteStore(Store):
    """A SQLite file per node (stdlib ``sqlite3``); survives crash and restart.

    Values are pickled, clocks stored as JSON. Hints are a separate table.
    A crash closes the connection (and loses the write buffer); recovery
    reopens the same file.

    >>> import tempfile, os
    >>> from dynamo_lab.dynamo.vclock import Version, VectorClock
    >>> d = tempfile.mkdtemp()
    >>> s = SqliteStore(os.path.join(d, "n1.db"))
    >>> s.put("k", Version("v1", VectorClock([("A", 1, 0)])))
    'stored'
    >>> _ = s.crash(); s.recover()
    >>> s.get("k")
    [Version('v1', [A,1])]
    >>> s.close()
    """

    def __init__(self, path: str | os.PathLike, write_buffer: bool = False) -> None:
        super().__init__(write_buffer)
        self.path = os.fspath(path)
        self._db: sqlite3.Connection | None = None
        self._open()

    def _open(self) -> None:
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA journal_mode=MEMORY")
        db.execute("CREATE TABLE IF NOT EXISTS data (key TEXT PRIMARY KEY, versions BLOB)")
        db.execute("CREATE TABLE IF NOT EXISTS hints (target TEXT, key TEXT, versions BLOB,"
                   " PRIMARY KEY (target, key))")
        self._db = db

    @staticmethod
    def _enc(versions: list[Version]) -> bytes:
        return pickle.dumps([(v.value, json.dumps([v.clock.entries, v.clock.gap]))
                             for v in versions])

    @staticmethod
    def _dec(blob: bytes) -> list[Version]:
        out = []
        for val, c in pickle.loads(blob):
            ents, gap = json.loads(c)
            out.append(Version(val, VectorClock(ents, tuple(gap) if gap else None)))
        return out

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the store is down (crashed or closed)")
        return self._db

    def _read(self, key):
        row = self._conn().execute("SELECT versions FROM data WHERE key=?", (key,)).fetchone()
        return self._dec(row[0]) if row else []

    def _write(self, key, versions):
        db = self._conn()
        if versions:
            db.execute("INSERT OR REPLACE INTO data VALUES (?, ?)", (key, self._enc(versions)))
        else:
            db.execute("DELETE FROM data WHERE key=?", (key,))

    def _keys(self):
        return [r[0] for r in self._conn().execute("SELECT key FROM data")]

    def _hint_read(self, target, key):
        row = self._conn().execute("SELECT versions FROM hints WHERE target=? AND key=?",
                                   (target, key)).fetchone()
        return self._dec(row[0]) if row else []

    def _hint_write(self, target, key, versions):
        db = self._conn()
        if versions:
            db.execute("INSERT OR REPLACE INTO hints VALUES (?, ?, ?)",
                       (target, key, self._enc(versions)))
        else:
            db.execute("DELETE FROM hints WHERE target=? AND key=?", (target, key))

    def _hint_all(self):
        return [(t, k, v) for t, k, b in self._conn().execute("SELECT * FROM hints")
                for v in self._dec(b)]

    def _drop_all_hints(self):
        self._conn().execute("DELETE FROM hints")

    def _wipe(self):
        self._conn().execute("DELETE FROM data")

    def hinted(self, key):
        rows = self._conn().execute("SELECT versions FROM hints WHERE key=?", (key,))
        return [v for (b,) in rows for v in self._dec(b)]

    def crash(self, lose_disk: bool = False):
        if self._db is None:            # already down
            if not lose_disk:
                return {"buffered_lost": (), "hints_lost": (), "keys_lost": ()}
            self._open()                # to read what the lost disk held
        info = super().crash(lose_disk)
        if self._db is not None:
            self._db.close()
            self._db = None
        return info

    def recover(self):
        if self._db is None:
            self._open()
        super().recover()

    def close(self):
        if self._db is not None:
            self._db.close()
            self._db = None
