"""Jumps in a stored session's replay (issue 15, the jumps' cost): backwards, the views are cut
at the new position (``History.trim``) instead of cleared and filled again from the start;
forwards, the skipped stretch is filed. Either way every view must hold what a window fed the
same records straight from the start holds: the plots' curves, the trace, the route, the
events, the neighbours, the channel, the tiles, the scans and the history's own state (the
poll period, a gap pending, the lock), so that playing on draws the same as well.

A 20-minute session with the awkward parts: a silence (a gap row), a gap event, a lock and an
unlock, stretches of UMTS and LTE (technology changes), samples without a serving cell, fixes
apart from the samples, band scans. Real SQLite workspace, real windows under pytest-qt
(offscreen), the lazy sequence with a cache much smaller than the session."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fieldapp.model import (
    EV_GAP,
    EV_LOCK,
    EV_UNLOCK,
    LTE,
    UMTS,
    Event,
    Position,
    Sample,
    Scan,
    ScanCarrier,
)
from fieldapp.store import Store
from tests.ui import synthetic

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "activateWindow")
SECONDS = 1200
BLOCK, CACHE_BLOCKS = 32, 3
T0 = synthetic.T0_UTC


def _in_tech(s: Sample, tech: str) -> Sample:
    """A synthetic GSM sample told as UMTS or LTE (its levels as RSCP / RSRP)."""
    def cell(c):
        level = c.rxlev_dbm
        if tech == UMTS:
            return replace(c, tech=UMTS, arfcn=10588, pci=(c.bsic or 0) * 7, rscp_dbm=level, rxlev_dbm=None,
                           rxlev=None, rxqual=None, ecno_db=None if level is None else (level + 60) / 4)
        return replace(c, tech=LTE, arfcn=1850, pci=(c.bsic or 0) * 5, rsrp_dbm=None if level is None else level - 15,
                       rxlev_dbm=None, rxlev=None, rxqual=None, rsrq_db=-10.5, sinr_db=12.0)

    return replace(s, tech=tech, serving=cell(s.serving), neighbours=tuple(cell(n) for n in s.neighbours))


def session_records() -> list:
    out = []
    for rec in synthetic.drive(SECONDS, call=(600, 760)):
        i = rec.ts_utc - T0
        if isinstance(rec, Sample):
            if 300 <= i < 330:
                continue  # a silence: the plots draw a gap
            if 200 <= i < 210:
                rec = replace(rec, serving=None)  # no serving cell
            if 100 <= i < 150:
                rec = replace(rec, position=None)  # the fixes come apart, every other second
                if int(i) % 2 == 0:
                    out.append(synthetic.position(int(i)))
            if 450 <= i < 550:
                rec = _in_tech(rec, UMTS)
            elif 900 <= i < 1000:
                rec = _in_tech(rec, LTE)
        out.append(rec)
    out += [Event(T0 + 400.5, EV_LOCK, "locked to ARFCN 16"), Event(T0 + 820.5, EV_UNLOCK, "unlocked"),
            Event(T0 + 700.5, EV_GAP, "no answer for 3 polls")]
    out += [Scan(T0 + 50 + 100 * k, T0 + 58 + 100 * k, (ScanCarrier(10 + k, -60.0 - k, bsic=8),
                                                         ScanCarrier(40, -95.0))) for k in range(9)]
    return sorted(out, key=lambda r: r.ts_utc)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    ws = tmp_path_factory.mktemp("jumps") / "ws.db"
    records = session_records()
    with Store.open(ws) as store:
        sid = store.create_session("test:jumps", start_utc=records[0].ts_utc)
        store.add_samples(sid, [r for r in records if isinstance(r, Sample)])
        store.add_events(sid, [r for r in records if isinstance(r, Event)])
        store.add_positions(sid, [r for r in records if isinstance(r, Position)])
        store.add_scans(sid, [r for r in records if isinstance(r, Scan)])
        store.end_session(sid, records[-1].ts_utc)
    return ws, sid


def _replay(ws, source, settings_path):
    from fieldapp.app import ReplayApp

    app = ReplayApp(source, ws, name="jumps", settings_path=settings_path)
    source.pause()
    app.window.auto_plot_strongest = 0  # the test picks the plotted neighbours itself
    app.window.show()
    return app


def _straight(qtbot, ws, records: list, settings_path, plotted):
    """A fresh replay window fed ``records`` from the start in bridge-sized batches, as
    playing the replay to there would."""
    from logs.replay import ReplaySource
    from ui.scan_panel import feed

    app = _replay(ws, ReplaySource([]), settings_path)
    app.window.level_plot.set_plotted_neighbours(plotted)
    for i in range(0, len(records), 37):
        batch = records[i:i + 37]
        app.window.on_records(batch)
        feed(app.scan_panel, app.window, batch)
    return app


def _arr(a) -> list:
    return np.nan_to_num(np.asarray(a if a is not None else [], dtype=float), nan=-999.0).tolist()


def close_apps(*apps) -> None:
    """Close the replay windows a test opened (None: not opened before it failed)."""
    for a in apps:
        if a is not None:
            a.window.close()
            a.close()


def views(app) -> dict:
    """What every view shows and what the history holds for the next records."""
    win = app.window
    h = win.history
    lp = win.level_plot
    curves = {name: [_arr(v) for v in lp.curve_data(c)] for name, c in
              (("serving", lp.serving_curve), ("other", lp.other_tech_curve), ("quality", lp.quality_curve))}
    curves.update({str(k): [_arr(v) for v in lp.curve_data(c)] for k, c in lp.neighbour_curves.items()})
    route = win.map_view.route
    return {
        "t": _arr(h.t.view()), "level": _arr(h.serving_dbm.view()), "tech": _arr(h.tech.view()),
        "quality": {k: _arr(v.view()) for k, v in h.quality.items()},
        "neighbour_series": {k: (_arr(v.t.view()), _arr(v.dbm.view()), v.present) for k, v in h.neighbours.items()},
        "neighbour_keys": list(h.neighbours),
        "segments": [(s.start_utc, s.end_utc, s.key, s.label, s.cell, s.mode) for s in h.segments],
        "events": list(h.events), "tech_changes": list(h.tech_changes), "current_tech": h.current_tech,
        "positions": [_arr(a.view()) for a in (h.pos_t, h.pos_x, h.pos_y, h.pos_dbm, h.pos_tech)],
        "last_sample": h.last_sample, "last_position": h.last_position, "locked": h.locked,
        "gap_pending": h._gap_pending, "intervals": list(h._intervals), "period": h.sample_period_s(),
        "curves": curves, "legend": lp.legend_labels(), "plot_terms": lp.terms.tech,
        "trace": (list(win.trace.items.bars), win.trace.marker_times(), win.trace.tech_bands()),
        "route": [(_arr(x), _arr(y)) for x, y in zip(route.xs, route.ys)],
        "car": [_arr(v) for v in win.map_view.current.getData()],
        "serving_line": win.map_view.serving_line_points(), "map_info": win.map_view.info.text(),
        "map_legend": win.map_view.legend_labels(),
        "events_list": list(win.events.model.events),
        "neighbour_rows": sorted(win.neighbours.visible_rows()), "neighbours_empty": win.neighbours.empty_reason(),
        "channel": {k: (win.channel_panel.label(k), win.channel_panel.text(k), win.channel_panel.row_shown(k))
                    for k in win.channel_panel.values},
        "tiles": {k: win.tiles.text(k) for k in win.tiles.tiles},
        "scans": list(app.scan_panel.scans), "scan_rows": list(app.scan_panel.model.rows),
        "status": (win.status.last_sample_utc, win.status.period_s),
    }


def _diff(got: dict, want: dict) -> list[str]:
    return [k for k in want if got[k] != want[k]]


@pytest.mark.slow
@pytest.mark.parametrize("long_jump_records", [None, 40])
def test_every_jump_leaves_the_views_a_straight_replay_shows(qtbot, tmp_path, stored, long_jump_records):
    """``long_jump_records`` None: jumps forwards file the stretch they skip; 40: a jump over
    more than 40 records takes over the history read ahead (filed in idle steps since the
    window opened, and what it lacks at the jump)."""
    from logs.replay import ReplaySource

    ws, sid = stored
    with Store.open(ws) as store:
        lazy = store.replay_records(sid, block=BLOCK, cache_blocks=CACHE_BLOCKS)
        eager = list(lazy)  # the same records, read once, for the straight windows
    times = [r.ts_utc for r in eager]
    app = _replay(ws, ReplaySource(lazy), str(tmp_path / "a.ini"))
    if long_jump_records is not None:
        app.long_jump_records = long_jump_records
    adopted = []
    adopt = app.window.adopt_history
    app.window.adopt_history = lambda *a: adopted.append(a[1]) or adopt(*a)
    plotted = [(16, 10), (19, 16)]  # two of the drive's neighbours (ARFCN, BSIC)
    app.window.level_plot.set_plotted_neighbours(plotted)
    controls, t = app.timeline, T0
    # (what, move): forwards far, backwards into each awkward stretch, onto and between samples,
    # onto a gap event (its gap pending), before the first sample, events either way.
    moves = [("forwards to 90 %", lambda: controls.seek(t + 1080.3)),
             ("back onto the gap event", lambda: controls.seek(t + 700.5)),
             ("back into UMTS", lambda: controls.seek(t + 480.0)),
             ("forwards into LTE", lambda: controls.seek(t + 950.7)),
             ("back into the silence", lambda: controls.seek(t + 315.2)),
             ("back among fixes apart", lambda: controls.seek(t + 125.0)),
             ("forwards into no serving cell", lambda: controls.seek(t + 205.0)),
             ("back a little, same stretch", lambda: controls.seek(t + 203.4)),
             ("forwards to the end", lambda: controls.seek(t + SECONDS + 10)),
             ("previous event", controls.prev_event), ("previous event", controls.prev_event),
             ("back before the first sample", lambda: controls.seek(t - 10)),
             ("next event", controls.next_event),
             ("forwards to the lock", lambda: controls.seek(t + 400.5)),
             ("back just before the lock", lambda: controls.seek(t + 400.4)),
             ("forwards past the unlock", lambda: controls.seek(t + 830.0)),
             ("back to the middle of a call", lambda: controls.seek(t + 650.0))]
    straight = None
    try:
        for what, move in moves:
            move()
            qtbot.wait(50)
            app.bridge.drain_now()
            at = app.source.position_utc
            hi = sum(1 for x in times if x <= at)
            straight = _straight(qtbot, ws, eager[:hi], str(tmp_path / "b.ini"), plotted)
            got, want = views(app), views(straight)
            assert not _diff(got, want), (what, at - t, [(k, got[k], want[k]) for k in _diff(got, want) if k in ("legend",)] or _diff(got, want))
            straight.window.close()
            straight.close()
            straight = None
        # The read-ahead served the long jumps forwards (when asked for), and only those.
        assert bool(adopted) == (long_jump_records is not None)
        # Playing on from the last jump draws what playing on from the straight window does.
        app.source.set_speed(64.0)
        app.source.play()
        qtbot.waitUntil(lambda: app.source.position_utc > t + 700, timeout=10000)
        app.source.pause()
        qtbot.wait(300)  # the thread hands over what it had taken before the pause
        app.bridge.drain_now()
        # (Paused, the source has handed over the records up to its last tick, not always up
        # to its position: compare what was delivered.)
        hi = sum(1 for x in times if x <= app._delivered_utc)
        assert app._delivered_utc > t + 690
        straight = _straight(qtbot, ws, eager[:hi], str(tmp_path / "b.ini"), plotted)
        got, want = views(app), views(straight)
        assert not _diff(got, want), ("played on", _diff(got, want))
    finally:
        close_apps(app, straight)


def test_a_backward_jump_rebuilds_no_sample_before_the_new_position(qtbot, tmp_path, stored):
    """Cut, not filled again: jumping back from the end to the middle (or to the previous
    event) rebuilds the samples of one or two blocks at the new position, not the session up
    to there. Counted through the lazy sequence's block reads; the cache is dropped first so
    nothing is served from it."""
    from logs.replay import ReplaySource

    ws, sid = stored
    with Store.open(ws) as store:
        lazy = store.replay_records(sid, block=BLOCK, cache_blocks=CACHE_BLOCKS)
    app = _replay(ws, ReplaySource(lazy), str(tmp_path / "a.ini"))
    try:
        app.timeline.seek(T0 + SECONDS - 30)
        app.bridge.drain_now()
        samples_before_middle = len(app.window.history.sample_t) // 2
        for move in (lambda: app.timeline.seek(T0 + SECONDS / 2), app.timeline.prev_event):
            lazy.close()  # drop the cache: every block the jump needs is read again
            before = lazy.samples_rebuilt
            move()
            app.bridge.drain_now()
            rebuilt = lazy.samples_rebuilt - before
            assert 0 < rebuilt <= 2 * BLOCK < samples_before_middle
            assert app.window.history.last_sample.ts_utc <= app.source.position_utc
    finally:
        app.window.close()
        app.close()


def test_a_long_jump_forwards_takes_the_session_read_ahead(qtbot, tmp_path, stored):
    """The session is filed in idle steps after the window opened; a long jump forwards then
    rebuilds only the samples at the new position (the stretch it skips is in the history
    read ahead), and the views are a straight replay's."""
    from logs.replay import ReplaySource

    ws, sid = stored
    with Store.open(ws) as store:
        lazy = store.replay_records(sid, block=BLOCK, cache_blocks=CACHE_BLOCKS)
        eager = list(lazy)
    app = _replay(ws, ReplaySource(lazy), str(tmp_path / "a.ini"))
    app.long_jump_records = 40
    straight = None
    try:
        assert not app.read_ahead_done
        qtbot.waitUntil(lambda: app.read_ahead_done, timeout=20000)  # on its own, window responsive
        lazy.close()
        before = lazy.samples_rebuilt
        app.timeline.seek(T0 + 1000.5)
        app.bridge.drain_now()
        assert 0 < lazy.samples_rebuilt - before <= 2 * BLOCK < 900
        hi = sum(1 for r in eager if r.ts_utc <= app.source.position_utc)
        straight = _straight(qtbot, ws, eager[:hi], str(tmp_path / "b.ini"), [])
        got, want = views(app), views(straight)
        assert not _diff(got, want), _diff(got, want)
    finally:
        close_apps(app, straight)


FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
# Real logs (tests/fixtures/logs): a Nemo drive (UMTS/GSM, neighbours, events, GPS) and a
# G-NetTrack drive (LTE/UMTS, neighbours, GPS on every line).
REAL_LOGS = ("nemo-RYG0443_R3_R002.3.nmf", "gnettrack-Yas_log.txt")


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL_LOGS)
@pytest.mark.parametrize("stored_session", [False, True], ids=["file", "stored"])
def test_jumps_in_real_logs_leave_a_straight_replays_views(qtbot, tmp_path, name, stored_session):
    """Real logs, replayed from the file (records in memory, in the file's order) and from
    the workspace after an import (the lazy sequence): jumps backwards and forwards, taking
    the read-ahead over or not, leave the views of a straight replay."""
    from fieldapp.importer import import_file
    from logs.registry import pick_reader
    from logs.replay import ReplaySource

    ws = tmp_path / "ws.db"
    if stored_session:
        with Store.open(ws) as store:
            sid = import_file(store, FIX / name).session_id
            records = store.replay_records(sid, block=BLOCK, cache_blocks=CACHE_BLOCKS)
            eager = list(records)
    else:
        with Store.open(ws):
            pass
        records = list(pick_reader(FIX / name, None).open(FIX / name))
        eager = records
    source = ReplaySource(records)
    app = _replay(ws, source, str(tmp_path / "a.ini"))
    app.long_jump_records = 100
    times = source.times_utc
    model = source.timeline
    straight = None
    try:
        for fraction in (0.8, 0.3, 1.0, 0.5):
            app.timeline.seek(model.ts_at(fraction))
            app.timeline.prev_event()
            app.bridge.drain_now()
            at = app.source.position_utc
            hi = sum(1 for x in times if x <= at) if stored_session else _filed_upto(times, at)
            straight = _straight(qtbot, ws, eager[:hi], str(tmp_path / "b.ini"), [])
            got, want = views(app), views(straight)
            assert not _diff(got, want), (fraction, _diff(got, want))
            assert got["last_sample"] is not None
            straight.window.close()
            straight.close()
            straight = None
    finally:
        close_apps(app, straight)


