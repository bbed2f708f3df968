// A smoke test of `dynamo-lab serve` with the AWS SDK for JavaScript v3, run
// by tests/test_js_sdk.py under Node.js:  node smoke.mjs <endpoint> <table>
// The packages come from the test set-up's npm cache (DL_NODE_MODULES), so
// they are loaded with a require rooted there. Prints one JSON line that
// the Python test checks; any failure exits non-zero with the error.
import { createRequire } from "node:module";

const require = createRequire(process.env.DL_NODE_MODULES + "/");
const ddb = require("@aws-sdk/client-dynamodb");
const lib = require("@aws-sdk/lib-dynamodb");
const st = require("@aws-sdk/client-dynamodb-streams");

const [endpoint, table] = process.argv.slice(2);
const config = {
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "fakeMyKeyId", secretAccessKey: "fakeSecretAccessKey" },
};
const client = new ddb.DynamoDBClient(config);
const doc = lib.DynamoDBDocumentClient.from(client);
const streams = new st.DynamoDBStreamsClient(config);
const out = {};

// tables
const created = await client.send(new ddb.CreateTableCommand({
  TableName: table, BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" },
                         { AttributeName: "sk", AttributeType: "N" }],
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
  StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
}));
await ddb.waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: table });
out.created = created.TableDescription.TableName;
out.listed = (await client.send(new ddb.ListTablesCommand({}))).TableNames.includes(table);

// items: the low-level client and the document client
await client.send(new ddb.PutItemCommand({
  TableName: table, Item: { pk: { S: "a" }, sk: { N: "1" }, v: { S: "one" } } }));
for (const sk of [2, 3]) {
  await doc.send(new lib.PutCommand({ TableName: table, Item: { pk: "a", sk, v: `n${sk}`,
                                                                 tags: new Set(["x", "y"]) } }));
}
out.get = (await doc.send(new lib.GetCommand({ TableName: table, Key: { pk: "a", sk: 2 } }))).Item;
out.get.tags = [...out.get.tags].sort();
const upd = await client.send(new ddb.UpdateItemCommand({
  TableName: table, Key: { pk: { S: "a" }, sk: { N: "1" } },
  UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": { S: "uno" } },
  ReturnValues: "UPDATED_NEW" }));
out.updated = upd.Attributes;
try {
  await client.send(new ddb.PutItemCommand({
    TableName: table, Item: { pk: { S: "a" }, sk: { N: "1" } },
    ConditionExpression: "attribute_not_exists(pk)" }));
  out.conditional = "accepted";
} catch (e) {
  out.conditional = e.name;
}

// Query, both ways
const q = await client.send(new ddb.QueryCommand({
  TableName: table, KeyConditionExpression: "pk = :p AND sk >= :s",
  ExpressionAttributeValues: { ":p": { S: "a" }, ":s": { N: "2" } }, ScanIndexForward: false }));
out.query = q.Items.map((i) => Number(i.sk.N));
const dq = await doc.send(new lib.QueryCommand({
  TableName: table, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "a" },
  Limit: 2 }));
out.docQuery = { sks: dq.Items.map((i) => i.sk), more: dq.LastEvaluatedKey !== undefined };

// a transaction that commits, and one that is cancelled
await doc.send(new lib.TransactWriteCommand({ TransactItems: [
  { Put: { TableName: table, Item: { pk: "b", sk: 1, v: "txn" } } },
  { ConditionCheck: { TableName: table, Key: { pk: "a", sk: 1 },
                      ConditionExpression: "attribute_exists(pk)" } },
] }));
try {
  await client.send(new ddb.TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName: table, Item: { pk: { S: "c" }, sk: { N: "1" } } } },
    { ConditionCheck: { TableName: table, Key: { pk: { S: "nope" }, sk: { N: "1" } },
                        ConditionExpression: "attribute_exists(pk)" } },
  ] }));
  out.cancelled = "committed";
} catch (e) {
  out.cancelled = { name: e.name, reasons: e.CancellationReasons.map((r) => r.Code) };
}
const scan = await doc.send(new lib.ScanCommand({ TableName: table }));
out.scanned = scan.Items.map((i) => `${i.pk}${i.sk}`).sort();

// the stream: every change, in order within the item's shard
const arn = (await client.send(new ddb.DescribeTableCommand({ TableName: table })))
  .Table.LatestStreamArn;
const listed = await streams.send(new st.ListStreamsCommand({ TableName: table }));
out.streamListed = listed.Streams.map((s) => s.StreamArn).includes(arn);
const desc = await streams.send(new st.DescribeStreamCommand({ StreamArn: arn }));
const events = [];
for (const shard of desc.StreamDescription.Shards) {
  let it = (await streams.send(new st.GetShardIteratorCommand({
    StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
  for (let page = 0; it && page < 10; page++) {
    const r = await streams.send(new st.GetRecordsCommand({ ShardIterator: it }));
    for (const rec of r.Records) {
      events.push([rec.dynamodb.SequenceNumber, rec.eventName,
                   `${rec.dynamodb.Keys.pk.S}${rec.dynamodb.Keys.sk.N}`]);
    }
    if (r.Records.length === 0) break;
    it = r.NextShardIterator;
  }
}
events.sort((x, y) => (BigInt(x[0]) < BigInt(y[0]) ? -1 : 1));
out.stream = events.map((e) => `${e[1]} ${e[2]}`);
try {
  await client.send(new ddb.DescribeTableCommand({ TableName: "no-such-table" }));
} catch (e) {
  out.missing = { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
}
await client.send(new ddb.DeleteTableCommand({ TableName: table }));
console.log(JSON.stringify(out));
