"""Exercises of lesson 05, "Quorums" (Dynamo paper 4.5 and 6.1).

The checkers run the lesson's measurements on the real
:class:`~dynamo_lab.DynamoCluster` from the same seeds and count lost writes
with :mod:`dynamo_lab.check`.

Examples
--------
>>> sorted(overlapping(3))
[(1, 3), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3)]
>>> q1.evaluate(overlapping).status
'correct'
>>> power_cut("memory").lost
()
"""
from __future__ import annotations

import math

from ..check import HistoryReport, check_history
from ..dynamo.cluster import DynamoCluster
from ..dynamo.storage import MemoryStore
from .core import Exercise, ExerciseSet, Wrong, expect_choice

__all__ = ["q1", "q2", "q3", "exercises", "progress", "SEED", "DISK_MS", "ZONES", "FLUSH_MS", "cluster",
           "overlapping", "percentile", "put_latencies", "get_latencies", "latency_table",
           "one_durable_store", "power_cut", "durable_among_acks", "table_cache",
           "solution_namespace", "WRONG"]

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


def _check_overlap_function(answer, expected) -> None:
    if not callable(answer):
        raise Wrong(f"Expected a function overlapping(n) -> set of (R, W) pairs, got a "
                    f"{type(answer).__name__}: {answer!r}.")
    for n, want in expected:
        try:
            got = answer(n)
        except Exception as e:
            raise Wrong(f"For N = {n} your function raised {type(e).__name__}: {e}.") \
                from None
        if isinstance(got, (str, bytes)) or not hasattr(got, "__iter__"):
            raise Wrong(f"For N = {n} return a set of (R, W) pairs, not "
                        f"{type(got).__name__}.")
        try:
            got = {tuple(x) for x in got}
        except TypeError:
            raise Wrong("Each element should be a pair (R, W), like (2, 2).") from None
        if got == want:
            continue
        extra, missing = sorted(got - want), sorted(want - got)
        if extra:
            r, w = extra[0]
            if r > n or w > n:
                raise Wrong(f"For N = {n}: ({r}, {w}) is out of range; R and W count "
                            f"replicas, so each is at most N.")
            if r + w == n:
                raise Wrong(f"For N = {n}: R={r} and W={w} make exactly N, not more; a read "
                            f"of {r} and a write of {w} can then fall on disjoint nodes.")
            raise Wrong(f"For N = {n}: with R={r} and W={w}, R + W = {r + w} is not more "
                        f"than N: a read can miss every node the write reached.")
        r, w = missing[0]
        raise Wrong(f"For N = {n} you miss ({r}, {w}): R and W each run from 1 to N, and "
                    f"{r} + {w} > {n}.")


q1 = Exercise(
    "q1", "Write overlapping(n): the set of (R, W) pairs, each from 1 to n, for which every "
          "read quorum of R replicas overlaps every write quorum of W replicas among n.",
    var="q1_overlapping",
    expected=lambda: [(n, overlapping(n)) for n in (1, 2, 3, 5)],
    check=_check_overlap_function,
    kind="code",
    hints=["Paper 4.5: setting R and W such that R + W > N yields a quorum-like system.",
           "Try every R and every W from 1 to n (two loops, or one set comprehension), and "
           "keep the pairs that satisfy the paper's condition."],
    solution="""
        def q1_overlapping(n):
            return {(r, w) for r in range(1, n + 1) for w in range(1, n + 1) if r + w > n}
    """,
    success="(2, 2) is the paper's usual choice for N = 3; (1, 3) is the read-heavy "
            "catalogue.",
)


_TABLE: dict = {}


def table_cache() -> dict:
    """:func:`latency_table`, computed once per process."""
    if not _TABLE:
        _TABLE.update(latency_table())
    return _TABLE


def _growth_word() -> str:
    t = table_cache()
    grow = t[("put", 3)][2] - t[("put", 1)][2]
    return "grows" if grow > 0 else "shrinks" if grow < 0 else "same"


q2 = Exercise(
    "q2", "Before the table is printed, predict: from W = 1 to W = 3, the 99.9th percentile "
          "of put latency ... 'same' (the coordinator's own write counts either way), "
          "'grows' or 'shrinks'?",
    var="q2_trend",
    expected=_growth_word,
    check=expect_choice(["same", "grows", "shrinks"], what="prediction",
                        why={"same": "The coordinator's own write counts, but with W = 3 it "
                                     "must also wait for the two other replicas' disks: the "
                                     "slowest of three decides.",
                             "shrinks": "More replicas do not share one put's work: each "
                                        "writes the whole version, and the put waits for "
                                        "W of them."}),
    kind="predict",
    hints=["Paper 4.5: the latency of a put is dictated by the slowest of the W replicas "
           "it waits for.",
           "Each replica's disk write takes 2 ms plus a random tail. Is the slowest of three "
           "such draws usually longer or shorter than one of them?"],
    solution='q2_trend = "grows"',
    success="W = 3 waits for the slowest of three disks every time: durability is paid "
            "for in the tail.",
)


def _lost_word() -> str:
    lost = len(power_cut("buffered").lost)
    return "none" if lost == 0 else "all" if lost == 40 else "some"


q3 = Exercise(
    "q3", "Every replica buffers its writes and flushes every 500 ms; 40 puts are "
          "acknowledged, then the power goes. Predict which acknowledged writes are lost: "
          "'none', 'some' or 'all'.",
    var="q3_lost",
    expected=_lost_word,
    check=expect_choice(["none", "some", "all"], what="prediction",
                        why={"none": "An acknowledgement from W = 2 buffering replicas means "
                                     "two copies in memory, not on disk: a power cut takes "
                                     "both.",
                             "all": "The buffers are flushed every 500 ms: what was written "
                                    "before the last flush is on disk."}),
    kind="predict",
    hints=["Paper 6.1: the write buffer improves performance at the cost of durability: a "
           "server crash can result in missing writes that were queued up in the buffer.",
           "Which of the 40 writes were still only in memory, on every replica that had "
           "them, when the power went?"],
    solution='q3_lost = "some"',
    success="Acknowledged, then gone: every replica that had them still had them only in "
            "memory.",
)


def durable_among_acks(writes: int = 40, seed: int = SEED) -> tuple:
    """In the one-durable-replica store, how many of ``writes`` puts had the
    durable replica among the W replies they waited for: ``(count, writes)``.

    >>> durable_among_acks()[1]
    40
    """
    c = cluster(seed=seed, flush_ms=FLUSH_MS, store=one_durable_store)
    results = [c.put(f"order:{i}", i) for i in range(writes)]
    return sum(any(ZONES[x] == "az1" for x in r.replicas) for r in results), writes


exercises = ExerciseSet("Lesson 05 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"table": table_cache(), "power_cut": power_cut}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": ["(2, 2)",
                lambda n: {(r, w) for r in range(1, n + 1) for w in range(1, n + 1)
                           if r + w >= n},
                lambda n: {(2, 2)}],
         "q2": ["same", "shrinks", 10],
         "q3": ["none", "all", 9]}
