"""``statistics_clean`` (no fault in the statistics, no alarm: go on site; "alarms not checked"
when no alarm list was imported) and
``statistics_before_after`` (KPIs around the case's action date); see fieldapp/netstats/rules.py."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd

from fieldapp.cases.findings import Citation, Finding
from fieldapp.netstats import kpi as K
from fieldapp.netstats.data import StatsData
from fieldapp.netstats.rule_support import CLEAN_KPIS, MAX_CITES, fmt, num


def statistics_clean(stats: StatsData, spot_cells: list[str]) -> list[Finding]:
    tab = stats.kpi_table("cell", "day", list(CLEAN_KPIS))
    frame = stats.frame("cell")
    cells = spot_cells or sorted(set(frame["object"])) if not frame.empty else spot_cells
    periods = frame["start"].nunique() if not frame.empty else 0
    parts = []
    for cell in cells:
        if tab.empty or cell not in tab.index.get_level_values("object"):
            continue
        mean = tab.loc[cell].mean(numeric_only=True)
        bits = [f"{K.KPI_BY_NAME[k].title.lower()} {fmt(num(mean.get(k)), 1)} {K.KPI_BY_NAME[k].unit}"
                for k in CLEAN_KPIS if num(mean.get(k)) is not None]
        parts.append(f"{cell}: " + ", ".join(bits))
    outside = []
    for cell in cells:
        if tab.empty or cell not in tab.index.get_level_values("object"):
            continue
        mean = tab.loc[cell].mean(numeric_only=True)
        outside += [f"{cell} {K.KPI_BY_NAME[k].title.lower()} {num(mean.get(k)):.1f} {K.KPI_BY_NAME[k].unit}"
                    for k in CLEAN_KPIS if K.KPI_BY_NAME[k].grade(num(mean.get(k))) == "bad"]
    checked = stats.alarms_checked
    sources = stats.alarm_sources()
    seen = "no fault (no hung BCCH, packet, interference or TRX signature)"
    if checked:
        summary = (f"Statistics of {len(parts)} cell(s) over {periods} periods show {seen} and no alarm is active on "
                   f"these cells in the alarm list(s) imported ({', '.join(sources) or 'alarm rows of the case'}): "
                   + "; ".join(parts) + ".")
    else:
        # Step 3.2 (hardware alarms) not done: say so, never "no alarm is active" (trial P0).
        summary = (f"Statistics of {len(parts)} cell(s) over {periods} periods show {seen}: " + "; ".join(parts)
                   + ". Alarms not checked: no alarm list was imported for this case, so the hardware check "
                     "(procedure step 3.2) was not done.")
    if outside:
        summary += " Outside their thresholds (not a fault signature, worth a look): " + "; ".join(outside) + "."
    if checked:
        step = ("Statistics and alarms are clean: go on site and reproduce the complaint at the spot (drive test, and a "
                "CQT per TRX for audio or access complaints), with a network-side trace at the same time.")
        title = "Statistics and alarms clean"
    else:
        step = ("Check the site's alarms first: export the alarm list of these cells for the period from the OSS and "
                "import it (`fieldapp alarms import FILE --case ID`). If it shows no alarm on these cells, go on site and reproduce the "
                "complaint at the spot (drive test, and a CQT per TRX for audio or access complaints).")
        title = "Statistics clean; alarms not checked"
    cites = tuple(Citation(None, None, "counter", p) for p in parts[:MAX_CITES])
    return [Finding("statistics_clean", title, summary, step, cites,
                    "medium" if outside or not checked else "info",
                    {"cells": cells, "periods": int(periods), "outside_thresholds": outside, "source": "statistics",
                     "alarms_checked": checked, "alarm_lists": sources})]


BEFORE_AFTER_KPIS = ("traffic_erl", "call_setup_success_pct", "tch_drop_pct", "tch_drops_per_erlh")


def before_after(stats: StatsData, action_date: str, cells: list[str]) -> list[Finding]:
    try:
        day = datetime.strptime(action_date, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        return []
    frame = stats.frame("cell")
    if frame.empty:
        return []
    cut = pd.Timestamp(day)
    hourly = K.kpis(K.aggregate(frame, "hour"), list(BEFORE_AFTER_KPIS)).reset_index()
    hourly["after"] = hourly["start"] >= cut
    hourly["hour"] = hourly["start"].dt.hour
    chosen = [c for c in (cells or sorted(hourly["object"].unique())) if c in set(hourly["object"])]
    rows, cites, data = [], [], {}
    for cell in chosen:
        h = hourly[hourly["object"] == cell]
        b, a = h[~h["after"]], h[h["after"]]
        if b.empty or a.empty:
            continue
        mean_b, mean_a = b["traffic_erl"].mean(), a["traffic_erl"].mean()
        by_hour = (a.groupby("hour")["traffic_erl"].mean() - b.groupby("hour")["traffic_erl"].mean()).dropna()
        peak_hour = int(by_hour.idxmax()) if not by_hour.empty else None
        cssr_b, cssr_a = num(b["call_setup_success_pct"].mean()), num(a["call_setup_success_pct"].mean())
        drop_b, drop_a = num(b["tch_drop_pct"].mean()), num(a["tch_drop_pct"].mean())
        d = {"traffic_before_erl": num(mean_b), "traffic_after_erl": num(mean_a),
             "traffic_change_erl": num(mean_a - mean_b), "peak_hour": peak_hour,
             "peak_change_erl": num(by_hour.max()) if not by_hour.empty else None,
             "cssr_before_pct": cssr_b, "cssr_after_pct": cssr_a, "drop_before_pct": drop_b, "drop_after_pct": drop_a,
             "hours_before": len(b), "hours_after": len(a)}
        data[cell] = d
        text = (f"{cell}: traffic {fmt(d['traffic_before_erl'], 1)} → {fmt(d['traffic_after_erl'], 1)} Erl per hour "
                f"({d['traffic_change_erl']:+.1f})" + (f", {d['peak_change_erl']:+.1f} Erl at {peak_hour:02d}:00"
                                                         if peak_hour is not None else "")
                + f"; call setup success {fmt(cssr_b, 1)} → {fmt(cssr_a, 1)} %; TCH drops {fmt(drop_b, 2)} → "
                  f"{fmt(drop_a, 2)} %")
        rows.append(text)
        cites.append(Citation(None, cut.timestamp(), "counter", text))
    if not rows:
        return []
    best = max(data, key=lambda c: abs(data[c]["traffic_change_erl"] or 0))
    change = data[best]["traffic_change_erl"] or 0
    verdict = ("traffic rose after the action" if change > 0.5 else "traffic fell after the action" if change < -0.5
               else "no clear traffic change")
    summary = (f"KPIs before and after the action of {action_date} (hours before vs after, same cells): "
               + "; ".join(rows) + f". Largest change on {best}: {verdict}.")
    step = ("Compare with the subscriber's callback and a re-test at the spot (mark the session \"after\"); keep "
            "watching the busy hours for a week." if change > 0.5 else
            "The action did not raise the carried traffic: check it was done as planned and re-test the spot.")
    return [Finding("statistics_before_after", "Statistics before and after the action", summary, step,
                    tuple(cites[:MAX_CITES]), "info", {"action_date": action_date, "cells": data, "verdict": verdict,
                                                        "source": "statistics"})]
