"""Virtual time never goes backwards when a timer's callback runs the
simulation itself: a lab client retrying a throttled call inside a
scheduled callback (a trigger's poll, a KCL worker's round) backs off in
virtual time, past the end of the outer ``run``."""
from __future__ import annotations

from dynamo_lab import Simulation
from dynamo_lab.dynamodb.service import DynamoDB, state_of


def test_a_nested_run_past_the_outer_bound_keeps_its_time():
    sim = Simulation(seed=0)
    seen = []
    sim.schedule(10, lambda: sim.run(ms=500))          # runs to t=510 inside run(100)
    sim.schedule(300, lambda: seen.append(sim.now))
    sim.run(ms=100)
    assert seen == [300] and sim.now == 510
    sim.run(ms=10)
    assert sim.now == 520


def test_retried_throttled_writes_inside_a_timer_leave_the_service_usable():
    ddb = DynamoDB(seed=0, create_ms=0, capacity={"initial_burst_seconds": 1})
    c = ddb.client()
    c.create_table(TableName="Tab", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                   ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    done = []

    def burst():
        for i in range(5):
            try:
                c.put_item(TableName="Tab", Item={"k": {"S": f"x{i}"}, "pad": {"S": "p" * 1500}})
            except c.exceptions.ProvisionedThroughputExceededException:
                pass                                   # retries ran out: fine here
        done.append(ddb.sim.now)

    start = ddb.sim.now
    ddb.sim.schedule(10, burst)
    ddb.run(ms=100)
    assert done, "the callback finished its writes"
    assert ddb.sim.now >= start + 100
    assert any(e.kind == "client.retry" for e in ddb.log), "the writes were throttled"
    # The next request works: the clock did not go backwards.
    assert "Item" in c.get_item(TableName="Tab", Key={"k": {"S": "x0"}}, ConsistentRead=True)
    assert not state_of(ddb).internal_errors

