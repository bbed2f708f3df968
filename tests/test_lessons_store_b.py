"""The store lessons 06, 07, 08, 09 and 10: the facts from the paper each lesson must
get right, asked of the engine through the lesson's exercise module.
(Every solution and known wrong answer is judged in test_exercises.py.)"""
import importlib

from dynamo_lab.check import check_history


def _lesson(name):
    return importlib.import_module(f"dynamo_lab.exercises.{name}")


def test_lesson06_sloppy_quorum_a_restart_keeps_the_hint_a_lost_disk_does_not():
    """Paper 4.6 (issue 9's correction): hints live in a separate local
    database, so a restart of their holder keeps them; a permanent failure
    loses them, and with W=1 an acknowledged write with them."""
    ex = _lesson("lesson06")
    assert ex.sloppy_targets() == ["D", "A", "B"]
    assert ex.hint_pair() == ("B", "C")
    kept = ex.holder_fails(lose_disk=False)
    assert kept.sim.log.of_kind("hint.delivered") and not kept.sim.log.of_kind("hint.lost")
    assert check_history(kept).ok
    lost = ex.holder_fails(lose_disk=True)
    assert lost.sim.log.of_kind("hint.lost")
    assert len(check_history(lost).lost) == 1


def test_lesson07_repairs_a_lost_disk_that_handoff_cannot_and_ships_little():
    """Paper 4.7: anti-entropy is for permanent failures. C's disk is lost
    while it is down; every hint still reaches it, and it is still behind."""
    ex = _lesson("lesson07")
    c = ex.diverged_cluster()
    log = c.sim.log
    assert log.of_kind("replica.disk_lost") and not log.of_kind("hint.lost")
    assert len(log.of_kind("hint.delivered")) == len(log.of_kind("hint.stored")) > 0
    assert c.divergence()
    ex.repair_by_hand(c)
    assert not c.divergence()
    r = c.anti_entropy
    assert r["repaired"] > 0 and r["keys_sent"] * 4 < r["keys_full"]
    busy = ex.loaded_cluster()
    start, end = [e.t for e in busy.sim.log.of_kind("sim.note")]
    assert any(start <= e.t < end for e in busy.sim.log.of_kind("background.deferred"))


def test_lesson08_gossip_seeds_and_local_failure_detection():
    ex = _lesson("lesson08")
    assert ex.rounds_to_converge(16) <= 2 * 4 + 2
    assert ex.rounds_to_converge(8, seeds=[]) is None
    assert ex.suspects_of("B") == ["A"]
    c = ex.joined_cluster()
    moved = sum("F" in c.preference_list(f"k{i:02d}", 3) for i in range(40))
    assert ex.keys_received(c, "F") == moved > 0


def test_lesson10_siblings_coordination_and_fastest_writer():
    ex = _lesson("lesson10")
    _, versions = ex.workload(ops=200)
    dist = ex.version_distribution(versions)
    assert dist[1] > 0.8 and max(dist) >= 3
    assert 0.2 < ex.forwarded_share(ex.latencies("server", rounds=100)) < 0.8
    assert not ex.latencies("client", rounds=100).sim.log.of_kind("request.forward")
    c, got = ex.fastest_cluster()
    res = c.put("cart:bob", {"tea", "milk"}, context=got.context)
    assert res.coordinator == got.context.fastest


def test_lesson09_figure8_shape_keeps_the_papers_order():
    """Paper 6.2's text: strategy 3 balances best and strategy 2 worst. The
    shape drawn beside our curves must not contradict it at any point."""
    m = _lesson("lesson09")
    fig = m.PAPER_FIGURE_8
    xs = [x for x, _ in fig[1]]
    assert xs == [x for x, _ in fig[2]] == [x for x, _ in fig[3]]
    for (x, s1), (_, s2), (_, s3) in zip(fig[1], fig[2], fig[3]):
        assert s3 > s1 > s2, f"at {x}: strategy 3 {s3}, 1 {s1}, 2 {s2}"
