"""``start_simulator``: the simulated network + handset on a pseudo-terminal, and its GPS.

    with start_simulator("demo-drive", family="simcom", speed=10) as sim:
        print(sim.port, sim.gps_port)      # /dev/pts/5 /dev/pts/6 (or the --link paths)
        ...                                # any program opens sim.port as a serial port

Threads are named ``sim-handset`` (AT server), ``sim-gps`` (NMEA) and ``sim-memory`` (when
serving an in-memory transport instead of a pty); ``stop()`` joins them.
"""

from __future__ import annotations

import os
import threading

from drivers.sim.dialects import get_dialect
from drivers.sim.engine import Engine
from drivers.sim.gps import serve_gps
from drivers.sim.handset import Handset
from drivers.sim.movement import SimClock
from drivers.sim.pty import PtyPort, serve_pty, serve_transport
from drivers.sim.scenario import Scenario, load_scenario
from drivers.transport import Transport


class SimulatorHandle:
    """A running simulator. ``port`` is what a client opens (the ``link`` symlink if one was
    asked for, else the pty slave path; the transport's name for an in-memory attach)."""

    def __init__(self, scenario: Scenario, family: str, engine: Engine, handset: Handset,
                 speed: float, seed: int) -> None:
        self.scenario = scenario
        self.family = family
        self.engine = engine
        self.handset = handset
        self.speed = speed
        self.seed = seed
        self.port: str = ""
        self.gps_port: str | None = None
        self.pty_path: str | None = None
        self.gps_pty_path: str | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._ports: list[PtyPort] = []

    # ------------------------------------------------------------ lifecycle

    def _start_thread(self, name: str, target, *args, **kwargs) -> None:
        t = threading.Thread(target=target, args=args, kwargs=kwargs, name=name, daemon=True)
        self._threads.append(t)
        t.start()

    def stop(self) -> None:
        """Stop the threads, join them, close the ptys and remove the symlinks. Idempotent."""
        self._stop.set()
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(timeout=5.0)
        self._threads.clear()
        for p in self._ports:
            p.close()
        self._ports.clear()

    @property
    def running(self) -> bool:
        return not self._stop.is_set() and any(t.is_alive() for t in self._threads)

    def __enter__(self) -> SimulatorHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ controls (thread-safe)

    def move_to(self, lat: float, lon: float) -> None:
        """Hold the handset at a point (CQT spot) until ``resume_route()``."""
        self.engine.mover.move_to(lat, lon)

    def resume_route(self) -> None:
        self.engine.mover.resume()

    def incoming_call(self, number: str) -> bool:
        """Page the handset for an MT call (RING); False when it cannot be reached."""
        return self.engine.incoming(number)

    def set_blocked(self, trx_id: str, blocked: bool = True) -> bool:
        """Block/unblock a TRX at the (simulated) BSC."""
        return self.engine.set_blocked(trx_id, blocked)

    def audio_verdict(self) -> str | None:
        """What a listener heard on the current/last call (same as AT+FASIMAUDIO?)."""
        with self.engine.lock:
            call = self.engine.call
            return None if call is None else call.verdict()


def start_simulator(scenario: str | os.PathLike[str] | Scenario, family: str = "quectel",
                    link: str | None = None, gps_link: str | None = None, speed: float = 1.0,
                    seed: int = 1, *, gps: bool = True, transport: Transport | None = None) -> SimulatorHandle:
    """Start the simulator. ``scenario``: a shipped name, a JSON path or a loaded Scenario.
    ``transport``: serve the handset over this transport end (e.g. the device end of
    ``drivers.transport.memory_pair()``) instead of a pty. Raises ``ScenarioError`` for a bad
    scenario, ``ValueError`` for an unknown family or speed, ``OSError`` when a pty or a
    symlink cannot be made."""
    scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    dialect = get_dialect(family)
    if not speed > 0:
        raise ValueError("speed must be > 0")
    clock = SimClock(speed)
    engine = Engine(scen, seed, clock)
    handset = Handset(engine, dialect)
    handle = SimulatorHandle(scen, dialect.name, engine, handset, speed, seed)
    try:
        if transport is not None:
            handle.port = transport.name
            handle._start_thread("sim-memory", serve_transport, handset, transport, handle._stop)
        else:
            port = PtyPort(link)
            handle._ports.append(port)
            handle.pty_path, handle.port = port.path, port.name
            handle._start_thread("sim-handset", serve_pty, handset, port, handle._stop, speed)
        if gps:
            gport = PtyPort(gps_link)
            handle._ports.append(gport)
            handle.gps_pty_path, handle.gps_port = gport.path, gport.name
            handle._start_thread("sim-gps", serve_gps, gport, engine.mover, clock, handle._stop,
                                 noise_m=scen.gps_noise_m, seed=seed, alt_m=scen.gps_alt_m)
    except BaseException:
        handle.stop()
        raise
    return handle
