#!/usr/bin/env python3
"""Set up dynamo_lab and run its main jobs, from nothing but Python 3.

    python3 dev.py lab     # make .venv, install, open JupyterLab on the lessons
    python3 dev.py test    # make .venv, install, run every test (unit, property,
                           # doctests, notebooks, browser)

Anything after ``--`` goes to JupyterLab or pytest, e.g.
``python3 dev.py test -- -k ring -x``.

This script uses only the standard library, so it runs before anything is
installed. It keeps a stamp of pyproject.toml in .venv and reinstalls only when
that changes. The browser tests need Debian's Chromium at /usr/bin/chromium;
``test`` installs it with apt-get when it is missing and we are root.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
CHROMIUM = Path("/usr/bin/chromium")


def say(msg: str) -> None:
    print(f"[dev] {msg}", flush=True)


def venv_python() -> Path:
    win = VENV / "Scripts" / "python.exe"
    return win if win.exists() else VENV / "bin" / "python"


def run(cmd: list[str], **kw) -> None:
    say(" ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def ensure_venv(extras: str) -> Path:
    if sys.version_info < (3, 10):
        sys.exit(f"[dev] dynamo_lab needs Python 3.10 or newer; this is {sys.version.split()[0]}")
    py = venv_python()
    if not py.exists():
        say(f"creating {VENV}")
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except Exception as exc:  # Debian ships venv without ensurepip
            sys.exit(f"[dev] could not create a virtual environment ({exc}).\n"
                     "      On Debian/Ubuntu: sudo apt-get install python3-venv")
        py = venv_python()
    stamp = VENV / f".installed-{extras}"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != want:
        run([py, "-m", "pip", "install", "--disable-pip-version-check", "-q",
             "-e", f"{ROOT}[{extras}]"])
        stamp.write_text(want)
    return py


def ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    apt = shutil.which("apt-get")
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if apt and is_root:
        say("installing Debian's chromium for the browser tests")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run([apt, "update", "-qq"], env=env)
        run([apt, "install", "-y", "-qq", "chromium"], env=env)
    else:
        # The browser test itself fails with instructions under CI; on a
        # laptop it skips with the same instructions.
        say("Chromium is missing at /usr/bin/chromium; the browser tests need it "
            "(Debian/Ubuntu: sudo apt-get install chromium)")


def split_args(argv: list[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def cmd_lab(extra: list[str]) -> int:
    py = ensure_venv("lab")
    args = [str(py), "-m", "jupyter", "lab", f"--notebook-dir={ROOT / 'lessons'}", *extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        # JupyterLab refuses to start as root (containers, Binder-like boxes)
        # unless told; the lab is a local teaching server, so say so for you.
        args.append("--allow-root")
    say(" ".join(args))
    os.chdir(ROOT)
    return subprocess.call(args)


def cmd_test(extra: list[str]) -> int:
    py = ensure_venv("test,lab")
    ensure_chromium()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    # One worker per core (pytest-xdist): notebooks and servers run in their
    # own processes, so the suite spreads well. `-- -n 0` runs it serially.
    workers = [] if any(a.startswith("-n") for a in extra) else ["-n", "auto"]
    args = [str(py), "-m", "pytest", "tests", "dynamo_lab", "--doctest-modules",
            *workers, *extra]
    say(" ".join(args))
    return subprocess.call(args, cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    ours, extra = split_args(argv)
    if len(ours) != 1 or ours[0] not in {"lab", "test"}:
        print(__doc__)
        return 2
    return cmd_lab(extra) if ours[0] == "lab" else cmd_test(extra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
