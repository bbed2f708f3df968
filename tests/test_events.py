"""The event log: subscribe, slice, save/load, replay, and the catalogue."""
import ast
import pathlib
import re
import sys
import threading

import pytest

import dynamo_lab
from dynamo_lab.catalogue import KINDS
from dynamo_lab.events import _ROWS, Event, EventLog, UnknownEventError, row_kind


def _log():
    t = [0]
    log = EventLog(lambda: t[0], strict=True)
    return log, t


def test_subscribe_with_prefix_and_cancel():
    log, t = _log()
    ring, everything = [], []
    sub = log.subscribe(ring.append, kinds="ring.*")
    log.subscribe(everything.append)
    log.emit("ring.node_removed", node="A", tokens=(1,))
    log.emit("net.heal")
    sub.cancel()
    log.emit("ring.node_removed", node="B", tokens=(2,))
    assert [e.node for e in ring] == ["A"]
    assert len(everything) == 3


def test_time_slicing():
    log, t = _log()
    for i in range(10):
        t[0] = i * 10
        log.emit("sim.note", text=str(i))
    assert [e.text for e in log.between(20, 50)] == ["2", "3", "4"]
    assert len(log.until(35)) == 4
    assert log[0].t == 0 and log[-1].t == 90


def test_round_trip_restores_tuples(tmp_path):
    log, t = _log()
    log.emit("net.partition", groups=(("a", "b"), ("c",)))
    log.emit("ring.node_added", node="n1", zone="az1", tokens=(2**127, 5))
    p = tmp_path / "run.jsonl"
    log.save(p)
    back = EventLog.load(p)
    assert list(back) == list(log)
    assert back[0].groups == (("a", "b"), ("c",))
    assert back.dumps() == log.dumps()


def test_events_are_frozen_and_plain():
    log, _ = _log()
    log.emit("net.crash", node="a")
    ev = log[-1]
    with pytest.raises(AttributeError, match="frozen"):
        ev.node = "b"
    with pytest.raises(UnknownEventError, match="plain data"):
        log.emit("net.crash", node=object())
    with pytest.raises(UnknownEventError, match="not in dynamo_lab.catalogue"):
        log.emit("net.explode", node="a")
    with pytest.raises(UnknownEventError, match="undocumented"):
        log.emit("net.crash", node="a", why="x")


def test_replay_into_callable_and_until():
    log, t = _log()
    for i in range(5):
        t[0] = i
        log.emit("sim.note", text=str(i))
    seen = []
    log.replay(seen.append, until=2)
    assert [e.text for e in seen] == ["0", "1", "2"]


def test_disabled_log_records_nothing():
    log = EventLog(enabled=False)
    log.emit("anything.at_all", x=1)
    assert len(log) == 0


def test_reads_rebuild_equal_events_and_slices():
    log, t = _log()
    for i in range(4):
        t[0] = i
        log.emit("net.crash", node=f"n{i}")
    assert log[1:3] == [Event(1, "net.crash", {"node": "n1"}),
                        Event(2, "net.crash", {"node": "n2"})]
    assert [e.node for e in log] == ["n0", "n1", "n2", "n3"]
    assert log.kinds() == {"net.crash": 4}
    t[0] = 2
    with pytest.raises(ValueError, match="append-only"):
        log.emit("net.crash", node="late")
    assert len(log) == 4


_EMIT = re.compile(r"""\.emit\(\s*["']([a-z_]+\.[a-z_]+)["']""")


def test_every_kind_the_code_emits_is_catalogued():
    """A static sweep: each literal kind passed to emit() is in the catalogue,
    and the keyword fields it passes are documented for that kind."""
    root = pathlib.Path(dynamo_lab.__file__).parent
    problems = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "emit" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                kind = node.args[0].value
                spec = KINDS.get(kind)
                where = f"{path.relative_to(root)}:{node.lineno}"
                if spec is None:
                    problems.append(f"{where}: {kind} not catalogued")
                    continue
                for kw in node.keywords:
                    if kw.arg and kw.arg not in spec.docs:
                        problems.append(f"{where}: {kind}.{kw.arg} not catalogued")
    assert not problems, "\n".join(problems)


