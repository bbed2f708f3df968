"""``dynamo-lab serve``: DynamoDB's JSON protocol over HTTP.

:mod:`.http` is the server; :mod:`.statefile` saves a service's tables to a
file and loads them back.

May import: the façade (:mod:`dynamo_lab.dynamodb.service`) and below.

Public: ``serve_main`` (the command), ``Server``.
"""
from .http import Server, serve_main

__all__ = ["Server", "serve_main"]
