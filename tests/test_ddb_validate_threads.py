"""Request validation is thread-safe from the first request on.

``dynamo-lab serve`` answers learners from many threads, and the validator
compiles a checker per botocore shape on first use. A shape being compiled
used to be visible to other threads as a trampoline with nothing behind it
yet, so a second learner's request that met it got ``IndexError``, which the
pipeline answers as InternalServerError (seen under a room's load test).
"""
from __future__ import annotations

import threading
import time

from dynamo_lab.dynamodb.model import validate


def test_a_shape_half_compiled_in_one_thread_is_never_used_by_another(monkeypatch):
    shape = validate.service_model().operation_model("PutItem").input_shape
    validate._COMPILED.pop(id(shape), None)
    real = validate._compile
    compiling = threading.Event()

    def slow_compile(s):
        if s is shape:
            compiling.set()
            time.sleep(0.3)            # the first thread is half way through
        return real(s)

    monkeypatch.setattr(validate, "_compile", slow_compile)
    params = {"TableName": "Votes", "Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}
    results: dict[str, object] = {}

    def learner(name: str) -> None:
        try:
            check = validate._checker(shape)
            walk = validate._Walk()
            check(params, "", walk)
            results[name] = walk.errors
        except Exception as exc:       # the old bug: IndexError from the empty trampoline
            results[name] = exc

    first = threading.Thread(target=learner, args=("first",))
    first.start()
    assert compiling.wait(5)
    second = threading.Thread(target=learner, args=("second",))
    second.start()
    first.join()
    second.join()
    assert results == {"first": [], "second": []}
    assert validate._COMPILED[id(shape)][0] is shape and not validate._STAGED
