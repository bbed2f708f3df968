"""The botocore the lab is tested with, and the private parts it relies on.

The in-process clients (:mod:`.clients`) are real boto3 clients with a few
of botocore's private hooks replaced: the send, the retry backoff (virtual
time, seeded jitter), the idempotency token (seeded), the waiter (virtual
time), and some per-request work that only matters on a network. Those
hooks are botocore internals, so the lab pins botocore to the range it was
tested with (:data:`TESTED`) and lists every internal here
(:data:`INTERNALS`). :func:`missing_internals` names the ones that moved,
so a botocore upgrade fails one clear test instead of many obscure ones.

Examples
--------
>>> check_version()
>>> missing_internals()
[]
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

from ...errors import UsageError

__all__ = ["TESTED", "INTERNALS", "check_version", "missing_internals"]

#: botocore versions the lab is tested with: ``(lowest, first untested)``.
#: Keep pyproject.toml's bounds and binder/requirements.txt's pin inside.
TESTED = ((1, 44), (1, 45))


def _client() -> Any:
    import boto3
    return boto3.session.Session().client(
        "dynamodb", region_name="us-east-1", endpoint_url="http://dynamo-lab.invalid",
        aws_access_key_id="lab", aws_secret_access_key="lab")


def _retry_handler() -> Any:
    from types import SimpleNamespace

    from botocore.retries import standard
    c = _client()
    caught: list = []
    events = SimpleNamespace(register=lambda event, handler, **kw: caught.append(handler))
    standard.register_retry_handler(
        SimpleNamespace(meta=SimpleNamespace(service_model=c.meta.service_model,
                                             events=events)), max_attempts=3)
    return next(h for h in caught if getattr(h, "__name__", "") == "needs_retry")


#: Every private (or deep) botocore name the lab touches: where to start
#: (a module path, or ``client``/``retry`` for a fresh client and its
#: standard retry handler) and the attribute path from there.
INTERNALS: list[tuple[str, str]] = [
    ("botocore.handlers", "generate_idempotent_uuid"),
    ("botocore.handlers", "add_retry_headers"),
    ("botocore.handlers", "add_recursion_detection_header"),
    ("botocore.useragent", "_default_modify_components"),
    ("botocore.useragent", "modify_components"),
    ("botocore.waiter", "Waiter"),
    ("botocore.waiter", "WaiterModel"),
    ("botocore.waiter", "NormalizedOperationMethod"),
    ("botocore.waiter", "is_valid_waiter_error"),
    ("botocore.utils", "determine_content_length"),
    ("botocore.awsrequest", "AWSRequestPreparer._prepare_body"),
    ("botocore.awsrequest", "AWSRequestPreparer._prepare_url"),
    ("botocore.retries.standard", "register_retry_handler"),
    ("client", "_loader.load_service_model"),
    ("client", "_endpoint.create_request"),
    ("client", "_endpoint._event_emitter.emit"),
    ("client", "_endpoint._update_retries_context"),
    ("client", "_resolve_endpoint_ruleset"),
    ("client", "_ruleset_resolver._register_endpoint_feature_ids"),
    ("client", "_user_agent_creator._static_inputs"),
    ("client", "_user_agent_creator._client_features"),
    ("client", "_user_agent_creator.rebuild_and_replace_user_agent_handler"),
    ("client", "_request_signer.handler"),
    # the recorder signs GET /_lab/events with the client's own credentials
    # (dynamo_lab/viz/ddb/_endpoint.py)
    ("client", "_get_credentials"),
    ("retry", "__self__._retry_policy._retry_backoff._random"),
]


def check_version() -> None:
    """Raise :class:`~dynamo_lab.errors.UsageError` (a ``RuntimeError``)
    naming the versions when the installed botocore is outside :data:`TESTED`."""
    import botocore
    have = tuple(int(x) for x in botocore.__version__.split(".")[:2])
    lo, hi = TESTED
    if not lo <= have < hi:
        raise UsageError(
            f"dynamo_lab is tested with botocore >= {'.'.join(map(str, lo))}, "
            f"< {'.'.join(map(str, hi))}; this is botocore {botocore.__version__}. "
            "Install a tested version: pip install 'botocore>={0},<{1}' 'boto3>={0},<{1}'"
            .format('.'.join(map(str, lo)), '.'.join(map(str, hi))))


def missing_internals() -> list[str]:
    """The :data:`INTERNALS` that are not where the lab expects them, each
    as ``"<start>.<path>"`` with the attribute that is missing. O(len)."""
    roots: dict[str, Callable[[], Any]] = {"client": _client, "retry": _retry_handler}
    made: dict[str, Any] = {}
    missing = []
    for start, path in INTERNALS:
        try:
            if start in roots:
                if start not in made:
                    made[start] = roots[start]()
                obj = made[start]
            else:
                obj = importlib.import_module(start)
        except Exception as exc:      # the start itself moved
            missing.append(f"{start} ({type(exc).__name__}: {exc})")
            continue
        done: list[str] = []
        for part in path.split("."):
            if not hasattr(obj, part):
                missing.append(f"{start}.{path} (no {'.'.join(done + [part])})")
                break
            obj = getattr(obj, part)
            done.append(part)
    return missing
