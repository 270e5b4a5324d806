"""`fieldapp scan` end to end: the real CLI in a subprocess against the simulator on a real
pseudo-terminal, a real workspace file; the --json keys are the issue's contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from drivers.sim import start_simulator
from fieldapp.store import Store

FIELDAPP = [sys.executable, "-m", "fieldapp"]
KEYS = {"arfcn", "rxlev_dbm", "bsic", "mcc", "mnc", "lac", "ci", "cell"}

pytestmark = pytest.mark.slow


def run(args, timeout=90):
    return subprocess.run(FIELDAPP + args, capture_output=True, text=True, timeout=timeout)


def test_scan_json_names_planned_cells_and_records_the_scans(tmp_path):
    ws = tmp_path / "ws.db"
    with Store.open(ws) as store:
        case_id = store.create_case("no access at the bridge")
        store.commit()
    args = ["--band", "GSM900", "--arfcn", "30-70", "--repeat", "2", "--workspace", str(ws), "--json",
            "--case", str(case_id)]
    with start_simulator("bcch-hung", family="telit", speed=4.0, seed=2, gps=False) as sim:
        res = run(["scan", sim.port, *args])
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert rows and all(set(r) == KEYS for r in rows)
    assert all(30 <= r["arfcn"] <= 70 for r in rows)
    bridge = [r for r in rows if r["arfcn"] == 40]
    assert len(bridge) == 2  # heard in both scans
    assert bridge[0]["bsic"] == 0o61 and bridge[0]["ci"] == 51 and bridge[0]["cell"] == "BRIDGE-1"
    undecoded = [r for r in rows if r["bsic"] is None]
    assert undecoded and all(r["cell"] is None and r["ci"] is None for r in undecoded)
    assert "scan 2/2" in res.stderr
    with Store.open(ws) as store:
        sessions = store.sessions()
        assert len(sessions) == 1
        scans = store.scans(sessions[0].id)
        assert sessions[0].case_id == case_id
        raw = b"".join(r.data for r in store.raw(sessions[0].id) if r.direction == "rx")
        assert b"Network survey started" in raw  # the serial traffic is kept with the session
    assert len(scans) == 2 and scans[0].band == "GSM900" and (scans[0].arfcn_from, scans[0].arfcn_to) == (30, 70)
    assert [c.arfcn for c in scans[0].carriers] == [r["arfcn"] for r in rows[:len(scans[0].carriers)]]


def test_scan_on_a_device_without_survey_command_says_not_available(tmp_path):
    with start_simulator("bcch-hung", family="quectel", speed=4.0, seed=2, gps=False) as sim:
        res = run(["scan", sim.port, "--workspace", str(tmp_path / "ws.db"), "--case", "99"])
    assert res.returncode == 2 and "no case 99" in res.stderr
    with start_simulator("bcch-hung", family="quectel", speed=4.0, seed=2, gps=False) as sim:
        res = run(["scan", sim.port, "--workspace", str(tmp_path / "ws.db")])
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0 and "not available" in res.stderr


@pytest.mark.parametrize("args,message", [(["--band", "GSM2000"], "unknown band"),
                                          (["--arfcn", "70-30"], "bad ARFCN range"),
                                          (["--band", "DCS1800", "--arfcn", "0-124"], "outside DCS1800")])
def test_bad_arguments_one_line_exit_2(tmp_path, args, message):
    res = run(["scan", "/dev/null", *args, "--workspace", str(tmp_path / "ws.db")])
    assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr


def test_recorder_and_store_keep_a_scan_whole(tmp_path):
    from fieldapp.model import Position, Scan, ScanCarrier
    from fieldapp.session import Recorder

    scan = Scan(100.0, 112.5, (ScanCarrier(3, -61.0, band="GSM900"),
                               ScanCarrier(40, -55.0, band="GSM900", bsic=49, mcc=1, mnc=1, lac=1006, ci=51,
                                           status="CELL_SUITABLE")),
                band="GSM900", arfcn_from=0, arfcn_to=124, source="AT#CSURVC",
                position=Position(100.0, 48.2, 16.3), complete=False)
    rec = Recorder(tmp_path / "ws.db", "handset:test")
    rec.put(scan)
    rec.close()
    assert rec.counts["scans"] == 1
    with Store.open(tmp_path / "ws.db") as store:
        (back,) = store.scans(rec.session_id)
    assert back.carriers == scan.carriers and back.complete is False
    assert (back.band, back.arfcn_from, back.arfcn_to, back.source) == ("GSM900", 0, 124, "AT#CSURVC")
    assert (back.position.lat, back.position.lon) == (48.2, 16.3)


def test_probe_states_how_the_device_scans_or_that_it_cannot():
    with start_simulator("bcch-hung", family="telit", speed=4.0, seed=2, gps=False) as sim:
        text = run(["probe", sim.port]).stdout
        js = json.loads(run(["probe", sim.port, "--json"]).stdout)
    assert "band scan:    AT#CSURVC" in text and "ARFCN range" in text and "120 s" in text
    assert js["scan"]["available"] is True and js["scan"]["typical_s"] == 120.0 and "GSM900" in js["scan"]["bands"]
    with start_simulator("bcch-hung", family="quectel", speed=4.0, seed=2, gps=False) as sim:
        text = run(["probe", sim.port]).stdout
    assert "band scan:    not available: quectel has no documented survey command" in text


def test_a_scan_gets_the_position_of_the_latest_fix():
    from fieldapp.model import Position, Scan
    from fieldapp.positioning import PositionJoiner

    joiner = PositionJoiner()
    joiner.feed(Position(100.0, 48.2, 16.3))
    scan = joiner.feed(Scan(101.0, 103.0))
    assert scan.position is not None and (scan.position.lat, scan.position.lon) == (48.2, 16.3)


def test_a_scan_session_keeps_its_scenarios_plan_when_another_is_loaded_during_the_scan(tmp_path):
    """TRIAL.md problem 3: the scan session of low-arfcn-interference was stored under the plan
    another recorder loaded while it scanned (the session row is written when the scan ends)."""
    from fieldapp.live import adopt_scenario_plan

    ws = tmp_path / "ws.db"
    args = ["--band", "GSM900", "--arfcn", "1-124", "--repeat", "2", "--workspace", str(ws)]
    with start_simulator("low-arfcn-interference", family="telit", speed=4.0, seed=2, gps=False) as sim:
        proc = subprocess.Popen(FIELDAPP + ["scan", sim.port, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            for line in proc.stderr:  # the first progress line: the scan's plan is adopted by now
                if line.startswith("scan 1/2"):
                    break
            adopted_meanwhile = adopt_scenario_plan(ws, "gprs-packet-fault")  # another recorder's load
            _out, err = proc.communicate(timeout=90)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err
    with Store.open(ws) as store:
        assert store.cell_plan_source() == "scenario:gprs-packet-fault"
        (session,) = store.sessions()
        assert session.plan_version != adopted_meanwhile
        assert store.plan_at(session.plan_version)[1] == "scenario:low-arfcn-interference"
