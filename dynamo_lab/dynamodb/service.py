"""The DynamoDB service: one object that answers the DynamoDB API.

:meth:`DynamoDB.handle` takes an operation name and the JSON request body in
wire form and returns the response body, or raises
:class:`~dynamo_lab.dynamodb.errors.DynamoDBError`. The in-process boto3
client (:mod:`.clients`) and ``dynamo-lab serve`` both sit on it, so the two
behave alike by construction.

The service runs on a :class:`~dynamo_lab.Simulation`: every request takes
``request_ms`` of virtual time, tables become ACTIVE ``create_ms`` after
CreateTable, and background work (TTL expiry) runs as virtual time passes
with :meth:`DynamoDB.run`.

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
>>> ddb.handle("DescribeTable", {"TableName": "Music"})["Table"]["ItemCount"]
1
"""
from __future__ import annotations

import base64
import threading
import traceback
import uuid
from datetime import datetime, timezone
from typing import Any, Callable

from ..sim import Simulation
from ..errors import OptionValueError
from .errors import DynamoDBError, ValidationError
from .options import (DEFAULT_SIZE_LIMIT, CapacityOptions, IndexOptions, OptionsView,
                      ReplicationOptions, TimingOptions)
from .tables import Table
from .validate import check_request, operation_names

__all__ = ["DynamoDB", "EPOCH"]

_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

#: Unix time (s) at virtual time 0: 2026-01-01T00:00:00Z. Fixed, so a seed
#: gives the same CreationDateTime and TTL outcomes on every laptop.
EPOCH = 1_767_225_600


def _then_layout(fn: Callable) -> Callable:
    """Run a control operation, then bring the table's partitions and
    capacity up to date (new table, new throughput, new or deleted GSIs)."""
    def run(svc: "DynamoDB", p: dict) -> dict:
        out = fn(svc, p)
        from .layout import ensure
        table = svc.tables.get(svc._resolve(p["TableName"]))
        if table is not None:
            ensure(svc, table)
        return out
    return run


