"""Item and key sizes by DynamoDB's rules, and the limits on them.

Sizes follow the developer guide ("Item sizes and formats"): an attribute
counts its name's UTF-8 length plus its value; strings count UTF-8 bytes,
binaries raw bytes, numbers about one byte per two significant digits plus
one, BOOL and NULL one byte, sets the sum of their members, and L and M three
bytes plus one byte per element plus the elements (map keys included).

Public API
----------
``value_size(av) -> int``, ``item_size(item) -> int``
    Sizes in bytes, O(size of value). Values must already be valid.
``check_item_size(item, update=False)``
    Raise DynamoDB's error past 400 KB (``update=True`` gives UpdateItem's
    wording).
``check_key_size(hash_value=None, range_value=None)``
    Raise DynamoDB's error for a partition key over 2048 bytes or a sort key
    over 1024 bytes.
``MAX_ITEM_SIZE``, ``MAX_HASH_KEY_SIZE``, ``MAX_RANGE_KEY_SIZE``

Examples
--------
>>> item_size({"id": {"S": "abc"}, "n": {"N": "12345"}, "ok": {"BOOL": True}})
13
>>> value_size({"L": [{"S": "ab"}, {"NULL": True}]})
8
"""
from __future__ import annotations

from ..errors import ValidationError
from .numbers import number_size
from .types import decode_binary, value_type

__all__ = ["MAX_ITEM_SIZE", "MAX_HASH_KEY_SIZE", "MAX_RANGE_KEY_SIZE",
           "value_size", "item_size", "check_item_size", "check_key_size"]

MAX_ITEM_SIZE = 400 * 1024
MAX_HASH_KEY_SIZE = 2048
MAX_RANGE_KEY_SIZE = 1024


def value_size(av: dict) -> int:
    """Bytes a value counts for (without its attribute name).

    Examples
    --------
    >>> value_size({"S": "é"}), value_size({"B": "AAEC"}), value_size({"SS": ["a", "bc"]})
    (2, 3, 3)
    >>> value_size({"M": {"k": {"N": "1"}}})
    7
    """
    if len(av) == 1:                 # one member: the common case, no search
        for tag, v in av.items():
            if tag == "S":
                return len(v) if v.isascii() else len(v.encode("utf-8"))
            if tag == "N":
                return number_size(v)
    tag = value_type(av)
    v = av[tag]
    if tag == "S":
        return len(v.encode("utf-8"))
    if tag == "N":
        return number_size(v)
    if tag == "B":
        return len(decode_binary(v))
    if tag in ("BOOL", "NULL"):
        return 1
    if tag == "SS":
        return sum(len(x.encode("utf-8")) for x in v)
    if tag == "NS":
        return sum(number_size(x) for x in v)
    if tag == "BS":
        return sum(len(decode_binary(x)) for x in v)
    if tag == "L":
        return 3 + sum(1 + value_size(x) for x in v)
    return 3 + sum(1 + len(k.encode("utf-8")) + value_size(x) for k, x in v.items())


def item_size(item: dict) -> int:
    """Bytes of a whole item: names plus values.

    Examples
    --------
    >>> item_size({"a": {"S": "xyz"}})
    4
    """
    total = 0
    for name, av in item.items():
        total += (len(name) if name.isascii() else len(name.encode("utf-8"))) + value_size(av)
    return total


def check_item_size(item: dict, update: bool = False) -> int:
    """Return the item's size, or raise DynamoDB's error past 400 KB.

    Examples
    --------
    >>> check_item_size({"a": {"S": "x" * 409_599}})
    409600
    >>> check_item_size({"a": {"S": "x" * 409_600}})
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: Item size has exceeded the maximum allowed size
    """
    size = item_size(item)
    if size > MAX_ITEM_SIZE:
        raise ValidationError("Item size to update has exceeded the maximum allowed size"
                              if update else "Item size has exceeded the maximum allowed size")
    return size


def check_key_size(hash_value: dict | None = None, range_value: dict | None = None) -> None:
    """Raise DynamoDB's error for an oversized partition or sort key value.

    Examples
    --------
    >>> check_key_size({"S": "x" * 2048}, {"S": "y" * 1024})
    >>> check_key_size({"S": "x" * 2049})
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes
    """
    # "limit of2048" (no space) is DynamoDB's own wording.
    if hash_value is not None and _may_exceed(hash_value, MAX_HASH_KEY_SIZE) \
            and value_size(hash_value) > MAX_HASH_KEY_SIZE:
        raise ValidationError("One or more parameter values were invalid: Size of hashkey "
                              "has exceeded the maximum size limit of2048 bytes")
    if range_value is not None and _may_exceed(range_value, MAX_RANGE_KEY_SIZE) \
            and value_size(range_value) > MAX_RANGE_KEY_SIZE:
        raise ValidationError("One or more parameter values were invalid: Aggregated size "
                              "of all range keys has exceeded the size limit of 1024 bytes")


def _may_exceed(av: dict, limit: int) -> bool:
    # A key value is S, N or B. A number is at most 22 bytes; a string of n
    # characters at most 4n UTF-8 bytes; base64 text of n characters holds
    # at most 3n/4 bytes. Only values that could pass the limit are measured.
    if len(av) == 1:
        for tag, v in av.items():
            if tag == "N":
                return False
            if tag == "S" and isinstance(v, str):
                return 4 * len(v) > limit
            if tag == "B" and isinstance(v, str):
                return 3 * len(v) > 4 * limit
    return True
