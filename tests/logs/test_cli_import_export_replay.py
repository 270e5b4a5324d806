"""``fieldapp import``, ``fieldapp export --format native|kml`` and ``fieldapp replay`` through the
real CLI entry point and a real workspace file."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from fieldapp.cli import main
from fieldapp.store import Store

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
NEMO = FIX / "nemo-RYG0443_R3_R002.3.nmf"
KML_NS = "{http://www.opengis.net/kml/2.2}"


def run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_json_has_session_counts_calls_and_skipped(tmp_path, capsys):
    ws = tmp_path / "ws.db"
    code, out, err = run(capsys, "import", NEMO, "--workspace", ws, "--json")
    # the one note: the file holds UMTS and LTE, no GSM (issue 12 point 15)
    assert code == 0 and err.startswith("fieldapp: note: no GSM measurements in this file: UMTS ")
    assert err.count("\n") == 1
    doc = json.loads(out)
    assert doc["session"] == 1
    assert doc["counts"] == {"samples": 314, "events": 18, "positions": 157}
    assert doc["calls"] == {"success": 3, "failed": 1, "dropped": 0}
    assert doc["skipped"] == 4928


def test_import_text_output_and_case(tmp_path, capsys):
    ws = tmp_path / "ws.db"
    with Store.open(ws) as st:
        case = st.create_case("drops in the village")
    code, out, _ = run(capsys, "import", FIX / "gnettrack-Yas_log.txt", "--case", case, "--workspace", ws)
    assert code == 0
    assert out.startswith("session 1: 2719 samples, 555 events, 2246 positions; calls: 39 success, 0 failed, 2 dropped")
    with Store.open(ws) as st:
        assert st.session(1).case_id == case


def test_corrupt_file_imports_what_is_readable_and_lists_bad_lines_on_stderr(tmp_path, capsys):
    lines = NEMO.read_bytes().split(b"\n")
    cm = [i for i, ln in enumerate(lines) if ln.startswith(b"CELLMEAS")]
    lines[cm[3]] = b"CELLMEAS,16:0\xff"
    bad = tmp_path / "bad.3.nmf"
    bad.write_bytes(b"\n".join(lines[: cm[200]]) + b"\n" + lines[cm[200]][:30])  # and cut short
    code, out, err = run(capsys, "import", bad, "--workspace", tmp_path / "ws.db", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["counts"]["samples"] == 199 and doc["bad_count"] == 2
    assert f"line {cm[3] + 1}:" in err and f"line {cm[200] + 1}:" in err and "2 bad lines" in err


def test_failed_import_exits_2_and_writes_nothing(tmp_path, capsys):
    ws = tmp_path / "ws.db"
    run(capsys, "import", FIX / "nmea-bu353s4.log", "--workspace", ws)
    before = ws.read_bytes()
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n")
    code, out, err = run(capsys, "import", junk, "--workspace", ws)
    assert code == 2 and out == "" and "not a log or cell file format" in err
    code, _, err = run(capsys, "import", junk, "--format", "nemo", "--workspace", ws)
    assert code == 2 and "no record could be read" in err
    code, _, err = run(capsys, "import", tmp_path / "missing.nmf", "--workspace", ws)
    assert code == 2 and "no such file" in err
    with Store.open(ws) as st:
        assert len(st.sessions()) == 1
    assert ws.read_bytes()[:100] == before[:100]


def test_cell_file_import(tmp_path, capsys):
    code, out, _ = run(capsys, "import", FIX / "cells-plan.csv", "--workspace", tmp_path / "ws.db", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["session"] is None and doc["counts"] == {"cells": 3, "trxs": 4}


def test_export_native_and_kml(tmp_path, capsys):
    ws = tmp_path / "ws.db"
    run(capsys, "import", FIX / "tems-cells.cel", "--workspace", ws)
    run(capsys, "import", FIX / "gnettrack-Yas_log.txt", "--workspace", ws)
    code, out, _ = run(capsys, "export", "1", "--format", "native", "--out", tmp_path / "s.jsonl", "--workspace", ws)
    assert code == 0 and "5520 records" in out
    code, out, _ = run(capsys, "import", tmp_path / "s.jsonl", "--workspace", ws, "--json")
    assert json.loads(out)["counts"] == {"samples": 2719, "events": 555, "positions": 2246}
    code, out, _ = run(capsys, "export", "1", "--format", "kml", "--out", tmp_path / "s.kml", "--workspace", ws)
    assert code == 0
    doc = ET.parse(tmp_path / "s.kml").getroot()
    folders = {f.findtext(f"{KML_NS}name"): f for f in doc.iter(f"{KML_NS}Folder")}
    route = folders["Route"].findall(f"{KML_NS}Placemark")
    styles = {p.findtext(f"{KML_NS}styleUrl") for p in route}
    assert len(route) > 50 and {"#lvl-0", "#lvl-1", "#lvl-2", "#lvl-3"} <= styles
    sites = [p.findtext(f"{KML_NS}name") for p in folders["Cell sites"].findall(f"{KML_NS}Placemark")]
    assert sites == ["HOSP-1", "HOSP-2", "HOSP-3", "MARKET-1", "MARKET-2"]
    drops = [p for p in folders["Events"].findall(f"{KML_NS}Placemark") if p.findtext(f"{KML_NS}name") == "call_dropped"]
    assert len(drops) == 2


def test_replay_headless_from_file_and_from_session(tmp_path, capsys):
    code, out, _ = run(capsys, "replay", FIX / "nmea-bu353s4.log", "--speed", "64", "--headless")
    assert code == 0 and "end: 25 records replayed" in out
    ws = tmp_path / "ws.db"
    run(capsys, "import", NEMO, "--workspace", ws)
    code, out, _ = run(capsys, "replay", "1", "--speed", "64", "--headless", "--workspace", ws)
    assert code == 0 and out.count("call_attempt") == 4 and "end: 489 records replayed" in out


def test_replay_errors(tmp_path, capsys):
    code, _, err = run(capsys, "replay", "42", "--workspace", tmp_path / "none.db")
    assert code == 2 and "no workspace" in err
    code, _, err = run(capsys, "replay", FIX / "nmea-bu353s4.log", "--speed", "200", "--headless")
    assert code == 2 and "speed" in err
    code, _, err = run(capsys, "replay", FIX / "cells-plan.csv", "--headless")
    assert code == 2 and "cell file" in err


def test_gnettrack_import_notes_the_assumed_time_zone(tmp_path, capsys):
    code, _, err = run(capsys, "import", FIX / "gnettrack-Yas_log_events.txt", "--workspace", tmp_path / "w.db")
    assert code == 0 and "taken as UTC" in err
    code, out, err = run(capsys, "import", FIX / "gnettrack-Yas_log_events.txt", "--utc-offset", "0",
                         "--workspace", tmp_path / "w.db", "--json")
    assert code == 0 and err == "" and json.loads(out)["notes"] == []


def test_a_native_export_imports_again_with_the_same_span_and_counts(tmp_path, capsys):
    """Round trip of an imported Nemo log: its session ends at the file's #STOP, after its last
    record; the native export re-imports with the same start, end and counts."""
    ws = tmp_path / "ws.db"
    run(capsys, "import", NEMO, "--workspace", ws)
    assert run(capsys, "export", "1", "--format", "native", "--out", tmp_path / "s.jsonl", "--workspace", ws)[0] == 0
    code, out, _ = run(capsys, "import", tmp_path / "s.jsonl", "--workspace", ws, "--json")
    assert code == 0 and json.loads(out)["counts"] == {"samples": 314, "events": 18, "positions": 157}
    with Store.open(ws) as store:
        first, again = store.session(1), store.session(2)
        last_record = max(r.ts_utc for r in store.samples(1))
    assert first.end_utc > last_record  # the #STOP line
    assert (again.start_utc, again.end_utc) == (first.start_utc, first.end_utc)


def test_replay_of_a_file_reads_it_as_the_import_does(tmp_path):
    """QA of issue 15: `fieldapp replay FILE` opened the reader on the raw file, while the
    import prepares it first (logs.text_input: a BOM, UTF-16, Latin-1, CR-only line ends): a
    Nemo file with CR line ends raised csv.Error out of the header (a traceback), a UTF-16
    G-NetTrack log was "not a log format I know", a CR-only one had nothing to replay. The
    replay now reads what the import reads: the same records as the original file's."""
    import argparse

    from fieldapp.cli.logs import build_replay

    def records(path):
        args = argparse.Namespace(target=str(path), format=None, speed=1.0, workspace=str(tmp_path / "w.db"))
        return build_replay(args).records

    gnt = FIX / "gnettrack-Yas_log.txt"
    events = FIX / "gnettrack-Yas_log_events.txt"
    cr_nemo = tmp_path / "cr.3.nmf"
    cr_nemo.write_bytes(NEMO.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    u16 = tmp_path / "u16" / gnt.name
    u16.parent.mkdir()
    u16.write_bytes(gnt.read_text(encoding="utf-8").encode("utf-16"))
    (u16.parent / events.name).write_bytes(events.read_bytes())  # its companion, as the user keeps it
    want_nemo, want_gnt = records(NEMO), records(gnt)
    assert len(want_nemo) == 489 and len(want_gnt) > 2000
    assert records(cr_nemo) == want_nemo
    assert records(u16) == want_gnt
