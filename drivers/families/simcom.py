"""SIMCom: ``AT+CENG`` engineering mode (SIM800/SIM808/SIM900), ``AT+CPSI?`` and ``AT+CCINFO``
(SIM5xxx/SIM7xxx/A76xx), and the SIMCom call URCs (``VOICE CALL:``, ``MISSED_CALL:``, +CLCC in
URC mode). Reference: docs/at-commands.md §1.2, §3.2, §4.
"""

from __future__ import annotations

import re

from drivers.families.base import Family, register
from drivers.families.fields import Garbled, after, clean, dec, hexnum, number
from drivers.families.ranges import certain
from drivers.families.survey import cnetscan_block
from drivers.families.threegpp import (
    CALL_URCS,
    REGISTRATION_URCS,
    level_from_dbm,
    level_from_rxlev,
    mcc_mnc,
    pick_arfcn,
    valid_ci,
    valid_lac,
)
from fieldapp import radio
from fieldapp.model import (
    CALL_ACTIVE,
    CALL_RELEASED,
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
    Urc,
)

# --------------------------------------------------------------------------- +CENG


def ceng_arfcn(value: int | None) -> int | None:
    """SIM800 prints some neighbour ARFCNs above 1023. Decision: 1536..1834 is a PCS1900
    channel + 1024 and is returned as the PCS channel number (512..810); anything else above
    1023 is unknown. Evidence (docs/at-commands.md §3.2.1 [inferred], checked on the sitch fixtures): a
    SIM800L and a SIM900 at the same US site (MCC 310) list CI a53f on 1688 vs 0664 and CI a53e
    on 1696 vs 0672 - both exactly 1024 apart - while the SIM800L prints its PCS serving
    cell as plain 0666. The band (PCS vs DCS for 512..810) is context, as for any ARFCN."""
    if value is None:
        return None
    if value <= 1023:
        return radio.valid_arfcn(value)
    if 1024 + 512 <= value <= 1024 + 810:
        return value - 1024
    return None


def _ceng_bsic(tok: str) -> int | None:
    """BSIC: 0..63; SIMCom prints 127 (and other values > 63, e.g. 156) for "not decoded"."""
    v = dec(tok)
    return v if v is not None and 0 <= v <= 63 else None


def _is_v101(f: list[str]) -> bool:
    """SIM900 manual V1.01 orders the serving tail ...,<cellid>,<lac>,<rla>,<txp>,<TA>; V1.03
    and SIM800 ...,<cellid>,<rla>,<txp>,<lac>,<TA>. rla/txp are small decimals, LAC is hex
    (often 4 digits or with letters): decide by which of f[7] / f[9] looks like a LAC."""
    def lac_like(tok: str) -> bool:
        t = tok.strip()
        return len(t) > 2 or any(c in "abcdefABCDEF" for c in t)
    return lac_like(f[7]) and not lac_like(f[9])


# Shapes by position (ranges.certain): bcch,rxl,rxq,mcc,mnc,bsic d; cellid h; rla/lac (the two
# orders) h; txp d; lac/rla h; TA d; then the dedicated tail dbm,c1,c2,tch,ts,maio,hsn,
# rxq_sub,rxq_full d and ch_mod text.
_SERVING_SHAPES = "ddddddhhdhd" + "dddtdddddt"  # tch: "h" when hopping (simulator)


