"""`fieldapp sessions` and `fieldapp export` on a real workspace file."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fieldapp.cli import main
from fieldapp.model import EV_NOTE, Event
from fieldapp.store import Store
from tests.fieldapp.sample_records import SAMPLES, T0

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path) -> Path:
    """Two sessions: one ended with samples and a case, one interrupted and still open."""
    path = tmp_path / "ws.db"
    with Store.open(path) as store:
        case = store.create_case("Weak signal at the hospital bus stop")
        a = store.create_session("simulator:bus-stop-tilt13", start_utc=T0, case_id=case)
        store.add_samples(a, SAMPLES)
        store.add_events(a, [Event(T0, EV_NOTE, "tilt 13")])
        store.commit()
        store.end_session(a, T0 + 600)
        b = store.create_session("handset:/dev/ttyUSB0", start_utc=T0 + 3600)
        store.end_session(b, T0 + 3700, interrupted=True)
        store.reopen_session(b, now_utc=T0 + 3800)  # --reconnect: open again, gap recorded
        c = store.create_session("import:drive.nmf", start_utc=T0 + 7200)
        store.end_session(c, T0 + 7300, interrupted=True)
    return path


def test_sessions_json_has_exactly_the_documented_keys(workspace, capsys):
    assert main(["sessions", "--workspace", str(workspace), "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [set(item) for item in listing] == [
        {"id", "start", "end", "samples", "events", "case", "source", "interrupted"}] * 3
    first, second, third = listing
    assert first == {"id": 1, "start": "2025-11-28T10:27:17.250Z", "end": "2025-11-28T10:37:17.250Z",
                     "samples": len(SAMPLES), "events": 1, "case": 1,
                     "source": "simulator:bus-stop-tilt13", "interrupted": False}
    assert second["end"] is None and second["events"] == 1 and second["case"] is None
    assert third["interrupted"] is True and third["end"] == "2025-11-28T12:28:57.250Z"


def test_workspace_given_before_the_command_works_the_same(workspace, capsys):
    main(["sessions", "--json", "--workspace", str(workspace)])
    after = capsys.readouterr().out
    main(["--workspace", str(workspace), "sessions", "--json"])
    assert capsys.readouterr().out == after


def test_sessions_table_is_aligned(workspace, capsys):
    assert main(["--workspace", str(workspace), "sessions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert lines[0].split() == ["ID", "START", "(UTC)", "END", "(UTC)", "STATUS", "SAMPLES", "EVENTS",
                                "CASE", "SOURCE"]
    source_at = lines[0].index("SOURCE")
    assert [line[source_at:] for line in lines[1:]] == [
        "simulator:bus-stop-tilt13", "handset:/dev/ttyUSB0", "import:drive.nmf"]
    samples_end = lines[0].index("SAMPLES") + len("SAMPLES")
    assert lines[1][:samples_end].endswith(f" {len(SAMPLES)}")  # numbers right-aligned
    assert "2025-11-28T10:27:17Z" in lines[1] and " ended " in lines[1]
    assert " open " in lines[2] and " interrupted " in lines[3]


def test_sessions_without_a_workspace_lists_nothing_and_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "none.db"
    assert main(["sessions", "--workspace", str(missing), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["sessions", "--workspace", str(missing)]) == 0
    assert "no sessions" in capsys.readouterr().out
    assert not missing.exists()


def test_a_file_that_is_not_a_workspace_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("shopping list " * 20)
    assert main(["sessions", "--workspace", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("fieldapp: ") and "not a usable fieldapp workspace" in err


def test_export_csv_writes_one_row_per_sample(workspace, tmp_path, capsys):
    out = tmp_path / "session1.csv"
    assert main(["export", "1", "--format", "csv", "--out", str(out), "--workspace", str(workspace)]) == 0
    assert f"{len(SAMPLES)} records written" in capsys.readouterr().out
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(SAMPLES) and rows[0]["arfcn"] == "7" and rows[0]["n1_arfcn"] == "12"


def test_export_of_an_unknown_session_is_one_line_and_exit_2(workspace, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert main(["--workspace", str(workspace), "export", "42", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no session 42" in err
    assert not out.exists()


def test_export_to_an_unwritable_place_is_one_line_and_exit_2(workspace, tmp_path, capsys):
    out = tmp_path / "no-such-dir" / "x.csv"
    assert main(["export", "1", "--out", str(out), "--workspace", str(workspace)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err


def test_export_from_a_missing_workspace_is_exit_2(tmp_path, capsys):
    assert main(["export", "1", "--out", str(tmp_path / "x.csv"), "--workspace", str(tmp_path / "none.db")]) == 2
    assert "no workspace at" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_export_format_is_checked_by_the_parser(workspace, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "1", "--format", "xls", "--out", str(tmp_path / "x"), "--workspace", str(workspace)])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_installed_entry_point_lists_sessions(workspace):
    out = subprocess.run([sys.executable, "-m", "fieldapp", "--workspace", str(workspace), "sessions", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert [s["id"] for s in json.loads(out.stdout)] == [1, 2, 3]
