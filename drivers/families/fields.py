"""Field decoding shared by every family's parsers.

Devices print the same quantity in many ways (reference/at-commands.md §5): hex unpadded, lower
case, ``0x``-prefixed; decimal zero-padded or space-padded; "not valid" as ``-``, ``x``, empty,
``255``, ``65535``, ``ffff``, ``0000``, ``99``, ``-0``, ``SEARCH``. These helpers turn a token
into an int or ``None``; they never raise on bad text: a token that is neither a number nor a
known marker raises ``Garbled`` only where the caller asks for it (``strict=True``), so a
parser can refuse a line whose *structure* is broken while tolerating unknown *values*.
"""

from __future__ import annotations

import re


class Garbled(ValueError):
    """A line that does not have the shape of its response kind. Counted and skipped."""


# Tokens that mean "no value" on some device (compared after strip + lower()).
UNKNOWN_TOKENS = frozenset({"", "-", "--", "x", "xx", "-0", "n/a", "na", "search", "unknown"})

_DEC_RE = re.compile(r"^[+-]?\d+$")
_HEX_RE = re.compile(r"^(0x)?[0-9a-f]+$")
_NUM_WITH_UNIT_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(dbm|db|%)?$")


def clean(token: str | None) -> str:
    """Strip spaces and surrounding quotes."""
    if token is None:
        return ""
    t = token.strip()
    if len(t) >= 2 and t[0] == t[-1] == '"':
        t = t[1:-1].strip()
    elif t.startswith('"'):
        t = t[1:].strip()
    elif t.endswith('"'):
        t = t[:-1].strip()
    return t


def is_unknown(token: str | None) -> bool:
    return clean(token).lower() in UNKNOWN_TOKENS


def dec(token: str | None, *, unknown: tuple[int, ...] = (), lo: int | None = None,
        hi: int | None = None, strict: bool = False) -> int | None:
    """Decimal token → int; ``None`` for unknown markers, the ``unknown`` values, or out of
    [lo, hi]. Internal spaces (``" 0 5"``, space padding) are removed."""
    t = clean(token).replace(" ", "")
    if t.lower() in UNKNOWN_TOKENS:
        return None
    if not _DEC_RE.match(t):
        if strict:
            raise Garbled(f"not a decimal number: {token!r}")
        return None
    v = int(t)
    if v in unknown:
        return None
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        return None
    return v


def hexnum(token: str | None, *, unknown: tuple[int, ...] = (), lo: int | None = None,
           hi: int | None = None, strict: bool = False) -> int | None:
    """Hex token (``4e72``, ``0x972D``, ``"00C3"``, `` 5``) → int; None for unknown markers."""
    t = clean(token).replace(" ", "").lower()
    if t in UNKNOWN_TOKENS:
        return None
    if not _HEX_RE.match(t):
        if strict:
            raise Garbled(f"not a hex number: {token!r}")
        return None
    v = int(t[2:] if t.startswith("0x") else t, 16)
    if v in unknown:
        return None
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        return None
    return v


def number(token: str | None, *, lo: float | None = None, hi: float | None = None,
           strict: bool = False) -> float | None:
    """A decimal number, optionally with a unit suffix (``-78dbm``, ``-99 dBm``) → float."""
    t = clean(token).lower().replace(" ", "")
    if t in UNKNOWN_TOKENS:
        return None
    m = _NUM_WITH_UNIT_RE.match(t)
    if not m:
        if strict:
            raise Garbled(f"not a number: {token!r}")
        return None
    v = float(m.group(1))
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        return None
    return v


def split_fields(text: str) -> list[str]:
    """Split on commas outside double quotes; survives an unbalanced quote (the rest of the
    line is then one field, as a device that lost a byte would leave it). Fields keep their
    quotes; use ``clean`` on each."""
    out: list[str] = []
    buf: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            buf.append(ch)
        elif ch == "," and not quoted:
            out.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    out.append("".join(buf))
    return out


def after_prefix(line: str, prefix: str) -> str:
    """The text after ``+XXX:`` (case-insensitive prefix, optional space)."""
    if not line[: len(prefix)].upper() == prefix.upper():
        raise Garbled(f"expected {prefix!r}")
    return line[len(prefix):].strip()


def mnc_mcc(token: str | None) -> int | None:
    """MCC or MNC: decimal 0..999; 0 with 'no service' is left to the caller."""
    return dec(token, lo=0, hi=999)
