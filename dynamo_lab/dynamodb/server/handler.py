"""The front door of ``dynamo-lab serve``: HTTP framing, CORS, who is
calling, and the answers to everything refused before the room sees it.

:mod:`.http` describes the protocol and the lab's endpoints and holds
:class:`~.http.Server`; this module is the request handler and the
``http.server`` subclass it runs in. A request's life:

1. :class:`~.limits.Clocked` reads the request line and headers within the
   connection's deadlines; a quick parse handles ``POST / HTTP/1.1`` and
   ``http.server``'s own the rest. Framing errors answer JSON, never HTML.
2. The body is read against ``max_body`` and the in-flight budget.
3. The caller is found: verified by :mod:`.sigv4` when the server has
   credentials, else read from the signature's scope.
4. The backend (a :class:`~.room.Room`, or one service) answers; its
   ``DynamoDBError`` becomes DynamoDB's JSON error, anything else a 500.
"""
from __future__ import annotations

import base64
import email.utils
import io
import json
import math
import os
import socket
import sys
import time
import traceback
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from ...text import plural
from ..errors import DynamoDBError, error
from . import sigv4
from .credentials import Learner
from .limits import Clocked, Gate, Limits
from .room import ANONYMOUS, Caller, CallerError
from .status import Tally

__all__ = ["Handler", "HTTPServer", "HEALTH", "CORS_ALLOW_HEADERS", "CORS_EXPOSE_HEADERS",
           "CORS_MAX_AGE"]

#: What ``GET /`` answers (the shape DynamoDB's endpoints use).
HEALTH = "healthy: dynamo-lab"

_JSON_TYPES = ("application/x-amz-json-1.0", "application/x-amz-json-1.1",
               "application/json")
_JSON10 = "application/x-amz-json-1.0"
# AWS answers an unknown operation with an empty message; so does the service.
_UNKNOWN = ""
_CORAL = "com.amazon.coral.service#"


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


