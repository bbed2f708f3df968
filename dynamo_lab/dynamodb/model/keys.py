"""Primary keys: where an item lives and in what order.

A table's items are stored by a *storage key* ``(position, hash_bytes[,
range_token])``:

* ``position`` is the 128-bit MD5 of the partition (hash) key's bytes, the
  same ring position the Dynamo paper gives a key (4.1). Partitions are
  contiguous ranges of this space, so a Scan that walks storage keys in order
  walks partitions in hash order, and a hash key's items sit side by side.
* ``hash_bytes`` breaks the (astronomically unlikely) tie of two hash keys
  with one MD5.
* ``range_token`` orders a hash key's items by sort key, as DynamoDB does:
  numbers by value (2 before 10), strings by UTF-8 bytes, binaries bytewise.

Examples
--------
>>> s = KeySchema([{"AttributeName": "id", "KeyType": "HASH"},
...                {"AttributeName": "n", "KeyType": "RANGE"}],
...               {"id": "S", "n": "N"})
>>> k2 = s.storage_key({"id": {"S": "a"}, "n": {"N": "2"}})
>>> k10 = s.storage_key({"id": {"S": "a"}, "n": {"N": "10"}})
>>> k2 < k10
True
>>> s.key_of({"id": {"S": "a"}, "n": {"N": "2"}, "x": {"S": "y"}})
{'id': {'S': 'a'}, 'n': {'N': '2'}}
"""
from __future__ import annotations

from typing import Any

from ...dynamo.hashing import position as _ring_position  # the ring's hash (paper 4.1)
from ..errors import ValidationError
from .numbers import normalize_number
from .size import check_key_size
from .types import check_key_value, decode_binary, sort_key

__all__ = ["KeySchema", "position", "range_token", "TOP", "BOTTOM", "HASH_SPACE"]

HASH_SPACE = 1 << 128


class _Extreme:
    """A value above (or below) every range token, for range bounds."""

    __slots__ = ("top",)

    def __init__(self, top: bool) -> None:
        self.top = top

    def __lt__(self, other: Any) -> bool:
        return not self.top and other is not self

    def __gt__(self, other: Any) -> bool:
        return self.top and other is not self

    def __le__(self, other: Any) -> bool:
        return not self.top or other is self

    def __ge__(self, other: Any) -> bool:
        return self.top or other is self

    def __eq__(self, other: Any) -> bool:
        return other is self

    def __hash__(self) -> int:
        return hash(self.top)

    def __repr__(self) -> str:
        return "TOP" if self.top else "BOTTOM"


TOP = _Extreme(True)
BOTTOM = _Extreme(False)


def key_bytes(av: dict) -> bytes:
    """The bytes a key attribute value is hashed and compared by."""
    (t, v), = av.items()
    if t == "S":
        return v.encode("utf-8")
    if t == "B":
        return decode_binary(v)
    if t == "N":
        return normalize_number(v).encode()
    raise ValidationError("The provided key element does not match the schema")


def position(av: dict) -> int:
    """The 128-bit ring position of a partition key value (MD5 of its bytes).

    >>> import hashlib
    >>> position({"S": "a"}) == int(hashlib.md5(b"a").hexdigest(), 16)
    True
    """
    return _ring_position(key_bytes(av))


def range_token(av: dict) -> Any:
    """A value whose Python order is DynamoDB's sort-key order.

    >>> range_token({"N": "10"}) > range_token({"N": "2"})
    True
    >>> range_token({"S": "B"}) < range_token({"S": "a"})
    True
    """
    return sort_key(av)


