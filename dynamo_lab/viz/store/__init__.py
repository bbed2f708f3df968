"""Views of the Dynamo store: replicas, requests, versions, membership, Merkle, health.

Each is ``View(source)`` with ``source`` a :class:`~dynamo_lab.DynamoCluster`,
its :class:`~dynamo_lab.Simulation` or a recorded :class:`~dynamo_lab.EventLog`;
each is a reducer over the event log (never the engine's objects), so it
follows the run live, rebuilds at any moment (:class:`~dynamo_lab.viz.Timeline`)
and has a deterministic ``repr`` and static SVG.

- :class:`ReplicaView`: a key's preference list on the ring, hinted copies
  apart with a line to their home node, handoff animated (paper 4.3, 4.6);
- :class:`SequenceView`: the Lamport diagram of one get or put, quorum and
  late replies, drops, read repair (4.5, 5);
- :class:`VersionView`: the version DAG of one key, siblings side by side,
  merges (4.4, Figure 3);
- :class:`MembershipView`: who knows whom and who thinks whom is up, and
  convergence over time (4.8);
- :class:`MerkleView`: one anti-entropy exchange, differing branches lit (4.7);
- :class:`HealthView`: nodes up and down per zone, hints held, pending
  handoffs (4.6, 6.5).

Examples
--------
>>> from dynamo_lab import DynamoCluster
>>> c = DynamoCluster(nodes=4, seed=1)
>>> views = [ReplicaView(c, keys="k", live=False), SequenceView(c), VersionView(c, key="k")]
>>> _ = c.put("k", "v"); c.run(ms=50)
>>> for v in views:
...     print(repr(v))
<ReplicaView N=3: 'k' on n3,n2,n1 (3 hold it)>
<SequenceView put 'k' rid=1 coordinator=n3 W=2: quorum n3,n1; late n2; 8 messages>
<VersionView 'k': 1 version in 1 generation>
"""
from __future__ import annotations

from .health import HealthView
from .membership import MembershipView
from .merkle import MerkleView
from .replicas import ReplicaView
from .sequence import SequenceView
from .versions import VersionView

__all__ = ["HealthView", "MembershipView", "MerkleView", "ReplicaView", "SequenceView", "VersionView"]
