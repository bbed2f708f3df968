"""Exercises of lesson 19, "Real-time voting" (the DynamoDB deck's capstone).

The election's ballots come from :func:`ballots` (seeded, the same on every
backend); the helpers read sharded counters back (:func:`read_results`),
draw the live results (:func:`results_figure`) and let time pass for the
stream consumers (:func:`run_for`). Every expected answer comes from
DynamoDB's documented rules (the 1,000 WCU a second a partition serves, the
4 KB read unit, Lambda's stream record shape), never from one endpoint's
reply, so the lesson is judged alike on the lab and on moto.

Examples
--------
>>> b = ballots(1, 5)
>>> [v["voter"] for v in b], len(tally(ballots(1, 1400)))
(['V100001', 'V100002', 'V100003', 'V100004', 'V100005'], 5)
>>> shard_key("Pluto", "V100007"), len(counter_keys(sharded=True))
('Pluto#7', 50)
>>> q1.check(4)
q1: not quite. 4 shards take 1,125 votes a second each: over the 1,000 WCU a second one partition serves. Round up.
"""
from __future__ import annotations

import math
import random
from decimal import Decimal
from typing import Any

from ..text import plural
from .core import Exercise, ExerciseSet, Wrong, as_number, known_mistake
from .lesson11 import drop_lesson_tables as _drop

__all__ = ["q1", "q2", "q3", "exercises", "progress", "TABLES", "CANDIDATES", "WEIGHTS",
           "HOT", "DATE", "SHARDS", "ROUNDS", "PARTITION_WCU", "votes_per_round", "ballots",
           "tally", "shard_key", "counter_keys", "read_results", "function_client",
           "run_for", "results_figure", "LiveResults", "stream_record", "delta_solution", "drop_lesson_tables",
           "solution_namespace", "WRONG"]

#: The tables the lesson makes; its setup cell drops them, so it can run again.
TABLES = ("Votes", "VoteCounts", "VoteShards")
#: Where should the next mission go? (The deck's stream example flies John to Pluto.)
CANDIDATES = ("Mars", "Venus", "Pluto", "Jupiter", "Saturn")
#: Each ballot's chance of naming each candidate: Pluto is the hot key.
WEIGHTS = (0.02, 0.02, 0.92, 0.02, 0.02)
HOT = "Pluto"
#: Election day: the aggregate table counts per candidate and date.
DATE = "2026-11-03"
#: Counter shards per candidate in the write-sharded aggregate table.
SHARDS = 10
#: Rounds of voting, one second each.
ROUNDS = 3
#: The most a partition serves a second: 1,000 WCU (and 3,000 RCU).
PARTITION_WCU = 1000


def drop_lesson_tables(client: Any) -> list:
    """Delete this lesson's tables where they exist (any backend), so that the
    lesson can run again from the top; returns the names deleted."""
    return _drop(client, TABLES)


def votes_per_round(outside: bool) -> int:
    """Ballots cast a round: 1,400 on the lab, whose virtual second holds them
    (Pluto's share is over the 1,000 WCU a partition serves); 20 on an outside
    endpoint, where a notebook's requests come far slower than that anyway.

    >>> votes_per_round(False), votes_per_round(True)
    (1400, 20)
    """
    return 20 if outside else 1400


def ballots(round_no: int, n: int) -> list[dict]:
    """Round ``round_no``'s ``n`` ballots (resource form), seeded by the round:
    ``voter`` (one vote each), ``candidate``, ``date``.

    >>> [b["candidate"] for b in ballots(2, 4)]
    ['Pluto', 'Pluto', 'Pluto', 'Pluto']
    """
    rng = random.Random(f"lesson19:ballots:{round_no}")
    picks = rng.choices(CANDIDATES, WEIGHTS, k=n)
    return [{"voter": f"V{round_no}{i:05d}", "candidate": c, "date": DATE}
            for i, c in enumerate(picks, 1)]


def tally(votes: list[dict]) -> dict:
    """Votes per candidate, every candidate present, in :data:`CANDIDATES` order.

    >>> tally([{"candidate": "Mars"}])["Mars"], list(tally([]))[:2]
    (1, ['Mars', 'Venus'])
    """
    out = {c: 0 for c in CANDIDATES}
    for v in votes:
        out[v["candidate"]] += 1
    return out


def shard_key(candidate: str, voter: str) -> str:
    """The write-sharded counter key of a vote: ``candidate#N``, N from the
    voter id (so a vote always lands on the same shard, retried or not).

    >>> shard_key("Mars", "V300010"), shard_key("Mars", "V300019")
    ('Mars#0', 'Mars#9')
    """
    return f"{candidate}#{int(voter.lstrip('V')) % SHARDS}"


