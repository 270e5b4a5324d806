"""Quectel: ``AT+QENG="servingcell"`` / ``"neighbourcell"`` (EC2x/EG2x/BG96/EC200) and the older
2G ``AT+QENG=<mode>,<dump>`` read with ``AT+QENG?`` (M95/M66/MC60/M35/M10).
Reference: docs/at-commands.md §3.1, §4. Both families print ``+QENG:``; one parser serves
both and tells the layouts apart by the first field (quoted keyword or a bare mode number).
"""

from __future__ import annotations

import re

from drivers.families.base import Family, register
from drivers.families.fields import Garbled, after, dec, hexnum, tokens
from drivers.families.ranges import certain
from drivers.families.survey import qscanf_records
from drivers.families.threegpp import (
    CALL_URCS,
    REGISTRATION_URCS,
    level_from_dbm,
    level_from_field,
    mcc_mnc,
    pick_arfcn,
    valid_ci,
    valid_lac,
)
from fieldapp import radio
from fieldapp.model import LTE, NEIGHBOUR, SERVING, UMTS, Cell, Channel, Info, ParseRecord

# Voice codec → channel rate: the half-rate codecs need a TCH/H, the others a TCH/F.
_CODEC_CHANNEL = {"HR": "TCH/H", "AMRHR": "TCH/H", "FR": "TCH/F", "EFR": "TCH/F",
                  "AMRFR": "TCH/F", "AMRWB": "TCH/F"}
_LTE_RATS = ("LTE", "CAT-M", "CAT-NB", "EMTC", "NBIOT", "CAT-M1")


def _rxqual(tok: str) -> int | None:
    return radio.valid_rxqual(dec(tok))


def _sub_full_rxlev(tok: str) -> int | None:
    """rxlevsub/rxlevfull: RXLEV 0..63 in the manual's CONNECT example; a negative value is dBm."""
    return level_from_field(dec(tok))[0]


def _channel(tch: str, ts: str, maio: str, hsn: str, codec: str | None) -> Channel | None:
    """The dedicated channel; ``h`` in the TCH field means frequency hopping (no single ARFCN)."""
    hopping = tch.lower() == "h"
    tch_arfcn = None if hopping else pick_arfcn(dec(tch, lo=0, hi=1023))
    timeslot = dec(ts, lo=0, hi=7)
    if not hopping and tch_arfcn is None and timeslot is None:
        return None  # idle: every dedicated field is "-"
    codec = codec.upper() if codec and codec != "-" else None
    return Channel(tch_arfcn=tch_arfcn, timeslot=timeslot,
                   hopping=True if hopping else (False if tch_arfcn is not None else None),
                   maio=dec(maio, lo=0, hi=63), hsn=dec(hsn, lo=0, hi=63),
                   channel_type=_CODEC_CHANNEL.get(codec or ""), codec=codec)


# +QENG: "servingcell","NOCONN","GSM",460,00,247C,1327,35,82,-,-52,255,255,0,53,179,1,-,-,-,-,-,-,-,-,-,"-"
#   (EC20 capture in a public Quectel demo source)
# +QENG:"servingcell","CONNECT","GSM",460,00,550A,2BB9,23,94,0,-61,5,14,4,0,0,0,h,1,0,0,33,50,52,0,0,"EFR"
#   (Quectel manual §6.17 example: no space after the colon, hopping call)
# Fields after "GSM": mcc,mnc,lac,ci,bsic,arfcn,band,rxlev,txp,rla,drx,c1,c2,gprs,tch,ts,ta,maio,
# hsn,rxlevsub,rxlevfull,rxqualsub,rxqualfull,voicecodec.
# Read by position (ranges.certain): missing trailing fields are unknown, extra ones ignored,
# and nothing is read from the first field whose shape is wrong (a lost comma) on.
_GSM_SERVING_SHAPES = "ddhhddtdddddddtddddddddt"


