"""The room's shared server: ``deploy/jupyterhub/jupyterhub_config.py`` run for
real, on loopback.

A real JupyterHub (its shared-password authenticator, the local-process
spawner the config ships, and configurable-http-proxy installed from npm by
this set-up into ``~/.cache/dynamo_lab/chp``, so a second run reuses it).
Two learners log in through the login form, as a browser would, make an API
token from their session, start their servers, and run lessons 00 and 11 cell
by cell over the single-user server's kernel websocket (what JupyterLab
does). Then each makes a table in their own kernel, and neither sees the
other's table, file or server. The hub, proxy, servers and kernels are
stopped afterwards, even when the test fails.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
CHP_HOME = Path.home() / ".cache" / "dynamo_lab" / "chp"
CHP = CHP_HOME / "node_modules" / ".bin" / "configurable-http-proxy"
HUB_BIN = Path(sys.executable).parent / "jupyterhub"
PUBLIC, PROXY_API, HUB_API = 8895, 8896, 8897       # ports given to this test
USER_PORTS = range(18000, 18101)
URL = f"http://127.0.0.1:{PUBLIC}"
PASSWORD = "forty-laptops"
LESSONS = ["00_welcome.ipynb", "11_tables_items_types.ipynb"]

pytestmark = [pytest.mark.notebooks,
              pytest.mark.skipif(not HUB_BIN.exists(), reason="jupyterhub is a test extra")]

# The test's own additions to the shipped config: loopback ports of its own.
WRAPPER = f"""
import itertools, socket
load_subconfig({str(CONFIG)!r})
c = get_config()
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {HUB_API}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{PROXY_API}"
_shipped_hook = c.Spawner.pre_spawn_hook

