"""Membership by gossip, seeds, and O(log n) convergence (paper 4.8)."""
import math

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
