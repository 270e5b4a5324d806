"""The live controller: connect/disconnect a handset (or the simulator's), a GPS source, and
record on/off — Qt-free, so the window, a test or a script drive it the same way.

Everything slow (probing, opening ports, joining a source's thread, closing a recording) runs
on the controller's own worker thread, one job at a time, so a device that stops answering
never blocks the caller (the GUI thread). Records from the sources fan out to ``sink`` (the
window's bridge) and, while recording, to the session recorder. State changes are reported as
``LinkStatus`` records through the same sink, so the window learns of an unplug on its next
tick, in order with the records before it.

    controller = Controller(bridge.put, workspace_path)
    controller.connect({"port": "/dev/ttyUSB0", "baud": 115200})
    controller.start_recording(case_id=3)
    ...
    controller.shutdown()          # ends a recording cleanly, stops every thread
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from drivers.handset import HandsetSource
from drivers.sim import ScenarioError, load_scenario, start_simulator
from fieldapp.cellplan import SCENARIO_PREFIX
from fieldapp.model import (
    EV_DISCONNECTED,
    EV_GPS_BACK,
    EV_GPS_LOST,
    EV_INFO,
    EV_RECONNECTED,
    Capabilities,
    Event,
    PlanCell,
    RawTraffic,
)
from fieldapp.positioning import PositionJoiner, open_gps
from fieldapp.session import Recorder

DEMO_PORT = "sim:"  # the "Demo handset (simulator)" entry of the source panel
JOIN_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class LinkStatus:
    """The controller's state, sent through the sink whenever it changes."""

    state: str  # disconnected, connecting, connected, lost, reconnecting, error
    device: str | None = None
    family: str | None = None
    capabilities: Capabilities | None = None
    recording: bool = False
    session_id: int | None = None
    skipped_lines: int = 0
    gps: str | None = None
    message: str | None = None
    ts_utc: float = field(default_factory=time.time)


@dataclass(frozen=True)
class PlanUpdate:
    """A cell plan for the views (the simulator's scenario, or the workspace's)."""

    cells: tuple[PlanCell, ...]
    source: str | None = None


@dataclass
class ConnectRequest:
    port: str
    baud: int = 115200
    family: str | None = None
    rate_s: float = 1.0
    scenario: str = "demo-drive"
    sim_family: str | None = None  # dialect the demo handset speaks (None: the simulator's default)
    speed: float = 1.0
    seed: int | None = None
    gps: str = "none"  # none / nmea / gpsd; the demo handset brings its own NMEA GPS
    gps_address: str | None = None
    sim_tcp: bool = False  # serve the demo handset on loopback TCP, not a pty (automatic without ptys)

    @classmethod
    def from_choices(cls, choices: dict[str, Any]) -> ConnectRequest:
        known = {k: v for k, v in choices.items() if k in cls.__dataclass_fields__ and v is not None}
        return cls(**known)


