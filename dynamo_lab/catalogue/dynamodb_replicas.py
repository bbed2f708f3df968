"""Events of DynamoDB's replica groups: leaders, replication lag, failover (dynamo_lab.dynamodb.replication)."""
from ._spec import kind  # noqa: F401

__all__ = ["KINDS"]

KINDS: dict = {}
