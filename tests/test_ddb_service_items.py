"""Item operations through plain boto3: GetItem, PutItem, UpdateItem,
DeleteItem, ReturnValues, conditions, consumed capacity, limits, TTL."""
import pytest
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from dynamo_lab.dynamodb.service import DynamoDB, state_of

KS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]


@pytest.fixture
def ddb():
    svc = DynamoDB(seed=3)
    c = svc.client()
    c.create_table(TableName="Items", KeySchema=KS, AttributeDefinitions=AD,
                   BillingMode="PAY_PER_REQUEST")
    c.get_waiter("table_exists").wait(TableName="Items")
    yield svc
    assert state_of(svc).internal_errors == []


@pytest.fixture
def c(ddb):
    return ddb.client()


def err(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e["Message"]


def key(pk="a", sk="1"):
    return {"pk": {"S": pk}, "sk": {"N": sk}}


def snapshot(ddb):
    t = state_of(ddb).tables["Items"]
    return [dict(i) for _, i in t.store.scan_from(None)], t.size_bytes, len(ddb.log)


def test_put_get_delete_roundtrip(c):
    item = {**key(), "n": {"N": "01.50"}, "b": {"B": b"\x00\xff"}, "l": {"L": [{"NULL": True}]},
            "ss": {"SS": ["x", "y"]}}
    assert "Attributes" not in c.put_item(TableName="Items", Item=item)
    got = c.get_item(TableName="Items", Key=key(), ConsistentRead=True)["Item"]
    assert got["n"] == {"N": "1.5"} and got["b"] == {"B": b"\x00\xff"}
    assert c.get_item(TableName="Items", Key=key("zz"))["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "Item" not in c.get_item(TableName="Items", Key=key("zz"))
    old = c.delete_item(TableName="Items", Key=key(), ReturnValues="ALL_OLD")["Attributes"]
    assert old["n"] == {"N": "1.5"}
    assert "Item" not in c.get_item(TableName="Items", Key=key())


def test_projection(c):
    c.put_item(TableName="Items", Item={**key(), "a": {"M": {"b": {"N": "1"}, "c": {"N": "2"}}}})
    r = c.get_item(TableName="Items", Key=key(), ProjectionExpression="a.c, #s",
                   ExpressionAttributeNames={"#s": "sk"})
    assert r["Item"] == {"a": {"M": {"c": {"N": "2"}}}, "sk": {"N": "1"}}


@pytest.mark.parametrize("bad, message", [
    ({"pk": {"S": "a"}}, "The provided key element does not match the schema"),
    ({"pk": {"S": "a"}, "sk": {"S": "1"}}, "The provided key element does not match the schema"),
    ({**key(), "x": {"S": "y"}}, "The provided key element does not match the schema"),
])
def test_key_must_match_schema(c, bad, message):
    with pytest.raises(ClientError) as e:
        c.get_item(TableName="Items", Key=bad)
    assert err(e) == ("ValidationException", message)


def test_put_requires_key_attributes(ddb, c):
    before = snapshot(ddb)
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="Items", Item={"pk": {"S": "a"}})
    assert err(e) == ("ValidationException",
                      "One or more parameter values were invalid: Missing the key sk in the item")
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="Items", Item={"pk": {"S": "a"}, "sk": {"S": "x"}})
    assert err(e)[1] == ("One or more parameter values were invalid: Type mismatch for key sk "
                         "expected: N actual: S")
    assert snapshot(ddb) == before


def test_missing_table(c):
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="Nope", Item=key())
    assert err(e) == ("ResourceNotFoundException", "Requested resource not found")


