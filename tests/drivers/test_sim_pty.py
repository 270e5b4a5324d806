"""The simulator on real pseudo-terminals: AT over a pty opened with pyserial, clients that
close and reopen the port, symlinks, the in-memory attach, the GPS track recorded through NMEA
(read with drivers.gps over the real pty), and the ``fieldapp simulate`` command."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import serial

from drivers.gps import NmeaSerialSource
from drivers.sim import ScenarioError, start_simulator
from drivers.transport import memory_pair
from fieldapp.buffer import RecordBuffer


def _exchange(ser: serial.Serial, command: bytes, until: bytes = b"OK\r\n", timeout_s: float = 3.0) -> bytes:
    ser.write(command + b"\r")
    got = b""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and until not in got:
        got += ser.read(ser.in_waiting or 1)
    return got


def test_at_over_a_real_pty_and_threads_named_sim():
    with start_simulator("one-way-trx", family="quectel", speed=50) as sim:
        assert sim.port == sim.pty_path and sim.port.startswith("/dev/")
        names = {t.name for t in threading.enumerate()}
        assert {"sim-handset", "sim-gps"} <= names
        with serial.Serial(sim.port, 115200, timeout=0.2) as ser:
            assert _exchange(ser, b"AT+FASIM?") == b'AT+FASIM?\r\r\n+FASIM: 1,"one-way-trx","quectel"\r\n\r\nOK\r\n'
    assert not {t.name for t in threading.enumerate()} & {"sim-handset", "sim-gps"}


def test_the_client_can_close_and_reopen_the_port_and_reads_nothing_stale():
    with start_simulator("one-way-trx", family="simcom", speed=50, gps=False) as sim:
        with serial.Serial(sim.port, 115200, timeout=0.2) as ser:
            assert _exchange(ser, b"AT+CLCC=1").endswith(b"OK\r\n")
            assert _exchange(ser, b"ATD123;").startswith(b"ATD123;\r\r\nOK\r\n")
        time.sleep(0.4)  # the call connects while nobody listens: its URCs are dropped
        for _ in range(3):
            with serial.Serial(sim.port, 115200, timeout=0.2) as ser:
                time.sleep(0.05)
                assert ser.in_waiting == 0
                assert _exchange(ser, b"AT+CPAS") == b"AT+CPAS\r\r\n+CPAS: 4\r\n\r\nOK\r\n"
        with serial.Serial(sim.port, 115200, timeout=0.2) as ser:
            assert _exchange(ser, b"ATH").startswith(b"ATH\r\r\nOK\r\n")


def test_symlinks_are_made_and_removed(tmp_path):
    link, gps_link = str(tmp_path / "handset"), str(tmp_path / "gps")
    with start_simulator("bcch-hung", family="telit", link=link, gps_link=gps_link, speed=20) as sim:
        assert sim.port == link and os.readlink(link) == sim.pty_path
        assert sim.gps_port == gps_link and os.readlink(gps_link) == sim.gps_pty_path
        with serial.Serial(link, 115200, timeout=0.2) as ser:
            assert _exchange(ser, b"AT+CGMI").startswith(b"AT+CGMI\r\r\nTelit\r\n")
    assert not os.path.lexists(link) and not os.path.lexists(gps_link)


def test_an_existing_file_is_not_replaced_by_the_link(tmp_path):
    precious = tmp_path / "handset"
    precious.write_text("keep me")
    with pytest.raises(FileExistsError):
        start_simulator("bcch-hung", link=str(precious), gps=False)
    assert precious.read_text() == "keep me"


def test_bad_scenario_and_family_are_refused_before_anything_starts(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "cells": []}')
    with pytest.raises(ScenarioError, match="bad.json: cells"):
        start_simulator(str(bad))
    with pytest.raises(ValueError, match="unknown family"):
        start_simulator("bcch-hung", family="nokia")


def test_in_memory_attach():
    host, device = memory_pair(read_timeout_s=0.05)
    with start_simulator("sdcch-trx", family="quectel", speed=50, gps=False, transport=device) as sim:
        assert sim.port == device.name
        host.write(b"AT+CSQ\r")
        got = b""
        deadline = time.monotonic() + 3
        while b"OK\r\n" not in got and time.monotonic() < deadline:
            got += host.read()
        assert got.startswith(b"AT+CSQ\r\r\n+CSQ: ")
        host.close()


def test_gps_track_recorded_through_nmea_matches_the_route_within_10_m():
    buf = RecordBuffer()
    with start_simulator("demo-drive", family="quectel", speed=50) as sim:
        src = NmeaSerialSource(sim.gps_port, 4800)
        src.start(buf)
        time.sleep(2.0)  # the span of the stamps is checked below
        src.stop()
        positions = buf.drain()
        engine = sim.engine
        assert len(positions) >= 40 and src.bad_sentences == 0
        worst = 0.0
        for p in positions:
            # Stamped in real time: the simulated second is (real - start) x speed.
            truth = engine.mover.at((p.ts_utc - engine.clock.start_utc) * engine.clock.speed)
            x, y = engine.world.proj.xy(p.lat, p.lon)
            worst = max(worst, math.hypot(x - truth.x, y - truth.y))
        assert worst < 10.0
        moved = engine.world.proj.xy(positions[-1].lat, positions[-1].lon)
        first = engine.world.proj.xy(positions[0].lat, positions[0].lon)
        assert math.dist(moved, first) > 300  # 40 s at 40 km/h: it really drove
        assert positions[5].speed_mps == pytest.approx(40 / 3.6, abs=0.1)
        # One fix per simulated second, stamped in real time: 1/50 s apart at speed 50 (not 1 s
        # of simulated UTC apart, which put a recording's track far past its samples).
        span = positions[-1].ts_utc - positions[0].ts_utc
        assert span == pytest.approx((len(positions) - 1) / 50, rel=0.05, abs=0.005)
        assert positions[-1].ts_utc <= time.time() + 0.5


# ---------------------------------------------------------------- the CLI


def test_cli_simulate_prints_the_paths_serves_and_exits_0_on_sigint(tmp_path):
    link = tmp_path / "h"
    proc = subprocess.Popen(
        [sys.executable, "-m", "fieldapp", "simulate", "--scenario", "sdcch-trx", "--family", "simcom",
         "--speed", "20", "--link", str(link), "--gps-link", str(tmp_path / "g")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().strip()
        second = proc.stdout.readline().strip()
        assert first == f"handset: {link}" and second == f"gps: {tmp_path / 'g'}"
        with serial.Serial(str(link), 115200, timeout=0.2) as ser:
            assert b"SIMCOM_SIM800L" in _exchange(ser, b"AT+CGMM")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert not link.exists()


def test_cli_scenarios_and_bad_usage(capsys):
    from fieldapp.cli import main

    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) >= 7 and any(line.startswith("one-way-trx ") for line in out)
    assert main(["simulate", "--scenario", "nowhere"]) == 2
    assert "nowhere: no such scenario" in capsys.readouterr().err
    assert main(["simulate", "--speed", "0"]) == 2
