"""The small things a user trips on (issue 18 point 7): Tab in the case Description moves on;
a CQT run is picked from a list; Help holds a guide, the keys and the thresholds; the import
asks the UTC offset the CLI's --utc-offset gives; headless ``record`` shows progress on a
terminal; fields, columns and sites carry tooltips."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPlainTextEdit

from fieldapp.cases.desk import CaseDesk
from tests.fieldapp.case_recordings import recorded

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")
# The shared real samples, as copied with their provenance headers into the fixtures.
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
GNETTRACK = FIXTURES / "gnettrack-Yas_log.txt"
NEMO = FIXTURES / "nemo-RYG0443_R3_R002.3.nmf"


@pytest.fixture
def desk(tmp_path):
    ws, _sid = recorded("tilt13", tmp_path)
    return CaseDesk(ws, author="mhuber")


def test_tab_in_a_long_case_field_moves_to_the_next_field(qtbot, desk):
    from ui.case_form import CaseForm

    form = CaseForm()
    qtbot.addWidget(form)
    longs = [e for e in form.editors.values() if isinstance(e, QPlainTextEdit)]
    assert longs and all(e.tabChangesFocus() for e in longs)


def test_a_cqt_run_is_picked_from_a_list(qtbot, desk):
    from fieldapp.store import Store
    from ui.case_view import CaseView

    with Store.open(desk.workspace) as store:
        run_id = store.create_cqt_run({"number": "123"}, session_id=1)
    case_id = desk.create({"subscriber_number": "0660 1234567", "category": "weak signal"})
    view = CaseView(desk, case_id)
    qtbot.addWidget(view)
    assert view.cqt_combo.count() == 1 and view.cqt_combo.itemData(0) == run_id
    assert view.cqt_combo.itemText(0).startswith(f"{run_id}: ")
    view.cqt_combo.setCurrentIndex(0)
    view.attach_cqt_button.click()
    assert [(e.kind, e.ref) for e in desk.evidence(case_id)] == [("cqt", str(run_id))]


def test_help_holds_a_guide_the_keys_and_the_thresholds(qtbot, window):
    titles = [a.text() for a in window.help_menu.actions() if a.text()]
    assert {"Quick guide", "Keys", "Thresholds and colour steps", "About fieldapp"} <= set(titles)
    dialog = window.show_help("Thresholds", __import__("ui.help_texts").help_texts.thresholds_html())
    text = dialog.browser.toPlainText()
    assert "RSCP dBm" in text and "≥ -75" in text and "SINR dB" in text and "eNB·256" in text
    dialog.close()
    keys = window.show_help("Keys", __import__("ui.help_texts").help_texts.keys_html())
    assert "F9" in keys.browser.toPlainText()
    keys.close()


@pytest.mark.skipif(not GNETTRACK.is_file(), reason="fixtures not present")
def test_the_import_asks_the_utc_offset_of_a_log_without_a_zone(qtbot, tmp_path):
    from fieldapp.importer import ImportJob
    from fieldapp.store import Store
    from ui.import_dialog import ImportDialog, zone_unknown

    assert zone_unknown(GNETTRACK) and not zone_unknown(NEMO)
    ws = tmp_path / "ws.db"

    def factory(path, on_progress, options=None):
        return ImportJob(ws, path, on_progress=on_progress, **({"options": options} if options else {}))

    starts = []
    for options in (None, {"utc_offset_min": 120}):
        dialog = ImportDialog(GNETTRACK, factory, options=options)
        qtbot.addWidget(dialog)
        dialog.start()
        qtbot.waitUntil(lambda d=dialog: d.outcome is not None, timeout=60000)
        assert dialog.outcome == "success"
        assert ("time zone" in dialog.details.toPlainText()) == (options is None)
        with Store.open(ws) as store:
            starts.append(max(store.sessions(), key=lambda s: s.id).start_utc)
    assert starts[0] - starts[1] == pytest.approx(7200.0)  # local time at UTC+2 is two hours earlier in UTC


def test_headless_record_shows_one_progress_line_on_a_terminal():
    from fieldapp.cli.progress import TerminalProgress
    from tests.ui.test_ui_technologies import lte

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    progress = TerminalProgress(tty, every_s=0.0)
    progress.samples, progress.last = 80, lte(0)
    progress.show()
    progress.message("09:00:05 handover: to PCI 401")
    progress.show()
    progress.end()
    out = tty.getvalue()
    assert "80 samples" in out and "RSRP -95.0 dBm" in out and "TAC 174 ECI" in out
    assert "\n09:00:05 handover" in out.replace("\r", "\n") and out.endswith("\n")
    pipe = io.StringIO()
    quiet = TerminalProgress(pipe, every_s=0.0)
    quiet.samples = 3
    quiet.show()
    assert pipe.getvalue() == ""  # a pipe or a log file gets no progress noise


def test_fields_and_columns_carry_tooltips(qtbot, window):
    from PySide6.QtCore import Qt

    sp = window.source_panel
    for w in (sp.port_combo, sp.baud_combo, sp.family_combo, sp.gps_combo, sp.gps_address, sp.case_combo):
        assert w.toolTip(), w
    nb = window.neighbours.model
    from ui.neighbour_table import COLUMN_TIPS, COLUMNS
    assert set(COLUMN_TIPS) == set(range(len(COLUMNS)))
    assert window.channel_panel.labels["lac_ci"].toolTip()
    assert window.level_plot.window_combo.toolTip() and window.map_view.fit_button.toolTip()
    assert nb.headerData(0, Qt.Orientation.Horizontal) == "Plot"
