"""A replay jumped back to before its first sample (QA of issue 15, replaying the written
scanner fixture at 1366x768): the views were cleared and the records up to there filed again,
but the serving-cell trace kept its bars (an empty history looked already drawn), and the
current channel, the field tiles and the status bar's last sample kept the sample after the
position. Each view must show what a straight replay to that time shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from logs.nemo import NemoReader
from tests.ui.test_replay_jumps import _diff, _replay, _straight, close_apps, views

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "activateWindow")
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"


def test_a_jump_back_before_the_first_sample_shows_no_sample(qtbot, tmp_path):
    from logs.replay import ReplaySource

    # 10:00:00 a fix, scans from 10:00:01, the only sample (GSM, ARFCN 100) at 10:00:06
    records = sorted(NemoReader(FIX / "nemo-scanner-written.1.nmf"), key=lambda r: r.ts_utc)
    ws = tmp_path / "ws.db"
    app = _replay(ws, ReplaySource(records), str(tmp_path / "a.ini"))
    straight = None
    try:
        timeline = app.source.timeline
        app.timeline.seek(timeline.end_utc)
        app.bridge.drain_now()
        assert app.window.history.last_sample is not None
        assert app.window.channel_panel.text("bcch").startswith("100")
        app.timeline.seek(timeline.start_utc + 1.0)
        app.bridge.drain_now()
        at = app.source.position_utc
        straight = _straight(qtbot, ws, [r for r in records if r.ts_utc <= at], str(tmp_path / "b.ini"), [])
        got, want = views(app), views(straight)
        assert not _diff(got, want), [(k, [(x, got[k][x], want[k][x]) for x in got[k] if got[k][x] != want[k][x]] if isinstance(got[k], dict) else got[k]) for k in _diff(got, want)]
        assert app.window.trace.items.bars == [] and app.window.channel_panel.text("bcch") == "–"
        assert app.window.status.text("age") == "Last sample: –"
    finally:
        close_apps(app, straight)


def test_play_at_the_end_starts_over_with_the_views_cut_at_the_start(qtbot, tmp_path):
    """Space (or Play) once the replay has reached its end plays it again from the start: the
    source went back to the start by itself, the views were not told, and every record was
    filed a second time over the first (the sample twice in the plots, the events listed
    twice). It is now a jump back to the start: after playing to the end again the views are
    a straight replay's."""
    from logs.replay import ReplaySource

    records = sorted(NemoReader(FIX / "nemo-scanner-written.1.nmf"), key=lambda r: r.ts_utc)
    ws = tmp_path / "ws.db"
    app = _replay(ws, ReplaySource(records, speed=64.0), str(tmp_path / "a.ini"))
    straight = None
    try:
        app.timeline.toggle_play()
        qtbot.waitUntil(lambda: app.source.finished, timeout=5000)
        qtbot.wait(100)
        app.bridge.drain_now()
        assert len(app.window.history.sample_t) == 1
        app.timeline.toggle_play()  # at the end: from the start again
        qtbot.waitUntil(lambda: app.source.finished, timeout=5000)
        qtbot.wait(100)
        app.bridge.drain_now()
        straight = _straight(qtbot, ws, records, str(tmp_path / "b.ini"), [])
        got, want = views(app), views(straight)
        assert not _diff(got, want), _diff(got, want)
        assert len(app.window.history.sample_t) == 1
    finally:
        close_apps(app, straight)
