"""Who may call a room's server (issue 13, part 1): SigV4 verified against a
credentials file, refused in DynamoDB's words; and without the file, the
scope still says whose tables a request uses.

Real boto3 clients with right and wrong secrets, and a hand-built request
(signed by botocore's own signer, then spoiled) for each refusal.
"""
from __future__ import annotations

import datetime
import http.client
import json
import time

import boto3
import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from ddb_support import NO_RETRY

from dynamo_lab.dynamodb.server import credentials, sigv4
from dynamo_lab.dynamodb.server.http import Server
from dynamo_lab.dynamodb.server.room import Room

JSON10 = "application/x-amz-json-1.0"
ADA, BOB = credentials.generate(2, seed=11)
TABLE = dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
             BillingMode="PAY_PER_REQUEST")


@pytest.fixture(scope="module")
def room_server():
    with Server(room=Room(), credentials={ADA.access_key_id: ADA, BOB.access_key_id: BOB}) as srv:
        yield srv


@pytest.fixture(scope="module")
def open_server():
    with Server(room=Room()) as srv:
        yield srv


def client(url: str, key: str, secret: str, region: str = "us-east-1", service: str = "dynamodb"):
    return boto3.session.Session().client(service, endpoint_url=url, region_name=region,
                                          config=NO_RETRY, aws_access_key_id=key,
                                          aws_secret_access_key=secret)


def signed(url: str, target: str = "ListTables", body: bytes = b"{}", key: str = ADA.access_key_id,
           secret: str = ADA.secret_access_key, region: str = "us-east-1",
           service: str = "dynamodb", path: str = "/", method: str = "POST") -> AWSRequest:
    """A request signed by botocore's SigV4 signer, as boto3 would send it."""
    req = AWSRequest(method=method, url=url + path, data=body, headers={
        "Content-Type": JSON10, "X-Amz-Target": f"DynamoDB_20120810.{target}"})
    SigV4Auth(Credentials(key, secret), service, region).add_auth(req)
    return req


def send(url: str, req: AWSRequest | None = None, headers: dict | None = None,
         body: bytes = b"{}", method: str = "POST", path: str = "/") -> tuple[int, dict]:
    host, port = url.rsplit("/", 1)[-1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    if req is not None:
        hdrs, body, method = dict(req.headers.items()), req.body or b"", req.method
        path = req.url.split(url, 1)[1] or "/"
    else:
        hdrs = dict(headers or {})
    conn.request(method, path, body, hdrs)
    resp = conn.getresponse()
    data = json.loads(resp.read() or b"{}")
    conn.close()
    return resp.status, data


def code_of(data: dict) -> str:
    return data["__type"].rsplit("#", 1)[-1]


def _at(monkeypatch, when: datetime.datetime) -> None:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: when)


# -- with a credentials file: real boto3 --------------------------------------------

def test_boto3_with_the_right_secret_works_and_sees_its_own_tables(room_server):
    ada = client(room_server.url, ADA.access_key_id, ADA.secret_access_key)
    bob = client(room_server.url, BOB.access_key_id, BOB.secret_access_key)
    ada.create_table(TableName="Votes", **TABLE)
    bob.create_table(TableName="Votes", **TABLE)               # no clash: another namespace
    ada.put_item(TableName="Votes", Item={"pk": {"S": "ada"}})
    assert bob.scan(TableName="Votes")["Items"] == []
    assert ada.scan(TableName="Votes")["Items"] == [{"pk": {"S": "ada"}}]
    streams = client(room_server.url, ADA.access_key_id, ADA.secret_access_key,
                     service="dynamodbstreams")
    assert "Streams" in streams.list_streams()                 # Streams signs as 'dynamodb'


def test_boto3_with_a_wrong_secret(room_server):
    c = client(room_server.url, ADA.access_key_id, BOB.secret_access_key)
    with pytest.raises(ClientError) as e:
        c.list_tables()
    err = e.value.response["Error"]
    assert err["Code"] == "InvalidSignatureException"
    assert err["Message"].startswith(sigv4.MISMATCH + "\n\nThe Canonical String for this "
                                     "request should have been\n'POST\n/\n")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_boto3_with_an_unknown_key(room_server):
    c = client(room_server.url, "AKIANOTINTHEFILE0000", ADA.secret_access_key)
    with pytest.raises(ClientError) as e:
        c.list_tables()
    assert e.value.response["Error"] == {"Code": "UnrecognizedClientException",
                                         "Message": sigv4.UNKNOWN_KEY}
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("minutes, words", [(-16, "Signature expired: "),
                                            (16, "Signature not yet current: ")])
