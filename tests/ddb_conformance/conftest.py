"""The DynamoDB conformance suite runs every test twice, with plain boto3:

- ``inprocess``: ``DynamoDB(seed=0).client()`` / ``.resource()``;
- ``server``: a real ``dynamo-lab serve --port 0`` subprocess (the installed
  console script), reached over HTTP with ``endpoint_url``.

One service/server per session; every test makes its own uniquely named
tables, so tests never see each other's data.
"""
from __future__ import annotations

import os

import pytest
from ddb_support import ServeProcess, boto_client, boto_resource, make_table

# Checking the suite itself: DDB_CONFORMANCE_MOTO=1 adds moto's mock_aws as a
# third backend (where moto is wrong, tests fail there; see test_ddb_differential).
BACKENDS = ["inprocess", "server"] + (["moto"] if os.environ.get("DDB_CONFORMANCE_MOTO") else [])


class Backend:
    def __init__(self, name: str, client, resource, streams=None) -> None:
        self.name, self.client, self.resource, self.streams = name, client, resource, streams

    def __repr__(self) -> str:
        return f"<backend {self.name}>"


@pytest.fixture(scope="session")
def _serve_proc():
    srv = ServeProcess(console=True)
    try:
        yield srv
    finally:
        srv.stop()
        srv.kill()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> Backend:
    if request.param == "moto":
        import boto3
        from moto import mock_aws
        mock = mock_aws()
        mock.start()
        request.addfinalizer(mock.stop)
        kw = {"region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "y"}
        return Backend("moto", boto3.client("dynamodb", **kw), boto3.resource("dynamodb", **kw),
                       boto3.client("dynamodbstreams", **kw))
    if request.param == "inprocess":
        from dynamo_lab.dynamodb.service import DynamoDB
        ddb = DynamoDB(seed=0)
        streams = getattr(ddb, "streams_client", None)
        return Backend("inprocess", ddb.client(retries=0), ddb.resource(retries=0),
                       streams() if streams else None)
    srv = request.getfixturevalue("_serve_proc")
    return Backend("server", boto_client(srv.url), boto_resource(srv.url),
                   boto_client(srv.url, "dynamodbstreams"))


@pytest.fixture
def client(backend):
    return backend.client


@pytest.fixture
def resource(backend):
    return backend.resource


@pytest.fixture
def table(client) -> str:
    """A fresh table with a string hash key ``pk``."""
    return make_table(client)


@pytest.fixture
def table_sk(client) -> str:
    """A fresh table with hash key ``pk`` (S) and numeric range key ``sk``."""
    return make_table(client, sk="sk", sk_type="N")
