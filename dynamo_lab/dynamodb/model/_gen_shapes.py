"""Write :mod:`.shapes` from botocore's service models (the typed requests and responses).

Run it after a botocore upgrade::

    python -m dynamo_lab.dynamodb.model._gen_shapes

``tests/test_ddb_shapes.py`` renders the module in memory and fails, naming
this command, when the committed file differs, so a botocore whose model
changed cannot pass unnoticed.

The translation is mypy-boto3's, in the wire form the lab's operations see
(the JSON 1.0 body, decoded):

* a structure is a ``TypedDict``; its optional members live in a class with
  ``total=False`` derived from a ``...Required`` base that holds the required
  ones, so no ``typing_extensions`` is needed on Python 3.10;
* a list is ``list[...]``, a map ``dict[str, ...]``;
* a string is ``str``, or a ``Literal`` alias named after its shape when the
  model gives it an enum; integer and long are ``int``; double ``float``;
  boolean ``bool``; a blob is ``str`` (base64 on the wire); a timestamp is
  ``float`` (epoch seconds on the wire);
* an operation without an output shape (its response is ``{}``) gets an
  empty ``<Operation>Output``, and one whose shapes botocore names
  otherwise (``DescribeEndpointsRequest``) an alias, so ``<Operation>Input``
  and ``<Operation>Output`` name every operation's request and response;
* DynamoDB Streams' shapes share a class with DynamoDB's when botocore
  defines them alike, and take a ``Streams`` prefix when they differ.

Examples
--------
>>> text = render()
>>> "class PutItemInput(_PutItemInputRequired, total=False):" in text
True
>>> "    TableName: str" in text
True
"""
from __future__ import annotations

import keyword
import sys
from pathlib import Path
from typing import Any

__all__ = ["SERVICES", "TARGET", "render", "write", "main"]

#: The services whose operations get typed shapes: ``(botocore name, prefix
#: for a shape whose name another service already gave a different shape)``.
SERVICES = (("dynamodb", ""), ("dynamodbstreams", "Streams"))

#: The generated module.
TARGET = Path(__file__).with_name("shapes.py")

_PRIMITIVE = {"string": "str", "integer": "int", "long": "int", "double": "float",
              "float": "float", "boolean": "bool", "blob": "str", "timestamp": "float"}

_HEADER = '''"""Typed requests and responses: a ``TypedDict`` for every input and output
shape of DynamoDB's and DynamoDB Streams' operations, in wire form.

GENERATED from botocore {version}'s service models by
:mod:`._gen_shapes` -- do not edit; run
``python -m dynamo_lab.dynamodb.model._gen_shapes`` after a botocore upgrade
(``tests/test_ddb_shapes.py`` fails until you do).

An operation's request is ``<Operation>Input`` and its response
``<Operation>Output``, e.g. ``def put_item(state, request: PutItemInput) ->
PutItemOutput``. Required members are those of the ``...Required`` base;
the rest are optional (``total=False``). Strings with an enum are
``Literal`` aliases named after their shape; a blob is base64 text and a
timestamp epoch seconds, as on the wire.

Examples
--------
>>> item: AttributeValue = {{"S": "alice"}}
>>> request: PutItemInput = {{"TableName": "users", "Item": {{"pk": item}}}}
>>> sorted(PutItemInput.__required_keys__)
['Item', 'TableName']
>>> "ReturnValues" in PutItemInput.__optional_keys__
True
"""
from __future__ import annotations

from typing import Literal, TypedDict

__all__ = [
{names}
]
'''


def _models() -> list[tuple[str, dict[str, Any]]]:
    from botocore.loaders import Loader
    loader = Loader()
    return [(prefix, loader.load_service_model(name, "service-2")) for name, prefix in SERVICES]


def _strip(shape: dict[str, Any]) -> dict[str, Any]:
    """A shape without its documentation, for comparing two models' shapes."""
    out = {k: v for k, v in shape.items() if k not in ("documentation", "deprecated",
                                                        "deprecatedMessage", "exception", "error")}
    if "members" in out:
        out["members"] = {m: {k: v for k, v in ref.items() if k == "shape"}
                          for m, ref in out["members"].items()}
    return out


def _same(name: str, a: dict[str, Any], b: dict[str, Any], seen: set[str]) -> bool:
    """Whether shape ``name`` means the same in models ``a`` and ``b`` (deep)."""
    if name in seen:
        return True
    seen.add(name)
    if name not in a or name not in b or _strip(a[name]) != _strip(b[name]):
        return False
    shape = a[name]
    refs = [ref["shape"] for ref in shape.get("members", {}).values()]
    refs += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
    return all(_same(r, a, b, seen) for r in refs)


