"""Temporary and permanent failures: hinted handoff, lost hints, anti-entropy,
and the W=1 lesson (paper 4.6, 4.7, 6.1)."""
from dynamo_lab.check import check_history
from dynamo_lab.dynamo.cluster import DynamoCluster
from dynamo_lab.dynamo.merkle import MerkleTree, diff


def test_write_under_crashed_replica_leaves_hint_delivered_after_recovery():
    c = DynamoCluster(nodes=5, seed=21)
    homes = c.preference_list("cart")[:3]
    down = homes[2]
    c.crash(down)
    res = c.put("cart", {"book"}, coordinator=homes[0])
    assert res.ok
    c.run(ms=100)
    stored = c.sim.log.of_kind("hint.stored")
    assert len(stored) == 1 and stored[0].target == down
    holder = stored[0].node
    assert holder not in homes
    assert c.hints()[0].target == down and c.hints()[0].node == holder
    assert c.node(down).store.get("cart") == []
    c.recover(down)
    c.run(ms=3000)
    delivered = c.sim.log.of_kind("hint.delivered")
    assert [(e.node, e.target, e.key) for e in delivered] == [(holder, down, "cart")]
    assert c.hints() == []
    assert [v.value for v in c.node(down).store.get("cart")] == [{"book"}]


def test_hint_survives_its_holders_restart_and_is_delivered():
    # Paper 4.6: hints live in a separate local database, so a restart of
    # the holder does not lose them (only the write buffer is memory).
    c = DynamoCluster(nodes=5, seed=21, anti_entropy_ms=0)
    homes = c.preference_list("cart")[:3]
    c.crash(homes[2])
    assert c.put("cart", {"book"}, coordinator=homes[0]).ok
    c.run(ms=100)
    holder = c.hints()[0].node
    c.crash(holder)
    c.run(ms=500)
    c.recover(holder)
    assert not c.sim.log.of_kind("hint.lost")
    assert [(h.node, h.target) for h in c.hints()] == [(holder, homes[2])]
    c.recover(homes[2])
    c.run(ms=3000)
    delivered = c.sim.log.of_kind("hint.delivered")
    assert [(e.node, e.target, e.key) for e in delivered] == [(holder, homes[2], "cart")]
    assert c.hints() == []
    assert [v.value for v in c.node(homes[2]).store.get("cart")] == [{"book"}]


def test_lost_disk_comes_back_empty_and_anti_entropy_rebuilds_it():
    from dynamo_lab.dynamo.storage import SqliteStore
    for store in ("memory", "sqlite"):
        c = DynamoCluster(nodes=5, seed=23, anti_entropy_ms=500, store=store)
        for i in range(20):
            assert c.put(f"k{i}", i).ok
        c.run(ms=100)
        mine = sorted(c.node("n2").store.keys())
        assert mine
        c.crash("n2", lose_disk=True)
        ev = c.sim.log.of_kind("replica.disk_lost")
        assert [(e.node, e.keys, e.hints) for e in ev] == [("n2", tuple(mine), 0)]
        c.recover("n2")
        assert c.node("n2").store.keys() == []
        assert isinstance(c.node("n2").store, SqliteStore) == (store == "sqlite")
        c.run(ms=20_000)
        assert c.node("n2").store.keys() == mine
        assert {e.key for e in c.sim.log.of_kind("merkle.repair") if e.node == "n2"} \
            == set(mine)
        assert check_history(c).ok and c.converged()
        c.close()


def test_a_down_node_can_still_lose_its_disk():
    c = DynamoCluster(nodes=4, seed=24, anti_entropy_ms=0)
    assert c.put("k", "v").ok
    home = c.preference_list("k")[0]
    c.crash(home)
    assert c.node(home).store.get("k")           # a plain crash keeps the data
    c.crash(home, lose_disk=True)
    assert c.node(home).store.get("k") == []
    assert [e.node for e in c.sim.log.of_kind("replica.disk_lost")] == [home]
    assert len(c.sim.log.of_kind("net.crash")) == 1
    try:
        c.crash(home, lose_disk="yes")
    except TypeError as e:
        assert "lose_disk" in str(e)
    else:
        raise AssertionError("lose_disk='yes' was accepted")


