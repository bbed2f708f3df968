"""PutItem, GetItem, UpdateItem, DeleteItem with plain boto3: values, return
values, conditions, update expressions, and their exact errors."""
from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from ddb_support import error_of, make_table, unique


def test_put_get_roundtrip_every_type(client, table):
    item = {
        "pk": {"S": "k1"},
        "s": {"S": "héllo"}, "n": {"N": "-12.50"}, "b": {"B": b"\x00\x01\xff"},
        "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"x", b"y"]},
        "bool": {"BOOL": False}, "null": {"NULL": True},
        "l": {"L": [{"S": "x"}, {"N": "1"}, {"L": []}]},
        "m": {"M": {"inner": {"M": {"deep": {"S": "v"}}}, "e": {"S": ""}}},
        "empty": {"S": ""},
    }
    client.put_item(TableName=table, Item=item)
    got = client.get_item(TableName=table, Key={"pk": {"S": "k1"}}, ConsistentRead=True)["Item"]
    assert got["s"] == {"S": "héllo"}
    assert got["n"] == {"N": "-12.5"}            # DynamoDB normalises numbers
    assert got["b"] == {"B": b"\x00\x01\xff"}
    assert sorted(got["ss"]["SS"]) == ["a", "b"]
    assert sorted(got["ns"]["NS"], key=float) == ["1", "2.5"]
    assert sorted(got["bs"]["BS"]) == [b"x", b"y"]
    assert got["bool"] == {"BOOL": False} and got["null"] == {"NULL": True}
    assert got["l"] == item["l"] and got["m"] == item["m"] and got["empty"] == {"S": ""}


def test_get_missing_item_has_no_item_key(client, table):
    resp = client.get_item(TableName=table, Key={"pk": {"S": "absent"}})
    assert "Item" not in resp


def test_number_normalisation_and_precision(client, table):
    for raw, want in [("0010", "10"), ("1.500", "1.5"), ("-0", "0"), ("1e3", "1000"),
                      ("0.000001", "0.000001"), ("12345678901234567890123456789012345678",
                                                 "12345678901234567890123456789012345678")]:
        client.put_item(TableName=table, Item={"pk": {"S": raw}, "n": {"N": raw}})
        got = client.get_item(TableName=table, Key={"pk": {"S": raw}})["Item"]["n"]["N"]
        assert got == want, raw


def test_number_too_precise_is_rejected(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "x"}, "n": {"N": "1" * 39}})
    assert error_of(e) == ("ValidationException",
                           "Attempting to store more than 38 significant digits in a Number")


def test_number_out_of_range_is_rejected(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "x"}, "n": {"N": "1e126"}})
    assert error_of(e) == ("ValidationException", "Number overflow. Attempting to store a "
                           "number with magnitude larger than supported range")


def test_resource_decimal_and_sets(resource, client, table):
    t = resource.Table(table)
    t.put_item(Item={"pk": "r", "price": Decimal("19.99"), "tags": {"a", "b"}, "nums": {1, 2}})
    got = t.get_item(Key={"pk": "r"})["Item"]
    assert got == {"pk": "r", "price": Decimal("19.99"), "tags": {"a", "b"},
                   "nums": {Decimal(1), Decimal(2)}}


def test_put_return_values_all_old(client, table):
    key = {"pk": {"S": "rv"}}
    first = client.put_item(TableName=table, Item={**key, "v": {"N": "1"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in first
    second = client.put_item(TableName=table, Item={**key, "v": {"N": "2"}}, ReturnValues="ALL_OLD")
    assert second["Attributes"] == {**key, "v": {"N": "1"}}


def test_put_return_values_invalid(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "x"}}, ReturnValues="UPDATED_NEW")
    assert error_of(e) == ("ValidationException", "ReturnValues can only be ALL_OLD or NONE")


def test_missing_key_in_item(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"other": {"S": "x"}})
    assert error_of(e) == ("ValidationException",
                           "One or more parameter values were invalid: Missing the key pk in the item")


def test_key_type_mismatch(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"N": "1"}})
    assert error_of(e) == ("ValidationException", "One or more parameter values were invalid: "
                           "Type mismatch for key pk expected: S actual: N")


