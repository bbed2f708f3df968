"""The legacy parameters (Expected, QueryFilter, ScanFilter, KeyConditions,
ConditionalOperator) and their mixing with expressions: what DynamoDB
refuses, in its words, before it reads anything.

Sources: API reference, Condition and ExpectedAttributeValue
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html,
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExpectedAttributeValue.html),
Query's QueryFilter ("does not allow key attributes",
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html);
the exact messages and the mixing lists' order as DynamoDB answers them:
dynalite's tests (architect/dynalite test/query.js, scan.js, updateItem.js,
deleteItem.js), and ExtendDB's conformance tests run against AWS
(ConditionalOperator rules; KeyConditions accepted beside a FilterExpression
or ProjectionExpression).
"""
import pytest
from botocore.exceptions import ClientError
from ddb_support import error_of, make_table

INVALID = "One or more parameter values were invalid: "
MIX = "Can not use both expression and non-expression parameters in the same request: "
ITEM = {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "x"}, "y": {"S": "y"}}
KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}


def _eq(v="x"):
    return {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": v}]}


PK = {"pk": _eq("a")}


@pytest.fixture(scope="module")
def vtable(backend):
    name = make_table(backend.client, sk="sk", sk_type="N")
    backend.client.put_item(TableName=name, Item=ITEM)
    return name


def _refused(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return error_of(e)


@pytest.mark.parametrize("op,args", [
    ("EQ", []), ("NE", [{"S": "a"}, {"S": "b"}]), ("LT", []), ("BEGINS_WITH", []),
    ("CONTAINS", [{"S": "a"}, {"S": "b"}]), ("NULL", [{"S": "a"}]), ("NOT_NULL", [{"S": "a"}]),
    ("BETWEEN", [{"N": "1"}]), ("BETWEEN", [{"N": "1"}] * 3), ("IN", []),
])
def test_each_operator_takes_its_number_of_values(client, vtable, op, args):
    cond = {"ComparisonOperator": op, "AttributeValueList": args}
    assert _refused(client.scan, TableName=vtable, ScanFilter={"x": cond}) == (
        "ValidationException", INVALID + f"Invalid number of argument(s) for the {op} "
        "ComparisonOperator")


@pytest.mark.parametrize("op,value,tname", [
    ("LT", {"SS": ["a"]}, "SS"), ("GE", {"BOOL": True}, "BOOL"), ("BETWEEN", {"L": []}, "L"),
    ("IN", {"M": {}}, "M"), ("BEGINS_WITH", {"N": "1"}, "N"), ("CONTAINS", {"NS": ["1"]}, "NS"),
])
def test_each_operator_takes_its_types(client, vtable, op, value, tname):
    values = [value, value] if op == "BETWEEN" else [value]
    assert _refused(client.scan, TableName=vtable, ScanFilter={
        "x": {"ComparisonOperator": op, "AttributeValueList": values}}) == (
        "ValidationException", INVALID + f"ComparisonOperator {op} is not valid for {tname} "
        "AttributeValue type")


def test_values_of_two_types_and_a_reversed_between_are_refused(client, vtable):
    assert _refused(client.delete_item, TableName=vtable, Key=KEY, Expected={
        "x": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "b"}, {"N": "1"}]}}) == (
        "ValidationException", INVALID + "AttributeValues inside AttributeValueList must be of "
        "same type")
    assert _refused(client.query, TableName=vtable, KeyConditions={
        **PK, "sk": {"ComparisonOperator": "BETWEEN",
                     "AttributeValueList": [{"N": "5"}, {"N": "1"}]}}) == (
        "ValidationException", "The BETWEEN condition was provided a range where the lower bound "
        "is greater than the upper bound")
    assert client.get_item(TableName=vtable, Key=KEY, ConsistentRead=True)["Item"] == ITEM


