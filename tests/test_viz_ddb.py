"""Views of DynamoDB's machinery: reducers over the service's events only,
rebuilt by replay, deterministic, and telling what the engine did."""
from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from dynamo_lab import DynamoDB, EventLog
from dynamo_lab.dynamodb.service import state_of
from dynamo_lab.viz import CapacityView, GsiLagView, PartitionMapView, ShardLineageView, Timeline

KS = [{"AttributeName": "pk", "KeyType": "HASH"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}]

VIEWS = {
    "partitions": lambda src: PartitionMapView(src, table="Music", live=False),
    "capacity": lambda src: CapacityView(src, table="Music"),
    "lineage": lambda src: ShardLineageView(src, table="Music", live=False),
    "gsi": lambda src: GsiLagView(src, table="Music", index="byG"),
    "gsi_partitions": lambda src: PartitionMapView(src, table="Music", index="byG", live=False),
    "gsi_capacity": lambda src: CapacityView(src, table="Music", index="byG"),
}


def _table(ddb, name, rcu, wcu, **kw):
    c = ddb.client(retries=0)
    c.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=kw.pop("AttributeDefinitions", AD),
                   ProvisionedThroughput={"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu},
                   **kw)
    c.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    return c


def _put(c, name, key, size=300):
    try:
        c.put_item(TableName=name, Item={"pk": {"S": key}, "g": {"S": key[-1]},
                                         "d": {"S": "x" * size}})
        return True
    except ClientError as e:
        assert e.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
        return False


def busy_ddb(seed: int = 3) -> DynamoDB:
    """A seeded workload with splits for size, throttles, a stream, updates
    and deletes, and a hot key at the end."""
    ddb = DynamoDB(seed=seed, partition_size_limit=16 * 1024,
                   capacity={"adaptive": False, "initial_burst_seconds": 1},
                   indexes={"gsi_lag_ms": (5, 60)})
    c = _table(ddb, "Music", 40, 40,
               StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
               AttributeDefinitions=AD + [{"AttributeName": "g", "AttributeType": "S"}],
               GlobalSecondaryIndexes=[{
                   "IndexName": "byG", "Projection": {"ProjectionType": "KEYS_ONLY"},
                   "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                   "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 30}}])
    ddb.sim.note("created")
    for i in range(240):
        _put(c, "Music", f"k{i}")
        if i % 80 == 79:
            ddb.run(ms=1000)
    ddb.sim.note("filled")
    for i in range(0, 40, 4):
        try:
            c.delete_item(TableName="Music", Key={"pk": {"S": f"k{i}"}})
            c.update_item(TableName="Music", Key={"pk": {"S": f"k{i + 1}"}},
                          UpdateExpression="SET d = :v",
                          ExpressionAttributeValues={":v": {"S": "y" * 900}})
        except ClientError:
            pass
    ddb.run(ms=2000)
    ddb.sim.note("hot")
    for _ in range(120):
        _put(c, "Music", "hot", size=10)
    ddb.run(ms=1500)
    return ddb


@pytest.fixture(scope="module")
def run() -> DynamoDB:
    return busy_ddb()


def cut(log: EventLog, t: int) -> EventLog:
    return EventLog.loads("".join(e.to_json() + "\n" for e in log.until(t)))


# -- every view ----------------------------------------------------------------

def test_the_workload_splits_throttles_and_streams(run):
    kinds = run.log.kinds()
    assert kinds.get("partition.split", 0) >= 2
    assert kinds.get("capacity.throttled", 0) >= 2
    assert kinds.get("stream.record", 0) > 100 and kinds.get("shard.closed", 0) >= 2
    assert kinds.get("gsi.applied", 0) > 100
    assert any(e.index == "byG" for e in run.log.of_kind("capacity.throttled"))


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_live_view_equals_view_of_saved_and_loaded_log(name, run, tmp_path):
    live = VIEWS[name](run.sim)
    path = tmp_path / "run.jsonl"
    run.log.save(path)
    loaded = VIEWS[name](EventLog.load(path))
    assert repr(loaded) == repr(live)
    assert loaded.svg() == live.svg()
    assert loaded._repr_html_() == live._repr_html_()


