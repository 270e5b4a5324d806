"""SIMCom SIM800L: ``AT+CENG`` engineering mode (reference at-commands.md §3.2.1), RXLEV 0..63,
4-digit zero-padded ARFCN, lower-case hex, TA 255 and RXQUAL 99 in idle, the documented
dedicated-mode tail during a call; call state by URC (``AT+CLCC=1`` lists, ``VOICE CALL:
BEGIN/END``, §1.2); ``,""`` after +CLCC (SIM800C quirk); no ARFCN lock (§4).

Shapes printed (the first two lines are the SIM800L sitch fixture, Apache-2.0)::

    +CENG: 1,1
    +CENG: 0,"0666,21,00,310,260,08,4e72,04,03,0113,255"
    +CENG: 1,"1688,16,25,a53f,310,260,0113"
    +CENG: 0,"0066,42,03,001,01,29,000c,06,05,03e9,1,-68,36,36,0068,3,0,0,03,03,EFR"   (in a call)

The dedicated tail (dbm,c1,c2,tch,ts,maio,hsn,rxq_sub,rxq_full,ch_mod) follows the SIM800
manual V1.09 §6.2.21; no capture of it exists. With hopping the manual gives no TCH ARFCN: the
simulator prints ``h`` there (Quectel's marker; ``0000`` would read as ARFCN 0) and the MAIO/HSN
of the hopping TRX. ``AT+CENG=2`` is accepted and behaves as mode 1: the unsolicited ``+CENG``
reports of mode 2 are not simulated.

During a call ``AT+CSCHN`` and ``AT+CSRP`` give the traffic channel and its levels (reference
§3.2.3; LABEL:value as AT+CCINFO prints it); in idle they answer ``OK`` alone::

    +CSCHN: ARFCN:68,BSIC:29,HSN:0,MAIO:0,TN:3,HF:0,TSC:5,TCH:TCH/F
    +CSRP: RXLevFull:-68dbm,RXLevSub:-69dbm,RXQualFull:0,RXQualSub:0,PWRC:1,DTX:0,RLT:32

The handset setting ``ceng_tail`` (default on) prints the CENG dedicated tail; off, the module
behaves as the captured SIM800 firmwares (no tail): only AT+CSCHN shows the channel.

``AT+CNETSCAN`` lists the cells whose BCCH the scan decoded (drivers/sim/survey.py), RXLEV
0..63, Cellid/Lac/Bsic hex; ``AT+CNETSCAN=1`` adds Lac and Bsic (docs/at-commands.md §3.2.3)::

    Operator:"FieldNet",MCC:001,MNC:01,Rxlev:49,Cellid:33,Arfcn:40,Lac:3ee,Bsic:31
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from drivers.sim.dialects.base import AtError, Dialect, int_arg, mcc_text, mnc_text, split_args
from drivers.sim.survey import survey
from fieldapp import radio

if TYPE_CHECKING:
    from drivers.sim.handset import Handset

EMPTY_NEIGHBOUR = "0000,00,00,0000,000,00,0000"


def serving_line(h: Handset) -> str | None:
    snap = h.snapshot()
    s = snap.serving
    if s is None:
        return None
    c = s.spec
    ded = snap.dedicated
    rla = radio.dbm_to_rxlev(c.rxlev_access_min_dbm) or 0
    rxq = 99 if ded is None else ded.rxqual_full
    ta = 255 if ded is None else ded.ta
    body = (f"{c.bcch_arfcn:04d},{s.rxlev:02d},{rxq:02d},{mcc_text(c.mcc)},{mnc_text(c.mnc)},{c.bsic:02d},"
            f"{c.ci:04x},{rla:02d},05,{c.lac:04x},{ta}")
    if ded is not None and h.settings.get("ceng_tail", True):
        ch = ded.channel
        hop = ch.trx.hopping
        tch = "h" if hop else f"{ch.tch_arfcn:04d}"
        maio, hsn, ts = (ch.trx.maio, ch.trx.hsn, ch.timeslot) if hop else (0, 0, ch.timeslot)
        mode = ded.codec
        body += (f",{round(s.level_dbm)},{s.c1},{s.c2},{tch},{ts},{maio},{hsn},"
                 f"{ded.rxqual_sub:02d},{ded.rxqual_full:02d},{mode}")
    return f'+CENG: 0,"{body}"'


def neighbour_lines(h: Handset, show_ci: bool) -> list[str]:
    snap = h.snapshot()
    out = []
    for k in range(6):
        if k < len(snap.neighbours):
            n = snap.neighbours[k]
            c = n.spec
            ci = f"{c.ci:04x}," if show_ci else ""
            body = (f"{c.bcch_arfcn:04d},{n.rxlev:02d},{c.bsic:02d},{ci}{mcc_text(c.mcc)},{mnc_text(c.mnc)},"
                    f"{c.lac:04x}")
        else:  # SIM800 always prints six neighbour slots
            body = EMPTY_NEIGHBOUR if show_ci else "0000,00,00,000,00,0000"
        out.append(f'+CENG: {k + 1},"{body}"')
    return out


def ceng(h: Handset, op: str, args: str) -> list[str]:
    st = h.settings
    if op == "=?":
        return ["+CENG: (0-4),(0-1)"]
    if op == "=":
        parts = split_args(args)
        mode = int_arg(parts[0], 0, 4)
        if mode > 2:
            raise AtError(4)  # modes 3/4 (other layouts) are not simulated
        st["ceng_mode"] = mode
        if len(parts) > 1 and parts[1]:
            st["ceng_ncell"] = int_arg(parts[1], 0, 1)
        return []
    if op == "?":
        mode, ncell = st.get("ceng_mode", 0), st.get("ceng_ncell", 0)
        out = [f"+CENG: {mode},{ncell}"]
        if mode:
            line = serving_line(h)
            if line is not None:
                out.append(line)
                out.extend(neighbour_lines(h, bool(ncell)))
        return out
    raise AtError(None)


def cschn(h: Handset, op: str, args: str) -> list[str]:
    """AT+CSCHN: the dedicated channel (fields per docs/at-commands.md §3.2.3; LABEL:value layout as
    AT+CCINFO prints it). In idle it answers OK without a line: there is no channel."""
    if op == "=?":
        return []
    if op:
        raise AtError(None)
    snap = h.snapshot()
    ded, s = snap.dedicated, snap.serving
    if ded is None or s is None:
        return []
    ch = ded.channel
    hop = ch.trx.hopping
    arfcn = ch.trx.arfcns[0]
    maio, hsn = (ch.trx.maio, ch.trx.hsn) if hop else (0, 0)
    return [f"+CSCHN: ARFCN:{arfcn},BSIC:{s.spec.bsic},HSN:{hsn},MAIO:{maio},TN:{ch.timeslot},"
            f"HF:{1 if hop else 0},TSC:{s.spec.bsic & 7},TCH:{ch.channel_type}"]


def csrp(h: Handset, op: str, args: str) -> list[str]:
    """AT+CSRP: dedicated-mode levels (dBm) and qualities; OK without a line in idle."""
    if op == "=?":
        return []
    if op:
        raise AtError(None)
    ded = h.snapshot().dedicated
    if ded is None:
        return []
    full_dbm = radio.rxlev_to_dbm(ded.rxlev_full)
    sub_dbm = radio.rxlev_to_dbm(ded.rxlev_sub)
    return [f"+CSRP: RXLevFull:{round(full_dbm or -110)}dbm,RXLevSub:{round(sub_dbm or -110)}dbm,"
            f"RXQualFull:{ded.rxqual_full},RXQualSub:{ded.rxqual_sub},PWRC:1,DTX:0,RLT:32"]


CNETSCAN_S = 0.5  # a real AT+CNETSCAN takes tens of seconds


def cnetscan(h: Handset, op: str, args: str) -> list[str]:
    if op == "=?":
        return ["+CNETSCAN: (0,1)"]
    if op == "?":
        return [f"+CNETSCAN: {h.settings.get('cnetscan', 0)}"]
    if op == "=":
        h.settings["cnetscan"] = int_arg(args or "0", 0, 1)
        return []
    if op:
        raise AtError(None)
    time.sleep(CNETSCAN_S)
    out = []
    for c in survey(h.engine):
        if c.cell is None:
            continue  # only decoded cells are listed
        cell = c.cell
        rxlev = radio.dbm_to_rxlev(c.level_dbm) or 0
        line = (f'Operator:"{h.operator}",MCC:{mcc_text(cell.mcc)},MNC:{mnc_text(cell.mnc)},Rxlev:{rxlev},'
                f"Cellid:{cell.ci:x},Arfcn:{c.arfcn}")
        if h.settings.get("cnetscan", 0):
            line += f",Lac:{cell.lac:x},Bsic:{cell.bsic:x}"
        out.append(line)
    return out


SIMCOM = Dialect(
    name="simcom",
    manufacturer="SIMCOM_Ltd",
    model="SIMCOM_SIM800L",
    revision="1418B04SIM800L24",
    ati=("SIM800 R14.18",),
    imei_tac="86552303",
    commands={"+CENG": ceng, "+CNETSCAN": cnetscan, "+CSCHN": cschn, "+CSRP": csrp},
    call_urcs=True,
    clcc_empty_alpha=True,
    cgmr_prefix="Revision:",
)
