"""Regions in process (issue 12) and the slim façade (issue 14).

A table's ARN, and the set of tables a client sees, follow the client's
region; the service's own region behaves exactly as before. ``dir()`` of a
``DynamoDB`` shows the documented façade and nothing else."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from dynamo_lab import DynamoDB
from dynamo_lab.dynamodb.service import FACADE, state_of
from dynamo_lab.errors import OptionValueError


def make(c, name: str = "Votes", stream: bool = False) -> dict:
    extra = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}} \
        if stream else {}
    return c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          **extra)["TableDescription"]


def test_a_client_sees_the_tables_of_its_region_only():
    ddb = DynamoDB(seed=0, create_ms=0)
    us, eu = ddb.client(), ddb.client(region_name="eu-west-1")
    us_desc, eu_desc = make(us, stream=True), make(eu, stream=True)
    make(eu, "OnlyInEurope")
    assert us_desc["TableArn"] == "arn:aws:dynamodb:us-east-1:000000000000:table/Votes"
    assert eu_desc["TableArn"] == "arn:aws:dynamodb:eu-west-1:000000000000:table/Votes"
    assert eu_desc["LatestStreamArn"].startswith("arn:aws:dynamodb:eu-west-1:000000000000:table/Votes/stream/")
    assert us.list_tables()["TableNames"] == ["Votes"]
    assert eu.list_tables()["TableNames"] == ["OnlyInEurope", "Votes"]
    us.put_item(TableName="Votes", Item={"id": {"S": "us"}})
    eu.put_item(TableName="Votes", Item={"id": {"S": "eu"}})
    assert [i["id"]["S"] for i in eu.scan(TableName="Votes")["Items"]] == ["eu"]
    assert [i["id"]["S"] for i in us.scan(TableName="Votes")["Items"]] == ["us"]
    with pytest.raises(ClientError) as e:
        us.describe_table(TableName="OnlyInEurope")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # the table's own ARN, from the other region, is not this region's table
    with pytest.raises(ClientError) as e:
        us.list_tags_of_resource(ResourceArn=eu_desc["TableArn"])
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # streams and resources follow the region too
    es = ddb.streams_client(region_name="eu-west-1")
    assert [s["TableName"] for s in es.list_streams()["Streams"]] == ["Votes"]
    assert es.list_streams()["Streams"][0]["StreamArn"] == eu_desc["LatestStreamArn"]
    assert sorted(t.name for t in ddb.resource(region_name="eu-west-1").tables.all()) == \
        ["OnlyInEurope", "Votes"]
    # a second client of a region sees the same tables
    assert ddb.client(region_name="eu-west-1").list_tables()["TableNames"] == \
        ["OnlyInEurope", "Votes"]
    assert state_of(ddb, "eu-west-1").tables["Votes"].item_count == 1


def test_regions_share_one_clock_and_one_log():
    ddb = DynamoDB(seed=0, create_ms=0)
    eu = ddb.client(region_name="eu-west-1")
    make(eu)
    t = ddb.sim.now
    eu.put_item(TableName="Votes", Item={"id": {"S": "a"}})
    assert ddb.sim.now == t + 1
    assert state_of(ddb, "eu-west-1").lock is state_of(ddb).lock
    assert any(e.kind == "table.created" and e.get("table") == "Votes" for e in ddb.log)


def test_the_default_region_runs_as_before():
    def run(extra_region: bool) -> list:
        ddb = DynamoDB(seed=5, create_ms=0)
        c = ddb.client()
        if extra_region:
            ddb.client(region_name="ap-south-1")      # made, never used
        make(c)
        for i in range(10):
            c.put_item(TableName="Votes", Item={"id": {"S": str(i)}})
        ddb.run(ms=100)
        return [(e.t, e.kind, sorted(e.fields.items())) for e in ddb.log]

    assert run(False) == run(True)
    assert DynamoDB(seed=0).client().meta.region_name == "us-east-1"
    assert DynamoDB(seed=0, region="eu-central-1").client().list_tables()["TableNames"] == []


def test_a_region_that_is_no_region_is_refused_by_name():
    ddb = DynamoDB(seed=0)
    for bad in ("eu west 1", "", "-x"):
        with pytest.raises(OptionValueError, match="region_name"):
            ddb.client(region_name=bad)


def test_options_a_lesson_changes_apply_in_every_region():
    ddb = DynamoDB(seed=0)
    ddb.client(region_name="eu-west-1")
    ddb.index_options.update(gsi_lag_ms=(50, 400))
    ddb.replication_options["lag_ms"] = (5, 200)
    eu = state_of(ddb, "eu-west-1")
    assert eu.index_opts.gsi_lag_ms == (50, 400) and eu.replication_opts.lag_ms == (5, 200)


def test_dir_shows_exactly_the_documented_facade():
    ddb = DynamoDB(seed=0)
    public = [n for n in dir(ddb) if not n.startswith("_")]
    assert public == list(FACADE)
    for name in FACADE:
        doc = getattr(type(ddb), name).__doc__ or ""
        assert ">>>" in doc, f"DynamoDB.{name} has no example"
    # the plumbing is behind state_of(), not on the façade
    for gone in ("tables", "internal_errors", "arn", "request_id", "epoch_now"):
        with pytest.raises(AttributeError):
            getattr(ddb, gone)
    with pytest.raises(AttributeError):
        ddb.tables = {}                                 # no new attributes either


def test_a_transaction_naming_a_table_of_another_region_is_refused_and_changes_nothing():
    ddb = DynamoDB(seed=0, create_ms=0)
    us, eu = ddb.client(), ddb.client(region_name="eu-west-1")
    make(us)
    eu_arn = make(eu)["TableArn"]
    with pytest.raises(ClientError) as e:
        us.transact_write_items(TransactItems=[
            {"Put": {"TableName": "Votes", "Item": {"id": {"S": "here"}}}},
            {"Put": {"TableName": eu_arn, "Item": {"id": {"S": "there"}}}}])
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "region" in e.value.response["Error"]["Message"]
    assert us.scan(TableName="Votes")["Items"] == [] and eu.scan(TableName="Votes")["Items"] == []
    # from its own region, the same ARN is the table
    eu.transact_write_items(TransactItems=[
        {"Put": {"TableName": eu_arn, "Item": {"id": {"S": "there"}}}}])
    assert eu.scan(TableName="Votes")["Count"] == 1