def test_attached_before_the_run_equals_attached_after():
    ddb = DynamoDB(seed=4, partition_size_limit=8 * 1024)
    early = [make(ddb) for make in VIEWS.values()]
    c = _table(ddb, "Music", 20, 20)
    for i in range(60):
        _put(c, "Music", f"a{i}")
    ddb.run(ms=1000)
    late = [make(ddb) for make in VIEWS.values()]
    for a, b in zip(early, late):
        assert repr(a) == repr(b) and a.svg() == b.svg()


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_rebuild_at_t_matches_a_log_cut_at_t(name, run):
    view = VIEWS[name](run)
    end = run.log[-1].t
    for t in (0, 600, 1500, 3000, end // 2, end):
        at = view.render(view.state_at(t=t))
        assert at == VIEWS[name](cut(run.log, t)).scene(), (name, t)


def test_same_seed_same_text_and_html():
    a, b = busy_ddb(5), busy_ddb(5)
    for name, make in VIEWS.items():
        va, vb = make(a), make(b)
        ba, bb = va._repr_mimebundle_(), vb._repr_mimebundle_()
        assert ba == bb, name
        assert {"text/plain", "text/html"} <= set(ba)


# -- PartitionMapView -------------------------------------------------------

def test_partition_map_matches_the_engine(run):
    view = PartitionMapView(run, table="Music")
    mine = view.partitions()
    real = run.partitions("Music")
    keys = ("id", "start", "end", "rcu", "wcu", "items", "bytes", "replicas", "zones", "leader")
    assert [{k: p[k] for k in keys} for p in mine] == [{k: p[k] for k in keys} for p in real]
    assert len(mine) >= 3
    # a GSI has partitions of its own; no event tells what it holds
    ix = PartitionMapView(run, table="Music", index="byG").partitions()
    keys_ix = ("id", "start", "end", "rcu", "wcu", "leader")
    assert [{k: p[k] for k in keys_ix} for p in ix] == \
        [{k: p[k] for k in keys_ix} for p in run.partitions("Music", index="byG")]
    assert {p["items"] for p in ix} == {None}
    assert repr(view) == (f"<PartitionMapView 'Music': {len(real)} partitions, "
                          f"{len(view.splits())} splits (size), "
                          f"{sum(p['items'] for p in real)} items, "
                          f"{view._title(view.state, mine).split(' items, ')[1].split(' ·')[0]}>")


def test_partition_map_static_svg_draws_every_partition_and_replica(run):
    view = PartitionMapView(run, table="Music")
    svg = view.svg()
    html = view._repr_html_()
    assert svg.startswith("<svg") and html.startswith('<div class="dl-view dl-partitions">')
    members = [it[2] for it in view.scene()["items"]
               if it[2].get("class", "").startswith("dl-member")]
    assert svg.count('class="dl-part"') == len(run.partitions("Music"))
    for p in run.partitions("Music"):
        assert f'data-partition="{p["id"]}"' in svg
        assert f'data-items="{p["items"]}"' in svg
        # three replicas in three zones, the leader marked
        mine = [m for m in members if m["data-partition"] == p["id"]]
        assert sorted((m["data-zone"], m["data-node"]) for m in mine) == \
            sorted(zip(p["zones"], p["replicas"]))
        assert [m["data-node"] for m in mine if "dl-leader" in m["class"]] == [p["leader"]]
    # hover text: the <title> of each partition
    first = run.partitions("Music")[0]
    assert f"<title>{first['id']} [00, " in svg
    assert f"{first['items']} items" in svg and "WCU (" in svg
    # a split parent is gone from the drawing
    parent = view.splits()[0][1]
    assert f'data-partition="{parent}"' not in svg


def test_a_split_keeps_the_left_child_on_the_parent_s_element():
    ddb = DynamoDB(seed=1)
    c = _table(ddb, "Music", 10, 10)
    view = PartitionMapView(ddb, table="Music")
    before = {it[1]: it[2] for it in view.scene()["items"] if it[2].get("class") == "dl-part"}
    assert [a["data-partition"] for a in before.values()] == ["p0"]
    ddb.split_partition("Music", "p0")
    after = {it[1]: it[2] for it in view.scene()["items"] if it[2].get("class") == "dl-part"}
    (ident,) = before
    assert after[ident]["data-partition"] == "p1"            # same element, narrower
    assert after[ident]["width"] < before[ident]["width"]
    assert [a["data-partition"] for a in after.values()] == ["p1", "p2"]
    assert repr(view) == "<PartitionMapView 'Music': 2 partitions, 1 split (heat), 0 items, 0 B>"
    assert c is not None


def test_timeline_scrub_to_an_earlier_moment_shows_fewer_partitions(run):
    views = [make(run) for make in VIEWS.values()]
    pm = views[0]
    live = [v.svg() for v in views]
    tl = Timeline(run, views=views)
    now = len(pm.partitions())
    first_split = run.log.of_kind("partition.split")[0].t
    tl.seek(t=first_split - 1)
    assert len(pm.partitions()) == 1 < now
    assert pm.svg().count('class="dl-part"') == 1
    assert repr(pm).endswith(f", at event {pm.at} of {len(run.log)}>")
    for name, v in zip(VIEWS, views):
        assert v.svg() == VIEWS[name](cut(run.log, first_split - 1)).svg()
    tl.seek()
    assert [v.svg() for v in views] == live and all(v.at is None for v in views)


def test_partition_map_follows_live_with_batched_widget_updates():
    ddb = DynamoDB(seed=2, partition_size_limit=8 * 1024)
    c = _table(ddb, "Music", 100, 100)
    view = PartitionMapView(ddb)
    w = view.widget()
    before = w.scene
    for i in range(60):
        _put(c, "Music", f"a{i}")
    assert w.scene == before and view._batcher.dirty
    view.flush()
    assert view.syncs == 1 and w.scene != before
    assert w.scene == json.dumps(view.scene(), separators=(",", ":"), ensure_ascii=False)
    bundle = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("<PartitionMapView 'Music': ")
    view.close()
    _put(c, "Music", "after-close")
    assert not view._batcher.dirty and sum(p["items"] for p in view.partitions()) == 60


def test_a_table_with_no_events_yet_and_a_deleted_table():
    ddb = DynamoDB(seed=1)
    pm, cv = PartitionMapView(ddb), CapacityView(ddb)
    assert repr(pm) == "<PartitionMapView no table yet: 0 partitions, 0 items, 0 B>"
    assert repr(cv) == "<CapacityView no table yet write: 0 partitions over 0 s; no throttles>"
    assert pm.svg().startswith("<svg") and cv.svg().startswith("<svg")
    c = _table(ddb, "Gone", 5, 5)
    _put(c, "Gone", "a")
    c.delete_table(TableName="Gone")
    ddb.run(ms=1000)
    assert repr(pm) == "<PartitionMapView 'Gone': 0 partitions, 0 items, 0 B>"


# -- CapacityView ------------------------------------------------------------

def test_hot_key_shows_one_partition_throttled_while_the_others_idle():
    ddb = DynamoDB(seed=0, capacity={"adaptive": False, "initial_burst_seconds": 1})
    c = _table(ddb, "Hot", 40, 40)
    ddb.split_partition("Hot", "p0")
    ddb.split_partition("Hot", "p1")
    ddb.split_partition("Hot", "p2")              # four partitions of 10 WCU
    view = CapacityView(ddb, table="Hot")
    served = sum(_put(c, "Hot", "hot", size=10) for _ in range(400))
    ddb.run(ms=1000)
    h = state_of(ddb).tables["Hot"].schema.storage_key({"pk": {"S": "hot"}})[0]
    home = ddb.partition_map("Hot").locate(h).id
    thr = view.throttled()
    assert list(thr) == [home] and thr[home] == 400 - served
    assert sorted(view.idle()) == sorted(p["id"] for p in ddb.partitions("Hot") if p["id"] != home)
    assert sum(u for _, u in view.consumed(home)) == served
    assert view.share_at(home, ddb.sim.now) == 10.0
    svg = view.svg()
    assert svg.count('class="dl-row-box dl-hot"') == 1
    assert re.search(f'class="dl-row-box dl-hot" [^>]*data-partition="{home}"', svg)
    assert svg.count('class="dl-throttle"') == 1
    # the hot partition's bucket was spent (refilling at 10 a second since); the
    # idle ones never served anything
    (tokens,) = [float(x) for x in re.findall(r'data-tokens="([^"]*)"', svg)]
    assert 0 <= tokens < 10
    fig = view.figure()
    names = [tr.name for tr in fig.data]
    assert f"{home} throttled" in names and sum(n.endswith(" throttled") for n in names) == 1
    assert fig.to_json() == CapacityView(ddb, table="Hot").figure().to_json()


def test_capacity_shows_the_share_changing_with_update_table():
    ddb = DynamoDB(seed=0)
    c = _table(ddb, "Grow", 10, 10)
    view = CapacityView(ddb, table="Grow", op="write")
    t0 = ddb.sim.now
    c.update_table(TableName="Grow",
                   ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 30})
    assert view.share_at("p0", t0) == 10.0 and view.share_at("p0", ddb.sim.now) == 30.0
    with pytest.raises(ValueError):
        CapacityView(ddb, op="scan")


