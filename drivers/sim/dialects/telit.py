"""Telit GL865-QUAD: ``AT#MONI`` (label mode for one cell, table mode after ``AT#MONI=7``),
``AT#SERVINFO``, and the BCCH lock ``AT#BCCHLOCK`` (reference at-commands.md §3.3, §4).
BSIC as two octal digits NCC BCC, LAC/Id upper-case hex, levels ``-83dbm``; call state polled
with AT+CLCC, ``NO CARRIER`` on a network release. TA and RxQual are only meaningful in a call
(Telit guide): the simulator prints ``-`` for them in idle rather than a number.

Shapes printed (Telit guide 80000ST10025a pp.273-276 and captures quoted in
drivers/families/telit.py)::

    #MONI: FieldNet BSIC:71 RxQual:0 LAC:03EB Id:0045 ARFCN:3 PWR:-55dbm TA:0
    #MONI: Adj Cell1 LAC:03EC Id:001F ARFCN:86 PWR:-83dbm
    #MONI: Cell  BSIC  LAC  CellId  ARFCN    Power  C1  C2  TA  RxQual  PLMN
    #MONI: S 71 03EB 0045 3 -55dbm 49 49 - - FieldNet
    #MONI: N1 25 03EC 001F 86 -83dbm 21 21
    #MONI: N5 FF FFFF 0000 1024 -111dbm -1 -1                (empty slot)
    #SERVINFO: 3,-55,"FieldNet","00101",71,03EB,,1,,"I",01,6
    #BCCHLOCK: 1024,0,65535,0,0                              (not locked)

Network survey (guide pp.376-386): ``AT#CSURV[=<s>,<e>]`` (labels) and ``AT#CSURVC[=<s>,<e>]``
(numbers) print one line per carrier heard by ``drivers/sim/survey.py``; ``AT#CSURVF=<0..2>``
picks decimal (0) or octal BSIC / hex LAC and cell id (1, 2; 2 adds the summary)::

    Network survey started ...
    arfcn: 40 bsic: 49 rxLev: -61 ber: 0.00 mcc: 001 mnc: 01 lac: 1006 cellId: 51 cellStatus: CELL_SUITABLE numArfcn: 2 arfcn: 40 42
    arfcn: 3 rxLev: -71
    Network survey ended
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from drivers.sim.dialects.base import AtError, Dialect, int_arg, mcc_text, mnc_text, split_args
from drivers.sim.survey import survey
from fieldapp import radio

if TYPE_CHECKING:
    from drivers.sim.engine import CellReading
    from drivers.sim.handset import Handset

UNLOCKED = 1024


def _bsic(bsic: int) -> str:
    return radio.bsic_octal(bsic) or "FF"


def _label_serving(h: Handset, s: CellReading) -> str:
    snap = h.snapshot()
    c = s.spec
    ded = snap.dedicated
    q = str(ded.rxqual_full) if ded else "-"
    ta = str(ded.ta) if ded else "-"
    return (f"#MONI: {h.operator} BSIC:{_bsic(c.bsic)} RxQual:{q} LAC:{c.lac:04X} Id:{c.ci:04X} "
            f"ARFCN:{c.bcch_arfcn} PWR:{round(s.level_dbm)}dbm TA:{ta}")


def _label_neighbour(k: int, n: CellReading) -> str:
    c = n.spec
    return f"#MONI: Adj Cell{k} LAC:{c.lac:04X} Id:{c.ci:04X} ARFCN:{c.bcch_arfcn} PWR:{round(n.level_dbm)}dbm"


def table_lines(h: Handset) -> list[str]:
    snap = h.snapshot()
    out = ["#MONI: Cell  BSIC  LAC  CellId  ARFCN    Power  C1  C2  TA  RxQual  PLMN"]
    s = snap.serving
    if s is not None:
        c = s.spec
        ded = snap.dedicated
        ta = str(ded.ta) if ded else "-"
        q = str(ded.rxqual_full) if ded else "-"
        out.append(f"#MONI: S {_bsic(c.bsic)} {c.lac:04X} {c.ci:04X} {c.bcch_arfcn} {round(s.level_dbm)}dbm "
                   f"{s.c1} {s.c2} {ta} {q} {h.operator}")
    for k in range(6):
        if k < len(snap.neighbours):
            n = snap.neighbours[k]
            c = n.spec
            out.append(f"#MONI: N{k + 1} {_bsic(c.bsic)} {c.lac:04X} {c.ci:04X} {c.bcch_arfcn} "
                       f"{round(n.level_dbm)}dbm {n.c1} {n.c2}")
        else:
            out.append(f"#MONI: N{k + 1} FF FFFF 0000 1024 -111dbm -1 -1")
    return out


def moni(h: Handset, op: str, args: str) -> list[str]:
    st = h.settings
    if op == "=?":
        return ["#MONI: (0-7)"]
    if op == "=":
        st["moni"] = int_arg(split_args(args)[0] or "0", 0, 7)
        return []
    if op == "?":
        return [f"#MONI: {st.get('moni', 0)}"]
    sel = st.get("moni", 0)
    if sel == 7:
        return table_lines(h)
    snap = h.snapshot()
    if sel == 0:
        return [] if snap.serving is None else [_label_serving(h, snap.serving)]
    if sel <= len(snap.neighbours):
        return [_label_neighbour(sel, snap.neighbours[sel - 1])]
    return []


def servinfo(h: Handset, op: str, args: str) -> list[str]:
    if op == "=?":
        return []
    if op != "":
        raise AtError(None)
    snap = h.snapshot()
    s = snap.serving
    if s is None:
        return ['#SERVINFO: 0,,"","",0,0000,0,1,-0,,00']
    c = s.spec
    ta = f"{snap.dedicated.ta:02d}" if snap.dedicated else ""
    return [f'#SERVINFO: {c.bcch_arfcn},{round(s.level_dbm)},"{h.operator}","{mcc_text(c.mcc)}{mnc_text(c.mnc)}",'
            f'{_bsic(c.bsic)},{c.lac:04X},{ta},1,,"I",01,6']


def bcchlock(h: Handset, op: str, args: str) -> list[str]:
    """AT#BCCHLOCK=<bcch>[,<uarfcn>,<psc>[,<earfcn>,<pci>]]: lock to one GSM ARFCN; 1024 unlocks
    (as public code does with AT#BCCHLOCK=1024,0,65535,0,0). The simulated handset honours it
    as an engineering handset's channel lock (camp on the cell carrying the ARFCN, TCH on the
    TRX carrying it: DOMAIN case 3); a real module's #BCCHLOCK may select the BCCH only, which
    the CQT runner detects (no service after a lock to a traffic ARFCN)."""
    if op == "=?":
        return ["#BCCHLOCK: (0-1024),(0-16383),(0-511,65535),(0-262143),(0-503,65535)"]
    if op == "?":
        arfcn = h.engine.lock_arfcn
        return [f"#BCCHLOCK: {UNLOCKED if arfcn is None else arfcn},0,65535,0,0"]
    if op != "=":
        raise AtError(None)
    parts = split_args(args)
    if len(parts) not in (1, 3, 5):
        raise AtError(50)
    bcch = int_arg(parts[0], 0, UNLOCKED)
    if bcch != UNLOCKED and radio.valid_arfcn(bcch) is None:
        raise AtError(50)
    h.set_lock(None if bcch == UNLOCKED else bcch)
    return []


SCAN_S_PER_ARFCN = 0.0015  # a real full-band #CSURVC takes up to 2 minutes; the simulator is quicker


def csurvf(h: Handset, op: str, args: str) -> list[str]:
    if op == "=?":
        return ["#CSURVF: (0-2)"]
    if op == "?":
        return [f"#CSURVF: {h.settings.get('csurvf', 0)}"]
    if op == "=":
        h.settings["csurvf"] = int_arg(args or "0", 0, 2)
        return []
    raise AtError(None)


def _survey(labels: bool):
    def handler(h: Handset, op: str, args: str) -> list[str]:
        if op == "=?":
            return []
        if op not in ("", "="):
            raise AtError(None)
        lo, hi = 0, 1023
        if op == "=":
            parts = split_args(args)
            if len(parts) != 2:
                raise AtError(50)
            lo, hi = int_arg(parts[0], 0, 1023), int_arg(parts[1], 0, 1023)
            if lo > hi:
                raise AtError(50)
        fmt = h.settings.get("csurvf", 0)
        heard = survey(h.engine, lo, hi)
        time.sleep(SCAN_S_PER_ARFCN * (hi - lo + 1))
        out = ["Network survey started ..."]
        for c in heard:
            dbm = round(c.level_dbm)
            if c.cell is None:
                out.append(f"arfcn: {c.arfcn} rxLev: {dbm}" if labels else f"{c.arfcn},{dbm}")
                continue
            cell = c.cell
            bsic = _bsic(cell.bsic) if fmt else str(cell.bsic)
            lac = f"{cell.lac:04X}" if fmt else str(cell.lac)
            ci = f"{cell.ci:04X}" if fmt else str(cell.ci)
            arfcns = sorted({a for t in cell.trxs if "dead" not in t.faults for a in t.arfcns})
            chans = " ".join(map(str, arfcns))
            if labels:
                out.append(f"arfcn: {c.arfcn} bsic: {bsic} rxLev: {dbm} ber: 0.00 mcc: {mcc_text(cell.mcc)} "
                           f"mnc: {mnc_text(cell.mnc)} lac: {lac} cellId: {ci} cellStatus: CELL_SUITABLE "
                           f"numArfcn: {len(arfcns)} arfcn: {chans}")
            else:
                out.append(f"{c.arfcn},{bsic},{dbm},0.00,{mcc_text(cell.mcc)},{mnc_text(cell.mnc)},{lac},{ci},0,"
                           f"{len(arfcns)},{chans}")
        bcchs = sum(1 for c in heard if c.cell is not None)
        out.append(f"Network survey ended (Carrier: {hi - lo + 1} BCCh: {bcchs})" if fmt == 2
                   else "Network survey ended")
        return out
    return handler


TELIT = Dialect(
    name="telit",
    manufacturer="Telit",
    model="GL865-QUAD V3",
    revision="16.01.162",
    ati=("Telit", "GL865-QUAD V3", "16.01.162"),
    imei_tac="35771805",
    commands={"#MONI": moni, "#SERVINFO": servinfo, "#BCCHLOCK": bcchlock, "#CSURV": _survey(True),
              "#CSURVC": _survey(False), "#CSURVF": csurvf},
)
