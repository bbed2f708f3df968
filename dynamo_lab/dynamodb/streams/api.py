"""The DynamoDB Streams API: ListStreams, DescribeStream, GetShardIterator, GetRecords.

:func:`handle` answers one request of the ``DynamoDBStreams_20120810``
target in wire form, as :meth:`DynamoDB.handle` does for ``DynamoDB_20120810``;
``ddb.handle_streams`` and ``ddb.streams_client()`` sit on it, and so does
``dynamo-lab serve``. Requests are checked against botocore's model of the
``dynamodbstreams`` API first (the same checks, with Coral's words, as
:mod:`..model.validate` makes for DynamoDB).

Shard iterators are opaque strings, shaped like AWS's
(``<stream arn>|1|<token>``); the token carries the shard, the position and
the moment it was handed out, so iterators cost the service no memory.

Messages, as AWS words them where it is known (DynamoDB Streams API
reference, and errors users have quoted from AWS):

* unknown stream (DescribeStream, GetShardIterator, GetRecords, and
  ListStreams' ``ExclusiveStartStreamArn``):
  ``Requested resource not found: Stream: <arn> not found``; a string
  that is not a stream ARN at all: ValidationException ``Invalid StreamArn``
  (the AWS SDK for JavaScript v2's integration tests, run against AWS)
* unknown shard: ``Requested resource not found: Shard does not exist``
* trimmed data: ``The data you are trying to access has been trimmed``
* expired iterator: ``Shard iterator has expired``
* the lab's own wording where AWS's is not known: ``Invalid ShardIterator``,
  ``Invalid SequenceNumber ...``.

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0)
>>> from dynamo_lab.dynamodb.service import handle_streams
>>> handle_streams(ddb, "ListStreams", {})
{'Streams': []}
>>> handle_streams(ddb, "DescribeStream", {"StreamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/x/stream/y"})
Traceback (most recent call last):
...
dynamo_lab.dynamodb.errors.DynamoDBError: Requested resource not found: Stream: arn:aws:dynamodb:us-east-1:000000000000:table/x/stream/y not found
"""
from __future__ import annotations

import base64
import math
import re
import zlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, cast

from ..errors import DynamoDBError, ValidationError
from ..model.shapes import (
    DescribeStreamInput,
    DescribeStreamOutput,
    GetRecordsInput,
    GetRecordsOutput,
    GetShardIteratorInput,
    GetShardIteratorOutput,
    ListStreamsInput,
    ListStreamsOutput,
    StreamDescription,
)
from ..model.shapes import Record as RecordShape
from .hub import Record, Shard, Stream, StreamHub

if TYPE_CHECKING:  # pragma: no cover
    from ..state import ServiceState

__all__ = ["OPERATIONS", "check_streams_request", "streams_model", "render_record",
           "MAX_RECORDS", "MAX_BYTES", "MAX_SHARDS", "MAX_STREAMS",
           "TRIMMED_MESSAGE", "EXPIRED_MESSAGE", "NO_SHARD_MESSAGE"]

#: GetRecords returns at most this many records ...
MAX_RECORDS = 1000
#: ... and at most this many bytes (at least one record, whatever its size).
MAX_BYTES = 1 << 20
#: DescribeStream's and ListStreams' largest page.
MAX_SHARDS = 100
MAX_STREAMS = 100

TRIMMED_MESSAGE = "The data you are trying to access has been trimmed"
EXPIRED_MESSAGE = "Shard iterator has expired"
NO_SHARD_MESSAGE = "Requested resource not found: Shard does not exist"


@lru_cache(maxsize=1)
def streams_model():
    """botocore's model of DynamoDB Streams 2012-08-10 (loaded once)."""
    import botocore.session
    return botocore.session.get_session().get_service_model("dynamodbstreams")


def check_streams_request(operation: str, params: Any) -> dict:
    """Check ``params`` against the input shape of a Streams ``operation``.

    >>> check_streams_request("GetRecords", {})
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: 1 validation error detected: Value null at 'shardIterator' failed to satisfy constraint: Member must not be null
    """
    from ..model.validate import check_request
    return check_request(operation, params, streams_model())


def _too_big(value: int, path: str, top: int) -> ValidationError:
    return ValidationError(f"1 validation error detected: Value '{value}' at '{path}' failed "
                           f"to satisfy constraint: Member must have value less than or "
                           f"equal to {top}")


