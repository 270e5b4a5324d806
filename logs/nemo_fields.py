"""Nemo ``.nmf`` field decoding: line splitting, times and dates, context ids, and the
CELLMEAS cell groups per system (GSM, UMTS, LTE). Pure functions used by ``logs.nemo``.

Repeating groups carry their own counts (``#cells, #params per cell, cells...``); newer
format versions append fields, so counts are used and unknown trailing fields ignored
(docs/log-formats.md §1.2).
"""

from __future__ import annotations

import calendar
import csv

from fieldapp import model
from fieldapp.radio import dbm_to_rxlev, valid_bsic

# UMTS cell types: 0 active set, 1 monitored, 2 detected, 3 undetected; LTE: 0 serving,
# 1 listed, 2 detected, 10 SCell. Both observed in the sample ([O] with names from [S]).
UMTS_TYPE = {0: "active", 1: "monitored", 2: "detected", 3: "undetected"}
LTE_TYPE = {0: "serving", 1: "listed", 2: "detected", 10: "scell"}
# GSM: the two third-party parsers disagree (AWE: 0 active; the 2.2x Python parser: 1 serving,
# 0 neighbour). No real GSM Nemo line is public; we follow the parser written for 2.2x files.
GSM_SERVING_TYPE = 1


class NemoError(ValueError):
    """A line that cannot be read; the message is the reason shown to the user."""


def int_or_none(tok: str) -> int | None:
    if tok:  # the common case, an integer ("5", " 5 "), in one C call (int() skips blanks)
        try:
            return int(tok)
        except ValueError:
            pass
    tok = tok.strip()
    if not tok:
        return None
    try:
        f = float(tok)
    except ValueError:
        raise NemoError(f"not a number: {tok!r}") from None
    if f != f or f in (float("inf"), float("-inf")) or f != int(f):
        raise NemoError(f"not an integer: {tok!r}")
    return int(f)


def float_or_none(tok: str) -> float | None:
    tok = tok.strip()
    if not tok:
        return None
    try:
        return float(tok)
    except ValueError:
        raise NemoError(f"not a number: {tok!r}") from None


def split_line(line: str) -> list[str]:
    """Comma split, quote-aware only when the line has quotes (most lines have none)."""
    if '"' in line:
        return next(csv.reader([line]))
    return line.split(",")


def parse_time_of_day(text: str) -> float:
    """'16:01:58.536' → seconds since local midnight."""
    if len(text) == 12 and text[2] == ":" and text[5] == ":":  # the usual HH:MM:SS.mmm, fast
        try:
            h, m, s = int(text[:2]), int(text[3:5]), float(text[6:])
        except ValueError:
            raise NemoError(f"bad time {text!r}") from None
        if h < 24 and m < 60 and 0 <= s < 61 and h >= 0 and m >= 0:
            return h * 3600 + m * 60 + s
        raise NemoError(f"bad time {text!r}")
    try:
        h, m, s = text.split(":")
        value = int(h) * 3600 + int(m) * 60 + float(s)
    except ValueError:
        raise NemoError(f"bad time {text!r}") from None
    if not (0 <= int(h) < 24 and 0 <= int(m) < 60 and 0 <= float(s) < 61):
        raise NemoError(f"bad time {text!r}")
    return value


def parse_date(text: str) -> int:
    """'26.8.2018' (D.M.YYYY, no padding) → POSIX seconds of that midnight, as if UTC."""
    try:
        d, m, y = (int(x) for x in text.strip().strip('"').split("."))
        return calendar.timegm((y, m, d, 0, 0, 0, 0, 0, 0))
    except (ValueError, OverflowError):
        raise NemoError(f"bad date {text!r}") from None


def split_context(fields: list[str]) -> tuple[list[str], list[str]]:
    """fields after the time → (context ids, params). 'CAA,t,1,44,5,…' has one id (44)."""
    ctx = fields[2].strip() if len(fields) > 2 else ""
    if not ctx:
        return [], fields[3:]
    n = int_or_none(ctx) or 0
    return fields[3:3 + n], fields[3 + n:]


# --------------------------------------------------------------------- CELLMEAS per system
def _cells(params: list[str], start: int) -> tuple[list[list[str]], int]:
    """The length-prefixed cell group at ``start``: ``#cells, #params per cell, cells...``."""
    if start + 1 >= len(params):
        raise NemoError("cell group missing")
    n_cells, n_params = int_or_none(params[start]), int_or_none(params[start + 1])
    if n_cells is None or n_params is None or n_cells < 0 or n_params <= 0:
        raise NemoError("bad cell group counts")
    first = start + 2
    end = first + n_cells * n_params
    if end > len(params) + 1:  # the last cell's last field may be cut by a trailing comma
        raise NemoError(f"cell group shorter than its count ({n_cells}×{n_params})")
    cells = [params[first + i * n_params: first + (i + 1) * n_params] for i in range(n_cells)]
    return cells, end


def field(cell: list[str], i: int) -> str:
    return cell[i] if i < len(cell) else ""


def _pad(cell: list[str], n: int) -> list[str]:
    """Older versions have fewer fields per cell; missing ones are unknown."""
    return cell if len(cell) >= n else cell + [""] * (n - len(cell))


