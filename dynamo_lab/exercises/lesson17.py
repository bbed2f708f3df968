"""Exercises of lesson 17, "DynamoDB Streams" (the DynamoDB deck).

The lesson writes the deck's John, Mars and Pluto example to one table per
stream view type, then runs the deck's voting example: a ``Voters`` table
(voter, candidate, date) with a stream, read through ``GetShardIterator``
and ``GetRecords`` by a consumer that keeps counts per candidate and date.
The checkers derive every answer from DynamoDB's documented stream rules
and the lesson's fixed list of votes (:data:`VOTES`, :data:`CHANGES`),
never from one endpoint's reply, so the lesson is judged alike on the lab
and elsewhere.

Examples
--------
>>> expected_counts()[("Candidate#A", "2026-01-01")]
6
>>> q1.check("NEW_AND_OLD_IMAGES")
q1: not quite. NEW_AND_OLD_IMAGES carries Pluto too (the new image).
>>> q2.evaluate((4, 5)).status
'correct'
"""
from __future__ import annotations

from typing import Any

from ..text import noun
from .core import Exercise, ExerciseSet, Wrong, expect_choice
from .lesson11 import drop_lesson_tables as _drop

__all__ = ["NEEDS", "q1", "q2", "q3", "exercises", "progress", "TABLES", "VIEW_TYPES", "TRIP_TABLES",
           "VOTES", "CHANGES", "REMOVED", "expected_counts", "read_stream", "shards_of",
           "drop_lesson_tables", "solution_namespace", "WRONG"]

VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
#: One table per view type for the John / Mars / Pluto example.
TRIP_TABLES = {"KEYS_ONLY": "TripsKeysOnly", "NEW_IMAGE": "TripsNewImage",
               "OLD_IMAGE": "TripsOldImage", "NEW_AND_OLD_IMAGES": "TripsNewAndOldImages"}
#: The tables the lesson makes; its setup cell drops them, so it can run again.
TABLES = tuple(TRIP_TABLES.values()) + ("Voters",)

#: The first votes: (voter, candidate, date).
VOTES = [(f"voter-{n:02d}", f"Candidate#{'ABACBACABCAB'[n % 12]}",
          "2026-01-01" if n < 14 else "2026-01-02") for n in range(20)]
#: Voters who change their vote later: (voter, new candidate). Same date.
CHANGES = [("voter-01", "Candidate#A"), ("voter-04", "Candidate#C"),
           ("voter-15", "Candidate#A"), ("voter-18", "Candidate#C")]
#: Voters whose vote is withdrawn (deleted) at the end.
REMOVED = ["voter-07", "voter-16"]


def drop_lesson_tables(client: Any) -> list:
    """Delete this lesson's tables where they exist (any backend), so that the
    lesson can run again from the top; returns the names deleted."""
    return _drop(client, TABLES)


def expected_counts() -> dict:
    """Votes per (candidate, date) after :data:`VOTES`, :data:`CHANGES` and
    :data:`REMOVED`, pairs with no votes left out.

    >>> sum(expected_counts().values()) == len(VOTES) - len(REMOVED)
    True
    """
    current = {v: (c, d) for v, c, d in VOTES}
    for voter, candidate in CHANGES:
        current[voter] = (candidate, current[voter][1])
    for voter in REMOVED:
        del current[voter]
    out: dict = {}
    for pair in current.values():
        out[pair] = out.get(pair, 0) + 1
    return dict(sorted(out.items()))


def shards_of(streams: Any, arn: str) -> list:
    """Every shard of the stream ``arn`` (DescribeStream, all pages)."""
    out, start = [], None
    while True:
        kw = {"ExclusiveStartShardId": start} if start else {}
        d = streams.describe_stream(StreamArn=arn, **kw)["StreamDescription"]
        out += d["Shards"]
        start = d.get("LastEvaluatedShardId")
        if not start:
            return out


