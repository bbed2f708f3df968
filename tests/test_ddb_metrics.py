"""CloudWatch-style metrics: per-minute sums per table, GSI and partition,
reduced from capacity events, the same live and from a recorded log."""
import pytest

from dynamo_lab import Simulation
from dynamo_lab.dynamo.hashing import position
from dynamo_lab.dynamodb.capacity.metrics import METRICS, CapacityMetrics, apply
from dynamo_lab.dynamodb.capacity.throughput import TableCapacity
from dynamo_lab.dynamodb.partitions.partitioning import PartitionMap
from dynamo_lab.events import EventLog


def _workload(sim):
    """A table (100 WCU, 200 RCU, 2 partitions via min_partitions) and a GSI
    (50 WCU), driven for 150 s: steady reads, a hot write key that throttles."""
    table = PartitionMap("Music", rcu=200, wcu=100, min_partitions=2, log=sim.log, seed=1)
    gsi = PartitionMap("Music", wcu=50, index="ByArtist", log=sim.log, seed=1)
    caps = {None: TableCapacity(table, log=sim.log, adaptive=False),
            "ByArtist": TableCapacity(gsi, log=sim.log)}
    tally = {}

    def charge(index, op, units, key, requests=1):
        v = caps[index].consume(op, units, sim.now, key_hash=position(key), requests=requests)
        pid = v.partition
        for dim in ((index, None), (index, pid)):
            box = tally.setdefault(dim, {m: 0.0 for m in METRICS})
            if v.ok:
                box["ConsumedReadCapacityUnits" if op == "read" else
                    "ConsumedWriteCapacityUnits"] += units
            else:
                box["ReadThrottleEvents" if op == "read" else "WriteThrottleEvents"] += 1
                box["ThrottledRequests"] += requests
        return v

    def tick():
        n = sim.now // 10
        charge(None, "read", 0.5, f"song{n % 97}")
        charge(None, "write", 1, "hot-song")               # 100/s on one partition
        if n % 2 == 0:
            v = charge(None, "write", 1, "hot-song")
            charge("ByArtist", "write", 1, f"artist{n % 5}", requests=0 if not v.ok else 1)

    sim.every(10, tick)
    sim.every(1000, lambda: [c.flush(sim.now) for c in caps.values()], name="flush")
    sim.run(ms=150_000)
    for c in caps.values():
        c.flush(sim.now + 1000)
    return table, tally


@pytest.fixture(scope="module")
def run():
    """One recorded run shared by the tests (it takes a couple of seconds)."""
    sim = Simulation(seed=3)
    live = CapacityMetrics(sim.log)             # follows while the run goes on
    table, tally = _workload(sim)
    return sim, live, table, tally


def test_metrics_match_what_the_requests_saw(run):
    sim, _, table, tally = run
    m = CapacityMetrics(sim)
    for (index, pid), want in tally.items():
        for metric, value in want.items():
            got = m.total("Music", metric, index=index, partition=pid)
            assert got == pytest.approx(value), (index, pid, metric)
    assert m.total("Music", "WriteThrottleEvents") > 0
    assert m.total("Music", "ConsumedWriteCapacityUnits", index="ByArtist") > 0
    # three minutes of data: [0, 60 s), [60, 120), [120, 150]
    minutes = [t for t, _ in m.series("Music", "ConsumedReadCapacityUnits")]
    assert minutes == [0, 60_000, 120_000]
    reads = dict(m.series("Music", "ConsumedReadCapacityUnits"))
    assert reads[0] == pytest.approx(60 * 100 * 0.5, rel=0.01)
    assert ("Music", "ByArtist", None) in m.dimensions()


def test_same_metrics_from_a_recorded_log(run, tmp_path):
    sim, live, _, _ = run
    path = tmp_path / "run.jsonl"
    sim.log.save(path)
    again = CapacityMetrics(EventLog.load(path), follow=False)
    assert again.state == live.state
    replayed = EventLog.load(path).replay(CapacityMetrics())
    assert replayed.state == live.state


def test_the_hot_partition_stands_out(run):
    sim, _, table, _ = run
    m = CapacityMetrics(sim)
    hot = table.locate(position("hot-song")).id
    cold = next(p.id for p in table if p.id != hot)
    assert m.total("Music", "WriteThrottleEvents", partition=hot) > 0
    assert m.total("Music", "WriteThrottleEvents", partition=cold) == 0
    dp = m.datapoints("Music", "ConsumedWriteCapacityUnits", partition=hot)
    assert dp[1]["Sum"] == pytest.approx(60 * 50, rel=0.02)     # its share: 50 WCU/s
    assert dp[1]["Average"] == pytest.approx(50, rel=0.02)
    assert dp[1]["Unit"] == "Count"


def test_reducer_ignores_other_kinds_and_checks_names():
    log = EventLog(strict=False)
    log.emit("sim.note", text="x")
    ev = log[-1]
    assert apply({}, ev) == {}
    with pytest.raises(ValueError):
        CapacityMetrics(log).series("T", "ConsumedBananas")
    assert CapacityMetrics().series("T", "ThrottledRequests") == []


def test_time_window_of_series(run):
    sim = run[0]
    m = CapacityMetrics(sim)
    assert [t for t, _ in m.series("Music", "ConsumedReadCapacityUnits",
                                   start=60_000, end=120_000)] == [60_000]
