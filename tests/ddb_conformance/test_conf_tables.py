"""Table operations with plain boto3: CreateTable, DescribeTable, ListTables
(paged), UpdateTable, DeleteTable, waiters, TTL, tags, DescribeLimits, and
a stream read."""
import pytest
from botocore.exceptions import ClientError
from ddb_support import error_of, make_table, unique

KEY = dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])


def test_create_describe_delete(client):
    name = unique()
    resp = client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **KEY)
    desc = resp["TableDescription"]
    assert desc["TableName"] == name
    assert desc["KeySchema"] == KEY["KeySchema"]
    assert desc["AttributeDefinitions"] == KEY["AttributeDefinitions"]
    assert desc["TableStatus"] in ("CREATING", "ACTIVE")
    assert desc["TableArn"].startswith("arn:aws:dynamodb:us-east-1:")
    assert desc["TableArn"].endswith(f":table/{name}")
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    # Default waiter settings: in process the pause is virtual; over HTTP the
    # served table is ACTIVE by the first poll (test_ddb_server checks that).
    client.get_waiter("table_exists").wait(TableName=name)
    table = client.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE" and table["ItemCount"] == 0
    assert "CreationDateTime" in table and table["TableSizeBytes"] == 0
    deleted = client.delete_table(TableName=name)["TableDescription"]
    assert deleted["TableName"] == name and deleted["TableStatus"] == "DELETING"
    client.get_waiter("table_not_exists").wait(TableName=name)


def test_describe_missing_table(client):
    name = unique("missing")
    with pytest.raises(ClientError) as e:
        client.describe_table(TableName=name)
    assert error_of(e) == ("ResourceNotFoundException",
                           f"Requested resource not found: Table: {name} not found")


def test_delete_missing_table(client):
    name = unique("missing")
    with pytest.raises(ClientError) as e:
        client.delete_table(TableName=name)
    code, msg = error_of(e)
    assert code == "ResourceNotFoundException"
    assert msg.startswith("Requested resource not found")


def test_create_existing_table(client, table):
    with pytest.raises(ClientError) as e:
        client.create_table(TableName=table, BillingMode="PAY_PER_REQUEST", **KEY)
    assert error_of(e) == ("ResourceInUseException", f"Table already exists: {table}")


def test_create_attribute_count_mismatch(client):
    with pytest.raises(ClientError) as e:
        client.create_table(TableName=unique(), BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=KEY["AttributeDefinitions"] + [
                                {"AttributeName": "extra", "AttributeType": "S"}],
                            KeySchema=KEY["KeySchema"])
    assert error_of(e) == ("ValidationException", "One or more parameter values were invalid: "
                           "Number of attributes in KeySchema does not exactly match number of "
                           "attributes defined in AttributeDefinitions")


def test_create_provisioned_needs_throughput(client):
    with pytest.raises(ClientError) as e:
        client.create_table(TableName=unique(), **KEY)
    assert error_of(e) == ("ValidationException", "One or more parameter values were invalid: "
                           "ReadCapacityUnits and WriteCapacityUnits must both be specified "
                           "when BillingMode is PROVISIONED")


def test_create_provisioned_table(client):
    name = make_table(client, ProvisionedThroughput={"ReadCapacityUnits": 3,
                                                     "WriteCapacityUnits": 2})
    pt = client.describe_table(TableName=name)["Table"]["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (3, 2)


def test_list_tables_paginates(client):
    mine = sorted(make_table(client, unique("list")) for _ in range(3))
    names = []
    for page in client.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}):
        assert len(page["TableNames"]) <= 2
        names += page["TableNames"]
    assert names == sorted(names)                # DynamoDB lists in name order
    assert set(mine) <= set(names)
    first = client.list_tables(Limit=1, ExclusiveStartTableName=mine[0])
    assert first["TableNames"][0] > mine[0]


def test_list_tables_limit_over_100(client):
    with pytest.raises(ClientError) as e:
        client.list_tables(Limit=101)
    assert error_of(e) == ("ValidationException", "1 validation error detected: Value '101' at "
                           "'limit' failed to satisfy constraint: Member must have value less "
                           "than or equal to 100")


