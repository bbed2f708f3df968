"""The AWS CLI against ``dynamo-lab serve`` with ``--endpoint-url``, run as a
learner would run it: a subprocess, placeholder keys in the environment."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
from ddb_support import BIN, DUMMY_ENV, ServeProcess, unique

AWS = BIN / "aws"
pytestmark = pytest.mark.skipif(not AWS.exists(), reason="the AWS CLI is a test extra")


@pytest.fixture(scope="module")
def serve():
    srv = ServeProcess()
    try:
        yield srv
    finally:
        srv.stop()
        srv.kill()


@pytest.fixture(scope="module")
def aws(serve, tmp_path_factory):
    home = tmp_path_factory.mktemp("awshome")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(DUMMY_ENV, HOME=str(home), AWS_CONFIG_FILE=str(home / "config"),
               AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"), AWS_PAGER="")

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(AWS), "dynamodb", *args, "--endpoint-url", serve.url,
                               "--output", "json"],
                              capture_output=True, text=True, env=env, timeout=120)
        if check:
            assert proc.returncode == 0, proc.stderr
        return proc
    return run


def test_cli_table_and_items(aws):
    name = unique("cli")
    created = json.loads(aws("create-table", "--table-name", name,
                             "--attribute-definitions", "AttributeName=pk,AttributeType=S",
                             "AttributeName=sk,AttributeType=N",
                             "--key-schema", "AttributeName=pk,KeyType=HASH",
                             "AttributeName=sk,KeyType=RANGE",
                             "--billing-mode", "PAY_PER_REQUEST").stdout)
    assert created["TableDescription"]["TableName"] == name
    aws("wait", "table-exists", "--table-name", name)
    aws("put-item", "--table-name", name, "--item",
        json.dumps({"pk": {"S": "a"}, "sk": {"N": "10"}, "v": {"S": "v10"}}))
    aws("batch-write-item", "--request-items", json.dumps({name: [
        {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": str(sk)}, "v": {"S": f"v{sk}"}}}}
        for sk in (2, 1)]}))
    got = json.loads(aws("get-item", "--table-name", name, "--key",
                         json.dumps({"pk": {"S": "a"}, "sk": {"N": "2"}})).stdout)
    assert got["Item"]["v"] == {"S": "v2"}
    q = json.loads(aws("query", "--table-name", name, "--key-condition-expression", "pk = :p",
                       "--expression-attribute-values", json.dumps({":p": {"S": "a"}})).stdout)
    assert [i["sk"]["N"] for i in q["Items"]] == ["1", "2", "10"]
    # The CLI pages on its own: three pages of one item each.
    scan = json.loads(aws("scan", "--table-name", name, "--page-size", "1").stdout)
    assert scan["Count"] == 3
    aws("delete-table", "--table-name", name)


def test_cli_error_is_reported(aws):
    # Each CLI start costs seconds, so this file keeps to eight of them.
    proc = aws("describe-table", "--table-name", "no-such-table", check=False)
    assert proc.returncode != 0
    assert "ResourceNotFoundException" in proc.stderr
    assert "Requested resource not found: Table: no-such-table not found" in proc.stderr
