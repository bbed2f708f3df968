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
  the body bytes, which botocore checks and retries on mismatch), and CORS
  headers (below).

Who may call, and whose tables:

- Binds ``127.0.0.1`` unless ``--host`` says otherwise (the CLI warns when
  it listens elsewhere without ``--credentials``).
- Without credentials, any signature is accepted, as DynamoDB Local does;
  the access key id and region of the ``Authorization`` header's scope
  still say whose tables a request uses, and an unsigned request is
  ``Caller("anonymous", "us-east-1")``. With ``credentials`` (a
  :mod:`.credentials` file), every request's SigV4 signature is verified
  (:mod:`.sigv4`) and refused in DynamoDB's words when wrong.
- ``dynamo-lab serve`` sends requests to a :class:`~.room.Room`: one
  namespace per access key and region, or one for everybody (``--shared``).
  A :class:`Server` made in a notebook or a test serves one service to every
  caller unless given a room (and so does ``--state``).

The lab's own endpoints (not DynamoDB's):

- ``GET /`` (or any other path) answers :data:`HEALTH`.
- ``GET /_lab/events?since=<int>&limit=<int>``: the caller's namespace's
  events from position ``since`` (``{"events": [...], "next": n}``; ask
  again with ``since=next``). Signed like any request when credentials are
  on, so a learner's views read their own events and nobody else's.
- ``GET /_lab/status``: the instructor's view as JSON (``dynamo-lab serve
  --status`` prints it as text): connections, requests, errors, requests per
  second and last seen per namespace, refusals at the door per key. It shows
  counts and names, never items or secrets, and needs no signature.

CORS: every answer, errors included, allows any origin, the headers the AWS
SDK for JavaScript sends, and exposes ``x-amzn-RequestId``/``x-amz-crc32``;
``OPTIONS`` answers a preflight (never signed, so never checked).

