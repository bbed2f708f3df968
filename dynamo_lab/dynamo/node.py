"""A Dynamo storage node: local store, message handling, replica writes.

A node is a network endpoint. It plays every role of the paper at once:
replica (stores versions and hints), coordinator (runs get and put request
state machines, :mod:`.coordinator`), hint holder (:mod:`.handoff`),
anti-entropy peer (:mod:`.antientropy`) and gossip member
(:mod:`.membership`). This module holds what they share: the store, the
dispatch of messages, the preference list as this node sees it, and the
replica-side handlers.

Examples
--------
>>> from dynamo_lab.dynamo.cluster import DynamoCluster
>>> c = DynamoCluster(nodes=["A", "B", "C"], seed=1)
>>> node = c.node("A")
>>> node.plan("cart").targets
('B', 'A', 'C')
"""
from __future__ import annotations

from typing import Any, NamedTuple

from ..events import row_kind
from .antientropy import AntiEntropyMixin
from .coordinator import CoordinatorMixin
from .handoff import HandoffMixin
from .membership import FailureDetectorMixin, GossipMixin, MemberView
from .storage import Store
from .transfer import TransferMixin
from .vclock import Version

_WRITE = row_kind("replica.write", "node", "key", "clock", "gap", "outcome", "source", "value")

__all__ = ["Node", "Plan", "show"]


def show(value: Any, limit: int = 60) -> str:
    """A stable short text of a value for events (sets are sorted)."""
    if isinstance(value, (set, frozenset)):
        text = "{" + ", ".join(sorted(repr(v) for v in value)) + "}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


class Plan(NamedTuple):
    """Where a request for one key goes, as one node sees the cluster.

    ``homes`` are the first N nodes of the preference list this node knows
    as members; ``targets`` the first N of them it thinks healthy (sloppy
    quorum); ``hints`` maps each fallback target to the home it stands in for.
    """

    homes: tuple
    targets: tuple
    hints: dict
    spare: tuple = ()


