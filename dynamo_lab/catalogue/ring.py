"""Events of the consistent-hash ring (Dynamo paper 4.2, 4.3, 6.2)."""
from ._spec import kind

KINDS = {
    "ring.created": kind("a ring was made",
                         strategy="1, 2 or 3 (paper 6.2)",
                         tokens_per_node="T, tokens drawn per unit of weight",
                         partitions="Q, equal partitions (strategies 2 and 3), or None"),
    "ring.node_added": kind("a physical node joined the ring with its tokens",
                            node="node name", zone="availability zone or None",
                            tokens="its token positions, 128-bit ints in ring order"),
    "ring.node_removed": kind("a physical node left the ring",
                              node="node name", tokens="the token positions it held"),
    "ring.tokens_moved": kind("tokens changed hands (strategy 3 stealing and hand-out)",
                              src="node that gave them", dst="node that took them",
                              tokens="the token positions that moved"),
    "ring.ranges_moved": kind("key ranges changed replica on a join or leave",
                              node="the node that joined or left",
                              change="'join' or 'leave'",
                              moves="tuple of (start, end, from_node, to_node); a key k "
                                    "with start < k <= end (mod 2**128) moved"),
}
