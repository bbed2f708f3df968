"""Demo: Dynamo under faults (paper 4.4-4.6), for a projector.

Six nodes in three zones keep a shopping cart and a dozen other keys. Burn a
zone, cut the network in two, heal it: every write is still acknowledged
(sloppy quorum), hints pile up on the nodes that stood in and drain when
time runs, and writes on both sides of a cut become siblings that a read
shows and a write-back merges. It drives a :class:`~dynamo_lab.DynamoCluster`
and draws its :class:`~dynamo_lab.viz.HealthView` and the cart's
:class:`~dynamo_lab.viz.VersionView`.

Examples
--------
>>> d = FaultsDemo()
>>> d.burn_zone("az1"); d.write()
>>> d.acked, d.failed, d.hints_held() > 0
(13, 0, True)
>>> d.recover_zones(); d.run(2000); d.hints_held()
0
>>> d.cut(); d.write(); d.failed
0
>>> d.heal(); d.run(2000); d.read_and_merge(); d.last_siblings
2
>>> d.read_and_merge(); d.last_siblings
1
"""
from __future__ import annotations

import html
from typing import Any

from ..errors import UsageError
from .demo_base import Status, button, dashboard_frame, picture

__all__ = ["FaultsDemo", "dashboard"]

CART = "cart"
_ITEMS = ("book", "pen", "ink", "lamp", "mug", "tea", "map", "kite", "soap", "rope",
          "bell", "dice", "fan", "hat", "jam", "key")
_OTHER_KEYS = 12


