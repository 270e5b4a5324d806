"""Each session keeps the cell plan version ITS start adopted (TRIAL.md problem 3, issue 13 §2).

Two recorders on one workspace (two handsets on one laptop, two ``fieldapp record`` of two
simulator scenarios): the one that connected first must not take the plan the second loaded a
moment later. Real simulators, real LiveSessions, a real SQLite workspace.
"""

from __future__ import annotations

import json
import subprocess
import sys

from fieldapp.live import SIMULATOR, ConnectRequest, LiveSession
from fieldapp.model import PlanCell, PlanTrx
from fieldapp.store import Store, StoreError

CELLS = [PlanCell("A-1", lac=1, ci=11, tilt_deg=6.0, trxs=(PlanTrx("TRX-1-0", (62,)),))]


def _connect(ws, scenario: str) -> LiveSession:
    session = LiveSession(lambda _record: None, ws)
    session.connect(ConnectRequest(SIMULATOR, scenario=scenario, speed=20.0, rate_s=0.2))
    assert session.wait_idle()
    return session


def _record(session: LiveSession) -> int:
    session.start_recording(None)
    assert session.wait_idle() and session.status().recording
    return session.status().session_id


def _versions_by_source(ws) -> dict[str, int]:
    with Store.open(ws) as store:
        return {source: version for version, _t, source, _n in store.plan_versions()}


def test_two_recorders_each_keep_the_plan_their_own_start_adopted(tmp_path):
    ws = tmp_path / "ws.db"
    low = _connect(ws, "low-arfcn-interference")  # adopts its plan: version 1
    gprs = _connect(ws, "gprs-packet-fault")  # a moment later the other one adopts its own: version 2
    try:
        low_sid, gprs_sid = _record(low), _record(gprs)  # both start recording after both loads
    finally:
        low.shutdown()
        gprs.shutdown()
    versions = _versions_by_source(ws)
    with Store.open(ws) as store:
        assert store.cell_plan_source() == "scenario:gprs-packet-fault"  # the latest load is current
        assert store.session(low_sid).plan_version == versions["scenario:low-arfcn-interference"]
        assert store.session(gprs_sid).plan_version == versions["scenario:gprs-packet-fault"]
        cells, source, _ = store.plan_at(store.session(low_sid).plan_version)
    assert source == "scenario:low-arfcn-interference" and cells


def test_a_cell_file_imported_after_the_connect_is_the_plan_of_a_recording_started_after_it(tmp_path):
    ws = tmp_path / "ws.db"
    live = _connect(ws, "low-arfcn-interference")
    try:
        with Store.open(ws) as store:  # the engineer's plan, imported from the window or the CLI
            store.put_cell_plan(CELLS, "cells.cel")
        sid = _record(live)
    finally:
        live.shutdown()
    with Store.open(ws) as store:
        assert store.plan_at(store.session(sid).plan_version)[1] == "cells.cel"


def test_adopting_a_plan_and_its_version_are_one_decision(tmp_path):
    with Store.open(tmp_path / "ws.db") as store:
        assert store.adopt_cell_plan(CELLS, "scenario:x", lambda current: True) == (True, 1)
        assert store.adopt_cell_plan(CELLS, "scenario:x", lambda current: True) == (True, 1)  # same: no new version
        store.put_cell_plan([CELLS[0].__class__("B-1", lac=2, ci=21)], "cells.cel")
        # A scenario may not replace the engineer's file: the caller works under the file's version.
        assert store.adopt_cell_plan(CELLS, "scenario:x", lambda current: current is None) == (False, 2)
        sid = store.create_session("test", plan_version=1)
        assert store.session(sid).plan_version == 1
        try:
            store.create_session("test", plan_version=9)
        except StoreError as exc:
            assert "no cell plan version 9" in str(exc)
        else:
            raise AssertionError("a session under a version that does not exist")


def test_a_plan_imported_afterwards_can_become_a_sessions_plan(tmp_path):
    ws = tmp_path / "ws.db"
    with Store.open(ws) as store:
        store.put_cell_plan(CELLS, "scenario:gprs-packet-fault")
        sid = store.create_session("simulator:low-arfcn-interference")
        other = store.create_session("simulator:gprs-packet-fault")
        store.set_session_plan_version(other, 1)
        try:
            store.set_session_plan_version(sid, 7)
        except StoreError as exc:
            assert "no cell plan version 7" in str(exc)
        else:
            raise AssertionError("an unknown version was set")
    plan = tmp_path / "plan6.csv"
    plan.write_text("name,site,mcc,mnc,lac,ci,lat,lon,azimuth_deg,bcch,bsic,trx_id,arfcns\n"  # logs/cellfile_csv.py
                    "LOW-1,LOW,232,1,100,1001,48.2,16.37,90,2,12,TRX-1-0,2\n")
    cli = [sys.executable, "-m", "fieldapp", "--workspace", str(ws)]
    done = subprocess.run([*cli, "import", str(plan), "--for-session", str(sid), "--json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    version = json.loads(done.stdout)["plan_version"]
    assert version == 2
    with Store.open(ws) as store:
        assert store.session(sid).plan_version == 2 and store.session(other).plan_version == 1
        assert [c.name for c in store.plan_at(2)[0]] == ["LOW-1"]
    bad = subprocess.run([*cli, "import", str(plan), "--for-session", "99"], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode != 0 and "no session 99" in bad.stderr and "Traceback" not in bad.stderr
