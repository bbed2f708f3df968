"""The control plane as DynamoDB answers it, with plain boto3, in process and
over HTTP: attribute definitions named once, tags within DynamoDB's
restrictions, DeleteTable's answer, UpdateTable's stream switch, the
operations SDKs ask about the endpoint, and a transaction's tables in one
Region. The source of each rule is in the test's docstring."""
import pytest
from botocore.exceptions import ClientError
from ddb_support import error_of, make_table, unique

KEY = dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
ON_DEMAND = dict(BillingMode="PAY_PER_REQUEST")
INVALID = "One or more parameter values were invalid: "


def _absent(client, name: str) -> None:
    with pytest.raises(ClientError) as e:
        client.describe_table(TableName=name)
    assert error_of(e)[0] == "ResourceNotFoundException"


# -- attribute definitions ------------------------------------------------------
def test_duplicate_attribute_definition_is_named(client):
    """CreateTable API reference: each attribute is defined once; DynamoDB
    Local's words (PynamoDB's integration tests), naming the attribute."""
    name = unique()
    with pytest.raises(ClientError) as e:
        client.create_table(TableName=name, **ON_DEMAND, KeySchema=KEY["KeySchema"],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                  {"AttributeName": "pk", "AttributeType": "S"}])
    assert error_of(e) == ("ValidationException",
                           INVALID + "Cannot have two attributes with the same name: pk")
    _absent(client, name)


def test_gsi_key_defined_with_a_conflicting_type(client):
    """Two indexes asking for one attribute as S and as N (PynamoDB's
    discriminator-index test against DynamoDB Local) are refused."""
    name = unique()
    with pytest.raises(ClientError) as e:
        client.create_table(
            TableName=name, **ON_DEMAND, KeySchema=KEY["KeySchema"],
            AttributeDefinitions=KEY["AttributeDefinitions"] + [
                {"AttributeName": "g", "AttributeType": "S"},
                {"AttributeName": "g", "AttributeType": "N"}],
            GlobalSecondaryIndexes=[
                {"IndexName": f"by_g{i}", "Projection": {"ProjectionType": "ALL"},
                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]} for i in (1, 2)])
    assert error_of(e) == ("ValidationException",
                           INVALID + "Cannot have two attributes with the same name: g")
    _absent(client, name)


def test_update_table_gsi_cannot_retype_a_key(client, table):
    """UpdateTable's AttributeDefinitions may repeat a key's definition, but
    not give it another type (the table's items are keyed by it)."""
    gsi = {"Create": {"IndexName": "by_pk", "Projection": {"ProjectionType": "KEYS_ONLY"},
                      "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}}
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=table, GlobalSecondaryIndexUpdates=[gsi],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "N"}])
    assert error_of(e) == ("ValidationException",
                           INVALID + "Cannot have two attributes with the same name: pk")
    desc = client.describe_table(TableName=table)["Table"]
    assert desc["AttributeDefinitions"] == KEY["AttributeDefinitions"]
    assert "GlobalSecondaryIndexes" not in desc


# -- tags -------------------------------------------------------------------------
PATTERN = r"[\p{L}\p{Z}\p{N}_.:/=+\-]*"


@pytest.mark.parametrize("tag, where, constraint", [
    ({"Key": "k" * 129, "Value": "v"}, "key", "Member must have length less than or equal to 128"),
    ({"Key": "k", "Value": "v" * 257}, "value",
     "Member must have length less than or equal to 256"),
    ({"Key": "cost#centre", "Value": "v"}, "key",
     f"Member must satisfy regular expression pattern: {PATTERN}"),
    ({"Key": "ok", "Value": "<><>"}, "value",
     f"Member must satisfy regular expression pattern: {PATTERN}"),
])
def test_tag_restrictions_at_creation(client, tag, where, constraint):
    """'Tagging restrictions in DynamoDB': key 128 and value 256 characters,
    letters, white space, numbers and + - = . _ : / only. Alternator's
    test_tag.py records the ValidationException on DynamoDB, and that the
    table is then not created."""
    name = unique()
    with pytest.raises(ClientError) as e:
        client.create_table(TableName=name, **ON_DEMAND, **KEY, Tags=[tag])
    text = tag["Key"] if where == "key" else tag["Value"]
    assert error_of(e) == ("ValidationException",
                           f"1 validation error detected: Value '{text}' at "
                           f"'tags.1.member.{where}' failed to satisfy constraint: {constraint}")
    _absent(client, name)


