"""The catalogue: every event kind the package emits, with its fields.

This is the one place where event kinds are documented. Each layer keeps its
part in a module of this package (``sim``, ``ring``, ``dynamo``, ``dynamodb``)
and :data:`KINDS` joins them. The test suite runs with strict event logs, so
emitting a kind or a field that is not listed here fails a test.

Examples
--------
>>> KINDS["ring.node_added"].fields
('node', 'zone', 'tokens')
>>> print(describe("net.crash"))
net.crash: an endpoint stopped; it neither sends nor receives
  node: the endpoint's name
"""
from __future__ import annotations

from . import client as _client
from . import dynamo as _dynamo
from . import dynamodb as _dynamodb
from . import dynamodb_consumers as _ddb_consumers
from . import dynamodb_indexes as _ddb_indexes
from . import dynamodb_internals as _ddb_internals
from . import dynamodb_replicas as _ddb_replicas
from . import ring as _ring
from . import sim as _sim
from ._spec import EventKind

__all__ = ["EventKind", "KINDS", "describe"]

KINDS: dict[str, EventKind] = {}
for _part in (_sim, _ring, _dynamo, _dynamodb, _ddb_internals, _ddb_replicas, _ddb_indexes,
              _ddb_consumers, _client):
    for _kind, _spec in _part.KINDS.items():
        if _kind in KINDS:
            raise RuntimeError(f"event kind {_kind!r} is catalogued twice")
        KINDS[_kind] = _spec


def describe(kind: str) -> str:
    """A readable description of one kind and its fields."""
    spec = KINDS[kind]
    lines = [f"{kind}: {spec.doc}"]
    for name, doc in spec.docs.items():
        opt = " (optional)" if name in spec.optional else ""
        lines.append(f"  {name}{opt}: {doc}")
    return "\n".join(lines)
