"""Partitions: the key ranges of a table and the items each one stores.

:mod:`.partition` holds :class:`~.partition.Partition`, the one owner of a
key range and of everything on it (items, share, replica group, buckets,
stream shard); :mod:`.partitioning` holds
:class:`~.partitioning.PartitionMap` (how many partitions a table needs for
its size and throughput, their hash ranges, and splits, each making two new
owners) and :mod:`.storage` the
:class:`~.storage.Store` through which a table reads and writes its items by
storage key (once a map adopts it, its partitions are the map's).

May import: :mod:`dynamo_lab.dynamodb.model` and the service's leaves
(``errors``, ``options``).

Public (lessons import these from here): ``PartitionMap``, ``partitions_needed``,
``KB``, ``GB``, ``PARTITION_MAX_RCU``, ``PARTITION_MAX_WCU``.
"""
from .partitioning import GB, KB, PARTITION_MAX_RCU, PARTITION_MAX_WCU, PartitionMap, partitions_needed

__all__ = ["GB", "KB", "PARTITION_MAX_RCU", "PARTITION_MAX_WCU", "PartitionMap", "partitions_needed"]
