"""Expression parsing and DynamoDB's validation messages."""
import pytest

from dynamo_lab.dynamodb.errors import DynamoDBError
from dynamo_lab.dynamodb.model.expressions import (
    And,
    Between,
    Compare,
    Expressions,
    In,
    Not,
    Or,
    Path,
    Size,
    parse_condition,
    parse_projection,
    parse_update,
)

V = {":n": {"N": "1"}, ":m": {"N": "2"}, ":s": {"S": "x"}, ":ss": {"SS": ["a"]},
     ":l": {"L": []}, ":b": {"B": "AA=="}, ":ns": {"NS": ["1"]}, ":map": {"M": {}}}


def ctx(names=None, values=None):
    return Expressions(names, V if values is None else values)


def error(fn, *args, **kw):
    with pytest.raises(DynamoDBError) as e:
        fn(*args, **kw)
    return e.value.message


# -- conditions ----------------------------------------------------------------

def test_precedence_not_and_or():
    c = parse_condition("a = :n OR b = :n AND NOT c = :n", ctx())
    assert isinstance(c, Or) and isinstance(c.right, And) and isinstance(c.right.right, Not)
    c = parse_condition("(a = :n OR b = :n) AND c = :n", ctx())
    assert isinstance(c, And) and isinstance(c.left, Or)


def test_keywords_are_case_insensitive():
    c = parse_condition("a between :n and :m or NoT b in (:n, :m)", ctx())
    assert isinstance(c, Or) and isinstance(c.left, Between)
    assert isinstance(c.right, Not) and isinstance(c.right.operand, In)


@pytest.mark.parametrize("op", ["=", "<>", "<", "<=", ">", ">="])
def test_comparators(op):
    c = parse_condition(f"a.b[3] {op} :n", ctx())
    assert c == Compare(op, Path(("a", "b", 3)), c.right)


def test_functions_and_size():
    c = parse_condition("size(#x) > :n AND attribute_type(a, :s2) AND begins_with(a, :s)"
                        " AND contains(l, :n) AND attribute_not_exists(z)",
                        ctx({"#x": "x"}, {**V, ":s2": {"S": "SS"}}))
    assert isinstance(c.left.left.left.left.left, Size)


@pytest.mark.parametrize("text,token,near", [
    ("a = ", "<EOF>", "="),
    ("a = :n AND", "<EOF>", "AND"),
    ("a == :n", "=", "== :n"),
    ("a = :n b = :n", "b", ":n b ="),
    ("a.1 = :n", "1", ".1 ="),
    ("a[x] = :n", "x", "[x]"),
    ("a[-1] = :n", "-", "[-1"),
    ("__x = :n", "_", "__"),
    ("a = :n)", ")", ":n)"),
    ("(a = :n", "<EOF>", ":n"),
    ("a IN ()", ")", "()"),
    ("a BETWEEN :n", "<EOF>", ":n"),
    ("a = :n +", "+", ":n +"),
    ("a ! :n", "!", "a ! :n"),
    ("AND", "AND", "AND"),
])
def test_syntax_errors(text, token, near):
    assert error(parse_condition, text, ctx()) == (
        f'Invalid ConditionExpression: Syntax error; token: "{token}", near: "{near}"')


