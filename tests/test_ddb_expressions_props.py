"""Property tests: the parser only ever raises DynamoDB errors, updates never
mutate their input, and boolean precedence matches NOT > AND > OR."""
import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dynamo_lab.dynamodb.errors import DynamoDBError
from dynamo_lab.dynamodb.model.expressions import (
    Expressions,
    apply_update,
    evaluate,
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
    project,
)
from dynamo_lab.dynamodb.model.types import validate_item, validate_value

FAST = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
SOME = settings(FAST, max_examples=50)

VALUES = {":n": {"N": "1"}, ":m": {"N": "-2.5"}, ":s": {"S": "ab"}, ":e": {"S": ""},
          ":l": {"L": [{"N": "1"}]}, ":ss": {"SS": ["a", "b"]}, ":ns": {"NS": ["1", "3"]},
          ":bs": {"BS": ["AA=="]}, ":b": {"B": "AAE="}, ":t": {"BOOL": True},
          ":map": {"M": {"k": {"S": "v"}}}, ":S": {"S": "S"}}
NAMES = {"#a": "a", "#b": "b", "#s": "status"}

# Pieces of the grammar, so random sequences often get deep into the parser.
PIECES = ["a", "b", "c", "#a", "#b", "#s", "#zz", ":n", ":m", ":s", ":l", ":ss", ":ns", ":b",
          ":t", ":map", ":zz", "=", "<>", "<", "<=", ">", ">=", "(", ")", "[", "]", "[0]",
          "[1]", ",", ".", "+", "-", "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE",
          "ADD", "DELETE", "size", "attribute_exists", "attribute_not_exists",
          "attribute_type", "begins_with", "contains", "if_not_exists", "list_append",
          "status", "foo", "1", "_", "!", "  ", "\n", "é", "a.b", "a[2]"]

garbage = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=14).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=14).map("".join),
    st.text(max_size=40),
)


@FAST
@given(garbage)
def test_parsers_only_raise_dynamodb_errors(text):
    for parse in (lambda t, c: parse_condition(t, c),
                  lambda t, c: parse_condition(t, c, "FilterExpression"),
                  parse_update, parse_projection,
                  lambda t, c: parse_key_condition(t, c, "a", "b", {"a": "N", "b": "S"})):
        ctx = Expressions(NAMES, VALUES)
        try:
            parse(text, ctx)
            ctx.check_unused()
        except DynamoDBError as e:
            assert e.code in ("ValidationException", "SerializationException")
            assert e.message and "Traceback" not in e.message


# -- random items and updates ---------------------------------------------------

scalars = st.one_of(
    st.text(max_size=5).map(lambda s: {"S": s}),
    st.integers(-1000, 1000).map(lambda n: {"N": str(n)}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.just({"SS": ["a", "b"]}), st.just({"NS": ["1", "2"]}),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3).map(lambda items: {"L": items}),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3).map(lambda m: {"M": m}),
), max_leaves=8)
items = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), values, max_size=4)

paths = st.builds(lambda top, rest: top + "".join(rest),
                  st.sampled_from(["a", "b", "c", "d", "#a", "#b"]),
                  st.lists(st.sampled_from([".a", ".b", "[0]", "[1]", "[5]"]), max_size=2))
set_values = st.sampled_from([":n", ":s", ":l", ":ss", ":map", "a", "b[0]", "a + :n",
                              "if_not_exists(c, :n) - :m", "list_append(a, :l)",
                              "list_append(:l, if_not_exists(d, :l))"])
actions = st.one_of(
    st.tuples(st.just("SET"), st.builds(lambda p, v: f"{p} = {v}", paths, set_values)),
    st.tuples(st.just("REMOVE"), paths),
    st.tuples(st.just("ADD"), st.builds(lambda p, v: f"{p} {v}", paths,
                                        st.sampled_from([":n", ":ss", ":ns"]))),
    st.tuples(st.just("DELETE"), st.builds(lambda p, v: f"{p} {v}", paths,
                                           st.sampled_from([":ss", ":ns", ":bs"]))),
)


