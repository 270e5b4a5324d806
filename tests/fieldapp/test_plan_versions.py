"""Issue 13 §2: the plan as it was. Each load of a cell plan is a version, each session keeps the
version it was recorded under, a finding cites its own session's version, and an "after" test
that shows the problem gone marks the finding resolved (real recordings of the bus stop before
and after the tilt change, 13° → 7°, each recorded under its own plan)."""

from __future__ import annotations

import re
from dataclasses import replace

from fieldapp.cases import diagnose, evidence, workflow
from fieldapp.model import PlanCell, PlanTrx
from fieldapp.store import Store
from tests.fieldapp.case_recordings import recorded

BUS_STOP = {"latitude": 48.19682, "longitude": 16.37477}
CELLS = [PlanCell("A-1", lac=1, ci=11, tilt_deg=6.0, trxs=(PlanTrx("TRX-1-0", (62,)),)),
         PlanCell("A-2", lac=1, ci=12, tilt_deg=4.0)]


def test_each_load_is_a_version_and_each_session_keeps_its_own(tmp_path):
    with Store.open(tmp_path / "ws.db") as store:
        assert store.plan_version() is None
        s0 = store.create_session("test")
        store.put_cell_plan(CELLS, "cells.cel")
        s1 = store.create_session("test")
        store.put_cell_plan(CELLS, "cells.cel")  # the same plan again: not a new version
        assert store.plan_version() == 1
        edited = [replace(CELLS[0], tilt_deg=3.0), CELLS[1]]
        store.put_cell_plan(edited, "edit")
        s2 = store.create_session("test")
        assert [store.session(s).plan_version for s in (s0, s1, s2)] == [None, 1, 2]
        assert [v[0] for v in store.plan_versions()] == [1, 2]
        cells, source, _ = store.plan_at(1)
        assert cells == CELLS and source == "cells.cel"  # TRXs and all, field for field
        assert store.plan_at(2)[0][0].tilt_deg == 3.0 and store.cell_plan()[0].tilt_deg == 3.0


def test_a_workspace_from_before_versions_numbers_its_plan_once(tmp_path):
    with Store.open(tmp_path / "ws.db") as store:
        store.put_cell_plan(CELLS, "cells.cel")
        store._conn.execute("DELETE FROM plan_versions")  # as a v6 workspace had it: cells, no versions
        store.commit()
        sid = store.create_session("test")
        assert store.session(sid).plan_version == 1 and store.plan_at(1)[0] == CELLS


def _case(store, before, after=None):
    case_id = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "weak signal", **BUS_STOP})
    evidence.attach_session(store, case_id, before, role="before")
    if after is not None:
        evidence.attach_session(store, case_id, after, role="after")
    return {f.rule: f for f in diagnose.diagnose_case(store, case_id)}


def test_the_before_finding_cites_13_degrees_and_the_after_test_resolves_it(tmp_path):
    ws, _ = recorded("bus-stop-before-after", tmp_path)
    with Store.open(ws) as store:
        before, after = (s.id for s in store.sessions())
        assert (store.session(before).plan_version, store.session(after).plan_version) == (1, 2)
        assert store.cell_plan_source() == "scenario:bus-stop-tilt7"  # the plan today: 7°
        weak = _case(store, before)["weak_coverage"]
        resolved_all = _case(store, before, after)
        resolved = resolved_all["weak_coverage"]
    # Without an after test: the finding stands, citing the plan when measured (13°, version 1).
    assert weak.data["tilt_deg"] == 13 and weak.data["plan_version"] == 1 and "resolved_by" not in weak.data
    assert "downtilt 13°" in weak.summary and "cell plan version 1" in weak.summary
    assert weak.data["trxs"] == ["TRX-12-0", "TRX-12-1"]
    # With the after test (recorded under version 2, 7°): resolved, with the level change.
    assert resolved.data["tilt_deg"] == 13 and resolved.data["resolved_by"]["plan_version"] == 2
    assert resolved.severity == "info" and resolved.title.endswith("resolved")
    assert "checked_normal" not in resolved_all  # the before test was not normal
    assert "cell plan version 2: HOSP-2 downtilt 7°" in resolved.summary
    change = re.search(r"(-\d+) → (-\d+) dBm at the spot", resolved.summary)
    assert change and int(change.group(2)) - int(change.group(1)) >= 5


def test_an_after_test_that_still_shows_the_problem_does_not_resolve_it(tmp_path):
    ws, _ = recorded("bus-stop-before-after", tmp_path)
    with Store.open(ws) as store:
        before, _after = (s.id for s in store.sessions())
        # The 13° session as both: the problem is still there "after"; the re-test cites its own version.
        case_id = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "weak signal",
                                          **BUS_STOP})
        evidence.attach_session(store, case_id, before, role="before")
        inp = diagnose.gather(store, case_id)
        inp.after = diagnose.DiagnosisInput(inp.case, list(inp.sessions), inp.plan)
        found = diagnose.diagnose(inp)
    weak = [f for f in found if f.rule == "weak_coverage"]
    assert len(weak) == 2 and "resolved_by" not in weak[0].data
    assert weak[1].title.endswith("(after test: not resolved)") and weak[1].data["plan_version"] == 1


def test_the_report_lists_the_plan_version_of_each_session(tmp_path):
    from pypdf import PdfReader

    from fieldapp.report import gather_report, write_report

    ws, _ = recorded("bus-stop-before-after", tmp_path)
    with Store.open(ws) as store:
        before, after = (s.id for s in store.sessions())
        case_id = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "weak signal",
                                          **BUS_STOP})
        evidence.attach_session(store, case_id, before, role="before")
        evidence.attach_session(store, case_id, after, role="after")
        pdf = write_report(gather_report(store, case_id), tmp_path / "case.pdf")
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(pdf)).pages)
    assert "Cell plan" in text and re.search(r"1 before .*? v1 2 after .*? v2", text)
    assert "Weak coverage at the spot — resolved" in text and "cell plan version 2: HOSP-2 downtilt 7°" in text
