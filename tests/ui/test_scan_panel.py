"""The band-scan dock under pytest-qt: bars coloured by decoded/undecoded with plan names,
the waterfall over repeated scans, the table, "not available", the Scan/Cancel requests; the
live app scanning the simulator's handset (real pty, real driver) and a replay that shows the
scans at their time."""

from __future__ import annotations

from fieldapp.live import SIMULATOR, ConnectRequest
from fieldapp.model import Capabilities, PlanCell, Scan, ScanCarrier
from fieldapp.scan_job import ScanState

PLAN = [PlanCell("BRIDGE-1", lac=1006, ci=51, bcch_arfcn=40, bsic=0o61, site="BRIDGE")]


def _scan(t: float, shift: float = 0.0) -> Scan:
    return Scan(t, t + 2.0, (ScanCarrier(3, -61.0 + shift), ScanCarrier(4, -60.0 + shift), ScanCarrier(5, -62.0),
                             ScanCarrier(40, -55.0 + shift, bsic=0o61, mcc=1, mnc=1, lac=1006, ci=51),
                             ScanCarrier(42, -58.0)), band="GSM900", source="AT#CSURVC")


def test_bars_waterfall_and_table_of_the_scans(qtbot):
    from ui.scan_panel import DECODED_COLOUR, FLOOR_DBM, ScanPanel

    panel = ScanPanel()
    qtbot.addWidget(panel)
    panel.set_plan(PLAN)
    panel.observe([_scan(100.0), _scan(110.0, shift=-3.0), _scan(120.0, shift=-6.0)])
    dec, und = panel.decoded_bars.opts, panel.undecoded_bars.opts
    assert list(dec["x"]) == [40] and list(und["x"]) == [3, 4, 5, 42]
    assert dec["height"][0] == -61.0 - FLOOR_DBM  # the latest scan: -55 - 6
    assert panel.decoded_bars.opts["brush"] == DECODED_COLOUR
    assert [lab.toPlainText() for lab in panel._labels] == ["BRIDGE-1"]
    img = panel.waterfall.image
    assert img.shape == (3, 40)  # 3 scans x ARFCN 3..42
    assert img[2, 0] == -67.0 and img[0, 0] == -61.0  # the newest scan is the top row (highest y)
    assert img[0, 10] == FLOOR_DBM  # ARFCN 13: nothing heard
    model = panel.model
    assert model.rowCount() == 5
    cells = [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(5)]
    assert cells[3][:5] == ["40", "GSM900", "-61", "61", "BRIDGE-1"] and cells[3][7] == "yes"
    assert cells[0][3] == "" and cells[0][4] == "" and cells[0][7] == "no"
    assert "5 carriers, 1 decoded" in panel.status.text() and "3 scan(s)" in panel.status.text()
    panel.clear()
    assert panel.model.rowCount() == 0 and not panel.scans and len(panel.decoded_bars.opts["x"]) == 0


def test_not_available_says_why_and_requests_carry_band_range_repeat(qtbot):
    from ui.scan_panel import ScanPanel

    panel = ScanPanel()
    qtbot.addWidget(panel)
    assert not panel.scan_button.isEnabled()
    panel.set_capabilities(Capabilities("quectel", scan={"available": False,
                                                          "text": "not available: quectel has no documented survey command"}))
    assert not panel.scan_button.isEnabled() and panel.status.text().startswith("not available: quectel")
    panel.set_capabilities(Capabilities("telit", scan={"available": True, "arfcn_range": True, "text": "AT#CSURVC"}))
    assert panel.scan_button.isEnabled() and panel.arfcn.isEnabled()
    panel.band.setCurrentText("GSM900")
    panel.arfcn.setText("0-40")
    panel.repeat.setValue(3)
    with qtbot.waitSignal(panel.scan_requested) as got:
        panel.scan_button.click()
    assert got.args == ["GSM900", (0, 40), 3]
    panel.arfcn.setText("40-0")
    with qtbot.assertNotEmitted(panel.scan_requested):
        panel.scan_button.click()
    assert "bad ARFCN range" in panel.status.text()
    panel.observe([ScanState(1.0, "running", 0.5, "scan 1/3: 64/173 ARFCNs")])
    assert panel.cancel_button.isEnabled() and panel.progress.value() == 500
    with qtbot.waitSignal(panel.cancel_requested):
        panel.cancel_button.click()


def test_live_app_scans_the_simulators_handset_and_records_it(qtbot, tmp_path, settings_path):
    from fieldapp.app import LiveApp
    from fieldapp.store import Store

    app = LiveApp(tmp_path / "ws.db", settings_path=settings_path)
    try:
        panel = app.scan_panel
        assert app.window.dock_panel("scan") is panel  # (in a scroll area on a laptop screen)
        app.controller.connect(ConnectRequest(SIMULATOR, scenario="bcch-hung", family="telit", speed=8.0, rate_s=0.3))
        qtbot.waitUntil(lambda: app.window.samples_shown() >= 2, timeout=30000)
        qtbot.waitUntil(panel.scan_button.isEnabled, timeout=5000)
        app.controller.start_recording(None)
        qtbot.waitUntil(lambda: "REC" in app.window.status.text("recording"), timeout=10000)
        panel.band.setCurrentText("GSM900")
        panel.repeat.setValue(2)
        panel.scan_button.click()
        qtbot.waitUntil(lambda: len(panel.scans) == 2 and "done" in panel.status.text(), timeout=30000)
        shown = app.window.samples_shown()
        qtbot.waitUntil(lambda: app.window.samples_shown() > shown + 1, timeout=10000)  # polling resumed
        names = [lab.toPlainText() for lab in panel._labels]
        assert "BRIDGE-1" in names
        sid = app.controller.recorder.session_id
    finally:
        app.close()
    with Store.open(tmp_path / "ws.db") as store:
        assert len(store.scans(sid)) == 2


def test_replay_shows_the_scans_at_their_time(qtbot, tmp_path, settings_path):
    from fieldapp.app import ReplayApp
    from fieldapp.model import Sample
    from logs.replay import ReplaySource

    records = [Sample(ts_utc=100.0 + k) for k in range(40)]
    records += [_scan(108.0), _scan(128.0, shift=-6.0)]  # at 110 and 130
    records.sort(key=lambda r: r.ts_utc)
    source = ReplaySource(records)
    app = ReplayApp(source, tmp_path / "ws.db", name="scans", settings_path=settings_path)
    try:
        panel = app.scan_panel
        assert not panel.scan_button.isVisible()
        app.timeline.seek(120.0)
        qtbot.waitUntil(lambda: len(panel.scans) == 1, timeout=5000)
        app.timeline.seek(135.0)
        qtbot.waitUntil(lambda: len(panel.scans) == 2, timeout=5000)
        app.timeline.seek(115.0)  # backwards: only the first scan again
        qtbot.waitUntil(lambda: len(panel.scans) == 1 and panel.scans[0].end_utc == 110.0, timeout=5000)
    finally:
        app.window.close()
        app.close()
