"""Events of DynamoDB's machinery under the API: partitions and capacity.

Emitted by :mod:`dynamo_lab.dynamodb.partitions.partitioning` and
:mod:`dynamo_lab.dynamodb.capacity.throughput`; reduced into CloudWatch-style metrics
by :mod:`dynamo_lab.dynamodb.capacity.metrics`. Hashes are 128-bit ints; a range
``(start, end)`` of a partition is half-open: ``start <= h < end``.
Capacity events are aggregated per partition per virtual second (not per
request), so a minute of heavy traffic adds at most a few events per
partition per second.
"""
from typing import Any

from ._spec import kind

__all__ = ["KINDS"]

_WHERE: dict[str, Any] = dict(table="the table's name",
              index="the global secondary index's name, or None for the table")

KINDS = {
    "partition.created": kind(
        "a partition came to be: at table creation or as the child of a split",
        **_WHERE,
        partition="its id ('p0', 'p1', ...; ids are never reused)",
        start="first hash it holds (128-bit int)",
        end="first hash past it; the range is start <= h < end",
        parent="the partition it split from, or None",
        rcu="its share of the read capacity (units/s)",
        wcu="its share of the write capacity (units/s)",
        replicas="three storage node names, one per zone",
        zones="the three availability zones, in the order of replicas",
        leader="the replica that takes writes and strongly consistent reads"),
    "partition.split": kind(
        "a partition split in two; the parent is gone, two partition.created follow",
        **_WHERE,
        parent="the partition that split",
        children="(left, right) ids",
        reason="'size' (passed the size limit), 'throughput' (provisioned "
               "throughput raised beyond what the partitions carry) or 'heat' "
               "(stayed hot)",
        at="the hash where the right child begins",
        ranges="((start, at), (at, end)): the children's ranges"),
    "partition.throughput": kind(
        "provisioned throughput was set and divided evenly among the partitions",
        **_WHERE,
        rcu="the table's (or index's) read capacity units",
        wcu="the table's (or index's) write capacity units",
        shares="tuple of (partition, rcu, wcu), in hash order"),
    "capacity.consumed": kind(
        "capacity one partition served during one virtual second",
        **_WHERE,
        partition="the partition's id",
        second="start of the second, in virtual ms (a multiple of 1000)",
        read_units="read capacity units served",
        write_units="write capacity units served",
        reads="read requests served",
        writes="write requests served",
        adaptive_units="of those units, how many adaptive capacity lent "
                       "(beyond the partition's own tokens)",
        tokens="read and write tokens left at the end of the activity: (read, write)"),
    "capacity.throttled": kind(
        "requests one partition refused during one virtual second",
        **_WHERE,
        partition="the partition's id",
        second="start of the second, in virtual ms",
        read_events="read requests throttled (CloudWatch ReadThrottleEvents)",
        write_events="write requests throttled (CloudWatch WriteThrottleEvents)",
        requests="API requests that saw a throttle (CloudWatch ThrottledRequests)",
        units="capacity units refused",
        first_t="virtual ms of the first refusal in that second",
        code="'ProvisionedThroughputExceededException' or 'ThrottlingException'",
        reason="why, in AWS's throttling-reason words: 'ProvisionedThroughputExceeded' "
               "(share, burst and adaptive all spent), 'KeyRangeThroughputExceeded' "
               "(3,000 RCU / 1,000 WCU per partition), or the lab's "
               "'OnDemandPeakExceeded' (more than twice the previous peak)"),
    "capacity.peak": kind(
        "an on-demand table reached a new peak of consumption per second",
        **_WHERE,
        op="'read' or 'write'",
        units="the new peak, units per second",
        second="the second it happened in (virtual ms)"),
}
