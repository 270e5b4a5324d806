"""The complaint spot: which samples and calls of a case's evidence were taken there (issue 13 §1).

A finding about the spot (coverage, dominance, interference, access, handset-only) may only use
what was measured within ``radius_m`` of the case's position (default 200 m, the case's
``spot_radius_m``). A drive 1.8 km away is route context, never "at the spot".

Where a sample was taken: its own position (stamped by the GPS joiner), else the session's GPS
fix nearest in time within ``JOIN_S`` seconds. A session with no position at all (a CQT without
a GPS puck) cannot be placed: it is taken as measured at the spot, and the finding says so.

The case's hours ("17-19 h", "7:30-9", "all day") are the subscriber's words, so local time at the
spot: they are compared with the local hours the samples were taken in the case's ``time_zone``
(an IANA name), else this computer's time zone, and the finding names the zone it used. (UTC
hours would put a 17-19 h complaint in Vienna an hour or two off.)
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fieldapp.cases.stats import distance_m
from fieldapp.model import Position, Sample

DEFAULT_RADIUS_M = 200.0
JOIN_S = 5.0  # a GPS fix further than this from a sample in time does not place it


def sample_place(sample: Sample, fixes: Sequence[Position], fix_times: Sequence[float] | None = None
                 ) -> tuple[float, float] | None:
    """(lat, lon) where the sample was taken, or None when nothing places it."""
    if sample.position is not None:
        return (sample.position.lat, sample.position.lon)
    if not fixes:
        return None
    times = fix_times if fix_times is not None else [p.ts_utc for p in fixes]
    i = bisect_left(times, sample.ts_utc)
    near = [j for j in (i - 1, i) if 0 <= j < len(fixes) and abs(times[j] - sample.ts_utc) <= JOIN_S]
    if not near:
        return None
    best = fixes[min(near, key=lambda j: abs(times[j] - sample.ts_utc))]
    return (best.lat, best.lon)


@dataclass
class SpotSession:
    """What the spot selection needs of one session."""

    session_id: int
    samples: list[Sample]
    positions: list[Position] = field(default_factory=list)


@dataclass
class SpotView:
    position: tuple[float, float] | None
    radius_m: float
    at_spot: list[tuple[int, Sample]]
    elsewhere: int = 0  # placed samples farther than the radius
    unplaced_sessions: list[int] = field(default_factory=list)  # no GPS at all: taken as at the spot
    unplaced_samples: int = 0  # samples of placed sessions that no fix places (left out)
    nearest_m: float | None = None  # nearest placed sample to the spot
    hours: str | None = None
    hour_ranges: list[tuple[float, float]] | None = None
    in_hours: bool | None = None  # all tests in the complaint hours / none / None: unknown or mixed
    tested_hours: str | None = None  # "2026-12-06 16:40-16:42 Europe/Vienna"
    _placed_sessions: set[int] = field(default_factory=set)

    @property
    def known(self) -> bool:
        """The case gives a position: "at the spot" means something."""
        return self.position is not None

    @property
    def nothing_near(self) -> bool:
        """Placed measurements exist, none of them within the radius (and none unplaced)."""
        return self.known and not self.at_spot and self.elsewhere > 0

    def where_text(self) -> str:
        """How the spot was chosen, for a finding's summary."""
        if not self.known:
            return "the case gives no position: every sample is taken as the spot"
        unplaced = sum(1 for sid, _x in self.at_spot if sid in self.unplaced_sessions)
        parts = []
        if len(self.at_spot) > unplaced or not self.unplaced_sessions:
            parts.append(f"{len(self.at_spot) - unplaced} samples within {self.radius_m:.0f} m of the spot"
                         + (f" ({self.elsewhere} elsewhere on the route left out)" if self.elsewhere else ""))
        if self.unplaced_sessions:
            ids = ", ".join(str(s) for s in self.unplaced_sessions)
            parts.append(f"session {ids} ({unplaced} samples) has no GPS position and is taken as measured at "
                         f"the spot")
        return "; ".join(parts)

    def hours_text(self) -> str:
        """"tests at 15:40-15:42 UTC, inside the complaint hours (15-17 h)" or ""."""
        if not self.hours or not self.tested_hours:
            return ""
        if self.hour_ranges is None:
            return f"tests at {self.tested_hours}; complaint hours \"{self.hours}\" (not read as hours)"
        if self.in_hours is True:
            return f"tests at {self.tested_hours}, inside the complaint hours ({self.hours})"
        if self.in_hours is False:
            return f"tests at {self.tested_hours}, outside the complaint hours ({self.hours})"
        return f"tests at {self.tested_hours}, partly outside the complaint hours ({self.hours})"

    def data(self) -> dict:
        out: dict = {"radius_m": self.radius_m, "samples": len(self.at_spot)}
        if self.position is not None:
            out["position"] = [round(self.position[0], 6), round(self.position[1], 6)]
        if self.elsewhere:
            out["elsewhere"] = self.elsewhere
        if self.unplaced_sessions:
            out["unplaced_sessions"] = list(self.unplaced_sessions)
        if self.hours:
            out["in_hours"] = self.in_hours
        return out


