"""``dynamo-lab serve``: the HTTP framing of the DynamoDB JSON 1.0 protocol,
its errors, concurrency, waiters, signals and ``--state``."""
from __future__ import annotations

import http.client
import json
import signal
import socket
import threading
import zlib

import pytest
from botocore.exceptions import ClientError
from ddb_support import ServeProcess, boto_client, error_of, unique

from dynamo_lab.dynamodb.server.http import HEALTH, MAX_BODY, Server, StateFileError

JSON10 = "application/x-amz-json-1.0"
KEY = dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")


@pytest.fixture(scope="module")
def server():
    srv = Server().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def client(server):
    return boto_client(server.url)


def _post(url: str, body: bytes, target: str | None = "DynamoDB_20120810.ListTables",
          ctype: str | None = JSON10, headers: dict | None = None):
    host, port = url.rsplit("/", 1)[-1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    hdrs = dict(headers or {})
    if target is not None:
        hdrs["X-Amz-Target"] = target
    if ctype is not None:
        hdrs["Content-Type"] = ctype
    conn.request("POST", "/", body, hdrs)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def _error_body(data: bytes) -> tuple[str, str]:
    body = json.loads(data)
    return body["__type"].split("#")[-1], body.get("message", "")


def test_binds_loopback_by_default(server):
    assert server.url.startswith("http://127.0.0.1:")
    assert repr(server) == f"<dynamo_lab Server {server.url}>"


def test_health(server):
    host, port = server.url.rsplit("/", 1)[-1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read().decode() == HEALTH


def test_headers_request_id_and_crc32(server):
    resp, data = _post(server.url, b"{}")
    assert resp.status == 200
    assert resp.getheader("Content-Type") == JSON10
    assert int(resp.getheader("x-amz-crc32")) == zlib.crc32(data) & 0xFFFFFFFF
    rid = resp.getheader("x-amzn-RequestId")
    assert len(rid) == 52 and rid.isalnum() and rid.isupper()
    resp2, _ = _post(server.url, b"{}")
    assert resp2.getheader("x-amzn-RequestId") != rid


def test_error_headers_and_body(server):
    name = unique("missing")
    resp, data = _post(server.url, json.dumps({"TableName": name}).encode(),
                       "DynamoDB_20120810.DescribeTable")
    assert resp.status == 400
    assert int(resp.getheader("x-amz-crc32")) == zlib.crc32(data) & 0xFFFFFFFF
    body = json.loads(data)
    assert body["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    assert body["message"] == f"Requested resource not found: Table: {name} not found"


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe",
                                  b'{"Limit": NaN}', b"[" * 100_000])
def test_malformed_json(server, client, body):
    resp, data = _post(server.url, body)
    assert resp.status == 400
    assert _error_body(data)[0] == "SerializationException"
    assert "TableNames" in client.list_tables()       # still up


@pytest.mark.parametrize("target", ["DynamoDB_20120810.Frobnicate", "Nope.ListTables",
                                    "DynamoDB_20120810.", "", None, "DynamoDB_20111205.ListTables"])
def test_unknown_target(server, client, target):
    resp, data = _post(server.url, b"{}", target=target)
    assert resp.status == 400
    assert _error_body(data)[0] == "UnknownOperationException"
    assert "TableNames" in client.list_tables()


def test_streams_target(server):
    resp, data = _post(server.url, b"{}", target="DynamoDBStreams_20120810.ListStreams")
    assert resp.status == 200 and "Streams" in json.loads(data)


@pytest.mark.parametrize("ctype", ["text/plain", "application/xml", None])
def test_wrong_content_type(server, client, ctype):
    resp, data = _post(server.url, b"{}", ctype=ctype)
    assert 400 <= resp.status < 500
    assert "__type" in json.loads(data)
    assert "TableNames" in client.list_tables()


def test_json_content_types_accepted(server):
    for ctype in ("application/x-amz-json-1.0", "application/json",
                  "application/x-amz-json-1.0; charset=utf-8"):
        resp, _ = _post(server.url, b"{}", ctype=ctype)
        assert resp.status == 200, ctype


def test_oversized_request_is_refused_unread(server, client):
    host, port = server.url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall((f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: {JSON10}\r\n"
                      f"X-Amz-Target: DynamoDB_20120810.ListTables\r\n"
                      f"Content-Length: {MAX_BODY + 1}\r\n\r\n").encode())
        reply = b""
        for _ in range(100):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert _error_body(body)[0] == "ValidationException"
    assert "TableNames" in client.list_tables()


def test_bad_content_length(server, client):
    host, port = server.url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: {JSON10}\r\n"
                     f"Content-Length: banana\r\n\r\n".encode())
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 400")
    assert "TableNames" in client.list_tables()


