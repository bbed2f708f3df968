"""Key conditions: which partition a Query reads and which sort-key range.

Public API
----------
``parse_key_condition(text, ctx, hash_key, range_key=None, key_types=None)``
    Parse a KeyConditionExpression and check DynamoDB's rules: only the
    table's (or index's) key attributes, only ``=`` on the partition key, at
    most one condition on the sort key, which may be ``= < <= > >=``,
    ``BETWEEN`` or ``begins_with``; conditions joined by AND only.
    ``key_types`` maps key names to ``"S"``/``"N"``/``"B"`` to check value
    types. Returns a :class:`KeyCondition`. Structural errors come first and
    without the ``Invalid KeyConditionExpression:`` prefix, as DynamoDB
    words them (``Invalid operator used in KeyConditionExpression: OR``,
    ``KeyConditionExpressions cannot contain nested operations``...); the
    schema ones follow (``Query condition missed key schema element: pk``,
    ``Query key condition not supported``).
``key_condition_from_ast(node, hash_key, range_key, key_types, kind)``
    The same rules on an AST (legacy ``KeyConditions`` use it).
``KeyCondition``
    ``hash_name``, ``hash_value``, ``range_name``, ``range_op`` (None, one
    of ``= < <= > >=``, ``BETWEEN``, ``begins_with``), ``range_values``;
    ``matches(range_value)`` and ``bounds()`` (sort-key bounds for
    ``SortedDict.irange`` with :func:`..types.sort_key` keys).

Examples
--------
>>> from .context import Expressions
>>> ctx = Expressions({"#d": "date"}, {":u": {"S": "u1"}, ":p": {"S": "2024-"}})
>>> kc = parse_key_condition("userId = :u AND begins_with(#d, :p)", ctx, "userId", "date")
>>> kc.hash_value, kc.range_op, kc.matches({"S": "2024-05"}), kc.matches({"S": "2023-12"})
({'S': 'u1'}, 'begins_with', True, False)
>>> parse_key_condition("userId > :u", ctx, "userId", "date")
Traceback (most recent call last):
...
dynamo_lab.dynamodb.errors.ValidationError: Query key condition not supported
"""
from __future__ import annotations

from dataclasses import dataclass

from ...errors import ValidationError
from ..types import sort_key, value_type
from .ast import And, Between, Compare, Func, In, Not, Or, Path, Size, Value
from .context import Expressions
from .evaluate import _begins_with, _cmp
from .parser import parse_condition

__all__ = ["KeyCondition", "parse_key_condition", "key_condition_from_ast"]

_FLIP = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class KeyCondition:
    """A Query's key condition, ready for a range scan in sort order."""
    hash_name: str
    hash_value: dict
    range_name: str | None = None
    range_op: str | None = None
    range_values: tuple = ()

    def matches(self, range_value: dict | None) -> bool:
        """Whether an item's sort-key value satisfies the range condition.

        Examples
        --------
        >>> kc = KeyCondition("h", {"S": "x"}, "r", "BETWEEN", ({"N": "1"}, {"N": "3"}))
        >>> [kc.matches({"N": n}) for n in ("0", "1", "3", "4")]
        [False, True, True, False]
        """
        if self.range_op is None:
            return True
        if range_value is None:
            return False
        if self.range_op == "BETWEEN":
            low, high = self.range_values
            return _cmp(">=", range_value, low) and _cmp("<=", range_value, high)
        if self.range_op == "begins_with":
            return _begins_with(range_value, self.range_values[0])
        return _cmp(self.range_op, range_value, self.range_values[0])

    def bounds(self) -> tuple:
        """``(low, low_inclusive, high, high_inclusive)`` in :func:`sort_key`
        space; None for an open end. For ``begins_with`` the range starts at
        the prefix and the caller stops at the first key that no longer
        :meth:`matches`.

        Examples
        --------
        >>> KeyCondition("h", {"S": "x"}, "r", "<", ({"N": "5"},)).bounds()
        (None, True, (1, Decimal('5')), False)
        """
        op, vals = self.range_op, self.range_values
        if op is None:
            return (None, True, None, True)
        if op == "=":
            return (sort_key(vals[0]), True, sort_key(vals[0]), True)
        if op in ("<", "<="):
            return (None, True, sort_key(vals[0]), op == "<=")
        if op in (">", ">="):
            return (sort_key(vals[0]), op == ">=", None, True)
        if op == "BETWEEN":
            return (sort_key(vals[0]), True, sort_key(vals[1]), True)
        return (sort_key(vals[0]), True, None, True)


