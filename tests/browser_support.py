"""Run JupyterLab 4 and drive it with Debian's Chromium through Playwright.

Everything here is bounded: each wait has a timeout, and the JupyterLab
process group is always killed. Playwright's own browser download does not
work on these machines, so the browser is ``/usr/bin/chromium``.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Iterator

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "WIDGET_ERRORS", "chromium_missing_reason",
           "free_port", "jupyterlab", "LabPage"]

#: Debian's Chromium; DYNAMO_LAB_CHROMIUM points elsewhere (e.g. another distro's build).
CHROMIUM = Path(os.environ.get("DYNAMO_LAB_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Console messages that mean a widget never drew.
WIDGET_ERRORS = ("Failed to load model class", "No version of module",
                 "Could not create a model", "Could not create a view", "Error: Class ")
ROOT = Path(__file__).resolve().parent.parent


def chromium_missing_reason() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    if not CHROMIUM.exists():
        return (f"Debian's Chromium is missing at {CHROMIUM}; install it with "
                "`apt-get install -y chromium` (as root), or run `python3 dev.py test`, "
                "which installs it")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing: pip install -e '.[test]'"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"JupyterLab did not answer {url} within {timeout:.0f} s:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")


# Keep JupyterLab quiet: no news or update prompts over the notebook.
_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


@contextlib.contextmanager
def jupyterlab(files: list[Path], *, startup_timeout: float = 45.0,
               artifacts: Path | None = None) -> Iterator[tuple[str, Path]]:
    """Start JupyterLab on a free port over a temp folder holding ``files``.

    Yields ``(base_url, root_dir)``. The server runs in its own process group,
    with its runtime, config, data and settings dirs under the temp folder;
    the group is killed on exit whatever happened.
    """
    tmp = Path(tempfile.mkdtemp(prefix="dl-lab-"))
    root = tmp / "root"
    root.mkdir()
    for f in files:
        shutil.copy(f, root / f.name)
    settings = tmp / "settings"
    for name, value in _SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    env = dict(os.environ,
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp / "config"),
               JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               IPYTHONDIR=str(tmp / "ipython"),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    port = free_port()
    log = (artifacts or tmp) / "jupyterlab.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
           "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
           "--IdentityProvider.token=",
           "--ServerApp.disable_check_xsrf=True",
           "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={root}"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/api/status", proc, startup_timeout, log)
        yield base, root
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


_NOTEBOOK_STATE = """() => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  if (!w || !w.content || !w.sessionContext) return null;
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  const errors = [];
  for (const c of cells) {
    const outs = c.model.outputs;
    for (let i = 0; i < outs.length; i++) {
      const o = outs.get(i);
      if (o.type === 'error') {
        const j = o.toJSON();
        errors.push(j.ename + ': ' + j.evalue);
      }
    }
  }
  return {
    kernel: kernel ? kernel.status : 'none',
    code_cells: cells.length,
    executed: cells.filter(c => c.model.executionCount !== null).length,
    pending: cells.filter(c => c.promptNode && c.promptNode.textContent.includes('*')).length,
    errors: errors,
  };
}"""


class LabPage:
    """A Playwright page on JupyterLab that records console and page errors."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base = page, base
        self.console: list[str] = []
        self.page_errors: list[str] = []
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def widget_errors(self) -> list[str]:
        """Console lines that say a widget model or view could not load."""
        return [m for m in self.console if any(s in m for s in WIDGET_ERRORS)]

    def open_notebook(self, name: str, timeout_ms: int = 60_000) -> None:
        """Open ``name`` and wait until its kernel is idle."""
        self.page.goto(f"{self.base}/lab/tree/{name}", timeout=timeout_ms)
        self.page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
            "&& window.jupyterapp.shell.currentWidget.sessionContext "
            "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
            "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel "
            "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
            timeout=timeout_ms)

    def state(self) -> dict:
        return self.page.evaluate(_NOTEBOOK_STATE)

    def start_run_all(self) -> None:
        """Press Run All and return at once."""
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")

    def run_all(self, timeout_s: float = 60.0) -> dict:
        """Run every cell and wait until all ran and the kernel is idle."""
        self.start_run_all()
        return self.wait_until_run(timeout_s)

    def wait_until_run(self, timeout_s: float = 60.0) -> dict:
        """Wait until every cell ran and the kernel is idle (after Run All)."""
        deadline = time.monotonic() + timeout_s
        state: dict = {}
        idle_since = None
        while time.monotonic() < deadline:
            state = self.state() or {}
            done = (state.get("kernel") == "idle" and state.get("pending") == 0
                    and state.get("executed") == state.get("code_cells"))
            if done:
                # Stay idle a moment: outputs and widget views arrive after 'idle'.
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > 1.0:
                    return state
            else:
                idle_since = None
            if state.get("errors"):
                return state
            self.page.wait_for_timeout(250)
        raise TimeoutError(f"the notebook did not finish within {timeout_s:.0f} s: {state}")
