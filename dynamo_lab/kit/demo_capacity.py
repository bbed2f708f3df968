"""Demo: DynamoDB capacity and partitions (the deck's scaling slides), for a projector.

Set a table's RCU, WCU and size to see how many partitions the deck's
formula gives and what each one gets (the deck's worked example is a
preset); create the table in the lab's service; then send writes with a
hot-key share and watch one partition throttle while the table has capacity
left, burst capacity absorb the start, and a partition that stays hot split.
It drives :class:`~dynamo_lab.DynamoDB` through a boto3-compatible client and
draws its :class:`~dynamo_lab.viz.PartitionMapView` and
:class:`~dynamo_lab.viz.CapacityView`.

Examples
--------
>>> d = CapacityDemo()
>>> d.preset()
>>> d.plan().count, round(d.plan().per_partition_wcu, 2)
(3, 166.67)
>>> d.create(); len(d.service.partitions(d.table))
3
>>> d.send(seconds=2, rate=400, hot=0); d.throttled
0
>>> d.send(seconds=3, rate=600, hot=80); d.throttled > 0
True
"""
from __future__ import annotations

import html
from typing import Any

from ..errors import ArgumentError, UsageError
from ..text import plural
from .demo_base import Status, button, dashboard_frame, picture

__all__ = ["CapacityDemo", "dashboard", "DECK"]

#: The deck's worked example: 5,000 RCU, 500 WCU, 8 GB.
DECK = {"rcu": 5000, "wcu": 500, "size_gb": 8.0}
_HOT = "hot-key"


