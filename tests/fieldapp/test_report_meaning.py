"""Issue 13 §7: the report says what it means. A real CQT run on the one-way-trx scenario
(attribute mode, the simulator's listener) and its session, reported to PDF and read back with
pypdf: network result and listener verdicts in separate columns, one-way uplink and downlink
apart, the median RXLEV/RXQUAL of each TRX during its calls, one median everywhere, clock times
on the plots, no workspace path."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from fieldapp.cases import evidence, workflow
from fieldapp.report import gather_report, write_report
from fieldapp.report.html import median_dbm, strip_paths, trx_radio
from fieldapp.report.plots import LabelRows, _clock
from fieldapp.store import Store
from tests.fieldapp.cqt_support import cqt_rig


@pytest.fixture(scope="module")
def cqt_report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cqt-report")
    with cqt_rig(tmp, "one-way-trx", "quectel", seed=11, modes=frozenset({"attribute"}), calls_per_trx=5,
                 auto_audio=True) as (sim, _source, runner, _events):
        runner.run()
        plan = sim.scenario.cell_plan()
    with Store.open(tmp / "ws.db") as store:
        store.put_cell_plan(plan, "scenario:one-way-trx")
        case_id = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "one-way audio",
                                          "description": "they cannot hear me in the mall"})
        evidence.attach_cqt(store, case_id, runner.run_id)
        evidence.attach_session(store, case_id, runner.session_id)
        data = gather_report(store, case_id)
        pdf = write_report(data, tmp / "case.pdf")
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(pdf)).pages)
    return data, text, tmp


def test_the_cqt_table_separates_network_result_from_what_was_heard(cqt_report):
    data, text, _tmp = cqt_report
    for column in ("released normally", "What the listener heard", "one-way uplink", "one-way downlink", "no audio",
                   "median RXLEV", "median RXQUAL"):
        assert column in text, column
    assert "one-way / no audio" not in text and "Released normally" in text
    radio = trx_radio(data.cqt[0], data.sessions)
    assert set(radio) == {"TRX-69-0", "TRX-69-1"}
    for level, qual in radio.values():
        assert level is not None and -110 <= level <= -40 and qual is not None and 0 <= qual <= 7
        assert f"{level:.0f} dBm" in text
    # TRX-69-1 loses the uplink: its row says one-way uplink on every marked call, downlink none.
    heard = text[text.index("What the listener heard"):]
    row = re.search(r"TRX-69-1 (\d+) (\d+)/\d+ (\d+)/\d+ (\d+)/\d+", heard)
    assert row, heard[:600]
    marked, normal, uplink, downlink = (int(g) for g in row.groups())
    assert marked >= 5 and uplink == marked and normal == downlink == 0


def test_one_median_everywhere_and_no_workspace_path(cqt_report):
    data, text, tmp = cqt_report
    levels = [x.rxlev_dbm for s in data.sessions for x in s.samples if x.rxlev_dbm is not None]
    assert median_dbm(levels) in text
    assert str(tmp) not in text and "/tmp/" not in text and "ws.db" in text


def test_paths_clock_labels_and_label_rows():
    assert strip_paths("session 3: import:/home/mh/drives/a.nmf, 2 samples") == "session 3: import:a.nmf, 2 samples"
    assert strip_paths(r"C:\logs\drive b.nmf") == "b.nmf" or strip_paths(r"C:\logs\b.nmf") == "b.nmf"
    assert strip_paths("-85 dBm / 7 dB, TRX 3/4") == "-85 dBm / 7 dB, TRX 3/4"
    assert _clock(1_764_325_637.0, 600) == "10:27:17" and _clock(1_764_325_637.25, 5) == "10:27:17.2"
    rows = LabelRows(2)
    assert [rows.place(x, 50) for x in (0, 10, 20, 60, 120)] == [0, 1, None, 0, 0]


def test_the_session_call_summary_counts_what_the_listener_heard_apart(cqt_report):
    # Trial P10: "Calls 14/14 ok" for a session whose one-way calls all ended in a normal release.
    from fieldapp.report.html import session_calls_text

    data, text, _tmp = cqt_report
    session = next(s for s in data.sessions if s.calls)
    line = session_calls_text(session, data.cqt)
    calls = [c for c in data.cqt[0].calls if c.result == "released"]
    one_way = sum(1 for c in calls if c.listener == "one-way-ul")
    normal = sum(1 for c in calls if c.listener == "normal")
    assert one_way >= 5 and f"{len(calls)} released normally" in line
    assert f"{one_way} one-way uplink" in line and f"{normal} normal" in line
    assert f"({normal} of {normal + one_way} marked calls ok)" in line
    measurements = text[text.index("Measurements"):]
    assert f"{one_way} one-way uplink" in measurements and " ok " not in measurements.split("Cell plan")[1][:80]
    assert not re.search(r"\d+/\d+ ok", text)
