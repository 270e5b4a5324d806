"""The workspace store on a real SQLite file: round trips, unknowns, migrations, cases, plan."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

import pytest

from fieldapp import model
from fieldapp.model import (
    LTE,
    Capabilities,
    Cell,
    Channel,
    Event,
    PlanCell,
    PlanTrx,
    Position,
    RawTraffic,
    Registration,
    Sample,
    Signal,
)
from fieldapp.store import SCHEMA_VERSION, Store, StoreError, UnknownCase, UnknownSession, rows, schema
from tests.fieldapp.sample_records import SAMPLES, T0, V8_LAYOUT, dedicated_sample, v8_record_json


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "ws" / "workspace.db") as s:
        yield s


def raw_conn(store: Store) -> sqlite3.Connection:
    """A second, plain connection to look at the file as another program would."""
    return sqlite3.connect(store.path)


# ---------------------------------------------------------------- samples


def test_samples_round_trip_equal_with_every_part(store):
    sid = store.create_session("simulator:bus-stop-tilt13")
    assert store.add_samples(sid, SAMPLES) == len(SAMPLES)
    store.commit()
    assert list(store.samples(sid)) == SAMPLES


def test_every_model_field_is_in_the_packed_layout():
    """A field added to the model is stored (the layout follows the dataclasses), and a Sample
    part added without packing it must fail here."""
    def names(cls):
        return {f.name for f in dataclasses.fields(cls)}
    assert rows.CELL_FORMS[0][:2] == [None, None]  # form 0 takes any cell, role and tech included
    for role, tech, form in rows.CELL_FORMS:
        implied = [] if role is None else ["role", "tech"]
        assert sorted([*implied, *form]) == sorted(names(Cell)), (role, tech)  # every field, once
    pairs = [(role, tech) for role, tech, _ in rows.CELL_FORMS[1:]]
    assert len(set(pairs)) == len(pairs) and all(role and tech for role, tech in pairs)
    assert set(rows.LAYOUT["channel"]) == names(Channel)
    assert set(rows.LAYOUT["signal"]) == names(Signal)
    assert set(rows.LAYOUT["registration"]) == names(Registration)
    assert set(rows.LAYOUT["position"]) == names(Position)
    assert names(Sample) == {"ts_utc", "tech", "mode", "serving", "neighbours", "signal", "registration",
                             "position"}


def test_cells_are_packed_in_their_form_without_trailing_nulls(store):
    """A GSM neighbour is its form's code and the values up to its last set field: no role or
    tech text, no run of nulls (the bytes SQLite and the JSON encoder no longer pay for)."""
    sid = store.create_session("test")
    store.add_samples(sid, [dedicated_sample(T0)])
    store.commit()
    with raw_conn(store) as conn:
        serving, neighbour, size = conn.execute(
            "SELECT json_extract(record_json, '$[0]'), json_extract(record_json, '$[4][1]'),"
            " length(record_json) FROM samples").fetchone()
    code = [(role, tech) for role, tech, _ in rows.CELL_FORMS].index(("neighbour", "GSM"))
    names = rows.CELL_FORMS[code][2]
    # neighbour(24, None, 22): ARFCN, no BSIC, RXLEV and its dBm, C1 and C2 unknown; no more
    assert names[:6] == ["arfcn", "bsic", "rxlev", "rxlev_dbm", "c1", "c2"]
    assert json.loads(neighbour) == [code, 24, None, 22, -88.0, None, None]
    serving = json.loads(serving)
    assert rows.CELL_FORMS[serving[0]][:2] == ["serving", "GSM"]
    assert serving[1 + rows.CELL_FORMS[serving[0]][2].index("channel")] == [7, 3, False, None, None, "TCH/F", "EFR"]
    assert size < 500 < 1000 < len(v8_record_json(dedicated_sample(T0)))  # 457 against 1,113 bytes


def test_rows_of_an_older_layout_are_read_by_field_name(store):
    """A row written when the model had other fields (one since removed, one not yet added)
    comes back by name: no value shifts into another field, in the v8 format and in forms."""
    old = {**V8_LAYOUT, "cell": ["gone", *[n for n in V8_LAYOUT["cell"] if n != "sinr_db"]]}
    reader = rows.SampleReader({7: old})
    cell = ["x", *["serving", "GSM", 262, 1, 10, 20, 7, 35, 25, -85.0] + [None] * 14, None]
    sample = reader.sample((7, json.dumps([cell, None, None, None, [cell]]), T0, "GSM", None))
    expected = Cell(mcc=262, mnc=1, lac=10, ci=20, arfcn=7, bsic=35, rxlev=25, rxlev_dbm=-85.0)
    assert sample.serving == expected
    assert sample.neighbours == (sample.serving,)

    forms = [[None, None, ["role", "tech", "gone", "arfcn", "rxlev_dbm"]],
             ["neighbour", "UMTS", ["arfcn", "pci", "channel", "gone", "rscp_dbm"]]]
    reader = rows.SampleReader({8: {**rows.LAYOUT, "cell_forms": forms}})
    record = [[0, "serving", "LTE", "x", 300], None, None, None,
              [[1, 10588, 17, [5, 2, True], "y", -101.5], [1, 10563]]]
    sample = reader.sample((8, json.dumps(record), T0, "LTE", None))
    assert sample.serving == Cell(role="serving", tech="LTE", arfcn=300)
    assert sample.neighbours == (
        Cell(role="neighbour", tech="UMTS", arfcn=10588, pci=17, rscp_dbm=-101.5,
             channel=Channel(tch_arfcn=5, timeslot=2, hopping=True)),
        Cell(role="neighbour", tech="UMTS", arfcn=10563))


def test_query_columns_hold_the_serving_cell_and_position_for_sql_users(store):
    sid = store.create_session("test")
    store.add_samples(sid, SAMPLES[:1])
    store.commit()
    with raw_conn(store) as conn:
        row = conn.execute("SELECT tech, mcc, mnc, lac, ci, arfcn, level_dbm, rxqual, lat, lon, neighbours_n"
                           " FROM samples").fetchone()
    assert row == ("GSM", 262, 1, 0x1A2B, 0x3C4D, 7, -85.0, 5, 52.5201, 13.4049, 6)


def test_unknown_is_stored_as_null_not_a_number(store):
    sid = store.create_session("test")
    store.add_samples(sid, [Sample(ts_utc=T0, serving=Cell(arfcn=7, rxlev=None, rxqual=None, ta=None))])
    store.commit()
    names = rows.CELL_FORMS[1][2]  # the serving GSM cell's form
    assert rows.CELL_FORMS[1][:2] == ["serving", "GSM"]
    with raw_conn(store) as conn:
        row = conn.execute("SELECT arfcn, level_dbm, rxqual, lat, json_extract(record_json, '$[0][0]'),"
                           f" json_type(record_json, '$[0][{1 + names.index('arfcn')}]'),"
                           f" json_type(record_json, '$[0][{1 + names.index('rxlev')}]'),"
                           " json_type(record_json, '$[1]') FROM samples").fetchone()
        # the trailing unknowns are left out: a missing element is NULL to SQL too
        ta = conn.execute(f"SELECT json_extract(record_json, '$[0][{1 + names.index('ta')}]') FROM samples")
        assert ta.fetchone() == (None,)
    # RXLEV is a JSON null, not a number; no Signal at all is null too.
    assert row == (7, None, None, None, 1, "integer", "null", "null")


def test_samples_come_back_in_time_order_with_neighbours_in_their_order(store):
    sid = store.create_session("import:out-of-order.nmf")
    late, early = dedicated_sample(T0 + 10), dedicated_sample(T0)
    store.add_samples(sid, [late, early])
    store.commit()
    back = list(store.samples(sid))
    assert [s.ts_utc for s in back] == [T0, T0 + 10]
    assert [n.arfcn for n in back[0].neighbours] == [12, 24, 61, 975, 10_700, 6300]


def test_a_batch_that_fails_adds_nothing_and_keeps_what_was_committed(store):
    sid = store.create_session("test")
    store.add_samples(sid, [Sample(ts_utc=T0)])
    store.commit()
    bad = Sample(ts_utc=T0 + 2, serving=Cell(lac=[1, 2]))  # a list: SQLite cannot bind it
    with pytest.raises(sqlite3.Error):
        store.add_samples(sid, [Sample(ts_utc=T0 + 1), bad])
    store.commit()
    assert [s.ts_utc for s in store.samples(sid)] == [T0]


def test_a_value_json_cannot_hold_is_refused_with_the_usual_message(store):
    sid = store.create_session("test")
    with pytest.raises(TypeError, match="Object of type bytes is not JSON serializable"):
        store.add_samples(sid, [Sample(ts_utc=T0, neighbours=(Cell(operator=b"\xff"),))])
    store.commit()
    assert list(store.samples(sid)) == []


def test_uncommitted_records_are_invisible_to_other_connections_until_commit(store):
    sid = store.create_session("test")
    store.add_samples(sid, SAMPLES[:2])
    with Store.open(store.path) as reader:
        assert reader.counts(sid)["samples"] == 0
        store.commit()
        assert reader.counts(sid)["samples"] == 2


# ---------------------------------------------------------------- events, positions, raw


def test_events_positions_and_raw_round_trip(store):
    sid = store.create_session("handset:/dev/ttyUSB0")
    events = [Event(T0, model.EV_CALL_ATTEMPT, "ATD+4930123;", {"number": "+4930123"}),
              Event(T0 + 8.5, model.EV_CALL_CONNECTED),
              Event(T0 + 9, model.EV_LOCK, "locked to ARFCN 7", {"arfcn": 7, "trx": None})]
    positions = [Position(T0, 52.52, 13.40), Position(T0 + 1, 52.5201, 13.4002, 35.0, 8.3, 90.0, 1.1, 7, 1)]
    raw = [RawTraffic(T0, "tx", b"AT+CSQ\r"), RawTraffic(T0 + 0.05, "rx", b"\r\n+CSQ: 14,99\r\n\r\nOK\r\n"),
           RawTraffic(T0 + 0.1, "rx", bytes(range(256)))]
    store.add_events(sid, events)
    store.add_positions(sid, positions)
    store.add_raw(sid, raw)
    store.commit()
    assert store.events(sid) == events
    assert store.positions(sid) == positions
    assert store.raw(sid) == raw
    assert store.counts(sid) == {"samples": 0, "neighbours": 0, "events": 3, "positions": 2, "raw": 3}


def test_raw_direction_other_than_tx_or_rx_is_refused(store):
    sid = store.create_session("test")
    with pytest.raises(sqlite3.IntegrityError):
        store.add_raw(sid, [RawTraffic(T0, "sideways", b"x")])


# ---------------------------------------------------------------- sessions


def test_sessions_list_counts_device_case_and_flags(store):
    case = store.create_case("No signal at the hospital bus stop", category="weak signal")
    caps = Capabilities(family="simcom", model="SIM800L", fields={"rxqual": True, "c1": False})
    a = store.create_session("simulator:bus-stop-tilt13", start_utc=T0, case_id=case,
                             device={"family": "simcom", "capabilities": caps})
    b = store.create_session("handset:/dev/ttyUSB0", start_utc=T0 + 100)
    store.add_samples(a, SAMPLES)
    store.add_events(a, [Event(T0, model.EV_NOTE, "start")])
    store.commit()
    store.end_session(a, T0 + 60)
    store.end_session(b, T0 + 130, interrupted=True)
    infos = store.sessions()
    assert [i.id for i in infos] == [a, b]
    first, second = infos
    assert (first.start_utc, first.end_utc, first.samples, first.events, first.case_id) == (
        T0, T0 + 60, len(SAMPLES), 1, case)
    assert first.interrupted is False and second.interrupted is True
    assert first.device["capabilities"]["fields"] == {"c1": False, "rxqual": True}
    assert second.device is None and second.case_id is None
    assert store.session(b) == second
    assert store.session(999) is None
    assert store.sessions(case_id=case) == [first]


def test_unknown_session_is_a_clear_error(store):
    with pytest.raises(UnknownSession, match="no session 42"):
        store.end_session(42, T0)
    with pytest.raises(UnknownSession):
        store.reopen_session(42)
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys are enforced
        store.add_samples(42, [Sample(ts_utc=T0)])


def test_reopen_clears_the_end_and_keeps_the_interruption_as_a_gap_event(store):
    sid = store.create_session("handset:/dev/ttyUSB0", start_utc=T0)
    store.end_session(sid, T0 + 30, interrupted=True)
    store.reopen_session(sid, now_utc=T0 + 45)
    info = store.session(sid)
    assert info.end_utc is None and info.interrupted is False
    (gap,) = store.events(sid)
    assert gap.kind == model.EV_GAP and gap.ts_utc == T0 + 45
    assert gap.data["from_utc"] == T0 + 30 and gap.data["to_utc"] == T0 + 45
    assert gap.data["interrupted"] is True


def test_reopen_after_a_crash_starts_the_gap_at_the_last_record(store):
    sid = store.create_session("handset:/dev/ttyUSB0", start_utc=T0)
    store.add_samples(sid, [Sample(ts_utc=T0 + 5)])
    store.add_positions(sid, [Position(T0 + 7, 52.0, 13.0)])
    store.commit()  # never ended: the recorder died
    store.reopen_session(sid, now_utc=T0 + 20)
    (gap,) = store.events(sid)
    assert gap.data["from_utc"] == T0 + 7 and gap.data["ended"] is False


def test_delete_session_removes_everything_recorded_in_it(store):
    keep = store.create_session("keep")
    gone = store.create_session("gone")
    for sid in (keep, gone):
        store.add_samples(sid, SAMPLES[:1])
        store.add_raw(sid, [RawTraffic(T0, "rx", b"OK")])
    store.commit()
    store.delete_session(gone)
    assert store.counts(keep) == {"samples": 1, "neighbours": 6, "events": 0, "positions": 0, "raw": 1}
    assert store.counts(gone) == {"samples": 0, "neighbours": 0, "events": 0, "positions": 0, "raw": 0}
    with raw_conn(store) as conn:
        assert conn.execute("SELECT count(*) FROM raw_traffic").fetchone()[0] == 1
    assert [i.id for i in store.sessions()] == [keep]
    assert store.max_neighbours(keep) == 6 and store.max_neighbours(gone) == 0


def test_session_case_and_note_can_be_set_later(store):
    sid = store.create_session("test")
    case = store.create_case("One-way audio, indoor micro cell")
    store.set_session_case(sid, case)
    store.set_session_note(sid, "3rd floor, by the lifts")
    info = store.session(sid)
    assert (info.case_id, info.note) == (case, "3rd floor, by the lifts")
    with pytest.raises(sqlite3.IntegrityError):
        store.set_session_case(sid, 999)


# ---------------------------------------------------------------- file, pragmas, migrations


def test_workspace_is_wal_with_foreign_keys_and_normal_sync(store):
    pragmas = store.pragmas()
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["synchronous"] == 1  # NORMAL
    assert pragmas["foreign_keys"] == 1
    assert pragmas["user_version"] == SCHEMA_VERSION
    assert pragmas["application_id"] == schema.APPLICATION_ID
    assert store.integrity_check() == "ok"


def test_a_v1_workspace_opens_under_current_code_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema.migrate(conn, upto=1) == 1
    # What a v1 fieldapp wrote, in v1's own tables.
    conn.execute("INSERT INTO sessions (id, start_utc, source) VALUES (7, ?, 'handset:/dev/ttyUSB0')", (T0,))
    conn.execute("INSERT INTO samples (session_id, ts_utc, has_serving, arfcn, rxlev, rxlev_dbm)"
                 " VALUES (7, ?, 1, 7, 25, -85.0)", (T0,))
    conn.close()

    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 3
        assert [(i.id, i.samples) for i in store.sessions()] == [(7, 1)]
        (sample,) = store.samples(7)
        assert (sample.serving.arfcn, sample.serving.rxlev_dbm, sample.signal) == (7, -85.0, None)
        # and the v2 tables are there
        case = store.create_case("after the upgrade")
        store.attach(case, "session", "7")
        store.put_cell_plan([PlanCell(name="C1")], "cells.txt")
        assert store.cell_plan() == [PlanCell(name="C1")]


def test_a_v7_workspace_keeps_its_samples_and_neighbours_when_they_are_packed(tmp_path):
    """v8 packs the flat sample columns and the neighbour rows into record_json: the same Samples come back."""
    path = tmp_path / "v4.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema.migrate(conn, upto=7) == 7  # the last schema with flat samples
    conn.execute("INSERT INTO sessions (id, start_utc, source) VALUES (3, ?, 'import:x.nmf')", (T0,))
    for sample_id, ts in ((10, T0), (11, T0 + 1), (12, T0 + 2)):
        conn.execute("INSERT INTO samples (id, session_id, ts_utc, tech, has_serving, arfcn, rxlev_dbm)"
                     " VALUES (?, 3, ?, 'GSM', 1, 7, -85.0)", (sample_id, ts))
    # Written out of order on purpose: idx decides the order, not the row id.
    conn.execute("INSERT INTO neighbours (sample_id, idx, role, tech, arfcn, bsic, rxlev_dbm, c1, has_channel)"
                 " VALUES (10, 1, 'neighbour', 'GSM', 24, 35, -91.5, 12, 0)")
    conn.execute("INSERT INTO neighbours (sample_id, idx, role, tech, arfcn, operator, has_channel, tch_arfcn,"
                 " timeslot, hopping, maio, hsn, channel_type) VALUES (10, 0, 'neighbour', 'GSM', 12,"
                 " 'Op \"A\"', 1, 12, 3, 1, 2, 5, 'TCH/F')")
    conn.execute("INSERT INTO neighbours (sample_id, idx, role, tech, arfcn, rscp_dbm, has_channel)"
                 " VALUES (12, 0, 'neighbour', 'UMTS', 10588, -101.25, 0)")
    conn.close()

    with Store.open(path) as store:
        first, second, third = store.samples(3)
        assert store.counts(3)["neighbours"] == 3 and store.max_neighbours(3) == 2
    assert first.neighbours == (
        Cell(role="neighbour", arfcn=12, operator='Op "A"',
             channel=Channel(tch_arfcn=12, timeslot=3, hopping=True, maio=2, hsn=5, channel_type="TCH/F")),
        Cell(role="neighbour", arfcn=24, bsic=35, rxlev_dbm=-91.5, c1=12))
    assert second.neighbours == ()
    assert third.neighbours == (Cell(role="neighbour", tech="UMTS", arfcn=10588, rscp_dbm=-101.25),)
    with raw_conn(store) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "neighbours" not in tables


def test_a_v8_workspace_keeps_its_rows_and_adds_new_ones_in_forms(tmp_path):
    """v9 writes cells in forms; the rows a v8 fieldapp wrote stay byte for byte and come back
    equal, next to the new rows of the same session."""
    path = tmp_path / "v8.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema.migrate(conn, upto=8) == 8
    assert json.loads(conn.execute("SELECT layout FROM record_layouts WHERE id = 1").fetchone()[0]) == V8_LAYOUT
    conn.execute("INSERT INTO sessions (id, start_utc, source) VALUES (3, ?, 'import:x.nmf')", (T0,))
    old = [dedicated_sample(T0), *SAMPLES[1:]]
    for sample in old:
        conn.execute("INSERT INTO samples (session_id, ts_utc, tech, mode, layout, record_json)"
                     " VALUES (3, ?, ?, ?, 1, ?)", (sample.ts_utc, sample.tech, sample.mode, v8_record_json(sample)))
    texts = conn.execute("SELECT id, record_json FROM samples").fetchall()
    conn.close()

    new = [dataclasses.replace(s, ts_utc=s.ts_utc + 3600) for s in old]
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 9
        assert list(store.samples(3)) == sorted(old, key=lambda s: s.ts_utc)
        store.add_samples(3, new)
        store.commit()
        assert list(store.samples(3)) == sorted(old, key=lambda s: s.ts_utc) + sorted(new, key=lambda s: s.ts_utc)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT id, record_json FROM samples WHERE layout = 1").fetchall() == texts
        layouts = dict(conn.execute("SELECT id, layout FROM record_layouts").fetchall())
    assert len(layouts) == 2 and json.loads(layouts[2]) == rows.LAYOUT


def test_a_v9_workspace_is_refused_by_a_v8_fieldapp_rather_than_misread(tmp_path):
    """A v8 fieldapp reads record_json by the v8 rule only: the version tells it to stop."""
    path = tmp_path / "v9.db"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 9
    assert schema.MIGRATIONS[8] == ()  # no table change, the version alone


def test_a_failed_first_batch_leaves_the_layout_to_be_added_again(store):
    """The record layout row is added by the first write; a batch or an import rolled back
    takes it away again, and the next write must add it again (not name a missing row)."""
    with pytest.raises(sqlite3.IntegrityError):
        store.add_samples(999, SAMPLES[:1])  # no such session
    sid = store.create_session("test")
    store.add_samples(sid, SAMPLES[:1])
    store.rollback()
    sid = store.create_session("test")
    store.add_samples(sid, SAMPLES[:2])
    store.commit()
    assert list(store.samples(sid)) == SAMPLES[:2]


def test_a_workspace_from_a_newer_fieldapp_is_refused(tmp_path):
    path = tmp_path / "new.db"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer fieldapp"):
        Store.open(path)


def test_files_that_are_not_workspaces_are_refused_untouched(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a database, but a long enough text to fill a header " * 3)
    with pytest.raises(StoreError, match="not a usable fieldapp workspace"):
        Store.open(text)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
    with pytest.raises(StoreError, match="not a fieldapp workspace"):
        Store.open(other)
    with sqlite3.connect(other) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("contacts",)]


def test_open_without_create_refuses_a_missing_file(tmp_path):
    with pytest.raises(StoreError, match="no workspace at"):
        Store.open(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_open_creates_the_parent_directory(tmp_path):
    path = tmp_path / "a" / "b" / "workspace.db"
    Store.open(path).close()
    assert path.exists()


def test_context_manager_commits_on_success_and_rolls_back_on_error(tmp_path):
    path = tmp_path / "w.db"
    with Store.open(path) as store:
        sid = store.create_session("test")
        store.add_samples(sid, [Sample(ts_utc=T0)])
    with pytest.raises(RuntimeError), Store.open(path) as store:
        store.add_samples(sid, [Sample(ts_utc=T0 + 1)])
        raise RuntimeError("boom")
    with Store.open(path) as store:
        assert store.counts(sid)["samples"] == 1


# ---------------------------------------------------------------- cases, attachments, plan


def test_cases_keep_columns_and_free_fields(store):
    cid = store.create_case("Calls fail despite full bars", category="access failure",
                            subscriber="+4930123", place={"address": "Bridge St 1", "floor": None})
    case = store.get_case(cid)
    assert case["title"] == "Calls fail despite full bars"
    assert case["status"] == "open" and case["category"] == "access failure"
    assert case["subscriber"] == "+4930123" and case["place"] == {"address": "Bridge St 1", "floor": None}
    store.update_case(cid, status="closed", subscriber=None, cause="BCCH TRX hung")
    case = store.get_case(cid)
    assert case["status"] == "closed" and case["cause"] == "BCCH TRX hung" and "subscriber" not in case
    assert [c["id"] for c in store.cases()] == [cid]
    assert store.get_case(999) is None
    with pytest.raises(UnknownCase):
        store.update_case(999, status="closed")


def test_attachments_listed_per_case_and_removable(store):
    a = store.create_case("A")
    b = store.create_case("B")
    first = store.attach(a, "session", "3", added_utc=T0)
    store.attach(a, "photo", "/photos/antenna.jpg", added_utc=T0 + 1)
    store.attach(b, "file", "/logs/drive.nmf", added_utc=T0)
    assert [(x.kind, x.ref) for x in store.attachments(a)] == [("session", "3"), ("photo", "/photos/antenna.jpg")]
    store.detach(first)
    assert [x.kind for x in store.attachments(a)] == ["photo"]
    with pytest.raises(UnknownCase):
        store.attach(999, "file", "x")


def test_cell_plan_round_trip_and_replace(store):
    plan = [
        PlanCell(name="HOSP-1", mcc=262, mnc=1, lac=0x1A2B, ci=0x3C4D, lat=52.52, lon=13.40, azimuth_deg=120.0,
                 beamwidth_deg=65.0, tilt_deg=13.0, height_m=30.0, bcch_arfcn=7, bsic=35, site="HOSP",
                 trxs=(PlanTrx("TRX-69-0", (7,), ("BCCH", "SDCCH/8", *["TCH/F"] * 6)),
                       PlanTrx("TRX-69-1", (12,), ("TCH/F",) * 8),
                       PlanTrx("TRX-69-2", (20, 30, 40), ("TCH/F",) * 8, hopping=True, maio=1, hsn=12))),
        PlanCell(name="LTE-7", tech=LTE, ci=0x1234567),
    ]
    assert store.put_cell_plan(plan, "scenario:one-way-audio") == 2
    assert store.cell_plan() == plan
    assert store.cell_plan_source() == "scenario:one-way-audio"
    store.put_cell_plan(plan[1:], "cells.txt")
    assert store.cell_plan() == plan[1:]
    with raw_conn(store) as conn:
        assert conn.execute("SELECT count(*) FROM trxs").fetchone()[0] == 0


def test_samples_with_the_same_time_keep_their_own_neighbours(store):
    """Neighbours are matched to samples by (time, id), not by time alone."""
    a = store.create_session("a")
    b = store.create_session("b")
    for i in range(3):
        for sid in (a, b):
            cells = tuple(Cell(role="neighbour", arfcn=100 * sid + 10 * i + k) for k in range(i + 1))
            store.add_samples(sid, [Sample(ts_utc=T0, serving=Cell(ci=i), neighbours=cells)])
    store.commit()
    for sid in (a, b):
        back = list(store.samples(sid))
        assert [s.serving.ci for s in back] == [0, 1, 2]
        assert [[n.arfcn for n in s.neighbours] for s in back] == [
            [100 * sid + 10 * i + k for k in range(i + 1)] for i in range(3)]


def test_add_session_and_span_join_the_open_transaction_for_all_or_nothing_imports(store):
    sid = store.add_session("import:drive.nmf", start_utc=T0, device={"format": "nemo"})
    store.add_samples(sid, SAMPLES[:2])
    store.set_session_span(sid, T0 - 5, T0 + 60)
    with Store.open(store.path) as reader:
        assert reader.sessions() == []  # nothing visible before the commit
    store.rollback()
    assert store.sessions() == []  # a failed import leaves no trace
    sid = store.add_session("import:drive.nmf", start_utc=T0)
    store.add_samples(sid, SAMPLES[:2])
    store.set_session_span(sid, T0 - 5, T0 + 60)
    store.commit()
    info = store.session(sid)
    assert (info.start_utc, info.end_utc, info.samples) == (T0 - 5, T0 + 60, 2)
    with pytest.raises(UnknownSession):
        store.set_session_span(999, T0, T0)


def test_only_the_store_package_talks_sqlite():
    """docs/architecture.md: every SQL statement lives in the store; the rest of the app calls its methods."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for package in ("fieldapp", "drivers", "logs", "ui"):
        for path in (root / package).rglob("*.py"):
            if path.is_relative_to(root / "fieldapp" / "store"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if any(n.split(".")[0] == "sqlite3" for n in names):
                    offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_a_store_is_used_from_the_thread_that_opened_it(store):
    """One connection per Store and per thread: other threads open their own."""
    import threading

    errors = []

    def other_thread():
        try:
            store.sessions()
        except Exception as exc:
            errors.append(exc)
        with Store.open(store.path) as own:  # the right way
            own.sessions()

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    assert len(errors) == 1 and "thread" in str(errors[0])


def test_a_plain_handsets_sample_has_its_registration_cell_and_csq_level_in_the_query_columns(store):
    """A plain 27.007 modem gives +CSQ and +CREG, no serving cell: plain SQL still finds its
    LAC/CI and the level the window plots."""
    sid = store.create_session("handset:plain")
    store.add_samples(sid, [Sample(ts_utc=T0, signal=Signal(rssi_dbm=-79.0, rssi_raw=17),
                                   registration=Registration(stat=1, lac=0x1A2B, ci=0x3C4D, mcc=262, mnc=1))])
    store.commit()
    with raw_conn(store) as conn:
        row = conn.execute("SELECT mcc, mnc, lac, ci, arfcn, level_dbm, rxqual FROM samples").fetchone()
    assert row == (262, 1, 0x1A2B, 0x3C4D, None, -79.0, None)
