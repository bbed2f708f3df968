"""DynamoDB Streams through real boto3 (``ddb.streams_client()``): view types,
iterator types, paging, limits, retention, iterator expiry, rollover, lineage
across partition splits, and exactly-once per-item order over many writes."""
from __future__ import annotations

import random
import re
import time

import pytest
from botocore.exceptions import ClientError

from dynamo_lab.dynamodb.service import DynamoDB, handle, state_of
from dynamo_lab.dynamodb.streams.api import EXPIRED_MESSAGE, NO_SHARD_MESSAGE, TRIMMED_MESSAGE

KEY = dict(KeySchema=[{"AttributeName": "Name", "KeyType": "HASH"}],
           AttributeDefinitions=[{"AttributeName": "Name", "AttributeType": "S"}])
HOUR = 3600 * 1000


def lab(view="NEW_AND_OLD_IMAGES", name="Travellers", seed=0, **kw):
    ddb = DynamoDB(seed=seed, **kw)
    c, st = ddb.client(retries=0), ddb.streams_client(retries=0)
    c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                   StreamSpecification={"StreamEnabled": True, "StreamViewType": view}, **KEY)
    c.get_waiter("table_exists").wait(TableName=name)
    arn = c.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    return ddb, c, st, arn


def error_of(e):
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def shards_of(st, arn, limit=None):
    out, start = [], None
    while True:
        kw = {"Limit": limit} if limit else {}
        if start:
            kw["ExclusiveStartShardId"] = start
        d = st.describe_stream(StreamArn=arn, **kw)["StreamDescription"]
        out += d["Shards"]
        start = d.get("LastEvaluatedShardId")
        if not start:
            return out


def read_shard(st, arn, shard_id, kind="TRIM_HORIZON", limit=None, **kw):
    it = st.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind,
                               **kw)["ShardIterator"]
    recs = []
    while it:
        page = st.get_records(ShardIterator=it, **({"Limit": limit} if limit else {}))
        recs += page["Records"]
        it = page.get("NextShardIterator")
        if not page["Records"]:
            break
    return recs


def read_all(st, arn):
    """Every record, each shard read after its parent (as a KCL worker does)."""
    shards = shards_of(st, arn)
    ids = {s["ShardId"] for s in shards}
    done, out = set(), []
    while len(done) < len(shards):
        for s in shards:
            sid, parent = s["ShardId"], s.get("ParentShardId")
            if sid in done or (parent in ids and parent not in done):
                continue
            out += read_shard(st, arn, sid)
            done.add(sid)
    return out


# -- records and view types ----------------------------------------------------
JOHN_MARS = {"Name": {"S": "John"}, "Destination": {"S": "Mars"}}
JOHN_PLUTO = {"Name": {"S": "John"}, "Destination": {"S": "Pluto"}}


@pytest.mark.parametrize("view,new,old", [
    ("KEYS_ONLY", None, None),
    ("NEW_IMAGE", JOHN_PLUTO, None),
    ("OLD_IMAGE", None, JOHN_MARS),
    ("NEW_AND_OLD_IMAGES", JOHN_PLUTO, JOHN_MARS),
])
def test_view_types_john_mars_pluto(view, new, old):
    ddb, c, st, arn = lab(view)
    c.put_item(TableName="Travellers", Item=JOHN_MARS)
    c.update_item(TableName="Travellers", Key={"Name": {"S": "John"}},
                  UpdateExpression="SET Destination = :d",
                  ExpressionAttributeValues={":d": {"S": "Pluto"}})
    c.delete_item(TableName="Travellers", Key={"Name": {"S": "John"}})
    recs = read_all(st, arn)
    assert [r["eventName"] for r in recs] == ["INSERT", "MODIFY", "REMOVE"]
    modify = recs[1]
    assert modify["eventSource"] == "aws:dynamodb" and modify["eventVersion"] == "1.1"
    assert modify["awsRegion"] == "us-east-1"
    assert re.fullmatch(r"[0-9a-f]{32}", modify["eventID"])
    assert "userIdentity" not in modify
    d = modify["dynamodb"]
    assert d["Keys"] == {"Name": {"S": "John"}}
    assert d.get("NewImage") == new and d.get("OldImage") == old
    assert d["StreamViewType"] == view
    assert re.fullmatch(r"\d{21,40}", d["SequenceNumber"])
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in recs]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    # SizeBytes as AWS counts it: the key plus the images carried ("Name"+"John" = 8).
    assert d["SizeBytes"] == 8 + (24 if new else 0) + (23 if old else 0)
    insert, remove = recs[0]["dynamodb"], recs[2]["dynamodb"]
    assert "OldImage" not in insert and "NewImage" not in remove
    if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        assert insert["NewImage"] == JOHN_MARS
    if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        assert remove["OldImage"] == JOHN_PLUTO
    assert state_of(ddb).internal_errors == []


