"""All the expressions of one request, legacy or not, checked together.

A service operation hands its request parameters to
:func:`request_expressions` and gets back ready ASTs; the function applies
DynamoDB's cross-parameter rules: no mixing of expression and legacy
parameters, ExpressionAttributeNames/Values only with expressions, and no
unused placeholders across all expressions of the request.

Public API
----------
``request_expressions(params, operation="", hash_key=None, range_key=None, key_types=None)``
    ``params`` is the request dict (PutItem, UpdateItem, Query, Scan, a
    TransactWriteItems member...). Returns :class:`RequestExpressions`.
    ``hash_key``/``range_key``/``key_types`` describe the table or index
    queried and are needed only for key conditions.
``RequestExpressions``
    ``condition`` (ConditionExpression or Expected), ``filter``
    (FilterExpression, QueryFilter or ScanFilter), ``key_condition``
    (:class:`.KeyCondition`), ``projection`` (tuple of paths), ``update``
    (:class:`.Update`); each None when absent.
``EXPRESSION_PARAMETERS``, ``LEGACY_PARAMETERS``

Examples
--------
>>> r = request_expressions({"TableName": "t", "FilterExpression": "#n > :v",
...                          "ExpressionAttributeNames": {"#n": "n"},
...                          "ExpressionAttributeValues": {":v": {"N": "1"}}}, "Scan")
>>> type(r.filter).__name__, r.projection
('Compare', None)
>>> request_expressions({"AttributesToGet": ["a"], "ProjectionExpression": "a"}, "GetItem")
Traceback (most recent call last):
...
dynamo_lab.dynamodb.errors.ValidationError: Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ....errors import ArgumentError
from ...errors import ValidationError
from ..types import serialization_error
from . import legacy
from .context import Expressions
from .keycond import KeyCondition, parse_key_condition
from .parser import parse_condition, parse_projection, parse_update

__all__ = ["RequestExpressions", "request_expressions", "EXPRESSION_PARAMETERS",
           "LEGACY_PARAMETERS"]

EXPRESSION_PARAMETERS = ("ProjectionExpression", "KeyConditionExpression", "FilterExpression",
                         "ConditionExpression", "UpdateExpression")
LEGACY_PARAMETERS = ("AttributesToGet", "KeyConditions", "QueryFilter", "ScanFilter",
                     "Expected", "AttributeUpdates", "ConditionalOperator")
# Which expressions may use ExpressionAttributeValues, per operation, for
# DynamoDB's "... can only be specified when using expressions: X is null".
_VALUE_USERS = {"Query": "FilterExpression and KeyConditionExpression are null",
                "Scan": "FilterExpression is null",
                "UpdateItem": "UpdateExpression and ConditionExpression are null",
                "Update": "UpdateExpression and ConditionExpression are null"}


# Per operation, the parameters DynamoDB's mixing error lists, legacy then
# expression, each in the order the message lists them (requests recorded
# against DynamoDB). A transaction member or BatchGetItem's KeysAndAttributes
# takes its operation's lists.
_ITEM = (("Expected", "ConditionalOperator"), ("ConditionExpression",))
_GET = (("AttributesToGet",), ("ProjectionExpression",))
_UPDATE = (("AttributeUpdates", "Expected", "ConditionalOperator"),
           ("UpdateExpression", "ConditionExpression"))
_MIXING = {
    "Query": (("AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"),
              ("ProjectionExpression", "FilterExpression", "KeyConditionExpression")),
    "Scan": (("AttributesToGet", "ScanFilter", "ConditionalOperator"),
             ("ProjectionExpression", "FilterExpression")),
    "GetItem": _GET, "Get": _GET, "BatchGetItem": _GET,
    "PutItem": _ITEM, "Put": _ITEM, "DeleteItem": _ITEM, "Delete": _ITEM,
    "ConditionCheck": _ITEM, "UpdateItem": _UPDATE, "Update": _UPDATE,
}
# The legacy map ConditionalOperator joins, per operation (default Expected).
_JOINED = {"Query": "QueryFilter", "Scan": "ScanFilter"}


@dataclass(frozen=True)
class RequestExpressions:
    condition: Any = None
    filter: Any = None
    key_condition: KeyCondition | None = None
    projection: tuple | None = None
    update: Any = None


def _present(params: dict, names) -> list:
    return [n for n in names if params.get(n) is not None]


def request_expressions(params: Any, operation: str = "", hash_key: str | None = None,
                        range_key: str | None = None,
                        key_types: dict | None = None) -> RequestExpressions:
    """Parse and cross-check every expression parameter of one request."""
    if not isinstance(params, dict):
        raise serialization_error(params, "Map")
    old_names, expr_names = _MIXING.get(operation, (LEGACY_PARAMETERS, EXPRESSION_PARAMETERS))
    exprs = _present(params, expr_names)
    olds = _present(params, old_names)
    if operation == "Query" and params.get("KeyConditionExpression") is None \
            and "KeyConditions" in olds:
        # KeyConditions goes with expressions: DynamoDB accepts it beside a
        # FilterExpression or ProjectionExpression.
        olds.remove("KeyConditions")
    if exprs and olds:
        raise ValidationError(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(olds)}}} "
            f"Expression parameters: {{{', '.join(exprs)}}}")
    names, values = params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues")
    if not exprs:
        _check_conditional_operator(params, _JOINED.get(operation, "Expected"))
        if names is not None:
            raise ValidationError("ExpressionAttributeNames can only be specified when using "
                                  "expressions")
        if values is not None:
            raise ValidationError("ExpressionAttributeValues can only be specified when using "
                                  f"expressions: {_VALUE_USERS.get(operation, 'ConditionExpression is null')}")
        return _legacy(params, hash_key, range_key, key_types)
    ctx = Expressions(names, values)
    found: dict = {}
    if params.get("UpdateExpression") is not None:
        found["update"] = parse_update(params["UpdateExpression"], ctx)
    if params.get("ConditionExpression") is not None:
        found["condition"] = parse_condition(params["ConditionExpression"], ctx)
    if params.get("KeyConditionExpression") is not None:
        if hash_key is None:
            raise ArgumentError("request_expressions needs hash_key for a KeyConditionExpression")
        found["key_condition"] = parse_key_condition(
            params["KeyConditionExpression"], ctx, hash_key, range_key, key_types)
    elif params.get("KeyConditions") is not None and hash_key is not None:
        found["key_condition"] = legacy.key_conditions(params["KeyConditions"], hash_key,
                                                       range_key, key_types)
    if params.get("FilterExpression") is not None:
        found["filter"] = parse_condition(params["FilterExpression"], ctx, "FilterExpression")
    if params.get("ProjectionExpression") is not None:
        found["projection"] = parse_projection(params["ProjectionExpression"], ctx)
    ctx.check_unused()
    return RequestExpressions(**found)


def _check_conditional_operator(params: dict, joined: str) -> None:
    """``ConditionalOperator`` joins the conditions of one legacy map
    (``Expected``, ``QueryFilter`` or ``ScanFilter``): DynamoDB refuses it
    without that map or with fewer than two conditions in it."""
    operator = params.get("ConditionalOperator")
    if operator is None:
        return
    if operator not in ("AND", "OR"):
        raise legacy.enum_error(operator, "conditionalOperator", ("AND", "OR"))
    conditions = params.get(joined)
    if not conditions:
        raise ValidationError("ConditionalOperator cannot be used without Filter or Expected")
    if isinstance(conditions, dict) and len(conditions) < 2:
        raise ValidationError("ConditionalOperator can only be used when Filter or Expected "
                              "has two or more elements")


def _legacy(params: dict, hash_key, range_key, key_types) -> RequestExpressions:
    found: dict = {}
    operator = params.get("ConditionalOperator")
    if params.get("AttributeUpdates") is not None:
        found["update"] = legacy.attribute_updates(params["AttributeUpdates"])
    if params.get("Expected") is not None:
        found["condition"] = legacy.expected_condition(params["Expected"], operator)
    if params.get("KeyConditions") is not None:
        if hash_key is None:
            raise ArgumentError("request_expressions needs hash_key for KeyConditions")
        found["key_condition"] = legacy.key_conditions(params["KeyConditions"], hash_key,
                                                       range_key, key_types)
    for param in ("QueryFilter", "ScanFilter"):
        if params.get(param) is not None:
            found["filter"] = legacy.filter_condition(params[param], operator, param)
    if params.get("AttributesToGet") is not None:
        found["projection"] = legacy.attributes_to_get(params["AttributesToGet"])
    return RequestExpressions(**found)
