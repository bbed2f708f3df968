"""The room (issue 13) as the people in it use it: an instructor runs
``dynamo-lab credentials`` and ``dynamo-lab serve --credentials``, two
learners paste the ``export`` lines of their cards and run the same
DynamoDB lessons at the same time against that one server.

Both learners create the same table names (``Orders``, ``Voters``, ...) and
each lesson starts by dropping its tables, so a server that mixed their
namespaces would break the other learner's run or double its counts. What
is asserted, for each learner:

* every cell runs, nothing on stderr, every exercise is solved (lesson 12:
  keys and Query; lesson 17: Streams, which the served lab has);
* ListTables shows the learner's own tables and a table only they made,
  never the other's;
* the shard lineage (``%%needs lab_events``) is drawn, and the lab's
  internals the recorder fetched for the views (``GET
  /_lab/events``, signed with the learner's key) name the learner's own
  tables only;
* the instructor's ``--status`` counts both learners and no refusal.

The server listens where the cards point: ``dynamo-lab credentials``
writes ``http://<this host>:<port>`` on each card, so the server is started
as that command says (``--host 0.0.0.0``); learner01 uses the host's name
as the card says, learner02 loopback (a JupyterHub on the server's own
machine). Each learner's kernel gets only the card's environment.
"""
from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from ddb_support import ServeProcess
from test_lessons import _env, wrong_then_solved
from test_lessons_ddb import _module, _texts, drawn_views

from dynamo_lab.cli import main
from dynamo_lab.dynamodb.server import credentials

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
#: The two lessons each learner runs: keys and Query (tables, items, every
#: Query operator), and Streams (four tables with streams, records read back).
ROOM_LESSONS = ("12_hash_and_range_keys.ipynb", "17_streams.ipynb")
_EXPORT = re.compile(r"^export (.+)$", re.M)


def _cards(text: str) -> dict[str, dict[str, str]]:
    """Each learner's environment, from the ``export`` lines of their card."""
    out = {}
    for block in text.split("\n## ")[0:]:
        name = block.lstrip("# ").split("\n", 1)[0].strip()
        env = {}
        for line in _EXPORT.findall(block):
            for pair in line.split():
                k, v = pair.split("=", 1)
                env[k] = v
        if env:
            out[name] = env
    return out