def test_boto3_with_a_clock_off_by_more_than_15_minutes(room_server, monkeypatch, minutes, words):
    when = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) \
        + datetime.timedelta(minutes=minutes)
    _at(monkeypatch, when)
    c = client(room_server.url, ADA.access_key_id, ADA.secret_access_key)
    with pytest.raises(ClientError) as e:
        c.list_tables()
    err = e.value.response["Error"]
    assert err["Code"] == "InvalidSignatureException"
    assert err["Message"].startswith(words + when.strftime("%Y%m%dT%H%M%SZ")), err["Message"]
    assert err["Message"].endswith(" - 15 min.)" if minutes < 0 else " + 15 min.)")


def test_boto3_within_15_minutes_is_fine(room_server, monkeypatch):
    _at(monkeypatch, datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        - datetime.timedelta(minutes=14))
    assert "TableNames" in client(room_server.url, ADA.access_key_id,
                                  ADA.secret_access_key).list_tables()


# -- with a credentials file: hand-built requests -------------------------------------

def test_a_signed_hand_built_request_passes(room_server):
    status, data = send(room_server.url, signed(room_server.url))
    assert status == 200 and "TableNames" in data


def test_missing_authorization(room_server):
    req = signed(room_server.url)
    del req.headers["Authorization"]
    status, data = send(room_server.url, req)
    assert (status, code_of(data), data["message"]) == (
        400, "MissingAuthenticationTokenException", "Request is missing Authentication Token")


@pytest.mark.parametrize("auth, words", [
    ("AWS4-HMAC-SHA256 Signature=00",
     "Authorization header requires 'Credential' parameter. Authorization header requires "
     "'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Signature=00"),
    ("AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=00",
     "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/"
     "term, got 'a/b'"),
    ("AWS AKIA:abc", "Unsupported AWS 'algorithm': 'AWS'. Authorization=AWS AKIA:abc"),
])
def test_incomplete_authorization(room_server, auth, words):
    req = signed(room_server.url)
    req.headers.replace_header("Authorization", auth)
    status, data = send(room_server.url, req)
    assert (status, code_of(data), data["message"]) == (400, "IncompleteSignatureException", words)


def test_no_date(room_server):
    req = signed(room_server.url)
    del req.headers["X-Amz-Date"]
    status, data = send(room_server.url, req)
    assert status == 400 and code_of(data) == "IncompleteSignatureException"
    assert "requires existence of either a 'X-Amz-Date' or a 'Date' header" in data["message"]


def test_unknown_key(room_server):
    status, data = send(room_server.url, signed(room_server.url, key="AKIASOMEONEELSE00000"))
    assert (status, code_of(data), data["message"]) == (
        400, "UnrecognizedClientException", "The security token included in the request is invalid.")


def test_wrong_secret(room_server):
    status, data = send(room_server.url, signed(room_server.url, secret="not-" + ADA.secret_access_key))
    assert status == 400 and code_of(data) == "InvalidSignatureException"
    assert data["message"].startswith(sigv4.MISMATCH)
    assert "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n" in data["message"]


def test_a_changed_body_breaks_the_signature(room_server):
    req = signed(room_server.url, body=b'{"Limit": 1}')
    req.data = b'{"Limit": 2}'
    status, data = send(room_server.url, req)
    assert status == 400 and code_of(data) == "InvalidSignatureException"


def test_wrong_service(room_server):
    status, data = send(room_server.url, signed(room_server.url, service="s3"))
    assert (status, code_of(data), data["message"]) == (
        400, "InvalidSignatureException", "Credential should be scoped to correct service: 'dynamodb'. ")


def test_wrong_region(room_server):
    status, data = send(room_server.url, signed(room_server.url, region="Mars_1"))
    assert (status, code_of(data), data["message"]) == (
        400, "InvalidSignatureException", "Credential should be scoped to a valid region, not 'Mars_1'. ")


@pytest.mark.parametrize("minutes, words", [(-20, "Signature expired"),
                                            (20, "Signature not yet current")])
def test_stale_hand_built_request(room_server, monkeypatch, minutes, words):
    _at(monkeypatch, datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        + datetime.timedelta(minutes=minutes))
    status, data = send(room_server.url, signed(room_server.url))
    assert status == 400 and code_of(data) == "InvalidSignatureException"
    assert data["message"].startswith(words)


