"""Events of DynamoDB's stream consumers: Lambda-like event source mappings and KCL-like workers and leases.

``shard`` is a stream shard id; sequence numbers are text, as the Streams
API gives them. A consumer on the lab writes to the lab's event log; one on
an outside endpoint keeps a log of its own (``mapping.log``, ``app.log``).
Lease renewals are not logged (a worker renews every lease every round).
"""
from ._spec import kind  # noqa: F401

__all__ = ["KINDS"]

KINDS: dict = {
    "trigger.batch": kind(
        "an event source mapping handed a batch of one shard's records to its function "
        "(or discarded a batch without invoking it, when its records were too old)",
        mapping="the mapping's name (its function's name unless given)",
        shard="the shard id the records came from",
        first="SequenceNumber of the batch's first record",
        last="SequenceNumber of the batch's last record",
        records="records in the batch",
        outcome="'ok' (returned; checkpointed), 'retry' (raised; the same batch goes again), "
                "'bisect' (raised; split in two halves, no retry used), 'error' (returned "
                "batchItemFailures: records before the first failure checkpointed, the rest "
                "go again) or 'discarded' (out of retries or too old: skipped, the failure "
                "record sent on_failure)"),
    "kcl.lease": kind(
        "a KCL-like worker's lease on a shard changed hands or state (lease table write)",
        app="the application's name (its lease table is '<app>-leases' by default)",
        shard="the leased shard id",
        worker="the worker that took, stole, released or finished it; for 'expired' the "
               "worker that held it",
        action="'taken' (an unowned or expired lease), 'stolen' (from a worker with more "
               "than its share), 'expired' (its holder stopped renewing; seen by a taker), "
               "'released' (given up: the worker left or lost it), 'finished' (checkpoint "
               "SHARD_END: the shard is closed and fully processed)",
        counter="the lease counter after the write (every take and renewal adds one)"),
    "kcl.checkpoint": kind(
        "a record processor checkpointed: the lease now names the last sequence number done",
        app="the application's name", shard="the shard id", worker="the worker holding the lease",
        sequence="the checkpointed SequenceNumber, or 'SHARD_END'",
        records="records the processor was handed since the previous checkpoint"),
}
