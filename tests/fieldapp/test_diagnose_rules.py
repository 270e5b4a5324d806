"""Each diagnosis rule on recordings of the simulator's reference scenarios (real driver over a
pty, real Recorder, real workspace), with and without its condition, and the finding the
reference case reached (docs/domain.md §2)."""

from __future__ import annotations

from fieldapp.cases import diagnose, evidence, workflow
from fieldapp.model import EV_CALL_ATTEMPT, EV_CALL_DROPPED, EV_CALL_FAILED
from fieldapp.store import Store
from tests.fieldapp.case_recordings import recorded

BUS_STOP = {"latitude": 48.19682, "longitude": 16.37477}


def findings_for(tmp_path, name, **facts):
    """A case on recording ``name`` with the session attached; its findings by rule."""
    ws, sid = recorded(name, tmp_path)
    with Store.open(ws) as store:
        raw = {"subscriber_number": "+43 660 1234567", "category": "weak signal", "description": "test", **facts}
        case_id = workflow.create(store, raw, author="tester")
        evidence.attach_session(store, case_id, sid, author="tester")
        found = diagnose.diagnose_case(store, case_id)
        events = store.events(sid)
    return {f.rule: f for f in found}, events


def test_weak_coverage_at_the_bus_stop_names_hosp2_its_distance_and_its_downtilt(tmp_path):
    found, _ = findings_for(tmp_path, "tilt13", **BUS_STOP)
    weak = found["weak_coverage"]
    assert -90 <= weak.data["p50_dbm"] <= -81
    assert weak.data["p10_dbm"] <= weak.data["p50_dbm"] <= weak.data["p90_dbm"]
    assert weak.data["best_server"] == "HOSP-2"
    assert weak.data["cell"] == "HOSP-2"  # `case diagnose --json` keys: data with cell (trial 2026-12-06: missing)
    assert 450 <= weak.data["distance_m"] <= 550  # "about 500 m from the site"
    assert weak.data["tilt_deg"] == 13 and weak.data["main_beam_ground_m"] < 200
    assert "less downtilt on HOSP-2" in weak.next_step and "antenna" in weak.next_step
    assert weak.cites and all(c.what == "sample" and c.session_id == 1 and "HOSP-2" in c.text for c in weak.cites)
    assert set(found) == {"weak_coverage"}


def test_after_the_tilt_change_the_level_is_not_weak(tmp_path):
    found, _ = findings_for(tmp_path, "tilt7", **BUS_STOP)
    assert "weak_coverage" not in found and "no_dominant_server" not in found


def test_no_coverage_far_from_every_cell_names_the_nearest_site(tmp_path):
    found, _ = findings_for(tmp_path, "far-away", category="no coverage", latitude=48.45, longitude=16.37)
    none = found["no_coverage"]
    assert none.data["no_service"] == none.data["samples"] >= 3
    assert none.data["nearest_cell"].startswith(("HOSP", "PARK")) and 25_000 < none.data["nearest_m"] < 30_000
    assert "new site" in none.next_step and "searching" in none.summary
    assert set(found) == {"no_coverage"}
    found, _ = findings_for(tmp_path, "tilt13", **BUS_STOP)
    assert "no_coverage" not in found


def test_no_dominant_server_where_three_sectors_meet_and_not_at_the_bus_stop(tmp_path):
    found, _ = findings_for(tmp_path, "no-dominant")
    nd = found["no_dominant_server"]
    assert nd.data["share"] >= 0.5
    assert set(nd.data["competing"]) == {"TRI-1", "TRI-2", "TRI-3"}
    assert all("TRI-" in c.text for c in nd.cites)
    found, _ = findings_for(tmp_path, "tilt13", **BUS_STOP)  # HOSP-2 dominates by > 10 dB
    assert "no_dominant_server" not in found


def test_interference_on_the_low_arfcns_of_the_village_and_none_on_a_clean_cell(tmp_path):
    found, _ = findings_for(tmp_path, "village")
    itf = found["interference"]
    assert itf.data["arfcns"] and max(itf.data["arfcns"]) <= 12  # VILL-1's TRXs: 2, 6, 10
    assert "low end of the band" in itf.summary and "frequency change" in itf.next_step
    assert all(c.what == "sample" and "RXQUAL" in c.text for c in itf.cites)
    found, _ = findings_for(tmp_path, "sdcch-trx")  # good quality in every call
    assert "interference" not in found


