"""Expression syntax trees: frozen records the evaluator walks.

Placeholders are already resolved: a :class:`Path` holds real attribute
names and list indexes, a :class:`Value` holds the AttributeValue its
``:placeholder`` stands for. Legacy parameters translate into these same
nodes (:mod:`.legacy`).

Operands
    :class:`Path`, :class:`Value`, :class:`Size` (conditions),
    :class:`IfNotExists`, :class:`ListAppend`, :class:`Arith` (updates).
Conditions
    :class:`Compare` (``= <> < <= > >=``), :class:`Between`, :class:`In`,
    :class:`Func` (``attribute_exists``, ``attribute_not_exists``,
    ``attribute_type``, ``begins_with``, ``contains``), :class:`And`,
    :class:`Or`, :class:`Not`.
Update actions
    :class:`SetAction`, :class:`RemoveAction`, :class:`AddAction`,
    :class:`DeleteAction`, gathered in :class:`Update`.

Examples
--------
>>> p = Path(("a", "b", 2, "c"))
>>> str(p), p.display()
('a.b[2].c', '[a, b, [2], c]')
>>> p.top
'a'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

__all__ = [
    "Path", "Value", "Size", "IfNotExists", "ListAppend", "Arith", "Operand",
    "Compare", "Between", "In", "Func", "And", "Or", "Not", "Condition",
    "SetAction", "RemoveAction", "AddAction", "DeleteAction", "Action",
    "Update",
]


@dataclass(frozen=True)
class Path:
    """A document path: attribute names (str) and list indexes (int)."""
    elements: tuple

    @property
    def top(self) -> str:
        """The top-level attribute the path starts at."""
        return self.elements[0]

    def __str__(self) -> str:
        out = ""
        for e in self.elements:
            out += f"[{e}]" if isinstance(e, int) else ("." if out else "") + e
        return out

    def display(self) -> str:
        """The ``[a, b, [2]]`` form DynamoDB's overlap messages use."""
        return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e
                               for e in self.elements) + "]"


@dataclass(frozen=True)
class Value:
    """A constant: ``:placeholder`` (or a legacy parameter) and its value."""
    name: str
    value: dict


@dataclass(frozen=True)
class Size:
    """``size(operand)``: a number. The operand is usually a path, but a
    constant with a size (``size(:s)``) is allowed too."""
    operand: "Operand"


@dataclass(frozen=True)
class IfNotExists:
    """``if_not_exists(path, operand)``."""
    path: Path
    default: "Operand"


@dataclass(frozen=True)
class ListAppend:
    """``list_append(operand, operand)``."""
    left: "Operand"
    right: "Operand"


@dataclass(frozen=True)
class Arith:
    """``operand + operand`` or ``operand - operand`` (SET only)."""
    op: str
    left: "Operand"
    right: "Operand"


Operand = Union[Path, Value, Size, IfNotExists, ListAppend, Arith]


@dataclass(frozen=True)
class Compare:
    """``left op right`` with op one of ``= <> < <= > >=``."""
    op: str
    left: Operand
    right: Operand


@dataclass(frozen=True)
class Between:
    subject: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True)
class In:
    subject: Operand
    options: tuple


@dataclass(frozen=True)
class Func:
    """A boolean function call: its name and operands."""
    name: str
    args: tuple


@dataclass(frozen=True)
class And:
    left: "Condition"
    right: "Condition"


@dataclass(frozen=True)
class Or:
    left: "Condition"
    right: "Condition"


@dataclass(frozen=True)
class Not:
    operand: "Condition"


Condition = Union[Compare, Between, In, Func, And, Or, Not]


@dataclass(frozen=True)
class SetAction:
    path: Path
    value: Operand


@dataclass(frozen=True)
class RemoveAction:
    path: Path


@dataclass(frozen=True)
class AddAction:
    """``ADD path :v``; ``legacy`` marks one from ``AttributeUpdates``, whose
    type errors DynamoDB words differently."""
    path: Path
    value: Value
    legacy: bool = False


@dataclass(frozen=True)
class DeleteAction:
    """``DELETE path :set`` (``legacy``: as for :class:`AddAction`)."""
    path: Path
    value: Value
    legacy: bool = False


Action = Union[SetAction, RemoveAction, AddAction, DeleteAction]


@dataclass(frozen=True)
class Update:
    """A whole update expression: its actions in source order."""
    actions: tuple

    @property
    def paths(self) -> tuple:
        return tuple(a.path for a in self.actions)
