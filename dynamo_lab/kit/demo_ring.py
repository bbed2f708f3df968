"""Demo: the ring (Dynamo 4.2, 4.3, 6.2), for a projector.

Add and remove nodes, change the virtual nodes per node and the strategy,
type a key: the ring redraws with the key's preference list, and the load
per node (2,000 keys, each stored on N nodes) shows how even the ring is.
It drives :class:`~dynamo_lab.Ring` through a
:class:`~dynamo_lab.viz.RingView`'s commands and draws that view and a
:class:`~dynamo_lab.viz.LoadView`.

Examples
--------
>>> d = RingDemo()
>>> d.preference_list()
['D', 'A', 'B']
>>> d.add_node(); d.ring.nodes
['A', 'B', 'C', 'D', 'E', 'F']
>>> d.set_vnodes(1); round(d.load.efficiency(), 2) < 0.8
True
>>> d.set_key("order:42"); d.preference_list()[0] in d.ring.nodes
True
"""
from __future__ import annotations

import html
from typing import Any

from ..errors import ArgumentError
from ..text import noun
from .demo_base import Status, button, dashboard_frame, picture

__all__ = ["RingDemo", "dashboard", "STRATEGIES"]

#: The paper's three strategies (6.2), as the dropdown names them.
STRATEGIES = (("1: T random tokens per node", 1),
              ("2: T random tokens, Q equal partitions", 2),
              ("3: Q/S tokens per node, Q equal partitions", 3))
_SAMPLE = 2000


