"""Query and Scan with plain boto3: key conditions, sort order, paging (Limit,
paginators, the 1 MB page), filters, projections, Select, parallel scan,
secondary indexes."""
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from ddb_support import error_of, make_table


def _fill(client, table, pk, sks, **attrs):
    for sk in sks:
        client.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"N": str(sk)}, **attrs})


def test_numeric_sort_order(client, table_sk):
    _fill(client, table_sk, "a", [10, 2, 1, 100, -5, 2.5, 0])
    resp = client.query(TableName=table_sk, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "a"}})
    assert [i["sk"]["N"] for i in resp["Items"]] == ["-5", "0", "1", "2", "2.5", "10", "100"]
    assert resp["Count"] == 7 and resp["ScannedCount"] == 7
    back = client.query(TableName=table_sk, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "a"}}, ScanIndexForward=False)
    assert [i["sk"]["N"] for i in back["Items"]] == ["100", "10", "2.5", "2", "1", "0", "-5"]


def test_string_and_binary_sort_order_is_bytewise(client):
    name = make_table(client, sk="sk", sk_type="S")
    for sk in ["10", "2", "a", "B", "é", "ab"]:
        client.put_item(TableName=name, Item={"pk": {"S": "x"}, "sk": {"S": sk}})
    resp = client.query(TableName=name, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "x"}})
    assert [i["sk"]["S"] for i in resp["Items"]] == ["10", "2", "B", "a", "ab", "é"]
    bname = make_table(client, sk="sk", sk_type="B")
    for sk in [b"\xff", b"\x00\x01", b"\x00", b"a"]:
        client.put_item(TableName=bname, Item={"pk": {"S": "x"}, "sk": {"B": sk}})
    resp = client.query(TableName=bname, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "x"}})
    assert [i["sk"]["B"] for i in resp["Items"]] == [b"\x00", b"\x00\x01", b"a", b"\xff"]


@pytest.mark.parametrize("cond,values,want", [
    ("sk < :a", {":a": "3"}, ["1", "2"]),
    ("sk <= :a", {":a": "3"}, ["1", "2", "3"]),
    ("sk > :a", {":a": "3"}, ["4", "5"]),
    ("sk >= :a", {":a": "3"}, ["3", "4", "5"]),
    ("sk = :a", {":a": "3"}, ["3"]),
    ("sk BETWEEN :a AND :b", {":a": "2", ":b": "4"}, ["2", "3", "4"]),
])
def test_sort_key_conditions(client, table_sk, cond, values, want):
    _fill(client, table_sk, "k", [1, 2, 3, 4, 5])
    resp = client.query(TableName=table_sk, KeyConditionExpression=f"pk = :p AND {cond}",
                        ExpressionAttributeValues={":p": {"S": "k"},
                                                   **{k: {"N": v} for k, v in values.items()}})
    assert [i["sk"]["N"] for i in resp["Items"]] == want


def test_begins_with_on_string_sort_key(resource, client):
    name = make_table(client, sk="sk", sk_type="S")
    t = resource.Table(name)
    for sk in ["order#1", "order#2", "profile", "order"]:
        t.put_item(Item={"pk": "u", "sk": sk})
    got = t.query(KeyConditionExpression=Key("pk").eq("u") & Key("sk").begins_with("order#"))
    assert [i["sk"] for i in got["Items"]] == ["order#1", "order#2"]


def test_query_limit_and_exclusive_start_key(client, table_sk):
    _fill(client, table_sk, "p", range(7))
    seen, start, pages = [], None, 0
    for _ in range(10):
        kw = {"ExclusiveStartKey": start} if start else {}
        resp = client.query(TableName=table_sk, KeyConditionExpression="pk = :p", Limit=3,
                            ExpressionAttributeValues={":p": {"S": "p"}}, **kw)
        pages += 1
        seen += [i["sk"]["N"] for i in resp["Items"]]
        start = resp.get("LastEvaluatedKey")
        if not start:
            break
        assert start == {"pk": {"S": "p"}, "sk": resp["Items"][-1]["sk"]}
    assert seen == [str(i) for i in range(7)]
    assert pages == 3


