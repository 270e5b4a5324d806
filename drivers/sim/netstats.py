"""Network statistics and alarms of the simulated network (issue 14): hourly counters per cell
and TRX, consistent with the scenario's world and faults, as an OSS would export them.

Counters are canonical measurements (``logs/stats_counters.csv``) in plain dicts; the vendor
layouts are written by ``logs/stats_write.py`` (drivers never import logs). What each fault
does to them (docs/domain.md §2, docs/network-statistics.md §5):

- ``bcch_hung`` (cases 1, 5): from the fault's onset no channel request, no SDCCH seizure, no
  TCH assignment, while incoming handovers (and their traffic) still arrive and the TRXs stay
  available; Huawei raises ALM-4122 "Radio link prompt alarm" (no traffic on the TRX).
- ``sdcch_activation_fails`` on a TRX (case 4): SDCCH seizures fail whenever the BSC picks that
  TRX's SDCCH; its immediate assignments on SDCCH are zero. No alarm (as in the case).
- an external interferer over a TRX's ARFCNs (case 6): idle TCHs in interference bands 4-5,
  bad-quality and sudden drops on every interfered TRX, uplink RXQUAL 5-7 measurement reports.
- ``packet_processor_fault`` on a BSC (case 7): packet channel allocation attempts without
  allocations and UL/DL TBF establishment failing on every cell of the BSC; voice normal.
- ``dead`` TRX: unavailable (fewer available TRXs and TCHs), Huawei 4102 "TRX LAPD Link Interrupt
  Alarm"; a dead BCCH TRX (cell off air): no traffic at all, Huawei 1000 "LAPD OML Fault".
- the audio faults (case 3) leave no trace in the counters: statistics are clean.
- downtilt: the best server of the scenario's spot is offered the spot's demand in proportion to
  its level there, so tilt 13° → 7° raises its traffic (case 2); what a cell carries is capped by
  its TCHs (Erlang B), the blocked attempts show as TCH congestion.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from drivers.sim.scenario import CellSpec, Scenario
from drivers.sim.world import World

PERIOD_S = 3600
SPOT_DEMAND_ERL = 5.0  # offered by subscribers around the complaint spot at the evening peak
INTERFERED_DBM = -100.0  # an interferer received this strong at the site fills bands 4-5
HUNG_FROM_HOUR = 6  # the BCCH hangs this many hours into the export (the "since a given hour")


def erlang_b(offered_erl: float, channels: int) -> float:
    """Blocking probability of ``channels`` servers offered ``offered_erl`` (Erlang B recursion)."""
    b = 1.0
    for k in range(1, channels + 1):
        b = offered_erl * b / (k + offered_erl * b)
    return b


def profile(hour: int) -> float:
    """Share of the busy-hour traffic at a local hour: night trough, day plateau, evening peak."""
    day = math.exp(-((hour - 11.5) / 3.5) ** 2) * 0.75
    evening = math.exp(-((hour - 19) / 2.0) ** 2)
    return max(0.08, min(1.0, 0.08 + day + evening))


@dataclass
class SimAlarm:
    raised_utc: float
    cleared_utc: float | None
    severity: str
    alarm_id: str
    name: str
    bsc: str
    cell: str
    site: str
    board_no: int
    cell_index: int
    trx: str | None = None
    text: str = ""


@dataclass
class SimStats:
    rows: list[dict[str, Any]] = field(default_factory=list)  # start_utc, period_s, kind, bsc, cell, trx, cgi, values
    alarms: list[SimAlarm] = field(default_factory=list)


def _sdcch_weight(use: str) -> int:
    return 8 if use == "SDCCH/8" else 4 if use == "BCCH+SDCCH/4" else 0


def cgi(cell: CellSpec) -> str:
    """Huawei's CGI text: MCC (3) MNC (2) LAC (4 hex) CI (4 hex), e.g. 46000A1B2C3D4."""
    return f"{cell.mcc:03d}{cell.mnc:02d}{cell.lac:04X}{cell.ci:04X}"