def test_empty_string_key(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": ""}})
    assert error_of(e) == ("ValidationException", "One or more parameter values are not valid. "
                           "The AttributeValue for a key attribute cannot contain an empty "
                           "string value. Key: pk")


def test_get_key_does_not_match_schema(client, table):
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=table, Key={"pk": {"S": "a"}, "extra": {"S": "b"}})
    assert error_of(e) == ("ValidationException",
                           "The provided key element does not match the schema")
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=table, Key={"nope": {"S": "a"}})
    assert error_of(e) == ("ValidationException",
                           "The provided key element does not match the schema")


def test_item_ops_on_missing_table(client):
    name = unique("missing")
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=name, Key={"pk": {"S": "a"}})
    code, msg = error_of(e)
    assert code == "ResourceNotFoundException"
    assert msg.startswith("Requested resource not found")
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=name, Item={"pk": {"S": "a"}})
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_item_size_limit_400kb(client, table):
    # Item size = UTF-8 bytes of attribute names + values: 2 + 1 + 1 + n.
    limit = 400 * 1024
    fill = limit - len("pk") - len("a") - len("d")
    client.put_item(TableName=table, Item={"pk": {"S": "a"}, "d": {"S": "x" * fill}})
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "a"}, "d": {"S": "x" * (fill + 1)}})
    assert error_of(e) == ("ValidationException", "Item size has exceeded the maximum allowed size")


def test_update_grow_past_400kb(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "g"}, "d": {"S": "x" * 300_000}})
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key={"pk": {"S": "g"}}, UpdateExpression="SET e = :v",
                           ExpressionAttributeValues={":v": {"S": "y" * 200_000}})
    assert error_of(e) == ("ValidationException",
                           "Item size to update has exceeded the maximum allowed size")


def test_conditional_put(client, table):
    key = {"pk": {"S": "c"}}
    client.put_item(TableName=table, Item=key, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item=key, ConditionExpression="attribute_not_exists(pk)")
    assert error_of(e) == ("ConditionalCheckFailedException", "The conditional request failed")


def test_condition_failure_returns_old_item(client, table):
    item = {"pk": {"S": "c"}, "v": {"N": "1"}}
    client.put_item(TableName=table, Item=item)
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item=item, ConditionExpression="v = :two",
                        ExpressionAttributeValues={":two": {"N": "2"}},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert e.value.response["Item"] == item


def test_update_expression_actions(client, table):
    key = {"pk": {"S": "u"}}
    client.put_item(TableName=table, Item={**key, "n": {"N": "1"}, "gone": {"S": "x"},
                                           "s": {"SS": ["a", "b"]}, "l": {"L": [{"N": "1"}]}})
    resp = client.update_item(
        TableName=table, Key=key,
        UpdateExpression="SET n = n + :one, l = list_append(l, :more), #new = if_not_exists(#new, :d) "
                         "REMOVE gone ADD cnt :one DELETE s :a",
        ExpressionAttributeNames={"#new": "new"},
        ExpressionAttributeValues={":one": {"N": "1"}, ":more": {"L": [{"N": "2"}]},
                                   ":d": {"S": "default"}, ":a": {"SS": ["a"]}},
        ReturnValues="ALL_NEW")
    assert resp["Attributes"] == {**key, "n": {"N": "2"}, "s": {"SS": ["b"]}, "cnt": {"N": "1"},
                                  "l": {"L": [{"N": "1"}, {"N": "2"}]}, "new": {"S": "default"}}


@pytest.mark.parametrize("rv,want", [
    ("NONE", None),
    ("ALL_OLD", {"pk": {"S": "r"}, "a": {"N": "1"}, "b": {"N": "1"}}),
    ("UPDATED_OLD", {"a": {"N": "1"}}),
    ("ALL_NEW", {"pk": {"S": "r"}, "a": {"N": "5"}, "b": {"N": "1"}}),
    ("UPDATED_NEW", {"a": {"N": "5"}}),
])
def test_update_return_values(client, table, rv, want):
    key = {"pk": {"S": "r"}}
    client.put_item(TableName=table, Item={**key, "a": {"N": "1"}, "b": {"N": "1"}})
    resp = client.update_item(TableName=table, Key=key, UpdateExpression="SET a = :v",
                              ExpressionAttributeValues={":v": {"N": "5"}}, ReturnValues=rv)
    assert resp.get("Attributes") == want