def test_every_row_kind_declaration_matches_the_catalogue():
    """Kinds emitted positionally (emit_row) declare their fields once, in
    order: every declared name is documented and every required one declared."""
    import dynamo_lab.dynamo.cluster  # noqa: F401  (imports every engine module)
    assert {"msg.deliver", "msg.drop", "request.reply", "gossip.exchange"} <= set(_ROWS)
    for kind, (names, optional) in _ROWS.items():
        spec = KINDS[kind]
        assert set(spec.fields) <= set(names) <= set(spec.docs), kind
        assert set(optional) <= set(spec.optional), kind


def test_a_row_is_the_same_event_as_its_fields():
    log, t = _log()
    t[0] = 4
    kind = row_kind("msg.drop", "id", "src", "dst", "msg", "sent", "reason", "rid",
                    optional=("rid",))
    log.emit_row(kind, 1, "a", "b", "ping", 2, "loss", None)     # optional None: left out
    log.emit("msg.drop", id=2, src="a", dst="b", msg="ping", sent=3, reason="loss", rid=9)
    log.emit_row(kind, 3, "a", "b", "ping", 4, "loss", 7)
    assert repr(log[0]) == ("Event(t=4, kind='msg.drop', id=1, src='a', dst='b', msg='ping', "
                            "sent=2, reason='loss')")
    assert log[2] == Event(4, "msg.drop", dict(id=3, src="a", dst="b", msg="ping", sent=4,
                                               reason="loss", rid=7))
    assert EventLog.loads(log.dumps()).dumps() == log.dumps()
    seen = []
    log.subscribe(seen.append, kinds="msg.*")
    log.emit_row(kind, 4, "a", "b", "ping", 4, "crashed", None)
    assert [e.reason for e in log.of_kind("msg.drop")] == ["loss", "loss", "loss", "crashed"]
    assert seen == [log[-1]] and seen[0].get("rid") is None
    with pytest.raises(ValueError, match="already declared"):
        row_kind("msg.drop", "id", "src")
    with pytest.raises(UnknownEventError, match="8 values"):
        log.emit_row(kind, 1, "a", "b", "ping", 2, "loss", None, "extra")
    bogus = row_kind("net.heal", "extra")
    try:
        with pytest.raises(UnknownEventError, match="undocumented"):
            log.emit_row(bogus, 1)            # strict logs check rows too
    finally:
        del _ROWS[bogus]


def test_catalogue_documents_every_field():
    for kind, spec in KINDS.items():
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", kind), kind
        assert spec.doc, kind
        assert set(spec.optional) <= set(spec.docs), kind
        assert all(spec.docs.values()), kind
        assert not {"t", "kind"} & set(spec.docs), kind


def test_readers_in_threads_see_every_event_once_while_one_writes():
    # A server's event feed reads a namespace's log from its own thread: the
    # columns readers build from the flat list must neither skip nor repeat.
    log = EventLog(strict=False)
    note = row_kind("sim.note", "text")
    done = threading.Event()
    seen_lengths: list[int] = []
    wrong: list[str] = []

    def read() -> None:
        while not done.is_set():
            n = len(log)
            if n and log[n - 1].text != str(n - 1):
                wrong.append(f"event {n - 1} reads {log[n - 1].text!r}")
            seen_lengths.append(n)

    readers = [threading.Thread(target=read) for _ in range(3)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)     # threads take turns as often as they can
    try:
        for r in readers:
            r.start()
        for i in range(20_000):
            log.emit_row(note, str(i)) if i % 2 else log.emit(note, text=str(i))
    finally:
        done.set()
        for r in readers:
            r.join()
        sys.setswitchinterval(switch)
    assert wrong == []
    assert len(log) == 20_000
    assert [e.text for e in log] == [str(i) for i in range(20_000)]
    assert seen_lengths and max(seen_lengths) <= 20_000
