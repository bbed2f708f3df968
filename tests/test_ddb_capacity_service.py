"""Capacity through the real boto3 API: throttling predicted from the token
bucket and then observed, nothing left by a throttled write, burst and
adaptive capacity, a hot key, write sharding, batches, transactions, GSI
back-pressure, retries in virtual time, on-demand limits and metrics."""
import random

import pytest
from botocore.exceptions import ClientError

from dynamo_lab.dynamodb.capacity.throughput import TokenBucket
from dynamo_lab.dynamodb.options import INITIAL_BURST_SECONDS
from dynamo_lab.dynamodb.service import DynamoDB, state_of

PROVISIONED = ("The level of configured provisioned throughput for the table was exceeded. "
               "Consider increasing your provisioning level with the UpdateTable API.")
KS = [{"AttributeName": "pk", "KeyType": "HASH"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}]
#: A brand-new table's buckets hold one second of its share, not a full
#: 300 s burst (the default): these tests show throttling on a new table.
ONE_SECOND = {"initial_burst_seconds": 1}


def _table(ddb, name, rcu=None, wcu=None, retries=0, **kw):
    c = ddb.client(retries=retries)
    if rcu is None:
        kw["BillingMode"] = "PAY_PER_REQUEST"
    else:
        kw["ProvisionedThroughput"] = {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}
    c.create_table(TableName=name, KeySchema=kw.pop("KeySchema", KS),
                   AttributeDefinitions=kw.pop("AttributeDefinitions", AD), **kw)
    c.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    return c


def _put_until_throttled(c, name, keys, limit=400):
    for i in range(limit):
        try:
            c.put_item(TableName=name, Item={"pk": {"S": keys(i)}})
        except ClientError as e:
            return i, e
    return limit, None


def test_throttle_predicted_from_the_bucket_then_observed():
    ddb = DynamoDB(seed=0, capacity=ONE_SECOND)
    c = _table(ddb, "Pred", rcu=5, wcu=10)
    cap = ddb.table_capacity("Pred")
    now = ddb.sim.now
    # A copy of the partition's write bucket, run forward: each request
    # takes 1 ms of virtual time before it is answered.
    b0 = cap.tokens("p0", "write", now)
    b = TokenBucket(10, now, initial=b0)
    predicted = next(i for i in range(1000) if not b.try_consume(1, now + state_of(ddb).timing.request_ms * (i + 1)))
    assert predicted == int(b0)                    # the tokens there, plus 0.01/ms
    before = [(e.t, e.kind) for e in ddb.log.of_kind("item.put")]
    i, err = _put_until_throttled(c, "Pred", lambda i: f"k{i}")
    assert i == predicted
    assert (err.response["Error"]["Code"], err.response["Error"]["Message"]) == \
        ("ProvisionedThroughputExceededException", PROVISIONED)
    # no trace: no item, no item event, counts unchanged
    assert "Item" not in c.get_item(TableName="Pred", Key={"pk": {"S": f"k{i}"}})
    puts = ddb.log.of_kind("item.put")
    assert len(puts) == len(before) + predicted
    assert all(e.key != (("pk", f"k{i}"),) for e in puts)
    assert state_of(ddb).tables["Pred"].item_count == predicted
    # the throttle is counted for CloudWatch, the write units served too
    m = ddb.metrics()
    ddb.run(ms=1000)
    m = ddb.metrics()
    assert m.total("Pred", "WriteThrottleEvents") == 1
    assert m.total("Pred", "ConsumedWriteCapacityUnits") == predicted
    # after the bucket refills in virtual time the same write goes through
    ddb.run(ms=b.time_until(1, ddb.sim.now) or 100)
    c.put_item(TableName="Pred", Item={"pk": {"S": f"k{i}"}})


