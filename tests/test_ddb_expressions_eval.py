"""Evaluating conditions, applying updates, projecting, key conditions."""
import copy

import pytest

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
    update_targets,
)

ITEM = {
    "id": {"S": "k1"}, "n": {"N": "10"}, "s": {"S": "hello"}, "b": {"B": "AAEC"},
    "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": ["AA==", "AQ=="]},
    "t": {"BOOL": True}, "z": {"NULL": True},
    "l": {"L": [{"N": "1"}, {"S": "two"}, {"M": {"x": {"N": "3"}}}]},
    "m": {"M": {"a": {"M": {"b": {"S": "deep"}}}, "e": {"S": ""}}},
}
VALUES = {":1": {"N": "1"}, ":10": {"N": "10"}, ":5": {"N": "5"}, ":20": {"N": "20"},
          ":hello": {"S": "hello"}, ":he": {"S": "he"}, ":ell": {"S": "ell"}, ":a": {"S": "a"},
          ":two": {"S": "two"}, ":b0": {"B": "AA=="}, ":b01": {"B": "AAE="}, ":S": {"S": "S"},
          ":SS": {"SS": ["a"]}, ":NULL": {"S": "NULL"}, ":M": {"S": "M"}, ":deep": {"S": "deep"},
          ":l1": {"L": [{"N": "1"}]}, ":n1": {"N": "1.0"}, ":x": {"S": "x"}}


def cond(text):
    return parse_condition(text, Expressions(values=VALUES))


@pytest.mark.parametrize("text,expected", [
    ("n = :10", True), ("n = :5", False), ("n <> :5", True), ("n <> :10", False),
    ("nope2 <> :5", True), ("nope2 = :5", False), ("nope2 < :5", False),
    ("n > :5", True), ("n >= :10", True), ("n < :10", False), ("n <= :10", True),
    ("s > :he", True), ("s < :he", False), ("n > :he", False),
    ("n BETWEEN :5 AND :20", True), ("n BETWEEN :1 AND :5", False),
    ("n IN (:1, :10)", True), ("n IN (:1, :5)", False), ("nope2 IN (:1)", False),
    ("attribute_exists(m.a.b)", True), ("attribute_exists(m.a.c)", False),
    ("attribute_not_exists(nope)", True), ("attribute_exists(l[2].x)", True),
    ("attribute_exists(l[3])", False), ("attribute_exists(s[0])", False),
    ("attribute_type(s, :S)", True), ("attribute_type(z, :NULL)", True),
    ("attribute_type(m, :M)", True), ("attribute_type(n, :S)", False),
    ("begins_with(s, :he)", True), ("begins_with(s, :ell)", False),
    ("begins_with(b, :b0)", True), ("begins_with(b, :b01)", True), ("begins_with(n, :he)", False),
    ("contains(s, :ell)", True), ("contains(ss, :a)", True), ("contains(ns, :n1)", True),
    ("contains(bs, :b0)", True), ("contains(l, :two)", True), ("contains(l, :a)", False),
    ("contains(b, :b01)", True), ("contains(n, :1)", False), ("contains(ss, :SS)", False),
    ("size(s) = :5", True), ("size(ss) < :5", True), ("size(l) = :5", False),
    ("size(b) > :1", True), ("size(n) > :1", False), ("size(nope) > :1", False),
    ("m.a.b = :deep", True), ("l[0] = :n1", True), ("l[1] = :two", True),
    ("NOT n = :10", False), ("n = :5 OR s = :hello", True), ("n = :10 AND s = :he", False),
    ("NOT (n = :5 OR s = :he) AND attribute_exists(t)", True), ("n = s", False),
    ("n > l[0]", True), ("s <> n", True),
])
def test_evaluate(text, expected):
    assert evaluate(cond(text), ITEM) is expected


def test_evaluate_on_missing_item():
    assert evaluate(cond("attribute_not_exists(id)"), None)
    assert not evaluate(cond("attribute_exists(id)"), {})


