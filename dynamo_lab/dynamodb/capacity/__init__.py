"""Capacity: read and write units, token buckets, throttling, and metrics.

:mod:`.units` is the one copy of the capacity-unit arithmetic (4 KB reads,
1 KB writes, transactions at twice the price); :mod:`.token_bucket` the
bucket each partition fills and drains (burst capacity);
:mod:`.throughput` decides request by request whether a partition serves or
throttles (adaptive capacity, on-demand), keeping each partition's buckets
on the partition itself (``Partition.capacity``); :mod:`.metrics` reduces capacity
events to CloudWatch-style per-minute series.

May import: :mod:`dynamo_lab.dynamodb.partitions`,
:mod:`dynamo_lab.dynamodb.model` and the service's leaves.

Public (lessons import these from here): ``rcu_for``, ``wcu_for``,
``units_per_read``, ``units_per_write``, ``read_units``, ``write_units``,
``READ_UNIT``, ``WRITE_UNIT``, ``BURST_SECONDS``, ``TableCapacity``.
"""
from .throughput import TableCapacity
from .token_bucket import BURST_SECONDS, rcu_for, units_per_read, units_per_write, wcu_for
from .units import READ_UNIT, WRITE_UNIT, read_units, write_units

__all__ = ["BURST_SECONDS", "READ_UNIT", "WRITE_UNIT", "TableCapacity", "rcu_for", "read_units",
           "units_per_read", "units_per_write", "wcu_for", "write_units"]
