"""The course's rules for every lesson (issue 9): exercises that make the
learner think, and one path from 00 to the closing summary.

- Every exercise declares its ``kind``; every lesson has an exercise in which
  the learner writes code; every hint ladder has two texts before the
  solution, and neither gives the solution's code away; at least one known
  wrong answer of each exercise gets a message about that mistake, not only
  the checker's generic words.
- Predict before reveal: for each predict-first exercise, no output above its
  answer cell shows the answer. The outputs are those of the solved run that
  ``test_lessons.py`` already makes (:func:`reveal_leaks` is called there),
  so the lessons are not executed once more for this.
- The chain: each lesson's last cell links to the next notebook of
  ``lessons/README.md``'s table; the final lesson points to the summary; each
  lesson ends with a recap of three to five takeaways and a line saying what
  the next lesson adds.

Everything here but :func:`reveal_leaks` reads files only: a few seconds.
"""
from __future__ import annotations

import html
import importlib
import re
from pathlib import Path

import nbformat
import pytest

from dynamo_lab.exercises.core import KINDS

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
INJECTED = "injected"   # the tag of the cells test_lessons.py adds to a lesson


def _module(path: Path):
    try:
        return importlib.import_module(f"dynamo_lab.exercises.lesson{path.name[:2]}")
    except ModuleNotFoundError:
        return None


WITH_EXERCISES = [p for p in NOTEBOOKS if _module(p) is not None]
PREDICT_FIRST = [(p.stem[:2], q.name) for p in WITH_EXERCISES for q in _module(p).exercises
                 if q.predict_first]


def _ids(paths):
    return [p.stem for p in paths]


# -- exercises ---------------------------------------------------------------------
@pytest.mark.parametrize("path", WITH_EXERCISES, ids=_ids(WITH_EXERCISES))
def test_every_exercise_declares_its_kind(path):
    for q in _module(path).exercises:
        assert q.kind in KINDS, f"{path.stem} {q.name}: kind={q.kind!r}, not one of {KINDS}"


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=_ids(WITH_EXERCISES))
def test_every_lesson_has_an_exercise_where_the_learner_writes_code(path):
    kinds = {q.name: q.kind for q in _module(path).exercises}
    assert "code" in kinds.values(), \
        f"{path.stem}: no exercise of kind 'code' (a function, a query, a configuration): {kinds}"


def _code_lines(solution: str) -> list[str]:
    """The solution's lines worth hiding: code, not comments or a bare value."""
    lines = []
    for raw in solution.splitlines():
        line = " ".join(raw.split("#", 1)[0].split())
        if len(line) >= 8:
            lines.append(line)
        m = re.match(r"^[A-Za-z_]\w*\s*=\s*(.+)$", line)
        if m and len(m.group(1)) >= 8:
            lines.append(m.group(1))   # the right-hand side alone gives it away too
    return lines


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=_ids(WITH_EXERCISES))
def test_hint_ladders_climb_from_the_idea_to_the_solution(path):
    for q in _module(path).exercises:
        assert len(q.hints) == 2, \
            f"{path.stem} {q.name}: {len(q.hints)} hint texts; the ladder is the idea, " \
            f"where to look, then the solution (shown by hint() itself)"
        assert q.solution_code, f"{path.stem} {q.name}: no solution, the ladder's last step"
        for n, hint in enumerate(q.hints, 1):
            flat = " ".join(hint.split())
            for line in _code_lines(q.solution_code):
                assert line not in flat, \
                    f"{path.stem} {q.name}: hint {n} gives the solution's code away: {line!r}"


_GENERIC = ("Expected a different", "; that is not it.", " is too high.", " is too low.",
            "is not the right", "should not be there", " missing.", "Expected a list of",
            "Expected a number", "Expected a dict", ", got a ", "could not check")


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=_ids(WITH_EXERCISES))
def test_each_exercise_names_a_known_mistake(path):
    """WRONG lists each exercise's known wrong answers; at least one of them is
    told what that mistake reveals, not only the checker's generic words."""
    mod = _module(path)
    for q in mod.exercises:
        wrong = mod.WRONG.get(q.name)
        assert wrong, f"{path.stem} {q.name}: no known wrong answers in WRONG"
        messages = [q.evaluate(w).message for w in wrong]
        assert all(m.startswith(f"{q.name}: not quite.") for m in messages), messages
        assert any(not any(g in m for g in _GENERIC) for m in messages), \
            f"{path.stem} {q.name}: every known mistake gets a generic message: {messages}"


