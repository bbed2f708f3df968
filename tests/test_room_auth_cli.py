"""The room's commands (issue 13): ``dynamo-lab credentials`` makes the key
file and the learners' cards; ``dynamo-lab serve --credentials`` checks
them; ``--host`` elsewhere warns when nothing is checked; ``--status`` shows
the instructor who is connected."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError
from ddb_support import NO_RETRY, ServeProcess

from dynamo_lab.cli import main
from dynamo_lab.dynamodb.server import credentials
from dynamo_lab.dynamodb.server.http import Server
from dynamo_lab.dynamodb.server.room import Room
from dynamo_lab.dynamodb.server.status import render


def _client(url: str, learner: credentials.Learner, secret: str | None = None):
    return boto3.session.Session().client(
        "dynamodb", endpoint_url=url, region_name="us-east-1", config=NO_RETRY,
        aws_access_key_id=learner.access_key_id,
        aws_secret_access_key=secret or learner.secret_access_key)


def test_credentials_command_writes_the_file_and_the_cards(tmp_path, capsys):
    out, cards = tmp_path / "room.csv", tmp_path / "cards.md"
    assert main(["credentials", "--learners", "3", "--out", str(out), "--seed", "5",
                 "--endpoint", "http://10.0.0.5:8000", "--cards", str(cards)]) == 0
    printed, said = capsys.readouterr()
    learners = credentials.load(out)
    assert [ln.name for ln in learners.values()] == ["learner01", "learner02", "learner03"]
    assert list(learners.values()) == credentials.generate(3, 5)     # --seed regenerates them
    assert printed == cards.read_text()
    for ln in learners.values():
        assert f"export AWS_ACCESS_KEY_ID={ln.access_key_id}\n" in printed
        assert (f"export DYNAMO_LAB_ACCESS_KEY_ID={ln.access_key_id} "
                f"DYNAMO_LAB_SECRET_ACCESS_KEY={ln.secret_access_key}\n") in printed
        assert f"export AWS_SECRET_ACCESS_KEY={ln.secret_access_key}\n" in printed
    assert printed.count("DYNAMO_LAB_ENDPOINT=http://10.0.0.5:8000") == 3
    assert "--seed 5 regenerates" in said and f"--credentials {out}" in said
    assert out.stat().st_mode & 0o077 == 0                            # secrets: owner only
    # An existing file is kept unless --force: regenerating would lock the room out.
    assert main(["credentials", "--learners", "2", "--out", str(out)]) == 2
    assert "exists; --force" in capsys.readouterr().err
    assert len(credentials.load(out)) == 3


def test_unseeded_files_differ_and_say_their_seed(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    main(["credentials", "--learners", "2", "--out", str(a), "--endpoint", "http://h:1"])
    seed = capsys.readouterr().err.split("--seed ")[1].split()[0]
    main(["credentials", "--learners", "2", "--out", str(b), "--endpoint", "http://h:1"])
    assert credentials.load(a) != credentials.load(b)
    assert list(credentials.load(a).values()) == credentials.generate(2, int(seed))


@pytest.mark.parametrize("text, words", [
    ("", "line 1: the header must be name,access_key_id,secret_access_key"),
    ("name,key,secret\nada,A1,s\n", "line 1: the header must be"),
    ("name,access_key_id,secret_access_key\nada,A1\n", "line 2: expected 3 fields"),
    ("name,access_key_id,secret_access_key\nada,AK-1,s\n", "line 2: access key id 'AK-1' must be"),
    ("name,access_key_id,secret_access_key\nada,A1,has space\n", "line 2: the secret access key"),
    ("name,access_key_id,secret_access_key\n", "no learners"),
])
def test_a_bad_credentials_file_is_named_with_its_line(tmp_path, capsys, text, words):
    path = tmp_path / "room.csv"
    path.write_text(text)
    with pytest.raises(credentials.CredentialsFileError, match=words):
        credentials.load(path)
    assert main(["serve", "--port", "0", "--credentials", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and words in err and "Traceback" not in err


def test_status_endpoint_and_view(tmp_path):
    ada, bob = credentials.generate(2, seed=3)
    keys = {ada.access_key_id: ada, bob.access_key_id: bob}
    with Server(room=Room(), credentials=keys) as srv:
        c = _client(srv.url, ada)
        c.list_tables()
        c.create_table(TableName="Tally", BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
        with pytest.raises(ClientError):
            c.describe_table(TableName="missing")
        with pytest.raises(ClientError):
            _client(srv.url, bob, secret="wrong").list_tables()
        with urllib.request.urlopen(srv.url + "/_lab/status", timeout=10) as resp:
            status = json.loads(resp.read())
    assert status["server"]["credentials"] is True
    assert status["server"]["learners"] == ["learner01", "learner02"]
    assert status["server"]["refused"] == {"InvalidSignatureException": 1}
    assert status["server"]["refused_by_key"] == {bob.access_key_id: {"InvalidSignatureException": 1}}
    (ns,) = status["room"]["namespaces"]
    assert (ns["requests"], ns["errors"], ns["tables"]) == (3, 1, 1)
    text = render(status, url="http://room:8000")
    assert "signatures checked (2 learners)" in text
    assert "refused at the door: InvalidSignatureException 1 (learner02 1)" in text
    assert "connected: 1 of 2 learners" in text and "not seen yet: learner02" in text
    row = next(line for line in text.splitlines() if line.startswith("learner01"))
    assert row.split()[:6] == ["learner01", "us-east-1", "1", "3", "1", "0.3"]
    assert secret_free(text, [ada, bob]) and secret_free(json.dumps(status), [ada, bob])


def secret_free(text: str, learners: list[credentials.Learner]) -> bool:
    return not any(ln.secret_access_key in text for ln in learners)


def test_serve_with_credentials_and_status_command(tmp_path):
    path = tmp_path / "room.csv"
    learners = credentials.generate(2, seed=9)
    credentials.write(path, learners)
    srv = ServeProcess("--credentials", str(path))
    try:
        assert _client(srv.url, learners[0]).list_tables()["TableNames"] == []
        with pytest.raises(ClientError) as e:
            _client(srv.url, learners[1], secret="wrong").list_tables()
        assert e.value.response["Error"]["Code"] == "InvalidSignatureException"
        run = subprocess.run([sys.executable, "-m", "dynamo_lab.cli", "serve", "--status",
                              "--url", srv.url], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert f"dynamo-lab serve at {srv.url}" in run.stdout
        assert "signatures checked (2 learners)" in run.stdout
        assert "InvalidSignatureException 1 (learner02 1)" in run.stdout
        assert "learner01" in run.stdout.split("last seen")[1]
        code, out, err = srv.stop()
    finally:
        srv.kill()
    assert code == 0 and "warning" not in err


def test_listening_beyond_loopback_without_credentials_warns():
    srv = ServeProcess("--host", "0.0.0.0")
    try:
        code, _, err = srv.stop()
    finally:
        srv.kill()
    assert code == 0
    assert "warning: listening on 0.0.0.0 without --credentials" in err


def test_status_of_nothing_is_a_clear_error(capsys):
    assert main(["serve", "--status", "--url", "http://127.0.0.1:9"]) == 1
    err = capsys.readouterr().err
    assert "cannot read the status of http://127.0.0.1:9" in err and "Traceback" not in err


def test_status_watch_outlives_a_server_that_is_down():
    # the instructor's screen keeps trying while the server restarts
    import socket
    import time
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "dynamo_lab.cli", "serve", "--status",
                             "--url", f"http://127.0.0.1:{port}", "--watch", "0.2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)
        assert proc.poll() is None, proc.stderr.read()
    finally:
        proc.kill()
        out, _ = proc.communicate()
    assert out.count("trying again every 0.2 s") >= 2, out


def test_a_lesson_on_a_room_that_refuses_the_key_gets_one_line(monkeypatch):
    from dynamo_lab.dynamodb.wire.connect import connect
    from dynamo_lab.exercises.endpoint import EndpointError, probe
    ada, = credentials.generate(1, seed=9)
    with Server(room=Room(), credentials={ada.access_key_id: ada}) as srv:
        bad = connect(srv.url, credentials={"aws_access_key_id": ada.access_key_id,
                                            "aws_secret_access_key": "wrong"}, retries=0)
        with pytest.raises(EndpointError) as info:
            probe(bad, None, ["streams"])
        good = connect(srv.url, credentials={"aws_access_key_id": ada.access_key_id,
                                             "aws_secret_access_key": ada.secret_access_key})
        assert probe(good, None, ["streams"]).url == srv.url
    line = str(info.value)
    assert line.startswith("InvalidSignatureException: ") and "\n" not in line
    assert "refused your key: check the secret access key you exported against your card" in line
    assert info.value._render_traceback_() == [f"EndpointError: {line}"]
