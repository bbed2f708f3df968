"""Vector clocks, versions and reconciliation (Dynamo paper 4.4)."""
import pytest

from dynamo_lab.dynamo.cluster import DynamoCluster
from dynamo_lab.dynamo.vclock import (
    TRUNCATE_AT,
    MalformedContext,
    VectorClock,
    Version,
    last_write_wins,
    reconcile,
    union_merge,
)


def pairs(clock):
    return [(n, c) for n, c in clock.pairs]


def test_figure3_clock_for_clock():
    c = DynamoCluster(nodes=["Sx", "Sy", "Sz"], seed=11)
    d1 = c.put("k", "D1", coordinator="Sx")
    assert pairs(d1.clock) == [("Sx", 1)]
    d2 = c.put("k", "D2", context=c.get("k").context, coordinator="Sx")
    assert pairs(d2.clock) == [("Sx", 2)]
    ctx2 = c.get("k").context
    d3 = c.put("k", "D3", context=ctx2, coordinator="Sy")
    d4 = c.put("k", "D4", context=ctx2, coordinator="Sz")
    assert pairs(d3.clock) == [("Sx", 2), ("Sy", 1)]
    assert pairs(d4.clock) == [("Sx", 2), ("Sz", 1)]
    got = c.get("k")
    assert sorted(got.values) == ["D3", "D4"] and got.siblings == 2
    assert sorted(pairs(v.clock) for v in got.versions) == [
        [("Sx", 2), ("Sy", 1)], [("Sx", 2), ("Sz", 1)]]
    d5 = c.put("k", "D5", context=got.context, coordinator="Sx")
    assert pairs(d5.clock) == [("Sx", 3), ("Sy", 1), ("Sz", 1)]
    c.run(ms=100)
    final = c.get("k")
    assert final.values == ["D5"]
    # every replica holds only D5 once read repair and replication settle
    for node, held in c.replicas("k").items():
        assert [v.value for v in held["versions"]] == ["D5"], node
    # the version DAG can be rebuilt from events: siblings were seen at a read
    sib = c.sim.log.of_kind("vclock.siblings")
    assert any(e.where == "read" and len(e.clocks) == 2 for e in sib)


def test_descends_concurrent_merge():
    a = VectorClock([("A", 2, 5), ("B", 1, 3)])
    b = VectorClock([("A", 1, 1)])
    cc = VectorClock([("C", 1, 9)])
    assert a.descends(b) and not b.descends(a)
    assert a.descends(a) and not a.concurrent(a)
    assert a.concurrent(cc)
    m = a.merge(cc)
    assert pairs(m) == [("A", 2), ("B", 1), ("C", 1)]
    assert m.descends(a) and m.descends(cc)


def test_truncation_drops_oldest_entry():
    clock = VectorClock()
    for i in range(TRUNCATE_AT):
        clock = clock.increment(f"n{i:02d}", t=100 + i)
    assert len(clock) == 10
    clock = clock.increment("late", t=500)
    assert len(clock) == 10
    assert clock.counter("n00") == 0 and clock.counter("late") == 1


def test_truncation_in_cluster_emits_event():
    names = [f"n{i:02d}" for i in range(12)]
    c = DynamoCluster(nodes=names, seed=3, n=3, r=1, w=1)
    ctx = None
    for x in names:
        ctx = c.put("k", x, context=ctx, coordinator=x).context
    assert len(ctx.clock) == 10
    assert c.sim.log.of_kind("vclock.truncated")


def test_reconcile_and_policies():
    a = Version({"pen"}, VectorClock([("A", 1, 10)]))
    b = Version({"ink"}, VectorClock([("B", 1, 20)]))
    old = Version({"x"}, VectorClock([("A", 0 + 1, 1)]))
    assert reconcile([a, b, old]) == reconcile([b, a])
    assert union_merge([a.value, b.value]) == {"pen", "ink"}
    assert last_write_wins([a, b]) == {"ink"}


def test_shopping_cart_deleted_item_resurfaces():
    c = DynamoCluster(nodes=["A", "B", "C"], seed=5, reconcile="union")
    base = c.put("cart", frozenset({"book", "pen"}), coordinator="A")
    # two clients start from the same version: one deletes "pen", one adds "ink"
    c.put("cart", frozenset({"book"}), context=base.context, coordinator="B")
    c.put("cart", frozenset({"book", "pen", "ink"}), context=base.context, coordinator="C")
    got = c.get("cart")
    assert got.siblings == 2
    assert got.value == {"book", "pen", "ink"}   # the deleted "pen" is back
    merged = c.put("cart", got.value, context=got.context)
    assert merged.ok and c.get("cart").siblings == 1


def test_lww_cluster_value():
    c = DynamoCluster(nodes=["A", "B", "C"], seed=5, reconcile="lww")
    c.put("k", "first", coordinator="A")
    c.run(ms=10)
    c.put("k", "second", coordinator="B")
    assert c.get("k").value == "second"


@pytest.mark.parametrize("bad", ["nonsense", 42, (("A", 0, 1),), (("A", 1),),
                                 (("A", 1, 0), ("A", 2, 0))])
def test_malformed_context_rejected_without_state_change(bad):
    c = DynamoCluster(nodes=3, seed=1)
    before = len(c.sim.log)
    with pytest.raises(MalformedContext):
        c.put("k", "v", context=bad)
    assert len(c.sim.log) == before and c.keys() == []


def test_same_context_through_one_coordinator_makes_siblings_not_overwrites():
    c = DynamoCluster(nodes=["A", "B", "C"], seed=9)
    base = c.put("k", "v0", coordinator="A")
    one = c.put("k", "v1", context=base.context, coordinator="A")
    two = c.put("k", "v2", context=base.context, coordinator="A")   # never saw v1
    assert pairs(one.clock) == [("A", 2)]
    assert two.clock.gap == ("A", 1) and repr(two.clock) == "VectorClock([A,3/1])"
    assert one.clock.concurrent(two.clock)
    got = c.get("k")
    assert sorted(got.values) == ["v1", "v2"]
    merged = c.put("k", "v12", context=got.context, coordinator="B")
    assert merged.clock.descends(one.clock) and merged.clock.descends(two.clock)
    assert c.get("k").values == ["v12"]


def test_blind_writes_through_one_coordinator_are_kept_as_siblings():
    c = DynamoCluster(nodes=["A", "B", "C"], seed=10)
    c.put("k", "x", coordinator="A")
    c.put("k", "y", coordinator="A")
    assert sorted(c.get("k").values) == ["x", "y"]


def test_gap_semantics():
    plain = VectorClock([("A", 2, 0)])
    gapped = VectorClock([("A", 3, 0)], gap=("A", 0))
    assert not gapped.descends(plain) and not plain.descends(gapped)
    assert VectorClock([("A", 3, 0)]).descends(gapped)
    assert gapped.descends(VectorClock()) and gapped.descends(gapped)
    assert gapped.safe() == VectorClock()
    assert VectorClock([("A", 1, 0)], gap=("A", 0)).gap is None   # contiguous
