"""The compiled Nemo line reader (logs/_nemoline.c, issue 15) against the pure-Python one.

The compiled part reads only CELLMEAS (systems 5 UMTS, 7/8 LTE) and GPS lines of the strict
usual shape and hands every other line back to the Python code; the file must read EXACTLY as
``NemoReader(path, compiled=False)`` reads it: the same records (compared field by field in a
canonical form where int 5 and float 5.0, None and "", NaN, -0.0 and 0.0 all differ), the same
reader statistics (lines, bytes, record counts, unknown types in their order, bad lines with
their numbers, reasons and texts) and the same header (#STOP's time included).

Inputs, each saying where it comes from:
- the shared real logs (tests/fixtures/logs/nemo-*.nmf, their provenance in their first lines);
- seeded damaged copies of them (``damaged_copy``: flipped bytes, characters deleted or doubled,
  commas added or removed, fields blanked, 20+ digit numbers, odd number texts such as "1e3",
  "nan", "+5", "5_0", "٣", a stray quote, NUL bytes, CRLF line ends, a last line cut short,
  small read blocks);
- hand-written edge lines (``EDGE_LINES``), the real lines changed at each limit of what the
  compiled part reads (digit counts, decimals, counts, cut groups, the field limit, GPS fix);
- hypothesis-written files of CELLMEAS (systems 1, 5, 7, 8), CHI, RXQ/TAD, GPS and other lines
  with random counts, fields and times (``nmf_files``), after a #START header.
Before comparing, the compiled part's references are checked (``sound_compiled_part``): one
dropped per read crashes the test process after some dozens of files, with no report.

The harness itself (the canonical form, the generators, the damage) is checked against the
Python path alone, so it runs, and is known to find differences, where nothing is compiled.
Longer runs: FIELDAPP_FUZZ_EXAMPLES=2000 FIELDAPP_FUZZ_DAMAGED=300 (about 3 minutes).
"""

from __future__ import annotations

import dataclasses
import gc
import math
import operator
import os
import random
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp import model
from logs import nemo_fast
from logs.nemo import NemoReader
from logs.nemo_fields import parse_date
from tests.support.compiler import compiler_present

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
# The shared real logs (their first lines say where each comes from): a UMTS/LTE CSFB day of a
# Qualcomm handset, a PCTel scanner's first seconds, and a scanner file written to the layout.
DAY = FIXTURES / "nemo-RYG0443_R3_R002.3.nmf"
REAL_LOGS = sorted(FIXTURES.glob("nemo-*.nmf"))

COMPILED = nemo_fast.READING == "compiled"
needs_compiled = pytest.mark.skipif(not COMPILED, reason=f"the compiled Nemo reader is not in use "
                                    f"(logs.nemo_fast.READING is {nemo_fast.READING!r})")
# `make fuzz`-style longer runs: FIELDAPP_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest this file
EXAMPLES = int(os.environ.get("FIELDAPP_FUZZ_EXAMPLES", "150"))


# ------------------------------------------------------------------ the canonical form
_SCALARS = frozenset({int, float, str, bool, type(None), bytes})
_FIELDS: dict[type, Any] = {}  # dataclass -> (field names, a getter of their values as a tuple)


def canonical(value: Any) -> Any:
    """A record (or any value in one) as nested tuples, every scalar as (type name, repr):
    a dataclass is (class name, ((field name, canonical value), ...)), a tuple or list its
    items, a dict its items in order. 5 and 5.0, None and "", -0.0 and 0.0 differ; NaN equals
    NaN (same repr). (Written for speed: a read of the real day is ~500 records of ~100 values.)"""
    cls = type(value)
    if cls in _SCALARS:
        return (cls.__name__, repr(value))
    known = _FIELDS.get(cls)
    if known is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = tuple(f.name for f in dataclasses.fields(value))
        known = _FIELDS[cls] = (names, operator.attrgetter(*names))
    if known is not None:
        names, values = known
        return (cls.__name__, tuple(
            (n, (type(v).__name__, repr(v)) if type(v) in _SCALARS else canonical(v))
            for n, v in zip(names, values(value))))
    if isinstance(value, (tuple, list)):
        return (cls.__name__, tuple(canonical(v) for v in value))
    if isinstance(value, dict):
        return (cls.__name__, tuple((canonical(k), canonical(v)) for k, v in value.items()))
    return (cls.__name__, repr(value))


@dataclasses.dataclass
class Outcome:
    """What one read of a file gave: records (canonical, in file order), stats, header, and the
    exception that stopped the read, if any (both paths must stop alike)."""

    records: list
    stats: dict
    header: Any
    error: tuple[str, str] | None
    header_values: dict | None = None  # the header itself (to find a record's input line), not compared


def stats_form(stats) -> dict:
    return {"lines": stats.lines, "bytes_read": stats.bytes_read,
            "records": list(stats.records.items()),  # in the order the kinds first came
            "unknown": list(stats.unknown.items()),
            "bad_count": stats.bad_count,
            "bad_lines": [(b.line_no, b.reason, b.text) for b in stats.bad_lines]}


def read_outcome(path: Path, *, compiled: bool, chunk_bytes: int | None = None, **options: Any) -> Outcome:
    try:
        reader = NemoReader(path, compiled=compiled, **options)
    except ValueError as exc:  # an unreadable #START date: one clear error, both ways
        return Outcome([], {}, None, (type(exc).__name__, str(exc)))
    if chunk_bytes is not None:
        reader.chunk_bytes = chunk_bytes  # read blocks of this size: lines across block ends
    records, error = [], None
    try:
        for record in reader:
            records.append(canonical(record))  # at once: a Cell is mutable
    except Exception as exc:  # compared, and test_the_python_path_never_raises says it must not happen
        error = (type(exc).__name__, str(exc))
    return Outcome(records, stats_form(reader.stats), canonical(reader.header), error, reader.header)


def _time_text(ts: float, header: dict) -> str:
    """The HH:MM:SS.mmm a line of this file would carry for the record time ``ts``."""
    try:
        day0 = parse_date(header["date"]) - 60 * (header.get("utc_offset_min") or 0)
    except (KeyError, ValueError, TypeError):
        return "?"
    return _fmt(ts - day0)


def reason_kind(reason: str) -> str:
    """A bad line's reason without its particulars: "bad time '1:2:x'" -> "bad time"."""
    for stop in (":", " (", " '", ' "'):
        reason = reason.split(stop)[0]
    return reason


