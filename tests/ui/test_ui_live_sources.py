"""The window on real sources: the simulator over a real pty through the real driver, a port
that is not a modem, unplug and replug, GPS through a real gpsd (Debian's gpsfake), and a
clean shutdown that ends the recording and leaves no thread or timer behind."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from fieldapp.live import SIMULATOR, ConnectRequest, LiveSession
from fieldapp.model import EV_DISCONNECTED, EV_RECONNECTED, Sample
from tests.drivers.test_handset_source import quectel_table
from tests.support.peer import AtPeer

NMEA_LOG = Path(__file__).resolve().parents[1] / "fixtures" / "logs" / "nmea-bu353s4.log"  # gpsd test log (BSD-2)


@pytest.fixture
def live(qtbot, window, tmp_path):
    from ui.bridge import RecordBridge

    bridge = RecordBridge(tick_ms=50)
    controller = LiveSession(bridge.put, tmp_path / "ws.db")
    bridge.records_arrived.connect(window.on_records)
    window.source_panel.connect_requested.connect(controller.connect)
    window.source_panel.disconnect_requested.connect(controller.disconnect)
    bridge.start()
    yield window, controller, bridge
    controller.shutdown()
    bridge.stop()


def states(window):
    return window.status.text("state")


def test_demo_handset_through_the_simulator_fills_every_view(qtbot, live):
    window, controller, _bridge = live
    controller.connect(ConnectRequest(SIMULATOR, scenario="demo-drive", speed=20.0, rate_s=0.5))
    qtbot.waitUntil(lambda: window.samples_shown() >= 6, timeout=30000)
    assert "connected" in states(window)
    assert window.history.plan.cells, "the scenario's cell plan reaches the views"
    x, y = window.level_plot.curve_data(window.level_plot.serving_curve)
    assert len(x) >= 6 and all(-111 <= v <= -47 for v in y if v == v)
    assert window.neighbours.model.rowCount() > 0
    assert window.trace.items.bars and window.trace.items.bars[0][3] in {c.name for c in window.history.plan.cells}
    qtbot.waitUntil(lambda: len(window.history.pos_t) >= 2, timeout=20000)  # simulated NMEA GPS
    assert len(window.map_view.site_items) == len(window.history.plan.cells)
    assert window.status.text("family") == "Family: quectel"
    assert any("yes" in t for t in window.source_panel.capability_texts())


def test_a_port_that_is_not_a_modem_shows_the_probes_message(qtbot, live):
    window, controller, _bridge = live
    with AtPeer(silent=True) as modem:
        t0 = time.monotonic()
        controller.connect(ConnectRequest(port=modem.port, baud=9600))
        assert time.monotonic() - t0 < 0.5  # the probe runs off the GUI thread: the window never freezes
        qtbot.waitUntil(lambda: "error" in states(window), timeout=15000)
        assert window.source_panel.message.text() == f"no AT response from {modem.port} at 9600 baud"
        assert not window.source_panel.connected


def test_unplug_shows_at_once_keeps_data_and_replug_reconnects(qtbot, live, tmp_path):
    window, controller, _bridge = live
    link = tmp_path / "ttyHANDSET"
    modem = AtPeer(quectel_table(), link_path=str(link)).start()
    try:
        controller.connect(ConnectRequest(port=str(link), rate_s=0.2))
        qtbot.waitUntil(lambda: window.samples_shown() >= 3, timeout=15000)
        kept = window.samples_shown()
        modem.vanish()
        qtbot.waitUntil(lambda: "lost" in states(window), timeout=5000)
        kinds = [e.kind for e in window.events.model.events]
        assert EV_DISCONNECTED in kinds
        assert window.samples_shown() >= kept  # nothing shown so far is dropped
        modem.reappear()
        qtbot.waitUntil(lambda: "connected" in states(window), timeout=15000)
        assert EV_RECONNECTED in [e.kind for e in window.events.model.events]
        before = window.samples_shown()
        qtbot.waitUntil(lambda: window.samples_shown() > before + 2, timeout=10000)
        # The missing stretch is a gap in the line, not a bridge across it.
        _x, y = window.level_plot.curve_data(window.level_plot.serving_curve)
        assert any(v != v for v in y)
    finally:
        controller.shutdown()
        modem.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("gpsfake") is None,
                    reason="gpsfake not installed (Debian packages gpsd and gpsd-clients; .ci/run installs them)")
def test_gps_through_a_real_gpsd_reaches_the_map(qtbot, live):
    window, controller, _bridge = live
    port = _free_port()
    proc = subprocess.Popen(["gpsfake", "-q", "-1", "-P", str(port), "-c", "0.2", str(NMEA_LOG)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        with AtPeer(quectel_table()) as modem:
            controller.connect(ConnectRequest(port=modem.port, rate_s=0.3, gps="gpsd",
                                              gps_address=f"127.0.0.1:{port}"))
            qtbot.waitUntil(lambda: len(window.history.pos_t) >= 3, timeout=20000)
            p = window.history.last_position
            # bu353s4.log: Hamilton, Waikato, 37°47.08'S 175°18.89'E.
            assert p.lat == pytest.approx(-37.7846, abs=0.001) and p.lon == pytest.approx(175.3149, abs=0.001)
            assert "gpsd" in window.status.text("gps")
            # Samples taken while the fix is fresh carry it (exports write one row per sample).
            qtbot.waitUntil(lambda: window.history.last_sample.position is not None, timeout=5000)
            assert isinstance(window.history.last_sample, Sample)
            controller.shutdown()
    finally:
        proc.terminate()
        proc.wait(10)


def test_closing_the_app_while_recording_ends_the_session_cleanly(qtbot, tmp_path, settings_path):
    from fieldapp.app import LiveApp
    from fieldapp.store import Store

    app = LiveApp(tmp_path / "ws.db", settings_path=settings_path)
    qtbot.addWidget(app.window)
    # (not shown: the offscreen platform warns about dock size hints on show)
    with AtPeer(quectel_table()) as modem:
        app.controller.connect(ConnectRequest(port=modem.port, rate_s=0.2))
        app.controller.start_recording(None)
        qtbot.waitUntil(lambda: "REC" in app.window.status.text("recording"), timeout=15000)
        shown = app.window.samples_shown()
        qtbot.waitUntil(lambda: app.window.samples_shown() >= shown + 4, timeout=15000)
        app.window.close()  # what the user does; the window's closing signal ends everything
    assert not app.bridge.is_running()
    assert not app.window._status_timer.isActive()
    assert not app.controller._thread.is_alive()
    store = Store.open(tmp_path / "ws.db")
    try:
        sessions = store.sessions()
    finally:
        store.close()
    assert len(sessions) == 1
    session = sessions[0]
    assert session.samples >= 3 and not session.interrupted and session.end_utc is not None


def test_demo_handset_speaks_the_family_forced_in_the_panel(qtbot, live):
    window, controller, _bridge = live
    controller.connect(ConnectRequest(SIMULATOR, scenario="demo-drive", family="telit", speed=20.0, rate_s=0.5))
    qtbot.waitUntil(lambda: window.samples_shown() >= 2, timeout=30000)
    assert window.status.text("family") == "Family: telit"
    assert controller.simulator.family == "telit"
