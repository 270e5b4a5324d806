"""The live session: the one owner of a live connection — Qt-free, so the window, the ``record``
and ``cqt`` commands, a test or a script drive it the same way.

It opens a source by name (``SOURCES``: ``handset`` on a serial port, ``simulator`` = the
built-in simulated handset), joins a GPS to its samples, adopts the simulator scenario's cell
plan into the workspace, records on request, and fans every record out to the ``sink`` (the
window's bridge, the CLI's printer), to the recorder while recording, and to its observers (a
CQT runner), all on the source's dispatch thread, so a runner sees each sample as it arrives.

Everything slow (probing, opening ports, joining a source's thread, writing the plan, closing a
recording) runs on the session's own worker thread, one job at a time, so a device that stops
answering never blocks the caller (the GUI thread). State changes are reported as ``LinkStatus``
records through the sink, in order with the records before them.

    session = LiveSession(bridge.put, workspace_path)
    session.connect(ConnectRequest("handset", port="/dev/ttyUSB0", baud=115200))
    session.start_recording(case_id=3)
    session.add_observer(runner.observe)
    ...
    session.shutdown()          # ends a recording cleanly, stops every thread
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from drivers.handset import HandsetSource
from fieldapp.cellplan import SCENARIO_PREFIX, adopt_plan_version
from fieldapp.clock import SYSTEM_CLOCK, Clock
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
from fieldapp.store import Store

HANDSET, SIMULATOR = "handset", "simulator"
# The source panel's port value for "Demo handset (simulator)", optionally followed by the
# scenario ("sim:one-way-trx"); ``ConnectRequest.from_choices`` turns it into source=simulator.
DEMO_PORT = "sim:"
JOIN_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class LinkStatus:
    """The session's state, sent through the sink whenever it changes."""

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


@dataclass(frozen=True)
class ConnectRequest:
    """What to connect to. ``source`` names an entry of ``SOURCES``."""

    source: str = HANDSET
    port: str | None = None  # handset: the serial port or pyserial URL
    baud: int = 115200
    family: str | None = None  # forced family (None: identified by the probe)
    rate_s: float = 1.0
    reconnect: bool = True  # a handset that vanishes is waited for (the window); off: the session ends
    scenario: str = "demo-drive"  # simulator
    sim_family: str | None = None  # dialect the simulated handset speaks (None: ``family``, else the default)
    speed: float = 1.0
    seed: int | None = None
    sim_tcp: bool = False  # serve the simulated handset on loopback TCP, not a pty (automatic without ptys)
    gps: str = "none"  # none / nmea / gpsd; the simulator brings its own NMEA GPS
    gps_address: str | None = None
    gps_baud: int = 4800

    @classmethod
    def from_choices(cls, choices: dict[str, Any]) -> ConnectRequest:
        """The source panel's choices (a dict of its fields) as a request."""
        names = {f.name for f in fields(cls)}
        known = {k: v for k, v in choices.items() if k in names and v is not None}
        port = known.get("port") or ""
        if port.startswith(DEMO_PORT):
            known.update(source=SIMULATOR, port=None)
            if port[len(DEMO_PORT):]:
                known["scenario"] = port[len(DEMO_PORT):]
        return cls(**known)

    @property
    def device_name(self) -> str:
        if self.source == SIMULATOR:
            return f"demo handset ({self.scenario})"
        return self.port or self.source


@dataclass(frozen=True)
class RecordingSummary:
    """What a finished recording kept (``LiveSession.last_recording``)."""

    session_id: int
    counts: dict[str, int]
    interrupted: bool
    failure: str | None = None  # what stopped the writes for good (a full disk): marked interrupted
    write_failures: int = 0  # writes the workspace refused and that succeeded on a retry


@dataclass
class OpenedSource:
    """What a source opener hands the session: the source (``open()`` → Capabilities,
    ``start(sink)``, ``stop()``), the simulator it started (None for a real device), the plan it
    brings and its GPS when the request names none."""

    source: Any
    simulator: Any = None
    plan: list[PlanCell] = field(default_factory=list)
    plan_source: str | None = None
    gps: tuple[str, str] | None = None


