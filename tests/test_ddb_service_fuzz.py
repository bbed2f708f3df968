"""Malformed requests straight into handle(DynamoDB, ): each must come back as
a DynamoDB error (never a Python exception, never InternalServerError), and a
refused request must leave every table, index and the event log as it was."""
import copy
import json
import random

import pytest

from dynamo_lab.dynamodb.errors import DynamoDBError
from dynamo_lab.dynamodb.service import DynamoDB, handle, state_of

KS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
      {"AttributeName": "g", "AttributeType": "S"}]
BASE = {"TableName": "Fuzz", "KeySchema": KS, "AttributeDefinitions": AD,
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [{"IndexName": "gix", "KeySchema": [
            {"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}
K = {"pk": {"S": "a"}, "sk": {"N": "1"}}
K2 = {"pk": {"S": "z"}, "sk": {"N": "1"}}
ONE = {":o": {"N": "1"}}
SEEDS = {
    "PutItem": {"TableName": "Fuzz", "Item": {**K, "g": {"S": "x"}, "v": {"L": [{"N": "1"}]}},
                "ConditionExpression": "attribute_not_exists(pk) OR v[0] = :o",
                "ExpressionAttributeValues": ONE, "ReturnValues": "ALL_OLD"},
    "GetItem": {"TableName": "Fuzz", "Key": K, "ProjectionExpression": "#a, v[0]",
                "ExpressionAttributeNames": {"#a": "pk"}},
    "UpdateItem": {"TableName": "Fuzz", "Key": K, "ReturnValues": "UPDATED_NEW",
                   "UpdateExpression": "SET v = list_append(v, :l) ADD n :o",
                   "ExpressionAttributeValues": {":l": {"L": []}, **ONE}},
    "DeleteItem": {"TableName": "Fuzz", "Key": K,
                   "Expected": {"v": {"Exists": True, "Value": {"N": "1"}}}},
    "Query": {"TableName": "Fuzz", "KeyConditionExpression": "pk = :p AND sk > :s",
              "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"N": "0"}}, "Limit": 2,
              "ExclusiveStartKey": K},
    "Scan": {"TableName": "Fuzz", "Segment": 0, "TotalSegments": 2, "IndexName": "gix",
             "ExclusiveStartKey": {**K, "g": {"S": "x"}}},
    "BatchGetItem": {"RequestItems": {"Fuzz": {"Keys": [K], "ProjectionExpression": "pk"}}},
    "BatchWriteItem": {"RequestItems": {"Fuzz": [{"PutRequest": {"Item": K}},
                                                 {"DeleteRequest": {"Key": K2}}]}},
    "TransactWriteItems": {"ClientRequestToken": "t1", "TransactItems": [
        {"Put": {"TableName": "Fuzz", "Item": K}},
        {"ConditionCheck": {"TableName": "Fuzz", "Key": K2,
                            "ConditionExpression": "attribute_not_exists(pk)"}}]},
    "TransactGetItems": {"TransactItems": [{"Get": {"TableName": "Fuzz", "Key": K}}]},
    "UpdateTable": {"TableName": "Fuzz",
                    "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "gix"}}]},
    "CreateTable": dict(BASE, TableName="Fuzz2"),
    "UpdateTimeToLive": {"TableName": "Fuzz",
                         "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "e"}},
    "TagResource": {"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/Fuzz",
                    "Tags": [{"Key": "a", "Value": "b"}]},
    "ListTables": {"Limit": 3, "ExclusiveStartTableName": "F"},
    "DescribeTable": {"TableName": "Fuzz"},
}
JUNK = [None, 0, -1, 1.5, True, "", "x", "#", ":", [], [1], {}, {"S": "a"}, {"N": "x"},
        {"B": "!!"}, {"S": 1}, {"L": None}, {"M": []}, {"SS": []}, {"NS": ["1", "1"]}, 10**40,
        "a" * 300]
TAILS = ["", "(", ")", " AND ", "[", "]", ".", ":", "#", "'"]


def mutate(x, rng):
    if isinstance(x, dict) and x and rng.random() < 0.7:
        k, y, r = rng.choice(list(x)), dict(x), rng.random()
        if r < 0.3:
            y[k] = rng.choice(JUNK)
        elif r < 0.4:
            del y[k]
        elif r < 0.5:
            y[rng.choice(["zz", "S", "N", "Key", ":x"])] = rng.choice(JUNK)
        else:
            y[k] = mutate(x[k], rng)
        return y
    if isinstance(x, list) and x and rng.random() < 0.7:
        y = list(x)
        i = rng.randrange(len(y))
        y[i] = mutate(y[i], rng) if rng.random() < 0.6 else rng.choice(JUNK)
        return y + y if rng.random() < 0.1 else y
    if isinstance(x, str) and rng.random() < 0.5:
        return x[: rng.randrange(len(x) + 1)] + rng.choice(TAILS)
    return rng.choice(JUNK)


def snapshot(ddb):
    state = {n: (t.describe(state_of(ddb).arn(n)), t.ttl, t.tags,
                 [i for _, i in t.store.scan_from(None)],
                 {x.name: [i for _, i in x.store.scan_from(None)] for x in t.indexes.values()})
             for n, t in state_of(ddb).tables.items()}
    return json.dumps(state, sort_keys=True, default=str), len(ddb.log)


@pytest.mark.parametrize("seed", [1, 2])
def test_malformed_requests_are_refused_cleanly(seed):
    ddb = DynamoDB(seed=seed, create_ms=0, update_ms=0, delete_ms=0)
    rng = random.Random(seed)
    codes = {}
    for _ in range(1500):
        if "Fuzz" not in state_of(ddb).tables:
            handle(ddb, "CreateTable", BASE)
            ddb.run(ms=1)
        op = rng.choice(list(SEEDS))
        p = copy.deepcopy(SEEDS[op])
        for _ in range(rng.randint(1, 3)):
            p = mutate(p, rng)
        before = snapshot(ddb)
        try:
            handle(ddb, op, p)
            codes["ok"] = codes.get("ok", 0) + 1
        except DynamoDBError as e:
            codes[e.code] = codes.get(e.code, 0) + 1
            assert e.code != "InternalServerError", (op, p, state_of(ddb).internal_errors[-1:])
            if e.code != "TransactionCanceledException":
                assert snapshot(ddb) == before, (op, e.code, e.message, p)
        for t in state_of(ddb).tables.values():
            t._check()          # with its layouts: map, store, buckets, replica groups agree
        ddb.run(ms=1)
    assert state_of(ddb).internal_errors == []
    assert codes["ok"] and codes["ValidationException"] and codes["SerializationException"]
