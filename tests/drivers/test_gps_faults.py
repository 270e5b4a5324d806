"""A bad GPS sentence is one bad sentence (issue 16 point 4): every NMEA field error is a
counted bad sentence (never another exception, never a dead reader thread), and a GPS source
that stops giving positions says so with an event.

Sentences are built with valid checksums from the BU-353-S4 lines of test_gps.py, so only the
field is wrong; the reader runs on a real pty."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import tty

import pytest

from drivers.gps import NmeaSerialSource, wait_for
from fieldapp import nmea
from fieldapp.model import EV_GPS_BACK, EV_GPS_LOST, Event, Position
from fieldapp.store import Store
from tests.drivers.test_gps import BU353_NMEA, T19, pty_pair  # noqa: F401  (fixture)
from tests.support.peer import AtPeer

GGA = "GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000"
RMC = "GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A"


def _with_field(body: str, index: int, value: str) -> str:
    fields = body.split(",")
    fields[index] = value
    return nmea.format_sentence(",".join(fields))


BROKEN = [
    (GGA, 1, "123456.x"),   # the time that killed the GPS thread
    (GGA, 1, "1234567e5"),
    (GGA, 1, "256060"),
    (GGA, 2, "37x7.0873"),
    (GGA, 3, "Q"),
    (GGA, 6, "1.5.2"),
    (GGA, 7, "eight"),
    (GGA, 8, "1e999"),
    (GGA, 9, "nan"),
    (RMC, 1, "03071"),
    (RMC, 1, "030719.000.1"),
    (RMC, 3, "9999.0"),
    (RMC, 7, "fast"),
    (RMC, 9, "3112x4"),
    (RMC, 9, "321314"),
]


@pytest.mark.parametrize("body,index,value", BROKEN, ids=[f"{b[2:5]}-{i}-{v}" for b, i, v in BROKEN])
def test_every_field_error_is_an_nmea_error(body, index, value):
    with pytest.raises(nmea.NmeaError):
        nmea.parse_sentence(_with_field(body, index, value))


def test_the_reader_survives_a_bad_time_and_keeps_giving_positions(pty_pair):  # noqa: F811
    master, path = pty_pair
    got: list[Position] = []
    src = NmeaSerialSource(path, 4800)
    src.start(got.append)
    try:
        lines = list(BU353_NMEA)
        lines.insert(4, _with_field(GGA, 1, "123456.x"))  # between the first and second second
        os.write(master, ("\r\n".join(lines) + "\r\n").encode())
        assert wait_for(lambda: len(got) == 3, 5), got
        assert src.running
    finally:
        src.stop()
    assert [p.ts_utc for p in got] == [T19, T19 + 1, T19 + 2]
    assert src.bad_sentences == 1 and any("123456.x" in e for e in src.errors)


def test_a_source_that_stops_giving_positions_says_so_and_says_when_they_return(pty_pair):  # noqa: F811
    master, path = pty_pair
    got: list[object] = []
    src = NmeaSerialSource(path, 4800)
    src.fix_lost_s = 0.6
    src.start(got.append)
    try:
        os.write(master, ("\r\n".join(BU353_NMEA[:4]) + "\r\n").encode())  # one fix, then silence
        assert wait_for(lambda: any(isinstance(r, Event) for r in got), 5)
        lost = [r for r in got if isinstance(r, Event)]
        assert [e.kind for e in lost] == [EV_GPS_LOST] and "no position for" in lost[0].text
        assert not src.has_fix
        time.sleep(1.0)  # still silent: said once, not every second
        assert len([r for r in got if isinstance(r, Event)]) == 1
        os.write(master, ("\r\n".join(BU353_NMEA[4:]) + "\r\n").encode())
        assert wait_for(lambda: any(isinstance(r, Event) and r.kind == EV_GPS_BACK for r in got), 5)
        assert src.has_fix
    finally:
        src.stop()


# ------------------------------------------------------------------ record end to end

def _gps_writer(master: int, stop: threading.Event) -> None:
    """A GPS puck: one RMC+GGA per 0.3 s at the current time, and every fourth time a GGA
    with a bad time field (the reader may open the port after the first few)."""
    n = 0
    while not stop.is_set():
        now = time.time()
        t = time.strftime("%H%M%S", time.gmtime(now)) + f".{int(now * 10) % 10}00"
        d = time.strftime("%d%m%y", time.gmtime(now))
        rmc = f"GPRMC,{t},A,3747.0873,S,17518.8938,E,0.69,181.39,{d},,,A"
        gga = f"GPGGA,{t},3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000"
        out = [nmea.format_sentence(gga), nmea.format_sentence(rmc)]
        if n % 4 == 1:
            out.append(_with_field(GGA, 1, "123456.x"))
        try:
            os.write(master, ("\r\n".join(out) + "\r\n").encode())
        except OSError:
            return
        n += 1
        stop.wait(0.3)


@pytest.mark.slow
def test_record_keeps_positions_after_a_bad_gps_sentence(tmp_path):
    from tests.drivers.test_handset_source import quectel_table

    master, slave = os.openpty()
    tty.setraw(slave)
    stop = threading.Event()
    writer = threading.Thread(target=_gps_writer, args=(master, stop), daemon=True)
    ws = tmp_path / "ws.db"
    try:
        with AtPeer(quectel_table()) as modem:
            writer.start()
            res = subprocess.run([sys.executable, "-m", "fieldapp", "record", modem.port, "--gps",
                                  os.ttyname(slave), "--rate", "0.3", "--duration", "4",
                                  "--workspace", str(ws)], capture_output=True, text=True, timeout=60)
    finally:
        stop.set()
        writer.join(2)
        os.close(master)
        os.close(slave)
    assert res.returncode == 0, res.stderr
    assert "bad sentences skipped" in res.stderr
    with Store.open(ws) as store:
        positions = sum(len(store.positions(info.id)) for info in store.sessions())
    assert positions >= 6  # about 3 per second for 4 s; the old reader died at the first bad one


def test_the_window_status_says_when_the_gps_gives_no_fix(tmp_path, pty_pair):  # noqa: F811
    from fieldapp.live import ConnectRequest, LinkStatus, LiveSession
    from tests.drivers.test_handset_source import quectel_table

    master, path = pty_pair
    got: list[object] = []

    def gps_factory(kind, address):
        src = NmeaSerialSource(address, 4800)
        src.fix_lost_s = 0.5
        return src

    controller = LiveSession(got.append, tmp_path / "ws.db", gps_factory=gps_factory)
    with AtPeer(quectel_table()) as modem:
        controller.connect(ConnectRequest(port=modem.port, rate_s=0.5, gps="nmea", gps_address=path))
        assert wait_for(lambda: (controller.status().gps or "").endswith("(no fix)"), 10), controller.status()
        os.write(master, ("\r\n".join(BU353_NMEA) + "\r\n").encode())
        assert wait_for(lambda: controller.status().gps == f"NMEA {path}", 5), controller.status()
        controller.shutdown()
    assert any(isinstance(r, Event) and r.kind == EV_GPS_LOST for r in got)
    assert any(isinstance(r, LinkStatus) and (r.gps or "").endswith("(no fix)") for r in got)
