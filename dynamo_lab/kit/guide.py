"""The instructor's guide, ``lessons/INSTRUCTOR.md``: the parts that come from code.

The guide is hand-written prose (objectives, what to demo, discussion
prompts) around blocks that this module generates, so they cannot drift from
the lessons:

- ``times``: every lesson's measured Run All (:data:`~dynamo_lab.kit.timing.MEASURED`)
  and an estimate of its reading and exercise time, from the notebook's words,
  code cells and exercise kinds (:func:`estimate`);
- ``paths``: the 90-minute taster, the 3-hour workshop and the full day
  (:data:`PATHS`), each a list of lessons and sections, titled from the
  notebooks' own headings, whose minutes add up to the path's length;
- ``cost``: what the 3-hour path's DynamoDB lessons cost on AWS, priced by
  :func:`dynamo_lab.kit.capacity_bill.price` from the measured bills;
- ``lesson:NN``: per lesson, its times, its exercises with their kinds, and
  the common wrong answers (each exercise module's ``WRONG``) with the message
  each one gets from ``q.evaluate(wrong)``.

A block sits between ``<!-- guide:begin NAME -->`` and ``<!-- guide:end NAME -->``.
:func:`render` fills them; :func:`stale` names those out of date, which
``dynamo-lab guide --check`` reports.

Examples
--------
>>> sections(LESSONS / "04_vector_clocks.ipynb")[2]
'Ancestor or sibling'
>>> sum(step.minutes for step in PATHS[0].steps) == PATHS[0].minutes == 90
True
>>> _fmt({"b", "a"}), _fmt({"x": frozenset({2, 1})})
("{'a', 'b'}", "{'x': {1, 2}}")
>>> _fmt([lambda walk, n: walk[:n]])
'[lambda walk, n: walk[:n]]'
"""
from __future__ import annotations

import functools
import importlib
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from .timing import MACHINE, MEASURED, lesson_key, lesson_paths

__all__ = ["LESSONS", "Step", "CoursePath", "PATHS", "BILLS", "estimate", "sections", "title",
           "exercise_sections", "block", "render", "readme", "README_COLUMNS", "stale", "write", "BLOCK_RE", "READING_WPM",
           "SECONDS_PER_CODE_CELL", "MINUTES_PER_KIND"]

#: The lessons' folder of this checkout.
LESSONS = Path(__file__).resolve().parents[2] / "lessons"
#: Reading speed for the lessons' prose: technical text, read to answer questions.
READING_WPM = 120
#: Time to read a code cell and look at what it printed or drew.
SECONDS_PER_CODE_CELL = 20
#: Minutes to answer one exercise, by kind, including a hint or two.
MINUTES_PER_KIND = {"predict": 3, "recall": 2, "arithmetic": 5, "code": 10}

BLOCK_RE = re.compile(r"(<!-- guide:begin (?P<name>[\w:]+) -->\n)(?P<body>.*?)"
                      r"(<!-- guide:end (?P=name) -->)", re.S)


@dataclass(frozen=True)
class Step:
    """One stretch of a path: ``lesson`` ('00'..'20', 'summary', or None for a
    break or an opening), the numbered ``sections`` of it (empty: all),
    ``minutes``, and ``how`` it is run (demo, hands-on, discussion, break)."""

    lesson: str | None
    sections: tuple
    minutes: int
    how: str
    note: str = ""


@dataclass(frozen=True)
class CoursePath:
    """A path through the course: ``minutes`` long, made of ``steps``;
    ``skipped`` pairs each lesson left out (a string of numbers) with what
    the learner loses by it."""

    name: str
    minutes: int
    steps: tuple
    skipped: tuple


