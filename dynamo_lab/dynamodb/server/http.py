"""``dynamo-lab serve``: the DynamoDB JSON 1.0 wire protocol over HTTP.

boto3, the AWS CLI, PynamoDB and any other SDK talk to the lab through
``endpoint_url``, exactly as they talk to DynamoDB Local::

    $ dynamo-lab serve --port 8000
    dynamo-lab serve: listening on http://127.0.0.1:8000

    >>> import boto3                                            # doctest: +SKIP
    >>> boto3.client("dynamodb", endpoint_url="http://127.0.0.1:8000",
    ...              region_name="us-east-1").list_tables()    # doctest: +SKIP

The protocol, as DynamoDB speaks it:

- ``POST /`` with ``X-Amz-Target: DynamoDB_20120810.<Operation>`` (or
  ``DynamoDBStreams_20120810.<Operation>``) and a JSON body in wire form.
- Success: ``200`` and the JSON response. Failure: the error's HTTP status and
  ``{"__type": "<namespace>#<Code>", "message": ...}``; botocore keeps the part
  after ``#`` as ``Error.Code``.
- Every response carries ``x-amzn-RequestId`` and ``x-amz-crc32`` (the CRC32 of
  the body bytes, which botocore checks and retries on mismatch).
- Like DynamoDB Local, any signature is accepted: the lab has no accounts.

Choices the lab makes (documented here because tests hold them):

- Binds ``127.0.0.1`` unless ``--host`` says otherwise; it prints a warning
  then, since anyone who can reach the port can change the tables.
- Request bodies are capped at :data:`MAX_BODY` (DynamoDB's 16 MB request
  limit plus a margin for JSON framing); bigger ones get ``413`` with a
  ``ValidationException`` body, and the connection is closed without
  reading the body.
- Malformed JSON (or a body that is not an object, or ``NaN``/``Infinity``,
  or a number too large for a double) is ``SerializationException``; an unknown or missing target is
  ``UnknownOperationException``; a content type other than the JSON ones is
  ``UnknownOperationException`` too, because that is how the AWS front end
  routes an unrecognised protocol. All are ``400`` and the server stays up.
- An unexpected exception inside the service becomes ``500
  InternalServerError`` with a fixed message; the traceback goes to stderr,
  never to the client.
- Table status changes take no virtual time in a served service
  (``create_ms=delete_ms=update_ms=0``): CreateTable still answers
  ``CREATING``, and the next request already sees ``ACTIVE``. boto3's
  waiters poll at once and then sleep 20 s of real time, so this is what
  keeps ``table_exists`` instant over HTTP.
- Time: ``clock="wall"`` (what ``dynamo-lab serve`` uses) ties the virtual
  clock to the wall clock, as DESIGN.md allows: before each request the
  simulation catches up with the real milliseconds since the server started,
  so a real client's request rate meets capacity limits in real seconds.
  A catch-up is capped at :data:`MAX_CATCH_UP_MS`; after a longer idle spell
  the clock moves that far and the rest is skipped, so an idle server never
  replays hours of background work. ``clock="virtual"`` (the default of
  :class:`Server`, for tests) keeps the notebook's rule: only requests move
  time, and the same seed and requests give the same run.
- ``--state FILE`` loads the tables at start and saves them at stop (an
  atomic replace). With ``ddb.dump()``/``ddb.load()`` on the service those
  are used; otherwise the tables travel through the public API
  (DescribeTable + Scan out, CreateTable + PutItem in).
- ``SIGINT`` (Ctrl-C) and ``SIGTERM`` stop the server cleanly: in-flight
  requests finish, state is saved, exit status 0.
"""
from __future__ import annotations

import base64
import email.utils
import json
import math
import os
import signal
import socket
import sys
import threading
import time
import traceback
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..errors import DynamoDBError, error

__all__ = ["Server", "StateFileError", "serve_main", "served_service", "MAX_BODY", "HEALTH", "MAX_CATCH_UP_MS"]

#: DynamoDB caps a request at 16 MB of data; the JSON framing around it gets
#: 1 MB more before the server refuses to read the body.
MAX_BODY = 17 * 1024 * 1024

