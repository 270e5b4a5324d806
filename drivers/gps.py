"""Live GPS sources: NMEA 0183 from a serial port (a GPS puck, or the simulator's GPS pty) and a
gpsd client over TCP JSON. Both emit ``model.Position`` records to a sink (a callable, or an
object with ``put`` such as ``fieldapp.buffer.RecordBuffer``) from their own thread named
"gps-reader"; ``stop()`` joins it. A device that goes away is reopened every second until
``stop()``; sentences with a bad checksum are counted and skipped, never turned into points.

gpsd protocol (gpsd_json(5), docs/log-formats.md §5.2): after connecting, send
``?WATCH={"enable":true,"json":true}``; gpsd answers ``VERSION``/``DEVICES``/``WATCH`` objects and
then streams ``TPV`` (time-position-velocity) and ``SKY`` objects, one JSON object per line::

    {"class":"TPV","mode":3,"time":"2014-12-31T03:07:21.000Z","lat":-37.784793333,
     "lon":175.314890000,"altMSL":60.1000,"track":181.3900,"speed":0.458,...}

gpsd sends several partial TPVs per second (one per NMEA sentence it decoded): they are merged
by ``time`` and one Position per time is emitted.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import datetime
from typing import Any

from drivers.transport import DeviceGone, PortError, Transport, open_port
from fieldapp import nmea
from fieldapp.model import EV_GPS_BACK, EV_GPS_LOST, Event, Position

RETRY_S = 1.0
MAX_LINE = 4096
# No position for this long (after start, or after the last one) is an event: the recording
# says where it has no positions and why, instead of a silent hole.
GPS_FIX_LOST_S = 10.0


def deliver(sink: Any, record: Any) -> None:
    put = getattr(sink, "put", None)
    if put is not None:
        put(record)
    else:
        sink(record)


class _ReaderThread:
    """Start/stop plumbing shared by both sources."""

    name = "gps"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sink: Any = None
        self.positions = 0
        self.errors: list[str] = []  # last few problems (reconnects, bad lines), for the UI
        self.fix_lost_s = GPS_FIX_LOST_S
        self.has_fix = False  # a position came within fix_lost_s
        self._last_fix = time.monotonic()
        self._lost_reported = False

    def _note(self, text: str) -> None:
        self.errors = ([*self.errors, text])[-20:]

    def _emit(self, pos: Position) -> None:
        self.positions += 1
        self._last_fix = time.monotonic()
        self.has_fix = True
        if self._lost_reported:
            self._lost_reported = False
            deliver(self._sink, Event(time.time(), EV_GPS_BACK, f"{self.name}: positions again",
                                      {"gps": self.name}))
        deliver(self._sink, pos)

    def _check_fix(self) -> None:
        """Called by the reader loop at least every read timeout: a source that gives no
        position for ``fix_lost_s`` (at start or after the last one) says so once."""
        quiet = time.monotonic() - self._last_fix
        if quiet < self.fix_lost_s or self._lost_reported:
            return
        self.has_fix = False
        self._lost_reported = True
        why = f"; last problem: {self.errors[-1]}" if self.errors else ""
        text = (f"{self.name}: no position for {quiet:.0f} s" if self.positions
                else f"{self.name}: no position in the first {quiet:.0f} s") + why
        self._note(text)
        deliver(self._sink, Event(time.time(), EV_GPS_LOST, text,
                                  {"gps": self.name, "positions": self.positions}))

    def _launch(self, sink: Any) -> None:
        self._sink = sink
        self._last_fix = time.monotonic()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="gps-reader", daemon=True)
        self._thread.start()

    def _run(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def stop(self) -> None:
        self._stop.set()
        self._interrupt()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5.0)
        self._thread = None
        self._close()

    def _interrupt(self) -> None:
        pass

    def _close(self) -> None:
        pass

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


class NmeaSerialSource(_ReaderThread):
    """NMEA from a serial port (``/dev/ttyUSB0``, a pty, or a pyserial URL)."""

    def __init__(self, port: str, baud: int = 4800, read_timeout_s: float = 0.2) -> None:
        super().__init__()
        self.port = port
        self.baud = baud
        self.name = f"gps:{port}"
        self._timeout = read_timeout_s
        self._transport: Transport | None = None
        self.sentences = 0
        self.bad_sentences = 0

    def start(self, sink: Any) -> None:
        """Open the port (``PortError`` with a one-line reason when it cannot be used) and
        start reading."""
        self._transport = open_port(self.port, self.baud, self._timeout)
        self._launch(sink)

    def _interrupt(self) -> None:
        t = self._transport
        if t is not None:
            t.cancel_read()

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def _run(self) -> None:
        assembler = nmea.PositionAssembler()
        buf = b""
        while not self._stop.is_set():
            self._check_fix()
            t = self._transport
            if t is None:
                if not self._reopen():
                    continue
                t = self._transport
                assert t is not None
                assembler, buf = nmea.PositionAssembler(), b""
            try:
                data = t.read()
            except DeviceGone as exc:
                self._note(f"{self.port}: {exc}")
                self._close()
                continue
            if not data:
                continue
            buf += data
            *lines, buf = buf.split(b"\n")
            if len(buf) > MAX_LINE:  # no line end in sight: garbage, not NMEA
                buf = b""
            for raw in lines:
                self._line(raw.decode("ascii", "replace").strip(), assembler)

    def _line(self, line: str, assembler: nmea.PositionAssembler) -> None:
        if not line.startswith("$"):
            return
        try:
            sentence = nmea.parse_sentence(line)
            pos = assembler.feed(sentence)
        except Exception as exc:  # NmeaError, or a bug: one bad sentence, never a dead thread
            self.bad_sentences += 1
            self._note(f"bad NMEA ({exc}): {line[:80]}")
            return
        self.sentences += 1
        if pos is not None:
            self._emit(pos)

    def _reopen(self) -> bool:
        if self._stop.wait(RETRY_S):
            return False
        try:
            self._transport = open_port(self.port, self.baud, self._timeout)
            return True
        except PortError as exc:
            self._note(str(exc))
            return False


def parse_iso_utc(text: str) -> float | None:
    """gpsd's ``2014-12-31T03:07:21.000Z`` → POSIX seconds."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


