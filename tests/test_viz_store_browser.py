"""The store views' scenes in real Chromium, through the framework's views.js
with a stand-in widget model (no JupyterLab): a delivered hint is the same
element moving onto its home node with a CSS transition."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, chromium_missing_reason

from dynamo_lab import DynamoCluster
from dynamo_lab.viz.store import MembershipView, ReplicaView, SequenceView

pytestmark = pytest.mark.browser

VIEWS_JS = Path(__file__).resolve().parents[1] / "dynamo_lab" / "viz" / "static" / "views.js"

HARNESS = """
<!doctype html><html><head><style>%(css)s</style></head><body><div id="root"></div>
<script type="module">
%(js)s
const handlers = {};
const state = {scene: %(scene)s, kind: "%(kind)s", controls: {}};
const model = {
  get: (k) => state[k], set: (k, v) => { state[k] = v; }, save_changes: () => {},
  on: (ev, cb) => { (handlers[ev] = handlers[ev] || []).push(cb); },
  off: () => {}, send: () => {},
};
window.setScene = (s) => { state.scene = s; (handlers["change:scene"] || []).forEach((cb) => cb()); };
views.render({model, el: document.getElementById("root")});
window.ready = true;
</script></body></html>
"""


def page_html(widget) -> str:
    js = VIEWS_JS.read_text("utf-8").replace("export default {", "const views = {")
    return HARNESS % {"css": widget._css, "js": js, "scene": json.dumps(widget.scene),
                      "kind": widget.kind}


@pytest.fixture(scope="module")
def page():
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     headless=True)
        pg = browser.new_page()
        errors: list = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.errors = errors
        yield pg
        browser.close()


def test_delivered_hint_moves_with_a_css_transition(page):
    c = DynamoCluster(nodes=5, seed=3)
    view = ReplicaView(c, keys="cart")
    home = c.preference_list("cart")[:3]
    c.crash(home[1])
    c.put("cart", "pen")
    c.run(ms=100)
    view.flush()
    w = view.widget()
    page.set_content(page_html(w))
    page.wait_for_function("window.ready === true", timeout=10_000)
    hint = page.locator("circle.dl-hint")
    assert hint.count() == 1
    assert hint.get_attribute("data-target") == home[1]
    assert hint.get_attribute("class") == "dl-hint dl-hint-stored"
    before = (hint.get_attribute("cx"), hint.get_attribute("cy"))
    transition = hint.evaluate("e => getComputedStyle(e).transitionProperty")
    assert "cx" in transition and "cy" in transition
    page.evaluate("window.hintEl = document.querySelector('circle.dl-hint')")

    c.recover(home[1])
    c.run(ms=3000)
    view.flush()
    page.evaluate("s => window.setScene(s)", w.scene)
    page.wait_for_function(
        "document.querySelector('circle.dl-hint').classList.contains('dl-hint-delivered')",
        timeout=5_000)
    assert page.evaluate("document.querySelector('circle.dl-hint') === window.hintEl")
    after = (hint.get_attribute("cx"), hint.get_attribute("cy"))
    home_mark = page.locator(f'circle.dl-replica[data-node="{home[1]}"]')
    assert after != before
    assert after == (home_mark.get_attribute("cx"), home_mark.get_attribute("cy"))
    assert "dl-held" in home_mark.get_attribute("class")
    assert page.errors == []


@pytest.mark.parametrize("make", [lambda c: SequenceView(c, op="put", live=True),
                                  lambda c: MembershipView(c)])
def test_other_views_draw_their_scene(page, make):
    c = DynamoCluster(nodes=5, seed=3)
    view = make(c)
    c.put("cart", "pen")
    c.run(ms=1500)
    view.flush()
    page.set_content(page_html(view.widget()))
    page.wait_for_function("window.ready === true", timeout=10_000)
    drawn = page.evaluate("document.querySelectorAll('svg.dl-svg > *').length")
    assert drawn == len(json.loads(view.widget().scene)["items"])
    assert page.errors == []
