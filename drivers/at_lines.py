"""AT line rules as pure functions: cutting a byte buffer into lines, recognising final result
codes, echo and the reply prefix of a command (docs/at-commands.md §1 and §5).

Shared by the live channel (``drivers.at``) and the transcript reader (``drivers.transcript``),
so a recorded exchange and a live one are cut the same way. No I/O, no threads.

The wire, as devices really send it::

    AT+CSQ\\r\\r\\n+CSQ: 9,3\\r\\n\\r\\nOK\\r\\n        echo ended by CR CR LF (gammu issue #150)
    \\r\\r\\n+CRING: VOICE\\r\\r\\n                  doubled CRs in a URC (ModemManager simtech tests)
    +UCGED: 2\\r\\n6,4,fff,fff\\r\\nOK               no final CRLF (u-blox capture)
"""

from __future__ import annotations

import re

from drivers.families.threegpp import CME_ERRORS
from fieldapp.model import DeviceError

# ----------------------------------------------------------------------------- line cutting

def split_lines(buf: bytearray) -> list[bytes]:
    """Remove every complete line from ``buf`` and return them (without terminators, empty
    lines dropped). A line ends at any CR or LF, so ``\\r\\n``, ``\\r\\r\\n`` and bare ``\\n``
    all work; bytes after the last CR/LF stay in ``buf`` as a partial line."""
    last = max(buf.rfind(b"\r"), buf.rfind(b"\n"))
    if last < 0:
        return []
    complete = bytes(buf[: last + 1])
    del buf[: last + 1]
    return [part for part in re.split(rb"[\r\n]+", complete) if part]


# C0 controls other than TAB, plus DEL: never part of a real reply line.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def decode_line(raw: bytes) -> tuple[str, bool]:
    """Bytes of one line → (text, garbled). Undecodable bytes become U+FFFD (never raise);
    NULs and spaces around the text are dropped (modems print NUL/0xFF noise at power-up,
    ``\\x00\\x00OK`` must still be an OK). ``garbled`` is True when the line carried bytes that
    no AT reply contains, so the channel can count them for the status bar."""
    text = raw.decode("utf-8", errors="replace")
    garbled = "\ufffd" in text or bool(_CONTROL_RE.search(text))
    return text.strip(" \t\x00"), garbled


# ----------------------------------------------------------------------------- final codes

# V.250 / 27.007 final result codes; the vendor ones as ModemManager's parser v1 lists them
# (src/mm-serial-parsers.c): MODEM ERROR (Motorola EZX), COMMAND NOT SUPPORT (Huawei),
# NA (Samsung Z810).
OK = "OK"
CALL_END_CODES = ("NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE")
_EXACT_FINALS = frozenset({OK, "ERROR", "COMMAND NOT SUPPORT", "NA", *CALL_END_CODES})
_PREFIX_FINALS = ("+CME ERROR:", "+CMS ERROR:", "MODEM ERROR:")
_ERR_RE = re.compile(r"^(\+CME ERROR|\+CMS ERROR|MODEM ERROR):\s*(.*)$", re.IGNORECASE)

# 27.007 +CME ERROR numbers (one table for the whole package: drivers.families.threegpp),
# used for the user-facing text and to map CMEE=2 text back to a code.
_CME_BY_TEXT = {text.lower(): code for code, text in CME_ERRORS.items()}

# "Try again shortly": Wavecom answers 515 for a while after AT+CFUN=1, SIM busy (14) while the
# SIM initialises (python-gsmmodem test/fakemodems.py knobs deviceBusyErrorCounter/simBusy...).
BUSY_CME_CODES = frozenset({14, 515})


def is_call_progress(line: str) -> bool:
    """NO CARRIER, BUSY, NO ANSWER, NO DIALTONE, CONNECT[...]: the result of a call command,
    or an unsolicited call report (ZTE answers with a bare ``CONNECT`` URC, python-gsmmodem)."""
    up = line.strip().upper()
    return up in CALL_END_CODES or up.startswith("CONNECT")


def is_final(line: str, *, call_pending: bool = True) -> bool:
    """True when ``line`` ends a command. The call progress codes (NO CARRIER, BUSY, CONNECT,
    ...) end only a call command (``call_pending``); during any other command they are the
    unsolicited report that a call ended or connected (docs/at-commands.md §1.2) and must not complete,
    say, an AT+CSQ poll."""
    if is_call_progress(line):
        return call_pending
    up = line.strip().upper()
    return up in _EXACT_FINALS or up.startswith(_PREFIX_FINALS)


