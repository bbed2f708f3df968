"""The options of a :class:`~dynamo_lab.dynamo.cluster.DynamoCluster`, in groups.

Each group is a frozen dataclass, checked when it is made: a wrong type or an
impossible value is an :class:`~dynamo_lab.errors.OptionValueError` naming
the group and the key, and an unknown key (in a dict, or a keyword argument
of ``DynamoCluster``) is an :class:`~dynamo_lab.errors.OptionError` listing
the accepted ones. Both are ``ValueError``.

========================  ==================================================
group                     keys
========================  ==================================================
:class:`QuorumOptions`    ``n``, ``r``, ``w`` (paper 4.5)
:class:`RingOptions`      ``strategy``, ``tokens_per_node``, ``partitions``,
                          ``zone_aware`` (4.2, 6.2)
:class:`TimingOptions`    ``gossip_ms``, ``handoff_ms``, ``anti_entropy_ms``,
                          ``probe_ms``, ``flush_ms``, ``timeout_ms``,
                          ``read_repair_ms``, ``retry_ms``, ``admission_ms``
:class:`MembershipOptions` ``membership`` (``'converged'``/``'seeds'``),
                          ``seeds`` (4.8)
:class:`StorageOptions`   ``store``, ``write_buffer``, ``disk_ms``,
                          ``merkle_depth`` (4.7, 6.1)
:class:`CoordinationOptions` ``coordination``, ``reconcile``,
                          ``fastest_writer`` (5, 6.4)
========================  ==================================================

:class:`ClusterOptions` holds one of each. ``DynamoCluster`` takes the keys
as plain keyword arguments (what the lessons write) or a ``ClusterOptions``
as ``options=``.

Examples
--------
>>> ClusterOptions.from_keywords(r=1, gossip_ms=500).quorum
QuorumOptions(n=3, r=1, w=2)
>>> TimingOptions(gossip_ms=-5)
Traceback (most recent call last):
...
dynamo_lab.errors.OptionValueError: timing option 'gossip_ms' is -5; expected an int >= 0 (ms; 0 turns the task off)
>>> ClusterOptions.from_keywords(gosip_ms=500)
Traceback (most recent call last):
...
dynamo_lab.errors.OptionError: unknown option 'gosip_ms' in DynamoCluster; accepted: admission_ms, anti_entropy_ms, coordination, disk_ms, fastest_writer, flush_ms, gossip_ms, handoff_ms, membership, merkle_depth, n, nodes, options, partitions, probe_ms, r, read_repair_ms, reconcile, retry_ms, seed, seeds, sim, store, strategy, timeout_ms, tokens_per_node, w, write_buffer, zone_aware, zones
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

from ..errors import OptionError, OptionValueError
from .vclock import resolve_policy

__all__ = ["QuorumOptions", "RingOptions", "TimingOptions", "MembershipOptions",
           "StorageOptions", "CoordinationOptions", "ClusterOptions", "GROUPS"]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int(group: str, key: str, v: Any, low: int, expected: str) -> None:
    if not _is_int(v) or v < low:
        raise OptionValueError(group, key, v, expected)


def _bool(group: str, key: str, v: Any, none_ok: bool = False) -> None:
    if not (isinstance(v, bool) or (none_ok and v is None)):
        raise OptionValueError(group, key, v, "True or False" + (" (or None)" if none_ok else ""))


@dataclass(frozen=True)
class QuorumOptions:
    """``n`` replicas per key; a get waits for ``r`` replies, a put for
    ``w`` acknowledgements (``1 <= r, w <= n``)."""

    n: int = 3
    r: int = 2
    w: int = 2

    def __post_init__(self) -> None:
        _int("quorum", "n", self.n, 1, "a positive int")
        for key in ("r", "w"):
            v = getattr(self, key)
            _int("quorum", key, v, 1, "a positive int")
            if v > self.n:
                raise OptionValueError(
                    "quorum", key, v,
                    f"an int from 1 to N (R and W must not exceed N: N={self.n}, "
                    f"R={self.r}, W={self.w})")


@dataclass(frozen=True)
class RingOptions:
    """The ring's partitioning strategy (paper 6.2) and zone-aware placement
    (``zone_aware`` None: on when the cluster has zones)."""

    strategy: int = 1
    tokens_per_node: int | None = None
    partitions: int | None = None
    zone_aware: bool | None = None

    def __post_init__(self) -> None:
        if self.strategy not in (1, 2, 3) or not _is_int(self.strategy):
            raise OptionValueError("ring", "strategy", self.strategy, "1, 2 or 3 (paper 6.2)")
        for key in ("tokens_per_node", "partitions"):
            v = getattr(self, key)
            if v is not None:
                _int("ring", key, v, 1, "a positive int or None")
        _bool("ring", "zone_aware", self.zone_aware, none_ok=True)


@dataclass(frozen=True)
class TimingOptions:
    """Virtual ms: background task periods (0 turns a task off), the request
    deadline, the read-repair delay, the sloppy-quorum retry delay and the
    admission-control threshold (paper 6.5)."""

    gossip_ms: int = 1000
    handoff_ms: int = 1000
    anti_entropy_ms: int = 2000
    probe_ms: int = 1000
    flush_ms: int = 100
    timeout_ms: int = 200
    read_repair_ms: int = 20
    retry_ms: int = 50
    admission_ms: int = 100

    def __post_init__(self) -> None:
        for key in ("gossip_ms", "handoff_ms", "anti_entropy_ms", "probe_ms"):
            _int("timing", key, getattr(self, key), 0,
                 "an int >= 0 (ms; 0 turns the task off)")
        _int("timing", "flush_ms", self.flush_ms, 1, "a positive int (ms)")
        _int("timing", "timeout_ms", self.timeout_ms, 1, "a positive int (ms)")
        _int("timing", "read_repair_ms", self.read_repair_ms, 0, "an int >= 0 (ms)")
        if self.read_repair_ms >= self.timeout_ms:
            raise OptionValueError(
                "timing", "read_repair_ms", self.read_repair_ms,
                f"an int below timeout_ms={self.timeout_ms} (read_repair_ms must be "
                f"shorter than timeout_ms)")
        _int("timing", "retry_ms", self.retry_ms, 0, "an int >= 0 (ms; 0: never retry)")
        _int("timing", "admission_ms", self.admission_ms, 0,
             "an int >= 0 (ms; 0 turns admission control off)")


@dataclass(frozen=True)
class MembershipOptions:
    """``'converged'``: every node starts knowing every other; ``'seeds'``:
    each starts knowing itself and the ``seeds`` (default: the first two
    nodes) and learns the rest by gossip (paper 4.8)."""

    membership: str = "converged"
    seeds: tuple | None = None

    def __post_init__(self) -> None:
        if self.membership not in ("converged", "seeds"):
            raise OptionValueError("membership", "membership", self.membership,
                                   "'converged' or 'seeds'")
        if self.seeds is not None:
            s = self.seeds
            if isinstance(s, str) or not all(isinstance(x, str) for x in _iter(s)):
                raise OptionValueError("membership", "seeds", s,
                                       "a list of node names, or None")
            object.__setattr__(self, "seeds", tuple(s))


def _iter(v: Any) -> tuple:
    try:
        return tuple(v)
    except TypeError:
        return (None,)


@dataclass(frozen=True)
class StorageOptions:
    """Local persistence: ``store`` ``'memory'``, ``'sqlite'`` or a callable
    taking the node name; the write buffer (paper 6.1); the virtual ms of one
    durable write ``(floor, mean tail)``; Merkle tree depth (4.7)."""

    store: Any = "memory"
    write_buffer: bool = False
    disk_ms: tuple = (0, 0)
    merkle_depth: int = 4

    def __post_init__(self) -> None:
        if not (self.store in ("memory", "sqlite") if isinstance(self.store, str)
                else callable(self.store)):
            raise OptionValueError("storage", "store", self.store,
                                   "'memory', 'sqlite' or a callable taking the node name")
        _bool("storage", "write_buffer", self.write_buffer)
        d = _iter(self.disk_ms)
        if len(d) != 2 or not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                  and x >= 0 for x in d):
            raise OptionValueError("storage", "disk_ms", self.disk_ms,
                                   "a (floor, mean tail) pair of numbers >= 0 (ms)")
        object.__setattr__(self, "disk_ms", d)
        _int("storage", "merkle_depth", self.merkle_depth, 0, "an int from 0 to 16")
        if self.merkle_depth > 16:
            raise OptionValueError("storage", "merkle_depth", self.merkle_depth,
                                   "an int from 0 to 16")


@dataclass(frozen=True)
class CoordinationOptions:
    """``'server'`` (a load balancer, then forwarding) or ``'client'``
    (partition-aware clients) coordination (paper 6.4); how
    ``GetResult.value`` merges siblings; whether a write after a read goes
    to the fastest reader (paper 5)."""

    coordination: str = "server"
    reconcile: Any = None
    fastest_writer: bool = True

    def __post_init__(self) -> None:
        if self.coordination not in ("server", "client"):
            raise OptionValueError("coordination", "coordination", self.coordination,
                                   "'server' or 'client'")
        try:
            resolve_policy(self.reconcile)
        except ValueError:
            raise OptionValueError("coordination", "reconcile", self.reconcile,
                                   "None, 'union', 'lww' or a callable") from None
        _bool("coordination", "fastest_writer", self.fastest_writer)


#: group attribute of ClusterOptions -> its dataclass
GROUPS: dict[str, type] = {"quorum": QuorumOptions, "ring": RingOptions,
                           "timing": TimingOptions, "membership": MembershipOptions,
                           "storage": StorageOptions, "coordination": CoordinationOptions}
#: flat keyword -> the group that holds it
_GROUP_OF = {f.name: g for g, cls in GROUPS.items() for f in fields(cls)}


def _group(name: str, value: Any) -> Any:
    cls = GROUPS[name]
    if value is None:
        return cls()
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        known = {f.name for f in fields(cls)}
        for k in value:
            if k not in known:
                raise OptionError(name, str(k), known)
        return cls(**value)
    raise OptionValueError("options", name, value,
                           f"a {cls.__name__}, a dict of its keys, or None")


@dataclass(frozen=True)
class ClusterOptions:
    """Every option of a DynamoCluster: one frozen group of each kind.

    Each group may be given as its dataclass, a dict of its keys, or None
    (the defaults).
    """

    quorum: QuorumOptions = field(default_factory=QuorumOptions)
    ring: RingOptions = field(default_factory=RingOptions)
    timing: TimingOptions = field(default_factory=TimingOptions)
    membership: MembershipOptions = field(default_factory=MembershipOptions)
    storage: StorageOptions = field(default_factory=StorageOptions)
    coordination: CoordinationOptions = field(default_factory=CoordinationOptions)

    def __post_init__(self) -> None:
        for name in GROUPS:
            object.__setattr__(self, name, _group(name, getattr(self, name)))

    @classmethod
    def from_keywords(cls, base: "ClusterOptions | None" = None,
                      **keywords: Any) -> "ClusterOptions":
        """Options from flat keywords (``r=1, gossip_ms=500``), over ``base``."""
        opts = base if base is not None else cls()
        per: dict[str, dict[str, Any]] = {}
        for k, v in keywords.items():
            g = _GROUP_OF.get(k)
            if g is None:
                raise OptionError("DynamoCluster", k,
                                  [*_GROUP_OF, "nodes", "zones", "seed", "sim", "options"])
            per.setdefault(g, {})[k] = v
        if not per:
            return opts
        return replace(opts, **{g: replace(getattr(opts, g), **kv) for g, kv in per.items()})

    def flat(self) -> dict[str, Any]:
        """Every key and its value, ungrouped (for logs and reprs)."""
        return {f.name: getattr(getattr(self, g), f.name)
                for g, cls in GROUPS.items() for f in fields(cls)}

