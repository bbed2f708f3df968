"""Legacy (pre-expression) parameters, translated into expression ASTs.

The slides' Query operators (EQ, LT, BEGINS_WITH, BETWEEN...) come from
these parameters. Each is turned into the same nodes the expression parser
builds, so the service evaluates both through one code path.

Public API
----------
``filter_condition(conditions, operator=None, param="QueryFilter")``
    ``QueryFilter``/``ScanFilter`` (``{attr: {ComparisonOperator,
    AttributeValueList}}``) joined by ``ConditionalOperator`` -> condition
    AST, or None when empty.
``expected_condition(expected, operator=None)``
    ``Expected`` (``Value``/``Exists`` or ``ComparisonOperator``) -> AST.
``key_conditions(conditions, hash_key, range_key=None, key_types=None)``
    ``KeyConditions`` -> :class:`.KeyCondition`.
``attributes_to_get(names) -> tuple[Path, ...]``
``attribute_updates(updates) -> Update``
    ``AttributeUpdates`` (PUT/ADD/DELETE) -> the same :class:`.Update`
    :func:`.apply_update` runs.
``compare_condition(attr, operator, values, param)``
    One ``ComparisonOperator`` condition -> AST.

Legacy attribute names are literal top-level names: no placeholders, no
reserved-word rule, and ``a.b`` names one attribute with a dot in it.

Examples
--------
>>> from .evaluate import evaluate
>>> c = filter_condition({"n": {"ComparisonOperator": "BETWEEN",
...                             "AttributeValueList": [{"N": "1"}, {"N": "9"}]}})
>>> evaluate(c, {"n": {"N": "5"}}), evaluate(c, {"n": {"N": "10"}})
(True, False)
>>> key_conditions({"h": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]},
...                 "r": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "2024"}]}},
...                "h", "r").range_op
'begins_with'
"""
from __future__ import annotations

from typing import Any

from ...errors import ValidationError
from ..types import compare_values, serialization_error, validate_value, value_type
from .ast import (
    AddAction,
    And,
    Between,
    Compare,
    DeleteAction,
    Func,
    In,
    Not,
    Or,
    Path,
    RemoveAction,
    SetAction,
    Update,
    Value,
)
from .keycond import KeyCondition, key_condition_from_ast

__all__ = ["filter_condition", "expected_condition", "key_conditions",
           "attributes_to_get", "attribute_updates", "compare_condition",
           "enum_error", "COMPARISON_OPERATORS"]

_INVALID = "One or more parameter values were invalid: "
COMPARISON_OPERATORS = ("IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT",
                        "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS")
