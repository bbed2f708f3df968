"""The room's load, short: four learners for about 3 s on ``dynamo-lab serve``.

The full run (40 learners, 60 s, against moto_server and dynalite too, with
the limits probe) is ``benchmarks/room_load.py``; this runs the same code,
loopback only, with the learners as threads in this process, and holds the
server to no errors and every item verified. Speed is not asserted here.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import room_load  # noqa: E402


@pytest.fixture(scope="module")
def lab():
    with room_load.server("lab") as (url, pid):
        yield url, pid


def test_four_learners_no_errors_every_item_verified(lab):
    url, pid = lab
    r = room_load.run_load(url, learners=4, seconds=3, procs=0, warmup=0, pid=pid)
    assert r["errors"] == {}
    assert r["uncertain"] == 0
    assert r["expected"] > 0 and r["verified"] == r["expected"]
    # The whole mix ran, the stream and transaction parts included.
    ops = set(r["by_op"])
    assert {"PutItem", "UpdateItem", "GetItem", "Query", "QueryGSI", "Scan", "BatchWriteItem",
            "TransactWriteItems", "DeleteItem", "GetRecords"} <= ops, ops
    assert r["have"] == {"streams": True, "transactions": True}
    assert r["stream_records"] > 0
    assert r["ok"] == r["requests"] > 0 and r["server_cpu"] is not None


def test_verification_catches_a_changed_a_lost_and_an_extra_item(lab):
    url, _ = lab
    ln = room_load.Learner(90, url, {"streams": False, "transactions": True})
    ln.create_table()
    for _ in range(60):
        ln.step()
    assert ln.errors == {} and len(ln.expect) >= 3
    (k1, k2), other = list(ln.expect)[:2], room_load.client(url, "someone-else")
    other.put_item(TableName=ln.table, Item=dict(ln.keyof(k1), v={"N": "-1"}))
    other.delete_item(TableName=ln.table, Key=ln.keyof(k2))
    other.put_item(TableName=ln.table, Item={"pk": {"S": "intruder"}, "sk": {"N": "1"}})
    ln.verify()
    assert ln.errors == {"VerifyWrongValue": 1, "VerifyMissing": 1, "VerifyExtra": 1}
    assert ln.verified == len(ln.expect) - 2


def test_a_strongly_consistent_read_that_disagrees_is_an_error(lab):
    url, _ = lab
    ln = room_load.Learner(91, url, {"streams": False, "transactions": True})
    ln.create_table()
    ln.op_PutItem()
    (k, item), = ln.expect.items()
    ln.expect[k] = dict(item, v={"N": "123456"})     # what it "wrote" is not what is there
    ln.check("GetItem", ln.ddb.get_item(TableName=ln.table, Key=ln.keyof(k),
                                        ConsistentRead=True)["Item"], k)
    assert ln.errors == {"WrongValue(GetItem)": 1}
