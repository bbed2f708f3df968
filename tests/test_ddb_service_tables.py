"""The control plane through plain boto3: CreateTable, DescribeTable,
ListTables, UpdateTable, DeleteTable, waiters, TTL and tags."""
import pytest
from botocore.exceptions import ClientError

from dynamo_lab.dynamodb.service import DynamoDB, handle, state_of

HASH = [{"AttributeName": "pk", "KeyType": "HASH"}]
HASH_RANGE = HASH + [{"AttributeName": "sk", "KeyType": "RANGE"}]
DEFS = [{"AttributeName": "pk", "AttributeType": "S"}]
DEFS2 = DEFS + [{"AttributeName": "sk", "AttributeType": "N"}]


@pytest.fixture
def ddb():
    svc = DynamoDB(seed=7)
    yield svc
    assert state_of(svc).internal_errors == []


@pytest.fixture
def c(ddb):
    return ddb.client()


def err(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e["Message"]


def make(c, name="Music", **kw):
    kw.setdefault("KeySchema", HASH_RANGE)
    kw.setdefault("AttributeDefinitions", DEFS2)
    if "ProvisionedThroughput" not in kw:
        kw.setdefault("BillingMode", "PAY_PER_REQUEST")
    out = c.create_table(TableName=name, **kw)
    c.get_waiter("table_exists").wait(TableName=name)
    return out


def test_create_describe_lifecycle_in_virtual_time(ddb, c):
    r = c.create_table(TableName="Music", KeySchema=HASH_RANGE, AttributeDefinitions=DEFS2,
                       ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3})
    d = r["TableDescription"]
    assert d["TableStatus"] == "CREATING"
    assert d["TableArn"] == "arn:aws:dynamodb:us-east-1:000000000000:table/Music"
    assert d["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0,
                                          "ReadCapacityUnits": 5, "WriteCapacityUnits": 3}
    assert "BillingModeSummary" not in d
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="Music", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert err(e) == ("ResourceNotFoundException", "Requested resource not found")
    t0 = ddb.sim.now
    c.get_waiter("table_exists").wait(TableName="Music")
    assert ddb.sim.now > t0            # virtual time passed, the wall clock did not
    t = c.describe_table(TableName="Music")["Table"]
    assert t["TableStatus"] == "ACTIVE" and t["ItemCount"] == 0 and t["TableSizeBytes"] == 0
    assert len(t["TableId"]) == 36
    c.delete_table(TableName="Music")
    c.get_waiter("table_not_exists").wait(TableName="Music")
    with pytest.raises(ClientError) as e:
        c.describe_table(TableName="Music")
    assert err(e) == ("ResourceNotFoundException",
                      "Requested resource not found: Table: Music not found")
    kinds = [ev.kind for ev in ddb.log if ev.kind.startswith("table.")]
    assert kinds == ["table.created", "table.active", "table.deleting", "table.deleted"]


def test_duplicate_table(c):
    make(c)
    with pytest.raises(ClientError) as e:
        make(c)
    assert err(e) == ("ResourceInUseException", "Table already exists: Music")