def test_chunked_body(server):
    host, port = server.url.rsplit("/", 1)[-1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("POST", "/", body=iter([b'{"Li', b'mit": 5}']), encode_chunked=True,
                 headers={"Content-Type": JSON10, "X-Amz-Target": "DynamoDB_20120810.ListTables",
                          "Transfer-Encoding": "chunked"})
    resp = conn.getresponse()
    assert resp.status == 200 and "TableNames" in json.loads(resp.read())


@pytest.mark.parametrize("chunks", [b"-5\r\nabc\r\n0\r\n\r\n", b"zz\r\n", b"\r\n"])
def test_malformed_chunked_body(server, client, chunks):
    host, port = server.url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: {JSON10}\r\n"
                     f"X-Amz-Target: DynamoDB_20120810.ListTables\r\n"
                     f"Transfer-Encoding: chunked\r\n\r\n".encode() + chunks)
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 400")
    assert "TableNames" in client.list_tables()


def test_unknown_operation_message_matches_the_service(server):
    _, wire = _post(server.url, b"{}", target="Nope.ListTables")
    _, svc = _post(server.url, b"{}", target="DynamoDB_20120810.Frobnicate")
    assert _error_body(wire) == _error_body(svc)


def test_any_signature_is_accepted(server):
    resp, _ = _post(server.url, b"{}", headers={"Authorization": "garbage"})
    assert resp.status == 200
    resp, _ = _post(server.url, b"{}")                   # and none at all
    assert resp.status == 200


def _raw(url: str, data: bytes) -> bytes:
    """Send raw bytes, read until the server closes or goes quiet."""
    host, port = url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(data)
        reply = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                reply += chunk
        except socket.timeout:
            pass
    return reply


def _list_tables(version: str = "HTTP/1.1", extra: str = "", host: str = "x") -> bytes:
    body = b"{}"
    return (f"POST / {version}\r\nHost: {host}\r\nContent-Type: {JSON10}\r\n"
            f"X-Amz-Target: DynamoDB_20120810.ListTables\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def test_keep_alive_then_close(server):
    """Requests share one connection until the client asks to close it."""
    reply = _raw(server.url, _list_tables() + _list_tables(extra="Connection: close\r\n"))
    assert reply.count(b"HTTP/1.1 200 OK\r\n") == 2
    assert reply.count(b"TableNames") == 2
    assert b"\r\nDate: " in reply and b"\r\nServer: dynamo-lab\r\n" in reply


def test_http_1_0_and_odd_header_forms(server):
    # HTTP/1.0 closes after one answer; header names are case-insensitive;
    # a folded header line continues the one before.
    assert b"TableNames" in _raw(server.url, _list_tables("HTTP/1.0"))
    lower = (f"POST / HTTP/1.1\r\nhost: x\r\ncontent-type: {JSON10}\r\n"
             "x-amz-target:DynamoDB_20120810.ListTables\r\nconnection: close\r\n"
             "content-length: 2\r\n\r\n{}").encode()
    assert b"TableNames" in _raw(server.url, lower)
    folded = _list_tables(extra="X-Note: one\r\n  two\r\nConnection: close\r\n")
    assert b"TableNames" in _raw(server.url, folded)


def test_expect_100_continue(server):
    reply = _raw(server.url, _list_tables(extra="Expect: 100-continue\r\nConnection: close\r\n"))
    assert reply.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK")


@pytest.mark.parametrize("extra, status", [("Not a header\r\n", b"400"),
                                           ("X-A: b\r\n" * 101, b"431"),
                                           ("X-Long: " + "a" * 70_000 + "\r\n", b"431")])
def test_bad_headers_are_refused(server, client, extra, status):
    reply = _raw(server.url, _list_tables(extra=extra))
    assert reply.startswith(b"HTTP/1.1 " + status)
    assert "TableNames" in client.list_tables()


def test_boto3_errors_over_http(client):
    with pytest.raises(ClientError) as e:
        client.describe_table(TableName="no-such-table")
    assert error_of(e) == ("ResourceNotFoundException",
                           "Requested resource not found: Table: no-such-table not found")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_waiters_succeed_on_first_poll(client):
    # boto3 sleeps 20 s between polls; the served table must be ACTIVE (and
    # gone after DeleteTable) by the very first poll.
    name = unique("waiter")
    assert client.create_table(TableName=name, **KEY)["TableDescription"]["TableStatus"] \
        in ("CREATING", "ACTIVE")
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"MaxAttempts": 1})
    client.delete_table(TableName=name)
    client.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"MaxAttempts": 1})


