"""The endpoint views: record() on the learner's own clients, and the views drawn
from what it recorded: unit tests on the reducers (hand-made events), a run on
the lab, and a run against moto's server, where no lab internals exist."""
from __future__ import annotations

import re

import pytest

from dynamo_lab import DynamoDB, EventLog
from dynamo_lab.viz import (
    AccessPatternsView,
    HashSpaceView,
    IndexPlacementView,
    ItemAnatomyView,
    ItemCollectionsView,
    KclLeasesView,
    LambdaBatchesView,
    ReplicaGroupView,
    RequestTraceView,
    StreamRecordsView,
    Timeline,
    record,
)


def _log():
    t = [0]
    return EventLog(lambda: t[0], strict=True), t


def _call(log, n, op, table="T", status="ok", rcu=None, wcu=None, count=None, scanned=None,
          retries=0, page_end=None, **extra):
    log.emit("client.call", call=n, operation=op, table=table, status=status, rcu=rcu, wcu=wcu,
             count=count, scanned=scanned, latency_ms=1.0, retries=retries, page_end=page_end,
             consistent=False, **extra)


def _item(h, r=None, size=10):
    return ("S", h, None if r is None else "N", r, size, (("pk", "S", 3),))


def _marks(svg: str, cls: str) -> int:
    return len(re.findall(rf'<rect data-id="[^"]*" class="{cls}[ "]', svg))


# -- reducers on hand-made events -------------------------------------------

def test_trace_rows_costs_errors_and_hidden_calls():
    log, t = _log()
    _call(log, 1, "CreateTable")
    _call(log, 2, "DescribeTable")
    t[0] = 5
    _call(log, 3, "PutItem", wcu=2.0, key="pk=a")
    _call(log, 4, "Query", rcu=1.5, count=3, scanned=9, page_end="pk=a, sk=9", key="pk = a")
    _call(log, 5, "PutItem", status="ProvisionedThroughputExceededException", retries=2)
    _call(log, 6, "GetItem", table="Other", rcu=0.5, count=1)
    v = RequestTraceView(log)
    assert repr(v) == ("<RequestTraceView 5 calls (1 DescribeTable hidden): 2 RCU, 2 WCU, "
                       "1 error, 2 retries>")
    assert [r["operation"] for r in v.rows()] == ["CreateTable", "PutItem", "Query", "PutItem",
                                                  "GetItem"]
    assert v.cost("Query") == (1.5, 0.0) and v.cost() == (2.0, 2.0)
    svg = v.svg()
    assert _marks(svg, "dl-call") == 5
    assert 'data-status="ProvisionedThroughputExceededException"' in svg
    assert ">3 of 9<" in svg                       # returned of read: the filtered were charged
    only = RequestTraceView(log, table="Other", rows=1)
    assert len(only.rows()) == 1 and _marks(only.svg(), "dl-call") == 1
    few = RequestTraceView(log, rows=2)
    assert _marks(few.svg(), "dl-call") == 2 and "the last 2 of 5 calls" in few.svg()
    # the reducer rebuilds any moment
    assert len(v.state_at(index=3).calls) == 2


def test_collections_mark_returned_filtered_and_page_end():
    log, t = _log()
    log.emit("client.items", call=1, table="T", index=None, role="written", keys=("pk", "sk"),
             items=tuple(_item("a", str(i)) for i in range(1, 11)) + (_item("b", "1"),),
             start=None, end=None, filtered=0)
    _call(log, 2, "Query", rcu=0.5, count=2, scanned=4, page_end="pk=a, sk=6")
    # the Query read 3..6 (ScannedCount 4), returned 4 and 6, and its page ended at 6
    log.emit("client.items", call=2, table="T", index=None, role="read", keys=("pk", "sk"),
             items=(_item("a", "4"), _item("a", "6")), start=None, end=("a", "6"), filtered=2)
    v = ItemCollectionsView(log)
    m = v.marks()
    assert m["a"] == ["known", "known", "filtered", "read", "filtered", "read",
                      "known", "known", "known", "known"]       # sort key 10 after 9: numbers
    assert m["b"] == ["known"]
    svg = v.svg()
    assert _marks(svg, "dl-item") == 11
    assert svg.count('data-mark="filtered"') == 2 and svg.count('data-mark="read"') == 2
    assert 'data-id="page-end"' in svg
    # deleting an item removes it; an emptied collection goes
    log.emit("client.items", call=3, table="T", index=None, role="deleted", keys=("pk", "sk"),
             items=(("S", "b", "N", "1", None, ()),), start=None, end=None, filtered=0)
    assert "b" not in v.marks()
    assert repr(v) == ("<ItemCollectionsView 'T': 1 collection, 10 items; call 2 Query "
                       "returned 2, filtered 2, page ended>")


def test_collections_choose_a_call_by_operation_and_mark_a_whole_scan():
    log, t = _log()
    log.emit("client.items", call=1, table="T", index=None, role="written", keys=("pk", None),
             items=(_item("x"), _item("y"), _item("z")), start=None, end=None, filtered=0)
    _call(log, 2, "Scan", rcu=0.5, count=1, scanned=3)
    log.emit("client.items", call=2, table="T", index=None, role="read", keys=("pk", None),
             items=(_item("y"),), start=None, end=None, filtered=2)
    _call(log, 3, "GetItem", rcu=0.5, count=1)
    log.emit("client.items", call=3, table="T", index=None, role="read", keys=("pk", None),
             items=(_item("z"),), start=None, end=None, filtered=0)
    last = ItemCollectionsView(log).marks()
    assert last == {"x": ["known"], "y": ["known"], "z": ["read"]} or \
        sorted(m[0] for m in last.values()) == ["known", "known", "read"]
    scan = ItemCollectionsView(log, call="Scan").marks()
    assert sorted(m[0] for m in scan.values()) == ["filtered", "filtered", "read"]
    assert ItemCollectionsView(log, call=2).marks() == scan