def _gsm_serving(state: str, raw: list[str]) -> list[ParseRecord]:
    if not raw:
        raise Garbled("QENG GSM serving cell without fields")
    f = certain(raw, _GSM_SERVING_SHAPES)
    mcc, mnc = mcc_mnc(f[0], f[1])
    rxlev, dbm = level_from_field(dec(f[7]))
    return [Cell(role=SERVING, tech="GSM", mcc=mcc, mnc=mnc, lac=valid_lac(hexnum(f[2])),
                 ci=valid_ci(hexnum(f[3])), bsic=dec(f[4], lo=0, hi=63),
                 arfcn=pick_arfcn(dec(f[5])), rxlev=rxlev, rxlev_dbm=dbm,
                 c1=dec(f[11], lo=-999, hi=999), c2=dec(f[12], lo=-999, hi=999), ta=dec(f[16], lo=0, hi=63),
                 rxlev_sub=_sub_full_rxlev(f[19]), rxlev_full=_sub_full_rxlev(f[20]),
                 rxqual_sub=_rxqual(f[21]), rxqual=_rxqual(f[22]),
                 channel=_channel(f[14], f[15], f[17], f[18], f[23]), state=state)]


# +QENG: "servingcell","NOCONN","LTE","FDD",214,01,7676A09,188,6300,20,3,3,603,-104,-9,-78,11,23
#   (EC25 capture in openqti's cell.h)
# +QENG: "servingcell","CONNECT","CAT-M","FDD",262,03,2FAA03,187,6200,20,3,3,2AFB,-105,-11,-76,10,-
#   (BG96-class capture in a public Electric Imp library)
# After the RAT: is_tdd,mcc,mnc,cellid,pcid,earfcn,band,ul_bw,dl_bw,tac,rsrp,rsrq,rssi,sinr,...
def _lte_serving(state: str | None, f: list[str]) -> list[ParseRecord]:
    if len(f) < 12:
        raise Garbled("QENG LTE serving cell too short")
    mcc, mnc = mcc_mnc(f[1], f[2])
    return [Cell(role=SERVING, tech=LTE, mcc=mcc, mnc=mnc, ci=valid_ci(hexnum(f[3])),
                 pci=dec(f[4], lo=0, hi=503), arfcn=dec(f[5], lo=0, hi=262143),
                 lac=valid_lac(hexnum(f[9])), rsrp_dbm=_float(dec(f[10], lo=-140, hi=-44)),
                 rsrq_db=_float(dec(f[11], lo=-30, hi=0)), state=state)]


# +QENG: "servingcell","NOCONN","WCDMA",515,03,3AB2,B55EEFF,3037,352,1,-94,-15,-,-,-,-,-
#   (public Quectel driver comment) — mcc,mnc,lac,cellid,uarfcn,psc,rac,rscp,ecio,...
def _wcdma_serving(state: str, f: list[str]) -> list[ParseRecord]:
    if len(f) < 9:
        raise Garbled("QENG WCDMA serving cell too short")
    mcc, mnc = mcc_mnc(f[0], f[1])
    return [Cell(role=SERVING, tech=UMTS, mcc=mcc, mnc=mnc, lac=valid_lac(hexnum(f[2])),
                 ci=valid_ci(hexnum(f[3])), arfcn=dec(f[4], lo=0, hi=16383), pci=dec(f[5], lo=0, hi=511),
                 rscp_dbm=_float(dec(f[7], lo=-125, hi=-20)), ecno_db=_float(dec(f[8], lo=-25, hi=0)),
                 state=state)]


def _float(v: int | None) -> float | None:
    return None if v is None else float(v)


