"""Exercises of lesson 05, "Quorums" (Dynamo paper 4.5 and 6.1).

The checkers run the lesson's measurements on the real
:class:`~dynamo_lab.DynamoCluster` from the same seeds and count lost writes
with :mod:`dynamo_lab.check`.

Examples
--------
>>> sorted(overlapping(3))
[(1, 3), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3)]
>>> q1.evaluate({(2, 2), (1, 3), (3, 1), (2, 3), (3, 2), (3, 3)}).status
'correct'
>>> power_cut("memory").lost
()
"""
from __future__ import annotations

import math

from ..check import HistoryReport, check_history
from ..dynamo.cluster import DynamoCluster
from ..dynamo.storage import MemoryStore
from .core import Exercise, ExerciseSet, Wrong, expect_number

__all__ = ["q1", "q2", "q3", "exercises", "progress", "SEED", "DISK_MS", "ZONES", "FLUSH_MS", "cluster",
           "overlapping", "percentile", "put_latencies", "get_latencies", "latency_table",
           "one_durable_store", "power_cut", "solution_namespace", "WRONG"]

#: The seed of every cluster of the lesson.
SEED = 5
#: One durable local write: 2 ms plus an exponential tail of mean 10 ms.
DISK_MS = (2, 10)
#: How often a buffering replica flushes its write buffer in the power cut (ms).
FLUSH_MS = 500
#: Six nodes, round robin over three zones (as ``zones=3`` places them).
ZONES = {f"n{i}": f"az{(i - 1) % 3 + 1}" for i in range(1, 7)}


def cluster(r: int = 2, w: int = 2, seed: int = SEED, **kw) -> DynamoCluster:
    """Six nodes in three zones, N=3, durable local writes of :data:`DISK_MS`."""
    kw.setdefault("disk_ms", DISK_MS)
    return DynamoCluster(nodes=6, zones=3, n=3, r=r, w=w, seed=seed, **kw)


def overlapping(n: int = 3) -> set:
    """The (R, W) pairs whose read and write quorums always share a node."""
    return {(r, w) for r in range(1, n + 1) for w in range(1, n + 1) if r + w > n}


def percentile(latencies, p: float) -> int:
    """Nearest-rank ``p``-th percentile of ``latencies``."""
    xs = sorted(latencies)
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]


def put_latencies(w: int, count: int = 200, seed: int = SEED) -> list:
    """Latencies (ms) of ``count`` puts with N=3 and this W."""
    c = cluster(r=1, w=w, seed=seed)
    for i in range(count):
        c.put(f"item:{i % 40}", i)
    return c.client.latencies["put"]


def get_latencies(r: int, count: int = 200, seed: int = SEED) -> list:
    """Latencies (ms) of ``count`` gets with N=3 and this R, after 40 puts."""
    c = cluster(r=r, w=3, seed=seed)
    for i in range(40):
        c.put(f"item:{i}", i)
    for i in range(count):
        c.get(f"item:{i % 40}")
    return c.client.latencies["get"]


def latency_table() -> dict:
    """``{("put", W) or ("get", R): (p50, p99, p99.9)}`` for 1, 2, 3."""
    out = {}
    for k in (1, 2, 3):
        for op, lat in (("put", put_latencies(k)), ("get", get_latencies(k))):
            out[(op, k)] = tuple(percentile(lat, p) for p in (50, 99, 99.9))
    return out


def one_durable_store(name: str) -> MemoryStore:
    """Nodes of az1 write durably, the others buffer: with zone-aware lists,
    every key has exactly one durable replica among its N."""
    return MemoryStore(write_buffer=ZONES[name] != "az1")


def power_cut(store: str = "memory", writes: int = 40, seed: int = SEED) -> HistoryReport:
    """``writes`` puts, then every node crashes at once and restarts a
    second later.

    ``store``: "memory" (every write durable), "buffered" (every replica
    buffers) or "one durable" (:func:`one_durable_store`). Returns the
    :func:`~dynamo_lab.check.check_history` report; put latencies are in
    ``report.cluster.client``.
    """
    kw = {"memory": {}, "buffered": {"write_buffer": True},
          "one durable": {"store": one_durable_store}}[store]
    c = cluster(seed=seed, flush_ms=FLUSH_MS, **kw)
    for i in range(writes):
        c.put(f"order:{i}", i)
    for x in c.nodes:
        c.crash(x)
    c.run(ms=1000)       # the power stays off for a second: messages in flight are lost
    for x in c.nodes:
        c.recover(x)
    rep = check_history(c)
    rep.cluster = c
    return rep


