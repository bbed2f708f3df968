// The deck's "JavaScript in the Browser": the AWS SDK for JavaScript v3,
// bundled by esbuild (tests/test_js_sdk_browser.py), in a page served from
// another origin than `dynamo-lab serve`. The page calls
// window.dynamoLabSmoke(endpoint, table) and gets back what the SDK saw.
import {
  CreateTableCommand, DescribeTableCommand, DynamoDBClient, waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";

window.dynamoLabSmoke = async (endpoint, table) => {
  const config = {
    endpoint, region: "us-east-1", maxAttempts: 1,
    credentials: { accessKeyId: "fakeMyKeyId", secretAccessKey: "fakeSecretAccessKey" },
  };
  const client = new DynamoDBClient(config);
  const doc = DynamoDBDocumentClient.from(client);
  const streams = new DynamoDBStreamsClient(config);
  const out = {};
  await client.send(new CreateTableCommand({
    TableName: table, BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "user", AttributeType: "S" },
                           { AttributeName: "at", AttributeType: "N" }],
    KeySchema: [{ AttributeName: "user", KeyType: "HASH" },
                { AttributeName: "at", KeyType: "RANGE" }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
  }));
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: table });
  for (const at of [3, 1, 2]) {
    await doc.send(new PutCommand({ TableName: table, Item: { user: "ana", at, page: `p${at}` } }));
  }
  const put = await doc.send(new PutCommand({
    TableName: table, Item: { user: "ana", at: 1, page: "home" }, ReturnValues: "ALL_OLD" }));
  out.old = put.Attributes;
  // the SDK's response checksum header is readable only when the server exposes it
  out.requestId = put.$metadata.requestId || null;
  out.get = (await doc.send(new GetCommand({ TableName: table,
                                             Key: { user: "ana", at: 1 } }))).Item;
  const q = await doc.send(new QueryCommand({
    TableName: table, KeyConditionExpression: "#u = :u", ExpressionAttributeNames: { "#u": "user" },
    ExpressionAttributeValues: { ":u": "ana" } }));
  out.query = q.Items.map((i) => i.at);
  try {
    await doc.send(new TransactWriteCommand({ TransactItems: [
      { Put: { TableName: table, Item: { user: "bo", at: 1 } } },
      { ConditionCheck: { TableName: table, Key: { user: "nobody", at: 0 },
                          ConditionExpression: "attribute_exists(#u)",
                          ExpressionAttributeNames: { "#u": "user" } } }] }));
    out.txn = "committed";
  } catch (e) {
    out.txn = { name: e.name, reasons: e.CancellationReasons.map((r) => r.Code) };
  }
  const arn = (await client.send(new DescribeTableCommand({ TableName: table })))
    .Table.LatestStreamArn;
  const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: arn })))
    .StreamDescription.Shards;
  const seen = [];
  for (const shard of shards) {
    const it = (await streams.send(new GetShardIteratorCommand({
      StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: it }));
    for (const r of page.Records) seen.push(`${r.eventName} ${r.dynamodb.NewImage.page.S}`);
  }
  out.stream = seen;
  return out;
};
