"""Item semantics: which updates create an item, what ``ReturnValues`` gives
back when an update changes nothing or meets no item, and what a query of
a secondary index returns and costs when it asks for attributes the index
does not project.

Sources: UpdateItem's ReturnValues
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html);
that an update which only removes attributes creates no item, while an
empty update does: ScyllaDB Alternator's test_item.py
(test_update_item_non_existent, checked against DynamoDB; scylladb issue
5862); Query's Select and local secondary index fetches
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html#DDB-Query-request-Select,
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html,
"Provisioned throughput considerations": a fetch reads the whole item,
rounded up to 4 KB, from the table).
"""
import pytest
from ddb_support import make_table

RETURN_VALUES = ["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"]


def _get(client, table, key):
    return client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


SS = {":s": {"SS": ["x"]}}


@pytest.mark.parametrize("update,left", [
    ({"UpdateExpression": "REMOVE a, b"}, {"s": {"SS": ["x", "y"]}}),
    ({"UpdateExpression": "DELETE s :s", "ExpressionAttributeValues": SS},
     {"a": {"N": "1"}, "s": {"SS": ["y"]}}),
    ({"UpdateExpression": "REMOVE a DELETE s :s", "ExpressionAttributeValues": SS},
     {"s": {"SS": ["y"]}}),
    ({"AttributeUpdates": {"a": {"Action": "DELETE"}}}, {"s": {"SS": ["x", "y"]}}),
    ({"AttributeUpdates": {"s": {"Action": "DELETE", "Value": {"SS": ["x"]}}}},
     {"a": {"N": "1"}, "s": {"SS": ["y"]}}),
])
def test_an_update_that_only_removes_creates_no_item(client, table, update, left):
    for rv in RETURN_VALUES:
        key = {"pk": {"S": f"missing-{rv}"}}
        resp = client.update_item(TableName=table, Key=key, ReturnValues=rv, **update)
        assert "Attributes" not in resp
        assert _get(client, table, key) is None
    # On an existing item the same update is an ordinary write.
    key = {"pk": {"S": "there"}}
    client.put_item(TableName=table, Item={**key, "a": {"N": "1"}, "s": {"SS": ["x", "y"]}})
    resp = client.update_item(TableName=table, Key=key, ReturnValues="ALL_NEW", **update)
    assert resp["Attributes"] == {**key, **left} == _get(client, table, key)


def test_an_update_that_sets_or_does_nothing_creates_the_item(client, table):
    key = {"pk": {"S": "empty"}}
    assert client.update_item(TableName=table, Key=key, ReturnValues="ALL_NEW")["Attributes"] == key
    assert _get(client, table, key) == key
    key = {"pk": {"S": "mixed"}}
    resp = client.update_item(TableName=table, Key=key, UpdateExpression="REMOVE a SET b = :b",
                              ExpressionAttributeValues={":b": {"N": "2"}}, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == {**key, "b": {"N": "2"}}


def test_return_values_when_the_item_did_not_exist(client, table):
    got = {}
    for rv in RETURN_VALUES:
        key = {"pk": {"S": f"new-{rv}"}}
        resp = client.update_item(TableName=table, Key=key, UpdateExpression="SET a = :a",
                                  ExpressionAttributeValues={":a": {"S": "v"}}, ReturnValues=rv)
        got[rv] = resp.get("Attributes")
    assert got == {"NONE": None, "ALL_OLD": None,
                   "ALL_NEW": {"pk": {"S": "new-ALL_NEW"}, "a": {"S": "v"}},
                   "UPDATED_OLD": None, "UPDATED_NEW": {"a": {"S": "v"}}}


def test_return_values_when_the_update_changes_nothing(client, table):
    key = {"pk": {"S": "same"}}
    item = {**key, "a": {"S": "v"}}
    client.put_item(TableName=table, Item=item)
    got = {}
    for rv in RETURN_VALUES:
        resp = client.update_item(TableName=table, Key=key, UpdateExpression="SET a = :a",
                                  ExpressionAttributeValues={":a": {"S": "v"}}, ReturnValues=rv)
        got[rv] = resp.get("Attributes")
    # UPDATED_* name the attributes the update wrote, even to the same value.
    assert got == {"NONE": None, "ALL_OLD": item, "ALL_NEW": item,
                   "UPDATED_OLD": {"a": {"S": "v"}}, "UPDATED_NEW": {"a": {"S": "v"}}}
    got = {rv: client.update_item(TableName=table, Key=key, UpdateExpression="REMOVE absent",
                                  ReturnValues=rv).get("Attributes") for rv in RETURN_VALUES}
    assert got == {"NONE": None, "ALL_OLD": item, "ALL_NEW": item,
                   "UPDATED_OLD": None, "UPDATED_NEW": None}


@pytest.fixture
def indexed(client):
    name = make_table(
        client, sk="sk", sk_type="N",
        more_attrs=[{"AttributeName": "l", "AttributeType": "S"},
                    {"AttributeName": "g", "AttributeType": "S"}],
        LocalSecondaryIndexes=[{
            "IndexName": "byL",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["inc"]}}],
        GlobalSecondaryIndexes=[{
            "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    for i in range(3):   # ~5 KB each: a fetch costs 2 x 4 KB, half that eventually consistent
        client.put_item(TableName=name, Item={
            "pk": {"S": "p"}, "sk": {"N": str(i)}, "l": {"S": f"l{i}"}, "g": {"S": "g"},
            "inc": {"S": "i"}, "big": {"S": "x" * 5000}})
    return name


def _lsi(client, table, **kw):
    return client.query(TableName=table, IndexName="byL", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": "p"}},
                         ReturnConsumedCapacity="INDEXES", **kw)


def test_an_lsi_returns_what_it_projects_and_fetches_the_rest(client, indexed):
    projected = _lsi(client, indexed)
    assert [sorted(i) for i in projected["Items"]] == [["inc", "l", "pk", "sk"]] * 3
    assert projected["ConsumedCapacity"]["Table"]["CapacityUnits"] == 0.0
    index_units = projected["ConsumedCapacity"]["LocalSecondaryIndexes"]["byL"]["CapacityUnits"]
    whole = _lsi(client, indexed, Select="ALL_ATTRIBUTES")
    assert [sorted(i) for i in whole["Items"]] == [["big", "g", "inc", "l", "pk", "sk"]] * 3
    cc = whole["ConsumedCapacity"]
    assert cc["LocalSecondaryIndexes"]["byL"]["CapacityUnits"] == index_units
    assert cc["Table"]["CapacityUnits"] == 3 * 1.0          # 3 fetches of 2 x 4 KB, / 2
    asked = _lsi(client, indexed, ProjectionExpression="sk, big")
    assert [sorted(i) for i in asked["Items"]] == [["big", "sk"]] * 3
    assert asked["ConsumedCapacity"]["Table"]["CapacityUnits"] == 3.0
    only_projected = _lsi(client, indexed, ProjectionExpression="sk, inc")
    assert only_projected["ConsumedCapacity"]["Table"]["CapacityUnits"] == 0.0


def test_a_gsi_never_fetches(client, indexed):
    resp = client.query(TableName=indexed, IndexName="byG", KeyConditionExpression="g = :g",
                        ExpressionAttributeValues={":g": {"S": "g"}})
    assert [sorted(i) for i in resp["Items"]] == [["g", "pk", "sk"]] * 3
    with pytest.raises(client.exceptions.ClientError) as e:
        client.query(TableName=indexed, IndexName="byG", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "g"}}, Select="ALL_ATTRIBUTES")
    assert e.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is "
                   "not supported for global secondary index byG because its projection type "
                   "is not ALL"}
