"""Events of DynamoDB's secondary indexes maintained asynchronously: GSI propagation and lag, item collections."""
from ._spec import kind  # noqa: F401

__all__ = ["KINDS"]

KINDS: dict = {
    "gsi.applied": kind("a change to an item reached a global secondary index (propagated "
                        "after its lag; one event per change applied)",
                        table="table name", index="the GSI's name",
                        queued="virtual ms the change was made (and queued)",
                        lag="virtual ms from queued to applied (0: applied inside the write)",
                        change="'put' (the item's projection is stored, under a new or the "
                               "same index key) or 'delete' (the item left the index)"),
    "gsi.backfill": kind("a GSI added by UpdateTable is being filled from the table's items",
                         table="table name", index="the GSI's name",
                         phase="'started' (Backfilling becomes true) or 'done' (the index "
                               "is ACTIVE)",
                         items="at 'started': items in the table; at 'done': items put "
                               "into the index by the backfill"),
}
