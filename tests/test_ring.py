"""The consistent-hash ring: lookups, Figure 2, range moves, events, bad input."""
import hashlib
import random

import pytest

import dynamo_lab
from dynamo_lab import Simulation
from dynamo_lab.dynamo.hashing import RING_SIZE, in_range, position
from dynamo_lab.dynamo.ring import Ring
from dynamo_lab.dynamo.ring_records import LoadBalance, RangeMove


def _ring(names="ABCDE", **kw):
    ring = Ring(seed=kw.pop("seed", 1), **kw)
    for x in names:
        ring.add_node(x)
    return ring


def _key_between(lo, hi, prefix="K"):
    """A str key whose MD5 position lies in (lo, hi]."""
    for i in range(200000):
        k = f"{prefix}{i}"
        if in_range(position(k), lo, hi):
            return k
    raise AssertionError("no key found")


# -- hashing -----------------------------------------------------------------
def test_position_is_md5_big_endian():
    assert position("K") == int.from_bytes(hashlib.md5(b"K").digest(), "big")
    assert position("ключ") == int.from_bytes(hashlib.md5("ключ".encode()).digest(), "big")
    assert position(b"\x00\xff") == int.from_bytes(hashlib.md5(b"\x00\xff").digest(), "big")
    assert 0 <= position("x") < RING_SIZE == 2 ** 128


@pytest.mark.parametrize("bad", [1, 1.5, None, ("a",), ["a"]])
def test_position_rejects_non_str_keys(bad):
    with pytest.raises(ValueError, match="must be a str or bytes"):
        position(bad)


def test_lazy_export():
    assert dynamo_lab.Ring is Ring


