"""Personal data is not world-readable (issue 16 point 7): the workspace, its folder and the
attachment copies are private; `case show`, `case list` and session exports mask identities
by default as reports do (`--include-personal` shows them); what the CLI prints carries no
terminal control; a closed pipe ends a command quietly (point 10).

The CLI in a subprocess on a real workspace."""

from __future__ import annotations

import json
import stat
import subprocess
import sys

import pytest

from fieldapp.model import Event, Sample
from fieldapp.store import Store

FIELDAPP = [sys.executable, "-m", "fieldapp"]
NUMBER = "+43 660 1234567"
IMEI = "351234567890123"
ESC_NAME = "Anna \x1b]0;pwned\x07Berger\x1b[2J"


def run(args, **kw):
    return subprocess.run(FIELDAPP + args, capture_output=True, text=True, timeout=60, **kw)


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "new-folder" / "ws.db"
    case = {"subscriber_number": NUMBER, "subscriber_name": ESC_NAME, "category": "weak signal",
            "imsi": "232011234567890", "description": f"calls from {NUMBER} drop \x9b31m at the bus stop"}
    res = run(["case", "new", "--json", "-", "--workspace", str(path)], input=json.dumps(case))
    assert res.returncode == 0, res.stderr
    case_id = int(res.stdout.strip())
    with Store.open(path) as store:
        sid = store.create_session("test", device={"family": "quectel", "imei": IMEI}, case_id=case_id)
        store.add_samples(sid, [Sample(1_764_325_637.0)])
        store.add_events(sid, [Event(1_764_325_638.0, "call_attempt", f"dialling {NUMBER}")])
        store.commit()
    return path, case_id, sid


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_the_workspace_and_its_new_folder_are_private(ws):
    path, _, _ = ws
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if extra.exists():
            assert _mode(extra) & 0o077 == 0


def test_an_existing_world_readable_workspace_is_made_private(ws):
    path, _, _ = ws
    path.chmod(0o644)
    with Store.open(path):
        pass
    assert _mode(path) == 0o600


def test_case_show_and_list_mask_identities_unless_asked(ws):
    path, case_id, _ = ws
    shown = run(["case", "show", str(case_id), "--workspace", str(path)])
    assert shown.returncode == 0, shown.stderr
    assert "1234567" not in shown.stdout and "***" in shown.stdout and "Berger" not in shown.stdout
    as_json = json.loads(run(["case", "show", str(case_id), "--json", "--workspace", str(path)]).stdout)
    assert "1234567" not in json.dumps(as_json) and "232011234567890" not in json.dumps(as_json)
    listed = run(["case", "list", "--json", "--workspace", str(path)])
    assert "1234567" not in listed.stdout
    full = run(["case", "show", str(case_id), "--include-personal", "--workspace", str(path)])
    assert NUMBER in full.stdout and "Berger" in full.stdout


def test_terminal_output_carries_no_control_characters(ws):
    path, case_id, _ = ws
    for args in (["case", "show", str(case_id), "--include-personal"], ["case", "list", "--include-personal"],
                 ["case", "show", str(case_id)]):
        res = run([*args, "--workspace", str(path)])
        assert res.returncode == 0, res.stderr
        assert not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F for c in res.stdout), \
            repr(res.stdout)


def test_a_session_export_masks_identities_unless_asked(ws, tmp_path):
    path, _, sid = ws
    masked, full = tmp_path / "m.fieldapp.jsonl", tmp_path / "f.fieldapp.jsonl"
    assert run(["export", str(sid), "--format", "native", "--out", str(masked), "--workspace", str(path)]).returncode == 0
    assert run(["export", str(sid), "--format", "native", "--out", str(full), "--include-personal",
                "--workspace", str(path)]).returncode == 0
    assert IMEI not in masked.read_text() and "1234567" not in masked.read_text()
    assert IMEI in full.read_text() and NUMBER in full.read_text()


def test_a_closed_pipe_ends_a_command_without_a_traceback(ws):
    path, _, _ = ws
    with Store.open(path) as store:
        for i in range(3000):
            store.add_session(f"test-{i}", start_utc=1_764_325_637.0 + i, end_utc=1_764_325_640.0 + i)
        store.commit()
    res = subprocess.run(" ".join(FIELDAPP) + f" sessions --workspace {path} | head -1", shell=True,
                         capture_output=True, text=True, timeout=60)
    assert "Traceback" not in res.stderr and "BrokenPipe" not in res.stderr, res.stderr
    assert res.stdout.split()[0] == "ID"
