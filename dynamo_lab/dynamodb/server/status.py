"""The instructor's view of a room's server: who is connected, how fast,
which errors.

``GET /_lab/status`` answers the JSON; ``dynamo-lab serve --status [--url
URL]`` fetches it and prints :func:`render`'s text, sized for a projector:

.. code-block:: text

    dynamo-lab serve at http://10.0.0.5:8000, up 42m 10s; signatures checked (40 learners)
    connections 12 of 256; 31.5 requests/s over the last 10 s; 8123 requests, 41 errors
    refused at the door: InvalidSignatureException 3 (learner07 3)
    connected: 2 of 40 learners (seen in the last 5 min)

    learner    region     tables  requests  errors  req/s  last seen
    learner01  us-east-1       2      4100      20   15.2  now
    learner02  us-east-1       1      4023      21   16.3  2 s ago

:class:`Tally` counts what the HTTP layer refuses before a request reaches
the room (bad signatures, timeouts, oversized bodies, a full house); the
room counts the rest (:meth:`~.room.Room.status`).

Examples
--------
>>> t = Tally()
>>> t.refused("InvalidSignatureException", "AKIA1"); t.refused("RequestTimeout")
>>> t.snapshot()["refused"]
{'InvalidSignatureException': 1, 'RequestTimeout': 1}
>>> print(render({"server": {"connections": 1, "max_connections": 256,
...                          "credentials": False, "learners": [], **t.snapshot(),
...                          "uptime_s": 65},
...               "names": {}, "room": {"requests": 0, "errors": 0, "requests_per_s": 0.0,
...                                     "namespaces": []}}, url="http://127.0.0.1:8000"))
dynamo-lab serve at http://127.0.0.1:8000, up 1m 05s; signatures not checked
connections 1 of 256; 0.0 requests/s over the last 10 s; 0 requests, 0 errors
refused at the door: InvalidSignatureException 1 (AKIA1 1), RequestTimeout 1
no learner has called yet
"""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from ...errors import UsageError
from ...text import plural

__all__ = ["Tally", "render", "fetch", "CONNECTED_S"]

#: A namespace seen within this many seconds counts as connected.
CONNECTED_S = 300


class Tally:
    """Counts of requests refused at the door, by code and by access key.
    Thread-safe; :meth:`snapshot` is JSON-ready."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started = time.time()
        self._by_code: dict[str, int] = {}
        self._by_key: dict[str, dict[str, int]] = {}

    def refused(self, code: str, key: str | None = None) -> None:
        """Count one refusal of ``code``, of ``key``'s request if known."""
        with self._lock:
            self._by_code[code] = self._by_code.get(code, 0) + 1
            if key is not None and (key in self._by_key or len(self._by_key) < 1000):
                per = self._by_key.setdefault(key, {})
                per[code] = per.get(code, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"uptime_s": round(time.time() - self._started, 1),
                    "refused": dict(sorted(self._by_code.items())),
                    "refused_by_key": {k: dict(sorted(v.items()))
                                       for k, v in sorted(self._by_key.items())}}


def _duration(s: float) -> str:
    s = int(s)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


def _ago(s: float | None) -> str:
    if s is None:
        return "never"
    return "now" if s < 1 else f"{_duration(s)} ago"


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.rjust(w) if i in right else c.ljust(w)
                      for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in rows]


def render(status: dict, url: str = "") -> str:
    """The text view of a ``GET /_lab/status`` answer."""
    srv, room, names = status["server"], status["room"], status.get("names", {})
    learners = srv.get("learners", [])
    checked = (f"signatures checked ({plural(len(learners), 'learner')})" if srv.get("credentials")
               else "signatures not checked")
    lines = [f"dynamo-lab serve at {url or '?'}, up {_duration(srv.get('uptime_s', 0))}; "
             f"{checked}",
             f"connections {srv['connections']} of {srv['max_connections']}; "
             f"{room['requests_per_s']} requests/s over the last 10 s; "
             f"{plural(room['requests'], 'request')}, {plural(room['errors'], 'error')}"]
    refused = srv.get("refused", {})
    if refused:
        parts = []
        for code, n in refused.items():
            by = [(names.get(k, k), per[code]) for k, per in srv.get("refused_by_key", {}).items()
                  if code in per]
            detail = f" ({', '.join(f'{w} {c}' for w, c in sorted(by))})" if by else ""
            parts.append(f"{code} {n}{detail}")
        lines.append("refused at the door: " + ", ".join(parts))
    spaces = room.get("namespaces", [])
    if not spaces:
        lines.append("no learner has called yet")
        return "\n".join(lines)

    def who(ns: dict) -> str:
        keys = ns.get("access_key_ids") or []
        if room.get("shared") or len(keys) != 1:
            return ns["namespace"]
        return names.get(keys[0], keys[0])

    recent = [ns for ns in spaces
              if ns.get("last_seen") is not None and ns["last_seen"] < CONNECTED_S]
    total = f" of {plural(len(learners), 'learner')}" if learners else ""
    lines.append(f"connected: {len(recent)}{total} (seen in the last "
                 f"{CONNECTED_S // 60} min)")
    if learners:
        seen = {who(ns) for ns in spaces}
        missing = [n for n in learners if n not in seen]
        if missing:
            lines.append(f"not seen yet: {', '.join(missing[:12])}"
                         + (f" and {len(missing) - 12} more" if len(missing) > 12 else ""))
    rows = [["learner", "region", "tables", "requests", "errors", "req/s", "last seen"]]
    for ns in sorted(spaces, key=who):
        rows.append([who(ns), ns.get("region", ""), str(ns.get("tables", "")),
                     str(ns["requests"]), str(ns["errors"]), f"{ns['requests_per_s']:.1f}",
                     _ago(ns.get("last_seen"))])
    lines.append("")
    lines.extend(_table(rows, right={2, 3, 4, 5}))
    return "\n".join(lines)


def fetch(url: str, timeout: float = 10.0) -> dict:
    """``GET <url>/_lab/status`` as a dict; :class:`~dynamo_lab.errors.UsageError`
    naming the URL when the server cannot be reached or is not a lab's."""
    target = url.rstrip("/") + "/_lab/status"
    try:
        with urllib.request.urlopen(target, timeout=timeout) as resp:
            data = json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise UsageError(f"cannot read the status of {url}: {reason}") from None
    if not isinstance(data, dict) or "server" not in data or "room" not in data:
        raise UsageError(f"{url} is not a dynamo-lab serve (no status at {target})")
    return data
