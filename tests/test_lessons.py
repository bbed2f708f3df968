"""The lesson notebooks: clean as committed, checked by nbval, and their
exercises judged right when solved and wrong when answered wrongly.

Every lesson in ``lessons/`` runs twice:

1. as committed, under ``pytest --nbval-lax --nbval-current-env`` in a
   subprocess (cells tagged ``nbval-check-output`` must match their saved
   output, which includes the friendly "not attempted yet" of an exercise);
2. with nbclient, answered: before each answer cell (``qN_x = ____``) a known
   wrong answer (``WRONG`` of the lesson's exercise module) and a check, which
   must say "not quite" and leave the exercise "incorrect"; the answer cell
   itself replaced by the exercise's solution code, after which the lesson's
   own check cells must say "correct!" and every exercise end "correct".

No cell of any run may write to stderr. The answered run's outputs are
also where the predict-before-reveal rule is checked (test_lessons_pedagogy).
"""
from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from test_lessons_pedagogy import INJECTED, reveal_leaks

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
CHECK = "nbval-check-output"   # nbval reads this cell tag

pytestmark = pytest.mark.notebooks


def _ids(paths):
    return [p.stem for p in paths]


def _env() -> dict:
    # The kernels must import this checkout, whatever is installed.
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        DYNAMO_LAB_STRICT_EVENTS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")


def _exercises(path: Path):
    """The exercise module of a lesson (``lesson02`` for ``02_...``), or None."""
    try:
        return importlib.import_module(f"dynamo_lab.exercises.lesson{path.name[:2]}")
    except ModuleNotFoundError:
        return None


def test_there_are_lessons():
    names = [p.name for p in NOTEBOOKS]
    for want in ("00_welcome.ipynb", "02_consistent_hashing.ipynb",
                 "09_partitioning_strategies.ipynb"):
        assert want in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_committed_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert "widgets" not in nb.metadata, "widget state is saved in the notebook"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "Source" in first.source, \
        "a lesson opens with the source section it teaches"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "viz.setup()" in code[0].source, "the setup cell sets the plotly renderer"
    for c in code:
        checked = CHECK in c.metadata.get("tags", [])
        assert "NBVAL" not in c.source, "nbval markers are cell tags, not comments"
        if not checked:
            assert not c.outputs, f"outputs saved in an unchecked cell:\n{c.source[:200]}"
            continue
        assert c.outputs, f"a checked cell has no reference output:\n{c.source[:200]}"
        for o in c.outputs:
            assert o.output_type != "error"
            assert not (o.output_type == "stream" and o.name == "stderr"), c.source[:200]
            data = o.get("data", {})
            assert "application/vnd.jupyter.widget-view+json" not in data
            text = json.dumps(o)
            assert not re.search(r"0x[0-9a-f]{6,}", text), "a memory address in checked output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_nbval(path):
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=180", str(path)]
    proc = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, f"nbval failed on {path.name}:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}"


def wrong_then_solved(nb, mod) -> dict:
    """Answer every exercise of ``mod`` in ``nb``: before each answer cell a
    known wrong answer and a probe cell that checks it; the answer cell gets
    the solution. Returns the probe cells by exercise name."""
    probes = {}
    for q in mod.exercises:
        cell = _answer_cell(nb, q.var)
        cell.source = q.solution_code
        tags = {"tags": [INJECTED]}   # not lesson cells: the reveal check skips them
        wrong = nbformat.v4.new_code_cell(f"{q.var} = {mod.WRONG[q.name][0]!r}",
                                          metadata=tags)
        probe = nbformat.v4.new_code_cell(
            f"ex.{q.name}.check()\nprint('WRONG', ex.{q.name}.status)", metadata=dict(tags))
        i = nb.cells.index(cell)
        nb.cells[i:i] = [wrong, probe]
        probes[q.name] = probe
    return probes


def _answer_cell(nb, var: str):
    pat = re.compile(rf"^{re.escape(var)}\s*=\s*____", re.M)
    hits = [c for c in nb.cells if c.cell_type == "code" and pat.search(c.source)]
    assert len(hits) == 1, f"expected one answer cell `{var} = ____`, found {len(hits)}"
    return hits[0]


def _answer_cell_of_solution(mod):
    """Finds an answer cell after wrong_then_solved put the solution in it."""
    def find(nb, var):
        q = next(q for q in mod.exercises if q.var == var)
        return next(c for c in nb.cells if c.cell_type == "code"
                    and c.source == q.solution_code)
    return find


