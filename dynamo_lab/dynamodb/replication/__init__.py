"""Replication: each partition's replica group across three zones.

:mod:`.groups` keeps a leader and two followers per partition, acknowledges
a write at two of three, applies the third later, elects a new leader when
one fails, and serves eventually consistent reads from any replica.

May import: :mod:`dynamo_lab.dynamodb.partitions`, the model and the
service's leaves (``errors``, ``options``, ``state``).
"""
