"""AWS Signature Version 4, checked as DynamoDB checks it.

With ``dynamo-lab serve --credentials FILE`` every request must carry a
SigV4 ``Authorization`` header made with a key pair from the file. This
module is the server's own implementation of AWS's documented algorithm
(the *canonical request*, the *string to sign*, the *signing key* derived
from the secret, date, region and service, and the HMAC-SHA256 signature);
the tests check it against botocore's signer and AWS's published example.

A request is refused, with DynamoDB's code and message (HTTP 400, as
DynamoDB's error page lists them), when:

- it has no ``Authorization`` header: ``MissingAuthenticationTokenException``
  "Request is missing Authentication Token";
- the header lacks a part (``Credential``, ``SignedHeaders``,
  ``Signature``), or the request has no date: ``IncompleteSignatureException``;
- its credential scope names another service, a string that is not a
  region, another terminator than ``aws4_request``, or another day than its
  date: ``InvalidSignatureException`` ("Credential should be scoped to ...");
- the access key id is not in the file: ``UnrecognizedClientException``
  "The security token included in the request is invalid.";
- it was signed more than 15 minutes before or after the server's clock:
  ``InvalidSignatureException`` "Signature expired: ..." or "Signature not
  yet current: ...";
- the signature differs: ``InvalidSignatureException`` with AWS's message,
  followed (as AWS does) by the canonical request and string to sign the
  server computed, which is what a learner signing by hand needs to see.

Examples
--------
AWS's published example (the SigV4 test suite's ``get-vanilla``):

>>> secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
>>> headers = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]
>>> creq = canonical_request("GET", "/", "", headers, ("host", "x-amz-date"), hashlib.sha256(b"").hexdigest())
>>> print(creq)
GET
/
<BLANKLINE>
host:example.amazonaws.com
x-amz-date:20150830T123600Z
<BLANKLINE>
host;x-amz-date
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
>>> key = signing_key(secret, "20150830", "us-east-1", "service")
>>> sts = string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", creq)
>>> hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
'5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'

The unverified scope of a request, for a server without a credentials file:

>>> scope_of("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/dynamodb/aws4_request, "
...          "SignedHeaders=host;x-amz-date, Signature=5fa0")
('AKIDEXAMPLE', 'eu-west-1')
"""
from __future__ import annotations

import calendar
import email.utils
import hashlib
import hmac
import re
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import quote

from ..errors import DynamoDBError

__all__ = ["SignatureError", "Authorization", "verify", "scope_of", "parse_authorization",
           "canonical_request", "string_to_sign", "signing_key", "ALGORITHM", "SERVICE",
           "MAX_SKEW_S", "MISSING_TOKEN", "UNKNOWN_KEY", "MISMATCH"]

ALGORITHM = "AWS4-HMAC-SHA256"
#: The signing name of both DynamoDB and DynamoDB Streams.
SERVICE = "dynamodb"
#: How far a request's date may be from the server's clock.
MAX_SKEW_S = 15 * 60
MISSING_TOKEN = "Request is missing Authentication Token"
UNKNOWN_KEY = "The security token included in the request is invalid."
MISMATCH = ("The request signature we calculated does not match the signature you "
            "provided. Check your AWS Secret Access Key and signing method. Consult "
            "the service documentation for details.")

_BASIC = "%Y%m%dT%H%M%SZ"
_REGION = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")     # what a room takes as a region
_DATE = re.compile(r"\d{8}T\d{6}Z\Z")


class SignatureError(DynamoDBError):
    """A request the front door refuses before the service sees it: one of
    DynamoDB's signature codes (``MissingAuthenticationTokenException``,
    ``UnrecognizedClientException``, ``IncompleteSignatureException``,
    ``InvalidSignatureException``), HTTP 400, sent as DynamoDB sends them.

    >>> SignatureError("MissingAuthenticationTokenException", MISSING_TOKEN).to_wire()
    {'__type': 'com.amazon.coral.service#MissingAuthenticationTokenException', 'message': 'Request is missing Authentication Token'}
    """


def _incomplete(message: str) -> SignatureError:
    return SignatureError("IncompleteSignatureException", message)


def _invalid(message: str) -> SignatureError:
    return SignatureError("InvalidSignatureException", message)


