"""One request pipeline: whatever can fail fails before anything changes.

A failure is injected into each after-commit observer in turn (and into the
layout step of CreateTable); every write operation then answers a clean
DynamoDB error through real boto3, and the service's state is exactly what
it was before the request.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from dynamo_lab.dynamodb import commit, pipeline
from dynamo_lab.dynamodb.errors import DynamoDBError
from dynamo_lab.dynamodb.operations import control
from dynamo_lab.dynamodb.service import DynamoDB, state_of

TABLE = dict(
    TableName="Tab", BillingMode="PROVISIONED",
    ProvisionedThroughput={"ReadCapacityUnits": 50, "WriteCapacityUnits": 50},
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
               {"AttributeName": "sk", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                          {"AttributeName": "sk", "AttributeType": "S"},
                          {"AttributeName": "g", "AttributeType": "S"}],
    GlobalSecondaryIndexes=[{"IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
                             "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                             "ProvisionedThroughput": {"ReadCapacityUnits": 50,
                                                       "WriteCapacityUnits": 50}}],
    LocalSecondaryIndexes=[{"IndexName": "byL", "Projection": {"ProjectionType": "KEYS_ONLY"},
                            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                          {"AttributeName": "g", "KeyType": "RANGE"}]}],
    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})

A = {"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "x"}}
B = {"pk": {"S": "b"}, "sk": {"S": "1"}, "g": {"S": "y"}}

WRITES = {
    "put": lambda c: c.put_item(TableName="Tab", Item=dict(A, n={"N": "2"})),
    "new": lambda c: c.put_item(TableName="Tab", Item={**B, "pk": {"S": "c"}}),
    "update": lambda c: c.update_item(TableName="Tab", Key={"pk": A["pk"], "sk": A["sk"]},
                                      UpdateExpression="SET g = :g",
                                      ExpressionAttributeValues={":g": {"S": "z"}}),
    "delete": lambda c: c.delete_item(TableName="Tab", Key={"pk": A["pk"], "sk": A["sk"]}),
    "transaction": lambda c: c.transact_write_items(TransactItems=[
        {"Put": {"TableName": "Tab", "Item": dict(B, n={"N": "1"})}},
        {"Delete": {"TableName": "Tab", "Key": {"pk": A["pk"], "sk": A["sk"]}}}]),
}


def _service():
    ddb = DynamoDB(seed=3, create_ms=0, update_ms=0, request_ms=0,
                   replication={"lag_ms": (50, 50)}, indexes={"gsi_lag_ms": (30, 30)})
    c = ddb.client(retries=0)
    c.create_table(**TABLE)
    ddb.run(ms=1)
    c.put_item(TableName="Tab", Item=A)
    c.put_item(TableName="Tab", Item=B)
    return ddb, c


def _fingerprint(ddb):
    """Everything a write could touch, as plain data."""
    st = state_of(ddb)
    t = st.tables["Tab"]
    stream = [(sh.id, len(sh.records)) for s in st.streams.streams.values()
              for sh in s.shards.values()]
    return {
        "items": list(t.store.scan_from(None)),
        "indexes": {n: list(ix.store.scan_from(None)) for n, ix in t.indexes.items()},
        "counts": (t.item_count, t.size_bytes),
        "partitions": ddb.partitions("Tab"),
        "gsi_partitions": ddb.partitions("Tab", "byG"),
        "tokens": [ddb.table_capacity("Tab").tokens(p["id"], "write", ddb.sim.now)
                   for p in ddb.partitions("Tab")],
        "gsi_lag": ddb.gsi_lag("Tab", "byG"),
        "replicas": [ddb.replicas("Tab", {"pk": k["pk"], "sk": k["sk"]}) for k in (A, B)],
        "stream": stream,
        "log": len(ddb.log),
        "now": ddb.sim.now,
        "scheduled": sum(map(len, st.sim.kernel._at.values())),   # nothing queued for later
    }


def test_the_observers_run_in_the_documented_order():
    assert [o.name for o in commit.AFTER_COMMIT] == ["replication", "events", "streams",
                                                     "indexes"]


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("observer", [o.name for o in commit.AFTER_COMMIT])
@pytest.mark.parametrize("failure", ["bug", "dynamodb"])
def test_a_failing_observer_leaves_the_state_as_it_was(monkeypatch, observer, write, failure):
    ddb, c = _service()
    before = _fingerprint(ddb)
    i = [o.name for o in commit.AFTER_COMMIT].index(observer)

    def refuse(state, table, key_hash):
        if failure == "bug":
            raise RuntimeError(f"injected into {observer}")
        raise DynamoDBError("InternalServerError", "Internal server error")
    observers = list(commit.AFTER_COMMIT)
    observers[i] = observers[i]._replace(prepare=refuse)
    monkeypatch.setattr(commit, "AFTER_COMMIT", observers)
    with pytest.raises(ClientError) as info:
        WRITES[write](c)
    err = info.value.response["Error"]
    assert err["Code"] == "InternalServerError" and err["Message"] == "Internal server error"
    assert _fingerprint(ddb) == before
    errors = state_of(ddb).internal_errors
    assert len(errors) == (1 if failure == "bug" else 0)
    if errors:
        assert f"injected into {observer}" in errors[0]


def test_without_a_failure_every_observer_sees_the_write(monkeypatch):
    ddb, c = _service()
    seen = []
    observers = []
    for obs in commit.AFTER_COMMIT:
        def apply(state, change, obs=obs):
            seen.append((obs.name, change.op, change.old is None))
            obs.apply(state, change)
        observers.append(obs._replace(apply=apply))
    monkeypatch.setattr(commit, "AFTER_COMMIT", observers)
    WRITES["update"](c)
    assert seen == [("replication", "update", False), ("events", "update", False),
                    ("streams", "update", False), ("indexes", "update", False)]
    ddb.run(ms=100)
    got = c.query(TableName="Tab", IndexName="byG", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": "z"}})["Count"]
    assert got == 1


def test_create_table_commits_only_after_its_layout(monkeypatch):
    ddb = DynamoDB(seed=0, create_ms=0)
    c = ddb.client(retries=0)
    real = control.ensure

    def broken(state, table):
        raise RuntimeError("layout step failed")
    monkeypatch.setattr(control, "ensure", broken)
    with pytest.raises(ClientError) as info:
        c.create_table(**TABLE)
    assert info.value.response["Error"]["Code"] == "InternalServerError"
    assert c.list_tables()["TableNames"] == []
    assert not ddb.log.of_kind("table.created")
    monkeypatch.setattr(control, "ensure", real)
    c.create_table(**TABLE)        # not ResourceInUseException: nothing was half-made
    c.get_waiter("table_exists").wait(TableName="Tab")
    assert c.list_tables()["TableNames"] == ["Tab"]


def test_an_unknown_operation_is_dynamodbs_error():
    st = state_of(DynamoDB(seed=0))
    with pytest.raises(DynamoDBError) as info:
        pipeline.handle(st, "PutItems", {})
    assert info.value.code == "UnknownOperationException"


def test_transaction_tokens_come_from_the_seed():
    def token():
        ddb = DynamoDB(seed=5, create_ms=0)
        c = ddb.client()
        c.create_table(TableName="Tab", BillingMode="PAY_PER_REQUEST",
                       KeySchema=TABLE["KeySchema"],
                       AttributeDefinitions=TABLE["AttributeDefinitions"][:2])
        c.get_waiter("table_exists").wait(TableName="Tab")
        c.transact_write_items(TransactItems=[{"Put": {"TableName": "Tab", "Item": A}}])
        return ddb.log.of_kind("txn.committed")[0]["token"]
    assert token() == token()       # botocore's own would be uuid4(): a new one every run
