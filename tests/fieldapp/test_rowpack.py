"""The store's compiled record packing (fieldapp/store/_rowpack.c) writes exactly the text of
the Python packing (store/rows.py ``record_text_python``) for any sample, and leaves to it every
sample it is not made for (it returns None, and ``sample_row`` packs in Python)."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldapp import compiled_parts, doctor
from fieldapp.model import GSM, LTE, NEIGHBOUR, UMTS, Cell, Channel, Position, Registration, Sample, Signal
from fieldapp.store import Store, rows
from tests.fieldapp.sample_records import SAMPLES as REFERENCE_SAMPLES
from tests.fieldapp.test_store_roundtrip_property import FORM_CELLS, SAMPLES, samples
from tests.support.compiler import compiler_present

ROOT = Path(__file__).resolve().parents[2]
compiled = rows.record_text_compiled
needs_compiled = pytest.mark.skipif(compiled is None, reason="the compiled packer was not built here")


@pytest.mark.skipif(not compiler_present(), reason="no C compiler or Python headers: the Python packing runs")
def test_the_compiled_packer_is_built_where_a_compiler_is():
    """setup.py builds it as optional: a broken build would pass every other test silently on
    the Python path. Where a compiler is, it must have been built and be the one in use."""
    if compiled_parts.python_asked("FIELDAPP_PURE_STORE"):
        pytest.skip("FIELDAPP_PURE_STORE is set")
    assert rows.PACKING == "compiled" and None not in (rows.record_text_compiled, rows.sample_row_compiled,
                                                      rows.sample_compiled), (
        "fieldapp/store/_rowpack.c is not built in this venv: `make .venv/.installed` (the editable "
        "install builds it in place) or look at the pip output for the compiler's error")


@needs_compiled
@settings(max_examples=300, deadline=None, database=None)
@given(sample=samples(FORM_CELLS) | SAMPLES)
def test_any_sample_packs_to_the_same_text(sample):
    text = compiled(sample)
    assert text is not None  # hypothesis draws plain values only: none is left to Python
    assert text == rows.record_text_python(sample)


FLOATS_ANY = st.floats(allow_nan=True, allow_infinity=True, width=64)
# Quarters, tenths and whole numbers near the edges of the compiled short-cut (|x| < 1e14)
QUARTERS = st.integers(min_value=-(4 * 10**14) - 40, max_value=4 * 10**14 + 40).map(lambda n: n / 4)


@needs_compiled
@settings(max_examples=500, deadline=None, database=None)
@given(x=FLOATS_ANY | QUARTERS | st.integers(-2000, 2000).map(lambda n: n / 10))
def test_any_float_is_written_as_python_writes_it(x):
    sample = Sample(ts_utc=x, signal=Signal(rssi_dbm=x), position=Position(x, x, -x))
    assert compiled(sample) == rows.record_text_python(sample)


# A level in 0.1 dB, a time in ms, a coordinate in 1e-6 degrees, and their neighbours one double
# away (which must not print as the short text)
def _decimal(whole: int, digits: int, d: int, step: float | None) -> float:
    x = round(whole + digits / 10**6, d)
    return x if step is None else math.nextafter(x, step)


DECIMALS = st.builds(_decimal, st.integers(-(10**9), 10**9), st.integers(0, 10**6 - 1), st.integers(0, 7),
                     st.sampled_from([None, None, math.inf, -math.inf]))


@needs_compiled
@settings(max_examples=1000, deadline=None, database=None)
@given(x=DECIMALS)
def test_any_decimal_float_is_written_as_repr_writes_it(x):
    sample = Sample(ts_utc=x, position=Position(x, x, x))
    assert compiled(sample) == rows.record_text_python(sample)
    assert repr(x) in compiled(sample)


@needs_compiled
@pytest.mark.parametrize("x", [
    -11.4, -0.4, 0.05, 1e-4, 9.9e-5, 0.0001234, 1764325636.567, 1764325636.5670002, 12.659351, 101.267143,
    52.520030000000006, 0.30000000000000004, 1125899906.8426, 112589990684.26, 999999999999999.9,
    -85.0, -12.5, -97.25, -0.75, -0.5, -0.25, 0.25, 0.5, -0.0, 0.0, 0.1, 1e-5, 5e-324, 1e14 - 0.25, 1e14,
    1e14 + 0.25, 99999999999999.75, 999999999999999.75, 1e16, -1e16, 1.7e308, 1764325636.85,
    float("inf"), float("-inf"), float("nan"),
])
def test_edge_floats(x):
    sample = Sample(ts_utc=x, signal=Signal(rssi_dbm=x))
    assert compiled(sample) == rows.record_text_python(sample)


@needs_compiled
@pytest.mark.parametrize("text", [
    "Test Net", 'say "hi"', "back\\slash", "tab\tnew\nline\rcr", "\b\f", "\x00\x01\x1f", "\x7f",
    "Telefónica", "Ελλάδα", "移动", "emoji 📶", "",
])
def test_strings_are_escaped_as_json_does(text):
    sample = Sample(ts_utc=1.0, serving=Cell(operator=text, state=text),
                    registration=Registration(operator=text))
    assert compiled(sample) == rows.record_text_python(sample)


@needs_compiled
def test_ints_and_bools():
    for value in (0, 1, -1, 9, 10, -10, 2**31, -(2**31), 2**63 - 1, -(2**63), True, False):
        sample = Sample(ts_utc=1.0, serving=Cell(ci=value, lac=value), signal=Signal(rssi_raw=value))
        assert compiled(sample) == rows.record_text_python(sample), value


@needs_compiled
def test_the_reference_sample_and_the_bench_sample():
    from bench.store_bench import drive_test_sample

    for sample in (*REFERENCE_SAMPLES, drive_test_sample(1_700_000_000.0, 5)):
        assert compiled(sample) == rows.record_text_python(sample)
    # a list of neighbours is written as a tuple is
    call = REFERENCE_SAMPLES[0]
    listed = dataclasses.replace(call, neighbours=list(call.neighbours))
    assert compiled(listed) == rows.record_text_python(call)


@needs_compiled
@pytest.mark.parametrize("hopping", [0, 1, 2, True, False, None])
def test_a_devices_hopping_flag_is_written_as_a_bool(hopping):
    sample = Sample(ts_utc=1.0, serving=Cell(arfcn=7, channel=Channel(tch_arfcn=7, hopping=hopping)))
    text = compiled(sample)
    assert text == rows.record_text_python(sample)
    assert ("true" in text) == bool(hopping) and "[7,null," in text


class _Level(enum.IntEnum):
    LOW = 3


class _Cell(Cell):
    __slots__ = ()


class _Float(float):
    pass


def _unusual() -> list[tuple[str, Sample]]:
    out = [
        ("an int beyond 64 bits", Sample(ts_utc=1.0, serving=Cell(c1=2**64))),
        ("an int subclass", Sample(ts_utc=1.0, serving=Cell(rxlev=_Level.LOW))),
        ("a float subclass", Sample(ts_utc=1.0, signal=Signal(rssi_dbm=_Float(-85.5)))),
        ("a Cell subclass", Sample(ts_utc=1.0, neighbours=(_Cell(role=NEIGHBOUR, arfcn=3),))),
        ("a lone surrogate", Sample(ts_utc=1.0, serving=Cell(operator="bad \udcff"))),
        ("a hopping flag that is a word", Sample(ts_utc=1.0, serving=Cell(channel=Channel(hopping="yes")))),
        ("a str subclass as tech", Sample(ts_utc=1.0, serving=Cell(tech=type("T", (str,), {})(UMTS)))),
    ]
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a dependency
        return out
    out.append(("a numpy float", Sample(ts_utc=1.0, serving=Cell(tech=LTE, rsrp_dbm=np.float64(-101.5)))))
    return out


@needs_compiled
@pytest.mark.parametrize("why, sample", _unusual(), ids=[w for w, _ in _unusual()])
def test_what_it_is_not_made_for_is_left_to_python(why, sample, monkeypatch):
    assert compiled(sample) is None, why
    assert rows.sample_row_compiled(1, 1, sample) is None, why
    row = rows.sample_row(1, 1, sample)
    monkeypatch.setattr(rows, "record_text_compiled", None)
    monkeypatch.setattr(rows, "sample_row_compiled", None)
    assert row == rows.sample_row(1, 1, sample)


def test_unusual_samples_are_stored_and_read_back(tmp_path):
    """Through the store: the samples the compiled packer leaves to Python come back (as the
    values JSON gives back: plain numbers)."""
    plain = [s for why, s in _unusual() if why not in ("a lone surrogate", "a hopping flag that is a word")]
    with Store.open(tmp_path / "w.db") as store:
        sid = store.create_session("unusual")
        store.add_samples(sid, plain)
        store.commit()
        back = list(store.samples(sid))
    # the same values back, as the plain classes JSON gives (a Cell for the Cell subclass)
    assert [rows.record_text_python(s) for s in back] == [rows.record_text_python(s) for s in plain]
    assert type(back[3].neighbours[0]) is Cell
    assert back[0].serving.c1 == 2**64 and back[3].neighbours[0].arfcn == 3


@needs_compiled
def test_bad_values_raise_as_the_python_packing_does():
    sample = Sample(ts_utc=1.0, serving=Cell(operator=b"bytes"))
    assert compiled(sample) is None
    with pytest.raises(TypeError, match="bytes is not JSON serializable"):
        rows.sample_row(1, 1, sample)


@needs_compiled
def test_a_gsm_call_with_six_neighbours_is_the_documented_text():
    sample = Sample(ts_utc=2.5, tech=GSM,
                    serving=Cell(mcc=262, mnc=1, lac=6699, ci=15437, arfcn=7, bsic=35, rxlev=25, rxlev_dbm=-85.0,
                                 rxqual=5, ta=3, channel=Channel(tch_arfcn=7, timeslot=3, hopping=False)),
                    neighbours=tuple(Cell(role=NEIGHBOUR, arfcn=12 + n, bsic=21, rxlev=30, rxlev_dbm=-80.0)
                                     for n in range(6)))
    assert compiled(sample) == (
        "[[1,262,1,6699,15437,7,35,25,-85.0,5,3,[7,3,false,null,null,null,null]],null,null,null,"
        # a GSM neighbour is cut after C1 and C2 (rows._CUTS), set or not
        + "[" + ",".join(f"[2,{12 + n},21,30,-80.0,null,null]" for n in range(6)) + "]]")


def test_pure_store_asks_for_the_python_packing_and_the_doctor_says_so():
    env = {**os.environ, "FIELDAPP_PURE_STORE": "1"}
    out = subprocess.run([sys.executable, "-c", "from fieldapp.store import rows; print(rows.PACKING)"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "python"


def test_a_stale_build_is_not_used(tmp_path):
    """After a pull that changed _rowpack.c without a rebuild, the in-place build is older than
    its source: the store packs in Python and the doctor says so, instead of calling a compiled
    part that does not match this code (which could pack differently or lack a method)."""
    import types

    source = tmp_path / "_rowpack.c"
    source.write_text("/* the C source beside rows.py */\n")
    digest = compiled_parts.source_sha256(source)
    built = types.SimpleNamespace(SOURCE_SHA256="0" * 64, Packer=lambda *a, **k: pytest.fail("used"))
    assert rows.compiled_packer(built, source) == (None, "stale")
    older_api = types.SimpleNamespace(SOURCE_SHA256=digest,
                                      Packer=lambda *a, **k: types.SimpleNamespace(record=len, sample=len))
    assert rows.compiled_packer(older_api, source) == (None, "stale")  # no row(): built before it
    refuses = types.SimpleNamespace(SOURCE_SHA256=None, Packer=lambda *a, umts, lte, **k: None)
    # an installed wheel's (no C source beside it), not taking this code's arguments
    assert rows.compiled_packer(refuses, tmp_path / "not-shipped.c")[1] == "stale"
    assert rows.compiled_packer(None, source) == (None, "python")
    check = doctor.store_check("stale", "Linux")
    assert check.status == doctor.WARN and "older" in check.detail and "make" in check.fix


@needs_compiled
def test_the_build_carries_the_digest_of_its_source():
    from fieldapp.store import _rowpack

    source = Path(rows.__file__).with_name("_rowpack.c")
    assert compiled_parts.source_sha256(source) == _rowpack.SOURCE_SHA256
    assert rows.compiled_packer(_rowpack, source)[1] == "compiled"


def test_doctor_store_line():
    assert doctor.store_check("compiled", "Linux").status == doctor.OK
    built_without = doctor.store_check("python", "Linux")
    if not compiled_parts.python_asked("FIELDAPP_PURE_STORE"):
        assert built_without.status == doctor.INFO and "no C compiler" in built_without.detail
        assert "build-essential python3-dev" in built_without.fix
        assert "C compiler" in doctor.store_check("python", "Windows").fix


# ------------------------------------------------------------------ the whole row (Packer.row)

TECHS = st.sampled_from([GSM, UMTS, LTE]) | st.none() | st.text(max_size=4)


@needs_compiled
@settings(max_examples=400, deadline=None, database=None)
@given(sample=samples(FORM_CELLS) | SAMPLES, tech=TECHS, session_id=st.integers(1, 2**40))
def test_any_sample_gives_the_python_row(sample, tech, session_id):
    """The query columns too: the serving cell's identity or +CREG's, the plotted level in the
    technology's terms (model.Sample.rxlev_dbm), RXQUAL, the position."""
    sample = dataclasses.replace(sample, tech=tech)
    fast = rows.sample_row_compiled(session_id, 7, sample)
    assert fast is not None
    assert typed(fast) == typed(rows.sample_row_python(session_id, 7, sample))
    assert fast[13] == sample.rxlev_dbm or fast[13] is sample.rxlev_dbm  # the model's own property
    assert fast[14] == sample.rxqual


