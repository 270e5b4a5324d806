"""Short recordings of the simulator's reference scenarios into a real workspace, through the
real driver over a pseudo-terminal and the real Recorder: the evidence the case tests diagnose.

The simulator runs its clock ``speed`` times faster than the wall (setup ~3-8 simulated
seconds becomes well under a second), so a session with a few calls takes a few seconds.
"""

from __future__ import annotations

import time
from pathlib import Path

from drivers.handset import HandsetSource
from drivers.sim import load_scenario, start_simulator
from fieldapp.model import EV_CALL_CONNECTED, EV_CALL_DROPPED, EV_CALL_FAILED, EV_CALL_RELEASED, Event
from fieldapp.session import Recorder
from fieldapp.store import Store

_ENDS = (EV_CALL_RELEASED, EV_CALL_FAILED, EV_CALL_DROPPED)


class _Tee:
    """The recorder's sink, keeping the call events so the script can wait on them."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.kinds: list[str] = []

    def __call__(self, record) -> None:
        if isinstance(record, Event):
            self.kinds.append(record.kind)
        self.recorder.sink(record)

    def wait(self, kinds: tuple[str, ...], after: int, timeout_s: float) -> str | None:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            hits = [k for k in self.kinds[after:] if k in kinds]
            if hits:
                return hits[0]
            time.sleep(0.02)
        return None


def record_scenario(workspace: Path, scenario: str, *, idle_s: float = 1.5, calls: int = 0,
                    hold_s: float = 1.0, speed: float = 15.0, seed: int = 3, family: str = "quectel",
                    case_id: int | None = None, put_plan: bool = True) -> int:
    """Record ``idle_s`` seconds of idle samples, then ``calls`` test calls held ``hold_s``
    wall seconds each; returns the session id. The scenario's cell plan goes into the workspace."""
    if put_plan:
        with Store.open(workspace) as store:
            store.put_cell_plan(load_scenario(scenario).cell_plan(), f"scenario:{scenario}")
    with start_simulator(scenario, family=family, speed=speed, seed=seed, gps=False) as sim:
        src = HandsetSource(sim.port, rate_s=0.1)
        caps = src.open()
        recorder = Recorder(workspace, f"simulator:{scenario}", case_id=case_id,
                            device={"family": caps.family, "model": caps.model, "imei": caps.imei})
        tee = _Tee(recorder)
        try:
            src.start(tee)
            time.sleep(idle_s)
            for _ in range(calls):
                mark = len(tee.kinds)
                src.dial("5551234")
                got = tee.wait((EV_CALL_CONNECTED, *_ENDS), mark, 10.0)
                if got == EV_CALL_CONNECTED:
                    if tee.wait(_ENDS, mark, hold_s) is None:
                        src.hangup()
                    tee.wait(_ENDS, mark, 5.0)
                time.sleep(0.2)
        finally:
            src.stop()
            recorder.close()
    return recorder.session_id
