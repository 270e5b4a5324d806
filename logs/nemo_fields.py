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
from logs.fast_records import init_cell, new_cell

# UMTS cell types: 0 active set, 1 monitored, 2 detected, 3 undetected; LTE: 0 serving,
# 1 listed, 2 detected, 10 SCell. Both observed in the sample ([O] with names from [S]).
UMTS_TYPE = {0: "active", 1: "monitored", 2: "detected", 3: "undetected"}
LTE_TYPE = {0: "serving", 1: "listed", 2: "detected", 10: "scell"}
# GSM: the two third-party parsers disagree (AWE: 0 active; the 2.2x Python parser: 1 serving,
# 0 neighbour). No real GSM Nemo line is public; we follow the parser written for 2.2x files.
GSM_SERVING_TYPE = 1


class NemoError(ValueError):
    """A line that cannot be read; the message is the reason shown to the user."""


_INT64_MIN, _INT64_END = -(2**63), 2**63


def int64(text: str) -> int:
    """``int(text)``, refusing a whole number beyond 64 bits: a garbled field (a 20-digit cell
    id), which no counter or identity reaches (and SQLite could not store); the line that reads
    it is a bad line with that reason."""
    value = int(text)
    if _INT64_MIN <= value < _INT64_END:
        return value
    raise NemoError(f"a whole number beyond 64 bits: {text.strip()[:30]!r}")


def int_or_none(tok: str) -> int | None:
    if tok:  # the common case, an integer ("5", " 5 "), in one C call (int() skips blanks)
        try:
            value = int(tok)
        except ValueError:
            pass
        else:
            return value if _INT64_MIN <= value < _INT64_END else int64(tok)
    tok = tok.strip()
    if not tok:
        return None
    try:
        f = float(tok)
    except ValueError:
        raise NemoError(f"not a number: {tok!r}") from None
    if f != f or f in (float("inf"), float("-inf")) or f != int(f):
        raise NemoError(f"not an integer: {tok!r}")
    return int64(str(int(f)))


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
class Numbers(dict):
    """``numbers[text]`` is ``convert(text)``, remembered: a log repeats the same few hundred
    field texts (channels, codes, levels in 0.1 dB), and a dict lookup costs a fifth of
    ``int(text)`` / ``float(text)`` (CPython builds an ASCII copy of the text first). A text that
    does not convert raises the converter's ValueError, every time (never remembered); the
    memory is bounded (a log of unique values is converted as it comes) and held by one reader
    (logs.nemo makes a pair per pass over a file)."""

    def __init__(self, convert: type, size: int = 1 << 16) -> None:
        super().__init__()
        self.convert, self.size = convert, size

    def __missing__(self, text: str) -> float:
        value = self.convert(text)
        if len(self) < self.size:
            self[text] = value
        return value


def _group(params: list[str], start: int, need: int, ints: Numbers) -> tuple[list[str], int, int, int]:
    """The length-prefixed cell group at ``start`` (``#cells, #params per cell, cells...``) as
    ``(seq, first, end, stride)``: field ``i < need`` of each cell is ``seq[b + i]`` for ``b`` in
    ``range(first, end, stride)``.

    A well-formed group is read in place (``seq`` is ``params``: no list per cell). Older
    versions have fewer fields per cell and the last cell's last field may be cut by a trailing
    comma: such a group is copied with the missing fields unknown ("")."""
    if start + 1 >= len(params):
        raise NemoError("cell group missing")
    t, u = params[start], params[start + 1]
    n_cells = ints[t] if t.isdecimal() else int_or_none(t)
    n_params = ints[u] if u.isdecimal() else int_or_none(u)
    if n_cells is None or n_params is None or n_cells < 0 or n_params <= 0:
        raise NemoError("bad cell group counts")
    first = start + 2
    end = first + n_cells * n_params
    if end > len(params) + 1:  # the last cell's last field may be cut by a trailing comma
        raise NemoError(f"cell group shorter than its count ({n_cells}×{n_params})")
    if first >= 0 and n_params >= need and end <= len(params):
        return params, first, end, n_params
    stride = max(n_params, need)
    seq: list[str] = []
    for i in range(n_cells):
        cell = params[first + i * n_params: first + (i + 1) * n_params]
        seq += cell
        seq += [""] * (stride - len(cell))
    return seq, 0, len(seq), stride


