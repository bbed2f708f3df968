"""Each stream view draws its own table's stream only: the shard lineage
starts over when a table is made again under the same name (in process, and
on a room's server where a re-run lesson's namespace keeps the earlier run),
and the stream-records view leaves out shards listed for another table, even
when their records were read before the view's own table was described."""
from __future__ import annotations

import boto3

from dynamo_lab import DynamoDB, EventLog
from dynamo_lab.dynamodb.server.http import Server
from dynamo_lab.dynamodb.server.room import Caller, Room
from dynamo_lab.viz import ShardLineageView, StreamRecordsView, record
from dynamo_lab.viz.ddb._endpoint import LabEvents


def _make(c, name: str) -> str:
    c.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   BillingMode="PAY_PER_REQUEST",
                   StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    c.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    return c.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def _put(c, name: str, n: int, prefix: str = "v") -> None:
    for i in range(n):
        c.put_item(TableName=name, Item={"pk": {"S": f"{prefix}{i}"}})


def _drop(c, name: str) -> None:
    c.delete_table(TableName=name)
    c.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 1})


def _read(s, arn: str) -> list[str]:
    """DescribeStream, then every shard from TRIM_HORIZON; the shard ids."""
    shards = [sh["ShardId"] for sh in s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]]
    for sid in shards:
        it = s.get_shard_iterator(StreamArn=arn, ShardId=sid,
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        s.get_records(ShardIterator=it)
    return shards


# -- the lineage: a table made again starts a new tree ----------------------

def test_a_table_made_again_draws_only_its_new_stream_in_process():
    ddb = DynamoDB(seed=0)
    c = ddb.client(retries=0)
    old = _make(c, "Voters")
    _put(c, "Voters", 5)
    _drop(c, "Voters")
    new = _make(c, "Voters")
    _put(c, "Voters", 3, prefix="n")
    assert old != new
    view = ShardLineageView(ddb, table="Voters")
    shards = view.shards()
    assert [sh["stream"] for sh in shards.values()] == [new.rsplit("/", 1)[1]]
    assert sum(sh["records"] for sh in shards.values()) == 3
    assert repr(view) == "<ShardLineageView 'Voters': 1 shard (1 open), 3 records>"
    # the same log replayed to the end before the table was made again: the old stream
    at = next(i for i, e in enumerate(ddb.log) if e.kind == "table.deleted")
    before = EventLog()
    for e in list(ddb.log)[:at]:
        before.emit(e.kind, **e.fields)
    assert sum(sh["records"] for sh in ShardLineageView(before, table="Voters")
               .shards().values()) == 5


def client(url: str, service: str = "dynamodb", key: str = "Hana8"):
    return boto3.session.Session().client(service, endpoint_url=url, region_name="us-east-1",
                                          aws_access_key_id=key, aws_secret_access_key="x")


def test_a_rerun_on_a_rooms_server_records_only_what_it_did():
    room = Room()
    with Server(room=room) as srv:
        c = client(srv.url)
        record(c)                              # the first run of the lesson
        _make(c, "Voters")
        _put(c, "Voters", 25)
        # the re-run: a new recording, then the lesson drops and makes its table again
        c2, s2 = client(srv.url), client(srv.url, "dynamodbstreams")
        calls = record(c2, s2)
        assert calls.lab_events.available and calls.lab_events.next > 25
        _drop(c2, "Voters")
        arn = _make(c2, "Voters")
        _put(c2, "Voters", 25, prefix="n")
        _read(s2, arn)
        view = ShardLineageView(calls, table="Voters")
        assert sum(sh["records"] for sh in view.shards().values()) == 25
        assert {sh["stream"] for sh in view.shards().values()} == {arn.rsplit("/", 1)[1]}
        assert all(sh["closed"] is None for sh in view.shards().values())
        assert repr(StreamRecordsView(calls, table="Voters")).endswith(
            "1 shard (1 open), 25 records (25 INSERT)>")
        # everything the namespace logged is still there for who asks for it
        everything = LabEvents(c2, since=0).fetch()
        ns = room.service_for(Caller("Hana8", "us-east-1")).log
        assert len(everything) == len(ns)
        assert sum(e["kind"] == "stream.record" for e in everything) == 50


# -- the stream-records view: only its own table's shards -------------------

def _two_tables():
    ddb = DynamoDB(seed=1)
    c, s = ddb.client(retries=0), ddb.streams_client()
    calls = record(c, s)
    voters, trips = _make(c, "Voters"), _make(c, "TripsNewImage")
    _put(c, "Voters", 4)
    _put(c, "TripsNewImage", 3, prefix="t")
    return ddb, c, s, calls, voters, trips


def test_each_records_view_shows_its_own_tables_shards():
    _, c, s, calls, voters, trips = _two_tables()
    trip_shards = _read(s, trips)             # another table's stream, read first
    voter_shards = _read(s, voters)
    v, t = StreamRecordsView(calls, table="Voters"), StreamRecordsView(calls, table="TripsNewImage")
    assert v.lanes() == voter_shards and t.lanes() == trip_shards
    assert repr(v) == "<StreamRecordsView 'Voters': 1 shard (1 open), 4 records (4 INSERT)>"
    assert repr(t) == "<StreamRecordsView 'TripsNewImage': 1 shard (1 open), 3 records (3 INSERT)>"
    assert all(f'data-shard="{sid}"' not in v.svg() for sid in trip_shards)


def test_records_read_before_any_describe_are_left_out_once_the_table_is_described():
    ddb, c, s, calls, voters, trips = _two_tables()
    # records of shards whose DescribeStream the recorder never saw: the
    # shard ids come from a client it does not record
    other = [sh["ShardId"] for sh in ddb.streams_client().describe_stream(
        StreamArn=trips)["StreamDescription"]["Shards"]]
    for sid in other:
        it = s.get_shard_iterator(StreamArn=trips, ShardId=sid,
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        s.get_records(ShardIterator=it)
    v = StreamRecordsView(calls, table="Voters")
    assert v.lanes() == other                      # nothing tells them apart yet
    voter_shards = _read(s, voters)
    assert v.lanes() == voter_shards and repr(v).endswith("4 records (4 INSERT)>")
    # the unnamed view names the first table DescribeStream lists, and keeps only its shards
    assert StreamRecordsView(calls).lanes() == voter_shards