def test_limit_exactly_at_end_still_returns_last_key(client, table_sk):
    _fill(client, table_sk, "e", range(3))
    resp = client.query(TableName=table_sk, KeyConditionExpression="pk = :p", Limit=3,
                        ExpressionAttributeValues={":p": {"S": "e"}})
    assert resp["Count"] == 3 and "LastEvaluatedKey" in resp
    after = client.query(TableName=table_sk, KeyConditionExpression="pk = :p", Limit=3,
                         ExpressionAttributeValues={":p": {"S": "e"}},
                         ExclusiveStartKey=resp["LastEvaluatedKey"])
    assert after["Count"] == 0 and "LastEvaluatedKey" not in after


def test_query_paginator(client, table_sk):
    _fill(client, table_sk, "pg", range(25))
    pages = list(client.get_paginator("query").paginate(
        TableName=table_sk, KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "pg"}}, PaginationConfig={"PageSize": 10}))
    assert [p["Count"] for p in pages] == [10, 10, 5]
    assert [int(i["sk"]["N"]) for p in pages for i in p["Items"]] == list(range(25))


def test_scan_paginator_sees_every_item_once(client, table):
    for i in range(30):
        client.put_item(TableName=table, Item={"pk": {"S": f"item{i}"}})
    keys = [i["pk"]["S"] for page in client.get_paginator("scan").paginate(
        TableName=table, PaginationConfig={"PageSize": 7}) for i in page["Items"]]
    assert sorted(keys) == sorted(f"item{i}" for i in range(30))


def test_scan_1mb_page(client, table):
    blob = "x" * 100_000            # ~100 KB items: 1 MB holds about ten
    for i in range(14):
        client.put_item(TableName=table, Item={"pk": {"S": f"big{i:02d}"}, "d": {"S": blob}})
    first = client.scan(TableName=table)
    assert "LastEvaluatedKey" in first
    assert 9 <= first["Count"] <= 11
    rest = client.scan(TableName=table, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert first["Count"] + rest["Count"] == 14 and "LastEvaluatedKey" not in rest


def test_query_1mb_page_counts_scanned_not_returned(client, table_sk):
    # The 1 MB limit applies before the filter: a filter that drops
    # everything still yields a short page with LastEvaluatedKey.
    _fill(client, table_sk, "f", range(14), d={"S": "y" * 100_000})
    resp = client.query(TableName=table_sk, KeyConditionExpression="pk = :p",
                        FilterExpression="attribute_exists(nothere)",
                        ExpressionAttributeValues={":p": {"S": "f"}})
    assert resp["Count"] == 0 and 9 <= resp["ScannedCount"] <= 11
    assert "LastEvaluatedKey" in resp


def test_filter_and_projection(resource, client, table_sk):
    t = resource.Table(table_sk)
    for i in range(6):
        t.put_item(Item={"pk": "f", "sk": i, "even": i % 2 == 0, "v": f"v{i}", "w": i})
    resp = t.query(KeyConditionExpression=Key("pk").eq("f"), FilterExpression=Attr("even").eq(True),
                   ProjectionExpression="sk, v")
    assert resp["Items"] == [{"sk": 0, "v": "v0"}, {"sk": 2, "v": "v2"}, {"sk": 4, "v": "v4"}]
    assert resp["Count"] == 3 and resp["ScannedCount"] == 6
    scan = t.scan(FilterExpression=Attr("w").gt(3) & Attr("v").begins_with("v"))
    assert sorted(i["sk"] for i in scan["Items"]) == [4, 5]


def test_select_count(client, table_sk):
    _fill(client, table_sk, "c", range(5))
    resp = client.query(TableName=table_sk, KeyConditionExpression="pk = :p", Select="COUNT",
                        ExpressionAttributeValues={":p": {"S": "c"}})
    assert resp["Count"] == 5 and "Items" not in resp


def test_parallel_scan_segments_partition_the_table(client, table):
    for i in range(40):
        client.put_item(TableName=table, Item={"pk": {"S": f"s{i}"}})
    seen = []
    for seg in range(4):
        for page in client.get_paginator("scan").paginate(TableName=table, Segment=seg,
                                                          TotalSegments=4):
            seen += [i["pk"]["S"] for i in page["Items"]]
    assert sorted(seen) == sorted(f"s{i}" for i in range(40))


def test_query_needs_key_condition(client, table_sk):
    with pytest.raises(ClientError) as e:
        client.query(TableName=table_sk)
    assert error_of(e) == ("ValidationException", "Either the KeyConditions or "
                           "KeyConditionExpression parameter must be specified in the request.")


def test_query_condition_missing_hash_key(client, table_sk):
    with pytest.raises(ClientError) as e:
        client.query(TableName=table_sk, KeyConditionExpression="sk = :s",
                     ExpressionAttributeValues={":s": {"N": "1"}})
    assert error_of(e) == ("ValidationException", "Query condition missed key schema element: pk")


def test_query_condition_on_non_key(client, table_sk):
    with pytest.raises(ClientError) as e:
        client.query(TableName=table_sk, KeyConditionExpression="pk = :p AND other = :o",
                     ExpressionAttributeValues={":p": {"S": "a"}, ":o": {"S": "b"}})
    assert error_of(e)[0] == "ValidationException"


def test_query_hash_key_needs_equality(client, table_sk):
    with pytest.raises(ClientError) as e:
        client.query(TableName=table_sk, KeyConditionExpression="begins_with(pk, :p)",
                     ExpressionAttributeValues={":p": {"S": "a"}})
    assert error_of(e) == ("ValidationException", "Query key condition not supported")


def test_query_missing_index(client, table_sk):
    with pytest.raises(ClientError) as e:
        client.query(TableName=table_sk, IndexName="nope", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "a"}})
    assert error_of(e) == ("ValidationException",
                           "The table does not have the specified index: nope")


