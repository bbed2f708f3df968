"""Evaluating conditions and operands against an item.

Items and values are in wire form (see :mod:`dynamo_lab.dynamodb.model.types`).
Evaluation never raises for data it meets: a comparison between values
DynamoDB cannot compare (different types, a missing attribute) is simply
false, as in DynamoDB.

Public API
----------
``resolve(item, path) -> dict | None``
    The value at a document path, or None. O(len(path)).
``operand_value(operand, item) -> dict | None``
    A condition operand's value (``size()`` included).
``evaluate(condition, item) -> bool``
    The truth of a condition AST on ``item`` (``None`` for a missing item
    behaves like ``{}``). O(size of condition x path lengths).

Semantics worth knowing: ``a <> :v`` is true when ``a`` is missing;
``size()`` counts characters of S, bytes of B and elements of sets, L and
M, and is undefined (so comparisons are false) for N, BOOL and NULL;
``contains`` works on substrings of S and B, members of sets and elements
of lists.

Examples
--------
>>> from .parser import parse_condition
>>> from .context import Expressions
>>> item = {"id": {"S": "x"}, "tags": {"SS": ["a", "b"]}, "n": {"N": "5"}}
>>> ctx = Expressions(values={":t": {"S": "a"}, ":lo": {"N": "1"}, ":hi": {"N": "9"}})
>>> cond = parse_condition("contains(tags, :t) AND n BETWEEN :lo AND :hi AND size(tags) < :hi", ctx)
>>> evaluate(cond, item)
True
>>> evaluate(cond, {})
False
"""
from __future__ import annotations

from decimal import Decimal

from ....errors import InvariantError
from ..types import SET_TYPES, compare_values, decode_binary, value_type, values_equal
from .ast import And, Between, Compare, Func, In, Not, Or, Path, Size, Value

__all__ = ["resolve", "operand_value", "evaluate", "value_size_function"]


def resolve(item: dict | None, path: Path) -> dict | None:
    """Value at ``path`` in ``item``, or None if any step is missing.

    Examples
    --------
    >>> resolve({"a": {"L": [{"M": {"b": {"S": "x"}}}]}}, Path(("a", 0, "b")))
    {'S': 'x'}
    >>> resolve({"a": {"S": "x"}}, Path(("a", 0))) is None
    True
    """
    if not item:
        return None
    current = item.get(path.elements[0])
    for element in path.elements[1:]:
        if current is None:
            return None
        if isinstance(element, int):
            items = current.get("L")
            current = items[element] if items is not None and element < len(items) else None
        else:
            members = current.get("M")
            current = members.get(element) if members is not None else None
    return current


def value_size_function(av: dict | None) -> dict | None:
    """``size()`` of a value as an ``N``, or None where it is undefined.

    Examples
    --------
    >>> value_size_function({"S": "héllo"}), value_size_function({"N": "3"})
    ({'N': '5'}, None)
    """
    if av is None:
        return None
    t = value_type(av)
    if t == "S":
        n = len(av["S"])
    elif t == "B":
        n = len(decode_binary(av["B"]))
    elif t in SET_TYPES or t in ("L", "M"):
        n = len(av[t])
    else:
        return None
    return {"N": str(n)}


def operand_value(operand, item: dict | None) -> dict | None:
    """The value of a condition operand on ``item``."""
    if isinstance(operand, Value):
        return operand.value
    if isinstance(operand, Path):
        return resolve(item, operand)
    if isinstance(operand, Size):
        return value_size_function(operand_value(operand.operand, item))
    raise InvariantError(f"not a condition operand: {operand!r}")  # parser bug, not user input


def _cmp(op: str, a: dict | None, b: dict | None) -> bool:
    if op == "=":
        return a is not None and b is not None and values_equal(a, b)
    if op == "<>":
        return not (a is not None and b is not None and values_equal(a, b))
    if a is None or b is None:
        return False
    c = compare_values(a, b)
    if c is None:
        return False
    return {"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]


def _begins_with(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return False
    ta, tb = value_type(a), value_type(b)
    if ta != tb:
        return False
    if ta == "S":
        return a["S"].startswith(b["S"])
    if ta == "B":
        return decode_binary(a["B"]).startswith(decode_binary(b["B"]))
    return False


def _contains(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return False
    ta, tb = value_type(a), value_type(b)
    if ta == "S" and tb == "S":
        return b["S"] in a["S"]
    if ta == "B" and tb == "B":
        return decode_binary(b["B"]) in decode_binary(a["B"])
    if ta == "SS" and tb == "S":
        return b["S"] in a["SS"]
    if ta == "NS" and tb == "N":
        return Decimal(b["N"]) in {Decimal(x) for x in a["NS"]}
    if ta == "BS" and tb == "B":
        return decode_binary(b["B"]) in {decode_binary(x) for x in a["BS"]}
    if ta == "L":
        return any(values_equal(x, b) for x in a["L"])
    return False


def evaluate(condition, item: dict | None) -> bool:
    """Whether ``condition`` holds for ``item``.

    Examples
    --------
    >>> from .parser import parse_condition
    >>> from .context import Expressions
    >>> c = parse_condition("NOT a = :x OR b = :x AND c = :x", Expressions(values={":x": {"N": "1"}}))
    >>> evaluate(c, {"a": {"N": "1"}, "b": {"N": "1"}}), evaluate(c, {"a": {"N": "2"}})
    (False, True)
    """
    node, negate = condition, False
    while isinstance(node, Not):  # loops, not recursion: chains may be long
        node, negate = node.operand, not negate
    if isinstance(node, (And, Or)):
        kind = type(node)
        parts = []
        while isinstance(node, kind):  # left-deep "a AND b AND c ..."
            parts.append(node.right)
            node = node.left
        parts.append(node)
        want = kind is Or  # OR stops at the first true part, AND at a false one
        result = not want
        for part in reversed(parts):
            if evaluate(part, item) is want:
                result = want
                break
        return result is not negate
    return _leaf(node, item) is not negate


def _leaf(node, item: dict | None) -> bool:
    if isinstance(node, Compare):
        return _cmp(node.op, operand_value(node.left, item), operand_value(node.right, item))
    if isinstance(node, Between):
        v = operand_value(node.subject, item)
        return _cmp(">=", v, operand_value(node.low, item)) and \
            _cmp("<=", v, operand_value(node.high, item))
    if isinstance(node, In):
        v = operand_value(node.subject, item)
        return any(_cmp("=", v, operand_value(o, item)) for o in node.options)
    if isinstance(node, Func):
        args = [operand_value(a, item) for a in node.args]
        if node.name == "attribute_exists":
            return args[0] is not None
        if node.name == "attribute_not_exists":
            return args[0] is None
        if node.name == "attribute_type":
            return args[0] is not None and args[1] is not None and \
                value_type(args[0]) == args[1].get("S")
        if node.name == "begins_with":
            return _begins_with(*args)
        if node.name == "contains":
            return _contains(*args)
    raise InvariantError(f"not a condition: {node!r}")  # parser bug, not user input
