"""A stored session read for replay (issue 15 point 4): ``Store.replay_records`` reads the
times, kinds, route, events, positions and scans in bulk and rebuilds each Sample from its row
only when it is read. It must give exactly the records of the eager read
(``export_logs.session_records``) in the same order, at any index, in any order of reading,
from any thread, while holding a bounded number of rebuilt samples.

Real SQLite workspaces: a session written record by record with every part of the model
(neighbours, channels, signal, registration, positions inside samples and apart, events and
samples at equal times, samples stored out of time order, scans), and real logs imported by
the importer (the Nemo drive fixture; the PCTEL scanner fixture for scans)."""

from __future__ import annotations

import math
import os
import random
import subprocess
import threading
from pathlib import Path

import pytest

from fieldapp.export_logs import session_records
from fieldapp.importer import import_file
from fieldapp.model import (
    EV_CALL_ATTEMPT,
    EV_HANDOVER,
    Event,
    Position,
    Sample,
    Scan,
    ScanCarrier,
)
from fieldapp.store import Store, StoreError, UnknownSession
from tests.fieldapp.sample_records import SAMPLES, T0, dedicated_sample

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
NEMO = FIX / "nemo-RYG0443_R3_R002.3.nmf"  # a real Nemo drive: samples, neighbours, events, GPS
SCANNER = FIX / "nemo-scanner-pctel.1.nmf"  # a real PCTEL scanner log: band scans


def _written_session(store: Store) -> int:
    """Every kind of record, with the awkward cases of ordering and unknowns."""
    sid = store.create_session("test:stored-records", start_utc=T0)
    samples = list(SAMPLES)
    samples += [dedicated_sample(T0 + 10 + k) for k in range(20)]
    samples.append(Sample(ts_utc=T0 + 12, tech="GSM"))  # a second sample at an existing time (id order)
    samples.append(Sample(ts_utc=T0 + 40, position=Position(T0 + 40, math.nan, 13.4)))  # NaN: NULL lat
    random.Random(7).shuffle(samples)  # stored out of time order: ids do not follow the times
    store.add_samples(sid, samples[:15])
    store.add_samples(sid, samples[15:])
    store.add_events(sid, [Event(T0 + 3, EV_CALL_ATTEMPT, "call", {"number": "112"}),
                           Event(T0 + 12, EV_HANDOVER, "handover 7 → 12", {"from": 7, "to": 12}),
                           Event(T0 + 12, EV_HANDOVER, "second one at the same time"),
                           Event(T0 - 5, "info", "before the first sample")])
    store.add_positions(sid, [Position(T0 + k, 52.52 + k * 1e-4, 13.40, alt_m=30.0, sats=8)
                              for k in range(0, 45, 3)])
    store.add_scans(sid, [Scan(T0 + 7, T0 + 12, (ScanCarrier(60, -71.0, bsic=0o12), ScanCarrier(70, -90.0))),
                          Scan(T0 + 30, T0 + 31, (), complete=False)])
    store.end_session(sid, T0 + 60)
    return sid


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    ws = tmp_path_factory.mktemp("stored") / "ws.db"
    sessions = {}
    with Store.open(ws) as store:
        sessions["written"] = _written_session(store)
    for name, path in (("nemo", NEMO), ("scanner", SCANNER)):
        with Store.open(ws) as store:
            sessions[name] = import_file(store, path).session_id
    return ws, sessions


def _eager(ws: Path, sid: int) -> list:
    with Store.open(ws) as store:
        return list(session_records(store, sid))


def _lazy(ws: Path, sid: int, **cache: int):
    with Store.open(ws) as store:
        return store.replay_records(sid, **cache)


def _route(records: list) -> list[tuple[float, float]]:
    return [(p.lat, p.lon) for p in (r.position if isinstance(r, Sample) else r for r in records
                                     if isinstance(r, Position) or (isinstance(r, Sample) and r.position is not None))]


def _finite(route) -> list[tuple[float, float]]:
    return [(lat, lon) for lat, lon in route if lat is not None and lon is not None
            and math.isfinite(lat) and math.isfinite(lon)]


def _same(a, b) -> bool:
    """Equal records, NaN equal to NaN (a stored NaN latitude comes back NaN in record_json)."""
    return a == b or repr(a) == repr(b)


@pytest.mark.parametrize("name", ["written", "nemo", "scanner"])
@pytest.mark.parametrize("block, cache_blocks", [(256, 16), (3, 2), (1, 1)])
def test_the_lazy_records_are_the_eager_ones(workspace, name, block, cache_blocks):
    ws, sessions = workspace
    eager = _eager(ws, sessions[name])
    lazy = _lazy(ws, sessions[name], block=block, cache_blocks=cache_blocks)
    assert len(lazy) == len(eager) > 0
    assert all(_same(a, b) for a, b in zip(lazy, eager, strict=True))
    assert [type(r) for r in eager] == lazy.types
    assert [r.ts_utc for r in eager] == lazy.times_utc
    assert _finite(lazy.route_latlon) == _finite(_route(eager))
    lazy.close()


