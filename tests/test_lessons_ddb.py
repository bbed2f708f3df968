"""The DynamoDB lessons 11 and 12: their exercise modules, and a run of each
lesson, answered wrong then solved, against an outside endpoint.

``tests/test_lessons.py`` already runs every notebook of ``lessons/`` on the
in-process lab (clean commit, nbval, wrong-then-solved); this file checks it
picks these two up, and adds what is particular to them:

* the exercise modules ``lesson11`` and ``lesson12``: every solution judged
  correct, every known wrong answer judged wrong, a blank "not attempted";
* "the lessons run end to end with their backend set to an outside
  endpoint": the backend setting (``DYNAMO_LAB_ENDPOINT``) points at moto's
  ThreadedMotoServer on loopback; cells that look inside the lab
  (``%%needs internals``) say so and skip themselves, every other cell and
  every exercise must pass there too. The dynalite run is in
  ``test_lessons_dynalite.py``, through :func:`run_on_endpoint`.
"""
from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import nbformat
import pytest

from dynamo_lab.exercises import ____

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
#: Every DynamoDB lesson (numbered 11 and up) and its exercise module; a new
#: lesson joins by being there.
DDB_LESSONS = {p.name: f"lesson{p.name[:2]}" for p in sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
               if int(p.name[:2]) >= 11}
PATHS = [LESSONS / name for name in DDB_LESSONS]


def _module(path: Path):
    return importlib.import_module(f"dynamo_lab.exercises.{DDB_LESSONS[path.name]}")


from test_lessons import _env, wrong_then_solved  # noqa: E402  (the shared harness)


# -- the notebooks ----------------------------------------------------------------
def test_the_shared_harness_runs_these_lessons():
    import test_lessons
    names = {p.name for p in test_lessons.NOTEBOOKS}
    assert set(DDB_LESSONS) <= names
    assert {p.name for p in test_lessons.WITH_EXERCISES} >= set(DDB_LESSONS)


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_backend_comes_from_the_one_setting_and_internals_are_marked(path):
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    setup = code[0]
    assert "backend.client()" in setup and "backend.resource()" in setup
    assert "ddb = backend.service() if backend.endpoint() is None else None" in setup
    assert "endpoint.check(client, ddb, uses=(" in setup, "the lesson checks its endpoint first"
    for src in code:
        assert "DynamoDB(" not in src and "dynamo_lab.client(" not in src, \
            "a lesson cell makes its own service instead of using the setting"
        assert "if ddb is None" not in src, "a hand-written guard: use %%needs internals"
        if re.search(r"\bddb\.", src):
            assert re.match(r"%%needs( \w+)* internals( \w+)*\n# ", src) or \
                src.startswith("%%needs internals\n# "), src[:200]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_opens_with_its_seed_section(path):
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "markdown" and "Source: the DynamoDB deck" in first.source


# -- the exercise modules ---------------------------------------------------------
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_every_solution_is_judged_correct(path):
    mod = _module(path)
    for q in mod.exercises:
        ns = mod.solution_namespace()
        exec(q.solution_code, ns)
        r = q.evaluate(ns[q.var])
        assert r.correct, f"{q.name}: {r.message}"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_wrong_answers_say_what_is_wrong_and_blanks_are_not_attempted(path):
    mod = _module(path)
    for q in mod.exercises:
        assert q.evaluate(____).status == "not_attempted"
        assert "not attempted yet" in q.evaluate(____).message
        assert len(mod.WRONG[q.name]) >= 2
        for wrong in mod.WRONG[q.name]:
            r = q.evaluate(wrong)
            assert r.status == "incorrect", (q.name, wrong, r.message)
            assert r.message.startswith(f"{q.name}: not quite. ") and len(r.message) > 30
        assert q.hints and q.var in q.solution_code


def test_lesson11_messages_name_the_mistake():
    from dynamo_lab.exercises import lesson11 as m
    assert "numbers travel as strings" in m.q1.evaluate(m.WRONG["q1"][0]).message
    assert "tagged 'SS'; you tagged it 'L'" in m.q1.evaluate(m.WRONG["q1"][1]).message
    assert "e.response['Error']['Code']" in m.q2.evaluate("ClientError").message
    assert "low-level form" in m.q3.evaluate({"SS": ["cat", "sunset"]}).message


