"""One worker of a KCL-like application (:mod:`.kcl`): lease taking, renewal,
stealing, and the record processors of the shards it holds.

Every lease write is conditional on ``leaseCounter`` (which every write
increments), so a write based on a stale view of a lease fails with
``ConditionalCheckFailedException`` and changes nothing.

Costs per round: one consistent Scan of the lease table, one write per
lease renewed, taken, stolen or checkpointed, and one GetRecords per shard
held (plus a GetShardIterator when a shard is new to the worker).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ...errors import LabError

if TYPE_CHECKING:  # pragma: no cover
    from .kcl import App

__all__ = ["Worker", "Checkpointer", "LeaseLost", "WorkerDied"]

SHARD_END = "SHARD_END"


class LeaseLost(Exception):
    """A checkpoint failed: another worker holds the lease now (KCL's ShutdownException)."""


class WorkerDied(LabError):
    """The worker died in a checkpoint call (``kill_worker(..., before_checkpoint=True)``).
    A processor's ``except Exception`` may swallow it; the worker checks it
    is still alive after every batch, so it stops all the same."""


class _Held:
    """A lease this worker holds, and its shard's reading state."""

    def __init__(self, shard_id: str, counter: int, checkpoint: str, processor: Any,
                 now: int) -> None:
        self.shard_id, self.counter, self.checkpoint = shard_id, counter, checkpoint
        self.processor = processor
        self.renewed_at = now
        self.iterator: str | None = None
        self.last_handed: str | None = None   # last SequenceNumber given to the processor
        self.handed = 0                       # records handed since the last checkpoint
        self.at_tip = False


class Checkpointer:
    """What a record processor checkpoints with (KCL's RecordProcessorCheckpointer)."""

    def __init__(self, worker: "Worker", held: _Held) -> None:
        self._worker, self._held = worker, held

    def checkpoint(self, sequence_number: str | None = None) -> None:
        """Write the lease's checkpoint: ``sequence_number``, by default the
        last record handed to the processor. Raises :class:`LeaseLost` when
        the lease has been taken by another worker."""
        w, h = self._worker, self._held
        if w.die_at_checkpoint:
            w.alive = False
            raise WorkerDied(w.id)
        seq = sequence_number or h.last_handed
        if seq is None:
            return
        if not w._write(h, set_checkpoint=seq):
            w._lose(h.shard_id)
            raise LeaseLost(h.shard_id)
        w.app.host.emit("kcl.checkpoint", app=w.app.name, shard=h.shard_id, worker=w.id,
                        sequence=seq, records=h.handed)
        h.checkpoint = seq
        if seq == h.last_handed:
            h.handed = 0


class Worker:
    """One worker: call :meth:`round` (the app does, see :meth:`App.poll`)."""

    def __init__(self, app: "App", worker_id: str) -> None:
        self.app, self.id = app, worker_id
        self.alive = True
        self.die_at_checkpoint = False
        self.held: dict[str, _Held] = {}
        self.seen: dict[str, tuple] = {}      # shard -> (counter, when first seen at it)
        self.errors = 0                        # exceptions raised by its processors

    # -- lease writes -------------------------------------------------------------
    def _cas(self, shard_id: str, counter: int, owner: str | None, *, checkpoint: str | None = None,
             switch: bool = False) -> bool:
        """Set the owner (None: remove it) and counter + 1 if the counter is
        still ``counter``. True when the write happened."""
        names = {"#c": "leaseCounter"}
        values: dict[str, Any] = {":old": {"N": str(counter)}, ":new": {"N": str(counter + 1)}}
        sets = ["#c = :new"]
        remove = ""
        if owner is None:
            remove = " REMOVE leaseOwner"
        else:
            sets.append("leaseOwner = :me")
            values[":me"] = {"S": owner}
        if checkpoint is not None:
            sets.append("checkpoint = :cp")
            sets.append("ownerSwitchesSinceCheckpoint = :zero")
            values[":cp"], values[":zero"] = {"S": checkpoint}, {"N": "0"}
        if switch:
            sets.append("ownerSwitchesSinceCheckpoint = ownerSwitchesSinceCheckpoint + :one")
            values[":one"] = {"N": "1"}
        try:
            self.app.client.update_item(
                TableName=self.app.lease_table, Key={"leaseKey": {"S": shard_id}},
                UpdateExpression="SET " + ", ".join(sets) + remove,
                ConditionExpression="#c = :old", ExpressionAttributeNames=names,
                ExpressionAttributeValues=values)
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _write(self, h: _Held, set_checkpoint: str | None = None, owner: Any = "me") -> bool:
        ok = self._cas(h.shard_id, h.counter, self.id if owner == "me" else owner,
                       checkpoint=set_checkpoint)
        if ok:
            h.counter += 1
            h.renewed_at = self.app.host.now_ms()
        return ok

    def _lose(self, shard_id: str) -> None:
        h = self.held.pop(shard_id, None)
        if h is not None:
            h.processor.shutdown("LEASE_LOST")

    def _lease(self, event_action: str, shard_id: str, worker: str, counter: int) -> None:
        self.app.host.emit("kcl.lease", app=self.app.name, shard=shard_id, worker=worker,
                           action=event_action, counter=counter)

    # -- one round ----------------------------------------------------------------------
    def round(self) -> None:
        """Renew, take or steal, then process one batch of each shard held."""
        app = self.app
        now = app.host.now_ms()
        leases = {d["leaseKey"]: d for d in app.leases()}
        for sid, d in leases.items():
            prev = self.seen.get(sid)
            if prev is None or prev[0] != d["leaseCounter"]:
                self.seen[sid] = (d["leaseCounter"], now)
        for sid in list(self.held):
            lease = leases.get(sid)
            h = self.held[sid]
            if lease is None or lease["leaseOwner"] != self.id \
                    or lease["leaseCounter"] != h.counter:
                self._lose(sid)
            elif now - h.renewed_at >= app.lease_ms // 3 and not self._write(h):
                self._lose(sid)                 # someone else wrote it: lost
        self._balance(leases, now)
        for sid in sorted(self.held):
            if self.alive and sid in self.held:
                self._process(self.held[sid])

    def _done(self, leases: dict, d: dict) -> bool:
        return all(p not in leases or leases[p]["checkpoint"] == SHARD_END
                   for p in d["parentShardIds"])

    def _balance(self, leases: dict, now: int) -> None:
        app = self.app
        work = [d for d in leases.values()
                if d["checkpoint"] != SHARD_END and self._done(leases, d)]

        def expired(d: dict) -> bool:
            return d["leaseOwner"] is None or (
                d["leaseOwner"] != self.id and now - self.seen[d["leaseKey"]][1] >= app.lease_ms)
        counts: dict[str, int] = {self.id: 0}
        for d in work:
            if d["leaseKey"] in self.held:
                counts[self.id] += 1
            elif not expired(d):
                counts[d["leaseOwner"]] = counts.get(d["leaseOwner"], 0) + 1
        hi = -(-len(work) // len(counts))
        free = [d for d in work if d["leaseKey"] not in self.held and expired(d)]
        app._rng.shuffle(free)
        for d in free:
            if counts[self.id] >= hi:
                break
            if self._take(d, "taken"):
                counts[self.id] += 1
        mine = counts[self.id]
        others = [(n, w) for w, n in counts.items() if w != self.id]
        if mine < hi and others:
            n, victim = max(others, key=lambda x: (x[0], x[1]))
            if n >= mine + 2:
                theirs = sorted(d["leaseKey"] for d in work if d["leaseOwner"] == victim
                                and not expired(d))
                d = leases[app._rng.choice(theirs)]
                self._take(d, "stolen")

    def _take(self, d: dict, action: str) -> bool:
        sid, counter = d["leaseKey"], d["leaseCounter"]
        if not self._cas(sid, counter, self.id, switch=d["leaseOwner"] is not None):
            return False
        if action == "taken" and d["leaseOwner"] is not None:
            self._lease("expired", sid, d["leaseOwner"], counter)
        self._lease(action, sid, self.id, counter + 1)
        p = self.app.factory()
        self.held[sid] = _Held(sid, counter + 1, d["checkpoint"], p, self.app.host.now_ms())
        p.initialize(sid)
        return True

    # -- records ---------------------------------------------------------------------------
    def _iterator(self, h: _Held) -> str:
        app = self.app
        pos = h.last_handed or h.checkpoint
        if pos in ("TRIM_HORIZON", "LATEST"):
            kw = {"ShardIteratorType": pos}
        else:
            kw = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": pos}
        return app.streams.get_shard_iterator(StreamArn=app.stream_arn, ShardId=h.shard_id,
                                              **kw)["ShardIterator"]

    def _process(self, h: _Held) -> None:
        app = self.app
        for _ in range(3):
            try:
                if h.iterator is None:
                    h.iterator = self._iterator(h)
                out = app.streams.get_records(ShardIterator=h.iterator, Limit=app.max_records)
                break
            except ClientError as e:
                code = e.response["Error"]["Code"]
                if code == "ExpiredIteratorException":
                    h.iterator = None
                elif code == "TrimmedDataAccessException":
                    h.iterator, h.last_handed, h.checkpoint = None, None, "TRIM_HORIZON"
                elif code == "ResourceNotFoundException":
                    out = {"Records": []}       # gone with retention: nothing left to read
                    break
                else:
                    raise
        else:
            return
        recs = out.get("Records", [])
        h.iterator = out.get("NextShardIterator")
        h.at_tip = not recs
        if recs:
            h.handed += len(recs)
            h.last_handed = recs[-1]["dynamodb"]["SequenceNumber"]
            try:
                h.processor.process_records(recs, Checkpointer(self, h))
            except (LeaseLost, WorkerDied):
                if not self.alive:
                    raise WorkerDied(self.id) from None
                return
            except Exception:       # the KCL logs it and moves on to the next batch
                self.errors += 1
            if not self.alive:      # died in a checkpoint the processor caught
                raise WorkerDied(self.id)
        if h.iterator is None and h.shard_id in self.held:
            self._finish(h)

    def _finish(self, h: _Held) -> None:
        """The shard is closed and read to its end: SHARD_END, and let it go."""
        h.processor.shutdown("SHARD_END")
        if not self._write(h, set_checkpoint=SHARD_END, owner=None):
            self._lose(h.shard_id)
            return
        del self.held[h.shard_id]
        self.app.host.emit("kcl.checkpoint", app=self.app.name, shard=h.shard_id, worker=self.id,
                           sequence=SHARD_END, records=h.handed)
        self._lease("finished", h.shard_id, self.id, h.counter)

    def stop(self) -> None:
        """Leave gracefully: shut the processors down (REQUESTED), release every lease."""
        for sid in sorted(self.held):
            h = self.held.pop(sid)
            h.processor.shutdown("REQUESTED")
            if self._write(h, owner=None):
                self._lease("released", sid, self.id, h.counter)
        self.alive = False

    def __repr__(self) -> str:
        state = "running" if self.alive else "stopped"
        return f"<Worker {self.id} {state} leases={sorted(self.held)}>"
