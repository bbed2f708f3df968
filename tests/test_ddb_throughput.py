"""Capacity: unit arithmetic, token buckets, a throttle predicted then seen,
burst, adaptive capacity, the per-partition limit, on-demand, heat splits."""
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamo_lab.dynamo.hashing import position
from dynamo_lab.dynamodb.capacity.throughput import (
    TableCapacity,
    TokenBucket,
    rcu_for,
    units_per_read,
    units_per_write,
    wcu_for,
)
from dynamo_lab.dynamodb.partitions.partitioning import HASH_SPACE, KB, PartitionMap
from dynamo_lab.events import EventLog


def _log():
    t = [0]
    return EventLog(lambda: t[0], strict=True), t


def _hash_in(pmap, pid):
    p = pmap.get(pid)
    return p.start + (p.end - p.start) // 2


# -- units --------------------------------------------------------------------
def test_slide_capacity_units():
    assert rcu_for(1.2 * KB, 1000) == 1000          # 1.2/4 = 0.3 -> 1 unit
    assert rcu_for(4.5 * KB, 1000) == 2000          # 4.5/4 = 1.1 -> 2 units
    assert rcu_for(4.5 * KB, 1000, consistent=False) == 1000
    assert rcu_for(4 * KB, 1) == 1 and rcu_for(4 * KB + 1, 1) == 2
    assert wcu_for(1 * KB, 1) == 1 and wcu_for(1 * KB + 1, 1) == 2
    assert wcu_for(1.5 * KB, 100) == 200
    assert units_per_read(0) == 1.0 and units_per_read(10, consistent=False) == 0.5
    assert units_per_write(0) == 1


# -- the bucket ------------------------------------------------------------------
def test_bucket_refills_and_caps_at_burst():
    b = TokenBucket(100, now_ms=0)
    assert b.tokens(0) == 100 and b.capacity == 30000
    assert b.tokens(1000) == 200
    assert b.tokens(299_000) == 30000 and b.tokens(10**9) == 30000
    assert b.try_consume(30000, 400_000) and b.tokens(400_000) == 0
    assert b.time_until(50, 400_000) == 500
    assert b.time_until(30001, 400_000) is None


def test_first_throttle_predicted_to_the_millisecond():
    """100 WCU share, 300 s burst. Idle until t=300 s (bucket full: 30,000),
    then one 1-WCU write every 5 ms (200/s). Before write k the bucket holds
    30,000 - k + 0.5k = 30,000 - k/2; it needs 1, so writes 0..59,998 pass and
    write 59,999, at 300,000 + 5 * 59,999 = 599,995 ms, is the first throttle."""
    predicted = 300_000 + 5 * 59_999
    log, t = _log()
    pmap = PartitionMap("T", rcu=0, wcu=100, log=log)
    cap = TableCapacity(pmap, log=log)
    h = position("hot")
    first = None
    now = 300_000
    while first is None:
        t[0] = now
        v = cap.consume("write", 1, now, key_hash=h)
        if not v.ok:
            first = now
            assert (v.code, v.limit) == ("ProvisionedThroughputExceededException",
                                         "ProvisionedThroughputExceeded")
            assert v.reason == "TableWriteProvisionedThroughputExceeded"
            assert v.message.startswith("The level of configured provisioned throughput")
        now += 5
    assert first == predicted
    t[0] = predicted + 1000
    cap.flush(predicted + 1000)
    ev = log.of_kind("capacity.throttled")[0]
    assert ev.first_t == predicted and ev.second == 599_000
    assert ev.code == "ProvisionedThroughputExceededException"
    # the bucket alone agrees
    b = TokenBucket(100, 0)
    assert b.tokens(300_000) == 30000


def test_a_throttled_consume_changes_nothing():
    def run(extra_failures):
        cap = TableCapacity(PartitionMap("T", rcu=10, wcu=10))
        out = []
        for now in range(0, 20_000, 50):
            out.append(cap.consume("write", 1, now, partition="p0").ok)
            if extra_failures:
                big = cap.consume("write", 10**6, now, partition="p0")
                assert not big.ok
                nope = cap.consume("read", 10**6, now, partition="p0")
                assert not nope.ok
        return out, cap.tokens("p0", "write", 20_000), cap.tokens("p0", "read", 20_000)
    assert run(False) == run(True)