class KeySchema:
    """A table's or index's key: the hash attribute, maybe a range attribute,
    and their declared types (``S``, ``N`` or ``B``)."""

    __slots__ = ("hash", "range", "types", "elements", "names", "_memo")

    #: Storage keys remembered per schema: one request computes its key's
    #: several times (plan, capacity, commit, event), and reads often follow
    #: writes. Bounded; cleared when full.
    MEMO_SIZE = 4096

    def __init__(self, elements: list[dict], types: dict[str, str]) -> None:
        self.elements = [dict(e) for e in elements]
        self.hash = elements[0]["AttributeName"]
        self.range = elements[1]["AttributeName"] if len(elements) > 1 else None
        #: ``(hash,)`` or ``(hash, range)``
        self.names = (self.hash,) if self.range is None else (self.hash, self.range)
        self.types = {n: types[n] for n in self.names}
        self._memo: dict = {}

    def key_of(self, item: dict) -> dict:
        """The key attributes of ``item`` (which must have them)."""
        return {n: item[n] for n in self.names}

    def has_key(self, item: dict) -> bool:
        """Whether ``item`` has every key attribute with the declared type
        (an index holds only such items: a sparse index)."""
        return all(n in item and self.types[n] in item[n] for n in self.names)

    def storage_key(self, item: dict) -> tuple:
        """``(position, hash_bytes, range_token or None)`` of an item or key.

        O(1) for a key seen lately (remembered by its values), else one MD5.
        """
        h = item[self.hash]
        r = None if self.range is None else item[self.range]
        try:
            memo_key: tuple | None = (*h.items(), *r.items()) if r is not None \
                else tuple(h.items())
            hit = self._memo.get(memo_key)
        except (TypeError, AttributeError):      # unhashable values: just compute
            memo_key, hit = None, None
        if hit is not None:
            return hit
        # None never meets another token: one hash key, one item.
        skey = (position(h), key_bytes(h), None if r is None else range_token(r))
        if memo_key is not None:
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            self._memo[memo_key] = skey
        return skey

    def hash_bounds(self, hash_av: dict) -> tuple:
        """Storage-key bounds holding every item of one hash key."""
        p, b = position(hash_av), key_bytes(hash_av)
        return (p, b, BOTTOM), (p, b, TOP)

    def check_key(self, key: dict) -> None:
        """Check a request's ``Key``: exactly the key attributes, right types.

        >>> s = KeySchema([{"AttributeName": "id", "KeyType": "HASH"}], {"id": "S"})
        >>> s.check_key({"id": {"N": "1"}})
        Traceback (most recent call last):
        ...
        dynamo_lab.dynamodb.errors.ValidationError: The provided key element does not match the schema
        """
        if len(key) != len(self.names):
            raise ValidationError("The provided key element does not match the schema")
        for n in self.names:
            av = key.get(n)
            t = self.types[n]
            if not isinstance(av, dict) or len(av) != 1 or t not in av:
                raise ValidationError("The provided key element does not match the schema")
            check_key_value(n, av, t)
        self._check_sizes(key)

    def check_item(self, item: dict, index: str | None = None) -> None:
        """Check that a whole item carries this key (PutItem's rules)."""
        for n in self.names:
            av = item.get(n)
            if av is None:
                if index is None:
                    raise ValidationError("One or more parameter values were invalid: "
                                          f"Missing the key {n} in the item")
                continue
            if index is None:
                check_key_value(n, av, self.types[n])
                continue
            if list(av) == [self.types[n]] and av[self.types[n]] in ("", b""):
                what = "string" if self.types[n] == "S" else "binary"
                raise ValidationError(
                    "One or more parameter values are not valid. A value specified for a "
                    "secondary index key is not supported. The AttributeValue for a key "
                    f"attribute cannot contain an empty {what} value. IndexName: {index}, "
                    f"IndexKey: {n}")
            if list(av) != [self.types[n]]:
                raise ValidationError(
                    "One or more parameter values were invalid: Type mismatch for Index Key "
                    f"{n} Expected: {self.types[n]} Actual: {next(iter(av))} IndexName: {index}")
        if index is None:
            self._check_sizes(item)

    def _check_sizes(self, item: dict) -> None:
        check_key_size(item[self.hash], item[self.range] if self.range else None)

    def __repr__(self) -> str:
        parts = [f"{self.hash} HASH {self.types[self.hash]}"]
        if self.range:
            parts.append(f"{self.range} RANGE {self.types[self.range]}")
        return f"KeySchema({', '.join(parts)})"
