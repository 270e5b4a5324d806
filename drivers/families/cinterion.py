"""Cinterion / Siemens / Thales / Gemalto family: ``^SMONC``, ``^SMOND``, ``^MONI``/``^MONP``
tables, ``^SMONI``, the ``^SLCC`` call list and the ``+CIEV: ceer`` release cause
(docs/at-commands.md §3.5, §1.2).

Siemens prints BSIC as two digits (``32``) or as separate NCC and BCC columns; both are NCC,BCC
octal digits (``radio.bsic_from_octal`` / ``bsic_join``). LAC and cell are hex everywhere.
"""

from __future__ import annotations

import re
from dataclasses import replace

from drivers.families.base import Family, register
from drivers.families.fields import Garbled, clean, dec, hexnum, number, split_fields, tokens
from drivers.families.smonc import bsic_two_digits, dec_mcc_mnc, hex_cell_id, hex_lac, parse_smonc
from drivers.families.threegpp import CC_CAUSES, level_from_dbm
from fieldapp import radio
from fieldapp.model import (
    CLCC_STAT,
    GSM,
    LTE,
    NEIGHBOUR,
    SERVING,
    UMTS,
    CallState,
    Cell,
    Channel,
    Info,
    ParseRecord,
    Signal,
    Urc,
)

# ChMod / channel mode as Siemens prints it → (channel type, codec).
CHANNEL_MODES = {
    "S_HR": ("TCH/H", "HR"), "S_FR": ("TCH/F", "FR"), "S_EFR": ("TCH/F", "EFR"),
    "A_HR": ("TCH/H", "AMR"), "A_FR": ("TCH/F", "AMR"),
}


def _dash(token: str) -> str:
    """Manual text prints some minus signs as en-dashes ("–106")."""
    return token.replace("\u2013", "-").replace("\u2212", "-")


# ------------------------------------------------------------------------- ^SMOND


def _smond_dbm(token: str) -> float | None:
    """^SMOND RxLev: "received signal level in dBm", printed without its sign (66 = -66 dBm:
    the AC75 example prints 66 next to RSSI 23, i.e. -67 dBm) [inferred]; a signed value is
    taken as printed."""
    v = dec(token, strict=True)
    if v is None:
        return None
    dbm = float(-v if v > 0 else v)
    return dbm if -125 <= dbm <= -20 else None


# AC75_ATC_V01.002 p.208 (Siemens manual example, line breaks removed):
#   ^SMOND:262,01,3008,6060,32,100,66,,,0,,,0,262,01,3008,DDD1,35,92,80,262,01,3008,,31,96,83,
#   262,01,3008,BFBE,35,27,86,262,01,3008,,32,98,88,262,01,3008,BB44,32,90,89,262,01,3008,8307,
#   31,22,93,2,23,99
# <sci> 13: MCC,MNC,LAC,cell,BSIC,chann,RxLev,RxLevFull,RxLevSub,RxQual,RxQualFull,RxQualSub,
# Timeslot; <nci> 6 x 7: MCC,MNC,LAC,cell,BSIC,chann,RxLev; <TA>; <RSSI>,<BER> as +CSQ.
# No serving cell: ",,,,,,<RxLev>,,,0,,,0"; empty neighbour ",,,,,,0".
# The write command AT^SMOND=<period>,<format> prints only the classes <format> selects
# (1 <sci>, 2 <nci>, 4 <TA>, 8 <rssiber>; TC35i manual p.209); <nci> is always six cells. Every
# combination has its own field count, so the count tells which classes a line carries.
SCI, NCI = 13, 6 * 7
_SMOND_CLASSES: dict[int, tuple[bool, bool, bool, bool]] = {}
for _fmt in range(1, 16):
    _SMOND_CLASSES[SCI * (_fmt & 1) + NCI * bool(_fmt & 2) + bool(_fmt & 4) + 2 * bool(_fmt & 8)] = (
        bool(_fmt & 1), bool(_fmt & 2), bool(_fmt & 4), bool(_fmt & 8))


