"""Replica groups inside the DynamoDB service (replication.py): lagging
replicas and stale eventually consistent reads, strongly consistent reads,
leader failover with no acknowledged write lost, writes without a quorum,
splits, determinism; and the LSI item-collection size limit."""
import pytest
from botocore.exceptions import ClientError

from dynamo_lab.dynamodb.service import DynamoDB, state_of

KS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]


def make(seed=0, lag=(100, 100), **opts):
    svc = DynamoDB(seed=seed, create_ms=0, replication={"lag_ms": lag, **opts})
    c = svc.client(retries=0)
    c.create_table(TableName="Tab", KeySchema=KS, AttributeDefinitions=AD,
                   BillingMode="PAY_PER_REQUEST")
    svc.run(ms=1)
    return svc, c


def key(pk="a", sk="1"):
    return {"pk": {"S": pk}, "sk": {"N": sk}}


def item(pk="a", sk="1", v="1"):
    return {**key(pk, sk), "v": {"N": v}}


def code(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e["Message"]


def leader_of(svc, k=None):
    return next(r["replica"] for r in svc.replicas("Tab", k or key()) if r["leader"])


def stale_reads(svc):
    return [(e.t, e.partition, e.replica, e.behind) for e in svc.log
            if e.kind == "replica.stale_read"]


# -- stale reads ----------------------------------------------------------------------
def test_stale_read_observed_then_gone_after_the_lag():
    svc, c = make(lag=(100, 100))
    c.put_item(TableName="Tab", Item=item(v="1"))
    svc.run(ms=200)
    c.put_item(TableName="Tab", Item=item(v="2"))
    t0 = svc.sim.now
    reps = svc.replicas("Tab", key())
    assert sorted(r["behind"] for r in reps) == [0, 0, 1]
    lagging = next(r for r in reps if r["behind"])
    assert not lagging["leader"] and lagging["item"]["v"] == {"N": "1"}
    seen = [c.get_item(TableName="Tab", Key=key())["Item"]["v"]["N"] for _ in range(30)]
    assert svc.sim.now - t0 < 100 and set(seen) == {"1", "2"}
    assert stale_reads(svc)[0][2:] == (lagging["replica"], 1)
    svc.run(ms=100)
    assert [r["behind"] for r in svc.replicas("Tab", key())] == [0, 0, 0]
    after = [c.get_item(TableName="Tab", Key=key())["Item"]["v"]["N"] for _ in range(30)]
    assert set(after) == {"2"}


def test_stale_query_scan_and_batch_get_see_the_older_images():
    svc, c = make(seed=4, lag=(150, 150))
    for sk in "123":
        c.put_item(TableName="Tab", Item=item(sk=sk, v="1"))
    svc.run(ms=300)
    c.delete_item(TableName="Tab", Key=key(sk="1"))             # the lagging replica still has it
    c.put_item(TableName="Tab", Item=item(sk="2", v="2"))        # ... the old v
    c.put_item(TableName="Tab", Item=item(sk="4", v="1"))        # ... not this one
    fresh = [("2", "2"), ("3", "1"), ("4", "1")]
    old = [("1", "1"), ("2", "1"), ("3", "1")]

    def rows(items):
        return [(i["sk"]["N"], i["v"]["N"]) for i in items]
    q = [rows(c.query(TableName="Tab", KeyConditionExpression="pk = :p",
                      ExpressionAttributeValues={":p": {"S": "a"}})["Items"]) for _ in range(20)]
    s = [rows(c.scan(TableName="Tab")["Items"]) for _ in range(20)]
    back = [rows(reversed(c.query(TableName="Tab", KeyConditionExpression="pk = :p",
                                  ScanIndexForward=False,
                                  ExpressionAttributeValues={":p": {"S": "a"}})["Items"]))
            for _ in range(20)]
    b = [rows(c.batch_get_item(RequestItems={"Tab": {"Keys": [key(sk=n) for n in "1234"]}})
              ["Responses"]["Tab"]) for _ in range(20)]
    for got in (q, s, back):
        assert {tuple(r) for r in got} == {tuple(fresh), tuple(old)}
    # BatchGetItem reads each key on its own (a replica chosen per key)
    assert all(set(r) <= set(fresh) | set(old) for r in b)
    assert any(("1", "1") in r for r in b) and any(sorted(r) == fresh for r in b)
    # Paging across a stale replica still returns a page of real keys.
    page = c.query(TableName="Tab", KeyConditionExpression="pk = :p", Limit=1,
                   ExpressionAttributeValues={":p": {"S": "a"}})
    assert page["Count"] == 1 and "LastEvaluatedKey" in page
    svc.run(ms=200)
    assert rows(c.scan(TableName="Tab")["Items"]) == fresh
    assert state_of(svc).internal_errors == []


def test_consistent_reads_are_never_stale():
    svc, c = make(seed=2, lag=(5, 200))
    for i in range(60):
        c.put_item(TableName="Tab", Item=item(v=str(i)))
        got = c.get_item(TableName="Tab", Key=key(), ConsistentRead=True)["Item"]["v"]["N"]
        q = c.query(TableName="Tab", KeyConditionExpression="pk = :p", ConsistentRead=True,
                    ExpressionAttributeValues={":p": {"S": "a"}})["Items"]
        assert got == str(i) and q[0]["v"]["N"] == str(i)
    assert stale_reads(svc) == []
    assert c.get_item(TableName="Tab", Key=key(), ReturnConsumedCapacity="TOTAL",
                      ConsistentRead=True)["ConsumedCapacity"]["CapacityUnits"] == 1.0
    assert c.get_item(TableName="Tab", Key=key(), ReturnConsumedCapacity="TOTAL"
                      )["ConsumedCapacity"]["CapacityUnits"] == 0.5


def test_default_replicas_apply_at_once():
    svc = DynamoDB(seed=0, create_ms=0)
    c = svc.client()
    c.create_table(TableName="Tab", KeySchema=KS, AttributeDefinitions=AD,
                   BillingMode="PAY_PER_REQUEST")
    svc.run(ms=1)
    for i in range(50):
        c.put_item(TableName="Tab", Item=item(v=str(i)))
        assert c.get_item(TableName="Tab", Key=key())["Item"]["v"]["N"] == str(i)
    assert stale_reads(svc) == [] and state_of(svc).replication.quiet()


def test_the_log_is_pruned():
    svc, c = make(lag=(5, 20))
    for i in range(300):
        c.put_item(TableName="Tab", Item=item(sk=str(i)))
    groups = state_of(svc).replication.replica_set(state_of(svc).tables["Tab"].layout).all()
    assert max(len(g.log) for g in groups) <= 21
    svc.run(ms=50)
    c.get_item(TableName="Tab", Key=key())
    assert sum(g.pending(svc.sim.now) for g in groups) == 0
    assert all(len(g.log) == 0 for g in groups)


def test_same_seed_same_stale_reads():
    def run(seed):
        svc, c = make(seed=seed, lag=(5, 200))
        out = []
        for i in range(80):
            c.put_item(TableName="Tab", Item=item(sk=str(i % 7), v=str(i)))
            out.append(c.get_item(TableName="Tab", Key=key(sk=str((i * 3) % 7))).get("Item"))
        return out, stale_reads(svc)
    a, b = run(11), run(11)
    assert a == b and a[1]
    assert run(12)[1] != a[1]


# -- failures ---------------------------------------------------------------------------
def test_storage_nodes_and_replicas_in_three_zones():
    svc, c = make()
    nodes = svc.storage_nodes()
    assert sorted(nodes) == ["az-a", "az-b", "az-c"]
    assert all(len(ns) == 3 for ns in nodes.values())
    reps = svc.replicas("Tab", key())
    assert len({r["zone"] for r in reps}) == 3 and sum(r["leader"] for r in reps) == 1
    part = svc.partitions("Tab")[0]
    assert tuple(r["replica"] for r in reps) == part["replicas"]
    assert leader_of(svc) == part["leader"]
    with pytest.raises(ValueError):
        svc.crash_node("sn-z9")


def test_leader_crash_fails_over_after_detection():
    svc, c = make(lag=(5, 50), detect_ms=1500)
    c.put_item(TableName="Tab", Item=item(v="1"))
    svc.run(ms=100)
    old = leader_of(svc)
    svc.crash_node(old)
    t0 = svc.sim.now
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="Tab", Item=item(v="2"))
    assert code(e) == ("InternalServerError", "Internal server error")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    with pytest.raises(ClientError):
        c.get_item(TableName="Tab", Key=key(), ConsistentRead=True)
    # an eventually consistent read is still answered by a live replica
    assert c.get_item(TableName="Tab", Key=key())["Item"]["v"] == {"N": "1"}
    svc.run(ms=1500 - (svc.sim.now - t0))
    ev = [e for e in svc.log if e.kind == "partition.leader"]
    assert len(ev) == 1 and ev[0].previous == old and ev[0].reason == "failover"
    assert ev[0].t == t0 + 1500 and ev[0].index is None and ev[0].table == "Tab"
    new = leader_of(svc)
    assert new == ev[0].leader != old and svc.partitions("Tab")[0]["leader"] == new
    c.put_item(TableName="Tab", Item=item(v="2"))
    assert c.get_item(TableName="Tab", Key=key(), ConsistentRead=True)["Item"]["v"] == {"N": "2"}
    svc.recover_node(old)
    assert [r["up"] for r in svc.replicas("Tab", key())] == [True, True, True]
    assert leader_of(svc) == new        # it comes back as a follower
    assert [e.kind for e in svc.log if e.kind.startswith("storage.")] == \
        ["storage.crash", "storage.recover"]
    assert state_of(svc).internal_errors == []