@needs_compiled
@pytest.mark.parametrize("sample", [
    # the level's sources in turn: serving cell in its technology's terms, +CESQ, +CSQ, none
    Sample(ts_utc=1.0, tech=UMTS, serving=Cell(tech=UMTS, rscp_dbm=-88.0, rxlev_dbm=-70.0)),
    Sample(ts_utc=1.0, tech=LTE, serving=Cell(tech=LTE, rsrp_dbm=-101.5)),
    Sample(ts_utc=1.0, tech=LTE, serving=Cell(tech=LTE), signal=Signal(rssi_dbm=-60.0, rsrp_dbm=-99.0, rxqual=2)),
    Sample(ts_utc=1.0, tech=UMTS, signal=Signal(rssi_dbm=-60.0)),  # a UMTS RSSI alone is no level
    Sample(ts_utc=1.0, tech=GSM, signal=Signal(rssi_dbm=-75.0, rxqual=4)),
    Sample(ts_utc=1.0, tech=None, serving=Cell(rxqual=None), signal=Signal(rssi_dbm=-75.0, rxqual=4)),
    # identity from +CREG when the serving cell has none, and without a serving cell
    Sample(ts_utc=1.0, serving=Cell(mcc=262, arfcn=7), registration=Registration(lac=5, ci=9, mcc=1, mnc=2)),
    Sample(ts_utc=1.0, serving=Cell(mcc=262, ci=3), registration=Registration(lac=5, ci=9)),
    Sample(ts_utc=1.0, registration=Registration(lac=5, ci=9, mcc=262, mnc=3), position=Position(1.0, 52.5, 13.4)),
], ids=lambda s: f"{s.tech}")
def test_query_columns(sample):
    assert typed(rows.sample_row_compiled(3, 1, sample)) == typed(rows.sample_row_python(3, 1, sample))


