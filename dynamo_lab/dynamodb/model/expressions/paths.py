"""Document-path rules shared by UpdateExpression and ProjectionExpression.

Two paths *overlap* when one is a prefix of the other (or they are equal);
they *conflict* when, at the same position, one indexes a list and the other
names a map key. DynamoDB refuses both, reporting any overlap before any
conflict.

Public API
----------
``path_problems(paths) -> list[(relation, message)]``  O(paths²)
``check_paths(paths, kind)``  raise the first problem as a ValidationError

Examples
--------
>>> from .ast import Path
>>> check_paths([Path(("a",)), Path(("a", "b"))], "ProjectionExpression")
Traceback (most recent call last):
...
dynamo_lab.dynamodb.errors.ValidationError: Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]
"""
from __future__ import annotations

from ...errors import ValidationError

__all__ = ["path_problems", "check_paths"]


def path_problems(paths) -> list:
    """Overlaps first, then conflicts, as ``(relation, message)`` pairs.

    DynamoDB reports any overlap before any conflict; within each, pairs in
    source order with the earlier path as "path one".
    """
    paths = list(paths)
    found = []
    for wanted in ("overlap", "conflict"):
        for i, one in enumerate(paths):
            for two in paths[i + 1:]:
                if _relation(one.elements, two.elements) == wanted:
                    found.append((wanted, f"Two document paths {wanted} with each other; must "
                                  "remove or rewrite one of these paths; path one: "
                                  f"{one.display()}, path two: {two.display()}"))
    return found


def check_paths(paths, kind: str) -> None:
    """Raise DynamoDB's error if two paths overlap (one is a prefix of the
    other, or they are equal) or conflict (one indexes a list where the
    other names a map key).

    Examples
    --------
    >>> from .ast import Path
    >>> check_paths([Path(("a", 1)), Path(("a", "b"))], "UpdateExpression")
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, b]
    >>> check_paths([Path(("a", 1)), Path(("a", 2))], "UpdateExpression")
    """
    problems = path_problems(paths)
    if problems:
        raise ValidationError(f"Invalid {kind}: {problems[0][1]}")


def _relation(a: tuple, b: tuple) -> str | None:
    for x, y in zip(a, b):
        if isinstance(x, int) != isinstance(y, int):
            return "conflict"
        if x != y:
            return None
    return "overlap"
