"""Condition-expression cases whose DynamoDB answers were recorded against the
real service (by the dynalite project's test suite): which error DynamoDB
reports, and in which order it checks."""
import pytest

from dynamo_lab.dynamodb.errors import DynamoDBError
from dynamo_lab.dynamodb.model.expressions import Expressions, parse_condition, parse_key_condition

PRE = "Invalid FilterExpression: "


def error(text, names=None, values=None):
    with pytest.raises(DynamoDBError) as e:
        parse_condition(text, Expressions(names, values), "FilterExpression")
    return e.value.message


@pytest.mark.parametrize("text", [
    "things are not gonna be ok", "a > 4", "attribute_exists(Pictures-RearView)",
    'attribute_exists("Pictures.RearView")', "attribute_exists(Pictures..RearView)",
    "attribute_exists(Pi#ctures.RearView)", "attribute_exists(asdf[a])", "a in b, c",
    "a > between", "a in b", "a in (b,c,)", "(a)between(b.(c.d))and(c)",
    "(a)between(b.c.d)and((c)", "#$.b > a", "a > :things.stuff", "b[:a] > a", "b[#_] > a",
    "ü > a", "(a)between(b.c[4.5].#d)and(:a)", "size(a).b > a", "(size(a)).b > a",
    "size(a)[0] > a", "(size(a))[0] > a",
])
def test_syntax_errors(text):
    assert error(text).startswith(PRE + "Syntax error; ")


@pytest.mark.parametrize("text", [
    "a=a and a > ((views))", "(a)between(((b.c)).d)and(c)", "a > whatever((:things), ((a)))",
    "a=a AND ((a=a AND a=a)) AND a=a", "a=a OR ((a=a OR a=a)) OR a=a",
    "a=a AND ((a=a AND (a=a AND a=a)))", "a=a OR ((a=a OR (a=a OR a=a)))",
])
def test_redundant_parentheses_come_first(text):
    assert error(text) == PRE + "The expression has redundant parentheses;"


@pytest.mark.parametrize("text,name", [
    ("a=a and whatever((:things)) > a", "whatever"),
    ("attRIbute_exIsts((views), #a)", "attRIbute_exIsts"),
])
def test_invalid_function_names(text, name):
    assert error(text) == PRE + f"Invalid function name; function: {name}"


@pytest.mark.parametrize("text,name", [
    ("a=a and attribute_exists((views), (#a)) > b", "attribute_exists"),
    ("attribute_not_exists(things) > b", "attribute_not_exists"),
    ("attribute_type(things, :a) > b", "attribute_type"),
    ("begins_with(things, a) > b", "begins_with"),
    ("contains(:things, c) > b", "contains"),
    ("size(contains(a, b)) > a", "contains"),
    ("size(things)", "size"),
    ("a between b and attribute_exists(things)", "attribute_exists"),
    ("a in (b, attribute_exists(things))", "attribute_exists"),
])
def test_functions_used_the_wrong_way(text, name):
    assert error(text) == (PRE + "The function is not allowed to be used this way in an "
                           f"expression; function: {name}")


@pytest.mark.parametrize("text,word", [("attribute_exists(views, #a)", "views"),
                                       (":a < abOrT", "abOrT")])
def test_reserved_words(text, word):
    assert error(text) == PRE + f"Attribute name is a reserved keyword; reserved keyword: {word}"


@pytest.mark.parametrize("text,name", [
    ("attribute_exists(#Pictures.RearView, :a) and a=a", "#Pictures"),
    ("begins_with(Pictures.#RearView)", "#RearView"),
    ("(#P between :lo and :hi) and (#PC in (:cat1, :cat2))", "#P"),
    ("#4g > a", "#4g"), ("#_ > a", "#_"), ("(a)between(b.c[45].#d)and(:a)", "#d"),
])
def test_undefined_names(text, name):
    assert error(text) == (PRE + "An expression attribute name used in the document path is "
                           f"not defined; attribute name: {name}")


