"""Bridge from a request's parameters to :mod:`dynamo_lab.dynamodb.expressions`.

Private to :mod:`.evaluate`. It decides which parameters a request uses,
refuses mixes DynamoDB refuses, parses each expression once with one shared
:class:`~.expressions.context.Expressions` (so unused placeholders are
reported), and exposes the small interface the operations call.

Examples
--------
>>> r = compile_request({"ConditionExpression": "attribute_not_exists(id)"}, "PutItem")
>>> r.condition(None), r.condition({"id": {"S": "x"}})
(True, False)
"""
from __future__ import annotations

from typing import Any, Callable

from .errors import ValidationError
from .expressions.context import Expressions
from .expressions.evaluate import evaluate
from .expressions.keycond import parse_key_condition
from .expressions.parser import parse_condition, parse_projection, parse_update
from .expressions.project import project, top_level
from .expressions.update import apply_update

__all__ = ["compile_request"]

# Expression parameter -> the legacy parameter it replaces, per operation.
_PAIRS = {
    "ConditionExpression": ("Expected", "ConditionalOperator"),
    "UpdateExpression": ("AttributeUpdates",),
    "ProjectionExpression": ("AttributesToGet",),
    "FilterExpression": ("QueryFilter", "ScanFilter", "ConditionalOperator"),
    "KeyConditionExpression": ("KeyConditions",),
}
_EXPRESSIONS = tuple(_PAIRS)
_LEGACY = ("Expected", "AttributeUpdates", "AttributesToGet", "QueryFilter", "ScanFilter",
           "KeyConditions", "ConditionalOperator")


def _legacy():
    try:
        from .expressions import legacy  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - until the legacy translator lands
        return None
    return legacy


class Compiled:
    """The parsed expressions of one request (or one transaction action)."""

    def __init__(self, p: dict, op: str) -> None:
        used_expr = [n for n in _EXPRESSIONS if p.get(n) is not None]
        used_legacy = [n for n in _LEGACY if p.get(n) is not None]
        if used_expr and used_legacy:
            raise ValidationError(
                "Can not use both expression and non-expression parameters in the same "
                "request: Non-expression parameters: {" + ", ".join(used_legacy) + "} "
                "Expression parameters: {" + ", ".join(used_expr) + "}")
        names, values = p.get("ExpressionAttributeNames"), p.get("ExpressionAttributeValues")
        if not used_expr:
            if names is not None:
                raise ValidationError("ExpressionAttributeNames can only be specified when "
                                      "using expressions")
            if values is not None:
                raise ValidationError("ExpressionAttributeValues can only be specified when "
                                      "using expressions")
        self.ctx = Expressions(names, values)
        self.p, self.op = p, op
        self._condition = self._filter = self._update = self._paths = None
        if used_legacy:
            self._compile_legacy(p, op)
        if p.get("ConditionExpression") is not None:
            self._condition = parse_condition(p["ConditionExpression"], self.ctx,
                                              "ConditionExpression")
        if p.get("FilterExpression") is not None:
            self._filter = parse_condition(p["FilterExpression"], self.ctx, "FilterExpression")
        if p.get("UpdateExpression") is not None:
            self._update = parse_update(p["UpdateExpression"], self.ctx)
        if p.get("ProjectionExpression") is not None:
            self._paths = parse_projection(p["ProjectionExpression"], self.ctx)
        elif p.get("AttributesToGet") is not None:
            self._paths = top_level(p["AttributesToGet"])
        # A Query's key condition is parsed when the key schema is known;
        # unused placeholders are checked after it.
        if p.get("KeyConditionExpression") is None and p.get("KeyConditions") is None:
            self.ctx.check_unused()

    def _compile_legacy(self, p: dict, op: str) -> None:
        legacy = _legacy()
        needs = [n for n in ("Expected", "AttributeUpdates", "QueryFilter", "ScanFilter",
                             "KeyConditions") if p.get(n) is not None]
        if needs and legacy is None:
            raise ValidationError(f"dynamo_lab does not support {needs[0]} yet; "
                                  "use the expression parameters")
        if needs:
            legacy.compile_into(self, p, op)   # sets _condition/_filter/_update/_keys

    # -- the interface the operations use ----------------------------------
    def condition(self, item: dict | None) -> bool:
        return True if self._condition is None else evaluate(self._condition, item)

    def filter(self, item: dict) -> bool:
        return True if self._filter is None else evaluate(self._filter, item)

    @property
    def projects(self) -> bool:
        return self._paths is not None

    def project(self, item: dict) -> dict:
        return item if self._paths is None else project(self._paths, item)

    def update(self, item: dict | None, key: dict) -> tuple[dict, list]:
        if self._update is None:
            return (dict(item) if item else dict(key)), []
        base = item if item is not None else dict(key)
        new = apply_update(self._update, base)
        return new, list(self._update.paths)

    def pick(self, item: dict | None, paths: list) -> dict:
        return project(paths, item) if item else {}

    def key_condition(self, schema) -> tuple[dict, Callable[[dict], bool] | None]:
        text = self.p.get("KeyConditionExpression")
        if text is None:
            keys = getattr(self, "_keys", None)
            if keys is None:
                raise ValidationError("Either the KeyConditions or KeyConditionExpression "
                                      "parameter must be specified in the request.")
            kc = keys(schema)
        else:
            kc = parse_key_condition(text, self.ctx, schema.hash, schema.range, schema.types)
            self.ctx.check_unused()
        if kc.range_op is None:
            return kc.hash_value, None
        name = kc.range_name
        return kc.hash_value, (lambda item: kc.matches(item.get(name)))


def compile_request(p: dict, op: str) -> Any:
    """Parse and check the expressions of request ``p`` for operation ``op``."""
    return Compiled(p, op)
