"""Partitions: the key ranges of a table and the items each one stores.

:mod:`.partitioning` holds :class:`~.partitioning.PartitionMap` (how many
partitions a table needs for its size and throughput, their hash ranges, and
splits) and :mod:`.storage` the sorted store of a table's items by storage
key.

May import: :mod:`dynamo_lab.dynamodb.model` and the service's leaves
(``errors``, ``options``).

Public (lessons import these from here): ``PartitionMap``, ``partitions_needed``,
``KB``, ``GB``, ``PARTITION_MAX_RCU``, ``PARTITION_MAX_WCU``.
"""
from .partitioning import GB, KB, PARTITION_MAX_RCU, PARTITION_MAX_WCU, PartitionMap, partitions_needed

__all__ = ["GB", "KB", "PARTITION_MAX_RCU", "PARTITION_MAX_WCU", "PartitionMap", "partitions_needed"]
