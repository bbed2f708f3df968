"""Events of the simulation substrate: the network and its faults."""
from ._spec import kind

KINDS = {
    "sim.note": kind("a free-form marker a lesson or test puts on the timeline",
                     text="what happened"),
    # One event per message, when its fate is known (no event at the send):
    # an arrow of a sequence diagram runs from ``sent`` to the event's ``t``.
    "msg.deliver": kind("a message reached its receiver", optional=("rid",),
                        id="message id, unique in the run", src="sender", dst="receiver",
                        msg="the message's kind, e.g. 'put', 'put_ack'",
                        sent="virtual ms when it left the sender",
                        rid="the client request (get or put) the message belongs to"),
    "msg.drop": kind("a message was lost (at its send, or in flight)", optional=("rid",),
                     id="message id", src="sender", dst="receiver", msg="the message's kind",
                     sent="virtual ms when it left the sender (t when dropped at once)",
                     reason="'crashed', 'partition' or 'loss'",
                     rid="the client request (get or put) the message belongs to"),
    "net.crash": kind("an endpoint stopped; it neither sends nor receives",
                      node="the endpoint's name"),
    "net.recover": kind("a crashed endpoint came back", node="the endpoint's name"),
    "net.partition": kind("links between the groups were cut (symmetric)",
                          groups="tuple of groups, each a tuple of endpoint names"),
    "net.heal": kind("every cut and slow link was restored"),
    "net.slow": kind("a link got slower", a="one end", b="the other end",
                     extra_ms="added one-way latency"),
    "net.loss": kind("the random message-loss probability changed",
                     probability="chance that any one message is dropped"),
}
