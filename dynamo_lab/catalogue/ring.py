"""Events of the consistent-hash ring (Dynamo paper 4.2, 4.3, 6.2).

Positions and tokens are 128-bit ints (MD5 space, 0 .. 2**128 - 1). A range
``(start, end)`` means the keys k with start < k <= end going clockwise, mod
2**128; ``start == end`` is the whole ring.
"""
from ._spec import kind

__all__ = ["KINDS"]

KINDS = {
    "ring.created": kind("a ring was made", optional=("n",),
                         strategy="1, 2 or 3 (paper 6.2)",
                         tokens_per_node="T, tokens drawn per unit of weight "
                                         "(strategies 1, 2), or None (strategy 3)",
                         partitions="Q, equal partitions (strategies 2 and 3), or None",
                         n="N, the replication factor that range moves are reported for"),
    "ring.node_added": kind("a physical node joined the ring with its tokens",
                            optional=("weight",),
                            node="node name", zone="availability zone or None",
                            tokens="its token positions, 128-bit ints in ring order",
                            weight="its capacity weight (more weight, more tokens)"),
    "ring.node_removed": kind("a physical node left the ring",
                              node="node name", tokens="the token positions it held"),
    "ring.tokens_moved": kind("tokens changed hands (strategy 3: a joining node steals "
                              "them, a leaving node's are handed out)",
                              src="node that gave them", dst="node that took them",
                              tokens="the token positions that moved, in ring order"),
    "ring.ranges_moved": kind("key ranges changed replica on a join or leave",
                              node="the node that joined or left",
                              change="'join' or 'leave'",
                              moves="tuple of (start, end, from_node, to_node) for the "
                                    "ring's N; a key k with start < k <= end "
                                    "(mod 2**128) moved; from_node None: a new replica "
                                    "nobody gave up (fewer than N nodes), to_node None: "
                                    "a replica nobody took over"),
}