@pytest.mark.parametrize("text,value", [("begins_with(:hello, #a, #b)", ":hello"),
                                        (":a < :b", ":a"), (":_ > a", ":_")])
def test_undefined_values(text, value):
    assert error(text) == (PRE + "An expression attribute value used in expression is not "
                           f"defined; attribute value: {value}")


@pytest.mark.parametrize("text,name,count", [
    ("attribute_exists(things, a) and a=a", "attribute_exists", 2),
    ("attribute_not_exists(things, b)", "attribute_not_exists", 2),
    ("attribute_type(things)", "attribute_type", 1), ("begins_with(things)", "begins_with", 1),
    ("begins_with(things, size(a), b)", "begins_with", 3), ("contains(things)", "contains", 1),
    ("size(things, a) > b", "size", 2),
])
def test_operand_counts(text, name, count):
    assert error(text) == (PRE + "Incorrect number of operands for operator or function; "
                           f"operator or function: {name}, number of operands: {count}")


@pytest.mark.parametrize("text,name,value", [
    ("attribute_type(a, size(a)) and a=a and a=:a", "attribute_type", {"N": "1"}),
    ("attribute_type(a, :a)", "attribute_type", {"N": "1"}),
    ("attribute_type(a, :a)", "attribute_type", {"BOOL": True}),
    ("attribute_type(a, :a)", "attribute_type", {"SS": ["1"]}),
    ("begins_with(a, size(a)) and a=:a", "begins_with", {"N": "1"}),
    ("begins_with(a, :a)", "begins_with", {"NULL": True}),
    ("begins_with(a, :a)", "begins_with", {"L": []}),
    ("begins_with(:a, a)", "begins_with", {"M": {}}),
    ("begins_with(:a, a)", "begins_with", {"NS": ["1"]}),
    ("size(size(a)) > :a", "size", {"N": "1"}),
    ("attribute_not_exists(size(:a))", "size", {"N": "1"}),
    ("size(:a) > a", "size", {"BOOL": True}),
    ("size(:a) > a", "size", {"NULL": True}),
])
def test_operand_types(text, name, value):
    assert error(text, values={":a": value}) == (
        PRE + "Incorrect operand type for operator or function; operator or function: "
        f"{name}, operand type: {next(iter(value))}")


def test_attribute_type_names():
    assert error("attribute_type(a, :a)", values={":a": {"S": "1"}}) == (
        PRE + "Invalid attribute type name found; type: 1, valid types: "
        "{ B,NULL,SS,BOOL,L,BS,N,NS,S,M }")


@pytest.mark.parametrize("text,name", [("attribute_exists(:a) and a=a", "attribute_exists"),
                                       ("attribute_not_exists(size(:a))", "attribute_not_exists")])
def test_functions_needing_paths(text, name):
    assert error(text, values={":a": {"S": "1"}}) == (
        PRE + f"Operator or function requires a document path; operator or function: {name}")


@pytest.mark.parametrize("text,op,first", [
    ("a = a AND #a = b AND :views > a", "=", "[a]"), ("#a <> a", "<>", "[a]"),
    ("a > #a", ">", "[a]"), ("((a=a) OR (a=a))", "=", "[a]"), ("((a=a) AND (a=a))", "=", "[a]"),
    ("contains(ab.bc[1].a, ab.bc[1].#a)", "contains", "[ab, bc, [1], a]"),
    ("attribute_type(ab.bc[1].#a, ab.bc[1].a)", "attribute_type", "[ab, bc, [1], a]"),
    ("begins_with(ab.bc[1].a, ab.bc[1].#a)", "begins_with", "[ab, bc, [1], a]"),
])
def test_operands_must_be_distinct(text, op, first):
    values = {":views": {"S": "x"}} if ":views" in text else None
    assert error(text, {"#a": "a"}, values) == (
        PRE + "The first operand must be distinct from the remaining operands for this operator "
        f"or function; operator: {op}, first operand: {first}")