def up(text, item, values=VALUES, names=None):
    return apply_update(parse_update(text, Expressions(names, values)), item)


def test_set_forms():
    item = copy.deepcopy(ITEM)
    new = up("SET n = n + :5, s = :x, m.a.c = :1, l[1] = :a, l[9] = :10, q = list_append(:l1, l), "
             "r = if_not_exists(r, :1), n2 = n - :20", item)
    assert item == ITEM
    assert new["n"] == {"N": "15"} and new["n2"] == {"N": "-10"} and new["s"] == {"S": "x"}
    assert new["m"]["M"]["a"]["M"]["c"] == {"N": "1"}
    assert new["l"]["L"][1] == {"S": "a"} and new["l"]["L"][3] == {"N": "10"}
    assert new["q"]["L"][0] == {"N": "1"} and len(new["q"]["L"]) == 4
    assert new["r"] == {"N": "1"}


def test_set_values_come_from_the_original_item():
    new = up("SET a = b, b = a", {"a": {"N": "1"}, "b": {"N": "2"}}, None)
    assert new == {"a": {"N": "2"}, "b": {"N": "1"}}


def test_remove_forms():
    new = up("REMOVE s, l[0], l[2], m.a.b, nope, m.nope, l[7]", ITEM)
    assert "s" not in new
    assert new["l"] == {"L": [{"S": "two"}]}
    assert new["m"] == {"M": {"a": {"M": {}}, "e": {"S": ""}}}


def test_add_and_delete():
    vals = {":5": {"N": "5"}, ":ss": {"SS": ["b", "c"]}, ":ns": {"NS": ["2", "3"]},
            ":bs": {"BS": ["AA=="]}, ":all": {"SS": ["a", "b"]}}
    new = up("ADD n :5, ss :ss, ns :ns, fresh :5, fs :ss", ITEM, vals)
    assert new["n"] == {"N": "15"} and new["fresh"] == {"N": "5"}
    assert sorted(new["ss"]["SS"]) == ["a", "b", "c"] and sorted(new["ns"]["NS"]) == ["1", "2", "3"]
    assert new["fs"] == {"SS": ["b", "c"]}
    new = up("DELETE ss :ss, bs :bs, nothing :ss", ITEM, vals)
    assert new["ss"] == {"SS": ["a"]} and new["bs"] == {"BS": ["AQ=="]} and "nothing" not in new
    new = up("DELETE ss :all", ITEM, vals)
    assert "ss" not in new


@pytest.mark.parametrize("text,message", [
    ("SET a = nope", "The provided expression refers to an attribute that does not exist in the item"),
    ("SET a = nope + :1", "The provided expression refers to an attribute that does not exist in the item"),
    ("SET a = s + :1", "An operand in the update expression has an incorrect data type"),
    ("SET a = list_append(s, :l1)", "An operand in the update expression has an incorrect data type"),
    ("SET nope.a = :1", "The document path provided in the update expression is invalid for update"),
    ("SET s.a = :1", "The document path provided in the update expression is invalid for update"),
    ("SET m[0] = :1", "The document path provided in the update expression is invalid for update"),
    ("SET l.a = :1", "The document path provided in the update expression is invalid for update"),
    ("SET l[5].a = :1", "The document path provided in the update expression is invalid for update"),
    ("REMOVE nope.a", "The document path provided in the update expression is invalid for update"),
    ("ADD s :1", "An operand in the update expression has an incorrect data type"),
    ("ADD ss :1", "An operand in the update expression has an incorrect data type"),
    ("DELETE n :SS", "An operand in the update expression has an incorrect data type"),
    ("DELETE ns :SS", "An operand in the update expression has an incorrect data type"),
])
def test_update_runtime_errors(text, message):
    before = copy.deepcopy(ITEM)
    with pytest.raises(DynamoDBError) as e:
        up(text, ITEM)
    assert e.value.message == message
    assert ITEM == before


