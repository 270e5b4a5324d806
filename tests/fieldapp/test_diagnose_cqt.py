"""The suspect-TRX rule reads CQT runs through the CQT store: a real run on the one-way-trx
scenario (attribute mode, the simulator's listener) names TRX-69-1 as in reference case 3; a
stored run on a healthy cell names nobody (it is listed as checked and normal)."""

from __future__ import annotations

from fieldapp.cases import diagnose, evidence, workflow
from fieldapp.cases.cqt_evidence import load_cqt
from fieldapp.cqt.calls import NORMAL, SUCCESS, CqtCall
from fieldapp.cqt.plan import CqtPlan
from fieldapp.cqt.verdict import judge
from fieldapp.store import Store
from tests.fieldapp.cqt_support import cqt_rig


def test_a_cqt_run_on_the_mall_names_trx_69_1_and_the_blocking_step(tmp_path):
    with cqt_rig(tmp_path, "one-way-trx", "quectel", seed=11, modes=frozenset({"attribute"}), calls_per_trx=5,
                 auto_audio=True) as (sim, source, runner, events):
        runner.run()
        plan = sim.scenario.cell_plan()
    with Store.open(tmp_path / "ws.db") as store:
        store.put_cell_plan(plan, "scenario:one-way-trx")
        case_id = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "one-way audio",
                                          "description": "they cannot hear me in the mall"})
        evidence.attach_cqt(store, case_id, runner.run_id)
        evidence.attach_session(store, case_id, runner.session_id)
        found = {f.rule: f for f in diagnose.diagnose_case(store, case_id)}
    trx = found["suspect_trx"]
    assert trx.data == {"trx": "TRX-69-1", "cell": "MALL-69", "problem": "one-way-ul", "run_id": runner.run_id}
    assert "Block" not in trx.title and "blocked" in trx.next_step and "replace" in trx.next_step
    assert any(c.what == "cqt" and "TRX-69-1" in c.text for c in trx.cites)
    assert all("TRX-69-1" in c.text for c in trx.cites if c.what == "call")
    # The calls themselves connect and end normally at a good level: no other rule fires.
    assert set(found) == {"suspect_trx"}


def test_a_stored_run_with_no_suspect_gives_no_problem_finding(tmp_path):
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
        loaded = load_cqt(store, run)
        assert loaded.suspect is None and loaded.verdict["status"] == "none"
        assert loaded.matrix["TRX-69-1"]["calls"] == 5 and loaded.cell == "MALL-69"
        # Issue 13 §3: with evidence, "no findings" is the list of what was checked.
        assert [f.rule for f in diagnose.diagnose_case(store, case_id)] == ["checked_normal"]
