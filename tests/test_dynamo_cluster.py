"""DynamoCluster API: quorums, failures, bad input, coordination, determinism."""
import pytest

from dynamo_lab import Simulation
from dynamo_lab.dynamo.cluster import DynamoCluster, Unavailable
from dynamo_lab.dynamo.storage import SqliteStore


def test_put_get_roundtrip_and_quorum_events():
    c = DynamoCluster(nodes=5, seed=1)
    ok = c.put("k", {"a": 1})
    assert ok.ok and ok.acks == 2 and ok.w == 2 and len(ok.replicas) == 2
    got = c.get("k")
    assert got.ok and got.value == {"a": 1} and got.acks == 2
    log = c.sim.log
    start = [e for e in log.of_kind("request.start") if e.op == "get"][-1]
    done = [e for e in log.of_kind("request.ok") if e.rid == start.rid][0]
    replies = [e for e in log.of_kind("request.reply") if e.rid == start.rid]
    assert done.replies == tuple(e.node for e in replies if e.in_quorum)
    assert len(start.targets) == 3 and start.need == 2
    assert c.get("missing").values == []


def test_bad_input():
    with pytest.raises(ValueError, match="must not exceed N"):
        DynamoCluster(nodes=5, n=3, r=4)
    with pytest.raises(ValueError, match="must not exceed N"):
        DynamoCluster(nodes=5, n=3, w=4)
    c = DynamoCluster(nodes=5, seed=1)
    with pytest.raises(KeyError, match="unknown node"):
        c.put("k", 1, coordinator="nope")
    with pytest.raises(KeyError, match="unknown node"):
        c.crash("nope")
    with pytest.raises(ValueError, match="key"):
        c.put("", 1)
    with pytest.raises(ValueError, match="key"):
        c.get(42)


def test_put_with_every_replica_down_is_a_clear_error_and_changes_nothing():
    c = DynamoCluster(nodes=3, seed=2)
    for x in c.nodes:
        c.crash(x)
    before = len(c.sim.log)
    with pytest.raises(Unavailable, match="every node is down"):
        c.put("k", "v")
    assert len(c.sim.log) == before
    with pytest.raises(Unavailable, match="coordinator"):
        c.put("k", "v", coordinator="n1")
    assert c.keys() == []


def test_too_few_healthy_replicas_fails_with_count():
    c = DynamoCluster(nodes=3, seed=3, w=3, r=3, retry_ms=0)
    c.crash("n2")
    res = c.put("k", "v", coordinator="n1")
    assert not res.ok and res.w == 3 and res.acks == 2
    assert "2 of W=3" in res.reason
    # n1 now thinks n2 is down: the next put fails fast and writes nothing
    res2 = c.put("k2", "v", coordinator="n1")
    assert not res2.ok and "nothing was written" in res2.reason
    assert "k2" not in c.keys()
    g = c.get("k", coordinator="n1")
    assert not g.ok and "R=3" in g.reason


def test_replicas_shows_hinted_copies():
    c = DynamoCluster(nodes=5, seed=4)
    homes = c.preference_list("cart")[:3]
    c.crash(homes[0])
    assert c.put("cart", "v", coordinator=homes[1]).ok
    c.run(ms=100)
    view = c.replicas("cart")
    hinted = {x: v["hints"] for x, v in view.items() if v["hints"]}
    assert len(hinted) == 1
    (holder, hints), = hinted.items()
    assert holder not in homes and hints[0][0] == homes[0]
    assert view[homes[0]]["home"] and not view[homes[0]]["up"]


def test_read_repair_fixes_stale_replica_including_late_answerers():
    c = DynamoCluster(nodes=3, seed=5, anti_entropy_ms=0, handoff_ms=0)
    c.put("k", "old")
    c.run(ms=50)
    c.partition(["n1", "n2"], ["n3"])
    c.put("k", "new", context=c.get("k", coordinator="n1").context, coordinator="n1")
    c.heal()
    c.run(ms=1500)     # n1's failure detector probes n3 and hears from it again
    assert [v.value for v in c.node("n3").store.get("k")] == ["old"]
    got = c.get("k", coordinator="n1")
    assert got.values == ["new"]
    c.run(ms=100)
    assert [v.value for v in c.node("n3").store.get("k")] == ["new"]
    assert any(e.node == "n3" for e in c.sim.log.of_kind("request.read_repair"))


def test_write_coordinator_is_fastest_reader():
    c = DynamoCluster(nodes=6, seed=6)
    c.put("k", 1)
    got = c.get("k")
    res = c.put("k", 2, context=got.context)
    assert res.coordinator == got.context.fastest


