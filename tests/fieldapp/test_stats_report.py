"""The case report with statistics (issue 14): the statistics findings, the KPI table, the KPI
charts and the alarm table in the real PDF (text read back with pypdf) and HTML."""

from __future__ import annotations

from pypdf import PdfReader

from fieldapp.cases.desk import CaseDesk
from fieldapp.netstats.data import series
from fieldapp.report import gather_report
from fieldapp.report.render import render_images
from tests.fieldapp.test_stats_diagnose import cli


def _case(tmp_path, capsys, scenario="bcch-hung", cells="BRIDGE-1, BRIDGE-2", alarms=True):
    ws = tmp_path / "ws.db"
    case_id = int(cli(capsys, "case", "new", "--subscriber-number", "+43 660 1", "--category",
                      "cannot call despite signal", "--cells", cells, "--workspace", ws).strip())
    cli(capsys, "simulate", "--scenario", scenario, "--stats-out", tmp_path / "s.csv", "--alarms-out",
        tmp_path / "a.csv", "--hours", 36, "--start", "2026-11-01")
    for f in ("s.csv", "s_trx.csv"):
        cli(capsys, "stats", "import", tmp_path / f, "--case", case_id, "--workspace", ws)
    if alarms:
        cli(capsys, "alarms", "import", tmp_path / "a.csv", "--case", case_id, "--workspace", ws)
    return ws, case_id


def _pdf_text(tmp_path, capsys, ws, case_id) -> str:
    out = tmp_path / "r.pdf"
    cli(capsys, "case", "report", case_id, "--out", out, "--workspace", ws)
    return " ".join(" ".join(page.extract_text() for page in PdfReader(out).pages).split())


def test_report_tells_an_empty_alarm_list_from_no_alarm_list(tmp_path, capsys):
    # Trial 2026-12-06 P10: "No alarm imported for this case." after a clean (empty) list was imported.
    (tmp_path / "a").mkdir()
    ws, case_id = _case(tmp_path / "a", capsys, "one-way-trx", "CITY-1")
    text = _pdf_text(tmp_path, capsys, ws, case_id)
    assert "Alarm list imported (a.csv): no alarm on these cells in the period" in text
    assert "No alarm imported" not in text and "alarms not checked" not in text.lower()
    (tmp_path / "b").mkdir()
    ws, case_id = _case(tmp_path / "b", capsys, "one-way-trx", "CITY-1", alarms=False)
    text = _pdf_text(tmp_path, capsys, ws, case_id)
    assert "No alarm list imported for this case: alarms not checked" in text
    assert "Alarm list imported" not in text and "no alarm is active" not in text


def test_pdf_report_has_statistics_findings_kpi_table_charts_and_alarms(tmp_path, capsys):
    ws, case_id = _case(tmp_path, capsys)
    out = tmp_path / "r.pdf"
    cli(capsys, "case", "report", case_id, "--out", out, "--workspace", ws)
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    text = " ".join(text.split())
    assert "Hung BCCH TRX on BRIDGE-1" in text and "Block and de-block the BCCH TRX" in text
    assert "Network statistics and alarms" in text and "Call setup success" in text
    assert "4122 Radio link prompt alarm" in text and "active" in text
    desk = CaseDesk(ws)
    with desk.store() as store:
        data = gather_report(store, case_id)
    images = render_images(data)
    charts = sorted(n for n in images if n.startswith("stats-"))
    assert charts == ["stats-access_attempts.png", "stats-ho_in_success.png", "stats-random_access_success_pct.png",
                      "stats-traffic_erl.png"]
    assert all(images[n].width() == 900 for n in charts)


def test_series_leave_gaps_for_missing_periods(tmp_path, capsys):
    ws, case_id = _case(tmp_path, capsys)
    with CaseDesk(ws).store() as store:
        data = gather_report(store, case_id)
    pts = dict(series(data.stats, "random_access_success_pct", cells=["BRIDGE-1"])["BRIDGE-1"])
    hung = [t for t, v in sorted(pts.items())][6:]
    assert all(pts[t] is None for t in hung)  # no channel request at all: no rate (a gap), not 0 %
    assert all(pts[t] is not None and pts[t] > 95 for t in sorted(pts)[:6])


