"""``connect()`` and the backend setting against an outside endpoint: moto's
ThreadedMotoServer on loopback, and the lab's own server. The same lesson
code runs on either."""
from __future__ import annotations

import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from ddb_support import unique

import dynamo_lab
from dynamo_lab.dynamodb import backend
from dynamo_lab.dynamodb.server.http import Server
from dynamo_lab.dynamodb.wire.connect import connect, connect_resource, connect_streams, is_local
from dynamo_lab.errors import UsageError

# (moto_url: moto's ThreadedMotoServer on loopback, from conftest.py)


@pytest.fixture(scope="module")
def lab_url():
    with Server() as srv:
        yield srv.url


@pytest.fixture(params=["moto", "lab"])
def url(request, moto_url, lab_url):
    return moto_url if request.param == "moto" else lab_url


def lesson(client, resource) -> list:
    """What a lesson cell does: make a table, write, read, query, fail."""
    name = unique("lesson")
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "sk", "AttributeType": "N"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}])
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1,
                                                                         "MaxAttempts": 20})
    table = resource.Table(name)
    for sk in (10, 2, 1):
        table.put_item(Item={"pk": "p", "sk": sk, "v": f"v{sk}"})
    got = table.query(KeyConditionExpression=Key("pk").eq("p"))["Items"]
    with pytest.raises(ClientError) as e:
        table.put_item(Item={"pk": "p", "sk": 1}, ConditionExpression="attribute_not_exists(pk)")
    client.delete_table(TableName=name)
    return [int(i["sk"]) for i in got] + [e.value.response["Error"]["Code"]]


def test_connect_runs_a_lesson(url):
    assert lesson(connect(endpoint_url=url), connect_resource(endpoint_url=url)) == \
        [1, 2, 10, "ConditionalCheckFailedException"]


def test_connect_defaults(moto_url):
    c = connect(endpoint_url=moto_url, region_name="eu-west-1")
    assert c.meta.endpoint_url == moto_url and c.meta.region_name == "eu-west-1"
    assert c.meta.service_model.service_name == "dynamodb"
    assert connect_streams(endpoint_url=moto_url).meta.service_model.service_name == \
        "dynamodbstreams"


def test_connect_never_sends_real_keys_to_local_endpoints(monkeypatch, moto_url):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEYREALKEY00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    creds = connect(endpoint_url=moto_url)._request_signer._credentials
    assert creds.access_key == "fakeMyKeyId"
    given = connect(endpoint_url=moto_url, credentials={
        "aws_access_key_id": "mine", "aws_secret_access_key": "s"})._request_signer._credentials
    assert given.access_key == "mine"


def test_connect_uses_the_room_card_keys_for_any_endpoint(monkeypatch, moto_url):
    # a learner's card (dynamo-lab credentials) sets the DYNAMO_LAB_* pair; it is
    # used even for a loopback server (JupyterHub beside dynamo-lab serve)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEYREALKEY00")
    monkeypatch.setenv("DYNAMO_LAB_ACCESS_KEY_ID", "learner07key")
    monkeypatch.setenv("DYNAMO_LAB_SECRET_ACCESS_KEY", "learner07secret")
    creds = connect(endpoint_url=moto_url)._request_signer._credentials
    assert (creds.access_key, creds.secret_key) == ("learner07key", "learner07secret")
    given = connect(endpoint_url=moto_url, credentials={
        "aws_access_key_id": "mine", "aws_secret_access_key": "s"})._request_signer._credentials
    assert given.access_key == "mine"
    monkeypatch.delenv("DYNAMO_LAB_SECRET_ACCESS_KEY")
    with pytest.raises(UsageError, match="DYNAMO_LAB_SECRET_ACCESS_KEY is not"):
        connect(endpoint_url=moto_url)


def test_connect_retries_setting(moto_url):
    assert connect(endpoint_url=moto_url, retries=0).meta.config.retries["total_max_attempts"] == 1
    assert connect(endpoint_url=moto_url, retries=4).meta.config.retries["total_max_attempts"] == 5


def test_is_local():
    assert is_local("http://127.0.0.1:8000") and is_local("http://localhost:1")
    assert is_local("http://[::1]:8000")
    assert not is_local("https://dynamodb.us-east-1.amazonaws.com") and not is_local(None)


def test_package_level_connect(moto_url):
    assert dynamo_lab.connect is connect


def test_backend_setting(monkeypatch, moto_url, lab_url):
    monkeypatch.delenv(backend.ENV_VAR, raising=False)
    backend.use(None)
    try:
        assert backend.endpoint() is None
        assert backend.client().meta.endpoint_url != moto_url      # in-process lab
        monkeypatch.setenv(backend.ENV_VAR, moto_url)
        assert backend.endpoint() == moto_url
        assert lesson(backend.client(), backend.resource()) == \
            [1, 2, 10, "ConditionalCheckFailedException"]
        backend.use(lab_url)                                        # use() wins over the env
        assert backend.client().meta.endpoint_url == lab_url
        assert lesson(backend.client(), backend.resource()) == \
            [1, 2, 10, "ConditionalCheckFailedException"]
    finally:
        backend.use(None)


def test_backend_in_process_shares_one_service(monkeypatch):
    monkeypatch.delenv(backend.ENV_VAR, raising=False)
    backend.use(None, seed=3)
    try:
        assert lesson(backend.client(), backend.resource()) == \
            [1, 2, 10, "ConditionalCheckFailedException"]
        assert backend.service() is backend.service()
    finally:
        backend.use(None)
