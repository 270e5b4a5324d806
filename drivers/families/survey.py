"""Band-scan (network survey) replies: pure functions from reply lines to ``ScanCarrier``s.

Telit ``AT#CSURV`` / ``AT#CSURVC`` (GM862/GL865 guide 80000ST10025a pp.376-386, LE910 V2 guide
80446ST10707A pp.285-289; docs/at-commands.md §3.3). Both print one line per carrier heard,
between ``Network survey started...`` and ``Network survey ended[ (Carrier: N BCCh: M)]``::

    #CSURV  (labels)   arfcn: 48 bsic: 24 rxLev: -52 ber: 0.00 mcc: 610 mnc: 1 lac: 33281
                       cellId: 3648 cellStatus: CELL_SUITABLE numArfcn: 2 arfcn: 30 48 ...
                       arfcn: 14 rxLev: 8                  (a carrier whose BCCH was not read)
    #CSURVC (numbers)  48,24,-52,0.00,610,1,33281,3648,0,2,30 48,5,14 19 22 48 82
                       14,8
    3G (LE910)         <uarfcn>,<rxLev>,<mcc>,<mnc>,<scrcode>,<cellId>,<lac>,<cellStatus>,<rscp>,<ecio>

``rxLev`` is dBm on both (the guide: "receiption level (in dBm)"; the manual's own example prints
``8`` for a non-BCCH carrier, which is not a dBm level: such values are kept only when negative).
MCC/MNC are printed as BCD digits ("hexadecimal 3-digits number" whose digits read as the
decimal code). BSIC, LAC and cell id are decimal with ``AT#CSURVF=0`` (the default, and what the
handset source sets before a scan); with ``#CSURVF=1/2`` BSIC is two octal digits and LAC/cell id
hex: pass ``numbers="hex"``. The lists after ``numArfcn`` / ``numChannels`` are space separated and
ignored here. The range forms ``AT#CSURV=<s>,<e>`` / ``AT#CSURVC=<s>,<e>`` answer the same way.

SIMCom ``AT+CNETSCAN`` (SIM800; docs/at-commands.md §3.2.3; the SIM800 ``+CENG`` capture taken the same
minute shows serving cell ``cf00`` on ARFCN 685 at RXLEV 57)::

    Operator:"T-Mobile USA",MCC:310,MNC:260,Rxlev:53,Cellid:CF00,Arfcn:1709
    Operator:"mobinil",MCC:602,MNC:01,Rxlev:47,Cellid:6c17,Arfcn:60,Lac:8184,Bsic:12  (AT+CNETSCAN=1)

``Rxlev`` is RXLEV 0..63, ``Cellid``/``Lac`` hex, ``Bsic`` hex (SIMCom prints the identity fields
of this reply with %x [inferred]); ARFCN above 1023 is a PCS 1900 channel + 1024 (1709 = 685 + 1024:
the +CENG capture's serving ARFCN).

Quectel 2G ``AT+QSCANF`` "Scan ARFCN Receiving Level" (M95/M66 manuals; syntax not read in a
manual, docs/at-commands.md §3.1.3): the handset source asks one ARFCN at a time with
``AT+QSCANF=<band>,<arfcn>`` and reads ``+QSCANF: <arfcn>,<level>[,...]`` where the level is taken
as dBm when negative and as RXLEV when 0..63 [inferred shape].
"""

from __future__ import annotations

import re

from drivers.families.fields import clean, dec, hexnum, is_unknown, number, split_fields
from fieldapp import radio
from fieldapp.model import GSM, LTE, UMTS, ScanCarrier

CELL_STATUS = {0: "CELL_SUITABLE", 1: "CELL_LOW_PRIORITY", 2: "CELL_FORBIDDEN", 3: "CELL_BARRED",
               4: "CELL_LOW_LEVEL", 5: "CELL_OTHER"}
_STATUS_WORDS = frozenset(CELL_STATUS.values())
_LABEL_RE = re.compile(r"(?:(?<=\s)|^)([A-Za-z]+):\s*")


def is_survey_frame(line: str) -> bool:
    """``Network survey started...`` / ``Network survey ended (Carrier: 10 BCCh: 3)``."""
    return line.strip().lower().startswith("network survey")


