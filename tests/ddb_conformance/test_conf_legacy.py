"""The legacy (pre-expression) parameters, still accepted by DynamoDB:
KeyConditions, QueryFilter, ScanFilter, Expected, ConditionalOperator,
AttributesToGet, AttributeUpdates."""
import pytest
from botocore.exceptions import ClientError
from ddb_support import error_of


def _fill(client, table):
    for i in range(6):
        client.put_item(TableName=table, Item={"pk": {"S": "L"}, "sk": {"N": str(i)},
                                               "tag": {"S": "even" if i % 2 == 0 else "odd"},
                                               "n": {"N": str(i * 10)}})


def test_key_conditions(client, table_sk):
    _fill(client, table_sk)
    resp = client.query(TableName=table_sk, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "L"}]},
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "4"}]}})
    assert [i["sk"]["N"] for i in resp["Items"]] == ["1", "2", "3", "4"]


def test_query_filter_and_attributes_to_get(client, table_sk):
    _fill(client, table_sk)
    resp = client.query(
        TableName=table_sk,
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "L"}]}},
        QueryFilter={"tag": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "odd"}]},
                     "n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "15"}]}},
        ConditionalOperator="AND", AttributesToGet=["sk", "n"])
    assert resp["Items"] == [{"sk": {"N": "3"}, "n": {"N": "30"}},
                             {"sk": {"N": "5"}, "n": {"N": "50"}}]
    assert resp["ScannedCount"] == 6


def test_scan_filter_or(client, table_sk):
    _fill(client, table_sk)
    resp = client.scan(TableName=table_sk, ConditionalOperator="OR", ScanFilter={
        "n": {"ComparisonOperator": "LE", "AttributeValueList": [{"N": "10"}]},
        "sk": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "5"}]}})
    assert sorted(int(i["sk"]["N"]) for i in resp["Items"]) == [0, 1, 5]


@pytest.mark.parametrize("op,args,want", [
    ("NE", [{"S": "even"}], [1, 3, 5]),
    ("BEGINS_WITH", [{"S": "ev"}], [0, 2, 4]),
    ("CONTAINS", [{"S": "d"}], [1, 3, 5]),
    ("NOT_CONTAINS", [{"S": "d"}], [0, 2, 4]),
    ("NOT_NULL", [], [0, 1, 2, 3, 4, 5]),
    ("NULL", [], []),
])
def test_scan_filter_operators(client, table_sk, op, args, want):
    _fill(client, table_sk)
    cond = {"ComparisonOperator": op}
    if args:
        cond["AttributeValueList"] = args
    resp = client.scan(TableName=table_sk, ScanFilter={"tag": cond})
    assert sorted(int(i["sk"]["N"]) for i in resp["Items"]) == want


def test_expected(client, table):
    key = {"pk": {"S": "e"}}
    client.put_item(TableName=table, Item={**key, "v": {"N": "1"}},
                    Expected={"pk": {"Exists": False}})
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item=key, Expected={"pk": {"Exists": False}})
    assert error_of(e) == ("ConditionalCheckFailedException", "The conditional request failed")
    client.put_item(TableName=table, Item={**key, "v": {"N": "2"}},
                    Expected={"v": {"Value": {"N": "1"}}})
    client.delete_item(TableName=table, Key=key, ConditionalOperator="OR", Expected={
        "v": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "9"}]},
        "missing": {"ComparisonOperator": "NULL"}})
    assert "Item" not in client.get_item(TableName=table, Key=key)


def test_attribute_updates(client, table):
    key = {"pk": {"S": "au"}}
    client.put_item(TableName=table, Item={**key, "n": {"N": "5"}, "s": {"SS": ["a", "b"]},
                                           "gone": {"S": "x"}})
    resp = client.update_item(TableName=table, Key=key, ReturnValues="ALL_NEW", AttributeUpdates={
        "n": {"Action": "ADD", "Value": {"N": "3"}},
        "s": {"Action": "DELETE", "Value": {"SS": ["a"]}},
        "gone": {"Action": "DELETE"},
        "new": {"Action": "PUT", "Value": {"S": "hi"}}})
    assert resp["Attributes"] == {**key, "n": {"N": "8"}, "s": {"SS": ["b"]}, "new": {"S": "hi"}}


def test_get_item_attributes_to_get(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "g"}, "a": {"N": "1"}, "b": {"N": "2"}})
    got = client.get_item(TableName=table, Key={"pk": {"S": "g"}}, AttributesToGet=["b"])
    assert got["Item"] == {"b": {"N": "2"}}


def test_mixing_legacy_and_expressions(client, table):
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=table, Key={"pk": {"S": "g"}}, AttributesToGet=["b"],
                        ProjectionExpression="b")
    assert error_of(e) == ("ValidationException", "Can not use both expression and "
                           "non-expression parameters in the same request: Non-expression "
                           "parameters: {AttributesToGet} Expression parameters: "
                           "{ProjectionExpression}")
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "x"}},
                        Expected={"pk": {"Exists": False}},
                        ConditionExpression="attribute_not_exists(pk)")
    assert error_of(e) == ("ValidationException", "Can not use both expression and "
                           "non-expression parameters in the same request: Non-expression "
                           "parameters: {Expected} Expression parameters: {ConditionExpression}")