def _free(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0

def hook(spawner):
    _shipped_hook(spawner)
    spawner.port = next(p for p in range({USER_PORTS.start}, {USER_PORTS.stop}) if _free(p))

c.Spawner.pre_spawn_hook = hook
"""


def ensure_chp() -> Path:
    """configurable-http-proxy from npm, once per machine."""
    if CHP.exists():
        return CHP
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail("npm is needed to install configurable-http-proxy (apt-get install npm)")
        pytest.skip("npm is needed to install configurable-http-proxy (apt-get install npm)")
    CHP_HOME.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--prefix", str(CHP_HOME), "--no-audit", "--no-fund",
                    "configurable-http-proxy@4"], check=True, capture_output=True, timeout=300)
    assert CHP.exists(), "npm installed configurable-http-proxy, but not its command"
    return CHP


def stop_processes_under(folder: Path) -> list[int]:
    """Kill what the hub left running in ``folder`` (servers and kernels run
    there), by pid; returns the pids. Only processes this test started have
    their working directory inside its temporary folder."""
    killed = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue
        if cwd.is_relative_to(folder):
            try:
                os.kill(int(proc.name), signal.SIGKILL)
                killed.append(int(proc.name))
            except ProcessLookupError:
                pass
    return killed


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    ensure_chp()
    state = tmp_path_factory.mktemp("hub")
    (state / "wrapper_config.py").write_text(WRAPPER)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DYNAMO_LAB_", "JUPYTER", "PYTHONPATH"))}
    env.update(DYNAMO_LAB_HUB_STATE=str(state), DYNAMO_LAB_HUB_URL=URL,
               DYNAMO_LAB_HUB_PASSWORD=PASSWORD, DYNAMO_LAB_HUB_LESSONS=str(ROOT / "lessons"),
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    log = (state / "hub.log").open("w")
    proc = subprocess.Popen([str(HUB_BIN), "-f", str(state / "wrapper_config.py")],
                            cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"the hub exited:\n{(state / 'hub.log').read_text()}"
            try:
                if requests.get(f"{URL}/hub/api/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, (state / "hub.log").read_text()
            time.sleep(0.5)
        yield state
    finally:
        proc.send_signal(signal.SIGTERM)  # cleanup_servers: the hub stops the servers
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        pid_file = state / "jupyterhub-proxy.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        stop_processes_under(state)
        log.close()


def log_in(name: str, password: str = PASSWORD) -> requests.Session:
    """The login form, as a browser posts it (with the _xsrf cookie it got)."""
    s = requests.Session()
    s.get(f"{URL}/hub/login", timeout=30).raise_for_status()
    r = s.post(f"{URL}/hub/login", allow_redirects=False, timeout=60,
               data={"username": name, "password": password, "_xsrf": s.cookies["_xsrf"]})
    s.login_status = r.status_code
    return s


def start_server(s: requests.Session, name: str) -> str:
    """From a logged-in session: a token, then the server; returns the token."""
    r = s.post(f"{URL}/hub/api/users/{name}/tokens", json={"note": "kit test", "expires_in": 3600},
               headers={"X-XSRFToken": s.cookies["_xsrf"]}, timeout=30)
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    auth = {"Authorization": f"token {token}"}
    r = requests.post(f"{URL}/hub/api/users/{name}/server", headers=auth, timeout=60)
    assert r.status_code in (201, 202), r.text
    deadline = time.monotonic() + 180
    while True:
        model = requests.get(f"{URL}/hub/api/users/{name}", headers=auth, timeout=30).json()
        server = model["servers"].get("", {})
        if server.get("ready"):
            return token
        assert server.get("pending") == "spawn", f"{name}'s server failed to start: {model}"
        assert time.monotonic() < deadline, f"{name}'s server did not become ready"
        time.sleep(0.5)


class Kernel:
    """A kernel in a user's server, driven over its websocket as JupyterLab does."""

    def __init__(self, user: str, token: str, path: str) -> None:
        self.user, self.token, self.path = user, token, path
        self.base = f"{URL}/user/{user}/api"
        self.auth = {"Authorization": f"token {token}"}

    async def open(self) -> Kernel:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        # Off the event loop: the other learner's websocket keeps flowing.
        r = await asyncio.to_thread(
            requests.post, f"{self.base}/sessions", headers=self.auth, timeout=60,
            json={"path": self.path, "type": "notebook", "kernel": {"name": "python3"}})
        assert r.status_code == 201, r.text
        self.kernel_id, self.session = r.json()["kernel"]["id"], uuid.uuid4().hex
        ws_url = (f"ws://127.0.0.1:{PUBLIC}/user/{self.user}/api/kernels/{self.kernel_id}"
                  f"/channels?session_id={self.session}")
        self.ws = await websocket_connect(HTTPRequest(ws_url, headers=self.auth))
        return self

    async def execute(self, code: str, timeout: float = 300) -> dict:
        """Run ``code``; returns {"status", "stdout", "stderr", "error"}."""
        msg_id = uuid.uuid4().hex
        await self.ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": self.user, "session": self.session,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        out = {"status": None, "stdout": "", "stderr": "", "error": None}
        idle = False
        while out["status"] is None or not idle:
            raw = await asyncio.wait_for(self.ws.read_message(), timeout)
            assert raw is not None, f"{self.user}'s kernel websocket closed"
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out[content["name"]] += content["text"]
            elif kind == "error":
                out["error"] = f"{content['ename']}: {content['evalue']}"
            elif kind == "execute_reply":
                out["status"] = content["status"]
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        return out

    async def run_notebook(self) -> int:
        """Every code cell of the user's own copy of the lesson, in order."""
        r = await asyncio.to_thread(requests.get, f"{self.base}/contents/{self.path}",
                                    headers=self.auth, timeout=60)
        assert r.status_code == 200, r.text
        cells = [c["source"] for c in r.json()["content"]["cells"] if c["cell_type"] == "code"]
        for i, code in enumerate(cells):
            got = await self.execute(code)
            assert got["status"] == "ok", f"{self.user} {self.path} cell {i}: {got['error']}"
            assert got["stderr"] == "", f"{self.user} {self.path} cell {i} stderr: {got['stderr']}"
        return len(cells)


MAKE_TABLE = """
from dynamo_lab.dynamodb import backend
_c = backend.client()
_c.create_table(TableName="{name}_private", BillingMode="PAY_PER_REQUEST",
                KeySchema=[{{"AttributeName": "pk", "KeyType": "HASH"}}],
                AttributeDefinitions=[{{"AttributeName": "pk", "AttributeType": "S"}}])
_c.get_waiter("table_exists").wait(TableName="{name}_private")
open("{name}_was_here.txt", "w").write("{name}")
"""
LIST_TABLES = "print(' '.join(backend.client().list_tables()['TableNames']))"


async def learner(name: str, token: str) -> dict:
    ran = {}
    kernels = {}
    for path in LESSONS:
        kernels[path] = k = await Kernel(name, token, path).open()
        ran[path] = await k.run_notebook()
    k11 = kernels[LESSONS[1]]
    made = await k11.execute(MAKE_TABLE.format(name=name))
    assert made["status"] == "ok", made["error"]
    kernels[LESSONS[0]].ws.close()
    return {"cells": ran, "kernel": k11}


def test_two_learners_run_lessons_in_their_own_servers_and_see_only_their_own(hub):
    refused = log_in("mallory", password="not-the-room-password")
    assert refused.login_status == 403
    alice, bob = log_in("alice"), log_in("bob")
    assert (alice.login_status, bob.login_status) == (302, 302)
    tokens = {"alice": start_server(alice, "alice"), "bob": start_server(bob, "bob")}

    async def both():
        a, b = await asyncio.gather(learner("alice", tokens["alice"]),
                                    learner("bob", tokens["bob"]))
        # Both tables exist now; each lesson-11 kernel lists what it sees.
        seen = {}
        for name, r in (("alice", a), ("bob", b)):
            seen[name] = (await r["kernel"].execute(LIST_TABLES))["stdout"].split()
            r["kernel"].ws.close()
        return a, b, seen

    a, b, seen = asyncio.run(both())
    assert all(n > 3 for n in [*a["cells"].values(), *b["cells"].values()]), (a, b)
    assert "alice_private" in seen["alice"] and "bob_private" not in seen["alice"], seen
    assert "bob_private" in seen["bob"] and "alice_private" not in seen["bob"], seen

    # Files: each learner has the lessons in their own folder, and only their own note.
    users = hub / "users"
    for name, other in (("alice", "bob"), ("bob", "alice")):
        assert (users / name / LESSONS[1]).exists()
        assert (users / name / f"{name}_was_here.txt").read_text() == name
        assert not (users / name / f"{other}_was_here.txt").exists()
    # A learner's token opens only their own server.
    r = requests.get(f"{URL}/user/alice/api/contents", timeout=30,
                     headers={"Authorization": f"token {tokens['bob']}"})
    assert r.status_code == 403, r.status_code