PATHS = (
    CoursePath("The 90-minute taster", 90, (
        Step(None, (), 5, "talk", "why Dynamo: the shopping cart must take writes while a "
             "data centre burns (paper section 1)"),
        Step("01", (1, 2, 3), 15, "demo", "az2 burns, the cart keeps taking writes; "
             "learners answer q1 and q2 on paper first"),
        Step("02", (1, 2, 4), 20, "hands-on", "q1 (Figure 2's coordinator after B leaves) "
             "and q3 (what a joining node takes); virtual nodes in one sentence"),
        Step("05", (1, 3), 10, "demo", "R + W > N on the board, then the latency table; "
             "the room votes on q2 first"),
        Step("11", (1, 3, 4), 15, "hands-on", "put and get an item with boto3; q1 (the "
             "typed item)"),
        Step("15", (1, 2), 15, "hands-on", "the deck's worked numbers; q1 and q2"),
        Step("16", (2, 3), 7, "demo", "one hot key throttled while the table has capacity "
             "left, then write sharding"),
        Step("summary", (), 3, "discussion", "Table 1, then and now"),
    ), (
        ("00", "the lab's mechanics (seeds, the event log): the instructor drives, so the "
               "room does not need them; learners doing the rest at home should run 00 first"),
        ("03, 04", "preference lists and vector clocks: siblings stay a word, not a picture"),
        ("06, 07, 08", "how Dynamo survives failures (hinted handoff, anti-entropy, gossip): "
                       "the taster shows that writes stay available, not how"),
        ("09, 10", "the measurements behind the design (Figure 8, divergent versions)"),
        ("12, 13, 14", "keys, Query, replicas and indexes: learners leave able to put and get, "
                       "not to model a table"),
        ("17, 18, 19, 20", "streams, consumers, the capstone and single-table design"),
    )),
    CoursePath("The 3-hour workshop", 180, (
        Step(None, (), 5, "talk", "the two halves: the 2007 paper, then the service built on "
             "its lessons"),
        Step("00", (1, 2, 3), 10, "demo", "one seed, one run: why the whole room sees the same "
             "picture"),
        Step("01", (1, 2, 3), 15, "hands-on", "q1 and q2, predicted before the cells run"),
        Step("02", (1, 2, 3, 4), 20, "hands-on", "q1, q2 (the code exercise) and q3"),
        Step("04", (1, 2), 15, "hands-on", "Figure 3 replayed; q1, the ancestor-or-sibling "
             "rule"),
        Step("05", (1, 2, 3), 15, "hands-on", "q1 (R + W > N as code) and q2"),
        Step("06", (1, 2, 3), 10, "demo", "a write under a crashed replica, the hint kept "
             "apart; q1 voted by the room"),
        Step(None, (), 10, "break"),
        Step("11", (1, 2, 3, 4, 5), 20, "hands-on", "the table and item API, types and "
             "errors; q1, q2"),
        Step("12", (1, 2, 3, 7), 20, "hands-on", "Customer# and Order#, Query against Scan; q3 "
             "(the RCU of a Query) worked out by hand first"),
        Step("15", (1, 2), 15, "hands-on", "capacity units and the deck's partitions; q1-q3"),
        Step("16", (2, 3), 10, "demo", "the hot key and write sharding"),
        Step("17", (1,), 5, "demo", "John goes to Mars, then Pluto: the four view types"),
        Step("summary", (), 10, "discussion", "Table 1, then and now; questions"),
    ), (
        ("03", "the preference list as a walk (04-06 use it; say it in one sentence at 04)"),
        ("07, 08", "anti-entropy and gossip: permanent failures and membership stay untold"),
        ("09, 10", "Figure 8 and divergent versions: the paper's evidence, not its design"),
        ("13, 14", "replicas, consistent reads and indexes: a learner will not know why a "
                   "read can be stale or when a GSI fits"),
        ("18, 19, 20", "stream consumers, the capstone and single-table design; 19 is the "
                       "best take-home lesson"),
    )),
    CoursePath("The full day", 420, (
        Step(None, (), 10, "talk", "the plan of the day; dynamo-lab doctor at the door"),
        Step("00", (1, 2, 3), 10, "demo", "one seed, one run"),
        Step("01", (1, 2, 3), 20, "hands-on", "q1 and q2 predicted first"),
        Step("02", (), 25, "hands-on"),
        Step("03", (1, 3, 4), 20, "hands-on", "q1, the preference list as code"),
        Step("04", (1, 2, 3), 20, "hands-on"),
        Step(None, (), 15, "break"),
        Step("05", (1, 2, 3, 4), 25, "hands-on"),
        Step("06", (1, 2, 3, 5), 20, "hands-on"),
        Step("07", (1, 2, 3), 10, "demo", "q1 worked out together, then a lost disk "
             "repaired by anti-entropy"),
        Step("08", (1, 3), 10, "demo", "gossip rounds and local failure detection; q1 voted"),
        Step("10", (1, 3), 10, "demo", "siblings from concurrent writers, read repair"),
        Step(None, (), 45, "break", "lunch"),
        Step("11", (1, 2, 3, 4, 5), 25, "hands-on"),
        Step("12", (1, 2, 3, 4, 7), 20, "hands-on"),
        Step("13", (2, 3), 10, "demo", "a stale read, then a leader failover"),
        Step("14", (1, 4, 6, 9), 20, "hands-on"),
        Step("15", (1, 2), 20, "hands-on"),
        Step(None, (), 15, "break"),
        Step("16", (2, 3, 4), 20, "hands-on"),
        Step("17", (1, 4), 10, "demo", "the view types, then shards across a split"),
        Step("19", (1, 2, 3, 5), 30, "hands-on", "the capstone: streams, a trigger and a "
             "hot key"),
        Step("summary", (), 10, "discussion", "Table 1, then and now"),
    ), (
        ("09", "Figure 8, measured: why Dynamo moved to fixed, equal partitions (strategy 3); "
               "tell it from the chart in two minutes at 10"),
        ("18", "retries, bisection and KCL leases: 19 uses a trigger without explaining its "
               "failure modes"),
        ("20", "single-table design against SQL: hand it out as homework with the solutions"),
    )),
)

