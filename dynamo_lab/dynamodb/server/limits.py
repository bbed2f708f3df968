"""What a room's server lets one client, and all of them, take.

A server on a room's network meets slow laptops, stalled Wi-Fi, a browser
tab left open, and the odd ``curl`` of a 1 GB file. :class:`Limits` bounds
each of these, and :mod:`.http` answers every refusal with a status line and
a JSON body:

- **Time.** A request must arrive whole within ``timeout`` seconds of its
  first byte (``408``, then the connection is closed), and an idle
  keep-alive connection is closed after ``idle_timeout``. A per-read
  socket timeout alone would let a client trickle a byte a second forever;
  :class:`Clocked` bounds the whole request instead.
- **Size.** A body over ``max_body`` (DynamoDB's 16 MB request limit) is
  refused from its ``Content-Length`` at once (``413``) and never stored;
  one up to twice the limit is then read off and thrown away while the
  connection closes, so a client still busy sending it reads the 413 rather
  than a broken pipe; a bigger one is left unread. A chunked body is cut off as soon as it passes the limit. Bodies being read
  at once, over all connections, are held to ``max_inflight`` bytes
  (``503`` past it), so forty 16 MB uploads cannot take 640 MB.
- **Malformed HTTP** gets a 4xx JSON answer with a status line (never
  ``http.server``'s HTTP/0.9 HTML page); a TLS handshake on the plain port
  gets a 400 at once that says to use ``http://``.
- **Connections.** At most ``max_connections`` at once; the next one gets a
  ``503`` straight from the accepting thread, without a thread of its own,
  and is closed a second later (:class:`Gate`), so the client reads the
  answer before the close. The SDKs retry a 503.

Examples
--------
>>> g = Gate(Limits(max_connections=1, max_inflight=10))
>>> g.admit(), g.admit()
(True, False)
>>> g.take(8), g.take(8)
(True, False)
"""
from __future__ import annotations

import io
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, fields
from typing import Any

from ...errors import OptionValueError

__all__ = ["Limits", "Clocked", "Gate", "MAX_BODY"]

#: DynamoDB's request size limit, 16 MB; a body over it is refused unread.
MAX_BODY = 16 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one connection, and all of them together, may take.

    Parameters
    ----------
    timeout : float
        Seconds a request may take to arrive whole, from its first byte
        (and a response to be taken by the client).
    idle_timeout : float
        Seconds a keep-alive connection may wait for its next request.
    max_connections : int
        Connections served at once; the next gets ``503`` at once.
    max_body : int
        Bytes in one request body (DynamoDB's 16 MB).
    max_inflight : int
        Request body bytes being read at once over all connections.

    Examples
    --------
    >>> Limits(timeout=2).idle_timeout
    60.0
    >>> Limits(timeout=0)
    Traceback (most recent call last):
    ...
    dynamo_lab.errors.OptionValueError: Limits option 'timeout' is 0; expected a number > 0
    """

    timeout: float = 30.0
    idle_timeout: float = 60.0
    max_connections: int = 256
    max_body: int = MAX_BODY
    max_inflight: int = 256 * 1024 * 1024

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            whole = f.type == "int"
            ok = (not isinstance(value, bool) and isinstance(value, (int, float))
                  and value > 0 and (not whole or isinstance(value, int)))
            if not ok:
                raise OptionValueError("Limits", f.name, value,
                                       "a whole number > 0" if whole else "a number > 0")
            object.__setattr__(self, f.name, value if whole else float(value))


class Clocked(io.RawIOBase):
    """A connection's reads, each bounded by the connection's deadline:
    ``idle_timeout`` while it waits for a request (:meth:`await_request`),
    then ``timeout`` from the request's first byte for all of it. A read
    past the deadline raises ``TimeoutError``; ``waiting`` tells an idle
    connection from a stalled request."""

    def __init__(self, sock: socket.socket, limits: Limits) -> None:
        self.sock, self.limits = sock, limits
        self.waiting = True
        self.deadline = time.monotonic() + limits.idle_timeout

    def readable(self) -> bool:
        return True

    def await_request(self) -> None:
        self.waiting = True
        self.deadline = time.monotonic() + self.limits.idle_timeout

    def readinto(self, buf: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        self.sock.settimeout(left)
        n = self.sock.recv_into(buf)
        if n and self.waiting:
            self.waiting = False
            self.deadline = time.monotonic() + self.limits.timeout
        return n


class Gate:
    """The server's counts: connections open and body bytes in flight, and
    the connections refused but not yet closed. Thread-safe."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self.connections = 0
        self.inflight = 0
        self._refused: deque[tuple[float, socket.socket]] = deque()

    def admit(self) -> bool:
        """Count a new connection in, or False when the house is full."""
        with self._lock:
            if self.connections >= self.limits.max_connections:
                return False
            self.connections += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.connections -= 1

    def take(self, n: int) -> bool:
        """Hold ``n`` more body bytes, or False past ``max_inflight``."""
        with self._lock:
            if self.inflight + n > self.limits.max_inflight:
                return False
            self.inflight += n
            return True

    def give(self, n: int) -> None:
        with self._lock:
            self.inflight -= n

    def turn_away(self, sock: socket.socket, answer: bytes) -> None:
        """Send ``answer`` without blocking and close the socket later
        (:meth:`sweep`): closing at once, with the client's request unread,
        would send a reset that can destroy the answer in flight."""
        try:
            sock.setblocking(False)
            sock.send(answer)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        with self._lock:
            self._refused.append((time.monotonic(), sock))
            old = [self._refused.popleft()[1] for _ in range(len(self._refused) - 1024)]
        for s in old:
            self._close(s)

    def sweep(self, age: float = 1.0) -> None:
        """Close the turned-away sockets older than ``age`` seconds (all
        with ``age=0``)."""
        cutoff = time.monotonic() - age
        while True:
            with self._lock:
                if not self._refused or self._refused[0][0] > cutoff:
                    return
                sock = self._refused.popleft()[1]
            self._close(sock)

    @staticmethod
    def _close(sock: socket.socket) -> None:
        try:
            for _ in range(64):                 # drained, so the close sends FIN, not RST
                if not sock.recv(65536):
                    break
        except OSError:
            pass
        sock.close()