@pytest.mark.parametrize("kw, message", [
    (dict(KeySchema=HASH_RANGE, AttributeDefinitions=DEFS + [{"AttributeName": "x",
                                                             "AttributeType": "S"}]),
     "One or more parameter values were invalid: Some index key attributes are not defined "
     "in AttributeDefinitions. Keys: [pk, sk], AttributeDefinitions: [pk, x]"),
    (dict(KeySchema=HASH, AttributeDefinitions=DEFS2),
     "One or more parameter values were invalid: Number of attributes in KeySchema does not "
     "exactly match number of attributes defined in AttributeDefinitions"),
    (dict(KeySchema=[HASH_RANGE[1], HASH_RANGE[0]], AttributeDefinitions=DEFS2),
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    (dict(KeySchema=HASH, AttributeDefinitions=DEFS, BillingMode="PROVISIONED"),
     "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
     "must both be specified when BillingMode is PROVISIONED"),
    (dict(KeySchema=HASH, AttributeDefinitions=DEFS, BillingMode="PAY_PER_REQUEST",
          ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
     "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
     "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"),
])
def test_create_table_validation(ddb, c, kw, message):
    kw = dict(kw)
    kw.setdefault("BillingMode", "PAY_PER_REQUEST")
    with pytest.raises(ClientError) as e:
        c.create_table(TableName="Bad", **kw)
    assert err(e) == ("ValidationException", message)
    assert state_of(ddb).tables == {} and len(ddb.log) == 0


def test_indexes_described_and_validated(c):
    defs = DEFS2 + [{"AttributeName": "g", "AttributeType": "S"},
                    {"AttributeName": "l", "AttributeType": "N"}]
    lsi = [{"IndexName": "byL", "KeySchema": [HASH[0], {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    gsi = [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}]
    make(c, AttributeDefinitions=defs, LocalSecondaryIndexes=lsi, GlobalSecondaryIndexes=gsi)
    t = c.describe_table(TableName="Music")["Table"]
    assert t["LocalSecondaryIndexes"][0]["IndexArn"].endswith("table/Music/index/byL")
    g = t["GlobalSecondaryIndexes"][0]
    assert g["IndexStatus"] == "ACTIVE" and g["Projection"]["NonKeyAttributes"] == ["x"]
    bad = [{"IndexName": "byL", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}]
    with pytest.raises(ClientError) as e:
        c.create_table(TableName="Other", KeySchema=HASH_RANGE, AttributeDefinitions=defs,
                       BillingMode="PAY_PER_REQUEST", LocalSecondaryIndexes=bad)
    assert "Index KeySchema does not have the same leading hash key" in err(e)[1]
    six = [dict(lsi[0], IndexName=f"ix{i}") for i in range(6)]
    with pytest.raises(ClientError) as e:
        c.create_table(TableName="Other", KeySchema=HASH_RANGE,
                       AttributeDefinitions=DEFS2 + [defs[3]],
                       BillingMode="PAY_PER_REQUEST", LocalSecondaryIndexes=six)
    assert err(e)[1] == ("One or more parameter values were invalid: Number of "
                         "LocalSecondaryIndexes exceeds per-table limit of 5")


def test_list_tables_pages(c):
    for n in ("tab3", "tab1", "tab2"):
        c.create_table(TableName=n, KeySchema=HASH, AttributeDefinitions=DEFS,
                       BillingMode="PAY_PER_REQUEST")
    r = c.list_tables(Limit=2)
    assert r["TableNames"] == ["tab1", "tab2"] and r["LastEvaluatedTableName"] == "tab2"
    r = c.list_tables(ExclusiveStartTableName="tab2")
    assert r["TableNames"] == ["tab3"] and "LastEvaluatedTableName" not in r
    pages = c.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 1})
    assert [n for p in pages for n in p["TableNames"]] == ["tab1", "tab2", "tab3"]


def test_update_table(ddb, c):
    make(c, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    d = c.update_table(TableName="Music", ProvisionedThroughput={
        "ReadCapacityUnits": 2, "WriteCapacityUnits": 5})["TableDescription"]
    assert d["TableStatus"] == "UPDATING"
    assert d["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 1
    with pytest.raises(ClientError) as e:
        c.update_table(TableName="Music", BillingMode="PAY_PER_REQUEST")
    assert err(e)[0] == "ResourceInUseException"
    c.get_waiter("table_exists").wait(TableName="Music")
    d = c.update_table(TableName="Music", BillingMode="PAY_PER_REQUEST",
                       StreamSpecification={"StreamEnabled": True,
                                            "StreamViewType": "NEW_AND_OLD_IMAGES"})
    d = d["TableDescription"]
    assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert d["LatestStreamArn"] == d["TableArn"] + "/stream/" + d["LatestStreamLabel"]


def test_ttl_and_tags(ddb, c):
    make(c)
    arn = c.describe_table(TableName="Music")["Table"]["TableArn"]
    assert c.describe_time_to_live(TableName="Music")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}
    c.update_time_to_live(TableName="Music", TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "exp"})
    assert c.describe_time_to_live(TableName="Music")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    c.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "a"}])
    assert c.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "a"}]
    c.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert c.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


def test_raw_requests_never_escape_as_python_errors(ddb):
    from dynamo_lab.dynamodb.errors import DynamoDBError
    cases = [("DescribeTable", {"TableName": 5}, "SerializationException"),
             ("DescribeTable", {}, "ValidationException"),
             ("CreateTable", {"TableName": "abc", "KeySchema": "x"}, "SerializationException"),
             ("ListTables", {"Limit": "2"}, "SerializationException"),
             ("Nope", {}, "UnknownOperationException"),
             ("CreateTable", [], "SerializationException")]
    for op, body, code in cases:
        with pytest.raises(DynamoDBError) as e:
            handle(ddb, op, body)
        assert e.value.code == code, (op, body)
    assert state_of(ddb).tables == {}


def test_resource_waiters(ddb):
    r = ddb.resource()
    t = r.create_table(TableName="Res", KeySchema=HASH, AttributeDefinitions=DEFS,
                       BillingMode="PAY_PER_REQUEST")
    assert t.table_status == "CREATING"
    t.wait_until_exists()
    t.reload()
    assert t.table_status == "ACTIVE" and t.item_count == 0
    t.put_item(Item={"pk": "a", "n": 2})
    assert t.get_item(Key={"pk": "a"})["Item"] == {"pk": "a", "n": 2}
    assert [x.name for x in r.tables.all()] == ["Res"]
    t.delete()
    t.wait_until_not_exists()
    assert state_of(ddb).tables == {}


def test_gsi_added_later_is_backfilled_and_deleted(ddb, c):
    make(c, KeySchema=HASH, AttributeDefinitions=DEFS)
    for i in range(5):
        c.put_item(TableName="Music", Item={"pk": {"S": f"p{i}"}, "g": {"S": "even" if i % 2 == 0 else "odd"}})
    d = c.update_table(TableName="Music", AttributeDefinitions=DEFS + [
        {"AttributeName": "g", "AttributeType": "S"}], GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}}])["TableDescription"]
    assert d["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    c.get_waiter("table_exists").wait(TableName="Music")
    t = c.describe_table(TableName="Music")["Table"]
    assert t["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert t["GlobalSecondaryIndexes"][0]["ItemCount"] == 5
    r = c.query(TableName="Music", IndexName="byG", KeyConditionExpression="g = :e",
                ExpressionAttributeValues={":e": {"S": "even"}})
    assert sorted(i["pk"]["S"] for i in r["Items"]) == ["p0", "p2", "p4"]
    c.update_table(TableName="Music",
                   GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byG"}}])
    c.get_waiter("table_exists").wait(TableName="Music")
    assert "GlobalSecondaryIndexes" not in c.describe_table(TableName="Music")["Table"]
    assert [a["AttributeName"] for a in c.describe_table(TableName="Music")["Table"][
        "AttributeDefinitions"]] == ["pk"]