#: The capacity each DynamoDB lesson consumed, run as committed on the lab:
#: read units, write units, Streams reads and provisioned (RCU, WCU) per
#: table, from ``python -m dynamo_lab.kit.capacity_bill`` as recorded in
#: ``docs/instructor/before-the-day.md`` (2026-12-07).
BILLS = {
    "11": (6, 10, 0, {"Scratch": (5, 5)}),
    "12": (45.5, 45, 0, {}),
    "13": (56, 70, 0, {}),
    "14": (4.5, 67, 0, {"Backpressure": (101, 101)}),
    "15": (34, 247, 0, {"Slide": (5000, 500), "Growing": (300, 500), "Sizes": (100, 100)}),
    "16": (277, 5106, 0, {"Votes": (3000, 2000), "Hourly": (2, 2)}),
    "17": (0, 39, 17, {}),
    "18": (59, 147, 67, {"Ballots": (100, 3000)}),
    "19": (135, 12600, 54, {"VoteCounts": (600, 2400), "VoteShards": (600, 2400)}),
    "20": (4.5, 66, 0, {}),
}


def _lesson_path(key: str, lessons: str | os.PathLike) -> Path:
    for p in lesson_paths(lessons):
        if lesson_key(p) == key:
            return p
    raise UsageError(f"no lesson {key!r} in {lessons}")


