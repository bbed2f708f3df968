"""The KCL-like application (dynamo_lab.dynamodb.consumers.kcl.App): leases in a real
lease table with conditional writes, taking, stealing toward an even share,
expiry after a worker dies, graceful leave, checkpoints that a restarted app
resumes from, children after parents, and the processing guarantee: every
record exactly once when workers stop between batches (seeded, many seeds),
and the one batch replayed when a worker dies between processing and its
checkpoint. One run against moto's server."""
from __future__ import annotations

import random

import pytest
from botocore.exceptions import ClientError

from dynamo_lab.dynamodb.consumers.kcl import App
from dynamo_lab.dynamodb.service import DynamoDB, state_of

KEY = dict(KeySchema=[{"AttributeName": "Id", "KeyType": "HASH"}],
           AttributeDefinitions=[{"AttributeName": "Id", "AttributeType": "S"}])


def lab(seed=0, wcu=3000):
    """A table with four partitions (so four shards) and a stream."""
    ddb = DynamoDB(seed=seed, create_ms=0)
    c = ddb.client(retries=0)
    arn = c.create_table(TableName="Votes", ProvisionedThroughput={"ReadCapacityUnits": 10,
                                                                     "WriteCapacityUnits": wcu},
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                         **KEY)["TableDescription"]["LatestStreamArn"]
    return ddb, c, arn


class Log:
    """What every processor of one test did: (worker, shard, [(seq, id, v)])."""

    def __init__(self):
        self.calls, self.shutdowns = [], []

    def factory(self, app_ref):
        log = self

        class Proc:
            def initialize(self, shard_id):
                self.shard = shard_id

            def process_records(self, records, checkpointer):
                w = checkpointer._worker.id
                log.calls.append((w, self.shard, [(r["dynamodb"]["SequenceNumber"],
                                                   r["dynamodb"]["Keys"]["Id"]["S"],
                                                   r["dynamodb"]["NewImage"]["v"]["N"])
                                                  for r in records]))
                checkpointer.checkpoint()

            def shutdown(self, reason):
                log.shutdowns.append((self.shard, reason))
        return Proc

    def seqs(self):
        return [s for _, _, recs in self.calls for s, _, _ in recs]

    def per_item(self):
        out: dict = {}
        for _, _, recs in self.calls:
            for _, k, v in recs:
                out.setdefault(k, []).append(v)
        return out


def put(c, k, v):
    c.put_item(TableName="Votes", Item={"Id": {"S": f"k{k:03d}"}, "v": {"N": str(v)}})


def app_for(ddb, c, arn, log, name="votes", **kw):
    return App(name, arn, log.factory(None), client=c, streams_client=ddb.streams_client(), **kw)


def run_until_caught_up(app, limit=200):
    for _ in range(limit):
        app.run(1)
        if app.caught_up():
            return
    raise AssertionError(f"not caught up after {limit} rounds: {app.leases()}")


def lease_events(ddb, action=None):
    return [e for e in ddb.log.of_kind("kcl.lease") if action is None or e.action == action]


# -- leases --------------------------------------------------------------------------
def test_two_workers_share_four_shards_and_checkpoints_live_in_the_lease_table():
    ddb, c, arn = lab()
    log = Log()
    app = app_for(ddb, c, arn, log)
    app.add_worker("w1"), app.add_worker("w2")
    for i in range(100):
        put(c, i, 1)
    run_until_caught_up(app)
    assert sorted(log.seqs()) == sorted(set(log.seqs())) and len(log.seqs()) == 100
    assert app.balance() == {"w1": 2, "w2": 2}
    # The lease table, read with plain boto3.
    items = c.scan(TableName="votes-leases", ConsistentRead=True)["Items"]
    assert len(items) == 4
    assert {tuple(sorted(i)) for i in items} == {
        ("checkpoint", "leaseCounter", "leaseKey", "leaseOwner", "ownerSwitchesSinceCheckpoint")}
    last = {}
    for _, shard, recs in log.calls:
        last[shard] = recs[-1][0]
    assert {i["leaseKey"]["S"]: i["checkpoint"]["S"] for i in items} == last
    assert app.leases() == sorted(app.leases(), key=lambda d: d["leaseKey"])
    taken = lease_events(ddb, "taken")
    # Each lease is taken once (counter 0 -> 1); the worker that came second
    # to the table finds them all taken and steals its share.
    assert sorted(e.shard for e in taken) == sorted(last) and all(e.counter == 1 for e in taken)
    stolen = lease_events(ddb, "stolen")
    assert len(taken) - len(stolen) == 2 and {e.worker for e in stolen} <= {"w1", "w2"}
    cps = ddb.log.of_kind("kcl.checkpoint")
    assert sum(e.records for e in cps) == 100 and {e.app for e in cps} == {"votes"}
    assert "renewed" not in {e.action for e in lease_events(ddb)}


