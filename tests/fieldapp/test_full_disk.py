"""A full disk is a failure (issue 16 point 3): `fieldapp record` onto a file system that fills
mid-recording keeps retrying while it holds the records in memory (bounded), writes them when
space returns, and when it cannot: exits 1, says so, and the session ends up interrupted with
the reason.

A real, small tmpfs mounted for the test (root only; skipped elsewhere): the workspace lives
on it and a filler file takes the rest of its space."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from fieldapp.store import Store
from tests.drivers.test_handset_source import quectel_table
from tests.support.peer import AtPeer
from tests.support.record_proc import StderrWatch, wait_recording

FIELDAPP = [sys.executable, "-m", "fieldapp"]
pytestmark = pytest.mark.slow


@pytest.fixture
def small_fs(tmp_path):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(mnt):
    """Take every free block of the file system."""
    with open(mnt / "filler", "wb", buffering=0) as f:  # unbuffered: nothing left to flush at close
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    assert os.statvfs(mnt).f_bavail == 0


def sessions(ws):
    res = subprocess.run(FIELDAPP + ["sessions", "--json", "--workspace", str(ws)], capture_output=True, text=True,
                         timeout=30)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_space_that_returns_gets_every_record_written(small_fs):
    ws = small_fs / "ws.db"
    with AtPeer(quectel_table()) as modem:
        proc = subprocess.Popen(FIELDAPP + ["record", modem.port, "--rate", "0.2",  # ended by SIGTERM
                                            "--workspace", str(ws)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        started = wait_recording(proc, settle_s=1.0)
        watch = StderrWatch(proc)
        fill(small_fs)
        full_utc = time.time()
        assert watch.wait_for("disk is full", 30), started + watch.text()
        time.sleep(1.5)  # samples arrive while the workspace cannot take them
        (small_fs / "filler").unlink()
        freed_utc = time.time()
        time.sleep(1.5)  # a retry (every second) writes them while the recording goes on
        proc.send_signal(signal.SIGTERM)
        out = proc.stdout.read()
        proc.wait(30)
        err = started + watch.finish()
    assert proc.returncode == 0, err
    assert "database or disk is full" in err and err.count("disk is full") == 1  # said once, not per retry
    assert "every record was written" in err
    n = int(out.strip().splitlines()[-1].split(": ")[1].split()[0])
    listed = sessions(ws)
    assert listed[0]["samples"] == n and listed[0]["interrupted"] is False
    with Store.open(ws) as store:  # the samples of the full stretch were kept and written
        stamps = [s.ts_utc for s in store.samples(listed[0]["id"])]
    assert sum(full_utc <= ts <= freed_utc for ts in stamps) >= 5  # about 2 s at 0.2 s


def test_a_disk_that_stays_full_is_exit_1_and_an_interrupted_session(small_fs):
    ws = small_fs / "ws.db"
    with AtPeer(quectel_table()) as modem:
        proc = subprocess.Popen(FIELDAPP + ["record", modem.port, "--rate", "0.2", "--duration", "4",
                                            "--workspace", str(ws)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        started = wait_recording(proc)
        fill(small_fs)
        out, err = proc.communicate(timeout=60)
        err = started + err
    assert proc.returncode == 1, err
    assert "records could not be written to the workspace" in err and "marked interrupted" in err
    # The end could not be written either: the session is marked when the workspace opens
    # with space again, at its last record, with the reason.
    (small_fs / "filler").unlink()
    listed = sessions(ws)
    assert listed[0]["interrupted"] is True and listed[0]["end"] is not None and listed[0]["samples"] >= 5


def test_the_waiting_records_are_bounded(small_fs):
    from fieldapp.model import RawTraffic, Sample
    from fieldapp.session import Recorder

    ws = small_fs / "ws.db"
    recorder = Recorder(ws, "test", max_buffered=500)
    fill(small_fs)
    t0 = time.time()
    for i in range(2000):
        recorder.put(RawTraffic(t0 + i, "rx", b"x" * 40))
        recorder.put(Sample(t0 + i))
    deadline = time.monotonic() + 10
    while recorder.counts["pending"] > 500 and time.monotonic() < deadline:
        time.sleep(0.05)
    counts = recorder.counts
    assert counts["pending"] <= 500 and counts["lost"] >= 3500
    (small_fs / "filler").unlink()
    recorder.close()
    assert recorder.failure and "could not be written" in recorder.failure
    counts = recorder.counts
    assert counts["samples"] == 500 and counts["raw"] == 0  # raw traffic went first, newest samples kept
