"""The store lessons 01, 03, 04 and 05: the facts from the paper each lesson must
get right, asked of the engine through the lesson's exercise module.
(Every solution and known wrong answer is judged in test_exercises.py.)"""
import importlib


def _lesson(name):
    return importlib.import_module(f"dynamo_lab.exercises.{name}")


def test_lesson01_every_add_is_accepted_while_a_zone_burns():
    from dynamo_lab.check import check_set
    m = _lesson("lesson01")
    cluster, attempts = m.cart_run()
    assert all(attempts.values()) and len(attempts) == 30
    assert not all(cluster.sim.network.is_up(x) for x in cluster.nodes)
    assert check_set(attempts, cluster.get(m.KEY).value).valid
    assert cluster.hints(), "a sloppy quorum leaves a hinted copy"


def test_lesson01_the_union_merge_brings_a_deleted_item_back():
    m = _lesson("lesson01")
    _, after = m.two_tabs()
    assert after.siblings == 2
    assert "item03" in after.value and "gift" in after.value
    assert any("item03" not in v for v in after.values)


def test_lesson01_sla_run_is_500_requests_and_its_tail_is_one_request():
    """The lesson makes no claim about 500 requests a second (the run is
    sequential); what it shows is that the 99.9th percentile of 500 requests
    is the slowest one, far above the median."""
    m = _lesson("lesson01")
    sla = m.sla_run()
    lat = sla.client.latencies["get"] + sla.client.latencies["put"]
    assert len(lat) == 500
    assert m.percentile(lat, 99.9) == max(lat)
    assert 2 * m.percentile(lat, 50) < m.percentile(lat, 99.9)


def test_lesson03_the_preference_list_skips_a_nodes_other_positions():
    m = _lesson("lesson03")
    c = m.store()
    walk = m.ring_walk(c.ring, "cart:dave", 8)
    assert walk[:3] == ["n8", "n8", "n8"]
    firsts = list(dict.fromkeys(walk))
    assert c.preference_list("cart:dave", 3) == firsts[:3]
    assert len(c.preference_list("cart:dave")) == 8 > c.n


def test_lesson03_zone_aware_lists_span_every_zone():
    m = _lesson("lesson03")
    keys = m.sample_keys(300)
    assert m.zone_spread(m.zoned(True), keys) == 300
    assert m.zone_spread(m.zoned(False), keys) < 300


def test_lesson04_figure3_clock_for_clock():
    m = _lesson("lesson04")
    _, d = m.figure3()
    want = {"D1": (("Sx", 1),), "D2": (("Sx", 2),), "D3": (("Sx", 2), ("Sy", 1)),
            "D4": (("Sx", 2), ("Sz", 1)), "D5": (("Sx", 3), ("Sy", 1), ("Sz", 1))}
    assert {k: d[k].clock.pairs for k in want} == want
    assert m.relation(d["D3"].clock, d["D4"].clock) == "sibling"


def test_lesson04_truncation_drops_the_oldest_pair_and_makes_a_false_sibling():
    from dynamo_lab.dynamo.vclock import TRUNCATE_AT
    m = _lesson("lesson04")
    c = m.long_chain()
    puts = [h for h in c.history if h["op"] == "put"]
    last = puts[-1]["clock"]
    assert len(last) == TRUNCATE_AT == 10
    assert "n01" not in dict(last.pairs)
    assert not last.descends(puts[-2]["clock"])
    assert sorted(c.get("k").values) == ["by n10", "by n11"]


def test_lesson05_quorums_and_durability():
    m = _lesson("lesson05")
    assert (2, 2) in m.overlapping(3) and (1, 3) in m.overlapping(3)
    assert (1, 2) not in m.overlapping(3)
    assert not m.power_cut("memory").lost
    assert m.power_cut("buffered").lost
    assert not m.power_cut("one durable").lost
    t = m.table_cache()
    assert t[("put", 1)][2] <= t[("put", 3)][2]
    assert t[("get", 1)][0] <= t[("get", 3)][0]


def test_lesson05_the_durable_copy_need_not_be_among_the_acknowledgements():
    """Paper 6.1 (issue 9's correction): the coordinator waits for W replies,
    so a put can be acknowledged by buffering replicas alone, before the one
    durable write lands; the lesson must not say each acknowledged write has
    a copy on disk."""
    import json
    from pathlib import Path
    m = _lesson("lesson05")
    among, total = m.durable_among_acks()
    assert 0 < among < total
    lesson = Path(__file__).resolve().parent.parent / "lessons" / "05_quorums.ipynb"
    text = " ".join("".join(c["source"]) for c in json.loads(lesson.read_text())["cells"])
    assert "each acknowledged write has a copy on disk" not in " ".join(text.split())
