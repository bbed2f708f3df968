"""Nothing acknowledged is lost: SIGKILL ``dynamo-lab serve --data`` mid-load (issue 13, part 3).

One run:

1. start ``dynamo-lab serve --data DIR`` on a free loopback port (a
   subprocess), create ``Votes`` (a stream on, NEW_AND_OLD_IMAGES);
2. ``--writers`` threads, each with its own boto3 client and its own hash
   key, write as fast as they can: PutItem of a new item, UpdateItem that
   sets three attributes of one of its items to a new version, a
   TransactWriteItems that puts three new items, DeleteItem of one of its
   items. Every item carries ``a = b = c = version``. A writer keeps what
   each *acknowledged* request did, and the one request it has in flight;
3. after a kill point drawn from the run's seed, ``SIGKILL`` the server
   (no shutdown code runs);
4. start it again on the same directory and check, with consistent Scans
   and the stream:

   * every acknowledged write is there (its item, with its version; a
     deleted item is absent);
   * a request in flight at the kill is all or nothing: a transaction's
     three items all there or none; an update's three attributes all new
     or all old (every item has ``a == b == c``);
   * no item nobody wrote;
   * the global secondary index (sparse: the transactions' items) holds
     exactly the items that have its key;
   * the stream holds one record per acknowledged change, plus at most the
     changes in flight, with sequence numbers rising.

``run(seed)`` returns a dict of figures and ``problems`` (empty when the run
passed). ``tests/test_room_durable_kill.py`` runs three seeds;

    .venv/bin/python benchmarks/room_durable.py [--runs 20] [--seed 0] [--writers 4]

runs twenty and prints one line per run and a summary (exit 1 if any
problem). Loopback only; every server it starts is stopped.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

__all__ = ["serve_argv", "server", "run", "main"]

REGION = "us-east-1"
KEY = "durable"                              # the namespace: durable_us-east-1
TABLE = "Votes"
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                connect_timeout=5, read_timeout=20, max_pool_connections=2)


def serve_argv(port: int, data: Path) -> list[str]:
    """The command that serves ``data`` on ``port``."""
    return [sys.executable, "-m", "dynamo_lab.cli", "serve", "--port", str(port),
            "--data", str(data)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(url: str, service: str = "dynamodb") -> Any:
    return boto3.session.Session().client(
        service, endpoint_url=url, region_name=REGION, config=CONFIG,
        aws_access_key_id=KEY, aws_secret_access_key="not-checked")


@contextmanager
def server(data: Path, startup: float = 60.0) -> Iterator[tuple[str, subprocess.Popen]]:
    """Serve ``data`` on a free port; yield (url, process); always stop it."""
    port = _free_port()
    proc = subprocess.Popen(serve_argv(port, data), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        probe, deadline = client(url), time.monotonic() + startup
        while True:
            try:
                probe.list_tables()
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode()[-2000:] if proc.poll() is not None else "timeout"
                    raise RuntimeError(f"the server did not start on {url}: {err}") from None
                time.sleep(0.1)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        assert proc.stderr is not None
        proc.stderr.close()


def _item(owner: int, sk: str, version: int, txn: str | None = None) -> dict:
    item = {"pk": {"S": f"w{owner}"}, "sk": {"S": sk}, "a": {"N": str(version)},
            "b": {"N": str(version)}, "c": {"N": str(version)}}
    if txn is not None:
        item["txn"] = {"S": txn}
    return item


class Writer(threading.Thread):
    """One client writing its own items; keeps what was acknowledged."""

    def __init__(self, n: int, url: str, seed: int) -> None:
        super().__init__(name=f"writer{n}", daemon=True)
        self.n, self.c = n, client(url)
        self.rng = random.Random(f"{seed}:{n}")
        self.acked: dict[str, int | None] = {}      # sk -> version (None: deleted)
        self.changes = 0                             # acknowledged item changes
        self.inflight: tuple[str, dict[str, int | None]] | None = None
        self.errors: list[str] = []
        self.next = 0

    def _sk(self) -> str:
        self.next += 1
        return f"{self.next:06d}"

    def _live(self) -> list[str]:
        return [k for k, v in self.acked.items() if v is not None]

    def run(self) -> None:
        while True:
            live = self._live()
            r = self.rng.random()
            key = {"pk": {"S": f"w{self.n}"}}
            if r < 0.35 or not live:
                sk = self._sk()
                op, change = "PutItem", {sk: 1}
                kw: dict[str, Any] = {"TableName": TABLE, "Item": _item(self.n, sk, 1)}
            elif r < 0.65:
                sk = self.rng.choice(live)
                v = (self.acked[sk] or 0) + 1
                op, change = "UpdateItem", {sk: v}
                kw = {"TableName": TABLE, "Key": dict(key, sk={"S": sk}),
                      "UpdateExpression": "SET a = :v, b = :v, c = :v",
                      "ExpressionAttributeValues": {":v": {"N": str(v)}}}
            elif r < 0.85:
                sks = [self._sk() for _ in range(3)]
                tid = f"t{self.n}-{sks[0]}"
                op, change = "TransactWriteItems", {sk: 1 for sk in sks}
                kw = {"TransactItems": [{"Put": {"TableName": TABLE,
                                                 "Item": _item(self.n, sk, 1, tid)}} for sk in sks]}
            else:
                sk = self.rng.choice(live)
                op, change = "DeleteItem", {sk: None}
                kw = {"TableName": TABLE, "Key": dict(key, sk={"S": sk})}
            call = getattr(self.c, {"PutItem": "put_item", "UpdateItem": "update_item",
                                    "TransactWriteItems": "transact_write_items",
                                    "DeleteItem": "delete_item"}[op])
            self.inflight = (op, change)
            try:
                call(**kw)
            except ClientError as exc:         # an answer, but not a success: a bug here
                self.errors.append(f"{op}: {exc.response['Error'].get('Code')}")
                return
            except Exception:                  # the server is gone: this one is uncertain
                return
            self.acked.update(change)
            self.changes += len(change)
            self.inflight = None


def _scan(c: Any, index: str | None = None) -> dict[tuple[str, str], dict]:
    out, start = {}, None
    while True:
        kw: dict[str, Any] = {"TableName": TABLE}
        if index:
            kw["IndexName"] = index
        else:
            kw["ConsistentRead"] = True
        if start:
            kw["ExclusiveStartKey"] = start
        page = c.scan(**kw)
        for it in page["Items"]:
            out[(it["pk"]["S"], it["sk"]["S"])] = it
        start = page.get("LastEvaluatedKey")
        if not start:
            return out


def _stream_records(url: str, c: Any) -> list[int]:
    sc = client(url, "dynamodbstreams")
    arn = c.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    seqs: list[int] = []
    for shard in sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = sc.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for _ in range(10_000):
            page = sc.get_records(ShardIterator=it, Limit=1000)
            seqs += [int(r["dynamodb"]["SequenceNumber"]) for r in page["Records"]]
            it = page.get("NextShardIterator")
            if not it or not page["Records"]:
                break
    return seqs


def _check(writers: list[Writer], items: dict, seqs: list[int],
           index: dict | None = None) -> list[str]:
    problems: list[str] = []
    if index is not None:                        # the GSI, rebuilt from the table
        want = {k for k, it in items.items() if "txn" in it}
        if set(index) != want:
            problems.append(f"index byTxn: {len(set(index) - want)} entries without their item, "
                            f"{len(want - set(index))} items missing from it")
    known: set[tuple[str, str]] = set()
    in_flight_changes = 0
    for w in writers:
        problems += [f"writer {w.n}: {e}" for e in w.errors]
        pk = f"w{w.n}"
        flight_op, flight = w.inflight if w.inflight is not None else ("", {})
        in_flight_changes += len(flight)
        applied = set()
        for sk in set(w.acked) | set(flight):
            known.add((pk, sk))
            got = items.get((pk, sk))
            version = None if got is None else int(got["a"]["N"])
            want = w.acked.get(sk)
            if version == want:
                continue
            if sk in flight and version == flight[sk]:
                applied.add(sk)
                continue
            problems.append(f"{pk}/{sk}: acknowledged {want}, found {version}"
                            + (f" ({flight_op} in flight)" if sk in flight else ""))
        if applied and applied != set(flight):
            problems.append(f"{pk}: {flight_op} half applied: {sorted(applied)} of {sorted(flight)}")
    for key, it in items.items():
        if key not in known:
            problems.append(f"an item nobody wrote: {key}")
        if not it["a"] == it["b"] == it["c"]:
            problems.append(f"{key}: an update half applied: a={it['a']} b={it['b']} c={it['c']}")
    acked = sum(w.changes for w in writers)
    if not acked <= len(seqs) <= acked + in_flight_changes:
        problems.append(f"stream: {len(seqs)} records for {acked} acknowledged changes "
                        f"(+{in_flight_changes} in flight)")
    if len(set(seqs)) != len(seqs):
        problems.append("stream: a sequence number repeats")
    return problems


def run(seed: int, writers: int = 4, kill_window: tuple[float, float] = (0.3, 1.5)) -> dict:
    """One kill run (see the module notes); returns its figures and ``problems``."""
    rng = random.Random(seed)
    data = Path(tempfile.mkdtemp(prefix="dynamo-lab-durable-"))
    try:
        with server(data) as (url, proc):
            c = client(url)
            c.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                      {"AttributeName": "sk", "KeyType": "RANGE"}],
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                 {"AttributeName": "sk", "AttributeType": "S"},
                                                 {"AttributeName": "txn", "AttributeType": "S"}],
                           GlobalSecondaryIndexes=[{  # sparse: only the transactions' items
                               "IndexName": "byTxn", "Projection": {"ProjectionType": "KEYS_ONLY"},
                               "KeySchema": [{"AttributeName": "txn", "KeyType": "HASH"}]}],
                           StreamSpecification={"StreamEnabled": True,
                                                "StreamViewType": "NEW_AND_OLD_IMAGES"})
            ws = [Writer(n, url, seed) for n in range(writers)]
            kill_after = rng.uniform(*kill_window)
            for w in ws:
                w.start()
            time.sleep(kill_after)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            for w in ws:
                w.join(timeout=30)
        t0 = time.monotonic()
        with server(data) as (url, _proc):
            restart_s = time.monotonic() - t0
            c = client(url)
            items = _scan(c)
            index = _scan(c, "byTxn")
            seqs = _stream_records(url, c)
        problems = _check(ws, items, seqs, index)
        return {"seed": seed, "kill_after_s": round(kill_after, 3),
                "acknowledged": sum(w.changes for w in ws),
                "in_flight": sum(1 for w in ws if w.inflight is not None),
                "items": len(items), "records": len(seqs), "restart_s": round(restart_s, 2),
                "problems": problems}
    finally:
        shutil.rmtree(data, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0, help="first run's seed; run i uses seed+i")
    ap.add_argument("--writers", type=int, default=4)
    args = ap.parse_args(argv)
    failed = 0
    total = 0
    started = time.monotonic()
    for i in range(args.runs):
        r = run(args.seed + i, writers=args.writers)
        total += r["acknowledged"]
        failed += bool(r["problems"])
        print(f"run {i + 1:2d} seed {r['seed']:3d}: SIGKILL at {r['kill_after_s']:.3f} s, "
              f"{r['acknowledged']:5d} acknowledged changes, {r['in_flight']} in flight, "
              f"{r['items']:5d} items, {r['records']:5d} stream records, restart "
              f"{r['restart_s']:.2f} s: " + ("ok" if not r["problems"] else
                                            "; ".join(r["problems"][:5])), flush=True)
    print(f"{args.runs - failed}/{args.runs} runs kept every acknowledged write "
          f"({total} changes in all, {time.monotonic() - started:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