def _count(tok: str, ints: Numbers) -> int:
    """A count field: ``int_or_none(tok) or 0``."""
    return ints[tok] if tok.isdecimal() else int_or_none(tok) or 0


def field(cell: list[str], i: int) -> str:
    return cell[i] if i < len(cell) else ""


# The per-cell loops below are the hottest code of an import (bench/import_bench.py): they read
# the fields in place (``_group``), convert inline (``float(x) if x else None``: one C call per
# number, repeated texts through ``Numbers``) and build each Cell positionally (logs/fast_records.py). A bad number raises ValueError, which makes the
# whole line a bad line; the fields are converted in the order the reason names the first bad
# one. The serving cell is the first cell of its role, returned apart; logs.nemo completes it
# (CHI, RXQ, TAD) before the Sample is published. Other cells of that role (UMTS active set)
# stay in the list with their role.

_Cell = model.Cell
_SERVING, _NEIGHBOUR, _GSM, _UMTS, _LTE = model.SERVING, model.NEIGHBOUR, model.GSM, model.UMTS, model.LTE
# cell type -> (role, state); type 0 is the serving cell (UMTS: the active set). Another type's
# state is its number as text ("None" when blank), as before.
UMTS_KIND = {k: (_SERVING if k == 0 else _NEIGHBOUR, v) for k, v in UMTS_TYPE.items()}
LTE_KIND = {k: (_SERVING if k == 0 else _NEIGHBOUR, v) for k, v in LTE_TYPE.items()}


# Real UMTS line (sample): CELLMEAS,16:01:58.567,,5,0,1,3,10588,-56.1,50001,3,17,
#   0,50001,10588,303,-11.4,,-67.5,0,,,,,-10.0,-63.0,0,34421.0,,1,50001,10588,159,...
# → system 5, 0 header params, 1 channel (UARFCN, RSSI, band), 3 cells × 17 params:
#   type, band, UARFCN, PSC, Ec/No, STTD, RSCP, ...
def _umts_cells(params: list[str], ints: Numbers, floats: Numbers) -> tuple[model.Cell | None, list[model.Cell]]:
    i = 2 + _count(params[1], ints)
    seq, first, end, stride = _group(params, i + 2 + _count(params[i], ints) * _count(params[i + 1], ints), 7, ints)
    return _umts_group(seq, first, end, stride, ints, floats)


def _umts_group(seq: list[str], first: int, end: int, stride: int, ints: Numbers,
                floats: Numbers) -> tuple[model.Cell | None, list[model.Cell]]:
    """The UMTS cells of a group read in place: cell fields at ``seq[b + i]`` for ``b`` in
    ``range(first, end, stride)`` (``_group``)."""
    serving = None
    out = []
    for b in range(first, end, stride):
        t = seq[b]
        ctype = ints[t] if t else None
        t = seq[b + 2]
        arfcn = ints[t] if t else None
        t = seq[b + 3]
        pci = ints[t] if t else None
        t = seq[b + 4]
        ecno = floats[t] if t else None
        t = seq[b + 6]
        rscp = floats[t] if t else None
        role, state = UMTS_KIND.get(ctype) or (_NEIGHBOUR, str(ctype))
        cell = new_cell(_Cell)
        init_cell(cell, role, _UMTS, None, None, None, None, arfcn, None, None, None, None, None, None, None, None,
                  None, None, None, pci, rscp, ecno, None, None, None, None, state)
        if ctype == 0 and serving is None:
            serving = cell
        else:
            out.append(cell)
    return serving, out


def umts_line_cells(f: list[str], ints: Numbers, floats: Numbers) -> tuple[model.Cell | None, list[model.Cell]]:
    """``_umts_cells(f[3:], ints, floats)`` of a whole UMTS CELLMEAS line's fields ``f``
    (``f[3]`` is the system "5"). The usual layout, every UMTS line of the shared sample (no
    header params, one channel of three params, at least 7 params per cell, the group within
    the line)::

        CELLMEAS,t,,5,0,1,3,<UARFCN>,<RSSI>,<band>,<#cells>,<#params per cell>,<cells...>

    is read in place, without the copy of the line's ~70 fields and the group helpers' calls
    (~0.4 µs of a line's ~7); any other layout goes to ``_umts_cells``, which reads it or says
    why not."""
    if len(f) < 12 or f[4] != "0" or f[5] != "1" or f[6] != "3" or not (f[10].isdecimal() and f[11].isdecimal()):
        return _umts_cells(f[3:], ints, floats)
    t, u = f[10], f[11]
    stride = ints[u]
    end = 12 + ints[t] * stride
    if stride < 7 or end > len(f):
        return _umts_cells(f[3:], ints, floats)
    return _umts_group(f, 12, end, stride, ints, floats)


