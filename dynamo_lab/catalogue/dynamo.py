"""Events of the Dynamo store (paper 4.3-4.9, 5, 6): requests, replicas,
hints, clocks, Merkle trees, gossip and membership.

Conventions: a ``clock`` is a vector clock as a tuple of ``(node, counter,
timestamp)`` entries sorted by node; ``clocks`` is a tuple of those. ``rid``
identifies one get or put from the client's send to its reply, so a message
sequence diagram groups ``request.*`` and ``request.read_repair`` by it, and
the ``msg.deliver``/``msg.drop`` of its messages carry it too. ``xid``/``tid``
identify one anti-entropy exchange or range transfer.
"""
from ._spec import kind

_CLOCK = "vector clock: ((node, counter, timestamp), ...)"
_CLOCKS = "tuple of vector clocks"
_OP = "'get' or 'put'"
_GAP = ("None, or (node, past): the clock's node counter is a single new event whose "
        "past knew node only up to past (see VectorClock)")

KINDS = {
    "cluster.created": kind(
        "a DynamoCluster was built", optional=("zone_aware", "merkle_depth"),
        nodes="node names, in join order",
        zones="((node, zone or None), ...)", n="N, replicas per key", r="R, read quorum",
        w="W, write quorum", store="'memory', 'sqlite' or 'custom'",
        coordination="'server' (load balancer) or 'client' (client-driven, paper 6.4)",
        seeds="the seed nodes every node knows (paper 4.8)",
        membership="'converged' (every node starts knowing all) or 'seeds' (each "
                   "starts knowing itself and the seeds)",
        zone_aware="whether preference lists spread over zones (logs before it: absent)",
        merkle_depth="levels below the root of each range's Merkle tree"),
    "cluster.zone_down": kind("a whole availability zone was lost", zone="the zone",
                              nodes="its nodes"),
    "cluster.zone_up": kind("a lost zone came back", zone="the zone", nodes="its nodes"),
    # -- requests (paper 4.5, 5) ------------------------------------------
    "request.start": kind(
        "a coordinator took a get or put", rid="request id", op=_OP, key="the key",
        coordinator="the coordinating node",
        targets="the first N healthy nodes of its preference list (sloppy quorum)",
        hints="((fallback node, home node it stands in for), ...)",
        need="R or W", n="N"),
    "request.forward": kind(
        "a node outside the key's top N passed a request on (again, to the next healthy "
        "top-N node, if the first did not acknowledge it: member.down 'forward timeout')",
        rid="request id", op=_OP,
        key="the key", src="forwarding node", dst="the coordinator it chose"),
    "request.reply": kind(
        "a replica answered the coordinator", rid="request id", op=_OP, key="the key",
        node="the replica", coordinator="the coordinator",
        in_quorum="True if the answer arrived before the quorum was complete",
        latency_ms="ms since request.start",
        clocks="versions the replica returned (gets; empty for puts)"),
    "request.retry": kind(
        "a target stayed silent; the coordinator thinks it down and sends to the next "
        "healthy node of the preference list instead (sloppy quorum)",
        rid="request id", op=_OP, key="the key", coordinator="the coordinator",
        silent="the target that did not answer", fallback="the node used instead",
        hint_for="the home node the fallback's copy names (its hint)"),
    "request.ok": kind(
        "a quorum was reached and the coordinator answered", rid="request id", op=_OP,
        key="the key", coordinator="the coordinator",
        replies="the nodes whose answers made the quorum, in arrival order",
        latency_ms="ms since request.start",
        clocks="put: the new version's clock; get: the versions returned (siblings)"),
    "request.fail": kind(
        "a request failed", rid="request id", op=_OP, key="the key",
        coordinator="the coordinator", got="replicas that answered", need="R or W",
        reason="'timeout' or 'unavailable' (too few healthy replicas; nothing written)"),
    "request.done": kind(
        "the client got its answer (or gave up)", rid="request id", op=_OP, key="the key",
        ok="success", latency_ms="end-to-end ms seen by the client",
        mode="'server' or 'client' coordination", entry="node the client sent to",
        coordinator="node that coordinated (None if no reply)"),
    "request.read_repair": kind(
        "after a get, the coordinator sent a stale replier the versions it lacked",
        rid="request id", key="the key", coordinator="the coordinator",
        node="the stale replica", clocks="versions sent"),
    # -- replicas and versions (paper 4.4, 6.1) ------------------------------
    "replica.write": kind(
        "a node merged a version into its own data", node="the node", key="the key",
        clock=_CLOCK, gap=_GAP,
        outcome="'stored' (only version), 'sibling' (beside concurrent ones) or "
                "'obsolete' (already held or superseded; nothing changed)",
        source="'put', 'read_repair', 'handoff', 'anti_entropy' or 'transfer'",
        value="short text of the value"),
    "replica.lost": kind("a crash lost writes still in the write buffer (paper 6.1)",
                         node="the node", keys="the keys whose buffered writes were lost, a sorted tuple"),
    "replica.flush": kind("the write buffer was written to durable storage",
                          node="the node", keys="how many keys"),
    "vclock.siblings": kind(
        "concurrent versions of a key exist side by side", node="node holding or reading them",
        key="the key", where="'store' (a replica now holds them) or 'read' (a get returned them)",
        clocks=_CLOCKS),
    "vclock.truncated": kind("a clock hit 10 entries and lost its oldest (paper 4.4)",
                             node="coordinator", key="the key", clock="the truncated clock"),
    # -- hinted handoff (paper 4.6) -------------------------------------------
    "hint.stored": kind(
        "a fallback node kept a version for a home node that was down",
        node="the fallback (hint holder)", target="the home node the hint names",
        key="the key", clock=_CLOCK, gap=_GAP, outcome="as replica.write",
        source="'put' or 'read_repair'"),
    "hint.delivered": kind("a hint reached its home node and was deleted",
                           node="the hint holder", target="the home node", key="the key",
                           clock=_CLOCK,
                           to="the node that took it: the target, or a current home of "
                              "the key if the target left the ring"),
    "replica.disk_lost": kind(
        "a node lost its disk, a permanent failure (crash(node, lose_disk=True)): its "
        "data and hints are gone, it restarts empty, and anti-entropy rebuilds its "
        "replicas (paper 4.7)",
        node="the node", keys="its own keys that were on the disk, a sorted tuple",
        hints="how many hinted versions were on the disk (each also a hint.lost)"),
    "hint.lost": kind("a hint is gone: its holder lost its disk (crash(node, lose_disk="
                      "True)), or crashed holding hints in memory only "
                      "(MemoryStore(durable_hints=False))",
                      node="the hint holder", target="the home node", key="the key",
                      clock=_CLOCK),
    "background.deferred": kind(
        "admission control skipped a background slice (paper 6.5)", node="the node",
        task="'handoff' or 'anti_entropy'", latency_ms="recent foreground latency",
        threshold_ms="the limit"),
    # -- anti-entropy (paper 4.7) -------------------------------------------
    "merkle.exchange": kind("an anti-entropy exchange began", xid="exchange id",
                            a="the initiating node", b="its peer",
                            ranges="key ranges both replicate"),
    "merkle.diff": kind(
        "hashes differed at one level of one range's tree", xid="exchange id",
        node="the node that compared", peer="the other side",
        range="(start, end] of the key range", level="0 is the root",
        indexes="positions at that level whose hashes differ"),
    "merkle.repair": kind("anti-entropy gave a replica a version it lacked",
                          optional=("xid",),
                          node="the repaired node", src="the peer it came from",
                          key="the key", clock=_CLOCK,
                          xid="the exchange id (as merkle.exchange/diff/done)"),
    "merkle.done": kind(
        "an anti-entropy exchange finished", xid="exchange id", a="initiator", b="peer",
        ranges="ranges compared", ranges_differing="ranges whose roots differed",
        hashes_compared="hash comparisons made", keys_sent="keys shipped between the two",
        keys_full="keys a full comparison would have shipped",
        repaired="versions that changed a replica"),
    # -- membership (paper 4.8, 4.9) -------------------------------------------
    "member.joined": kind("an administrator added a node (membership history)",
                          node="the new node", zone="its zone", tokens="its tokens",
                          via="the node told first (a seed), or None"),
    "member.left": kind("an administrator removed a node", node="the node"),
    "member.down": kind("local failure detection: observer thinks node is down",
                        observer="the node holding the opinion", node="the peer",
                        reason="'request timeout' or 'forward timeout' (a node it "
                               "forwarded a request to did not acknowledge it); gossip "
                               "waits for no answer, so it is no failure detector"),
    "member.up": kind("observer heard from a peer it thought was down",
                      observer="the node holding the opinion", node="the peer"),
    "member.pulled": kind("a client-driven client refreshed its membership (paper 6.4)",
                          client="the client", source="node asked",
                          members="entries received"),
    "gossip.exchange": kind(
        "a gossip round ended with both nodes holding the same membership view: logged "
        "by the peer when the pushed view already matched (or once it merged it: one "
        "message), else by the initiator when the peer's reply arrived (push-pull)",
        src="the node that initiated", dst="its random peer",
        learned_src="nodes src learned about", learned_dst="nodes dst learned about",
        view_size="entries in src's view (the same as dst's when dst logs it)"),
    "gossip.merge": kind(
        "a gossip peer merged the view it was sent and learned something (logged at the "
        "peer, so it shows even if the reply, and so gossip.exchange, is lost)",
        node="the peer that merged", src="the node that initiated the exchange",
        learned="nodes the peer learned about", view_size="entries in the peer's view"),
    "transfer.offer": kind("a node offered key ranges to a node that now replicates them",
                           tid="transfer id", src="giving node", dst="receiving node",
                           ranges="((start, end), ...)"),
    "transfer.confirm": kind("the receiving node confirmed the offer", tid="transfer id",
                             src="giving node", dst="receiving node"),
    "transfer.done": kind("the receiving node acknowledged the keys of the offered ranges",
                          optional=("moved",),
                          tid="transfer id", src="giving node", dst="receiving node",
                          keys="how many keys were sent",
                          moved="the keys sent, a tuple (keys is its length)"),
    "replica.handed_off": kind(
        "a node deleted a key it no longer replicates, after every current home "
        "confirmed holding it (paper 4.9)", node="the node", key="the key",
        to="the key's current home nodes"),
}