def _learner_run(path: Path, card: dict[str, str], who: str) -> tuple[list[str], dict]:
    """The lesson, solved, in a kernel whose environment is the card's; a
    table of the learner's own is made first, and the last cell reports the
    exercises, ListTables and the tables the fetched lab events name."""
    from nbclient import NotebookClient

    mod = _module(path)
    nb = nbformat.read(path, as_version=4)
    wrong_then_solved(nb, mod)
    setup = 1 + next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(setup, nbformat.v4.new_code_cell(
        f"client.create_table(TableName='Only_{who}', BillingMode='PAY_PER_REQUEST',\n"
        "    KeySchema=[{'AttributeName': 'k', 'KeyType': 'HASH'}],\n"
        "    AttributeDefinitions=[{'AttributeName': 'k', 'AttributeType': 'S'}])\n"
        f"client.get_waiter('table_exists').wait(TableName='Only_{who}', "
        "WaiterConfig={'Delay': 1})"))
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json\n"
        "_calls = globals().get('calls')   # the recorder, in lessons that draw views\n"
        "print('REPORT', json.dumps({\n"
        "    'status': {q.name: q.status for q in ex.exercises},\n"
        "    'endpoint': client.meta.endpoint_url, 'lab': ddb is not None,\n"
        "    'tables': client.list_tables()['TableNames'],\n"
        "    'lab_events': bool(_calls and _calls.lab_events and _calls.lab_events.available),\n"
        "    'event_tables': sorted({e.get('table') for e in (_calls.log if _calls else [])\n"
        "                            if e.kind.split('.')[0] in ('partition', 'item', 'table')\n"
        "                            and e.get('table')})}))\n"
        f"_ = client.delete_table(TableName='Only_{who}')"))
    env = dict(_env())
    for k in ("DYNAMO_LAB_ENDPOINT", "DYNAMO_LAB_ACCESS_KEY_ID", "DYNAMO_LAB_SECRET_ACCESS_KEY",
              "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
              "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        env.pop(k, None)
    env.update(card)
    NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(LESSONS)}}).execute(env=env)
    texts = ["".join(_texts(c)) for c in nb.cells if c.cell_type == "code"]
    stderr = [o.text for c in nb.cells for o in c.get("outputs", [])
              if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, (who, path.stem, stderr)
    report = json.loads(next(t for t in texts if t.startswith("REPORT"))[len("REPORT"):])
    report["views"] = [name for name, _ in drawn_views(nb)]
    report["lesson"] = path.name
    return texts, report


@pytest.mark.notebooks
def test_two_learners_run_the_same_lessons_at_once_on_one_room_server(tmp_path, capsys):
    room, cards = tmp_path / "room.csv", tmp_path / "cards.md"
    with socket.socket() as s:          # the port the cards name, free now
        s.bind(("", 0))
        port = s.getsockname()[1]
    url = f"http://{socket.gethostname()}:{port}"
    assert main(["credentials", "--learners", "2", "--out", str(room), "--cards", str(cards),
                 "--seed", "13", "--endpoint", url]) == 0
    capsys.readouterr()
    learners = _cards(cards.read_text())
    assert sorted(learners) == ["learner01", "learner02"]
    for card in learners.values():
        assert card["DYNAMO_LAB_ENDPOINT"] == url and card["AWS_ACCESS_KEY_ID"]
    # learner02 works on the server's own machine (a JupyterHub beside it):
    # loopback, where the lab's clients sign with the card's room keys too
    learners["learner02"]["DYNAMO_LAB_ENDPOINT"] = f"http://127.0.0.1:{port}"
    srv = ServeProcess("--host", "0.0.0.0", "--port", str(port), "--credentials", str(room))
    try:
        t0 = time.monotonic()

        def learner(who: str) -> list[tuple[list[str], dict]]:
            order = ROOM_LESSONS if who == "learner01" else ROOM_LESSONS[::-1]
            return [_learner_run(LESSONS / name, learners[who], who) for name in order]

        with ThreadPoolExecutor(2) as pool:
            runs = dict(zip(learners, pool.map(learner, learners)))
        took = time.monotonic() - t0
        status = subprocess.run([sys.executable, "-m", "dynamo_lab.cli", "serve", "--status",
                                 "--url", f"http://127.0.0.1:{port}"],
                                capture_output=True, text=True, timeout=60)
    finally:
        code, _, err = srv.stop()
    assert code == 0, err
    for who, lessons in runs.items():
        other = next(o for o in runs if o != who)
        mine = learners[who]["DYNAMO_LAB_ENDPOINT"]
        for texts, report in lessons:
            assert texts[0].startswith(f"Endpoint {mine}:\n"), texts[0]
            assert report["endpoint"] == mine and not report["lab"]
            assert set(report["status"].values()) == {"correct"}, (who, report["status"])
            assert f"Only_{who}" in report["tables"], (who, report["tables"])
            assert f"Only_{other}" not in report["tables"], (who, report["tables"])
            assert report["lab_events"], who
            assert f"Only_{who}" in report["event_tables"], report["event_tables"]
            assert f"Only_{other}" not in report["event_tables"], report["event_tables"]
        # the lab_events view of lesson 17, drawn from the server's events
        views = {report["lesson"]: report["views"] for _, report in lessons}
        assert "ShardLineageView" in views["17_streams.ipynb"], (who, views)
    # Each learner ends with the same lesson tables, made by themselves.
    ends = {who: set(lessons[-1][1]["tables"]) - {f"Only_{who}"} for who, lessons in runs.items()}
    assert ends["learner01"] == ends["learner02"] and {"Orders", "Voters"} <= ends["learner01"]
    assert status.returncode == 0, status.stderr
    assert "signatures checked (2 learners)" in status.stdout
    assert "connected: 2 of 2 learners" in status.stdout, status.stdout
    assert "refused" not in status.stdout, status.stdout
    print(f"two learners, lessons 12 and 17 each, at once: {took:.1f} s")


@pytest.mark.notebooks
def test_a_learner_runs_the_stream_consumers_lesson_on_a_room_server(tmp_path):
    """Lesson 18 (a Lambda-like trigger and KCL workers on the stream) as
    one learner on a room server: every exercise solved."""
    room = tmp_path / "room.csv"
    learners = credentials.generate(1, seed=18)
    credentials.write(room, learners)
    ada = learners[0]
    srv = ServeProcess("--credentials", str(room))
    try:
        card = {"DYNAMO_LAB_ENDPOINT": srv.url, "AWS_DEFAULT_REGION": "us-east-1",
                "DYNAMO_LAB_ACCESS_KEY_ID": ada.access_key_id,
                "DYNAMO_LAB_SECRET_ACCESS_KEY": ada.secret_access_key}
        _, report = _learner_run(LESSONS / "18_kcl_and_lambda.ipynb", card, ada.name)
    finally:
        srv.stop()
    assert set(report["status"].values()) == {"correct"}, report["status"]
