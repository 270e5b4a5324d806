"""CQT runs end to end: the simulator on a real pty, the real driver, the runner, the store.
The scenarios are docs/domain.md case 3 (one-way-trx: TRX-69-1 loses uplink audio) and case 4
(sdcch-trx: TRX-41-1's SDCCH cannot be activated)."""

from __future__ import annotations

import pytest

from drivers.sim import start_simulator
from fieldapp.cqt.calls import ONE_WAY_UL, SETUP_FAILED, UNKNOWN
from fieldapp.cqt.plan import PlanError
from fieldapp.cqt.runner import DONE
from fieldapp.cqt.verdict import NONE, SUSPECT
from fieldapp.model import EV_BLOCK, EV_LOCK, EV_UNLOCK
from fieldapp.store import Store
from tests.fieldapp.cqt_support import cqt_rig, healthy_mall, hopping_mall


def test_one_way_trx_in_lock_plus_block_mode_on_telit_names_trx_69_1(tmp_path):
    asked = []

    def confirm(trx):
        asked.append(trx)
        return True

    with cqt_rig(tmp_path, "one-way-trx", "telit", modes=frozenset({"lock", "block"}), calls_per_trx=5,
                 hold_s=0.15, auto_audio=True, runner_kwargs={"confirm_block": confirm, "apply_sim_block": True}) as rig:
        sim, source, runner, events = rig
        verdict = runner.run()
    assert runner.status().state == DONE, runner.status().message
    assert asked == ["TRX-69-0", "TRX-69-1"]
    assert verdict.status == SUSPECT and verdict.suspect == "TRX-69-1"
    assert verdict.problem == ONE_WAY_UL
    assert "TRX-69-1: 5 of 5 marked calls one-way (far end cannot hear us); other TRXs 0 of 5" in verdict.support
    counted = [c for c in runner.calls() if c.counted]
    assert len(counted) == 10 and {c.trx_how for c in counted} == {"block"}
    kinds = events.kinds()
    # the lock on the cell's BCCH, a block per TRX, the simulator's blocks lifted, the unlock
    assert kinds.index(EV_LOCK) < kinds.index(EV_BLOCK) and kinds[-1] != EV_LOCK
    assert kinds.count(EV_BLOCK) == 3 and EV_UNLOCK in kinds
    assert not sim.engine.blocked and sim.engine.lock_arfcn is None
    with Store.open(tmp_path / "ws.db") as store:
        run = store.cqt_run(runner.run_id)
        stored = store.cqt_calls(runner.run_id)
        recorded = [e.kind for e in store.events(runner.session_id)]
    assert run["state"] == "done" and run["verdict"]["suspect"] == "TRX-69-1"
    assert len(stored) == len(runner.calls())
    assert EV_BLOCK in recorded and EV_LOCK in recorded  # the configuration is in the session log


def test_one_way_trx_in_attribute_mode_on_quectel_names_trx_69_1(tmp_path):
    with cqt_rig(tmp_path, "one-way-trx", "quectel", seed=11, modes=frozenset({"attribute"}), calls_per_trx=5,
                 auto_audio=True) as (sim, source, runner, events):
        verdict = runner.run()
    calls = [c for c in runner.calls() if c.counted]
    by_trx = {t: [c for c in calls if c.trx_id == t] for t in ("TRX-69-0", "TRX-69-1")}
    assert all(c.trx_how == "attribute" and c.attribution.startswith("TCH ARFCN") for c in calls)
    assert all(c.listener == ONE_WAY_UL for c in by_trx["TRX-69-1"])
    assert all(c.listener == "normal" for c in by_trx["TRX-69-0"])
    assert verdict.status == SUSPECT and verdict.suspect == "TRX-69-1", (verdict.text, verdict.support)


