"""A table's model: key schema, indexes, throughput, status, stream, items.

:class:`Table` holds what ``DescribeTable`` reports and the items themselves
(a :class:`~.storage.Store` of partitions). Writes go through
:meth:`Table.write`, the one place that keeps item counts, sizes and the
secondary indexes in step, so every operation (PutItem, a transaction, a TTL
expiry) maintains them the same way.

Indexes are maintained synchronously here; a later issue makes GSIs
eventually consistent.

Examples
--------
>>> t = Table("Music", [{"AttributeName": "a", "KeyType": "HASH"}],
...           [{"AttributeName": "a", "AttributeType": "S"}], created=0.0, table_id="x")
>>> t.write({"a": {"S": "1"}}, 12)
>>> t.item_count, t.size_bytes
(1, 12)
>>> t.describe("arn:aws:dynamodb:us-east-1:000000000000:table/Music")["TableStatus"]
'CREATING'
"""
from __future__ import annotations

from typing import Any

from .keys import KeySchema
from .size import item_size
from .storage import Store

__all__ = ["Table", "Index", "Throughput"]


class Throughput:
    """Provisioned RCU/WCU and the decrease bookkeeping AWS reports."""

    __slots__ = ("read", "write", "decreases", "last_increase", "last_decrease")

    def __init__(self, read: int = 0, write: int = 0) -> None:
        self.read, self.write = read, write
        self.decreases = 0
        self.last_increase: float | None = None
        self.last_decrease: float | None = None

    def change(self, read: int, write: int, when: float) -> None:
        if read < self.read or write < self.write:
            self.decreases += 1
            self.last_decrease = when
        if read > self.read or write > self.write:
            self.last_increase = when
        self.read, self.write = read, write

    def describe(self) -> dict:
        d: dict[str, Any] = {}
        if self.last_increase is not None:
            d["LastIncreaseDateTime"] = self.last_increase
        if self.last_decrease is not None:
            d["LastDecreaseDateTime"] = self.last_decrease
        d.update({"NumberOfDecreasesToday": self.decreases,
                  "ReadCapacityUnits": self.read, "WriteCapacityUnits": self.write})
        return d


class Index:
    """A local or global secondary index and its own sorted copy of items."""

    def __init__(self, kind: str, name: str, schema: KeySchema, projection: dict,
                 throughput: Throughput | None = None, status: str = "ACTIVE") -> None:
        self.kind, self.name, self.schema = kind, name, schema
        self.projection = dict(projection)
        self.throughput = throughput
        self.status = status
        self.store = Store()
        self.layout = None      # GSIs: partitions and capacity (.layout.Layout), when wired

    @property
    def projection_type(self) -> str:
        return self.projection.get("ProjectionType", "ALL")

    def project(self, item: dict, table_schema: KeySchema) -> dict:
        """The attributes of ``item`` this index stores."""
        ptype = self.projection_type
        if ptype == "ALL":
            return item
        keep = set(table_schema.names) | set(self.schema.names)
        if ptype == "INCLUDE":
            keep |= set(self.projection.get("NonKeyAttributes", ()))
        return {k: v for k, v in item.items() if k in keep}

    def storage_key(self, item: dict, table_skey: tuple) -> tuple:
        # Index keys repeat, so the table's storage key breaks ties: items
        # with one index key come back in table-key order, deterministically.
        return self.schema.storage_key(item) + (table_skey,)

    def describe(self, table_arn: str) -> dict:
        d: dict[str, Any] = {"IndexName": self.name, "KeySchema": self.schema.elements,
                             "Projection": self.projection}
        if self.kind == "GSI":
            d["IndexStatus"] = self.status
            if self.status == "CREATING":
                d["Backfilling"] = False
            d["ProvisionedThroughput"] = (self.throughput or Throughput()).describe()
        d.update({"IndexSizeBytes": self.store.size_bytes,
                  "ItemCount": self.store.item_count,
                  "IndexArn": f"{table_arn}/index/{self.name}"})
        return d


