"""`fieldapp record`, `probe`, `ports` end to end: the real CLI in a subprocess, a table-driven
device on a real pseudo-terminal, a real workspace file."""

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


def run(args, timeout=60, **kw):
    return subprocess.run(FIELDAPP + args, capture_output=True, text=True, timeout=timeout, **kw)


def test_record_prints_session_and_counts_and_lists_it(tmp_path):
    ws = tmp_path / "ws.db"
    with AtPeer(quectel_table()) as modem:
        res = run(["record", modem.port, "--rate", "0.2", "--duration", "2", "--workspace", str(ws)])
    assert res.returncode == 0, res.stderr
    last = res.stdout.strip().splitlines()[-1]
    assert last.startswith("session ") and "samples" in last and "events" in last
    sid = int(last.split()[1].rstrip(":"))
    n_samples = int(last.split(": ")[1].split()[0])
    assert n_samples >= 5
    listed = json.loads(run(["sessions", "--workspace", str(ws), "--json"]).stdout)
    row = [s for s in listed if s["id"] == sid][0]
    assert row["samples"] == n_samples and row["interrupted"] is False
    assert row["source"].startswith("handset:")


def test_probe_prints_family_model_and_capabilities():
    with AtPeer(quectel_table()) as modem:
        res = run(["probe", modem.port])
    assert res.returncode == 0, res.stderr
    assert "quectel" in res.stdout and "EC21" in res.stdout
    assert "not available" in res.stdout  # e.g. ARFCN lock on EC21


def test_wrong_port_exits_2_with_one_line():
    res = run(["probe", "/dev/ttyNOPE42"])
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "/dev/ttyNOPE42" in res.stderr