def test_access_failures_under_full_bars_point_at_the_bcch_of_bridge1(tmp_path):
    found, events = findings_for(tmp_path, "bcch-hung", category="cannot call despite signal")
    acc = found["access_failure"]
    failed = [e for e in events if e.kind == EV_CALL_FAILED]
    assert acc.data["failed"] == acc.data["attempts"] == len(failed) == 3
    assert acc.data["side"].startswith("BCCH") and acc.data["cell"] == "BRIDGE-1"
    assert "block and de-block the BCCH TRX" in acc.next_step
    attempts = [e.ts_utc for e in events if e.kind == EV_CALL_ATTEMPT]
    assert [c.ts_utc for c in acc.cites] == attempts  # each failed call is cited at its attempt
    assert all("Random access failure" in c.text and "BRIDGE-1" in c.text for c in acc.cites)
    assert "weak_coverage" not in found  # full bars


def test_setups_failing_once_then_working_point_at_the_sdcch(tmp_path):
    found, events = findings_for(tmp_path, "sdcch-trx", category="subscriber not reachable")
    acc = found["access_failure"]
    assert acc.data["side"] == "SDCCH" and acc.data["cell"] == "RIVER-41"
    assert 0 < acc.data["failed"] < acc.data["attempts"]
    assert "TRX-by-TRX CQT" in acc.next_step
    assert all("Immediate assignment reject" in c.text for c in acc.cites)
    assert sum(e.kind == EV_CALL_FAILED for e in events) == acc.data["failed"]


def test_no_access_finding_when_every_call_connects(tmp_path):
    found, events = findings_for(tmp_path, "village")
    assert not any(e.kind == EV_CALL_FAILED for e in events)
    assert "access_failure" not in found


def test_drops_in_the_village_come_with_bad_quality_under_good_level(tmp_path):
    found, events = findings_for(tmp_path, "village", category="dropped call")
    assert any(e.kind == EV_CALL_DROPPED for e in events), "the recording should hold a drop"
    drops = found["drops"]
    assert drops.data["kinds"] == {"bad quality under good level": drops.data["drops"]}
    assert "Interference" in drops.next_step
    assert all("worst RXQUAL" in c.text and c.what == "call" for c in drops.cites)
    found, _ = findings_for(tmp_path, "sdcch-trx")
    assert "drops" not in found


def test_handset_only_when_other_handsets_work_and_the_spot_is_clean(tmp_path):
    found, _ = findings_for(tmp_path, "tilt7", category="handset problem", other_handsets_ok="yes",
                            handset="Nokia 105", **BUS_STOP)
    only = found["handset_only"]
    assert "Nokia 105" in only.summary and "explained to the subscriber on site" in only.next_step
    found, _ = findings_for(tmp_path, "tilt7", category="handset problem", **BUS_STOP)
    assert "handset_only" not in found  # the fact is not known


def test_only_some_handsets_fail_but_the_bcch_is_hung_is_not_a_handset_problem(tmp_path):
    # Reference case 5: handset fault ruled out; the serving cell's BCCH TRX had hung.
    found, _ = findings_for(tmp_path, "bcch-hung", category="only some handsets fail", other_handsets_ok="yes")
    assert "handset_only" not in found
    assert found["access_failure"].data["side"].startswith("BCCH")


def test_after_sessions_are_left_out_of_the_diagnosis(tmp_path):
    ws, sid = recorded("tilt13", tmp_path)
    with Store.open(ws) as store:
        case_id = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "weak signal", **BUS_STOP})
        evidence.attach_session(store, case_id, sid, role="after")
        assert diagnose.diagnose_case(store, case_id) == []
        evidence.evidence(store, case_id)
        evidence.mark(store, store.attachments(case_id)[0].id, "before")
        assert [f.rule for f in diagnose.diagnose_case(store, case_id)] == ["weak_coverage"]
