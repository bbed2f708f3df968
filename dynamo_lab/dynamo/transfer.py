"""Key range transfer when nodes join or leave (Dynamo paper 4.9).

When a node joins, each node that is no longer responsible for some key
ranges *offers* them to the newcomer; the newcomer *confirms*; the ranges'
keys are sent; once the newcomer acknowledges them, the old holder deletes
the keys it no longer replicates. A leaving node hands its ranges the same
way to the nodes that take its place. Keys a node no longer replicates are
deleted by the orphan scan of :mod:`.handoff` once every node that now
replicates them confirmed them.

Examples
--------
>>> from dynamo_lab.dynamo.cluster import DynamoCluster
>>> c = DynamoCluster(nodes=["A", "B", "C"], seed=5)
>>> for i in range(20):
...     _ = c.put(f"k{i}", i)
>>> c.add_node("D")
>>> c.run(ms=1000)
>>> sorted(set(e.kind for e in c.sim.log.of_kind("transfer.*")))
['transfer.confirm', 'transfer.done', 'transfer.offer']
>>> all(c.get(f"k{i}").value == i for i in range(20))
True
"""
from __future__ import annotations

from .merkle import in_range

__all__ = ["TransferMixin"]


class TransferMixin:
    """Offer, confirm, send, acknowledge, delete."""

    def offer_ranges(self, dst: str, ranges: tuple) -> None:
        """Offer the keys of ``ranges`` (``(start, end)`` pairs) to ``dst``."""
        if not self.up:
            return
        tid = self.cluster._next_xid()
        self._offers[tid] = (dst, ranges)
        log = self.sim.log
        if log.enabled:
            log.emit("transfer.offer", tid=tid, src=self.name, dst=dst, ranges=tuple(ranges))
        self.send(dst, "transfer_offer", (tid, ranges))

    def on_transfer_offer(self, src: str, body: tuple) -> None:
        tid, ranges = body
        self.sim.log.emit("transfer.confirm", tid=tid, src=src, dst=self.name)
        self.send(src, "transfer_confirm", tid)

    def on_transfer_confirm(self, src: str, tid: int) -> None:
        offer = self._offers.get(tid)
        if offer is None:
            return
        _dst, ranges = offer
        items = []
        for key in self.store.keys():
            p = self._position(key)
            if any(in_range(p, s, e) for s, e in ranges):
                items.append((key, self.store.get(key)))
        self.send(src, "transfer_data", (tid, tuple(items)))

    def on_transfer_data(self, src: str, body: tuple) -> None:
        tid, items = body
        for key, versions in items:
            for v in versions:
                self.write_local(key, v, None, "transfer")
        self.send(src, "transfer_ack", (tid, tuple(k for k, _ in items)))

    def on_transfer_ack(self, src: str, body: tuple) -> None:
        tid, keys = body
        if self._offers.pop(tid, None) is None:
            return
        # Keys are deleted later, by the orphan scan (handoff.py), once every
        # node now replicating them has confirmed: never on one ack alone.
        log = self.sim.log
        if log.enabled:
            log.emit("transfer.done", tid=tid, src=self.name, dst=src, keys=len(keys),
                     moved=tuple(keys))
