"""What a room's server does at its limits (issue 13, part 4, "Limits").

Measures and prints, changing nothing in the server:

- size: a body declared far over DynamoDB's 16 MB request limit (is it
  refused before it is read?), a chunked body streamed until the server
  stops it (how much does it read?), a real 16.5 MB request (over DynamoDB's
  limit), six at once, an item over 400 KB, a 70 KB header line, 150 headers;
- connections: an idle keep-alive connection and a silent one (when does
  the server hang up?), and more connections at once than the server's cap
  (are the extra ones answered at once, and is the server still serving?);
- slow clients: connections that trickle their headers, trickle their body,
  or send nothing, held for ``--slow-seconds`` while a healthy client keeps
  calling: does the server time them out, and does the healthy client wait?
- malformed HTTP: a garbage request line, bad or negative Content-Length,
  a header without a colon, bad chunk sizes, the HTTP/2 preface, a TLS
  hello (https:// against http), NUL bytes, an unknown HTTP version or
  method, bad JSON, no target, a body cut short: the status of each answer;
- after all of it: is the server still up (``GET /``, ListTables)?

Run alone it starts its own server: ``dynamo-lab serve`` with short limits
(``--timeout``, ``--idle-timeout``, ``--max-connections``, so the run shows
each limit at work in seconds), or ``moto_server``/``dynalite`` with
``--server``; ``room_load.py`` runs it after the load on the server it used.

    .venv/bin/python benchmarks/room_limits.py [--server lab] [--slow-seconds 15]
"""
from __future__ import annotations

import argparse
import json
import re
import select
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import room_load  # noqa: E402

__all__ = ["probe_limits", "main_probe", "exchange"]

MB = 1024 * 1024
JSON10 = "application/x-amz-json-1.0"
# An unchecked signature whose scope names the service: moto_server routes on it.
AUTH = ("Authorization: AWS4-HMAC-SHA256 Credential=probe/20260101/us-east-1/dynamodb/"
        "aws4_request, SignedHeaders=host, Signature=00\r\n")


def _head(target: str = "ListTables", length: int | None = None, extra: str = "") -> bytes:
    cl = f"Content-Length: {length}\r\n" if length is not None else ""
    return (f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {JSON10}\r\n"
            f"X-Amz-Target: DynamoDB_20120810.{target}\r\n{AUTH}{cl}{extra}\r\n").encode()


def _connect(port: int, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def _answer(s: socket.socket, wait: float) -> tuple[str, bool]:
    """The status line (and error type) the server sent within ``wait`` s,
    and whether it closed the connection."""
    buf, closed, end = b"", False, time.monotonic() + wait
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        try:
            data = s.recv(65536)
        except OSError:
            closed = True
            break
        if not data:
            closed = True
            break
        buf += data
        head, sep, body = buf.partition(b"\r\n\r\n")
        if sep:
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), None)
            if length is not None and len(body) >= length:
                break
    if not buf:
        return ("closed, no answer" if closed else f"no answer in {wait:g} s"), closed
    text = buf.decode("latin-1")
    if not text.startswith("HTTP/"):             # http.server's HTTP/0.9-style answer
        status, body = "no status line, only an HTML page", text
    else:
        status, _, body = text.partition("\r\n\r\n")
        status = status.split("\r\n", 1)[0]
    try:
        kind = json.loads(body).get("__type", "").rsplit("#", 1)[-1]
    except (ValueError, AttributeError):
        m = re.search(r"<p>Message: (.*?)</p>", body, re.S)
        kind = (m.group(1) if m else body[:60]).strip()[:70]
    return f"{status}" + (f" ({kind})" if kind else ""), closed


def exchange(port: int, data: bytes, wait: float = 5.0) -> tuple[str, bool, float]:
    """Send ``data`` on a fresh connection; (answer, closed, seconds)."""
    t0 = time.monotonic()
    with _connect(port) as s:
        try:
            s.sendall(data)
        except OSError as exc:
            return f"send failed: {type(exc).__name__}", True, time.monotonic() - t0
        answer, closed = _answer(s, wait)
    return answer, closed, time.monotonic() - t0


def _threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


# -- size ------------------------------------------------------------------------
def _declared_gib(url: str, port: int, pid: int) -> str:
    ans, closed, secs = exchange(port, _head("PutItem", 1 << 30), wait=10)
    return f"{ans} after {secs:.2f} s{', connection closed' if closed else ''}"


