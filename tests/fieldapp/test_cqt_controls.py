"""Pause, skip and abort from another thread (the panel's buttons), marks after the fact, and
what a finished run allows."""

from __future__ import annotations

import time

import pytest

from fieldapp.cli import main
from fieldapp.cqt.calls import SUCCESS
from fieldapp.cqt.runner import ABORTED, CqtRunner
from fieldapp.store import Store
from tests.fieldapp.cqt_support import cqt_rig
from tests.fieldapp.cqt_support import wait_until as _wait


def test_skip_pause_resume_abort_and_late_marks(tmp_path):
    with cqt_rig(tmp_path, "one-way-trx", "quectel", modes=frozenset({"block"}), calls_per_trx=5, hold_s=10.0,
                 runner_kwargs={"apply_sim_block": True}) as (sim, source, runner, events):
        runner.start()
        assert _wait(lambda: runner.status().phase == "connected")
        first = runner.status().call_seq
        runner.pause()  # takes effect after this call
        runner.skip()  # ... which ends now instead of after 10 s
        assert _wait(lambda: runner.status().state == "paused")
        done = [c for c in runner.calls() if c.over]
        assert done[-1].seq == first and done[-1].result == SUCCESS and done[-1].extra.get("held_short")
        time.sleep(0.3)
        assert len(runner.calls()) == len(done)  # no call while paused
        runner.resume()
        assert _wait(lambda: runner.status().phase == "connected" and runner.status().call_seq != first)
        runner.abort()
        assert runner.join(15)
    assert runner.status().state == ABORTED
    calls = runner.calls()
    assert all(c.over for c in calls) and len([c for c in calls if c.counted]) == 2
    assert not sim.engine.blocked  # the simulator's blocks are lifted on abort too
    marked = runner.mark("echo", "heard myself", seq=first)
    assert marked.listener == "echo" and marked.note == "heard myself"
    with pytest.raises(ValueError, match="listener verdict must be one of"):
        runner.mark("loud")
    with pytest.raises(ValueError, match="no call #99"):
        runner.mark("normal", seq=99)
    with Store.open(tmp_path / "ws.db") as store:
        row = {c["seq"]: c for c in store.cqt_calls(runner.run_id)}[first]
        assert row["listener"] == "echo" and store.cqt_run(runner.run_id)["state"] == "aborted"
    # An aborted run continues where it stopped, like a faulted one: its calls are kept.
    again = CqtRunner.load(tmp_path / "ws.db", runner.run_id, source)
    assert [c.seq for c in again.calls()] == [c.seq for c in calls]
    assert again.status().done == len([c for c in calls if c.extra.get("slot_done")])


def test_cli_resume_of_an_unknown_run_is_refused(tmp_path, capsys):
    assert main(["cqt", "/dev/null", "--resume", "99", "--workspace", str(tmp_path / "ws.db")]) == 2
    assert "--resume 99: no such CQT run" in capsys.readouterr().err


def test_the_announced_number_of_calls_is_what_the_run_may_make():
    # Trial 2026-12-06: attribute mode with --calls-per-trx 6 announced "CQT: 12 calls" and made
    # 14 (the runner keeps calling until each TRX has its 6). Forced TRXs make exactly the plan.
    from fieldapp.cli.cqt import _calls_text
    from fieldapp.cqt.plan import CqtPlan, typed_cell
    from fieldapp.cqt.runner import EXTRA_CALLS_FACTOR

    cell = typed_cell("MALL-69", "TRX-69-0=3; TRX-69-1=7", bcch=3)
    attribute = CqtPlan("5550100", cell, frozenset({"attribute"}), calls_per_trx=6)
    assert _calls_text(attribute) == f"12 calls or more (until each TRX has 6, at most {EXTRA_CALLS_FACTOR * 12})"
    assert _calls_text(CqtPlan("5550100", cell, frozenset({"block"}), calls_per_trx=6)) == "12 calls"
    assert _calls_text(CqtPlan("5550100", cell, frozenset({"attribute"}), calls_per_trx=None, total_calls=9)) == "9 calls"