class Controller:
    """Owns the source threads. All public methods return at once; work runs on the
    controller's worker thread. ``sink`` is called from worker threads."""

    def __init__(self, sink: Callable[[Any], None], workspace: str | Path, *,
                 handset_factory: Callable[..., Any] | None = None,
                 simulator_factory: Callable[..., Any] | None = None,
                 gps_factory: Callable[[str, str], Any] | None = None,
                 recorder_factory: Callable[..., Any] | None = None) -> None:
        self._sink = sink
        self.workspace = Path(workspace)
        self._handset_factory = handset_factory or _default_handset
        self._simulator_factory = simulator_factory or _default_simulator
        self._gps_factory = gps_factory or _default_gps
        self._recorder_factory = recorder_factory or _default_recorder
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="live-controller", daemon=True)
        self._lock = threading.Lock()
        self._status = LinkStatus("disconnected")
        self.source: Any = None
        self.gps: Any = None
        self.simulator: Any = None
        self.recorder: Any = None
        self._positions = PositionJoiner()
        self._closed = False
        self._thread.start()

    # ------------------------------------------------------------------ public (any thread)
    def connect(self, request: ConnectRequest | dict[str, Any]) -> None:
        req = request if isinstance(request, ConnectRequest) else ConnectRequest.from_choices(request)
        self._set(state="connecting", device=_device_name(req), message=None, family=None, capabilities=None)
        self._submit(lambda: self._connect(req))

    def disconnect(self) -> None:
        self._submit(self._disconnect)

    def start_recording(self, case_id: int | None = None) -> None:
        self._submit(lambda: self._start_recording(case_id))

    def stop_recording(self) -> None:
        self._submit(self._stop_recording)

    def status(self) -> LinkStatus:
        """A snapshot with the live skipped-line count (cheap; the status bar polls it)."""
        with self._lock:
            status = self._status
        stats = getattr(self.source, "stats", None) or {}
        skipped = int(stats.get("skipped_lines", 0))
        return replace(status, skipped_lines=skipped) if skipped != status.skipped_lines else status

    def wait_idle(self, timeout_s: float = JOIN_TIMEOUT_S) -> bool:
        """Block until every submitted job has run (tests and the screenshot mode)."""
        done = threading.Event()
        self._submit(done.set)
        return done.wait(timeout_s)

    def shutdown(self, timeout_s: float = JOIN_TIMEOUT_S) -> None:
        """End a recording cleanly (not marked interrupted), stop every source and the worker."""
        if self._closed:
            return
        self._closed = True
        self._jobs.put(self._disconnect)
        self._jobs.put(None)
        self._thread.join(timeout_s)

    # ------------------------------------------------------------------ worker thread
    def _submit(self, job: Callable[[], None]) -> None:
        if not self._closed:
            self._jobs.put(job)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                job()
            except Exception as exc:  # a failed job is reported, the controller lives on
                self._set(state="error" if self.source is None else self._status.state,
                          message=f"{type(exc).__name__}: {exc}")

    def _connect(self, req: ConnectRequest) -> None:
        if self.source is not None:
            self._disconnect()
        port, gps_kind, gps_address = req.port, req.gps, req.gps_address
        if req.port.startswith(DEMO_PORT):
            scenario = req.port[len(DEMO_PORT):] or req.scenario
            # A family forced in the panel is also the dialect the demo handset speaks.
            sim_family = req.sim_family or req.family
            try:
                extra = {"tcp": True} if req.sim_tcp else {}
                self.simulator = self._simulator_factory(scenario, sim_family, req.speed, req.seed, **extra)
            except Exception as exc:
                self._set(state="error", message=f"cannot start the simulator: {exc}")
                return
            port = self.simulator.port
            plan = _scenario_plan(self.simulator)
            if plan:
                self._emit(PlanUpdate(tuple(plan), f"{SCENARIO_PREFIX}{scenario}"))
            if gps_kind in (None, "none") and getattr(self.simulator, "gps_port", None):
                gps_kind, gps_address = "nmea", self.simulator.gps_port
        source = self._handset_factory(port, req.baud, req.family, req.rate_s)
        try:
            caps = source.open()
        except Exception as exc:  # PortError, NoAtResponse, Unsupported: the probe's own message
            self._stop_simulator()
            self._set(state="error", message=str(exc) or type(exc).__name__)
            return
        self.source = source
        source.start(self._dispatch)
        gps_text = None
        if gps_kind not in (None, "none") and gps_address:
            gps_text = self._start_gps(gps_kind, gps_address)
        self._set(state="connected", device=_device_name(req), family=caps.family, capabilities=caps,
                  gps=gps_text, message=None)

    def _start_gps(self, kind: str, address: str) -> str:
        try:
            self.gps = self._gps_factory(kind, address)
            self.gps.start(self._dispatch)
        except Exception as exc:
            self.gps = None
            self._emit(Event(time.time(), EV_INFO, f"GPS {address}: {exc}", {"gps": address}))
            return f"{kind} {address}: failed"
        return f"{'gpsd' if kind == 'gpsd' else 'NMEA'} {address}"

    def _disconnect(self) -> None:
        self._stop_recording()
        for name in ("gps", "source"):
            obj = getattr(self, name)
            setattr(self, name, None)
            if obj is not None:
                try:
                    obj.stop()
                except Exception as exc:
                    self._emit(Event(time.time(), EV_INFO, f"stopping the {name}: {exc}"))
        self._stop_simulator()
        self._positions.reset()
        self._set(state="disconnected", gps=None, capabilities=None)

    def _stop_simulator(self) -> None:
        sim, self.simulator = self.simulator, None
        if sim is not None:
            sim.stop()

    def _start_recording(self, case_id: int | None) -> None:
        if self.recorder is not None:
            return
        if self.source is None:
            self._set(message="connect a device before recording")
            return
        status = self._status
        device: dict[str, Any] = status.capabilities.to_json() if status.capabilities else {}
        device.update(port=status.device, simulator=getattr(self.source, "simulator", None))
        try:
            self.recorder = self._recorder_factory(self.workspace, getattr(self.source, "name", "handset"),
                                                   device=device, case_id=case_id)
        except Exception as exc:
            self._set(message=f"cannot record into {self.workspace}: {exc}")
            return
        self._set(recording=True, session_id=self.recorder.session_id)

    def _stop_recording(self) -> None:
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            recorder.close(interrupted=False)
            self._set(recording=False)

    # ------------------------------------------------------------------ source threads
    def _dispatch(self, record: Any) -> None:
        """Called from the handset and GPS threads: fan out to the recorder and the window."""
        record = self._positions.feed(record)  # the latest fresh fix stamped on each sample
        recorder = self.recorder
        if recorder is not None:
            recorder.sink(record)
        if isinstance(record, RawTraffic):
            return  # kept in the recording; the views do not draw bytes
        if isinstance(record, Event):
            if record.kind == EV_DISCONNECTED:
                self._set(state="lost", message=record.text)
            elif record.kind == EV_RECONNECTED:
                self._set(state="connected", message=None)
            elif record.kind in (EV_GPS_LOST, EV_GPS_BACK):  # the status bar's "GPS:" field
                gps = (self._status.gps or "").removesuffix(" (no fix)")
                self._set(gps=f"{gps} (no fix)" if record.kind == EV_GPS_LOST else gps)
        self._emit(record)

    def _emit(self, record: Any) -> None:
        try:
            self._sink(record)
        except Exception:
            pass  # the window is closing; the recorder already has the record

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._status = replace(self._status, ts_utc=time.time(), **changes)
            status = self._status
        self._emit(self.status() if self.source is not None else status)