def counter_keys(sharded: bool) -> list[dict]:
    """The keys (low-level form) holding the counts of every candidate on
    :data:`DATE`: one per candidate, or :data:`SHARDS` per candidate."""
    names = [f"{c}#{n}" for c in CANDIDATES for n in range(SHARDS)] if sharded else list(CANDIDATES)
    return [{"candidate": {"S": k}, "date": {"S": DATE}} for k in names]


def read_results(client: Any, table: str, sharded: bool = False) -> dict:
    """The live results from an aggregate table: BatchGetItem (100 keys a
    request, unprocessed keys asked again) and, for a sharded table, the
    shards summed at read time. Eventually consistent, like any dashboard.

    Examples
    --------
    >>> from dynamo_lab.dynamodb.service import DynamoDB
    >>> c = DynamoDB(seed=0, create_ms=0).client()
    >>> _ = c.create_table(TableName="Agg", BillingMode="PAY_PER_REQUEST",
    ...     KeySchema=[{"AttributeName": "candidate", "KeyType": "HASH"},
    ...                {"AttributeName": "date", "KeyType": "RANGE"}],
    ...     AttributeDefinitions=[{"AttributeName": "candidate", "AttributeType": "S"},
    ...                           {"AttributeName": "date", "AttributeType": "S"}])
    >>> for k in ("Mars#1", "Mars#7"):
    ...     _ = c.put_item(TableName="Agg", Item={"candidate": {"S": k},
    ...                    "date": {"S": DATE}, "votes": {"N": "2"}})
    >>> read_results(c, "Agg", sharded=True)["Mars"]
    4
    """
    keys = counter_keys(sharded)
    out = {c: 0 for c in CANDIDATES}
    for i in range(0, len(keys), 100):
        ask = {table: {"Keys": keys[i:i + 100]}}
        while ask:
            got = client.batch_get_item(RequestItems=ask)
            for item in got["Responses"].get(table, []):
                out[item["candidate"]["S"].split("#")[0]] += int(item["votes"]["N"])
            ask = got.get("UnprocessedKeys") or {}
    return out


def function_client() -> Any:
    """A ``dynamodb`` client for the aggregation function, with botocore's
    retries off (``retries=0``): a throttled write raises at once, and the
    function decides what to do (Lambda retries the batch).

    (``backend.client(retries=0)`` passes the option to outside endpoints
    only; on the lab this asks the service for such a client itself.)
    """
    from ..dynamodb import backend
    if backend.endpoint() is None:
        return backend.service().client(retries=0)
    return backend.client(retries=0)


def run_for(ms: int, *mappings: Any) -> None:
    """Let ``ms`` of time pass for the stream consumers. On the lab, virtual
    time passes (``ddb.run(ms=...)``) and each mapping polls by itself, as
    Lambda does, every 250 ms; on an outside endpoint, each mapping polls
    until it has caught up with its stream."""
    from ..dynamodb import backend
    if backend.endpoint() is None:
        backend.service().run(ms=ms)
    else:
        for m in mappings:
            m.drain()


def results_figure(cast: dict, counted: dict, title: str):
    """The live results: a plotly bar chart, per candidate, of the votes cast
    and of what each aggregate table counts (``counted``: label -> counts).

    >>> fig = results_figure({"Mars": 3}, {"one key": {"Mars": 2}}, "round 1")
    >>> [(t.name, list(t.y)) for t in fig.data]
    [('votes cast', [3]), ('one key', [2])]
    """
    import plotly.graph_objects as go
    names = list(cast)
    fig = go.Figure([go.Bar(name="votes cast", x=names, y=[cast[c] for c in names],
                            marker_color="#b0b7c3")]
                    + [go.Bar(name=label, x=names, y=[counts.get(c, 0) for c in names])
                       for label, counts in counted.items()])
    fig.update_layout(barmode="group", title=title, height=340, width=720,
                      yaxis_title="votes", margin=dict(l=50, r=20, t=50, b=40))
    return fig


class LiveResults:
    """One live-results chart, redrawn in place each round: a plotly
    ``FigureWidget`` (``widget``, to display once) whose bars :meth:`update`
    changes, instead of a new chart a round.

    >>> live = LiveResults(["one key"])
    >>> live.update({"Mars": 3}, {"one key": {"Mars": 2}}, "round 1")
    >>> [(t.name, list(t.y)) for t in live.widget.data], live.widget.layout.title.text
    ([('votes cast', [3]), ('one key', [2])], 'round 1')
    """

    def __init__(self, labels, title: str = "waiting for the first round") -> None:
        import plotly.graph_objects as go
        self.labels = list(labels)
        self.widget = go.FigureWidget(results_figure({}, {k: {} for k in self.labels}, title))

    def update(self, cast: dict, counted: dict, title: str) -> None:
        """Redraw the bars: votes ``cast`` and each table's ``counted``."""
        fig = results_figure(cast, {k: counted.get(k, {}) for k in self.labels}, title)
        with self.widget.batch_update():
            for trace, new in zip(self.widget.data, fig.data):
                trace.x, trace.y = new.x, new.y
            self.widget.layout.title.text = title


