"""The batching contract in a real kernel: a burst of events in one cell
reaches the front end as one widget update, and a control's command as one."""
from __future__ import annotations

import queue
import re

import pytest

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

SETUP = """
import os
os.environ["DYNAMO_LAB_STRICT_EVENTS"] = "1"
from dynamo_lab.dynamo.ring import Ring
from dynamo_lab.viz import RingView
ring = Ring(seed=1)
view = RingView(ring, key="K")
print(view.comm.comm_id)
view
"""


@pytest.fixture(scope="module")
def kernel():
    from jupyter_client.manager import start_new_kernel
    try:
        km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60)
    except Exception as e:  # pragma: no cover - no kernelspec on this machine
        pytest.skip(f"no Python kernel: {e}")
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def drain(kc, msg_id=None, settle=0.6) -> list:
    """iopub messages until the request is idle and nothing more comes for ``settle`` s."""
    out, idle = [], msg_id is None
    while True:
        try:
            m = kc.get_iopub_msg(timeout=settle if idle else 60)
        except queue.Empty:
            return out
        if (m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                and m["parent_header"].get("msg_id") == msg_id):
            idle = True
        out.append(m)


def updates(msgs: list, comm_id: str) -> int:
    return sum(1 for m in msgs if m["msg_type"] == "comm_msg"
               and m["content"]["comm_id"] == comm_id
               and m["content"]["data"].get("method") == "update")


def text(msgs: list) -> str:
    return "".join(m["content"].get("text", "") for m in msgs if m["msg_type"] == "stream")


def test_burst_and_click_each_send_one_update(kernel):
    kc = kernel
    msgs = drain(kc, kc.execute(SETUP))
    errors = [m for m in msgs if m["msg_type"] == "error"]
    assert not errors, errors[0]["content"]["traceback"] if errors else ""
    comm_id = re.search(r"[0-9a-f]{32}", text(msgs)).group(0)
    result = [m for m in msgs if m["msg_type"] == "execute_result"][0]["content"]["data"]
    assert result["text/plain"] == "<RingView 0 nodes, 0 tokens, key='K'>"
    assert result["text/html"].startswith('<div class="dl-view dl-ring">')

    msgs = drain(kc, kc.execute("for i in range(100):\n    ring.add_node(f'n{i}')\n"
                                "print(len(ring.sim.log))"))
    assert int(text(msgs)) > 200
    assert updates(msgs, comm_id) == 1

    # what the "add node" button sends (model.send({cmd: "add_node"}))
    kc.shell_channel.send(kc.session.msg("comm_msg", {
        "comm_id": comm_id, "data": {"method": "custom", "content": {"cmd": "add_node"}}}))
    assert updates(drain(kc, settle=1.5), comm_id) == 1
    msgs = drain(kc, kc.execute("print(view, repr(view.status))"))
    assert text(msgs).strip() == "<RingView 101 nodes, 808 tokens, key='K'> ''"