# Real LTE line (sample): CELLMEAS,16:03:34.254,,7,0,1,9,0,70001,125,400,-56.4,-84.4,-10.8,236680,111.0
# → system 7, 0 header params, 1 cell × 9: type, band, EARFCN, PCI, RSSI, RSRP, RSRQ, timing,
#   pathloss[, Srxlev, SINR].
def _lte_cells(params: list[str], ints: Numbers, floats: Numbers) -> tuple[model.Cell | None, list[model.Cell]]:
    seq, first, end, stride = _group(params, 2 + _count(params[1], ints), 11, ints)
    serving = None
    out = []
    for b in range(first, end, stride):
        t = seq[b]
        ctype = ints[t] if t else None
        t = seq[b + 2]
        arfcn = ints[t] if t else None
        t = seq[b + 3]
        pci = ints[t] if t else None
        t = seq[b + 5]
        rsrp = floats[t] if t else None
        t = seq[b + 6]
        rsrq = floats[t] if t else None
        t = seq[b + 10]
        sinr = floats[t] if t else None
        role, state = LTE_KIND.get(ctype) or (_NEIGHBOUR, str(ctype))
        cell = new_cell(_Cell)
        init_cell(cell, role, _LTE, None, None, None, None, arfcn, None, None, None, None, None, None, None, None,
                  None, None, None, pci, None, None, rsrp, rsrq, sinr, None, state)
        if ctype == 0 and serving is None:
            serving = cell
        else:
            out.append(cell)
    return serving, out


# GSM (no public real line; layout from AWE 2.01 and the 2.2x Python parser, docs/log-formats.md §1.4):
#   CELLMEAS,t,,1,0,<#cells>,16,<type>,<band>,<ARFCN>,<BSIC>,<RxLev full dBm>,<RxLev sub dBm>,
#   <C1>,<C2>,<C31>,<C32>,<HCS prio>,<HCS thr>,<Cell ID>,<LAC>,<RAC>,<Srxlev>, ...
def _gsm_cells(params: list[str], ints: Numbers, floats: Numbers) -> tuple[model.Cell | None, list[model.Cell]]:
    seq, first, end, stride = _group(params, 2 + _count(params[1], ints), 14, ints)
    serving = None
    out = []
    for b in range(first, end, stride):
        t = seq[b]
        ctype = ints[t] if t else None
        t = seq[b + 4]
        full_dbm = floats[t] if t else None
        t = seq[b + 5]
        sub_dbm = floats[t] if t else None
        level_dbm = full_dbm if full_dbm is not None else sub_dbm
        t = seq[b + 2]
        arfcn = ints[t] if t else None
        t = seq[b + 3]
        bsic = valid_bsic(ints[t] if t else None)
        rxlev = dbm_to_rxlev(level_dbm)
        rxlev_full = dbm_to_rxlev(full_dbm)
        rxlev_sub = dbm_to_rxlev(sub_dbm)
        t = seq[b + 6]
        c1 = ints[t] if t else None
        t = seq[b + 7]
        c2 = ints[t] if t else None
        t = seq[b + 12]
        ci = ints[t] if t else None
        t = seq[b + 13]
        lac = ints[t] if t else None
        is_serving = ctype == GSM_SERVING_TYPE
        cell = new_cell(_Cell)
        init_cell(cell, _SERVING if is_serving else _NEIGHBOUR, _GSM, None, None, lac, ci, arfcn, bsic, rxlev,
                   level_dbm, rxlev_full, rxlev_sub, None, None, c1, c2)
        if is_serving and serving is None:
            serving = cell
        else:
            out.append(cell)
    return serving, out


CELL_PARSERS = {1: _gsm_cells, 5: _umts_cells, 7: _lte_cells, 8: _lte_cells}
