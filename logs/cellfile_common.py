"""Small shared pieces of the cell-file readers: numbers, coordinates, BSIC, TRX lists."""

from __future__ import annotations

import math
import re

from fieldapp.radio import bsic_from_octal, valid_arfcn, valid_bsic


class CellFileError(ValueError):
    """A row that cannot be read; the message is the reason shown to the user."""


def num(text: str | None, what: str = "value") -> float | None:
    t = (text or "").strip()
    if not t or t in ("-", "NA", "N/A"):
        return None
    try:
        v = float(t.replace(",", ".")) if t.count(",") == 1 and "." not in t else float(t)
    except ValueError:
        raise CellFileError(f"{what} is not a number: {t!r}") from None
    if not math.isfinite(v):
        raise CellFileError(f"{what} is not a number: {t!r}")
    return v


def integer(text: str | None, what: str = "value") -> int | None:
    v = num(text, what)
    if v is None:
        return None
    if v != int(v):
        raise CellFileError(f"{what} is not an integer: {text!r}")
    return int(v)


# Matched against the text with its blanks collapsed to single spaces, so each " ?" takes at
# most one character: with "\s*" in their place, three adjacent optional runs took cubic time
# on a long run of blanks (issue 16).
_DMS_RE = re.compile(
    r"""^(?P<h>[NSEW])?\ ?(?P<deg>\d+(?:\.\d+)?)\ ?(?:[*°]\ ?(?P<min>\d+(?:\.\d+)?)\ ?'?
        \ ?(?:(?P<sec>\d+(?:\.\d+)?)\ ?")?)?\ ?(?P<h2>[NSEW])?$""", re.X | re.I)


def coordinate(text: str | None, is_lat: bool) -> float | None:
    """Degrees from the notations TEMS cell files accept (docs/log-formats.md §3.2):
    ``-17.436`` (decimal), ``N 1439.9202`` (H dddmm.mmmm), ``N 14* 39.92'``, ``N 14* 39' 55.2"``."""
    t = (text or "").strip()
    if not t:
        return None
    limit = 90.0 if is_lat else 180.0
    try:
        value = float(t)
    except ValueError:
        m = _DMS_RE.match(" ".join(t.split()))  # single blanks: see _DMS_RE
        if m is None:
            raise CellFileError(f"bad {'latitude' if is_lat else 'longitude'} {t!r}") from None
        hemi = (m.group("h") or m.group("h2") or "").upper()
        deg = float(m.group("deg"))
        if m.group("min") is None and hemi and "*" not in t and "°" not in t:
            deg, minutes = divmod(deg, 100.0)  # H dddmm.mmmm
            value = deg + minutes / 60.0
        else:
            value = deg + float(m.group("min") or 0) / 60.0 + float(m.group("sec") or 0) / 3600.0
        if hemi in ("S", "W"):
            value = -value
    if not -limit <= value <= limit:
        raise CellFileError(f"{'latitude' if is_lat else 'longitude'} out of range: {t!r}")
    return value


def bsic(text: str | None) -> int | None:
    """BSIC as engineers write it: two octal digits NCC BCC ("35" = 29); a plain number that
    is not two octal digits is read as the decimal 0..63 value."""
    t = (text or "").strip()
    if not t:
        return None
    octal = bsic_from_octal(t)
    if octal is not None:
        return octal
    v = integer(t, "BSIC")
    if valid_bsic(v) is None:
        raise CellFileError(f"BSIC out of range: {t!r}")
    return v


def arfcn(text: str | None, what: str = "ARFCN") -> int | None:
    v = integer(text, what)
    if v is not None and valid_arfcn(v) is None:
        raise CellFileError(f"{what} {v} is not a GSM channel")
    return v


def arfcn_list(text: str | None) -> tuple[int, ...]:
    """'7 12 14' or '7;12;14' or '7,12' → (7, 12, 14)."""
    parts = re.split(r"[\s;,]+", (text or "").strip())
    return tuple(a for a in (arfcn(p) for p in parts if p) if a is not None)
