"""Legacy parameters and the request-level rules."""
import pytest

from dynamo_lab.dynamodb.errors import DynamoDBError
from dynamo_lab.dynamodb.model.expressions import (
    apply_update,
    attribute_updates,
    attributes_to_get,
    evaluate,
    expected_condition,
    filter_condition,
    key_conditions,
    project,
    request_expressions,
)

INVALID = "One or more parameter values were invalid: "
ITEM = {"h": {"S": "x"}, "n": {"N": "5"}, "s": {"S": "hello"}, "ss": {"SS": ["a", "b"]}}


def error(fn, *args, **kw):
    with pytest.raises(DynamoDBError) as e:
        fn(*args, **kw)
    return e.value.message


def f(op, *values):
    return {"x": {"ComparisonOperator": op, "AttributeValueList": list(values)}}


@pytest.mark.parametrize("attr,op,values,expected", [
    ("n", "EQ", [{"N": "5"}], True), ("n", "NE", [{"N": "5"}], False),
    ("nope", "NE", [{"N": "5"}], True), ("n", "LT", [{"N": "6"}], True),
    ("n", "LE", [{"N": "5"}], True), ("n", "GT", [{"N": "5"}], False),
    ("n", "GE", [{"N": "5"}], True), ("n", "NOT_NULL", [], True), ("nope", "NULL", [], True),
    ("n", "NULL", [], False), ("s", "CONTAINS", [{"S": "ell"}], True),
    ("ss", "CONTAINS", [{"S": "a"}], True), ("ss", "NOT_CONTAINS", [{"S": "z"}], True),
    ("nope", "NOT_CONTAINS", [{"S": "z"}], False), ("s", "BEGINS_WITH", [{"S": "he"}], True),
    ("n", "IN", [{"N": "1"}, {"N": "5"}], True), ("n", "BETWEEN", [{"N": "1"}, {"N": "4"}], False),
])
def test_filter_operators(attr, op, values, expected):
    cond = filter_condition({attr: {"ComparisonOperator": op, "AttributeValueList": values}})
    assert evaluate(cond, ITEM) is expected


def test_conditional_operator():
    conds = {"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]},
             "s": {"ComparisonOperator": "NOT_NULL"}}
    assert not evaluate(filter_condition(conds), ITEM)
    assert evaluate(filter_condition(conds, "OR"), ITEM)
    assert "Member must satisfy enum value set: [AND, OR]" in error(filter_condition, conds, "XOR")
    assert filter_condition({}) is None