def _filed_upto(times: list[float], at: float) -> int:
    """How many records of a file a jump to ``at`` files: those before the first one after it
    (the replay's bisection of the file's times; a file is nearly in time order)."""
    import bisect

    return bisect.bisect_right(times, at)


def test_a_log_out_of_time_order_is_filed_again_on_a_jump_back(qtbot, tmp_path):
    """A log with a line older than the one before it keeps its file order; the views cannot
    be cut at a time then, so a jump back files the records again from the start, and the
    views are still a straight replay's."""
    import bisect

    from logs.replay import ReplaySource

    records = [r for r in session_records() if r.ts_utc < T0 + 400]
    late = Event(T0 + 250.3, "info", "a line stamped before the sample above it")
    at = next(i for i, r in enumerate(records) if r.ts_utc > T0 + 251)
    records.insert(at, late)
    ws = tmp_path / "ws.db"
    with Store.open(ws):
        pass
    source = ReplaySource(records)
    app = _replay(ws, source, str(tmp_path / "a.ini"))
    straight = None
    trims = []
    trim = app.window.trim_history
    app.window.trim_history = lambda *a: trims.append(a[0]) or trim(*a)
    try:
        for target in (T0 + 390, T0 + 260, T0 + 100):
            app.timeline.seek(target)
            app.bridge.drain_now()
            hi = bisect.bisect_right(source.times_utc, app.source.position_utc)
            straight = _straight(qtbot, ws, records[:hi], str(tmp_path / "b.ini"), [])
            got, want = views(app), views(straight)
            assert not _diff(got, want), (target - T0, _diff(got, want))
            assert (late in got["events"]) == (target > late.ts_utc)
            straight.window.close()
            straight.close()
            straight = None
        assert not app._in_time_order() and not trims
    finally:
        close_apps(app, straight)


