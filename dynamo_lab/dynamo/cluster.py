"""DynamoCluster: the Dynamo paper's key-value store on a Simulation.

Examples
--------
The paper's Figure 3, replayed by choosing coordinators:

>>> c = DynamoCluster(nodes=["Sx", "Sy", "Sz"], seed=7)
>>> d1 = c.put("k", "D1", coordinator="Sx"); d1.clock
VectorClock([Sx,1])
>>> d2 = c.put("k", "D2", context=d1.context, coordinator="Sx"); d2.clock
VectorClock([Sx,2])
>>> d3 = c.put("k", "D3", context=d2.context, coordinator="Sy"); d3.clock
VectorClock([Sx,2],[Sy,1])
>>> d4 = c.put("k", "D4", context=d2.context, coordinator="Sz"); d4.clock
VectorClock([Sx,2],[Sz,1])
>>> got = c.get("k"); got.values
['D3', 'D4']
>>> c.put("k", "D5", context=got.context, coordinator="Sx").clock
VectorClock([Sx,3],[Sy,1],[Sz,1])
"""
from __future__ import annotations

import shutil
import tempfile
import weakref
from itertools import count
from typing import Any, Callable, Iterable

from ..errors import OptionValueError
from ..sim import Simulation
from ..text import noun, plural
from .antientropy import KeyRanges
from .client import Client, GetResult, PutResult
from .coordinator import Context
from .node import Node
from .observe import Hint, InspectMixin
from .options import ClusterOptions
from .storage import MemoryStore, SqliteStore, Store
from .vclock import MalformedContext, VectorClock, resolve_policy

__all__ = ["DynamoCluster", "Unavailable", "Hint", "MalformedContext"]


class Unavailable(RuntimeError):
    """No node could take the request (every candidate is down)."""


def _names(nodes) -> list[str]:
    if isinstance(nodes, int) and not isinstance(nodes, bool):
        if nodes < 1:
            raise ValueError(f"a cluster needs at least one node, not {nodes}")
        width = len(str(nodes))
        return [f"n{i:0{width}d}" for i in range(1, nodes + 1)]
    names = [str(x) for x in nodes]
    if not names:
        raise ValueError("a cluster needs at least one node")
    if len(set(names)) != len(names):
        raise ValueError(f"node names must be distinct: {names}")
    return names


def _zones(names: list[str], zones) -> dict[str, str | None]:
    if zones is None:
        return {n: None for n in names}
    if isinstance(zones, int) and not isinstance(zones, bool):
        return {n: f"az{i % zones + 1}" for i, n in enumerate(names)}
    if isinstance(zones, dict):
        missing = [n for n in names if n not in zones]
        if missing:
            raise ValueError(f"zones has no zone for {missing}")
        return {n: zones[n] for n in names}
    zones = list(zones)
    if len(zones) != len(names):
        raise ValueError("give one zone per node")
    return dict(zip(names, zones))


