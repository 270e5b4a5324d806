"""Bad input and faults during a CQT run: each gives a clear message, keeps the calls so far
in the workspace, and the run resumes (in the same runner, or loaded in a new one)."""

from __future__ import annotations

import json

from drivers.handset import HandsetSource
from drivers.sim import start_simulator
from fieldapp.cli import main
from fieldapp.cqt.calls import ERROR, SETUP_FAILED
from fieldapp.cqt.runner import DONE, FAULT, CqtRunner
from fieldapp.store import Store
from tests.fieldapp.cqt_support import SPEED, cqt_rig
from tests.fieldapp.cqt_support import wait_until as _wait


def test_no_service_at_dial_is_a_setup_failure_and_the_run_goes_on(tmp_path):
    with cqt_rig(tmp_path, "one-way-trx", "quectel", modes=frozenset({"block"}), calls_per_trx=1,
                 auto_audio=True, runner_kwargs={"apply_sim_block": True}) as (sim, source, runner, events):
        sim.engine.set_lock(50)  # the network vanishes: ATD answers NO CARRIER at once
        verdict = runner.run()
    assert runner.status().state == DONE, runner.status().message
    calls = runner.calls()
    assert [c.result for c in calls] == [SETUP_FAILED, SETUP_FAILED]
    assert all(c.cause_text == "NO CARRIER" and c.counted for c in calls)
    assert [c.planned_trx for c in calls] == ["TRX-69-0", "TRX-69-1"]
    assert verdict.status == "not_enough_calls"
    with Store.open(tmp_path / "ws.db") as store:
        assert [c["result"] for c in store.cqt_calls(runner.run_id)] == [c.result for c in calls]
        assert store.cqt_run(runner.run_id)["state"] == "done"


def test_a_refused_dial_stops_with_a_message_and_the_run_resumes(tmp_path):
    from tests.fieldapp.test_cqt_network_outcomes import _modem, _run

    with _modem(["+CME ERROR: 27"]) as modem:  # 27.007: invalid characters in dial string
        runner = _run(modem, calls=1)
        status = runner.status()
        assert status.state == FAULT
        assert status.message.startswith("the modem refused the call to 112233") and "resume" in status.message
        source = HandsetSource(modem.port, rate_s=0.1)
        source.open()
        source.start(runner.observe)
        try:
            runner.resume(source)
            assert runner.join(20)
        finally:
            source.stop()
    assert runner.status().state == DONE, runner.status().message
    calls = runner.calls()
    assert calls[0].result == ERROR and "invalid characters in dial string" in calls[0].cause_text
    assert [c.planned_trx for c in calls if c.counted] == ["TRX-A", "TRX-B"]


def test_a_call_that_never_connects_is_a_setup_failure_with_the_timeout(tmp_path):
    # At 1x the simulated setup takes 3-8 s: a 1 s setup timeout hangs up first.
    with cqt_rig(tmp_path, "one-way-trx", "quectel", speed=1.0, modes=frozenset({"attribute"}), total_calls=1,
                 calls_per_trx=None, setup_timeout_s=1.0) as (sim, source, runner, events):
        runner.run()
    (call,) = runner.calls()
    assert call.result == SETUP_FAILED and call.cause_text.startswith("not connected within 1 s")
    assert runner.status().state == DONE