def _conjuncts(node, kind: str) -> list:
    """The AND-ed leaf conditions in text order; DynamoDB's own words (no
    "Invalid KeyConditionExpression:" prefix) for any other operator."""
    if isinstance(node, And):
        parts = []
        while isinstance(node, And):  # left-deep chains can be long: loop
            parts.append(node.right)
            node = node.left
        parts.append(node)
        return [leaf for part in reversed(parts) for leaf in _conjuncts(part, kind)]
    bad = ("OR" if isinstance(node, Or) else "NOT" if isinstance(node, Not) else
           "IN" if isinstance(node, In) else
           "<>" if isinstance(node, Compare) and node.op == "<>" else
           node.name if isinstance(node, Func) and node.name != "begins_with" else None)
    if bad is not None:
        raise ValidationError(f"Invalid operator used in {kind}: {bad}")
    return [node]


def _shape(node, kind: str) -> tuple:
    """(attribute, op, values) of one key condition, attribute first.

    Follows DynamoDB's checks for one condition: BETWEEN/begins_with need
    the attribute first; then operands left to right: size() is a nested
    operation, the first path must be top-level, a second path is refused.
    """
    if isinstance(node, Compare):
        op, operands = node.op, [node.left, node.right]
        if isinstance(node.left, Value):  # ":v < a" reads "a > :v"
            op, operands = _FLIP[op], [node.right, node.left]
    elif isinstance(node, Between):
        op, operands = "BETWEEN", [node.subject, node.low, node.high]
    else:
        op, operands = "begins_with", list(node.args)
    if op in ("BETWEEN", "begins_with") and isinstance(operands[0], Value):
        raise ValidationError(f"Invalid condition in {kind}: {op} operator must have the key "
                              "attribute as its first operand")
    path = None
    for operand in operands:
        if isinstance(operand, Size):
            raise ValidationError(f"{kind}s cannot contain nested operations")
        if isinstance(operand, Path):
            if path is not None:
                raise ValidationError(f"Invalid condition in {kind}: Multiple attribute names "
                                      "used in one condition")
            if len(operand.elements) > 1:
                raise ValidationError(f"{kind}s cannot have conditions on nested attributes")
            path = operand
    if path is None:
        raise ValidationError(f"Invalid condition in {kind}: No key attribute specified")
    return path.top, op, tuple(o.value for o in operands if isinstance(o, Value))


def key_condition_from_ast(node, hash_key: str, range_key: str | None = None,
                           key_types: dict | None = None,
                           kind: str = "KeyConditionExpression") -> KeyCondition:
    """Check a key-condition AST against the key schema; see the module."""
    conditions = [_shape(c, kind) for c in _conjuncts(node, kind)]
    by_name: dict = {}
    for name, op, values in conditions:
        if name in by_name:
            raise ValidationError("KeyConditionExpressions must only contain one condition per key")
        by_name[name] = (op, values)
    if hash_key not in by_name:
        raise ValidationError(f"Query condition missed key schema element: {hash_key}")
    for name in by_name:
        if name not in (hash_key, range_key):
            if range_key is None or range_key in by_name:  # no key left to mean
                raise ValidationError("Query key condition not supported")
            raise ValidationError(f"Query condition missed key schema element: {range_key}")
    hash_op, hash_values = by_name[hash_key]
    if hash_op != "=":
        raise ValidationError("Query key condition not supported")
    for name, (op, values) in by_name.items():
        expected = (key_types or {}).get(name)
        for v in values:
            if expected is not None and value_type(v) != expected:
                raise ValidationError("One or more parameter values were invalid: "
                                      "Condition parameter type does not match schema type")
        if op == "BETWEEN" and sort_key(values[0]) > sort_key(values[1]):
            raise ValidationError(
                f"Invalid {kind}: The BETWEEN operator requires upper bound to be greater than "
                "or equal to lower bound; lower bound operand: AttributeValue: "
                f"{_brief(values[0])}, upper bound operand: AttributeValue: {_brief(values[1])}")
        for v in values:
            if value_type(v) not in ("S", "N", "B"):
                raise ValidationError("One or more parameter values were invalid: "
                                      "Condition parameter type does not match schema type")
    if range_key in by_name:
        op, values = by_name[range_key]
        return KeyCondition(hash_key, hash_values[0], range_key, op, values)
    return KeyCondition(hash_key, hash_values[0])


def _brief(av: dict) -> str:
    t = value_type(av)
    return f"{{{t}:{av[t]}}}"


def parse_key_condition(text: str, ctx: Expressions | None, hash_key: str,
                        range_key: str | None = None,
                        key_types: dict | None = None) -> KeyCondition:
    """Parse and check a KeyConditionExpression.

    Examples
    --------
    >>> ctx = Expressions(values={":h": {"N": "1"}, ":a": {"N": "5"}, ":b": {"N": "9"}})
    >>> parse_key_condition(":h = pk AND sk BETWEEN :a AND :b", ctx, "pk", "sk", {"pk": "N", "sk": "N"})
    KeyCondition(hash_name='pk', hash_value={'N': '1'}, range_name='sk', range_op='BETWEEN', range_values=({'N': '5'}, {'N': '9'}))
    """
    node = parse_condition(text, ctx, kind="KeyConditionExpression")
    return key_condition_from_ast(node, hash_key, range_key, key_types)


