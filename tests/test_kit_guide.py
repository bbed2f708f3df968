"""The instructor's guide: its generated parts are current, its paths add up,
every lesson has a measured time, and the command checks and writes."""
from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from dynamo_lab.cli import main
from dynamo_lab.errors import UsageError
from dynamo_lab.exercises import lesson04
from dynamo_lab.kit import guide, timing

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
GUIDE = LESSONS / "INSTRUCTOR.md"
KEYS = [timing.lesson_key(p) for p in timing.lesson_paths(LESSONS)]


def test_committed_guide_is_current():
    # Regenerates every block, the wrong answers' messages included.
    assert guide.stale(GUIDE) == [], "run `dynamo-lab guide` and commit lessons/INSTRUCTOR.md"


def test_every_lesson_has_a_measured_time_and_a_section():
    assert sorted(timing.MEASURED) == sorted(KEYS)
    assert all(0 < s < 600 for s in timing.MEASURED.values())
    assert all(timing.MACHINE.values()) and "cores" in timing.MACHINE["machine"]
    text = GUIDE.read_text()
    for key in KEYS:
        assert f"<!-- guide:begin lesson:{key} -->" in text
        assert f"*Run All {timing.MEASURED[key]:.1f} s (measured)" in text
    total = sum(timing.MEASURED.values())
    assert f"| **{total:.0f}** |" in text
    # The lessons' README shows the same two figures per lesson (kept by
    # `dynamo-lab guide`; test_committed_guide_is_current compares them).
    table = (LESSONS / "README.md").read_text()
    assert "| " + " | ".join(guide.README_COLUMNS) + " |" in table
    for p in timing.lesson_paths(LESSONS):
        key = timing.lesson_key(p)
        row = next(line for line in table.splitlines() if line.startswith(f"| `{p.name}` |"))
        assert row.endswith(f"| {timing.MEASURED[key]:.1f} | {guide.estimate(key, LESSONS)} |")


def test_paths_add_up_and_name_what_they_skip():
    assert [p.minutes for p in guide.PATHS] == [90, 180, 420]
    text = guide.block("paths", LESSONS)
    for path in guide.PATHS:
        assert sum(s.minutes for s in path.steps) == path.minutes
        used = {s.lesson for s in path.steps if s.lesson}
        skipped = {k.strip() for left, _ in path.skipped for k in left.split(",")}
        assert set(KEYS) == used | skipped and not used & skipped, path.name
        # The rendered timetable ends at the path's length.
        end = f"| **{path.minutes // 60}:{path.minutes % 60:02d}** | **{path.minutes}** |"
        assert end in text
    # Each row's start is the sum of the minutes before it.
    for table in text.split("### ")[1:]:
        rows = re.findall(r"^\| \**(\d+):(\d\d)\** \| \**(\d+)\** \|", table, re.M)
        at = 0
        for h, m, minutes in rows:
            assert int(h) * 60 + int(m) == at
            at += int(minutes)


def test_a_path_that_does_not_add_up_or_drops_a_lesson_is_refused(monkeypatch):
    taster = guide.PATHS[0]
    longer = replace(taster, steps=taster.steps + (guide.Step(None, (), 5, "break"),))
    monkeypatch.setattr(guide, "PATHS", (longer,))
    with pytest.raises(UsageError, match="add up to 95 min, not 90"):
        guide.block("paths", LESSONS)
    forgets = replace(taster, skipped=taster.skipped[1:])
    monkeypatch.setattr(guide, "PATHS", (forgets,))
    with pytest.raises(UsageError, match="lesson 00 is neither in the path nor said"):
        guide.block("paths", LESSONS)
    bad_section = replace(taster, steps=(guide.Step("02", (9,), 90, "demo"),),
                          skipped=((", ".join(k for k in KEYS if k != "02"), "all"),))
    monkeypatch.setattr(guide, "PATHS", (bad_section,))
    with pytest.raises(UsageError, match="lesson 02 has no section 9"):
        guide.block("paths", LESSONS)
    # A note that promises an exercise the step's sections do not hold.
    wrong_q = replace(bad_section, steps=(guide.Step("02", (1,), 90, "demo", "q3 together"),))
    monkeypatch.setattr(guide, "PATHS", (wrong_q,))
    with pytest.raises(UsageError, match="names q3, which is asked outside its sections"):
        guide.block("paths", LESSONS)


