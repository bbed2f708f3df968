"""``dynamo-lab solutions``: lessons solved from their exercise modules, run,
and rendered as offline HTML that holds every exercise's "correct!" verdict.

Two lessons only (a Dynamo one with a plotly figure, a DynamoDB one with the
lab's views); the lessons test renders every lesson it runs solved through
:func:`dynamo_lab.kit.solutions.render_solved`.
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
        assert "Traceback" not in text
        # Offline: no CDN script but MathJax's (TeX shows as source offline),
        # no widget placeholder standing for a view.
        cdn = re.findall(r'<script[^>]+src="(https?://[^"]+)"', text)
        assert all("/mathjax/" in u for u in cdn), (path.name, cdn)
        assert "application/vnd.jupyter.widget-view+json" not in text
    one = (tmp_path / "01_always_on.html").read_text()
    assert 'id="dl-plot-' in one and "Plotly.newPlot" in one
    assert one.count("window.Plotly") >= 1 and len(one) > 3_000_000   # inline plotly.js
    fifteen = (tmp_path / "15_capacity_and_partitions.html").read_text()
    assert "<svg" in fifteen and 'class="dl-view' in fifteen          # static views


def test_unknown_lesson_number_is_one_clear_line(tmp_path):
    proc = _cli("solutions", str(tmp_path), "--only", "00,42")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("dynamo-lab solutions: no lesson numbered 42 in "
                                   "lessons; lessons are 00-20")
    assert not list(tmp_path.iterdir()), "nothing is written before the input is checked"


def test_solve_names_a_missing_answer_cell():
    nb = nbformat.read(LESSONS / "00_welcome.ipynb", as_version=4)
    mod = solutions.exercise_module(LESSONS / "00_welcome.ipynb")
    first = next(iter(mod.exercises))
    for c in nb.cells:
        c.source = c.source.replace(f"{first.var} = ____", f"{first.var} = 1")
    with pytest.raises(solutions.SolutionError, match=rf"00_welcome.ipynb: expected one "
                                                      rf"answer cell `{first.var} = ____`, found 0"):
        solutions.solve(nb, mod, "00_welcome.ipynb")


def test_render_solved_refuses_a_page_without_its_verdicts(tmp_path):
    mod = solutions.exercise_module(LESSONS / "00_welcome.ipynb")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# not run")])
    with pytest.raises(solutions.SolutionError, match="no 'correct!' verdict for q1, q2, q3"):
        solutions.render_solved(nb, mod, tmp_path / "x.html", title="00_welcome")
    assert not (tmp_path / "x.html").exists()
