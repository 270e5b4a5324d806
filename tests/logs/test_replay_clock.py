"""ReplaySource: its own clock on a "replay" thread, the same records in the same order as the
file, play/pause/speed/seek/previous-next event, and the Qt-free timeline model."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from fieldapp import model
from fieldapp.buffer import RecordBuffer
from logs.nemo import NemoReader
from logs.replay import ReplaySource, TimelineModel

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"


def wait_until(cond, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def test_replay_at_64x_emits_the_file_records_in_file_order():
    reader = NemoReader(FIX / "nemo-RYG0443_R3_R002.3.nmf")
    records = list(NemoReader(FIX / "nemo-RYG0443_R3_R002.3.nmf"))
    src = ReplaySource(reader, speed=64)
    buf = RecordBuffer()
    t0 = time.monotonic()
    src.start(buf)  # a RecordBuffer, as the live views use
    try:
        wait_until(lambda: src.finished, timeout=30)
    finally:
        src.stop()
    took = time.monotonic() - t0
    assert buf.drain() == records
    assert src.position_utc == src.end_utc and not src.playing
    # 158 s of log at 64x: about 2.5 s (paced, not dumped)
    assert 2.0 < took < 6.0
    assert src.header["device"] == "Qualcomm"


def synthetic(n=10):
    recs = []
    for i in range(n):
        recs.append(model.Sample(ts_utc=1000.0 + i, tech=model.GSM,
                                 serving=model.Cell(arfcn=7, rxlev_dbm=-70.0 - i)))
        if i in (3, 7):
            recs.append(model.Event(1000.0 + i + 0.5, model.EV_CALL_ATTEMPT, f"call {i}", {"call_id": str(i)}))
    return recs


class Clock:
    """A clock the test moves by hand (the thread still runs; only time is ours)."""

    def __init__(self):
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            return self.now

    def advance(self, s):
        with self.lock:
            self.now += s


def test_pause_play_and_speed_follow_the_clock():
    clock = Clock()
    got = []
    src = ReplaySource(synthetic(), speed=1.0, clock=clock)
    src.start(got.append)
    try:
        clock.advance(2.2)
        wait_until(lambda: len(got) == 3)  # samples at 1000, 1001, 1002
        src.pause()
        clock.advance(100)
        time.sleep(0.3)
        assert len(got) == 3 and src.position_utc == pytest.approx(1002.2)
        src.set_speed(4.0)
        src.play()
        clock.advance(0.5)  # 2 s of log at 4x -> up to 1004.2: sample 1003, event 1003.5, sample 1004
        wait_until(lambda: len(got) == 6)
        assert [r.ts_utc for r in got[3:]] == [1003.0, 1003.5, 1004.0]
    finally:
        src.stop()


def test_a_pause_hands_over_every_record_up_to_where_it_stopped():
    """The thread hands records over once a tick; at 64x a tick is up to 6.4 s of log. A pause
    between two ticks left the views that far short of the position the timeline shows, until
    play was pressed again; now the records up to the paused position follow the pause."""
    clock = Clock()
    got = []
    src = ReplaySource(synthetic(), speed=64.0, clock=clock)
    src.start(got.append)
    try:
        wait_until(lambda: len(got) == 1)  # the sample at 1000, due at once
        clock.advance(0.08)  # 5.12 s of log at 64x; the pause comes before the thread's next tick
        src.pause()
        assert src.position_utc == pytest.approx(1005.12)
        wait_until(lambda: len(got) == 7)
        assert [r.ts_utc for r in got] == [1000.0, 1001.0, 1002.0, 1003.0, 1003.5, 1004.0, 1005.0]
        clock.advance(10)
        time.sleep(0.3)
        assert len(got) == 7 and not src.playing  # paused: nothing beyond the position
    finally:
        src.stop()


def test_seek_resends_the_held_values_and_continues_from_there():
    clock = Clock()
    got = []
    src = ReplaySource(synthetic(), clock=clock)
    src.seek(1005.3)  # before start: nothing emitted yet
    src.start(got.append)
    try:
        wait_until(lambda: len(got) == 1)
        assert got[0].ts_utc == 1005.0  # the sample the views must hold at 1005.3
        clock.advance(1.0)
        wait_until(lambda: len(got) == 2)
        assert got[1].ts_utc == 1006.0
    finally:
        src.stop()


def test_next_and_previous_event_jump_between_markers():
    clock = Clock()
    src = ReplaySource(synthetic(), clock=clock)
    assert [e.ts_utc for e in src.events] == [1003.5, 1007.5]
    assert src.next_event().ts_utc == 1003.5 and src.position_utc == 1003.5
    assert src.next_event().ts_utc == 1007.5
    assert src.next_event() is None and src.position_utc == 1007.5
    assert src.prev_event().ts_utc == 1003.5  # the one we stand on is skipped, like a media player
    assert src.prev_event() is None


def test_speed_limits():
    src = ReplaySource(synthetic())
    for bad in (0.1, 65, 0):
        with pytest.raises(ValueError):
            src.set_speed(bad)
    src.set_speed(0.25)
    src.set_speed(64)
    with pytest.raises(ValueError):
        ReplaySource([], speed=100)


def test_play_at_the_end_starts_over_and_stop_joins_the_thread():
    clock = Clock()
    got = []
    src = ReplaySource(synthetic(3), clock=clock)
    src.start(got.append)
    clock.advance(5)
    wait_until(lambda: src.finished)
    src.play()
    clock.advance(5)
    wait_until(lambda: len(got) == 6)
    src.stop()
    assert not any(t.name == "replay" for t in threading.enumerate())


def test_timeline_model_maps_positions_and_markers():
    tl = TimelineModel(1000.0, 1100.0, [model.Event(1025.0, model.EV_CALL_DROPPED, "drop")])
    assert tl.duration_s == 100.0
    assert tl.fraction(1025.0) == 0.25 and tl.fraction(900.0) == 0.0 and tl.fraction(2000.0) == 1.0
    assert tl.ts_at(0.5) == 1050.0 and tl.ts_at(-1) == 1000.0
    assert [m.kind for m in tl.markers_between(1020, 1030)] == [model.EV_CALL_DROPPED]


def test_a_sink_that_raises_stops_the_replay_and_says_why():
    def sink(rec):
        raise RuntimeError("view crashed")

    src = ReplaySource(synthetic(3), speed=64)
    src.start(sink)
    try:
        wait_until(lambda: src.error is not None)
    finally:
        src.stop()
    assert str(src.error) == "view crashed" and not src.playing