def _cells(path: str | os.PathLike) -> list:
    p = Path(path).resolve()
    return _read_cells(str(p), p.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _read_cells(path: str, mtime_ns: int) -> list:
    # Each block reads every notebook; one parse per version of the file.
    import nbformat
    return nbformat.read(path, as_version=4).cells


def title(path: str | os.PathLike) -> str:
    """The lesson's title, from its first ``# `` heading."""
    for c in _cells(path):
        for line in c.source.splitlines():
            if c.cell_type == "markdown" and line.startswith("# "):
                return line[2:].strip()
    return Path(path).stem


def sections(path: str | os.PathLike) -> dict[int, str]:
    """The numbered ``## N. Title`` sections of a lesson: {N: title}."""
    out = {}
    for c in _cells(path):
        if c.cell_type != "markdown":
            continue
        for line in c.source.splitlines():
            m = re.match(r"## (\d+)\. (.+)", line)
            if m:
                out[int(m.group(1))] = m.group(2).strip()
    return out


def exercise_sections(path: str | os.PathLike) -> dict[str, int]:
    """The section each exercise is asked in: {'q1': 2, ...}, from the
    ``**Exercise qN.**`` cells (0: before the first numbered section)."""
    out: dict[str, int] = {}
    at = 0
    for c in _cells(path):
        if c.cell_type != "markdown":
            continue
        for line in c.source.splitlines():
            m = re.match(r"## (\d+)\. ", line)
            if m:
                at = int(m.group(1))
        for q in re.findall(r"\*\*Exercise (q\d+)", c.source):
            out.setdefault(q, at)
    return out


def _exercises(key: str):
    if key == "summary":
        return None, {}
    mod = importlib.import_module(f"dynamo_lab.exercises.lesson{key}")
    return mod.exercises, getattr(mod, "WRONG", {})


def estimate(key: str, lessons: str | os.PathLike = "lessons") -> int:
    """Reading and exercise minutes for lesson ``key``, rounded up to 5.

    Words of prose at :data:`READING_WPM`, :data:`SECONDS_PER_CODE_CELL` per
    code cell, :data:`MINUTES_PER_KIND` per exercise; an estimate, not a
    measurement of learners.
    """
    cells = _cells(_lesson_path(key, lessons))
    words = sum(len(c.source.split()) for c in cells if c.cell_type == "markdown")
    code = sum(1 for c in cells if c.cell_type == "code")
    exercises, _ = _exercises(key)
    minutes = words / READING_WPM + code * SECONDS_PER_CODE_CELL / 60
    minutes += sum(MINUTES_PER_KIND.get(q.kind, 5) for q in (exercises or []))
    minutes += MEASURED.get(key, 0) / 60
    return 5 * math.ceil(minutes / 5)


def _fmt(x) -> str:
    """A repr with sets in sorted order, so the guide is the same every run."""
    if isinstance(x, (set, frozenset)):
        return "{" + ", ".join(sorted(_fmt(v) for v in x)) + "}" if x else "set()"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{_fmt(k)}: {_fmt(v)}" for k, v in x.items()) + "}"
    if isinstance(x, list):
        return "[" + ", ".join(_fmt(v) for v in x) + "]"
    if isinstance(x, tuple):
        return "(" + ", ".join(_fmt(v) for v in x) + ("," if len(x) == 1 else "") + ")"
    if callable(x):
        return _source(x)
    return repr(x)


def _source(fn) -> str:
    """A known-mistake function as its code: a lambda's text, or ``def name(args)``."""
    import inspect
    try:
        sig = str(inspect.signature(fn))
        if fn.__name__ != "<lambda>":
            return f"def {fn.__name__}{sig}: ..."
        pos = [p for p in fn.__code__.co_positions() if None not in p]
        lines, _ = inspect.findsource(fn)
        first, last = min(p[0] for p in pos), max(p[1] for p in pos)
        end = max(p[3] for p in pos if p[1] == last)
        text = " ".join("".join(lines[first - 1:last - 1] + [lines[last - 1][:end]]).split())
        head = f"lambda {sig[1:-1]}:"
        text = text[text.index(head):] if head in text else ""
    except (TypeError, OSError, ValueError):
        text = ""
    return text if 0 < len(text) <= 200 else "*a function*"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(text: str) -> str:
    text = _cell(text)
    return text if text == "*a function*" else f"`{text}`"


