"""Issue 13 §8 under pytest-qt on real runs (simulator on a pty, real driver, real runner): a
verdict key pressed while the next call is dialling marks the call the listener just heard, with
"call #n marked" and an undo; a plan too short for a verdict is confirmed first; a call that
leaves the cell under test pauses the run with a warning; the Cell field stays after a run."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from fieldapp.cqt.calls import ONE_WAY_UL
from fieldapp.model import Cell, Sample
from tests.fieldapp.cqt_support import cqt_rig
from tests.ui.test_cqt_panel import _panel

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_a_key_while_the_next_call_dials_marks_the_call_just_heard_and_undo_takes_it_back(qtbot, tmp_path):
    panel = _panel(qtbot)
    # A slower simulator clock: the next call's setup (3-8 simulated s) lasts long enough to press a key in it.
    with cqt_rig(tmp_path, "one-way-trx", "quectel", modes=frozenset({"attribute"}), calls_per_trx=2, speed=4.0,
                 hold_s=0.3, gap_s=0.0) as (sim, _source, runner, _events):
        panel.set_cell_plan(sim.scenario.cell_plan())
        panel.attach(runner)
        runner.start()
        qtbot.waitUntil(lambda: runner.status().call_seq == 2 and runner.status().phase in ("dialling", "alerting"),
                        timeout=20000)
        qtbot.keyClick(panel.calls_table, Qt.Key.Key_2)  # one-way: far end cannot hear us
        first = runner.calls()[0]
        assert first.seq == 1 and first.listener == ONE_WAY_UL and first.result is not None
        assert runner.calls()[1].listener is None  # not the call being dialled
        assert panel.marked_label.text() == "call #1 marked: one-way (far end cannot hear us)"
        assert panel.undo_button.isVisible()
        panel.undo_button.click()
        assert runner.calls()[0].listener is None and "call #1: mark undone" in panel.marked_label.text()
        assert not panel.undo_button.isVisible()
        runner.abort()
        runner.join(10)
    # Without the condition: a key while a call is connected marks that call.
    with cqt_rig(tmp_path / "b", "one-way-trx", "quectel", modes=frozenset({"attribute"}), calls_per_trx=1,
                 speed=4.0, hold_s=2.0) as (sim, _source, runner, _events):
        panel.attach(runner)
        runner.start()
        qtbot.waitUntil(lambda: runner.status().phase == "connected", timeout=20000)
        seq = runner.status().call_seq
        qtbot.keyClick(panel.calls_table, Qt.Key.Key_1)
        assert next(c for c in runner.calls() if c.seq == seq).listener == "normal"
        assert panel.marked_label.text() == f"call #{seq} marked: normal"
        runner.abort()
        runner.join(10)


def test_a_plan_too_short_for_a_verdict_is_confirmed_before_it_starts(qtbot):
    from tests.fieldapp.test_cqt_plan import MALL

    panel = _panel(qtbot)
    panel.set_cell_plan([MALL])
    panel.number_edit.setText("5551234")
    started, asked = [], []
    panel.runner_factory = lambda plan, **kw: started.append(plan) or (_ for _ in ()).throw(RuntimeError("stop"))
    panel.confirm_short_plan = lambda text: asked.append(text) or False
    panel.calls_spin.setValue(3)
    panel.start()
    assert asked and "judges a TRX from 5 calls" in asked[0] and not started
    assert "not started" in panel.message_label.text()
    panel.confirm_short_plan = lambda text: True  # the engineer wants a quick look anyway
    panel.start()
    assert len(started) == 1
    asked.clear()
    panel.confirm_short_plan = lambda text: asked.append(text) or False
    panel.calls_spin.setValue(10)  # enough calls: no question
    panel.start()
    assert not asked and len(started) == 2


def test_calls_outside_the_cell_under_test_pause_the_run_with_a_warning(qtbot, tmp_path):
    panel = _panel(qtbot)
    # The plan names CITY-1 while the handset camps on MALL-69 inside the mall: every call lands elsewhere.
    with cqt_rig(tmp_path, "one-way-trx", "quectel", modes=frozenset({"attribute"}), cell_index=1,
                 calls_per_trx=5) as (sim, _source, runner, _events):
        panel.set_cell_plan(sim.scenario.cell_plan())
        panel.attach(runner)
        runner.start()
        qtbot.waitUntil(lambda: runner.status().state == "paused", timeout=20000)
        panel.refresh()
        calls = runner.calls()
        assert calls and all(c.trx_id is None for c in calls if c.result is not None)
        assert len(calls) <= 2 < runner.status().total  # paused at once, not ten uncounted calls
        text = panel.message_label.text()
        assert "landed outside CITY-1" in text and "Resume" in text
        assert panel.pause_button.text() == "Resume"
        runner.abort()
        runner.join(10)
    # The Cell field stays on the run's cell after it, whatever the handset serves now.
    assert panel.cell_combo.currentData() == "CITY-1"
    panel.observe([Sample(ts_utc=1.0, serving=Cell(lac=1003, ci=69, arfcn=3))])
    assert panel.cell_combo.currentData() == "CITY-1"
