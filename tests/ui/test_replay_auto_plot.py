"""A replay window plots the two strongest neighbours when it opens (``MainWindow.auto_plot_strongest``):
the same two every time, and two that the level plot draws. QA, three stops running: the real
Nemo log below replayed at 64x plotted "UARFCN 10588 PSC 114/303" in about half the runs and
"EARFCN 125 PCI 364/279" in the other half. The pick took the neighbour table's rows of the
sample the first bridge tick happened to end at; at 16:02:04.213 the log has, after the UMTS
measurement, a CELLMEAS line with two LTE neighbours and no serving cell, whose cells then sat in
the legend of the UMTS level plot with no visible trace.

The rule: the strongest neighbours of the first sample (in the records' time order) that has a
serving cell and neighbours of the serving technology with a level (``History.first_plottable``,
``ui.history.strongest_neighbours``), whatever the batches, the speed or a jump.

The log: tests/fixtures/logs/nemo-RYG0443_R3_R002.3.nmf (a real drive, UMTS with LTE stretches).
Its first sample, 16:01:58.567, serves on PSC 303 and lists PSC 159 at -67.7 dBm RSCP and PSC 114
at -73.7: those two are plotted. Real ReplayApp windows under pytest-qt (offscreen).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fieldapp.model import LTE, UMTS, Sample
from tests.ui.test_replay_jumps import _filed_upto, close_apps

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "activateWindow")
NEMO = Path(__file__).resolve().parents[1] / "fixtures" / "logs" / "nemo-RYG0443_R3_R002.3.nmf"
FIRST_PICK = [(10588, 159, UMTS), (10588, 114, UMTS)]  # of 16:01:58.567
FIRST_PICK_NAMES = ["UARFCN 10588 PSC 159", "UARFCN 10588 PSC 114"]
LTE_ONLY_UTC = 1535274124.213  # 16:02:04.213: the CELLMEAS with LTE neighbours and no serving cell


def nemo_records() -> list:
    from logs.registry import pick_reader

    return list(pick_reader(NEMO, None).open(NEMO))


def _lte_only_index(records: list) -> int:
    """Index of the sample at 16:02:04.213 without a serving cell (LTE neighbours only)."""
    return next(i for i, r in enumerate(records)
                if isinstance(r, Sample) and r.ts_utc == LTE_ONLY_UTC and r.serving is None)


def _app(ws: Path, records: list, settings_path: str, *, speed: float = 1.0, paused: bool = True):
    """A replay window as ``fieldapp replay`` opens it (auto-plot of 2 set by ReplayApp)."""
    from fieldapp.app import ReplayApp
    from logs.replay import ReplaySource

    source = ReplaySource(records, speed=speed)
    app = ReplayApp(source, ws, name=NEMO.name, settings_path=settings_path)
    if paused:
        source.pause()
    assert app.window.auto_plot_strongest == 2
    return app


def picked(app) -> dict:
    """What the user sees of the auto-plot: the ticked keys, the neighbour curves of the level
    plot, the legend's neighbour names, and whether each curve draws a value."""
    lp = app.window.level_plot
    return {
        "plotted": list(app.window.neighbours.model.plotted),
        "curves": list(lp.neighbour_curves),
        "legend": [name for name in lp.legend_labels() if not name.startswith("Serving")],
        "drawn": [bool(np.isfinite(lp.curve_data(c)[1]).any()) for c in lp.neighbour_curves.values()],
    }


def _fed(ws: Path, settings_path: str, batches: list[list]):
    """A replay window fed these batches straight, as the bridge's ticks would."""
    app = _app(ws, [], settings_path)
    for batch in batches:
        app.window.on_records(batch)
    return app


def test_the_same_neighbours_are_plotted_however_the_records_are_batched(qtbot, tmp_path):
    records = nemo_records()
    cut = _lte_only_index(records) + 1  # a tick ending right after the LTE neighbour list
    splits = {
        "all at once": [records],
        "one at a time": [[r] for r in records],
        "bridge ticks of 37": [records[i:i + 37] for i in range(0, len(records), 37)],
        "split after the LTE-only sample": [records[:cut], records[cut:]],
        "the first 20 s, then the rest": [[r for r in records if r.ts_utc < records[0].ts_utc + 20],
                                          [r for r in records if r.ts_utc >= records[0].ts_utc + 20]],
    }
    ws = tmp_path / "ws.db"
    seen = {}
    for name, batches in splits.items():
        app = _fed(ws, str(tmp_path / f"{len(seen)}.ini"), batches)
        try:
            seen[name] = picked(app)
        finally:
            close_apps(app)
    want = {"plotted": FIRST_PICK, "curves": FIRST_PICK, "legend": FIRST_PICK_NAMES, "drawn": [True, True]}
    assert seen == dict.fromkeys(splits, want)


