"""The simulated GPS: NMEA 0183 GGA + RMC once per simulated second along the handset's track,
written to its own pseudo-terminal (a GPS puck on a second serial port)::

    $GPGGA,101500.000,4812.00000,N,01622.20000,E,1,09,0.9,50.0,M,0.0,M,,*hh
    $GPRMC,101500.000,A,4812.00000,N,01622.20000,E,21.60,135.00,281126,,,A*hh

Positions carry the scenario's GPS noise (metres, seeded), like a real receiver's few metres.
"""

from __future__ import annotations

import math
import threading

from drivers.sim.movement import Fix, Mover, SimClock
from drivers.sim.pty import PtyPort
from drivers.sim.world import EARTH_R_M, keyed_gauss
from fieldapp import nmea

CATCH_UP_LIMIT_S = 10  # further behind than this (a stalled host), skip ahead


def noisy(fix: Fix, noise_m: float, seed: int, second: int) -> tuple[float, float]:
    if noise_m <= 0:
        return fix.lat, fix.lon
    dn = noise_m * keyed_gauss(seed, 0x6E, second)
    de = noise_m * keyed_gauss(seed, 0x6F, second)
    lat = fix.lat + math.degrees(dn / EARTH_R_M)
    lon = fix.lon + math.degrees(de / (EARTH_R_M * math.cos(math.radians(fix.lat))))
    return lat, lon


def nmea_epoch(mover: Mover, clock: SimClock, utc_second: int, *, noise_m: float = 0.0, seed: int = 1,
               alt_m: float = 50.0, talker: str = "GP") -> list[str]:
    """The GGA and RMC sentences of one whole second of simulated UTC (as a receiver prints
    them: ``hhmmss.sss``), stamped with the real UTC at which that simulated second happens.
    At ``--speed`` 20 a fix comes every 0.05 s of real time, stamped so (``101500.050``): the
    handset's samples are stamped by the recorder's real clock, and a GPS running on the
    simulated clock would put the track 20 times as long as the recording (a one-minute
    session with positions until 20 minutes later). At speed 1 both are the same."""
    fix = mover.at(utc_second - clock.start_utc)
    lat, lon = noisy(fix, noise_m, seed, utc_second)
    ts = clock.start_utc + (utc_second - clock.start_utc) / clock.speed
    sats = 8 + int(abs(keyed_gauss(seed, 0x5A, utc_second // 30)) * 2)
    return [nmea.format_gga(ts, lat, lon, alt_m=alt_m, sats=sats, hdop=0.9, talker=talker),
            nmea.format_rmc(ts, lat, lon, speed_mps=fix.speed_mps, course_deg=fix.course_deg, talker=talker)]


def serve_gps(port: PtyPort, mover: Mover, clock: SimClock, stop: threading.Event, *,
              noise_m: float, seed: int, alt_m: float) -> None:
    """Thread "sim-gps": one epoch per simulated second; what the client writes is discarded."""
    second = math.ceil(clock.start_utc + max(0.0, clock.now()))  # whole seconds of simulated UTC
    while not stop.is_set():
        now = clock.start_utc + clock.now()
        if now < second:
            stop.wait(min(0.25, clock.real_delay(second - now)))
            continue
        if now - second > CATCH_UP_LIMIT_S:
            second = int(now)
        if port.wait_readable(0):
            port.read()
        lines = nmea_epoch(mover, clock, second, noise_m=noise_m, seed=seed, alt_m=alt_m)
        port.write(("\r\n".join(lines) + "\r\n").encode("ascii"))
        second += 1