def test_sdk_retries_ride_out_a_failover():
    svc, _ = make(detect_ms=300)
    c = svc.client(retries=10)
    svc.crash_node(leader_of(svc))
    c.put_item(TableName="Tab", Item=item(v="9"))
    assert any(e.kind == "client.retry" for e in svc.log)
    assert c.get_item(TableName="Tab", Key=key(), ConsistentRead=True)["Item"]["v"] == {"N": "9"}


@pytest.mark.parametrize("seed", range(12))
def test_no_acknowledged_write_is_lost_across_failovers(seed):
    svc = DynamoDB(seed=seed, create_ms=0,
                   replication={"lag_ms": (5, 400), "detect_ms": 300})
    c = svc.client(retries=12)
    c.create_table(TableName="Tab", KeySchema=KS, AttributeDefinitions=AD,
                   BillingMode="PAY_PER_REQUEST")
    svc.run(ms=1)
    rng = svc.sim.rng_for("test.workload")
    acked: dict = {}
    crashed = None
    for i in range(160):
        if i % 40 == 10:
            crashed = leader_of(svc)
            svc.crash_node(crashed)
        if i % 40 == 30 and crashed:
            svc.recover_node(crashed)
            crashed = None
        sk = str(rng.randrange(12))
        try:
            c.put_item(TableName="Tab", Item=item(sk=sk, v=str(i)))
        except ClientError as e:
            assert e.response["Error"]["Code"] == "InternalServerError"
            continue
        acked[sk] = str(i)
    assert len(acked) >= 10
    for sk, v in acked.items():
        got = c.get_item(TableName="Tab", Key=key(sk=sk), ConsistentRead=True)["Item"]
        assert got["v"]["N"] == v
    svc.run(ms=500)
    for r in svc.replicas("Tab", key()):
        assert r["behind"] == 0
    assert any(e.kind == "partition.leader" for e in svc.log)
    assert state_of(svc).internal_errors == []