def test_lesson12_messages_name_the_mistake():
    from dynamo_lab.exercises import lesson12 as m
    assert "wrong order" in m.q1.evaluate(list(reversed(m.q1.expected))).message
    count, scanned = m.q2.expected
    assert "swapped" in m.q2.evaluate((scanned, count)).message
    assert "rounds each item up" in m.q3.evaluate(m.q3.expected["per_item"]).message
    assert "eventually consistent" in m.q3.evaluate(m.q3.expected["eventual"]).message


def test_lesson12_expected_answers_follow_the_rules():
    from dynamo_lab.exercises import lesson12 as m
    assert m.q1.expected == ["Order#0004", "Order#0003", "Order#0002"]
    assert m.q2.expected == (sum(o["amount"] >= 100 for o in m.orders()
                                 if o["customer"] == "Customer#1"), 12)
    sizes = [m.item_bytes(o) for o in m.orders() if o["customer"] == "Customer#1"]
    assert m.q3.expected["right"] == -(-sum(sizes) // 4096)
    assert m.query_rcu("Customer#1") == m.q3.expected["right"] / 2


# -- against an outside endpoint --------------------------------------------------
# (moto_url: moto's ThreadedMotoServer on loopback, from conftest.py)


def _texts(cell) -> list[str]:
    """A cell's outputs as text, consecutive stream pieces joined: a kernel may
    flush one print() in two pieces when a GC pause falls between its writes."""
    out: list[str] = []
    joinable = False
    for o in cell.outputs:
        if o.output_type == "stream" and joinable:
            out[-1] += o.text
        else:
            out.append(o.get("text") or o.get("data", {}).get("text/plain", ""))
        joinable = o.output_type == "stream"
    return out


def run_on_endpoint(path: Path, url: str, monkeypatch, runs: int = 2):
    """The lesson with ``DYNAMO_LAB_ENDPOINT`` set to ``url``: answered wrong
    then solved, ``runs`` times over (a second run starts from tables the
    first left behind), no error, nothing on stderr. A cell marked
    ``%%needs F`` prints one "skipped: ..." line where the endpoint lacks F;
    an exercise the lesson's ``NEEDS`` ties to a missing feature is left
    blank there (and must say "not attempted"), every other one is solved."""
    from nbclient import NotebookClient

    from dynamo_lab.dynamodb.wire.connect import connect, connect_streams
    from dynamo_lab.exercises.endpoint import FEATURES, probe

    mod = _module(path)
    here = probe(connect(url), None, list(FEATURES), streams_client=connect_streams(url))
    needs = getattr(mod, "NEEDS", {})
    for k, v in _env().items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("DYNAMO_LAB_ENDPOINT", url)
    for _ in range(runs):
        nb = nbformat.read(path, as_version=4)
        doable = [q for q in mod.exercises if q.name not in needs or here.has(needs[q.name])]

        class Only:          # the exercises this endpoint can do
            exercises = doable
            WRONG = mod.WRONG
        probes = wrong_then_solved(nb, Only)
        nb.cells.insert(1 + next(i for i, c in enumerate(nb.cells) if c.cell_type == "code"),
                        nbformat.v4.new_code_cell(
                            "print('ENDPOINT', client.meta.endpoint_url, ddb is None)"))
        nb.cells.append(nbformat.v4.new_code_cell(
            "import json\nprint('STATUS', json.dumps({q.name: q.status for q in ex.exercises}))"))
        NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=False,
                       resources={"metadata": {"path": str(LESSONS)}}).execute()
        for c in nb.cells:
            for o in c.get("outputs", []):
                assert not (o.output_type == "stream" and o.name == "stderr"), \
                    f"stderr in cell:\n{c.source[:300]}\n---\n{o.text[:1000]}"
        texts = ["".join(_texts(c)) for c in nb.cells if c.cell_type == "code"]
        assert f"ENDPOINT {url} True\n" in texts
        assert texts[0].startswith(f"Endpoint {url}:\n"), texts[0]
        status = json.loads(next(t for t in texts if t.startswith("STATUS")).split("STATUS", 1)[1])
        assert status == {q.name: "correct" if q in doable else "not_attempted"
                          for q in mod.exercises}
        for q in doable:
            got = _texts(probes[q.name])
            assert any(t.startswith(f"{q.name}: not quite.") for t in got), got
            assert "WRONG incorrect\n" in got, got
        for c in nb.cells:
            if c.cell_type != "code" or not c.source.startswith("%%needs"):
                continue
            wanted = c.source.splitlines()[0].split()[1:]
            out = "".join(_texts(c))
            if here.missing(wanted):
                assert out == here.skip_line(wanted, c.source.split("\n", 1)[1]) + "\n", out
                missing_line = f"- cells marked %%needs {here.missing(wanted)[0]} skip themselves"
                assert missing_line in texts[0], texts[0]
            else:
                assert not out.startswith("skipped:"), (c.source[:200], out)
    return nb, here


