"""NMEA 0183 sentences: checksum, parse GGA/RMC from any talker, format GGA/RMC.

Pure functions, no I/O: the GPS drivers (``drivers.gps``), the simulator's GPS
(``drivers.sim.gps``) and the log readers all use this module (docs/log-formats.md §5.1).

Wire format, one sentence per line, ``*hh`` = XOR of every byte between ``$`` and ``*``::

    $GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D
    $GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D

(GlobalSat BU-353-S4, gpsd test log ``test/daemon/bu353s4.log``, BSD-2-Clause.)
GGA has no date and RMC no altitude, so ``PositionAssembler`` joins the two of one second into
a ``model.Position``. Talkers differ (``GP``, ``GN``, ``GL``, ``GA``, ``BD``...): sentences are
matched on their type, never on ``$GP``.
"""

from __future__ import annotations

import calendar
import math
import time
from dataclasses import dataclass

from fieldapp.model import Position

KNOTS_PER_MPS = 1.0 / 0.514444


class NmeaError(ValueError):
    """A line that claims to be NMEA but is broken (checksum, shape, values)."""


@dataclass(frozen=True, slots=True)
class Gga:
    """Fix data. ``time_s`` is seconds since midnight UTC (GGA carries no date)."""

    talker: str
    time_s: float | None
    lat: float | None
    lon: float | None
    quality: int
    sats: int | None
    hdop: float | None
    alt_m: float | None


@dataclass(frozen=True, slots=True)
class Rmc:
    """Recommended minimum data. ``ts_utc`` is None when the date or time is missing."""

    talker: str
    ts_utc: float | None
    valid: bool
    lat: float | None
    lon: float | None
    speed_mps: float | None
    course_deg: float | None


Sentence = Gga | Rmc


def checksum(body: str) -> str:
    """XOR of the characters between ``$`` and ``*``, two upper-case hex digits."""
    value = 0
    for ch in body.encode("ascii", "replace"):
        value ^= ch
    return f"{value:02X}"


def format_sentence(body: str) -> str:
    """``GPGGA,...`` → ``$GPGGA,...*hh`` (no line ending)."""
    return f"${body}*{checksum(body)}"


def split_sentence(line: str) -> list[str]:
    """Check framing and checksum; return the comma fields (``fields[0]`` = talker + type).

    A sentence without ``*hh`` is accepted (some receivers omit it); a wrong checksum is not.
    """
    text = line.strip()
    if not text.startswith(("$", "!")):
        raise NmeaError("does not start with $")
    body = text[1:]
    star = body.rfind("*")
    if star >= 0:
        given = body[star + 1:].strip().upper()
        body = body[:star]
        if len(given) != 2 or given != checksum(body):
            raise NmeaError(f"bad checksum {given!r}, expected {checksum(body)}")
    fields = body.split(",")
    if len(fields[0]) < 5:
        raise NmeaError(f"bad address field {fields[0]!r}")
    return fields


def _float(tok: str) -> float | None:
    tok = tok.strip()
    if not tok:
        return None
    try:
        value = float(tok)
    except ValueError as exc:
        raise NmeaError(f"not a number: {tok!r}") from exc
    if not math.isfinite(value):
        raise NmeaError(f"not a number: {tok!r}")
    return value


def _int(tok: str) -> int | None:
    value = _float(tok)
    if value is not None and not -(2.0**63) <= value < 2.0**63:  # a garbled field (20 digits of sats)
        raise NmeaError(f"not a count: {tok.strip()!r}")
    return None if value is None else int(value)


def parse_time(tok: str) -> float | None:
    """``hhmmss[.sss]`` → seconds since midnight."""
    tok = tok.strip()
    if not tok:
        return None
    if len(tok) < 6 or not tok[:6].isdigit():
        raise NmeaError(f"bad time {tok!r}")
    hh, mm, ss = int(tok[0:2]), int(tok[2:4]), _float(tok[4:])  # "123456.x" is NmeaError
    assert ss is not None
    if hh > 23 or mm > 59 or ss >= 61:
        raise NmeaError(f"bad time {tok!r}")
    return hh * 3600 + mm * 60 + ss


