"""The DynamoDB service: the learner's object, a slim façade on one state.

:class:`DynamoDB` holds a :class:`~.state.ServiceState` and shows only what
a learner, a lesson or a view uses (:data:`FACADE`, which ``dir()`` lists
and a test holds):

- clients: ``client()``, ``resource()``, ``streams_client()``;
- time: ``run()``, ``sim`` (the clock), ``log`` (the events views draw);
- partitions and capacity: ``partitions()``, ``partition_map()``,
  ``table_capacity()``, ``split_partition()``, ``set_partition_size_limit()``,
  ``metrics()``;
- replicas: ``replicas()``, ``storage_nodes()``, ``crash_node()``,
  ``recover_node()``;
- indexes and streams: ``gsi_lag()``, ``streams``;
- the options a lesson changes: ``index_options``, ``replication_options``.

Everything else -- the tables, the lock, ids, ARNs, the components -- lives
in the state, which the operations (:mod:`.pipeline`) work on; tools and
tests reach it with :func:`state_of`, and send a request in wire form (as
``dynamo-lab serve`` receives it) with the module's :func:`handle` and
:func:`handle_streams`, not the façade's.

**Regions.** A table's ARN, and the set of tables a client sees, follow the
client's region, as on AWS: ``ddb.client(region_name="eu-west-1")`` talks to
the eu-west-1 tables only. Each region the service has been asked about
has its own state (tables, storage nodes, streams), made on first use; all
of them share the one simulation, its event log and its lock, so one seed
still gives one run, and a region nobody asks about changes nothing. The
façade's own questions (``partitions()``, ``replicas()``, ``crash_node()``,
...) are about the service's ``region`` (``us-east-1`` unless given).
Events name a table, not its region: the views and ``metrics()`` tell two
regions' tables apart only by their names.

The in-process boto3 client (:mod:`.wire.clients`) and ``dynamo-lab serve`` both
answer through :func:`.pipeline.handle`, so the two behave alike by
construction. The service runs on a :class:`~dynamo_lab.Simulation`: every
request takes ``request_ms`` of virtual time, tables become ACTIVE
``create_ms`` after CreateTable, and background work (TTL expiry, GSI
propagation, consumers) runs as virtual time passes with :meth:`DynamoDB.run`.

Examples
--------
>>> ddb = DynamoDB(seed=0)
>>> c = ddb.client()
>>> _ = c.create_table(TableName="Music",
...     KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "Artist", "AttributeType": "S"}],
...     BillingMode="PAY_PER_REQUEST")
>>> c.get_waiter("table_exists").wait(TableName="Music")
>>> _ = c.put_item(TableName="Music", Item={"Artist": {"S": "Nina"}})
>>> c.get_item(TableName="Music", Key={"Artist": {"S": "Nina"}})["Item"]
{'Artist': {'S': 'Nina'}}
>>> handle(ddb, "DescribeTable", {"TableName": "Music"})["Table"]["ItemCount"]
1
>>> state_of(ddb).tables["Music"].item_count
1
>>> ddb.client(region_name="eu-west-1").list_tables()["TableNames"]   # another region
[]
"""
from __future__ import annotations

import re
from typing import Any

from ..errors import OptionValueError, UsageError
from ..events import EventLog
from ..sim import Simulation
from . import pipeline
from .capacity.metrics import CapacityMetrics
from .capacity.throughput import TableCapacity
from .operations.items import read_key
from .options import (
    DEFAULT_SIZE_LIMIT,
    CapacityOptions,
    IndexOptions,
    OptionsView,
    ReplicationOptions,
    TimingOptions,
)
from .partitions.partitioning import PartitionMap, Split
from .state import EPOCH, ServiceState
from .streams.hub import StreamHub
from .tables.layout import Layout, emit_capacity_events, ensure, layouts_of
from .tables.lookup import table_for_control
from .tables.propagation import lag
from .wire.clients import lab_client, lab_resource, lab_streams_client

