"""Simulator performance (issue 3): how many times faster than real time a one-hour drive runs
(goal ≥ 100×), and the simulator's CPU at real time (goal < 5 % of one core).

* Speed-up: the demo drive for one simulated hour on a hand-stepped clock, doing per simulated
  second what a recording does — a poll of the family's commands (serving, neighbours, CSQ,
  CREG) and one NMEA GGA+RMC epoch — plus a CQT call (dial, 20 s held, hang up) every minute.
* CPU at real time: ``fieldapp simulate`` in its own process (speed 1, both ptys) while this
  process polls it once a second like the driver does and reads its GPS; the simulator
  process's user+system time is read from /proc.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIM_HOUR_S = 3600
CPU_WINDOW_S = 20.0


def _one_hour(family: str) -> float:
    from drivers.families import get_family
    from drivers.sim.dialects import get_dialect
    from drivers.sim.engine import manual_engine
    from drivers.sim.gps import nmea_epoch
    from drivers.sim.handset import Handset
    from drivers.sim.scenario import load_scenario

    engine, clock = manual_engine(load_scenario("demo-drive"), 1)
    handset = Handset(engine, get_dialect(family))
    fam = get_family(family)
    polls = [c.encode() + b"\r" for c in fam.poll_commands]
    for cmd in fam.init_commands:
        handset.feed(cmd.encode() + b"\r")
    t0 = time.perf_counter()
    for second in range(SIM_HOUR_S):
        clock.advance(1.0)
        handset.tick()
        for cmd in polls:
            handset.feed(cmd)
        if second % 60 == 5:
            handset.feed(b"ATD0800123;\r")
        elif second % 60 == 35:
            handset.feed(b"ATH\r")
        nmea_epoch(engine.mover, clock, int(clock.start_utc) + second, noise_m=1.0)
        handset.take_output()
    return time.perf_counter() - t0


def _proc_cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_at_real_time() -> float | None:
    if not os.path.exists(f"/proc/{os.getpid()}/stat"):
        return None
    import serial

    with tempfile.TemporaryDirectory() as tmp:
        link, gps_link = Path(tmp) / "handset", Path(tmp) / "gps"
        sim = subprocess.Popen([sys.executable, "-m", "fieldapp", "simulate", "--scenario", "demo-drive",
                                "--link", str(link), "--gps-link", str(gps_link)],
                               stdout=subprocess.PIPE, text=True)
        try:
            sim.stdout.readline()
            sim.stdout.readline()
            time.sleep(1.0)  # start-up (imports) is not the steady state
            with serial.Serial(str(link), 115200, timeout=0.5) as at, \
                    serial.Serial(str(gps_link), 4800, timeout=0) as gps:
                cpu0, wall0 = _proc_cpu_s(sim.pid), time.perf_counter()
                while time.perf_counter() - wall0 < CPU_WINDOW_S:
                    for cmd in (b"AT+CSQ\r", b"AT+CREG?\r", b'AT+QENG="servingcell"\r',
                                b'AT+QENG="neighbourcell"\r'):
                        at.write(cmd)
                        at.read_until(b"OK\r\n")
                    gps.read(4096)
                    time.sleep(max(0.0, 1.0 - (time.perf_counter() - wall0) % 1.0))
                cpu, wall = _proc_cpu_s(sim.pid) - cpu0, time.perf_counter() - wall0
        finally:
            sim.terminate()
            sim.wait(10)
    return 100.0 * cpu / wall


def run() -> dict:
    out: dict = {}
    for family in ("quectel", "simcom", "telit"):
        wall = _one_hour(family)
        out[f"one-hour drive, {family}: x real time (goal >= 100)"] = SIM_HOUR_S / wall
    cpu = _cpu_at_real_time()
    out["CPU at real time, % of one core (goal < 5)"] = cpu if cpu is not None else "n/a (no /proc)"
    return out


if __name__ == "__main__":  # pragma: no cover
    for key, value in run().items():
        print(f"{key:<52} {value}")
