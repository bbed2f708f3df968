"""The kit's subcommands of ``dynamo-lab``: ``solutions``, ``cheatsheet``, ``demo``, ``guide``.

:func:`add_parsers` adds them to the command's subparsers and :func:`run`
runs one; an error about the instructor's input (a lesson number that does
not exist, a demo name mistyped) is one line on stderr and exit status 2,
never a traceback.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="dynamo-lab")
>>> add_parsers(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["solutions", "out", "--only", "00,11"])
>>> args.command in COMMANDS, _numbers(args.only)
(True, ['00', '11'])
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from ..errors import LabError
from ..text import plural

__all__ = ["COMMANDS", "DEMOS", "add_parsers", "run", "demo_command"]

COMMANDS = ("solutions", "cheatsheet", "demo", "guide")
#: The Voila dashboards of ``demos/``, by the name ``dynamo-lab demo`` takes.
DEMOS = {"ring": "ring.ipynb", "faults": "faults.ipynb", "capacity": "capacity.ipynb"}


def _numbers(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [n.strip() for n in text.split(",") if n.strip()]


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``solutions``, ``cheatsheet`` and ``demo`` to ``sub``."""
    sol = sub.add_parser("solutions", help="write every lesson solved and run, as HTML")
    sol.add_argument("outdir", help="folder for NN_name.html and index.html")
    sol.add_argument("--only", default=None, metavar="NN,NN",
                     help="lesson numbers to build, e.g. 00,11 (default: all)")
    sol.add_argument("--lessons", default="lessons", help="the lesson notebooks' folder")
    sol.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")

    cs = sub.add_parser("cheatsheet", help="write the one-page cheat sheet (md and html)")
    cs.add_argument("--out", default="docs", help="folder for cheatsheet.md/.html")
    cs.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if the files there are out of date")

    gd = sub.add_parser("guide", help="fill the instructor's guide's generated parts")
    gd.add_argument("--file", default="lessons/INSTRUCTOR.md", help="the guide")
    gd.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if its generated parts are out of date")

    demo = sub.add_parser("demo", help="open a Voila dashboard: " + ", ".join(DEMOS))
    demo.add_argument("name", help="one of " + ", ".join(DEMOS))
    demo.add_argument("--demos", default="demos", help="the demos' folder")
    demo.add_argument("--port", type=int, default=8866)
    demo.add_argument("--no-browser", action="store_true")


def demo_command(name: str, demos: str | os.PathLike = "demos", port: int = 8866,
                 browser: bool = True) -> list[str]:
    """The ``voila`` command line that serves demo ``name``.

    Examples
    --------
    >>> demo_command("ring", "demos", 9000, browser=False)[-4:]
    ['demos/ring.ipynb', '--port=9000', '--no-browser', '--theme=light']
    >>> demo_command("rings")
    Traceback (most recent call last):
    ...
    dynamo_lab.errors.UsageError: no demo named 'rings'; demos: capacity, faults, ring
    """
    from ..errors import UsageError
    if name not in DEMOS:
        raise UsageError(f"no demo named {name!r}; demos: {', '.join(sorted(DEMOS))}")
    path = Path(demos) / DEMOS[name]
    cmd = [sys.executable, "-m", "voila", str(path), f"--port={port}"]
    if not browser:
        cmd.append("--no-browser")
    return cmd + ["--theme=light"]


def _solutions(args: argparse.Namespace) -> int:
    from .solutions import build
    pages = build(args.outdir, args.lessons, _numbers(args.only), args.timeout, log=print)
    print(f"{plural(len(pages), 'lesson')} written; open {Path(args.outdir) / 'index.html'}")
    return 0


def _cheatsheet(args: argparse.Namespace) -> int:
    from .cheatsheet import stale, write
    if args.check:
        old = stale(args.out)
        if old:
            print(f"dynamo-lab cheatsheet: out of date in {args.out}: {', '.join(old)}; "
                  f"run `dynamo-lab cheatsheet --out {args.out}`", file=sys.stderr)
            return 1
        print(f"cheat sheet in {args.out} is up to date")
        return 0
    for path in write(args.out):
        print(path)
    return 0


def _guide(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from .guide import stale, write
    if not Path(args.file).is_file():
        raise UsageError(f"no guide at {args.file}; run from the project folder or pass --file")
    if args.check:
        old = stale(args.file)
        if old:
            print(f"dynamo-lab guide: out of date in {args.file}: {', '.join(old)}; "
                  f"run `dynamo-lab guide --file {args.file}`", file=sys.stderr)
            return 1
        print(f"{args.file} is up to date")
        return 0
    print(write(args.file))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    cmd = demo_command(args.name, args.demos, args.port, not args.no_browser)
    if not Path(cmd[3]).is_file():
        raise UsageError(f"no demo notebook at {cmd[3]}; run from the project folder "
                         f"or pass --demos")
    return subprocess.call(cmd)


def run(args: argparse.Namespace) -> int:
    """Run the kit subcommand ``args.command``; exit status."""
    handler = {"solutions": _solutions, "cheatsheet": _cheatsheet, "demo": _demo,
               "guide": _guide}[args.command]
    from .solutions import SolutionError
    try:
        return handler(args)
    except SolutionError as e:     # a lesson failed: not the instructor's typo
        print(f"dynamo-lab {args.command}: {e}", file=sys.stderr)
        return 1
    except LabError as e:
        print(f"dynamo-lab {args.command}: {e}", file=sys.stderr)
        return 2
