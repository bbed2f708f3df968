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
contents are left to :mod:`dynamo_lab.dynamodb.model.types`, which knows the rules
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
import threading
from functools import lru_cache
from typing import Any

from ..errors import DynamoDBError, ValidationError

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
    """The violations found in one request (at most ten are reported)."""

    __slots__ = ("errors",)

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, value: Any, path: str, msg: str) -> None:
        if len(self.errors) < _MAX_REPORTED:
            self.errors.append(
                f"Value {value_text(value)} at '{path}' failed to satisfy constraint: {msg}")


# -- checkers compiled from shapes ----------------------------------------------
# Each shape becomes, once, a function ``check(value, path, walk, checked)``
# that type-checks and constraint-checks ``value`` and returns it with JSON
# nulls dropped. ``checked`` is True for a map's values, whose own length or
# scalar constraints the map has already reported (as one constraint on the
# map, Coral's way). The order of the checks, and so of the messages, is a
# depth-first walk in the model's member order.

_COMPILED: dict[int, tuple] = {}        # id(shape) -> (shape, checker); shapes live as long
_STAGED: dict[int, tuple] = {}          # made by the running compilation, not yet published
_COMPILE_LOCK = threading.RLock()
_FAST_TYPES = {"string": (str,), "blob": (str,), "boolean": (bool,), "integer": (int,),
               "long": (int,), "double": (int, float), "float": (int, float),
               "timestamp": (int, float), "structure": (dict,), "map": (dict,),
               "list": (list,)}


def _type_checker(shape):
    """``_type_check`` for one shape, with the passing types tested first."""
    ok = _FAST_TYPES.get(shape.type_name, ())

    def check(value: Any) -> None:
        if type(value) not in ok:
            _type_check(value, shape)
    return check


def _length_checker(meta: dict):
    lo, hi = meta.get("min"), meta.get("max")
    if lo is None and hi is None:
        return None
    too_short = f"Member must have length greater than or equal to {lo}"
    too_long = f"Member must have length less than or equal to {hi}"

    def check(value: Any, path: str, walk: _Walk) -> None:
        n = len(value)
        if lo is not None and n < lo:
            walk.fail(value, path, too_short)
        if hi is not None and n > hi:
            walk.fail(value, path, too_long)
    return check


def _scalar_checker(shape):
    """The constraints of a scalar shape, or None when it has none."""
    t, meta = shape.type_name, shape.metadata
    if t == "string":
        length = _length_checker(meta)
        enum = shape.enum
        enum_set = frozenset(enum) if enum else None
        enum_msg = "Member must satisfy enum value set: [" + ", ".join(enum or ()) + "]"
        pat = meta.get("pattern")
        regex = _regex(pat) if pat else None
        pat_msg = f"Member must satisfy regular expression pattern: {pat}"
        if length is None and enum_set is None and regex is None:
            return None

        def check(value: Any, path: str, walk: _Walk) -> None:
            if length is not None:
                length(value, path, walk)
            if enum_set is not None and value not in enum_set:
                walk.fail(value, path, enum_msg)
            if regex is not None and not regex.fullmatch(value):
                walk.fail(value, path, pat_msg)
        return check
    if t in ("integer", "long"):
        lo, hi = meta.get("min"), meta.get("max")
        if lo is None and hi is None:
            return None
        low_msg = f"Member must have value greater than or equal to {lo}"
        high_msg = f"Member must have value less than or equal to {hi}"

        def check(value: Any, path: str, walk: _Walk) -> None:
            if lo is not None and value < lo:
                walk.fail(value, path, low_msg)
            if hi is not None and value > hi:
                walk.fail(value, path, high_msg)
        return check
    return None


def _regex(pattern: str):
    """A model pattern as a Python regex. The model's patterns are Java's: two
    use constructs Python lacks (``\\p{Print}``; a surrogate pair standing for
    the supplementary planes), which are translated; any other that Python
    cannot read is not enforced rather than failing every request.

    >>> bool(_regex(r"\\p{Print}+").fullmatch("a b")), bool(_regex(r"\\p{Print}+").fullmatch("\\n"))
    (True, False)
    """
    for java, python in _JAVA_REGEX:
        pattern = pattern.replace(java, python)
    try:
        return re.compile(pattern)
    except re.error:
        return None


_JAVA_REGEX = ((r"\p{Print}", r"[\x20-\x7e]"),
               (r"\uD800\uDC00-\uDBFF\uDFFF", r"\U00010000-\U0010FFFF"))


def _constraints_hold(shape):
    """A predicate: does a value meet ``shape``'s own constraints (its length
    for a list or map, its scalar rules otherwise)?"""
    if shape.type_name in ("list", "map"):
        check = _length_checker(shape.metadata)
    else:
        check = _scalar_checker(shape)
    if check is None:
        return lambda value: True
    meta = shape.metadata
    if shape.type_name == "string" and not shape.enum and "pattern" not in meta:
        # Only lengths (attribute names, placeholders): test them directly.
        lo, hi = meta.get("min", 0), meta.get("max")

        def length_holds(value: Any) -> bool:
            n = len(value)
            return n >= lo and (hi is None or n <= hi)
        return length_holds

    def holds(value: Any) -> bool:
        probe = _Walk()
        check(value, "", probe)
        return not probe.errors
    return holds