def update_text(chosen):
    sections: dict = {}
    for clause, text in chosen:
        sections.setdefault(clause, []).append(text)
    return " ".join(f"{c} {', '.join(parts)}" for c, parts in sections.items())


@FAST
@given(items, st.lists(actions, min_size=1, max_size=4))
def test_apply_update_never_mutates_and_yields_valid_items(item, chosen):
    item = validate_item(item)
    before = copy.deepcopy(item)
    try:
        update = parse_update(update_text(chosen), Expressions(NAMES, VALUES))
    except DynamoDBError:
        return
    try:
        new = apply_update(update, item)
    except DynamoDBError as e:
        assert e.code == "ValidationException"
        assert item == before
        return
    assert item == before
    assert validate_item(new) == new  # still canonical wire form
    # The result must not share mutable structure with the input.
    for name, av in new.items():
        if name in item and av is item[name]:
            raise AssertionError(f"{name} shared with the input")


@FAST
@given(items, st.lists(paths, min_size=1, max_size=3, unique=True))
def test_project_never_mutates(item, chosen):
    item = validate_item(item)
    before = copy.deepcopy(item)
    try:
        ps = parse_projection(", ".join(chosen), Expressions({"#a": "a", "#b": "b"}))
    except DynamoDBError:
        return
    out = project(ps, item)
    assert item == before
    assert set(out) <= set(item)


@FAST
@given(values)
def test_validation_is_idempotent(av):
    once = validate_value(av)
    assert validate_value(once) == once


# -- precedence against a Python reference ---------------------------------------

atoms = st.sampled_from(["a", "b", "c"]).map(lambda k: (f"{k} = :n", lambda env, k=k: env[k]))


def formulas():
    # Each formula is (DynamoDB text, reference function of the truth values).
    return st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda p: (f"{p[0][0]} AND {p[1][0]}", p)),
            st.tuples(inner, inner).map(lambda p: (f"{p[0][0]} OR {p[1][0]}", p)),
            inner.map(lambda p: (f"NOT {p[0]}", p)),
            # DynamoDB rejects "((...))" as redundant, so never double-wrap.
            inner.filter(lambda p: not _is_group(p[0])).map(lambda p: (f"({p[0]})", p)),
        ).map(_reference), max_leaves=6)


def _is_group(text):
    """True if ``text`` is one parenthesised group, "( ... )"."""
    if not text.startswith("("):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return i == len(text) - 1
    return False


def _reference(node):
    """Reference truth function honouring NOT > AND > OR, built by reparsing
    the flat text the way a precedence-climbing reader would."""
    text, _ = node
    return text, lambda env: _ref_eval(text.replace("(", " ( ").replace(")", " ) ").split(), env)


def _ref_eval(words, env):
    pos = 0

    def disj():
        nonlocal pos
        value = conj()
        while pos < len(words) and words[pos] == "OR":
            pos += 1
            rhs = conj()
            value = value or rhs
        return value

    def conj():
        nonlocal pos
        value = neg()
        while pos < len(words) and words[pos] == "AND":
            pos += 1
            rhs = neg()
            value = value and rhs
        return value

    def neg():
        nonlocal pos
        if words[pos] == "NOT":
            pos += 1
            return not neg()
        if words[pos] == "(":
            pos += 1
            value = disj()
            pos += 1  # ")"
            return value
        name = words[pos]
        pos += 3  # name = :n
        return env[name]

    return disj()


@FAST
@given(formulas(), st.booleans(), st.booleans(), st.booleans())
def test_precedence_matches_reference(formula, a, b, c):
    text, reference = formula
    env = {"a": a, "b": b, "c": c}
    item = {k: {"N": "1" if v else "0"} for k, v in env.items()}
    cond = parse_condition(text, Expressions(values={":n": {"N": "1"}}))
    assert evaluate(cond, item) == reference(env)


def test_precedence_examples():
    ctx = Expressions(values={":n": {"N": "1"}})
    item = {"a": {"N": "1"}, "b": {"N": "0"}, "c": {"N": "1"}}
    # a OR (b AND c), not (a OR b) AND c
    assert evaluate(parse_condition("a = :n OR b = :n AND c = :n", ctx), item)
    # (NOT a) AND c
    assert not evaluate(parse_condition("NOT a = :n AND c = :n", ctx), item)
    assert evaluate(parse_condition("NOT (a = :n AND b = :n) AND c = :n", ctx), item)


