"""3GPP TS 27.007 replies every family prints: +CSQ, +CESQ, +CREG/+CGREG/+CEREG, +COPS, +CLCC,
+CEER, +CPAS, RING/+CRING/+CLIP, identity lines, and the final result codes
(docs/at-commands.md §1-2). Also the token and level helpers the vendor modules share.

Every parser takes one stripped line and returns records, ``None`` ("not mine") or raises
``Garbled`` (the line has the prefix but not the shape). Unknown markers become ``None``.
"""

from __future__ import annotations

import re

from drivers.families.base import Family, register
from drivers.families.fields import Garbled, after, clean, dec, hexnum, tokens
from fieldapp import radio
from fieldapp.model import (
    CALL_ACTIVE,
    CALL_ALERTING,
    CALL_DIALING,
    CALL_HELD,
    CALL_INCOMING,
    CALL_RELEASED,
    CALL_WAITING,
    CLCC_STAT,
    GSM,
    LTE,
    UMTS,
    CallState,
    DeviceError,
    Info,
    ParseRecord,
    Registration,
    Signal,
    Urc,
)

# --------------------------------------------------------------------------- value checks

def valid_mcc(v: int | None) -> int | None:
    """MCC 000 is not allocated: devices print it (SIM900 ``000,00``) for "not decoded"."""
    return v if v is not None and 1 <= v <= 999 else None


def mcc_mnc(mcc_tok: str | None, mnc_tok: str | None) -> tuple[int | None, int | None]:
    mcc = valid_mcc(dec(mcc_tok))
    mnc = dec(mnc_tok, lo=0, hi=999) if mcc is not None else None  # an MNC without MCC means nothing
    return mcc, mnc


def valid_lac(v: int | None) -> int | None:
    """LAC/TAC; 0000, FFFE (deleted LAI, TS 24.008) and FFFF mean "no LAC"."""
    if v is None or v in (0, 0xFFFE, 0xFFFF) or v > 0xFFFFFF:
        return None
    return v


def valid_ci(v: int | None) -> int | None:
    """Cell identity, 16-bit GSM or 28-bit UMTS/LTE; 0, FFFF and all-ones are "unknown"."""
    if v is None or v in (0, 0xFFFF, 0xFFFFFFF) or v > 0xFFFFFFF:
        return None
    return v


def pick_arfcn(v: int | None) -> int | None:
    return radio.valid_arfcn(v)


def level_from_rxlev(rxlev: int | None) -> tuple[int | None, float | None]:
    """A printed RXLEV 0..63 → (rxlev, dBm)."""
    if rxlev is None or not 0 <= rxlev <= 63:
        return None, None
    return rxlev, radio.rxlev_to_dbm(rxlev)


def level_from_dbm(dbm: float | None) -> tuple[int | None, float | None]:
    """A printed dBm → (rxlev, dBm). Levels beyond the RXLEV scale saturate at its ends
    (-111 dBm is RXLEV 0, shown as -110; -40 dBm is RXLEV 63, shown as -47); values no handset
    can measure (above -20 or below -130 dBm) are garbage, not a level."""
    if dbm is None or not -130 <= dbm <= -20:
        return None, None
    rxlev = radio.dbm_to_rxlev(dbm)
    if -110 <= dbm <= -47:
        return rxlev, float(dbm)
    return rxlev, radio.rxlev_to_dbm(rxlev)


def level_from_field(value: int | None) -> tuple[int | None, float | None]:
    """Quectel's ``rxlev`` field: negative → dBm (every capture), 0..63 → RXLEV (manual text)."""
    if value is None:
        return None, None
    return level_from_dbm(value) if value < 0 else level_from_rxlev(value)


# AcT of +CREG/+COPS (27.007 §7.2) → our technology names; NR values have no GSM-tool meaning.
ACT_TECH = {0: GSM, 1: GSM, 2: UMTS, 3: GSM, 4: UMTS, 5: UMTS, 6: UMTS, 7: LTE, 8: GSM, 9: LTE,
            10: LTE}