def test_writes_without_two_replicas_fail_and_change_nothing():
    svc, c = make(lag=(5, 50))
    c.put_item(TableName="Tab", Item=item(v="1"))
    svc.run(ms=100)
    peers = [r["replica"] for r in svc.replicas("Tab", key()) if not r["leader"]]
    for p in peers:
        svc.crash_node(p)
    before = [dict(i) for _, i in state_of(svc).tables["Tab"].store.scan_from(None)]
    nlog = len([e for e in svc.log if e.kind.startswith("item.")])
    calls = [
        lambda: c.put_item(TableName="Tab", Item=item(v="2")),
        lambda: c.update_item(TableName="Tab", Key=key(), UpdateExpression="SET v = :v",
                              ExpressionAttributeValues={":v": {"N": "3"}}),
        lambda: c.delete_item(TableName="Tab", Key=key()),
        lambda: c.put_item(TableName="Tab", Item=item(v="2"),
                           ConditionExpression="attribute_not_exists(pk)"),
        lambda: c.batch_write_item(RequestItems={"Tab": [{"PutRequest": {"Item": item(sk="5")}}]}),
        lambda: c.transact_write_items(TransactItems=[{"Put": {"TableName": "Tab",
                                                               "Item": item(sk="6")}}]),
    ]
    for call in calls:
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == ("InternalServerError", "Internal server error")
    assert [dict(i) for _, i in state_of(svc).tables["Tab"].store.scan_from(None)] == before
    assert len([e for e in svc.log if e.kind.startswith("item.")]) == nlog
    # the leader alone still answers strongly consistent reads
    assert c.get_item(TableName="Tab", Key=key(), ConsistentRead=True)["Item"]["v"] == {"N": "1"}
    svc.recover_node(peers[0])
    c.put_item(TableName="Tab", Item=item(v="2"))
    assert state_of(svc).internal_errors == []


