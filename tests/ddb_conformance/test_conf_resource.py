"""The boto3 service resource end to end: create_table, wait_until_exists,
Table attributes, conditions, batch_get_item, delete, wait_until_not_exists."""
from decimal import Decimal

from boto3.dynamodb.conditions import Attr, Key
from ddb_support import unique


def test_resource_table_lifecycle(resource):
    name = unique("res")
    table = resource.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "user", "AttributeType": "S"},
                              {"AttributeName": "ts", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "user", "KeyType": "HASH"},
                   {"AttributeName": "ts", "KeyType": "RANGE"}])
    table.wait_until_exists()
    table.reload()
    assert table.table_status == "ACTIVE" and table.name == name
    assert table.key_schema[0] == {"AttributeName": "user", "KeyType": "HASH"}
    for ts in (3, 1, 20, 10):
        table.put_item(Item={"user": "ana", "ts": ts, "score": Decimal(ts) / 4,
                             "tags": {"t" + str(ts)}})
    table.put_item(Item={"user": "bo", "ts": 1, "score": Decimal("0.5")})
    got = table.query(KeyConditionExpression=Key("user").eq("ana") & Key("ts").between(2, 15),
                      FilterExpression=Attr("score").gte(Decimal("0.75")))["Items"]
    assert [(i["ts"], i["score"]) for i in got] == [(3, Decimal("0.75")), (10, Decimal("2.5"))]
    scan = table.scan(FilterExpression=Attr("tags").contains("t20") | Attr("user").eq("bo"))
    assert sorted((i["user"], i["ts"]) for i in scan["Items"]) == [("ana", 20), ("bo", 1)]
    batch = resource.batch_get_item(RequestItems={name: {"Keys": [
        {"user": "ana", "ts": 1}, {"user": "bo", "ts": 1}, {"user": "nobody", "ts": 1}]}})
    assert sorted(i["user"] for i in batch["Responses"][name]) == ["ana", "bo"]
    assert table.update_item(Key={"user": "bo", "ts": 1}, UpdateExpression="SET score = :s",
                             ExpressionAttributeValues={":s": Decimal("1E+2")},
                             ReturnValues="UPDATED_NEW")["Attributes"] == {"score": Decimal(100)}
    table.delete()
    table.wait_until_not_exists()
    assert name not in [t.name for t in resource.tables.all()]