def test_tag_limits_at_creation_and_in_tag_resource(client):
    """At most 50 tags (Alternator's test_too_long_tags_from_creation and
    test_tag_resource_incorrect); the aws: prefix is AWS's own; TagResource
    needs a tag (dynalite's words); letters of any script are allowed."""
    name = unique()
    with pytest.raises(ClientError) as e:
        client.create_table(TableName=name, **ON_DEMAND, **KEY,
                            Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert error_of(e) == ("ValidationException",
                           INVALID + "The number of tags exceeds the limit of 50")
    _absent(client, name)
    name = make_table(client, name, Tags=[{"Key": "équipe", "Value": "Ünïcode ok"}])
    arn = client.describe_table(TableName=name)["Table"]["TableArn"]
    for tags, message in [
            ([{"Key": "aws:owner", "Value": "me"}],
             INVALID + "Tag keys starting with 'aws:' are reserved for AWS use: aws:owner"),
            ([], "Atleast one Tag needs to be provided as Input."),
            ([{"Key": "fine", "Value": "v"}, {"Key": "bad!", "Value": "v"}],
             "1 validation error detected: Value 'bad!' at 'tags.2.member.key' failed to "
             f"satisfy constraint: Member must satisfy regular expression pattern: {PATTERN}"),
            ([{"Key": f"k{i}", "Value": "v"} for i in range(50)],
             INVALID + "The number of tags exceeds the limit of 50")]:
        with pytest.raises(ClientError) as e:
            client.tag_resource(ResourceArn=arn, Tags=tags)
        assert error_of(e) == ("ValidationException", message)
    # nothing was half-applied
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "équipe", "Value": "Ünïcode ok"}]


