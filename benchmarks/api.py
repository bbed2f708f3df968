"""Benchmark the DynamoDB API through plain boto3, in one run:

1. in process: the lab's client (``DynamoDB().client()``) against boto3 with
   moto's ``mock_aws`` (goal: >= 5x moto's calls per second);
2. over HTTP: ``dynamo-lab serve`` (a subprocess, wall clock as shipped)
   against moto's ``ThreadedMotoServer``, both on 127.0.0.1 through boto3
   with ``endpoint_url`` (goal: >= 2x).

The work is the same everywhere: 1,000 PutItem, 1,000 GetItem, then 10
Query pages of 50 items. Both sides of a comparison run in this process on
the same machine, alternating round by round after one small warm-up round
each, and the median of ``--rounds`` counts, so the ratio means something on
a shared, noisy machine. In process both sides are timed in CPU time
(``time.process_time``: all their work is in this process, and CPU time does
not count the time other people's jobs hold the cores); over HTTP the server
is another process, so both sides are timed on the wall clock.

    .venv/bin/python benchmarks/api.py [--rounds N] [--quick] [--only in-process|http]
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

REGION = "us-east-1"
CREDS = {"aws_access_key_id": "fakeMyKeyId", "aws_secret_access_key": "fakeSecretAccessKey"}
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def workload(client, table: str, n: int, pages: int, page: int,
             clock=time.perf_counter) -> tuple[int, float]:
    """Run the work on a fresh table; return (calls, seconds on ``clock``)."""
    client.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}])
    client.get_waiter("table_exists").wait(TableName=table,
                                           WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    calls = 0
    t0 = clock()
    for i in range(n):
        # Half the items share one partition key, so Query has pages to read.
        pk = "q" if i % 2 == 0 else f"k{i}"
        client.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"N": str(i)},
                                               "v": {"S": "x" * 100}})
        calls += 1
    for i in range(n):
        pk = "q" if i % 2 == 0 else f"k{i}"
        client.get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"N": str(i)}})
        calls += 1
    start = None
    for _ in range(pages):
        kw = {"ExclusiveStartKey": start} if start else {}
        resp = client.query(TableName=table, KeyConditionExpression="pk = :p", Limit=page,
                            ExpressionAttributeValues={":p": {"S": "q"}}, **kw)
        assert resp["Count"] == page, resp["Count"]
        start = resp.get("LastEvaluatedKey")
        calls += 1
    return calls, clock() - t0


@contextlib.contextmanager
def lab_inprocess():
    from dynamo_lab.dynamodb.service import DynamoDB
    yield DynamoDB(seed=0).client(retries=0)


@contextlib.contextmanager
def moto_inprocess():
    from moto import mock_aws
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION, config=NO_RETRY, **CREDS)


@contextlib.contextmanager
def lab_server():
    proc = subprocess.Popen([sys.executable, "-m", "dynamo_lab.cli", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            if select.select([proc.stdout], [], [], 0.5)[0]:
                line = proc.stdout.readline()
                if not line:
                    break
                m = re.search(r"listening on (http://\S+)", line)
                url = m.group(1) if m else None
        if url is None:
            raise RuntimeError("dynamo-lab serve did not start")
        yield boto3.client("dynamodb", endpoint_url=url, region_name=REGION,
                           config=NO_RETRY, **CREDS)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def moto_server():
    import logging

    from moto.server import ThreadedMotoServer
    logging.getLogger("werkzeug").setLevel(logging.ERROR)   # one log line per request
    srv = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    srv.start()
    try:
        host, port = srv.get_host_and_port()
        yield boto3.client("dynamodb", endpoint_url=f"http://{host}:{port}",
                           region_name=REGION, config=NO_RETRY, **CREDS)
    finally:
        srv.stop()


def compare(title: str, ours, theirs, goal: float, rounds: int, n: int, clock) -> bool:
    rates: dict[str, list[float]] = {"lab": [], "moto": []}
    with ours() as lab, theirs() as moto:
        for name, client in (("lab", lab), ("moto", moto)):   # warm-up, not counted
            workload(client, "bench-warm-up", max(1, n // 10), 1, 10, clock)
        for r in range(rounds):
            for name, client in (("lab", lab), ("moto", moto)):
                calls, secs = workload(client, f"bench-{r}", n, min(10, n // 100), 50, clock)
                rates[name].append(calls / secs)
    med = {k: statistics.median(v) for k, v in rates.items()}
    ratio = med["lab"] / med["moto"]
    ok = ratio >= goal
    unit = "CPU" if clock is time.process_time else "wall"
    print(f"{title}: lab {med['lab']:8.0f} calls/s   moto {med['moto']:8.0f} calls/s   "
          f"ratio {ratio:5.2f}x   goal >= {goal:g}x: {'met' if ok else 'NOT met'}   "
          f"(median of {rounds}, {unit} time; rounds lab "
          f"{' '.join(f'{x:.0f}' for x in rates['lab'])}, moto "
          f"{' '.join(f'{x:.0f}' for x in rates['moto'])})", flush=True)
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true",
                    help="200 puts/gets and 2 Query pages, one round")
    ap.add_argument("--only", choices=("in-process", "http"),
                    help="run one of the two comparisons")
    args = ap.parse_args(argv)
    n, rounds = (200, 1) if args.quick else (1000, args.rounds)
    print(f"work per round: {n} PutItem, {n} GetItem, {min(10, n // 100)} Query pages of 50; "
          f"median of {rounds} round(s)", flush=True)
    t0 = time.perf_counter()
    a = b = True
    if args.only != "http":
        a = compare("in process  (lab client vs moto mock_aws)     ", lab_inprocess,
                    moto_inprocess, 5, rounds, n, time.process_time)
    if args.only != "in-process":
        b = compare("over HTTP   (dynamo-lab serve vs moto server) ", lab_server,
                    moto_server, 2, rounds, n, time.perf_counter)
    print(f"all goals met: {a and b}   ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
