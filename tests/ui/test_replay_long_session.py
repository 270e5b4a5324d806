"""A long stored session in the replay window (issue 15 point 4, issue 18): opened from the
store in bulk with the samples rebuilt as they are played (``Store.replay_records``), the
window shows the whole route dimmed and every event on the timeline at once, and after any
seek its views hold what the same window over the eagerly read records holds. Real SQLite
workspace, real windows under pytest-qt (offscreen)."""

from __future__ import annotations

import numpy as np
import pytest

from fieldapp.export_logs import session_records
from fieldapp.model import Event, Position, Sample
from fieldapp.store import Store
from tests.ui import synthetic

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "activateWindow")
HOURS = 1
BLOCK, CACHE_BLOCKS = 64, 4  # a cache much smaller than the session: blocks are dropped and read again


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """An hour at 1 Hz (3,600 samples with six neighbours, positions apart, a call)."""
    ws = tmp_path_factory.mktemp("long") / "ws.db"
    records = synthetic.drive(HOURS * 3600, call=(900, 1200))
    with Store.open(ws) as store:
        sid = store.create_session("test:long", start_utc=records[0].ts_utc)
        samples = [r for r in records if isinstance(r, Sample)]
        store.add_samples(sid, samples)
        store.add_events(sid, [r for r in records if isinstance(r, Event)])
        store.add_positions(sid, [r for r in records if isinstance(r, Position)]
                            or [s.position for s in samples if s.position is not None])
        store.end_session(sid, records[-1].ts_utc)
        eager = list(session_records(store, sid))
    return ws, sid, eager


def _window(ws, source, settings_path):
    from fieldapp.app import ReplayApp

    app = ReplayApp(source, ws, name="long", settings_path=settings_path)
    source.pause()
    app.window.show()
    return app


def _settle(qtbot, app) -> None:
    qtbot.wait(200)
    app.bridge.drain_now()


def _views(app) -> dict:
    win = app.window
    x, y = win.level_plot.curve_data(win.level_plot.serving_curve)
    return {"t": win.history.t.view().tolist(), "level_x": np.asarray(x).tolist(),
            "level_y": np.nan_to_num(np.asarray(y, dtype=float), nan=-999).tolist(),
            "route": win.history.pos_x.view().tolist(), "last": win.history.last_sample,
            "events": [e.ts_utc for e in win.history.events], "neighbours": win.neighbours.model.rowCount()}


def test_a_long_session_opens_whole_and_seeks_like_the_eager_window(qtbot, tmp_path, stored):
    from logs.replay import ReplaySource

    ws, sid, eager_records = stored
    with Store.open(ws) as store:
        lazy_records = store.replay_records(sid, block=BLOCK, cache_blocks=CACHE_BLOCKS)
    lazy = _window(ws, ReplaySource(lazy_records), str(tmp_path / "a.ini"))
    eager = _window(ws, ReplaySource(eager_records), str(tmp_path / "b.ini"))
    try:
        # At open: the whole route dimmed, every event a marker, the span of the whole session.
        route = [r for r in eager_records if isinstance(r, Position)
                 or (isinstance(r, Sample) and r.position is not None)]
        whole_x, _ = lazy.window.map_view.whole_route.getData()
        assert len(whole_x) == len(route) > HOURS * 3600
        assert np.allclose(whole_x, eager.window.map_view.whole_route.getData()[0])
        events = [r for r in eager_records if isinstance(r, Event)]
        assert len(lazy.timeline.marker_fractions()) == len(events) > 0
        assert lazy.timeline.marker_fractions() == eager.timeline.marker_fractions()
        assert lazy.source.timeline.duration_s == eager.source.timeline.duration_s >= HOURS * 3600 - 1
        assert lazy_records.cached_samples() <= BLOCK  # at most the first block, for the first sample

        # Seeks forwards, backwards, onto an event: the views hold what the eager window holds,
        # filled from the start of the session (a backward jump) or across the skipped stretch.
        model = lazy.source.timeline
        for target in (model.ts_at(0.9), model.ts_at(0.25), events[len(events) // 2].ts_utc,
                       model.ts_at(1.0), model.ts_at(0.0)):
            for app in (lazy, eager):
                app.timeline.seek(target)
                _settle(qtbot, app)
            got, want = _views(lazy), _views(eager)
            assert got == want, target
            assert got["last"] is not None and got["last"].ts_utc <= target
            assert lazy_records.cached_samples() <= BLOCK * CACHE_BLOCKS
        # The views were filled with the whole session at the end seek above.
        lazy.timeline.seek(model.ts_at(1.0))
        _settle(qtbot, lazy)
        assert len(lazy.window.history.t) >= HOURS * 3600

        # Playing on from a seek delivers the following samples as the eager replay does.
        for app in (lazy, eager):
            app.timeline.seek(model.ts_at(0.5))
        _settle(qtbot, lazy)
        at_seek = len(lazy.window.history.t)
        for app in (lazy, eager):
            app.source.set_speed(64.0)
            app.source.play()
        qtbot.waitUntil(lambda: min(len(lazy.window.history.t), len(eager.window.history.t)) > at_seek + 60,
                        timeout=10000)
        for app in (lazy, eager):
            app.source.pause()
            _settle(qtbot, app)
        shown = min(len(lazy.window.history.t), len(eager.window.history.t))
        assert _views(lazy)["t"][:shown] == _views(eager)["t"][:shown]
    finally:
        for app in (lazy, eager):
            app.window.close()
            app.close()
