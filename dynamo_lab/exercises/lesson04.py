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


def _check_relations(answer, expected) -> None:
    expect_mapping("pairs", "relation")(answer, expected)


def _check_chain(answer, expected) -> None:
    if isinstance(answer, (list, tuple, set, frozenset)) and set(answer) == {"by n11"}:
        raise Wrong("Without truncation 'by n11' would be the only version. But its clock "
                    "lost the [n01,1] entry: does it still descend from 'by n10'?")
    expect_set("values")(answer, expected)


q1 = Exercise(
    "q1", "For each pair of Figure 3's versions, is the first an 'ancestor', a "
          "'descendant' or a 'sibling' of the second? Answer as a dict "
          "{'D2 vs D3': ..., 'D3 vs D4': ..., 'D5 vs D4': ...}.",
    var="q1_relations",
    expected=_relations,
    check=_check_relations,
    hints=["A is an ancestor of B when every counter of A is <= B's counter for the "
           "same node; if neither is an ancestor of the other, they are siblings.",
           "`relation(d['D2'].clock, d['D3'].clock)` asks the engine's clocks."],
    solution="""
        q1_relations = {f"{x} vs {y}": relation(d[x].clock, d[y].clock) for x, y in PAIRS}
    """,
    success="Only siblings need the application: an ancestor is simply forgotten.",
)

q2 = Exercise(
    "q2", "A client reads the item after D5 and writes D6 through Sy, with the context "
          "of that read. What is D6's clock? Answer as a dict {node: counter}.",
    var="q2_d6",
    expected=_d6,
    check=expect_mapping("clock entries", "counter"),
    hints=["The coordinator copies the context's clock and adds one to its own entry.",
           "`got = c.get('item')`, then `c.put('item', 'D6', context=got.context, "
           "coordinator='Sy').clock.pairs`, turned into a dict."],
    solution="""
        got = c.get("item")
        q2_d6 = dict(c.put("item", "D6", context=got.context, coordinator="Sy").clock.pairs)
    """,
    success="Sy's counter goes from 1 to 2; Sx and Sz keep what D5 knew.",
)

q3 = Exercise(
    "q3", "In long_chain(), after the 11th write, which values does chain.get('k') "
          "return? Answer with a set of values.",
    var="q3_values",
    expected=lambda: set(long_chain().get("k").values),
    check=_check_chain,
    hints=["The 11th clock has 10 entries: the oldest one, [n01,1], was dropped.",
           "`set(chain.get('k').values)`"],
    solution="""
        q3_values = set(chain.get("k").values)
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
WRONG = {"q1": [{"D2 vs D3": "ancestor", "D3 vs D4": "ancestor", "D5 vs D4": "descendant"},
                {"D2 vs D3": "descendant", "D3 vs D4": "sibling", "D5 vs D4": "descendant"},
                "sibling"],
         "q2": [{"Sx": 4, "Sy": 1, "Sz": 1}, {"Sx": 3, "Sy": 1, "Sz": 1}, "[Sx,3][Sy,2][Sz,1]"],
         "q3": [{"by n11"}, {"by n01", "by n11"}, "by n11"]}