# -- Figure 2 ------------------------------------------------------------------
def test_figure_2_rebuilt_with_explicit_tokens():
    """Nodes A..G clockwise; key K in (A, B] is stored on B, C and D (N=3)."""
    k = position("K")
    step = RING_SIZE // 7
    # Put A just before K and B just after it, the rest evenly round the ring.
    tokens = {name: (k - step // 2 + i * step) % RING_SIZE for i, name in enumerate("ABCDEFG")}
    ring = Ring(seed=0)
    for name in "ABCDEFG":
        ring.add_node(name, tokens=[tokens[name]])
    assert ring.owner("K") == "B"
    assert ring.preference_list("K", 3) == ["B", "C", "D"]
    # Its coordinator's ranges: B owns (A, B]; D stores (A, B], (B, C], (C, D].
    assert ring.ranges("B").coordinator == ((tokens["A"], tokens["B"]),)
    assert ring.ranges("D").coordinator == ((tokens["C"], tokens["D"]),)
    assert set(ring.ranges("D").replica) == {(tokens["A"], tokens["C"])}
    # Fallbacks past N for a sloppy quorum continue clockwise.
    assert ring.preference_list("K", 5) == ["B", "C", "D", "E", "F"]
    ring._check()


def test_virtual_nodes_of_one_node_are_skipped():
    ring = Ring(seed=0)
    ring.add_node("A", tokens=[100, 200, 300])
    ring.add_node("B", tokens=[400])
    ring.add_node("C", tokens=[500])
    assert ring.preference_list_at(150, 3) == ["A", "B", "C"]
    assert ring.preference_list_at(450, 3) == ["C", "A", "B"]
    assert ring.preference_list_at(RING_SIZE - 1, 2) == ["A", "B"]   # wraps past 0
    assert ring.tokens == [(100, "A"), (200, "A"), (300, "A"), (400, "B"), (500, "C")]


# -- lookups -------------------------------------------------------------------
def test_preference_list_basics():
    ring = _ring(n=3)
    for i in range(300):
        key = f"k{i}"
        pl = ring.preference_list(key)
        assert len(pl) == 3 == len(set(pl))
        assert pl[0] == ring.owner(key)
        assert ring.preference_list(key, 5)[:3] == pl
        assert ring.preference_list(key.encode()) == pl
        assert ring.preference_list_at(position(key)) == pl
    # The returned list is the caller's to change.
    pl = ring.preference_list("k1")
    pl.append("Z")
    assert "Z" not in ring.preference_list("k1")


def test_owner_is_the_first_token_clockwise():
    ring = _ring("ABCDEFGH", tokens_per_node=5)
    toks = ring.tokens
    for i in range(200):
        p = position(f"x{i}")
        later = [node for t, node in toks if t >= p]
        assert ring.owner(f"x{i}") == (later[0] if later else toks[0][1])


def test_zones_spread_the_preference_list():
    ring = Ring(seed=3, tokens_per_node=4)
    for i in range(9):
        ring.add_node(f"n{i}", zone="az" + "abc"[i % 3])
    for i in range(200):
        pl = ring.preference_list(f"k{i}", 3, zones=True)
        assert len(set(ring.zone(x) for x in pl)) == 3
        assert pl[0] == ring.owner(f"k{i}")
    # More replicas than zones: still n distinct nodes.
    pl = ring.preference_list("k", 6, zones=True)
    assert len(set(pl)) == 6
    assert len(set(ring.zone(x) for x in pl[:3])) == 3
    ring._check()


def test_zones_with_too_few_zones_still_give_n_nodes():
    ring = Ring(seed=3)
    for name, z in zip("ABCD", ["a", "a", "a", "b"]):
        ring.add_node(name, zone=z)
    for i in range(50):
        pl = ring.preference_list(f"k{i}", 4, zones=True)
        assert sorted(pl) == list("ABCD")


def test_weight_gives_more_tokens_and_more_keys():
    ring = Ring(seed=2, tokens_per_node=20)
    ring.add_node("small")
    ring.add_node("big", weight=3)
    assert len(ring.tokens_of("big")) == 60 and len(ring.tokens_of("small")) == 20
    lb = ring.load_balance((f"k{i}" for i in range(4000)), n=1)
    assert lb.shares["big"] > 0.6


def test_ranges_cover_every_node_and_role():
    ring = _ring("ABCDEF", tokens_per_node=3)
    rs = ring.ranges()
    assert set(rs) == set("ABCDEF")
    from dynamo_lab.dynamo.hashing import span
    coordinated = sum(span(s, e) for r in rs.values() for s, e in r.coordinator)
    stored = sum(span(s, e) for r in rs.values() for s, e in r.all)
    assert coordinated == RING_SIZE
    assert stored == 3 * RING_SIZE


def test_load_balance_record():
    ring = _ring("ABCD", tokens_per_node=50)
    lb = ring.load_balance([f"k{i}" for i in range(2000)], n=3)
    assert isinstance(lb, LoadBalance)
    assert lb.keys == 2000 and lb.n == 3
    assert sum(c for _, c in lb.loads) == 6000
    assert lb.efficiency == pytest.approx(lb.mean / lb.max)
    assert 0 <= lb.out_of_balance <= 1
    assert repr(lb).startswith("LoadBalance(nodes=4, keys=2000, n=3, efficiency=")
    with pytest.raises(AttributeError):     # frozen: a FrozenInstanceError
        lb.keys = 3


# -- range moves -----------------------------------------------------------------
def test_join_moves_only_to_the_new_node():
    ring = _ring("ABCDE", tokens_per_node=4)
    keys = [f"k{i}" for i in range(2000)]
    before = {k: set(ring.preference_list(k)) for k in keys}
    change = ring.add_node("F")
    assert change.change == "join" and change.node == "F"
    assert all(m.dst == "F" and m.src in set("ABCDE") for m in change.moves)
    for k in keys:
        after = set(ring.preference_list(k))
        p = position(k)
        hit = [m for m in change.moves if in_range(p, m.start, m.end)]
        if after == before[k]:
            assert not hit
        else:
            assert after - before[k] == {"F"}
            assert len(hit) == 1 and before[k] - after == {hit[0].src}
    ev = ring.sim.log[-1]
    assert ev.kind == "ring.ranges_moved" and ev.change == "join" and ev.node == "F"
    assert ev.moves == tuple(tuple(m) for m in change.moves)
    assert ring.last_change is change


def test_leave_moves_only_away_from_the_leaving_node():
    ring = _ring("ABCDEF", tokens_per_node=4)
    keys = [f"k{i}" for i in range(2000)]
    before = {k: set(ring.preference_list(k)) for k in keys}
    change = ring.remove_node("C")
    assert all(m.src == "C" and m.dst != "C" for m in change.moves)
    for k in keys:
        after = set(ring.preference_list(k))
        assert "C" not in after
        if "C" in before[k]:
            hit = [m for m in change.moves if in_range(position(k), m.start, m.end)]
            assert len(hit) == 1 and after - before[k] == {hit[0].dst}
        else:
            assert after == before[k]
    assert ring.sim.log[-2].kind == "ring.node_removed"


def test_first_node_takes_the_whole_ring():
    ring = Ring(seed=1)
    ch = ring.add_node("A", tokens=[42])
    assert ch.moves == (RangeMove(42, 42, None, "A"),)
    ring.add_node("B", tokens=[7])
    ch = ring.remove_node("A")
    # start == end: the whole ring (B alone now holds every key)
    [m] = ch.moves
    assert m.start == m.end and (m.src, m.dst) == ("A", None)


# -- events and determinism ------------------------------------------------------
def test_events_for_every_change():
    sim = Simulation(seed=3)
    ring = Ring(sim=sim, tokens_per_node=2)
    ring.add_node("A", zone="az1")
    ring.add_node("B", weight=2)
    ring.remove_node("A")
    kinds = [e.kind for e in sim.log]
    assert kinds == ["ring.created", "ring.node_added", "ring.ranges_moved",
                     "ring.node_added", "ring.ranges_moved",
                     "ring.node_removed", "ring.ranges_moved"]
    added = sim.log[1]
    assert added.node == "A" and added.zone == "az1" and added.tokens == tuple(ring.changes[0].tokens)
    assert len(sim.log[3].tokens) == 4 and sim.log[3].weight == 2


def _run(seed, strategy=1):
    kw = {"partitions": 30} if strategy != 1 else {}
    ring = Ring(strategy=strategy, seed=seed, **kw)
    for x in "ABCDE":
        ring.add_node(x)
    ring.remove_node("C")
    ring.add_node("F", weight=2)
    return ring.tokens, ring.sim.log.dumps()


@pytest.mark.parametrize("strategy", [1, 2, 3])
def test_same_seed_same_tokens_and_log(strategy):
    assert _run(11, strategy) == _run(11, strategy)
    assert _run(11, strategy) != _run(12, strategy)


def test_seed_forms():
    a = Ring(seed=random.Random(5))
    a.add_node("A")
    b = Ring(seed=random.Random(5))
    b.add_node("A")
    assert a.tokens == b.tokens
    sim = Simulation(seed=9)
    c = Ring(sim=sim)
    c.add_node("A")
    d = Ring(sim=Simulation(seed=9))
    d.add_node("A")
    assert c.tokens == d.tokens and c.sim is sim
    e = Ring(seed=4, sim=Simulation(seed=9))
    e.add_node("A")
    assert e.tokens != c.tokens


# -- bad input leaves the ring as it was ---------------------------------------------
def _state(ring):
    return (ring.tokens, ring.nodes, len(ring.sim.log), ring.sim.log.dumps(),
            [ring.preference_list(f"k{i}") for i in range(20)])


@pytest.mark.parametrize("call, exc, match", [
    (lambda r: r.add_node("A"), ValueError, "already on the ring"),
    (lambda r: r.add_node(""), ValueError, "non-empty str"),
    (lambda r: r.add_node(7), ValueError, "non-empty str"),
    (lambda r: r.add_node("X", weight=0), ValueError, "weight must be a positive"),
    (lambda r: r.add_node("X", weight=-1), ValueError, "weight must be a positive"),
    (lambda r: r.add_node("X", weight=True), ValueError, "weight must be a positive"),
    (lambda r: r.add_node("X", weight=float("nan")), ValueError, "weight must be a positive"),
    (lambda r: r.add_node("X", tokens=[5, 5]), ValueError, "given twice"),
    (lambda r: r.add_node("X", tokens=[r.tokens[0][0]]), ValueError, "already held by node"),
    (lambda r: r.add_node("X", tokens=[-1]), ValueError, r"in \[0, 2\*\*128\)"),
    (lambda r: r.add_node("X", tokens=[2 ** 128]), ValueError, r"in \[0, 2\*\*128\)"),
    (lambda r: r.add_node("X", tokens=["a"]), ValueError, "a token must be an int"),
    (lambda r: r.add_node("X", tokens=[]), ValueError, "at least one token"),
    (lambda r: r.add_node("X", tokens=5), ValueError, "iterable of ints"),
    (lambda r: r.add_node("X", zone=3), ValueError, "zone must be a str"),
    (lambda r: r.remove_node("Z"), KeyError, "no node 'Z'"),
    (lambda r: r.zone("Z"), KeyError, "no node 'Z'"),
    (lambda r: r.ranges("Z"), KeyError, "no node 'Z'"),
    (lambda r: r.preference_list(3), ValueError, "must be a str or bytes"),
    (lambda r: r.preference_list("k", 4), ValueError, "n=4 nodes needs 4 nodes, but the ring has 3"),
    (lambda r: r.preference_list("k", 0), ValueError, "positive int"),
    (lambda r: r.owner(None), ValueError, "must be a str or bytes"),
    (lambda r: r.load_balance([1]), ValueError, "must be a str or bytes"),
    (lambda r: r.preference_list_at(-1), ValueError, "ring position"),
])
def test_bad_input_is_refused_and_changes_nothing(call, exc, match):
    ring = _ring("ABC")
    before = _state(ring)
    with pytest.raises(exc, match=match):
        call(ring)
    assert _state(ring) == before
    ring._check()


def test_strategy_3_bad_input_changes_nothing():
    ring = Ring(strategy=3, partitions=4, seed=1)
    for x in "ABCD":
        ring.add_node(x)
    before = _state(ring)
    with pytest.raises(ValueError, match="at most 4 nodes"):
        ring.add_node("E")
    assert _state(ring) == before
    ring.remove_node("D")
    before = _state(ring)
    with pytest.raises(ValueError, match="not a partition end"):
        ring.add_node("E", tokens=[5])
    assert _state(ring) == before
    two = Ring(strategy=3, partitions=4, seed=1)
    two.add_node("A")
    two.add_node("B")
    with pytest.raises(ValueError, match="no tokens"):
        two.add_node("C", tokens=two.tokens_of("B"))
    with pytest.raises(ValueError, match="first node holds all Q"):
        Ring(strategy=3, partitions=4).add_node("A", tokens=[0])


@pytest.mark.parametrize("kw, match", [
    (dict(strategy=4), "strategy must be 1, 2 or 3"),
    (dict(strategy=True), "strategy must be 1, 2 or 3"),
    (dict(tokens_per_node=0), "tokens_per_node must be a positive int"),
    (dict(tokens_per_node=2.5), "tokens_per_node must be a positive int"),
    (dict(strategy=2, partitions=0), "partitions must be a positive int"),
    (dict(strategy=1, partitions=8), "strategy 1 has no fixed partitions"),
    (dict(strategy=3, tokens_per_node=8), "strategy 3 gives each node Q/S tokens"),
    (dict(n=0), "n must be a positive int"),
    (dict(seed="x"), "seed must be"),
])
def test_bad_ring_arguments(kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Ring(**kw)


def test_repr_is_deterministic():
    assert repr(_ring("AB", tokens_per_node=2)) == "<Ring strategy=1 nodes=2 tokens=4 n=3>"
    assert repr(Ring(strategy=3, partitions=12)) == "<Ring strategy=3 Q=12 nodes=0 tokens=0 n=3>"


# -- a join touches only its neighbourhood ---------------------------------------------
def test_join_keeps_table_lists_away_from_its_tokens():
    """No timing: count what a join replaces. It must not rebuild the ring, so
    the table's preference lists far from the new tokens survive (same objects)."""
    ring = Ring(seed=8, tokens_per_node=8)
    for i in range(60):
        ring.add_node(f"n{i}")
    table = ring._table
    before = dict(table)
    change = ring.add_node("new")
    replaced = [u for u in before if table[u] is not before[u]]
    # Each new token touches about N of the lists behind it, never the ring.
    assert 0 < len(replaced) <= 8 * 8
    assert len(replaced) < len(before) / 10
    assert set(table) == set(before) | set(change.tokens)
    assert len(ring.tokens) == 61 * 8 and len(change.tokens) == 8
    ring._check()


def test_a_first_lookup_walks_nothing():
    """The table holds every token's list from the joins on, so keys never
    looked up before only read it: no cached list is added or replaced."""
    ring = Ring(seed=8, tokens_per_node=16)
    for i in range(20):
        ring.add_node(f"n{i}")
    table = ring._table
    assert len(table) == 20 * 16                     # full before any lookup
    before = dict(table)
    for i in range(3000):
        ring.preference_list(f"fresh{i}")
    assert table == before and all(table[u] is before[u] for u in table)
    assert ring._full is table and ring._caches == {}     # nothing filled lazily
    # Shorter lists are the table's heads; the coordinator is their first.
    assert ring.preference_list("fresh7", 2) == ring.preference_list("fresh7")[:2]
    assert ring.owner("fresh7") == ring.preference_list("fresh7")[0]
    ring._check()


@pytest.mark.parametrize("strategy, kw", [(1, {"tokens_per_node": 3}),
                                          (2, {"tokens_per_node": 3, "partitions": 12}),
                                          (3, {"partitions": 12})])
def test_the_table_follows_a_ring_smaller_than_n_and_an_empty_one(strategy, kw):
    ring = Ring(strategy=strategy, seed=3, n=3, **kw)
    ring.add_node("A")
    ring.add_node("B")
    assert {len(pl) for pl in ring._table.values()} == {2}
    with pytest.raises(ValueError, match="needs 3 nodes, but the ring has 2"):
        ring.preference_list("k")
    ring.add_node("C")
    assert sorted(ring.preference_list("k")) == ["A", "B", "C"]
    ring._check()
    ring.remove_node("B")
    with pytest.raises(ValueError, match="needs 3 nodes, but the ring has 2"):
        ring.preference_list("k")
    ring._check()
    ring.remove_node("A")
    ring.remove_node("C")
    assert ring._table == {}
    ring._check()
    ring.add_node("D")
    assert ring.preference_list("k", 1) == ["D"]
    ring._check()


# -- a ring rebuilt with another strategy or vnodes (the ring view's controls) --------
@pytest.mark.parametrize("strategy, vnodes, tokens", [(1, 3, [6, 3, 3]), (2, 2, [4, 2, 2]),
                                                      (3, 2, None)])
def test_rebuilt_keeps_nodes_zones_weights_and_the_simulation(strategy, vnodes, tokens):
    ring = Ring(seed=4, tokens_per_node=5, n=2)
    ring.add_node("big", weight=2, zone="az1")
    ring.add_node("a", zone="az2")
    ring.add_node("b")
    before = (ring.tokens, len(ring.sim.log))
    new = ring.rebuilt(strategy=strategy, vnodes=vnodes)
    assert new.sim is ring.sim and new.n == 2 and new.strategy == strategy
    assert new.nodes == ["big", "a", "b"] and [new.zone(x) for x in new.nodes] == ["az1", "az2", None]
    assert [new.weight(x) for x in new.nodes] == [2, 1, 1]
    held = [len(new.tokens_of(x)) for x in new.nodes]
    if tokens is None:         # strategy 3: Q = vnodes x S shared by weight
        assert sum(held) == new.partitions == 2 * 3 and held[0] == max(held)
    else:
        assert held == tokens
    assert ring.tokens == before[0]                       # the old ring is untouched
    kinds = [e.kind for e in ring.sim.log][before[1]:]
    assert kinds[0] == "ring.created" and kinds.count("ring.node_added") == 3
    new._check()


def test_rebuilt_defaults_and_errors():
    ring = Ring(strategy=3, partitions=12, seed=1)
    for x in "ABCD":
        ring.add_node(x)
    same = ring.rebuilt()
    assert (same.strategy, same.partitions, len(same.tokens)) == (3, 12, 12)
    two = ring.rebuilt(strategy=2)
    assert (two.partitions, two.tokens_per_node) == (12, 3)   # Q kept, T = Q/S
    assert Ring(seed=1).rebuilt().tokens_per_node == 8
    for bad, match in [(dict(strategy=4), "strategy must be 1, 2 or 3"),
                       (dict(vnodes=0), "vnodes must be a positive int"),
                       (dict(vnodes=1.5), "vnodes must be a positive int")]:
        with pytest.raises(ValueError, match=match):
            ring.rebuilt(**bad)