def tpv_position(tpv: dict[str, Any], sky: dict[str, Any] | None = None) -> Position | None:
    """A gpsd TPV object → Position; None without a 2D/3D fix, a time or a position."""
    mode = tpv.get("mode")
    lat, lon = tpv.get("lat"), tpv.get("lon")
    ts = parse_iso_utc(tpv.get("time", "")) if isinstance(tpv.get("time"), str) else None
    if not isinstance(mode, int) or mode < 2 or ts is None:
        return None
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None

    def num(key: str, src: dict[str, Any] | None = tpv) -> float | None:
        v = (src or {}).get(key)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    alt = num("altMSL") if num("altMSL") is not None else num("alt")
    sats = (sky or {}).get("uSat")
    return Position(ts_utc=ts, lat=float(lat), lon=float(lon), alt_m=alt if mode == 3 else None,
                    speed_mps=num("speed"), course_deg=num("track"), hdop=num("hdop", sky),
                    sats=sats if isinstance(sats, int) else None,
                    fix_quality=2 if tpv.get("status") == 2 else 1)


class GpsdSource(_ReaderThread):
    """A gpsd client (TCP, JSON watch)."""

    WATCH = b'?WATCH={"enable":true,"json":true}\n'

    def __init__(self, host: str = "127.0.0.1", port: int = 2947, timeout_s: float = 0.25) -> None:
        super().__init__()
        self.host, self.port = host, port
        self.name = f"gpsd:{host}:{port}"
        self._timeout = timeout_s
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self.objects = 0
        self.bad_lines = 0

    def start(self, sink: Any) -> None:
        """Connect (``PortError`` when gpsd is not there) and start watching."""
        self._sock = self._connect()
        self._launch(sink)

    def _connect(self) -> socket.socket:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=2.0)
        except OSError as exc:
            raise PortError(f"gpsd at {self.host}:{self.port}: {exc.strerror or exc}") from exc
        sock.settimeout(self._timeout)
        sock.sendall(self.WATCH)
        return sock

    def _interrupt(self) -> None:
        with self._lock:
            if self._sock is not None:
                try:
                    self._sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None

    def _run(self) -> None:
        buf = b""
        pending: dict[str, Any] | None = None
        sky: dict[str, Any] | None = None
        while not self._stop.is_set():
            self._check_fix()
            sock = self._sock
            if sock is None:
                if self._stop.wait(RETRY_S):
                    break
                try:
                    self._sock = self._connect()
                except PortError as exc:
                    self._note(str(exc))
                continue
            try:
                data = sock.recv(65536)
            except TimeoutError:
                data = None
            except OSError as exc:
                data = b""
                self._note(f"gpsd: {exc}")
            if data is None:  # quiet: the last TPV of its second is complete
                pending = self._flush(pending, sky)
                continue
            if not data:
                pending = self._flush(pending, sky)
                self._note("gpsd closed the connection")
                self._close()
                buf = b""
                continue
            buf += data
            *lines, buf = buf.split(b"\n")
            if len(buf) > 65536:
                buf = b""
            for raw in lines:
                obj = self._decode(raw)
                if obj is None:
                    continue
                cls = obj.get("class")
                if cls == "SKY":
                    sky = obj
                elif cls == "TPV":
                    # partial TPVs without a time belong to the second being decoded
                    if pending is not None and obj.get("time") and pending.get("time") \
                            and pending["time"] != obj["time"]:
                        pending = self._flush(pending, sky)
                    pending = {**(pending or {}), **obj}
        self._flush(pending, sky)

    def _decode(self, raw: bytes) -> dict[str, Any] | None:
        text = raw.decode("utf-8", "replace").strip()
        if not text:
            return None
        try:
            obj = json.loads(text)
        except ValueError:
            self.bad_lines += 1
            self._note(f"gpsd: not JSON: {text[:80]}")
            return None
        if not isinstance(obj, dict):
            self.bad_lines += 1
            return None
        self.objects += 1
        return obj

    def _flush(self, pending: dict[str, Any] | None, sky: dict[str, Any] | None) -> None:
        if pending is not None:
            try:
                pos = tpv_position(pending, sky)
            except Exception as exc:  # a TPV of odd types is one bad object, not a dead thread
                self.bad_lines += 1
                self._note(f"gpsd: bad TPV ({exc})")
                return None
            if pos is not None:
                self._emit(pos)
        return None


def wait_for(predicate, timeout_s: float, step_s: float = 0.02) -> bool:
    """Poll ``predicate`` until it is true or the timeout passes (helper for callers/tests)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step_s)
    return bool(predicate())