def _checker(shape):
    """The compiled checker of ``shape`` (made once per shape, thread-safe).

    Checkers are published to :data:`_COMPILED` only when the outermost
    compilation is finished: a recursive shape meets itself while being
    compiled and points at a trampoline to the finished checker, which
    another request's thread must never call before it exists.
    """
    hit = _COMPILED.get(id(shape))
    if hit is not None:
        return hit[1]
    with _COMPILE_LOCK:
        hit = _COMPILED.get(id(shape)) or _STAGED.get(id(shape))
        if hit is not None:
            return hit[1]
        outermost = not _STAGED
        box: list = []
        _STAGED[id(shape)] = (shape, lambda *a: box[0](*a))
        try:
            check = _compile(shape)
            box.append(check)
            _STAGED[id(shape)] = (shape, check)
            if outermost:
                _COMPILED.update(_STAGED)
        finally:
            if outermost:
                _STAGED.clear()
        return check


def _compile(shape):
    type_check = _type_checker(shape)
    t = shape.type_name
    if shape.name in _OPAQUE:
        def opaque(value: Any, path: str, walk: _Walk, checked: bool = False) -> Any:
            type_check(value)
            return value
        return opaque
    if t == "structure":
        required = shape.required_members
        members = [(name, _lower_first(name), name in required, _checker(m))
                   for name, m in shape.members.items()]

        def structure(value: Any, path: str, walk: _Walk, checked: bool = False) -> dict:
            type_check(value)
            out = {}
            get = value.get
            for name, lower, needed, check in members:
                v = get(name)
                if v is None:
                    if needed:
                        walk.fail(None, f"{path}.{lower}" if path else lower,
                                  "Member must not be null")
                    continue
                out[name] = check(v, f"{path}.{lower}" if path else lower, walk)
            return out
        return structure
    if t == "list":
        length = _length_checker(shape.metadata)
        member = _checker(shape.member)

        def list_(value: Any, path: str, walk: _Walk, checked: bool = False) -> list:
            type_check(value)
            if length is not None and not checked:
                length(value, path, walk)
            return [member(x, f"{path}.{i}.member", walk)
                    for i, x in enumerate(value, 1) if x is not None]
        return list_
    if t == "map":
        length = _length_checker(shape.metadata)
        key_ok = _constraints_hold(shape.key)
        vshape = shape.value
        value_check = _checker(vshape)
        # A list or scalar value is checked (type, then constraints) as a
        # part of the map; a structure or map value on its own.
        part = vshape.type_name not in ("structure", "map")
        value_type = _type_checker(vshape)
        value_ok = _constraints_hold(vshape)
        key_msg = f"Map keys must satisfy constraint: [{', '.join(_rules(shape.key))}]"
        value_msg = f"Map value must satisfy constraint: [{', '.join(_rules(vshape))}]"

        def map_(value: Any, path: str, walk: _Walk, checked: bool = False) -> dict:
            type_check(value)
            if length is not None:
                length(value, path, walk)
            out = {}
            for k, v in value.items():
                if v is None:
                    continue
                if not key_ok(k):
                    walk.fail(value, path, key_msg)
                if part:
                    value_type(v)
                    if not value_ok(v):
                        walk.fail(value, path, value_msg)
                out[k] = value_check(v, f"{path}.{k}.member", walk, True)
            return out
        return map_
    integral = t in ("integer", "long")
    constraints = _scalar_checker(shape)

    def scalar(value: Any, path: str, walk: _Walk, checked: bool = False) -> Any:
        type_check(value)
        if integral and isinstance(value, float):
            value = math.floor(value)     # Coral truncates a JSON 2.5 to an Integer 2
        if constraints is not None and not checked:
            constraints(value, path, walk)
        return value
    return scalar


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


_REQUESTS: dict[tuple, tuple] = {}     # (id(model), operation) -> (model, checker)


def check_request(operation: str, params: Any, model=None) -> dict:
    """Check ``params`` against the input shape of ``operation``.

    ``model`` is a botocore service model (DynamoDB's by default; the Streams
    API passes its own). Returns a copy with JSON nulls removed (Coral treats
    ``null`` as absent). Raises ``SerializationException`` for a value of the
    wrong JSON type and ``ValidationException`` listing up to ten constraint
    violations.
    """
    model = model or service_model()
    hit = _REQUESTS.get((id(model), operation))
    if hit is None:
        shape = model.operation_model(operation).input_shape
        hit = _REQUESTS[(id(model), operation)] = (
            model, None if shape is None else _checker(shape))
    check = hit[1]
    if params is None:
        params = {}
    if check is None:
        return {}
    if not isinstance(params, dict):
        raise _serialization("Start of list found where not expected"
                             if isinstance(params, list) else "Expected null")
    walk = _Walk()
    out = check(params, "", walk)
    if walk.errors:
        n = len(walk.errors)
        raise ValidationError(f"{n} validation error{'s' if n > 1 else ''} detected: "
                              + "; ".join(walk.errors))
    return out
