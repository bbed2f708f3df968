"""Views of DynamoDB: its machinery, and what a client sees of it.

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

Drawn from what any client sees (:func:`record` hooks the learner's own boto3
clients; the same pictures on the lab, DynamoDB Local, moto and AWS; on the
lab they may add internals):

- :class:`RequestTraceView`: every call, with consumed RCU/WCU, items
  returned of items read, latency, retries and errors;
- :class:`ItemCollectionsView`: items by partition key in sort-key order;
  what a call returned, read and filtered out, where its page ended;
- :class:`StreamRecordsView`: stream records per shard, with the lineage
  DescribeStream shows;
- the DynamoDB lessons' pictures: :class:`ItemAnatomyView` (11),
  :class:`HashSpaceView` (12), :class:`ReplicaGroupView` (13),
  :class:`IndexPlacementView` (14), :class:`LambdaBatchesView` and
  :class:`KclLeasesView` (18), :class:`AccessPatternsView` (20).

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
<PartitionMapView 'Music': 1 partition, 0 items, 0 B, at event 2 of 30>
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
