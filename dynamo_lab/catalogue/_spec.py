"""The record type of the catalogue."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["EventKind", "kind"]


@dataclass(frozen=True)
class EventKind:
    """One event kind: what it means, and what each field holds."""

    doc: str
    docs: dict = field(default_factory=dict)      # field name -> meaning
    optional: tuple = ()                          # fields that may be left out

    @property
    def fields(self) -> tuple:
        """The fields every event of this kind carries."""
        return tuple(k for k in self.docs if k not in self.optional)


def kind(doc: str, optional: tuple = (), **fields: str) -> EventKind:
    """Shorthand: ``kind("what it means", node="the node's name")``."""
    return EventKind(doc, dict(fields), tuple(optional))