# --------------------------------------------------------------------------- error tables
# +CME ERROR numbers (27.007 §9.2) as copied in docs/at-commands.md §1.3; 40-47 and 515
# named there by range/meaning. Text forms (AT+CMEE=2) map back through the same table.
CME_ERRORS: dict[int, str] = {
    0: "phone failure", 1: "no connection to phone", 2: "phone-adaptor link reserved",
    3: "operation not allowed", 4: "operation not supported", 5: "PH-SIM PIN required",
    10: "SIM not inserted", 11: "SIM PIN required", 12: "SIM PUK required", 13: "SIM failure",
    14: "SIM busy", 15: "SIM wrong", 16: "incorrect password", 17: "SIM PIN2 required",
    18: "SIM PUK2 required", 20: "memory full", 21: "invalid index", 22: "not found",
    23: "memory failure", 24: "text string too long", 25: "invalid characters in text string",
    26: "dial string too long", 27: "invalid characters in dial string", 30: "no network service",
    31: "network timeout", 32: "network not allowed - emergency calls only",
    40: "network personalisation PIN required", 41: "network personalisation PUK required",
    42: "network subset personalisation PIN required",
    43: "network subset personalisation PUK required",
    44: "service provider personalisation PIN required",
    45: "service provider personalisation PUK required",
    46: "corporate personalisation PIN required", 47: "corporate personalisation PUK required",
    100: "unknown", 515: "please wait, initialisation or command processing in progress",
}
# +CMS ERROR numbers (27.005 §3.2.5) [memory, not re-checked in a source].
CMS_ERRORS: dict[int, str] = {
    300: "ME failure", 301: "SMS service of ME reserved", 302: "operation not allowed",
    303: "operation not supported", 304: "invalid PDU mode parameter",
    305: "invalid text mode parameter", 310: "SIM not inserted", 311: "SIM PIN required",
    313: "SIM failure", 314: "SIM busy", 320: "memory failure", 321: "invalid memory index",
    322: "memory full", 330: "SMSC address unknown", 331: "no network service",
    332: "network timeout", 500: "unknown error",
}
_CME_BY_TEXT = {v.lower(): k for k, v in CME_ERRORS.items()}
_CMS_BY_TEXT = {v.lower(): k for k, v in CMS_ERRORS.items()}

# TS 24.008 CC causes seen in public tables (docs/at-commands.md §2.8).
CC_CAUSES: dict[int, str] = {
    1: "unassigned number", 3: "no route to destination", 6: "channel unacceptable",
    8: "operator determined barring", 16: "normal call clearing", 17: "user busy",
    18: "no user responding", 19: "user alerting, no answer", 21: "call rejected",
    22: "number changed", 25: "pre-emption", 26: "non-selected user clearing",
    27: "destination out of order", 28: "invalid number format", 29: "facility rejected",
    30: "response to STATUS ENQUIRY", 34: "no circuit/channel available",
    38: "network out of order", 41: "temporary failure", 47: "resources unavailable",
    49: "quality of service unavailable", 63: "service or option not available",
    79: "service or option not implemented",
}
_CC_BY_TEXT = {v.lower(): k for k, v in CC_CAUSES.items()}


# --------------------------------------------------------------------------- signal
# +CSQ: 9,3   (gammu issue #150 hex dump)  — rssi 0..31 → dBm (27.007 §8.5), ber = RXQUAL.
def parse_csq(line: str) -> list[ParseRecord]:
    toks = after(line, "+CSQ:").split(",")
    if len(toks) != 2:
        raise Garbled("+CSQ needs <rssi>,<ber>")
    rssi = dec(toks[0], strict=True)
    ber = dec(toks[1], strict=True)
    raw = rssi if rssi is not None and 0 <= rssi <= 31 else None
    return [Signal(rssi_dbm=radio.csq_to_dbm(rssi), rxqual=radio.valid_rxqual(ber), rssi_raw=raw)]


