"""The coordinator's request state machine (Dynamo paper 4.5 and 5).

A *put*: the coordinator makes the new clock (the context's clock with its
own counter incremented), writes locally, sends the version to the other
healthy nodes among the top N of the preference list, and answers after W
acknowledgements (its own included). Copies sent to fallback nodes carry a
*hint* naming the home node they stand in for.

A *get*: the coordinator asks the top N healthy nodes, waits for R replies,
and returns every version no other version descends from (syntactic
reconciliation), with a context that merges their clocks. A little later it
*read-repairs*: any replier, late ones included, that lacks a returned
version is sent it.

Each request lives until every target answered or its deadline passed;
targets silent at the deadline are marked down by this node's local failure
detector. A node that is not among the top N forwards the request to the
first healthy node that is (paper 4.5). The coordinator acknowledges a
forwarded request at once (``forward_ack``); if that acknowledgement does not
come within ``retry_ms``, the forwarding node thinks the coordinator down and
forwards to the next healthy node of the top N, or coordinates itself when
none is left - so a crashed coordinator costs a client one short detection
delay, not its request.

Examples
--------
>>> from dynamo_lab.dynamo.cluster import DynamoCluster
>>> c = DynamoCluster(nodes=["A", "B", "C"], seed=2)
>>> ok = c.put("k", "v1")
>>> ok.ok, ok.acks, ok.w
(True, 2, 2)
>>> [e.kind for e in c.sim.log.of_kind("request.*")][:2]
['request.start', 'request.reply']
"""
from __future__ import annotations

from ..events import row_kind
from ..text import noun, plural
from .vclock import TRUNCATE_AT, VectorClock, Version, reconcile

# the per-request events, written as rows (EventLog.emit_row): they are most
# of what the log holds after the messages
_START = row_kind("request.start", "rid", "op", "key", "coordinator", "targets", "hints",
                  "need", "n")
_FORWARD = row_kind("request.forward", "rid", "op", "key", "src", "dst")
_REPLY = row_kind("request.reply", "rid", "op", "key", "node", "coordinator", "in_quorum",
                  "latency_ms", "clocks")
_OK = row_kind("request.ok", "rid", "op", "key", "coordinator", "replies", "latency_ms",
               "clocks")

__all__ = ["CoordinatorMixin", "Request", "Context"]

# ``(clock.entries,)`` of one clock, as the events' ``clocks`` field holds it:
# one tuple per clock instead of one per event (a version is read, replied
# and reported many times; a new tuple each time is work for the cyclic GC).
# Keyed by the entries tuple's id; the cached value holds that tuple, so the
# id cannot be reused while it is cached.
_ONE: dict[int, tuple] = {}


def _one_clock(entries: tuple) -> tuple:
    t = _ONE.get(id(entries))
    if t is None:
        if len(_ONE) >= 8192:
            _ONE.clear()
        t = _ONE[id(entries)] = (entries,)
    return t


class Context:
    """The opaque context a get returns and a put takes back (paper 4.1).

    It holds the merged vector clock of the versions read and the node that
    answered the read fastest (a write coordinator candidate, paper 5).
    """

    __slots__ = ("clock", "fastest")

    def __init__(self, clock: VectorClock, fastest: str | None = None) -> None:
        self.clock = clock
        self.fastest = fastest

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Context) and self.clock == other.clock

    def __hash__(self) -> int:
        return hash(self.clock)

    def __repr__(self) -> str:
        return "Context(" + ",".join(f"[{n},{c}]" for n, c in self.clock.pairs) + ")"


class Request:
    """One get or put as its coordinator tracks it."""

    __slots__ = ("rid", "op", "key", "client", "started", "targets", "hints", "need",
                 "answered", "quorum", "replies", "done", "version", "repaired",
                 "result", "spare", "extras", "result_of")

    def __init__(self, rid, op, key, client, started, targets, hints, need):
        self.rid, self.op, self.key, self.client = rid, op, key, client
        self.started, self.targets, self.need = started, targets, need
        self.hints = dict(hints)
        self.spare: list[str] = []
        self.extras: tuple = ()
        self.answered: list[str] = []       # in reply order
        self.quorum: tuple = ()             # the replies that completed it
        self.replies: dict[str, list] = {}  # get: node -> versions
        self.done = False
        self.version: Version | None = None
        self.repaired = False
        self.result: list[Version] | None = None
        self.result_of = -1     # how many replies ``result`` reconciled