# +CENG: 0,"0666,21,00,310,260,08,4e72,04,03,0113,255"  (SIM800L, sitch fixture, idle; TA 255)
# +CENG:0,"0668,13,99,310,260,59,5431,05,03,fd,0"       (SIM900 R11.0, sitch fixture, no space)
# V1.03/SIM800: bcch,rxl,rxq,mcc,mnc,bsic,cellid,rla,txp,lac,TA
#   dedicated tail (SIM800 manual V1.09 §6.2.21, no capture): dbm,c1,c2,tch,ts,maio,hsn,
#   rxq_sub,rxq_full,ch_mod
# Read by position: missing trailing fields are unknown, extra ones ignored, and from the first
# field that is not a number where one belongs (a lost comma) nothing more is read. Values out
# of range are unknown for their field only (ranges.sanitize).
def _ceng_serving(raw: list[str]) -> list[ParseRecord]:
    n = len(raw)
    f = certain(raw, _SERVING_SHAPES)
    lac_tok = f[7] if n >= 10 and _is_v101(f) else f[9]
    arfcn = ceng_arfcn(dec(f[0]))
    rxlev, dbm = level_from_rxlev(dec(f[1]))
    mcc, mnc = mcc_mnc(f[3], f[4])
    channel = None
    extra: dict = {}
    tail = n >= 12 and any(f[11:])
    if tail:
        if rxlev is None:
            rxlev, dbm = level_from_dbm(dec(f[11]))
        tch = pick_arfcn(dec(f[14], lo=0, hi=1023))
        ts = dec(f[15], lo=0, hi=7)
        if tch is not None or ts is not None:
            # Hopping is not documented for CENG: leave it unknown rather than guess.
            codec = clean(f[20]).upper()
            channel = Channel(tch_arfcn=tch, timeslot=ts, maio=dec(f[16], lo=0, hi=63),
                              hsn=dec(f[17], lo=0, hi=63), codec=codec if codec.isalpha() else None)
        extra = {"c1": dec(f[12], lo=-999, hi=999), "c2": dec(f[13], lo=-999, hi=999),
                 "rxqual_sub": radio.valid_rxqual(dec(f[18]))}
    rxq = radio.valid_rxqual(dec(f[2]))
    if tail and radio.valid_rxqual(dec(f[19])) is not None:
        rxq = radio.valid_rxqual(dec(f[19]))  # rxq_full of the dedicated channel
    ta = dec(f[10], lo=0, hi=63)
    # RXQUAL is measured only on a dedicated channel (TS 45.008): the SIM800 prints "00" in
    # idle (TA 255 there), which is "unknown", not "excellent quality". The SIM900 prints TA 0
    # with rxq 99 in idle, so a TA alone does not make a call: a call has a TA *and* a quality.
    # TA only means something on a dedicated channel too (idle "0" is not "next to the site").
    dedicated = tail or (ta is not None and rxq is not None)
    known_state = n >= 11 and f[10] != ""
    return [Cell(role=SERVING, tech=GSM, arfcn=arfcn, rxlev=rxlev, rxlev_dbm=dbm,
                 rxqual=rxq if dedicated else None,
                 mcc=mcc, mnc=mnc, bsic=_ceng_bsic(f[5]), ci=valid_ci(hexnum(f[6])),
                 lac=valid_lac(hexnum(lac_tok)), ta=ta if dedicated else None,
                 channel=channel,
                 state=("dedicated" if dedicated else "idle") if known_state or tail else None,
                 **extra)]


# +CENG: 1,"1688,16,25,a53f,310,260,0113"   (SIM800L, Ncell=1: bcch,rxl,bsic,cellid,mcc,mnc,lac)
# +CENG: 1,"0128,15,30,310,411,178d"        (SIM808: bcch,rxl,bsic,mcc,mnc,lac)
# +CENG: 3,"0233,26,00,,,0000"              (SIM808: carrier measured, BCCH not decoded)
# +CENG:6,"0727,06,127,ffff,000,00,0"       (SIM900 R11.0: nothing decoded)
# SIM900 manual V1.01 neighbour: arfcn,rxl,bsic,lac
# The field count tells the layout (7, 6 or 4); more than 7 is read as 7 (extra fields
# ignored); 5 fits none, so only the three leading fields every layout shares are certain.
def _ceng_neighbour(raw: list[str]) -> list[ParseRecord]:
    n = len(raw)
    if n >= 7:
        f = certain(raw, "dddhddh")
        ci_tok, mcc_tok, mnc_tok, lac_tok = f[3], f[4], f[5], f[6]
    elif n == 6:
        f = certain(raw, "ddddhh")
        ci_tok, mcc_tok, mnc_tok, lac_tok = None, f[3], f[4], f[5]
    elif n == 4:
        f = certain(raw, "dddh")
        ci_tok, mcc_tok, mnc_tok, lac_tok = None, None, None, f[3]
    else:
        f = certain(raw, "ddd")
        ci_tok = mcc_tok = mnc_tok = lac_tok = None
    raw_arfcn = dec(f[0])
    raw_rxl = dec(f[1])
    if not raw_arfcn and not raw_rxl and not any(clean(t).strip("0") for t in raw):
        return []  # empty slot (0000,00,... or all blank)
    bsic = _ceng_bsic(f[2])
    undecoded = n in (6, 7) and not clean(mcc_tok or "") and not clean(mnc_tok or "")
    if undecoded and bsic == 0:
        bsic = None  # slots without MCC/MNC print BSIC 00 on every carrier: not decoded
    mcc, mnc = mcc_mnc(mcc_tok, mnc_tok)
    rxlev, dbm = level_from_rxlev(raw_rxl)
    return [Cell(role=NEIGHBOUR, tech=GSM, arfcn=ceng_arfcn(raw_arfcn), rxlev=rxlev,
                 rxlev_dbm=dbm, bsic=bsic, mcc=mcc, mnc=mnc,
                 ci=valid_ci(hexnum(ci_tok)) if ci_tok is not None else None,
                 lac=valid_lac(hexnum(lac_tok)) if lac_tok is not None else None)]


