"""Replication: each partition's replica group across three zones.

:mod:`.groups` keeps a leader and two followers per partition, acknowledges
a write at two of three, applies the third later, elects a new leader when
one fails, and serves eventually consistent reads from any replica. Each
partition owns its group (``Partition.group``); a split's children start
afresh, in sync.

May import: :mod:`dynamo_lab.dynamodb.partitions`, the model and the
service's leaves (``errors``, ``options``, ``state``).
"""
