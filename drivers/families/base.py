"""The ``Family`` table and the line dispatcher.

A family is data plus pure functions: which commands enable its engineering mode and which it
polls, which reply prefixes it prints and the parser for each, how it reports call state, and
its lock command if it documents one (docs/at-commands.md §4). Vendor quirks live here as
data, not as branches in the driver.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from drivers.families.fields import Garbled
from drivers.families.ranges import sanitize
from fieldapp.model import Info, ParseRecord

# A line parser returns the records of one line, [] for a line it claims but that carries
# nothing to record, or None for "not mine after all" (e.g. prefix "NA" seeing "NAME: ...").
# It raises ``Garbled`` when the line has the prefix but not the shape.
LineParser = Callable[[str], "list[ParseRecord] | None"]
# A block parser receives every reply line of one command that no line parser claimed
# (Cinterion ^MONI tables, u-blox +UCGED bodies, Telit #MONI table rows without context...).
BlockParser = Callable[[list[str]], list[ParseRecord]]


@dataclass(frozen=True)
class Family:
    name: str
    # Lower-case substrings of ATI / AT+CGMI / AT+CGMM output that identify the family.
    match: tuple[str, ...] = ()
    # Sent once after the probe: enable the engineering mode, call URCs, numeric errors.
    init_commands: tuple[str, ...] = ()
    # Sent every poll cycle; replies go through ``parse_lines``.
    poll_commands: tuple[str, ...] = ("AT+CSQ", "AT+CREG?")
    # Also sent every poll cycle while a call is up (dedicated mode): the traffic channel.
    dedicated_poll_commands: tuple[str, ...] = ()
    # Reply-prefix → parser (prefix as printed, e.g. "+QENG:"; matched case-insensitively).
    line_parsers: dict[str, LineParser] = field(default_factory=dict)
    # Command prefix (upper case, e.g. "AT^MONI") → parser for that command's unclaimed lines.
    block_parsers: dict[str, BlockParser] = field(default_factory=dict)
    # Prefixes of unsolicited lines this family sends (call state, rings, indicators).
    urc_prefixes: tuple[str, ...] = ()
    # "urc": call state arrives unsolicited; "clcc-poll": poll AT+CLCC during calls.
    call_state_by: str = "clcc-poll"
    # Lock the handset to one GSM BCCH ARFCN: format strings with {arfcn}, or None.
    lock_command: str | None = None
    unlock_command: str | None = None
    # Which measurement fields the engineering mode gives (capabilities shown to the user).
    fields: frozenset[str] = frozenset()
    # Commands whose reply may end without OK on this family (complete after one info line).
    no_final_ok: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


FAMILIES: dict[str, Family] = {}
_CACHE: dict[str | None, _Table] = {}


def register(family: Family) -> Family:
    FAMILIES[family.name] = family
    _CACHE.clear()
    return family


def family_names() -> list[str]:
    return list(FAMILIES)


def get_family(name: str | None) -> Family | None:
    if name is None:
        return None
    return FAMILIES.get(name.lower())


def identify_family(ident_text: str) -> Family:
    """Pick the family from identification text (ATI, +CGMI, +CGMM); generic 3GPP otherwise."""
    low = ident_text.lower()
    for fam in FAMILIES.values():
        if any(m in low for m in fam.match):
            return fam
    return FAMILIES["generic"]


# Why a reply line gave no record (counted per reason; ``parse-at`` prints the counts).
SKIP_GARBLED = "known reply, damaged layout"
SKIP_NOISE = "noise on the line"
SKIP_UNKNOWN = "reply no parser reads"
SKIP_BLOCK = "table reply in an unknown layout"
SKIP_NO_COMMAND = "table reply without its command"
SKIP_TOO_LONG = "line too long"
# The longest reply line a parser is given. Real replies stay far below (an AT+COPS=? list of
# a dozen operators, a u-blox +UCGED block row: a few hundred characters); a longer line is
# noise or hostile, is skipped and counted as "too long", and so bounds the time any parser
# can spend on one line (issue 16: a 28-digit ^MONI line once took 18 s).
MAX_LINE_CHARS = 4096
# How much of a skipped line is kept for the user to see.
SKIPPED_SHOWN_CHARS = 200


@dataclass
class ParseResult:
    records: list[ParseRecord] = field(default_factory=list)
    skipped: int = 0  # every skipped line, whatever the reason (too_long included)
    skipped_lines: list[str] = field(default_factory=list)
    too_long: int = 0  # lines over MAX_LINE_CHARS, skipped unparsed
    # reason -> count, and (line, reason) in order, for every skipped line
    reasons: dict[str, int] = field(default_factory=dict)
    skips: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, line: str, reason: str) -> None:
        self.skipped += 1
        self.skipped_lines.append(line)
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        self.skips.append((line, reason))
        if reason == SKIP_TOO_LONG:
            self.too_long += 1

    def extend(self, other: ParseResult) -> None:
        self.records.extend(other.records)
        for line, reason in other.skips:
            self.skip(line, reason)


def _parsers_for(family: Family | None) -> list[tuple[str, LineParser]]:
    """Prefix table, longest prefix first; the named family's own parsers win over others."""
    fams: Iterable[Family]
    if family is None:
        fams = FAMILIES.values()
    else:
        fams = [family] + ([FAMILIES["generic"]] if family.name != "generic" else [])
    table: dict[str, LineParser] = {}
    for fam in reversed(list(fams)):  # earlier families override later ones
        for prefix, fn in fam.line_parsers.items():
            table[prefix.upper()] = fn
    return sorted(table.items(), key=lambda kv: -len(kv[0]))