class CapacityDemo:
    """The capacity dashboard; its methods are what the controls do.

    Parameters
    ----------
    seed : int
        The same seed gives the same run for everyone in the room.
    """

    def __init__(self, seed: int = 15) -> None:
        from ..dynamodb.service import DynamoDB
        # one second of burst at creation (AWS starts a new table's bucket
        # full): the room sees the bucket fill, drain and throttle in seconds
        self.service = DynamoDB(seed=seed, capacity={"initial_burst_seconds": 1})
        self.client = self.service.client(retries=0)
        self.rcu, self.wcu, self.size_gb = 1000, 1000, 1.0
        self.table: str | None = None
        self._tables = 0
        self._written = 0
        self.served = self.throttled = 0
        self.partition_view: Any = None
        self.capacity_view: Any = None
        self.status = Status()
        self._widget: Any = None

    # -- the plan ----------------------------------------------------------
    def plan(self):
        """The deck's partition arithmetic for the current settings."""
        from ..dynamodb.partitions.partitioning import GB, partitions_needed
        return partitions_needed(self.rcu, self.wcu, int(self.size_gb * GB))

    def set(self, rcu: int | None = None, wcu: int | None = None,
            size_gb: float | None = None) -> None:
        with self.status.guard("settings"):
            for name, v in (("rcu", rcu), ("wcu", wcu), ("size_gb", size_gb)):
                if v is not None:
                    if v < (0 if name == "size_gb" else 1):
                        raise ArgumentError(f"{name.upper().replace('_GB', ' (GB)')} must be "
                                         f"at least {0 if name == 'size_gb' else 1}, not {v}")
                    setattr(self, name, v)
            self.status.ok("settings changed; create the table to try them")
        self.redraw()

    def preset(self) -> None:
        """The deck's example: 8 GB, 5,000 RCU, 500 WCU."""
        self.set(**DECK)
        self.status.ok("the deck's example: 8 GB, 5,000 RCU, 500 WCU")
        self.redraw()

    # -- the table -----------------------------------------------------------
    def create(self) -> None:
        """Create a fresh table with the current RCU and WCU (the lab's table
        starts empty: its partitions come from throughput, size adds more as
        data arrives)."""
        from ..viz import CapacityView, PartitionMapView
        with self.status.guard("create table"):
            self._tables += 1
            name = f"Demo{self._tables}"
            self.client.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                ProvisionedThroughput={"ReadCapacityUnits": int(self.rcu),
                                       "WriteCapacityUnits": int(self.wcu)})
            self.client.get_waiter("table_exists").wait(TableName=name,
                                                        WaiterConfig={"Delay": 1})
            self._next_second()
            self.table = name
            self.served = self.throttled = 0
            self.partition_view = PartitionMapView(self.service, table=name)
            self.capacity_view = CapacityView(self.service, table=name, op="write")
            self.status.ok(f"table {name}: {int(self.rcu):,} RCU, {int(self.wcu):,} WCU, "
                           f"{plural(len(self.service.partitions(name)), 'partition')}")
        self.redraw()

    def _next_second(self) -> None:
        now = self.service.sim.now
        self.service.run(ms=1000 - now % 1000)

    def send(self, seconds: int = 5, rate: int = 600, hot: int = 0) -> None:
        """Send ``rate`` writes a second for ``seconds`` seconds, ``hot`` percent
        of them to one key; count what was served and what was throttled."""
        from botocore.exceptions import ClientError
        with self.status.guard("send writes"):
            if self.table is None:
                raise UsageError("create the table first")
            if not 0 <= hot <= 100:
                raise ArgumentError(f"the hot-key share is a percentage (0-100), not {hot}")
            if not 0 < rate < 1000:
                raise ArgumentError(f"the rate is 1-999 writes a second (one a millisecond), "
                                 f"not {rate}")
            served = throttled = 0
            for _ in range(int(seconds)):
                start = self.service.sim.now
                acc = 0
                for i in range(int(rate)):
                    acc += hot
                    if acc >= 100:      # spread the hot writes evenly through the second
                        acc -= 100
                        key = _HOT
                    else:
                        self._written += 1
                        key = f"user-{self._written}"
                    try:
                        self.client.put_item(TableName=self.table,
                                             Item={"id": {"S": key}, "n": {"N": str(i)}})
                        served += 1
                    except ClientError as e:
                        if e.response["Error"]["Code"] != "ProvisionedThroughputExceededException":
                            raise
                        throttled += 1
                used = self.service.sim.now - start
                self.service.run(ms=max(1, 1000 - used))
            self.served += served
            self.throttled += throttled
            self.status.ok(f"{int(seconds)} s of {int(rate)} writes/s, {hot}% to one key: "
                           f"{served:,} served, {throttled:,} throttled")
        self.redraw()

    def wait(self, seconds: int = 60) -> None:
        """Let time pass with no traffic: unused capacity fills the burst buckets."""
        with self.status.guard("wait"):
            self.service.run(ms=int(seconds) * 1000)
            self.status.ok(f"{int(seconds)} s idle: the buckets refill (up to 300 s of share)")
        self.redraw()

    # -- the pictures --------------------------------------------------------
    def facts(self) -> str:
        p = self.plan()
        rows = [("for throughput", f"{int(self.rcu):,}/3,000 + {int(self.wcu):,}/1,000 = "
                 f"{p.throughput_ratio:.2f} &rarr; {p.for_throughput}"),
                ("for size", f"{self.size_gb:g} GB / 10 GB = {p.size_ratio:.2f} &rarr; "
                 f"{p.for_size}"),
                ("partitions", f'<span class="dl-demo-big dl-demo-count">{p.count}</span>'),
                ("each", f"{p.per_partition_rcu:,.2f} RCU, {p.per_partition_wcu:,.2f} WCU, "
                 f"{int(p.per_partition_gb * 100) / 100:g} GB")]
        if self.table is not None:
            parts = self.service.partitions(self.table)
            rows += [("lab table", f"{html.escape(self.table)}: {plural(len(parts), 'partition')} now"),
                     ("writes", f'<span class="dl-demo-served">{self.served:,}</span> served, '
                      f'<span class="dl-demo-throttled">{self.throttled:,}</span> throttled')]
        body = "".join(f'<tr><th style="text-align:left">{a}</th><td style="text-align:left">'
                       f"{b}</td></tr>" for a, b in rows)
        return (f'<div class="dl-demo-facts"><table>{body}</table><p style="color:#555">'
                f"The deck's formula is the 2015-era model; the per-partition ceilings "
                f"(3,000 RCU, 1,000 WCU) still hold.</p></div>")

    def redraw(self) -> None:
        if self._widget is None:
            return
        self._facts.value = self.facts()
        for box, view in ((self._pmap_pic, self.partition_view),
                          (self._cap_pic, self.capacity_view)):
            box.value = view._repr_html_() if view is not None else ""
        self._rcu.value, self._wcu.value, self._size.value = \
            int(self.rcu), int(self.wcu), float(self.size_gb)

    @property
    def widget(self) -> Any:
        if self._widget is None:
            self._widget = self._build()
            self.redraw()
        return self._widget

    def _build(self) -> Any:
        import ipywidgets as w
        wide = {"description_width": "110px"}
        self._rcu = w.BoundedIntText(value=self.rcu, min=1, max=100_000, step=100,
                                     description="RCU", style=wide)
        self._wcu = w.BoundedIntText(value=self.wcu, min=1, max=40_000, step=100,
                                     description="WCU", style=wide)
        self._size = w.FloatSlider(value=self.size_gb, min=0, max=100, step=0.5,
                                   description="size (GB)", style=wide, continuous_update=False)
        for x, css in ((self._rcu, "dl-demo-rcu"), (self._wcu, "dl-demo-wcu"),
                       (self._size, "dl-demo-size")):
            x.add_class(css)
        self._rcu.observe(lambda ch: self.set(rcu=ch["new"]) if ch["new"] != self.rcu else None,
                          names="value")
        self._wcu.observe(lambda ch: self.set(wcu=ch["new"]) if ch["new"] != self.wcu else None,
                          names="value")
        self._size.observe(lambda ch: self.set(size_gb=ch["new"])
                           if ch["new"] != self.size_gb else None, names="value")
        preset = button("the deck's example", "dl-demo-preset", "info")
        create = button("create table", "dl-demo-create", "primary")
        rate = w.IntSlider(value=600, min=50, max=950, step=50, description="writes/s",
                           style=wide, continuous_update=False)
        rate.add_class("dl-demo-rate")
        hot = w.IntSlider(value=0, min=0, max=100, step=5, description="hot key %",
                          style=wide, continuous_update=False)
        hot.add_class("dl-demo-hot")
        send = button("send 5 s of writes", "dl-demo-send", "warning")
        wait = button("wait 1 min", "dl-demo-wait")
        preset.on_click(lambda _b: self.preset())
        create.on_click(lambda _b: self.create())
        send.on_click(lambda _b: self.send(5, rate.value, hot.value))
        wait.on_click(lambda _b: self.wait(60))
        self._facts = picture("dl-demo-facts-box")
        self._pmap_pic, self._cap_pic = picture("dl-demo-partitions"), picture("dl-demo-capacity")
        return dashboard_frame(
            "DynamoDB capacity: units, partitions, hot keys",
            "Set RCU, WCU and size (or the deck's example), create the table, then "
            "send writes and drag the hot-key share.",
            [self._rcu, self._wcu, self._size, w.HBox([preset, create]), rate, hot,
             w.HBox([send, wait]), self.status.widget, self._facts],
            [self._pmap_pic, self._cap_pic], width="440px")


def dashboard(**kwargs: Any) -> Any:
    """The capacity demo's dashboard widget (what ``demos/capacity.ipynb`` shows)."""
    return CapacityDemo(**kwargs).widget
