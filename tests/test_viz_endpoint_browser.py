"""The endpoint views and the DynamoDB lessons' pictures in real JupyterLab and
Chromium: one generated notebook records a lab client's calls and shows each
view; the test counts each live widget's marks, then puts more items and sees
the hash-space picture grow in place. A photograph of each view it draws goes
to ``test-artifacts/views/<view>.png`` (gitignored; CI keeps them as artifacts).
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, LabPage, chromium_missing_reason, jupyterlab

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("DYNAMO_LAB_ARTIFACTS") or ROOT / "test-artifacts")
PHOTOS = ARTIFACTS / "views"

pytestmark = pytest.mark.browser

SETUP = '''\
from boto3.dynamodb.conditions import Attr, Key
from dynamo_lab import DynamoDB, viz
ddb = DynamoDB(seed=12)
client, streams, dynamodb = ddb.client(retries=0), ddb.streams_client(), ddb.resource()
calls = viz.record(client, streams, dynamodb)
client.create_table(TableName="Orders", BillingMode="PAY_PER_REQUEST",
    KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
               {"AttributeName": "order", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                          {"AttributeName": "order", "AttributeType": "S"}],
    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
client.create_table(TableName="HashDemo", BillingMode="PAY_PER_REQUEST",
    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}])
for t in ("Orders", "HashDemo"):
    client.get_waiter("table_exists").wait(TableName=t, WaiterConfig={"Delay": 1})
orders = dynamodb.Table("Orders")
with orders.batch_writer() as batch:
    for customer, n in (("Customer#1", 12), ("Customer#2", 5), ("Customer#3", 4)):
        for o in range(1, n + 1):
            batch.put_item(Item={"customer": customer, "order": f"Order#{o:04d}",
                                 "total": 7 * o, "receipt": "x" * 1000})
q = orders.query(KeyConditionExpression=Key("customer").eq("Customer#1")
                 & Key("order").gt("Order#0003"), FilterExpression=Attr("total").gt(40), Limit=6)
orders.delete_item(Key={"customer": "Customer#3", "order": "Order#0004"})
arn = client.describe_table(TableName="Orders")["Table"]["LatestStreamArn"]
for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    streams.get_records(ShardIterator=it)
demo = dynamodb.Table("HashDemo")
for i in (1, 2, 3):
    demo.put_item(Item={"id": i, "name": f"item {i}"})
'''

LESSONS = '''\
# lesson 11: an item's anatomy
client.create_table(TableName="Images", BillingMode="PAY_PER_REQUEST",
    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}])
client.get_waiter("table_exists").wait(TableName="Images", WaiterConfig={"Delay": 1})
images = dynamodb.Table("Images")
images.put_item(Item={"id": 12345, "url": "https://example.com/cat.png", "tags": {"cat", "cute"},
                      "exif": {"iso": 200}, "thumb": b"\\x00" * 1200})
# lesson 13: a lagging replica and stale reads
ddb13 = DynamoDB(seed=13, replication={"lag_ms": (100, 100)})
c13 = ddb13.client(retries=0)
calls13 = viz.record(c13)
c13.create_table(TableName="Profiles", BillingMode="PAY_PER_REQUEST",
    KeySchema=[{"AttributeName": "user", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "user", "AttributeType": "S"}])
c13.get_waiter("table_exists").wait(TableName="Profiles", WaiterConfig={"Delay": 1})
ada = {"user": {"S": "ada"}}
c13.put_item(TableName="Profiles", Item={**ada, "city": {"S": "London"}})
for _ in range(4):
    c13.get_item(TableName="Profiles", Key=ada)
c13.get_item(TableName="Profiles", Key=ada, ConsistentRead=True)
# lesson 14: an LSI beside its collection, a GSI apart, lag and a sparse index
ddb14 = DynamoDB(seed=14, indexes={"gsi_lag_ms": (50, 80)})
c14 = ddb14.client(retries=0)
calls14 = viz.record(c14)
c14.create_table(TableName="Threads", BillingMode="PAY_PER_REQUEST",
    KeySchema=[{"AttributeName": "forum", "KeyType": "HASH"},
               {"AttributeName": "subject", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                          for a in ("forum", "subject", "posted", "author")],
    LocalSecondaryIndexes=[{"IndexName": "ByDate", "Projection": {"ProjectionType": "KEYS_ONLY"},
        "KeySchema": [{"AttributeName": "forum", "KeyType": "HASH"},
                      {"AttributeName": "posted", "KeyType": "RANGE"}]}],
    GlobalSecondaryIndexes=[{"IndexName": "ByAuthor", "Projection": {"ProjectionType": "KEYS_ONLY"},
        "KeySchema": [{"AttributeName": "author", "KeyType": "HASH"}]}])
c14.get_waiter("table_exists").wait(TableName="Threads", WaiterConfig={"Delay": 1})
for f, sub, p, a in [("S3", "intro", "03", "ann"), ("S3", "pricing", "01", "bob"),
                     ("S3", "tips", "02", None), ("DynamoDB", "gsi", "05", "ann")]:
    item = {"forum": {"S": f}, "subject": {"S": sub}, "posted": {"S": p}}
    if a:
        item["author"] = {"S": a}
    c14.put_item(TableName="Threads", Item=item)
ddb14.run(ms=200)
c14.put_item(TableName="Threads", Item={"forum": {"S": "S3"}, "subject": {"S": "zz"},
                                        "posted": {"S": "07"}, "author": {"S": "bob"}})
for f in ("S3", "DynamoDB"):
    c14.query(TableName="Threads", IndexName="ByDate", KeyConditionExpression="forum = :f",
              ExpressionAttributeValues={":f": {"S": f}})
c14.scan(TableName="Threads", IndexName="ByAuthor")
# lesson 18: a Lambda-like mapping and a KCL-like app on the Orders stream
from dynamo_lab.dynamodb.consumers.kcl import App
from dynamo_lab.dynamodb.consumers.triggers import EventSourceMapping
mapping = EventSourceMapping(lambda event, context: None, arn, streams_client=ddb.streams_client(),
                             name="tally", batch_size=8, starting_position="TRIM_HORIZON")
mapping.drain()
mapping.disable()
class Tally:
    def initialize(self, shard_id): pass
    def process_records(self, records, checkpointer): checkpointer.checkpoint()
    def shutdown(self, reason): pass
app = App("tally", arn, Tally, client=ddb.client(), streams_client=ddb.streams_client())
app.add_worker("w0")
app.run(2)
app.add_worker("w1")
app.run(3)
'''

#: (cell source, CSS class of the view, selector of its marks, how many)
VIEWS = [
    ("viz.RequestTraceView(calls, rows=20)", "dl-trace", "rect.dl-call", 13),
    ('viz.ItemCollectionsView(calls, table="Orders", call="Query")', "dl-collections",
     "rect.dl-item", 20),
    ("viz.StreamRecordsView(calls)", "dl-streamrecs", "rect.dl-rec", 22),
    ('viz.HashSpaceView(calls, table="HashDemo")', "dl-hashspace", "circle.dl-key-dot", 12),
    ('viz.ItemAnatomyView(calls, table="Images")', "dl-anatomy", "rect.dl-attr", 5),
    ('viz.ReplicaGroupView(calls13, table="Profiles")', "dl-replicas", "path.dl-msg", 8),
    ("viz.IndexPlacementView(calls14)", "dl-indexes", "rect.dl-item", 5),
    ("viz.LambdaBatchesView(mapping)", "dl-batches", "rect.dl-batch", 3),
    ("viz.KclLeasesView(app)", "dl-leases", "rect.dl-lease", 1),
    ('viz.AccessPatternsView(calls, table="Orders")', "dl-patterns", "rect.dl-item", 20),
]
#: run again once the flag file exists: two keys that land in the other two partitions
GROW = ("from pathlib import Path\n"
        "if Path('grow.flag').exists():\n"
        "    for i in (6, 4):\n"
        "        demo.put_item(Item={'id': i})")


def _notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(LESSONS)]
    nb.cells += [nbformat.v4.new_code_cell(src) for src, *_ in VIEWS]
    nb.cells.append(nbformat.v4.new_code_cell(GROW))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


def test_endpoint_views_draw_their_marks_in_jupyterlab_and_grow_live():
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    PHOTOS.mkdir(parents=True, exist_ok=True)
    for old in PHOTOS.glob("*.png"):        # only this run's photographs
        old.unlink()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dl-endpoint-") as tmp, \
            tempfile.TemporaryDirectory(prefix="dl-chromium-") as profile:
        nb = Path(tmp) / "endpoint_views.ipynb"
        _notebook(nb)
        with jupyterlab([nb], artifacts=ARTIFACTS, startup_timeout=90) as (base, _root), \
                sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
                viewport={"width": 1280, "height": 1100})
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.set_default_timeout(30_000)
            lab = LabPage(page, base)
            try:
                lab.open_notebook(nb.name, timeout_ms=60_000)
                state = lab.run_all(timeout_s=90)
                assert not state["errors"], f"cells raised: {state['errors']}"
                for src, cls, marks, n in VIEWS:
                    # the live widget (views.js adds the class to its own element)
                    view = page.locator(f".jp-OutputArea-output div.dl-view.{cls}:has(svg)").first
                    view.scroll_into_view_if_needed()
                    expect(view.locator(f"svg {marks}")).to_have_count(n, timeout=20_000)
                    photo = PHOTOS / f"{cls[3:]}.png"
                    view.screenshot(path=str(photo))
                    assert photo.stat().st_size > 4000, f"{photo.name}: a blank photograph?"
                # A view's own text sizes hold: the stylesheet's default 12px
                # applies only to texts that name no size (an SVG attribute
                # loses to any CSS rule, so a plain 'text{font-size}' rule
                # once made every small label 12px and overflow its cell).
                sizes = page.evaluate("""() => [...document.querySelectorAll(
                    '.jp-OutputArea-output div.dl-view svg text[font-size]')].slice(0, 200)
                    .map(t => [t.getAttribute('font-size'), getComputedStyle(t).fontSize])""")
                assert any(a not in ("12", "12px") for a, _ in sizes), sizes[:5]
                assert all(c == (a if a.endswith("px") else a + "px") for a, c in sizes), \
                    [x for x in sizes if x[1] != x[0] + "px"][:5]
                # put two more keys: the hash-space widget draws them in place
                hs = page.locator(".jp-OutputArea-output div.dl-view.dl-hashspace:has(svg)")
                expect(hs).to_have_count(1)
                (_root / "grow.flag").write_text("")
                page.evaluate("() => { const nb = window.jupyterapp.shell.currentWidget.content;"
                              " nb.activeCellIndex = nb.widgets.length - 1; }")
                page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")
                expect(hs.first.locator("svg circle.dl-key-dot")).to_have_count(
                    4 * 5, timeout=20_000)
                expect(hs.first.locator("svg text", has_text="keys that spread")).to_have_count(0)
                page.wait_for_timeout(800)      # let the new dots fade in for the picture
                hs.first.screenshot(path=str(PHOTOS / "hashspace_grown.png"))
            finally:
                print("endpoint browser test:", round(time.monotonic() - started, 1), "s")
                try:
                    page.screenshot(path=str(ARTIFACTS / "endpoint_page.png"), full_page=True)
                finally:
                    ctx.close()
            assert not lab.widget_errors(), "\n".join(lab.widget_errors())
            assert not lab.page_errors, "\n".join(lab.page_errors)
            assert sorted(p.name for p in PHOTOS.glob("*.png")) == sorted(
                [f"{cls[3:]}.png" for _, cls, *_ in VIEWS] + ["hashspace_grown.png"])
