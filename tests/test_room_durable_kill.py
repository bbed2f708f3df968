"""``dynamo-lab serve --data``, end to end: real boto3 over HTTP, a real
subprocess, stopped by SIGTERM or killed by SIGKILL (issue 13, part 3).

The kill runs are ``benchmarks/room_durable.py``'s (twenty seeds there,
three here).
"""
from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import room_durable  # noqa: E402


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigkill_mid_load_loses_nothing_acknowledged(seed):
    r = room_durable.run(seed, writers=4, kill_window=(0.3, 1.0))
    assert r["problems"] == []
    assert r["acknowledged"] > 0 and r["items"] > 0


def _create(c, name: str, **extra) -> None:
    c.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                         {"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [
                       {"AttributeName": "g", "KeyType": "HASH"}],
                       "Projection": {"ProjectionType": "ALL"},
                       "ProvisionedThroughput": {"ReadCapacityUnits": 50, "WriteCapacityUnits": 50}}],
                   ProvisionedThroughput={"ReadCapacityUnits": 50, "WriteCapacityUnits": 50},
                   StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                   **extra)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
def test_every_kind_of_state_survives_a_restart_over_http(tmp_path, stop):
    with room_durable.server(tmp_path) as (url, proc):
        c = room_durable.client(url)
        _create(c, "Votes", Tags=[{"Key": "room", "Value": "A"}])
        c.update_time_to_live(TableName="Votes", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "expires"})
        for i in range(12):
            c.put_item(TableName="Votes", Item={"id": {"S": f"v{i}"}, "g": {"S": "ab"[i % 2]},
                                                "n": {"N": str(i)}})
        c.update_item(TableName="Votes", Key={"id": {"S": "v0"}}, UpdateExpression="SET n = :n",
                      ExpressionAttributeValues={":n": {"N": "100"}})
        c.delete_item(TableName="Votes", Key={"id": {"S": "v11"}})
        before = c.describe_table(TableName="Votes")["Table"]
        sc = room_durable.client(url, "dynamodbstreams")
        arn = before["LatestStreamArn"]
        shards = sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        it = sc.get_shard_iterator(StreamArn=arn, ShardId=shards[0]["ShardId"],
                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = sc.get_records(ShardIterator=it)["Records"]
        proc.send_signal(stop)
        proc.wait(timeout=20)
    with room_durable.server(tmp_path) as (url, _):
        c = room_durable.client(url)
        assert c.list_tables()["TableNames"] == ["Votes"]
        after = c.describe_table(TableName="Votes")["Table"]
        for k in ("TableId", "TableArn", "CreationDateTime", "ItemCount", "KeySchema",
                  "ProvisionedThroughput", "LatestStreamArn", "StreamSpecification"):
            assert after[k] == before[k], k
        assert after["GlobalSecondaryIndexes"][0]["ItemCount"] == 11
        assert c.describe_time_to_live(TableName="Votes")["TimeToLiveDescription"][
            "AttributeName"] == "expires"
        assert c.list_tags_of_resource(ResourceArn=after["TableArn"])["Tags"] == [
            {"Key": "room", "Value": "A"}]
        assert c.get_item(TableName="Votes", Key={"id": {"S": "v0"}})["Item"]["n"] == {"N": "100"}
        assert c.query(TableName="Votes", IndexName="byG", KeyConditionExpression="g = :g",
                       ExpressionAttributeValues={":g": {"S": "b"}})["Count"] == 5
        sc = room_durable.client(url, "dynamodbstreams")
        it = sc.get_shard_iterator(StreamArn=arn, ShardId=shards[0]["ShardId"],
                                   ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                   SequenceNumber=records[5]["dynamodb"]["SequenceNumber"])
        again = sc.get_records(ShardIterator=it["ShardIterator"])["Records"]
        assert [r["eventID"] for r in again] == [r["eventID"] for r in records[6:]]
