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


# ---------------------------------------------------------------------- P6: read together

def stats_case(tmp_path, capsys, scenario, category, runs_of):
    """A case holding the scenario's simulated statistics, alarms and cell plan (through the CLI a
    user types) and the CQT runs ``runs_of(store)`` stores; its findings by rule."""
    from fieldapp.cli import main

    ws = tmp_path / "ws.db"
    for argv in (["simulate", "--scenario", scenario, "--stats-out", tmp_path / "st.csv", "--alarms-out",
                  tmp_path / "al.csv", "--plan-out", tmp_path / "plan.csv", "--hours", "24", "--vendor", "huawei",
                  "--start", "2026-11-01"],
                 ["import", tmp_path / "plan.csv", "--workspace", ws]):
        assert main([str(a) for a in argv]) == 0, capsys.readouterr().err
    with Store.open(ws) as store:
        case_id = case_with_runs(store, category, runs_of(store))
    for f in sorted(tmp_path.glob("st*.csv")):
        assert main(["stats", "import", str(f), "--case", str(case_id), "--workspace", str(ws)]) == 0
    assert main(["alarms", "import", str(tmp_path / "al.csv"), "--case", str(case_id), "--workspace", str(ws)]) == 0
    capsys.readouterr()
    with Store.open(ws) as store:
        return by_rule(diagnose.diagnose_case(store, case_id))


ASKS_FOR_A_CQT = ("TRX-by-TRX CQT", "CQT per TRX", "Confirm by blocking")
ASKS_FOR_STATISTICS = ("import them into the case", "seizure counters", "fieldapp stats import")


def test_case_3_three_runs_blaming_trx_69_1_are_one_finding_with_the_block_run_as_confirmation(tmp_path, capsys):
    def runs(store):
        return [stored_run(store, "one-way-trx", modes, 6, listener="one-way-ul", bad_trx="TRX-69-1", t0=T0 + 1000 * i)
                for i, modes in enumerate(({"attribute"}, {"block"}, {"lock"}))]

    found = stats_case(tmp_path, capsys, "one-way-trx", "one-way audio", runs)
    (trx,) = found["suspect_trx"]
    assert trx.data["trx"] == "TRX-69-1" and trx.data["cell"] == "MALL-69"
    assert len(trx.data["run_ids"]) == 3 and trx.data["evidence"] == [f"CQT run {r}" for r in trx.data["run_ids"]]
    for run_id in trx.data["run_ids"]:
        assert f"CQT run {run_id}" in trx.summary
    assert "Confirm by blocking" not in trx.next_step and "block-mode run pins the fault" in trx.next_step
    assert "is the blocking confirmation" in trx.summary
    assert {c.text for c in trx.cites if c.what == "cqt"}  # the runs' verdict lines are cited
    # No next step asks for a CQT (three are attached) or for statistics (imported).
    for f in (f for fs in found.values() for f in fs):
        assert not any(a in f.next_step for a in ASKS_FOR_A_CQT + ASKS_FOR_STATISTICS), (f.rule, f.next_step)
    (clean,) = found["statistics_clean"]
    assert "Attached CQT run" in clean.next_step and "(block mode): suspect TRX-69-1" in clean.next_step


def test_without_a_cqt_the_statistics_still_ask_for_one(tmp_path, capsys):
    found = stats_case(tmp_path, capsys, "one-way-trx", "one-way audio", lambda store: [])
    assert "CQT per TRX" in found["statistics_clean"][0].next_step


def test_case_4_the_sdcch_counters_and_the_run_are_one_finding_without_asking_for_a_cqt(tmp_path, capsys):
    def runs(store):
        return [stored_run(store, "sdcch-trx", {"block"}, 5, failing="TRX-41-1", failures=2)]

    found = stats_case(tmp_path, capsys, "sdcch-trx", "subscriber not reachable", runs)
    assert "trx_fault" not in found and "checked_normal" not in found
    (f,) = found["trx_setup_failures"]
    assert f.data["trx"] == "TRX-41-1" and f.data["cell"] == "RIVER-41"
    assert [m["rule"] for m in f.data["merged"]] == ["trx_setup_failures", "trx_fault"]
    assert "never got an immediate assignment" in f.summary or "no immediate assignment" in f.summary
    assert any(c.what == "counter" for c in f.cites) and any(c.what == "call" for c in f.cites)
    assert "too few calls" not in f.title and f.severity == "high"
    # The counters' step, without its request for a CQT: the attached run is named instead.
    assert "CHANNEL ACTIVATION NACK" in f.next_step and "Attached CQT run" in f.next_step
    assert "its calls are in this finding" in f.next_step and "no TRX stands out" not in f.next_step
    for g in (g for fs in found.values() for g in fs):
        assert not any(a in g.next_step for a in ASKS_FOR_A_CQT), (g.rule, g.next_step)