def test_a_joining_worker_steals_toward_an_even_share():
    ddb, c, arn = lab()
    log = Log()
    app = app_for(ddb, c, arn, log)
    app.add_worker("w1")
    app.run(2)
    assert app.balance() == {"w1": 4}
    app.add_worker("w2")
    app.run(4)
    assert app.balance() == {"w1": 2, "w2": 2}
    stolen = lease_events(ddb, "stolen")
    assert len(stolen) == 2 and {e.worker for e in stolen} == {"w2"}
    assert ("LEASE_LOST" in {r for _, r in log.shutdowns})
    for i in range(40):
        put(c, i, 1)
    run_until_caught_up(app)
    assert len(log.seqs()) == len(set(log.seqs())) == 40


def test_a_dead_workers_leases_expire_and_are_taken():
    ddb, c, arn = lab()
    log = Log()
    app = app_for(ddb, c, arn, log, lease_ms=5000, interval_ms=1000)
    app.add_worker("w1"), app.add_worker("w2")
    app.run(3)
    app.kill_worker("w1")
    t_kill = ddb.sim.now
    for i in range(40):
        put(c, i, 1)
    run_until_caught_up(app)
    assert app.balance() == {"w2": 4}
    expired = lease_events(ddb, "expired")
    assert len(expired) == 2 and {e.worker for e in expired} == {"w1"}
    assert all(e.t - t_kill >= 5000 - 1000 for e in expired)
    assert len(log.seqs()) == len(set(log.seqs())) == 40


def test_a_worker_that_leaves_releases_its_leases_at_once():
    ddb, c, arn = lab()
    log = Log()
    app = app_for(ddb, c, arn, log)
    app.add_worker("w1"), app.add_worker("w2")
    app.run(3)
    app.remove_worker("w1")
    released = lease_events(ddb, "released")
    assert len(released) == 2 and {e.worker for e in released} == {"w1"}
    assert [r for _, r in log.shutdowns].count("REQUESTED") == 2
    app.run(1)
    assert app.balance() == {"w2": 4}
    with pytest.raises(KeyError):
        app.remove_worker("w1")


def test_children_are_leased_only_after_their_parents_reach_shard_end():
    ddb, c, arn = lab(wcu=1000)
    log = Log()
    app = app_for(ddb, c, arn, log, max_records=7)
    app.add_worker("w1"), app.add_worker("w2")
    for i in range(60):
        put(c, i, 1)
    app.run(2)
    for p in ddb.partitions("Votes"):
        ddb.split_partition("Votes", p["id"])
    for i in range(60):
        put(c, i, 2)
    run_until_caught_up(app)
    leases = {d["leaseKey"]: d for d in app.leases()}
    parents = {p for d in leases.values() for p in d["parentShardIds"]}
    assert parents and all(leases[p]["checkpoint"] == "SHARD_END" for p in parents)
    finished = {e.shard: k for k, e in enumerate(lease_events(ddb)) if e.action == "finished"}
    for k, e in enumerate(lease_events(ddb)):
        if e.action in ("taken", "stolen"):
            for p in leases[e.shard]["parentShardIds"]:
                assert finished[p] < k
    assert log.per_item() == {f"k{i:03d}": ["1", "2"] for i in range(60)}
    assert [e.sequence for e in ddb.log.of_kind("kcl.checkpoint")].count("SHARD_END") == \
        len(parents)