# -- leaders -------------------------------------------------------------------

def test_leader_failover_moves_the_leader_mark_and_greys_the_crashed_node():
    from dynamo_lab.viz import PartitionMapView as PMV  # the lazy re-export
    ddb = DynamoDB(seed=1)
    _table(ddb, "Music", 10, 10)
    view = PMV(ddb, table="Music")
    old = ddb.partitions("Music")[0]["leader"]
    ddb.crash_node(old)
    ddb.run(ms=3000)
    new = ddb.partitions("Music")[0]["leader"]
    assert new != old
    assert view.partitions()[0]["leader"] == new
    ((t, pid, prev, lead, reason),) = view.leader_changes()
    assert (pid, prev, lead, reason) == ("p0", old, new, "failover")
    assert f"<title>{new} (" in view.svg()
    items = {it[2].get("data-node"): it[2] for it in view.scene()["items"]
             if it[2].get("class", "").startswith("dl-member")}
    assert items[new]["class"] == "dl-member dl-leader"
    assert items[old]["class"] == "dl-member dl-down"
    assert repr(view).endswith(", 1 leader change>")
    ddb.recover_node(old)
    assert "dl-down" not in view.svg()


# -- streams and their consumers ---------------------------------------------

def stream_run(seed: int = 7):
    """A stream read by a KCL app (two workers) and by an event source
    mapping, across partition splits."""
    from dynamo_lab.dynamodb.consumers.kcl import App
    from dynamo_lab.dynamodb.consumers.triggers import EventSourceMapping
    ddb = DynamoDB(seed=seed, partition_size_limit=6 * 1024)
    c = _table(ddb, "Music", 500, 500,
               StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    arn = c.describe_table(TableName="Music")["Table"]["LatestStreamArn"]
    done: list = []

    class Tally:
        def initialize(self, shard_id):
            pass

        def process_records(self, records, checkpointer):
            done.extend(r["dynamodb"]["SequenceNumber"] for r in records)
            checkpointer.checkpoint()

        def shutdown(self, reason):
            pass
    app = App("tally", arn, Tally, client=c, streams_client=ddb.streams_client())
    app.add_worker("w1")
    app.add_worker("w2")
    seen: list = []
    mapping = EventSourceMapping(lambda event: seen.extend(event["Records"]), arn,
                                 streams_client=ddb.streams_client(),
                                 starting_position="TRIM_HORIZON", name="audit", batch_size=25)
    for i in range(70):
        _put(c, "Music", f"k{i}")
        if i == 30:
            app.run(2)
    app.run(8)
    ddb.run(ms=3000)
    return ddb, app, mapping, done, seen


@pytest.fixture(scope="module")
def streamed():
    return stream_run()


def test_shard_lineage_is_the_stream_s_own(streamed):
    from dynamo_lab.viz import ShardLineageView
    ddb, app, mapping, done, seen = streamed
    view = ShardLineageView(ddb, table="Music")
    arn = ddb.client().describe_table(TableName="Music")["Table"]["LatestStreamArn"]
    desc = ddb.streams_client().describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    mine = view.shards()
    assert sorted(mine) == sorted(s["ShardId"] for s in desc)
    assert {k: v["parent"] for k, v in mine.items()} == \
        {s["ShardId"]: s.get("ParentShardId") for s in desc}
    closed = {s["ShardId"] for s in desc if "EndingSequenceNumber" in s["SequenceNumberRange"]}
    assert {k for k, v in mine.items() if v["closed"] is not None} == closed and closed
    assert sum(v["records"] for v in mine.values()) == len(ddb.log.of_kind("stream.record"))
    gens = view.generations()
    assert len(gens) >= 2 and len(gens[0]) == 1
    svg = view.svg()
    for k in mine:
        assert f'data-shard="{k}"' in svg
    assert svg.count('class="dl-lineage"') == sum(1 for v in mine.values() if v["parent"])


def test_shard_lineage_shows_each_consumer_s_share(streamed):
    from dynamo_lab.viz import ShardLineageView
    ddb, app, mapping, done, seen = streamed
    view = ShardLineageView(ddb, table="Music")
    total = len(ddb.log.of_kind("stream.record"))
    cons = view.consumers()
    assert set(cons) == {"app tally", "mapping audit"}
    # every record processed once by the KCL app, and delivered once by the mapping
    assert sum(r["records"] for r in cons["app tally"].values()) == len(done) == total
    assert sum(r["records"] for r in cons["mapping audit"].values()) == len(seen) == total
    # who holds each lease, as the lease table says
    owners = {d["leaseKey"]: d["leaseOwner"] for d in app.leases()}
    assert {k: r["worker"] for k, r in cons["app tally"].items()} == owners
    assert {r["last"] for r in cons["app tally"].values()} == {"w1", "w2"}
    text = repr(view)
    assert text.startswith(f"<ShardLineageView 'Music': {len(view.shards())} shards (")
    assert "app tally: 2 workers, " in text and f"mapping audit: {total} records in " in text
    svg = view.svg()
    assert svg.count('class="dl-consumer"') == 3           # two workers, one mapping
    assert 'data-consumer="app tally" data-worker="w2"' in svg
    assert 'data-consumer="app tally" data-records=' in svg


def test_a_table_with_no_stream_draws_an_empty_lineage(run):
    from dynamo_lab.viz import GsiLagView, ShardLineageView
    ddb = DynamoDB(seed=1)
    _table(ddb, "Plain", 5, 5)
    view = ShardLineageView(ddb)
    assert repr(view) == "<ShardLineageView 'Plain': 0 shards (0 open), 0 records>"
    assert "no stream shards" in view.svg()
    gsi = GsiLagView(ddb)
    assert repr(gsi) == ("<GsiLagView 'Plain'.(no GSI yet): 0 changes applied, lag median 0 ms, "
                         "max 0 ms; queue peak 0; no throttles>")
    assert gsi.svg().startswith("<svg") and gsi.figure() is not None


# -- GSI lag -------------------------------------------------------------------

def test_gsi_lag_and_back_pressure_from_the_engine():
    from dynamo_lab.dynamodb.tables.propagation import lag
    from dynamo_lab.viz import GsiLagView
    ddb = DynamoDB(seed=0, indexes={"gsi_lag_ms": (10, 120)},
                   capacity={"initial_burst_seconds": 1})   # a new table starts with one second of burst, so throttling shows at once
    c = ddb.client(retries=0)
    c.create_table(TableName="Back", KeySchema=KS,
                   AttributeDefinitions=AD + [{"AttributeName": "g", "AttributeType": "S"}],
                   ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 100},
                   GlobalSecondaryIndexes=[{
                       "IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
                       "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                       "ProvisionedThroughput": {"ReadCapacityUnits": 5,
                                                 "WriteCapacityUnits": 5}}])
    c.get_waiter("table_exists").wait(TableName="Back", WaiterConfig={"Delay": 1})
    view = GsiLagView(ddb, table="Back")
    refused = 0
    for i in range(60):
        try:
            c.put_item(TableName="Back", Item={"pk": {"S": f"a{i}"}, "g": {"S": f"x{i % 4}"}})
        except ClientError as e:
            assert "global secondary indexes" in e.response["Error"]["Message"]
            refused += 1
    pending = lag(ddb, "Back", "byG")["pending"]
    assert view.lags()["changes"] == 60 - refused - pending
    ddb.run(ms=2000)
    lg = view.lags()
    assert lg["changes"] == 60 - refused and 10 <= lg["median"] <= lg["max"] <= 120
    assert refused and sum(view.throttled().values()) == refused
    assert view.queue()[-1][1] == 0 and max(n for _, n in view.queue()) > 1
    assert repr(view).startswith(f"<GsiLagView 'Back'.byG: {60 - refused} changes applied")
    svg = view.svg()
    assert svg.count('class="dl-throttle"') == len(view.throttled())
    assert 'class="dl-lag"' in svg and 'class="dl-queued"' in svg
    fig = view.figure()
    assert [tr.name for tr in fig.data] == ["lag", "waiting", "writes throttled"]
    assert fig.to_json() == GsiLagView(ddb, table="Back").figure().to_json()


def test_capacity_of_an_on_demand_table_has_no_ceiling_and_a_live_widget():
    ddb = DynamoDB(seed=0, on_demand_limits=True)
    c = ddb.client(retries=0)
    c.create_table(TableName="OnDemand", KeySchema=KS, AttributeDefinitions=AD,
                   BillingMode="PAY_PER_REQUEST")
    c.get_waiter("table_exists").wait(TableName="OnDemand", WaiterConfig={"Delay": 1})
    view = CapacityView(ddb, table="OnDemand", live=True)
    for i in range(50):
        _put(c, "OnDemand", f"k{i}", size=1500)
    ddb.run(ms=1000)
    assert view.share_at("p0", ddb.sim.now) is None
    assert sum(u for _, u in view.consumed("p0")) == 100          # 2 WCU a write
    svg = view.svg()
    assert "no share (on demand)" in svg and 'class="dl-ceiling"' not in svg
    assert "dl-over" not in svg
    bundle = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "application/vnd.plotly.v1+json" not in bundle
    assert view.widget().scene == json.dumps(view.scene(), separators=(",", ":"),
                                             ensure_ascii=False)