def read_stream(streams: Any, arn: str) -> list:
    """Every record of the stream ``arn``, each shard read from its oldest
    record (``TRIM_HORIZON``) with ``GetRecords`` until it has no more, and
    every shard only after its parent, as the Kinesis Client Library does:
    so each item's changes come in the order they were made, across splits.

    Parameters
    ----------
    streams : a boto3 ``dynamodbstreams`` client
    arn : str
        The stream's ARN (``LatestStreamArn`` of DescribeTable).
    """
    shards = shards_of(streams, arn)
    ids = {s["ShardId"] for s in shards}
    done: set = set()
    records: list = []
    while len(done) < len(shards):
        for s in shards:
            sid, parent = s["ShardId"], s.get("ParentShardId")
            if sid in done or (parent in ids and parent not in done):
                continue
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid,
                                            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                page = streams.get_records(ShardIterator=it)
                records += page["Records"]
                it = page.get("NextShardIterator")
                if not page["Records"]:
                    break          # an open shard has nothing more for now
            done.add(sid)
    return records


# -- q1: view types ---------------------------------------------------------------
q1 = Exercise(
    "q1", "John's Destination changes from Mars to Pluto. Which stream view type gives "
          "a MODIFY record that carries Mars but not Pluto?",
    var="q1_view",
    kind="predict",
    shown_as=["OLD_IMAGE"],
    expected="OLD_IMAGE",
    check=expect_choice(VIEW_TYPES, "view type", why={
        "KEYS_ONLY": "KEYS_ONLY carries only the key, Name=John: no Mars.",
        "NEW_IMAGE": "NEW_IMAGE carries the item as it is after the change: Pluto.",
        "NEW_AND_OLD_IMAGES": "NEW_AND_OLD_IMAGES carries Pluto too (the new image).",
    }),
    hints=["Mars is what John's item held before the change.",
           "The view types are KEYS_ONLY, NEW_IMAGE, OLD_IMAGE and NEW_AND_OLD_IMAGES."],
    solution="""
        q1_view = "OLD_IMAGE"     # the item as it was before the change
    """,
    success="The old image is the item before the write.",
)


# -- q2: shards and lineage -------------------------------------------------------
def _check_q2(answer: Any, expected: tuple) -> None:
    if isinstance(answer, (str, bytes, dict)) or not hasattr(answer, "__len__") \
            or len(answer) != 2:
        raise Wrong(f"Expected a pair (open shards, shards to read), got {answer!r}.")
    open_, total = answer
    if (open_, total) == expected:
        return
    if open_ != expected[0]:
        raise Wrong(f"{open_!r} open {noun(open_, 'shard')} is not it: the split closed one shard and "
                    f"opened two children; the other two shards stay open.")
    raise Wrong(f"{total!r} {noun(total, 'shard')} to read is not it: the parent's shard closed at the "
                f"split, but its records stay readable (24 hours) and come first.")


q2 = Exercise(
    "q2", "A table's stream has 3 open shards. One of them splits in two. How many "
          "shards are open now, and how many must a reader read to see every record "
          "written before and after the split? Give (open, to_read).",
    var="q2_shards",
    kind="arithmetic",
    expected=(4, 5),
    check=_check_q2,
    hints=["A split closes the parent shard (no new records) and opens two children "
           "whose ParentShardId names it.",
           "A closed shard's records stay readable for 24 hours; section 4's reader "
           "reads the parent before its children."],
    solution="""
        open_after = 3 - 1 + 2
        q2_shards = (open_after, open_after + 1)   # + the closed parent
    """,
    success="A reader follows ParentShardId: the closed parent first, then its children.",
)


