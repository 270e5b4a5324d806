"""Recorded AT transcripts → exchanges (command, reply lines), for the simulator's replay
tables and for tests that feed real captures through the parsers.

A transcript is what a terminal showed or a capture stored (docs/at-commands.md §6)::

    # source: gammu issue #150            <- "# " or a lone "#": a comment / header line
    AT+CSQ                                <- a command: begins with AT, any case
    +CSQ: 9,3                             <- reply lines up to the final result code
    OK
    RING                                  <- after a final code: unsolicited (command None)
    AT#MONI                               <- Telit: "#MONI:" replies begin with "#" but are
    #MONI: Cc:286 Nc:01 BSIC:30 ...          data, not comments (no space after the hash)
    OK

Line ends may be CRLF, LF or the echo's CR CR LF; an echo may be doubled (Quectel logs) and is
then one exchange; chained commands (``AT+QNWINFO;+QENG="servingcell"``) are one exchange
whose ``commands`` lists the parts. Echo-off files that never show the command take it from
the ``# sent:`` header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from drivers.at_lines import is_call_command, is_command_line, is_echo, is_final, split_chain, split_lines

# Header keys of the transcript corpus (§6). "#key: value" without the space is also a header
# line for these lower-case keys only; Telit data lines are upper case (#MONI:, #SERVINFO:).
HEADER_KEYS = ("source", "source-locator", "module", "kind", "sent", "echo", "eol", "notes")
_HEADER_RE = re.compile(r"^#\s*(" + "|".join(re.escape(k) for k in HEADER_KEYS) + r")\s*:\s?(.*)$")


@dataclass
class Exchange:
    """One command and its reply lines (the final code included, when there is one), or a run
    of unsolicited lines (``command`` None)."""

    command: str | None
    lines: list[str] = field(default_factory=list)

    @property
    def final(self) -> str | None:
        if self.command is None or not self.lines:
            return None
        last = self.lines[-1]
        return last if is_final(last, call_pending=is_call_command(self.command)) else None

    @property
    def info_lines(self) -> list[str]:
        """The reply without its final code."""
        return self.lines[:-1] if self.final is not None else list(self.lines)

    @property
    def commands(self) -> list[str]:
        """The parts of a chained command, each with its own ``AT``."""
        return split_chain(self.command) if self.command else []


def is_comment(line: str) -> bool:
    """``# text`` and a lone ``#`` are comments; ``#MONI: ...`` (Telit) is data."""
    s = line.strip()
    return s == "#" or s.startswith(("# ", "#\t")) or _HEADER_RE.match(s) is not None


def _lines(text: str) -> list[str]:
    buf = bytearray(text.encode("utf-8", errors="surrogateescape"))
    buf.extend(b"\n")
    return [raw.decode("utf-8", errors="replace") for raw in split_lines(buf)]


def transcript_header(text: str) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a transcript (repeated keys are joined)."""
    header: dict[str, str] = {}
    for line in _lines(text):
        if not is_comment(line):
            break
        m = _HEADER_RE.match(line.strip())
        if m:
            key, value = m.group(1), m.group(2).strip()
            header[key] = f"{header[key]} {value}" if key in header else value
    return header


def _sent_comment(line: str) -> str | None:
    """``# sent: AT^MONI`` anywhere in the body: the command that is outstanding from here on
    (echo off: the reply lines that follow carry no prefix and no echo to tell)."""
    m = _HEADER_RE.match(line.strip())
    if m and m.group(1) == "sent" and is_command_line(m.group(2).strip()):
        return m.group(2).strip()
    return None


def read_transcript(text: str) -> list[Exchange]:
    """Cut a transcript into exchanges, in order. Never raises on odd input: what is not a
    command or a reply becomes an unsolicited exchange.

    The outstanding command is what an echo or a ``# sent:`` line last named. With echo off
    (no command line in the body) a reply that comes after a final code belongs to the same
    command sent again - a prefix-less table (Cinterion ^MONI, Telit #MONI table) can only be
    read knowing its command."""
    raw = [s for s in (ln.strip(" \t\x00") for ln in _lines(text)) if s]
    sent_header = transcript_header(text).get("sent", "")
    body: list[str] = []
    for s in raw:
        if not is_comment(s):
            body.append(s)
        elif body and _sent_comment(s):  # a later "# sent:" (the header one is handled below)
            body.append("\x00sent:" + (_sent_comment(s) or ""))
    exchanges: list[Exchange] = []
    current: Exchange | None = None  # a command still waiting for its final code
    unsolicited: Exchange | None = None
    echo_off = not any(is_command_line(s) for s in body)
    repeat: str | None = None  # echo off: the command whose replies may come again
    if echo_off and is_command_line(sent_header):
        repeat = sent_header.strip()
        current = Exchange(repeat)  # echo off: the header names the command
        exchanges.append(current)
    for line in body:
        if line.startswith("\x00sent:"):
            repeat = line[len("\x00sent:"):]
            current, unsolicited = Exchange(repeat), None
            exchanges.append(current)
            continue
        if current is None and repeat is not None and echo_off:
            current, unsolicited = Exchange(repeat), None  # the same command sent again
            exchanges.append(current)
        if is_command_line(line):
            if current is not None and not current.lines and is_echo(line, current.command or ""):
                continue  # doubled echo
            current, unsolicited = Exchange(line), None
            exchanges.append(current)
        elif current is not None:
            current.lines.append(line)
            if is_final(line, call_pending=is_call_command(current.command or "")):
                current = None
        else:
            if unsolicited is None:
                unsolicited = Exchange(None)
                exchanges.append(unsolicited)
            unsolicited.lines.append(line)
    return exchanges
