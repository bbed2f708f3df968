"""The ``dynamo-lab`` command.

``dynamo-lab serve`` runs the DynamoDB JSON 1.0 wire protocol on loopback;
``dynamo-lab lab`` opens JupyterLab on the lessons; ``dynamo-lab events``
describes the event catalogue; ``dynamo-lab doctor`` checks a machine is
ready for the lessons; ``dynamo-lab solutions``, ``cheatsheet``, ``guide`` and
``demo`` are the instructor's kit (:mod:`dynamo_lab.kit.commands`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]


def _lab(args: argparse.Namespace) -> int:
    import subprocess
    lessons = Path(args.lessons)
    if not lessons.is_dir():
        print(f"dynamo-lab: no lessons folder at {lessons}", file=sys.stderr)
        return 2
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={lessons}"]
    if args.no_browser:
        cmd.append("--no-browser")
    return subprocess.call(cmd)


def _events(args: argparse.Namespace) -> int:
    from .catalogue import KINDS, describe
    for kind in sorted(KINDS):
        if args.prefix and not kind.startswith(args.prefix):
            continue
        print(describe(kind))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dynamo-lab", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the DynamoDB wire protocol over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--state", default=None, help="keep tables in this file across restarts")
    serve.add_argument("--seed", type=int, default=0)

    lab = sub.add_parser("lab", help="open JupyterLab on the lessons")
    lab.add_argument("--lessons", default="lessons")
    lab.add_argument("--no-browser", action="store_true")

    doctor = sub.add_parser("doctor", help="check this machine is ready for the lessons")
    doctor.add_argument("--endpoint", default=None,
                        help="check this DynamoDB endpoint instead of DYNAMO_LAB_ENDPOINT")

    ev = sub.add_parser("events", help="list the event catalogue")
    ev.add_argument("prefix", nargs="?", default="")

    from .kit import commands as kit_commands
    kit_commands.add_parsers(sub)

    args = parser.parse_args(argv)
    if args.command in kit_commands.COMMANDS:
        return kit_commands.run(args)
    if args.command == "serve":
        from .dynamodb.server.http import serve_main
        return serve_main(args)
    if args.command == "lab":
        return _lab(args)
    if args.command == "doctor":
        from .kit.doctor import main as doctor_main
        return doctor_main(args.endpoint)
    return _events(args)


if __name__ == "__main__":
    sys.exit(main())
