"""Views of the Dynamo store: reducers over events only, rebuilt by replay, deterministic."""
from __future__ import annotations

import json
import re

import pytest

from dynamo_lab import DynamoCluster, EventLog, Simulation
from dynamo_lab.viz import Timeline
from dynamo_lab.viz.store import (
    HealthView,
    MembershipView,
    MerkleView,
    ReplicaView,
    SequenceView,
    VersionView,
)
from dynamo_lab.viz.store.merkle import leaf_of
from dynamo_lab.viz.svg import to_svg

VIEWS = {
    "replicas": lambda src: ReplicaView(src, keys=("cart", "k3"), live=False),
    "sequence_put": lambda src: SequenceView(src, op="put"),
    "sequence_get": lambda src: SequenceView(src, op="get"),
    "sequence_rid": lambda src: SequenceView(src, rid=3),
    "versions": lambda src: VersionView(src, key="cart"),
    "membership": lambda src: MembershipView(src, live=False),
    "merkle": lambda src: MerkleView(src),
    "health": lambda src: HealthView(src, live=False),
}


def busy_run(seed: int = 11) -> DynamoCluster:
    """A run touching every view: writes, reads, siblings, a crash with hints,
    recovery and handoff, a zone outage, anti-entropy, a join."""
    c = DynamoCluster(nodes=6, zones=3, seed=seed)
    a = c.put("cart", {"pen"})
    for i in range(5):
        c.put(f"k{i}", i)
    home = c.preference_list("cart")[:3]
    c.crash(home[1])
    got = c.get("cart")
    c.put("cart", {"pen", "ink"}, context=got.context)
    c.put("cart", {"pen", "cap"}, context=a.context)       # a concurrent writer: siblings
    c.run(ms=300)
    c.sim.note("hinted")
    c.recover(home[1])
    c.run(ms=3000)
    c.crash_zone("az3")
    c.put("k3", "outage")
    c.run(ms=500)
    c.recover_zone("az3")
    c.add_node("n7", zone="az1")
    c.run(ms=6000)
    c.get("cart")
    c.run(ms=100)
    return c


@pytest.fixture(scope="module")
def run() -> DynamoCluster:
    return busy_run()


def cut(log: EventLog, t: int) -> EventLog:
    return EventLog.loads("".join(e.to_json() + "\n" for e in log.until(t)))


# -- replay and rebuild ----------------------------------------------------

