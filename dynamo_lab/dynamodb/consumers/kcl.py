"""A KCL-like application: workers that share a stream's shards through leases.

The Kinesis Client Library (with the DynamoDB Streams adapter) runs one
*worker* per process; the workers of one *application* share the shards of
a stream. Each shard has a *lease*, an item in a DynamoDB *lease table*
(``<app>-leases``): ``leaseKey`` (the shard id), ``leaseOwner``,
``leaseCounter``, ``checkpoint`` (the last sequence number processed,
``TRIM_HORIZON``/``LATEST`` before any, ``SHARD_END`` when done) and
``parentShardIds``. Every change to a lease is a conditional write on its
counter, so two workers can never both think they won it:

* a worker *renews* its leases (counter + 1) at least every third of
  ``lease_ms``; a lease whose counter a worker has not seen move for
  ``lease_ms`` is *expired*, and any worker may *take* it;
* workers aim for an even share: one below its share *steals* a lease from
  the worker holding the most, one lease a round, as the KCL does;
* a worker reads each of its shards after the lease's checkpoint, hands the
  records to its *record processor* (``initialize(shard_id)``,
  ``process_records(records, checkpointer)``, ``shutdown(reason)``), and
  the processor checkpoints (a conditional write: it fails once the lease
  is lost);
* a closed shard read to its end is checkpointed ``SHARD_END``; a child
  shard's lease is taken only once all its parents' leases are at
  ``SHARD_END``, so an item's changes are processed in order across splits.

**The lab's guarantee.** Processing is at-least-once, as in the KCL: a new
owner starts after the lease's checkpoint. Workers here act in turns, so a
worker that stops (:meth:`App.kill_worker`) or is stolen from does so
between batches; when processors checkpoint after every batch, every record
is then processed exactly once. A worker that dies after processing a batch
but before its checkpoint is written (``kill_worker(w,
before_checkpoint=True)``) makes the next owner process that batch again:
those records are processed twice, nothing is lost.

The lease table is made through ``client`` (the lab's DynamoDB or an outside
endpoint); the stream is read through ``streams_client``. Events
``kcl.lease`` and ``kcl.checkpoint`` go to the lab's log (or ``app.log``).

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0)
>>> c = ddb.client()
>>> arn = c.create_table(TableName="Votes", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "Voter", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "Voter", "AttributeType": "S"}],
...     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
... )["TableDescription"]["LatestStreamArn"]
>>> for v in ["ann", "bob"]:
...     _ = c.put_item(TableName="Votes", Item={"Voter": {"S": v}})
>>> seen = []
>>> class Count:
...     def initialize(self, shard_id): pass
...     def process_records(self, records, checkpointer):
...         seen.extend(r["dynamodb"]["NewImage"]["Voter"]["S"] for r in records)
...         checkpointer.checkpoint()
...     def shutdown(self, reason): pass
>>> app = App("counter", arn, Count, client=c, streams_client=ddb.streams_client())
>>> _ = app.add_worker("w1")
>>> app.run(3)
>>> sorted(seen), app.leases()[0]["leaseOwner"]
(['ann', 'bob'], 'w1')
"""
from __future__ import annotations

import time
from typing import Any, Callable

from botocore.exceptions import ClientError

from ...errors import ArgumentError, NotFoundError
from .kcl_worker import LeaseLost, Worker, WorkerDied
from .stream_reader import Host, lab_service, lab_state, list_shards

__all__ = ["App", "Worker", "LeaseLost", "SHARD_END"]

SHARD_END = "SHARD_END"


def _invalid(message: str) -> ClientError:
    return ClientError({"Error": {"Code": "ValidationException", "Message": message}}, "App")


