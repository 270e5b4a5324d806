"""The compiled reader of Nemo's bulk lines (logs/_nemoline.c through logs/nemo_fast.py): what it
reads, what it leaves to Python, and when it is not used. The wide comparison of the two paths
(real, damaged and generated files) is tests/logs/test_nemo_compiled.py.

Real lines are from tests/fixtures/logs/nemo-RYG0443_R3_R002.3.nmf (Nemo Outdoor 7.8, #FF 2.27,
tchiayan/nemoparser; see its header); the odd ones are those lines edited, as noted.
"""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from fieldapp import compiled_parts, doctor
from fieldapp.store import rows
from logs import nemo_fast
from logs.nemo import NemoReader
from tests.logs.test_nemo_compiled import canonical

FIXTURE = Path(__file__).parents[1] / "fixtures" / "logs" / "nemo-RYG0443_R3_R002.3.nmf"
needs_compiled = pytest.mark.skipif(nemo_fast.READING != "compiled", reason="the compiled reader is not built here")

# Real lines of the fixture (line numbers there).
UMTS = ("CELLMEAS,16:01:58.567,,5,0,1,3,10588,-56.1,50001,3,17,0,50001,10588,303,-11.4,,-67.5,0,,,,,-10.0,-63.0,0,"
        "34421.0,,1,50001,10588,159,-11.0,,-67.7,0,,,,,-17.0,-67.0,0,33396.0,,1,50001,10588,114,-17.0,,-73.7,0,,,,,,,"
        "0,2160.0,")  # line 55
LTE = "CELLMEAS,16:02:04.213,,7,0,2,9,2,70001,125,364,,-80.0,-8.0,,,2,70001,125,279,,-94.0,-20.0,,"  # line 190
LTE_EMPTY = "CELLMEAS,16:02:07.475,,7,0,0,9"  # no cell measured
GPS = "GPS,16:01:58.768,,101.267143,12.659348,10,0,1,8,0,2.20,1.30,1.80,1"  # line 64


def read_lines(tmp_path: Path, lines: list[str], compiled: bool) -> tuple[list, dict]:
    path = tmp_path / f"log-{compiled}.nmf"
    path.write_text('#START,16:01:58.536,,"26.8.2018"\n#UT,,,420,420\n' + "\n".join(lines) + "\n")
    reader = NemoReader(path, compiled=compiled)
    records = [canonical(r) for r in reader]
    st = reader.stats
    return records, {"bad": [(b.line_no, b.reason, b.text) for b in st.bad_lines], "unknown": dict(st.unknown),
                     "records": dict(st.records), "lines": st.lines}


def calls_of(line: str) -> list[tuple]:
    """What the compiled part hands back for one line: ("cellmeas"|"gps", args...) or NotImplemented."""
    calls: list[tuple] = []
    read = nemo_fast.compiled_line_reader(lambda *a: calls.append(("cellmeas", *a)) or "sample",
                                          lambda *a: calls.append(("gps", *a)) or "fix")
    got = read(line.encode())
    return calls if got is not NotImplemented else NotImplemented


def test_built_wherever_the_store_part_is():
    """setup.py builds both compiled parts the same way: one built without the other is a
    broken build (which every other test would pass silently on the Python path)."""
    if rows.PACKING == "compiled":
        assert nemo_fast.READING == "compiled", "logs/_nemoline.c is not built: `make .venv/.installed`"


