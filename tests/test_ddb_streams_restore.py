"""StreamHub.snapshot / StreamHub.restore: a service's streams carried into a
fresh service keep their records, sequence numbers, shards (open or closed,
with their parents) and every shard iterator handed out before (issue 14).

Real boto3 (``ddb.streams_client()``) reads both services.
"""
from __future__ import annotations

import json

import pytest

from dynamo_lab.dynamodb.service import DynamoDB, state_of
from dynamo_lab.errors import UsageError

KEY = dict(KeySchema=[{"AttributeName": "Name", "KeyType": "HASH"}],
           AttributeDefinitions=[{"AttributeName": "Name", "AttributeType": "S"}])


def lab(seed: int = 5):
    """A service with one streamed table (same seed: same table id and label)."""
    ddb = DynamoDB(seed=seed, create_ms=0)
    c, st = ddb.client(retries=0), ddb.streams_client(retries=0)
    c.create_table(TableName="Travellers", BillingMode="PAY_PER_REQUEST",
                   StreamSpecification={"StreamEnabled": True,
                                        "StreamViewType": "NEW_AND_OLD_IMAGES"}, **KEY)
    state_of(ddb).streams.rollover_ms = 60_000        # AWS: about 4 hours
    return ddb, c, st


def shards(st, arn):
    return st.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]


def records(st, it):
    page = st.get_records(ShardIterator=it)
    return [(r["eventName"], r["eventID"], r["dynamodb"]["SequenceNumber"],
             r["dynamodb"]["Keys"]) for r in page["Records"]], "NextShardIterator" in page


def test_round_trip_keeps_records_shards_and_iterators():
    a, c, st = lab()
    for i in range(8):
        c.put_item(TableName="Travellers", Item={"Name": {"S": f"n{i % 5}"}, "v": {"N": str(i)}})
        a.run(ms=25_000)                              # a rollover every few writes
    c.delete_item(TableName="Travellers", Key={"Name": {"S": "n1"}})
    arn = c.describe_table(TableName="Travellers")["Table"]["LatestStreamArn"]
    before = shards(st, arn)
    closed = [s for s in before if "EndingSequenceNumber" in s["SequenceNumberRange"]]
    [open_] = [s for s in before if s not in closed]
    assert len(closed) >= 3 and open_["ParentShardId"] == closed[-1]["ShardId"]
    # Iterators handed out before the snapshot, of every kind.
    first_recs, _ = records(st, st.get_shard_iterator(
        StreamArn=arn, ShardId=open_["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"])
    its = {
        "closed": st.get_shard_iterator(StreamArn=arn, ShardId=closed[0]["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"],
        "open": st.get_shard_iterator(StreamArn=arn, ShardId=open_["ShardId"],
                                      ShardIteratorType="AT_SEQUENCE_NUMBER",
                                      SequenceNumber=first_recs[-1][2])["ShardIterator"],
        "latest": st.get_shard_iterator(StreamArn=arn, ShardId=open_["ShardId"],
                                        ShardIteratorType="LATEST")["ShardIterator"],
    }
    hub = state_of(a).streams
    snap = json.loads(json.dumps(hub.snapshot()))     # plain data: JSON carries it

    b, cb, stb = lab()
    state_of(b).sim.run(until=snap["now"])
    state_of(b).streams.restore(snap, restart=1)
    assert state_of(b).streams.snapshot() == hub.snapshot()
    assert state_of(b).streams.last_sequence == hub.last_sequence
    assert shards(stb, arn) == before                 # ids, parents, sequence ranges
    for name, it in its.items():
        assert records(stb, it) == records(st, it), name
    # The restored open shard is the partition's again: new records go on it,
    # numbered after every record before, with event ids not drawn before.
    table = state_of(b).tables["Travellers"]
    [p] = list(table.layout.pmap)
    assert p.shard == open_["ShardId"]
    state_of(b).streams.refresh()
    table._check(streams=state_of(b).streams)
    cb.put_item(TableName="Travellers", Item={"Name": {"S": "after"}})
    assert shards(stb, arn) == before
    [new], more = records(stb, its["latest"])
    seen = [r for sh in snap["streams"][0]["shards"] for r in sh["records"]]
    assert more and new[3] == {"Name": {"S": "after"}}
    assert int(new[2]) > max(r["seq"] for r in seen)
    assert new[1] not in {r["event_id"] for r in seen}
    # The open shard still rolls over when its time is up.
    b.run(ms=60_000)
    state_of(b).streams.refresh()
    assert shards(stb, arn)[-1]["ParentShardId"] == open_["ShardId"]
    assert p.shard == shards(stb, arn)[-1]["ShardId"]
    table._check(streams=state_of(b).streams)


def test_an_open_shard_without_its_partition_closes_and_parents_the_new_one():
    a, c, _ = lab()
    c.put_item(TableName="Travellers", Item={"Name": {"S": "x"}})
    snap = state_of(a).streams.snapshot()
    [sh] = snap["streams"][0]["shards"]
    sh["partition"] = "p-gone"                        # its partition was not rebuilt
    b, cb, stb = lab()
    state_of(b).sim.run(until=snap["now"])
    state_of(b).streams.restore(snap, restart=1)
    cb.put_item(TableName="Travellers", Item={"Name": {"S": "y"}})
    arn = snap["streams"][0]["arn"]
    old, new = shards(stb, arn)
    assert old["ShardId"] == sh["id"] and "EndingSequenceNumber" in old["SequenceNumberRange"]
    assert new["ParentShardId"] == sh["id"]
    state_of(b).streams.refresh()
    state_of(b).tables["Travellers"]._check(streams=state_of(b).streams)


def test_restore_refuses_a_hub_in_use_or_a_clock_behind_and_changes_nothing():
    a, c, _ = lab()
    c.put_item(TableName="Travellers", Item={"Name": {"S": "x"}})
    hub = state_of(a).streams
    snap = hub.snapshot()
    before = hub.snapshot()
    with pytest.raises(UsageError, match="needs a hub with no streams yet"):
        hub.restore(snap, restart=1)
    assert hub.snapshot() == before
    b, _, _ = lab()
    fresh = state_of(b).streams
    with pytest.raises(UsageError, match="behind the snapshot"):
        fresh.restore({**snap, "now": state_of(b).sim.now + 1}, restart=1)
    assert fresh.streams == {} and fresh.last_sequence == state_of(DynamoDB(seed=5)).streams.last_sequence
