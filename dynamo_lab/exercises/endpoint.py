"""What the lesson's endpoint can do, and the ``%%needs`` cell magic.

A DynamoDB lesson runs on the lab's own service, or on any
DynamoDB-compatible endpoint (``DYNAMO_LAB_ENDPOINT``). Not every endpoint
has every feature: only the lab in the notebook answers questions about its
internals (``ddb.partitions(...)``: feature ``internals``); the lab and
``dynamo-lab serve`` send them as events, which the views draw from a
recording (``viz.PartitionMapView(calls, ...)``: feature ``lab_events``); dynalite has no Streams, and cannot add a GSI to an
existing on-demand table. A lesson's setup cell calls
:func:`check`, which finds out once what the endpoint supports, says in
plain words what will be skipped and why, and registers the cell magic::

    %%needs internals
    # the lab's partition map; a real service hides it
    for p in ddb.partitions("HashDemo"):
        print(p)

The cell runs as written where the feature is there; elsewhere it prints one
line, ``skipped: ...``, and runs nothing. No traceback either way.

Examples
--------
>>> ep = Endpoint(None, {"internals": True, "streams": True})
>>> ep.has("streams"), ep.missing(["internals", "streams"])
(True, [])
>>> ep = Endpoint("http://127.0.0.1:4567", {"internals": False, "streams": False})
>>> ep.skip_line(["streams"], "# the first votes, as the stream shows them")
'skipped: this endpoint has no DynamoDB Streams (the first votes, as the stream shows them)'
>>> print(ep.report(uses=("internals", "streams"), needs={"q2": "streams"}))
Endpoint http://127.0.0.1:4567:
- cells marked %%needs internals skip themselves: an outside endpoint does not show the lab's internals (partitions, replicas, its virtual clock).
- cells marked %%needs streams skip themselves: this endpoint has no DynamoDB Streams. Exercise q2 needs them too; leave it for the lab.
"""
from __future__ import annotations

import ast
from typing import Any, Iterable, Mapping

from ..errors import ArgumentError, LabError, OptionError

__all__ = ["FEATURES", "Endpoint", "probe", "check", "run_cell_code", "SKIPPED",
           "REFUSED", "EndpointError", "refusal", "error_code"]

#: The codes with which an endpoint refuses the caller itself, not the
#: request (AWS's: no signature, an unknown key, a wrong secret or clock).
REFUSED = ("MissingAuthenticationTokenException", "UnrecognizedClientException",
           "InvalidSignatureException", "IncompleteSignatureException",
           "ExpiredTokenException", "AccessDeniedException")


class EndpointError(LabError):
    """The lesson's endpoint cannot be used from here: it cannot be reached,
    or it refuses the caller's key. A notebook shows it as its one line."""

    def _render_traceback_(self) -> list[str]:     # IPython: instead of a traceback
        return [f"{type(self).__name__}: {self}"]


def refusal(e: BaseException, url: str | None) -> str | None:
    """One line for an error that means the endpoint at ``url`` cannot be
    used at all (unreachable, or the key refused), in AWS's words where it
    has them; None for any other error (the lesson's own business).

    >>> from botocore.exceptions import EndpointConnectionError, ClientError
    >>> print(refusal(EndpointConnectionError(endpoint_url="http://10.0.0.5:8000/"), "http://10.0.0.5:8000"))
    cannot reach http://10.0.0.5:8000: is the server running? Run the cell again once it is.
    >>> e = ClientError({"Error": {"Code": "InvalidSignatureException", "Message":
    ...     "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key."}}, "ListTables")
    >>> print(refusal(e, "http://10.0.0.5:8000"))
    InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key. (http://10.0.0.5:8000 refused your key: check the secret access key you exported against your card)
    >>> refusal(ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "GetItem"), None) is None
    True
    """
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import HTTPClientError
    if isinstance(e, (BotoConnectionError, HTTPClientError)):
        return f"cannot reach {url}: is the server running? Run the cell again once it is."
    code = error_code(e)
    if code not in REFUSED:
        return None
    message = getattr(e, "response", {}).get("Error", {}).get("Message", "").split("\n")[0]
    hint = "check the secret access key you exported against your card" \
        if code == "InvalidSignatureException" and "expired" not in message.lower() \
        else "check the key pair you exported against your card, and this machine's clock"
    return f"{code}: {message} ({url} refused your key: {hint})"

#: The start of the line a cell prints when it skips itself for the lab's
#: internals on an outside endpoint.
SKIPPED = "skipped: this backend is an outside endpoint"

