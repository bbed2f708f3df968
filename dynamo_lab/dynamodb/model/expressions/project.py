"""Projections: keep only the requested document paths of an item.

Public API
----------
``project(paths, item) -> dict``
    A new item holding just ``paths`` (from :func:`.parse_projection` or
    legacy ``AttributesToGet``). Missing paths are left out; list elements
    picked by index come back compacted, in index order, as DynamoDB
    returns them. O(total path length + size of the values kept).

Examples
--------
>>> from .parser import parse_projection
>>> item = {"id": {"S": "x"}, "a": {"M": {"b": {"N": "1"}, "c": {"N": "2"}}},
...         "l": {"L": [{"S": "p"}, {"S": "q"}, {"S": "r"}]}}
>>> project(parse_projection("a.c, l[2], l[0], nope"), item)
{'a': {'M': {'c': {'N': '2'}}}, 'l': {'L': [{'S': 'p'}, {'S': 'r'}]}}
"""
from __future__ import annotations

import copy

from .ast import Path
from .evaluate import resolve

__all__ = ["project", "top_level"]


def project(paths, item: dict | None) -> dict:
    """Copy of ``item`` restricted to ``paths``; see the module docstring."""
    if not item:
        return {}
    # A tree of the kept parts: dicts keyed by names or indexes; a leaf is
    # ("value", av). Building it first lets a[2], a[0] come out ordered.
    tree: dict = {}
    for path in paths:
        value = resolve(item, path)
        if value is None:
            continue
        node = tree
        for element in path.elements[:-1]:
            node = node.setdefault(element, {})
        node[path.elements[-1]] = ("value", copy.deepcopy(value))
    return {name: _build(sub) for name, sub in tree.items()}


def _build(node) -> dict:
    if isinstance(node, tuple):
        return node[1]
    if node and all(isinstance(k, int) for k in node):
        return {"L": [_build(node[k]) for k in sorted(node)]}
    return {"M": {k: _build(v) for k, v in node.items()}}


def top_level(names) -> tuple:
    """Paths for plain top-level attribute names (``AttributesToGet``)."""
    return tuple(Path((n,)) for n in names)