def test_stream_records_lanes_follow_lineage_and_sequence_order():
    log, t = _log()
    log.emit("client.shards", call=1, stream="arn:s", table="T",
             shards=(("shard-b", "shard-a", "300", None), ("shard-a", None, "100", "250")))
    log.emit("client.records", call=2, shard="shard-a", closed=True, records=(
        ("100", "INSERT", "pk=a", False, True, 20), ("99", "INSERT", "pk=z", False, True, 20),
        ("120", "MODIFY", "pk=a", True, True, 30)))
    log.emit("client.records", call=3, shard="shard-b", closed=False,
             records=(("300", "REMOVE", "pk=a", True, False, 10),))
    log.emit("client.records", call=4, shard="elsewhere", closed=False,
             records=(("1", "INSERT", "pk=q", False, True, 10),))
    v = StreamRecordsView(log)
    assert v.lanes() == ["shard-a", "shard-b"]             # parent first
    assert [r[0] for r in v.records("shard-a")] == ["99", "100", "120"]    # numeric order
    svg = v.svg()
    assert _marks(svg, "dl-rec") == 4
    assert 'data-shard="shard-a" data-parent="" data-state="closed"' in svg
    assert 'data-shard="shard-b" data-parent="shard-a" data-state="open"' in svg
    assert 'data-id="lin:shard-b"' in svg
    assert repr(v) == ("<StreamRecordsView 'T': 2 shards (1 open), 4 records "
                       "(2 INSERT, 1 MODIFY, 1 REMOVE)>")


def test_hash_space_places_keys_and_offers_keys_that_spread():
    log, t = _log()
    log.emit("client.items", call=1, table="HashDemo", index=None, role="written",
             keys=("id", None), items=tuple(("N", str(i), None, None, 5, ()) for i in (1, 2, 3)),
             start=None, end=None, filtered=0)
    v = HashSpaceView(log)
    assert {p for _, p in v.placement().values()} == {"AA-FF"}
    kt, spread = v.spreading()
    assert kt == "N" and len(spread) == 3
    html = v._repr_html_()
    assert "all 3 keys hash into AA-FF" in html
    assert html.count('class="dl-key-dot"') == 3 + 3 * 3       # on the axis, and per replica
    assert html.count('class="dl-hpart"') == 9
    # the offered keys do spread: one per partition
    log.emit("client.items", call=2, table="HashDemo", index=None, role="written",
             keys=("id", None), items=tuple(("N", k, None, None, 5, ()) for k in spread),
             start=None, end=None, filtered=0)
    assert {p for _, p in v.placement().values()} == {"00-55", "55-AA", "AA-FF"}
    assert HashSpaceView(log, partitions=4).ranges()[1][0] == "40-80"
    with pytest.raises(ValueError, match="partitions must be 1..16 or 'lab', not 0"):
        HashSpaceView(log, partitions=0)


# -- a recorded run on the lab ------------------------------------------------

def _orders(c):
    c.create_table(TableName="Orders", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "c", "KeyType": "HASH"},
                              {"AttributeName": "o", "KeyType": "RANGE"}],
                   AttributeDefinitions=[{"AttributeName": "c", "AttributeType": "S"},
                                         {"AttributeName": "o", "AttributeType": "N"}],
                   StreamSpecification={"StreamEnabled": True,
                                        "StreamViewType": "NEW_AND_OLD_IMAGES"})


def _traffic(c, res):
    t = res.Table("Orders")
    with t.batch_writer() as b:
        for cust, n in (("A", 8), ("B", 3)):
            for o in range(1, n + 1):
                b.put_item(Item={"c": cust, "o": o, "total": o * 10, "note": "x" * 1500})
    from boto3.dynamodb.conditions import Attr, Key
    q = t.query(KeyConditionExpression=Key("c").eq("A") & Key("o").gt(2),
                FilterExpression=Attr("total").gt(40), Limit=4)
    assert (q["Count"], q["ScannedCount"]) == (2, 4)
    g = c.get_item(TableName="Orders", Key={"c": {"S": "A"}, "o": {"N": "1"}},
                   ConsistentRead=True)
    assert "ConsumedCapacity" in g           # the recorder asked for it
    with pytest.raises(c.exceptions.ResourceNotFoundException):
        c.get_item(TableName="Nope", Key={"c": {"S": "A"}})
    return q


