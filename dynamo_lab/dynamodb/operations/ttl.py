"""Time to live: the sweeper that deletes expired items in the background.

Once a table's TTL is ENABLED (UpdateTimeToLive), a periodic task looks
every ``ttl_sweep_ms`` of virtual time for items whose TTL attribute is a
number of seconds at or before the lab's Unix time, and deletes them as
the service (``cause="ttl"``: a stream record with ``userIdentity``
``dynamodb.amazonaws.com``). As on AWS, values more than five years in the
past are ignored.

Costs: one sweep is O(items) over the tables with TTL enabled.
"""
from __future__ import annotations

from ..state import ServiceState
from .items import expire_item

__all__ = ["ensure_ttl_sweeper", "sweep"]

_FIVE_YEARS_S = 5 * 365 * 86400


def ensure_ttl_sweeper(state: ServiceState) -> None:
    """Start the sweeper (once per service)."""
    if state.ttl_task is None:
        state.ttl_task = state.sim.every(state.timing.ttl_sweep_ms, lambda: sweep(state),
                                         name="dynamodb.ttl")


def sweep(state: ServiceState) -> None:
    """Delete every expired item of every ACTIVE table with TTL enabled."""
    now = state.epoch_now()
    for table in list(state.tables.values()):
        attr = table.ttl.get("AttributeName")
        if table.ttl["TimeToLiveStatus"] != "ENABLED" or table.status != "ACTIVE":
            continue
        doomed = []
        for _, item in table.store.scan_from(None):
            av = item.get(attr)
            if av is not None and "N" in av:
                try:
                    expires = float(av["N"])
                except ValueError:  # pragma: no cover - numbers are validated
                    continue
                if now - _FIVE_YEARS_S <= expires <= now:
                    doomed.append(item)
        for item in doomed:
            expire_item(state, table, item)