def _times_block(lessons) -> str:
    rows = ["| lesson | Run All (s) | reading and exercises (min) | exercises |",
            "|---|---:|---:|---|"]
    total_run = total_est = 0
    for p in lesson_paths(lessons):
        key = lesson_key(p)
        if key not in MEASURED:
            raise UsageError(f"lesson {key} has no measured Run All time; run "
                             f"`python -m dynamo_lab.kit.timing --only {key}`")
        exercises, _ = _exercises(key)
        kinds = ", ".join(f"{q.name} {q.kind}" for q in (exercises or [])) or "none"
        est = estimate(key, lessons)
        total_run += MEASURED[key]
        total_est += est
        rows.append(f"| {key} · {_cell(title(p).split('·', 1)[-1].strip())} | "
                    f"{MEASURED[key]:.1f} | {est} | {kinds} |")
    rows.append(f"| **all {len(lesson_paths(lessons))}** | **{total_run:.0f}** | "
                f"**{total_est}** ({total_est / 60:.1f} h) | |")
    m = MACHINE
    head = (f"Measured on {m['machine']}, {m['date']}, under a load average of "
            f"{m['load']}, {m['busy']}. A fresh kernel took "
            f"{m['kernel_start']} to start, not counted. Each lesson ran twice as "
            f"committed (exercises unanswered) with nbclient; the lower time is shown. "
            f"Command: `python -m dynamo_lab.kit.timing --rounds 2 lessons`.\n\n"
            f"Reading and exercises is an estimate: prose at {READING_WPM} words a "
            f"minute, {SECONDS_PER_CODE_CELL} s per code cell, and per exercise "
            + ", ".join(f"{k} {v} min" for k, v in MINUTES_PER_KIND.items())
            + ", rounded up to 5 minutes.\n\n")
    return head + "\n".join(rows) + "\n"


def _paths_block(lessons) -> str:
    out = []
    keys = [lesson_key(p) for p in lesson_paths(lessons)]
    for path in PATHS:
        total = sum(s.minutes for s in path.steps)
        if total != path.minutes:
            raise UsageError(f"{path.name}: its steps add up to {total} min, not "
                             f"{path.minutes}")
        out += [f"### {path.name}: {path.minutes} minutes", "",
                "| start | min | lesson and sections | how | exercises there |",
                "|---:|---:|---|---|---|"]
        at = 0
        for s in path.steps:
            asked = ""
            if s.lesson is None:
                what = s.note or s.how
            else:
                p = _lesson_path(s.lesson, lessons)
                secs = sections(p)
                missing = [n for n in s.sections if n not in secs]
                if missing:
                    raise UsageError(f"{path.name}: lesson {s.lesson} has no section "
                                     f"{missing[0]}")
                what = f"**{s.lesson}** {title(p).split('·', 1)[-1].strip()}"
                what += (": " + "; ".join(f"§{n} {secs[n]}" for n in s.sections)
                         if s.sections else " (all of it)")
                if s.note:
                    what += f". *{s.note}*"
                where = exercise_sections(p)
                asked = ", ".join(q for q, n in where.items()
                                  if not s.sections or n in s.sections)
                for q in re.findall(r"\bq\d+\b", s.note):
                    if q not in asked.split(", "):
                        raise UsageError(f"{path.name}: the note on lesson {s.lesson} names "
                                         f"{q}, which is asked outside its sections")
            out.append(f"| {at // 60}:{at % 60:02d} | {s.minutes} | {_cell(what)} | {s.how} | "
                       f"{asked} |")
            at += s.minutes
        out.append(f"| **{at // 60}:{at % 60:02d}** | **{total}** | **end** | | |")
        used = {s.lesson for s in path.steps if s.lesson}
        named = {k.strip() for left, _ in path.skipped for k in left.split(",")}
        unnamed = [k for k in keys if k not in used and k not in named]
        if unnamed:
            raise UsageError(f"{path.name}: lesson {unnamed[0]} is neither in the path "
                             f"nor said to be skipped")
        out += ["", "Skipped, and what the learner loses:", ""]
        out += [f"- **{left}**: {loss}." for left, loss in path.skipped]
        partial = []
        for key in keys:
            steps = [st for st in path.steps if st.lesson == key]
            if not steps or any(not st.sections for st in steps):
                continue
            secs = sections(_lesson_path(key, lessons))
            shown = {n for st in steps for n in st.sections}
            left = [f"§{n} {t}" for n, t in secs.items() if n not in shown]
            if left:
                partial.append(f"**{key}** " + "; ".join(left))
        if partial:
            out += ["", "Sections left out of the lessons it runs (the solutions handout "
                    "covers them): " + " · ".join(_cell(x) for x in partial) + "."]
        out.append("")
    return "\n".join(out)


