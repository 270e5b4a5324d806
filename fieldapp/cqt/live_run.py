"""A CQT runner on the window's live connection (Qt-free): the handset the live session has
open, recording into the session's recording (starting one when none runs), the runner's own
events (block, notes) both into the recording and to the views.

    panel.runner_factory = lambda plan, **kw: live_runner(session, plan, **kw)

The runner observes the session (``LiveSession.add_observer``): it sees each sample on the
dispatch thread as the handset delivers it, not after a round trip through the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fieldapp.clock import SYSTEM_CLOCK
from fieldapp.cqt.plan import CqtPlan, PlanError
from fieldapp.cqt.runner import CqtRunner

RECORDING_WAIT_S = 5.0


def live_runner(session: Any, plan: CqtPlan, *, case_id: int | None = None,
                confirm_block: Callable[[str], bool] | None = None, apply_sim_block: bool = False,
                on_change: Callable[[], None] | None = None) -> CqtRunner:
    """A checked runner, not started, observing ``session`` (the previous runner stops
    observing). Raises PlanError with the reason it cannot run; a refused run starts no
    recording (the workspace keeps no empty session of it)."""
    source = session.source
    if source is None:
        raise PlanError("connect a handset first (Source panel)")
    sim = session.sim_blocks() if apply_sim_block else None
    if apply_sim_block and sim is None:
        raise PlanError("blocks can be applied in the simulator only (the demo handset)")
    runner = CqtRunner(source, plan, workspace=session.workspace, session_id=None,
                       case_id=case_id, emit=session.record, confirm_block=confirm_block,
                       sim=sim, apply_sim_block=apply_sim_block, on_change=on_change,
                       clock=getattr(session, "clock", None) or SYSTEM_CLOCK)
    runner.source_provider = lambda: session.source  # resume after a reconnection
    runner.check()  # refusals first: nothing is recorded for a run that cannot start
    if session.recorder is None:
        session.start_recording(case_id)
        session.wait_idle(RECORDING_WAIT_S)
    recorder = session.recorder
    if recorder is None:
        raise PlanError(f"cannot record into {session.workspace}: {session.status().message or 'unknown error'}")
    runner.session_id = recorder.session_id
    previous = getattr(session, "cqt_runner", None)
    if previous is not None:
        session.remove_observer(previous.observe)
    session.cqt_runner = runner
    session.add_observer(runner.observe)
    return runner
