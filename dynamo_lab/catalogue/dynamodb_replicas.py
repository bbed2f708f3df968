"""Events of DynamoDB's replica groups: leaders, replication lag, failover (dynamo_lab.dynamodb.replication.groups)."""
from ._spec import kind

__all__ = ["KINDS"]

KINDS: dict = {
    "partition.leader": kind(
        "a partition's replica group has a new leader",
        table="table name",
        index="the GSI's name, or None for the table itself",
        partition="partition id",
        leader="the storage node that leads now",
        previous="the storage node that led before (down, or about to be)",
        reason="'failover' (the leader crashed and failure detection passed), "
               "'quorum' (a group without a leader got a majority back when a node "
               "recovered) or 'placement' (a new partition was placed with its leader "
               "on a node that is down)"),
    "replica.stale_read": kind(
        "an eventually consistent read was answered by a replica that had not applied "
        "every acknowledged write of what it read",
        table="table name",
        partition="partition id",
        replica="the storage node that answered",
        behind="how many of the partition's changes that replica had not applied"),
    "storage.crash": kind("a storage node stopped; every replica group it belongs to lost "
                          "that replica",
                          node="the storage node's name", zone="its availability zone"),
    "storage.recover": kind("a storage node came back and caught up with the writes it missed",
                            node="the storage node's name", zone="its availability zone"),
}
