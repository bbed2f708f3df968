"""Global secondary indexes maintained asynchronously (dynamodb/propagation.py),
through plain boto3: the lag seen then gone, the GSI equal to the table's
projection after quiet time over a seeded random workload, order per item,
sparse indexes, backfill by UpdateTable, deleting an index, the
ConsistentRead error, DynamoDB's index-write rule and back-pressure."""
import random

import pytest
from botocore.exceptions import ClientError

from dynamo_lab.dynamodb.service import DynamoDB, state_of
from dynamo_lab.dynamodb.tables import propagation

LAG = (20, 200)
KS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
      {"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "h", "AttributeType": "N"},
      {"AttributeName": "l", "AttributeType": "S"}]
BY_G = {"IndexName": "byG", "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]},
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}]}
BY_H = {"IndexName": "byH", "Projection": {"ProjectionType": "KEYS_ONLY"},
        "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}]}
BY_L = {"IndexName": "byL", "Projection": {"ProjectionType": "ALL"},
        "KeySchema": [KS[0], {"AttributeName": "l", "KeyType": "RANGE"}]}


def err(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e["Message"]


def service(lag=LAG, **kw):
    ddb = DynamoDB(seed=kw.pop("seed", 3), indexes={"gsi_lag_ms": lag, **kw.pop("indexes", {})},
                   **kw)
    return ddb, ddb.client(retries=0)


def make(ddb, c, name="Gix", gsis=(BY_G, BY_H), lsis=(BY_L,), **kw):
    defs = [a for a in AD if a["AttributeName"] in {"pk", "sk"} | {
        k["AttributeName"] for ix in gsis + lsis for k in ix["KeySchema"]}]
    if "ProvisionedThroughput" not in kw:
        kw["BillingMode"] = "PAY_PER_REQUEST"
    if gsis:
        kw["GlobalSecondaryIndexes"] = list(gsis)
    if lsis:
        kw["LocalSecondaryIndexes"] = list(lsis)
    c.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=defs, **kw)
    c.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})


def query_g(c, g, name="Gix", **kw):
    r = c.query(TableName=name, IndexName="byG", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": g}}, **kw)
    return sorted((i["pk"]["S"], i["sk"]["N"]) for i in r["Items"])


def projection_of(ddb, name, index):
    """What the GSI should hold: the projection of every table item with its key."""
    t = state_of(ddb).tables[name]
    ix = t.indexes[index]
    return {ix.storage_key(item, sk): ix.project(item, t.schema)
            for sk, item in t.store.scan_from(None) if ix.schema.has_key(item)}


def held(ddb, name, index):
    return dict(state_of(ddb).tables[name].indexes[index].store.scan_from(None))


def test_lag_is_visible_then_gone():
    ddb, c = service()
    make(ddb, c)
    c.put_item(TableName="Gix", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "red"},
                                    "l": {"S": "x"}})
    assert query_g(c, "red") == []                       # the GSI has not seen it yet
    lsi = c.query(TableName="Gix", IndexName="byL", KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": {"S": "a"}}, ConsistentRead=True)
    assert lsi["Count"] == 1                             # an LSI is synchronous
    lag = propagation.lag(ddb, "Gix", "byG")
    assert lag["pending"] == 1 and lag["oldest_ms"] >= 1
    assert propagation.lag(ddb, "Gix", "byH") == {"pending": 0, "oldest_ms": 0}   # sparse: no h
    ddb.run(ms=LAG[1])
    assert query_g(c, "red") == [("a", "1")]
    assert propagation.lag(ddb, "Gix", "byG") == {"pending": 0, "oldest_ms": 0}
    [ev] = ddb.log.of_kind("gsi.applied")
    assert (ev["table"], ev["index"], ev["change"]) == ("Gix", "byG", "put")
    assert LAG[0] <= ev["lag"] <= LAG[1] and ev.t == ev["queued"] + ev["lag"]
    c.delete_item(TableName="Gix", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert query_g(c, "red") == [("a", "1")]             # the delete has not arrived
    ddb.run(ms=LAG[1])
    assert query_g(c, "red") == []
    assert ddb.log.of_kind("gsi.applied")[-1]["change"] == "delete"
    with pytest.raises(KeyError):
        propagation.lag(ddb, "Gix", "byL")                 # an LSI has no lag
    assert state_of(ddb).internal_errors == []


def test_default_lag_is_zero_so_reads_see_writes_at_once():
    ddb = DynamoDB(seed=0)
    c = ddb.client()
    make(ddb, c)
    c.put_item(TableName="Gix", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "red"}})
    assert query_g(c, "red") == [("a", "1")]
    assert [e["lag"] for e in ddb.log.of_kind("gsi.applied")] == [0]