Limits (:mod:`.limits` says what each is and why): a body over DynamoDB's
16 MB gets ``413``; a request must arrive whole within ``timeout`` seconds
(``408``) and an idle connection is closed after ``idle_timeout``; past
``max_connections``, or ``max_inflight`` body bytes at once, a request gets
``503`` (which the SDKs retry); malformed HTTP (a bad request line, header,
``Content-Length`` or chunk, HTTP/2's preface, TLS on the plain port) gets
a 4xx. Every refusal is a status line and a JSON body, never HTML; none of
them takes the server down. And:

- Malformed JSON (or a body that is not an object, or ``NaN``/``Infinity``,
  or a number too large for a double) is ``SerializationException``; an
  unknown or missing target is ``UnknownOperationException``; a content type
  other than the JSON ones is ``UnknownOperationException`` too, because
  that is how the AWS front end routes an unrecognised protocol.
- An unexpected exception inside the service becomes ``500
  InternalServerError`` with a fixed message; the traceback goes to stderr,
  never to the client.

Time: table status changes take no virtual time in a served service
(CreateTable answers ``CREATING`` and the next request sees ``ACTIVE``, so
boto3's waiters, which sleep 20 real seconds between polls, succeed at
once). ``clock="wall"`` (what ``dynamo-lab serve`` uses) ties each
namespace's virtual clock to the wall clock, as DESIGN.md allows, capped at
:data:`MAX_CATCH_UP_MS` per catch-up; ``clock="virtual"`` (tests) moves time
only with requests. ``--state FILE`` loads one shared service's tables at
start and saves them at stop; ``--data DIR`` keeps every namespace durable
(:mod:`.durable`).
"""
from __future__ import annotations

import os
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from ...errors import OptionValueError, UsageError
from ..errors import DynamoDBError, error
from ..service import handle, handle_streams, state_of
from .credentials import Learner
from .handler import CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE, HEALTH, HTTPServer
from .limits import MAX_BODY, Limits
from .room import DDB_PREFIX, STREAMS_PREFIX, Caller, Room

__all__ = ["Server", "Limits", "StateFileError", "served_service", "MAX_BODY", "HEALTH",
           "MAX_CATCH_UP_MS", "CORS_ALLOW_HEADERS", "CORS_EXPOSE_HEADERS", "CORS_MAX_AGE"]

#: The most virtual time one wall-clock catch-up may run (``clock="wall"``).
MAX_CATCH_UP_MS = 60_000
# AWS answers an unknown operation with an empty message; so does the service.
_UNKNOWN = ""


class _OneService:
    """One service for every caller: what a :class:`Server` made around a
    ``service`` routes to (the :class:`~.room.Room` interface, one
    namespace)."""

    def __init__(self, service: Any, clock: str) -> None:
        self.service, self.wall = service, clock == "wall"
        self._lock = threading.Lock()
        self._origin = time.monotonic()
        self._sim_origin = int(service.sim.now)
        self._requests = self._errors = 0
        self._recent: deque[float] = deque()
        self._last = 0.0
        self._dated = False               # the state's dates follow the real clock yet?

    def _catch_up(self) -> None:
        if not self._dated:
            # on the wall clock, dates are real (stream records, TTL, a
            # trigger's age check), also after a --state file was loaded
            state_of(self.service).follow_wall(time.time())
            self._dated = True
        target = self._sim_origin + int((time.monotonic() - self._origin) * 1000)
        behind = target - int(self.service.sim.now)
        if behind > MAX_CATCH_UP_MS:    # skip the rest of a long idle spell
            self._sim_origin -= behind - MAX_CATCH_UP_MS
            state_of(self.service).skip_wall((behind - MAX_CATCH_UP_MS) / 1000)
            behind = MAX_CATCH_UP_MS
        if behind > 0:
            self.service.run(ms=behind)

    def dispatch(self, who: Caller, target: str, params: dict) -> dict:
        with self._lock:
            self._requests += 1
            self._last = time.time()
            self._recent.append(time.monotonic())
            if self.wall:
                self._catch_up()
        try:
            if target.startswith(DDB_PREFIX) and len(target) > len(DDB_PREFIX):
                return handle(self.service, target[len(DDB_PREFIX):], params)
            if target.startswith(STREAMS_PREFIX) and len(target) > len(STREAMS_PREFIX):
                return handle_streams(self.service, target[len(STREAMS_PREFIX):], params)
            raise error("UnknownOperationException", _UNKNOWN)
        except DynamoDBError:
            self._errors += 1
            raise

    def events_since(self, who: Caller, since: int, limit: int = 1000) -> dict:
        log = self.service.log
        end = min(len(log), since + min(limit, 10_000))
        return {"events": [e.to_dict() for e in log[since:end]] if since < end else [],
                "next": max(end, min(since, len(log)))}

    def status(self) -> dict:
        now = time.monotonic()
        while self._recent and self._recent[0] < now - 10:
            self._recent.popleft()
        rate = round(len(self._recent) / 10, 1)
        return {"shared": True, "requests": self._requests, "errors": self._errors,
                "requests_per_s": rate, "namespaces": [{
                    "namespace": "one service", "access_key_ids": [], "region": "",
                    "tables": len(handle(self.service, "ListTables", {}).get("TableNames", [])),
                    "requests": self._requests, "errors": self._errors,
                    "requests_per_s": rate,
                    "last_seen": round(time.time() - self._last, 1) if self._last else None}]}

    def close(self) -> None:
        pass


class StateFileError(UsageError):
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
        The one service every caller uses (a fresh one by default): what a
        notebook's or a test's server serves. With ``room``, ``shared`` or
        ``data_dir`` instead, it serves a :class:`~.room.Room` (what
        ``dynamo-lab serve`` does): a namespace per access key and region,
        or one with ``shared=True``.
    host, port : str, int
        Where to listen. ``port=0`` picks a free port; read it from ``.url``.
    seed : int
        Seed of every namespace's service.
    state : str, optional
        A file one shared service's tables are loaded from at :meth:`start`
        and saved to at :meth:`stop`.
    clock : {"virtual", "wall"}
        ``"wall"`` ties virtual time to real time (see the module notes).
    room : Room, optional
        The room to serve (made from ``seed``, ``shared``, ``data_dir``
        otherwise).
    credentials : dict of Learner, optional
        Access key id -> :class:`~.credentials.Learner`; with it every
        request's signature is verified.
    limits : Limits, optional
        Timeouts, the connection cap and body limits.

    Examples
    --------
    >>> import urllib.request
    >>> with Server() as srv:
    ...     urllib.request.urlopen(srv.url, timeout=10).read()
    b'healthy: dynamo-lab'
    """

    def __init__(self, service: Any = None, host: str = "127.0.0.1", port: int = 0,
                 seed: int = 0, state: str | None = None, verbose: bool = False,
                 clock: str = "virtual", *, room: Room | None = None,
                 credentials: dict[str, Learner] | None = None, limits: Limits | None = None,
                 shared: bool = False, data_dir: "str | Path | None" = None) -> None:
        if clock not in ("virtual", "wall"):
            raise OptionValueError("Server", "clock", clock, "'virtual' or 'wall'")
        roomy = room is not None or shared or data_dir is not None
        if roomy and (service is not None or state is not None):
            raise UsageError("Server serves a room (room, shared, data_dir) or one service "
                             "(service, state), not both")
        if not roomy:
            self.service: Any = service if service is not None else served_service(seed)
            self.room: Room | None = None
            self._backend: Any = _OneService(self.service, clock)
        else:
            self.room = room or Room(seed=seed, shared=shared, data_dir=data_dir, clock=clock)
            self.service = None
            self._backend = self.room
        self.host, self.port, self.state, self.verbose = host, port, state, verbose
        self.clock, self.credentials = clock, credentials
        self.limits = limits or Limits()
        self._httpd: HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise UsageError("server not started")
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
        self._httpd = HTTPServer((self.host, self.port), self._backend, self.verbose,
                                  self.limits, self.credentials)
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="dynamo-lab-serve", daemon=True)
        self._thread.start()
        return self

    def status(self) -> dict:
        """What ``GET /_lab/status`` answers."""
        if self._httpd is None:
            raise UsageError("server not started")
        return self._httpd.status()

    def stop(self) -> None:
        """Stop accepting, finish, save ``state``, close the room's stores.
        Safe to call twice."""
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
        self._backend.close()

    def __enter__(self) -> "Server":
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "stopped"
        return f"<dynamo_lab Server {where}>"
