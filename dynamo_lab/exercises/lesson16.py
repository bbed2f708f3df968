"""Exercises of lesson 16, "Hot keys and spikes" (the DynamoDB deck).

The lesson's Votes table has 3,000 RCU and 2,000 WCU: three partitions of
1,000 RCU and 666.67 WCU. Every vote is 1,500 bytes, so a write costs 2 WCU.
One candidate, :data:`HOT`, takes all the votes; then the same votes are
spread over :data:`SUFFIXES` shard keys (``Candidate#B#0`` ...). The
checkers derive every answer from the deck's arithmetic, the per-partition
limit and the lab's model of the hash space (MD5 of the key, equal cuts),
never from one endpoint's reply, so the lesson is judged alike on the lab
and elsewhere (where nothing throttles).

Examples
--------
>>> item_bytes(vote(HOT, 1))
1500
>>> shard_spread(HOT, SUFFIXES)
{'p0': 2, 'p1': 4, 'p2': 4}
>>> q1.check(333)
q1: not quite. That is the partition's own share, 666.67 WCU. A busy partition also spends its saved burst and borrows the table's unused capacity (adaptive capacity), up to what one partition can serve.
>>> q2.evaluate(800).status
'correct'
"""
from __future__ import annotations

import hashlib
import math
from typing import Any

from ..dynamodb.capacity.throughput import BURST_SECONDS, units_per_write
from ..dynamodb.partitions.partitioning import PARTITION_MAX_WCU, PartitionMap
from .core import Exercise, ExerciseSet, Wrong, as_number
from .lesson11 import drop_lesson_tables as _drop
from .lesson15 import item_bytes

__all__ = ["q1", "q2", "q3", "exercises", "progress", "TABLES", "HOT", "SUFFIXES",
           "VOTES_RCU", "VOTES_WCU", "VOTE_BYTES", "HOURLY_WCU", "vote", "item_bytes",
           "hash_of", "votes_map", "shard_spread", "client_without_retries",
           "drop_lesson_tables", "solution_namespace", "WRONG"]

#: The tables the lesson makes; its setup cell drops them, so it can run again.
TABLES = ("Votes", "Hourly")
#: The hot key, and how many suffixes write sharding spreads it over.
HOT, SUFFIXES = "Candidate#B", 10
#: The Votes table's provisioned throughput.
VOTES_RCU, VOTES_WCU = 3000, 2000
#: Bytes of one vote (names plus values): 2 WCU a write.
VOTE_BYTES = 1500
#: The Hourly table's provisioned write capacity.
HOURLY_WCU = 2


def drop_lesson_tables(client: Any) -> list:
    """Delete this lesson's tables where they exist (any backend), so that the
    lesson can run again from the top; returns the names deleted."""
    return _drop(client, TABLES)


def vote(candidate: str, n: int) -> dict:
    """Vote number ``n`` for ``candidate`` (resource form), :data:`VOTE_BYTES` bytes:
    the key, a date and a ballot (the signed form the voter sent).

    >>> v = vote("Candidate#A", 7)
    >>> v["voter"], v["date"], item_bytes(v)
    ('voter-00007', '2026-01-01', 1500)
    """
    item = {"candidate": candidate, "voter": f"voter-{n:05d}", "date": "2026-01-01"}
    item["ballot"] = "x" * (VOTE_BYTES - item_bytes(item) - len("ballot"))
    return item


def client_without_retries() -> Any:
    """A boto3 ``dynamodb`` client on the lessons' backend with retries off:
    a throttled request raises ``ProvisionedThroughputExceededException`` at
    once instead of being retried.

    (``backend.client(retries=0)`` does this against an outside endpoint,
    but on the in-process lab it drops its options; this helper asks the
    lab's service itself.)

    >>> client_without_retries().meta.config.retries["total_max_attempts"]
    1
    """
    from ..dynamodb import backend
    if backend.endpoint() is None:
        return backend.service().client(retries=0)
    return backend.client(retries=0)


def hash_of(key: str) -> int:
    """The lab's position of a partition key: MD5 of its UTF-8 bytes, 128 bits.

    >>> f"{hash_of(HOT) >> 120:02X}"          # its first byte: in 55-AA
    '85'
    """
    return int.from_bytes(hashlib.md5(key.encode()).digest(), "big")


def votes_map() -> PartitionMap:
    """The lab's model of the Votes table's partitions (computed here, on any
    backend): three equal cuts of the hash space.

    >>> [(p.id, round(p.wcu, 2)) for p in votes_map()]
    [('p0', 666.67), ('p1', 666.67), ('p2', 666.67)]
    """
    return PartitionMap("Votes", rcu=VOTES_RCU, wcu=VOTES_WCU)


def shard_spread(base: str, suffixes: int) -> dict:
    """How many of the shard keys ``base#0`` .. ``base#{suffixes-1}`` land in
    each partition of :func:`votes_map` (partitions with none left out)."""
    pmap = votes_map()
    out: dict = {}
    for s in range(suffixes):
        pid = pmap.locate(hash_of(f"{base}#{s}")).id
        out[pid] = out.get(pid, 0) + 1
    return dict(sorted(out.items()))