def _random_step(rng, c):
    pk, sk = f"p{rng.randrange(3)}", str(rng.randrange(8))
    key = {"pk": {"S": pk}, "sk": {"N": sk}}
    r = rng.random()
    if r < 0.35:
        item = dict(key, v={"N": str(rng.randrange(100))}, w={"S": "x" * rng.randrange(20)})
        if rng.random() < 0.7:
            item["g"] = {"S": rng.choice(["red", "blue"])}
        if rng.random() < 0.5:
            item["h"] = {"N": str(rng.randrange(3))}
        c.put_item(TableName="Gix", Item=item)
    elif r < 0.5:
        c.delete_item(TableName="Gix", Key=key)
    elif r < 0.7:                                        # change or remove the GSI keys
        if rng.random() < 0.5:
            c.update_item(TableName="Gix", Key=key, UpdateExpression="SET g = :g REMOVE h",
                          ExpressionAttributeValues={":g": {"S": rng.choice(["red", "blue"])}})
        else:
            c.update_item(TableName="Gix", Key=key, UpdateExpression="REMOVE g SET h = :h",
                          ExpressionAttributeValues={":h": {"N": str(rng.randrange(3))}})
    elif r < 0.85:                                       # a non-projected attribute only
        c.update_item(TableName="Gix", Key=key, UpdateExpression="SET w = :w",
                      ExpressionAttributeValues={":w": {"S": str(rng.random())}})
    elif r < 0.93:
        c.batch_write_item(RequestItems={"Gix": [
            {"PutRequest": {"Item": {"pk": {"S": pk}, "sk": {"N": str(s)},
                                     "g": {"S": "blue"}, "h": {"N": "1"}}}} for s in (8, 9)]})
    else:
        c.transact_write_items(TransactItems=[
            {"Update": {"TableName": "Gix", "Key": key, "UpdateExpression": "SET g = :g, v = :v",
                        "ExpressionAttributeValues": {":g": {"S": "red"}, ":v": {"N": "7"}}}},
            {"Delete": {"TableName": "Gix", "Key": {"pk": {"S": pk}, "sk": {"N": "9"}}}}])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gsi_equals_the_projection_after_quiet_time(seed):
    ddb, c = service(lag=(0, 150), seed=seed)
    make(ddb, c)
    rng = random.Random(seed)
    saw_lag = False
    for step in range(300):
        _random_step(rng, c)
        state_of(ddb).tables["Gix"]._check()                         # GSI + pending == projection
        saw_lag |= propagation.lag(ddb, "Gix", "byG")["pending"] > 0
        if step % 60 == 59:
            ddb.run(ms=150)                              # quiet time
            for ix in ("byG", "byH"):
                assert propagation.lag(ddb, "Gix", ix)["pending"] == 0
                assert held(ddb, "Gix", ix) == projection_of(ddb, "Gix", ix)
            want = sorted((i["pk"]["S"], i["sk"]["N"]) for p in c.get_paginator("scan").paginate(
                TableName="Gix") for i in p["Items"] if i.get("g") == {"S": "red"})
            assert query_g(c, "red") == want
    assert saw_lag
    changes = {e["change"] for e in ddb.log.of_kind("gsi.applied")}
    assert changes == {"put", "delete"}
    assert state_of(ddb).internal_errors == []


def test_two_updates_to_one_item_apply_in_order():
    ddb, c = service(lag=(0, 300), seed=7)
    make(ddb, c, gsis=(BY_H,), lsis=())
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    seen = []
    for n in range(40):                                  # each write moves the item's key
        c.put_item(TableName="Gix", Item=dict(key, h={"N": str(n)}))
        entries = list(state_of(ddb).tables["Gix"].indexes["byH"].store.scan_from(None))
        assert len(entries) <= 1                         # the old entry goes as the new comes
        seen += [int(item["h"]["N"]) for _, item in entries]
        ddb.run(ms=15)
    ddb.run(ms=300)
    [(_, last)] = held(ddb, "Gix", "byH").items()
    assert last["h"] == {"N": "39"}
    assert seen == sorted(seen) and len(set(seen)) > 1  # never back to an older version
    lags = [e["lag"] for e in ddb.log.of_kind("gsi.applied")]
    assert len(lags) == 40 and max(lags) > 0


