"""Whose tables: one DynamoDB per learner, as DynamoDB Local keeps them.

A workshop runs one ``dynamo-lab serve`` for the room. Like DynamoDB Local,
the server keeps a separate database for each access key and region (the
key and region of the request's credential scope), unless it is started
with ``--shared`` (DynamoDB Local's ``-sharedDb``), when everybody shares
one. Each of these **namespaces** is a whole :class:`~..service.DynamoDB`
-- its own tables, streams, simulation and event log -- made the first
time a caller uses it, from the room's seed: what one learner sees does not
depend on what the others do, and the same requests give the same run.

The namespace is named as DynamoDB Local names its files:
``<access key id>_<region>``, or ``shared-local-instance`` with
``shared=True``. As in DynamoDB Local (2.0 and later), an access key id
holds only letters and digits; any other is refused with
``UnrecognizedClientException`` before a namespace is made. That also
keeps the name safe as a file name for ``--data``.

ARNs say whose table it is: ``arn:aws:dynamodb:<region>:<account>:table/<name>``,
where the region is the caller's and the 12-digit account is derived from
the access key (:func:`account_for`): a key of 12 digits is taken as the
account itself (as LocalStack does); any other key gives the first 12
decimal digits of its SHA-256, so two learners' ARNs, and their stream
ARNs, differ and stay the same across restarts. The shared namespace, and
the ``anonymous`` caller of an unsigned request, use ``000000000000``.

Time: with ``clock="virtual"`` (tests) only requests move each namespace's
clock, and its dates start at the lab's fixed :data:`~..state.EPOCH`. With
``clock="wall"`` (``dynamo-lab serve``) each namespace's simulation catches
up with the real milliseconds since that namespace was made, before each of
its requests (at most :data:`MAX_CATCH_UP_MS` at a time, so an idle
learner's namespace never replays hours of work), and its dates are real:
the namespace's :attr:`~..state.ServiceState.epoch` (Unix seconds at virtual
time 0) is set when it is made so that its "now" is the real time, and later
dates move on by whatever an idle spell skipped or a restart missed
(:meth:`~..state.ServiceState.skip_wall`; dates already told stay). Stream
records' ``ApproximateCreationDateTime``, ``CreationDateTime`` and TTL
expiry then agree with the learner's own clock.

Examples
--------
>>> room = Room(seed=0)
>>> ada, bob = Caller("ada", "us-east-1"), Caller("bob", "eu-west-1")
>>> table = {"TableName": "Votes", "BillingMode": "PAY_PER_REQUEST",
...          "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
...          "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}
>>> _ = room.dispatch(ada, "DynamoDB_20120810.CreateTable", table)
>>> _ = room.dispatch(bob, "DynamoDB_20120810.CreateTable", table)   # no clash
>>> room.dispatch(bob, "DynamoDB_20120810.DescribeTable", {"TableName": "Votes"})["Table"]["TableArn"]
'arn:aws:dynamodb:eu-west-1:481748178650:table/Votes'
>>> room.namespace_of(ada), sorted(room.namespaces())
('ada_us-east-1', ['ada_us-east-1', 'bob_eu-west-1'])
>>> page = room.events_since(ada, 0, limit=2)
>>> [e["kind"] for e in page["events"]], page["next"]
(['table.created', 'partition.created'], 2)
"""
from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ...errors import OptionError, OptionValueError, UsageError
from ...text import plural
from ..errors import DynamoDBError, error
from ..pipeline import handle, handle_streams
from ..service import DynamoDB, state_of

if TYPE_CHECKING:  # pragma: no cover
    from .durable import DurableStore

__all__ = ["Caller", "Room", "CallerError", "account_for", "SHARED", "MAX_NAMESPACES", "ANONYMOUS",
           "MAX_CATCH_UP_MS", "MAX_EVENTS", "DDB_PREFIX", "STREAMS_PREFIX"]

#: The one namespace of a ``--shared`` room (DynamoDB Local's file name).
SHARED = "shared-local-instance"
#: How many namespaces a room makes at most, unless told (``--max-namespaces``).
MAX_NAMESPACES = 1000
#: The access key id of an unsigned request when signatures are not checked.
ANONYMOUS = "anonymous"
#: The most virtual time one wall-clock catch-up of a namespace may run.
MAX_CATCH_UP_MS = 60_000
#: The most events one :meth:`Room.events_since` page holds.
MAX_EVENTS = 10_000
DDB_PREFIX = "DynamoDB_20120810."
STREAMS_PREFIX = "DynamoDBStreams_20120810."

_KEY = re.compile(r"[A-Za-z0-9]{1,128}\Z")
_REGION = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_WINDOW_S = 10.0          # status(): requests per second over the last 10 s
_DEFAULT_ACCOUNT = "000000000000"