# +CESQ: 10,6,255,255,255,255   (ModemManager test-modem-helpers.c, GSM: UMTS/LTE fields 255)
def parse_cesq(line: str) -> list[ParseRecord]:
    toks = after(line, "+CESQ:").split(",")
    if len(toks) != 6:
        raise Garbled("+CESQ needs 6 values")
    rxlev, ber, rscp, ecno, rsrq, rsrp = (dec(t, strict=True) for t in toks)
    rxlev = rxlev if rxlev is not None and 0 <= rxlev <= 63 else None
    # rssi_dbm is on the +CSQ scale, which saturates at -51 dBm ("-51 dBm or greater").
    dbm = radio.rxlev_to_dbm(rxlev)
    rssi_dbm = None if dbm is None else min(dbm, -51.0)
    return [Signal(rssi_dbm=rssi_dbm, rxqual=radio.valid_rxqual(ber), rxlev=rxlev,
                   rscp_dbm=radio.cesq_rscp_to_dbm(rscp), ecno_db=radio.cesq_ecno_to_db(ecno),
                   rsrq_db=radio.cesq_rsrq_to_db(rsrq), rsrp_dbm=radio.cesq_rsrp_to_dbm(rsrp))]


# --------------------------------------------------------------------------- registration
# Read form has <n> first, the URC does not; real variants (ModemManager test-modem-helpers.c,
# gammu fixtures, docs/at-commands.md §2.5):
#   +CREG: 2,1,"1234","001122BB"       +CREG: 1,84CD,00D30156 (URC)   +CREG: 2,1,4CA,81DE445
#   +CREG: 2,1,  0 5, 2715 (Gobi 1000)  +CREG:002,001,"18d8","ffff"    +CREG: 2,,  (XU870 URC)
#   +CREG: 2,1,000B,2816, B, C2816 (S8500)   +CEREG: 2,1, 1F00, 20 ,79D903 ,7 (Novatel E362)
# LAC/CI never contain commas, so a plain comma split survives mismatched quotes.
_DOMAINS = {"+CREG:": "cs", "+CGREG:": "ps", "+CEREG:": "eps", "+C5GREG:": "5gs"}


def _small_stat(piece: str) -> bool:
    t = piece.strip()
    return t.isdigit() and len(t) <= 3 and int(t) <= 11


def _parse_reg(line: str, prefix: str) -> list[ParseRecord]:
    pieces = after(line, prefix).split(",")
    n = len(pieces)
    quoted = ['"' in p for p in pieces]
    toks = [p.replace('"', "").strip() for p in pieces]
    if n == 1 and not toks[0]:
        raise Garbled("empty registration reply")
    has_n = n == 2 or (n >= 4 and not quoted[1] and (quoted[2] or _small_stat(pieces[1])))
    stat_tok = toks[1] if has_n else toks[0]
    if has_n and dec(toks[0], strict=True) is None:
        raise Garbled("registration <n> missing")
    stat = dec(stat_tok, lo=0, hi=11, strict=True)
    if stat is None and stat_tok:
        raise Garbled(f"registration stat {stat_tok!r}")
    loc = toks[2:] if has_n else toks[1:]
    # Novatel E362 prints an extra short field between TAC and CI.
    if len(loc) >= 4 and len(loc[1]) <= 2 and len(loc[2]) > 2 and len(loc[3]) <= 2:
        loc = [loc[0]] + loc[2:]
    lac = valid_lac(hexnum(loc[0], strict=True)) if loc else None
    ci = valid_ci(hexnum(loc[1], strict=True)) if len(loc) > 1 else None
    act = dec(loc[2], lo=0, hi=13) if len(loc) > 2 else None
    return [Registration(domain=_DOMAINS[prefix], stat=stat, lac=lac, ci=ci, act=act,
                         tech=ACT_TECH.get(act) if act is not None else None)]