def test_same_seed_same_lags():
    def run():
        ddb, c = service(lag=(0, 150), seed=11)
        make(ddb, c)
        rng = random.Random(5)
        for _ in range(80):
            _random_step(rng, c)
        ddb.run(ms=150)
        return [(e.t, dict(e.fields)) for e in ddb.log.of_kind("gsi.applied")]
    assert run() == run()


def test_sparse_index_holds_only_items_with_its_key():
    ddb, c = service()
    make(ddb, c)
    for i in range(10):
        item = {"pk": {"S": f"p{i}"}, "sk": {"N": "0"}}
        if i % 3 == 0:
            item["g"] = {"S": "red"}
        c.put_item(TableName="Gix", Item=item)
    ddb.run(ms=LAG[1])
    assert query_g(c, "red") == [("p0", "0"), ("p3", "0"), ("p6", "0"), ("p9", "0")]
    assert c.scan(TableName="Gix", IndexName="byG")["Count"] == 4
    desc = {g["IndexName"]: g for g in c.describe_table(TableName="Gix")["Table"][
        "GlobalSecondaryIndexes"]}
    assert desc["byG"]["ItemCount"] == 4 and desc["byH"]["ItemCount"] == 0
    c.update_item(TableName="Gix", Key={"pk": {"S": "p3"}, "sk": {"N": "0"}},
                  UpdateExpression="REMOVE g")
    c.update_item(TableName="Gix", Key={"pk": {"S": "p4"}, "sk": {"N": "0"}},
                  UpdateExpression="SET g = :g", ExpressionAttributeValues={":g": {"S": "red"}})
    ddb.run(ms=LAG[1])
    assert query_g(c, "red") == [("p0", "0"), ("p4", "0"), ("p6", "0"), ("p9", "0")]


def test_backfill_by_update_table_then_query():
    ddb, c = service(indexes={"gsi_backfill_rate": 100})   # 10 items a 100 ms step
    make(ddb, c, gsis=(), lsis=())
    for i in range(45):
        c.put_item(TableName="Gix", Item={"pk": {"S": f"p{i}"}, "sk": {"N": "1"},
                                        "g": {"S": "red" if i % 2 else "blue"}})
    d = c.update_table(TableName="Gix", AttributeDefinitions=AD[:3],
                       GlobalSecondaryIndexUpdates=[{"Create": BY_G}])["TableDescription"]
    [g] = d["GlobalSecondaryIndexes"]
    assert (d["TableStatus"], g["IndexStatus"], g["Backfilling"]) == ("UPDATING", "CREATING", False)
    ddb.run(ms=state_of(ddb).timing.update_ms)
    t = c.describe_table(TableName="Gix")["Table"]
    [g] = t["GlobalSecondaryIndexes"]
    assert (t["TableStatus"], g["IndexStatus"], g["Backfilling"]) == ("ACTIVE", "CREATING", True)
    assert 0 < g["ItemCount"] < 45                        # part way
    # writes during the backfill: behind and ahead of the cursor, keys moved and removed
    c.put_item(TableName="Gix", Item={"pk": {"S": "new"}, "sk": {"N": "1"}, "g": {"S": "red"}})
    for i in (0, 44):
        c.update_item(TableName="Gix", Key={"pk": {"S": f"p{i}"}, "sk": {"N": "1"}},
                      UpdateExpression="SET g = :g", ExpressionAttributeValues={":g": {"S": "red"}})
    c.update_item(TableName="Gix", Key={"pk": {"S": "p1"}, "sk": {"N": "1"}}, UpdateExpression="REMOVE g")
    c.delete_item(TableName="Gix", Key={"pk": {"S": "p3"}, "sk": {"N": "1"}})
    for _ in range(20):
        if c.describe_table(TableName="Gix")["Table"]["GlobalSecondaryIndexes"][0][
                "IndexStatus"] == "ACTIVE":
            break
        ddb.run(ms=100)
    [g] = c.describe_table(TableName="Gix")["Table"]["GlobalSecondaryIndexes"]
    assert g["IndexStatus"] == "ACTIVE" and "Backfilling" not in g
    ddb.run(ms=LAG[1])
    want = sorted([(f"p{i}", "1") for i in range(5, 45, 2)] + [("new", "1"), ("p0", "1"),
                                                               ("p44", "1")])
    assert query_g(c, "red") == want
    assert held(ddb, "Gix", "byG") == projection_of(ddb, "Gix", "byG")
    started, done = ddb.log.of_kind("gsi.backfill")
    assert (started["phase"], started["items"], done["phase"]) == ("started", 45, "done")
    assert done.t - started.t >= 400                      # 45 items at 100 a second
    state_of(ddb).tables["Gix"]._check()


