"""Events the views read: request ids on messages, cluster settings, per-side
gossip, Merkle exchange ids, the keys of transfers and lost buffers."""
from dynamo_lab.dynamo.cluster import DynamoCluster


def test_request_messages_carry_the_request_id():
    c = DynamoCluster(nodes=6, zones=3, seed=3)
    for i in range(10):
        c.put(f"k{i}", i)
        c.get(f"k{i}")
    log = c.sim.log
    request_msgs = {"put", "get", "replicate", "replicate_ack", "read", "read_reply",
                    "put_reply", "get_reply", "forward_ack"}
    msgs = [e for e in log.of_kind("msg.deliver", "msg.drop") if e.msg in request_msgs]
    assert msgs and all(isinstance(e.get("rid"), int) for e in msgs)
    rids = {e.rid for e in log.of_kind("request.done")}
    assert {e.rid for e in msgs} == rids
    # background messages carry none
    assert all(e.get("rid") is None for e in log.of_kind("msg.deliver", "msg.drop")
               if e.msg in ("gossip", "gossip_reply", "ping", "pong"))


def test_cluster_created_records_membership_zone_awareness_and_merkle_depth():
    c = DynamoCluster(nodes=4, zones=2, seed=1, membership="seeds", merkle_depth=3)
    e = c.sim.log.of_kind("cluster.created")[0]
    assert (e.membership, e.zone_aware, e.merkle_depth) == ("seeds", True, 3)
    e = DynamoCluster(nodes=3, seed=1).sim.log.of_kind("cluster.created")[0]
    assert (e.membership, e.zone_aware, e.merkle_depth) == ("converged", False, 4)


def test_gossip_peer_logs_what_it_learned_even_when_the_reply_is_lost():
    c = DynamoCluster(nodes=["A", "B", "C"], seed=2, membership="seeds", seeds=["A"],
                      gossip_ms=100)
    c.run(ms=2000)
    log = c.sim.log
    merges = log.of_kind("gossip.merge")
    assert merges and all(e.learned for e in merges)
    learned_at = {(e.node, n) for e in merges for n in e.learned}
    # what each exchange says the peer learned is logged at the peer too
    for e in log.of_kind("gossip.exchange"):
        assert {(e.dst, n) for n in e.learned_dst} <= learned_at
    assert c.membership_converged()


def test_merkle_repair_carries_the_exchange_id():
    c = DynamoCluster(nodes=4, seed=22, anti_entropy_ms=500, handoff_ms=0)
    homes = c.preference_list("k")[:3]
    c.crash(homes[2])
    assert c.put("k", "v", coordinator=homes[0]).ok
    c.recover(homes[2])
    for h in c.hints():      # no handoff: only anti-entropy can repair
        c.node(h.node).store.drop_hint(h.target, h.key, h.clock)
    c.run(ms=10_000)
    repairs = c.sim.log.of_kind("merkle.repair")
    assert repairs
    xids = {e.xid for e in c.sim.log.of_kind("merkle.exchange")}
    assert all(e.xid in xids for e in repairs)


def test_transfer_done_and_replica_lost_carry_the_keys():
    c = DynamoCluster(nodes=["A", "B", "C"], seed=5)
    for i in range(20):
        c.put(f"k{i}", i)
    c.add_node("D")
    c.run(ms=1000)
    done = c.sim.log.of_kind("transfer.done")
    assert done and all(isinstance(e.moved, tuple) and len(e.moved) == e.keys for e in done)
    assert all(k.startswith("k") for e in done for k in e.moved)
    b = DynamoCluster(nodes=3, seed=1, write_buffer=True, flush_ms=1000)
    assert b.put("x", 1).ok and b.put("y", 2).ok
    b.crash("n1")
    lost = b.sim.log.of_kind("replica.lost")
    assert lost and isinstance(lost[0].keys, tuple) and set(lost[0].keys) <= {"x", "y"}
