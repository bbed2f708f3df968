"""The shape of the code, held by tools inside the suite (issue 14).

* import-linter: DESIGN's layers over the whole package, views that import
  engines only through pure value modules, and the DynamoDB service's own
  layers (``[tool.importlinter]`` in pyproject.toml);
* ruff over the whole tree (``[tool.ruff]``);
* mypy on ``dynamo_lab/dynamodb`` and ``dynamo_lab/sim`` (``[tool.mypy]``);
* the façade shows only its documented names;
* botocore is inside the tested range, and every private botocore internal
  the lab's in-process clients rely on is still where the lab expects it.

Each tool runs from the virtual environment that runs the tests, in the
repository root, so the configuration is pyproject.toml's.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name: str, *args: str) -> subprocess.CompletedProcess:
    exe = BIN / name
    if not exe.exists():
        pytest.fail(f"{name} is not installed next to {sys.executable}; "
                    "install the test extra: pip install -e '.[test]'")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=600)


def test_import_contracts_hold():
    r = _tool("lint-imports", "--no-cache")
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "BROKEN" not in r.stdout and r.stdout.count("KEPT") >= 3


def test_ruff_passes_on_the_tree():
    r = _tool("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


def test_mypy_passes_on_the_service_and_the_substrate():
    r = _tool("mypy", "--no-incremental", "--cache-dir", os.devnull)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]


FACADE = {"client", "resource", "streams_client", "run", "sim",
          "log", "partitions", "partition_map", "table_capacity", "split_partition",
          "set_partition_size_limit", "replicas", "storage_nodes", "crash_node",
          "recover_node", "gsi_lag", "streams", "metrics", "index_options",
          "replication_options"}


def test_the_facade_shows_only_its_documented_names():
    code = ("import dynamo_lab; "
            "print(sorted(n for n in dir(dynamo_lab.DynamoDB(seed=0)) if not n.startswith('_')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert set(eval(out)) == FACADE                      # noqa: S307 - our own output
    from dynamo_lab.dynamodb import service
    for name in FACADE:
        assert getattr(service.DynamoDB, name).__doc__, f"DynamoDB.{name} has no docstring"


def test_botocore_is_in_the_tested_range():
    from dynamo_lab.dynamodb.wire import botocore_pin
    botocore_pin.check_version()


def test_the_private_botocore_internals_the_lab_uses_are_where_it_expects():
    from dynamo_lab.dynamodb.wire import botocore_pin
    missing = botocore_pin.missing_internals()
    assert not missing, ("botocore moved internals the lab's in-process clients rely on:\n  "
                         + "\n  ".join(missing))


def test_a_moved_internal_is_named_clearly(monkeypatch):
    import botocore.handlers

    from dynamo_lab.dynamodb.wire import botocore_pin
    monkeypatch.delattr(botocore.handlers, "generate_idempotent_uuid")
    missing = botocore_pin.missing_internals()
    assert any("botocore.handlers.generate_idempotent_uuid" in m for m in missing)