def test_hint_is_lost_with_its_holders_disk_and_anti_entropy_repairs():
    # Paper 4.7: hints are lost when their holder fails for good; Merkle
    # anti-entropy is what brings the home replica up to date then.
    c = DynamoCluster(nodes=5, seed=22, anti_entropy_ms=1000)
    keys = [f"k{i}" for i in range(30)]
    victim = "n3"
    mine = [k for k in keys if victim in c.preference_list(k)[:3]]
    assert len(mine) >= 5
    c.crash(victim)
    for k in mine:
        coord = next(x for x in c.preference_list(k)[:3] if x != victim)
        assert c.put(k, f"{k}-v1", coordinator=coord).ok
    c.run(ms=200)
    held = {}
    for h in c.hints():
        held.setdefault(h.node, []).append(h.key)
    holder = max(sorted(held), key=lambda x: len(held[x]))
    c.crash(holder)                      # a restart first: the hints survive it
    c.recover(holder)
    assert sorted(h.key for h in c.hints() if h.node == holder) == sorted(held[holder])
    c.crash(holder, lose_disk=True)      # then its disk is lost, hints and all
    lost = c.sim.log.of_kind("hint.lost")
    assert {(e.node, e.target) for e in lost} == {(holder, victim)}
    assert sorted(e.key for e in lost) == sorted(held[holder])
    c.recover(holder)
    c.recover(victim)
    assert all(h.node != holder for h in c.hints())
    assert all(c.node(victim).store.get(k) == [] for k in held[holder])
    c.run(ms=30_000)
    assert all([v.value for v in c.node(victim).store.get(k)] == [f"{k}-v1"] for k in mine)
    repairs = [e for e in c.sim.log.of_kind("merkle.repair") if e.node == victim]
    assert set(held[holder]) <= {e.key for e in repairs}
    assert check_history(c).ok and c.converged()
    done = [e for e in c.sim.log.of_kind("merkle.done") if e.repaired]
    assert all(e.keys_sent <= e.keys_full for e in done)
    assert c.anti_entropy["keys_sent"] < c.anti_entropy["keys_full"]


def test_merkle_descent_compares_less_than_full_scan():
    entries = [(i * (2 ** 120), f"k{i}", "A:1") for i in range(200)]
    other = list(entries)
    other[17] = (other[17][0], "k17", "A:2")
    a = MerkleTree(0, 0, entries, depth=6)
    b = MerkleTree(0, 0, other, depth=6)
    d = diff(a, b)
    assert d.keys == ("k17",) or "k17" in d.keys
    assert len(d.keys) < 10 and d.keys_total == 400
    assert d.hashes_compared == 1 + 2 * 6


def test_w1_crash_of_only_holder_before_handoff_is_a_counted_loss():
    c = DynamoCluster(nodes=4, seed=23, n=3, r=1, w=1, anti_entropy_ms=1000)
    homes = c.preference_list("k")[:3]
    spare = c.preference_list("k")[3]
    for h in homes:
        c.crash(h)
    res = c.put("k", "precious", coordinator=spare)
    assert res.ok and res.acks == 1
    assert c.hints() and all(h.node == spare for h in c.hints())
    c.crash(spare)                     # a restart keeps the hint (paper 4.6)
    c.recover(spare)
    assert [(h.node, h.key) for h in c.hints()] == [(spare, "k")]
    c.crash(spare, lose_disk=True)     # the only copy was a hint on that disk
    for x in homes + [spare]:
        c.recover(x)
    c.run(ms=20_000)
    rep = check_history(c)
    assert not rep.ok and len(rep.lost) == 1 and rep.lost[0][2] == "precious"
    assert c.get("k").values == []


def test_failure_detection_is_local():
    c = DynamoCluster(nodes=5, seed=24, anti_entropy_ms=0, handoff_ms=0)
    c.partition(["n1"], ["n2"])       # only the n1-n2 link is cut
    key = next(f"k{i}" for i in range(200) if c.preference_list(f"k{i}")[:3][:2] == ["n1", "n2"]
               or set(c.preference_list(f"k{i}")[:2]) == {"n1", "n2"})
    c.put(key, 1, coordinator="n1")
    c.run(ms=100)
    assert "n2" in c.node("n1").down
    assert "n2" not in c.node("n3").down
    ev = [e for e in c.sim.log.of_kind("member.down") if e.node == "n2"]
    assert ev and {e.observer for e in ev} == {"n1"}
    c.heal()
    c.run(ms=2500)
    assert "n2" not in c.node("n1").down
    assert any(e.observer == "n1" and e.node == "n2" for e in c.sim.log.of_kind("member.up"))


