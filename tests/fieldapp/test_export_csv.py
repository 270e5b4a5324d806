"""CSV export of a session: one row per sample, unknown as empty cells, neighbours in columns."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from fieldapp.export_csv import MIN_NEIGHBOUR_GROUPS, NEIGHBOUR_FIELDS, export_session_csv, header, iso_utc
from fieldapp.exporters import EXPORTERS, export_session
from fieldapp.model import NEIGHBOUR, Cell, Sample
from fieldapp.store import Store, UnknownSession
from tests.fieldapp.sample_records import SAMPLES, T0, dedicated_sample


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "ws.db") as s:
        yield s


def read_rows(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_iso_utc():
    assert iso_utc(T0) == "2025-11-28T10:27:17.250Z"
    assert iso_utc(T0, "seconds") == "2025-11-28T10:27:17Z"
    assert iso_utc(None) is None
    assert iso_utc(1e300) is None and iso_utc(float("inf")) is None  # garbage in: no text, no crash


def test_one_row_per_sample_with_serving_channel_signal_position_and_neighbours(store, tmp_path):
    sid = store.create_session("simulator:one-way-audio")
    store.add_samples(sid, SAMPLES)
    store.commit()
    out = tmp_path / "s.csv"
    assert export_session_csv(store, sid, out) == len(SAMPLES)
    rows = read_rows(out)
    assert len(rows) == len(SAMPLES)
    first = rows[0]
    assert first["time_utc"] == "2025-11-28T10:27:17.250Z" and float(first["ts_utc"]) == T0
    assert (first["tech"], first["mode"], first["arfcn"], first["bsic"], first["rxlev"], first["rxlev_dbm"]) == (
        "GSM", "dedicated", "7", "35", "25", "-85.0")
    assert (first["rxqual"], first["ta"], first["c1"], first["lac"], first["ci"]) == ("5", "3", "12", "6699", "15437")
    assert (first["tch_arfcn"], first["timeslot"], first["hopping"], first["maio"], first["channel_type"]) == (
        "7", "3", "0", "", "TCH/F")
    assert (first["rssi_dbm"], first["sig_rxqual"], first["reg_stat"]) == ("-85.0", "5", "1")
    assert (first["lat"], first["lon"], first["sats"]) == ("52.5201", "13.4049", "9")
    # neighbours in their order; unknown BSIC is empty, RXLEV 0 is a value
    assert [first[f"n{i}_arfcn"] for i in range(1, 7)] == ["12", "24", "61", "975", "10700", "6300"]
    assert (first["n2_bsic"], first["n3_rxlev"], first["n3_rxlev_dbm"]) == ("", "0", "-110.0")
    assert (first["n5_tech"], first["n5_pci"], first["n5_rscp_dbm"], first["n5_rxlev_dbm"]) == (
        "UMTS", "301", "-97.0", "")
    # a sample with nothing known: only its time
    empty = rows[1]
    assert {k for k, v in empty.items() if v} == {"time_utc", "ts_utc"}
    # hopping call: no TCH ARFCN, hopping parameters instead
    assert (rows[3]["tch_arfcn"], rows[3]["hopping"], rows[3]["maio"], rows[3]["hsn"]) == ("", "1", "2", "17")


def test_neighbour_columns_grow_past_six_when_a_sample_has_more(store, tmp_path):
    sid = store.create_session("test")
    many = tuple(Cell(role=NEIGHBOUR, arfcn=a, rxlev=20, rxlev_dbm=-90.0) for a in range(1, 9))
    store.add_samples(sid, [dedicated_sample(T0), Sample(ts_utc=T0 + 1, neighbours=many)])
    store.commit()
    out = tmp_path / "s.csv"
    export_session_csv(store, sid, out)
    rows = read_rows(out)
    assert list(rows[0]) == header(8)
    assert rows[1]["n8_arfcn"] == "8" and rows[0]["n7_arfcn"] == "" and rows[0]["n6_arfcn"] == "6300"


def test_an_empty_session_has_the_header_and_six_neighbour_groups(store, tmp_path):
    sid = store.create_session("test")
    out = tmp_path / "s.csv"
    assert export_session_csv(store, sid, out) == 0
    with open(out, encoding="utf-8") as f:
        names = next(csv.reader(f))
    assert names == header(MIN_NEIGHBOUR_GROUPS)
    assert names[-1] == f"n6_{NEIGHBOUR_FIELDS[-1]}"


def test_pandas_reads_levels_as_numbers_and_unknown_as_missing(store, tmp_path):
    sid = store.create_session("test")
    store.add_samples(sid, SAMPLES)
    store.commit()
    out = tmp_path / "s.csv"
    export_session_csv(store, sid, out)
    frame = pd.read_csv(out)
    assert frame["rxlev_dbm"].dtype.kind == "f"
    assert frame["rxlev_dbm"].iloc[0] == -85.0 and pd.isna(frame["rxlev_dbm"].iloc[1])
    assert pd.to_datetime(frame["time_utc"]).iloc[0].tz is not None


def test_export_registry_unknown_session_and_no_half_file_on_failure(store, tmp_path):
    assert "csv" in EXPORTERS
    with pytest.raises(UnknownSession):
        export_session(store, 99, tmp_path / "x.csv", "csv")
    with pytest.raises(ValueError, match="unknown export format"):
        export_session(store, 1, tmp_path / "x.csv", "xls")
    sid = store.create_session("test")
    with pytest.raises(OSError):
        export_session(store, sid, tmp_path / "missing-dir" / "x.csv", "csv")
    assert not [p.name for p in tmp_path.rglob("*") if p.name.endswith((".csv", ".part"))]
    out = tmp_path / "good.csv"
    out.write_text("earlier export\n")
    store.add_samples(sid, SAMPLES[:2])
    store.commit()
    assert export_session(store, sid, out, "csv") == 2
    assert not (tmp_path / "good.csv.part").exists()
    assert len(read_rows(out)) == 2