def _check_views(calls, streams):
    trace = RequestTraceView(calls)
    rows = trace.rows()
    ops = [r["operation"] for r in rows]
    assert ops[:4] == ["CreateTable", "BatchWriteItem", "Query", "GetItem"]
    q = rows[2]
    assert (q["count"], q["scanned"], q["page_end"]) == (2, 4, "c=A, o=6")
    assert q["key"] == "c = A AND o > 2"
    assert rows[3]["consistent"] is True
    assert rows[4]["status"] == "ResourceNotFoundException"
    assert _marks(trace.svg(), "dl-call") == len(rows)
    coll = ItemCollectionsView(calls, table="Orders", call="Query")
    assert coll.marks()["A"] == ["known", "known", "filtered", "filtered", "read", "read",
                                 "known", "known"]
    assert coll.marks()["B"] == ["known"] * 3
    sv = StreamRecordsView(calls)
    if streams:
        assert sum(len(sv.records(s)) for s in sv.lanes()) == 11
        assert _marks(sv.svg(), "dl-rec") == 11
    hs = HashSpaceView(calls, table="Orders")
    assert set(hs.placement()) == {"A", "B"}
    return trace


def _read_stream(c, s):
    arn = c.describe_table(TableName="Orders")["Table"]["LatestStreamArn"]
    for sh in s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = s.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"],
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        s.get_records(ShardIterator=it)


def test_recorded_run_on_the_lab_shares_the_service_log_in_virtual_time():
    ddb = DynamoDB(seed=5)
    c, s, res = ddb.client(retries=0), ddb.streams_client(), ddb.resource()
    calls = record(c, s, res)
    assert calls.log is ddb.log and calls.endpoint == "lab"
    _orders(c)
    c.get_waiter("table_exists").wait(TableName="Orders", WaiterConfig={"Delay": 1})
    _traffic(c, res)
    _read_stream(c, s)
    trace = _check_views(calls, streams=True)
    # the lab's calls charge what DynamoDB charges: a 1.5 KB item, 2 WCU each; a strongly
    # consistent read of it, 1 RCU; the Query read 4 such items (6 KB, eventually): 1 RCU
    rows = trace.rows()
    assert rows[1]["wcu"] == 22.0 and rows[3]["rcu"] == 1.0 and rows[2]["rcu"] == 1.0
    # same seed, same recording
    ddb2 = DynamoDB(seed=5)
    c2, s2, res2 = ddb2.client(retries=0), ddb2.streams_client(), ddb2.resource()
    calls2 = record(c2, s2, res2)
    _orders(c2)
    c2.get_waiter("table_exists").wait(TableName="Orders", WaiterConfig={"Delay": 1})
    _traffic(c2, res2)
    _read_stream(c2, s2)
    mine = [e.to_json() for e in ddb.log if e.kind.startswith("client.")]
    theirs = [e.to_json() for e in ddb2.log if e.kind.startswith("client.")]
    assert mine == theirs
    assert RequestTraceView(calls2).svg() == trace.svg()
    # a timeline over the service's log scrubs the endpoint views too
    tl = Timeline(ddb, views=[trace])
    tl.seek(0)
    assert trace.rows() == []
    calls.detach()
    c.list_tables()
    assert len(calls.calls()) == len(calls2.calls())


