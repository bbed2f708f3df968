"""dynamo_lab: learn Dynamo and Amazon DynamoDB with a real engine in the notebook.

The names below are the public surface (see DESIGN.md). Heavier layers load
on first use, so ``import dynamo_lab`` stays quick.

Examples
--------
>>> import dynamo_lab
>>> sim = dynamo_lab.Simulation(seed=1)
>>> sim.now
0
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from .events import Event, EventLog
from .sim import Simulation

__version__ = "0.1.0"

_LAZY = {
    "Ring": ("dynamo_lab.dynamo.ring", "Ring"),
    "DynamoCluster": ("dynamo_lab.dynamo.cluster", "DynamoCluster"),
    "DynamoDB": ("dynamo_lab.dynamodb.service", "DynamoDB"),
    "client": ("dynamo_lab.dynamodb.service", "client"),
    "resource": ("dynamo_lab.dynamodb.service", "resource"),
    "connect": ("dynamo_lab.dynamodb.wire.connect", "connect"),
    "viz": ("dynamo_lab.viz", None),
    "check": ("dynamo_lab.check", None),
    "exercises": ("dynamo_lab.exercises", None),
}

__all__ = ["Simulation", "Event", "EventLog", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'dynamo_lab' has no attribute {name!r}") from None
    mod = import_module(module)
    value = mod if attr is None else getattr(mod, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
