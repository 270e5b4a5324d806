"""The store's bulk writes (an import's batches, issue 15): whole groups of rows go in one
multi-row INSERT; what they write, in what order, and how they fail must be exactly what one
row at a time gives. On a real SQLite file."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from fieldapp.model import EV_INFO, Cell, Event, Position, Sample
from fieldapp.store import Store
from fieldapp.store.workspace import BULK_ROWS
from tests.fieldapp.sample_records import SAMPLES, T0, dedicated_sample

N = 2 * BULK_ROWS + 7  # two whole groups and a rest


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "workspace.db") as s:
        yield s


def samples(n: int) -> list[Sample]:
    """Every shape of SAMPLES, again and again, one second apart."""
    return [dataclasses.replace(SAMPLES[i % len(SAMPLES)], ts_utc=T0 + i) for i in range(n)]


def positions(n: int) -> list[Position]:
    return [Position(ts_utc=T0 + i, lat=52.5 + i / 1e4, lon=13.4, alt_m=None if i % 3 else 34.0, sats=i % 12)
            for i in range(n)]


def events(n: int) -> list[Event]:
    return [Event(ts_utc=T0 + i, kind=EV_INFO, text=f"event {i}", data={"i": i} if i % 2 else {}) for i in range(n)]


def ids(store: Store, table: str, sid: int) -> list[int]:
    return [r[0] for r in store._conn.execute(f"SELECT id FROM {table} WHERE session_id = ? ORDER BY id", (sid,))]


def test_bulk_batches_come_back_whole_and_in_the_order_given(store):
    sid = store.create_session("import:test")
    batch = samples(N)
    assert store.add_samples(sid, batch) == N
    assert store.add_positions(sid, positions(N)) == N
    assert store.add_events(sid, events(N)) == N
    store.commit()
    assert list(store.samples(sid)) == batch
    assert store.positions(sid) == positions(N)
    assert store.events(sid) == events(N)
    # row ids follow the order given, as one INSERT a row gives them
    times = [r[0] for r in store._conn.execute("SELECT ts_utc FROM samples WHERE session_id = ? ORDER BY id", (sid,))]
    assert times == [s.ts_utc for s in batch]
    assert ids(store, "samples", sid) == list(range(1, N + 1))


def test_a_bulk_batch_writes_the_same_rows_as_one_row_at_a_time(tmp_path):
    batch = samples(N)
    dumps = []
    for name, chunk in (("bulk", N), ("one-by-one", BULK_ROWS - 1)):
        with Store.open(tmp_path / f"{name}.db") as st:
            sid = st.add_session("import:test", start_utc=T0)
            for i in range(0, N, chunk):  # fewer than BULK_ROWS a call: one row a statement
                st.add_samples(sid, batch[i:i + chunk])
                st.add_positions(sid, positions(N)[i:i + chunk])
            st.commit()
            dumps.append(list(st._conn.iterdump()))
    assert dumps[0] == dumps[1]


def test_none_is_stored_as_null_through_the_cheap_adapter(store):
    # The adapter the store registers for None (binding None through CPython's default search
    # costs ~5x more); it must give NULL, never a value.
    adapt = sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)]
    assert adapt(None) is None
    sid = store.create_session("import:test")
    store.add_samples(sid, [Sample(ts_utc=T0 + i) for i in range(N)])
    store.commit()
    row = store._conn.execute("SELECT count(*), count(mcc), count(tech), count(lat), min(typeof(level_dbm)),"
                              " max(typeof(level_dbm)) FROM samples").fetchone()
    assert tuple(row) == (N, 0, 0, 0, "null", "null")


@pytest.mark.parametrize("at", [0, BULK_ROWS + 3, N - 1])
def test_a_value_sqlite_cannot_bind_fails_as_in_a_one_row_insert_and_adds_nothing(store, at):
    sid = store.create_session("import:test")
    bad = dataclasses.replace(dedicated_sample(T0), serving=Cell(lac=[1, 2]))  # a list: SQLite cannot bind it
    with pytest.raises(sqlite3.Error) as alone:
        store.add_samples(sid, [bad])  # fewer than BULK_ROWS: one row a statement
    batch = samples(N)
    batch[at] = bad
    with pytest.raises(sqlite3.Error) as in_bulk:
        store.add_samples(sid, batch)
    assert (type(in_bulk.value), str(in_bulk.value)) == (type(alone.value), str(alone.value))
    too_big = positions(N)
    too_big[at] = Position(ts_utc=T0, lat=1.0, lon=2.0, sats=2**70)  # SQLite cannot hold it
    with pytest.raises(OverflowError, match="too large to convert to SQLite INTEGER"):
        store.add_positions(sid, too_big)
    no_time = positions(N)
    no_time[at] = Position(ts_utc=None, lat=1.0, lon=2.0)
    with pytest.raises(sqlite3.IntegrityError, match="NOT NULL constraint failed: positions.ts_utc"):
        store.add_positions(sid, no_time)
    store.add_samples(sid, samples(3))  # the store goes on
    store.commit()
    assert list(store.samples(sid)) == samples(3)
    assert store.positions(sid) == []
    # A sample holding such a number is stored whole: record_json keeps it, its query column is
    # NULL (rows.sample_row_python), in a bulk batch as one row at a time.
    other = store.create_session("import:test")
    big = samples(N)
    big[at] = dataclasses.replace(dedicated_sample(T0 + at), serving=Cell(mcc=2**70))
    store.add_samples(other, big)
    store.commit()
    assert list(store.samples(other)) == big
    mcc = store._conn.execute("SELECT mcc FROM samples WHERE session_id = ? ORDER BY id", (other,)).fetchall()
    assert mcc[at][0] is None


def test_an_sqlite_that_takes_fewer_parameters_still_gets_every_row(store):
    # SQLite builds older than 3.32 allow 999 parameters a statement; some are built with fewer.
    # The bulk INSERT is then refused and the rows go in one at a time.
    store._conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 100)
    sid = store.create_session("import:test")
    batch = samples(N)
    store.add_samples(sid, batch)
    store.add_positions(sid, positions(N))
    store.commit()
    assert list(store.samples(sid)) == batch
    assert store.positions(sid) == positions(N)
