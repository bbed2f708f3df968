"""Real boto3 clients whose requests a :class:`DynamoDB` in this process answers.

:func:`lab_client` makes an ordinary ``boto3.client("dynamodb")`` (its own
boto3 Session, so no global state or environment is touched) and hooks its
``before-send`` event: botocore serializes the request exactly as it would
for AWS, the hook hands ``X-Amz-Target`` and the JSON body to
:meth:`DynamoDB.handle`, and botocore parses the answer exactly as it would
parse AWS's. Paginators, ``boto3.resource``, ``boto3.dynamodb.conditions``
and ``ClientError`` codes therefore work unchanged.

Two things would otherwise wait on the wall clock, and here wait in virtual
time instead:

* **Waiters** (``table_exists``/``table_not_exists``): ``get_waiter`` returns
  a botocore waiter with the service's own model and acceptors whose pause
  between polls advances the simulation (:class:`VirtualWaiter`).
* **Retries**: the client uses botocore's *standard* retry mode; its backoff
  delay advances the simulation instead of sleeping, and each retry is a
  ``client.retry`` event. ``retries=0`` turns retrying off.

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> c = DynamoDB(seed=0).client()
>>> c.list_tables()["TableNames"]
[]
>>> c.describe_table(TableName="nope")
Traceback (most recent call last):
...
botocore.errorfactory.ResourceNotFoundException: An error occurred (ResourceNotFoundException) when calling the DescribeTable operation: Requested resource not found: Table: nope not found
"""
from __future__ import annotations

import itertools
import json
import threading
import zlib
from functools import partial
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Callable

import boto3
import botocore
import botocore.handlers
import botocore.useragent
import botocore.waiter
from botocore.awsrequest import (
    AWSPreparedRequest,
    AWSRequestPreparer,
    AWSResponse,
    HeadersDict,
    create_request_object,
)
from botocore.config import Config
from botocore.context import get_context
from botocore.exceptions import WaiterError
from botocore.retries import standard

from ...errors import ArgumentError, OptionValueError, UsageError
from ..errors import DynamoDBError
from ..pipeline import handle, handle_streams, run

if TYPE_CHECKING:  # pragma: no cover
    from ..state import ServiceState

__all__ = ["lab_client", "lab_resource", "lab_streams_client", "VirtualWaiter", "ENDPOINT"]

#: The endpoint lab clients claim to talk to; ``.invalid`` never resolves,
#: so a request that escaped the hook could not reach anything real.
ENDPOINT = "http://dynamo-lab.invalid"


