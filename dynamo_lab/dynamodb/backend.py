"""Where the lessons' DynamoDB calls go: one setting for every notebook.

Unset, lessons run against an in-process lab service (one per process, made
on first use). Set, they run against an outside endpoint through
:func:`~dynamo_lab.dynamodb.wire.connect.connect`: ``dynamo-lab serve``, DynamoDB
Local, or AWS. The setting is, in order:

1. the last ``use(endpoint_url)`` call in this process;
2. the environment variable ``DYNAMO_LAB_ENDPOINT`` (``"aws"`` means AWS
   itself through the usual boto3 configuration).

Examples
--------
>>> from dynamo_lab.dynamodb import backend
>>> backend.use("http://127.0.0.1:8000")
>>> backend.endpoint()
'http://127.0.0.1:8000'
>>> backend.client().meta.endpoint_url
'http://127.0.0.1:8000'
>>> backend.use(None)                 # back to the environment / in-process
"""
from __future__ import annotations

import os
import threading
from typing import Any

from ..errors import UsageError
from .wire.connect import connect, connect_resource, connect_streams

__all__ = ["use", "endpoint", "service", "client", "resource", "streams_client",
           "ENV_VAR", "AWS"]

ENV_VAR = "DYNAMO_LAB_ENDPOINT"
#: The value of the setting that means "AWS itself".
AWS = "aws"

_lock = threading.Lock()
_chosen: str | None = None
_chosen_set = False
_service: Any = None


def use(endpoint_url: str | None, *, seed: int | None = None, **options: Any) -> None:
    """Send lessons to ``endpoint_url`` (``"aws"`` for AWS), or, with None,
    back to ``DYNAMO_LAB_ENDPOINT`` / the in-process lab. ``seed`` replaces
    the in-process service by a fresh one with that seed, made with
    ``options`` (:class:`~.service.DynamoDB`'s keywords, e.g.
    ``capacity={"initial_burst_seconds": 1}``), which a typo in refuses.

    Examples
    --------
    >>> use(None, seed=16, capacity={"initial_burst_seconds": 1})
    >>> service().sim.seed
    16
    >>> use(None, capacity={"initial_burst_seconds": 1})
    Traceback (most recent call last):
    ...
    dynamo_lab.errors.UsageError: backend.use: service options make a fresh in-process service; give seed= too
    >>> use(None, seed=0)
    """
    global _chosen, _chosen_set, _service
    if options and seed is None:
        raise UsageError("backend.use: service options make a fresh in-process service; "
                         "give seed= too")
    fresh = None
    if seed is not None:
        from .service import DynamoDB
        fresh = DynamoDB(seed=seed, **options)       # an option typo raises before any change
    with _lock:
        _chosen, _chosen_set = endpoint_url, endpoint_url is not None
        if fresh is not None:
            _service = fresh


def endpoint() -> str | None:
    """The endpoint lessons use now; None means the in-process lab."""
    value = _chosen if _chosen_set else os.environ.get(ENV_VAR)
    return value or None


def service() -> Any:
    """The in-process lab service (made on first use, seed 0)."""
    global _service
    with _lock:
        if _service is None:
            from .service import DynamoDB
            _service = DynamoDB(seed=0)
        return _service


def _outside() -> tuple[str | None, bool]:
    url = endpoint()
    if url is None:
        return None, False
    return (None if url.lower() == AWS else url), True


#: Options of :func:`~.wire.connect.connect` that only mean something for an outside
#: endpoint (the lab accepts any credentials); the in-process lab ignores them.
_OUTSIDE_ONLY = ("credentials", "session")


def _lab(options: dict) -> dict:
    """``options`` for an in-process client: ``retries``, ``config`` and
    ``region_name`` carry over, exactly as they do to :func:`connect`."""
    return {k: v for k, v in options.items() if k not in _OUTSIDE_ONLY}


def client(**options: Any) -> Any:
    """A boto3-compatible ``dynamodb`` client on the chosen backend.

    ``options`` are those of :func:`~.wire.connect.connect` (``retries``,
    ``region_name``, ``config``, ...), honoured on every backend:

    >>> use(None)
    >>> client(retries=0).meta.config.retries["total_max_attempts"]
    1
    """
    url, outside = _outside()
    return connect(url, **options) if outside else service().client(**_lab(options))


def resource(**options: Any) -> Any:
    """A boto3-compatible ``dynamodb`` resource on the chosen backend."""
    url, outside = _outside()
    return connect_resource(url, **options) if outside else service().resource(**_lab(options))


def streams_client(**options: Any) -> Any:
    """A boto3-compatible ``dynamodbstreams`` client on the chosen backend."""
    url, outside = _outside()
    return connect_streams(url, **options) if outside else \
        service().streams_client(**_lab(options))