def test_the_sessions_hold_what_the_test_is_about(workspace):
    """The comparison above covers neighbours, channels, events, positions and scans."""
    ws, sessions = workspace
    kinds = {name: {type(r) for r in _eager(ws, sid)} for name, sid in sessions.items()}
    assert kinds["written"] == {Sample, Event, Position, Scan}
    assert {Sample, Event} <= kinds["nemo"] and Scan in kinds["scanner"]
    nemo = [r for r in _eager(ws, sessions["nemo"]) if isinstance(r, Sample)]
    assert any(s.neighbours for s in nemo) and any(s.position is not None for s in nemo)
    written = [r for r in _eager(ws, sessions["written"]) if isinstance(r, Sample)]
    assert any(s.serving is not None and s.serving.channel is not None for s in written)


def test_any_index_and_any_slice_in_any_order(workspace):
    ws, sessions = workspace
    eager = _eager(ws, sessions["nemo"])
    lazy = _lazy(ws, sessions["nemo"], block=4, cache_blocks=2)
    n = len(eager)
    rng = random.Random(15)
    for i in [0, n - 1, -1, -n, n // 2, *rng.sample(range(n), min(n, 200))]:
        assert _same(lazy[i], eager[i]), i
    for _ in range(60):
        a, b = sorted(rng.sample(range(-n, n + 5), 2))
        step = rng.choice([1, 1, 2, 3, -1, -2])
        assert all(_same(x, y) for x, y in zip(lazy[a:b:step], eager[a:b:step], strict=True))
    assert lazy[n:] == [] and lazy[5:5] == []
    for bad in (n, -n - 1):
        with pytest.raises(IndexError):
            lazy[bad]


def test_reading_the_whole_session_holds_a_bounded_number_of_samples(workspace):
    ws, sessions = workspace
    lazy = _lazy(ws, sessions["nemo"], block=8, cache_blocks=3)
    samples = sum(t is Sample for t in lazy.types)
    assert samples > 8 * 3 * 4  # many more samples than the cache holds
    assert lazy.cached_samples() == 0  # opening rebuilt none
    held = 0
    for _rec in lazy:
        held = max(held, lazy.cached_samples())
    assert 0 < held <= 8 * 3
    lazy[:]  # a slice of everything (a jump's refill) passes through the cache too
    assert lazy.cached_samples() <= 8 * 3
    lazy.close()
    assert lazy.cached_samples() == 0
    assert _same(lazy[-1], _eager(ws, sessions["nemo"])[-1])  # read again after close: reopened


def test_read_from_another_thread_than_the_one_that_opened_it(workspace):
    """The replay thread plays, the GUI thread seeks: both read the same sequence."""
    ws, sessions = workspace
    eager = _eager(ws, sessions["nemo"])
    lazy = _lazy(ws, sessions["nemo"], block=16, cache_blocks=2)
    results: dict[str, list] = {}

    def read(name: str, indexes: range) -> None:
        results[name] = [lazy[i] for i in indexes]

    n = len(eager)
    threads = [threading.Thread(target=read, args=("up", range(n))),
               threading.Thread(target=read, args=("down", range(n - 1, -1, -1)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(_same(a, b) for a, b in zip(results["up"], eager, strict=True))
    assert all(_same(a, b) for a, b in zip(results["down"], eager[::-1], strict=True))


def test_a_session_deleted_while_it_is_replayed_says_so(tmp_path):
    ws = tmp_path / "ws.db"
    with Store.open(ws) as store:
        sid = _written_session(store)
    lazy = _lazy(ws, sid, block=2, cache_blocks=1)
    first = lazy[0]
    with Store.open(ws) as store:
        store.delete_session(sid)
    assert lazy[0] == first or isinstance(lazy[0], Event)  # what is already read stays readable
    with pytest.raises(StoreError, match=f"session {sid}: .* no longer in the workspace"):
        for i, kind in enumerate(lazy.types):
            if kind is Sample:
                lazy[i]


def test_a_workspace_on_a_read_only_medium_is_replayed(tmp_path):
    """A colleague's USB stick: the Store opens it read-only (mode=ro, else immutable), and the
    sample blocks are read the same way."""
    if os.geteuid() != 0:
        pytest.skip("a read-only mount needs root")
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        with Store.open(mnt / "ws.db") as store:
            sid = _written_session(store)
            store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert subprocess.run(["mount", "-o", "remount,ro", str(mnt)]).returncode == 0
        with Store.open(mnt / "ws.db") as store:
            assert store.read_only
            eager = list(session_records(store, sid))
            lazy = store.replay_records(sid, block=3, cache_blocks=2)
        assert all(_same(a, b) for a, b in zip(lazy, eager, strict=True)) and len(eager) > 40
        lazy.close()
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_an_unknown_session_is_refused(tmp_path):
    with Store.open(tmp_path / "ws.db") as store, pytest.raises(UnknownSession):
        store.replay_records(99)


def test_an_empty_session(tmp_path):
    with Store.open(tmp_path / "ws.db") as store:
        sid = store.create_session("empty")
        lazy = store.replay_records(sid)
    assert len(lazy) == 0 and list(lazy) == [] and lazy.route_latlon == [] and lazy.times_utc == []


# --------------------------------------------------------------------------- replayed


class _Clock:
    """A clock the test moves by hand (the replay thread runs; only its time is ours)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def advance(self, s: float) -> None:
        with self.lock:
            self.now += s


def _wait_until(cond, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_opening_a_replay_rebuilds_no_sample(workspace):
    """What the window reads at open: times, timeline, events, scans, route."""
    from logs.replay import ReplaySource

    ws, sessions = workspace
    lazy = _lazy(ws, sessions["written"])
    source = ReplaySource(lazy)
    eager = ReplaySource(_eager(ws, sessions["written"]))
    assert source.timeline.markers == eager.timeline.markers and source.events == eager.events
    assert source.scans == eager.scans and len(source.scans) == 2
    assert (source.start_utc, source.end_utc) == (eager.start_utc, eager.end_utc)
    assert source.times_utc == eager.times_utc
    assert _finite(source.route_latlon) == _finite(eager.route_latlon)
    assert lazy.cached_samples() == 0


@pytest.mark.parametrize("name", ["written", "nemo"])
def test_a_replay_of_the_lazy_records_plays_the_eager_replay(workspace, name):
    """Played through the replay thread in uneven clock steps: the same records, in the same
    order, and never more than the cache's samples held."""
    from logs.replay import ReplaySource

    ws, sessions = workspace
    eager = _eager(ws, sessions[name])
    lazy = _lazy(ws, sessions[name], block=5, cache_blocks=2)
    clock = _Clock()
    got: list = []
    held: list[int] = []

    def sink(rec) -> None:
        got.append(rec)
        held.append(lazy.cached_samples())

    source = ReplaySource(lazy, speed=8.0, clock=clock)
    source.start(sink)
    try:
        steps = random.Random(3)
        while not source.finished:
            clock.advance(steps.uniform(0.05, 4.0))
            _wait_until(lambda: not source._busy)
            assert source.error is None
    finally:
        source.stop()
    assert len(got) == len(eager) and all(_same(a, b) for a, b in zip(got, eager, strict=True))
    assert max(held) <= 5 * 2


@pytest.mark.parametrize("name", ["written", "nemo"])
def test_seeking_anywhere_hands_over_what_the_eager_replay_does(workspace, name):
    """A seek resends the last Sample and Position before the new position (and the events at
    that instant): found from the kinds and times, the same records as over the eager list."""
    from logs.replay import ReplaySource

    ws, sessions = workspace
    eager_records = _eager(ws, sessions[name])
    lazy = _lazy(ws, sessions[name], block=4, cache_blocks=2)
    eager, source = ReplaySource(eager_records), ReplaySource(lazy)
    times = sorted({r.ts_utc for r in eager_records})
    rng = random.Random(18)
    targets = [eager.start_utc - 10, eager.start_utc, eager.end_utc, eager.end_utc + 10,
               *rng.sample(times, min(len(times), 60)),
               *(rng.uniform(eager.start_utc, eager.end_utc) for _ in range(40))]
    for ts in targets:
        eager.seek(ts)
        source.seek(ts)
        assert source.position_utc == eager.position_utc
        assert source._cursor == eager._cursor
        assert all(_same(a, b) for a, b in zip(source._context, eager._context, strict=True)), ts
    for move in ("next_event", "prev_event", "next_event", "next_event"):
        assert getattr(source, move)() == getattr(eager, move)()
        assert source._context == eager._context
    assert lazy.cached_samples() <= 4 * 2


def test_a_stored_session_names_its_device_as_the_file_does(workspace):
    """The QA trial: replaying a stored session said "Device: –, Family: –" where replaying the
    same file names the logging tool."""
    from fieldapp.store.stored_records import session_header

    ws, sessions = workspace
    header = _lazy(ws, sessions["nemo"]).header
    assert header == {"source": "nemo", "device": "Qualcomm", "product": "NEMO OUTDOOR 7.8.0.8"}
    recorded = session_header("handset:/dev/ttyUSB0", {"family": "quectel", "manufacturer": "Quectel",
                                                       "model": "EC25", "firmware": "EC25EFAR06A06M4G"})
    assert recorded == {"source": "quectel", "device": "Quectel EC25"}
    assert session_header("test:stored-records", None) == {"source": "test", "device": None}
