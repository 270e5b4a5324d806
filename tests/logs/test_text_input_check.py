"""logs.text_input's check "is this file already UTF-8 with LF or CR LF ends and short lines?"
(``_clean_utf8``), chunk by chunk: a file it passes goes to the reader as it is, any other is
normalised first. Small chunks here put every case on a chunk edge. The check skips its CR
counts on a chunk without a CR (issue 15: they cost 1.4 bare reads of a LF log); these are the
answers it must keep."""

from __future__ import annotations

import pytest

from logs import text_input

CASES = [
    (b"ab\ncd\n", True),
    (b"ab\r\ncd\r\n", True),  # CR LF: the readers take it
    (b"ab\ncd", True),  # no end at the end
    (b"ab\rcd\n", False),  # a lone CR inside a chunk
    (b"abc\r\nd\n", True),  # CR | LF across a chunk edge
    (b"abc\rd\n", False),  # CR | something else
    (b"abc\r\r\nx\n", False),  # CR | CR LF
    (b"ab\r", False),  # a CR at the very end
    (b"abc\r", False),  # ... right on a chunk edge
    (b"abcd\nefg\r", False),
    (b"abc\r\nefgh\nij\n", True),  # a chunk with no CR after one that had one
    (b"abcd\nefgh\nijk\r", False),  # a CR only in the last chunk
    (b"abcd" * 3 + b"\n", False),  # a line longer than MAX_LINE_BYTES (set to 8 below)
    (b"caf\xc3\xa9\n", True),
    (b"caf\xe9\n", False),  # Latin-1
]


@pytest.mark.parametrize(("data", "clean"), CASES)
def test_the_check_finds_lone_crs_long_lines_and_non_utf8_on_and_off_chunk_edges(tmp_path, monkeypatch, data,
                                                                                clean):
    monkeypatch.setattr(text_input, "CHUNK", 4)
    monkeypatch.setattr(text_input, "MAX_LINE_BYTES", 8)
    path = tmp_path / "log.txt"
    path.write_bytes(data)
    assert text_input._clean_utf8(path) is clean
