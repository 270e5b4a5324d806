"""Issue 13 §1, §3, §4: findings about the complaint spot use only what was measured there, the
category says what was not tested, and the rules fit the reference procedure — each with and
without its condition, on recordings of the simulator's reference scenarios (real driver over a
pty, the simulator's NMEA GPS where positions matter, real Recorder, real workspace)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from fieldapp.cases import diagnose, evidence, workflow
from fieldapp.cases.spot import parse_hours
from fieldapp.cqt.calls import NORMAL, SUCCESS, CqtCall
from fieldapp.cqt.plan import CqtPlan
from fieldapp.cqt.verdict import judge
from fieldapp.model import EV_CALL_INCOMING, Event
from fieldapp.store import Store
from tests.fieldapp.case_recordings import recorded

BUS_STOP = {"latitude": 48.19682, "longitude": 16.37477}
NORTH_1800M = {"latitude": 48.19682 + 1800 / 111_320, "longitude": 16.37477}  # 1.8 km north of the bus stop


def case_on(tmp_path, name, **facts):
    """(workspace, case id, session id): a case on recording ``name`` with the session attached."""
    ws, sid = recorded(name, tmp_path)
    with Store.open(ws) as store:
        raw = {"subscriber_number": "+43 660 1234567", "category": "weak signal", "description": "test", **facts}
        case_id = workflow.create(store, raw, author="tester")
        evidence.attach_session(store, case_id, sid, author="tester")
    return ws, case_id, sid


def findings(ws, case_id):
    with Store.open(ws) as store:
        return diagnose.diagnose_case(store, case_id)


def by_rule(found):
    return {f.rule: f for f in found}


# ---------------------------------------------------------------------- §1 the spot


def test_a_drive_far_from_the_spot_concludes_nothing_about_the_spot(tmp_path):
    ws, case_id, _ = case_on(tmp_path, "tilt13-gps", **NORTH_1800M)
    found = by_rule(findings(ws, case_id))
    none = found["no_measurement_at_spot"]
    assert 1700 <= none.data["nearest_m"] <= 1900 and none.data["radius_m"] == 200
    assert "No measurement within 200 m of the spot; nearest 1.8 km" in none.summary
    assert "weak_coverage" not in found and "no_dominant_server" not in found  # no downtilt advice
    assert found["not_tested"].data["what"] == "level at the spot"


def test_the_same_drive_at_the_spot_gives_the_coverage_finding_with_its_samples(tmp_path):
    ws, case_id, _ = case_on(tmp_path, "tilt13-gps", **BUS_STOP)
    found = by_rule(findings(ws, case_id))
    assert "no_measurement_at_spot" not in found
    weak = found["weak_coverage"]
    assert weak.data["spot"]["radius_m"] == 200 and weak.data["spot"]["samples"] == weak.data["samples"] > 3
    assert "within 200 m of the spot" in weak.summary


def test_the_spot_radius_is_a_case_setting(tmp_path):
    ws, case_id, _ = case_on(tmp_path, "tilt13-gps", spot_radius_m=2500, **NORTH_1800M)
    found = by_rule(findings(ws, case_id))
    assert "no_measurement_at_spot" not in found
    assert found["weak_coverage"].data["spot"]["radius_m"] == 2500
    assert "within 2500 m of the spot" in found["weak_coverage"].summary


def test_the_finding_says_whether_the_tests_were_in_the_complaint_hours(tmp_path):
    ws, sid = recorded("tilt13-gps", tmp_path)
    with Store.open(ws) as store:
        hour = datetime.fromtimestamp(next(store.samples(sid)).ts_utc, timezone.utc).hour
        inside = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "weak signal",
                                         "hours": f"{hour}-{hour + 1} h", **BUS_STOP})
        outside = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "weak signal",
                                          "hours": f"{(hour + 3) % 24}-{(hour + 5) % 24} h", **BUS_STOP})
        for cid in (inside, outside):
            evidence.attach_session(store, cid, sid)
        weak_in = by_rule(diagnose.diagnose_case(store, inside))["weak_coverage"]
        weak_out = by_rule(diagnose.diagnose_case(store, outside))["weak_coverage"]
    # A recording that straddles the hour boundary is partly in, partly out: then None.
    assert weak_in.data["spot"]["in_hours"] in (True, None) and "complaint hours" in weak_in.summary
    assert weak_out.data["spot"]["in_hours"] is False and "outside the complaint hours" in weak_out.summary


def test_without_a_position_the_finding_says_every_sample_was_taken_as_the_spot(tmp_path):
    ws, case_id, _ = case_on(tmp_path, "tilt13")  # no latitude/longitude on the case
    weak = by_rule(findings(ws, case_id))["weak_coverage"]
    assert "Spot: The case gives no position: every sample is taken as the spot." in weak.summary
    assert "position" not in weak.data["spot"]


def test_hours_as_engineers_write_them():
    assert parse_hours("17-19 h") == [(17, 19)]
    assert parse_hours("7:30-9, 17-19") == [(7.5, 9), (17, 19)]
    assert parse_hours("all day") == [(0, 24)]
    assert parse_hours("evenings") is None and parse_hours(None) is None


# ---------------------------------------------------------------------- §3 the category


def test_a_gprs_complaint_with_voice_calls_only_says_packet_data_not_tested(tmp_path):
    ws, case_id, _ = case_on(tmp_path, "tilt13-gps", category="packet data (GPRS) not working", **BUS_STOP)
    found = findings(ws, case_id)
    nt = [f for f in found if f.rule == "not_tested"]
    assert [f.data["what"] for f in nt] == ["packet data"]
    assert "packet data not tested" in nt[0].summary and "PDP context" in nt[0].next_step
    weak = by_rule(found)["weak_coverage"]
    assert weak.data["explains_category"] is False and "does not explain the complaint" in weak.summary
    # A packet data test (attach + PDP activation attempts, fieldapp.cqt.data_test) tests it.
    with Store.open(ws) as store:
        sid = store.sessions()[0].id
        t0 = store.events(sid)[0].ts_utc
        store.add_events(sid, [Event(t0 + 1, "info", "data attempt #1: ok", {"data_test": {"seq": 1,
                                                                                           "result": "ok"}})])
        store.commit()
    assert not [f for f in findings(ws, case_id) if f.rule == "not_tested"]
    # Without the condition: a weak-signal complaint is answered by the same evidence.
    ws, case_id, _ = case_on(tmp_path, "tilt13-gps", category="weak signal", **BUS_STOP)
    found = by_rule(findings(ws, case_id))
    assert "not_tested" not in found and "explains_category" not in found["weak_coverage"].data


def test_not_reachable_with_outgoing_calls_only_says_incoming_calls_not_tested(tmp_path):
    ws, case_id, sid = case_on(tmp_path, "sdcch-trx", category="subscriber not reachable")
    found = findings(ws, case_id)
    assert [f.data["what"] for f in found if f.rule == "not_tested"] == ["incoming calls"]
    assert "incoming calls not tested" in by_rule(found)["not_tested"].summary
    with Store.open(ws) as store:  # the handset rang once during the session: incoming was tested
        t0 = store.events(sid)[0].ts_utc
        store.add_events(sid, [Event(t0 + 0.5, EV_CALL_INCOMING, "RING +436601234567", {})])
    assert not [f for f in findings(ws, case_id) if f.rule == "not_tested"]


def test_no_findings_becomes_what_was_checked_and_found_normal(tmp_path):
    ws, case_id, _ = case_on(tmp_path, "tilt7", **BUS_STOP)
    found = findings(ws, case_id)
    assert [f.rule for f in found] == ["checked_normal"]
    checked = found[0]
    assert checked.severity == "info" and "Checked and found normal" in checked.summary
    assert any(c.startswith("level at the spot: median") for c in checked.data["checked"])
    assert any("serving cell HOSP-2" in c for c in checked.data["checked"])
    ws, case_id, _ = case_on(tmp_path, "tilt13", **BUS_STOP)  # a problem found: no "normal" list
    assert "checked_normal" not in by_rule(findings(ws, case_id))


def test_a_cqt_run_with_no_suspect_is_listed_as_checked(tmp_path):
    from drivers.sim import load_scenario

    cell = load_scenario("one-way-trx").cell_plan()[0]
    plan = CqtPlan(number="5551234", cell=cell, calls_per_trx=5)
    calls = [CqtCall(seq=i + 1, start_utc=1_764_325_637.0 + 30 * i, trx_id=trx, trx_how="attribute",
                     connected_utc=1_764_325_640.0 + 30 * i, result=SUCCESS, listener=NORMAL)
             for i, trx in enumerate(["TRX-69-0", "TRX-69-1"] * 5)]
    with Store.open(tmp_path / "ws.db") as store:
        run = store.create_cqt_run(plan.to_json())
        for call in calls:
            store.put_cqt_call(run, call.to_json())
        store.update_cqt_run(run, state="done", verdict=judge(calls, plan.trx_ids).to_json())
        case_id = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "one-way audio"})
        evidence.attach_cqt(store, case_id, run)
        found = diagnose.diagnose_case(store, case_id)
    assert [f.rule for f in found] == ["checked_normal"]
    assert found[0].data["checked"] == [f"CQT run {run} on MALL-69: no TRX stands out"]


# ---------------------------------------------------------------------- §4 the rules


def test_setups_failing_under_bad_quality_are_interference_not_the_network_side(tmp_path):
    ws, case_id, _ = case_on(tmp_path, "village-jammed", category="cannot call despite signal")
    found = findings(ws, case_id)
    access = [f for f in found if f.rule == "interference" and f.data.get("access")]
    assert access and access[0].data["failed"] >= 2 and access[0].data["cell"] == "VILL-1"
    assert all("RXQUAL" in c.text and c.what == "call" for c in access[0].cites)
    assert "access_failure" not in by_rule(found)  # never "the radio is fine" under RXQUAL 7
    # Without the condition (full bars, quality unknown before a dead BCCH): the network side.
    ws, case_id, _ = case_on(tmp_path, "bcch-hung", category="cannot call despite signal")
    found = findings(ws, case_id)
    assert not [f for f in found if f.rule == "interference"]
    assert "Level and quality were fine" in by_rule(found)["access_failure"].summary


def test_only_some_handsets_fail_with_several_cells_at_the_spot_asks_for_a_test_on_each(tmp_path):
    ws, case_id, _ = case_on(tmp_path, "bcch-hung", category="only some handsets fail", other_handsets_ok="yes")
    found = by_rule(findings(ws, case_id))
    cand = found["candidate_cells"]
    names = [c["cell"] for c in cand.data["candidates"]]
    assert names[0] == "BRIDGE-1" and len(names) >= 2 and "BRIDGE-1" not in cand.data["untested"]
    assert set(cand.data["untested"]) == set(names[1:])
    assert "Lock the test handset to each candidate cell" in cand.next_step
    assert "handset_only" not in found


def test_handset_only_needs_the_test_handset_at_the_spot_on_its_one_cell(tmp_path):
    # tilt7: HOSP-2 is the only cell receivable at the bus stop, the test handset measured there.
    ws, case_id, _ = case_on(tmp_path, "tilt7", category="only some handsets fail", other_handsets_ok="yes",
                             **BUS_STOP)
    found = by_rule(findings(ws, case_id))
    assert "candidate_cells" not in found and found["handset_only"].data["cell"] == "HOSP-2"
    assert "measured at the spot on HOSP-2" in found["handset_only"].summary
    # Not measured at the spot: no handset-only conclusion.
    ws, case_id, _ = case_on(tmp_path, "tilt13-gps", category="handset problem", other_handsets_ok="yes",
                             **NORTH_1800M)
    assert "handset_only" not in by_rule(findings(ws, case_id))


def _stored_run(store, scenario, modes, failing_trx, **plan_kwargs):
    from drivers.sim import load_scenario

    cell = load_scenario(scenario).cell_plan()[0]
    plan = CqtPlan(number="5551234", cell=cell, modes=frozenset(modes), calls_per_trx=6, **plan_kwargs)
    calls = []
    for i, trx in enumerate(list(plan.trx_ids) * 6):
        t0 = 1_764_325_637.0 + 30 * i
        bad = trx == failing_trx
        calls.append(CqtCall(seq=i + 1, start_utc=t0, planned_trx=trx, trx_id=trx, trx_how=sorted(modes)[0],
                             connected_utc=None if bad else t0 + 4, end_utc=t0 + 20,
                             result="setup_failed" if bad else SUCCESS, listener=None if bad else NORMAL,
                             cause_text="Immediate assignment reject" if bad else None))
    run = store.create_cqt_run(plan.to_json())
    for call in calls:
        store.put_cqt_call(run, call.to_json())
    store.update_cqt_run(run, state="done", verdict=judge(calls, plan.trx_ids).to_json())
    return run


def test_setup_failures_in_lock_mode_are_not_pinned_on_the_traffic_trx(tmp_path):
    with Store.open(tmp_path / "ws.db") as store:
        lock = _stored_run(store, "sdcch-trx", {"lock"}, "TRX-41-1", lock_kind="channel")
        block = _stored_run(store, "sdcch-trx", {"block"}, "TRX-41-1")
        cases = {}
        for name, run in (("lock", lock), ("block", block)):
            cases[name] = workflow.create(store, {"subscriber_number": "0660 1234567",
                                                  "category": "subscriber not reachable"})
            evidence.attach_cqt(store, cases[name], run)
        locked = by_rule(diagnose.diagnose_case(store, cases["lock"]))
        blocked = by_rule(diagnose.diagnose_case(store, cases["block"]))
        verdicts = {name: store.cqt_run(run)["verdict"] for name, run in (("lock", lock), ("block", block))}
    # The CQT verdict itself says so (what the panel and `fieldapp cqt` show).
    assert verdicts["lock"]["status"] == "setup_not_attributable" and verdicts["lock"]["suspect"] is None
    assert "repeat in block mode" in verdicts["lock"]["text"] and "TRX-41-1" in verdicts["lock"]["text"]
    assert verdicts["block"]["status"] == "suspect" and verdicts["block"]["suspect"] == "TRX-41-1"
    assert "suspect_trx" not in locked
    un = locked["cqt_unattributable"]
    assert un.data["trx"] is None and un.data["cell"] == "RIVER-41" and un.data["counted_on"] == "TRX-41-1"
    assert "cannot be attributed to the traffic TRX" in un.summary and "block mode" in un.next_step
    # Block mode: the SDCCH is on the TRX under test, the suspect stands.
    assert blocked["suspect_trx"].data["trx"] == "TRX-41-1" and "cqt_unattributable" not in blocked


def test_a_block_mode_run_does_not_advise_confirming_by_blocking(tmp_path):
    from drivers.sim import load_scenario

    cell = load_scenario("one-way-trx").cell_plan()[0]
    with Store.open(tmp_path / "ws.db") as store:
        runs = {}
        for mode in ("block", "attribute"):
            plan = CqtPlan(number="5551234", cell=cell, modes=frozenset({mode}), calls_per_trx=6)
            calls = [CqtCall(seq=i + 1, start_utc=1_764_325_637.0 + 30 * i, planned_trx=trx, trx_id=trx,
                             trx_how=mode, connected_utc=1_764_325_640.0 + 30 * i, end_utc=1_764_325_660.0 + 30 * i,
                             result=SUCCESS, listener="one-way-ul" if trx == "TRX-69-1" else NORMAL)
                     for i, trx in enumerate(["TRX-69-0", "TRX-69-1"] * 6)]
            run = store.create_cqt_run(plan.to_json())
            for call in calls:
                store.put_cqt_call(run, call.to_json())
            store.update_cqt_run(run, state="done", verdict=judge(calls, plan.trx_ids).to_json())
            runs[mode] = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "one-way audio"})
            evidence.attach_cqt(store, runs[mode], run)
        block = by_rule(diagnose.diagnose_case(store, runs["block"]))["suspect_trx"]
        attribute = by_rule(diagnose.diagnose_case(store, runs["attribute"]))["suspect_trx"]
    assert block.data["trx"] == attribute.data["trx"] == "TRX-69-1"
    assert "Confirm by blocking" not in block.next_step and "block-mode run pins the fault" in block.next_step
    assert "Confirm by blocking" in attribute.next_step


# ---------------------------------------------------------------------- §5 the JSON


def test_diagnose_json_keeps_its_keys_and_adds_the_new_rules(tmp_path):
    ws, case_id, _ = case_on(tmp_path, "tilt13-gps", category="packet data (GPRS) not working", **NORTH_1800M)
    out = subprocess.run([sys.executable, "-m", "fieldapp", "--workspace", str(ws), "case", "diagnose",
                          str(case_id), "--json"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)
    assert all({"rule", "title", "severity", "summary", "next_step", "cites", "data"} <= set(i) for i in items)
    rules = [i["rule"] for i in items]
    assert "no_measurement_at_spot" in rules
    assert [i["data"]["what"] for i in items if i["rule"] == "not_tested"] == ["packet data"]


def test_complaint_hours_are_read_in_the_spots_time_zone(tmp_path):
    """The subscriber's "17-19 h" is local time: with the case's time zone the same UTC test is
    inside the hours there and outside them in UTC, and the finding names the zone."""
    ws, sid = recorded("tilt13-gps", tmp_path)
    with Store.open(ws) as store:
        ts = next(store.samples(sid)).ts_utc
        tokyo = datetime.fromtimestamp(ts, timezone.utc).astimezone(ZoneInfo("Asia/Tokyo")).hour  # UTC+9
        hours = f"{tokyo}-{(tokyo + 1) % 24} h"
        in_tokyo = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "weak signal",
                                           "hours": hours, "time_zone": "Asia/Tokyo", **BUS_STOP})
        in_utc = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "weak signal",
                                         "hours": hours, "time_zone": "UTC", **BUS_STOP})
        for cid in (in_tokyo, in_utc):
            evidence.attach_session(store, cid, sid)
        tokyo_finding = by_rule(diagnose.diagnose_case(store, in_tokyo))["weak_coverage"]
        utc_finding = by_rule(diagnose.diagnose_case(store, in_utc))["weak_coverage"]
    assert tokyo_finding.data["spot"]["in_hours"] in (True, None) and "Asia/Tokyo" in tokyo_finding.summary
    assert utc_finding.data["spot"]["in_hours"] is False and "outside the complaint hours" in utc_finding.summary


def test_a_time_zone_that_does_not_exist_is_refused(tmp_path):
    from fieldapp.cases.validate import CaseInvalid

    with Store.open(tmp_path / "ws.db") as store, pytest.raises(CaseInvalid, match="not a time zone"):
        workflow.create(store, {"subscriber_number": "0660 1234567", "category": "weak signal",
                                "time_zone": "Mars/Olympus", **BUS_STOP})
