"""The Lambda-like trigger (dynamo_lab.dynamodb.consumers.triggers.EventSourceMapping):
Lambda's event shape, batch size, order per shard, parents before children
across a split, retry, bisection, on-failure records, partial batch
responses, the batching window, virtual-time polling, and one run against
moto's server through the public API only."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from dynamo_lab.dynamodb.consumers.triggers import EventSourceMapping
from dynamo_lab.dynamodb.service import DynamoDB, state_of

KEY = dict(KeySchema=[{"AttributeName": "Id", "KeyType": "HASH"}],
           AttributeDefinitions=[{"AttributeName": "Id", "AttributeType": "S"}])


def lab(view="NEW_AND_OLD_IMAGES", seed=0, name="Tbl", **kw):
    ddb = DynamoDB(seed=seed, create_ms=0, **kw)
    c = ddb.client(retries=0)
    arn = c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
                         **KEY)["TableDescription"]["LatestStreamArn"]
    return ddb, c, arn


def put(c, i, v="1", table="Tbl"):
    c.put_item(TableName=table, Item={"Id": {"S": f"i{i:03d}"}, "v": {"N": v}})


class Recorder:
    """A function that keeps every event it got; fails while ``fail(event)``."""

    def __init__(self, fail=lambda event: False):
        self.events, self.fail = [], fail

    def __call__(self, event, context):
        self.events.append(event)
        if self.fail(event):
            raise RuntimeError("function error")

    def seqs(self):
        return [[r["dynamodb"]["SequenceNumber"] for r in e["Records"]] for e in self.events]


# -- the event ------------------------------------------------------------------------
def test_event_shape_is_lambdas():
    ddb, c, arn = lab()
    f = Recorder()
    m = EventSourceMapping(f, arn, streams_client=ddb.streams_client(), starting_position="LATEST")
    c.put_item(TableName="Tbl", Item={"Id": {"S": "101"}, "Message": {"S": "New item!"}})
    c.put_item(TableName="Tbl", Item={"Id": {"S": "101"}, "Message": {"S": "This item has changed"}})
    c.delete_item(TableName="Tbl", Key={"Id": {"S": "101"}})
    m.drain()
    [event] = f.events
    assert list(event) == ["Records"]
    recs = event["Records"]
    assert [r["eventName"] for r in recs] == ["INSERT", "MODIFY", "REMOVE"]
    # What GetRecords says, plus eventSourceARN, with times as epoch seconds.
    st = ddb.streams_client()
    [shard] = st.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    it = st.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    raw = st.get_records(ShardIterator=it)["Records"]
    for r, g in zip(recs, raw):
        assert list(r) == ["eventID", "eventName", "eventVersion", "eventSource", "awsRegion",
                           "dynamodb", "eventSourceARN"]
        assert r["eventID"] == g["eventID"] and r["eventSource"] == "aws:dynamodb"
        assert r["eventVersion"] == "1.1" and r["awsRegion"] == "us-east-1"
        assert r["eventSourceARN"] == arn
        d = r["dynamodb"]
        assert isinstance(d["ApproximateCreationDateTime"], int)
        assert d["ApproximateCreationDateTime"] == int(g["dynamodb"]["ApproximateCreationDateTime"]
                                                       .timestamp())
        assert d["SequenceNumber"] == g["dynamodb"]["SequenceNumber"]
        assert d["StreamViewType"] == "NEW_AND_OLD_IMAGES" and d["Keys"] == {"Id": {"S": "101"}}
        assert isinstance(d["SizeBytes"], int) and d["SizeBytes"] > 0
    assert recs[0]["dynamodb"]["NewImage"] == {"Id": {"S": "101"}, "Message": {"S": "New item!"}}
    assert "OldImage" not in recs[0]["dynamodb"]
    assert recs[1]["dynamodb"]["OldImage"]["Message"] == {"S": "New item!"}
    assert recs[1]["dynamodb"]["NewImage"]["Message"] == {"S": "This item has changed"}
    assert "NewImage" not in recs[2]["dynamodb"]


def test_binary_values_arrive_as_base64_text_and_one_argument_functions_work():
    ddb, c, arn = lab("NEW_IMAGE")
    got = []
    m = EventSourceMapping(lambda event: got.extend(event["Records"]), arn,
                           service=ddb, starting_position="TRIM_HORIZON")
    c.put_item(TableName="Tbl", Item={"Id": {"S": "b"}, "blob": {"B": b"\x00\x01"}})
    m.drain()
    assert got[0]["dynamodb"]["NewImage"]["blob"] == {"B": "AAE="}


def test_latest_skips_what_was_written_before_and_trim_horizon_does_not():
    ddb, c, arn = lab()
    for i in range(3):
        put(c, i)
    late, early = Recorder(), Recorder()
    m1 = EventSourceMapping(late, arn, service=ddb, starting_position="LATEST", name="late")
    m2 = EventSourceMapping(early, arn, service=ddb, starting_position="TRIM_HORIZON",
                            name="early")
    put(c, 3)
    m1.drain(), m2.drain()
    assert sum(map(len, late.seqs())) == 1 and sum(map(len, early.seqs())) == 4


# -- batches and order ------------------------------------------------------------
def test_batch_size_is_honoured_in_order():
    ddb, c, arn = lab()
    for i in range(25):
        put(c, i)
    f = Recorder()
    m = EventSourceMapping(f, arn, service=ddb, starting_position="TRIM_HORIZON", batch_size=10)
    m.drain()
    assert [len(s) for s in f.seqs()] == [10, 10, 5]
    flat = [int(s) for b in f.seqs() for s in b]
    assert flat == sorted(flat) and len(set(flat)) == 25
    assert m.stats == {"invocations": 3, "records": 25, "retries": 0, "failures": 0,
                       "bisects": 0, "discarded": 0}
    ev = ddb.log.of_kind("trigger.batch")
    assert [(e.records, e.first, e.last, e.outcome) for e in ev] == \
        [(10, b[0], b[-1], "ok") for b in f.seqs()[:2]] + [(5, f.seqs()[2][0], f.seqs()[2][-1], "ok")]


def test_parents_before_children_across_a_split():
    ddb, c, arn = lab("NEW_IMAGE")
    for i in range(60):
        put(c, i, "1")
    pid = ddb.partitions("Tbl")[0]["id"]
    ddb.split_partition("Tbl", pid)
    for i in range(60):
        put(c, i, "2")
    ddb.split_partition("Tbl", ddb.partitions("Tbl")[-1]["id"])
    for i in range(60):
        put(c, i, "3")
    f = Recorder()
    m = EventSourceMapping(f, arn, service=ddb, starting_position="TRIM_HORIZON", batch_size=7)
    m.drain()
    shards = {s["ShardId"]: s.get("ParentShardId")
              for s in ddb.streams_client().describe_stream(StreamArn=arn)
              ["StreamDescription"]["Shards"]}
    assert len(shards) >= 4 and any(shards.values())
    by_item: dict = {}
    for e in f.events:
        for r in e["Records"]:
            by_item.setdefault(r["dynamodb"]["Keys"]["Id"]["S"], []).append(
                r["dynamodb"]["NewImage"]["v"]["N"])
    assert by_item == {f"i{i:03d}": ["1", "2", "3"] for i in range(60)}
    # Every batch of a child comes after the last batch of its parent.
    batches = [(e.shard, k) for k, e in enumerate(ddb.log.of_kind("trigger.batch"))]
    last = {}
    for sh, k in batches:
        last[sh] = k
    for sh, k in batches:
        parent = shards.get(sh)
        if parent in last:
            assert k > last[parent], (sh, parent)
    assert m.caught_up() and state_of(ddb).internal_errors == []


def test_the_lab_drives_it_on_virtual_time_with_a_batching_window():
    ddb, c, arn = lab()
    f = Recorder()
    m = EventSourceMapping(f, arn, service=ddb, starting_position="TRIM_HORIZON",
                           maximum_batching_window_in_seconds=2)
    for i in range(3):
        put(c, i)
    ddb.run(ms=1000)
    assert f.events == []                     # waiting for a fuller batch
    ddb.run(ms=1500)
    assert [len(s) for s in f.seqs()] == [3]
    m.disable()
    put(c, 9)
    ddb.run(ms=5000)
    assert len(f.events) == 1 and not m.enabled
    m.enable()
    ddb.run(ms=3000)
    assert len(f.events) == 2


def test_a_function_that_writes_to_a_table_while_polled_on_virtual_time():
    ddb, c, arn = lab()
    c.create_table(TableName="Counts", BillingMode="PAY_PER_REQUEST", **KEY)

    def count(event, context):
        for r in event["Records"]:
            c.update_item(TableName="Counts", Key={"Id": {"S": "all"}},
                          UpdateExpression="ADD n :one",
                          ExpressionAttributeValues={":one": {"N": "1"}})
    EventSourceMapping(count, arn, service=ddb, starting_position="TRIM_HORIZON")
    for i in range(30):
        put(c, i)
        ddb.run(ms=100)
    ddb.run(ms=1000)
    assert c.get_item(TableName="Counts", Key={"Id": {"S": "all"}})["Item"]["n"] == {"N": "30"}


# -- failures ---------------------------------------------------------------------------
def test_retry_then_success():
    ddb, c, arn = lab()
    for i in range(5):
        put(c, i)
    calls = []
    f = Recorder(fail=lambda e: calls.append(1) or len(calls) <= 2)
    m = EventSourceMapping(f, arn, service=ddb, starting_position="TRIM_HORIZON")
    m.drain()
    assert f.seqs()[0] == f.seqs()[1] == f.seqs()[2] and len(f.events) == 3
    assert [e.outcome for e in ddb.log.of_kind("trigger.batch")] == ["retry", "retry", "ok"]
    assert m.stats["retries"] == 2 and m.stats["failures"] == 2 and m.stats["records"] == 5
    assert m.failures == []


def test_bisect_isolates_a_poison_record():
    ddb, c, arn = lab("NEW_IMAGE")
    for i in range(8):
        put(c, i)
    poison = "i005"
    done: list = []

    def fn(event, context):
        ids = [r["dynamodb"]["NewImage"]["Id"]["S"] for r in event["Records"]]
        if poison in ids:
            raise ValueError("poison")
        done.extend(ids)
    dest: list = []
    m = EventSourceMapping(fn, arn, service=ddb, starting_position="TRIM_HORIZON",
                           bisect_batch_on_function_error=True, maximum_retry_attempts=0,
                           on_failure=dest)
    m.drain()
    assert sorted(done) == [f"i{i:03d}" for i in range(8) if i != 5]
    assert len(done) == 7                       # every good record succeeded once
    [rec] = dest
    info = rec["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"]
    assert rec["requestContext"]["condition"] == "RetryAttemptsExhausted"
    # 8 -> 4+4 -> (4 ok) 2+2 -> (2 ok? no: 4,5) 1+1 -> the poison alone, discarded
    outs = [e.outcome for e in ddb.log.of_kind("trigger.batch")]
    assert outs.count("bisect") == 3 and outs.count("discarded") == 1
    assert m.stats["bisects"] == 3 and m.stats["discarded"] == 1 and m.stats["records"] == 7


def test_on_failure_gets_lambdas_record_after_maximum_retry_attempts():
    ddb, c, arn = lab()
    for i in range(4):
        put(c, i)
    put(c, 0, "2")
    got: list = []
    f = Recorder(fail=lambda e: True)
    m = EventSourceMapping(f, arn, service=ddb, starting_position="TRIM_HORIZON",
                           batch_size=3, maximum_retry_attempts=2, on_failure=got.append)
    m.drain()
    # Each batch tried 1 + 2 times, then discarded; processing moves on.
    assert [len(s) for s in f.seqs()] == [3, 3, 3, 2, 2, 2]
    assert [e.outcome for e in ddb.log.of_kind("trigger.batch")] == \
        ["retry", "retry", "discarded"] * 2
    assert len(got) == 2 and got == m.failures
    rec = got[0]
    assert set(rec) == {"requestContext", "responseContext", "version", "timestamp",
                        "DDBStreamBatchInfo"}
    assert rec["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert rec["requestContext"]["approximateInvokeCount"] == 3
    assert rec["requestContext"]["functionArn"] == \
        "arn:aws:lambda:us-east-1:000000000000:function:" + m.name
    assert rec["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                      "functionError": "Unhandled"}
    info = rec["DDBStreamBatchInfo"]
    [shard] = ddb.streams_client().describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert info["shardId"] == shard["ShardId"] and info["streamArn"] == arn
    assert (info["startSequenceNumber"], info["endSequenceNumber"]) == \
        (f.seqs()[0][0], f.seqs()[0][-1])
    assert info["batchSize"] == 3
    assert info["approximateArrivalOfFirstRecord"].endswith("Z")
    assert m.stats["discarded"] == 5 and m.stats["records"] == 0 and m.caught_up()


def test_retry_forever_until_the_record_is_too_old():
    ddb, c, arn = lab()
    put(c, 1)
    dest: list = []
    m = EventSourceMapping(Recorder(fail=lambda e: True), arn, service=ddb,
                           starting_position="TRIM_HORIZON", on_failure=dest,
                           maximum_record_age_in_seconds=60)
    with pytest.raises(RuntimeError, match="not caught up"):
        m.drain(max_rounds=50)
    assert dest == [] and m.stats["retries"] >= 50
    ddb.run(ms=61_000)
    assert len(dest) == 1 and dest[0]["requestContext"]["condition"] == "RecordAgeExceeded"
    assert m.caught_up()


def test_partial_batch_response_checkpoints_before_the_first_failure():
    ddb, c, arn = lab()
    for i in range(6):
        put(c, i)
    tries = []

    def fn(event, context):
        seqs = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        tries.append(seqs)
        if len(tries) == 1:
            return {"batchItemFailures": [{"itemIdentifier": seqs[4]},
                                          {"itemIdentifier": seqs[2]}]}
        return {"batchItemFailures": []}
    m = EventSourceMapping(fn, arn, service=ddb, starting_position="TRIM_HORIZON",
                           function_response_types=["ReportBatchItemFailures"])
    m.drain()
    assert tries[1] == tries[0][2:] and len(tries) == 2
    assert [e.outcome for e in ddb.log.of_kind("trigger.batch")] == ["error", "ok"]
    assert m.stats["records"] == 6 and m.stats["retries"] == 1


def test_bad_parameters_get_lambdas_error_and_make_nothing():
    ddb, c, arn = lab()
    for kw in ({"batch_size": 0}, {"batch_size": 10_001}, {"starting_position": "AT_TIMESTAMP"},
               {"maximum_retry_attempts": -2}, {"maximum_record_age_in_seconds": 10},
               {"function_response_types": ["Nope"]}):
        with pytest.raises(ClientError) as e:
            EventSourceMapping(print, arn, service=ddb, **kw)
        assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    ddb.run(ms=1000)
    assert ddb.log.of_kind("trigger.batch") == []
    with pytest.raises(ClientError) as e:
        EventSourceMapping(print, arn + "x", service=ddb)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_same_seed_same_run():
    def run():
        ddb, c, arn = lab(seed=3)
        dest: list = []
        m = EventSourceMapping(Recorder(fail=lambda e: len(e["Records"]) > 2), arn, service=ddb,
                               starting_position="TRIM_HORIZON", batch_size=4,
                               bisect_batch_on_function_error=True, maximum_retry_attempts=1,
                               on_failure=dest)
        for i in range(10):
            put(c, i)
            ddb.run(ms=300)
        ddb.run(ms=2000)
        return [(e.t, e.kind, e.fields) for e in ddb.log if e.kind == "trigger.batch"], dest, \
            m.stats
    assert run() == run()


# -- against moto's server ------------------------------------------------------------
# (moto_url: moto's ThreadedMotoServer on loopback, from conftest.py)


def test_on_moto_through_the_public_api(moto_url):
    import dynamo_lab
    from dynamo_lab.dynamodb.wire.connect import connect_streams
    c = dynamo_lab.connect(endpoint_url=moto_url)
    arn = c.create_table(TableName="TriggerSmoke", BillingMode="PAY_PER_REQUEST",
                         StreamSpecification={"StreamEnabled": True,
                                              "StreamViewType": "NEW_AND_OLD_IMAGES"},
                         **KEY)["TableDescription"]["LatestStreamArn"]
    f = Recorder(fail=lambda e: len(f.events) == 1)
    dest: list = []
    m = EventSourceMapping(f, arn, streams_client=connect_streams(moto_url),
                           starting_position="TRIM_HORIZON", batch_size=2, on_failure=dest)
    assert m.service is None
    for i in range(5):
        put(c, i, table="TriggerSmoke")
    m.drain()
    flat = [r for e in f.events[1:] for r in e["Records"]]
    assert [r["dynamodb"]["Keys"]["Id"]["S"] for r in flat] == [f"i{i:03d}" for i in range(5)]
    assert all(r["eventSourceARN"] == arn and r["eventName"] == "INSERT" for r in flat)
    assert m.stats["retries"] == 1 and m.stats["records"] == 5 and dest == []
    assert [e.outcome for e in m.log.of_kind("trigger.batch")] == ["retry", "ok", "ok", "ok"]


def test_rollover_and_expired_iterators_lose_nothing():
    """Shards roll over (after 4 hours on AWS; 30 minutes here, to keep the
    test quick) and iterators expire after 15 minutes: a mapping left idle
    that long still delivers every record, parent first."""
    ddb, c, arn = lab("NEW_IMAGE")
    state_of(ddb).streams.rollover_ms = 30 * 60 * 1000
    f = Recorder()
    m = EventSourceMapping(f, arn, service=ddb, starting_position="TRIM_HORIZON", enabled=False)
    for i in range(5):
        put(c, i, "1")
    m.poll()                                  # holds an iterator now
    ddb.run(ms=40 * 60 * 1000)                # past the rollover and the iterator's life
    for i in range(5):
        put(c, i, "2")
    m.drain()
    got = [(r["dynamodb"]["Keys"]["Id"]["S"], r["dynamodb"]["NewImage"]["v"]["N"])
           for e in f.events for r in e["Records"]]
    assert got == [(f"i{i:03d}", "1") for i in range(5)] + [(f"i{i:03d}", "2") for i in range(5)]
    assert len(m.shards) >= 2 and len({e.shard for e in ddb.log.of_kind("trigger.batch")}) == 2


def test_a_deleted_table_stops_the_mapping_instead_of_breaking_run():
    ddb, c, arn = lab()
    m = EventSourceMapping(print, arn, service=ddb, poll_interval_ms=3600 * 1000)
    state_of(ddb).streams.retention_ms = 3600 * 1000     # 24 h on AWS; an hour keeps the test quick
    c.delete_table(TableName="Tbl")
    ddb.run(ms=3 * 3600 * 1000)               # the disabled stream is gone after retention
    assert not m.enabled and m.last_error["Code"] == "ResourceNotFoundException"
