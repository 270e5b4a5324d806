"""What a band scan hears in the simulated radio world, per ARFCN, at the handset's position.

Per ARFCN the scanner measures the total power (RSSI over 200 kHz) of:

* every TRX of every cell transmitting on it: the BCCH carrier at full power (it never stops),
  traffic carriers ``TCH_ACTIVITY_DB`` lower (busy about half the time); a TRX with the
  ``dead`` fault transmits nothing (so a cell whose BCCH TRX is dead is not heard at all),
  while a ``bcch_hung`` BCCH still transmits (DOMAIN cases 1/5: "full bars") and decodes;
* external interferers covering it (and the ARFCNs next to their range, 18 dB lower): energy
  with no BSIC to decode (DOMAIN case 6).

A BCCH is decoded (BSIC, MCC/MNC/LAC/CI read) when it is at least ``DECODE_MIN_DBM`` and
``DECODE_CIR_DB`` above everything else on its ARFCN plus the noise floor; anything else above
the scanner's sensitivity is reported as level only. Measurement noise is keyed by (seed,
cell, ARFCN, period), so a scan is reproducible and repeated scans differ a little.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from drivers.sim.engine import Engine
from drivers.sim.scenario import CellSpec
from drivers.sim.world import ADJACENT_REJECTION_DB, NOISE_FLOOR_DBM, TCH_ACTIVITY_DB, keyed_gauss
from fieldapp import radio

SENSITIVITY_DBM = -110.0  # below this the scanner reports nothing on the ARFCN
DECODE_MIN_DBM = -104.0
DECODE_CIR_DB = 9.0
SCAN_NOISE_DB = 1.0


@dataclass(frozen=True, slots=True)
class HeardCarrier:
    arfcn: int
    level_dbm: float
    cell: CellSpec | None  # the decoded BCCH's cell; None: energy with no decodable BSIC


def _mw(dbm: float) -> float:
    return 10 ** (dbm / 10.0)


def survey(engine: Engine, arfcn_from: int = 0, arfcn_to: int = 1023) -> list[HeardCarrier]:
    """The carriers a scan of ``arfcn_from..arfcn_to`` hears now, ordered by ARFCN."""
    snap = engine.snapshot()
    w = engine.world
    fix = snap.fix
    loss = engine.scenario.movement.indoor_loss_db
    period = int(snap.t_s / 0.48)
    by_arfcn: dict[int, list[tuple[int, bool]]] = {}
    for i, cell in enumerate(engine.scenario.cells):
        for trx in cell.trxs:
            if "dead" in trx.faults or "dead" in cell.faults:
                continue  # a dead TRX radiates nothing
            is_bcch = bool(trx.timeslots) and trx.timeslots[0].startswith("BCCH")
            for a in trx.arfcns:
                by_arfcn.setdefault(a, []).append((i, is_bcch))
    levels: dict[int, float] = {}
    out: list[HeardCarrier] = []
    for arfcn in range(max(0, arfcn_from), min(1023, arfcn_to) + 1):
        if radio.valid_arfcn(arfcn) is None:
            continue
        parts: list[tuple[float, int | None]] = []  # (dBm, cell index of a BCCH or None)
        for i, is_bcch in by_arfcn.get(arfcn, ()):
            if i not in levels:
                levels[i] = w.mean_level_dbm(i, fix.x, fix.y, loss)
            noise = SCAN_NOISE_DB * keyed_gauss(engine.seed, 0x5CA, i, arfcn, period)
            parts.append((levels[i] + noise + (0.0 if is_bcch else TCH_ACTIVITY_DB), i if is_bcch else None))
        for k, (it, _x, _y) in enumerate(w.interferers):
            if it.covers(arfcn):
                parts.append((w._interferer_dbm(k, fix.x, fix.y, loss), None))
            elif it.covers(arfcn - 1) or it.covers(arfcn + 1):
                parts.append((w._interferer_dbm(k, fix.x, fix.y, loss) - ADJACENT_REJECTION_DB, None))
        if not parts:
            continue
        total_mw = sum(_mw(p) for p, _c in parts)
        total = 10 * math.log10(total_mw + _mw(NOISE_FLOOR_DBM))
        if total < SENSITIVITY_DBM:
            continue
        cell = None
        bcchs = [(p, c) for p, c in parts if c is not None]
        if bcchs:
            best, idx = max(bcchs)
            rest = total_mw - _mw(best) + _mw(NOISE_FLOOR_DBM)
            if best >= DECODE_MIN_DBM and best - 10 * math.log10(rest) >= DECODE_CIR_DB:
                cell = engine.scenario.cells[idx]
        out.append(HeardCarrier(arfcn, round(total, 1), cell))
    return out
