"""What band scans reveal, in the case diagnosis: the simulator's scans (real driver over a
pty, real Recorder and workspace) in the interference, hung-BCCH and dead-TRX scenarios lead to
their findings, a healthy spot to none; the co-channel and missing-neighbour rules on hand-made
scans (the shipped scenarios have neither)."""

from __future__ import annotations

import json
from pathlib import Path

from drivers.handset import HandsetSource
from drivers.sim import load_scenario, start_simulator
from drivers.sim.scenario import parse_scenario
from fieldapp.cases import diagnose, evidence, workflow
from fieldapp.cases.validate import new_case
from fieldapp.model import Cell, PlanCell, Sample, Scan, ScanCarrier
from fieldapp.session import Recorder
from fieldapp.store import Store
from tests.fieldapp.case_recordings import recorded

SCAN_RULES = {"scan_interference", "co_channel", "missing_neighbour", "planned_not_heard", "scan_on_air"}


def record_scan(ws: Path, scenario, *, repeat: int = 2, band: str = "GSM900") -> int:
    """Scan sessions as `fieldapp scan` makes them, with the scenario's plan in the workspace."""
    scen = scenario if hasattr(scenario, "cell_plan") else load_scenario(scenario)
    with Store.open(ws) as store:
        if not store.cell_plan():
            store.put_cell_plan(scen.cell_plan(), f"scenario:{scen.name}")
            store.commit()
    with start_simulator(scen, family="telit", speed=8.0, seed=4, gps=False) as sim:
        src = HandsetSource(sim.port, rate_s=0.5)
        src.open()
        rec = Recorder(ws, f"simulator:{scen.name}")
        src._sink = rec.sink  # noqa: SLF001  (the scan emits its records to the source's sink)
        try:
            for _ in range(repeat):
                src.scan(band)
        finally:
            src.stop()
            rec.close()
    return rec.session_id


def diagnose_sessions(ws: Path, sids: list[int], **facts) -> dict:
    with Store.open(ws) as store:
        raw = {"subscriber_number": "+43 660 1234567", "category": "dropped call", "description": "test", **facts}
        case_id = workflow.create(store, raw, author="tester")
        for sid in sids:
            evidence.attach_session(store, case_id, sid, author="tester")
        found = diagnose.diagnose_case(store, case_id)
    return {f.rule: f for f in found}


def test_interference_scan_names_the_run_of_low_arfcns_and_its_level(tmp_path):
    ws = tmp_path / "ws.db"
    sid = record_scan(ws, "low-arfcn-interference")
    found = diagnose_sessions(ws, [sid])
    f = found["scan_interference"]
    assert f.data["arfcns"][0] == 0 and f.data["arfcns"][-1] >= 15
    assert -70 <= f.data["median_dbm"] <= -50
    assert set(f.data["planned"]) == {"VILL-1", "VILL-2"} and f.data["planned"]["VILL-1"] == [2, 6, 10]
    assert "low end of the band" in f.summary and "strongest cell the scans could decode" in f.summary
    assert f.cites and all(c.what == "scan" and c.session_id == sid for c in f.cites)
    assert "FARM-1" not in f.summary  # ARFCN 100 is clean and decoded
    assert "planned_not_heard" not in found


def test_hung_bcch_is_heard_on_the_air_while_access_fails(tmp_path):
    ws, calls_sid = recorded("bcch-hung", tmp_path)
    scan_sid = record_scan(ws, "bcch-hung")
    found = diagnose_sessions(ws, [calls_sid, scan_sid], category="cannot call despite signal")
    assert found["access_failure"].data["cell"] == "BRIDGE-1"
    on_air = found["scan_on_air"]
    assert on_air.data["cell"] == "BRIDGE-1" and on_air.data["scans_decoded"] == 2
    assert on_air.data["median_dbm"] > -75
    assert "hung BCCH TRX, not a dead one" in on_air.summary and "block and de-block" in on_air.next_step
    assert "planned_not_heard" not in found and "scan_interference" not in found


def dead_bridge_scenario():
    data = json.loads(Path(load_scenario("bcch-hung").path).read_text(encoding="utf-8"))
    bridge = data["cells"][0]
    bridge.pop("faults", None)
    bridge["trxs"][0]["faults"] = ["dead"]
    data.update(name="bridge-dead", description="Test variant of bcch-hung: BRIDGE-1's BCCH TRX is dead")
    return parse_scenario(data, "bridge-dead.json")