def survey_summary(lines: list[str]) -> tuple[int | None, int | None]:
    """(carriers scanned, BCCHs found) from ``Network survey ended (Carrier: N BCCh: M)``."""
    for line in lines:
        m = re.search(r"Carrier:\s*(\d+)\s+BCCh:\s*(\d+)", line, re.IGNORECASE)
        if m:
            return int(m.group(1)), int(m.group(2))
    return None, None


def _level_dbm(token: str | None) -> float | None:
    """A printed level in dBm; a non-negative number is not a dBm level (manual example ``14,8``)."""
    v = number(token, lo=-140.0, hi=0.0)
    return None if v is None or v == 0.0 else v


def _bcd(token: str | None, hi: int = 999) -> int | None:
    """MCC/MNC printed as BCD digits: "610" → 610, "1" → 1; F-filled/garbage → None."""
    return dec(token, lo=0, hi=hi)


def _ident(token: str | None, hex_numbers: bool, hi: int = 0xFFFF) -> int | None:
    if hex_numbers:
        return hexnum(token, lo=1, hi=hi, unknown=(0xFFFF,))
    return dec(token, lo=1, hi=hi, unknown=(65535,))


def _bsic(token: str | None, hex_numbers: bool) -> int | None:
    if token is None or is_unknown(token):
        return None
    t = clean(token)
    if hex_numbers:
        if len(t) == 1 and t in "01234567":
            return int(t)
        return radio.bsic_from_octal(t)
    return dec(t, lo=0, hi=63)


def _status(token: str | None) -> str | None:
    t = clean(token).upper()
    if t in _STATUS_WORDS:
        return t
    v = dec(t, lo=0, hi=5)
    return CELL_STATUS.get(v) if v is not None else None


def _gsm(arfcn: int | None, dbm: float | None, **kw) -> ScanCarrier | None:
    arfcn = radio.valid_arfcn(arfcn)
    if arfcn is None:
        return None
    return ScanCarrier(arfcn=arfcn, rxlev_dbm=dbm, tech=GSM, band=radio.arfcn_band(arfcn), **kw)


# ------------------------------------------------------------------ Telit #CSURV / #CSURVC


def _labels(line: str) -> dict[str, str]:
    """``arfcn: 48 bsic: 24 ... numArfcn: 2 arfcn: 30 48`` → first value of each label (the
    repeated ``arfcn:`` of the channel list does not overwrite the carrier's own)."""
    out: dict[str, str] = {}
    parts = _LABEL_RE.split(line.strip())
    # parts: ["", label1, value1, label2, value2, ...]
    for i in range(1, len(parts) - 1, 2):
        key = parts[i].strip().lower().replace(" ", "")
        value = parts[i + 1].strip()
        out.setdefault(key, value.split()[0] if value else "")
    return out


def parse_csurv_line(line: str, *, numbers: str = "dec") -> ScanCarrier | None:
    """One carrier line of ``#CSURV`` (labels) or ``#CSURVC`` (numbers); None for the frame
    lines and lines that are not a carrier."""
    text = line.strip()
    if not text or is_survey_frame(text):
        return None
    hex_numbers = numbers == "hex"
    if ":" in text:
        return _csurv_labels(_labels(text), hex_numbers)
    return _csurvc(split_fields(text), hex_numbers)