@pytest.mark.parametrize("text", [
    # recorded against DynamoDB (dynalite): b is a string, c a map, d a list, y missing
    "set b.a = :a", "set b[1] = :a", "set y.a = :a", "set y[1] = :a", "set c[1] = :a",
    "set d.#1 = :a", "remove b.a", "remove b[1]", "remove y.a", "remove y[1]", "remove c[1]",
    "remove d.#1", "delete b.a :a", "delete b[1] :a", "delete y.a :a", "delete y[1] :a",
    "delete c[1] :a", "delete d.#1 :a", "add b.a :a", "add b[1] :a", "add y.a :a",
    "add y[1] :a", "add c[1] :a", "add d.#1 :a",
])
def test_invalid_document_paths(text):
    item = {"a": {"S": "k"}, "b": {"S": "k"}, "c": {"M": {"1": {"S": "a"}}},
            "d": {"L": [{"S": "a"}, {"S": "b"}]}}
    names = {"#1": "1"} if "#1" in text else None
    with pytest.raises(DynamoDBError) as e:
        up(text, item, {":a": {"SS": ["a"]}}, names)
    assert e.value.message == (
        "The document path provided in the update expression is invalid for update")


def test_missing_leaves_are_fine():
    item = {"c": {"M": {}}, "d": {"L": []}}
    assert up("remove c.x, d[3], nope delete c.y :a, zz :a", item, {":a": {"SS": ["a"]}}) == item


def test_number_limits_in_updates():
    with pytest.raises(DynamoDBError, match="Number overflow"):
        up("SET n = n + :big", {"n": {"N": "9E+125"}}, {":big": {"N": "9E+125"}})
    with pytest.raises(DynamoDBError, match="38 significant digits"):
        up("ADD n :tiny", {"n": {"N": "1E+20"}}, {":tiny": {"N": "1E-20"}})


def test_updates_cannot_nest_beyond_32_levels():
    deep = {"S": "x"}
    for _ in range(31):
        deep = {"M": {"m": deep}}
    item = {"a": deep}                       # 31 levels of maps
    path = "a" + ".m" * 30                   # the innermost map (a 32-element path)
    # the attribute is level 1 (as AWS counts): n is level 32, the deepest a
    # value may be, so n may be a number or an empty list but not hold anything
    values = {":l1": {"N": "1"}, ":l0": {"L": []}, ":l2": {"L": [{"N": "1"}]}}
    assert up(f"SET {path}.n = :l1", item, values)["a"] != item["a"]  # level 32: fine
    assert up(f"SET {path}.n = :l0", item, values)["a"] != item["a"]  # empty: fine
    with pytest.raises(DynamoDBError, match="^Nesting Levels have exceeded supported limits"):
        up(f"SET {path}.n = :l2", item, values)                       # its member: level 33


def test_update_targets():
    u = parse_update("SET a.b = :1, c = :1 REMOVE d[0] ADD e :1", Expressions(values=VALUES))
    assert update_targets(u) == {"a", "c", "d", "e"}


def test_project():
    assert project(parse_projection("id, m.a.b, l[2].x, l[0], nope"), ITEM) == {
        "id": {"S": "k1"}, "m": {"M": {"a": {"M": {"b": {"S": "deep"}}}}},
        "l": {"L": [{"N": "1"}, {"M": {"x": {"N": "3"}}}]}}
    assert project(parse_projection("nope"), ITEM) == {}
    out = project(parse_projection("m"), ITEM)
    out["m"]["M"]["e"]["S"] = "changed"
    assert ITEM["m"]["M"]["e"] == {"S": ""}


# -- key conditions -------------------------------------------------------------

KV = {":h": {"S": "u"}, ":n1": {"N": "1"}, ":n5": {"N": "5"}, ":p": {"S": "ab"},
      ":bp": {"B": "AA=="}}