def test_sdcch_scenario_puts_the_setup_failures_on_trx1_in_block_mode(tmp_path):
    with cqt_rig(tmp_path, "sdcch-trx", "quectel", seed=3, modes=frozenset({"block"}), calls_per_trx=5,
                 hold_s=0.15, auto_audio=True, runner_kwargs={"apply_sim_block": True}) as rig:
        verdict = rig[2].run()
    calls = rig[2].calls()
    # IMMEDIATE ASSIGNMENT REJECT (the SDCCH on TRX-41-1 cannot be activated) happens only in
    # the configuration that leaves TRX-41-1 in service; a rare radio failure may happen anywhere.
    rejects = [c for c in calls if c.result == SETUP_FAILED and c.cause_text == "Immediate assignment reject"]
    assert rejects, [c.summary() for c in calls]
    assert {c.trx_id for c in rejects} == {"TRX-41-1"} and {c.trx_how for c in rejects} == {"block"}
    assert rig[2].matrix()["TRX-41-1"].setup_failed >= len(rejects)
    assert verdict.status in (SUSPECT, NONE)
    if verdict.status == SUSPECT:
        assert verdict.suspect == "TRX-41-1" and verdict.problem == SETUP_FAILED


def test_a_healthy_cell_has_no_suspect(tmp_path):
    with cqt_rig(tmp_path, healthy_mall(), "quectel", modes=frozenset({"block", "attribute"}), calls_per_trx=5,
                 hold_s=0.2, auto_audio=True, runner_kwargs={"apply_sim_block": True}) as (sim, source, runner, events):
        verdict = runner.run()
    calls = runner.calls()
    assert sum(c.counted for c in calls) == 10
    # block + attribute: the channel seen confirms the block in every call
    assert all("channel agrees" in c.attribution for c in calls if c.counted)
    assert verdict.status == NONE and verdict.suspect is None


def test_hopping_makes_the_trx_unknown(tmp_path):
    with cqt_rig(tmp_path, hopping_mall(), "quectel", modes=frozenset({"attribute"}), total_calls=3,
                 calls_per_trx=None) as (sim, source, runner, events):
        sim.set_blocked("TRX-69-0", True)  # every TCH on the hopping TRX
        runner.run()
    calls = runner.calls()
    assert calls and all(c.trx_id is None and c.trx_how == UNKNOWN for c in calls if c.result)
    assert any("hopping (MAIO 2, HSN 5)" in c.attribution for c in calls)
    assert runner.matrix()["unknown"].calls == sum(1 for c in calls if c.result in ("released", "dropped"))


def test_refusals_before_any_call(tmp_path):
    # lock alone cannot tie calls to a TRX (the lock selects the BCCH)
    with cqt_rig(tmp_path, "one-way-trx", "telit", modes=frozenset({"lock"})) as (sim, source, runner, events), \
            pytest.raises(PlanError, match="BCCH carrier, not a TRX"):
        runner.check()
    # a family without a lock command
    with cqt_rig(tmp_path, "one-way-trx", "simcom", modes=frozenset({"lock", "attribute"})) as rig:
        with pytest.raises(PlanError, match="no documented GSM ARFCN lock"):
            rig[2].check()
        rig[2].run()
        assert rig[2].status().state == "fault" and not rig[2].calls()
    # simulator verdicts with a real device (a handset that is not the simulator)
    with cqt_rig(tmp_path, "one-way-trx", "quectel", auto_audio=True) as (sim, source, runner, events):
        source.simulator = None
        with pytest.raises(PlanError, match="simulator only"):
            runner.check()


def test_one_way_trx_in_lock_mode_on_telit_names_trx_69_1(tmp_path):
    # Case 3 as the reference engineers ran it: locked to each TRX's ARFCN in turn.
    with cqt_rig(tmp_path, "one-way-trx", "telit", modes=frozenset({"lock"}), lock_kind="channel",
                 calls_per_trx=5, hold_s=0.15, auto_audio=True) as (sim, source, runner, events):
        verdict = runner.run()
    assert runner.status().state == DONE, runner.status().message
    counted = [c for c in runner.calls() if c.counted]
    assert {c.trx_how for c in counted} == {"lock"} and len(counted) == 10
    assert verdict.status == SUSPECT and verdict.suspect == "TRX-69-1", (verdict.text, verdict.support)
    assert events.kinds().count(EV_LOCK) >= 2 and EV_UNLOCK in events.kinds()


