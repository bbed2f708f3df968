"""Events and the EventLog, shared by every layer.

An :class:`Event` is a small frozen record: ``t`` (virtual ms), ``kind`` (a
dotted name such as ``ring.node_added``) and plain data fields (str, int,
float, bool, None and tuples of those). Events never hold live engine objects,
so a log can be saved, loaded and replayed into views.

Every kind and its fields are listed in :mod:`dynamo_lab.catalogue`. With
``strict=True`` (the test suite turns it on through the environment variable
``DYNAMO_LAB_STRICT_EVENTS=1``) the log refuses any kind or field the
catalogue does not list.

Examples
--------
>>> log = EventLog()
>>> seen = []
>>> sub = log.subscribe(seen.append, kinds=["ring.*"])
>>> log.emit("ring.node_added", node="A", zone=None, tokens=(1, 2))
>>> log[-1]
Event(t=0, kind='ring.node_added', node='A', zone=None, tokens=(1, 2))
>>> log.emit("net.heal")
>>> log[-1].kind, len(seen)
('net.heal', 1)
>>> EventLog.loads(log.dumps()).dumps() == log.dumps()
True
"""
from __future__ import annotations

import json
import os
import threading
from bisect import bisect_left, bisect_right
from typing import Any, Callable, Iterable, Iterator

from .text import plural

__all__ = ["Event", "EventLog", "Subscription", "UnknownEventError", "row_kind"]

_PLAIN = (str, int, float, bool, type(None))


class UnknownEventError(ValueError):
    """An event kind or field that the catalogue does not document."""


class Event:
    """One frozen record of something that happened at virtual time ``t``.

    Fields are read as attributes (``ev.node``) or items (``ev["node"]``).
    """

    __slots__ = ("t", "kind", "_f")

    def __init__(self, t: int, kind: str, fields: dict[str, Any]) -> None:
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "_f", fields)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("events are frozen")

    def __getattr__(self, name: str) -> Any:
        try:
            return self._f[name]
        except KeyError:
            raise AttributeError(f"{self.kind} event has no field {name!r}") from None

    def __getitem__(self, name: str) -> Any:
        return self._f[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._f.get(name, default)

    @property
    def fields(self) -> dict[str, Any]:
        """A copy of the data fields."""
        return dict(self._f)

    def to_dict(self) -> dict[str, Any]:
        return {"t": self.t, "kind": self.kind, **self._f}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Event":
        d = dict(d)
        t, kind = d.pop("t"), d.pop("kind")
        return cls(t, kind, {k: _tuplify(v) for k, v in d.items()})

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Event) and self.t == other.t
                and self.kind == other.kind and self._f == other._f)

    def __hash__(self) -> int:
        return hash((self.t, self.kind, tuple(sorted(self._f.items()))))

    def __repr__(self) -> str:
        body = "".join(f", {k}={v!r}" for k, v in self._f.items())
        return f"Event(t={self.t}, kind={self.kind!r}{body})"


#: kind -> (field names, optional names) of the kinds written as rows
_ROWS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
#: kind -> 2 + its number of fields: a row's length in the flat list
_ARITY: dict[str, int] = {}
#: what follows an event's kind in the flat list when a fields dict follows
_DICT: Any = type("_FieldsDict", (), {"__repr__": lambda self: "<fields dict>"})()


def row_kind(kind: str, *names: str, optional: tuple = ()) -> str:
    """Declare the fields of ``kind``, in order, for :meth:`EventLog.emit_row`.

    Returns ``kind``, so an engine module names its hot kinds once at the
    top and emits them positionally. A kind has one declaration.

    >>> PING = row_kind("sim.note", "text")
    >>> log = EventLog(strict=True)
    >>> log.emit_row(PING, "hello")
    >>> log[-1]
    Event(t=0, kind='sim.note', text='hello')
    """
    spec = (tuple(names), tuple(n for n in names if n in optional))
    if _ROWS.setdefault(kind, spec) != spec:
        raise ValueError(f"{kind} is already declared with fields {_ROWS[kind][0]}")
    _ARITY[kind] = 2 + len(names)
    return kind


def _fields(kind: str, f: Any, flat: list = (), at: int = 0) -> dict[str, Any]:
    """The fields dict of a stored entry: a dict; or a row, whose values are
    the tuple ``f`` or (``f`` None) lie in ``flat`` from ``at``, in the order
    :func:`row_kind` declared (optional fields holding None left out)."""
    if f.__class__ is dict:
        return f
    names, optional = _ROWS[kind]
    d = dict(zip(names, f if f is not None else flat[at:at + len(names)]))
    for n in optional:
        if d[n] is None:
            del d[n]
    return d


def _tuplify(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_tuplify(x) for x in v)
    return v


