"""Replica groups: every partition is three storage nodes in three zones, one the leader.

Each partition of a table (:class:`~..partitions.partitioning.Partition`: ``replicas``,
``zones``, ``leader``) is a *replica group*. The table's
:class:`~..partitions.storage.Store` holds what the leader holds; this module keeps,
per group, what the other two replicas have not applied yet.

* **Writes.** A write is acknowledged when the leader and one more replica
  have it. The third replica applies it after a lag drawn from the seed
  (``lag_ms``, a ``(low, high)`` range of virtual ms) and applies the log in
  order, so what it lacks is always a suffix of the group's log: each entry
  is ``(time the lagging replica applies it, storage key, old item)``.
  Entries every replica has applied are dropped, so the log holds only the
  last ``lag_ms`` of writes. A write that cannot reach two live replicas
  (leader down, or both peers down) fails with ``InternalServerError`` (HTTP
  500, which SDKs retry) and changes nothing.
* **Reads.** ``ConsistentRead=True`` goes to the leader (500 while there is
  none). An eventually consistent read goes to one live replica of the
  partition, chosen from the seed; when that replica lags it answers with
  the older images of the changes it lacks (a ``replica.stale_read``
  event). When no replica lags and every node is up, a read does no extra
  work.
* **Failures.** :meth:`Replication.crash` stops a storage node (every
  group it belongs to loses that replica); after ``detect_ms`` of virtual
  time (failure detection) each group it led elects a new leader among its
  live replicas that hold every acknowledged write (the replica that was in
  each write's quorum, or any that has caught up), if two replicas are live
  (a majority). Until then writes and strongly consistent reads of those
  partitions fail with a 500. :meth:`Replication.recover` brings a node back;
  it catches up with the log it missed before it serves again (at once, in
  virtual time), and groups left without a leader elect one.
* **Splits.** A partition's children (new replicas, new leader, from the
  partition map) start in sync.

Options (``DynamoDB(replication={...})`` or ``ddb.replication_options``, read
at every write): ``lag_ms`` (default ``(0, 0)``: replicas apply every write
at once, so by default an eventually consistent read is never stale, as
with moto or DynamoDB Local; a lesson sets ``(5, 200)`` to see stale reads)
and ``detect_ms`` (default 1,500).

Events (:mod:`dynamo_lab.catalogue.dynamodb_replicas`): ``partition.leader``,
``replica.stale_read``, ``storage.crash``, ``storage.recover``.

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0, replication={"lag_ms": (50, 50)})
>>> c = ddb.client(retries=0)
>>> _ = c.create_table(TableName="Tab", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
>>> _ = c.put_item(TableName="Tab", Item={"id": {"S": "a"}})
>>> [(r["zone"], r["leader"], r["item"] is not None) for r in ddb.replicas("Tab", {"id": {"S": "a"}})]
[('az-a', False, True), ('az-b', False, False), ('az-c', True, True)]
>>> ddb.run(ms=50)
>>> [r["item"] is not None for r in ddb.replicas("Tab", {"id": {"S": "a"}})]
[True, True, True]
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ...errors import ArgumentError
from ..errors import DynamoDBError
from ..options import ReplicationOptions
from ..partitions.partitioning import DEFAULT_NODES

if TYPE_CHECKING:  # pragma: no cover
    from ..state import ServiceState

__all__ = ["Replication", "ReplicaGroup", "ReplicaSet", "DEFAULTS", "unavailable"]

#: Options and their defaults: lag of the third replica (virtual ms, a
#: range drawn from the seed) and failure-detection time (read-only; the
#: options themselves are :class:`~..options.ReplicationOptions`).
DEFAULTS: dict[str, Any] = {k: getattr(ReplicationOptions(), k) for k in ReplicationOptions.keys()}


def unavailable() -> DynamoDBError:
    """DynamoDB's answer when a partition cannot serve a request now (HTTP 500)."""
    return DynamoDBError("InternalServerError", "Internal server error")


