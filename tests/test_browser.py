"""Lesson 02 in real JupyterLab and Chromium: the ring widget draws, and
pressing "add node" redraws it with the new node's tokens. The time from Run
All to the first view, on a fresh kernel, is printed (issue 9's goal is 3 s
on a 2-core machine); it is measured, not asserted.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install -y chromium``;
``python3 dev.py test`` installs it). Without it the test skips on a laptop
and fails under CI, with those instructions. A screenshot of the page and of
the ring widget goes to ``test-artifacts/`` either way once the page is up.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, LabPage, chromium_missing_reason, jupyterlab

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "lessons" / "02_consistent_hashing.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
#: Figure 2 has one token per node A..G; "add node" draws 8 random tokens
#: (the ring's default T) for the new node.
TOKENS_BEFORE, TOKENS_AFTER = 7, 15

pytestmark = pytest.mark.browser

_RUN_ALL_TIMED = """() => {
  const t0 = performance.now();
  const seen = () => document.querySelector(
      '.jp-OutputArea-output .dl-ring svg.dl-svg circle.dl-token');
  const mo = new MutationObserver(() => {
    if (seen()) { window.__dlFirstView = performance.now() - t0; mo.disconnect(); }
  });
  mo.observe(document.body, {subtree: true, childList: true});
  window.jupyterapp.commands.execute('notebook:run-all-cells');
}"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _need_chromium() -> None:
    reason = chromium_missing_reason()
    if reason is None:
        return
    if _in_ci():
        pytest.fail(f"browser test cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def test_lesson02_ring_draws_and_grows_when_a_node_is_added():
    _need_chromium()
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    started = time.monotonic()
    with jupyterlab([LESSON], artifacts=ARTIFACTS, startup_timeout=90) as (base, _root), \
            tempfile.TemporaryDirectory(prefix="dl-chromium-") as profile, \
            sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 1100})
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.set_default_timeout(30_000)
        lab = LabPage(page, base)
        phases = {"lab up": time.monotonic() - started}
        try:
            lab.open_notebook(LESSON.name, timeout_ms=60_000)
            phases["kernel idle"] = time.monotonic() - started
            # Timed in the page's own clock: Run All, then a MutationObserver
            # notes when the ring's first token is in the DOM (Playwright's
            # polling would add its own latency to the figure).
            page.evaluate(_RUN_ALL_TIMED)
            page.wait_for_function("() => window.__dlFirstView !== undefined", timeout=60_000)
            first_view = page.evaluate("() => window.__dlFirstView") / 1000
            print(f"lesson 02, fresh kernel: first view {first_view:.2f} s after Run All "
                  f"(goal 3 s)")
            phases["first view"] = time.monotonic() - started
            state = lab.wait_until_run(timeout_s=75)
            phases["cells run"] = time.monotonic() - started
            assert not state["errors"], f"cells raised: {state['errors']}"

            # The live widget (not the static SVG fallback): it has the controls.
            ring = page.locator(".jp-OutputArea-output .dl-ring:has(button.dl-add)").first
            ring.scroll_into_view_if_needed()
            tokens = ring.locator("svg.dl-svg circle.dl-token")
            expect(tokens).to_have_count(TOKENS_BEFORE, timeout=20_000)
            expect(ring.locator("circle.dl-pref")).to_have_count(1)   # n=1: the coordinator

            ring.locator("button.dl-add").click()
            expect(tokens).to_have_count(TOKENS_AFTER, timeout=20_000)
            expect(ring.locator("text.dl-legend")).to_have_count(8)
            page.wait_for_timeout(700)   # let the moved ranges' flash settle for the picture
            ring.screenshot(path=str(ARTIFACTS / "lesson02_ring.png"))
            phases["node added"] = time.monotonic() - started
        finally:
            print("browser test phases (s since start):",
                  {k: round(v, 1) for k, v in phases.items()})
            try:
                page.screenshot(path=str(ARTIFACTS / "lesson02_page.png"))
            finally:
                ctx.close()

        assert not lab.widget_errors(), "widget manager errors:\n" + "\n".join(lab.widget_errors())
        assert not lab.page_errors, "page errors:\n" + "\n".join(lab.page_errors)
