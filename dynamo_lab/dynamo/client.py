"""The client side: results of get and put, and request routing (paper 4.1, 6.4).

Two ways to reach a coordinator (paper 6.4):

* *server-driven* (``coordination="server"``): a load balancer sends the
  request to a random live node, which forwards it to a node among the top
  N of the key's preference list if it is not one itself (an extra hop);
* *client-driven* (``coordination="client"``): the client pulls the
  membership from a random node every 10 s, computes preference lists itself
  and sends each request straight to a coordinator.

Both record end-to-end latencies (``client.done`` events and
:meth:`Client.percentile`).

Examples
--------
>>> from dynamo_lab.dynamo.cluster import DynamoCluster
>>> c = DynamoCluster(nodes=5, seed=1, coordination="client")
>>> c.put("k", 1).ok and c.get("k").value
1
>>> c.client.percentile("get", 50) >= 0
True
"""
from __future__ import annotations

import math
from typing import Any

from ..events import row_kind
from .coordinator import Context
from .vclock import VectorClock, Version

_DONE = row_kind("request.done", "rid", "op", "key", "ok", "latency_ms", "mode", "entry",
                 "coordinator")

__all__ = ["Client", "PutResult", "GetResult"]


class PutResult:
    """What a put returned: an acknowledgement or a failure saying why.

    ``bool(result)`` is ``result.ok``. On success ``clock`` is the new
    version's vector clock and ``context`` a context naming it.
    """

    def __init__(self, key: str, d: dict[str, Any], latency_ms: int) -> None:
        self.key = key
        self.ok: bool = d["ok"]
        self.acks: int = d["acks"]
        self.w: int = d["need"]
        self.coordinator: str | None = d.get("coordinator")
        self.replicas: tuple = d.get("replies", ())
        self.targets: tuple = d.get("targets", ())
        self.hints: tuple = d.get("hints", ())
        self.clock: VectorClock | None = d.get("clock")
        self.reason: str | None = d.get("reason")
        self.latency_ms = latency_ms

    @property
    def context(self) -> Context | None:
        return Context(self.clock, self.coordinator) if self.ok and self.clock else None

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            return (f"<put {self.key!r} ok {self.clock!r}: {self.acks}/{self.w} acks "
                    f"from {', '.join(self.replicas)} via {self.coordinator}>")
        return f"<put {self.key!r} FAILED: {self.reason}>"


class GetResult:
    """What a get returned: every sibling version and a context.

    ``values`` lists the sibling values; ``value`` is the one value when
    there is a single version (or the reconciled value when the cluster has
    a reconciliation policy); ``context`` goes back into the next put.
    """

    def __init__(self, key: str, d: dict[str, Any], latency_ms: int, policy=None) -> None:
        self.key = key
        self.ok: bool = d["ok"]
        self.acks: int = d["acks"]
        self.r: int = d["need"]
        self.coordinator: str | None = d.get("coordinator")
        self.replicas: tuple = d.get("replies", ())
        self.versions: list[Version] = list(d.get("versions", ()))
        self.context: Context | None = d.get("context")
        self.reason: str | None = d.get("reason")
        self.latency_ms = latency_ms
        self._policy = policy

    @property
    def values(self) -> list:
        return [v.value for v in self.versions]

    @property
    def siblings(self) -> int:
        """How many causally unrelated versions came back."""
        return len(self.versions)

    @property
    def value(self) -> Any:
        if not self.ok:
            raise LookupError(f"get {self.key!r} failed: {self.reason}")
        if not self.versions:
            return None
        if len(self.versions) == 1:
            return self.versions[0].value
        if self._policy is not None:
            return self._policy(self.versions)
        raise LookupError(f"{self.key!r} has {len(self.versions)} siblings; read .values, "
                          f"merge them and put the result with this context")

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if not self.ok:
            return f"<get {self.key!r} FAILED: {self.reason}>"
        vs = ", ".join(repr(v) for v in self.versions) or "not found"
        return f"<get {self.key!r}: {vs} ({self.acks}/{self.r} replies via {self.coordinator})>"


