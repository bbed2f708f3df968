"""Transactions and in-process client behaviour (retries, waiters, threads)."""
import threading

import pytest
from botocore.exceptions import ClientError, WaiterError

from dynamo_lab.dynamodb.service import DynamoDB, state_of

KS = [{"AttributeName": "id", "KeyType": "HASH"}]
AD = [{"AttributeName": "id", "AttributeType": "S"}]


@pytest.fixture
def ddb():
    svc = DynamoDB(seed=9)
    c = svc.client()
    for name in ("Acct", "Log"):
        c.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD,
                       BillingMode="PAY_PER_REQUEST")
        c.get_waiter("table_exists").wait(TableName=name)
    c.put_item(TableName="Acct", Item={"id": {"S": "alice"}, "bal": {"N": "100"}})
    c.put_item(TableName="Acct", Item={"id": {"S": "bob"}, "bal": {"N": "0"}})
    yield svc
    assert state_of(svc).internal_errors == []


@pytest.fixture
def c(ddb):
    return ddb.client()


def transfer(amount, token=None):
    items = [
        {"Update": {"TableName": "Acct", "Key": {"id": {"S": "alice"}},
                    "UpdateExpression": "SET bal = bal - :a", "ConditionExpression": "bal >= :a",
                    "ExpressionAttributeValues": {":a": {"N": str(amount)}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Update": {"TableName": "Acct", "Key": {"id": {"S": "bob"}},
                    "UpdateExpression": "SET bal = bal + :a",
                    "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
        {"Put": {"TableName": "Log", "Item": {"id": {"S": f"t{amount}"}}}},
    ]
    kw = {"TransactItems": items, "ReturnConsumedCapacity": "TOTAL"}
    if token:
        kw["ClientRequestToken"] = token
    return kw


def balances(c):
    return [c.get_item(TableName="Acct", Key={"id": {"S": n}})["Item"]["bal"]["N"]
            for n in ("alice", "bob")]


def test_transaction_commits_all_and_costs_double(c):
    r = c.transact_write_items(**transfer(30))
    assert balances(c) == ["70", "30"]
    caps = {x["TableName"]: x for x in r["ConsumedCapacity"]}
    assert caps["Acct"]["CapacityUnits"] == 4.0 and caps["Acct"]["WriteCapacityUnits"] == 4.0
    assert caps["Log"]["CapacityUnits"] == 2.0


def test_transaction_cancels_all_with_reasons_in_order(ddb, c):
    before = ddb.log.dumps()
    with pytest.raises(ClientError) as e:
        c.transact_write_items(**transfer(500))
    assert e.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert e.value.response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[ConditionalCheckFailed, None, None]")
    reasons = e.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["ConditionalCheckFailed", "None", "None"]
    assert reasons[0]["Item"] == {"id": {"S": "alice"}, "bal": {"N": "100"}}
    assert balances(c) == ["100", "0"]
    assert "Item" not in c.get_item(TableName="Log", Key={"id": {"S": "t500"}})
    assert [ev.kind for ev in ddb.log][-1] == "txn.canceled"
    assert ddb.log.dumps().startswith(before)


def test_transaction_rejects_two_actions_on_one_item(c):
    kw = transfer(1)
    kw["TransactItems"].append({"ConditionCheck": {
        "TableName": "Acct", "Key": {"id": {"S": "bob"}},
        "ConditionExpression": "attribute_exists(id)"}})
    with pytest.raises(ClientError) as e:
        c.transact_write_items(**kw)
    assert e.value.response["Error"]["Message"] == (
        "Transaction request cannot include multiple operations on one item")
    assert balances(c) == ["100", "0"]


def test_client_request_token_idempotency(ddb, c):
    c.transact_write_items(**transfer(10, token="tok-1"))
    c.transact_write_items(**transfer(10, token="tok-1"))        # replay: no second write
    assert balances(c) == ["90", "10"]
    with pytest.raises(ClientError) as e:
        c.transact_write_items(**transfer(20, token="tok-1"))
    assert e.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert e.value.response["Error"]["Message"] == (
        "The request uses the same client token as a previous, but non-identical request.")
    ddb.run(ms=10 * 60 * 1000)
    c.transact_write_items(**transfer(10, token="tok-1"))        # window over: runs again
    assert balances(c) == ["80", "20"]


def test_transact_get_items(c):
    r = c.transact_get_items(TransactItems=[
        {"Get": {"TableName": "Acct", "Key": {"id": {"S": "bob"}}}},
        {"Get": {"TableName": "Acct", "Key": {"id": {"S": "nobody"}}}},
        {"Get": {"TableName": "Acct", "Key": {"id": {"S": "alice"}},
                 "ProjectionExpression": "bal"}}], ReturnConsumedCapacity="TOTAL")
    assert r["Responses"] == [{"Item": {"id": {"S": "bob"}, "bal": {"N": "0"}}}, {},
                              {"Item": {"bal": {"N": "100"}}}]
    assert r["ConsumedCapacity"][0]["CapacityUnits"] == 6.0


def test_hundred_action_limit(c):
    items = [{"Put": {"TableName": "Log", "Item": {"id": {"S": str(i)}}}} for i in range(101)]
    with pytest.raises(ClientError) as e:
        c.transact_write_items(TransactItems=items)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    c.transact_write_items(TransactItems=items[:100])


def test_waiter_times_out_in_virtual_time(ddb, c):
    with pytest.raises(WaiterError) as e:
        c.get_waiter("table_exists").wait(TableName="Never",
                                          WaiterConfig={"Delay": 5, "MaxAttempts": 3})
    assert "Max attempts exceeded" in str(e.value)
    assert ddb.sim.now >= 10_000


def test_retries_advance_virtual_time_not_wall_clock(ddb, monkeypatch):
    from dynamo_lab.dynamodb import pipeline
    from dynamo_lab.dynamodb.errors import DynamoDBError
    calls = []
    real = pipeline.OPERATIONS["ListTables"]

    def flaky(state, params):
        calls.append(params)
        if len(calls) < 3:
            raise DynamoDBError("InternalServerError", "Internal server error")
        return real(state, params)
    monkeypatch.setitem(pipeline.OPERATIONS, "ListTables", flaky)
    c = ddb.client()
    r = c.list_tables()
    assert r["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(ddb.log.of_kind("client.retry")) == 2
    calls.clear()
    with pytest.raises(ClientError):
        ddb.client(retries=0).list_tables()
    assert len(calls) == 1


def test_threads_share_one_service(ddb):
    def worker(n):
        c = ddb.client()
        for i in range(20):
            c.put_item(TableName="Log", Item={"id": {"S": f"{n}-{i}"}})
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert state_of(ddb).tables["Log"].item_count == 80