def test_retries_and_throttles_are_recorded():
    ddb = DynamoDB(seed=2, capacity={"adaptive": False})
    c = ddb.client(retries=2)
    calls = record(c)
    c.create_table(TableName="Hot", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    c.get_waiter("table_exists").wait(TableName="Hot", WaiterConfig={"Delay": 1})
    throttled = 0
    for i in range(400):
        try:
            c.put_item(TableName="Hot", Item={"pk": {"S": "hot"}})
        except c.exceptions.ProvisionedThroughputExceededException:
            throttled += 1
            if throttled == 2:
                break
    rows = RequestTraceView(calls).rows()
    failed = [r for r in rows if r["status"] == "ProvisionedThroughputExceededException"]
    assert len(failed) == 2 and all(r["retries"] == 2 for r in failed)
    assert any(r["retries"] and r["status"] == "ok" for r in rows) or len(failed) == 2


def test_recorder_refuses_what_is_not_a_client():
    with pytest.raises(TypeError, match="record\\(\\) needs at least one"):
        record()
    with pytest.raises(TypeError, match="takes boto3 clients or resources, not int"):
        record(3)
    c = DynamoDB(seed=0).client()
    with pytest.raises(ValueError, match="record option 'capacity' is 'ALL'; expected 'INDEXES', 'TOTAL' or None"):
        record(c, capacity="ALL")
    plain = record(c, capacity=None)
    assert "ConsumedCapacity" not in c.list_tables()
    assert plain.calls()[-1].operation == "ListTables"


# -- the same run against moto's server: no lab internals --------------------

def test_views_draw_from_a_recorded_run_against_moto(moto_url):
    from dynamo_lab.dynamodb.wire.connect import connect, connect_resource, connect_streams
    c, s = connect(moto_url, retries=0), connect_streams(moto_url, retries=0)
    res = connect_resource(moto_url, retries=0)
    calls = record(c, s, res)
    assert calls.endpoint == moto_url and calls.log is not None
    _orders(c)
    c.get_waiter("table_exists").wait(TableName="Orders", WaiterConfig={"Delay": 1})
    _traffic(c, res)
    _read_stream(c, s)
    assert not [e for e in calls.log if not e.kind.startswith("client.")]   # no internals
    trace = _check_views(calls, streams=True)
    assert trace.state.calls[1]["wcu"] is not None   # moto reports consumed capacity too
    html = trace._repr_html_()
    assert "http" not in re.sub(r'xmlns="http://www.w3.org/2000/svg"', "", html)  # nothing fetched
    # the lessons' pictures draw from the same recording, without internals
    anatomy = ItemAnatomyView(calls, table="Orders")
    assert anatomy.state.role == "read" and anatomy.costs()["rcu_strong"] == 1
    group = ReplicaGroupView(calls, table="Orders")
    assert "replicas not visible" in repr(group)
    assert group.svg().count('data-part="read"') == 1                  # the consistent GetItem
    pats = AccessPatternsView(calls, table="Orders").patterns()
    assert [(p["operation"], len(p["items"])) for p in pats] == [("Query", 2), ("GetItem", 1)]


def test_item_anatomy_sizes_types_and_costs():
    log, t = _log()
    attrs = (("pk", "S", 3), ("blob", "B", 1500), ("tags", "SS", 12))
    log.emit("client.items", call=4, table="Images", index=None, role="written",
             keys=("pk", None), items=(("S", "a", None, None, 1515, attrs),),
             start=None, end=None, filtered=0)
    log.emit("client.items", call=5, table="Images", index=None, role="deleted",
             keys=("pk", None), items=(("S", "a", None, None, None, ()),),
             start=None, end=None, filtered=0)     # no sizes: the drawn item stays
    v = ItemAnatomyView(log)
    assert v.costs() == {"size": 1515, "wcu": 2, "rcu_strong": 1, "rcu_eventual": 0.5}
    svg = v.svg()
    assert svg.count('class="dl-attr"') == 3
    assert 'data-name="blob" data-type="B" data-bytes="1500"' in svg
    assert svg.count('class="dl-kb"') == 4                # a 4 KB ruler: 1 RCU
    assert repr(v) == ("<ItemAnatomyView 'Images': pk=a, 3 attributes, 1.5 KB: 2 WCU, 1 RCU "
                       "(0.5 eventually consistent)>")
    assert "no item yet" in repr(ItemAnatomyView(log, call=5))


def test_recorded_item_sizes_are_dynamodb_s():
    from dynamo_lab.dynamodb.model.size import item_size
    ddb = DynamoDB(seed=1)
    c = ddb.client(retries=0)
    calls = record(c)
    c.create_table(TableName="Images", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}])
    c.get_waiter("table_exists").wait(TableName="Images", WaiterConfig={"Delay": 1})
    item = {"id": {"N": "12345"}, "url": {"S": "https://example.com/ü.png"},
            "m": {"M": {"a": {"L": [{"N": "1.50"}, {"NULL": True}]}}}, "ok": {"BOOL": True},
            "ns": {"NS": ["1", "22"]}, "b": {"B": b"\x00\x01\x02"}}
    c.put_item(TableName="Images", Item=item)
    wire = c.get_item(TableName="Images", Key={"id": {"N": "12345"}})["Item"]
    v = ItemAnatomyView(calls)
    assert v.state.role == "read" and v.costs()["size"] == item_size(wire)
    assert {a[0]: a[1] for a in v.state.attrs} == {"id": "N", "url": "S", "m": "M",
                                                   "ok": "BOOL", "ns": "NS", "b": "B"}


def test_replica_group_draws_quorum_catch_up_stale_reads_and_failover():
    ddb = DynamoDB(seed=13, replication={"lag_ms": (100, 100)})
    c = ddb.client(retries=0)
    calls = record(c)
    c.create_table(TableName="Profiles", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "user", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "user", "AttributeType": "S"}])
    c.get_waiter("table_exists").wait(TableName="Profiles", WaiterConfig={"Delay": 1})
    key = {"user": {"S": "ada"}}
    c.put_item(TableName="Profiles", Item={**key, "city": {"S": "London"}})
    for _ in range(6):
        c.get_item(TableName="Profiles", Key=key)
    c.get_item(TableName="Profiles", Key=key, ConsistentRead=True)
    view = ReplicaGroupView(calls, table="Profiles", key="user=ada")
    stale = [e for e in ddb.log if e.kind == "replica.stale_read"]
    assert stale, "lag_ms (100, 100) and six reads: some land on the lagging replica"
    rows = view.rows()
    assert [r["kind"] for r in rows] == ["write"] + ["eventual"] * 6 + ["strong"]
    assert sum(r["stale"] is not None for r in rows) == len(stale)
    assert rows[0]["lagging"] == stale[0].replica         # the write's third replica
    svg = view.svg()
    assert svg.count('data-part="quorum"') == 1 and svg.count('data-part="catch-up"') == 1
    assert svg.count('data-part="stale"') == len(stale)
    assert svg.count('class="dl-zone-box"') == 3
    leader = ddb.partitions("Profiles")[0]["leader"]
    assert f'data-replica="{leader}" data-role="leader"' in svg
    ddb.crash_node(leader)
    ddb.run(ms=3000)                                        # failure detection, failover
    c.put_item(TableName="Profiles", Item={**key, "city": {"S": "Rome"}})
    svg = view.svg()
    assert f'data-replica="{leader}" data-role="down"' in svg
    assert view.state.leader != leader and "1 failover" in svg
    assert "is down: it catches up when it recovers" in svg
    # on a log without internals the calls still draw, on anonymous replicas
    bare = EventLog(strict=True)
    for e in ddb.log:
        if e.kind.startswith("client."):
            bare._append(e.t, e.kind, e.fields)
    anon = ReplicaGroupView(bare, table="Profiles")
    assert "replicas not visible" in repr(anon) and anon.svg().count('class="dl-zone-box"') == 3