class ReplicaGroup:
    """One partition's replication state: the lagging replica and its log.

    The partition owns it (:attr:`~..partitions.partition.Partition.group`)
    and owns the placement it reads: ``replicas``, ``zones`` and ``leader``
    are the partition's own (an election changes the partition's leader).
    ``log`` holds ``(t, skey, old)``: the changes ``lagger`` has not applied
    yet, oldest first, ``t`` the virtual ms it applies each (non-decreasing:
    replicas apply the log in order). ``until`` is when it has applied all.
    """

    __slots__ = ("part", "log", "lagger", "until", "writes")

    def __init__(self, part: Any) -> None:
        self.part = part
        self.log: deque = deque()
        self.lagger: str | None = None
        self.until = 0
        self.writes = 0

    @property
    def pid(self) -> str:
        return self.part.id

    @property
    def replicas(self) -> tuple:
        return self.part.replicas

    @property
    def zones(self) -> tuple:
        return self.part.zones

    @property
    def leader(self) -> str:
        return self.part.leader

    @leader.setter
    def leader(self, node: str) -> None:
        self.part.leader = node

    def pending(self, now: int) -> int:
        """Changes the lagging replica has not applied at ``now`` (drops the rest). O(1) amortized."""
        log = self.log
        while log and log[0][0] <= now:
            log.popleft()
        if not log:
            self.lagger = None
        return len(log)

    def changes(self, now: int) -> dict:
        """``{skey: the item the lagging replica still holds (None: absent)}``."""
        out: dict = {}
        if self.pending(now):
            for _t, skey, old in self.log:
                if skey not in out:
                    out[skey] = old
        return out

    def __repr__(self) -> str:
        return (f"<ReplicaGroup {self.pid} leader={self.leader} lagger={self.lagger} "
                f"log={len(self.log)}>")


class ReplicaSet:
    """The replica groups of one table (or GSI): each partition of its map
    owns its group (made in sync on first use, and afresh for each child of
    a split)."""

    def __init__(self, repl: "Replication", layout: Any, table: str, index: str | None) -> None:
        self.repl, self.layout, self.pmap = repl, layout, layout.pmap
        self.table, self.index = table, index

    def group(self, pid: str) -> ReplicaGroup:
        """The group of partition ``pid`` (made in sync on first use). O(1)."""
        return self.group_of(self.pmap.get(pid))

    def group_of(self, part: Any) -> ReplicaGroup:
        g = part.group
        if g is None:
            g = part.group = ReplicaGroup(part)
            if g.leader in self.repl.down:     # placed on a node that is down
                self.repl.elect(self, g, "placement")
        return g

    def group_at(self, h: int) -> ReplicaGroup:
        return self.group_of(self.pmap.locate(h))

    def all(self) -> list[ReplicaGroup]:
        return [self.group_of(p) for p in self.pmap.partitions]

    @property
    def groups(self) -> dict[str, ReplicaGroup]:
        """The groups made so far, by partition id (live partitions only)."""
        return {p.id: p.group for p in self.pmap.partitions if p.group is not None}


