"""Request-shape checks, driven by botocore's own model of the DynamoDB API.

DynamoDB's front end (Coral) checks every request in two passes before any
table is touched:

1. *deserialization*: each JSON value must have the type the model declares
   (a string where a string goes, an object where a structure goes). A wrong
   type is a ``SerializationException`` with Coral's words, e.g.
   ``Start of structure or map found where not expected.``
2. *constraints*: required members, lengths, numeric ranges, enums and
   patterns. Up to ten violations are reported together as a
   ``ValidationException``: ``1 validation error detected: Value null at
   'tableName' failed to satisfy constraint: Member must not be null``.

We read the shapes from the botocore service model (``dynamodb`` 2012-08-10),
which is the same document AWS generates its SDKs from, so the lab checks
exactly the members and limits the real API declares. ``AttributeValue``
contents are left to :mod:`dynamo_lab.dynamodb.types`, which knows the rules
for numbers, sets and empty values.

Examples
--------
>>> check_request("ListTables", {"Limit": 0})
Traceback (most recent call last):
...
dynamo_lab.dynamodb.errors.ValidationError: 1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1
>>> check_request("DescribeTable", {"TableName": ["t"]})
Traceback (most recent call last):
...
dynamo_lab.dynamodb.errors.DynamoDBError: Start of list found where not expected
>>> check_request("DescribeTable", {})
Traceback (most recent call last):
...
dynamo_lab.dynamodb.errors.ValidationError: 1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from .errors import DynamoDBError, ValidationError

__all__ = ["service_model", "operation_names", "check_request", "value_text"]

# Shapes whose insides another module validates with DynamoDB's own messages.
_OPAQUE = {"AttributeValue"}
_MAX_REPORTED = 10


@lru_cache(maxsize=1)
def service_model():
    """botocore's model of DynamoDB 2012-08-10 (loaded once, ~50 ms)."""
    import botocore.session
    return botocore.session.get_session().get_service_model("dynamodb")


@lru_cache(maxsize=1)
def operation_names() -> frozenset:
    """Every operation name the real API has."""
    return frozenset(service_model().operation_names)


def _serialization(msg: str) -> DynamoDBError:
    return DynamoDBError("SerializationException", msg)


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def value_text(v: Any) -> str:
    """How Coral prints a value inside a constraint message.

    >>> value_text(None), value_text("ab"), value_text(["a", "b"])
    ('null', "'ab'", "'[a, b]'")
    """
    if v is None:
        return "null"
    if isinstance(v, bool):
        body = "true" if v else "false"
    elif isinstance(v, list):
        body = "[" + ", ".join(value_text(x).strip("'") for x in v) + "]"
    elif isinstance(v, dict):
        body = "{" + ", ".join(f"{k}={value_text(x).strip(chr(39))}" for k, x in v.items()) + "}"
    else:
        body = str(v)
    return f"'{body}'"


