"""Tabular counter and alarm exports (CSV and XLSX): rows streamed, preamble and footer lines
skipped, the header row found by its time column, values parsed with ``NIL`` / ``/0`` / empty
as missing. Shared by the Huawei and Ericsson readers and the alarm reader.

Real layouts (docs/network-statistics.md §1):

    Huawei MAE/U2000 query:  7 preamble lines, then
        Start Time,Period,NE Name,GCELL,K3000:SDCCH Seizure Requests (None),...
        2024-03-11 09:00,60,BSC6900_SOUTH,"LABEL=STH0456A, CellIndex=12, CGI=46000A1B2C3D4",540,...
    Huawei PRS report:       6 preamble lines, 1 footer line; Date,Time,GBSC,Cell Name,...,NIL,/0
    Huawei in a DB:          Result Time,Granularity Period,Object Name,Reliability,A330_...
    Ericsson ENIQ:           DATETIME_ID,BSC,CELL_NAME,CCALLS,... (or CLSDCCH_CCALLS, DATE_ID + HOUR_ID)
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

NULL_TOKENS = frozenset({"", "nil", "/0", "null", "none", "n/a", "na", "-", "--", "#div/0!", "nan"})
TIME_HEADERS = ("start time", "result time", "datetime_id", "date_id", "date", "begin time",
                "period start time", "time", "occurred on (nt)", "occurred on", "eventtime", "event time")
MAX_PREAMBLE = 60


def is_xlsx(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _encoding(path: Path) -> str:
    """UTF-16 when the file starts with its byte-order mark (Excel's "Unicode text"), else UTF-8
    (a UTF-8 BOM is dropped); bytes that do not decode become U+FFFD rather than stopping the read."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValueError("an Excel 97-2003 .xls workbook: save it as .xlsx or .csv")
    return "utf-8-sig"


def _csv_rows(path: Path) -> Iterator[list[str]]:
    with open(path, encoding=_encoding(path), errors="replace", newline="") as fh:
        sample = fh.read(8192)
        fh.seek(0)
        delimiter = ","
        first_lines = [ln for ln in sample.splitlines() if ln.strip()][:12]
        counts = {d: max((ln.count(d) for ln in first_lines), default=0) for d in (",", ";", "\t", "|")}
        best = max(counts, key=lambda d: counts[d])
        if counts[best] > 0:
            delimiter = best
        yield from csv.reader(fh, delimiter=delimiter)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    try:
        import openpyxl
    except ModuleNotFoundError as exc:  # pragma: no cover - a dependency of the project
        raise ValueError("reading XLSX needs openpyxl (pip install openpyxl)") from exc
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:  # every sheet: exports split big queries over sheets
            for row in sheet.iter_rows(values_only=True):
                yield [_cell_text(v) for v in row]
    finally:
        book.close()


def table_rows(path: Path) -> Iterator[list[str]]:
    """Every row of a CSV (delimiter sniffed) or an XLSX workbook, as text cells."""
    return _xlsx_rows(path) if is_xlsx(path) else _csv_rows(path)


def find_header(rows: Iterator[list[str]], wanted: tuple[str, ...] = TIME_HEADERS
                ) -> tuple[int, list[str] | None, Iterator[list[str]]]:
    """Skip preamble lines up to the header row (the first row holding one of ``wanted`` as a
    column); returns (lines read including the header, header or None, the rest)."""
    n = 0
    for row in rows:
        n += 1
        cells = [c.strip().strip('"').strip() for c in row]
        low = {c.lower() for c in cells}
        if any(w in low for w in wanted) and sum(1 for c in cells if c) >= 2:
            return n, cells, rows
        if n >= MAX_PREAMBLE:
            break
    return n, None, rows


def number(text: str) -> float | None:
    """A counter value; ``None`` for the null tokens. Raises ValueError for other text."""
    t = text.strip().strip('"').strip()
    if t.lower() in NULL_TOKENS:
        return None
    t = t.replace("\u00a0", "").replace(" ", "")
    if t.endswith("%"):
        t = t[:-1]
    if "," in t and "." not in t and t.count(",") == 1 and len(t.split(",")[1]) != 3:
        t = t.replace(",", ".")  # decimal comma (some locales); "1,234" stays a thousands mark
    t = t.replace(",", "")
    return float(t)


_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                 "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
                 "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y%m%d%H%M", "%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y",
                 "%Y%m%d")
