"""``start_simulator``: the simulated network + handset on a pseudo-terminal (or a loopback
TCP port), and its GPS.

    with start_simulator("demo-drive", family="simcom", speed=10) as sim:
        print(sim.port, sim.gps_port)      # /dev/pts/5 /dev/pts/6 (or the --link paths)
        ...                                # any program opens sim.port as a serial port

    with start_simulator("demo-drive", tcp=("127.0.0.1", 0)) as sim:
        print(sim.port, sim.gps_port)      # socket://127.0.0.1:41235 socket://127.0.0.1:41236

Where the OS has no pseudo-terminals (Windows) the simulator serves on loopback TCP ports
without being asked; pyserial opens ``socket://`` URLs like any port, so the real driver runs.

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
from drivers.sim.tcp import LOOPBACK, TcpPort, parse_tcp_address
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
        self._ports: list[PtyPort | TcpPort] = []
        self.kind = "pty"  # or "tcp" (loopback socket), "memory" (an in-memory transport)

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


def pty_available() -> bool:
    """POSIX pseudo-terminals exist here (not on Windows)."""
    return hasattr(os, "openpty") and os.name != "nt"


TcpAddress = tuple[str, int] | str


def start_simulator(scenario: str | os.PathLike[str] | Scenario, family: str = "quectel",
                    link: str | None = None, gps_link: str | None = None, speed: float = 1.0,
                    seed: int = 1, *, gps: bool = True, transport: Transport | None = None,
                    tcp: TcpAddress | None = None, gps_tcp: TcpAddress | None = None) -> SimulatorHandle:
    """Start the simulator. ``scenario``: a shipped name, a JSON path or a loaded Scenario.
    ``transport``: serve the handset over this transport end (e.g. the device end of
    ``drivers.transport.memory_pair()``) instead of a pty. ``tcp``: serve it on this TCP
    address (``("127.0.0.1", 0)`` or ``"127.0.0.1:7001"``; port 0 picks a free one), the GPS
    then on ``gps_tcp`` (default: the next port, or a free one). Without ptys (Windows) TCP on
    loopback is the default. Raises ``ScenarioError`` for a bad scenario, ``ValueError`` for an
    unknown family, speed or address, ``OSError`` when a pty, a socket or a symlink cannot be
    made."""
    scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    dialect = get_dialect(family)
    if not speed > 0:
        raise ValueError("speed must be > 0")
    clock = SimClock(speed)
    engine = Engine(scen, seed, clock)
    handset = Handset(engine, dialect)
    if transport is None and tcp is None and not pty_available():
        tcp = (LOOPBACK, 0)
    address = _address(tcp) if tcp is not None else None
    handle = SimulatorHandle(scen, dialect.name, engine, handset, speed, seed)
    try:
        port: PtyPort | TcpPort
        if transport is not None:
            handle.kind = "memory"
            handle.port = transport.name
            handle._start_thread("sim-memory", serve_transport, handset, transport, handle._stop)
        else:
            if address is not None:
                handle.kind = "tcp"
                port = TcpPort(*address)
            else:
                port = PtyPort(link)
                handle.pty_path = port.path
            handle._ports.append(port)
            handle.port = port.name
            handle._start_thread("sim-handset", serve_pty, handset, port, handle._stop, speed)
        if gps:
            gport: PtyPort | TcpPort
            if gps_tcp is not None:
                gport = TcpPort(*_address(gps_tcp))
            elif address is not None:  # the port after the handset's (or any free one)
                gport = TcpPort(address[0], address[1] + 1 if address[1] else 0)
            else:
                gport = PtyPort(gps_link)
            handle._ports.append(gport)
            handle.gps_port = gport.name
            if isinstance(gport, PtyPort):
                handle.gps_pty_path = gport.path
            handle._start_thread("sim-gps", serve_gps, gport, engine.mover, clock, handle._stop,
                                 noise_m=scen.gps_noise_m, seed=seed, alt_m=scen.gps_alt_m)
    except BaseException:
        handle.stop()
        raise
    return handle


def _address(value: TcpAddress) -> tuple[str, int]:
    if isinstance(value, str):
        return parse_tcp_address(value)
    host, port = value
    return host or LOOPBACK, int(port)
