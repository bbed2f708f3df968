"""Exercises of lesson 18, "Streams consumers: the KCL and AWS Lambda" (the DynamoDB deck).

Every expected answer follows from the rules the lesson teaches (batches of
at most BatchSize records in stream order, bisection of a failed batch,
replay from the last checkpoint), worked out here with arithmetic, never
read from one endpoint's reply: the lesson is judged alike on the lab and on
any other endpoint.

Examples
--------
>>> batch_sizes(23, 5)
[5, 5, 5, 5, 3]
>>> bisect_invocations(8, 5)
7
>>> q3.check(10)
q3: not quite. 10 is the lease's whole share of the stream; only the batch that was processed and never checkpointed is read again.
"""
from __future__ import annotations

from typing import Any

from ..text import plural
from .core import Exercise, ExerciseSet, Wrong
from .lesson11 import drop_lesson_tables as _drop

__all__ = ["NEEDS", "q1", "q2", "q3", "exercises", "progress", "TABLES", "VOTES", "POISON",
           "votes", "batch_sizes", "bisect_invocations", "drop_lesson_tables",
           "solution_namespace", "WRONG"]

#: The tables the lesson makes (two stream tables and the apps' lease tables).
TABLES = ("Votes", "Ballots", "counter-leases", "tally-leases")
#: Votes written in section 2 (q1's batches).
VOTES = 23
#: q1's BatchSize.
BATCH = 5
#: Section 3: eight votes, the sixth (index 5) names no candidate: a poison record.
POISON = 5
#: Section 5: the KCL app reads at most this many records a batch.
MAX_RECORDS = 5
_CANDIDATES = ("Ada", "Grace", "Linus")


def drop_lesson_tables(client: Any) -> list:
    """Delete this lesson's tables where they exist (any backend), so that the
    lesson can run again from the top; returns the names deleted."""
    return _drop(client, TABLES)


def votes(n: int = VOTES, start: int = 0) -> list[dict]:
    """The lesson's votes (low-level items): voter, candidate and date.

    >>> votes(2)
    [{'voter': {'S': 'voter-000'}, 'candidate': {'S': 'Ada'}, 'date': {'S': '2015-06-01'}}, {'voter': {'S': 'voter-001'}, 'candidate': {'S': 'Grace'}, 'date': {'S': '2015-06-01'}}]
    """
    return [{"voter": {"S": f"voter-{i:03d}"}, "candidate": {"S": _CANDIDATES[i % 3]},
             "date": {"S": "2015-06-01"}} for i in range(start, start + n)]


def batch_sizes(records: int, batch_size: int) -> list[int]:
    """The sizes of the batches one shard's ``records`` make, in order."""
    full, rest = divmod(records, batch_size)
    return [batch_size] * full + ([rest] if rest else [])


def bisect_invocations(n: int, bad: int, lo: int = 0) -> int:
    """Invocations for a batch of ``n`` records (from index ``lo``) holding
    the poison record at index ``bad``, with BisectBatchOnFunctionError and
    MaximumRetryAttempts 0: a failing batch of two or more splits in two; the
    poison alone fails once and is discarded."""
    if not lo <= bad < lo + n:
        return 1                          # a clean batch: one invocation, ok
    if n == 1:
        return 1                          # the poison alone: fails, discarded
    h = n // 2
    return 1 + bisect_invocations(h, bad, lo) + bisect_invocations(n - h, bad, lo + h)


def _number(answer: Any, what: str) -> int:
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise Wrong(f"Expected a whole number of {what}, got a {type(answer).__name__}: "
                    f"{answer!r}.")
    return answer


def _check_batches(answer: Any, expected: list) -> None:
    if isinstance(answer, (str, bytes, dict)) or not hasattr(answer, "__iter__"):
        raise Wrong(f"Expected a list of batch sizes like [5, ...], got a "
                    f"{type(answer).__name__}: {answer!r}.")
    got = list(answer)
    if got == expected:
        return
    if sorted(got) == sorted(expected):
        raise Wrong("The right sizes in the wrong order: a shard's batches come in stream "
                    "order, and only the last one can be short.")
    if sum(got) != sum(expected):
        raise Wrong(f"Those batches hold {plural(sum(got), 'record')}; {sum(expected)} votes were "
                    f"written, and each reaches the function once.")
    raise Wrong("Each batch holds at most BatchSize records; the mapping fills a batch "
                "before it starts the next.")


q1 = Exercise(
    "q1", f"{VOTES} votes, one shard, BatchSize {BATCH}: give the list of the batch sizes "
          "the function received, in order.",
    var="q1_batches",
    kind="predict",
    expected=lambda: batch_sizes(VOTES, BATCH),
    check=_check_batches,
    shown_as=["[5, 5, 5, 5, 3]"],
    hints=["A mapping reads a shard in stream order and hands over at most BatchSize "
           "records an invocation.",
           "The last batch takes what is left of the 23."],
    solution="""
        full, rest = divmod(23, 5)
        q1_batches = [5] * full + ([rest] if rest else [])
    """,
    success="Lambda hands a shard's records over in order, BatchSize at a time.",
)


