"""The room's load, short: four learners for about 3 s on ``dynamo-lab serve
--credentials`` (and on ``--credentials --data``).

The full run (40 learners, 60 s, against moto_server and dynalite too, with
the limits probe) is ``benchmarks/room_load.py``; this runs the same code,
loopback only, with the learners as threads in this process, each signing
with its own key pair from ``dynamo-lab credentials`` and using its own
table ``Votes`` in its own namespace, and holds the server to no errors and
every item verified. Speed is not asserted here.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import room_load  # noqa: E402


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    return room_load.room_file(6, tmp_path_factory.mktemp("room"))


@pytest.fixture(scope="module")
def lab(room):
    with room_load.server("lab", room=room) as (url, pid):
        yield url, pid


@pytest.mark.parametrize("kind", ["lab", "lab+data"])
def test_four_learners_no_errors_every_item_verified(room, lab, kind):
    with (room_load.server(kind, room=room) if kind != "lab" else _same(lab)) as (url, pid):
        r = room_load.run_load(url, learners=4, seconds=3 if kind == "lab" else 2, procs=0,
                               warmup=0, pid=pid, room=room, namespaced=True)
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


class _same:
    """The module's server, as a context manager like ``room_load.server``."""

    def __init__(self, lab):
        self.lab = lab

    def __enter__(self):
        return self.lab

    def __exit__(self, *exc):
        return None


def test_every_learner_has_its_own_votes_table(room, lab):
    url, _ = lab
    creds = room_load.read_room(room)
    a, b = (room_load.Learner(i, url, {"streams": False, "transactions": True}, cred=creds[i],
                              namespaced=True) for i in (4, 5))
    assert a.table == b.table == "Votes"
    for ln in (a, b):
        ln.create_table()
        for _ in range(20):
            ln.op_PutItem()
    for ln in (a, b):
        ln.verify()                  # each sees its own items and nothing else
        assert ln.errors == {} and ln.verified == len(ln.expect) > 0
    stranger = room_load.client(url, "AKIANOTINTHEROOM", secret="x" * 40)
    with pytest.raises(room_load.ClientError) as err:
        stranger.list_tables()
    assert err.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_verification_catches_a_changed_a_lost_and_an_extra_item(room, lab):
    url, _ = lab
    cred = room_load.read_room(room)[4]
    ln = room_load.Learner(90, url, {"streams": False, "transactions": True}, cred=cred,
                           namespaced=True, prefix="verify")
    ln.table = "VotesVerify"
    ln.create_table()
    for _ in range(60):
        ln.step()
    assert ln.errors == {} and len(ln.expect) >= 3
    # the same learner from a second notebook: same key pair, same namespace
    (k1, k2), other = list(ln.expect)[:2], room_load.client(url, cred[1], secret=cred[2])
    other.put_item(TableName=ln.table, Item=dict(ln.keyof(k1), v={"N": "-1"}))
    other.delete_item(TableName=ln.table, Key=ln.keyof(k2))
    other.put_item(TableName=ln.table, Item={"pk": {"S": "intruder"}, "sk": {"N": "1"}})
    ln.verify()
    assert ln.errors == {"VerifyWrongValue": 1, "VerifyMissing": 1, "VerifyExtra": 1}
    assert ln.verified == len(ln.expect) - 2


def test_a_strongly_consistent_read_that_disagrees_is_an_error(room, lab):
    url, _ = lab
    cred = room_load.read_room(room)[5]
    ln = room_load.Learner(91, url, {"streams": False, "transactions": True}, cred=cred,
                           namespaced=True)
    ln.table = "VotesDisagree"
    ln.create_table()
    ln.op_PutItem()
    (k, item), = ln.expect.items()
    ln.expect[k] = dict(item, v={"N": "123456"})     # what it "wrote" is not what is there
    ln.check("GetItem", ln.ddb.get_item(TableName=ln.table, Key=ln.keyof(k),
                                        ConsistentRead=True)["Item"], k)
    assert ln.errors == {"WrongValue(GetItem)": 1}