class Client:
    """A client endpoint; routes requests server- or client-driven."""

    def __init__(self, cluster, name: str = "client", mode: str = "server",
                 refresh_ms: int = 10_000) -> None:
        if mode not in ("server", "client"):
            raise ValueError(f"coordination must be 'server' or 'client', not {mode!r}")
        self.cluster, self.name, self.mode = cluster, name, mode
        self.sim = cluster.sim
        self.results: dict[int, dict] = {}
        self.latencies: dict[str, list[int]] = {"get": [], "put": []}
        self._rng = self.sim.rng_for(f"client:{name}")
        self.members: dict[str, tuple] = {}
        self._avoid: set[str] = set()
        self._waiting: int | None = None
        self.sim.network.add(name, self._handle, zone=None)
        if mode == "client":
            self.members = dict(cluster.node(cluster.nodes[0]).view.entries)
            self.sim.every(refresh_ms, self._refresh, name=f"refresh:{name}")

    def _handle(self, src: str, msg: tuple) -> None:
        kind, body = msg
        if kind == "membership_reply":
            self.members = dict(body)
            self._avoid.clear()
            self.sim.log.emit("member.pulled", client=self.name, source=src,
                              members=len(self.members))
            return
        rid, d = body
        if rid == self._waiting:     # a late or duplicate reply is dropped
            self.results[rid] = d

    def _refresh(self) -> None:
        live = self.cluster._live_nodes()
        if live:
            node = live[self._rng.randrange(len(live))]
            self.sim.network.send(self.name, node, "membership_req",
                                  ("membership_req", None))

    def route(self, op: str, key: str, fastest: str | None) -> tuple[str, Any]:
        """Pick the node to send a request to, and the routing flag: True if
        it must coordinate, False to route by its preference list, or the
        name of a preferred write coordinator."""
        c = self.cluster
        if self.mode == "client":
            up = [n for n, e in self.members.items() if e[1] == "joined"]
            pl = [x for x in c.ring.preference_list(key, len(c.ring), zones=c.zone_aware)
                  if x in up and x not in self._avoid][:c.n]
            if pl:
                if op == "put":
                    return (fastest if fastest in pl else pl[0]), True
                return pl[self._rng.randrange(len(pl))], True
        live = c._live_nodes()
        entry = live[self._rng._randbelow(len(live))]   # = randrange(len), one call less
        if fastest is not None and op == "put" and c.fastest_writer:
            return entry, fastest     # the entry node forwards to it (paper 5)
        return entry, False

    def call(self, op: str, dst: str, body: tuple, rid: int, key: str,
             retry: bool = True) -> tuple[dict, int]:
        """Send a request and run the simulation until its reply (or timeout).

        Client-driven (paper 6.4), a coordinator that does not answer within
        its own request deadline (plus a round trip) is thought down and the
        request goes to the next node of the client's top N, while the
        client's overall time limit lasts (``retry=False``: never).
        """
        sim = self.sim
        kernel = sim.kernel
        t0 = sim.now
        res = self.results
        limit = self.cluster.client_timeout_ms
        self._waiting = rid
        sim.network.send(self.name, dst, op, (op, body), rid)
        if self.mode == "client" and retry:
            patience = self.cluster.timeout_ms + 50
            while True:
                wait = max(0, min(patience, limit - (sim.now - t0)))
                kernel.run_until_in(rid, res, sim.now + wait)
                if rid in res or sim.now - t0 >= limit:
                    break
                self._avoid.add(dst)
                nxt, flag = self.route(op, key, None)
                if nxt in self._avoid:
                    kernel.run_until_in(rid, res, sim.now + max(0, limit - (sim.now - t0)))
                    break
                dst = nxt
                body = body[:-1] + (flag,)
                sim.network.send(self.name, dst, op, (op, body), rid)
        else:
            kernel.run_until_in(rid, res, sim.now + limit)
        self._waiting = None
        lat = sim.now - t0
        d = res.pop(rid, None)
        if d is None:
            self._avoid.add(dst)
            d = {"ok": False, "acks": 0, "need": self.cluster.w if op == "put" else self.cluster.r,
                 "coordinator": dst,
                 "reason": f"no reply from {dst} within {limit} ms (is it down or cut off?)"}
        else:
            self.latencies[op].append(lat)
        log = sim.log
        if log.enabled:
            row = (kernel.now, _DONE, rid, op, key, d["ok"], lat, self.mode, dst,
                   d.get("coordinator"))
            sink = log._sink
            if sink is None:
                log.emit_row(*row[1:])
            else:       # one write, t and kind first (see EventLog)
                sink(row)
        return d, lat

    def percentile(self, op: str, p: float) -> float:
        """The ``p``-th percentile of this client's ``op`` latencies (ms), by
        nearest rank: the smallest latency at or above which ``p`` percent lie.

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> c = SimpleNamespace(latencies={"put": list(range(1, 11))})
        >>> [Client.percentile(c, "put", p) for p in (10, 30, 50, 99.9)]
        [1.0, 3.0, 5.0, 10.0]
        """
        xs = sorted(self.latencies[op])
        if not xs:
            return 0.0
        # ceil, not round(): round() sends halves to even and was off by one.
        i = min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))
        return float(xs[i])
