"""Files that are not drive logs, named before any reader sees them (issue 12 point 12).

An engineer's folder holds more than drive logs: G-NetTrack writes a ``_datatest`` and a
``_stats`` file next to each log (docs/log-formats.md §2.2), and a modem capture looks
like text too. None of them may be imported as something it is not; the import says what the
file is and what to do instead::

    Yas_log_datatest.txt   Timestamp Longitude Latitude ... PINGAVG PINGMIN ... TESTDOWNLINK ...
    Yas_log_stats.txt      Event<TAB>Stats / Voice Calls<TAB>3 / Successful Calls<TAB>3 ...
    capture.txt            AT+CENG? / +CENG: 0,"0666,21,..." / OK        (a modem transcript)

``what_else(path)`` returns that one-line explanation, or None for a file that may be a log.
"""

from __future__ import annotations

import re
from pathlib import Path

from logs.registry import head_text

# G-NetTrack data-test columns (log-formats.md §2.2): any of them in the header row.
_DATATEST_COLUMNS = ("PINGAVG", "PINGMIN", "PINGMAX", "PINGLOSS", "TESTDOWNLINK", "TESTUPLINK")
_STATS_ROWS = ("voice calls", "successful calls", "blocked calls", "dropped calls")
# A line a terminal shows in an AT session: a command, a reply with a 27.007/vendor prefix, or
# a final result code.
_AT_COMMAND = re.compile(r"^AT[+#^*$%&A-Z0-9]", re.IGNORECASE)
_AT_REPLY = re.compile(r"^[+#^*$][A-Z][A-Z0-9]{1,12}:\s?")
_AT_FINAL = frozenset({"OK", "ERROR", "NO CARRIER", "BUSY", "NO ANSWER", "RING"})


def _main_log_name(path: Path, suffix: str) -> str:
    stem = path.stem
    if stem.lower().endswith(suffix):
        return stem[: -len(suffix)] + path.suffix
    return "the main log"


def what_else(path: str | Path) -> str | None:
    p = Path(path)
    lines = [ln.strip("\ufeff\r") for ln in head_text(p, 8192).splitlines()]
    body = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not body:
        return None
    first = body[0]
    cols = [c.strip().upper() for c in first.split("\t")]
    if cols and cols[0] == "TIMESTAMP" and any(c in cols for c in _DATATEST_COLUMNS):
        return (f"{p.name} is a G-NetTrack data-test file (ping and throughput results), not a drive "
                f"log: import {_main_log_name(p, '_datatest')} instead")
    if [c.lower() for c in cols[:2]] == ["event", "stats"] or (
            len(body) > 1 and sum(ln.split("\t")[0].strip().lower() in _STATS_ROWS for ln in body) >= 2):
        return (f"{p.name} is a G-NetTrack statistics file (call totals), not a drive log: import "
                f"{_main_log_name(p, '_stats')} instead")
    at_lines = sum(1 for ln in body[:200]
                   if _AT_COMMAND.match(ln.strip()) or _AT_REPLY.match(ln.strip()) or ln.strip() in _AT_FINAL)
    # (a capture may hold only the reply lines: the shared SIM800L sample is +CENG lines alone)
    if at_lines >= max(2, len(body[:200]) // 2):
        return (f"{p.name} is a modem AT transcript, not a drive log: read it with "
                f"`fieldapp parse-at {p.name}`")
    return None
