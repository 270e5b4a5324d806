"""Text files as the readers expect them: UTF-8, LF line ends, lines of bounded length (issue 16).

Logs and cell files come from many tools and machines: UTF-8 with a BOM (Windows Notepad),
UTF-16 (Excel's "Unicode text"), Latin-1 or Windows-1252 bytes in one cell of a CSV cell plan,
CR-only line ends (old Mac tools), one line of megabytes (a tool that lost its line ends).
Every reader reads UTF-8 with LF. ``prepared(path)`` checks a file in one streaming pass
and, when it is not already that, writes a normalised copy into a private temporary folder
(same file name, so messages name the user's file) and says what it did:

- a BOM is dropped; UTF-16 (with a BOM, or without one when every other byte of the start is
  NUL) is decoded; an XML prolog's ``encoding=`` is rewritten to UTF-8;
- a line that is not UTF-8 is read as Windows-1252 (Latin-1 with the Euro sign);
- CR LF and a lone CR become LF, so line numbers stay those an editor shows;
- a line longer than ``MAX_LINE_BYTES`` is replaced by an empty line (its reader counts it
  bad or skips it) and named in the notes: memory stays bounded per line.

Binary files (NUL bytes that are not UTF-16's) are left alone. Companion files beside the
log (G-NetTrack's ``<name>_events.txt``) are prepared with it.
"""

from __future__ import annotations

import codecs
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MAX_LINE_BYTES = 1 << 20  # 1 MiB: far beyond any real log line, far below memory trouble
CHUNK = 1 << 20
assert CHUNK <= MAX_LINE_BYTES, "_clean_utf8 checks only lines across chunk edges"
_XML_ENCODING = re.compile(r"""(<\?xml[^>]*encoding\s*=\s*)(["'])[^"']*\2""")


def _encoding(head: bytes) -> str | None:
    """"utf-8", "utf-8-sig", "utf-16" (BOM), "utf-16-le"/"utf-16-be" (no BOM), None: binary."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if b"\0" not in sample:
        return "utf-8"
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 8:
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def _clean_utf8(path: Path) -> bool:
    """True when the file is already what the readers want (UTF-8, no lone CR, short lines)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 0
    prev_cr = False
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            # ASCII is UTF-8: most logs are, and isascii() is a C scan that builds no string.
            if not (chunk.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    return False
            if prev_cr and not chunk.startswith(b"\n"):
                return False
            # A CR that does not start a CR LF. `in` is a memchr (~0.01 ms a MB); the two counts
            # (~1.2 ms a MB) only run on a chunk with a CR: a LF log (Nemo) skips them, which
            # took 1.4 bare reads of the file before its import started (issue 15).
            if b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n") + chunk.endswith(b"\r"):
                return False
            prev_cr = chunk.endswith(b"\r")
            # Only the line running across chunk edges can be too long: a line inside one chunk
            # is shorter than CHUNK <= MAX_LINE_BYTES. (Splitting every chunk into lines cost
            # three bare reads of a 120 MB log before its import even started.)
            first = chunk.find(b"\n")
            if first < 0:
                line += len(chunk)
            else:
                if line + first > MAX_LINE_BYTES:
                    return False
                line = len(chunk) - chunk.rfind(b"\n") - 1
            if line > MAX_LINE_BYTES:
                return False
    return not prev_cr


def _split(buf, pattern):
    """Complete lines of ``buf`` and the rest; a CR at the very end is held back (it may be
    the first half of a CR LF split over two reads)."""
    hold = buf[-1:] if buf[-1:] in ("\r", b"\r") else buf[:0]
    body = buf[:len(buf) - len(hold)]
    parts = pattern.split(body)
    return parts[:-1], parts[-1] + hold


_EOL_TEXT = re.compile(r"\r\n|\r|\n")
_EOL_BYTES = re.compile(rb"\r\n|\r|\n")


def _lines(path: Path, encoding: str) -> Iterator[tuple[bytes | str, bool]]:
    """(line without its end, too_long) in file order; bytes for UTF-8 input, str for UTF-16.
    Memory: one chunk plus at most MAX_LINE_BYTES of a line being dropped."""
    text = encoding.startswith("utf-16")
    pattern = _EOL_TEXT if text else _EOL_BYTES
    with open(path, encoding=encoding, errors="replace", newline="") if text else open(path, "rb") as f:
        if encoding == "utf-8-sig":
            f.read(3)
        buf = "" if text else b""
        dropping = False
        while chunk := f.read(CHUNK // 2 if text else CHUNK):
            parts, buf = _split(buf + chunk, pattern)
            for part in parts:
                yield (part[:0], True) if dropping or len(part) > MAX_LINE_BYTES else (part, False)
                dropping = False
            if len(buf) > MAX_LINE_BYTES + 1:
                buf, dropping = buf[:0], True
        if buf or dropping:
            yield (buf[:0], True) if dropping else (buf.rstrip("\r" if text else b"\r"), False)


def _normalise(src: Path, dest: Path, encoding: str) -> list[str]:
    notes: list[str] = []
    too_long: list[int] = []
    latin = 0
    with open(dest, "w", encoding="utf-8", newline="\n") as out:
        for n, (raw, long_line) in enumerate(_lines(src, encoding), 1):
            if long_line:
                too_long.append(n)
                out.write("\n")
                continue
            if isinstance(raw, bytes):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("cp1252", errors="replace")
                    latin += 1
            else:
                text = raw
            if n == 1 and text.lstrip().startswith("<?xml"):
                text = _XML_ENCODING.sub(r"\1\2UTF-8\2", text)
            out.write(text + "\n")
    if encoding.startswith("utf-16"):
        notes.append(f"{src.name}: read as UTF-16")
    if latin:
        notes.append(f"{src.name}: {latin} lines were not UTF-8 and were read as Windows-1252 (Latin-1)")
    if too_long:
        shown = ", ".join(str(n) for n in too_long[:5]) + (" …" if len(too_long) > 5 else "")
        notes.append(f"{src.name}: line {shown}: longer than {MAX_LINE_BYTES // (1 << 20)} MB, skipped")
    return notes


@contextmanager
def prepared(path: str | Path) -> Iterator[tuple[Path, list[str]]]:
    """(the path a reader should open, notes for the user). The copy, if one was needed,
    is removed on exit."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(4096)
    encoding = _encoding(head)
    if encoding is None or (encoding == "utf-8" and _clean_utf8(path)):
        yield path, []
        return
    folder = Path(tempfile.mkdtemp(prefix="fieldapp-import-"))
    try:
        notes = _normalise(path, folder / path.name, encoding)
        # companions named after the log (G-NetTrack: <stem>_events.txt), prepared the same way
        for sibling in path.parent.glob(f"{glob_escape(path.stem)}_*"):
            if sibling.is_file() and sibling != path:
                with open(sibling, "rb") as f:
                    enc = _encoding(f.read(4096))
                if enc is None:
                    shutil.copyfile(sibling, folder / sibling.name)
                else:
                    notes += _normalise(sibling, folder / sibling.name, enc)
        yield folder / path.name, notes
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)