def test_leaderless_group_elects_when_a_majority_is_back():
    svc, c = make(lag=(5, 50), detect_ms=200)
    c.put_item(TableName="Tab", Item=item(v="1"))
    reps = svc.replicas("Tab", key())
    lead = leader_of(svc)
    other = [r["replica"] for r in reps if not r["leader"]]
    svc.crash_node(lead)
    svc.crash_node(other[0])
    svc.run(ms=300)                     # detection passed, but one replica is no majority
    assert not any(e.kind == "partition.leader" for e in svc.log)
    with pytest.raises(ClientError):
        c.put_item(TableName="Tab", Item=item(v="2"))
    assert c.get_item(TableName="Tab", Key=key())["Item"]["v"] == {"N": "1"}
    svc.recover_node(other[0])
    ev = [e for e in svc.log if e.kind == "partition.leader"]
    assert len(ev) == 1 and ev[0].reason == "quorum" and ev[0].leader in other
    c.put_item(TableName="Tab", Item=item(v="2"))
    assert c.get_item(TableName="Tab", Key=key(), ConsistentRead=True)["Item"]["v"] == {"N": "2"}


def test_all_replicas_down_fails_every_read():
    svc, c = make()
    c.put_item(TableName="Tab", Item=item())
    for r in svc.replicas("Tab", key()):
        svc.crash_node(r["replica"])
    for call in (lambda: c.get_item(TableName="Tab", Key=key()),
                 lambda: c.scan(TableName="Tab"),
                 lambda: c.batch_get_item(RequestItems={"Tab": {"Keys": [key()]}}),
                 lambda: c.transact_get_items(TransactItems=[{"Get": {"TableName": "Tab",
                                                                     "Key": key()}}])):
        with pytest.raises(ClientError) as e:
            call()
        assert code(e)[0] == "InternalServerError"


