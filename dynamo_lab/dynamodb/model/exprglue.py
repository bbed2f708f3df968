"""Bridge from a request to :func:`.expressions.request_expressions`.

Private to :mod:`.evaluate`: the expressions package parses and cross-checks
every expression or legacy parameter of a request (mixing, unused
placeholders, key-condition rules); this class only runs the results.

Examples
--------
>>> r = compile_request({"ConditionExpression": "attribute_not_exists(id)"}, "PutItem")
>>> r.condition(None), r.condition({"id": {"S": "x"}})
(True, False)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any, Callable

from ..errors import ValidationError
from .expressions import (
    DeleteAction,
    Path,
    RemoveAction,
    apply_update,
    evaluate,
    project,
    request_expressions,
    update_targets,
)

__all__ = ["compile_request"]


class Compiled:
    """The parsed expressions of one request (or one transaction action)."""

    def __init__(self, p: Mapping[str, Any], op: str, schema=None) -> None:
        if schema is not None:
            self.r = request_expressions(p, op, schema.hash, schema.range, schema.types)
        else:
            self.r = request_expressions(p, op)

    def condition(self, item: dict | None) -> bool:
        return True if self.r.condition is None else evaluate(self.r.condition, item)

    def filter(self, item: dict) -> bool:
        return True if self.r.filter is None else evaluate(self.r.filter, item)

    @property
    def projects(self) -> bool:
        return self.r.projection is not None

    def project(self, item: dict) -> dict:
        return item if self.r.projection is None else project(self.r.projection, item)

    def update(self, item: dict | None, key: dict) -> tuple[dict, list]:
        if self.r.update is None:
            return (dict(item) if item else dict(key)), []
        new = apply_update(self.r.update, item if item is not None else dict(key))
        return new, list(self.r.update.paths)

    @property
    def projected_tops(self) -> set | None:
        p = self.r.projection
        return None if p is None else {path.top for path in p}

    @property
    def removes_only(self) -> bool:
        u = self.r.update
        return u is not None and bool(u.actions) and \
            all(isinstance(a, (RemoveAction, DeleteAction)) for a in u.actions)

    def filter_attributes(self) -> set:
        """Top-level attribute names the filter mentions."""
        return _tops(self.r.filter) if self.r.filter is not None else set()

    def targets(self) -> set:
        return set() if self.r.update is None else set(update_targets(self.r.update))

    def pick(self, item: dict | None, paths: list) -> dict:
        return project(paths, item) if item else {}

    def key_condition(self, schema) -> tuple[dict, Callable[[dict], bool] | None]:
        kc = self.r.key_condition
        if kc is None:
            raise ValidationError("Either the KeyConditions or KeyConditionExpression "
                                  "parameter must be specified in the request.")
        if kc.range_op is None:
            return kc.hash_value, None
        name = kc.range_name
        return kc.hash_value, (lambda item: kc.matches(item.get(name)))


def _tops(node) -> set:
    # Walk the (frozen dataclass) syntax tree generically for its paths.
    if isinstance(node, Path):
        return {node.top}
    if isinstance(node, (list, tuple)):
        return set().union(*(_tops(x) for x in node)) if node else set()
    if is_dataclass(node):
        return set().union(*(_tops(getattr(node, f.name)) for f in fields(node)))
    return set()


def compile_request(p: Mapping[str, Any], op: str, schema=None) -> Any:
    """Parse and check the expressions of request ``p`` for operation ``op``;
    ``schema`` (a :class:`~.keys.KeySchema`) is needed for a Query."""
    return Compiled(p, op, schema)
