"""Shared test setup.

* Every event log in the suite is strict, so an event kind or field missing
  from dynamo_lab.catalogue fails the test that emits it.
* ``moto_url``: moto's ThreadedMotoServer on loopback, one per test module,
  standing in for an outside DynamoDB-compatible endpoint.
* ``dynalite_url``: dynalite (the npm package; DynamoDB on an in-memory
  LevelDB; no Streams, and no GSI added to an existing on-demand table),
  installed from the npm registry into ``~/.cache/dynamo_lab/npm`` on first
  use and started on a free loopback port, one per test module.
"""
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

os.environ.setdefault("DYNAMO_LAB_STRICT_EVENTS", "1")


@pytest.fixture(scope="module")
def moto_url():
    moto_server = pytest.importorskip("moto.server")
    srv = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    srv.start()
    try:
        host, port = srv.get_host_and_port()
        url = f"http://{host}:{port}"
        # moto keeps its backends in process-wide globals, shared by every
        # server a test worker starts: another module's tables (an "Orders"
        # of its own) would still be there. Each module starts from none.
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"),
                               timeout=30).close()
        yield url
    finally:
        srv.stop()


#: The dynalite release the tests install (its LevelDB binding, classic-level,
#: ships prebuilt binaries in the npm tarball; the default store is in memory).
DYNALITE = "dynalite@4.0.0"
NPM_CACHE = Path.home() / ".cache" / "dynamo_lab" / "npm"


def _dynalite_cli() -> Path:
    cli = NPM_CACHE / "node_modules" / "dynalite" / "cli.js"
    if cli.exists():
        return cli
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("dynalite needs node and npm")
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts",
                           "--prefix", str(NPM_CACHE), DYNALITE],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode or not cli.exists():
        pytest.fail(f"npm install {DYNALITE} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return cli


@pytest.fixture(scope="module")
def dynalite_url():
    cli = _dynalite_cli()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["node", str(cli), "--host", "127.0.0.1", "--port", str(port),
                             "--createTableMs", "0", "--deleteTableMs", "0",
                             "--updateTableMs", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"dynalite did not start on port {port}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