def parse_smond(line: str) -> list[ParseRecord] | None:
    body = line.split(":", 1)[1] if ":" in line else ""
    f = tokens(body)
    if f == [""]:
        return []
    classes = _SMOND_CLASSES.get(len(f))
    if classes is None:
        raise Garbled(f"^SMOND with {len(f)} values")
    has_sci, has_nci, has_ta, has_rssiber = classes
    pos = 0
    sci = f[:SCI] if has_sci else None
    pos += SCI if has_sci else 0
    nci = f[pos:pos + NCI] if has_nci else []
    pos += NCI if has_nci else 0
    ta = radio.valid_ta(dec(f[pos], strict=True)) if has_ta else None
    pos += 1 if has_ta else 0
    out: list[ParseRecord] = []
    if sci is not None:
        serving = _smond_serving(sci, ta)
        if serving is not None:
            out.append(serving)
    elif ta is not None:
        out.append(Cell(role=SERVING, tech=GSM, ta=ta))  # TA alone: merged into the serving cell
    for k in range(0, len(nci), 7):
        g = nci[k:k + 7]
        raw_arfcn = dec(g[5], strict=True)
        if raw_arfcn is None:
            continue  # an unavailable cell: ",,,,,,0"
        arfcn = radio.valid_arfcn(raw_arfcn)  # out of range: unknown, the cell is kept
        rxlev, dbm = level_from_dbm(_smond_dbm(g[6]))
        mcc, mnc = dec_mcc_mnc(g[0], g[1])
        out.append(Cell(role=NEIGHBOUR, tech=GSM, mcc=mcc, mnc=mnc, lac=hex_lac(g[2]), ci=hex_cell_id(g[3]),
                        bsic=bsic_two_digits(g[4]), arfcn=arfcn, rxlev=rxlev, rxlev_dbm=dbm))
    if has_rssiber:
        rssi = dec(f[pos], lo=0, hi=31)
        ber = dec(f[pos + 1], lo=0, hi=7)
        if rssi is not None or ber is not None:
            out.append(Signal(rssi_dbm=radio.csq_to_dbm(rssi), rxqual=ber, rssi_raw=rssi))
    return out


def _smond_serving(s: list[str], ta: int | None) -> Cell | None:
    raw_arfcn = dec(s[5], strict=True)
    if raw_arfcn is None:
        return None  # no serving cell: ",,,,,,<RxLev>,,,0,,,0"
    arfcn = radio.valid_arfcn(raw_arfcn)  # out of range: unknown, the cell is kept
    rxlev, dbm = level_from_dbm(_smond_dbm(s[6]))
    full_dbm, sub_dbm = _smond_dbm(s[7]), _smond_dbm(s[8])
    dedicated = full_dbm is not None or sub_dbm is not None
    if dbm is None and full_dbm is not None:
        rxlev, dbm = level_from_dbm(full_dbm)  # the model's level is the full value then
    mcc, mnc = dec_mcc_mnc(s[0], s[1])
    channel = None
    rxqual = rxqual_sub = None
    if dedicated:
        # Full/Sub are only filled on a dedicated channel; the timeslot then is the TCH's
        # (idle prints 0, the BCCH timeslot).
        rxqual = dec(s[10], lo=0, hi=7)
        if rxqual is None:
            rxqual = dec(s[9], lo=0, hi=7)
        rxqual_sub = dec(s[11], lo=0, hi=7)
        channel = Channel(timeslot=dec(s[12], lo=0, hi=7))
    return Cell(role=SERVING, tech=GSM, mcc=mcc, mnc=mnc, lac=hex_lac(s[2]), ci=hex_cell_id(s[3]),
                bsic=bsic_two_digits(s[4]), arfcn=arfcn, rxlev=rxlev, rxlev_dbm=dbm,
                rxlev_full=radio.dbm_to_rxlev(full_dbm), rxlev_sub=radio.dbm_to_rxlev(sub_dbm),
                rxqual=rxqual, rxqual_sub=rxqual_sub, ta=ta, channel=channel,
                state="dedicated" if dedicated else "idle")


# ------------------------------------------------------------------------- ^MONI / ^MONP tables

MONI_STATES = ("no connection", "limited service", "cell reselection", "in reselecting", "searching")


