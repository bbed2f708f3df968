"""Applying an UpdateExpression to an item, without touching the input.

:func:`apply_update` returns a new item; the one passed in is never
mutated, so an update that fails half-way leaves the service's state as it
was. Every SET right-hand side is computed from the item as it was before
the update, as DynamoDB does.

Public API
----------
``apply_update(update, item) -> dict``
    The updated item (``item`` may be None or ``{}`` for a new item). Raises
    :class:`ValidationError` with DynamoDB's runtime messages: ``The
    provided expression refers to an attribute that does not exist in the
    item``, ``The document path provided in the update expression is
    invalid for update``, ``An operand in the update expression has an
    incorrect data type``, number overflow/precision errors and the
    32-level nesting limit. The caller still checks key attributes and item
    size on the result.
``update_paths(update) -> list[Path]``
    Every path the update writes or reads (index-key checks need both).
``update_targets(update) -> set[str]``
    Top-level attribute names the update writes or removes (for the
    service's "Cannot update attribute ...; This attribute is part of the
    key" rule).

Examples
--------
>>> from .parser import parse_update
>>> from .context import Expressions
>>> u = parse_update("SET n = n + :one, l = list_append(if_not_exists(l, :empty), :more) ADD s :s",
...                  Expressions(values={":one": {"N": "1"}, ":empty": {"L": []},
...                                      ":more": {"L": [{"S": "x"}]}, ":s": {"SS": ["a"]}}))
>>> before = {"id": {"S": "k"}, "n": {"N": "41"}}
>>> apply_update(u, before)
{'id': {'S': 'k'}, 'n': {'N': '42'}, 'l': {'L': [{'S': 'x'}]}, 's': {'SS': ['a']}}
>>> before
{'id': {'S': 'k'}, 'n': {'N': '41'}}
>>> sorted(update_targets(u))
['l', 'n', 's']
"""
from __future__ import annotations

import copy
from decimal import Decimal

from ....errors import InvariantError
from ...errors import ValidationError
from ..numbers import add_numbers, subtract_numbers
from ..types import SET_TYPES, check_nesting, decode_binary, value_type
from .ast import (
    AddAction,
    Arith,
    DeleteAction,
    IfNotExists,
    ListAppend,
    Path,
    RemoveAction,
    SetAction,
    Update,
    Value,
)
from .evaluate import resolve

__all__ = ["apply_update", "update_targets", "update_paths"]

_MISSING = "The provided expression refers to an attribute that does not exist in the item"
_BAD_PATH = "The document path provided in the update expression is invalid for update"
_BAD_TYPE = "An operand in the update expression has an incorrect data type"
_LEGACY_BAD_TYPE = "Type mismatch for attribute to update"


def update_targets(update: Update) -> set:
    """Top-level attribute names an update touches.

    Examples
    --------
    >>> update_targets(Update((RemoveAction(Path(("a", "b"))),)))
    {'a'}
    """
    return {action.path.top for action in update.actions}


def update_paths(update: Update) -> list:
    """Every document path an update writes or reads, in source order.

    The service needs the read ones too: DynamoDB refuses ``f = d[1]`` when
    ``d`` is an index key ("Key attributes must be scalars; ...").

    Examples
    --------
    >>> from .parser import parse_update
    >>> [str(p) for p in update_paths(parse_update("SET a = b.c + d[0] REMOVE e"))]
    ['a', 'b.c', 'd[0]', 'e']
    """
    found: list = []

    def walk(operand) -> None:
        if isinstance(operand, Path):
            found.append(operand)
        elif isinstance(operand, IfNotExists):
            found.append(operand.path)
            walk(operand.default)
        elif isinstance(operand, (ListAppend, Arith)):
            walk(operand.left)
            walk(operand.right)

    for action in update.actions:
        found.append(action.path)
        if isinstance(action, SetAction):
            walk(action.value)
    return found


def _value(operand, item: dict) -> dict:
    if isinstance(operand, Value):
        return operand.value
    if isinstance(operand, Path):
        found = resolve(item, operand)
        if found is None:
            raise ValidationError(_MISSING)
        return found
    if isinstance(operand, IfNotExists):
        found = resolve(item, operand.path)
        return found if found is not None else _value(operand.default, item)
    if isinstance(operand, ListAppend):
        left, right = _value(operand.left, item), _value(operand.right, item)
        if "L" not in left or "L" not in right:
            raise ValidationError(_BAD_TYPE)
        return {"L": left["L"] + right["L"]}
    if isinstance(operand, Arith):
        left, right = _value(operand.left, item), _value(operand.right, item)
        if "N" not in left or "N" not in right:
            raise ValidationError(_BAD_TYPE)
        combine = add_numbers if operand.op == "+" else subtract_numbers
        return {"N": combine(left["N"], right["N"])}
    raise InvariantError(f"not an update operand: {operand!r}")  # parser bug