#: The most virtual time one wall-clock catch-up may run (``clock="wall"``).
MAX_CATCH_UP_MS = 60_000

#: What ``GET /`` answers (the shape DynamoDB's endpoints use).
HEALTH = "healthy: dynamo-lab"

_DDB_PREFIX = "DynamoDB_20120810."
_STREAMS_PREFIX = "DynamoDBStreams_20120810."
_JSON_TYPES = ("application/x-amz-json-1.0", "application/x-amz-json-1.1",
               "application/json")
# AWS answers an unknown operation with an empty message; so does the service.
_UNKNOWN = ""


# Each random byte picks one of 32 characters (A-Z, 2-7: base32's alphabet);
# 256 is 8 x 32, so every character is equally likely.
_ID_TABLE = bytes(base64.b32encode(bytes([i << 3]))[0] for i in range(32)) * 8


def _request_id() -> str:
    # DynamoDB's request ids are 52 upper-case alphanumerics: one urandom
    # read, mapped byte by byte (base64.b32encode is a Python loop in 3.11).
    return os.urandom(52).translate(_ID_TABLE).decode("ascii")


class _Headers:
    """Request headers: first value per name, names case-insensitive (what
    the handler asks of them; ``http.server`` builds an ``email.message``,
    a tenth of a request's time)."""

    __slots__ = ("_first", "_items")

    def __init__(self) -> None:
        self._first: dict[str, str] = {}
        self._items: list[tuple[str, str]] = []

    def add(self, name: str, value: str) -> None:
        self._items.append((name, value))
        self._first.setdefault(name.lower(), value)

    def get(self, name: str, default: Any = None) -> Any:
        return self._first.get(name.lower(), default)

    def __getitem__(self, name: str) -> Any:
        return self._first.get(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._first

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def __str__(self) -> str:
        return "".join(f"{k}: {v}\n" for k, v in self._items) + "\n"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e400 parses to inf: no DynamoDB member holds that
        raise ValueError(f"{text} is out of range")
    return value


# Made once: json.loads/json.dumps with options build a new coder per call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
_encode = json.JSONEncoder(separators=(",", ":")).encode


def _decode(body: bytes) -> dict:
    """The request body as a dict, or a SerializationException."""
    if not body.strip():
        return {}
    try:
        params = _DECODER.decode(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise error("SerializationException",
                    "Start of structure or map found where not expected.") from None
    if not isinstance(params, dict):
        raise error("SerializationException",
                    "Start of structure or map found where not expected.")
    return params


_MAX_LINE = 65536          # http.server's limits on one header line ...
_MAX_HEADERS = 100         # ... and on their number
_REASONS = {int(k): v[0] for k, v in BaseHTTPRequestHandler.responses.items()}

#: The request headers a browser may send cross-origin: what the AWS SDK for
#: JavaScript v3 sends to DynamoDB (lower case, as browsers compare them).
CORS_ALLOW_HEADERS = ("authorization", "content-type", "x-amz-date", "x-amz-target",
                      "x-amz-user-agent", "x-amz-security-token", "x-amz-content-sha256",
                      "amz-sdk-invocation-id", "amz-sdk-request", "x-amz-api-version")
#: The response headers a page's script may read (botocore's and the SDK's own).
CORS_EXPOSE_HEADERS = ("x-amzn-RequestId", "x-amz-crc32")
#: How long a browser may cache a preflight answer (Chromium caps it at 2 h).
CORS_MAX_AGE = 7200
# Written into every answer, errors included: one constant string.
_CORS = ("Access-Control-Allow-Origin: *\r\n"
         "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
         f"Access-Control-Allow-Headers: {', '.join(CORS_ALLOW_HEADERS)}\r\n"
         f"Access-Control-Expose-Headers: {', '.join(CORS_EXPOSE_HEADERS)}\r\n"
         f"Access-Control-Max-Age: {CORS_MAX_AGE}\r\n")
# Extra headers a preflight may name and be granted: the SDKs' own families.
_CORS_PREFIXES = ("x-amz-", "x-amzn-", "amz-sdk-")
_DATE: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The ``Date`` header (RFC 7231), made once a second."""
    global _DATE
    now = int(time.time())
    second, text = _DATE            # one tuple: threads never see half an update
    if second != now:
        text = email.utils.formatdate(now, usegmt=True)
        _DATE = (now, text)
    return text


class _Handler(BaseHTTPRequestHandler):
    raw_requestline: bytes
    # HTTP/1.1 keeps botocore's pooled connections alive between calls.
    protocol_version = "HTTP/1.1"
    # Buffered writes: headers and body leave in one segment. With two small
    # writes, Nagle's algorithm and the client's delayed ACK add ~40 ms.
    wbufsize = 1 << 16
    server: "_HTTPServer"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self) -> str:
        return "dynamo-lab"

    def parse_request(self) -> bool:
        """``http.server``'s parse, quicker for the usual ``POST / HTTP/1.1``.

        The request line and headers are read here, without building an
        ``email.message``; anything else (HTTP/1.0, a malformed line) goes
        to ``http.server``'s own parser, which answers as it always did.
        """
        words = self.raw_requestline.split()
        if len(words) != 3 or words[2] != b"HTTP/1.1" or not words[1].startswith(b"/"):
            return super().parse_request()
        self.command = words[0].decode("iso-8859-1")
        self.path = words[1].decode("iso-8859-1")
        self.request_version = "HTTP/1.1"
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        items: list[list[str]] = []
        for _ in range(_MAX_HEADERS + 1):
            line = self.rfile.readline(_MAX_LINE + 1)
            if len(line) > _MAX_LINE:
                self.send_error(431, "Line too long")
                return False
            if line in (b"\r\n", b"\n", b""):
                break
            text = line.decode("iso-8859-1").rstrip("\r\n")
            if text[:1] in (" ", "\t") and items:      # a folded line continues
                items[-1][1] = f"{items[-1][1]} {text.strip()}"
                continue
            name, sep, value = text.partition(":")
            if not sep or not name or name != name.strip():
                self.send_error(400, "Bad request header")
                return False
            items.append([name, value.strip()])
        else:
            self.send_error(431, "Too many headers")
            return False
        headers = _Headers()
        for name, value in items:
            headers.add(name, value)
        self.headers = headers  # type: ignore[assignment]  # a Message, as far as readers go
        self.close_connection = headers.get("Connection", "").lower() == "close"
        if headers.get("Expect", "").lower() == "100-continue":
            return self.handle_expect_100()
        return True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.verbose:
            super().log_message(format, *args)

    # -- replies -----------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str,
              close: bool = False, cors: str = _CORS) -> None:
        # send_response's status line, Server and Date, written in one go.
        if self.server.verbose:
            self.log_request(status, len(body))
        if close:
            self.close_connection = True
        head = (f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\n"
                f"Server: dynamo-lab\r\nDate: {_http_date()}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"x-amzn-RequestId: {_request_id()}\r\n"
                f"x-amz-crc32: {zlib.crc32(body) & 0xFFFFFFFF}\r\n" + cors
                + ("Connection: close\r\n" if close else "") + "\r\n")
        self.wfile.write(head.encode("latin-1") + body)
        self.wfile.flush()

    def _send_json(self, status: int, payload: dict, close: bool = False) -> None:
        body = _encode(payload).encode("utf-8")
        self._send(status, body, "application/x-amz-json-1.0", close=close)

    def _send_error(self, err: DynamoDBError, status: int | None = None,
                    close: bool = False) -> None:
        self._send_json(status or err.status, err.to_wire(), close=close)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """``http.server``'s framing errors (bad request line, bad header,
        unsupported method or version) as a JSON answer with a status line,
        never an HTTP/0.9 HTML page; the connection is closed after it."""
        kind = "SerializationException" if code < 500 else "InternalServerError"
        text = message or _REASONS.get(code, "")
        body = _encode({"__type": f"com.amazon.coral.service#{kind}",
                        "message": text}).encode("utf-8")
        self.request_version = "HTTP/1.1"
        self._send(code, body, "application/x-amz-json-1.0", close=True)

    # -- verbs -------------------------------------------------------------
    def do_OPTIONS(self) -> None:  # noqa: N802
        """A CORS preflight: every origin may call, with the SDKs' headers.

        Browsers never sign a preflight, so it is answered before any
        signature check. Headers the preflight asks for beyond
        :data:`CORS_ALLOW_HEADERS` are granted when they belong to the SDKs'
        families (``x-amz-*``, ``x-amzn-*``, ``amz-sdk-*``).
        """
        if self._read_body() is None:
            return
        asked = self.headers.get("Access-Control-Request-Headers", "")
        extra = [h for h in (a.strip().lower() for a in asked.split(","))
                 if h.startswith(_CORS_PREFIXES) and h not in CORS_ALLOW_HEADERS
                 and h.replace("-", "").isalnum()]
        cors = _CORS
        if extra:
            cors = cors.replace("Access-Control-Allow-Headers: ",
                                f"Access-Control-Allow-Headers: {', '.join(extra)}, ", 1)
        if self.headers.get("Access-Control-Request-Private-Network", "").lower() == "true":
            # Chromium's Private Network Access: a page from the room's
            # network may call a server on a learner's or instructor's machine.
            cors += "Access-Control-Allow-Private-Network: true\r\n"
        self._send(200, b"", "text/plain; charset=utf-8", cors=cors)

    def do_GET(self) -> None:  # noqa: N802
        self._send(200, HEALTH.encode(), "text/plain; charset=utf-8")

    def do_POST(self) -> None:  # noqa: N802
        body = self._read_body()
        if body is None:
            return
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype not in _JSON_TYPES:
            self._send_error(error("UnknownOperationException", _UNKNOWN))
            return
        target = self.headers.get("X-Amz-Target", "")
        try:
            params = _decode(body)
            result = self.server.dispatch(target, params)
            payload = _encode(result).encode("utf-8")
        except DynamoDBError as err:
            self._send_error(err)
            return
        except Exception:  # the service's bug must not reach the client
            traceback.print_exc(file=sys.stderr)
            self._send_error(error("InternalServerError", "Internal server error"))
            return
        self._send(200, payload, "application/x-amz-json-1.0")

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering a framing error."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        raw = self.headers.get("Content-Length")
        try:
            length = int(raw) if raw is not None else 0
        except ValueError:
            length = -1
        if length < 0:
            self._send_error(error("SerializationException",
                                   "Invalid Content-Length header"), close=True)
            return None
        if length > MAX_BODY:
            self._too_large()
            return None
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        total = 0
        for _ in range(MAX_BODY):  # bounded: every pass consumes a chunk
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip() or b"x", 16)
                if size < 0:
                    raise ValueError(size)
            except ValueError:
                self._send_error(error("SerializationException",
                                       "Malformed chunked body"), close=True)
                return None
            if size == 0:
                self.rfile.readline(1024)
                break
            total += size
            if total > MAX_BODY:
                self._too_large()
                return None
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)
        return b"".join(parts)

    def _too_large(self) -> None:
        # The body is left unread, so the connection cannot be reused.
        self._send_error(error("ValidationException",
                               f"Request size exceeded {16 * 1024 * 1024} bytes"),
                         status=413, close=True)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Many lab clients may connect at once (a benchmark, a room of notebooks).
    request_queue_size = 64

    def __init__(self, addr: tuple[str, int], service: Any, verbose: bool,
                 clock: str) -> None:
        self.service = service
        self.verbose = verbose
        self.wall = clock == "wall"
        self._clock_lock = threading.Lock()
        self._origin = time.monotonic()
        self._sim_origin = self._sim_now()
        super().__init__(addr, _Handler)

    def _sim_now(self) -> int:
        return int(self.service.sim.now)

    def catch_up(self) -> None:
        """Run the simulation up to the wall clock (``clock="wall"``)."""
        if not self.wall:
            return
        with self._clock_lock:
            target = self._sim_origin + int((time.monotonic() - self._origin) * 1000)
            behind = target - self._sim_now()
            if behind > MAX_CATCH_UP_MS:
                # Skip the rest of a long idle spell: re-base the origin.
                self._sim_origin -= behind - MAX_CATCH_UP_MS
                behind = MAX_CATCH_UP_MS
            if behind > 0:
                self.service.run(ms=behind)

    def dispatch(self, target: str, params: dict) -> dict:
        self.catch_up()
        if target.startswith(_DDB_PREFIX):
            op = target[len(_DDB_PREFIX):]
            if op:
                return self.service.handle(op, params)
        elif target.startswith(_STREAMS_PREFIX):
            op = target[len(_STREAMS_PREFIX):]
            if op:
                return self.service.handle_streams(op, params)
        raise error("UnknownOperationException", _UNKNOWN)


class StateFileError(ValueError):
    """The ``--state`` file exists but cannot be loaded."""


def served_service(seed: int = 0) -> Any:
    """A ``DynamoDB`` set up for serving: table status changes take no
    virtual time, so HTTP waiters succeed on their first poll."""
    from ..service import DynamoDB
    return DynamoDB(seed=seed, create_ms=0, delete_ms=0, update_ms=0)


class Server:
    """A running ``dynamo-lab serve`` in this process, for tests and notebooks.

    Parameters
    ----------
    service : DynamoDB, optional
        The service to serve; a fresh ``DynamoDB(seed=seed)`` by default.
    host, port : str, int
        Where to listen. ``port=0`` picks a free port; read it from ``.url``.
    seed : int
        Seed of the default service.
    state : str, optional
        A file the tables are loaded from at :meth:`start` and saved to at
        :meth:`stop`.
    clock : {"virtual", "wall"}
        ``"wall"`` ties virtual time to real time (see the module notes).

    Examples
    --------
    >>> with Server() as srv:                                   # doctest: +SKIP
    ...     srv.url
    'http://127.0.0.1:54321'
    """

    def __init__(self, service: Any = None, host: str = "127.0.0.1", port: int = 0,
                 seed: int = 0, state: str | None = None, verbose: bool = False,
                 clock: str = "virtual") -> None:
        if clock not in ("virtual", "wall"):
            raise ValueError(f"clock must be 'virtual' or 'wall', not {clock!r}")
        if service is None:
            service = served_service(seed)
        self.service = service
        self.host, self.port, self.state, self.verbose = host, port, state, verbose
        self.clock = clock
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"

    def start(self) -> "Server":
        """Load ``state`` if it exists, bind, and serve in a daemon thread."""
        if self.state and os.path.exists(self.state):
            from . import statefile
            try:
                statefile.load_file(self.service, self.state)
            except (OSError, ValueError, KeyError, TypeError, DynamoDBError) as exc:
                raise StateFileError(f"{self.state}: {exc}") from exc
        self._httpd = _HTTPServer((self.host, self.port), self.service, self.verbose,
                                  self.clock)
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="dynamo-lab-serve", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, finish, save ``state``. Safe to call twice."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.state:
            from . import statefile
            statefile.save_file(self.service, self.state)

    def __enter__(self) -> "Server":
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "stopped"
        return f"<dynamo_lab Server {where}>"


def serve_main(args: Any) -> int:
    """Entry point of ``dynamo-lab serve``: serve until SIGINT or SIGTERM."""
    loopback = args.host in ("127.0.0.1", "localhost", "::1")
    stop = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        stop.set()

    try:
        server = Server(host=args.host, port=args.port, seed=args.seed,
                        state=args.state, clock="wall").start()
    except StateFileError as exc:
        print(f"dynamo-lab serve: cannot load state from {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"dynamo-lab serve: cannot listen on {args.host}:{args.port}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    if not loopback:
        print(f"dynamo-lab serve: warning: listening on {args.host}; anyone who "
              "can reach this port can read and change the tables", file=sys.stderr)
    print(f"dynamo-lab serve: listening on {server.url}", flush=True)
    print(f"dynamo-lab serve: boto3.client('dynamodb', endpoint_url='{server.url}', "
          f"region_name='us-east-1'); lessons follow DYNAMO_LAB_ENDPOINT={server.url}; "
          "Ctrl-C stops", flush=True)
    try:
        # A timed wait lets the main thread see the signal flag promptly.
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    saved = f", tables saved to {args.state}" if args.state else ""
    print(f"dynamo-lab serve: stopped{saved}", flush=True)
    return 0