class _Raw:
    """The smallest raw body AWSResponse reads: ``stream()`` yields bytes."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any):
        yield self._data


#: One compact encoder (``json.dumps`` with options makes a new one per call).
_encode = json.JSONEncoder(separators=(",", ":")).encode


def _sender(state: "ServiceState", handle: Callable[[str, Any], dict]):

    def send(request, **_: Any) -> AWSResponse:
        target = request.headers.get("X-Amz-Target", b"")
        if isinstance(target, bytes):
            target = target.decode()
        operation = target.rpartition(".")[2]
        body = request.body or b"{}"
        if hasattr(body, "read"):
            body = body.read()
        try:
            try:
                params = json.loads(body)
            except ValueError:
                raise DynamoDBError("SerializationException",
                                    "Start of structure or map found where not expected.") from None
            status, payload = 200, handle(operation, params)
        except DynamoDBError as e:
            status, payload = e.status, e.to_wire()
        raw = _encode(payload).encode()
        headers = {"x-amzn-RequestId": state.request_id(),
                   "x-amz-crc32": str(zlib.crc32(raw) & 0xFFFFFFFF),
                   "Content-Type": "application/x-amz-json-1.0",
                   "Content-Length": str(len(raw))}
        return AWSResponse(request.url, status, headers, _Raw(raw))
    return send


class _RetryShim:
    """Catches botocore's standard retry handler as it registers, so its
    backoff can advance virtual time instead of sleeping."""

    def __init__(self, events, state: "ServiceState") -> None:
        self._events, self._state = events, state

    def register(self, event: str, handler, unique_id: str | None = None, **kw: Any) -> None:
        if event.startswith("needs-retry"):
            _seed_jitter(self._state, handler)
            handler = _virtual_backoff(self._state, handler)
            unique_id = "lab-" + (unique_id or "retry")
        self._events.register(event, handler, unique_id=unique_id, **kw)


def _seed_jitter(state: "ServiceState", handler) -> None:
    """Draw botocore's backoff jitter from the simulation's seed.

    botocore's ExponentialBackoff takes ``random.random`` by default, so two
    runs with one seed would retry after different delays. Each lab client
    gets its own named stream; a botocore whose retry objects no longer look
    like this fails loudly rather than quietly losing determinism.
    """
    try:
        backoff = handler.__self__._retry_policy._retry_backoff
        backoff._random  # noqa: B018 - the attribute must exist to be replaced
    except AttributeError as e:  # pragma: no cover - only on a botocore redesign
        raise UsageError("botocore's standard retry handler changed shape; "
                         "dynamo_lab cannot seed its backoff jitter") from e
    state.retry_streams += 1
    backoff._random = state.sim.rng_for(f"client-retry-{state.retry_streams}").random


def _virtual_backoff(state: "ServiceState", handler):
    def needs_retry(**kwargs: Any):
        delay = handler(**kwargs)
        if delay is None or delay is False:
            return delay
        ms = max(0, int(round(delay * 1000)))
        op = kwargs.get("operation")
        with state.lock:   # the log is shared with the service's threads
            state.log.emit("client.retry", operation=getattr(op, "name", "?"),
                           attempt=int(kwargs.get("attempts", 0)), delay_ms=ms)
        run(state, ms)
        return 0          # botocore sleeps this long: not at all
    return needs_retry


class VirtualWaiter(botocore.waiter.Waiter):
    """botocore's waiter (same model, acceptors and WaiterError reasons) that
    lets virtual time pass between polls instead of sleeping."""

    def __init__(self, state: "ServiceState", name: str, config, operation_method) -> None:
        super().__init__(name, config, operation_method)
        self._state = state

    def wait(self, **kwargs: Any) -> None:
        acceptors = list(self.config.acceptors)
        state = "waiting"
        cfg = kwargs.pop("WaiterConfig", {})
        delay = cfg.get("Delay", self.config.delay)
        max_attempts = cfg.get("MaxAttempts", self.config.max_attempts)
        matched = None
        attempts = 0
        while True:
            response = self._operation_method(**kwargs)
            attempts += 1
            for acceptor in acceptors:
                if acceptor.matcher_func(response):
                    matched, state = acceptor, acceptor.state
                    break
            else:
                if botocore.waiter.is_valid_waiter_error(response):
                    err = response["Error"]
                    raise WaiterError(name=self.name, reason="An error occurred ({}): {}".format(
                        err.get("Code", "Unknown"), err.get("Message", "Unknown")),
                        last_response=response)
            if state == "success":
                return
            if state == "failure":
                raise WaiterError(name=self.name, reason="Waiter encountered a terminal failure "
                                  f"state: {getattr(matched, 'explanation', '')}",
                                  last_response=response)
            if attempts >= max_attempts:
                reason = "Max attempts exceeded" if matched is None else \
                    f"Max attempts exceeded. Previously accepted state: {matched.explanation}"
                raise WaiterError(name=self.name, reason=reason, last_response=response)
            run(self._state, int(delay * 1000))


def _waiter_factory(state: "ServiceState", c):
    model = botocore.waiter.WaiterModel(
        c._loader.load_service_model("dynamodb", "waiters-2", c.meta.service_model.api_version))

    def get_waiter(waiter_name: str):
        mapping = {botocore.xform_name(n): n for n in model.waiter_names}
        if waiter_name not in mapping:
            raise ArgumentError(f"Waiter does not exist: {waiter_name}")
        config = model.get_waiter(mapping[waiter_name])
        method = botocore.waiter.NormalizedOperationMethod(
            getattr(c, botocore.xform_name(config.operation)))
        return VirtualWaiter(state, mapping[waiter_name], config, method)
    return get_waiter


def _config(retries: int | None, config: Config | None) -> Config:
    r: dict[str, Any] = {"mode": "standard"}
    if retries is not None:
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise OptionValueError("client", "retries", retries,
                                   "a whole number >= 0 (0: no retries)")
        r["total_max_attempts"] = retries + 1
    base = Config(retries=r, parameter_validation=True)
    return base.merge(config) if config is not None else base


def _unsigned(**_: Any):
    return botocore.UNSIGNED


def _cache_endpoint(c) -> None:
    """Resolve the endpoint once per client, not once per call.

    botocore runs the DynamoDB endpoint ruleset on every call. With a
    custom endpoint that ruleset
    answers the endpoint itself whatever the operation or its parameters:
    only the client's configuration (region, FIPS, dual-stack) decides, and
    that is fixed. So the first answer is kept, but only when it is exactly
    the client's endpoint with no extra headers or properties; errors (FIPS
    with a custom endpoint) are never kept and so repeat on every call. The
    user-agent feature ids the resolution registers are registered again on
    each call.
    """
    resolver = getattr(c, "_ruleset_resolver", None)
    if resolver is None:
        return
    resolve = c._resolve_endpoint_ruleset
    register = resolver._register_endpoint_feature_ids
    cache: dict[bool, tuple] = {}

    def cached(operation_model, params, request_context, ignore_signing_region=False):
        hit = cache.get(ignore_signing_region)
        if hit is not None:
            url, replay = hit
            for args in replay:
                register(*args)
            return url, {}, {}
        registered: list[tuple] = []

        def record(*args: Any) -> None:
            registered.append(args)
            register(*args)

        resolver._register_endpoint_feature_ids = record
        try:
            url, headers, properties = resolve(operation_model, params, request_context,
                                               ignore_signing_region)
        finally:
            del resolver._register_endpoint_feature_ids
        if url == c.meta.endpoint_url and not headers and not properties:
            cache[ignore_signing_region] = (url, tuple(registered))
        return url, headers, properties

    c._resolve_endpoint_ruleset = cached


def _cache_user_agent(c) -> None:
    """Build each distinct User-Agent string once per client.

    botocore rebuilds the header twice per call from the client's fixed parts
    and the call's feature ids. The same inputs give the same string, so it
    is kept per (fixed inputs, feature ids); a customised
    ``botocore.useragent.modify_components`` still runs on every call.
    """
    ua = getattr(c, "_user_agent_creator", None)
    if ua is None or not hasattr(ua, "_static_inputs"):
        return
    to_string = ua.to_string
    memo: dict[tuple, str] = {}

    def cached() -> str:
        if botocore.useragent.modify_components is not \
                botocore.useragent._default_modify_components:
            return to_string()
        ctx = get_context()
        key = (ua._static_inputs(), frozenset(ua._client_features or ()),
               frozenset(ctx.features) if ctx is not None else None)
        text = memo.get(key)
        if text is None:
            if len(memo) > 64:       # feature sets are few; stay bounded anyway
                memo.clear()
            text = memo[key] = to_string()
        return text

    ua.to_string = cached


def _skip_network_only_work(c, name: str) -> None:
    """Unhook botocore's per-call work whose only audience is a real network.

    In process nobody reads a request's signature (SigV4), its User-Agent
    (rebuilt per call), its ``amz-sdk-*`` retry headers or the Lambda
    trace-id header, so those handlers are unregistered from this client's
    own event hooks (each client has a copy; other clients keep theirs).
    What the caller sees is unchanged: botocore still validates and
    serializes every request and parses every response, and the events
    themselves still fire, so handlers a learner registers run as usual.
    A handler that is not there (another botocore) is simply not removed.
    """
    events = c.meta.events
    signer = getattr(c, "_request_signer", None)
    ua = getattr(c, "_user_agent_creator", None)
    drops = [(f"request-created.{name}", getattr(signer, "handler", None), None),
             (f"request-created.{name}",
              getattr(ua, "rebuild_and_replace_user_agent_handler", None), None),
             (f"request-created.{name}", None, f"seed-max-attempts-{name}"),
             ("request-created", getattr(botocore.handlers, "add_retry_headers", None), None),
             ("before-call", getattr(botocore.handlers, "add_recursion_detection_header", None),
              None)]
    for event, handler, unique_id in drops:
        if handler is not None or unique_id is not None:
            events.unregister(event, handler, unique_id=unique_id)
    _lighten_prepare(c._endpoint)
    _label_invocations(c._endpoint)


def _label_invocations(endpoint) -> None:
    """Label each call for retries with a counter instead of a fresh UUID4.

    botocore reads 16 bytes of ``os.urandom`` per call for an invocation id
    that only the ``amz-sdk-invocation-id`` header carries, and that header
    is one of the network-only ones unhooked above.
    """
    update = getattr(endpoint, "_update_retries_context", None)
    if update is None:
        return
    counter = itertools.count(1)

    def update_retries_context(context, attempt, success_response=None):
        retries = context.setdefault("retries", {})
        if "invocation-id" not in retries:
            retries["invocation-id"] = f"dynamo-lab-{next(counter)}"
        return update(context, attempt, success_response)

    endpoint._update_retries_context = update_retries_context


def _lighten_prepare(endpoint) -> None:
    """Prepare requests without botocore's detour through ``email.message``.

    botocore turns a request's headers into an ``email.message`` (the
    ``AWSRequest``), then reads them back one by one into a ``HeadersDict``
    for the prepared request; nearly a tenth of an in-process call. The
    same prepared request (headers as UTF-8 bytes, ``Content-Length`` set,
    same URL and body) is built here from the message's raw items.
    ``request-created`` handlers still get the ``AWSRequest`` first.
    """
    preparer = AWSRequestPreparer()
    emit = endpoint._event_emitter.emit

    def create_request(params, operation_model=None):
        request = create_request_object(params)
        if operation_model:
            request.stream_output = (operation_model.has_streaming_output
                                     or operation_model.has_event_stream_output)
            service_id = operation_model.service_model.service_id.hyphenize()
            emit(f"request-created.{service_id}.{operation_model.name}",
                 request=request, operation_name=operation_model.name)
        headers = HeadersDict()
        for key, value in request.headers.raw_items():
            headers[key] = value.encode("utf-8") if isinstance(value, str) else value
        body = preparer._prepare_body(request)
        if ("Transfer-Encoding" not in headers and "Content-Length" not in headers
                and request.method not in ("GET", "HEAD", "OPTIONS")):
            length = botocore.utils.determine_content_length(body)
            if length is None:       # botocore's own fallback; JSON bodies have a length
                headers["Transfer-Encoding"] = "chunked"
            else:
                headers["Content-Length"] = str(length)
        return AWSPreparedRequest(request.method, preparer._prepare_url(request), headers,
                                  body, request.stream_output, request.context)

    endpoint.create_request = create_request


def _seed_idempotency_tokens(state: "ServiceState", c) -> None:
    """Draw the ClientRequestToken botocore fills in (TransactWriteItems)
    from the seed: botocore takes ``uuid.uuid4()``, so two runs with one
    seed would log different transaction tokens."""
    events = c.meta.events
    events.unregister("before-parameter-build", botocore.handlers.generate_idempotent_uuid)

    def seeded_token(params: dict, model: Any, **_: Any) -> None:
        for name in model.idempotent_members:
            if name not in params:
                params[name] = state.new_uuid()
    events.register("before-parameter-build", seeded_token, unique_id="dynamo-lab-token")


def _attach(svc: Any, state: "ServiceState", c, retries: int | None,
            streams: bool = False) -> None:
    events = c.meta.events
    _cache_user_agent(c)
    _cache_endpoint(c)
    name = c.meta.service_model.service_id.hyphenize()   # dynamodb, dynamodb-streams
    events.register(f"before-send.{name}", _sender(state, partial(handle_streams if streams else handle, state)), unique_id="dynamo-lab-send")
    # Nothing checks a signature in process, and SigV4 is most of botocore's
    # per-call cost; skip it (the request still goes through botocore whole).
    events.register(f"choose-signer.{name}", _unsigned, unique_id="dynamo-lab-unsigned")
    # Put a virtual-time backoff in place of botocore's sleeping one.
    events.unregister(f"needs-retry.{name}", unique_id=f"retry-config-{name}")
    shim = SimpleNamespace(meta=SimpleNamespace(service_model=c.meta.service_model,
                                                events=_RetryShim(events, state)))
    max_attempts = c.meta.config.retries.get("total_max_attempts")
    standard.register_retry_handler(shim, max_attempts=max_attempts)
    _skip_network_only_work(c, name)
    _seed_idempotency_tokens(state, c)
    # Which service answers this client, for code that drives the lab's clock
    # (stream consumers: dynamodb/stream_reader.py). An outside client has none.
    c.dynamo_lab_service = svc
    c.dynamo_lab_state = state
    if not streams:
        c.get_waiter = _waiter_factory(state, c)


_SESSION: boto3.session.Session | None = None
_SESSION_LOCK = threading.Lock()


def _make(kind: str, region_name: str, config: Config, service: str = "dynamodb"):
    # One private boto3 Session for every lab client: loading the service
    # model is the slow part (~1 s), and a Session is not thread-safe, hence
    # the lock. Clients copy the session's event hooks, so each client's own
    # hooks stay its own.
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is None:
            _SESSION = boto3.session.Session(aws_access_key_id="lab",
                                             aws_secret_access_key="lab",
                                             region_name="us-east-1")
        make = _SESSION.client if kind == "client" else _SESSION.resource
        return make(service, endpoint_url=ENDPOINT, region_name=region_name,
                    aws_access_key_id="lab", aws_secret_access_key="lab", config=config)


def lab_client(svc: Any, state: "ServiceState", *, retries: int | None = None, config: Config | None = None,
               region_name: str | None = None):
    """A boto3 ``dynamodb`` client answered in-process by ``svc``.

    Parameters
    ----------
    svc : DynamoDB
        The façade that made the client (``client.dynamo_lab_service``).
    state : ServiceState
        Its state, which answers the requests (:func:`..pipeline.handle`).
    retries : int, optional
        How many times to retry a throttled or failed request (botocore's
        standard mode; its default when None). ``0`` turns retries off.
    config : botocore.config.Config, optional
        Merged over the lab's configuration.
    """
    c = _make("client", region_name or state.region, _config(retries, config))
    _attach(svc, state, c, retries)
    return c


def lab_resource(svc: Any, state: "ServiceState", *, retries: int | None = None, config: Config | None = None,
                 region_name: str | None = None):
    """A boto3 ``dynamodb`` service resource answered in-process by ``svc``."""
    r = _make("resource", region_name or state.region, _config(retries, config))
    _attach(svc, state, r.meta.client, retries)
    return r


def lab_streams_client(svc: Any, state: "ServiceState", *, retries: int | None = None,
                       config: Config | None = None, region_name: str | None = None):
    """A boto3 ``dynamodbstreams`` client answered in-process by ``svc``
    (:meth:`DynamoDB.handle_streams`); same options as :func:`lab_client`.

    >>> from dynamo_lab.dynamodb.service import DynamoDB
    >>> DynamoDB(seed=0).streams_client().list_streams()["Streams"]
    []
    """
    c = _make("client", region_name or state.region, _config(retries, config),
              "dynamodbstreams")
    _attach(svc, state, c, retries, streams=True)
    return c