def test_unplugged_mid_call_keeps_the_calls_and_a_new_runner_resumes(tmp_path):
    workspace = tmp_path / "ws.db"
    with cqt_rig(tmp_path, "one-way-trx", "quectel", modes=frozenset({"block"}), calls_per_trx=1, hold_s=1.0,
                 auto_audio=True, runner_kwargs={"apply_sim_block": True}) as (sim, source, runner, events):
        runner.start()
        assert _wait(lambda: runner.status().phase == "connected")
        sim.stop()  # the cable is pulled: the pty closes under the driver
        assert runner.join(15)
        status = runner.status()
        assert status.state == FAULT and "disconnected during call #1" in status.message
        run_id = runner.run_id
    with Store.open(workspace) as store:
        stored = store.cqt_calls(run_id)
        assert [c["result"] for c in stored] == [ERROR] and store.cqt_run(run_id)["state"] == "fault"
    # the device is back (a new simulator on a new port): the stored run goes on
    with start_simulator("one-way-trx", family="quectel", speed=SPEED, seed=5, gps=False) as sim2:
        source2 = HandsetSource(sim2.port, rate_s=0.1)
        try:
            source2.open()
            resumed = CqtRunner.load(workspace, run_id, source2, sim=sim2, apply_sim_block=True)
            source2.start(resumed.observe)
            resumed.run()
        finally:
            source2.stop()
    assert resumed.status().state == DONE, resumed.status().message
    results = [(c.planned_trx, c.result) for c in resumed.calls()]
    assert results[0] == ("TRX-69-0", ERROR)
    assert [t for t, r in results[1:]] == ["TRX-69-0", "TRX-69-1"]  # the interrupted call made again