def test_zone_loss_and_recovery_keeps_acknowledged_writes():
    c = DynamoCluster(nodes=6, zones=3, seed=25)
    for i in range(20):
        assert c.put(f"k{i}", i).ok
    c.crash_zone("az1")
    for i in range(20, 40):
        c.put(f"k{i}", i)
    c.recover_zone("az1")
    c.run(ms=30_000)
    rep = check_history(c)
    assert rep.ok and rep.acked >= 30
    assert c.converged()
    assert c.sim.log.of_kind("cluster.zone_down")[0].nodes == ("n1", "n4")


def test_hints_for_a_node_that_left_go_to_the_keys_new_homes():
    c = DynamoCluster(nodes=6, seed=26)
    homes = c.preference_list("k")[:3]
    c.crash(homes[1])
    assert c.put("k", "v", coordinator=homes[0]).ok
    c.run(ms=100)
    assert [h.target for h in c.hints()] == [homes[1]]
    c.remove_node(homes[1])
    c.run(ms=3000)
    assert c.hints() == []
    ev = c.sim.log.of_kind("hint.delivered")[-1]
    assert ev.target == homes[1] and ev.to in c.preference_list("k")[:3]
    assert all([v.value for v in c.node(x).store.get("k")] == ["v"]
               for x in c.preference_list("k")[:3])


def test_joins_and_leaves_under_load_keep_every_acknowledged_write():
    from dynamo_lab.dynamo.storage import MemoryStore
    for seed in range(3):
        c = DynamoCluster(nodes=5, zones=3, seed=seed,
                          store=lambda name: MemoryStore(durable_hints=True))
        rng = c.sim.rng_for("load")
        for i in range(60):
            k = f"k{rng.randrange(12)}"
            got = c.get(k)
            c.put(k, i, context=got.context if got.ok else None)
            if i == 15:
                c.add_node("n6", zone="az1")
            if i == 30:
                c.remove_node("n2")
            if i == 40:
                c.crash("n4")
            if i == 50:
                c.recover("n4")
            c.run(ms=50)
        c.run(ms=40_000)
        rep = check_history(c)
        assert rep.ok, (seed, rep.lost)
        assert c.converged() and c.node("n2").retired


def test_no_node_is_thought_down_after_a_partition_heals():
    # Requests on both sides of the partition find the other side silent
    # (paper 4.8.3: a peer is thought down when it does not answer a
    # message). After the heal the probes reach it, and nothing that happens
    # after the heal calls anyone down: any message from a peer answers for it.
    c = DynamoCluster(nodes="ABCDE", seed=8)
    c.run(ms=1000)
    c.partition(["A"], ["B", "C", "D", "E"])
    for i in range(6):
        c.put(f"k{i}", i, coordinator="A")
        c.put(f"k{i}", i, coordinator="B")
    c.run(ms=5000)
    healed = c.sim.now
    c.heal()
    c.run(ms=3000)
    late = [e for e in c.sim.log.between(healed) if e.kind == "member.down"]
    assert late == []
    assert {n: dict(c.node(n).down) for n in "ABCDE"} == {n: {} for n in "ABCDE"}
    # the partition itself was seen: every node of the majority lost A, and A them
    downs = c.sim.log.of_kind("member.down")
    assert {e.observer for e in downs if e.node == "A"} and \
        {e.node for e in downs if e.observer == "A"}


def test_after_a_heal_only_messages_lost_before_it_are_judged():
    # A reply window (timeout_ms) still open at the heal may close after it:
    # that verdict is about a message the partition lost. Nothing later is,
    # and every opinion is cleared by the probes within a probe period.
    for seed in range(12):
        c = DynamoCluster(nodes="ABCDE", seed=seed)
        c.run(ms=1000)
        c.partition(["A"], ["B", "C", "D", "E"])
        c.run(ms=5000)
        healed = c.sim.now
        c.heal()
        c.run(ms=3000)
        late = [e for e in c.sim.log.between(healed) if e.kind == "member.down"]
        assert all(e.t <= healed + c.timeout_ms for e in late), (seed, late)
        assert not any(c.node(n).down for n in "ABCDE"), seed