def test_no_record_for_a_write_that_changes_nothing_or_fails():
    ddb, c, st, arn = lab()
    c.put_item(TableName="Travellers", Item=JOHN_MARS)
    c.put_item(TableName="Travellers", Item=JOHN_MARS)                 # identical: no record
    c.update_item(TableName="Travellers", Key={"Name": {"S": "John"}},  # sets what is there
                  UpdateExpression="SET Destination = :d",
                  ExpressionAttributeValues={":d": {"S": "Mars"}})
    with pytest.raises(ClientError):                                    # condition fails
        c.put_item(TableName="Travellers", Item=JOHN_PLUTO,
                   ConditionExpression="attribute_not_exists(#n)",
                   ExpressionAttributeNames={"#n": "Name"})
    c.delete_item(TableName="Travellers", Key={"Name": {"S": "Nobody"}})  # nothing to delete
    assert [r["eventName"] for r in read_all(st, arn)] == ["INSERT"]


def test_batches_and_transactions_write_records():
    ddb, c, st, arn = lab("KEYS_ONLY")
    c.batch_write_item(RequestItems={"Travellers": [
        {"PutRequest": {"Item": {"Name": {"S": f"b{i}"}}}} for i in range(3)]})
    c.transact_write_items(TransactItems=[
        {"Put": {"TableName": "Travellers", "Item": {"Name": {"S": "t"}}}},
        {"Delete": {"TableName": "Travellers", "Key": {"Name": {"S": "b0"}}}}])
    recs = read_all(st, arn)
    assert sorted((r["eventName"], r["dynamodb"]["Keys"]["Name"]["S"]) for r in recs) == [
        ("INSERT", "b0"), ("INSERT", "b1"), ("INSERT", "b2"), ("INSERT", "t"), ("REMOVE", "b0")]


