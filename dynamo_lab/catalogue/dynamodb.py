"""Events of the DynamoDB service: tables, items, transactions, clients.

Keys in item events are ``((attribute, value text), ...)``: the hash key then
the range key, numbers in canonical text and binaries in base64. ``position``
is the key's 128-bit place in the hash space; ``partition`` the id of the
partition holding it.
"""
from ._spec import kind

_KEY = "((attribute, value text), ...) of the primary key"

KINDS: dict = {
    "table.created": kind("CreateTable accepted; the table is CREATING",
                          table="table name",
                          key="((attribute, type, 'HASH' or 'RANGE'), ...)",
                          billing_mode="'PROVISIONED' or 'PAY_PER_REQUEST'",
                          indexes="names of its secondary indexes"),
    "table.active": kind("a table (or its update) finished; it is ACTIVE", table="table name"),
    "table.updated": kind("UpdateTable accepted; the table is UPDATING", table="table name",
                          changes="what changed: 'throughput', 'billing_mode', 'indexes', "
                                  "'stream', 'deletion_protection'"),
    "table.deleting": kind("DeleteTable accepted; the table is DELETING", table="table name",
                           items="items it held"),
    "table.deleted": kind("a deleted table is gone", table="table name"),
    "ttl.updated": kind("time to live was switched on or off", table="table name",
                        enabled="True or False", attribute="the TTL attribute name"),
    "item.put": kind("an item was written whole (PutItem, BatchWriteItem, transaction)",
                     table="table name", key=_KEY, position="128-bit hash position",
                     partition="partition id", size="item size in bytes",
                     replaced="True if an item with this key existed"),
    "item.updated": kind("an existing item was changed by an update", table="table name",
                         key=_KEY, position="128-bit hash position", partition="partition id",
                         size="new item size in bytes"),
    "item.deleted": kind("an item was removed", table="table name", key=_KEY,
                         position="128-bit hash position", partition="partition id",
                         cause="'request' or 'ttl' (expired by time to live)"),
    "txn.committed": kind("TransactWriteItems applied all its actions", token="ClientRequestToken or None",
                          actions="number of actions", tables="tables written"),
    "txn.canceled": kind("TransactWriteItems was cancelled; nothing changed",
                         token="ClientRequestToken or None",
                         reasons="cancellation reason codes in request order"),
    "stream.record": kind("a change to an item was written to the table's stream (DynamoDB Streams)",
                          table="table name", stream="the stream's label",
                          shard="the shard id it went to", sequence="its sequence number (text)",
                          event="'INSERT', 'MODIFY' or 'REMOVE'", key=_KEY,
                          size="SizeBytes of the record"),
    "shard.opened": kind("a stream shard opened: for a partition when the stream began, for a "
                         "child of a split, or as the successor of a rolled-over shard",
                         table="table name", stream="the stream's label", shard="shard id",
                         parent="ParentShardId, or None", partition="the partition it follows"),
    "shard.closed": kind("a stream shard closed; it keeps its records for 24 hours",
                         table="table name", stream="the stream's label", shard="shard id",
                         parent="ParentShardId, or None",
                         reason="'split' (its partition split), 'rollover' (open long "
                                "enough) or 'disabled' (stream off or table deleted)",
                         records="records it took"),
    "client.retry": kind("a lab client is retrying a request after a backoff (virtual time)",
                         operation="API operation", attempt="attempts made so far",
                         delay_ms="backoff before the next attempt"),
}
