"""The service's options: one frozen dataclass per group, checked at once.

``DynamoDB(capacity={...}, indexes={...}, replication={...})`` and the
timing keywords (``create_ms`` and the rest) become the records below when
the service is made. A key the group does not know, a value of the wrong
type or an impossible value raises at that moment, naming the key and the
accepted ones (:class:`~dynamo_lab.errors.OptionError`,
:class:`~dynamo_lab.errors.OptionValueError`; both are ``ValueError``) --
never later, inside a request, as an ``InternalServerError``.

A lesson may change the index and replication options of a running
service (``ddb.index_options.update(gsi_lag_ms=(50, 400))``): the
:class:`OptionsView` it gets checks each change the same way and swaps in
a new record; the next write reads it.

This is a leaf module of the service: it imports only the lab's errors.

Examples
--------
>>> CapacityOptions.from_mapping({"burst_seconds": 10}).burst_seconds
10
>>> CapacityOptions.from_mapping({"burst_secs": 10})
Traceback (most recent call last):
...
dynamo_lab.errors.OptionError: unknown option 'burst_secs' in capacity; accepted: adaptive, burst_seconds, enforce_on_demand, heat_seconds, initial_burst_seconds, on_demand_initial, ramp_ms
>>> ReplicationOptions.from_mapping({"lag_ms": (5, 1)})
Traceback (most recent call last):
...
dynamo_lab.errors.OptionValueError: replication option 'lag_ms' is (5, 1); expected a (low, high) pair of numbers with 0 <= low <= high
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, fields
from typing import Any, Callable, ClassVar, TypeVar

from ..errors import OptionError, OptionValueError, UsageError

__all__ = ["CapacityOptions", "IndexOptions", "ReplicationOptions", "TimingOptions",
           "OptionsView", "BURST_SECONDS", "INITIAL_BURST_SECONDS", "ON_DEMAND_INITIAL_RCU", "ON_DEMAND_INITIAL_WCU",
           "ON_DEMAND_RAMP_MS", "DEFAULT_LAG_MS", "DEFAULT_BACKFILL_RATE",
           "ITEM_COLLECTION_LIMIT", "DEFAULT_SIZE_LIMIT", "DEFAULT_DETECT_MS"]

#: Seconds of unused capacity a partition keeps for bursts (AWS: 300).
BURST_SECONDS = 300
#: Seconds of share a brand-new table's partitions start with (see
#: :class:`CapacityOptions`; 300, a full bucket, is what AWS shows).
INITIAL_BURST_SECONDS = 300
#: What a new on-demand table serves at once (read, write units a second).
ON_DEMAND_INITIAL_RCU, ON_DEMAND_INITIAL_WCU = 12_000, 4_000
#: How long a new on-demand peak takes to become the previous peak (30 min).
ON_DEMAND_RAMP_MS = 30 * 60 * 1000
#: The default GSI propagation lag range, virtual ms. (0, 0): changes reach
#: the GSI inside the write, so code written against moto behaves the same.
DEFAULT_LAG_MS = (0, 0)
#: Items a backfill reads into a new GSI per virtual second.
DEFAULT_BACKFILL_RATE = 1000
#: An item collection (one partition key's items with their LSI entries)
#: holds at most 10 GB.
ITEM_COLLECTION_LIMIT = 10 * 2 ** 30
#: Bytes a partition holds before it splits (10 GB, as on AWS).
DEFAULT_SIZE_LIMIT = 10 * 2 ** 30
#: Virtual ms failure detection takes before a new leader is elected.
DEFAULT_DETECT_MS = 1500

_O = TypeVar("_O", bound="_Options")


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _pair(x: Any) -> bool:
    return (isinstance(x, (tuple, list)) and len(x) == 2 and all(_number(v) for v in x)
            and 0 <= x[0] <= x[1])


def _nonneg(x: Any) -> bool:
    return _number(x) and x >= 0


def _positive(x: Any) -> bool:
    return _number(x) and x > 0


def _positive_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x > 0


def _flag(x: Any) -> bool:
    return isinstance(x, bool)


_NONNEG = (_nonneg, "a number >= 0")
_POSITIVE = (_positive, "a number > 0")
_POSITIVE_INT = (_positive_int, "a whole number > 0")
_FLAG = (_flag, "True or False")
_PAIR = (_pair, "a (low, high) pair of numbers with 0 <= low <= high")
_UNITS = (lambda x: (isinstance(x, (tuple, list)) and len(x) == 2
                     and all(_positive(v) for v in x)), "a (read, write) pair of numbers > 0")


@dataclass(frozen=True)
class _Options:
    """Shared checks: each subclass lists ``(test, expected)`` per field."""

    group: ClassVar[str] = ""
    checks: ClassVar[dict[str, tuple[Callable[[Any], bool], str]]] = {}

    def __post_init__(self) -> None:
        for f in fields(self):
            test, expected = self.checks[f.name]
            value = getattr(self, f.name)
            if not test(value):
                raise OptionValueError(self.group, f.name, value, expected)
            if isinstance(value, list):   # a pair given as a list: keep it immutable
                object.__setattr__(self, f.name, tuple(value))

    @classmethod
    def keys(cls) -> list[str]:
        """The option names the group accepts."""
        return [f.name for f in fields(cls)]

    @classmethod
    def from_mapping(cls: type[_O], given: Mapping[str, Any] | None,
                     **defaults: Any) -> _O:
        """The options in ``given`` (a dict, None or an instance), checked;
        ``defaults`` fill what ``given`` leaves out."""
        if isinstance(given, cls):
            return given
        if given is not None and not isinstance(given, Mapping):
            raise OptionValueError(cls.group, "(all)", given, "a dict of options")
        merged = {**defaults, **(given or {})}
        for key in merged:
            if key not in cls.keys():
                raise OptionError(cls.group, str(key), cls.keys())
        return cls(**merged)

    def replace(self: _O, **changes: Any) -> _O:
        """A copy with ``changes``, checked like the original."""
        for key in changes:
            if key not in self.keys():
                raise OptionError(self.group, key, self.keys())
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class CapacityOptions(_Options):
    """Every table's capacity (:class:`~.capacity.throughput.TableCapacity`).

    Attributes
    ----------
    burst_seconds : int
        Seconds of unused capacity a partition keeps (300; a whole number
        >= 1).
    initial_burst_seconds : number
        Seconds of its share each partition of a brand-new provisioned table
        (or of a new global secondary index) holds in its buckets at
        creation, capped by ``burst_seconds``. ``300`` (the default) is a
        full bucket: what AWS's fresh tables show (AWS documents only that up to 300 s of
        unused capacity is kept; suites run against AWS find a fresh 5-WCU
        table serving a ~400-WCU write at once, and ORMs' integration tests
        batch-write into fresh 1-WCU tables unthrottled). ``1`` (one
        second's worth) lets a lesson show throttling on a table it has
        just made (lesson 16 sets it).
    adaptive : bool
        Lend the table's unused throughput to short partitions (True).
    heat_seconds : int
        Consecutive hot seconds before a partition splits for heat (10).
    on_demand_initial : (rcu, wcu)
        What a new on-demand table serves at once (12,000, 4,000).
    ramp_ms : int
        How long a new on-demand peak takes to become the previous peak.
    enforce_on_demand : bool
        Throttle on-demand tables past AWS's limits (False; the
        ``on_demand_limits`` keyword of ``DynamoDB`` sets it).
    """

    group: ClassVar[str] = "capacity"
    checks: ClassVar[dict[str, tuple[Callable[[Any], bool], str]]] = {
        "burst_seconds": _POSITIVE_INT, "initial_burst_seconds": _NONNEG, "adaptive": _FLAG,
        "heat_seconds": _POSITIVE_INT, "on_demand_initial": _UNITS, "ramp_ms": _NONNEG,
        "enforce_on_demand": _FLAG}
    burst_seconds: int = BURST_SECONDS
    initial_burst_seconds: float = INITIAL_BURST_SECONDS
    adaptive: bool = True
    heat_seconds: int = 10
    on_demand_initial: tuple[float, float] = (ON_DEMAND_INITIAL_RCU, ON_DEMAND_INITIAL_WCU)
    ramp_ms: int = ON_DEMAND_RAMP_MS
    enforce_on_demand: bool = False

    def as_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :class:`~.capacity.throughput.TableCapacity`."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class IndexOptions(_Options):
    """Secondary-index maintenance.

    Attributes
    ----------
    gsi_lag_ms : (low, high)
        Virtual ms a change takes to reach a GSI, drawn uniformly ((0, 0)).
    gsi_backfill_rate : int
        Items a backfill reads into a new GSI per virtual second (1,000).
    item_collection_limit : int
        Bytes an item collection of a table with an LSI may hold (10 GB).
    """

    group: ClassVar[str] = "indexes"
    checks: ClassVar[dict[str, tuple[Callable[[Any], bool], str]]] = {
        "gsi_lag_ms": _PAIR, "gsi_backfill_rate": _POSITIVE_INT,
        "item_collection_limit": _POSITIVE_INT}
    gsi_lag_ms: tuple[float, float] = DEFAULT_LAG_MS
    gsi_backfill_rate: int = DEFAULT_BACKFILL_RATE
    item_collection_limit: int = ITEM_COLLECTION_LIMIT


@dataclass(frozen=True)
class ReplicationOptions(_Options):
    """Each partition's replica group (:mod:`~.replication.groups`).

    Attributes
    ----------
    lag_ms : (low, high)
        Virtual ms the third replica lags the leader ((0, 0): no stale reads).
    detect_ms : int
        How long failure detection takes before a new leader (1,500 ms).
    """

    group: ClassVar[str] = "replication"
    checks: ClassVar[dict[str, tuple[Callable[[Any], bool], str]]] = {
        "lag_ms": _PAIR, "detect_ms": _NONNEG}
    lag_ms: tuple[float, float] = (0, 0)
    detect_ms: int = DEFAULT_DETECT_MS


@dataclass(frozen=True)
class TimingOptions(_Options):
    """Virtual time the service's own steps take (the ``DynamoDB`` keywords).

    Attributes
    ----------
    create_ms, delete_ms, update_ms : int
        Time a table spends CREATING, DELETING, UPDATING (500 each).
    request_ms : int
        Time each request takes (1).
    ttl_sweep_ms : int
        How often the TTL sweeper looks for expired items (1,000).
    partition_size_limit : int
        Bytes a partition holds before it splits (10 GB).
    """

    group: ClassVar[str] = "DynamoDB"
    checks: ClassVar[dict[str, tuple[Callable[[Any], bool], str]]] = {
        "create_ms": _NONNEG, "delete_ms": _NONNEG, "update_ms": _NONNEG,
        "request_ms": _NONNEG, "ttl_sweep_ms": _POSITIVE, "partition_size_limit": _POSITIVE_INT}
    create_ms: int = 500
    delete_ms: int = 500
    update_ms: int = 500
    request_ms: int = 1
    ttl_sweep_ms: int = 1000
    partition_size_limit: int = DEFAULT_SIZE_LIMIT


class OptionsView(MutableMapping):
    """A dict-like window on one option group of a running service.

    Reading gives the current value; setting checks the key and value and
    swaps in a new frozen record (``get`` and ``put`` read and store it), so
    a typo raises instead of being ignored. Options cannot be deleted.

    Examples
    --------
    >>> box = {"o": ReplicationOptions()}
    >>> view = OptionsView(lambda: box["o"], lambda o: box.update(o=o))
    >>> view["lag_ms"] = (100, 100)
    >>> box["o"].lag_ms, dict(view)
    ((100, 100), {'lag_ms': (100, 100), 'detect_ms': 1500})
    >>> view.update(lag_msec=1)
    Traceback (most recent call last):
    ...
    dynamo_lab.errors.OptionError: unknown option 'lag_msec' in replication; accepted: detect_ms, lag_ms
    """

    def __init__(self, get: Callable[[], _Options], put: Callable[[_Options], None]) -> None:
        self._get, self._put = get, put

    def __getitem__(self, key: str) -> Any:
        opts = self._get()
        if key not in opts.keys():
            raise OptionError(opts.group, key, opts.keys())
        return getattr(opts, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._put(self._get().replace(**{key: value}))

    def __delitem__(self, key: str) -> None:
        raise UsageError(f"options cannot be deleted; set {key!r} to a value instead")

    def __iter__(self) -> Iterator[str]:
        return iter(self._get().keys())

    def __len__(self) -> int:
        return len(self._get().keys())

    def __repr__(self) -> str:
        return repr(dict(self))
