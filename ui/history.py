"""What the live window has seen since it opened: the data behind every view, GUI-thread only.

The bridge hands records over in batches; ``History.add`` files each one into growable numpy
arrays so a redraw is a slice, not a rebuild (8 hours at 1 Hz is 28,800 rows per series).
Unknown values are stored as NaN, which pyqtgraph draws as gaps (``connect="finite"``). Where
the device vanished (a disconnect, a gap event, or a silence much longer than the poll period)
a NaN row is inserted so the line does not bridge the missing stretch.

Views hold the previous value between samples: positions take the serving level of the latest
sample at or before them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from fieldapp.cellplan import CellPlan
from fieldapp.model import (
    EV_CELL_CHANGE,
    EV_DISCONNECTED,
    EV_GAP,
    EV_HANDOVER,
    EV_LOCK,
    EV_UNLOCK,
    Cell,
    Event,
    PlanCell,
    Position,
    Sample,
)
from fieldapp.radio import bsic_octal
from fieldapp.tech_terms import QUALITY_KEYS, TECH_CODES, TECH_OF_CODE, quality_values, sample_tech, terms_for
from ui.geo import lonlat_to_mercator

# A silence this many times the median poll period (and at least GAP_MIN_S) is drawn as a gap.
GAP_FACTOR = 5.0
GAP_MIN_S = 5.0
NAN = float("nan")


class GrowArray:
    """An append-only float64 array with amortised O(1) appends and zero-copy views."""

    def __init__(self, capacity: int = 1024) -> None:
        self._data = np.empty(capacity, dtype=np.float64)
        self._n = 0

    def append(self, value: float | None) -> None:
        if self._n == len(self._data):
            bigger = np.empty(len(self._data) * 2, dtype=np.float64)
            bigger[: self._n] = self._data[: self._n]
            self._data = bigger
        self._data[self._n] = NAN if value is None else value
        self._n += 1

    def view(self) -> np.ndarray:
        return self._data[: self._n]

    def last(self) -> float | None:
        return None if self._n == 0 else float(self._data[self._n - 1])

    def __len__(self) -> int:
        return self._n


def neighbour_key(cell: Cell) -> tuple:
    """A neighbour's identity between samples: (ARFCN, BSIC) in GSM; (UARFCN/EARFCN, PSC/PCI,
    technology) otherwise — UMTS neighbours share one UARFCN and differ by scrambling code."""
    if cell.tech in (None, "GSM"):
        return (cell.arfcn, cell.bsic)
    return (cell.arfcn, cell.pci, cell.tech)


def neighbour_label(key: tuple) -> str:
    """A neighbour without a name in the cell plan: "ARFCN 62 BSIC 35", "UARFCN 10588 PSC 159"."""
    if len(key) > 2:
        terms = terms_for(key[2])
        return f"{terms.channel} {key[0]} {terms.code} {'–' if key[1] is None else key[1]}"
    return f"ARFCN {key[0]} BSIC {bsic_octal(key[1]) or '–'}"


def cell_label(cell: Cell | None, plan: CellPlan) -> str:
    """Name from the cell plan, else CI, else ARFCN/BSIC — what the trace strip writes."""
    if cell is None:
        return "no cell info"
    planned = plan.match(cell)
    if planned is not None:
        return planned.name
    terms = terms_for(cell.tech)
    if cell.ci is not None:
        return f"{terms.cell_id} {cell.ci}" + (f" {terms.area} {cell.lac}" if cell.lac is not None else "")
    if cell.arfcn is not None:
        code = terms.code_text(cell)
        return f"{terms.channel} {cell.arfcn}" + (f" {terms.code} {code}" if code else "")
    return "unknown cell"


@dataclass
class Segment:
    """A stretch of time on one serving cell (``key`` None: no service / unknown)."""

    start_utc: float
    end_utc: float
    key: tuple | None
    label: str
    cell: Cell | None
    mode: str | None = None  # radio mode of the first sample: a change into DEDICATED is a handover


@dataclass
class NeighbourSeries:
    t: GrowArray = field(default_factory=GrowArray)
    dbm: GrowArray = field(default_factory=GrowArray)
    present: bool = False


class History:
    """Everything shown in the window, filed by time. ``add`` returns which parts changed."""

    def __init__(self, plan: CellPlan | Iterable[PlanCell] = ()) -> None:
        self.plan = CellPlan.of(plan)
        self._reset()

    def clear(self) -> None:
        """Forget every sample, position and event; keep the cell plan (a replay sought
        backwards). In place: the plots, trace and map all hold this object."""
        self._reset()

    def _reset(self) -> None:
        self.t = GrowArray()
        self.serving_dbm = GrowArray()  # the serving technology's level: RXLEV dBm, RSCP or RSRP
        self.tech = GrowArray()  # TECH_CODES of each sample's serving technology (NaN: unknown)
        # Each quality in its own series (RXQUAL, Ec/No, RSRQ, SINR), NaN where the serving
        # technology does not have it: the quality plot draws the one of the current technology.
        self.quality: dict[str, GrowArray] = {key: GrowArray() for key in QUALITY_KEYS}
        self.rxqual = self.quality["rxqual"]
        self.tech_changes: list[tuple[float, str | None, str]] = []  # (time, from, to)
        self.current_tech: str | None = None
        self.neighbours: dict[tuple, NeighbourSeries] = {}
        self.segments: list[Segment] = []
        self.events: list[Event] = []
        self.pos_t = GrowArray()
        self.pos_x = GrowArray()
        self.pos_y = GrowArray()
        self.pos_dbm = GrowArray()
        self.pos_tech = GrowArray()  # technology of the level each position is coloured by
        self.last_sample: Sample | None = None
        self.last_position: Position | None = None
        self.locked: str | None = None  # text of the last lock event, None when unlocked
        self._intervals: list[float] = []
        self._gap_pending = False

    def set_plan(self, plan: CellPlan | Iterable[PlanCell]) -> None:
        self.plan = CellPlan.of(plan)
        for seg in self.segments:
            seg.key = self.plan.key(seg.cell)
            seg.label = cell_label(seg.cell, self.plan)

    # ------------------------------------------------------------------ filing
    def add(self, records: Iterable[object]) -> set[str]:
        """File a batch; returns the names of what changed: samples, events, positions."""
        changed: set[str] = set()
        for rec in records:
            if isinstance(rec, Sample):
                self._add_sample(rec)
                changed.add("samples")
                if rec.position is not None:
                    self._add_position(rec.position)
                    changed.add("positions")
            elif isinstance(rec, Position):
                self._add_position(rec)
                changed.add("positions")
            elif isinstance(rec, Event):
                self._add_event(rec)
                changed.add("events")
        return changed

    def sample_period_s(self) -> float | None:
        """Median interval between samples over the last 20, the rate the status bar shows."""
        if not self._intervals:
            return None
        # statistics.median: the same value as numpy's, 30x cheaper on 20 floats (it runs for
        # every sample filed: a jump across 4 hours files 14,400 at once).
        return statistics.median(self._intervals[-20:])

    def _add_sample(self, s: Sample) -> None:
        last_t = self.t.last()
        gap = self._gap_pending
        if last_t is not None:
            dt = s.ts_utc - last_t
            if dt > 0:
                self._intervals.append(dt)
                del self._intervals[:-50]
            period = self.sample_period_s() or 1.0
            gap = gap or dt > max(GAP_MIN_S, GAP_FACTOR * period)
            if gap:
                self._append_gap(last_t + min(dt / 2, period) if dt > 0 else s.ts_utc)
        self._gap_pending = False
        self.t.append(s.ts_utc)
        self.serving_dbm.append(s.rxlev_dbm)
        tech = sample_tech(s)
        self.tech.append(TECH_CODES.get(tech) if tech else None)
        for key, value in quality_values(s, tech).items():
            self.quality[key].append(value)
        if tech is not None and tech != self.current_tech:
            if self.current_tech is not None:
                self.tech_changes.append((s.ts_utc, self.current_tech, tech))
            self.current_tech = tech
        seen = set()
        for n in s.neighbours:
            key = neighbour_key(n)
            seen.add(key)
            series = self.neighbours.setdefault(key, NeighbourSeries())
            series.t.append(s.ts_utc)
            series.dbm.append(n.level_dbm)
            series.present = True
        for key, series in self.neighbours.items():
            if series.present and key not in seen:
                # Gone from the list: end its line here rather than bridge to its return.
                series.t.append(s.ts_utc)
                series.dbm.append(None)
                series.present = False
        self._extend_trace(s, gap)
        self.last_sample = s

    def _append_gap(self, ts: float) -> None:
        self.t.append(ts)
        self.serving_dbm.append(None)
        self.tech.append(None)
        for series in self.quality.values():
            series.append(None)
        for series in self.neighbours.values():
            if series.present:
                series.t.append(ts)
                series.dbm.append(None)
                series.present = False

    def _extend_trace(self, s: Sample, gap: bool) -> None:
        cell = s.serving
        key = self.plan.key(cell)
        if self.segments:
            seg = self.segments[-1]
            if seg.key == key and not gap:
                seg.end_utc = s.ts_utc
                seg.cell = cell or seg.cell
                return
            if not gap:
                seg.end_utc = s.ts_utc  # segments touch: the change happened in between
        self.segments.append(Segment(s.ts_utc, s.ts_utc, key, cell_label(cell, self.plan), cell, s.mode))

    def _add_position(self, p: Position) -> None:
        if not (math.isfinite(p.lat) and math.isfinite(p.lon)):
            return
        if self.last_position is not None and p == self.last_position:
            return  # the same fix delivered in a sample and on its own
        x, y = lonlat_to_mercator(p.lon, p.lat)
        self.pos_t.append(p.ts_utc)
        self.pos_x.append(x)
        self.pos_y.append(y)
        level = self.last_sample.rxlev_dbm if self.last_sample is not None else None
        self.pos_dbm.append(level)
        tech = sample_tech(self.last_sample) if self.last_sample is not None else None
        self.pos_tech.append(TECH_CODES.get(tech) if tech else None)
        self.last_position = p

    def _add_event(self, e: Event) -> None:
        self.events.append(e)
        if e.kind in (EV_DISCONNECTED, EV_GAP):
            self._gap_pending = True
        elif e.kind == EV_LOCK:
            self.locked = e.text or "locked"
        elif e.kind == EV_UNLOCK:
            self.locked = None

    # ------------------------------------------------------------------ queries
    def cell_changes(self) -> list[Event]:
        return [e for e in self.events if e.kind in (EV_CELL_CHANGE, EV_HANDOVER)]

    def position_at(self, ts_utc: float) -> tuple[float, float] | None:
        """The map position (mercator x, y) nearest in time to ``ts_utc``."""
        t = self.pos_t.view()
        if len(t) == 0:
            return None
        i = int(np.clip(np.searchsorted(t, ts_utc), 0, len(t) - 1))
        if i > 0 and abs(t[i - 1] - ts_utc) < abs(t[i] - ts_utc):
            i -= 1
        return float(self.pos_x.view()[i]), float(self.pos_y.view()[i])

    def segment_at(self, ts_utc: float) -> Segment | None:
        for seg in reversed(self.segments):
            if seg.start_utc <= ts_utc <= seg.end_utc + 0.5:
                return seg
        return None

    def tech_at(self, index: int) -> str | None:
        """The serving technology of the sample at ``index`` of ``t``."""
        code = self.tech.view()[index]
        return None if math.isnan(code) else TECH_OF_CODE.get(int(code))

    def span_utc(self) -> tuple[float, float] | None:
        t = self.t.view()
        if len(t) == 0:
            return None
        return float(t[0]), float(t[-1])