@pytest.mark.parametrize("name", sorted(VIEWS))
def test_live_view_equals_view_of_saved_and_loaded_log(name, tmp_path):
    sim = Simulation(seed=11)
    live = VIEWS[name](sim)                  # attached before anything happened
    c = DynamoCluster(nodes=6, zones=3, sim=sim)
    c.put("cart", "x")
    c.crash(c.preference_list("cart")[1])
    c.put("cart", "y", context=c.get("cart").context)
    c.run(ms=300)
    c.recover(c.preference_list("cart")[1])
    c.run(ms=4000)
    path = tmp_path / "run.jsonl"
    sim.log.save(path)
    loaded = VIEWS[name](EventLog.load(path))
    assert repr(loaded) == repr(live)
    assert loaded.svg() == live.svg()
    assert loaded._repr_html_() == live._repr_html_()


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_rebuild_at_t_matches_a_log_cut_at_t(name, run):
    view = VIEWS[name](run)
    log = run.sim.log
    end = log[-1].t
    for t in (0, 5, 200, 400, 3400, 3900, end // 2, end):
        sc = view.render(view.state_at(t=t))
        at = to_svg(sc["items"], sc["w"], sc["h"])
        assert at == VIEWS[name](cut(log, t)).svg(), (name, t)


def test_timeline_scrubs_store_views(run):
    views = [VIEWS[n](run) for n in ("replicas", "sequence_put", "membership", "health")]
    live = [v.svg() for v in views]
    tl = Timeline(run, views=views)
    t = run.sim.log[len(run.sim.log) // 3].t
    tl.seek(t=t)
    for name, v in zip(("replicas", "sequence_put", "membership", "health"), views):
        assert v.at == len(run.sim.log.until(t))
        assert v.svg() == VIEWS[name](cut(run.sim.log, t)).svg()
        assert repr(v).endswith(f", at event {v.at} of {len(run.sim.log)}>")
    tl.seek()
    assert [v.svg() for v in views] == live and all(v.at is None for v in views)


def test_same_seed_same_text_and_html():
    a, b = busy_run(5), busy_run(5)
    for name, make in VIEWS.items():
        va, vb = make(a), make(b)
        ba, bb = va._repr_mimebundle_(), vb._repr_mimebundle_()
        assert ba == bb, name
        assert set(ba) == {"text/plain", "text/html"}
        assert "plotly" not in ba["text/html"]


# -- SequenceView ----------------------------------------------------------

def test_put_with_322_marks_exactly_two_replies_as_the_quorum():
    c = DynamoCluster(nodes=5, n=3, r=2, w=2, seed=3)
    res = c.put("cart", "pen")
    c.run(ms=50)
    view = SequenceView(c, op="put")
    svg = view.svg()
    assert svg.count('data-quorum="yes"') == 2
    assert svg.count('class="dl-local"') == 1          # the coordinator's own write
    assert view.quorum() == tuple(res.replicas) and view.quorum()[0] == res.coordinator
    assert svg.count('data-quorum="late"') == 1 and len(view.late()) == 1
    msgs = view.messages()
    assert [m[3] for m in msgs].count("replicate") == 2
    assert [m[3] for m in msgs].count("replicate_ack") == 2
    assert {m[3] for m in msgs} == {"put", "replicate", "replicate_ack", "put_reply"}
    assert 'class="dl-quorum-line"' in svg


def test_get_shows_the_late_reply_and_read_repair():
    c = DynamoCluster(nodes=["A", "B", "C"], seed=4, anti_entropy_ms=0)
    c.crash("C")
    c.put("k", "v", coordinator="A")
    c.recover("C")
    c.run(ms=1500)
    c.get("k", coordinator="A")
    c.run(ms=100)
    view = SequenceView(c, op="get")
    assert view.quorum() == ("A", "B") and view.late() == ("C",)
    svg = view.svg()
    assert svg.count('data-quorum="yes"') == 2
    assert 'class="dl-msg dl-msg-repair"' in svg and 'data-dst="C"' in svg
    assert "read repair: C got [A,1]" in svg


def test_dropped_message_is_marked():
    c = DynamoCluster(nodes=5, seed=3)
    c.crash(c.preference_list("cart")[1])
    c.put("cart", "pen")
    c.run(ms=100)
    view = SequenceView(c, op="put")
    drops = [m for m in view.messages() if m[6].startswith("dropped")]
    assert len(drops) == 1 and drops[0][2] == c.preference_list("cart")[1]
    svg = view.svg()
    assert svg.count('class="dl-drop-mark"') == 1 and 'data-status="dropped"' in svg
    assert any(m[7] == "late" for m in view.messages())   # the fallback answered late


def test_forward_ack_is_drawn_like_any_message():
    c = DynamoCluster(nodes=4, seed=1)
    c.put("k", "v")                           # the client's entry node n4 forwards to n3
    c.run(ms=50)
    view = SequenceView(c, op="put")
    r = view.request()
    assert r.entry != r.coordinator
    acks = [m for m in view.messages() if m[3] == "forward_ack"]
    assert [(m[1], m[2], m[6]) for m in acks] == [(r.coordinator, r.entry, "delivered")]
    assert acks[0][4] < acks[0][5]            # from its send to its delivery
    svg = view.svg()
    assert svg.count('data-msg="forward_ack"') == 1
    assert f'data-src="{r.coordinator}" data-dst="{r.entry}"' in svg


def test_sequence_picks_a_request_by_id():
    c = DynamoCluster(nodes=4, seed=1)
    c.put("a", 1)
    c.get("a")
    c.put("b", 2)
    assert SequenceView(c, rid=2).request().op == "get"
    assert SequenceView(c, op="put").request().key == "b"
    assert SequenceView(c).request().rid == 3
    assert repr(SequenceView(c, rid=99)) == "<SequenceView no request>"
    with pytest.raises(ValueError):
        SequenceView(c, op="delete")


# -- ReplicaView -----------------------------------------------------------

def test_one_hinted_copy_points_at_the_crashed_node_then_is_delivered():
    c = DynamoCluster(nodes=5, seed=3)
    view = ReplicaView(c, keys="cart")
    home = c.preference_list("cart")[:3]
    c.crash(home[1])
    c.put("cart", "pen")
    c.run(ms=100)
    svg = view.svg()
    assert svg.count('class="dl-hint dl-hint-stored"') == 1
    assert svg.count(f'data-target="{home[1]}" data-status="stored"') == 1
    assert svg.count('class="dl-hint-link dl-hint-stored"') == 1
    assert view.preference_list("cart") == home
    assert 'class="dl-replica dl-missing dl-down"' in svg
    (holder, target, _, status), = view.hints()
    assert (target, status) == (home[1], "stored") and holder not in home
    c.recover(home[1])
    c.run(ms=3000)
    svg = view.svg()
    assert svg.count('class="dl-hint dl-hint-delivered"') == 1
    assert 'dl-hint-stored' not in svg
    assert view.hints() == [(holder, home[1], "cart", "delivered")]
    assert set(home) <= set(view.holders("cart"))
    # the delivered hint sits on its home replica's marker (the browser animates the move)
    items = {it[1]: it[2] for it in view.render(view.state)["items"]}
    hint = items[f"h:cart:{holder}:{home[1]}"]
    home_mark = items[f"rp:cart:{home[1]}"]
    assert (hint["cx"], hint["cy"]) == (home_mark["cx"], home_mark["cy"])
    assert view.widget().scene == json.dumps(view.scene(), separators=(",", ":"),
                                             ensure_ascii=False)


def test_replica_view_follows_live_with_batched_widget_updates():
    c = DynamoCluster(nodes=4, seed=2)
    view = ReplicaView(c, keys=["a", "b"])
    w = view.widget()
    before = w.scene
    for i in range(20):
        c.put("a", i)
    assert w.scene == before and view._batcher.dirty
    view.flush()
    assert w.scene != before and view.syncs == 1
    assert "dl-replica dl-held" in w.scene
    bundle = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("<ReplicaView N=3: 'a' on ")


# -- VersionView -----------------------------------------------------------

def figure3() -> DynamoCluster:
    c = DynamoCluster(nodes=["Sx", "Sy", "Sz"], seed=7)
    d1 = c.put("k", "D1", coordinator="Sx")
    d2 = c.put("k", "D2", context=d1.context, coordinator="Sx")
    c.put("k", "D3", context=d2.context, coordinator="Sy")
    c.put("k", "D4", context=d2.context, coordinator="Sz")
    c.put("k", "D5", context=c.get("k").context, coordinator="Sx")
    c.run(ms=100)
    return c


def test_version_view_draws_figure_3():
    view = VersionView(figure3(), key="k")
    g = view.graph()
    assert g.number_of_nodes() == 5
    assert sorted(g.edges) == [("D1", "D2"), ("D2", "D3"), ("D2", "D4"), ("D3", "D5"),
                               ("D4", "D5")]
    assert view.generations() == [["D1"], ["D2"], ["D3", "D4"], ["D5"]]
    assert [view.clock(d) for d in ("D1", "D2", "D3", "D4", "D5")] == [
        "[Sx,1]", "[Sx,2]", "[Sx,2][Sy,1]", "[Sx,2][Sz,1]", "[Sx,3][Sy,1][Sz,1]"]
    svg = view.svg()
    assert svg.count('dl-sibling"') == 2 and svg.count("dl-merge") == 1
    assert 'data-version="D3" data-clock="[Sx,2][Sy,1]" data-generation="2"' in svg
    assert 'data-version="D4" data-clock="[Sx,2][Sz,1]" data-generation="2"' in svg
    assert view.holders("D5") == ["Sx", "Sy", "Sz"] and view.holders("D3") == []
    assert 'data-from="D2" data-to="D3" data-writer="Sy"' in svg
    assert 'data-from="D4" data-to="D5" data-writer="Sx"' in svg
    assert repr(view) == "<VersionView 'k': 5 versions in 4 generations, siblings D3|D4, merges D5>"


def test_version_view_before_the_merge_shows_the_siblings_held():
    c = figure3()
    view = VersionView(c, key="k")
    t = next(e.t for e in c.sim.log if e.kind == "vclock.siblings")
    view.show_at(t=t)
    assert view.generations()[-1] == ["D3", "D4"]
    assert "merges" not in repr(view)


# -- MerkleView ------------------------------------------------------------

def test_merkle_view_lights_only_the_path_to_the_differing_key():
    c = DynamoCluster(nodes=["A", "B", "C"], seed=4, w=1)
    for i in range(30):
        c.put(f"same{i}", i)
    c.run(ms=200)
    c.crash("C")
    c.put("k", "v", coordinator="A")
    c.recover("C")
    c.run(ms=10_000)
    view = MerkleView(c)
    assert view.repaired() == (("C", "k"),)
    (rng, lit), = view.lit()
    depth = view.depth
    assert depth == c.merkle_depth
    leaf = leaf_of("k", rng[0], rng[1], depth)
    assert lit == [(level, leaf >> (depth - level)) for level in range(depth + 1)]
    svg = view.svg()
    assert svg.count('class="dl-mnode dl-lit"') == depth + 1
    assert svg.count('class="dl-medge dl-lit"') == depth
    assert svg.count('class="dl-mnode"') == 2 ** (depth + 1) - 1 - (depth + 1)
    assert 'data-key="k" data-node="C"' in svg


def test_merkle_view_labels_of_neighbouring_leaves_take_turns_by_row():
    # Sixty keys repaired at once: some land in neighbouring leaves, whose
    # labels ("k12→C") are wider than the 42 px between two leaves.
    c = DynamoCluster(nodes=["A", "B", "C"], seed=4, w=1)
    c.crash("C")
    for i in range(60):
        c.put(f"k{i}", i, coordinator="A")
    c.recover("C")
    c.run(ms=10_000)
    svg = MerkleView(c).svg()
    labels = [(float(x), float(y)) for x, y in re.findall(
        r'<text data-id="lk:[^"]*" class="dl-leaf-key" x="([\d.]+)" y="([\d.]+)"', svg)]
    near = [(a, b) for i, a in enumerate(labels) for b in labels[i + 1:]
            if 0 < abs(a[0] - b[0]) < 50]
    assert near, "no two neighbouring leaves were labelled: the check would prove nothing"
    assert all(a[1] != b[1] for a, b in near)
    # and every label still lies inside the drawing
    height = float(re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', svg).group(1))
    assert max(y for _, y in labels) < height


def test_merkle_view_of_an_exchange_with_no_difference():
    c = DynamoCluster(nodes=["A", "B", "C"], seed=4)
    c.put("k", "v")
    c.run(ms=5000)
    view = MerkleView(c)
    assert view.lit() == [] and "every root matched" in view.svg()


# -- MembershipView --------------------------------------------------------

def engine_cell(c: DynamoCluster, o: str, n: str) -> str:
    nd = c.node(o)
    e = nd.view.entries.get(n)
    if o == n:
        return "self"
    if e is None:
        return "unknown"
    if e[1] == "left":
        return "left"
    return "suspect" if n in nd.down else "up"


@pytest.mark.parametrize("mode,told", [("seeds", "seeds"), ("converged", None),
                                       ("seeds", None)])
def test_membership_matrix_matches_every_node_s_view(mode, told):
    c = DynamoCluster(nodes=7, seed=5, membership=mode)
    view = MembershipView(c, membership=told)
    checked = 0
    for step in range(12):
        c.run(ms=700)
        if step == 3:
            c.crash("n4")
        if step == 6:
            c.add_node("n8")
        if step == 8:
            c.recover("n4")
        if told is None and step == 0:
            continue        # the mode is only known after the first gossip exchange
        m = view.matrix()
        for o in c.nodes:
            for n in m:
                assert m[o][n] == engine_cell(c, o, n), (step, o, n)
                checked += 1
    assert checked > 400
    ser = view.series()
    assert ser[-1][1] == ser[-1][3] == 8
    if mode == "seeds":
        assert ser[0][1] < ser[0][3]
    fig = view.figure()
    assert [tr.name for tr in fig.data][:2] == ["complete view", "complete, no wrong suspicion"]
    svg = view.svg()
    assert svg.count('class="dl-cell dl-cell-') == 64 + 5
    assert 'data-series="complete"' in svg


# -- HealthView ------------------------------------------------------------

def test_health_view_counts_nodes_and_hints_like_the_engine():
    c = DynamoCluster(nodes=6, zones=3, seed=2)
    view = HealthView(c)
    c.crash_zone("az2")
    for i in range(8):
        c.put(f"k{i}", i)
    c.run(ms=200)
    assert view.zones() == {"az1": {"up": 2, "down": 0, "left": 0},
                            "az2": {"up": 0, "down": 2, "left": 0},
                            "az3": {"up": 2, "down": 0, "left": 0}}
    assert view.hints()["held"] == len(c.hints()) > 0
    assert view.hints()["pending"] == 0
    svg = view.svg()
    assert svg.count('class="dl-node-box dl-node-down"') == 2
    held = sum(int(x.split('"')[1]) for x in svg.split("data-hints-held=")[1:])
    assert held == len(c.hints())
    c.recover_zone("az2")
    assert view.hints()["pending"] == len(c.hints()) > 0
    c.run(ms=5000)
    assert view.hints() == {"held": 0, "pending": 0, "waiting": 0} and c.hints() == []
    fig = view.figure()
    assert [tr.name for tr in fig.data] == ["up", "down", "hints held"]


def test_long_runs_keep_what_the_views_show():
    c = DynamoCluster(nodes=["A", "B", "C"], seed=4, w=1, anti_entropy_ms=100)
    for i in range(150):
        c.put(f"x{i}", i)
    c.run(ms=1000)
    c.crash("C")
    c.put("k", "v", coordinator="A")
    c.recover("C")
    merkle, seq = MerkleView(c), SequenceView(c, rid=151)
    c.run(ms=15_000)
    assert len(c.sim.log.of_kind("merkle.exchange")) > 100
    assert merkle.repaired() == (("C", "k"),)
    assert seq.request().key == "k" and len(seq.state.reqs) == 1
    assert repr(seq) == repr(SequenceView(c.sim.log, rid=151))


def test_failed_puts_timeout_then_refused():
    c = DynamoCluster(nodes=["A", "B", "C"], seed=1)
    c.crash("B")
    c.crash("C")
    assert not c.put("k", 1, coordinator="A").ok
    first = SequenceView(c)
    assert repr(first) == ("<SequenceView put 'k' rid=1 coordinator=A W=2: quorum - "
                           "(failed: timeout; answered A); 4 messages>")
    assert first.late() == () and 'data-quorum="yes"' not in first.svg()
    assert not c.put("k", 2, coordinator="A").ok       # A now knows: refused at once
    second = SequenceView(c)
    assert second.request().rid == 2 and second.request().fail == "unavailable"
    assert [m[3] for m in second.messages()] == ["put", "put_reply"]
    assert [m[3] for m in SequenceView(c, rid=1).messages()].count("put") == 1


@pytest.mark.parametrize("kw", [{"disk_ms": (2, 3)}, {"zones": 3}, {"coordination": "client"}])
def test_every_request_message_is_tied_to_its_request(kw):
    from dynamo_lab.viz.store import sequence
    from dynamo_lab.viz.store._base import REQUEST_MSGS
    c = DynamoCluster(nodes=6, seed=9, **kw)
    for i in range(20):
        c.put(f"k{i % 5}", i)
        if i % 7 == 0:
            c.get(f"k{i % 5}")
        if i == 10:
            c.crash("n2")
    c.run(ms=2000)
    state = sequence.SeqState()
    for ev in c.sim.log:
        sequence.apply(state, ev)
    owned = {m: r.rid for r in state.reqs.values() for m in r.msgs}
    msgs = [e for e in c.sim.log.of_kind("msg.deliver", "msg.drop") if e.msg in REQUEST_MSGS]
    # every message, a client's lost before any coordinator saw it included
    assert msgs and {e.id: e.rid for e in msgs} == owned
    assert {e.msg for e in msgs} >= {"put", "replicate", "replicate_ack", "put_reply"}
    for r in state.reqs.values():
        remote = [e for e in c.sim.log.of_kind("request.reply")
                  if e.rid == r.rid and e.node != e.coordinator]
        assert len(remote) == sum(1 for m in r.msgs.values() if m[6]), r.rid
        for src, dst, msg, *_ in r.msgs.values():
            if msg in ("replicate_ack", "read_reply"):
                assert dst == r.coordinator


def test_health_repr_names_a_cluster_without_zones_naturally():
    c = DynamoCluster(nodes=5, seed=1)
    view = HealthView(c, live=False)
    assert repr(view) == "<HealthView all:5up/0down; hints 0 held (0 pending, 0 waiting)>"
    c.crash("n2")
    assert repr(view).startswith("<HealthView all:4up/1down;")
    c.add_node("n6", zone="az1")          # zoneless nodes beside a zoned one
    assert repr(view).startswith("<HealthView no zone:4up/1down az1:1up/0down;")
    assert "None" not in repr(view) and [b.x for b in view.figure().data][0] == ("no zone", "az1")


def test_health_counts_requests_as_the_client_saw_them():
    c = DynamoCluster(nodes=6, zones=3, seed=2)
    view = HealthView(c, live=False)
    c.crash_zone("az2")
    results = [c.put(f"k{i}", i) for i in range(8)]
    ok = sum(1 for r in results if r.ok)
    assert (view.state.ok, view.state.failed) == (ok, len(results) - ok)
    assert f"requests ok {ok}, failed {len(results) - ok}" in view.svg()
