"""Membership by gossip, seeds, and O(log n) convergence (paper 4.8)."""
import math

import pytest

from dynamo_lab import Simulation
from dynamo_lab.dynamo.cluster import DynamoCluster


def rounds_to_converge(n, seed=1):
    sim = Simulation(seed)
    c = DynamoCluster(nodes=n, sim=sim, membership="seeds", anti_entropy_ms=0,
                      handoff_ms=0)
    assert not c.membership_converged()
    while not c.membership_converged():
        c.run(ms=100)
        assert sim.now < 60_000
    return sim.now / c.gossip_ms, c


def test_gossip_converges_in_log_n_rounds_at_50_nodes():
    rounds, c = rounds_to_converge(50)
    assert rounds <= 2 * math.ceil(math.log2(50)) + 2
    ex = c.sim.log.of_kind("gossip.exchange")
    assert ex and all(isinstance(e.learned_src, tuple) for e in ex)
    # each node's view during gossip can be rebuilt from the events
    learned = {x: {x, *c.seeds} for x in c.nodes}
    for e in ex:
        learned[e.src].update(e.learned_src)
        learned[e.dst].update(e.learned_dst)
    assert all(len(v) == 50 for v in learned.values())


def test_without_seeds_nodes_stay_logically_partitioned():
    c = DynamoCluster(nodes=6, seed=2, membership="seeds", seeds=[], anti_entropy_ms=0)
    c.run(ms=20_000)
    assert not c.membership_converged()
    assert all(len(v) == 1 for v in c.views().values())
    c2 = DynamoCluster(nodes=6, seed=2, membership="seeds", anti_entropy_ms=0)
    c2.run(ms=20_000)
    assert c2.membership_converged()


def test_join_spreads_by_gossip():
    c = DynamoCluster(nodes=8, seed=3, anti_entropy_ms=0)
    c.add_node("n9")
    views = c.views()
    assert sum("n9" in v for v in views.values()) <= 3
    c.run(ms=10_000)
    assert c.membership_converged()
    joined = c.sim.log.of_kind("member.joined")
    assert joined[0].node == "n9" and joined[0].via in c.seeds


def test_gossip_and_anti_entropy_send_snapshots_not_live_objects():
    # A message in flight shows the sender's state when it was sent: a change
    # the sender makes meanwhile must not travel with it.
    from dynamo_lab.dynamo.membership import ViewSnapshot
    c = DynamoCluster(nodes=["A", "B", "C"], seed=1, anti_entropy_ms=0, handoff_ms=0)
    sent = []
    c.sim.network.add("spy", lambda src, msg: sent.append(msg))
    a = c.node("A")
    snap = a.view.snapshot()
    assert isinstance(snap, ViewSnapshot) and a.view.snapshot() is snap
    c.sim.network.send("A", "spy", "gossip", ("gossip", snap))
    a.view.set("Z", 1, "joined", None, (1,))       # after the send
    c.run(ms=50)
    assert "Z" not in sent[0][1].entries and "Z" in a.view.entries
    with pytest.raises(TypeError):
        sent[0][1].entries["Q"] = (1, "joined", None, ())
    assert a.view.snapshot() is not snap and "Z" in a.view.snapshot().entries
    # anti-entropy's key batches are tuples of tuples, not the store's lists
    assert c.put("k", "v").ok
    home = c.preference_list("k")[0]
    nd = c.node(home)
    end = c.key_ranges.range_of(nd._position("k"))[1]
    leaf = next(i for i in range(2 ** c.merkle_depth) if "k" in nd.tree(end).leaf_keys(i))
    batch = nd._leaf_versions({end: (leaf,)})
    assert isinstance(batch, tuple) and all(isinstance(vs, tuple) for _k, vs in batch)


def test_gossip_messages_carry_view_snapshots():
    from dynamo_lab.dynamo.membership import ViewSnapshot
    c = DynamoCluster(nodes=4, seed=2, anti_entropy_ms=0)
    bodies = []
    send = c.sim.network.send

    def spy(src, dst, kind, body=None, rid=None):
        if kind in ("gossip", "gossip_reply"):
            bodies.append(body[1] if kind == "gossip" else body[1][0])
        return send(src, dst, kind, body, rid)

    for x in c.nodes:
        c.node(x)._net_send = spy
    c.run(ms=3000)
    assert len(bodies) > 8 and all(isinstance(b, ViewSnapshot) for b in bodies)