@pytest.mark.parametrize("lesson,name", PREDICT_FIRST,
                         ids=[f"{a}-{b}" for a, b in PREDICT_FIRST])
def test_a_predict_first_answer_can_be_looked_for(lesson, name):
    """The reveal check (run inside the solved lessons) needs forms to look
    for; an exercise whose answer is too common a token says so, and is
    skipped here with its reason."""
    mod = importlib.import_module(f"dynamo_lab.exercises.lesson{lesson}")
    q = next(q for q in mod.exercises if q.name == name)
    if q.too_common:
        pytest.skip(f"lesson {lesson} {name}: {q.too_common}")
    forms = q.reveal_forms()
    assert forms and all(isinstance(f, str) and f.strip() for f in forms), forms


# -- predict before reveal ----------------------------------------------------------
def _plotly_texts(fig: dict) -> list[str]:
    out = []

    def walk(x, key=""):
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, k)
        elif isinstance(x, list):
            for v in x:
                walk(v, key)
        elif isinstance(x, str) and key in ("text", "name", "hovertext", "title"):
            out.append(x)
    walk(fig.get("layout", {}))
    walk(fig.get("data", []))
    return out


def shown_text(output) -> str:
    """What a learner reads in one output: a stream's text; an HTML output's
    text without its tags and scripts (else its ``text/plain``); a plotly
    chart's titles, names and labels."""
    if output.get("output_type") == "stream":
        return output.get("text", "")
    data = output.get("data", {})
    parts = []
    if "text/html" in data:
        h = data["text/html"]
        h = h if isinstance(h, str) else "".join(h)
        h = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", h)
        parts.append(html.unescape(re.sub(r"<[^>]+>", " ", h)))
    elif "text/plain" in data:
        parts.append(data["text/plain"])
    if "text/markdown" in data:
        parts.append(data["text/markdown"])
    fig = data.get("application/vnd.plotly.v1+json")
    if isinstance(fig, dict):
        parts.extend(_plotly_texts(fig))
    return "\n".join(parts)


def _shows(text: str, form: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(form)}(?![\w])", text) is not None


def reveal_leaks(nb, mod, answer_cell) -> list[str]:
    """For each predict-first exercise of ``mod`` (not ``too_common``), the
    outputs above its answer cell (``answer_cell(nb, var)``) that show one of
    its ``reveal_forms()``, cells tagged :data:`INJECTED` left out. Returns one
    line per leak; empty when the lesson asks before it shows."""
    leaks = []
    for q in mod.exercises:
        if not q.predict_first or q.too_common:
            continue
        forms = q.reveal_forms()
        stop = nb.cells.index(answer_cell(nb, q.var))
        for i, cell in enumerate(nb.cells[:stop]):
            if cell.cell_type != "code" or INJECTED in cell.metadata.get("tags", []):
                continue
            for o in cell.get("outputs", []):
                text = shown_text(o)
                hit = next((f for f in forms if _shows(text, f)), None)
                if hit is not None:
                    leaks.append(f"{q.name}: cell {i} shows {hit!r} before the answer is "
                                 f"asked for:\n  {cell.source[:160]!r}")
                    break
    return leaks