#: What a served namespace is made with unless ``service_options`` says
#: otherwise: table status changes take no virtual time, so boto3's
#: waiters (which sleep 20 real seconds between polls) succeed at once.
_SERVED = {"create_ms": 0, "delete_ms": 0, "update_ms": 0}
#: DynamoDB(...) keywords a room's ``service_options`` may set; the room
#: itself decides seed, sim, region and account.
_OPTION_KEYS = ("create_ms", "delete_ms", "update_ms", "request_ms", "ttl_sweep_ms",
                "partition_size_limit", "capacity", "on_demand_limits", "replication",
                "indexes")


def _plain(value: Any) -> Any:
    """``value`` as JSON has it: tuples as lists, all the way down."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the access key id and region of its credential
    scope (``Credential=<key>/<date>/<region>/dynamodb/aws4_request``).

    >>> Caller("AKIDEXAMPLE", "eu-west-1")
    Caller(access_key_id='AKIDEXAMPLE', region='eu-west-1')
    """

    access_key_id: str
    region: str


class CallerError(DynamoDBError):
    """A caller the room will not make a namespace for (HTTP 400): AWS's
    ``UnrecognizedClientException``, as DynamoDB Local answers an access
    key id that is not letters and digits, or ``InvalidSignatureException``
    for a region that is not a region's name.

    >>> CallerError().to_wire()
    {'__type': 'com.amazon.coral.service#UnrecognizedClientException', 'message': 'The Access Key ID or security token is invalid.'}
    """

    def __init__(self, message: str = "The Access Key ID or security token is invalid.",
                 code: str = "UnrecognizedClientException") -> None:
        super().__init__(code, message)


def account_for(access_key_id: str) -> str:
    """The 12-digit account a room gives ``access_key_id`` (module notes).

    >>> account_for("123456789012"), account_for("anonymous")
    ('123456789012', '000000000000')
    >>> account_for("ada") == account_for("ada") != account_for("bob")
    True
    """
    if access_key_id == ANONYMOUS:
        return _DEFAULT_ACCOUNT
    if len(access_key_id) == 12 and access_key_id.isdigit():
        return access_key_id
    digest = int.from_bytes(hashlib.sha256(access_key_id.encode("utf-8")).digest()[:8], "big")
    return f"{digest % 10 ** 12:012d}"


@dataclass(eq=False)
class _Namespace:
    """One namespace's service and its books."""

    name: str
    service: DynamoDB
    store: "DurableStore | None"
    lock: threading.Lock = field(default_factory=threading.Lock)
    origin: float = 0.0                                 # monotonic s when made
    sim_origin: int = 0
    requests: int = 0
    errors: int = 0
    recent: deque = field(default_factory=deque)       # monotonic times of recent requests
    last_seen: float = 0.0                              # wall time (epoch s)
    callers: set = field(default_factory=set)           # access keys seen (shared rooms)