class App:
    """A KCL-like application: a lease table and the workers sharing a stream.

    Parameters
    ----------
    name : str
        The application name (KCL's applicationName).
    stream_arn : str
        The stream to process.
    processor_factory : callable
        ``processor_factory()`` makes one record processor per shard lease.
    client, streams_client : boto3 clients
        ``dynamodb`` for the lease table, ``dynamodbstreams`` for the stream
        (default: the lessons' backend).
    service : DynamoDB, optional
        The lab service (found from a lab client when not given).
    lease_table : str
        Default ``f"{name}-leases"``.
    lease_ms : int
        KCL's failoverTimeMillis: a lease whose counter stays still this long is expired.
    initial_position : str
        ``"TRIM_HORIZON"`` or ``"LATEST"``: where leases made at the first
        shard sync start (later shards always start at TRIM_HORIZON).
    max_records : int
        Records per GetRecords call (1 to 1,000).
    interval_ms : int
        Virtual time between rounds (:meth:`run`, :meth:`start`).
    seed : int, optional
        The order in which workers take their turn each round is shuffled
        from this seed (the lab's seed by default).
    """

    def __init__(self, name: str, stream_arn: str, processor_factory: Callable[[], Any], *,
                 client: Any = None, streams_client: Any = None, service: Any = None,
                 lease_table: str | None = None, lease_ms: int = 10_000,
                 initial_position: str = "TRIM_HORIZON", max_records: int = 100,
                 interval_ms: int = 1000, seed: Any = None) -> None:
        if initial_position not in ("TRIM_HORIZON", "LATEST"):
            raise _invalid(f"initial_position must be TRIM_HORIZON or LATEST, not "
                           f"{initial_position!r}")
        if not isinstance(max_records, int) or not 1 <= max_records <= 1000:
            raise _invalid(f"max_records must be between 1 and 1000, not {max_records!r}")
        if lease_ms <= 0:
            raise _invalid(f"lease_ms must be positive, not {lease_ms!r}")
        from .. import backend
        client = client if client is not None else (
            service.client() if service is not None else backend.client())
        streams_client = streams_client if streams_client is not None else (
            service.streams_client() if service is not None else backend.streams_client())
        self.service = service if service is not None else \
            (lab_service(client) or lab_service(streams_client))
        self.name, self.stream_arn, self.factory = name, stream_arn, processor_factory
        self.client, self.streams = client, streams_client
        self.lease_table = lease_table or f"{name}-leases"
        self.lease_ms, self.initial_position = int(lease_ms), initial_position
        self.max_records, self.interval_ms = max_records, int(interval_ms)
        self.host = Host(self.service, lab_state(client) or lab_state(streams_client))
        self.log = self.host.log
        import random
        if seed is None and self.service is not None:
            self._rng = self.service.sim.rng_for(f"kcl:{name}")
        else:
            self._rng = random.Random(f"kcl:{name}:{seed}")
        self.workers: dict[str, Worker] = {}
        self._timer = None
        self.last_error: dict | None = None   # the last error a timed round met
        self._synced = False
        self.rounds = 0
        self._ensure_table()

    # -- the lease table -------------------------------------------------------------
    def _ensure_table(self) -> None:
        try:
            self.client.create_table(
                TableName=self.lease_table, BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "leaseKey", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "leaseKey", "AttributeType": "S"}])
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceInUseException":
                raise
        self.client.get_waiter("table_exists").wait(
            TableName=self.lease_table, WaiterConfig={"Delay": 1, "MaxAttempts": 60})

    def leases(self) -> list[dict]:
        """The lease table, read with the public API (a consistent Scan), as
        plain values, in shard order: ``leaseKey``, ``leaseOwner`` (None when
        free), ``leaseCounter``, ``checkpoint``, ``parentShardIds``,
        ``ownerSwitchesSinceCheckpoint``."""
        items: list[dict] = []
        kw: dict[str, Any] = {"TableName": self.lease_table, "ConsistentRead": True}
        while True:
            page = self.client.scan(**kw)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        out = [{"leaseKey": i["leaseKey"]["S"],
                "leaseOwner": i["leaseOwner"]["S"] if "leaseOwner" in i else None,
                "leaseCounter": int(i["leaseCounter"]["N"]),
                "checkpoint": i["checkpoint"]["S"],
                "parentShardIds": sorted(i["parentShardIds"]["SS"]) if "parentShardIds" in i
                else [],
                "ownerSwitchesSinceCheckpoint": int(i.get("ownerSwitchesSinceCheckpoint",
                                                          {"N": "0"})["N"])}
               for i in items]
        return sorted(out, key=lambda d: d["leaseKey"])

    def sync_shards(self) -> int:
        """KCL's shard sync: make a lease for every shard that has none
        (a conditional put, so racing workers make it once). Returns the
        number made."""
        _, shards = list_shards(self.streams, self.stream_arn)
        have = {d["leaseKey"] for d in self.leases()}
        first = not have and not self._synced
        self._synced = True
        made = 0
        for d in shards:
            sid = d["ShardId"]
            if sid in have:
                continue
            closed = "EndingSequenceNumber" in d["SequenceNumberRange"]
            start = "TRIM_HORIZON"
            if first and self.initial_position == "LATEST":
                start = SHARD_END if closed else "LATEST"
            item = {"leaseKey": {"S": sid}, "leaseCounter": {"N": "0"},
                    "checkpoint": {"S": start}, "ownerSwitchesSinceCheckpoint": {"N": "0"}}
            if d.get("ParentShardId"):
                item["parentShardIds"] = {"SS": [d["ParentShardId"]]}
            try:
                self.client.put_item(TableName=self.lease_table, Item=item,
                                     ConditionExpression="attribute_not_exists(leaseKey)")
                made += 1
            except ClientError as e:
                if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
        return made

    # -- workers -----------------------------------------------------------------------
    def add_worker(self, worker_id: str) -> Worker:
        """Start a worker (it takes leases from its next round on)."""
        if worker_id in self.workers and self.workers[worker_id].alive:
            raise ArgumentError(f"worker {worker_id!r} is already running; remove_worker() "
                                f"it first, or give the new one another id")
        w = self.workers[worker_id] = Worker(self, worker_id)
        return w

    def remove_worker(self, worker_id: str) -> None:
        """Stop a worker gracefully: its processors shut down (REQUESTED) and
        it releases its leases, which others take at once."""
        w = self._live(worker_id)
        w.stop()

    def kill_worker(self, worker_id: str, *, before_checkpoint: bool = False) -> None:
        """The worker dies: it stops renewing, and its leases expire after
        ``lease_ms``. With ``before_checkpoint`` it dies in its next
        checkpoint call instead: that batch is processed, its checkpoint never
        written, and the next owner processes it again."""
        w = self._live(worker_id)
        if before_checkpoint:
            w.die_at_checkpoint = True
        else:
            w.alive = False

    def _live(self, worker_id: str) -> Worker:
        w = self.workers.get(worker_id)
        if w is None or not w.alive:
            raise NotFoundError(f"no running worker {worker_id!r}")
        return w

    def live_workers(self) -> list[str]:
        return [w.id for w in self.workers.values() if w.alive]

    # -- driving ---------------------------------------------------------------------------
    def poll(self) -> None:
        """One round: a shard sync, then every running worker's turn
        (renew, take or steal, process), in an order drawn from the seed."""
        self.sync_shards()
        order = self.live_workers()
        self._rng.shuffle(order)
        for wid in order:
            w = self.workers[wid]
            if w.alive:
                try:
                    w.round()
                except WorkerDied:
                    w.alive = False
        self.rounds += 1

    def run(self, rounds: int = 1) -> None:
        """``rounds`` rounds, ``interval_ms`` apart (so leases of dead workers
        expire): virtual time on the lab, the wall clock elsewhere (as a KCL
        worker idles between reads)."""
        for _ in range(rounds):
            self.poll()
            if self.service is not None:
                self.service.run(ms=self.interval_ms)
            else:
                time.sleep(self.interval_ms / 1000)

    def start(self) -> None:
        """On the lab: take a round every ``interval_ms`` of virtual time, so
        ``ddb.run(ms=...)`` drives the app."""
        if self.service is not None and self._timer is None:
            self._timer = self.service.sim.every(self.interval_ms, self._tick,
                                                 name=f"kcl:{self.name}")

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> None:
        with self.host.requests_take_no_time():   # the clock cannot move inside a timer
            self._poll_once()

    def _poll_once(self) -> None:
        try:
            self.poll()
        except ClientError as e:      # a timer must not raise into ddb.run()
            self.last_error = e.response["Error"]
            if self.last_error.get("Code") == "ResourceNotFoundException":
                self.stop()           # the stream or the lease table is gone

    def caught_up(self) -> bool:
        """Every lease is at SHARD_END, or held by a running worker that has
        read its shard to the tip and checkpointed everything it handed out."""
        held = {}
        for w in self.workers.values():
            if w.alive:
                for sid, st in w.held.items():
                    held[sid] = st
        leases = self.leases()
        if not leases:                    # no shard sync yet: nothing is known
            return False
        for d in leases:
            if d["checkpoint"] == SHARD_END:
                continue
            held_st = held.get(d["leaseKey"])
            if held_st is None or not held_st.at_tip or held_st.handed:
                return False
        return True

    def balance(self) -> dict[str, int]:
        """Unfinished leases held per running worker."""
        out = {w: 0 for w in self.live_workers()}
        for d in self.leases():
            if d["checkpoint"] != SHARD_END and d["leaseOwner"] in out:
                out[d["leaseOwner"]] += 1
        return out

    def __repr__(self) -> str:
        return (f"<App {self.name} workers={self.live_workers()} rounds={self.rounds} "
                f"lease_table={self.lease_table}>")