def test_a_jump_back_long_after_the_last_fix_reads_back_to_the_fix_only(qtbot, tmp_path):
    """The GPS lost after 100 s of a 20-minute drive: a jump back to the 15th minute reads the
    last sample there and the record that brought the last fix, not the 13 minutes of samples
    between them; the views are a straight replay's (the car where it was last seen)."""
    from logs.replay import ReplaySource

    records = [r if r.ts_utc - T0 < 100 or not isinstance(r, Sample) else replace(r, position=None)
               for r in synthetic.drive(SECONDS)]
    ws = tmp_path / "ws.db"
    with Store.open(ws) as store:
        sid = store.create_session("test:no-fix", start_utc=records[0].ts_utc)
        store.add_samples(sid, [r for r in records if isinstance(r, Sample)])
        store.add_events(sid, [r for r in records if isinstance(r, Event)])
        store.end_session(sid, records[-1].ts_utc)
        lazy = store.replay_records(sid, block=BLOCK, cache_blocks=CACHE_BLOCKS)
        eager = list(lazy)
    app = _replay(ws, ReplaySource(lazy), str(tmp_path / "a.ini"))
    straight = None
    try:
        app.timeline.seek(T0 + SECONDS)
        app.bridge.drain_now()
        lazy.close()
        before = lazy.samples_rebuilt
        app.timeline.seek(T0 + 900.5)
        app.bridge.drain_now()
        assert 0 < lazy.samples_rebuilt - before <= 4 * BLOCK < 800
        assert app.window.history.last_position.ts_utc == T0 + 99
        hi = sum(1 for r in eager if r.ts_utc <= T0 + 900.5)
        straight = _straight(qtbot, ws, eager[:hi], str(tmp_path / "b.ini"), [])
        got, want = views(app), views(straight)
        assert not _diff(got, want), _diff(got, want)
    finally:
        close_apps(app, straight)
