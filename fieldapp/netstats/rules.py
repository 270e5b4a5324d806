"""Diagnosis rules over network statistics and alarms (issue 14; docs/domain.md procedure steps 3.1
and 3.2), in the finding model of ``fieldapp.cases.diagnose``: each finding says what it saw in
numbers, cites the periods and counter values (or alarms), and gives the next step.

- ``hung_bcch``: a cell available and carrying handover-in traffic with (near) zero channel
  requests and SDCCH seizures for ``HUNG_MIN_PERIODS`` periods in a row → block and de-block
  its BCCH TRX (cases 1 and 5).
- ``packet_channel_fault``: packet channel allocations (or UL TBF establishments) failing on
  ``PACKET_MIN_CELLS`` or more cells of one BSC while their voice KPIs are normal → the BSC's
  packet processors (case 7).
- ``interference`` (from statistics): idle TCHs in interference bands 4-5, drops on every TRX
  of the cell, on the low ARFCNs across cells → external interference, retune (case 6).
- ``trx_fault``: alarms on a TRX or board of a cell; one TRX whose SDCCH never gets an
  immediate assignment while the cell's other SDCCH TRX does; or, without TRX counters, SDCCH
  seizures failing without congestion → corroborates or precedes a TRX-by-TRX CQT (cases 3, 4).
- ``statistics_clean``: statistics of the spot's cells and no alarm, nothing above → say so and
  send the engineer on site (case 3's start). Without an imported alarm list it says "alarms not checked"
  (step 3.2 not done), never "no alarm is active".
- ``statistics_before_after``: KPIs of the day(s) before and after the case's action date
  (case 2: traffic and quality after the tilt change).
- ``packet_data_failed`` (from the field, not the statistics): most data test attempts of the
  case's sessions (``fieldapp record --data-test``) failed → check the packet side (case 7).
"""

from __future__ import annotations

from typing import Any

from fieldapp.cases.findings import Citation, DiagnosisInput, Finding
from fieldapp.model import PlanCell
from fieldapp.netstats import kpi as K
from fieldapp.netstats.data import StatsData, alarm_cell_match
from fieldapp.netstats.field_data import data_test_failures
from fieldapp.netstats.outcome_rules import before_after, statistics_clean
from fieldapp.netstats.rule_support import (
    BAND45_PCT,
    HUNG_MIN_PERIODS,
    LOW_ARFCN_MAX,
    MAX_CITES,
    NEAR_ZERO,
    PACKET_FAIL_PCT,
    PACKET_MIN_ATTEMPTS,
    PACKET_MIN_CELLS,
    VOICE_OK_PCT,
    cell_periods,
    coalesce,
    fmt,
    num,
    plan_for,
    when,
)
from fieldapp.netstats.trx_rule import trx_fault

__all__ = ["before_after", "data_test_failures", "hung_bcch", "interference", "packet_channel_fault", "plan_for",
           "spot_cells", "statistics_clean", "statistics_findings", "trx_fault"]


# ---------------------------------------------------------------------- hung BCCH


