"""Output files are written safely (issue 16 point 2): export, report, pack and attachment
copies never write through a planted link, never replace a link, FIFO or device given as the
target, leave no half file on failure, and `--out -` writes to standard output.

Real workspace, real files, links, FIFOs (and a device node when the tests run as root); the
CLI in a subprocess."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from fieldapp.cases import evidence, workflow
from fieldapp.exporters import export_session
from fieldapp.report import gather_report, write_pack, write_report
from fieldapp.safe_write import UnsafeTarget, replacing
from fieldapp.store import Store
from tests.fieldapp.sample_records import SAMPLES

FIELDAPP = [sys.executable, "-m", "fieldapp"]
SECRET = b"do not touch\n"


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "ws.db"
    with Store.open(path) as store:
        sid = store.create_session("simulator:one-way-audio")
        store.add_samples(sid, SAMPLES)
        store.commit()
        case_id = workflow.create(store, {"subscriber_number": "+43 660 1234567", "category": "weak signal"},
                                  author="t")
        store.commit()
    return path, sid, case_id


@pytest.fixture
def victim(tmp_path):
    path = tmp_path / "victim.txt"
    path.write_bytes(SECRET)
    return path


def _export(ws_path, sid, out, fmt="csv"):
    return subprocess.run(FIELDAPP + ["export", str(sid), "--format", fmt, "--out", str(out),
                                      "--workspace", str(ws_path)], capture_output=True, timeout=60)


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if ".part" in p.name]


# ------------------------------------------------------------------ planted <out>.part link

@pytest.mark.parametrize("fmt", ["csv", "native", "kml"])
def test_a_planted_part_link_does_not_redirect_an_export(ws, victim, tmp_path, fmt):
    ws_path, sid, _ = ws
    out = tmp_path / "drive.out"
    (tmp_path / "drive.out.part").symlink_to(victim)
    with Store.open(ws_path) as store:
        export_session(store, sid, out, fmt)
    assert victim.read_bytes() == SECRET
    assert out.is_file() and not out.is_symlink() and out.stat().st_size > 0
    assert (tmp_path / "drive.out.part").is_symlink()  # left alone, not followed


def test_a_planted_part_link_does_not_redirect_a_report_or_a_pack(ws, victim, tmp_path):
    ws_path, _, case_id = ws
    for name in ("case.html", "case.pdf", "case.zip"):
        (tmp_path / f"{name}.part").symlink_to(victim)
    with Store.open(ws_path) as store:
        data = gather_report(store, case_id)
        write_report(data, tmp_path / "case.html")
        write_report(data, tmp_path / "case.pdf")
        write_pack(store, case_id, tmp_path / "case.zip")
    assert victim.read_bytes() == SECRET
    assert (tmp_path / "case.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "case.zip").read_bytes().startswith(b"PK")


# ------------------------------------------------------------------ targets that are not files

def test_an_out_that_is_a_symlink_is_refused_and_left_as_it_is(ws, victim, tmp_path):
    ws_path, sid, _ = ws
    link = tmp_path / "link.csv"
    link.symlink_to(victim)
    res = _export(ws_path, sid, link)
    assert res.returncode == 2
    err = res.stderr.decode().strip().splitlines()
    assert len(err) == 1 and "symbolic link" in err[0] and str(link) in err[0]
    assert link.is_symlink() and victim.read_bytes() == SECRET
    assert _leftovers(tmp_path) == []


def test_an_out_that_is_a_fifo_is_refused_without_hanging(ws, tmp_path):
    ws_path, sid, _ = ws
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    res = _export(ws_path, sid, fifo)
    assert res.returncode == 2 and "FIFO" in res.stderr.decode()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_an_out_that_is_a_device_node_is_refused(ws, tmp_path):
    ws_path, sid, _ = ws
    node = tmp_path / "full"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # the /dev/full device
    res = _export(ws_path, sid, node)
    assert res.returncode == 2 and "device node" in res.stderr.decode()
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_report_pack_and_attachment_refuse_a_link_target(ws, victim, tmp_path):
    ws_path, _, case_id = ws
    with Store.open(ws_path) as store:
        data = gather_report(store, case_id)
        for name in ("r.pdf", "r.html", "p.zip"):
            (tmp_path / name).symlink_to(victim)
        with pytest.raises(UnsafeTarget):
            write_report(data, tmp_path / "r.pdf")
        with pytest.raises(UnsafeTarget):
            write_report(data, tmp_path / "r.html")
        with pytest.raises(UnsafeTarget):
            write_pack(store, case_id, tmp_path / "p.zip")
        # an attachment copy whose destination someone planted as a link
        photo = tmp_path / "photo.jpg"
        photo.write_bytes(b"\xff\xd8 a photo")
        digest = evidence.sha256_of(photo)
        folder = evidence.attachments_dir(store) / f"case-{case_id}"
        folder.mkdir(parents=True)
        (folder / f"{digest[:12]}-photo.jpg").symlink_to(victim)
        with pytest.raises(evidence.EvidenceError, match="symbolic link"):
            evidence.attach_file(store, case_id, photo)
    assert victim.read_bytes() == SECRET


def test_an_attachment_copy_is_private(ws, tmp_path):
    ws_path, _, case_id = ws
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    with Store.open(ws_path) as store:
        evidence.attach_file(store, case_id, photo)
        copied = list((evidence.attachments_dir(store) / f"case-{case_id}").iterdir())
    assert len(copied) == 1 and stat.S_IMODE(copied[0].stat().st_mode) == 0o600


# ------------------------------------------------------------------ failures and stdout

def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path):
    out = tmp_path / "old.csv"
    out.write_bytes(b"good old export\n")
    with pytest.raises(RuntimeError), replacing(out) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk gone")
    assert out.read_bytes() == b"good old export\n"
    assert list(tmp_path.iterdir()) == [out]


def test_export_to_standard_output(ws, tmp_path):
    ws_path, sid, _ = ws
    res = _export(ws_path, sid, "-")
    assert res.returncode == 0, res.stderr
    _export(ws_path, sid, tmp_path / "file.csv")
    assert res.stdout == (tmp_path / "file.csv").read_bytes()
    assert b"standard output" in res.stderr
    assert _leftovers(tmp_path) == []