def stream_record(event_name: str, new: str | None = None, old: str | None = None,
                  voter: str = "V100001") -> dict:
    """A DynamoDB stream record as Lambda hands it over (NEW_AND_OLD_IMAGES):
    a vote for ``new`` (INSERT), changed from ``old`` to ``new`` (MODIFY), or
    ``old`` withdrawn (REMOVE).

    >>> r = stream_record("MODIFY", new="Mars", old="Pluto")
    >>> r["eventName"], r["dynamodb"]["OldImage"]["candidate"], r["dynamodb"]["NewImage"]["candidate"]
    ('MODIFY', {'S': 'Pluto'}, {'S': 'Mars'})
    """
    def image(candidate: str) -> dict:
        return {"voter": {"S": voter}, "candidate": {"S": candidate}, "date": {"S": DATE}}
    body: dict = {"Keys": {"voter": {"S": voter}}, "SequenceNumber": "100000000000000000001",
                  "SizeBytes": 60, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if new is not None:
        body["NewImage"] = image(new)
    if old is not None:
        body["OldImage"] = image(old)
    return {"eventID": "1", "eventName": event_name, "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": "us-east-1", "dynamodb": body}


# -- q1: how many shards ------------------------------------------------------------
_PEAK = 4500


def _check_shards(answer: Any, expected: int) -> None:
    if isinstance(answer, bool) or not isinstance(answer, (int, float, Decimal)):
        raise Wrong(f"Expected a number of shards, got a {type(answer).__name__}: {answer!r}.")
    if answer != int(answer):
        raise Wrong(f"{answer!r} is not a whole number of shards: round up.")
    n = int(answer)
    if n == expected:
        return
    if n < expected:
        if n < 1:
            raise Wrong(f"{n} shards take no votes at all: divide the peak by what one "
                        f"partition serves, 1,000 WCU a second, and round up.")
        load = (f"1 shard takes all {_PEAK:,.0f} votes a second" if n == 1 else
                f"{plural(n, 'shard')} take {_PEAK / n:,.0f} votes a second each")
        raise Wrong(f"{load}: over the 1,000 WCU a second one partition serves. Round up.")
    raise Wrong(f"{n} shards would do, but so would fewer: {expected} shards of "
                f"{_PEAK / expected:,.0f} votes a second each stay within 1,000 WCU.")


q1 = Exercise(
    "q1", "At its peak, Pluto gets 4,500 votes a second; each vote is one UpdateItem of "
          "a counter item under 1 KB. A partition serves at most 1,000 WCU a second. "
          "What is the smallest number of shards per candidate so that no single shard "
          "key needs more than one partition can give?",
    var="q1_shards",
    kind="arithmetic",
    expected=lambda: math.ceil(_PEAK / PARTITION_WCU),
    check=_check_shards,
    hints=["One update of an item under 1 KB costs 1 WCU; a shard key gets 1/N of the votes.",
           "N = 4,500 / 1,000, rounded up. (In practice pick more: shards land on "
           "partitions by their hash, and two may share one.)"],
    solution="""
        q1_shards = math.ceil(4500 / 1000)
    """,
    success="The minimum; the lesson uses 10, because shard keys land on partitions by "
            "hash, and two of them may share a partition.",
)


# -- q2: what a stream record changes -------------------------------------------------
def delta_solution(record: dict) -> dict:
    """What one Votes stream record changes in the counts (the q2 solution).

    >>> delta_solution(stream_record("MODIFY", new="Mars", old="Pluto"))
    {'Pluto': -1, 'Mars': 1}
    """
    change: dict = {}
    images = record["dynamodb"]
    if record["eventName"] in ("MODIFY", "REMOVE"):
        old = images["OldImage"]["candidate"]["S"]
        change[old] = change.get(old, 0) - 1
    if record["eventName"] in ("INSERT", "MODIFY"):
        new = images["NewImage"]["candidate"]["S"]
        change[new] = change.get(new, 0) + 1
    return {k: v for k, v in change.items() if v}


_CASES = [("INSERT", "Mars", None), ("MODIFY", "Venus", "Pluto"), ("REMOVE", None, "Saturn"),
          ("MODIFY", "Pluto", "Pluto")]


def _delta_cases() -> list:
    return [(name, new, old, delta_solution(stream_record(name, new=new, old=old)))
            for name, new, old in _CASES]


def _check_delta(answer: Any, expected: list) -> None:
    if not callable(answer):
        raise Wrong(f"Expected a function delta(record) -> dict, got a "
                    f"{type(answer).__name__}: {answer!r}.")
    for name, new, old, want in expected:
        record = stream_record(name, new=new, old=old)
        try:
            got = answer(record)
        except KeyError as e:
            raise Wrong(f"On a {name} record your function raised KeyError {e}: a "
                        f"{name} record has "
                        + {"INSERT": "NewImage only", "REMOVE": "OldImage only",
                           "MODIFY": "both images"}[name] + ".") from None
        got = {k: v for k, v in dict(got or {}).items() if v}
        if got != want:
            what = f"from {old} to {new}" if name == "MODIFY" else (new or old)
            raise Wrong(f"{'An' if name[0] in 'AEIOU' else 'A'} {name} record ({what}) should change the counts by {want}, "
                        f"not {got}.")


q2 = Exercise(
    "q2", "Voters may change or withdraw their vote (PutItem again, DeleteItem). Write "
          "delta(record): given one Votes stream record (NEW_AND_OLD_IMAGES), return "
          "the change to the counts, e.g. {'Pluto': -1, 'Mars': 1}.",
    var="q2_delta",
    kind="code",
    expected=_delta_cases,
    check=_check_delta,
    hints=["record['eventName'] is INSERT, MODIFY or REMOVE; the candidate is "
           "record['dynamodb']['NewImage']['candidate']['S'] (or OldImage).",
           "MODIFY takes one from the old candidate and gives one to the new; a vote "
           "changed to the same candidate changes nothing."],
    solution="""
        def q2_delta(record):
            change = {}
            if record["eventName"] in ("MODIFY", "REMOVE"):
                old = record["dynamodb"]["OldImage"]["candidate"]["S"]
                change[old] = change.get(old, 0) - 1
            if record["eventName"] in ("INSERT", "MODIFY"):
                new = record["dynamodb"]["NewImage"]["candidate"]["S"]
                change[new] = change.get(new, 0) + 1
            return {k: v for k, v in change.items() if v}
    """,
    success="That is why the Votes stream keeps NEW_AND_OLD_IMAGES: a change of vote "
            "needs the old image to take the vote back.",
)


# -- q3: what the sharded read costs ------------------------------------------------
def _read_rcu() -> dict:
    n = len(counter_keys(sharded=True))
    return {"right": n * 0.5, "consistent": n * 1.0, "one_key": len(CANDIDATES) * 0.5,
            "summed": math.ceil(n * 100 / 4096) * 0.5}


def _check_read(answer: Any, expected: dict) -> None:
    a = as_number(answer, "read capacity units")
    if math.isclose(a, expected["right"]):
        return
    known_mistake(a, expected, {
        "consistent": "That is the strongly consistent price; BatchGetItem reads eventually "
                      "consistent unless asked, at half a unit per item.",
        "one_key": "That reads one counter per candidate: the sharded table has "
                   f"{SHARDS} per candidate, and the read sums them all."})
    raise Wrong(f"{answer!r} is not it: BatchGetItem, like GetItem, rounds each item up to "
                f"4 KB: half a unit per item, eventually consistent, for "
                f"{len(CANDIDATES)} x {SHARDS} items.")


q3 = Exercise(
    "q3", "Without asking the service: how many read capacity units does one read of "
          "the live results from VoteShards consume (every shard of every candidate, "
          "BatchGetItem, eventually consistent, each counter item well under 4 KB)?",
    var="q3_rcu",
    kind="arithmetic",
    expected=_read_rcu,
    check=_check_read,
    hints=["BatchGetItem charges each item as a GetItem would: its size rounded up to 4 KB.",
           "counter_keys(sharded=True) lists the items; eventually consistent is half a "
           "unit each."],
    solution="""
        q3_rcu = len(counter_keys(sharded=True)) * 0.5
    """,
    success="Write sharding moves cost to the read: ten times the items per candidate. "
            "Cheap for a dashboard read once a second, not for every page view: cache it.",
)

exercises = ExerciseSet("Lesson 19 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests)."""
    return {"math": math, "counter_keys": counter_keys, "stream_record": stream_record}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {
    "q1": [4, 45, 4.5, "5"],
    "q2": ["INSERT", lambda r: {r["dynamodb"]["NewImage"]["candidate"]["S"]: 1},
           lambda r: {}],
    "q3": [2.5, 50.0, 12.5, "25"],
}