def _parent(item: dict, path: Path, strict: bool):
    """The container holding the path's last element: a dict of attributes
    (top level or an M's members) or an L's list. None when an intermediate
    step is missing and not ``strict``."""
    container = item
    for element in path.elements[:-1]:
        if isinstance(element, int):
            ok = isinstance(container, list) and element < len(container)
        else:
            ok = isinstance(container, dict) and element in container
        if not ok:
            if strict:
                raise ValidationError(_BAD_PATH)
            return None
        av = container[element]
        # A scalar on the way leaves no container: the next step must fail.
        container = av["M"] if "M" in av else av["L"] if "L" in av else None  # type: ignore[assignment]
    return container


def _set(item: dict, path: Path, value: dict) -> None:
    parent = _parent(item, path, strict=True)
    last = path.elements[-1]
    if isinstance(last, int):
        if not isinstance(parent, list):
            raise ValidationError(_BAD_PATH)
        if last < len(parent):
            parent[last] = value
        else:
            parent.append(value)  # past the end appends, as DynamoDB does
    else:
        if not isinstance(parent, dict):
            raise ValidationError(_BAD_PATH)
        parent[last] = value


def _remove(item: dict, path: Path) -> None:
    parent = _parent(item, path, strict=True)
    last = path.elements[-1]
    if isinstance(last, int):
        if not isinstance(parent, list):
            raise ValidationError(_BAD_PATH)
        if last < len(parent):
            del parent[last]
    else:
        if not isinstance(parent, dict):
            raise ValidationError(_BAD_PATH)
        parent.pop(last, None)


def _set_members(t: str, values: list) -> dict:
    if t == "NS":
        return {Decimal(v): v for v in values}
    if t == "BS":
        return {decode_binary(v): v for v in values}
    return {v: v for v in values}


def _add(item: dict, path: Path, value: dict, bad_type: str = _BAD_TYPE) -> None:
    current = resolve(item, path)
    if current is None:
        _set(item, path, copy.deepcopy(value))
        return
    t, vt = value_type(current), value_type(value)
    if t != vt:
        raise ValidationError(bad_type)
    if t == "N":
        _set(item, path, {"N": add_numbers(current["N"], value["N"])})
    elif t in SET_TYPES:
        members = _set_members(t, current[t])
        for k, v in _set_members(t, value[t]).items():
            members.setdefault(k, v)
        _set(item, path, {t: list(members.values())})
    elif t == "L":  # only legacy AttributeUpdates ADD gets here: it appends
        _set(item, path, {"L": current["L"] + copy.deepcopy(value["L"])})
    else:
        raise ValidationError(bad_type)


def _delete(item: dict, path: Path, value: dict, bad_type: str = _BAD_TYPE) -> None:
    current = resolve(item, path)
    if current is None:
        # Nothing to delete from, but the path itself must make sense.
        parent, last = _parent(item, path, strict=True), path.elements[-1]
        if not isinstance(parent, list if isinstance(last, int) else dict):
            raise ValidationError(_BAD_PATH)
        return
    t, vt = value_type(current), value_type(value)
    if t != vt or t not in SET_TYPES:
        raise ValidationError(bad_type)
    gone = _set_members(t, value[t])
    kept = [v for k, v in _set_members(t, current[t]).items() if k not in gone]
    if kept:
        _set(item, path, {t: kept})
    else:
        _remove(item, path)  # an empty set cannot exist: the attribute goes


def _removal_order(action: RemoveAction) -> tuple:
    # Remove higher list indexes first so every index means the original
    # position, as DynamoDB applies REMOVE a[0], a[1].
    return tuple((1, e) if isinstance(e, int) else (0, e) for e in action.path.elements)


def apply_update(update: Update, item: dict | None) -> dict:
    """Apply ``update`` to a copy of ``item`` and return the copy.

    Examples
    --------
    >>> from .parser import parse_update
    >>> u = parse_update("REMOVE l[0], l[2]")
    >>> apply_update(u, {"l": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}, {"N": "3"}]}})
    {'l': {'L': [{'N': '1'}, {'N': '3'}]}}
    >>> apply_update(parse_update("SET a.b = c"), {"c": {"N": "1"}})
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: The document path provided in the update expression is invalid for update
    """
    original = item or {}
    new = copy.deepcopy(original)
    sets = [(a.path, _value(a.value, original)) for a in update.actions
            if isinstance(a, SetAction)]
    for path, value in sets:
        _set(new, path, copy.deepcopy(value))
    removes = [a for a in update.actions if isinstance(a, RemoveAction)]
    for action in sorted(removes, key=_removal_order, reverse=True):
        _remove(new, action.path)
    for action in update.actions:
        if isinstance(action, (AddAction, DeleteAction)):
            apply = _add if isinstance(action, AddAction) else _delete
            apply(new, action.path, action.value.value,
                  _LEGACY_BAD_TYPE if action.legacy else _BAD_TYPE)
    for name in update_targets(update):
        if name in new:
            check_nesting(new[name])  # SET a.b... can build depth no request had
    return new