def _serving(t: list[str]) -> list[ParseRecord]:
    if len(t) < 2 or not t[1]:
        raise Garbled("QENG servingcell without state")
    state = t[1].upper()
    if not state.replace("_", "").replace("-", "").isalnum() or not state.isascii():
        raise Garbled(f"QENG servingcell state {state!r}")  # a damaged line, not a state word
    if len(t) == 2:  # +QENG: "servingcell","SEARCH"  (manual: no more fields while searching)
        return [Info(key="serving_state", value=state)]
    rat = t[2].upper()
    if rat == "GSM":
        return _gsm_serving(state, t[3:])
    if rat in _LTE_RATS:
        return _lte_serving(state, t[3:])
    if rat == "WCDMA":
        return _wcdma_serving(state, t[3:])
    # "EN-DC" (details follow on "LTE"/"NR5G-NSA" lines), TDSCDMA, CDMA, HDR, NR5G-SA.
    return [Info(key="serving_state", value=state)]


# +QENG: "neighbourcell","GSM",460,00,24A5,1241,33,33,-83,22,146,0,0   (EC20 capture, public demo)
#   GSM mode: mcc,mnc,lac,ci,bsic,arfcn,rxlev(dBm),c1,c2,c31,c32
#   in LTE:  arfcn,cell_resel_priority,thresh_high,thresh_low,ncc_permitted,band,bsic,rssi,srxlev
#   in WCDMA: bsic,rssi,rxlev,rank                                          (manual §6.17)
def _gsm_neighbour(raw: list[str]) -> list[ParseRecord]:
    if len(raw) >= 10:  # 11 fields; one missing or extra trailing field still fits only here
        f = certain(raw, "ddhhddddddd")
        mcc, mnc = mcc_mnc(f[0], f[1])
        rxlev, dbm = level_from_field(dec(f[6]))
        return [Cell(role=NEIGHBOUR, tech="GSM", mcc=mcc, mnc=mnc, lac=valid_lac(hexnum(f[2])),
                     ci=valid_ci(hexnum(f[3])), bsic=dec(f[4], lo=0, hi=63),
                     arfcn=pick_arfcn(dec(f[5])), rxlev=rxlev, rxlev_dbm=dbm,
                     c1=dec(f[7], lo=-999, hi=999), c2=dec(f[8], lo=-999, hi=999))]
    f = raw
    if len(f) == 9:
        rxlev, dbm = level_from_dbm(dec(f[7], strict=True))
        return [Cell(role=NEIGHBOUR, tech="GSM", arfcn=pick_arfcn(dec(f[0], strict=True)),
                     bsic=dec(f[6], lo=0, hi=63), rxlev=rxlev, rxlev_dbm=dbm)]
    if len(f) == 4:
        rxlev, dbm = level_from_dbm(dec(f[1], strict=True))
        return [Cell(role=NEIGHBOUR, tech="GSM", bsic=dec(f[0], lo=0, hi=63, strict=True),
                     rxlev=rxlev, rxlev_dbm=dbm)]
    raise Garbled(f"QENG GSM neighbour with {len(f)} fields")


# +QENG: "neighbourcell intra","LTE",6300,188,-12,-105,-75,-20,23,4,12,10,62   (openqti cell.h)
#   earfcn,pcid,rsrq,rsrp,rssi,sinr,...
# +QENG: "neighbourcell","WCDMA",3062,3,16,2,-,-,-,-   uarfcn,priority,high,low,psc,rscp,ecno,srxlev
def _neighbour(t: list[str]) -> list[ParseRecord]:
    if len(t) < 2:
        raise Garbled("QENG neighbourcell without RAT")
    rat, f = t[1].upper(), t[2:]
    if rat == "GSM":
        return _gsm_neighbour(f)
    if rat in _LTE_RATS:
        if len(f) < 4:
            raise Garbled("QENG LTE neighbour too short")
        return [Cell(role=NEIGHBOUR, tech=LTE, arfcn=dec(f[0], lo=0, hi=262143, strict=True),
                     pci=dec(f[1], lo=0, hi=503), rsrq_db=_float(dec(f[2], lo=-30, hi=0)),
                     rsrp_dbm=_float(dec(f[3], lo=-140, hi=-44)))]
    if rat == "WCDMA":
        if len(f) < 7:
            raise Garbled("QENG WCDMA neighbour too short")
        return [Cell(role=NEIGHBOUR, tech=UMTS, arfcn=dec(f[0], lo=0, hi=16383, strict=True),
                     pci=dec(f[4], lo=0, hi=511), rscp_dbm=_float(dec(f[5], lo=-125, hi=-20)),
                     ecno_db=_float(dec(f[6], lo=-25, hi=0)))]
    return []  # other RATs carry nothing a GSM tool records


