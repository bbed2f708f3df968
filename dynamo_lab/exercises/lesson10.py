"""Exercises of lesson 10, "Divergent versions and coordination" (Dynamo paper
5, 6.3, 6.4).

The checkers rerun the lesson's workloads on the real
:class:`~dynamo_lab.DynamoCluster`, with the same seeds.

Examples
--------
>>> dist = version_distribution(workload(ops=40)[1])
>>> round(sum(dist.values()), 6)
1.0
"""
from __future__ import annotations

import random
from collections import Counter

from ..dynamo.cluster import DynamoCluster
from .core import Exercise, ExerciseSet, Wrong, as_number, expect_choice, expect_number, known_mistake

__all__ = ["q1", "q2", "q3", "exercises", "progress", "SEED", "WRITERS", "PAPER", "workload",
           "version_distribution", "latencies", "forwarded_share", "fastest_cluster", "solution_namespace",
           "WRONG"]

SEED = 10
#: How many writers update a cart at once, and how often (the simulated workload).
WRITERS = {1: 0.90, 2: 0.07, 3: 0.02, 4: 0.01}
#: Paper 6.3: share of requests that saw 1, 2, 3 and 4 versions (in %).
PAPER = {1: 99.94, 2: 0.00057, 3: 0.00047, 4: 0.00009}


def workload(ops: int = 400, carts: int = 10, seed: int = SEED):
    """Shopping carts updated read-modify-write, sometimes by several writers at once.

    Each step picks a cart and a number of writers from :data:`WRITERS`; all
    of them read the cart first, then each writes back its own item with the
    context it read. Returns ``(cluster, Counter of versions per read)``.
    """
    c = DynamoCluster(nodes=6, seed=seed, anti_entropy_ms=0)
    rng = random.Random(seed)
    versions: Counter = Counter()
    for i in range(ops):
        cart = f"cart:{rng.randrange(carts)}"
        w = rng.choices(list(WRITERS), weights=list(WRITERS.values()))[0]
        reads = [c.get(cart) for _ in range(w)]
        for j, got in enumerate(reads):
            versions[max(1, got.siblings)] += 1
            items = set().union(*got.values) if got.values else set()
            c.put(cart, items | {f"item{i}.{j}"}, context=got.context)
    return c, versions


def version_distribution(versions: Counter) -> dict:
    """``{versions: share of reads}``, shares summing to 1."""
    total = sum(versions.values())
    return {k: versions[k] / total for k in sorted(versions)}


def latencies(mode: str, rounds: int = 300, seed: int = SEED) -> DynamoCluster:
    """A put and a get per round on six nodes, coordinated ``mode``-driven."""
    c = DynamoCluster(nodes=6, seed=seed, coordination=mode, anti_entropy_ms=0)
    for i in range(rounds):
        c.put(f"k{i % 50}", i)
        c.get(f"k{(i * 7) % 50}")
    return c


def _one_version_share() -> float:
    return version_distribution(workload()[1])[1]


def forwarded_share(c: DynamoCluster) -> float:
    """Share of requests an entry node passed on to a coordinator (an extra hop)."""
    log = c.sim.log
    return len(log.of_kind("request.forward")) / len(log.of_kind("request.done"))


def _forwarded() -> float:
    return forwarded_share(latencies("server"))


def fastest_cluster():
    """Five nodes, one key written; returns ``(cluster, get result)``."""
    c = DynamoCluster(nodes=["A", "B", "C", "D", "E"], seed=SEED, anti_entropy_ms=0)
    c.put("cart:bob", {"tea"})
    c.run(ms=100)
    return c, c.get("cart:bob")


def _next_coordinator() -> str:
    c, got = fastest_cluster()
    return c.put("cart:bob", {"tea", "milk"}, context=got.context).coordinator


def _check_share(answer, expected) -> None:
    got = as_number(answer, "share")
    if abs(got - 0.9994) < 0.0005:
        raise Wrong("That is the paper's production share. This workload forces two to four "
                    "concurrent writers on one update in ten, on only ten carts: divergence "
                    "is far more frequent here.")
    if got > 1:
        raise Wrong("A share lies between 0 and 1 (not a percentage).")
    if got < 0.75:
        raise Wrong("Too low: nine updates in ten have a single writer, and even in a "
                    "concurrent update the readers see one version unless an earlier "
                    "update left siblings.")
    expect_number(abs_tol=0.05, what="share")(answer, expected)