# Mode 3 (SIM800 manual): +CENG: <cell>,<mcc>,<mnc>,<lac>,<cellid>,<bsic>,<rxl>   [doc only]
def _ceng_mode3(index: int, raw: list[str]) -> list[ParseRecord]:
    f = certain(raw, "ddhhdd")
    mcc, mnc = mcc_mnc(f[0], f[1])
    rxlev, dbm = level_from_rxlev(dec(f[5]))
    return [Cell(role=SERVING if index == 0 else NEIGHBOUR, tech=GSM, mcc=mcc, mnc=mnc,
                 lac=valid_lac(hexnum(f[2])), ci=valid_ci(hexnum(f[3])),
                 bsic=_ceng_bsic(f[4]), rxlev=rxlev, rxlev_dbm=dbm)]


def parse_ceng(line: str) -> list[ParseRecord]:
    rest = after(line, "+CENG:")
    index_tok, comma, body = rest.partition(",")
    if not comma:
        raise Garbled("+CENG without fields")
    index = dec(index_tok, strict=True)
    if index is None:
        raise Garbled("+CENG cell index")
    body = body.strip()
    if body.startswith('"'):
        quotes = body.count('"')
        if quotes == 1 and len(body) > 1:
            # Cut before the closing quote: the last field may be cut too; the rest is certain.
            f = body[1:].split(",")[:-1]
            if not f:
                raise Garbled("+CENG quoted record cut")
        elif quotes != 2 or not body.endswith('"'):
            raise Garbled("+CENG quoted record fused with another")
        else:
            f = body[1:-1].split(",")
        if index == 0:
            return _ceng_serving(f)
        if 1 <= index <= 6:
            return _ceng_neighbour(f)
        raise Garbled(f"+CENG cell index {index}")
    f = body.split(",")
    if len(f) == 1:  # +CENG: <mode>,<Ncell>   (AT+CENG? header line)
        ncell = dec(f[0], lo=0, hi=1, strict=True)
        if ncell is None:
            raise Garbled("+CENG header")
        return [Info(key="ceng_mode", value={"mode": index, "ncell": ncell})]
    if len(f) == 6 and 0 <= index <= 6:
        return _ceng_mode3(index, f)
    raise Garbled(f"+CENG layout with {len(f)} unquoted fields")


# --------------------------------------------------------------------------- +CPSI
# GSM:   +CPSI: GSM,Online,262-01,0x972d,5559,79 EGSM 900,-83,0,24-24   (1NCE SIM7000G doc)
#        +CPSI: GSM,Online,286-01,0x2B5C,12401,27,-64,2110,42-42        (band text missing)
#        +CPSI: GSM,Online,460-01 0x25b1,...   (space instead of comma after the MNC)
#        mcc-mnc, LAC (0x hex), Cell ID (decimal), ARFCN + band, RxLev dBm, track LO, C1-C2
# LTE:   +CPSI: LTE,Online,250-20,0x4D07,200468759,468,EUTRAN-BAND7,3400,3,3,-69,-900,-661,20
#        (SIM7600: RSRQ/RSRP/RSSI in tenths) +CPSI: LTE CAT-M1,...,-12,-81,-52,10 (SIM7080: whole)
#        mcc-mnc, TAC, SCellID, PCellID, band, EARFCN, dlbw, ulbw, RSRQ, RSRP, RSSI, RSSNR
# WCDMA: +CPSI: WCDMA,Online,505-01,0x0152,14302219,WCDMA 850,214,4436,0,12.5,83,23,36,500
#        (SIM5320A) mcc-mnc, LAC, CI, band, PSC, UARFCN, SSC, EC/IO, RSCP, Qual, RxLev, TXPWR
#        EC/IO and RSCP are printed as magnitudes: the same unit's AT+CCINFO shows RSCP:88
#        next to RXLev:-88dbm, so RSCP 83 is -83 dBm and EC/IO 12.5 is -12.5 dB [inferred].
# No service: +CPSI: NO SERVICE,Online
_PLMN_RE = re.compile(r"(\d{3})-(\d{2,3})")
# (?<!\s): a search never restarts inside a run of blanks (quadratic otherwise, issue 16).
_LEADING_INT_RE = re.compile(r"(?<!\s)\s*(-?\d+)")