SourceOpener = Callable[["LiveSession", ConnectRequest], OpenedSource]
SOURCES: dict[str, SourceOpener] = {}


def register_source(name: str) -> Callable[[SourceOpener], SourceOpener]:
    """Make an opener known by name (the registry the source panel and the CLI choose from)."""
    def add(opener: SourceOpener) -> SourceOpener:
        SOURCES[name] = opener
        return opener
    return add


@register_source(HANDSET)
def _open_handset(session: LiveSession, req: ConnectRequest) -> OpenedSource:
    if not req.port:
        raise ValueError("no port given")
    return OpenedSource(session.handset_factory(req.port, req.baud, req.family, req.rate_s, req.reconnect))


@register_source(SIMULATOR)
def _open_simulator(session: LiveSession, req: ConnectRequest) -> OpenedSource:
    # A family forced in the panel is also the dialect the simulated handset speaks.
    extra = {"tcp": True} if req.sim_tcp else {}
    sim = session.simulator_factory(req.scenario, req.sim_family or req.family, req.speed, req.seed, **extra)
    try:
        plan = _handle_plan(sim)
        gps = ("nmea", sim.gps_port) if getattr(sim, "gps_port", None) else None
        source = session.handset_factory(sim.port, req.baud, req.family, req.rate_s, True)
    except Exception:
        sim.stop()
        raise
    return OpenedSource(source, simulator=sim, plan=plan, plan_source=f"{SCENARIO_PREFIX}{req.scenario}", gps=gps)