class DynamoCluster(InspectMixin):
    """The Dynamo store: N replicas per key, R/W quorums, sloppy quorum,
    hinted handoff, anti-entropy, gossip; every step an event.

    Parameters
    ----------
    nodes : int or list of str
        How many nodes (named ``n1``, ``n2``, ...) or their names.
    n, r, w : int
        Replicas per key and read/write quorum sizes (``r, w <= n``).
    zones : int, dict, list or None
        Availability zones: a count (round robin), a node -> zone dict, or a
        list with one zone per node. With zones, preference lists spread
        over zones (``zone_aware``).
    strategy, tokens_per_node, partitions
        The ring's partitioning strategy (paper 6.2).
    seed : int
        Seed of the simulation made when ``sim`` is None.
    sim : Simulation, optional
        Run on this simulation (shared clock, network and log).
    store : "memory", "sqlite" or callable
        Local persistence; a callable gets the node name and returns a
        :class:`~dynamo_lab.dynamo.storage.Store`.
    write_buffer : bool
        Paper 6.1: buffer writes in memory (lost on crash), flush every
        ``flush_ms``.
    disk_ms : (floor, mean tail)
        Virtual ms of one durable local write (0 with the buffer).
    coordination : "server" or "client"
        Paper 6.4: load balancer plus forwarding, or a partition-aware client.
    reconcile : None, "union", "lww" or callable
        How ``GetResult.value`` merges siblings (the application's choice).
    membership : "converged" or "seeds"
        Start with every node knowing every other, or each knowing only
        itself and the seeds.
    gossip_ms, handoff_ms, anti_entropy_ms, probe_ms
        Background task periods (0 turns one off).
    timeout_ms, read_repair_ms, retry_ms
        Request deadline; how long after answering a get the coordinator
        waits before read repair; how long a target may stay silent before
        the coordinator uses the next node of the preference list (0: never).
    admission_ms
        Background work yields while this node's recent foreground latency
        (as coordinator or replica) is above this many ms (paper 6.5; 0
        turns admission control off).
    options : ClusterOptions, optional
        All of the above in frozen groups (:mod:`~dynamo_lab.dynamo.options`);
        keywords given beside it override it.

    Every option above is a keyword argument, checked when the cluster is
    made: an unknown keyword is an :class:`~dynamo_lab.errors.OptionError`
    listing the accepted ones, a bad value an
    :class:`~dynamo_lab.errors.OptionValueError` naming its group and key
    (both are ``ValueError``). ``cluster.options`` holds them, grouped.

    >>> DynamoCluster(nodes=3, gossip_ms=500).options.timing.gossip_ms
    500
    >>> DynamoCluster(nodes=3, gosip_ms=500)
    Traceback (most recent call last):
    ...
    dynamo_lab.errors.OptionError: unknown option 'gosip_ms' in DynamoCluster; accepted: admission_ms, anti_entropy_ms, coordination, disk_ms, fastest_writer, flush_ms, gossip_ms, handoff_ms, membership, merkle_depth, n, nodes, options, partitions, probe_ms, r, read_repair_ms, reconcile, retry_ms, seed, seeds, sim, store, strategy, timeout_ms, tokens_per_node, w, write_buffer, zone_aware, zones
    """

    def __init__(self, nodes: int | Iterable[str] = 5, *, zones=None, seed: int = 0,
                 sim: Simulation | None = None, options: ClusterOptions | None = None,
                 **keywords: Any) -> None:
        from .ring import Ring
        if options is None:
            opts = ClusterOptions.from_keywords(**keywords)
        elif not isinstance(options, ClusterOptions):
            raise OptionValueError("DynamoCluster", "options", options,
                                   "a ClusterOptions or None")
        else:       # keywords given beside ``options`` override it
            opts = ClusterOptions.from_keywords(options, **keywords)
        self.options = opts
        names = _names(nodes)
        q, tm, st = opts.quorum, opts.timing, opts.storage
        n, r, w = q.n, q.r, q.w
        if n > len(names):
            raise OptionValueError("quorum", "n", n,
                                   f"at most the number of nodes: N={n} replicas need at "
                                   f"least {n} nodes, not {len(names)}")
        if opts.membership.seeds is not None:
            stray = [x for x in opts.membership.seeds if x not in names]
            if stray:
                raise OptionValueError("membership", "seeds", opts.membership.seeds,
                                       f"names of this cluster's nodes ({stray} are not)")
        strategy, tokens_per_node = opts.ring.strategy, opts.ring.tokens_per_node
        partitions, zone_aware = opts.ring.partitions, opts.ring.zone_aware
        membership, seeds = opts.membership.membership, opts.membership.seeds
        store, write_buffer = st.store, st.write_buffer
        disk_ms, merkle_depth = st.disk_ms, st.merkle_depth
        coordination = opts.coordination.coordination
        reconcile, fastest_writer = opts.coordination.reconcile, opts.coordination.fastest_writer
        gossip_ms, handoff_ms, anti_entropy_ms = tm.gossip_ms, tm.handoff_ms, tm.anti_entropy_ms
        probe_ms, flush_ms, timeout_ms = tm.probe_ms, tm.flush_ms, tm.timeout_ms
        read_repair_ms, retry_ms, admission_ms = tm.read_repair_ms, tm.retry_ms, tm.admission_ms
        self.sim = sim if sim is not None else Simulation(seed)
        self.n, self.r, self.w = n, r, w
        self.zones = _zones(names, zones)
        self.zone_aware = bool(zones) if zone_aware is None else bool(zone_aware)
        self.gossip_ms, self.handoff_ms = gossip_ms, handoff_ms
        self.anti_entropy_ms, self.probe_ms, self.flush_ms = anti_entropy_ms, probe_ms, flush_ms
        self.timeout_ms, self.read_repair_ms = timeout_ms, read_repair_ms
        self.retry_ms = retry_ms
        self.client_timeout_ms = 2 * timeout_ms + 100
        self.admission_ms, self.merkle_depth = admission_ms, merkle_depth
        self.disk_ms = tuple(disk_ms)
        self.write_buffer = write_buffer
        self.fastest_writer = fastest_writer
        self.policy = resolve_policy(reconcile)
        self._ids = count(1)
        self._xids = count(1)
        self._tmp: str | None = None
        self._store_kind = store if isinstance(store, str) else "custom"
        self._store_factory = self._factory(store, write_buffer)
        self.seeds = list(seeds) if seeds is not None else names[:min(2, len(names))]
        self.history: list[dict[str, Any]] = []
        self.anti_entropy = {"exchanges": 0, "ranges": 0, "ranges_differing": 0,
                             "hashes_compared": 0, "keys_sent": 0, "keys_full": 0,
                             "repaired": 0}
        self.ring = Ring(strategy=strategy, tokens_per_node=tokens_per_node,
                         partitions=partitions, seed=self.sim.rng_for("ring").getrandbits(32),
                         sim=self.sim, n=n)
        self.ring_version = 0
        self.nodes_by_name: dict[str, Node] = {}
        self._live: list[str] | None = None     # cache; reset by every fault
        self._plan_cache: dict[tuple, dict] = {}  # shared by nodes (Node.plan)
        self._tree_cache: dict[tuple, Any] = {}   # shared by nodes (AntiEntropyMixin._build)
        self.sim.log.emit("cluster.created", nodes=tuple(names),
                          zones=tuple((x, self.zones[x]) for x in names), n=n, r=r, w=w,
                          store=self._store_kind, coordination=coordination,
                          seeds=tuple(self.seeds), membership=membership,
                          zone_aware=self.zone_aware, merkle_depth=merkle_depth)
        for name in names:
            self.ring.add_node(name, zone=self.zones[name])
        self.key_ranges = KeyRanges(self.ring)
        self._homes = None
        for name in names:
            self._make_node(name)
        toks = {x: tuple(self.ring.tokens_of(x)) for x in names}
        for name in names:
            node = self.nodes_by_name[name]
            known = names if membership == "converged" else [name] + self.seeds
            for x in known:
                node.view.set(x, 1, "joined", self.zones[x], toks[x])
        for name in names:
            self.nodes_by_name[name].start_tasks()
        taken = set(self.sim.network.endpoints)
        cname = next(x for x in ("client", *(f"client{i}" for i in range(2, 10_000)))
                     if x not in taken)
        self.client = Client(self, name=cname, mode=coordination)

    # -- construction helpers ------------------------------------------------
    def _factory(self, store, write_buffer) -> Callable[[str], Store]:
        if callable(store):
            return store
        if store == "memory":
            return lambda name: MemoryStore(write_buffer=write_buffer)
        if store == "sqlite":
            self._tmp = tempfile.mkdtemp(prefix="dynamo_lab_")
            weakref.finalize(self, shutil.rmtree, self._tmp, True)
            return lambda name: SqliteStore(f"{self._tmp}/{name}.db", write_buffer=write_buffer)
        raise ValueError(f"store must be 'memory', 'sqlite' or a callable, not {store!r}")

    def _make_node(self, name: str) -> Node:
        node = Node(self, name, self.zones[name], self._store_factory(name))
        self.nodes_by_name[name] = node
        self._live = None
        self.sim.network.add(name, node.handle, zone=self.zones[name])
        return node

    def _next_rid(self) -> int:
        return next(self._ids)

    def _next_xid(self) -> int:
        return next(self._xids)

    def _ae_quiet(self, ranges: int, keys_full: int) -> None:
        """An exchange whose roots all agreed (one comparison per range)."""
        a = self.anti_entropy
        a["exchanges"] += 1
        a["ranges"] += ranges
        a["hashes_compared"] += ranges
        a["keys_full"] += keys_full

    def _ae_report(self, stats: dict) -> None:
        a = self.anti_entropy
        a["exchanges"] += 1
        a["ranges"] += stats["ranges"]
        a["ranges_differing"] += stats["differing"]
        a["hashes_compared"] += stats["hashes"]
        a["keys_sent"] += stats["sent"]
        a["keys_full"] += stats["full"]
        a["repaired"] += stats["repaired"]

    def _ring_changed(self) -> None:
        self.ring_version += 1
        self.key_ranges = KeyRanges(self.ring)
        self._homes = None
        for nd in self.nodes_by_name.values():
            nd.wake("handoff")      # ranges a node no longer replicates: hand them over

    def _live_nodes(self) -> list[str]:
        live = self._live
        if live is None:
            net = self.sim.network
            live = self._live = [x for x, nd in self.nodes_by_name.items()
                                 if not nd.retired and net.is_up(x)]
        return live

    # -- the API ---------------------------------------------------------------
    def _check_key(self, key) -> None:
        if not isinstance(key, str) or not key:
            raise ValueError(f"a key must be a non-empty str, not {key!r}")

    def _context(self, context) -> tuple[VectorClock, str | None]:
        if context is None:
            return VectorClock(), None
        if isinstance(context, Context):
            if not isinstance(context.clock, VectorClock):
                raise MalformedContext(f"not a context this store handed out: {context!r}")
            return context.clock, context.fastest
        if isinstance(context, GetResult):
            if context.context is None:
                raise MalformedContext("that get failed; it has no context")
            return self._context(context.context)
        if isinstance(context, PutResult):
            if context.context is None:
                raise MalformedContext("that put failed; it has no context")
            return self._context(context.context)
        return VectorClock.from_context(context), None

    def _entry(self, op: str, key: str, coordinator: str | None,
               fastest: str | None) -> tuple[str, bool]:
        if coordinator is not None:
            self.node(coordinator)
            if not self.sim.network.is_up(coordinator):
                raise Unavailable(f"coordinator {coordinator!r} is down")
            return coordinator, True
        if not self._live_nodes():
            raise Unavailable(f"every node is down; cannot {op} {key!r}")
        return self.client.route(op, key, fastest)

    def put(self, key: str, value: Any, context=None, coordinator: str | None = None) -> PutResult:
        """Write ``value`` under ``key``; run until the coordinator answers.

        ``context`` is the one a get returned (None for a blind write). The
        coordinator adds one to its own clock entry. Returns a
        :class:`~dynamo_lab.dynamo.client.PutResult`: ``ok`` after W
        replicas stored it, otherwise the reason and how many answered.
        Raises ValueError on bad input and :class:`Unavailable` when no node
        can take the request; neither changes any state.

        Notes
        -----
        A put that times out may still have been stored by some replicas
        (Dynamo has no rollback); a later read may return it. A coordinator
        never reuses a counter for a key: a second write through it from
        the same (or no) context gets a clock with a gap, and the two become
        siblings rather than one silently replacing the other.
        """
        if key.__class__ is not str or not key:
            self._check_key(key)
        clock, fastest = self._context(context)
        entry, here = self._entry("put", key, coordinator, fastest)
        rid = next(self._ids)
        t0 = self.sim.now
        d, lat = self.client.call("put", entry, (rid, key, value, clock, self.client.name, here),
                                  rid, key, retry=coordinator is None)
        res = PutResult(key, d, lat)
        self.history.append({"op": "put", "key": key, "value": value, "ok": res.ok,
                             "clock": res.clock, "context": clock, "t0": t0,
                             "t1": self.sim.now, "coordinator": res.coordinator})
        return res

    def get(self, key: str, coordinator: str | None = None) -> GetResult:
        """Read ``key``: every causally unrelated version, and a context.

        Returns a :class:`~dynamo_lab.dynamo.client.GetResult` (``ok`` after
        R replies).
        """
        if key.__class__ is not str or not key:
            self._check_key(key)
        entry, here = self._entry("get", key, coordinator, None)
        rid = next(self._ids)
        t0 = self.sim.now
        d, lat = self.client.call("get", entry, (rid, key, self.client.name, here), rid, key,
                                  retry=coordinator is None)
        res = GetResult(key, d, lat, self.policy)
        self.history.append({"op": "get", "key": key, "ok": res.ok,
                             "clocks": tuple(v.clock for v in res.versions),
                             "values": tuple(res.values), "t0": t0, "t1": self.sim.now,
                             "coordinator": res.coordinator})
        return res

    def run(self, ms: int) -> None:
        """Advance virtual time: gossip, handoff, anti-entropy, read repair."""
        self.sim.run(ms=ms)

    # -- faults ------------------------------------------------------------------
    def crash(self, node: str, lose_disk: bool = False) -> None:
        """Crash ``node``: it stops until :meth:`recover`.

        A crash is temporary: the node's durable data and its hints (kept
        in a separate local database, paper 4.6) survive the restart; only
        the write buffer (paper 6.1) is lost. ``lose_disk=True`` is a
        permanent failure, a disk replaced: the node's data and hints are
        gone (``replica.disk_lost``, ``hint.lost``), it recovers empty, and
        anti-entropy (paper 4.7) rebuilds its replicas. A node already down
        can still lose its disk.

        Examples
        --------
        >>> c = DynamoCluster(nodes=["A", "B", "C", "D"], seed=3, anti_entropy_ms=0)
        >>> homes = c.preference_list("cart", 3)
        >>> c.crash(homes[0])
        >>> c.put("cart", "pen").ok
        True
        >>> c.run(ms=100); holder = c.hints()[0].node
        >>> c.crash(holder); c.recover(holder)     # a restart keeps the hint
        >>> [h.node for h in c.hints()] == [holder]
        True
        >>> c.crash(holder, lose_disk=True)        # a lost disk does not
        >>> c.hints(), [e.kind for e in c.sim.log.of_kind("replica.disk_lost", "hint.lost")]
        ([], ['replica.disk_lost', 'hint.lost'])
        """
        if not isinstance(lose_disk, bool):
            raise TypeError(f"lose_disk must be True or False, not {lose_disk!r}")
        nd = self.node(node)
        self._live = None
        if self.sim.network.is_up(node):
            self.sim.network.crash(node)
            nd.crash(lose_disk)
        elif lose_disk and not nd.retired:
            nd.crash(lose_disk=True)

    def recover(self, node: str) -> None:
        """Restart ``node`` with what its store kept."""
        nd = self.node(node)
        self._live = None
        if not self.sim.network.is_up(node) and not nd.retired:
            nd.recover()
            self.sim.network.recover(node)

    def _zone_nodes(self, zone: str) -> list[str]:
        got = [x for x in self.nodes if self.zones.get(x) == zone]
        if not got:
            known = sorted({str(z) for z in self.zones.values()})
            raise KeyError(f"unknown zone {zone!r}; zones: {known}")
        return got

    def crash_zone(self, zone: str) -> None:
        """Lose a whole availability zone."""
        nodes = self._zone_nodes(zone)
        self.sim.log.emit("cluster.zone_down", zone=zone, nodes=tuple(nodes))
        for x in nodes:
            self.crash(x)

    def recover_zone(self, zone: str) -> None:
        nodes = self._zone_nodes(zone)
        for x in nodes:
            self.recover(x)
        self.sim.log.emit("cluster.zone_up", zone=zone, nodes=tuple(nodes))

    def partition(self, *groups: Iterable[str]) -> None:
        """Cut links between groups of nodes (see ``Network.partition``)."""
        for g in groups:
            for x in g:
                self.node(x)
        self.sim.network.partition(*groups)

    def heal(self) -> None:
        self.sim.network.heal()

    def set_loss(self, probability: float) -> None:
        self.sim.network.set_loss(probability)

    def slow_link(self, a: str, b: str, extra_ms: int) -> None:
        self.node(a), self.node(b)
        self.sim.network.slow_link(a, b, extra_ms)

    # -- membership changes (paper 4.8, 4.9) -------------------------------------
    def add_node(self, name: str, zone: str | None = None, weight: float = 1,
                 via: str | None = None) -> None:
        """Join ``name``: it takes tokens, learns the seeds, gossips, and the
        nodes that give up ranges transfer them after a confirmation round."""
        if name in self.nodes_by_name:
            raise ValueError(f"node {name!r} already exists")
        self.zones[name] = zone
        change = self.ring.add_node(name, zone=zone, weight=weight)
        self._ring_changed()
        node = self._make_node(name)
        tokens = tuple(self.ring.tokens_of(name))
        node.view.set(name, 1, "joined", zone, tokens)
        for s in self.seeds:
            if s in self.nodes_by_name and s != name:
                e = self.nodes_by_name[s].view.entries.get(s)
                if e:
                    node.view.set(s, e[0], e[1], e[2], e[3])
        told = via or next((s for s in self.seeds if s in self._live_nodes()), None)
        if told is not None:
            self.nodes_by_name[told].view.set(name, 1, "joined", zone, tokens)
            self.nodes_by_name[told]._membership_changed((name,))
        self.sim.log.emit("member.joined", node=name, zone=zone, tokens=tokens, via=told)
        node.start_tasks()
        self._start_transfers(change.moves)

    def remove_node(self, name: str) -> None:
        """Decommission ``name``: its ranges go to the nodes that take over."""
        nd = self.node(name)
        if nd.retired:
            raise ValueError(f"node {name!r} has already left")
        if len(self.nodes) - 1 < self.n:
            raise ValueError(f"removing {name!r} would leave fewer than N={self.n} "
                             f"{noun(self.n, 'node')}")
        change = self.ring.remove_node(name)
        self._ring_changed()
        e = nd.view.entries.get(name, (1,))
        nd.view.set(name, e[0] + 1, "left", self.zones.get(name), ())
        self.sim.log.emit("member.left", node=name)
        for x in self.nodes:
            self.nodes_by_name[x].view.set(name, e[0] + 1, "left", self.zones.get(name), ())
        self._start_transfers(change.moves)
        nd.leaving = True
        nd.wake("handoff")
        if not nd.up:
            self._retire(name)     # a dead node hands nothing over

    def _start_transfers(self, moves) -> None:
        by: dict[tuple, list] = {}
        for m in moves:
            if m.src is not None and m.dst is not None and m.src in self.nodes_by_name:
                by.setdefault((m.src, m.dst), []).append((m.start, m.end))
        for (src, dst), ranges in sorted(by.items()):
            nd = self.nodes_by_name[src]
            if nd.up:
                nd.offer_ranges(dst, tuple(ranges))

    def _retire(self, name: str) -> None:
        nd = self.nodes_by_name[name]
        nd.retired = True
        self._live = None
        nd.stop_tasks()
        if self.sim.network.is_up(name):
            self.sim.network.crash(name)
        nd.up = False

    def close(self) -> None:
        """Close the stores (and delete the SQLite folder)."""
        for nd in self.nodes_by_name.values():
            nd.store.close()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __repr__(self) -> str:
        up = len(self._live_nodes())
        return (f"<DynamoCluster {plural(len(self.nodes), 'node')} ({up} up) N={self.n} R={self.r} "
                f"W={self.w} t={self.sim.now} ms>")