# ------------------------------------------------------------------ reading (Packer.sample)

read_compiled = rows.sample_compiled
LAYOUTS = {1: json.loads(rows.LAYOUT_JSON)}


def typed(obj):
    """A record as nested (class, values) with every leaf's class: True is not 1, 1 is not 1.0."""
    if dataclasses.is_dataclass(obj):
        return (type(obj).__name__, *(typed(getattr(obj, f.name)) for f in dataclasses.fields(obj)))
    if isinstance(obj, tuple | list):
        return (type(obj).__name__, *map(typed, obj))
    if isinstance(obj, float) and obj != obj:
        return ("float", "nan")
    return (type(obj).__name__, obj)


def _row(sample: Sample, text: str | None = None) -> tuple:
    return (1, rows.record_text_python(sample) if text is None else text, sample.ts_utc, sample.tech, sample.mode)


@needs_compiled
@settings(max_examples=300, deadline=None, database=None)
@given(sample=samples(FORM_CELLS) | SAMPLES)
def test_any_row_reads_back_as_the_python_reader_reads_it(sample):
    reader = rows.SampleReader(LAYOUTS)
    row = _row(sample)
    fast = read_compiled(*row[1:])
    if "\\" not in row[1]:  # a text without escapes (they are json's to read) is read here
        assert fast is not None
        assert typed(fast) == typed(sample)
    assert typed(reader.sample(row)) == typed(reader.sample_python(row)) == typed(sample)