def _ink_runs(image, y0: int, y1: int, join_px: int = 10) -> list[int]:
    """Widths (px) of the runs of columns holding dark pixels between rows y0 and y1; gaps
    narrower than join_px (between the characters and words of one label) join a run."""
    runs, start, last = [], None, None
    for x in range(image.width()):
        if any(image.pixelColor(x, y).lightness() < 128 for y in range(y0, y1)):
            if start is None or x - last > join_px:
                if start is not None:
                    runs.append(last - start + 1)
                start = x
            last = x
    return runs + ([last - start + 1] if start is not None else [])


def test_kpi_chart_time_labels_do_not_overlap_over_four_days(tmp_path, capsys):
    # Trial 2026-12-06: four days of hourly counters drew 16 labels of ~70 px on ~690 px
    # ("03.12 0800 02 1800…"). Each label must stay a separate run of ink under the plot.
    from fieldapp.report.render import ensure_qt
    from fieldapp.report.stats_plot import LABEL_PX, kpi_chart, time_step_s

    ws = tmp_path / "ws.db"
    case_id = int(cli(capsys, "case", "new", "--subscriber-number", "+43 660 1", "--category", "weak signal",
                      "--cells", "HOSP-2", "--workspace", ws).strip())
    cli(capsys, "simulate", "--scenario", "bus-stop-tilt13", "--stats-out", tmp_path / "s.csv",
        "--hours", 96, "--start", "2026-11-01")
    cli(capsys, "stats", "import", tmp_path / "s.csv", "--case", case_id, "--workspace", ws)
    with CaseDesk(ws).store() as store:
        data = gather_report(store, case_id)
    ensure_qt()
    image = kpi_chart(data.stats, "traffic_erl", cells=["HOSP-2"], width=900, height=300)
    bottom = 300 - 40
    runs = _ink_runs(image, bottom + 5, bottom + 19)
    assert len(runs) >= 3  # the axis is labelled at all
    assert max(runs) < LABEL_PX  # no two labels run into each other
    # the step rule itself, for the spans a case meets (plot 690 px wide)
    for hours in (6, 24, 48, 96, 24 * 14, 24 * 60):
        step = time_step_s(hours * 3600, 690)
        assert step * 690 / (hours * 3600) >= LABEL_PX or step == 28 * 86400


def test_report_kpi_table_flags_a_ratio_over_hours_without_requests(tmp_path, capsys):
    # Trial 2026-12-06 P10b: the KPI table coloured BRIDGE-1's random access success green although
    # the cell had no channel request for most of the export; the hours without any are shown.
    from fieldapp.report.stats_html import GRADE_COLOURS, statistics_section

    ws, case_id = _case(tmp_path, capsys)  # 36 h, the BCCH hangs from hour 6
    with CaseDesk(ws).store() as store:
        data = gather_report(store, case_id)
    html = statistics_section(data.stats, str, lambda n: n, [])
    row = next(r for r in html.split("<tr>") if r.startswith("<td>BRIDGE-1</td>"))
    cells = row.split("<td")[2:]
    ra = cells[_table_index("random_access_success_pct")]
    assert "(no requests in 30 of 36 h)" in ra and GRADE_COLOURS["warning"] in ra
    assert GRADE_COLOURS["good"] not in ra
    other = next(r for r in html.split("<tr>") if r.startswith("<td>BRIDGE-2</td>"))
    assert "no requests" not in other
    text = _pdf_text(tmp_path, capsys, ws, case_id)
    assert "30 of 36 h" in text


def _table_index(name: str) -> int:
    from fieldapp.report.stats_html import TABLE_KPIS

    return TABLE_KPIS.index(name)
