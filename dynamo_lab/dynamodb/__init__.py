"""The DynamoDB service: an in-process DynamoDB that real boto3 talks to.

The shape (DESIGN.md, "The DynamoDB service"):

* :mod:`.service` -- :class:`~.service.DynamoDB`, the learner's façade. It
  holds one :class:`~.state.ServiceState` and shows only the documented
  façade (``dir(ddb)``).
* :mod:`.state` -- the typed state every operation works on; a leaf.
* :mod:`.options` -- the frozen option records; a typo is an error that
  names the key.
* :mod:`.pipeline` -- the operation table and ``handle()``: advance the
  clock, validate, prepare, commit, after-commit observers
  (:mod:`.commit`: replication, events, streams, indexes), respond.
* the operations: :mod:`.control`, :mod:`.items`, :mod:`.query`,
  :mod:`.batch`, :mod:`.transactions`, :mod:`.streams_api`.
* the wire: :mod:`.validate`, :mod:`.clients` (boto3 in process),
  :mod:`.server` (``dynamo-lab serve``), :mod:`.connect` and
  :mod:`.backend` (any endpoint).

Public names (lessons, exercises, views and benchmarks import these, from
these paths; they are stable API):

========================================  ======================================
``dynamo_lab.dynamodb.service``           ``DynamoDB``, ``state_of``, ``client``,
                                          ``resource``, ``EPOCH``
``dynamo_lab.dynamodb.options``           ``CapacityOptions``, ``IndexOptions``,
                                          ``ReplicationOptions``, ``TimingOptions``
``dynamo_lab.dynamodb.backend``           the lessons' endpoint switch (lab or moto)
``dynamo_lab.dynamodb.connect``           ``connect`` (any DynamoDB endpoint)
``dynamo_lab.dynamodb.partitioning``      ``PartitionMap``, ``partitions_needed``,
                                          ``KB``, ``GB``, ``PARTITION_MAX_RCU``,
                                          ``PARTITION_MAX_WCU``
``dynamo_lab.dynamodb.throughput``        ``rcu_for``, ``wcu_for``,
                                          ``units_per_read``, ``units_per_write``,
                                          ``BURST_SECONDS``, ``TableCapacity``
``dynamo_lab.dynamodb.size``              ``item_size``
``dynamo_lab.dynamodb.propagation``       ``lag`` (also ``ddb.gsi_lag``)
``dynamo_lab.dynamodb.kcl``               ``App`` (a KCL application)
``dynamo_lab.dynamodb.triggers``          ``EventSourceMapping`` (Lambda triggers)
``dynamo_lab.dynamodb.errors``            ``DynamoDBError``
``dynamo_lab.dynamodb.server``            ``serve_main``, ``Server``
========================================  ======================================

Everything else is internal and may move.
"""