_LINES_OF = {"Sample": "CELLMEAS,", "Position": "GPS,", "Event": ("CA", "LOCK,"), "Scan": ("FREQ", "PILOT", "OFDM")}


def _fields_differ(a: Any, b: Any, where: str = "") -> list[str]:
    """The paths where two canonical forms differ: "serving.ci: ('int', '5') != ('NoneType', 'None')"."""
    if a == b:
        return []
    if (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) == 2 and a[0] == b[0]
            and isinstance(a[1], tuple) and isinstance(b[1], tuple) and len(a[1]) == len(b[1])):
        out = []
        for k, (x, y) in enumerate(zip(a[1], b[1])):
            if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) and isinstance(y, tuple) \
                    and len(y) == 2 and x[0] == y[0] and a[0] not in ("tuple", "list", "dict"):
                out += _fields_differ(x[1], y[1], f"{where}.{x[0]}" if where else x[0])  # a dataclass field
            else:
                out += _fields_differ(x, y, f"{where}[{k}]")
        return out
    return [f"{where or '(record)'}: {a} != {b}"]


def difference(path: Path, python: Outcome, compiled: Outcome) -> str:
    """'' when the two reads are the same; else what differs, with the input lines concerned."""
    out = []
    if python.records != compiled.records:
        n = next((i for i, (a, b) in enumerate(zip(python.records, compiled.records)) if a != b),
                 min(len(python.records), len(compiled.records)))
        out.append(f"records differ from record {n} (python {len(python.records)}, "
                   f"compiled {len(compiled.records)} records)")
        for name, outcome in (("python", python), ("compiled", compiled)):
            out.append(f"  {name:8}: {outcome.records[n] if n < len(outcome.records) else '(none)'}")
        if n < min(len(python.records), len(compiled.records)):
            out.append("  fields that differ (python != compiled):")
            out += [f"    {d}" for d in _fields_differ(python.records[n], compiled.records[n])]
        record = python.records[n] if n < len(python.records) else compiled.records[n]
        ts = next((float(v[1]) for k, v in record[1] if k == "ts_utc"), None)
        if ts is not None and python.header_values is not None:
            t = _time_text(ts, python.header_values)
            lines = [f"  line {i}: {text[:300]!r}" for i, text in
                     enumerate(path.read_bytes().decode("utf-8", "replace").split("\n"), 1)
                     if text.split(",")[1:2] == [t] and text.startswith(_LINES_OF.get(record[0], ""))]
            out.append(f"  input lines at {t}:")
            out += lines[:8]
    for key in ("stats", "header", "error"):
        a, b = getattr(python, key), getattr(compiled, key)
        if a != b:
            if isinstance(a, dict) and isinstance(b, dict):
                for k in sorted(set(a) | set(b)):
                    if a.get(k) != b.get(k):
                        out.append(f"{key}[{k}]:\n  python  : {a.get(k)}\n  compiled: {b.get(k)}")
            else:
                out.append(f"{key}:\n  python  : {a}\n  compiled: {b}")
    return "\n".join(out)


def compare(path: Path, **options: Any) -> Outcome:
    python = read_outcome(path, compiled=False, **options)
    compiled = read_outcome(path, compiled=True, **options)
    diff = difference(path, python, compiled)
    assert not diff, f"{path.name} reads differently compiled:\n{diff}"
    return python


# ------------------------------------------------------------------ the harness finds differences
def test_the_canonical_form_tells_apart_what_a_reader_must_not_change():
    cell = model.Cell(role=model.SERVING, tech=model.UMTS, arfcn=10588, pci=303, rscp_dbm=-67.5, ecno_db=-11.4)
    base = canonical(model.Sample(1.0, model.UMTS, cell, (), position=model.Position(1.0, 12.5, 101.25, 10.0)))
    changed = [
        dataclasses.replace(cell, arfcn=10588.0),  # int vs float
        dataclasses.replace(cell, rscp_dbm=-67),  # float vs int
        dataclasses.replace(cell, state=""),  # None vs ""
        dataclasses.replace(cell, ecno_db=math.nan),
        dataclasses.replace(cell, rsrq_db=-0.0),  # None vs -0.0
        dataclasses.replace(cell, channel=model.Channel()),
        dataclasses.replace(cell, role=model.NEIGHBOUR),
    ]
    for other in changed:
        assert canonical(model.Sample(1.0, model.UMTS, other, (), position=model.Position(1.0, 12.5, 101.25, 10.0))) \
            != base, other
    assert canonical(-0.0) != canonical(0.0) and canonical(math.nan) == canonical(float("nan"))
    assert canonical(model.Position(1.0, 12.5, 101.25, 10)) != canonical(model.Position(1.0, 12.5, 101.25, 10.0))
    assert canonical(model.Sample(1.0, neighbours=(cell,))) != canonical(model.Sample(1.0, neighbours=(cell, cell)))
    assert canonical(model.Event(1.0, "x", data={"a": 1, "b": 2})) != canonical(model.Event(1.0, "x", data={"b": 2, "a": 1}))


def test_the_comparison_names_the_record_and_the_input_line_that_differ(tmp_path):
    # Two reads of the real day, one changed the way a wrong compiled reader would: the
    # message names the record, both forms, and the input line of that time.
    a = read_outcome(DAY, compiled=False)
    b = read_outcome(DAY, compiled=False)
    assert difference(DAY, a, b) == ""
    k = next(i for i, r in enumerate(b.records) if r[0] == "Sample")
    b.records[k] = canonical(model.Sample(0.0))
    b.stats["bad_lines"] = [(7, "made up", "x")]
    diff = difference(DAY, a, b)
    assert f"records differ from record {k}" in diff and "CELLMEAS,16:01:58.567,,5,0,1,3,10588" in diff, diff
    assert "stats[bad_lines]" in diff and "made up" in diff


