"""The catalogue says what the DynamoDB engine actually emits."""
from __future__ import annotations

import inspect
import re


def test_throttle_reasons_are_the_catalogued_ones():
    """Every ``capacity.throttled`` reason the engine can give is named in the
    catalogue's description of the field (views and lessons read them)."""
    from dynamo_lab.catalogue import KINDS
    from dynamo_lab.dynamodb.capacity import throughput
    doc = KINDS["capacity.throttled"].docs["reason"]
    src = inspect.getsource(throughput.TableCapacity.consume)
    reasons = set(re.findall(r'limit = "(\w+)"', src))
    assert reasons == {"ProvisionedThroughputExceeded", "KeyRangeThroughputExceeded",
                       "OnDemandPeakExceeded"}
    for r in reasons:
        assert f"'{r}'" in doc, r
