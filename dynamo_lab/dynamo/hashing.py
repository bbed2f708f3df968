"""Where a key sits on the ring: MD5 of the key as a 128-bit position.

The Dynamo paper (section 4.1) hashes each key with MD5 and reads the digest
as a 128-bit number; that number is the key's position on the ring. This
module is pure (no state, no events), so views and lessons import it freely.

Examples
--------
>>> position("cart:alice") == int.from_bytes(__import__("hashlib").md5(b"cart:alice").digest(), "big")
True
>>> position(b"cart:alice") == position("cart:alice")
True
>>> 0 <= position("K") < RING_SIZE
True
>>> span(RING_SIZE - 10, 10)
20
>>> in_range(5, RING_SIZE - 10, 10), in_range(11, RING_SIZE - 10, 10)
(True, False)
>>> short(RING_SIZE // 2)
'80000000'
>>> position(42)
Traceback (most recent call last):
...
ValueError: a key must be a str or bytes, not int (42)
"""
from __future__ import annotations

try:
    # CPython's own MD5 (HACL*) makes a short digest about twice as fast as
    # OpenSSL's, whose per-object setup dominates for keys of a few bytes.
    # The digest is the same; builds without it fall back to hashlib.
    from _md5 import md5 as _md5
except ImportError:  # pragma: no cover
    from hashlib import md5 as _md5

__all__ = ["RING_SIZE", "position", "span", "in_range", "short", "fraction"]

#: The size of the hash space: positions run from 0 to ``RING_SIZE - 1``.
RING_SIZE = 2 ** 128


def position(key: str | bytes) -> int:
    """The ring position of ``key``: MD5 of the key, read big-endian.

    A str is encoded as UTF-8 first; bytes (or bytearray) hash as they are.
    Cost: O(len(key)).

    Raises
    ------
    ValueError
        If ``key`` is neither str nor bytes.

    Examples
    --------
    >>> hex(position(""))
    '0xd41d8cd98f00b204e9800998ecf8427e'
    """
    if isinstance(key, str):
        key = key.encode("utf-8")
    elif not isinstance(key, (bytes, bytearray)):
        raise ValueError(f"a key must be a str or bytes, not {type(key).__name__} ({key!r})")
    return int.from_bytes(_md5(key).digest(), "big")


def span(start: int, end: int) -> int:
    """How many positions the range ``(start, end]`` holds, going clockwise.

    ``start == end`` means the whole ring (a ring with one token). O(1).

    Examples
    --------
    >>> span(10, 30), span(7, 7) == RING_SIZE
    (20, True)
    """
    d = (end - start) % RING_SIZE
    return d if d else RING_SIZE


def in_range(pos: int, start: int, end: int) -> bool:
    """Whether ``pos`` lies in the clockwise range ``(start, end]``. O(1).

    ``start == end`` means the whole ring.

    Examples
    --------
    >>> in_range(30, 10, 30), in_range(10, 10, 30), in_range(3, 3, 3)
    (True, False, True)
    """
    if start < end:
        return start < pos <= end
    if start > end:
        return pos > start or pos <= end
    return True


def short(pos: int, digits: int = 8) -> str:
    """The first ``digits`` hex digits of a 128-bit position, for labels. O(1).

    Examples
    --------
    >>> short(0), short(RING_SIZE - 1, 4)
    ('00000000', 'ffff')
    """
    return f"{pos:032x}"[:digits]


def fraction(pos: int) -> float:
    """A position as a fraction of the ring, in ``[0, 1)``; handy for drawing. O(1).

    Examples
    --------
    >>> fraction(RING_SIZE // 4)
    0.25
    """
    return pos / RING_SIZE
