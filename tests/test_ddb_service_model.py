"""Random writes through boto3 checked against a plain dict model: Scan sees
every item once, Query returns a hash key's items in numeric sort order (both
directions, across pages), the GSI follows every write, and the table's
internal invariants hold after each step."""
import random
from decimal import Decimal

import pytest

from dynamo_lab.dynamodb.service import DynamoDB, state_of

KS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
      {"AttributeName": "g", "AttributeType": "S"}]
GSI = [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                          {"AttributeName": "sk", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}}]


@pytest.mark.parametrize("seed", [0])
def test_random_writes_match_a_model(seed):
    rng = random.Random(seed)
    ddb = DynamoDB(seed=seed)
    t = ddb.resource().Table("Model")
    ddb.client().create_table(TableName="Model", KeySchema=KS, AttributeDefinitions=AD,
                              BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=GSI)
    t.wait_until_exists()
    model: dict = {}
    for step in range(200):
        k = (f"h{rng.randrange(4)}", Decimal(rng.choice(["-1.5", "0", "2", "10", "100", "7e3"]))
             + rng.randrange(3))
        r = rng.random()
        if r < 0.5:
            item = {"pk": k[0], "sk": k[1], "v": rng.randrange(100), "w": "x" * rng.randrange(50)}
            if rng.random() < 0.7:
                item["g"] = rng.choice(["red", "blue"])
            t.put_item(Item=item)
            model[k] = item
        elif r < 0.75:
            t.delete_item(Key={"pk": k[0], "sk": k[1]})
            model.pop(k, None)
        else:
            t.update_item(Key={"pk": k[0], "sk": k[1]}, UpdateExpression="ADD v :one",
                          ExpressionAttributeValues={":one": 1})
            model.setdefault(k, {"pk": k[0], "sk": k[1]})
            model[k]["v"] = model[k].get("v", 0) + 1
        state_of(ddb).tables["Model"]._check()
        if step % 100 == 99:
            scanned = [i for p in ddb.client().get_paginator("scan").paginate(
                TableName="Model", PaginationConfig={"PageSize": 7}) for i in p["Items"]]
            assert len(scanned) == len(model)
            for h in ("h0", "h1", "h2", "h3"):
                want = sorted(v["sk"] for (hk, _), v in model.items() if hk == h)
                for forward in (True, False):
                    got, start = [], None
                    while True:
                        kw = {"ExclusiveStartKey": start} if start else {}
                        page = t.query(KeyConditionExpression="pk = :h", Limit=3,
                                       ExpressionAttributeValues={":h": h},
                                       ScanIndexForward=forward, **kw)
                        got += [i["sk"] for i in page["Items"]]
                        start = page.get("LastEvaluatedKey")
                        if not start:
                            break
                    assert got == (want if forward else want[::-1])
            for colour in ("red", "blue"):
                want = sorted((v["sk"], v["pk"]) for v in model.values() if v.get("g") == colour)
                page = t.query(IndexName="byG", KeyConditionExpression="g = :c",
                               ExpressionAttributeValues={":c": colour})
                assert sorted((i["sk"], i["pk"]) for i in page["Items"]) == want
                assert all(set(i) <= {"pk", "sk", "g", "v"} for i in page["Items"])
    assert state_of(ddb).internal_errors == []


def test_split_partitions_keep_every_read_working():
    ddb = DynamoDB(seed=4, create_ms=0)
    c = ddb.client()
    c.create_table(TableName="Split", KeySchema=KS, AttributeDefinitions=AD[:2],
                   BillingMode="PAY_PER_REQUEST")
    for i in range(60):
        c.put_item(TableName="Split", Item={"pk": {"S": f"h{i % 6}"}, "sk": {"N": str(i)}})
    ddb.split_partition("Split", "p0", 1 << 127)
    ddb.split_partition("Split", "p2", 3 << 126)
    state_of(ddb).tables["Split"]._check()
    assert [p["id"] for p in ddb.partitions("Split")] == ["p1", "p3", "p4"]
    assert sum(p["items"] for p in ddb.partitions("Split")) == 60
    keys = [(i["pk"]["S"], i["sk"]["N"]) for p in c.get_paginator("scan").paginate(
        TableName="Split", PaginationConfig={"PageSize": 7}) for i in p["Items"]]
    assert len(set(keys)) == 60
    for h in range(6):
        r = c.query(TableName="Split", KeyConditionExpression="pk = :h",
                    ExpressionAttributeValues={":h": {"S": f"h{h}"}})
        assert [int(i["sk"]["N"]) for i in r["Items"]] == list(range(h, 60, 6))