def test_busy_port_exits_2(tmp_path):
    with AtPeer(quectel_table()) as modem:
        first = subprocess.Popen(FIELDAPP + ["record", modem.port, "--duration", "8", "--workspace",
                                             str(tmp_path / "a.db")], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        try:
            wait_recording(first, settle_s=0.5)
            res = run(["probe", modem.port])
        finally:
            first.send_signal(signal.SIGINT)
            first.communicate(timeout=20)
    assert res.returncode == 2 and "busy" in res.stderr


def test_not_a_modem_says_no_at_response():
    with AtPeer(silent=True) as modem:
        t0 = time.monotonic()
        res = run(["probe", modem.port, "--baud", "9600"])
    assert res.returncode == 2
    assert f"no AT response from {modem.port} at 9600 baud" in res.stderr
    assert time.monotonic() - t0 < 10


def test_unplug_mid_recording_keeps_data_and_marks_interrupted(tmp_path):
    ws = tmp_path / "ws.db"
    modem = AtPeer(quectel_table()).start()
    proc = subprocess.Popen(FIELDAPP + ["record", modem.port, "--rate", "0.2", "--workspace", str(ws)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        started = wait_recording(proc, settle_s=2.0)
        modem.vanish()
        out, err = proc.communicate(timeout=20)
        err = started + err
    finally:
        modem.stop()
        if proc.poll() is None:
            proc.kill()
    assert "disappeared" in err
    sid = int(out.strip().splitlines()[-1].split()[1].rstrip(":"))
    listed = json.loads(run(["sessions", "--workspace", str(ws), "--json"]).stdout)
    row = [s for s in listed if s["id"] == sid][0]
    assert row["interrupted"] is True and row["samples"] >= 5


def test_reconnect_continues_the_same_session_with_a_gap(tmp_path):
    ws = tmp_path / "ws.db"
    link = tmp_path / "ttyHANDSET"
    modem = AtPeer(quectel_table(), link_path=str(link)).start()
    proc = subprocess.Popen(FIELDAPP + ["record", str(link), "--rate", "0.2", "--reconnect",
                                        "--workspace", str(ws)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        started = wait_recording(proc, settle_s=0.5)
        watch = StderrWatch(proc)
        modem.vanish()
        assert watch.wait_for("disconnected:", 15), started + watch.text()
        modem.reappear()
        assert watch.wait_for("reconnected:", 15), started + watch.text()
        time.sleep(1.5)  # samples after the gap
        proc.send_signal(signal.SIGINT)
        out = proc.stdout.read()
        proc.wait(20)
        err = started + watch.finish()
    finally:
        modem.stop()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    sid = int(out.strip().splitlines()[-1].split()[1].rstrip(":"))
    listed = json.loads(run(["sessions", "--workspace", str(ws), "--json"]).stdout)
    assert len(listed) == 1 and listed[0]["id"] == sid
    with Store.open(ws) as store:
        events = sorted(store.events(sid), key=lambda e: e.ts_utc)
        kinds = [e.kind for e in events]
        gap_ts = next(e.ts_utc for e in events if e.kind == "gap")
        after = sum(1 for s in store.samples(sid) if s.ts_utc > gap_ts)
    assert "disconnected" in kinds and "gap" in kinds
    assert after >= 3


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_9_leaves_a_workspace_that_opens_with_samples(tmp_path):
    ws = tmp_path / "ws.db"
    with AtPeer(quectel_table()) as modem:
        proc = subprocess.Popen(FIELDAPP + ["record", modem.port, "--rate", "0.2", "--workspace", str(ws)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_recording(proc, settle_s=2.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
    with Store.open(ws) as store:
        assert store.integrity_check() == "ok"
        n = sum(1 for info in store.sessions() for _ in store.samples(info.id))
    assert n >= 5
    listed = json.loads(run(["sessions", "--workspace", str(ws), "--json"]).stdout)
    # the recorder is gone: the next open marks the session interrupted (issue 16)
    assert listed[0]["samples"] == n and listed[0]["end"] is not None and listed[0]["interrupted"] is True


def test_a_workspace_that_is_not_one_is_refused_with_exit_2(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("my notes, not a database\n")
    with AtPeer(quectel_table()) as modem:
        res = run(["record", modem.port, "--duration", "1", "--workspace", str(bad)])
    assert res.returncode == 2 and "cannot record into" in res.stderr
    assert bad.read_text() == "my notes, not a database\n"


def test_record_with_nmea_gps_stamps_positions_on_samples(tmp_path):
    from drivers.sim import start_simulator

    ws = tmp_path / "ws.db"
    with start_simulator("demo-drive", family="quectel", speed=1.0, seed=2) as sim:
        res = run(["record", sim.port, "--gps", sim.gps_port, "--rate", "0.5", "--duration", "4",
                   "--workspace", str(ws)])
    assert res.returncode == 0, res.stderr
    with Store.open(ws) as store:
        sid = store.sessions()[0].id
        with_pos = sum(1 for s in store.samples(sid) if s.position is not None)
        positions = len(store.positions(sid))
    assert positions >= 2 and with_pos >= 2
    # recorded from the simulator: its scenario's cells are the workspace's plan now
    with Store.open(ws) as store:
        assert store.cell_plan_source() == "scenario:demo-drive"
        assert {c.name for c in store.cell_plan()} >= {"HOSP-1", "HOSP-2"}


def test_a_scenario_plan_never_replaces_an_imported_one():
    from fieldapp.cellplan import may_replace

    assert may_replace(None, "scenario:demo-drive")
    assert may_replace("scenario:one-way-trx", "scenario:demo-drive")
    assert not may_replace("cells.cel", "scenario:demo-drive")
    assert may_replace("scenario:demo-drive", "cells.cel")


def test_gps_addresses():
    from fieldapp.positioning import parse_gps_address, parse_gpsd_address

    assert parse_gpsd_address("gpsbox:2948") == ("gpsbox", 2948)
    assert parse_gps_address("/dev/ttyACM0") == ("nmea", "/dev/ttyACM0")
    assert parse_gps_address("COM4") == ("nmea", "COM4")
    assert parse_gps_address("gpsd") == ("gpsd", "localhost:2947")
    assert parse_gps_address("gpsd:10.1.1.1") == ("gpsd", "10.1.1.1:2947")
    assert parse_gps_address("localhost:2948") == ("gpsd", "localhost:2948")


def test_ports_and_version():
    res = run(["--version"])
    assert res.returncode == 0 and res.stdout.startswith("fieldapp ")
    res = run(["ports", "--json"])
    assert res.returncode == 0
    for port in json.loads(res.stdout):
        assert {"device", "description", "hwid", "vid", "pid"} <= set(port)


@pytest.mark.slow
def test_record_data_test_prints_one_line_per_attempt_and_keeps_them(tmp_path):
    """Reference case 7 from the field: on the gprs-packet-fault scenario's spot (a cell of the BSC
    with faulty packet processors) every GPRS attach fails; each attempt is one line and an event."""
    from drivers.sim import start_simulator
    from fieldapp.store import Store

    ws = tmp_path / "ws.db"
    with start_simulator("gprs-packet-fault", family="quectel", speed=5.0, gps=False) as sim:
        res = run(["record", sim.port, "--data-test", "3", "--data-every", "0.5", "--rate", "0.5",
                   "--workspace", str(ws)])
    assert res.returncode == 0, res.stderr
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("data attempt")]
    assert len(lines) == 3
    assert all("GPRS attach failed: +CME ERROR: 148 (unspecified GPRS error)" in ln and "CI 91" in ln for ln in lines)
    assert "data test: 0 of 3 attempts" in res.stdout
    with Store.open(ws) as store:
        events = [e for e in store.events(1) if "data_test" in (e.data or {})]
    assert [e.data["data_test"]["result"] for e in events] == ["attach_failed"] * 3


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pty")
def test_on_a_terminal_each_data_attempt_is_printed_once(tmp_path):
    """stdout has the attempt lines; the live progress on a terminal's stderr does not repeat them."""
    import pty

    from drivers.sim import start_simulator

    master, slave = pty.openpty()
    try:
        with start_simulator("gprs-packet-fault", family="quectel", speed=5.0, gps=False) as sim:
            res = subprocess.run(FIELDAPP + ["record", sim.port, "--data-test", "2", "--data-every", "0.5",
                                             "--rate", "0.5", "--workspace", str(tmp_path / "ws.db")],
                                 stdout=subprocess.PIPE, stderr=slave, text=True, timeout=90)
        os.close(slave)
        slave = None
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    assert res.returncode == 0
    assert sum(ln.startswith("data attempt") for ln in res.stdout.splitlines()) == 2
    assert b"data attempt" not in err, err.decode(errors="replace")


@pytest.mark.slow
def test_a_failing_data_test_in_a_case_is_a_finding(tmp_path):
    """Case 7 from the field: the data test recorded into a case says packet data fails on STATION-1."""
    from drivers.sim import start_simulator

    ws = tmp_path / "ws.db"
    case_id = run(["case", "new", "--subscriber-number", "+43 660 1", "--category", "packet data (GPRS) not working",
                   "--workspace", str(ws)]).stdout.strip()
    with start_simulator("gprs-packet-fault", family="quectel", speed=5.0, gps=False) as sim:
        res = run(["record", sim.port, "--data-test", "3", "--data-every", "0.3", "--rate", "0.5", "--case", case_id,
                   "--workspace", str(ws)])
    assert res.returncode == 0, res.stderr
    found = {f["rule"]: f for f in json.loads(run(["case", "diagnose", case_id, "--json", "--workspace",
                                                   str(ws)]).stdout)}
    fail = found["packet_data_failed"]
    assert fail["data"]["failed"] == fail["data"]["attempts"] == 3
    assert fail["data"]["cells"] == ["STATION-1 (LAC 1026 CI 91)"] and "148" in fail["summary"]
