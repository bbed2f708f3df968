"""A Lambda-like trigger: an event source mapping from a table's stream to a Python function.

:class:`EventSourceMapping` does for a Python function what AWS Lambda's
event source mapping does for a Lambda function on a DynamoDB stream
(CreateEventSourceMapping; parameter names and defaults are Lambda's):

* one poller per shard; each shard's records reach the function in batches
  of at most ``batch_size``, in sequence-number order, one batch at a time;
* a shard's children are read only after the shard itself is done, so an
  item's changes arrive in order across a partition split;
* when the function raises, the same batch is sent again
  (``maximum_retry_attempts``; -1, the default, retries until the records
  expire from the stream after 24 hours), split in two first when
  ``bisect_batch_on_function_error`` (splitting uses no retry), and at the
  end skipped, with an on-failure record (Lambda's, with
  ``DDBStreamBatchInfo``) sent to ``on_failure``;
* with ``function_response_types=["ReportBatchItemFailures"]`` the function
  may return ``{"batchItemFailures": [{"itemIdentifier": seq}]}``: records
  before the lowest failed one are checkpointed, the rest go again.

The function gets ``event`` (``event["Records"][i]`` exactly as Lambda's:
``eventID``, ``eventName``, ``eventVersion``, ``eventSource``,
``awsRegion``, ``dynamodb`` with ``Keys``/``NewImage``/``OldImage``/
``SequenceNumber``/``SizeBytes``/``StreamViewType``/
``ApproximateCreationDateTime``, and ``eventSourceARN``), and ``context``
too if it takes two arguments.

It reads the stream only through a boto3 ``dynamodbstreams`` client, so it
runs against any endpoint. :meth:`~EventSourceMapping.poll` does one round
(one batch per ready shard), :meth:`~EventSourceMapping.drain` polls until
every shard is caught up. On the lab it also polls by itself every
``poll_interval_ms`` of virtual time (Lambda polls four times a second), so
``ddb.run(ms=...)`` drives it; API calls made during such a poll take no
virtual time (the clock cannot move inside a timer).

Every invocation is a ``trigger.batch`` event in the lab's log (or in
``mapping.log`` on an outside endpoint). ``mapping.stats`` counts
invocations, records done, retries, failures (invocations that raised),
bisects and discarded records.

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
>>> seen = []
>>> def count(event, context):
...     seen.extend(r["dynamodb"]["NewImage"]["Voter"]["S"] for r in event["Records"])
>>> m = EventSourceMapping(count, arn, streams_client=ddb.streams_client(),
...                        starting_position="TRIM_HORIZON", batch_size=2)
>>> for v in ["ann", "bob", "cy"]:
...     _ = c.put_item(TableName="Votes", Item={"Voter": {"S": v}})
>>> ddb.run(ms=1000)                # the mapping polls on virtual time
>>> sorted(seen), m.stats["invocations"] >= 2
(['ann', 'bob', 'cy'], True)
"""
from __future__ import annotations

import random
import uuid
from types import SimpleNamespace
from typing import Any, Callable

from botocore.exceptions import ClientError

from ...errors import ArgumentError, UsageError
from ...text import plural
from .lambda_shapes import done_before_failure, epoch_of, failure_record, takes_context
from .stream_reader import Host, lab_service, lab_state, lambda_record, list_shards

__all__ = ["EventSourceMapping", "RETENTION_SECONDS", "MAX_BATCH_SIZE"]

#: DynamoDB Streams keeps records 24 hours: retrying "until the record expires".
RETENTION_SECONDS = 24 * 3600
#: Lambda's largest BatchSize for a DynamoDB stream.
MAX_BATCH_SIZE = 10_000
_PAGE = 1000                     # GetRecords' largest Limit


def _invalid(message: str) -> ClientError:
    # Lambda's own error for a bad parameter of CreateEventSourceMapping.
    return ClientError({"Error": {"Code": "InvalidParameterValueException", "Message": message}},
                       "CreateEventSourceMapping")


