"""Events of DynamoDB's stream consumers: Lambda-like event source mappings and KCL-like workers and leases."""
from ._spec import kind  # noqa: F401

__all__ = ["KINDS"]

KINDS: dict = {}
