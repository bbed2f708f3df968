"""Events of DynamoDB's secondary indexes maintained asynchronously: GSI propagation and lag, item collections."""
from ._spec import kind  # noqa: F401

__all__ = ["KINDS"]

KINDS: dict = {}