class _Shard:
    """One shard's poller: what was read, what waits, which batch is out."""

    def __init__(self, shard_id: str, parent: str | None, closed: bool) -> None:
        self.id, self.parent, self.closed = shard_id, parent, closed
        self.iterator: str | None = None
        self.start = "TRIM_HORIZON"        # where a fresh iterator starts
        self.read_to: str | None = None    # SequenceNumber of the last record read
        self.ended = False                 # no NextShardIterator: a closed shard read to its end
        self.at_tip = False                # the last read found nothing new
        self.pending: list[dict] = []      # read, not yet done (raw GetRecords records)
        self.parts: list[int] = []         # the batch out now, split by bisection: sizes
        self.attempts = 0                  # retries used by parts[0]
        self.invokes = 0                   # invocations of parts[0]
        self.waiting_since: int | None = None
        self.checkpoint: str | None = None  # last SequenceNumber done

    @property
    def finished(self) -> bool:
        return self.ended and not self.pending


class EventSourceMapping:
    """A Lambda-like event source mapping from a DynamoDB stream to ``function``.

    Parameters
    ----------
    function : callable
        ``function(event)`` or ``function(event, context)``. Raising an
        exception fails the batch.
    stream_arn : str
        The table's ``LatestStreamArn`` (EventSourceArn).
    streams_client : boto3 ``dynamodbstreams`` client, optional
        Defaults to ``service.streams_client()`` or the lessons' backend.
    service : DynamoDB, optional
        The lab service; found from a lab client when not given. None for
        an outside endpoint.
    batch_size : int
        BatchSize: 1 to 10,000 records per invocation (default 100).
    starting_position : str
        StartingPosition: ``"LATEST"`` (records written from now on) or
        ``"TRIM_HORIZON"`` (every record the stream still keeps).
    maximum_retry_attempts : int
        MaximumRetryAttempts: -1 (retry until the records expire) or 0 to 10,000.
    maximum_record_age_in_seconds : int
        MaximumRecordAgeInSeconds: -1 (up to the stream's 24 h) or 60 to 604,800.
    bisect_batch_on_function_error : bool
        BisectBatchOnFunctionError: split a failed batch in two and try each half.
    on_failure : callable or list, optional
        The on-failure destination (DestinationConfig.OnFailure): called
        with, or appended, each discarded batch's failure record.
    maximum_batching_window_in_seconds, maximum_batching_window_ms : int
        MaximumBatchingWindowInSeconds (0 to 300): wait up to this long for a
        full batch; ``maximum_batching_window_ms`` gives it in ms instead.
    function_response_types : list of str
        FunctionResponseTypes: ``["ReportBatchItemFailures"]`` turns on
        partial batch responses.
    name : str, optional
        The mapping's name in events (default: the function's name).
    poll_interval_ms : int
        On the lab, poll every this many virtual ms (Lambda: 4 times a second).
    enabled : bool
        Enabled: poll on virtual time from the start (on the lab).
    """

    def __init__(self, function: Callable, stream_arn: str, *, streams_client: Any = None,
                 service: Any = None, batch_size: int = 100,
                 starting_position: str = "LATEST", maximum_retry_attempts: int = -1,
                 maximum_record_age_in_seconds: int = -1,
                 bisect_batch_on_function_error: bool = False,
                 on_failure: Callable | list | None = None,
                 maximum_batching_window_in_seconds: int = 0,
                 maximum_batching_window_ms: int | None = None,
                 function_response_types: tuple | list = (), name: str | None = None,
                 poll_interval_ms: int = 250, enabled: bool = True) -> None:
        if not callable(function):
            raise ArgumentError(f"function must be a callable (the Lambda function's handler), "
                                f"not {type(function).__name__}")
        if not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise _invalid(f"BatchSize must be between 1 and {MAX_BATCH_SIZE}, not {batch_size!r}")
        if starting_position not in ("LATEST", "TRIM_HORIZON"):
            raise _invalid("StartingPosition for a DynamoDB stream must be LATEST or "
                           f"TRIM_HORIZON, not {starting_position!r}")
        if not isinstance(maximum_retry_attempts, int) or \
                not -1 <= maximum_retry_attempts <= 10_000:
            raise _invalid("MaximumRetryAttempts must be -1 or between 0 and 10000, "
                           f"not {maximum_retry_attempts!r}")
        if maximum_record_age_in_seconds != -1 and not 60 <= maximum_record_age_in_seconds <= 604_800:
            raise _invalid("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800, "
                           f"not {maximum_record_age_in_seconds!r}")
        window = maximum_batching_window_ms if maximum_batching_window_ms is not None \
            else maximum_batching_window_in_seconds * 1000
        if not 0 <= window <= 300_000:
            raise _invalid("MaximumBatchingWindowInSeconds must be between 0 and 300")
        bad = set(function_response_types) - {"ReportBatchItemFailures"}
        if bad:
            raise _invalid(f"FunctionResponseTypes may only hold ReportBatchItemFailures, not {sorted(bad)}")
        if on_failure is not None and not callable(on_failure) and not hasattr(on_failure, "append"):
            raise ArgumentError("on_failure must be a callable or a list (the on-failure "
                                f"destination), not {type(on_failure).__name__}")
        if streams_client is None:
            if service is not None:
                streams_client = service.streams_client()
            else:
                from .. import backend
                streams_client = backend.streams_client()
        if service is None:
            service = lab_service(streams_client)
        self.function, self.stream_arn, self.streams = function, stream_arn, streams_client
        self.service = service
        self.batch_size, self.starting_position = batch_size, starting_position
        self.maximum_retry_attempts = maximum_retry_attempts
        self.maximum_record_age_in_seconds = maximum_record_age_in_seconds
        self.bisect_batch_on_function_error = bool(bisect_batch_on_function_error)
        self.on_failure = on_failure
        self.maximum_batching_window_ms = int(window)
        self.report_batch_item_failures = "ReportBatchItemFailures" in function_response_types
        self.name = name or getattr(function, "__name__", "function")
        self.poll_interval_ms = int(poll_interval_ms)
        self.host = Host(service, lab_state(streams_client))
        self.log = self.host.log
        region = getattr(getattr(streams_client, "meta", None), "region_name", None) or "us-east-1"
        account = stream_arn.split(":")[4] if stream_arn.count(":") >= 5 else "000000000000"
        self.function_arn = f"arn:aws:lambda:{region}:{account}:function:{self.name}"
        self.uuid = str(uuid.UUID(int=random.Random(f"esm:{self.name}:{stream_arn}")
                                  .getrandbits(128), version=4))
        self._ids = (service.sim.rng_for(f"trigger:{self.name}") if service is not None
                     else random.Random(f"trigger:{self.name}"))
        self._two_args = takes_context(function)
        self.shards: dict[str, _Shard] = {}
        self.stats = {"invocations": 0, "records": 0, "retries": 0, "failures": 0,
                      "bisects": 0, "discarded": 0}
        self.failures: list[dict] = []     # every failure record, whatever on_failure is
        self._timer = None
        self._polling = False
        self.last_error: dict | None = None   # the last error a timed poll met
        self._discover(first=True)
        if enabled:
            self.enable()

    # -- driving ------------------------------------------------------------------
    def enable(self) -> None:
        """Poll on the lab's virtual time every ``poll_interval_ms`` (no-op elsewhere)."""
        if self.service is not None and self._timer is None:
            self._timer = self.service.sim.every(self.poll_interval_ms, self._tick,
                                                 name=f"trigger:{self.name}")

    def disable(self) -> None:
        """Stop polling on virtual time (``poll``/``drain`` still work)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    @property
    def enabled(self) -> bool:
        return self._timer is not None

    def _tick(self) -> None:
        # Inside a timer the clock cannot advance: API calls made now take no time.
        with self.host.requests_take_no_time():
            self._poll_once()

    def _poll_once(self) -> None:
        try:
            self.poll()
        except ClientError as e:
            # A timer must not raise into ddb.run(). A stream that is gone
            # (table deleted, stream disabled long ago) stops the mapping, as
            # Lambda disables a mapping whose source is gone.
            self.last_error = e.response["Error"]
            if self.last_error.get("Code") == "ResourceNotFoundException":
                self.disable()

    def poll(self, *, flush: bool = False) -> int:
        """One round: discover shards, then for each ready shard read what is
        new and hand at most one batch to the function. Returns the number of
        invocations made. ``flush`` ignores the batching window."""
        if self._polling:        # the function wrote to the table and ran the clock
            return 0
        self._polling = True
        try:
            self._discover()
            calls = 0
            for sh in list(self.shards.values()):
                if sh.finished or not self._parent_done(sh):
                    continue
                self._read(sh)
                calls += self._deliver(sh, flush)
            return calls
        finally:
            self._polling = False

    def drain(self, max_rounds: int = 10_000) -> int:
        """Poll (ignoring the batching window) until every shard is caught up.
        Returns the rounds it took. A batch that keeps failing with
        ``maximum_retry_attempts=-1`` would retry for 24 hours: after
        ``max_rounds`` rounds this raises :class:`~dynamo_lab.errors.UsageError`
        (a RuntimeError) instead."""
        for rounds in range(1, max_rounds + 1):
            calls = self.poll(flush=True)
            if calls == 0 and self.caught_up():
                return rounds
        raise UsageError(f"{self.name}: not caught up after {plural(max_rounds, 'round')}; a batch "
                           "still fails (maximum_retry_attempts=-1 retries until its records "
                           "expire)")

    def caught_up(self) -> bool:
        """Every readable shard is read to its tip and nothing waits."""
        return all(sh.finished or (sh.at_tip and not sh.pending) or not self._parent_done(sh)
                   for sh in self.shards.values())

    # -- shards ---------------------------------------------------------------------
    def _discover(self, first: bool = False) -> None:
        _, shards = list_shards(self.streams, self.stream_arn)
        seen = set()
        for d in shards:
            sid = d["ShardId"]
            seen.add(sid)
            if sid in self.shards:
                self.shards[sid].closed = "EndingSequenceNumber" in d["SequenceNumberRange"]
                continue
            sh = self.shards[sid] = _Shard(sid, d.get("ParentShardId"),
                                           "EndingSequenceNumber" in d["SequenceNumberRange"])
            if first and self.starting_position == "LATEST":
                if sh.closed:
                    sh.ended = True              # history from before the mapping: skipped
                else:
                    sh.start = "LATEST"
                    sh.iterator = self.streams.get_shard_iterator(
                        StreamArn=self.stream_arn, ShardId=sid,
                        ShardIteratorType="LATEST")["ShardIterator"]
        for sid, sh in self.shards.items():
            if sid not in seen and not sh.pending:   # gone with retention
                sh.ended = True

    def _parent_done(self, sh: _Shard) -> bool:
        p = self.shards.get(sh.parent) if sh.parent else None
        return p is None or p.finished

    def _iterator(self, sh: _Shard) -> str:
        if sh.read_to is not None:
            kw = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": sh.read_to}
        else:
            kw = {"ShardIteratorType": sh.start}
        return self.streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=sh.id,
                                               **kw)["ShardIterator"]

    def _read(self, sh: _Shard) -> None:
        """GetRecords until the buffer holds a batch or the shard's tip is reached."""
        while not sh.ended and len(sh.pending) < self.batch_size:
            try:
                if sh.iterator is None:
                    sh.iterator = self._iterator(sh)
                out = self.streams.get_records(ShardIterator=sh.iterator,
                                               Limit=min(_PAGE, self.batch_size - len(sh.pending)))
            except ClientError as e:
                code = e.response["Error"]["Code"]
                if code == "ExpiredIteratorException":
                    sh.iterator = None          # a fresh one from where reading stopped
                    continue
                if code == "TrimmedDataAccessException":
                    sh.iterator, sh.read_to, sh.start = None, None, "TRIM_HORIZON"
                    continue                    # what was trimmed is lost; carry on
                if code == "ResourceNotFoundException":
                    sh.ended, sh.iterator = True, None
                    return
                raise
            recs = out.get("Records", [])
            if recs:
                if not sh.pending:
                    sh.waiting_since = self.host.now_ms()
                sh.pending.extend(recs)
                sh.read_to = recs[-1]["dynamodb"]["SequenceNumber"]
            sh.iterator = out.get("NextShardIterator")
            if sh.iterator is None:
                sh.ended = True
            sh.at_tip = not recs
            if not recs:
                return

    # -- batches ---------------------------------------------------------------------
    def _deliver(self, sh: _Shard, flush: bool) -> int:
        if not sh.pending:
            return 0
        if not sh.parts:
            n = min(self.batch_size, len(sh.pending))
            if n < self.batch_size and not flush and not sh.ended and \
                    self.maximum_batching_window_ms and \
                    self.host.now_ms() - (sh.waiting_since or 0) < self.maximum_batching_window_ms:
                return 0                         # wait for a fuller batch
            sh.parts, sh.attempts, sh.invokes = [n], 0, 0
        n = sh.parts[0]
        batch = sh.pending[:n]
        first, last = batch[0]["dynamodb"]["SequenceNumber"], batch[-1]["dynamodb"]["SequenceNumber"]
        if self._too_old(batch):
            self._discard(sh, batch, "RecordAgeExceeded", first, last)
            return 0
        event = {"Records": [lambda_record(r, self.stream_arn) for r in batch]}
        self.stats["invocations"] += 1
        sh.invokes += 1
        try:
            result = self.function(event, self._context()) if self._two_args \
                else self.function(event)
        except Exception:
            return self._failed(sh, batch, first, last)
        done: int | None = n
        if self.report_batch_item_failures:
            done = done_before_failure(result, batch)
            if done is None:                    # a malformed response fails the whole batch
                return self._failed(sh, batch, first, last)
        assert done is not None
        if done < n:
            self._emit(sh, first, last, n, "error")
            self._partial(sh, done, first, last)
            return 1
        self._emit(sh, first, last, n, "ok")
        self._done(sh, n)
        return 1

    def _failed(self, sh: _Shard, batch: list, first: str, last: str) -> int:
        n = len(batch)
        self.stats["failures"] += 1
        if self.bisect_batch_on_function_error and n > 1:
            self.stats["bisects"] += 1
            self._emit(sh, first, last, n, "bisect")
            h = n // 2
            sh.parts[0:1] = [h, n - h]
            sh.attempts, sh.invokes = 0, 0
            return 1
        if self.maximum_retry_attempts == -1 or sh.attempts < self.maximum_retry_attempts:
            sh.attempts += 1
            self.stats["retries"] += 1
            self._emit(sh, first, last, n, "retry")
            return 1
        self._discard(sh, batch, "RetryAttemptsExhausted", first, last)
        return 1

    def _done(self, sh: _Shard, n: int) -> None:
        """The batch out now (its first ``n`` records) is done: checkpoint past it."""
        sh.checkpoint = sh.pending[n - 1]["dynamodb"]["SequenceNumber"]
        del sh.pending[:n]
        self.stats["records"] += n
        sh.parts.pop(0)
        sh.attempts, sh.invokes = 0, 0
        if sh.pending and not sh.parts:
            sh.waiting_since = self.host.now_ms()

    def _partial(self, sh: _Shard, done: int, first: str, last: str) -> None:
        """A partial batch response: the records before the first failure are
        done; the rest of the batch goes again, or is discarded when out of retries."""
        if done:
            sh.checkpoint = sh.pending[done - 1]["dynamodb"]["SequenceNumber"]
            del sh.pending[:done]
            self.stats["records"] += done
            sh.parts[0] -= done
        if self.maximum_retry_attempts == -1 or sh.attempts < self.maximum_retry_attempts:
            sh.attempts += 1
            self.stats["retries"] += 1
            return
        rest = sh.pending[:sh.parts[0]]
        self._discard(sh, rest, "RetryAttemptsExhausted",
                      rest[0]["dynamodb"]["SequenceNumber"], last)

    def _discard(self, sh: _Shard, batch: list, condition: str, first: str, last: str) -> None:
        n = len(batch)
        self._emit(sh, first, last, n, "discarded")
        rec = failure_record(batch, shard_id=sh.id, stream_arn=self.stream_arn,
                             function_arn=self.function_arn, condition=condition,
                             invoke_count=sh.invokes, request_id=self._request_id(),
                             now=self.host.epoch())
        self.failures.append(rec)
        if self.on_failure is not None:
            if callable(self.on_failure):
                self.on_failure(rec)
            else:
                self.on_failure.append(rec)
        self.stats["discarded"] += n
        sh.checkpoint = last
        del sh.pending[:n]
        sh.parts.pop(0)
        sh.attempts, sh.invokes = 0, 0

    def _too_old(self, batch: list) -> bool:
        limit = RETENTION_SECONDS if self.maximum_record_age_in_seconds == -1 \
            else self.maximum_record_age_in_seconds
        t = epoch_of(batch[0]["dynamodb"].get("ApproximateCreationDateTime"))
        return t is not None and self.host.epoch() - t > limit

    def _request_id(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def _context(self) -> SimpleNamespace:
        return SimpleNamespace(function_name=self.name, invoked_function_arn=self.function_arn,
                               aws_request_id=self._request_id(),
                               function_version="$LATEST", memory_limit_in_mb=128)

    def _emit(self, sh: _Shard, first: str, last: str, n: int, outcome: str) -> None:
        self.host.emit("trigger.batch", mapping=self.name, shard=sh.id, first=first,
                       last=last, records=n, outcome=outcome)

    def __repr__(self) -> str:
        state = "Enabled" if self._timer is not None or self.service is None else "Disabled"
        return (f"<EventSourceMapping {self.name} {state} batch_size={self.batch_size} "
                f"shards={len(self.shards)} invocations={self.stats['invocations']} "
                f"records={self.stats['records']}>")