def _is_plain(v: Any) -> bool:
    if isinstance(v, _PLAIN):
        return True
    if isinstance(v, tuple):
        return all(_is_plain(x) for x in v)
    return False


class Subscription:
    """Returned by :meth:`EventLog.subscribe`; ``cancel()`` stops delivery."""

    __slots__ = ("log", "callback", "kinds")

    def __init__(self, log: "EventLog", callback: Callable[[Event], Any],
                 kinds: tuple[str, ...] | None) -> None:
        self.log, self.callback, self.kinds = log, callback, kinds

    def matches(self, kind: str) -> bool:
        if self.kinds is None:
            return True
        for k in self.kinds:
            if k == kind or (k.endswith("*") and kind.startswith(k[:-1])):
                return True
        return False

    def cancel(self) -> None:
        self.log._unsubscribe(self)


class _Clock:
    """A clock function seen as the ``now`` the log reads, kept from going
    backwards (the simulation's kernel, whose ``now`` never does, is read
    directly instead)."""

    __slots__ = ("fn", "last")

    def __init__(self, fn: Callable[[], int]) -> None:
        self.fn, self.last = fn, -1 << 62

    @property
    def now(self) -> int:
        t = self.fn()
        if t < self.last:
            raise ValueError(f"event at t={t} is earlier than the last one "
                             f"(t={self.last}); the log is append-only")
        self.last = t
        return t


