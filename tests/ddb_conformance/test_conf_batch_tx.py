"""BatchGetItem, BatchWriteItem, TransactWriteItems and TransactGetItems with
plain boto3: results, limits (100 keys / 25 writes / 100 actions) and errors."""
import pytest
from botocore.exceptions import ClientError
from ddb_support import error_of, make_table, unique


def _put_many(client, table, n, prefix="k"):
    for start in range(0, n, 25):
        client.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": {"S": f"{prefix}{i}"}, "v": {"N": str(i)}}}}
            for i in range(start, min(n, start + 25))]})


def test_batch_write_and_get(client, table):
    _put_many(client, table, 30)
    resp = client.batch_get_item(RequestItems={table: {
        "Keys": [{"pk": {"S": f"k{i}"}} for i in range(0, 30, 3)] + [{"pk": {"S": "absent"}}],
        "ProjectionExpression": "v"}})
    got = sorted(int(i["v"]["N"]) for i in resp["Responses"][table])
    assert got == list(range(0, 30, 3))
    assert resp["UnprocessedKeys"] == {}


def test_batch_write_deletes(client, table):
    _put_many(client, table, 5)
    resp = client.batch_write_item(RequestItems={table: [
        {"DeleteRequest": {"Key": {"pk": {"S": f"k{i}"}}}} for i in range(3)]})
    assert resp["UnprocessedItems"] == {}
    assert client.scan(TableName=table, Select="COUNT")["Count"] == 2


def test_batch_across_tables(client):
    a, b = make_table(client), make_table(client)
    client.batch_write_item(RequestItems={
        a: [{"PutRequest": {"Item": {"pk": {"S": "x"}}}}],
        b: [{"PutRequest": {"Item": {"pk": {"S": "y"}}}}]})
    resp = client.batch_get_item(RequestItems={a: {"Keys": [{"pk": {"S": "x"}}]},
                                               b: {"Keys": [{"pk": {"S": "y"}}]}})
    assert resp["Responses"][a] == [{"pk": {"S": "x"}}]
    assert resp["Responses"][b] == [{"pk": {"S": "y"}}]


def test_batch_get_100_keys_ok_101_rejected(client, table):
    keys = [{"pk": {"S": f"k{i}"}} for i in range(101)]
    resp = client.batch_get_item(RequestItems={table: {"Keys": keys[:100]}})
    assert resp["Responses"][table] == []
    with pytest.raises(ClientError) as e:
        client.batch_get_item(RequestItems={table: {"Keys": keys}})
    code, msg = error_of(e)
    assert code == "ValidationException"
    assert msg.startswith("1 validation error detected: Value ")
    assert "Member must have length less than or equal to 100" in msg


def test_batch_get_more_than_100_across_tables(client, table):
    other = make_table(client)
    with pytest.raises(ClientError) as e:
        client.batch_get_item(RequestItems={
            table: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(60)]},
            other: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(41)]}})
    assert error_of(e) == ("ValidationException",
                           "Too many items requested for the BatchGetItem call")


def test_batch_write_25_ok_26_rejected(client, table):
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"w{i}"}}}} for i in range(26)]
    client.batch_write_item(RequestItems={table: puts[:25]})
    with pytest.raises(ClientError) as e:
        client.batch_write_item(RequestItems={table: puts})
    code, msg = error_of(e)
    assert code == "ValidationException"
    assert msg.startswith("1 validation error detected: Value '")
    assert "at 'requestItems' failed to satisfy constraint: Map value must satisfy " \
           "constraint: [Member must have length less than or equal to 25" in msg


def test_batch_write_duplicate_keys(client, table):
    with pytest.raises(ClientError) as e:
        client.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": {"S": "d"}}}},
            {"DeleteRequest": {"Key": {"pk": {"S": "d"}}}}]})
    assert error_of(e) == ("ValidationException",
                           "Provided list of item keys contains duplicates")


def test_batch_get_duplicate_keys(client, table):
    with pytest.raises(ClientError) as e:
        client.batch_get_item(RequestItems={table: {"Keys": [{"pk": {"S": "d"}}] * 2}})
    assert error_of(e) == ("ValidationException",
                           "Provided list of item keys contains duplicates")


def test_batch_on_missing_table(client):
    with pytest.raises(ClientError) as e:
        client.batch_get_item(RequestItems={unique("missing"): {"Keys": [{"pk": {"S": "a"}}]}})
    code, msg = error_of(e)
    assert code == "ResourceNotFoundException"
    assert msg.startswith("Requested resource not found")


def test_batch_get_16mb_response_leaves_unprocessed_keys(client, table):
    # 100 items of ~350 KB is ~35 MB: one call returns at most 16 MB and
    # hands the rest back as UnprocessedKeys.
    blob = "z" * 350_000
    for i in range(60):
        client.put_item(TableName=table, Item={"pk": {"S": f"b{i}"}, "d": {"S": blob}})
    keys = [{"pk": {"S": f"b{i}"}} for i in range(60)]
    resp = client.batch_get_item(RequestItems={table: {"Keys": keys}})
    got = len(resp["Responses"][table])
    left = resp["UnprocessedKeys"][table]["Keys"]
    assert 40 <= got <= 48 and got + len(left) == 60


