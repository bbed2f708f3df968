"""DynamoDB AttributeValues on the wire: validation, equality and order.

Values are the dicts the JSON 1.0 protocol carries, e.g. ``{"S": "x"}``,
``{"N": "1.5"}``, ``{"B": "AAE="}``, ``{"L": [...]}``, ``{"M": {...}}``.
Binary (``B`` and ``BS`` members) is the **base64 text** botocore sends; it is
decoded only where bytes matter (size, order, equality, ``begins_with``).
:func:`validate_value` also accepts raw ``bytes`` there and turns them into
base64, so the in-process client may skip the JSON round trip.

Public API
----------
``TYPES``
    The ten type tags: S N B SS NS BS BOOL NULL L M.
``validate_value(av) -> av``
    Check one AttributeValue and return a canonical copy (numbers canonical,
    binaries base64 text). Raises :class:`ValidationError` or a
    ``SerializationException`` :class:`DynamoDBError`. O(size of value).
``validate_item(item) -> item``
    :func:`validate_value` for every attribute of an item (a JSON object of
    name -> value), plus the 32-level nesting limit.
``check_key_value(name, av, expected=None)``
    Extra rules for key attributes: scalar type, matching type, not empty.
``value_type(av) -> str``
    The single type tag of a valid value.
``decode_binary(text) -> bytes``
    Base64 text to bytes.
``values_equal(a, b) -> bool``
    DynamoDB equality: numbers by value, sets unordered, deep for L and M.
``compare_values(a, b) -> int | None``
    -1/0/1 for two scalars of the same type (N by value, S by UTF-8 bytes,
    B by unsigned bytes); None if DynamoDB cannot order them.
``sort_key(av) -> tuple``
    A Python sort key for a key value that orders exactly as DynamoDB's
    sort keys do (use it with ``sortedcontainers``).

Examples
--------
>>> validate_value({"N": "01.50"})
{'N': '1.5'}
>>> values_equal({"NS": ["1", "2"]}, {"NS": ["2.0", "1"]})
True
>>> compare_values({"S": "Z"}, {"S": "a"})
-1
>>> sorted([{"N": "10"}, {"N": "9"}, {"N": "-1"}], key=sort_key)
[{'N': '-1'}, {'N': '9'}, {'N': '10'}]
"""
from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any

from ..errors import DynamoDBError, ValidationError
from .numbers import format_number, normalize_number, parse_number

__all__ = [
    "TYPES", "SCALAR_TYPES", "SET_TYPES", "MAX_NESTING", "validate_value",
    "validate_item", "check_key_value", "value_type", "decode_binary",
    "encode_binary", "values_equal", "compare_values", "sort_key",
    "serialization_error", "check_nesting",
]

TYPES = ("S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL", "L", "M")
SCALAR_TYPES = ("S", "N", "B")
SET_TYPES = ("SS", "NS", "BS")
MAX_NESTING = 32

_INVALID = "One or more parameter values were invalid: "
_EMPTY = ("Supplied AttributeValue is empty, must contain exactly one of the "
          "supported datatypes")
_MULTI = ("Supplied AttributeValue has more than one datatypes set, must "
          "contain exactly one of the supported datatypes")
_NESTING = ("Nesting Levels have exceeded supported limits: Attributes in the "
            "item have nested levels beyond supported limit")


def serialization_error(value: Any, target: str) -> DynamoDBError:
    """The ``SerializationException`` Coral raises when a JSON member has the
    wrong JSON type (e.g. ``{"S": 5}``), in its Jackson-flavoured wording.

    Examples
    --------
    >>> serialization_error(5, "String").message
    'NUMBER_VALUE cannot be converted to String'
    >>> serialization_error([], "String").message
    'Start of list found where not expected'
    """
    if isinstance(value, list):
        msg = "Start of list found where not expected"
    elif isinstance(value, dict):
        msg = "Start of structure or map found where not expected."
    elif isinstance(value, bool):
        msg = f"{'TRUE' if value else 'FALSE'}_VALUE cannot be converted to {target}"
    elif isinstance(value, (int, float)):
        msg = f"NUMBER_VALUE cannot be converted to {target}"
    elif value is None:
        msg = f"null cannot be converted to {target}"
    else:
        msg = f"STRING_VALUE cannot be converted to {target}"
    return DynamoDBError("SerializationException", msg)


def encode_binary(data: bytes) -> str:
    """Bytes to the base64 text the wire carries.

    Examples
    --------
    >>> encode_binary(b"\\x00\\x01")
    'AAE='
    """
    return base64.b64encode(bytes(data)).decode("ascii")


