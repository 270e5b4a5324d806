"""The block scan of logs/chunks.py (the Nemo reader's way through a file) against the plainest
reading of the same rules, one line at a time: which lines are wanted, their line numbers, the
lines per unread record type (and in which order the types are listed), bad lines, the line
count. The bulk path sorts lines by their first 16 bytes in numpy; these files are made to
catch every way that could differ from reading line by line: ids that are prefixes of others,
ids of 15, 16 and more bytes, a NUL inside an id, a wanted id without its comma or in the middle
of a line, CR and CRLF ends, every block boundary, the last line without a line end, hash
collisions and a full id table. (Lines are the shapes of the shared Nemo sample's lines,
nemo-RYG0443_R3_R002.3.nmf, shortened.)"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from logs import chunks
from logs.chunks import WantedLines, scan
from logs.nemo import VALID_ID_RE, WANTED_IDS
from logs.stats import ReaderStats

WANTED = ("CELLMEAS", "GPS", "CAA", "CHI", "#STOP")


def reference(data: bytes, ids: tuple[str, ...] = WANTED) -> dict:
    """What the scan must give, read line by line (the rules of WantedLines' docstring)."""
    wanted_ids = {i.encode() for i in ids}
    lines = data.split(b"\n")
    cut_last = False
    if lines[-1] == b"":
        lines.pop()
    elif re.match(rb"(?:" + b"|".join(re.escape(i) for i in wanted_ids) + rb"),", lines[-1]):
        cut_last = True  # a wanted line without its line end: reported, not read
    order: dict[bytes, int] = {}
    taken, out, bad = Counter(), [], []
    for no, line in enumerate(lines[:-1] if cut_last else lines, 1):
        rid = re.match(rb"[^,\r\n]*", line).group()
        order[rid] = order.get(rid, 0) + 1
        if rid in wanted_ids and line[len(rid):len(rid) + 1] == b",":
            taken[rid] += 1
            out.append((no, line.rstrip(b"\r")))
        elif rid.strip() and not VALID_ID_RE.fullmatch(rid):  # whatever ends the id: , CR or LF
            bad.append((no, "not a record"))
    if cut_last:
        bad.append((len(lines), "last line cut short (no line end)"))
    unknown = {rid.decode(): n - taken[rid] for rid, n in order.items()
               if n > taken[rid] and rid.strip() and VALID_ID_RE.fullmatch(rid) and not rid.startswith(b"#")}
    return {"lines": out, "unknown": list(unknown.items()), "bad": sorted(bad), "count": len(lines)}


def scanned(path, chunk_bytes: int, ids: tuple[str, ...] = WANTED) -> dict:
    stats = ReaderStats()
    out = list(scan(path, ids, VALID_ID_RE, stats, chunk_bytes))
    return {"lines": out, "unknown": list(stats.unknown.items()),
            "bad": sorted((b.line_no, b.reason) for b in stats.bad_lines), "count": stats.lines}


LONG = b"CELLPOLLUTIONXYZ"  # 16 bytes: no id end among a line's first 16 bytes
TRICKY = b"\n".join([
    b'#START,16:01:58.536,,"26.8.2018"',
    b"RRCSM,16:01:58.600,,5,1,1,3",
    b"CELLMEAS,16:01:58.567,,5,0,1,3,10588,-56.1,50001,3,17",
    b"CELLMEASX,1,2",  # a wanted id is a prefix of this one
    b"CELLMEA,1",  # ... and this one of the wanted id
    b"GPSX,16:02:00.000,,1",
    b"GPS",  # a wanted id without its comma: an unread line, not a bad one
    b"GPS\r",
    b"GPS\rX,1",  # the id ends at the CR
    b"FOO,CELLMEAS,16:02:00.000,,5",  # a wanted id in the middle of a line
    b"GPS,16:01:59.777,,101.267143,12.659351,10,0,1,9,0,1.90,1.10,1.60,1\r",
    b"CAA,16:02:04.424,1,44,5,1,1,\"0800000000\",,15000,,\r\r",
    b"",  # blank lines and a line of one comma: counted, neither unread types nor bad
    b",",
    b"ABCDEFGHIJKLMNO,1",  # an id of 15 bytes (the longest the bulk path keys)
    LONG + b",1",
    LONG + b"W,1",
    LONG + b"W",
    b"AB\x00,1",  # a NUL in an id: not the id "AB"
    b"AB,1",
    b"\xfe\xff garbage",  # not a record
    b"\xfe\xff garbage\r",  # ... nor in a CRLF file
    b"\xfe\xff gar\rbage,1",  # ... nor when a CR ends its id
    b"lower,1",
    b"# a comment line",
    b"#HEADER,,,1",
    b"CHI,16:02:04.572,,5,50001,4,10588,23823345,3122",
    b"RRCSM,16:01:58.700,,5,1,1,3",
    b"#STOP,16:04:40.000,,",
    b"TXPC,1",
])


@pytest.mark.parametrize("tail", [b"\n", b"", b"\r\n", b"\nGPS,16:05:00.000,,101.2", b"\nRRCSM,1", b"\nCELLM"])
def test_every_block_boundary_gives_what_reading_line_by_line_gives(tmp_path, tail):
    data = TRICKY + tail
    p = tmp_path / "t.nmf"
    p.write_bytes(data)
    want = reference(data)
    assert want["lines"] and want["unknown"] and want["bad"]  # the file has every kind of line
    for chunk_bytes in (*range(1, 40), 97, 1 << 20):
        assert scanned(p, chunk_bytes) == want, chunk_bytes


@pytest.mark.parametrize("max_rows", [1, 2, 3, 7])
def test_a_block_sorted_a_few_rows_at_a_time_gives_the_same(tmp_path, monkeypatch, max_rows):
    # (a block of very short lines is sorted MAX_ROWS lines at a time, to bound the memory)
    data = TRICKY + b"\n" + b"\n".join(b"T%d,1" % (i % 9) for i in range(40)) + b"\nGPS,1\n"
    p = tmp_path / "r.nmf"
    p.write_bytes(data)
    want = reference(data)
    monkeypatch.setattr(chunks._IdTable, "MAX_ROWS", max_rows)
    for chunk_bytes in (50, 1 << 20):
        assert scanned(p, chunk_bytes) == want


def test_a_file_of_blank_lines_is_scanned_in_bounded_memory(tmp_path):
    # 3 million blank lines, a million to a 1 MB block: the rows are sorted MAX_ROWS at a
    # time; before, one block's arrays took ~150 MB.
    import resource
    import sys

    p = tmp_path / "blank.nmf"
    p.write_bytes(b"\n" * 3_000_000 + b"GPS,1\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    got = scanned(p, 1 << 20)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert got["lines"] == [(3_000_001, b"GPS,1")] and got["count"] == 3_000_001
    assert grown / (1 << 20 if sys.platform == "darwin" else 1 << 10) < 80  # MB


def test_the_unread_types_are_listed_in_the_order_they_first_appear(tmp_path):
    # 'GPS' is first met as a wanted line, then alone (unread): it keeps its first place, as
    # when every line's id was counted in file order.
    data = b"GPS,1\nTXPC,1\nZZZ,1\nGPS\nAAA,1\nTXPC,2\n"
    p = tmp_path / "o.nmf"
    p.write_bytes(data)
    for chunk_bytes in (4, 1 << 20):
        assert scanned(p, chunk_bytes)["unknown"] == [("GPS", 1), ("TXPC", 2), ("ZZZ", 1), ("AAA", 1)]


def test_a_file_of_many_ids_and_hash_collisions_read_the_same(tmp_path, monkeypatch):
    # Every id a new one (a damaged file) and, with the key's multipliers 0, every key the
    # same: the lines the table cannot place exactly are read one at a time, with the same result.
    rows = [b"T%04d,1" % i for i in range(300)] + [b"CELLMEAS,%d" % i for i in range(50)] + [b"GPS,1", b"T0007,2"]
    data = b"\n".join(rows * 2) + b"\n"
    p = tmp_path / "many.nmf"
    p.write_bytes(data)
    want = reference(data)
    assert scanned(p, 1 << 20) == want
    monkeypatch.setattr(chunks._IdTable, "MAX_IDS", 20)
    assert scanned(p, 1000) == want
    monkeypatch.setattr(chunks._IdTable, "_M0", 0)
    monkeypatch.setattr(chunks._IdTable, "_M1", 0)
    assert scanned(p, 1000) == want
    assert scanned(p, 1 << 20) == want


def test_a_garbage_line_is_reported_alike_with_lf_and_crlf_ends(tmp_path):
    lf, crlf = tmp_path / "lf.nmf", tmp_path / "crlf.nmf"
    body = [b"GPS,16:01:59.777,,101.267143,12.659351,10,0,1,9,0,1.90,1.10,1.60,1", b"\xfe\xff garbage", b"TXPC,1"]
    lf.write_bytes(b"\n".join(body) + b"\n")
    crlf.write_bytes(b"\r\n".join(body) + b"\r\n")
    reports = []
    for p in (lf, crlf):
        stats = ReaderStats()
        list(scan(p, WANTED, VALID_ID_RE, stats))
        reports.append([(b.line_no, b.reason, b.text) for b in stats.bad_lines])
    assert reports[0] == reports[1] == [(2, "not a record", "\ufffd\ufffd garbage")]


def test_the_nemo_fixture_reads_as_line_by_line(tmp_path):
    from pathlib import Path

    fixture = Path(__file__).parents[1] / "fixtures" / "logs" / "nemo-RYG0443_R3_R002.3.nmf"
    data = fixture.read_bytes()
    want = reference(data, WANTED_IDS)
    assert len(want["lines"]) > 500 and len(want["unknown"]) > 50
    for chunk_bytes in (4096, 1 << 20):
        assert scanned(fixture, chunk_bytes, WANTED_IDS) == want


def test_a_wanted_id_of_16_bytes_is_refused():
    with pytest.raises(ValueError, match="shorter than 16"):
        list(WantedLines("x", ("ABCDEFGHIJKLMNOP",), VALID_ID_RE, ReaderStats()).blocks())


@pytest.mark.parametrize("tail", [b"\n", b"", b"\nGPS,16:05:00.000,,101.2"])
def test_blocks_end_where_reading_chunk_bytes_at_a_time_ends_them(tmp_path, tail):
    # A block holds the lines whose line end falls in the next chunk_bytes of the file (the
    # reader's records come in these groups, and its progress moves block by block), however the
    # block is read; at the end the progress is the whole file.
    from pathlib import Path

    sample = (Path(__file__).parents[1] / "fixtures" / "logs" / "nemo-RYG0443_R3_R002.3.nmf").read_bytes()[:30000]
    data = sample[:sample.rfind(b"\n") + 1] + TRICKY + tail
    p = tmp_path / "b.nmf"
    p.write_bytes(data)
    for chunk_bytes in (7, 16, 50, 97, 1000, 1 << 20):
        want: dict[int, list[bytes]] = {}
        offset = 0
        for line in data.split(b"\n")[:-1]:
            offset += len(line) + 1
            if re.match(rb"(?:CELLMEAS|GPS|CAA|CHI|#STOP),", line):
                want.setdefault((offset - 1) // chunk_bytes, []).append(line.rstrip(b"\r"))
        stats = ReaderStats()
        got = [list(block) for block in WantedLines(p, WANTED, VALID_ID_RE, stats, chunk_bytes).blocks()]
        assert got == list(want.values()), chunk_bytes
        assert stats.bytes_read == len(data)
