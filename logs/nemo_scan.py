"""Nemo scanner records → ``Scan``: FREQSCAN (GSM), PILOTSCAN (UMTS), OFDMSCAN (LTE). Pure
functions used by ``logs.nemo``; ``p`` is the line's fields after the context (``p[0]`` is the
system: 1 GSM, 5 UMTS FDD, 7 LTE FDD, 8 LTE TDD).

Layout (docs/log-formats.md §1.2: repeating groups carry their own counts; the indices
below agree with the ``tchiayan/nemoparser`` decoder for real PCTel scanner files: PILOTSCAN
channel at field 5, #cells at 9, cells from 11; OFDMSCAN EARFCN at 5, #cells at 10, cells from
12)::

    EVENT,time,,<system>,<#header params H>,<header 1 = channel>,...,<#cells N>,<#params P>,<cells N x P>

    PILOTSCAN  headers UARFCN, ., RSSI, band; cell: <SC>, <Ec/No dB>, <RSCP dBm>, ...   (H = 4, P = 6)
    OFDMSCAN   headers EARFCN, type, bandwidth, RSSI, band; type-1 cell: <PCI>, ., ., <RSRP dBm>,
               <RSRQ dB>, <CINR dB>, ...                                              (H = 5, P = 10)
    FREQSCAN   channel: <ARFCN>, <BSIC>, <RxLev dBm>, <C/I dB>, <SCH level>, ...  (system 1, [S])

No real FREQSCAN line is public: its per-channel order is the reference's (§1.4, from two
third-party parsers). A FREQSCAN whose channels start with a Nemo band code (10900, 11800...)
is read with the band first. When a line fits both "with header block" and "without" (older
files), the layout whose counts use up the line exactly wins; newer versions may append fields
to a group, which ``P`` covers.
"""

from __future__ import annotations

from fieldapp import model, radio
from logs.nemo_fields import NemoError, float_or_none, int_or_none

NEMO_GSM_BANDS = {10850: "GSM850", 10900: "GSM900", 11800: "DCS1800", 11900: "PCS1900"}


def _groups(p: list[str]) -> tuple[list[str], list[list[str]]]:
    """(header params, cells) from ``<system>,<H>,<headers>,<N>,<P>,<cells>``; tries the layout
    without a header block too and keeps the one whose counts fit the line."""
    candidates = []
    for with_header in (True, False):
        try:
            i = 1
            headers: list[str] = []
            if with_header:
                h = int_or_none(p[i]) or 0
                headers = p[i + 1:i + 1 + h]
                if h < 0 or len(headers) < h:
                    continue
                i += 1 + h
            n = int_or_none(p[i]) or 0
            size = int_or_none(p[i + 1]) or 0
        except (IndexError, NemoError):
            continue
        start = i + 2
        end = start + n * size
        if n < 0 or (n > 0 and size <= 0) or end > len(p):
            continue
        cells = [p[start + k * size:start + (k + 1) * size] for k in range(n)]
        exact = end == len(p) or (end == len(p) - 1 and not p[-1].strip())
        candidates.append((exact, with_header, headers, cells))
    if not candidates:
        raise NemoError("scan groups do not fit the line (counts larger than the fields)")
    candidates.sort(key=lambda c: (not c[0], not c[1]))
    _exact, _with, headers, cells = candidates[0]
    return headers, cells


def _get(cell: list[str], k: int) -> str:
    return cell[k] if k < len(cell) else ""


def freqscan(ts: float, p: list[str], position: model.Position | None) -> model.Scan:
    headers, cells = _groups(p)
    header_band = next((NEMO_GSM_BANDS[v] for h in headers if (v := _int(h)) in NEMO_GSM_BANDS), None)
    carriers = []
    for cell in cells:
        # A Nemo band code (10900, 11800...) inside the channel group names its band; the rest is
        # ARFCN, BSIC, RxLev, C/I... (reference order). A negative value where the BSIC should be
        # is the level (a layout with the level first): read by value, not only by place.
        band = next((NEMO_GSM_BANDS[v] for t in cell if (v := _int(t)) in NEMO_GSM_BANDS), header_band)
        vals = [t for t in cell if _int(t) not in NEMO_GSM_BANDS]
        arfcn = radio.valid_arfcn(int_or_none(_get(vals, 0)))
        if arfcn is None:
            continue
        first, second = float_or_none(_get(vals, 1)), float_or_none(_get(vals, 2))
        if first is not None and first < 0 and (second is None or 0 <= second <= 63):
            dbm, bsic_value = first, second
        else:
            bsic_value, dbm = first, second
        bsic = radio.valid_bsic(int(bsic_value)) if bsic_value is not None and bsic_value == int(bsic_value) else None
        carriers.append(model.ScanCarrier(
            arfcn=arfcn, rxlev_dbm=dbm if dbm is not None and -140 <= dbm <= 0 else None, tech=model.GSM,
            band=_gsm_band(arfcn, band), bsic=bsic, cinr_db=float_or_none(_get(vals, 3))))
    arfcns = [c.arfcn for c in carriers if c.arfcn is not None]
    return model.Scan(start_utc=ts, end_utc=ts, carriers=tuple(carriers), tech=model.GSM,
                      arfcn_from=min(arfcns) if arfcns else None, arfcn_to=max(arfcns) if arfcns else None,
                      source="nemo FREQSCAN", position=position)