def test_cli_cqt_json_finds_the_cell_from_the_scenario_and_attaches_to_the_case(tmp_path, capsys):
    workspace = tmp_path / "ws.db"
    with Store.open(workspace) as store:
        case = store.create_case("one-way audio at the mall")
    with start_simulator("one-way-trx", family="quectel", speed=SPEED, seed=5, gps=False) as sim:
        code = main(["cqt", sim.port, "--number", "555 1234", "--mode", "block", "--calls-per-trx", "1",
                     "--hold", "0.2", "--gap", "0", "--rate", "0.1", "--auto-audio", "--yes", "--sim-block",
                     "--case", str(case), "--json", "--workspace", str(workspace)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # 1 call per TRX: said before the start, as the panel asks (issue 13.8, trial P5).
    assert "warning: 1 call(s) per TRX: the verdict judges a TRX from 5 counted calls on" in captured.err
    out = json.loads(captured.out)
    assert out["cell"] == "MALL-69" and out["state"] == "done"
    assert set(out["trx"]) == {"TRX-69-0", "TRX-69-1"} and out["trx"]["TRX-69-1"]["calls"] == 1
    assert out["suspect"] is None and out["verdict"]["status"] == "not_enough_calls"
    assert [c["trx_id"] for c in out["calls"] if c["result"] == "released"] == ["TRX-69-0", "TRX-69-1"]
    with Store.open(workspace) as store:
        assert [(a.kind, a.ref) for a in store.attachments(case) if a.kind == "cqt"] == [("cqt", str(out["run_id"]))]
        kinds = [e.kind for e in store.events(out["session_id"])]
    assert "block" in kinds and "call_connected" in kinds


def test_cli_cqt_refuses_bad_input_with_one_line(tmp_path, capsys):
    workspace = str(tmp_path / "ws.db")
    with start_simulator("one-way-trx", family="simcom", speed=SPEED, seed=5, gps=False) as sim:
        assert main(["cqt", sim.port, "--number", "555", "--mode", "lock+attribute", "--workspace", workspace]) == 2
        assert "no documented GSM ARFCN lock" in capsys.readouterr().err
        assert main(["cqt", sim.port, "--number", "555", "--cell", "NOWHERE", "--workspace", workspace]) == 2
        assert "--cell NOWHERE: not in the workspace's cell plan" in capsys.readouterr().err
        assert main(["cqt", sim.port, "--number", "5x5", "--trx", "A=3;B=7", "--workspace", workspace]) == 2
        assert "a modem dials" in capsys.readouterr().err
        assert main(["cqt", sim.port, "--number", "555", "--mode", "shout", "--workspace", workspace]) == 2
        assert "--mode: shout" in capsys.readouterr().err
    assert main(["cqt", "/dev/nonexistent-port", "--number", "555", "--workspace", workspace]) == 2


def test_cli_cqt_lock_mode_on_telit_names_the_faulty_trx(tmp_path, capsys):
    workspace = tmp_path / "ws.db"
    with start_simulator("one-way-trx", family="telit", speed=SPEED, seed=5, gps=False) as sim:
        code = main(["cqt", sim.port, "--number", "5551234", "--mode", "lock", "--calls-per-trx", "5",
                     "--hold", "0.2", "--gap", "0", "--rate", "0.1", "--auto-audio", "--json",
                     "--workspace", str(workspace)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    out = json.loads(captured.out)
    assert out["suspect"] == "TRX-69-1", out["verdict"]
    assert {c["trx_how"] for c in out["calls"] if c["trx_id"]} == {"lock"}


def test_cli_resume_after_an_unplug_mid_run_keeps_the_calls_and_continues(tmp_path, capsys):
    """`fieldapp cqt PORT --resume RUN` (it failed with a TypeError on every run): the calls
    before the unplug are kept and the run goes on from the call that did not complete."""
    workspace = tmp_path / "ws.db"
    with cqt_rig(tmp_path, "one-way-trx", "quectel", modes=frozenset({"attribute"}), total_calls=3,
                 calls_per_trx=None, hold_s=1.0, auto_audio=True) as (sim, source, runner, events):
        runner.start()
        assert _wait(lambda: runner.status().phase == "connected")
        sim.stop()  # unplugged in the middle of call #1
        assert runner.join(15) and runner.status().state == FAULT
        run_id = runner.run_id
    with start_simulator("one-way-trx", family="quectel", speed=SPEED, seed=5, gps=False) as sim2:
        code = main(["cqt", sim2.port, "--resume", str(run_id), "--rate", "0.1", "--auto-audio", "--json",
                     "--workspace", str(workspace)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    out = json.loads(captured.out)
    assert out["run_id"] == run_id and out["state"] == "done"
    results = [c["result"] for c in out["calls"]]
    assert results[0] == ERROR and len(results) == 4  # the interrupted call, then the 3 planned ones
    assert all(r in ("released", "dropped", "setup_failed") for r in results[1:])
    with Store.open(workspace) as store:
        assert store.cqt_run(run_id)["state"] == "done"
        assert len(store.cqt_calls(run_id)) == 4


def test_cli_resume_of_a_finished_run_is_one_line(tmp_path, capsys):
    workspace = tmp_path / "ws.db"
    with start_simulator("one-way-trx", family="quectel", speed=SPEED, seed=5, gps=False) as sim:
        assert main(["cqt", sim.port, "--number", "5551234", "--calls", "1", "--hold", "0.2", "--gap", "0",
                     "--rate", "0.1", "--auto-audio", "--json", "--workspace", str(workspace)]) == 0
        run_id = json.loads(capsys.readouterr().out)["run_id"]
        code = main(["cqt", sim.port, "--resume", str(run_id), "--workspace", str(workspace)])
    err = capsys.readouterr().err
    assert code == 2 and f"--resume {run_id}" in err and "nothing left to resume" in err
    assert "Traceback" not in err


def _sessions(workspace) -> list:
    if not workspace.exists():
        return []
    with Store.open(workspace) as store:
        return store.sessions()


def test_a_modem_without_serving_cell_is_refused_at_once_and_leaves_no_session(tmp_path, capsys):
    """Issue 12 point 11: a plain 27.007 handset (+CSQ/+CREG only) never shows a serving cell:
    the probe knows it, so the refusal comes at once and names what to give."""
    import time as _time

    from tests.drivers.test_handset_source import quectel_table
    from tests.support.peer import AtPeer

    workspace = tmp_path / "ws.db"
    with AtPeer(quectel_table()) as modem:
        t0 = _time.monotonic()
        code = main(["cqt", modem.port, "--family", "generic", "--number", "112233", "--rate", "0.1",
                     "--workspace", str(workspace)])
        took = _time.monotonic() - t0
    err = capsys.readouterr().err
    assert code == 2 and "shows no serving cell" in err and "--trx" in err and "--mode block" in err
    assert took < 10  # not the 15 s wait for a serving cell that cannot come
    assert _sessions(workspace) == []


def test_a_lock_the_device_lacks_is_refused_and_leaves_no_session(tmp_path, capsys):
    workspace = tmp_path / "ws.db"
    with start_simulator("one-way-trx", family="simcom", speed=SPEED, seed=5, gps=False) as sim:
        code = main(["cqt", sim.port, "--number", "5551234", "--mode", "lock", "--rate", "0.1",
                     "--workspace", str(workspace)])
    err = capsys.readouterr().err
    assert code == 2 and "no documented GSM ARFCN lock" in err
    assert _sessions(workspace) == []


def test_a_30_s_setup_timeout_runs_in_simulated_time(tmp_path):
    """The runner's deadlines, holds and gaps go by its clock: with a simulated one a call that
    does not connect within 30 s is a setup failure after a fraction of a second of real time
    (the simulator at 1x takes 3-8 s to connect a call)."""
    import time

    from tests.support.fake_clock import FakeClock

    clock = FakeClock()
    with cqt_rig(tmp_path, "one-way-trx", "quectel", speed=1.0, modes=frozenset({"attribute"}), total_calls=1,
                 calls_per_trx=None, setup_timeout_s=30.0, gap_s=10.0,
                 runner_kwargs={"clock": clock}) as (sim, source, runner, events):
        started = time.monotonic()
        runner.run()
        real_s = time.monotonic() - started
    (call,) = runner.calls()
    assert call.result == SETUP_FAILED and call.cause_text.startswith("not connected within 30 s")
    assert clock.waited_s >= 30.0 and real_s < 10.0, (clock.waited_s, real_s)


def test_ctrl_c_aborts_the_run_and_says_so(tmp_path):
    """Trial 2026-12-06: Ctrl-C during `fieldapp cqt` printed "CQT run 1 (running)" (--json
    "state": "running") while the store said aborted: the main thread's Thread.join(), once
    interrupted, returned at once and the session was stopped under the runner's feet."""
    import os
    import signal
    import subprocess
    import sys

    workspace = tmp_path / "ws.db"
    with start_simulator("one-way-trx", family="quectel", speed=SPEED, seed=5, gps=False) as sim:
        proc = subprocess.Popen([sys.executable, "-m", "fieldapp", "cqt", sim.port, "--number", "5551234",
                                 "--mode", "attribute", "--calls-per-trx", "5", "--hold", "1", "--gap", "0",
                                 "--rate", "0.1", "--auto-audio", "--workspace", str(workspace)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            for line in proc.stderr:  # the first call has ended: the run is under way
                if line.startswith("  #1 "):
                    break
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert "aborting the CQT run" in err
    assert proc.returncode == 130 and "--resume" in err  # interrupted, as the README says; resumable
    last = out.strip().splitlines()[-1]
    assert "(aborted)" in last, out[-400:]
    run_id = int(last.split()[2])
    with Store.open(workspace) as store:
        assert store.cqt_run(run_id)["state"] == "aborted"
        session = store.session(store.cqt_run(run_id)["session_id"])
    assert session.end_utc is not None  # the recording was ended after the runner, not under it


def test_the_cli_warns_only_for_plans_below_what_the_verdict_needs():
    from drivers.sim import load_scenario
    from fieldapp.cli.cqt import _short_plan_warning
    from fieldapp.cqt.plan import CqtPlan

    cell = load_scenario("sdcch-trx").cell_plan()[0]
    assert "3 call(s) per TRX" in _short_plan_warning(CqtPlan(number="5", cell=cell, calls_per_trx=3))
    assert _short_plan_warning(CqtPlan(number="5", cell=cell, calls_per_trx=5)) is None
    n = len(cell.trxs)
    assert _short_plan_warning(CqtPlan(number="5", cell=cell, calls_per_trx=None, total_calls=4 * n)) is not None
    assert _short_plan_warning(CqtPlan(number="5", cell=cell, calls_per_trx=None, total_calls=5 * n)) is None
