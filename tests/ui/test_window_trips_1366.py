"""What a user still tripped on in the window at 1366×768 (issue 18, TRIAL problems P10/P12e),
each checked on what the screen shows: the map legend over sites and site labels printed over
each other on the demo plan; the neighbours dock cut to "Neigh…" and two columns; the RXQUAL
axis labels 0..7 overprinting on a short plot; the G-NetTrack log's 555 event markers as one
solid bar; "No GPS" in the Source panel beside "GPS: NMEA" in the status bar; "Skipped lines: 0"
for a Nemo file with thousands of lines of record types not read."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QFontMetrics, QImage, QPainter

from fieldapp.model import PlanCell
from tests.ui import synthetic

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
NEMO = FIXTURES / "nemo-RYG0443_R3_R002.3.nmf"
GNETTRACK = FIXTURES / "gnettrack-Yas_log.txt"
LAPTOP = QRect(0, 0, 1366, 768)
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "activateWindow")

# The demo handset's cell plan (drivers/sim/scenarios/demo-drive.json, as the demo workspace
# holds it): STATION-69/70 and VILL-1/2 are back-to-back wedges on one mast.
DEMO_SITES = (("HOSP", 48.2, 16.37, (0, 120, 240)), ("RIVER", 48.197302, 16.405081, (0, 120, 240)),
              ("BRIDGE", 48.223382, 16.405081, (180, 300, 60)), ("STATION", 48.224282, 16.37, (90, 270)),
              ("VILL", 48.211691, 16.334919, (90, 270)))


def demo_plan() -> list[PlanCell]:
    cells = []
    for site, lat, lon, azimuths in DEMO_SITES:
        for k, az in enumerate(azimuths):
            number = {"STATION": (69, 70)[k % 2], "RIVER": 41 + k}.get(site, k + 1)
            name = f"{site}-{number}"
            cells.append(PlanCell(name=name, lac=1001, ci=len(cells) + 1, lat=lat, lon=lon,
                                  azimuth_deg=float(az), beamwidth_deg=65.0))
    return cells


def _map(qtbot, plan, size=(392, 330)):
    from ui.history import History
    from ui.map_view import MapView

    view = MapView(History())
    qtbot.addWidget(view)
    view.resize(*size)  # the map dock's plot at 1366×768
    view.show()
    qtbot.waitExposed(view)
    view.set_plan(plan)
    view.fit_all()
    qtbot.wait(20)
    return view


def _legend_over_sites(view) -> list[str]:
    """Site wedges and labels the legend's painted rectangle overlaps, in screen terms."""
    legend = view.legend.sceneBoundingRect()
    hidden = []
    for item in view.site_items:
        if item.sceneBoundingRect().intersects(legend):
            hidden.append(item.toolTip().splitlines()[0])
    hidden += [label.textItem.toPlainText() for label in view.site_labels
               if label.isVisible() and label.sceneBoundingRect().intersects(legend)]
    return hidden


# ----------------------------------------------------------------------- 1. the map legend and labels
def test_site_labels_of_one_mast_do_not_print_over_each_other(qtbot):
    view = _map(qtbot, demo_plan())
    rects = {label.textItem.toPlainText(): label.sceneBoundingRect() for label in view.site_labels
             if label.isVisible()}
    assert {"STATION-69", "STATION-70", "VILL-1", "VILL-2", "HOSP-1", "RIVER-43"} <= set(rects), sorted(rects)
    overlapping = [(a, b) for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2)
                   if ra.adjusted(1, 1, -1, -1).intersects(rb.adjusted(1, 1, -1, -1))]
    assert not overlapping, overlapping
    frame = view.viewbox.sceneBoundingRect()
    cut = [name for name, r in rects.items() if not frame.contains(r.adjusted(1, 1, -1, -1))]
    assert not cut, cut  # none past the map's edge ("RIVER-4")


def test_cells_labelled_at_the_same_spot_share_one_label(qtbot):
    from ui.map_view import combined_name

    plan = [PlanCell(name=n, lac=1, ci=i, lat=48.2, lon=16.37, azimuth_deg=90.0, beamwidth_deg=65.0)
            for i, n in enumerate(("STATION-69", "STATION-78"))]
    plan.append(PlanCell(name="RIVER-43", lac=1, ci=9, lat=48.21, lon=16.40, azimuth_deg=240.0, beamwidth_deg=65.0))
    view = _map(qtbot, plan)
    assert sorted(label.textItem.toPlainText() for label in view.site_labels) == ["RIVER-43", "STATION-69/78"]
    assert combined_name(["G900-A", "U2100-B"]) == "G900-A / U2100-B"