def test_update_creates_item(client, table):
    key = {"pk": {"S": "new"}}
    client.update_item(TableName=table, Key=key, UpdateExpression="ADD hits :one",
                       ExpressionAttributeValues={":one": {"N": "1"}})
    assert client.get_item(TableName=table, Key=key)["Item"] == {**key, "hits": {"N": "1"}}


def test_update_nested_paths(client, table):
    key = {"pk": {"S": "nest"}}
    client.put_item(TableName=table, Item={**key, "m": {"M": {"a": {"L": [{"N": "1"}, {"N": "2"}]}}}})
    resp = client.update_item(TableName=table, Key=key,
                              UpdateExpression="SET m.a[1] = :x, m.b = :y REMOVE m.a[0]",
                              ExpressionAttributeValues={":x": {"N": "9"}, ":y": {"S": "new"}},
                              ReturnValues="ALL_NEW")
    assert resp["Attributes"]["m"] == {"M": {"a": {"L": [{"N": "9"}]}, "b": {"S": "new"}}}


def test_update_key_attribute_is_rejected(client, table):
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression="SET pk = :v",
                           ExpressionAttributeValues={":v": {"S": "b"}})
    assert error_of(e) == ("ValidationException", "One or more parameter values were invalid: "
                           "Cannot update attribute pk. This attribute is part of the key")


def test_update_overlapping_paths(client, table):
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key={"pk": {"S": "a"}},
                           UpdateExpression="SET a = :v REMOVE a",
                           ExpressionAttributeValues={":v": {"S": "b"}})
    assert error_of(e) == ("ValidationException", "Invalid UpdateExpression: Two document paths "
                           "overlap with each other; must remove or rewrite one of these paths; "
                           "path one: [a], path two: [a]")


def test_update_wrong_operand_type(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "t"}, "s": {"S": "text"}})
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key={"pk": {"S": "t"}}, UpdateExpression="ADD s :one",
                           ExpressionAttributeValues={":one": {"N": "1"}})
    assert error_of(e) == ("ValidationException",
                           "An operand in the update expression has an incorrect data type")


def test_update_syntax_error(client, table):
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression="SET a")
    code, msg = error_of(e)
    assert code == "ValidationException"
    assert msg.startswith("Invalid UpdateExpression: Syntax error; token: ")


def test_undefined_expression_value(client, table):
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression="SET a = :v")
    assert error_of(e) == ("ValidationException", "Invalid UpdateExpression: An expression "
                           "attribute value used in expression is not defined; attribute value: :v")


def test_undefined_expression_name(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "a"}},
                        ConditionExpression="attribute_exists(#n)")
    assert error_of(e) == ("ValidationException", "Invalid ConditionExpression: An expression "
                           "attribute name used in the document path is not defined; "
                           "attribute name: #n")


def test_unused_expression_values_and_names(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "a"}},
                        ConditionExpression="attribute_not_exists(pk)",
                        ExpressionAttributeValues={":x": {"S": "1"}})
    assert error_of(e) == ("ValidationException", "Value provided in ExpressionAttributeValues "
                           "unused in expressions: keys: {:x}")
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "a"}},
                        ExpressionAttributeValues={":x": {"S": "1"}})
    assert error_of(e) == ("ValidationException", "ExpressionAttributeValues can only be "
                           "specified when using expressions: ConditionExpression is null")
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=table, Key={"pk": {"S": "a"}},
                        ProjectionExpression="pk", ExpressionAttributeNames={"#x": "x"})
    assert error_of(e) == ("ValidationException", "Value provided in ExpressionAttributeNames "
                           "unused in expressions: keys: {#x}")


def test_empty_expression_attribute_values(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "a"}},
                        ConditionExpression="attribute_not_exists(pk)",
                        ExpressionAttributeValues={})
    assert error_of(e) == ("ValidationException", "ExpressionAttributeValues must not be empty")