def test_splits_keep_replica_state():
    svc, c = make(lag=(50, 50))
    for i in range(40):
        c.put_item(TableName="Tab", Item=item(pk=f"k{i}"))
    svc.set_partition_size_limit("Tab", 200)
    parts = svc.partitions("Tab")
    assert len(parts) > 2
    rs = state_of(svc).replication.replica_set(state_of(svc).tables["Tab"].layout)
    for p in parts:                     # children start in sync, with the map's replicas
        g = rs.group(p["id"])
        assert g.replicas == p["replicas"] and g.leader == p["leader"]
        assert g.pending(svc.sim.now) == 0
    assert set(rs.groups) <= {p["id"] for p in parts}
    # crash one child's leader: that child fails over, its siblings keep theirs
    k = key(pk="k7")
    svc.crash_node(leader_of(svc, k))
    svc.run(ms=1600)
    ev = [e for e in svc.log if e.kind == "partition.leader"]
    assert ev and all(e.partition in {p["id"] for p in parts} for e in ev)
    c.put_item(TableName="Tab", Item=item(pk="k7", v="2"))
    assert c.get_item(TableName="Tab", Key=k, ConsistentRead=True)["Item"]["v"] == {"N": "2"}
    # a split after writes: what the lagging replica lacked, the children have
    c.put_item(TableName="Tab", Item=item(pk="k8", v="3"))
    svc.split_partition("Tab", svc.partitions("Tab")[0]["id"])
    for p in svc.partitions("Tab"):
        assert rs.group(p["id"]).leader == p["leader"]
    assert state_of(svc).internal_errors == []


# -- the LSI item-collection size limit ------------------------------------------------------
LSI_AD = AD + [{"AttributeName": "x", "AttributeType": "S"}]
LSI = [{"IndexName": "ByX", "Projection": {"ProjectionType": "ALL"},
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "x", "KeyType": "RANGE"}]}]
MESSAGE = "The total size of an item collection has exceeded the maximum limit of 10 gigabytes."


def lsi_table(limit=400):
    svc = DynamoDB(seed=0, create_ms=0, indexes={"item_collection_limit": limit})
    c = svc.client(retries=0)
    c.create_table(TableName="Tab", KeySchema=KS, AttributeDefinitions=LSI_AD,
                   LocalSecondaryIndexes=LSI, BillingMode="PAY_PER_REQUEST")
    svc.run(ms=1)
    return svc, c


def big(sk, pk="a", n=80):
    return {**key(pk, sk), "x": {"S": "x" * 5}, "pad": {"S": "p" * n}}


def state(svc):
    t = state_of(svc).tables["Tab"]
    return ([dict(i) for _, i in t.store.scan_from(None)],
            [dict(i) for _, i in t.indexes["ByX"].store.scan_from(None)], len(svc.log))


def test_item_collection_limit_putitem():
    svc, c = lsi_table(450)
    c.put_item(TableName="Tab", Item=big("1"))          # 2 x 95 bytes (item + LSI entry)
    c.put_item(TableName="Tab", Item=big("2"))
    before = state(svc)
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="Tab", Item=big("3"))
    assert code(e) == ("ItemCollectionSizeLimitExceededException", MESSAGE)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert state(svc) == before
    with pytest.raises(ClientError):
        c.update_item(TableName="Tab", Key=key(sk="1"), UpdateExpression="SET more = :m",
                      ExpressionAttributeValues={":m": {"S": "m" * 100}})
    assert state(svc) == before
    c.put_item(TableName="Tab", Item=big("3", pk="b"))  # another collection has room
    c.put_item(TableName="Tab", Item=big("1", n=10))    # shrinking is always allowed
    c.put_item(TableName="Tab", Item=big("3"))          # ... and makes room
    m = c.put_item(TableName="Tab", Item=big("2", n=1), ReturnItemCollectionMetrics="SIZE")
    assert m["ItemCollectionMetrics"]["SizeEstimateRangeGB"] == [0.0, 1.0]
    t = state_of(svc).tables["Tab"]
    from dynamo_lab.dynamodb.model.size import item_size
    from dynamo_lab.dynamodb.operations.items import collection_size
    skey = t.schema.storage_key(key())
    expect = sum(2 * item_size(i) for _, i in t.store.scan_from(None) if i["pk"] == {"S": "a"})
    assert collection_size(t, skey) == expect


