"""``dynamo-lab serve``: DynamoDB's JSON protocol over HTTP, for one
learner or a room.

- :mod:`.http`: :class:`Server` and the protocol's notes; :mod:`.handler`
  its front door (framing, CORS, who is calling); :mod:`.limits` what a
  client may take (time, size, connections).
- :mod:`.sigv4`: AWS Signature Version 4, verified; :mod:`.credentials`: a
  room's key pairs and learners' cards.
- :mod:`.room`: whose tables (a namespace per access key and region);
  :mod:`.durable`: nothing acknowledged is lost (``--data``);
  :mod:`.statefile`: one service's tables in a file (``--state``).
- :mod:`.status`: the instructor's view (``--status``).

May import: the façade (:mod:`dynamo_lab.dynamodb.service`) and below.

Public: ``Server``, ``Limits``.
"""
from .http import Limits, Server

__all__ = ["Limits", "Server"]
