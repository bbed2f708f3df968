"""Hinted handoff (Dynamo paper 4.6) and background admission control (6.5).

A node holding hinted replicas keeps them in a separate local database
(the store's hint table) and scans them periodically. For every target it
believes is up again it sends the hinted versions; when the target confirms
it stored them, the holder deletes the hints (``hint.delivered``). Being on
disk, hints survive a restart of their holder; if the holder fails for good
first (``crash(node, lose_disk=True)``), the hints are gone (``hint.lost``)
and only anti-entropy can repair the target (paper 4.7).

Background work (handoff and anti-entropy) runs only while this node's recent
foreground latency is under ``cluster.admission_ms``; otherwise the slice is
skipped and a ``background.deferred`` event says why.

Examples
--------
>>> from dynamo_lab.dynamo.cluster import DynamoCluster
>>> c = DynamoCluster(nodes=["A", "B", "C", "D"], seed=3)
>>> home = c.preference_list("cart")[:3]
>>> c.crash(home[1])
>>> c.put("cart", {"pen"}).ok
True
>>> c.run(ms=100)    # the silent home is noticed; a fallback gets a hinted copy
>>> [(h.node, h.target) for h in c.hints()] == [(c.preference_list("cart")[3], home[1])]
True
>>> c.recover(home[1]); c.run(ms=3000)
>>> c.hints()
[]
"""
from __future__ import annotations

from typing import Any

from ..sim.simulation import SLEEP

__all__ = ["HandoffMixin"]


class HandoffMixin:
    """Periodic scan of hints, delivery, deletion on confirmation."""

    def admitted(self, task: str) -> bool:
        """Whether background ``task`` may run now (paper 6.5)."""
        limit = self.cluster.admission_ms
        if not limit:
            return True
        # foreground_latency(), one call less: every anti-entropy round asks
        ls = self.latencies
        lat = max(ls[-32:]) if ls else 0
        if lat <= limit:
            return True
        self.sim.log.emit("background.deferred", node=self.name, task=task,
                          latency_ms=lat, threshold_ms=limit)
        # Forget the slow samples slowly, so a quiet node resumes its chores.
        del self.latencies[: max(1, len(self.latencies) // 2)]
        return False

    def _handoff_scan(self) -> Any:
        if not self.up:
            return None     # hints survive a crash: scan again after the restart
        pending = self._orphan_scan()
        store = self.store
        if not store.hint_count():
            if self.leaving:
                if not store.keys() and not self._offers:
                    self.cluster._retire(self.name)
                return None
            # Nothing to hand over: sleep until a hint is stored, a write
            # lands in a range this node no longer replicates, the ring
            # changes or the node starts to leave (each wakes the scan).
            return None if pending else SLEEP
        if not self.admitted("handoff"):
            return
        batches: dict[tuple, list] = {}
        ring = self.cluster.ring
        for target, key, version in store.hints():
            dst = target
            if target not in ring:
                # The home node left for good: hand the copy to a node that
                # replicates the key now, so the write is not stranded.
                dst = next((h for h in self.plan(key).homes
                            if h != self.name and h not in self.down), None)
                if dst is None:
                    continue
            elif target in self.down:
                continue
            batches.setdefault((dst, target), []).append((key, version))
        for (dst, target), items in sorted(batches.items()):
            self.send(dst, "handoff", (target, tuple(items)))

    def on_handoff(self, src: str, body: tuple) -> None:
        target, items = body
        done = []
        for key, version in items:
            self.write_local(key, version, None, "handoff")
            done.append((key, version.clock))
        self.send(src, "handoff_ack", (target, tuple(done)))

    def on_handoff_ack(self, src: str, body: tuple) -> None:
        target, done = body
        if target is None:
            return self._orphan_ack(src, done)
        log = self.sim.log
        for key, clock in done:
            if self.store.drop_hint(target, key, clock) and log.enabled:
                log.emit("hint.delivered", node=self.name, target=target, key=key,
                         clock=clock.entries, to=src)

    # -- data this node no longer replicates (paper 4.9) -------------------
    def _orphan_scan(self) -> bool:
        """Hand keys of ranges this node is no longer a home of to the homes;
        delete each once every current home confirmed it. Returns whether
        any such key is left."""
        c = self.cluster
        self._sync_ranges()
        if not self._orphan_ends:
            return False
        batches: dict[str, list] = {}
        pending = False
        for end in sorted(self._orphan_ends):
            homes = c.range_homes(end)
            for key in sorted(self._range_keys[end]):
                vs = self.store.get(key)
                if not vs:
                    continue
                pending = True
                acked = self._orphans.setdefault(key, set())
                for h in homes:
                    if h not in acked and h not in self.down:
                        batches.setdefault(h, []).extend((key, v) for v in vs)
        for h, items in sorted(batches.items()):
            self.send(h, "handoff", (None, tuple(items)))
        return pending

    def _orphan_ack(self, src: str, done: tuple) -> None:
        c = self.cluster
        for key in sorted({k for k, _ in done}):
            acked = self._orphans.setdefault(key, set())
            acked.add(src)
            end = c.key_ranges.range_of(self._position(key))[1]
            homes = c.range_homes(end)
            if self.name not in homes and all(h in acked for h in homes):
                self.store.delete(key)
                self._range_dirty(key)
                del self._orphans[key]
                self.sim.log.emit("replica.handed_off", node=self.name, key=key, to=homes)

    def hint_summary(self) -> dict[str, Any]:
        """How many hints this node holds, per target."""
        out: dict[str, int] = {}
        for t, _k, _v in self.store.hints():
            out[t] = out.get(t, 0) + 1
        return out