def test_case_4_access_failures_with_a_run_attached_keep_a_readable_step(tmp_path, capsys):
    """The SDCCH access finding's step loses its request for a CQT when a run is attached (what
    follows the request stays a clause of its own, "…; ask for a network-side trace") and its
    request for the per-TRX SDCCH counters when they are imported."""
    from tests.fieldapp.case_recordings import recorded

    ws, sid = recorded("sdcch-trx", tmp_path)
    with Store.open(ws) as store:
        run = stored_run(store, "sdcch-trx", {"attribute"}, 5)
        case_id = case_with_runs(store, "subscriber not reachable", [run])
        evidence.attach_session(store, case_id, sid)
        found = by_rule(diagnose.diagnose_case(store, case_id))
    (acc,) = found["access_failure"]
    assert acc.data["side"] == "SDCCH"
    assert "Attached CQT run" in acc.next_step and "TRX-by-TRX CQT" not in acc.next_step
    assert "point at one TRX's SDCCH); ask for a network-side trace while repeating the calls." in acc.next_step
    assert "check SDCCH assignment success" in acc.next_step  # no counters imported yet: asked

    # With the cell's per-TRX counters imported the step says what they showed instead.
    from fieldapp.cli import main

    assert main(["simulate", "--scenario", "sdcch-trx", "--stats-out", str(tmp_path / "st.csv"), "--hours", "24",
                 "--vendor", "huawei", "--start", "2026-11-01"]) == 0
    for f in sorted(tmp_path.glob("st*.csv")):
        assert main(["stats", "import", str(f), "--case", str(case_id), "--workspace", str(ws)]) == 0
    with Store.open(ws) as store:
        (acc,) = by_rule(diagnose.diagnose_case(store, case_id))["access_failure"]
    assert "check SDCCH assignment success" not in acc.next_step, acc.next_step
    assert "The imported statistics show: SDCCH of TRX-41-1 on RIVER-41 never assigned." in acc.next_step
    assert acc.next_step.endswith("Network side, SDCCH of RIVER-41: ask for a network-side trace while repeating "
                                  "the calls."), acc.next_step


def test_a_statistics_trx_fault_alone_still_asks_for_the_cqt(tmp_path, capsys):
    found = stats_case(tmp_path, capsys, "sdcch-trx", "subscriber not reachable", lambda store: [])
    (f,) = [f for f in found["trx_fault"] if f.data.get("trx") == "TRX-41-1"]
    assert "Run a TRX-by-TRX CQT on RIVER-41" in f.next_step


def test_case_1_access_failure_says_what_the_imported_counters_showed(tmp_path, capsys):
    from fieldapp.cli import main
    from tests.fieldapp.case_recordings import recorded

    ws, sid = recorded("bcch-hung", tmp_path)
    with Store.open(ws) as store:
        case_id = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "cannot call despite signal (access failure)"})
        evidence.attach_session(store, case_id, sid)
        before = by_rule(diagnose.diagnose_case(store, case_id))
    assert "seizure counters" in before["access_failure"][0].next_step  # nothing imported yet: ask for them
    assert main(["simulate", "--scenario", "bcch-hung", "--stats-out", str(tmp_path / "st.csv"), "--hours", "24",
                 "--vendor", "huawei", "--start", "2026-11-01"]) == 0
    for f in sorted(tmp_path.glob("st*.csv")):
        assert main(["stats", "import", str(f), "--case", str(case_id), "--workspace", str(ws)]) == 0
    capsys.readouterr()
    with Store.open(ws) as store:
        after = by_rule(diagnose.diagnose_case(store, case_id))
    (access,) = after["access_failure"]
    assert "hung_bcch" in after
    assert not any(a in access.next_step for a in ASKS_FOR_STATISTICS), access.next_step
    assert "The imported statistics show: Hung BCCH TRX on BRIDGE-1" in access.next_step
    assert "block and de-block" in access.next_step.lower()


def test_runs_of_one_cell_are_pooled_one_reject_each_is_two_on_the_trx(tmp_path):
    # The trial's second look: each run alone has one IA reject on TRX-41-1 (not a pattern),
    # both together two of six calls, none of 24 elsewhere.
    with Store.open(tmp_path / "ws.db") as store:
        runs = [stored_run(store, "sdcch-trx", {"block"}, 3, failing="TRX-41-1", failures=1, t0=T0 + 1000 * i)
                for i in range(2)]
        alone = by_rule(diagnose.diagnose_case(store, case_with_runs(store, "subscriber not reachable", runs[:1])))
        found = by_rule(diagnose.diagnose_case(store, case_with_runs(store, "subscriber not reachable", runs)))
    assert "trx_setup_failures" not in alone
    (f,) = found["trx_setup_failures"]
    assert f.data["run_ids"] == runs and f.data["trx"] == "TRX-41-1"
    assert f"CQT runs {runs[0]}, {runs[1]} on RIVER-41" in f.summary and "2 of 6 calls on TRX-41-1" in f.summary
    assert "checked_normal" not in found


