"""How a replay window files what a jump skips and what it reads ahead (issue 15, the jumps'
cost), apart from what is filed (tests/ui/test_replay_jumps.py, test_history_bulk.py):

- the filing runs with fewer collections (fieldapp/bulk_gc.py), and the thresholds are the
  caller's again afterwards;
- a long jump forwards and the read-ahead file the session in steps of at most
  ``READ_AHEAD_RECORDS`` records, so that only one step's rebuilt samples are alive at once;
- the window's furniture is frozen out of the collector while a replay window is open;
- the trace strip's marker columns are ``np.unique``'s, without importing numpy.ma.

Real SQLite workspace, real windows under pytest-qt (offscreen), the real collector."""

from __future__ import annotations

import gc
import subprocess
import sys

import numpy as np
import pytest

from fieldapp import bulk_gc
from fieldapp.model import Event, Position, Sample
from fieldapp.store import Store
from tests.ui import synthetic

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "activateWindow")
SECONDS = 1200


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    ws = tmp_path_factory.mktemp("filing") / "ws.db"
    records = synthetic.drive(SECONDS)
    with Store.open(ws) as store:
        sid = store.create_session("test:filing", start_utc=records[0].ts_utc)
        store.add_samples(sid, [r for r in records if isinstance(r, Sample)])
        store.add_events(sid, [r for r in records if isinstance(r, Event)])
        store.add_positions(sid, [r for r in records if isinstance(r, Position)])
        store.end_session(sid, records[-1].ts_utc)
    return ws, sid


@pytest.fixture
def default_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def _open(ws, sid, settings_path):
    from fieldapp.app import ReplayApp
    from logs.replay import ReplaySource

    with Store.open(ws) as store:
        lazy = store.replay_records(sid, block=32, cache_blocks=3)
    app = ReplayApp(ReplaySource(lazy), ws, name="filing", settings_path=settings_path)
    app.source.pause()
    app.window.show()
    return app


def test_a_long_jump_and_the_read_ahead_file_in_steps_with_fewer_collections(qtbot, tmp_path, stored,
                                                                          default_thresholds, monkeypatch):
    from fieldapp import app as app_module
    from ui.history import History

    batches = []
    add = History.add
    monkeypatch.setattr(History, "add", lambda self, records: batches.append(
        (len(records), gc.get_threshold()[0], self)) or add(self, records))
    ws, sid = stored
    app = _open(ws, sid, str(tmp_path / "a.ini"))
    try:
        app.long_jump_records = 40
        assert app._ahead is None  # nothing read ahead yet: the jump files the stretch itself
        qtbot.wait(50)
        app.bridge.drain_now()  # what the paused replay had handed over, filed as it plays
        batches.clear()
        app.timeline.seek(synthetic.T0_UTC + SECONDS * 0.9)  # (the jump is filed within)
        ahead = [(n, threshold) for n, threshold, h in batches if h is app._ahead]
        assert sum(n for n, _ in ahead) > 1000  # the 18 minutes the jump skipped, read ahead
        assert max(n for n, _ in ahead) <= app_module.READ_AHEAD_RECORDS
        assert {threshold for _n, threshold, _h in batches} == {bulk_gc.BULK_THRESHOLD}
        assert gc.get_threshold() == (700, 10, 10)
        app.bridge.drain_now()
        batches.clear()
        qtbot.waitUntil(lambda: app.read_ahead_done, timeout=20000)
        ahead = [(n, threshold) for n, threshold, h in batches if h is app._ahead]
        assert ahead and {threshold for _n, threshold in ahead} == {bulk_gc.BULK_THRESHOLD}
        assert max(n for n, _t in ahead) <= app_module.READ_AHEAD_RECORDS
        assert gc.get_threshold() == (700, 10, 10)
        # A short jump forwards files what it skips into the views' history itself.
        app.long_jump_records = 10_000
        app.timeline.seek(synthetic.T0_UTC + SECONDS * 0.2)
        app.bridge.drain_now()
        batches.clear()
        app.timeline.seek(synthetic.T0_UTC + SECONDS * 0.5)
        assert [(n > 300, threshold, h is app.window.history) for n, threshold, h in batches] == \
            [(True, bulk_gc.BULK_THRESHOLD, True)]
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        app.window.close()
        app.close()


def test_a_replay_window_freezes_the_furniture_until_the_last_one_closes(qtbot, tmp_path, stored, monkeypatch):
    gc.unfreeze()
    monkeypatch.setattr(bulk_gc, "_open_windows", 0)
    ws, sid = stored
    first = _open(ws, sid, str(tmp_path / "a.ini"))
    second = None
    try:
        assert bulk_gc._open_windows == 1 and gc.get_freeze_count() > 0
        second = _open(ws, sid, str(tmp_path / "b.ini"))
        assert bulk_gc._open_windows == 2
        first.window.close()
        first.close()
        first.close()  # twice: counted once
        assert bulk_gc._open_windows == 1 and gc.get_freeze_count() > 0
        second.window.close()
        second.close()
        assert bulk_gc._open_windows == 0 and gc.get_freeze_count() == 0
    finally:
        for a in (first, second):
            if a is not None:
                a.window.close()
                a.close()
        gc.unfreeze()


@pytest.mark.parametrize("xs", [[], [5.2], [3.0, 3.4, 2.6, 10.0, 9.6, -1.5, -0.5, 0.49], list(np.arange(0, 50, 0.3)),
                                list(np.random.default_rng(7).uniform(-300, 3000, 500))])
def test_the_strips_marker_columns_are_np_unique(xs):
    from ui.trace_strip import pixel_columns

    arr = np.array(xs, dtype=float)
    assert pixel_columns(arr).tolist() == np.unique(np.round(arr)).tolist()


def test_the_strips_marker_columns_need_no_numpy_ma():
    code = ("import sys, numpy as np; from ui.trace_strip import pixel_columns; "
            "pixel_columns(np.array([3.0, 1.2, 3.1])); print('numpy.ma' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "False", out.stderr
