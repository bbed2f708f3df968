"""The service's partitions through boto3: the partition map and the stored
items are one truth; splits for size, throughput and by hand; no merges.

Sizes: the deck's "8 GB" table is made cheap by scaling the units down by
2**20: a partition size limit of 10 KB stands for 10 GB, and 8 KB of items
for 8 GB. The arithmetic (and so the partition count) is the same.
"""
from dynamo_lab.dynamodb.partitions.partitioning import partitions_needed
from dynamo_lab.dynamodb.service import DynamoDB, state_of

KS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]
KB = 1024


def _table(c, name, **kw):
    if "ProvisionedThroughput" not in kw:
        kw["BillingMode"] = "PAY_PER_REQUEST"
    c.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, **kw)
    c.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})


def _consistent(ddb, name):
    t = state_of(ddb).tables[name]
    t._check()
    parts = ddb.partitions(name)
    store = t.store.partitions
    assert [(p["id"], p["start"], p["end"]) for p in parts] == \
        [(s.id, s.start, s.end) for s in store]
    for p in parts:
        assert p["items"] == p["item_count"] and p["bytes"] == p["size_bytes"]
        assert len(set(p["zones"])) == 3 and len(p["replicas"]) == 3
        assert p["leader"] in p["replicas"]
    t.layout.pmap._check()
    return parts


def test_slide_8gb_5000rcu_500wcu_gives_three_partitions():
    ddb = DynamoDB(seed=1, partition_size_limit=10 * KB)       # 10 KB stands for 10 GB
    c = ddb.client(retries=0)
    _table(c, "Slide", ProvisionedThroughput={"ReadCapacityUnits": 5000,
                                              "WriteCapacityUnits": 500})
    i = 0
    while state_of(ddb).tables["Slide"].size_bytes < 8 * KB:          # "8 GB"
        c.put_item(TableName="Slide", Item={"pk": {"S": f"c{i % 40}"}, "sk": {"N": str(i)},
                                            "d": {"S": "x" * 60}})
        i += 1
    parts = _consistent(ddb, "Slide")
    plan = partitions_needed(5000, 500, state_of(ddb).tables["Slide"].size_bytes, 10 * KB)
    assert (plan.for_throughput, plan.for_size, plan.count) == (3, 1, 3)
    assert len(parts) == 3
    assert [(round(p["rcu"], 2), round(p["wcu"], 2)) for p in parts] == [(1666.67, 166.67)] * 3
    assert [p["start"] >> 120 for p in parts] == [0x00, 0x55, 0xAA]
    assert sum(p["items"] for p in parts) == i


def test_split_for_size_keeps_every_item_readable_in_order():
    ddb = DynamoDB(seed=2, partition_size_limit=6 * KB)
    c = ddb.client(retries=0)
    _table(c, "Big")
    n = 420
    for i in range(n):
        c.put_item(TableName="Big", Item={"pk": {"S": f"h{i % 30}"}, "sk": {"N": str(i)},
                                          "d": {"S": "y" * 40}})
    parts = _consistent(ddb, "Big")
    assert len(parts) > 3
    assert all(p["bytes"] <= 6 * KB for p in parts)
    splits = ddb.log.of_kind("partition.split")
    assert splits and {e.reason for e in splits} == {"size"}
    assert sum(p["items"] for p in parts) == n
    # every item readable, every hash key's run in order, the scan complete
    for h in range(30):
        r = c.query(TableName="Big", KeyConditionExpression="pk = :h",
                    ExpressionAttributeValues={":h": {"S": f"h{h}"}})
        assert [int(x["sk"]["N"]) for x in r["Items"]] == list(range(h, n, 30))
    got = c.get_item(TableName="Big", Key={"pk": {"S": "h7"}, "sk": {"N": "307"}})
    assert got["Item"]["d"]["S"] == "y" * 40
    seen = [x for page in c.get_paginator("scan").paginate(TableName="Big")
            for x in page["Items"]]
    assert len(seen) == n
    # each item's event names the partition that held it then; the last
    # event of each key names a partition on today's map or an ancestor of one
    ids = {p["id"] for p in parts}
    last = ddb.log.of_kind("item.put")[-1]
    assert last.partition in ids