def hung_bcch(stats: StatsData, plan: list[PlanCell]) -> list[Finding]:
    agg = cell_periods(stats)
    if agg.empty:
        return []
    access = coalesce(agg, "channel_requests", "ia_attempts", "sdcch_attempts")
    seized = coalesce(agg, "sdcch_seizures", "ia_success")
    ho_in = coalesce(agg, "ho_in_success")
    traffic = coalesce(agg, "tch_traffic_erl")
    unavail = coalesce(agg, "trx_available") < coalesce(agg, "trx_configured")
    carrying = (ho_in > 0) | (ho_in.isna() & (traffic > 0))
    hit = (access <= NEAR_ZERO) & (seized.fillna(0) <= NEAR_ZERO) & carrying & ~unavail
    out = []
    objects = {o["cell"]: o for o in stats.objects if o["kind"] == "cell"}
    for cell in sorted(agg.index.get_level_values("object").unique()):
        rows = hit.loc[cell]
        run, best = [], []
        for start, flag in rows.items():
            run = run + [start] if flag else []
            if len(run) > len(best):
                best = list(run)
        if len(best) < HUNG_MIN_PERIODS:
            continue
        first = best[0]
        before = agg.loc[cell]
        normal = before[(before.index < first)]
        normal_access = num(coalesce(normal, "channel_requests", "ia_attempts", "sdcch_attempts").mean()) \
            if len(normal) else None
        ho_sum = num(ho_in.loc[cell].loc[best].sum())
        erl = num(traffic.loc[cell].loc[best].mean())
        still = bool(rows.iloc[-1])
        pc = plan_for(plan, cell, objects.get(cell, {}).get("cgi"))
        bcch_trx = next((t.trx_id for t in (pc.trxs if pc else ()) if t.timeslots and
                         str(t.timeslots[0]).startswith("BCCH")), None)
        alarms = [a for a in stats.alarms if alarm_cell_match(a, {cell})]
        summary = (f"{cell}: {len(best)} periods in a row from {when(first.timestamp())} UTC"
                   + (" (and still at the last period)" if still else "")
                   + f" with {NEAR_ZERO} or fewer channel requests and SDCCH seizures per period"
                   + (f" (before: about {normal_access:.0f} per period)" if normal_access else "")
                   + f", while {ho_sum:.0f} handovers came in and it carried {fmt(erl, 1)} Erl on average; its TRXs "
                     "stay available. Subscribers cannot reach the cell through its BCCH, calls handed in still work: "
                     "a hung BCCH TRX.")
        if alarms:
            summary += " Alarms: " + "; ".join(f"{a['alarm_id'] or ''} {a['name']} since {when(a['raised_utc'])}"
                                               .strip() for a in alarms[:3]) + "."
        step = (f"Block and de-block the BCCH TRX of {cell}" + (f" ({bcch_trx})" if bcch_trx else "")
                + " (Huawei SET GTRXADMSTAT / Ericsson RXBLI-RXBLE), then check that channel requests and SDCCH "
                  "seizures come back in the next period and repeat test calls at the spot.")
        cites = []
        for start in best[:MAX_CITES // 2]:
            row = agg.loc[(cell, start)]
            cites.append(Citation(None, start.timestamp(), "counter",
                                  f"{cell} {when(start.timestamp())}: channel requests {fmt(num(access[(cell, start)]))}, "
                                  f"SDCCH seizures {fmt(num(seized[(cell, start)]))}, handovers in "
                                  f"{fmt(num(ho_in[(cell, start)]))}, traffic {fmt(num(row.get('tch_traffic_erl')), 2)} Erl"))
        cites += [Citation(None, a["raised_utc"], "alarm", f"{a['name']} on {a['managed_object']}"
                           + (f" ({a['board']})" if a.get("board") else "")) for a in alarms[:2]]
        out.append(Finding("hung_bcch", f"Hung BCCH TRX on {cell}", summary, step, tuple(cites), "high",
                           {"cell": cell, "since_utc": first.timestamp(), "periods": len(best), "still": still,
                            "ho_in": ho_sum, "bcch_trx": bcch_trx, "alarms": len(alarms), "source": "statistics"}))
    return out


# ---------------------------------------------------------------------- packet channels


def packet_channel_fault(stats: StatsData, plan: list[PlanCell]) -> list[Finding]:
    frame = stats.frame("cell")
    if frame.empty:
        return []
    agg = K.aggregate(frame, "day")
    totals = agg.groupby(level="object").sum(min_count=1)
    tab = K.kpis(totals.assign(hours=agg["hours"].groupby(level="object").sum()),
                 ["pdch_allocation_success_pct", "ul_tbf_success_pct", "dl_tbf_success_pct",
                  "tch_assignment_success_pct", "call_setup_success_pct"])
    bsc_of = {o["cell"]: o["bsc"] or "?" for o in stats.objects if o["kind"] == "cell"}
    failing: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    healthy: dict[str, int] = {}
    for cell, row in tab.iterrows():
        t = totals.loc[cell]
        pdch, ul = num(row["pdch_allocation_success_pct"]), num(row["ul_tbf_success_pct"])
        pdch_att, ul_req = num(t.get("pdch_alloc_attempts")), num(t.get("ul_tbf_requests"))
        bad_pdch = pdch is not None and pdch < PACKET_FAIL_PCT and (pdch_att or 0) >= PACKET_MIN_ATTEMPTS
        bad_ul = ul is not None and ul < PACKET_FAIL_PCT and (ul_req or 0) >= PACKET_MIN_ATTEMPTS
        voice = num(row["tch_assignment_success_pct"]) or num(row["call_setup_success_pct"])
        if (bad_pdch or bad_ul) and (voice is None or voice >= VOICE_OK_PCT):
            failing.setdefault(bsc_of.get(cell, "?"), []).append((str(cell), {
                "pdch_attempts": pdch_att, "pdch_success_pct": pdch, "ul_tbf_requests": ul_req, "ul_tbf_success_pct": ul,
                "dl_tbf_success_pct": num(row["dl_tbf_success_pct"]), "voice_pct": voice}))
        elif pdch is not None or ul is not None:
            healthy[bsc_of.get(cell, "?")] = healthy.get(bsc_of.get(cell, "?"), 0) + 1
    out = []
    for bsc, cells in sorted(failing.items()):
        if len(cells) < PACKET_MIN_CELLS:
            continue
        names = [c for c, _ in cells]
        parts = []
        for c, d in cells:
            bits = []
            if d["pdch_attempts"] is not None:
                bits.append(f"{d['pdch_attempts']:.0f} packet channel allocation attempts, "
                            f"{fmt(d['pdch_success_pct'], 1)} % allocated")
            if d["ul_tbf_requests"] is not None:
                bits.append(f"UL TBF {fmt(d['ul_tbf_success_pct'], 1)} % of {d['ul_tbf_requests']:.0f}")
            parts.append(f"{c}: " + ", ".join(bits) + f"; voice {fmt(d['voice_pct'], 1)} %")
        others = healthy.get(bsc, 0)
        summary = (f"{len(cells)} cells under {bsc} have packet channel allocation attempts without allocations while "
                   f"their voice KPIs are normal ({'; '.join(parts)})"
                   + (f"; {others} other cell(s) of {bsc} are fine" if others else "")
                   + ". Many cells of one BSC losing packet service together points at the BSC's packet processors "
                     "(PCU / RPP), not at the cells.")
        step = (f"Check {bsc}'s packet processors (PCU / RPP-GPH boards and their alarms) and block the faulty ones so "
                f"the cells move to working processors; then repeat a data test (GPRS attach and PDP activation) "
                f"on {names[0]}.")
        cites = tuple(Citation(None, None, "counter", p) for p in parts[:MAX_CITES])
        out.append(Finding("packet_channel_fault", f"Packet channel fault on {bsc}", summary, step, cites, "high",
                           {"bsc": bsc, "cells": names, "source": "statistics"}))
    return out


# ---------------------------------------------------------------------- interference


def _arfcn_list(arfcns: list[int]) -> str:
    """"ARFCN 2, 4, 7", or words when the cell plan gave none (no "off ARFCN the affected ARFCNs")."""
    return f"ARFCN {', '.join(map(str, arfcns))}" if arfcns else "the ARFCNs in interference (no cell plan gave them)"


def interference(stats: StatsData, plan: list[PlanCell]) -> list[Finding]:
    frame = stats.frame("cell")
    if frame.empty:
        return []
    agg = K.aggregate(frame, "day")
    totals = agg.groupby(level="object").sum(min_count=1)
    totals["hours"] = agg["hours"].groupby(level="object").sum()
    tab = K.kpis(totals, ["interference_band45_pct", "tch_drop_pct", "drop_bad_quality_pct", "drop_sudden_pct",
                          "tch_drops_per_erlh"])
    trx_tot = None
    trx_frame = stats.frame("trx")
    if not trx_frame.empty and "tch_drops" in trx_frame.columns:
        trx_tot = trx_frame.groupby("object")["tch_drops"].sum(min_count=1)
    objects = {o["cell"]: o for o in stats.objects if o["kind"] == "cell"}
    hit, clean = [], []
    for cell, row in tab.iterrows():
        share = num(row["interference_band45_pct"])
        if share is None:
            continue
        pc = plan_for(plan, str(cell), objects.get(cell, {}).get("cgi"))
        arfcns = sorted({a for t in (pc.trxs if pc else ()) for a in t.arfcns}) or (
            [pc.bcch_arfcn] if pc and pc.bcch_arfcn is not None else [])
        (hit if share >= BAND45_PCT else clean).append((str(cell), share, row, arfcns))
    if not hit:
        return []
    parts, cites, all_trx = [], [], True
    for cell, share, row, arfcns in hit:
        reasons = [f"{v:.0f} % {what}" for v, what in ((num(row["drop_bad_quality_pct"]), "on bad quality"),
                                                         (num(row["drop_sudden_pct"]), "sudden")) if v is not None]
        text = (f"{cell}: {share:.0f} % of idle TCHs in interference bands 4-5, TCH drop rate "
                f"{fmt(num(row['tch_drop_pct']), 1)} %" + (f" ({', '.join(reasons)})" if reasons else "")
                + (f", ARFCN {', '.join(map(str, arfcns))}" if arfcns else ""))
        if trx_tot is not None:
            mine = {k.split("/", 1)[1]: num(v) for k, v in trx_tot.items() if k.startswith(cell + "/")}
            if mine:
                with_drops = [t for t, v in mine.items() if v]
                text += f"; drops on {len(with_drops)} of {len(mine)} TRXs"
                all_trx &= len(with_drops) == len(mine)
        parts.append(text)
        cites.append(Citation(None, None, "counter", text))
    hit_arfcns = sorted({a for *_x, arfcns in hit for a in arfcns})
    clean_arfcns = sorted({a for *_x, arfcns in clean for a in arfcns})
    low = bool(hit_arfcns) and max(hit_arfcns) <= LOW_ARFCN_MAX and (not clean_arfcns or min(clean_arfcns) > max(hit_arfcns))
    summary = "Interference in the statistics: " + "; ".join(parts) + "."
    if clean:
        summary += " Clean (bands 4-5 below {:.0f} %): {}.".format(
            BAND45_PCT, ", ".join(f"{c} {s:.1f} %" + (f" (ARFCN {', '.join(map(str, a))})" if a else "")
                                  for c, s, _r, a in clean))
    if low:
        summary += (f" The interfered cells all use the low end of the band (ARFCN ≤ {max(hit_arfcns)}), the clean ones "
                    "do not: an external transmitter below the band?")
    if trx_tot is not None and all_trx:
        summary += " Drops on every TRX of the interfered cells: not one faulty TRX."
    step = ("External interference: find the source (another network near the low end of the band, a repeater) and "
            f"move the interfered cells off {_arfcn_list(hit_arfcns)} "
            "(frequency change), then check bands 4-5 and the drop rate the next day.")
    return [Finding("interference", "Interference in the statistics (bands 4-5)", summary, step, tuple(cites[:MAX_CITES]),
                    "high", {"cells": [c for c, *_ in hit], "arfcns": hit_arfcns, "clean_arfcns": clean_arfcns,
                             "low_arfcns": low, "drops_on_every_trx": bool(trx_tot is not None and all_trx),
                             "source": "statistics"})]


# ---------------------------------------------------------------------- all of them


def spot_cells(inp: DiagnosisInput, stats: StatsData) -> list[str]:
    have = set(stats.object_names("cell"))
    named = [c for c in inp.case.cells if c in have]
    if named:
        return named
    seen = []
    for session in inp.sessions:
        for s in session.samples:
            if s.serving is None:
                continue
            pc = next((p for p in inp.plan if p.ci == s.serving.ci and p.ci is not None), None)
            if pc is not None and pc.name in have and pc.name not in seen:
                seen.append(pc.name)
    return seen or sorted(have)


def statistics_findings(inp: DiagnosisInput, stats: StatsData | None) -> list[Finding]:
    field = data_test_failures(inp)
    if stats is None or stats.empty:
        return field
    plan = inp.plan
    found = hung_bcch(stats, plan)
    found += packet_channel_fault(stats, plan)
    found += interference(stats, plan)
    hung_cells = {f.data["cell"] for f in found if f.rule == "hung_bcch"}
    interfered = {c for f in found if f.rule == "interference" for c in f.data["cells"]}
    found += trx_fault(stats, plan, hung_cells | interfered)
    cells = spot_cells(inp, stats)
    active = [a for a in stats.alarms if a.get("cleared_utc") is None and alarm_cell_match(a, set(cells))]
    if not found and not active and not stats.counters.empty:
        found += statistics_clean(stats, cells)
    if inp.case.action_date:
        found += before_after(stats, inp.case.action_date, list(inp.case.cells))
    return field + found
