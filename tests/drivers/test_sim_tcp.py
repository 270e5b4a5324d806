"""The simulator on a loopback TCP port (for machines without pseudo-terminals, e.g.
Windows): the real driver opens ``socket://127.0.0.1:PORT`` through pyserial, probes the
handset and polls it; the GPS comes over its own socket; ``fieldapp simulate --tcp`` with
``fieldapp probe`` and ``fieldapp record`` on the socket addresses, end to end."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from drivers.gps import NmeaSerialSource
from drivers.handset import HandsetSource
from drivers.sim import server as sim_server
from drivers.sim import start_simulator
from drivers.sim.tcp import TcpPort, parse_tcp_address
from drivers.transport import open_port
from fieldapp.model import Position, Sample

FIELDAPP = [sys.executable, "-m", "fieldapp"]


@pytest.mark.parametrize("text, expected", [
    ("127.0.0.1:7001", ("127.0.0.1", 7001)),
    ("socket://127.0.0.1:7001", ("127.0.0.1", 7001)),
    (":7001", ("127.0.0.1", 7001)),
    ("7001", ("127.0.0.1", 7001)),
    ("127.0.0.1:0", ("127.0.0.1", 0)),
    ("[::1]:7001", ("::1", 7001)),
])
def test_tcp_addresses(text, expected):
    assert parse_tcp_address(text) == expected


@pytest.mark.parametrize("text", ["127.0.0.1:http", "127.0.0.1:70000", "localhost:"])
def test_bad_tcp_addresses_say_what_is_expected(text):
    with pytest.raises(ValueError, match="TCP address"):
        parse_tcp_address(text)


def _at(conn, command: bytes, until: bytes = b"OK\r\n", timeout_s: float = 3.0) -> bytes:
    conn.write(command + b"\r")
    got = b""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and until not in got:
        got += conn.read()
    return got


def test_the_real_driver_probes_and_polls_the_handset_over_tcp():
    with start_simulator("one-way-trx", family="telit", speed=20, tcp=("127.0.0.1", 0)) as sim:
        assert sim.kind == "tcp" and sim.port.startswith("socket://127.0.0.1:") and sim.pty_path is None
        assert sim.gps_port.startswith("socket://127.0.0.1:") and sim.gps_port != sim.port
        source = HandsetSource(sim.port, 115200)
        caps = source.open()
        assert caps.family == "telit"
        got: list = []
        source.start(got.append)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and sum(isinstance(r, Sample) for r in got) < 2:
                time.sleep(0.1)
        finally:
            source.stop()
        samples = [r for r in got if isinstance(r, Sample)]
        assert len(samples) >= 2 and samples[-1].serving is not None


def test_gps_over_tcp_through_the_nmea_reader():
    with start_simulator("demo-drive", speed=5, tcp="127.0.0.1:0") as sim:
        fixes: list = []
        gps = NmeaSerialSource(sim.gps_port)
        gps.start(fixes.append)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not any(isinstance(f, Position) for f in fixes):
                time.sleep(0.1)
        finally:
            gps.stop()
        pos = [f for f in fixes if isinstance(f, Position)]
        assert pos and 47 < pos[0].lat < 49 and 16 < pos[0].lon < 17  # the demo drive in Vienna


def test_a_new_client_takes_the_port_and_a_closed_one_frees_it():
    with start_simulator("one-way-trx", speed=20, tcp=("127.0.0.1", 0), gps=False) as sim:
        first = open_port(sim.port)
        assert b"OK" in _at(first, b"AT")
        second = open_port(sim.port)  # like a crashed client's successor: replaces the first
        assert b'+FASIM: 1,"one-way-trx"' in _at(second, b"AT+FASIM?")
        second.close()
        first.close()
        third = open_port(sim.port)
        try:
            assert b"OK" in _at(third, b"AT")
        finally:
            third.close()


def test_without_ptys_the_simulator_serves_on_loopback_tcp(monkeypatch):
    monkeypatch.setattr(sim_server, "pty_available", lambda: False)
    with start_simulator("one-way-trx", speed=20) as sim:
        assert sim.kind == "tcp" and sim.port.startswith("socket://127.0.0.1:")
        conn = open_port(sim.port)
        try:
            assert b"OK" in _at(conn, b"AT")
        finally:
            conn.close()
    assert not {t.name for t in threading.enumerate()} & {"sim-handset", "sim-gps"}


def test_tcp_port_drops_output_while_nobody_listens():
    port = TcpPort()
    try:
        assert not port.connected()
        port.write(b"RING\r\n")
        assert port.dropped_bytes == 6
        with socket.create_connection((port.host, port.port)) as client:
            assert port.connected()
            port.write(b"OK\r\n")
            client.settimeout(2)
            assert client.recv(16) == b"OK\r\n"
    finally:
        port.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_simulate_tcp_then_probe_and_record_on_the_socket(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(FIELDAPP + ["simulate", "--scenario", "bus-stop-tilt13", "--speed", "5",
                                        "--tcp", f"127.0.0.1:{port}", "--gps-tcp", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        handset = proc.stdout.readline().strip()
        gps = proc.stdout.readline().strip()
        assert handset == f"handset: socket://127.0.0.1:{port}", proc.stderr.read() if proc.poll() else handset
        assert gps.startswith("gps: socket://127.0.0.1:")
        url, gps_url = handset.split(" ", 1)[1], gps.split(" ", 1)[1]
        ws = str(tmp_path / "ws.db")
        probe = subprocess.run(FIELDAPP + ["probe", url, "--json"], capture_output=True, text=True, timeout=60)
        assert probe.returncode == 0, probe.stderr
        assert json.loads(probe.stdout)["family"] == "quectel"
        rec = subprocess.run(FIELDAPP + ["--workspace", ws, "record", url, "--gps", gps_url, "--rate", "0.3",
                                         "--duration", "2"],
                             capture_output=True, text=True, timeout=60)
        assert rec.returncode == 0, rec.stderr
        sessions = json.loads(subprocess.run(FIELDAPP + ["--workspace", ws, "sessions", "--json"],
                                             capture_output=True, text=True, timeout=30).stdout)
        assert sessions[0]["samples"] >= 2 and sessions[0]["source"].endswith(url)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_simulate_refuses_a_bad_tcp_address():
    run = subprocess.run(FIELDAPP + ["simulate", "--tcp", "127.0.0.1:http"], capture_output=True, text=True,
                         timeout=30)
    assert run.returncode == 2 and run.stderr.strip().startswith("fieldapp: TCP address")


WITHOUT_POSIX = """
import os, sys
import serial, serial.tools.list_ports  # pyserial picks its own backend per OS
for name in ("tty", "grp", "pwd", "pty"):  # what Windows lacks; importing them raises ImportError
    sys.modules[name] = None
