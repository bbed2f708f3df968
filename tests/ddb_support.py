"""Shared helpers for the DynamoDB wire tests: a ``dynamo-lab serve``
subprocess that is always stopped, boto3 clients with placeholder keys, and
unique table names. Imported by tests/test_ddb_*.py and tests/ddb_conformance.
"""
from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import boto3
from botocore.config import Config

BIN = Path(sys.executable).parent
REGION = "us-east-1"
DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "fakeMyKeyId",
    "AWS_SECRET_ACCESS_KEY": "fakeSecretAccessKey",
    "AWS_DEFAULT_REGION": REGION,
}
# No retries: a test must see the first answer, and never sleep on a backoff.
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                  connect_timeout=10, read_timeout=60)

_URL = re.compile(r"listening on (http://\S+)")
_names = itertools.count()


def unique(prefix: str = "t") -> str:
    """A table name no other test (or earlier run on a kept server) uses."""
    return f"{prefix}-{next(_names)}-{uuid.uuid4().hex[:8]}"


def boto_client(url: str, service: str = "dynamodb"):
    return boto3.session.Session().client(
        service, endpoint_url=url, region_name=REGION, config=NO_RETRY,
        aws_access_key_id=DUMMY_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_ENV["AWS_SECRET_ACCESS_KEY"])


def boto_resource(url: str):
    return boto3.session.Session().resource(
        "dynamodb", endpoint_url=url, region_name=REGION, config=NO_RETRY,
        aws_access_key_id=DUMMY_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_ENV["AWS_SECRET_ACCESS_KEY"])


class ServeProcess:
    """``dynamo-lab serve --port 0`` in a subprocess.

    ``console=True`` runs the installed console script, otherwise
    ``python -m dynamo_lab.cli``. Use as a context manager, or call
    :meth:`stop` in a ``finally``: the process is always ended.
    """

    def __init__(self, *args: str, console: bool = False, startup: float = 60.0) -> None:
        script = BIN / "dynamo-lab"
        if console and script.exists():
            cmd = [str(script)]
        else:
            cmd = [sys.executable, "-m", "dynamo_lab.cli"]
        self.cmd = cmd + ["serve", "--port", "0", *args]
        self._err = tempfile.TemporaryFile(mode="w+")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=self._err,
                                     stdin=subprocess.DEVNULL, text=True, env=env)
        self.first_line = ""
        self.url = ""
        # One thread reads stdout line by line (select() on a buffered pipe
        # misses lines already read into the buffer, and communicate() with a
        # timeout reads the raw pipe, so lines after the first were lost).
        self._lines: list[str] = []
        self._got_line = threading.Condition()
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        try:
            self._await_url(startup)
        except BaseException:
            self.kill()
            raise

    def _read_stdout(self) -> None:
        for line in self.proc.stdout:
            with self._got_line:
                self._lines.append(line)
                self._got_line.notify_all()
        with self._got_line:
            self._lines.append("")            # end of output
            self._got_line.notify_all()

    def _await_url(self, startup: float) -> None:
        deadline = time.monotonic() + startup
        seen = 0
        with self._got_line:
            while time.monotonic() < deadline:
                while seen < len(self._lines):
                    line = self._lines[seen]
                    seen += 1
                    if not line:
                        raise RuntimeError(f"dynamo-lab serve did not start: {self.stderr()}")
                    if not self.first_line:
                        self.first_line = line
                    m = _URL.search(line)
                    if m:
                        self.url = m.group(1)
                        self._url_line = seen
                        return
                self._got_line.wait(0.2)
        raise RuntimeError(f"dynamo-lab serve did not start: {self.stderr()}")

    def stderr(self) -> str:
        self._err.seek(0)
        return self._err.read()

    def stop(self, sig: int = signal.SIGINT, timeout: float = 20.0) -> tuple[int, str, str]:
        """Send ``sig``, wait, and return (exit code, stdout after the line
        that gave the URL, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.proc.wait()
        self._reader.join(timeout=5)
        with self._got_line:
            out = "".join(self._lines[getattr(self, "_url_line", 0):])
        return self.proc.returncode, out, self.stderr()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __enter__(self) -> "ServeProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.kill()


def make_table(client, name: str | None = None, *, sk: str | None = None,
               pk_type: str = "S", sk_type: str = "S", **extra) -> str:
    """Create an on-demand table (hash key ``pk``, optional range key) and
    wait for it with boto3's own waiter."""
    name = name or unique()
    attrs = [{"AttributeName": "pk", "AttributeType": pk_type}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if sk:
        attrs.append({"AttributeName": sk, "AttributeType": sk_type})
        keys.append({"AttributeName": sk, "KeyType": "RANGE"})
    for extra_attr in extra.pop("more_attrs", []):
        attrs.append(extra_attr)
    params = {"TableName": name, "AttributeDefinitions": attrs, "KeySchema": keys}
    if "ProvisionedThroughput" not in extra:
        params["BillingMode"] = "PAY_PER_REQUEST"
    params.update(extra)
    client.create_table(**params)
    client.get_waiter("table_exists").wait(TableName=name,
                                           WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return name


def error_of(excinfo) -> tuple[str, str]:
    """(Error.Code, Error.Message) of a ``pytest.raises(ClientError)``."""
    err = excinfo.value.response["Error"]
    return err["Code"], err.get("Message", "")