# -- DeleteTable --------------------------------------------------------------
def test_delete_table_answer(client):
    """DeleteTable API reference: the table is DELETING, and deleting it again
    meanwhile is no error. The description leaves out KeySchema,
    AttributeDefinitions and CreationDateTime (Alternator's
    test_delete_table_description, run against AWS; scylladb issue 14132)
    and the indexes (dynalite issue 60, AWS's answer quoted)."""
    name = make_table(client, sk="sk", more_attrs=[{"AttributeName": "g", "AttributeType": "S"}],
                      GlobalSecondaryIndexes=[{
                          "IndexName": "by_g", "Projection": {"ProjectionType": "ALL"},
                          "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])
    for _ in range(60):      # bounded: wait for the index too
        if all(g["IndexStatus"] == "ACTIVE" for g in
               client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]):
            break
        client.get_waiter("table_exists").wait(TableName=name,
                                               WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    table_id = client.describe_table(TableName=name)["Table"]["TableId"]
    desc = client.delete_table(TableName=name)["TableDescription"]
    assert (desc["TableName"], desc["TableStatus"], desc["TableId"]) == (name, "DELETING",
                                                                       table_id)
    assert desc["TableArn"].endswith(f":table/{name}")
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    for left_out in ("KeySchema", "AttributeDefinitions", "CreationDateTime",
                     "GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        assert left_out not in desc
    try:
        again = client.delete_table(TableName=name)["TableDescription"]
    except ClientError as gone:     # served, it may be gone already
        assert gone.response["Error"]["Code"] == "ResourceNotFoundException"
    else:
        assert again["TableStatus"] == "DELETING"
    client.get_waiter("table_not_exists").wait(TableName=name,
                                               WaiterConfig={"Delay": 1, "MaxAttempts": 30})


# -- UpdateTable and the stream ------------------------------------------------
def _streams_of(streams, name: str) -> list[str]:
    return [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]]


def test_update_table_switches_the_stream(backend):
    """UpdateTable with only StreamSpecification (UpdateTable API reference;
    'Enabling a stream' in the Developer Guide): enabling gives a new
    LatestStreamArn/Label that ListStreams lists; disabling keeps the old
    stream readable, DISABLED, for 24 hours; enabling again makes a new one."""
    client, streams = backend.client, backend.streams
    name = make_table(client)
    wait = dict(WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    assert "LatestStreamArn" not in client.describe_table(TableName=name)["Table"]
    assert _streams_of(streams, name) == []
    resp = client.update_table(TableName=name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    first = resp["LatestStreamArn"]
    assert first.endswith(f":table/{name}/stream/{resp['LatestStreamLabel']}")
    client.get_waiter("table_exists").wait(TableName=name, **wait)
    desc = client.describe_table(TableName=name)["Table"]
    assert desc["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert (desc["LatestStreamArn"], desc["LatestStreamLabel"]) == \
        (first, resp["LatestStreamLabel"])
    assert _streams_of(streams, name) == [first]
    client.put_item(TableName=name, Item={"pk": {"S": "kept"}})

    client.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    client.get_waiter("table_exists").wait(TableName=name, **wait)
    assert "StreamSpecification" not in client.describe_table(TableName=name)["Table"]
    old = streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert old["StreamStatus"] == "DISABLED"
    shard = old["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=first, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert [r["dynamodb"]["Keys"] for r in streams.get_records(ShardIterator=it)["Records"]] \
        == [{"pk": {"S": "kept"}}]
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    assert error_of(e) == ("ValidationException", "Table already has no stream enabled")

    # a new label needs a later moment than the first (labels are times to the ms)
    client.put_item(TableName=name, Item={"pk": {"S": "between"}})
    client.update_table(TableName=name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    client.get_waiter("table_exists").wait(TableName=name, **wait)
    second = client.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    assert second != first
    assert _streams_of(streams, name) == [first, second]
    statuses = {s: streams.describe_stream(StreamArn=s)["StreamDescription"]["StreamStatus"]
                for s in (first, second)}
    assert statuses == {first: "DISABLED", second: "ENABLED"}


def test_deleting_a_table_disables_its_stream(backend):
    """DeleteTable API reference: 'the corresponding stream on that table
    goes into the DISABLED state, and the stream is automatically deleted
    after 24 hours' -- meanwhile it is listed and its records readable."""
    client, streams = backend.client, backend.streams
    name = make_table(client, StreamSpecification={"StreamEnabled": True,
                                                   "StreamViewType": "KEYS_ONLY"})
    arn = client.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    client.put_item(TableName=name, Item={"pk": {"S": "last"}})
    client.delete_table(TableName=name)
    client.get_waiter("table_not_exists").wait(TableName=name,
                                               WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert (desc["StreamStatus"], desc["TableName"]) == ("DISABLED", name)
    assert [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]] == [arn]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=desc["Shards"][0]["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = streams.get_records(ShardIterator=it)
    assert [r["dynamodb"]["Keys"] for r in page["Records"]] == [{"pk": {"S": "last"}}]
    assert "NextShardIterator" not in page       # the shard is closed and read to its end


# -- what SDKs ask the endpoint ---------------------------------------------------
def test_describe_endpoints(client):
    """DescribeEndpoints API reference: one address and its cache period."""
    resp = client.describe_endpoints()
    assert resp["Endpoints"] == [{"Address": "dynamodb.us-east-1.amazonaws.com",
                                  "CachePeriodInMinutes": 1440}]


def test_describe_continuous_backups(client, table):
    """DescribeContinuousBackups API reference: continuous backups are ENABLED
    on every table from creation; point-in-time recovery is off unless
    enabled. A missing table is TableNotFoundException."""
    resp = client.describe_continuous_backups(TableName=table)
    assert resp["ContinuousBackupsDescription"] == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    missing = unique("missing")
    with pytest.raises(ClientError) as e:
        client.describe_continuous_backups(TableName=missing)
    assert error_of(e) == ("TableNotFoundException", f"Table not found: {missing}")


# -- a transaction's tables are in one Region ------------------------------------------
def test_transaction_across_regions_is_refused(client, table):
    """TransactWriteItems API reference: actions 'can target items in
    different tables, but not in different AWS accounts or Regions'. A table
    ARN of another Region is a ValidationException in DynamoDB's words for
    such an ARN (terraform-provider-aws issue 42792, quoting AWS), and
    nothing is written."""
    arn = client.describe_table(TableName=table)["Table"]["TableArn"]
    other = arn.replace(":us-east-1:", ":eu-west-1:")
    put = {"Put": {"TableName": arn, "Item": {"pk": {"S": "here"}}}}
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[put, {"Put": {
            "TableName": other, "Item": {"pk": {"S": "there"}}}}])
    assert error_of(e) == ("ValidationException",
                           f"1 validation error detected: Invalid AWS region in '{other}'")
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "here"}})
    with pytest.raises(ClientError) as e:
        client.transact_get_items(TransactItems=[{"Get": {"TableName": other,
                                                          "Key": {"pk": {"S": "here"}}}}])
    assert error_of(e)[0] == "ValidationException"
    client.transact_write_items(TransactItems=[put])          # one Region: fine
    assert client.get_item(TableName=table, Key={"pk": {"S": "here"}})["Item"]


def test_transaction_from_one_region_to_a_table_in_another():
    """With two regions of one lab (a client's region_name picks its tables),
    a transaction naming a table that really exists in the other region, by
    its ARN, is still refused, and neither region's table is written."""
    from dynamo_lab.dynamodb.service import DynamoDB
    ddb = DynamoDB(seed=0)
    us, eu = ddb.client(retries=0), ddb.client(region_name="eu-west-1", retries=0)
    tables = {c: make_table(c, "Orders") for c in (us, eu)}
    eu_arn = eu.describe_table(TableName=tables[eu])["Table"]["TableArn"]
    assert ":eu-west-1:" in eu_arn
    with pytest.raises(ClientError) as e:
        us.transact_write_items(TransactItems=[
            {"Put": {"TableName": "Orders", "Item": {"pk": {"S": "us"}}}},
            {"Put": {"TableName": eu_arn, "Item": {"pk": {"S": "eu"}}}}])
    assert error_of(e) == ("ValidationException",
                           f"1 validation error detected: Invalid AWS region in '{eu_arn}'")
    for c in (us, eu):
        assert c.scan(TableName="Orders")["Items"] == []
    eu.transact_write_items(TransactItems=[{"Put": {"TableName": eu_arn,
                                                    "Item": {"pk": {"S": "eu"}}}}])
    assert eu.scan(TableName="Orders")["Count"] == 1