class Room:
    """The namespaces of one ``dynamo-lab serve`` (see the module notes).

    Parameters
    ----------
    seed : int
        Every namespace's service is made with this seed.
    shared : bool
        One namespace for everybody (``--shared``).
    data_dir : str or Path, optional
        Keep each namespace on disk there (``--data``), through
        :func:`.durable.open_service`; None keeps them in memory.
    service_options : dict, optional
        Keywords for each namespace's :class:`~..service.DynamoDB`
        (``capacity``, ``indexes``, ``request_ms``, ...). Table status
        changes take no time unless these say otherwise.
    clock : {"virtual", "wall"}
        ``"wall"`` ties each namespace's clock to real time.
    max_namespaces : int
        How many namespaces the room makes at most (``--max-namespaces``);
        a caller who would make one more gets ``LimitExceededException``, so
        callers inventing keys or regions cannot grow the server's memory
        without bound (a room of 40 in two regions needs 80).

    Raises
    ------
    OptionError, OptionValueError
        For an option the room or the service does not know, or a bad value.
    DataDirError
        ``data_dir`` is a file, cannot be written, or another server holds it.

    Examples
    --------
    >>> Room(shared=True).namespace_of(Caller("ada", "us-east-1"))
    'shared-local-instance'
    >>> Room(service_options={"capacty": {}})
    Traceback (most recent call last):
    ...
    dynamo_lab.errors.OptionError: unknown option 'capacty' in service_options; accepted: capacity, create_ms, delete_ms, indexes, on_demand_limits, partition_size_limit, replication, request_ms, ttl_sweep_ms, update_ms
    """

    def __init__(self, *, seed: int = 0, shared: bool = False,
                 data_dir: "str | Path | None" = None,
                 service_options: dict | None = None, clock: str = "virtual",
                 max_namespaces: int = MAX_NAMESPACES) -> None:
        if clock not in ("virtual", "wall"):
            raise OptionValueError("Room", "clock", clock, "'virtual' or 'wall'")
        if isinstance(max_namespaces, bool) or not isinstance(max_namespaces, int) \
                or max_namespaces < 1:
            raise OptionValueError("Room", "max_namespaces", max_namespaces, "a whole number >= 1")
        self.max_namespaces = max_namespaces
        if not isinstance(shared, bool):
            raise OptionValueError("Room", "shared", shared, "True or False")
        options = dict(service_options or {})
        for key in options:
            if key not in _OPTION_KEYS:
                raise OptionError("service_options", key, _OPTION_KEYS)
        self.seed, self.shared, self.clock = seed, shared, clock
        self.data_dir: Path | None = None
        if data_dir is not None:
            # a bad --data (a file, unwritable, another server's) stops the room
            # now, naming the path, not every learner's first request later
            from .durable import prepare_data_dir
            self.data_dir = prepare_data_dir(data_dir)
        self._options = {**_SERVED, **options}
        self._make({"region": "us-east-1", "account": _DEFAULT_ACCOUNT})  # check the options now
        self._lock = threading.Lock()
        self._spaces: dict[str, _Namespace] = {}
        self._started = time.time()
        self._monotonic = time.monotonic      # the wall clock (a test may hold it still)
        self._closed = False

    # -- namespaces ---------------------------------------------------------
    def _make(self, where: dict) -> DynamoDB:
        return DynamoDB(seed=self.seed, **where, **self._options)

    @staticmethod
    def _check(who: Caller) -> None:
        if not isinstance(who, Caller):
            raise UsageError(f"a Room serves a Caller, not {type(who).__name__}")
        if not _KEY.match(who.access_key_id or ""):
            raise CallerError()
        if not _REGION.match(who.region or "") or len(who.region) > 32:
            raise CallerError(f"Credential should be scoped to a valid region, not "
                              f"'{who.region}'. ", code="InvalidSignatureException")

    def namespace_of(self, who: Caller) -> str:
        """The namespace ``who``'s requests go to: ``<key>_<region>``, or
        :data:`SHARED` in a shared room. Raises :class:`CallerError` for a
        key that is not letters and digits."""
        self._check(who)
        return SHARED if self.shared else f"{who.access_key_id}_{who.region}"

    def _space(self, who: Caller) -> _Namespace:
        name = self.namespace_of(who)
        with self._lock:
            ns = self._spaces.get(name)
            if ns is None:
                if self._closed:
                    raise error("InternalServerError", "Internal server error")
                if len(self._spaces) >= self.max_namespaces:
                    raise error("LimitExceededException",
                                f"This dynamo-lab server holds at most {self.max_namespaces} "
                                "namespaces (access key and region pairs) and all are in use; "
                                "check the key and region your client signs with")
                where = ({"region": "us-east-1", "account": _DEFAULT_ACCOUNT} if self.shared
                         else {"region": who.region, "account": account_for(who.access_key_id)})
                make: Callable[[], DynamoDB] = lambda: self._make(where)  # noqa: E731
                store = None
                if self.data_dir is not None:
                    from .durable import open_service
                    self.data_dir.mkdir(parents=True, exist_ok=True)
                    svc, store = open_service(self.data_dir, name, make)
                else:
                    svc = make()
                if self.clock == "wall":
                    # real dates: "now" is the real time (after a restart, the
                    # time the server was down is skipped; old dates stay)
                    state_of(svc).follow_wall(time.time())
                ns = _Namespace(name, svc, store, origin=self._monotonic(),
                                sim_origin=int(svc.sim.now))
                self._spaces[name] = ns
            return ns

    def service_for(self, who: Caller) -> DynamoDB:
        """The :class:`~..service.DynamoDB` of ``who``'s namespace, made on
        first use."""
        return self._space(who).service

    def namespaces(self) -> list[str]:
        """The namespaces made so far, in the order they were made."""
        with self._lock:
            return list(self._spaces)

    # -- requests -----------------------------------------------------------
    def _catch_up(self, ns: _Namespace) -> None:
        if self.clock != "wall":
            return
        sim = ns.service.sim
        target = ns.sim_origin + int((self._monotonic() - ns.origin) * 1000)
        behind = target - int(sim.now)
        if behind > MAX_CATCH_UP_MS:        # skip the rest of a long idle spell
            skipped = behind - MAX_CATCH_UP_MS
            ns.sim_origin -= skipped
            state_of(ns.service).skip_wall(skipped / 1000)   # the dates stay real
            behind = MAX_CATCH_UP_MS
        if behind > 0:
            ns.service.run(ms=behind)

    def dispatch(self, who: Caller, target: str, params: dict) -> dict:
        """Answer one request of ``who``: ``target`` is the ``X-Amz-Target``
        header (``DynamoDB_20120810.<Op>`` or ``DynamoDBStreams_20120810.<Op>``),
        ``params`` the decoded body. Thread-safe: one lock per namespace.
        With ``data_dir``, what the request changed is durable before this
        returns. Raises :class:`~..errors.DynamoDBError`."""
        ns = self._space(who)
        if target.startswith(DDB_PREFIX) and len(target) > len(DDB_PREFIX):
            answer, op = handle, target[len(DDB_PREFIX):]
        elif target.startswith(STREAMS_PREFIX) and len(target) > len(STREAMS_PREFIX):
            answer, op = handle_streams, target[len(STREAMS_PREFIX):]
        else:
            answer, op = None, ""
        state = state_of(ns.service)
        with ns.lock:
            now = self._monotonic()
            ns.requests += 1
            ns.recent.append(now)
            while ns.recent and ns.recent[0] < now - _WINDOW_S:
                ns.recent.popleft()
            ns.last_seen = time.time()
            ns.callers.add(who.access_key_id)
            try:
                if answer is None:
                    raise error("UnknownOperationException", "")
                self._catch_up(ns)
                return answer(state, op, params)
            except DynamoDBError:
                ns.errors += 1
                raise
            finally:
                if ns.store is not None and answer is not None:
                    ns.store.after_request(op)

    def events_since(self, who: Caller, since: int, limit: int = 1000) -> dict:
        """``who``'s namespace's events from position ``since`` on, at most
        ``limit`` (capped at :data:`MAX_EVENTS`): ``{"events": [...],
        "next": n}``, each event a JSON-safe dict (``t``, ``kind`` and its
        fields, tuples as lists); ask again with ``since=next``. Never
        another namespace's events; a namespace not made yet has none."""
        if isinstance(since, bool) or not isinstance(since, int) or since < 0:
            raise error("ValidationException", f"since must be a whole number >= 0, not {since!r}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise error("ValidationException", f"limit must be a whole number >= 1, not {limit!r}")
        name = self.namespace_of(who)
        with self._lock:
            ns = self._spaces.get(name)
        if ns is None:
            return {"events": [], "next": 0}
        with ns.lock:
            log = ns.service.log
            end = min(len(log), since + min(limit, MAX_EVENTS))
            events = [_plain(e.to_dict()) for e in log[since:end]] if since < end else []
        return {"events": events, "next": max(end, min(since, len(log)))}

    # -- the instructor's view ------------------------------------------------
    def status(self) -> dict:
        """What ``dynamo-lab serve --status`` shows: for each namespace its
        ``namespace``, ``access_key_id``\\s (the callers seen), ``region``,
        ``tables``, ``requests``, ``errors``, ``requests_per_s`` over the
        last 10 s and ``last_seen`` (seconds ago); and the room's totals.

        >>> room = Room()
        >>> _ = room.dispatch(Caller("ada", "us-east-1"), "DynamoDB_20120810.ListTables", {})
        >>> s = room.status()
        >>> s["requests"], s["namespaces"][0]["namespace"], s["namespaces"][0]["tables"]
        (1, 'ada_us-east-1', 0)
        """
        now, wall = self._monotonic(), time.time()
        with self._lock:
            spaces = list(self._spaces.values())
        rows: list[dict[str, Any]] = []
        for ns in spaces:
            with ns.lock:
                recent = sum(1 for t in ns.recent if t >= now - _WINDOW_S)
                st = state_of(ns.service)
                rows.append({
                    "namespace": ns.name,
                    "access_key_ids": sorted(ns.callers),
                    "region": st.region,
                    "tables": len(st.tables),
                    "requests": ns.requests,
                    "errors": ns.errors,
                    "requests_per_s": round(recent / _WINDOW_S, 1),
                    "last_seen": round(wall - ns.last_seen, 1) if ns.last_seen else None,
                })
        return {"shared": self.shared, "uptime_s": round(wall - self._started, 1),
                "requests": sum(r["requests"] for r in rows),
                "errors": sum(r["errors"] for r in rows),
                "requests_per_s": round(sum(r["requests_per_s"] for r in rows), 1),
                "namespaces": rows}

    def close(self) -> None:
        """Flush and close every namespace's durable store (``data_dir``).
        Safe to call twice; no namespace is made afterwards."""
        with self._lock:
            self._closed = True
            spaces = list(self._spaces.values())
        for ns in spaces:
            if ns.store is not None:
                with ns.lock:
                    ns.store.close()
                    ns.store = None

    def __enter__(self) -> "Room":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        kind = "shared" if self.shared else "per key and region"
        return f"<Room {kind}, {plural(len(self._spaces), 'namespace')}>"
