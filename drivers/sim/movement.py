"""Where the simulated handset is: a route driven at a speed, a fixed point (CQT), or a point
set on request; and the simulation clock (real time times a speed factor, or stepped by hand
in tests and benchmarks)."""

from __future__ import annotations

import bisect
import math
import threading
import time
from dataclasses import dataclass

from drivers.sim.scenario import Movement
from drivers.sim.world import Projector


@dataclass(frozen=True, slots=True)
class Fix:
    """The handset's true position at one instant (metres in the world's frame too)."""

    lat: float
    lon: float
    x: float
    y: float
    speed_mps: float
    course_deg: float


class Mover:
    """Position as a function of simulation seconds since start. Thread-safe."""

    def __init__(self, movement: Movement, proj: Projector) -> None:
        self.proj = proj
        self.movement = movement
        self._lock = threading.Lock()
        self._override: tuple[float, float] | None = None
        pts = [proj.xy(lat, lon) for lat, lon in movement.waypoints]
        if movement.loop and len(pts) > 1 and pts[0] != pts[-1]:
            pts.append(pts[0])
        self._pts = pts
        cum = [0.0]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            cum.append(cum[-1] + math.hypot(x1 - x0, y1 - y0))
        self._cum = cum
        self.length_m = cum[-1]

    def move_to(self, lat: float, lon: float) -> None:
        """Hold the handset at this point (a CQT spot chosen on request) until ``resume()``."""
        with self._lock:
            self._override = (lat, lon)

    def resume(self) -> None:
        with self._lock:
            self._override = None

    def at(self, t_s: float) -> Fix:
        with self._lock:
            override = self._override
        if override is not None:
            x, y = self.proj.xy(*override)
            return Fix(override[0], override[1], x, y, 0.0, 0.0)
        m = self.movement
        if m.kind == "fixed" or self.length_m <= 0:
            x, y = self._pts[0]
            lat, lon = m.waypoints[0]
            return Fix(lat, lon, x, y, 0.0, 0.0)
        dist = max(t_s, 0.0) * m.speed_mps
        moving = True
        if m.loop:
            dist %= self.length_m
        elif dist >= self.length_m:
            dist, moving = self.length_m, False
        i = min(max(bisect.bisect_right(self._cum, dist) - 1, 0), len(self._pts) - 2)
        (x0, y0), (x1, y1) = self._pts[i], self._pts[i + 1]
        seg = self._cum[i + 1] - self._cum[i]
        f = 0.0 if seg <= 0 else (dist - self._cum[i]) / seg
        x, y = x0 + f * (x1 - x0), y0 + f * (y1 - y0)
        lat, lon = self.proj.latlon(x, y)
        course = math.degrees(math.atan2(x1 - x0, y1 - y0)) % 360.0
        return Fix(lat, lon, x, y, m.speed_mps if moving else 0.0, course)


class SimClock:
    """Simulation time: ``now()`` = seconds since start times ``speed``; ``utc()`` the
    simulated UTC time (starts at the real time of creation). Thread-safe."""

    def __init__(self, speed: float = 1.0, start_utc: float | None = None) -> None:
        if not speed > 0:
            raise ValueError("speed must be > 0")
        self.speed = float(speed)
        self.start_utc = time.time() if start_utc is None else float(start_utc)
        self._t0 = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._t0) * self.speed

    def utc(self) -> float:
        return self.start_utc + self.now()

    def real_delay(self, sim_s: float) -> float:
        """How long (real seconds) until ``sim_s`` simulated seconds have passed."""
        return max(0.0, sim_s / self.speed)


class ManualClock(SimClock):
    """A clock advanced by hand (tests, benchmarks): time moves only with ``advance``."""

    def __init__(self, start_utc: float = 1_700_000_000.0) -> None:
        self.speed = 1.0
        self.start_utc = start_utc
        self._now = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, dt_s: float) -> float:
        with self._lock:
            self._now += dt_s
            return self._now