def kc(text, types=None, range_key="r"):
    return parse_key_condition(text, Expressions(values=KV), "h", range_key, types)


@pytest.mark.parametrize("text,op", [
    ("h = :h", None), ("h = :h AND r = :n1", "="), ("r < :n1 AND h = :h", "<"),
    ("h = :h AND :n1 < r", ">"), ("h = :h AND r BETWEEN :n1 AND :n5", "BETWEEN"),
    ("h = :h AND begins_with(r, :p)", "begins_with"), ("(h = :h) AND (r >= :n1)", ">="),
])
def test_key_conditions(text, op):
    k = kc(text)
    assert k.hash_value == {"S": "u"} and k.range_op == op


@pytest.mark.parametrize("text,message", [
    ("h = :h OR r = :n1", "Invalid operator used in KeyConditionExpression: OR"),
    ("NOT h = :h", "Invalid operator used in KeyConditionExpression: NOT"),
    ("h IN (:h)", "Invalid operator used in KeyConditionExpression: IN"),
    ("h <> :h", "Invalid operator used in KeyConditionExpression: <>"),
    ("h = :h AND attribute_exists(r)", "Invalid operator used in KeyConditionExpression: attribute_exists"),
    ("r = :n1", "Query condition missed key schema element: h"),
    ("h > :h", "Query key condition not supported"),
    ("h = :h AND x2 = :n1", "Query condition missed key schema element: r"),
    ("h = :h AND r > :n1 AND r < :n5", "KeyConditionExpressions must only contain one condition per key"),
    ("h = :h AND h = :h", "KeyConditionExpressions must only contain one condition per key"),
    ("h.x = :h", "KeyConditionExpressions cannot have conditions on nested attributes"),
    ("h = :h AND r BETWEEN :n5 AND :n1", "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"),
    ("h = :h AND begins_with(r, :n1)", "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
])
def test_key_condition_errors(text, message):
    with pytest.raises(DynamoDBError) as e:
        kc(text)
    assert e.value.message == message


def test_key_condition_on_hash_only_table():
    with pytest.raises(DynamoDBError, match="^Query key condition not supported$"):
        kc("h = :h AND x2 = :n1", range_key=None)
    assert kc("h = :h", range_key=None).range_name is None


def test_key_condition_types():
    with pytest.raises(DynamoDBError, match="Condition parameter type does not match schema type"):
        kc("h = :n1", {"h": "S"})
    with pytest.raises(DynamoDBError, match="Condition parameter type does not match schema type"):
        kc("h = :h AND begins_with(r, :p)", {"h": "S", "r": "B"})
    kc("h = :h AND begins_with(r, :bp)", {"h": "S", "r": "B"})


def test_key_condition_matches_and_bounds():
    from sortedcontainers import SortedList

    from dynamo_lab.dynamodb.model.types import sort_key
    keys = [{"N": str(i)} for i in (-3, 0, 1, 2, 5, 7, 11)]
    ordered = SortedList(keys, key=sort_key)
    for text in ("h = :h", "h = :h AND r = :n1", "h = :h AND r < :n5", "h = :h AND r <= :n5",
                 "h = :h AND r > :n1", "h = :h AND r >= :n1", "h = :h AND r BETWEEN :n1 AND :n5"):
        k = kc(text)
        lo, lo_inc, hi, hi_inc = k.bounds()
        picked = list(ordered.irange_key(lo, hi, (lo_inc, hi_inc)))
        assert picked == [v for v in keys if k.matches(v)], text
    strings = SortedList([{"S": s} for s in ("a", "ab", "abc", "abd", "b", "B")], key=sort_key)
    k = kc("h = :h AND begins_with(r, :p)")
    lo, lo_inc, hi, hi_inc = k.bounds()
    got = []
    for v in strings.irange_key(lo, hi, (lo_inc, hi_inc)):
        if not k.matches(v):
            break
        got.append(v["S"])
    assert got == ["ab", "abc", "abd"]