def _moni_row(text: str) -> list[ParseRecord] | None:
    """One ^MONI data row, or None for a header/other line. Serving part, "I", dedicated part:
    ``1013 19 -76 001 01 1001 0103 7 7 33 -105 33 I 1015 1 0 5 -76 0 S_HR``."""
    low = text.lower()
    if low.startswith(("serving cell", "chann ")):
        return None
    if low.strip() == "searching":
        return [Cell(role=SERVING, tech=GSM, state="Searching")]
    left, sep, right = text.partition(" I ")
    if not sep:
        if text.rstrip().endswith(" I"):
            left, right = text.rstrip()[:-2], ""
        else:
            return None
    toks = [_dash(t) for t in left.split()]
    if len(toks) < 9:
        raise Garbled(f"^MONI serving part with {len(toks)} columns")
    arfcn = radio.valid_arfcn(dec(toks[0], strict=True))
    dec(toks[1], strict=True)  # rs: shape only, its scale differs by model (see below)
    dbm = number(toks[2])
    if len(toks[3]) >= 5 and toks[3].isdigit():  # older MC35: PLMN "00101" instead of MCC MNC
        mcc, mnc = dec_mcc_mnc(toks[3][:3], toks[3][3:])
        rest = toks[4:]
    else:
        mcc, mnc = dec_mcc_mnc(toks[3], toks[4])
        rest = toks[5:]
    if len(rest) < 4:
        raise Garbled("^MONI row too short")
    lac, ci = hex_lac(rest[0]), hex_cell_id(rest[1])
    bsic = radio.bsic_join(dec(rest[2], lo=0, hi=7), dec(rest[3], lo=0, hi=7))
    # PWR, RXLev (access parameters) and C1 follow; in a call they may be "-" or left blank,
    # so C1 is only read when all three are there.
    c1 = dec(rest[6]) if len(rest) == 7 else None
    state = right.strip()
    channel = None
    rxqual = None
    ded = [_dash(t) for t in right.split()]
    if len(ded) == 7 and ded[-1].upper() in CHANNEL_MODES:
        ch_t, ts_t, ta_t, _pwr, ded_dbm, q_t, mode = ded
        hopping = ch_t.lower() == "h" or ch_t == "0"  # AC75 "h", TC35 "0" = hopping
        ctype, codec = CHANNEL_MODES[mode.upper()]
        channel = Channel(tch_arfcn=None if hopping else radio.valid_arfcn(dec(ch_t, strict=True)),
                          timeslot=dec(ts_t, lo=0, hi=7), hopping=hopping, channel_type=ctype,
                          codec=codec)
        rxqual = dec(q_t, lo=0, hi=7)
        state = "dedicated"
        if dbm is None:
            dbm = number(ded_dbm)
        ta = radio.valid_ta(dec(ta_t))
    else:
        ta = None
    rxlev, level_dbm = level_from_dbm(dbm)
    if arfcn is None and level_dbm is None:
        return [Cell(role=SERVING, tech=GSM, state=state or None)]
    return [Cell(role=SERVING, tech=GSM, mcc=mcc, mnc=mnc, lac=lac, ci=ci, arfcn=arfcn, bsic=bsic,
                 rxlev=rxlev, rxlev_dbm=level_dbm, rxqual=rxqual, c1=c1, ta=ta, channel=channel,
                 state=state or None)]


