"""Fast streaming of line-oriented logs where most lines are of no interest.

A Nemo file is ~90 % record types we do not import (RRCSM, MACRATE, ...). Handing every line
to Python code costs several times the bare read, so the file is read in blocks of
``CHUNK_BYTES`` cut at line ends (never the whole file; each block read straight into its own
bytes, from the line the last one did not finish) and the lines of a block are sorted by
record id in bulk, with numpy (``_IdTable.classify``), without a Python object per line:

- the line starts (``\n`` positions), then every line's first 16 bytes as one row of a table;
- per row, the id's length (the first ``,`` ``\r`` or ``\n``), the id as two 64-bit words and a
  hash of them, looked up in the sorted keys of the ids met so far, the words checked exactly;
- per id, the lines counted (the unread types' report, in the order the types first appear);
  the rows of the wanted ids followed by a comma give the wanted lines, sliced out of the block,
  and their line numbers (block start + row), exact at no extra cost.

New ids (the first block, mostly) join the table from one line of each; ids of 16 bytes or
more and hash collisions take a slow path, one line at a time, with the same rules. A line
whose id does not match ``valid_id`` is reported as a bad line (a slow path for its block).

Measured on the 30 MB bench file (bench/import_bench.py, 323,000 lines, 32,500 wanted; CPU
seconds, best of several runs on the shared 2-core machine): the scan takes 2.0x the bare line
read of the file (0.056 s against 0.028 s), the former two regex ``findall`` passes and a
``Counter`` of every line's id 3.6x (0.100 s). numpy is a dependency already (pandas,
pyqtgraph); it is imported on the first scan, not with this module.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from logs.stats import ReaderStats

CHUNK_BYTES = 1 << 20
_U64 = (1 << 64) - 1
# A line's record id: the text before its first comma (or its end, CR included), matched at
# the line's start.
ID_RE = re.compile(rb"[^,\r\n]*")


@functools.lru_cache(maxsize=16)
def wanted_lines(ids: tuple[str, ...]) -> re.Pattern[bytes]:
    """The pattern of a wanted line's start, matched at a line's start: one of ``ids`` and a comma."""
    return re.compile(rb"(?:" + b"|".join(re.escape(i.encode()) for i in ids) + rb"),")


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
        self._rows: list[int] = []  # the current block's wanted lines' rows (0 = its first line)
        self._base = 0  # lines before the current block

    def line_no(self, k: int) -> int:
        """The file line number of the current block's ``k``-th wanted line."""
        return self._base + self._rows[k] + 1

    def blocks(self) -> Iterator[list[bytes]]:
        stats, wanted, valid_id = self.stats, self.wanted, self.valid_id
        ids = _IdTable(self.wanted_ids)
        untaken: Counter[bytes] = Counter()  # lines per record id, the taken wanted lines left out
        checked: set[bytes] = {b""}
        bad_ids: set[bytes] = set()
        dropped = 0  # 1 when the file's last line was cut short and reported instead of read
        base = 0  # lines before this block
        pos = read_end = 0  # the block's first byte in the file (a line start), the end of the bytes read
        try:
            # Unbuffered: each block is read straight into its bytes and the lines are sliced out
            # of it. A block ends at its last line end; the next one is read from there (no copy
            # to carry a line over) to the next multiple of chunk_bytes, so the blocks, and the
            # progress, are the same as reading chunk_bytes at a time.
            with open(self.path, "rb", buffering=0) as f:
                while True:
                    read_end += self.chunk_bytes
                    f.seek(pos)
                    buf = f.read(read_end - pos)
                    if not buf:
                        break
                    end = pos + len(buf)
                    cut = buf.rfind(b"\n") + 1
                    last = cut == 0
                    if last:
                        if end == read_end:  # one line longer than a block: read on
                            continue
                        # The file stops inside a line (copy cut short, logger killed): a wanted
                        # line's last value may be cut too ("-67.5" -> "-6"), so it is reported,
                        # not read. Another type would be skipped anyway: it is only counted.
                        if wanted.match(buf):
                            dropped = 1
                            stats.bad(base + 1, "last line cut short (no line end)", buf.decode("utf-8", "replace"))
                        else:
                            buf += b"\n"
                            cut = len(buf)
                    n, present, rows, lines = ids.classify(buf, cut, untaken)
                    fresh = present - checked
                    if fresh:
                        bad_ids |= {rid for rid in fresh if rid.strip() and not valid_id.fullmatch(rid)}
                        checked |= fresh
                    present_bad = present & bad_ids
                    if present_bad:
                        _report_bad_lines(buf[:cut], base, present_bad, stats)
                    if buf.find(b"\r", 0, cut) >= 0:
                        lines = [line.rstrip(b"\r") for line in lines]
                    self._rows, self._base = rows, base
                    if lines:
                        yield lines
                    base += n
                    stats.lines = base + dropped
                    pos = end if last else pos + cut
                    stats.bytes_read = pos
                    if last:
                        break
        finally:
            stats.lines = max(stats.lines, base)
            for rid, left in untaken.items():
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
    for i, line in enumerate(chunk.split(b"\n")):
        # the id as the id table takes it (up to , CR or LF): a garbage line of a CRLF file
        # ("\xfe\xff garbage\r") is reported as the same line of an LF file is
        rid = ID_RE.match(line).group()  # type: ignore[union-attr]
        if rid in bad:
            stats.bad(base + i + 1, "not a record", line.rstrip(b"\r").decode("utf-8", "replace"))