def test_delete_index_drops_its_changes_in_flight():
    ddb, c = service()
    make(ddb, c)
    for i in range(5):
        c.put_item(TableName="Gix", Item={"pk": {"S": f"p{i}"}, "sk": {"N": "1"}, "g": {"S": "red"}})
    assert propagation.lag(ddb, "Gix", "byG")["pending"] == 5
    c.update_table(TableName="Gix", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byG"}}])
    applied = len(ddb.log.of_kind("gsi.applied"))
    ddb.run(ms=LAG[1] + state_of(ddb).timing.update_ms)
    assert len(ddb.log.of_kind("gsi.applied")) == applied   # nothing reached a deleted index
    with pytest.raises(ClientError) as e:
        query_g(c, "red")
    assert err(e) == ("ValidationException", "The table does not have the specified index: byG")
    with pytest.raises(KeyError):
        propagation.lag(ddb, "Gix", "byG")
    names = [g["IndexName"] for g in c.describe_table(TableName="Gix")["Table"][
        "GlobalSecondaryIndexes"]]
    assert names == ["byH"]
    state_of(ddb).tables["Gix"]._check()


def test_delete_an_index_while_it_backfills():
    ddb, c = service(indexes={"gsi_backfill_rate": 10})
    make(ddb, c, gsis=(), lsis=())
    for i in range(30):
        c.put_item(TableName="Gix", Item={"pk": {"S": f"p{i}"}, "sk": {"N": "1"}, "g": {"S": "red"}})
    c.update_table(TableName="Gix", AttributeDefinitions=AD[:3],
                   GlobalSecondaryIndexUpdates=[{"Create": BY_G}])
    ddb.run(ms=state_of(ddb).timing.update_ms + 200)
    [g] = c.describe_table(TableName="Gix")["Table"]["GlobalSecondaryIndexes"]
    assert g["Backfilling"] is True
    c.update_table(TableName="Gix", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byG"}}])
    ddb.run(ms=5000)
    assert "GlobalSecondaryIndexes" not in c.describe_table(TableName="Gix")["Table"]
    assert [e["phase"] for e in ddb.log.of_kind("gsi.backfill")] == ["started"]


def test_consistent_read_on_a_gsi_is_refused():
    ddb, c = service()
    make(ddb, c)
    for op in (c.query, c.scan):
        kw = {"KeyConditionExpression": "g = :g",
              "ExpressionAttributeValues": {":g": {"S": "red"}}} if op == c.query else {}
        with pytest.raises(ClientError) as e:
            op(TableName="Gix", IndexName="byG", ConsistentRead=True, **kw)
        assert err(e) == ("ValidationException",
                          "Consistent reads are not supported on global secondary indexes")
    r = c.query(TableName="Gix", IndexName="byL", ConsistentRead=True,
                KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})
    assert r["Count"] == 0


def _gsi_tokens(ddb, name="Gix", index="byG"):
    cap = ddb.table_capacity(name, index)
    return sum(cap.tokens(p["id"], "write", ddb.sim.now) for p in ddb.partitions(name, index))


def test_index_writes_follow_dynamodbs_rule():
    """0, 1 or 2 writes to the GSI per change, charged on the GSI's capacity."""
    ddb, c = service(lag=(0, 0))
    pt = {"ReadCapacityUnits": 100, "WriteCapacityUnits": 100}
    make(ddb, c, gsis=({**BY_G, "ProvisionedThroughput": pt},), lsis=(), ProvisionedThroughput=pt)
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}

    def cost(**kw):
        before = _gsi_tokens(ddb)
        c.update_item(TableName="Gix", Key=key, **kw)
        return round(before - _gsi_tokens(ddb))

    set_ = lambda expr, **v: dict(UpdateExpression=expr, ExpressionAttributeValues={  # noqa
        f":{k}": {"S": x} for k, x in v.items()})
    assert cost(**set_("SET w = :w", w="1")) == 0                 # not in the index
    assert cost(**set_("SET g = :g", g="red")) == 1               # enters it
    assert cost(**set_("SET w = :w", w="2")) == 0                 # w is not projected
    assert cost(**set_("SET v = :v", v="2")) == 1                 # v is projected
    assert cost(**set_("SET g = :g", g="blue")) == 2              # key moves: delete + put
    assert cost(UpdateExpression="REMOVE g") == 1                 # leaves it


