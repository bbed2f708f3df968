"""How ``dynamo-lab serve`` builds its room: a namespace per key and region
by default, one with ``--shared``; ``--state`` keeps one shared namespace
and does not go with ``--data`` or ``--shared``."""
from __future__ import annotations

import boto3
import pytest
from ddb_support import NO_RETRY, ServeProcess

from dynamo_lab.cli import main
from dynamo_lab.dynamodb.server.http import Server
from dynamo_lab.dynamodb.server.room import Room
from dynamo_lab.errors import UsageError

TABLE = dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")


def _client(url: str, key: str):
    return boto3.session.Session().client("dynamodb", endpoint_url=url, region_name="us-east-1",
                                          config=NO_RETRY, aws_access_key_id=key,
                                          aws_secret_access_key="x")


def test_serve_keeps_a_namespace_per_key_by_default():
    srv = ServeProcess()
    try:
        _client(srv.url, "ada").create_table(TableName="Votes", **TABLE)
        assert _client(srv.url, "ada").list_tables()["TableNames"] == ["Votes"]
        assert _client(srv.url, "bob").list_tables()["TableNames"] == []
        assert srv.stop()[0] == 0
    finally:
        srv.kill()


def test_shared_is_one_namespace():
    with Server(shared=True) as srv:
        _client(srv.url, "ada").create_table(TableName="Votes", **TABLE)
        assert _client(srv.url, "bob").list_tables()["TableNames"] == ["Votes"]
        assert srv.room is not None and srv.room.namespaces() == ["shared-local-instance"]


@pytest.mark.parametrize("extra", [["--data", "somewhere"], ["--shared"]])
def test_state_does_not_go_with_data_or_shared(capsys, extra):
    assert main(["serve", "--port", "0", "--state", "s.json", *extra]) == 2
    assert "--state keeps one shared namespace" in capsys.readouterr().err


def test_a_room_or_a_service_not_both():
    with pytest.raises(UsageError, match="not both"):
        Server(room=Room(), state="s.json")
