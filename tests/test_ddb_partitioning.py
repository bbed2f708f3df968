"""The partition map: the slide's arithmetic, splits for size, throughput and
heat, no merges, replicas, events, and invariants under random operations."""
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamo_lab.catalogue import KINDS
from dynamo_lab.dynamo.hashing import position
from dynamo_lab.dynamodb.partitions.partitioning import GB, HASH_SPACE, KB, PartitionMap, partitions_needed
from dynamo_lab.dynamodb.service import state_of
from dynamo_lab.events import EventLog


def _log():
    t = [0]
    return EventLog(lambda: t[0], strict=True), t


# -- the slide ----------------------------------------------------------------
def test_slide_worked_example():
    plan = partitions_needed(5000, 500, 8 * GB)
    assert plan.throughput_ratio == pytest.approx(13 / 6)          # 2.17
    assert (plan.for_throughput, plan.for_size, plan.count) == (3, 1, 3)
    assert plan.size_ratio == pytest.approx(0.8)
    assert round(plan.per_partition_rcu, 2) == 1666.67
    assert round(plan.per_partition_wcu, 2) == 166.67
    assert int(plan.per_partition_gb * 100) / 100 == 2.66            # 8/3 truncated
    assert plan.per_partition_size == pytest.approx(8 * 2**30 / 3)


@pytest.mark.parametrize("rcu,wcu,size,expect", [
    (3000, 0, 0, 1), (3001, 0, 0, 2), (0, 1000, 0, 1), (1500, 500, 0, 1),
    (1500, 501, 0, 2), (0, 0, 10 * GB, 1), (0, 0, 10 * GB + 1, 2), (0, 0, 0, 1),
    (100, 100, 25 * GB, 3), (30000, 0, 1 * GB, 10),
])
def test_partition_count_rule(rcu, wcu, size, expect):
    assert partitions_needed(rcu, wcu, size).count == expect


