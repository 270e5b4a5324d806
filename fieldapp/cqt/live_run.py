"""A CQT runner on the window's live connection (Qt-free): the handset the live controller has
open, recording into the controller's session (starting one when none runs), the runner's own
events (block, notes) both into the recording and to the views.

    panel.runner_factory = lambda plan, **kw: live_runner(controller, plan, view_sink=bridge.put, **kw)

The window hands the runner every record it drains (``runner.observe_many(batch)``), so the
runner sees the samples of the calls without a second path from the device thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fieldapp.cqt.plan import CqtPlan, PlanError
from fieldapp.cqt.runner import CqtRunner

RECORDING_WAIT_S = 5.0


def live_runner(controller: Any, plan: CqtPlan, *, case_id: int | None = None,
                confirm_block: Callable[[str], bool] | None = None, apply_sim_block: bool = False,
                view_sink: Callable[[Any], None] | None = None,
                on_change: Callable[[], None] | None = None) -> CqtRunner:
    """A checked runner, not started. Raises PlanError with the reason it cannot run; a refused
    run starts no recording (the workspace keeps no empty session of it)."""
    source = controller.source
    if source is None:
        raise PlanError("connect a handset first (Source panel)")
    if apply_sim_block and controller.simulator is None:
        raise PlanError("blocks can be applied in the simulator only (the demo handset)")
    recording: list[Any] = []

    def emit(record: Any) -> None:
        if recording:
            recording[0].sink(record)
        if view_sink is not None:
            view_sink(record)

    runner = CqtRunner(source, plan, workspace=controller.workspace, session_id=None,
                       case_id=case_id, emit=emit, confirm_block=confirm_block,
                       sim=controller.simulator if apply_sim_block else None, apply_sim_block=apply_sim_block,
                       on_change=on_change)
    runner.source_provider = lambda: controller.source  # resume after a reconnection
    runner.check()  # refusals first: nothing is recorded for a run that cannot start
    if controller.recorder is None:
        controller.start_recording(case_id)
        controller.wait_idle(RECORDING_WAIT_S)
    recorder = controller.recorder
    if recorder is None:
        raise PlanError(f"cannot record into {controller.workspace}: {controller.status().message or 'unknown error'}")
    recording.append(recorder)
    runner.session_id = recorder.session_id
    return runner
