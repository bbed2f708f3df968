"""Whose tables (issue 13, section 2): a room keeps one DynamoDB per access
key and region, as DynamoDB Local does, unless it is shared."""
from __future__ import annotations

import json
import threading

import pytest

from dynamo_lab.dynamodb.errors import DynamoDBError
from dynamo_lab.dynamodb.server.room import SHARED, Caller, Room, account_for
from dynamo_lab.errors import OptionError, OptionValueError

DDB = "DynamoDB_20120810."
STREAMS = "DynamoDBStreams_20120810."
ADA = Caller("AKIAADA0000000000001", "us-east-1")
BOB = Caller("AKIABOB0000000000002", "us-east-1")
ADA_EU = Caller("AKIAADA0000000000001", "eu-west-1")


def votes(stream: bool = False) -> dict:
    req = {"TableName": "Votes", "BillingMode": "PAY_PER_REQUEST",
           "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
           "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}
    if stream:
        req["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    return req


def call(room: Room, who: Caller, op: str, **params) -> dict:
    return room.dispatch(who, DDB + op, params)


def test_two_learners_both_create_votes_and_see_only_their_own():
    room = Room(seed=0)
    for who in (ADA, BOB, ADA_EU):
        call(room, who, "CreateTable", **votes(stream=True))
    call(room, ADA, "PutItem", TableName="Votes", Item={"id": {"S": "ada"}})
    call(room, BOB, "PutItem", TableName="Votes", Item={"id": {"S": "bob"}})
    call(room, BOB, "CreateTable", **{**votes(), "TableName": "BobOnly"})

    assert call(room, ADA, "ListTables")["TableNames"] == ["Votes"]
    assert call(room, BOB, "ListTables")["TableNames"] == ["BobOnly", "Votes"]
    assert [i["id"]["S"] for i in call(room, ADA, "Scan", TableName="Votes")["Items"]] == ["ada"]
    assert [i["id"]["S"] for i in call(room, BOB, "Scan", TableName="Votes")["Items"]] == ["bob"]
    # same key, other region: another database
    assert call(room, ADA_EU, "Scan", TableName="Votes")["Items"] == []
    with pytest.raises(DynamoDBError) as e:
        call(room, ADA, "DescribeTable", TableName="BobOnly")
    assert e.value.code == "ResourceNotFoundException"

    arns = {who: call(room, who, "DescribeTable", TableName="Votes")["Table"] for who in
            (ADA, BOB, ADA_EU)}
    assert arns[ADA]["TableArn"] == \
        f"arn:aws:dynamodb:us-east-1:{account_for(ADA.access_key_id)}:table/Votes"
    assert arns[ADA_EU]["TableArn"].startswith("arn:aws:dynamodb:eu-west-1:")
    assert len({d["TableArn"] for d in arns.values()}) == 3
    assert len({d["LatestStreamArn"] for d in arns.values()}) == 3
    for who, desc in arns.items():
        streams = room.dispatch(who, STREAMS + "ListStreams", {})["Streams"]
        assert [s["StreamArn"] for s in streams] == [desc["LatestStreamArn"]]
    # a stream ARN of another namespace is not found here
    with pytest.raises(DynamoDBError) as e:
        room.dispatch(ADA, STREAMS + "DescribeStream", {"StreamArn": arns[BOB]["LatestStreamArn"]})
    assert e.value.code == "ResourceNotFoundException"
    assert room.namespaces() == ["AKIAADA0000000000001_us-east-1",
                                 "AKIABOB0000000000002_us-east-1",
                                 "AKIAADA0000000000001_eu-west-1"]


def test_accounts_are_twelve_digits_stable_and_distinct():
    a, b = account_for(ADA.access_key_id), account_for(BOB.access_key_id)
    assert len(a) == len(b) == 12 and a.isdigit() and b.isdigit() and a != b
    assert account_for(ADA.access_key_id) == a
    assert account_for("210987654321") == "210987654321"


def test_a_shared_room_has_one_namespace():
    room = Room(shared=True)
    call(room, ADA, "CreateTable", **votes())
    assert call(room, BOB, "ListTables")["TableNames"] == ["Votes"]
    assert call(room, ADA_EU, "ListTables")["TableNames"] == ["Votes"]
    with pytest.raises(DynamoDBError) as e:
        call(room, BOB, "CreateTable", **votes())
    assert e.value.code == "ResourceInUseException"
    assert room.namespaces() == [SHARED]
    assert room.status()["namespaces"][0]["access_key_ids"] == sorted(
        [ADA.access_key_id, BOB.access_key_id])


def test_a_namespace_runs_the_same_whatever_the_others_do():
    def ada_run(room: Room, bob_too: bool) -> list:
        call(room, ADA, "CreateTable", **votes(stream=True))
        for i in range(20):
            call(room, ADA, "PutItem", TableName="Votes", Item={"id": {"S": f"v{i}"}})
            if bob_too:
                call(room, BOB, "PutItem" if i else "CreateTable",
                     **({"TableName": "Votes", "Item": {"id": {"S": f"b{i}"}}} if i
                        else votes()))
        return room.events_since(ADA, 0, limit=10_000)["events"]

    alone, busy = ada_run(Room(seed=3), False), ada_run(Room(seed=3), True)
    assert alone and alone == busy


def test_events_since_gives_a_namespaces_own_events_page_by_page():
    room = Room()
    call(room, ADA, "CreateTable", **votes())
    call(room, BOB, "CreateTable", **{**votes(), "TableName": "BobsTable"})
    for i in range(5):
        call(room, ADA, "PutItem", TableName="Votes", Item={"id": {"S": str(i)}})
    seen, since = [], 0
    while True:
        page = room.events_since(ADA, since, limit=3)
        assert len(page["events"]) <= 3
        json.loads(json.dumps(page))                       # JSON-safe as it stands
        seen += page["events"]
        if page["next"] == since:
            break
        since = page["next"]
    assert len(seen) == len(room.service_for(ADA).log) > 5
    tables = {e.get("table") for e in seen} - {None}
    assert tables == {"Votes"}
    assert any(e.get("table") == "BobsTable" for e in room.events_since(BOB, 0)["events"])
    # past the end: nothing, and the cursor stays at the end
    end = len(room.service_for(ADA).log)
    assert room.events_since(ADA, end + 50) == {"events": [], "next": end}
    # a caller who never called has no namespace and no events; none is made
    assert room.events_since(Caller("nobody", "us-east-1"), 0) == {"events": [], "next": 0}
    assert len(room.namespaces()) == 2
    for bad in ({"since": -1}, {"since": "0"}, {"since": 0, "limit": 0}):
        with pytest.raises(DynamoDBError) as e:
            room.events_since(ADA, **{"limit": 10, **bad})
        assert e.value.code == "ValidationException"


@pytest.mark.parametrize("key", ["", "ada/../../etc", "ada_x", "a b", "é"])
def test_a_key_that_is_not_letters_and_digits_is_refused_before_any_namespace(key):
    room = Room()
    with pytest.raises(DynamoDBError) as e:
        call(room, Caller(key, "us-east-1"), "ListTables")
    assert e.value.code == "UnrecognizedClientException"
    assert e.value.status == 400
    assert e.value.to_wire() == {
        "__type": "com.amazon.coral.service#UnrecognizedClientException",
        "message": "The Access Key ID or security token is invalid."}
    with pytest.raises(DynamoDBError) as e:
        call(room, Caller("ada", "../x"), "ListTables")
    assert e.value.code == "InvalidSignatureException"
    assert room.namespaces() == []


def test_unknown_targets_and_errors_are_counted_in_the_status():
    room = Room()
    for target in ("DynamoDB_20120810.", "Nope.ListTables", ""):
        with pytest.raises(DynamoDBError) as e:
            room.dispatch(ADA, target, {})
        assert e.value.code == "UnknownOperationException"
    with pytest.raises(DynamoDBError):
        call(room, ADA, "DescribeTable", TableName="Nope")
    call(room, ADA, "ListTables")
    s = room.status()
    assert (s["requests"], s["errors"]) == (5, 4)
    row, = s["namespaces"]
    assert row["namespace"] == "AKIAADA0000000000001_us-east-1" and row["region"] == "us-east-1"
    assert row["requests_per_s"] == 0.5 and 0 <= row["last_seen"] < 5
    json.dumps(s)


def test_concurrent_learners_keep_every_write_in_their_own_namespace():
    room = Room()
    learners = [Caller(f"learner{i}", "us-east-1") for i in range(6)]
    for who in learners:
        call(room, who, "CreateTable", **votes())
    failures: list = []

    def work(who: Caller) -> None:
        try:
            for j in range(40):
                call(room, who, "PutItem", TableName="Votes",
                     Item={"id": {"S": f"{who.access_key_id}-{j}"}})
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in learners for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    for who in learners:
        items = call(room, who, "Scan", TableName="Votes")["Items"]
        assert len(items) == 40
        assert {i["id"]["S"].split("-")[0] for i in items} == {who.access_key_id}


def test_room_options_are_checked_at_once():
    with pytest.raises(OptionError, match="'capacty'"):
        Room(service_options={"capacty": {}})
    with pytest.raises(OptionError, match="burst_secs"):
        Room(service_options={"capacity": {"burst_secs": 1}})
    with pytest.raises(OptionValueError, match="clock"):
        Room(clock="sundial")
    room = Room(service_options={"create_ms": 500})
    call(room, ADA, "CreateTable", **votes())
    assert call(room, ADA, "DescribeTable", TableName="Votes")["Table"]["TableStatus"] == "CREATING"
    assert call(Room(), ADA, "CreateTable", **votes())["TableDescription"]["TableStatus"] \
        == "CREATING"


def test_a_wall_clock_room_moves_each_namespace_with_real_time():
    now = [1000.0]
    room = Room(clock="wall")
    room._monotonic = lambda: now[0]                   # real time, held still by the test
    call(room, ADA, "ListTables")
    t0 = room.service_for(ADA).sim.now
    now[0] += 2.5
    call(room, ADA, "ListTables")
    assert room.service_for(ADA).sim.now - t0 >= 2500
    now[0] += 3600                                     # an idle hour: at most a minute replayed
    call(room, ADA, "ListTables")
    assert room.service_for(ADA).sim.now - t0 <= 2500 + 60_000 + 10


def test_with_a_data_dir_each_namespace_comes_back_on_its_own(tmp_path):
    with Room(data_dir=tmp_path) as room:
        call(room, ADA, "CreateTable", **votes())
        call(room, BOB, "CreateTable", **votes())
        call(room, ADA, "PutItem", TableName="Votes", Item={"id": {"S": "ada"}})
    assert sorted(p.name for p in tmp_path.glob("*.sqlite")) == [
        "AKIAADA0000000000001_us-east-1.sqlite", "AKIABOB0000000000002_us-east-1.sqlite"]
    with Room(data_dir=tmp_path) as again:
        assert [i["id"]["S"] for i in call(again, ADA, "Scan", TableName="Votes")["Items"]] == ["ada"]
        assert call(again, BOB, "Scan", TableName="Votes")["Items"] == []
        assert call(again, ADA_EU, "ListTables")["TableNames"] == []


def test_events_come_as_json_has_them():
    room = Room()
    call(room, ADA, "CreateTable", **votes())
    page = room.events_since(ADA, 0)
    assert page == json.loads(json.dumps(page))
    created = page["events"][0]
    assert created["kind"] == "table.created" and created["key"] == [["id", "S", "HASH"]]


def test_a_room_makes_at_most_max_namespaces_and_says_so():
    room = Room(max_namespaces=2)
    room.dispatch(Caller("ada", "us-east-1"), "DynamoDB_20120810.ListTables", {})
    room.dispatch(Caller("bob", "us-east-1"), "DynamoDB_20120810.ListTables", {})
    with pytest.raises(DynamoDBError) as info:
        room.dispatch(Caller("ada", "eu-west-1"), "DynamoDB_20120810.ListTables", {})
    assert info.value.code == "LimitExceededException"
    assert "at most 2 namespaces" in str(info.value)
    assert room.namespaces() == ["ada_us-east-1", "bob_us-east-1"]
    # the namespaces already made go on serving
    assert room.dispatch(Caller("bob", "us-east-1"), "DynamoDB_20120810.ListTables", {}) == \
        {"TableNames": []}
    with pytest.raises(OptionValueError, match="max_namespaces"):
        Room(max_namespaces=0)


def test_a_room_refuses_a_bad_data_dir_at_once(tmp_path):
    from dynamo_lab.dynamodb.server.durable import DataDirError
    afile = tmp_path / "notadir"
    afile.write_text("x")
    with pytest.raises(DataDirError, match="not a directory"):
        Room(data_dir=afile)
