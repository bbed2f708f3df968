"""The DynamoDB Streams API's errors, with plain boto3, in process and over
HTTP: each bad request gets AWS's error code (DynamoDB Streams API
reference: DescribeStream, GetShardIterator, GetRecords, ListStreams).
Expiry and trimming, which need 15 minutes and 24 hours to pass, are in
tests/test_ddb_streams.py, where the lab's clock can be moved."""
import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from ddb_support import DUMMY_ENV, REGION, error_of, make_table

NOT_FOUND = "Requested resource not found: Stream: {} not found"


@pytest.fixture
def stream(backend):
    """A table with a stream and one record: (streams client, stream ARN, shard id)."""
    client, streams = backend.client, backend.streams
    name = make_table(client, StreamSpecification={"StreamEnabled": True,
                                                   "StreamViewType": "KEYS_ONLY"})
    client.put_item(TableName=name, Item={"pk": {"S": "one"}})
    arn = client.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    return streams, arn, shard


def _missing(arn: str) -> str:
    """A well-formed stream ARN of the same table that names no stream."""
    return arn.rsplit("/", 1)[0] + "/1999-01-01T00:00:00.000"


def test_a_stream_that_does_not_exist(stream):
    """DescribeStream and GetShardIterator: ResourceNotFoundException."""
    streams, arn, shard = stream
    gone = _missing(arn)
    for call in (lambda: streams.describe_stream(StreamArn=gone),
                 lambda: streams.get_shard_iterator(StreamArn=gone, ShardId=shard,
                                                    ShardIteratorType="TRIM_HORIZON")):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == ("ResourceNotFoundException", NOT_FOUND.format(gone))


def test_a_string_that_is_no_stream_arn(stream):
    """DescribeStream with a malformed StreamArn: ValidationException
    'Invalid StreamArn' (the AWS SDK for JavaScript v2's integration tests,
    run against AWS); the same for the other operations that take one."""
    streams, arn, shard = stream
    bad = "not-a-stream-arn-but-long-enough-for-the-model"
    for call in (lambda: streams.describe_stream(StreamArn=bad),
                 lambda: streams.list_streams(ExclusiveStartStreamArn=bad),
                 lambda: streams.get_shard_iterator(StreamArn=bad, ShardId=shard,
                                                    ShardIteratorType="LATEST")):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == ("ValidationException", "Invalid StreamArn")


def test_a_shard_that_does_not_exist(stream):
    streams, arn, shard = stream
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId="shardId-00000000000000000000-0000dead",
                                   ShardIteratorType="LATEST")
    assert error_of(e) == ("ResourceNotFoundException",
                           "Requested resource not found: Shard does not exist")


def test_list_streams_exclusive_start_that_does_not_exist(stream):
    """ListStreams pages after a stream it knows; an ExclusiveStartStreamArn
    naming no stream is ResourceNotFoundException, not an empty page."""
    streams, arn, _ = stream
    assert streams.list_streams(ExclusiveStartStreamArn=arn)["Streams"] is not None
    gone = _missing(arn)
    with pytest.raises(ClientError) as e:
        streams.list_streams(ExclusiveStartStreamArn=gone)
    assert error_of(e) == ("ResourceNotFoundException", NOT_FOUND.format(gone))


def test_sequence_number_iterators_need_a_good_number(stream):
    """AT_/AFTER_SEQUENCE_NUMBER need a SequenceNumber, and one of this
    shard's: otherwise ValidationException. A good one reads from there."""
    streams, arn, shard = stream
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                   ShardIteratorType="AT_SEQUENCE_NUMBER")
    assert error_of(e) == ("ValidationException",
                           "SequenceNumber is required for ShardIteratorType AT_SEQUENCE_NUMBER")
    for bad in ("x" * 21, "1" * 21, "9" * 40):
        with pytest.raises(ClientError) as e:
            streams.get_shard_iterator(StreamArn=arn, ShardId=shard, SequenceNumber=bad,
                                       ShardIteratorType="AFTER_SEQUENCE_NUMBER")
        assert error_of(e) == ("ValidationException",
                               f"Invalid SequenceNumber {bad} for shard {shard}")
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    [rec] = streams.get_records(ShardIterator=it)["Records"]
    seq = rec["dynamodb"]["SequenceNumber"]
    at = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, SequenceNumber=seq,
                                    ShardIteratorType="AT_SEQUENCE_NUMBER")["ShardIterator"]
    assert [r["dynamodb"]["SequenceNumber"]
            for r in streams.get_records(ShardIterator=at)["Records"]] == [seq]
    after = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, SequenceNumber=seq,
                                       ShardIteratorType="AFTER_SEQUENCE_NUMBER")["ShardIterator"]
    assert streams.get_records(ShardIterator=after)["Records"] == []


def test_an_iterator_that_is_not_one(stream):
    """GetRecords with a string that is no shard iterator, one altered, or one
    of another version: ValidationException."""
    streams, arn, shard = stream
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="LATEST")["ShardIterator"]
    for bad in ("garbage", it[:-4] + ("AAAA" if not it.endswith("AAAA") else "BBBB"),
                arn + "|2|" + it.rsplit("|", 1)[1]):
        with pytest.raises(ClientError) as e:
            streams.get_records(ShardIterator=bad)
        assert error_of(e) == ("ValidationException", "Invalid ShardIterator")




@pytest.fixture(params=["inprocess", "server"])
def unchecked(request):
    """(dynamodb, dynamodbstreams) clients that send whatever they are
    given -- botocore's own parameter checks off -- so the service's checks
    answer, as they do for an SDK that checks less (in process and over HTTP)."""
    raw = Config(parameter_validation=False, retries={"total_max_attempts": 1})
    if request.param == "inprocess":
        from dynamo_lab.dynamodb.service import DynamoDB
        ddb = DynamoDB(seed=0)
        return ddb.client(config=raw), ddb.streams_client(config=raw)
    url = request.getfixturevalue("_serve_proc").url
    keys = dict(region_name=REGION, config=raw,
                aws_access_key_id=DUMMY_ENV["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=DUMMY_ENV["AWS_SECRET_ACCESS_KEY"])
    session = boto3.session.Session()
    return (session.client("dynamodb", endpoint_url=url, **keys),
            session.client("dynamodbstreams", endpoint_url=url, **keys))


def test_an_iterator_type_or_limit_out_of_the_model(unchecked):
    """An iterator type that is not one of the model's, and limits past the
    model's bounds, are ValidationExceptions in Coral's words (botocore's
    model of DynamoDB Streams; the words DynamoDB uses for its own models)."""
    client, streams = unchecked
    name = make_table(client, StreamSpecification={"StreamEnabled": True,
                                                   "StreamViewType": "KEYS_ONLY"})
    arn = client.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="SIDEWAYS")
    code, message = error_of(e)
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value 'SIDEWAYS' at "
                              "'shardIteratorType' failed to satisfy constraint: Member must "
                              "satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, "
                              "AFTER_SEQUENCE_NUMBER")
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="LATEST")["ShardIterator"]
    for call, value, path, bound in [
            (lambda: streams.get_records(ShardIterator=it, Limit=1001), 1001, "limit",
             "less than or equal to 1000"),
            (lambda: streams.get_records(ShardIterator=it, Limit=0), 0, "limit",
             "greater than or equal to 1"),
            (lambda: streams.list_streams(Limit=101), 101, "limit",
             "less than or equal to 100")]:
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == ("ValidationException",
                               f"1 validation error detected: Value '{value}' at '{path}' failed "
                               f"to satisfy constraint: Member must have value {bound}")
