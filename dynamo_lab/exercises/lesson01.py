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
>>> q2.check({"gift"})
q2: not quite. item03 was deleted by one tab, but the other tab's sibling still holds it, and a union keeps every item of every sibling: the delete is undone.
>>> q3.evaluate(percentile).status
'correct'
"""
from __future__ import annotations

from ..dynamo.cluster import DynamoCluster
from .core import Exercise, ExerciseSet, Wrong, expect_mapping

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
    burns halfway. The requests run one after another in virtual time: this
    measures the latency of single requests, not the store under a peak load
    of 500 requests a second."""
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


def _check_hints(answer, expected) -> None:
    if isinstance(answer, dict):
        if answer == {v: k for k, v in expected.items()}:
            raise Wrong("Holder and home are swapped: the holder is the healthy node that "
                        "stands in; the home is the node in the burnt zone it stands in for.")
        if not answer:
            raise Wrong("No hinted copy at all would mean the write waited for, or gave up "
                        "on, the burnt home; a sloppy quorum sends that replica to the next "
                        "healthy node of the preference list instead.")
        down = [n for n in answer if n in ("n2", "n5")]
        if down:
            raise Wrong(f"{down[0]} is in az2, which is burning: a node that is down holds "
                        f"nothing new. Walk further along the preference list.")
    expect_mapping("hinted copies", "home node")(answer, expected)


q1 = Exercise(
    "q1", "Before az2 burns: predict which node will hold a hinted copy of alice's cart, "
          "and for which home node. Answer as a dict {holder: home}.",
    var="q1_hints",
    expected=lambda: hinted_copies(cart_run()[0]),
    check=_check_hints,
    kind="predict",
    shown_as=["{'n4': 'n5'}", "n4 (az1) holds 'cart:alice' for n5"],
    hints=["Paper 4.6: a replica meant for a node that is down goes to the next node of "
           "the preference list, with a hint naming the node it was meant for.",
           "Look at the preference list printed above: which of its first three nodes is "
           "in az2, and which is the first node after those three that is not in az2?"],
    solution="""
        q1_hints = {"n4": "n5"}
    """,
    success="The write meant for a burning node went to the next healthy node of the "
            "preference list, with a hint: that is the sloppy quorum.",
)


def _check_kept(answer, expected) -> None:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        raise Wrong(f"Expected a set of items, got a {type(answer).__name__}: {answer!r}.")
    got = set(answer)
    if got == expected:
        return
    if got == {"gift"}:
        raise Wrong("item03 was deleted by one tab, but the other tab's sibling still "
                    "holds it, and a union keeps every item of every sibling: the delete "
                    "is undone.")
    if got == {"item03"}:
        raise Wrong("The gift is in tab 2's sibling; a union never loses an add.")
    if not got:
        raise Wrong("A merge that keeps neither would lose tab 2's add: the union keeps "
                    "every item that any sibling holds.")
    raise Wrong("Answer with a set of the two items the question names, those that the "
                "merged cart holds.")


q2 = Exercise(
    "q2", "Tab 1 deleted item03 and tab 2 added a gift, from the same read. Predict: which "
          "of 'item03' and 'gift' does the merged cart (the union of the siblings) hold? "
          "Answer with a set.",
    var="q2_kept",
    expected={"item03", "gift"},
    check=_check_kept,
    kind="predict",
    shown_as=["item03 in it, gift in it", "{'gift', 'item03'}", "{'item03', 'gift'}"],
    hints=["Paper 4.4: the shopping cart's merge never loses an add to the cart, but deleted "
           "items can resurface.",
           "Each tab's write is a whole cart. Which of the two siblings still holds item03, "
           "and which holds the gift? The merge keeps every item that either holds."],
    solution="""
        q2_kept = {"item03", "gift"}
    """,
    success="The gift is there, and so is item03: the union never loses an add, so a "
            "deleted item can come back (paper 4.4).",
)


def _percentile_cases() -> list:
    lat = _all_latencies(sla_run())
    cases = [([40, 10, 30, 20], 50), ([40, 10, 30, 20], 75), ([7], 99.9),
             (list(range(1000, 0, -1)), 99.9), (lat, 99.9), (lat, 50)]
    return [(xs, p, percentile(xs, p)) for xs, p in cases]


def _check_percentile(answer, expected) -> None:
    import math
    if not callable(answer):
        raise Wrong(f"Expected a function percentile(latencies, p), got a "
                    f"{type(answer).__name__}: {answer!r}.")
    for xs, p, want in expected:
        shown = xs if len(xs) <= 4 else f"the {len(xs)} latencies"
        try:
            got = answer(list(xs), p)
        except Exception as e:
            raise Wrong(f"On {shown} with p={p} your function raised "
                        f"{type(e).__name__}: {e}.") from None
        if isinstance(got, (int, float)) and not isinstance(got, bool) \
                and math.isclose(got, want):
            continue
        if got == sum(xs) / len(xs):
            raise Wrong("That is the mean; the SLA is about the slow tail: the latency that "
                        "p% of the requests do not exceed.")
        if got == xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]:
            raise Wrong(f"On {shown} with p={p}: the right rank, in the list as given; "
                        f"sort the latencies first.")
        if len(xs) > 1 and got == sorted(xs)[min(len(xs) - 1, int(p / 100 * len(xs)))]:
            raise Wrong(f"On {shown} with p={p} you are one rank too high: the nearest rank "
                        f"ceil(p/100 * count) counts from 1, a list index from 0.")
        raise Wrong(f"On {shown} with p={p} the nearest-rank percentile is {want}, "
                    f"not {got!r}.")


q3 = Exercise(
    "q3", "Write percentile(latencies, p): the nearest-rank p-th percentile, the smallest "
          "latency that at least p% of the requests did not exceed.",
    var="q3_percentile",
    expected=_percentile_cases,
    check=_check_percentile,
    kind="code",
    hints=["Paper 2: an SLA is stated on the 99.9th percentile of the distribution, so that "
           "the slowest customers count as much as the average one.",
           "Sort a copy of the latencies. The nearest rank is ceil(p/100 * count), counting "
           "from 1; Python's lists count from 0."],
    solution="""
        import math

        def q3_percentile(latencies, p):
            xs = sorted(latencies)
            return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]
    """,
    success="With 500 requests the 99.9th percentile is the slowest of them: one slow "
            "request decides it.",
)

exercises = ExerciseSet("Lesson 01 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    cluster, attempts = cart_run()
    return {"cluster": cluster, "attempts": attempts, "KEY": KEY, "after": two_tabs()[1],
            "percentile": percentile, "sla": sla_run()}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": [{"n5": "n4"}, {}, {"n2": "n5"}, "n4"],
         "q2": [{"gift"}, {"item03"}, set(), "gift"],
         "q3": ["65",
                lambda xs, p: sum(xs) / len(xs),
                lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p / 100 * len(xs)))],
                lambda xs, p: xs[max(0, -(-p * len(xs) // 100) - 1)]]}