def simulate(scenario: Scenario, *, start_utc: float, hours: int, seed: int = 1) -> SimStats:
    world = World(scenario, seed)
    spot = world.proj.xy(*scenario.movement.waypoints[0])
    levels = [world.mean_level_dbm(i, *spot, scenario.movement.indoor_loss_db) for i in range(len(scenario.cells))]
    best = max(range(len(levels)), key=lambda i: levels[i])
    spot_share = min(1.0, max(0.0, (levels[best] + 92.0) / 16.0))
    out = SimStats()
    for index, cell in enumerate(scenario.cells):
        rng = random.Random(seed * 7_919 + index * 104_729)
        interfered = _interfered_trxs(world, index, cell)
        hung_from = start_utc + HUNG_FROM_HOUR * PERIOD_S if cell.bcch_hung else None
        for h in range(hours):
            t = start_utc + h * PERIOD_S
            hour = int((t // 3600) % 24)
            spot_erl = SPOT_DEMAND_ERL * profile(hour) * spot_share if index == best else 0.0
            hung = hung_from is not None and t >= hung_from
            cell_row, trx_rows = _hour(rng, scenario, cell, profile(hour), spot_erl, hung, interfered)
            base = {"start_utc": t, "period_s": PERIOD_S, "bsc": cell.bsc_name, "cell": cell.name, "cgi": cgi(cell)}
            out.rows.append({**base, "kind": "cell", "trx": None, "values": cell_row})
            for trx_id, values in trx_rows:
                out.rows.append({**base, "kind": "trx", "trx": trx_id, "values": values})
        for i, trx in enumerate(cell.trxs):
            if "dead" in trx.faults or (i == 0 and "dead" in cell.faults):
                bcch = trx.timeslots[0].startswith("BCCH")
                out.alarms.append(SimAlarm(
                    raised_utc=start_utc - 3 * PERIOD_S + 611, cleared_utc=None,
                    severity="critical" if bcch else "major", alarm_id="1000" if bcch else "4102",
                    name="LAPD OML Fault" if bcch else "TRX LAPD Link Interrupt Alarm", bsc=cell.bsc_name,
                    cell=cell.name, site=cell.site or cell.name, board_no=i, cell_index=cell.ci, trx=trx.trx_id))
        if hung_from is not None and hours > HUNG_FROM_HOUR + 2:
            bcch = next(i for i, t in enumerate(cell.trxs) if t.timeslots[0].startswith("BCCH"))
            out.alarms.append(SimAlarm(
                raised_utc=hung_from + 2 * PERIOD_S + 137, cleared_utc=None, severity="warning", alarm_id="4122",
                name="Radio link prompt alarm", bsc=cell.bsc_name, cell=cell.name, site=cell.site or cell.name,
                board_no=bcch, cell_index=cell.ci, trx=cell.trxs[bcch].trx_id,
                text="Sub-No=2 (no traffic on the TRX)"))
    return out


def _interfered_trxs(world: World, index: int, cell: CellSpec) -> set[str]:
    g = world.cells[index]
    hit = set()
    for k, (it, _x, _y) in enumerate(world.interferers):
        level = world._interferer_dbm(k, g.x, g.y, 0.0)
        if level < INTERFERED_DBM:
            continue
        for trx in cell.trxs:
            if any(it.covers(a) for a in trx.arfcns):
                hit.add(trx.trx_id)
    return hit


def _n(rng: random.Random, mean: float) -> int:
    """A count around ``mean`` (Gaussian approximation of Poisson; never negative)."""
    if mean <= 0:
        return 0
    return max(0, int(round(rng.gauss(mean, math.sqrt(mean)))))


def _hour(rng: random.Random, scenario: Scenario, cell: CellSpec, load: float, spot_erl: float, hung: bool,
          interfered: set[str]) -> tuple[dict[str, float], list[tuple[str, dict[str, float]]]]:
    trxs = [t for t in cell.trxs]
    dead = {t.trx_id for t in trxs if "dead" in t.faults}
    n_tch = sum(len(t.tch_slots()) for t in trxs if t.trx_id not in dead)
    n_tch_configured = sum(len(t.tch_slots()) for t in trxs)
    if cell.off_air:
        zero = {k: 0 for k in ("channel_requests", "sdcch_attempts", "sdcch_seizures", "tch_attempts",
                               "tch_assignments", "ho_in_success", "ho_out_success", "tch_drops", "ul_tbf_requests")}
        return ({**zero, "tch_traffic_erl": 0.0, "tch_available": 0, "tch_configured": n_tch_configured,
                 "trx_configured": len(trxs), "trx_available": 0}, [])
    sd_weights = {t.trx_id: sum(_sdcch_weight(u) for u in t.timeslots) for t in trxs}
    sd_total = sum(sd_weights.values()) or 1
    failing_sd = sum(w for t in trxs for w in [sd_weights[t.trx_id]] if "sdcch_activation_fails" in t.faults)
    sd_ok_share = 1.0 - failing_sd / sd_total
    share_interfered = len([t for t in trxs if t.trx_id in interfered]) / len(trxs)
    packet_fault = scenario.packet_fault(cell)

    offered = min(0.3 * n_tch, 9.0) * load + spot_erl
    blocking = erlang_b(offered, n_tch) if n_tch else 1.0  # the cell's TCHs cap what it carries
    erl_mean = offered * (1.0 - blocking)
    calls = erl_mean * 3600 / 90.0  # 90 s mean holding time
    ho_in = _n(rng, calls * 0.45)
    ho_in_att = ho_in + _n(rng, ho_in * 0.02)
    if hung:  # nothing reaches the cell through its BCCH; handovers still come in
        assignments = attempts = sd_att = sd_seiz = sd_cong = ch_req = 0
        ho_in = _n(rng, calls * 0.25)
        ho_in_att = ho_in + _n(rng, ho_in * 0.02)
        erl = ho_in * 60.0 / 3600.0
        calls_here = ho_in
    else:
        assignments = _n(rng, calls)
        attempts = assignments + _n(rng, assignments * 0.006) + _n(rng, calls * blocking / max(1e-9, 1 - blocking))
        sd_att = _n(rng, calls * 2.2)
        sd_cong = _n(rng, sd_att * 0.001)
        sd_seiz = max(0, int(round((sd_att - sd_cong) * sd_ok_share)) - _n(rng, sd_att * 0.002))
        ch_req = sd_att + _n(rng, sd_att * 0.01)
        erl = max(0.0, rng.gauss(erl_mean, 0.05 * erl_mean + 0.05))
        calls_here = assignments + ho_in
    drop_rate = 0.003 + (0.05 * share_interfered)
    drops = _n(rng, calls_here * drop_rate)
    if share_interfered:
        reasons = {"tch_drops_bad_quality": 0.55, "tch_drops_sudden": 0.3, "tch_drops_low_ss": 0.05, "tch_drops_ta": 0.0}
    else:
        reasons = {"tch_drops_low_ss": 0.35, "tch_drops_bad_quality": 0.25, "tch_drops_sudden": 0.15, "tch_drops_ta": 0.05}
    reason_counts = {k: int(round(drops * v)) for k, v in reasons.items()}
    idle = max(0.0, n_tch - erl) * 360  # idle TCH scans in the hour
    clean_bands = (0.92, 0.06, 0.02, 0.0, 0.0)
    hit_bands = (0.25, 0.15, 0.15, 0.25, 0.20)
    bands = [idle * ((1 - share_interfered) * c + share_interfered * b) * rng.uniform(0.85, 1.15)
             for c, b in zip(clean_bands, hit_bands)]  # the interferer's load varies from hour to hour
    ul_req = 0 if hung else _n(rng, calls * 1.2)  # packet access goes through the same CCCH
    dl_att = 0 if hung else _n(rng, calls * 1.5)
    pdch_att = _n(rng, ul_req * 0.3)
    if packet_fault:
        ul_rej, dl_fail, pdch_fail = ul_req, dl_att - _n(rng, dl_att * 0.01), pdch_att
    else:
        ul_rej, dl_fail, pdch_fail = _n(rng, ul_req * 0.004), _n(rng, dl_att * 0.004), _n(rng, pdch_att * 0.002)
    ho_out = _n(rng, calls_here * 0.5)
    cell_values: dict[str, float] = {
        "channel_requests": ch_req, "ra_failed": _n(rng, ch_req * 0.005) if ch_req else 0, "ra_accepted_ps": ul_req,
        "ia_attempts": sd_att, "ia_success": sd_seiz,
        "sdcch_attempts": sd_att, "sdcch_congestion": sd_cong, "sdcch_seizures": sd_seiz,
        "sdcch_drops": _n(rng, sd_seiz * 0.003),
        "tch_attempts": attempts, "tch_assignments": assignments, "tch_busy_failures": attempts - assignments,
        "tch_drops": drops, **reason_counts,
        "ho_out_attempts": ho_out + _n(rng, ho_out * 0.03), "ho_out_success": ho_out,
        "ho_in_attempts": ho_in_att, "ho_in_success": ho_in,
        "tch_traffic_erl": round(erl, 3),
        "tch_available": n_tch, "tch_configured": n_tch_configured, "trx_configured": len(trxs),
        "trx_available": len(trxs) - len(dead),
        "pdch_alloc_attempts": pdch_att, "pdch_alloc_failures": pdch_fail,
        "ul_tbf_requests": ul_req, "ul_tbf_rejects": ul_rej, "dl_tbf_attempts": dl_att, "dl_tbf_failures": dl_fail,
        **{f"idle_tch_band{i + 1}": round(b) for i, b in enumerate(bands)},
    }
    trx_rows = []
    tch_total = n_tch or 1
    for t in trxs:
        if t.trx_id in dead:
            trx_rows.append((t.trx_id, {"trx_imm_ass_sdcch": 0, "trx_imm_ass_tch": 0, "trx_ass_cmd_tch": 0,
                                        "tch_drops": 0}))
            continue
        tch_share = len(t.tch_slots()) / tch_total
        sd_here = 0 if "sdcch_activation_fails" in t.faults else sd_seiz * sd_weights[t.trx_id] / sd_total
        hit = t.trx_id in interfered
        mrs = calls_here * tch_share * 60  # measurement reports (about 1 per 0.48 s over a minute)
        qual = (0.25, 0.2, 0.15, 0.1, 0.1, 0.1, 0.06, 0.04) if hit else (0.7, 0.15, 0.08, 0.04, 0.02, 0.01, 0.0, 0.0)
        values = {"trx_imm_ass_sdcch": round(sd_here), "trx_imm_ass_tch": round(assignments * tch_share),
                  "trx_ass_cmd_tch": round(assignments * tch_share),
                  "tch_drops": round(drops * tch_share) if not hit else max(1, round(drops * tch_share)),
                  **{f"trx_ul_rxqual{i}": round(mrs * q) for i, q in enumerate(qual)}}
        trx_rows.append((t.trx_id, values))
    return cell_values, trx_rows