def parse_date(tok: str) -> tuple[int, int, int] | None:
    """``ddmmyy`` → (year, month, day). Two-digit years: 80..99 → 19xx, else 20xx (the 2014
    sample must read as 2014-12-31, not 2034: log-formats.md §5.1)."""
    tok = tok.strip()
    if not tok:
        return None
    if len(tok) != 6 or not tok.isdigit():
        raise NmeaError(f"bad date {tok!r}")
    day, month, yy = int(tok[0:2]), int(tok[2:4]), int(tok[4:6])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        raise NmeaError(f"bad date {tok!r}")
    return (1900 + yy if yy >= 80 else 2000 + yy), month, day


def parse_coord(value: str, hemi: str, is_lat: bool) -> float | None:
    """``3747.0873``,``S`` → -37.78479 degrees (dd[d]mm.mmmm, negative for S/W)."""
    value, hemi = value.strip(), hemi.strip().upper()
    if not value:
        return None
    raw = _float(value)
    assert raw is not None
    degrees = int(raw // 100)
    minutes = raw - degrees * 100
    if minutes >= 60 or raw < 0:
        raise NmeaError(f"bad coordinate {value!r}")
    out = degrees + minutes / 60.0
    if hemi not in (("N", "S") if is_lat else ("E", "W")):
        raise NmeaError(f"bad hemisphere {hemi!r}")
    if out > (90 if is_lat else 180):
        raise NmeaError(f"coordinate out of range {value!r}")
    return -out if hemi in ("S", "W") else out


def parse_gga(fields: list[str]) -> Gga:
    if len(fields) < 10:
        raise NmeaError(f"GGA has {len(fields)} fields, expected at least 10")
    quality = _int(fields[6])
    return Gga(
        talker=fields[0][:-3],
        time_s=parse_time(fields[1]),
        lat=parse_coord(fields[2], fields[3], True),
        lon=parse_coord(fields[4], fields[5], False),
        quality=quality if quality is not None else 0,
        sats=_int(fields[7]),
        hdop=_float(fields[8]),
        alt_m=_float(fields[9]),
    )


def parse_rmc(fields: list[str]) -> Rmc:
    if len(fields) < 10:
        raise NmeaError(f"RMC has {len(fields)} fields, expected at least 10")
    time_s = parse_time(fields[1])
    date = parse_date(fields[9])
    ts = None
    if time_s is not None and date is not None:
        ts = calendar.timegm((date[0], date[1], date[2], 0, 0, 0)) + time_s
    knots = _float(fields[7])
    return Rmc(
        talker=fields[0][:-3],
        ts_utc=ts,
        valid=fields[2].strip().upper() == "A",
        lat=parse_coord(fields[3], fields[4], True),
        lon=parse_coord(fields[5], fields[6], False),
        speed_mps=None if knots is None else knots / KNOTS_PER_MPS,
        course_deg=_float(fields[8]),
    )


_PARSERS = {"GGA": parse_gga, "RMC": parse_rmc}


def parse_sentence(line: str) -> Sentence | None:
    """One line → ``Gga`` / ``Rmc``; None for other sentence types (GSA, GSV, ...) and for
    lines that are not NMEA at all (gpsd ``#`` comments, blank lines). Raises ``NmeaError`` for
    a GGA/RMC line or any ``$`` line with a wrong checksum."""
    text = line.strip()
    if not text.startswith("$"):
        return None
    fields = split_sentence(text)
    parser = _PARSERS.get(fields[0][-3:].upper())
    if parser is None:
        return None
    try:
        return parser(fields)
    except NmeaError:
        raise
    except (ValueError, IndexError, OverflowError, ArithmeticError) as exc:
        # Whatever a field does, the caller sees one bad sentence, never another exception
        # (issue 16: "123456.x" as a time with a valid checksum killed the GPS thread).
        raise NmeaError(f"bad {fields[0][-3:]} field: {exc}") from exc


class PositionAssembler:
    """Joins the GGA and RMC of one second into ``model.Position`` records.

    ``feed(sentence)`` returns a Position when one is complete: an RMC (it has the date) with
    the GGA of the same second if one came; a GGA alone once a date is known from an earlier
    RMC and the next second starts. Fixes without a position (RMC ``V``, GGA quality 0) are not
    emitted: no fix is no value, not a point at 0,0.
    """

    def __init__(self) -> None:
        self._gga: Gga | None = None
        self._day_utc: float | None = None  # midnight of the last RMC date
        self._last_emitted: float | None = None

    def feed(self, sentence: Sentence | None) -> Position | None:
        if isinstance(sentence, Rmc):
            return self._on_rmc(sentence)
        if isinstance(sentence, Gga):
            pending = self._gga
            self._gga = sentence
            if pending is not None and pending.time_s != sentence.time_s:
                return self._from_gga(pending)
        return None

    def _on_rmc(self, rmc: Rmc) -> Position | None:
        gga = self._gga
        if rmc.ts_utc is not None:
            self._day_utc = rmc.ts_utc - rmc.ts_utc % 86400
        same = gga is not None and rmc.ts_utc is not None and gga.time_s is not None \
            and abs(rmc.ts_utc % 86400 - gga.time_s) < 0.01
        if same:
            self._gga = None
        if not rmc.valid or rmc.lat is None or rmc.lon is None or rmc.ts_utc is None:
            return None
        if self._last_emitted is not None and rmc.ts_utc <= self._last_emitted:
            return None
        self._last_emitted = rmc.ts_utc
        g = gga if same else None
        return Position(
            ts_utc=rmc.ts_utc, lat=rmc.lat, lon=rmc.lon,
            alt_m=g.alt_m if g else None, speed_mps=rmc.speed_mps, course_deg=rmc.course_deg,
            hdop=g.hdop if g else None, sats=g.sats if g else None,
            fix_quality=g.quality if g else None,
        )

    def _from_gga(self, gga: Gga) -> Position | None:
        if self._day_utc is None or gga.time_s is None or gga.quality == 0:
            return None
        if gga.lat is None or gga.lon is None:
            return None
        ts = self._day_utc + gga.time_s
        if self._last_emitted is not None and ts <= self._last_emitted:
            return None
        self._last_emitted = ts
        return Position(ts_utc=ts, lat=gga.lat, lon=gga.lon, alt_m=gga.alt_m, hdop=gga.hdop,
                        sats=gga.sats, fix_quality=gga.quality)


# ---------------------------------------------------------------- formatting


def _time_field(ts_utc: float) -> str:
    sod = ts_utc % 86400
    hh, rem = divmod(sod, 3600)
    mm, ss = divmod(rem, 60)
    # round to ms without carrying 59.9996 s into "60.000"
    ms = min(int(round((ss - int(ss)) * 1000)), 999)
    return f"{int(hh):02d}{int(mm):02d}{int(ss):02d}.{ms:03d}"


def _coord_fields(value: float, is_lat: bool) -> tuple[str, str]:
    hemi = ("N" if value >= 0 else "S") if is_lat else ("E" if value >= 0 else "W")
    v = abs(value)
    degrees = int(v)
    minutes = (v - degrees) * 60.0
    if round(minutes, 5) >= 60.0:
        degrees, minutes = degrees + 1, 0.0
    width = 2 if is_lat else 3
    return f"{degrees:0{width}d}{minutes:08.5f}", hemi


def format_gga(ts_utc: float, lat: float, lon: float, *, alt_m: float = 0.0, sats: int = 8,
               hdop: float = 1.0, quality: int = 1, geoid_m: float = 0.0, talker: str = "GP") -> str:
    """A GGA sentence (5 decimals of minutes: 2 cm, so a recorded track keeps its shape)."""
    la, ns = _coord_fields(lat, True)
    lo, ew = _coord_fields(lon, False)
    body = (f"{talker}GGA,{_time_field(ts_utc)},{la},{ns},{lo},{ew},{quality},{sats:02d},"
            f"{hdop:.1f},{alt_m:.1f},M,{geoid_m:.1f},M,,")
    return format_sentence(body)


def format_rmc(ts_utc: float, lat: float, lon: float, *, speed_mps: float = 0.0,
               course_deg: float = 0.0, valid: bool = True, talker: str = "GP") -> str:
    la, ns = _coord_fields(lat, True)
    lo, ew = _coord_fields(lon, False)
    tm = _time_field(ts_utc)
    y, mo, d = _date_of(ts_utc)
    body = (f"{talker}RMC,{tm},{'A' if valid else 'V'},{la},{ns},{lo},{ew},"
            f"{speed_mps * KNOTS_PER_MPS:.2f},{course_deg % 360:.2f},{d:02d}{mo:02d}{y % 100:02d},,,A")
    return format_sentence(body)


def _date_of(ts_utc: float) -> tuple[int, int, int]:
    t = time.gmtime(int(ts_utc // 1))
    return t.tm_year, t.tm_mon, t.tm_mday