def parse_creg(line: str) -> list[ParseRecord]:
    return _parse_reg(line, "+CREG:")


def parse_cgreg(line: str) -> list[ParseRecord]:
    return _parse_reg(line, "+CGREG:")


def parse_cereg(line: str) -> list[ParseRecord]:
    return _parse_reg(line, "+CEREG:")


def parse_c5greg(line: str) -> list[ParseRecord]:
    return _parse_reg(line, "+C5GREG:")


# --------------------------------------------------------------------------- operator
# +COPS: 0,0,"T-Mobile",7     +COPS: 0,2,"310260",7   (Sierra MC7455, pastebin Yt2cQGVT)
# +COPS: 1,2,"46000"          (ModemManager test-modem-helpers.c)     +COPS: 0   (no operator)
# +COPS: (2,"T-Mobile","TMO","310260",7),(1,...),,(0-4),(0-2)   (AT+COPS=? list)
_GROUP_RE = re.compile(r"\(([^()]*)\)")


def _plmn(text: str) -> tuple[int | None, int | None]:
    t = text.strip()
    if not (t.isascii() and t.isdigit() and len(t) in (5, 6)):
        return None, None
    return valid_mcc(int(t[:3])), int(t[3:])


def parse_cops(line: str) -> list[ParseRecord]:
    rest = after(line, "+COPS:")
    if rest.startswith("("):
        found = []
        for group in _GROUP_RE.findall(rest):
            if '"' not in group:
                continue  # the trailing (modes),(formats) lists
            t = tokens(group)
            mcc, mnc = _plmn(t[3]) if len(t) > 3 else (None, None)
            act = dec(t[4], lo=0, hi=13) if len(t) > 4 else None
            found.append({"stat": dec(t[0], lo=0, hi=3), "name": t[1] if len(t) > 1 else None,
                          "short": t[2] if len(t) > 2 else None, "mcc": mcc, "mnc": mnc,
                          "act": act, "tech": ACT_TECH.get(act) if act is not None else None})
        return [Info(key="operator_list", value=found)]
    t = tokens(rest)
    mode = dec(t[0], lo=0, hi=4, strict=True)
    if mode is None:
        raise Garbled("+COPS mode")
    fmt = dec(t[1], lo=0, hi=2) if len(t) > 1 else None
    oper = t[2] if len(t) > 2 and t[2] else None
    act = dec(t[3], lo=0, hi=13) if len(t) > 3 else None
    mcc, mnc = _plmn(oper) if oper and fmt == 2 else (None, None)
    value = {"mode": mode, "format": fmt, "name": oper if fmt != 2 else None, "mcc": mcc,
             "mnc": mnc, "act": act, "tech": ACT_TECH.get(act) if act is not None else None}
    return [Info(key="operator", value=value)]


# --------------------------------------------------------------------------- calls
# +CLCC: 1,1,0,0,0,"123456789",161        (ModemManager simtech tests, URC mode)
# +CLCC: 1,0,6,0,0,"+441234567890",145,"" (SIMCom stat 6 = released; SIM800C trailing ,"")
_CALL_MODES = {0: "voice", 1: "data", 2: "fax"}


def parse_clcc(line: str) -> list[ParseRecord]:
    t = tokens(after(line, "+CLCC:"))
    if len(t) < 5:
        raise Garbled("+CLCC needs <idx>,<dir>,<stat>,<mode>,<mpty>")
    idx, direction, stat, mode = (dec(x, strict=True) for x in t[:4])
    if idx is None or direction is None or stat is None:
        raise Garbled("+CLCC idx/dir/stat")
    return [CallState(index=idx, direction={0: "mo", 1: "mt"}.get(direction),
                      state=CLCC_STAT.get(stat), number=(t[5] or None) if len(t) > 5 else None,
                      mode=_CALL_MODES.get(mode, "other") if mode is not None else None)]


