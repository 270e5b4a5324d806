"""Live GPS sources: the NMEA serial reader on a real pty and the gpsd client against a small
fake gpsd on 127.0.0.1 speaking gpsd JSON.

Real data: NMEA sentences and the gpsd JSON objects decoded from them, GlobalSat BU-353-S4,
gpsd test log test/daemon/bu353s4.log and its expected output bu353s4.log.chk (ntpsec/gpsd @
3652a3178afde8029f078bebb96d6c7b500d3b52 and 69b540acdcb5a83959d0702f53b38eef26e08e07,
BSD-2-Clause).
"""

from __future__ import annotations

import calendar
import json
import os
import socket
import threading
import tty

import pytest

from drivers.gps import GpsdSource, NmeaSerialSource, tpv_position, wait_for
from drivers.transport import PortError
from fieldapp.model import Position

BU353_NMEA = [
    "# Name: GlobalSat BU-353-S4",
    "$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D",
    "$GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5*33",
    "$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D",
    "$GPGGA,030720.000,3747.0875,S,17518.8938,E,1,08,1.1,59.8,M,23.7,M,,0000*70",
    "$GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5*33",
    "$GPRMC,030720.000,A,3747.0875,S,17518.8938,E,1.15,181.39,311214,,,A*7B",
    "$GPGGA,030721.000,3747.0876,S,17518.8934,E,1,08,1.1,60.1,M,23.7,M,,0000*7D",
    "$GPGSV,3,1,12,17,72,207,32,28,59,095,31,06,35,347,25,01,29,132,23*7B",
    "$GPRMC,030721.000,A,3747.0876,S,17518.8934,E,0.89,181.39,311214,,,A*71",
]
BU353_GPSD = [
    '{"class":"TPV","mode":3,"lat":-37.784788333,"lon":175.314896667,"altHAE":83.6000,"altMSL":59.9000,"alt":59.9000,"magvar":20.5,"geoidSep":23.700,"eph":20.900}',
    '{"class":"SKY","hdop":1.10,"uSat":8}',
    '{"class":"TPV","mode":3,"time":"2014-12-31T03:07:19.000Z","ept":0.005,"lat":-37.784788333,"lon":175.314896667,"altHAE":83.6000,"altMSL":59.9000,"alt":59.9000,"epv":34.500,"track":181.3900,"magtrack":201.9320,"magvar":20.5,"speed":0.355,"geoidSep":23.700,"eph":20.900,"sep":34.200}',
    '{"class":"SKY","hdop":1.10,"pdop":1.80,"vdop":1.50,"uSat":8}',
    '{"class":"TPV","mode":3,"time":"2014-12-31T03:07:20.000Z","ept":0.005,"lat":-37.784791667,"lon":175.314896667,"altHAE":83.5000,"altMSL":59.8000,"alt":59.8000,"epv":34.500,"track":181.3900,"magtrack":201.9320,"magvar":20.5,"speed":0.592,"climb":-0.100,"epc":69.00,"geoidSep":23.700,"eph":20.900,"sep":34.200}',
]
T19 = calendar.timegm((2014, 12, 31, 3, 7, 19))


# ---------------------------------------------------------------- NMEA over a serial port


@pytest.fixture
def pty_pair():
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    yield master, path
    for fd in (master, slave):
        try:
            os.close(fd)
        except OSError:
            pass


def test_nmea_reader_on_a_real_pty_emits_one_position_per_second(pty_pair):
    master, path = pty_pair
    got: list[Position] = []
    src = NmeaSerialSource(path, 4800)
    src.start(got.append)
    try:
        assert {t.name for t in threading.enumerate()} >= {"gps-reader"}
        os.write(master, ("\r\n".join(BU353_NMEA) + "\r\n").encode())
        assert wait_for(lambda: len(got) == 3, 5)
    finally:
        src.stop()
    assert [p.ts_utc for p in got] == [T19, T19 + 1, T19 + 2]
    assert got[0].lat == pytest.approx(-(37 + 47.0873 / 60)) and got[0].alt_m == pytest.approx(59.9)
    assert got[2].lon == pytest.approx(175 + 18.8934 / 60) and got[2].sats == 8
    assert src.bad_sentences == 0


