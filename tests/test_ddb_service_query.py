"""Query, Scan, paginators, indexes and batches through plain boto3."""
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from dynamo_lab.dynamodb.service import DynamoDB, handle, state_of

KS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
      {"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "S"}]
GSI = [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                          {"AttributeName": "sk", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}]
LSI = [{"IndexName": "byL", "KeySchema": [KS[0], {"AttributeName": "l", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"}}]


@pytest.fixture
def ddb():
    svc = DynamoDB(seed=5)
    c = svc.client()
    c.create_table(TableName="Qtab", KeySchema=KS, AttributeDefinitions=AD,
                   BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=GSI,
                   LocalSecondaryIndexes=LSI)
    c.get_waiter("table_exists").wait(TableName="Qtab")
    t = svc.resource().Table("Qtab")
    with t.batch_writer() as w:
        for n in (10, 2, 1, 33, 100, 7):
            w.put_item(Item={"pk": "a", "sk": n, "g": "even" if n % 2 == 0 else "odd",
                             "l": f"L{n:03d}", "v": n})
        for i in range(20):
            w.put_item(Item={"pk": f"h{i}", "sk": i})
    yield svc
    assert state_of(svc).internal_errors == []


@pytest.fixture
def c(ddb):
    return ddb.client()


def err(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e["Message"]


def test_query_numeric_sort_order_and_reverse(ddb):
    t = ddb.resource().Table("Qtab")
    r = t.query(KeyConditionExpression=Key("pk").eq("a"))
    assert [i["sk"] for i in r["Items"]] == [1, 2, 7, 10, 33, 100]
    r = t.query(KeyConditionExpression=Key("pk").eq("a") & Key("sk").gt(2),
                ScanIndexForward=False)
    assert [i["sk"] for i in r["Items"]] == [100, 33, 10, 7]
    r = t.query(KeyConditionExpression=Key("pk").eq("a") & Key("sk").between(2, 10))
    assert r["Count"] == r["ScannedCount"] == 3


def test_filter_counts_and_limit(ddb):
    t = ddb.resource().Table("Qtab")
    r = t.query(KeyConditionExpression=Key("pk").eq("a"), FilterExpression=Attr("v").gte(10),
                Limit=4)
    assert r["Count"] == 1 and r["ScannedCount"] == 4
    assert r["LastEvaluatedKey"] == {"pk": "a", "sk": 10}
    r2 = t.query(KeyConditionExpression=Key("pk").eq("a"), FilterExpression=Attr("v").gte(10),
                 ExclusiveStartKey=r["LastEvaluatedKey"])
    assert [i["sk"] for i in r2["Items"]] == [33, 100] and "LastEvaluatedKey" not in r2
    r = t.query(KeyConditionExpression=Key("pk").eq("a"), Select="COUNT")
    assert r["Count"] == 6 and "Items" not in r


def test_query_paginator(c):
    pages = list(c.get_paginator("query").paginate(
        TableName="Qtab", KeyConditionExpression="pk = :a",
        ExpressionAttributeValues={":a": {"S": "a"}}, PaginationConfig={"PageSize": 4}))
    assert [len(p["Items"]) for p in pages] == [4, 2]
    assert [i["sk"]["N"] for p in pages for i in p["Items"]] == ["1", "2", "7", "10", "33", "100"]


def test_scan_paginator_and_parallel_segments(c):
    all_keys = [(i["pk"]["S"], i["sk"]["N"]) for p in c.get_paginator("scan").paginate(
        TableName="Qtab", PaginationConfig={"PageSize": 7}) for i in p["Items"]]
    assert len(all_keys) == len(set(all_keys)) == 26
    seg = []
    for s in range(3):
        for p in c.get_paginator("scan").paginate(TableName="Qtab", Segment=s, TotalSegments=3):
            seg += [(i["pk"]["S"], i["sk"]["N"]) for i in p["Items"]]
    assert sorted(seg) == sorted(all_keys)
    with pytest.raises(ClientError) as e:
        c.scan(TableName="Qtab", Segment=3, TotalSegments=3)
    assert err(e)[1].startswith("The Segment parameter is zero-based and must be less than")


def test_one_megabyte_pages(ddb, c):
    t = ddb.resource().Table("Qtab")
    blob = "x" * (300 * 1024)
    with t.batch_writer() as w:
        for i in range(8):
            w.put_item(Item={"pk": "big", "sk": i, "blob": blob})
    r = c.query(TableName="Qtab", KeyConditionExpression="pk = :b",
                ExpressionAttributeValues={":b": {"S": "big"}}, ReturnConsumedCapacity="TOTAL")
    assert r["Count"] == 4 and "LastEvaluatedKey" in r        # 4 x 300 KB > 1 MB
    size = 4 * (len("pk") + 3 + len("sk") + 2 + len("blob") + 300 * 1024)
    assert r["ConsumedCapacity"]["CapacityUnits"] == -(-size // 4096) / 2


def test_indexes_maintained_and_queryable(ddb, c):
    r = c.query(TableName="Qtab", IndexName="byG", KeyConditionExpression="g = :e",
                ExpressionAttributeValues={":e": {"S": "even"}})
    assert [i["sk"]["N"] for i in r["Items"]] == ["2", "10", "100"]
    assert set(r["Items"][0]) == {"pk", "sk", "g"}                # KEYS_ONLY
    r = c.query(TableName="Qtab", IndexName="byL", KeyConditionExpression="pk = :a",
                ExpressionAttributeValues={":a": {"S": "a"}}, ScanIndexForward=False, Limit=2)
    assert [i["l"]["S"] for i in r["Items"]] == ["L100", "L033"]
    assert set(r["LastEvaluatedKey"]) == {"pk", "sk", "l"}
    c.delete_item(TableName="Qtab", Key={"pk": {"S": "a"}, "sk": {"N": "2"}})
    r = c.query(TableName="Qtab", IndexName="byG", KeyConditionExpression="g = :e",
                ExpressionAttributeValues={":e": {"S": "even"}})
    assert r["Count"] == 2
    with pytest.raises(ClientError) as e:
        c.query(TableName="Qtab", IndexName="nope", KeyConditionExpression="pk = :a",
                ExpressionAttributeValues={":a": {"S": "a"}})
    assert err(e) == ("ValidationException", "The table does not have the specified index: nope")
    with pytest.raises(ClientError) as e:
        c.query(TableName="Qtab", IndexName="byG", ConsistentRead=True,
                KeyConditionExpression="g = :e", ExpressionAttributeValues={":e": {"S": "x"}})
    assert err(e)[1] == "Consistent reads are not supported on global secondary indexes"


def test_batch_get_limits_and_duplicates(c):
    keys = [{"pk": {"S": f"h{i}"}, "sk": {"N": str(i)}} for i in range(20)]
    r = c.batch_get_item(RequestItems={"Qtab": {"Keys": keys, "ProjectionExpression": "pk"}})
    assert sorted(i["pk"]["S"] for i in r["Responses"]["Qtab"]) == sorted(f"h{i}" for i in range(20))
    assert r["UnprocessedKeys"] == {}
    with pytest.raises(ClientError) as e:
        c.batch_get_item(RequestItems={"Qtab": {"Keys": keys[:2] + keys[:1]}})
    assert err(e) == ("ValidationException", "Provided list of item keys contains duplicates")
    many = [{"pk": {"S": f"k{i}"}, "sk": {"N": "1"}} for i in range(101)]
    with pytest.raises(ClientError) as e:
        c.batch_get_item(RequestItems={"Qtab": {"Keys": many}})
    # One table's list breaks the API's own constraint before the total is counted.
    assert err(e)[0] == "ValidationException"
    assert err(e)[1].endswith("at 'requestItems.Qtab.member.keys' failed to satisfy constraint: "
                              "Member must have length less than or equal to 100")


def test_batch_write_limits_duplicates_and_atomic_validation(ddb, c):
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"w{i}"}, "sk": {"N": "1"}}}} for i in range(25)]
    assert c.batch_write_item(RequestItems={"Qtab": puts})["UnprocessedItems"] == {}
    count = state_of(ddb).tables["Qtab"].item_count
    with pytest.raises(ClientError) as e:
        c.batch_write_item(RequestItems={"Qtab": puts[:2] + [
            {"DeleteRequest": {"Key": {"pk": {"S": "w0"}, "sk": {"N": "1"}}}}]})
    assert err(e) == ("ValidationException", "Provided list of item keys contains duplicates")
    with pytest.raises(ClientError) as e:
        c.batch_write_item(RequestItems={"Qtab": puts[:3] + [
            {"PutRequest": {"Item": {"pk": {"S": "bad"}}}}]})
    assert err(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        c.batch_write_item(RequestItems={"Qtab": puts + puts[:1]})
    assert err(e)[1].endswith("at 'requestItems' failed to satisfy constraint: Map value must "
                              "satisfy constraint: [Member must have length less than or equal "
                              "to 25, Member must have length greater than or equal to 1]")
    assert state_of(ddb).tables["Qtab"].item_count == count


def test_query_needs_key_condition(c):
    with pytest.raises(ClientError) as e:
        c.query(TableName="Qtab")
    assert err(e)[0] == "ValidationException"


def test_batch_get_leaves_keys_past_16_mb_unprocessed(ddb):
    big = "x" * (399 * 1024)
    for i in range(45):
        handle(ddb, "PutItem", {"TableName": "Qtab", "Item": {"pk": {"S": f"b{i}"},
                                                           "sk": {"N": "0"}, "v": {"S": big}}})
    keys = [{"pk": {"S": f"b{i}"}, "sk": {"N": "0"}} for i in range(45)]
    r = handle(ddb, "BatchGetItem", {"RequestItems": {"Qtab": {"Keys": keys}}})
    got, left = len(r["Responses"]["Qtab"]), r["UnprocessedKeys"]["Qtab"]["Keys"]
    assert 40 <= got < 45 and got + len(left) == 45
    assert left == keys[got:]


def test_index_key_rules_on_write(c):
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="Qtab", Item={"pk": {"S": "x"}, "sk": {"N": "1"}, "g": {"S": ""}})
    assert err(e)[1].endswith("IndexName: byG, IndexKey: g")
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="Qtab", Item={"pk": {"S": "x"}, "sk": {"N": "1"}, "g": {"N": "1"}})
    assert err(e)[1] == ("One or more parameter values were invalid: Type mismatch for Index Key "
                         "g Expected: S Actual: N IndexName: byG")


def test_query_filter_may_not_use_key_attributes(c):
    with pytest.raises(ClientError) as e:
        c.query(TableName="Qtab", KeyConditionExpression="pk = :a", FilterExpression="sk > :s",
                ExpressionAttributeValues={":a": {"S": "a"}, ":s": {"N": "1"}})
    assert err(e) == ("ValidationException", "Filter Expression can only contain non-primary "
                      "key attributes: Primary key attribute: sk")
    r = c.scan(TableName="Qtab", FilterExpression="sk > :s",
               ExpressionAttributeValues={":s": {"N": "50"}})
    assert r["Count"] == 1


@pytest.mark.parametrize("kw, message", [
    (dict(Select="SPECIFIC_ATTRIBUTES"),
     "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
     "SPECIFIC_ATTRIBUTES"),
    (dict(Select="ALL_PROJECTED_ATTRIBUTES"),
     "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
    (dict(Select="COUNT", ProjectionExpression="pk"),
     "Cannot specify the ProjectionExpression when choosing to get only the Count"),
    (dict(Select="ALL_ATTRIBUTES", ProjectionExpression="pk"),
     "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"),
])
def test_select_rules(c, kw, message):
    with pytest.raises(ClientError) as e:
        c.scan(TableName="Qtab", **kw)
    assert err(e) == ("ValidationException", message)


def test_item_collection_metrics_on_lsi_tables(c):
    r = c.put_item(TableName="Qtab", Item={"pk": {"S": "a"}, "sk": {"N": "5"}},
                   ReturnItemCollectionMetrics="SIZE")
    assert r["ItemCollectionMetrics"] == {"ItemCollectionKey": {"pk": {"S": "a"}},
                                          "SizeEstimateRangeGB": [0.0, 1.0]}
    assert "ItemCollectionMetrics" not in c.put_item(TableName="Qtab", Item={
        "pk": {"S": "a"}, "sk": {"N": "6"}})