def test_item_collection_limit_batch_and_transaction():
    svc, c = lsi_table(400)
    c.put_item(TableName="Tab", Item=big("1"))
    before = state(svc)
    with pytest.raises(ClientError) as e:
        c.batch_write_item(RequestItems={"Tab": [{"PutRequest": {"Item": big("2")}},
                                                 {"PutRequest": {"Item": big("3")}}]})
    assert code(e) == ("ItemCollectionSizeLimitExceededException", MESSAGE)
    assert state(svc) == before
    with pytest.raises(ClientError) as e:
        c.transact_write_items(TransactItems=[
            {"Put": {"TableName": "Tab", "Item": big("2", pk="b")}},
            {"Put": {"TableName": "Tab", "Item": big("2")}},
            {"Put": {"TableName": "Tab", "Item": big("3")}}])
    assert e.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = e.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "None", "ItemCollectionSizeLimitExceeded"]
    assert reasons[2]["Message"] == "Collection size exceeded."
    assert state(svc)[:2] == before[:2]
    c.batch_write_item(RequestItems={"Tab": [{"PutRequest": {"Item": big("2")}},
                                             {"PutRequest": {"Item": big("3", pk="b")}}]})
    assert len(state(svc)[0]) == 3


def test_tables_without_lsi_have_no_collection_limit():
    svc = DynamoDB(seed=0, create_ms=0, indexes={"item_collection_limit": 100})
    c = svc.client(retries=0)
    c.create_table(TableName="Tab", KeySchema=KS, AttributeDefinitions=AD,
                   BillingMode="PAY_PER_REQUEST")
    svc.run(ms=1)
    for i in range(5):
        c.put_item(TableName="Tab", Item={**key(sk=str(i)), "pad": {"S": "p" * 80}})
    assert state_of(svc).tables["Tab"].item_count == 5


# -- a random walk against a model -------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_random_walk_reads_see_acknowledged_writes_only(seed):
    """Puts, deletes, reads of both kinds, crashes, recoveries and time
    passing, at random: a strongly consistent read returns the last
    acknowledged write; an eventually consistent one some acknowledged
    version of the key (or its absence before one); invariants hold."""
    svc = DynamoDB(seed=seed, create_ms=0, partition_size_limit=120,
                   replication={"lag_ms": (1, 120), "detect_ms": 150})
    c = svc.client(retries=0)
    c.create_table(TableName="Tab", KeySchema=KS, AttributeDefinitions=AD,
                   BillingMode="PAY_PER_REQUEST")
    svc.run(ms=1)
    rng = svc.sim.rng_for("test.walk")
    nodes = [n for ns in svc.storage_nodes().values() for n in ns]
    latest: dict = {}
    history: dict = {}
    for step in range(400):
        k = f"k{rng.randrange(15)}"
        op = rng.random()
        try:
            if op < 0.35:
                v = str(step)
                c.put_item(TableName="Tab", Item=item(pk=k, v=v))
                latest[k] = v
                history.setdefault(k, {None}).add(v)
            elif op < 0.45:
                c.delete_item(TableName="Tab", Key=key(pk=k))
                latest[k] = None
                history.setdefault(k, {None}).add(None)
            elif op < 0.65:
                got = c.get_item(TableName="Tab", Key=key(pk=k), ConsistentRead=True)
                assert (got.get("Item") or {}).get("v", {}).get("N") == latest.get(k)
            elif op < 0.85:
                got = c.get_item(TableName="Tab", Key=key(pk=k))
                assert (got.get("Item") or {}).get("v", {}).get("N") in history.get(k, {None})
            elif op < 0.9:
                svc.crash_node(rng.choice(nodes))
            elif op < 0.96:
                if state_of(svc).replication.down:
                    svc.recover_node(rng.choice(sorted(state_of(svc).replication.down)))
            else:
                svc.run(ms=rng.randrange(300))
        except ClientError as e:
            assert e.response["Error"]["Code"] == "InternalServerError", e
        state_of(svc).replication._check()
    for n in sorted(state_of(svc).replication.down):
        svc.recover_node(n)
    svc.run(ms=500)
    rows = {i["pk"]["S"]: i["v"]["N"] for i in c.scan(TableName="Tab")["Items"]}
    assert rows == {k: v for k, v in latest.items() if v is not None}
    assert len(svc.partitions("Tab")) > 1 and state_of(svc).internal_errors == []


