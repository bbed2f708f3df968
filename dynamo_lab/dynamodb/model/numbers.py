"""DynamoDB numbers: parsing, limits, canonical text and arithmetic.

A DynamoDB ``N`` is a decimal with at most 38 significant digits whose
magnitude is 0 or lies between 1E-130 and 9.99...9E+125. It travels as a
string; DynamoDB stores and returns it canonically: no exponent, no leading or
trailing zeros, no ``+`` sign, ``-0`` is ``0``.

Public API
----------
``parse_number(text) -> Decimal``
    Validate wire text and return its value; raises :class:`ValidationError`
    with DynamoDB's messages. O(len(text)).
``format_number(d) -> str``
    Canonical text of an in-range Decimal.
``normalize_number(text) -> str``
    ``format_number(parse_number(text))``.
``check_number(d) -> Decimal``
    Apply the digit and magnitude limits to a computed Decimal (results of
    ``SET a = a + :v`` and ``ADD``).
``add_numbers(a, b)`` / ``subtract_numbers(a, b)``
    Exact arithmetic on wire strings, result checked and canonical.
``number_size(text) -> int``
    Bytes the number counts for in item size.

Examples
--------
>>> normalize_number("001.500")
'1.5'
>>> normalize_number("-0.0")
'0'
>>> normalize_number("1E+3")
'1000'
>>> add_numbers("0.1", "0.2")
'0.3'
>>> parse_number("1e126")
Traceback (most recent call last):
...
dynamo_lab.dynamodb.errors.ValidationError: Number overflow. Attempting to store a number with magnitude larger than supported range
"""
from __future__ import annotations

import decimal
import re
from decimal import Decimal

from ..errors import ValidationError

__all__ = [
    "NUMBER_CONTEXT", "MAX_DIGITS", "parse_number", "format_number",
    "normalize_number", "check_number", "add_numbers", "subtract_numbers",
    "number_size",
]

MAX_DIGITS = 38
# Comparisons and arithmetic never round silently: inexact results are
# caught by check_number, because DynamoDB refuses rather than rounds.
NUMBER_CONTEXT = decimal.Context(prec=MAX_DIGITS, Emax=125, Emin=-130,
                                 traps=[decimal.InvalidOperation])
# Arithmetic is done wide and checked afterwards: 1E+125 + 1E-130 is exact
# only with ~256 digits.
_WIDE = decimal.Context(prec=600, Emax=999999, Emin=-999999)

# Java's BigDecimal grammar, which DynamoDB's parser follows; no NaN/Infinity,
# no surrounding spaces, no hex.
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
# Fast paths. Plain decimal text of at most 38 characters has at most 38
# digits and a magnitude between 1E-37 and 1E+38, so it is always within
# DynamoDB's limits; canonical text (what DynamoDB stores and returns) is
# moreover its own canonical form.
_SHORT = 38
_PLAIN_RE = re.compile(r"-?\d+(?:\.\d+)?\Z")
_CANONICAL_RE = re.compile(r"(?:-?[1-9]\d*(?:\.\d*[1-9])?|-?0\.\d*[1-9]|0)\Z")

_OVERFLOW = ("Number overflow. Attempting to store a number with magnitude "
             "larger than supported range")
_UNDERFLOW = ("Number underflow. Attempting to store a number with magnitude "
              "smaller than supported range")
_TOO_PRECISE = "Attempting to store more than 38 significant digits in a Number"


def parse_number(text: object) -> Decimal:
    """Validate a wire ``N`` string and return its exact value.

    Parameters
    ----------
    text : str
        The number as DynamoDB receives it.

    Returns
    -------
    decimal.Decimal
        The exact value (not rounded), already within DynamoDB's limits.

    Raises
    ------
    ValidationError
        Empty or malformed text, more than 38 significant digits, overflow
        or underflow, with DynamoDB's message.

    Examples
    --------
    >>> parse_number("12.50")
    Decimal('12.50')
    >>> parse_number("abc")
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: The parameter cannot be converted to a numeric value: abc
    """
    if not isinstance(text, str) or not text:
        raise ValidationError("The parameter cannot be converted to a numeric value")
    if len(text) <= _SHORT and _PLAIN_RE.match(text):
        return Decimal(text)
    if len(text) > 1000 or not _NUMBER_RE.match(text):
        raise ValidationError(
            f"The parameter cannot be converted to a numeric value: {text}")
    try:
        value = Decimal(text)
    except decimal.InvalidOperation:  # exponents beyond Decimal's range
        raise ValidationError(
            f"The parameter cannot be converted to a numeric value: {text}") from None
    return check_number(value)