def test_invalid_exclusive_start_key(client, table_sk):
    with pytest.raises(ClientError) as e:
        client.query(TableName=table_sk, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "a"}},
                     ExclusiveStartKey={"pk": {"S": "a"}})
    assert error_of(e) == ("ValidationException", "The provided starting key is invalid: "
                           "The provided key element does not match the schema")


def _indexed_table(client):
    return make_table(
        client, sk="sk", sk_type="N",
        more_attrs=[{"AttributeName": "g", "AttributeType": "S"},
                    {"AttributeName": "l", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        LocalSecondaryIndexes=[{
            "IndexName": "by_l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}])


def test_gsi_and_lsi_queries(client):
    name = _indexed_table(client)
    for i in range(6):
        item = {"pk": {"S": f"p{i % 2}"}, "sk": {"N": str(i)}, "l": {"N": str(10 - i)},
                "other": {"S": "x"}}
        if i != 5:                  # a sparse index skips items without its key
            item["g"] = {"S": "G"}
        client.put_item(TableName=name, Item=item)
    g = client.query(TableName=name, IndexName="by_g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "G"}})
    assert [i["sk"]["N"] for i in g["Items"]] == ["0", "1", "2", "3", "4"]
    assert set(g["Items"][0]) == {"pk", "sk", "g"}          # KEYS_ONLY
    lsi = client.query(TableName=name, IndexName="by_l", KeyConditionExpression="pk = :p",
                       ExpressionAttributeValues={":p": {"S": "p0"}})
    assert [i["l"]["N"] for i in lsi["Items"]] == ["6", "8", "10"]
    assert lsi["Items"][0]["other"] == {"S": "x"}             # ALL
    scan = client.scan(TableName=name, IndexName="by_g")
    assert scan["Count"] == 5


def test_gsi_rejects_consistent_read(client):
    name = _indexed_table(client)
    with pytest.raises(ClientError) as e:
        client.query(TableName=name, IndexName="by_g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "G"}}, ConsistentRead=True)
    assert error_of(e) == ("ValidationException",
                           "Consistent reads are not supported on global secondary indexes")


def test_resource_query_pages_with_limit(resource, client, table_sk):
    t = resource.Table(table_sk)
    with t.batch_writer() as bw:
        for i in range(60):
            bw.put_item(Item={"pk": "bw", "sk": i})
    items, kw = [], {}
    for _ in range(10):
        resp = t.query(KeyConditionExpression=Key("pk").eq("bw"), Limit=50, **kw)
        items += resp["Items"]
        if "LastEvaluatedKey" not in resp:
            break
        kw = {"ExclusiveStartKey": resp["LastEvaluatedKey"]}
    assert [int(i["sk"]) for i in items] == list(range(60))
