"""Whose tables over HTTP (issue 13, section 2): real boto3 clients with
different keys against one ``dynamo-lab serve``; and the internals views of
each learner's notebook, fed from ``GET /_lab/events``, see only that
learner's tables."""
from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from dynamo_lab import viz
from dynamo_lab.dynamodb.server.http import Server
from dynamo_lab.dynamodb.server.room import Room, account_for


def learner(url: str, key: str, region: str = "us-east-1", service: str = "dynamodb"):
    return boto3.session.Session().client(
        service, endpoint_url=url, region_name=region,
        aws_access_key_id=key, aws_secret_access_key=f"secret-of-{key}")


def make_votes(c, name: str = "Votes", **extra) -> dict:
    desc = c.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST", **extra)["TableDescription"]
    c.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    return desc


@pytest.fixture(scope="module")
def server():
    with Server(room=Room(seed=0)) as srv:
        yield srv


def test_two_learners_create_votes_over_http_without_seeing_each_other(server):
    ada, bob = learner(server.url, "AdaKey1"), learner(server.url, "BobKey2")
    ada_eu = learner(server.url, "AdaKey1", "eu-west-1")
    stream = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}}
    descs = {name: make_votes(c, **stream) for name, c in
             (("ada", ada), ("bob", bob), ("ada_eu", ada_eu))}
    make_votes(bob, "BobsOwn")
    ada.put_item(TableName="Votes", Item={"id": {"S": "ada"}})
    bob.put_item(TableName="Votes", Item={"id": {"S": "bob"}})

    assert ada.list_tables()["TableNames"] == ["Votes"]
    assert bob.list_tables()["TableNames"] == ["BobsOwn", "Votes"]
    assert [i["id"]["S"] for i in ada.scan(TableName="Votes")["Items"]] == ["ada"]
    assert ada_eu.scan(TableName="Votes")["Items"] == []
    with pytest.raises(ClientError) as e:
        ada.describe_table(TableName="BobsOwn")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert descs["ada"]["TableArn"] == \
        f"arn:aws:dynamodb:us-east-1:{account_for('AdaKey1')}:table/Votes"
    assert descs["ada_eu"]["TableArn"].startswith("arn:aws:dynamodb:eu-west-1:")
    assert len({d["LatestStreamArn"] for d in descs.values()}) == 3
    for key, region, name in (("AdaKey1", "us-east-1", "ada"), ("BobKey2", "us-east-1", "bob")):
        streams = learner(server.url, key, region, "dynamodbstreams").list_streams()["Streams"]
        assert [s["StreamArn"] for s in streams] == [descs[name]["LatestStreamArn"]]
    # records of a stream: the owner's only
    sc = learner(server.url, "AdaKey1", service="dynamodbstreams")
    shard = sc.describe_stream(StreamArn=descs["ada"]["LatestStreamArn"])["StreamDescription"]["Shards"][0]
    it = sc.get_shard_iterator(StreamArn=descs["ada"]["LatestStreamArn"], ShardId=shard["ShardId"],
                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in sc.get_records(ShardIterator=it)["Records"]] \
        == ["ada"]
    with pytest.raises(ClientError) as e:
        learner(server.url, "BobKey2", service="dynamodbstreams").describe_stream(
            StreamArn=descs["ada"]["LatestStreamArn"])
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_key_that_is_not_letters_and_digits_is_refused_as_dynamodb_local_does(server):
    with pytest.raises(ClientError) as e:
        learner(server.url, "not_a_key").list_tables()
    assert e.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_each_learners_partition_view_draws_only_their_own_tables(server):
    carol, dan = learner(server.url, "Carol3"), learner(server.url, "Dan4")
    carol_calls, dan_calls = viz.record(carol), viz.record(dan)
    make_votes(carol, "CarolsTable")
    make_votes(dan, "DansTable")
    for i in range(30):
        carol.put_item(TableName="CarolsTable", Item={"id": {"S": f"c{i}"}})
    dan.put_item(TableName="DansTable", Item={"id": {"S": "d"}})

    assert carol_calls.lab_events.available and dan_calls.lab_events.available
    tables = {e.get("table") for e in carol_calls.log if not e.kind.startswith("client.")}
    assert tables - {None} == {"CarolsTable"}
    carol_view = viz.PartitionMapView(carol_calls)          # the first table its log names
    assert "CarolsTable" in repr(carol_view) and "30 items" in repr(carol_view)
    dan_view = viz.PartitionMapView(dan_calls, table="CarolsTable")
    assert "no table" in repr(dan_view) or "0 partitions" in repr(dan_view)
    assert "DansTable" in repr(viz.PartitionMapView(dan_calls))
    # a later call brings the events it caused
    before = len(carol_calls.log.of_kind("item.put"))
    carol.put_item(TableName="CarolsTable", Item={"id": {"S": "late"}})
    assert len(carol_calls.log.of_kind("item.put")) == before + 1