def _cpsi_plmn(tok: str) -> tuple[int | None, int | None]:
    m = _PLMN_RE.fullmatch(tok.strip())
    if not m:
        raise Garbled(f"CPSI MCC-MNC {tok!r}")
    return mcc_mnc(m.group(1), m.group(2))


def _magnitude(tok: str, hi: float) -> float | None:
    v = number(tok)
    if v is None or abs(v) > hi:
        return None
    return -abs(v)


def _cpsi_lte_levels(f: list[str]) -> tuple[float | None, float | None]:
    """(RSRP dBm, RSRQ dB). SIM7600 prints tenths (-900 = -90.0 dBm), SIM7080 whole units:
    RSRP decides the scale; A76xx positive index-like values are not decoded."""
    rsrp_raw, rsrq_raw = number(f[9]), number(f[8])
    if rsrp_raw is None:
        return None, None
    scale = 10.0 if rsrp_raw < -156 else 1.0
    rsrp = rsrp_raw / scale
    rsrq = None if rsrq_raw is None else rsrq_raw / scale
    return (rsrp if -140 <= rsrp <= -44 else None,
            rsrq if rsrq is not None and -30 <= rsrq <= 0 else None)


def parse_cpsi(line: str) -> list[ParseRecord]:
    rest = after(line, "+CPSI:")
    t = rest.split(",")
    system = t[0].strip().upper()
    if not system:
        raise Garbled("+CPSI without system mode")
    if len(t) <= 2:
        return [Info(key="serving_state", value=system)]
    if " " in t[2].strip():  # 460-01 0x25b1: a space where a comma belongs
        t[2:3] = t[2].split(None, 1)
    f = [x.strip() for x in t[2:]]
    mcc, mnc = _cpsi_plmn(f[0])
    if system == "GSM":
        if len(f) < 5:
            raise Garbled("+CPSI GSM too short")
        m = _LEADING_INT_RE.match(f[3])
        if not m:
            raise Garbled(f"CPSI ARFCN {f[3]!r}")
        rxlev, dbm = level_from_dbm(dec(f[4], strict=True))
        c1 = c2 = None
        if len(f) > 6:
            c = re.fullmatch(r"(-?\d+)-(-?\d+)", f[6])
            if c:
                c1, c2 = dec(c.group(1), lo=-999, hi=999), dec(c.group(2), lo=-999, hi=999)
        return [Cell(role=SERVING, tech=GSM, mcc=mcc, mnc=mnc, lac=valid_lac(hexnum(f[1])),
                     ci=valid_ci(dec(f[2], lo=0, hi=65535)), arfcn=pick_arfcn(int(m.group(1))),
                     rxlev=rxlev, rxlev_dbm=dbm, c1=c1, c2=c2)]
    if system.startswith(("LTE", "CAT-M", "NB")):
        if len(f) < 10:
            raise Garbled("+CPSI LTE too short")
        rsrp, rsrq = _cpsi_lte_levels(f)
        return [Cell(role=SERVING, tech=LTE, mcc=mcc, mnc=mnc, lac=valid_lac(hexnum(f[1])),
                     ci=valid_ci(dec(f[2])), pci=dec(f[3], lo=0, hi=503), arfcn=dec(f[5], lo=0, hi=262143),
                     rsrp_dbm=rsrp, rsrq_db=rsrq)]
    if system == "WCDMA":
        if len(f) < 9:
            raise Garbled("+CPSI WCDMA too short")
        rscp = _magnitude(f[8], 121)
        return [Cell(role=SERVING, tech=UMTS, mcc=mcc, mnc=mnc, lac=valid_lac(hexnum(f[1])),
                     ci=valid_ci(dec(f[2])), pci=dec(f[4], lo=0, hi=511), arfcn=dec(f[5], lo=0, hi=16383),
                     ecno_db=_magnitude(f[7], 24.5),
                     rscp_dbm=rscp if rscp is not None and rscp <= -20 else None)]
    return [Info(key="serving_state", value=system)]


