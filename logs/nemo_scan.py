"""Nemo scanner records → ``Scan``: FREQSCAN (GSM), PILOTSCAN (UMTS), OFDMSCAN (LTE). Pure
functions used by ``logs.nemo``; ``p`` is the line's fields after the context (``p[0]`` is the
system: 1 GSM, 5 UMTS FDD, 7 LTE FDD, 8 LTE TDD).

Layout (reference/log-formats.md §1.2: repeating groups carry their own counts; the indices
below agree with the ``tchiayan/nemoparser`` decoder for real PCTel scanner files: PILOTSCAN
channel at field 5, #cells at 9, cells from 11; OFDMSCAN EARFCN at 5, #cells at 10, cells from
12)::

    EVENT,time,,<system>,<#header params H>,<header 1 = channel>,...,<#cells N>,<#params P>,<cells N x P>

    PILOTSCAN  cell: <scrambling code>, <Ec/No dB>, <RSCP dBm>, ...            (H = 4, P = 6 seen)
    OFDMSCAN   cell: <PCI>, ., ., <RSRP dBm>, <RSRQ dB>, <CINR dB>, ...          (H = 5, P = 10 seen)
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
    carriers = []
    for cell in cells:
        first = int_or_none(_get(cell, 0))
        band = None
        if first is not None and first in NEMO_GSM_BANDS:
            band, cell = NEMO_GSM_BANDS[first], cell[1:]
        arfcn = radio.valid_arfcn(int_or_none(_get(cell, 0)))
        if arfcn is None:
            continue
        bsic = radio.valid_bsic(int_or_none(_get(cell, 1)))
        dbm = float_or_none(_get(cell, 2))
        carriers.append(model.ScanCarrier(
            arfcn=arfcn, rxlev_dbm=dbm if dbm is not None and -140 <= dbm <= 0 else None, tech=model.GSM,
            band=band or radio.arfcn_band(arfcn, pcs=band == "PCS1900"), bsic=bsic,
            cinr_db=float_or_none(_get(cell, 3))))
    arfcns = [c.arfcn for c in carriers if c.arfcn is not None]
    return model.Scan(start_utc=ts, end_utc=ts, carriers=tuple(carriers), tech=model.GSM,
                      arfcn_from=min(arfcns) if arfcns else None, arfcn_to=max(arfcns) if arfcns else None,
                      source="nemo FREQSCAN", position=position)


def pilotscan(ts: float, p: list[str], position: model.Position | None) -> model.Scan:
    headers, cells = _groups(p)
    uarfcn = int_or_none(headers[0]) if headers else None
    carriers = []
    for cell in cells:
        sc = int_or_none(_get(cell, 0))
        if sc is None or not 0 <= sc <= 511:
            continue
        rscp = float_or_none(_get(cell, 2))
        carriers.append(model.ScanCarrier(
            arfcn=uarfcn, tech=model.UMTS, pci=sc, ecno_db=float_or_none(_get(cell, 1)),
            rscp_dbm=rscp if rscp is not None and -140 <= rscp <= 0 else None))
    carriers.sort(key=lambda c: -(c.rscp_dbm if c.rscp_dbm is not None else -999.0))
    return model.Scan(start_utc=ts, end_utc=ts, carriers=tuple(carriers), tech=model.UMTS,
                      arfcn_from=uarfcn, arfcn_to=uarfcn, source="nemo PILOTSCAN", position=position)


def ofdmscan(ts: float, p: list[str], position: model.Position | None) -> model.Scan:
    headers, cells = _groups(p)
    earfcn = int_or_none(headers[0]) if headers else None
    carriers = []
    for cell in cells:
        pci = int_or_none(_get(cell, 0))
        if pci is None or not 0 <= pci <= 503:
            continue
        rsrp = float_or_none(_get(cell, 3))
        carriers.append(model.ScanCarrier(
            arfcn=earfcn, tech=model.LTE, pci=pci,
            rsrp_dbm=rsrp if rsrp is not None and -150 <= rsrp <= 0 else None,
            rsrq_db=float_or_none(_get(cell, 4)), cinr_db=float_or_none(_get(cell, 5))))
    carriers.sort(key=lambda c: -(c.rsrp_dbm if c.rsrp_dbm is not None else -999.0))
    return model.Scan(start_utc=ts, end_utc=ts, carriers=tuple(carriers), tech=model.LTE,
                      arfcn_from=earfcn, arfcn_to=earfcn, source="nemo OFDMSCAN", position=position)


SCAN_PARSERS = {"FREQSCAN": freqscan, "PILOTSCAN": pilotscan, "OFDMSCAN": ofdmscan}
SCAN_SYSTEMS = {"FREQSCAN": (1,), "PILOTSCAN": (5, 6), "OFDMSCAN": (7, 8)}