def test_bucket_failure_leaves_state_identical():
    b = TokenBucket(7, now_ms=0)
    b.try_consume(3, 100)
    snap = (b._tok, b._t, b._num, b._den)
    assert not b.try_consume(100, 2000)
    assert (b._tok, b._t, b._num, b._den) == snap
    with pytest.raises(ValueError):
        b.try_consume(1, 50)


# -- burst: the periodic spike ---------------------------------------------------
def _spiky(burst_seconds):
    """100 WCU; at the top of every minute 900 writes in the first 900 ms."""
    cap = TableCapacity(PartitionMap("T", wcu=100), burst_seconds=burst_seconds)
    throttled = 0
    for minute in range(1, 6):
        for i in range(900):
            throttled += not cap.consume("write", 1, minute * 60_000 + i, partition="p0").ok
    return throttled


def test_burst_absorbs_a_periodic_spike_the_plain_rate_throttles():
    assert _spiky(300) == 0
    # without burst (one second kept) each spike gets ~the 100/s rate only
    assert _spiky(1) > 5 * 700


# -- adaptive capacity and the partition limit ------------------------------------
def _hot_run(adaptive, table_wcu=400, demand=300, seconds=10):
    log, t = _log()
    pmap = PartitionMap("T", wcu=table_wcu, min_partitions=4, log=log)
    cap = TableCapacity(pmap, log=log, adaptive=adaptive)
    h = _hash_in(pmap, "p0")
    served = {}
    step = 1000 // demand
    for s in range(seconds):
        for i in range(demand):
            now = s * 1000 + i * step
            t[0] = now
            v = cap.consume("write", 1, now, key_hash=h)
            served[s] = served.get(s, 0) + v.ok
    t[0] = seconds * 1000
    cap.flush(seconds * 1000)
    return served, log, cap


def test_adaptive_lets_a_hot_partition_use_the_tables_spare():
    with_adaptive, log, _ = _hot_run(True)
    without, _, _ = _hot_run(False)
    assert all(v == 300 for v in with_adaptive.values())        # share is 100
    assert all(v <= 101 for s, v in without.items() if s >= 2)
    consumed = [e for e in log.of_kind("capacity.consumed") if e.second == 5000]
    assert consumed[0].write_units == 300 and consumed[0].adaptive_units > 150


def test_adaptive_never_lends_a_partition_its_own_share_twice():
    cap = TableCapacity(PartitionMap("T", wcu=100))         # one partition: nothing to borrow
    served = sum(cap.consume("write", 1, i * 4, partition="p0").ok for i in range(250))
    assert served == 100 + 99                 # the first second's tokens + 996 ms of refill


def test_partition_limit_caps_even_with_spare_and_burst():
    served, log, _ = _hot_run(True, table_wcu=2000, demand=1500, seconds=3)
    assert all(v == 1000 for v in served.values())
    ev = [e for e in log.of_kind("capacity.throttled")]
    assert ev and all(e.reason == "KeyRangeThroughputExceeded" for e in ev)


def test_adaptive_stops_when_the_table_is_busy():
    pmap = PartitionMap("T", wcu=400, min_partitions=4)
    cap = TableCapacity(pmap)
    # in the first second every partition uses its whole share at once
    for pid in ("p0", "p1", "p2", "p3"):
        assert cap.consume("write", 100, 0, partition=pid).source == "bucket"
    later = [cap.consume("write", 1, 100 + i, partition="p0") for i in range(100)]
    assert {v.source for v in later} == {"bucket", None}       # refill only, no lending
    assert sum(v.ok for v in later) == 19        # 0.1 unit per ms: 19.9 by t=199


# -- on-demand ----------------------------------------------------------------
def test_on_demand_serves_twice_the_previous_peak():
    log, t = _log()
    pmap = PartitionMap("T", min_partitions=8, log=log)
    cap = TableCapacity(pmap, mode="PAY_PER_REQUEST", log=log, ramp_ms=10_000)
    ids = [p.id for p in pmap]

    def second(s, n):
        ok = 0
        for i in range(n):
            t[0] = s * 1000 + i // 10
            v = cap.consume("write", 1, t[0], partition=ids[i % 8])
            ok += v.ok
            if not v.ok:
                assert v.code == "ThrottlingException" and v.limit == "OnDemandPeakExceeded"
                assert v.message.startswith("Throughput exceeds the current capacity")
        return ok
    assert second(0, 4000) == 4000                 # a new table: 4,000 WRU at once
    assert second(1, 4001) == 4000
    assert cap.previous_peak("write", 2000) == 2000     # the 4,000 peak counts after ramp_ms
    assert second(12, 5000) == 5000                     # 12 s later: 2 x 4,000 = 8,000
    assert cap.previous_peak("write", 12_500) == 4000
    peaks = log.of_kind("capacity.peak")
    assert peaks[0].units == 4000 and peaks[0].op == "write"