def _bill(keys) -> dict:
    """The summed :data:`BILLS` of lessons ``keys``, in :func:`capacity_bill.price`'s shape."""
    bill = {"read_units": 0.0, "write_units": 0.0, "stream_reads": 0, "provisioned": {}}
    for k in keys:
        r, w, st, prov = BILLS[k]
        bill["read_units"] += r
        bill["write_units"] += w
        bill["stream_reads"] += st
        bill["provisioned"].update(prov)
    return bill


def _cost_block(lessons) -> str:
    from .capacity_bill import price
    rows = ["| path | its DynamoDB lessons (counted whole) | requests | tables deleted after "
            "each lesson (one billed hour) | tables held for the path's length | "
            "room of 40, tables deleted |", "|---|---|---:|---:|---:|---:|"]
    for path in PATHS:
        keys = sorted({s.lesson for s in path.steps if s.lesson in BILLS})
        bill = _bill(keys)
        one, held = price(bill, hours=1), price(bill, hours=path.minutes / 60)
        forty = price(bill, hours=1, learners=40)
        rows.append(f"| {path.name} | {', '.join(keys)} | ${one['on_demand']:.4f} | "
                    f"${one['total']:.2f} | ${held['total']:.2f} | ${forty['total']:,.2f} |")
    workshop = sorted({s.lesson for s in PATHS[1].steps if s.lesson in BILLS})
    bill = _bill(workshop)
    tables = ", ".join(f"{t} {r}/{w}" for t, (r, w) in bill["provisioned"].items())
    dear = max(workshop, key=lambda k: price(_bill([k]), hours=1)["total"])
    return ("Per learner on their own AWS account, from the measured bills, priced by "
            "`kit.capacity_bill.price` at its `PRICES` (us-east-1, checked 2026-12-07). "
            "A lesson run in part is counted whole, so these are upper bounds.\n\n"
            + "\n".join(rows) + "\n\n"
            f"The 3-hour workshop's lessons ({', '.join(workshop)}) make "
            f"{bill['read_units']:g} read and {bill['write_units']:g} write units and "
            f"{bill['stream_reads']} Streams reads, which cost almost nothing; the money is "
            f"in the provisioned tables ({tables}, RCU/WCU), billed by the hour. The "
            f"dearest is lesson {dear}: run it on the projector against your own account "
            f"(${price(_bill([dear]), hours=1)['total']:.2f}) and let the room use the lab.\n")


def _lesson_block(key: str, lessons) -> str:
    exercises, wrong = _exercises(key)
    est = estimate(key, lessons)
    out = [f"*Run All {MEASURED[key]:.1f} s (measured); reading and exercises about "
           f"{est} min (estimated).*", ""]
    if exercises is None:
        return "\n".join(out + ["No exercises: the lesson is read and discussed.", ""])
    where = exercise_sections(_lesson_path(key, lessons))
    out += ["| exercise | kind | section | asks |", "|---|---|---:|---|"]
    out += [f"| {q.name} | {q.kind} | §{where.get(q.name, '?')} | {_cell(q.prompt)} |"
            for q in exercises]
    out += ["", "Common wrong answers (the exercise module's known mistakes) and what each "
            "gets back:", "", "| exercise | answer | the check says |", "|---|---|---|"]
    for q in exercises:
        for w in wrong.get(q.name, []):
            r = q.evaluate(w)
            msg = r.message.split(" not quite. ", 1)[-1]
            out.append(f"| {q.name} | {_code(_fmt(w))} | {_cell(msg)} |")
    return "\n".join(out) + "\n"