class Table:
    """One DynamoDB table: its description and its items.

    Parameters
    ----------
    name : str
    key_schema, attribute_definitions : list of dict
        As the CreateTable request gives them (already validated).
    created : float
        CreationDateTime, in the lab's epoch seconds.
    table_id : str
        The TableId (a UUID drawn from the simulation's seed).
    """

    def __init__(self, name: str, key_schema: list, attribute_definitions: list, *,
                 created: float, table_id: str, billing_mode: str = "PROVISIONED",
                 throughput: Throughput | None = None) -> None:
        self.name = name
        self.attribute_definitions = [dict(a) for a in attribute_definitions]
        self.types = {a["AttributeName"]: a["AttributeType"] for a in attribute_definitions}
        self.schema = KeySchema(key_schema, self.types)
        self.created = created
        self.table_id = table_id
        self.billing_mode = billing_mode
        self.billing_mode_explicit = billing_mode == "PAY_PER_REQUEST"
        self.last_pay_per_request: float | None = None
        self.throughput = throughput or Throughput()
        self.status = "CREATING"
        self.indexes: dict[str, Index] = {}
        self.stream: dict | None = None          # StreamSpecification when enabled
        self.stream_label: str | None = None
        self.ttl: dict = {"TimeToLiveStatus": "DISABLED"}
        self.tags: dict[str, str] = {}
        self.deletion_protection = False
        self.store = Store()
        self.layout = None      # partitions and capacity (.layout.Layout), when wired

    # -- items ------------------------------------------------------------
    @property
    def item_count(self) -> int:
        return self.store.item_count

    @property
    def size_bytes(self) -> int:
        return self.store.size_bytes

    def get(self, key: dict) -> dict | None:
        """The stored item with primary key ``key``, or None."""
        return self.store.get(self.schema.storage_key(key))

    def write(self, item: dict, size: int, *, key: dict | None = None) -> dict | None:
        """Put ``item`` (``size`` bytes) or, when ``item`` is None, delete the
        item at ``key``. Indexes follow. Returns the old item."""
        skey = self.schema.storage_key(item if item is not None else key)
        old = self.store.get(skey)
        old_size = self.store.size_of(skey) if old is not None else None
        if item is None:
            self.store.delete(skey)
        else:
            self.store.put(skey, item, size)
        for ix in self.indexes.values():
            lay = ix.layout
            if old is not None and ix.schema.has_key(old):
                ikey = ix.storage_key(old, skey)
                if lay is not None:
                    lay.apply_write(ikey[0], ix.store.size_of(ikey), None)
                ix.store.delete(ikey)
            if item is not None and ix.schema.has_key(item):
                projected = ix.project(item, self.schema)
                ikey = ix.storage_key(item, skey)
                isize = size if projected is item else _approx_size(projected)
                ix.store.put(ikey, projected, isize)
                if lay is not None:
                    lay.apply_write(ikey[0], None, isize)
        if self.layout is not None:      # after the store changed: a split moves the item too
            self.layout.apply_write(skey[0], old_size, None if item is None else size)
        return old

    def backfill(self, ix: Index) -> None:
        """Fill a new index from the table's items."""
        for skey, item in self.store.scan_from(None):
            if ix.schema.has_key(item):
                projected = ix.project(item, self.schema)
                ix.store.put(ix.storage_key(item, skey), projected, _approx_size(projected))

    def _check(self) -> None:
        """Invariants, for stress tests: the store is sound, every stored
        item carries a valid key of this table at its storage key, and each
        index holds exactly the projections of the items that have its key."""
        self.store._check()
        expected: dict[str, dict] = {name: {} for name in self.indexes}
        for skey, item in self.store.scan_from(None):
            assert self.schema.has_key(item) and self.schema.storage_key(item) == skey
            assert self.store.size_of(skey) == item_size(item)
            for ix in self.indexes.values():
                if ix.schema.has_key(item):
                    expected[ix.name][ix.storage_key(item, skey)] = ix.project(item, self.schema)
        for ix in self.indexes.values():
            ix.store._check()
            assert dict(ix.store.scan_from(None)) == expected[ix.name], ix.name

    # -- description ------------------------------------------------------
    def index(self, name: str) -> Index | None:
        return self.indexes.get(name)

    def describe(self, arn: str) -> dict:
        """The TableDescription, as DescribeTable returns it."""
        d: dict[str, Any] = {
            "AttributeDefinitions": self.attribute_definitions,
            "TableName": self.name,
            "KeySchema": self.schema.elements,
            "TableStatus": self.status,
            "CreationDateTime": self.created,
            "ProvisionedThroughput": self.throughput.describe(),
            "TableSizeBytes": self.size_bytes,
            "ItemCount": self.item_count,
            "TableArn": arn,
            "TableId": self.table_id,
        }
        if self.billing_mode_explicit:
            summary: dict[str, Any] = {"BillingMode": self.billing_mode}
            if self.last_pay_per_request is not None:
                summary["LastUpdateToPayPerRequestDateTime"] = self.last_pay_per_request
            d["BillingModeSummary"] = summary
        lsis = [ix.describe(arn) for ix in self.indexes.values() if ix.kind == "LSI"]
        gsis = [ix.describe(arn) for ix in self.indexes.values() if ix.kind == "GSI"]
        if lsis:
            d["LocalSecondaryIndexes"] = lsis
        if gsis:
            d["GlobalSecondaryIndexes"] = gsis
        if self.stream is not None:
            d["StreamSpecification"] = dict(self.stream)
        if self.stream_label is not None:
            d["LatestStreamLabel"] = self.stream_label
            d["LatestStreamArn"] = f"{arn}/stream/{self.stream_label}"
        d["DeletionProtectionEnabled"] = self.deletion_protection
        return d

    def __repr__(self) -> str:
        return (f"<Table {self.name} {self.status} {self.schema!r} "
                f"items={self.item_count} bytes={self.size_bytes}>")


def _approx_size(item: dict) -> int:
    return item_size(item)