# The per-cell loops below convert inline (``float(x) if x else None``) and build the Cell
# positionally-by-keyword in one call: they run for every cell of every CELLMEAS, the hottest
# code of an import (bench/import_bench.py). A bad number raises ValueError, which makes the
# whole line a bad line. The serving cell is the first cell of its role; logs.nemo completes it
# (CHI, RXQ, TAD) before the Sample is published.

_Cell = model.Cell
_SERVING, _NEIGHBOUR, _GSM, _UMTS, _LTE = model.SERVING, model.NEIGHBOUR, model.GSM, model.UMTS, model.LTE


# Real UMTS line (sample): CELLMEAS,16:01:58.567,,5,0,1,3,10588,-56.1,50001,3,17,
#   0,50001,10588,303,-11.4,,-67.5,0,,,,,-10.0,-63.0,0,34421.0,,1,50001,10588,159,...
# → system 5, 0 header params, 1 channel (UARFCN, RSSI, band), 3 cells × 17 params:
#   type, band, UARFCN, PSC, Ec/No, STTD, RSCP, ...
def _umts_cells(params: list[str]) -> list[model.Cell]:
    n_hdr = int_or_none(params[1]) or 0
    i = 2 + n_hdr
    n_ch, n_ch_params = int_or_none(params[i]) or 0, int_or_none(params[i + 1]) or 0
    cells, _ = _cells(params, i + 2 + n_ch * n_ch_params)
    out = []
    for c in cells:
        if len(c) < 7:
            c = _pad(c, 7)
        ctype = int(c[0]) if c[0] else None
        out.append(_Cell(
            role=_SERVING if ctype == 0 else _NEIGHBOUR, tech=_UMTS,
            arfcn=int(c[2]) if c[2] else None, pci=int(c[3]) if c[3] else None,
            ecno_db=float(c[4]) if c[4] else None, rscp_dbm=float(c[6]) if c[6] else None,
            state=UMTS_TYPE.get(ctype) or str(ctype)))  # type: ignore[arg-type]
    return out


# Real LTE line (sample): CELLMEAS,16:03:34.254,,7,0,1,9,0,70001,125,400,-56.4,-84.4,-10.8,236680,111.0
# → system 7, 0 header params, 1 cell × 9: type, band, EARFCN, PCI, RSSI, RSRP, RSRQ, timing,
#   pathloss[, Srxlev, SINR].
def _lte_cells(params: list[str]) -> list[model.Cell]:
    n_hdr = int_or_none(params[1]) or 0
    cells, _ = _cells(params, 2 + n_hdr)
    out = []
    for c in cells:
        if len(c) < 11:
            c = _pad(c, 11)
        ctype = int(c[0]) if c[0] else None
        out.append(_Cell(
            role=_SERVING if ctype == 0 else _NEIGHBOUR, tech=_LTE,
            arfcn=int(c[2]) if c[2] else None, pci=int(c[3]) if c[3] else None,
            rsrp_dbm=float(c[5]) if c[5] else None, rsrq_db=float(c[6]) if c[6] else None,
            sinr_db=float(c[10]) if c[10] else None,
            state=LTE_TYPE.get(ctype) or str(ctype)))  # type: ignore[arg-type]
    return out


# GSM (no public real line; layout from AWE 2.01 and the 2.2x Python parser, docs/log-formats.md §1.4):
#   CELLMEAS,t,,1,0,<#cells>,16,<type>,<band>,<ARFCN>,<BSIC>,<RxLev full dBm>,<RxLev sub dBm>,
#   <C1>,<C2>,<C31>,<C32>,<HCS prio>,<HCS thr>,<Cell ID>,<LAC>,<RAC>,<Srxlev>, ...
def _gsm_cells(params: list[str]) -> list[model.Cell]:
    n_hdr = int_or_none(params[1]) or 0
    cells, _ = _cells(params, 2 + n_hdr)
    out = []
    for c in cells:
        if len(c) < 14:
            c = _pad(c, 14)
        ctype = int(c[0]) if c[0] else None
        full_dbm = float(c[4]) if c[4] else None
        sub_dbm = float(c[5]) if c[5] else None
        level_dbm = full_dbm if full_dbm is not None else sub_dbm
        out.append(_Cell(
            role=_SERVING if ctype == GSM_SERVING_TYPE else _NEIGHBOUR, tech=_GSM,
            arfcn=int(c[2]) if c[2] else None, bsic=valid_bsic(int(c[3]) if c[3] else None),
            rxlev=dbm_to_rxlev(level_dbm), rxlev_dbm=level_dbm,
            rxlev_full=dbm_to_rxlev(full_dbm), rxlev_sub=dbm_to_rxlev(sub_dbm),
            c1=int(c[6]) if c[6] else None, c2=int(c[7]) if c[7] else None,
            ci=int(c[12]) if c[12] else None, lac=int(c[13]) if c[13] else None))
    return out


CELL_PARSERS = {1: _gsm_cells, 5: _umts_cells, 7: _lte_cells, 8: _lte_cells}
