"""The room's installs, done for real: the offline wheelhouse, Binder's build,
and the pins that both rest on.

1. ``python3 dev.py wheelhouse DIR`` (network, with pip's cache) writes the
   wheels; then, with package indexes switched off and every proxy pointing
   at a dead port, a fresh venv installs ``binder/requirements.txt`` from DIR,
   runs ``binder/postBuild`` from the repository's root as Binder does, and
   executes lessons 00 and 15 there with nbclient. Then ``dev.py lab`` in the
   same checkout, with ``DYNAMO_LAB_WHEELHOUSE=DIR``, completes that venv to
   the ``lab`` extra from DIR alone. One test, because each step needs the
   last and pytest-xdist would otherwise build the venv twice.
2. Every pin in ``binder/requirements.txt`` satisfies ``pyproject.toml``'s
   ranges, and every runtime dependency is pinned (postBuild installs the
   package with ``--no-deps``, so an unpinned one would be missing on Binder).
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ImportError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PINS = ROOT / "binder" / "requirements.txt"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LESSONS = ["00_welcome.ipynb", "15_capacity_and_partitions.ipynb"]


def _load_dev():
    """dev.py, the command under test (standard library only), loaded from the
    checkout's root without putting the root on ``sys.path``."""
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = _load_dev()


def read_pins() -> dict[str, str]:
    pins = {}
    for line in PINS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"binder/requirements.txt: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version
    return pins


def test_binder_pins_satisfy_pyproject_ranges():
    pins = read_pins()
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"]
    checked = 0
    for group, reqs in [("dependencies", project["dependencies"]),
                        ("lab", extras["lab"]), ("test", extras["test"])]:
        for req in map(Requirement, reqs):
            name = canonicalize_name(req.name)
            if group == "dependencies":
                assert name in pins, f"{req.name} is a dependency but not pinned for Binder"
            if name in pins:
                checked += 1
                assert req.specifier.contains(pins[name], prereleases=True), \
                    f"binder pins {req.name}=={pins[name]}; pyproject [{group}] wants {req}"
    # The lessons need a kernel and JupyterLab on Binder, both from the lab extra.
    assert {"ipykernel", "jupyterlab"} <= set(pins)
    assert checked >= len(project["dependencies"]) + 2
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert runtime.startswith("python-")
    major, minor = map(int, runtime.removeprefix("python-").split(".")[:2])
    requires = PYPROJECT["project"]["requires-python"]
    assert Requirement(f"python{requires}").specifier.contains(f"{major}.{minor}.0"), \
        f"binder/runtime.txt asks for {runtime}; pyproject requires-python {requires}"


def offline_env(house: Path, venv: Path, home: Path) -> dict:
    """No index, no config file, and every proxy a dead port: the network is off."""
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith(("PIP_", "PYTHON", "JUPYTER", "DYNAMO_LAB_"))
           and k.lower() not in {"http_proxy", "https_proxy", "no_proxy", "all_proxy"}}
    dead = "http://127.0.0.1:9"
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(house), PIP_CONFIG_FILE=os.devnull,
               PIP_DISABLE_PIP_VERSION_CHECK="1", http_proxy=dead, https_proxy=dead,
               HTTP_PROXY=dead, HTTPS_PROXY=dead, HOME=str(home),
               PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
               VIRTUAL_ENV=str(venv), PYDEVD_DISABLE_FILE_VALIDATION="1")
    return env


RUNNER = r"""
import json, os, sys
import nbformat
from nbclient import NotebookClient

report = {}
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import sys, dynamo_lab; print(sys.executable); print(dynamo_lab.__file__)"))
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": os.path.dirname(path)}}).execute()
    stderr = [o["text"] for c in nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("name") == "stderr"]
    report[os.path.basename(path)] = {
        "where": nb.cells[-1].outputs[0]["text"].split(),
        "cells": sum(c.cell_type == "code" for c in nb.cells),
        "stderr": stderr}
print(json.dumps(report))
"""


def run(cmd, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          check=False, **kw)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.mark.notebooks
def test_wheelhouse_installs_offline_and_binder_builds_and_runs_lessons(tmp_path):
    repo = dev.copy_source(tmp_path / "repo")          # Binder starts from a clone
    house, venv, home = tmp_path / "wheelhouse", repo / ".venv", tmp_path / "home"
    home.mkdir()

    # 1. The wheelhouse, with network (pip's cache makes a second run quick).
    run([sys.executable, repo / "dev.py", "wheelhouse", house], timeout=600)
    wheels = sorted(p.name for p in house.iterdir() if p.name != "requirements.txt")
    assert wheels and all(w.endswith(".whl") for w in wheels), wheels  # no sdist to build
    held = {canonicalize_name(line.split("==")[0]): line.split("==")[1]
            for line in (house / "requirements.txt").read_text().splitlines()
            if not line.startswith("#")}
    for name, version in read_pins().items():
        assert held.get(name) == version, f"wheelhouse holds {name} {held.get(name)}, pin {version}"
    assert {"voila", "setuptools", "wheel"} <= set(held)
    assert [w for w in wheels if w.startswith("dynamo_lab-")] == ["dynamo_lab-0.1.0-py3-none-any.whl"]

    # 2. Binder's build, offline: requirements.txt, then postBuild from the root.
    env = offline_env(house, venv, home)
    run([sys.executable, "-m", "venv", venv], env=env)
    py = venv / "bin" / "python"
    # --no-compile: byte-compiling JupyterLab's tree is a third of the time, and not the point.
    run([py, "-m", "pip", "install", "-q", "--no-compile", "-r", repo / "binder" / "requirements.txt"],
        env=env, cwd=repo, timeout=600)
    (repo / "binder" / "postBuild").chmod(0o755)
    run([repo / "binder" / "postBuild"], env=env, cwd=repo, timeout=300)
    installed = run([py, "-m", "pip", "list", "--format=json"], env=env).stdout
    versions = {canonicalize_name(d["name"]): d["version"] for d in json.loads(installed)}
    assert versions["dynamo-lab"] == "0.1.0"
    for name, version in read_pins().items():
        assert versions.get(name) == version, f"Binder's env has {name} {versions.get(name)}"

    # 3. Lessons 00 and 15 in that environment's own kernel.
    runner = tmp_path / "run_lessons.py"
    runner.write_text(RUNNER)
    out = run([py, runner, *(repo / "lessons" / n for n in LESSONS)], env=env,
              cwd=repo / "lessons", timeout=900).stdout
    report = json.loads(out.strip().splitlines()[-1])
    site = venv / "lib"
    for name in LESSONS:
        exe, module = report[name]["where"]
        assert Path(exe).parent == venv / "bin", f"{name} ran in {exe}, not Binder's env"
        assert Path(module).is_relative_to(site), f"{name} imported dynamo_lab from {module}"
        assert report[name]["cells"] > 5
        assert report[name]["stderr"] == [], f"{name} wrote to stderr: {report[name]['stderr']}"

    # 4. dev.py lab from the wheelhouse alone (Binder pins voila too, for the
    #    demos' links, so the lab extra adds nothing new: it must still install).
    env[dev.WHEELHOUSE_VAR] = str(house)
    lab = run([py, repo / "dev.py", "lab", "--", "--version"], env=env, cwd=repo, timeout=600)
    assert "installing from the wheelhouse" in lab.stdout
    assert lab.stdout.strip().splitlines()[-1].startswith("4."), lab.stdout
    installed = run([py, "-m", "pip", "list", "--format=json"], env=env).stdout
    assert "voila" in {canonicalize_name(d["name"]) for d in json.loads(installed)}