@pytest.mark.parametrize("rv", ["UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])
def test_put_and_delete_return_values_rules(c, rv):
    for call, kw in ((c.put_item, {"Item": key()}), (c.delete_item, {"Key": key()})):
        with pytest.raises(ClientError) as e:
            call(TableName="Items", ReturnValues=rv, **kw)
        assert err(e) == ("ValidationException", "ReturnValues can only be ALL_OLD or NONE")


def test_update_item_return_values(c):
    c.put_item(TableName="Items", Item={**key(), "a": {"N": "1"}, "b": {"S": "x"}})
    kw = dict(TableName="Items", Key=key(), UpdateExpression="SET a = a + :one",
              ExpressionAttributeValues={":one": {"N": "1"}})
    assert c.update_item(ReturnValues="UPDATED_OLD", **kw)["Attributes"] == {"a": {"N": "1"}}
    assert c.update_item(ReturnValues="UPDATED_NEW", **kw)["Attributes"] == {"a": {"N": "3"}}
    assert c.update_item(ReturnValues="ALL_OLD", **kw)["Attributes"]["a"] == {"N": "3"}
    assert c.update_item(ReturnValues="ALL_NEW", **kw)["Attributes"] == {
        **key(), "a": {"N": "5"}, "b": {"S": "x"}}
    assert "Attributes" not in c.update_item(ReturnValues="NONE", **kw)


def test_update_creates_item_and_protects_key(ddb, c):
    r = c.update_item(TableName="Items", Key=key("new"), UpdateExpression="SET v = :v",
                      ExpressionAttributeValues={":v": {"S": "x"}}, ReturnValues="ALL_NEW")
    assert r["Attributes"] == {**key("new"), "v": {"S": "x"}}
    before = snapshot(ddb)
    with pytest.raises(ClientError) as e:
        c.update_item(TableName="Items", Key=key("new"), UpdateExpression="SET pk = :v",
                      ExpressionAttributeValues={":v": {"S": "y"}})
    assert err(e) == ("ValidationException", "One or more parameter values were invalid: "
                      "Cannot update attribute pk. This attribute is part of the key")
    assert snapshot(ddb) == before


def test_conditions_and_return_values_on_failure(ddb, c):
    c.put_item(TableName="Items", Item={**key(), "v": {"N": "1"}})
    before = snapshot(ddb)
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="Items", Item=key(), ConditionExpression="attribute_not_exists(pk)",
                   ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert err(e) == ("ConditionalCheckFailedException", "The conditional request failed")
    assert e.value.response["Item"] == {**key(), "v": {"N": "1"}}
    with pytest.raises(ClientError) as e:
        c.delete_item(TableName="Items", Key=key(), ConditionExpression="v = :two",
                      ExpressionAttributeValues={":two": {"N": "2"}})
    assert "Item" not in e.value.response
    assert snapshot(ddb) == before
    c.delete_item(TableName="Items", Key=key(), ConditionExpression="v = :one",
                  ExpressionAttributeValues={":one": {"N": "1"}})
    assert "Item" not in c.get_item(TableName="Items", Key=key())


def test_unused_expression_values_rejected(c):
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="Items", Item=key(), ConditionExpression="attribute_exists(pk)",
                   ExpressionAttributeValues={":x": {"S": "x"}})
    assert err(e) == ("ValidationException", "Value provided in ExpressionAttributeValues "
                      "unused in expressions: keys: {:x}")


def test_consumed_capacity_from_real_sizes(c):
    big = {**key(), "blob": {"S": "x" * 4500}}           # ~4.5 KB
    cc = c.put_item(TableName="Items", Item=big, ReturnConsumedCapacity="TOTAL")
    assert cc["ConsumedCapacity"] == {"TableName": "Items", "CapacityUnits": 5.0}
    r = c.get_item(TableName="Items", Key=key(), ReturnConsumedCapacity="TOTAL",
                   ConsistentRead=True)
    assert r["ConsumedCapacity"]["CapacityUnits"] == 2.0
    r = c.get_item(TableName="Items", Key=key(), ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"] == {"TableName": "Items", "CapacityUnits": 1.0,
                                     "Table": {"CapacityUnits": 1.0}}
    r = c.get_item(TableName="Items", Key=key("none"), ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 0.5
    r = c.delete_item(TableName="Items", Key=key(), ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 5.0
    assert "ConsumedCapacity" not in c.put_item(TableName="Items", Item=key(),
                                                 ReturnConsumedCapacity="NONE")


def test_item_size_limit_400kb(ddb, c):
    base = len("pk") + 1 + len("sk") + 2 + len("v")     # names and small values
    ok = {**key(), "v": {"S": "x" * (400 * 1024 - base)}}
    c.put_item(TableName="Items", Item=ok)
    before = snapshot(ddb)
    too_big = {**key(), "v": {"S": "x" * (400 * 1024 - base + 1)}}
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="Items", Item=too_big)
    assert err(e) == ("ValidationException", "Item size has exceeded the maximum allowed size")
    assert snapshot(ddb) == before


def test_resource_and_conditions(ddb):
    t = ddb.resource().Table("Items")
    t.put_item(Item={"pk": "a", "sk": 1, "tags": {"x"}})
    with pytest.raises(ClientError):
        t.put_item(Item={"pk": "a", "sk": 1}, ConditionExpression=Attr("pk").not_exists())
    t.update_item(Key={"pk": "a", "sk": 1}, UpdateExpression="ADD tags :t",
                  ExpressionAttributeValues={":t": {"y"}})
    assert t.get_item(Key={"pk": "a", "sk": 1})["Item"]["tags"] == {"x", "y"}


def test_item_events(ddb, c):
    c.put_item(TableName="Items", Item=key())
    c.update_item(TableName="Items", Key=key(), UpdateExpression="SET v = :v",
                  ExpressionAttributeValues={":v": {"N": "1"}})
    c.delete_item(TableName="Items", Key=key())
    evs = ddb.log.of_kind("item.*")
    assert [e.kind for e in evs] == ["item.put", "item.updated", "item.deleted"]
    assert evs[0].key == (("pk", "a"), ("sk", "1")) and evs[0].partition == "p0"


def test_ttl_expires_items_in_virtual_time(ddb, c):
    c.update_time_to_live(TableName="Items", TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "exp"})
    now = int(state_of(ddb).epoch_now())
    c.put_item(TableName="Items", Item={**key("soon"), "exp": {"N": str(now + 60)}})
    c.put_item(TableName="Items", Item={**key("late"), "exp": {"N": str(now + 3600)}})
    c.put_item(TableName="Items", Item={**key("never")})
    ddb.run(ms=61_000)
    assert "Item" not in c.get_item(TableName="Items", Key=key("soon"))
    assert "Item" in c.get_item(TableName="Items", Key=key("late"))
    assert [e.cause for e in ddb.log.of_kind("item.deleted")] == ["ttl"]


def test_same_seed_same_log():
    def run():
        svc = DynamoDB(seed=11)
        c = svc.client()
        c.create_table(TableName="Items", KeySchema=KS, AttributeDefinitions=AD,
                       BillingMode="PAY_PER_REQUEST")
        c.get_waiter("table_exists").wait(TableName="Items")
        for i in range(5):
            c.put_item(TableName="Items", Item=key(str(i)))
        return svc.log.dumps(), c.describe_table(TableName="Items")["Table"]["TableId"]
    assert run() == run()


def test_update_may_not_name_key_even_unchanged(ddb, c):
    c.put_item(TableName="Items", Item=key())
    with pytest.raises(ClientError) as e:
        c.update_item(TableName="Items", Key=key(), UpdateExpression="SET sk = :same",
                      ExpressionAttributeValues={":same": {"N": "1"}})
    assert err(e)[1] == ("One or more parameter values were invalid: Cannot update attribute "
                         "sk. This attribute is part of the key")


def test_table_arn_works_as_a_name(c):
    arn = c.describe_table(TableName="Items")["Table"]["TableArn"]
    r = c.put_item(TableName=arn, Item=key(), ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["TableName"] == arn
    assert c.get_item(TableName=arn, Key=key())["Item"] == key()