def test_parenthesised_operands_are_valid():
    ctx = Expressions({"#d": "d"}, {":a": {"N": "1"}})
    parse_condition("(a)between(b.c[45].#d)and(:a)", ctx, "FilterExpression")
    parse_condition("(size(a)) > :a", Expressions(values={":a": {"N": "1"}}))
    assert parse_condition(":a > :a", Expressions(values={":a": {"N": "1"}}))


# -- key conditions (Query), checked before the table's key schema is known -----------

def key_error(text, values=None):
    with pytest.raises(DynamoDBError) as e:
        parse_key_condition(text, Expressions(None, values), "a", "b")
    return e.value.message


@pytest.mark.parametrize("text,op", [
    ("a > b and size(b) > c or a > c", "OR"), ("a in (b, size(c), d)", "IN"),
    ("attribute_exists(a)", "attribute_exists"), ("attribute_not_exists(a)", "attribute_not_exists"),
    ("contains(a.d, b)", "contains"), ("not a > b", "NOT"), ("a <> b", "<>"),
])
def test_key_condition_operators(text, op):
    assert key_error(text) == f"Invalid operator used in KeyConditionExpression: {op}"


def test_key_condition_attribute_type_operator():
    assert key_error("attribute_type(a, :a)", {":a": {"S": "S"}}) == (
        "Invalid operator used in KeyConditionExpression: attribute_type")


@pytest.mark.parametrize("text,op", [
    (":a between size(b) and size(a) and b > :b", "BETWEEN"),
    ("begins_with(:a, b) and a > :b", "begins_with"),
])
def test_key_attribute_must_come_first(text, op):
    assert key_error(text, {":a": {"S": "1"}, ":b": {"S": "1"}}) == (
        f"Invalid condition in KeyConditionExpression: {op} operator must have the key "
        "attribute as its first operand")


@pytest.mark.parametrize("text", ["size(b) > a AND a.b > b AND b > c", "a > size(b.d)",
                                  "a between size(b) and size(a)"])
def test_key_condition_nested_operations(text):
    assert key_error(text) == "KeyConditionExpressions cannot contain nested operations"


@pytest.mark.parametrize("text", ["b > a.b", "b between c[1] and d", "a between b and size(a)",
                                  "begins_with(a, b)"])
def test_key_condition_multiple_names(text):
    assert key_error(text) == (
        "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
        "condition")


@pytest.mark.parametrize("text", ["b.d > a AND c.d > e.f", "a.d > c", "b[0] > a"])
def test_key_condition_nested_attributes(text):
    assert key_error(text) == "KeyConditionExpressions cannot have conditions on nested attributes"


@pytest.mark.parametrize("text", [":b > :a AND a < :b", ":a > b AND :a < :b"])
def test_key_condition_without_attribute(text):
    assert key_error(text, {":a": {"N": "1"}, ":b": {"N": "1"}}) == (
        "Invalid condition in KeyConditionExpression: No key attribute specified")


@pytest.mark.parametrize("text", ["b > :a AND b < :a and c = :a and d = :a",
                                  "(a > :a and b > :a) and (b > :a and c > :a)"])
def test_one_condition_per_key(text):
    assert key_error(text, {":a": {"N": "1"}}) == (
        "KeyConditionExpressions must only contain one condition per key")


def test_key_condition_between_bounds():
    assert key_error("a between :b and :a", {":a": {"S": "a"}, ":b": {"N": "1"}}) == (
        "Invalid KeyConditionExpression: The BETWEEN operator requires same data type for lower "
        "and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
        "AttributeValue: {S:a}")
    assert key_error("a between :b and :a", {":a": {"S": "a"}, ":b": {"S": "b"}}) == (
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater "
        "than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound "
        "operand: AttributeValue: {S:a}")