def test_nmea_reader_skips_bad_checksums_and_noise_without_losing_good_fixes(pty_pair):
    master, path = pty_pair
    got: list[Position] = []
    src = NmeaSerialSource(path, 4800)
    src.start(got.append)
    try:
        lines = list(BU353_NMEA)
        lines[3] = lines[3].replace("*7D", "*00")  # RMC of 03:07:19 corrupted
        noise = b"\x00\xff garbage $GP\r\n"
        os.write(master, noise + ("\r\n".join(lines) + "\r\n").encode())
        assert wait_for(lambda: len(got) == 2 and src.bad_sentences >= 1, 5)
    finally:
        src.stop()
    assert [p.ts_utc for p in got] == [T19 + 1, T19 + 2]  # no wrong point for the bad second
    assert any("checksum" in e for e in src.errors)


def test_nmea_reader_survives_the_device_going_away(pty_pair):
    master, path = pty_pair
    got: list[Position] = []
    src = NmeaSerialSource(path, 4800)
    src.start(got.append)
    os.write(master, ("\r\n".join(BU353_NMEA[:4]) + "\r\n").encode())
    assert wait_for(lambda: len(got) == 1, 5)
    os.close(master)  # the puck is unplugged
    assert wait_for(lambda: bool(src.errors), 5)
    assert src.running
    src.stop()
    assert not src.running


def test_nmea_reader_refuses_a_missing_port():
    with pytest.raises(PortError, match="no such device"):
        NmeaSerialSource("/dev/does-not-exist-gps").start(lambda p: None)


# ---------------------------------------------------------------- gpsd


class FakeGpsd:
    """A tiny gpsd: VERSION on connect, and after ?WATCH the DEVICES/WATCH answers and then the
    given JSON lines."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.watch_seen = threading.Event()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, name="fake-gpsd", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            conn.sendall(b'{"class":"VERSION","release":"3.25","rev":"3.25","proto_major":3,"proto_minor":15}\n')
            data = b""
            while b"?WATCH=" not in data:
                chunk = conn.recv(1024)
                if not chunk:
                    return
                data += chunk
            self.watch_seen.set()
            conn.sendall(b'{"class":"DEVICES","devices":[{"class":"DEVICE","path":"/dev/ttyUSB0","driver":"SiRF"}]}\n'
                         b'{"class":"WATCH","enable":true,"json":true}\n')
            for line in self.lines:
                conn.sendall(line.encode() + b"\n")
            try:
                conn.recv(1)  # hold the connection until the client goes
            except OSError:
                pass

    def close(self) -> None:
        self.server.close()
        self.thread.join(timeout=3)


def test_gpsd_client_watches_and_merges_partial_tpvs():
    fake = FakeGpsd(BU353_GPSD + ["not json", '["a list"]'])
    got: list[Position] = []
    src = GpsdSource("127.0.0.1", fake.port)
    try:
        src.start(got.append)
        assert fake.watch_seen.wait(3)
        assert wait_for(lambda: len(got) == 2, 5)
    finally:
        src.stop()
        fake.close()
    assert [p.ts_utc for p in got] == [T19, T19 + 1]
    assert got[0].lat == pytest.approx(-37.784788333) and got[0].alt_m == pytest.approx(59.9)
    assert got[0].speed_mps == pytest.approx(0.355) and got[0].course_deg == pytest.approx(181.39)
    assert got[0].hdop == pytest.approx(1.1) and got[0].sats == 8
    assert src.bad_lines == 2


def test_gpsd_not_running_is_a_port_error():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(PortError, match="gpsd at 127.0.0.1"):
        GpsdSource("127.0.0.1", port).start(lambda p: None)


@pytest.mark.parametrize(("tpv", "expected"), [
    ({"class": "TPV", "mode": 1, "time": "2014-12-31T03:07:19.000Z", "lat": 1, "lon": 2}, None),  # no fix
    ({"class": "TPV", "mode": 3, "lat": 1, "lon": 2}, None),  # no time
    ({"class": "TPV", "mode": 2, "time": "2014-12-31T03:07:19.000Z", "lat": 1.5, "lon": 2.5, "alt": 99},
     Position(ts_utc=T19, lat=1.5, lon=2.5, alt_m=None, fix_quality=1)),  # 2D: altitude not valid
    ({"class": "TPV", "mode": 3, "status": 2, "time": "2014-12-31T03:07:19Z", "lat": 1, "lon": 2, "alt": 7},
     Position(ts_utc=T19, lat=1.0, lon=2.0, alt_m=7.0, fix_quality=2)),
    ({"class": "TPV", "mode": 3, "time": "2014-12-31T03:07:19Z", "lat": 91, "lon": 2}, None),
])
def test_tpv_to_position(tpv, expected):
    assert tpv_position(json.loads(json.dumps(tpv))) == expected
