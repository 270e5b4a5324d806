"""fieldapp.live without Qt: the controller's records and status reach a plain sink."""

from __future__ import annotations

import threading

import pytest

from fieldapp.live import ConnectRequest, LinkStatus, LiveSession
from fieldapp.model import Sample
from fieldapp.positioning import parse_gpsd_address
from tests.drivers.test_handset_source import quectel_table
from tests.support.peer import AtPeer


@pytest.mark.parametrize("text, expected", [
    ("localhost:2947", ("localhost", 2947)),
    ("10.0.0.2:3000", ("10.0.0.2", 3000)),
    ("gps.local", ("gps.local", 2947)),
    (":2948", ("localhost", 2948)),
])
def test_gpsd_address_forms(text, expected):
    assert parse_gpsd_address(text) == expected


@pytest.mark.parametrize("text", ["localhost:gps", "host:0", "host:70000"])
def test_bad_gpsd_address_says_why(text):
    with pytest.raises(ValueError, match="gpsd address"):
        parse_gpsd_address(text)


def test_controller_delivers_status_and_samples_to_a_plain_sink(tmp_path):
    got, seen = [], threading.Event()

    def sink(record):
        got.append(record)
        if sum(isinstance(r, Sample) for r in got) >= 3:
            seen.set()

    controller = LiveSession(sink, tmp_path / "ws.db")
    with AtPeer(quectel_table()) as modem:
        controller.connect(ConnectRequest(port=modem.port, rate_s=0.2))
        assert seen.wait(15)
        controller.start_recording(None)
        assert controller.wait_idle()
        assert controller.status().recording and controller.status().session_id is not None
        controller.shutdown()
    states = [r.state for r in got if isinstance(r, LinkStatus)]
    assert states[0] == "connecting" and "connected" in states and states[-1] == "disconnected"
    assert not [r for r in got if isinstance(r, LinkStatus)][-1].recording


def test_the_session_takes_a_typed_request_and_names_its_sources(tmp_path):
    from fieldapp.live import DEMO_PORT, SIMULATOR, SOURCES

    assert {"handset", "simulator"} <= set(SOURCES)
    # the source panel's dict becomes a request at the composition root, "sim:" read there alone
    req = ConnectRequest.from_choices({"port": DEMO_PORT + "one-way-trx", "speed": 5.0, "unknown": 1})
    assert req.source == SIMULATOR and req.scenario == "one-way-trx" and req.port is None and req.speed == 5.0
    assert ConnectRequest.from_choices({"port": "/dev/ttyUSB0"}).source == "handset"
    got: list[object] = []
    session = LiveSession(got.append, tmp_path / "ws.db")
    try:
        with pytest.raises(TypeError, match="ConnectRequest"):
            session.connect({"port": "/dev/ttyUSB0"})
        session.connect(ConnectRequest("carrier-pigeon"))
        assert session.wait_idle()
        status = session.status()
        assert status.state == "error" and "unknown source 'carrier-pigeon'" in status.message
    finally:
        session.shutdown()


def test_observers_run_on_the_dispatch_thread_and_the_plan_is_adopted_on_the_worker(tmp_path):
    from fieldapp.live import SIMULATOR, PlanUpdate
    from fieldapp.store import Store

    got: list[object] = []
    threads: set[str] = set()
    seen = threading.Event()

    def observer(record):
        if isinstance(record, Sample):
            threads.add(threading.current_thread().name)
            seen.set()

    session = LiveSession(got.append, tmp_path / "ws.db")
    session.add_observer(observer)
    try:
        session.connect(ConnectRequest(SIMULATOR, scenario="one-way-trx", speed=20.0, rate_s=0.2))
        assert session.wait_idle()
        # adopted before the first sample: the workspace has the scenario's plan already
        with Store.open(tmp_path / "ws.db") as store:
            assert store.cell_plan_source() == "scenario:one-way-trx"
            stored = [c.name for c in store.cell_plan()]
        assert "MALL-69" in stored and [c.name for c in session.scenario_cells] == stored
        assert any(isinstance(r, PlanUpdate) and r.source == "scenario:one-way-trx" for r in got)
        assert seen.wait(15)
        assert threads == {"handset-poll"}  # not the GUI thread, not the session's worker
        assert session.sim_blocks() is session.simulator  # blocks applied in-process, no AT from us
        session.remove_observer(observer)
    finally:
        session.shutdown()


def test_a_recording_started_with_the_connection_keeps_the_first_sample(tmp_path):
    got: list[object] = []
    session = LiveSession(got.append, tmp_path / "ws.db")
    with AtPeer(quectel_table()) as modem:
        session.connect(ConnectRequest(port=modem.port, rate_s=0.2), record=True, case_id=None)
        assert session.wait_idle() and session.status().recording
        first = next(r for r in _wait_for_sample(got))
        session.stop_recording(interrupted=True)
        session.shutdown()
    summary = session.last_recording
    assert summary is not None and summary.interrupted
    assert summary.counts["samples"] >= 1
    from fieldapp.store import Store

    with Store.open(tmp_path / "ws.db") as store:
        assert first.ts_utc in [s.ts_utc for s in store.samples(summary.session_id)]


def _wait_for_sample(got, timeout_s=15.0, count=1):
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        samples = [r for r in got if isinstance(r, Sample)]
        if len(samples) >= count:
            return samples
        time.sleep(0.05)
    raise AssertionError("no sample")


def test_the_session_runs_its_handset_and_recording_on_the_clock_it_is_given(tmp_path):
    """Issue 11 point 5: the live session hands its clock to the handset source and the
    recorder it makes, so a 5 s poll period passes in simulated time and every stamp (status,
    samples, the stored session's start and end) is on that clock."""
    from fieldapp.store import Store
    from tests.support.fake_clock import FakeClock

    epoch = 1_700_000_000.0
    clock = FakeClock(start_utc=epoch)
    got: list = []
    session = LiveSession(got.append, tmp_path / "ws.db", clock=clock)
    with AtPeer(quectel_table()) as modem:
        session.connect(ConnectRequest(port=modem.port, rate_s=5.0), record=True)
        assert session.wait_idle() and session.status().recording
        assert session.source.clock is clock and session.recorder.clock is clock
        samples = _wait_for_sample(got, count=3)
        session.shutdown()
    stamps = [s.ts_utc for s in samples[:3]]
    # one poll per 5 s, never early; a little late by the recorder's 0.5 s commit waits: every
    # wait on this simulated clock moves it, whichever thread waits
    assert all(epoch + 5.0 * k <= ts <= epoch + 5.0 * k + 3.0 for k, ts in enumerate(stamps)), stamps
    assert all(epoch <= r.ts_utc < epoch + 600 for r in got if isinstance(r, LinkStatus))
    summary = session.last_recording
    with Store.open(tmp_path / "ws.db") as store:
        info = store.session(summary.session_id)
        recorded = [s.ts_utc for s in store.samples(summary.session_id)]
    assert epoch <= info.start_utc <= stamps[0] and info.end_utc >= recorded[-1]
    assert stamps[0] in recorded and info.end_utc < epoch + 600
