"""Views of DynamoDB's machinery: partitions, capacity, stream shards, GSI lag.

Each is ``View(source, table=...)`` with ``source`` a
:class:`~dynamo_lab.DynamoDB`, its :class:`~dynamo_lab.Simulation` or a
recorded :class:`~dynamo_lab.EventLog`; each is a reducer over the event log
(never the service's objects), so it follows the run live, rebuilds at any
moment (:class:`~dynamo_lab.viz.Timeline`) and has a deterministic ``repr``
and static SVG.

- :class:`PartitionMapView`: the hash space cut into the table's
  partitions, each with its three replicas in three zones and its leader;
  splits animated, hover for items, size and RCU/WCU share;
- :class:`CapacityView`: consumed against provisioned capacity per
  partition per second, burst buckets, throttles (the hot key);
- :class:`ShardLineageView`: stream shards as a lineage tree, records per
  shard flowing to KCL workers (leases) and event source mappings (batches);
- :class:`GsiLagView`: a global secondary index's lag over time, its
  propagation queue, and the table writes its capacity throttled.
"""
from __future__ import annotations

from .capacity import CapacityView
from .gsi import GsiLagView
from .lineage import ShardLineageView
from .partitions import PartitionMapView

__all__ = ["CapacityView", "GsiLagView", "PartitionMapView", "ShardLineageView"]