# ------------------------------------------------------------------ what the compiled part owns
def _references_changed(compiled: bool, reads: int = 6) -> dict[str, int]:
    """How the reference counts of the objects a compiled reader holds (the Cell class, the
    role, technology and state names) changed over ``reads`` reads of the real day, where they
    changed by one or more a read ({} when not: a count that moves by one once, some cache of
    the interpreter's, is not a reference error)."""
    from logs.nemo_fields import LTE_KIND, UMTS_KIND

    held = [model.Cell, model.Sample, model.Position, model.UMTS, model.LTE, model.SERVING, model.NEIGHBOUR,
            *(state for _role, state in UMTS_KIND.values()), *(state for _role, state in LTE_KIND.values())]

    def counts() -> list[int]:
        gc.collect()
        return [sys.getrefcount(o) for o in held]

    list(NemoReader(DAY, compiled=compiled))
    before = counts()
    for _ in range(reads):
        list(NemoReader(DAY, compiled=compiled))
    return {repr(o): b - a for o, a, b in zip(held, before, counts()) if abs(b - a) >= reads // 2}


@pytest.fixture(scope="module")
def sound_compiled_part():
    """The comparisons read hundreds of files: a compiled part that drops a reference at each
    read would crash the test process after some dozens (a segmentation fault, no report).
    They fail here instead, at once, with what was lost."""
    changed = _references_changed(True)
    if changed:
        pytest.fail(f"the compiled reader gains (+) or loses (-) references at each read: {changed}; "
                    "not compared further (the process would crash)")


@needs_compiled
def test_reading_many_files_neither_frees_nor_leaks_what_the_compiled_part_holds():
    """A C reference error shows here, before it crashes the process: each reader's compiled
    part holds the Cell class, the role, technology and state names and the callbacks; a read
    that took one reference too few from one of them frees it after some dozens of files (a
    segmentation fault in a later import), one too many leaks. Records read and dropped leave
    no memory behind either (tracemalloc: a leaked number or Cell per cell would be ~100 KB)."""
    for compiled in (False, True):  # the Python path shows the measure is steady
        changed = _references_changed(compiled)
        assert not changed, f"compiled={compiled}: references gained (+) or lost (-) over 6 reads: {changed}"
    tracemalloc.start()
    try:
        list(NemoReader(DAY, compiled=True))
        gc.collect()
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(5):
            list(NemoReader(DAY, compiled=True))
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert grown < 40_000, f"{grown} bytes left behind by 5 reads of {DAY.name}"


# ------------------------------------------------------------------ damaged copies of the real logs
# Field texts a damaged or odd file holds where a number should be: each one that Python's
# int()/float() accepts ("1e3", "nan", "+5", "5_0", "٣", " 5", 20+ digits) must read as Python
# reads it, and each one it refuses must be the same bad line with the same reason.
ODD_TEXTS = ["", " ", "1e3", "1E3", "nan", "NaN", "inf", "-inf", "Infinity", "+5", "5_0", "٣", "١٠", "٣.٥", "-0",
             "-0.0", "0.0", "0x10", "1.", ".5", "-.5", "00012", "-007", "1e400", "-1e400", "4.9e-324", "1e-400",
             "12345678901234567890123", "-12345678901234567890123", "9223372036854775807", "9223372036854775808",
             "-9223372036854775808", "-9223372036854775809", " 5", "5 ", " -63.0 ", "\t5", "5\t", "abc", "-", ".",
             "\x00", "5\x00", "1.5.2", "--5", "5-", "0.1000000000000000055511151231257827021181583404541015625",
             "123456789.123456789123456789", "-63.04999999999999715782905696", "1_000.5", "５", "5.0e0", "+-5"]
# Times a line may carry: not HH:MM:SS.mmm, out of range, or odd texts Python's float() reads.
ODD_TIMES = ["24:00:00.000", "1:2:3", "16:01:60.500", "16:01:61.000", "", " 16:01:58.567", "16:01:58.5671",
             "16:1:58.567", "-1:00:00.000", "16:01: 8.567", "16:01:+8.567", "16:01:5٣.000", "16:01:58",
             "16:01:58.5", "23:59:59.999", "00:00:00.000", "16:01:58.567 ", "16:01:5_.567", "1_6:01:58.567",
             "16:01:8_5.5", "16:01:58,567", "16:01:nan", "16:01:1e1", "16:01:-0.000", "１６:01:58.567"]
WANTED = (b"CELLMEAS,", b"GPS,", b"CHI,", b"RXQ,", b"TAD,", b"#STOP,")


def _fields(line: bytes) -> list[bytes]:
    return line.split(b",")


def _numeric_field(f: list[bytes], rng: random.Random) -> int:
    """A field index past the time that holds a number, else any past the id."""
    numeric = [i for i, x in enumerate(f) if i >= 2 and x and x.strip(b"-").replace(b".", b"").isdigit()]
    return rng.choice(numeric) if numeric else rng.randrange(1, len(f)) if len(f) > 1 else 0


def _replace_field(line: bytes, rng: random.Random, new: Callable[[bytes], bytes]) -> bytes:
    f = _fields(line)
    i = _numeric_field(f, rng)
    f[i] = new(f[i])
    return b",".join(f)


def _at(line: bytes, rng: random.Random) -> int:
    return rng.randrange(len(line) + 1)


def _huge(old: bytes, rng: random.Random) -> bytes:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(20, 30))).lstrip("0") or "1"
    return ((b"-" if old.startswith(b"-") else b"") + digits.encode()
            + (b"." + str(rng.randrange(10)).encode() if b"." in old else b""))


# name -> (line, rng) -> damaged line
DAMAGE: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip a bit": lambda s, r: (lambda i: s[:i] + bytes([s[i] ^ (1 << r.randrange(8))]) + s[i + 1:])(r.randrange(len(s))),
    "delete a character": lambda s, r: (lambda i: s[:i] + s[i + 1:])(r.randrange(len(s))),
    "double a character": lambda s, r: (lambda i: s[:i] + s[i:i + 1] + s[i:])(r.randrange(len(s))),
    "insert a comma": lambda s, r: (lambda i: s[:i] + b"," + s[i:])(_at(s, r)),
    "remove a comma": lambda s, r: (lambda c: s[:c] + s[c + 1:] if c >= 0 else s)(
        r.choice([i for i, ch in enumerate(s) if ch == 44] or [-1])),
    "blank a field": lambda s, r: _replace_field(s, r, lambda old: b""),
    "a number of 20+ digits": lambda s, r: _replace_field(s, r, lambda old: _huge(old, r)),
    "spaces around a number": lambda s, r: _replace_field(s, r, lambda old: r.choice([b" ", b""]) + old + r.choice([b" ", b"  "])),
    "an odd number text": lambda s, r: _replace_field(s, r, lambda old: r.choice(ODD_TEXTS).encode()),
    "a stray quote": lambda s, r: (lambda i: s[:i] + b'"' + s[i:])(_at(s, r)),
    "a NUL byte": lambda s, r: (lambda i: s[:i] + b"\x00" + s[i:])(_at(s, r)),
    "an odd time": lambda s, r: b",".join([_fields(s)[0], r.choice(ODD_TIMES).encode(), *_fields(s)[2:]]),
    "cut at a comma": lambda s, r: s[:r.choice([i for i, ch in enumerate(s) if ch == 44] or [len(s)])],
    "a trailing comma": lambda s, r: s + b",",
    "the last fields cut": lambda s, r: s.rsplit(b",", r.randint(1, 3))[0],
    "an integer off by one": lambda s, r: _replace_field(
        s, r, lambda old: str(int(old) + r.choice([-1, 1])).encode() if old.lstrip(b"-").isdigit() else old),
    "the line twice": lambda s, r: s + b"\n" + s,
    "a non-ASCII byte": lambda s, r: (lambda i: s[:i] + r.choice(["é", "٣", "\ufeff"]).encode() + s[i:])(_at(s, r)),
}


