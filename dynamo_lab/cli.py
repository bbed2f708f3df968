"""The ``dynamo-lab`` command.

``dynamo-lab serve`` runs the DynamoDB JSON 1.0 wire protocol on loopback
(or for a room: ``--host``, ``--credentials``, ``--data``; ``--status``
shows a running server to the instructor); ``dynamo-lab credentials`` makes
a room's key pairs and a card per learner;
``dynamo-lab lab`` opens JupyterLab on the lessons; ``dynamo-lab events``
describes the event catalogue; ``dynamo-lab doctor`` checks a machine is
ready for the lessons; ``dynamo-lab solutions``, ``cheatsheet``, ``guide`` and
``demo`` are the instructor's kit (:mod:`dynamo_lab.kit.commands`).
"""
from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _reachable_url(url: str, host: str) -> str:
    """The URL learners on other machines use: a server listening on every
    address (0.0.0.0, ::) is reached by this machine's name, not by 0.0.0.0.

    >>> _reachable_url("http://127.0.0.1:8000", "127.0.0.1")
    'http://127.0.0.1:8000'
    >>> _reachable_url("http://0.0.0.0:8000", "0.0.0.0") == f"http://{socket.gethostname()}:8000"
    True
    """
    if host not in ("0.0.0.0", "::", ""):
        return url
    port = url.rsplit(":", 1)[-1]
    return f"http://{socket.gethostname()}:{port}"


def _status(args: argparse.Namespace) -> int:
    from .dynamodb.server import status
    from .errors import LabError
    url = args.url or f"http://127.0.0.1:{args.port}"
    while True:
        try:
            text = status.render(status.fetch(url), url=url)
        except LabError as exc:
            if not args.watch:
                print(f"dynamo-lab serve --status: {exc}", file=sys.stderr)
                return 1
            # the instructor's screen outlives a restart of the server
            text = (f"dynamo-lab serve --status: {exc}\n"
                    f"(trying again every {args.watch:g} s; Ctrl-C stops)")
        if args.watch:
            print("\033[H\033[2J", end="")            # clear the screen between views
        print(text, flush=True)
        if not args.watch:
            return 0
        try:
            time.sleep(args.watch)
        except KeyboardInterrupt:
            return 0


