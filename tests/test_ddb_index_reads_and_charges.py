"""What a request reports and may read on a table with indexes: the
``ConsumedCapacity`` of each index follows DynamoDB's 0/1/2 index-write rule
(the rule the index's partitions are charged by), a GSI added by UpdateTable
cannot be queried while it backfills, and ``DynamoDB.gsi_lag``."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from dynamo_lab.dynamodb.service import DynamoDB, state_of

AD = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}]
BY_G = {"IndexName": "byG", "Projection": {"ProjectionType": "KEYS_ONLY"},
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}


def table(**kw):
    ddb = DynamoDB(seed=1, **kw)
    c = ddb.client(retries=0)
    c.create_table(TableName="Tab", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST",
                   GlobalSecondaryIndexes=[BY_G])
    c.get_waiter("table_exists").wait(TableName="Tab", WaiterConfig={"Delay": 1})
    return ddb, c


def gsi_units(r):
    return r["ConsumedCapacity"].get("GlobalSecondaryIndexes", {}).get("byG", {}).get(
        "CapacityUnits", 0.0)


def test_index_writes_reported_by_the_rule_they_are_charged_by():
    ddb, c = table()
    put = dict(TableName="Tab", ReturnConsumedCapacity="INDEXES")
    r = c.put_item(Item={"pk": {"S": "a"}, "g": {"S": "x"}, "n": {"N": "1"}}, **put)
    assert gsi_units(r) == 1.0                              # enters the index: one write
    r = c.put_item(Item={"pk": {"S": "a"}, "g": {"S": "x"}, "n": {"N": "2"}}, **put)
    assert gsi_units(r) == 0.0                              # nothing projected changed: none
    r = c.put_item(Item={"pk": {"S": "a"}, "g": {"S": "y"}, "n": {"N": "2"}}, **put)
    assert gsi_units(r) == 2.0                              # key moved: delete + put
    r = c.delete_item(Key={"pk": {"S": "a"}}, **put)
    assert gsi_units(r) == 1.0                              # leaves the index: one
    r = c.put_item(Item={"pk": {"S": "b"}, "n": {"N": "2"}}, **put)
    assert gsi_units(r) == 0.0                              # sparse: never in it
    assert r["ConsumedCapacity"]["CapacityUnits"] == r["ConsumedCapacity"]["Table"][
        "CapacityUnits"] + gsi_units(r)


def test_a_backfilling_gsi_cannot_be_queried():
    ddb = DynamoDB(seed=1, indexes={"gsi_backfill_rate": 10})
    c = ddb.client(retries=0)
    c.create_table(TableName="Tab", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=AD[:1], BillingMode="PAY_PER_REQUEST")
    c.get_waiter("table_exists").wait(TableName="Tab", WaiterConfig={"Delay": 1})
    for i in range(50):
        c.put_item(TableName="Tab", Item={"pk": {"S": f"p{i}"}, "g": {"S": "x"}})
    c.update_table(TableName="Tab", AttributeDefinitions=AD,
                   GlobalSecondaryIndexUpdates=[{"Create": BY_G}])
    ddb.run(ms=state_of(ddb).timing.update_ms)
    q = dict(TableName="Tab", IndexName="byG", KeyConditionExpression="g = :g",
             ExpressionAttributeValues={":g": {"S": "x"}})
    with pytest.raises(ClientError) as e:
        c.query(**q)
    assert e.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Cannot read from backfilling global secondary index: byG"}
    c.get_waiter("table_exists").wait(TableName="Tab", WaiterConfig={"Delay": 1})
    for _ in range(100):
        g = c.describe_table(TableName="Tab")["Table"]["GlobalSecondaryIndexes"][0]
        if g["IndexStatus"] == "ACTIVE":
            break
        ddb.run(ms=1000)
    assert c.query(**q)["Count"] == 50


def test_gsi_lag_on_the_service():
    ddb, c = table(indexes={"gsi_lag_ms": (50, 50)})
    c.put_item(TableName="Tab", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    assert ddb.gsi_lag("Tab", "byG")["pending"] == 1
    ddb.run(ms=100)
    assert ddb.gsi_lag("Tab", "byG") == {"pending": 0, "oldest_ms": 0}