# Siemens TC35i_ATC_V01.05 p.185, TC63_ATC_V00.490 p.194, MC35_ATC_01_V05.00 p.186 (manual
# examples; no prefix on any line, two header lines repeated every ten rows in periodic mode):
#   Serving Cell                                        I Dedicated channel
#   chann rs  dBm  MCC MNC  LAC cell NCC BCC PWR RXLev  C1 I chann TS timAdv PWR  dBm Q ChMod
#   1013  21  -71 001  01  1001 2468   7   7  33  -105  33 I No connection
#   1013  19  -76 001  01  1001 0103   7   7  33  -105  33 I 1015 1 0 5 -76 0 S_HR
#   1013   4 –106 00101 1001 0103   7   7  33  -105  -1 I    in Reselecting      (MC35: PLMN)
#   Searching
# The level is read from the dBm column. "rs" ("RSSI value 0-63") is on two scales: on MC55 it
# is dBm + 110 (RXLEV: 26/-84, 10/-100 in its ^MONP example), on TC35/TC35i about
# (dBm + 113) / 2 like +CSQ (21/-71, 4/-106; ^MONP 22/-70, 17/-79). Reading it as RXLEV would
# give a wrong number on the older modules, so RXLEV is derived from the dBm value.
def parse_moni_block(lines: list[str]) -> list[ParseRecord]:
    """Rows of one ^MONI reply (or of its periodic output). A row that a PDF or a terminal
    broke over several lines ("1013" / "21" / "-71 00101 1001 0103" / ... / "33 I" /
    "No connection", as the MC35 manual mirrors print it) is joined back first. A garbled
    row is dropped without losing the good ones; if no row is readable the block is Garbled."""
    out: list[ParseRecord] = []
    rows: list[str] = []
    pending: list[str] = []  # pieces of a serving part, before its "I"
    awaiting: str | None = None  # a serving part ended by "I", waiting for its dedicated part
    for raw in lines:
        text = raw.strip()
        if text.upper().startswith("^MONI:"):
            text = text[6:].strip()
        low = text.lower()
        if not text or low.startswith(("serving cell", "chann ")):
            continue
        if awaiting is not None:
            if low in MONI_STATES or (text.split() and text.split()[-1].upper() in CHANNEL_MODES):
                rows.append(f"{awaiting} {text}")
                awaiting = None
                continue
            if _FRAGMENT_RE.fullmatch(text):
                awaiting = f"{awaiting} {text}"  # a dedicated part broken over lines
                continue
            rows.append(awaiting)  # no dedicated part followed (e.g. the final OK)
            awaiting = None
        if " I " in text or text.endswith(" I") or text == "I":
            if not pending and not text[0].isdigit():
                continue  # a header piece such as "C1 I chann TS timAdv PWR"
            row = " ".join([*pending, text])
            pending = []
            if row.endswith(" I") or row == "I":
                awaiting = row
            else:
                rows.append(row)
        elif low == "searching":
            rows.append(text)
        elif _FRAGMENT_RE.fullmatch(text):
            pending.append(text)
    if awaiting is not None:
        rows.append(awaiting)
    garbled: Garbled | None = None
    for row in rows:
        try:
            recs = _moni_row(row)
        except (Garbled, ValueError, IndexError) as exc:
            garbled = exc if isinstance(exc, Garbled) else Garbled(str(exc))
            continue
        if recs:
            out.extend(recs)
    if garbled is not None and not out:
        raise garbled
    return out


# Numbers, hex, "-", "h" and channel modes: the pieces a broken ^MONI row consists of.
# One character (or channel mode) per step, never a run inside a repeated group: the old
# "(?:[0-9A-F]+\s*)+" took exponential time on "1111…1," (issue 16). Same language: an en
# dash only before a hex digit, as in "–106".
_FRAGMENT_RE = re.compile(r"(?:[0-9A-Fa-f\s-]|\u2013(?=[0-9A-Fa-f])|h|[SA]_E?[HF]R)+")


# TC35-ATC-01-V02.10 p.110 and MC55_ATC_V01.05 p.202 (manual examples):
#   chann rs  dBm MCC MNC BCC  C1  C2          Chann rs dBm PLMN BCC C1 C2
#    653  26  -84 262  07   0  22  22          29 22 -70 26201 2 33 33
# Up to six neighbours; C1/C2 "-" during a call. Only BCC is printed, so no BSIC.
def parse_monp_block(lines: list[str]) -> list[ParseRecord]:
    out: list[ParseRecord] = []
    for raw in lines:
        toks = [_dash(t) for t in raw.split()]
        if not toks or not toks[0].isdigit():
            continue  # header line
        if len(toks) == 7:  # PLMN form
            mcc, mnc = dec_mcc_mnc(toks[3][:3], toks[3][3:])
            c1_t, c2_t = toks[5], toks[6]
        elif len(toks) == 8:
            mcc, mnc = dec_mcc_mnc(toks[3], toks[4])
            c1_t, c2_t = toks[6], toks[7]
        else:
            raise Garbled(f"^MONP row with {len(toks)} columns")
        arfcn = radio.valid_arfcn(dec(toks[0], strict=True))
        if arfcn is None:
            continue
        dec(toks[1], strict=True)  # rs: scale differs by model, see parse_moni_block
        rxlev, dbm = level_from_dbm(number(toks[2]))
        out.append(Cell(role=NEIGHBOUR, tech=GSM, mcc=mcc, mnc=mnc, arfcn=arfcn, rxlev=rxlev,
                        rxlev_dbm=dbm, c1=dec(c1_t), c2=dec(c2_t)))
    return out


# ------------------------------------------------------------------------- ^SMONI