@needs_compiled
def test_the_usual_lines_are_read_by_the_compiled_part():
    [(kind, text, system, serving, cells)] = calls_of(UMTS)
    assert (kind, text, system) == ("cellmeas", "16:01:58.567", 5)
    assert (serving.role, serving.tech, serving.arfcn, serving.pci, serving.ecno_db, serving.rscp_dbm,
            serving.state) == ("serving", "UMTS", 10588, 303, -11.4, -67.5, "active")
    assert [(c.role, c.pci, c.ecno_db, c.rscp_dbm, c.state) for c in cells] == [
        ("neighbour", 159, -11.0, -67.7, "monitored"), ("neighbour", 114, -17.0, -73.7, "monitored")]
    [(kind, text, system, serving, cells)] = calls_of(LTE)
    assert (system, serving) == (7, None)  # type 2: detected cells only, no serving cell
    assert [(c.arfcn, c.pci, c.rsrp_dbm, c.rsrq_db, c.sinr_db, c.state) for c in cells] == [
        (125, 364, -80.0, -8.0, None, "detected"), (125, 279, -94.0, -20.0, None, "detected")]
    assert calls_of(LTE_EMPTY) == [("cellmeas", "16:02:07.475", 7, None, ())]
    assert calls_of(GPS) == [("gps", "16:01:58.768", 101.267143, 12.659348, 10.0, 1, 8, 0.0, 1.30)]


# Lines it must leave to Python (which reads them, or says why they are bad), each an edit of a
# real line above.
LEFT_TO_PYTHON = {
    "GSM (system 1)": "CELLMEAS,16:01:58.567,,1,0,1,16,1,10900,62,7,-70.0,-71.0,,,,,,,12345,1001,,",
    "a context id": UMTS.replace("16:01:58.567,,5", "16:01:58.567,1,44,5"),
    "blanks around a number": UMTS.replace(",-11.4,", ", -11.4,"),
    "an exponent": UMTS.replace(",-11.4,", ",-1.14e1,"),
    "nan": UMTS.replace(",-11.4,", ",nan,"),
    "an underscore": UMTS.replace(",10588,303,", ",10588,3_03,"),
    "a plus sign": UMTS.replace(",10588,303,", ",10588,+303,"),
    "a 19-digit number": UMTS.replace(",10588,303,", ",10588,1234567890123456789,"),
    "a non-ASCII digit": UMTS.replace(",10588,303,", ",10588,\u0663,"),
    "a quote": UMTS.replace(",34421.0,", ',"34421.0",'),
    "more cells than fields": UMTS.replace(",3,17,0,", ",4,17,0,"),
    "a negative count": UMTS.replace(",3,17,0,", ",-3,17,0,"),
    "no params per cell": UMTS.replace(",3,17,0,", ",3,0,0,"),
    "a blank count": UMTS.replace(",3,17,0,", ",,17,0,"),
    "an unknown system": LTE.replace(",,7,0,", ",,9,0,"),
    "GPS without a fix": GPS.replace(",10,0,1,8,", ",10,0,0,8,"),
    "GPS latitude out of range": GPS.replace("12.659348", "92.659348"),
    "GPS with a blank height": GPS.replace(",10,0,1,", ",,0,1,"),
    "GPS cut short": GPS[:GPS.index(",1.30")],
    "another record": "CHI,16:02:04.572,,5,50001,4,10588,23823345,3122",
}


@needs_compiled
@pytest.mark.parametrize("name", LEFT_TO_PYTHON)
def test_anything_unusual_is_left_to_python(name):
    assert calls_of(LEFT_TO_PYTHON[name]) is NotImplemented


@needs_compiled
def test_the_same_records_and_reports_either_way(tmp_path):
    """The real lines, the odd ones and a few that are bad lines for the Python reader: the
    records, bad lines (numbers and reasons), counts are the same with and without the compiled part."""
    lines = [UMTS, LTE, LTE_EMPTY, GPS, *LEFT_TO_PYTHON.values(),
             UMTS.replace("16:01:58.567", "16:01:58.5x7"),  # a bad time: Python reads it first, either way
             GPS.replace("16:01:58.768", "25:01:58.768"),
             UMTS.replace(",10588,303,", ",10588,3x3,")]
    assert read_lines(tmp_path, lines, True) == read_lines(tmp_path, lines, False)
    python = read_lines(tmp_path, lines, False)
    assert python[1]["records"] == {"samples": 13, "positions": 3} and len(python[1]["bad"]) == 8