def test_back_pressure_throttles_and_leaves_no_trace():
    ddb, c = service(capacity={"burst_seconds": 1})
    make(ddb, c, gsis=({**BY_G, "ProvisionedThroughput": {"ReadCapacityUnits": 1,
                                                           "WriteCapacityUnits": 1}},),
         lsis=(), ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 100},
         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    ddb.run(ms=2000)
    e = None
    for i in range(20):
        try:
            c.put_item(TableName="Gix", Item={"pk": {"S": f"p{i}"}, "sk": {"N": "1"},
                                            "g": {"S": "red"}})
        except ClientError as exc:
            e = exc
            break
    assert e is not None and i > 0
    assert (e.response["Error"]["Code"], e.response["Error"]["Message"]) == (
        "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for one or more global secondary "
        "indexes of the table was exceeded. Consider increasing your provisioning level for "
        "the under-provisioned global secondary indexes with the UpdateTable API")
    pending = propagation.lag(ddb, "Gix", "byG")["pending"]
    ddb.run(ms=LAG[1])
    table = state_of(ddb).tables["Gix"]
    assert table.get({"pk": {"S": f"p{i}"}, "sk": {"N": "1"}}) is None
    assert table.item_count == i
    assert [k for k in query_g(c, "red")] == sorted((f"p{n}", "1") for n in range(i))
    assert len(ddb.log.of_kind("gsi.applied")) == i and pending <= i
    sc = ddb.streams_client()
    arn = c.describe_table(TableName="Gix")["Table"]["LatestStreamArn"]
    keys = []
    for sh in sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = sc.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"],
                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        keys += [r["dynamodb"]["Keys"]["pk"]["S"] for r in sc.get_records(ShardIterator=it)["Records"]]
    assert sorted(keys) == sorted(f"p{n}" for n in range(i))
    # an item without the GSI key writes nothing to the index: not held back
    c.put_item(TableName="Gix", Item={"pk": {"S": "free"}, "sk": {"N": "1"}})
    table._check()


def test_an_index_made_with_its_table_shows_no_backfilling():
    ddb, c = service()
    d = c.create_table(TableName="Gix", KeySchema=KS, AttributeDefinitions=AD[:3],
                       BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=[BY_G])
    [g] = d["TableDescription"]["GlobalSecondaryIndexes"]
    assert g["IndexStatus"] == "CREATING" and "Backfilling" not in g
    c.get_waiter("table_exists").wait(TableName="Gix", WaiterConfig={"Delay": 1})
    [g] = c.describe_table(TableName="Gix")["Table"]["GlobalSecondaryIndexes"]
    assert g["IndexStatus"] == "ACTIVE" and "Backfilling" not in g
    state_of(ddb).tables["Gix"].indexes["byG"].check_readable()     # nothing to wait for


def test_a_backfilling_index_says_it_cannot_be_read_yet():
    from dynamo_lab.dynamodb.errors import ValidationError
    ddb, c = service(indexes={"gsi_backfill_rate": 10})
    make(ddb, c, gsis=(), lsis=())
    for i in range(20):
        c.put_item(TableName="Gix", Item={"pk": {"S": f"p{i}"}, "sk": {"N": "1"}, "g": {"S": "red"}})
    c.update_table(TableName="Gix", AttributeDefinitions=AD[:3],
                   GlobalSecondaryIndexUpdates=[{"Create": BY_G}])
    ix = state_of(ddb).tables["Gix"].indexes["byG"]
    ddb.run(ms=state_of(ddb).timing.update_ms + 100)
    with pytest.raises(ValidationError) as e:
        ix.check_readable()
    assert e.value.message == "Cannot read from backfilling global secondary index: byG"
    ddb.run(ms=3000)
    ix.check_readable()
