"""Issue 13, trial problems 5 and 6: setup failures that all fall on one TRX are a finding even
when the CQT verdict is not significant (reference case 4, ``sdcch-trx``); findings that blame
the same TRX are one finding citing all its evidence; a next step never asks for evidence of a
kind the case already holds (reference case 3, ``one-way-trx``). Runs are stored as the runner
stores them, on the scenarios' own cell plans."""

from __future__ import annotations

from drivers.sim import load_scenario
from fieldapp.cases import diagnose, evidence, workflow
from fieldapp.cqt.calls import NORMAL, SETUP_FAILED, SUCCESS, CqtCall
from fieldapp.cqt.plan import CqtPlan
from fieldapp.cqt.verdict import judge
from fieldapp.store import Store

T0 = 1_764_325_637.0
IA_REJECT = "Immediate assignment reject"


def stored_run(store, scenario, modes, per_trx, *, failing=None, failures=0, listener=None, bad_trx=None,
               t0=T0):
    """A finished CQT run of ``per_trx`` calls per TRX of the scenario's first cell:
    ``failures`` IMMEDIATE ASSIGNMENT REJECTs on ``failing``; ``listener`` marked on ``bad_trx``."""
    cell = load_scenario(scenario).cell_plan()[0]
    plan = CqtPlan(number="5551234", cell=cell, modes=frozenset(modes), calls_per_trx=per_trx)
    how = "block" if "block" in modes else sorted(modes)[0]
    calls, left = [], failures
    for i, trx in enumerate(list(plan.trx_ids) * per_trx):
        start = t0 + 30 * i
        fail = trx == failing and left > 0
        left -= int(fail)
        heard = listener if trx == bad_trx else NORMAL
        calls.append(CqtCall(seq=i + 1, start_utc=start, planned_trx=trx if how != "attribute" else None, trx_id=trx,
                             trx_how=how, connected_utc=None if fail else start + 4, end_utc=start + 20,
                             result=SETUP_FAILED if fail else SUCCESS, listener=None if fail else heard,
                             cause_text=IA_REJECT if fail else None))
    run = store.create_cqt_run(plan.to_json())
    for call in calls:
        store.put_cqt_call(run, call.to_json())
    store.update_cqt_run(run, state="done", verdict=judge(calls, plan.trx_ids).to_json())
    return run


def case_with_runs(store, category, runs):
    case_id = workflow.create(store, {"subscriber_number": "0660 1234567", "category": category})
    for run in runs:
        evidence.attach_cqt(store, case_id, run)
    return case_id


def by_rule(found):
    out = {}
    for f in found:
        out.setdefault(f.rule, []).append(f)
    return out


# ---------------------------------------------------------------------- P5: case 4 from the CQT alone


def test_two_ia_rejects_on_the_sdcch_trx_are_a_finding_not_found_normal(tmp_path):
    with Store.open(tmp_path / "ws.db") as store:
        run = stored_run(store, "sdcch-trx", {"block"}, 5, failing="TRX-41-1", failures=2)
        verdict = store.cqt_run(run)["verdict"]
        case_id = case_with_runs(store, "subscriber not reachable", [run])
        found = by_rule(diagnose.diagnose_case(store, case_id))
    assert verdict["status"] != "suspect"  # 2 of 5: the verdict cannot name it
    assert "checked_normal" not in found
    (f,) = found["trx_setup_failures"]
    assert f.data["trx"] == "TRX-41-1" and f.data["cell"] == "RIVER-41" and f.data["run_id"] == run
    assert f.severity != "info" and "TRX-41-1" in f.title and "SDCCH" in f.title
    assert "2 of 5 calls on TRX-41-1" in f.summary and "0 of 20 on the other TRXs" in f.summary
    assert "Immediate assignment reject ×2" in f.summary
    # Block mode already: more calls, not "block mode".
    assert "Repeat the block-mode run" in f.next_step and "Repeat the test in block mode" not in f.next_step
    assert sum(1 for c in f.cites if c.what == "call") == 2


def test_the_same_failures_outside_block_mode_advise_block_mode(tmp_path):
    with Store.open(tmp_path / "ws.db") as store:
        run = stored_run(store, "sdcch-trx", {"attribute"}, 5, failing="TRX-41-1", failures=2)
        case_id = case_with_runs(store, "subscriber not reachable", [run])
        found = by_rule(diagnose.diagnose_case(store, case_id))
    (f,) = found["trx_setup_failures"]
    assert f.data["trx"] == "TRX-41-1" and "Repeat the test in block mode" in f.next_step
    assert "checked_normal" not in found


def test_failures_spread_over_trxs_or_a_single_one_name_no_trx(tmp_path):
    with Store.open(tmp_path / "ws.db") as store:
        one = stored_run(store, "sdcch-trx", {"block"}, 5, failing="TRX-41-1", failures=1)
        healthy = stored_run(store, "sdcch-trx", {"block"}, 5)
        for run in (one, healthy):
            found = by_rule(diagnose.diagnose_case(store, case_with_runs(store, "subscriber not reachable", [run])))
            assert "trx_setup_failures" not in found and "checked_normal" in found
