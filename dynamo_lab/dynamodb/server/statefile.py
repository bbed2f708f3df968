"""Saving a service's tables to a file and loading them back
(``dynamo-lab serve --state FILE``).

If the service has ``dump()`` and ``load(data)`` they are used, and the file
holds whatever ``dump()`` returns. Otherwise the tables travel through the
public wire API, so the file is plain DynamoDB JSON anyone can read:

- save: ListTables, then per table DescribeTable, DescribeTimeToLive,
  ListTagsOfResource and a consistent Scan of every page;
- load: CreateTable, UpdateTimeToLive, TagResource, then PutItem per item.

The file is written to a temporary sibling and renamed over the old one, so a
crash mid-save never leaves half a file.

Costs: save and load are O(items) wire calls.
"""
from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from ...errors import LabError
from ..service import handle

__all__ = ["save_file", "load_file", "snapshot", "restore", "StateFormatError"]

_FORMAT = "dynamo-lab-state"
_VERSION = 1

_INDEX_KEYS = ("IndexName", "KeySchema", "Projection")


class StateFormatError(LabError, ValueError):
    """A ``--state`` file that is not JSON, or not a dynamo-lab state file
    (the message names the file)."""


def _create_params(desc: dict) -> dict:
    """CreateTable parameters that rebuild the table DescribeTable shows."""
    params: dict[str, Any] = {
        "TableName": desc["TableName"],
        "AttributeDefinitions": desc["AttributeDefinitions"],
        "KeySchema": desc["KeySchema"],
    }
    mode = desc.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    pt = desc.get("ProvisionedThroughput", {})
    if mode == "PAY_PER_REQUEST":
        params["BillingMode"] = "PAY_PER_REQUEST"
    else:
        params["ProvisionedThroughput"] = {
            "ReadCapacityUnits": pt.get("ReadCapacityUnits", 5),
            "WriteCapacityUnits": pt.get("WriteCapacityUnits", 5)}
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if desc.get(kind):
            out = []
            for ix in desc[kind]:
                spec = {k: ix[k] for k in _INDEX_KEYS if k in ix}
                if kind.startswith("Global") and mode != "PAY_PER_REQUEST":
                    ipt = ix.get("ProvisionedThroughput", {})
                    spec["ProvisionedThroughput"] = {
                        "ReadCapacityUnits": ipt.get("ReadCapacityUnits", 5),
                        "WriteCapacityUnits": ipt.get("WriteCapacityUnits", 5)}
                out.append(spec)
            params[kind] = out
    stream = desc.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        params["StreamSpecification"] = stream
    return params


def snapshot(service: Any) -> dict:
    """Every table of ``service`` as a JSON-able dict (see module doc)."""
    names: list[str] = []
    start = None
    for _ in range(100_000):
        page_req: dict[str, Any] = {"ExclusiveStartTableName": start} if start else {}
        page = handle(service, "ListTables", page_req)
        names += page.get("TableNames", [])
        start = page.get("LastEvaluatedTableName")
        if not start:
            break
    tables = []
    for name in names:
        desc = handle(service, "DescribeTable", {"TableName": name})["Table"]
        entry: dict[str, Any] = {"create": _create_params(desc), "items": []}
        ttl = handle(service, "DescribeTimeToLive", {"TableName": name})
        spec = ttl.get("TimeToLiveDescription", {})
        if spec.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
            entry["ttl"] = spec["AttributeName"]
        if desc.get("TableArn"):
            tags = handle(service, "ListTagsOfResource", {"ResourceArn": desc["TableArn"]})
            if tags.get("Tags"):
                entry["tags"] = tags["Tags"]
        key = None
        for _ in range(10_000_000):
            req: dict[str, Any] = {"TableName": name, "ConsistentRead": True}
            if key:
                req["ExclusiveStartKey"] = key
            page = handle(service, "Scan", req)
            entry["items"] += page.get("Items", [])
            key = page.get("LastEvaluatedKey")
            if not key:
                break
        tables.append(entry)
    return {"format": _FORMAT, "version": _VERSION, "tables": tables}


def restore(service: Any, data: dict) -> None:
    """Recreate the tables of a :func:`snapshot` in ``service``."""
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise StateFormatError("not a dynamo-lab state file (no \"format\": "
                               f"\"{_FORMAT}\" at its top)")
    for entry in data.get("tables", []):
        create = entry["create"]
        handle(service, "CreateTable", create)
        name = create["TableName"]
        if entry.get("ttl"):
            handle(service, "UpdateTimeToLive", {
                "TableName": name,
                "TimeToLiveSpecification": {"Enabled": True, "AttributeName": entry["ttl"]}})
        if entry.get("tags"):
            arn = handle(service, "DescribeTable", {"TableName": name})["Table"]["TableArn"]
            handle(service, "TagResource", {"ResourceArn": arn, "Tags": entry["tags"]})
        for item in entry.get("items", []):
            handle(service, "PutItem", {"TableName": name, "Item": item})


def save_file(service: Any, path: str) -> None:
    """Write :func:`snapshot` to ``path`` atomically."""
    data = snapshot(service)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".dynamo-lab-state.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_file(service: Any, path: str) -> None:
    """Load a file written by :func:`save_file` into ``service``."""
    with open(path, encoding="utf-8") as fh:
        try:
            data = json.load(fh)
        except ValueError as exc:
            raise StateFormatError(f"{path} is not JSON: {exc}") from None
    restore(service, data)
