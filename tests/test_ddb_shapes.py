"""The typed requests and responses (``dynamodb/model/shapes.py``, issue 14).

The module is generated from botocore's service models; these tests hold the
committed file to the installed botocore, hold the generated classes to the
model (every structure's required members), and show mypy refusing a request
of the wrong shape.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from botocore.loaders import Loader

from dynamo_lab.dynamodb import pipeline
from dynamo_lab.dynamodb.model import _gen_shapes, shapes

ROOT = Path(__file__).resolve().parents[1]


def test_the_committed_shapes_are_those_of_the_installed_botocore():
    fresh = _gen_shapes.render()
    committed = _gen_shapes.TARGET.read_text()
    assert committed == fresh, (
        "dynamo_lab/dynamodb/model/shapes.py differs from what the installed botocore's "
        "service models give; regenerate it: python -m dynamo_lab.dynamodb.model._gen_shapes")


def test_every_operation_the_lab_answers_has_its_request_and_response_typed():
    for name in [*pipeline.OPERATIONS, *pipeline.STREAMS_OPERATIONS]:
        assert f"{name}Input" in shapes.__all__, name
        assert f"{name}Output" in shapes.__all__, name


def test_required_and_optional_members_follow_the_model():
    checked = 0
    for service, _ in _gen_shapes.SERVICES:
        model = Loader().load_service_model(service, "service-2")["shapes"]
        for name, shape in model.items():
            cls = getattr(shapes, name, None)
            if shape["type"] != "structure" or cls is None:
                continue
            assert cls.__required_keys__ == set(shape.get("required", ())), name
            assert cls.__required_keys__ | cls.__optional_keys__ == set(shape["members"]), name
            checked += 1
    assert checked > 150


def test_mypy_refuses_a_request_of_the_wrong_shape(tmp_path):
    src = tmp_path / "use_shapes.py"
    src.write_text(
        "from dynamo_lab.dynamodb.model.shapes import PutItemInput, GetRecordsOutput\n"
        "ok: PutItemInput = {'TableName': 't', 'Item': {'pk': {'S': 'a'}}}\n"
        "no_item: PutItemInput = {'TableName': 't'}\n"
        "bad_enum: PutItemInput = {'TableName': 't', 'Item': {}, 'ReturnValues': 'ALL'}\n"
        "bad_value: PutItemInput = {'TableName': 't', 'Item': {'pk': {'S': 1}}}\n"
        "rec: GetRecordsOutput = {'Records': [{'eventName': 'INSERT'}]}\n")
    r = subprocess.run([str(Path(sys.executable).parent / "mypy"), "--no-incremental",
                        "--cache-dir", "/dev/null", "--config-file", "/dev/null", str(src)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    out = r.stdout
    lines = {int(line.split(":")[1]) for line in out.splitlines()
             if line.startswith(str(src)) and ": error:" in line}
    assert lines == {3, 4, 5}, out
    assert 'Missing key "Item"' in out, out
