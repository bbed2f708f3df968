"""Counts in words a learner reads: ``1 partition``, ``2 partitions``.

A message, a caption or a repr that prints a count says the noun in the
singular for exactly one and in the plural otherwise (zero included, as
English does), never ``1 partitions`` or ``1 shard(s)``.

This is a leaf module: it imports nothing from the package, so every layer
may use it.

Examples
--------
>>> plural(1, "partition"), plural(3, "partition"), plural(0, "shard")
('1 partition', '3 partitions', '0 shards')
>>> plural(1, "copy", "copies"), plural(2, "copy", "copies")
('1 copy', '2 copies')
>>> plural(1.0, "zone"), plural(2.5, "second")
('1.0 zone', '2.5 seconds')
>>> plural(1200, "vote", fmt=","), plural(1, "vote", fmt=">2")
('1,200 votes', ' 1 vote')
>>> noun(1, "counter"), noun(16, "counter")
('counter', 'counters')
"""
from __future__ import annotations

from numbers import Number

__all__ = ["plural", "noun"]


def noun(n: object, one: str, many: str | None = None) -> str:
    """The noun alone, as the count ``n`` needs it.

    Parameters
    ----------
    n : object
        The count. Only a number equal to 1 takes the singular; anything
        else (``0``, ``2``, ``None``, a learner's odd answer) the plural.
    one : str
        The singular, ``"partition"``.
    many : str, optional
        The plural when it is not ``one`` plus ``s`` (``"copies"``).

    Returns
    -------
    str

    Examples
    --------
    >>> from decimal import Decimal
    >>> noun(1, "shard"), noun(Decimal("1"), "shard"), noun(2, "shard"), noun("1", "shard")
    ('shard', 'shard', 'shards', 'shards')
    """
    single = isinstance(n, Number) and not isinstance(n, bool) and n == 1
    return one if single else (many or one + "s")


def plural(n: object, one: str, many: str | None = None, *, fmt: str = "") -> str:
    """The count and its noun: ``'1 partition'``, ``'2 partitions'``.

    Parameters
    ----------
    n : object
        The count, printed with ``format(n, fmt)``.
    one, many : str
        The singular, and the plural when it is not ``one`` plus ``s``.
    fmt : str, optional
        A format spec for the number (``","`` for thousands, ``">2"`` to
        pad a column).

    Returns
    -------
    str

    Examples
    --------
    >>> plural(1, "learner"), plural(12, "learner")
    ('1 learner', '12 learners')
    """
    return f"{format(n, fmt)} {noun(n, one, many)}"
