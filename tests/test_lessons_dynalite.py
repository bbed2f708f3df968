"""The DynamoDB lessons on dynalite: an outside endpoint that lacks features.

dynalite (the npm package, DynamoDB on an in-memory LevelDB) has no Streams,
and cannot add a global secondary index to an existing on-demand table. Each
lesson checks its endpoint when it starts, says in plain words what will be
skipped and why, and skips only that: a cell marked ``%%needs F`` prints one
line where F is missing, never a traceback. The set-up (``dynalite_url`` in
``conftest.py``) installs dynalite from the npm registry into
``~/.cache/dynamo_lab/npm`` and starts it on a free loopback port.
"""
from __future__ import annotations

import pytest
from test_lessons_ddb import PATHS, run_on_endpoint


def test_the_probe_sees_what_dynalite_lacks(dynalite_url):
    from dynamo_lab.dynamodb.wire.connect import connect, connect_streams
    from dynamo_lab.exercises.endpoint import FEATURES, probe

    here = probe(connect(dynalite_url), None, list(FEATURES),
                 streams_client=connect_streams(dynalite_url))
    assert here.missing(list(FEATURES)) == ["internals", "streams", "gsi_update", "lab_events"]
    assert here.why["streams"].startswith("ListStreams: ")
    assert here.why["gsi_update"] == "UpdateTable: ValidationException"
    assert "dynamo_lab_probe" not in connect(dynalite_url).list_tables()["TableNames"]


@pytest.mark.notebooks
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_lesson_runs_on_dynalite(path, dynalite_url, monkeypatch):
    """Once per lesson (the moto test already runs each twice)."""
    run_on_endpoint(path, dynalite_url, monkeypatch, runs=1)
