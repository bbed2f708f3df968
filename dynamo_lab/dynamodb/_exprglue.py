"""Bridge to dynamo_lab.dynamodb.expressions (filled in when it lands)."""
from .errors import ValidationError

__all__ = ["compile_request"]


def compile_request(p, op):
    raise ValidationError("dynamo_lab: expressions are not available yet")
