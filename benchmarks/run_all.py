"""Run every benchmark in this folder, one after another.

    .venv/bin/python benchmarks/run_all.py [--runs N] [name ...]

Each benchmark measures dynamo_lab against its peer in the same run and
prints ratios, so the numbers mean something on a shared, noisy machine:
``api`` (the DynamoDB API against moto), ``cluster`` (the paper engine),
``ring`` (consistent hashing) and ``service`` (what streams and asynchronous
GSIs cost the DynamoDB service; the time to split a 100,000-item table).
Every ``*.py`` here but this one is run, in name order. ``--runs N`` runs
the chosen set N times in a row (a goal is met when it holds in every run).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    runs = 1
    names = list(argv)
    if "--runs" in names:
        i = names.index("--runs")
        try:
            runs = int(names[i + 1])
        except (IndexError, ValueError):
            print("--runs needs a number, e.g. --runs 3", file=sys.stderr)
            return 2
        if runs < 1:
            print("--runs needs a number >= 1", file=sys.stderr)
            return 2
        del names[i:i + 2]
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != "run_all.py")
    known = {p.stem for p in scripts}
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; benchmarks: {', '.join(sorted(known))}",
              file=sys.stderr)
        return 2
    if names:
        scripts = [p for p in scripts if p.stem in names]
    worst = 0
    for run in range(1, runs + 1):
        for script in scripts:
            label = f" (run {run} of {runs})" if runs > 1 else ""
            print(f"== {script.stem}{label}", flush=True)
            worst = max(worst, subprocess.call([sys.executable, str(script)]))
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