__all__ = ["DynamoDB", "EPOCH", "FACADE", "state_of", "handle", "handle_streams", "client", "resource"]

#: Every public name of a :class:`DynamoDB`, as ``dir()`` lists them.
FACADE = ("client", "crash_node", "gsi_lag", "index_options",
          "log", "metrics", "partition_map", "partitions", "recover_node", "replicas",
          "replication_options", "resource", "run", "set_partition_size_limit", "sim",
          "split_partition", "storage_nodes", "streams", "streams_client", "table_capacity")

_REGION = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\Z")


class DynamoDB:
    """A DynamoDB service in the notebook.

    Parameters
    ----------
    seed : int, random.Random or None
        Seed of a new Simulation (ignored when ``sim`` is given).
    sim : Simulation, optional
        Run on this simulation (shared clock and event log).
    region, account : str
        Used in ARNs: ``arn:aws:dynamodb:{region}:{account}:table/{name}``.
        ``region`` is also where clients go unless they name another
        (``client(region_name=...)``; see the module notes).
    create_ms, delete_ms, update_ms : int
        Virtual time a table spends CREATING, DELETING, UPDATING.
    request_ms : int
        Virtual time each request takes.
    ttl_sweep_ms : int
        How often the TTL sweeper looks for expired items (virtual ms).
    partition_size_limit : int
        Bytes a partition holds before it splits (10 GB, as on AWS; a lesson
        lowers it to see splits after a few thousand items).
    capacity : dict, optional
        Options for every table's :class:`~.capacity.throughput.TableCapacity`
        (:class:`~.options.CapacityOptions`: ``burst_seconds``,
        ``adaptive``, ``heat_seconds``, ``on_demand_initial``, ``ramp_ms``).
    on_demand_limits : bool
        Throttle on-demand (PAY_PER_REQUEST) tables with
        ``ThrottlingException`` past AWS's limits (twice the previous peak,
        12,000 RRU / 4,000 WRU for a new table; 3,000 RCU / 1,000 WCU a
        partition). Off by default: a lab request takes 1 ms of virtual
        time, so any loop runs at 1,000 requests a second, faster than a
        notebook talks to AWS. Provisioned tables always throttle.
    replication : dict, optional
        Options for each partition's replica group
        (:class:`~.options.ReplicationOptions`): ``lag_ms``, the range of
        virtual ms the third replica lags the leader (default ``(0, 0)``: no
        stale reads; ``(5, 200)`` shows them), and ``detect_ms``, how long
        failure detection takes before a new leader is elected (1,500).
        Read at every write, so ``ddb.replication_options`` can change them.
    indexes : dict, optional
        Options for secondary-index maintenance
        (:class:`~.options.IndexOptions`): ``gsi_lag_ms``,
        ``gsi_backfill_rate``, ``item_collection_limit``.

    Raises
    ------
    OptionError, OptionValueError
        At once, for an option key the group does not know or a value of
        the wrong type or range (both are ``ValueError``; the message names
        the key and the accepted ones).

    Examples
    --------
    >>> [n for n in dir(DynamoDB(seed=0)) if not n.startswith("_")][:6]
    ['client', 'crash_node', 'gsi_lag', 'index_options', 'log', 'metrics']
    """

    __slots__ = ("_state", "_regions")

    def __init__(self, seed: Any = 0, sim: Simulation | None = None, *,
                 region: str = "us-east-1", account: str = "000000000000",
                 create_ms: int = 500, delete_ms: int = 500, update_ms: int = 500,
                 request_ms: int = 1, ttl_sweep_ms: int = 1000,
                 partition_size_limit: int | None = None,
                 capacity: dict | None = None, on_demand_limits: bool = False,
                 replication: dict | None = None, indexes: dict | None = None) -> None:
        timing = TimingOptions.from_mapping(dict(
            create_ms=create_ms, delete_ms=delete_ms, update_ms=update_ms,
            request_ms=request_ms, ttl_sweep_ms=ttl_sweep_ms,
            partition_size_limit=(partition_size_limit if partition_size_limit is not None
                                  else DEFAULT_SIZE_LIMIT)))
        if not isinstance(on_demand_limits, bool):
            raise OptionValueError("DynamoDB", "on_demand_limits", on_demand_limits,
                                   "True or False")
        for key, value in (("region", region), ("account", account)):
            if not isinstance(value, str) or not value:
                raise OptionValueError("DynamoDB", key, value, "a non-empty string")
        self._state = pipeline.new_state(
            sim if sim is not None else Simulation(seed=seed),
            timing=timing,
            capacity_opts=CapacityOptions.from_mapping(capacity,
                                                       enforce_on_demand=on_demand_limits),
            index_opts=IndexOptions.from_mapping(indexes),
            replication_opts=ReplicationOptions.from_mapping(replication),
            region=region, account=account)
        self._regions: dict[str, ServiceState] = {region: self._state}

    def _region(self, region: str | None) -> ServiceState:
        """The state of ``region`` (None: the service's own), made on first
        use with the same options, on the same simulation, log and lock."""
        if region is None:
            return self._state
        st = self._regions.get(region)
        if st is None:
            if not isinstance(region, str) or not _REGION.match(region):
                raise OptionValueError("client", "region_name", region,
                                       "a region name such as 'eu-west-1'")
            main = self._state
            with main.lock:
                st = self._regions.get(region)
                if st is None:
                    st = pipeline.new_state(
                        main.sim, timing=main.timing, capacity_opts=main.capacity_opts,
                        index_opts=main.index_opts, replication_opts=main.replication_opts,
                        region=region, account=main.account, lock=main.lock)
                    self._regions[region] = st
        return st

    # -- the wire ------------------------------------------------------------------
    # -- time ----------------------------------------------------------------------
    def run(self, ms: int) -> None:
        """Advance virtual time by ``ms``, running background work (table
        status changes, TTL expiry, GSI propagation, stream consumers).

        >>> ddb = DynamoDB(seed=0)
        >>> ddb.run(ms=250); ddb.sim.now
        250
        """
        st = self._state
        with st.lock:
            pipeline.run(st, ms)
            for other in self._regions.values():
                if other is not st:
                    emit_capacity_events(other)

    @property
    def sim(self) -> Simulation:
        """The :class:`~dynamo_lab.Simulation` the service runs on (``sim.now``).

        >>> ddb = DynamoDB(seed=0)
        >>> _ = ddb.client().list_tables(); ddb.sim.now     # a request takes 1 ms
        1
        """
        return self._state.sim

    @property
    def log(self) -> EventLog:
        """The event log (``sim.log``): every ``item.*``, ``partition.*``,
        ``capacity.*``, ``replica.*``, ``gsi.*`` and ``stream.*`` event,
        of every region.

        >>> ddb = _example()
        >>> [e.kind for e in ddb.log][:2]
        ['table.created', 'partition.created']
        """
        return self._state.log

    # -- clients -------------------------------------------------------------------
    def client(self, **kwargs: Any):
        """A real boto3 ``dynamodb`` client whose requests this service answers
        (options: :func:`~.wire.clients.lab_client`).

        >>> DynamoDB(seed=0).client().list_tables()["TableNames"]
        []
        """
        return lab_client(self, self._region(kwargs.get("region_name")), **kwargs)

    def resource(self, **kwargs: Any):
        """A boto3 ``dynamodb`` service resource on this service.

        >>> [t.name for t in DynamoDB(seed=0).resource().tables.all()]
        []
        """
        return lab_resource(self, self._region(kwargs.get("region_name")), **kwargs)

    def streams_client(self, **kwargs: Any):
        """A real boto3 ``dynamodbstreams`` client whose requests this service answers.

        >>> DynamoDB(seed=0).streams_client().list_streams()["Streams"]
        []
        """
        return lab_streams_client(self, self._region(kwargs.get("region_name")), **kwargs)

    # -- options a lesson changes ----------------------------------------------------
    @property
    def index_options(self) -> OptionsView:
        """The secondary-index options (:class:`~.options.IndexOptions`) as a
        checked dict; a change applies from the next write.

        >>> ddb = DynamoDB(seed=0)
        >>> ddb.index_options.update(gsi_lag_ms=(50, 400))
        >>> ddb.index_options["gsi_lag_ms"]
        (50, 400)
        """
        return OptionsView(lambda: self._state.index_opts,
                           lambda o: self._set_options("index_opts", o))

    @property
    def replication_options(self) -> OptionsView:
        """The replication options (:class:`~.options.ReplicationOptions`) as a
        checked dict; a change applies from the next write.

        >>> ddb = DynamoDB(seed=0)
        >>> ddb.replication_options["lag_ms"] = (100, 100)
        >>> ddb.replication_options["lag_ms"], ddb.replication_options["detect_ms"]
        ((100, 100), 1500)
        """
        return OptionsView(lambda: self._state.replication_opts,
                           lambda o: self._set_options("replication_opts", o))

    def _set_options(self, group: str, options: Any) -> None:
        with self._state.lock:
            for st in self._regions.values():
                setattr(st, group, options)

    # -- partitions and capacity -------------------------------------------------------
    def _layout(self, table: str, index: str | None = None) -> Layout:
        t = table_for_control(self._state, table)
        ensure(self._state, t)
        if index is None:
            assert t.layout is not None                   # ensure() wired it
            return t.layout
        ix = t.index(index)
        if ix is None or ix.layout is None:
            raise UsageError(f"{table} has no global secondary index {index!r}")
        return ix.layout

    def partitions(self, table: str, index: str | None = None) -> list[dict]:
        """The partition map of ``table`` (or of its GSI ``index``), in hash order.

        Each partition: ``id``, ``start``, ``end`` (its hash range),
        ``parent`` (the partition it split from), ``rcu``/``wcu`` (its share),
        ``size_bytes`` and ``item_count`` (also as ``bytes`` and ``items``),
        ``replicas`` (three storage nodes), ``zones`` (three AZs), ``leader``.

        >>> ddb = DynamoDB(seed=0, create_ms=0)
        >>> _ = handle(ddb, "CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
        ...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        ...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
        >>> [(p["id"], p["items"], p["zones"]) for p in ddb.partitions("Tab")]
        [('p0', 0, ('az-a', 'az-b', 'az-c'))]
        """
        with self._state.lock:
            lay = self._layout(table, index)
            out = []
            for d, sp in zip(lay.pmap.describe(), lay.store.partitions):
                d["items"], d["bytes"] = len(sp.items), sp.size_bytes
                out.append(d)
            return out

    def partition_map(self, table: str, index: str | None = None) -> PartitionMap:
        """The table's (or GSI's) :class:`~.partitions.partitioning.PartitionMap`:
        hash ranges, splits and their history.

        >>> pm = _example().partition_map("Tab")
        >>> [p.id for p in pm.partitions]
        ['p0']
        """
        with self._state.lock:
            return self._layout(table, index).pmap

    def table_capacity(self, table: str, index: str | None = None) -> TableCapacity:
        """The table's (or GSI's) :class:`~.capacity.throughput.TableCapacity`:
        each partition's token buckets.

        >>> cap = _example().table_capacity("Tab")
        >>> cap.mode
        'PAY_PER_REQUEST'
        """
        with self._state.lock:
            return self._layout(table, index).cap

    def split_partition(self, table: str, pid: str, at: int | None = None,
                        reason: str = "heat") -> Split:
        """Split one of ``table``'s partitions by hand (at ``at``, default
        its midpoint), as DynamoDB does for heat. Returns the Split.

        >>> ddb = _example()
        >>> _ = ddb.split_partition("Tab", "p0")
        >>> [p["id"] for p in ddb.partitions("Tab")]
        ['p1', 'p2']
        """
        with self._state.lock:
            lay = self._layout(table)
            split = lay.pmap.split(pid, reason, at)
            lay.cap.sync(self._state.sim.now)
            return split

    def set_partition_size_limit(self, table: str, size_limit: int) -> None:
        """Split ``table``'s partitions at ``size_limit`` bytes from now on
        (and now, where they are over it). Partitions never merge.

        >>> ddb = _example()
        >>> for i in range(40):
        ...     _ = handle(ddb, "PutItem", {"TableName": "Tab",
        ...                    "Item": {"id": {"S": f"k{i}"}, "pad": {"S": "x" * 100}}})
        >>> ddb.set_partition_size_limit("Tab", 1024)
        >>> len(ddb.partitions("Tab")) > 1
        True
        """
        with self._state.lock:
            self._layout(table).set_size_limit(size_limit)

    # -- replica groups and storage nodes ------------------------------------------------
    def storage_nodes(self) -> dict[str, tuple[str, ...]]:
        """The storage nodes by availability zone (every partition has a
        replica in three zones).

        >>> DynamoDB(seed=0).storage_nodes()["az-a"]
        ('sn-a1', 'sn-a2', 'sn-a3')
        """
        return dict(self._state.replication.nodes)

    def crash_node(self, name: str) -> None:
        """Stop storage node ``name``. Partitions it led get a new leader
        after failure detection (``replication={"detect_ms": ...}``, 1,500 ms
        by default); meanwhile their writes and strongly consistent reads
        fail with ``InternalServerError`` (HTTP 500, which SDKs retry).

        >>> ddb = _example()
        >>> ddb.crash_node("sn-c1")
        >>> [(r["replica"], r["up"]) for r in ddb.replicas("Tab", {"id": {"S": "a"}})][2]
        ('sn-c1', False)
        """
        with self._state.lock:
            self._state.replication.crash(name)

    def recover_node(self, name: str) -> None:
        """Restart storage node ``name``: it catches up with the writes it
        missed, then serves again.

        >>> ddb = _example()
        >>> ddb.crash_node("sn-c1"); ddb.recover_node("sn-c1")
        >>> all(r["up"] for r in ddb.replicas("Tab", {"id": {"S": "a"}}))
        True
        """
        with self._state.lock:
            self._state.replication.recover(name)

    def replicas(self, table: str, key: dict) -> list[dict]:
        """The replica group holding ``key`` (wire form, e.g. ``{"id": {"S": "a"}}``)
        in ``table``: for each replica its ``replica`` (node), ``zone``,
        whether it is the ``leader``, whether it is ``up``, how many changes
        it is ``behind`` and the ``item`` it would return now (None: absent).

        >>> ddb = DynamoDB(seed=0, create_ms=0)
        >>> _ = handle(ddb, "CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
        ...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        ...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
        >>> [(r["zone"], r["leader"], r["up"]) for r in ddb.replicas("Tab", {"id": {"S": "a"}})]
        [('az-a', False, True), ('az-b', False, True), ('az-c', True, True)]
        """
        st = self._state
        with st.lock:
            self._layout(table)
            t = table_for_control(st, table)
            k = read_key(t, key)
            return st.replication.describe(t, t.schema.storage_key(k))

    # -- indexes, streams, metrics ---------------------------------------------------------
    def gsi_lag(self, table: str, index: str) -> dict:
        """How far global secondary index ``index`` of ``table`` is behind its
        table: ``pending`` changes and ``oldest_ms``, the virtual ms the
        oldest has waited (:func:`~.tables.propagation.lag`). Both are 0 unless the
        service was made with a GSI lag (``indexes={"gsi_lag_ms": (lo, hi)}``).

        >>> DynamoDB(seed=0).gsi_lag("Nope", "byG")
        Traceback (most recent call last):
        ...
        dynamo_lab.dynamodb.errors.DynamoDBError: Requested resource not found: Table: Nope not found
        """
        return lag(self._state, table, index)

    @property
    def streams(self) -> StreamHub:
        """The tables' DynamoDB Streams (:class:`~.streams.hub.StreamHub`):
        ``ddb.streams.get(stream_arn).shards``.

        >>> DynamoDB(seed=0).streams.get("arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/x")
        """
        return self._state.streams

    def metrics(self) -> CapacityMetrics:
        """CloudWatch-style per-minute capacity metrics, reduced from the
        event log (:class:`~.capacity.metrics.CapacityMetrics`): seconds that are
        over are flushed first.

        >>> DynamoDB(seed=0).metrics().dimensions()
        []
        """
        st = self._state
        with st.lock:
            for t in st.tables.values():
                for lay in layouts_of(t):
                    lay.cap.flush(st.sim.now)
            emit_capacity_events(st)
            if st.metrics is None:
                st.metrics = CapacityMetrics(st.log)
            return st.metrics

    def __repr__(self) -> str:
        return f"<DynamoDB tables={len(self._state.tables)} t={self._state.sim.now} ms>"


