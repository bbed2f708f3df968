"""``--data DIR``: a restart restores every kind of state (issue 13, part 3).

These tests drive :mod:`dynamo_lab.dynamodb.server.durable` in process,
with real boto3 clients on the service, closing the store (or abandoning it,
as a kill would) and opening the directory again. The HTTP end to end
tests, with ``dynamo-lab serve --data`` killed by SIGKILL, are in
``test_room_durable_kill.py``.
"""
from __future__ import annotations

import sqlite3

import pytest
from botocore.exceptions import ClientError

from dynamo_lab.dynamodb.server.durable import DataDirError, open_service
from dynamo_lab.dynamodb.service import DynamoDB, handle, handle_streams, state_of

NS = "AKIDLEARNER01_us-east-1"


def make() -> DynamoDB:
    return DynamoDB(seed=0, create_ms=0, delete_ms=0, update_ms=0)


class Durable:
    """A service whose every request is committed as the Room commits it."""

    def __init__(self, folder, ns: str = NS) -> None:
        self.folder, self.ns = folder, ns
        self.ddb, self.store = open_service(folder, ns, make)

    def __call__(self, op: str, **params):
        try:
            return handle(self.ddb, op, params)
        finally:
            self.store.after_request(op)

    def streams(self, op: str, **params):
        try:
            return handle_streams(self.ddb, op, params)
        finally:
            self.store.after_request(op)

    def restart(self, clean: bool = False) -> "Durable":
        if clean:
            self.store.close()
        # else: abandoned, as SIGKILL leaves it (nothing after the last commit)
        return Durable(self.folder, self.ns)


def _votes(d: Durable, **extra) -> None:
    d("CreateTable", TableName="Votes", KeySchema=[
        {"AttributeName": "poll", "KeyType": "HASH"}, {"AttributeName": "voter", "KeyType": "RANGE"}],
      AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                            for a in ("poll", "voter", "choice") if a != "choice" or "Index" in str(extra)],
      **extra)


