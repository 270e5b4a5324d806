"""`fieldapp record` against a hostile or broken device (issue 16): the real CLI in a
subprocess, a table-driven device on a real pseudo-terminal, a real workspace file."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from fieldapp.store import Store
from tests.support.peer import AtPeer
from tests.support.record_proc import StderrWatch, wait_recording

FIELDAPP = [sys.executable, "-m", "fieldapp"]
pytestmark = pytest.mark.slow

# ^SMONI line from the Cinterion test data of ModemManager (drivers/families/cinterion.py).
SMONI = "^SMONI: 2G,71,-61,262,02,0143,83BA,33,33,3,6,G,NOCONN"


def cinterion_table(moni_reply: str) -> dict:
    # Identity replies in the one-value-per-line layout of 27.007 +CGMI/+CGMM/+CGMR/+CGSN (ATI as
    # the MC55i manual lays it out); the values are made up. Only ^SMONI is a capture.
    return {
        "AT": "OK", "ATE1": "OK", "AT+CMEE=1": "OK", "AT+CREG=2": "OK", "AT^SLCC=1": "OK",
        'AT^SIND="ceer",1,99': "OK",
        "ATI": "Cinterion\r\nMC55i\r\nREVISION 01.200\r\n\r\nOK",
        "AT+CGMI": "Cinterion\r\n\r\nOK", "AT+CGMM": "MC55i\r\n\r\nOK",
        "AT+CGMR": "REVISION 01.200\r\n\r\nOK", "AT+CGSN": "351234567890123\r\n\r\nOK",
        "AT+CSQ": "+CSQ: 17,99\r\n\r\nOK", "AT+CREG?": '+CREG: 2,1,"0143","83BA"\r\n\r\nOK',
        "AT^SMONI": SMONI + "\r\n\r\nOK",
        "AT^MONI": moni_reply + "\r\n\r\nOK",
    }


@pytest.fixture
def record():
    """Starts `fieldapp record PORT --rate 0.3 --workspace WS ...`; kills what is left after."""
    procs: list[subprocess.Popen] = []

    def start(port: str, ws, *extra: str) -> subprocess.Popen:
        procs.append(subprocess.Popen(
            FIELDAPP + ["record", port, "--rate", "0.3", "--workspace", str(ws), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        return procs[-1]

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_a_pathological_moni_line_neither_hangs_the_recording_nor_its_duration(tmp_path, record):
    # 40 digits and a comma: about 18 s × 4^6 in the old fragment regex.
    with AtPeer(cinterion_table("1" * 40 + ",")) as modem:
        t0 = time.monotonic()
        proc = record(modem.port, tmp_path / "ws.db", "--duration", "3")
        out, err = proc.communicate(timeout=40)
    assert proc.returncode == 0, err
    assert time.monotonic() - t0 < 25
    assert out.strip().splitlines()[-1].startswith("session ")
    assert int(out.split(": ")[-1].split()[0]) >= 3  # samples from the good lines


def test_sigterm_ends_a_recording_fed_pathological_lines(tmp_path, record):
    with AtPeer(cinterion_table("1" * 40 + ",")) as modem:
        proc = record(modem.port, tmp_path / "ws.db")
        started = wait_recording(proc, settle_s=2.0)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        err = started + err
    assert time.monotonic() - t0 < 15
    assert proc.returncode == 0, err
    assert out.strip().splitlines()[-1].startswith("session ")


def test_an_overlong_line_is_skipped_and_counted_too_long(tmp_path, record):
    # A line longer than the channel keeps (16 KiB) and one just over the parsers' cap.
    huge = "9" * 40000
    table = cinterion_table("1013  21  -71 001  01  1001 2468   7   7  33  -105  33 I No connection")
    table["AT+CSQ"] = f"+CSQ: {'1' * 5000}\r\n\r\nOK"
    table["AT^SMOND"] = f"{huge}\r\n\r\nOK"
    with AtPeer(table) as modem:
        proc = record(modem.port, tmp_path / "ws.db", "--duration", "3")
        out, err = proc.communicate(timeout=40)
    assert proc.returncode == 0, err
    assert "too long)" in err
    assert int(out.split(": ")[-1].split()[0]) >= 3


# ------------------------------------------------------------------ a mute handset (point 5)

def test_a_stopped_simulator_is_a_gap_event_and_a_message(tmp_path, record):
    """The simulator process is stopped (SIGSTOP) until the recording says it is silent (the
    real 5 s limit): the port stays open, nothing answers. The recording gets a `gap` event
    naming the silence, says so on stderr, polls the same commands again when the handset
    answers, and says that too. (The same in simulated time, in process:
    tests/drivers/test_handset_clock.py.)"""
    link = tmp_path / "handset"
    sim = subprocess.Popen(FIELDAPP + ["simulate", "--scenario", "bus-stop-tilt13", "--family", "quectel",
                                       "--link", str(link)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    try:
        deadline = time.monotonic() + 20
        while not link.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        ws = tmp_path / "ws.db"
        proc = record(str(link), ws)  # ended by SIGTERM below
        started = wait_recording(proc, settle_s=1.0)
        watch = StderrWatch(proc)
        sim.send_signal(signal.SIGSTOP)
        assert watch.wait_for("gap: no answer from", 30), started + watch.text()
        sim.send_signal(signal.SIGCONT)
        assert watch.wait_for("answers again after", 30), started + watch.text()
        time.sleep(3.0)  # samples after the silence
        proc.send_signal(signal.SIGTERM)
        out = proc.stdout.read()
        proc.wait(30)
        err = started + watch.finish()
    finally:
        sim.send_signal(signal.SIGCONT)
        sim.terminate()
        sim.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "gap: no answer from" in err and "answers again after" in err
    assert out.strip().splitlines()[-1].startswith("session ")  # SIGTERM ended it cleanly
    with Store.open(ws) as store:
        [session] = store.sessions()
        events = store.events(session.id)
        last = max(s.ts_utc for s in store.samples(session.id))
    gaps = [e for e in events if e.kind == "gap"]
    assert len(gaps) == 1 and "no answer" in gaps[0].text
    # silence is nobody's fault: every command is polled again after it
    assert not [e for e in events if "dropped from polling" in e.text]
    assert last > gaps[0].ts_utc + 2  # samples after the silence


# ------------------------------------------------------------------ a killed recorder (point 6)

def test_a_killed_recorder_leaves_an_interrupted_session_ended_at_its_last_sample(tmp_path, record):
    import json
    import os

    from tests.drivers.test_handset_source import quectel_table

    ws = tmp_path / "ws.db"

    def sessions():
        res = subprocess.run(FIELDAPP + ["sessions", "--json", "--workspace", str(ws)], capture_output=True,
                             text=True, timeout=30)
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout)

    with AtPeer(quectel_table()) as modem:
        proc = record(modem.port, ws)
        wait_recording(proc, settle_s=2.0)
        alive = sessions()  # opening the workspace while the recorder lives changes nothing
        assert alive[0]["end"] is None and alive[0]["interrupted"] is False
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
    listed = sessions()  # the first look after the kill: it finds the recorder gone
    assert listed[0]["interrupted"] is True and listed[0]["end"] is not None
    with Store.open(ws) as store:
        info = store.session(listed[0]["id"])
        events = store.events(info.id)
        last = max(s.ts_utc for s in store.samples(info.id))
    assert abs(info.end_utc - last) < 1.0  # its last record, not the time we looked
    assert any("recorder stopped without ending" in e.text for e in events)
    assert not any((tmp_path / "ws.db-recorders").iterdir())


def test_a_cleanly_ended_recording_leaves_no_liveness_file(tmp_path, record):
    from tests.drivers.test_handset_source import quectel_table

    ws = tmp_path / "ws.db"
    with AtPeer(quectel_table()) as modem:
        proc = record(modem.port, ws, "--duration", "2")
        proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert list((tmp_path / "ws.db-recorders").iterdir()) == []


def test_opening_the_workspace_in_the_recorders_own_process_does_not_end_its_session(tmp_path):
    # The window records and lists sessions in one process: flock locks belong to open file
    # descriptions, so its own recorder still counts as alive.
    from fieldapp.model import Sample
    from fieldapp.session import Recorder

    ws = tmp_path / "ws.db"
    recorder = Recorder(ws, "test")
    try:
        recorder.put(Sample(time.time()))
        with Store.open(ws) as store:
            info = store.session(recorder.session_id)
        assert info.end_utc is None and not info.interrupted
    finally:
        recorder.close()
    with Store.open(ws) as store:
        assert store.session(recorder.session_id).interrupted is False