def _gsm_band(arfcn: int, named: str | None) -> str | None:
    """The band a line names when the ARFCN lies in it (PCS1900 shares DCS numbers), else the
    ARFCN's own band."""
    own = radio.arfcn_band(arfcn, pcs=named == "PCS1900")
    return named if named is not None and (own or "").replace("E-", "") == named else own


def _int(tok: str) -> int | None:
    try:
        return int(tok)
    except (TypeError, ValueError):
        return None


def _band(tech: str, code: str | None) -> str | None:
    """Nemo band code → "UMTS B1" / "LTE B7" (system × 10000 + band, docs/log-formats.md §1.2)."""
    v = int_or_none(code) if code else None
    return f"{tech} B{v % 10000}" if v is not None and v >= 10000 else None


# Real lines (tchiayan/nemoparser, PCTel IBflex, Nemo Outdoor 7.7/7.8, #FF 2.26/2.27):
#   PILOTSCAN,12:18:09.280,,5,4,10812,1,-73.0,50001,3,6,325,-12.1,-85.1,,,,41,-23.1,-96.1,,,,235,-25.4,-98.3,,,
#   headers: UARFCN, ?, channel RSSI dBm, band; cells: SC, Ec/No, RSCP, ...  ("1,6,0,,,,," = no pilot)
def pilotscan(ts: float, p: list[str], position: model.Position | None) -> model.Scan | None:
    headers, cells = _groups(p)
    uarfcn = int_or_none(headers[0]) if headers else None
    rssi = float_or_none(headers[2]) if len(headers) > 2 else None
    band = _band(model.UMTS, headers[3] if len(headers) > 3 else None)
    carriers = []
    for cell in cells:
        sc = int_or_none(_get(cell, 0))
        ecno, rscp = float_or_none(_get(cell, 1)), float_or_none(_get(cell, 2))
        if sc is None or not 0 <= sc <= 511 or (ecno is None and rscp is None):
            continue  # an empty slot: no pilot measured
        carriers.append(model.ScanCarrier(
            arfcn=uarfcn, rxlev_dbm=rssi if rssi is not None and -140 <= rssi <= 0 else None, tech=model.UMTS,
            band=band, pci=sc, ecno_db=ecno, rscp_dbm=rscp if rscp is not None and -140 <= rscp <= 0 else None))
    carriers.sort(key=lambda c: -(c.rscp_dbm if c.rscp_dbm is not None else -999.0))
    return model.Scan(start_utc=ts, end_utc=ts, carriers=tuple(carriers), tech=model.UMTS,
                      arfcn_from=uarfcn, arfcn_to=uarfcn, source="nemo PILOTSCAN", position=position)


# Real lines (same files):
#   OFDMSCAN,12:18:08.860,,7,5,3350,1,50,-88.8,70007,4,10,328,1,1,-102.9,-8.1,10.6,30366,18,0,22,...,8,6,328,0,...
#   headers: EARFCN, measurement type, bandwidth, channel RSSI dBm, band; type 1 cells: PCI, ., .,
#   RSRP, RSRQ, CINR, ...; then a per-antenna group (ignored). Type 2 lines (same EARFCN and
#   time, 9 params per cell) carry other quantities: they are skipped (None).
def ofdmscan(ts: float, p: list[str], position: model.Position | None) -> model.Scan | None:
    headers, cells = _groups(p)
    if len(headers) > 1 and headers[1].strip() not in ("", "1"):
        return None
    earfcn = int_or_none(headers[0]) if headers else None
    rssi = float_or_none(headers[3]) if len(headers) > 3 else None
    band = _band(model.LTE, headers[4] if len(headers) > 4 else None)
    carriers = []
    for cell in cells:
        pci = int_or_none(_get(cell, 0))
        rsrp = float_or_none(_get(cell, 3))
        if pci is None or not 0 <= pci <= 503:
            continue
        carriers.append(model.ScanCarrier(
            arfcn=earfcn, rxlev_dbm=rssi if rssi is not None and -140 <= rssi <= 0 else None, tech=model.LTE,
            band=band, pci=pci, rsrp_dbm=rsrp if rsrp is not None and -150 <= rsrp <= 0 else None,
            rsrq_db=float_or_none(_get(cell, 4)), cinr_db=float_or_none(_get(cell, 5))))
    carriers.sort(key=lambda c: -(c.rsrp_dbm if c.rsrp_dbm is not None else -999.0))
    return model.Scan(start_utc=ts, end_utc=ts, carriers=tuple(carriers), tech=model.LTE,
                      arfcn_from=earfcn, arfcn_to=earfcn, source="nemo OFDMSCAN", position=position)


SCAN_PARSERS = {"FREQSCAN": freqscan, "PILOTSCAN": pilotscan, "OFDMSCAN": ofdmscan}
SCAN_SYSTEMS = {"FREQSCAN": (1,), "PILOTSCAN": (5, 6), "OFDMSCAN": (7, 8)}