class RingDemo:
    """The ring dashboard; its methods are what the controls do.

    Parameters
    ----------
    nodes : int
        Nodes at the start, named A, B, C...
    vnodes : int
        Tokens (virtual nodes) per node.
    key : str
        The key whose preference list is shown.
    n : int
        N, the preference list's length.
    seed : int
        Seeds the tokens: the same seed draws the same ring for the room.
    """

    def __init__(self, nodes: int = 5, vnodes: int = 8, key: str = "cart:alice",
                 n: int = 3, seed: int = 7) -> None:
        from ..dynamo.ring import Ring
        from ..viz import LoadView, RingView
        ring = Ring(strategy=1, tokens_per_node=vnodes, seed=seed, n=n)
        for i in range(nodes):
            ring.add_node(chr(65 + i))
        keys = [f"key{i}" for i in range(_SAMPLE)]
        self.view = RingView(ring, key=key, n=n, keys=keys[:200])
        self.load = LoadView(ring, keys=keys, n=n)
        self.status = Status()
        self._widget: Any = None

    # -- the actions -------------------------------------------------------
    @property
    def ring(self):
        """The Ring now drawn (a new one after a change of strategy or vnodes)."""
        return self.view.engine

    def _command(self, cmd: str, **args: Any) -> None:
        self.view.command(cmd, **args)
        if self.view.status:
            raise ArgumentError(self.view.status.split(": ", 1)[-1])

    def add_node(self) -> None:
        with self.status.guard("add node"):
            self._command("add_node")
            self.status.ok(f"added {self.ring.nodes[-1]}: it took over ranges from its "
                           "neighbours (flashed on the ring)")
        self.redraw()

    def remove_node(self, node: str | None = None) -> None:
        with self.status.guard("remove node"):
            if len(self.ring.nodes) <= 1:
                raise ArgumentError("keep at least one node on the ring")
            node = node or self.ring.nodes[-1]
            self._command("remove_node", node=node)
            self.status.ok(f"removed {node}: its ranges went to the next nodes clockwise")
        self.redraw()

    def set_vnodes(self, vnodes: int) -> None:
        with self.status.guard("virtual nodes"):
            self._command("set_vnodes", value=int(vnodes))
            self.status.ok(f"{int(vnodes)} virtual node{'s' if int(vnodes) != 1 else ''} "
                           "per node")
        self.redraw()

    def set_strategy(self, strategy: int) -> None:
        with self.status.guard("strategy"):
            self._command("set_strategy", value=int(strategy))
            self.status.ok(f"strategy {int(strategy)}")
        self.redraw()

    def set_key(self, key: str) -> None:
        with self.status.guard("key"):
            if not key.strip():
                raise ArgumentError("type a key, such as cart:alice")
            self.view.key = key.strip()
            self.status.ok(f"key {key.strip()!r}")
        self.redraw()

    def set_n(self, n: int) -> None:
        self.view.n = self.load.n = int(n)
        self.redraw()

    def preference_list(self) -> list[str]:
        """The key's preference list, coordinator first."""
        return self.view.preference_list()

    # -- the pictures ------------------------------------------------------
    def facts(self) -> str:
        """The key's preference list and the load table, as HTML."""
        pref = self.preference_list()
        load = self.load.loads()
        mean = sum(load.values()) / max(1, len(load))
        rows = "".join(f"<tr><td style=\"text-align:left\">{html.escape(node)}</td>"
                       f"<td>{count:,}</td><td>{round((count / mean - 1) * 100) if mean else 0:+d}%"
                       f"</td></tr>" for node, count in load.items())
        first = (f"<b>{html.escape(pref[0])}</b> (coordinator)" + "".join(
            f", {html.escape(x)}" for x in pref[1:])) if pref else "no node"
        return (f'<div class="dl-demo-facts"><div class="dl-demo-big dl-demo-pref">'
                f'{html.escape(self.view.key)} &rarr; {first}</div>'
                f"<p>Load: {_SAMPLE:,} keys, each on N={self.view.n} {noun(self.view.n, 'node')}. Efficiency "
                f"(mean/max) <b class=\"dl-demo-efficiency\">{self.load.efficiency():.2f}</b>"
                f"</p><table><tr><th>node</th><th>keys</th><th>vs mean</th></tr>{rows}"
                f"</table></div>")

    def redraw(self) -> None:
        """Redraw the pictures (no-op before the dashboard is built)."""
        if self._widget is None:
            return
        self._ring_pic.value = self.view._repr_html_()
        self._load_pic.value = self.load._repr_html_()
        self._facts.value = self.facts()
        nodes = list(self.ring.nodes)
        self._node.options = nodes
        self._node.value = nodes[-1] if nodes else None

    @property
    def widget(self) -> Any:
        """The dashboard (built on first use)."""
        if self._widget is None:
            self._widget = self._build()
            self.redraw()
        return self._widget

    def _build(self) -> Any:
        import ipywidgets as w
        strategy = w.Dropdown(options=STRATEGIES, value=self.view.state.strategy,
                              description="strategy", style={"description_width": "initial"},
                              layout=w.Layout(width="390px"))
        strategy.add_class("dl-demo-strategy")
        vnodes = w.IntSlider(value=self.view.state.tokens_per_node or 8, min=1, max=32,
                             description="vnodes", continuous_update=False)
        vnodes.add_class("dl-demo-vnodes")
        n = w.IntSlider(value=self.view.n, min=1, max=5, description="N",
                        continuous_update=False)
        n.add_class("dl-demo-n")
        key = w.Text(value=self.view.key, description="key", continuous_update=False)
        key.add_class("dl-demo-key")
        add, remove = button("add node", "dl-demo-add", "success"), \
            button("remove node", "dl-demo-remove", "warning")
        self._node = w.Dropdown(options=list(self.ring.nodes), layout=w.Layout(width="80px"))
        self._node.add_class("dl-demo-node")
        add.on_click(lambda _b: self.add_node())
        remove.on_click(lambda _b: self.remove_node(self._node.value))
        vnodes.observe(lambda ch: self.set_vnodes(ch["new"]), names="value")
        strategy.observe(lambda ch: self.set_strategy(ch["new"]), names="value")
        n.observe(lambda ch: self.set_n(ch["new"]), names="value")
        key.observe(lambda ch: self.set_key(ch["new"]), names="value")
        self._ring_pic, self._load_pic = picture("dl-demo-ring"), picture("dl-demo-load")
        self._facts = picture("dl-demo-facts-box")
        controls = w.VBox([w.HBox([add, self._node, remove]), key, n, vnodes, strategy,
                           self.status.widget])
        return dashboard_frame(
            "The ring: consistent hashing with virtual nodes",
            "Add or remove a node, change the virtual nodes or the strategy, type a "
            "key: who stores it, and how even is the load?",
            [controls, self._facts], [self._ring_pic, self._load_pic], width="400px")


def dashboard(**kwargs: Any) -> Any:
    """The ring demo's dashboard widget (what ``demos/ring.ipynb`` shows)."""
    return RingDemo(**kwargs).widget
