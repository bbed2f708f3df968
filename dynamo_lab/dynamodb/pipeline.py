"""One request pipeline: the operation table and :func:`handle`.

Every request, from the in-process boto3 client or from ``dynamo-lab
serve``, takes the same steps, under the state's lock:

1. **advance the clock** by ``request_ms`` (timers due meanwhile run first);
2. **validate** the request against botocore's service model
   (:mod:`.model.validate`): shapes, types, lengths, enums, in DynamoDB's words;
3. **prepare**: the operation reads the state and plans the whole change,
   raising any error it can raise -- a condition that fails, a throttle,
   a key of the wrong type, a leader that is down -- while nothing has
   changed yet;
4. **commit** the plan (the store, the table map);
5. run the **after-commit observers**, in one ordered list
   (:data:`.commit.AFTER_COMMIT`: replication, events, streams, indexes),
   each of which checked in step 3 that it can take the change;
6. **respond**, and log the ``capacity.*`` events the request earned.

A bug anywhere becomes DynamoDB's ``InternalServerError`` (HTTP 500), with
its traceback kept in ``state.internal_errors`` for the tests; a learner
never sees a Python traceback.

Examples
--------
>>> from dynamo_lab.sim import Simulation
>>> from dynamo_lab.dynamodb.state import ServiceState
>>> st = new_state(Simulation(seed=0))
>>> handle(st, "ListTables", {})
{'TableNames': []}
>>> try:
...     handle(st, "ListTablez", {})
... except DynamoDBError as e:
...     print(e.code)
UnknownOperationException
>>> st.sim.now          # the request took request_ms of virtual time
1
"""
from __future__ import annotations

import traceback
from typing import Any, Callable

from ..sim import Simulation
from .errors import DynamoDBError, ValidationError
from .model.validate import check_request, operation_names
from .operations import backups, batch, control, items, query, transactions
from .replication.groups import Replication
from .state import ServiceState
from .streams import api as streams_api
from .streams.api import check_streams_request
from .streams.hub import StreamHub
from .tables.layout import emit_capacity_events

__all__ = ["OPERATIONS", "STREAMS_OPERATIONS", "new_state", "handle", "handle_streams", "run"]

#: ``op(state, request) -> response``; each op types its request and response
#: with :mod:`.model.shapes`' TypedDicts.
Operation = Callable[[ServiceState, Any], Any]

#: DynamoDB's operations the lab answers: name -> ``op(state, request)``.
OPERATIONS: dict[str, Operation] = {
    "CreateTable": control.create_table,
    "DescribeTable": control.describe_table,
    "ListTables": control.list_tables,
    "DeleteTable": control.delete_table,
    "UpdateTable": control.update_table,
    "UpdateTimeToLive": control.update_time_to_live,
    "DescribeTimeToLive": control.describe_time_to_live,
    "DescribeLimits": control.describe_limits,
    "DescribeEndpoints": backups.describe_endpoints,
    "DescribeContinuousBackups": backups.describe_continuous_backups,
    "TagResource": control.tag_resource,
    "UntagResource": control.untag_resource,
    "ListTagsOfResource": control.list_tags_of_resource,
    "GetItem": items.get_item,
    "PutItem": items.put_item,
    "UpdateItem": items.update_item,
    "DeleteItem": items.delete_item,
    "Query": query.query,
    "Scan": query.scan,
    "BatchGetItem": batch.batch_get_item,
    "BatchWriteItem": batch.batch_write_item,
    "TransactGetItems": transactions.transact_get_items,
    "TransactWriteItems": transactions.transact_write_items,
}

#: DynamoDB Streams' operations: name -> ``op(state, request)``.
STREAMS_OPERATIONS: dict[str, Operation] = dict(streams_api.OPERATIONS)


def new_state(sim: Simulation, **fields: Any) -> ServiceState:
    """A service state on ``sim`` with its components wired (``fields``:
    the :class:`~.state.ServiceState` fields: options, region, account)."""
    state = ServiceState(sim, **fields)
    state.replication = Replication(state)
    state.streams = StreamHub(state)
    return state


def _answer(state: ServiceState, fn: Operation, check: Callable[[str, Any], dict],
            operation: str, params: Any) -> dict:
    with state.lock:
        if state.timing.request_ms:
            state.sim.run(ms=state.timing.request_ms)
        try:
            out = fn(state, check(operation, params))
            if state.capacity_task is not None:
                emit_capacity_events(state)
            return out
        except DynamoDBError:
            raise
        except RecursionError:
            raise ValidationError("Nesting Levels have exceeded supported limits") from None
        except Exception as exc:  # a bug: report it as AWS would, keep the trace
            state.internal_errors.append(traceback.format_exc())
            raise DynamoDBError("InternalServerError", "Internal server error") from exc


def handle(state: ServiceState, operation: str, params: Any) -> dict:
    """Answer one DynamoDB request: ``operation`` (e.g. ``"PutItem"``, the
    part of ``X-Amz-Target`` after the dot) with ``params``, the
    JSON-decoded body in wire form. Returns the response body; raises
    :class:`~.errors.DynamoDBError` with DynamoDB's code and message.
    Thread-safe: it holds the state's lock."""
    fn = OPERATIONS.get(operation)
    if fn is None:
        if operation in operation_names():
            raise DynamoDBError("UnknownOperationException",
                                f"dynamo_lab does not implement {operation}")
        raise DynamoDBError("UnknownOperationException", "")
    return _answer(state, fn, check_request, operation, params)


def handle_streams(state: ServiceState, operation: str, params: Any) -> dict:
    """Answer one DynamoDB Streams request, like :func:`handle`."""
    fn = STREAMS_OPERATIONS.get(operation)
    if fn is None:
        raise DynamoDBError("UnknownOperationException", "")
    return _answer(state, fn, check_streams_request, operation, params)


def run(state: ServiceState, ms: int) -> None:
    """Advance virtual time by ``ms``, running background work (table
    status changes, TTL expiry, GSI propagation, consumers' timers)."""
    with state.lock:
        state.sim.run(ms=ms)
        emit_capacity_events(state)
