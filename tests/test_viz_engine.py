"""Views driven by the real Ring: they must agree with the engine, reading events only."""
from __future__ import annotations

import re

import pytest

from dynamo_lab import EventLog
from dynamo_lab.viz import LoadView, RingView, Timeline

ring_mod = pytest.importorskip("dynamo_lab.dynamo.ring")
Ring = ring_mod.Ring

KEYS = [f"key{i}" for i in range(1500)]


def make_ring(strategy: int, **kw) -> "Ring":
    ring = Ring(strategy=strategy, seed=11, **kw)
    for name, zone in zip("ABCDEFGH", "abcabcab"):
        ring.add_node(name, zone=zone)
    return ring


@pytest.mark.parametrize("strategy,kw", [(1, {}), (2, {"partitions": 60}), (3, {"partitions": 64})])
@pytest.mark.parametrize("zones", [False, True])
def test_preference_lists_match_the_engine(strategy, kw, zones):
    ring = make_ring(strategy, **kw)
    view = RingView(ring, key="cart:alice", zones=zones)
    ring.add_node("I", zone="c")
    ring.remove_node("B")
    assert dict(view.state.tokens) == dict(ring.tokens)
    for key in KEYS[:400]:
        assert view.preference_list(key, 3) == ring.preference_list(key, 3, zones=zones), key
    assert view.preference_list() == ring.preference_list("cart:alice", 3, zones=zones)
    drawn = re.findall(r'data-node="([^"]+)" data-rank="(\d)"', view.svg())
    assert [node for node, _ in drawn] == ring.preference_list("cart:alice", 3, zones=zones)
    assert view.state.last_moves == tuple(tuple(m) for m in ring.last_change.moves)


@pytest.mark.parametrize("strategy,kw", [(1, {}), (2, {"partitions": 60}), (3, {"partitions": 64})])
def test_load_view_matches_load_balance(strategy, kw):
    ring = make_ring(strategy, **kw)
    view = LoadView(ring, KEYS, n=3)
    ring.add_node("I")
    lb = ring.load_balance(KEYS, n=3)
    assert view.efficiency() == pytest.approx(lb.efficiency)


def test_controls_command_the_engine_and_state_comes_back_as_events():
    ring = make_ring(1, tokens_per_node=4)
    view = RingView(ring, key="K")
    assert view._controls()["enabled"] and view._controls()["rebuild"]
    before = len(ring.sim.log)
    view.command("add_node")
    assert view.status == "" and "I" in ring.nodes and "I" in view.state.nodes
    assert ring.zone("I") == "c"                 # the zone with the fewest nodes
    assert len(ring.sim.log) > before
    view.command("remove_node", node="A")
    assert "A" not in ring.nodes and "A" not in view.state.nodes
    view.command("remove_node")                   # default: the newest node
    assert "I" not in view.state.nodes
    view.command("remove_node", node="nope")
    assert view.status.startswith("remove_node:")
    view.command("set_vnodes", value=2)
    assert view.engine is not ring and view.engine.tokens_per_node == 2
    assert len(view.state.tokens) == 2 * len(view.state.nodes) == 2 * len(view.engine)
    view.command("set_strategy", value=3)
    assert view.state.strategy == 3 and view.engine.partitions == 2 * len(view.engine)
    assert view.preference_list() == view.engine.preference_list("K", 3)


def test_pinned_view_refuses_commands():
    ring = make_ring(1)
    view = RingView(ring)
    tl = Timeline(ring, views=[view])
    tl.seek(index=3)
    view.command("add_node")
    assert "controls are off" in view.status and "I" not in ring.nodes
    tl.seek()
    view.command("add_node")
    assert view.status == "" and "I" in view.state.nodes


def test_recorded_engine_run_replays_into_the_same_drawing(tmp_path):
    ring = make_ring(3, partitions=48)
    ring.add_node("I")
    ring.remove_node("C")
    live = RingView(ring, key="K")
    path = tmp_path / "ring.jsonl"
    ring.sim.log.save(path)
    recorded = RingView(EventLog.load(path), key="K")
    assert recorded.svg() == live.svg() and recorded.state == live.state
    assert repr(recorded) == repr(live) == "<RingView 8 nodes, 48 tokens, key='K'>"


def test_ring_view_of_a_cluster_follows_crashes_and_commands_it():
    cluster_mod = pytest.importorskip("dynamo_lab.dynamo.cluster")
    c = cluster_mod.DynamoCluster(seed=1)
    view = RingView(c, key="cart")
    assert view._controls()["add"] and not view._controls()["rebuild"]
    c.crash(c.nodes[0])
    assert view.state.down == {c.nodes[0]} and "dl-token dl-down" in view.svg()
    view.command("add_node")
    assert view.status == "" and "n6" in view.state.nodes and "n6" in c.nodes
    assert view.preference_list() == c.ring.preference_list("cart", 3)
    c.recover(c.nodes[0])
    assert view.state.down == set()


def test_rebuild_keeps_weights():
    ring = Ring(seed=2)
    ring.add_node("big", weight=2)
    ring.add_node("small")
    view = RingView(ring)
    view.command("set_vnodes", value=3)
    assert view.state.node_tokens() == {"big": 6, "small": 3}
