"""Rendered solutions: every lesson run with its exercises solved, as HTML.

The solutions come from the exercise modules (``dynamo_lab.exercises.lessonNN``):
each answer cell, the one line ``qN_x = ____``, is replaced by the exercise's
``solution_code``, the notebook is executed, and nbconvert writes it as one
self-contained HTML page. So a handout cannot drift from the checks: if a
solution stopped passing, the page would lack its "correct!" verdict and
:func:`build` would refuse to write it.

The pages work offline: plotly figures are drawn by one inline copy of
plotly.js (not the CDN the lessons' renderer links), and the lab's views show
their static SVG (the ``text/html`` every view carries beside its live
widget), since a handout has no kernel to drive a widget.

Examples
--------
>>> import nbformat, types
>>> from dynamo_lab.exercises.core import Exercise, expect_number
>>> q1 = Exercise("q1", "N?", var="q1_n", expected=3, check=expect_number(), solution="q1_n = 3")
>>> q2 = Exercise("q2", "W?", var="q2_w", expected=2, check=expect_number(), solution="q2_w = 2")
>>> lesson = types.SimpleNamespace(exercises=[q1, q2])
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("q1_n = ____  # N"),
...                                      nbformat.v4.new_code_cell("q2_w = ____")])
>>> [c.source for c in solve(nb, lesson).cells]
['q1_n = 3', 'q2_w = 2']
>>> missing_verdicts("<p>q1: correct!</p>", lesson)
['q2']
"""
from __future__ import annotations

import html
import importlib
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import LabError, UsageError
from ..text import plural

__all__ = ["SolutionError", "lesson_paths", "exercise_module", "solve", "execute",
           "to_html", "missing_verdicts", "render_solved", "build"]

_WIDGET = "application/vnd.jupyter.widget-view+json"
_PLOTLY = "application/vnd.plotly.v1+json"


class SolutionError(LabError, RuntimeError):
    """A lesson could not be solved, run or rendered; the message names it."""


def lesson_paths(lessons: str | os.PathLike, only: Iterable[str] | None = None) -> list[Path]:
    """The lesson notebooks ``NN_*.ipynb`` of ``lessons``, in order.

    ``only`` keeps the lessons whose two-digit number is listed (``["00", "11"]``;
    ``"7"`` means ``"07"``). A number with no lesson is an error that names it.

    Examples
    --------
    >>> [p.name for p in lesson_paths("lessons", only=["0"])]
    ['00_welcome.ipynb']
    >>> lesson_paths("lessons", only=["99"])
    Traceback (most recent call last):
    ...
    dynamo_lab.errors.UsageError: no lesson numbered 99 in lessons; lessons are 00-20
    """
    folder = Path(lessons)
    if not folder.is_dir():
        raise UsageError(f"no lessons folder at {folder}")
    paths = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise UsageError(f"no lesson notebooks (NN_name.ipynb) in {folder}")
    if only is None:
        return paths
    numbers = {p.name[:2] for p in paths}
    wanted = []
    for raw in only:
        n = str(raw).strip()
        if not n.isdigit():
            raise UsageError(f"lesson numbers are digits like 00 or 11, not {raw!r}")
        n = n.zfill(2)
        if n not in numbers:
            raise UsageError(f"no lesson numbered {n} in {folder}; lessons are "
                             f"{min(numbers)}-{max(numbers)}")
        wanted.append(n)
    return [p for p in paths if p.name[:2] in wanted]


def exercise_module(path: str | os.PathLike) -> ModuleType | None:
    """The exercise module of a lesson (``lesson02`` for ``02_...``), or None.

    >>> exercise_module("lessons/00_welcome.ipynb").__name__
    'dynamo_lab.exercises.lesson00'
    """
    name = f"dynamo_lab.exercises.lesson{Path(path).name[:2]}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        return None


def _answer_cell(nb: Any, var: str, where: str) -> Any:
    pat = re.compile(rf"^{re.escape(var)}\s*=\s*____", re.M)
    hits = [c for c in nb.cells if c.cell_type == "code" and pat.search(c.source)]
    if len(hits) != 1:
        raise SolutionError(f"{where}: expected one answer cell `{var} = ____`, "
                            f"found {len(hits)}")
    return hits[0]


def solve(nb: Any, mod: ModuleType, where: str = "lesson") -> Any:
    """Replace each answer cell of ``nb`` by its exercise's solution code.

    Changes ``nb`` in place and returns it. O(cells x exercises).
    """
    for q in mod.exercises:
        _answer_cell(nb, q.var, where).source = q.solution_code
    return nb


