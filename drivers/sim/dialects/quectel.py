"""Quectel EC21 in GSM: ``AT+QENG="servingcell"`` / ``"neighbourcell"`` (reference
at-commands.md §3.1.1), rxlev printed as dBm, ``-`` for "not valid now", call state polled with
AT+CLCC, ``NO CARRIER`` on a network release, no GSM ARFCN lock (§4).

Shapes printed (idle, then in a hopping call; the first is an EC20 capture, the second the
manual's CONNECT example)::

    +QENG: "servingcell","NOCONN","GSM",460,00,247C,1327,35,82,-,-52,255,255,0,53,179,1,-,-,-,-,-,-,-,-,-,"-"
    +QENG: "servingcell","CONNECT","GSM",460,00,550A,2BB9,23,94,0,-61,5,14,4,0,0,0,h,1,0,0,33,50,52,0,0,"EFR"
    +QENG: "neighbourcell","GSM",460,00,24A5,1241,33,33,-83,22,146,0,0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.sim.dialects.base import AtError, Dialect, mcc_text, mnc_text, split_args
from fieldapp import radio

if TYPE_CHECKING:
    from drivers.sim.handset import Handset


def band_field(arfcn: int) -> str:
    """Manual: 0 DCS_1800, 1 PCS_1900, ``-`` for the other bands (850/900)."""
    band = radio.arfcn_band(arfcn)
    return "0" if band == radio.DCS_1800 else "1" if band == radio.PCS_1900 else "-"


def serving_line(h: Handset) -> str:
    snap = h.snapshot()
    s = snap.serving
    if s is None:
        return '+QENG: "servingcell","SEARCH"'
    c = s.spec
    ded = snap.dedicated
    state = "CONNECT" if ded is not None else "NOCONN"
    rla = radio.dbm_to_rxlev(c.rxlev_access_min_dbm)
    head = (f'+QENG: "servingcell","{state}","GSM",{mcc_text(c.mcc)},{mnc_text(c.mnc)},{c.lac:X},{c.ci:X},'
            f"{c.bsic},{c.bcch_arfcn},{band_field(c.bcch_arfcn)},{round(s.level_dbm)},5,{rla},0")
    if ded is None:
        return f'{head},{s.c1},{s.c2},1,-,-,-,-,-,-,-,-,-,"-"'
    ch = ded.channel
    hopping = ch.trx.hopping
    tch = "h" if hopping else str(ch.tch_arfcn)
    maio = str(ch.trx.maio) if hopping else "-"
    hsn = str(ch.trx.hsn) if hopping else "-"
    ts = str(ch.timeslot)
    codec = ded.codec
    # In a call C1/C2 are not evaluated: "-" rather than the manual example's meaningless 0,0.
    return (f"{head},-,-,1,{tch},{ts},{ded.ta},{maio},{hsn},{ded.rxlev_sub},{ded.rxlev_full},"
            f'{ded.rxqual_sub},{ded.rxqual_full},"{codec}"')


def neighbour_lines(h: Handset) -> list[str]:
    """Manual §6.17: 2G neighbour cells are only visible in idle mode."""
    snap = h.snapshot()
    if snap.serving is None or snap.dedicated is not None:
        return []
    out = []
    for n in snap.neighbours:
        c = n.spec
        out.append(f'+QENG: "neighbourcell","GSM",{mcc_text(c.mcc)},{mnc_text(c.mnc)},{c.lac:X},{c.ci:X},'
                   f"{c.bsic},{c.bcch_arfcn},{round(n.level_dbm)},{n.c1},{n.c2},0,0")
    return out


def qeng(h: Handset, op: str, args: str) -> list[str]:
    if op == "=?":
        return ['+QENG: ("servingcell","neighbourcell","psinfo")']
    if op != "=":
        raise AtError(None)
    what = split_args(args)[0].lower()
    if what == "servingcell":
        return [serving_line(h)]
    if what == "neighbourcell":
        return neighbour_lines(h)
    if what == "psinfo":
        return []
    raise AtError(50)


QUECTEL = Dialect(
    name="quectel",
    manufacturer="Quectel",
    model="EC21",
    revision="EC21EFAR06A01M4G",
    ati=("Quectel", "EC21", "Revision: EC21EFAR06A01M4G"),
    imei_tac="86107403",
    commands={"+QENG": qeng},
    creg_act=True,
    cops_act=True,
    cesq=True,
)
