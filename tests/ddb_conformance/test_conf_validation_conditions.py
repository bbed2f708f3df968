"""Operand types in conditions and filters: what DynamoDB refuses before it
reads anything.

``< <= > >= BETWEEN`` order strings, numbers and binaries only; a constant of
another type (list, map, set, boolean, null) is a ValidationException that
names the operator and the type, not a condition that quietly fails.
``BETWEEN``'s bounds must be of one type and in order; ``attribute_type``
takes one of the ten type names. Each refusal leaves the item as it was.

Sources: the Developer Guide's "Comparison operator and function reference"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html);
the exact wording as DynamoDB answers it, recorded in dynalite's tests
(architect/dynalite test/*.js) and in a Trino connector note quoting
"Invalid FilterExpression: Incorrect operand type for operator or function;
operator or function: <=, operand type: BOOL".
"""
import pytest
from botocore.exceptions import ClientError
from ddb_support import error_of, make_table

OPERAND = "Incorrect operand type for operator or function; operator or function: "
UNORDERED = [("L", {"L": [{"N": "1"}]}), ("M", {"M": {"a": {"N": "1"}}}),
             ("SS", {"SS": ["a"]}), ("NS", {"NS": ["1"]}), ("BS", {"BS": [b"x"]}),
             ("BOOL", {"BOOL": True}), ("NULL", {"NULL": True})]
ITEM = {"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "5"}, "s": {"S": "m"}}


@pytest.fixture(scope="module")
def vtable(backend):
    """One table per backend for the whole module: the refusals change nothing."""
    name = make_table(backend.client, sk="sk", sk_type="N")
    backend.client.put_item(TableName=name, Item=ITEM)
    return name


def _refused(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return error_of(e)


@pytest.mark.parametrize("tname,value", UNORDERED)
def test_ordering_a_constant_of_an_unordered_type_is_refused(client, vtable, tname, value):
    # A condition on an existing item: without the check it would simply be
    # false (ConditionalCheckFailed); DynamoDB refuses the request instead.
    for op in ("<", ">="):
        assert _refused(client.update_item, TableName=vtable, Key={"pk": ITEM["pk"], "sk": ITEM["sk"]},
                        UpdateExpression="SET s = :s", ConditionExpression=f"n {op} :v",
                        ExpressionAttributeValues={":v": value, ":s": {"S": "changed"}}) == (
            "ValidationException", f"Invalid ConditionExpression: {OPERAND}{op}, operand type: {tname}")
    got = client.get_item(TableName=vtable, Key={"pk": ITEM["pk"], "sk": ITEM["sk"]},
                          ConsistentRead=True)["Item"]
    assert got == ITEM


def test_the_constant_may_stand_on_either_side_and_in_a_filter(client, vtable):
    assert _refused(client.scan, TableName=vtable, FilterExpression=":v <= n",
                    ExpressionAttributeValues={":v": {"BOOL": False}}) == (
        "ValidationException", f"Invalid FilterExpression: {OPERAND}<=, operand type: BOOL")
    assert _refused(client.query, TableName=vtable, KeyConditionExpression="pk = :p",
                    FilterExpression="n > :v",
                    ExpressionAttributeValues={":p": {"S": "a"}, ":v": {"M": {}}}) == (
        "ValidationException", f"Invalid FilterExpression: {OPERAND}>, operand type: M")


def test_equality_and_orderable_constants_are_accepted(client, vtable):
    # = and <> compare any two values; S, N and B order.
    resp = client.scan(TableName=vtable, FilterExpression="n <> :l AND s = :m AND n >= :lo "
                       "AND s < :hi AND NOT n = :b",
                       ExpressionAttributeValues={":l": {"L": []}, ":m": {"S": "m"},
                                                  ":lo": {"N": "1"}, ":hi": {"S": "z"},
                                                  ":b": {"BOOL": True}})
    assert resp["Count"] == 1


@pytest.mark.parametrize("tname,value", UNORDERED[:3] + UNORDERED[5:])
def test_between_bounds_of_an_unordered_type_are_refused(client, vtable, tname, value):
    assert _refused(client.scan, TableName=vtable, FilterExpression="n BETWEEN :a AND :a",
                    ExpressionAttributeValues={":a": value}) == (
        "ValidationException", f"Invalid FilterExpression: {OPERAND}BETWEEN, operand type: {tname}")


def test_between_bounds_of_two_types_or_reversed_are_refused(client, vtable):
    assert _refused(client.scan, TableName=vtable, FilterExpression="n BETWEEN :a AND :b",
                    ExpressionAttributeValues={":a": {"N": "1"}, ":b": {"S": "9"}}) == (
        "ValidationException",
        "Invalid FilterExpression: The BETWEEN operator requires same data type for lower and "
        "upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
        "AttributeValue: {S:9}")
    assert _refused(client.delete_item, TableName=vtable, Key={"pk": ITEM["pk"], "sk": ITEM["sk"]},
                    ConditionExpression="n BETWEEN :a AND :b",
                    ExpressionAttributeValues={":a": {"N": "10"}, ":b": {"N": "2"}}) == (
        "ValidationException",
        "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
        "than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper "
        "bound operand: AttributeValue: {N:2}")
    # Refused before the item was touched: it is still there.
    assert "Item" in client.get_item(TableName=vtable, Key={"pk": ITEM["pk"], "sk": ITEM["sk"]},
                                     ConsistentRead=True)


def test_between_with_an_unordered_subject_constant_is_refused(client, vtable):
    assert _refused(client.scan, TableName=vtable, FilterExpression=":t BETWEEN n AND n",
                    ExpressionAttributeValues={":t": {"SS": ["x"]}})[1] == (
        f"Invalid FilterExpression: {OPERAND}BETWEEN, operand type: SS")


@pytest.mark.parametrize("name", ["STRING", "s", "Number", ""])
def test_attribute_type_takes_one_of_the_type_names(client, vtable, name):
    assert _refused(client.scan, TableName=vtable, FilterExpression="attribute_type(n, :t)",
                    ExpressionAttributeValues={":t": {"S": name}}) == (
        "ValidationException",
        f"Invalid FilterExpression: Invalid attribute type name found; type: {name}, "
        "valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }")


def test_attribute_type_second_operand_must_be_a_string(client, vtable):
    assert _refused(client.scan, TableName=vtable, FilterExpression="attribute_type(n, :t)",
                    ExpressionAttributeValues={":t": {"N": "1"}}) == (
        "ValidationException", f"Invalid FilterExpression: {OPERAND}attribute_type, operand type: N")
    resp = client.scan(TableName=vtable, FilterExpression="attribute_type(n, :t)",
                       ExpressionAttributeValues={":t": {"S": "N"}})
    assert resp["Count"] == 1