# -- q1: the hot key ----------------------------------------------------------------
def _q1_expected() -> dict:
    units = units_per_write(VOTE_BYTES)
    share = VOTES_WCU / len(votes_map())
    return {"right": PARTITION_MAX_WCU // units, "share": share / units,
            "table": min(1000, VOTES_WCU // units), "one_unit": PARTITION_MAX_WCU}


def _check_q1(answer: Any, expected: dict) -> None:
    got = as_number(answer, "writes")
    if got == expected["right"]:
        return
    if abs(got - expected["share"]) <= 1:
        raise Wrong("That is the partition's own share, 666.67 WCU. A busy partition also "
                    "spends its saved burst and borrows the table's unused capacity "
                    "(adaptive capacity), up to what one partition can serve.")
    if got == expected["table"]:
        raise Wrong("The table has 2,000 WCU, but every vote for one candidate goes to one "
                    "partition, and one partition serves at most 1,000 WCU a second.")
    if got == expected["one_unit"]:
        raise Wrong("A vote is 1,500 bytes: 2 WCU, not 1.")
    raise Wrong(f"{answer!r} is not it: one partition serves at most 1,000 WCU a second, "
                f"and each vote costs {units_per_write(VOTE_BYTES)} WCU.")


q1 = Exercise(
    "q1", f"1,000 votes for {HOT} ({VOTE_BYTES:,} bytes each) arrive within one second. "
          f"With adaptive capacity, how many of them succeed?",
    var="q1_served",
    kind="predict",
    shown_as=["500 served", "500 of"],
    expected=_q1_expected,
    check=_check_q1,
    hints=["All of them go to one partition: the one that holds the hash of Candidate#B.",
           "Whatever its tokens and whatever it may borrow, a partition serves at most "
           "1,000 WCU a second; a 1,500-byte write costs 2 WCU."],
    solution="""
        wcu_per_vote = math.ceil(1500 / 1024)          # 2
        q1_served = 1000 // wcu_per_vote               # one partition: 1,000 WCU a second
    """,
    success="The table had 1,000 WCU to spare in other partitions that second.",
)


# -- q3: burst capacity -------------------------------------------------------------
def _q3_expected() -> dict:
    return {"right": BURST_SECONDS * HOURLY_WCU, "hour": 3600 * HOURLY_WCU,
            "none": HOURLY_WCU}


def _check_q3(answer: Any, expected: dict) -> None:
    got = as_number(answer, "write units")
    if got == expected["right"]:
        return
    if got == expected["hour"]:
        raise Wrong("Burst capacity keeps at most 300 seconds of unused throughput, not an "
                    "hour's.")
    if got == expected["none"]:
        raise Wrong("That is one second's worth; an idle partition saves its unused "
                    "capacity for later (burst capacity).")
    raise Wrong(f"{answer!r} is not it: seconds of unused capacity kept, times the "
                f"table's WCU.")


q3 = Exercise(
    "q3", f"The Hourly table has {HOURLY_WCU} WCU (one partition). After an idle hour, how "
          f"many write units of burst capacity has it saved?",
    var="q3_burst",
    kind="arithmetic",
    predict_first=True,
    shown_as=["600"],
    expected=_q3_expected,
    check=_check_q3,
    hints=["A partition keeps the capacity it did not use, but only the last 300 seconds "
           "of it.",
           "300 seconds times the write units a second."],
    solution=f"""
        q3_burst = 300 * {HOURLY_WCU}
    """,
    success="Enough for a short spike each hour; not for a spike every few seconds.",
)


# -- q2: write sharding -------------------------------------------------------------
def _q2_expected() -> dict:
    spread = shard_spread(HOT, SUFFIXES)
    asked = VOTES_WCU           # 1,000 votes a second, 2 WCU each
    return {"right": max(spread.values()) / SUFFIXES * asked,
            "even": asked / len(votes_map()), "per_key": asked / SUFFIXES,
            "unsharded": asked}


def _check_q2(answer: Any, expected: dict) -> None:
    got = as_number(answer, "WCU a second")
    if math.isclose(got, expected["right"], abs_tol=0.5):
        return
    if math.isclose(got, expected["even"], abs_tol=0.5):
        raise Wrong("That is a perfectly even spread; hashes are not. Count how many of the "
                    "ten shard keys land in each partition.")
    if math.isclose(got, expected["per_key"], abs_tol=0.5):
        raise Wrong("That is one shard key's load; several shard keys share a partition.")
    if math.isclose(got, expected["unsharded"], abs_tol=0.5):
        raise Wrong("That is the unsharded load, all on one partition; the suffixes spread it.")
    raise Wrong(f"{answer!r} is not it: (shard keys in the busiest partition) / "
                f"{SUFFIXES} x 2,000 WCU a second.")


q2 = Exercise(
    "q2", f"The votes for {HOT} are spread round robin over {SUFFIXES} shard keys "
          f"{HOT}#0 .. {HOT}#{SUFFIXES - 1}, still 1,000 votes (2,000 WCU) a second. How many "
          f"WCU a second is the busiest partition asked for? Use votes_map() and hash_of().",
    var="q2_busiest",
    kind="code",
    expected=_q2_expected,
    check=_check_q2,
    hints=["votes_map().locate(hash_of(key)).id names the partition of a key.",
           "Count the shard keys per partition; each key takes 1/10 of the 2,000 WCU."],
    solution=f"""
        per_partition = {{}}
        for s in range({SUFFIXES}):
            pid = votes_map().locate(hash_of(f"{HOT}#{{s}}")).id
            per_partition[pid] = per_partition.get(pid, 0) + 1
        q2_busiest = max(per_partition.values()) / {SUFFIXES} * 2000
    """,
    success="Under 1,000 WCU: no partition is asked more than it can serve.",
)

exercises = ExerciseSet("Lesson 16 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"math": math, "votes_map": votes_map, "hash_of": hash_of, "vote": vote}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {
    "q1": [333, 1000, "500"],
    "q3": [7200, 2, "600"],
    "q2": [2000 / 3, 200, 2000],
}