def _hub(svc: "ServiceState") -> StreamHub:
    hub = svc.streams
    hub.refresh()
    return hub


_STREAM_ARN = re.compile(r"arn:aws[a-z-]*:dynamodb:[^:]+:\d+:table/[^/]+/stream/[^/]+")


def _stream(hub: StreamHub, arn: str) -> Stream:
    if not _STREAM_ARN.fullmatch(arn):
        raise ValidationError("Invalid StreamArn")
    s = hub.get(arn)
    if s is None:
        raise DynamoDBError("ResourceNotFoundException",
                            f"Requested resource not found: Stream: {arn} not found")
    return s


def _shard(hub: StreamHub, s: Stream, shard_id: str) -> Shard:
    sh = hub.shard(s, shard_id)
    if sh is None:
        raise DynamoDBError("ResourceNotFoundException", NO_SHARD_MESSAGE)
    return sh


def _after(ids: list[str], start: str | None) -> int:
    """Where a page starts after the exclusive start ``start``."""
    if start is None:
        return 0
    try:
        return ids.index(start) + 1
    except ValueError:       # gone (trimmed away): carry on after where it sorted
        return sum(1 for i in ids if i <= start)


# -- the operations -------------------------------------------------------------
def list_streams(svc: "ServiceState", p: ListStreamsInput) -> ListStreamsOutput:
    hub = _hub(svc)
    limit = p.get("Limit", MAX_STREAMS)
    if limit > MAX_STREAMS:
        raise _too_big(limit, "limit", MAX_STREAMS)
    name = p.get("TableName")
    start = p.get("ExclusiveStartStreamArn")
    if start is not None:
        _stream(hub, start)          # a page starts after a stream that exists
    streams = [s for arn in list(hub.streams) if (s := hub.get(arn)) is not None
               and (name is None or s.table_name == name)]
    i = _after([s.arn for s in streams], start)
    page = streams[i:i + limit]
    out: ListStreamsOutput = {"Streams": [{"StreamArn": s.arn, "TableName": s.table_name,
                                        "StreamLabel": s.label} for s in page]}
    if i + limit < len(streams):
        out["LastEvaluatedStreamArn"] = page[-1].arn
    return out


def describe_stream(svc: "ServiceState", p: DescribeStreamInput) -> DescribeStreamOutput:
    hub = _hub(svc)
    s = _stream(hub, p["StreamArn"])
    limit = p.get("Limit", MAX_SHARDS)
    if limit > MAX_SHARDS:
        raise _too_big(limit, "limit", MAX_SHARDS)
    shards = [sh for sid in list(s.shards) if (sh := hub.shard(s, sid)) is not None]
    f = p.get("ShardFilter")
    if f is not None:
        if f.get("Type") != "CHILD_SHARDS" or not f.get("ShardId"):
            raise ValidationError("ShardFilter must have Type CHILD_SHARDS and a ShardId")
        shards = [sh for sh in shards if sh.parent == f["ShardId"]]
    i = _after([sh.id for sh in shards], p.get("ExclusiveStartShardId"))
    page = shards[i:i + limit]
    desc = s.describe_head()
    desc["Shards"] = [sh.describe() for sh in page]
    if i + limit < len(shards):
        desc["LastEvaluatedShardId"] = page[-1].id
    return {"StreamDescription": cast(StreamDescription, desc)}


def _horizon(sh: Shard) -> int:
    return sh.trimmed_through + 1 if sh.trimmed_through is not None else sh.start_seq


def _sequence(hub: StreamHub, sh: Shard, text: str) -> int:
    # A number never handed out (or another shard's) is not this shard's.
    top = sh.end_seq if sh.end_seq is not None else hub.last_sequence
    if not text.isdigit() or not sh.start_seq <= int(text) <= top:
        raise ValidationError(f"Invalid SequenceNumber {text} for shard {sh.id}")
    return int(text)