class EventLog:
    """An append-only list of events with subscribers.

    ``emit`` is O(1) plus the subscribers of that kind. Events are written
    to one flat list as they happen: the time, the kind, then either the
    values of a row (:meth:`emit_row`, in the order :func:`row_kind`
    declared) or a marker and the fields dict (:meth:`emit`). An event is no
    object of its own until someone reads it: a long run that nobody watches
    allocates nothing beyond what its emitters already made, which keeps the
    cyclic garbage collector from running more often. The columns a reader
    needs (times, kinds, where each row starts) are worked out from the
    flat list when the log is next read, O(new events). With
    ``enabled=False`` it returns at once, which is what "cheap when nobody
    listens" is measured against. Time slicing is O(log n) by bisection,
    since ``t`` never decreases.

    ``clock`` is a function returning virtual ms, or an object whose ``now``
    attribute is the time and never decreases (a Simulation passes its
    kernel: one attribute read per event instead of a call).

    The engines' hottest emitters write a row with one call and no check of
    their own beyond ``enabled``: ``log._sink((now, KIND, v1, ..., vn))``
    (``_sink`` is the flat list's ``extend``), or ``log.emit_row(KIND, v1,
    ..., vn)`` when ``_sink`` is None (someone subscribes, or the log is
    strict): the same event either way.
    """

    def __init__(self, clock: Callable[[], int] | Any = None, *,
                 enabled: bool = True, strict: bool | None = None) -> None:
        if clock is None:
            clock = _Clock(lambda: 0)
        elif callable(clock):
            clock = _Clock(clock)
        elif not hasattr(clock, "now"):
            raise TypeError("clock must be a function returning ms or an object with .now")
        self._clock = clock
        self.enabled = enabled
        if strict is None:
            strict = os.environ.get("DYNAMO_LAB_STRICT_EVENTS", "") not in ("", "0")
        self.strict = strict
        # What emitters write: t, kind, then a row's values or _DICT and a
        # fields dict, event after event. Read through the columns below.
        self._raw: list[Any] = []
        self._parsed = 0                # how much of _raw the columns cover
        self._reading = threading.Lock()
        self._t: list[int] = []
        self._k: list[str] = []
        self._fd: dict[int, dict[str, Any]] = {}    # event index -> fields dict
        self._off: list[int] = []       # where each row's values start in _raw (-1: a dict)
        self._subs: list[Subscription] = []
        self._route: dict[str, list[Subscription]] = {}
        self._specs: dict[str, tuple[frozenset, frozenset]] = {}
        self._bind()

    def _bind(self) -> None:
        """Give this log a fast ``emit_row`` (unless strict): a closure over
        the flat list's ``extend`` and the clock, which skips the attribute
        look-ups of the method; and set ``_sink``, what the hottest emitters
        write to directly (None while anyone subscribes, or when strict).
        Called again when the clock is replaced."""
        if self.strict:
            self.__dict__.pop("emit_row", None)
            self._sink = None
            return
        log, clock, subs, notify = self, self._clock, self._subs, self._notify
        add = self._raw.extend
        self._add = add
        self._sink = None if subs else add

        def emit_row(kind: str, *values: Any) -> None:
            if not log.enabled:
                return
            t = clock.now
            add((t, kind) + values)     # one write: an event is never half there
            if subs:
                notify(t, kind, values)

        emit_row.__doc__ = EventLog.emit_row.__doc__
        self.emit_row = emit_row        # type: ignore[method-assign]

    def _sync(self) -> None:
        """Bring the columns up to the flat list. O(new events).

        Readers may call it from several threads (a server's event feed):
        one at a time extends the columns; writers never wait for it."""
        if self._parsed == len(self._raw):
            return
        with self._reading:
            self._sync_locked()

    def _sync_locked(self) -> None:
        raw = self._raw
        i, n = self._parsed, len(raw)
        if i == n:
            return
        ts: list[int] = []
        ks: list[str] = []
        offs: list[int] = []
        fd = self._fd
        at = len(self._t)
        arity = _ARITY
        while i < n:
            k = raw[i + 1]
            ts.append(raw[i])
            ks.append(k)
            j = i + 2
            if j < n and raw[j] is _DICT:
                fd[at + len(offs)] = raw[j + 1]
                offs.append(-1)
                i = j + 2
            else:
                offs.append(j)
                i += arity[k]
        # the times last: a reader bounds itself by len(_t), and then finds
        # every other column at least as long
        self._off.extend(offs)
        self._k.extend(ks)
        self._t.extend(ts)
        self._parsed = i

    # -- writing ---------------------------------------------------------
    def emit(self, kind: str, **fields: Any) -> None:
        """Append an event of ``kind`` at the clock's current time.

        Returns nothing; read the event back as ``log[-1]``.
        """
        # The hot path of every engine: kept inline, one call deep, and with
        # nobody subscribed five lines: the emit-on/emit-off ratio of
        # benchmarks/cluster.py is mostly this function.
        if not self.enabled:
            return
        if self.strict:
            self._validate(kind, fields)
        t = self._clock.now
        self._raw.extend((t, kind, _DICT, fields))
        if self._subs:
            self._notify(t, kind, fields)

    def emit_row(self, kind: str, *values: Any) -> None:
        """Append an event of ``kind`` whose fields are given positionally,
        in the order :func:`row_kind` declared for it.

        The engines' hottest events (one per network message, per replica
        answer, per gossip round) use it: the log appends the values to one
        flat list, about half the work of a fields dict and no object of its
        own to allocate or for the garbage collector to count, and makes the
        dict only when a subscriber or a reader asks for the event. Same checks and same
        events as ``emit(kind, **fields)``.
        """
        if not self.enabled:
            return
        if self.strict:
            spec = _ROWS.get(kind)
            if spec is None or len(spec[0]) != len(values):
                raise UnknownEventError(
                    f"{kind}: {plural(len(values), 'value')}, but row_kind declared "
                    f"{spec[0] if spec else 'no fields'}")
            self._validate(kind, _fields(kind, values))
        t = self._clock.now
        self._raw.extend((t, kind) + values)
        if self._subs:
            self._notify(t, kind, values)

    def _notify(self, t: int, kind: str, f: Any) -> None:
        subs = self._route.get(kind)
        if subs is None:
            subs = self._route[kind] = [s for s in self._subs if s.matches(kind)]
        if subs:
            ev = Event(t, kind, _fields(kind, f))
            for s in subs:
                s.callback(ev)

    def _append(self, t: int, kind: str, fields: dict[str, Any]) -> None:
        """Append a recorded event (used when loading a saved log)."""
        self._sync()
        if self._t and t < self._t[-1]:
            raise ValueError(f"event at t={t} is earlier than the last one "
                             f"(t={self._t[-1]}); the log is append-only")
        self._raw.extend((t, kind, _DICT, fields))
        if self._subs:
            self._notify(t, kind, fields)

    def _validate(self, kind: str, fields: dict[str, Any]) -> None:
        spec = self._specs.get(kind)
        if spec is None:
            from .catalogue import KINDS
            entry = KINDS.get(kind)
            if entry is None:
                raise UnknownEventError(
                    f"event kind {kind!r} is not in dynamo_lab.catalogue.KINDS")
            spec = self._specs[kind] = (frozenset(entry.fields), frozenset(entry.docs))
        required, allowed = spec
        names = fields.keys()
        if not (required <= names and names <= allowed):
            raise UnknownEventError(
                f"{kind}: fields {sorted(names)} do not match the catalogue "
                f"(missing {sorted(required - names)}, "
                f"undocumented {sorted(names - allowed)})")
        for k, v in fields.items():
            if not _is_plain(v):
                raise UnknownEventError(
                    f"{kind}.{k} holds a {type(v).__name__}; events hold plain "
                    f"data only (str, int, float, bool, None, tuples)")

    # -- subscribing -----------------------------------------------------
    def subscribe(self, callback: Callable[[Event], Any],
                  kinds: Iterable[str] | str | None = None) -> Subscription:
        """Call ``callback(event)`` for each new event of ``kinds``.

        ``kinds`` holds exact kinds or prefixes ending in ``*`` (``"ring.*"``);
        None means every kind.
        """
        if isinstance(kinds, str):
            kinds = (kinds,)
        sub = Subscription(self, callback, tuple(kinds) if kinds is not None else None)
        self._subs.append(sub)
        self._route.clear()
        self._sink = None
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)
            self._route.clear()
            if not self._subs and not self.strict:
                self._sink = self._add

    # -- reading ---------------------------------------------------------
    def _offsets(self) -> list[int]:
        """Where each event's row starts in ``_raw`` (-1: a fields dict),
        the columns brought up to date first. O(new events) per call."""
        self._sync()
        return self._off

    def _fcol(self, i: int, j: int) -> list[Any]:
        """Events ``i..j-1``'s fields dicts (None for a row). O(j - i)."""
        fd = self._fd
        if not fd:
            return [None] * (j - i)
        return [fd.get(x) for x in range(i, j)]

    def _slice(self, i: int, j: int) -> list[Event]:
        off, v = self._offsets(), self._raw
        return [Event(t, k, _fields(k, f, v, o)) for t, k, f, o
                in zip(self._t[i:j], self._k[i:j], self._fcol(i, j), off[i:j])]

    def __len__(self) -> int:
        self._sync()
        return len(self._t)

    def __iter__(self) -> Iterator[Event]:
        off, v = self._offsets(), self._raw
        return (Event(t, k, _fields(k, f, v, o))
                for t, k, f, o in zip(self._t, self._k, self._fcol(0, len(self._t)), off))

    def __getitem__(self, i):
        self._sync()
        if isinstance(i, slice):
            return self._slice(*i.indices(len(self._t))[:2]) if i.step in (None, 1) \
                else list(self)[i]
        off = self._offsets()
        i = range(len(self._t))[i]      # IndexError as a list's; negative i counted from the end
        k = self._k[i]
        return Event(self._t[i], k, _fields(k, self._fd.get(i), self._raw, off[i]))

    def __repr__(self) -> str:
        self._sync()
        end = self._t[-1] if self._t else 0
        return f"<EventLog {plural(len(self._t), 'event')}, t=0..{end} ms>"

    def between(self, start: int = 0, end: int | None = None) -> list[Event]:
        """Events with ``start <= t < end`` (``end=None``: to the last)."""
        self._sync()
        i = bisect_left(self._t, start)
        j = len(self._t) if end is None else bisect_left(self._t, end)
        return self._slice(i, j)

    def until(self, t: int) -> list[Event]:
        """Events with ``t <= t``, the log as it stood at that moment."""
        self._sync()
        return self._slice(0, bisect_right(self._t, t))

    def of_kind(self, *kinds: str) -> list[Event]:
        """Events whose kind matches any of ``kinds`` (``*`` prefixes allowed)."""
        probe = Subscription(self, lambda e: None, kinds)
        off, v = self._offsets(), self._raw
        return [Event(t, k, _fields(k, f, v, o))
                for t, k, f, o in zip(self._t, self._k, self._fcol(0, len(self._t)), off)
                if probe.matches(k)]

    def kinds(self) -> dict[str, int]:
        """How many events of each kind, in first-seen order."""
        out: dict[str, int] = {}
        self._sync()
        for k in self._k:
            out[k] = out.get(k, 0) + 1
        return out

    # -- persistence and replay ------------------------------------------
    def dumps(self) -> str:
        """The log as JSON lines."""
        return "".join(e.to_json() + "\n" for e in self)

    def save(self, path: str | os.PathLike) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.dumps())

    @classmethod
    def loads(cls, text: str) -> "EventLog":
        log = cls(enabled=True, strict=False)
        for line in text.splitlines():
            if line.strip():
                ev = Event.from_dict(json.loads(line))
                log._append(ev.t, ev.kind, ev._f)
        log._sync()
        if log._t:
            last = log._t[-1]
            log._clock = _Clock(lambda: last)
            log._bind()
        return log

    @classmethod
    def load(cls, path: str | os.PathLike) -> "EventLog":
        with open(path, encoding="utf-8") as f:
            return cls.loads(f.read())

    def replay(self, target: Callable[[Event], Any] | Any, until: int | None = None,
               kinds: Iterable[str] | None = None) -> Any:
        """Feed recorded events, oldest first, to ``target``.

        ``target`` is a callable taking an event, or a view with
        ``feed(event)``. Returns the target, so ``log.replay(View())`` reads well.
        """
        feed = target if callable(target) and not hasattr(target, "feed") else target.feed
        self._sync()
        n = len(self._t) if until is None else bisect_right(self._t, until)
        probe = Subscription(self, feed, tuple(kinds) if kinds else None)
        off, v = self._offsets(), self._raw
        for t, k, f, o in zip(self._t[:n], self._k[:n], self._fcol(0, n), off[:n]):
            if probe.matches(k):
                feed(Event(t, k, _fields(k, f, v, o)))
        return target
