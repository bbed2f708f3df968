"""What Lambda's event source mapping exchanges with a function, as data.

The on-failure record a discarded batch sends to its destination
(``DDBStreamBatchInfo``), the partial batch response a function may return
(``batchItemFailures``), and the calling convention of a handler. Used by
:mod:`.triggers`.

Examples
--------
>>> batch = [{"dynamodb": {"SequenceNumber": "101", "ApproximateCreationDateTime": 1767225600}},
...          {"dynamodb": {"SequenceNumber": "102", "ApproximateCreationDateTime": 1767225601}}]
>>> done_before_failure({"batchItemFailures": [{"itemIdentifier": "102"}]}, batch)
1
>>> rec = failure_record(batch, shard_id="shardId-1", stream_arn="arn:s", function_arn="arn:f",
...                      condition="RetryAttemptsExhausted", invoke_count=3,
...                      request_id="r-1", now=1767225660.5)
>>> rec["DDBStreamBatchInfo"]["batchSize"], rec["timestamp"]
(2, '2026-01-01T00:01:00.500Z')
"""
from __future__ import annotations

import inspect
from datetime import datetime, timezone
from typing import Any, Callable

__all__ = ["failure_record", "done_before_failure", "epoch_of", "takes_context"]


def epoch_of(t: Any) -> float | None:
    """``ApproximateCreationDateTime`` (a datetime from boto3, or epoch
    seconds) as epoch seconds; None when absent."""
    if isinstance(t, datetime):
        return t.timestamp()
    if isinstance(t, (int, float)):
        return float(t)
    return None


def _iso(t: Any) -> str:
    e = epoch_of(t) or 0
    return datetime.fromtimestamp(e, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def failure_record(batch: list, *, shard_id: str, stream_arn: str, function_arn: str,
                   condition: str, invoke_count: int, request_id: str, now: float) -> dict:
    """Lambda's on-failure invocation record for a discarded stream batch.

    ``condition`` is ``RetryAttemptsExhausted`` or ``RecordAgeExceeded``;
    ``now`` the epoch seconds of the discard. O(1).
    """
    t = datetime.fromtimestamp(now, tz=timezone.utc)
    first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
    return {
        "requestContext": {"requestId": request_id, "functionArn": function_arn,
                           "condition": condition, "approximateInvokeCount": invoke_count},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST",
                            "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z",
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": first["SequenceNumber"],
            "endSequenceNumber": last["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso(first.get("ApproximateCreationDateTime")),
            "approximateArrivalOfLastRecord": _iso(last.get("ApproximateCreationDateTime")),
            "batchSize": len(batch),
            "streamArn": stream_arn},
    }


def done_before_failure(result: Any, batch: list) -> int | None:
    """How many records of ``batch`` a partial batch response lets through:
    all of them with no failures, those before the lowest failed sequence
    number otherwise; None for a response Lambda counts as a total failure
    (an empty, missing or unknown ``itemIdentifier``). O(batch)."""
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return len(batch)
    seqs = {r["dynamodb"]["SequenceNumber"]: i for i, r in enumerate(batch)}
    idx = []
    for f in result["batchItemFailures"]:
        ident = f.get("itemIdentifier") if isinstance(f, dict) else None
        if not ident or ident not in seqs:
            return None
        idx.append(seqs[ident])
    return min(idx)


def takes_context(fn: Callable) -> bool:
    """Whether ``fn`` takes ``(event, context)`` rather than ``(event)``.

    >>> takes_context(lambda event, context: None), takes_context(print), takes_context(len)
    (True, True, False)
    """
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return True
    try:
        sig.bind(None, None)
        return True
    except TypeError:
        return False
