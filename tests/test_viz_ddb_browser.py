"""PartitionMapView in real Chromium, through the framework's views.js with a
stand-in widget model (no JupyterLab): a split is the parent's element
shrinking with a CSS transition while the right child appears, and each
partition carries its hover tip as an SVG <title>."""
from __future__ import annotations

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, chromium_missing_reason
from test_viz_store_browser import page_html

from dynamo_lab import DynamoDB
from dynamo_lab.viz import PartitionMapView

pytestmark = pytest.mark.browser


def test_a_split_animates_in_the_browser_and_partitions_have_hover_tips():
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    ddb = DynamoDB(seed=1)
    c = ddb.client(retries=0)
    c.create_table(TableName="Music", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 10})
    c.get_waiter("table_exists").wait(TableName="Music", WaiterConfig={"Delay": 1})
    for i in range(6):
        c.put_item(TableName="Music", Item={"pk": {"S": f"k{i}"}})
    view = PartitionMapView(ddb, table="Music")
    w = view.widget()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            page = browser.new_page()
            errors: list = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.set_content(page_html(w))
            page.wait_for_function("window.ready === true", timeout=10_000)
            part = page.locator("rect.dl-part")
            assert part.count() == 1 and part.get_attribute("data-partition") == "p0"
            assert part.locator("title").text_content().startswith("p0 [00, 100) · 6 items")
            assert "width" in part.evaluate("e => getComputedStyle(e).transitionProperty")
            page.evaluate("window.p0 = document.querySelector('rect.dl-part')")
            width0 = float(part.get_attribute("width"))

            ddb.split_partition("Music", "p0")
            view.flush()
            page.evaluate("s => window.setScene(s)", w.scene)
            page.wait_for_function("document.querySelectorAll('rect.dl-part').length === 2",
                                   timeout=5_000)
            # the left child is the parent's element, narrower; its tip was rewritten
            assert page.evaluate("document.querySelector('rect.dl-part') === window.p0")
            left, right = part.nth(0), part.nth(1)
            assert left.get_attribute("data-partition") == "p1"
            assert right.get_attribute("data-partition") == "p2"
            assert float(left.get_attribute("width")) < width0
            assert left.locator("title").count() == 1
            assert left.locator("title").text_content().startswith("p1 [00, 80) · ")
            # the drawn width follows the attribute once the transition ends
            page.wait_for_function(
                "Math.abs(document.querySelector('rect.dl-part').getBBox().width - "
                f"{float(left.get_attribute('width'))}) < 0.5", timeout=5_000)
            assert page.locator("circle.dl-member.dl-leader").count() == 2
            assert errors == []
        finally:
            browser.close()