def test_on_demand_still_has_the_partition_limit():
    cap = TableCapacity(PartitionMap("T", min_partitions=4), mode="PAY_PER_REQUEST")
    ok = [cap.consume("write", 1, i // 2, partition="p0") for i in range(1100)]
    assert sum(v.ok for v in ok) == 1000
    assert ok[-1].code == "ProvisionedThroughputExceededException"
    assert ok[-1].limit == "KeyRangeThroughputExceeded"


# -- split for heat ------------------------------------------------------------
def test_hot_partition_splits_for_heat_and_isolates_the_key():
    log, t = _log()
    pmap = PartitionMap("T", wcu=400, min_partitions=2, log=log)
    cap = TableCapacity(pmap, log=log, heat_seconds=5)
    hot = _hash_in(pmap, "p0") + 12345
    cold = [pmap.get("p0").start + k * 10**30 for k in range(1, 6)]
    splits = []
    for s in range(40):
        for i in range(300):
            now = s * 1000 + i * 3
            t[0] = now
            cap.consume("write", 1, now, key_hash=hot if i % 10 else cold[i % 5])
        t[0] = (s + 1) * 1000
        splits += cap.split_for_heat((s + 1) * 1000)
    assert splits and all(sp.reason == "heat" for sp in splits)
    first = splits[0]
    assert first.parent == "p0" and first.at == hot
    assert log.of_kind("partition.split")[0].reason == "heat"
    home = pmap.locate(hot)
    assert home.start == hot                      # the hot key begins its partition
    pmap._check()


def test_heat_needs_consecutive_seconds():
    cap = TableCapacity(PartitionMap("T", wcu=10), heat_seconds=3)
    for s in (0, 1, 3, 4):                        # a quiet second 2 breaks the streak
        for i in range(20):
            cap.consume("write", 1, s * 1000 + i * 50, key_hash=99)
    assert cap.hot(5000) == []
    for i in range(20):
        cap.consume("write", 1, 5000 + i * 50, key_hash=99)
    assert cap.hot(6000) == ["p0"]
    assert cap.hot(8000) == []                    # gone quiet


# -- the map changes under the buckets -------------------------------------------
def test_children_inherit_half_the_tokens_and_rates_follow_the_map():
    pmap = PartitionMap("T", rcu=100, wcu=100)
    cap = TableCapacity(pmap)
    assert cap.tokens("p0", "write", 10_000) == 1100
    pmap.split("p0", "heat")
    assert cap.tokens("p1", "write", 10_000) == 550
    assert cap.bucket("p2", "read").rate == 50
    pmap.set_throughput(1000, 400)
    cap.sync(10_000)
    assert cap.bucket("p1", "write").rate == 200
    assert cap.tokens("p1", "write", 11_000) == 750


def test_capacity_events_are_per_second_not_per_request():
    log, t = _log()
    pmap = PartitionMap("T", rcu=1000, wcu=1000, index="ByX", log=log)
    cap = TableCapacity(pmap, log=log)
    for now in range(0, 3000):
        t[0] = now
        cap.consume("read", 0.5, now, key_hash=now * 7919 % HASH_SPACE)
    t[0] = 3000
    cap.flush(3000)
    ev = log.of_kind("capacity.consumed")
    assert [(e.second, e.reads, e.read_units, e.index) for e in ev] == [
        (0, 1000, 500.0, "ByX"), (1000, 1000, 500.0, "ByX"), (2000, 1000, 500.0, "ByX")]


def test_deterministic_log():
    def run():
        log, t = _log()
        pmap = PartitionMap("T", rcu=300, wcu=300, size_limit=5000, log=log, seed=5)
        cap = TableCapacity(pmap, log=log, heat_seconds=2)
        for now in range(0, 6000, 7):
            t[0] = now
            h = position(f"k{now % 13}")
            cap.consume("write", 2, now, key_hash=h)
            pmap.apply_write(h, None if now < 91 else 400, 400)
            if now % 1000 < 7:
                cap.split_for_heat(now)
        return log.dumps()
    assert run() == run()


# -- properties ----------------------------------------------------------------
_steps = st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 1000).map(lambda x: x / 2),
                            st.booleans(), st.integers(0, 400)), max_size=80)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 300), st.integers(1, 300), _steps)