def test_throughput_raise_doubles_partitions_and_lowering_never_merges():
    ddb = DynamoDB(seed=3)
    c = ddb.client(retries=0)
    _table(c, "Tpt", ProvisionedThroughput={"ReadCapacityUnits": 1000, "WriteCapacityUnits": 500})
    for i in range(50):
        c.put_item(TableName="Tpt", Item={"pk": {"S": f"k{i}"}, "sk": {"N": "1"}})
    assert len(ddb.partitions("Tpt")) == 1                # 1000/3000 + 500/1000 -> 1
    c.update_table(TableName="Tpt", ProvisionedThroughput={"ReadCapacityUnits": 5000,
                                                          "WriteCapacityUnits": 2500})
    parts = _consistent(ddb, "Tpt")
    assert len(parts) == 8                               # needs 5: 1 -> 2 -> 4 -> 8
    assert {e.reason for e in ddb.log.of_kind("partition.split")} == {"throughput"}
    assert all(p["rcu"] == 625 and p["wcu"] == 312.5 for p in parts)
    c.get_waiter("table_exists").wait(TableName="Tpt", WaiterConfig={"Delay": 1})
    c.update_table(TableName="Tpt", ProvisionedThroughput={"ReadCapacityUnits": 10,
                                                          "WriteCapacityUnits": 10})
    parts = _consistent(ddb, "Tpt")
    assert len(parts) == 8 and all(p["wcu"] == 1.25 for p in parts)
    assert sum(p["items"] for p in parts) == 50
    for i in range(50):
        assert "Item" in c.get_item(TableName="Tpt", Key={"pk": {"S": f"k{i}"}, "sk": {"N": "1"}})


def test_gsi_has_its_own_partition_map():
    ddb = DynamoDB(seed=4, partition_size_limit=4 * KB)
    c = ddb.client(retries=0)
    c.create_table(TableName="Gix", KeySchema=KS, BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=AD + [{"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexes=[{"IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
                                            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])
    c.get_waiter("table_exists").wait(TableName="Gix", WaiterConfig={"Delay": 1})
    for i in range(200):
        c.put_item(TableName="Gix", Item={"pk": {"S": f"p{i}"}, "sk": {"N": str(i)},
                                        "g": {"S": f"g{i % 20}"}, "d": {"S": "z" * 30}})
    gparts = ddb.partitions("Gix", index="byG")
    assert len(gparts) > 1 and sum(p["items"] for p in gparts) == 200
    ix = state_of(ddb).tables["Gix"].indexes["byG"]
    assert [(p["id"], p["start"]) for p in gparts] == [(s.id, s.start) for s in ix.store.partitions]
    state_of(ddb).tables["Gix"]._check()
    r = c.query(TableName="Gix", IndexName="byG", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "g3"}})
    assert r["Count"] == 10


def test_same_seed_same_partitions():
    def run():
        ddb = DynamoDB(seed=9, partition_size_limit=8 * KB)
        c = ddb.client(retries=0)
        _table(c, "Ddd")
        for i in range(200):
            c.put_item(TableName="Ddd", Item={"pk": {"S": f"h{i % 13}"}, "sk": {"N": str(i)},
                                            "d": {"S": "q" * 20}})
        return ddb.partitions("Ddd"), [(e.t, e.kind) for e in ddb.log]
    assert run() == run()


def test_a_split_moves_the_items_with_their_owner_and_check_catches_a_stray_item():
    """One owner per partition: the map's split makes two owners and moves
    the items (no separate store to tell). An item put by hand into the
    wrong owner is caught by _check()."""
    import pytest
    ddb = DynamoDB(seed=2)
    c = ddb.client(retries=0)
    _table(c, "Drift")
    for i in range(20):
        c.put_item(TableName="Drift", Item={"pk": {"S": f"k{i}"}, "sk": {"N": "1"}})
    t = state_of(ddb).tables["Drift"]
    t._check()
    s = t.layout.pmap.split("p0", "heat")  # the map splits; the items move with it
    t._check()
    left, right = (t.layout.pmap.get(pid) for pid in s.children)
    assert t.store.partitions == [left, right]
    assert left.item_count + right.item_count == 20 and left.items and right.items
    skey = left.items.keys()[0]
    right.put(skey, left.delete(skey), 1)  # an item in the wrong owner's range
    with pytest.raises(AssertionError):
        t._check()
