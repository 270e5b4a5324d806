"""The range of every field a parser fills, in one place, and the positional reading that goes
with it.

Why one place: devices print values out of their range (RXLEV 64, BSIC 99 or 127, TA 255 or
-1, ARFCN 1688 - docs/at-commands.md §1.1, §5.5) and every family used to decide on its
own whether such a value threw the whole line away. The rule now is the same for every family:
a value outside its range becomes ``None`` for that field only; the record keeps the others
(the serving cell keeps its ARFCN, MCC/MNC, LAC and CI when its RXLEV is 64). ``parse_line``
applies ``sanitize`` to every record any parser returns.

Ranges (inclusive), with their source:

==============  =====================  =============================================
field           range                  source
==============  =====================  =============================================
mcc             1..999                 TS 23.003 §2.2 (000 is not allocated)
mnc             0..999                 TS 23.003 §2.2
lac             1..0xFFFFFF            LAC 16 bit (TS 23.003 §4.1), TAC 24 bit (5G)
ci              1..0xFFFFFFF           16-bit GSM CI, 28-bit UMTS/LTE cell identity
arfcn (GSM)     0..1023                TS 44.018 §10.5.2.1 (10 bits; band: radio.py)
arfcn (UMTS)    0..16383               UARFCN, TS 25.101 §5.4
arfcn (LTE)     0..262143              EARFCN, TS 36.101 §5.7.3
bsic            0..63                  TS 23.003 §4.3.2 (NCC*8+BCC)
rxlev*          0..63                  TS 45.008 §8.1.4
rxlev_dbm       -111..-47              RXLEV 0..63 as dBm (radio.py)
rxqual*         0..7                   TS 45.008 §8.2.4
ta (GSM)        0..63                  TS 45.010 §5.1 (255 = idle on SIMCom)
c1, c2          -999..999              path-loss criteria (negative C2 seen: -28)
pci             0..1007                UMTS PSC 0..511, LTE PCI 0..503, NR 0..1007
rscp_dbm        -125..-20              TS 25.133 §9.1.1 with margin
ecno_db         -30..0                 TS 25.133 §9.1.2 with margin
rsrp_dbm        -156..-31              TS 36.133 §9.1.4 (extended range)
rsrq_db         -35..20                TS 36.133 §9.1.7 (extended range)
timeslot        0..7                   TS 45.002 §3.3.2
maio, hsn       0..63                  TS 44.018 §10.5.2.5
==============  =====================  =============================================
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fieldapp.model import GSM, LTE, UMTS, Cell, Channel, Registration, Signal

Range = tuple[float, float]

CELL_RANGES: dict[str, Range] = {
    "mcc": (1, 999), "mnc": (0, 999), "lac": (1, 0xFFFFFF), "ci": (1, 0xFFFFFFF),
    "bsic": (0, 63), "rxlev": (0, 63), "rxlev_full": (0, 63), "rxlev_sub": (0, 63),
    "rxlev_dbm": (-111, -47), "rxqual": (0, 7), "rxqual_sub": (0, 7),
    "c1": (-999, 999), "c2": (-999, 999), "pci": (0, 1007),
    "rscp_dbm": (-125, -20), "ecno_db": (-30, 0), "rsrp_dbm": (-156, -31), "rsrq_db": (-35, 20),
    "sinr_db": (-30, 60),
}
ARFCN_RANGES: dict[str, Range] = {GSM: (0, 1023), UMTS: (0, 16383), LTE: (0, 262143)}
GSM_TA: Range = (0, 63)
CHANNEL_RANGES: dict[str, Range] = {"tch_arfcn": (0, 1023), "timeslot": (0, 7), "maio": (0, 63),
                                    "hsn": (0, 63)}
SIGNAL_RANGES: dict[str, Range] = {
    "rssi_dbm": (-113, -51), "rssi_raw": (0, 31), "rxqual": (0, 7), "rxlev": (0, 63),
    "rscp_dbm": (-121, -25), "ecno_db": (-24.5, 0), "rsrq_db": (-20, -3), "rsrp_dbm": (-141, -44),
}
REGISTRATION_RANGES: dict[str, Range] = {"stat": (0, 11), "lac": (1, 0xFFFFFF),
                                         "ci": (1, 0xFFFFFFF), "act": (0, 13), "mcc": (1, 999),
                                         "mnc": (0, 999)}


def in_range(value: Any, rng: Range) -> bool:
    return value is None or rng[0] <= value <= rng[1]


def _bad(rec: Any, ranges: dict[str, Range]) -> dict[str, None]:
    out: dict[str, None] = {}
    for name, (lo, hi) in ranges.items():
        v = getattr(rec, name)
        if v is not None and not lo <= v <= hi:
            out[name] = None
    return out


def _channel(ch: Channel) -> Channel | None:
    bad = _bad(ch, CHANNEL_RANGES)
    if ch.hopping and ch.tch_arfcn is not None:
        bad["tch_arfcn"] = None  # hopping: no single ARFCN names the TRX
    if not bad:
        return ch
    ch = replace(ch, **bad)
    empty = all(getattr(ch, k) is None for k in ("tch_arfcn", "timeslot", "hopping", "maio", "hsn",
                                                 "channel_type", "codec"))
    return None if empty else ch


def sanitize_cell(cell: Cell) -> Cell:
    """The cell with every out-of-range field set to None (the same object when all fit)."""
    bad: dict[str, Any] = _bad(cell, CELL_RANGES)
    arfcn_rng = ARFCN_RANGES.get(cell.tech)
    if arfcn_rng is not None and not in_range(cell.arfcn, arfcn_rng):
        bad["arfcn"] = None
    if cell.tech == GSM and not in_range(cell.ta, GSM_TA):
        bad["ta"] = None
    if cell.rxlev_dbm is not None and "rxlev_dbm" in bad and cell.rxlev is not None \
            and "rxlev" not in bad:
        bad["rxlev_dbm"] = float(cell.rxlev - 110)  # the dBm was misprinted, the RXLEV is fine
    if (cell.mcc is None or "mcc" in bad) and cell.mnc is not None:
        bad["mnc"] = None  # an MNC without its MCC names no network
    if cell.channel is not None:
        ch = _channel(cell.channel)
        if ch is not cell.channel:
            bad["channel"] = ch
    return replace(cell, **bad) if bad else cell


def sanitize(rec: Any) -> Any:
    """Any parse record with its out-of-range fields set to None; other records unchanged."""
    if isinstance(rec, Cell):
        return sanitize_cell(rec)
    if isinstance(rec, Signal):
        bad = _bad(rec, SIGNAL_RANGES)
        return replace(rec, **bad) if bad else rec
    if isinstance(rec, Registration):
        bad = _bad(rec, REGISTRATION_RANGES)
        return replace(rec, **bad) if bad else rec
    return rec


# --------------------------------------------------------------------------- positional reading
# A reply is read by position: field i means the same thing on every firmware that prints the
# layout. Firmware versions differ at the end (missing, extra trailing fields) and manuals
# print damaged examples (a lost comma shifts everything after it). ``certain`` keeps every
# field up to the first one whose *shape* is wrong for its position (text where a number
# belongs): from there on no position is certain, so those fields read as unknown. Missing
# trailing fields read as unknown; extra trailing fields are ignored. A *value* out of range
# is not a shape error: it is left for ``sanitize``.

def _is_dec(t: str) -> bool:
    s = t.strip().strip('"').strip().replace(" ", "")
    if s[:1] in "+-":
        s = s[1:]
    return s.isdigit() and s.isascii()


def _is_hex(t: str) -> bool:
    s = t.strip().strip('"').strip().lower()
    if _is_dec(s):
        return True  # a signed number in a hex column: a value (out of range), not a shift
    if s.startswith("0x"):
        s = s[2:]
    return bool(s) and all(c in "0123456789abcdef" for c in s)


_UNKNOWN = frozenset({"", "-", "--", "x", "xx", "-0", "n/a", "na"})
_SHAPES = {"d": _is_dec, "h": _is_hex}


def certain(fields: list[str], shapes: str) -> list[str]:
    """``fields`` padded or cut to ``len(shapes)``, with every field from the first misshapen
    one on blanked. ``shapes`` has one letter per position: ``d`` decimal, ``h`` hex,
    ``t`` text (any shape). Unknown markers (``-``, ``x``, empty) fit every shape."""
    out = [f.strip() for f in fields[: len(shapes)]]
    out += [""] * (len(shapes) - len(out))
    for i, (tok, shape) in enumerate(zip(out, shapes)):
        check = _SHAPES.get(shape)
        if check is None or tok.strip('"').strip().lower() in _UNKNOWN:
            continue
        if not check(tok):
            return out[:i] + [""] * (len(shapes) - i)
    return out
