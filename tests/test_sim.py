"""The substrate: kernel ordering, network faults, seeded determinism."""
import random

import pytest

from dynamo_lab import Simulation
from dynamo_lab.sim import FaultSchedule, Kernel, make_rng


def test_kernel_ties_break_by_priority_then_sequence():
    k = Kernel()
    out = []
    k.schedule(3, out.append, "late-seq")
    k.schedule(3, out.append, "first", priority=-5)
    k.schedule(1, out.append, "early")
    k.schedule(3, out.append, "later-seq")
    k.run(until=3)
    assert out == ["early", "first", "late-seq", "later-seq"]
    assert k.now == 3


def test_kernel_cancel_and_bounds():
    k = Kernel()
    out = []
    t = k.schedule(5, out.append, "x")
    t.cancel()
    k.run(until=10)
    assert out == [] and k.now == 10
    with pytest.raises(ValueError, match="past"):
        k.schedule(-1, out.append, 1)
    with pytest.raises(ValueError, match="backwards"):
        k.run(until=5)


def test_make_rng_forms():
    r = random.Random(3)
    assert make_rng(r) is r
    assert make_rng(5).random() == random.Random(5).random()
    with pytest.raises(TypeError, match="seed must be"):
        make_rng("five")


def _chatty_run(seed):
    sim = Simulation(seed=seed)
    net = sim.network
    got = []
    for i, z in enumerate(["az1", "az1", "az2", "az3"]):
        net.add(f"n{i}", lambda src, body, i=i: got.append((sim.now, i, src, body)), zone=z)
    rng = sim.rng_for("test")
    for j in range(50):
        a, b = rng.sample(net.endpoints, 2)
        sim.schedule(rng.randint(0, 100), net.send, a, b, "ping", j)
    net.set_loss(0.1)
    sim.run(ms=500)
    return sim.log.dumps(), got


def test_same_seed_same_log_byte_for_byte():
    a, got_a = _chatty_run(7)
    b, got_b = _chatty_run(7)
    c, _ = _chatty_run(8)
    assert a == b and got_a == got_b
    assert a != c
    assert '"kind":"msg.drop"' in a and '"reason":"loss"' in a


def test_cross_zone_is_slower_on_average():
    sim = Simulation(seed=1)
    for n, z in [("a", "az1"), ("b", "az1"), ("c", "az2")]:
        sim.network.add(n, lambda s, b: None, zone=z)
    same = sum(sim.network.delay("a", "b") for _ in range(2000))
    cross = sum(sim.network.delay("a", "c") for _ in range(2000))
    assert cross > same * 1.5


def test_partition_crash_and_recover():
    sim = Simulation(seed=2)
    got = []
    for n in "abc":
        sim.network.add(n, lambda src, body, n=n: got.append((n, src, body)))
    net = sim.network
    net.partition(["a"], ["b", "c"])
    assert not net.reachable("a", "b") and net.reachable("b", "c")
    net.send("a", "b", "m", 1)
    net.send("b", "c", "m", 2)
    net.crash("c")
    net.send("b", "c", "m", 3)
    sim.run(ms=50)
    assert got == []  # 2 was in flight when c crashed
    net.heal()
    net.recover("c")
    net.send("a", "c", "m", 4)
    sim.run(ms=50)
    assert got == [("c", "a", 4)]
    reasons = [e.reason for e in sim.log.of_kind("msg.drop")]
    assert reasons == ["partition", "crashed", "crashed"]


def test_a_message_is_one_event_carrying_its_send_time():
    sim = Simulation(seed=3)
    net = sim.network
    for n in "abc":
        net.add(n, lambda src, body: None)
    sim.run(ms=5)
    net.send("a", "b", "m", rid=7)
    net.send("a", "c", "m")
    net.crash("c")                          # in flight to c: dropped on arrival
    sim.run(ms=50)
    net.partition(["a"], ["b"])
    net.send("a", "b", "m")                 # cut: dropped at once
    evs = sim.log.of_kind("msg.*")
    assert sorted(e.id for e in evs) == [1, 2, 3] and "msg.send" not in sim.log.kinds()
    by_id = {e.id: e for e in evs}
    assert [e.id for e in evs if e.kind == "msg.deliver"] == [1]
    assert [by_id[i].sent for i in (1, 2, 3)] == [5, 5, 55]
    assert by_id[1].t > 5 and by_id[1].rid == 7 and by_id[2].get("rid") is None
    assert by_id[2].t > 5 and by_id[2].reason == "crashed"
    assert (by_id[3].reason, by_id[3].t) == ("partition", 55)


def test_bad_network_input_is_specific():
    sim = Simulation(seed=0)
    sim.network.add("a", lambda s, b: None)
    with pytest.raises(ValueError, match="already exists"):
        sim.network.add("a", lambda s, b: None)
    with pytest.raises(KeyError, match="unknown endpoint 'zz'"):
        sim.network.crash("zz")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        sim.network.set_loss(2)
    with pytest.raises(ValueError, match="more than one group"):
        sim.network.partition(["a"], ["a"])
    with pytest.raises(ValueError, match="exactly one"):
        sim.run()


def test_periodic_with_jitter_is_seeded():
    def ticks(seed):
        sim = Simulation(seed=seed)
        out = []
        sim.every(1000, lambda: out.append(sim.now), jitter=100, name="gossip")
        sim.run(ms=10_000)
        return out
    assert ticks(1) == ticks(1)
    assert ticks(1) != ticks(2)
    assert 9 <= len(ticks(1)) <= 11


def test_fault_schedule_installs_and_ends_healed():
    sim = Simulation(seed=3)
    for n in "abcd":
        sim.network.add(n, lambda s, b: None)
    sched = FaultSchedule.random(list("abcd"), duration_ms=20_000, seed=11, max_down=2)
    assert sched == FaultSchedule.random(list("abcd"), duration_ms=20_000, seed=11, max_down=2)
    sched.install(sim, sim.network)
    sim.run(ms=20_001)
    assert all(sim.network.is_up(n) for n in "abcd")
    assert sim.network.loss == 0.0
    assert sim.network.reachable("a", "d")