def _example() -> DynamoDB:
    """A service with one on-demand table ``Tab`` (key ``id``), for the examples."""
    ddb = DynamoDB(seed=0, create_ms=0)
    handle(ddb, "CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
                               "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                               "AttributeDefinitions": [{"AttributeName": "id",
                                                         "AttributeType": "S"}]})
    return ddb


def state_of(ddb: DynamoDB, region: str | None = None) -> ServiceState:
    """The :class:`~.state.ServiceState` behind a service (of ``region``;
    by default the service's own): for tools, tests and the HTTP server,
    not for lessons.

    >>> state_of(DynamoDB(seed=0)).timing.request_ms
    1
    >>> state_of(DynamoDB(seed=0), "eu-west-1").arn("T")
    'arn:aws:dynamodb:eu-west-1:000000000000:table/T'
    """
    if not isinstance(ddb, DynamoDB):
        raise UsageError(f"state_of() takes a DynamoDB, not {type(ddb).__name__}")
    return ddb._region(region)



def handle(ddb: DynamoDB, operation: str, params: Any) -> dict:
    """Answer one DynamoDB request on ``ddb`` in wire form, through the
    pipeline (:func:`.pipeline.handle`): for tools, tests and the HTTP
    server; a learner uses ``ddb.client()``.

    Parameters
    ----------
    ddb : DynamoDB
        The service (its own region's tables).
    operation : str
        The operation name, e.g. ``"PutItem"`` (the part of
        ``X-Amz-Target`` after the dot).
    params : dict
        The JSON-decoded request body in wire form.

    Returns
    -------
    dict
        The JSON-able response body.

    Raises
    ------
    DynamoDBError
        With DynamoDB's code and message; ``to_wire()`` is the body.

    Examples
    --------
    >>> handle(DynamoDB(seed=0), "ListTables", {})
    {'TableNames': []}
    """
    return pipeline.handle(state_of(ddb), operation, params)


def handle_streams(ddb: DynamoDB, operation: str, params: Any) -> dict:
    """Answer one DynamoDB Streams request on ``ddb``, like :func:`handle`.

    >>> handle_streams(DynamoDB(seed=0), "ListStreams", {})
    {'Streams': []}
    """
    return pipeline.handle_streams(state_of(ddb), operation, params)


def client(**kwargs: Any):
    """A boto3 ``dynamodb`` client on a fresh default lab service
    (``dynamo_lab.client()``).

    >>> import dynamo_lab
    >>> dynamo_lab.client().meta.region_name
    'us-east-1'
    """
    return DynamoDB().client(**kwargs)


def resource(**kwargs: Any):
    """A boto3 ``dynamodb`` service resource on a fresh default lab service
    (``dynamo_lab.resource()``)."""
    return DynamoDB().resource(**kwargs)