# Call-state URCs with the exact moment of each step, where the modem sends them:
#   *ECAV: <ccid>,<ccstatus>,<calltype>[,<processid>][,<exitcause>][,<number>,<type>]
#          (Ericsson/ST-Ericsson and MediaTek modules, AT*ECAM=1)
#   #ECAM: <ccid>,<ccstatus>,<calltype>,,,[<number>,<type>]      (Telit, AT#ECAM=1)
#   #ECAM: 0,1,1,,,"0YYYYYYYYY",129     (Telit manual example: call 0 dialling, voice)
# <ccstatus>: 0 idle (released), 1 calling (MO dialling), 2 connecting (MO alerting), 3 active,
# 4 hold, 5 waiting (MT), 6 alerting (MT ringing), 7 busy. The exit cause, when printed, is a
# TS 24.008 CC cause.
_ECAV_STATE = {0: CALL_RELEASED, 1: CALL_DIALING, 2: CALL_ALERTING, 3: CALL_ACTIVE, 4: CALL_HELD,
               5: CALL_WAITING, 6: CALL_INCOMING, 7: CALL_RELEASED}
_ECAV_DIRECTION = {1: "mo", 2: "mo", 5: "mt", 6: "mt"}
_ECAV_CALLTYPE = {1: "voice", 2: "data", 4: "fax"}  # <calltype> 1 voice, 2 data, 4 fax [inferred]


def parse_ecav(line: str) -> list[ParseRecord]:
    prefix, _, body = line.partition(":")
    t = tokens(body)
    if len(t) < 2:
        raise Garbled(f"{prefix} needs <ccid>,<ccstatus>")
    ccid, status = dec(t[0], strict=True), dec(t[1], strict=True)
    if ccid is None or status not in _ECAV_STATE:
        raise Garbled(f"{prefix} call status {t[1]!r}")
    calltype = dec(t[2]) if len(t) > 2 else None
    number = next((x for x in t[5:6] if x), None) if prefix.upper().startswith("#ECAM") else None
    cause = None
    if prefix.upper().startswith("*ECAV"):
        cause = dec(t[4], lo=0, hi=127) if len(t) > 4 else None
        number = (t[5] or None) if len(t) > 5 else None
    busy = status == 7
    return [CallState(index=ccid, direction=_ECAV_DIRECTION.get(status), state=_ECAV_STATE[status],
                      number=number, mode=_ECAV_CALLTYPE.get(calltype) if calltype is not None else None,
                      cause=17 if busy and cause is None else cause,
                      cause_text="BUSY" if busy else (CC_CAUSES.get(cause) if cause else None))]


# +CEER: Normal call clearing                       (Option GTM601, freesmartphone test)
# +CEER: "CC setup error",288,"MM no service"      (Sierra Wireless test script)
# +CEER: Cause:17                                   (style an Arduino sketch expects)
# → Info "ceer" (the report as printed), plus Info "ceer_cause" (int) and "ceer_cause_text" when
# a 24.008 CC cause is known (numeric, or a text that is exactly a cause name).
# "\s*(?::\s*)?" rather than "\s*:?\s*": two adjacent \s* take quadratic time on a long run of
# blanks (issue 16).
_CEER_CAUSE_RE = re.compile(r"(?:cause\s*(?::\s*)?)?(\d{1,4})", re.IGNORECASE)