def test_reserved_word_needs_a_name(client, table):
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=table, Key={"pk": {"S": "a"}}, ProjectionExpression="name")
    assert error_of(e) == ("ValidationException", "Invalid ProjectionExpression: Attribute name "
                           "is a reserved keyword; reserved keyword: name")


def test_projection_expression(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "p"}, "a": {"N": "1"}, "b": {"N": "2"},
                                           "m": {"M": {"x": {"N": "3"}, "y": {"N": "4"}}},
                                           "l": {"L": [{"S": "0"}, {"S": "1"}]}})
    got = client.get_item(TableName=table, Key={"pk": {"S": "p"}},
                          ProjectionExpression="a, m.x, l[1], #n",
                          ExpressionAttributeNames={"#n": "nothing"})["Item"]
    assert got == {"a": {"N": "1"}, "m": {"M": {"x": {"N": "3"}}}, "l": {"L": [{"S": "1"}]}}


def test_condition_functions(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "f"}, "s": {"S": "hello"},
                                           "ss": {"SS": ["x", "y"]}, "n": {"N": "5"}})
    ok = [
        "begins_with(s, :he)", "contains(s, :ell)", "contains(ss, :x)", "size(s) = :five",
        "attribute_type(n, :N)", "n BETWEEN :four AND :six", "n IN (:four, :five)",
        "NOT attribute_exists(nothere) AND (n > :four OR s = :he)", "n <> :four",
    ]
    values = {":he": {"S": "he"}, ":ell": {"S": "ell"}, ":x": {"S": "x"}, ":five": {"N": "5"},
              ":N": {"S": "N"}, ":four": {"N": "4"}, ":six": {"N": "6"}}
    for cond in ok:
        used = {k: v for k, v in values.items() if k in cond}
        client.put_item(TableName=table, Item={"pk": {"S": "f"}, "s": {"S": "hello"},
                                               "ss": {"SS": ["x", "y"]}, "n": {"N": "5"}},
                        ConditionExpression=cond, ExpressionAttributeValues=used)


def test_delete_item(client, table):
    key = {"pk": {"S": "d"}}
    client.put_item(TableName=table, Item={**key, "v": {"S": "x"}})
    with pytest.raises(ClientError) as e:
        client.delete_item(TableName=table, Key=key, ConditionExpression="v = :y",
                           ExpressionAttributeValues={":y": {"S": "y"}})
    assert error_of(e)[0] == "ConditionalCheckFailedException"
    resp = client.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    assert resp["Attributes"] == {**key, "v": {"S": "x"}}
    assert "Item" not in client.get_item(TableName=table, Key=key)
    # Deleting what is not there succeeds and returns nothing.
    assert "Attributes" not in client.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")


def test_resource_conditions(resource, client, table):
    t = resource.Table(table)
    t.put_item(Item={"pk": "rc", "n": 1})
    t.update_item(Key={"pk": "rc"}, UpdateExpression="SET n = n + :one",
                  ConditionExpression=Attr("n").lt(5) & Attr("pk").exists(),
                  ExpressionAttributeValues={":one": 1})
    with pytest.raises(ClientError) as e:
        t.put_item(Item={"pk": "rc"}, ConditionExpression=Attr("n").eq(1))
    assert error_of(e)[0] == "ConditionalCheckFailedException"
    assert t.get_item(Key={"pk": "rc"})["Item"]["n"] == 2


def test_return_consumed_capacity(client, table):
    resp = client.put_item(TableName=table, Item={"pk": {"S": "cc"}}, ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["TableName"] == table
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0
    resp = client.get_item(TableName=table, Key={"pk": {"S": "cc"}}, ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 0.5
    resp = client.get_item(TableName=table, Key={"pk": {"S": "cc"}}, ConsistentRead=True,
                           ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_composite_key_items(client):
    name = make_table(client, sk="sk", sk_type="N")
    client.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "one"}})
    client.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "2"}, "v": {"S": "two"}})
    got = client.get_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "2.0"}})["Item"]
    assert got["v"] == {"S": "two"}
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=name, Key={"pk": {"S": "a"}})
    assert error_of(e) == ("ValidationException",
                           "The provided key element does not match the schema")
