"""Membership by gossip and local failure detection (Dynamo paper 4.8).

Membership changes are explicit: an administrator joins or removes a node,
and that change is written into a *membership history* entry
``(version, status, zone, tokens)`` for the node, where status is
``'joined'`` or ``'left'``. Every second each node picks a random peer it
knows and the two exchange their views (push-pull); for each node the entry
with the higher version wins. Views are compared by digest first, so a round
between two nodes that already agree is one message, not two. Seed nodes are known to every node from the
start, so two nodes joining at once cannot form separate rings (logical
partitions) - they both reach a seed.

Failure detection is separate and *local*: node A thinks B is down when B
does not answer A's messages (requests, forwards) in time, and probes B
periodically until it answers. C may still think B is fine. These opinions
are never gossiped, and gossip itself waits for no answer (paper 4.8.3:
without requests between two nodes, neither needs to know whether the other
is reachable). A probe with nobody to probe sleeps until someone is thought
down.

Examples
--------
>>> v = MemberView("A")
>>> v.set("A", 1, "joined", "az1", (10, 20))
True
>>> other = MemberView("B")
>>> _ = other.set("B", 1, "joined", "az2", (30,))
>>> v.merge(other)
('B',)
>>> v.up_members()
['A', 'B']
>>> v.merge(other)
()
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping, NamedTuple

from ..events import row_kind
from ..sim.simulation import SLEEP

__all__ = ["MemberView", "ViewSnapshot", "GossipMixin", "FailureDetectorMixin"]

# one per gossip round of every node: written as a row (EventLog.emit_row)
_EXCHANGE = row_kind("gossip.exchange", "src", "dst", "learned_src", "learned_dst",
                     "view_size")


class ViewSnapshot(NamedTuple):
    """A membership view frozen at one moment: what a gossip message carries.

    ``entries`` is a read-only copy, so a message in flight shows the view
    as it was when sent, never the sender's later changes.
    """

    owner: str
    digest: int
    entries: Mapping[str, tuple]


class MemberView:
    """One node's membership history: ``{node: (version, status, zone, tokens)}``.

    Entries are immutable tuples; :meth:`snapshot` freezes the whole view for
    a gossip message. ``merge`` is O(m) for m entries.
    """

    __slots__ = ("owner", "entries", "_up", "stamp", "digest", "_snap")

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.entries: dict[str, tuple] = {}
        self._up: list[str] | None = None
        self.stamp = 0  # bumped on every change; lets callers cache derived data
        # XOR of hash((node, version)) over the entries: equal digests mean
        # equal views, so converged peers skip the O(m) merge.
        self.digest = 0
        self._snap: ViewSnapshot | None = None

    def snapshot(self) -> ViewSnapshot:
        """The view as it is now, frozen. O(m) after a change, then O(1):
        views change rarely, and gossip sends one every round."""
        snap = self._snap
        if snap is None:
            snap = self._snap = ViewSnapshot(self.owner, self.digest,
                                             MappingProxyType(dict(self.entries)))
        return snap

    def set(self, node: str, version: int, status: str, zone: Any, tokens: tuple) -> bool:
        """Record an entry if it is newer than what the view holds."""
        cur = self.entries.get(node)
        if cur is not None and cur[0] >= version:
            return False
        if cur is not None:
            self.digest ^= hash((node, cur[0]))
        self.digest ^= hash((node, version))
        self.entries[node] = (version, status, zone, tokens)
        self._up = None
        self._snap = None
        self.stamp += 1
        return True

    def merge(self, other: "MemberView | ViewSnapshot | Mapping[str, tuple]") -> tuple[str, ...]:
        """Take every newer entry of ``other``; return the nodes learned about."""
        mine = self.entries
        if isinstance(other, (MemberView, ViewSnapshot)):
            if other.digest == self.digest and len(other.entries) == len(mine):
                return ()
            other = other.entries
        if other is mine:
            return ()
        learned = []
        d = self.digest
        for node, e in other.items():
            cur = mine.get(node)
            if cur is None or e[0] > cur[0]:
                if cur is not None:
                    d ^= hash((node, cur[0]))
                d ^= hash((node, e[0]))
                mine[node] = e
                learned.append(node)
        if learned:
            self.digest = d
            self._up = None
            self._snap = None
            self.stamp += 1
        return tuple(learned)

    def up_members(self) -> list[str]:
        """Nodes whose latest entry says ``'joined'``, sorted. O(1) when cached."""
        if self._up is None:
            self._up = sorted(n for n, e in self.entries.items() if e[1] == "joined")
        return self._up

    def status(self, node: str) -> str | None:
        e = self.entries.get(node)
        return e[1] if e else None

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"<MemberView of {self.owner}: {len(self.up_members())} up of {len(self.entries)}>"


class FailureDetectorMixin:
    """Local, timeout-based opinions about peers (mixed into the node).

    ``self.down`` maps a peer to the virtual time this node started to think
    it was down. Any message from the peer clears it (:meth:`heard_from`).
    """

    def mark_down(self, peer: str, reason: str) -> None:
        if peer == self.name or peer in self.down:
            return
        self.down[peer] = self.sim.now
        self.wake("probe")
        log = self.sim.log
        if log.enabled:
            log.emit("member.down", observer=self.name, node=peer, reason=reason)

    def heard_from(self, peer: str) -> None:
        """Any message from ``peer`` answers for it: it clears a suspicion."""
        self.mark_up(peer)

    def mark_up(self, peer: str) -> None:
        if self.down.pop(peer, None) is not None and self.sim.log.enabled:
            self.sim.log.emit("member.up", observer=self.name, node=peer)

    def _probe(self) -> Any:
        """Retry every peer this node thinks is down (paper 4.8); with none
        thought down, sleep until :meth:`mark_down` wakes the probe."""
        if not self.down:
            return SLEEP
        if not self.up:
            return None
        for peer in sorted(self.down):
            self.send(peer, "ping", None)

    def on_ping(self, src: str, body: Any) -> None:
        self.send(src, "pong", None)

    def on_pong(self, src: str, body: Any) -> None:
        pass  # receiving anything from src already cleared the suspicion


class GossipMixin:
    """Push-pull gossip of membership views, one random peer per round.

    A round is one message when the two views already agree, which is most
    rounds once membership has settled: the initiator pushes its view (a
    snapshot whose digest is compared first, O(1)); a peer holding the same
    view has nothing to send back, and logs the round (``gossip.exchange``)
    itself. A peer whose view differed merges it and, unless it then holds
    exactly the initiator's view, replies with its own (the pull).

    Gossip is not a failure detector (paper 4.8.3: a node learns that a peer
    is unresponsive from the peer's silence to its own requests, and "in the
    absence of client requests ... neither node really needs to know"), so a
    round waits for no reply and arms no timer.
    """

    def _gossip_round(self) -> None:
        if not self.up:
            return
        view = self.view
        peers = view._up or view.up_members()       # the cached list, if any
        n = len(peers)
        if n <= 1:
            return
        # _randbelow(n) is randrange(n) (the same draws) without its checks
        below = self._rng._randbelow
        peer = peers[below(n)]
        if peer == self.name:
            peer = peers[(peers.index(peer) + 1 + below(n - 1)) % n]
        self.gossip_rounds += 1
        snap = view._snap or view.snapshot()
        self._net_send(self.name, peer, "gossip", ("gossip", snap), None)   # = self.send

    def on_gossip(self, src: str, view: ViewSnapshot) -> None:
        mine = self.view
        size = len(mine.entries)
        if view.digest == mine.digest and len(view.entries) == size:
            learned: tuple = ()       # the same view: nothing to pull
        else:
            learned = mine.merge(view)
            size = len(mine.entries)
            if learned:
                self._membership_changed(learned)
                log = self.sim.log
                if log.enabled:     # logged here too: the reply (and its event) may be lost
                    log.emit("gossip.merge", node=self.name, src=src, learned=learned,
                             view_size=size)
            if view.digest != mine.digest or len(view.entries) != size:
                self.send(src, "gossip_reply", (mine.snapshot(), learned))
                return
        # Both sides now hold the same view: the round ends here.
        log = self.sim.log
        if log.enabled:
            sink = log._sink
            if sink is None:
                log.emit_row(_EXCHANGE, src, self.name, (), learned, size)
            else:       # one write, t and kind first (see EventLog)
                sink((self._kernel.now, _EXCHANGE, src, self.name, (), learned, size))

    def on_gossip_reply(self, src: str, body: tuple) -> None:
        entries, learned_there = body
        learned = self.view.merge(entries)
        if learned:
            self._membership_changed(learned)
        log = self.sim.log
        if log.enabled:
            log.emit_row(_EXCHANGE, self.name, src, learned, learned_there,
                         len(self.view.entries))

    def on_membership_req(self, src: str, body: Any) -> None:
        """A client-driven client pulls this node's membership (paper 6.4)."""
        self.send(src, "membership_reply", dict(self.view.entries))

    def _membership_changed(self, learned: tuple) -> None:
        """Hook for nodes: derived routing data depends on the view."""
