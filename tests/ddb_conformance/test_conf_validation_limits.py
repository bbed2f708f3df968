"""DynamoDB's limits on expressions and numbers, and the list-index rules of
update paths, each refused in DynamoDB's words and with nothing changed.

Sources: "Expression parameters" in the Developer Guide's quotas page
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html:
an expression string is at most 4 KB; at most 300 operators or functions;
document paths at most 32 levels deep); numbers of up to 38 digits of
precision (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html);
SET on a list index past the end appends, REMOVE of one does nothing
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html).
DynamoDB's answer to 301 operators, "operator count: 301", is quoted in
aws/aws-sdk-js issue 3721; the Scan segment message follows what another
emulator (a Rust DynamoDB implementation) returns, as the docs give none.
"""
import pytest
from botocore.exceptions import ClientError
from ddb_support import error_of, make_table

KEY = {"pk": {"S": "a"}}
ITEM = {"pk": {"S": "a"}, "n": {"N": "9" * 38}, "big": {"N": "9" + "0" * 125},
        "l": {"L": [{"N": "0"}, {"M": {"x": {"L": [{"N": "1"}]}}}]}}
ONE = {":v": {"N": "1"}}


@pytest.fixture(scope="module")
def vtable(backend):
    name = make_table(backend.client)
    backend.client.put_item(TableName=name, Item=ITEM)
    return name


def _refused(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return error_of(e)


def _item(client, table):
    return client.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"]


def test_an_expression_longer_than_4_kb_is_refused(client, vtable):
    text = "attribute_exists(" + "a" * 4079 + ")"           # 4097 bytes
    assert _refused(client.scan, TableName=vtable, FilterExpression=text) == (
        "ValidationException", "Invalid FilterExpression: Expression size has exceeded the "
        "maximum allowed size; expression size: 4097")
    assert client.scan(TableName=vtable, FilterExpression=text[:-2] + ")")["Count"] == 0


def test_more_than_300_operators_are_refused(client, vtable):
    ok = " OR ".join(["n = :v"] * 150)                            # 299 operators
    assert client.scan(TableName=vtable, FilterExpression=ok, ExpressionAttributeValues=ONE)
    too_many = " OR ".join(["n = :v"] * 151)                      # 301
    assert _refused(client.scan, TableName=vtable, FilterExpression=too_many,
                    ExpressionAttributeValues=ONE) == (
        "ValidationException", "Invalid FilterExpression: The expression contains too many "
        "operators; operator count: 301")
    sets = ",".join(f"a{i}=:v+:v" for i in range(301))
    assert _refused(client.update_item, TableName=vtable, Key=KEY, UpdateExpression="SET " + sets,
                    ExpressionAttributeValues=ONE)[1] == (
        "Invalid UpdateExpression: The expression contains too many operators; operator count: 301")
    assert _item(client, vtable) == ITEM


def test_a_document_path_deeper_than_32_levels_is_refused(client, vtable):
    assert _refused(client.get_item, TableName=vtable, Key=KEY,
                    ProjectionExpression=".".join(["a"] * 33)) == (
        "ValidationException", "Invalid ProjectionExpression: The document path has too many "
        "nesting levels; nesting levels: 33")
    assert client.get_item(TableName=vtable, Key=KEY, ProjectionExpression=".".join(["a"] * 32))


@pytest.mark.parametrize("update,values", [
    ("ADD n :v", {":v": {"N": "0.1"}}),
    ("SET n = n + :v", {":v": {"N": "0.5"}}),
    ("SET n = :v - n", {":v": {"N": "0.5"}}),
])
def test_arithmetic_needing_more_than_38_digits_is_refused(client, vtable, update, values):
    assert _refused(client.update_item, TableName=vtable, Key=KEY, UpdateExpression=update,
                    ExpressionAttributeValues=values) == (
        "ValidationException", "Attempting to store more than 38 significant digits in a Number")
    assert _refused(client.update_item, TableName=vtable, Key=KEY,
                    AttributeUpdates={"n": {"Action": "ADD", "Value": {"N": "0.01"}}})[1] == (
        "Attempting to store more than 38 significant digits in a Number")
    assert _item(client, vtable) == ITEM


def test_arithmetic_past_the_largest_number_is_refused(client, vtable):
    assert _refused(client.update_item, TableName=vtable, Key=KEY, UpdateExpression="ADD big :v",
                    ExpressionAttributeValues={":v": {"N": "9e125"}}) == (
        "ValidationException", "Number overflow. Attempting to store a number with magnitude "
        "larger than supported range")
    assert _item(client, vtable) == ITEM


def test_a_list_index_past_the_end(client, table):
    client.put_item(TableName=table, Item=ITEM)
    # Inside a path, an index past the end names nothing to write into.
    for update in ("SET l[5].x = :v", "REMOVE l[5].x", "SET l[1].y[0].z = :v"):
        kw = {"ExpressionAttributeValues": ONE} if ":v" in update else {}
        assert _refused(client.update_item, TableName=table, Key=KEY, UpdateExpression=update,
                        **kw) == ("ValidationException", "The document path provided in the "
                                  "update expression is invalid for update")
    assert _item(client, table) == ITEM
    # As the last step: SET appends, at the top level and nested; REMOVE does nothing.
    client.update_item(TableName=table, Key=KEY, UpdateExpression="SET l[10] = :v, l[1].x[7] = :v",
                       ExpressionAttributeValues=ONE)
    client.update_item(TableName=table, Key=KEY, UpdateExpression="REMOVE l[9], l[1].x[9]")
    assert _item(client, table)["l"] == {"L": [
        {"N": "0"}, {"M": {"x": {"L": [{"N": "1"}, {"N": "1"}]}}}, {"N": "1"}]}


def test_a_parallel_scan_resumes_only_inside_its_segment(client, table):
    for i in range(12):
        client.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}})
    first = client.scan(TableName=table, Segment=0, TotalSegments=2, Limit=1)
    start = first["LastEvaluatedKey"]
    more = client.scan(TableName=table, Segment=0, TotalSegments=2, ExclusiveStartKey=start)
    assert start not in more["Items"]
    assert _refused(client.scan, TableName=table, Segment=1, TotalSegments=2,
                    ExclusiveStartKey=start) == (
        "ValidationException", "The provided Exclusive start key does not map to the provided "
        "Segment and TotalSegments values.")
