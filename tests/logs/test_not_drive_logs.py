"""What a file holds is said, never imported as something else (issue 12 points 12-15):
files that are not drive logs are named, a missing G-NetTrack _events file makes the calls
unknown, a session with positions and no radio sample exports its track, and the import says
which technologies the file holds. Real files: tests/fixtures/logs (provenance in each);
the G-NetTrack side files are doc-derived from their columns (log-formats.md §2.2)."""

from __future__ import annotations

import csv
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fieldapp.cli import main
from fieldapp.importer import import_file
from fieldapp.store import Store
from logs.not_logs import what_else

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
AT_FIX = Path(__file__).resolve().parents[1] / "fixtures" / "at"
KML_NS = "{http://www.opengis.net/kml/2.2}"

# G-NetTrack _datatest.txt and _stats.txt, columns as log-formats.md §2.2 lists them (doc-derived)
DATATEST = ("Timestamp\tLongitude\tLatitude\tOperatorname\tNetworkTech\tPINGAVG\tPINGMIN\tPINGMAX\tPINGSTDEV\t"
            "PINGLOSS\tTESTDOWNLINK\tTESTUPLINK\tTESTDOWNLINKMAX\tTESTUPLINKMAX\r\n"
            "2025.07.18_22.15.02\t-17.436165\t14.665338\tYas\t4G\t41\t38\t55\t4.1\t0\t12034\t3310\t15000\t4100\t\r\n")
STATS = "Event\tStats\r\nVoice Calls\t3\r\nSuccessful Calls\t3\r\nBlocked Calls\t0\r\nDropped Calls\t0\r\n"


def run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name,text,says", [
    ("Yas_log_datatest.txt", DATATEST, "G-NetTrack data-test file"),
    ("Yas_log_stats.txt", STATS, "G-NetTrack statistics file"),
])
def test_gnettrack_side_files_are_named_and_point_to_the_main_log(tmp_path, capsys, name, text, says):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    msg = what_else(f)
    assert msg is not None and says in msg and "import Yas_log.txt instead" in msg
    ws = tmp_path / "ws.db"
    code, out, err = run(capsys, "import", f, "--workspace", ws)
    assert code == 2 and err.count("\n") == 1 and says in err and "Traceback" not in err
    with Store.open(ws) as store:
        assert store.sessions() == []  # nothing imported as something it is not


def test_an_at_transcript_given_to_import_points_to_parse_at(tmp_path, capsys):
    # tests/fixtures/at/simcom-SIM800L-ceng.txt: a real SIM800L capture (sitch-io/sensor)
    f = tmp_path / "capture.txt"
    shutil.copy(AT_FIX / "simcom-SIM800L-ceng.txt", f)
    code, out, err = run(capsys, "import", f, "--workspace", tmp_path / "ws.db")
    assert code == 2 and "modem AT transcript" in err and "fieldapp parse-at capture.txt" in err


@pytest.mark.parametrize("name", ["gnettrack-Yas_log.txt", "nemo-RYG0443_R3_R002.3.nmf", "nmea-bu353s4.log",
                                  "nemo-scanner-pctel.1.nmf", "tems-cells.cel"])
def test_real_logs_are_not_taken_for_something_else(name):
    assert what_else(FIX / name) is None