def test_bucket_never_negative_never_above_cap(rate, burst, steps):
    b = TokenBucket(rate, 0, burst_seconds=burst)
    now = 0
    for dt, units, change_rate, new_rate in steps:
        now += dt
        before = b.tokens(now)
        ok = b.try_consume(units, now)
        after = b.tokens(now)
        assert after == pytest.approx(before - units if ok else before, abs=1e-9)
        assert ok == (units <= before)
        if change_rate:
            b.set_rate(new_rate, now)
        assert 0 <= b.tokens(now) <= b.capacity
        assert 0 <= b.tokens(now + 10**7) <= b.capacity


def test_fractional_share_refills_exactly():
    """The slide's 1,666.67 RCU share is 5000/3; three seconds refill exactly 5,000."""
    pmap = PartitionMap("T", rcu=5000, wcu=500)
    cap = TableCapacity(pmap)
    b = cap.bucket("p0", "read")
    assert b.rate == pytest.approx(5000 / 3)
    assert b.tokens(0) == pytest.approx(5000 / 3)          # one second's worth to start
    assert b.try_consume(1666, 0) and b.try_consume(0.5, 0)
    assert not b.try_consume(0.5, 0)                     # 1/6 of a unit is left
    assert b.tokens(0) == pytest.approx(1 / 6)
    b = TokenBucket(Fraction(5000, 3), 0, initial=0)
    assert b.tokens(3000) == 5000.0
    assert b.time_until(5000, 0) == 3000


def test_time_must_not_go_backwards():
    cap = TableCapacity(PartitionMap("T", wcu=10))
    cap.consume("write", 1, 5000, partition="p0")
    with pytest.raises(ValueError):
        cap.consume("write", 1, 3000, partition="p0")
    with pytest.raises(ValueError):
        cap.consume("write", 1, 6000)                   # neither key_hash nor partition
    assert repr(cap) == "<TableCapacity T/None PROVISIONED 1 partition>"
    wide = TableCapacity(PartitionMap("T", wcu=2500))  # ceil(2500 / 1000) partitions
    assert repr(wide) == "<TableCapacity T/None PROVISIONED 3 partitions>"


_cap_ops = st.lists(st.tuples(
    st.sampled_from(["read", "write", "write", "tp", "heat"]),
    st.integers(0, 700),                        # ms to advance
    st.integers(0, 2000).map(lambda x: x / 2),   # units
    st.integers(0, HASH_SPACE - 1)), max_size=120)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["PROVISIONED", "PAY_PER_REQUEST"]), st.integers(0, 8000),
       st.integers(0, 3000), _cap_ops)
def test_capacity_invariants_under_random_traffic(mode, rcu, wcu, ops):
    pmap = PartitionMap("T", rcu=rcu, wcu=wcu)
    cap = TableCapacity(pmap, mode=mode, heat_seconds=2)
    now, per_second = 0, {}
    for kind, dt, units, h in ops:
        now += dt
        if kind == "tp":
            pmap.set_throughput(units * 4, units)
            continue
        if kind == "heat":
            cap.split_for_heat(now)
            continue
        pid = pmap.locate(h).id
        before = (cap.tokens(pid, "read", now), cap.tokens(pid, "write", now))
        v = cap.consume(kind, units, now, key_hash=h)
        after = (cap.tokens(pid, "read", now), cap.tokens(pid, "write", now))
        if not v.ok:
            assert after == before                       # a throttle changes nothing
        else:
            box = per_second.setdefault((pid, now // 1000), [0.0, 0.0])
            box[kind == "write"] += units
            r, w = box
            assert r / 3000 + w / 1000 <= 1 + 1e-9      # the partition limit holds
        for p in pmap:
            for op in ("read", "write"):
                b = cap.bucket(p.id, op)
                assert 0 <= b.tokens(now) <= b.capacity + 1e-9
    pmap._check()
