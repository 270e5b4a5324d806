"""The AT token layer: splitting a reply body into fields and decoding each field, for every
family's parsers (the one place it is written; the vendors and the shared lineage modules,
``cced`` and ``smonc``, import it).

Devices print the same quantity in many ways (docs/at-commands.md §5): hex unpadded, lower
case, ``0x``-prefixed; decimal zero-padded or space-padded; "not valid" as ``-``, ``x``, empty,
``255``, ``65535``, ``ffff``, ``0000``, ``99``, ``-0``, ``SEARCH``. These helpers turn a token
into an int or ``None``; they never raise on bad text: a token that is neither a number nor a
known marker raises ``Garbled`` only where the caller asks for it (``strict=True``), so a
parser can refuse a line whose *structure* is broken while tolerating unknown *values*.

Speed matters: a handset polled every second and a replayed transcript both go through here
(``make bench``, parsers). Each helper tries the common shape first (no quotes, plain digits)
with string methods, and only then the careful path; both give the same result.

    tokens('1,"4E72", 45 ,x')   -> ['1', '4E72', '45', 'x']
    dec('45') -> 45; dec('x') -> None; hexnum('4E72') -> 20082; number('-99 dBm') -> -99.0
"""

from __future__ import annotations

import re


class Garbled(ValueError):
    """A line that does not have the shape of its response kind. Counted and skipped."""


# Tokens that mean "no value" on some device (compared after strip + lower()).
UNKNOWN_TOKENS = frozenset({"", "-", "--", "x", "xx", "-0", "n/a", "na", "search", "unknown"})

_DEC_RE = re.compile(r"^[+-]?\d+$")
_HEX_RE = re.compile(r"^(0x)?[0-9a-f]+$")
_HEX_FULL = re.compile(r"[0-9A-Fa-f]+").fullmatch
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
    [lo, hi]. Quotes and internal spaces (``" 0 5"``, space padding) are removed."""
    if token is None or token in UNKNOWN_TOKENS:
        return None  # a bare marker ("-", "", "x"): the second most common token
    if token.isascii() and (token.isdigit() or (token[:1] == "-" and token[1:].isdigit() and token != "-0")):
        v = int(token)  # the common case: plain ASCII digits, maybe negative (dBm)
    else:
        t = clean(token).replace(" ", "")
        if t.lower() in UNKNOWN_TOKENS:
            return None
        if not _DEC_RE.match(t):
            if strict:
                raise Garbled(f"not a decimal number: {token!r}")
            return None
        v = int(t)
    if v in unknown or (lo is not None and v < lo) or (hi is not None and v > hi):
        return None
    return v


def hexnum(token: str | None, *, unknown: tuple[int, ...] = (), lo: int | None = None,
           hi: int | None = None, strict: bool = False) -> int | None:
    """Hex token (``4e72``, ``0x972D``, ``"00C3"``, `` 5``) → int; None for unknown markers."""
    if token is None or token in UNKNOWN_TOKENS:
        return None
    if _HEX_FULL(token) is not None:
        v = int(token, 16)  # the common case: bare hex digits
    else:
        t = clean(token).replace(" ", "").lower()
        if t in UNKNOWN_TOKENS:
            return None
        if not _HEX_RE.match(t):
            if strict:
                raise Garbled(f"not a hex number: {token!r}")
            return None
        v = int(t[2:] if t.startswith("0x") else t, 16)
    if v in unknown or (lo is not None and v < lo) or (hi is not None and v > hi):
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
    quotes; use ``clean`` on each, or ``tokens`` for both at once."""
    if '"' not in text:
        return text.split(",")
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


def tokens(body: str) -> list[str]:
    """Fields of a reply body, each cleaned (spaces and quotes off): ``clean`` of each
    ``split_fields`` field, by string operations instead of a character loop when the quotes
    enclose whole fields."""
    if '"' not in body:
        return [x.strip() for x in body.split(",")]
    if body.count('"') % 2:
        return [clean(x) for x in split_fields(body)]  # an unbalanced quote: the careful way
    parts = body.split('"')
    last = len(parts) - 1
    quoted_comma = False
    for i in range(0, last + 1, 2):  # the text outside quotes
        part = parts[i]
        # Quotes must enclose whole fields; anything else (1"2",3) takes the careful way.
        after_quote, before_quote = part.lstrip(), part.rstrip()
        if (i > 0 and after_quote and after_quote[0] != ",") or \
                (i < last and before_quote and before_quote[-1] != ",") or (0 < i < last and not after_quote):
            return [clean(x) for x in split_fields(body)]
        if i < last and "," in parts[i + 1]:
            quoted_comma = True
    if not quoted_comma:  # "servingcell","NOCONN","GSM",460: a plain split
        return [x.strip(' "') for x in body.split(",")]
    out: list[str] = []
    cur = ""
    for i, part in enumerate(parts):
        if i % 2:
            cur += part  # quoted text, commas included
            continue
        pieces = part.split(",")
        pieces[0] = cur + pieces[0]
        out.extend(pieces[:-1])
        cur = pieces[-1]
    out.append(cur)
    return [x.strip() for x in out]


def after(line: str, prefix: str) -> str:
    """The text after a reply prefix (``+CREG: 2,1`` → ``2,1``); the dispatcher has matched
    the prefix already (case-insensitively)."""
    return line[len(prefix):].strip()