def is_success(final: str | None) -> bool:
    if final is None:
        return False
    up = final.strip().upper()
    return up == OK or up.startswith("CONNECT")


def final_error(final: str | None) -> DeviceError | None:
    """The DeviceError a final code stands for; None for OK/CONNECT or no final.

    ``+CME ERROR: 10`` → code 10, text "SIM not inserted", source "CME";
    ``+CME ERROR: SIM failure`` (AT+CMEE=2, LilyGo issue #79) → code 13 from the table;
    ``ERROR`` / ``NO CARRIER`` / ``COMMAND NOT SUPPORT`` → code None, the code as text."""
    if final is None or is_success(final):
        return None
    line = final.strip()
    m = _ERR_RE.match(line)
    if m is None:
        return DeviceError(code=None, text=line.upper(), source=None)
    source = {"+CME ERROR": "CME", "+CMS ERROR": "CMS", "MODEM ERROR": "MODEM"}[m.group(1).upper()]
    value = m.group(2).strip().strip('"')
    if value.isdigit():
        code = int(value)
        text = CME_ERRORS.get(code) if source == "CME" else None
        return DeviceError(code=code, text=text or line, source=source)
    code = _CME_BY_TEXT.get(value.lower()) if source == "CME" else None
    return DeviceError(code=code, text=value or line, source=source)


def is_busy_error(error: DeviceError | None) -> bool:
    return error is not None and error.source == "CME" and error.code in BUSY_CME_CODES


# ----------------------------------------------------------------------------- commands


def split_chain(cmd: str) -> list[str]:
    """``AT+QNWINFO;+QENG="servingcell"`` → ``["AT+QNWINFO", 'AT+QENG="servingcell"']``.
    Semicolons inside quotes do not split; the dial modifier of ``ATD123;`` is kept."""
    text = cmd.strip()
    if text[:3].upper() == "ATD":
        return [text]
    parts: list[str] = []
    cur: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    out = []
    for i, part in enumerate(p.strip() for p in parts):
        if not part:
            continue
        out.append(part if i == 0 or part[:2].upper() == "AT" else "AT" + part)
    return out


_EXT_NAME_RE = re.compile(r"^AT([+^#$%!*][A-Z0-9_]+)", re.IGNORECASE)


def reply_prefixes(cmd: str) -> tuple[str, ...]:
    """The prefixes of the information lines a command answers with: ``AT+CREG?`` →
    ``("+CREG:",)``, ``AT^SMONI`` → ``("^SMONI:",)``, ``AT#MONI`` → ``("#MONI:",)``; one per
    part of a chained command; none for basic commands (``ATI``, ``ATD...``)."""
    out = []
    for part in split_chain(cmd):
        m = _EXT_NAME_RE.match(part)
        if m:
            out.append(m.group(1).upper() + ":")
    return tuple(out)


def is_reply_of(line: str, prefixes: tuple[str, ...]) -> bool:
    up = line.lstrip().upper()
    return any(up.startswith(p) for p in prefixes)


def is_echo(line: str, cmd: str) -> bool:
    """The device repeating the command (ATE1). Compared without case and spaces, so
    ``at+csq`` echoing ``AT+CSQ`` and a doubled echo are both recognised."""
    return _squash(line) == _squash(cmd)


def _squash(text: str) -> str:
    return "".join(text.split()).upper()


# Commands whose final result may be a call progress code (V.250: ATD, ATA, ATO, ATH; 27.007
# call control and GPRS data mode). After the body's "AT": D..., A, O, H, +CHLD, +CHUP, +CDU,
# +CGDATA.
_CALL_BODY_RE = re.compile(r"^(D|A$|O\d?$|H\d?$|\+CHLD|\+CHUP|\+CDU|\+CGDATA)", re.IGNORECASE)


def is_call_command(cmd: str) -> bool:
    text = cmd.strip()
    return text[:2].upper() == "AT" and bool(_CALL_BODY_RE.match(text[2:].strip()))


def is_command_line(line: str) -> bool:
    """A line that is a command as typed or echoed: begins with ``AT`` in any case."""
    return line.lstrip()[:2].upper() == "AT"