# Older 2G Quectel (docs/at-commands.md §3.1.2, captures in a public source):
# +QENG: 1,4                                                   <mode>,<dump>
# +QENG: 0,404,20,3a9a,1429,1,63,-68,147,147,5,5,x,x,x,x,x,x,x   serving
#   mcc,mnc,lac,cellid,bcch,bsic,dbm,c1,c2,txp,rla,tch,ts,maio,hsn,ta,rxq_sub,rxq_full
#   (the order of the last seven, valid only in a call, is inferred, not read in a manual)
# +QENG: 1,1,8,-71,32,134,134,404,20,3a9a,142a,2,12,-77,19,...   neighbours, 10 fields each:
#   ncell,bcch,dbm,bsic,c1,c2,mcc,mnc,lac,cellid
# +QENG: 4,12,(8,-71,32),(12,-77,19),...,(13,-94,x)             BA list (bcch,dbm,bsic)
# No "\s*" before a group that also takes blanks: "(" and 4000 blanks took quadratic time.
_BA_RE = re.compile(r"\(([^(),]*),([^(),]*),([^(),]*)\)")


def _serving_2g(raw: list[str]) -> list[ParseRecord]:
    f = certain(raw, "ddhhddddddd" + "tddddddd")
    mcc, mnc = mcc_mnc(f[0], f[1])
    rxlev, dbm = level_from_dbm(dec(f[6]))
    return [Cell(role=SERVING, tech="GSM", mcc=mcc, mnc=mnc, lac=valid_lac(hexnum(f[2])),
                 ci=valid_ci(hexnum(f[3])), arfcn=pick_arfcn(dec(f[4])),
                 bsic=dec(f[5], lo=0, hi=63), rxlev=rxlev, rxlev_dbm=dbm,
                 c1=dec(f[7], lo=-999, hi=999), c2=dec(f[8], lo=-999, hi=999), ta=dec(f[15], lo=0, hi=63),
                 rxqual_sub=_rxqual(f[16]), rxqual=_rxqual(f[17]),
                 channel=_channel(f[11], f[12], f[13], f[14], None))]


def _neighbours_2g(f: list[str]) -> list[ParseRecord]:
    if not f or len(f) % 10:
        raise Garbled("QENG 2G neighbours are groups of 10 fields")
    out: list[ParseRecord] = []
    for i in range(0, len(f), 10):
        g = f[i:i + 10]
        if dec(g[0], lo=0, hi=32, strict=True) is None:
            raise Garbled("QENG 2G neighbour index")
        mcc, mnc = mcc_mnc(g[6], g[7])
        rxlev, dbm = level_from_dbm(dec(g[2], strict=True))
        out.append(Cell(role=NEIGHBOUR, tech="GSM", arfcn=pick_arfcn(dec(g[1], strict=True)),
                        rxlev=rxlev, rxlev_dbm=dbm, bsic=dec(g[3], lo=0, hi=63, strict=True),
                        c1=dec(g[4], lo=-999, hi=999), c2=dec(g[5], lo=-999, hi=999), mcc=mcc, mnc=mnc,
                        lac=valid_lac(hexnum(g[8])), ci=valid_ci(hexnum(g[9]))))
    return out


def _ba_list(rest: str) -> list[ParseRecord]:
    carriers = []
    for bcch, dbm_tok, bsic in _BA_RE.findall(rest):
        rxlev, dbm = level_from_dbm(dec(dbm_tok, strict=True))
        carriers.append({"arfcn": pick_arfcn(dec(bcch, strict=True)), "rxlev": rxlev,
                         "rxlev_dbm": dbm, "bsic": dec(bsic, lo=0, hi=63, strict=True)})
    if not carriers:
        raise Garbled("QENG BA list without (bcch,dbm,bsic) groups")
    return [Info(key="ba_list", value=carriers)]