class Node(CoordinatorMixin, HandoffMixin, AntiEntropyMixin, TransferMixin, GossipMixin,
           FailureDetectorMixin):
    """One storage node of a :class:`~dynamo_lab.dynamo.cluster.DynamoCluster`.

    The cluster creates nodes; use ``cluster.node(name)`` to inspect one.
    """

    def __init__(self, cluster, name: str, zone: str | None, store: Store) -> None:
        self.cluster = cluster
        self.sim = cluster.sim
        self.name = name
        self.zone = zone
        self.store = store
        self.up = True
        self.down: dict[str, int] = {}
        self.view = MemberView(name)
        self._rng = cluster.sim.rng_for(f"node:{name}")
        self._kernel = cluster.sim.kernel
        self._net_send = cluster.sim.network.send
        self._disk = cluster.disk_ms
        # no disk delay to draw (the default): on_replicate skips disk_delay()
        self._no_disk = cluster.disk_ms[0] <= 0 and cluster.disk_ms[1] <= 0
        self.gossip_rounds = 0
        self._plans: dict[str, Plan] = {}
        self._plan_stamp = None
        self._handlers = {}
        for attr in dir(self):
            if attr.startswith("on_"):
                self._handlers[attr[3:]] = getattr(self, attr)
        self._init_coordinator()
        self._init_antientropy()
        self._tasks: list = []
        self._task: dict = {}        # name -> Periodic, for wake()
        self._offers: dict[int, tuple] = {}
        self._orphans: dict[str, set] = {}   # key -> homes that confirmed it
        self.retired = False
        self.leaving = False

    # -- plumbing ----------------------------------------------------------
    def send(self, dst: str, kind: str, body: Any, rid: int | None = None) -> None:
        """Send a message; ``rid`` tags messages of a client request in the log.

        The hottest senders (a request's reads, writes and answers, gossip,
        anti-entropy's first message) write this out, one call less each:
        ``self._net_send(self.name, dst, kind, (kind, body), rid)``."""
        self._net_send(self.name, dst, kind, (kind, body), rid)

    def _after(self, delay: int, callback, *args: Any) -> None:
        """Run ``callback(*args)`` in ``delay`` ms, with no handle to cancel
        it (the kernel's cheaper path; the same order as ``sim.schedule``)."""
        kernel = self._kernel
        kernel.post(kernel.now + delay, callback, args)

    def handle(self, src: str, msg: tuple) -> None:
        if not self.up:
            return
        if src in self.down:
            self.heard_from(src)
        kind, body = msg
        self._handlers[kind](src, body)

    def start_tasks(self) -> None:
        """Start the periodic background tasks (gossip, handoff, ...)."""
        c, sim = self.cluster, self.sim
        spec = [(c.gossip_ms, self._gossip_round, "gossip"),
                (c.probe_ms, self._probe, "probe"),
                (c.handoff_ms, self._handoff_scan, "handoff"),
                (c.anti_entropy_ms, self._anti_entropy_round, "anti_entropy")]
        if self.store.write_buffer:
            spec.append((c.flush_ms, self._flush, "flush"))
        for period, fn, name in spec:
            if period:
                task = sim.every(period, fn, jitter=max(1, period // 5),
                                 name=f"{name}:{self.name}")
                self._tasks.append(task)
                self._task[name] = task

    def stop_tasks(self) -> None:
        for t in self._tasks:
            t.cancel()
        self._tasks.clear()
        self._task.clear()

    def wake(self, task: str) -> None:
        """Wake background ``task`` ("probe", "handoff") if it sleeps for
        want of work (:data:`~dynamo_lab.sim.simulation.SLEEP`)."""
        t = self._task.get(task)
        if t is not None and t.asleep:
            t.wake()

    # -- faults --------------------------------------------------------------
    def crash(self, lose_disk: bool = False) -> None:
        """Stop: pending requests are forgotten; the write buffer is lost.

        The store's versions and hints are on disk and survive. With
        ``lose_disk`` (a permanent failure) the disk is lost as well: the
        node will restart empty. A node already down may still lose its disk.
        """
        if self.up:
            self.up = False
            self._crash_coordinator()
            self.down.clear()
        info = self.store.crash(lose_disk)
        self._digests.clear()       # the write buffer, if any, is gone
        log = self.sim.log
        if info["buffered_lost"]:
            log.emit("replica.lost", node=self.name, keys=info["buffered_lost"])
        if lose_disk:
            # Nothing derived from the old disk is kept: Merkle trees and
            # range indexes are rebuilt from the empty store. The counters
            # this node issued (_issued) are kept: a replaced disk must not
            # make the node give out a clock it already gave another value.
            self._ranges_version = None
            self._orphans.clear()
            log.emit("replica.disk_lost", node=self.name, keys=info["keys_lost"],
                     hints=len(info["hints_lost"]))
        for target, key, clock in info["hints_lost"]:
            log.emit("hint.lost", node=self.name, target=target, key=key, clock=clock)

    def recover(self) -> None:
        self.store.recover()
        self.up = True

    def _flush(self) -> None:
        if self.up and self.store._buffer:
            n = self.store.flush()
            log = self.sim.log
            if log.enabled:
                log.emit("replica.flush", node=self.name, keys=n)

    # -- where keys go -------------------------------------------------------
    def _membership_changed(self, learned: tuple) -> None:
        self._plans.clear()

    def plan(self, key: str) -> Plan:
        """This node's preference list for ``key``: homes, healthy targets, hints.

        O(log t) with a warm cache; plans are cached until membership or this
        node's failure-detector opinions change.
        """
        stamp = (self.view.stamp, len(self.down), self.cluster.ring_version)
        if stamp != self._plan_stamp:
            self._plans.clear()
            self._plan_stamp = stamp
        p = self._plans.get(key)
        if p is not None:
            return p
        # Nodes that see the same members and suspect the same peers compute
        # the same plan: share it (most nodes, most of the time). The key is
        # the exact content, so a shared plan is the one this node would make.
        c = self.cluster
        view, down = self.view, self.down
        state = (view.digest, len(view.entries), tuple(sorted(down)) if down else (),
                 c.ring_version)
        shared = c._plan_cache.get(state)
        if shared is None:
            if len(c._plan_cache) >= 64:
                c._plan_cache.clear()
            shared = c._plan_cache[state] = {}
        p = shared.get(key)
        if p is None:
            p = shared[key] = self._make_plan(key)
        self._plans[key] = p
        return p

    def _make_plan(self, key: str) -> Plan:
        c = self.cluster
        N = c.n
        members = self.view.up_members()
        ring = c.ring
        total = len(ring)
        member_set = self.view.entries
        missing = sum(1 for x in ring.nodes if member_set.get(x, (0, "left"))[1] != "joined") \
            if len(members) != total else 0
        m = min(total, 2 * N + len(self.down) + missing)
        pl = ring.preference_list(key, m, zones=c.zone_aware)
        homes, targets, spare = [], [], []
        down = self.down
        for x in pl:
            e = member_set.get(x)
            if e is None or e[1] != "joined":
                continue
            if len(homes) < N:
                homes.append(x)
            if x not in down:
                if len(targets) < N:
                    targets.append(x)
                elif len(spare) < N:
                    spare.append(x)
        skipped = [h for h in homes if h not in targets]
        hints = {}
        if skipped:
            for t in targets:
                if t not in homes and skipped:
                    hints[t] = skipped.pop(0)
        return Plan(tuple(homes), tuple(targets), hints, tuple(spare))

    # -- replica side --------------------------------------------------------
    def write_local(self, key: str, version: Version, hint_for: str | None,
                    source: str) -> str:
        """Store ``version`` as own data (``hint_for`` None) or as a hint."""
        log = self.sim.log
        if hint_for is None or hint_for == self.name:
            outcome = self.store.put(key, version)
            if outcome != "obsolete":
                self._range_dirty(key)
            if log.enabled:
                clock = version.clock
                text = version.shown        # made once per version, not per replica
                if text is None:
                    text = version.shown = show(version.value)
                row = (self._kernel.now, _WRITE, self.name, key, clock.entries, clock.gap,
                       outcome, source, text)
                sink = log._sink
                if sink is None:
                    log.emit_row(*row[1:])
                else:       # one write, t and kind first (see EventLog)
                    sink(row)
                if outcome == "sibling":
                    log.emit("vclock.siblings", node=self.name, key=key, where="store",
                             clocks=tuple(v.clock.entries for v in self.store.get(key)))
        else:
            outcome = self.store.add_hint(hint_for, key, version)
            self.wake("handoff")
            if log.enabled:
                log.emit("hint.stored", node=self.name, target=hint_for, key=key,
                         clock=version.clock.entries, gap=version.clock.gap, outcome=outcome,
                         source=source)
        return outcome

    def read_local(self, key: str) -> list[Version]:
        """Own versions of ``key`` plus any hinted copies held for others."""
        vs = self.store.get(key)
        hinted = self.store.hinted(key)
        return vs + hinted if hinted else vs

    def disk_delay(self) -> int:
        """Virtual ms one local durable write takes (0 with a write buffer)."""
        floor, tail = self._disk
        if self.store.write_buffer or (floor <= 0 and tail <= 0):
            return 0
        return int(floor + (self._rng.expovariate(1.0 / tail) if tail > 0 else 0))

    def on_replicate(self, src: str, body: tuple) -> None:
        rid, key, version, hint_for, source, extras = body
        for v in extras:
            self.write_local(key, v, hint_for, source)
        self.write_local(key, version, hint_for, source)
        if rid is not None:
            d = 0 if self._no_disk else self.disk_delay()
            ls = self.latencies     # _note_latency(d), inlined: replica-side service
            ls.append(d)            # time counts as foreground
            if len(ls) > 64:
                del ls[:32]
            if d:
                self._after(d, self._ack_if_up, src, rid)
            else:
                self._net_send(self.name, src, "replicate_ack", ("replicate_ack", rid), rid)

    def _ack_if_up(self, dst: str, rid: int) -> None:
        if self.up:
            self.send(dst, "replicate_ack", rid, rid)

    def on_read(self, src: str, body: tuple) -> None:
        rid, key = body
        self._net_send(self.name, src, "read_reply", ("read_reply", (rid, self.read_local(key))),
                       rid)

    def __repr__(self) -> str:
        state = "up" if self.up else "down"
        return (f"<Node {self.name} zone={self.zone} {state} "
                f"versions={self.store.version_count()} hints={self.store.hint_count()}>")