def test_a_checkpoint_on_a_lease_taken_meanwhile_fails_and_changes_nothing():
    """Another process takes the lease while a batch is processed: the
    checkpoint is a conditional write on the counter, so it fails
    (LeaseLost), the lease keeps the new owner's state, and the processor is
    shut down with LEASE_LOST."""
    from dynamo_lab.dynamodb.consumers.kcl import LeaseLost
    ddb, c, arn = lab(wcu=1)
    outcome, reasons = [], []

    class Proc:
        def initialize(self, shard_id):
            self.shard = shard_id

        def process_records(self, records, checkpointer):
            # Meanwhile, elsewhere: a worker in another process takes the lease.
            c.update_item(TableName="race-leases", Key={"leaseKey": {"S": self.shard}},
                          UpdateExpression="SET leaseOwner = :o ADD leaseCounter :one",
                          ExpressionAttributeValues={":o": {"S": "elsewhere"},
                                                     ":one": {"N": "1"}})
            try:
                checkpointer.checkpoint()
            except LeaseLost:
                outcome.append("lost")
                raise

        def shutdown(self, reason):
            reasons.append(reason)
    app = App("race", arn, Proc, client=c, streams_client=ddb.streams_client())
    app.add_worker("w1")
    put(c, 1, 1)
    app.run(1)
    [lease] = app.leases()
    assert outcome == ["lost"] and reasons == ["LEASE_LOST"]
    assert lease["leaseOwner"] == "elsewhere" and lease["checkpoint"] == "TRIM_HORIZON"
    assert ddb.log.of_kind("kcl.checkpoint") == [] and app.workers["w1"].held == {}