def test_client_driven_is_faster_than_server_driven():
    lat = {}
    for mode in ("server", "client"):
        c = DynamoCluster(nodes=12, zones=3, seed=7, coordination=mode,
                          anti_entropy_ms=0)
        for i in range(150):
            c.put(f"k{i % 30}", i)
            c.get(f"k{(i * 7) % 30}")
        lat[mode] = (c.client.percentile("put", 99.9), c.client.percentile("get", 50))
        assert c.sim.log.of_kind("request.done")
    assert lat["client"][0] < lat["server"][0]
    assert lat["client"][1] <= lat["server"][1]
    c = DynamoCluster(nodes=5, seed=7, coordination="client")
    c.run(ms=10_500)
    assert c.sim.log.of_kind("member.pulled")


def test_sqlite_store_survives_crash_and_restart():
    c = DynamoCluster(nodes=3, seed=8, store="sqlite", w=3)
    assert c.put("k", {"x": [1, 2]}).ok
    for x in c.nodes:
        c.crash(x)
    for x in c.nodes:
        c.recover(x)
    assert isinstance(c.node("n1").store, SqliteStore)
    assert c.get("k").value == {"x": [1, 2]}
    c.close()


def test_write_buffer_loses_unflushed_writes_on_crash():
    c = DynamoCluster(nodes=3, seed=9, write_buffer=True, flush_ms=10_000, w=1, r=1,
                      anti_entropy_ms=0)
    res = c.put("k", "v", coordinator="n1")
    assert res.ok
    c.crash("n1")
    lost = c.sim.log.of_kind("replica.lost")
    assert lost and lost[0].node == "n1" and "k" in lost[0].keys


def test_durable_writes_are_slower_than_buffered():
    def p99(buffer):
        c = DynamoCluster(nodes=5, seed=10, write_buffer=buffer, disk_ms=(5, 20),
                          anti_entropy_ms=0)
        for i in range(200):
            c.put(f"k{i % 40}", i)
        return c.client.percentile("put", 99.9)
    assert p99(True) * 2 < p99(False)


def test_same_seed_same_event_log():
    def run():
        sim = Simulation(seed=12)
        c = DynamoCluster(nodes=5, zones=2, sim=sim)
        for i in range(20):
            c.put(f"k{i % 4}", i, context=c.get(f"k{i % 4}").context)
        c.crash("n2")
        c.put("k1", "x")
        c.partition(["n1", "n3"], ["n4", "n5"])
        c.run(ms=3000)
        c.heal()
        c.recover("n2")
        c.run(ms=5000)
        return sim.log.dumps()
    a, b = run(), run()
    assert a == b and len(a) > 10_000


def test_add_and_remove_nodes_transfer_ranges():
    c = DynamoCluster(nodes=4, seed=13)
    for i in range(40):
        assert c.put(f"k{i}", i).ok
    c.run(ms=200)
    c.add_node("n5")
    c.run(ms=500)
    offers = c.sim.log.of_kind("transfer.offer")
    assert offers and all(e.dst == "n5" for e in offers)
    assert c.node("n5").store.keys()
    assert c.sim.log.of_kind("transfer.done")
    c.run(ms=5000)
    moved = c.sim.log.of_kind("replica.handed_off")
    assert moved and all(e.node != "n5" and e.node not in e.to for e in moved)
    assert c.membership_converged()
    c.remove_node("n2")
    c.run(ms=2000)
    assert "n2" not in c.nodes and c.node("n2").retired
    c.run(ms=20_000)
    for i in range(40):
        assert c.get(f"k{i}").value == i
    assert c.converged()
    assert c.sim.log.of_kind("member.joined") and c.sim.log.of_kind("member.left")


def test_admission_control_defers_background_work():
    c = DynamoCluster(nodes=4, seed=14, admission_ms=5, disk_ms=(10, 5))
    for i in range(30):
        c.put(f"k{i}", i)
    c.run(ms=3000)
    deferred = c.sim.log.of_kind("background.deferred")
    assert deferred and deferred[0].latency_ms > 5


def test_event_log_is_identical_across_processes_and_hash_seeds():
    import os
    import subprocess
    import sys
    code = (
        "import hashlib\n"
        "from dynamo_lab import Simulation\n"
        "from dynamo_lab.dynamo.cluster import DynamoCluster\n"
        "sim = Simulation(seed=31)\n"
        "c = DynamoCluster(nodes=5, zones=3, sim=sim, reconcile='union')\n"
        "for i in range(12):\n"
        "    c.put(f'cart{i % 3}', frozenset({f'item{i}', 'x'}))\n"
        "c.crash('n2'); c.put('cart1', frozenset({'y'})); c.run(ms=2000)\n"
        "c.recover('n2'); c.run(ms=6000)\n"
        "print(hashlib.sha256(sim.log.dumps().encode()).hexdigest())\n")
    out = []
    for hs in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hs)
        out.append(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                  capture_output=True, text=True).stdout)
    assert out[0] == out[1] and len(out[0]) == 65