#: A view's text/plain: ``<RequestTraceView 'Orders': ...>``
_VIEW = re.compile(r"<(\w+View)\b[^>]*>")


def drawn_views(nb) -> list[tuple[str, str]]:
    """The views an executed notebook drew: (class name, repr) of each
    displayed result whose text is a view's and that carries a picture (an
    SVG, or the widget that draws one)."""
    found = []
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        for o in c.get("outputs", []):
            data = o.get("data", {})
            m = _VIEW.match(data.get("text/plain", ""))
            picture = "<svg" in data.get("text/html", "") or \
                "application/vnd.jupyter.widget-view+json" in data
            if m and picture:
                found.append((m.group(1), m.group(0)))
    return found


def _placed(path: Path, here=None) -> set[str]:
    """The views the lesson's cells call, leaving out the cells marked
    ``%%needs F`` for a feature F that endpoint ``here`` lacks."""
    nb = nbformat.read(path, as_version=4)
    placed = set()
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        if c.source.startswith("%%needs") and here is not None and \
                here.missing(c.source.splitlines()[0].split()[1:]):
            continue
        placed |= set(re.findall(r"\bviz\.(\w+View)\(", c.source))
    return placed


@pytest.mark.notebooks
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_lesson_runs_against_an_outside_endpoint(path, moto_url, monkeypatch):
    """On moto's server every cell runs except those that look inside the
    lab, and every exercise is solved; and the lesson still draws its
    pictures there, every view it places outside the lab's own cells."""
    nb, here = run_on_endpoint(path, moto_url, monkeypatch)
    drawn = drawn_views(nb)
    assert drawn, f"{path.stem} drew no view on moto's server"
    assert {name for name, _ in drawn} == _placed(path, here), drawn


@pytest.mark.notebooks
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_lesson_draws_its_pictures_on_the_lab(path, monkeypatch):
    """Run on the lab (solved), every view the lesson places draws, and none
    of them draws an empty picture."""
    from nbclient import NotebookClient
    for k, v in _env().items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("DYNAMO_LAB_ENDPOINT", raising=False)
    nb = nbformat.read(path, as_version=4)
    wrong_then_solved(nb, _module(path))
    NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(LESSONS)}}).execute()
    drawn = drawn_views(nb)
    assert drawn, f"{path.stem} drew no view on the lab"
    assert {name for name, _ in drawn} >= _placed(path), drawn
    for name, text in drawn:
        assert not re.search(r"\b(no calls|nothing|0 calls|0 items)\b", text), text


@pytest.mark.parametrize("name", sorted(DDB_LESSONS.values()))
def test_module_examples(name):
    import doctest
    result = doctest.testmod(importlib.import_module(f"dynamo_lab.exercises.{name}"))
    assert result.attempted and not result.failed


# -- told right: the corrections of issue 9, checked in the lessons' text -----------
def _prose(path: Path, skip_source: bool = True) -> str:
    """The lesson's markdown, without its opening quote of the source."""
    cells = nbformat.read(path, as_version=4).cells
    return "\n".join(c.source for c in cells[1 if skip_source else 0:]
                     if c.cell_type == "markdown")


def _lesson(num: str) -> Path:
    return next(LESSONS.glob(f"{num}_*.ipynb"))


