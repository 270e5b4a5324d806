"""Synthetic records through the bridge into the window: what each view then shows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fieldapp.model import EV_HANDOVER, Event, Sample
from tests.ui import synthetic
from ui.events_list import COL_KIND


def feed(qtbot, window, bridge, records):
    bridge.records_arrived.connect(window.on_records)
    for r in records:
        bridge.put(r)
    last = [r for r in records if isinstance(r, Sample)][-1]
    qtbot.waitUntil(lambda: window.history.last_sample is last, timeout=5000)


def test_serving_level_and_rxqual_reach_the_plots_with_unknowns_as_gaps(qtbot, window, bridge, plan_cells):
    records = synthetic.drive(120, plan_cells, call=(30, 90))
    feed(qtbot, window, bridge, records)
    samples = [r for r in records if isinstance(r, Sample)]
    x, y = window.level_plot.curve_data(window.level_plot.serving_curve)
    assert list(x) == [s.ts_utc for s in samples]
    expected = [math.nan if s.rxlev_dbm is None else s.rxlev_dbm for s in samples]
    np.testing.assert_array_equal(y, np.array(expected))
    assert np.isnan(y[13])  # sample 13 reports no level: a gap, never a number
    qx, qy = window.level_plot.curve_data(window.level_plot.rxqual_curve)
    assert np.isnan(qy[:30]).all()  # idle: RXQUAL unknown
    assert list(qy[30:90]) == [s.rxqual for s in samples[30:90]]
    assert window.level_plot.readout.text().startswith("RXLEV")
    hovered = window.level_plot.hover_at(samples[40].ts_utc + 0.2)  # the mouse over second 40
    assert f"RXLEV {samples[40].rxlev_dbm:.0f} dBm" in hovered and f"RXQUAL {samples[40].rxqual}" in hovered
    assert "RXLEV –" in window.level_plot.hover_at(samples[13].ts_utc)  # unknown reads as a dash
    assert window.level_plot.hover_at(None).startswith("RXLEV")


def test_ticking_a_neighbour_in_the_table_plots_it(qtbot, window, bridge, plan_cells):
    feed(qtbot, window, bridge, synthetic.drive(60, plan_cells))
    model = window.neighbours.model
    row = model.rows[0]
    from PySide6.QtCore import Qt
    assert model.setData(model.index(0, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    curve = window.level_plot.neighbour_curves[row.key]
    x, y = window.level_plot.curve_data(curve)
    assert len(x) > 0 and np.nanmax(y) <= -40 and np.nanmin(y) >= -110
    model.setData(model.index(0, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert row.key not in window.level_plot.neighbour_curves


def test_follow_shows_the_chosen_window_and_panning_pauses(qtbot, window, bridge, plan_cells):
    feed(qtbot, window, bridge, synthetic.drive(400, plan_cells))
    plot = window.level_plot
    plot.set_window("1 min")
    lo, hi = plot.x_range()
    last = synthetic.T0_UTC + 399
    assert hi == pytest.approx(last + 1.2, abs=0.5) and hi - lo == pytest.approx(61.2, abs=1)
    plot.level.getViewBox().sigRangeChangedManually.emit([True, False])
    assert not plot.follow and not plot.follow_button.isChecked()
    plot.set_window("All")  # choosing a window resumes following
    lo, hi = plot.x_range()
    assert plot.follow and lo == pytest.approx(synthetic.T0_UTC, abs=1)


def test_neighbour_table_sorted_strongest_first_with_delta_and_names(qtbot, window, bridge, plan_cells):
    feed(qtbot, window, bridge, synthetic.drive(50, plan_cells))
    window.set_cell_plan(plan_cells)
    rows = window.neighbours.visible_rows()
    assert len(rows) == 6
    levels = [int(r[4]) for r in rows]
    assert levels == sorted(levels, reverse=True)
    last = window.history.last_sample
    strongest = max(last.neighbours, key=lambda c: c.rxlev_dbm)
    assert rows[0][1] == str(strongest.arfcn)
    assert rows[0][5] == f"{strongest.rxlev_dbm - last.rxlev_dbm:+.0f}"
    names = {c.name for c in plan_cells}
    assert all(r[3] in names for r in rows)
    from PySide6.QtCore import Qt
    window.neighbours.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # a header click on ARFCN
    arfcns = [int(r[1]) for r in window.neighbours.visible_rows()]
    assert arfcns == sorted(arfcns)
    feed(qtbot, window, bridge, synthetic.drive(52, plan_cells)[-3:])  # stays sorted while live
    arfcns = [int(r[1]) for r in window.neighbours.visible_rows()]
    assert arfcns == sorted(arfcns)


def test_handover_shows_as_marker_and_event_with_details(qtbot, window, bridge, plan_cells):
    window.set_cell_plan(plan_cells)
    records = synthetic.drive(100, plan_cells, call=(20, 90))
    feed(qtbot, window, bridge, records)
    handovers = [r for r in records if isinstance(r, Event) and r.kind == EV_HANDOVER]
    assert handovers
    markers = window.trace.marker_times()
    assert handovers[0].ts_utc in markers
    text = window.trace.describe(handovers[0].ts_utc, tolerance_s=1.0)
    assert text.startswith("Handover:") and plan_cells[0].name in text and plan_cells[1].name in text
    kinds = [window.events.model.index(r, COL_KIND).data() for r in range(window.events.model.rowCount())]
    assert "handover" in kinds and "call released" in kinds
    # Between changes the strip tells which cell served.
    assert window.trace.describe(synthetic.T0_UTC + 10).startswith(plan_cells[0].name)


def test_channel_panel_shows_the_dedicated_channel_and_its_trx(qtbot, window, bridge, plan_cells):
    window.set_cell_plan(plan_cells)
    feed(qtbot, window, bridge, synthetic.drive(35, plan_cells, call=(10, 60)))
    panel = window.channel_panel
    serving = plan_cells[0]
    assert panel.text("mode") == "dedicated"
    assert panel.text("cell") == serving.name
    assert panel.text("tch") == str(serving.trxs[1].arfcns[0])
    assert panel.text("timeslot") == str(34 % 8)
    assert panel.text("trx") == serving.trxs[1].trx_id
    assert panel.text("channel_type") == "TCH/F EFR"
    assert panel.text("ta").startswith("3 (≈ 1660 m)")
    assert panel.text("lock") == "unlocked"


def test_clicking_an_event_moves_plots_and_map_there(qtbot, window, bridge, plan_cells):
    records = synthetic.drive(300, plan_cells, call=(100, 200))
    feed(qtbot, window, bridge, records)
    events = window.events.model.events
    row = next(i for i, e in enumerate(events) if e.kind == EV_HANDOVER)
    target = events[row]
    window.events.activate_row(row)
    lo, hi = window.level_plot.x_range()
    assert lo < target.ts_utc < hi and abs((lo + hi) / 2 - target.ts_utc) < 2
    assert not window.level_plot.follow and not window.map_view.follow
    cx, cy = window.map_view.cursor.getData()
    assert (cx[0], cy[0]) == window.history.position_at(target.ts_utc)
    (x0, x1), (y0, y1) = window.map_view.viewbox.viewRange()
    assert x0 < cx[0] < x1 and y0 < cy[0] < y1


def test_status_bar_shows_age_rate_and_skipped_lines(qtbot, window, bridge, plan_cells):
    from fieldapp.live import LinkStatus

    feed(qtbot, window, bridge, synthetic.drive(20, plan_cells))
    window.status._clock = lambda: synthetic.T0_UTC + 19 + 7
    window.status.tick()
    assert window.status.text("age") == "Last sample: 7 s ago"
    assert window.status.text("rate") == "Rate: 1/s"
    window.apply_status(LinkStatus("connected", device="/dev/ttyUSB0", family="quectel", recording=True,
                                   session_id=12, skipped_lines=3))
    assert window.status.text("skipped") == "Skipped lines: 3"
    assert "REC session 12" in window.status.text("recording")
    window.apply_status(LinkStatus("lost", device="/dev/ttyUSB0", message="/dev/ttyUSB0 disappeared"))
    assert "lost" in window.status.text("state")
    assert window.source_panel.message.text() == "/dev/ttyUSB0 disappeared"


def test_all_fits_the_session_after_a_wider_window_and_after_a_jump_back(qtbot, window, bridge, plan_cells):
    """QA of issue 15 (a 2.6-minute Nemo session in replay): "All" chosen after "60 min" (or the
    default 5 min) kept that hour on the axis, the session a sliver at its left; and a replay
    jump back under "All" (the history cut at the new position) kept the old end. "All" is
    the session so far, with the 2 % headroom."""
    records = synthetic.drive(150, plan_cells)
    feed(qtbot, window, bridge, records)
    plot = window.level_plot
    t0, last = synthetic.T0_UTC, synthetic.T0_UTC + 149
    plot.set_window("60 min")
    assert plot.x_range()[1] - plot.x_range()[0] == pytest.approx(3600 * 1.02, abs=2)
    plot.set_window("All")
    lo, hi = plot.x_range()
    assert lo == pytest.approx(t0, abs=1) and hi == pytest.approx(last + 0.02 * (last - t0), abs=1)
    # what a replay jump back to second 60 does to the views
    assert window.trim_history(t0 + 60.5, lambda ts: reversed([r for r in records if r.ts_utc <= ts]))
    lo, hi = plot.x_range()
    assert lo == pytest.approx(t0, abs=1) and hi == pytest.approx(t0 + 60 * 1.02, abs=1.5)
