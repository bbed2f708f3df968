"""Exercises of lesson 04, "Vector clocks" (Dynamo paper 4.4, Figure 3).

The checkers replay the paper's Figure 3 on the real
:class:`~dynamo_lab.DynamoCluster`, choosing the coordinator of each write,
and judge answers against the clocks the engine made.

Examples
--------
>>> c, d = figure3()
>>> [str(d[name].clock) for name in ("D1", "D2", "D3", "D4", "D5")]
['VectorClock([Sx,1])', 'VectorClock([Sx,2])', 'VectorClock([Sx,2],[Sy,1])', 'VectorClock([Sx,2],[Sz,1])', 'VectorClock([Sx,3],[Sy,1],[Sz,1])']
>>> relation(d["D3"].clock, d["D4"].clock)
'sibling'
>>> q2.evaluate({"Sx": 3, "Sy": 2, "Sz": 1}).status
'correct'
"""
from __future__ import annotations

from ..dynamo.cluster import DynamoCluster
from .core import Exercise, ExerciseSet, Wrong, expect_mapping, expect_set

__all__ = ["q1", "q2", "q3", "exercises", "progress", "SEED", "figure3", "relation",
           "PAIRS", "long_chain", "CHAIN", "solution_namespace", "WRONG"]

#: The seed of the lesson's clusters.
SEED = 7
#: The pairs q1 asks about: (first, second).
PAIRS = (("D2", "D3"), ("D3", "D4"), ("D5", "D4"))
#: Twelve node names for the truncation run.
CHAIN = tuple(f"n{i:02d}" for i in range(1, 13))


def figure3(seed: int = SEED) -> tuple:
    """The paper's Figure 3 on nodes Sx, Sy, Sz: returns ``(cluster, puts)``
    with ``puts`` mapping D1..D5 to each write's PutResult."""
    c = DynamoCluster(nodes=["Sx", "Sy", "Sz"], seed=seed)
    d = {}
    d["D1"] = c.put("item", "D1", coordinator="Sx")
    d["D2"] = c.put("item", "D2", context=d["D1"].context, coordinator="Sx")
    d["D3"] = c.put("item", "D3", context=d["D2"].context, coordinator="Sy")
    d["D4"] = c.put("item", "D4", context=d["D2"].context, coordinator="Sz")
    both = c.get("item")
    d["D5"] = c.put("item", "D5", context=both.context, coordinator="Sx")
    return c, d


def relation(a, b) -> str:
    """How clock ``a`` stands to clock ``b``: 'ancestor' (b descends from a),
    'descendant', 'equal' or 'sibling'."""
    if a == b:
        return "equal"
    if b.descends(a):
        return "ancestor"
    if a.descends(b):
        return "descendant"
    return "sibling"


def _relations() -> dict:
    _, d = figure3()
    return {f"{x} vs {y}": relation(d[x].clock, d[y].clock) for x, y in PAIRS}


def _d6() -> dict:
    c, _ = figure3()
    got = c.get("item")
    clock = c.put("item", "D6", context=got.context, coordinator="Sy").clock
    return dict(clock.pairs)


def long_chain(seed: int = SEED) -> DynamoCluster:
    """Twelve nodes; one key written 11 times in a row, each write through
    the next node (n01..n11), each from the previous write's context."""
    c = DynamoCluster(nodes=list(CHAIN), seed=seed)
    ctx = None
    for x in CHAIN[:11]:
        ctx = c.put("k", f"by {x}", context=ctx, coordinator=x).context
    return c


def _relation_cases() -> list:
    """Clock pairs (as dicts) q1's check tries a learner's function on."""
    _, d = figure3()
    cases = [(dict(d[x].clock.pairs), dict(d[y].clock.pairs)) for x, y in PAIRS]
    cases += [({"Sx": 1}, {"Sx": 1}), ({"Sx": 2, "Sy": 1}, {"Sx": 2}),
              ({"A": 1}, {"B": 1}), ({"A": 2, "B": 1}, {"A": 1, "B": 2}),
              ({}, {"A": 1}), ({"A": 1, "C": 3}, {"A": 1, "B": 1, "C": 3})]
    from ..dynamo.vclock import VectorClock
    def clock(d):
        return VectorClock((n, c, 0) for n, c in d.items())
    return [(a, b, relation(clock(a), clock(b))) for a, b in cases]


def _check_relation_function(answer, expected) -> None:
    if not callable(answer):
        raise Wrong(f"Expected a function relation(a, b) on two clocks given as dicts, "
                    f"got a {type(answer).__name__}: {answer!r}.")
    for a, b, want in expected:
        try:
            got = answer(dict(a), dict(b))
        except KeyError as e:
            raise Wrong(f"On {a} vs {b} your function raised KeyError {e}: a node missing "
                        f"from a clock counts as 0.") from None
        except Exception as e:
            raise Wrong(f"On {a} vs {b} your function raised {type(e).__name__}: {e}.") \
                from None
        if got == want:
            continue
        if {got, want} == {"ancestor", "descendant"}:
            raise Wrong(f"On {a} vs {b}: the direction is swapped. 'ancestor' means the "
                        f"first clock comes before the second: each of its counters is <= "
                        f"the second's.")
        if want == "sibling":
            raise Wrong(f"On {a} vs {b} each clock has a counter the other lacks or "
                        f"exceeds: neither descends from the other, so they are siblings, "
                        f"and both are kept.")
        if want == "equal":
            raise Wrong(f"On {a} vs {b}: the same clock; answer 'equal'.")
        raise Wrong(f"On {a} vs {b} the relation is {want!r}, not {got!r}.")


