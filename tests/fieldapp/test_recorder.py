"""The session recorder on a real workspace file: its own writer thread, commits within the
interval, errors reported and retried, and a SIGKILL that loses at most the last second."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from fieldapp import model
from fieldapp.model import Cell, Event, Position, RawTraffic, Sample
from fieldapp.session import CLOSE_RETRY_S, RETRY_INTERVAL_S, Recorder, RecorderClosed
from fieldapp.store import Store, StoreError, UnknownSession
from tests.support.fake_clock import FakeClock

ROOT = Path(__file__).resolve().parents[2]
EPOCH_UTC = 1_700_000_000.0  # a simulated clock's start


def sample(i: int, ts_utc: float | None = None) -> Sample:
    return Sample(ts_utc=time.time() if ts_utc is None else ts_utc, tech=model.GSM,
                  serving=Cell(arfcn=7, ci=i, rxlev=30, rxlev_dbm=-80.0),
                  neighbours=(Cell(role=model.NEIGHBOUR, arfcn=12, rxlev=20, rxlev_dbm=-90.0),))


def wait_for(predicate, timeout_s: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_records_from_several_threads_end_up_in_the_session(tmp_path):
    path = tmp_path / "ws.db"
    rec = Recorder(path, "simulator:bus-stop-tilt13", device={"family": "simulator"})
    sid = rec.session_id  # known right after construction
    assert [t.name for t in threading.enumerate()].count("recorder") == 1

    def produce(offset: int) -> None:
        for i in range(200):
            rec.put(sample(offset + i, 1000.0 + offset + i))

    producers = [threading.Thread(target=produce, args=(k * 1000,)) for k in range(3)]
    for t in producers:
        t.start()
    rec.put(Event(1000.0, model.EV_NOTE, "start"))
    rec.put(Position(1000.5, 52.5, 13.4, sats=8))
    rec.put(RawTraffic(1000.2, "rx", b"+CSQ: 14,99\r\n"))
    for t in producers:
        t.join()
    rec.close()
    assert not rec.alive
    assert rec.counts == {"samples": 600, "events": 1, "positions": 1, "raw": 1, "scans": 0, "rejected": 0,
                          "skipped": 0, "lost": 0, "pending": 0}
    with Store.open(path) as store:
        info = store.session(sid)
        assert info.source == "simulator:bus-stop-tilt13" and info.device == {"family": "simulator"}
        assert info.end_utc is not None and info.interrupted is False
        assert sorted(s.serving.ci for s in store.samples(sid)) == sorted(
            k * 1000 + i for k in range(3) for i in range(200))
        assert store.counts(sid) == {"samples": 600, "neighbours": 600, "events": 1, "positions": 1, "raw": 1}


def test_a_record_is_committed_within_the_commit_interval(tmp_path):
    # In simulated time: the writer waits exactly the commit interval (1 s), then commits.
    path = tmp_path / "ws.db"
    clock = FakeClock(start_utc=EPOCH_UTC)
    with Recorder(path, "test", commit_interval_s=1.0, clock=clock) as rec, Store.open(path) as reader:
        assert reader.session(rec.session_id).start_utc == EPOCH_UTC  # the session starts on the clock
        rec.put(sample(1))
        assert wait_for(lambda: reader.counts(rec.session_id)["samples"] == 1, timeout_s=3.0)
        assert clock.monotonic() == pytest.approx(1.0)  # committed once the interval passed, not later
        assert reader.session(rec.session_id).end_utc is None  # still recording
        rec.put(sample(2))  # the interval runs from the first record not yet committed
        assert wait_for(lambda: reader.counts(rec.session_id)["samples"] == 2, timeout_s=3.0)
        assert clock.monotonic() == pytest.approx(2.0)
    with Store.open(path) as store:
        assert store.session(rec.session_id).end_utc == pytest.approx(EPOCH_UTC + 2.0)


def test_close_interrupted_marks_the_session(tmp_path):
    path = tmp_path / "ws.db"
    rec = Recorder(path, "handset:/dev/ttyUSB0")
    rec.put(sample(1))
    rec.close(interrupted=True)
    rec.close()  # a second close does nothing
    with Store.open(path) as store:
        assert store.session(rec.session_id).interrupted is True


def test_leaving_the_with_block_on_an_exception_marks_the_session_interrupted(tmp_path):
    path = tmp_path / "ws.db"
    with pytest.raises(KeyboardInterrupt), Recorder(path, "handset:/dev/ttyUSB0") as rec:
        raise KeyboardInterrupt
    with Store.open(path) as store:
        assert store.session(rec.session_id).interrupted is True


def test_resume_continues_the_session_after_a_gap_event(tmp_path):
    path = tmp_path / "ws.db"
    first = Recorder(path, "handset:/dev/ttyUSB0", case_id=None)
    first.put(sample(1, 1000.0))
    first.close(interrupted=True, end_utc=1001.0)
    again = Recorder(path, "handset:/dev/ttyUSB0", session_id=first.session_id)
    assert again.session_id == first.session_id
    again.put(sample(2, 1010.0))
    again.close()
    with Store.open(path) as store:
        assert [s.serving.ci for s in store.samples(first.session_id)] == [1, 2]
        (gap,) = store.events(first.session_id)
        assert gap.kind == model.EV_GAP and gap.data["from_utc"] == 1001.0
        info = store.session(first.session_id)
        assert info.interrupted is False and info.end_utc is not None
        assert len(store.sessions()) == 1


def test_resuming_an_unknown_session_raises_and_leaves_no_thread(tmp_path):
    with pytest.raises(UnknownSession):
        Recorder(tmp_path / "ws.db", "handset:/dev/ttyUSB0", session_id=99)


def test_a_file_that_is_not_a_workspace_raises_at_construction(tmp_path):
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"JFIF" * 200)
    with pytest.raises(StoreError):
        Recorder(bad, "test")


def test_commit_interval_above_one_second_is_refused(tmp_path):
    with pytest.raises(ValueError, match="commit_interval_s"):
        Recorder(tmp_path / "ws.db", "test", commit_interval_s=2.0)


def test_put_refuses_other_records_and_sink_counts_them(tmp_path):
    rec = Recorder(tmp_path / "ws.db", "test")
    with pytest.raises(TypeError, match="Cell"):
        rec.put(Cell())
    rec.sink(Cell())  # what a source may emit that the recorder does not store
    rec.sink(sample(1))
    rec(sample(2))  # the recorder itself is a sink callable
    rec.close()
    rec.sink(sample(3))  # after close: counted, not raised into the source's thread
    with pytest.raises(RecorderClosed):
        rec.put(sample(4))
    assert rec.counts["samples"] == 2 and rec.counts["skipped"] == 2


def test_a_record_the_database_refuses_is_reported_and_the_rest_kept(tmp_path):
    errors: list[BaseException] = []
    rec = Recorder(tmp_path / "ws.db", "test", on_error=errors.append)
    rec.put(sample(1))
    rec.put(Sample(ts_utc=1.0, serving=Cell(lac=[1, 2])))  # a list: not storable
    rec.put(sample(3))
    rec.close()
    assert rec.counts["samples"] == 2 and rec.counts["rejected"] == 1
    assert len(errors) == 1 and "refused" in str(errors[0]) and rec.last_error is errors[0]
    with Store.open(tmp_path / "ws.db") as store:
        assert sorted(s.serving.ci for s in store.samples(rec.session_id)) == [1, 3]


def test_a_locked_workspace_is_reported_retried_and_nothing_lost(tmp_path):
    path = tmp_path / "ws.db"
    errors: list[BaseException] = []
    reported = threading.Event()

    def on_error(exc: BaseException) -> None:
        errors.append(exc)
        reported.set()

    # Simulated time: the retries every RETRY_INTERVAL_S come one after another.
    clock = FakeClock()
    rec = Recorder(path, "test", commit_interval_s=0.1, on_error=on_error, busy_timeout_s=0.05, clock=clock)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        started = time.perf_counter()
        for i in range(1000):
            rec.put(sample(i, 1000.0 + i))
        assert time.perf_counter() - started < 0.5  # the producer never waits for the disk
        assert reported.wait(3.0)
        assert isinstance(errors[0], sqlite3.OperationalError) and "locked" in str(errors[0])
        assert rec.counts["samples"] == 0 and rec.counts["pending"] == 1000
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert wait_for(lambda: rec.counts["samples"] == 1000, timeout_s=3.0)
    rec.close()
    # one failed attempt per retry interval (and the first at the commit interval), no more
    assert 1 <= rec.write_failures <= clock.monotonic() / RETRY_INTERVAL_S + 1
    assert len(errors) == rec.write_failures  # each one reported
    with Store.open(path) as store:
        assert store.counts(rec.session_id)["samples"] == 1000


def test_close_gives_up_on_a_workspace_that_stays_locked_and_says_how_much_was_lost(tmp_path):
    path = tmp_path / "ws.db"
    errors: list[BaseException] = []
    clock = FakeClock()  # close()'s CLOSE_RETRY_S of retries pass in simulated time
    rec = Recorder(path, "test", on_error=errors.append, busy_timeout_s=0.05, clock=clock)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        for i in range(5):
            rec.put(sample(i))
        closing_at = clock.monotonic()
        started = time.monotonic()
        rec.close()
        assert time.monotonic() - started < 5.0
        # it kept trying for CLOSE_RETRY_S (plus at most the commit interval and one retry step)
        assert CLOSE_RETRY_S <= clock.monotonic() - closing_at <= CLOSE_RETRY_S + 1.0
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert rec.counts["lost"] == 5 and rec.counts["samples"] == 0
    assert any("5 records could not be written" in str(e) for e in errors)


# A recording process killed with SIGKILL: nothing gets to flush or end the session.
CHILD = """
import sys, time
from fieldapp.model import Cell, Sample
from fieldapp.session import Recorder
rec = Recorder(sys.argv[1], "test:kill-9", commit_interval_s=0.5)
print(rec.session_id, flush=True)
i = 0
while True:
    rec.put(Sample(ts_utc=time.time(), serving=Cell(arfcn=7, ci=i, rxlev=30, rxlev_dbm=-80.0)))
    i += 1
    time.sleep(0.01)
