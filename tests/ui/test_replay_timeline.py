"""Replay mode in the window (issue 7, points 4 and 5): the timeline widget over a real
ReplaySource feeding the real views through the bridge, ``fieldapp replay`` with a screenshot,
and the File → Import log… dialog over a real ImportJob into a temporary workspace."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from fieldapp.model import Event, Sample
from tests.ui import synthetic

REPO = Path(__file__).resolve().parents[2]
# Showing a window on the offscreen platform logs these; they say nothing about the code.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "activateWindow")
NEMO = REPO / "tests" / "fixtures" / "logs" / "nemo-RYG0443_R3_R002.3.nmf"


def _records(n: int = 400) -> list:
    """``n`` seconds of synthetic drive with one call (handovers inside it, cell changes outside)."""
    return synthetic.drive(n, call=(120, 220))


@pytest.fixture
def replay(qtbot, tmp_path, settings_path):
    """A replay window over the synthetic drive, paused at the start (tests press play)."""
    from fieldapp.app import ReplayApp
    from logs.replay import ReplaySource

    source = ReplaySource(_records(), speed=1.0)
    app = ReplayApp(source, tmp_path / "ws.db", name="synthetic", settings_path=settings_path)
    source.pause()
    app.window.show()
    qtbot.waitExposed(app.window)
    app.window.activateWindow()
    yield app
    app.window.close()
    app.close()


def _wait_until_idle(qtbot, app) -> None:
    """Let the replay thread hand its last batch over and the bridge deliver it."""
    qtbot.wait(250)
    app.bridge.drain_now()


def _bar_point(bar, fraction: float) -> QPoint:
    return QPoint(round(bar.x_of(fraction)), bar.height() // 2)


def test_the_window_is_in_replay_mode(replay):
    win = replay.window
    assert win.windowTitle() == "fieldapp — replay synthetic"
    assert not win.docks["source"].isVisible()
    assert not win.source_panel.isEnabled()
    assert replay.timeline.isVisible()
    assert win.status.text("state") == "● replay"


def test_markers_are_the_events_of_the_replay(replay):
    events = [r for r in _records() if isinstance(r, Event)]
    tl = replay.timeline
    assert len(tl.marker_fractions()) == len(events) == len(replay.source.events)
    model = replay.source.timeline
    assert tl.marker_fractions() == pytest.approx([model.fraction(e.ts_utc) for e in events])
    # Handovers, cell changes and call events each get their kind's colour on the bar.
    colours = {c for _f, c in tl.bar.markers}
    assert {"#6a1b9a", "#4e79a7", "#2e7d32"} <= colours


def test_play_advances_the_position_and_fills_the_level_plot_pause_stops_it(qtbot, replay):
    source, win = replay.source, replay.window
    start = source.position_utc
    assert win.samples_shown() <= 1  # paused at the start
    qtbot.keyClick(win, Qt.Key.Key_Space)
    assert source.playing
    replay.timeline.set_speed(64.0)
    qtbot.waitUntil(lambda: win.samples_shown() >= 60, timeout=5000)
    assert source.position_utc > start + 50
    x, y = win.level_plot.curve_data(win.level_plot.serving_curve)
    assert len(x) >= 60 and np.isfinite(y).sum() >= 55
    assert replay.timeline.play_button.text().endswith("Pause")

    qtbot.keyClick(win, Qt.Key.Key_Space)
    assert not source.playing
    _wait_until_idle(qtbot, replay)
    held, shown = source.position_utc, win.samples_shown()
    qtbot.wait(400)
    replay.bridge.drain_now()
    assert source.position_utc == held and win.samples_shown() == shown
    assert replay.timeline.bar.fraction == pytest.approx(source.timeline.fraction(held))
    assert replay.timeline.play_button.text().endswith("Play")


def test_speed_keys_step_through_the_speeds(qtbot, replay):
    win, source, combo = replay.window, replay.source, replay.timeline.speed_combo
    assert source.speed == 1.0 and combo.currentText() == "1×"
    qtbot.keyClick(win, Qt.Key.Key_BracketRight)
    qtbot.keyClick(win, Qt.Key.Key_BracketRight)
    assert source.speed == 4.0 and combo.currentText() == "4×"
    for _ in range(10):
        qtbot.keyClick(win, Qt.Key.Key_BracketRight)
    assert source.speed == 64.0  # clamped at the fastest
    for _ in range(12):
        qtbot.keyClick(win, Qt.Key.Key_BracketLeft)
    assert source.speed == 0.25 and combo.currentText() == "0.25×"


def test_a_speed_between_the_offered_ones_snaps_to_the_nearest(qtbot):
    from logs.replay import ReplaySource
    from ui.timeline import ReplayTimeline

    source = ReplaySource(_records(20), speed=3.0)
    timeline = ReplayTimeline(source)
    qtbot.addWidget(timeline)
    assert source.speed == 2.0 and timeline.speed_combo.currentText() == "2×"
    timeline.stop_polling()


def test_dragging_the_bar_shows_the_time_and_seeks_on_release(qtbot, replay):
    from ui.timeline import clock_text

    bar, tl, source, win = replay.timeline.bar, replay.timeline, replay.source, replay.window
    model = source.timeline
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=_bar_point(bar, 0.2))
    qtbot.mouseMove(bar, _bar_point(bar, 0.5))
    target = model.ts_at(bar.drag_fraction)
    assert bar.drag_fraction == pytest.approx(0.5, abs=0.01)
    assert tl.time_label.text() == f"→ {clock_text(target)}"
    assert source.position_utc == pytest.approx(model.start_utc, abs=0.5)  # nothing moves until the release
    qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, pos=_bar_point(bar, 0.5))
    assert source.position_utc == pytest.approx(target)
    _wait_until_idle(qtbot, replay)
    # The views show the state at that point: the last sample at or before it, nothing after.
    last = win.history.last_sample
    assert last is not None and target - 1.0 <= last.ts_utc <= target
    assert win.channel_panel.text("mode")  # the channel panel was filled from that sample
    assert tl.time_label.text() == clock_text(target)


def test_a_backward_seek_clears_the_plots_and_keeps_the_events_up_to_there(qtbot, replay):
    source, win = replay.source, replay.window
    model = source.timeline
    replay.timeline.seek(model.ts_at(0.8))
    source.play()
    source.set_speed(64.0)
    qtbot.waitUntil(lambda: win.samples_shown() >= 20, timeout=5000)
    source.pause()
    _wait_until_idle(qtbot, replay)
    back = model.ts_at(0.3)
    replay.timeline.seek(back)
    _wait_until_idle(qtbot, replay)
    t = win.history.t.view()
    assert len(t) >= 1 and float(np.nanmax(t)) <= back  # no leftover of the later stretch
    x, _y = win.level_plot.curve_data(win.level_plot.serving_curve)
    assert len(x) == len(t) and float(np.nanmax(x)) <= back
    shown = [e.ts_utc for e in win.history.events]
    expected = [e.ts_utc for e in source.events if e.ts_utc <= back]
    assert shown == expected and win.events.model.rowCount() == len(expected)


def test_a_record_handed_over_after_a_backward_jump_is_dropped(qtbot, replay):
    """The replay thread may be mid-batch when the user jumps back; what it still hands over
    from the later stretch must not land in the cleared views."""
    source = replay.source
    replay.timeline.seek(source.timeline.ts_at(0.9))
    _wait_until_idle(qtbot, replay)
    late = [r for r in source.records if isinstance(r, Sample)][-1]
    replay.timeline.seek(source.timeline.ts_at(0.1))
    _wait_until_idle(qtbot, replay)
    replay._put(late)  # as the thread would, after the jump
    replay.bridge.drain_now()
    assert replay.window.history.last_sample.ts_utc <= source.timeline.ts_at(0.1)


def test_next_and_previous_event_jump_to_the_markers(qtbot, replay):
    source, win = replay.source, replay.window
    events = source.events
    qtbot.keyClick(win, Qt.Key.Key_Period)
    assert source.position_utc == events[0].ts_utc
    qtbot.keyClick(win, Qt.Key.Key_PageDown)
    assert source.position_utc == events[1].ts_utc
    replay.timeline.next_button.click()
    assert source.position_utc == events[2].ts_utc
    qtbot.keyClick(win, Qt.Key.Key_Comma)  # within the grace of events[2]: goes to the one before
    assert source.position_utc == events[1].ts_utc
    replay.timeline.prev_button.click()
    qtbot.keyClick(win, Qt.Key.Key_PageUp)  # before the first event: stays
    assert source.position_utc == events[0].ts_utc
    _wait_until_idle(qtbot, replay)
    # The last jump went backwards: the views restarted there, with the event at that instant.
    assert [e.ts_utc for e in win.history.events] == [events[0].ts_utc]


def test_closing_the_window_stops_the_replay_thread(qtbot, tmp_path, settings_path):
    from fieldapp.app import ReplayApp
    from logs.replay import ReplaySource

    source = ReplaySource(_records(100), speed=8.0)
    app = ReplayApp(source, tmp_path / "ws.db", name="synthetic", settings_path=settings_path)
    app.window.show()
    qtbot.waitUntil(lambda: app.window.samples_shown() > 3, timeout=5000)
    assert any(t.name == "replay" for t in threading.enumerate())
    app.window.close()
    assert not any(t.name == "replay" and t.is_alive() for t in threading.enumerate())
    assert not app.bridge.is_running()
    app.close()  # idempotent


def test_replay_of_the_nemo_fixture_in_a_window(qtbot, tmp_path, settings_path):
    from fieldapp.app import ReplayApp
    from logs.registry import pick_reader
    from logs.replay import ReplaySource

    source = ReplaySource(pick_reader(NEMO).open(NEMO), speed=64.0)
    app = ReplayApp(source, tmp_path / "ws.db", name=NEMO.name, settings_path=settings_path)
    try:
        app.window.show()
        assert len(app.timeline.marker_fractions()) == len(source.events) > 0
        qtbot.waitUntil(lambda: source.finished, timeout=10000)
        app.bridge.drain_now()
        samples = [r for r in source.records if isinstance(r, Sample)]
        assert app.window.samples_shown() >= len(samples)
        app.timeline.poll()
        assert app.timeline.elapsed_label.text().split(" / ")[0] == app.timeline.elapsed_label.text().split(" / ")[1]
    finally:
        app.window.close()
        app.close()


def test_fieldapp_replay_saves_a_screenshot_and_exits_0(tmp_path):
    png = tmp_path / "replay.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FIELDAPP_SETTINGS=str(tmp_path / "s.ini"))
    proc = subprocess.run([sys.executable, "-m", "fieldapp", "replay", str(NEMO), "--speed", "16",
                           "--workspace", str(tmp_path / "ws.db"), "--screenshot", str(png), "--exit-after", "2"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000  # a whole window, not a blank


# --------------------------------------------------------------------------- the import dialog


def _job_factory(workspace: Path, gate: threading.Event | None = None, reached: threading.Event | None = None):
    """A real ImportJob; with ``gate`` its first progress report waits until the test lets it go
    (so Cancel is pressed while the import is certainly running)."""
    from fieldapp.importer import ImportJob

    def factory(path, on_progress):
        def progress(done: int, total: int) -> None:
            on_progress(done, total)
            if gate is not None:
                reached.set()
                gate.wait(5.0)

        return ImportJob(workspace, path, on_progress=progress, batch=50)

    return factory


def _sessions(workspace: Path) -> list:
    from fieldapp.store import Store

    with Store.open(workspace) as store:
        return store.sessions()


def test_import_dialog_success_shows_the_counts_and_offers_replay(qtbot, tmp_path):
    from ui.import_dialog import ImportDialog

    ws = tmp_path / "ws.db"
    replayed: list[int] = []
    dialog = ImportDialog(NEMO, _job_factory(ws), replayed.append)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10000)
    assert dialog.outcome == "success"
    sid = dialog.result.session_id
    assert [s.id for s in _sessions(ws)] == [sid]
    assert f"session {sid}" in dialog.label.text()
    text = dialog.details.toPlainText()
    assert f"samples: {dialog.result.counts['samples']}" in text and "3 success" in text and "1 failed" in text
    # what the file holds (issue 12 point 15): UMTS and LTE, no GSM
    assert "technologies: UMTS" in text and "no GSM measurements in this file" in text
    assert dialog.bar.value() == 1000
    assert dialog.replay_button.isVisible()
    dialog.replay_button.click()
    assert replayed == [sid]


def test_import_dialog_cancel_leaves_the_workspace_untouched(qtbot, tmp_path):
    from ui.import_dialog import ImportDialog

    ws = tmp_path / "ws.db"
    gate, reached = threading.Event(), threading.Event()
    dialog = ImportDialog(NEMO, _job_factory(ws, gate, reached))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(reached.is_set, timeout=5000)
    dialog.cancel_button.click()
    gate.set()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10000)
    assert dialog.outcome == "cancelled"
    assert "nothing was written" in dialog.label.text()
    assert not dialog.replay_button.isVisible()
    assert _sessions(ws) == []


def test_import_dialog_shows_the_first_bad_lines_of_a_corrupt_file(qtbot, tmp_path):
    from ui.import_dialog import ImportDialog

    lines = NEMO.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = [i for i, line in enumerate(lines) if line.startswith("CELLMEAS")][:3]
    for i in broken:
        lines[i] = "CELLMEAS,09:0x:zz,,garbage\n"
    corrupt = tmp_path / "corrupt.nmf"
    corrupt.write_text("".join(lines), encoding="utf-8")
    dialog = ImportDialog(corrupt, _job_factory(tmp_path / "ws.db"))
    qtbot.addWidget(dialog)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10000)
    assert dialog.outcome == "success"  # what is readable is imported
    text = dialog.details.toPlainText()
    assert "3 bad lines skipped" in text
    for i in broken:
        assert f"line {i + 1}: bad time" in text


def test_import_dialog_failure_says_nothing_was_written(qtbot, tmp_path):
    from ui.import_dialog import ImportDialog

    header = [line for line in NEMO.read_text(encoding="utf-8").splitlines(keepends=True) if line.startswith("#")]
    bad = tmp_path / "bad.nmf"
    bad.write_text("".join(header) + "CELLMEAS,zz\n" * 4, encoding="utf-8")
    ws = tmp_path / "ws.db"
    dialog = ImportDialog(bad, _job_factory(ws))
    qtbot.addWidget(dialog)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10000)
    assert dialog.outcome == "failed"
    assert "Nothing was written" in dialog.label.text()
    assert _sessions(ws) == []


def test_a_cell_file_imported_in_the_live_window_goes_on_the_map(qtbot, tmp_path, settings_path):
    from fieldapp.app import LiveApp
    from ui.import_dialog import ImportDialog

    app = LiveApp(tmp_path / "ws.db", settings_path=settings_path)
    try:
        assert not app.window.map_view.site_items
        dialog = ImportDialog(NEMO.parent / "cells-plan.csv", app.import_job, app.open_replay,
                              app.window, on_imported=app._imported)
        dialog.start()
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10000)
        assert dialog.outcome == "success" and dialog.result.session_id is None
        assert "cell plan imported" in dialog.label.text() and not dialog.replay_button.isVisible()
        assert app.window.map_view.site_items  # sectors drawn from the new plan
        assert len(app.window.history.plan.cells) == dialog.result.counts["cells"]
    finally:
        app.window.close()
        app.close()


def test_file_menu_has_import_with_ctrl_i(qtbot, tmp_path, settings_path):
    from fieldapp.app import LiveApp

    app = LiveApp(tmp_path / "ws.db", settings_path=settings_path)
    try:
        action = app.window.import_action
        assert action.shortcut().toString() == "Ctrl+I"
        assert app.window.file_menu.actions()[0] is action
        job = app.import_job(NEMO)
        job.start()
        job.join(10)
        assert job.result is not None and job.result.session_id is not None
        replay = app.open_replay(job.result.session_id)
        assert replay.window.windowTitle() == f"fieldapp — replay session {job.result.session_id}"
        assert len(replay.source.events) == job.result.counts["events"]
    finally:
        app.window.close()
        app.close()
    assert not any(t.name == "replay" and t.is_alive() for t in threading.enumerate())


# ---------------------------------------------------------------------- replay like the peers (issue 18 point 4)
def test_at_load_the_whole_route_is_dimmed_and_the_played_part_bright(qtbot, replay):
    from ui.map_view import MapView  # noqa: F401  (the view under test)

    win = replay.window
    whole_x, _ = win.map_view.whole_route.getData()
    positions = [r for r in _records() if isinstance(r, Sample) and r.position is not None]
    assert len(whole_x) == len(positions)
    played = sum(len(xs) for xs in win.map_view.route.xs)
    assert played < len(whole_x)
    (x0, x1), (y0, y1) = win.map_view.viewbox.viewRange()
    assert x0 <= float(np.min(whole_x)) and float(np.max(whole_x)) <= x1  # "fit" shows the route


def test_a_seek_keeps_the_views_filled_around_the_playhead(qtbot, replay):
    source, win = replay.source, replay.window
    model = source.timeline
    replay.timeline.seek(model.ts_at(0.8))
    _wait_until_idle(qtbot, replay)
    t = win.history.t.view()
    assert len(t) >= 300 and float(t[0]) <= model.ts_at(0.01)  # the time before the playhead is there
    assert sum(len(xs) for xs in win.map_view.route.xs) >= 300  # and the route driven so far
    back = model.ts_at(0.3)
    replay.timeline.seek(back)
    _wait_until_idle(qtbot, replay)
    t = win.history.t.view()
    assert len(t) >= 100 and float(np.nanmax(t)) <= back and float(t[0]) <= model.ts_at(0.01)
    assert np.all(np.diff(t) > 0)  # no record twice, none out of order
    source.play()
    source.set_speed(16.0)
    qtbot.waitUntil(lambda: float(win.history.t.view()[-1]) > back + 5, timeout=5000)
    source.pause()
    _wait_until_idle(qtbot, replay)
    assert np.all(np.diff(win.history.t.view()) > 0)


def test_event_markers_group_by_density_and_keep_their_colours(qtbot):
    from ui.theme import event_colour
    from ui.timeline import GROUP_PX, TimelineBar

    bar = TimelineBar()
    qtbot.addWidget(bar)
    bar.resize(408, 26)
    kinds = (["info"] * 400) + (["handover"] * 100) + (["call_dropped"] * 5) + (["cell_change"] * 50)
    fractions = [(i * 0.618) % 1.0 for i in range(len(kinds))]
    bar.set_markers([(f, event_colour(k)) for f, k in zip(fractions, kinds)], kinds)
    groups = bar.groups()
    assert len(groups) <= 400 // GROUP_PX + 2  # one mark per bucket, not 555 lines
    assert sum(len(g[2]) for g in groups) == len(kinds)
    drawn = {c for g in groups for c in g[1][:3]}
    assert {event_colour(k) for k in set(kinds)} <= drawn
    assert all(g[1][0] == event_colour("call_dropped") for g in groups if "call_dropped" in g[2])