_ARGS = {"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "CONTAINS": 1,
         "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "NULL": 0, "NOT_NULL": 0, "BETWEEN": 2}
# Which value types each operator accepts (DynamoDB refuses the rest).
_SCALAR = ("S", "N", "B")
_ALLOWED = {"LT": _SCALAR, "LE": _SCALAR, "GT": _SCALAR, "GE": _SCALAR, "IN": _SCALAR,
            "BETWEEN": _SCALAR, "BEGINS_WITH": ("S", "B"),
            "CONTAINS": ("S", "N", "B", "BOOL", "NULL"),
            "NOT_CONTAINS": ("S", "N", "B", "BOOL", "NULL")}
_SYMBOL = {"EQ": "=", "NE": "<>", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}


def enum_error(value: Any, where: str, allowed) -> ValidationError:
    """DynamoDB's error for a value outside an enum (``where``: the
    parameter's path in its request, lower camel case)."""
    return ValidationError(
        f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]")


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _struct(value: Any, target: str) -> dict:
    if not isinstance(value, dict):
        raise serialization_error(value, target)
    return value


def compare_condition(attr: str, operator: Any, values: Any, param: str = "QueryFilter"):
    """One legacy ``ComparisonOperator`` condition on top-level ``attr``.

    Examples
    --------
    >>> compare_condition("a", "NOT_NULL", None)
    Func(name='attribute_exists', args=(Path(elements=('a',)),))
    >>> compare_condition("a", "LT", [{"BOOL": True}])
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: One or more parameter values were invalid: ComparisonOperator LT is not valid for BOOL AttributeValue type
    """
    if not isinstance(operator, str):
        raise serialization_error(operator, "String")
    if operator not in COMPARISON_OPERATORS:
        raise enum_error(operator, f"{_lower_first(param)}.{attr}.member.comparisonOperator",
                          COMPARISON_OPERATORS)
    if values is None:
        values = []
    if not isinstance(values, list):
        raise serialization_error(values, "List")
    avs = [validate_value(v) for v in values]
    wanted = _ARGS.get(operator)
    if (wanted is not None and len(avs) != wanted) or (operator == "IN" and not avs):
        raise ValidationError(_INVALID + f"Invalid number of argument(s) for the {operator} "
                              "ComparisonOperator")
    allowed = _ALLOWED.get(operator)
    for av in avs:
        if allowed is not None and value_type(av) not in allowed:
            raise ValidationError(_INVALID + f"ComparisonOperator {operator} is not valid "
                                  f"for {value_type(av)} AttributeValue type")
        if value_type(av) != value_type(avs[0]):
            raise ValidationError(_INVALID + "AttributeValues inside AttributeValueList must "
                                  "be of same type")
    if operator == "BETWEEN" and compare_values(avs[0], avs[1]) == 1:
        raise ValidationError("The BETWEEN condition was provided a range where the lower "
                              "bound is greater than the upper bound")
    path = Path((attr,))
    consts = [Value(attr, av) for av in avs]
    if operator in _SYMBOL:
        return Compare(_SYMBOL[operator], path, consts[0])
    if operator == "NULL":
        return Func("attribute_not_exists", (path,))
    if operator == "NOT_NULL":
        return Func("attribute_exists", (path,))
    if operator == "CONTAINS":
        return Func("contains", (path, consts[0]))
    if operator == "NOT_CONTAINS":
        # An absent attribute does not match NOT_CONTAINS either.
        return And(Func("attribute_exists", (path,)), Not(Func("contains", (path, consts[0]))))
    if operator == "BEGINS_WITH":
        return Func("begins_with", (path, consts[0]))
    if operator == "IN":
        return In(path, tuple(consts))
    return Between(path, consts[0], consts[1])


def _join(conditions: list, operator: Any):
    if operator is None:
        operator = "AND"
    if operator not in ("AND", "OR"):
        raise enum_error(operator, "conditionalOperator", ("AND", "OR"))
    node = None
    for c in conditions:
        node = c if node is None else (And(node, c) if operator == "AND" else Or(node, c))
    return node


def filter_condition(conditions: Any, operator: Any = None, param: str = "QueryFilter"):
    """``QueryFilter``/``ScanFilter`` -> condition AST (None if empty).

    Examples
    --------
    >>> filter_condition({"a": {"ComparisonOperator": "NULL"},
    ...                   "b": {"ComparisonOperator": "NULL"}}, "OR")  # doctest: +NORMALIZE_WHITESPACE
    Or(left=Func(name='attribute_not_exists', args=(Path(elements=('a',)),)),
       right=Func(name='attribute_not_exists', args=(Path(elements=('b',)),)))
    """
    if conditions is None:
        return None
    conditions = _struct(conditions, "Map")
    nodes = []
    for attr, cond in conditions.items():
        cond = _struct(cond, "Condition")
        if "ComparisonOperator" not in cond or cond["ComparisonOperator"] is None:
            raise ValidationError(
                f"1 validation error detected: Value null at '{_lower_first(param)}.{attr}."
                "member.comparisonOperator' failed to satisfy constraint: Member must not be null")
        nodes.append(compare_condition(attr, cond["ComparisonOperator"],
                                       cond.get("AttributeValueList"), param))
    return _join(nodes, operator)


def expected_condition(expected: Any, operator: Any = None):
    """``Expected`` -> condition AST (None if empty).

    Examples
    --------
    >>> expected_condition({"a": {"Exists": False}})
    Func(name='attribute_not_exists', args=(Path(elements=('a',)),))
    >>> expected_condition({"a": {"Exists": True}})
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a
    """
    if expected is None:
        return None
    expected = _struct(expected, "Map")
    nodes = []
    for attr, cond in expected.items():
        cond = _struct(cond, "ExpectedAttributeValue")
        exists, value = cond.get("Exists"), cond.get("Value")
        if exists is not None and not isinstance(exists, bool):
            raise serialization_error(exists, "Boolean")
        op, values = cond.get("ComparisonOperator"), cond.get("AttributeValueList")
        if op is not None:
            if exists is not None:
                raise ValidationError(_INVALID + "Exists and ComparisonOperator cannot be used "
                                      f"together for Attribute: {attr}")
            if values is not None and value is not None:
                raise ValidationError(_INVALID + "Value and AttributeValueList cannot be used "
                                      f"together for Attribute: {attr}")
            if values is None and value is None and _ARGS.get(op, 1) > 0:
                raise ValidationError(_INVALID + "Value or AttributeValueList must be used with "
                                      f"ComparisonOperator: {op} for Attribute: {attr}")
            nodes.append(compare_condition(attr, op, values if values is not None else
                                           ([value] if value is not None else []), "Expected"))
        elif values is not None:
            raise ValidationError(_INVALID + "AttributeValueList can only be used with a "
                                  f"ComparisonOperator for Attribute: {attr}")
        elif exists is False:
            if value is not None:
                raise ValidationError(_INVALID + "Value cannot be used when Exists is false "
                                      f"for Attribute: {attr}")
            nodes.append(Func("attribute_not_exists", (Path((attr,)),)))
        else:
            if value is None:
                raise ValidationError(_INVALID + "Value must be provided when Exists is "
                                      f"{'null' if exists is None else 'true'} for Attribute: {attr}")
            nodes.append(Compare("=", Path((attr,)), Value(attr, validate_value(value))))
    return _join(nodes, operator)


_KEY_OPERATORS = ("EQ", "LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN")


def key_conditions(conditions: Any, hash_key: str, range_key: str | None = None,
                   key_types: dict | None = None) -> KeyCondition:
    """``KeyConditions`` -> :class:`.KeyCondition`, with DynamoDB's rules.

    Examples
    --------
    >>> key_conditions({"h": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "x"}]}}, "h")
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: Attempted conditional constraint is not an indexable operation
    """
    conditions = _struct(conditions, "Map")
    if not 1 <= len(conditions) <= 2:
        raise ValidationError("Conditions can be of length 1 or 2 only")
    nodes = []
    for attr, cond in conditions.items():
        cond = _struct(cond, "Condition")
        op = cond.get("ComparisonOperator")
        node = compare_condition(attr, op, cond.get("AttributeValueList"), "KeyConditions")
        if op not in _KEY_OPERATORS:
            raise ValidationError("Attempted conditional constraint is not an indexable operation")
        nodes.append(node)
    return key_condition_from_ast(_join(nodes, "AND"), hash_key, range_key, key_types,
                                  kind="KeyConditions")


def attributes_to_get(names: Any) -> tuple:
    """``AttributesToGet`` -> top-level paths.

    Examples
    --------
    >>> attributes_to_get(["a", "a"])
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: One or more parameter values were invalid: Duplicate value in attribute name: a
    """
    if not isinstance(names, list):
        raise serialization_error(names, "List")
    if not names:
        raise ValidationError("1 validation error detected: Value '[]' at 'attributesToGet' "
                              "failed to satisfy constraint: Member must have length greater "
                              "than or equal to 1")
    seen = set()
    for name in names:
        if not isinstance(name, str):
            raise serialization_error(name, "String")
        if name in seen:
            raise ValidationError(_INVALID + f"Duplicate value in attribute name: {name}")
        seen.add(name)
    return tuple(Path((n,)) for n in names)


def attribute_updates(updates: Any) -> Update:
    """``AttributeUpdates`` -> :class:`.Update`.

    Examples
    --------
    >>> from .update import apply_update
    >>> u = attribute_updates({"n": {"Action": "ADD", "Value": {"N": "2"}},
    ...                        "old": {"Action": "DELETE"}, "s": {"Value": {"S": "v"}}})
    >>> apply_update(u, {"n": {"N": "1"}, "old": {"S": "x"}})
    {'n': {'N': '3'}, 's': {'S': 'v'}}
    """
    updates = _struct(updates, "Map")
    actions: list[Any] = []
    for attr, upd in updates.items():
        upd = _struct(upd, "AttributeValueUpdate")
        action = upd.get("Action") or "PUT"
        if action not in ("ADD", "PUT", "DELETE"):
            raise enum_error(action, f"attributeUpdates.{attr}.member.action",
                              ("ADD", "PUT", "DELETE"))
        path = Path((attr,))
        if upd.get("Value") is None:
            if action != "DELETE":
                raise ValidationError(_INVALID + "Only DELETE action is allowed when no "
                                      "attribute value is specified")
            actions.append(RemoveAction(path))
            continue
        value = Value(attr, validate_value(upd["Value"]))
        t = value_type(value.value)
        if action == "PUT":
            actions.append(SetAction(path, value))
        elif action == "ADD":
            if t not in ("N", "SS", "NS", "BS", "L"):
                raise ValidationError(_INVALID + f"ADD action is not supported for the type {t}")
            actions.append(AddAction(path, value, legacy=True))
        else:
            if t not in ("SS", "NS", "BS"):
                raise ValidationError(_INVALID + "DELETE action with value is not supported "
                                      f"for the type {t}")
            actions.append(DeleteAction(path, value, legacy=True))
    return Update(tuple(actions))