def _device_name(req: ConnectRequest) -> str:
    if req.port.startswith(DEMO_PORT):
        return f"demo handset ({req.port[len(DEMO_PORT):] or req.scenario})"
    return req.port


def scenario_plan(name: str) -> tuple[list[PlanCell], str] | None:
    """The plan of a simulator scenario the handset named (``AT+FASIM?``) and its plan source
    (``scenario:<name>``), or None when no such scenario is installed."""
    try:
        return load_scenario(name).cell_plan(), f"{SCENARIO_PREFIX}{name}"
    except (ScenarioError, OSError, ValueError):
        return None


def _scenario_plan(simulator: Any) -> list[PlanCell]:
    scenario = getattr(simulator, "scenario", None)
    plan = getattr(scenario, "cell_plan", None)
    try:
        return list(plan()) if callable(plan) else []
    except Exception:
        return []


# ---------------------------------------------------------------------- default parts
def _default_handset(port: str, baud: int, family: str | None, rate_s: float):
    return HandsetSource(port, baud, family=family, rate_s=rate_s, reconnect=True)


def _default_simulator(scenario: str, family: str | None, speed: float, seed: int | None, tcp: bool = False):
    kwargs: dict[str, Any] = {"speed": speed}
    if tcp:  # a free loopback port (start_simulator picks TCP by itself where there are no ptys)
        kwargs["tcp"] = ("127.0.0.1", 0)
    if family:
        kwargs["family"] = family
    if seed is not None:
        kwargs["seed"] = seed
    return start_simulator(scenario, **kwargs)


def _default_gps(kind: str, address: str):
    return open_gps(kind, address)


def _default_recorder(workspace: Path, source: str, *, device: dict[str, Any], case_id: int | None):
    return Recorder(workspace, source, device=device, case_id=case_id)