def test_equal_cuts_like_the_slides():
    pmap = PartitionMap("T", rcu=5000, wcu=500)
    assert [p.range for p in pmap] == [(0, HASH_SPACE // 3), (HASH_SPACE // 3, 2 * HASH_SPACE // 3),
                                       (2 * HASH_SPACE // 3, HASH_SPACE)]
    assert [f"{p.start >> 120:02X}" for p in pmap] == ["00", "55", "AA"]
    assert [p.rcu for p in pmap] == pytest.approx([5000 / 3] * 3)
    assert sum(p.rcu_share for p in pmap) == 5000


def test_locate_is_half_open():
    pmap = PartitionMap("T", rcu=6000)
    mid = HASH_SPACE // 2
    assert pmap.locate(mid - 1).id == "p0" and pmap.locate(mid).id == "p1"
    assert pmap.locate(0).id == "p0" and pmap.locate(HASH_SPACE - 1).id == "p1"
    with pytest.raises(ValueError):
        pmap.locate(HASH_SPACE)


# -- split for size -----------------------------------------------------------
def test_split_when_size_passes_the_limit():
    log, _ = _log()
    pmap = PartitionMap("T", rcu=100, wcu=50, size_limit=64 * KB, log=log)
    hashes = [position(f"user#{i}") for i in range(200)]
    first_split = None
    for i, h in enumerate(hashes):
        if pmap.apply_write(h, None, 1000) and first_split is None:
            first_split = i
            # the cut is the byte median: 33 items on each side
            assert [p.item_count for p in pmap] == [33, 33]
    # 65 items are 65,000 bytes <= 65,536; the 66th passes the limit.
    assert first_split == 65
    splits = log.of_kind("partition.split")
    s = splits[0]
    assert (s.parent, s.children, s.reason) == ("p0", ("p1", "p2"), "size")
    (a, b), (c, d) = s.ranges
    assert a == 0 and b == c == s.at and d == HASH_SPACE
    created = [e for e in log.of_kind("partition.created") if e.parent == "p0"]
    assert [e.partition for e in created] == ["p1", "p2"]
    assert [(e.rcu, e.wcu) for e in created] == [(50.0, 25.0), (50.0, 25.0)]
    assert pmap.size_bytes == 200 * 1000 and pmap.item_count == 200
    assert all(p.size_bytes <= 64 * KB for p in pmap)
    pmap._check()


def test_children_cover_parent_and_halve_throughput():
    pmap = PartitionMap("T", rcu=1000, wcu=300, size_limit=10_000)
    for i in range(40):
        pmap.apply_write(position(str(i)), None, 1000)
    by_id = {p.id: p for p in pmap}
    for s in pmap.splits:
        (l0, l1), (r0, r1) = s.ranges
        assert l1 == r0 == s.at and l0 < s.at < r1
    # shares halve on every level: every partition's share is 1000 / 2**depth
    for p in by_id.values():
        assert Fraction(1000) / p.rcu_share in {2 ** k for k in range(10)}
        assert p.wcu_share / 300 == p.rcu_share / 1000
    assert sum(p.rcu_share for p in pmap) == 1000
    pmap._check()


def test_one_item_collection_cannot_split_by_hash():
    pmap = PartitionMap("T", rcu=10, wcu=10, size_limit=5000)
    h = position("the-one-key")
    for _ in range(10):
        assert pmap.apply_write(h, None, 1000) == ()
    assert len(pmap) == 1 and pmap.size_bytes == 10_000


def test_updates_and_deletes_track_size_and_never_merge():
    pmap = PartitionMap("T", rcu=10, wcu=10, size_limit=3000)
    hs = [position(f"k{i}") for i in range(8)]
    for h in hs:
        pmap.apply_write(h, None, 500)
    n = len(pmap)
    assert n >= 2
    pmap.apply_write(hs[0], 500, 900)
    assert pmap.size_bytes == 8 * 500 + 400
    for i, h in enumerate(hs):
        pmap.apply_write(h, 900 if i == 0 else 500, None)
    assert pmap.size_bytes == 0 and pmap.item_count == 0 and len(pmap) == n
    with pytest.raises(ValueError):
        pmap.apply_write(hs[0], 10, None)
    pmap._check()


def test_lowering_the_size_limit_splits_now():
    pmap = PartitionMap("T", rcu=10, wcu=10)
    for i in range(100):
        pmap.apply_write(position(f"x{i}"), None, 100)
    assert len(pmap) == 1
    splits = pmap.set_size_limit(2500)
    assert splits and all(s.reason == "size" for s in splits)
    assert all(p.size_bytes <= 2500 for p in pmap)
    pmap._check()


# -- split for throughput; no merge ---------------------------------------------
def test_raising_throughput_doubles_partitions():
    log, _ = _log()
    pmap = PartitionMap("T", rcu=5000, wcu=500, log=log)
    before = [p.range for p in pmap]
    splits = pmap.set_throughput(9000, 1000)           # needs 4 -> every one of 3 splits
    assert len(pmap) == 6 and [s.reason for s in splits] == ["throughput"] * 3
    for s, (a, b) in zip(splits, before):
        assert s.ranges == ((a, a + (b - a) // 2), (a + (b - a) // 2, b))
    assert [p.rcu for p in pmap] == [1500.0] * 6
    assert [p.wcu for p in pmap] == pytest.approx([1000 / 6] * 6)
    ev = log.of_kind("partition.throughput")[-1]
    assert ev.rcu == 9000 and len(ev.shares) == 6
    pmap._check()


def test_raising_a_lot_doubles_until_enough():
    pmap = PartitionMap("T", rcu=3000)
    pmap.set_throughput(3000 * 5, 0)                    # needs 5: 1 -> 2 -> 4 -> 8
    assert len(pmap) == 8
    assert {p.end - p.start for p in pmap} == {HASH_SPACE // 8}


def test_lowering_throughput_keeps_partitions():
    pmap = PartitionMap("T", rcu=12000, wcu=0)
    assert len(pmap) == 4
    assert pmap.set_throughput(5, 5) == ()
    assert len(pmap) == 4
    assert [p.rcu for p in pmap] == [1.25] * 4
    assert pmap.set_throughput(12000, 0) == () and len(pmap) == 4


def test_heat_split_at_a_given_hash():
    pmap = PartitionMap("T", rcu=400, wcu=400)
    s = pmap.split("p0", "heat", at=12345)
    assert s.ranges == ((0, 12345), (12345, HASH_SPACE))
    assert [p.wcu for p in pmap] == [200.0, 200.0]
    for bad in (0, HASH_SPACE, -1):
        with pytest.raises(ValueError):
            pmap.split("p1", "heat", at=bad)
    with pytest.raises(ValueError):
        pmap.split("p1", "boredom")
    with pytest.raises(KeyError):
        pmap.split("p0", "heat")


# -- replicas -------------------------------------------------------------------
def test_replicas_three_zones_leader_deterministic():
    a = PartitionMap("T", rcu=30000, seed=7)
    b = PartitionMap("T", rcu=30000, seed=7)
    c = PartitionMap("T", rcu=30000, seed=8)
    assert a.describe() == b.describe()
    assert a.describe() != c.describe()
    for p in a:
        assert len(p.replicas) == 3 and len(set(p.zones)) == 3
        assert p.leader in p.replicas
        assert all(r.startswith("sn-") for r in p.replicas)


def test_custom_nodes_and_too_few_zones():
    nodes = {"z1": ["n1", "n2"], "z2": ["n3"], "z3": ["n4"], "z4": ["n5"]}
    pmap = PartitionMap("T", rcu=9000, nodes=nodes, seed=1)
    for p in pmap:
        assert set(p.zones) <= set(nodes)
        for z, r in zip(p.zones, p.replicas):
            assert r in nodes[z]
    with pytest.raises(ValueError):
        PartitionMap("T", nodes={"z1": ["a"], "z2": ["b"]})


# -- events -----------------------------------------------------------------------
def test_events_are_catalogued_and_rebuild_the_map():
    log, t = _log()
    pmap = PartitionMap("T", rcu=3000, wcu=100, size_limit=20_000, log=log, index="ByX")
    for i in range(60):
        t[0] = i
        pmap.apply_write(position(f"k{i}"), None, 1000)
    pmap.set_throughput(7000, 100)
    pmap.split(pmap.partitions[0].id, "heat")
    for ev in log:
        assert ev.kind in KINDS
    # a view's reducer: created adds, split removes the parent
    live = {}
    for ev in log:
        if ev.kind == "partition.created":
            live[ev.partition] = (ev.start, ev.end)
        elif ev.kind == "partition.split":
            del live[ev.parent]
            assert ev.index == "ByX"
    assert sorted(live.values()) == [p.range for p in pmap]
    # a recorded log reloads with big ints intact
    again = EventLog.loads(log.dumps())
    assert again.dumps() == log.dumps()


def test_same_seed_same_log():
    def run():
        log, t = _log()
        pm = PartitionMap("T", rcu=100, wcu=100, size_limit=8000, log=log, seed=3)
        for i in range(50):
            t[0] = i
            pm.apply_write(position(f"k{i}"), None, 700)
        pm.set_throughput(10000, 10)
        return log.dumps()
    assert run() == run()


# -- properties -----------------------------------------------------------------
_op = st.one_of(
    st.tuples(st.just("put"), st.integers(0, HASH_SPACE - 1), st.integers(1, 3000)),
    st.tuples(st.just("del"), st.integers(0, 10**6), st.just(0)),
    st.tuples(st.just("tp"), st.integers(0, 20000), st.integers(0, 5000)),
    st.tuples(st.just("heat"), st.integers(0, 10**6), st.integers(0, HASH_SPACE - 1)),
)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 9000), st.integers(0, 3000), st.lists(_op, max_size=60))
def test_ranges_tile_the_space_and_shares_add_up(rcu, wcu, ops):
    pmap = PartitionMap("T", rcu=rcu, wcu=wcu, size_limit=8000)
    items: dict[int, int] = {}
    for kind, a, b in ops:
        if kind == "put":
            pmap.apply_write(a, items.get(a), b)
            items[a] = b
        elif kind == "del" and items:
            h = sorted(items)[a % len(items)]
            pmap.apply_write(h, items.pop(h), None)
        elif kind == "tp":
            n = len(pmap)
            pmap.set_throughput(a, b)
            assert len(pmap) >= n
        elif kind == "heat":
            p = pmap.partitions[a % len(pmap)]
            if p.start < b < p.end:
                pmap.split(p.id, "heat", b)
        pmap._check()
        parts = pmap.partitions
        assert parts[0].start == 0 and parts[-1].end == HASH_SPACE
        assert all(x.end == y.start for x, y in zip(parts, parts[1:]))
        rcu_total, wcu_total = pmap.throughput
        assert sum(p.rcu_share for p in parts) == rcu_total
        assert sum(p.wcu_share for p in parts) == wcu_total
        assert pmap.size_bytes == sum(items.values())


# -- the store follows the map: split one at a time or laid out at once ---------
@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=0, max_size=300), st.integers(1, 6),
       st.integers(0, 2**32))
def test_store_split_and_reshape_keep_every_item(keys, cuts, seed):
    """Store.split (both halves rebuilt from the sorted keys) and
    Store.reshape (one pass) keep every item, in the partition owning it,
    with byte counts that add up, and agree with each other."""
    import random

    from dynamo_lab.dynamodb.partitions.storage import Store
    rng = random.Random(seed)
    a, b = Store(), Store()
    for k in keys:
        skey = (position(str(k)), str(k).encode(), None)
        for st_ in (a, b):
            st_.put(skey, {"k": {"N": str(k)}}, 5 + k % 7)
    for _ in range(cuts):
        p = rng.choice(a.partitions)
        if p.end - p.start < 2:
            continue
        at = rng.randrange(p.start + 1, p.end)
        a.split(p.id, at)
        a._check()
    b.reshape([(p.id, p.start, p.end) for p in a.partitions])
    b._check()
    assert [(p.id, p.start, p.end, dict(p.items), p.sizes, p.size_bytes) for p in a.partitions] \
        == [(p.id, p.start, p.end, dict(p.items), p.sizes, p.size_bytes) for p in b.partitions]
    assert a.item_count == len(set(keys))


def test_a_cascade_of_splits_lays_the_store_out_once():
    """Lowering the size limit far below a table's size splits it many times
    at once; the store follows with the map's ids and ranges."""
    from dynamo_lab.dynamodb.service import DynamoDB
    ddb = DynamoDB(seed=1, create_ms=0)
    c = ddb.client()
    c.create_table(TableName="Many", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    for i in range(300):
        c.put_item(TableName="Many", Item={"id": {"S": f"k{i}"}, "v": {"S": "x" * 50}})
    size = state_of(ddb).tables["Many"].size_bytes
    ddb.set_partition_size_limit("Many", size // 10)
    parts = ddb.partitions("Many")               # asserts map and store ids agree
    assert len(parts) >= 10 and sum(p["items"] for p in parts) == 300
    assert all(p["bytes"] <= size // 10 for p in parts)
    state_of(ddb).tables["Many"]._check()
    ddb.partition_map("Many")._check()
    assert len([i for p in c.get_paginator("scan").paginate(TableName="Many")
                for i in p["Items"]]) == 300