# -- key conditions select exactly the matching sort keys -------------------------

key_values = st.one_of(
    st.lists(st.integers(-50, 50).map(lambda n: {"N": str(n)}), max_size=12),
    st.lists(st.text(alphabet="aAbé\U0001F600", max_size=3).map(lambda s: {"S": s}), max_size=12),
)


@FAST
@given(key_values, st.sampled_from(["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]),
       st.data())
def test_key_condition_bounds_select_the_matching_keys(keys, op, data):
    from sortedcontainers import SortedKeyList

    from dynamo_lab.dynamodb.model.types import sort_key
    if not keys:
        return
    kind = "N" if "N" in keys[0] else "S"
    if op == "begins_with" and kind == "N":
        return
    pick = lambda: data.draw(st.sampled_from(keys))  # noqa: E731
    lo, hi = sorted([pick(), pick()], key=sort_key)
    text = {"BETWEEN": "h = :h AND r BETWEEN :a AND :b",
            "begins_with": "h = :h AND begins_with(r, :a)"}.get(op, f"h = :h AND r {op} :a")
    values = {":h": {"S": "x"}, ":a": lo}
    if op == "BETWEEN":
        values[":b"] = hi
    if op == "begins_with" and lo["S"] == "":
        values[":a"] = {"S": "a"}
    kc = parse_key_condition(text, Expressions(values=values), "h", "r")
    unique = {tuple(sorted(k.items())): k for k in keys}.values()
    ordered = SortedKeyList(unique, key=sort_key)
    low, low_inc, high, high_inc = kc.bounds()
    got = []
    for k in ordered.irange_key(low, high, (low_inc, high_inc)):
        if not kc.matches(k):
            assert op == "begins_with"  # ranges are exact; prefixes stop here
            break
        got.append(k)
    assert got == [k for k in ordered if kc.matches(k)]


# -- malformed JSON anywhere becomes a DynamoDB error, never a traceback ------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False),
              st.sampled_from(["", "a", "1", "EQ", "AND", "OR", "ADD", "PUT", "DELETE", "S",
                               ":v", "#n", "NOT_NULL", "BETWEEN", "IN", "AA=="])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL", "L",
                                         "M", "a", "Value", "Exists", "Action",
                                         "ComparisonOperator", "AttributeValueList", ":v",
                                         "#n"]), inner, max_size=3)),
    max_leaves=10)

REQUEST_KEYS = ["ConditionExpression", "FilterExpression", "ProjectionExpression",
                "UpdateExpression", "KeyConditionExpression", "ExpressionAttributeNames",
                "ExpressionAttributeValues", "AttributesToGet", "KeyConditions", "QueryFilter",
                "ScanFilter", "Expected", "AttributeUpdates", "ConditionalOperator"]


@SOME
@given(st.dictionaries(st.sampled_from(REQUEST_KEYS), json_values, max_size=4))
def test_malformed_requests_give_dynamodb_errors(params):
    from dynamo_lab.dynamodb.model.expressions import request_expressions
    try:
        request_expressions(params, "Query", "h", "r", {"h": "S", "r": "N"})
    except DynamoDBError as e:
        assert e.code in ("ValidationException", "SerializationException")


@SOME
@given(json_values)
def test_malformed_values_and_items_give_dynamodb_errors(value):
    from dynamo_lab.dynamodb.model.expressions import (
        attribute_updates,
        attributes_to_get,
        expected_condition,
        filter_condition,
        key_conditions,
    )
    for fn in (validate_value, validate_item, attribute_updates, attributes_to_get,
               expected_condition, filter_condition, lambda v: key_conditions(v, "a"),
               lambda v: Expressions(v), lambda v: Expressions(None, v),
               lambda v: Expressions({"#n": "n"}, {":v": v})):
        try:
            fn(value)
        except DynamoDBError as e:
            assert e.code in ("ValidationException", "SerializationException")
