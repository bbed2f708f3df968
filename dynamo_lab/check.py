"""Checkers for runs of the Dynamo store, in the spirit of Jepsen.

Two checkers read what clients saw and what the cluster holds at the end:

* :func:`check_history` goes key by key through a
  :class:`~dynamo_lab.dynamo.cluster.DynamoCluster`'s ``history`` (every
  get and put the client made, with its outcome) and the final versions.
  An acknowledged write is *kept* when some final version is it or descends
  from it (a later write subsumed it); otherwise it is *lost*. It also counts
  unexpected values (never written), sibling reads, sibling resolutions and
  stale reads (a get that started after a write was acknowledged but did not
  see it or a descendant).
* :func:`check_set` is Jepsen's set checker: elements added (acknowledged or
  not) against the set read at the end: ``ok``, ``lost``, ``unexpected``,
  ``recovered`` (added by a failed request, yet present).

Examples
--------
>>> from dynamo_lab.dynamo.cluster import DynamoCluster
>>> c = DynamoCluster(nodes=4, seed=1)
>>> a = c.put("k", "a")
>>> b = c.put("k", "b", context=c.get("k").context)
>>> r = check_history(c)
>>> r.ok, r.acked, r.lost, r.stale_reads
(True, 2, (), 0)
>>> check_set({"x": True, "y": False, "z": True}, {"x", "y"})
SetReport(ok=1, lost=('z',), unexpected=(), recovered=('y',))
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

__all__ = ["HistoryReport", "SetReport", "check_history", "check_set", "cart_elements"]


@dataclass
class HistoryReport:
    """What :func:`check_history` found.

    ``lost`` holds ``(key, clock, value)`` of acknowledged writes that no final
    version descends from; ``unexpected`` holds ``(key, value)`` of final
    values no put ever wrote.
    """

    keys: int = 0
    acked: int = 0
    failed: int = 0
    lost: tuple = ()
    unexpected: tuple = ()
    sibling_reads: int = 0
    siblings_resolved: int = 0
    final_siblings: int = 0
    stale_reads: int = 0
    reads: int = 0
    per_key: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No acknowledged write lost and nothing unexpected."""
        return not self.lost and not self.unexpected

    def __repr__(self) -> str:
        return (f"HistoryReport(ok={self.ok}, keys={self.keys}, acked={self.acked}, "
                f"failed={self.failed}, lost={len(self.lost)}, "
                f"unexpected={len(self.unexpected)}, sibling_reads={self.sibling_reads}, "
                f"siblings_resolved={self.siblings_resolved}, "
                f"final_siblings={self.final_siblings}, stale_reads={self.stale_reads}/"
                f"{self.reads})")


def _contains(values: list, v: Any) -> bool:
    return any(v == x for x in values)


def check_history(cluster, history: Iterable[dict] | None = None,
                  final: dict[str, list] | None = None) -> HistoryReport:
    """Check a cluster's client history against what it holds now.

    Parameters
    ----------
    cluster : DynamoCluster
        Supplies ``history`` and the final versions (every replica and hint,
        reconciled) unless they are given.
    history : iterable of dict, optional
        Records like those in ``cluster.history``.
    final : dict, optional
        ``{key: [Version, ...]}``; default ``cluster.final_versions(key)``.

    Cost: O(h * v) for h history records and v final versions per key.
    """
    hist = list(cluster.history if history is None else history)
    keys = sorted({h["key"] for h in hist})
    if final is None:
        final = {k: cluster.final_versions(k) for k in keys}
    rep = HistoryReport(keys=len(keys))
    lost, unexpected = [], []
    for key in keys:
        hs = [h for h in hist if h["key"] == key]
        fin = final.get(key, [])
        written = [h["value"] for h in hs if h["op"] == "put"]
        puts_ok = [h for h in hs if h["op"] == "put" and h["ok"]]
        rep.acked += len(puts_ok)
        rep.failed += sum(1 for h in hs if h["op"] == "put" and not h["ok"])
        klost = [(key, h["clock"].entries, h["value"]) for h in puts_ok
                 if not any(v.clock.descends(h["clock"]) for v in fin)]
        lost += klost
        kunexp = [(key, v.value) for v in fin if not _contains(written, v.value)]
        unexpected += kunexp
        rep.final_siblings += max(0, len(fin) - 1)
        stale = sib = resolved = 0
        seen_siblings: list = []
        for h in hs:
            if h["op"] == "get" and h["ok"]:
                rep.reads += 1
                if len(h["clocks"]) > 1:
                    sib += 1
                    seen_siblings.append(h["clocks"])
                before = [p for p in puts_ok if p["t1"] <= h["t0"]]
                if before:
                    newest = before[-1]["clock"]
                    if not any(c.descends(newest) for c in h["clocks"]):
                        stale += 1
            elif h["op"] == "put" and h["ok"] and seen_siblings:
                ctx = h["context"]
                if any(all(ctx.descends(c) for c in group) for group in seen_siblings):
                    resolved += 1
                    seen_siblings.clear()
        rep.sibling_reads += sib
        rep.siblings_resolved += resolved
        rep.stale_reads += stale
        rep.per_key[key] = {"acked": len(puts_ok), "lost": len(klost),
                            "unexpected": len(kunexp), "final_versions": len(fin),
                            "sibling_reads": sib, "resolved": resolved, "stale_reads": stale}
    rep.lost = tuple(lost)
    rep.unexpected = tuple(unexpected)
    return rep


@dataclass(frozen=True)
class SetReport:
    """Jepsen's set checker result (elements sorted by their repr)."""

    ok: int
    lost: tuple
    unexpected: tuple
    recovered: tuple

    @property
    def valid(self) -> bool:
        return not self.lost and not self.unexpected


def check_set(attempts: dict[Any, bool], final: Iterable[Any]) -> SetReport:
    """Compare added elements with the set read at the end.

    ``attempts`` maps each element a client tried to add to whether the add
    was acknowledged. O(a + f).
    """
    fin = set(final)
    acked = {e for e, ok in attempts.items() if ok}
    order = lambda xs: tuple(sorted(xs, key=repr))  # noqa: E731
    return SetReport(ok=len(acked & fin), lost=order(acked - fin),
                     unexpected=order(fin - set(attempts)),
                     recovered=order((set(attempts) - acked) & fin))


def cart_elements(cluster, key: str) -> set:
    """The union of the items in every final version of a set-valued key."""
    out: set = set()
    for v in cluster.final_versions(key):
        out |= set(v.value)
    return out