def test_gnettrack_without_its_events_file_says_calls_are_unknown(tmp_path, capsys):
    f = tmp_path / "Yas_log.txt"
    shutil.copy(FIX / "gnettrack-Yas_log.txt", f)  # alone: no Yas_log_events.txt beside it
    code, out, err = run(capsys, "import", f, "--workspace", tmp_path / "ws.db", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["calls"] is None
    assert any("calls are unknown" in n and "Yas_log_events.txt" in n for n in doc["notes"])
    code, out, err = run(capsys, "import", f, "--workspace", tmp_path / "ws2.db")
    assert "calls: unknown (no _events file)" in out and "0 success" not in out


def test_gnettrack_with_its_events_file_counts_calls(tmp_path, capsys):
    shutil.copy(FIX / "gnettrack-Yas_log.txt", tmp_path / "Yas_log.txt")
    shutil.copy(FIX / "gnettrack-Yas_log_events.txt", tmp_path / "Yas_log_events.txt")
    code, out, err = run(capsys, "import", tmp_path / "Yas_log.txt", "--workspace", tmp_path / "ws.db", "--json")
    doc = json.loads(out)
    assert isinstance(doc["calls"], dict) and sum(doc["calls"].values()) > 0


def test_the_import_says_which_technologies_the_file_holds(tmp_path, capsys):
    ws = tmp_path / "ws.db"
    code, out, err = run(capsys, "import", FIX / "nemo-RYG0443_R3_R002.3.nmf", "--workspace", ws, "--json")
    doc = json.loads(out)
    techs = doc["technologies"]
    assert "GSM" not in techs and techs.get("UMTS", 0) > 0 and techs.get("LTE", 0) > 0
    assert sum(techs.values()) == doc["counts"]["samples"]
    assert any(n.startswith("no GSM measurements in this file: ") for n in doc["notes"])
    assert "no GSM measurements in this file" in err
    code, out, err = run(capsys, "import", FIX / "nemo-RYG0443_R3_R002.3.nmf", "--workspace", ws)
    assert "technologies: " in out and "UMTS" in out and "LTE" in out


def test_a_nemo_measurement_without_serving_cell_does_not_flip_the_technology(tmp_path):
    with Store.open(tmp_path / "ws.db") as store:
        result = import_file(store, FIX / "nemo-RYG0443_R3_R002.3.nmf")
        samples = list(store.samples(result.session_id))
    assert all(s.tech is None for s in samples if s.serving is None)
    assert all(s.tech in ("UMTS", "LTE") for s in samples if s.serving is not None)


def test_a_scanner_file_names_the_records_it_does_not_read_and_exports_its_track(tmp_path, capsys):
    ws = tmp_path / "ws.db"
    code, out, err = run(capsys, "import", FIX / "nemo-scanner-pctel.1.nmf", "--workspace", ws, "--json")
    assert code == 0
    doc = json.loads(out)
    assert any(n.startswith("a scanner file: its scan records are not read") for n in doc["notes"])
    assert doc["counts"]["positions"] > 0 and doc["counts"].get("samples", 0) == 0
    _exports_track(tmp_path, capsys, ws, doc["session"], doc["counts"]["positions"])


def test_an_nmea_log_exports_its_track_in_csv_and_kml(tmp_path, capsys):
    ws = tmp_path / "ws.db"
    code, out, err = run(capsys, "import", FIX / "nmea-bu353s4.log", "--workspace", ws, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["counts"].get("samples", 0) == 0 and doc["counts"]["positions"] > 0
    _exports_track(tmp_path, capsys, ws, doc["session"], doc["counts"]["positions"])


def _exports_track(tmp_path, capsys, ws, session, positions):
    out_csv = tmp_path / "track.csv"
    code, _, err = run(capsys, "export", session, "--format", "csv", "--out", out_csv, "--workspace", ws)
    assert code == 0, err
    with open(out_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == positions
    assert all(r["lat"] and r["lon"] and r["time_utc"] for r in rows) and not any(r["arfcn"] for r in rows)
    out_kml = tmp_path / "track.kml"
    code, _, err = run(capsys, "export", session, "--format", "kml", "--out", out_kml, "--workspace", ws)
    assert code == 0, err
    root = ET.parse(out_kml).getroot()
    coords = [c.text for c in root.iter(f"{KML_NS}coordinates") if c.text]
    assert coords, "no track line in the KML"


@pytest.mark.parametrize("name,says", [
    ("huawei_mae_query.csv", "an OSS counter export, not a drive log: import it into a case with "
                             "`fieldapp stats import huawei_mae_query.csv --case ID`"),
    ("ericsson_eniq.csv", "`fieldapp stats import ericsson_eniq.csv --case ID`"),
    ("ts32435_cells.xml", "`fieldapp stats import ts32435_cells.xml --case ID`"),
    ("huawei_alarms.csv", "an OSS alarm list, not a drive log: import it into a case with "
                          "`fieldapp alarms import huawei_alarms.csv --case ID`"),
    ("x733_alarms.csv", "`fieldapp alarms import x733_alarms.csv --case ID`"),
])
def test_a_statistics_export_given_to_import_names_the_stats_command(tmp_path, capsys, name, says):
    # Trial 2026-12-06: "st13.csv: not a log or cell file format I know" for the simulator's Huawei export.
    f = tmp_path / name
    shutil.copy(FIX.parent / "stats" / name, f)
    code, _out, err = run(capsys, "import", f, "--workspace", tmp_path / "ws.db")
    assert code == 2 and err.count("\n") == 1 and says in err
    with Store.open(tmp_path / "ws.db") as store:
        assert store.sessions() == []