# -- the processing guarantee ------------------------------------------------------------
def _stream_records(ddb, arn):
    """Every record of the stream, read independently of the app."""
    st = ddb.streams_client()
    out = []
    for s in st.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = st.get_shard_iterator(StreamArn=arn, ShardId=s["ShardId"],
                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            page = st.get_records(ShardIterator=it)
            out += [r["dynamodb"]["SequenceNumber"] for r in page["Records"]]
            it = page.get("NextShardIterator")
            if not page["Records"]:
                break
    return out


def _churn(seed, *, die_before_checkpoint=False):
    """Writes, a split, w3 joining and w1 dying, all at rounds drawn from the seed."""
    ddb, c, arn = lab(seed=seed)
    log = Log()
    app = app_for(ddb, c, arn, log, lease_ms=4000, interval_ms=1000, max_records=5)
    app.add_worker("w1"), app.add_worker("w2")
    rng = random.Random(seed)
    join, die, split = rng.randrange(2, 10), rng.randrange(2, 14), rng.randrange(1, 12)
    expected: dict = {}
    v = 0
    for r in range(16):
        for _ in range(rng.randrange(0, 12)):
            k = rng.randrange(40)
            v += 1
            put(c, k, v)
            expected.setdefault(f"k{k:03d}", []).append(str(v))
        if r == split:
            p = rng.choice(ddb.partitions("Votes"))
            ddb.split_partition("Votes", p["id"])
        if r == join:
            app.add_worker("w3")
        if r == die:
            app.kill_worker("w1", before_checkpoint=die_before_checkpoint)
        app.run(1)
    run_until_caught_up(app)
    return ddb, app, log, expected, arn


@pytest.mark.parametrize("seed", range(8))
def test_every_record_processed_once_while_a_worker_joins_and_one_dies(seed):
    ddb, app, log, expected, arn = _churn(seed)
    seqs = log.seqs()
    assert len(seqs) == len(set(seqs)), "a record was processed twice"
    assert sorted(seqs) == sorted(_stream_records(ddb, arn))
    assert log.per_item() == expected
    bal = app.balance()
    assert set(bal) == {"w2", "w3"} and max(bal.values()) - min(bal.values()) <= 1
    assert {e.worker for e in lease_events(ddb, "expired")} <= {"w1"}
    assert state_of(ddb).internal_errors == []


@pytest.mark.parametrize("seed", range(4))
def test_a_death_between_processing_and_checkpoint_replays_exactly_that_batch(seed):
    ddb, app, log, expected, arn = _churn(seed, die_before_checkpoint=True)
    w1_calls = [recs for w, _, recs in log.calls if w == "w1"]
    seqs = log.seqs()
    dup = {s for s in seqs if seqs.count(s) > 1}
    assert sorted(set(seqs)) == sorted(_stream_records(ddb, arn))    # nothing lost
    if app.workers["w1"].alive:
        pytest.skip("w1 held no records to process after the kill")   # pragma: no cover
    last = {s for s, _, _ in w1_calls[-1]}
    assert dup == last and len(seqs) - len(set(seqs)) == len(last)
    assert all(seqs.count(s) == 2 for s in dup)
    # Per item the values still arrive in order, the replayed ones repeated.
    for k, got in log.per_item().items():
        dedup = [x for i, x in enumerate(got) if x not in got[:i]]
        assert dedup == expected[k]


def test_a_restarted_app_resumes_from_the_checkpoints():
    ddb, c, arn = lab()
    log = Log()
    app = app_for(ddb, c, arn, log)
    app.add_worker("w1")
    for i in range(30):
        put(c, i, 1)
    run_until_caught_up(app)
    before = {d["leaseKey"]: d["checkpoint"] for d in app.leases()}
    app.kill_worker("w1")          # the process ends without releasing anything
    for i in range(30):
        put(c, i, 2)
    log2 = Log()
    app2 = app_for(ddb, c, arn, log2, lease_ms=3000)
    assert {d["leaseKey"]: d["checkpoint"] for d in app2.leases()} == before
    app2.add_worker("w9")
    run_until_caught_up(app2)
    assert log2.per_item() == {f"k{i:03d}": ["2"] for i in range(30)}
    assert not set(log.seqs()) & set(log2.seqs())
    assert {e.worker for e in lease_events(ddb, "expired")} == {"w1"}


def test_same_seed_same_run():
    def run():
        ddb, app, log, expected, arn = _churn(5)
        return [(e.t, e.kind, e.fields) for e in ddb.log if e.kind.startswith("kcl.")]
    assert run() == run()


def test_bad_settings_are_refused_before_anything_is_made():
    ddb, c, arn = lab()
    for kw in ({"initial_position": "AT_TIMESTAMP"}, {"max_records": 0},
               {"max_records": 1001}, {"lease_ms": 0}):
        with pytest.raises(ClientError) as e:
            App("bad", arn, object, client=c, streams_client=ddb.streams_client(), **kw)
        assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "bad-leases" not in c.list_tables()["TableNames"]
    app = App("ok", arn, object, client=c, streams_client=ddb.streams_client())
    with pytest.raises(ValueError):
        app.add_worker("w"), app.add_worker("w")


# -- against moto's server ------------------------------------------------------------------
# (moto_url: moto's ThreadedMotoServer on loopback, from conftest.py)


def test_on_moto_through_the_public_api(moto_url):
    import dynamo_lab
    from dynamo_lab.dynamodb.wire.connect import connect_streams
    c = dynamo_lab.connect(endpoint_url=moto_url)
    arn = c.create_table(TableName="Votes", BillingMode="PAY_PER_REQUEST",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                         **KEY)["TableDescription"]["LatestStreamArn"]
    log = Log()
    app = App("moto-app", arn, log.factory(None), client=c, streams_client=connect_streams(moto_url),
              max_records=3, interval_ms=50)
    assert app.service is None
    app.add_worker("w1"), app.add_worker("w2")
    for i in range(7):
        put(c, i, 1)
    for _ in range(10):
        app.run(1)
        if app.caught_up():
            break
    assert app.caught_up()
    assert log.per_item() == {f"k{i:03d}": ["1"] for i in range(7)}
    [lease] = app.leases()
    assert lease["checkpoint"] == log.seqs()[-1] and lease["leaseOwner"] in ("w1", "w2")
    assert [e.action for e in app.log.of_kind("kcl.lease")] == ["taken"]
    assert len(app.log.of_kind("kcl.checkpoint")) == 3


def test_a_processor_that_swallows_every_exception_still_dies_with_its_worker():
    from dynamo_lab.dynamodb.consumers.kcl_worker import WorkerDied
    from dynamo_lab.errors import LabError
    assert issubclass(WorkerDied, LabError) and issubclass(WorkerDied, Exception)
    ddb, c, arn = lab()
    calls = []

    class Careless:
        def initialize(self, shard_id):
            pass

        def process_records(self, records, checkpointer):
            calls.append(checkpointer._worker.id)
            try:
                checkpointer.checkpoint()
            except Exception:           # swallows WorkerDied too
                pass

        def shutdown(self, reason):
            pass

    app = App("careless", arn, Careless, client=c, streams_client=ddb.streams_client(),
              lease_ms=4000, interval_ms=1000)
    app.add_worker("w1")
    for k in range(20):
        put(c, k, k)
    app.kill_worker("w1", before_checkpoint=True)
    app.run(3)
    assert calls == ["w1"]                     # one batch, then no more: the worker is dead
    assert "w1" not in app.live_workers()
