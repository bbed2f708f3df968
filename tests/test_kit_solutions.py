"""``dynamo-lab solutions``: lessons solved from their exercise modules, run,
and rendered as offline HTML that holds every exercise's "correct!" verdict.

Two lessons only (a Dynamo one and a DynamoDB one); the lessons test renders
every lesson it runs solved through :func:`dynamo_lab.kit.solutions.render_solved`.
What the pages do with plotly figures and live views is checked on a
notebook made in the test, so no lesson's cells are relied on.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from dynamo_lab.kit import solutions

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        PYDEVD_DISABLE_FILE_VALIDATION="1")


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dynamo_lab.cli", *args], cwd=cwd,
                          env=_env(), capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.notebooks
def test_command_renders_two_lessons_solved(tmp_path):
    proc = _cli("solutions", str(tmp_path), "--only", "01,15")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    pages = sorted(p.name for p in tmp_path.glob("*.html"))
    assert pages == ["01_always_on.html", "15_capacity_and_partitions.html", "index.html"]
    index = (tmp_path / "index.html").read_text()
    for name in pages[:2]:
        assert f'href="{name}"' in index
    for path in LESSONS.glob("[0-9][0-9]_*.ipynb"):
        page = tmp_path / f"{path.stem}.html"
        if not page.exists():
            continue
        text = page.read_text()
        mod = solutions.exercise_module(path)
        assert list(mod.exercises), path.name
        assert solutions.missing_verdicts(text, mod) == [], path.name
        assert "not attempted yet" not in text and "not quite" not in text
        # Offline: no CDN script but MathJax's (TeX shows as source offline),
        # no widget placeholder standing for a view.
        cdn = re.findall(r'<script[^>]+src="(https?://[^"]+)"', text)
        assert all("/mathjax/" in u for u in cdn), (path.name, cdn)
        assert "application/vnd.jupyter.widget-view+json" not in text
        if "Plotly.newPlot" in text:      # a figure: drawn by the page's own plotly.js
            assert "window.Plotly" in text and len(text) > 3_000_000, path.name


def test_pages_draw_offline_plotly_and_static_views():
    """What the exporter does with a plotly figure and a live view's output,
    on a notebook made here (so no lesson's cells are relied on)."""
    import plotly.graph_objects as go
    fig = go.Figure(go.Bar(x=["A", "B"], y=[3, 5]))
    plot = nbformat.v4.new_output("display_data", data={
        "application/vnd.plotly.v1+json": fig.to_plotly_json(),
        "text/html": '<script src="https://cdn.plot.ly/plotly-3.0.1.min.js"></script>',
        "text/plain": "Figure"})
    view = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2,
                                                     "version_minor": 1},
        "text/html": '<div class="dl-view dl-ring"><svg class="dl-svg"></svg></div>',
        "text/plain": "<RingView 5 nodes, 40 tokens>"})
    cell = nbformat.v4.new_code_cell("fig; view", outputs=[plot, view])
    page = solutions.to_html(nbformat.v4.new_notebook(cells=[cell]), title="t")
    assert 'id="dl-plot-0-0"' in page and "Plotly.newPlot" in page
    assert "cdn.plot.ly/plotly-3.0.1" not in page and len(page) > 3_000_000
    assert not re.search(r'<script[^>]+src="https?://[^"]*(plot\.ly|require)', page)
    assert '<div class="dl-view dl-ring"><svg class="dl-svg"></svg></div>' in page
    assert "widget-view+json" not in page and 'model_id' not in page


def test_unknown_lesson_number_is_one_clear_line(tmp_path, capsys, monkeypatch):
    from dynamo_lab.cli import main
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    assert main(["solutions", str(out), "--only", "00,42"]) == 2
    assert capsys.readouterr().err.strip() == ("dynamo-lab solutions: no lesson numbered 42 "
                                               "in lessons; lessons are 00-20")
    assert not out.exists(), "nothing is written before the input is checked"
    assert main(["solutions", str(out), "--only", "0x"]) == 2
    assert "lesson numbers are digits like 00 or 11, not '0x'" in capsys.readouterr().err


def test_solve_names_a_missing_answer_cell():
    nb = nbformat.read(LESSONS / "00_welcome.ipynb", as_version=4)
    mod = solutions.exercise_module(LESSONS / "00_welcome.ipynb")
    first = next(iter(mod.exercises))
    for c in nb.cells:
        c.source = c.source.replace(f"{first.var} = ____", f"{first.var} = 1")
    want = rf"00_welcome.ipynb: expected one answer cell `{first.var} = ____`, found 0"
    with pytest.raises(solutions.SolutionError, match=want):
        solutions.solve(nb, mod, "00_welcome.ipynb")


def test_render_solved_refuses_a_page_without_its_verdicts(tmp_path):
    mod = solutions.exercise_module(LESSONS / "00_welcome.ipynb")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# not run")])
    names = ", ".join(q.name for q in mod.exercises)
    with pytest.raises(solutions.SolutionError, match=f"no 'correct!' verdict for {names}"):
        solutions.render_solved(nb, mod, tmp_path / "x.html", title="00_welcome")
    assert not (tmp_path / "x.html").exists()