def test_a_block_run_that_names_nobody_is_reported_not_asked_for(tmp_path):
    # An attribute run names TRX-69-1, the block-mode run of the same cell names nobody: the
    # finding says what the block run showed instead of "Confirm by blocking".
    with Store.open(tmp_path / "ws.db") as store:
        attribute = stored_run(store, "one-way-trx", {"attribute"}, 6, listener="one-way-ul", bad_trx="TRX-69-1")
        block = stored_run(store, "one-way-trx", {"block"}, 6, t0=T0 + 1000)
        found = by_rule(diagnose.diagnose_case(store, case_with_runs(store, "one-way audio", [attribute, block])))
        alone = by_rule(diagnose.diagnose_case(store, case_with_runs(store, "one-way audio", [attribute])))
    (f,) = found["suspect_trx"]
    assert "Confirm by blocking" not in f.next_step
    assert f"The block-mode CQT run {block} on MALL-69 does not confirm TRX-69-1: no TRX stands out" in f.next_step
    assert "Repeat the block-mode run with more calls on TRX-69-1" in f.next_step
    assert "Confirm by blocking" in alone["suspect_trx"][0].next_step


def test_field_data_failures_do_not_ask_to_import_statistics_already_imported(tmp_path, capsys):
    from fieldapp.cases.findings import DiagnosisInput, SessionData
    from fieldapp.cellplan import CellPlan
    from fieldapp.cli import main
    from fieldapp.model import EV_INFO, Event
    from fieldapp.netstats.data import load as load_stats

    ws = tmp_path / "ws.db"
    with Store.open(ws) as store:
        case_id = workflow.create(store, {"subscriber_number": "0660 1234567",
                                          "category": "packet data (GPRS) not working"})
    # Three attach attempts as `fieldapp record --data-test 3` records them (trial P7).
    events = [Event(T0 + 10 * i, EV_INFO, "data test", {"data_test": {"seq": i + 1, "result": "attach_failed",
                                                                      "error": "+CME ERROR: 148"}})
              for i in range(3)]

    def findings():
        with Store.open(ws) as store:
            inp = DiagnosisInput(workflow.load(store, case_id), [SessionData(1, None, [], events)], CellPlan([]),
                                 stats=load_stats(store, case_id=case_id))
        return by_rule(diagnose.diagnose(inp))

    assert "import them into the case" in findings()["packet_data_failed"][0].next_step
    assert main(["simulate", "--scenario", "gprs-packet-fault", "--stats-out", str(tmp_path / "st.csv"), "--hours",
                 "24", "--vendor", "ericsson", "--start", "2026-11-01"]) == 0
    for f in sorted(tmp_path.glob("st*.csv")):
        assert main(["stats", "import", str(f), "--case", str(case_id), "--workspace", str(ws)]) == 0
    capsys.readouterr()
    found = findings()
    step = found["packet_data_failed"][0].next_step
    assert "import them" not in step and "fieldapp stats import" not in step
    assert "The imported statistics show: Packet channel fault on" in step
    assert "Check the packet statistics" not in step, step  # they are imported: said what they show
    assert step.endswith("If many cells of one BSC fail, check its packet processors."), step


def test_village_interference_steps_say_what_the_imported_bands_show_instead_of_asking_for_them(tmp_path, capsys):
    """Reference case 6: the drive's interference and drop findings (and a scan's) ask for the
    idle-channel interference bands; once the cells' counters are imported they say what those
    showed and keep the rest of the step (frequency plan, the source, a frequency change)."""
    from fieldapp.cli import main
    from tests.fieldapp.case_recordings import recorded

    ws, sid = recorded("village", tmp_path)
    with Store.open(ws) as store:
        case_id = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "dropped call"})
        evidence.attach_session(store, case_id, sid)
        before = by_rule(diagnose.diagnose_case(store, case_id))
    asks = ("interference statistics", "interference bands and bad-quality drop counters")
    assert any(a in before["interference"][0].next_step for a in asks)  # nothing imported yet: asked
    assert main(["simulate", "--scenario", "low-arfcn-interference", "--stats-out", str(tmp_path / "st.csv"),
                 "--hours", "24", "--vendor", "huawei", "--start", "2026-11-01"]) == 0
    for f in sorted(tmp_path.glob("st*.csv")):
        assert main(["stats", "import", str(f), "--case", str(case_id), "--workspace", str(ws)]) == 0
    capsys.readouterr()
    with Store.open(ws) as store:
        after = by_rule(diagnose.diagnose_case(store, case_id))
    assert any(f.data.get("source") == "statistics" for f in after["interference"])
    field = [f for rule in ("interference", "drops") for f in after.get(rule, [])
             if f.data.get("source") != "statistics"]
    assert len(field) >= 2
    for f in field:
        assert not any(a in f.next_step for a in asks), (f.rule, f.next_step)
        assert f.next_step.startswith("The imported statistics show: Interference in the statistics"), f.next_step
        assert "frequency plan" in f.next_step


def test_a_suspect_trx_title_names_the_trx_once():
    from fieldapp.cases.diagnose import trx_title

    assert trx_title("TRX-69-1") == "Suspect TRX-69-1"  # was "Suspect TRX TRX-69-1"
    assert trx_title("3") == "Suspect TRX 3"
