"""The AWS SDK for JavaScript v3 in a browser page against ``dynamo-lab
serve``: the deck's "JavaScript in the Browser". tests/js/browser_entry.mjs
is bundled by esbuild (both from npm, pinned, via the ``aws_sdk_js``
fixture), the page is served by a local http.server on another port, so
every call is cross-origin and goes through the server's CORS answers, and
Chromium runs it. The page reports what the SDK saw; the test checks it and
that the console stayed clean."""
from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, chromium_missing_reason
from ddb_support import ServeProcess, unique

ENTRY = Path(__file__).parent / "js" / "browser_entry.mjs"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>dynamo-lab SDK page</title>
<link rel="icon" href="data:,"><script src="sdk.js"></script></head><body><p id="ready">SDK loaded</p></body></html>"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test's output clean
        pass


def _bundle(modules: Path, out_dir: Path) -> None:
    esbuild = modules / ".bin" / "esbuild"
    if not esbuild.exists():
        pytest.fail(f"esbuild is missing at {esbuild}: the aws_sdk_js fixture installs it "
                    "from npm (npm install esbuild); see tests/conftest.py")
    proc = subprocess.run([str(esbuild), str(ENTRY), "--bundle", "--format=iife",
                           "--platform=browser", "--target=es2020", "--log-level=warning",
                           f"--outfile={out_dir / 'sdk.js'}"],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, NODE_PATH=str(modules)))
    assert proc.returncode == 0, f"esbuild failed:\n{proc.stderr[-3000:]}"
    (out_dir / "index.html").write_text(PAGE)


def test_browser_sdk_v3_cross_origin(aws_sdk_js):
    reason = chromium_missing_reason()
    if reason:      # as the other browser tests: a failure under CI, else a skip that says why
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"browser test cannot run under CI: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="dl-jsweb-") as site:
        _bundle(aws_sdk_js, Path(site))
        pages = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=site))
        threading.Thread(target=pages.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{pages.server_address[1]}"
        console: list[str] = []
        try:
            with ServeProcess() as srv, sync_playwright() as pw:
                assert srv.url != origin
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page()
                    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
                    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
                    page.goto(f"{origin}/index.html")
                    page.wait_for_function("typeof window.dynamoLabSmoke === 'function'",
                                           timeout=20_000)
                    out = page.evaluate("([e, t]) => window.dynamoLabSmoke(e, t)",
                                        [srv.url, unique("web")])
                finally:
                    browser.close()
                srv.stop()
        finally:
            pages.shutdown()
            pages.server_close()
    assert out["old"] == {"user": "ana", "at": 1, "page": "p1"}
    assert out["get"] == {"user": "ana", "at": 1, "page": "home"}
    assert out["requestId"]             # x-amzn-RequestId is exposed to the page
    assert out["query"] == [1, 2, 3]
    assert out["txn"] == {"name": "TransactionCanceledException",
                          "reasons": ["None", "ConditionalCheckFailed"]}
    assert sorted(out["stream"]) == ["INSERT p1", "INSERT p2", "INSERT p3", "MODIFY home"]
    # Chromium logs every 4xx answer; the one expected is the cancelled transaction's
    errors = [m for m in console if m.startswith(("error", "pageerror"))]
    assert errors == ["error: Failed to load resource: the server responded with a status "
                      "of 400 (Bad Request)"], errors