class _Table:
    """Prefix lookup for one family: prefixes ending in ":" (almost all) by exact dict lookup
    of the line's text up to its first colon; the rest (``ERROR``, ``NO CARRIER``, ``RING``)
    by a short scan. Hot path: every line of every reply goes through here."""

    def __init__(self, parsers: list[tuple[str, LineParser]]) -> None:
        self.by_colon: dict[str, LineParser] = {}
        self.others: list[tuple[str, LineParser]] = []
        for prefix, fn in parsers:  # longest first
            if prefix.endswith(":") and ":" not in prefix[:-1]:
                self.by_colon.setdefault(prefix, fn)
            else:
                self.others.append((prefix, fn))

    def find(self, up: str) -> LineParser | None:
        colon = up.find(":")
        if colon > 0:
            fn = self.by_colon.get(up[: colon + 1])
            if fn is not None:
                return fn
        for prefix, fn in self.others:
            if up.startswith(prefix):
                return fn
        return None


def _table(family: Family | None) -> _Table:
    key = family.name if family else None
    tab = _CACHE.get(key)
    if tab is None:
        tab = _CACHE[key] = _Table(_parsers_for(family))
    return tab


def find_parser(line: str, family: Family | None = None) -> LineParser | None:
    return _table(family).find(line.lstrip()[:24].upper())


class TooLong(Garbled):
    """A line over ``MAX_LINE_CHARS``: skipped before any parser sees it."""


def parse_line(line: str, family: Family | None = None) -> list[ParseRecord] | None:
    """Parse one reply line. Returns None when no parser claims the line; raises ``Garbled``
    when a parser claims it but its shape is broken (``TooLong`` when over the length cap)."""
    if len(line) > MAX_LINE_CHARS:
        raise TooLong(f"line of {len(line)} characters (longer than {MAX_LINE_CHARS})")
    fn = find_parser(line, family)
    if fn is None:
        return None
    recs = fn(line.strip())  # may itself be None: not claimed
    if not recs:
        return recs
    # One range table for every family: an out-of-range value is unknown for its field only.
    return [sanitize(r) for r in recs]


