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

Views cope with what a table lacks (no stream, no GSI, no traffic yet):
they draw what there is. Each reads only its own kinds of event; a view not
made costs nothing, and one attached does O(1) work per event (a split
moves the parent's keys to its children), drawing at most once a frame.

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> from dynamo_lab.viz import CapacityView, PartitionMapView, Timeline
>>> ddb = DynamoDB(seed=0)
>>> c = ddb.client(retries=0)
>>> _ = c.create_table(TableName="Music",
...     KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "Artist", "AttributeType": "S"}],
...     ProvisionedThroughput={"ReadCapacityUnits": 5000, "WriteCapacityUnits": 1500})
>>> c.get_waiter("table_exists").wait(TableName="Music", WaiterConfig={"Delay": 1})
>>> pm, cap = PartitionMapView(ddb, table="Music"), CapacityView(ddb, table="Music")
>>> for i in range(20):
...     _ = c.put_item(TableName="Music", Item={"Artist": {"S": f"a{i}"}})
>>> ddb.run(ms=1000)
>>> pm
<PartitionMapView 'Music': 4 partitions, 20 items, 170 B>
>>> cap
<CapacityView 'Music' write: 4 partitions over 1 s; no throttles>
>>> tl = Timeline(ddb, views=[pm, cap]); tl.seek(2)
>>> pm
<PartitionMapView 'Music': 1 partitions, 0 items, 0 B, at event 2 of 30>
"""
from __future__ import annotations

from .anatomy import ItemAnatomyView
from .capacity import CapacityView
from .collections import ItemCollectionsView
from .consumers import KclLeasesView, LambdaBatchesView
from .gsi import GsiLagView
from .hashspace import HashSpaceView
from .indexes import IndexPlacementView
from .lineage import ShardLineageView
from .partitions import PartitionMapView
from .patterns import AccessPatternsView
from .record import CallRecorder, record
from .replicagroup import ReplicaGroupView
from .streamrecords import StreamRecordsView
from .trace import RequestTraceView

__all__ = ["CapacityView", "GsiLagView", "PartitionMapView", "ShardLineageView",
           "record", "CallRecorder", "RequestTraceView", "ItemCollectionsView",
           "StreamRecordsView", "HashSpaceView", "ItemAnatomyView",
           "ReplicaGroupView", "IndexPlacementView",
           "LambdaBatchesView", "KclLeasesView", "AccessPatternsView"]
