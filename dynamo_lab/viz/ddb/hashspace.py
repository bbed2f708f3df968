"""HashSpaceView: the deck's hash-table slide, drawn from the keys the client used.

Each partition key the client wrote or read is hashed onto the key space
``00..FF`` (the lab's hash: MD5 of the key's bytes, the Dynamo paper's
section 4.1; DynamoDB does not publish its own) and drawn as a dot labelled
``Hash(1)=C4``. The space is cut into the slide's partitions (``00-55``,
``55-AA``, ``AA-FF`` by default), and the band is drawn three times, once
per replica in its own availability zone: every item is stored as Replica
1, 2 and 3. It grows live as the learner puts items.

The caption says how the keys fall: when they all land in one partition
(the deck's own keys 1, 2 and 3 do, with MD5), it says so, and offers keys
of the same type that spread over every partition. With the lab's
internals in the log, it adds how many partitions the lab's service really
holds for the table (``partitions="lab"`` draws those instead).

Examples
--------
>>> from dynamo_lab import DynamoDB
>>> from dynamo_lab.viz import HashSpaceView, record
>>> c = DynamoDB(seed=0).client(retries=0)
>>> calls = record(c)
>>> _ = c.create_table(TableName="HashDemo", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}])
>>> c.get_waiter("table_exists").wait(TableName="HashDemo", WaiterConfig={"Delay": 1})
>>> for i in (1, 2, 3):
...     _ = c.put_item(TableName="HashDemo", Item={"id": {"N": str(i)}})
>>> view = HashSpaceView(calls)
>>> view
<HashSpaceView 'HashDemo': 3 keys in 3 partitions (1, 2, 3 all in AA-FF)>
>>> view.placement()
{'1': ('C4', 'AA-FF'), '2': ('C8', 'AA-FF'), '3': ('EC', 'AA-FF')}
>>> view.spreading()
('N', ['6', '4', '1'])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...errors import ArgumentError
from ...events import Event
from ..svg import color
from ._base import HASH_SPACE, plural, short_hash
from ._endpoint import ZONES3, EndpointView, clip
from .collections import hash_position

__all__ = ["HashSpaceView", "HashSpaceState"]

W = 780
_L, _BW = 110, 650
_KEYS_Y, _BAND0, _BAND_H, _BAND_GAP = 70, 120, 34, 16


@dataclass
class HashSpaceState:
    """Partition keys seen (value -> (type, position)) and the lab's partitions."""

    table: str | None = None
    index: str | None = None
    keys: dict = field(default_factory=dict)
    key_name: str | None = None
    lab: dict = field(default_factory=dict)        # partition id -> (start, end, replicas, zones)