@pytest.mark.parametrize("cond,message", [
    (f("EQ"), INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator"),
    (f("NULL", {"S": "a"}), INVALID + "Invalid number of argument(s) for the NULL ComparisonOperator"),
    (f("BETWEEN", {"S": "a"}), INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    (f("IN"), INVALID + "Invalid number of argument(s) for the IN ComparisonOperator"),
    (f("LT", {"BOOL": True}), INVALID + "ComparisonOperator LT is not valid for BOOL AttributeValue type"),
    (f("CONTAINS", {"SS": ["a"]}), INVALID + "ComparisonOperator CONTAINS is not valid for SS AttributeValue type"),
    (f("BEGINS_WITH", {"N": "1"}), INVALID + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"),
    (f("EQ", {}), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    (f("EQ", {"SS": []}), INVALID + "An string set  may not be empty"),
])
def test_filter_errors(cond, message):
    assert error(filter_condition, cond, None, "ScanFilter") == message


def test_filter_bad_operator_and_types():
    assert "Member must satisfy enum value set" in error(filter_condition, f("LIKE", {"S": "a"}))
    assert "Member must not be null" in error(filter_condition, {"x": {}})
    for bad in ([], {"x": []}, {"x": {"ComparisonOperator": 1}},
                {"x": {"ComparisonOperator": "EQ", "AttributeValueList": {"S": "a"}}}):
        with pytest.raises(DynamoDBError) as e:
            filter_condition(bad)
        assert e.value.code == "SerializationException"


def test_expected():
    assert evaluate(expected_condition({"n": {"Value": {"N": "5"}}}), ITEM)
    assert evaluate(expected_condition({"n": {"Value": {"N": "5"}, "Exists": True}}), ITEM)
    assert evaluate(expected_condition({"nope": {"Exists": False}}), ITEM)
    assert evaluate(expected_condition({"n": {"ComparisonOperator": "GT",
                                              "AttributeValueList": [{"N": "1"}]}}), ITEM)
    assert evaluate(expected_condition({"n": {"ComparisonOperator": "GT", "Value": {"N": "1"}}}), ITEM)
    assert not evaluate(expected_condition({"n": {"Exists": False}}), ITEM)
    assert error(expected_condition, {"a": {}}) == (
        INVALID + "Value must be provided when Exists is null for Attribute: a")
    assert error(expected_condition, {"a": {"Exists": False, "Value": {"S": "x"}}}) == (
        INVALID + "Value cannot be used when Exists is false for Attribute: a")
    assert error(expected_condition, {"a": {"Exists": True, "ComparisonOperator": "NULL"}}) == (
        INVALID + "Exists and ComparisonOperator cannot be used together for Attribute: a")
    assert error(expected_condition, {"a": {"AttributeValueList": []}}) == (
        INVALID + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a")
    assert error(expected_condition, {"a": {"ComparisonOperator": "EQ", "Value": {"S": "x"},
                                            "AttributeValueList": [{"S": "x"}]}}) == (
        INVALID + "Value and AttributeValueList cannot be used together for Attribute: a")


def test_key_conditions():
    kc = key_conditions({"h": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]},
                         "r": {"ComparisonOperator": "BETWEEN",
                               "AttributeValueList": [{"N": "1"}, {"N": "3"}]}}, "h", "r")
    assert kc.hash_value == {"S": "x"} and kc.range_op == "BETWEEN"
    assert error(key_conditions, {}, "h") == "Conditions can be of length 1 or 2 only"
    assert error(key_conditions, {"r": {"ComparisonOperator": "EQ",
                                        "AttributeValueList": [{"N": "1"}]}}, "h", "r") == (
        "Query condition missed key schema element: h")
    assert error(key_conditions, {"h": {"ComparisonOperator": "GT",
                                        "AttributeValueList": [{"S": "x"}]}}, "h") == (
        "Query key condition not supported")
    assert error(key_conditions, {"h": {"ComparisonOperator": "NOT_NULL"}}, "h") == (
        "Attempted conditional constraint is not an indexable operation")


def test_attributes_to_get():
    paths = attributes_to_get(["h", "a.b", "status"])
    assert project(paths, {"h": {"S": "x"}, "a.b": {"N": "1"}, "a": {"M": {"b": {"N": "2"}}},
                           "status": {"S": "ok"}}) == {
        "h": {"S": "x"}, "a.b": {"N": "1"}, "status": {"S": "ok"}}
    assert error(attributes_to_get, ["a", "a"]) == INVALID + "Duplicate value in attribute name: a"
    assert "Member must have length greater than or equal to 1" in error(attributes_to_get, [])


def test_attribute_updates():
    u = attribute_updates({"n": {"Action": "ADD", "Value": {"N": "1"}},
                           "ss": {"Action": "DELETE", "Value": {"SS": ["a"]}},
                           "s": {"Action": "DELETE"}, "new": {"Value": {"L": [{"S": "v"}]}},
                           "a.b": {"Action": "PUT", "Value": {"S": "dotted"}},
                           "l": {"Action": "ADD", "Value": {"L": [{"N": "2"}]}}})
    out = apply_update(u, {**ITEM, "l": {"L": [{"N": "1"}]}})
    assert out["n"] == {"N": "6"} and out["ss"] == {"SS": ["b"]} and "s" not in out
    assert out["new"] == {"L": [{"S": "v"}]} and out["a.b"] == {"S": "dotted"}
    assert out["l"] == {"L": [{"N": "1"}, {"N": "2"}]}
    assert error(attribute_updates, {"a": {"Action": "PUT"}}) == (
        INVALID + "Only DELETE action is allowed when no attribute value is specified")
    assert "enum value set: [ADD, PUT, DELETE]" in error(attribute_updates, {"a": {"Action": "X"}})
    assert error(attribute_updates, {"a": {"Action": "ADD", "Value": {"S": "x"}}}).startswith(INVALID)


# -- request-level ---------------------------------------------------------------

def test_mixing_is_refused():
    assert error(request_expressions, {"AttributesToGet": ["a"], "QueryFilter": {},
                                       "ProjectionExpression": "a",
                                       "FilterExpression": "a = :v"}, "Query", "h") == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet, QueryFilter} "
        "Expression parameters: {ProjectionExpression, FilterExpression}")


def test_placeholders_without_expressions():
    assert error(request_expressions, {"ExpressionAttributeNames": {"#a": "a"}}, "GetItem") == (
        "ExpressionAttributeNames can only be specified when using expressions")
    assert error(request_expressions, {"ExpressionAttributeValues": {":a": {"S": "a"}}}, "Scan") == (
        "ExpressionAttributeValues can only be specified when using expressions: "
        "FilterExpression is null")


def test_unused_across_expressions():
    params = {"UpdateExpression": "SET a = :a", "ConditionExpression": "attribute_exists(#k)",
              "ExpressionAttributeNames": {"#k": "k"},
              "ExpressionAttributeValues": {":a": {"N": "1"}, ":b": {"N": "2"}}}
    assert error(request_expressions, params, "UpdateItem") == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}")
    params["ConditionExpression"] = "attribute_exists(#k) AND b = :b"
    r = request_expressions(params, "UpdateItem")
    assert r.update is not None and r.condition is not None and r.filter is None