class CoordinatorMixin:
    """Get and put coordination, mixed into :class:`~dynamo_lab.dynamo.node.Node`."""

    def _init_coordinator(self) -> None:
        self.requests: dict[int, Request] = {}
        self._issued: dict[str, int] = {}  # key -> last counter this node issued
        self.latencies: list[int] = []   # recent foreground latencies (admission control)
        # rid -> [op, body, dst, tried]: forwards not yet acknowledged
        self._forwards: dict[int, list] = {}

    def _crash_coordinator(self) -> None:
        # Their timers find them gone (_deadline_of, _forward_timeout).
        self.requests.clear()
        self._forwards.clear()

    # -- entry: from a client or forwarded by a node ------------------------
    def on_put(self, src: str, body: tuple) -> None:
        rid, key, value, clock, client, forwarded = body
        if src != client:       # forwarded by a node: tell it the request arrived
            self._net_send(self.name, src, "forward_ack", ("forward_ack", rid), rid)
        plan = self.plan(key)
        if forwarded is not True and plan.targets:
            # ``forwarded`` may name the node that answered the preceding read
            # fastest: the preferred write coordinator (paper 5).
            if forwarded and forwarded != self.name and forwarded in plan.targets:
                return self._forward("put", forwarded, body)
            if self.name not in plan.targets:
                return self._forward("put", plan.targets[0], body)
        c = self.cluster
        if len(plan.targets) < c.w:
            return self._fail_fast("put", rid, key, client, len(plan.targets), c.w,
                                   plan.targets)
        version = Version(value, self._next_clock(key, clock))
        req = Request(rid, "put", key, client, self.sim.now, plan.targets, plan.hints, c.w)
        req.spare = list(plan.spare)
        req.version = version
        # A gapped clock travels with the local siblings it does not cover, so
        # any replica holding it also holds them (what a merged context claims).
        req.extras = () if version.clock.gap is None else tuple(
            v for v in self.read_local(key) if not version.clock.descends(v.clock))
        self._start(req)
        if len(clock) >= TRUNCATE_AT and clock.counter(self.name) == 0:
            log = self.sim.log
            if log.enabled:
                log.emit("vclock.truncated", node=self.name, key=key,
                         clock=version.clock.entries)
        for t in plan.targets:
            if t == self.name:
                self.write_local(key, version, plan.hints.get(t), "put")
                d = 0 if self._no_disk else self.disk_delay()
                if d:
                    self._after(d, self._self_ack, rid)
                else:
                    self._on_answer(req, self.name, None)
            else:
                self._net_send(self.name, t, "replicate", ("replicate", (
                    rid, key, version, plan.hints.get(t), "put", req.extras)), rid)

    def on_get(self, src: str, body: tuple) -> None:
        rid, key, client, forwarded = body
        if src != client:
            self._net_send(self.name, src, "forward_ack", ("forward_ack", rid), rid)
        plan = self.plan(key)
        if forwarded is not True and self.name not in plan.targets and plan.targets:
            return self._forward("get", plan.targets[0], body)
        c = self.cluster
        if len(plan.targets) < c.r:
            return self._fail_fast("get", rid, key, client, len(plan.targets), c.r,
                                   plan.targets)
        req = Request(rid, "get", key, client, self.sim.now, plan.targets, plan.hints, c.r)
        req.spare = list(plan.spare)
        self._start(req)
        for t in plan.targets:
            if t == self.name:
                self._on_answer(req, self.name, self.read_local(key))
            else:
                self._net_send(self.name, t, "read", ("read", (rid, key)), rid)

    def _next_clock(self, key: str, context: VectorClock) -> VectorClock:
        """The context's clock with this node's counter incremented (4.4).

        The counter also passes every counter this node already issued for
        the key. When that skips counters the context never saw, the clock
        records a gap (see :class:`~dynamo_lab.dynamo.vclock.VectorClock`):
        two puts with the same context through one coordinator then become
        siblings instead of one silently replacing the other.
        """
        context = context.safe()
        issued = self._issued.get(key, 0)
        for v in self.read_local(key):
            issued = max(issued, v.clock.counter(self.name))
        clock = context.advance(self.name, issued, self.sim.now)
        self._issued[key] = clock.counter(self.name)
        return clock

    def _forward(self, op: str, dst: str, body: tuple, tried: tuple = ()) -> None:
        rid, key = body[0], body[1]
        log = self.sim.log
        if log.enabled:
            row = (self._kernel.now, _FORWARD, rid, op, key, self.name, dst)
            sink = log._sink
            if sink is None:
                log.emit_row(*row[1:])
            else:       # one write, t and kind first (see EventLog)
                sink(row)
        wait = self.cluster.retry_ms or self.cluster.timeout_ms
        f = [op, body, dst, tried + (dst,)]
        self._forwards[rid] = f         # replaces an older forward of rid, if any
        self._after(wait, self._forward_timeout, rid, f)
        self._net_send(self.name, dst, op, (op, body[:-1] + (True,)), rid)

    def on_forward_ack(self, src: str, rid: int) -> None:
        f = self._forwards.get(rid)
        if f is not None and f[2] == src:
            del self._forwards[rid]     # its timer will find it gone

    def _forward_timeout(self, rid: int, f: list) -> None:
        """The node forwarded to did not acknowledge in time: think it down
        (local failure detection) and let another of the top N coordinate."""
        if self._forwards.get(rid) is not f or not self.up:
            return
        del self._forwards[rid]
        op, body, dst, tried = f
        self.mark_down(dst, "forward timeout")
        plan = self.plan(body[1])
        if self.name not in plan.targets:
            nxt = next((t for t in plan.targets if t not in tried), None)
            if nxt is not None:
                return self._forward(op, nxt, body, tried)
        # This node is among the top N healthy nodes (or no untried one is
        # left): it coordinates the request itself.
        body = body[:-1] + (True,)
        client = body[-2]
        if op == "put":
            self.on_put(client, body)
        else:
            self.on_get(client, body)

    def _fail_fast(self, op, rid, key, client, got, need, targets) -> None:
        known = f"only {plural(got, 'healthy replica', 'healthy replicas')} known for {key!r}"
        reason = (f"{known}, W={need}; nothing was written" if op == "put" else
                  f"{known}, R={need}")
        log = self.sim.log
        if log.enabled:
            log.emit("request.fail", rid=rid, op=op, key=key, coordinator=self.name,
                     got=0, need=need, reason="unavailable")
        self.send(client, f"{op}_reply", (rid, {
            "ok": False, "acks": 0, "need": need, "coordinator": self.name,
            "reason": reason, "replies": (), "targets": tuple(targets)}), rid)

    def _start(self, req: Request) -> None:
        self.requests[req.rid] = req
        log = self.sim.log
        if log.enabled:
            row = (self._kernel.now, _START, req.rid, req.op, req.key, self.name, req.targets,
                   tuple(sorted(req.hints.items())) if req.hints else (), req.need,
                   self.cluster.n)
            sink = log._sink
            if sink is None:
                log.emit_row(*row[1:])
            else:       # one write, t and kind first (see EventLog)
                sink(row)
        # One timer at a time per request, none cancelled: the retry, which
        # arms the deadline (the same moment, started + timeout_ms), or the
        # deadline alone. Each checks that its request is still the live one.
        c = self.cluster
        if 0 < c.retry_ms < c.timeout_ms:
            self._after(c.retry_ms, self._retry_then_deadline, req)
        else:
            self._after(c.timeout_ms, self._deadline_of, req)

    def _retry_then_deadline(self, req: Request) -> None:
        if self.requests.get(req.rid) is not req:
            return          # finished, or forgotten in a crash
        self._after(self.cluster.timeout_ms - self.cluster.retry_ms, self._deadline_of, req)
        self._retry(req.rid)

    def _deadline_of(self, req: Request) -> None:
        if self.requests.get(req.rid) is req:
            self._deadline(req.rid)

    def _retry(self, rid: int) -> None:
        """Sloppy quorum at work: a target silent for ``retry_ms`` is thought
        down, and the version (or the read) goes to the next healthy node of
        the preference list, with a hint naming the node it stands in for."""
        req = self.requests.get(rid)
        if req is None or not self.up or (req.op == "get" and req.done):
            return
        for t in [x for x in req.targets if x not in req.answered]:
            self.mark_down(t, "request timeout")
            while req.spare and req.spare[0] in self.down:
                req.spare.pop(0)
            if not req.spare:
                break
            f = req.spare.pop(0)
            home = req.hints.get(t, t)
            req.hints[f] = home
            req.targets = req.targets + (f,)
            log = self.sim.log
            if log.enabled:
                log.emit("request.retry", rid=rid, op=req.op, key=req.key,
                         coordinator=self.name, silent=t, fallback=f, hint_for=home)
            if f == self.name:
                if req.op == "put":
                    self.write_local(req.key, req.version, home, "put")
                    self._on_answer(req, self.name, None)
                else:
                    self._on_answer(req, self.name, self.read_local(req.key))
            elif req.op == "put":
                self.send(f, "replicate", (rid, req.key, req.version, home, "put",
                                           req.extras), rid)
            else:
                self.send(f, "read", (rid, req.key), rid)

    # -- replies -----------------------------------------------------------
    def _self_ack(self, rid: int) -> None:
        req = self.requests.get(rid)
        if req is not None and self.up:
            self._on_answer(req, self.name, None)

    def on_replicate_ack(self, src: str, rid: int) -> None:
        req = self.requests.get(rid)
        if req is not None:
            self._on_answer(req, src, None)

    def on_read_reply(self, src: str, body: tuple) -> None:
        rid, versions = body
        req = self.requests.get(rid)
        if req is not None:
            self._on_answer(req, src, versions)

    def _on_answer(self, req: Request, node: str, versions: list | None) -> None:
        if node in req.replies or node in req.answered:
            return
        req.answered.append(node)
        if versions is not None:
            req.replies[node] = versions
        late = req.done
        log = self.sim.log
        if log.enabled:
            now = self._kernel.now
            row = (now, _REPLY, req.rid, req.op, req.key, node, self.name, not late,
                   now - req.started,
                   (_one_clock(versions[0].clock.entries) if len(versions) == 1 else
                    tuple([v.clock.entries for v in versions])) if versions else ())
            sink = log._sink
            if sink is None:
                log.emit_row(*row[1:])
            else:       # one write, t and kind first (see EventLog)
                sink(row)
        if late:
            if req.op == "get" and req.repaired:
                self._repair(req, (node,))
        elif len(req.answered) >= req.need:
            self._succeed(req)
        if len(req.answered) == len(req.targets) and (req.op == "put" or req.repaired):
            self._finish(req)

    def _succeed(self, req: Request) -> None:
        req.done = True
        req.quorum = tuple(req.answered)
        lat = self.sim.now - req.started
        self._note_latency(lat)
        log = self.sim.log
        if req.op == "put":
            clock = req.version.clock
            if log.enabled:
                row = (self._kernel.now, _OK, req.rid, "put", req.key, self.name, req.quorum, lat,
                       _one_clock(clock.entries))
                sink = log._sink
                if sink is None:
                    log.emit_row(*row[1:])
                else:       # one write, t and kind first (see EventLog)
                    sink(row)
            self.send(req.client, "put_reply", (req.rid, {
                "ok": True, "acks": len(req.quorum), "need": req.need,
                "coordinator": self.name, "replies": req.quorum, "clock": clock,
                "targets": req.targets, "hints": tuple(sorted(req.hints.items()))}), req.rid)
            return
        allv = [v for vs in req.replies.values() for v in vs]
        result = reconcile(allv)
        req.result = result
        req.result_of = len(req.replies)
        fastest = next((x for x in req.answered if x != self.name), self.name)
        if len(result) == 1 and result[0].clock.gap is None:
            ctx = result[0].clock       # what merging one gapless clock gives
        else:
            ctx = VectorClock().merge(*[v.clock for v in result]) if result else VectorClock()
        if log.enabled:
            row = (self._kernel.now, _OK, req.rid, "get", req.key, self.name, req.quorum, lat,
                   _one_clock(result[0].clock.entries) if len(result) == 1 else
                   tuple([v.clock.entries for v in result]))
            sink = log._sink
            if sink is None:
                log.emit_row(*row[1:])
            else:       # one write, t and kind first (see EventLog)
                sink(row)
            if len(result) > 1:
                log.emit("vclock.siblings", node=self.name, key=req.key, where="read",
                         clocks=tuple(v.clock.entries for v in result))
        self.send(req.client, "get_reply", (req.rid, {
            "ok": True, "acks": len(req.quorum), "need": req.need, "coordinator": self.name,
            "replies": req.quorum, "versions": result, "context": Context(ctx, fastest),
            "targets": req.targets}), req.rid)
        self._after(self.cluster.read_repair_ms, self._read_repair, req.rid)

    def _note_latency(self, lat: int) -> None:
        ls = self.latencies
        ls.append(lat)
        if len(ls) > 64:
            del ls[:32]

    # -- read repair (paper 5) -------------------------------------------
    def _read_repair(self, rid: int) -> None:
        req = self.requests.get(rid)
        if req is None or not self.up:
            return
        req.repaired = True
        self._repair(req, tuple(req.answered))
        if len(req.answered) == len(req.targets):
            self._finish(req)

    def _repair(self, req: Request, nodes: tuple) -> None:
        if req.result_of == len(req.replies) and req.result is not None:
            best = req.result       # no reply since the answer: the same result
        else:
            best = reconcile([v for vs in req.replies.values() for v in vs])
        log = self.sim.log
        one = best[0].clock if len(best) == 1 else None
        for node in nodes:
            vs = req.replies.get(node, ())
            if one is not None and len(vs) == 1 and vs[0].clock is one:
                continue            # it returned the one version: nothing to repair
            have = {v.clock for v in vs}
            missing = [v for v in best if v.clock not in have]
            if not missing:
                continue
            if log.enabled:
                log.emit("request.read_repair", rid=req.rid, key=req.key, coordinator=self.name,
                         node=node, clocks=tuple(v.clock.entries for v in missing))
            hint = req.hints.get(node)
            for v in missing:
                if node == self.name:
                    self.write_local(req.key, v, hint, "read_repair")
                else:
                    self.send(node, "replicate", (None, req.key, v, hint, "read_repair", ()),
                              req.rid)

    # -- the end of a request ---------------------------------------------
    def _deadline(self, rid: int) -> None:
        req = self.requests.get(rid)
        if req is None or not self.up:
            return
        if not req.done:
            lat = self.sim.now - req.started
            self._note_latency(lat)
            got = len(req.answered)
            what = "W" if req.op == "put" else "R"
            reason = (f"timed out after {lat} ms: {got} of {what}={req.need} "
                      f"{noun(req.need, 'replica')} answered "
                      f"({', '.join(req.answered) or 'none'})")
            log = self.sim.log
            if log.enabled:
                log.emit("request.fail", rid=rid, op=req.op, key=req.key,
                         coordinator=self.name, got=got, need=req.need, reason="timeout")
            self.send(req.client, f"{req.op}_reply", (rid, {
                "ok": False, "acks": got, "need": req.need, "coordinator": self.name,
                "reason": reason, "replies": tuple(req.answered), "targets": req.targets,
                "clock": req.version.clock if req.version else None}), rid)
        elif req.op == "get" and not req.repaired:
            req.repaired = True
            self._repair(req, tuple(req.answered))
        for t in req.targets:
            if t not in req.answered:
                self.mark_down(t, "request timeout")
        self._finish(req)

    def _finish(self, req: Request) -> None:
        if self.requests.get(req.rid) is req:
            del self.requests[req.rid]

    def foreground_latency(self) -> float:
        """The worst of the recent foreground request latencies (ms)."""
        return max(self.latencies[-32:], default=0)
