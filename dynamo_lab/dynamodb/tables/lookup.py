"""Finding a table by the name or ARN a request gives.

Every operation starts here: :func:`table_for_control` gives a table in any
status (DescribeTable, DeleteTable), :func:`table_for_data` only an ACTIVE
or UPDATING one (reads and writes). A table's partitions are wired when
CreateTable commits it, so nothing here builds anything.

Examples
--------
>>> from dynamo_lab.sim import Simulation
>>> from dynamo_lab.dynamodb.state import ServiceState
>>> st = ServiceState(Simulation(seed=0))
>>> resolve(st, "arn:aws:dynamodb:us-east-1:000000000000:table/Music")
'Music'
>>> table_for_control(st, "Music")
Traceback (most recent call last):
...
dynamo_lab.dynamodb.errors.DynamoDBError: Requested resource not found: Table: Music not found
"""
from __future__ import annotations

import re

from ..errors import DynamoDBError, ValidationError
from ..state import ServiceState
from .table import Table

__all__ = ["check_table_name", "resolve", "table_for_control", "table_for_data"]

_NAME = re.compile(r"[a-zA-Z0-9_.-]+")


def check_table_name(name: str, member: str = "tableName") -> None:
    """DynamoDB's rules for a table name: 3 to 255 of ``[a-zA-Z0-9_.-]``."""
    if not 3 <= len(name) <= 255:
        raise ValidationError("TableName must be at least 3 characters long and "
                              "at most 255 characters long")
    if not _NAME.fullmatch(name):
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at '{member}' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")


def resolve(state: ServiceState, name: str) -> str:
    """The table name in ``name`` (a name or this service's table ARN), checked."""
    if name.startswith("arn:"):
        prefix = f"arn:aws:dynamodb:{state.region}:{state.account}:table/"
        if not name.startswith(prefix) or "/" in name[len(prefix):]:
            raise ValidationError(f"Invalid TableArn: Invalid ResourceArn provided as "
                                  f"input {name}")
        return name[len(prefix):]
    check_table_name(name)
    return name


def table_for_control(state: ServiceState, name: str) -> Table:
    """The table named ``name`` (or its ARN) in any status. O(1)."""
    resolved = resolve(state, name)
    table = state.tables.get(resolved)
    if table is None:
        raise DynamoDBError("ResourceNotFoundException",
                            f"Requested resource not found: Table: {resolved} not found")
    return table


def table_for_data(state: ServiceState, name: str) -> Table:
    """The table for an item operation: only ACTIVE or UPDATING tables take
    reads and writes. O(1)."""
    table = state.tables.get(resolve(state, name))
    if table is None or table.status not in ("ACTIVE", "UPDATING"):
        raise DynamoDBError("ResourceNotFoundException", "Requested resource not found")
    return table