def test_ttl_delete_is_marked_as_the_service():
    ddb, c, st, arn = lab()
    c.update_time_to_live(TableName="Travellers",
                          TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = int(state_of(ddb).epoch_now())
    c.put_item(TableName="Travellers", Item={"Name": {"S": "Old"}, "exp": {"N": str(now + 5)}})
    c.delete_item(TableName="Travellers", Key={"Name": {"S": "Old"}})
    c.put_item(TableName="Travellers", Item={"Name": {"S": "Old"}, "exp": {"N": str(now + 5)}})
    ddb.run(ms=10_000)
    recs = read_all(st, arn)
    assert [r["eventName"] for r in recs] == ["INSERT", "REMOVE", "INSERT", "REMOVE"]
    assert "userIdentity" not in recs[1]
    assert recs[3]["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


# -- iterators ---------------------------------------------------------------------
def test_iterator_types():
    ddb, c, st, arn = lab("KEYS_ONLY")
    for i in range(5):
        c.put_item(TableName="Travellers", Item={"Name": {"S": f"n{i}"}})
    [shard] = shards_of(st, arn)
    sid = shard["ShardId"]
    everything = read_shard(st, arn, sid)
    seqs = [r["dynamodb"]["SequenceNumber"] for r in everything]
    assert len(seqs) == 5
    assert read_shard(st, arn, sid, "LATEST") == []
    latest = st.get_shard_iterator(StreamArn=arn, ShardId=sid,
                                   ShardIteratorType="LATEST")["ShardIterator"]
    c.put_item(TableName="Travellers", Item={"Name": {"S": "late"}})
    page = st.get_records(ShardIterator=latest)
    assert [r["dynamodb"]["Keys"]["Name"]["S"] for r in page["Records"]] == ["late"]
    at = read_shard(st, arn, sid, "AT_SEQUENCE_NUMBER", SequenceNumber=seqs[2])
    assert [r["dynamodb"]["SequenceNumber"] for r in at][:3] == seqs[2:]
    after = read_shard(st, arn, sid, "AFTER_SEQUENCE_NUMBER", SequenceNumber=seqs[2])
    assert [r["dynamodb"]["SequenceNumber"] for r in after][:2] == seqs[3:]
    # Errors, as AWS words them.
    with pytest.raises(ClientError) as e:
        st.get_shard_iterator(StreamArn=arn, ShardId="shardId-00000000000000000000-00000000",
                              ShardIteratorType="TRIM_HORIZON")
    assert error_of(e) == ("ResourceNotFoundException", NO_SHARD_MESSAGE)
    bad = arn.replace("Travellers", "Nobody")
    with pytest.raises(ClientError) as e:
        st.describe_stream(StreamArn=bad)
    assert error_of(e) == ("ResourceNotFoundException",
                           f"Requested resource not found: Stream: {bad} not found")
    with pytest.raises(ClientError) as e:
        st.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="AT_SEQUENCE_NUMBER",
                              SequenceNumber="9" * 30)
    assert error_of(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        st.get_records(ShardIterator=latest[:-4] + "AAAA")
    assert error_of(e) == ("ValidationException", "Invalid ShardIterator")


def test_get_records_limit_and_paging():
    ddb, c, st, arn = lab("KEYS_ONLY")
    for i in range(25):
        c.put_item(TableName="Travellers", Item={"Name": {"S": f"n{i:02d}"}})
    [shard] = shards_of(st, arn)
    it = st.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    sizes, names = [], []
    while True:
        page = st.get_records(ShardIterator=it, Limit=10)
        if not page["Records"]:
            break
        sizes.append(len(page["Records"]))
        names += [r["dynamodb"]["Keys"]["Name"]["S"] for r in page["Records"]]
        it = page["NextShardIterator"]
    assert sizes == [10, 10, 5] and names == [f"n{i:02d}" for i in range(25)]
    with pytest.raises(ClientError) as e:
        st.get_records(ShardIterator=it, Limit=1001)
    assert error_of(e)[0] == "ValidationException"


def test_get_records_stops_at_a_megabyte():
    ddb, c, st, arn = lab("NEW_IMAGE")
    for i in range(12):   # 12 records of ~100 KB: a page carries at most 10
        c.put_item(TableName="Travellers", Item={"Name": {"S": f"n{i:02d}"},
                                                 "blob": {"S": "x" * 100_000}})
    [shard] = shards_of(st, arn)
    it = st.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = st.get_records(ShardIterator=it)
    assert len(page["Records"]) == 10
    assert sum(r["dynamodb"]["SizeBytes"] for r in page["Records"]) <= 1 << 20
    assert len(st.get_records(ShardIterator=page["NextShardIterator"])["Records"]) == 2


def test_iterator_expires_after_15_minutes():
    ddb, c, st, arn = lab()
    c.put_item(TableName="Travellers", Item=JOHN_MARS)
    [shard] = shards_of(st, arn)
    it = st.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    ddb.run(ms=14 * 60 * 1000)
    page = st.get_records(ShardIterator=it)
    assert len(page["Records"]) == 1
    ddb.run(ms=15 * 60 * 1000)
    with pytest.raises(ClientError) as e:
        st.get_records(ShardIterator=page["NextShardIterator"])
    assert error_of(e) == ("ExpiredIteratorException", EXPIRED_MESSAGE)


def test_retention_trims_after_24_hours():
    ddb, c, st, arn = lab("KEYS_ONLY")
    c.put_item(TableName="Travellers", Item={"Name": {"S": "old"}})
    [shard] = shards_of(st, arn)
    sid = shard["ShardId"]
    old_seq = read_shard(st, arn, sid)[0]["dynamodb"]["SequenceNumber"]
    ddb.run(ms=24 * HOUR - 5 * 60 * 1000)
    c.put_item(TableName="Travellers", Item={"Name": {"S": "new"}})
    it = st.get_shard_iterator(StreamArn=arn, ShardId=sid,
                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    ddb.run(ms=10 * 60 * 1000)         # "old" turns 24 h old; the iterator is still good
    with pytest.raises(ClientError) as e:
        st.get_records(ShardIterator=it)
    assert error_of(e) == ("TrimmedDataAccessException", TRIMMED_MESSAGE)
    with pytest.raises(ClientError) as e:
        st.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="AT_SEQUENCE_NUMBER",
                              SequenceNumber=old_seq)
    assert error_of(e) == ("TrimmedDataAccessException", TRIMMED_MESSAGE)
    # TRIM_HORIZON now starts after the trimmed record; "new" went to a rolled-over shard.
    assert read_shard(st, arn, sid) == []
    assert [r["dynamodb"]["Keys"]["Name"]["S"] for r in read_all(st, arn)] == ["new"]


# -- shards: rollover, paging, disable, lineage ------------------------------------
def test_shards_roll_over_and_describe_stream_pages():
    ddb, c, st, arn = lab("KEYS_ONLY")
    state_of(ddb).streams.rollover_ms = 60_000          # AWS: about 4 hours; any period works alike
    for i in range(6):
        c.put_item(TableName="Travellers", Item={"Name": {"S": f"n{i}"}})
        ddb.run(ms=60_000)
    every = shards_of(st, arn)
    assert shards_of(st, arn, limit=2) == every
    assert len(every) >= 7
    by_id = {s["ShardId"]: s for s in every}
    open_ = [s for s in every if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
    assert len(open_) == len(ddb.partitions("Travellers"))
    # Rolled shards chain through ParentShardId: one record per shard, in order.
    chain, s = [], open_[0]
    while s is not None:
        chain.append(s["ShardId"])
        s = by_id.get(s.get("ParentShardId"))
    names = [r["dynamodb"]["Keys"]["Name"]["S"] for sid in reversed(chain)
             for r in read_shard(st, arn, sid)]
    assert names == [f"n{i}" for i in range(6)]
    # A closed shard's reader ends: no NextShardIterator after its last record.
    closed = by_id[chain[1]]
    it = st.get_shard_iterator(StreamArn=arn, ShardId=closed["ShardId"],
                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = st.get_records(ShardIterator=it)
    assert len(page["Records"]) == 1 and "NextShardIterator" not in page
    kids = st.describe_stream(StreamArn=arn, ShardFilter={
        "Type": "CHILD_SHARDS", "ShardId": chain[1]})["StreamDescription"]["Shards"]
    assert [k["ShardId"] for k in kids] == [chain[0]]


def test_list_streams_paging_and_disable_reenable():
    ddb = DynamoDB(seed=0)
    c, st = ddb.client(retries=0), ddb.streams_client(retries=0)
    for name in ("Alpha", "Bravo", "Charlie"):
        c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", StreamSpecification={
            "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}, **KEY)
        c.get_waiter("table_exists").wait(TableName=name)
    first = st.list_streams(Limit=2)
    assert [s["TableName"] for s in first["Streams"]] == ["Alpha", "Bravo"]
    rest = st.list_streams(Limit=2, ExclusiveStartStreamArn=first["LastEvaluatedStreamArn"])
    assert [s["TableName"] for s in rest["Streams"]] == ["Charlie"]
    assert "LastEvaluatedStreamArn" not in rest
    assert [s["TableName"] for s in st.list_streams(TableName="Bravo")["Streams"]] == ["Bravo"]

    arn = c.describe_table(TableName="Alpha")["Table"]["LatestStreamArn"]
    c.put_item(TableName="Alpha", Item={"Name": {"S": "a"}})
    c.update_table(TableName="Alpha", StreamSpecification={"StreamEnabled": False})
    c.get_waiter("table_exists").wait(TableName="Alpha")
    c.put_item(TableName="Alpha", Item={"Name": {"S": "b"}})          # no stream: no record
    d = st.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamStatus"] == "DISABLED"
    assert all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in d["Shards"])
    assert [r["dynamodb"]["Keys"] for r in read_all(st, arn)] == [{"Name": {"S": "a"}}]
    ddb.run(ms=1000)
    c.update_table(TableName="Alpha", StreamSpecification={"StreamEnabled": True,
                                                           "StreamViewType": "NEW_IMAGE"})
    c.get_waiter("table_exists").wait(TableName="Alpha")
    arn2 = c.describe_table(TableName="Alpha")["Table"]["LatestStreamArn"]
    assert arn2 != arn
    c.put_item(TableName="Alpha", Item={"Name": {"S": "c"}})
    d2 = st.describe_stream(StreamArn=arn2)["StreamDescription"]
    assert (d2["StreamStatus"], d2["StreamViewType"], d2["TableName"]) == \
        ("ENABLED", "NEW_IMAGE", "Alpha")
    assert d2["KeySchema"] == KEY["KeySchema"]
    assert [r["dynamodb"]["NewImage"] for r in read_all(st, arn2)] == [{"Name": {"S": "c"}}]
    assert [s["StreamArn"] for s in st.list_streams(TableName="Alpha")["Streams"]] == [arn, arn2]
    # The disabled stream is kept for the retention period (24 hours; an hour
    # here, to keep the test quick), then gone.
    state_of(ddb).streams.retention_ms = HOUR
    ddb.run(ms=HOUR + 1000)
    assert [s["StreamArn"] for s in st.list_streams(TableName="Alpha")["Streams"]] == [arn2]


def _split(ddb, table: str) -> None:
    """Split the table's partitions now: through the service's partition map
    when it is wired, else (older service) the store directly."""
    if hasattr(ddb, "set_partition_size_limit"):
        biggest = max(p["bytes"] for p in ddb.partitions(table))
        ddb.set_partition_size_limit(table, max(1, biggest // 2))
    else:
        t = state_of(ddb).tables[table]
        p = max(t.store.partitions, key=lambda p: p.size_bytes)
        t.store.split(p.id, (p.start + p.end) // 2)


def test_lineage_across_a_split():
    ddb, c, st, arn = lab("NEW_IMAGE")
    for i in range(40):
        c.put_item(TableName="Travellers", Item={"Name": {"S": f"n{i}"}, "v": {"N": "1"}})
    before = shards_of(st, arn)
    _split(ddb, "Travellers")
    for i in range(40):
        c.put_item(TableName="Travellers", Item={"Name": {"S": f"n{i}"}, "v": {"N": "2"}})
    shards = shards_of(st, arn)
    assert len(shards) > len(before)
    ids = {s["ShardId"] for s in shards}
    parents = {s.get("ParentShardId") for s in shards} - {None}
    assert parents and parents <= ids
    assert all("EndingSequenceNumber" in s["SequenceNumberRange"]
               for s in shards if s["ShardId"] in parents)
    by_item: dict = {}
    for r in read_all(st, arn):
        by_item.setdefault(r["dynamodb"]["Keys"]["Name"]["S"], []).append(
            r["dynamodb"]["NewImage"]["v"]["N"])
    assert by_item == {f"n{i}": ["1", "2"] for i in range(40)}
    kinds = [e.kind for e in ddb.log if e.kind.startswith("shard.")]
    assert "shard.closed" in kinds and kinds.count("shard.opened") == len(shards)
    state_of(ddb).streams._check()


def test_exactly_once_in_order_per_item_over_10000_writes_with_splits():
    t0 = time.monotonic()
    ddb, c, st, arn = lab("NEW_AND_OLD_IMAGES", create_ms=0)
    rng = random.Random(7)
    expected: dict = {}        # key -> [(eventName, value)], in write order
    state: dict = {}
    writes = 0
    n = 0
    while writes < 10_000:
        if n % 150 == 75:                      # three rounds of splits along the way
            _split(ddb, "Travellers")
        n += 1
        keys = rng.sample(range(400), 25)
        reqs = []
        for k in keys:
            name = f"k{k:03d}"
            if name in state and rng.random() < 0.25:
                reqs.append({"DeleteRequest": {"Key": {"Name": {"S": name}}}})
                expected.setdefault(name, []).append(("REMOVE", state.pop(name)))
            else:
                v = str(writes)
                reqs.append({"PutRequest": {"Item": {"Name": {"S": name}, "v": {"N": v},
                                                     "pad": {"S": "x" * 60}}}})
                expected.setdefault(name, []).append(
                    ("MODIFY" if name in state else "INSERT", v))
                state[name] = v
            writes += 1
        out = handle(ddb, "BatchWriteItem", {"RequestItems": {"Travellers": reqs}})
        assert out["UnprocessedItems"] == {}
    got: dict = {}
    seen_ids = set()
    for r in read_all(st, arn):
        d = r["dynamodb"]
        assert r["eventID"] not in seen_ids
        seen_ids.add(r["eventID"])
        img = d.get("NewImage") or d.get("OldImage")
        got.setdefault(d["Keys"]["Name"]["S"], []).append((r["eventName"], img["v"]["N"]))
    assert got == expected
    assert len(seen_ids) == 10_000
    assert len(ddb.partitions("Travellers")) > 2
    state_of(ddb).streams._check()
    assert state_of(ddb).internal_errors == []
    assert time.monotonic() - t0 < 60


def test_same_seed_same_stream():
    def run():
        ddb, c, st, arn = lab("NEW_AND_OLD_IMAGES", seed=3)
        for i in range(30):
            c.put_item(TableName="Travellers", Item={"Name": {"S": f"n{i % 7}"}, "v": {"N": str(i)}})
        _split(ddb, "Travellers")
        for i in range(30):
            c.delete_item(TableName="Travellers", Key={"Name": {"S": f"n{i % 9}"}})
        state_of(ddb).streams.rollover_ms = 1000
        ddb.run(ms=5000)
        c.put_item(TableName="Travellers", Item={"Name": {"S": "last"}})
        return arn, shards_of(st, arn), read_all(st, arn)
    assert run() == run()


def test_events_are_catalogued_and_plain():
    ddb, c, st, arn = lab("KEYS_ONLY")
    c.put_item(TableName="Travellers", Item={"Name": {"S": "John"}})
    [rec] = [e for e in ddb.log if e.kind == "stream.record"]
    assert rec.event == "INSERT" and rec.table == "Travellers"
    assert rec.key == (("Name", "John"),)
    assert rec.sequence == read_all(st, arn)[0]["dynamodb"]["SequenceNumber"]
    [opened] = [e for e in ddb.log if e.kind == "shard.opened"]
    assert opened.parent is None and opened.shard == shards_of(st, arn)[0]["ShardId"]
