"""Exercises of lesson 01, "Always on" (Dynamo paper, sections 1-2).

The checkers replay the lesson's runs with the real
:class:`~dynamo_lab.DynamoCluster` from the same seeds, so an answer is judged
against the engine, not against a number typed in here.

Examples
--------
>>> cluster, attempts = cart_run()
>>> sum(attempts.values()), len(attempts)
(30, 30)
>>> q1.evaluate(hinted_copies(cluster)).status
'correct'
>>> q2.evaluate(set(two_tabs()[1].value)).status
'correct'
>>> q3.check(1.0)
q3: not quite. Your 99.9th percentile 1.0 is too low.
"""
from __future__ import annotations

from ..dynamo.cluster import DynamoCluster
from .core import Exercise, ExerciseSet, Wrong, expect_mapping, expect_number

__all__ = ["q1", "q2", "q3", "exercises", "progress", "SEED", "KEY", "SLA_SEED",
           "shop", "add", "cart_run", "hinted_copies", "two_tabs", "sla_run",
           "percentile", "solution_namespace", "WRONG"]

#: The seed of the shopping-cart run, and the cart's key.
SEED = 11
KEY = "cart:alice"
#: The seed of the SLA measurement (500 requests).
SLA_SEED = 11


def shop(seed: int = SEED, **kw) -> DynamoCluster:
    """Six nodes in three availability zones; carts merge by union."""
    return DynamoCluster(nodes=6, zones=3, seed=seed, reconcile="union", **kw)


def add(cluster: DynamoCluster, key: str, item: str) -> bool:
    """Add ``item`` to a cart: read it (merging siblings), write it back."""
    got = cluster.get(key)
    items = set(got.value or ())
    return cluster.put(key, frozenset(items | {item}), context=got.context).ok


def cart_run(seed: int = SEED) -> tuple:
    """The lesson's first run: 30 adds to alice's cart, az2 burns after 15.

    Returns ``(cluster, attempts)``, attempts mapping each item to whether its
    add was acknowledged.
    """
    cluster = shop(seed)
    attempts = {}
    for i in range(30):
        if i == 15:
            cluster.crash_zone("az2")
        item = f"item{i:02d}"
        attempts[item] = add(cluster, KEY, item)
    return cluster, attempts


def hinted_copies(cluster: DynamoCluster) -> dict:
    """``{holder: home node}`` of every hinted copy in the cluster."""
    return {h.node: h.target for h in cluster.hints()}


def two_tabs(seed: int = SEED) -> tuple:
    """After the zone recovers, two browser tabs write from the same read:
    one deletes item03 (through n1), the other adds a gift (through n4).

    Returns ``(cluster, after)``, ``after`` being the get that follows.
    """
    cluster, _ = cart_run(seed)
    cluster.recover_zone("az2")
    cluster.run(ms=5000)
    got = cluster.get(KEY)
    cluster.put(KEY, frozenset(got.value - {"item03"}), context=got.context, coordinator="n1")
    cluster.put(KEY, frozenset(got.value | {"gift"}), context=got.context, coordinator="n4")
    return cluster, cluster.get(KEY)


def sla_run(seed: int = SLA_SEED) -> DynamoCluster:
    """500 requests (250 adds to 25 carts) with a disk latency tail; az2
    burns halfway."""
    cluster = shop(seed, disk_ms=(2, 10))
    for i in range(250):
        if i == 125:
            cluster.crash_zone("az2")
        add(cluster, f"cart:{i % 25}", f"item{i}")
    return cluster


def percentile(latencies, p: float) -> int:
    """The ``p``-th percentile: the smallest latency that at least ``p``% of
    the requests did not exceed (nearest rank)."""
    import math
    xs = sorted(latencies)
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]


def _all_latencies(cluster: DynamoCluster) -> list:
    return cluster.client.latencies["get"] + cluster.client.latencies["put"]


def _p999() -> dict:
    lat = _all_latencies(sla_run())
    return {"p999": percentile(lat, 99.9), "mean": sum(lat) / len(lat),
            "median": percentile(lat, 50), "max": max(lat)}