def test_semantic_errors():
    c = ctx()
    pre = "Invalid ConditionExpression: "
    assert error(parse_condition, "status = :n", c) == (
        pre + "Attribute name is a reserved keyword; reserved keyword: status")
    assert error(parse_condition, "#nope = :n", c) == (
        pre + "An expression attribute name used in the document path is not defined; "
        "attribute name: #nope")
    assert error(parse_condition, "a = :nope", c) == (
        pre + "An expression attribute value used in expression is not defined; "
        "attribute value: :nope")
    assert error(parse_condition, "foo(a)", c) == pre + "Invalid function name; function: foo"
    assert error(parse_condition, "attribute_exists(a, b)", c) == (
        pre + "Incorrect number of operands for operator or function; "
        "operator or function: attribute_exists, number of operands: 2")
    assert error(parse_condition, "attribute_exists(:n)", c) == (
        pre + "Operator or function requires a document path; "
        "operator or function: attribute_exists")
    assert error(parse_condition, "begins_with(a, :n)", c) == (
        pre + "Incorrect operand type for operator or function; "
        "operator or function: begins_with, operand type: N")
    assert error(parse_condition, "attribute_type(a, :s)", c) == (
        pre + "Invalid attribute type name found; type: x, valid types: "
        "{ B,NULL,SS,BOOL,L,BS,N,NS,S,M }")
    assert error(parse_condition, "attribute_exists(a) = :n", c) == (
        pre + "The function is not allowed to be used this way in an expression; "
        "function: attribute_exists")
    assert error(parse_condition, "if_not_exists(a, :n) = :n", c) == (
        pre + "The function is not allowed in a condition expression; function: if_not_exists")
    assert error(parse_condition, "a BETWEEN :m AND :n", c) == (
        pre + "The BETWEEN operator requires upper bound to be greater than or equal to "
        "lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: "
        "AttributeValue: {N:1}")
    assert error(parse_condition, "", c) == pre + "The expression can not be empty;"


def test_syntax_error_wins_over_semantic_error():
    assert "Syntax error" in error(parse_condition, "status = :nope AND", ctx())


def test_expression_kind_in_messages():
    assert error(parse_condition, "name = :n", ctx(), kind="FilterExpression") == (
        "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: name")


def test_in_limit():
    values = {f":v{i}": {"N": str(i)} for i in range(101)}
    c = Expressions(values=values)
    ok = ", ".join(list(values)[:100])
    parse_condition(f"a IN ({ok})", c)
    assert "IN operator" in error(parse_condition, f"a IN ({', '.join(values)})", c)


def test_limits():
    assert "Expression size has exceeded" in error(parse_condition, "a = :n AND " * 500 + "a = :n", ctx())
    deep = ".".join(["a"] * 33)
    assert error(parse_condition, f"{deep} = :n", ctx()).endswith("nesting levels: 33")


def test_non_string_expression_is_serialization_error():
    with pytest.raises(DynamoDBError) as e:
        parse_condition(5, ctx())
    assert e.value.code == "SerializationException"


# -- placeholders -------------------------------------------------------------

def test_unused_placeholders():
    c = Expressions({"#a": "a", "#b": "b"}, {":x": {"N": "1"}, ":y": {"N": "2"}})
    parse_condition("#a = :x", c)
    assert error(c.check_unused) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}")
    parse_condition("#b = :x", c)
    assert error(c.check_unused) == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}")
    parse_update("SET q = :y", c)
    c.check_unused()


def test_placeholder_map_validation():
    assert error(Expressions, {}, None) == "ExpressionAttributeNames must not be empty"
    assert error(Expressions, None, {}) == "ExpressionAttributeValues must not be empty"
    assert error(Expressions, {"a": "b"}) == (
        'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"')
    assert error(Expressions, None, {"v": {"S": "x"}}) == (
        'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"')
    assert error(Expressions, None, {":v": {}}) == (
        "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, "
        "must contain exactly one of the supported datatypes for key :v")
    assert error(Expressions, None, {":v": {"SS": []}}) == (
        "ExpressionAttributeValues contains invalid value: One or more parameter values were "
        "invalid: An string set  may not be empty for key :v")
    with pytest.raises(DynamoDBError) as e:
        Expressions({"#a": 1})
    assert e.value.code == "SerializationException"
    with pytest.raises(DynamoDBError) as e:
        Expressions(None, [])
    assert e.value.code == "SerializationException"


def test_values_are_canonical():
    c = Expressions(values={":v": {"N": "1.50"}})
    assert parse_condition("a = :v", c).right.value == {"N": "1.5"}


# -- updates ------------------------------------------------------------------

