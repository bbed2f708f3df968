"""The operations: plain functions ``op(state, request) -> response``.

:mod:`.control` (tables, indexes, TTL settings, tags), :mod:`.items`
(PutItem, GetItem, UpdateItem, DeleteItem and the write plan they share),
:mod:`.query` (Query and Scan), :mod:`.batch`, :mod:`.transactions`,
:mod:`.ttl` (expiry) and :mod:`.backups` (DescribeContinuousBackups,
DescribeEndpoints). Each prepares everything that can fail before it
commits anything; the pipeline calls them.

May import: :mod:`dynamo_lab.dynamodb.tables`,
:mod:`dynamo_lab.dynamodb.replication`, :mod:`dynamo_lab.dynamodb.capacity`,
:mod:`dynamo_lab.dynamodb.partitions`, the model and the service's leaves;
never the pipeline, the façade or the wire.
"""
