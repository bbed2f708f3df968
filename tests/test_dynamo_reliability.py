"""Reliability over many seeds: (N,R,W) = (3,2,2) under random crashes, zone
losses, partitions and message loss, each schedule followed by heal and quiet
time. No acknowledged write may be lost (it is present or subsumed by a
descendant), siblings are never dropped silently, and every replica converges
(equal Merkle roots, no hint left).

Hints are kept durably, as in the paper (a separate local database), and
the schedules' crashes are restarts: no disk is lost. A lost disk (a
permanent failure) can lose a write acknowledged by hinted copies - that
lesson has its own tests in test_dynamo_faults.py.

The default runs 200 schedules (about 1.5 minutes on one core); set
DYNAMO_LAB_RELIABILITY_SEEDS to run fewer or more.
"""
import os

import pytest

from dynamo_lab import Simulation
from dynamo_lab.check import check_history
from dynamo_lab.dynamo.cluster import DynamoCluster
from dynamo_lab.sim import FaultSchedule

SEEDS = int(os.environ.get("DYNAMO_LAB_RELIABILITY_SEEDS", "200"))
CHUNKS = 8
NODES = ["A", "B", "C", "D", "E", "F"]
ZONES = {x: f"az{i % 3 + 1}" for i, x in enumerate(NODES)}


def run_schedule(seed, duration=8000, ops=40, quiet=30_000):
    sim = Simulation(seed)
    c = DynamoCluster(nodes=NODES, zones=ZONES, sim=sim, n=3, r=2, w=2)
    sched = FaultSchedule.random(NODES, duration_ms=duration, zones=ZONES, max_down=1,
                                 loss=0.05, seed=seed)
    sched.install(sim, c)
    rng = sim.rng_for("workload")
    keys = [f"k{i}" for i in range(6)]
    i = 0
    while sim.now < duration:
        key = rng.choice(keys)
        i += 1
        if rng.random() < 0.7:           # read-modify-write
            got = c.get(key)
            c.put(key, f"v{seed}-{i}", context=got.context if got.ok else None)
        else:                            # a blind write: a concurrent writer
            c.put(key, f"v{seed}-{i}")
        c.run(ms=rng.randint(10, duration // ops))
    c.run(ms=max(0, duration + 1 - sim.now))   # the schedule's final heal
    # quiet time: at least 5 s, then until converged (at most ``quiet`` ms)
    c.run(ms=5000)
    waited = 5000
    while waited < quiet and not c.converged():
        c.run(ms=1000)
        waited += 1000
    return c, sched


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_no_acknowledged_write_lost_and_replicas_converge(chunk):
    seeds = range(chunk, SEEDS, CHUNKS)
    totals = {"acked": 0, "sibling_reads": 0, "faults": 0}
    for seed in seeds:
        c, sched = run_schedule(seed)
        rep = check_history(c)
        assert rep.ok, (seed, rep, rep.lost[:3], rep.unexpected[:3])
        assert c.converged(), (seed, c.divergence()[:2], c.hints()[:3])
        totals["acked"] += rep.acked
        totals["sibling_reads"] += rep.sibling_reads
        totals["faults"] += len(sched)
    if len(seeds) >= 5:
        assert totals["acked"] > 20 * len(seeds)
        assert totals["sibling_reads"] > 0 and totals["faults"] > 5 * len(seeds)


def test_schedules_exercise_every_fault():
    kinds = set()
    for seed in range(20):
        sched = FaultSchedule.random(NODES, duration_ms=8000, zones=ZONES, max_down=1,
                                     loss=0.05, seed=seed)
        kinds |= {a for _, a, _ in sched.actions}
    assert {"crash", "recover", "crash_zone", "recover_zone", "partition", "set_loss",
            "heal"} <= kinds
