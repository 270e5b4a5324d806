"""The report's network statistics section (issue 14): each cell's KPIs over the export
coloured by the KPI thresholds, the KPI charts (``stats-<series>.png``) and the alarm table."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from fieldapp.export_csv import iso_utc
from fieldapp.netstats import kpi as K
from fieldapp.netstats.data import StatsData, cell_kpi_cells

TABLE_KPIS = ["call_setup_success_pct", "random_access_success_pct", "sdcch_congestion_pct", "tch_congestion_pct",
              "tch_drop_pct", "traffic_erl", "interference_band45_pct", "ul_tbf_success_pct"]
# "warning": a good-looking ratio over hours of which many had no attempts (netstats.data.KpiCell)
GRADE_COLOURS = {"good": "#dff0d8", "fair": "#fcf3cf", "warning": "#fbd38d", "bad": "#f5c6c6"}
MAX_ALARMS = 40


def _t(ts: float | None) -> str:
    return (iso_utc(ts, "seconds") or "—").replace("T", " ").replace("Z", "")


def statistics_section(stats: StatsData | None, e: Callable[[str], str], image_src: Callable[[str], str],
                       images: list[str]) -> str:
    if stats is None or stats.empty:
        return ""
    parts = ["<h2>Network statistics and alarms</h2>"]
    frame = stats.frame("cell")
    if not frame.empty:
        start, end = frame["start"].min(), frame["start"].max()
        parts.append(f"<p class='muted'>{frame['object'].nunique()} cell(s), {frame['start'].nunique()} periods from "
                     f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC; KPIs over the whole export (ratios of "
                     "sums; — = no data, never 0). Colours: the KPI thresholds of docs/network-statistics.md; orange = "
                     "a ratio from only some hours, the others had no attempts (shown beside the value).</p>")
        table = cell_kpi_cells(stats, TABLE_KPIS)
        head = "".join(f"<th>{escape(K.KPI_BY_NAME[k].title)} ({escape(K.KPI_BY_NAME[k].unit)})</th>"
                       for k in TABLE_KPIS)
        rows = []
        for cell, values in sorted(table.items()):
            tds = []
            for k in TABLE_KPIS:
                kc = values[k]
                style = f" style='background-color: {GRADE_COLOURS[kc.grade]}'" if kc.grade else ""
                tds.append(f"<td{style}>{escape(kc.text())}</td>")
            rows.append(f"<tr><td>{e(cell)}</td>{''.join(tds)}</tr>")
        parts.append(f"<table class='grid' width='100%' cellspacing='0'><tr><th>Cell</th>{head}</tr>{''.join(rows)}"
                     "</table>")
    for name in images:
        if name.startswith("stats-"):
            parts.append(f"<p><img src='{image_src(name)}' width='640'></p>")
    if stats.alarms:
        rows = []
        for a in stats.alarms[:MAX_ALARMS]:
            where = " / ".join(x for x in (a.get("bsc"), a.get("managed_object"), a.get("trx") or a.get("board")) if x)
            rows.append(f"<tr><td>{escape(a.get('severity') or '?')}</td><td>{e(str(a.get('alarm_id') or ''))} "
                        f"{e(a['name'])}</td><td>{e(where)}</td><td>{_t(a['raised_utc'])}</td>"
                        f"<td>{_t(a['cleared_utc']) if a.get('cleared_utc') else 'active'}</td></tr>")
        parts.append("<h3>Alarms</h3><table class='grid' width='100%' cellspacing='0'><tr><th>Severity</th>"
                     "<th>Alarm</th><th>Object</th><th>Raised (UTC)</th><th>Cleared</th></tr>" + "".join(rows)
                     + "</table>")
        if len(stats.alarms) > MAX_ALARMS:
            parts.append(f"<p class='muted'>… and {len(stats.alarms) - MAX_ALARMS} more alarm(s).</p>")
    elif stats.alarm_lists:  # a clean alarm export is evidence too (trial P10)
        parts.append(f"<p>Alarm list imported ({e(', '.join(stats.alarm_sources()))}): no alarm on these cells in "
                     "the period.</p>")
    else:
        parts.append("<p class='muted'>No alarm list imported for this case: alarms not checked (procedure step "
                     "3.2).</p>")
    return "".join(parts)
