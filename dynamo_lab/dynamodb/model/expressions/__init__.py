"""DynamoDB's expression language: parse, check, evaluate, apply.

Pure functions on the wire form (see :mod:`dynamo_lab.dynamodb.model.types`); no
service state. Every error is a :class:`~dynamo_lab.dynamodb.errors.ValidationError`
(or a ``SerializationException`` for wrong JSON types) in DynamoDB's words.

Typical use by the service, for one request::

    ctx = Expressions(req.get("ExpressionAttributeNames"),
                      req.get("ExpressionAttributeValues"))
    cond = parse_condition(req["ConditionExpression"], ctx)        # or kind="FilterExpression"
    upd = parse_update(req["UpdateExpression"], ctx)
    ctx.check_unused()                                             # after all expressions
    if key_names & update_targets(upd): ...                        # "Cannot update attribute ..."
    if not evaluate(cond, old_item): ...                           # ConditionalCheckFailed
    new_item = apply_update(upd, old_item)                         # old_item untouched
    # then re-validate key values, check_item_size(new_item, update=True)

Public API
----------
``Expressions(names, values)``  placeholder maps; ``.check_unused()``
``parse_condition(text, ctx=None, kind="ConditionExpression")`` -> condition AST
``parse_update(text, ctx=None)`` -> :class:`Update`
``parse_projection(text, ctx=None)`` -> tuple of :class:`Path`
``parse_key_condition(text, ctx, hash_key, range_key=None, key_types=None)``
    -> :class:`KeyCondition` (``hash_value``, ``matches``, ``bounds``)
``evaluate(condition, item) -> bool``; ``resolve(item, path)``
``project(paths, item) -> item``
``apply_update(update, item) -> new item``; ``update_targets(update) -> set``;
``update_paths(update) -> list`` (paths written and read)
``request_expressions(params, operation, hash_key, range_key, key_types)``
    every expression or legacy parameter of a request, parsed and
    cross-checked (mixing, unused placeholders) -> :class:`RequestExpressions`
Legacy parameters one by one: :mod:`.legacy` (``filter_condition``,
``expected_condition``, ``key_conditions``, ``attributes_to_get``,
``attribute_updates``).

Examples
--------
>>> ctx = Expressions({"#c": "count"}, {":one": {"N": "1"}, ":zero": {"N": "0"}})
>>> upd = parse_update("SET #c = if_not_exists(#c, :zero) + :one", ctx)
>>> ctx.check_unused()
>>> apply_update(upd, {"id": {"S": "a"}})
{'id': {'S': 'a'}, 'count': {'N': '1'}}
"""
from .ast import (
    AddAction,
    And,
    Arith,
    Between,
    Compare,
    DeleteAction,
    Func,
    IfNotExists,
    In,
    ListAppend,
    Not,
    Or,
    Path,
    RemoveAction,
    SetAction,
    Size,
    Update,
    Value,
)
from .context import Expressions
from .evaluate import evaluate, operand_value, resolve
from .keycond import KeyCondition, key_condition_from_ast, parse_key_condition
from .legacy import attribute_updates, attributes_to_get, expected_condition, filter_condition, key_conditions
from .parser import check_paths, parse_condition, parse_projection, parse_update
from .project import project
from .request import RequestExpressions, request_expressions
from .reserved import RESERVED_WORDS, is_reserved
from .update import apply_update, update_paths, update_targets

__all__ = [
    "Expressions", "parse_condition", "parse_update", "parse_projection",
    "parse_key_condition", "key_condition_from_ast", "KeyCondition", "check_paths",
    "evaluate", "resolve", "operand_value", "project", "apply_update", "update_targets",
    "update_paths",
    "RESERVED_WORDS", "is_reserved", "request_expressions", "RequestExpressions",
    "filter_condition", "expected_condition", "key_conditions", "attributes_to_get",
    "attribute_updates",
    "Path", "Value", "Size", "IfNotExists", "ListAppend", "Arith", "Compare",
    "Between", "In", "Func", "And", "Or", "Not", "SetAction", "RemoveAction",
    "AddAction", "DeleteAction", "Update",
]