def test_update_table_throughput_and_gsi(client):
    name = make_table(client, ProvisionedThroughput={"ReadCapacityUnits": 1,
                                                     "WriteCapacityUnits": 1})
    client.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 5,
                                                               "WriteCapacityUnits": 4})
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1,
                                                                         "MaxAttempts": 30})
    pt = client.describe_table(TableName=name)["Table"]["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (5, 4)
    client.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1,
                                                                         "MaxAttempts": 30})
    client.update_table(
        TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}])
    for _ in range(60):                          # bounded: the index backfills
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1,
                                                                             "MaxAttempts": 30})
        desc = client.describe_table(TableName=name)["Table"]
        gsis = desc.get("GlobalSecondaryIndexes", [])
        if gsis and all(g["IndexStatus"] == "ACTIVE" for g in gsis):
            break
    assert [g["IndexName"] for g in gsis] == ["by_g"]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_ttl_settings(client, table):
    off = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert off == {"TimeToLiveStatus": "DISABLED"}
    resp = client.update_time_to_live(TableName=table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})
    assert resp["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}
    on = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert on["AttributeName"] == "expires"
    assert on["TimeToLiveStatus"] in ("ENABLING", "ENABLED")
    with pytest.raises(ClientError) as e:
        client.update_time_to_live(TableName=table, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "expires"})
    assert error_of(e) == ("ValidationException", "TimeToLive is already enabled")


def test_tags(client, table):
    arn = client.describe_table(TableName=table)["Table"]["TableArn"]
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "lab"},
                                               {"Key": "env", "Value": "test"}])
    tags = client.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "test"), ("team", "lab")]
    client.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "team",
                                                                      "Value": "lab"}]


def test_tags_on_missing_table(client):
    arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{unique('missing')}"
    with pytest.raises(ClientError) as e:
        client.list_tags_of_resource(ResourceArn=arn)
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_describe_limits(client):
    limits = client.describe_limits()
    for key in ("AccountMaxReadCapacityUnits", "AccountMaxWriteCapacityUnits",
                "TableMaxReadCapacityUnits", "TableMaxWriteCapacityUnits"):
        assert limits[key] > 0


def test_item_count_after_writes(client, table):
    for i in range(4):
        client.put_item(TableName=table, Item={"pk": {"S": str(i)}})
    # DescribeTable's counts are refreshed about every six hours in AWS; the
    # lab may be exact or stale, but never more than the truth.
    assert 0 <= client.describe_table(TableName=table)["Table"]["ItemCount"] <= 4


def test_stream_records(backend):
    client, streams = backend.client, backend.streams
    if streams is None:
        pytest.fail("service: no streams client")
    name = make_table(client, StreamSpecification={"StreamEnabled": True,
                                                   "StreamViewType": "NEW_AND_OLD_IMAGES"})
    arn = client.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    client.put_item(TableName=name, Item={"pk": {"S": "s"}, "v": {"N": "1"}})
    client.update_item(TableName=name, Key={"pk": {"S": "s"}}, UpdateExpression="SET v = :two",
                       ExpressionAttributeValues={":two": {"N": "2"}})
    client.delete_item(TableName=name, Key={"pk": {"S": "s"}})
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    events = []
    for shard in shards:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for _ in range(5):
            page = streams.get_records(ShardIterator=it)
            events += [r["eventName"] for r in page["Records"]]
            it = page.get("NextShardIterator")
            if not it or not page["Records"]:
                break
    assert events == ["INSERT", "MODIFY", "REMOVE"]


def test_deletion_protection(client):
    name = make_table(client, DeletionProtectionEnabled=True)
    assert client.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"] is True
    with pytest.raises(ClientError) as e:
        client.delete_table(TableName=name)
    assert error_of(e) == ("ValidationException", "Resource cannot be deleted as it is "
                           "currently protected against deletion. Disable deletion protection "
                           "first.")
    client.update_table(TableName=name, DeletionProtectionEnabled=False)
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1,
                                                                         "MaxAttempts": 30})
    client.delete_table(TableName=name)
    client.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 1,
                                                                             "MaxAttempts": 30})


def test_table_arn_accepted_as_table_name(client, table):
    arn = client.describe_table(TableName=table)["Table"]["TableArn"]
    client.put_item(TableName=arn, Item={"pk": {"S": "by-arn"}})
    assert client.get_item(TableName=table, Key={"pk": {"S": "by-arn"}})["Item"]