_RANGE = re.compile(r"(\d{1,2})(?:[:.h](\d{2}))?\s*(?:h\s*)?(?:-|–|to|until|bis)\s*(\d{1,2})(?:[:.h](\d{2}))?")


def parse_hours(text: str | None) -> list[tuple[float, float]] | None:
    """"17-19 h" → [(17, 19)]; "7:30-9, 17-19" → two ranges; "all day" → [(0, 24)];
    "evenings" → None (not hours)."""
    if not text:
        return None
    low = text.lower()
    if any(w in low for w in ("all day", "always", "any time", "anytime", "24 h", "24h", "whole day")):
        return [(0.0, 24.0)]
    out = []
    for m in _RANGE.finditer(low):
        start = int(m.group(1)) + int(m.group(2) or 0) / 60
        end = int(m.group(3)) + int(m.group(4) or 0) / 60
        if start <= 24 and end <= 24:
            out.append((start, end))
    return out or None


def _in_ranges(hour: float, ranges: list[tuple[float, float]]) -> bool:
    for start, end in ranges:
        if start <= end and start <= hour < end:
            return True
        if start > end and (hour >= start or hour < end):  # "22-2"
            return True
    return False


def local_zone(name: str | None) -> tuple[tzinfo, str]:
    """The case's zone (an IANA name), else this computer's: (tzinfo, the label findings show)."""
    if name:
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    here = datetime.now().astimezone().tzinfo or timezone.utc
    return here, f"local time ({datetime.now(here).strftime('%Z') or 'this computer'})"


def _local(ts_utc: float, zone: tzinfo) -> datetime:
    return datetime.fromtimestamp(ts_utc, timezone.utc).astimezone(zone)


def _clock(ts_utc: float, zone: tzinfo = timezone.utc) -> str:
    return _local(ts_utc, zone).strftime("%H:%M")


def select(position: tuple[float, float] | None, radius_m: float | None, sessions: Sequence[SpotSession],
           hours: str | None = None, time_zone: str | None = None) -> SpotView:
    radius = float(radius_m) if radius_m else DEFAULT_RADIUS_M
    zone, zone_label = local_zone(time_zone)
    view = SpotView(position, radius, [], hours=hours, hour_ranges=parse_hours(hours))
    for s in sessions:
        if position is None:
            view.at_spot.extend((s.session_id, x) for x in s.samples)
            continue
        fixes = sorted(s.positions, key=lambda p: p.ts_utc)
        times = [p.ts_utc for p in fixes]
        places = [sample_place(x, fixes, times) for x in s.samples]
        if s.samples and all(p is None for p in places):
            view.unplaced_sessions.append(s.session_id)
            view.at_spot.extend((s.session_id, x) for x in s.samples)
            continue
        for x, where in zip(s.samples, places):
            if where is None:
                view.unplaced_samples += 1
                continue
            d = distance_m(where[0], where[1], *position)
            if view.nearest_m is None or d < view.nearest_m:
                view.nearest_m = d
            if d <= radius:
                view.at_spot.append((s.session_id, x))
            else:
                view.elsewhere += 1
    times = [x.ts_utc for _sid, x in view.at_spot]
    if times:
        first, last = min(times), max(times)
        day = _local(first, zone).strftime("%Y-%m-%d")
        view.tested_hours = f"{day} {_clock(first, zone)}-{_clock(last, zone)} {zone_label}"
        if view.hour_ranges is not None:
            inside = [_in_ranges(_hour(t, zone), view.hour_ranges) for t in times]
            view.in_hours = True if all(inside) else False if not any(inside) else None
    return view


def _hour(ts_utc: float, zone: tzinfo = timezone.utc) -> float:
    d = _local(ts_utc, zone)
    return d.hour + d.minute / 60 + d.second / 3600


def distance_text(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"