"""


def test_sigkill_loses_at_most_the_last_second(tmp_path):
    path = tmp_path / "ws.db"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        sid = int(child.stdout.readline())
        time.sleep(1.5)
        killed_at = time.time()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    with Store.open(path) as store:
        assert store.integrity_check() == "ok"
        samples = list(store.samples(sid))
        assert samples, "nothing was committed in 1.5 s"
        # a gapless prefix of what was put, reaching to within a second of the kill
        assert [s.serving.ci for s in samples] == list(range(len(samples)))
        assert samples[-1].ts_utc >= killed_at - 1.0
        # never ended by its recorder: the next open marks it interrupted at its last record
        info = store.session(sid)
        assert info.interrupted and info.end_utc == pytest.approx(max(s.ts_utc for s in samples), abs=1.0)


# A full disk, for real: the child caps its own file size (RLIMIT_FSIZE) so that SQLite's
# writes fail with EFBIG, as they would with ENOSPC. Its recorder runs on a simulated clock:
# the retries and close()'s 2 s of patience pass at once.
DISK_FULL_CHILD = """
import json, resource, signal, sys, time
from fieldapp.model import RawTraffic
from fieldapp.session import Recorder
from tests.support.fake_clock import FakeClock
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG from write() instead of dying
errors = []
rec = Recorder(sys.argv[1], "test:disk-full", commit_interval_s=0.1, on_error=errors.append, clock=FakeClock())
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
for i in range(400):
    rec.put(RawTraffic(time.time(), "rx", bytes(1000)))
    time.sleep(0.001)
rec.close()
print(json.dumps({"session": rec.session_id, "counts": rec.counts,
                  "errors": [type(e).__name__ + ": " + str(e) for e in errors]}))
"""


def test_a_full_disk_is_reported_counted_and_leaves_a_sound_workspace(tmp_path):
    path = tmp_path / "ws.db"
    out = subprocess.run([sys.executable, "-c", DISK_FULL_CHILD, str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    counts = result["counts"]
    assert result["errors"] and result["errors"][0].startswith("OperationalError")
    assert counts["lost"] > 0 and counts["raw"] + counts["lost"] == 400
    assert any(f"{counts['lost']} records could not be written" in e for e in result["errors"])
    with Store.open(path) as store:
        assert store.integrity_check() == "ok"
        assert store.counts(result["session"])["raw"] == counts["raw"]