del os.openpty
from drivers.sim import server, start_simulator
import fieldapp.cli, fieldapp.doctor, fieldapp.syscheck
assert not server.pty_available()
with start_simulator("one-way-trx", speed=20, gps=False) as sim:
    print(sim.kind, sim.port)
"""


def test_without_posix_modules_the_simulator_imports_and_serves_tcp():
    """As on Windows (no tty/termios for ptys, no grp/pwd, no os.openpty): the simulator, the
    CLI and the doctor import, and the simulator serves on loopback TCP by itself."""
    res = subprocess.run([sys.executable, "-c", WITHOUT_POSIX], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("tcp socket://127.0.0.1:")


def test_a_socket_port_reads_all_waiting_bytes_in_one_read():
    """Issue 12 point 7: pyserial's socket:// says "1 waiting" for a readable socket, so a reply
    used to come one byte per read (one raw-traffic row per byte). The whole ATI reply that is
    waiting comes in one read."""
    from drivers.transport import open_port

    with start_simulator("one-way-trx", family="quectel", speed=20, tcp=("127.0.0.1", 0), gps=False) as sim:
        conn = open_port(sim.port)
        try:
            conn.write(b"ATI\r")
            time.sleep(0.5)  # the reply is all there before the first read
            first = conn.read()
        finally:
            conn.close()
    assert first.startswith(b"ATI") and first.rstrip().endswith(b"OK"), first