def test_the_legend_hides_no_site_on_the_demo_map_and_moves_off_a_site_panned_under_it(qtbot):
    view = _map(qtbot, demo_plan())
    assert not _legend_over_sites(view), _legend_over_sites(view)
    # Pan so that a site sits where the legend is now: the legend gets out of its way.
    legend_centre = view.viewbox.mapSceneToView(view.legend.sceneBoundingRect().center())
    hosp_x, hosp_y = view._site_xy["HOSP-1"]
    (x0, x1), (y0, y1) = view.viewbox.viewRange()
    dx, dy = hosp_x - legend_centre.x(), hosp_y - legend_centre.y()
    view.viewbox.setRange(xRange=(x0 + dx, x1 + dx), yRange=(y0 + dy, y1 + dy), padding=0)
    qtbot.wait(20)
    assert not _legend_over_sites(view), _legend_over_sites(view)


def test_the_legend_shrinks_when_every_corner_holds_a_site_and_stays_where_the_user_drags_it(qtbot):
    # Sites in all four corners and the middles of the edges of a small map.
    plan = [PlanCell(name=f"S-{i}{j}", lac=1, ci=10 * i + j, lat=48.20 + 0.004 * i, lon=16.37 + 0.006 * j,
                     azimuth_deg=None, beamwidth_deg=None) for i in range(4) for j in range(4)]
    view = _map(qtbot, plan, size=(392, 330))
    assert not _legend_over_sites(view) or view.legend.scale() < 1.0
    view.legend.user_placed = True  # as MapLegend.mouseDragEvent sets it
    pos = view.legend.pos()
    (x0, x1), (y0, y1) = view.viewbox.viewRange()
    view.viewbox.setRange(xRange=(x0 + 300, x1 + 300), yRange=(y0, y1), padding=0)
    assert view.legend.pos() == pos


# ----------------------------------------------------------------------- 2. the neighbours dock
def _shown_columns(table) -> list[str]:
    """Headers of the columns wholly visible without scrolling sideways."""
    view = table.view
    width = view.viewport().width()
    return [table.headers()[c] for c in range(len(table.headers()))
            if not view.isColumnHidden(c) and view.columnViewportPosition(c) >= 0
            and view.columnViewportPosition(c) + view.columnWidth(c) <= width]


@pytest.mark.parametrize("squeeze", [False, True])
def test_the_drive_layout_at_1366_shows_the_neighbour_columns_and_title(qtbot, window, squeeze):
    from PySide6.QtCore import Qt

    window.fit_to_screen(LAPTOP)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # the first-show re-arrangement has run
    window.apply_layout("drive")
    if squeeze:  # a layout saved when the dock was narrow (the trial's: 114 px)
        window.resizeDocks([window.docks["neighbours"], window.docks["events"]], [100, 900],
                           Qt.Orientation.Horizontal)
    window.on_records(synthetic.drive(30, synthetic.plan()))
    qtbot.wait(50)
    table = window.neighbours
    assert table.view.horizontalScrollBar().value() == 0
    shown = _shown_columns(table)
    assert shown[:6] == ["Plot", "ARFCN", "BSIC", "Name", "RXLEV dBm", "Δ dB"], shown
    dock = window.docks["neighbours"]
    title_px = QFontMetrics(dock.font()).horizontalAdvance("Neighbours")
    assert dock.width() >= title_px + 60  # title plus the float and close buttons, not "Neigh…"
    assert window.frameGeometry().width() <= 1366


# ----------------------------------------------------------------------- 3. the RXQUAL axis
def _axis_labels(axis) -> list[tuple[str, QRectF]]:
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    p = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(p)
    finally:
        p.end()
    return [(text, QRectF(rect)) for rect, _flags, text in specs[2]] if specs else []


