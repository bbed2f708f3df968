"""A served lab tells the real date (issue 13).

``dynamo-lab serve`` runs each namespace on the wall clock, and its dates
are real: a stream record's ``ApproximateCreationDateTime`` and a table's
``CreationDateTime`` are the time the learner made them, a Lambda-like
trigger on the served stream does not throw records away as older than
24 hours, TTL deletes an item whose ``expires`` is a real time just past,
and after a ``--data`` restart new records are dated after the old ones.
In-process (virtual clock) the lab keeps its fixed :data:`EPOCH`, so seeded
runs do not change.

Everything goes through real boto3 over HTTP to ``dynamo-lab serve`` in a
subprocess.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from ddb_support import ServeProcess, boto_client

from dynamo_lab.dynamodb.consumers.triggers import EventSourceMapping
from dynamo_lab.dynamodb.server.room import MAX_CATCH_UP_MS, Caller, Room
from dynamo_lab.dynamodb.service import state_of
from dynamo_lab.dynamodb.state import EPOCH

#: How far (s) a served date may be from the test's own clock.
SLACK = 60


def _stream_table(client, name: str, ttl: bool = False) -> str:
    arn = client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    if ttl:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "expires"})
    return arn


def _records(streams, arn: str) -> list[dict]:
    out = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        out += streams.get_records(ShardIterator=it)["Records"]
    return out


@pytest.fixture(scope="module")
def served():
    srv = ServeProcess()
    try:
        yield boto_client(srv.url), boto_client(srv.url, "dynamodbstreams")
    finally:
        srv.stop()


def test_a_served_stream_record_and_table_carry_the_real_date(served):
    client, streams = served
    before = time.time()
    arn = _stream_table(client, "Clock")
    client.put_item(TableName="Clock", Item={"id": {"S": "a"}})
    (rec,) = _records(streams, arn)
    made = rec["dynamodb"]["ApproximateCreationDateTime"].timestamp()
    assert abs(made - before) < SLACK, (made, before)
    created = client.describe_table(TableName="Clock")["Table"]["CreationDateTime"].timestamp()
    assert abs(created - before) < SLACK, (created, before)
    label = client.describe_table(TableName="Clock")["Table"]["LatestStreamLabel"]
    told = datetime.strptime(label, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)
    assert abs(told.timestamp() - before) < SLACK, label


def test_a_trigger_on_a_served_stream_gets_the_records_not_discarded_as_old(served):
    client, streams = served
    arn = _stream_table(client, "ClockVotes")
    for v in ("ann", "bob", "cy"):
        client.put_item(TableName="ClockVotes", Item={"id": {"S": v}})
    seen: list[str] = []
    mapping = EventSourceMapping(
        lambda event: seen.extend(r["dynamodb"]["NewImage"]["id"]["S"] for r in event["Records"]),
        arn, streams_client=streams, starting_position="TRIM_HORIZON")
    mapping.drain()
    assert sorted(seen) == ["ann", "bob", "cy"]
    assert mapping.stats["discarded"] == 0 and not mapping.failures, mapping.stats


def test_ttl_on_a_served_lab_deletes_an_item_expired_by_the_real_clock(served):
    client, _ = served
    _stream_table(client, "ClockTtl", ttl=True)
    now = int(time.time())
    client.put_item(TableName="ClockTtl", Item={"id": {"S": "gone"}, "expires": {"N": str(now - 10)}})
    client.put_item(TableName="ClockTtl", Item={"id": {"S": "kept"}, "expires": {"N": str(now + 3600)}})
    deadline = time.monotonic() + 20      # the lab sweeps every virtual second
    while time.monotonic() < deadline:
        ids = sorted(i["id"]["S"] for i in client.scan(TableName="ClockTtl")["Items"])
        if ids == ["kept"]:
            break
        time.sleep(0.5)
    assert ids == ["kept"], ids


def test_after_a_data_restart_new_records_are_dated_after_the_old(tmp_path):
    def put_and_read(srv: ServeProcess, item: str, make: bool) -> list[float]:
        client, streams = boto_client(srv.url), boto_client(srv.url, "dynamodbstreams")
        if make:
            _stream_table(client, "ClockKept")
        arn = client.describe_table(TableName="ClockKept")["Table"]["LatestStreamArn"]
        client.put_item(TableName="ClockKept", Item={"id": {"S": item}})
        return [r["dynamodb"]["ApproximateCreationDateTime"].timestamp()
                for r in _records(streams, arn)]

    srv = ServeProcess("--data", str(tmp_path))
    try:
        (first,) = put_and_read(srv, "a", make=True)
    finally:
        assert srv.stop()[0] == 0
    time.sleep(2.1)                       # the server is down for two seconds
    srv = ServeProcess("--data", str(tmp_path))
    try:
        old, new = put_and_read(srv, "b", make=False)
    finally:
        srv.stop()
    assert old == first, (first, old)              # a date once told stays
    assert new >= first + 2, (first, new)          # the time the server was down counts
    assert abs(new - time.time()) < SLACK, (first, new)


def _put_record(room: Room, who: Caller, table: str, item: str) -> None:
    room.dispatch(who, "DynamoDB_20120810.PutItem", {"TableName": table, "Item": {"id": {"S": item}}})


def _dates(room: Room, who: Caller, table: str) -> list[int]:
    arn = room.dispatch(who, "DynamoDB_20120810.DescribeTable",
                        {"TableName": table})["Table"]["LatestStreamArn"]
    shards = room.dispatch(who, "DynamoDBStreams_20120810.DescribeStream",
                           {"StreamArn": arn})["StreamDescription"]["Shards"]
    it = room.dispatch(who, "DynamoDBStreams_20120810.GetShardIterator", {
        "StreamArn": arn, "ShardId": shards[0]["ShardId"],
        "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
    records = room.dispatch(who, "DynamoDBStreams_20120810.GetRecords", {"ShardIterator": it})
    return [r["dynamodb"]["ApproximateCreationDateTime"] for r in records["Records"]]


_TABLE = {"TableName": "Idle", "BillingMode": "PAY_PER_REQUEST",
          "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
          "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
          "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}}


def test_a_room_on_the_virtual_clock_keeps_the_fixed_epoch_and_the_wall_clock_room_the_real():
    who = Caller("ada", "us-east-1")
    virtual = state_of(Room(seed=0).service_for(who))
    assert virtual.epoch == EPOCH and virtual.epoch_now() == EPOCH
    room = Room(seed=0, clock="wall")
    wall = [1000.0]
    room._monotonic = lambda: wall[0]     # the room's wall clock, held by the test
    before = time.time()
    state = state_of(room.service_for(who))
    assert abs(state.epoch_now() - before) < SLACK
    room.dispatch(who, "DynamoDB_20120810.CreateTable", _TABLE)
    _put_record(room, who, "Idle", "before")
    wall[0] += 2 * 3600                   # two idle hours: the catch-up skips most of them
    _put_record(room, who, "Idle", "after")
    assert state.sim.now <= MAX_CATCH_UP_MS + 100
    assert abs(state.epoch_now() - (before + 2 * 3600)) < SLACK   # yet the date is real
    first, second = _dates(room, who, "Idle")
    assert abs(first - before) < SLACK and abs(second - (before + 2 * 3600)) < SLACK


def test_data_keeps_a_namespace_clock_across_a_restart(tmp_path):
    who = Caller("ada", "us-east-1")
    with Room(seed=0, data_dir=tmp_path) as room:
        state = state_of(room.service_for(who))
        state.epoch = EPOCH + 123.5
        room.dispatch(who, "DynamoDB_20120810.CreateTable", _TABLE)
        state.skip_wall(60.0)
        _put_record(room, who, "Idle", "a")
        kept, dates = state.clock_record(), _dates(room, who, "Idle")
    with Room(seed=0, data_dir=tmp_path) as room:
        again = state_of(room.service_for(who))
        assert again.clock_record() == kept and kept["steps"]
        assert _dates(room, who, "Idle") == dates


def test_a_state_file_server_dates_its_records_by_the_real_clock(tmp_path):
    # dynamo-lab serve --state FILE (one shared namespace kept in a file) is on
    # the wall clock too: its stream records carry today's date, after a restart too
    state = tmp_path / "room.json"
    for round_ in range(2):
        srv = ServeProcess("--state", str(state))
        try:
            client, streams = boto_client(srv.url), boto_client(srv.url, "dynamodbstreams")
            before = time.time()
            if round_ == 0:
                _stream_table(client, "ClockFile")
            arn = client.describe_table(TableName="ClockFile")["Table"]["LatestStreamArn"]
            client.put_item(TableName="ClockFile", Item={"id": {"S": f"r{round_}"}})
            made = [r["dynamodb"]["ApproximateCreationDateTime"].timestamp()
                    for r in _records(streams, arn)]
        finally:
            srv.stop()
        assert made and abs(made[-1] - before) < SLACK, (made, before)