def test_a_throttled_update_changes_nothing():
    ddb = DynamoDB(seed=0, capacity=ONE_SECOND)
    c = _table(ddb, "Upd", rcu=5, wcu=1)
    c.put_item(TableName="Upd", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    _put_until_throttled(c, "Upd", lambda i: f"fill{i}")     # empty the bucket
    events = len(ddb.log)
    with pytest.raises(ClientError) as e:
        c.update_item(TableName="Upd", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :v",
                      ExpressionAttributeValues={":v": {"N": "2"}})
    assert e.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert [ev.kind for ev in ddb.log][events:] == []
    assert c.get_item(TableName="Upd", Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "1"}


def test_burst_capacity_spends_up_to_300_seconds_of_unused_capacity():
    ddb = DynamoDB(seed=0, capacity=ONE_SECOND)
    c = _table(ddb, "Burst", rcu=5, wcu=2)
    ddb.run(ms=100_000)                               # 100 s idle: 200 units saved
    tokens = ddb.table_capacity("Burst").tokens("p0", "write", ddb.sim.now)
    assert 200 <= tokens <= 210                       # (+ one second's worth at creation)
    i, err = _put_until_throttled(c, "Burst", lambda i: f"b{i}")
    assert int(tokens) <= i <= int(tokens) + 1 and err is not None   # + 0.002 a ms
    ddb.run(ms=1_000_000)                             # never more than 300 s of it
    assert ddb.table_capacity("Burst").tokens("p0", "write", ddb.sim.now) == 600


def _two_partitions(name, adaptive=True):
    ddb = DynamoDB(seed=0, capacity={"adaptive": adaptive, **ONE_SECOND})
    c = _table(ddb, name, rcu=10, wcu=20)
    ddb.split_partition(name, "p0")                  # two partitions of 10 WCU
    return ddb, c


def _steady_second(ddb, c, name, keys):
    """Spend what the buckets saved, then count the writes served in one
    fresh second (the hot partition's own share, plus what adaptive
    capacity lends it)."""
    _put_until_throttled(c, name, keys)
    ddb.run(ms=1000 - ddb.sim.now % 1000)
    return _put_until_throttled(c, name, keys)


def _home(ddb, name, key):
    h = state_of(ddb).tables[name].schema.storage_key({"pk": {"S": key}})[0]
    return ddb.partition_map(name).locate(h).id


def test_hot_key_throttles_one_partition_while_the_table_has_capacity():
    ddb, c = _two_partitions("Hot", adaptive=False)
    served, err = _steady_second(ddb, c, "Hot", lambda i: "hot")
    assert err.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    hot = _home(ddb, "Hot", "hot")
    cold = next(p["id"] for p in ddb.partitions("Hot") if p["id"] != hot)
    assert served == 10                              # its share: half the table's 20 WCU
    cap = ddb.table_capacity("Hot")
    assert cap.tokens(cold, "write", ddb.sim.now) >= 10   # the other half unused
    ddb.run(ms=1000)
    m = ddb.metrics()
    assert m.total("Hot", "WriteThrottleEvents", partition=hot) == 2
    assert m.total("Hot", "WriteThrottleEvents", partition=cold) == 0


def test_adaptive_capacity_lends_the_hot_partition_unused_throughput():
    ddb, c = _two_partitions("Adapt", adaptive=True)
    served, err = _steady_second(ddb, c, "Adapt", lambda i: "hot")
    assert 10 < served <= 20 and err is not None      # borrowed the cold half, no more
    ddb.run(ms=1000)
    assert any(e.adaptive_units > 0 for e in ddb.log.of_kind("capacity.consumed"))


def test_write_sharding_spreads_a_hot_key():
    ddb, c = _two_partitions("Shard1", adaptive=False)
    single, _ = _steady_second(ddb, c, "Shard1", lambda i: "votes")
    ddb2, c2 = _two_partitions("Shard2", adaptive=False)
    sharded, _ = _steady_second(ddb2, c2, "Shard2", lambda i: f"votes#{i % 10}")
    assert {_home(ddb2, "Shard2", f"votes#{i}") for i in range(10)} == \
        {p["id"] for p in ddb2.partitions("Shard2")}
    assert sharded > single


def test_batch_write_returns_throttled_items_unprocessed():
    ddb = DynamoDB(seed=0, capacity=ONE_SECOND)
    c = _table(ddb, "BWr", rcu=5, wcu=5)
    _put_until_throttled(c, "BWr", lambda i: f"x{i}")         # spend what it saved
    ddb.run(ms=1000)
    n0 = state_of(ddb).tables["BWr"].item_count
    expect = int(ddb.table_capacity("BWr").tokens("p0", "write", ddb.sim.now + 1))
    assert expect == 5                                 # a second of 5 WCU
    reqs = [{"PutRequest": {"Item": {"pk": {"S": f"i{i}"}}}} for i in range(25)]
    r = c.batch_write_item(RequestItems={"BWr": reqs})
    left = r["UnprocessedItems"]["BWr"]
    assert len(left) == 20 and left == reqs[5:]
    assert state_of(ddb).tables["BWr"].item_count == n0 + 5
    with pytest.raises(ClientError) as e:             # nothing left: all throttled
        c.batch_write_item(RequestItems={"BWr": left})
    assert e.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert state_of(ddb).tables["BWr"].item_count == n0 + 5


def test_batch_get_returns_throttled_keys_unprocessed():
    ddb = DynamoDB(seed=0, capacity=ONE_SECOND)
    c = _table(ddb, "BGt", rcu=5, wcu=50)
    for i in range(10):
        c.put_item(TableName="BGt", Item={"pk": {"S": f"i{i}"}})
    for i in range(100):                               # spend what the reads saved
        try:
            c.get_item(TableName="BGt", Key={"pk": {"S": "i0"}}, ConsistentRead=True)
        except ClientError:
            break
    ddb.run(ms=1000)                                   # a second of 5 RCU
    keys = [{"pk": {"S": f"i{i}"}} for i in range(10)]
    r = c.batch_get_item(RequestItems={"BGt": {"Keys": keys, "ConsistentRead": True}})
    assert len(r["Responses"]["BGt"]) == 5
    assert r["UnprocessedKeys"]["BGt"]["Keys"] == keys[5:]


def test_transactions_charge_double():
    ddb = DynamoDB(seed=0, capacity=ONE_SECOND)
    c = _table(ddb, "Txn", rcu=5, wcu=10)
    cap = ddb.table_capacity("Txn")
    _put_until_throttled(c, "Txn", lambda i: f"x{i}")
    ddb.run(ms=1000)
    n0 = state_of(ddb).tables["Txn"].item_count
    before = cap.tokens("p0", "write", ddb.sim.now + 1)
    c.transact_write_items(TransactItems=[{"Put": {"TableName": "Txn", "Item": {"pk": {"S": f"t{i}"}}}}
                                          for i in range(3)])
    assert before - cap.tokens("p0", "write", ddb.sim.now) == pytest.approx(6, abs=0.02)
    with pytest.raises(ClientError) as e:             # 2 x 3 more: only ~4 left
        c.transact_write_items(TransactItems=[{"Put": {"TableName": "Txn",
                                                       "Item": {"pk": {"S": f"u{i}"}}}}
                                              for i in range(3)])
    err = e.value.response
    assert err["Error"]["Code"] == "TransactionCanceledException"
    assert {r["Code"] for r in err["CancellationReasons"]} >= {"ProvisionedThroughputExceeded"}
    assert state_of(ddb).tables["Txn"].item_count == n0 + 3


def test_a_gsi_short_of_capacity_throttles_the_table():
    ddb = DynamoDB(seed=0, capacity=ONE_SECOND)
    c = _table(ddb, "Back", rcu=100, wcu=100,
               AttributeDefinitions=AD + [{"AttributeName": "g", "AttributeType": "S"}],
               GlobalSecondaryIndexes=[{
                   "IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
                   "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                   "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}])
    cap = ddb.table_capacity("Back")
    i, err = None, None
    for i in range(50):                                # the GSI's 1 WCU runs out first
        tokens = cap.tokens("p0", "write", ddb.sim.now + 1)
        try:
            c.put_item(TableName="Back", Item={"pk": {"S": f"a{i}"}, "g": {"S": f"x{i}"}})
        except ClientError as e:
            err = e.response["Error"]
            break
    assert err["Code"] == "ProvisionedThroughputExceededException"
    assert "global secondary indexes" in err["Message"]
    assert cap.tokens("p0", "write", ddb.sim.now) == pytest.approx(tokens, abs=0.2)
    assert state_of(ddb).tables["Back"].item_count == i
    # no GSI key: the index is not written, so it cannot hold the table back
    c.put_item(TableName="Back", Item={"pk": {"S": "b"}})


def test_retries_wait_in_virtual_time_until_the_bucket_refills():
    ddb = DynamoDB(seed=0, capacity=ONE_SECOND)
    c = _table(ddb, "Retry", rcu=1, wcu=1, retries=5)
    n, _ = _put_until_throttled(ddb.client(retries=0), "Retry", lambda i: f"a{i}")
    t0 = ddb.sim.now
    c.put_item(TableName="Retry", Item={"pk": {"S": "b"}})     # throttled, retried, served
    retries = ddb.log.of_kind("client.retry")
    assert retries and ddb.sim.now - t0 >= 900          # the refill took virtual time
    assert state_of(ddb).tables["Retry"].item_count == n + 1
    ddb.run(ms=5000)
    off = ddb.client(retries=0)
    _, err = _put_until_throttled(off, "Retry", lambda i: f"c{i}")   # surfaces at once
    assert err.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert len(ddb.log.of_kind("client.retry")) == len(retries)


def test_on_demand_limits_throttle_with_throttling_exception():
    ddb = DynamoDB(seed=0)                             # default: on-demand not limited
    c = _table(ddb, "ODm")
    big = "x" * 3000                                   # 3 WCU a write
    assert _put_until_throttled(c, "ODm", lambda i: f"k{i}", limit=400)[1] is None
    ddb = DynamoDB(seed=0, on_demand_limits=True)
    c = _table(ddb, "ODm")
    for i in range(400):
        try:
            c.put_item(TableName="ODm", Item={"pk": {"S": f"k{i}"}, "d": {"S": big}})
        except ClientError as e:
            err = e.response["Error"]
            break
    # a partition serves at most 1,000 WCU a second, in either mode
    assert err["Code"] == "ProvisionedThroughputExceededException"
    assert i == 333
    # past twice the previous peak (here a tiny initial one): ThrottlingException
    ddb = DynamoDB(seed=0, on_demand_limits=True, capacity={"on_demand_initial": (12, 4)})
    c = _table(ddb, "ODt")
    i, e = _put_until_throttled(c, "ODt", lambda i: f"k{i}")
    assert i == 4
    assert e.response["Error"]["Code"] == "ThrottlingException"
    assert e.response["Error"]["Message"].startswith(
        "Throughput exceeds the current capacity of your table")


def test_heat_splits_a_hot_partition():
    ddb = DynamoDB(seed=0, capacity={"heat_seconds": 3, "adaptive": False})
    c = _table(ddb, "Heat", rcu=10, wcu=20)
    for s in range(5):
        for i in range(40):
            try:
                c.put_item(TableName="Heat", Item={"pk": {"S": f"k{i % 4}"}})
            except ClientError:
                pass
        ddb.run(ms=1000 - 40)
    splits = ddb.log.of_kind("partition.split")
    assert [e.reason for e in splits][:1] == ["heat"]
    assert len(ddb.partitions("Heat")) >= 2
    state_of(ddb).tables["Heat"]._check()


def test_same_seed_same_throttles():
    def run():
        ddb, c = _two_partitions("Det", adaptive=True)
        _put_until_throttled(c, "Det", lambda i: f"k{i % 3}")
        ddb.run(ms=2000)
        return [(e.t, e.kind, repr(sorted(e._f.items()))) for e in ddb.log]
    assert run() == run()


def _retry_delays(seed):
    ddb = DynamoDB(seed=seed)
    c = _table(ddb, "Jit", rcu=1, wcu=1, retries=5)
    _put_until_throttled(ddb.client(retries=0), "Jit", lambda i: f"a{i}")
    random.random()                                  # the global stream must not matter
    c.put_item(TableName="Jit", Item={"pk": {"S": "b"}})
    return [e.delay_ms for e in ddb.log.of_kind("client.retry")]


def test_retry_jitter_comes_from_the_seed():
    random.seed(1)
    a = _retry_delays(0)
    random.seed(2)
    assert a and a == _retry_delays(0)


@pytest.mark.parametrize("initial, served", [(None, INITIAL_BURST_SECONDS), (300, 300),
                                             (1, 1), (0, 0), (50, 50)])
def test_a_brand_new_tables_burst_balance_is_an_option(initial, served):
    """A brand-new 1 WCU table starts with ``initial_burst_seconds`` of its
    share (300: a full bucket, as AWS's fresh tables behave), so writes at
    once are served until that balance (and the trickle refilled
    meanwhile) is spent, then throttled."""
    opts = {} if initial is None else {"capacity": {"initial_burst_seconds": initial}}
    ddb = DynamoDB(seed=0, create_ms=0, **opts)
    c = ddb.client(retries=0)
    c.create_table(TableName="Fresh", KeySchema=KS, AttributeDefinitions=AD,
                   ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    assert ddb.table_capacity("Fresh").tokens("p0", "write", ddb.sim.now) == served
    t0 = ddb.sim.now
    n, err = _put_until_throttled(c, "Fresh", lambda i: f"k{i}", limit=1000)
    refilled = (ddb.sim.now - t0) // 1000       # one WCU a second while writing
    assert served <= n <= served + refilled + 1 and err is not None
    assert err.response["Error"]["Code"] == "ProvisionedThroughputExceededException"


def test_a_fresh_one_unit_table_takes_an_orms_setup_at_once_with_a_full_bucket():
    """PynamoDB-style integration tests against AWS: a brand-new 1 RCU /
    1 WCU table takes a 25-item BatchWriteItem, a 10-item transaction and a
    25-key consistent BatchGetItem at once. With a full initial bucket
    (``initial_burst_seconds=300``) nothing is throttled or unprocessed;
    with one second's worth the batch comes back mostly unprocessed."""
    def setup(initial):
        ddb = DynamoDB(seed=0, capacity={"initial_burst_seconds": initial})
        c = _table(ddb, "Orm", rcu=1, wcu=1)
        wrote = c.batch_write_item(RequestItems={"Orm": [
            {"PutRequest": {"Item": {"pk": {"S": f"b{i}"}}}} for i in range(25)]})
        return c, wrote["UnprocessedItems"]
    c, unprocessed = setup(300)
    assert unprocessed == {}
    c.transact_write_items(TransactItems=[
        {"Put": {"TableName": "Orm", "Item": {"pk": {"S": f"t{i}"}}}} for i in range(10)])
    got = c.batch_get_item(RequestItems={"Orm": {"Keys": [
        {"pk": {"S": f"b{i}"}} for i in range(25)], "ConsistentRead": True}})
    assert got["UnprocessedKeys"] == {} and len(got["Responses"]["Orm"]) == 25
    _c, unprocessed = setup(1)
    assert len(unprocessed.get("Orm", [])) >= 20