# -- q3: the voting aggregate -----------------------------------------------------
def _check_q3(answer: Any, expected: dict) -> None:
    if not isinstance(answer, dict):
        raise Wrong(f"Expected a dict {{(candidate, date): votes}}, got a "
                    f"{type(answer).__name__}.")
    got = {k: v for k, v in answer.items() if v}
    bad = [k for k in got if not (isinstance(k, tuple) and len(k) == 2)]
    if bad:
        raise Wrong(f"Keys are pairs (candidate, date), like ('Candidate#A', '2026-01-01'); "
                    f"got {bad[0]!r}.")
    if got == expected:
        return
    if got == _only_inserts():
        raise Wrong("Those are the first votes only (the INSERTs): a MODIFY moves a vote from "
                    "the old image's candidate to the new image's, and a REMOVE takes one away.")
    if sum(got.values()) == len(VOTES) + len(CHANGES):
        raise Wrong("A MODIFY moves a vote: take one from the old image's candidate, add "
                    "one to the new image's.")
    if sum(got.values()) == len(VOTES):
        raise Wrong("Each REMOVE takes a vote away (from the old image's candidate).")
    diff = sorted(k for k in set(got) | set(expected) if got.get(k) != expected.get(k))
    raise Wrong(f"The count for {diff[0]!r} is {got.get(diff[0], 0)}, not right: INSERT adds "
                f"one to the new image, REMOVE takes one from the old, MODIFY does both.")


q3 = Exercise(
    "q3", "Read the Voters stream (read_stream(streams, voters_arn)) and count the votes "
          "per (candidate, date): INSERT, MODIFY and REMOVE records, with their images. "
          "Give a dict {(candidate, date): votes}.",
    var="q3_counts",
    kind="code",
    expected=expected_counts,
    check=_check_q3,
    hints=["For each record: if it has an OldImage, take one from (old candidate, date); "
           "if it has a NewImage, add one to (new candidate, date).",
           "r['dynamodb']['OldImage']['candidate']['S'] is the old candidate."],
    solution="""
        q3_counts = {}
        for r in read_stream(streams, voters_arn):
            for image, delta in (("OldImage", -1), ("NewImage", +1)):
                img = r["dynamodb"].get(image)
                if img:
                    pair = (img["candidate"]["S"], img["date"]["S"])
                    q3_counts[pair] = q3_counts.get(pair, 0) + delta
        q3_counts = {k: v for k, v in q3_counts.items() if v}
    """,
    success="That is the deck's aggregation: a stream consumer keeps the live results.",
)

#: The endpoint feature each exercise needs (see ``exercises.endpoint``).
NEEDS = {"q3": "streams"}

exercises = ExerciseSet("Lesson 17 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests): a
    fresh lab service with the Voters table, its votes, changes and removals."""
    from ..dynamodb.service import DynamoDB
    svc = DynamoDB(seed=17)
    client, streams = svc.client(), svc.streams_client()
    client.create_table(TableName="Voters", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "voter", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "voter", "AttributeType": "S"}],
                        StreamSpecification={"StreamEnabled": True,
                                             "StreamViewType": "NEW_AND_OLD_IMAGES"})
    client.get_waiter("table_exists").wait(TableName="Voters")
    table = svc.resource().Table("Voters")
    for voter, candidate, date in VOTES:
        table.put_item(Item={"voter": voter, "candidate": candidate, "date": date})
    for voter, candidate in CHANGES:
        table.update_item(Key={"voter": voter}, UpdateExpression="SET candidate = :c",
                          ExpressionAttributeValues={":c": candidate})
    for voter in REMOVED:
        table.delete_item(Key={"voter": voter})
    arn = client.describe_table(TableName="Voters")["Table"]["LatestStreamArn"]
    return {"streams": streams, "voters_arn": arn, "read_stream": read_stream}


def _only_inserts() -> dict:
    out: dict = {}
    for _, c, d in VOTES:
        out[(c, d)] = out.get((c, d), 0) + 1
    return out


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {
    "q1": ["NEW_AND_OLD_IMAGES", "NEW_IMAGE", "KEYS_ONLY"],
    "q2": [(3, 3), (4, 4), 4],
    "q3": [_only_inserts(), {}, [("Candidate#A", "2026-01-01")]],
}
