"""Run All, timed: each lesson executed as committed, in a fresh kernel.

The instructor's guide (``lessons/INSTRUCTOR.md``) states how long each
lesson's Run All takes on a named machine. Those figures are data: they are
measured by this module's command, pasted into :data:`MEASURED`, and the
guide is generated from them. The test suite never executes the lessons just
to time them; it checks that every lesson has a figure and that the guide
agrees with them.

A figure is the wall time from the first cell's start to the last cell's end
(what a learner waits for after clicking Run All, kernel already up); the
kernel's start is timed apart. The box is shared, so each lesson runs
``rounds`` times and the lowest is kept; the load average (one minute) is
read before each run and reported beside it.

Run it from the project folder::

    python -m dynamo_lab.kit.timing --rounds 2 lessons

Examples
--------
>>> sorted(MEASURED)[:2], sorted(MEASURED)[-1]
(['00', '01'], 'summary')
>>> all(s > 0 for s in MEASURED.values())
True
>>> lesson_key("lessons/07_merkle_anti_entropy.ipynb"), lesson_key("summary_table1.ipynb")
('07', 'summary')
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from ..errors import UsageError
from ..text import plural

__all__ = ["MEASURED", "MACHINE", "lesson_key", "lesson_paths", "run_all", "measure", "main"]

#: Seconds of Run All per lesson (lowest of the rounds), as measured by
#: ``python -m dynamo_lab.kit.timing --rounds 2 lessons``; see :data:`MACHINE`.
MEASURED: dict[str, float] = {
    "00": 0.2, "01": 0.7, "02": 0.9, "03": 0.3, "04": 0.4, "05": 0.8, "06": 0.3,
    "07": 0.4, "08": 0.4, "09": 0.9, "10": 0.9, "11": 0.7, "12": 0.8, "13": 0.7,
    "14": 0.7, "15": 0.7, "16": 2.6, "17": 0.7, "18": 0.8, "19": 5.2, "20": 0.7,
    "summary": 0.1,
}

#: Where and when :data:`MEASURED` was taken.
MACHINE: dict[str, str] = {
    "machine": "2 cores, x86_64, Linux, Python 3.11.7",
    "load": "1.5-2.3 (one minute; median 1.9)",
    "busy": "about as many runnable processes as cores: near idle",
    "date": "2026-12-07",
    "kernel_start": "0.5-1.1 s",
}


def lesson_key(path: str | os.PathLike) -> str:
    """``'07'`` for ``07_merkle_anti_entropy.ipynb``; ``'summary'`` for the summary."""
    name = Path(path).name
    return name[:2] if name[:2].isdigit() else name.split("_")[0].split(".")[0]


def lesson_paths(lessons: str | os.PathLike = "lessons") -> list[Path]:
    """The lesson notebooks of ``lessons``, numbered ones first, then the summary."""
    paths = sorted(Path(lessons).glob("*.ipynb"))
    return [p for p in paths if p.name[:2].isdigit()] + \
        [p for p in paths if not p.name[:2].isdigit()]


def run_all(path: str | os.PathLike, timeout: int = 600) -> tuple[float, float]:
    """Execute ``path`` as committed; (kernel start, Run All) in wall seconds."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    t0 = time.perf_counter()
    with client.setup_kernel():
        t1 = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        t2 = time.perf_counter()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    if errors:
        raise UsageError(f"{Path(path).name}: {errors[0].get('ename')}: "
                           f"{errors[0].get('evalue')}")
    return t1 - t0, t2 - t1


def measure(lessons: str | os.PathLike = "lessons", rounds: int = 2,
            only: list[str] | None = None, log=print) -> tuple[dict, dict]:
    """Time every lesson ``rounds`` times, round after round; lowest kept.

    Returns ``(seconds, machine)`` in the shapes of :data:`MEASURED` and
    :data:`MACHINE`.
    """
    paths = [p for p in lesson_paths(lessons) if only is None or lesson_key(p) in only]
    best: dict[str, float] = {}
    starts: list[float] = []
    loads: list[float] = []
    for r in range(rounds):
        for p in paths:
            load = os.getloadavg()[0]
            start, secs = run_all(p)
            key = lesson_key(p)
            best[key] = min(best.get(key, secs), secs)
            starts.append(start)
            loads.append(load)
            log(f"round {r + 1} {key}: {secs:.1f} s (kernel {start:.1f} s, load {load:.1f})")
    machine = {
        "machine": f"{plural(os.cpu_count() or 1, 'core')}, {platform.machine()}, Linux, Python "
                   f"{platform.python_version()}",
        "load": f"{min(loads):.1f}-{max(loads):.1f} (one minute; "
                f"median {sorted(loads)[len(loads) // 2]:.1f})",
        "busy": ("about as many runnable processes as cores: near idle"
                 if sorted(loads)[len(loads) // 2] <= 1.25 * (os.cpu_count() or 1)
                 else "more runnable processes than cores: an idle machine is faster"),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "kernel_start": f"{min(starts):.1f}-{max(starts):.1f} s",
    }
    return {k: round(v, 1) for k, v in best.items()}, machine


def main(argv: list[str] | None = None) -> int:
    """``python -m dynamo_lab.kit.timing [--rounds N] [--only 00,11] [LESSONS]``."""
    ap = argparse.ArgumentParser(prog="python -m dynamo_lab.kit.timing")
    ap.add_argument("lessons", nargs="?", default="lessons")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--only", default=None)
    args = ap.parse_args(argv)
    only = args.only.split(",") if args.only else None
    seconds, machine = measure(args.lessons, args.rounds, only,
                               log=lambda s: print(s, file=sys.stderr, flush=True))
    print(f"MEASURED = {seconds!r}")
    print(f"MACHINE = {machine!r}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
