"""Small sums the diagnosis, the comparison and the report share: percentiles, distances on
the globe, the name a finding gives a cell (matched through ``fieldapp.cellplan.CellPlan``),
and the calls of a session's events."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fieldapp.cellplan import CellPlan
from fieldapp.model import (
    EV_CALL_ATTEMPT,
    EV_CALL_CONNECTED,
    EV_CALL_DROPPED,
    EV_CALL_FAILED,
    EV_CALL_RELEASED,
    Cell,
    Event,
    PlanCell,
    Sample,
)
from fieldapp.tech_terms import terms_for

EARTH_RADIUS_M = 6_371_000.0


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Linear-interpolated percentile (pct 0..100) of the values; None when there are none."""
    if not values:
        return None
    data = sorted(values)
    k = (len(data) - 1) * pct / 100.0
    low, high = math.floor(k), math.ceil(k)
    return data[low] + (data[high] - data[low]) * (k - low)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees clockwise from north."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360.0


def cell_name(plan: CellPlan | Iterable[PlanCell], cell: Cell | None) -> str:
    """The planned name (with the channel seen), else the cell id, else the channel: what a
    finding writes, in the cell's technology's terms ("ECI 271105 (EARFCN 1850)", "CI 43
    (ARFCN 62)", "CI 338272 (UARFCN 3060)")."""
    if cell is None:
        return "unknown cell"
    terms = terms_for(cell.tech)
    channel = f"{terms.channel} {cell.arfcn}" if cell.arfcn is not None else None
    found = CellPlan.of(plan).match(cell)
    if found is not None:
        return f"{found.name} ({channel})" if channel else found.name
    if cell.ci is not None:
        return f"{terms.cell_id} {cell.ci}" + (f" ({channel})" if channel else "")
    return channel or "unknown cell"


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call of a session, from its events: attempt → connected? → end."""

    session_id: int
    attempt_utc: float
    outcome: str  # "released", "failed", "dropped", "open" (no end recorded)
    connected_utc: float | None = None
    end_utc: float | None = None
    cause_text: str | None = None

    @property
    def connected(self) -> bool:
        return self.connected_utc is not None


def calls_of(session_id: int, events: Iterable[Event]) -> list[CallRecord]:
    calls: list[CallRecord] = []
    attempt: float | None = None
    connected: float | None = None
    ends = {EV_CALL_RELEASED: "released", EV_CALL_FAILED: "failed", EV_CALL_DROPPED: "dropped"}
    for ev in sorted(events, key=lambda e: e.ts_utc):
        if ev.kind == EV_CALL_ATTEMPT:
            if attempt is not None:
                calls.append(CallRecord(session_id, attempt, "open", connected))
            attempt, connected = ev.ts_utc, None
        elif ev.kind == EV_CALL_CONNECTED and attempt is not None:
            connected = ev.ts_utc
        elif ev.kind in ends:
            start = attempt if attempt is not None else ev.ts_utc
            outcome = ends[ev.kind]
            if outcome == "failed":
                connected = None
            calls.append(CallRecord(session_id, start, outcome, connected, ev.ts_utc,
                                    (ev.data or {}).get("cause_text") or ev.text or None))
            attempt, connected = None, None
    if attempt is not None:
        calls.append(CallRecord(session_id, attempt, "open", connected))
    return calls


def samples_between(samples: Sequence[Sample], start_utc: float, end_utc: float) -> list[Sample]:
    return [s for s in samples if start_utc <= s.ts_utc <= end_utc]


def last_level_before(samples: Sequence[Sample], ts_utc: float, window_s: float = 10.0) -> Sample | None:
    """The last sample with a level in the ``window_s`` seconds up to ``ts_utc``."""
    best = None
    for s in samples:
        if ts_utc - window_s <= s.ts_utc <= ts_utc and s.rxlev_dbm is not None:
            best = s
    return best