def test_the_reveal_check_finds_a_leak_and_passes_a_clean_lesson():
    """The check itself: an answer printed above its cell is found; printed
    below it, or only by an injected cell, it is not."""
    from dynamo_lab.exercises.core import Exercise, ExerciseSet, expect_number
    q = Exercise("q1", "?", var="q1_x", expected=1666.67, check=expect_number(),
                 kind="predict")
    mod = type("M", (), {"exercises": ExerciseSet("t", [q])})
    v4 = nbformat.v4

    def nb_with(*cells):
        return v4.new_notebook(cells=list(cells))

    def out(text):
        c = v4.new_code_cell("print(...)")
        c.outputs = [v4.new_output("stream", name="stdout", text=text)]
        return c

    def answer(nb, var):
        return next(c for c in nb.cells if c.source.startswith(var))

    leaky = nb_with(out("each partition: 1,666.67 RCU\n"), v4.new_code_cell("q1_x = ____"))
    assert len(reveal_leaks(leaky, mod, answer)) == 1
    later = nb_with(out("RCU 11666.675\n"), v4.new_code_cell("q1_x = ____"),
                    out("1666.67\n"))
    assert reveal_leaks(later, mod, answer) == []
    injected = out("1666.67\n")
    injected.metadata["tags"] = [INJECTED]
    assert reveal_leaks(nb_with(injected, v4.new_code_cell("q1_x = ____")), mod, answer) == []
    html_out = v4.new_code_cell("view")
    html_out.outputs = [v4.new_output("display_data", data={
        "text/html": '<svg><text x="1666.67">3 partitions</text></svg>'
                     '<script>var a = "1666.67"</script>', "text/plain": "<View>"})]
    assert reveal_leaks(nb_with(html_out, v4.new_code_cell("q1_x = ____")), mod, answer) == []


# -- one path -------------------------------------------------------------------------
def readme_order() -> list[str]:
    """The notebooks of ``lessons/README.md``'s table, in its order."""
    text = (LESSONS / "README.md").read_text()
    return re.findall(r"^\|\s*`([^`]+\.ipynb)`\s*\|", text, re.M)


def _links(source: str) -> list[str]:
    return [Path(t).name for t in re.findall(r"\]\(\s*(?:\./)?([^)\s#]+\.ipynb)", source)]


def test_the_readme_lists_every_lesson_and_then_the_summary():
    order = readme_order()
    assert [p.name for p in NOTEBOOKS] == sorted(n for n in order if n[:2].isdigit()), \
        "the README's table and lessons/ disagree"
    last = max(i for i, n in enumerate(order) if n[:2].isdigit())
    assert last + 1 < len(order), "no closing summary listed after the final lesson"
    summary = order[last + 1]
    assert (LESSONS / summary).exists(), f"{summary} is listed but missing"


CHAIN = list(zip(readme_order(), readme_order()[1:]))


@pytest.mark.parametrize("this,nxt", CHAIN, ids=[a[:2] for a, _ in CHAIN])
def test_each_lesson_ends_with_a_link_to_the_next(this, nxt):
    path = LESSONS / this
    if not path.exists():
        pytest.fail(f"{this} is in the README's table but not in lessons/")
    nb = nbformat.read(path, as_version=4)
    last = nb.cells[-1]
    assert last.cell_type == "markdown", f"{this}: the last cell is not the way on"
    links = _links(last.source)
    assert nxt in links, f"{this}: the last cell links to {links}, not to {nxt}"
    para = next(p for p in re.split(r"\n\s*\n", last.source) if nxt in p)
    words = re.sub(r"\[[^\]]*\]\([^)]*\)", " ", para)
    assert len(re.findall(r"[A-Za-z]{2,}", words)) >= 6, \
        f"{this}: the paragraph linking {nxt} does not say what it adds: {para!r}"


def recap_items(nb) -> list[str]:
    """The takeaways of the recap among the markdown cells after the last code
    cell: the list items under a heading (or bold line) saying "Recap"."""
    tail = []
    for cell in reversed(nb.cells):
        if cell.cell_type != "markdown":
            break
        tail.insert(0, cell.source)
    lines = "\n".join(tail).splitlines()
    start = next((i for i, ln in enumerate(lines)
                  if re.match(r"^\s*(#+|\*\*)\s*Recap", ln, re.I)), None)
    if start is None:
        return []
    items = []
    for ln in lines[start + 1:]:
        if re.match(r"^\s*([-*]|\d+\.)\s+\S", ln):
            items.append(ln.strip())
        elif items and ln.strip() and not ln.startswith((" ", "\t")):
            break
    return items


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_each_lesson_ends_with_a_recap(path):
    nb = nbformat.read(path, as_version=4)
    items = recap_items(nb)
    assert 3 <= len(items) <= 5, \
        f"{path.stem}: the recap after the last code cell has {len(items)} takeaways: {items}"


def test_the_final_lesson_closes_the_course():
    order = readme_order()
    final = max((n for n in order if n[:2].isdigit()))
    nb = nbformat.read(LESSONS / final, as_version=4)
    text = nb.cells[-1].source.lower()
    assert "course" in text, f"{final}: the last cell does not close the course"