@pytest.mark.parametrize("speed", [32.0, 64.0])
def test_a_replay_of_the_real_log_plots_the_same_neighbours_at_any_speed(qtbot, tmp_path, speed):
    """Played through the replay thread and the bridge, as ``fieldapp replay FILE --speed``.
    The window's first tick comes a while after the replay started (a window takes time to
    open): held here until ~32 s of log have been handed over, whose last samples (22 s to 41 s
    into the log) list PSC 159 alone: a pick from them plotted one neighbour, not two."""
    app = _app(tmp_path / "ws.db", nemo_records(), str(tmp_path / "a.ini"), speed=speed, paused=False)
    try:
        time.sleep(32.0 / speed)
        app.window.show()
        qtbot.waitUntil(lambda: app.source.finished, timeout=30000)
        app.bridge.drain_now()
        assert app.window.samples_shown() > 300
        assert picked(app) == {"plotted": FIRST_PICK, "curves": FIRST_PICK, "legend": FIRST_PICK_NAMES,
                               "drawn": [True, True]}
    finally:
        close_apps(app)


def test_lte_neighbours_without_a_serving_cell_are_not_picked(qtbot, tmp_path):
    """From 16:02:04.213 on: the first tick holds only the LTE neighbour list without a serving
    cell; nothing is plotted until the next UMTS sample with its UMTS neighbours (16:02:04.825:
    PSC 114 at -70.3 dBm, PSC 303 at -70.7). A UMTS sample whose only neighbours are LTE
    (inter-RAT, not in the UMTS plot's RSCP) picks nothing either."""
    records = nemo_records()
    i = _lte_only_index(records)
    lte_only = records[i]
    assert {c.tech for c in lte_only.neighbours} == {LTE}
    umts = next(r for r in records[:i] if isinstance(r, Sample) and r.ts_utc == LTE_ONLY_UTC)
    umts_with_lte = replace(umts, neighbours=lte_only.neighbours)
    nothing = {"plotted": [], "curves": [], "legend": [], "drawn": []}
    app = _app(tmp_path / "ws.db", [], str(tmp_path / "a.ini"))
    try:
        app.window.on_records([lte_only])
        assert picked(app) == nothing
        assert app.window.neighbours.model.rowCount() == 2  # the table does list them
        app.window.on_records([umts_with_lte])
        assert picked(app) == nothing
        app.window.on_records(records[i + 1:])
        want = [(10588, 114, UMTS), (10588, 303, UMTS)]
        assert picked(app) == {"plotted": want, "curves": want,
                               "legend": ["UARFCN 10588 PSC 114", "UARFCN 10588 PSC 303"], "drawn": [True, True]}
    finally:
        close_apps(app)


@pytest.mark.parametrize("long_jump_records", [None, 10], ids=["filed", "read-ahead"])
def test_a_jump_plots_what_a_straight_replay_to_there_plots(qtbot, tmp_path, long_jump_records):
    """The replay opens on the LTE-only sample (the first record it hands over), the user jumps
    forwards before playing (the skipped stretch filed at once, or taken from the history read
    ahead), then back: each time the plotted neighbours are those of a window fed the same
    records from the start in bridge-sized batches."""
    records = nemo_records()
    records = records[_lte_only_index(records):]
    ws = tmp_path / "ws.db"
    app = _app(ws, records, str(tmp_path / "a.ini"))
    if long_jump_records is not None:
        app.long_jump_records = long_jump_records
    straight = None
    want = [(10588, 114, UMTS), (10588, 303, UMTS)]
    try:
        app.window.show()
        times = app.source.times_utc
        for fraction in (0.6, 0.2):
            app.timeline.seek(app.source.timeline.ts_at(fraction))
            app.bridge.drain_now()
            hi = _filed_upto(times, app.source.position_utc)
            straight = _fed(ws, str(tmp_path / "b.ini"), [records[k:min(k + 37, hi)] for k in range(0, hi, 37)])
            assert picked(app) == picked(straight) == {
                "plotted": want, "curves": want, "legend": ["UARFCN 10588 PSC 114", "UARFCN 10588 PSC 303"],
                "drawn": [True, True]}, fraction
            close_apps(straight)
            straight = None
    finally:
        close_apps(app, straight)


def test_a_long_jump_to_before_the_first_plottable_sample_plots_nothing_yet(qtbot, tmp_path):
    """The history read ahead holds the whole session, its first plottable sample included
    (16:02:04.825); a jump to 16:02:04.5 takes it over cut there: nothing to plot yet, as in a
    straight replay to there. Playing on over 16:02:04.825 plots its two strongest."""
    records = nemo_records()
    records = records[_lte_only_index(records):]
    app = _app(tmp_path / "ws.db", records, str(tmp_path / "a.ini"))
    app.long_jump_records = 0  # every jump forwards takes the read-ahead over
    try:
        app.window.show()
        qtbot.waitUntil(lambda: app.read_ahead_done, timeout=10000)
        app.timeline.seek(LTE_ONLY_UTC + 0.3)
        app.bridge.drain_now()
        assert app.window.history.last_sample.ts_utc == LTE_ONLY_UTC  # the views took the read-ahead over
        assert picked(app) == {"plotted": [], "curves": [], "legend": [], "drawn": []}
        app.timeline.seek(LTE_ONLY_UTC + 0.7)
        app.bridge.drain_now()
        want = [(10588, 114, UMTS), (10588, 303, UMTS)]
        assert picked(app)["plotted"] == want
    finally:
        close_apps(app)
