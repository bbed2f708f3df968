"""Looking inside a DynamoCluster: replicas, hints, views, Merkle divergence.

Read-only helpers mixed into :class:`~dynamo_lab.dynamo.cluster.DynamoCluster`;
lessons and tests use them to see what each node holds.

Examples
--------
>>> from dynamo_lab.dynamo.cluster import DynamoCluster
>>> c = DynamoCluster(nodes=4, seed=1)
>>> _ = c.put("k", "v")
>>> c.run(ms=100)
>>> sorted(x for x, held in c.replicas("k").items() if held["versions"])
['n1', 'n2', 'n3']
>>> c.converged(), c.membership_converged()
(True, True)
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from .storage import MemoryStore
from .vclock import VectorClock, Version, reconcile

if TYPE_CHECKING:  # pragma: no cover
    from .node import Node

__all__ = ["InspectMixin", "Hint"]


class Hint(NamedTuple):
    """A hinted replica: ``node`` holds ``key`` at ``clock`` for ``target``."""

    node: str
    target: str
    key: str
    clock: VectorClock


class InspectMixin:
    """What the cluster holds, computed from the nodes' stores and views."""

    def _range_table(self) -> None:
        N = min(self.n, len(self.ring))
        homes, by_node = {}, {}
        for end in self.key_ranges.ends:
            pl = tuple(self.ring.preference_list_at(end, N, zones=self.zone_aware))
            homes[end] = pl
            for x in pl:
                by_node.setdefault(x, []).append(end)
        self._homes, self._by_node = homes, by_node

    def range_homes(self, end: int) -> tuple:
        """The home replicas (top N) of the key range ending at ``end``."""
        if self._homes is None:
            self._range_table()
        return self._homes[end]

    def replica_sets(self) -> dict[str, list[int]]:
        """``{node: [ends of the key ranges it replicates]}`` on the ring."""
        if self._homes is None:
            self._range_table()
        return self._by_node

    # -- reading the cluster -------------------------------------------------
    @property
    def nodes(self) -> list[str]:
        """Names of the member nodes (retired ones excluded), in join order."""
        return [x for x, nd in self.nodes_by_name.items() if not nd.retired]

    def node(self, name: str) -> Node:
        """The :class:`~dynamo_lab.dynamo.node.Node` called ``name``."""
        try:
            return self.nodes_by_name[name]
        except KeyError:
            raise KeyError(f"unknown node {name!r}; nodes: {self.nodes}") from None

    def preference_list(self, key: str, n: int | None = None) -> list[str]:
        """The key's preference list on the ring (every node, unless ``n``)."""
        self._check_key(key)
        return self.ring.preference_list(key, n or len(self.ring), zones=self.zone_aware)

    def replicas(self, key: str) -> dict[str, dict[str, Any]]:
        """What each node holds for ``key``, hinted copies included.

        Returns ``{node: {"up": bool, "home": bool, "versions": [...],
        "hints": [(target, version), ...]}}`` for the key's home nodes and
        every node holding something, in preference-list order.
        """
        self._check_key(key)
        homes = self.preference_list(key)[:self.n]
        order = self.preference_list(key)
        out = {}
        for x in order:
            nd = self.nodes_by_name[x]
            own = nd.store.get(key) if nd.store.up or isinstance(nd.store, MemoryStore) else []
            hinted = [(t, v) for t, k, v in nd.store.hints() if k == key] \
                if nd.store.up or isinstance(nd.store, MemoryStore) else []
            if x in homes or own or hinted:
                out[x] = {"up": self.sim.network.is_up(x), "home": x in homes,
                          "versions": own, "hints": hinted}
        return out

    def hints(self) -> list[Hint]:
        """Every hinted replica in the cluster."""
        out = []
        for x, nd in self.nodes_by_name.items():
            if not nd.retired and (nd.store.up or isinstance(nd.store, MemoryStore)):
                out += [Hint(x, t, k, v.clock) for t, k, v in nd.store.hints()]
        return out

    def final_versions(self, key: str) -> list[Version]:
        """Every version of ``key`` anywhere (own data and hints), reconciled."""
        allv = []
        for nd in self.nodes_by_name.values():
            if not nd.retired and (nd.store.up or isinstance(nd.store, MemoryStore)):
                allv += nd.store.get(key) + nd.store.hinted(key)
        return reconcile(allv)

    def keys(self) -> list[str]:
        """Every key stored anywhere."""
        ks = set()
        for nd in self.nodes_by_name.values():
            if not nd.retired and (nd.store.up or isinstance(nd.store, MemoryStore)):
                ks.update(nd.store.keys())
                ks.update(k for _t, k, _v in nd.store.hints())
        return sorted(ks)

    def views(self) -> dict[str, tuple]:
        """Each live node's membership view: the nodes it knows as joined."""
        return {x: tuple(self.nodes_by_name[x].view.up_members()) for x in self._live_nodes()}

    def membership_converged(self) -> bool:
        """Whether every live node knows exactly the current members."""
        want = sorted(self.nodes)
        views = [self.nodes_by_name[x].view for x in self._live_nodes()]
        if any(len(v.up_members()) != len(want) for v in views):
            return False
        return all(v.up_members() == want for v in views)

    def divergence(self) -> list[tuple]:
        """Ranges whose home replicas disagree: ``(start, end, {node: root})``."""
        out = []
        for end in self.key_ranges.ends:
            homes = self.range_homes(end)
            roots = {h: self.nodes_by_name[h].tree(end).root.hex() for h in homes}
            if len(set(roots.values())) > 1:
                out.append((self.key_ranges.start_of(end), end, roots))
        return out

    def converged(self) -> bool:
        """Whether every range's home replicas have equal Merkle roots and no
        hint is waiting."""
        return not self.divergence() and not self.hints()