def test_tables_items_and_indexes_come_back(tmp_path):
    d = Durable(tmp_path)
    _votes(d, ProvisionedThroughput={"ReadCapacityUnits": 700, "WriteCapacityUnits": 3000},
           GlobalSecondaryIndexes=[{
               "IndexName": "byChoice", "KeySchema": [{"AttributeName": "choice", "KeyType": "HASH"}],
               "Projection": {"ProjectionType": "KEYS_ONLY"},
               "ProvisionedThroughput": {"ReadCapacityUnits": 200, "WriteCapacityUnits": 3000}}],
           LocalSecondaryIndexes=[{
               "IndexName": "byChoiceLocal", "KeySchema": [
                   {"AttributeName": "poll", "KeyType": "HASH"},
                   {"AttributeName": "choice", "KeyType": "RANGE"}],
               "Projection": {"ProjectionType": "ALL"}}],
           DeletionProtectionEnabled=True)
    for i in range(30):
        d("PutItem", TableName="Votes", Item={"poll": {"S": "p"}, "voter": {"S": f"v{i:02d}"},
                                              "choice": {"S": "ab"[i % 2]}, "n": {"N": str(i)}})
    d("UpdateItem", TableName="Votes", Key={"poll": {"S": "p"}, "voter": {"S": "v00"}},
      UpdateExpression="SET n = n + :one, note = :t", ExpressionAttributeValues={
          ":one": {"N": "1"}, ":t": {"B": "AAE="}})
    d("DeleteItem", TableName="Votes", Key={"poll": {"S": "p"}, "voter": {"S": "v29"}})
    d("UpdateTable", TableName="Votes",
      ProvisionedThroughput={"ReadCapacityUnits": 500, "WriteCapacityUnits": 3000})
    before = d("DescribeTable", TableName="Votes")["Table"]
    scan = d("Scan", TableName="Votes", ConsistentRead=True)["Items"]

    e = d.restart()
    after = e("DescribeTable", TableName="Votes")["Table"]
    for k in ("TableId", "CreationDateTime", "KeySchema", "AttributeDefinitions", "ItemCount",
              "TableSizeBytes", "DeletionProtectionEnabled", "TableArn", "LocalSecondaryIndexes"):
        assert after[k] == before[k], k
    assert after["TableStatus"] == "ACTIVE"
    assert after["ProvisionedThroughput"] == before["ProvisionedThroughput"]   # with its decrease
    assert after["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 1
    [gsi] = after["GlobalSecondaryIndexes"]
    assert (gsi["IndexStatus"], gsi["ItemCount"]) == ("ACTIVE", 29)
    assert e("Scan", TableName="Votes", ConsistentRead=True)["Items"] == scan
    got = e("GetItem", TableName="Votes", Key={"poll": {"S": "p"}, "voter": {"S": "v00"}})["Item"]
    assert got["n"] == {"N": "1"} and got["note"] == {"B": "AAE="}
    q = e("Query", TableName="Votes", IndexName="byChoice", KeyConditionExpression="choice = :c",
          ExpressionAttributeValues={":c": {"S": "b"}})
    assert q["Count"] == 14                                   # v01..v27 odd, v29 deleted
    q = e("Query", TableName="Votes", IndexName="byChoiceLocal",
          KeyConditionExpression="poll = :p AND choice = :c",
          ExpressionAttributeValues={":p": {"S": "p"}, ":c": {"S": "a"}})
    assert q["Count"] == 15
    state_of(e.ddb).tables["Votes"]._check()
    # the restored table is writable, and so is the next restart
    e("PutItem", TableName="Votes", Item={"poll": {"S": "p"}, "voter": {"S": "late"}})
    f = e.restart(clean=True)
    assert f("DescribeTable", TableName="Votes")["Table"]["ItemCount"] == 30


def test_ttl_tags_and_control_operations_are_writes(tmp_path):
    d = Durable(tmp_path)
    _votes(d, BillingMode="PAY_PER_REQUEST",
           GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [
               {"AttributeName": "choice", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}])
    arn = d("DescribeTable", TableName="Votes")["Table"]["TableArn"]
    d("TagResource", ResourceArn=arn, Tags=[{"Key": "room", "Value": "A"}, {"Key": "x", "Value": "1"}])
    d("UntagResource", ResourceArn=arn, TagKeys=["x"])
    d("UpdateTimeToLive", TableName="Votes",
      TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    d("CreateTable", TableName="Gone", BillingMode="PAY_PER_REQUEST",
      KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
      AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    d("PutItem", TableName="Gone", Item={"id": {"S": "1"}})
    d("DeleteTable", TableName="Gone")
    now = state_of(d.ddb).epoch_now()
    d("PutItem", TableName="Votes", Item={"poll": {"S": "p"}, "voter": {"S": "old"},
                                          "choice": {"S": "a"}, "expires": {"N": str(int(now) + 2)}})
    d("PutItem", TableName="Votes", Item={"poll": {"S": "p"}, "voter": {"S": "keep"},
                                          "choice": {"S": "a"}})
    d.ddb.run(ms=5000)          # the sweeper deletes "old" in the background ...
    d("ListTables")             # ... and the next request (a read) makes it durable

    e = d.restart()
    assert e("ListTables")["TableNames"] == ["Votes"]
    assert e("ListTagsOfResource", ResourceArn=arn)["Tags"] == [{"Key": "room", "Value": "A"}]
    assert e("DescribeTimeToLive", TableName="Votes")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    items = e("Scan", TableName="Votes")["Items"]
    assert [i["voter"]["S"] for i in items] == ["keep"]
    desc = e("DescribeTable", TableName="Votes")["Table"]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["GlobalSecondaryIndexes"][0]["ItemCount"] == 1
    # TTL still sweeps after the restart
    e("PutItem", TableName="Votes", Item={"poll": {"S": "p"}, "voter": {"S": "soon"},
                                          "expires": {"N": str(int(state_of(e.ddb).epoch_now()) + 1)}})
    e.ddb.run(ms=3000)
    e("ListTables")
    assert [i["voter"]["S"] for i in e.restart()("Scan", TableName="Votes")["Items"]] == ["keep"]


def test_stream_records_keep_their_sequence_numbers(tmp_path):
    d = Durable(tmp_path)
    _votes(d, BillingMode="PAY_PER_REQUEST",
           StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    for i in range(5):
        d("PutItem", TableName="Votes", Item={"poll": {"S": "p"}, "voter": {"S": f"v{i}"}})
    arn = d("DescribeTable", TableName="Votes")["Table"]["LatestStreamArn"]
    [shard] = d.streams("DescribeStream", StreamArn=arn)["StreamDescription"]["Shards"]
    it = d.streams("GetShardIterator", StreamArn=arn, ShardId=shard["ShardId"],
                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = d.streams("GetRecords", ShardIterator=it)["Records"]
    checkpoint = first[2]["dynamodb"]["SequenceNumber"]       # a consumer read three

    e = d.restart()
    desc = e.streams("DescribeStream", StreamArn=arn)["StreamDescription"]
    assert desc["Shards"] == [shard] and desc["StreamLabel"] == arn.rsplit("/", 1)[1]
    e("PutItem", TableName="Votes", Item={"poll": {"S": "p"}, "voter": {"S": "v0"}, "x": {"N": "1"}})
    it = e.streams("GetShardIterator", StreamArn=arn, ShardId=shard["ShardId"],
                   ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=checkpoint)["ShardIterator"]
    rest = e.streams("GetRecords", ShardIterator=it)["Records"]
    assert [r["dynamodb"]["SequenceNumber"] for r in rest[:2]] == \
        [r["dynamodb"]["SequenceNumber"] for r in first[3:]]
    assert [r["eventName"] for r in rest] == ["INSERT", "INSERT", "MODIFY"]
    assert int(rest[2]["dynamodb"]["SequenceNumber"]) > int(first[-1]["dynamodb"]["SequenceNumber"])
    assert rest[2]["dynamodb"]["OldImage"] == {"poll": {"S": "p"}, "voter": {"S": "v0"}}
    assert len({r["eventID"] for r in first + rest}) == len(first) + 1


def test_a_table_made_again_after_delete_starts_empty(tmp_path):
    d = Durable(tmp_path)
    _votes(d, BillingMode="PAY_PER_REQUEST")
    d("PutItem", TableName="Votes", Item={"poll": {"S": "p"}, "voter": {"S": "a"}})
    old_id = d("DescribeTable", TableName="Votes")["Table"]["TableId"]
    d("DeleteTable", TableName="Votes")
    d("ListTables")
    _votes(d, BillingMode="PAY_PER_REQUEST")
    d("PutItem", TableName="Votes", Item={"poll": {"S": "p"}, "voter": {"S": "b"}})
    e = d.restart()
    assert [i["voter"]["S"] for i in e("Scan", TableName="Votes")["Items"]] == ["b"]
    # ids drawn after a restart do not repeat those drawn before it
    e("CreateTable", TableName="Other", BillingMode="PAY_PER_REQUEST",
      KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
      AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    ids = {e("DescribeTable", TableName=n)["Table"]["TableId"] for n in ("Votes", "Other")}
    assert len(ids | {old_id}) == 3


def test_a_failed_request_and_reads_commit_nothing(tmp_path):
    d = Durable(tmp_path)
    _votes(d, BillingMode="PAY_PER_REQUEST")
    n = d.store.commits
    with pytest.raises(Exception) as err:
        d("PutItem", TableName="Votes", Item={"poll": {"S": "p"}, "voter": {"S": "a"}},
          ConditionExpression="attribute_exists(poll)")
    assert "ConditionalCheckFailed" in str(err.value.code)
    d("GetItem", TableName="Votes", Key={"poll": {"S": "p"}, "voter": {"S": "a"}})
    d("Scan", TableName="Votes")
    assert d.store.commits == n


def test_without_data_the_state_has_no_journal_and_fresh_namespaces_keep_the_seed(tmp_path):
    assert state_of(make()).journal is None
    a = Durable(tmp_path, "one_us-east-1")
    b = make()
    _votes(a, BillingMode="PAY_PER_REQUEST")
    handle(b, "CreateTable", {"TableName": "Votes", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [
        {"AttributeName": "poll", "KeyType": "HASH"}, {"AttributeName": "voter", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in ("poll", "voter")]})
    assert handle(a.ddb, "DescribeTable", {"TableName": "Votes"}) == \
        handle(b, "DescribeTable", {"TableName": "Votes"})


def test_boto3_against_a_restored_service(tmp_path):
    d = Durable(tmp_path)
    _votes(d, BillingMode="PAY_PER_REQUEST")
    d("TransactWriteItems", TransactItems=[
        {"Put": {"TableName": "Votes", "Item": {"poll": {"S": "p"}, "voter": {"S": f"t{i}"}}}}
        for i in range(3)])
    c = d.restart().ddb.client(retries=0)
    assert c.query(TableName="Votes", KeyConditionExpression="poll = :p",
                   ExpressionAttributeValues={":p": {"S": "p"}})["Count"] == 3
    with pytest.raises(ClientError) as err:
        c.describe_table(TableName="Nope")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize("ns", ["../x", "a/b", "", ".hidden", 7])
def test_a_namespace_must_be_a_plain_file_name(tmp_path, ns):
    with pytest.raises(DataDirError, match="cannot name a file"):
        open_service(tmp_path, ns, make)


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / f"{NS}.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(DataDirError, match="not a dynamo-lab data file"):
        open_service(tmp_path, NS, make)
    db = sqlite3.connect(tmp_path / "future_us-east-1.sqlite")
    db.executescript("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);"
                     "INSERT INTO meta VALUES ('format', '99');")
    db.commit()
    db.close()
    with pytest.raises(DataDirError, match="format 99"):
        open_service(tmp_path, "future_us-east-1", make)


class _FailingOnce:
    """A connection whose next COMMIT fails, as on a full disk."""

    def __init__(self, db):
        self.db, self.armed = db, True

    def execute(self, sql, *args):
        if sql == "COMMIT" and self.armed:
            self.armed = False
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.db, name)


def test_a_failed_commit_is_a_500_and_the_next_commit_catches_up(tmp_path, capsys):
    d = Durable(tmp_path)
    _votes(d, BillingMode="PAY_PER_REQUEST",
           StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    d("PutItem", TableName="Votes", Item={"poll": {"S": "p"}, "voter": {"S": "a"}})
    real = d.store._db
    d.store._db = _FailingOnce(real)
    with pytest.raises(Exception) as err:
        d("PutItem", TableName="Votes", Item={"poll": {"S": "p"}, "voter": {"S": "b"}})
    assert err.value.code == "InternalServerError"
    assert "database or disk is full" in capsys.readouterr().err
    assert d.store.failures == 1
    d("DeleteItem", TableName="Votes", Key={"poll": {"S": "p"}, "voter": {"S": "a"}})
    d.store._db = real
    e = d.restart()
    assert [i["voter"]["S"] for i in e("Scan", TableName="Votes")["Items"]] == ["b"]
    arn = e("DescribeTable", TableName="Votes")["Table"]["LatestStreamArn"]
    [shard] = e.streams("DescribeStream", StreamArn=arn)["StreamDescription"]["Shards"]
    it = e.streams("GetShardIterator", StreamArn=arn, ShardId=shard["ShardId"],
                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert [r["eventName"] for r in e.streams("GetRecords", ShardIterator=it)["Records"]] == \
        ["INSERT", "INSERT", "REMOVE"]


def test_a_data_dir_that_cannot_be_used_is_named(tmp_path):
    from dynamo_lab.dynamodb.server.durable import prepare_data_dir
    f = tmp_path / "a-file"
    f.write_text("x")
    with pytest.raises(DataDirError, match="a-file: it is not a directory"):
        prepare_data_dir(f)
    with pytest.raises(DataDirError, match="a-file"):
        open_service(f, NS, make)
    assert prepare_data_dir(tmp_path / "new" / "dir").is_dir()


def test_streams_disabled_and_made_again_across_a_restart(tmp_path):
    d = Durable(tmp_path)
    _votes(d, ProvisionedThroughput={"ReadCapacityUnits": 5000, "WriteCapacityUnits": 500},
           StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    for i in range(6):
        d("PutItem", TableName="Votes", Item={"poll": {"S": f"p{i}"}, "voter": {"S": "a"}})
    first = d("DescribeTable", TableName="Votes")["Table"]["LatestStreamArn"]
    d("UpdateTable", TableName="Votes", StreamSpecification={"StreamEnabled": False})
    d("ListTables")
    d("UpdateTable", TableName="Votes",
      StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    d("ListTables")
    d("PutItem", TableName="Votes", Item={"poll": {"S": "late"}, "voter": {"S": "a"}})
    second = d("DescribeTable", TableName="Votes")["Table"]["LatestStreamArn"]
    assert first != second
    before = {a: d.streams("DescribeStream", StreamArn=a)["StreamDescription"] for a in (first, second)}
    listed = d.streams("ListStreams")["Streams"]
    assert len(before[first]["Shards"]) == 3                 # three partitions, three shards

    e = d.restart()
    assert e.streams("ListStreams")["Streams"] == listed
    for a in (first, second):
        assert e.streams("DescribeStream", StreamArn=a)["StreamDescription"] == before[a]
    state_of(e.ddb).streams._check()
    e("PutItem", TableName="Votes", Item={"poll": {"S": "later"}, "voter": {"S": "a"}})
    n = 0
    for shard in e.streams("DescribeStream", StreamArn=second)["StreamDescription"]["Shards"]:
        it = e.streams("GetShardIterator", StreamArn=second, ShardId=shard["ShardId"],
                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        n += len(e.streams("GetRecords", ShardIterator=it)["Records"])
    assert n == 2


def test_a_second_process_cannot_use_the_same_data_dir(tmp_path):
    import os
    import subprocess
    import sys
    ddb, store = open_service(tmp_path, NS, make)
    code = ("from dynamo_lab.dynamodb.server.durable import prepare_data_dir, DataDirError\n"
            "try:\n    prepare_data_dir(r'%s')\nexcept DataDirError as e:\n    print(e)\n" % tmp_path)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert f"in use by dynamo-lab serve, pid {os.getpid()}" in out.stdout, out.stdout + out.stderr
    open_service(tmp_path, "other_us-east-1", make)[1].close()    # this process: fine
    store.close()


def test_split_and_rolled_shards_and_their_iterators_survive_a_restart(tmp_path):
    """The round trip through the file (StreamHub.snapshot's parts in SQLite,
    StreamHub.restore on the way back): closed and open shards with their
    parents and sequence ranges, iterators handed out before the restart,
    and each live partition owning its open shard afterwards."""
    d = Durable(tmp_path)
    _votes(d, BillingMode="PAY_PER_REQUEST",
           StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    state_of(d.ddb).streams.rollover_ms = 120_000
    for i in range(30):
        d("PutItem", TableName="Votes", Item={"poll": {"S": f"p{i}"}, "voter": {"S": "a"},
                                              "pad": {"S": "x" * 100}})
    d.ddb.set_partition_size_limit("Votes", 1500)         # splits: kept in the file as shards
    d.ddb.run(ms=130_000)                                  # rollovers
    d("PutItem", TableName="Votes", Item={"poll": {"S": "p0"}, "voter": {"S": "b"}})
    arn = d("DescribeTable", TableName="Votes")["Table"]["LatestStreamArn"]
    before = d.streams("DescribeStream", StreamArn=arn)["StreamDescription"]["Shards"]
    reasons = {sh.reason for s in state_of(d.ddb).streams.streams.values()
               for sh in s.shards.values()}
    assert {"split", "rollover", None} <= reasons
    its = [d.streams("GetShardIterator", StreamArn=arn, ShardId=s["ShardId"],
                     ShardIteratorType="TRIM_HORIZON")["ShardIterator"] for s in before]
    read = [d.streams("GetRecords", ShardIterator=it)["Records"] for it in its]
    assert sum(map(len, read)) == 31

    kept = state_of(d.ddb).streams.snapshot()

    e = d.restart()
    hub, table = state_of(e.ddb).streams, state_of(e.ddb).tables["Votes"]
    restored = hub.snapshot()
    assert restored["streams"] == kept["streams"]
    assert restored["last_sequence"] == kept["last_sequence"]
    assert [e.streams("GetRecords", ShardIterator=it)["Records"] for it in its] == read
    # Partitions are rebuilt from the table's size (no splits kept): the
    # open shards of partitions that are not there again closed at the
    # first request, and the new partitions' shards name them as parents.
    table._check(streams=hub)
    hub._check()
    after = e.streams("DescribeStream", StreamArn=arn)["StreamDescription"]["Shards"]
    was_open = {s["ShardId"] for s in before if "EndingSequenceNumber" not in s["SequenceNumberRange"]}
    assert [(s["ShardId"], s.get("ParentShardId"), s["SequenceNumberRange"]["StartingSequenceNumber"])
            for s in after[:len(before)]] == \
        [(s["ShardId"], s.get("ParentShardId"), s["SequenceNumberRange"]["StartingSequenceNumber"])
         for s in before]
    new = after[len(before):]
    assert {p.shard for p in table.layout.pmap} <= was_open | {s["ShardId"] for s in new}
    assert all(s["ParentShardId"] in was_open for s in new)
    e("PutItem", TableName="Votes", Item={"poll": {"S": "p1"}, "voter": {"S": "c"}})
    last = max(r["seq"] for sh in kept["streams"][0]["shards"] for r in sh["records"])
    [(shard, rec)] = [(sh, r) for s in hub.streams.values() for sh in s.shards.values()
                      for r in sh.live() if r.seq > last]
    assert shard.closed is None and shard.id in {p.shard for p in table.layout.pmap}