def test_update_sections():
    u = parse_update("set a = :n, b = c + :n remove d, e[1] add f :n delete g :ss", ctx())
    kinds = [type(a).__name__ for a in u.actions]
    assert kinds == ["SetAction", "SetAction", "RemoveAction", "RemoveAction", "AddAction",
                     "DeleteAction"]


@pytest.mark.parametrize("text,message", [
    ("SET a = :n SET b = :n", 'The "SET" section can only be used once in an update expression;'),
    ("REMOVE a REMOVE b", 'The "REMOVE" section can only be used once in an update expression;'),
    ("SET a = :n REMOVE a", "Two document paths overlap with each other; must remove or rewrite "
     "one of these paths; path one: [a], path two: [a]"),
    ("SET a = :n, a.b = :n", "Two document paths overlap with each other; must remove or rewrite "
     "one of these paths; path one: [a], path two: [a, b]"),
    ("SET a[1] = :n REMOVE a.b", "Two document paths conflict with each other; must remove or "
     "rewrite one of these paths; path one: [a, [1]], path two: [a, b]"),
    ("ADD a :s", "Incorrect operand type for operator or function; operator: ADD, operand type: "
     "STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("ADD a :map", "Incorrect operand type for operator or function; operator: ADD, operand type: "
     "MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("DELETE a :n", "Incorrect operand type for operator or function; operator: DELETE, operand "
     "type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
    ("SET a = :s + :n", "Incorrect operand type for operator or function; operator or function: "
     "+, operand type: S"),
    ("SET a = list_append(:s, :l)", "Incorrect operand type for operator or function; operator or "
     "function: list_append, operand type: S"),
    ("SET a = if_not_exists(:n, :n)", "Operator or function requires a document path; operator "
     "or function: if_not_exists"),
    ("SET a = size(b)", "The function is not allowed in an update expression; function: size"),
    ("SET a = attribute_exists(b)", "The function is not allowed in an update expression; "
     "function: attribute_exists"),
    ("SET a = foo(b)", "Invalid function name; function: foo"),
    ("SET name = :n", "Attribute name is a reserved keyword; reserved keyword: name"),
    ("SET a = :undefined", "An expression attribute value used in expression is not defined; "
     "attribute value: :undefined"),
])
def test_update_semantic_errors(text, message):
    assert error(parse_update, text, ctx()) == "Invalid UpdateExpression: " + message


@pytest.mark.parametrize("text,token,near", [
    ("SET", "<EOF>", "SET"),
    ("SET a = :n,", "<EOF>", ","),
    ("SET a = b + c + d", "+", "c + d"),
    ("SET a = b * c", "*", "b * c"),
    ("ADD a b", "b", "a b"),
    ("DELETE a", "<EOF>", "a"),
    ("PUT a = :n", "PUT", "PUT a"),
    ("SET a :n", ":n", "a :n"),
    ("REMOVE a = :n", "=", "a = :n"),
])
def test_update_syntax_errors(text, token, near):
    assert error(parse_update, text, ctx()) == (
        f'Invalid UpdateExpression: Syntax error; token: "{token}", near: "{near}"')


def test_projection():
    paths = parse_projection("a, b.c, #n[2]", Expressions({"#n": "name"}))
    assert [str(p) for p in paths] == ["a", "b.c", "name[2]"]
    assert error(parse_projection, "a, a.b", None) == (
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
        "or rewrite one of these paths; path one: [a], path two: [a, b]")
    assert error(parse_projection, "a,", None) == (
        'Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ","')
    assert error(parse_projection, "size", None) == (
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: size")


# -- which error DynamoDB reports first ------------------------------------------------

@pytest.mark.parametrize("text,names,values,message", [
    # reserved words beat duplicate sections and undefined placeholders
    (" set #c = :c set abOrt = true ", {"#a": "a"}, {":a": {"S": "a"}},
     "Attribute name is a reserved keyword; reserved keyword: abOrt"),
    # an unknown function beats duplicate sections and undefined names
    ("set #c = if_not_exist(:c) set c = d", {"#a": "a"}, {":a": {"S": "a"}},
     "Invalid function name; function: if_not_exist"),
    # duplicate sections beat undefined placeholders
    ("set a = #c set c = :d", {"#a": "a"}, {":a": {"S": "a"}},
     'The "SET" section can only be used once in an update expression;'),
    # undefined placeholders beat function arity
    ("SET #c = if_not_exists(:c)", {"#a": "a"}, {":a": {"S": "a"}},
     "An expression attribute name used in the document path is not defined; attribute name: #c"),
    # overlaps beat conflicts and function arity
    ("set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)", {"#c": "c", "#d": "[3]"}, None,
     "Two document paths overlap with each other; must remove or rewrite one of these paths; "
     "path one: [c, [1], a], path two: [c]"),
    ("set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", {"#c": "c", "#d": "[3]"}, None,
     "Two document paths conflict with each other; must remove or rewrite one of these paths; "
     "path one: [c, [3], [3]], path two: [c, [3], [3]]"),
    ("remove a.#c set a[1] = #d", {"#c": "c", "#d": "[3]"}, None,
     "Two document paths conflict with each other; must remove or rewrite one of these paths; "
     "path one: [a, c], path two: [a, [1]]"),
    # ADD/DELETE operand types beat function checks
    ("set b = list_append(:a, a), c = if_not_exists(a) add a.b :a", None, {":a": {"S": "a"}},
     "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, "
     "typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("set a = if_not_exists(if_not_exists(a, b), c)", None, None,
     "Operator or function requires a document path; operator or function: if_not_exists"),
    ("set a = list_append(c)", None, None,
     "Incorrect number of operands for operator or function; operator or function: list_append, "
     "number of operands: 1"),
    ("set a = :c + a", None, {":c": {"B": "YQ=="}},
     "Incorrect operand type for operator or function; operator or function: +, operand type: B"),
])
def test_update_error_order(text, names, values, message):
    assert error(parse_update, text, Expressions(names, values)) == (
        "Invalid UpdateExpression: " + message)


@pytest.mark.parametrize("text", [
    "whatever", "set a", "add a", "delete a", "set a=set", "remove a = b", "add a = b",
    "delete a = b", "delete a b", "delete a if_not_exist(b)", "add abort b",
    "add a if_not_exist(b)", "remove a b", "set a b", "set :a = b", "add :a b", "delete :a b",
    "remove :a", "set a = b / c", "set a = b * c", 'set a[1] = "eight"', "set a[1] = 1",
    "SET a = if_not_exist(a, 100)", "SET if_not_exist(a, b) = a", "set (a = (b + c))",
    "set a = (b.c).d + e", "set a = (b.c)[0] + e", "set a = b + c + d",
])
def test_update_syntax_errors_win(text):
    assert error(parse_update, text, Expressions()).startswith(
        "Invalid UpdateExpression: Syntax error; ")


def test_parenthesised_update_values():
    from dynamo_lab.dynamodb.model.expressions import apply_update
    u = parse_update("set a = (b + c), d = ((b) - (c))")
    assert apply_update(u, {"b": {"N": "5"}, "c": {"N": "2"}}) == {
        "b": {"N": "5"}, "c": {"N": "2"}, "a": {"N": "7"}, "d": {"N": "3"}}


@pytest.mark.parametrize("text,names,message", [
    ("((attribute_not_exists(pk)))", None, "The expression has redundant parentheses;"),
    ("(a = :n) AND ((b = :n))", None, "The expression has redundant parentheses;"),
    ("contains(#a, #a)", {"#a": "data"}, "The first operand must be distinct from the remaining "
     "operands for this operator or function; operator: contains, first operand: [data]"),
    ("a.b = a.b", None, "The first operand must be distinct from the remaining operands for "
     "this operator or function; operator: =, first operand: [a, b]"),
    ("a BETWEEN :n AND :s", None, "The BETWEEN operator requires same data type for lower and "
     "upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
     "AttributeValue: {S:x}"),
])
def test_more_condition_rules(text, names, message):
    assert error(parse_condition, text, ctx(names)) == "Invalid ConditionExpression: " + message


def test_single_parentheses_are_fine():
    parse_condition("(a = :n)", ctx())
    parse_condition("(a = :n) AND (NOT (b = :n OR c = :n))", ctx())
    parse_condition("a = b", ctx())


def test_near_quotes_match_dynamodb_reports():
    # Messages users have reported from DynamoDB itself.
    c = Expressions(values={":v": {"S": "x"}, ":w": {"S": "y"}})
    assert error(parse_condition, "a = :v AND __typename = :w", c,
                 kind="KeyConditionExpression") == (
        'Invalid KeyConditionExpression: Syntax error; token: "_", near: "AND __"')
    assert error(parse_update, "SET a = list_append(a, 0)", Expressions()) == (
        'Invalid UpdateExpression: Syntax error; token: "0", near: ", 0)"')
    assert error(parse_update, "SET", Expressions()) == (
        'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET"')


def test_long_and_deep_expressions_never_overflow_the_stack():
    from dynamo_lab.dynamodb.model.expressions import evaluate, parse_key_condition
    c = Expressions(values={":a": {"N": "1"}})
    item = {"a": {"N": "1"}}
    assert evaluate(parse_condition("NOT " * 298 + "a = :a", c), item)         # even count
    assert not evaluate(parse_condition("NOT " * 299 + "a = :a", c), item)     # 300 operators
    assert evaluate(parse_condition(" AND ".join(["a=:a"] * 150), c), item)
    assert evaluate(parse_condition(" OR ".join(["b=:a"] * 149 + ["a=:a"]), c), item)
    nested = "NOT(" * 64 + "a = :a" + ")" * 64
    assert evaluate(parse_condition(nested, c), item)
    deep = "NOT(" * 65 + "a = :a" + ")" * 65
    assert error(parse_condition, deep, c) == (
        "Invalid ConditionExpression: The expression has too many nested parentheses; "
        "nesting levels: 65")
    appends = "list_append(" * 70 + ":a" + ", :a)" * 70
    assert "too many nested parentheses" in error(parse_update, f"SET x = {appends}", c)
    with pytest.raises(DynamoDBError, match="one condition per key"):
        parse_key_condition(" AND ".join(["a=:a"] * 150), c, "a")


def test_more_than_300_operators_are_refused():
    # DynamoDB counts comparators, AND/OR/NOT, BETWEEN, IN, functions and
    # + -, and names the count at which it stopped (301).
    c = Expressions(values={":a": {"N": "1"}})
    assert error(parse_condition, "NOT " * 300 + "a = :a", c) == (
        "Invalid ConditionExpression: The expression contains too many operators; "
        "operator count: 301")
    assert "operator count: 301" in error(parse_condition, " OR ".join(["a=:a"] * 151), c,
                                          kind="FilterExpression")
    sets = ",".join(f"a{i}=:a+:a" for i in range(301))
    assert "operator count: 301" in error(parse_update, "SET " + sets, c)
    assert "operator count: 301" in error(
        parse_condition, " AND ".join(["size(a) > :a"] * 101), c)


@pytest.mark.parametrize("text,message", [
    ("a < :l", "operator or function: <, operand type: L"),
    (":b >= a", "operator or function: >=, operand type: BOOL"),
    ("a BETWEEN :n AND :s", "The BETWEEN operator requires same data type"),
    ("a BETWEEN :l AND :l", "operator or function: BETWEEN, operand type: L"),
    ("a BETWEEN :b AND :n", "The BETWEEN operator requires same data type"),
    ("a BETWEEN :n AND b", None),
    (":m BETWEEN a AND b", "operator or function: BETWEEN, operand type: M"),
    ("a = :l AND a <> :m", None),
])
def test_ordering_needs_an_orderable_constant(text, message):
    c = Expressions(values={":l": {"L": []}, ":b": {"BOOL": True}, ":n": {"N": "1"},
                            ":s": {"S": "x"}, ":m": {"M": {}}})
    if message is None:
        parse_condition(text, c)
    else:
        assert message in error(parse_condition, text, c)