# --------------------------------------------------------------------------- +CCINFO
# +CCINFO:[SCELL],ARFCN:34,MCC:240,MNC:24,LAC:10001,ID:31,BSIC:18,RXLev:-78dbm,C1:33,C2:33,TA:0,TXPWR:0
#   (pastebin VfE7YiwG: LAC and ID decimal)
# +CCINFO:[SCELL],UARFCN:4436,MCC:505,MNC:001,LAC:338,ID:14302219,PSC:214,SSC:0,RSCP:88,ECIO:8.0,RXLev:-88dbm,TXPWR:0
# +CCINFO:[NCell1],UARFCN:4436,PSC:230,SSC:0,RSCP:97,ECIO:15.5,RXLev:-97dbm   (SIM5320A, public code)
_TAG_RE = re.compile(r"(?<!\s)\s*\[(SCELL|NCELL\d+)\]\s*,?(.*)", re.IGNORECASE)  # (?<!\s): as above


def parse_ccinfo(line: str) -> list[ParseRecord]:
    m = _TAG_RE.fullmatch(after(line, "+CCINFO:"))
    if not m:
        raise Garbled("+CCINFO without [SCELL]/[NCelln]")
    role = SERVING if m.group(1).upper() == "SCELL" else NEIGHBOUR
    d: dict[str, str] = {}
    for part in m.group(2).split(","):
        label, colon, value = part.partition(":")
        if not colon:
            raise Garbled(f"+CCINFO field without label: {part!r}")
        d[label.strip().upper()] = value.strip()
    mcc, mnc = mcc_mnc(d.get("MCC"), d.get("MNC"))
    common = {"role": role, "mcc": mcc, "mnc": mnc, "lac": valid_lac(dec(d.get("LAC"))),
              "ci": valid_ci(dec(d.get("ID")))}
    if "ARFCN" in d:
        rxlev, dbm = level_from_dbm(number(d.get("RXLEV")))
        return [Cell(tech=GSM, arfcn=pick_arfcn(dec(d["ARFCN"], strict=True)),
                     bsic=dec(d.get("BSIC"), lo=0, hi=63), rxlev=rxlev, rxlev_dbm=dbm,
                     c1=dec(d.get("C1"), lo=-999, hi=999), c2=dec(d.get("C2"), lo=-999, hi=999),
                     ta=dec(d.get("TA"), lo=0, hi=63), **common)]
    if "UARFCN" in d:
        rscp = _magnitude(d.get("RSCP", ""), 121)
        return [Cell(tech=UMTS, arfcn=dec(d["UARFCN"], lo=0, hi=16383, strict=True),
                     pci=dec(d.get("PSC"), lo=0, hi=511), ecno_db=_magnitude(d.get("ECIO", ""), 24.5),
                     rscp_dbm=rscp if rscp is not None and rscp <= -20 else None, **common)]
    return []  # another RAT's layout: nothing a GSM tool records