def _csurv_labels(lab: dict[str, str], hex_numbers: bool) -> ScanCarrier | None:
    if "uarfcn" in lab:
        return ScanCarrier(
            arfcn=dec(lab.get("uarfcn"), lo=0, hi=16383), rxlev_dbm=_level_dbm(lab.get("rxlev")), tech=UMTS,
            mcc=_bcd(lab.get("mcc")), mnc=_bcd(lab.get("mnc")), pci=dec(lab.get("scrcode"), lo=0, hi=511),
            ci=_ident(lab.get("cellid"), hex_numbers, hi=0xFFFFFFF), lac=_ident(lab.get("lac"), hex_numbers),
            rscp_dbm=_level_dbm(lab.get("rscp")), ecno_db=number(lab.get("ecio"), lo=-40, hi=0),
            status=_status(lab.get("cellstatus")))
    if "earfcn" in lab:
        return ScanCarrier(
            arfcn=dec(lab.get("earfcn"), lo=0, hi=262143), rxlev_dbm=_level_dbm(lab.get("rxlev")), tech=LTE,
            mcc=_bcd(lab.get("mcc")), mnc=_bcd(lab.get("mnc")), pci=dec(lab.get("pci"), lo=0, hi=503),
            ci=_ident(lab.get("cellid"), hex_numbers, hi=0xFFFFFFF), lac=_ident(lab.get("tac"), hex_numbers),
            rsrp_dbm=_level_dbm(lab.get("rsrp")), rsrq_db=number(lab.get("rsrq"), lo=-40, hi=0),
            status=_status(lab.get("cellstatus")))
    if "arfcn" not in lab:
        return None
    arfcn = dec(lab.get("arfcn"))
    dbm = _level_dbm(lab.get("rxlev"))
    bsic = _bsic(lab.get("bsic"), hex_numbers)
    if bsic is None:
        return _gsm(arfcn, dbm)
    mcc = _bcd(lab.get("mcc"))
    return _gsm(arfcn, dbm, bsic=bsic, mcc=mcc, mnc=_bcd(lab.get("mnc")) if mcc is not None else None,
                lac=_ident(lab.get("lac"), hex_numbers), ci=_ident(lab.get("cellid"), hex_numbers),
                status=_status(lab.get("cellstatus")))


def _csurvc(f: list[str], hex_numbers: bool) -> ScanCarrier | None:
    f = [x.strip() for x in f]
    if len(f) < 2:
        return None
    arfcn = dec(f[0])
    if arfcn is None:
        return None
    second = number(f[1])
    if len(f) >= 9 and second is not None and second < 0:
        # 3G: <uarfcn>,<rxLev>,<mcc>,<mnc>,<scrcode>,<cellId>,<lac>,<cellStatus>,<rscp>,<ecio>
        return ScanCarrier(
            arfcn=dec(f[0], lo=0, hi=16383), rxlev_dbm=_level_dbm(f[1]), tech=UMTS, mcc=_bcd(f[2]),
            mnc=_bcd(f[3]), pci=dec(f[4], lo=0, hi=511), ci=_ident(f[5], hex_numbers, hi=0xFFFFFFF),
            lac=_ident(f[6], hex_numbers), status=_status(f[7]), rscp_dbm=_level_dbm(f[8]),
            ecno_db=number(f[9], lo=-40, hi=0) if len(f) > 9 else None)
    if len(f) < 8:
        # non-BCCH carrier: <arfcn>,<rxLev>
        return _gsm(arfcn, _level_dbm(f[1]))
    # BCCH carrier: <arfcn>,<bsic>,<rxLev>,<ber>,<mcc>,<mnc>,<lac>,<cellId>,<cellStatus>,<numArfcn>,...
    bsic = _bsic(f[1], hex_numbers)
    dbm = _level_dbm(f[2])
    if bsic is None:
        return _gsm(arfcn, dbm)
    mcc = _bcd(f[4])
    return _gsm(arfcn, dbm, bsic=bsic, mcc=mcc, mnc=_bcd(f[5]) if mcc is not None else None,
                lac=_ident(f[6], hex_numbers), ci=_ident(f[7], hex_numbers),
                status=_status(f[8]) if len(f) > 8 else None)


def parse_csurv(lines: list[str], *, numbers: str = "dec") -> tuple[list[ScanCarrier], int]:
    """All carriers of one ``#CSURV``/``#CSURVC`` reply; returns (carriers, lines skipped).
    A garbled line is skipped and counted, never turned into a wrong carrier."""
    out: list[ScanCarrier] = []
    skipped = 0
    for line in lines:
        text = line.strip()
        if not text or is_survey_frame(text) or text.upper() in ("OK", "ERROR"):
            continue
        try:
            carrier = parse_csurv_line(text, numbers=numbers)
        except (ValueError, IndexError):
            carrier = None
        if carrier is None:
            skipped += 1
        else:
            out.append(carrier)
    return out, skipped


# ------------------------------------------------------------------ SIMCom +CNETSCAN