def test_concurrent_conditional_increments(server):
    """Six clients race optimistic read-modify-write increments through
    the server; every success must count exactly once."""
    c0 = boto_client(server.url)
    name = unique("race")
    c0.create_table(TableName=name, **KEY)
    c0.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"MaxAttempts": 1})
    c0.put_item(TableName=name, Item={"pk": {"S": "ctr"}, "v": {"N": "0"}})
    threads_n, per_thread = 6, 10
    wins = [0] * threads_n
    errors: list[BaseException] = []

    def worker(ix: int) -> None:
        c = boto_client(server.url)
        try:
            for _ in range(per_thread * 40):            # bounded retries
                if wins[ix] == per_thread:
                    return
                cur = c.get_item(TableName=name, Key={"pk": {"S": "ctr"}},
                                 ConsistentRead=True)["Item"]["v"]["N"]
                try:
                    c.put_item(TableName=name,
                               Item={"pk": {"S": "ctr"}, "v": {"N": str(int(cur) + 1)}},
                               ConditionExpression="v = :cur",
                               ExpressionAttributeValues={":cur": {"N": cur}})
                    wins[ix] += 1
                except ClientError as exc:
                    if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[0]
    assert wins == [per_thread] * threads_n
    final = c0.get_item(TableName=name, Key={"pk": {"S": "ctr"}}, ConsistentRead=True)
    assert final["Item"]["v"]["N"] == str(threads_n * per_thread)


def test_concurrent_atomic_adds(server):
    c0 = boto_client(server.url)
    name = unique("adds")
    c0.create_table(TableName=name, **KEY)
    c0.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"MaxAttempts": 1})
    errors: list[BaseException] = []

    def worker() -> None:
        c = boto_client(server.url)
        try:
            for _ in range(30):
                c.update_item(TableName=name, Key={"pk": {"S": "n"}}, UpdateExpression="ADD v :one",
                              ExpressionAttributeValues={":one": {"N": "1"}})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[0]
    item = c0.get_item(TableName=name, Key={"pk": {"S": "n"}}, ConsistentRead=True)["Item"]
    assert item["v"]["N"] == "180"


def test_stop_is_idempotent_and_restartable():
    srv = Server().start()
    url = srv.url
    assert boto_client(url).list_tables()["TableNames"] == []
    srv.stop()
    srv.stop()
    assert repr(srv) == "<dynamo_lab Server stopped>"
    with pytest.raises(RuntimeError):
        _ = srv.url


