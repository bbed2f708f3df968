"""Benchmark the DynamoDB service's own machinery, in one run:

1. what streams and global secondary indexes cost: operations per second of
   a seeded PutItem / UpdateItem / GetItem / Query mix through the
   in-process boto3 client, on a table with a stream (NEW_AND_OLD_IMAGES)
   and two GSIs maintained asynchronously (lag 10-300 virtual ms), against
   the same work on a table with neither (goal: at most 1.5x slower);
2. the time to split a 100,000-item table: the items are loaded straight
   onto its partitions (``Table.write_partition``: no request, no event),
   then the partition size limit is lowered with
   ``DynamoDB.set_partition_size_limit`` and the split itself is timed.

Both sides of the comparison run in this process, alternating round by
round after one small warm-up round each, and the median of ``--rounds``
is reported, in CPU time (``time.process_time``), as ``benchmarks/api.py``
does, so the ratio means something on a shared, noisy machine.

    .venv/bin/python benchmarks/service.py [--rounds N] [--quick]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dynamo_lab.dynamodb.service import DynamoDB, handle, state_of  # noqa: E402

GOAL = 1.5
KS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]
GSI_AD = [{"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "h", "AttributeType": "N"}]
GSIS = [{"IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
         "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}]},
        {"IndexName": "byH", "Projection": {"ProjectionType": "KEYS_ONLY"},
         "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}]}]


def service(features: bool) -> tuple:
    """A fresh service and client; ``features``: stream and two GSIs on."""
    ddb = DynamoDB(seed=0, create_ms=0, indexes={"gsi_lag_ms": (10, 300)})
    kw: dict = {}
    if features:
        kw = {"GlobalSecondaryIndexes": GSIS,
              "StreamSpecification": {"StreamEnabled": True,
                                      "StreamViewType": "NEW_AND_OLD_IMAGES"}}
    c = ddb.client(retries=0)
    c.create_table(TableName="bench", KeySchema=KS, BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=AD + (GSI_AD if features else []), **kw)
    ddb.run(ms=1)
    return ddb, c


def workload(features: bool, ops: int) -> tuple[int, float]:
    """Run ``ops`` operations of the mix; return (operations, CPU seconds)."""
    ddb, c = service(features)
    rng = random.Random(7)                      # the same requests on both sides
    keys = [(f"k{i % 50}", i) for i in range(500)]
    for pk, sk in keys[:100]:                   # something to read from the start
        c.put_item(TableName="bench", Item={"pk": {"S": pk}, "sk": {"N": str(sk)},
                                            "g": {"S": "red"}, "h": {"N": "1"}})
    t0 = time.process_time()
    for n in range(ops):
        pk, sk = keys[rng.randrange(len(keys))]
        key = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
        r = n % 10
        if r < 3:
            c.put_item(TableName="bench", Item=dict(
                key, g={"S": rng.choice(("red", "blue"))}, h={"N": str(rng.randrange(20))},
                v={"S": "x" * 100}))
        elif r < 5:                              # moves the item in both GSIs
            c.update_item(TableName="bench", Key=key, UpdateExpression="SET g = :g, h = :h",
                          ExpressionAttributeValues={":g": {"S": rng.choice(("red", "blue"))},
                                                     ":h": {"N": str(rng.randrange(20))}})
        elif r < 9:
            c.get_item(TableName="bench", Key=key)
        else:
            c.query(TableName="bench", KeyConditionExpression="pk = :p", Limit=20,
                    ExpressionAttributeValues={":p": {"S": pk}})
    secs = time.process_time() - t0
    errors = state_of(ddb).internal_errors
    assert errors == [], errors[:1]
    if features:                                 # the GSIs did their work
        assert ddb.log.of_kind("gsi.applied") and ddb.log.of_kind("stream.record")
    return ops, secs


def compare(rounds: int, ops: int) -> bool:
    rates: dict[str, list[float]] = {"off": [], "on": []}
    for features in (False, True):               # warm-up, not counted
        workload(features, max(50, ops // 10))
    for _ in range(rounds):
        for name, features in (("off", False), ("on", True)):
            n, secs = workload(features, ops)
            rates[name].append(n / secs)
    med = {k: statistics.median(v) for k, v in rates.items()}
    slower = med["off"] / med["on"]
    ok = slower <= GOAL
    print(f"streams + two async GSIs: on {med['on']:7.0f} ops/s   off {med['off']:7.0f} ops/s   "
          f"{slower:4.2f}x slower   goal <= {GOAL:g}x: {'met' if ok else 'NOT met'}   "
          f"(median of {rounds}, CPU time; rounds on "
          f"{' '.join(f'{x:.0f}' for x in rates['on'])}, off "
          f"{' '.join(f'{x:.0f}' for x in rates['off'])})", flush=True)
    return ok


def split_time(items: int, rounds: int) -> None:
    """Build an ``items``-item table straight in the store, then time the
    split that a lowered partition size limit causes."""
    from dynamo_lab.dynamodb.model.size import item_size
    from dynamo_lab.dynamodb.tables.layout import ensure
    times, parts = [], 0
    for _ in range(rounds):
        ddb = DynamoDB(seed=0, create_ms=0)
        handle(ddb, "CreateTable", {"TableName": "big", "KeySchema": KS,
                                   "AttributeDefinitions": AD, "BillingMode": "PAY_PER_REQUEST"})
        table = state_of(ddb).tables["big"]
        ensure(state_of(ddb), table)
        for i in range(items):                   # straight onto the partitions, no request
            item = {"pk": {"S": f"user#{i}"}, "sk": {"N": str(i % 7)}, "v": {"S": "x" * 60}}
            table.write_partition(table.schema.storage_key(item), item, item_size(item))
        limit = table.size_bytes // 16           # 16+ partitions from one
        t0 = time.process_time()
        ddb.set_partition_size_limit("big", limit)
        times.append(time.process_time() - t0)
        parts = len(ddb.partitions("big"))
        assert sum(p["items"] for p in ddb.partitions("big")) == items
    print(f"split a {items:,}-item table ({table.size_bytes / 1e6:.1f} MB) into {parts} "
          f"partitions: {statistics.median(times):.2f} s CPU (median of {rounds}; rounds "
          f"{' '.join(f'{x:.2f}' for x in times)})", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="fewer operations and items, one round")
    args = ap.parse_args(argv)
    ops, items, rounds = (300, 20_000, 1) if args.quick else (2000, 100_000, args.rounds)
    print(f"work per round: {ops} operations (30% PutItem, 20% UpdateItem, 40% GetItem, "
          f"10% Query); median of {rounds} round(s)", flush=True)
    t0 = time.perf_counter()
    ok = compare(rounds, ops)
    split_time(items, rounds)
    print(f"all goals met: {ok}   ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