@needs_compiled
@settings(max_examples=300, deadline=None, database=None)
@given(x=FLOATS_ANY | QUARTERS, n=st.integers(-(2**70), 2**70))
def test_any_number_reads_back_as_json_reads_it(x, n):
    sample = Sample(ts_utc=1.0, serving=Cell(rxlev_dbm=x, c1=n), signal=Signal(rssi_dbm=x, rssi_raw=n))
    row = _row(sample)
    assert typed(read_compiled(*row[1:])) == typed(rows.SampleReader(LAYOUTS).sample_python(row))


@needs_compiled
def test_reference_samples_read_back_with_their_types():
    for sample in REFERENCE_SAMPLES:
        assert typed(read_compiled(*_row(sample)[1:])) == typed(sample)


@needs_compiled
@pytest.mark.parametrize("text", [
    # what this code never writes is read by json and the Python builder
    '[null, null,null,null,[]]',                       # whitespace
    '[[1,262,1,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,"say \\"hi\\""],'
    'null,null,null,[]]',                              # an escaped string
    '[[1,262,1,6699],null,null,null,[]]',              # a plain one (read here: see the last test)
    '[[1,01],null,null,null,[]]',                      # a leading zero: json refuses it
    '[[99,1],null,null,null,[]]',                      # no such form
    '[[2,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25],null,null,null,[]]',  # too long
    '[null,[-85.0,3],null,null,[]]',                   # a part shorter than its layout
    '[null,null,null,null,[]] ',                       # something after the record
    '[null,null,null,null,[]',                         # cut short
    '[null,null,null,null,[[2,1,"\x01"]]]',            # a raw control character
])
def test_what_the_compiled_reader_is_not_made_for_is_read_in_python(text):
    reader = rows.SampleReader(LAYOUTS)
    row = (1, text, 5.0, GSM, None)
    fast = read_compiled(text, 5.0, GSM, None)
    try:
        expected = reader.sample_python(row)
    except (ValueError, TypeError, IndexError) as exc:  # json's or the builder's error, as before
        assert fast is None
        with pytest.raises(type(exc)):
            reader.sample(row)
        return
    if text == '[[1,262,1,6699],null,null,null,[]]':
        assert typed(fast) == typed(expected)
    else:
        assert fast is None
    assert typed(reader.sample(row)) == typed(expected)


@needs_compiled
def test_rows_of_an_older_layout_are_read_in_python(monkeypatch):
    from tests.fieldapp.sample_records import V8_LAYOUT, v8_record_json

    calls = []
    monkeypatch.setattr(rows, "sample_compiled", lambda *a: calls.append(a))
    reader = rows.SampleReader({1: V8_LAYOUT, 2: LAYOUTS[1]})
    sample = REFERENCE_SAMPLES[0]
    assert reader.sample((1, v8_record_json(sample), sample.ts_utc, sample.tech, sample.mode)) == sample
    assert calls == []  # the v8 row never reached the compiled reader
    assert reader._compiled_layouts == {2}


@needs_compiled
def test_the_store_reads_through_it(tmp_path):
    with Store.open(tmp_path / "w.db") as store:
        sid = store.create_session("read")
        store.add_samples(sid, REFERENCE_SAMPLES)
        store.commit()
        back = list(store.samples(sid))
        replay = store.replay_records(sid)
    assert [typed(s) for s in back] == [typed(s) for s in sorted(REFERENCE_SAMPLES, key=lambda s: s.ts_utc)]
    assert replay is not None