class _IdTable:
    """The record ids met so far, to sort a block's lines by id in bulk, without a Python
    object per line (numpy; logs/chunks.py's docstring says why).

    Each line's first ``WIDTH`` bytes are copied at once into a row; the id is the text before
    the first ``,`` ``\r`` or ``\n`` (what ``ID_RE`` takes), keyed by its bytes zero-padded (two
    64-bit words) and its length (so "AB" and "AB\0" differ). A key is looked up in the sorted
    table of the known ids' keys and the match is then checked word for word, so a hash
    collision can only send a line to the slow path. Lines whose id is new, or ``WIDTH`` bytes
    or longer, take the slow path (Python, one line at a time), which adds the new ids to the
    table (at most ``MAX_IDS``: a garbage file of unique "ids" stays on the slow path instead
    of growing the table)."""

    WIDTH = 16
    MAX_IDS = 4096
    MAX_ROWS = 1 << 15  # lines sorted at once (a 1 MB block of Nemo lines has ~11,000)
    _M0, _M1 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F  # odd multipliers of the key's hash
    WORD = "<u8"  # a row as two 64-bit words, the same on every machine

    def __init__(self, wanted_ids: tuple[bytes, ...]) -> None:
        import numpy as np  # here, not at import: a command that reads no log does not pay for it

        self.np = np
        if any(len(i) >= self.WIDTH for i in wanted_ids):
            raise ValueError(f"a wanted record id must be shorter than {self.WIDTH} bytes")
        self.wanted = frozenset(wanted_ids)
        # masks[n]: a row's first n bytes, and n in its last byte (zero in an id shorter than 16)
        self.masks = np.zeros((self.WIDTH, 2), self.WORD)
        self.tags = np.zeros((self.WIDTH, 2), self.WORD)
        for n in range(self.WIDTH):
            self.masks[n] = np.frombuffer(bytes([255] * n + [0] * (self.WIDTH - n)), self.WORD)
            self.tags[n] = np.frombuffer(bytes(self.WIDTH - 1) + bytes([n]), self.WORD)
        self.m0, self.m1, self.s29, self.s32 = (np.uint64(v) for v in (self._M0, self._M1, 29, 32))
        self.pad = b"\n" * self.WIDTH
        self.by_name: dict[bytes, tuple[int, int, int]] = {}  # id -> (key, word 0, word 1)
        self._add(wanted_ids)

    def _add(self, names: Iterable[bytes]) -> bool:
        """Put ``names`` in the table; whether any was new."""
        np, added = self.np, False
        for name in names:
            if len(name) < self.WIDTH and name not in self.by_name and len(self.by_name) < self.MAX_IDS:
                w0, w1 = (int(w) for w in np.frombuffer(name.ljust(self.WIDTH - 1, b"\0") + bytes([len(name)]),
                                                         self.WORD))
                h = ((w0 * self._M0) & _U64) ^ w1
                h = ((h ^ (h >> 29)) * self._M1) & _U64
                key = h ^ (h >> 32)
                self.by_name[name] = (key, w0, w1)
                added = True
        if not added:
            return False
        entries = sorted((key, w0, w1, name) for name, (key, w0, w1) in self.by_name.items())
        # Two ids of one key (a hash collision): the table keeps the first, the other one's
        # lines fail the word check and take the slow path.
        entries = [e for i, e in enumerate(entries) if i == 0 or e[0] != entries[i - 1][0]]
        self.keys = np.array([e[0] for e in entries], np.uint64)
        self.w0 = np.array([e[1] for e in entries], np.uint64)
        self.w1 = np.array([e[2] for e in entries], np.uint64)
        self.names = [e[3] for e in entries]
        self.is_wanted = np.array([e[3] in self.wanted for e in entries], bool)
        return True

    def classify(self, buf: bytes, cut: int, counts: Counter[bytes]) -> tuple[int, set[bytes], list[int], list[bytes]]:
        """The lines of ``buf[:cut]`` (``buf[cut - 1]`` is ``\n``; a line starts at 0 and after each ``\n``).

        Adds to ``counts`` the lines per id, the wanted lines taken left out (an id first met
        here is added in the order of its first line, as ``Counter`` of every line's id would
        order it); returns (the number of lines, the ids present, the 0-based rows of the
        wanted lines, those lines without their line end). A wanted line is a wanted id and a
        comma. The rows are sorted ``MAX_ROWS`` at a time: a block of very short lines (a file
        of blank lines: a million to the MB) takes no more memory than a usual one."""
        np, width = self.np, self.WIDTH
        src = buf if len(buf) - cut >= width else buf[:cut] + self.pad  # every line's row in range
        a = np.frombuffer(src, np.uint8)
        nl = np.flatnonzero(a[:cut] == 10)  # the lines' ends
        n = len(nl)
        if n == 0:
            return 0, set(), [], []
        starts = np.empty(n, np.intp)
        starts[0] = 0
        starts[1:] = nl[:-1] + 1
        present: set[bytes] = set()
        rows: list[int] = []
        lines: list[bytes] = []
        for r0 in range(0, n, self.MAX_ROWS):
            some, wanted_rows = self._sort_rows(buf, a, starts[r0:r0 + self.MAX_ROWS], counts)
            present |= some
            rows += (wanted_rows + r0).tolist()
            ends = nl[wanted_rows + r0].tolist()
            lines += [buf[s:e] for s, e in zip(starts[wanted_rows + r0].tolist(), ends)]
        return n, present, rows, lines

    def _sort_rows(self, buf: bytes, a: Any, starts: Any, counts: Counter[bytes]) -> tuple[set[bytes], Any]:
        """``classify`` of the lines starting at ``starts`` (numpy, in file order): the ids
        present and the rows (indexes into ``starts``) of the wanted lines."""
        np, width = self.np, self.WIDTH
        n = len(starts)
        heads = np.lib.stride_tricks.sliding_window_view(a, width)[starts]  # (n, 16), a copy
        stop = (heads == 44) | (heads == 13) | (heads == 10)
        length = stop.argmax(1)  # the id's length; 0 also when no ',' '\r' '\n' in the row
        row = np.arange(n)
        found = stop[row, length]
        words = heads.view(self.WORD) & self.masks[length] | self.tags[length]
        w0, w1 = words[:, 0], words[:, 1]
        key = (w0 * self.m0) ^ w1  # mixed as _add does (the high bytes into the low ones)
        key ^= key >> self.s29
        key *= self.m1
        key ^= key >> self.s32
        for attempt in (1, 2):
            pos = np.searchsorted(self.keys, key)
            np.minimum(pos, len(self.keys) - 1, out=pos)
            ok = found & (self.w0[pos] == w0) & (self.w1[pos] == w1)  # the key's id, not a collision
            new = found & ~ok
            if attempt == 2 or not new.any():
                break
            # Ids not in the table yet (the file's first block, mostly): one line of each key
            # gives its id; then the block is looked up again.
            rows = np.flatnonzero(new)[np.unique(key[new], return_index=True)[1]]
            self._add([buf[s:s + m] for s, m in zip(starts[rows].tolist(), length[rows].tolist())])
        is_wanted = ok & self.is_wanted[pos] & (heads[row, length] == 44)
        # per table entry: [lines not taken, wanted lines taken]
        tally = np.bincount((2 * pos + is_wanted)[ok], minlength=2 * len(self.keys)).reshape(-1, 2)
        every = tally.sum(1)
        block: dict[bytes, int] = {}  # id -> its lines not taken
        first: dict[bytes, int] = {}  # id not yet in counts -> its first row
        names = self.names
        for i in np.flatnonzero(every).tolist():
            name = names[i]
            block[name] = int(tally[i, 0])
            if name not in counts:
                first[name] = int(np.flatnonzero(ok & (pos == i))[0])
        wanted_rows = np.flatnonzero(is_wanted)
        slow = np.flatnonzero(~ok).tolist()
        if slow:  # new ids, long ids, a hash collision: one line at a time
            line_starts, extra = starts.tolist(), []
            for r in slow:
                s = line_starts[r]
                name = ID_RE.match(buf, s).group()  # type: ignore[union-attr]
                if name in self.wanted and buf[s + len(name):s + len(name) + 1] == b",":
                    extra.append(r)
                    block.setdefault(name, 0)
                else:
                    block[name] = block.get(name, 0) + 1
                if name not in counts:
                    first.setdefault(name, r)
            if extra:
                wanted_rows = np.sort(np.concatenate((wanted_rows, np.array(extra, np.intp))))
            self._add(block)
        for name in sorted(first, key=first.__getitem__):  # new ids in the order of their first line
            counts[name] += block[name]
        for name, left in block.items():
            if name not in first:
                counts[name] += left
        return set(block), wanted_rows