class _Renderer:
    """One pass over the models, in :data:`SERVICES`' order."""

    def __init__(self) -> None:
        self.defs: dict[str, str] = {}            # python name -> code, in definition order
        self.first: dict[str, Any] | None = None  # the first model's shapes
        self.names: dict[str, str] = {}           # this model's shape name -> python name

    def start(self, prefix: str, shapes: dict[str, Any]) -> None:
        if self.first is None:
            self.first = shapes
        self.prefix, self.shapes, self.names = prefix, shapes, {}

    def _py(self, name: str) -> tuple[str, bool]:
        """(python name, whether it still needs defining)."""
        if name in self.names:
            return self.names[name], False
        py = name
        if py in self.defs:     # an earlier model defined it: a twin, or a clash
            assert self.first is not None
            if self.first is self.shapes or not _same(name, self.first, self.shapes, set()):
                py = self.prefix + name
                if py in self.defs:
                    raise ValueError(f"two different botocore shapes render as {py!r}")
        self.names[name] = py
        if py in self.defs:
            return py, False
        self.defs[py] = ""      # reserved first, so recursive shapes terminate
        return py, True

    def type_of(self, name: str) -> str:
        shape = self.shapes[name]
        kind = shape["type"]
        if kind == "list":
            return f"list[{self.type_of(shape['member']['shape'])}]"
        if kind == "map":
            return f"dict[str, {self.type_of(shape['value']['shape'])}]"
        if kind == "string" and "enum" in shape:
            py, new = self._py(name)
            if new:
                self.defs[py] = f"{py} = Literal[{', '.join(repr(v) for v in shape['enum'])}]\n"
            return py
        if kind in _PRIMITIVE:
            return _PRIMITIVE[kind]
        if kind == "structure":
            py, new = self._py(name)
            if new:
                required = set(shape.get("required", ()))
                fields = []
                for m, ref in shape.get("members", {}).items():
                    if not m.isidentifier() or keyword.iskeyword(m):
                        raise ValueError(f"member {m!r} of {name!r} is not a Python identifier")
                    fields.append((m, self.type_of(ref["shape"]), m in required))
                self.defs[py] = _class_text(py, fields)
            return py
        raise ValueError(f"botocore shape {name!r} has a type the generator does not know: {kind!r}")


def _class_text(py: str, fields: list[tuple[str, str, bool]]) -> str:
    req = [(m, t) for m, t, r in fields if r]
    opt = [(m, t) for m, t, r in fields if not r]
    if not req:
        body = "".join(f"    {m}: {t}\n" for m, t in opt) or "    pass\n"
        return f"class {py}(TypedDict, total=False):\n{body}"
    base = f"_{py}Required"
    text = f"class {base}(TypedDict):\n" + "".join(f"    {m}: {t}\n" for m, t in req)
    if not opt:
        return text + f"\n\nclass {py}({base}):\n    pass\n"
    return text + f"\n\nclass {py}({base}, total=False):\n" + "".join(
        f"    {m}: {t}\n" for m, t in opt)


def render() -> str:
    """The text of :mod:`.shapes` for the installed botocore.

    Returns
    -------
    str
        The module's source: every input and output shape of every
        operation of :data:`SERVICES`, and the shapes they reach.
    """
    import botocore
    r = _Renderer()
    for prefix, model in _models():
        r.start(prefix, model["shapes"])
        for op in sorted(model["operations"]):
            spec = model["operations"][op]
            for part in ("input", "output"):
                name = f"{op}{part.title()}"
                if part in spec:
                    py = r.type_of(spec[part]["shape"])
                    if py != name and name not in r.defs:    # e.g. DescribeEndpointsRequest
                        r.defs[name] = f"{name} = {py}\n"
                elif name not in r.defs:                     # the body is ``{}``
                    r.defs[name] = _class_text(name, [])
                else:
                    raise ValueError(f"{op} has no {part} shape, and {name} is taken")
    names = sorted(r.defs)
    body = "\n\n".join(r.defs.values())
    header = _HEADER.format(version=botocore.__version__,
                            names="\n".join(f"    {n!r}," for n in names))
    return header + "\n\n" + body


def write(path: Path = TARGET) -> bool:
    """Write :func:`render`'s text to ``path``; True when it changed."""
    text = render()
    old = path.read_text() if path.exists() else None
    if old != text:
        path.write_text(text)
    return old != text


def main() -> int:
    changed = write()
    print(f"{TARGET}: {'rewritten' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