class FaultsDemo:
    """The faults dashboard; its methods are what the controls do.

    Parameters
    ----------
    seed : int
        The same seed gives the same run for everyone in the room.
    """

    def __init__(self, seed: int = 4) -> None:
        from ..dynamo.cluster import DynamoCluster
        from ..viz import HealthView, VersionView
        self.cluster = DynamoCluster(nodes=6, zones=3, seed=seed)
        self.health = HealthView(self.cluster)
        self.versions = VersionView(self.cluster, key=CART)
        self.zones = sorted(set(self.cluster.zones.values()))
        self.sides: list[list[str]] | None = None
        self.context: dict[int, Any] = {}     # the last context per side of a cut
        self._values: dict[int, tuple] = {}   # the cart as each side last wrote it
        self.acked = self.failed = 0
        self.last_siblings = 0
        self.last_values: list = []
        self._next_item = 0
        self._round = 0
        self.status = Status()
        self._widget: Any = None

    # -- the actions -------------------------------------------------------
    def _up(self, nodes) -> list[str]:
        return [x for x in nodes if self.cluster.sim.network.is_up(x)]

    def write(self) -> None:
        """Add an item to the cart (once on each side of a cut) and write the
        other keys once more; count what was acknowledged."""
        with self.status.guard("write"):
            self._round += 1
            sides = self.sides or [list(self.cluster.nodes)]
            for i, side in enumerate(sides):
                up = self._up(side)
                if not up:
                    self.failed += 1
                    continue
                item = _ITEMS[self._next_item % len(_ITEMS)]
                self._next_item += 1
                before = self._cart_values(i)
                res = self.cluster.put(CART, tuple(sorted(set(before) | {item})),
                                       context=self.context.get(i), coordinator=up[0])
                self._count(res)
                if res.ok:
                    self.context[i] = res.context
                    self._values[i] = tuple(sorted(set(before) | {item}))
            everyone = self._up(self.cluster.nodes)
            for k in range(_OTHER_KEYS):
                res = self.cluster.put(f"item:{k}", self._round,
                                       coordinator=everyone[k % len(everyone)]
                                       if everyone else None)
                self._count(res)
            self.status.ok(f"write round {self._round}: {self.acked} acknowledged, "
                           f"{self.failed} failed so far")
        self.redraw()

    def _cart_values(self, side: int) -> tuple:
        return self._values.get(side, self._values.get(0, ()))

    def _count(self, res: Any) -> None:
        if res.ok:
            self.acked += 1
        else:
            self.failed += 1

    def burn_zone(self, zone: str) -> None:
        with self.status.guard("burn zone"):
            self.cluster.crash_zone(zone)
            self.status.ok(f"{zone} is down: its nodes stop; the hints they hold wait on their disks until they recover")
        self.redraw()

    def recover_zones(self) -> None:
        with self.status.guard("recover"):
            for z in self.zones:
                self.cluster.recover_zone(z)
            self.status.ok("every zone is back up; run time to let the hints drain")
        self.redraw()

    def cut(self) -> None:
        """Cut the first zone off from the other two."""
        with self.status.guard("cut"):
            first = self.zones[0]
            a = [x for x in self.cluster.nodes if self.cluster.zones[x] == first]
            b = [x for x in self.cluster.nodes if self.cluster.zones[x] != first]
            self.cluster.partition(a, b)
            # A node learns that a peer is unreachable from its own requests
            # (paper 4.8.3), not from gossip: each node reads a few keys, the
            # requests across the cut time out, and the far side is marked
            # down, so the writes that follow go to stand-ins at once.
            for node in self._up(a) + self._up(b):
                for k in range(3):
                    self.cluster.get(f"item:{k}", coordinator=node)
            self.cluster.run(ms=2000)
            self.sides = [a, b]
            self.context = {0: self.context.get(0), 1: self.context.get(0)}
            self._values[1] = self._values.get(0, ())
            self.status.ok(f"network cut: {', '.join(a)} | {', '.join(b)} (each node's first "
                           f"requests across it timed out, so it knows); a write now happens "
                           f"on each side")
        self.redraw()

    def heal(self) -> None:
        with self.status.guard("heal"):
            self.cluster.heal()
            self.sides = None
            self.status.ok("the network is whole again; run 2 s, then read to see the siblings")
        self.redraw()

    def run(self, ms: int = 2000) -> None:
        with self.status.guard("run"):
            self.cluster.run(ms=ms)
            held = self.hints_held()
            self.status.ok(f"{ms / 1000:g} s of virtual time (t = {self.cluster.sim.now / 1000:g} s): "
                           f"handoff, gossip, anti-entropy; "
                           + ("every hint delivered" if held == 0 else
                              f"{held} hint{'' if held == 1 else 's'} held: each goes home once its "
                              "node is back and its holder's next scan finds it"))
        self.redraw()

    def read_and_merge(self) -> None:
        """Read the cart; if it has siblings, write back their union (one merge)."""
        from ..dynamo.vclock import union_merge
        with self.status.guard("read"):
            res = self.cluster.get(CART)
            if not res.ok:
                raise UsageError(f"the read failed: {res.reason}")
            self.last_siblings = res.siblings
            self.last_values = [tuple(v) for v in res.values]
            shown = " | ".join("{" + ", ".join(v) + "}" for v in self.last_values)
            if res.siblings > 1:
                merged = tuple(sorted(union_merge(res.values)))
                put = self.cluster.put(CART, merged, context=res.context)
                self._count(put)
                if put.ok:
                    self.context = {0: put.context}
                    self._values = {0: merged}
                self.status.ok(f"read {res.siblings} siblings: {shown}; wrote back their "
                               f"union, one version again")
            else:
                self.status.ok(f"read 1 version: {shown or 'empty cart'}")
        self.redraw()

    # -- reading -----------------------------------------------------------
    def _count_kind(self, kind: str) -> int:
        return len(self.cluster.sim.log.of_kind(kind))

    def hints_held(self) -> int:
        """Hints held now, as the health view counts them (a newer hint for the
        same key replaces an older one; delivered and lost ones are gone)."""
        return int(self.health.hints()["held"])

    def facts(self) -> str:
        down = [x for x in self.cluster.nodes if not self.cluster.sim.network.is_up(x)]
        cut = (" | ".join(", ".join(s) for s in self.sides)) if self.sides else "none"
        rows = [("writes acknowledged", f"{self.acked:,}"), ("writes failed", f"{self.failed:,}"),
                ("hints held now", f"{self.hints_held():,}"),
                ("hints delivered", f"{self._count_kind('hint.delivered'):,}"),
                ("siblings at the last read", f"{self.last_siblings}"),
                ("nodes down", ", ".join(down) or "none"), ("network cut", cut),
                ("virtual time", f"{self.cluster.sim.now / 1000:,.1f} s")]
        body = "".join(f'<tr><th style="text-align:left">{html.escape(a)}</th>'
                       f'<td class="dl-demo-{a.split()[0]}-{a.split()[1]}">{html.escape(b)}'
                       f"</td></tr>" for a, b in rows)
        return f'<div class="dl-demo-facts"><table>{body}</table></div>'

    def redraw(self) -> None:
        if self._widget is None:
            return
        self._health_pic.value = self.health._repr_html_()
        self._version_pic.value = self.versions._repr_html_()
        self._facts.value = self.facts()

    @property
    def widget(self) -> Any:
        if self._widget is None:
            self._widget = self._build()
            self.redraw()
        return self._widget

    def _build(self) -> Any:
        import ipywidgets as w
        zone = w.Dropdown(options=self.zones, value=self.zones[0], layout=w.Layout(width="90px"))
        zone.add_class("dl-demo-zone")
        actions = [
            (button("write", "dl-demo-write", "primary"), lambda: self.write()),
            (button("burn zone", "dl-demo-burn", "danger"), lambda: self.burn_zone(zone.value)),
            (button("recover zones", "dl-demo-recover"), lambda: self.recover_zones()),
            (button("cut partition", "dl-demo-cut", "warning"), lambda: self.cut()),
            (button("heal", "dl-demo-heal", "success"), lambda: self.heal()),
            (button("run 2 s", "dl-demo-run"), lambda: self.run(2000)),
            (button("read & merge", "dl-demo-read", "info"), lambda: self.read_and_merge()),
        ]
        for b, act in actions:
            b.on_click(lambda _b, act=act: act())
        btn = [b for b, _ in actions]
        self._health_pic, self._version_pic = picture("dl-demo-health"), picture("dl-demo-versions")
        self._facts = picture("dl-demo-facts-box")
        return dashboard_frame(
            "Dynamo under faults: always writeable",
            "Write, then burn a zone or cut the network and write again; run time "
            "to drain the hints; heal, then read & merge the siblings.",
            [w.HBox([btn[0], btn[6], btn[5]]), w.HBox([zone, btn[1], btn[2]]),
             w.HBox([btn[3], btn[4]]), self.status.widget, self._facts],
            [self._health_pic, self._version_pic], width="430px")


def dashboard(**kwargs: Any) -> Any:
    """The faults demo's dashboard widget (what ``demos/faults.ipynb`` shows)."""
    return FaultsDemo(**kwargs).widget
