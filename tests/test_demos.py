"""The Voila demos: each renders in Chromium through a real ``voila`` server,
shows no code, changes its picture when a control is used, and logs no
console error. Plus the demos' actions without a browser, and the
``dynamo-lab demo`` command's input checks.
"""
from __future__ import annotations

import contextlib
import html
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, WIDGET_ERRORS, chromium_missing_reason

from dynamo_lab.cli import main
from dynamo_lab.kit import commands
from dynamo_lab.kit.demo_capacity import CapacityDemo
from dynamo_lab.kit.demo_faults import FaultsDemo
from dynamo_lab.kit.demo_ring import RingDemo

ROOT = Path(__file__).resolve().parent.parent
DEMOS = ROOT / "demos"
PORTS = range(18200, 18300)     # this test's own ports


# -- without a browser ----------------------------------------------------------
def test_every_demo_has_a_notebook_that_only_calls_its_dashboard():
    import nbformat
    assert sorted(commands.DEMOS) == ["capacity", "faults", "ring"]
    for name, file in commands.DEMOS.items():
        nb = nbformat.read(DEMOS / file, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert len(code) == 1 and code[0].source.rstrip().endswith("dashboard()"), name
        assert not code[0].outputs and "widgets" not in nb.metadata, name


def test_a_bad_action_is_a_status_line_not_a_traceback():
    d = RingDemo(nodes=2)
    assert d.widget is not None      # built: actions now redraw it
    d.remove_node("A")
    d.remove_node()
    assert d.ring.nodes == ["B"]
    assert d.status.widget.value == ('<span class="dl-demo-error">remove node: keep at '
                                     'least one node on the ring</span>')
    c = CapacityDemo()
    c.send()
    assert "send writes: create the table first" in c.status.widget.value
    c.set(wcu=0)
    assert "WCU must be at least 1, not 0" in c.status.widget.value and c.wcu == 1000
    f = FaultsDemo()
    f.burn_zone("az9")
    assert html.unescape(f.status.widget.value).endswith(
        "burn zone: unknown zone 'az9'; zones: ['az1', 'az2', 'az3']</span>")


def test_demo_command_checks_its_name(capsys):
    assert main(["demo", "rings"]) == 2
    assert capsys.readouterr().err.strip() == ("dynamo-lab demo: no demo named 'rings'; "
                                               "demos: capacity, faults, ring")
    assert commands.demo_command("faults", DEMOS, 18201, browser=False)[3] == \
        str(DEMOS / "faults.ipynb")


# -- in Chromium, through Voila ---------------------------------------------------
def _port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18200-18299")


@contextlib.contextmanager
def _voila() -> Iterator[str]:
    port = _port()
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"voila-{port}.log", "w+")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        PYDEVD_DISABLE_FILE_VALIDATION="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(DEMOS), f"--port={port}", "--no-browser",
         "--Voila.ip=127.0.0.1", "--theme=light"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"voila exited with {proc.returncode}:\n{log.read()[-3000:]}")
            try:
                with urllib.request.urlopen(url + "/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("voila did not answer within 60 s") from None
                time.sleep(0.25)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def page_factory():
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    with _voila() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        def open_demo(name: str):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.errors, page.failed = [], []
            page.on("console", lambda m: page.errors.append(m.text) if m.type == "error"
                    else None)
            page.on("pageerror", lambda e: page.errors.append(str(e)))
            page.on("requestfailed", lambda r: page.failed.append(r.url))
            page.goto(f"{url}/voila/render/{name}.ipynb")
            page.wait_for_selector(".dl-demo-header", timeout=90_000)
            page.wait_for_selector(".dl-demo-status", state="attached", timeout=30_000)
            return page
        try:
            yield open_demo
        finally:
            browser.close()


def _html(page, css: str) -> str:
    return page.inner_html(css)


def _changed(page, css: str, before: str, timeout: int = 30_000) -> str:
    page.wait_for_function("([css, before]) => document.querySelector(css).innerHTML !== before",
                           arg=[css, before], timeout=timeout)
    return _html(page, css)


def _finish(page, name: str) -> None:
    text = page.inner_text("body")
    assert "dashboard()" not in text and "import" not in text, "code on screen"
    assert not page.query_selector(".jp-InputArea-editor"), "an input cell is shown"
    assert "Traceback" not in text and "Error" not in page.inner_text(".dl-demo-status")
    # A sandbox without internet cannot fetch Voila's icon font from its CDN;
    # any other failed request, or any other console error, fails the test.
    outside = [u for u in page.failed if not u.startswith("http://127.0.0.1")]
    assert outside == page.failed, f"local requests failed: {page.failed}"
    errors = [e for e in page.errors
              if not (outside and e.startswith("Failed to load resource: net::ERR_"))]
    assert not errors, errors
    assert not any(w in e for e in page.errors for w in WIDGET_ERRORS)
    shots = Path("/tmp/h8shots")
    if shots.is_dir():      # screenshots to look at while working on the demos
        page.screenshot(path=str(shots / f"test_{name}.png"), full_page=True)
    page.close()


@pytest.mark.browser
def test_ring_demo_in_voila(page_factory):
    page = page_factory("ring")
    ring = _html(page, ".dl-demo-ring")
    assert ring.count('class="dl-token') == 40           # 5 nodes x 8 vnodes
    page.click(".dl-demo-add")
    ring = _changed(page, ".dl-demo-ring", ring)
    assert ring.count('class="dl-token') == 48 and 'data-node="F"' in ring
    page.wait_for_function("() => document.querySelector('.dl-demo-pref').innerText"
                           ".includes(', F') || document.querySelector('.dl-demo-pref')"
                           ".innerText.includes('F (coordinator)')", timeout=30_000)
    assert page.inner_text(".dl-demo-pref").startswith("cart:alice → ")
    page.fill(".dl-demo-key input", "order:42")
    page.press(".dl-demo-key input", "Enter")
    page.wait_for_function("() => document.querySelector('.dl-demo-pref').innerText"
                           ".startsWith('order:42 →')", timeout=30_000)
    assert 'data-key="order:42"' in _html(page, ".dl-demo-ring")
    _finish(page, "ring")


@pytest.mark.browser
def test_faults_demo_in_voila(page_factory):
    page = page_factory("faults")
    health = _html(page, ".dl-demo-health")
    down = r'class="[^"]*dl-node-down'
    assert not re.findall(down, health)
    page.click(".dl-demo-burn")
    health = _changed(page, ".dl-demo-health", health)
    assert len(re.findall(down, health)) == 2
    page.click(".dl-demo-write")
    page.wait_for_function("() => document.querySelector('.dl-demo-status')"
                           ".innerText.includes('write round 1')", timeout=30_000)
    assert page.inner_text(".dl-demo-writes-failed") == "0"
    assert int(page.inner_text(".dl-demo-hints-held")) > 0
    # The rest of the story: hints drain; a cut makes siblings, a read merges them.
    for action, done in (("recover", "every zone is back"), ("run", "virtual time"),
                         ("cut", "network cut"), ("write", "write round 2"),
                         ("heal", "whole again"), ("run", "virtual time"),
                         ("read", "read 2 siblings")):
        page.click(f".dl-demo-{action}")
        page.wait_for_function("t => document.querySelector('.dl-demo-status')"
                               ".innerText.includes(t)", arg=done, timeout=30_000)
        # hints drain when their holders' scans find the owners back (each scan
        # period, paper 4.6): run again, as the instructor would, until they are out
        for _ in range(4):
            if action != "run" or page.inner_text(".dl-demo-hints-held") == "0":
                break
            before = page.inner_text(".dl-demo-status")
            page.click(".dl-demo-run")
            page.wait_for_function("b => document.querySelector('.dl-demo-status')"
                                   ".innerText !== b", arg=before, timeout=30_000)
        if action == "run":
            page.wait_for_function("() => document.querySelector('.dl-demo-hints-held')"
                                   ".innerText === '0'", timeout=10_000)
    # The status line is sent before the pictures: wait for them too.
    page.wait_for_function("() => document.querySelector('.dl-demo-siblings-at')"
                           ".innerText === '2'", timeout=10_000)
    assert page.inner_text(".dl-demo-writes-failed") == "0"
    versions = _html(page, ".dl-demo-versions")
    assert len(re.findall(r'class="[^"]*dl-sibling', versions)) == 2
    assert re.search(r'class="[^"]*dl-merge', versions)
    _finish(page, "faults")


@pytest.mark.browser
def test_capacity_demo_in_voila(page_factory):
    page = page_factory("capacity")
    facts = _html(page, ".dl-demo-facts-box")
    page.click(".dl-demo-preset")
    facts = _changed(page, ".dl-demo-facts-box", facts)
    assert "1,666.67 RCU, 166.67 WCU, 2.66 GB" in facts
    assert page.inner_text(".dl-demo-count") == "3"
    page.click(".dl-demo-create")
    page.wait_for_selector(".dl-demo-partitions svg", timeout=30_000)
    assert len(re.findall(r'class="dl-part[ "]', _html(page, ".dl-demo-partitions"))) == 3
    # Drag the hot-key share to 50% (arrow keys on the slider), send: one
    # partition throttles while the table has capacity left.
    page.locator(".dl-demo-hot [role=slider], .dl-demo-hot .noUi-handle").first.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.dl-demo-hot')"
                           ".innerText.includes('50')", timeout=10_000)
    page.click(".dl-demo-send")
    page.wait_for_function("() => document.querySelector('.dl-demo-status')"
                           ".innerText.includes('50% to one key')", timeout=60_000)
    page.wait_for_function("() => document.querySelector('.dl-demo-throttled')"
                           ".innerText !== '0'", timeout=10_000)
    assert int(page.inner_text(".dl-demo-throttled").replace(",", "")) > 0
    page.wait_for_selector(".dl-demo-capacity rect.dl-throttle", timeout=10_000)
    capacity = _html(page, ".dl-demo-capacity")
    hot = set(re.findall(r'class="dl-throttle"[^>]*data-partition="(p\d+)"', capacity)) | \
        set(re.findall(r'data-partition="(p\d+)"[^>]*class="dl-throttle"', capacity))
    assert len(hot) == 1, hot
    _finish(page, "capacity")


def test_capacity_demo_shows_burst_and_a_split_for_heat():
    def run(idle_s: int, seconds: int, rate: int, hot: int) -> CapacityDemo:
        d = CapacityDemo()
        d.preset()                   # 3 partitions of 166.67 WCU
        d.create()
        if idle_s:
            d.wait(idle_s)
        d.send(seconds=seconds, rate=rate, hot=hot)
        return d
    # 300 writes/s on one key: throttled on a new table, absorbed after a
    # minute idle has filled the partition's burst bucket.
    assert run(0, 3, 600, 50).throttled > 0
    assert run(60, 3, 600, 50).throttled == 0
    # 200 writes/s on one key for 11 s: more than its partition's share every
    # second (adaptive capacity lends the rest, no throttle), so it splits.
    d = run(0, 11, 250, 80)
    assert d.throttled == 0
    assert [p for p in d.service.partitions(d.table) if p["parent"]]
    assert "4 partitions, 1 split (heat)" in repr(d.partition_view)