def decode_binary(text: Any) -> bytes:
    """Base64 wire text (or raw bytes) to bytes.

    Raises
    ------
    DynamoDBError
        ``SerializationException`` for text that is not base64.

    Examples
    --------
    >>> decode_binary("AAE=")
    b'\\x00\\x01'
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text)
    if not isinstance(text, str):
        raise serialization_error(text, "Blob")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise DynamoDBError(
            "SerializationException",
            f"'{text}' can not be converted to a Blob: Base64 encoded length is "
            f"expected a multiple of 4 bytes but found: {len(text)}"
            if len(text) % 4 else
            f"'{text}' can not be converted to a Blob: Invalid Base64 character",
        ) from None


def _binary_text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return encode_binary(bytes(value))
    decode_binary(value)
    return value


_TYPE_SET = frozenset(TYPES)


def value_type(av: dict) -> str:
    """The type tag of a valid AttributeValue.

    Examples
    --------
    >>> value_type({"BOOL": False})
    'BOOL'
    """
    if len(av) == 1:
        for tag in av:
            if tag in _TYPE_SET:
                return tag
    for tag in av:
        if tag in TYPES:
            return tag
    raise ValidationError(_EMPTY)


def validate_value(av: Any, _depth: int = 1) -> dict:
    """Validate one AttributeValue and return its canonical copy.

    Parameters
    ----------
    av : dict
        Wire AttributeValue.

    Returns
    -------
    dict
        A new dict; ``N``/``NS`` canonical, ``B``/``BS`` as base64 text.

    Raises
    ------
    ValidationError
        With DynamoDB's message (empty, several types, bad number, empty or
        duplicate set, NULL not true, nesting beyond 32 levels).
    DynamoDBError
        ``SerializationException`` when a member has the wrong JSON type.

    Examples
    --------
    >>> validate_value({"SS": ["a", "a"]})
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: One or more parameter values were invalid: Input collection [a, a] contains duplicates.
    >>> validate_value({"S": "a", "N": "1"})
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes
    """
    if type(av) is dict and len(av) == 1:       # the common case, checked quickly
        for tag, v in av.items():
            if type(v) is str:
                if tag == "S":
                    return {"S": v}
                if tag == "N":
                    return {"N": normalize_number(v)}
    if not isinstance(av, dict):
        raise serialization_error(av, "AttributeValue")
    # Coral ignores unknown members and JSON nulls, so {"X": 1} is "empty".
    tags = [t for t in av if t in TYPES and av[t] is not None]
    if not tags:
        raise ValidationError(_EMPTY)
    # DynamoDB reports a bad member before it counts the members.
    out = {tag: _validate_member(tag, av[tag], _depth) for tag in tags}
    if len(tags) > 1:
        raise ValidationError(_MULTI)
    return out


def _validate_member(tag: str, value: Any, depth: int) -> Any:
    if tag == "S":
        if not isinstance(value, str):
            raise serialization_error(value, "String")
        return value
    if tag == "N":
        if not isinstance(value, str):
            raise serialization_error(value, "String")
        return normalize_number(value)
    if tag == "B":
        return _binary_text(value)
    if tag in ("BOOL", "NULL"):
        if not isinstance(value, bool):
            raise serialization_error(value, "Boolean")
        if tag == "NULL" and not value:
            raise ValidationError(
                _INVALID + "Null attribute value types must have the value of true")
        return value
    if tag in SET_TYPES:
        return _validate_set(tag, value)
    if tag == "L":
        if not isinstance(value, list):
            raise serialization_error(value, "List")
    elif not isinstance(value, dict):
        raise serialization_error(value, "Map")
    if value and depth >= MAX_NESTING:
        # The attribute is level 1; a value at level 33 is one too deep.
        raise ValidationError(_NESTING)
    if tag == "L":
        return [validate_value(v, depth + 1) for v in value]
    return {k: validate_value(v, depth + 1) for k, v in value.items()}


def _validate_set(tag: str, value: Any) -> list:
    if not isinstance(value, list):
        raise serialization_error(value, "List")
    if tag == "SS":
        for member in value:
            if not isinstance(member, str):
                raise serialization_error(member, "String")
        if not value:
            raise ValidationError(_INVALID + "An string set  may not be empty")
        if len(set(value)) != len(value):
            raise ValidationError(
                _INVALID + f"Input collection [{', '.join(value)}] contains duplicates.")
        return list(value)
    if tag == "NS":
        for member in value:
            if not isinstance(member, str):
                raise serialization_error(member, "String")
        numbers = [parse_number(m) for m in value]
        if not numbers:
            raise ValidationError(_INVALID + "An number set  may not be empty")
        if len(set(numbers)) != len(numbers):
            raise ValidationError("Input collection contains duplicates")
        return [format_number(n) for n in numbers]
    texts = [_binary_text(m) for m in value]
    if not texts:
        raise ValidationError(_INVALID + "Binary sets should not be empty")
    if len({decode_binary(t) for t in texts}) != len(texts):
        raise ValidationError(
            _INVALID + f"Input collection [{', '.join(texts)}]of type BS contains duplicates.")
    return texts


def check_nesting(av: dict, _depth: int = 1) -> None:
    """Raise DynamoDB's error if an L/M value nests more than 32 levels, the
    attribute itself being level 1 (for values built by updates, which
    :func:`validate_value` never saw).

    Examples
    --------
    >>> deep = {"S": "x"}
    >>> for _ in range(31):
    ...     deep = {"L": [deep]}
    >>> check_nesting(deep)              # the leaf at level 32: the deepest allowed
    >>> check_nesting({"L": [deep]})
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit
    """
    children = av.get("L") if "L" in av else (av["M"].values() if "M" in av else None)
    if children is None:
        return
    if children and _depth >= MAX_NESTING:
        raise ValidationError(_NESTING)
    for child in children:
        check_nesting(child, _depth + 1)


def validate_item(item: Any) -> dict:
    """Validate every attribute of an item; return the canonical copy.

    Item-size and key rules are separate (:mod:`.size`,
    :func:`check_key_value`) because they depend on the table.

    Examples
    --------
    >>> validate_item({"id": {"S": "a"}, "n": {"N": "2.0"}})
    {'id': {'S': 'a'}, 'n': {'N': '2'}}
    """
    if not isinstance(item, dict):
        raise serialization_error(item, "Map")
    out = {}
    for name, av in item.items():
        if not isinstance(name, str):
            raise serialization_error(name, "String")
        out[name] = validate_value(av)
    return out


def check_key_value(name: str, av: dict, expected: str | None = None) -> None:
    """Rules for a key attribute's value (hash, range or index key).

    Parameters
    ----------
    name : str
        Attribute name, quoted in messages.
    av : dict
        A value already passed through :func:`validate_value`.
    expected : str, optional
        The ``AttributeType`` from the table's definitions.

    Examples
    --------
    >>> check_key_value("id", {"S": ""})
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id
    >>> check_key_value("id", {"N": "1"}, "S")
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: One or more parameter values were invalid: Type mismatch for key id expected: S actual: N
    """
    tag = value_type(av)
    if expected is not None and tag != expected:
        raise ValidationError(
            _INVALID + f"Type mismatch for key {name} expected: {expected} actual: {tag}")
    if tag not in SCALAR_TYPES:
        raise ValidationError(
            _INVALID + f"Type mismatch for key {name} expected: "
            f"{expected or 'S, N or B'} actual: {tag}")
    if tag == "S" and av["S"] == "":
        raise ValidationError(
            "One or more parameter values are not valid. The AttributeValue for a "
            f"key attribute cannot contain an empty string value. Key: {name}")
    if tag == "B" and decode_binary(av["B"]) == b"":
        raise ValidationError(
            "One or more parameter values are not valid. The AttributeValue for a "
            f"key attribute cannot contain an empty binary value. Key: {name}")


def _scalar(tag: str, value: Any) -> Any:
    if tag == "N":
        return Decimal(value)
    if tag == "S":
        return value.encode("utf-8")
    if tag == "B":
        return decode_binary(value)
    return value


def values_equal(a: dict, b: dict) -> bool:
    """DynamoDB's ``=`` on two valid values.

    Examples
    --------
    >>> values_equal({"N": "1"}, {"N": "1.0"}), values_equal({"N": "1"}, {"S": "1"})
    (True, False)
    >>> values_equal({"M": {"a": {"L": [{"B": "AA=="}]}}}, {"M": {"a": {"L": [{"B": b"\\x00"}]}}})
    True
    """
    ta, tb = value_type(a), value_type(b)
    if ta != tb:
        return False
    va, vb = a[ta], b[tb]
    if ta in ("S", "N", "B"):
        return _scalar(ta, va) == _scalar(tb, vb)
    if ta in SET_TYPES:
        base = ta[0]
        return {_scalar(base, x) for x in va} == {_scalar(base, x) for x in vb}
    if ta == "L":
        return len(va) == len(vb) and all(values_equal(x, y) for x, y in zip(va, vb))
    if ta == "M":
        return va.keys() == vb.keys() and all(values_equal(va[k], vb[k]) for k in va)
    return va == vb


def compare_values(a: dict, b: dict) -> int | None:
    """Order two values as ``<``/``>``/``BETWEEN`` do.

    Returns
    -------
    int or None
        -1, 0 or 1; None when the types differ or are not S, N or B (the
        comparison is then simply false in a condition).

    Examples
    --------
    >>> compare_values({"N": "-2"}, {"N": "10"})
    -1
    >>> compare_values({"B": "/w=="}, {"B": "AA=="})
    1
    >>> compare_values({"N": "1"}, {"S": "1"}) is None
    True
    """
    ta, tb = value_type(a), value_type(b)
    if ta != tb or ta not in SCALAR_TYPES:
        return None
    x, y = _scalar(ta, a[ta]), _scalar(tb, b[tb])
    return (x > y) - (x < y)


_TYPE_RANK = {"B": 0, "N": 1, "S": 2}


def sort_key(av: dict) -> tuple:
    """Python sort key giving DynamoDB's sort-key order for S, N and B.

    N orders by value, S by UTF-8 bytes (so ``"Z" < "a" < "é"``), B by
    unsigned bytes. Different types never share a key attribute, but the
    type rank keeps the key total anyway.

    Examples
    --------
    >>> [v["S"] for v in sorted([{"S": "é"}, {"S": "a"}, {"S": "Z"}], key=sort_key)]
    ['Z', 'a', 'é']
    """
    tag = value_type(av)
    if tag not in _TYPE_RANK:
        raise ValidationError(
            _INVALID + f"Type mismatch for key expected: S, N or B actual: {tag}")
    return (_TYPE_RANK[tag], _scalar(tag, av[tag]))
