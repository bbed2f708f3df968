"""A table's model: key schema, indexes, throughput, status, stream, items.

:class:`Table` holds what ``DescribeTable`` reports and the items themselves
(a :class:`~..partitions.storage.Store` of partitions). Writes go through
:meth:`Table.write`, the one place that keeps item counts, sizes and the
secondary indexes in step, so every operation (PutItem, a transaction, a TTL
expiry) maintains them the same way.

Local secondary indexes are maintained synchronously here, in the same
write (they live with the table's partition, so strongly consistent reads
of them are allowed). A global secondary index lives on partitions of its
own: when the table has a :attr:`Table.propagation` (the service gives it
one, :mod:`.propagation`), GSI changes are queued there and applied after a
lag; without one (a bare Table) they are applied at once, like LSIs.

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

from typing import TYPE_CHECKING, Any

from ..model.keys import KeySchema
from ..model.size import item_size
from ..partitions.storage import Store

if TYPE_CHECKING:  # pragma: no cover
    from .layout import Layout
    from .propagation import Propagation

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
    """A local or global secondary index and its own sorted copy of items.

    ``status`` is the IndexStatus (GSIs); ``backfilling`` is None for an
    index made with its table (DescribeTable shows no ``Backfilling``), and
    False (allocating) then True (filling) for one added by UpdateTable.
    """

    def __init__(self, kind: str, name: str, schema: KeySchema, projection: dict,
                 throughput: Throughput | None = None, status: str = "ACTIVE") -> None:
        self.kind, self.name, self.schema = kind, name, schema
        self.projection = dict(projection)
        self.throughput = throughput
        self.status = status
        self.backfilling: bool | None = None
        self.store = Store()
        self.layout: Layout | None = None   # GSIs: partitions and capacity, when wired

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

    def writes(self, old: dict | None, new: dict | None, table_schema: KeySchema,
               old_size: int | None = None, new_size: int | None = None) -> list:
        """The index writes one change to an item costs, by DynamoDB's rule:
        ``[(position, bytes), ...]`` with 0, 1 or 2 entries.

        * not in the index before nor after: none;
        * enters the index (a new item, or an update that defines the
          key attribute): one, the put;
        * leaves it (a delete, or an update that removes the key
          attribute): one, the delete of the old entry;
        * an index key attribute changes value: two, the delete of the
          old entry and the put of the new one;
        * only projected attributes change: one; nothing projected changes:
          none (the index is not touched).

        Each write is sized by its own entry (the larger of the two for an
        in-place update). ``old_size``/``new_size`` are the items' sizes,
        when known (an ALL index stores the item itself). O(item size).

        >>> from dynamo_lab.dynamodb.model.keys import KeySchema
        >>> ts = KeySchema([{"AttributeName": "id", "KeyType": "HASH"}], {"id": "S"})
        >>> ix = Index("GSI", "byG", KeySchema([{"AttributeName": "g", "KeyType": "HASH"}],
        ...            {"g": "S"}), {"ProjectionType": "KEYS_ONLY"})
        >>> a = {"id": {"S": "1"}, "g": {"S": "x"}, "n": {"N": "1"}}
        >>> len(ix.writes(None, a, ts)), len(ix.writes(a, dict(a, n={"N": "2"}), ts))
        (1, 0)
        >>> len(ix.writes(a, dict(a, g={"S": "y"}), ts)), len(ix.writes(a, {"id": a["id"]}, ts))
        (2, 1)
        """
        was = old is not None and self.schema.has_key(old)
        now = new is not None and self.schema.has_key(new)
        if not (was or now):
            return []
        all_ = self.projection_type == "ALL"
        if was and old is not None:
            po = self.project(old, table_schema)
            so = old_size if all_ and old_size is not None else item_size(po)
            ho = self.schema.storage_key(old)[0]
        if now and new is not None:
            pn = self.project(new, table_schema)
            sn = new_size if all_ and new_size is not None else item_size(pn)
            hn = self.schema.storage_key(new)[0]
        if was and now and old is not None and new is not None:
            if all(old[a] == new[a] for a in self.schema.names):
                if po == pn:
                    return []
                return [(hn, max(so, sn))]
            return [(ho, so), (hn, sn)]
        return [(ho, so)] if was else [(hn, sn)]

    def apply(self, old_ikey: tuple | None, new_ikey: tuple | None,
              projected: Any, size: int) -> None:
        """Remove the entry at ``old_ikey`` and store ``projected`` (``size``
        bytes) at ``new_ikey``, keeping the partition map in step. O(log n)."""
        lay = self.layout
        if old_ikey is not None:
            if lay is not None:
                lay.apply_write(old_ikey[0], self.store.size_of(old_ikey) or None, None)
            self.store.delete(old_ikey)
        if new_ikey is not None:
            old_size = self.store.size_of(new_ikey) if lay is not None else 0
            self.store.put(new_ikey, projected, size)
            if lay is not None:
                lay.apply_write(new_ikey[0], old_size or None, size)

    def check_readable(self) -> None:
        """Raise DynamoDB's ``ValidationException`` for a Query or Scan of a GSI
        that is still backfilling (its items are not all there yet).

        >>> from dynamo_lab.dynamodb.model.keys import KeySchema
        >>> ix = Index("GSI", "byG", KeySchema([{"AttributeName": "g", "KeyType": "HASH"}],
        ...            {"g": "S"}), {"ProjectionType": "ALL"}, status="CREATING")
        >>> ix.check_readable()          # made with its table: no backfill
        >>> ix.backfilling = True
        >>> ix.check_readable()
        Traceback (most recent call last):
        ...
        dynamo_lab.dynamodb.errors.ValidationError: Cannot read from backfilling global secondary index: byG
        """
        if self.kind == "GSI" and self.status == "CREATING" and self.backfilling is not None:
            from ..errors import ValidationError
            raise ValidationError(f"Cannot read from backfilling global secondary index: "
                                  f"{self.name}")

    def describe(self, table_arn: str) -> dict:
        d: dict[str, Any] = {"IndexName": self.name, "KeySchema": self.schema.elements,
                             "Projection": self.projection}
        if self.kind == "GSI":
            d["IndexStatus"] = self.status
            if self.status == "CREATING" and self.backfilling is not None:
                d["Backfilling"] = self.backfilling
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
        self.layout: Layout | None = None        # partitions and capacity, when wired
        self.propagation: Propagation | None = None  # GSI changes in flight, when wired

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

    def write(self, item: dict | None, size: int, *, key: Any = None) -> dict | None:
        """Put ``item`` (``size`` bytes) or, when ``item`` is None, delete the
        item at ``key``; indexes follow. Returns the old item. (The
        service's write path calls the two halves, :meth:`write_partition`
        and :meth:`write_gsis`, with its observers between them.)"""
        skey = self.schema.storage_key(item if item is not None else key)
        old = self.write_partition(skey, item, size)
        self.write_gsis(skey, old, item, size)
        return old

    def write_partition(self, skey: tuple, item: dict | None, size: int) -> dict | None:
        """What lives on the item's partition changes at once: the item at
        ``skey`` becomes ``item`` (None: deleted), its local secondary
        index entries follow, and the partition map follows (a split moves
        the item too). Returns the old item. O(log n), plus the split it
        causes."""
        store = self.store
        old = store.get(skey)
        old_size = store.size_of(skey) if old is not None else None
        if item is None:
            store.delete(skey)
        else:
            store.put(skey, item, size)
        if self.indexes:
            self._write_indexes(skey, old, item, size, "LSI")
        if self.layout is not None:      # after the store changed: a split moves the item too
            self.layout.apply_write(skey[0], old_size, None if item is None else size)
        return old

    def write_gsis(self, skey: tuple, old: dict | None, item: dict | None, size: int) -> None:
        """Hand the change ``old`` -> ``item`` at ``skey`` to the global
        secondary indexes (through :attr:`propagation` when there is one).
        O(GSIs x log n)."""
        if self.indexes:
            self._write_indexes(skey, old, item, size, "GSI")

    def _write_indexes(self, skey: tuple, old: dict | None, item: dict | None, size: int,
                       kind: str) -> None:
        prop = self.propagation
        schema = self.schema
        for ix in self.indexes.values():
            if ix.kind != kind:
                continue
            has = ix.schema.has_key
            old_ikey = ix.storage_key(old, skey) if old is not None and has(old) else None
            if item is not None and has(item):
                projected = ix.project(item, schema)
                new_ikey = ix.storage_key(item, skey)
                if old_ikey == new_ikey and old is not None and ix.project(old, schema) == projected:
                    continue          # nothing the index holds changed: no index write
                isize = size if projected is item else item_size(projected)
            elif old_ikey is None:
                continue              # sparse: not in the index before or after
            else:
                projected, new_ikey, isize = None, None, 0
            if prop is not None and kind == "GSI":
                prop.queue(ix, skey, old_ikey, new_ikey, projected, isize)
            else:
                ix.apply(old_ikey, new_ikey, projected, isize)

    def backfill(self, ix: Index, after: tuple | None = None, limit: int | None = None) -> tuple:
        """Put the projections of the table's items into ``ix``, in storage-key
        order from just after ``after``, at most ``limit`` of them. Returns
        ``(last storage key read or None when the table is done, items put)``."""
        n = put = 0
        last = None
        for skey, item in self.store.scan_from(after):
            if limit is not None and n >= limit:
                return last, put
            n += 1
            last = skey
            if ix.schema.has_key(item):
                projected = ix.project(item, self.schema)
                ikey = ix.storage_key(item, skey)
                isize = self.store.size_of(skey) if projected is item else item_size(projected)
                ix.apply(ikey if ix.store.get(ikey) is not None else None, ikey, projected, isize)
                put += 1
        return None, put

    def _check(self, streams: Any = None) -> None:
        """Invariants, for stress tests: the store is sound, every stored
        item carries a valid key of this table at its storage key, and each
        index holds exactly the projections of the items that have its key
        -- for a GSI, once its pending changes (:attr:`propagation`) are
        applied; a GSI still backfilling is only checked for soundness. Then
        every layout's own ``_check()`` (:meth:`.layout.Layout._check`;
        ``streams``, the service's stream hub, adds the shard invariants)."""
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
            if ix.backfilling:
                continue
            got = dict(ix.store.scan_from(None))
            if self.propagation is not None and ix.kind == "GSI":
                for old_ikey, new_ikey, projected in self.propagation.pending_changes(ix):
                    if old_ikey is not None:
                        got.pop(old_ikey, None)
                    if new_ikey is not None:
                        got[new_ikey] = projected
            assert got == expected[ix.name], ix.name
        for lay in (self.layout, *(ix.layout for ix in self.indexes.values())):
            if lay is not None:     # the partition map, store, buckets and groups agree
                lay._check(streams)

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