def test_host_must_be_signed(room_server):
    req = signed(room_server.url)
    auth = req.headers["Authorization"].replace("SignedHeaders=content-type;host;",
                                                "SignedHeaders=content-type;")
    req.headers.replace_header("Authorization", auth)
    status, data = send(room_server.url, req)
    assert status == 400 and code_of(data) == "InvalidSignatureException"
    assert data["message"] == ("'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                               "Authorization.")


def test_refusals_change_nothing_and_the_server_stays_up(room_server):
    ada = client(room_server.url, ADA.access_key_id, ADA.secret_access_key)
    ada.create_table(TableName="Guarded", **TABLE)
    body = json.dumps({"TableName": "Guarded", "Item": {"pk": {"S": "forged"}}}).encode()
    req = signed(room_server.url, "PutItem", body, secret="wrong")
    assert send(room_server.url, req)[0] == 400
    assert ada.scan(TableName="Guarded")["Items"] == []


def test_events_need_a_signature_and_show_only_the_callers(room_server):
    ada = client(room_server.url, ADA.access_key_id, ADA.secret_access_key)
    ada.create_table(TableName="Seen", **TABLE)
    status, data = send(room_server.url, method="GET", path="/_lab/events?since=0", body=b"")
    assert (status, code_of(data)) == (400, "MissingAuthenticationTokenException")
    mine = send(room_server.url, signed(room_server.url, method="GET", body=b"",
                                        path="/_lab/events?since=0&limit=5000"))[1]
    theirs = send(room_server.url, signed(room_server.url, method="GET", body=b"", path=
                                          "/_lab/events?since=0&limit=5000",
                                          key=BOB.access_key_id, secret=BOB.secret_access_key))[1]
    tables = lambda page: {e.get("table") for e in page["events"] if e["kind"] == "table.created"}  # noqa: E731
    assert "Seen" in tables(mine) and "Seen" not in tables(theirs)
    assert mine["next"] == len(mine["events"])
    status, data = send(room_server.url, signed(room_server.url, method="GET", body=b"",
                                                path="/_lab/events?since=x"))
    assert status == 400 and code_of(data) == "ValidationException"


# -- the algorithm against botocore's signer ----------------------------------------------

@pytest.mark.parametrize("path, headers", [
    ("/", {}),
    ("/a b/./c/../d%20e", {"X-Odd": "  two   spaces  "}),
    ("/?b=2&a=1&a=0", {"X-Amz-Security-Token": "tok/+="}),
])
def test_verify_agrees_with_botocore(path, headers):
    req = AWSRequest(method="POST", url="http://h.test:8000" + path, data=b'{"x": 1}',
                     headers={"Content-Type": JSON10, **headers})
    SigV4Auth(Credentials("AKIDEXAMPLE", "s3cr3t"), "dynamodb", "eu-west-1").add_auth(req)
    items = [("Host", "h.test:8000")] + list(req.headers.items())
    target = req.url.split("h.test:8000", 1)[1]
    got = sigv4.verify("POST", target, items, req.body,
                       {"AKIDEXAMPLE": "s3cr3t"}.get, now=time.time())
    assert got == ("AKIDEXAMPLE", "eu-west-1")
    with pytest.raises(sigv4.SignatureError):
        sigv4.verify("POST", target, items, req.body + b" ", {"AKIDEXAMPLE": "s3cr3t"}.get)


def test_expiry_words_exactly():
    req = AWSRequest(method="POST", url="http://h.test/", data=b"{}", headers={})
    SigV4Auth(Credentials("AKIDEXAMPLE", "s"), "dynamodb", "us-east-1").add_auth(req)
    items = [("Host", "h.test")] + list(req.headers.items())
    signed_at = req.context["timestamp"]
    t = datetime.datetime.strptime(signed_at, "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    with pytest.raises(sigv4.SignatureError) as e:
        sigv4.verify("POST", "/", items, b"{}", {"AKIDEXAMPLE": "s"}.get, now=t + 3600)
    fmt = lambda s: time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(s))  # noqa: E731
    assert e.value.message == (f"Signature expired: {signed_at} is now earlier than "
                               f"{fmt(t + 2700)} ({fmt(t + 3600)} - 15 min.)")


# -- without a credentials file ------------------------------------------------------------

def test_without_credentials_any_signature_is_accepted(open_server):
    wrong = client(open_server.url, ADA.access_key_id, "anything at all")
    assert "TableNames" in wrong.list_tables()
    status, data = send(open_server.url, headers={"Content-Type": JSON10,
                                                  "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert status == 200 and "TableNames" in data                   # unsigned: anonymous


def test_without_credentials_the_scope_still_names_the_namespace(open_server):
    a = client(open_server.url, "learnerA", "x")
    b = client(open_server.url, "learnerB", "y")
    a_west = client(open_server.url, "learnerA", "x", region="eu-west-1")
    a.create_table(TableName="Mine", **TABLE)
    assert "Mine" in a.list_tables()["TableNames"]
    assert "Mine" not in b.list_tables()["TableNames"]
    assert "Mine" not in a_west.list_tables()["TableNames"]
    arn = a.describe_table(TableName="Mine")["Table"]["TableArn"]
    assert arn.startswith("arn:aws:dynamodb:us-east-1:")


def test_without_credentials_a_key_the_room_cannot_name_is_refused_and_counted(open_server):
    c = client(open_server.url, "not-alnum!", "x")
    with pytest.raises(ClientError) as e:
        c.list_tables()
    assert e.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert open_server.status()["server"]["refused_by_key"]["not-alnum!"] == {
        "UnrecognizedClientException": 1}
