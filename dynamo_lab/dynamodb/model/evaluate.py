"""The service's door to the expression language.

Every operation asks this module the same few questions: does the condition
hold for this item, what does the update make of it, which attributes does
the projection keep, does the filter pass, which items does the key
condition select. The answers come from :mod:`dynamo_lab.dynamodb.model.expressions`
(expressions and the legacy ``Expected``/``AttributeUpdates``/
``AttributesToGet``/``KeyConditions`` parameters); this module only adapts
requests to it, so there is one parser in the package.

Examples
--------
>>> prepare({"TableName": "t"}, "GetItem").condition({"a": {"S": "x"}})
True
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

from ..errors import ValidationError

__all__ = ["Prepared", "prepare"]


class Prepared:
    """A request's expressions, parsed once, ready to run on items."""

    def __init__(self, p: Mapping[str, Any], op: str, schema=None) -> None:
        self.p, self.op = p, op
        self._impl = _engine(p, op, schema)

    def condition(self, item: dict | None) -> bool:
        """Whether ``ConditionExpression`` (or ``Expected``) holds for ``item``
        (None: the item does not exist)."""
        if self._impl is None:
            return True
        return self._impl.condition(item)

    def update(self, item: dict | None, key: dict) -> tuple[dict, list]:
        """The item after ``UpdateExpression``/``AttributeUpdates`` and the
        paths it touched (for ``UPDATED_OLD``/``UPDATED_NEW``)."""
        if self._impl is None:
            return (dict(item) if item else dict(key)), []
        return self._impl.update(item, key)

    def project(self, item: dict) -> dict:
        if self._impl is None:
            return item
        return self._impl.project(item)

    @property
    def projects(self) -> bool:
        return self._impl is not None and self._impl.projects

    @property
    def projected_tops(self) -> set | None:
        """Top-level attributes ``ProjectionExpression``/``AttributesToGet``
        asks for (None without one)."""
        return None if self._impl is None else self._impl.projected_tops

    @property
    def removes_only(self) -> bool:
        """Whether the update only takes attributes away (REMOVE, DELETE, or
        AttributeUpdates' DELETE): on a missing item it creates nothing."""
        return self._impl is not None and self._impl.removes_only

    def filter(self, item: dict) -> bool:
        if self._impl is None:
            return True
        return self._impl.filter(item)

    def filter_attributes(self) -> set:
        """Top-level attributes the filter mentions."""
        return set() if self._impl is None else self._impl.filter_attributes()

    def targets(self) -> set:
        """Top-level attributes the update writes or removes."""
        return set() if self._impl is None else self._impl.targets()

    def pick(self, item: dict | None, paths: list) -> dict:
        """The parts of ``item`` at ``paths`` (``UPDATED_*`` return values)."""
        if self._impl is None or item is None:
            return {}
        return self._impl.pick(item, paths)

    def key_condition(self, schema) -> tuple[dict, Callable[[dict], bool] | None]:
        """``(hash value, sort-key predicate or None)`` for a Query."""
        if self._impl is None:
            raise ValidationError("Either the KeyConditions or KeyConditionExpression "
                                  "parameter must be specified in the request.")
        return self._impl.key_condition(schema)


_ENGINE: Any = None


_PARAMETERS = frozenset({
    "ConditionExpression", "UpdateExpression", "ProjectionExpression", "FilterExpression",
    "KeyConditionExpression", "Expected", "AttributeUpdates", "AttributesToGet",
    "KeyConditions", "QueryFilter", "ScanFilter", "ExpressionAttributeNames",
    "ExpressionAttributeValues", "ConditionalOperator"})


def _engine(p: Mapping[str, Any], op: str, schema=None):
    # Most requests carry none of these: one set intersection says so.
    if not any(p[n] is not None for n in _PARAMETERS.intersection(p)):
        return None
    from . import exprglue as _exprglue
    return _exprglue.compile_request(p, op, schema)


def prepare(p: Mapping[str, Any], op: str, schema=None) -> Prepared:
    """Parse and check a request's expressions (raises ValidationException in
    DynamoDB's words for a bad or unused one). A Query passes the key schema
    of the table or index it reads, for its key condition."""
    return Prepared(p, op, schema)