def _serve(args: argparse.Namespace) -> int:
    """``dynamo-lab serve``: serve until SIGINT or SIGTERM."""
    if args.status:
        return _status(args)
    from .dynamodb.server import credentials
    from .dynamodb.server.http import Limits, Server, StateFileError
    from .dynamodb.server.room import Room
    from .errors import LabError
    say = "dynamo-lab serve:"
    if args.state and (args.data or args.shared):
        print(f"{say} --state keeps one shared namespace in a file; it does not go with "
              "--data or --shared (use --data DIR to keep every namespace)", file=sys.stderr)
        return 2
    try:
        secrets = credentials.load(args.credentials) if args.credentials else None
        limits = Limits(timeout=args.timeout, idle_timeout=args.idle_timeout,
                        max_connections=args.max_connections)
        room = None if args.state else Room(seed=args.seed, shared=args.shared,
                                            data_dir=args.data, clock="wall",
                                            max_namespaces=args.max_namespaces)
        server = Server(host=args.host, port=args.port, seed=args.seed, state=args.state,
                        clock="wall", credentials=secrets, limits=limits, room=room).start()
    except StateFileError as exc:
        print(f"{say} cannot load state from {exc}", file=sys.stderr)
        return 1
    except LabError as exc:
        print(f"{say} {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{say} cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    stop = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    if args.host not in _LOOPBACK and secrets is None:
        print(f"{say} warning: listening on {args.host} without --credentials; anyone who "
              "can reach this port can read and change every learner's tables",
              file=sys.stderr)
    print(f"{say} listening on {server.url}", flush=True)
    n = len(secrets) if secrets is not None else 0
    who = (f"signatures checked for {n} learner{'' if n == 1 else 's'} from {args.credentials}"
           if secrets is not None else "signatures not checked")
    where = ("one shared namespace" if args.shared or args.state
             else "a namespace per access key and region")
    kept = f"; kept in {args.data}" if args.data else ""
    print(f"{say} {who}; {where}{kept}", flush=True)
    url = _reachable_url(server.url, args.host)
    print(f"{say} boto3.client('dynamodb', endpoint_url='{url}', "
          f"region_name='us-east-1'); lessons follow DYNAMO_LAB_ENDPOINT={url}; "
          f"dynamo-lab serve --status --url {server.url} shows the room; Ctrl-C stops",
          flush=True)
    try:
        while not stop.wait(0.5):     # a timed wait sees the signal flag promptly
            pass
    finally:
        server.stop()
    saved = f", tables saved to {args.state}" if args.state else ""
    print(f"{say} stopped{saved}", flush=True)
    return 0


def _credentials(args: argparse.Namespace) -> int:
    import secrets as random_source

    from .dynamodb.server import credentials
    from .errors import LabError
    out = Path(args.out)
    if out.exists() and not args.force:
        print(f"dynamo-lab credentials: {out} exists; --force replaces it (the learners' "
              "old keys stop working)", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else random_source.randbits(63)
    endpoint = args.endpoint or f"http://{socket.gethostname()}:8000"
    try:
        learners = credentials.generate(args.learners, seed)
        credentials.write(out, learners)
    except (LabError, OSError) as exc:
        print(f"dynamo-lab credentials: {exc}", file=sys.stderr)
        return 2
    text = credentials.cards(learners, endpoint, args.region)
    if args.cards:
        Path(args.cards).write_text(text, encoding="utf-8")
    print(text, end="")
    port = urlsplit(endpoint).port or 8000
    n = len(learners)
    print(f"dynamo-lab credentials: {n} learner{'' if n == 1 else 's'} written to {out}"
          + (f", cards to {args.cards}" if args.cards else "")
          + f"; --seed {seed} regenerates the same keys (keep it as secret as the file); "
          f"start the server with: dynamo-lab serve --host 0.0.0.0 --port {port} "
          f"--credentials {out}",
          file=sys.stderr)
    return 0


def _add_serve(sub: Any) -> None:
    serve = sub.add_parser("serve", help="serve the DynamoDB wire protocol over HTTP")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 for a room)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--credentials", metavar="FILE", default=None,
                       help="verify every request's signature against this file's keys "
                            "(dynamo-lab credentials makes one)")
    serve.add_argument("--shared", action="store_true",
                       help="one namespace for every caller (DynamoDB Local's -sharedDb)")
    serve.add_argument("--data", metavar="DIR", default=None,
                       help="keep every namespace on disk here, durable before each answer")
    serve.add_argument("--state", default=None,
                       help="keep one shared namespace's tables in this file across restarts")
    serve.add_argument("--seed", type=int, default=0)
    serve.add_argument("--timeout", type=float, default=30.0,
                       help="seconds a request may take to arrive (default 30)")
    serve.add_argument("--idle-timeout", type=float, default=60.0,
                       help="seconds an idle keep-alive connection is kept (default 60)")
    serve.add_argument("--max-connections", type=int, default=256,
                       help="connections served at once; more get 503 (default 256)")
    serve.add_argument("--max-namespaces", type=int, default=1000,
                       help="namespaces (access key and region pairs) the room makes at most; "
                            "more get LimitExceededException (default 1000)")
    serve.add_argument("--status", action="store_true",
                       help="print the status of a running server and exit")
    serve.add_argument("--url", default=None,
                       help="with --status: the server (default http://127.0.0.1:PORT)")
    serve.add_argument("--watch", type=float, default=0, metavar="SECONDS",
                       help="with --status: print it again every SECONDS")

    cred = sub.add_parser("credentials", help="make a room's key pairs and a card per learner")
    cred.add_argument("--learners", type=int, required=True, help="how many learners")
    cred.add_argument("--out", required=True, metavar="FILE", help="the CSV file to write")
    cred.add_argument("--cards", default=None, metavar="FILE",
                      help="also write the cards (Markdown) to this file")
    cred.add_argument("--seed", type=int, default=None,
                      help="derive the keys from this seed (default: a random one, printed)")
    cred.add_argument("--endpoint", default=None,
                      help="the URL learners use (default http://<this host>:8000)")
    cred.add_argument("--region", default="us-east-1")
    cred.add_argument("--force", action="store_true", help="replace an existing --out file")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dynamo-lab", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    _add_serve(sub)

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
        return _serve(args)
    if args.command == "credentials":
        return _credentials(args)
    if args.command == "lab":
        return _lab(args)
    if args.command == "doctor":
        from .kit.doctor import main as doctor_main
        return doctor_main(args.endpoint)
    return _events(args)


if __name__ == "__main__":
    sys.exit(main())