def _run(nb, monkeypatch):
    from nbclient import NotebookClient
    for k, v in _env().items():
        monkeypatch.setenv(k, v)
    NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(LESSONS)}}).execute()
    for c in nb.cells:
        # A kernel may flush one print() in pieces (a GC pause between its
        # writes); join consecutive stream outputs so that texts compare whole.
        merged = []
        for o in c.get("outputs", []):
            if merged and o.output_type == "stream" == merged[-1].output_type \
                    and o.name == merged[-1].name:
                merged[-1].text += o.text
            else:
                merged.append(o)
        if c.cell_type == "code":
            c.outputs = merged
        for o in c.get("outputs", []):
            assert not (o.output_type == "stream" and o.name == "stderr"), \
                f"stderr in cell:\n{c.source[:300]}\n---\n{o.text[:1000]}"
    out = nb.cells[-1].outputs
    line = next(o.text for o in out if o.output_type == "stream" and "STATUS" in o.text)
    return json.loads(line.split("STATUS", 1)[1])


def _texts(cell) -> list[str]:
    return [o.get("text") or o.get("data", {}).get("text/plain", "") for o in cell.outputs]


WITH_EXERCISES = [p for p in NOTEBOOKS if _exercises(p) is not None]


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=_ids(WITH_EXERCISES))
def test_exercises_wrong_then_solved(path, monkeypatch):
    """One run per lesson: before each answer cell, a known wrong answer and a
    check (which must say "not quite"); the answer cell itself gets the
    solution, and the lesson's own check cell must then say "correct!"."""
    nb = nbformat.read(path, as_version=4)
    mod = _exercises(path)
    probes = wrong_then_solved(nb, mod)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json\nprint('STATUS', json.dumps({q.name: q.status for q in ex.exercises}))"))
    status = _run(nb, monkeypatch)
    assert status == {q.name: "correct" for q in mod.exercises}
    # Predict before reveal, on this same run's outputs (issue 9).
    leaks = reveal_leaks(nb, mod, _answer_cell_of_solution(mod))
    assert not leaks, "an answer is on screen before it is asked for:\n" + "\n".join(leaks)
    for q in mod.exercises:
        texts = _texts(probes[q.name])
        assert any(t.startswith(f"{q.name}: not quite.") for t in texts), texts
        assert "WRONG incorrect\n" in texts, texts
        assert not any("Traceback" in t for t in texts)
        checks = [c for c in nb.cells if c.cell_type == "code"
                  and c.source.strip().endswith(f"ex.{q.name}.check()")]
        assert checks and all(any(t.startswith(f"{q.name}: correct!") for t in _texts(c))
                              for c in checks), [_texts(c) for c in checks]
    # The handout page (dynamo-lab solutions) of this same solved run: it
    # raises unless every exercise's "correct!" is on the rendered page.
    from dynamo_lab.kit.solutions import render_solved
    render_solved(nb, mod, title=path.stem)


def test_setup_cell_is_quick_and_offline():
    """A lesson's setup cell imports neither plotly nor the IRI grammar that
    plotly's import would compile (rfc3987_syntax, via nbformat and
    jsonschema); jsonschema's IRI checks still work when asked; and a chart's
    HTML embeds plotly.js instead of fetching it from a CDN."""
    code = """
import sys
from dynamo_lab import viz
viz.setup()
loaded = lambda: sorted(m for m in ("plotly.io", "rfc3987_syntax.syntax_helpers")
                        if m in sys.modules)
print("after setup:", loaded())
import plotly.io as pio, plotly.graph_objects as go, nbformat, jsonschema
print("renderer:", pio.renderers.default)
print("after plotly:", loaded())
fc = jsonschema.FormatChecker()
print("iri:", fc.conforms("http://example.com/a", "iri"), fc.conforms("no scheme", "iri"))
import contextlib, io, re
shown = io.StringIO()   # outside a kernel, the first chart's plotly.js is printed
with contextlib.redirect_stdout(shown):
    html = pio.renderers._build_mime_bundle(go.Figure().to_dict(),
                                            renderers_string=pio.renderers.default)
    pio.renderers._activate_pending_renderers()
text = shown.getvalue() + str(html)
print("network scripts:", re.findall(r'(?:import|src=)\\s*["\\x27]https?://[^"\\x27]*', text))
print("plotly.js embedded:", "plotly.js v" in text)
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "after setup: []" in lines
    assert "renderer: plotly_mimetype+dynamo_lab_notebook" in lines
    assert "after plotly: ['plotly.io']" in lines
    assert "iri: True False" in lines
    assert "network scripts: []" in lines, "a chart's HTML loads a script from the network"
    assert "plotly.js embedded: True" in lines, "plotly.js is embedded once, with the first chart"