# Thales/Cinterion ^SMONI (ModemManager src/plugins/cinterion/tests/test-modem-helpers-cinterion.c
# smoni_response_tests; layout comment in mm-modem-helpers-cinterion.c and oFono gemalto netmon):
#   ^SMONI: 2G,71,-61,262,02,0143,83BA,33,33,3,6,G,NOCONN
#   ^SMONI: 2G,SEARCH,SEARCH
#   ^SMONI: 2G,673,-89,262,07,4EED,A500,16,16,7,4,G,5,-107,LIMSRV
#   ^SMONI: 2G,673,-80,262,07,4EED,A500,35,35,7,4,G,643,4,0,-80,0,S_FR    (dedicated)
# 2G: ACT,ARFCN,BCCH(dBm),MCC,MNC,LAC,cell,C1,C2,NCC,BCC,GPRS,[PWR,RXLev,]Conn_state or, on a
# dedicated channel, ...,GPRS,ARFCN,TS,timAdv,dBm,Q,ChMod.
def parse_smoni(line: str) -> list[ParseRecord] | None:
    body = line.split(":", 1)[1] if ":" in line else ""
    f = tokens(body)
    act = f[0].upper()
    if len(f) >= 2 and f[1].upper() == "SEARCH":
        return [Cell(role=SERVING, tech={"3G": UMTS, "4G": LTE}.get(act, GSM), state="SEARCH")]
    if act == "3G" and len(f) >= 9:
        mcc, mnc = dec_mcc_mnc(f[5], f[6])
        return [Cell(role=SERVING, tech=UMTS, arfcn=dec(f[1], lo=0, hi=16383), pci=dec(f[2], lo=0, hi=511),
                     ecno_db=number(f[3], lo=-30, hi=0), rscp_dbm=number(f[4], lo=-125, hi=-20),
                     mcc=mcc, mnc=mnc, lac=hex_lac(f[7]), ci=hexnum(f[8], lo=1),
                     state=f[-1] if f[-1].isalpha() else None)]
    if act == "4G" and len(f) >= 14:
        mcc, mnc = dec_mcc_mnc(f[6], f[7])
        return [Cell(role=SERVING, tech=LTE, arfcn=dec(f[1], lo=0, hi=262143), mcc=mcc, mnc=mnc,
                     lac=hexnum(f[8], lo=1, hi=0xFFFE), ci=hexnum(f[9], lo=1), pci=dec(f[10], lo=0, hi=503),
                     rsrp_dbm=number(f[12], lo=-156, hi=-31), rsrq_db=number(f[13], lo=-35, hi=3),
                     state=f[14] if len(f) > 14 else None)]
    if act != "2G":
        raise Garbled(f"^SMONI with access technology {f[0]!r}")
    if len(f) < 13:
        raise Garbled(f"^SMONI 2G with {len(f)} fields")
    arfcn = radio.valid_arfcn(dec(f[1], strict=True))
    rxlev, dbm = level_from_dbm(number(f[2], strict=True))
    mcc, mnc = dec_mcc_mnc(f[3], f[4])
    cell = Cell(role=SERVING, tech=GSM, mcc=mcc, mnc=mnc, lac=hex_lac(f[5]), ci=hex_cell_id(f[6]),
                arfcn=arfcn, rxlev=rxlev, rxlev_dbm=dbm, c1=dec(f[7]), c2=dec(f[8]),
                bsic=radio.bsic_join(dec(f[9], lo=0, hi=7), dec(f[10], lo=0, hi=7)))
    tail = f[12:]
    if len(tail) == 6 and tail[-1].upper() in CHANNEL_MODES:
        ch_t, ts_t, ta_t, _ded_dbm, q_t, mode = tail
        hopping = ch_t.lower() == "h"
        ctype, codec = CHANNEL_MODES[mode.upper()]
        channel = Channel(tch_arfcn=None if hopping else radio.valid_arfcn(dec(ch_t, strict=True)),
                          timeslot=dec(ts_t, lo=0, hi=7), hopping=hopping, channel_type=ctype, codec=codec)
        return [replace(cell, channel=channel, ta=radio.valid_ta(dec(ta_t)), rxqual=dec(q_t, lo=0, hi=7),
                        state="dedicated")]
    return [replace(cell, state=tail[-1] if tail and tail[-1].isalpha() else None)]


# ------------------------------------------------------------------------- calls