def _check_chain(answer, expected) -> None:
    if isinstance(answer, (list, tuple, set, frozenset)) and set(answer) == {"by n11"}:
        raise Wrong("Without truncation 'by n11' would be the only version. But its clock "
                    "lost the [n01,1] entry: does it still descend from 'by n10'?")
    if isinstance(answer, (list, tuple, set, frozenset)) and "by n01" in set(answer):
        raise Wrong("'by n01' is an ancestor of 'by n10' (every counter of it is <= "
                    "'by n10''s), so the replicas dropped it long ago.")
    expect_set("values")(answer, expected)


def _check_d6(answer, expected) -> None:
    if isinstance(answer, dict):
        if answer == {"Sx": 4, "Sy": 1, "Sz": 1}:
            raise Wrong("Sx coordinated D5, but D6 goes through Sy: the coordinator adds "
                        "one to its own entry.")
        if answer == {"Sx": 3, "Sy": 1, "Sz": 1}:
            raise Wrong("That is D5's clock. A write increments the coordinator's counter: "
                        "D6 descends from D5.")
    expect_mapping("clock entries", "counter")(answer, expected)


q1 = Exercise(
    "q1", "Write relation(a, b) for two vector clocks given as dicts {node: counter}: "
          "'ancestor' when b descends from a, 'descendant' when a descends from b, "
          "'equal' or 'sibling'.",
    var="q1_relation",
    expected=_relation_cases,
    check=_check_relation_function,
    kind="code",
    hints=["Paper 4.4: if the counters on the first object's clock are less-than-or-equal "
           "to all of the nodes in the second clock, then the first is an ancestor of the "
           "second and can be forgotten; otherwise the two are in conflict.",
           "Compare over every node that appears in either clock, reading a missing node "
           "as 0 (`dict.get(node, 0)`). Test 'equal' first."],
    solution="""
        def q1_relation(a, b):
            nodes = set(a) | set(b)
            a_le_b = all(a.get(x, 0) <= b.get(x, 0) for x in nodes)
            b_le_a = all(b.get(x, 0) <= a.get(x, 0) for x in nodes)
            if a_le_b and b_le_a:
                return "equal"
            if a_le_b:
                return "ancestor"
            if b_le_a:
                return "descendant"
            return "sibling"
    """,
    success="That one comparison is how every replica decides what to forget and what "
            "to keep as a sibling.",
)

q2 = Exercise(
    "q2", "A client reads the item after D5 and writes D6 through Sy, with the context "
          "of that read. Predict D6's clock. Answer as a dict {node: counter}.",
    var="q2_d6",
    expected=_d6,
    check=_check_d6,
    kind="predict",
    shown_as=["{'Sx': 3, 'Sy': 2, 'Sz': 1}", "[Sx,3],[Sy,2],[Sz,1]"],
    hints=["Paper 4.4: when a node updates an object it increments its own counter in the "
           "clock it was handed (the context of the read).",
           "Start from D5's clock printed above; which node coordinates D6, and whose "
           "counter goes up?"],
    solution="""
        q2_d6 = {"Sx": 3, "Sy": 2, "Sz": 1}
    """,
    success="Sy's counter goes from 1 to 2; Sx and Sz keep what D5 knew.",
)

q3 = Exercise(
    "q3", "In long_chain(), each write descends from the one before. Predict: after the 11th "
          "write, which values does chain.get('k') return? Answer with a set of values.",
    var="q3_values",
    expected=lambda: set(long_chain().get("k").values),
    check=_check_chain,
    kind="predict",
    shown_as=["{'by n10', 'by n11'}", "{'by n11', 'by n10'}", "D10 | D11"],
    hints=["Paper 4.4: clocks are truncated at a threshold (10 pairs): when the clock grows "
           "past it, the oldest pair is removed.",
           "The 11th clock has lost [n01,1]. Apply the ancestor rule to the 10th and 11th "
           "clocks: does either descend from the other?"],
    solution="""
        q3_values = {"by n10", "by n11"}
    """,
    success="Truncation never loses a version, but it can make a false sibling: the "
            "application is asked to merge two versions that were in fact ordered.",
)

exercises = ExerciseSet("Lesson 04 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    c, d = figure3()
    return {"c": c, "d": d, "relation": relation, "PAIRS": PAIRS, "chain": long_chain()}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {"q1": ["sibling",
                lambda a, b: "ancestor" if all(a[x] <= b[x] for x in a) else "sibling",
                lambda a, b: "descendant" if all(v <= a.get(x, 0) for x, v in b.items())
                else "ancestor" if all(v <= b.get(x, 0) for x, v in a.items()) else "sibling"],
         "q2": [{"Sx": 4, "Sy": 1, "Sz": 1}, {"Sx": 3, "Sy": 1, "Sz": 1}, "[Sx,3][Sy,2][Sz,1]"],
         "q3": [{"by n11"}, {"by n01", "by n11"}, "by n11"]}