@pytest.mark.parametrize("height", [60, 90, 240])
def test_rxqual_axis_labels_do_not_overlap_on_a_short_plot(qtbot, height):
    import pyqtgraph as pg

    from ui.level_plot import RXQUAL_STEPS, QualityAxis, fitting_steps

    axis = QualityAxis("left")
    widget = pg.PlotWidget(axisItems={"left": axis})
    qtbot.addWidget(widget)
    widget.setYRange(0, 7, padding=0)
    widget.getViewBox().invertY(True)
    axis.set_steps(RXQUAL_STEPS)
    widget.resize(300, height + 30)  # the RXQUAL plot's height (1366×768 leaves it ~60 px)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.wait(20)
    labels = _axis_labels(axis)
    texts = [t for t, _r in labels]
    assert texts and set(texts) <= {str(v) for v in range(8)} and "0" in texts, texts
    rects = sorted((r for _t, r in labels), key=lambda r: r.top())
    assert all(a.bottom() <= b.top() + 0.5 for a, b in zip(rects, rects[1:])), [(t, r.top(), r.bottom()) for t, r in labels]
    if height >= 240:
        assert len(texts) == 8  # tall enough: every step labelled
    assert fitting_steps(RXQUAL_STEPS, 40, 14) in ([0, 4, 7], [0, 7])
    assert fitting_steps(RXQUAL_STEPS, 60, 14) == [0, 2, 4, 6]
    axis.set_steps(None)  # Ec/No, RSRQ, SINR: pyqtgraph's own ticks
    assert axis.tickValues(-20, 0, 200)


def test_the_window_at_1366_draws_rxqual_labels_apart(qtbot, window):
    window.fit_to_screen(LAPTOP)
    window.show()
    qtbot.waitExposed(window)
    window.on_records(synthetic.drive(20, synthetic.plan()))
    qtbot.wait(50)
    labels = _axis_labels(window.level_plot.quality.getAxis("left"))
    rects = sorted((r for _t, r in labels), key=lambda r: r.top())
    assert len(rects) >= 2
    assert all(a.bottom() <= b.top() + 0.5 for a, b in zip(rects, rects[1:]))


# ----------------------------------------------------------------------- 4. the timeline of G-NetTrack
@pytest.mark.skipif(not GNETTRACK.is_file(), reason="G-NetTrack fixture not present")
def test_the_gnettrack_events_are_separate_marks_on_a_1366_timeline(qtbot):
    from logs.registry import pick_reader
    from logs.replay import ReplaySource
    from ui.theme import event_colour
    from ui.timeline import TimelineBar

    source = ReplaySource(pick_reader(GNETTRACK).open(GNETTRACK))
    model = source.timeline
    assert len(model.markers) == 555
    bar = TimelineBar()
    qtbot.addWidget(bar)
    bar.resize(445, 26)  # the bar's width in the replay window at 1366×768
    bar.set_markers([(model.fraction(m.ts_utc), event_colour(m.kind)) for m in model.markers],
                    [m.kind for m in model.markers])
    bar.show()
    qtbot.waitExposed(bar)
    groups = bar.groups()
    assert sum(len(g[2]) for g in groups) == 555
    xs = [g[0] for g in groups]
    assert min(b - a for a, b in zip(xs, xs[1:])) >= 8  # marks stand apart, not a comb
    # On screen: most of the bar's top edge (above the groove) is groove-free background.
    image = bar.grab().toImage()
    background = image.pixelColor(2, 3)
    painted = sum(1 for x in range(8, 437) if image.pixelColor(x, 3) != background)
    assert painted < 0.4 * 429, painted
    assert len(groups) >= 20  # still shows where the events are


# ----------------------------------------------------------------------- 5. GPS words agree
def test_the_source_panel_says_the_gps_the_status_bar_says(qtbot, window):
    from fieldapp.live import LinkStatus

    panel = window.source_panel
    assert panel.gps_shown()[0] == "No GPS"
    window.apply_status(LinkStatus("connected", device="demo handset", gps="NMEA /dev/pts/5"))
    assert window.status.text("gps") == "GPS: NMEA /dev/pts/5"
    assert panel.gps_shown() == ("NMEA serial port", "/dev/pts/5")
    assert panel.choices()["gps"] == "none"  # the user's choice is not overwritten
    window.apply_status(LinkStatus("disconnected"))
    assert panel.gps_shown()[0] == "No GPS" and panel.gps_combo.isEnabled()
    assert window.status.text("gps") == "GPS: none"