# One blank before DST, the rest stripped after: "\s+DST" took quadratic time on a cell of
# blanks (issue 16).
_DST = re.compile(r"\sDST\s*$", re.I)


def parse_time(text: str) -> tuple[float, bool] | None:
    """(epoch seconds, had a time of day) of an export time; naive times are taken as UTC.
    Accepts ISO with an offset (``2024-03-11T09:00:00+01:00``) and Huawei's ``DST`` tag."""
    t = _DST.sub("", text.strip().strip('"').strip()).strip()
    if not t:
        return None
    if re.search(r"[+-]\d{2}:?\d{2}$|Z$", t) and "T" in t or re.search(r"\d[+-]\d{2}:\d{2}$", t):
        try:
            dt = datetime.fromisoformat(t.replace("Z", "+00:00"))
            return dt.timestamp(), True
        except ValueError:
            pass
    t = t.split(".")[0] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}\.\d+$", t) else t
    for fmt in _TIME_FORMATS:
        try:
            dt = datetime.strptime(t, fmt)
        except ValueError:
            continue
        return dt.replace(tzinfo=timezone.utc).timestamp(), ("%H" in fmt)
    return None


def add_time_of_day(day_utc: float, text: str) -> float | None:
    """A report's separate ``Time`` column (``09:00``, ``09:00:00``, ``9``, ``09:00-10:00``)."""
    t = text.strip().split("-")[0].split("~")[0].strip()
    m = re.match(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?$", t)
    if not m:
        return None
    h, mi, s = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    if h > 24 or mi > 59:
        return None
    return day_utc + timedelta(hours=h, minutes=mi, seconds=s).total_seconds()


_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _.")


def composite(text: str) -> dict[str, str]:
    """Key/values of a composite object: ``LABEL=STH0456A, CellIndex=12, CGI=46000A1B2C3D4``,
    ``BSC6900_SOUTH/GCELL:LABEL=STH0456A, CellIndex=12``; keys lower-cased without spaces.

    A scan from each "=" (what ``findall(r"([A-Za-z][A-Za-z0-9 _.]*?)\\s*=\\s*([^,;/]*)")``
    matched, in one pass: that pattern took cubic time on a long cell of words, issue 16): the
    key is the run of letters, digits, blanks, "_" and "." before the "=", from its first
    letter; the value runs to the next "," ";" or "/"."""
    out: dict[str, str] = {}
    start, n = 0, len(text)
    while (eq := text.find("=", start)) >= 0:
        j = eq
        while j > start and text[j - 1].isspace():
            j -= 1
        while j > start and text[j - 1] in _KEY_CHARS:
            j -= 1
        first = next((p for p in range(j, eq) if text[p].isascii() and text[p].isalpha()), None)
        if first is None:
            start = eq + 1
            continue
        end = eq + 1
        while end < n and text[end] not in ",;/":
            end += 1
        k = text[first:eq].strip().lower().replace(" ", "").replace("_", "")
        k = k.split(":")[-1]
        out.setdefault(k, text[eq + 1:end].strip())
        start = end
    return out


def sniff_text(path: Path, n_rows: int = 40) -> str:
    """The first rows of a CSV or XLSX as one text (for ``can_read``)."""
    try:
        rows = table_rows(path)
        lines = []
        for i, row in enumerate(rows):
            lines.append(",".join(row))
            if i >= n_rows:
                break
        return "\n".join(lines)
    except (OSError, ValueError, KeyError, csv.Error, Exception):  # noqa: BLE001 - a sniff never raises
        return ""


def csv_text(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()
