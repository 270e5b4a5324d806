"""Fast streaming of line-oriented logs where most lines are of no interest.

A Nemo file is ~90 % record types we do not import (RRCSM, MACRATE, ...). Handing every line
to Python code costs several times the bare read, so the file is read in blocks of
``CHUNK_BYTES`` cut at line ends (never the whole file), a compiled pattern picks the wanted
lines inside the C regex engine, and the other lines are only counted by their record id
(``Counter.update`` on ``findall``, also in C). Line numbers are kept exact for the report.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from logs.stats import ReaderStats

CHUNK_BYTES = 1 << 20
# The record id of every line (text before the first comma). Anchored on a literal "\n" rather
# than "^" with re.M: the regex engine then jumps between line ends instead of trying every byte.
ID_RE = re.compile(rb"\n([^,\r\n]*)")


def wanted_lines(ids: tuple[str, ...]) -> re.Pattern[bytes]:
    """The pattern ``scan`` takes: lines starting with one of ``ids`` and a comma."""
    alternatives = b"|".join(re.escape(i.encode()) for i in ids)
    return re.compile(rb"\n((?:" + alternatives + rb"),[^\n]*)")


def scan(path: str | Path, wanted: re.Pattern[bytes], valid_id: re.Pattern[bytes],
         stats: ReaderStats, chunk_bytes: int = CHUNK_BYTES) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_no, line)`` (no line end) for every line ``wanted`` (from ``wanted_lines``)
    matches.

    Other lines are counted in ``stats.unknown`` by record id, minus the ids that ``wanted``
    takes; a line whose id does not match ``valid_id`` is reported as a bad line. ``stats``
    lines/bytes_read are updated per block (progress).
    """
    ids: Counter[bytes] = Counter()
    taken: Counter[bytes] = Counter()
    checked: set[bytes] = {b""}
    bad_ids: set[bytes] = set()
    dropped = 0  # 1 when the file's last line was cut short and reported instead of read
    base = 0  # lines before this block
    rest = b""
    try:
        with open(path, "rb") as f:
            while True:
                block = f.read(chunk_bytes)
                at_eof = not block
                buf = rest + block
                if not buf:
                    break
                cut = len(buf) if at_eof else buf.rfind(b"\n") + 1
                if cut == 0:  # one line longer than a block: keep reading
                    rest = buf
                    continue
                chunk, rest = buf[:cut], buf[cut:]
                if at_eof and not chunk.endswith(b"\n"):
                    # The file stops inside a line (copy cut short, logger killed): a wanted
                    # line's last value may be cut too ("-67.5" -> "-6"), so it is reported,
                    # not read. Another type would be skipped anyway: it is only counted.
                    last_start = chunk.rfind(b"\n") + 1
                    cut_line = chunk[last_start:]
                    if wanted.match(b"\n" + cut_line):
                        chunk = chunk[:last_start]
                        dropped = 1
                        stats.bad(base + chunk.count(b"\n") + 1, "last line cut short (no line end)",
                                  cut_line.decode("utf-8", "replace"))
                    else:
                        chunk += b"\n"
                chunk = b"\n" + chunk  # every line now starts after a "\n" (see ID_RE)
                found = ID_RE.findall(chunk, 0, len(chunk) - 1)  # not the empty match at the end
                ids.update(found)
                present = set(found)
                fresh = present - checked
                if fresh:
                    bad_ids |= {rid for rid in fresh if rid.strip() and not valid_id.fullmatch(rid)}
                    checked |= fresh
                if present & bad_ids:
                    _report_bad_lines(chunk, base, present & bad_ids, stats)
                line_no = base
                pos = 0
                for m in wanted.finditer(chunk):
                    line_no += chunk.count(b"\n", pos, m.start() + 1)
                    pos = m.start() + 1
                    line = m.group(1).rstrip(b"\r")
                    taken[line[:line.find(b",")] if b"," in line else line] += 1
                    yield line_no, line
                base += chunk.count(b"\n") - 1
                stats.lines = base + dropped
                stats.bytes_read = f.tell() - len(rest)
                if at_eof:
                    break
    finally:
        stats.lines = max(stats.lines, base)
        for rid, n in ids.items():
            left = n - taken.get(rid, 0)
            if left > 0 and rid.strip() and valid_id.fullmatch(rid) and not rid.startswith(b"#"):
                stats.unknown[rid.decode("ascii")] += left


def _report_bad_lines(chunk: bytes, base: int, bad: set[bytes], stats: ReaderStats) -> None:
    """Slow path, only for blocks holding a line whose id is not a record id (garbage, a
    line cut in the middle): report those lines with their numbers."""
    for i, line in enumerate(chunk[1:].split(b"\n")):
        rid = line.split(b",", 1)[0]
        if rid in bad:
            stats.bad(base + i + 1, "not a record", line.decode("utf-8", "replace"))
