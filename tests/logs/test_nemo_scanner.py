"""Nemo scanner records (FREQSCAN, PILOTSCAN, OFDMSCAN) → Scan, from a file written per the
format reference (tests/fixtures/logs/nemo-scanner-written.1.nmf says how), imported into a
workspace and carried by the native format and the CSV export."""

from __future__ import annotations

import csv
from pathlib import Path

from fieldapp import model
from fieldapp.export_csv import scans_csv_path
from fieldapp.exporters import export_session
from fieldapp.importer import import_file
from fieldapp.store import Store
from logs.native import NativeReader
from logs.nemo import NemoReader

FIXTURE = Path(__file__).parents[1] / "fixtures" / "logs" / "nemo-scanner-written.1.nmf"


def _records():
    reader = NemoReader(FIXTURE)
    return reader, list(reader)


def test_freqscan_is_a_gsm_scan_with_decoded_and_undecoded_carriers():
    reader, recs = _records()
    scans = [r for r in recs if isinstance(r, model.Scan)]
    assert [s.source for s in scans] == ["nemo FREQSCAN", "nemo PILOTSCAN", "nemo OFDMSCAN", "nemo FREQSCAN"]
    assert reader.stats.unknown["OFDMSCAN type 2"] == 1  # the second OFDMSCAN measurement is not read
    first = scans[0]
    assert first.tech == model.GSM and first.position is not None and first.position.lat == 48.299185
    by = {c.arfcn: c for c in first.carriers}
    assert sorted(by) == [2, 4, 6, 12, 100, 104]
    assert by[2].rxlev_dbm == -58.0 and by[2].bsic is None and by[2].cinr_db == -9.5 and by[2].band == "GSM900"
    assert by[100].bsic == 23 and by[100].decoded and by[100].rxlev_dbm == -93.0
    assert first.end_utc - scans[3].end_utc == -3.0
    # the last FREQSCAN says 9 channels and has one: a bad line, reported, not a wrong scan
    assert reader.stats.bad_count == 1 and "do not fit" in reader.stats.bad_lines[0].reason


def test_pilotscan_and_ofdmscan_keep_their_technology_and_levels():
    _reader, recs = _records()
    scans = [r for r in recs if isinstance(r, model.Scan)]
    umts, lte = scans[1], scans[2]
    assert umts.tech == model.UMTS and umts.arfcn_from == 10588
    assert [(c.pci, c.rscp_dbm, c.ecno_db) for c in umts.carriers] == [(17, -71.0, -4.5), (212, -78.5, -9.0),
                                                                       (300, -92.0, -18.0)]  # SC 0 empty: left out
    assert umts.carriers[0].rxlev_dbm == -70.1 and umts.carriers[0].band == "UMTS B1"
    assert lte.tech == model.LTE and lte.arfcn_from == 1850
    assert [(c.pci, c.rsrp_dbm, c.rsrq_db, c.cinr_db) for c in lte.carriers] == [(302, -88.5, -10.5, 12.0),
                                                                                (118, -97.0, -15.0, 2.5)]
    assert lte.carriers[0].level_dbm == -88.5 and lte.carriers[0].rxlev_dbm == -80.5
    assert lte.carriers[0].band == "LTE B3"


REAL = Path(__file__).parents[1] / "fixtures" / "logs" / "nemo-scanner-pctel.1.nmf"


def test_real_pctel_scanner_lines():
    reader = NemoReader(REAL)
    scans = [r for r in reader if isinstance(r, model.Scan)]
    assert reader.stats.bad_count == 0
    assert [(s.source, s.arfcn_from, len(s.carriers)) for s in scans] == [
        ("nemo OFDMSCAN", 3350, 4), ("nemo PILOTSCAN", 10787, 1), ("nemo OFDMSCAN", 3400, 0),
        ("nemo PILOTSCAN", 10812, 3)]
    lte = scans[0]
    assert [(c.pci, c.rsrp_dbm, c.rsrq_db, c.cinr_db) for c in lte.carriers[:2]] == [(328, -102.9, -8.1, 10.6),
                                                                                   (327, -114.3, -19.5, -4.3)]
    assert lte.carriers[0].rxlev_dbm == -88.8 and lte.carriers[0].band == "LTE B7"
    assert lte.position is not None and lte.position.lon == 100.379028  # the fix 17 ms before
    umts = scans[3]
    assert [(c.pci, c.ecno_db, c.rscp_dbm) for c in umts.carriers] == [(325, -12.1, -85.1), (41, -23.1, -96.1),
                                                                      (235, -25.4, -98.3)]
    assert reader.stats.unknown["OFDMSCAN type 2"] == 2 and reader.stats.unknown["PRBSCAN"] == 1


def test_import_then_native_and_csv_exports_carry_the_scans(tmp_path):
    with Store.open(tmp_path / "ws.db") as store:
        result = import_file(store, FIXTURE)
        assert result.counts["scans"] == 4 and result.counts["samples"] == 1
        sid = result.session_id
        scans = store.scans(sid)
        assert len(scans) == 4 and scans[0].carriers[0].arfcn == 2
        export_session(store, sid, tmp_path / "s.fieldapp.jsonl", "native")
        rows = export_session(store, sid, tmp_path / "s.csv", "csv")
    back = [r for r in NativeReader(tmp_path / "s.fieldapp.jsonl") if isinstance(r, model.Scan)]
    assert back == scans
    companion = scans_csv_path(tmp_path / "s.csv")
    assert companion.name == "s.scans.csv" and not (tmp_path / "s.csv.part").exists()
    with open(companion, newline="") as f:
        table = list(csv.DictReader(f))
    assert rows == 1 + len(table)
    assert len(table) == sum(len(s.carriers) for s in scans)
    row = next(r for r in table if r["arfcn"] == "100" and r["scan"] == "1")
    assert row["bsic"] == "23" and row["rxlev_dbm"] == "-93.0" and row["source"] == "nemo FREQSCAN"
    assert next(r for r in table if r["arfcn"] == "2")["bsic"] == ""  # not decoded: empty, never 0


def test_freqscan_channel_layouts_read_by_value():
    from logs.nemo_scan import freqscan

    # band first in the channel; level before BSIC; band as a header; no header block at all
    rows = {
        "band first": ["1", "0", "1", "5", "10900", "62", "35", "-71.5", "9.0", "-72.0"],
        "level first": ["1", "1", "10900", "2", "5", "62", "-71.5", "29", "9.0", "", "512", "-99.0", "", "", ""],
        "no header": ["1", "2", "4", "62", "29", "-71.5", "9.0", "871", "", "-101.0", ""],
    }
    got = {k: freqscan(0.0, p, None).carriers for k, p in rows.items()}
    assert [(c.arfcn, c.bsic, c.rxlev_dbm, c.band) for c in got["band first"]] == [(62, 35, -71.5, "GSM900")]
    assert [(c.arfcn, c.bsic, c.rxlev_dbm, c.band) for c in got["level first"]] == [(62, 29, -71.5, "GSM900"),
                                                                                   (512, None, -99.0, "DCS1800")]
    assert [(c.arfcn, c.bsic, c.rxlev_dbm, c.band) for c in got["no header"]] == [(62, 29, -71.5, "GSM900"),
                                                                                 (871, None, -101.0, "DCS1800")]