@dataclasses.dataclass
class Damaged:
    path: Path
    original: list[bytes]  # the source's lines
    lines: list[bytes]  # the same lines damaged (a line may now hold a line end: "the line twice")
    changes: list[tuple[int, str]]  # (0-based line index, damage), in the order made
    end: bytes  # the line end written
    tail: bytes  # a last line cut short, after the last line end ("" when none)
    chunk_bytes: int | None  # the reader's block size (None: its own)
    what: str

    def write(self, path: Path, lines: list[bytes]) -> Path:
        path.write_bytes(self.end.join(lines) + self.end + self.tail)
        return path


def damaged_copy(seed: int, directory: Path) -> Damaged:
    """A copy of a real log (the day mostly, a scanner file every sixth seed) with 1-25 lines
    damaged (mostly wanted lines), seeded; some copies get CRLF line ends, a last line cut
    short, or small read blocks."""
    rng = random.Random(seed)
    source = DAY if seed % 6 else REAL_LOGS[seed // 6 % len(REAL_LOGS)]
    original = source.read_bytes().split(b"\n")
    if original[-1] == b"":
        original.pop()
    lines = list(original)
    data = [i for i, s in enumerate(lines) if not s.startswith(b"#") or s.startswith(b"#STOP")]
    wanted = [i for i in data if lines[i].startswith(WANTED)]
    changes = []
    for _ in range(rng.randint(1, 25)):
        i = rng.choice(wanted if wanted and rng.random() < 0.85 else data)
        kind = rng.choice(list(DAMAGE))
        if lines[i]:
            lines[i] = DAMAGE[kind](lines[i], rng)
            changes.append((i, kind))
    what = [f"seed {seed}: {source.name}, {len(changes)} damages"]
    end = b"\n"
    if rng.random() < 0.2:
        end = b"\r\n"
        what.append("CRLF")
    tail = b""
    if rng.random() < 0.25:  # a wanted line cut short at the end of the file (a copy cut short)
        last = original[rng.choice(wanted)] if wanted else b"GPS,"
        tail = last[:rng.randrange(1, len(last) + 1)]
        what.append(f"last line cut short ({tail[:60]!r})")
    chunk_bytes = rng.choice([None, None, 1 << 14, 5 * 4096 + 17, 1 << 16])
    if chunk_bytes:
        what.append(f"blocks of {chunk_bytes} bytes")
    d = Damaged(directory / f"damaged-{seed}.{source.name.rsplit('.', 2)[-2]}.nmf", original, lines, changes, end,
                tail, chunk_bytes, ", ".join(what))
    d.write(d.path, lines)
    return d


DAMAGE_SEEDS = range(int(os.environ.get("FIELDAPP_FUZZ_DAMAGED", "60")))  # 60 in the suite; more by hand


def _alone(d: Damaged, directory: Path) -> list[str]:
    """The damaged lines of ``d`` that read differently on their own (each alone in a copy of
    the source with the same line ends, tail and blocks): the input lines to report."""
    found = []
    for i in sorted({i for i, _kind in d.changes}):
        one = list(d.original)
        one[i] = d.lines[i]
        path = d.write(directory / f"alone-{i}.nmf", one)
        diff = difference(path, read_outcome(path, compiled=False, chunk_bytes=d.chunk_bytes),
                          read_outcome(path, compiled=True, chunk_bytes=d.chunk_bytes))
        if diff:
            kinds = ", ".join(kind for j, kind in d.changes if j == i)
            found.append(f"line {i + 1} ({kinds}): {d.lines[i][:300]!r}\n{diff}")
    return found


@needs_compiled
@pytest.mark.parametrize("log", REAL_LOGS, ids=lambda p: p.name)
def test_the_real_logs_read_the_same_compiled(log, sound_compiled_part):
    outcome = compare(log)
    assert outcome.records and outcome.error is None


@needs_compiled
@pytest.mark.parametrize("seed", DAMAGE_SEEDS)
def test_damaged_copies_read_the_same_compiled(seed, tmp_path, sound_compiled_part):
    d = damaged_copy(seed, tmp_path)
    python = read_outcome(d.path, compiled=False, chunk_bytes=d.chunk_bytes)
    compiled = read_outcome(d.path, compiled=True, chunk_bytes=d.chunk_bytes)
    diff = difference(d.path, python, compiled)
    if diff:
        alone = _alone(d, tmp_path)
        pytest.fail(f"{d.what} reads differently compiled:\n{diff}\n\nthe damaged lines that differ alone:\n"
                    + ("\n".join(alone) or "(none alone: only together)"))


def test_the_damage_makes_bad_lines_of_every_kind_and_never_a_traceback(tmp_path):
    """The damaged copies are worth comparing (Python path alone): together they hold every
    damage, bad lines of many reasons, CRLF files, cut last lines, and still records. And the
    Python reader never raises on them (a traceback would be its own bug, "bad input gets a
    clear one-line message"; the comparison would only show both raise alike)."""
    reasons, kinds, cut, records, crlf = set(), set(), 0, 0, 0
    for seed in DAMAGE_SEEDS:
        d = damaged_copy(seed, tmp_path)
        reader = NemoReader(d.path, compiled=False)
        if d.chunk_bytes:
            reader.chunk_bytes = d.chunk_bytes
        records += sum(1 for _rec in reader)  # raises if the reader does
        reasons |= {reason_kind(b.reason) for b in reader.stats.bad_lines}
        kinds |= {kind for _i, kind in d.changes}
        cut += "last line cut short" in d.what
        crlf += "CRLF" in d.what
    assert kinds == set(DAMAGE)
    assert {"not text", "too few fields", "bad time", "not a number", "bad value", "last line cut short",
            "a whole number beyond 64 bits", "not a record", "not an integer"} <= reasons, reasons
    assert cut >= 5 and crlf >= 5 and records > len(DAMAGE_SEEDS) * 300


# ------------------------------------------------------------------ hand-written edge lines
# Written for this test from the real day's lines (tests/fixtures/logs/nemo-RYG0443_R3_R002.3.nmf,
# quoted in logs/nemo_fields.py), each changed at one edge of what the compiled part reads (its
# number shapes, digit limits, counts, group lengths, field limit), after a CHI and a fix so
# the held state is put on the sample too.
_U = ("CELLMEAS,16:02:00.100,,5,0,1,3,10588,-56.1,50001,3,17,0,50001,10588,303,-11.4,,-67.5,0,,,,,-10.0,-63.0,0,"
      "34421.0,,1,50001,10588,159,-11.0,,-67.7,0,,,,,-17.0,-67.0,0,33396.0,,1,50001,10588,114,-17.0,,-73.7,0,,,,,,,0,"
      "2160.0,")
_L = "CELLMEAS,16:02:00.100,,7,0,1,9,0,70001,125,400,-56.4,-84.4,-10.8,236680,111.0"
_G = "GPS,16:02:00.100,,101.267143,12.659351,10,0,1,9,0,1.90,1.10,1.60,1"
_PSC = ",10588,303,-11.4,,-67.5,"  # the serving cell's UARFCN, PSC, Ec/No, STTD, RSCP in _U
EDGE_LINES = [
    _U, _L, _G,
    _U.replace(",,5,0,1,3,", ",,05,0,1,3,"), _U.replace(",,5,0,1,3,", ",,5,000,1,3,"),
    _U.replace(",,5,0,1,3,", ",,5,,1,3,"), _U.replace(",,5,0,1,3,", ",,5,0,01,3,"),
    _U.replace(",3,17,0,", ",03,017,0,"), _U.replace(",3,17,0,", ",3,17,-0,"), _U.replace(",3,17,0,", ",3,17,00,"),
    _U.replace(_PSC, ",010588,0303,-11.4,,-67.5,"), _U.replace(_PSC, ",10588,303,-0,,-0.0,"),
    _U.replace(_PSC, ",10588,303,5.,,.5,"), _U.replace(_PSC, ",10588,303,-.5,,-0.000,"),
    _U.replace(_PSC, ",999999999999999999,303,-11.4,,-67.5,"),  # 18 digits
    _U.replace(_PSC, ",1000000000000000000,303,-11.4,,-67.5,"),  # 19 digits, within 64 bits
    _U.replace(_PSC, ",9223372036854775808,303,-11.4,,-67.5,"),  # beyond 64 bits: a bad line
    _U.replace(_PSC, ",10588,303,-11.40000000000000,,-67.5,"),  # 16 significant digits
    _U.replace(_PSC, ",10588,303,-11.4,,-67.50000000000000000000001,"),  # 23 decimals
    _U.replace(_PSC, ",10588,303,0.0000000000000000000000001,,-67.5,"),
    _U.replace(_PSC, ",10588,303," + "9" * 64 + ",,-67.5,"), _U.replace(_PSC, ",10588,303," + "9" * 65 + ",,-67.5,"),
    _U.replace(_PSC, ",10588,303," + "0" * 60 + "1.5,,-67.5,"),
    _U.replace(_PSC, ",10588,303,0.1000000000000000055511151231257827021181583404541015625,,-67.5,"),
    _U.replace(_PSC, ",10588,303,-11.4,,-67.5\x00,"), _U.replace(",50001,10588,303", ",5\x0001,10588,303"),
    _U.replace(",3,17,0,", ",3,999999999,0,"), _U.replace(",3,17,0,", ",1000000000,17,0,"),
    _U.replace(",3,17,0,", ",0,17,0,"), _U.replace(",3,17,0,", ",3,0,0,"),
    _U.replace(",3,17,0,", ",4,17,0,"),  # one cell more than the line holds
    _U[:-1], _U[:-2], _U[:-9],  # the last cell's fields cut: by one (read), by more
    _U.replace(",3,17,0,", ",3,6,0,"), _U.replace(",3,17,0,", ",3,7,0,"),  # fewer params per cell
    _U + ",0" * 3000,  # more fields than the compiled part takes
    _U.replace(",,5,", ",,5,3,1,2,3,", 1).replace(",5,3,1,2,3,0,", ",5,3,1,2,3,"),  # header params
    _U.replace(",,5,0,1,3,10588,-56.1,50001,", ",,5,0,2,3,10588,-56.1,50001,10563,-43.5,50001,"),  # 2 channels
    _U.replace(",,5,0,1,3,10588,-56.1,50001,", ",,5,0,0,3,"), _U.replace(",,5,0,1,3,", ",,5,0,1,0,"),
    _U.replace(",,5,", ",1,44,5,"), _U.replace(",,5,", ", ,5,"), _U.replace("16:02:00.100", "16:02:00.1"),
    _U.replace("16:02:00.100", "24:00:00.000"), _U.replace("16:02:00.100", "16:02:61.000"),
    _L.replace(",7,0,1,9,", ",8,0,1,9,"), _L.replace(",7,0,1,9,", ",7,0,1,11,") + ",-80.0,12.5",
    _L.replace(",7,0,1,9,", ",7,0,1,11,"),  # the SINR field past the line's end: cut by two
    _L.replace(",7,0,1,9,", ",7,0,0,9,"), "CELLMEAS,16:02:00.100,,7,0,0,9", "CELLMEAS,16:02:00.100,,7,0,0",
    "CELLMEAS,16:02:00.100,,7", "CELLMEAS,16:02:00.100,,7,", "CELLMEAS,16:02:00.100,,5,0,1,3,10588,-56.1,50001,3",
    _L.replace(",0,70001,125,400,", ",10,70001,125,400,"), _L.replace(",0,70001,125,400,", ",,70001,125,400,"),
    _L.replace(",0,70001,125,400,", ",4,70001,125,400,"),  # a type without a name: its number as state
    _G.replace(",1,9,0,", ",0,9,0,"), _G.replace(",1,9,0,", ",00,9,0,"), _G.replace(",1,9,0,", ",-0,9,0,"),
    _G.replace(",1,9,0,", ",,9,0,"), _G.replace(",1,9,0,", ",1,,0,"), _G.replace(",1,9,0,", ",1,9,,"),
    _G.replace("12.659351", "90.00000000000000001"), _G.replace("12.659351", "90.0000001"),
    _G.replace("101.267143", "-180.000000000000000001"), _G.replace("101.267143", "180.5"),
    _G.replace("101.267143", "-0.0"), _G.replace(",1.10,1.60,1", ",,1.60,1"), _G.replace(",1.10,1.60,1", ",1.10"),
    _G.replace(",1.90,1.10,1.60,1", ",1.90"), _G.replace(",1.90,1.10,1.60,1", ""), _G.replace(",10,0,1,", ",,0,1,"),
    _G.replace(",10,0,1,", ",10,,1,"), _G.replace(",,101.267143", ",1,101.267143"), "GPS,16:02:00.100,",
    _G.replace(",1,9,0,", ",1,999999999999999999,0,"), _G.replace(",1,9,0,", ",1,9223372036854775808,0,"),
]


@needs_compiled
@pytest.mark.parametrize("line", EDGE_LINES, ids=range(len(EDGE_LINES)))
def test_edge_lines_read_the_same_compiled(line, tmp_path, sound_compiled_part):
    body = ["CHI,16:02:00.000,,5,50001,4,10588,23823346,3122,3.0,320,5.0,640,0.5,320,,64,,24.0,2",
            "CHI,16:02:00.000,,7,70001,1,25,125,400,13320452,174,23.0,2,1,,1,692,,0,10,305,1,4,,0",
            "GPS,16:02:00.050,,101.267143,12.659348,10,0,1,8,0,2.20,1.30,1.80,1", line, line.replace(".100,", ".200,")]
    path = tmp_path / "edge.1.nmf"
    path.write_text('#FF,,,"2.27"\n#UT,,,420,420\n#START,16:01:58.536,,"26.8.2018"\n' + "\n".join(body) + "\n",
                    encoding="utf-8")
    compare(path)


def test_the_edge_lines_are_read_and_refused_as_they_should_be(tmp_path):
    """The edge lines reach both sides of each limit (Python path alone)."""
    path = tmp_path / "edge.1.nmf"
    path.write_text('#FF,,,"2.27"\n#UT,,,420,420\n#START,16:01:58.536,,"26.8.2018"\n' + "\n".join(EDGE_LINES) + "\n",
                    encoding="utf-8")
    reader = NemoReader(path, compiled=False)
    records = list(reader)
    kinds = {reason_kind(b.reason) for b in reader.stats.bad_lines}
    assert len(records) > len(EDGE_LINES) // 2 and reader.stats.bad_count > 10
    assert {"a whole number beyond 64 bits", "bad time", "cell group shorter than its count",
            "bad cell group counts"} <= kinds, kinds


# ------------------------------------------------------------------ hypothesis-written files
# Plain number texts as a logger writes them, and now and then one of the odd ones.
_int = st.integers(-200, 70000).map(str)
_dbm = st.integers(-1400, 300).map(lambda i: f"{i / 10:.1f}")
_float = st.one_of(_dbm, st.floats(-1e5, 1e5, allow_nan=False).map(lambda x: f"{x:.{abs(int(x)) % 7}f}"))
_odd = st.sampled_from(ODD_TEXTS)
_field = st.one_of(_int, _dbm, _float, st.just(""), st.just(""), _odd)
# (hypothesis draws the first choice of a list, and zeros, most often: the usual first)
_type_umts = st.sampled_from(["0", "1", "0", "1", "2", "3", "7", ""])
_type_lte = st.sampled_from(["0", "0", "1", "2", "10", "3", ""])
_uarfcn = st.sampled_from(["10588", "10563", "10588", "3011"])  # the real log's channels, mostly
_psc = st.sampled_from(["303", "159", "114", "0", "511"])
_earfcn = st.sampled_from(["125", "1850", "125", "6300"])
_pci = st.sampled_from(["400", "364", "279", "0", "503"])


@st.composite
def _count_text(draw, actual: int) -> str:
    """The count a line says for ``actual`` items: right mostly, else off, zero, negative,
    missing or odd."""
    return draw(st.sampled_from([str(actual)] * 24 + [str(actual + 1), str(max(actual - 1, 0)), "0", "-1", "", " " + str(actual),
                                 f"{actual}.0", "+" + str(actual), "99999999999999999999999", "x", "1e1"]))


@st.composite
def _mutated(draw, fields: list[str], start: int = 3) -> list[str]:
    """``fields`` with 0-2 of those past ``start`` replaced by an odd text, and the tail now
    and then cut or lengthened."""
    fields = list(fields)
    for _ in range(draw(st.sampled_from([0] * 6 + [1, 1, 2]))):
        if len(fields) > start:
            fields[draw(st.integers(start, len(fields) - 1))] = draw(_odd)
    tail = draw(st.sampled_from([0] * 6 + [-1, -2, -3, -5, 1, 2]))
    if tail < 0:
        fields = fields[:max(len(fields) + tail, 2)]
    else:
        fields += [""] * tail
    return fields


@st.composite
def _cells(draw, n: int, p: int, make: Callable[[Any], list[str]], serving: str) -> list[str]:
    out = []
    for k in range(n):
        cell = make(draw)
        if k == 0 and draw(st.sampled_from([True] * 3 + [False])):
            cell[0] = serving  # the serving cell first, as in the real log
        cell = (cell + [draw(_field) for _ in range(max(p - len(cell), 0))])[:p]
        out += cell
    return out


def _umts_cell(draw) -> list[str]:
    # type, band, UARFCN, PSC, Ec/No, STTD, RSCP, ... (17 per cell in the real log)
    return [draw(_type_umts), "50001", draw(_uarfcn), draw(_psc), draw(_dbm), "", draw(_dbm), "0", "", "", "", "",
            draw(_dbm), draw(_dbm), "0", draw(_float), ""]


def _lte_cell(draw) -> list[str]:
    # type, band, EARFCN, PCI, RSSI, RSRP, RSRQ, timing, pathloss, Srxlev, SINR
    return [draw(_type_lte), "70001", draw(_earfcn), draw(_pci), draw(_dbm), draw(_dbm), draw(_dbm), draw(_int),
            draw(_float), draw(_float), draw(_dbm)]


def _gsm_cell(draw) -> list[str]:
    # type, band, ARFCN, BSIC, RxLev full dBm, RxLev sub dBm, C1, C2, C31, C32, HCS prio, HCS thr, CI, LAC, RAC, Srxlev
    return [draw(st.sampled_from(["1", "0", "0", ""])), "900", draw(st.sampled_from(["100", "62", "100"])),
            draw(st.sampled_from(["23", "63", "64", ""])), draw(_dbm), draw(_dbm), draw(_int), draw(_int), "", "",
            "", "", draw(_int), draw(_int), "", ""]


@st.composite
def cellmeas(draw, time_text: str) -> str:
    system = draw(st.sampled_from(["5"] * 8 + ["7"] * 4 + ["8", "8", "1", "1", "1", "05", " 5", "3", "", "5.0", "٥", "+7"]))
    kind = {"7": "lte", "8": "lte", "+7": "lte", "1": "gsm"}.get(system, "umts")
    hdrs = draw(st.one_of(st.just([]), st.just([]), st.just([]), st.lists(_field, max_size=3)))
    head = [draw(_count_text(len(hdrs))), *hdrs]
    if kind == "umts":  # channels: UARFCN, RSSI, band (3 params each in the real log)
        n_ch = draw(st.sampled_from([1, 1, 1, 1, 0, 2]))
        p_ch = draw(st.sampled_from([3, 3, 3, 3, 2, 4]))
        channels = [x for _ in range(n_ch) for x in [draw(_uarfcn), draw(_dbm), "50001", "0"][:p_ch]]
        head += [draw(_count_text(n_ch)), draw(_count_text(p_ch)), *channels]
    n = draw(st.sampled_from([3, 1, 2, 3, 4, 6, 0]))
    p, make = {"umts": (st.sampled_from([17, 17, 17, 7, 6, 8, 18, 1]), _umts_cell),
               "lte": (st.sampled_from([9, 11, 11, 12, 10, 8, 1]), _lte_cell),
               "gsm": (st.sampled_from([16, 16, 14, 13, 20]), _gsm_cell)}[kind]
    p = draw(p)
    cells = draw(_cells(n, p, make, "1" if kind == "gsm" else "0"))
    fields = ["CELLMEAS", time_text, "", system, *head, draw(_count_text(n)), draw(_count_text(p)), *cells]
    return ",".join(draw(_mutated(fields)))


@st.composite
def gps(draw, time_text: str) -> str:
    lon = draw(st.one_of(st.floats(-180, 180), st.floats(-180, 180), st.floats(-200, 200),
                         st.sampled_from([101.267143, 0.0, -0.0, 180.0, -180.0, 180.0000004])))
    lat = draw(st.one_of(st.floats(-90, 90), st.floats(-90, 90), st.floats(-100, 100),
                         st.sampled_from([12.659351, 90.0, -90.0, -90.0000004])))
    fields = [f"{lon:.6f}", f"{lat:.6f}", draw(_int), draw(_int), draw(st.sampled_from(["1", "1", "1", "0", "2", ""])),
              draw(st.sampled_from(["9", "8", "0", "15", ""])), draw(st.one_of(_int, _dbm)),
              draw(_dbm), draw(_dbm), draw(_dbm), "1"]
    fields = fields[:draw(st.sampled_from([11, 11, 11, 10, 9, 8, 7, 5, 2, 1]))]
    return ",".join(draw(_mutated(["GPS", time_text, "", *fields])))


@st.composite
def other(draw, time_text: str) -> str:
    """The lines around: CHI naming the cells above (so the held cell id, LAC and mode are put
    on the serving cells), GSM RXQ/TAD, a call end, unread types. Their layouts are the real
    log's (tests/fixtures/logs/nemo-RYG0443_R3_R002.3.nmf)."""
    line = draw(st.sampled_from([
        "CHI,{t},,5,50001,{rrc},{uarfcn},23823346,3122,3.0,320,5.0,640,0.5,320,,64,,24.0,2",  # real, fields varied
        "CHI,{t},,7,70001,{rrc},25,{earfcn},{pci},13320452,174,23.0,2,1,,1,692,,0,10,305,1,4,,0",  # real
        "CHI,{t},,5,50001,{rrc},{uarfcn},23823346,3122,3.0,320,5.0,640,0.5,320,,64,,24.0,2",
        "CHI,{t},,7,70001,{rrc},25,{earfcn},{pci},13320452,174,23.0,2,1,,1,692,,0,10,305,1,4,,0",
        "CHI,{t},,5,50001,{rrc},{uarfcn},,,3.0,320",
        "CHI,{t},,8,70001,{rrc},25,{earfcn},{pci},13320452,174",
        "CHI,{t},,1,900,1,62,1009,65,0,,,2,100,23,900",  # GSM, the documented layout (no real line public)
        "RXQ,{t},,1,3,4", "TAD,{t},,1,5", "TAD,{t},,7,1",  # TAD: real
        "CAD,{t},1,44,5,1,1,16",  # real
        "RRCSM,{t},,5,1,2,\"0800\"", "MACRATE,{t},,5,1,2",  # unread types
    ]))
    return line.format(t=time_text, rrc=draw(st.sampled_from(["1", "2", "4", "5", ""])), uarfcn=draw(_uarfcn),
                       earfcn=draw(_earfcn), pci=draw(_pci))


def _fmt(seconds: float) -> str:
    ms = round(seconds * 1000) % 86_400_000
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


@st.composite
def nmf_files(draw, main: Callable[[str], st.SearchStrategy[str]]) -> bytes:
    """A small .nmf: the real log's header lines with a #START (a time near 16:00 or just
    before midnight, now and then none), then 1-12 lines, mostly ``main``'s, with times that
    go on, stay, step back a little or cross midnight, now and then an odd one."""
    start = draw(st.sampled_from([16 * 3600 + 118.536, 86400 - 5.25, 0.0, 12 * 3600.0]))
    ut = draw(st.sampled_from(["420,420", "0,0", "-60,-60", "", "420"]))
    header = ['#PRODUCT,,,"NEMO OUTDOOR","7.8.0.8"', '#FF,,,"2.27"', f"#UT,,,{ut}"]
    if draw(st.sampled_from([True] * 19 + [False])):  # else no #START: no date
        header.append(f'#START,{_fmt(start)},,"{draw(st.sampled_from(["26.8.2018", "31.12.2026", "29.2.2024"]))}"')
    body, t = [], start
    for _ in range(draw(st.integers(1, 12))):
        t += draw(st.sampled_from([0.0, 0.001, 0.2, 0.2, 0.5, 1.0, 61.0, -0.5, -13 * 3600.0, 3.0]))
        text = _fmt(t) if draw(st.sampled_from([True] * 9 + [False])) else draw(st.sampled_from(ODD_TIMES))
        body.append(draw(st.one_of(main(text), main(text), other(text))))
    if draw(st.sampled_from([False] * 9 + [True])):
        body.append(f"#STOP,{_fmt(t + 1)},,\"26.8.2018\"")
    end = draw(st.sampled_from(["\n", "\n", "\n", "\r\n"]))
    text = end.join(header + body)
    if draw(st.sampled_from([True] * 7 + [False])):  # else the last line has no line end (a copy cut short)
        text += end
    return text.encode("utf-8")


def _write(tmp: Path, data: bytes) -> Path:
    path = tmp / "generated.1.nmf"
    path.write_bytes(data)
    return path


def _mixed(t: str) -> st.SearchStrategy[str]:
    return st.one_of(cellmeas(t), gps(t))


_settings = settings(max_examples=EXAMPLES, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@needs_compiled
@_settings
@given(data=nmf_files(cellmeas))
def test_any_cellmeas_lines_read_the_same_compiled(data, tmp_path, sound_compiled_part):
    compare(_write(tmp_path, data))


@needs_compiled
@_settings
@given(data=nmf_files(gps))
def test_any_gps_lines_read_the_same_compiled(data, tmp_path, sound_compiled_part):
    compare(_write(tmp_path, data))


@needs_compiled
@_settings
@given(data=nmf_files(_mixed))
def test_any_mix_of_lines_reads_the_same_compiled(data, tmp_path, sound_compiled_part):
    compare(_write(tmp_path, data))


def test_the_generated_files_hold_records_bad_lines_and_odd_values(tmp_path):
    """The generators are worth comparing (Python path alone): their files give samples of
    every technology with cells, positions, GSM samples with RXQ/TA, held CHI ids, bad lines
    of many reasons, and unknown systems."""
    seen: dict[str, int] = {}

    def note(key: str) -> None:
        seen[key] = seen.get(key, 0) + 1

    @settings(max_examples=300, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=nmf_files(_mixed))
    def run(data):
        r = NemoReader(_write(tmp_path, data), compiled=False)
        for rec in r:
            if isinstance(rec, model.Sample):
                note(f"sample {rec.tech}")
                if rec.serving is not None and rec.serving.ci is not None:
                    note("serving cell id from CHI")
                if rec.neighbours:
                    note("neighbours")
                if rec.position is not None:
                    note("sample with position")
            else:
                note(type(rec).__name__)
        for b in r.stats.bad_lines:
            note("bad: " + reason_kind(b.reason))
        for k in r.stats.unknown:
            note("unknown: " + k.rsplit(" ", 1)[0] if k.startswith("CELLMEAS system") else "unknown: " + k)

    run()
    for key in ("sample UMTS", "sample LTE", "sample GSM", "sample None", "serving cell id from CHI", "neighbours",
                "sample with position", "Position", "Event", "bad: bad time", "bad: not a number",
                "bad: bad value", "bad: bad cell group counts", "bad: a whole number beyond 64 bits",
                "unknown: GPS without fix", "unknown: CELLMEAS system", "unknown: RRCSM"):
        assert seen.get(key, 0) >= 3, (key, seen)


# ------------------------------------------------------------------ the compiled path is taken
@pytest.mark.skipif(not compiler_present(), reason="no C compiler or Python headers: the Python reader runs")
def test_the_compiled_reader_is_built_where_a_compiler_is():
    """setup.py builds logs/_nemoline.c as optional: a broken build would pass every other test
    here (skipped) and import on the Python path. Where a compiler is, it must be built, current
    and in use."""
    assert nemo_fast.READING == "compiled", (
        f"logs.nemo_fast.READING is {nemo_fast.READING!r}: logs/_nemoline.c is not built (or older than "
        "its source) in this venv: `make .venv/.installed`, or look at the pip output for the compiler's error")


@needs_compiled
def test_the_usual_lines_do_not_reach_the_python_line_readers(monkeypatch, sound_compiled_part):
    """Every CELLMEAS (267 UMTS, 47 LTE) and GPS (157) line of the real day has the usual shape:
    read compiled, none of them goes through the Python cell or GPS readers (counted by
    wrapping them), and the records are the same."""
    import logs.nemo as nemo
    import logs.nemo_fields as nemo_fields

    calls = dict.fromkeys(("umts_line_cells", "_umts_cells", "_lte_cells", "_gps", "_gps_general"), 0)

    def counted(name: str, real: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    for module in (nemo, nemo_fields):  # the names logs.nemo imported and logs.nemo_fields' own
        for name in ("umts_line_cells", "_umts_cells"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, counted(name, getattr(nemo_fields, name)))
    monkeypatch.setitem(nemo_fields.CELL_PARSERS, 5, counted("_umts_cells", nemo_fields._umts_cells))
    for system in (7, 8):
        monkeypatch.setitem(nemo_fields.CELL_PARSERS, system, counted("_lte_cells", nemo_fields._lte_cells))
    for name in ("_gps", "_gps_general"):
        monkeypatch.setattr(nemo.NemoReader, name, counted(name, getattr(nemo.NemoReader, name)))

    python = read_outcome(DAY, compiled=False)
    assert calls["umts_line_cells"] == 267 and calls["_lte_cells"] == 47 and calls["_gps"] == 157, calls
    calls.update(dict.fromkeys(calls, 0))
    compiled = read_outcome(DAY, compiled=True)
    assert compiled.records == python.records and len(python.records) == 489
    assert calls == dict.fromkeys(calls, 0), f"lines of the usual shape read in Python: {calls}"
