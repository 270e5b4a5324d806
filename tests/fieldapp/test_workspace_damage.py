"""A damaged or read-only workspace (issue 16 point 9): a corrupted file gives "the workspace
is damaged" in one line and `fieldapp workspace check` (SQLite's integrity check; `--recover`
copies what is readable into a new file); a read-only workspace can still be listed and
exported; `record` never writes into a damaged or read-only file.

Real files broken by overwriting pages in the middle; a real read-only mount where the tests
run as root."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fieldapp.model import Cell, Sample
from fieldapp.store import Store
from tests.drivers.test_handset_source import quectel_table
from tests.support.peer import AtPeer

FIELDAPP = [sys.executable, "-m", "fieldapp"]
T0 = 1_764_325_637.0
N = 4000


def run(args, **kw):
    return subprocess.run(FIELDAPP + args, capture_output=True, text=True, timeout=120, **kw)


def make_workspace(path):
    with Store.open(path) as store:
        for s in range(3):
            sid = store.create_session(f"test-{s}", start_utc=T0)
            store.add_samples(sid, [Sample(T0 + i, serving=Cell(arfcn=66, rxlev=30, rxlev_dbm=-80.0, ci=i))
                                    for i in range(N)])
            store.end_session(sid, T0 + N)
        store.commit()
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def break_pages(path, pages=3):
    """Random bytes over a few pages in the middle of the file (the samples' leaf pages)."""
    size = path.stat().st_size
    first_page = size // 4096 // 2
    with open(path, "r+b") as f:
        f.seek(first_page * 4096)
        f.write(os.urandom(pages * 4096))


@pytest.fixture
def damaged(tmp_path):
    path = make_workspace(tmp_path / "ws.db")
    break_pages(path)
    return path


def test_a_damaged_workspace_is_one_line_not_a_traceback(damaged, tmp_path):
    res = run(["export", "2", "--out", str(tmp_path / "s.csv"), "--workspace", str(damaged)])
    assert res.returncode != 0
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "the workspace is damaged" in lines[0] and "workspace check" in lines[0]


def test_workspace_check_finds_it_and_recover_copies_what_is_readable(damaged, tmp_path):
    res = run(["workspace", "check", "--workspace", str(damaged)])
    assert res.returncode == 1 and "damaged" in res.stdout
    out = tmp_path / "saved.db"
    res = run(["workspace", "check", "--recover", "--out", str(out), "--workspace", str(damaged)])
    assert res.returncode == 0, res.stderr
    assert "recovered" in res.stdout
    assert run(["workspace", "check", "--workspace", str(out)]).returncode == 0  # the copy is sound
    listed = json.loads(run(["sessions", "--json", "--workspace", str(out)]).stdout)
    assert len(listed) == 3
    kept = sum(s["samples"] for s in listed)
    assert 0.5 * 3 * N < kept < 3 * N  # most rows, less the ones on the broken pages


def test_a_sound_workspace_checks_ok(tmp_path):
    path = make_workspace(tmp_path / "ws.db")
    res = run(["workspace", "check", "--workspace", str(path)])
    assert res.returncode == 0 and res.stdout.strip().endswith(": ok")


def test_record_refuses_a_damaged_workspace(damaged):
    with AtPeer(quectel_table()) as modem:
        res = run(["record", modem.port, "--duration", "2", "--workspace", str(damaged)])
    assert res.returncode == 2 and "the workspace is damaged" in res.stderr
    assert "Traceback" not in res.stderr


@pytest.fixture
def read_only(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("a read-only mount needs root")
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        make_workspace(mnt / "ws.db")
        assert subprocess.run(["mount", "-o", "remount,ro", str(mnt)]).returncode == 0
        yield mnt / "ws.db"
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_read_only_workspace_is_listed_and_exported_but_not_recorded_into(read_only, tmp_path):
    res = run(["sessions", "--json", "--workspace", str(read_only)])
    assert res.returncode == 0, res.stderr
    assert [s["samples"] for s in json.loads(res.stdout)] == [N, N, N]
    out = tmp_path / "s1.csv"
    res = run(["export", "1", "--out", str(out), "--workspace", str(read_only)])
    assert res.returncode == 0, res.stderr
    assert len(out.read_text().splitlines()) == N + 1
    with AtPeer(quectel_table()) as modem:
        res = run(["record", modem.port, "--duration", "2", "--workspace", str(read_only)])
    assert res.returncode == 2 and "read-only" in res.stderr and "Traceback" not in res.stderr
