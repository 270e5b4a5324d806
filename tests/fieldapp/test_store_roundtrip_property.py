"""Property: any Sample the model can hold comes back from the store equal (hypothesis)."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.model import (
    GSM,
    LTE,
    NEIGHBOUR,
    SERVING,
    UMTS,
    Cell,
    Channel,
    Position,
    Registration,
    Sample,
    Signal,
)
from fieldapp.store import Store, rows
from tests.fieldapp.sample_records import V8_LAYOUT, v8_record_json

INTS = st.integers(min_value=-(2**31), max_value=2**40)
FLOATS = st.floats(allow_nan=False, width=64)  # NaN is no value in SQLite (it stores NULL)
TEXT = st.text(max_size=12)


def _value(annotation: str):
    base = {"int": INTS, "float": FLOATS, "str": TEXT, "bool": st.booleans()}
    optional = annotation.endswith("| None")
    strategy = base[annotation.split(" |")[0]]
    return st.none() | strategy if optional else strategy


def record(cls, **override):
    """A strategy for a flat record dataclass, every field drawn from its annotation."""
    kwargs = {f.name: _value(f.type) for f in dataclasses.fields(cls)
              if f.name not in override and f.type.split(" |")[0] in ("int", "float", "str", "bool")}
    return st.builds(cls, **kwargs, **override)


CHANNELS = record(Channel)
CELLS = record(Cell, channel=st.none() | CHANNELS)


def samples(cells):
    return st.builds(
        Sample,
        ts_utc=FLOATS,
        tech=st.none() | TEXT,
        mode=st.none() | TEXT,
        serving=st.none() | cells,
        neighbours=st.lists(cells, max_size=4).map(tuple),
        signal=st.none() | record(Signal),
        registration=st.none() | record(Registration),
        position=st.none() | record(Position),
    )


SAMPLES = samples(CELLS)
# Cells of the roles and technologies that have a form of their own (store/rows.py), with any
# field set or not: a cell with fields its technology does not usually carry (an RSCP on a GSM
# neighbour, a channel on a neighbour) must come back too. Sparse: mostly None, like real cells.
SPARSE = {"int": st.none() | INTS, "float": st.none() | FLOATS, "str": st.none() | TEXT, "bool": st.none() | st.booleans()}


def _sparse(cls, **override):
    kwargs = {f.name: st.one_of(st.none(), st.none(), SPARSE[f.type.split(" |")[0]])
              for f in dataclasses.fields(cls) if f.name not in override and f.type.split(" |")[0] in SPARSE}
    return st.builds(cls, **kwargs, **override)


FORM_CELLS = _sparse(Cell, role=st.sampled_from([SERVING, NEIGHBOUR]) | TEXT,
                     tech=st.sampled_from([GSM, UMTS, LTE]) | TEXT,
                     channel=st.none() | st.none() | _sparse(Channel))


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(samples=st.lists(SAMPLES, min_size=1, max_size=4))
def test_any_sample_round_trips_equal(tmp_path, samples):
    with Store.open(tmp_path / "prop.db") as store:
        sid = store.create_session("hypothesis")
        store.add_samples(sid, samples)
        store.commit()
        back = list(store.samples(sid))
        store.delete_session(sid)
    # the store returns samples in time order (stable for equal times)
    assert back == sorted(samples, key=lambda s: s.ts_utc)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(samples=st.lists(samples(FORM_CELLS), min_size=1, max_size=4))
def test_any_cell_round_trips_equal_in_its_form(tmp_path, samples):
    with Store.open(tmp_path / "forms.db") as store:
        sid = store.create_session("hypothesis")
        store.add_samples(sid, samples)
        store.commit()
        back = list(store.samples(sid))
        store.delete_session(sid)
    assert back == sorted(samples, key=lambda s: s.ts_utc)


@settings(max_examples=60, deadline=None, database=None)
@given(sample=samples(FORM_CELLS) | SAMPLES)
def test_any_sample_a_v8_fieldapp_wrote_reads_back_equal(sample):
    """Rows of the v8 format (every cell field in model order, then the channel; also the
    format migrations convert v1-v7 rows to) are read by their layout, unchanged."""
    reader = rows.SampleReader({1: V8_LAYOUT, 2: rows.LAYOUT})
    assert reader.sample((1, v8_record_json(sample), sample.ts_utc, sample.tech, sample.mode)) == sample
    written = rows.sample_row(1, 2, sample)[5]
    assert reader.sample((2, written, sample.ts_utc, sample.tech, sample.mode)) == sample