def _cut(n: int) -> list[tuple[int, int]]:
    """``n`` equal ranges of the hash space, on first-byte boundaries like the slide's."""
    edges = [256 * i // n for i in range(n + 1)]
    return [(edges[i] << 120, edges[i + 1] << 120) for i in range(n)]


def _name(start: int, end: int) -> str:
    return f"{short_hash(start)}-{'FF' if end >= HASH_SPACE else short_hash(end)}"


class HashSpaceView(EndpointView):
    """Partition keys hashed onto the key space, its partitions, three replicas each.

    Parameters
    ----------
    source : CallRecorder, DynamoDB, Simulation or EventLog
    table : str, optional
        Default: the first table the recorded items name.
    partitions : int or 'lab'
        Cut the space into this many equal partitions (3: the slide's
        00-55, 55-AA, AA-FF), or draw the lab's own partitions of the table.

    Notes
    -----
    Selectors: ``div.dl-hashspace``; ``circle.dl-key-dot`` per key and
    replica with ``data-key``, ``data-hash`` (first byte), ``data-partition``
    and ``data-replica`` (1-3); ``rect.dl-hpart`` per partition and replica.
    """

    css_class = "dl-hashspace"
    kinds = ("client.items", "partition.created", "partition.split", "table.deleted")

    def __init__(self, source: Any, table: str | None = None, partitions: int | str = 3,
                 live: bool | None = None) -> None:
        if partitions != "lab" and not (isinstance(partitions, int) and 1 <= partitions <= 16):
            raise ArgumentError(f"partitions must be 1..16 or 'lab', not {partitions!r}")
        self.parts = partitions
        super().__init__(source, table=table, live=live)

    def initial(self) -> HashSpaceState:
        return HashSpaceState(table=self.table)

    def apply(self, s: HashSpaceState, ev: Event) -> HashSpaceState:
        kind = ev.kind
        if kind == "client.items":
            if ev.index is not None or not self.mine(s, ev, indexed=False):
                return s
            s.key_name = ev["keys"][0]
            for ht, hv, *_ in ev["items"]:
                if hv is not None and ht in ("S", "N", "B"):
                    s.keys.setdefault(hv, (ht, hash_position(ht, hv)))
            return s
        if ev.get("table") != s.table or ev.get("index") is not None:
            return s
        if kind == "partition.created":
            s.lab[ev.partition] = (ev.start, ev.end, tuple(ev.replicas), tuple(ev.zones))
        elif kind == "partition.split":
            s.lab.pop(ev.parent, None)
        elif kind == "table.deleted":
            s.lab.clear()
        return s

    # -- reading ----------------------------------------------------------
    def ranges(self, s: HashSpaceState | None = None) -> list[tuple[str, int, int, tuple]]:
        """The partitions drawn: ``(name, start, end, replica names)``."""
        s = self.state if s is None else s
        if self.parts == "lab" and s.lab:
            return [(_name(a, b), a, b, tuple(f"{r} ({z})" for r, z in zip(reps, zones)))
                    for a, b, reps, zones in sorted(s.lab.values())]
        return [(_name(a, b), a, b, tuple(f"Replica {i + 1} ({z})" for i, z in enumerate(ZONES3)))
                for a, b in _cut(self.parts if isinstance(self.parts, int) else 3)]

    def placement(self, s: HashSpaceState | None = None) -> dict[str, tuple[str, str]]:
        """Each key: ``(first byte of its hash, the partition it lands in)``."""
        s = self.state if s is None else s
        rs = self.ranges(s)
        out = {}
        for k, (_, pos) in sorted(s.keys.items(), key=lambda kv: kv[1][1]):
            part = next((n for n, a, b, _ in rs if a <= pos < b), "?")
            out[k] = (short_hash(pos), part)
        return dict(sorted(out.items()))

    def spreading(self, s: HashSpaceState | None = None) -> tuple[str, list[str]] | None:
        """Keys of the table's key type that land one in each partition
        (smallest first: 1, 2, ... for numbers, key1, key2, ... for strings)."""
        s = self.state if s is None else s
        types = {t for t, _ in s.keys.values()}
        kt = "N" if types in (set(), {"N"}) else "S" if "S" in types else None
        if kt is None:
            return None
        rs = self.ranges(s)
        found: dict = {}
        for i in range(1, 5000):
            v = str(i) if kt == "N" else f"key{i}"
            pos = hash_position(kt, v)
            part = next(n for n, a, b, _ in rs if a <= pos < b)
            found.setdefault(part, v)
            if len(found) == len(rs):
                break
        return kt, [found[n] for n, *_ in rs if n in found]

    # -- drawing ----------------------------------------------------------
    def render(self, s: HashSpaceState) -> dict:
        items: list = []
        add = items.append
        rs = self.ranges(s)
        add(["text", "title", {"class": "dl-title", "x": 10, "y": 18},
             f"{self.what(s)}: Hash({s.key_name or 'hash key'}) on the key space 00..FF, "
             f"{plural(len(rs), 'partition')}, each stored three times"])
        add(["line", "axis", {"x1": _L, "x2": _L + _BW, "y1": _KEYS_Y, "y2": _KEYS_Y,
                              "stroke": "#999"}, ""])
        for i in range(5):
            x = _L + _BW * i / 4
            add(["text", f"tick:{i}", {"class": "dl-muted", "x": round(x, 2), "y": _KEYS_Y + 14,
                                       "text-anchor": "middle", "font-size": 10},
                 ["00", "40", "80", "C0", "FF"][i]])
        add(["text", "axl", {"class": "dl-muted", "x": _L - 8, "y": _KEYS_Y + 4,
                             "text-anchor": "end", "font-size": 10}, "Hash(key)"])
        keys = sorted(s.keys.items(), key=lambda kv: kv[1][1])
        labelled = len(keys) <= 16
        for j, (k, (_, pos)) in enumerate(keys):
            x = round(_L + _BW * pos / HASH_SPACE, 2)
            add(["circle", f"k:{k}", {"class": "dl-key-dot", "cx": x, "cy": _KEYS_Y, "r": 4,
                                      "fill": "#d62728", "data-key": k,
                                      "data-hash": short_hash(pos),
                                      "data-tip": f"Hash({k}) = {short_hash(pos)}…"}, ""])
            if labelled:
                add(["text", f"kl:{k}", {"x": x, "y": _KEYS_Y - 8 - 12 * (j % 3),
                                         "text-anchor": "middle", "font-size": 10},
                     f"Hash({clip(k, 10)})={short_hash(pos)}"])
        for rep in range(3):
            y = _BAND0 + rep * (_BAND_H + _BAND_GAP)
            for pi, (name, a, b, reps) in enumerate(rs):
                x0 = _L + _BW * a / HASH_SPACE
                wd = max(_BW * (b - a) / HASH_SPACE, 1)
                held = [k for k, (_, pos) in keys if a <= pos < b]
                add(["rect", f"p:{rep}:{a:x}", {
                    "class": "dl-hpart", "x": round(x0, 2), "y": y, "width": round(wd, 2),
                    "height": _BAND_H, "fill": color(pi), "opacity": 0.28, "stroke": "#fff",
                    "stroke-width": 2, "data-partition": name, "data-replica": rep + 1,
                    "data-tip": f"partition {name} · {reps[rep] if rep < len(reps) else ''} · "
                                f"{plural(len(held), 'key')}"}, ""])
                if rep == 0 and wd > 40:
                    add(["text", f"pn:{a:x}", {"x": round(x0 + wd / 2, 2), "y": y - 4,
                                               "text-anchor": "middle", "font-size": 11,
                                               "font-weight": 600}, name])
                for k in held:
                    pos = s.keys[k][1]
                    add(["circle", f"d:{rep}:{k}", {
                        "class": "dl-key-dot", "cx": round(_L + _BW * pos / HASH_SPACE, 2),
                        "cy": y + _BAND_H / 2, "r": 4, "fill": color(pi), "stroke": "#333",
                        "stroke-width": 0.8, "data-key": k, "data-hash": short_hash(pos),
                        "data-partition": name, "data-replica": rep + 1,
                        "data-tip": f"{k} in {name}, replica {rep + 1}"}, ""])
            label = rs[0][3][rep] if rs and rep < len(rs[0][3]) else f"Replica {rep + 1}"
            add(["text", f"rl:{rep}", {"x": _L - 8, "y": y + _BAND_H / 2 + 4,
                                       "text-anchor": "end", "font-size": 11},
                 label if self.parts != "lab" else f"replica {rep + 1}"])
        y = _BAND0 + 3 * (_BAND_H + _BAND_GAP) + 4
        for i, line in enumerate(self._caption(s)):
            add(["text", f"cap:{i}", {"class": "dl-caption", "x": 10, "y": y + 16 * i,
                                      "font-size": 12}, line])
        return {"w": W, "h": y + 16 * len(self._caption(s)) + 4, "items": items}

    def _caption(self, s: HashSpaceState) -> list[str]:
        place = self.placement(s)
        rs = self.ranges(s)
        lines = []
        if not place:
            lines.append("no keys yet: put an item and its key appears here")
        else:
            per = {n: [k for k, (_, p) in place.items() if p == n] for n, *_ in rs}
            used = [n for n, ks in per.items() if ks]
            lines.append("keys per partition: " + ", ".join(
                f"{n} {len(per[n])}" for n, *_ in rs))
            if len(used) == 1 and len(place) > 1 and len(rs) > 1:
                lines.append(f"all {len(place)} keys hash into {used[0]}: that one partition "
                             f"serves every request, the other {len(rs) - 1} idle")
                sp = self.spreading(s)
                if sp:
                    kt, vals = sp
                    lines.append(f"keys that spread ({'numbers' if kt == 'N' else 'strings'}, "
                                 f"MD5): " + ", ".join(
                                     f"{v} → {place_of(v, kt, rs)}" for v in vals))
        if s.lab:
            lines.append(f"the lab's service holds this table in {len(s.lab)} partition"
                         f"{'s' if len(s.lab) != 1 else ''}"
                         + (" (a new small table starts as one)" if len(s.lab) == 1 else ""))
        lines.append("hash: MD5 of the key's bytes, as the lab hashes it (DynamoDB does not "
                     "publish its own)")
        return lines

    def summary(self, s: HashSpaceState) -> str:
        place = self.placement(s)
        rs = self.ranges(s)
        text = f"{self.what(s)}: {plural(len(place), 'key')} in {plural(len(rs), 'partition')}"
        used = sorted({p for _, p in place.values()})
        if len(used) == 1 and len(place) > 1:
            text += f" ({', '.join(clip(k, 12) for k in list(place)[:4])}"
            text += f"{', …' if len(place) > 4 else ''} all in {used[0]})"
        elif place:
            text += f" ({len(used)} used)"
        return text


def place_of(value: str, kt: str, rs: list) -> str:
    """The partition (of ``rs``) a key value of type ``kt`` hashes into."""
    pos = hash_position(kt, value)
    return next((n for n, a, b, _ in rs if a <= pos < b), "?")