def _qeng_2g(rest: str, t: list[str]) -> list[ParseRecord]:
    mode = dec(t[0], strict=True)
    if mode is None:
        raise Garbled("QENG mode")
    if len(t) == 2:
        return [Info(key="qeng_mode", value={"mode": mode, "dump": dec(t[1], strict=True)})]
    if mode == 0:
        return _serving_2g(t[1:])
    if mode == 1:
        return _neighbours_2g(t[1:])
    if mode == 4:
        return _ba_list(rest)
    return []  # "+QENG: 2,21,88": meaning not documented (docs/at-commands.md §8)


def parse_qeng(line: str) -> list[ParseRecord]:
    rest = after(line, "+QENG:").rstrip(";").strip()
    if not rest:
        raise Garbled("empty +QENG")
    t = tokens(rest)
    if not rest.startswith('"'):
        return _qeng_2g(rest, t)
    keyword = t[0].lower()
    if keyword == "servingcell":
        return _serving(t)
    if keyword.startswith("neighbourcell"):
        return _neighbour(t)
    if keyword.upper() in _LTE_RATS:  # EN-DC: +QENG: "LTE","FDD",... after the servingcell line
        return _lte_serving(None, t[1:])
    return []  # "NR5G-NSA" and other detail lines: nothing a GSM tool records


_FIELDS = frozenset({"mcc", "mnc", "lac", "ci", "arfcn", "bsic", "rxlev", "rxlev_dbm", "rxqual",
                     "rxlev_full", "rxlev_sub", "rxqual_sub", "c1", "c2", "ta", "neighbours",
                     "tch_arfcn", "timeslot", "hopping", "maio", "hsn", "codec"})
_NO_LOCK_EC2X = ("No GSM ARFCN lock on EC2x/EG2x/BG96: AT+QNWLOCK locks an LTE EARFCN/PCI only "
                 "(docs/at-commands.md §4). Per-TRX CQT reads tch/ts/maio/hsn from "
                 "AT+QENG=\"servingcell\" during each call instead.")

# Registered before "quectel": its identification text also contains "quectel".
QUECTEL_2G = register(Family(
    name="quectel-2g",
    match=("m95", "m66", "mc60", "m35", "m10"),
    init_commands=("AT+CMEE=1", "AT+CLIP=1", "AT+CRC=1", "AT+CREG=2", "AT+QENG=1,1"),
    poll_commands=("AT+CSQ", "AT+CREG?", "AT+QENG?"),
    line_parsers={"+QENG:": parse_qeng, "+QSCANF:": qscanf_records},
    urc_prefixes=CALL_URCS + REGISTRATION_URCS,
    call_state_by="clcc-poll",
    fields=_FIELDS - {"rxlev_full", "rxlev_sub", "codec"},
    notes=("AT+QLOCKF (lock frequency) exists in the M95 manual history from V1.3 but its syntax "
           "was never read, and M35 dropped it (docs/at-commands.md §4): no lock command is sent.",
           "The order of the seven dedicated-mode fields of '+QENG: 0,...' is inferred.",),
))

QUECTEL = register(Family(
    name="quectel",
    match=("quectel",),
    init_commands=("AT+CMEE=1", "AT+CLIP=1", "AT+CRC=1", "AT+CREG=2"),
    poll_commands=("AT+CSQ", "AT+CREG?", 'AT+QENG="servingcell"', 'AT+QENG="neighbourcell"'),
    line_parsers={"+QENG:": parse_qeng},
    urc_prefixes=CALL_URCS + REGISTRATION_URCS,
    call_state_by="clcc-poll",
    fields=_FIELDS,
    notes=(_NO_LOCK_EC2X, "GSM neighbour cells are only listed in idle mode (manual §6.17)."),
))
