"""Events of the simulation substrate: the network and its faults."""
from ._spec import kind

KINDS = {
    "sim.note": kind("a free-form marker a lesson or test puts on the timeline",
                     text="what happened"),
    "msg.send": kind("a message left its sender", optional=("rid",),
                     id="message id, unique in the run", src="sender", dst="receiver",
                     msg="the message's kind, e.g. 'put', 'put_ack'",
                     rid="optional: the client request (get or put) the message belongs to"),
    "msg.deliver": kind("a message reached its receiver",
                        id="message id", src="sender", dst="receiver", msg="the message's kind"),
    "msg.drop": kind("a message was lost",
                     id="message id", src="sender", dst="receiver", msg="the message's kind",
                     reason="'crashed', 'partition' or 'loss'"),
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
