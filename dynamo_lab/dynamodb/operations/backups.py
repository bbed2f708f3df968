"""What SDKs and tools ask a DynamoDB endpoint about itself: DescribeEndpoints
and DescribeContinuousBackups.

The lab keeps no backups, so DescribeContinuousBackups answers what AWS
answers for a table without point-in-time recovery: continuous backups are
``ENABLED`` on every table from its creation, and
``PointInTimeRecoveryStatus`` is ``DISABLED`` (DescribeContinuousBackups in
the API reference). A table that does not exist is AWS's
``TableNotFoundException``, not the ``ResourceNotFoundException`` the other
operations give.

DescribeEndpoints answers as AWS does, with the Region's public address and a
day's cache period; SDKs ask for it only when endpoint discovery is on, and
a client given an ``endpoint_url`` does not use the answer.

Examples
--------
>>> from dynamo_lab.dynamodb.service import DynamoDB
>>> ddb = DynamoDB(seed=0, create_ms=0)
>>> from dynamo_lab.dynamodb.service import handle
>>> handle(ddb, "DescribeEndpoints", {})
{'Endpoints': [{'Address': 'dynamodb.us-east-1.amazonaws.com', 'CachePeriodInMinutes': 1440}]}
>>> _ = handle(ddb, "CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
>>> handle(ddb, "DescribeContinuousBackups", {"TableName": "Tab"})["ContinuousBackupsDescription"]
{'ContinuousBackupsStatus': 'ENABLED', 'PointInTimeRecoveryDescription': {'PointInTimeRecoveryStatus': 'DISABLED'}}
>>> try:
...     handle(ddb, "DescribeContinuousBackups", {"TableName": "Nope"})
... except Exception as e:
...     print(e.code, e)
TableNotFoundException Table not found: Nope
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import DynamoDBError
from ..model.shapes import (
    DescribeContinuousBackupsInput,
    DescribeContinuousBackupsOutput,
    DescribeEndpointsRequest,
    DescribeEndpointsResponse,
)
from ..tables.lookup import resolve

if TYPE_CHECKING:  # pragma: no cover
    from ..state import ServiceState

__all__ = ["describe_endpoints", "describe_continuous_backups", "CACHE_PERIOD_MINUTES"]

#: How long a client may keep DescribeEndpoints' answer (AWS: a day).
CACHE_PERIOD_MINUTES = 1440


def describe_endpoints(svc: "ServiceState", p: DescribeEndpointsRequest) -> DescribeEndpointsResponse:
    """The Region's endpoint, as AWS gives it. O(1)."""
    return {"Endpoints": [{"Address": f"dynamodb.{svc.region}.amazonaws.com",
                           "CachePeriodInMinutes": CACHE_PERIOD_MINUTES}]}


def describe_continuous_backups(svc: "ServiceState", p: DescribeContinuousBackupsInput) -> DescribeContinuousBackupsOutput:
    """Continuous backups ENABLED, point-in-time recovery DISABLED, for any
    table that exists in any status. O(1)."""
    name = resolve(svc, p["TableName"])
    if name not in svc.tables:
        raise DynamoDBError("TableNotFoundException", f"Table not found: {name}")
    return {"ContinuousBackupsDescription": {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}}