def test_wrong_answers_come_from_the_exercise_module(monkeypatch):
    block = guide.block("lesson:04", LESSONS)
    for q in lesson04.exercises:
        assert f"| {q.name} | {q.kind} | §" in block
        for wrong in lesson04.WRONG[q.name]:
            message = q.evaluate(wrong).message.split(" not quite. ", 1)[1]
            assert " ".join(message.split()).replace("|", "\\|") in block
    # A new known mistake shows up in the regenerated block.
    monkeypatch.setitem(lesson04.WRONG, "q2", [{"Sx": 9}])
    assert "`{'Sx': 9}`" in guide.block("lesson:04", LESSONS)


def test_sets_in_answers_are_written_in_one_order():
    assert guide._fmt({"by n11", "by n01"}) == "{'by n01', 'by n11'}"
    assert guide._fmt([frozenset({3, 1}), (2,)]) == "[{1, 3}, (2,)]"
    assert guide._fmt([lambda walk, n: sorted(set(walk))[:n]]) \
        == "[lambda walk, n: sorted(set(walk))[:n]]"

    def q1_relation(a, b):
        return "sibling"
    assert guide._fmt(q1_relation) == "def q1_relation(a, b): ..."


def test_cost_block_prices_each_paths_lessons():
    from dynamo_lab.kit.capacity_bill import price
    text = guide.block("cost", LESSONS)
    for path in guide.PATHS:
        used = sorted({s.lesson for s in path.steps if s.lesson in guide.BILLS})
        row = next(line for line in text.splitlines() if line.startswith(f"| {path.name} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == ", ".join(used)
        one = price(guide._bill(used), hours=1)["total"]
        assert float(cells[3].lstrip("$")) == pytest.approx(one, abs=0.005)
        assert float(cells[4].lstrip("$")) >= float(cells[3].lstrip("$")) > 0
    assert "| The full day |" in text and "lesson 16" in text


def test_command_checks_and_writes(tmp_path, monkeypatch, capsys):
    # The lesson blocks are the slow part and are checked above; here the
    # command's wiring: --check finds a stale block, a write fixes it.
    monkeypatch.setattr(guide, "_lesson_block", lambda key, lessons: f"lesson {key}\n")
    for p in timing.lesson_paths(LESSONS):
        shutil.copy(p, tmp_path / p.name)
    copy = tmp_path / "INSTRUCTOR.md"
    copy.write_text(GUIDE.read_text())
    assert main(["guide", "--file", str(copy), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["guide", "--file", str(copy)]) == 0
    assert main(["guide", "--file", str(copy), "--check"]) == 0
    assert "<!-- guide:begin lesson:07 -->\nlesson 07\n" in copy.read_text()
    assert main(["guide", "--file", str(tmp_path / "nope.md")]) == 2
    assert "no guide at" in capsys.readouterr().err


def test_a_guide_missing_a_block_is_named():
    with pytest.raises(UsageError, match="lacks the block 'paths'"):
        guide.render("<!-- guide:begin times -->\n<!-- guide:end times -->\n", LESSONS)


def test_links_lead_to_files_and_every_lesson_has_its_heading():
    text = GUIDE.read_text()
    links = re.findall(r"\]\(([^)#]+)\)", text)
    assert links and all((LESSONS / link).resolve().is_file() for link in links), \
        [link for link in links if not (LESSONS / link).resolve().is_file()]
    for p in timing.lesson_paths(LESSONS):
        assert f"]({p.name})" in text, p.name
    for page in ("before-the-day", "jupyterhub", "room-server", "demos", "solutions"):
        assert f"(../docs/instructor/{page}.md)" in text


def test_bills_are_the_ones_measured_on_the_before_the_day_page():
    # BILLS is transcribed from that page's measured table; a re-measure there
    # must reach the guide's cost too.
    page = (ROOT / "docs" / "instructor" / "before-the-day.md").read_text()
    rows = dict(re.findall(r"^\| (\d\d) \| (.+) \|$", page, re.M))
    assert sorted(rows) == sorted(guide.BILLS)
    for key, (reads, writes, streams, tables) in guide.BILLS.items():
        cells = [c.strip() for c in rows[key].split("|")]
        assert [float(cells[0]), float(cells[1]), int(cells[2])] == [reads, writes, streams]
        on_page = re.findall(r"(\w+) (\d+) / (\d+)", cells[4])
        assert tables == {t: (int(r), int(w)) for t, r, w in on_page}, key


def _lesson_prose():
    """Each lesson's hand-written part of the guide: {key: text}."""
    text = GUIDE.read_text().split("## The lessons", 1)[1]
    out = {}
    for part in re.split(r"^### ", text, flags=re.M)[1:]:
        m = re.match(r"\[(\d\d|Summary) · [^\]]+\]\(([^)]+)\)", part)
        assert m, part[:60]
        key = "summary" if m.group(1) == "Summary" else m.group(1)
        out[key] = part.split("<!-- guide:begin", 1)[0]
    return out


def test_each_lesson_has_objectives_a_projector_plan_and_prompts():
    prose = _lesson_prose()
    assert sorted(prose) == sorted(KEYS)
    for key, part in prose.items():
        objectives = part.split("Learners will be able to say:", 1)[1].split("**On the")[0]
        assert len(re.findall(r"^- I can ", objectives, re.M)) >= 2, key
        assert "**On the projector:**" in part and "**Hands-on:**" in part, key
        prompts = part.split("**Discuss:**", 1)[1]
        assert 2 <= len(re.findall(r"^- .+\?$", prompts, re.M)) <= 3, key


def test_sections_and_exercises_the_prose_names_exist_in_the_lesson():
    # Renumbering a lesson's sections or exercises shows here, not in a room.
    for key, part in _lesson_prose().items():
        path = next(p for p in timing.lesson_paths(LESSONS) if timing.lesson_key(p) == key)
        secs = guide.sections(path)
        for a, b in re.findall(r"§(\d+)(?:-(\d+))?", part):
            for n in range(int(a), int(b or a) + 1):
                assert n in secs, f"lesson {key}: the guide names §{n}; it has {sorted(secs)}"
        asked = guide.exercise_sections(path)
        for a, b in re.findall(r"\bq(\d+)(?:-q(\d+))?\b", part):
            for n in range(int(a), int(b or a) + 1):
                assert f"q{n}" in asked, f"lesson {key}: the guide names q{n}"


def test_readme_columns_are_filled_from_the_measurements():
    table = ("| notebook | what you do | Run All (s) | reading + exercises (min) |\n"
             "|---|---|---:|---:|\n"
             "| `04_vector_clocks.ipynb` | replay Figure 3 \\| clocks | ? | ? |\n"
             "| `summary_table1.ipynb` | closes the course | 9 | 9 |\n")
    out = guide.readme(table, LESSONS).splitlines()
    assert out[2] == (f"| `04_vector_clocks.ipynb` | replay Figure 3 \\| clocks | "
                      f"{timing.MEASURED['04']:.1f} | {guide.estimate('04', LESSONS)} |")
    assert out[3].endswith(f"| {timing.MEASURED['summary']:.1f} | "
                           f"{guide.estimate('summary', LESSONS)} |")
    plain = "| notebook | what you do |\n|---|---|\n| `04_vector_clocks.ipynb` | x |\n"
    assert guide.readme(plain, LESSONS) == plain