def test_state_roundtrip_in_process(tmp_path):
    path = str(tmp_path / "tables.json")
    with Server(state=path) as srv:
        c = boto_client(srv.url)
        c.create_table(TableName="kept", **KEY)
        c.create_table(
            TableName="indexed", BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
            AttributeDefinitions=KEY["AttributeDefinitions"] + [
                {"AttributeName": "g", "AttributeType": "N"}],
            KeySchema=KEY["KeySchema"],
            GlobalSecondaryIndexes=[{
                "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}])
        for name in ("kept", "indexed"):
            c.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"MaxAttempts": 1})
        for i in range(30):
            c.put_item(TableName="kept", Item={"pk": {"S": f"k{i}"}, "n": {"N": str(i)},
                                               "b": {"B": bytes([i])}})
        c.put_item(TableName="indexed", Item={"pk": {"S": "x"}, "g": {"N": "4"}})
        c.update_time_to_live(TableName="indexed", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "expires"})
        arn = c.describe_table(TableName="indexed")["Table"]["TableArn"]
        c.tag_resource(ResourceArn=arn, Tags=[{"Key": "course", "Value": "dynamo"}])
    with Server(state=path) as srv:
        c = boto_client(srv.url)
        assert c.list_tables()["TableNames"] == ["indexed", "kept"]
        items = c.scan(TableName="kept")["Items"]
        assert sorted(int(i["n"]["N"]) for i in items) == list(range(30))
        assert c.get_item(TableName="kept", Key={"pk": {"S": "k7"}})["Item"]["b"] == {"B": b"\x07"}
        desc = c.describe_table(TableName="indexed")["Table"]
        assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
        assert [g["IndexName"] for g in desc["GlobalSecondaryIndexes"]] == ["by_g"]
        got = c.query(TableName="indexed", IndexName="by_g", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"N": "4"}})["Items"]
        assert got == [{"pk": {"S": "x"}, "g": {"N": "4"}}]
        ttl = c.describe_time_to_live(TableName="indexed")["TimeToLiveDescription"]
        assert ttl["AttributeName"] == "expires"
        assert c.list_tags_of_resource(ResourceArn=arn)["Tags"] == [
            {"Key": "course", "Value": "dynamo"}]


def test_unreadable_state_file_in_process(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "something else"}')
    with pytest.raises(StateFileError):
        Server(state=str(path)).start()


# -- the real command, in a subprocess ----------------------------------------

def test_sigint_stops_cleanly():
    srv = ServeProcess(console=True)
    try:
        assert srv.first_line.startswith("dynamo-lab serve: listening on http://127.0.0.1:")
        assert "TableNames" in boto_client(srv.url).list_tables()
        code, out, err = srv.stop(signal.SIGINT)
    finally:
        srv.kill()
    assert code == 0, err
    assert "dynamo-lab serve: stopped" in out
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_sigterm_stops_cleanly():
    srv = ServeProcess()
    try:
        code, out, err = srv.stop(signal.SIGTERM)
    finally:
        srv.kill()
    assert code == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_state_file_survives_restart(tmp_path):
    path = str(tmp_path / "state.json")
    srv = ServeProcess("--state", path)
    try:
        c = boto_client(srv.url)
        c.create_table(TableName="persisted", **KEY)
        c.get_waiter("table_exists").wait(TableName="persisted", WaiterConfig={"MaxAttempts": 1})
        c.put_item(TableName="persisted", Item={"pk": {"S": "a"}, "v": {"S": "kept"}})
        code, out, err = srv.stop(signal.SIGINT)
        assert code == 0, err
        assert f"tables saved to {path}" in out
    finally:
        srv.kill()
    srv = ServeProcess("--state", path)
    try:
        c = boto_client(srv.url)
        got = c.get_item(TableName="persisted", Key={"pk": {"S": "a"}})["Item"]
        assert got == {"pk": {"S": "a"}, "v": {"S": "kept"}}
        assert srv.stop()[0] == 0
    finally:
        srv.kill()


def test_corrupt_state_file_is_reported(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(RuntimeError) as e:
        ServeProcess("--state", str(path), startup=30)
    assert "cannot load state" in str(e.value)
    assert "Traceback" not in str(e.value)


def test_port_in_use_is_reported():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        import subprocess
        import sys
        proc = subprocess.run([sys.executable, "-m", "dynamo_lab.cli", "serve", "--port",
                               str(port)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "cannot listen" in proc.stderr and "Traceback" not in proc.stderr
