"""Views of the Dynamo store: replicas, requests, versions, membership, Merkle, health.

Each is ``View(source)`` with ``source`` a :class:`~dynamo_lab.DynamoCluster`,
its :class:`~dynamo_lab.Simulation` or a recorded :class:`~dynamo_lab.EventLog`;
each is a reducer over the event log (never the engine's objects), so it
follows the run live, rebuilds at any moment (:class:`~dynamo_lab.viz.Timeline`)
and has a deterministic ``repr`` and static SVG.
"""
from __future__ import annotations

from .health import HealthView
from .membership import MembershipView
from .merkle import MerkleView
from .replicas import ReplicaView
from .sequence import SequenceView
from .versions import VersionView

__all__ = ["HealthView", "MembershipView", "MerkleView", "ReplicaView", "SequenceView", "VersionView"]