def _type_check(value: Any, shape) -> None:
    """Raise SerializationException if ``value`` is not of ``shape``'s JSON type."""
    t = shape.type_name
    if t in ("structure", "map"):
        if isinstance(value, list):
            raise _serialization("Start of list found where not expected")
        if not isinstance(value, dict):
            raise _serialization("Expected map or null" if t == "map" else "Expected null")
    elif t == "list":
        if isinstance(value, dict):
            raise _serialization("Start of structure or map found where not expected.")
        if not isinstance(value, list):
            raise _serialization("Expected list or null")
    else:
        if isinstance(value, list):
            raise _serialization("Start of list found where not expected")
        if isinstance(value, dict):
            raise _serialization("Start of structure or map found where not expected.")
        if t == "string" and not isinstance(value, str):
            raise _serialization(f"class {_java(value)} can not be converted to an String")
        if t == "blob" and not isinstance(value, str):
            raise _serialization(f"class {_java(value)} can not be converted to a Blob")
        if t == "boolean" and not isinstance(value, bool):
            if isinstance(value, str):
                raise _serialization(f"'{value.upper()}' can not be converted to an Boolean")
            raise _serialization(f"class {_java(value)} can not be converted to an Boolean")
        if t in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _serialization(
                    f"class {_java(value)} can not be converted to an "
                    f"{'Integer' if t == 'integer' else 'Long'}")
        if t in ("double", "float", "timestamp"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _serialization(f"class {_java(value)} can not be converted to an Double")


def _java(v: Any) -> str:
    # Coral is Java; its messages name the Java class the JSON value became.
    if isinstance(v, bool):
        return "java.lang.Boolean"
    if isinstance(v, str):
        return "java.lang.String"
    if isinstance(v, float) and not v.is_integer():
        return "java.lang.Double"
    if isinstance(v, (int, float)):
        return "java.lang.Integer" if -2**31 <= v < 2**31 else "java.lang.Long"
    return "java.lang.Object"


class _Walk:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, value: Any, path: str, msg: str) -> None:
        if len(self.errors) < _MAX_REPORTED:
            self.errors.append(
                f"Value {value_text(value)} at '{path}' failed to satisfy constraint: {msg}")

    def _map_part(self, whole: dict, part: Any, shape, path: str, which: str) -> None:
        # Coral reports a map's keys and (list or scalar) values as one
        # constraint on the map, listing every rule of the part's shape.
        probe = _Walk()
        probe._constraints(part, shape, path)
        if probe.errors:
            rules = _rules(shape)
            word = "Map keys must" if which == "keys" else "Map value must"
            self.fail(whole, path, f"{word} satisfy constraint: [{', '.join(rules)}]")

    def visit(self, value: Any, shape, path: str, checked: bool = False) -> Any:
        """Type-check and constraint-check ``value``; returns it with nulls dropped."""
        _type_check(value, shape)
        if shape.name in _OPAQUE:
            return value
        t = shape.type_name
        meta = shape.metadata
        if t == "structure":
            out = {}
            for name, member in shape.members.items():
                v = value.get(name)
                sub = f"{path}.{_lower_first(name)}" if path else _lower_first(name)
                if v is None:
                    if name in shape.required_members:
                        self.fail(None, sub, "Member must not be null")
                    continue
                out[name] = self.visit(v, member, sub)
            return out
        if t == "list":
            if not checked:
                self._length(value, meta, path)
            return [self.visit(x, shape.member, f"{path}.{i}.member")
                    for i, x in enumerate(value, 1) if x is not None]
        if t == "map":
            self._length(value, meta, path)
            out = {}
            for k, v in value.items():
                if v is None:
                    continue
                self._map_part(value, k, shape.key, path, "keys")
                if shape.value.type_name not in ("structure", "map"):
                    _type_check(v, shape.value)
                    self._map_part(value, v, shape.value, path, "value")
                out[k] = self.visit(v, shape.value, f"{path}.{k}.member", checked=True)
            return out
        if t in ("integer", "long") and isinstance(value, float):
            value = math.floor(value)     # Coral truncates a JSON 2.5 to an Integer 2
        if not checked:
            self._scalar(value, shape, path)
        return value

    def _constraints(self, value: Any, shape, path: str) -> None:
        if shape.type_name in ("list", "map"):
            self._length(value, shape.metadata, path)
        else:
            self._scalar(value, shape, path)

    def _length(self, value: Any, meta: dict, path: str) -> None:
        if "min" in meta and len(value) < meta["min"]:
            self.fail(value, path, f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            self.fail(value, path, f"Member must have length less than or equal to {meta['max']}")

    def _scalar(self, value: Any, shape, path: str) -> None:
        t, meta = shape.type_name, shape.metadata
        if t == "string":
            self._length(value, meta, path)
            if shape.enum and value not in shape.enum:
                self.fail(value, path, "Member must satisfy enum value set: ["
                          + ", ".join(shape.enum) + "]")
            pat = meta.get("pattern")
            if pat and not re.fullmatch(pat, value):
                self.fail(value, path, f"Member must satisfy regular expression pattern: {pat}")
        elif t in ("integer", "long"):
            if "min" in meta and value < meta["min"]:
                self.fail(value, path, f"Member must have value greater than or equal to {meta['min']}")
            if "max" in meta and value > meta["max"]:
                self.fail(value, path, f"Member must have value less than or equal to {meta['max']}")


def _rules(shape) -> list[str]:
    meta, t = shape.metadata, shape.type_name
    out = []
    if t in ("string", "list", "map"):
        if "max" in meta:
            out.append(f"Member must have length less than or equal to {meta['max']}")
        if "min" in meta:
            out.append(f"Member must have length greater than or equal to {meta['min']}")
    else:
        if "max" in meta:
            out.append(f"Member must have value less than or equal to {meta['max']}")
        if "min" in meta:
            out.append(f"Member must have value greater than or equal to {meta['min']}")
    if getattr(shape, "enum", None):
        out.append("Member must satisfy enum value set: [" + ", ".join(shape.enum) + "]")
    if "pattern" in meta:
        out.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    return out


def check_request(operation: str, params: Any, model=None) -> dict:
    """Check ``params`` against the input shape of ``operation``.

    ``model`` is a botocore service model (DynamoDB's by default; the Streams
    API passes its own). Returns a copy with JSON nulls removed (Coral treats
    ``null`` as absent). Raises ``SerializationException`` for a value of the
    wrong JSON type and ``ValidationException`` listing up to ten constraint
    violations.
    """
    shape = (model or service_model()).operation_model(operation).input_shape
    if params is None:
        params = {}
    if shape is None:
        return {}
    if not isinstance(params, dict):
        raise _serialization("Start of list found where not expected"
                             if isinstance(params, list) else "Expected null")
    walk = _Walk()
    out = walk.visit(params, shape, "")
    if walk.errors:
        n = len(walk.errors)
        raise ValidationError(f"{n} validation error{'s' if n > 1 else ''} detected: "
                              + "; ".join(walk.errors))
    return out
