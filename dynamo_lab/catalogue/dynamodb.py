"""Events of the DynamoDB service: tables, partitions, capacity, streams.
Filled in by the dynamodb layer."""
from ._spec import kind  # noqa: F401

KINDS: dict = {}