def block(name: str, lessons: str | os.PathLike = "lessons") -> str:
    """The generated text of block ``name``: times, paths, cost or lesson:NN."""
    if name == "times":
        return _times_block(lessons)
    if name == "paths":
        return _paths_block(lessons)
    if name == "cost":
        return _cost_block(lessons)
    if name.startswith("lesson:"):
        return _lesson_block(name.split(":", 1)[1], lessons)
    raise UsageError(f"the guide has no generated block named {name!r}")


def _required(lessons) -> list[str]:
    return ["times", "paths", "cost"] + [f"lesson:{lesson_key(p)}" for p in lesson_paths(lessons)]


def render(text: str, lessons: str | os.PathLike = "lessons") -> str:
    """``text`` with every generated block filled in again."""
    found = [m.group("name") for m in BLOCK_RE.finditer(text)]
    missing = [n for n in _required(lessons) if n not in found]
    if missing:
        raise UsageError(f"the guide lacks the block {missing[0]!r}: add "
                         f"<!-- guide:begin {missing[0]} --> and <!-- guide:end "
                         f"{missing[0]} --> where it belongs")
    return BLOCK_RE.sub(lambda m: m.group(1) + block(m.group("name"), lessons) + m.group(4),
                        text)


#: The columns of ``lessons/README.md``'s table that :func:`readme` fills.
README_COLUMNS = ("Run All (s)", "reading + exercises (min)")


def _split_row(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def readme(text: str, lessons: str | os.PathLike = "lessons") -> str:
    """``text`` (the lessons' README) with each lesson row's :data:`README_COLUMNS`
    set to its measured Run All and its estimate; unchanged when the table has
    no such columns."""
    lines = text.split("\n")
    keys = {p.name: lesson_key(p) for p in lesson_paths(lessons)}
    cols = None
    for i, line in enumerate(lines):
        if not line.startswith("|"):
            cols = None
            continue
        cells = _split_row(line)
        if all(c in cells for c in README_COLUMNS):
            cols = [cells.index(c) for c in README_COLUMNS]
            continue
        name = cells[0].strip("`") if cells else ""
        if cols is None or name not in keys or len(cells) <= max(cols):
            continue
        cells[cols[0]] = f"{MEASURED[keys[name]]:.1f}"
        cells[cols[1]] = str(estimate(keys[name], lessons))
        lines[i] = "| " + " | ".join(cells) + " |"
    return "\n".join(lines)


def stale(guide: str | os.PathLike = "lessons/INSTRUCTOR.md",
          lessons: str | os.PathLike | None = None) -> list[str]:
    """The names of the guide's blocks that differ from what :func:`render` makes,
    and ``README.md`` when the README beside it has stale timing columns."""
    guide = Path(guide)
    lessons = guide.parent if lessons is None else lessons
    text = guide.read_text(encoding="utf-8")
    new = render(text, lessons)
    old_blocks = {m.group("name"): m.group("body") for m in BLOCK_RE.finditer(text)}
    out = [m.group("name") for m in BLOCK_RE.finditer(new)
           if old_blocks.get(m.group("name")) != m.group("body")]
    table = guide.parent / "README.md"
    if table.is_file():
        text = table.read_text(encoding="utf-8")
        if readme(text, lessons) != text:
            out.append("README.md")
    return out


def write(guide: str | os.PathLike = "lessons/INSTRUCTOR.md",
          lessons: str | os.PathLike | None = None) -> Path:
    """Fill the guide's generated blocks in place, and the timing columns of the
    README beside it (:func:`readme`); the guide's path."""
    guide = Path(guide)
    lessons = guide.parent if lessons is None else lessons
    guide.write_text(render(guide.read_text(encoding="utf-8"), lessons), encoding="utf-8")
    table = guide.parent / "README.md"
    if table.is_file():
        text = table.read_text(encoding="utf-8")
        if readme(text, lessons) != text:
            table.write_text(readme(text, lessons), encoding="utf-8")
    return guide
