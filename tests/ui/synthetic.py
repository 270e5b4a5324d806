"""Synthetic timeline records for the UI tests and the UI benchmark: a drive past three
three-sector sites, one sample per second with the serving cell and six neighbours, GPS
positions, a call with a handover in it, and the odd unknown value. Deterministic.

(The simulator, where it exists, gives realistic radio; these records only need to exercise
every view, including unknowns and gaps, quickly and without threads.)
"""

from __future__ import annotations

import math

from fieldapp.model import (
    DEDICATED,
    EV_CALL_ATTEMPT,
    EV_CALL_CONNECTED,
    EV_CALL_RELEASED,
    EV_HANDOVER,
    IDLE,
    NEIGHBOUR,
    Cell,
    Channel,
    Event,
    PlanCell,
    PlanTrx,
    Position,
    Sample,
)
from fieldapp.radio import rxlev_to_dbm

T0_UTC = 1_764_320_400.0  # 2025-11-28 09:00 UTC
LAT0, LON0 = 52.3700, 4.8900
SITES = {"ALPHA": (52.3700, 4.8850), "BRAVO": (52.3740, 4.8990), "CHARLIE": (52.3660, 4.9040)}


def plan() -> list[PlanCell]:
    cells = []
    arfcn = 10
    for s, (name, (lat, lon)) in enumerate(SITES.items()):
        for k, az in enumerate((0.0, 120.0, 240.0)):
            ci = 1000 + 10 * s + k + 1
            cells.append(PlanCell(
                name=f"{name}-{k + 1}", mcc=204, mnc=8, lac=101, ci=ci, lat=lat, lon=lon,
                azimuth_deg=az, beamwidth_deg=65.0, bcch_arfcn=arfcn, bsic=8 * (s + 1) + k,
                trxs=(PlanTrx(f"TRX-{ci}-0", (arfcn,), ("BCCH", "SDCCH/8") + ("TCH/F",) * 6),
                      PlanTrx(f"TRX-{ci}-1", (arfcn + 40,), ("TCH/F",) * 8))))
            arfcn += 3
    return cells


def _serving_index(i: int) -> int:
    return (i // 40) % 9  # a reselection or handover every 40 s


def sample(i: int, plan_cells: list[PlanCell], *, dedicated: bool = False, neighbours: int = 6,
           with_position: bool = True) -> Sample:
    ts = T0_UTC + i
    serving_plan = plan_cells[_serving_index(i)]
    rxlev = int(35 + 20 * math.sin(i / 30.0))
    # The odd unknown level: a gap, never a number.
    rxlev_val = None if i % 97 == 13 else max(0, min(63, rxlev))
    channel = Channel(tch_arfcn=serving_plan.trxs[1].arfcns[0], timeslot=i % 8, hopping=False,
                      channel_type="TCH/F", codec="EFR") if dedicated else None
    serving = Cell(mcc=204, mnc=8, lac=101, ci=serving_plan.ci, arfcn=serving_plan.bcch_arfcn,
                   bsic=serving_plan.bsic, rxlev=rxlev_val, rxlev_dbm=rxlev_to_dbm(rxlev_val),
                   rxqual=(i % 8) if dedicated else None, c1=rxlev - 10, c2=rxlev - 8,
                   ta=(i // 10) % 10, channel=channel, state="dedicated" if dedicated else "idle")
    nbrs = []
    for k in range(neighbours):
        p = plan_cells[(_serving_index(i) + k + 1) % len(plan_cells)]
        lev = max(0, min(63, rxlev - 3 - 4 * k + int(6 * math.sin(i / 11.0 + k))))
        nbrs.append(Cell(role=NEIGHBOUR, arfcn=p.bcch_arfcn, bsic=p.bsic, rxlev=lev, rxlev_dbm=rxlev_to_dbm(lev),
                         c1=lev - 10, c2=lev - 8))
    pos = position(i) if with_position else None
    return Sample(ts_utc=ts, tech="GSM", serving=serving, neighbours=tuple(nbrs), position=pos,
                  mode=DEDICATED if dedicated else IDLE)


def position(i: int) -> Position:
    # A loop of ~1.2 km radius around the three sites, ~10 m/s.
    a = i / 120.0
    return Position(ts_utc=T0_UTC + i, lat=LAT0 + 0.010 * math.sin(a), lon=LON0 + 0.016 * math.cos(a),
                    speed_mps=10.0, sats=8, fix_quality=1)


def drive(n: int, plan_cells: list[PlanCell] | None = None, call: tuple[int, int] | None = None,
          neighbours: int = 6) -> list:
    """``n`` seconds of records in arrival order; ``call`` = (start, end) second of one call."""
    plan_cells = plan_cells or plan()
    out: list = []
    for i in range(n):
        in_call = call is not None and call[0] <= i < call[1]
        if call is not None and i == call[0]:
            out.append(Event(T0_UTC + i - 0.5, EV_CALL_ATTEMPT, "dialling 1234", {"number": "1234"}))
            out.append(Event(T0_UTC + i - 0.1, EV_CALL_CONNECTED, "connected", {}))
        if i > 0 and _serving_index(i) != _serving_index(i - 1):
            old, new = plan_cells[_serving_index(i - 1)], plan_cells[_serving_index(i)]
            kind = EV_HANDOVER if in_call else "cell_change"
            out.append(Event(T0_UTC + i, kind, f"{old.name} → {new.name}", {"from": old.ci, "to": new.ci}))
        if call is not None and i == call[1]:
            out.append(Event(T0_UTC + i, EV_CALL_RELEASED, "released (16 normal call clearing)", {"cause": 16}))
        out.append(sample(i, plan_cells, dedicated=in_call, neighbours=neighbours))
    return out