def parse_ceer(line: str) -> list[ParseRecord]:
    rest = after(line, "+CEER:")
    if not rest:
        raise Garbled("empty +CEER")
    out: list[ParseRecord] = [Info(key="ceer", value=rest)]
    code: int | None = None
    text: str | None = None
    m = _CEER_CAUSE_RE.fullmatch(rest)
    if m:
        code = int(m.group(1))
    else:
        t = tokens(rest)
        if len(t) >= 2 and dec(t[1]) is not None:  # vendor: "<category>",<code>,"<reason>"
            code, text = dec(t[1]), ", ".join(x for x in (t[0], *t[2:]) if x)
        else:
            text = clean(rest)
            code = _CC_BY_TEXT.get(text.lower())
    if code is not None and 0 < code <= 127:  # a TS 24.008 CC cause (7 bits)
        out.append(Info(key="ceer_cause", value=code))
        out.append(Info(key="ceer_cause_text", value=text or CC_CAUSES.get(code)))
    elif code is not None:  # a vendor number (Sierra 288): not a CC cause, kept as printed
        out.append(Info(key="ceer_vendor", value={"code": code, "text": text}))
    return out


# +CPAS: 4   (Quectel capture, docs/at-commands.md §2.9)
_PAS_TEXT = {0: "ready", 1: "unavailable", 2: "unknown", 3: "ringing", 4: "call in progress",
             5: "asleep"}


def parse_cpas(line: str) -> list[ParseRecord]:
    pas = dec(after(line, "+CPAS:"), strict=True)
    if pas is None:
        raise Garbled("+CPAS value")
    return [Info(key="cpas", value={"pas": pas, "text": _PAS_TEXT.get(pas)})]


# RING / +CRING: VOICE / +CLIP: "<number>",<type>,...  (27.007; ModemManager simtech tests)
def parse_ring(line: str) -> list[ParseRecord] | None:
    return [Urc(name="RING", text="")] if line.upper() == "RING" else None


def parse_cring(line: str) -> list[ParseRecord]:
    return [Urc(name="CRING", text=after(line, "+CRING:"))]


def parse_clip(line: str) -> list[ParseRecord]:
    rest = after(line, "+CLIP:")
    t = tokens(rest)
    return [Urc(name="CLIP", text=rest, number=t[0] or None)]


# NO CARRIER / BUSY / NO ANSWER / NO DIALTONE end a call (final result of ATD or a URC).
_CALL_END = ("NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE")


def parse_call_end(line: str) -> list[ParseRecord] | None:
    word = line.strip().upper()
    if word not in _CALL_END:
        return None
    return [CallState(state=CALL_RELEASED, cause_text=word)]


# --------------------------------------------------------------------------- errors
# ERROR / +CME ERROR: 11 / +CME ERROR: SIM failure (A7670G, LilyGo #79) / +CMS ERROR: 500 /
# MODEM ERROR: 3 (Motorola EZX) / COMMAND NOT SUPPORT (Huawei E1752) / NA (Samsung Z810).
def parse_error(line: str) -> list[ParseRecord] | None:
    return [DeviceError(text="ERROR")] if line.upper() == "ERROR" else None


def _coded_error(rest: str, table: dict[int, str], by_text: dict[str, int],
                 source: str) -> list[ParseRecord]:
    if not rest:
        raise Garbled(f"empty {source} ERROR")
    code = dec(rest)
    if code is not None:
        return [DeviceError(code=code, text=table.get(code), source=source)]
    text = clean(rest)
    return [DeviceError(code=by_text.get(text.lower()), text=text, source=source)]


def parse_cme_error(line: str) -> list[ParseRecord]:
    return _coded_error(after(line, "+CME ERROR:"), CME_ERRORS, _CME_BY_TEXT, "CME")


def parse_cms_error(line: str) -> list[ParseRecord]:
    return _coded_error(after(line, "+CMS ERROR:"), CMS_ERRORS, _CMS_BY_TEXT, "CMS")


def parse_modem_error(line: str) -> list[ParseRecord]:
    rest = after(line, "MODEM ERROR:")
    return [DeviceError(code=dec(rest), text=line.strip(), source="MODEM")]


def parse_not_supported(line: str) -> list[ParseRecord] | None:
    if line.upper() != "COMMAND NOT SUPPORT":
        return None
    return [DeviceError(text="COMMAND NOT SUPPORT")]