def test_a_channel_lock_that_finds_no_cell_is_a_clear_fault(tmp_path):
    # A lock to an ARFCN no cell carries here (as a module whose lock selects BCCHs only sees a
    # traffic ARFCN): no service, a clear fault, the calls before kept.
    from dataclasses import replace

    from fieldapp.model import PlanTrx

    with start_simulator("one-way-trx", family="telit", speed=1.0, seed=5, gps=False) as probe:
        cell = probe.scenario.cell_plan()[0]
    cell = replace(cell, trxs=(cell.trxs[0], PlanTrx("TRX-GHOST", (99,), ("TCH/F",) * 8)))
    with cqt_rig(tmp_path, "one-way-trx", "telit", modes=frozenset({"lock"}), lock_kind="channel",
                 calls_per_trx=1, lock_settle_s=1.0, auto_audio=True, cell=cell) as (sim, source, runner, events):
        runner.run()
        source.unlock()
    status = runner.status()
    assert status.state == "fault"
    assert "locked to ARFCN 99 (TRX-GHOST)" in status.message and "selects a BCCH carrier" in status.message
    assert [c.trx_id for c in runner.calls() if c.counted] == ["TRX-69-0"]  # the call before is kept


def test_attribute_mode_on_simcom_reads_the_channel_from_cschn(tmp_path):
    """SIMCom 2G has no lock; attribute mode works from AT+CSCHN, polled only during calls, on a
    SIM800 that prints no CENG dedicated tail (as the captured firmwares)."""
    with cqt_rig(tmp_path, healthy_mall(), "simcom", modes=frozenset({"attribute"}), total_calls=4,
                 calls_per_trx=None, hold_s=0.3, auto_audio=True) as (sim, source, runner, events):
        sim.handset.settings["ceng_tail"] = False
        runner.run()
    calls = [c for c in runner.calls() if c.result in ("released", "dropped")]
    assert calls, [c.summary() for c in runner.calls()]
    assert all(c.trx_how == "attribute" and c.trx_id for c in calls), [c.attribution for c in calls]
    assert all("TCH ARFCN" in c.attribution for c in calls)


def test_incoming_calls_on_the_simulator_are_answered_held_and_counted(tmp_path):
    """Issue 12 point 10: mobile-terminated test calls; the simulator places them (AT+FASIMRING)."""
    with cqt_rig(tmp_path, "one-way-trx", "quectel", modes=frozenset({"block"}), calls_per_trx=2,
                 hold_s=0.3, auto_audio=True, direction="mt",
                 runner_kwargs={"apply_sim_block": True}) as (sim, source, runner, events):
        runner.run()
    assert runner.status().state == DONE, runner.status().message
    calls = runner.calls()
    assert [c.direction for c in calls] == ["mt"] * 4
    assert all(c.result == "released" and c.connected for c in calls), [c.summary() for c in calls]
    assert [c.trx_id for c in calls] == ["TRX-69-0", "TRX-69-0", "TRX-69-1", "TRX-69-1"]
    assert runner.matrix()["TRX-69-1"].calls == 2


def test_an_incoming_call_that_never_rings_is_not_reachable(tmp_path):
    """No ring within the timeout (a handset whose network does not page it): "not reachable",
    counted on the TRX under test like any outcome, and the run goes on."""
    with cqt_rig(tmp_path, "one-way-trx", "quectel", modes=frozenset({"block"}), calls_per_trx=1,
                 setup_timeout_s=1.0, hold_s=0.2, direction="mt", auto_audio=True,
                 runner_kwargs={"apply_sim_block": True}) as (sim, source, runner, events):
        sim.engine.set_lock(50)  # no service: the simulator's incoming call cannot reach the handset
        runner.run()
    assert runner.status().state == DONE, runner.status().message
    calls = runner.calls()
    assert [c.result for c in calls] == ["not_reachable", "not_reachable"]
    assert all(c.counted and c.cause_text == "no ring within 1 s" for c in calls)
    rows = runner.matrix()
    assert rows["TRX-69-0"].not_reachable == 1 and rows["TRX-69-1"].problem("not_reachable") == (1, 1)


def test_cli_incoming_json_calls_carry_their_direction(tmp_path, capsys):
    import json

    from fieldapp.cli import main
    from tests.fieldapp.cqt_support import SPEED

    with start_simulator("one-way-trx", family="quectel", speed=SPEED, seed=5, gps=False) as sim:
        code = main(["cqt", sim.port, "--incoming", "--calls", "2", "--hold", "0.2", "--gap", "0",
                     "--rate", "0.1", "--auto-audio", "--json", "--workspace", str(tmp_path / "ws.db")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    out = json.loads(captured.out)
    assert out["plan"]["direction"] == "mt"
    assert [c["direction"] for c in out["calls"]] == ["mt", "mt"]
    assert all(c["result"] == "released" for c in out["calls"])
