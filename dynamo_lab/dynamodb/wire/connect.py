"""``connect()``: the lab's client interface on an outside DynamoDB endpoint.

The lab's own clients are real boto3 clients routed in process. ``connect``
gives the same thing pointed at a real endpoint instead: ``dynamo-lab
serve``, DynamoDB Local, moto's server, or AWS itself. Code written against
the lab runs against any of them unchanged.

Examples
--------
>>> from dynamo_lab.dynamodb.wire.connect import connect
>>> c = connect(endpoint_url="http://127.0.0.1:8000")
>>> c.meta.endpoint_url, c.meta.region_name
('http://127.0.0.1:8000', 'us-east-1')
>>> c.meta.service_model.service_name
'dynamodb'
"""
from __future__ import annotations

import ipaddress
import os
from typing import Any
from urllib.parse import urlsplit

from ...errors import OptionError, UsageError

__all__ = ["connect", "connect_resource", "connect_streams", "is_local"]

_DEFAULT_REGION = "us-east-1"
# Local endpoints accept any signature; these are the placeholders DynamoDB
# Local's documentation uses, so nobody mistakes them for real keys.
_DUMMY = {"aws_access_key_id": "fakeMyKeyId", "aws_secret_access_key": "fakeSecretAccessKey"}


def is_local(endpoint_url: str | None) -> bool:
    """True for an endpoint on this machine (loopback name or address)."""
    if not endpoint_url:
        return False
    host = urlsplit(endpoint_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: The room's key pair for a learner (from ``dynamo-lab credentials``'s card):
#: used for any endpoint, loopback too, before boto3's own configuration.
ROOM_KEY_VARS = ("DYNAMO_LAB_ACCESS_KEY_ID", "DYNAMO_LAB_SECRET_ACCESS_KEY")


def _room_credentials(env: Any = None) -> dict | None:
    """The key pair in ``DYNAMO_LAB_ACCESS_KEY_ID``/``DYNAMO_LAB_SECRET_ACCESS_KEY``,
    or None when neither is set; one without the other is a
    :class:`~dynamo_lab.errors.UsageError` naming both.

    Examples
    --------
    >>> env = {"DYNAMO_LAB_ACCESS_KEY_ID": "learner01key", "DYNAMO_LAB_SECRET_ACCESS_KEY": "s3cret"}
    >>> _room_credentials(env)["aws_access_key_id"]
    'learner01key'
    >>> _room_credentials({}) is None
    True
    >>> _room_credentials({"DYNAMO_LAB_ACCESS_KEY_ID": "learner01key"})
    Traceback (most recent call last):
    ...
    dynamo_lab.errors.UsageError: DYNAMO_LAB_ACCESS_KEY_ID is set but DYNAMO_LAB_SECRET_ACCESS_KEY is not: set both, as your room card says
    """
    return _room_pair(os.environ if env is None else env)


def _room_pair(env: Any) -> dict | None:
    key, secret = (env.get(v) for v in ROOM_KEY_VARS)
    if not key and not secret:
        return None
    if not key or not secret:
        have, lack = ROOM_KEY_VARS if key else ROOM_KEY_VARS[::-1]
        raise UsageError(f"{have} is set but {lack} is not: set both, as your room card says")
    return {"aws_access_key_id": key, "aws_secret_access_key": secret}


def _kwargs(endpoint_url: str | None, region_name: str | None, retries: int | None,
            credentials: dict | None, config: Any) -> dict:
    from botocore.config import Config

    region = region_name or os.environ.get("AWS_REGION") \
        or os.environ.get("AWS_DEFAULT_REGION") or _DEFAULT_REGION
    kw: dict[str, Any] = {"region_name": region}
    if endpoint_url:
        kw["endpoint_url"] = endpoint_url
    room = _room_credentials()
    if credentials:
        kw.update(credentials)
    elif room:
        kw.update(room)
    elif is_local(endpoint_url):
        # A local endpoint ignores signatures, but botocore will not sign
        # without some credentials; never send a learner's real keys to it.
        kw.update(_DUMMY)
    cfg = Config(retries={"total_max_attempts": retries + 1, "mode": "standard"}) \
        if retries is not None else None
    if config is not None:
        cfg = config if cfg is None else cfg.merge(config)
    if cfg is not None:
        kw["config"] = cfg
    return kw


_OPTIONS = ("config", "credentials", "endpoint_url", "region_name", "retries", "session")


def _no_more(group: str, options: dict) -> None:
    """An option :func:`connect` does not take is an :class:`OptionError`
    naming it and the ones it takes."""
    for key in sorted(options):
        raise OptionError(group, key, _OPTIONS)


def connect(endpoint_url: str | None = None, region_name: str | None = None, *,
            retries: int | None = None, credentials: dict | None = None,
            config: Any = None, session: Any = None) -> Any:
    """A boto3 ``dynamodb`` client on ``endpoint_url``.

    Parameters
    ----------
    endpoint_url : str, optional
        e.g. ``"http://127.0.0.1:8000"``. None means AWS itself, found
        through the usual boto3 configuration.
    region_name : str, optional
        Defaults to ``AWS_REGION``/``AWS_DEFAULT_REGION``, else us-east-1.
    retries : int, optional
        How many times botocore may retry a failed call (standard mode), as
        for the lab's own clients: ``retries=0`` turns retrying off, so a
        throttled call raises at once instead of sleeping.
    credentials : dict, optional
        ``aws_access_key_id``/``aws_secret_access_key``/``aws_session_token``.
        When none are given, the room's pair in ``DYNAMO_LAB_ACCESS_KEY_ID``
        and ``DYNAMO_LAB_SECRET_ACCESS_KEY`` (a learner's card from
        ``dynamo-lab credentials``) is used for any endpoint; otherwise
        loopback endpoints get placeholder keys (a learner's real AWS keys
        are never sent to them) and other endpoints boto3's own chain.
    config : botocore.config.Config, optional
        Merged over the retry setting.
    session : boto3.session.Session, optional
        The session to build the client from.
    """
    import boto3

    kw = _kwargs(endpoint_url, region_name, retries, credentials, config)
    return (session or boto3.session.Session()).client("dynamodb", **kw)


def connect_resource(endpoint_url: str | None = None, region_name: str | None = None,
                     **options: Any) -> Any:
    """A boto3 ``dynamodb`` service resource on ``endpoint_url`` (see :func:`connect`)."""
    import boto3

    session = options.pop("session", None)
    kw = _kwargs(endpoint_url, region_name, options.pop("retries", None),
                 options.pop("credentials", None), options.pop("config", None))
    _no_more("connect_resource", options)
    return (session or boto3.session.Session()).resource("dynamodb", **kw)


def connect_streams(endpoint_url: str | None = None, region_name: str | None = None,
                    **options: Any) -> Any:
    """A boto3 ``dynamodbstreams`` client on ``endpoint_url`` (see :func:`connect`)."""
    import boto3

    session = options.pop("session", None)
    kw = _kwargs(endpoint_url, region_name, options.pop("retries", None),
                 options.pop("credentials", None), options.pop("config", None))
    _no_more("connect_streams", options)
    return (session or boto3.session.Session()).client("dynamodbstreams", **kw)