def test_the_lesson_probe_finds_the_lab_events_on_a_served_lab(server):
    from dynamo_lab.exercises.endpoint import probe
    here = probe(learner(server.url, "Erin5"), None, uses=("internals", "lab_events"))
    assert here.has("lab_events") and not here.has("internals")


def test_with_signatures_checked_the_recorder_signs_its_events_request():
    from dynamo_lab.dynamodb.server.credentials import generate
    ada, bob = generate(2, seed=7)
    with Server(room=Room(), credentials={x.access_key_id: x for x in (ada, bob)}) as srv:
        def client(who, secret=None):
            return boto3.session.Session().client(
                "dynamodb", endpoint_url=srv.url, region_name="us-east-1",
                aws_access_key_id=who.access_key_id,
                aws_secret_access_key=secret or who.secret_access_key)
        a = client(ada)
        calls = viz.record(a)
        make_votes(a, "AdasVotes")
        assert calls.lab_events.available, calls.lab_events.why
        assert {e.get("table") for e in calls.log.of_kind("partition.created")} == {"AdasVotes"}
        # a wrong secret: the calls fail and so does the events request, which
        # says why; nothing of Ada's reaches the recording
        wrong = client(bob, secret="not-" + bob.secret_access_key)
        stolen = viz.record(wrong)
        assert not stolen.lab_events.check()
        assert "InvalidSignatureException" in stolen.lab_events.why
        assert stolen.log.of_kind("partition.created") == []


def test_each_learners_capacity_view_sees_only_their_own_throttles():
    import botocore.config
    no_retries = botocore.config.Config(retries={"total_max_attempts": 1})
    # 10 virtual ms a request: 250 requests close two seconds of capacity
    with Server(room=Room(service_options={"request_ms": 10,
                                           "capacity": {"initial_burst_seconds": 1}})) as srv:
        def client(key):
            return boto3.session.Session().client(
                "dynamodb", endpoint_url=srv.url, region_name="us-east-1",
                aws_access_key_id=key, aws_secret_access_key="x", config=no_retries)
        fay, gus = client("Fay6"), client("Gus7")
        fay_calls, gus_calls = viz.record(fay), viz.record(gus)
        for c in (fay, gus):
            c.create_table(TableName="Hot", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                           AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                           ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 5})
        refused = 0
        for i in range(250):
            try:
                fay.put_item(TableName="Hot", Item={"id": {"S": str(i)}, "pad": {"S": "x" * 3000}})
            except fay.exceptions.ProvisionedThroughputExceededException:
                refused += 1
        gus.put_item(TableName="Hot", Item={"id": {"S": "one"}})
        assert refused > 100
        assert "throttled p0" in repr(viz.CapacityView(fay_calls, table="Hot"))
        assert "no throttles" in repr(viz.CapacityView(gus_calls, table="Hot"))
        assert gus_calls.log.of_kind("capacity.throttled") == []
