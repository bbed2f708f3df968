"""The checkers: Jepsen-style set checker on a shopping cart under faults,
and the per-key history checker's counts."""
from dynamo_lab import Simulation
from dynamo_lab.check import cart_elements, check_history, check_set
from dynamo_lab.dynamo.cluster import DynamoCluster
from dynamo_lab.sim import FaultSchedule


def test_shopping_cart_set_checker_under_faults():
    nodes = ["A", "B", "C", "D", "E"]
    zones = {x: f"az{i % 3 + 1}" for i, x in enumerate(nodes)}
    for seed in range(3):
        sim = Simulation(seed)
        c = DynamoCluster(nodes=nodes, zones=zones, sim=sim, reconcile="union")
        FaultSchedule.random(nodes, duration_ms=6000, zones=zones, seed=seed).install(sim, c)
        attempts = {}
        i = 0
        while sim.now < 6000:
            i += 1
            item = f"item{i}"
            got = c.get("cart")
            base = got.value if got.ok and got.versions else frozenset()
            res = c.put("cart", frozenset(base) | {item},
                        context=got.context if got.ok else None)
            attempts[item] = res.ok
            c.run(ms=100)
        c.run(ms=30_000)
        rep = check_set(attempts, cart_elements(c, "cart"))
        assert rep.valid, (seed, rep)
        assert rep.ok == sum(attempts.values()) >= 5
        assert check_history(c).ok


def test_history_checker_counts_siblings_stale_reads_and_unexpected():
    c = DynamoCluster(nodes=["A", "B", "C"], seed=3)
    base = c.put("k", "a", coordinator="A")
    c.put("k", "b", context=base.context, coordinator="B")
    c.put("k", "c", context=base.context, coordinator="C")
    got = c.get("k")
    c.put("k", "bc", context=got.context)
    rep = check_history(c)
    assert rep.ok and rep.sibling_reads == 1 and rep.siblings_resolved == 1
    assert rep.final_siblings == 0 and rep.per_key["k"]["acked"] == 4
    # a value no put wrote, and a read that missed an acknowledged write
    fake = [dict(h) for h in c.history]
    fake[-1] = dict(fake[-1], value="ghost")
    assert check_history(c, history=fake).unexpected == (("k", "bc"),)
    stale = fake + [{"op": "get", "key": "k", "ok": True, "clocks": (base.clock,),
                     "values": ("a",), "t0": c.sim.now + 1, "t1": c.sim.now + 2}]
    assert check_history(c, history=stale).stale_reads == 1
