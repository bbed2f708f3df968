"""What the background tasks send, and when they stay quiet (issue 15).

Gossip between two nodes that already agree is one message (paper 4.8.1:
the views are compared first); gossip waits for no answer, so it calls no
peer down (paper 4.8.3); a probe with nobody to probe and a hint scan with
no hints sleep until there is work; Merkle trees hash only what holds keys,
to the same hashes as the textbook tree.
"""
import random
from hashlib import blake2b

from dynamo_lab import Simulation
from dynamo_lab.dynamo.cluster import DynamoCluster
from dynamo_lab.dynamo.merkle import SPACE, MerkleTree
from dynamo_lab.sim.simulation import SLEEP


def _msgs(c, kind):
    return [e for e in c.sim.log.of_kind("msg.deliver", "msg.drop") if e.msg == kind]


def test_gossip_between_agreeing_views_is_one_message_and_suspects_nobody():
    c = DynamoCluster(nodes=6, seed=3, anti_entropy_ms=0)
    c.run(ms=10_000)
    gossip = _msgs(c, "gossip")
    assert len(gossip) >= 50 and _msgs(c, "gossip_reply") == []
    ex = c.sim.log.of_kind("gossip.exchange")
    # the peer logs each round, as (initiator, peer), having learned nothing
    assert [(e.src, e.dst) for e in ex] == [(e.src, e.dst) for e in gossip]
    assert all(e.learned_src == e.learned_dst == () and e.view_size == 6 for e in ex)
    # a crashed node is gossiped to, unanswered, and nobody suspects it for that
    c.crash("n3")
    c.run(ms=10_000)
    assert any(e.dst == "n3" for e in _msgs(c, "gossip"))
    assert c.sim.log.of_kind("member.down") == []


def test_gossip_between_different_views_is_push_pull():
    c = DynamoCluster(nodes=8, seed=2, membership="seeds", anti_entropy_ms=0)
    c.run(ms=15_000)
    assert c.membership_converged()
    replies = _msgs(c, "gossip_reply")
    assert replies, "views that differed were answered with the peer's view"
    # every reply closes a round that logged its exchange at the initiator
    ex = {(e.t, e.src, e.dst) for e in c.sim.log.of_kind("gossip.exchange")}
    assert all((e.t, e.dst, e.src) in ex for e in replies)


def test_probe_and_hint_scan_sleep_until_there_is_work():
    c = DynamoCluster(nodes=["A", "B", "C", "D"], seed=3, anti_entropy_ms=0)
    c.run(ms=5000)
    assert _msgs(c, "ping") == [] and _msgs(c, "handoff") == []
    assert all(c.node(x)._task["probe"].asleep and c.node(x)._task["handoff"].asleep
               for x in c.nodes)
    home = c.preference_list("cart")[:3]
    c.crash(home[1])
    assert c.put("cart", "pen").ok
    c.run(ms=100)
    holder = c.hints()[0].node
    assert not c.node(holder)._task["handoff"].asleep       # woken by the hint
    suspect = next(x for x in c.nodes if home[1] in c.node(x).down)
    assert not c.node(suspect)._task["probe"].asleep        # woken by member.down
    c.recover(home[1])
    c.run(ms=3000)
    assert c.hints() == [] and any(e.dst == home[1] for e in _msgs(c, "ping"))
    assert all(not c.node(x).down for x in c.nodes)
    c.run(ms=3000)      # nothing left to do: both go back to sleep
    assert c.node(holder)._task["handoff"].asleep and c.node(suspect)._task["probe"].asleep


def test_a_sleeping_task_wakes_within_one_period():
    sim = Simulation(seed=4)
    ran = []
    work = []

    def task():
        ran.append(sim.now)
        return None if work else SLEEP

    t = sim.every(1000, task, jitter=200, name="t")
    sim.run(ms=5000)
    assert len(ran) == 1 and t.asleep
    woke = sim.now
    work.append(1)
    t.wake()
    t.wake()                        # waking an awake task changes nothing
    sim.run(ms=1000)
    assert len(ran) == 2 and woke < ran[1] <= woke + 1000
    t.cancel()
    work.clear()
    t.wake()                        # a cancelled task stays cancelled
    sim.run(ms=5000)
    assert len(ran) == 2


def _textbook(start, end, entries, depth):
    """Every node of the tree hashed level by level (an empty subtree is the
    empty hash, as in MerkleTree)."""
    size = (end - start) % SPACE or SPACE
    n = 1 << depth
    leaves = [[] for _ in range(n)]
    for pos, key, dig in entries:
        leaves[min(n - 1, (pos - start - 1) % SPACE * n // size)].append((key, dig))
    empty = b"\0" * 8
    level = [blake2b("".join(f"{k}={d};" for k, d in sorted(b)).encode(),
                     digest_size=8).digest() if b else empty for b in leaves]
    levels = [tuple(level)]
    while len(level) > 1:
        level = [blake2b(level[2 * i] + level[2 * i + 1], digest_size=8).digest()
                 if (level[2 * i], level[2 * i + 1]) != (empty, empty) else empty
                 for i in range(len(level) // 2)]
        levels.append(tuple(level))
    return levels[::-1]


def test_sparse_merkle_tree_has_the_textbook_hashes():
    rng = random.Random(15)
    for _ in range(60):
        depth = rng.randint(0, 6)
        start, end = rng.randrange(SPACE), rng.randrange(SPACE)
        width = (end - start) % SPACE or SPACE
        entries = [((start + 1 + rng.randrange(width)) % SPACE, f"k{j}", f"A:{rng.randint(1, 3)}")
                   for j in range(rng.randint(0, 10))]
        t = MerkleTree(start, end, entries, depth=depth)
        want = _textbook(start, end, entries, depth)
        assert t.levels == want and t.root == want[0][0]
        assert all(t.hash(lv, i) == want[lv][i] for lv in range(depth + 1)
                   for i in range(1 << depth if lv == depth else 1 << lv))
        assert t.key_count() == len(entries)


def _run(strict, subscribe=False):
    sim = Simulation(7, strict=strict)
    seen = []
    if subscribe:
        sim.log.subscribe(seen.append, kinds=("msg.*", "request.*", "gossip.*"))
    c = DynamoCluster(nodes=6, zones=3, sim=sim, anti_entropy_ms=500)
    for i in range(30):
        got = c.get(f"k{i % 7}")
        c.put(f"k{i % 7}", i, context=got.context if got.ok else None)
        c.run(ms=50)
    c.crash("n2")
    c.put("k1", "x")
    c.run(ms=3000)
    return sim.log, seen


def test_rows_written_without_a_call_are_the_events_emit_row_writes():
    # The hottest emitters write the log's flat list directly unless the log is
    # strict (which validates every event) or someone subscribes (who must be
    # told): the three logs are the same, event for event.
    fast, _ = _run(strict=False)
    checked, _ = _run(strict=True)
    watched, seen = _run(strict=False, subscribe=True)
    assert fast._sink is not None and checked._sink is None and watched._sink is None
    assert fast.dumps() == checked.dumps() == watched.dumps()
    kinds = {e.kind for e in fast}
    assert {"msg.deliver", "request.reply", "request.start", "request.ok", "request.done",
            "request.forward", "replica.write", "gossip.exchange", "merkle.exchange",
            "merkle.done"} <= kinds
    assert seen == [e for e in watched if e.kind.startswith(("msg.", "request.", "gossip."))]
    sub = watched.subscribe(lambda e: None)
    sub.cancel()
    assert watched._sink is None        # the first subscriber is still there