def _check_pairs(answer, expected) -> None:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        raise Wrong(f"Expected a set of (R, W) pairs, got a {type(answer).__name__}: "
                    f"{answer!r}.")
    try:
        got = {tuple(x) for x in answer}
    except TypeError:
        raise Wrong("Each element should be a pair (R, W), like (2, 2).") from None
    extra = sorted(got - expected)
    missing = sorted(expected - got)
    if extra:
        r, w = extra[0]
        raise Wrong(f"With R={r} and W={w}, R + W = {r + w} is not more than N = 3: a "
                    f"read can miss every node the write reached.")
    if missing:
        raise Wrong(f"{len(missing)} pair(s) are missing, e.g. {missing[0]}.")


q1 = Exercise(
    "q1", "With N = 3, which (R, W) pairs (each from 1 to 3) guarantee that every read "
          "quorum overlaps every write quorum? Answer with a set of tuples.",
    var="q1_pairs",
    expected=lambda: overlapping(3),
    check=_check_pairs,
    hints=["A read of R nodes and a write of W nodes among N must share a node when "
           "R + W > N.",
           "`{(r, w) for r in (1, 2, 3) for w in (1, 2, 3) if r + w > 3}`"],
    solution="""
        q1_pairs = {(r, w) for r in (1, 2, 3) for w in (1, 2, 3) if r + w > 3}
    """,
    success="(2, 2) is the paper's usual choice; (1, 3) is the read-heavy catalogue.",
)


def _growth() -> float:
    t = table_cache()
    return t[("put", 3)][2] - t[("put", 1)][2]


_TABLE: dict = {}


def table_cache() -> dict:
    """:func:`latency_table`, computed once per process."""
    if not _TABLE:
        _TABLE.update(latency_table())
    return _TABLE


q2 = Exercise(
    "q2", "In the lesson's table, by how many ms does the 99.9th percentile of put "
          "latency grow from W = 1 to W = 3?",
    var="q2_growth",
    expected=_growth,
    check=expect_number(abs_tol=0.5, what="growth in ms"),
    hints=["`table[('put', 3)]` is (p50, p99, p99.9) for W = 3.",
           "`table[('put', 3)][2] - table[('put', 1)][2]`"],
    solution="""
        q2_growth = table[("put", 3)][2] - table[("put", 1)][2]
    """,
    success="W = 3 waits for the slowest of three disks every time: durability is paid "
            "for in the tail.",
)


def _check_lost(answer, expected) -> None:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise Wrong(f"Expected a number of writes, got a {type(answer).__name__}: "
                    f"{answer!r}.")
    if answer == 0:
        raise Wrong("Some acknowledged writes were only in the write buffers of every "
                    "replica that had them when the power went out: count `report.lost`.")
    expect_number(what="count of lost writes")(answer, expected)


q3 = Exercise(
    "q3", "With the write buffer on every replica (power_cut('buffered')), how many "
          "acknowledged writes did the power cut lose?",
    var="q3_lost",
    expected=lambda: len(power_cut("buffered").lost),
    check=_check_lost,
    hints=["`check_history` compares every acknowledged put with what the cluster "
           "holds after the crash.",
           "`len(power_cut('buffered').lost)`"],
    solution="""
        q3_lost = len(power_cut("buffered").lost)
    """,
    success="Acknowledged, then gone: every replica that had them still had them only in "
            "memory.",
)

exercises = ExerciseSet("Lesson 05 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"table": table_cache(), "power_cut": power_cut}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": [{(2, 2)}, {(1, 2), (2, 1), (2, 2), (1, 3), (3, 1), (2, 3), (3, 2), (3, 3)},
                "(2, 2)"],
         "q2": [0, -5, "10"],
         "q3": [0, 40, "3"]}