def _chunked(url: str, port: int, pid: int) -> str:
    # Chunked: the size is not known up front, so the server must count.
    sent, t0, rss0 = 0, time.monotonic(), room_load.rss_mb(pid)
    with _connect(port) as s:
        s.sendall(_head("PutItem", extra="Transfer-Encoding: chunked\r\n"))
        chunk = b"%x\r\n" % MB + b" " * MB + b"\r\n"
        while sent < 64 * MB:
            if select.select([s], [], [], 0)[0]:
                break
            try:
                s.sendall(chunk)
            except OSError:
                break
            sent += MB
        ans, _ = _answer(s, 10)
    return (f"{ans}; {sent // MB} MiB sent (socket buffers hold some) before it answered "
            f"({time.monotonic() - t0:.1f} s); server RSS {rss0:.0f} -> "
            f"{room_load.rss_mb(pid):.0f} MB")


_BIG = json.dumps({"TableName": "room-limits", "Item": {
    "pk": {"S": "big"}, "v": {"S": "x" * (16 * MB + MB // 2)}}}).encode()


def _big(url: str, port: int, pid: int) -> str:
    rss0 = room_load.rss_mb(pid)
    ans, closed, secs = exchange(port, _head("PutItem", len(_BIG)) + _BIG, wait=60)
    return f"{ans} after {secs:.1f} s; server RSS {rss0:.0f} -> {room_load.rss_mb(pid):.0f} MB"


def _big_at_once(url: str, port: int, pid: int, n: int = 6) -> str:
    # Each connection has its own thread: several big bodies at once.
    done: list[str] = []
    t0, rss0 = time.monotonic(), room_load.rss_mb(pid)
    peak = [rss0]
    workers = [threading.Thread(target=lambda: done.append(exchange(
        port, _head("PutItem", len(_BIG)) + _BIG, wait=60)[0])) for _ in range(n)]
    for w in workers:
        w.start()
    while any(w.is_alive() for w in workers):
        peak.append(room_load.rss_mb(pid))
        time.sleep(0.05)
    answers = sorted(set(done))
    return (f"{n} answered in {time.monotonic() - t0:.1f} s: {'; '.join(answers)}; "
            f"server RSS {rss0:.0f} -> peak {max(peak):.0f} MB")


def _item_401kb(url: str, port: int, pid: int) -> str:
    try:
        room_load.client(url).put_item(TableName="room-limits", Item={
            "pk": {"S": "a"}, "v": {"S": "x" * (401 * 1024)}})
        return "accepted"
    except Exception as exc:
        err = getattr(exc, "response", {}).get("Error", {})
        return f"{err.get('Code', type(exc).__name__)}: {err.get('Message', exc)}"[:150]


def _long_header(url: str, port: int, pid: int) -> str:
    ans, closed, secs = exchange(port, _head(extra=f"X-Pad: {'a' * 70_000}\r\n", length=0))
    return f"{ans} after {secs:.2f} s"


def _many_headers(url: str, port: int, pid: int) -> str:
    many = "".join(f"X-H{i}: v\r\n" for i in range(150))
    ans, closed, secs = exchange(port, _head(extra=many, length=0))
    return f"{ans} after {secs:.2f} s"


SIZE = [("1 GiB declared in Content-Length, no body sent", _declared_gib),
        ("chunked body streamed in 1 MiB chunks (up to 64 MiB)", _chunked),
        ("a 16.5 MiB PutItem (over DynamoDB's 16 MB request limit)", _big),
        ("6 such requests at once", _big_at_once),
        ("PutItem of a 401 KB item", _item_401kb),
        ("a 70 KB header line", _long_header),
        ("150 header lines", _many_headers)]


# -- connections -----------------------------------------------------------------
def _closed_after(s: socket.socket, wait: float) -> str:
    t0 = time.monotonic()
    ans, closed = _answer(s, wait)
    secs = time.monotonic() - t0
    if not closed:
        return f"still open after {wait:g} s"
    extra = "" if ans.startswith("closed, no answer") else f" (answered {ans})"
    return f"closed by the server after {secs:.1f} s{extra}"


def _idle_keep_alive(url: str, port: int, pid: int, wait: float = 40.0) -> str:
    with _connect(port, timeout=wait + 5) as s:
        s.sendall(_head(length=2) + b"{}")
        first, _ = _answer(s, 5)                 # reads one whole answer, then returns
        return f"{first}; then {_closed_after(s, wait)}"


def _silent(url: str, port: int, pid: int, wait: float = 40.0) -> str:
    with _connect(port, timeout=wait + 5) as s:
        return _closed_after(s, wait)


def _over_the_cap(url: str, port: int, pid: int, n: int = 300) -> str:
    """``n`` connections at once, each sending half a request line."""
    socks, answers, t0 = [], {}, time.monotonic()
    try:
        for _ in range(n):
            try:
                s = _connect(port, timeout=5)
                s.sendall(b"POST / HTTP/1.1\r\n")
                socks.append(s)
            except OSError as exc:
                answers[f"connect failed: {type(exc).__name__}"] = \
                    answers.get(f"connect failed: {type(exc).__name__}", 0) + 1
        time.sleep(0.5)
        for s in socks:
            if select.select([s], [], [], 0)[0]:
                ans, _ = _answer(s, 1)
                answers[ans] = answers.get(ans, 0) + 1
        held = len(socks) - sum(v for k, v in answers.items() if not k.startswith("connect"))
        health = _healthy(port)
    finally:
        for s in socks:
            s.close()
    said = "; ".join(f"{v} x {k}" for k, v in sorted(answers.items()))
    return (f"{held} held open, {said or 'none answered'} within "
            f"{time.monotonic() - t0:.1f} s; a fresh ListTables meanwhile: "
            + (f"{health:.0f} ms" if health is not None else "failed (refused or timed out)"))


CONNECTIONS = [("an idle keep-alive connection after one request", _idle_keep_alive),
               ("a connection that never sends a byte", _silent),
               ("300 connections at once, each half a request line", _over_the_cap)]


# -- malformed HTTP --------------------------------------------------------------
MALFORMED: list[tuple[str, bytes]] = [
    ("garbage request line", b"HELLO\r\n\r\n"),
    ("request line with no version", b"POST /\r\n\r\n"),
    ("HTTP/9.9", b"POST / HTTP/9.9\r\nHost: x\r\n\r\n"),
    ("Content-Length: abc", _head(extra="Content-Length: abc\r\n")),
    ("Content-Length: -5", _head(extra="Content-Length: -5\r\n")),
    ("a header line without a colon", b"POST / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n"),
    ("chunk size 'zz'", _head(extra="Transfer-Encoding: chunked\r\n") + b"zz\r\n"),
    ("HTTP/2 preface (h2c prior knowledge)", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    ("TLS ClientHello (https:// on an http port)",
     bytes.fromhex("16030100a5010000a10303") + bytes(32) + b"\x00\x00\x02\x13\x01\x01\x00"),
    ("NUL bytes", b"\x00" * 64 + b"\r\n\r\n"),
    ("method DELETE", b"DELETE / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"),
    ("JSON body that is not JSON", _head(length=7) + b"{nope}}"),
    ("no X-Amz-Target",
     f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: {JSON10}\r\nContent-Length: 2\r\n\r\n{{}}"
     .encode()),
    ("body shorter than Content-Length, then silence", _head(length=100) + b'{"a":'),
]


def _malformed(data: bytes) -> Any:
    def probe(url: str, port: int, pid: int) -> str:
        ans, closed, secs = exchange(port, data, wait=3)
        return f"{ans}{', closed' if closed else ''} ({secs:.2f} s)"
    return probe


def _healthy(port: int) -> float | None:
    """Milliseconds for a ListTables on a fresh connection; None if it failed."""
    t0 = time.monotonic()
    try:
        ans, _, _ = exchange(port, _head(length=2) + b"{}", wait=10)
    except OSError:
        return None
    return (time.monotonic() - t0) * 1000 if " 200 " in ans else None


def _ms(xs: list[float | None]) -> str:
    ok = [x for x in xs if x is not None]
    if not ok:
        return f"all {len(xs)} failed"
    return (f"median {statistics.median(ok):.1f} ms, worst {max(ok):.1f} ms"
            + (f", {len(xs) - len(ok)} failed" if len(ok) < len(xs) else ""))


# -- slow clients ----------------------------------------------------------------
def slow_probe(url: str, port: int, pid: int, clients: int, seconds: float) -> list[tuple[str, str]]:
    """Hold ``clients`` trickling connections (a third each: headers a byte at
    a time, a body a byte at a time, nothing at all) for ``seconds`` while a
    healthy client calls ListTables on a fresh connection every 0.5 s."""
    kinds = {"headers": _head() + b"X-Pad: " + b"a" * 100_000,
             "body": _head(length=100_000) + b"{" + b" " * 100_000,
             "idle": b""}
    threads0 = _threads(pid)
    before: list[float | None] = []
    for _ in range(6):
        before.append(_healthy(port))
        time.sleep(0.2)
    socks: list[tuple[str, socket.socket, bytes]] = []
    for i in range(clients):
        kind = list(kinds)[i % 3]
        s = _connect(port)
        s.setblocking(False)
        # The body kind sends its whole head at once; the rest trickles.
        head = _head(length=100_000) if kind == "body" else b""
        if head:
            s.sendall(head)
        socks.append((kind, s, kinds[kind][len(head):]))
    closed_at: dict[int, float] = {}
    healthy: list[float | None] = []
    t0 = time.monotonic()
    peak = threads0
    tick = 0
    while time.monotonic() - t0 < seconds:
        for n, (kind, s, rest) in enumerate(socks):
            if n in closed_at:
                continue
            try:
                if select.select([s], [], [], 0)[0] and not s.recv(4096):
                    raise ConnectionResetError
                if kind != "idle":
                    s.send(rest[tick:tick + 1])
            except OSError:
                closed_at[n] = time.monotonic() - t0
        tick += 1
        peak = max(peak, _threads(pid))
        h0 = time.monotonic()
        healthy.append(_healthy(port))
        time.sleep(max(0.0, 0.5 - (time.monotonic() - h0)))
    by_kind = {k: sum(1 for n, (kk, _, _) in enumerate(socks) if kk == k and n in closed_at)
               for k in kinds}
    for _, s, _ in socks:
        s.close()
    time.sleep(1.0)
    out = [(f"{clients} slow connections held {seconds:g} s "
            f"(a third each: trickled headers, trickled body, idle)",
            f"the server closed {len(closed_at)} of them "
            f"({', '.join(f'{k} {v}' for k, v in by_kind.items())})"
            + (f", the first after {min(closed_at.values()):.1f} s" if closed_at else
               ": no timeout, each holds a server thread for as long as it likes")),
           ("server threads", f"{threads0} before, {peak} while held, "
                              f"{_threads(pid)} 1 s after the clients hung up"),
           ("a healthy ListTables meanwhile (a fresh connection each, raw HTTP)",
            f"{len(healthy)} calls: {_ms(healthy)} (before the slow clients: {_ms(before)})")]
    return out


def _alive(port: int) -> bool:
    try:
        _connect(port, timeout=5).close()
        return True
    except OSError:
        return False


def probe_limits(url: str, pid: int, slow_clients: int = 60,
                 slow_seconds: float = 15.0) -> list[tuple[str, str]]:
    """Every probe, in order; (what was sent, what happened) pairs. A probe
    that fails is a finding too, and so is a server that is gone after it."""
    port = urlsplit(url).port
    assert port is not None
    c = room_load.client(url)
    c.create_table(TableName="room-limits", BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    found: list[tuple[str, str]] = []
    probes = SIZE + CONNECTIONS + [(name, _malformed(data)) for name, data in MALFORMED]
    for name, probe in probes:
        try:
            found.append((name, probe(url, port, pid)))
        except Exception as exc:
            found.append((name, f"probe failed: {type(exc).__name__}: {exc}"))
        if not _alive(port):
            found.append(("SERVER DOWN", f"it stopped accepting connections after: {name}"))
            return found
    found += slow_probe(url, port, pid, slow_clients, slow_seconds)
    try:
        ans, _, _ = exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        names = c.list_tables()["TableNames"]
        found.append(("still up afterwards?", f"GET / -> {ans}; ListTables -> {len(names)} tables"))
    except Exception as exc:
        found.append(("still up afterwards?", f"NO: {type(exc).__name__}: {exc}"))
    return found


def main_probe(url: str, pid: int, slow_clients: int = 60, slow_seconds: float = 15.0,
               name: str = "dynamo-lab serve") -> None:
    print(f"limits of {name} ({url}):", flush=True)
    for what, happened in probe_limits(url, pid, slow_clients, slow_seconds):
        print(f"  {what}:\n      {happened}", flush=True)


@contextmanager
def lab_server(timeout: float, idle: float, cap: int) -> Iterator[tuple[str, int]]:
    """``dynamo-lab serve`` on a free loopback port with these limits."""
    port = room_load._free_port()
    proc = subprocess.Popen([str(room_load.BIN / "dynamo-lab"), "serve", "--port", str(port),
                             "--timeout", str(timeout), "--idle-timeout", str(idle),
                             "--max-connections", str(cap)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while _healthy(port) is None:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dynamo-lab serve did not start on {url}")
            time.sleep(0.2)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", default="lab", choices=list(room_load.SERVERS))
    ap.add_argument("--slow-clients", type=int, default=60)
    ap.add_argument("--slow-seconds", type=float, default=15.0)
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="the lab's --timeout and --idle-timeout for this run (default 5)")
    ap.add_argument("--max-connections", type=int, default=100,
                    help="the lab's --max-connections for this run (default 100)")
    args = ap.parse_args(argv)
    if args.server == "lab":
        where = lab_server(args.timeout, args.timeout, args.max_connections)
        name = (f"dynamo-lab serve --timeout {args.timeout:g} --idle-timeout "
                f"{args.timeout:g} --max-connections {args.max_connections}")
    else:
        where, name = room_load.server(args.server), room_load.SERVERS[args.server]
    with where as (url, pid):
        main_probe(url, pid, args.slow_clients, args.slow_seconds, name)
    return 0


if __name__ == "__main__":
    room_load.stop_on_sigterm()
    sys.exit(main())
