"""Shared test setup.

* Every event log in the suite is strict, so an event kind or field missing
  from dynamo_lab.catalogue fails the test that emits it.
* ``moto_url``: moto's ThreadedMotoServer on loopback, one per test module,
  standing in for an outside DynamoDB-compatible endpoint.
"""
import os

import pytest

os.environ.setdefault("DYNAMO_LAB_STRICT_EVENTS", "1")


@pytest.fixture(scope="module")
def moto_url():
    moto_server = pytest.importorskip("moto.server")
    srv = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    srv.start()
    try:
        host, port = srv.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        srv.stop()