def _check_invocations(answer: Any, expected: int) -> None:
    n = _number(answer, "invocations")
    if n == expected:
        return
    if n == 1:
        raise Wrong("One invocation is the first try only: it failed, and the mapping "
                    "split the batch and tried again.")
    if n == expected - 1:
        raise Wrong("Count the failed invocations too: every split starts with a batch "
                    "that failed.")
    raise Wrong(f"{n} invocations is not it: halve the failing batch until the poison "
                f"record is alone; every half is one invocation.")


q2 = Exercise(
    "q2", f"A batch of 8 votes whose record {POISON} (from 0) makes the function raise; "
          "BisectBatchOnFunctionError on, MaximumRetryAttempts 0. How many invocations "
          "until the mapping moves on?",
    var="q2_invocations",
    kind="predict",
    too_common="a one-digit number (7): outputs print digits everywhere",
    expected=lambda: bisect_invocations(8, POISON),
    check=_check_invocations,
    hints=["8 fails; it splits into 4 + 4. The half without the poison succeeds.",
           "Keep halving the failing half: 4 -> 2 + 2 -> 1 + 1. The poison alone fails "
           "once more and, with no retries, is discarded. Or read mapping.stats."],
    solution="""
        q2_invocations = poisoned.stats["invocations"]
    """,
    success="Bisection isolates the poison in log2(batch) splits; the good records all go through.",
)


def _check_replayed(answer: Any, expected: int) -> None:
    n = _number(answer, "records")
    if n == expected:
        return
    if n == 0:
        raise Wrong("The worker processed the batch but died before its checkpoint was "
                    "written: the next owner starts from the checkpoint before it.")
    if n > expected:
        raise Wrong(f"{n} is the lease's whole share of the stream; only the batch that "
                    "was processed and never checkpointed is read again.")
    raise Wrong(f"{plural(n, 'record')} is not it: the batch the worker died in had "
                f"{expected} records (max_records).")


q3 = Exercise(
    "q3", f"Processors checkpoint after each batch of {MAX_RECORDS} records. A worker dies "
          "after processing a full batch but before that batch's checkpoint is written. How "
          "many records does the worker that takes its lease process a second time?",
    var="q3_replayed",
    kind="code",
    expected=lambda: MAX_RECORDS,
    check=_check_replayed,
    hints=["The new owner reads the stream from the lease's checkpoint, after the last "
           "sequence number that was written.",
           "Count the voters in processed that appear twice."],
    solution="""
        q3_replayed = sum(1 for v in set(processed) if processed.count(v) > 1)
    """,
    success="At least once: a checkpoint after each batch bounds a replay to one batch.",
)

#: The endpoint feature each exercise needs (see ``exercises.endpoint``).
NEEDS = {"q2": "streams", "q3": "streams"}

exercises = ExerciseSet("Lesson 18 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests):
    ``seen`` (q1's events), ``poisoned`` (q2's mapping) and ``processed``
    (q3's voters, in the order the KCL processors saw them), made on a
    fresh lab service."""
    from ..dynamodb.consumers.kcl import App
    from ..dynamodb.consumers.triggers import EventSourceMapping
    from ..dynamodb.service import DynamoDB
    svc = DynamoDB(seed=18)
    client, streams = svc.client(), svc.streams_client()
    arn = client.create_table(
        TableName="Votes", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "voter", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "voter", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    client.get_waiter("table_exists").wait(TableName="Votes")
    for item in votes():
        client.put_item(TableName="Votes", Item=item)
    seen: list = []
    m = EventSourceMapping(seen.append, arn, streams_client=streams, batch_size=BATCH,
                           starting_position="TRIM_HORIZON", enabled=False)
    m.drain()

    def strict(event):
        for r in event["Records"]:
            if "candidate" not in r["dynamodb"]["NewImage"]:
                raise ValueError("a vote for nobody")
    poisoned = EventSourceMapping(strict, arn, streams_client=streams, batch_size=8,
                                  starting_position="LATEST", bisect_batch_on_function_error=True,
                                  maximum_retry_attempts=0, enabled=False)
    for i, item in enumerate(votes(8, start=100)):
        if i == POISON:
            del item["candidate"]
        client.put_item(TableName="Votes", Item=item)
    poisoned.drain()
    processed: list = []

    class Proc:
        def initialize(self, shard_id):
            pass

        def process_records(self, records, checkpointer):
            processed.extend(r["dynamodb"]["NewImage"]["voter"]["S"] for r in records)
            checkpointer.checkpoint()

        def shutdown(self, reason):
            pass
    app = App("counter", arn, Proc, client=client, streams_client=streams,
              initial_position="LATEST", max_records=MAX_RECORDS, lease_ms=1000, interval_ms=250)
    app.add_worker("w1")
    app.run(1)
    for item in votes(12, start=200):
        client.put_item(TableName="Votes", Item=item)
    app.run(1)
    app.kill_worker("w1", before_checkpoint=True)
    app.add_worker("w2")
    for _ in range(20):
        app.run(1)
        if app.caught_up():
            break
    return {"seen": seen, "poisoned": poisoned, "processed": processed}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {
    "q1": [[5, 5, 5, 5, 5], [3, 5, 5, 5, 5], "5"],
    "q2": [1, 6, 8.0],
    "q3": [0, 12, "5"],
}
