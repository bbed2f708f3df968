"""Capacity errors with plain boto3: a provisioned table that is written
faster than its WCU allow is throttled with DynamoDB's exact code and
message, and the throttled write changes nothing."""
import pytest
from botocore.exceptions import ClientError
from ddb_support import error_of, make_table

PROVISIONED = ("The level of configured provisioned throughput for the table was exceeded. "
               "Consider increasing your provisioning level with the UpdateTable API.")


def test_provisioned_write_throttling(client):
    name = make_table(client, ProvisionedThroughput={"ReadCapacityUnits": 1,
                                                     "WriteCapacityUnits": 1})
    throttled = None
    for i in range(450):             # 1 WCU: a new table's burst is at most 300 WCU
        try:
            client.put_item(TableName=name, Item={"pk": {"S": f"w{i}"}})
        except ClientError as err:
            throttled = (i, err)
            break
    assert throttled is not None
    i, err = throttled
    assert (err.response["Error"]["Code"], err.response["Error"]["Message"]) == \
        ("ProvisionedThroughputExceededException", PROVISIONED)
    got = client.get_item(TableName=name, Key={"pk": {"S": f"w{i}"}}, ConsistentRead=False)
    assert "Item" not in got


def test_on_demand_is_not_throttled_by_a_burst(client, table):
    for i in range(150):
        client.put_item(TableName=table, Item={"pk": {"S": f"od{i}"}})
    assert client.scan(TableName=table, Select="COUNT")["Count"] == 150


def test_consumed_capacity_indexes(client):
    name = make_table(client, sk="sk", sk_type="N",
                      more_attrs=[{"AttributeName": "g", "AttributeType": "S"}],
                      GlobalSecondaryIndexes=[{
                          "IndexName": "by_g",
                          "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                          "Projection": {"ProjectionType": "ALL"}}])
    resp = client.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"},
                                                 "g": {"S": "G"}},
                           ReturnConsumedCapacity="INDEXES")
    cc = resp["ConsumedCapacity"]
    assert cc["Table"]["CapacityUnits"] == 1.0
    assert cc["GlobalSecondaryIndexes"]["by_g"]["CapacityUnits"] == 1.0
    assert cc["CapacityUnits"] == 2.0


def test_item_collection_metrics_shape(client):
    resp = client.put_item(TableName=make_table(client), Item={"pk": {"S": "a"}},
                           ReturnItemCollectionMetrics="SIZE")
    # Only tables with a local secondary index report item collections.
    assert "ItemCollectionMetrics" not in resp or resp["ItemCollectionMetrics"] == {}


def test_validation_of_wire_enums(client, table):
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, Select="SPECIFIC_ATTRIBUTES")
    code, msg = error_of(e)
    assert code == "ValidationException"