class Handler(BaseHTTPRequestHandler):
    """One connection: its requests, one after another (see the module notes)."""

    raw_requestline: bytes
    # HTTP/1.1 keeps botocore's pooled connections alive between calls.
    protocol_version = "HTTP/1.1"
    # Buffered writes: headers and body leave in one segment. With two small
    # writes, Nagle's algorithm and the client's delayed ACK add ~40 ms.
    wbufsize = 1 << 16
    server: "HTTPServer"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._clock = Clocked(self.connection, self.server.limits)
        self._reader = io.BufferedReader(self._clock, 1 << 16)
        self.rfile = self._reader
        self._held = 0            # body bytes this request holds of max_inflight
        self._linger = False      # answered early: the client may still be sending
        self._linger_for = (1 << 20, 0.5)   # what the lingering close drains: bytes, seconds

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        if self._linger:
            # A lingering close: closing with the client's bytes unread sends
            # a reset, which can destroy the answer before the client reads
            # it. Half-close, then drain for a moment (bounded in time and bytes).
            try:
                self.connection.shutdown(socket.SHUT_WR)
                most, seconds = self._linger_for
                end, drained = time.monotonic() + seconds, 0
                while drained < most and (left := end - time.monotonic()) > 0:
                    self.connection.settimeout(left)
                    chunk = self.connection.recv(65536)
                    if not chunk:
                        break
                    drained += len(chunk)
            except OSError:
                pass

    def version_string(self) -> str:
        return "dynamo-lab"

    def handle_one_request(self) -> None:
        """One request, within the connection's deadlines; a client that
        stalls or goes away ends its connection, never the server."""
        self._clock.await_request()
        try:
            # http.server's loop, without its own catch of TimeoutError.
            if self._reader.peek(2)[:2] == b"\x16\x03":   # a TLS handshake record
                self.requestline = self.command = ""
                self.send_error(400, "This is a plain-HTTP port: use http://, not https://")
                return
            self.raw_requestline = self.rfile.readline(_MAX_LINE + 1)
            if len(self.raw_requestline) > _MAX_LINE:
                self.requestline = self.command = ""
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            verb = getattr(self, "do_" + self.command, None)
            if verb is None:
                self.send_error(501, f"Unsupported method ({self.command!r})")
                return
            verb()
            self.wfile.flush()
        except TimeoutError:
            self.close_connection = True
            if not self._clock.waiting:              # it stalled mid-request
                self.server.tally.refused("RequestTimeout")
                self._timed_out()
        except (ConnectionError, OSError):
            self.close_connection = True
        finally:
            if self._held:
                self.server.gate.give(self._held)
                self._held = 0

    def _timed_out(self) -> None:
        body = _encode({"__type": f"{_CORAL}RequestTimeoutException",
                        "message": f"Request not received whole within "
                                   f"{self.server.limits.timeout:g} s"}).encode()
        try:
            self._send(408, body, _JSON10, close=True, write_timeout=1.0)
        except OSError:
            pass

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

    def handle_expect_100(self) -> bool:
        """``Expect: 100-continue``: a body declared over the limit gets its
        413 instead of the go-ahead, so the client never sends it."""
        raw = (self.headers.get("Content-Length") or "").strip()
        if raw.isdigit() and int(raw) > self.server.limits.max_body:
            self._too_large()
            return False
        return super().handle_expect_100()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.verbose:
            super().log_message(format, *args)

    # -- replies -----------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, close: bool = False,
              cors: str = _CORS, write_timeout: float | None = None) -> None:
        # send_response's status line, Server and Date, written in one go.
        if self.server.verbose:
            self.log_request(status, len(body))
        if close:
            self.close_connection = self._linger = True
        head = (f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\n"
                f"Server: dynamo-lab\r\nDate: {_http_date()}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"x-amzn-RequestId: {_request_id()}\r\n"
                f"x-amz-crc32: {zlib.crc32(body) & 0xFFFFFFFF}\r\n" + cors
                + ("Connection: close\r\n" if close else "") + "\r\n")
        # A client that does not read its answer holds the thread this long.
        self.connection.settimeout(write_timeout or self.server.limits.timeout)
        self.wfile.write(head.encode("latin-1") + body)
        self.wfile.flush()

    def _send_json(self, status: int, payload: dict, close: bool = False) -> None:
        self._send(status, _encode(payload).encode("utf-8"), _JSON10, close=close)

    def _send_error(self, err: DynamoDBError,
                    status: int | None = None, close: bool = False) -> None:
        self._send_json(status or err.status, err.to_wire(), close=close)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """``http.server``'s framing errors (bad request line, bad header,
        unsupported method or version) as a JSON answer with a status line,
        never an HTTP/0.9 HTML page; the connection is closed after it."""
        kind = "SerializationException" if code < 500 else "InternalServerError"
        self.server.tally.refused(f"HTTP {code}")
        self.request_version = "HTTP/1.1"
        self._send_json(code, {"__type": f"{_CORAL}{kind}",
                               "message": message or _REASONS.get(code, "")}, close=True)

    # -- who ---------------------------------------------------------------
    def _caller(self, body: bytes) -> Caller:
        """Who sent this request: verified against the credentials file when
        there is one, else read from the signature's scope unverified."""
        srv = self.server
        items = self.headers.items()
        if srv.secrets is not None:
            key, region = sigv4.verify(self.command, self.path, items, body, srv.secret_for)
            return Caller(key, region)
        scope = sigv4.scope_of(self.headers.get("Authorization"))
        return Caller(*scope) if scope else Caller(ANONYMOUS, "us-east-1")

    def _refuse(self, err: sigv4.SignatureError) -> None:
        scope = sigv4.scope_of(self.headers.get("Authorization"))
        self.server.tally.refused(err.code, scope[0] if scope else None)
        self._send_error(err)

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
        path, _, query = self.path.partition("?")
        if path == "/_lab/status":
            self._send_json(200, self.server.status())
        elif path == "/_lab/events":
            self._events(query)
        else:
            self._send(200, HEALTH.encode(), "text/plain; charset=utf-8")

    def _events(self, query: str) -> None:
        try:
            who = self._caller(b"")
        except sigv4.SignatureError as err:
            self._refuse(err)
            return
        try:
            args = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
            nums = {}
            for name, default in (("since", "0"), ("limit", "1000")):
                text = args.get(name, default)
                if not text.isdigit():
                    raise error("ValidationException",
                                f"{name} must be a whole number >= 0, not {text!r}")
                nums[name] = int(text)
            page = self.server.backend.events_since(who, nums["since"], nums["limit"])
        except DynamoDBError as err:
            self._send_error(err)
            return
        self._send_json(200, page)

    def do_POST(self) -> None:  # noqa: N802
        body = self._read_body()
        if body is None:
            return
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype not in _JSON_TYPES:
            self._send_error(error("UnknownOperationException", _UNKNOWN))
            return
        try:
            who = self._caller(body)
        except sigv4.SignatureError as err:
            self._refuse(err)
            return
        target = self.headers.get("X-Amz-Target", "")
        try:
            params = _decode(body)
            result = self.server.backend.dispatch(who, target, params)
            payload = _encode(result).encode("utf-8")
        except DynamoDBError as err:
            if isinstance(err, CallerError):     # refused before any namespace: count it here
                self.server.tally.refused(err.code, who.access_key_id)
            self._send_error(err)
            return
        except Exception:  # the service's bug must not reach the client
            traceback.print_exc(file=sys.stderr)
            self._send_error(error("InternalServerError", "Internal server error"))
            return
        self._send(200, payload, _JSON10)

    # -- bodies ------------------------------------------------------------
    def _hold(self, n: int) -> bool:
        """Take ``n`` more body bytes of the server's in-flight budget, or
        answer 503 and return False."""
        if not self.server.gate.take(n):
            self.server.tally.refused("ServiceUnavailable")
            self._send_json(503, {"__type": f"{_CORAL}ServiceUnavailableException",
                                  "message": "The server is reading too many request "
                                             "bodies at once; try again"}, close=True)
            return False
        self._held += n
        return True

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
            self.server.tally.refused("HTTP 400")
            self._send_error(error("SerializationException",
                                   "Invalid Content-Length header"), close=True)
            return None
        if length > self.server.limits.max_body:
            self._too_large(length)
            return None
        if length and not self._hold(length):
            return None
        body = self.rfile.read(length)
        if len(body) < length:                       # the client hung up mid-body
            raise ConnectionResetError("body cut short")
        return body

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        total, limit = 0, self.server.limits.max_body
        while True:  # bounded: every pass consumes a chunk and total only grows
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip() or b"x", 16)
                if size < 0:
                    raise ValueError(size)
            except ValueError:
                self.server.tally.refused("HTTP 400")
                self._send_error(error("SerializationException",
                                       "Malformed chunked body"), close=True)
                return None
            if size == 0:
                self.rfile.readline(1024)
                break
            total += size
            if total > limit:
                self._too_large()
                return None
            if not self._hold(size):
                return None
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)
        return b"".join(parts)

    def _too_large(self, declared: int | None = None) -> None:
        """413 at once. A declared body up to twice the limit is then read
        off and thrown away while closing (memory stays flat, ``timeout``
        bounds it): a client busy sending cannot read an early answer and
        would see a broken pipe instead of DynamoDB's error. A bigger body
        is left unread."""
        if declared is not None and declared <= 2 * self.server.limits.max_body:
            self._linger_for = (declared, self.server.limits.timeout)
        self.server.tally.refused("RequestTooLarge")
        self._send_error(error("ValidationException",
                               f"Request size exceeded {self.server.limits.max_body} bytes"),
                         status=413, close=True)


