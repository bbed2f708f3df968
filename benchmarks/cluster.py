"""Benchmark the Dynamo paper engine (DynamoCluster), in one run:

1. simulated (N,R,W) = (3,2,2) operations per wall-clock second on 100 nodes
   with gossip (and the other background tasks) running;
2. what the event log costs when nobody listens: wall time with events
   recorded / with ``Simulation(events=False)`` (goal <= 1.10);
3. memory per stored version (tracemalloc);
4. simulated time for gossip to converge from seeds at 10, 100 and 1,000 nodes.

    .venv/bin/python benchmarks/cluster.py [--quick]

The first line is the goal of issue 15 (10,000 ops/s), the median of five
runs of the same seeded workload with their spread; beside it the events per
operation and the CPU microseconds per delivered message (the run's CPU time
over its deliveries: what one message costs with the protocol work it
triggers).
"""
from __future__ import annotations

import gc
import math
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dynamo_lab import Simulation  # noqa: E402
from dynamo_lab.dynamo.cluster import DynamoCluster  # noqa: E402
from dynamo_lab.dynamo.storage import MemoryStore  # noqa: E402
from dynamo_lab.dynamo.vclock import VectorClock, Version  # noqa: E402


def workload(events: bool, ops: int, nodes: int = 100, seed: int = 1,
             gc_on: bool = True, counts: dict | None = None) -> tuple[float, int]:
    """Run ``ops`` client operations (half read-modify-write); return CPU s, events.

    CPU time of this process (``time.process_time``), not wall time: the
    machine is shared, and other processes' load would swamp the ratio.
    ``counts`` (a dict), if given, receives what the timed part did:
    ``events``, ``delivered`` (messages) and ``timers`` (kernel entries run
    or skipped), counted from the log and the kernel, outside the timing.
    """
    sim = Simulation(seed, events=events, strict=False)
    c = DynamoCluster(nodes=nodes, zones=3, sim=sim, n=3, r=2, w=2)
    c.run(ms=2000)                                # gossip and friends warm up
    rng = sim.rng_for("bench")
    keys = [f"user:{i}" for i in range(500)]
    n0 = len(sim.log)
    gc.collect()
    if not gc_on:
        gc.disable()
    t = time.process_time()
    done = 0
    try:
        while done < ops:
            k = keys[rng.randrange(len(keys))]
            got = c.get(k)
            c.put(k, done, context=got.context if got.ok else None)
            done += 2
            c.run(ms=5)
    finally:
        gc.enable()
    cpu = time.process_time() - t
    if counts is not None:
        counts["events"] = len(sim.log) - n0
        if events:
            counts["delivered"] = sum(1 for k in sim.log._k[n0:] if k == "msg.deliver")
        counts["virtual_ms"] = sim.now
    return cpu, len(sim.log)


def ops_per_second(ops: int, repeats: int) -> None:
    """The issue-15 goal line: the median of ``repeats`` timed runs.

    Each run is the same workload from the same seed (so the same work, event
    for event); a shared machine only ever adds time to a run, so one slow
    run says something about the machine, not the engine. The median, with
    the spread beside it, is the figure; the events and messages are the
    same in every run.
    """
    counts: dict = {}
    cpus = []
    for _ in range(repeats):
        counts = {}
        cpus.append(workload(True, ops, counts=counts)[0])
    cpu = statistics.median(cpus)
    ev, dl = counts["events"], counts["delivered"]
    rates = sorted(ops / c for c in cpus)
    verdict = "ok" if ops / cpu >= 10_000 else "under the goal"
    print(f"(3,2,2) on 100 nodes, gossip/handoff/anti-entropy running: "
          f"{ops / cpu:,.0f} ops/s CPU (median of {repeats} runs of {ops} ops, "
          f"{rates[0]:,.0f}-{rates[-1]:,.0f}; goal 10,000) -> {verdict}")
    print(f"  {ev / ops:.1f} events per operation ({ev:,} events), "
          f"{dl / ops:.1f} messages delivered per operation, "
          f"{cpu / dl * 1e6:.1f} us CPU per delivered message (all work included)")


