"""DynamoDB Streams: the records of every change, and the Streams API.

:mod:`.hub` keeps each table's stream: shards that follow the table's
partitions, records with sequence numbers, and their 24-hour retention.
:mod:`.api` answers the Streams API (ListStreams, DescribeStream,
GetShardIterator, GetRecords).
:mod:`.snapshot` types what ``StreamHub.snapshot()`` returns (plain data);
``StreamHub.restore`` brings it back into a fresh service (``--data``).

May import: the model and the service's leaves (``errors``, ``state``,
``commit``). The consumers of streams (KCL, Lambda triggers) live in
:mod:`dynamo_lab.dynamodb.consumers`.
"""