def test_stale_query_on_a_local_secondary_index():
    svc = DynamoDB(seed=5, create_ms=0, replication={"lag_ms": (100, 100)})
    c = svc.client(retries=0)
    c.create_table(TableName="Tab", KeySchema=KS, AttributeDefinitions=LSI_AD,
                   LocalSecondaryIndexes=LSI, BillingMode="PAY_PER_REQUEST")
    svc.run(ms=1)
    c.put_item(TableName="Tab", Item={**key(), "x": {"S": "old"}})
    c.put_item(TableName="Tab", Item={**key(sk="2"), "x": {"S": "zzz"}})
    svc.run(ms=200)
    c.put_item(TableName="Tab", Item={**key(), "x": {"S": "new"}})

    def lsi(**kw):
        return [(i["x"]["S"], i["sk"]["N"]) for i in c.query(
            TableName="Tab", IndexName="ByX", KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "a"}}, **kw)["Items"]]
    seen = {tuple(lsi()) for _ in range(20)}
    assert seen == {(("new", "1"), ("zzz", "2")), (("old", "1"), ("zzz", "2"))}
    assert {tuple(lsi(ConsistentRead=True)) for _ in range(10)} == {(("new", "1"), ("zzz", "2"))}
    assert any(e.kind == "replica.stale_read" for e in svc.log)
    svc.run(ms=100)
    assert {tuple(lsi()) for _ in range(10)} == {(("new", "1"), ("zzz", "2"))}


def test_batches_leave_items_of_leaderless_partitions_unprocessed():
    svc, c = make(lag=(0, 0))
    for i in range(30):
        c.put_item(TableName="Tab", Item=item(pk=f"k{i}"))
    svc.set_partition_size_limit("Tab", 150)
    leaders = {p["leader"] for p in svc.partitions("Tab")}
    assert len(svc.partitions("Tab")) > 3 and len(leaders) > 1
    victim = sorted(leaders)[0]
    svc.crash_node(victim)
    keys = [f"k{i}" for i in range(20)]
    orphan = {k for k in keys if leader_of(svc, key(pk=k)) == victim}
    assert orphan and orphan != set(keys)
    out = c.batch_write_item(RequestItems={"Tab": [{"PutRequest": {"Item": item(pk=k, v="2")}}
                                                   for k in keys]})
    left = {r["PutRequest"]["Item"]["pk"]["S"] for r in out["UnprocessedItems"].get("Tab", [])}
    assert left == orphan
    got = c.batch_get_item(RequestItems={"Tab": {"Keys": [key(pk=k) for k in keys],
                                                 "ConsistentRead": True}})
    assert {k["pk"]["S"] for k in got["UnprocessedKeys"]["Tab"]["Keys"]} == orphan
    assert {i["pk"]["S"]: i["v"]["N"] for i in got["Responses"]["Tab"]} == \
        {k: "2" for k in keys if k not in orphan}
    svc.run(ms=1500)                     # failover: the retry of the unprocessed items succeeds
    out = c.batch_write_item(RequestItems={"Tab": [{"PutRequest": {"Item": item(pk=k, v="2")}}
                                                   for k in sorted(left)]})
    assert out["UnprocessedItems"] == {}
    assert state_of(svc).internal_errors == []