def get_shard_iterator(svc: "ServiceState", p: GetShardIteratorInput) -> GetShardIteratorOutput:
    hub = _hub(svc)
    s = _stream(hub, p["StreamArn"])
    sh = _shard(hub, s, p["ShardId"])
    kind = p["ShardIteratorType"]
    if kind == "TRIM_HORIZON":
        pos = _horizon(sh)
    elif kind == "LATEST":
        pos = sh.last_seq() + 1
    elif kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        if "SequenceNumber" not in p:
            raise ValidationError(f"SequenceNumber is required for ShardIteratorType {kind}")
        pos = _sequence(hub, sh, p["SequenceNumber"]) + (kind == "AFTER_SEQUENCE_NUMBER")
        if sh.trimmed_through is not None and pos <= sh.trimmed_through:
            raise DynamoDBError("TrimmedDataAccessException", TRIMMED_MESSAGE)
    else:  # AT_TIMESTAMP
        if "Timestamp" not in p:
            raise ValidationError("Timestamp is required for ShardIteratorType AT_TIMESTAMP")
        t_ms = svc.virtual_ms(float(p["Timestamp"]))
        live = sh.live()
        pos = next((r.seq for r in live if r.t >= t_ms), sh.last_seq() + 1)
        pos = max(pos, _horizon(sh))
    return {"ShardIterator": _encode(s, sh, pos, svc.sim.now)}


def render_record(rec: Record, s: Stream, region: str, made: float) -> dict:
    """One record as GetRecords returns it (wire form); ``made`` is its
    Unix time in seconds (:meth:`.ServiceState.wall_time` of ``rec.t``)."""
    d: dict[str, Any] = {"ApproximateCreationDateTime": math.floor(made),
                         "Keys": rec.keys}
    if rec.new is not None:
        d["NewImage"] = rec.new
    if rec.old is not None:
        d["OldImage"] = rec.old
    d["SequenceNumber"] = str(rec.seq)
    d["SizeBytes"] = rec.size
    d["StreamViewType"] = s.view
    out: dict[str, Any] = {"eventID": rec.event_id, "eventName": rec.name,
                           "eventVersion": "1.1", "eventSource": "aws:dynamodb",
                           "awsRegion": region, "dynamodb": d}
    if rec.ttl:
        out["userIdentity"] = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    return out


def get_records(svc: "ServiceState", p: GetRecordsInput) -> GetRecordsOutput:
    limit = p.get("Limit", MAX_RECORDS)
    if limit > MAX_RECORDS:
        raise _too_big(limit, "limit", MAX_RECORDS)
    arn, shard_id, pos, issued = _decode(p["ShardIterator"])
    hub = _hub(svc)
    now = svc.sim.now
    if now - issued > hub.iterator_ms:
        raise DynamoDBError("ExpiredIteratorException", EXPIRED_MESSAGE)
    s = _stream(hub, arn)
    sh = _shard(hub, s, shard_id)
    if sh.trimmed_through is not None and pos <= sh.trimmed_through:
        raise DynamoDBError("TrimmedDataAccessException", TRIMMED_MESSAGE)
    i = sh.index_of(pos)
    recs = sh.records
    out_recs: list[dict] = []
    size = 0
    while i < len(recs) and len(out_recs) < limit:
        r = recs[i]
        if out_recs and size + r.size > MAX_BYTES:
            break
        out_recs.append(render_record(r, s, svc.region, svc.wall_time(r.t)))
        size += r.size
        pos = r.seq + 1
        i += 1
    out: GetRecordsOutput = {"Records": cast(list[RecordShape], out_recs)}
    if sh.closed is None or i < len(recs):
        out["NextShardIterator"] = _encode(s, sh, pos, now)
    return out


# -- iterators -------------------------------------------------------------------
def _crc(text: str) -> int:
    return zlib.crc32(("dynamo-lab|" + text).encode())


def _encode(s: Stream, sh: Shard, pos: int, now: int) -> str:
    body = f"{sh.id}|{pos}|{now}"
    token = base64.b64encode(f"{body}|{_crc(s.arn + body)}".encode()).decode("ascii")
    return f"{s.arn}|1|{token}"


def _decode(it: str) -> tuple[str, str, int, int]:
    try:
        arn, version, token = it.rsplit("|", 2)
        shard_id, pos, issued, crc = base64.b64decode(token, validate=True).decode().split("|")
        if version != "1" or int(crc) != _crc(arn + f"{shard_id}|{pos}|{issued}"):
            raise ValueError(it)
        return arn, shard_id, int(pos), int(issued)
    except ValueError:
        raise ValidationError("Invalid ShardIterator") from None


#: The operations of DynamoDB Streams: name -> ``op(state, request)``.
OPERATIONS: dict[str, Callable] = {
    "ListStreams": list_streams,
    "DescribeStream": describe_stream,
    "GetShardIterator": get_shard_iterator,
    "GetRecords": get_records,
}
