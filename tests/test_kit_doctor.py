"""``dynamo-lab doctor``, run as a learner runs it at the door: the console
script in a subprocess, against a real ``dynamo-lab serve`` (healthy) and
against a port where nothing listens (one failing line, the rest still run).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from ddb_support import BIN, DUMMY_ENV, ServeProcess

from dynamo_lab.kit import doctor

DOCTOR = BIN / "dynamo-lab"
NAMES = ["Python", "packages", "JupyterLab extensions", "a kernel starts (python3)",
         "a view renders", "the in-process DynamoDB", "outside endpoint"]


def run_doctor(*args: str, endpoint: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DYNAMO_LAB_ENDPOINT"}
    env.update(DUMMY_ENV)
    if endpoint is not None:
        env["DYNAMO_LAB_ENDPOINT"] = endpoint
    return subprocess.run([str(DOCTOR), "doctor", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def verdicts(stdout: str) -> dict[str, str]:
    """{check name: status} from the verdict lines (fix lines are indented)."""
    out = {}
    for line in stdout.splitlines()[1:-1]:
        if line.startswith(" "):
            continue
        status, _, rest = line.partition(" ")
        out[rest.strip().split(":")[0]] = status
    return out


def test_healthy_machine_passes_every_check_with_a_shared_endpoint():
    with ServeProcess() as srv:
        proc = run_doctor(endpoint=srv.url)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert verdicts(proc.stdout) == {n: "ok" for n in NAMES}, proc.stdout
    assert f"{srv.url} answered ListTables" in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("All 7 checks passed in ")
    assert "Traceback" not in proc.stdout + proc.stderr


def test_an_endpoint_that_does_not_answer_is_one_failing_line_and_exit_1():
    with socket.socket() as s:  # a port nobody listens on once this closes
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    proc = run_doctor("--endpoint", url, endpoint=None)
    assert proc.returncode == 1, proc.stdout
    got = verdicts(proc.stdout)
    assert got.pop("outside endpoint") == "FAIL"
    assert set(got.values()) == {"ok"}, proc.stdout        # the others still ran
    fail = proc.stdout.split("FAIL  outside endpoint: ")[1].splitlines()
    assert fail[0].startswith(f"{url} did not answer ListTables: EndpointConnectionError")
    assert fail[1].startswith("      fix: is the server running")
    assert proc.stdout.splitlines()[-1].startswith(
        "1 of 7 checks FAILED (outside endpoint) in ")
    assert "Traceback" not in proc.stdout + proc.stderr


def test_no_endpoint_is_a_skip_not_a_failure(monkeypatch):
    monkeypatch.delenv("DYNAMO_LAB_ENDPOINT", raising=False)
    r = doctor.check_endpoint()
    assert (r.status, r.detail) == (
        "skip", "DYNAMO_LAB_ENDPOINT is not set; the lessons use the in-process lab")


def test_missing_lab_extensions_are_named(tmp_path):
    ext = tmp_path / "anywidget"
    ext.mkdir()
    (ext / "package.json").write_text(json.dumps({"name": "anywidget", "version": "9.9"}))
    r = doctor.check_extensions([str(tmp_path)])
    assert r.status == "FAIL"
    assert r.detail == ("missing @jupyter-widgets/jupyterlab-manager (from ipywidgets), "
                        "jupyterlab-plotly (from plotly)")
    assert "pip install" in r.fix
    assert doctor.check_extensions([str(tmp_path / "nowhere")]).detail.count("(from ") == 3


def test_a_kernel_that_does_not_exist_fails_with_its_name():
    r = doctor.check_kernel("no-such-kernel", timeout=10)
    assert r.status == "FAIL"
    assert r.name == "a kernel starts (no-such-kernel)"
    assert r.detail.startswith("it did not start: NoSuchKernel")


@pytest.mark.parametrize("exc", [ImportError("No module named 'plotly'"), OSError()])
def test_a_check_that_raises_is_a_verdict_not_a_traceback(exc):
    def broken():
        raise exc
    [r] = doctor.run_checks([("packages", broken)])
    assert (r.name, r.status) == ("packages", "FAIL")
    assert r.detail == (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    assert doctor.report([r], 0.5).startswith("The one check FAILED (packages) in 0.5 s")


def test_a_room_server_without_keys_gets_the_keys_fix(monkeypatch, tmp_path):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    r = doctor.check_endpoint("http://192.0.2.10:8000")   # not loopback: no placeholder keys
    assert r.status == "FAIL"
    assert "NoCredentialsError" in r.detail
    assert r.fix.endswith("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to any value")


def test_a_kernel_of_another_python_is_named_with_the_fix(tmp_path, monkeypatch):
    # The commonest failure at the door: Jupyter's python3 kernel is some other
    # Python, which lacks the package. This kernel hides it to stand in for one.
    spec = tmp_path / "kernels" / "elsewhere"
    spec.mkdir(parents=True)
    launch = ("import sys; sys.modules['dynamo_lab'] = None; "
              "from ipykernel import kernelapp; kernelapp.launch_new_instance()")
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", launch, "-f", "{connection_file}"],
        "display_name": "elsewhere", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    r = doctor.check_kernel("elsewhere", timeout=60)
    assert r.status == "FAIL", r.line()
    assert r.detail.startswith("it started but cannot import dynamo_lab (ModuleNotFoundError"), r.detail
    assert r.fix.endswith(f"{sys.executable} -m ipykernel install --user")


def test_a_room_server_refusing_the_key_says_to_check_the_card(monkeypatch):
    # dynamo-lab serve --credentials answers a wrong secret with
    # InvalidSignatureException: the fix names the card, not "is it running?"
    from dynamo_lab.dynamodb.server import credentials
    from dynamo_lab.dynamodb.server.http import Server
    from dynamo_lab.dynamodb.server.room import Room

    ada, = credentials.generate(1, seed=5)
    with Server(room=Room(), credentials={ada.access_key_id: ada}) as srv:
        monkeypatch.setenv("DYNAMO_LAB_ACCESS_KEY_ID", ada.access_key_id)
        monkeypatch.setenv("DYNAMO_LAB_SECRET_ACCESS_KEY", "not-" + ada.secret_access_key)
        bad = doctor.check_endpoint(srv.url)
        monkeypatch.setenv("DYNAMO_LAB_SECRET_ACCESS_KEY", ada.secret_access_key)
        good = doctor.check_endpoint(srv.url)
    assert bad.status == doctor.FAIL and "InvalidSignatureException" in bad.detail, bad
    assert bad.fix.startswith("the server refused your key or secret: paste the export lines")
    assert good.status == doctor.OK, good