def _operations() -> dict[str, Callable]:
    from . import batch, control, items, query, transactions
    return {
        "CreateTable": _then_layout(control.create_table),
        "DescribeTable": control.describe_table,
        "ListTables": control.list_tables,
        "DeleteTable": control.delete_table,
        "UpdateTable": _then_layout(control.update_table),
        "UpdateTimeToLive": control.update_time_to_live,
        "DescribeTimeToLive": control.describe_time_to_live,
        "DescribeLimits": control.describe_limits,
        "TagResource": control.tag_resource,
        "UntagResource": control.untag_resource,
        "ListTagsOfResource": control.list_tags_of_resource,
        "GetItem": items.get_item,
        "PutItem": items.put_item,
        "UpdateItem": items.update_item,
        "DeleteItem": items.delete_item,
        "Query": query.query,
        "Scan": query.scan,
        "BatchGetItem": batch.batch_get_item,
        "BatchWriteItem": batch.batch_write_item,
        "TransactGetItems": transactions.transact_get_items,
        "TransactWriteItems": transactions.transact_write_items,
    }


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
        Options for every table's :class:`~.throughput.TableCapacity`
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

    Attributes
    ----------
    sim : Simulation
    log : EventLog
    tables : dict of str to Table
    internal_errors : list of str
        Tracebacks of bugs that surfaced as ``InternalServerError``; tests
        check it stays empty.
    """

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
        self.capacity_opts = CapacityOptions.from_mapping(
            capacity, enforce_on_demand=on_demand_limits)
        self.replication_opts = ReplicationOptions.from_mapping(replication)
        self.index_opts = IndexOptions.from_mapping(indexes)
        self.sim = sim if sim is not None else Simulation(seed=seed)
        self.log = self.sim.log
        self.region, self.account = region, account
        self.create_ms, self.delete_ms, self.update_ms = (timing.create_ms, timing.delete_ms,
                                                          timing.update_ms)
        self.request_ms = timing.request_ms
        self.ttl_sweep_ms = timing.ttl_sweep_ms
        self.tables: dict[str, Table] = {}
        self.internal_errors: list[str] = []
        self._lock = threading.RLock()
        self._ids = self.sim.rng_for("dynamodb.ids")
        self._ops = _operations()
        self._ttl_task = None
        self.transactions: dict = {}   # ClientRequestToken -> record (transactions.py)
        self.partition_size_limit = timing.partition_size_limit
        self._capacity_task = None
        self.replication_options = OptionsView(lambda: self.replication_opts,
                                               lambda o: setattr(self, "replication_opts", o))
        self.index_options = OptionsView(lambda: self.index_opts,
                                         lambda o: setattr(self, "index_opts", o))
        self._metrics = None
        from .replication import Replication
        self.replication = Replication(self)

    # -- the API ------------------------------------------------------------
    def handle(self, operation: str, params: Any) -> dict:
        """Answer one API request.

        Parameters
        ----------
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
        """
        fn = self._ops.get(operation)
        if fn is None:
            if operation in operation_names():
                raise DynamoDBError("UnknownOperationException",
                                    f"dynamo_lab does not implement {operation}")
            raise DynamoDBError("UnknownOperationException", "")
        with self._lock:
            if self.request_ms:
                self.sim.run(ms=self.request_ms)
            try:
                p = check_request(operation, params)
                out = fn(self, p)
                if self._capacity_task is not None:
                    self.emit_capacity_events()
                return out
            except DynamoDBError:
                raise
            except RecursionError:
                raise ValidationError("Nesting Levels have exceeded supported limits") from None
            except Exception as exc:  # a bug: report it as AWS would, keep the trace
                self.internal_errors.append(traceback.format_exc())
                raise DynamoDBError("InternalServerError",
                                    "Internal server error") from exc

    def run(self, ms: int) -> None:
        """Advance virtual time by ``ms``, running background work (table
        status changes, TTL expiry)."""
        with self._lock:
            self.sim.run(ms=ms)
            self.emit_capacity_events()

    # -- clients --------------------------------------------------------------
    def client(self, **kwargs: Any):
        """A real boto3 ``dynamodb`` client whose requests this service answers
        (see :func:`dynamo_lab.dynamodb.clients.lab_client`)."""
        from .clients import lab_client
        return lab_client(self, **kwargs)

    def resource(self, **kwargs: Any):
        """A boto3 ``dynamodb`` service resource on this service."""
        from .clients import lab_resource
        return lab_resource(self, **kwargs)

    # -- DynamoDB Streams -------------------------------------------------------
    @property
    def streams(self):
        """The tables' streams (:class:`~.streams.StreamHub`), made on first use."""
        hub = self.__dict__.get("_streams")
        if hub is None:
            from .streams import StreamHub
            hub = self.__dict__["_streams"] = StreamHub(self)
        return hub

    def handle_streams(self, operation: str, params: Any) -> dict:
        """Answer one DynamoDB Streams request, like :meth:`handle`
        (see :mod:`.streams_api`)."""
        from .streams_api import handle
        return handle(self, operation, params)

    def streams_client(self, **kwargs: Any):
        """A real boto3 ``dynamodbstreams`` client whose requests this service answers."""
        from .clients import lab_streams_client
        return lab_streams_client(self, **kwargs)

    # -- helpers for the operation modules ----------------------------------
    def arn(self, table: str) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{table}"

    def epoch_now(self) -> float:
        """The lab's Unix time in seconds: :data:`EPOCH` plus virtual time."""
        return EPOCH + self.sim.now / 1000

    def new_uuid(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def request_id(self) -> str:
        """A request id drawn from the seed (52 base32 characters, like AWS's)."""
        with self._lock:
            n = self._ids.getrandbits(260)
        # _ID_CHARS is the base32 alphabet: base32 of n (shifted to whole
        # bytes) gives its 5-bit groups high to low; reversed, low to high.
        return base64.b32encode((n << 4).to_bytes(33, "big"))[51::-1].decode("ascii")

    def stream_label(self) -> str:
        t = datetime.fromtimestamp(self.epoch_now(), tz=timezone.utc)
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}"

    def after(self, ms: int, fn: Callable, *args: Any) -> None:
        self.sim.schedule(ms, fn, *args)

    def _resolve(self, name: str) -> str:
        if name.startswith("arn:"):
            prefix = f"arn:aws:dynamodb:{self.region}:{self.account}:table/"
            if not name.startswith(prefix) or "/" in name[len(prefix):]:
                raise ValidationError(f"Invalid TableArn: Invalid ResourceArn provided as "
                                      f"input {name}")
            return name[len(prefix):]
        from .control import check_table_name
        check_table_name(name)
        return name

    def table_for_control(self, name: str) -> Table:
        """The table named ``name`` (or its ARN) in any status."""
        table = self.tables.get(self._resolve(name))
        if table is None:
            raise DynamoDBError("ResourceNotFoundException",
                                f"Requested resource not found: Table: {self._resolve(name)} not found")
        return table

    def table_for_data(self, name: str) -> Table:
        """The table for an item operation: only ACTIVE or UPDATING tables
        take reads and writes."""
        table = self.tables.get(self._resolve(name))
        if table is None or table.status not in ("ACTIVE", "UPDATING"):
            raise DynamoDBError("ResourceNotFoundException", "Requested resource not found")
        if table.layout is None:
            from .layout import ensure
            ensure(self, table)
        return table

    # -- time to live ---------------------------------------------------------
    def ensure_ttl_sweeper(self) -> None:
        if self._ttl_task is None:
            self._ttl_task = self.sim.every(self.ttl_sweep_ms, self._sweep_ttl,
                                            name="dynamodb.ttl")

    def _sweep_ttl(self) -> None:
        from .items import expire_item
        now = self.epoch_now()
        for table in list(self.tables.values()):
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
                    # DynamoDB ignores TTL values more than five years in the past.
                    if expires <= now and expires >= now - 5 * 365 * 86400:
                        doomed.append(item)
            for item in doomed:
                expire_item(self, table, item)

    # -- partitions and capacity ----------------------------------------------
    def ensure_capacity_ticker(self) -> None:
        if self._capacity_task is None:
            self._capacity_task = self.sim.every(1000, self._capacity_tick,
                                                 name="dynamodb.capacity")

    def emit_capacity_events(self) -> None:
        """Log the ``capacity.*`` events held back since the last request
        that succeeded (a refused request logs nothing)."""
        for table in self.tables.values():
            for lay in [table.layout] + [ix.layout for ix in table.indexes.values()]:
                if lay is not None:
                    lay.cap.emit_pending()

    def _capacity_tick(self) -> None:
        now = self.sim.now
        for table in list(self.tables.values()):
            layouts = [table.layout] + [ix.layout for ix in table.indexes.values()]
            for lay in layouts:
                if lay is not None:
                    lay.tick(now)

    def _layouts(self, table: str, index: str | None = None):
        from .layout import ensure
        t = self.table_for_control(table)
        ensure(self, t)
        if index is None:
            return t.layout
        ix = t.index(index)
        if ix is None or ix.layout is None:
            raise KeyError(f"{table} has no global secondary index {index!r}")
        return ix.layout

    def partitions(self, table: str, index: str | None = None) -> list[dict]:
        """The partition map of ``table`` (or of its GSI ``index``), in hash order.

        Each partition: ``id``, ``start``, ``end`` (its hash range),
        ``parent`` (the partition it split from), ``rcu``/``wcu`` (its share),
        ``size_bytes`` and ``item_count`` (also as ``bytes`` and ``items``),
        ``replicas`` (three storage nodes), ``zones`` (three AZs), ``leader``.
        """
        with self._lock:
            lay = self._layouts(table, index)
            out = []
            for d, sp in zip(lay.pmap.describe(), lay.store.partitions):
                assert (d["id"], d["start"]) == (sp.id, sp.start)
                d["items"], d["bytes"] = len(sp.items), sp.size_bytes
                out.append(d)
            return out

    def partition_map(self, table: str, index: str | None = None):
        """The table's (or GSI's) :class:`~.partitioning.PartitionMap`."""
        with self._lock:
            return self._layouts(table, index).pmap

    def table_capacity(self, table: str, index: str | None = None):
        """The table's (or GSI's) :class:`~.throughput.TableCapacity` (buckets)."""
        with self._lock:
            return self._layouts(table, index).cap

    def split_partition(self, table: str, pid: str, at: int | None = None,
                        reason: str = "heat"):
        """Split one of ``table``'s partitions by hand (at ``at``, default
        its midpoint), as DynamoDB does for heat. Returns the Split."""
        with self._lock:
            lay = self._layouts(table)
            split = lay.pmap.split(pid, reason, at)
            lay.follow()
            lay.cap.sync(self.sim.now)
            return split

    def set_partition_size_limit(self, table: str, size_limit: int) -> None:
        """Split ``table``'s partitions at ``size_limit`` bytes from now on
        (and now, where they are over it). Partitions never merge."""
        with self._lock:
            self._layouts(table).set_size_limit(size_limit)

    # -- replica groups and storage nodes (replication.py) -----------------------
    def storage_nodes(self) -> dict[str, tuple[str, ...]]:
        """The storage nodes by availability zone (every partition has a
        replica in three zones).

        >>> DynamoDB(seed=0).storage_nodes()["az-a"]
        ('sn-a1', 'sn-a2', 'sn-a3')
        """
        return dict(self.replication.nodes)

    def crash_node(self, name: str) -> None:
        """Stop storage node ``name``. Partitions it led get a new leader
        after failure detection (``replication={"detect_ms": ...}``, 1,500 ms
        by default); meanwhile their writes and strongly consistent reads
        fail with ``InternalServerError`` (HTTP 500, which SDKs retry)."""
        with self._lock:
            self.replication.crash(name)

    def recover_node(self, name: str) -> None:
        """Restart storage node ``name``: it catches up with the writes it
        missed, then serves again."""
        with self._lock:
            self.replication.recover(name)

    def replicas(self, table: str, key: dict) -> list[dict]:
        """The replica group holding ``key`` (wire form, e.g. ``{"id": {"S": "a"}}``)
        in ``table``: for each replica its ``replica`` (node), ``zone``,
        whether it is the ``leader``, whether it is ``up``, how many changes
        it is ``behind`` and the ``item`` it would return now (None: absent).

        >>> ddb = DynamoDB(seed=0, create_ms=0)
        >>> _ = ddb.handle("CreateTable", {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
        ...     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        ...     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
        >>> [(r["zone"], r["leader"], r["up"]) for r in ddb.replicas("Tab", {"id": {"S": "a"}})]
        [('az-a', False, True), ('az-b', False, True), ('az-c', True, True)]
        """
        from .items import read_key
        with self._lock:
            self._layouts(table)
            t = self.table_for_control(table)
            k = read_key(t, key)
            return self.replication.describe(t, t.schema.storage_key(k))

    def gsi_lag(self, table: str, index: str) -> dict:
        """How far global secondary index ``index`` of ``table`` is behind its
        table: ``pending`` changes and ``oldest_ms``, the virtual ms the
        oldest has waited (:func:`~.propagation.lag`). Both are 0 unless the
        service was made with a GSI lag (``indexes={"gsi_lag_ms": (lo, hi)}``).

        >>> DynamoDB(seed=0).gsi_lag("Nope", "byG")
        Traceback (most recent call last):
        ...
        dynamo_lab.dynamodb.errors.DynamoDBError: Requested resource not found: Table: Nope not found
        """
        from .propagation import lag
        return lag(self, table, index)

    def metrics(self):
        """CloudWatch-style per-minute capacity metrics, reduced from the
        event log (:class:`~.metrics.CapacityMetrics`): seconds that are
        over are flushed first."""
        from .metrics import CapacityMetrics
        with self._lock:
            for t in self.tables.values():
                for lay in [t.layout] + [ix.layout for ix in t.indexes.values()]:
                    if lay is not None:
                        lay.cap.flush(self.sim.now)
            self.emit_capacity_events()
            if self._metrics is None:
                self._metrics = CapacityMetrics(self.log)
            return self._metrics

    def __repr__(self) -> str:
        return f"<DynamoDB tables={len(self.tables)} t={self.sim.now} ms>"
