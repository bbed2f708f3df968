"""Table capacity: burst and adaptive capacity, throttling, on-demand, heat.

Units and the token bucket each partition fills and drains live in
:mod:`.token_bucket` (their names are importable from here too). This module
decides, request by request, whether a partition serves or throttles.

**Provisioned mode.** A request takes its units from its partition's
:class:`TokenBucket` (its share per second, plus up to 300 s of unused
share: *burst capacity*). If the bucket is short, *adaptive capacity* may
lend it the table's unused throughput: it is served when, in the current
calendar second ``[s, s+1000)``,

* the table (all partitions, this operation) has consumed at most
  ``table_rate - units``, and
* this partition has borrowed at most ``table_rate - its_share - units``
  (a partition never borrows its own share back).

A borrowed request leaves the bucket untouched. Nothing goes past the
per-partition limit: in one second a partition serves at most
``read_units/3000 + write_units/1000 <= 1`` however many tokens it has.
Otherwise the request is *throttled* and **nothing changes** (buckets,
borrowing, consumption): ``ProvisionedThroughputExceededException``.

**On-demand mode** (AWS: up to double the previous peak at once; a new table
serves 12,000 RRU or 4,000 WRU). Per operation the table's *previous peak*
starts at half that (6,000 reads / 2,000 writes a second); in any calendar
second the table serves up to twice the previous peak and throttles beyond
with ``ThrottlingException``. The busiest second so far becomes the previous
peak ``ramp_ms`` after it happened (AWS: passing double the peak within 30
minutes may throttle; a lesson can shorten it). The partition limit holds.

**Split for heat.** A partition is *hot* in a second when the units asked of
it (served plus throttled) exceed its share, for reads or writes (on-demand:
half the per-partition limit). After ``heat_seconds`` hot seconds in a row
:meth:`TableCapacity.hot` names it and :meth:`~TableCapacity.heat_split_point`
proposes the cut: the traffic-weighted median hash of the keys asked during
the streak, so repeated splits isolate a hot key.

How the service calls it
------------------------
::

    cap = TableCapacity(pmap, mode="PROVISIONED", log=sim.log)   # one per table and per GSI
    v = cap.consume("write", units, sim.now, key_hash=h)        # before doing the work
    if not v.ok:
        raise error(v.code, v.message)                          # nothing was charged
    cap.consume("read", units, sim.now, partition="p3")         # Query/Scan, per partition
    cap.sync(sim.now)          # after pmap.set_throughput(...) so new rates start now
    cap.flush(sim.now)         # e.g. every 1000 ms (sim.every): emit closed seconds
    cap.split_for_heat(sim.now)                                  # e.g. every second

``consume`` charges one API call's units on one partition; pass
``requests=0`` for the further partitions or items of a call already counted,
so ``ThrottledRequests`` counts API calls. ``consumed``/``throttled``
events are aggregated per partition per second and emitted when the second
is over (at the next activity on that partition, or at ``flush``).

Examples
--------
>>> cap = TableCapacity(PartitionMap("T", rcu=10, wcu=5))
>>> v = cap.consume("write", 5, 0, key_hash=1)
>>> v.ok, v.source, cap.consume("write", 1, 0, key_hash=1).limit
(True, 'bucket', 'ProvisionedThroughputExceeded')
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

from ...errors import ArgumentError
from ...text import plural
from ..options import ON_DEMAND_INITIAL_RCU, ON_DEMAND_INITIAL_WCU, ON_DEMAND_RAMP_MS
from ..partitions.partitioning import PARTITION_MAX_RCU, PARTITION_MAX_WCU, PartitionMap, Split
from .token_bucket import (
    BURST_SECONDS,
    READ_UNIT_BYTES,
    WRITE_UNIT_BYTES,
    TokenBucket,
    rcu_for,
    units_per_read,
    units_per_write,
    wcu_for,
)

__all__ = ["READ_UNIT_BYTES", "WRITE_UNIT_BYTES", "BURST_SECONDS", "ON_DEMAND_INITIAL_RCU",
           "ON_DEMAND_INITIAL_WCU", "ON_DEMAND_RAMP_MS", "units_per_read", "units_per_write",
           "rcu_for", "wcu_for", "TokenBucket", "Verdict", "TableCapacity"]


PROVISIONED_MESSAGE = ("The level of configured provisioned throughput for the table was "
                       "exceeded. Consider increasing your provisioning level with the "
                       "UpdateTable API.")
ON_DEMAND_MESSAGE = ("Throughput exceeds the current capacity of your table or index. "
                     "DynamoDB is automatically scaling your table or index so please try "
                     "again shortly. If exceptions persist, check if you have a hot key: "
                     "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                     "bp-partition-key-design.html")


class Verdict(NamedTuple):
    """What :meth:`TableCapacity.consume` decided (an immutable record; a
    named tuple because every request makes one or more).

    ``source`` is ``'bucket'`` (own share or burst), ``'adaptive'``
    (borrowed) or ``'on-demand'`` when served. When throttled, ``code`` is
    the DynamoDB error code and ``limit`` one of
    ``'ProvisionedThroughputExceeded'``, ``'KeyRangeThroughputExceeded'``
    (AWS's throttling-reason limit types) or ``'OnDemandPeakExceeded'``
    (this lab's name for "more than twice the previous peak").
    """

    ok: bool
    op: str
    units: float
    partition: str
    index: str | None = None   # type: ignore[assignment]  # the field shadows tuple.index
    source: str | None = None
    code: str | None = None
    limit: str | None = None

    @property
    def reason(self) -> str | None:
        """AWS's ThrottlingReason form, e.g. ``TableWriteKeyRangeThroughputExceeded``."""
        if self.ok:
            return None
        return f"{'Table' if self.index is None else 'Index'}{self.op.title()}{self.limit}"

    @property
    def message(self) -> str | None:
        """The error message DynamoDB sends with ``code``."""
        if self.ok:
            return None
        return ON_DEMAND_MESSAGE if self.code == "ThrottlingException" else PROVISIONED_MESSAGE


class _Window:
    """One partition's activity in one calendar second."""

    __slots__ = ("second", "units", "requests", "adaptive", "throttled", "refused", "traffic")

    def __init__(self, second: int) -> None:
        self.second = second
        self.units = {"read": 0.0, "write": 0.0}
        self.requests = {"read": 0, "write": 0}
        self.adaptive = 0.0
        self.refused = {"read": 0.0, "write": 0.0}
        self.traffic: dict[int, float] = {}          # key hash -> units asked
        # limit -> [read_events, write_events, requests, units, first_t, code]
        self.throttled: dict[str, list] = {}


class _PState:                       # one partition: buckets, open second, heat
    """What the capacity keeps for one partition; the partition owns it
    (:attr:`~..partitions.partition.Partition.capacity`). ``order``: when
    the capacity made it, so seconds close in the same order in every run."""

    __slots__ = ("buckets", "win", "streak", "last_hot", "traffic", "order")

    def __init__(self, read: TokenBucket, write: TokenBucket, order: int) -> None:
        self.order = order
        self.buckets = {"read": read, "write": write}
        self.win: _Window | None = None
        self.streak = 0
        self.last_hot: int | None = None
        self.traffic: dict[int, float] = {}


class TableCapacity:
    """Capacity accounting for one :class:`PartitionMap` (a table or a GSI).

    Parameters
    ----------
    pmap : PartitionMap
        The partitions; shares and splits are read from it (lazily: call
        :meth:`sync` to apply a change at an exact time).
    mode : 'PROVISIONED' or 'PAY_PER_REQUEST'
    log : EventLog or None
        Where ``capacity.*`` events go.
    now_ms : int
        When the buckets start.
    burst_seconds, adaptive : int, bool
        Unused capacity kept, in seconds of share (300); lend the table's
        unused throughput to short partitions (True).
    initial_burst_seconds : number
        What each bucket holds at ``now_ms``, in seconds of share, capped by
        ``burst_seconds`` (1 here; the service passes
        :attr:`~..options.CapacityOptions.initial_burst_seconds`, a full
        bucket by default).
    heat_seconds : int
        Consecutive hot seconds before :meth:`hot` names a partition.
    on_demand_initial, ramp_ms : (rcu, wcu), int
        What a new on-demand table serves at once (12,000, 4,000); how long
        a new peak takes to become the previous peak (30 min).
    enforce_on_demand : bool
        False: an on-demand table serves everything (still counted, still
        heating partitions) instead of throttling.
    defer_events : bool
        Hold ``capacity.*`` events until :meth:`emit_pending`.

    Costs: ``consume`` O(1) amortised (plus O(P) after the map changed);
    ``flush`` O(P).
    """

    def __init__(self, pmap: PartitionMap, *, mode: str = "PROVISIONED", log: Any = None,
                 now_ms: int = 0, burst_seconds: float = BURST_SECONDS,
                 initial_burst_seconds: float = 1, adaptive: bool = True,
                 heat_seconds: int = 10,
                 on_demand_initial: tuple[float, float] = (ON_DEMAND_INITIAL_RCU,
                                                           ON_DEMAND_INITIAL_WCU),
                 ramp_ms: int = ON_DEMAND_RAMP_MS, enforce_on_demand: bool = True,
                 defer_events: bool = False) -> None:
        if mode not in ("PROVISIONED", "PAY_PER_REQUEST"):
            raise ArgumentError(f"mode must be PROVISIONED or PAY_PER_REQUEST, not {mode!r}")
        self.pmap, self.mode, self.log = pmap, mode, log
        self.burst_seconds, self.adaptive = burst_seconds, adaptive
        self.enforce_on_demand = enforce_on_demand
        # defer_events: keep events until emit_pending() (the service emits
        # them after a request succeeds, so a refused request logs nothing)
        self._pending: list | None = [] if defer_events else None
        self.heat_seconds, self.ramp_ms = int(heat_seconds), int(ramp_ms)
        self._initial_peak = {"read": on_demand_initial[0] / 2,
                              "write": on_demand_initial[1] / 2}
        self._peaks: dict[str, list[tuple[int, float]]] = {"read": [], "write": []}
        self._table_win: dict[str, list] = {"read": [None, 0.0], "write": [None, 0.0]}
        self._made = 0
        for p in pmap:
            p.capacity = self._state(
                TokenBucket(p.rcu_share, now_ms, burst_seconds=burst_seconds,
                            initial=p.rcu_share * Fraction(initial_burst_seconds)),
                TokenBucket(p.wcu_share, now_ms, burst_seconds=burst_seconds,
                            initial=p.wcu_share * Fraction(initial_burst_seconds)))
        self._version = pmap.version
        self._seen_splits = len(pmap.splits)

    # -- the request path ----------------------------------------------------
    def consume(self, op: str, units: float, now_ms: int, *, key_hash: int | None = None,
                partition: str | None = None, requests: int = 1) -> Verdict:
        """Charge ``units`` of ``op`` ('read' or 'write') on one partition.

        Give the partition by ``key_hash`` (routed through the map) or by id.
        On a throttle nothing is charged; the refusal is counted for the
        ``capacity.throttled`` event. See the module docstring for the rules.

        Examples
        --------
        >>> cap = TableCapacity(PartitionMap("T", rcu=10, wcu=5))
        >>> [cap.consume("write", u, 0, key_hash=1).code for u in (5, 1)]
        [None, 'ProvisionedThroughputExceededException']
        >>> cap.consume("write", 1, 200, partition="p0").ok   # 0.2 s refilled 1 unit
        True
        """
        if op not in ("read", "write") or units < 0 or (key_hash is None and partition is None):
            raise ArgumentError(f"need op 'read' or 'write' (not {op!r}), units >= 0 (not "
                             f"{units}) and key_hash= or partition=")
        if self._version != self.pmap.version:
            self.sync(now_ms)
        part = self.pmap.get(partition) if partition is not None \
            else self.pmap.locate(key_hash)  # type: ignore[arg-type]  # checked above
        st = part.capacity
        sec = now_ms - now_ms % 1000
        win = st.win
        if win is None or win.second != sec:
            if win is not None and sec < win.second:
                raise ArgumentError(f"time went backwards: {now_ms} ms is before second "
                                 f"{win.second}")
            win = self._roll(part.id, st, sec)
        tw = self._table_win[op]
        if tw[0] != sec:
            tw = self._table_roll(op, sec)
        u = units
        on_demand = self.mode == "PAY_PER_REQUEST"

        reading = op == "read"
        r = win.units["read"] + (u if reading else 0)
        w = win.units["write"] + (0 if reading else u)
        source = limit = None
        if r * PARTITION_MAX_WCU + w * PARTITION_MAX_RCU > PARTITION_MAX_RCU * PARTITION_MAX_WCU:
            limit = "KeyRangeThroughputExceeded"
        elif on_demand:
            peak = self._peak(op, now_ms) if self._peaks[op] else self._initial_peak[op]
            if tw[1] + u <= 2 * peak:
                source = "on-demand"
            else:
                limit = "OnDemandPeakExceeded"
        elif st.buckets[op].try_consume(u, now_ms):
            source = "bucket"
        elif (self.adaptive and tw[1] + u <= self._table_rate(op)
              and win.adaptive + u <= self._table_rate(op) - (part.rcu if reading else part.wcu)):
            source = "adaptive"
            win.adaptive += u
        else:
            limit = "ProvisionedThroughputExceeded"
        if on_demand and limit is not None and not self.enforce_on_demand:
            source, limit = "on-demand", None        # measured (heat, metrics), not refused

        if key_hash is not None:                     # heat counts what was asked
            traffic = win.traffic
            traffic[key_hash] = traffic.get(key_hash, 0.0) + u
        if source is None:
            code = ("ThrottlingException" if limit == "OnDemandPeakExceeded"
                    else "ProvisionedThroughputExceededException")
            t = win.throttled.setdefault(str(limit), [0, 0, 0, 0.0, now_ms, code])
            t[0 if reading else 1] += 1
            t[2] += requests
            t[3] += u
            win.refused[op] += u
            return Verdict(False, op, float(u), part.id, self.pmap.index, None, code, limit)
        win.units[op] += u
        win.requests[op] += requests
        tw[1] += u
        return Verdict(True, op, float(u), part.id, self.pmap.index, source)

    def refund(self, v: Verdict, now_ms: int, *, requests: int = 1) -> None:
        """Undo a served :meth:`consume` of the same moment (``v`` its
        verdict): a request refused elsewhere (another partition, a GSI)
        must leave no charge. What was asked still counts as heat."""
        if not v.ok:
            return
        p = self.pmap.find(v.partition)
        st = None if p is None else p.capacity
        if st is None or st.win is None or st.win.second != now_ms - now_ms % 1000:
            return
        u = v.units
        if v.source == "bucket":
            st.buckets[v.op].give_back(u)
        elif v.source == "adaptive":
            st.win.adaptive -= u
        st.win.units[v.op] -= u
        st.win.requests[v.op] -= requests
        tw = self._table_win[v.op]
        if tw[0] == st.win.second:
            tw[1] -= u

    # -- reading -------------------------------------------------------------
    def tokens(self, partition: str, op: str, now_ms: int) -> float:
        """Tokens in a partition's read or write bucket at ``now_ms``."""
        self.sync(now_ms)
        return self.pmap.get(partition).capacity.buckets[op].tokens(now_ms)
    def bucket(self, partition: str, op: str) -> TokenBucket:
        """The partition's read or write bucket (``time_until`` predicts throttles)."""
        return self.pmap.get(partition).capacity.buckets[op]

    def previous_peak(self, op: str, now_ms: int) -> float:
        """On-demand: the previous peak that counts at ``now_ms``."""
        self._table_roll(op, now_ms - now_ms % 1000)
        return float(self._peak(op, now_ms))

    def __repr__(self) -> str:
        return (f"<TableCapacity {self.pmap.table}/{self.pmap.index} {self.mode} "
                f"{plural(len(self._holders()), 'partition')}>")

    # -- upkeep --------------------------------------------------------------
    def sync(self, now_ms: int) -> None:
        """Apply the map's splits and shares as of ``now_ms``. O(P) when the
        map changed, O(1) otherwise."""
        if self._version == self.pmap.version:
            return
        pmap = self.pmap
        splits = pmap.splits
        for s in splits[self._seen_splits:]:
            parent = pmap.lookup(s.parent)
            st, parent.capacity = parent.capacity, None
            self._close(s.parent, st)
            for c in s.children:
                pmap.lookup(c).capacity = self._state(st.buckets["read"].split(now_ms),
                                                      st.buckets["write"].split(now_ms))
        self._seen_splits = len(splits)
        for p in pmap:
            b = p.capacity.buckets
            b["read"].set_rate(p.rcu_share, now_ms)
            b["write"].set_rate(p.wcu_share, now_ms)
        self._version = self.pmap.version

    def flush(self, now_ms: int) -> None:
        """Emit the events of every second that ended by ``now_ms``."""
        sec = now_ms - now_ms % 1000
        for p in self._holders():
            st = p.capacity
            if st.win is not None and st.win.second < sec:
                self._roll(p.id, st, sec)
        for op in ("read", "write"):
            self._table_roll(op, sec)

    def hot(self, now_ms: int) -> list[str]:
        """Partitions hot for ``heat_seconds`` consecutive seconds by ``now_ms``.

        Examples
        --------
        One partition with 5 WCU asked for 10 writes a second, three seconds
        running:

        >>> cap = TableCapacity(PartitionMap("T", rcu=0, wcu=5), heat_seconds=3)
        >>> for t in range(0, 3000, 100):
        ...     _ = cap.consume("write", 1, t, key_hash=7)
        >>> cap.hot(2999), cap.hot(3000), cap.heat_split_point("p0")
        ([], ['p0'], 7)
        """
        self.sync(now_ms)
        self.flush(now_ms)
        last = now_ms - now_ms % 1000 - 1000
        return [p.id for p in self._holders()
                if p.capacity.streak >= self.heat_seconds and p.capacity.last_hot == last]

    def heat_split_point(self, partition: str) -> int | None:
        """Where to split a hot partition: the traffic-weighted median hash
        of its streak, so the hot key starts the right child (or, when it
        already starts the range, sits alone in the left one). None when
        no key hashes were seen or the range cannot be cut there."""
        p = self.pmap.get(partition)
        st = p.capacity
        if not st.traffic:
            return None
        total, acc = sum(st.traffic.values()), 0.0
        for m in sorted(st.traffic):
            acc += st.traffic[m]
            if 2 * acc >= total:
                break
        at = m + 1 if m == p.start else m
        return at if p.start < at < p.end else None

    def split_for_heat(self, now_ms: int) -> tuple[Split, ...]:
        """Split every partition that :meth:`hot` names, at its
        :meth:`heat_split_point`. Returns the splits."""
        out = []
        for pid in self.hot(now_ms):
            at = self.heat_split_point(pid)
            if at is not None:
                out.append(self.pmap.split(pid, "heat", at))
        self.sync(now_ms)
        return tuple(out)

    # -- internals -----------------------------------------------------------
    def _state(self, read: TokenBucket, write: TokenBucket) -> _PState:
        self._made += 1
        return _PState(read, write, self._made)

    def _holders(self) -> list:
        """The partitions holding a capacity state -- the live ones, and
        split parents not yet synced -- in the order their states were made."""
        held = [p for p in self.pmap.partitions if p.capacity is not None]
        for s in self.pmap.splits[self._seen_splits:]:
            p = self.pmap.lookup(s.parent)
            if p.capacity is not None:
                held.append(p)
        held.sort(key=lambda p: p.capacity.order)
        return held

    def _check(self) -> None:
        """Assert the capacity's invariants (the layout's ``_check`` calls
        it): once synced, every live partition owns a state of its own, with
        its share as the buckets' rates, and no retired partition owns one."""
        if self._version != self.pmap.version:
            return                       # buckets follow the map lazily
        live = self.pmap.partitions
        states = [p.capacity for p in live]
        assert all(st is not None for st in states), live
        assert len({id(st) for st in states}) == len(states)
        for p in live:
            assert p.capacity.buckets["read"].exact_rate == p.rcu_share, p
            assert p.capacity.buckets["write"].exact_rate == p.wcu_share, p
        assert all(p.capacity is None for p in self.pmap.retired.values())

    def _table_rate(self, op: str) -> float:
        return self.pmap.rcu if op == "read" else self.pmap.wcu

    def _peak(self, op: str, now_ms: int) -> float:
        return max([self._initial_peak[op]] + [v for sec, v in self._peaks[op]
                                               if sec + 1000 + self.ramp_ms <= now_ms])

    def _table_roll(self, op: str, sec: int) -> list:
        tw = self._table_win[op]
        if tw[0] is None or sec > tw[0]:
            if tw[0] is not None and self.mode == "PAY_PER_REQUEST":
                best = max([self._initial_peak[op]] + [v for _, v in self._peaks[op]])
                if tw[1] > best:
                    self._peaks[op].append((tw[0], tw[1]))
                    if self.log is not None:
                        self._emit("capacity.peak", table=self.pmap.table,
                                      index=self.pmap.index, op=op, units=float(tw[1]),
                                      second=tw[0])
            tw[0], tw[1] = sec, 0.0
        return tw

    def _roll(self, pid: str, st: _PState, sec: int) -> _Window:
        if st.win is None or st.win.second != sec:
            self._close(pid, st)
            st.win = _Window(sec)
        return st.win

    def _close(self, pid: str, st: _PState) -> None:
        win = st.win
        if win is None:
            return
        st.win = None
        p = self.pmap.find(pid)                  # None: it split meanwhile
        self._heat(st, win, None if p is None else (p.rcu, p.wcu))
        if self.log is None:
            return
        where = dict(table=self.pmap.table, index=self.pmap.index, partition=pid,
                     second=win.second)
        if win.requests["read"] or win.requests["write"] or any(win.units.values()):
            end = win.second + 1000
            self._emit("capacity.consumed", **where, read_units=float(win.units["read"]),
                          write_units=float(win.units["write"]), reads=win.requests["read"],
                          writes=win.requests["write"], adaptive_units=float(win.adaptive),
                          tokens=(st.buckets["read"].tokens(end),
                                  st.buckets["write"].tokens(end)))
        for limit, (re, we, rq, units, first_t, code) in win.throttled.items():
            self._emit("capacity.throttled", **where, read_events=re, write_events=we,
                          requests=rq, units=float(units), first_t=first_t, code=code,
                          reason=limit)

    def _emit(self, kind: str, **fields: Any) -> None:
        if self._pending is None:
            self.log.emit(kind, **fields)
        else:
            self._pending.append((kind, fields))

    def emit_pending(self) -> None:
        """Emit the events held back (``defer_events=True``), oldest first."""
        if self._pending:
            pending, self._pending = self._pending, []
            for kind, fields in pending:
                self.log.emit(kind, **fields)

    def _heat(self, st: _PState, win: _Window, share: tuple | None) -> None:
        if share is None:
            return
        if self.mode == "PAY_PER_REQUEST":
            share = (PARTITION_MAX_RCU / 2, PARTITION_MAX_WCU / 2)
        if not (win.units["read"] + win.refused["read"] > share[0]
                or win.units["write"] + win.refused["write"] > share[1]):
            st.streak, st.last_hot, st.traffic = 0, None, {}
            return
        if st.last_hot is not None and st.last_hot + 1000 == win.second:
            st.streak += 1
            for h, u in win.traffic.items():
                st.traffic[h] = st.traffic.get(h, 0.0) + u
        else:
            st.streak, st.traffic = 1, dict(win.traffic)
        st.last_hot = win.second