def execute(nb: Any, cwd: str | os.PathLike, timeout: int = 300, where: str = "lesson") -> Any:
    """Run every cell of ``nb`` in a fresh python3 kernel started in ``cwd``."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                       resources={"metadata": {"path": str(cwd)}}).execute()
    except CellExecutionError as e:
        raise SolutionError(f"{where}: a cell failed when run solved:\n{e}") from None
    return nb


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs
    return get_plotlyjs()


def _offline_outputs(nb: Any) -> int:
    """Make each output drawable without a kernel or a network; returns the
    number of plotly figures."""
    import plotly.io as pio
    figures = 0
    for ci, cell in enumerate(nb.cells):
        for oi, out in enumerate(cell.get("outputs", [])):
            data = out.get("data")
            if not data:
                continue
            if _PLOTLY in data:
                figures += 1
                fig = data[_PLOTLY]
                # A deterministic div id: the same lesson gives the same page.
                data["text/html"] = pio.to_html(fig, include_plotlyjs=False, full_html=False,
                                                div_id=f"dl-plot-{ci}-{oi}", validate=False)
                data.pop("application/javascript", None)
            if _WIDGET in data:
                # A handout has no kernel: the view's static SVG (text/html) or
                # its text stands in for the live widget.
                del data[_WIDGET]
    if "widgets" in nb.metadata:
        del nb.metadata["widgets"]
    return figures


def to_html(nb: Any, title: str = "") -> str:
    """One self-contained HTML page of an executed notebook.

    Plotly figures get one inline plotly.js in the page's head (no CDN);
    widget outputs show their static fallback. Changes ``nb``'s outputs.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Hi")])
    >>> page = to_html(nb, title="Hi")
    >>> "<title>Hi</title>" in page, "cdn.plot.ly" in page
    (True, False)
    """
    from nbconvert import HTMLExporter
    figures = _offline_outputs(nb)
    exporter = HTMLExporter(template_name="lab")
    page, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or "lesson"}})
    # require.js (from a CDN) is only for widget and AMD outputs, which a
    # handout no longer has; loaded, it would capture the inline plotly.js
    # as an AMD module instead of ``window.Plotly``.
    page = page.replace(f'<script src="{exporter.require_js_url}"></script>', "", 1)
    if figures:
        script = f'<script type="text/javascript">{_plotly_js()}</script>\n'
        page = page.replace("</head>", script + "</head>", 1)
    return page


def missing_verdicts(page: str, mod: ModuleType) -> list[str]:
    """The exercises of ``mod`` whose "correct!" verdict is not in ``page``."""
    return [q.name for q in mod.exercises
            if html.escape(f"{q.name}: correct!") not in page
            and f"{q.name}: correct!" not in page]


def render_solved(nb: Any, mod: ModuleType | None, out: str | os.PathLike | None = None,
                  title: str = "") -> str:
    """Render a notebook already executed with its exercises solved, check that
    every exercise says "correct!", and write the page to ``out`` if given.

    The lessons test calls this on the notebook it has just run solved, so the
    handout is checked on every lesson without running the lessons again.
    Raises :class:`SolutionError` naming the exercises without a verdict.
    """
    page = to_html(nb, title=title)
    if mod is not None:
        missing = missing_verdicts(page, mod)
        if missing:
            raise SolutionError(f"{title or 'lesson'}: no 'correct!' verdict for "
                                f"{', '.join(missing)} in the rendered page")
    if out is not None:
        Path(out).write_text(page, encoding="utf-8")
    return page


def _index(pages: Sequence[tuple[str, str, int]]) -> str:
    rows = "\n".join(f'<li><a href="{html.escape(f)}">{html.escape(t)}</a> '
                     f'({n} exercise{"s" if n != 1 else ""} solved)</li>' for f, t, n in pages)
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            "<title>dynamo_lab: solutions</title></head>\n<body>\n"
            "<h1>dynamo_lab: the lessons, solved</h1>\n"
            f"<ul>\n{rows}\n</ul>\n</body></html>\n")


def build(outdir: str | os.PathLike, lessons: str | os.PathLike = "lessons",
          only: Iterable[str] | None = None, timeout: int = 300,
          log: Any = None) -> list[Path]:
    """Write ``NN_name.html`` for each lesson, solved and run, and ``index.html``.

    Parameters
    ----------
    outdir : path
        Created if missing; existing pages of the same names are replaced.
    lessons : path
        The folder of lesson notebooks (kernels start there).
    only : iterable of str, optional
        Lesson numbers to build (``["00", "11"]``); all when None.
    timeout : int
        Seconds allowed per cell.
    log : callable, optional
        Called with one line of progress per lesson (``print`` for the command).

    Returns
    -------
    list of Path
        The lesson pages written, in lesson order (``index.html`` is not listed).
    """
    import nbformat
    paths = lesson_paths(lessons, only)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written, rows = [], []
    for path in paths:
        where = path.name
        nb = nbformat.read(path, as_version=4)
        mod = exercise_module(path)
        if mod is not None:
            solve(nb, mod, where)
        execute(nb, path.parent, timeout, where)
        target = out / f"{path.stem}.html"
        render_solved(nb, mod, target, title=path.stem)
        n = len(list(mod.exercises)) if mod is not None else 0
        written.append(target)
        rows.append((target.name, path.stem, n))
        if log is not None:
            log(f"{target}  ({plural(n, 'exercise')} solved)")
    index = out / "index.html"
    existing = {r[0] for r in rows}
    for old in sorted(out.glob("[0-9][0-9]_*.html")):
        if old.name not in existing:   # pages of an earlier, larger build stay listed
            rows.append((old.name, old.stem, _count(old)))
    rows.sort()
    index.write_text(_index(rows), encoding="utf-8")
    return written


def _count(page: Path) -> int:
    return len(set(re.findall(r"\b(q\d+): correct!", page.read_text(encoding="utf-8"))))

