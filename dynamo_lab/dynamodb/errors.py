"""DynamoDB's errors: codes, HTTP statuses and the wire ``__type``.

Every failure the service reports is a :class:`DynamoDBError`. The in-process
client and ``dynamo-lab serve`` turn it into the same JSON body AWS sends, so
botocore raises ``ClientError`` with the same ``Error.Code`` and message a
learner would see from AWS.

Examples
--------
>>> e = ValidationError("One or more parameter values were invalid: x")
>>> e.code, e.status
('ValidationException', 400)
>>> sorted(e.to_wire())
['__type', 'message']
>>> e.to_wire()["__type"]
'com.amazon.coral.validate#ValidationException'
"""
from __future__ import annotations

from typing import Any

from ..errors import ArgumentError

__all__ = ["DynamoDBError", "ValidationError", "ERRORS", "error"]

_DDB = "com.amazonaws.dynamodb.v20120810#"

# code -> (HTTP status, __type prefix). The coral prefixes are what DynamoDB
# really sends for request-level failures; botocore keeps the part after '#'.
ERRORS: dict[str, tuple[int, str]] = {
    "ValidationException": (400, "com.amazon.coral.validate#"),
    "SerializationException": (400, "com.amazon.coral.service#"),
    "UnknownOperationException": (400, "com.amazon.coral.service#"),
    "MissingAuthenticationTokenException": (400, "com.amazon.coral.service#"),
    "UnrecognizedClientException": (400, "com.amazon.coral.service#"),
    "InvalidSignatureException": (400, "com.amazon.coral.service#"),
    "IncompleteSignatureException": (400, "com.amazon.coral.service#"),
    "ConditionalCheckFailedException": (400, _DDB),
    "ResourceNotFoundException": (400, _DDB),
    "ResourceInUseException": (400, _DDB),
    "LimitExceededException": (400, _DDB),
    "TransactionCanceledException": (400, _DDB),
    "TransactionConflictException": (400, _DDB),
    "TransactionInProgressException": (400, _DDB),
    "IdempotentParameterMismatchException": (400, _DDB),
    "ItemCollectionSizeLimitExceededException": (400, _DDB),
    "ProvisionedThroughputExceededException": (400, _DDB),
    "ThrottlingException": (400, _DDB),
    "RequestLimitExceeded": (400, _DDB),
    "TableNotFoundException": (400, _DDB),
    "TableAlreadyExistsException": (400, _DDB),
    "TrimmedDataAccessException": (400, _DDB),
    "ExpiredIteratorException": (400, _DDB),
    "InternalServerError": (500, _DDB),
}


class DynamoDBError(Exception):
    """A DynamoDB error: ``code`` (e.g. ``ResourceNotFoundException``), the
    exact ``message``, and any extra body fields (``Item``,
    ``CancellationReasons``) the API returns with it."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        if code not in ERRORS:
            raise ArgumentError(f"unknown DynamoDB error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra

    @property
    def status(self) -> int:
        return ERRORS[self.code][0]

    def to_wire(self) -> dict[str, Any]:
        """The JSON body DynamoDB sends for this error."""
        body: dict[str, Any] = {"__type": ERRORS[self.code][1] + self.code,
                                "message": self.message}
        body.update(self.extra)
        return body

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class ValidationError(DynamoDBError):
    """``ValidationException``: the request is malformed or breaks a rule."""

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__("ValidationException", message, **extra)


def error(code: str, message: str, **extra: Any) -> DynamoDBError:
    """Build the error for ``code``: a :class:`ValidationError` for
    ``ValidationException``, a plain :class:`DynamoDBError` otherwise."""
    if code == "ValidationException":
        return ValidationError(message, **extra)
    return DynamoDBError(code, message, **extra)
