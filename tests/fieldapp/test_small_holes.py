"""Small holes (issue 16 point 10): pack file names that break `sha256sum -c`, an unbounded
`cells` field, deeply nested JSON, a second simulator taking over a live `--link`, and
`--rate 0` / `inf` / negative `--duration` being accepted. (Broken pipes: test_personal_data.)

Real CLI in subprocesses, a real zip checked with the real sha256sum."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

import pytest

from fieldapp.cases import evidence, workflow
from fieldapp.report import write_pack
from fieldapp.store import Store

FIELDAPP = [sys.executable, "-m", "fieldapp"]


def run(args, **kw):
    return subprocess.run(FIELDAPP + args, capture_output=True, text=True, timeout=60, **kw)


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs sha256sum")
def test_pack_names_with_newline_cr_and_tab_still_check_with_sha256sum(tmp_path):
    ws = tmp_path / "ws.db"
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    with Store.open(ws) as store:
        case_id = workflow.create(store, {"subscriber_number": "+43 660 1234567", "category": "weak signal"},
                                  author="t")
        evidence.attach_file(store, case_id, photo, label="bus\nstop\r\tphoto/../x.jpg")
        store.commit()
        names = write_pack(store, case_id, tmp_path / "case.zip")
    assert all(not any(c in n for c in "\n\r\t") for n in names)
    out = tmp_path / "unpacked"
    with zipfile.ZipFile(tmp_path / "case.zip") as zf:
        zf.extractall(out)
    res = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))


def _case_new(tmp_path, fields):
    return run(["case", "new", "--json", "-", "--workspace", str(tmp_path / "ws.db")], input=json.dumps(fields))


@pytest.mark.parametrize("cells, why", [
    (["x" * 1_000_000], "longer than 64"),
    ([f"CELL-{i}" for i in range(51)], "at most 50"),
    ([["HOSP-1"]], "must be a name"),
    ({"a": 1}, "names as text"),
])
def test_the_cells_field_is_bounded_and_typed(tmp_path, cells, why):
    res = _case_new(tmp_path, {"subscriber_number": "+43 660 1234567", "category": "weak signal", "cells": cells})
    assert res.returncode == 2 and why in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_deeply_nested_json_is_one_line_not_a_recursion_traceback(tmp_path):
    res = run(["case", "new", "--json", "-", "--workspace", str(tmp_path / "ws.db")],
              input="[" * 100_000 + "]" * 100_000)
    assert res.returncode == 2 and "nested too deeply" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("args", [["--rate", "0"], ["--rate", "inf"], ["--rate", "nan"], ["--rate", "-1"],
                                  ["--duration", "-5"], ["--duration", "0"]])
def test_record_refuses_a_rate_or_duration_that_makes_no_sense(args):
    res = run(["record", "/dev/null", *args])
    assert res.returncode == 2 and "above 0" in res.stderr


@pytest.mark.slow
def test_a_second_simulator_does_not_take_over_a_live_link(tmp_path):
    link = tmp_path / "handset"
    first = subprocess.Popen(FIELDAPP + ["simulate", "--link", str(link)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not link.is_symlink() and time.monotonic() < deadline:
            time.sleep(0.1)
        target = os.readlink(link)
        second = run(["simulate", "--link", str(link)])
        assert second.returncode == 2 and "in use" in second.stderr
        assert os.readlink(link) == target  # still the first simulator's pty
    finally:
        first.terminate()
        first.communicate(timeout=15)
    # a stale link (its simulator gone) is replaced as before
    os.symlink("/dev/pts/999999", tmp_path / "stale")
    proc = subprocess.Popen(FIELDAPP + ["simulate", "--link", str(tmp_path / "stale")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while os.readlink(tmp_path / "stale") == "/dev/pts/999999" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert os.readlink(tmp_path / "stale") != "/dev/pts/999999"
    finally:
        proc.terminate()
        proc.communicate(timeout=15)
