"""CloudWatch-style metrics, per minute, reduced from capacity events.

The metrics are a *reducer* over ``capacity.consumed`` and
``capacity.throttled`` events (see :mod:`dynamo_lab.dynamodb.capacity.throughput`),
so a view can rebuild them from a recorded log at any moment. Each event
already sums one partition's second; this module adds the seconds up into
one-minute periods (``Sum`` statistic) for three kinds of dimension:

* the table: ``(table, None, None)`` (the base table's partitions only);
* a global secondary index: ``(table, "ByArtist", None)``;
* one partition (this lab's own dimension, to show a hot partition):
  ``(table, index, "p3")``.

Metrics (CloudWatch's names):

``ConsumedReadCapacityUnits``, ``ConsumedWriteCapacityUnits``
    units served (``read_units``/``write_units``).
``ReadThrottleEvents``, ``WriteThrottleEvents``
    requests refused for reads / for writes.
``ThrottledRequests``
    API calls that saw a throttle (the service passes ``requests=0`` for
    the further items of one call).

How the service (or a view) uses it
-----------------------------------
::

    m = CapacityMetrics(sim.log)          # replays what is there, then follows live
    m.series("Music", "ConsumedWriteCapacityUnits")                  # [(minute_ms, sum), ...]
    m.series("Music", "WriteThrottleEvents", partition="p1")
    m.datapoints("Music", "ConsumedReadCapacityUnits", index="ByArtist")  # CloudWatch dicts
    CapacityMetrics(EventLog.load("run.jsonl"), follow=False)         # from a recording

Examples
--------
>>> from dynamo_lab.events import EventLog
>>> log = EventLog(strict=False)
>>> _ = log.emit("capacity.consumed", table="T", index=None, partition="p0", second=59_000,
...              read_units=4.0, write_units=0.0, reads=4, writes=0, adaptive_units=0.0,
...              tokens=(1.0, 1.0))
>>> _ = log.emit("capacity.consumed", table="T", index=None, partition="p1", second=61_000,
...              read_units=2.5, write_units=0.0, reads=5, writes=0, adaptive_units=0.0,
...              tokens=(1.0, 1.0))
>>> m = CapacityMetrics(log)
>>> m.series("T", "ConsumedReadCapacityUnits")
[(0, 4.0), (60000, 2.5)]
>>> m.series("T", "ConsumedReadCapacityUnits", partition="p1")
[(60000, 2.5)]
"""
from __future__ import annotations

from typing import Any

from ...errors import ArgumentError
from ...text import plural

__all__ = ["METRICS", "PERIOD_MS", "apply", "CapacityMetrics"]

METRICS = ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits",
           "ReadThrottleEvents", "WriteThrottleEvents", "ThrottledRequests")
PERIOD_MS = 60_000
KINDS = ("capacity.consumed", "capacity.throttled")

# state: {(table, index, partition_or_None, metric): {minute_ms: value}}
State = dict


def _add(state: State, table: str, index: Any, pid: str, metric: str, minute: int,
         value: float) -> None:
    if not value:
        return
    for key in ((table, index, None, metric), (table, index, pid, metric)):
        per = state.setdefault(key, {})
        per[minute] = per.get(minute, 0) + value


def apply(state: State, event: Any) -> State:
    """Fold one event into ``state`` (a dict; ``{}`` to start) and return it.

    Events of other kinds leave it as it was. O(1).

    Examples
    --------
    >>> from dynamo_lab.events import Event
    >>> ev = Event(5, "capacity.throttled", dict(table="T", index=None, partition="p0",
    ...            second=0, read_events=0, write_events=3, requests=2, units=3.0,
    ...            first_t=5, code="ProvisionedThroughputExceededException",
    ...            reason="ProvisionedThroughputExceeded"))
    >>> apply({}, ev)[("T", None, None, "WriteThrottleEvents")]
    {0: 3}
    """
    kind = event.kind
    if kind not in KINDS:
        return state
    minute = event.second - event.second % PERIOD_MS
    t, ix, pid = event.table, event.index, event.partition
    if kind == "capacity.consumed":
        _add(state, t, ix, pid, "ConsumedReadCapacityUnits", minute, event.read_units)
        _add(state, t, ix, pid, "ConsumedWriteCapacityUnits", minute, event.write_units)
    else:
        _add(state, t, ix, pid, "ReadThrottleEvents", minute, event.read_events)
        _add(state, t, ix, pid, "WriteThrottleEvents", minute, event.write_events)
        _add(state, t, ix, pid, "ThrottledRequests", minute, event.requests)
    return state


class CapacityMetrics:
    """Per-minute capacity metrics of every table, index and partition.

    Parameters
    ----------
    source : EventLog, Simulation, iterable of events, or None
        Events to reduce. A Simulation means its ``log``.
    follow : bool
        With an EventLog, keep reducing new events as they are emitted.
    """

    def __init__(self, source: Any = None, *, follow: bool = True) -> None:
        self.state: State = {}
        self._sub = None
        log = getattr(source, "log", source)
        if log is None:
            return
        for ev in (log.of_kind(*KINDS) if hasattr(log, "of_kind") else log):
            self.feed(ev)
        if follow and hasattr(log, "subscribe"):
            self._sub = log.subscribe(self.feed, kinds=KINDS)

    def feed(self, event: Any) -> None:
        """Reduce one event (what EventLog.replay and subscribe call)."""
        apply(self.state, event)

    def close(self) -> None:
        """Stop following the log."""
        if self._sub is not None:
            self._sub.cancel()
            self._sub = None

    def series(self, table: str, metric: str, *, index: str | None = None,
               partition: str | None = None, start: int = 0,
               end: int | None = None) -> list[tuple[int, float]]:
        """``[(minute_start_ms, sum), ...]`` for one metric and dimension,
        minutes with no data left out, oldest first."""
        if metric not in METRICS:
            raise ArgumentError(f"unknown metric {metric!r}; one of {METRICS}")
        per = self.state.get((table, index, partition, metric), {})
        return [(m, per[m]) for m in sorted(per)
                if m >= start and (end is None or m < end)]

    def total(self, table: str, metric: str, *, index: str | None = None,
              partition: str | None = None) -> float:
        """The metric summed over every minute."""
        return sum(self.state.get((table, index, partition, metric), {}).values())

    def datapoints(self, table: str, metric: str, *, index: str | None = None,
                   partition: str | None = None) -> list[dict[str, Any]]:
        """CloudWatch ``GetMetricStatistics``-shaped datapoints: ``Timestamp``
        (minute start, virtual ms), ``Sum``, ``Average`` (per second) and
        ``Unit`` ('Count')."""
        return [{"Timestamp": m, "Sum": v, "Average": v / (PERIOD_MS / 1000), "Unit": "Count"}
                for m, v in self.series(table, metric, index=index, partition=partition)]

    def dimensions(self) -> list[tuple[str, str | None, str | None]]:
        """Every (table, index, partition) seen; partition None is the whole
        table or index."""
        return sorted({k[:3] for k in self.state},
                      key=lambda d: (d[0], d[1] or "", d[2] or ""))

    def __repr__(self) -> str:
        return f"<CapacityMetrics {plural(len(self.dimensions()), 'dimension')}>"