# --------------------------------------------------------------------------- +CSCHN / +CSRP
# The dedicated channel during a call, where the SIM800's AT+CENG? shows no dedicated tail (the
# tail is documented in the SIM800 manual V1.09 §6.2.21 but never seen in a capture):
#   AT+CSCHN  dedicated channel: ARFCN, BSIC, HSN, MAIO, TN (timeslot), HF (hopping flag),
#             TSC (training sequence), TCH (channel type)
#   AT+CSRP   dedicated radio parameters: RXLevFull/Sub (dBm), RXQualFull/Sub, PWRC, DTX, RLT
# (field lists from a capture, pastebin 66nQcd68, docs/at-commands.md §3.2.3). The line layout is read
# as SIMCom's other engineering replies print it (AT+CCINFO: LABEL:value pairs, an optional
# [tag]); a line of bare values is read by the documented field order.
#   +CSCHN: ARFCN:66,BSIC:23,HSN:0,MAIO:0,TN:3,HF:0,TSC:7,TCH:TCH/F
#   +CSRP: RXLevFull:-70dbm,RXLevSub:-71dbm,RXQualFull:0,RXQualSub:1,PWRC:1,DTX:0,RLT:32
_CSCHN_ORDER = ("ARFCN", "BSIC", "HSN", "MAIO", "TN", "HF", "TSC", "TCH")
_CSRP_ORDER = ("RXLEVFULL", "RXLEVSUB", "RXQUALFULL", "RXQUALSUB", "PWRC", "DTX", "RLT")


def _labelled(body: str, order: tuple[str, ...]) -> dict[str, str]:
    body = re.sub(r"^\s*\[[^\]]*\]\s*,?", "", body)
    parts = [p.strip() for p in body.split(",")]
    if not any(":" in p for p in parts):
        return {k: v for k, v in zip(order, parts) if v}  # bare values, documented order
    out: dict[str, str] = {}
    for part in parts:
        label, colon, value = part.partition(":")
        if colon:
            out[re.sub(r"[\s_]", "", label).upper()] = value.strip()
    return out


def _level(tok: str | None) -> tuple[int | None, float | None]:
    v = number(tok, lo=-999, hi=999)
    if v is None:
        return None, None
    return level_from_dbm(v) if v < 0 else level_from_rxlev(int(v))


def parse_cschn(line: str) -> list[ParseRecord]:
    d = _labelled(after(line, "+CSCHN:"), _CSCHN_ORDER)
    if not any(clean(d.get(k) or "") for k in ("ARFCN", "TN", "HF", "MAIO", "HSN")):
        return []  # "+CSCHN:" with nothing: no dedicated channel
    hop_flag = dec(d.get("HF"), lo=0, hi=1)
    hopping = None if hop_flag is None else hop_flag == 1
    arfcn = pick_arfcn(dec(d.get("ARFCN")))
    tch_type = clean(d.get("TCH") or "") or None
    channel = Channel(tch_arfcn=None if hopping else arfcn, timeslot=dec(d.get("TN"), lo=0, hi=7),
                      hopping=hopping, maio=dec(d.get("MAIO"), lo=0, hi=63),
                      hsn=dec(d.get("HSN"), lo=0, hi=63),
                      channel_type=tch_type if tch_type and not tch_type.isdigit() else None)
    return [Cell(role=SERVING, tech=GSM, bsic=dec(d.get("BSIC"), lo=0, hi=63), channel=channel,
                 state="dedicated")]


def parse_csrp(line: str) -> list[ParseRecord]:
    d = _labelled(after(line, "+CSRP:"), _CSRP_ORDER)
    full, _ = _level(d.get("RXLEVFULL"))
    sub, _ = _level(d.get("RXLEVSUB"))
    rxq_full = radio.valid_rxqual(dec(d.get("RXQUALFULL")))
    rxq_sub = radio.valid_rxqual(dec(d.get("RXQUALSUB")))
    if full is None and sub is None and rxq_full is None and rxq_sub is None:
        return []
    return [Cell(role=SERVING, tech=GSM, rxlev_full=full, rxlev_sub=sub, rxqual=rxq_full,
                 rxqual_sub=rxq_sub, state="dedicated")]


# --------------------------------------------------------------------------- call URCs
# VOICE CALL: BEGIN / VOICE CALL: END / VOICE CALL: END: 000041  (ModemManager simtech tests;
# A7670E capture) — END carries the duration as hhmmss.
def parse_voice_call(line: str) -> list[ParseRecord]:
    rest = after(line, "VOICE CALL:").upper()
    if rest == "BEGIN":
        return [CallState(state=CALL_ACTIVE, mode="voice")]
    if rest == "END":
        return [CallState(state=CALL_RELEASED, mode="voice")]
    m = re.fullmatch(r"END\s*:\s*(\d{2})(\d{2})(\d{2})", rest)
    if not m or int(m.group(2)) > 59 or int(m.group(3)) > 59:
        raise Garbled(f"VOICE CALL: {rest!r}")
    hours, minutes, seconds = (int(g) for g in m.groups())
    return [CallState(state=CALL_RELEASED, mode="voice",
                      duration_s=hours * 3600 + minutes * 60 + seconds)]


