"""Consumed capacity: DynamoDB's arithmetic on real item sizes.

* A read costs one RCU per 4 KB, rounded up per item; an eventually
  consistent read costs half. Query and Scan add up the sizes of every item
  they read (before any filter) and round once.
* A write costs one WCU per 1 KB of the larger of the old and new item,
  rounded up per item, at least one.
* A transaction costs twice: each item is read or written twice (prepare and
  commit).
* Writes also cost on each secondary index whose entry changes: one write per
  index entry put or removed, by the projected size.

:class:`Meter` gathers the units of one request and renders the
``ConsumedCapacity`` member as AWS returns it for ``TOTAL`` and ``INDEXES``.

Examples
--------
>>> read_units(1_200), read_units(4_500), read_units(4_500, consistent=False)
(1.0, 2.0, 1.0)
>>> write_units(1_025), write_units(0)
(2.0, 1.0)
>>> m = Meter("Music")
>>> m.table_read(read_units(1_200, consistent=False))
>>> m.render("TOTAL")
{'TableName': 'Music', 'CapacityUnits': 0.5}
>>> m.render("INDEXES")
{'TableName': 'Music', 'CapacityUnits': 0.5, 'Table': {'CapacityUnits': 0.5}}
>>> m.render("NONE") is None
True
"""
from __future__ import annotations

from math import ceil

__all__ = ["read_units", "write_units", "Meter", "READ_UNIT", "WRITE_UNIT"]

READ_UNIT = 4096
WRITE_UNIT = 1024


def read_units(size: float, consistent: bool = True, transactional: bool = False) -> float:
    """RCUs for reading ``size`` bytes (one item, or a Query/Scan page's sum).

    Reading nothing still costs the minimum: one unit (half if eventual).
    """
    units = float(max(1, ceil(size / READ_UNIT)))
    if transactional:
        return units * 2
    return units if consistent else units / 2


def write_units(size: float, transactional: bool = False) -> float:
    """WCUs for writing an item of ``size`` bytes (at least one)."""
    units = float(max(1, ceil(size / WRITE_UNIT)))
    return units * 2 if transactional else units


class Meter:
    """The capacity one request consumed on one table and its indexes."""

    __slots__ = ("table", "read", "write", "lsi", "gsi", "split")

    def __init__(self, table: str, split: bool = False) -> None:
        self.table = table
        self.read = 0.0
        self.write = 0.0
        self.lsi: dict[str, list[float]] = {}
        self.gsi: dict[str, list[float]] = {}
        # Transactions report ReadCapacityUnits/WriteCapacityUnits as well.
        self.split = split

    def table_read(self, units: float) -> None:
        self.read += units

    def table_write(self, units: float) -> None:
        self.write += units

    def index(self, kind: str, name: str, read: float = 0.0, write: float = 0.0) -> None:
        box = (self.lsi if kind == "LSI" else self.gsi).setdefault(name, [0.0, 0.0])
        box[0] += read
        box[1] += write

    @property
    def total(self) -> float:
        return self.read + self.write + sum(r + w for r, w in
                                            (*self.lsi.values(), *self.gsi.values()))

    def _cap(self, read: float, write: float) -> dict:
        d = {"CapacityUnits": read + write}
        if self.split:
            if read:
                d["ReadCapacityUnits"] = read
            if write:
                d["WriteCapacityUnits"] = write
        return d

    def render(self, mode: str | None) -> dict | None:
        """The ``ConsumedCapacity`` member for ``ReturnConsumedCapacity=mode``."""
        if mode not in ("TOTAL", "INDEXES"):
            return None
        reads = self.read + sum(r for r, _ in (*self.lsi.values(), *self.gsi.values()))
        writes = self.write + sum(w for _, w in (*self.lsi.values(), *self.gsi.values()))
        out = {"TableName": self.table, **self._cap(reads, writes)}
        if mode == "INDEXES":
            out["Table"] = self._cap(self.read, self.write)
            if self.lsi:
                out["LocalSecondaryIndexes"] = {n: self._cap(r, w) for n, (r, w) in self.lsi.items()}
            if self.gsi:
                out["GlobalSecondaryIndexes"] = {n: self._cap(r, w) for n, (r, w) in self.gsi.items()}
        return out
