"""LabEvents: a learner's own events from ``dynamo-lab serve``, page by
page, merged into a recording exactly once; and endpoints that do not
serve them are told apart without breaking a call."""
from __future__ import annotations

import boto3
import pytest

from dynamo_lab import viz
from dynamo_lab.dynamodb.server.http import Server
from dynamo_lab.dynamodb.server.room import Caller, Room
from dynamo_lab.errors import OptionValueError
from dynamo_lab.viz.ddb import _endpoint
from dynamo_lab.viz.ddb._endpoint import LabEvents


def client(url: str, key: str = "Hana8"):
    return boto3.session.Session().client("dynamodb", endpoint_url=url, region_name="us-east-1",
                                          aws_access_key_id=key, aws_secret_access_key="x")


def fill(c, n: int = 12) -> None:
    c.create_table(TableName="Pages", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                   BillingMode="PAY_PER_REQUEST")
    for i in range(n):
        c.put_item(TableName="Pages", Item={"id": {"S": str(i)}})


def test_fetch_reads_every_page_once_and_in_order(monkeypatch):
    monkeypatch.setattr(_endpoint, "_PAGE", 4)
    room = Room()
    with Server(room=room) as srv:
        c = client(srv.url)
        fill(c)
        src = LabEvents(c, since=0)
        first = src.fetch()
        want = room.events_since(Caller("Hana8", "us-east-1"), 0, limit=10_000)["events"]
        assert len(want) > 12 and first == want
        assert src.next == len(want) and src.fetch() == []
        c.put_item(TableName="Pages", Item={"id": {"S": "more"}})
        assert [e["kind"] for e in src.fetch()] == ["item.put"]


def test_by_default_fetching_starts_at_the_servers_position_now():
    room = Room()
    with Server(room=room) as srv:
        c = client(srv.url)
        fill(c, 3)
        src = LabEvents(c)
        assert src.available and src.next == len(room.service_for(Caller("Hana8", "us-east-1")).log)
        assert src.fetch() == []
        c.put_item(TableName="Pages", Item={"id": {"S": "later"}})
        assert [e["kind"] for e in src.fetch()] == ["item.put"]
        assert LabEvents(client(srv.url, key="Newcomer")).next == 0   # no namespace yet
        with pytest.raises(OptionValueError, match="LabEvents option 'since' is -1"):
            LabEvents(c, since=-1)


def test_a_recording_merges_each_server_event_once(monkeypatch):
    monkeypatch.setattr(_endpoint, "_PAGE", 5)
    room = Room()
    with Server(room=room) as srv:
        c = client(srv.url)
        calls = viz.record(c)
        fill(c)
        assert calls.sync() == 0                          # already merged, call by call
        server_kinds = [e.kind for e in room.service_for(Caller("Hana8", "us-east-1")).log]
        assert [e.kind for e in calls.log if not e.kind.startswith("client.")] == server_kinds
        assert calls.errors == []


def test_endpoints_that_do_not_serve_events_are_left_alone(moto_url):
    c = client(moto_url)
    calls = viz.record(c)
    c.list_tables()
    assert calls.lab_events.available is False and "not a dynamo-lab server" in calls.lab_events.why
    assert [e.kind for e in calls.log] == ["client.call"]
    # the lab in the notebook: its log already has the internals
    from dynamo_lab import DynamoDB
    assert viz.record(DynamoDB(seed=0).client()).lab_events is None
    # and a recording can be asked not to fetch
    assert viz.record(c, internals=False).lab_events is None


@pytest.mark.parametrize("url", ["http://127.0.0.1:9"])
def test_an_unreachable_endpoint_says_why(url):
    src = LabEvents(client(url), timeout=0.5)
    assert not src.check() and "cannot reach" in src.why