def parse_lines(lines: Iterable[str], family: Family | None = None,
                command: str | None = None) -> ParseResult:
    """Parse the reply lines of one command (or any run of lines). Garbled lines are counted
    and skipped with their reason, never raised and never turned into a wrong number; a line
    no parser reads is counted too (final codes, echoes and identity text are read, as
    records or as nothing to record, by the generic parsers)."""
    result = ParseResult()
    unclaimed: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        try:
            recs = parse_line(line, family)
        except TooLong:
            result.skip(line[:SKIPPED_SHOWN_CHARS] + f"… ({len(line)} characters)", SKIP_TOO_LONG)
            continue
        except (Garbled, ValueError, IndexError) as exc:  # noqa: PERF203
            del exc
            result.skip(line, SKIP_GARBLED)
            continue
        if recs is None:
            if _damaged(line):
                # Noise on the wire (bytes that decoded to U+FFFD or control characters) that
                # no parser claims: counted as skipped, so the user sees the line is noisy.
                result.skip(line, SKIP_NOISE)
            else:
                unclaimed.append(line)
        else:
            result.records.extend(recs)
    if not unclaimed:
        return result
    unclaimed = [line for line in unclaimed if not _ignorable(line)]
    if not unclaimed:
        return result
    ident = _IDENT_COMMANDS.get(_bare(command)) if command else None
    if ident is not None:  # ATI, AT+CGMM...: the reply is bare text, kept as identity
        result.records.extend(Info(key=ident, value=line) for line in unclaimed)
        return result
    block = _block_parser(command, family) if command else None
    if block is None:
        reason = SKIP_UNKNOWN if command else SKIP_NO_COMMAND
        for line in unclaimed:
            result.skip(line, reason if _tabular(line) else SKIP_UNKNOWN)
        return result
    try:
        got = [sanitize(r) for r in block(unclaimed)]
    except (Garbled, ValueError, IndexError):
        for line in unclaimed:
            result.skip(line, SKIP_BLOCK)
        return result
    result.records.extend(got)
    if not got:
        # A table that gave nothing: its data rows (those with a number among their columns;
        # header rows and state words have none) are counted, never dropped in silence.
        for line in unclaimed:
            if any(tok.lstrip("-\u2013").isdigit() for tok in line.split()):
                result.skip(line, SKIP_BLOCK)
    return result


def is_echo_of(line: str, command: str) -> bool:
    return line.strip().upper() == command.strip().upper()


def _tabular(line: str) -> bool:
    """A prefix-less row (Cinterion ^MONI/^MONP, Telit #MONI table): words/numbers in columns."""
    toks = line.split()
    if len(toks) < 3 or ":" in toks[0]:
        return False
    numeric = sum(t.lstrip("+-").isdigit() or t in ("-", "h") for t in toks)
    return numeric * 2 >= len(toks) or not any(c.islower() for c in line)


_FINAL_WORDS = frozenset({"OK", "CONNECT", "NO DIALTONE", ">"})
# Commands whose reply is bare text (no prefix): V.250 / 27.007 identification.
_IDENT_COMMANDS = {"ATI": "ident", "ATI0": "ident", "AT+CGMI": "manufacturer",
                   "AT+GMI": "manufacturer", "AT+CGMM": "model", "AT+GMM": "model",
                   "AT+CGMR": "firmware", "AT+GMR": "firmware", "AT+CGSN": "imei",
                   "AT+GSN": "imei", "AT+CIMI": "imsi"}


def _bare(command: str) -> str:
    return command.strip().upper().rstrip(";")


def _ignorable(line: str) -> bool:
    """Lines that carry nothing by design: an echoed AT command, OK, a CONNECT, a prompt."""
    up = line.strip().upper()
    return up[:2] == "AT" or up in _FINAL_WORDS or up.startswith("CONNECT")


def _damaged(line: str) -> bool:
    return any(ch == "\ufffd" or (ord(ch) < 32 and ch != "\t") for ch in line)


def _block_parser(command: str, family: Family | None) -> BlockParser | None:
    cmd = command.strip().upper()
    fams = [family] if family else list(FAMILIES.values())
    for fam in fams:
        for prefix, fn in fam.block_parsers.items():
            if cmd.startswith(prefix.upper()):
                return fn
    return None
