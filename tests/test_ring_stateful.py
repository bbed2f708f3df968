"""Hypothesis drives random joins, leaves, lookups and bad calls through each
strategy, calling ``ring._check()`` after every step (sortedcontainers style),
and compares lookups with a brute-force model of the paper's rule."""
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from dynamo_lab.dynamo.hashing import RING_SIZE, position
from dynamo_lab.dynamo.ring import Ring

NAMES = [f"n{i}" for i in range(14)]
ZONES = st.sampled_from([None, "az1", "az2", "az3"])
KEYS = st.one_of(st.text(max_size=6), st.binary(max_size=6))


def brute_preference_list(ring, key, n):
    """The paper's rule, straight from the token list (no caches)."""
    p = position(key)
    if ring.strategy == 2:
        q = ring.partitions
        ends = sorted(j * RING_SIZE // q % RING_SIZE for j in range(1, q + 1))
        later = [e for e in ends if e >= p]
        p = later[0] if later else ends[0]
    toks = ring.tokens
    i = next((i for i, (t, _) in enumerate(toks) if t >= p), 0)
    out = []
    for j in range(len(toks)):
        node = toks[(i + j) % len(toks)][1]
        if node not in out:
            out.append(node)
            if len(out) == n:
                break
    return out


class RingMachine(RuleBasedStateMachine):
    strategy = 1
    kwargs: dict = {}

    @initialize(seed=st.integers(0, 2 ** 32), n=st.integers(1, 4))
    def make(self, seed, n):
        self.ring = Ring(strategy=self.strategy, seed=seed, n=n, **self.kwargs)

    def _snapshot(self):
        r = self.ring
        return r.tokens, r.nodes, len(r.sim.log)

    @precondition(lambda self: len(self.ring) < len(NAMES) and
                  (self.ring.strategy != 3 or len(self.ring) < self.ring.partitions))
    @rule(data=st.data(), weight=st.sampled_from([1, 1, 2, 0.5]), zone=ZONES)
    def join(self, data, weight, zone):
        free = [x for x in NAMES if x not in self.ring]
        name = data.draw(st.sampled_from(free))
        before = {k: set(self.ring.preference_list_at(p, min(self.ring.n, len(self.ring))))
                  for k, p in self._probes()} if len(self.ring) else {}
        change = self.ring.add_node(name, weight=weight, zone=zone)
        assert change.node == name and self.ring.zone(name) == zone
        if self.strategy != 3:
            for k, p in self._probes():
                if k in before:
                    after = set(self.ring.preference_list_at(p, min(self.ring.n, len(self.ring))))
                    assert after - before[k] <= {name}

    @precondition(lambda self: len(self.ring) > 0)
    @rule(data=st.data())
    def leave(self, data):
        name = data.draw(st.sampled_from(self.ring.nodes))
        change = self.ring.remove_node(name)
        assert name not in self.ring and change.change == "leave"

    @precondition(lambda self: len(self.ring) > 0 and self.strategy != 3)
    @rule(data=st.data(), tokens=st.lists(st.integers(0, RING_SIZE - 1), min_size=1,
                                          max_size=3, unique=True))
    def join_with_tokens(self, data, tokens):
        free = [x for x in NAMES if x not in self.ring]
        held = {t for t, _ in self.ring.tokens}
        if not free or held & set(tokens):
            return
        self.ring.add_node(data.draw(st.sampled_from(free)), tokens=tokens)
        assert set(tokens) <= {t for t, _ in self.ring.tokens}

    @precondition(lambda self: len(self.ring) > 0)
    @rule(key=KEYS, data=st.data(), zones=st.booleans())
    def lookup(self, key, data, zones):
        n = data.draw(st.integers(1, len(self.ring)))
        pl = self.ring.preference_list(key, n, zones=zones)
        assert len(pl) == n == len(set(pl))
        assert pl[0] == self.ring.owner(key)
        if not zones:
            assert pl == brute_preference_list(self.ring, key, n)
        else:
            zs = {self.ring.zone(x) for x in self.ring.nodes}
            assert len({self.ring.zone(x) for x in pl}) == min(n, len(zs))

    @rule(data=st.data())
    def bad_calls_change_nothing(self, data):
        before = self._snapshot()
        bad = data.draw(st.sampled_from(["dup", "unknown", "big_n", "weight", "key", "dup_token"]))
        with pytest.raises((ValueError, KeyError)):
            if bad == "dup" and len(self.ring):
                self.ring.add_node(self.ring.nodes[0])
            elif bad == "unknown" or bad == "dup":
                self.ring.remove_node("nobody")
            elif bad == "big_n":
                self.ring.preference_list("k", len(self.ring) + 1)
            elif bad == "weight":
                self.ring.add_node("fresh", weight=data.draw(st.sampled_from([0, -1, -0.5])))
            elif bad == "key":
                self.ring.preference_list(data.draw(st.sampled_from([1, None, 2.5])), 1)
            elif bad == "dup_token" and self.ring.tokens and self.strategy != 3:
                self.ring.add_node("fresh", tokens=[self.ring.tokens[0][0]])
            else:
                self.ring.remove_node("nobody")
        assert self._snapshot() == before

    def _probes(self):
        return [(i, position(f"probe{i}")) for i in range(16)]

    @invariant()
    def invariants_hold(self):
        if hasattr(self, "ring"):
            self.ring._check()


class Strategy1(RingMachine):
    strategy = 1
    kwargs = {"tokens_per_node": 3}


class Strategy2(RingMachine):
    strategy = 2
    kwargs = {"tokens_per_node": 2, "partitions": 24}


class Strategy3(RingMachine):
    strategy = 3
    kwargs = {"partitions": 24}


_settings = settings(max_examples=25, stateful_step_count=20, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

TestStrategy1 = Strategy1.TestCase
TestStrategy1.settings = _settings
TestStrategy2 = Strategy2.TestCase
TestStrategy2.settings = _settings
TestStrategy3 = Strategy3.TestCase
TestStrategy3.settings = _settings
