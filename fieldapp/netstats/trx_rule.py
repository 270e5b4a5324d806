"""``trx_fault``: a TRX with alarms or concentrated failures in the statistics, corroborating or
preceding a TRX-by-TRX CQT (reference cases 3 and 4); see fieldapp/netstats/rules.py."""

from __future__ import annotations

from typing import Any

from fieldapp.cases.findings import Citation, Finding
from fieldapp.model import PlanCell
from fieldapp.netstats.data import StatsData, alarm_cell_match
from fieldapp.netstats.rule_support import MAX_CITES, SDCCH_FAIL_PCT, cell_periods, num, plan_for, when


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
            state = "active" if a.get("cleared_utc") is None else f"cleared {when(a['cleared_utc'])}"
            items.append(f"{a.get('severity') or '?'} {a.get('alarm_id') or ''} {a['name']} on {where} since "
                         f"{when(a['raised_utc'])} ({state})".replace("  ", " "))
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
            per_cell.setdefault(cell, {})[trx] = num(v)
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
    agg = cell_periods(stats)
    if not agg.empty and {"sdcch_attempts", "sdcch_seizures"} <= set(agg.columns):
        tot = agg.groupby(level="object").sum(min_count=1)
        for cell, row in tot.iterrows():
            if cell in done or cell in skip_cells:
                continue
            att, seiz = num(row.get("sdcch_attempts")), num(row.get("sdcch_seizures"))
            cong = num(row.get("sdcch_congestion")) or 0.0
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
