"""The data model and expressions: values, keys, sizes, and the expression language.

Holds DynamoDB's attribute types (:mod:`.types`), its 38-digit numbers
(:mod:`.numbers`), item sizes (:mod:`.size`), key encoding and positions on
the hash space (:mod:`.keys`), request-parameter validation
(:mod:`.validate`), and the expression language: parser, evaluator, update
actions and the legacy parameters (:mod:`.expressions`, reached by the rest
of the service through :mod:`.evaluate`).

May import: :mod:`dynamo_lab.dynamodb.errors` and the pure value module
:mod:`dynamo_lab.dynamo.hashing`, nothing else of the service. Every other
part of the service may import it.

Public: ``item_size`` (DynamoDB's item-size rules).
"""
from .size import item_size

__all__ = ["item_size"]
