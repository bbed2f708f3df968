"""DynamoDB data model: AttributeValue validation, numbers, order, sizes."""
import base64
from decimal import Context, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamo_lab.dynamodb.errors import DynamoDBError, ValidationError
from dynamo_lab.dynamodb.model.numbers import (
    add_numbers,
    format_number,
    normalize_number,
    number_size,
    parse_number,
    subtract_numbers,
)
from dynamo_lab.dynamodb.model.size import check_item_size, check_key_size, item_size, value_size
from dynamo_lab.dynamodb.model.types import (
    check_key_value,
    compare_values,
    sort_key,
    validate_item,
    validate_value,
    values_equal,
)

INVALID = "One or more parameter values were invalid: "


def msg(fn, *args):
    with pytest.raises(DynamoDBError) as e:
        fn(*args)
    return e.value.code, e.value.message


# -- validation --------------------------------------------------------------

@pytest.mark.parametrize("av,message", [
    ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ({"X": "1"}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ({"S": "a", "N": "1"}, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
    ({"NULL": False}, INVALID + "Null attribute value types must have the value of true"),
    ({"SS": []}, INVALID + "An string set  may not be empty"),
    ({"NS": []}, INVALID + "An number set  may not be empty"),
    ({"BS": []}, INVALID + "Binary sets should not be empty"),
    ({"SS": ["a", "a"]}, INVALID + "Input collection [a, a] contains duplicates."),
    ({"BS": ["Yg==", "Yg=="]}, INVALID + "Input collection [Yg==, Yg==]of type BS contains duplicates."),
    ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
    ({"N": ""}, "The parameter cannot be converted to a numeric value"),
    ({"N": "b"}, "The parameter cannot be converted to a numeric value: b"),
    ({"N": "NaN"}, "The parameter cannot be converted to a numeric value: NaN"),
    ({"N": "Infinity"}, "The parameter cannot be converted to a numeric value: Infinity"),
    ({"NS": ["1", "b"]}, "The parameter cannot be converted to a numeric value: b"),
    ({"N": "123456789012345678901234567890123456789"}, "Attempting to store more than 38 significant digits in a Number"),
    ({"N": "-1.23456789012345678901234567890123456789"}, "Attempting to store more than 38 significant digits in a Number"),
    ({"N": "1e126"}, "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ({"N": "-1e126"}, "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ({"N": "1e-131"}, "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    ({"L": [{}]}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ({"M": {"a": {"S": "x", "BOOL": True}}}, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
])
def test_invalid_values(av, message):
    assert msg(validate_value, av) == ("ValidationException", message)


@pytest.mark.parametrize("av", [
    {"S": 5}, {"S": None, "N": 1}, {"N": 1}, {"B": 3}, {"B": "not base64!"}, {"B": "abc"},
    {"SS": "a"}, {"SS": [1]}, {"NS": [1]}, {"BS": [1]}, {"BOOL": "true"}, {"NULL": 1},
    {"L": {}}, {"M": []}, {"M": "x"}, "S", ["S"], 7, None,
])
def test_wrong_json_types_are_serialization_errors(av):
    code, _ = msg(validate_value, av)
    assert code == "SerializationException"


def test_valid_values_are_canonical_copies():
    av = {"M": {"n": {"N": "0010.500"}, "ns": {"NS": ["1.0", "-0"]}, "b": {"B": b"\x00\xff"},
                "e": {"S": ""}, "eb": {"B": ""}, "l": {"L": [{"NULL": True}, {"BOOL": False}]}}}
    out = validate_value(av)
    assert out == {"M": {"n": {"N": "10.5"}, "ns": {"NS": ["1", "0"]}, "b": {"B": "AP8="},
                         "e": {"S": ""}, "eb": {"B": ""},
                         "l": {"L": [{"NULL": True}, {"BOOL": False}]}}}
    assert av["M"]["n"] == {"N": "0010.500"}  # input untouched


def test_nesting_limit():
    def nest(depth):
        v = {"S": "leaf"}
        for _ in range(depth):
            v = {"M": {"n": v}}
        return v
    # the attribute is level 1: 31 wrapping maps put the leaf at level 32, the deepest allowed
    validate_item({"a": nest(31)})
    assert msg(validate_item, {"a": nest(32)})[1].startswith(
        "Nesting Levels have exceeded supported limits")


def test_item_must_be_object():
    assert msg(validate_item, [])[0] == "SerializationException"
    assert msg(validate_item, {"a": 1})[0] == "SerializationException"


def test_key_values():
    check_key_value("id", {"S": "x"}, "S")
    assert msg(check_key_value, "id", {"S": ""})[1] == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: id")
    assert msg(check_key_value, "k", {"B": ""})[1].endswith(
        "cannot contain an empty binary value. Key: k")
    assert msg(check_key_value, "id", {"N": "1"}, "S")[1] == (
        INVALID + "Type mismatch for key id expected: S actual: N")
    assert msg(check_key_value, "id", {"SS": ["a"]})[0] == "ValidationException"


# -- numbers -----------------------------------------------------------------

@pytest.mark.parametrize("text,canonical", [
    ("0", "0"), ("-0", "0"), ("0.000", "0"), ("+1", "1"), ("1.50", "1.5"), ("001", "1"),
    ("1E+3", "1000"), ("1e-3", "0.001"), ("-12.3400e2", "-1234"), (".5", "0.5"), ("5.", "5"),
    ("9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + "0" * 88),
    ("1E-130", "0." + "0" * 129 + "1"),
    ("12345678901234567890123456789012345678000", "12345678901234567890123456789012345678000"),
])
def test_number_normalisation(text, canonical):
    assert normalize_number(text) == canonical


def test_arithmetic():
    assert add_numbers("1.1", "2.2") == "3.3"
    assert subtract_numbers("1", "1.00") == "0"
    assert msg(add_numbers, "1E+37", "1E-37")[1] == (
        "Attempting to store more than 38 significant digits in a Number")
    assert msg(add_numbers, "9E+125", "9E+125")[1].startswith("Number overflow")


numbers = st.builds(
    lambda sign, digits, exp: Decimal(f"{sign}{digits}E{exp}"),
    st.sampled_from(["", "-"]), st.integers(0, 10**38 - 1), st.integers(-130, 88))


@settings(max_examples=300, deadline=None)
@given(numbers)
def test_normalisation_round_trips(d):
    text = normalize_number(str(d))
    assert Decimal(text) == d
    assert normalize_number(text) == text
    assert "E" not in text and "e" not in text
    assert not (text.startswith("0") and len(text) > 1 and text[1] != ".")
    assert number_size(text) >= 1


@settings(max_examples=200, deadline=None)
@given(numbers, numbers)
def test_number_order_is_decimal_order(a, b):
    x, y = {"N": normalize_number(str(a))}, {"N": normalize_number(str(b))}
    assert compare_values(x, y) == (a > b) - (a < b)
    assert (sort_key(x) < sort_key(y)) == (a < b)
    assert values_equal(x, y) == (a == b)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_string_order_is_utf8_order(a, b):
    ea, eb = a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    try:
        a.encode("utf-8"), b.encode("utf-8")
    except UnicodeEncodeError:
        return
    assert compare_values({"S": a}, {"S": b}) == (ea > eb) - (ea < eb)
    assert (sort_key({"S": a}) < sort_key({"S": b})) == (ea < eb)


@settings(max_examples=200, deadline=None)
@given(st.binary(), st.binary())
def test_binary_order_is_unsigned_byte_order(a, b):
    x = {"B": base64.b64encode(a).decode()}
    y = {"B": base64.b64encode(b).decode()}
    assert compare_values(x, y) == (a > b) - (a < b)
    assert (sort_key(x) < sort_key(y)) == (a < b)


def test_utf8_order_differs_from_utf16():
    # In UTF-16 (Java's String order) a surrogate pair sorts before U+FFFF;
    # DynamoDB compares UTF-8 bytes, where U+FFFF comes first.
    assert compare_values({"S": "\uffff"}, {"S": "\U0001F600"}) == -1


def test_equality():
    assert values_equal({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert not values_equal({"L": [{"S": "a"}]}, {"L": [{"S": "a"}, {"S": "b"}]})
    assert not values_equal({"M": {"a": {"N": "1"}}}, {"M": {"b": {"N": "1"}}})
    assert values_equal({"BS": ["AA=="]}, {"BS": [b"\x00"]})
    assert not values_equal({"BOOL": True}, {"BOOL": False})
    assert compare_values({"BOOL": True}, {"BOOL": True}) is None


# -- sizes -------------------------------------------------------------------

def test_sizes():
    assert value_size({"S": "héllo"}) == 6
    assert value_size({"N": "0"}) == 1
    assert number_size("12") == 2 and number_size("123") == 3 and number_size("0.1") == 2
    assert value_size({"NULL": True}) == value_size({"BOOL": False}) == 1
    assert value_size({"M": {}}) == 3 and value_size({"L": []}) == 3
    assert value_size({"L": [{"S": "a"}, {"S": "b"}]}) == 3 + 2 + 2
    assert value_size({"NS": ["1", "22"]}) == 4
    assert value_size({"BS": ["AAE=", "AA=="]}) == 3
    assert item_size({"ab": {"S": "c"}, "é": {"BOOL": True}}) == 3 + 3


def test_size_limits():
    check_item_size({"a": {"B": base64.b64encode(b"x" * 409_599).decode()}})
    with pytest.raises(ValidationError, match="^Item size has exceeded"):
        check_item_size({"ab": {"S": "x" * 409_599}})
    with pytest.raises(ValidationError, match="^Item size to update has exceeded"):
        check_item_size({"ab": {"S": "x" * 409_599}}, update=True)
    check_key_size({"S": "é" * 1024}, {"B": base64.b64encode(b"x" * 1024).decode()})
    with pytest.raises(ValidationError, match="of2048 bytes$"):
        check_key_size({"S": "é" * 1025})
    with pytest.raises(ValidationError, match="size limit of 1024 bytes$"):
        check_key_size(None, {"S": "x" * 1025})


# -- the fast paths agree with the Decimal reference ----------------------------

def _reference_size(text):
    # number_size's rule computed the long way: normalized digits, aligned
    # in base-100 pairs on the decimal point, plus the exponent byte and sign.
    value = parse_number(text)
    if value.is_zero():
        return 1
    sign, digits, exponent = value.normalize(Context(prec=600)).as_tuple()
    coefficient = "".join(map(str, digits)) + ("0" if exponent % 2 else "")
    return 1 + (len(coefficient) + 1) // 2 + sign


_number_text = st.builds(
    lambda sign, whole, frac, exp: sign + whole + (("." + frac) if frac is not None else "")
    + (f"e{exp}" if exp is not None else ""),
    st.sampled_from(["", "-", "+"]), st.text("0123456789", min_size=1, max_size=45),
    st.none() | st.text("0123456789", min_size=1, max_size=45),
    st.none() | st.integers(-140, 140))


@settings(max_examples=400, deadline=None)
@given(_number_text)
def test_number_fast_paths_match_decimal(text):
    try:
        value = Decimal(text)
    except Exception:
        return
    try:
        canonical = format_number(parse_number(text))
    except ValidationError as e:
        # whatever path it takes, a bad number gets the same error
        for fn in (normalize_number, number_size):
            assert msg(fn, text) == ("ValidationException", e.message)
        return
    assert parse_number(text) == value
    assert normalize_number(text) == canonical
    assert normalize_number(canonical) == canonical
    assert number_size(text) == number_size(canonical) == _reference_size(text)
    assert validate_value({"N": text}) == {"N": canonical}
    assert value_size({"N": canonical}) == _reference_size(text)


@pytest.mark.parametrize("text, size", [("0", 1), ("-0.5", 3), ("0.001", 2), ("120", 3),
                                        ("1" * 38, 20), ("0." + "0" * 36 + "1", 2),
                                        ("-12.5", 4), ("100000", 2)])
def test_number_sizes(text, size):
    assert number_size(text) == _reference_size(text) == size