def test_index_placement_lsi_beside_gsi_apart_lag_and_sparse():
    ddb = DynamoDB(seed=14, indexes={"gsi_lag_ms": (50, 80)})
    c = ddb.client(retries=0)
    calls = record(c)
    c.create_table(
        TableName="Threads", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "forum", "KeyType": "HASH"},
                   {"AttributeName": "subject", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("forum", "subject", "posted", "author")],
        LocalSecondaryIndexes=[{"IndexName": "ByDate", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                "KeySchema": [{"AttributeName": "forum", "KeyType": "HASH"},
                                              {"AttributeName": "posted", "KeyType": "RANGE"}]}],
        GlobalSecondaryIndexes=[{"IndexName": "ByAuthor",
                                 "Projection": {"ProjectionType": "KEYS_ONLY"},
                                 "KeySchema": [{"AttributeName": "author", "KeyType": "HASH"}]}])
    c.get_waiter("table_exists").wait(TableName="Threads", WaiterConfig={"Delay": 1})
    rows = [("S3", "intro", "03", "ann"), ("S3", "pricing", "01", "bob"), ("S3", "tips", "02", None)]
    for f, sub, p, a in rows:
        item = {"forum": {"S": f}, "subject": {"S": sub}, "posted": {"S": p}}
        if a:
            item["author"] = {"S": a}
        c.put_item(TableName="Threads", Item=item)
    ddb.run(ms=200)
    c.put_item(TableName="Threads", Item={"forum": {"S": "S3"}, "subject": {"S": "zz"},
                                          "posted": {"S": "07"}, "author": {"S": "bob"}})
    c.query(TableName="Threads", IndexName="ByDate", KeyConditionExpression="forum = :f",
            ExpressionAttributeValues={":f": {"S": "S3"}})
    got = c.scan(TableName="Threads", IndexName="ByAuthor")["Items"]
    assert {i["subject"]["S"] for i in got} == {"intro", "pricing"}   # zz: not yet
    view = IndexPlacementView(calls)
    assert view.marks() == {"S3": ["in", "in", "sparse", "pending"]}
    svg = view.svg()
    assert svg.count('class="dl-gsi"') == 2 and svg.count('class="dl-lsi"') == 4
    # the LSI strip holds the same items re-sorted by posted, in the collection's rows
    lsi = re.findall(r'data-tip="LSI entry posted=(\d+) → item (\w+)"', svg)
    assert lsi == [("01", "pricing"), ("02", "tips"), ("03", "intro"), ("07", "zz")]
    assert "lag ≤" in svg                                  # the lab's measured lag
    ddb.run(ms=200)
    c.scan(TableName="Threads", IndexName="ByAuthor")
    assert view.marks() == {"S3": ["in", "in", "sparse", "in"]}
    assert repr(view) == ("<IndexPlacementView 'Threads' GSI ByAuthor: 4 items, 3 in the GSI, "
                          "1 sparse, 0 not there yet>")