q1 = Exercise(
    "q1", "Before the workload runs, predict within 0.05: what share of its reads will see "
          "exactly one version? Answer a fraction between 0 and 1.",
    var="q1_share",
    expected=_one_version_share,
    check=_check_share,
    kind="predict",
    shown_as=["89.371"],
    hints=["Paper 6.3: divergent versions came mostly from concurrent writers, rarely from "
           "failures; 99.94% of requests saw exactly one version.",
           "Here nine updates in ten have one writer and the rest two to four, all reading "
           "first. Which reads can see two versions: the ones in a concurrent update, or the "
           "ones after it?"],
    solution="""
        q1_share = 0.9
    """,
    success="Far below the paper's 99.94%: the workload forces concurrent writers on one "
            "update in ten, while real carts rarely see two writers at once.",
)


def _check_forwarded(answer, expected) -> None:
    got = as_number(answer, "share")
    known_mistake(got, {"none": 0.0, "all": 1.0},
                  {"none": "Server-driven requests go to a random live node first; when it "
                           "is not among the key's top N it forwards them: count the "
                           "request.forward events.",
                   "all": "An entry node that is one of the key's top N coordinates the "
                          "request itself, with no extra hop."})
    expect_number(abs_tol=0.01, what="share")(answer, expected)


q2 = Exercise(
    "q2", "In the server-driven run, what share of requests took the extra hop: an entry "
          "node outside the key's top N passed it on (`request.forward`)? Compute it from "
          "`server`'s log, as a fraction of all requests (`request.done`).",
    var="q2_forwarded",
    expected=_forwarded,
    check=_check_forwarded,
    kind="code",
    hints=["Paper 6.4: with server-driven coordination a load balancer hands the request "
           "to a random node, which forwards it to a coordinator when it is not one itself.",
           "The log records each extra hop as a `request.forward` event and each finished "
           "request as a `request.done` event; a log's `of_kind(...)` selects them."],
    solution="""
        log = server.sim.log
        q2_forwarded = len(log.of_kind("request.forward")) / len(log.of_kind("request.done"))
    """,
    success="With 6 nodes and N=3 a random entry node is outside the top N about half "
            "the time; client-driven coordination never pays that hop.",
)


def _check_node(answer, expected) -> None:
    if not isinstance(answer, str):
        raise Wrong(f"Expected a node name, like 'A', got a {type(answer).__name__}: "
                    f"{answer!r}.")
    if answer in "ABCDE" and answer != expected and answer == fastest_cluster()[1].coordinator:
        raise Wrong(f"{answer} coordinated the read (its 'via'), but the write goes to the "
                    f"replica that answered the read fastest, remembered in the context.")
    expect_choice("ABCDE", why={
        n: f"{n} is not the node that answered the read fastest: look at "
           f"`got.context.fastest`." for n in "ABCDE"})(answer, expected)


q3 = Exercise(
    "q3", "Predict: which node will coordinate the put that writes back `got`'s context?",
    var="q3_coordinator",
    expected=_next_coordinator,
    check=_check_node,
    kind="predict",
    too_common="a one-letter node name; every listing above names the five nodes",
    hints=["Paper 5: the coordinator for a write is chosen to be the node that replied "
           "fastest to the previous read operation, which is stored in the context.",
           "The read's context carries that node's name. Is it the node the read went "
           "through (its 'via'), or the first replica that answered?"],
    solution="""
        q3_coordinator = got.context.fastest
    """,
    success="A read-your-writes friendly choice: the node that just served the read "
            "coordinates the write, and load spreads over the replicas.",
)

exercises = ExerciseSet("Lesson 10 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    _, versions = workload()
    _, got = fastest_cluster()
    return {"version_distribution": version_distribution, "versions": versions,
            "server": latencies("server"), "got": got}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": [0.9994, 0.5, 89.4, "0.9"],
         "q2": [0.0, 1.0, "0.5"],
         "q3": ["Z", "B", 1]}
