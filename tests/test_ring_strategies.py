"""The paper's three partitioning strategies (section 6.2) and Figure 8."""
import pytest

from dynamo_lab.dynamo.hashing import RING_SIZE, position
from dynamo_lab.dynamo.ring import Ring

S = 30
KEYS = [f"key{i}" for i in range(20000)]


def _ring(strategy, names, **kw):
    ring = Ring(strategy=strategy, seed=kw.pop("seed", 0), **kw)
    for x in names:
        ring.add_node(x)
    return ring


# -- strategy 2: a partition is placed from its END --------------------------------
def test_strategy_2_places_a_partition_from_its_end():
    q = 4
    quarter = RING_SIZE // q
    ring = Ring(strategy=2, partitions=q, seed=0)
    # A's token sits inside the first partition (0, quarter]; B's just after its end.
    ring.add_node("A", tokens=[quarter // 2])
    ring.add_node("B", tokens=[quarter + 1])
    ring.add_node("C", tokens=[3 * quarter + 1])
    key_before_a = next(k for k in (f"k{i}" for i in range(10000))
                        if 0 < position(k) < quarter // 2)
    # By strategy 1 the key would go to A (first token clockwise of the key);
    # strategy 2 walks from the partition's end, so B coordinates it.
    assert ring.owner(key_before_a) == "B"
    assert ring.preference_list(key_before_a, 3) == ["B", "C", "A"]
    # Every key of one partition has the same preference list.
    lists = {tuple(ring.preference_list(k, 2)) for k in (f"k{i}" for i in range(3000))
             if 0 < position(k) <= quarter}
    assert lists == {("B", "C")}
    # Ranges are whole partitions. The last one ends at 2**128 == 0, and the
    # first token clockwise from 0 is A's, so A coordinates only that one.
    assert ring.ranges("A").coordinator == ((3 * quarter, 0),)
    assert ring.ranges("B").coordinator == ((0, quarter),)
    assert ring.ranges("C").coordinator == ((quarter, 3 * quarter),)
    ring._check()


def test_strategy_2_moves_whole_partitions():
    q = 12
    ring = _ring(2, "ABCDE", partitions=q, tokens_per_node=2, seed=4)
    bounds = {j * RING_SIZE // q % RING_SIZE for j in range(q)}
    change = ring.add_node("F")
    assert change.moves
    for m in change.moves:
        assert m.start in bounds and m.end in bounds and m.dst == "F"


# -- strategy 3: tokens are the partitions ------------------------------------------
def test_strategy_3_tokens_are_partitions_and_shares_are_even():
    q = 120
    ring = _ring(3, [f"n{i}" for i in range(10)], partitions=q)
    ends = sorted(j * RING_SIZE // q % RING_SIZE for j in range(1, q + 1))
    assert [t for t, _ in ring.tokens] == ends
    assert sorted(len(ring.tokens_of(x)) for x in ring.nodes) == [12] * 10
    ring._check()


def test_strategy_3_join_steals_and_leave_hands_out():
    q = 60
    ring = _ring(3, "ABCDE", partitions=q, seed=2)
    before = dict(ring.tokens)
    mark = len(ring.sim.log)
    change = ring.add_node("F")
    assert len(change.tokens) == 10 == len(ring.tokens_of("F"))
    assert sorted(len(ring.tokens_of(x)) for x in ring.nodes) == [10] * 6
    stolen = {t for tm in change.token_moves for t in tm.tokens}
    assert stolen == set(change.tokens)
    for tm in change.token_moves:
        assert tm.dst == "F" and all(before[t] == tm.src for t in tm.tokens)
    # Stolen tokens are spaced so no list passes two from different nodes:
    # keys move only to the newcomer, as in strategies 1 and 2.
    assert change.moves and all(m.dst == "F" and m.src != "F" for m in change.moves)
    moved = [e for e in ring.sim.log[mark:] if e.kind == "ring.tokens_moved"]
    assert [(e.src, e.dst, e.tokens) for e in moved] == [tuple(tm) for tm in change.token_moves]
    # Leaving hands every token to a remaining node, keeping shares near Q/S,
    # and keys move only away from the leaver.
    leave = ring.remove_node("B")
    got = {t for tm in leave.token_moves for t in tm.tokens}
    assert got == set(leave.tokens) and all(tm.src == "B" for tm in leave.token_moves)
    shares = [len(ring.tokens_of(x)) for x in ring.nodes]
    # (tokens one list can pass go to one node, so shares may differ a little)
    assert sum(shares) == q and max(shares) - min(shares) <= 3
    assert leave.moves and all(m.src == "B" and m.dst != "B" for m in leave.moves)
    assert [t for t, _ in ring.tokens] == sorted(before)
    ring._check()


def test_strategy_3_weight():
    ring = _ring(3, "ABC", partitions=80)
    ring.add_node("D", weight=2)
    assert len(ring.tokens_of("D")) == 32
    assert sorted(len(ring.tokens_of(x)) for x in "ABC") == [16, 16, 16]


def test_strategy_3_explicit_tokens_are_taken_from_their_holders():
    ring = _ring(3, "AB", partitions=8)
    t = ring.tokens_of("A")[0]
    change = ring.add_node("C", tokens=[t])
    assert ring.tokens_of("C") == [t]
    assert [tuple(tm) for tm in change.token_moves] == [("A", "C", (t,))]


# -- Figure 8: load balancing efficiency at equal metadata ----------------------------
def _efficiency(strategy, **kw):
    ring = _ring(strategy, [f"n{i}" for i in range(S)], **kw)
    return ring.load_balance(KEYS, n=3).efficiency


@pytest.mark.parametrize("metadata", [480, 1920])
def test_figure_8_shape(metadata):
    """S=30 nodes, N=3, the same metadata per node for each strategy.

    Metadata counts the entries of the membership table: strategy 1 stores
    S*T tokens; strategy 2 stores S*T tokens and the Q-entry partition table,
    so it gets half of each; strategy 3 stores Q partitions. Paper 6.2:
    strategy 3 balances best, strategy 2 worst.
    """
    T = metadata // S
    e1 = _efficiency(1, tokens_per_node=T)
    e2 = _efficiency(2, tokens_per_node=T // 2, partitions=metadata // 2)
    e3 = _efficiency(3, partitions=metadata)
    assert e3 > e1 > e2, (e1, e2, e3)
    assert e3 > 0.85


def test_more_tokens_balance_better():
    few = _efficiency(1, tokens_per_node=2)
    many = _efficiency(1, tokens_per_node=64)
    assert many > few + 0.2
    lb = _ring(1, [f"n{i}" for i in range(S)], tokens_per_node=2).load_balance(KEYS)
    assert lb.out_of_balance > 0.3          # Figure 6: few vnodes, many nodes out of balance
