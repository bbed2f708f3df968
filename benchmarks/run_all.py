"""Run every benchmark in this folder, one after another.

    .venv/bin/python benchmarks/run_all.py [name ...]

Each benchmark measures dynamo_lab against its peer in the same run and
prints ratios, so the numbers mean something on a shared, noisy machine:
``api`` (the DynamoDB API against moto), ``cluster`` (the paper engine),
``ring`` (consistent hashing) and ``service`` (what streams and asynchronous
GSIs cost the DynamoDB service; the time to split a 100,000-item table).
Every ``*.py`` here but this one is run, in name order.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != "run_all.py")
    if names:
        scripts = [p for p in scripts if p.stem in names]
    worst = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        worst = max(worst, subprocess.call([sys.executable, str(script)]))
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