def test_query_request():
    r = request_expressions({"KeyConditionExpression": "#h = :h", "FilterExpression": "n > :n",
                             "ProjectionExpression": "n",
                             "ExpressionAttributeNames": {"#h": "h"},
                             "ExpressionAttributeValues": {":h": {"S": "x"}, ":n": {"N": "1"}}},
                            "Query", "h", None, {"h": "S"})
    assert r.key_condition.hash_value == {"S": "x"}
    assert evaluate(r.filter, ITEM) and [str(p) for p in r.projection] == ["n"]
    r = request_expressions({"KeyConditions": {"h": {"ComparisonOperator": "EQ",
                                                     "AttributeValueList": [{"S": "x"}]}},
                             "QueryFilter": {"n": {"ComparisonOperator": "NOT_NULL"}},
                             "AttributesToGet": ["n"]}, "Query", "h")
    assert r.key_condition.hash_value == {"S": "x"} and evaluate(r.filter, ITEM)
    with pytest.raises(DynamoDBError) as e:
        request_expressions("nope")
    assert e.value.code == "SerializationException"


@pytest.mark.parametrize("updates", [
    # recorded against DynamoDB (dynalite): b is SS, c is N, d is NS
    {"b": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
    {"b": {"Action": "DELETE", "Value": {"BS": ["YQ=="]}}},
    {"c": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
    {"b": {"Action": "ADD", "Value": {"NS": ["1"]}}},
    {"d": {"Action": "ADD", "Value": {"N": "1"}}},
])
def test_legacy_type_mismatch_wording(updates):
    item = {"b": {"SS": ["1"]}, "c": {"N": "1"}, "d": {"NS": ["1"]}}
    assert error(apply_update, attribute_updates(updates), item) == (
        "Type mismatch for attribute to update")


def test_mixing_lists_follow_each_operation():
    both = {"AttributesToGet": ["a"], "ConditionalOperator": "AND", "Expected": {},
            "AttributeUpdates": {}, "UpdateExpression": "SET a = :v",
            "ConditionExpression": "a = :v", "ProjectionExpression": "a"}
    assert error(request_expressions, both, "UpdateItem").endswith(
        "Non-expression parameters: {AttributeUpdates, Expected, ConditionalOperator} "
        "Expression parameters: {UpdateExpression, ConditionExpression}")
    assert error(request_expressions, both, "Get").endswith(
        "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
    # A Query's KeyConditions goes with expressions unless KeyConditionExpression is there too.
    kc = {"h": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}}
    r = request_expressions({"KeyConditions": kc, "ProjectionExpression": "a"}, "Query", "h")
    assert r.key_condition is not None and r.projection is not None
    assert error(request_expressions, {"KeyConditions": kc, "KeyConditionExpression": "h = :h"},
                 "Query", "h").endswith("Non-expression parameters: {KeyConditions} "
                                        "Expression parameters: {KeyConditionExpression}")


def test_conditional_operator_needs_its_map():
    cond = {"ComparisonOperator": "NULL"}
    assert error(request_expressions, {"ConditionalOperator": "OR"}, "PutItem") == (
        "ConditionalOperator cannot be used without Filter or Expected")
    assert error(request_expressions, {"ConditionalOperator": "OR", "ScanFilter": {"a": cond}},
                 "Scan") == ("ConditionalOperator can only be used when Filter or Expected has "
                             "two or more elements")
    assert "enum value set: [AND, OR]" in error(request_expressions,
                                                {"ConditionalOperator": "XOR"}, "Scan")
    r = request_expressions({"ConditionalOperator": "OR", "Expected": {"a": cond, "b": cond}},
                            "DeleteItem")
    assert type(r.condition).__name__ == "Or"


def test_legacy_values_of_one_type_and_bounds_in_order():
    assert error(filter_condition, {"a": {"ComparisonOperator": "IN", "AttributeValueList": [
        {"S": "x"}, {"N": "1"}]}}) == INVALID + "AttributeValues inside AttributeValueList must be of same type"
    assert error(filter_condition, {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [
        {"S": "b"}, {"S": "a"}]}}) == ("The BETWEEN condition was provided a range where the lower "
                                       "bound is greater than the upper bound")