#: Each feature a lesson may need: (what the lab says when it is missing,
#: the skip line's wording).
FEATURES: dict[str, tuple[str, str]] = {
    "internals": ("an outside endpoint does not show the lab's internals (partitions, "
                  "replicas, its virtual clock)",
                  SKIPPED + ", and this cell looks inside the lab"),
    "streams": ("this endpoint has no DynamoDB Streams",
                "skipped: this endpoint has no DynamoDB Streams"),
    "gsi_update": ("this endpoint cannot add a global secondary index to an existing "
                   "on-demand table (UpdateTable's GlobalSecondaryIndexUpdates)",
                   "skipped: this endpoint cannot add a GSI to an existing on-demand table"),
    "lab_events": ("only the lab, in this notebook or served by dynamo-lab serve, sends "
                   "its internals as events for the views (partitions, capacity)",
                   "skipped: this endpoint does not send the lab's internals for the views"),
}


class Endpoint:
    """The endpoint a lesson talks to (``url`` None: the lab) and which
    :data:`FEATURES` it has; ``why`` keeps the error that showed one missing."""

    def __init__(self, url: str | None, supports: Mapping[str, bool],
                 why: Mapping[str, str] | None = None) -> None:
        for feature in sorted(set(supports) - set(FEATURES)):
            raise OptionError("Endpoint", feature, FEATURES)
        self.url, self.supports, self.why = url, dict(supports), dict(why or {})

    def has(self, feature: str) -> bool:
        """True when the endpoint has ``feature`` (a key of :data:`FEATURES`)."""
        if feature not in FEATURES:
            raise OptionError("%%needs", feature, FEATURES)
        return self.supports.get(feature, self.url is None)

    def missing(self, features: Iterable[str]) -> list[str]:
        """The features of ``features`` this endpoint lacks, in order."""
        return [f for f in features if not self.has(f)]

    def skip_line(self, features: Iterable[str], cell: str = "") -> str:
        """The one line a cell prints instead of running: the first missing
        feature's wording, and the cell's opening comment, if it has one."""
        line = FEATURES[self.missing(features)[0]][1]
        first = cell.lstrip().splitlines()[0] if cell.strip() else ""
        if first.startswith("#"):
            line += f" ({first.lstrip('#').strip()})"
        return line

    def report(self, uses: Iterable[str] = (), needs: Mapping[str, str] | None = None) -> str:
        """Plain words: what of ``uses`` will be skipped here, and why; the
        exercises of ``needs`` (exercise name -> feature) that go with it."""
        uses = list(uses)
        if self.url is None:
            return "Endpoint: the lab's own service, in this notebook; every cell of this lesson runs."
        lines = [f"Endpoint {self.url}:"]
        for f in self.missing(uses):
            line = f"- cells marked %%needs {f} skip themselves: {FEATURES[f][0]}"
            if f in self.why:
                line += f" ({self.why[f]})"
            qs = [q for q, need in (needs or {}).items() if need == f]
            if qs:
                verb = "needs" if len(qs) == 1 else "need"
                line += (f". Exercise{'s' if len(qs) > 1 else ''} {', '.join(qs)} {verb} "
                         f"{'them' if f == 'streams' else 'it'} too; leave "
                         f"{'it' if len(qs) == 1 else 'them'} for the lab.")
            else:
                line += "."
            lines.append(line)
        if len(lines) == 1:
            lines.append("- every cell of this lesson runs here.")
        return "\n".join(lines)


def error_code(e: BaseException) -> str:
    """The AWS error code of a botocore ``ClientError``, else the exception's
    class name.

    >>> from botocore.exceptions import ClientError
    >>> error_code(ClientError({"Error": {"Code": "ValidationException"}}, "GetItem"))
    'ValidationException'
    >>> error_code(TimeoutError())
    'TimeoutError'
    """
    err = (getattr(e, "response", None) or {}).get("Error", {})
    return err.get("Code") or type(e).__name__


def _wait(client: Any, name: str, exists: bool) -> None:
    waiter = client.get_waiter("table_exists" if exists else "table_not_exists")
    waiter.wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


