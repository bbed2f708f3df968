"""``dynamo-lab serve`` answers CORS, so the AWS SDK for JavaScript in a
browser page (the deck's "JavaScript in the Browser") can call it: a
hand-built preflight, the headers on every answer, and a real cross-origin
``fetch`` from a page Chromium loaded from another origin."""
from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, chromium_missing_reason

from dynamo_lab.dynamodb.server.http import (
    CORS_ALLOW_HEADERS,
    CORS_EXPOSE_HEADERS,
    CORS_MAX_AGE,
    Server,
)

# What the AWS SDK for JavaScript v3 sends with a DynamoDB call.
SDK_HEADERS = ("x-amz-target", "x-amz-date", "authorization", "x-amz-user-agent",
               "amz-sdk-invocation-id", "amz-sdk-request", "content-type",
               "x-amz-security-token", "x-amz-content-sha256")


@pytest.fixture(scope="module")
def server():
    with Server() as srv:
        yield srv


def _request(url: str, method: str, body: bytes | None = None, headers: dict | None = None):
    host, port = url.rsplit("/", 1)[-1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request(method, "/", body, headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def _listed(value: str | None) -> set[str]:
    return {v.strip().lower() for v in (value or "").split(",") if v.strip()}


def test_preflight_grants_what_the_sdk_sends(server):
    resp, data = _request(server.url, "OPTIONS", headers={
        "Origin": "http://learner.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": ",".join(SDK_HEADERS)})
    assert resp.status == 200 and data == b""
    assert resp.getheader("Access-Control-Allow-Origin") == "*"
    assert {"POST", "GET", "OPTIONS"} <= {m.strip() for m in
                                          resp.getheader("Access-Control-Allow-Methods").split(",")}
    assert set(SDK_HEADERS) <= _listed(resp.getheader("Access-Control-Allow-Headers"))
    assert {"x-amzn-requestid", "x-amz-crc32"} <= _listed(
        resp.getheader("Access-Control-Expose-Headers"))
    assert int(resp.getheader("Access-Control-Max-Age")) == CORS_MAX_AGE


def test_preflight_grants_sdk_families_only(server):
    resp, _ = _request(server.url, "OPTIONS", headers={
        "Origin": "http://learner.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "amz-sdk-new-thing, x-amz-checksum-crc32, x-evil"})
    granted = _listed(resp.getheader("Access-Control-Allow-Headers"))
    assert {"amz-sdk-new-thing", "x-amz-checksum-crc32"} <= granted
    assert "x-evil" not in granted
    assert granted >= set(CORS_ALLOW_HEADERS)


def test_private_network_preflight(server):
    resp, _ = _request(server.url, "OPTIONS", headers={
        "Origin": "http://learner.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Private-Network": "true"})
    assert resp.getheader("Access-Control-Allow-Private-Network") == "true"
    plain, _ = _request(server.url, "OPTIONS", headers={"Origin": "http://x"})
    assert plain.getheader("Access-Control-Allow-Private-Network") is None


@pytest.mark.parametrize("method, body, headers, status", [
    ("POST", b"{}", {"X-Amz-Target": "DynamoDB_20120810.ListTables",
                     "Content-Type": "application/x-amz-json-1.0"}, 200),
    ("POST", b'{"TableName": "nope"}', {"X-Amz-Target": "DynamoDB_20120810.DescribeTable",
                                        "Content-Type": "application/x-amz-json-1.0"}, 400),
    ("POST", b"{", {"X-Amz-Target": "DynamoDB_20120810.ListTables",
                    "Content-Type": "application/x-amz-json-1.0"}, 400),
    ("GET", None, {}, 200),
    ("DELETE", None, {}, 501),
])
def test_every_answer_carries_cors(server, method, body, headers, status):
    resp, _ = _request(server.url, method, body, dict(headers, Origin="http://learner.example"))
    assert resp.status == status
    assert resp.getheader("Access-Control-Allow-Origin") == "*"
    assert _listed(resp.getheader("Access-Control-Expose-Headers")) == {
        h.lower() for h in CORS_EXPOSE_HEADERS}


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = b"<!doctype html><title>learner page</title><p>a learner's page</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


_FETCH = """async ([url, target, body, extra]) => {
  const headers = {"content-type": "application/x-amz-json-1.0", "x-amz-target": target,
    "x-amz-date": "20260101T000000Z", "amz-sdk-invocation-id": "5b1c-0001",
    "amz-sdk-request": "attempt=1; max=3", "x-amz-user-agent": "aws-sdk-js/3.0.0",
    "authorization": "AWS4-HMAC-SHA256 Credential=fakeMyKeyId/20260101/us-east-1/dynamodb/" +
                     "aws4_request, SignedHeaders=host;x-amz-date, Signature=00", ...extra};
  try {
    const r = await fetch(url, {method: "POST", headers, body});
    return {status: r.status, body: await r.json(),
            rid: r.headers.get("x-amzn-requestid"), crc: r.headers.get("x-amz-crc32")};
  } catch (e) { return {error: String(e)}; }
}"""


def test_cross_origin_fetch_from_chromium(server):
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    page_server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=page_server.serve_forever, daemon=True).start()
    # localhost vs 127.0.0.1, and another port: a different origin.
    origin = f"http://localhost:{page_server.server_address[1]}/"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(origin)
                ok = page.evaluate(_FETCH, [server.url, "DynamoDB_20120810.ListTables", "{}", {}])
                err = page.evaluate(_FETCH, [server.url, "DynamoDB_20120810.DescribeTable",
                                             json.dumps({"TableName": "nope"}), {}])
                refused = page.evaluate(_FETCH, [server.url, "DynamoDB_20120810.ListTables",
                                                 "{}", {"x-not-an-sdk-header": "1"}])
            finally:
                browser.close()
    finally:
        page_server.shutdown()
        page_server.server_close()
    assert ok["status"] == 200 and "TableNames" in ok["body"], ok
    assert len(ok["rid"]) == 52 and ok["crc"].isdigit()          # exposed to the script
    assert err["status"] == 400, err
    assert err["body"]["__type"].endswith("#ResourceNotFoundException")
    # The browser enforces the preflight: a header outside the grant is refused.
    assert "error" in refused and "Failed to fetch" in refused["error"], refused
