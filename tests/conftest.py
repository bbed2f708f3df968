"""Shared test setup.

* Every event log in the suite is strict, so an event kind or field missing
  from dynamo_lab.catalogue fails the test that emits it.
* ``moto_url``: moto's ThreadedMotoServer on loopback, one per test module,
  standing in for an outside DynamoDB-compatible endpoint.
* ``dynalite_url``: dynalite (the npm package; DynamoDB on an in-memory
  LevelDB; no Streams, and no GSI added to an existing on-demand table),
  installed from the npm registry into ``~/.cache/dynamo_lab/npm`` on first
  use and started on a free loopback port, one per test module.
* ``aws_sdk_js``: the AWS SDK for JavaScript v3 (DynamoDB, its document
  client, DynamoDB Streams) and esbuild, pinned, installed by
  :func:`npm_install` into the same cache; the ``node_modules`` path.
"""
import fcntl
import json
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


#: The AWS SDK for JavaScript v3 the JavaScript tests use, and the bundler
#: for the browser page (exact versions: a new release cannot change a run).
AWS_SDK_JS = ("@aws-sdk/client-dynamodb@3.1178.0", "@aws-sdk/lib-dynamodb@3.1178.0",
              "@aws-sdk/client-dynamodb-streams@3.1141.0")
ESBUILD = "esbuild@0.28.2"
HOW_TO_GET_NODE = ("Node.js 20 or later and npm are needed: on Debian/Ubuntu "
                   "`apt-get install nodejs npm`, elsewhere https://nodejs.org/en/download")


def _installed(spec: str) -> bool:
    """Is ``name@version`` installed in the cache, at that version?"""
    name, version = spec.rsplit("@", 1)
    manifest = NPM_CACHE / "node_modules" / name / "package.json"
    try:
        return json.loads(manifest.read_text())["version"] == version
    except (OSError, ValueError, KeyError):
        return False


def npm_install(*specs: str) -> Path:
    """Install the npm packages ``specs`` (``name@version``) into
    ``NPM_CACHE`` unless they are there already; return its node_modules.
    Test workers share the cache, so installs take a file lock. Fails (never
    skips) with how to get Node.js and npm when they are missing."""
    modules = NPM_CACHE / "node_modules"
    if all(_installed(s) for s in specs):
        return modules
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.fail(f"npm install {' '.join(specs)}: {HOW_TO_GET_NODE}")
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    with open(NPM_CACHE / ".install-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = [s for s in specs if not _installed(s)]
        if missing:
            proc = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--save-exact",
                                   "--ignore-scripts", "--prefix", str(NPM_CACHE), *missing],
                                  capture_output=True, text=True, timeout=600)
            if proc.returncode or not all(_installed(s) for s in missing):
                pytest.fail(f"npm install {' '.join(missing)} failed:\n"
                            f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return modules


def _dynalite_cli() -> Path:
    cli = NPM_CACHE / "node_modules" / "dynalite" / "cli.js"
    if cli.exists():
        return cli
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("dynalite needs node and npm")
    npm_install(DYNALITE)
    return cli


def _node_major() -> int:
    node = shutil.which("node")
    if node is None:
        pytest.fail(HOW_TO_GET_NODE)
    out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30)
    try:
        return int(out.stdout.strip().lstrip("v").split(".")[0])
    except ValueError:
        pytest.fail(f"cannot read `node --version`: {out.stdout!r}; {HOW_TO_GET_NODE}")


@pytest.fixture(scope="session")
def aws_sdk_js() -> Path:
    """node_modules holding the pinned AWS SDK for JavaScript v3 and esbuild."""
    if _node_major() < 20:
        pytest.fail(f"the AWS SDK for JavaScript v3 tests run under Node.js 20 or later; "
                    f"{HOW_TO_GET_NODE}")
    return npm_install(*AWS_SDK_JS, ESBUILD)


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