# ^SLCC call list URC (ModemManager cinterion tests test_slcc_urc_*):
#   ^SLCC: 1,1,0,0,0,0,"123456789",161
#   ^SLCC: 2,1,5,0,0,0,"987654321",161
#   ^SLCC:                 <- the empty line that ends each report
# <idx>,<dir>,<stat>,<mode>,<mpty>,<traffic channel assigned>[,<number>,<type>[,<alpha>]]
def parse_slcc(line: str) -> list[ParseRecord] | None:
    body = line.split(":", 1)[1].strip() if ":" in line else ""
    if not body:
        return []  # end of the list
    f = split_fields(body)
    if len(f) < 5:
        raise Garbled(f"^SLCC with {len(f)} fields")
    idx = dec(f[0], lo=0, hi=99, strict=True)
    direction = {0: "mo", 1: "mt"}.get(dec(f[1], strict=True))
    state = CLCC_STAT.get(dec(f[2], strict=True))
    if direction is None or state is None:
        raise Garbled("^SLCC direction/state out of range")
    mode = {0: "voice", 1: "data", 2: "fax"}.get(dec(f[3]))
    number_text = clean(f[6]) if len(f) > 6 else ""
    return [CallState(index=idx, direction=direction, state=state, number=number_text or None,
                      mode=mode)]


# Cinterion's wording of TS 24.008 causes where it differs from the 3GPP table's.
_CEER_TEXT_CAUSE = {v.lower(): k for k, v in CC_CAUSES.items()}
_CEER_TEXT_CAUSE["unassigned/unallocated number"] = 1


# Release cause indicator after AT^SIND="ceer",1 (Thales test suite, public source):
#   +CIEV: ceer,2,"Unassigned/unallocated number"      +CIEV: ceer,1,"Client ended call"
# Same text as +CEER gives (the suite expects "+CEER: Unassigned/unallocated number" next), so
# it is reported the same way as the generic +CEER parser does: Info "ceer", and "ceer_cause"
# when the text names a TS 24.008 CC cause.
def parse_ciev(line: str) -> list[ParseRecord] | None:
    body = line.split(":", 1)[1].strip() if ":" in line else ""
    f = split_fields(body)
    if clean(f[0]).lower() != "ceer":
        # Other indicators (+CIEV: service,1 / ^CIEV: 1,0, 27.007 §8.10): kept as a URC, not
        # a measurement; call-state use of them belongs to the call tracker.
        return [Urc(name=line.split(":", 1)[0].strip().upper(), text=body)]
    if len(f) < 3:
        raise Garbled("+CIEV: ceer without its report text")
    text = clean(",".join(f[2:]))
    if not text:
        return []
    out: list[ParseRecord] = [Info(key="ceer", value=text)]
    cause = _CEER_TEXT_CAUSE.get(text.lower())
    if cause is not None:
        out.append(Info(key="ceer_cause", value=cause))
        out.append(Info(key="ceer_cause_text", value=text))
    return out


CINTERION = register(Family(
    name="cinterion",
    match=("cinterion", "siemens", "thales", "gemalto", "mc35", "mc55", "tc35", "tc63", "ac75",
           "bgs", "ehs", "pls"),
    # ^SLCC call list URCs; +CIEV: ceer release cause indications, all groups (99), as the
    # Thales test suite subscribes them.
    init_commands=("AT+CMEE=1", "AT+CREG=2", "AT^SLCC=1", 'AT^SIND="ceer",1,99'),
    # ^SMOND (TC35i..AC75): serving (Full/Sub and timeslot in a call) + 6 neighbours + TA +
    # RSSI/BER in one line; ^MONI adds the dedicated channel (TCH ARFCN, timeslot, hopping,
    # channel mode); ^SMONI is the newer modules' (EHS/PLS) one-line view. A module drops the
    # ones it does not know after a few failed polls.
    poll_commands=("AT+CSQ", "AT+CREG?", "AT^SMOND", "AT^MONI", "AT^SMONI"),
    line_parsers={"^SMONC:": parse_smonc, "^SMOND:": parse_smond, "^SMONI:": parse_smoni,
                  "^SLCC:": parse_slcc, "+CIEV:": parse_ciev, "^CIEV:": parse_ciev},
    block_parsers={"AT^MONI": parse_moni_block, "AT^MONP": parse_monp_block},
    urc_prefixes=("^SLCC:", "+CIEV:", "^CIEV:"),
    call_state_by="urc",
    fields=frozenset({"rxlev", "rxqual", "bsic", "lac", "ci", "c1", "c2", "ta", "tch_arfcn",
                      "timeslot", "neighbours"}),
    notes=(
        "No GSM ARFCN lock documented; AT^SCFG=\"Radio/Band\" restricts bands only (docs/at-commands.md §4).",
        "^MONI/^MONP print no prefix: their rows are read by the block parsers of those commands.",
        "MAIO/HSN are not reported; ^MONI shows hopping as chann 'h' (TC35: 0).",
    ),
))