@dataclass(frozen=True)
class Authorization:
    """The parts of a SigV4 ``Authorization`` header."""

    access_key_id: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{self.terminator}"


def _fields(header: str) -> tuple[str, dict[str, str]]:
    algorithm, _, rest = header.strip().partition(" ")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields.setdefault(name.strip(), value.strip())
    return algorithm, fields


def parse_authorization(header: str, has_date: bool = True) -> Authorization:
    """The parts of ``header``; :class:`SignatureError` with AWS's words
    (``IncompleteSignatureException``) when one is missing.

    >>> parse_authorization("AWS4-HMAC-SHA256 Signature=00")
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.server.sigv4.SignatureError: Authorization header requires 'Credential' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Signature=00
    """
    algorithm, fields = _fields(header)
    if algorithm != ALGORITHM:
        raise _incomplete(f"Unsupported AWS 'algorithm': '{algorithm}'. "
                          f"Authorization=" + header)
    missing = [f"Authorization header requires '{name}' parameter. "
               for name in ("Credential", "Signature", "SignedHeaders") if not fields.get(name)]
    if not has_date:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' "
                       "or a 'Date' header. ")
    if missing:
        raise _incomplete("".join(missing) + "Authorization=" + header)
    credential = fields["Credential"]
    parts = credential.split("/")
    if len(parts) != 5:
        raise _incomplete("Credential must have exactly 5 slash-delimited elements, e.g. "
                          f"keyid/date/region/service/term, got '{credential}'")
    signed = tuple(h.strip().lower() for h in fields["SignedHeaders"].split(";") if h.strip())
    return Authorization(parts[0], parts[1], parts[2], parts[3], parts[4], signed,
                         fields["Signature"].lower())


def scope_of(header: str | None) -> tuple[str, str] | None:
    """``(access key id, region)`` of a SigV4 header's credential scope,
    unverified; None when the header has no such scope."""
    if not header:
        return None
    algorithm, fields = _fields(header)
    parts = fields.get("Credential", "").split("/")
    if algorithm != ALGORITHM or len(parts) != 5 or not parts[0]:
        return None
    return parts[0], parts[2]


def _canonical_path(path: str) -> str:
    # Other services than S3: remove dot segments, then encode the
    # (already encoded) path once more, as the SDKs sign it.
    segments: list[str] = []
    for seg in path.split("/")[1:]:
        if seg == "..":
            if segments:
                segments.pop()
        elif seg not in (".", ""):
            segments.append(seg)
    normal = "/" + "/".join(segments)
    if path.endswith("/") and normal != "/":
        normal += "/"
    return quote(normal, safe="/~")


def _canonical_query(query: str) -> str:
    pairs = []
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return "&".join(f"{n}={v}" for n, v in sorted(pairs))


def canonical_request(method: str, path: str, query: str, headers: Iterable[tuple[str, str]],
                      signed: Iterable[str], payload_hash: str) -> str:
    """Step 1 of SigV4: method, path, query, the signed headers (each value
    trimmed, inner spaces folded, repeats joined by commas), their names,
    and the payload's SHA-256."""
    names = sorted(signed)
    values: dict[str, list[str]] = {n: [] for n in names}
    for name, value in headers:
        low = name.lower()
        if low in values:
            values[low].append(" ".join(value.split()))
    lines = "".join(f"{n}:{','.join(values[n])}\n" for n in names)
    return "\n".join([method, _canonical_path(path), _canonical_query(query), lines,
                      ";".join(names), payload_hash])


