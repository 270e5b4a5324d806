"""Positions for samples: which GPS to read, and the latest fix stamped onto each sample.

A handset and a GPS puck are two devices with two threads; a sample takes the last fix that
arrived less than ``fresh_s`` ago (by arrival, since a receiver's own clock — or a replayed
log's — may be anywhere). An older fix is not used: a stale position on a drive is a wrong
position, and no position is better than a wrong one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

from drivers import gps
from fieldapp.model import Position, Sample, Scan

POSITION_FRESH_S = 2.5  # a fix older than this is not attached to a sample
GPSD_PORT = 2947


class PositionJoiner:
    def __init__(self, fresh_s: float = POSITION_FRESH_S) -> None:
        self.fresh_s = fresh_s
        self._last: Position | None = None
        self._last_at = 0.0
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._last = None

    def feed(self, record: Any) -> Any:
        """Pass every record through: remembers positions, stamps samples and band scans that
        have none (a scan is where it was taken)."""
        if isinstance(record, Position):
            with self._lock:
                self._last, self._last_at = record, time.monotonic()
        elif isinstance(record, (Sample, Scan)) and record.position is None:
            with self._lock:
                pos, at = self._last, self._last_at
            if pos is not None and time.monotonic() - at <= self.fresh_s:
                return replace(record, position=pos)
        return record


def parse_gps_address(text: str) -> tuple[str, str]:
    """``/dev/ttyACM0`` or ``COM4`` → ("nmea", path); ``gpsd``, ``gpsd:host[:port]`` or
    ``host:port`` → ("gpsd", "host:port")."""
    t = text.strip()
    if t == "gpsd":
        return "gpsd", "localhost:2947"
    if t.startswith("gpsd:"):
        rest = t[5:].lstrip("/")
        return "gpsd", rest if ":" in rest else f"{rest or 'localhost'}:2947"
    if ":" in t and not t.startswith(("/", "COM", "socket:", "rfc2217:", "loop:")):
        return "gpsd", t
    return "nmea", t


def parse_gpsd_address(text: str) -> tuple[str, int]:
    """'host:port', 'host' (port 2947) or ':port' (localhost) → (host, port); ValueError with a
    message for the user otherwise."""
    text = text.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = text, str(GPSD_PORT)
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"gpsd address {text!r}: the port must be a number (host:port, e.g. localhost:2947)")\
            from None
    if not 0 < port < 65536:
        raise ValueError(f"gpsd address {text!r}: port {port} is out of range")
    return host or "localhost", port


def open_gps(kind: str, address: str, baud: int = 4800):
    """A GPS source (``start(sink)``/``stop()``): gpsd at host:port or NMEA on a serial port."""
    if kind == "gpsd":
        return gps.GpsdSource(*parse_gpsd_address(address))
    return gps.NmeaSerialSource(address, baud=baud)
