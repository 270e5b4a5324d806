"""Property: any Sample the model can hold comes back from the store equal (hypothesis)."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.model import Cell, Channel, Position, Registration, Sample, Signal
from fieldapp.store import Store

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
SAMPLES = st.builds(
    Sample,
    ts_utc=FLOATS,
    tech=st.none() | TEXT,
    mode=st.none() | TEXT,
    serving=st.none() | CELLS,
    neighbours=st.lists(CELLS, max_size=4).map(tuple),
    signal=st.none() | record(Signal),
    registration=st.none() | record(Registration),
    position=st.none() | record(Position),
)


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
