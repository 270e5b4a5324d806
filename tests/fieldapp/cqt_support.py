"""Helpers for the CQT tests: a simulator + real driver over a pty, a runner on them, and
scenario variants (no fault, hopping TRX)."""

from __future__ import annotations

import copy
import json
import threading
import time
from contextlib import contextmanager

from drivers.handset import HandsetSource
from drivers.sim import start_simulator
from drivers.sim.scenario import load_scenario, parse_scenario
from fieldapp.cqt.plan import CqtPlan
from fieldapp.cqt.runner import CqtRunner
from fieldapp.model import Event
from fieldapp.session import Recorder

SPEED = 30.0  # simulated seconds per second: a 3-8 s setup takes 0.1-0.27 s
FAST = dict(hold_s=0.25, gap_s=0.0, setup_timeout_s=3.0, lock_settle_s=3.0)


def scenario_variant(name: str, edit) -> object:
    """A shipped scenario with ``edit(data)`` applied to its JSON."""
    with open(load_scenario(name).path, encoding="utf-8") as f:
        data = copy.deepcopy(json.load(f))
    edit(data)
    return parse_scenario(data, f"{name}-variant.json")


def healthy_mall():
    def edit(data):
        for trx in data["cells"][0]["trxs"]:
            trx.pop("faults", None)
    return scenario_variant("one-way-trx", edit)


def hopping_mall():
    def edit(data):
        data["cells"][0]["trxs"][1].update(arfcns=[7, 9, 11], hopping=True, maio=2, hsn=5)
    return scenario_variant("one-way-trx", edit)


class Events:
    """Every Event the recorder was given, in order (thread-safe)."""

    def __init__(self) -> None:
        self.items: list[Event] = []
        self._lock = threading.Lock()

    def __call__(self, record) -> None:
        if isinstance(record, Event):
            with self._lock:
                self.items.append(record)

    def kinds(self) -> list[str]:
        with self._lock:
            return [e.kind for e in self.items]


@contextmanager
def cqt_rig(tmp_path, scenario, family, *, seed=5, cell_index=0, rate_s=0.1, speed=SPEED, runner_kwargs=None,
            **plan_kwargs):
    """(sim, source, runner, events): a recording session in ``tmp_path/ws.db`` with the runner
    observing the source. Stops everything on exit."""
    sim = start_simulator(scenario, family=family, speed=speed, seed=seed, gps=False)
    source = HandsetSource(sim.port, rate_s=rate_s)
    recorder = None
    try:
        caps = source.open()
        workspace = tmp_path / "ws.db"
        recorder = Recorder(workspace, source.name, device=caps.to_json())
        events = Events()
        cell = plan_kwargs.pop("cell", None) or sim.scenario.cell_plan()[cell_index]
        plan = CqtPlan(number="5551234", cell=cell, **{**FAST, **plan_kwargs})

        def emit(record):
            recorder.sink(record)
            events(record)

        runner = CqtRunner(source, plan, workspace=workspace, session_id=recorder.session_id,
                           emit=emit, sim=sim, **(runner_kwargs or {}))

        def sink(record):
            emit(record)
            runner.observe(record)

        source.start(sink)
        yield sim, source, runner, events
    finally:
        source.stop()
        if recorder is not None:
            recorder.close()
        sim.stop()


def wait_until(pred, timeout_s: float = 15.0) -> bool:
    """Poll ``pred`` until it holds or the time is up (runner state changes on its thread)."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False