def parse_na(line: str) -> list[ParseRecord] | None:
    return [DeviceError(text="NA")] if line == "NA" else None


# --------------------------------------------------------------------------- identity
# +CGMI: "Quectel" / +CGMM: EC25 / +CGMR: 2374B01SIM767XM5A_M_CUS_WEIXUE / +CGSN: <imei>,
# and ATI label lines: "Manufacturer: huawei", "Model: E1550", "Revision: ...", "IMEI: ..."
# (ModemManager devid table). +CPIN: READY.
_IDENTITY = {"+CGMI:": "manufacturer", "+GMI:": "manufacturer", "MANUFACTURER:": "manufacturer",
             "+CGMM:": "model", "+GMM:": "model", "MODEL:": "model",
             "+CGMR:": "firmware", "+GMR:": "firmware", "REVISION:": "firmware",
             "+CGSN:": "imei", "+GSN:": "imei", "IMEI:": "imei", "+CPIN:": "sim"}


def _identity_parser(prefix: str):
    key = _IDENTITY[prefix]

    def parse(line: str) -> list[ParseRecord]:
        value = clean(after(line, prefix))
        if not value:
            raise Garbled(f"empty {prefix}")
        return [Info(key=key, value=value)]

    parse.__name__ = f"parse_{key}_{prefix.strip('+:').lower()}"
    return parse


LINE_PARSERS = {
    "+CSQ:": parse_csq, "+CESQ:": parse_cesq, "+CREG:": parse_creg, "+CGREG:": parse_cgreg,
    "+CEREG:": parse_cereg, "+C5GREG:": parse_c5greg, "+COPS:": parse_cops,
    "+CLCC:": parse_clcc, "*ECAV:": parse_ecav, "#ECAM:": parse_ecav, "+CEER:": parse_ceer, "+CPAS:": parse_cpas, "RING": parse_ring,
    "+CRING:": parse_cring, "+CLIP:": parse_clip, "ERROR": parse_error,
    "+CME ERROR:": parse_cme_error, "+CMS ERROR:": parse_cms_error,
    "MODEM ERROR:": parse_modem_error, "COMMAND NOT SUPPORT": parse_not_supported,
    "NA": parse_na, **{word: parse_call_end for word in _CALL_END},
    **{prefix: _identity_parser(prefix) for prefix in _IDENTITY},
}

CALL_URCS = ("RING", "+CRING:", "+CLIP:", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE")
REGISTRATION_URCS = ("+CREG:", "+CGREG:", "+CEREG:")

GENERIC = register(Family(
    name="generic",
    # +CEREG (EPS) and +CESQ (RSRP/RSRQ, RSCP/Ec/No, RXLEV) are plain 27.007 too (Rel-8/10):
    # an LTE or UMTS handset without engineering mode still gives its level in its own terms.
    # A device that answers ERROR has them dropped from polling after a few cycles (handset.py).
    # AT+COPS=3,2: the operator as MCC/MNC digits ("26201"), which the cell plan matches.
    init_commands=("AT+CMEE=1", "AT+CREG=2", "AT+CEREG=2", "AT+COPS=3,2", "AT+CLIP=1", "AT+CRC=1"),
    poll_commands=("AT+CSQ", "AT+CESQ", "AT+CREG?", "AT+CEREG?", "AT+COPS?"),
    line_parsers=LINE_PARSERS,
    urc_prefixes=CALL_URCS + REGISTRATION_URCS,
    call_state_by="clcc-poll",
    fields=frozenset({"rssi_dbm", "rxqual", "lac", "ci"}),
    notes=("Any 27.007 handset: level and quality from +CSQ (and +CESQ where the device has it), "
           "location from +CREG/+CEREG, operator from +COPS; no ARFCN, BSIC, neighbours or "
           "dedicated channel.",),
))
