"""Every technology in its own terms (issue 18 point 1): GSM, UMTS and LTE records — synthetic
and from the shared Nemo and G-NetTrack samples — through the window; what each view then says.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fieldapp.model import DEDICATED, GSM, IDLE, LTE, NEIGHBOUR, UMTS, Cell, Position, Sample
from fieldapp.tech_terms import ECNO, RSCP, RSRP, RSRQ, RXQUAL, SINR, TERMS, headline
from tests.ui import synthetic

# The shared real samples, as copied with their provenance headers into the fixtures.
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
NEMO = FIXTURES / "nemo-RYG0443_R3_R002.3.nmf"
GNETTRACK = FIXTURES / "gnettrack-Yas_log.txt"
T0 = synthetic.T0_UTC
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def umts(i: int, rscp: float | None = -80.0, ecno: float | None = -8.0, dedicated=False) -> Sample:
    serving = Cell(tech=UMTS, lac=3122, ci=363 * 65536 + 25557, arfcn=10588, pci=33,
                   rscp_dbm=rscp, ecno_db=ecno)
    nbs = (Cell(role=NEIGHBOUR, tech=UMTS, arfcn=10588, pci=159, rscp_dbm=-85.0, ecno_db=-12.0),
           Cell(role=NEIGHBOUR, tech=UMTS, arfcn=10588, pci=114, rscp_dbm=-90.0, ecno_db=-14.0))
    return Sample(T0 + i, UMTS, serving, () if dedicated else nbs, mode=DEDICATED if dedicated else IDLE,
                  position=Position(T0 + i, 52.37 + i * 1e-4, 4.89))


def lte(i: int, rsrp: float | None = -95.0) -> Sample:
    serving = Cell(tech=LTE, lac=174, ci=52033 * 256 + 4, arfcn=1850, pci=400, rsrp_dbm=rsrp, rsrq_db=-10.5,
                   sinr_db=14.0)
    nbs = (Cell(role=NEIGHBOUR, tech=LTE, arfcn=1850, pci=401, rsrp_dbm=-99.0, rsrq_db=-13.0),
           Cell(role=NEIGHBOUR, tech=UMTS, arfcn=10588, pci=159, rscp_dbm=-85.0))
    return Sample(T0 + i, LTE, serving, nbs, mode=IDLE, position=Position(T0 + i, 52.37 + i * 1e-4, 4.89))


def feed(qtbot, window, records):
    window.on_records(list(records))


# ---------------------------------------------------------------------- the one table
def test_the_thresholds_table_holds_domain_md_steps():
    assert [b[0] for b in RSCP.bins[:-1]] == [-75, -85, -95, -105]
    assert [b[0] for b in ECNO.bins[:-1]] == [-6, -10, -14]
    assert [b[0] for b in RSRP.bins[:-1]] == [-80, -90, -100, -110]
    assert [b[0] for b in SINR.bins[:-1]] == [20, 13, 0]
    assert (RSCP.lo, RSCP.hi, RSRP.lo, RSRP.hi, RSRQ.lo, RSRQ.hi) == (-120, -25, -140, -44, -19.5, -3)
    assert RSRP.colour(-85.0) == RSRP.bins[1][2] and RSRP.colour(-111.0) == RSRP.bins[-1][2]
    assert RXQUAL.bin_index(3) == 0 and RXQUAL.bin_index(4) == 1 and RXQUAL.bin_index(7) == 2
    assert RXQUAL.bands() == [(-0.5, 3.5, RXQUAL.bins[0][2]), (3.5, 5.5, RXQUAL.bins[1][2]),
                              (5.5, 7.5, RXQUAL.bins[2][2])]
    assert TERMS[LTE].split_cell_id(52033 * 256 + 4) == f"{52033 * 256 + 4} (eNB 52033 · sector 4)"
    assert TERMS[UMTS].split_cell_id(363 * 65536 + 25557).endswith("(RNC 363 · cell 25557)")
    assert headline(lte(0)) == "RSRP -95.0 dBm  RSRQ -10.5 dB  SINR 14.0 dB"


# ---------------------------------------------------------------------- views, synthetic
def test_umts_is_shown_as_rscp_and_ecno_never_as_rxlev(qtbot, window):
    feed(qtbot, window, [umts(i) for i in range(30)])
    plot = window.level_plot
    assert plot.level.getAxis("left").labelText == "RSCP dBm"
    assert plot.quality.getAxis("left").labelText == "Ec/No dB"
    assert plot.level.getViewBox().viewRange()[1] == pytest.approx([-120, -25])
    _x, q = plot.curve_data(plot.quality_curve)
    assert np.allclose(q, -8.0)
    assert "RSCP -80.0 dBm" in plot.readout.text() and "Ec/No -8.0 dB" in plot.readout.text()
    assert "RXLEV" not in plot.readout.text()
    ch = window.channel_panel
    assert ch.label("bcch") == "UARFCN / PSC" and ch.text("bcch") == "10588 / 33"
    assert "BCCH" not in ch.label("bcch")
    assert ch.text("lac_ci").endswith("(RNC 363 · cell 25557)")
    assert not ch.row_shown("tch") and not ch.row_shown("timeslot")  # GSM-only rows
    assert window.neighbours.headers()[1:5] == ["UARFCN", "PSC", "Name", "RSCP dBm"]
    rows = window.neighbours.visible_rows()
    assert [r[2] for r in rows] == ["159", "114"]  # two neighbours on one UARFCN, told apart by PSC
    assert window.map_view.legend_labels()[0] == "<b>RSCP dBm</b>"


def test_lte_reads_rsrp_rsrq_sinr_tac_and_eci_split(qtbot, window):
    feed(qtbot, window, [lte(i) for i in range(20)])
    plot = window.level_plot
    assert plot.level.getAxis("left").labelText == "RSRP dBm"
    assert plot.quality.getAxis("left").labelText == "RSRQ dB"
    assert plot.quality_combo.isVisibleTo(window) and plot.quality_combo.count() == 2
    plot.quality_combo.setCurrentText("SINR")
    assert plot.quality.getAxis("left").labelText == "SINR dB"
    _x, q = plot.curve_data(plot.quality_curve)
    assert np.allclose(q, 14.0)
    ch = window.channel_panel
    assert ch.label("lac_ci") == "TAC / ECI" and ch.text("lac_ci") == f"174 / {52033 * 256 + 4} (eNB 52033 · sector 4)"
    assert ch.label("bcch") == "EARFCN / PCI" and ch.text("bcch") == "1850 / 400"
    rows = {r[2]: r for r in window.neighbours.visible_rows()}
    assert rows["401"][5] == "-4"  # Δ within LTE
    assert rows["159"][1] == "10588 3G" and rows["159"][5] == "–"  # inter-RAT: tagged, no Δ across units
    assert window.neighbours.headers()[6:] == ["RSRQ dB", "SINR dB"]


def test_a_technology_change_is_marked_on_plot_and_strip_and_the_views_switch(qtbot, window):
    records = [lte(i) for i in range(20)] + [umts(i) for i in range(20, 40)] + \
              [synthetic.sample(i, synthetic.plan()) for i in range(40, 60)]
    records = [r if r.tech != GSM else Sample(T0 + i + 40, GSM, r.serving, r.neighbours, mode=r.mode,
                                              position=Position(T0 + i + 40, 52.38, 4.89))
               for i, r in enumerate(records[:40])] + [Sample(T0 + 40 + j, r.tech, r.serving, r.neighbours,
                                                             mode=r.mode) for j, r in enumerate(records[40:])]
    feed(qtbot, window, records)
    h = window.history
    assert [(t - T0, a, b) for t, a, b in h.tech_changes] == [(20, LTE, UMTS), (40, UMTS, GSM)]
    assert [m[1] for m in window.level_plot.tech_marks.marks] == ["4G→3G", "3G→2G"]
    bands = window.trace.tech_bands()
    assert [(b[0] - T0, b[3]) for b in bands] == [(0, "4G"), (20, "3G"), (40, "2G")]
    assert window.level_plot.level.getAxis("left").labelText == "RXLEV dBm"
    # The serving curve under "RXLEV dBm" holds only the GSM stretch; the RSRP and RSCP stretches
    # are the dashed "other technology" curve, named as such in the legend (QA trial: an RSCP was
    # drawn as if it were the axis's quantity).
    _x, serving = window.level_plot.serving_curve.getData()
    _x, other = window.level_plot.other_tech_curve.getData()
    assert np.isfinite(serving).sum() == 20 and np.isfinite(other).sum() == 40
    assert "Serving, other technology (RSCP / RSRP dBm)" in window.level_plot.legend_labels()
    assert window.channel_panel.label("bcch") == "BCCH ARFCN / BSIC" and window.channel_panel.row_shown("tch")
    # The hover reads each stretch in its own terms.
    assert "RSRP -95.0 dBm" in window.level_plot.hover_at(T0 + 5)
    assert "RSCP -80.0 dBm" in window.level_plot.hover_at(T0 + 25)
    assert "RXLEV" in window.level_plot.hover_at(T0 + 45)
    # The map colours each point by its own technology's steps: RSRP -95 is "-100 to -90"
    # (yellow), RSCP -80 is "-85 to -75" (light green).
    yellow = RSRP.bins[2][2]
    light_green = RSCP.bins[1][2]
    route = window.map_view.route
    assert len(route.xs[window.map_view.bin_colours.index(yellow)]) == 20
    assert len(route.xs[window.map_view.bin_colours.index(light_green)]) == 20


def test_the_neighbour_table_says_why_it_is_empty(qtbot, window):
    assert window.neighbours.empty_reason() == "no sample yet"
    feed(qtbot, window, [umts(0, dedicated=True)])
    assert window.neighbours.empty_reason() == "this handset reports no neighbours in dedicated mode"
    feed(qtbot, window, [umts(1)])
    assert window.neighbours.empty_reason() is None


# ---------------------------------------------------------------------- the shared real logs
def _read(path: Path) -> list:
    from logs.registry import pick_reader

    return list(pick_reader(path).open(path))


@pytest.mark.skipif(not NEMO.is_file(), reason="Nemo fixture not present")
def test_the_nemo_csfb_log_is_shown_as_lte_and_umts(qtbot, window):
    records = _read(NEMO)
    feed(qtbot, window, records)
    h = window.history
    techs = {h.tech_at(i) for i in range(len(h.t))} - {None}
    assert techs == {UMTS, LTE}
    assert h.tech_changes and all(a != b for _t, a, b in h.tech_changes)
    assert window.level_plot.level.getAxis("left").labelText in ("RSCP dBm", "RSRP dBm")
    assert "BCCH" not in window.channel_panel.label("bcch")
    labels = " ".join(s.label for s in h.segments)
    assert not re.search(r"(^|\s)ARFCN 10588", labels) and "UARFCN 10588 PSC" in labels
    assert "TAC 174" in labels  # an LTE cell's area is a TAC
    # UMTS neighbours on one UARFCN are separate rows and separate curves.
    keys = [k for k in h.neighbours if len(k) == 3 and k[2] == UMTS]
    assert len({k[1] for k in keys}) > 3


@pytest.mark.skipif(not GNETTRACK.is_file(), reason="G-NetTrack fixture not present")
def test_the_gnettrack_log_shows_all_three_technologies_on_the_strip(qtbot, window):
    records = _read(GNETTRACK)
    feed(qtbot, window, records)
    labels = {b[3] for b in window.trace.tech_bands()}
    assert labels == {"2G", "3G", "4G"}
    assert len(window.level_plot.tech_marks.marks) == len(window.history.tech_changes) > 10


# ---------------------------------------------------------------------- readouts stay live (point 3)
def test_the_hover_follows_the_data_as_the_plot_scrolls_and_returns_to_live_on_leave(qtbot, window):
    window.show()
    window.level_plot.set_window("1 min")
    samples = [umts(i, rscp=-60.0 - i * 0.5) for i in range(120)]
    window.on_records(samples[:90])
    qtbot.wait(20)
    plot = window.level_plot
    first = plot.hover_scene_at(T0 + 60)  # the mouse rests over second 60
    assert first.split()[0].count(":") == 2 and "RSCP -90.0 dBm" in first
    window.on_records(samples[90:100])  # the plot scrolls 10 s left under the still mouse
    qtbot.wait(20)
    after = plot.readout.text()
    assert "RSCP -95.0 dBm" in after, after  # now second 70 is under the mouse
    assert plot.leave() == plot.readout.text() and plot.readout.text().startswith("UMTS  RSCP -109.5 dBm")


def test_the_level_legend_lists_only_what_is_plotted(qtbot, window):
    from PySide6.QtCore import Qt

    assert window.level_plot.legend_labels() == []  # nothing drawn yet
    window.on_records([umts(i) for i in range(10)])
    assert window.level_plot.legend_labels() == ["Serving"]
    model = window.neighbours.model
    model.setData(model.index(0, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert window.level_plot.legend_labels() == ["Serving", "UARFCN 10588 PSC 159"]
    window.clear_history()  # a replay sought backwards: the ticked neighbour has no data now
    assert window.level_plot.legend_labels() == []


def test_the_source_panel_and_the_status_bar_agree_on_gps(qtbot, window):
    from fieldapp.live import LinkStatus

    window.apply_status(LinkStatus("connected", device="demo", family="quectel", gps="NMEA /dev/pts/7"))
    assert window.status.text("gps") == "GPS: NMEA /dev/pts/7"
    assert window.source_panel.gps_in_use.text() == window.status.text("gps")
    window.apply_status(LinkStatus("disconnected"))
    assert window.source_panel.gps_in_use.text() == window.status.text("gps") == "GPS: none"


def test_the_all_window_keeps_every_sample_in_view_without_moving_every_tick(qtbot, window):
    plot = window.level_plot
    plot.set_window("All")
    window.on_records([umts(i) for i in range(100)])
    lo, hi = plot.x_range()
    assert lo == pytest.approx(T0) and hi >= T0 + 99
    window.on_records([umts(100)])
    assert plot.x_range() == (lo, hi)  # inside the headroom: the axes and bands are not re-laid out
    window.on_records([umts(i) for i in range(101, 400)])
    lo2, hi2 = plot.x_range()
    assert lo2 == pytest.approx(T0) and hi2 >= T0 + 399  # grown to hold the new samples


# ---------------------------------------------------------------------- a plain 27.007 handset
def test_a_plain_lte_handset_reads_rsrp_from_cesq_and_its_registered_tac_eci_in_the_window(qtbot, window):
    """No engineering mode, only +CSQ/+CESQ/+CEREG/+COPS (the generic family on LTE): the plot's
    live readout names the level's source as the channel panel does, and the panel gives the
    TAC/ECI the handset registered with instead of a dash."""
    from tests.drivers.test_plain_lte_handset import CEREG, CESQ_LTE, COPS, CREG_SEARCHING, CSQ, cycle

    samples = [replace(cycle(CSQ, CESQ_LTE, CREG_SEARCHING, CEREG, COPS), ts_utc=T0 + i) for i in range(5)]
    window.on_records(samples)
    readout = window.level_plot.readout.text()
    assert readout.startswith("LTE  RSRP (+CESQ) -101.0 dBm  RSRQ -10.0 dB"), readout
    ch = window.channel_panel
    assert ch.label("lac_ci") == "TAC / ECI"
    assert ch.text("lac_ci") == f"{0x1F00} / {0x79D903} (eNB {0x79D903 // 256} · sector {0x79D903 % 256}) (+CEREG)"
    assert ch.text("level").startswith("RSRP (+CESQ) -101.0 dBm")
    # +CSQ alone on LTE: no level plotted, the RSSI said to be one in the readout too.
    window.on_records([replace(cycle(CSQ, CEREG), ts_utc=T0 + 10)])
    assert "(RSSI (+CSQ) -77 dBm, not an RSRP)" in window.level_plot.readout.text()


def test_a_readout_longer_than_the_bar_keeps_its_start_in_view(qtbot, window):
    """At 1366 pixels with the source panel open the values line of an LTE handset is wider than
    the room left on the bar: it is cut at its end, never at the technology and level name."""
    from tests.drivers.test_plain_lte_handset import CEREG, CESQ_LTE, COPS, CSQ, cycle

    window.on_records([replace(cycle(CSQ, CESQ_LTE, CEREG, COPS), ts_utc=T0)])
    label = window.level_plot.readout
    label.resize(label.fontMetrics().horizontalAdvance("LTE  RSRP (+CESQ) -101.0 dBm  RSR"), label.height())
    shown = label.shown_text()
    assert shown.startswith("LTE  RSRP (+CESQ) -101.0 dBm") and shown.endswith("…"), shown
    assert label.text().endswith("SINR –")  # the whole line is still the label's text
    label.resize(label.fontMetrics().horizontalAdvance(label.text()) + 20, label.height())
    assert label.shown_text() == label.text()


def test_the_other_technology_legend_follows_the_switches(qtbot, window):
    # Fed in three steps as a replay plays: the legend's names are those of the stretches now
    # off the axis, not the ones of the first switch (QA screenshot: "RSRP / RXLEV" under RSRP).
    feed(qtbot, window, [lte(i) for i in range(20)])
    feed(qtbot, window, [umts(i) for i in range(20, 40)])
    assert "Serving, other technology (RSRP dBm)" in window.level_plot.legend_labels()
    feed(qtbot, window, [lte(i) for i in range(40, 60)])
    assert "Serving, other technology (RSCP dBm)" in window.level_plot.legend_labels()


def test_a_sample_with_lte_neighbours_only_is_not_read_in_gsm_terms(qtbot, window):
    """The trial's 10-hour Nemo day: a CELLMEAS that lists only LTE neighbours (no serving cell)
    after UMTS samples showed "UMTS  RXLEV – RXQUAL –" and put PCI under "BSIC", RSRP under
    "RXLEV dBm", RSRQ under "C1". Now the table titles them in LTE terms and the readout and the
    channel panel say there is no serving cell."""
    only_lte = Sample(ts_utc=T0 + 20, tech=None, neighbours=(
        Cell(role=NEIGHBOUR, tech=LTE, arfcn=125, pci=364, rsrp_dbm=-80.0, rsrq_db=-8.0),
        Cell(role=NEIGHBOUR, tech=LTE, arfcn=125, pci=279, rsrp_dbm=-94.0, rsrq_db=-20.0)))
    feed(qtbot, window, [umts(i) for i in range(20)] + [only_lte])
    assert window.neighbours.headers()[1:5] == ["EARFCN", "PCI", "Name", "RSRP dBm"]
    rows = {r[2]: r for r in window.neighbours.visible_rows()}
    assert rows["364"][1] == "125" and rows["364"][4] == "-80.0" and rows["364"][6] == "-8.0"
    assert window.level_plot.readout.text() == "no serving cell"
    assert window.channel_panel.text("level") == "no serving cell"
    assert headline(only_lte) == "no serving cell"
