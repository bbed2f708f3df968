"""What every stream consumer needs: shards, records in Lambda's shape, a clock, a log.

The consumers (:mod:`.triggers`, :mod:`.kcl`) read a stream only through the
public DynamoDB Streams API of a boto3 ``dynamodbstreams`` client, so they
work against the lab, ``dynamo-lab serve``, moto or AWS alike. When the
client is one of the lab's own, :func:`lab_service` finds the service behind
it, and the consumer then keeps virtual time and writes to the lab's event
log; otherwise it keeps wall-clock time and a log of its own.

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0)
>>> lab_service(ddb.streams_client()) is ddb
True
>>> from dynamo_lab.dynamodb.wire.connect import connect_streams
>>> lab_service(connect_streams("http://127.0.0.1:8000")) is None
True
"""
from __future__ import annotations

import base64
import time
from contextlib import nullcontext
from datetime import datetime
from typing import Any, ContextManager

from ..service import state_of
from ..state import ServiceState

__all__ = ["lab_service", "lab_state", "Host", "list_shards", "lambda_record", "wire_value"]


def lab_service(client: Any) -> Any:
    """The lab :class:`~..service.DynamoDB` answering ``client``, or None for a
    client of an outside endpoint. O(1).

    A lab client is a real boto3 client whose ``before-send`` hook hands each
    request to its service (see :mod:`..wire.clients`), which marks the client
    with that service (``dynamo_lab_service``).

    >>> from dynamo_lab.dynamodb.service import DynamoDB
    >>> ddb = DynamoDB(seed=0)
    >>> lab_service(ddb.streams_client()) is ddb, lab_service(ddb.resource().meta.client) is ddb
    (True, True)
    >>> import boto3
    >>> lab_service(boto3.client("dynamodb", region_name="us-east-1",
    ...                          endpoint_url="http://127.0.0.1:8000")) is None
    True
    """
    return getattr(client, "dynamo_lab_service", None)


def lab_state(client: Any) -> ServiceState | None:
    """The :class:`~..state.ServiceState` answering a lab ``client``, or None
    for a client of an outside endpoint. O(1)."""
    return getattr(client, "dynamo_lab_state", None)


class Host:
    """Where a consumer lives: the lab's clock and event log, or the wall
    clock and a log of its own.

    Parameters
    ----------
    service : DynamoDB or None
        The lab service; None for an outside endpoint.
    state : ServiceState or None
        Its state (:func:`lab_state` of one of its clients): the lock the
        log is shared under.
    """

    def __init__(self, service: Any = None, state: ServiceState | None = None) -> None:
        self.service = service
        self.state = state
        if service is not None:
            self.log = service.log
        else:
            from ...events import EventLog
            self.log = EventLog(self.now_ms)

    def now_ms(self) -> int:
        """Virtual ms on the lab; wall-clock ms (monotonic) elsewhere."""
        if self.service is not None:
            return self.service.sim.now
        return int(time.monotonic() * 1000)

    def epoch(self) -> float:
        """Unix time in seconds: the lab's (its state's epoch plus virtual
        time) or the machine's."""
        if self.service is not None:
            return state_of(self.service).epoch_now()
        return time.time()

    def emit(self, kind: str, **fields: Any) -> None:
        if self.state is not None:
            with self.state.lock:      # the log is shared with the service's threads
                self.log.emit(kind, **fields)
        else:
            self.log.emit(kind, **fields)

    def requests_take_no_time(self) -> ContextManager[None]:
        """Inside a timer the clock cannot advance: the lab's API calls made
        meanwhile take no virtual time (nothing to do elsewhere)."""
        if self.state is not None:
            return self.state.requests_take_no_time()
        return nullcontext()


def list_shards(streams: Any, stream_arn: str) -> tuple[dict, list[dict]]:
    """DescribeStream, every page: ``(stream description head, shards)``,
    shards in the order the stream lists them (parents before children).
    O(shards) over ceil(shards / 100) calls."""
    shards: list[dict] = []
    kw: dict[str, Any] = {"StreamArn": stream_arn}
    while True:
        desc = streams.describe_stream(**kw)["StreamDescription"]
        shards.extend(desc.get("Shards", []))
        last = desc.get("LastEvaluatedShardId")
        if not last:
            return desc, shards
        kw["ExclusiveStartShardId"] = last


def wire_value(av: Any) -> Any:
    """An attribute value as DynamoDB's JSON has it: boto3's bytes for B/BS
    back to base64 text, recursively through L and M.

    >>> wire_value({"B": b"hi"}), wire_value({"M": {"x": {"BS": [b"a"]}}})
    ({'B': 'aGk='}, {'M': {'x': {'BS': ['YQ==']}}})
    """
    if not isinstance(av, dict) or len(av) != 1:
        return av
    (tag, v), = av.items()
    if tag == "B" and isinstance(v, (bytes, bytearray)):
        return {"B": base64.b64encode(v).decode("ascii")}
    if tag == "BS":
        return {"BS": [base64.b64encode(b).decode("ascii") if isinstance(b, (bytes, bytearray))
                       else b for b in v]}
    if tag == "L":
        return {"L": [wire_value(x) for x in v]}
    if tag == "M":
        return {"M": {k: wire_value(x) for k, x in v.items()}}
    return av


def _image(img: dict) -> dict:
    return {k: wire_value(v) for k, v in img.items()}


def lambda_record(rec: dict, stream_arn: str) -> dict:
    """One GetRecords record (as boto3 parses it) as Lambda hands it to a
    function: ``ApproximateCreationDateTime`` in epoch seconds, binaries in
    base64, and ``eventSourceARN`` naming the stream.

    >>> from datetime import datetime, timezone
    >>> r = {"eventID": "e1", "eventName": "INSERT", "eventVersion": "1.1",
    ...      "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
    ...      "dynamodb": {"ApproximateCreationDateTime": datetime(2026, 1, 1, tzinfo=timezone.utc),
    ...                   "Keys": {"Id": {"N": "1"}}, "SequenceNumber": "100",
    ...                   "SizeBytes": 5, "StreamViewType": "KEYS_ONLY"}}
    >>> out = lambda_record(r, "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/L")
    >>> list(out), out["dynamodb"]["ApproximateCreationDateTime"]
    (['eventID', 'eventName', 'eventVersion', 'eventSource', 'awsRegion', 'dynamodb', 'eventSourceARN'], 1767225600)
    """
    d = dict(rec.get("dynamodb", {}))
    t = d.get("ApproximateCreationDateTime")
    if isinstance(t, datetime):
        secs = t.timestamp()
        d["ApproximateCreationDateTime"] = int(secs) if secs == int(secs) else secs
    for img in ("Keys", "NewImage", "OldImage"):
        if img in d:
            d[img] = _image(d[img])
    out = {"eventID": rec.get("eventID"), "eventName": rec.get("eventName"),
           "eventVersion": rec.get("eventVersion"), "eventSource": rec.get("eventSource"),
           "awsRegion": rec.get("awsRegion"), "dynamodb": d, "eventSourceARN": stream_arn}
    if "userIdentity" in rec:
        out["userIdentity"] = rec["userIdentity"]
    return out