class LiveSession:
    """Owns the source threads. All public methods return at once; work runs on the session's
    worker thread. ``sink`` and the observers are called from the source threads."""

    def __init__(self, sink: Callable[[Any], None], workspace: str | Path, *,
                 handset_factory: Callable[..., Any] | None = None,
                 simulator_factory: Callable[..., Any] | None = None,
                 gps_factory: Callable[[str, str], Any] | None = None,
                 recorder_factory: Callable[..., Any] | None = None,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        self._sink = sink
        self.workspace = Path(workspace)
        # The session's stamps, and the clock its default handset source, recorder and CQT
        # runner get (simulated in tests). Waits on its own worker thread stay real.
        self.clock = clock
        self.handset_factory = handset_factory or self._default_handset
        self.simulator_factory = simulator_factory or _default_simulator
        self._gps_baud = 4800
        self._gps_factory = gps_factory or (lambda kind, address: open_gps(kind, address, self._gps_baud))
        self._recorder_factory = recorder_factory or self._default_recorder
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="live-session", daemon=True)
        self._lock = threading.Lock()
        self._status = LinkStatus("disconnected", ts_utc=clock.time())
        self._observers: tuple[Callable[[Any], None], ...] = ()
        self.request: ConnectRequest | None = None
        self.source: Any = None
        self.gps: Any = None
        self.simulator: Any = None
        self.recorder: Any = None
        self.scenario_cells: list[PlanCell] = []  # the plan the simulator's scenario brought
        # The cell plan version this session's connect adopted (or found, when a cell file the
        # engineer imported has precedence): its recordings keep it, not whatever version is
        # the latest when they start (another recorder on the workspace may have loaded its own).
        self.plan_version: int | None = None
        self.last_recording: RecordingSummary | None = None
        self.cqt_runner: Any = None  # the CQT runner observing this session (fieldapp.cqt.live_run)
        self.source_stats: dict[str, int] = {}  # the last source's counters, kept after it stops
        self._positions = PositionJoiner()
        self._closed = False
        self._thread.start()

    def _default_handset(self, port: str, baud: int, family: str | None, rate_s: float,
                         reconnect: bool = True) -> HandsetSource:
        return HandsetSource(port, baud, family=family, rate_s=rate_s, reconnect=reconnect, clock=self.clock)

    def _default_recorder(self, *args: Any, **kwargs: Any) -> Recorder:
        return Recorder(*args, clock=self.clock, **kwargs)

    # ------------------------------------------------------------------ public (any thread)
    def connect(self, request: ConnectRequest, *, record: bool = False, case_id: int | None = None) -> None:
        """Open the source ``request`` names; ``record``: start recording before the first
        sample (the ``record`` command keeps every sample of the session)."""
        if not isinstance(request, ConnectRequest):
            raise TypeError("connect() takes a ConnectRequest (ConnectRequest.from_choices for a panel's dict)")
        self._set(state="connecting", device=request.device_name, message=None, family=None, capabilities=None)
        self._submit(lambda: self._connect(request, record, case_id))

    def disconnect(self) -> None:
        self._submit(self._disconnect)

    def start_recording(self, case_id: int | None = None, *, session_id: int | None = None) -> None:
        """Record from now on; ``session_id`` continues that stored session (a resumed CQT)."""
        self._submit(lambda: self._start_recording(case_id, session_id))

    def stop_recording(self, *, interrupted: bool = False) -> None:
        self._submit(lambda: self._stop_recording(interrupted))

    def add_observer(self, observer: Callable[[Any], None]) -> None:
        """``observer(record)`` for every record from now on, on the dispatch thread (after
        the recorder has it; raw serial traffic excluded)."""
        with self._lock:
            self._observers = (*self._observers, observer)

    def remove_observer(self, observer: Callable[[Any], None]) -> None:
        with self._lock:
            self._observers = tuple(o for o in self._observers if o != observer)

    def record(self, record: Any) -> None:
        """A record made beside the source (a CQT runner's block and note events): into the
        recording and to the views, like the source's own."""
        recorder = self.recorder
        if recorder is not None:
            recorder.sink(record)
        self._emit(record)

    def sim_blocks(self) -> Any:
        """What applies TRX blocks in the simulator (``set_blocked(trx_id, blocked) -> bool``):
        the simulator this session started, or the handset's own simulator command when the
        device is a simulator in another process; None with a real device."""
        if self.simulator is not None:
            return self.simulator
        source = self.source
        if source is not None and getattr(source, "simulator", None):
            return _HandsetSimBlocks(source)
        return None

    def status(self) -> LinkStatus:
        """A snapshot with the live skipped-line count (cheap; the status bar polls it)."""
        with self._lock:
            status = self._status
        stats = getattr(self.source, "stats", None) or {}
        skipped = int(stats.get("skipped_lines", 0))
        return replace(status, skipped_lines=skipped) if skipped != status.skipped_lines else status

    def wait_idle(self, timeout_s: float = JOIN_TIMEOUT_S) -> bool:
        """Block until every submitted job has run (the CLI, tests, the screenshot mode)."""
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
            except Exception as exc:  # a failed job is reported, the session lives on
                self._set(state="error" if self.source is None else self._status.state,
                          message=f"{type(exc).__name__}: {exc}")

    def _connect(self, req: ConnectRequest, record: bool = False, case_id: int | None = None) -> None:
        if self.source is not None:
            self._disconnect()
        opener = SOURCES.get(req.source)
        if opener is None:
            self._set(state="error", message=f"unknown source {req.source!r} (known: {', '.join(SOURCES)})")
            return
        self._gps_baud = req.gps_baud
        try:
            opened = opener(self, req)
        except Exception as exc:
            what = "cannot start the simulator" if req.source == SIMULATOR else f"cannot open {req.device_name}"
            self._set(state="error", message=f"{what}: {exc}")
            return
        self.simulator = opened.simulator
        source = opened.source
        try:
            caps = source.open()
        except Exception as exc:  # PortError, NoAtResponse, Unsupported: the probe's own message
            self._stop_simulator()
            self._set(state="error", message=str(exc) or type(exc).__name__)
            return
        self.request, self.source = req, source
        self._set(state="connected", device=req.device_name, family=caps.family, capabilities=caps, message=None)
        self._take_plan(opened)
        if record:
            self._start_recording(case_id, None)
        source.start(self._dispatch)
        gps_kind, gps_address = req.gps, req.gps_address
        if gps_kind in (None, "none") and opened.gps is not None:
            gps_kind, gps_address = opened.gps
        if gps_kind not in (None, "none") and gps_address:
            self._set(gps=self._start_gps(gps_kind, gps_address))

    def _take_plan(self, opened: OpenedSource) -> None:
        """The simulator's scenario plan (this session's simulator, or the one a handset says
        it is, ``AT+FASIM?``) goes to the views and, where ``cellplan.may_replace`` allows, into
        the workspace: here, on the worker thread, before the first sample."""
        cells, plan_source = opened.plan, opened.plan_source
        named = (getattr(opened.source, "simulator", None) or {}).get("scenario")
        if not cells and named:
            found = scenario_plan(named)
            if found is not None:
                cells, plan_source = found
        self.scenario_cells = list(cells)
        self.plan_version = None
        if not cells or plan_source is None:
            return
        self._emit(PlanUpdate(tuple(cells), plan_source))
        try:
            with Store.open(self.workspace) as store:
                _adopted, self.plan_version = adopt_plan_version(store, cells, plan_source)
        except Exception as exc:  # the views still show it; say why it was not kept
            self._emit(Event(self.clock.time(), EV_INFO, f"cell plan not saved to the workspace: {exc}"))

    def _start_gps(self, kind: str, address: str) -> str:
        try:
            self.gps = self._gps_factory(kind, address)
            self.gps.start(self._dispatch)
        except Exception as exc:
            self.gps = None
            self._emit(Event(self.clock.time(), EV_INFO, f"GPS {address}: {exc}", {"gps": address}))
            return f"{kind} {address}: failed"
        return f"{'gpsd' if kind == 'gpsd' else 'NMEA'} {address}"

    def _disconnect(self) -> None:
        self._stop_recording(False)
        stats = dict(getattr(self.source, "stats", None) or {})
        bad_gps = getattr(self.gps, "bad_sentences", 0) or getattr(self.gps, "bad_lines", 0)
        for name in ("gps", "source"):
            obj = getattr(self, name)
            setattr(self, name, None)
            if obj is not None:
                try:
                    obj.stop()
                except Exception as exc:
                    self._emit(Event(self.clock.time(), EV_INFO, f"stopping the {name}: {exc}"))
        if stats or bad_gps:
            self.source_stats = {**stats, "gps_bad_sentences": int(bad_gps or 0)}
        self._stop_simulator()
        self._positions.reset()
        self._set(state="disconnected", gps=None, capabilities=None)

    def _stop_simulator(self) -> None:
        sim, self.simulator = self.simulator, None
        if sim is not None:
            sim.stop()

    def _start_recording(self, case_id: int | None, session_id: int | None) -> None:
        if self.recorder is not None:
            return
        if self.source is None:
            self._set(message="connect a device before recording")
            return
        status = self._status
        device: dict[str, Any] = status.capabilities.to_json() if status.capabilities else {}
        device.update(port=status.device, simulator=getattr(self.source, "simulator", None))
        if self.request is not None and self.request.source == HANDSET:
            device.update(port=self.request.port, baud=self.request.baud)
        name = getattr(self.source, "name", "handset")
        try:
            if session_id is not None:
                self.recorder = self._recorder_factory(self.workspace, name, session_id=session_id,
                                                       on_error=self._recorder_failed)
            else:
                version = self._recording_plan_version()
                extra = {} if version is None else {"plan_version": version}
                self.recorder = self._recorder_factory(self.workspace, name, device=device, case_id=case_id,
                                                       on_error=self._recorder_failed, **extra)
        except Exception as exc:
            self._set(message=f"cannot record into {self.workspace}: {exc}")
            return
        self._set(recording=True, session_id=self.recorder.session_id)

    def _recording_plan_version(self) -> int | None:
        """The version a new recording is made under: the one this session adopted, unless the
        engineer has imported a cell file since (it takes precedence over any scenario's
        plan, ``cellplan.may_replace``); None: the workspace's current version."""
        if self.plan_version is None:
            return None
        try:
            with Store.open(self.workspace) as store:
                versions = store.plan_versions()
        except Exception:
            return self.plan_version
        newest = versions[-1] if versions else None
        if newest is not None and newest[0] > self.plan_version and not (newest[2] or "").startswith(SCENARIO_PREFIX):
            return None
        return self.plan_version

    def _recorder_failed(self, exc: BaseException) -> None:
        self._set(message=f"workspace: {exc}")

    def _stop_recording(self, interrupted: bool) -> None:
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            recorder.close(interrupted=interrupted)
            failure = getattr(recorder, "failure", None)
            self.last_recording = RecordingSummary(recorder.session_id, dict(recorder.counts), interrupted,
                                                   str(failure) if failure else None,
                                                   int(getattr(recorder, "write_failures", 0) or 0))
            self._set(recording=False)

    # ------------------------------------------------------------------ source threads
    def _dispatch(self, record: Any) -> None:
        """Called from the handset and GPS threads: the recorder, the observers, the sink."""
        record = self._positions.feed(record)  # the latest fresh fix stamped on each sample
        if isinstance(record, Capabilities):  # refined after the first polls: status and views
            self._set(capabilities=record)
            self._emit(record)
            return
        recorder = self.recorder
        if recorder is not None:
            recorder.sink(record)
        if isinstance(record, RawTraffic):
            return  # kept in the recording; nobody else reads bytes
        if isinstance(record, Event):
            if record.kind == EV_DISCONNECTED:
                self._set(state="lost", message=record.text)
            elif record.kind == EV_RECONNECTED:
                self._set(state="connected", message=None)
            elif record.kind in (EV_GPS_LOST, EV_GPS_BACK):  # the status bar's "GPS:" field
                gps = (self._status.gps or "").removesuffix(" (no fix)")
                self._set(gps=f"{gps} (no fix)" if record.kind == EV_GPS_LOST else gps)
        for observer in self._observers:
            try:
                observer(record)
            except Exception as exc:  # an observer's fault must not stop the source
                self._emit(Event(self.clock.time(), EV_INFO, f"observer failed: {type(exc).__name__}: {exc}"))
        self._emit(record)

    def _emit(self, record: Any) -> None:
        try:
            self._sink(record)
        except Exception:
            pass  # the window is closing; the recorder already has the record

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._status = replace(self._status, ts_utc=self.clock.time(), **changes)
            status = self._status
        self._emit(self.status() if self.source is not None else status)


