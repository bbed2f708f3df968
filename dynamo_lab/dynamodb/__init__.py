"""The DynamoDB service: an in-process DynamoDB that real boto3 talks to.

The shape (DESIGN.md, "The DynamoDB service"), from the learner down. Each
subpackage's docstring says what it holds and what it may import; the
import-linter contracts in ``pyproject.toml`` hold the order
(``tests/test_shape.py`` runs them).

==========================  ===================================================
``consumers/``              DynamoDB Streams' consumers: the KCL, Lambda
                            triggers, the shard reader
``server/``                 ``dynamo-lab serve`` (HTTP) and its state file
``backend``                 the lessons' endpoint switch (the lab or any URL)
``service``                 :class:`~.service.DynamoDB`, the learner's façade:
                            it holds one :class:`~.state.ServiceState` and
                            shows only the documented façade (``dir(ddb)``)
``wire/``                   boto3 clients in process, any endpoint, the
                            botocore internals the lab relies on
``pipeline``                the operation table and ``handle()``: advance the
                            clock, validate, prepare, commit, after-commit
                            observers, respond
``operations/``             ``op(state, request)``: control, items, query,
                            batch, transactions, TTL
``streams/``                stream records and shards, the Streams API
``tables/``                 tables, indexes, their layout on partitions, GSI
                            propagation, finding a table
``replication/``            replica groups across three zones
``capacity/``               units, token buckets, throttling, metrics
``partitions/``             the partition map and the item store
``state``, ``commit``       the typed state; the after-commit observers
                            (replication, events, streams, indexes)
``model/``                  types, numbers, sizes, keys, validation, the
                            expression language
``options``, ``errors``     the frozen option records; DynamoDB's errors
==========================  ===================================================

Public names (lessons, exercises, views and benchmarks import these, from
these paths; they are stable API):

========================================  ======================================
``dynamo_lab.dynamodb.service``           ``DynamoDB``, ``state_of``, ``client``,
                                          ``resource``, ``EPOCH``
``dynamo_lab.dynamodb.options``           ``CapacityOptions``, ``IndexOptions``,
                                          ``ReplicationOptions``, ``TimingOptions``
``dynamo_lab.dynamodb.backend``           the lessons' endpoint switch (lab or moto)
``dynamo_lab.dynamodb.wire.connect``      ``connect`` (any DynamoDB endpoint)
``dynamo_lab.dynamodb.partitions``        ``PartitionMap``, ``partitions_needed``,
                                          ``KB``, ``GB``, ``PARTITION_MAX_RCU``,
                                          ``PARTITION_MAX_WCU``
``dynamo_lab.dynamodb.capacity``          ``rcu_for``, ``wcu_for``,
                                          ``units_per_read``, ``units_per_write``,
                                          ``read_units``, ``write_units``,
                                          ``BURST_SECONDS``, ``TableCapacity``
``dynamo_lab.dynamodb.model``             ``item_size``
``dynamo_lab.dynamodb.consumers``         ``App`` (a KCL application),
                                          ``EventSourceMapping`` (Lambda triggers)
``dynamo_lab.dynamodb.errors``            ``DynamoDBError``
``dynamo_lab.dynamodb.server``            ``Server``, ``Limits`` (``dynamo-lab serve``)
========================================  ======================================

A GSI's propagation lag is the façade's ``ddb.gsi_lag(...)``. Everything
else is internal and may move.
"""
