"""botocore's event hooks on a client: a learner's handlers run as with AWS.

The in-process client leaves out botocore's network-only work (signing,
User-Agent rebuilding, retry headers); these tests hold that what remains
is what a handler sees: the request after ``request-created`` handlers, with
UTF-8 header values and its Content-Length; the parsed response; and the
response metadata botocore builds.
"""
from __future__ import annotations

import contextlib
import json


@contextlib.contextmanager
def _hooked(client, *hooks):
    events = client.meta.events
    for i, (event, handler) in enumerate(hooks):
        events.register(event, handler, unique_id=f"conf-hook-{i}")
    try:
        yield
    finally:
        for i, (event, _) in enumerate(hooks):
            events.unregister(event, unique_id=f"conf-hook-{i}")


def test_request_hooks_see_the_serialized_request(client, table):
    seen: dict = {}

    def created(request, **_):
        request.headers["X-Lesson"] = "hooks"          # a learner's own header

    def before_send(request, **_):
        seen["target"] = request.headers["X-Amz-Target"]
        seen["lesson"] = request.headers["X-Lesson"]
        seen["length"] = int(request.headers["Content-Length"])
        seen["body"] = request.body

    def after_call(parsed, model, **_):
        seen["parsed"] = (model.name, parsed.get("Item"))

    with _hooked(client, ("request-created.dynamodb.GetItem", created),
                 ("before-send.dynamodb.GetItem", before_send),
                 ("after-call.dynamodb.GetItem", after_call)):
        client.put_item(TableName=table, Item={"pk": {"S": "h"}, "n": {"N": "1"}})
        resp = client.get_item(TableName=table, Key={"pk": {"S": "h"}})
    assert seen["target"] == b"DynamoDB_20120810.GetItem"
    assert seen["lesson"] == b"hooks"
    assert seen["length"] == len(seen["body"])
    assert json.loads(seen["body"]) == {"TableName": table, "Key": {"pk": {"S": "h"}}}
    assert seen["parsed"] == ("GetItem", {"pk": {"S": "h"}, "n": {"N": "1"}})
    assert resp["Item"] == {"pk": {"S": "h"}, "n": {"N": "1"}}


def test_response_metadata(client, table):
    meta = client.get_item(TableName=table, Key={"pk": {"S": "none"}})["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200 and meta["RetryAttempts"] == 0
    assert len(meta["RequestId"]) == 52 and meta["RequestId"].isalnum()
    headers = meta["HTTPHeaders"]
    assert headers["x-amzn-requestid"] == meta["RequestId"]
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert int(headers["content-length"]) == 2               # "{}"
    assert int(headers["x-amz-crc32"]) >= 0
