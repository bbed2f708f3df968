"""A room's key pairs: one access key id and secret per learner.

``dynamo-lab credentials --learners 40 --out room.csv`` makes the file and
prints a card per learner; ``dynamo-lab serve --credentials room.csv``
verifies every request's signature against it (:mod:`.sigv4`).

The file is CSV with the header ``name,access_key_id,secret_access_key``.
Keys look like AWS's (``AKIA`` and 16 of ``A-Z2-7``; 40-character
secrets) but are the room's own: they open nothing at AWS. They are derived
from a seed with HMAC-SHA256, so ``--seed`` regenerates the same file (keep
the seed as secret as the file: it is the file).

Examples
--------
>>> ada, bob = generate(2, seed=7)
>>> ada.name, ada.access_key_id.startswith("AKIA"), len(ada.access_key_id), len(ada.secret_access_key)
('learner01', True, 20, 40)
>>> generate(2, seed=7) == [ada, bob] != generate(2, seed=8)
True
>>> print(card(ada, "http://10.0.0.5:8000").splitlines()[0])
## learner01
"""
from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ...errors import LabError, OptionValueError

__all__ = ["Learner", "CredentialsFileError", "load", "generate", "dumps", "write",
           "card", "cards", "HEADER"]

#: The file's header row.
HEADER = ("name", "access_key_id", "secret_access_key")
_KEY = re.compile(r"[A-Za-z0-9]{1,128}\Z")       # what a room takes as an access key id
_SECRET = re.compile(r"[\x21-\x7e]{1,128}\Z")      # printable, no spaces


class CredentialsFileError(LabError, ValueError):
    """The credentials file cannot be used; the message names the file, the
    line and what is wrong with it."""


@dataclass(frozen=True)
class Learner:
    """One learner's key pair. ``repr`` hides the secret."""

    name: str
    access_key_id: str
    secret_access_key: str

    def __repr__(self) -> str:
        return f"Learner(name={self.name!r}, access_key_id={self.access_key_id!r})"


def load(path: "str | Path") -> dict[str, Learner]:
    """The learners of a credentials file, by access key id.

    Raises
    ------
    CredentialsFileError
        For a missing or unreadable file, a wrong header, a row without three
        fields, an access key id that is not letters and digits, a secret
        with spaces or control characters, or a key id given twice.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "room.csv")
    ...     _ = open(p, "w").write("name,access_key_id,secret_access_key\\nada,AKIA1,s3cret\\nbob,AKIA1,x\\n")
    ...     load(p)
    Traceback (most recent call last):
    ...
    dynamo_lab.dynamodb.server.credentials.CredentialsFileError: ...room.csv line 3: access key id 'AKIA1' is already ada's
    """
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialsFileError(f"cannot read credentials file {where}: "
                                   f"{getattr(exc, 'strerror', None) or exc}") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(c.strip() for c in rows[0]) != HEADER:
        raise CredentialsFileError(f"{where} line 1: the header must be {','.join(HEADER)}")
    learners: dict[str, Learner] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 3:
            raise CredentialsFileError(f"{where} line {n}: expected 3 fields "
                                       f"({','.join(HEADER)}), found {len(row)}")
        name, key, secret = (c.strip() for c in row)
        if not _KEY.match(key):
            raise CredentialsFileError(f"{where} line {n}: access key id {key!r} must be "
                                       "1 to 128 letters and digits")
        if not _SECRET.match(secret):
            raise CredentialsFileError(f"{where} line {n}: the secret access key must be 1 "
                                       "to 128 printable characters without spaces")
        if key in learners:
            raise CredentialsFileError(f"{where} line {n}: access key id {key!r} is "
                                       f"already {learners[key].name}'s")
        learners[key] = Learner(name or key, key, secret)
    if not learners:
        raise CredentialsFileError(f"{where}: no learners (one row per learner after the "
                                   "header)")
    return learners


def _derive(seed: int, i: int, what: str) -> bytes:
    return hmac.new(str(seed).encode(), f"dynamo-lab:{i}:{what}".encode(),
                    hashlib.sha256).digest()


def generate(n: int, seed: int, prefix: str = "learner") -> list[Learner]:
    """``n`` learners named ``learner01``..., their keys derived from ``seed``.

    The same ``n`` and ``seed`` give the same keys, so an instructor can
    regenerate a lost file; different seeds give unrelated keys.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 10_000:
        raise OptionValueError("credentials", "learners", n, "a whole number from 1 to 10000")
    width = max(2, len(str(n)))
    out = []
    for i in range(1, n + 1):
        key = "AKIA" + base64.b32encode(_derive(seed, i, "key")).decode()[:16]
        secret = base64.b64encode(_derive(seed, i, "secret")).decode()[:40]
        out.append(Learner(f"{prefix}{i:0{width}d}", key, secret))
    return out


def dumps(learners: list[Learner]) -> str:
    """The file's text for ``learners``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for ln in learners:
        w.writerow((ln.name, ln.access_key_id, ln.secret_access_key))
    return buf.getvalue()


def write(path: "str | Path", learners: list[Learner]) -> None:
    """Write the file, readable by its owner only (it holds secrets)."""
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(dumps(learners))


def card(learner: Learner, endpoint: str, region: str = "us-east-1") -> str:
    """One learner's card (Markdown): endpoint, region, key, secret, and
    the lines a learner pastes into a terminal before starting JupyterLab."""
    return "\n".join([
        f"## {learner.name}",
        "",
        f"- endpoint: `{endpoint}`",
        f"- region: `{region}`",
        f"- access key id: `{learner.access_key_id}`",
        f"- secret access key: `{learner.secret_access_key}`",
        "",
        "Paste into the terminal you start JupyterLab from (the lessons use the",
        "`DYNAMO_LAB_` pair, also for a server on the same machine; the `AWS_` lines",
        "let plain boto3 and the AWS CLI use the room too):",
        "",
        "```",
        f"export DYNAMO_LAB_ACCESS_KEY_ID={learner.access_key_id} "
        f"DYNAMO_LAB_SECRET_ACCESS_KEY={learner.secret_access_key}",
        f"export AWS_ACCESS_KEY_ID={learner.access_key_id}",
        f"export AWS_SECRET_ACCESS_KEY={learner.secret_access_key}",
        f"export AWS_DEFAULT_REGION={region} DYNAMO_LAB_ENDPOINT={endpoint}",
        "```",
        ""])


def cards(learners: list[Learner], endpoint: str, region: str = "us-east-1") -> str:
    """Every learner's card, one after another, separated by rules (one to
    cut out per learner)."""
    return "\n---\n\n".join(card(ln, endpoint, region) for ln in learners)