class Replication:
    """The service's storage nodes and every partition's replica group.

    Made by :class:`~..service.DynamoDB` (``ddb.replication``). Costs: a write
    or read with no node down and no replica lagging, O(1); otherwise a
    group lookup O(log P) plus the lagging replica's log (bounded by
    ``lag_ms`` of writes).
    """

    def __init__(self, svc: "ServiceState") -> None:
        self.svc = svc
        self.nodes: dict[str, tuple[str, ...]] = {z: tuple(ns) for z, ns in DEFAULT_NODES.items()}
        self.zone_of = {n: z for z, ns in self.nodes.items() for n in ns}
        self.down: set[str] = set()
        self.crashed_at: dict[str, int] = {}
        self.horizon = 0            # no replica lags at or after this virtual ms
        self._clock = svc.sim.kernel     # .now: the hot path reads it directly
        self._lag = svc.sim.rng_for("dynamodb.replication.lag")
        self._reads = svc.sim.rng_for("dynamodb.replication.reads")
        self._votes = svc.sim.rng_for("dynamodb.replication.elections")

    # -- options ---------------------------------------------------------------
    def option(self, name: str) -> Any:
        return getattr(self.svc.replication_opts, name)

    def quiet(self) -> bool:
        """True when every node is up and no replica lags: reads need nothing extra."""
        return not self.down and self._clock.now >= self.horizon

    # -- groups ------------------------------------------------------------------
    def replica_set(self, layout: Any) -> ReplicaSet:
        rs = layout.__dict__.get("_replica_set")
        if rs is None:
            ix = layout.ix
            rs = layout.__dict__["_replica_set"] = ReplicaSet(
                self, layout, layout.table.name, ix.name if ix is not None else None)
        return rs

    def _sets(self) -> Iterator[ReplicaSet]:
        for table in list(self.svc.tables.values()):
            lays = [table.layout] + [getattr(ix, "layout", None) for ix in table.indexes.values()]
            for lay in lays:
                if lay is not None:
                    yield self.replica_set(lay)

    def elect(self, rs: ReplicaSet, g: ReplicaGroup, reason: str) -> bool:
        """Make a live replica holding every acknowledged write the leader,
        if two replicas are live (a majority). Returns whether one leads now."""
        down, now = self.down, self.svc.sim.now
        live = [r for r in g.replicas if r not in down]
        if len(live) < 2:
            return False
        if g.leader in live:
            return True
        lagging = g.lagger if g.pending(now) else None
        cands = [r for r in live if r != lagging]
        new = cands[0] if len(cands) == 1 else self._votes.choice(cands)
        prev, g.leader = g.leader, new
        self.svc.log.emit("partition.leader", table=rs.table, index=rs.index, partition=g.pid,
                          leader=new, previous=prev, reason=reason)
        return True

    # -- failures ----------------------------------------------------------------
    def check_node(self, node: str) -> str:
        zone = self.zone_of.get(node)
        if zone is None:
            raise ArgumentError(f"no storage node {node!r}; nodes are {sorted(self.zone_of)}")
        return zone

    def crash(self, node: str) -> None:
        """Stop storage node ``node``; leaders it held are replaced after ``detect_ms``."""
        zone = self.check_node(node)
        if node in self.down:
            return
        now = self.svc.sim.now
        for rs in self._sets():
            for g in rs.all():           # groups exist from now on: detection finds them
                if g.lagger == node:     # what it had not applied, it applies on recovery
                    g.log.clear()
                    g.lagger = None
        self.down.add(node)
        self.crashed_at[node] = now
        self.svc.log.emit("storage.crash", node=node, zone=zone)
        self.svc.after(int(self.option("detect_ms")), self._detected, node, now)

    def _detected(self, node: str, when: int) -> None:
        if self.crashed_at.get(node) != when:
            return                       # it recovered (and maybe crashed again) since
        for rs in self._sets():
            for g in rs.all():
                if g.leader == node:
                    self.elect(rs, g, "failover")

    def recover(self, node: str) -> None:
        """Bring ``node`` back: it applies the log it missed, then serves;
        groups left without a live leader elect one."""
        zone = self.check_node(node)
        if node not in self.down:
            return
        self.down.discard(node)
        self.crashed_at.pop(node, None)
        self.svc.log.emit("storage.recover", node=node, zone=zone)
        detect, now = int(self.option("detect_ms")), self.svc.sim.now
        for rs in self._sets():
            for g in rs.all():
                if node in g.replicas and g.leader in self.down \
                        and now >= self.crashed_at[g.leader] + detect:
                    self.elect(rs, g, "quorum")

    # -- the request path ----------------------------------------------------------
    def check_write(self, table: Any, h: int) -> None:
        """Raise a 500 unless the partition holding hash ``h`` has a live
        leader and another live replica. O(1) when every node is up."""
        if not self.down or table.layout is None:
            return
        g = self.replica_set(table.layout).group_at(h)
        down = self.down
        if g.leader in down or all(r in down for r in g.replicas if r != g.leader):
            raise unavailable()

    def check_leader(self, table: Any, h: int) -> None:
        """Raise a 500 unless the partition holding hash ``h`` has a live
        leader (strongly consistent and transactional reads). O(1) when
        every node is up."""
        if not self.down or table.layout is None:
            return
        if self.replica_set(table.layout).group_at(h).leader in self.down:
            raise unavailable()

    def on_commit(self, table: Any, skey: tuple, old: dict | None) -> None:
        """Log a change the leader and one peer now hold; the third replica
        applies it after the lag. O(1) when nothing lags and ``lag_ms`` is 0."""
        now = self._clock.now
        lo, hi = self.svc.replication_opts.lag_ms
        if hi <= 0 and now >= self.horizon or table.layout is None:
            return
        g = self.replica_set(table.layout).group_at(skey[0])
        g.writes += 1
        down = self.down
        peers = [r for r in g.replicas if r != g.leader and r not in down]
        lagger = g.lagger if g.pending(now) else None
        if len(peers) < 2:               # the one live peer must have it now: it catches up
            g.log.clear()
            g.lagger = None
            return
        lag = self._lag.randint(int(lo), int(hi)) if hi > 0 else 0
        if lagger is None:
            lagger = self._lag.choice(peers)
            t = now + lag
        else:
            t = max(g.until, now + lag)
        if t <= now:
            return
        g.lagger, g.until = lagger, t
        g.log.append((t, skey, old))
        if t > self.horizon:
            self.horizon = t

    def _pick(self, rs: ReplicaSet, g: ReplicaGroup) -> tuple[str | None, dict]:
        """An eventually consistent read's replica, when it matters, and the
        changes it lacks; 500 when no replica of the group is up."""
        down, now = self.down, self.svc.sim.now
        if down and all(r in down for r in g.replicas):
            raise unavailable()
        if not g.pending(now):
            return None, {}
        live = [r for r in g.replicas if r not in down]
        r = self._reads.choice(live)
        if r != g.lagger:
            return r, {}
        return r, g.changes(now)

    def _stale(self, rs: ReplicaSet, g: ReplicaGroup, replica: str | None) -> None:
        self.svc.log.emit("replica.stale_read", table=rs.table, partition=g.pid,
                          replica=replica, behind=len(g.log))

    def get(self, table: Any, skey: tuple, consistent: bool) -> dict | None:
        """The item at ``skey`` as the replica serving this read holds it."""
        if not self.down and self._clock.now >= self.horizon or table.layout is None:
            return table.store.get(skey)
        rs = self.replica_set(table.layout)
        g = rs.group_at(skey[0])
        if consistent:
            if g.leader in self.down:
                raise unavailable()
            return table.store.get(skey)
        r, changes = self._pick(rs, g)
        if skey in changes:
            self._stale(rs, g, r)
            return changes[skey]
        return table.store.get(skey)

    def rows(self, table: Any, ix: Any, rows: Iterator, consistent: bool, start: int, end: int,
             inside: Callable[[tuple], bool], reverse: bool = False) -> tuple[Iterator, Callable]:
        """Overlay a Query's or Scan's ``rows`` (hash positions ``[start,
        end)``) with what the serving replicas lack. Returns the rows and a
        function to call once the page is answered (it logs stale reads)."""
        if self.quiet() or table.layout is None or (ix is not None and ix.kind == "GSI"):
            return rows, _nothing
        rs = self.replica_set(table.layout)
        parts = [p for p in rs.pmap.partitions if p.end > start and p.start < end]
        changes: dict = {}
        stale = []
        for p in parts:
            g = rs.group_of(p)
            if consistent:
                if g.leader in self.down:
                    raise unavailable()
                continue
            r, ch = self._pick(rs, g)
            if ch:
                stale.append((g, r, set(ch)))
                changes.update(ch)
        if not changes:
            return rows, _nothing
        store = table.store
        if ix is not None:               # a local secondary index: its entries then and now
            lsi: dict = {}
            for skey, old in changes.items():
                now_item = store.get(skey)
                if now_item is not None and ix.schema.has_key(now_item):
                    lsi[ix.storage_key(now_item, skey)] = None
            for skey, old in changes.items():
                if old is not None and ix.schema.has_key(old):
                    lsi[ix.storage_key(old, skey)] = ix.project(old, table.schema)
            changes, store = lsi, ix.store
        extra = sorted(((k, v) for k, v in changes.items()
                        if v is not None and store.get(k) is None and inside(k)),
                       key=lambda kv: kv[0], reverse=reverse)
        seen: set = set()
        merged = _merge(rows, changes, extra, reverse, seen)

        def report() -> None:
            for g, r, keys in stale:
                if ix is None and keys & seen or ix is not None and seen:
                    self._stale(rs, g, r)
        return merged, report

    def describe(self, table: Any, skey: tuple) -> list[dict]:
        """Each replica of ``skey``'s partition: zone, leader, up, behind, item."""
        rs = self.replica_set(table.layout)
        g = rs.group_at(skey[0])
        now = self.svc.sim.now
        n = g.pending(now)
        changes = g.changes(now) if n else {}
        out = []
        for r, z in zip(g.replicas, g.zones):
            lags = r == g.lagger and n > 0
            item = changes[skey] if lags and skey in changes else table.store.get(skey)
            out.append({"replica": r, "zone": z, "leader": r == g.leader,
                        "up": r not in self.down, "behind": n if lags else 0, "item": item})
        return out


    def _check(self) -> None:
        """Assert every invariant; stress tests call it after each step:
        a group belongs to exactly one live partition (retired ones hold
        none), its leader is one of three replicas in three zones, its log
        is in time order and lies in its partition's range, and a lagging
        replica is a live follower."""
        now = self.svc.sim.now
        assert self.down <= set(self.zone_of) and set(self.crashed_at) == self.down
        for rs in self._sets():
            seen: set = set()
            for p in rs.pmap.partitions:
                g = p.group
                if g is None:
                    continue
                assert g.part is p and id(g) not in seen, g
                seen.add(id(g))
                assert g.leader in g.replicas and len(set(g.zones)) == 3
                times = [t for t, _k, _o in g.log]
                assert times == sorted(times), g
                if g.pending(now):
                    assert g.lagger not in self.down and g.lagger != g.leader, g
                    assert g.until == g.log[-1][0] > now and g.until <= self.horizon, g
                    for _t, skey, _o in g.log:
                        assert p.start <= skey[0] < p.end, g
            assert all(p.group is None for p in rs.pmap.retired.values())


def _nothing() -> None:
    return None


def _merge(rows: Iterator, changes: dict, extra: list, reverse: bool, seen: set) -> Iterator:
    """``rows`` with ``changes`` applied (None: absent) and ``extra`` rows
    (present only on the replica) inserted in order."""
    i, n = 0, len(extra)
    for k, item in rows:
        while i < n and (extra[i][0] > k if reverse else extra[i][0] < k):
            seen.add(extra[i][0])
            yield extra[i]
            i += 1
        if k in changes:
            seen.add(k)
            old = changes[k]
            if old is not None:
                yield k, old
            continue
        yield k, item
    while i < n:
        seen.add(extra[i][0])
        yield extra[i]
        i += 1
