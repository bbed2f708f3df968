"""The AWS SDK for JavaScript v3 under Node.js against ``dynamo-lab serve``:
the deck's "Node.js" client. tests/js/smoke.mjs makes a table with a
stream, writes and reads items with the low-level client and the document
client (lib-dynamodb), queries, commits and cancels a transaction, reads
the stream with the DynamoDB Streams client, and prints what it saw; this
test checks it. The SDK is installed from npm by the ``aws_sdk_js`` fixture
(tests/conftest.py), pinned."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from ddb_support import ServeProcess, unique

SMOKE = Path(__file__).parent / "js" / "smoke.mjs"


def test_node_sdk_v3_smoke(aws_sdk_js):
    table = unique("js")
    with ServeProcess() as srv:
        proc = subprocess.run([shutil.which("node") or "node", str(SMOKE), srv.url, table],
                              capture_output=True, text=True, timeout=120,
                              env=dict(os.environ, DL_NODE_MODULES=str(aws_sdk_js)))
        srv.stop()
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["created"] == table and out["listed"] is True
    # the document client turns JavaScript values (numbers, sets) into DynamoDB's and back
    assert out["get"] == {"pk": "a", "sk": 2, "v": "n2", "tags": ["x", "y"]}
    assert out["updated"] == {"v": {"S": "uno"}}
    assert out["conditional"] == "ConditionalCheckFailedException"
    assert out["query"] == [3, 2]
    assert out["docQuery"] == {"sks": [1, 2], "more": True}
    # the SDK maps DynamoDB's error to its exception class, reasons included
    assert out["cancelled"] == {"name": "TransactionCanceledException",
                                "reasons": ["None", "ConditionalCheckFailed"]}
    assert out["scanned"] == ["a1", "a2", "a3", "b1"]
    assert out["streamListed"] is True
    assert out["stream"] == ["INSERT a1", "INSERT a2", "INSERT a3", "MODIFY a1", "INSERT b1"]
    assert out["missing"] == {"name": "ResourceNotFoundException", "status": 400,
                              "message": "Requested resource not found: Table: no-such-table "
                                         "not found"}