@pytest.mark.parametrize("entry,message", [
    ({}, "Value must be provided when Exists is null for Attribute: x"),
    ({"Exists": True}, "Value must be provided when Exists is true for Attribute: x"),
    ({"Exists": False, "Value": {"S": "x"}},
     "Value cannot be used when Exists is false for Attribute: x"),
    ({"Exists": False, "ComparisonOperator": "NULL"},
     "Exists and ComparisonOperator cannot be used together for Attribute: x"),
    ({"Value": {"S": "x"}, "ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]},
     "Value and AttributeValueList cannot be used together for Attribute: x"),
])
def test_expected_entries_empty_or_contradictory_are_refused(client, vtable, entry, message):
    assert _refused(client.put_item, TableName=vtable, Item={**KEY, "z": {"S": "new"}},
                    Expected={"x": entry}) == ("ValidationException", INVALID + message)
    assert client.get_item(TableName=vtable, Key=KEY, ConsistentRead=True)["Item"] == ITEM


def test_conditional_operator_needs_a_map_of_two_or_more(client, vtable):
    without = ("ValidationException", "ConditionalOperator cannot be used without Filter or "
               "Expected")
    one = ("ValidationException", "ConditionalOperator can only be used when Filter or "
           "Expected has two or more elements")
    assert _refused(client.scan, TableName=vtable, ConditionalOperator="AND") == without
    assert _refused(client.scan, TableName=vtable, ConditionalOperator="OR", ScanFilter={}) == without
    assert _refused(client.put_item, TableName=vtable, Item=ITEM, ConditionalOperator="OR") == without
    # KeyConditions is not the map it joins, and the rule comes first.
    assert _refused(client.query, TableName=vtable, KeyConditions=PK,
                    ConditionalOperator="AND") == without
    assert _refused(client.query, TableName=vtable, ConditionalOperator="AND") == without
    assert _refused(client.scan, TableName=vtable, ConditionalOperator="AND",
                    ScanFilter={"x": _eq()}) == one
    assert _refused(client.update_item, TableName=vtable, Key=KEY, ConditionalOperator="OR",
                    Expected={"x": _eq()}) == one
    # Two or more: accepted, and OR means OR.
    resp = client.scan(TableName=vtable, ConditionalOperator="OR",
                       ScanFilter={"x": _eq("nope"), "y": _eq("y")})
    assert resp["Count"] == 1


def test_query_filter_may_not_name_a_key_attribute(client, vtable):
    for attr in ("pk", "sk"):
        assert _refused(client.query, TableName=vtable, KeyConditions=PK,
                        QueryFilter={attr: {"ComparisonOperator": "NOT_NULL"}}) == (
            "ValidationException", "QueryFilter can only contain non-primary key attributes: "
            f"Primary key attribute: {attr}")


@pytest.mark.parametrize("call,params,legacy,expr", [
    ("scan", {"AttributesToGet": ["x"], "ScanFilter": {"x": _eq()}, "ConditionalOperator": "AND",
              "FilterExpression": "x = :v", "ProjectionExpression": "y",
              "Select": "SPECIFIC_ATTRIBUTES"},
     "AttributesToGet, ScanFilter, ConditionalOperator", "ProjectionExpression, FilterExpression"),
    ("query", {"KeyConditions": PK, "QueryFilter": {"x": _eq()}, "ConditionalOperator": "AND",
               "KeyConditionExpression": "pk = :p", "FilterExpression": "x = :v",
               "ProjectionExpression": "y"},
     "QueryFilter, ConditionalOperator, KeyConditions",
     "ProjectionExpression, FilterExpression, KeyConditionExpression"),
    ("query", {"AttributesToGet": ["x"], "KeyConditions": PK, "FilterExpression": "x = :v"},
     "AttributesToGet", "FilterExpression"),
    ("update_item", {"Key": KEY, "AttributeUpdates": {"x": {"Action": "PUT", "Value": {"S": "v"}}},
                     "Expected": {"x": _eq()}, "ConditionalOperator": "AND",
                     "UpdateExpression": "SET x = :v", "ConditionExpression": "attribute_exists(pk)"},
     "AttributeUpdates, Expected, ConditionalOperator", "UpdateExpression, ConditionExpression"),
    ("put_item", {"Item": ITEM, "Expected": {"x": _eq()}, "ConditionalOperator": "AND",
                  "ConditionExpression": "attribute_exists(pk)"},
     "Expected, ConditionalOperator", "ConditionExpression"),
    ("get_item", {"Key": KEY, "AttributesToGet": ["x"], "ProjectionExpression": "y"},
     "AttributesToGet", "ProjectionExpression"),
])
def test_mixing_names_exactly_the_parameters_mixed(client, vtable, call, params, legacy, expr):
    values = {}
    if "FilterExpression" in params or "UpdateExpression" in params:
        values[":v"] = {"S": "x"}
    if "KeyConditionExpression" in params:
        values[":p"] = {"S": "a"}
    if values:
        params = {**params, "ExpressionAttributeValues": values}
    assert _refused(getattr(client, call), TableName=vtable, **params) == (
        "ValidationException", MIX + f"Non-expression parameters: {{{legacy}}} "
        f"Expression parameters: {{{expr}}}")


def test_key_conditions_go_with_expressions(client, vtable):
    resp = client.query(TableName=vtable, KeyConditions=PK, ProjectionExpression="x")
    assert resp["Items"] == [{"x": {"S": "x"}}]
    resp = client.query(TableName=vtable, KeyConditions=PK, FilterExpression="y = :y",
                        ExpressionAttributeValues={":y": {"S": "y"}})
    assert resp["Count"] == 1


def test_query_values_without_expressions_are_refused(client, vtable):
    assert _refused(client.query, TableName=vtable, KeyConditions=PK,
                    ExpressionAttributeValues={":v": {"S": "x"}}) == (
        "ValidationException", "ExpressionAttributeValues can only be specified when using "
        "expressions: FilterExpression and KeyConditionExpression are null")
