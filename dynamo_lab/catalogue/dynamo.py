"""Events of the Dynamo store (paper 4.3-4.9, 5): replicas, hints, clocks,
Merkle trees, gossip and membership. Filled in by the dynamo layer."""
from ._spec import kind  # noqa: F401

KINDS: dict = {}