def check_number(value: Decimal) -> Decimal:
    """Apply DynamoDB's limits to ``value`` and return it unchanged.

    Examples
    --------
    >>> check_number(Decimal("1E-130"))
    Decimal('1E-130')
    >>> check_number(Decimal("1E-131"))
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.errors.ValidationError: Number underflow. Attempting to store a number with magnitude smaller than supported range
    """
    if not value.is_finite():
        raise ValidationError("The parameter cannot be converted to a numeric value")
    if value.is_zero():
        return value
    adjusted = value.adjusted()
    if adjusted > 125:
        raise ValidationError(_OVERFLOW)
    if adjusted < -130:
        raise ValidationError(_UNDERFLOW)
    # Significant digits ignore trailing zeros of the coefficient (a nonzero
    # Decimal's coefficient has no leading ones).
    digits = value.as_tuple().digits
    n = len(digits)
    if n > MAX_DIGITS:
        while digits[n - 1] == 0:
            n -= 1
        if n > MAX_DIGITS:
            raise ValidationError(_TOO_PRECISE)
    return value


def format_number(value: Decimal) -> str:
    """Canonical DynamoDB text for ``value``: plain notation, no redundant
    zeros, ``0`` for any zero.

    Examples
    --------
    >>> format_number(Decimal("1.2300E+5"))
    '123000'
    >>> format_number(Decimal("-0.000"))
    '0'
    >>> format_number(Decimal("0.00100"))
    '0.001'
    """
    if value.is_zero():
        return "0"
    text = format(value.normalize(_WIDE), "f")
    return text


def normalize_number(text: object) -> str:
    """Validate wire text and return its canonical form.

    Examples
    --------
    >>> normalize_number("+07")
    '7'
    """
    if isinstance(text, str) and len(text) <= _SHORT and _CANONICAL_RE.match(text):
        return text
    return format_number(parse_number(text))


def _combine(a: str, b: str, sign: int) -> str:
    x, y = parse_number(a), parse_number(b)
    result = _WIDE.add(x, y) if sign > 0 else _WIDE.subtract(x, y)
    return format_number(check_number(result))


def add_numbers(a: str, b: str) -> str:
    """``a + b`` exactly, checked against the limits, canonical.

    Examples
    --------
    >>> add_numbers("1", "-1.5")
    '-0.5'
    """
    return _combine(a, b, 1)


def subtract_numbers(a: str, b: str) -> str:
    """``a - b`` exactly, checked against the limits, canonical.

    Examples
    --------
    >>> subtract_numbers("10", "0.25")
    '9.75'
    """
    return _combine(a, b, -1)


def number_size(text: str) -> int:
    """Bytes a number adds to item size.

    DynamoDB stores base-100 digit pairs aligned on the decimal point plus
    one exponent byte, and one more byte for negatives; the developer guide
    rounds this to "1 byte per two significant digits, plus 1 byte".

    Examples
    --------
    >>> number_size("0"), number_size("1"), number_size("12345"), number_size("-1")
    (1, 2, 4, 3)
    >>> number_size("0.001"), number_size("120"), number_size("-1.25"), number_size("1.2E+2")
    (2, 3, 4, 3)
    """
    if isinstance(text, str) and len(text) <= _SHORT and _CANONICAL_RE.match(text):
        return _canonical_size(text)
    value = parse_number(text)
    if value.is_zero():
        return 1
    sign, digits, exponent = value.normalize(_WIDE).as_tuple()
    coefficient = "".join(map(str, digits))
    # Align pairs on the decimal point: an odd exponent shifts by one digit.
    if exponent % 2:
        coefficient += "0"
    pairs = (len(coefficient) + 1) // 2
    return 1 + pairs + (1 if sign else 0)


def _canonical_size(text: str) -> int:
    # number_size of canonical text, read off the digits: the same pairs
    # Decimal.normalize would give, without making a Decimal.
    neg = text[0] == "-"
    if neg:
        text = text[1:]
    elif text == "0":
        return 1
    whole, _, frac = text.partition(".")
    if whole == "0":                  # 0.00ddd: value ddd * 10**-len(frac)
        digits, exponent = frac.lstrip("0"), -len(frac)
    elif frac:                        # frac never ends in 0 (canonical)
        digits, exponent = whole + frac, -len(frac)
    else:
        digits = whole.rstrip("0")
        exponent = len(whole) - len(digits)
    n = len(digits) + (exponent % 2)
    return 1 + (n + 1) // 2 + neg