def test_lambda_batches_and_kcl_leases_from_real_consumers():
    from dynamo_lab.dynamodb.consumers.kcl import App
    from dynamo_lab.dynamodb.consumers.triggers import EventSourceMapping
    ddb = DynamoDB(seed=18)
    c, s = ddb.client(retries=0), ddb.streams_client()
    arn = c.create_table(
        TableName="Ballots", KeySchema=[{"AttributeName": "voter", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "voter", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 3000},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    c.get_waiter("table_exists").wait(TableName="Ballots", WaiterConfig={"Delay": 1})
    for i in range(30):
        item = {"voter": {"S": f"v{i}"}}
        if i != 7:
            item["candidate"] = {"S": "ann"}
        c.put_item(TableName="Ballots", Item=item)

    def strict(event, context):
        for r in event["Records"]:
            if "candidate" not in r["dynamodb"]["NewImage"]:
                raise ValueError("a vote for nobody")
    failed: list = []
    m = EventSourceMapping(strict, arn, streams_client=s, name="strict", batch_size=8,
                           starting_position="TRIM_HORIZON", bisect_batch_on_function_error=True,
                           maximum_retry_attempts=0, on_failure=failed)
    m.drain()
    m.disable()
    view = LambdaBatchesView(ddb)
    outs = view.outcomes()
    shards = [e.shard for e in ddb.log if e.kind == "shard.opened"]
    assert set(outs) <= set(shards) and len(outs) >= 2           # one lane per shard read
    flat = [o for lane in outs.values() for _, o in lane]
    assert "bisect" in flat and flat.count("discarded") == len(failed) == 1
    assert sum(n for lane in outs.values() for n, o in lane if o == "ok") == 29
    svg = view.svg()
    assert svg.count('class="dl-batch"') == len(flat)
    assert svg.count('data-outcome="discarded"') == 1 and ">on-failure<" in svg

    class Tally:
        def initialize(self, shard_id):
            pass

        def process_records(self, records, checkpointer):
            checkpointer.checkpoint()

        def shutdown(self, reason):
            pass
    app = App("tally", arn, Tally, client=c, streams_client=s)
    app.add_worker("w0")
    app.run(2)
    app.add_worker("w1")
    app.run(4)
    app.kill_worker("w0")
    ddb.run(ms=30_000)
    app.run(4)
    leases = KclLeasesView(ddb)
    held = leases.holders()
    assert set(held) == set(shards) and set(held.values()) == {"w1"}
    svg = leases.svg()
    assert svg.count('data-worker="w0"') >= 1 and svg.count('data-worker="w1"') >= 1
    acts = re.findall(r'data-action="(\w+)"', svg)
    assert acts.count("taken") + acts.count("stolen") >= len(shards) + 1
    assert "expired" in acts or "stolen" in acts
    assert svg.count('class="dl-checkpoint"') == sum(
        1 for e in ddb.log if e.kind == "kcl.checkpoint")


def test_access_patterns_single_table_beside_the_joins():
    import sqlite3

    from boto3.dynamodb.conditions import Key

    from dynamo_lab.viz.ddb.patterns import schema_of
    ddb = DynamoDB(seed=20)
    c, res = ddb.client(retries=0), ddb.resource()
    calls = record(c, res)
    c.create_table(TableName="Shop", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                              {"AttributeName": "SK", "KeyType": "RANGE"}],
                   AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                                         for n in ("PK", "SK", "G")],
                   GlobalSecondaryIndexes=[{"IndexName": "ByProduct",
                                            "KeySchema": [{"AttributeName": "G",
                                                           "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "ALL"}}])
    c.get_waiter("table_exists").wait(TableName="Shop", WaiterConfig={"Delay": 1})
    shop = res.Table("Shop")
    with shop.batch_writer() as b:
        for item in ({"PK": "CUST#1", "SK": "CART#mug"}, {"PK": "CUST#1", "SK": "CART#pen"},
                     {"PK": "CUST#1", "SK": "ORDER#01", "G": "mug"},
                     {"PK": "CUST#2", "SK": "ORDER#02", "G": "mug"}, {"PK": "PROD#mug", "SK": "META"}):
            b.put_item(Item=item)
    shop.query(KeyConditionExpression=Key("PK").eq("CUST#1") & Key("SK").begins_with("CART#"))
    ddb.run(ms=1000)
    shop.query(IndexName="ByProduct", KeyConditionExpression=Key("G").eq("mug"))
    db = sqlite3.connect(":memory:")
    db.executescript("CREATE TABLE cart_lines (customer_id, product_id, qty);"
                     "CREATE TABLE products (id, price); CREATE TABLE orders (id, customer_id);"
                     "CREATE TABLE order_lines (order_id, product_id)")
    assert schema_of(db)["orders"] == ("id", "customer_id")
    view = AccessPatternsView(calls, table="Shop", schema=db, sql={
        1: "SELECT * FROM cart_lines c JOIN products p ON p.id = c.product_id",
        2: "SELECT o.id FROM order_lines l JOIN orders o ON o.id = l.order_id"})
    pats = view.patterns()
    assert [(p["operation"], p["index"], len(p["items"])) for p in pats] == [
        ("Query", None, 2), ("Query", "ByProduct", 2)]
    assert pats[1]["items"] == [("CUST#1", "ORDER#01"), ("CUST#2", "ORDER#02")]
    assert [p["joins"] for p in pats] == [["cart_lines", "products"], ["order_lines", "orders"]]
    svg = view.svg()
    assert svg.count('class="dl-item"') == 5 and svg.count('class="dl-rel"') == 4
    assert svg.count('class="dl-join"') == 2
    read = re.findall(r'data-pk="([^"]+)" data-sk="([^"]+)" data-patterns="(\d+)"', svg)
    assert {(pk, sk) for pk, sk, _ in read} == {("CUST#1", "CART#mug"), ("CUST#1", "CART#pen"),
                                                ("CUST#1", "ORDER#01"), ("CUST#2", "ORDER#02")}


def test_every_view_is_deterministic_and_fetches_nothing():
    """The JupyterLab notebook's run, twice in fresh namespaces: byte-identical
    text and HTML, and no URL a browser would fetch (no src, href, url(), @import)."""
    import test_viz_endpoint_browser as nb

    def run() -> list:
        g: dict = {}
        exec(nb.SETUP, g)
        exec(nb.LESSONS, g)
        return [(repr(v), v._repr_html_()) for v in (eval(src, g) for src, *_ in nb.VIEWS)]
    first, second = run(), run()
    assert first == second
    for text, html in first:
        assert "0x" not in text                          # no memory addresses
        assert not re.search(r"\b(src|href)=|url\(|@import", html), text
        assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', ""), text


def test_replica_group_keeps_the_last_write_in_view():
    log, t = _log()
    log.emit("partition.created", table="P", index=None, partition="p0", start=0,
             end=2 ** 128, parent=None, rcu=0.0, wcu=0.0, replicas=("a", "b", "c"),
             zones=("az-a", "az-b", "az-c"), leader="b")
    _call(log, 1, "PutItem", table="P", wcu=1.0, key="k=1")
    for n in range(2, 30):
        if n == 3:
            log.emit("replica.stale_read", table="P", partition="p0", replica="a", behind=1)
        _call(log, n, "GetItem", table="P", rcu=0.5, count=1, key="k=1")
    v = ReplicaGroupView(log, rows=8)
    svg = v.svg()
    assert 'data-call="1" data-part="request"' in svg            # the write stays in view
    assert 'data-part="stale"' in svg and "… reads in between" in svg
    assert 'data-call="29"' in svg and 'data-call="10"' not in svg
    assert v.rows()[0]["lagging"] == "a"


def test_stream_records_follow_a_real_split_through_describe_stream():
    ddb = DynamoDB(seed=17)
    c, s = ddb.client(retries=0), ddb.streams_client()
    calls = record(c, s)
    c.create_table(TableName="Voters", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    c.get_waiter("table_exists").wait(TableName="Voters", WaiterConfig={"Delay": 1})
    for i in range(4):
        c.put_item(TableName="Voters", Item={"pk": {"S": f"a{i}"}})
    ddb.split_partition("Voters", "p0")
    for i in range(6):
        c.put_item(TableName="Voters", Item={"pk": {"S": f"b{i}"}})
    _read_all(c, s, "Voters")
    view = StreamRecordsView(calls)
    lanes = view.lanes()
    shards = view.state.shards
    assert len(lanes) == 3 and shards[lanes[0]][0] is None                # the parent first
    assert {shards[x][0] for x in lanes[1:]} == {lanes[0]}                  # then its children
    assert sum(len(view.records(x)) for x in lanes) == 10
    assert len(view.records(lanes[0])) == 4
    svg = view.svg()
    assert svg.count('data-state="closed"') == 1 and svg.count('class="dl-lineage"') == 2
    assert svg.count('data-event="INSERT"') == 10


def _read_all(c, s, table):
    arn = c.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    for sh in s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = s.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"],
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            got = s.get_records(ShardIterator=it)
            it = got.get("NextShardIterator") if got["Records"] else None


def test_recording_a_client_again_replaces_the_first_recorder():
    ddb = DynamoDB(seed=0)
    c = ddb.client()
    first = record(c)
    c.list_tables()
    second = record(c)                   # a re-run cell: one recorder per client
    c.list_tables()
    calls = [e for e in ddb.log if e.kind == "client.call"]
    assert [e.call for e in calls] == [1, 1]
    assert len(first.calls()) == 2 and first._clients == [] and second._clients == [c]
    second.detach()
    c.list_tables()
    assert len([e for e in ddb.log if e.kind == "client.call"]) == 2


def test_a_call_that_never_reached_the_endpoint_is_recorded_with_its_error():
    import socket

    from botocore.config import Config
    from botocore.exceptions import EndpointConnectionError

    from dynamo_lab.dynamodb.wire.connect import connect
    with socket.socket() as sock:           # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    c = connect(f"http://127.0.0.1:{port}", retries=0,
                config=Config(connect_timeout=1, read_timeout=1))
    calls = record(c)
    with pytest.raises(EndpointConnectionError):
        c.list_tables()
    row, = RequestTraceView(calls).rows()
    assert (row["operation"], row["status"]) == ("ListTables", "EndpointConnectionError")
    assert "ConnectionError" in RequestTraceView(calls).svg()


def test_a_response_the_recorder_cannot_read_never_breaks_the_call():
    c = DynamoDB(seed=0).client()
    calls = record(c)

    def odd(parsed, **_):                    # an endpoint's surprise, before the recorder reads it
        parsed["ConsumedCapacity"] = "lots"
    c.meta.events.register_first("after-call.dynamodb.ListTables", odd)
    assert c.list_tables()["TableNames"] == []
    assert len(calls.errors) == 1 and calls.errors[0].startswith("ListTables: AttributeError")
    c.describe_limits()                      # the next call records as usual
    assert calls.calls()[-1].operation == "DescribeLimits"


# -- layout: what a learner reads is whole and clear of the marks (issue 10) ----

def _texts(scene: dict) -> dict:
    """``{id: (x0, x1, y, text)}`` of a scene's texts, widths estimated
    generously (0.66 em a character, 0.72 bold: DejaVu Sans in Chromium) from each one's anchor."""
    out = {}
    for tag, ident, a, text in scene["items"]:
        if tag != "text":
            continue
        size = a.get("font-size", 12)
        w = len(text) * size * (0.72 if a.get("font-weight") == 600 else 0.66)
        x = a["x"] - {"middle": w / 2, "end": w}.get(a.get("text-anchor"), 0)
        out[ident] = (x, x + w, a["y"], text)
    return out


def _rects(scene: dict, cls: str) -> list:
    return [(a["x"], a["x"] + a["width"], a["y"], a["y"] + a["height"])
            for tag, _, a, _ in scene["items"] if tag == "rect" and a.get("class") == cls]


def test_trace_writes_error_codes_whole_numbers_apart_and_a_footer_that_fits():
    log, t = _log()
    for n in (1, 9999):
        _call(log, n, "PutItem", status="ProvisionedThroughputExceededException")
    _call(log, 10000, "PutItem", status="ItemCollectionSizeLimitExceededException")
    v = RequestTraceView(log)
    scene = v.scene()
    texts = _texts(scene)
    codes = [texts[f"s:{n}"][3] for n in (1, 9999, 10000)]
    assert codes == ["ProvisionedThroughputExceeded"] * 2 + ["ItemCollectionSizeLimitExceeded"]
    for n in (9999, 10000):                     # the call number ends before t (ms) starts
        assert texts[f"n:{n}"][1] < texts[f"t:{n}"][0]
    assert all(x1 <= scene["w"] for x0, x1, _, _ in texts.values()), texts
    assert "returned of" not in v.svg()         # no call was filtered: no '3 of 9' note
    _call(log, 10002, "Query", key="customer = Customer#1 AND order > Order#0003")
    texts = _texts(RequestTraceView(log).scene())
    assert texts["key:10002"][1] < texts["u:10002"][0]      # the key ends before the units
    _call(log, 10001, "Query", rcu=1.5, count=3, scanned=9)
    scene = RequestTraceView(log).scene()
    texts = _texts(scene)
    footer = [tx for k, tx in texts.items() if k.startswith("cap")]
    assert [tx[3] for tx in footer][1] == ("'3 of 9': 3 returned of 9 read, the rest "
                                            "filtered out and still charged")
    assert all(x1 <= scene["w"] and y < scene["h"] for _, x1, y, _ in footer)


def test_patterns_title_counts_scans_and_patterns_picks_the_coloured_reads():
    log, t = _log()
    items = tuple(("S", f"CUST#C{i}", "S", "CART#lampshade", 20, ()) for i in range(8))
    log.emit("client.items", call=1, table="Shop", index=None, role="written",
             keys=("PK", "SK"), items=items, start=None, end=None, filtered=0)
    for i in range(8):
        op = "Scan" if i == 7 else "Query"
        _call(log, 10 + i, op, table="Shop", rcu=0.5, count=1, scanned=1, key=f"PK = C{i}")
        log.emit("client.items", call=10 + i, table="Shop", index=None, role="read",
                 keys=("PK", "SK"), items=(items[i],), start=None, end=None, filtered=0)
    every = AccessPatternsView(log, table="Shop")
    texts = _texts(every.scene())
    assert texts["title"][3].endswith("6 access patterns, each a key lookup")
    assert texts["more"][3].startswith("2 other reads not coloured (#16, #17)")
    assert every.svg().count('data-patterns="1') == 6
    picked = AccessPatternsView(log, table="Shop", patterns=[11, 8])   # a call, a position
    scene = picked.scene()
    assert re.findall(r'data-patterns="(\d+)"', picked.svg()) == ["11", "17"]
    assert _texts(scene)["title"][3].endswith("2 access patterns: 1 by key, 1 Scan")
    labels = [tx for k, tx in _texts(scene).items() if k.startswith("il:")]
    assert {tx[3] for tx in labels} == {"CART#lamps…"}
    cells = _rects(scene, "dl-item")
    for x0, x1, _, _ in labels:                          # each label inside its cell
        assert any(c0 <= x0 and x1 <= c1 for c0, c1, _, _ in cells)
    assert 'fill="#fff" pointer-events="none" style="font-size:8.5px;fill:#fff"' in picked.svg()
    sql = AccessPatternsView(log, table="Shop", sql={1: "SELECT 1 FROM a JOIN b",
                                                     12: "SELECT 1 FROM c"})
    assert [(p["call"], p["joins"]) for p in sql.patterns() if p["sql"]] == [
        (10, ["a", "b"]), (12, ["c"])]                   # position 1, call 12: no other
    assert [p["call"] for p in sql.shown()] == [10, 12]
    keys = [tx for k, tx in _texts(scene).items() if k.startswith("pk:")]
    assert {tx[3] for tx in keys} == {f"CUST#C{i}" for i in range(8)}
    assert all(x1 < min(c0 for c0, _, _, _ in cells) for _, x1, _, _ in keys)


def test_lesson_views_keep_labels_clear_of_marks():
    """Lessons 13, 14 and 18's pictures (the browser test's notebook): the
    call labels end before the arrows, the GSI's lag label sits between the
    panels, the batches' legend is whole inside the width."""
    import test_viz_endpoint_browser as nb
    g: dict = {}
    exec(nb.SETUP, g)
    exec(nb.LESSONS, g)
    group = ReplicaGroupView(g["calls13"], table="Profiles").scene()
    texts = _texts(group)
    arrows = [a for tag, _, a, _ in group["items"] if a.get("class") == "dl-msg"]
    start = min(float(re.match(r"M([\d.]+)", a["d"]).group(1)) for a in arrows)
    labels = [tx for k, tx in texts.items() if k.startswith("cl:")]
    assert labels and all(x1 < start for _, x1, _, _ in labels)
    # a long label is as long as a learner's UpdateItem: still clear
    assert len("#8 UpdateItem user=ada") * 10 * 0.66 + 8 < start
    c14 = g["c14"]
    for sub in ("a1", "a2", "a3", "a4"):         # Customer#2's row in lesson 14 was as long
        c14.put_item(TableName="Threads", Item={"forum": {"S": "S3"}, "subject": {"S": sub},
                                                "posted": {"S": "0" + sub[1]}})
    c14.query(TableName="Threads", IndexName="ByDate", KeyConditionExpression="forum = :f",
              ExpressionAttributeValues={":f": {"S": "S3"}})
    places = IndexPlacementView(g["calls14"]).scene()
    texts = _texts(places)
    x0, x1, y, _ = texts["feed-lag"]
    for cls in ("dl-item", "dl-lsi", "dl-gsi"):
        for r0, r1, _, _ in _rects(places, cls):
            assert x1 < r0 or r1 < x0, (cls, r0, r1, texts["feed-lag"])
    batches = LambdaBatchesView(g["mapping"]).scene()
    legend = sorted((tx for k, tx in _texts(batches).items() if k.startswith("lgt:")),
                    key=lambda tx: (tx[2], tx[0]))
    assert [tx[3] for tx in legend][-1] == "given up: on-failure record"
    assert all(x1 <= batches["w"] for _, x1, _, _ in legend)
    assert all(a[1] < b[0] or a[2] != b[2] for a, b in zip(legend, legend[1:]))