def _check_p999(answer, expected) -> None:
    expect_number(abs_tol=0.5, what="99.9th percentile")(answer, expected["p999"])


def _check_p999_named(answer, expected) -> None:
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        if abs(answer - expected["mean"]) < 0.5:
            raise Wrong("That is the mean latency; the SLA is about the slow tail: "
                        "the latency 99.9% of requests stay under.")
        if abs(answer - expected["median"]) < 0.5:
            raise Wrong("That is the median (50th percentile); sort the latencies and "
                        "take the one at rank ceil(0.999 * count).")
    _check_p999(answer, expected)


q1 = Exercise(
    "q1", "While az2 is down, which node holds a hinted copy of alice's cart, and for "
          "which home node? Answer as a dict {holder: home}.",
    var="q1_hints",
    expected=lambda: hinted_copies(cart_run()[0]),
    check=expect_mapping("hinted copies", "home node"),
    hints=["`cluster.hints()` lists every hinted copy; each has `.node` (the holder) "
           "and `.target` (the home node it stands in for).",
           "Build the dict with `{h.node: h.target for h in cluster.hints()}`."],
    solution="""
        q1_hints = {h.node: h.target for h in cluster.hints()}
    """,
    success="The write meant for a burning node went to the next healthy node of the "
            "preference list, with a hint: that is the sloppy quorum.",
)

q2 = Exercise(
    "q2", "After the two tabs' writes, which items does the merged (union) cart hold? "
          "Answer with a set.",
    var="q2_cart",
    expected=lambda: set(two_tabs()[1].value),
    check=lambda answer, expected: _check_cart(answer, expected),
    hints=["`after = cluster.get(KEY)` holds both siblings (`after.values`); with "
           "reconcile='union' its `.value` is their union.",
           "`q2_cart = set(after.value)`"],
    solution="""
        q2_cart = set(after.value)
    """,
    success="The gift is there, and so is item03: the union never loses an add, so a "
            "deleted item can come back (paper 4.4).",
)


def _check_cart(answer, expected) -> None:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        raise Wrong(f"Expected a set of items, got a {type(answer).__name__}: {answer!r}.")
    got = set(answer)
    if got == expected:
        return
    if "item03" not in got and got | {"item03"} == expected:
        raise Wrong("item03 was deleted by one tab, but the other tab's sibling still "
                    "holds it: what does a union of the two give?")
    if "gift" not in got and got | {"gift"} == expected:
        raise Wrong("The second tab's gift is missing: a union keeps every add.")
    extra = sorted(got - expected)
    missing = sorted(expected - got)
    parts = []
    if extra:
        parts.append(f"{extra!r} should not be there")
    if missing:
        parts.append(f"{len(missing)} item(s) are missing")
    raise Wrong("; ".join(parts).capitalize() + ".")


q3 = Exercise(
    "q3", "In the 500-request run (sla_run), what is the 99.9th percentile latency (ms) "
          "of all requests, gets and puts together?",
    var="q3_p999",
    expected=_p999,
    check=_check_p999_named,
    hints=["The latencies are in `sla.client.latencies['get']` and "
           "`sla.client.latencies['put']`; join the two lists.",
           "`percentile(latencies, 99.9)` sorts them and takes the value at rank "
           "ceil(0.999 * 500) = 500: with 500 requests, the 99.9th percentile is the "
           "slowest one."],
    solution="""
        latencies = sla.client.latencies["get"] + sla.client.latencies["put"]
        q3_p999 = percentile(latencies, 99.9)
    """,
    success="Far under 300 ms, even with a zone down; and far above the mean. An SLA "
            "on the 99.9th percentile is a promise to the slowest customers too.",
)

exercises = ExerciseSet("Lesson 01 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    cluster, attempts = cart_run()
    return {"cluster": cluster, "attempts": attempts, "KEY": KEY, "after": two_tabs()[1],
            "percentile": percentile, "sla": sla_run()}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": [{"n5": "n4"}, {}, "n4"],
         "q2": [sorted(set(f"item{i:02d}" for i in range(30)) - {"item03"} | {"gift"}),
                {"gift"}, "gift"],
         "q3": [1, 21.782, "65"]}
