"""One owner per partition (issue 14), held by a hypothesis state machine.

Random steps against a real service -- puts, deletes, updates of the
provisioned throughput (splits for throughput), a lower size limit
(cascades of splits for size), splits by hand (heat), crashes and recoveries
of storage nodes, replica lag, time passing (heat splits, shard rollover)
-- and after every step the invariants of the one owner per partition
(:meth:`Layout._check` through :meth:`Table._check`, with the stream hub):
ranges tile the hash space, every item lies in its owner's range, buckets
and replica groups belong to exactly one live partition, item counts and
bytes add up, each live partition's shard is open and each split parent's
shard closed. The items themselves are compared with a plain dict.
"""
from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from dynamo_lab.dynamodb.errors import DynamoDBError
from dynamo_lab.dynamodb.service import DynamoDB, handle, state_of

NODES = ("sn-a1", "sn-b2", "sn-c3")
KEYS = st.integers(0, 60)


class OnePartitionOneOwner(RuleBasedStateMachine):
    @initialize(seed=st.integers(0, 2**16), log=st.booleans())
    def make(self, seed, log):
        self.ddb = DynamoDB(seed=seed, create_ms=0, partition_size_limit=3000,
                            replication={"lag_ms": (0, 40)})
        self.ddb.log.enabled = log           # the owners hold with the event log off too
        handle(self.ddb, "CreateTable", {
            "TableName": "Own",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "g", "AttributeType": "S"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 2000, "WriteCapacityUnits": 900},
            "GlobalSecondaryIndexes": [{
                "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 100, "WriteCapacityUnits": 900}}],
            "StreamSpecification": {"StreamEnabled": True,
                                    "StreamViewType": "NEW_AND_OLD_IMAGES"}})
        self.items: dict[str, int] = {}
        self.splits = 0

    def _write(self, op, params, key, size):
        try:
            handle(self.ddb, op, {"TableName": "Own", **params})
        except DynamoDBError as e:           # a node down, or a throttle: nothing changed
            assert e.code in ("InternalServerError",
                              "ProvisionedThroughputExceededException"), e.code
            return
        if size is None:
            self.items.pop(key, None)
        else:
            self.items[key] = size

    @rule(k=KEYS, pad=st.integers(0, 400), g=st.integers(0, 5))
    def put(self, k, pad, g):
        key = f"k{k}"
        self._write("PutItem", {"Item": {"pk": {"S": key}, "g": {"S": f"g{g}"},
                                         "pad": {"S": "x" * pad}}}, key, pad)

    @rule(k=KEYS)
    def delete(self, k):
        key = f"k{k}"
        self._write("DeleteItem", {"Key": {"pk": {"S": key}}}, key, None)

    @rule(wcu=st.sampled_from([5, 900, 1800, 3500]))
    def throughput(self, wcu):
        t = state_of(self.ddb).tables["Own"]
        if t.status != "ACTIVE" or t.throughput.write == wcu:
            return
        handle(self.ddb, "UpdateTable", {"TableName": "Own", "ProvisionedThroughput": {
            "ReadCapacityUnits": 2000, "WriteCapacityUnits": wcu}})
        self.ddb.run(ms=1)                   # UPDATING -> ACTIVE

    @rule(limit=st.sampled_from([700, 1500, 3000]))
    def size_limit(self, limit):
        self.ddb.set_partition_size_limit("Own", limit)

    @rule(data=st.data())
    def split_by_hand(self, data):
        parts = [p for p in self.ddb.partitions("Own") if p["end"] - p["start"] > 1]
        p = data.draw(st.sampled_from(parts))
        self.ddb.split_partition("Own", p["id"])

    @rule(node=st.sampled_from(NODES), up=st.booleans())
    def crash_or_recover(self, node, up):
        (self.ddb.recover_node if up else self.ddb.crash_node)(node)

    @rule(ms=st.sampled_from([1, 50, 1000, 3000]))
    def wait(self, ms):
        self.ddb.run(ms=ms)

    @invariant()
    def one_owner_per_partition(self):
        state = state_of(self.ddb)
        state.streams.refresh()              # shards follow partitions lazily
        table = state.tables["Own"]
        table._check(streams=state.streams)
        state.replication._check()
        got = {i["pk"]["S"]: len(i["pad"]["S"])
               for p in table.store.partitions for i in p.items.values()}
        assert got == self.items
        assert table.item_count == len(self.items)
        shards = {p.shard for p in table.layout.pmap}
        assert None not in shards and len(shards) == len(table.layout.pmap)


OnePartitionOneOwner.TestCase.settings = settings(
    max_examples=12, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_one_owner_per_partition = OnePartitionOneOwner.TestCase


def test_each_partition_records_its_shard_with_the_event_log_off():
    """The hub records a partition's shard itself when it opens one (a
    split, a rollover), not through the event log: with the log off, the
    shards are recorded all the same."""
    ddb = DynamoDB(seed=4, create_ms=0)
    ddb.log.enabled = False
    state = state_of(ddb)
    state.streams.rollover_ms = 60_000
    handle(ddb, "CreateTable", {
        "TableName": "Quiet", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}})
    table, hub = state.tables["Quiet"], state.streams

    def check():
        hub.refresh()
        table._check(streams=hub)
        [s] = hub.streams.values()
        assert [p.shard for p in table.layout.pmap] == \
            [s.open[p.id].id for p in table.layout.pmap]
        return s

    for i in range(40):
        handle(ddb, "PutItem", {"TableName": "Quiet",
                                "Item": {"pk": {"S": f"k{i}"}, "pad": {"S": "x" * 200}}})
    first = {p.id: p.shard for p in table.layout.pmap}
    ddb.set_partition_size_limit("Quiet", 2000)              # a cascade of splits
    s = check()
    # The partitions that had a shard closed it (the lazy hub gave none to
    # partitions that split again before their first record).
    retired = table.layout.pmap.retired
    assert first.items() <= {pid: p.shard for pid, p in retired.items()}.items()
    assert all(s.shards[p.shard].reason == "split" for p in retired.values() if p.shard)
    split = {p.id: p.shard for p in table.layout.pmap}
    assert len(split) > 2
    ddb.run(ms=60_000)                                       # every shard rolls over
    s = check()
    assert all(s.shards[s.open[pid].parent].id == shard and s.shards[shard].reason == "rollover"
               for pid, shard in split.items())
    assert len(ddb.log) == 0