def test_resource_batch_writer(resource, client, table):
    t = resource.Table(table)
    with t.batch_writer(overwrite_by_pkeys=["pk"]) as bw:
        for i in range(70):
            bw.put_item(Item={"pk": f"r{i % 60}", "n": i})
    assert client.scan(TableName=table, Select="COUNT")["Count"] == 60
    assert t.get_item(Key={"pk": "r5"})["Item"]["n"] == 65


def test_transact_write_all_or_nothing(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "acct1"}, "bal": {"N": "100"}})
    client.put_item(TableName=table, Item={"pk": {"S": "acct2"}, "bal": {"N": "0"}})
    move = lambda amount: client.transact_write_items(TransactItems=[  # noqa: E731
        {"Update": {"TableName": table, "Key": {"pk": {"S": "acct1"}},
                    "UpdateExpression": "SET bal = bal - :a", "ConditionExpression": "bal >= :a",
                    "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
        {"Update": {"TableName": table, "Key": {"pk": {"S": "acct2"}},
                    "UpdateExpression": "SET bal = bal + :a",
                    "ExpressionAttributeValues": {":a": {"N": str(amount)}}}}])
    move(60)
    with pytest.raises(ClientError) as e:
        move(60)
    code, msg = error_of(e)
    assert code == "TransactionCanceledException"
    assert msg == ("Transaction cancelled, please refer cancellation reasons for specific "
                   "reasons [ConditionalCheckFailed, None]")
    reasons = e.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["ConditionalCheckFailed", "None"]
    assert reasons[0]["Message"] == "The conditional request failed"
    bal = client.transact_get_items(TransactItems=[
        {"Get": {"TableName": table, "Key": {"pk": {"S": p}}}} for p in ("acct1", "acct2")])
    assert [r["Item"]["bal"]["N"] for r in bal["Responses"]] == ["40", "60"]


def test_transact_condition_check_put_delete(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "lock"}, "held": {"BOOL": True}})
    client.put_item(TableName=table, Item={"pk": {"S": "old"}})
    client.transact_write_items(TransactItems=[
        {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "lock"}},
                            "ConditionExpression": "held = :t",
                            "ExpressionAttributeValues": {":t": {"BOOL": True}}}},
        {"Put": {"TableName": table, "Item": {"pk": {"S": "new"}}}},
        {"Delete": {"TableName": table, "Key": {"pk": {"S": "old"}}}}])
    keys = sorted(i["pk"]["S"] for i in client.scan(TableName=table)["Items"])
    assert keys == ["lock", "new"]


def test_transact_cancel_returns_old_item(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "x"}, "v": {"N": "1"}})
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "x"}},
                     "ConditionExpression": "attribute_not_exists(pk)",
                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}])
    reason = e.value.response["CancellationReasons"][0]
    assert reason["Code"] == "ConditionalCheckFailed"
    assert reason["Item"] == {"pk": {"S": "x"}, "v": {"N": "1"}}


def test_transact_same_item_twice(client, table):
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "same"}}}},
            {"Delete": {"TableName": table, "Key": {"pk": {"S": "same"}}}}])
    assert error_of(e) == ("ValidationException", "Transaction request cannot include "
                           "multiple operations on one item")


def test_transact_101_actions_rejected(client, table):
    items = [{"Put": {"TableName": table, "Item": {"pk": {"S": f"t{i}"}}}} for i in range(101)]
    client.transact_write_items(TransactItems=items[:100])
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=items)
    code, msg = error_of(e)
    assert code == "ValidationException"
    assert "Member must have length less than or equal to 100" in msg


def test_transact_idempotency_token(client, table):
    req = [{"Update": {"TableName": table, "Key": {"pk": {"S": "ctr"}},
                       "UpdateExpression": "ADD n :one",
                       "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
    client.transact_write_items(TransactItems=req, ClientRequestToken="tok-1")
    client.transact_write_items(TransactItems=req, ClientRequestToken="tok-1")
    n = client.get_item(TableName=table, Key={"pk": {"S": "ctr"}})["Item"]["n"]["N"]
    assert n == "1"
    other = [{"Put": {"TableName": table, "Item": {"pk": {"S": "else"}}}}]
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=other, ClientRequestToken="tok-1")
    assert error_of(e)[0] == "IdempotentParameterMismatchException"


def test_transact_get_missing_item_is_empty(client, table):
    resp = client.transact_get_items(TransactItems=[
        {"Get": {"TableName": table, "Key": {"pk": {"S": "none"}}}}])
    assert resp["Responses"] == [{}]