# A label starts only where a run of letters starts: without the look-behind, findall retried
# from every letter of a long run (quadratic on 4000 letters, issue 16). Same matches.
_CNETSCAN_RE = re.compile(r'(?<![A-Za-z])([A-Za-z]+):("[^"]*"?|[^,]*)')


def parse_cnetscan_line(line: str) -> ScanCarrier | None:
    """``Operator:"...",MCC:310,MNC:260,Rxlev:53,Cellid:CF00,Arfcn:1709[,Lac:..,Bsic:..]``."""
    lab = {k.lower(): v for k, v in _CNETSCAN_RE.findall(line.strip())}
    if "arfcn" not in lab:
        return None
    arfcn = dec(lab["arfcn"], lo=0)
    pcs = False
    if arfcn is not None and 1024 <= arfcn <= 1024 + 810:
        arfcn, pcs = arfcn - 1024, True  # SIM800 prints PCS 1900 channels + 1024
    arfcn = radio.valid_arfcn(arfcn)
    if arfcn is None:
        return None
    rxlev = dec(lab.get("rxlev"), lo=0, hi=63)
    bsic = hexnum(lab.get("bsic"), lo=0, hi=63) if "bsic" in lab else None
    mcc = dec(lab.get("mcc"), lo=1, hi=999)
    ci = hexnum(lab.get("cellid"), unknown=(0xFFFF,))
    return ScanCarrier(
        arfcn=arfcn, rxlev_dbm=radio.rxlev_to_dbm(rxlev), tech=GSM, band=radio.arfcn_band(arfcn, pcs=pcs),
        bsic=bsic, mcc=mcc, mnc=dec(lab.get("mnc"), lo=0, hi=999) if mcc is not None else None,
        lac=hexnum(lab.get("lac"), lo=1, hi=0xFFFE) if "lac" in lab else None, ci=ci)


def parse_cnetscan(lines: list[str]) -> tuple[list[ScanCarrier], int]:
    out: list[ScanCarrier] = []
    skipped = 0
    for line in lines:
        text = line.strip()
        if not text or text.upper() in ("OK", "ERROR") or text.upper().startswith("+CNETSCAN:"):
            continue
        try:
            carrier = parse_cnetscan_line(text)
        except (ValueError, IndexError):
            carrier = None
        if carrier is None:
            skipped += 1
        else:
            out.append(carrier)
    return out, skipped


# ------------------------------------------------------------------ Quectel 2G +QSCANF


def parse_qscanf_line(line: str) -> ScanCarrier | None:
    """``+QSCANF: <arfcn>,<level>[,...]``; level dBm when negative, RXLEV when 0..63."""
    text = line.strip()
    if not text.upper().startswith("+QSCANF:"):
        return None
    f = split_fields(text.split(":", 1)[1])
    if len(f) < 2:
        return None
    level = number(f[1])
    if level is None:
        dbm = None
    elif level < 0:
        dbm = level if level >= -140 else None
    else:
        dbm = radio.rxlev_to_dbm(int(level)) if level == int(level) and level <= 63 else None
    return _gsm(dec(f[0]), dbm)


def parse_qscanf(lines: list[str]) -> tuple[list[ScanCarrier], int]:
    out: list[ScanCarrier] = []
    skipped = 0
    for line in lines:
        text = line.strip()
        if not text or text.upper() in ("OK", "ERROR"):
            continue
        carrier = parse_qscanf_line(text)
        if carrier is None:
            skipped += 1
        else:
            out.append(carrier)
    return out, skipped


# ------------------------------------------------------------------ family-table hooks
# The reply lines of a survey command go through ``parse_lines`` like any reply (so
# ``fieldapp parse-at`` reads a transcript of one): Telit's and SIMCom's carrier lines have no
# prefix and reach these block parsers by their command; Quectel's have ``+QSCANF:``.


def csurv_block(lines: list[str]) -> list:
    return parse_csurv(lines)[0]


def cnetscan_block(lines: list[str]) -> list:
    return parse_cnetscan(lines)[0]


def qscanf_records(line: str) -> list | None:
    carrier = parse_qscanf_line(line)
    return [] if carrier is None else [carrier]