def string_to_sign(amz_date: str, scope: str, creq: str) -> str:
    """Step 2: the algorithm, the request's date, its scope, and the hash of
    the canonical request."""
    digest = hashlib.sha256(creq.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """Step 3: ``kSigning``, HMAC'd down from ``"AWS4" + secret`` through the
    date, region, service and ``aws4_request``."""
    key = _hmac(("AWS4" + secret).encode("utf-8"), date)
    return _hmac(_hmac(_hmac(key, region), service), "aws4_request")


_KEYS: dict[tuple[str, str, str, str], bytes] = {}
_KEYS_LOCK = threading.Lock()


def _cached_key(secret: str, date: str, region: str, service: str) -> bytes:
    # A day's key per learner and region: four HMACs saved per request.
    k = (secret, date, region, service)
    key = _KEYS.get(k)
    if key is None:
        key = signing_key(secret, date, region, service)
        with _KEYS_LOCK:
            if len(_KEYS) > 4096:
                _KEYS.clear()
            _KEYS[k] = key
    return key


def _request_time(headers: Iterable[tuple[str, str]]) -> tuple[str | None, float | None]:
    """The request's date as AWS's basic form, and as epoch seconds."""
    amz = date = None
    for name, value in headers:
        low = name.lower()
        if low == "x-amz-date" and amz is None:
            amz = value.strip()
        elif low == "date" and date is None:
            date = value.strip()
    if amz is not None:
        if not _DATE.match(amz):
            return amz, None
        try:
            return amz, float(calendar.timegm(time.strptime(amz, _BASIC)))
        except ValueError:
            return amz, None
    if date is not None:
        parsed = email.utils.parsedate_tz(date)
        if parsed is None:
            return date, None
        when = float(email.utils.mktime_tz(parsed))
        return time.strftime(_BASIC, time.gmtime(when)), when
    return None, None


def _basic(t: float) -> str:
    return time.strftime(_BASIC, time.gmtime(t))


def verify(method: str, target: str, headers: list[tuple[str, str]], body: bytes,
           secret_for: Callable[[str], str | None], now: float | None = None) -> tuple[str, str]:
    """Check one request's SigV4 signature; return ``(access key id, region)``.

    Parameters
    ----------
    method, target : str
        The request line's method and target (path and query).
    headers : list of (name, value)
        Every header as received, repeats included.
    body : bytes
        The request body.
    secret_for : callable
        The secret access key of an access key id, or None for a key the
        server does not know.
    now : float, optional
        The server's clock (epoch seconds); ``time.time()`` by default.

    Raises
    ------
    SignatureError
        With DynamoDB's code and message (see the module notes).
    """
    auth = None
    for name, value in headers:
        if name.lower() == "authorization":
            auth = value
            break
    if not auth:
        raise SignatureError("MissingAuthenticationTokenException", MISSING_TOKEN)
    amz_date, when = _request_time(headers)
    parsed = parse_authorization(auth, has_date=amz_date is not None)
    if when is None:
        raise _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See "
                          "http://en.wikipedia.org/wiki/ISO_8601")
    assert amz_date is not None
    wrong = []
    if not _REGION.match(parsed.region) or len(parsed.region) > 32:
        wrong.append(f"Credential should be scoped to a valid region, not '{parsed.region}'. ")
    if parsed.service != SERVICE:
        wrong.append(f"Credential should be scoped to correct service: '{SERVICE}'. ")
    if parsed.terminator != "aws4_request":
        wrong.append("Credential should be scoped with a valid terminator: 'aws4_request', "
                     f"not '{parsed.terminator}'. ")
    if parsed.date != amz_date[:8]:
        wrong.append("Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                     f"of date from HTTP: '{parsed.date}' != '{amz_date[:8]}', from "
                     f"'{amz_date}'.")
    if wrong:
        raise _invalid("".join(wrong))
    secret = secret_for(parsed.access_key_id)
    if secret is None:
        raise SignatureError("UnrecognizedClientException", UNKNOWN_KEY)
    clock = time.time() if now is None else now
    if when < clock - MAX_SKEW_S:
        raise _invalid(f"Signature expired: {amz_date} is now earlier than "
                       f"{_basic(clock - MAX_SKEW_S)} ({_basic(clock)} - 15 min.)")
    if when > clock + MAX_SKEW_S:
        raise _invalid(f"Signature not yet current: {amz_date} is still later than "
                       f"{_basic(clock + MAX_SKEW_S)} ({_basic(clock)} + 15 min.)")
    if "host" not in parsed.signed_headers:
        raise _invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                       "Authorization.")
    path, _, query = target.partition("?")
    creq = canonical_request(method, path, query, headers, parsed.signed_headers,
                             hashlib.sha256(body).hexdigest())
    sts = string_to_sign(amz_date, parsed.scope, creq)
    key = _cached_key(secret, parsed.date, parsed.region, parsed.service)
    expected = hmac.new(key, sts.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parsed.signature):
        raise _invalid(f"{MISMATCH}\n\nThe Canonical String for this request should have "
                       f"been\n'{creq}'\n\nThe String-to-Sign should have been\n'{sts}'\n")
    return parsed.access_key_id, parsed.region
