"""`fieldapp case ...` on a real workspace: the contract others script against (the new case's
id alone on stdout, exit 2 and one line naming the field for bad input), list/show/attach,
status changes, and report/pack files."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fieldapp.cli import main
from fieldapp.model import IDLE, Cell, Sample
from fieldapp.store import Store

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_764_325_637.0
INTAKE = {"subscriber_name": "Anna Berger", "subscriber_number": "+43 660 1234567", "category": "One-Way Audio",
          "description": "They cannot hear me in the mall", "address": "Mall, 3rd floor", "latitude": 48.21,
          "longitude": 16.39, "handset": "Nokia 105", "occurs": "always"}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ws(tmp_path):
    return tmp_path / "ws.db"


def test_new_from_json_prints_the_id_alone_and_show_has_the_facts(ws, tmp_path, capsys):
    intake = tmp_path / "case.json"
    intake.write_text(json.dumps(INTAKE), encoding="utf-8")
    code, out, err = run(capsys, "case", "new", "--json", str(intake), "--workspace", str(ws))
    assert (code, out, err) == (0, "1\n", "")
    code, out, _ = run(capsys, "case", "show", "1", "--workspace", str(ws), "--json", "--include-personal")
    case = json.loads(out)["case"]
    assert code == 0 and case["category"] == "one-way audio" and case["latitude"] == 48.21
    assert case["subscriber_name"] == "Anna Berger" and case["status"] == "new"
    # masked by default, as in reports (issue 16)
    code, out, _ = run(capsys, "case", "show", "1", "--workspace", str(ws), "--json")
    assert json.loads(out)["case"]["subscriber_name"] == "A. B."


def test_new_from_options_and_list_with_a_status_filter(ws, capsys):
    code, out, _ = run(capsys, "case", "new", "--workspace", str(ws), "--subscriber-name", "A B",
                       "--subscriber-number", "0660 7654321", "--category", "weak signal", "--description", "no bars",
                       "--address", "Main St 1", "--latitude", "48.2", "--longitude", "16.37")
    assert (code, out) == (0, "1\n")
    run(capsys, "case", "new", "--workspace", str(ws), "--subscriber-number", "0660 1", "--category", "echo")
    code, out, _ = run(capsys, "case", "status", "2", "facts collected", "--workspace", str(ws))
    assert code == 2
    code, out, _ = run(capsys, "case", "list", "--workspace", str(ws), "--status", "new", "--json")
    assert [c["id"] for c in json.loads(out)] == [1, 2]
    code, out, _ = run(capsys, "case", "list", "--workspace", str(ws), "--category", "ECHO")
    assert code == 0 and "echo" in out and "weak signal" not in out
    code, out, _ = run(capsys, "case", "list", "--workspace", str(ws), "--status", "closed")
    assert out.startswith("no cases")


@pytest.mark.parametrize("args, field", [
    (["--subscriber-number", "not a number", "--category", "echo"], "subscriber_number"),
    (["--subscriber-number", "0660 1234567", "--category", "sunburn"], "category"),
    (["--subscriber-number", "0660 1234567", "--category", "echo", "--latitude", "123", "--longitude", "1"],
     "latitude"),
    (["--subscriber-number", "0660 1234567", "--category", "echo", "--latitude", "48.2"], "longitude"),
    (["--category", "echo", "--description", "x"], "subscriber_number"),
    (["--subscriber-number", "0660 1234567", "--category", "echo", "--due-date", "tomorrow"], "due_date"),
])
def test_invalid_input_exits_2_with_one_line_naming_the_field(ws, capsys, args, field):
    code, out, err = run(capsys, "case", "new", "--workspace", str(ws), *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"fieldapp: {field}: ")
    assert not ws.exists() or Store.open(ws).cases() == []


def test_bad_json_files_are_named(ws, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _out, err = run(capsys, "case", "new", "--workspace", str(ws), "--json", str(bad))
    assert code == 2 and err.startswith("fieldapp: json: ") and "not valid JSON" in err
    bad.write_text(json.dumps({**INTAKE, "colour": "red"}), encoding="utf-8")
    code, _out, err = run(capsys, "case", "new", "--workspace", str(ws), "--json", str(bad))
    assert code == 2 and err.startswith("fieldapp: colour: unknown field")


def test_attach_status_report_and_pack(ws, tmp_path, capsys):
    with Store.open(ws) as store:
        sid = store.create_session("simulator:bus-stop-tilt13", start_utc=T0)
        store.add_samples(sid, [Sample(T0 + i, serving=Cell(arfcn=66, ci=12, rxlev=24, rxlev_dbm=-86.0), mode=IDLE)
                                for i in range(5)])
        store.commit()
    run(capsys, "case", "new", "--workspace", str(ws), *sum((["--" + k.replace("_", "-"), str(v)]
                                                              for k, v in INTAKE.items()), []))
    code, out, _ = run(capsys, "case", "attach", "1", "--session", str(sid), "--role", "before", "--workspace", str(ws))
    assert code == 0 and out.strip().isdigit()
    photo = tmp_path / "site.jpg"
    photo.write_bytes(b"jpeg")
    assert run(capsys, "case", "attach", "1", "--file", str(photo), "--workspace", str(ws))[0] == 0
    code, _out, err = run(capsys, "case", "attach", "1", "--session", "99", "--workspace", str(ws))
    assert code == 2 and "no session 99" in err
    code, out, _ = run(capsys, "case", "status", "1", "facts collected", "--author", "mhuber", "--workspace", str(ws))
    assert (code, out) == (0, "case 1: facts collected\n")
    code, out, _ = run(capsys, "case", "diagnose", "1", "--json", "--workspace", str(ws))
    found = json.loads(out)
    assert [f["rule"] for f in found] == ["weak_coverage", "not_tested", "not_tested"]
    # A one-way audio complaint backed by idle samples only (issue 13 §3).
    assert [f["data"]["what"] for f in found[1:]] == ["held calls", "audio heard by a listener"]
    assert found[0]["data"]["explains_category"] is False
    code, out, _ = run(capsys, "case", "show", "1", "--workspace", str(ws))
    assert "mhuber: new → facts collected" in out and "session (before)" in out and "site.jpg" in out
    pdf, html, pack = tmp_path / "r.pdf", tmp_path / "r.html", tmp_path / "p.zip"
    assert run(capsys, "case", "report", "1", "--out", str(pdf), "--workspace", str(ws))[0] == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert run(capsys, "case", "report", "1", "--out", str(html), "--include-personal", "--workspace", str(ws))[0] == 0
    assert "Anna Berger" in html.read_text(encoding="utf-8")
    assert run(capsys, "case", "pack", "1", "--out", str(pack), "--workspace", str(ws))[0] == 0
    with zipfile.ZipFile(pack) as zf:
        assert "files/2-site.jpg" in zf.namelist() and f"sessions/session-{sid}.csv" in zf.namelist()
    code, _out, err = run(capsys, "case", "report", "1", "--out", str(tmp_path / "r.doc"), "--workspace", str(ws))
    assert code == 2 and err.startswith("fieldapp: out: ")
    code, _out, err = run(capsys, "case", "show", "7", "--workspace", str(ws))
    assert code == 2 and "no case 7" in err


def test_the_command_line_tool_prints_only_the_id(ws, tmp_path):
    intake = tmp_path / "c.json"
    intake.write_text(json.dumps(INTAKE), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "fieldapp", "case", "new", "--json", str(intake),
                           "--workspace", str(ws)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "1\n", "")
    help_text = subprocess.run([sys.executable, "-m", "fieldapp", "case", "new", "--help"], capture_output=True,
                               text=True, cwd=ROOT, timeout=60).stdout
    help_text = " ".join(help_text.split())
    assert "--subscriber-name" in help_text and "--occurs" in help_text and "one-way audio" in help_text


def test_a_report_that_cannot_be_written_names_the_out_file(ws, tmp_path, capsys):
    run(capsys, "case", "new", "--workspace", str(ws), "--subscriber-number", "0660 1234567", "--category", "echo")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    for cmd, name in (("report", "r.pdf"), ("pack", "p.zip")):
        code, out, err = run(capsys, "case", cmd, "1", "--out", str(blocker / name), "--workspace", str(ws))
        assert (code, out) == (2, "") and err.startswith(f"fieldapp: out: cannot write {blocker / name}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "ws.db"]  # no half-written files