# MISSED_CALL: 11:01AM 07712345678   (ModemManager simtech tests)
def parse_missed_call(line: str) -> list[ParseRecord]:
    rest = after(line, "MISSED_CALL:")
    if not rest:
        raise Garbled("empty MISSED_CALL")
    last = rest.split()[-1]
    number_text = last if re.fullmatch(r"\+?[0-9*#]+", last) else None
    return [Urc(name="MISSED_CALL", text=rest, number=number_text)]


LINE_PARSERS = {"+CENG:": parse_ceng, "+CPSI:": parse_cpsi, "+CCINFO:": parse_ccinfo,
                "+CSCHN:": parse_cschn, "+CSRP:": parse_csrp,
                "VOICE CALL:": parse_voice_call, "MISSED_CALL:": parse_missed_call}
_URCS = CALL_URCS + REGISTRATION_URCS + ("+CLCC:", "VOICE CALL:", "MISSED_CALL:")
# AT+CLCC=1 makes the module print the +CLCC list on every call change (stat 6 = released).
_INIT = ("AT+CMEE=1", "AT+CLIP=1", "AT+CRC=1", "AT+CREG=2", "AT+CLCC=1")

# LTE-era modules (SIM7xxx, A76xx, SIM5xxx) have no AT+CENG: they are polled with AT+CPSI?.
# Registered before "simcom" so their identification (which also says "SIMCOM") lands here.
SIMCOM_LTE = register(Family(
    name="simcom-lte",
    match=("sim7", "a76", "sim5"),
    init_commands=_INIT,
    poll_commands=("AT+CSQ", "AT+CREG?", "AT+CPSI?"),
    line_parsers=LINE_PARSERS,
    urc_prefixes=_URCS,
    call_state_by="urc",
    fields=frozenset({"mcc", "mnc", "lac", "ci", "arfcn", "rxlev", "rxlev_dbm", "c1", "c2",
                      "rsrp_dbm", "rsrq_db", "rscp_dbm", "ecno_db", "pci"}),
    notes=("No GSM ARFCN or cell lock found for SIMCom (docs/at-commands.md §4); AT+CNMP=13 = GSM only.",
           "AT+CPSI? gives the serving cell only: no BSIC, neighbours or dedicated channel."),
))

# AT+CENG=1,1: engineering mode on, neighbour cell IDs shown, *without* the unsolicited reports
# of mode 2 (which would interleave +CENG blocks into other commands' replies); the poll reads
# AT+CENG? every cycle instead.
SIMCOM = register(Family(
    name="simcom",
    match=("simcom", "sim800", "sim900", "sim808", "sim7", "a76"),
    init_commands=_INIT + ("AT+CENG=1,1",),
    poll_commands=("AT+CSQ", "AT+CREG?", "AT+CENG?"),
    # During a call: the traffic channel (ARFCN, timeslot, hopping) and its Full/Sub levels,
    # which CENG only shows in a documented tail no capture has.
    dedicated_poll_commands=("AT+CSCHN", "AT+CSRP"),
    line_parsers=LINE_PARSERS,
    block_parsers={"AT+CNETSCAN": cnetscan_block},
    urc_prefixes=_URCS,
    call_state_by="urc",
    fields=frozenset({"mcc", "mnc", "lac", "ci", "arfcn", "bsic", "rxlev", "rxlev_dbm", "rxqual",
                      "ta", "neighbours", "c1", "c2", "tch_arfcn", "timeslot", "maio", "hsn"}),
    notes=("No GSM ARFCN or cell lock found for SIMCom (docs/at-commands.md §4): per-TRX CQT reads the "
           "traffic channel with AT+CSCHN (and AT+CSRP levels) during each call, and the "
           "documented CENG dedicated-mode tail (tch, ts, maio, hsn) where a firmware prints it.",
           "Neighbour ARFCN above 1023 is read as PCS1900 channel + 1024 (inferred, see ceng_arfcn).",
           "TA prints 255 in idle mode (unknown)."),
))
