"""The case's Statistics tab under pytest-qt on real workspaces filled through the CLI
(simulator exports imported into a case): KPI curves per cell with gaps for missing periods,
alarm intervals shaded, the action date marked, the cells × KPIs table coloured by thresholds."""

from __future__ import annotations

import math

import pytest

from fieldapp.cases.desk import CaseDesk
from tests.fieldapp.test_stats_diagnose import cli

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")


def _workspace(tmp_path, capsys, runs, *case_args, alarms=True):
    ws = tmp_path / "ws.db"
    case_id = int(cli(capsys, "case", "new", "--subscriber-number", "+43 660 1", "--category", "weak signal",
                      *case_args, "--workspace", ws).strip())
    for i, (scenario, start) in enumerate(runs):
        cli(capsys, "simulate", "--scenario", scenario, "--stats-out", tmp_path / f"s{i}.csv", "--alarms-out",
            tmp_path / f"a{i}.csv", "--hours", 24, "--start", start)
        cli(capsys, "stats", "import", tmp_path / f"s{i}.csv", "--case", case_id, "--workspace", ws)
        if alarms:
            cli(capsys, "alarms", "import", tmp_path / f"a{i}.csv", "--case", case_id, "--workspace", ws)
    return CaseDesk(ws), case_id


def test_statistics_tab_shows_traffic_rising_after_the_marked_action(qtbot, tmp_path, capsys):
    from ui.case_view import CaseView

    desk, case_id = _workspace(tmp_path, capsys, [("bus-stop-tilt13", "2026-11-01"), ("bus-stop-tilt7", "2026-11-02")],
                               "--action-date", "2026-11-02", "--cells", "HOSP-2, HOSP-1")
    view = CaseView(desk, case_id)
    qtbot.addWidget(view)
    sv = view.stats_view
    assert view.tabs.tabText(view.tabs.indexOf(sv)) == "Statistics"
    sv.select("traffic_erl")
    assert sorted(sv.curves) == ["HOSP-1", "HOSP-2"]
    xs, ys = sv.curves["HOSP-2"].getData()
    assert len(xs) == 48
    cut = 1793577600  # 2026-11-02 00:00 UTC
    before = [y for x, y in zip(xs, ys) if x < cut]
    after = [y for x, y in zip(xs, ys) if x >= cut]
    assert sum(after) / len(after) > 1.3 * sum(before) / len(before)  # tilt 13° → 7°: traffic up
    assert sv.action_line is not None and sv.action_line.value() == cut
    assert "action on 2026-11-02 marked" in sv.info.text()
    assert sv.table.rowCount() == 2 and sv.grades()[("HOSP-2", "call_setup_success_pct")] == "good"


def test_alarm_intervals_shaded_and_missing_periods_are_gaps(qtbot, tmp_path, capsys):
    from ui.stats_view import StatsView

    desk, case_id = _workspace(tmp_path, capsys, [("bcch-hung", "2026-11-01")])
    sv = StatsView()
    qtbot.addWidget(sv)
    sv.set_data(desk.statistics(case_id), cells=["BRIDGE-1", "BRIDGE-2"])
    sv.select("random_access_success_pct")
    assert len(sv.alarm_regions) == 1  # ALM-4122 on BRIDGE-1, still active
    lo, hi = sv.alarm_regions[0].getRegion()
    assert lo == 1793491200 + 8 * 3600 + 137 and hi > lo  # 2026-11-01 08:02:17, two hours after the hang
    _xs, ys = sv.curves["BRIDGE-1"].getData()
    assert all(not math.isnan(y) for y in ys[:6]) and all(math.isnan(y) for y in ys[6:])  # no access: no rate
    sv.select("access_attempts")
    _xs, ys = sv.curves["BRIDGE-1"].getData()
    assert list(ys[6:]) == [0.0] * 18  # the counter itself is a real 0


def test_interference_shows_red_on_the_village_cells(qtbot, tmp_path, capsys):
    from ui.stats_view import StatsView

    desk, case_id = _workspace(tmp_path, capsys, [("low-arfcn-interference", "2026-11-01")])
    sv = StatsView()
    qtbot.addWidget(sv)
    sv.set_data(desk.statistics(case_id))
    grades = sv.grades()
    assert grades[("VILL-1", "interference_band45_pct")] == "bad"
    assert grades[("FARM-1", "interference_band45_pct")] == "good"


def test_a_case_without_statistics_says_how_to_import_them(qtbot, tmp_path, capsys):
    from ui.stats_view import StatsView

    ws = tmp_path / "ws.db"
    case_id = int(cli(capsys, "case", "new", "--subscriber-number", "+43 660 1", "--category", "weak signal",
                      "--workspace", ws).strip())
    sv = StatsView()
    qtbot.addWidget(sv)
    sv.set_data(CaseDesk(ws).statistics(case_id))
    assert "fieldapp stats import" in sv.info.text() and not sv.curves and sv.table.rowCount() == 0


def test_a_ratio_over_hours_without_requests_is_a_warning_not_green(qtbot, tmp_path, capsys):
    # Trial 2026-12-06 P10b: BRIDGE-1's random access success read 99.7 % in green while the cell had
    # no channel request for 18 of 24 hours (a ratio of sums over the 6 hours before the BCCH hung).
    from ui.stats_view import TABLE_KPIS, StatsView

    desk, case_id = _workspace(tmp_path, capsys, [("bcch-hung", "2026-11-01")])
    sv = StatsView()
    qtbot.addWidget(sv)
    sv.set_data(desk.statistics(case_id), cells=["BRIDGE-1", "BRIDGE-2"])
    grades = sv.grades()
    assert grades[("BRIDGE-1", "random_access_success_pct")] == "warning"
    assert grades[("BRIDGE-2", "random_access_success_pct")] == "good"
    col = TABLE_KPIS.index("random_access_success_pct") + 1
    texts = {sv.table.item(r, 0).text(): sv.table.item(r, col) for r in range(sv.table.rowCount())}
    assert texts["BRIDGE-1"].text().endswith(" (no requests in 18 of 24 h)")
    assert float(texts["BRIDGE-1"].text().split()[0]) > 98  # the formula (ratio of sums) is unchanged
    assert "no requests in 18 of 24 h" in texts["BRIDGE-1"].toolTip()
    assert "(" not in texts["BRIDGE-2"].text()  # a cell with requests every hour: the value alone


def test_the_status_line_says_when_no_alarm_list_was_imported(qtbot, tmp_path, capsys):
    from ui.stats_view import StatsView

    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    for sub, alarms in (("with", True), ("without", False)):
        desk, case_id = _workspace(tmp_path / sub, capsys, [("one-way-trx", "2026-11-01")], alarms=alarms)
        sv = StatsView()
        qtbot.addWidget(sv)
        sv.set_data(desk.statistics(case_id))
        assert ("alarms not checked" in sv.info.text()) is not alarms, sv.info.text()