def test_dead_bcch_trx_is_a_planned_cell_not_heard(tmp_path):
    ws = tmp_path / "ws.db"
    sid = record_scan(ws, dead_bridge_scenario())
    found = diagnose_sessions(ws, [sid])
    f = found["planned_not_heard"]
    assert f.data["cell"] == "BRIDGE-1" and f.data["arfcn"] == 40
    assert "site BRIDGE" in f.data["why"]  # BRIDGE-2/3 decoded, BRIDGE-1 silent
    assert "scan_on_air" not in found


def test_healthy_spot_gives_no_scan_finding(tmp_path):
    ws = tmp_path / "ws.db"
    sid = record_scan(ws, "bus-stop-tilt7")
    found = diagnose_sessions(ws, [sid])
    assert not SCAN_RULES & set(found)


# ---------------------------------------------------------------- hand-made scans

PLAN = [PlanCell("A-1", lac=10, ci=1, bcch_arfcn=60, bsic=0o12, site="A"),
        PlanCell("B-1", lac=10, ci=2, bcch_arfcn=60, bsic=0o12, site="B"),
        PlanCell("C-1", lac=10, ci=3, bcch_arfcn=70, bsic=0o13, site="C")]


def _inp(scans, samples=()):
    case = new_case({"subscriber_number": "+43 660 1234567", "category": "dropped call", "description": "x"})
    session = diagnose.SessionData(1, None, list(samples), [], "test", scans=list(scans))
    return diagnose.DiagnosisInput(case, [session], PLAN)


def _carrier(arfcn, dbm, ci=None, bsic=None):
    return ScanCarrier(arfcn, dbm, bsic=bsic, lac=10 if ci else None, ci=ci, mcc=1 if ci else None,
                       mnc=1 if ci else None)


def test_one_arfcn_decoded_as_two_cells_is_co_channel_and_co_bsic():
    scans = [Scan(100.0 + k, 101.0 + k, (_carrier(60, -70.0 - k % 2, ci=1 + k % 2, bsic=0o12),)) for k in range(4)]
    found = {f.rule: f for f in diagnose.diagnose(_inp(scans))}
    f = found["co_channel"]
    assert f.data["arfcn"] == 60 and f.data["co_bsic"] is True and set(f.data["cells"]) == {"A-1", "B-1"}
    assert "BSIC" in f.next_step


def test_strong_cell_never_reported_as_neighbour_is_missing_from_the_list():
    serving = Cell(arfcn=60, bsic=0o12, lac=10, ci=1, rxlev_dbm=-65.0)
    samples = [Sample(ts_utc=100.0 + k, serving=serving, neighbours=(Cell(role="neighbour", arfcn=80, rxlev_dbm=-90.0),))
               for k in range(5)]
    scans = [Scan(110.0, 112.0, (_carrier(60, -64.0, ci=1, bsic=0o12), _carrier(70, -72.0, ci=3, bsic=0o13)))]
    found = {f.rule: f for f in diagnose.diagnose(_inp(scans, samples))}
    f = found["missing_neighbour"]
    assert f.data["cells"] == ["C-1"] and f.data["serving"] == "A-1"
    # the same cell reported as a neighbour: nothing missing
    samples2 = [Sample(ts_utc=s.ts_utc, serving=serving, neighbours=(Cell(role="neighbour", arfcn=70),)) for s in samples]
    assert "missing_neighbour" not in {f.rule for f in diagnose.diagnose(_inp(scans, samples2))}


def co_channel_scenario():
    """bcch-hung with BRIDGE-3's BCCH moved onto BRIDGE-2's ARFCN 44: both reach the spot at
    about the same level."""
    data = json.loads(Path(load_scenario("bcch-hung").path).read_text(encoding="utf-8"))
    data["cells"][0].pop("faults", None)
    b3 = data["cells"][2]
    b3["bcch_arfcn"] = 44
    b3["trxs"][0]["arfcns"] = [44]
    data.update(name="bridge-co-channel", description="Test variant of bcch-hung: BRIDGE-2 and BRIDGE-3 on ARFCN 44")
    return parse_scenario(data, "bridge-co-channel.json")


def test_two_planned_cells_on_one_bcch_jam_each_other(tmp_path):
    ws = tmp_path / "ws.db"
    sid = record_scan(ws, co_channel_scenario())
    found = diagnose_sessions(ws, [sid])
    f = found["co_channel"]
    assert f.data["arfcn"] == 44 and set(f.data["cells"]) == {"BRIDGE-2", "BRIDGE-3"}
    assert "jam each other" in f.summary and "another BCCH frequency" in f.next_step
    assert "scan_interference" not in found  # one ARFCN is not a band of interference
