"""ExpressionAttributeNames/Values for one request, and which were used.

One :class:`Expressions` object serves every expression of a request (e.g.
an UpdateItem's UpdateExpression and ConditionExpression share the maps),
so :meth:`Expressions.check_unused` can report placeholders that no
expression used, as DynamoDB does.

Public API
----------
``Expressions(names=None, values=None)``
    Validates both maps (JSON shape, ``#``/``:`` keys, AttributeValues) with
    DynamoDB's messages. ``values`` are stored canonical.
``.name(placeholder) -> str | None`` / ``.value(placeholder) -> dict | None``
    Look up and mark used; None when undefined (the parser words the error,
    since it knows the expression kind).
``.check_unused()``
    Raise ``Value provided in ExpressionAttributeValues unused in
    expressions: keys: {:x}`` (names are checked first, same wording).

Examples
--------
>>> ctx = Expressions({"#s": "status"}, {":v": {"N": "01"}, ":w": {"S": "x"}})
>>> ctx.name("#s"), ctx.value(":v")
('status', {'N': '1'})
>>> ctx.check_unused()
Traceback (most recent call last):
...
dynamo_lab.dynamodb.errors.ValidationError: Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}
"""
from __future__ import annotations

from typing import Any

from ...errors import DynamoDBError, ValidationError
from ..types import serialization_error, validate_value

__all__ = ["Expressions"]


class Expressions:
    """Placeholder maps of one request plus the set of placeholders used."""

    def __init__(self, names: Any = None, values: Any = None) -> None:
        self.names: dict[str, str] = self._check_names(names)
        self.values: dict[str, dict] = self._check_values(values)
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    @staticmethod
    def _check_names(names: Any) -> dict:
        if names is None:
            return {}
        if not isinstance(names, dict):
            raise serialization_error(names, "Map")
        if not names:
            raise ValidationError("ExpressionAttributeNames must not be empty")
        for key, name in names.items():
            if not isinstance(name, str):
                raise serialization_error(name, "String")
            if not key.startswith("#") or len(key) < 2:
                raise ValidationError(
                    f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')
            if name == "":
                raise ValidationError(
                    "ExpressionAttributeNames contains invalid value: Empty attribute "
                    f"name for key {key}")
        return dict(names)

    @staticmethod
    def _check_values(values: Any) -> dict:
        if values is None:
            return {}
        if not isinstance(values, dict):
            raise serialization_error(values, "Map")
        if not values:
            raise ValidationError("ExpressionAttributeValues must not be empty")
        out = {}
        for key, av in values.items():
            if not key.startswith(":") or len(key) < 2:
                raise ValidationError(
                    f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"')
            try:
                out[key] = validate_value(av)
            except ValidationError as e:
                raise ValidationError("ExpressionAttributeValues contains invalid value: "
                                      f"{e.message} for key {key}") from None
            except DynamoDBError:
                raise
        return out

    def name(self, placeholder: str) -> str | None:
        """The attribute name ``placeholder`` stands for; marks it used."""
        if placeholder in self.names:
            self.used_names.add(placeholder)
            return self.names[placeholder]
        return None

    def value(self, placeholder: str) -> dict | None:
        """The value ``placeholder`` stands for; marks it used."""
        if placeholder in self.values:
            self.used_values.add(placeholder)
            return self.values[placeholder]
        return None

    def check_unused(self) -> None:
        """Raise DynamoDB's error if a placeholder was supplied but unused."""
        for label, given, used in (("Names", self.names, self.used_names),
                                   ("Values", self.values, self.used_values)):
            unused = [k for k in given if k not in used]
            if unused:
                raise ValidationError(
                    f"Value provided in ExpressionAttribute{label} unused in expressions: "
                    f"keys: {{{', '.join(unused)}}}")

    def __repr__(self) -> str:
        return f"Expressions(names={self.names!r}, values={self.values!r})"
