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
  send the engineer on site (case 3's start).
- ``statistics_before_after``: KPIs of the day(s) before and after the case's action date
  (case 2: traffic and quality after the tilt change).
- ``packet_data_failed`` (from the field, not the statistics): most data test attempts of the
  case's sessions (``fieldapp record --data-test``) failed → check the packet side (case 7).
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from fieldapp.cases.diagnose import Citation, DiagnosisInput, Finding
from fieldapp.model import PlanCell
from fieldapp.netstats import kpi as K
from fieldapp.netstats.data import StatsData, alarm_cell_match

HUNG_MIN_PERIODS = 3  # periods in a row with no access while handovers still come in
NEAR_ZERO = 2  # "no random access": at most this many in a period
PACKET_FAIL_PCT = 20.0  # below this allocation / TBF success a cell's packet service is down
PACKET_MIN_ATTEMPTS = 10
PACKET_MIN_CELLS = 2
VOICE_OK_PCT = 90.0
BAND45_PCT = 10.0  # idle TCHs in bands 4-5: normally ~0 (docs/network-statistics.md §5)
LOW_ARFCN_MAX = 20
SDCCH_FAIL_PCT = 10.0  # SDCCH seizures failing beyond congestion
MAX_CITES = 8
CLEAN_KPIS = ("call_setup_success_pct", "tch_drop_pct", "sdcch_congestion_pct", "tch_congestion_pct",
              "interference_band45_pct", "ul_tbf_success_pct")


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


def _num(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def _fmt(v: float | None, digits: int = 0) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def _coalesce(df: pd.DataFrame, *names: str) -> pd.Series:
    out = pd.Series(float("nan"), index=df.index)
    for n in names:
        if n in df.columns:
            out = out.combine_first(df[n].astype(float))
    return out


def plan_for(plan: list[PlanCell], name: str, cgi: str | None = None) -> PlanCell | None:
    """The plan's cell for a statistics object: by name, else by CGI (MCC MNC LAC CI in hex)."""
    hit = next((c for c in plan if c.name == name), None)
    if hit is not None or not cgi or len(cgi) < 13:
        return hit
    try:
        lac, ci = int(cgi[-8:-4], 16), int(cgi[-4:], 16)
    except ValueError:
        return None
    return next((c for c in plan if c.lac == lac and c.ci == ci), None)


def _cell_periods(stats: StatsData) -> pd.DataFrame:
    return K.aggregate(stats.frame("cell"), "period")


# ---------------------------------------------------------------------- hung BCCH


def hung_bcch(stats: StatsData, plan: list[PlanCell]) -> list[Finding]:
    agg = _cell_periods(stats)
    if agg.empty:
        return []
    access = _coalesce(agg, "channel_requests", "ia_attempts", "sdcch_attempts")
    seized = _coalesce(agg, "sdcch_seizures", "ia_success")
    ho_in = _coalesce(agg, "ho_in_success")
    traffic = _coalesce(agg, "tch_traffic_erl")
    unavail = _coalesce(agg, "trx_available") < _coalesce(agg, "trx_configured")
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
        normal_access = _num(_coalesce(normal, "channel_requests", "ia_attempts", "sdcch_attempts").mean()) \
            if len(normal) else None
        ho_sum = _num(ho_in.loc[cell].loc[best].sum())
        erl = _num(traffic.loc[cell].loc[best].mean())
        still = bool(rows.iloc[-1])
        pc = plan_for(plan, cell, objects.get(cell, {}).get("cgi"))
        bcch_trx = next((t.trx_id for t in (pc.trxs if pc else ()) if t.timeslots and
                         str(t.timeslots[0]).startswith("BCCH")), None)
        alarms = [a for a in stats.alarms if alarm_cell_match(a, {cell})]
        summary = (f"{cell}: {len(best)} periods in a row from {_when(first.timestamp())} UTC"
                   + (" (and still at the last period)" if still else "")
                   + f" with {NEAR_ZERO} or fewer channel requests and SDCCH seizures per period"
                   + (f" (before: about {normal_access:.0f} per period)" if normal_access else "")
                   + f", while {ho_sum:.0f} handovers came in and it carried {_fmt(erl, 1)} Erl on average; its TRXs "
                     "stay available. Subscribers cannot reach the cell through its BCCH, calls handed in still work: "
                     "a hung BCCH TRX.")
        if alarms:
            summary += " Alarms: " + "; ".join(f"{a['alarm_id'] or ''} {a['name']} since {_when(a['raised_utc'])}"
                                               .strip() for a in alarms[:3]) + "."
        step = (f"Block and de-block the BCCH TRX of {cell}" + (f" ({bcch_trx})" if bcch_trx else "")
                + " (Huawei SET GTRXADMSTAT / Ericsson RXBLI-RXBLE), then check that channel requests and SDCCH "
                  "seizures come back in the next period and repeat test calls at the spot.")
        cites = []
        for start in best[:MAX_CITES // 2]:
            row = agg.loc[(cell, start)]
            cites.append(Citation(None, start.timestamp(), "counter",
                                  f"{cell} {_when(start.timestamp())}: channel requests {_fmt(_num(access[(cell, start)]))}, "
                                  f"SDCCH seizures {_fmt(_num(seized[(cell, start)]))}, handovers in "
                                  f"{_fmt(_num(ho_in[(cell, start)]))}, traffic {_fmt(_num(row.get('tch_traffic_erl')), 2)} Erl"))
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
        pdch, ul = _num(row["pdch_allocation_success_pct"]), _num(row["ul_tbf_success_pct"])
        pdch_att, ul_req = _num(t.get("pdch_alloc_attempts")), _num(t.get("ul_tbf_requests"))
        bad_pdch = pdch is not None and pdch < PACKET_FAIL_PCT and (pdch_att or 0) >= PACKET_MIN_ATTEMPTS
        bad_ul = ul is not None and ul < PACKET_FAIL_PCT and (ul_req or 0) >= PACKET_MIN_ATTEMPTS
        voice = _num(row["tch_assignment_success_pct"]) or _num(row["call_setup_success_pct"])
        if (bad_pdch or bad_ul) and (voice is None or voice >= VOICE_OK_PCT):
            failing.setdefault(bsc_of.get(cell, "?"), []).append((str(cell), {
                "pdch_attempts": pdch_att, "pdch_success_pct": pdch, "ul_tbf_requests": ul_req, "ul_tbf_success_pct": ul,
                "dl_tbf_success_pct": _num(row["dl_tbf_success_pct"]), "voice_pct": voice}))
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
                            f"{_fmt(d['pdch_success_pct'], 1)} % allocated")
            if d["ul_tbf_requests"] is not None:
                bits.append(f"UL TBF {_fmt(d['ul_tbf_success_pct'], 1)} % of {d['ul_tbf_requests']:.0f}")
            parts.append(f"{c}: " + ", ".join(bits) + f"; voice {_fmt(d['voice_pct'], 1)} %")
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
        share = _num(row["interference_band45_pct"])
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
        reasons = [f"{v:.0f} % {what}" for v, what in ((_num(row["drop_bad_quality_pct"]), "on bad quality"),
                                                         (_num(row["drop_sudden_pct"]), "sudden")) if v is not None]
        text = (f"{cell}: {share:.0f} % of idle TCHs in interference bands 4-5, TCH drop rate "
                f"{_fmt(_num(row['tch_drop_pct']), 1)} %" + (f" ({', '.join(reasons)})" if reasons else "")
                + (f", ARFCN {', '.join(map(str, arfcns))}" if arfcns else ""))
        if trx_tot is not None:
            mine = {k.split("/", 1)[1]: _num(v) for k, v in trx_tot.items() if k.startswith(cell + "/")}
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


# ---------------------------------------------------------------------- TRX faults


def trx_fault(stats: StatsData, plan: list[PlanCell], skip_cells: set[str]) -> list[Finding]:
    out = []
    cells = {o["cell"]: o for o in stats.objects if o["kind"] == "cell"}
    all_cells = set(cells) | {o["cell"] for o in stats.objects if o["cell"]}
    # (a) alarms on a TRX or board
    by_cell: dict[str, list[dict[str, Any]]] = {}
    for a in stats.alarms:
        if not (a.get("trx") or a.get("board")):
            continue
        cell = alarm_cell_match(a, all_cells) or a.get("cell") or a.get("managed_object") or "?"
        by_cell.setdefault(cell, []).append(a)
    for cell, alarms in sorted(by_cell.items()):
        pc = plan_for(plan, cell)
        items = []
        for a in alarms:
            where = a.get("trx") or a.get("board")
            if pc and a.get("board") and not a.get("trx"):
                try:
                    n = int(str(a["board"]).split()[-1])
                    if 0 <= n < len(pc.trxs):
                        where = f"{a['board']} ({pc.trxs[n].trx_id}?)"
                except ValueError:
                    pass
            state = "active" if a.get("cleared_utc") is None else f"cleared {_when(a['cleared_utc'])}"
            items.append(f"{a.get('severity') or '?'} {a.get('alarm_id') or ''} {a['name']} on {where} since "
                         f"{_when(a['raised_utc'])} ({state})".replace("  ", " "))
        hung = cell in skip_cells
        summary = f"{cell}: {len(alarms)} TRX/board alarm(s): " + "; ".join(items) + "." + (
            " It corroborates the hung BCCH finding." if hung else "")
        step = (f"Read the TRX's state and fault information (Huawei DSP BTSSTAT / Ericsson RXMSP, RXMFP) on {cell}; "
                "a TRX-by-TRX CQT at the spot shows whether calls on it fail; reset or replace the TRX.")
        cites = tuple(Citation(None, a["raised_utc"], "alarm", t) for a, t in zip(alarms, items))[:MAX_CITES]
        out.append(Finding("trx_fault", f"TRX alarm on {cell}", summary, step, cites, "medium" if hung else "high",
                           {"cell": cell, "alarms": len(alarms), "via": "alarms", "source": "statistics"}))
    # (b) TRX counters: an SDCCH TRX that never gets an immediate assignment while another does
    trx_frame = stats.frame("trx")
    if not trx_frame.empty and "trx_imm_ass_sdcch" in trx_frame.columns:
        tot = trx_frame.groupby("object")["trx_imm_ass_sdcch"].sum(min_count=1)
        per_cell: dict[str, dict[str, float | None]] = {}
        for name, v in tot.items():
            cell, trx = str(name).split("/", 1)
            per_cell.setdefault(cell, {})[trx] = _num(v)
        for cell, trxs in sorted(per_cell.items()):
            if cell in skip_cells:
                continue
            pc = plan_for(plan, cell, cells.get(cell, {}).get("cgi"))
            sd_trx = {t.trx_id for t in (pc.trxs if pc else ()) if any("SDCCH" in str(u) for u in t.timeslots)}
            if not sd_trx:
                continue  # without the cell plan a TRX without SDCCH cannot be told from a failing one
            candidates = [t for t in trxs if t in sd_trx]
            working = [t for t in candidates if (trxs[t] or 0) > 20]
            dead = [t for t in candidates if trxs[t] == 0]
            if not working or not dead:
                continue
            for trx in dead:
                summary = (f"{cell}: TRX {trx} carries SDCCHs (cell plan) but got no immediate assignment on SDCCH in the "
                           f"whole export, while {', '.join(f'{t} got {trxs[t]:.0f}' for t in working)}: every SDCCH "
                           f"seizure the BSC tries on {trx} fails (channel activation refused?). Calls and pagings fail "
                           "whenever the BSC picks it and work on retry.")
                step = (f"Run a TRX-by-TRX CQT on {cell} (calls fail when their SDCCH lands on {trx}) and look at "
                        f"{trx}'s channel activation (CHANNEL ACTIVATION NACK); block {trx}'s SDCCH to confirm, then "
                        "repair or replace the TRX.")
                cites = (Citation(None, None, "counter", f"{cell}/{trx}: immediate assignments on SDCCH 0"),) + tuple(
                    Citation(None, None, "counter", f"{cell}/{t}: immediate assignments on SDCCH {trxs[t]:.0f}")
                    for t in working[:3])
                out.append(Finding("trx_fault", f"SDCCH of {trx} on {cell} never assigned", summary, step, cites, "high",
                                   {"cell": cell, "trx": trx, "via": "trx counters", "source": "statistics"}))
    # (c) no TRX counters: SDCCH seizures failing beyond congestion at cell level
    done = {f.data["cell"] for f in out}
    agg = _cell_periods(stats)
    if not agg.empty and {"sdcch_attempts", "sdcch_seizures"} <= set(agg.columns):
        tot = agg.groupby(level="object").sum(min_count=1)
        for cell, row in tot.iterrows():
            if cell in done or cell in skip_cells:
                continue
            att, seiz = _num(row.get("sdcch_attempts")), _num(row.get("sdcch_seizures"))
            cong = _num(row.get("sdcch_congestion")) or 0.0
            if not att or att < 100 or seiz is None:
                continue
            failed_pct = 100.0 * (att - cong - seiz) / att
            if failed_pct < SDCCH_FAIL_PCT:
                continue
            summary = (f"{cell}: {failed_pct:.0f} % of {att:.0f} SDCCH seizure attempts failed without congestion "
                       f"({cong:.0f} congested, {seiz:.0f} seized); the export has no per-TRX counters, but SDCCH "
                       "failures of a fixed share with good radio point at one TRX's SDCCH.")
            step = (f"Run a TRX-by-TRX CQT on {cell} (calls that fail whenever their SDCCH lands on one TRX) and ask for "
                    "its channel activation failures per TRX; block the suspect TRX's SDCCH to confirm.")
            out.append(Finding("trx_fault", f"SDCCH seizures failing on {cell}", summary, step,
                               (Citation(None, None, "counter", summary.split(";")[0]),), "medium",
                               {"cell": str(cell), "trx": None, "via": "cell counters", "failed_pct": failed_pct,
                                "source": "statistics"}))
    return out


# ---------------------------------------------------------------------- clean, before/after


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
        bits = [f"{K.KPI_BY_NAME[k].title.lower()} {_fmt(_num(mean.get(k)), 1)} {K.KPI_BY_NAME[k].unit}"
                for k in CLEAN_KPIS if _num(mean.get(k)) is not None]
        parts.append(f"{cell}: " + ", ".join(bits))
    outside = []
    for cell in cells:
        if tab.empty or cell not in tab.index.get_level_values("object"):
            continue
        mean = tab.loc[cell].mean(numeric_only=True)
        outside += [f"{cell} {K.KPI_BY_NAME[k].title.lower()} {_num(mean.get(k)):.1f} {K.KPI_BY_NAME[k].unit}"
                    for k in CLEAN_KPIS if K.KPI_BY_NAME[k].grade(_num(mean.get(k))) == "bad"]
    summary = (f"Statistics of {len(parts)} cell(s) over {periods} periods show no fault (no hung BCCH, packet, "
               f"interference or TRX signature) and no alarm is active: " + "; ".join(parts) + ".")
    if outside:
        summary += " Outside their thresholds (not a fault signature, worth a look): " + "; ".join(outside) + "."
    step = ("Statistics and alarms are clean: go on site and reproduce the complaint at the spot (drive test, and a CQT "
            "per TRX for audio or access complaints), with a network-side trace at the same time.")
    cites = tuple(Citation(None, None, "counter", p) for p in parts[:MAX_CITES])
    return [Finding("statistics_clean", "Statistics and alarms clean", summary, step, cites,
                    "medium" if outside else "info",
                    {"cells": cells, "periods": int(periods), "outside_thresholds": outside, "source": "statistics"})]


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
        cssr_b, cssr_a = _num(b["call_setup_success_pct"].mean()), _num(a["call_setup_success_pct"].mean())
        drop_b, drop_a = _num(b["tch_drop_pct"].mean()), _num(a["tch_drop_pct"].mean())
        d = {"traffic_before_erl": _num(mean_b), "traffic_after_erl": _num(mean_a),
             "traffic_change_erl": _num(mean_a - mean_b), "peak_hour": peak_hour,
             "peak_change_erl": _num(by_hour.max()) if not by_hour.empty else None,
             "cssr_before_pct": cssr_b, "cssr_after_pct": cssr_a, "drop_before_pct": drop_b, "drop_after_pct": drop_a,
             "hours_before": len(b), "hours_after": len(a)}
        data[cell] = d
        text = (f"{cell}: traffic {_fmt(d['traffic_before_erl'], 1)} → {_fmt(d['traffic_after_erl'], 1)} Erl per hour "
                f"({d['traffic_change_erl']:+.1f})" + (f", {d['peak_change_erl']:+.1f} Erl at {peak_hour:02d}:00"
                                                         if peak_hour is not None else "")
                + f"; call setup success {_fmt(cssr_b, 1)} → {_fmt(cssr_a, 1)} %; TCH drops {_fmt(drop_b, 2)} → "
                  f"{_fmt(drop_a, 2)} %")
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


DATA_FAIL_SHARE = 0.8  # share of failed data-test attempts that says "packet data does not work here"


def data_test_failures(inp: DiagnosisInput) -> list[Finding]:
    """Packet data from the field (``fieldapp record --data-test``): GPRS attach / PDP activation
    attempts that fail where voice has service point at the packet side of the serving cells."""
    attempts = []
    for session in inp.sessions:
        for ev in session.events:
            d = (ev.data or {}).get("data_test")
            if isinstance(d, dict) and d.get("result"):
                attempts.append((session.session_id, ev.ts_utc, d))
    if len(attempts) < 2:
        return []
    failed = [a for a in attempts if a[2]["result"] != "ok"]
    if len(failed) / len(attempts) < DATA_FAIL_SHARE:
        return []
    errors = sorted({str(d.get("error")) for _s, _t, d in failed if d.get("error")})
    where = sorted({str(d.get("cell")) for _s, _t, d in failed if d.get("cell")})
    names = []
    for w in where:  # "LAC 1026 CI 91" -> the plan's cell
        parts = w.split()
        if len(parts) == 4 and parts[1].isdigit() and parts[3].isdigit():
            pc = next((c for c in inp.plan if c.lac == int(parts[1]) and c.ci == int(parts[3])), None)
            names.append(f"{pc.name} ({w})" if pc else w)
    summary = (f"{len(failed)} of {len(attempts)} data test attempts failed (GPRS attach or PDP context activation"
               + (f": {', '.join(errors)}" if errors else "") + ")"
               + (f" on {', '.join(names)}" if names else "") + ". With service for voice, this points at the "
               "packet side of the cell: packet channel allocation (PCU / packet processors of its BSC), not the "
               "handset's settings if other handsets fail too.")
    step = ("Check the packet statistics of the serving cells and of the other cells of their BSC (packet channel "
            "allocation attempts without allocations, TBF establishment): import them into the case "
            "(`fieldapp stats import FILE --case ID`); if many cells of one BSC fail, check its packet processors.")
    cites = tuple(Citation(sid, ts, "call", f"data attempt {d.get('seq')}: {d['result']}"
                           + (f" ({d['error']})" if d.get("error") else "")) for sid, ts, d in failed[:MAX_CITES])
    return [Finding("packet_data_failed", "Packet data fails from the field", summary, step, cites, "high",
                    {"attempts": len(attempts), "failed": len(failed), "cells": names, "source": "field"})]


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