def event_cost(ops: int, repeats: int) -> None:
    """Events on / events off, CPU time of the same workload.

    Each round runs it with events off and on back to back, alternating
    which goes first, so the two halves of a pair share the machine's load
    of that moment; the verdict is the median of the paired ratios, shown
    with their spread. Pairs on this shared 2-core box differ by up to
    0.1, so the verdict takes 21 of them (the median then moves by about
    0.01 from one run to the next). (The verdict used to be min(on) / min(off) of
    separate runs, which one lucky run on a shared machine can swing by
    0.3; it is still printed, as "best-of".)
    """
    for gc_on in (True, False):
        on, off, pairs = [], [], []
        n = repeats if gc_on else max(3, repeats // 2)     # the diagnostic: fewer
        for i in range(n):
            order = (False, True) if i % 2 == 0 else (True, False)
            got = {ev: workload(ev, ops, gc_on=gc_on)[0] for ev in order}
            off.append(got[False])
            on.append(got[True])
            pairs.append(got[True] / got[False])
        ratio = statistics.median(pairs)
        verdict = "ok" if ratio <= 1.10 else "over the 1.10 goal"
        label = "" if gc_on else " [diagnostic: cyclic GC off]"
        print(f"event log, nobody listening: on/off = {ratio:.3f} CPU (median of {n} "
              f"paired runs, spread {min(pairs):.3f}-{max(pairs):.3f}; best-of "
              f"{min(on) / min(off):.3f}: {min(on):.2f} s / {min(off):.2f} s) -> "
              f"{verdict}{label}")


def coordination(ops: int) -> None:
    """Paper 6.4: client-driven vs server-driven coordination latencies."""
    out = {}
    for mode in ("server", "client"):
        sim = Simulation(3, events=False, strict=False)
        c = DynamoCluster(nodes=30, zones=3, sim=sim, coordination=mode, disk_ms=(1, 2))
        rng = sim.rng_for("bench")
        for i in range(ops):
            k = f"cart:{rng.randrange(300)}"
            got = c.get(k)
            c.put(k, i, context=got.context if got.ok else None)
            c.run(ms=rng.randint(1, 20))
        out[mode] = {op: (c.client.percentile(op, 50), c.client.percentile(op, 99.9))
                     for op in ("get", "put")}
    for op in ("get", "put"):
        (s50, s999), (c50, c999) = out["server"][op], out["client"][op]
        print(f"{op} latency, simulated ms (p50 / p99.9): server-driven {s50:.0f} / {s999:.0f}, "
              f"client-driven {c50:.0f} / {c999:.0f}")


def memory_per_version(count: int) -> None:
    store = MemoryStore()
    values = [f"value-{i:06d}" for i in range(count)]
    keys = [f"key-{i:06d}" for i in range(count)]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(count):
        store.put(keys[i], Version(values[i], VectorClock([("n001", 1, i), ("n002", 1, i)])))
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    per = (after - before) / count
    print(f"memory per stored version (2-entry clock, short value, key and value "
          f"strings excluded): {per:,.0f} bytes ({count:,} versions)")


def gossip_convergence(sizes: list[int]) -> None:
    for n in sizes:
        sim = Simulation(n, events=False, strict=False)
        t = time.perf_counter()
        c = DynamoCluster(nodes=n, sim=sim, membership="seeds", anti_entropy_ms=0,
                          handoff_ms=0, probe_ms=0)
        while not c.membership_converged():
            c.run(ms=100)
            if sim.now > 120_000:
                break
        wall = time.perf_counter() - t
        rounds = sim.now / c.gossip_ms
        print(f"gossip from seeds, {n:>5} nodes: converged after {sim.now / 1000:.1f} s "
              f"simulated = {rounds:.1f} rounds (log2 n = {math.log2(n):.1f}; "
              f"wall {wall:.1f} s)")


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    ops_per_second(1000 if quick else 4000, 3 if quick else 5)
    event_cost(600 if quick else 2000, 3 if quick else 21)
    coordination(300 if quick else 2000)
    memory_per_version(10_000 if quick else 50_000)
    gossip_convergence([10, 100] if quick else [10, 100, 1000])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