Controller = LiveSession  # the name the window and older tests use


class _HandsetSimBlocks:
    """TRX blocks through the handset's own simulator command (a simulator in another process)."""

    def __init__(self, source: Any) -> None:
        self.source = source

    def set_blocked(self, trx_id: str, blocked: bool = True) -> bool:
        return self.source.sim_block(trx_id, blocked)


def adopt_scenario_plan(workspace: str | Path, scenario: str) -> int | None:
    """A handset that says it is the simulator (``AT+FASIM?``) outside a live session (the
    ``scan`` command): its scenario's plan into the workspace, as ``cellplan.may_replace``
    allows. Returns the plan version the session is to be stored under (the scenario's when
    adopted, else the current plan's); None when the scenario has no plan."""
    found = scenario_plan(scenario) if scenario else None
    if found is None:
        return None
    with Store.open(workspace) as store:
        return adopt_plan_version(store, *found)[1]


def scenario_plan(name: str) -> tuple[list[PlanCell], str] | None:
    """The plan of a simulator scenario the handset named (``AT+FASIM?``) and its plan source
    (``scenario:<name>``), or None when no such scenario is installed."""
    from drivers.sim import ScenarioError, load_scenario  # see _default_simulator

    try:
        return load_scenario(name).cell_plan(), f"{SCENARIO_PREFIX}{name}"
    except (ScenarioError, OSError, ValueError):
        return None


def _handle_plan(simulator: Any) -> list[PlanCell]:
    scenario = getattr(simulator, "scenario", None)
    plan = getattr(scenario, "cell_plan", None)
    try:
        return list(plan()) if callable(plan) else []
    except Exception:
        return []


# ---------------------------------------------------------------------- default parts
def _default_simulator(scenario: str, family: str | None, speed: float, seed: int | None, tcp: bool = False):
    # Imported here, not at the top: the simulator's modules (world, engine, scenarios) load only
    # when a simulator is wanted, so ``record`` and ``cqt`` on a real handset start as fast as before.
    from drivers.sim import start_simulator

    kwargs: dict[str, Any] = {"speed": speed}
    if tcp:  # a free loopback port (start_simulator picks TCP by itself where there are no ptys)
        kwargs["tcp"] = ("127.0.0.1", 0)
    if family:
        kwargs["family"] = family
    if seed is not None:
        kwargs["seed"] = seed
    return start_simulator(scenario, **kwargs)