def _probe_gsi(client: Any, supports: dict, why: dict) -> None:
    """Try to add an on-demand GSI to a scratch table, then drop the table."""
    name = "dynamo_lab_probe"
    attrs = [{"AttributeName": "pk", "AttributeType": "S"},
             {"AttributeName": "gk", "AttributeType": "S"}]
    if name in client.list_tables()["TableNames"]:
        client.delete_table(TableName=name)
        _wait(client, name, False)
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=attrs[:1], BillingMode="PAY_PER_REQUEST")
    _wait(client, name, True)
    try:
        client.update_table(TableName=name, AttributeDefinitions=attrs,
                            GlobalSecondaryIndexUpdates=[{"Create": {
                                "IndexName": "probe",
                                "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
    except Exception as e:  # noqa: BLE001 - any refusal means "not here"
        supports["gsi_update"], why["gsi_update"] = False, f"UpdateTable: {error_code(e)}"
    _wait(client, name, True)
    client.delete_table(TableName=name)
    _wait(client, name, False)


def probe(client: Any, ddb: Any = None, uses: Iterable[str] = (),
          streams_client: Any = None) -> Endpoint:
    """Find out which of ``uses`` the endpoint of ``client`` has.

    The lab (``ddb`` given) has them all; AWS itself is taken at its word.
    An outside endpoint is asked: ListStreams for Streams; a scratch table
    ``dynamo_lab_probe`` (made and dropped) for adding a GSI; ``GET
    /_lab/events`` (signed with the client's credentials) for the lab's
    events.
    """
    uses = list(uses)
    for f in uses:
        if f not in FEATURES:
            raise OptionError("uses", f, FEATURES)
    if ddb is not None:
        return Endpoint(None, {f: True for f in FEATURES})
    url = client.meta.endpoint_url
    supports, why = {f: True for f in FEATURES}, {}
    supports["internals"] = supports["lab_events"] = False
    if "amazonaws.com" in url:
        return Endpoint(url, supports)
    try:        # first: can this key use this endpoint at all?
        client.list_tables(Limit=1)
    except Exception as e:  # noqa: BLE001 - only a refusal or no answer is ours to explain
        line = refusal(e, url)
        if line is None:
            raise
        raise EndpointError(line) from None
    if "lab_events" in uses:
        from ..viz.ddb._endpoint import LabEvents
        src = LabEvents(client)
        supports["lab_events"] = src.check()
        if not supports["lab_events"]:
            why["lab_events"] = src.why
    if "streams" in uses:
        try:
            if streams_client is None:
                from ..dynamodb import backend
                streams_client = backend.streams_client()
            streams_client.list_streams(Limit=1)
        except Exception as e:  # noqa: BLE001
            supports["streams"], why["streams"] = False, f"ListStreams: {error_code(e)}"
    if "gsi_update" in uses:
        _probe_gsi(client, supports, why)
    return Endpoint(url, supports, why)


def run_cell_code(code: str, namespace: dict, filename: str = "<cell>") -> Any:
    """Run ``code`` in ``namespace`` as a notebook cell would: every
    statement, and the value of a final expression returned (so that the
    kernel displays it). Errors propagate, with their lines.

    >>> ns = {}
    >>> run_cell_code("x = 2\\nx * 21", ns), ns["x"]
    (42, 2)
    """
    tree = ast.parse(code, filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, filename, "exec"), namespace)
    if last is not None:
        return eval(compile(last, filename, "eval"), namespace)
    return None


def _register(ep: Endpoint) -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is None:
        return

    def needs(line: str, cell: str) -> Any:
        features = line.split()
        if not features:
            raise ArgumentError("%%needs names the features the cell needs, one or more of: "
                                + ", ".join(sorted(FEATURES)))
        if ep.missing(features):
            print(ep.skip_line(features, cell))
            return None
        return run_cell_code(cell, shell.user_ns, filename="<%%needs cell>")

    def one_line(self: Any, etype: type, value: BaseException, tb: Any,
                 tb_offset: Any = None) -> list[str]:
        """An unreachable endpoint or a refused key, in a later cell: its one
        line; any other error: the usual traceback."""
        line = refusal(value, ep.url) if ep.url is not None else None
        if line is None:
            self.showtraceback((etype, value, tb), tb_offset=tb_offset)
            return []
        stb = [f"{etype.__name__}: {line}"]
        self._showtraceback(etype, value, stb)      # a custom handler shows its own
        return stb

    if ep.url is not None:
        from botocore.exceptions import ClientError, HTTPClientError
        from botocore.exceptions import ConnectionError as BotoConnectionError
        shell.set_custom_exc((ClientError, BotoConnectionError, HTTPClientError), one_line)

    needs.__doc__ = ("%%needs FEATURE...: run the cell where the endpoint has every "
                     "FEATURE; elsewhere print one line saying why it is skipped.")
    shell.register_magic_function(needs, magic_kind="cell", magic_name="needs")


def check(client: Any, ddb: Any = None, uses: Iterable[str] = ("internals",),
          exercises: Any = None, streams_client: Any = None, quiet: bool = False) -> Endpoint:
    """The lesson's start: probe the endpoint for ``uses``, register the
    ``%%needs`` cell magic, and print what will be skipped here and why.

    ``exercises`` is the lesson's exercise module; its ``NEEDS`` (exercise
    name -> feature) says which exercises go with a missing feature.
    """
    uses = list(uses)
    ep = probe(client, ddb, uses, streams_client)
    _register(ep)
    if not quiet:
        print(ep.report(uses, getattr(exercises, "NEEDS", {})))
    return ep
