"""CapacityView frames the action: the seconds where throttles, splits and share
changes happen, not a long flat line; frame='all' zooms out."""
from __future__ import annotations

import re

import pytest

from dynamo_lab import DynamoDB
from dynamo_lab.viz import CapacityView


def _run():
    ddb = DynamoDB(seed=3, capacity={"adaptive": False, "initial_burst_seconds": 1})
    c = ddb.client(retries=0)
    c.create_table(TableName="Spiky", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    c.get_waiter("table_exists").wait(TableName="Spiky", WaiterConfig={"Delay": 1})
    thrown = 0
    for i in range(300):                      # a spike: 300 writes in 0.3 s, on 5 WCU
        try:
            c.put_item(TableName="Spiky", Item={"pk": {"S": f"k{i}"}})
        except c.exceptions.ProvisionedThroughputExceededException:
            thrown += 1
    for i in range(58):                       # then a quiet minute, one write a second
        ddb.run(ms=1000)
        c.put_item(TableName="Spiky", Item={"pk": {"S": f"q{i}"}})
    ddb.run(ms=1000)
    assert thrown
    return ddb


def test_the_static_chart_frames_the_throttled_seconds_and_zooms_out():
    ddb = _run()
    view = CapacityView(ddb, table="Spiky")
    first, last = view.framed()
    s = view.state
    assert (s.last - s.first) // 1000 >= 55              # the run spans about a minute
    assert last - first <= 10_000                        # the frame: a few seconds
    throttled = [sec for rows in s.throttled.values() for sec, row in rows.items() if row[1]]
    assert first <= min(throttled) and max(throttled) <= last
    svg = view.svg()
    bars = set(re.findall(r'data-second="(\d+)"', svg))
    assert bars and all(first <= int(b) <= last for b in bars)
    assert "frame='all' zooms out" in svg
    wide = CapacityView(ddb, table="Spiky", frame="all")
    assert wide.framed() == (s.first, s.last)
    assert len(set(re.findall(r'data-second="(\d+)"', wide.svg()))) > len(bars)
    assert "zooms out" not in wide.svg()
    # the figure keeps every second, and opens on the frame
    fig = view.figure()
    xs = fig.data[0].x
    assert xs[0] == s.first / 1000 and xs[-1] == s.last / 1000
    assert tuple(fig.layout.xaxis.range) == (first / 1000 - 0.5, last / 1000 + 0.5)
    a = s.first // 1000 + 10
    assert CapacityView(ddb, table="Spiky", frame=(a, a + 2)).framed() == (a * 1000, a * 1000 + 2000)
    with pytest.raises(ValueError, match="frame must be 'action', 'all' or"):
        CapacityView(ddb, table="Spiky", frame="zoom")
