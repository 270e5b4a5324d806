"""u-blox family (LEON-G, SARA-G/U/R, LISA, TOBY): ``+UCGED`` mode 2 and ``+CGED``
(docs/at-commands.md §3.4).

``AT+UCGED?`` in mode 2 prints ``+UCGED: 2``, then ``<rat>,<svc>,<MCC>,<MNC>`` and one RAT line,
both without prefix: they reach ``parse_ucged_block`` through the ``AT+UCGED`` block parser.
Only the LTE line layout was seen in captures; the GSM (rat 2) line is read for what the
SARA-R4 manual documents at its end (``...,<Grac>,<rxlev>,<grr>,<t_adv>,<Gspeech_mode>``):
the RXLEV. Nothing else is guessed from it.
"""

from __future__ import annotations

from drivers.families.base import Family, register
from drivers.families.fields import Garbled, clean, dec, hexnum, number, split_fields
from fieldapp import radio
from fieldapp.model import GSM, LTE, SERVING, UMTS, Cell, Info, ParseRecord

RATS = {2: GSM, 4: UMTS, 6: LTE}
SERVICE = {0: "unknown", 1: "radio off", 2: "searching", 3: "no service", 4: "registered"}


# The first line of every mode: "+UCGED: 2" (capture, ublox-UCGED-1: "AT+UCGED?\r\r\n+UCGED: 2").
def parse_ucged(line: str) -> list[ParseRecord] | None:
    body = line.split(":", 1)[1] if ":" in line else ""
    f = split_fields(body)
    mode = dec(f[0], strict=True)
    if mode is None:
        raise Garbled("+UCGED without a mode")
    return []  # the mode alone; the measurements follow on prefixless lines


def _plmn(token: str) -> int | None:
    return dec(token, lo=0, hi=999)  # "fff" = not known → None


def _lte_cell(f: list[str], mcc: int | None, mnc: int | None, svc: str | None) -> Cell | None:
    # SARA-R5 layout (u-blox ubxlib comment, public source):
    # <earfcn>,<Lband>,<ul_BW>,<dl_BW>,<tac>,<LcellId>,<PCID>,<mTmsi>,<mmeGrId>,<mmeCode>,<rsrp>,
    # <rsrq>,<Lsinr>,... with rsrp/rsrq as 27.007 +CESQ indexes (255 = unknown).
    if len(f) < 13:
        raise Garbled(f"+UCGED LTE line with {len(f)} fields")
    earfcn = dec(f[0], lo=0, hi=262142)  # 65535 = not known
    if earfcn == 65535:
        earfcn = None
    rsrp = radio.cesq_rsrp_to_dbm(dec(f[10]))
    if earfcn is None and rsrp is None:
        return None
    return Cell(role=SERVING, tech=LTE, mcc=mcc, mnc=mnc, arfcn=earfcn,
                lac=hexnum(f[4], lo=1, hi=0xFFFE), ci=hexnum(f[5], lo=1), pci=dec(f[6], lo=0, hi=503),
                rsrp_dbm=rsrp, rsrq_db=radio.cesq_rsrq_to_db(dec(f[11])),
                sinr_db=number(f[12], lo=-30, hi=50), state=svc)


def _gsm_cell(f: list[str], mcc: int | None, mnc: int | None, svc: str | None) -> Cell | None:
    if len(f) < 5:
        raise Garbled(f"+UCGED GSM line with {len(f)} fields")
    rxlev = dec(f[-4], lo=0, hi=63)  # 255 = not known
    if rxlev is None and mcc is None:
        return None
    return Cell(role=SERVING, tech=GSM, mcc=mcc, mnc=mnc, rxlev=rxlev,
                rxlev_dbm=radio.rxlev_to_dbm(rxlev), state=svc)


# AT+UCGED? with mode 2 (raw capture in a public script, SARA-R5 class):
#   +UCGED: 2
#   6,4,fff,fff
#   5110,13,50,50,ffff,0000000,254,d0fafd59,ff49,b1,27,15,0.50,1,255,255,28,255,255,0,255,255,0
# and from ubxlib: "6,4,001,01" / "2525,5,50,50,e8fe,1a2d001,1,d60814d1,8001,01,28,31,13.75,3,..."
def parse_ucged_block(lines: list[str]) -> list[ParseRecord]:
    out: list[ParseRecord] = []
    rat: int | None = None
    mcc = mnc = None
    svc: str | None = None
    for raw in lines:
        text = raw.strip()
        if not text or text.upper().startswith(("+UCGED", "OK", "ERROR", "+CME ERROR")):
            continue  # the mode line and a final result code are not measurements
        f = [clean(x) for x in split_fields(text)]
        if len(f) == 4 and rat is None:
            rat = dec(f[0], strict=True)
            svc_code = dec(f[1])
            svc = SERVICE.get(svc_code) if svc_code is not None else None
            mcc, mnc = _plmn(f[2]), _plmn(f[3])
            if mcc is None:
                mnc = None
            if svc is not None:
                out.append(Info(key="service", value=svc))
            continue
        if rat is None:
            continue  # a body line without its rat line: nothing says what it is
        cell = None
        if RATS.get(rat) == LTE:
            cell = _lte_cell(f, mcc, mnc, svc)
        elif RATS.get(rat) == GSM:
            cell = _gsm_cell(f, mcc, mnc, svc)
        if cell is not None:
            out.append(cell)
        rat = None
    return out


# LEON-G/SARA-G AT+CGED (regex comment in a public tracker script; rest of the line unknown):
#   +CGED: MCC:230, MNC:  3, LAC:878c, CI:2a95,
def parse_cged(line: str) -> list[ParseRecord] | None:
    body = line.split(":", 1)[1] if ":" in line else ""
    values: dict[str, str] = {}
    for part in body.split(","):
        label, sep, value = part.partition(":")
        if sep:
            values[label.strip().upper()] = value.strip()
    if "MCC" not in values:
        return None  # another vendor's +CGED layout: not this parser's
    mcc = dec(values.get("MCC"), lo=1, hi=999)
    return [Cell(role=SERVING, tech=GSM, mcc=mcc,
                 mnc=dec(values.get("MNC"), lo=0, hi=999) if mcc else None,
                 lac=hexnum(values.get("LAC"), lo=1, hi=0xFFFE),
                 ci=hexnum(values.get("CI"), lo=1, hi=0xFFFE))]


UBLOX = register(Family(
    name="ublox",
    match=("u-blox", "ublox", "sara", "leon", "lisa", "toby"),
    init_commands=("AT+CMEE=1", "AT+CREG=2", "AT+UCGED=2"),
    poll_commands=("AT+CSQ", "AT+CREG?", "AT+UCGED?"),
    line_parsers={"+UCGED:": parse_ucged, "+CGED:": parse_cged},
    block_parsers={"AT+UCGED": parse_ucged_block},
    call_state_by="clcc-poll",
    fields=frozenset({"rxlev", "lac", "ci"}),
    notes=(
        "+UCGED GSM line layout is not confirmed (docs/at-commands.md §8): only its RXLEV is read.",
        "SARA-U201 answers plain ERROR to AT+CPIN? until the SIM is ready (MKRGSM #81).",
        "No GSM ARFCN lock documented; AT+UBANDSEL/AT+URAT=0 restrict band/RAT only.",
    ),
))