# ----------------------------------------------------------------------- 6. unread record types
@pytest.mark.skipif(not NEMO.is_file(), reason="Nemo fixture not present")
def test_a_nemo_replay_says_bad_lines_apart_from_unread_record_types(qtbot, tmp_path, settings_path):
    from fieldapp.app import ReplayApp
    from logs.registry import pick_reader
    from logs.replay import ReplaySource

    source = ReplaySource(pick_reader(NEMO).open(NEMO), speed=1.0)
    app = ReplayApp(source, tmp_path / "ws.db", name=NEMO.name, settings_path=settings_path)
    try:
        status = app.window.status
        unknown = source.stats.unknown
        assert sum(unknown.values()) > 1000  # thousands of lines of types fieldapp does not read
        assert status.text("skipped") == f"Bad lines: {source.stats.bad_count}"
        assert status.text("unread") == f"Unread types: {len(unknown)}"
        assert f"{sum(unknown.values())} lines" in status.labels["unread"].toolTip()
        assert not status.labels["unread"].isHidden()
    finally:
        app.window.close()
        app.close()


@pytest.mark.skipif(not NEMO.is_file(), reason="Nemo fixture not present")
def test_a_nemo_replays_opening_message_is_not_cut_at_1366(qtbot, tmp_path, settings_path):
    """The trial's "replay: 18 e…": the permanent labels (a long device name, "not recording")
    left the opening message 60 pixels. A replay hides "not recording", elides the device name
    (whole in its tooltip), and the message fits left of the labels."""
    from fieldapp.app import ReplayApp
    from logs.registry import pick_reader
    from logs.replay import ReplaySource

    source = ReplaySource(pick_reader(NEMO).open(NEMO), speed=1.0)
    app = ReplayApp(source, tmp_path / "ws.db", name=NEMO.name, settings_path=settings_path)
    try:
        window, status = app.window, app.window.status
        window.fit_to_screen(LAPTOP)
        window.show()
        qtbot.waitExposed(window)
        qtbot.wait(50)
        message = status.currentMessage()
        assert message == "18 events, 00:02:38; Space plays (Help → Keys)"
        assert status.labels["recording"].isHidden()
        device = status.labels["device"]
        assert device.toolTip() == "Device: Qualcomm NEMO OUTDOOR 7.8.0.8" and device.text().endswith("…")
        assert status.width() >= 1300
        room = min(w.geometry().x() for w in status.labels.values() if w.isVisible())
        # 40 px to spare here: Xvfb's fonts draw a little wider than the offscreen platform's.
        assert status.fontMetrics().horizontalAdvance(message) + 40 <= room, (message, room)
    finally:
        app.window.close()
        app.close()


@pytest.mark.skipif(not NEMO.is_file(), reason="Nemo fixture not present")
def test_a_stored_sessions_replay_names_the_device_as_the_files_does(qtbot, tmp_path, settings_path):
    from fieldapp.app import ReplayApp
    from fieldapp.importer import import_file
    from fieldapp.store import Store
    from logs.replay import ReplaySource

    with Store.open(tmp_path / "ws.db") as store:
        sid = import_file(store, NEMO).session_id
        source = ReplaySource(store.replay_records(sid), speed=1.0)
    app = ReplayApp(source, tmp_path / "ws.db", name=f"session {sid}", session_id=sid, settings_path=settings_path)
    try:
        status = app.window.status
        assert status.labels["device"].toolTip() == "Device: Qualcomm NEMO OUTDOOR 7.8.0.8"
        assert status.text("family") == "Family: nemo"
    finally:
        app.window.close()
        app.close()


def test_a_live_link_keeps_skipped_lines_and_no_unread_label(qtbot, window):
    from fieldapp.live import LinkStatus
    from ui.status_bar import LinkInfo

    window.apply_status(LinkStatus("connected", skipped_lines=3))
    assert window.status.text("skipped") == "Skipped lines: 3"
    assert window.status.labels["unread"].isHidden()
    # A log whose reader has no record types to leave unread (G-NetTrack): bad lines only.
    window.status.set_link(LinkInfo("replay", skipped_lines=0, unread_types={}))
    assert window.status.text("skipped") == "Bad lines: 0" and window.status.labels["unread"].isHidden()
