"""DynamoCluster's options: frozen groups checked when made, errors that name
the key, and every keyword call the lessons make still working."""
import dataclasses

import pytest

from dynamo_lab.dynamo.cluster import DynamoCluster
from dynamo_lab.dynamo.options import ClusterOptions, QuorumOptions, StorageOptions, TimingOptions
from dynamo_lab.errors import LabError, OptionError, OptionValueError

# the keyword sets of every DynamoCluster(...) call in lessons/ and exercises/
LESSON_CALLS = [
    dict(nodes=6, zones=3, seed=11, reconcile="union"),
    dict(nodes=8, seed=3, tokens_per_node=4),
    dict(nodes=9, zones=3, seed=3, tokens_per_node=4, zone_aware=False),
    dict(nodes=["Sx", "Sy", "Sz"], seed=7),
    dict(nodes=6, zones=3, n=3, r=2, w=2, seed=5, disk_ms=(2, 10)),
    dict(nodes=6, zones=3, n=3, r=1, w=1, seed=5, write_buffer=True, flush_ms=500),
    dict(nodes=["A", "B", "C", "D", "E", "F"], seed=6, anti_entropy_ms=0),
    dict(nodes=["A", "B", "C", "D"], seed=6, w=1, anti_entropy_ms=0),
    dict(nodes=["A", "B", "C", "D", "E"], seed=7, anti_entropy_ms=500, admission_ms=30,
         disk_ms=(1, 3)),
    dict(nodes=8, seed=8, membership="seeds", anti_entropy_ms=0, seeds=["n1"]),
    dict(nodes=6, seed=10, coordination="client", anti_entropy_ms=0),
    dict(nodes=["A", "B", "C", "D", "E"], seed=10, anti_entropy_ms=0, handoff_ms=0),
]


@pytest.mark.parametrize("kw", LESSON_CALLS)
def test_every_lesson_keyword_call_still_works(kw):
    c = DynamoCluster(**kw)
    assert c.put("k", 1).ok and c.get("k").values == [1]
    for key, value in kw.items():
        if key in ("nodes", "zones", "seed"):
            continue
        group = next(g for g in ("quorum", "ring", "timing", "membership", "storage",
                                 "coordination") if hasattr(getattr(c.options, g), key))
        got = getattr(getattr(c.options, group), key)
        assert got == (tuple(value) if isinstance(value, list) else value), key


def test_a_typo_names_the_key_and_the_accepted_ones():
    with pytest.raises(OptionError) as e:
        DynamoCluster(nodes=3, gosip_ms=500)
    assert e.value.key == "gosip_ms" and "gossip_ms" in str(e.value)
    assert "nodes" in e.value.accepted and isinstance(e.value, (ValueError, LabError))
    with pytest.raises(OptionError, match="unknown option 'gosip_ms' in timing"):
        ClusterOptions(timing={"gosip_ms": 500})


@pytest.mark.parametrize("kw, group, key", [
    (dict(r=4), "quorum", "r"),
    (dict(n=0), "quorum", "n"),
    (dict(w=True), "quorum", "w"),
    (dict(n=7), "quorum", "n"),                  # more replicas than the 5 nodes
    (dict(strategy=4), "ring", "strategy"),
    (dict(tokens_per_node=0), "ring", "tokens_per_node"),
    (dict(gossip_ms=-1), "timing", "gossip_ms"),
    (dict(timeout_ms="200"), "timing", "timeout_ms"),
    (dict(read_repair_ms=300), "timing", "read_repair_ms"),
    (dict(membership="gossip"), "membership", "membership"),
    (dict(seeds=["n9"]), "membership", "seeds"),
    (dict(seeds="n1"), "membership", "seeds"),
    (dict(store="disk"), "storage", "store"),
    (dict(disk_ms=(1,)), "storage", "disk_ms"),
    (dict(write_buffer="yes"), "storage", "write_buffer"),
    (dict(merkle_depth=40), "storage", "merkle_depth"),
    (dict(coordination="clients"), "coordination", "coordination"),
    (dict(reconcile="max"), "coordination", "reconcile"),
])
def test_a_bad_value_names_its_group_and_key(kw, group, key):
    with pytest.raises(OptionValueError) as e:
        DynamoCluster(nodes=5, **kw)
    assert (e.value.group, e.value.key) == (group, key)
    assert str(e.value).startswith(f"{group} option {key!r} is ")


def test_groups_are_frozen_and_compose():
    t = TimingOptions(gossip_ms=500)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.gossip_ms = 1
    opts = ClusterOptions(quorum=QuorumOptions(n=3, r=1, w=3), timing=t,
                          storage={"disk_ms": [1, 2]})
    assert opts.storage == StorageOptions(disk_ms=(1, 2))
    c = DynamoCluster(nodes=4, options=opts, r=2)      # a keyword overrides options
    assert (c.n, c.r, c.w, c.gossip_ms, c.disk_ms) == (3, 2, 3, 500, (1, 2))
    assert c.options.quorum == QuorumOptions(3, 2, 3) and opts.quorum.r == 1
    with pytest.raises(OptionValueError, match="options"):
        DynamoCluster(nodes=4, options={"quorum": {"r": 1}})
