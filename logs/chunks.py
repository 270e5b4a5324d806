"""Fast streaming of line-oriented logs where most lines are of no interest.

A Nemo file is ~90 % record types we do not import (RRCSM, MACRATE, ...). Handing every line
to Python code costs several times the bare read, so the file is read in blocks of
``CHUNK_BYTES`` cut at line ends (never the whole file) and everything per line runs inside C:

- one ``findall`` takes every line's record id, ``Counter`` counts them (the skipped types'
  report, and the block's line count: one id per line);
- one ``findall`` takes the wanted lines whole;
- a block whose ids are all record ids and whose wanted-id lines were all taken needs nothing
  else. Line numbers are worked out only when a reader asks for one (a bad line), once per
  block (``WantedLines.line_no``), so they stay exact at no cost to a clean file.

Measured on the 30 MB bench file (bench/import_bench.py, 323,000 lines, 32,500 wanted): the two
``findall`` and the count take about 2.5x the bare line read; the former per-match line counting,
set building and slicing took as much again.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from logs.stats import ReaderStats

CHUNK_BYTES = 1 << 20
# The record id of every line (text before the first comma). Anchored on a literal "\n" rather
# than "^" with re.M: the regex engine then jumps between line ends instead of trying every byte.
ID_RE = re.compile(rb"\n([^,\r\n]*)")


@functools.lru_cache(maxsize=16)
def wanted_lines(ids: tuple[str, ...]) -> re.Pattern[bytes]:
    """The pattern of the lines starting with one of ``ids`` and a comma (group 1: the line)."""
    alternatives = b"|".join(re.escape(i.encode()) for i in ids)
    return re.compile(rb"\n((?:" + alternatives + rb"),[^\n]*)")


class WantedLines:
    """The lines whose record id is one of ``ids`` (followed by a comma), block by block.

    ``blocks()`` yields, per block, the list of wanted lines (bytes, no line end) in file order;
    while a block's list is being read, ``line_no(k)`` is the 1-based file line number of its
    ``k``-th line. Other lines are counted in ``stats.unknown`` by record id; a line whose id
    does not match ``valid_id`` is reported as a bad line. ``stats`` lines/bytes_read are
    updated per block (progress).
    """

    def __init__(self, path: str | Path, ids: tuple[str, ...], valid_id: re.Pattern[bytes],
                 stats: ReaderStats, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.path = path
        self.wanted = wanted_lines(ids)
        self.wanted_ids = tuple(i.encode() for i in ids)
        self.valid_id = valid_id
        self.stats = stats
        self.chunk_bytes = chunk_bytes
        self._chunk, self._cut = b"\n", 1  # the current block is _chunk[:_cut], with a "\n" in front (ID_RE)
        self._base = 0  # lines before the current block
        self._line_nos: list[int] | None = None  # the current block's line numbers, once asked

    def line_no(self, k: int) -> int:
        """The file line number of the current block's ``k``-th wanted line (exact; the block's
        numbers are counted on the first question, so a clean block never pays for them)."""
        if self._line_nos is None:
            chunk, no, pos, nos = self._chunk, self._base, 0, []
            for m in self.wanted.finditer(chunk, 0, self._cut):
                no += chunk.count(b"\n", pos, m.start() + 1)
                pos = m.start() + 1
                nos.append(no)
            self._line_nos = nos
        return self._line_nos[k]

    def blocks(self) -> Iterator[list[bytes]]:
        stats, wanted, valid_id, wanted_ids = self.stats, self.wanted, self.valid_id, self.wanted_ids
        ids: Counter[bytes] = Counter()
        taken: Counter[bytes] = Counter()
        checked: set[bytes] = {b""}
        bad_ids: set[bytes] = set()
        dropped = 0  # 1 when the file's last line was cut short and reported instead of read
        base = 0  # lines before this block
        rest = b""
        try:
            with open(self.path, "rb") as f:
                while True:
                    block = f.read(self.chunk_bytes)
                    at_eof = not block
                    # One copy per block: a "\n" in front, so every line starts after one (ID_RE);
                    # the regexes then work on buf[0:cut] in place.
                    buf = b"".join((b"\n", rest, block))
                    if len(buf) == 1:
                        break
                    cut = len(buf) if at_eof else buf.rfind(b"\n") + 1
                    if cut == 1 and not at_eof:  # one line longer than a block: keep reading
                        rest = buf[1:]
                        continue
                    rest = buf[cut:]
                    if at_eof and not buf.endswith(b"\n"):
                        # The file stops inside a line (copy cut short, logger killed): a wanted
                        # line's last value may be cut too ("-67.5" -> "-6"), so it is reported,
                        # not read. Another type would be skipped anyway: it is only counted.
                        last_start = buf.rfind(b"\n") + 1
                        if wanted.match(buf, last_start - 1):
                            dropped = 1
                            stats.bad(base + buf.count(b"\n", 0, last_start), "last line cut short (no line end)",
                                      buf[last_start:].decode("utf-8", "replace"))
                            cut = last_start
                        else:
                            buf += b"\n"
                            cut = len(buf)
                    found = ID_RE.findall(buf, 0, cut - 1)  # not the empty match at the end
                    counts = Counter(found)
                    ids.update(counts)
                    fresh = counts.keys() - checked
                    if fresh:
                        bad_ids |= {rid for rid in fresh if rid.strip() and not valid_id.fullmatch(rid)}
                        checked |= fresh
                    present_bad = counts.keys() & bad_ids
                    if present_bad:
                        _report_bad_lines(buf[:cut], base, present_bad, stats)
                    lines = wanted.findall(buf, 0, cut)
                    # Every line of a wanted id is taken unless one lacks its comma ("GPS" alone):
                    # then the taken ones are counted one by one.
                    if len(lines) == sum(counts.get(rid, 0) for rid in wanted_ids):
                        taken.update({rid: counts[rid] for rid in wanted_ids if rid in counts})
                    else:
                        taken.update(line[:line.find(b",")] for line in lines)
                    if buf.find(b"\r", 0, cut) >= 0:
                        lines = [line.rstrip(b"\r") for line in lines]
                    self._chunk, self._cut, self._base, self._line_nos = buf, cut, base, None
                    if lines:
                        yield lines
                    base += len(found)
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


def scan(path: str | Path, ids: tuple[str, ...], valid_id: re.Pattern[bytes],
         stats: ReaderStats, chunk_bytes: int = CHUNK_BYTES) -> Iterator[tuple[int, bytes]]:
    """``(line_no, line)`` for every wanted line: ``WantedLines`` one line at a time, for code
    that wants the numbers of all lines (the bench's per-type timing, tests)."""
    lines = WantedLines(path, ids, valid_id, stats, chunk_bytes)
    for block in lines.blocks():
        for k, line in enumerate(block):
            yield lines.line_no(k), line


def _report_bad_lines(chunk: bytes, base: int, bad: set[bytes], stats: ReaderStats) -> None:
    """Slow path, only for blocks holding a line whose id is not a record id (garbage, a
    line cut in the middle): report those lines with their numbers."""
    for i, line in enumerate(chunk[1:].split(b"\n")):
        rid = line.split(b",", 1)[0]
        if rid in bad:
            stats.bad(base + i + 1, "not a record", line.decode("utf-8", "replace"))
