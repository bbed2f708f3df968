"""Consumers of DynamoDB Streams: the KCL and Lambda triggers.

:mod:`.stream_reader` reads a stream's shards in order, following splits;
:mod:`.kcl` is a Kinesis Client Library application (workers, leases,
checkpoints; :mod:`.kcl_worker`); :mod:`.triggers` maps a stream to a
Lambda function (:mod:`.lambda_shapes` holds the event's shape).

May import: :mod:`dynamo_lab.dynamodb.backend` and everything below it.
Public: :class:`~.kcl.App`, :class:`~.triggers.EventSourceMapping`.
"""
from .kcl import App
from .triggers import EventSourceMapping

__all__ = ["App", "EventSourceMapping"]
