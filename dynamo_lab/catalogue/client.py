"""Events of a recorded client: what any DynamoDB client sees of its own calls.

:func:`dynamo_lab.viz.record` hooks botocore's events on the learner's own
``dynamodb`` (and ``dynamodbstreams``) clients and writes these. They hold
only what the wire carries (requests, responses, errors, retries), so they
are the same on the lab, DynamoDB Local, moto's server and AWS. On the lab
they go to the service's log (virtual ms, beside the internals); on an
outside endpoint to the recorder's own log (wall-clock ms since recording
began).

An item is ``(hash type, hash value, range type, range value, size,
attributes)``: value texts as the wire gives them (numbers as their text,
binaries base64), range type and value None for a hash-only key, ``size``
in bytes by DynamoDB's rules (None when only the key is known) and
``attributes`` a tuple of ``(name, type, bytes)`` (empty when only the key
is known). ``call`` numbers a recorder's calls from 1.
"""
from ._spec import kind

__all__ = ["KINDS"]

_ITEM = ("(hash type, hash value, range type, range value, size, ((name, type, bytes), ...)) "
         "per item")

KINDS: dict = {
    "client.call": kind(
        "a recorded client's call finished (one event per call, retries included)",
        optional=("index", "key"),
        call="the call's number in this recorder, from 1",
        operation="the API operation (GetItem, Query, GetRecords, ...)",
        table="the table (or stream ARN) it named, or None (ListTables)",
        index="the index it named (Query, Scan)",
        key="what it aimed at, as text: 'pk=1' / 'pk=1, sk=2' for one item, the key "
            "condition for a Query",
        status="'ok' or the error code (ValidationException, "
               "ProvisionedThroughputExceededException, ...)",
        rcu="read capacity units the response said it consumed (None: not returned)",
        wcu="write capacity units the response said it consumed (None: not returned)",
        count="items returned (Count, or the items of the response), or None",
        scanned="items read before any filter (ScannedCount), or None",
        latency_ms="time from the call to its answer (virtual ms on the lab)",
        retries="how many times botocore retried it (ResponseMetadata.RetryAttempts)",
        page_end="LastEvaluatedKey as text when a page ended before the results did, or None",
        consistent="True for a strongly consistent read (ConsistentRead), else False"),
    "client.table": kind(
        "a recorded client learned a table's key schema (CreateTable or DescribeTable)",
        call="the call's number", table="table name",
        keys="(hash attribute, range attribute or None)",
        indexes="((index name, 'LSI' or 'GSI', hash attribute, range attribute or None), ...)"),
    "client.items": kind(
        "the items one recorded call read, wrote or deleted in one table or index",
        optional=("base",),
        call="the call's number", table="table name", index="index name, or None",
        role="'read' (returned), 'written' (put or updated) or 'deleted'",
        keys="(hash attribute, range attribute or None) of the table or index",
        items=_ITEM,
        start="ExclusiveStartKey of a Query or Scan as (hash value, range value), or None",
        end="LastEvaluatedKey of a Query or Scan as (hash value, range value), or None",
        filtered="items read but dropped by a FilterExpression (ScannedCount - Count)",
        base="for an index's items: ((table hash value, table range value or None), ...), "
             "the base item each index entry is"),
    "client.shards": kind(
        "a recorded DescribeStream listed a stream's shards",
        call="the call's number", stream="the StreamArn",
        table="the table the stream belongs to",
        shards="((shard id, parent shard id or None, first sequence number, last sequence "
               "number or None while open), ...)"),
    "client.records": kind(
        "a recorded GetRecords returned a shard's records (maybe none)",
        call="the call's number", shard="the shard id its iterator was for (None if the "
                                        "iterator came from another client)",
        records="((sequence number, event name, key text, has old image, has new image, "
                "SizeBytes), ...)",
        closed="True when the answer had no NextShardIterator: the shard is closed and read"),
}