def test_key_names_are_partition_and_sort_key_and_the_decks_are_named_once():
    """DynamoDB's names from lesson 11 on; the deck's hash key / range key
    appear once, in lesson 11 (the source quotes at the top aside)."""
    decks = {}
    for path in PATHS:
        text = _prose(path)
        decks[path.stem] = len(re.findall(r"(?i)\b(hash|range)\s+key", text))
    assert decks.pop("11_tables_items_types") == 2   # "hash key" and "range key", once
    assert not any(decks.values()), decks
    assert "**partition key**" in _prose(_lesson("11"))


def test_lesson15_labels_the_partition_formula_as_the_decks_2015_model():
    text = _prose(_lesson("15"))
    assert "2015" in text and "no longer documents" in text
    for replaced in ("Adaptive capacity", "Split for heat", "On-demand mode"):
        assert replaced in text, replaced
    assert "3,000 RCU and 1,000 WCU" in text


def test_lesson15_q4_is_the_formula_and_catches_its_mistakes():
    from dynamo_lab.dynamodb.partitions.partitioning import GB, partitions_needed
    from dynamo_lab.exercises import lesson15 as m
    for size, rcu, wcu in m.Q4_CASES:   # the lesson's formula is the engine's
        assert m.deck_partitions(size, rcu, wcu) == \
            partitions_needed(rcu=rcu, wcu=wcu, size_bytes=int(size * GB)).count
    assert "rounds up once" in m.q4.evaluate(m.WRONG["q4"][1]).message
    assert "larger of the two" in m.q4.evaluate(m.WRONG["q4"][2]).message


def test_lesson13_cites_the_2022_atc_paper_for_leader_based_replication():
    text = _prose(_lesson("13"))
    assert "2022 USENIX ATC paper" in text and "Elhemali" in text
    assert "two-of-three acknowledgement" in text and "Multi-Paxos" in text


def test_lesson17_says_what_aws_promises_of_a_stream():
    text = _prose(_lesson("17"))
    for promise in ("exactly once", "in the same order", "ParentShardId", "24 hours"):
        assert promise in text, promise
    assert "does not promise one shard per partition" in text
    assert "one open shard per partition" not in text
    from dynamo_lab.exercises import lesson17 as m
    assert "partition" not in m.q2.prompt and "partition" not in " ".join(m.q2.hints)


def test_lesson18_mentions_parallelization_factor():
    text = _prose(_lesson("18"))
    assert "ParallelizationFactor" in text and "1 to 10" in text


def test_lesson19_redraws_one_chart_in_place():
    nb = nbformat.read(_lesson("19"), as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "display_id" not in code and "LiveResults" in code
    from dynamo_lab.exercises.lesson19 import LiveResults
    live = LiveResults(["one key"])
    widget = live.widget
    live.update({"Mars": 3, "Pluto": 5}, {"one key": {"Pluto": 4}}, "round 2")
    assert live.widget is widget and len(widget.data) == 2
    assert list(widget.data[1].y) == [0, 4] and widget.layout.title.text == "round 2"


# -- the closing summary ----------------------------------------------------------
SUMMARY = LESSONS / "summary_table1.ipynb"


def test_the_summary_rebuilds_table1_and_links_each_row():
    from dynamo_lab.exercises.summary import TABLE1
    assert [r.problem for r in TABLE1] == [
        "Partitioning", "High availability for writes", "Handling temporary failures",
        "Recovering from permanent failures", "Membership and failure detection"]
    text = _prose(SUMMARY, skip_source=False)
    for r in TABLE1:
        assert r.technique in text and r.advantage in text and r.dynamodb in text
        for lesson in r.lessons:
            assert (LESSONS / lesson).exists() and f"]({lesson})" in text, lesson
        for mod in r.modules:
            importlib.import_module(mod)
            rel = mod.replace(".", "/") + ".py"
            assert (ROOT / rel).exists() and f"](../{rel})" in text, mod
    last = nbformat.read(SUMMARY, as_version=4).cells[-1].source
    assert "end of the course" in last


@pytest.mark.notebooks
def test_the_summary_passes_nbval():
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--nbval-lax", "--nbval-current-env", str(SUMMARY)],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