@needs_compiled
def test_the_real_file_reads_the_same(tmp_path):
    fast, pure = NemoReader(FIXTURE), NemoReader(FIXTURE, compiled=False)
    assert [canonical(r) for r in fast] == [canonical(r) for r in pure]
    assert fast.stats.records == pure.stats.records and fast.stats.records["samples"] > 300


def test_not_used_when_stale_missing_or_asked_not_to(monkeypatch):
    source = Path(nemo_fast.__file__).with_name("_nemoline.c")
    digest = compiled_parts.source_sha256(source)
    fail = lambda *a, **k: pytest.fail("a stale build was used")  # noqa: E731
    assert nemo_fast.line_reader(types.SimpleNamespace(SOURCE_SHA256="0" * 64, Reader=fail), print, print) == (
        None, "stale")  # built from an older _nemoline.c (a pull without a rebuild)
    refuses = types.SimpleNamespace(SOURCE_SHA256=digest, Reader=lambda cell, fields: None)
    assert nemo_fast.line_reader(refuses, print, print) == (None, "stale")  # takes other arguments
    assert nemo_fast.line_reader(None, print, print) == (None, "python")  # not built (no compiler)
    monkeypatch.setenv("FIELDAPP_PURE_READERS", "1")
    assert nemo_fast.line_reader(types.SimpleNamespace(SOURCE_SHA256=digest, Reader=fail), print, print) == (
        None, "python")
    for off in ("0", "", " 0 "):  # "=0" means off, as a user writes it (QA: it used to mean on)
        monkeypatch.setenv("FIELDAPP_PURE_READERS", off)
        assert not compiled_parts.python_asked("FIELDAPP_PURE_READERS")


def test_the_doctor_says_which_reader_runs():
    assert doctor.compiled_part_check(doctor.NEMO_PART, "compiled", "Linux").status == doctor.OK
    stale = doctor.compiled_part_check(doctor.NEMO_PART, "stale", "Linux")
    assert stale.status == doctor.WARN and "logs/_nemoline.c" in stale.detail and "make" in stale.fix
    if not compiled_parts.python_asked("FIELDAPP_PURE_READERS"):
        python = doctor.compiled_part_check(doctor.NEMO_PART, "python", "Linux")
        assert python.status == doctor.INFO and "no C compiler" in python.detail and "python3-dev" in python.fix


WINDOWS_LONG = "CELLMEAS,16:02:04.213,,7,0,2,9,2147483648,70001,125,364,,-80.0,-8.0,,,2,70001,125,279,,-94.0,-20.0,,"


@needs_compiled
def test_a_cell_type_beyond_32_bits_is_a_neighbour_of_that_state(tmp_path):
    """A cell type of 2^31 (a damaged line, from QA) is read like any other unknown type: a
    neighbour whose state is the number. The serving-cell test read it as a C long, which is 32
    bits on Windows: there it raised and stopped the whole import."""
    [(kind, text, system, serving, cells)] = calls_of(WINDOWS_LONG)
    assert serving is None and [(c.role, c.state) for c in cells] == [("neighbour", "2147483648"),
                                                                       ("neighbour", "detected")]
    assert read_lines(tmp_path, [WINDOWS_LONG], True) == read_lines(tmp_path, [WINDOWS_LONG], False)


@needs_compiled
def test_making_readers_keeps_the_cell_class_alive():
    """Each file read makes a compiled Reader: one that let go of a reference to model.Cell it
    never took (found by the harness in tests/logs/test_nemo_compiled.py) would free the class
    after some thousand files and crash the process."""
    import sys

    from fieldapp import model

    def counts() -> list[int]:
        out = []
        for _ in range(3):  # (the first round may fill a one-off interpreter cache)
            for _ in range(200):
                assert nemo_fast.compiled_line_reader(print, print) is not None
            out.append(sys.getrefcount(model.Cell))
        return out

    first, second, third = counts()
    assert second == third, "each Reader lets go of a reference to model.Cell"