class HTTPServer(ThreadingHTTPServer):
    """``http.server``'s threading server with the connection cap, the
    in-flight budget and the refusals' tally (:meth:`status`)."""

    daemon_threads = True
    allow_reuse_address = True
    # Many lab clients may connect at once (a benchmark, a room of notebooks).
    request_queue_size = 128

    def __init__(self, addr: tuple[str, int], backend: Any, verbose: bool, limits: Limits,
                 secrets: dict[str, Learner] | None) -> None:
        self.backend, self.verbose, self.limits, self.secrets = backend, verbose, limits, secrets
        self.tally = Tally()
        self.gate = Gate(limits)
        super().__init__(addr, Handler)

    def secret_for(self, key: str) -> str | None:
        learner = self.secrets.get(key) if self.secrets is not None else None
        return learner.secret_access_key if learner is not None else None

    # -- the connection cap: 503 at once, from the accepting thread ----------
    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.gate.admit():
            self.tally.refused("TooManyConnections")
            body = _encode({"__type": f"{_CORAL}ServiceUnavailableException",
                            "message": f"The server is serving its limit of "
                                       f"{plural(self.limits.max_connections, 'connection')}; "
                                       "try again"}).encode()
            head = (f"HTTP/1.1 503 Service Unavailable\r\nServer: dynamo-lab\r\n"
                    f"Content-Type: {_JSON10}\r\nContent-Length: {len(body)}\r\n"
                    f"x-amzn-RequestId: {_request_id()}\r\n"
                    f"x-amz-crc32: {zlib.crc32(body) & 0xFFFFFFFF}\r\n{_CORS}"
                    "Connection: close\r\n\r\n").encode()
            self.gate.turn_away(request, head + body)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.gate.leave()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.gate.leave()

    def service_actions(self) -> None:
        self.gate.sweep()

    def server_close(self) -> None:
        super().server_close()
        self.gate.sweep(age=0)

    def status(self) -> dict:
        names = ({k: ln.name for k, ln in self.secrets.items()}
                 if self.secrets is not None else {})
        return {"server": {"connections": self.gate.connections,
                           "max_connections": self.limits.max_connections,
                           "inflight_bytes": self.gate.inflight,
                           "credentials": self.secrets is not None,
                           "learners": sorted(names.values()), **self.tally.snapshot()},
                "names": names, "room": self.backend.status()}
