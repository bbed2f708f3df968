"""The lab's own errors: one root, :class:`LabError`.

DynamoDB's errors (``ValidationException`` and the rest) are not here: they
live in :mod:`dynamo_lab.dynamodb.errors` and reach a learner as botocore's
``ClientError``, exactly as AWS sends them. This module holds the errors the
*lab* raises about itself: a mistyped option, a misuse of the simulation, an
engine asked for something it cannot do. Each subclass also derives from the
built-in exception a Python programmer would expect (``ValueError`` for a bad
value, ``RuntimeError`` for a bad moment), so ``except ValueError`` still
catches an option typo.

This is a leaf module: it imports nothing from the package, so every layer
may use it.

Examples
--------
>>> try:
...     raise OptionError("capacity", "burst_sec", ["burst_secs", "adaptive"])
... except ValueError as e:
...     print(e)
unknown option 'burst_sec' in capacity; accepted: adaptive, burst_secs
>>> isinstance(OptionError("x", "y", []), LabError)
True
"""
from __future__ import annotations

from typing import Iterable

__all__ = ["LabError", "OptionError", "OptionValueError", "UsageError", "ArgumentError",
           "ArgumentTypeError", "NotFoundError", "InvariantError"]


class LabError(Exception):
    """Root of every error the lab raises about itself (not DynamoDB's)."""


class OptionError(LabError, ValueError):
    """An option the lab does not know: names the key and the accepted ones.

    Parameters
    ----------
    group : str
        Where the option was given (``"capacity"``, ``"DynamoCluster"``).
    key : str
        The key as the learner typed it.
    accepted : iterable of str
        The keys the group accepts; listed sorted in the message.
    """

    def __init__(self, group: str, key: str, accepted: Iterable[str]) -> None:
        self.group, self.key, self.accepted = group, key, sorted(accepted)
        super().__init__(f"unknown option {key!r} in {group}; "
                         f"accepted: {', '.join(self.accepted)}")


class OptionValueError(LabError, ValueError):
    """A known option with a wrong type or an impossible value.

    Examples
    --------
    >>> print(OptionValueError("replication", "lag_ms", (5, 1), "a (low, high) pair with low <= high"))
    replication option 'lag_ms' is (5, 1); expected a (low, high) pair with low <= high
    """

    def __init__(self, group: str, key: str, value: object, expected: str) -> None:
        self.group, self.key, self.value = group, key, value
        super().__init__(f"{group} option {key!r} is {value!r}; expected {expected}")


class UsageError(LabError, RuntimeError):
    """The lab was asked for something it cannot do at this moment or in
    this configuration (a misuse, not bad input to DynamoDB)."""


class ArgumentError(LabError, ValueError):
    """An argument a lab function cannot take: a negative size, a hash
    outside the hash space, a split point outside its partition.

    Examples
    --------
    >>> isinstance(ArgumentError("size_limit must be > 0, not 0"), ValueError)
    True
    """


class NotFoundError(LabError, KeyError):
    """The lab has no such thing to show: a global secondary index, a
    storage node, a partition (a ``KeyError``, so lookups read as such).

    Examples
    --------
    >>> print(NotFoundError("Music has no global secondary index 'byX'"))
    Music has no global secondary index 'byX'
    """

    def __str__(self) -> str:           # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ArgumentTypeError(LabError, TypeError):
    """An argument of a kind a lab function cannot take (a view given
    something that is neither a simulation, an engine nor a log).

    Examples
    --------
    >>> isinstance(ArgumentTypeError("a view needs a Simulation"), TypeError)
    True
    """


class InvariantError(LabError, RuntimeError):
    """The lab broke one of its own invariants: a bug in the lab, never the
    learner's doing. The DynamoDB pipeline answers it as
    ``InternalServerError`` and keeps the traceback for the tests.

    Examples
    --------
    >>> print(InvariantError("not a condition: None"))
    not a condition: None
    """
