"""What the live window has seen since it opened: the data behind every view, GUI-thread only.

The bridge hands records over in batches; ``History.add`` files each one into growable numpy
arrays so a redraw is a slice, not a rebuild (8 hours at 1 Hz is 28,800 rows per series).
Unknown values are stored as NaN, which pyqtgraph draws as gaps (``connect="finite"``). Where
the device vanished (a disconnect, a gap event, or a silence much longer than the poll period)
a NaN row is inserted so the line does not bridge the missing stretch.

Views hold the previous value between samples: positions take the serving level of the latest
sample at or before them.

A replay that jumps backwards ``trim``s the history to the new position instead of filing the
session again from its start: every series is append-only and filed in time order, so what a
straight replay up to a time would hold is a prefix of each series (a cut by bisection), plus a
little state rebuilt from the last records before the cut (the last sample and position, the
last serving cell, the lock, the gap pending, the poll period). An 8-hour session jumped back
from its end to its middle keeps 14,400 samples filed instead of rebuilding and filing them
again (~1 s); see bench/open_bench.py.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from fieldapp.cellplan import CellPlan
from fieldapp.model import (
    EV_CELL_CHANGE,
    EV_DISCONNECTED,
    EV_GAP,
    EV_HANDOVER,
    EV_LOCK,
    EV_UNLOCK,
    GSM,
    LTE,
    UMTS,
    Cell,
    Event,
    PlanCell,
    Position,
    Sample,
    tech_level,
)
from fieldapp.radio import bsic_octal
from fieldapp.tech_terms import QUALITY_KEYS, TECH_CODES, TECH_OF_CODE, sample_tech, terms_for
from ui.geo import lonlat_to_mercator_arrays

# A silence this many times the median poll period (and at least GAP_MIN_S) is drawn as a gap.
GAP_FACTOR = 5.0
GAP_MIN_S = 5.0
NAN = float("nan")


class GrowArray:
    """An append-only float64 series with zero-copy views. ``append(value)`` (None: NaN) is a
    plain list's append: values wait in a list and move into the array, amortised O(1), when
    the series is read. A replay jump files hours at once, ~30 values a sample: one numpy
    element written at a time cost ~0.5 µs each, a list append ~30 ns."""

    __slots__ = ("_data", "_n", "_pending", "append")

    def __init__(self, capacity: int = 1024) -> None:
        self._data = np.empty(capacity, dtype=np.float64)
        self._n = 0
        self._pending: list[float | None] = []
        self.append = self._pending.append

    def _flush(self) -> None:
        pending = self._pending
        if not pending:
            return
        n, m = self._n, self._n + len(pending)
        self._reserve(m)
        self._data[n:m] = np.array(pending, dtype=np.float64)  # None → NaN
        self._n = m
        pending.clear()

    def _reserve(self, m: int) -> None:
        if m > len(self._data):
            bigger = np.empty(max(m, 2 * len(self._data)), dtype=np.float64)
            bigger[: self._n] = self._data[: self._n]
            self._data = bigger

    def extend(self, values: np.ndarray) -> None:
        """Append an array of values at once (after what is waiting in the list)."""
        self._flush()
        n, m = self._n, self._n + len(values)
        self._reserve(m)
        self._data[n:m] = values
        self._n = m

    def view(self) -> np.ndarray:
        self._flush()
        return self._data[: self._n]

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` values (a replay jumped backwards); later appends overwrite."""
        self._flush()
        self._n = max(0, min(n, self._n))

    def copy(self) -> GrowArray:
        self._flush()
        out = GrowArray(max(self._n, 64))
        out._data[: self._n] = self._data[: self._n]
        out._n = self._n
        return out

    def last(self) -> float | None:
        if self._pending:
            value = self._pending[-1]
            return NAN if value is None else float(value)
        return None if self._n == 0 else float(self._data[self._n - 1])

    def __len__(self) -> int:
        return self._n + len(self._pending)


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


def plottable_neighbours(sample: Sample) -> list[Cell]:
    """The neighbours of ``sample`` the level plot can draw beside its serving cell: those of
    the serving cell's technology with a known level (RXLEV dBm, RSCP or RSRP: the axis's
    quantity), once each (the first listing of a key), in the sample's order. None without a
    serving cell: a Nemo CELLMEAS that lists only LTE neighbours (UMTS serving, 16:02:04.213
    of tests/fixtures/logs/nemo-RYG0443_R3_R002.3.nmf) is no picture of the serving cell."""
    if sample.serving is None or not sample.neighbours:
        return []
    tech = sample_tech(sample) or GSM
    out: list[Cell] = []
    seen: set[tuple] = set()
    for cell in sample.neighbours:
        key = neighbour_key(cell)
        if (cell.tech or GSM) == tech and cell.level_dbm is not None and key not in seen:
            seen.add(key)
            out.append(cell)
    return out


def strongest_neighbours(sample: Sample, n: int) -> list[Cell]:
    """The ``n`` strongest of ``plottable_neighbours(sample)``, strongest first (a tie keeps
    the sample's order): what a replay window plots when it opens."""
    return sorted(plottable_neighbours(sample), key=lambda c: -c.level_dbm)[:n]


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
    t: GrowArray = field(default_factory=lambda: GrowArray(64))
    dbm: GrowArray = field(default_factory=lambda: GrowArray(64))
    present: bool = False


GAP_EVENTS = (EV_DISCONNECTED, EV_GAP)
# What History.copy_from copies itself (the rest are plain values, taken as they are).
_COPIED = frozenset({"t", "serving_dbm", "tech", "quality", "rxqual", "tech_changes", "neighbours", "_present",
                     "segments", "events", "_event_t", "_event_samples", "sample_t", "pos_filed_t", "pos_t",
                     "pos_x", "pos_y", "pos_dbm", "pos_tech", "_intervals", "plan", "_plan_keys"})


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
        self._present: set[tuple] = set()  # keys of the neighbours in the latest sample
        self.segments: list[Segment] = []
        self.events: list[Event] = []
        # For trim: each sample's time, each event's sample count when filed, the time of the
        # record each position came with (a sample's fix can be older than the sample), and
        # (sample index, technology) of the first sample with a known technology.
        self.sample_t = GrowArray()
        self._event_t: list[float] = []
        self._event_samples: list[int] = []
        self.pos_filed_t = GrowArray()
        self._first_tech: tuple[int, str] | None = None
        self.pos_t = GrowArray()
        self.pos_x = GrowArray()
        self.pos_y = GrowArray()
        self.pos_dbm = GrowArray()
        self.pos_tech = GrowArray()  # technology of the level each position is coloured by
        self.last_sample: Sample | None = None
        # The first sample filed with neighbours the level plot can draw (plottable_neighbours):
        # the one a replay window plots the strongest neighbours of, whatever the batches were.
        self.first_plottable: Sample | None = None
        self.last_position: Position | None = None
        self.locked: str | None = None  # text of the last lock event, None when unlocked
        self._intervals: list[float] = []
        self._gap_pending = False
        self._plan_keys: dict[tuple, tuple | None] = {}  # _plan_key's memory, for _keys_plan
        self._keys_plan: CellPlan | None = None

    def set_plan(self, plan: CellPlan | Iterable[PlanCell]) -> None:
        self.plan = CellPlan.of(plan)
        for seg in self.segments:
            seg.key = self.plan.key(seg.cell)
            seg.label = cell_label(seg.cell, self.plan)

    # ------------------------------------------------------------------ filing
    def add(self, records: Iterable[object]) -> set[str]:
        """File a batch; returns the names of what changed: samples, events, positions.

        One pass over the batch. A replay's jump files hours at once (to the middle of an
        8-hour session: 14,600 samples, 88,000 neighbour values, 29,000 positions); the live
        window one tick's few records. So what changes from record to record is held in locals
        and written back at the end, and what repeats is looked up once: the serving cell's
        plan key once per cell identity (``_plan_key``), each neighbour series' appends and
        each technology's quality series once per batch, the poll period's median only when
        a silence could be a gap (longer than ``GAP_MIN_S``), the positions' map coordinates
        for the whole batch in one numpy call. What is filed is what filing one record at a
        time did (tests/ui/test_history_bulk.py holds that filing as the reference)."""
        has_samples = has_positions = has_events = False
        plan = self.plan
        if self._keys_plan is not plan:
            self._plan_keys, self._keys_plan = {}, plan
        plan_keys = self._plan_keys
        # The per-row series (a gap row as well as a sample's row).
        t_append, level_append, tech_append = self.t.append, self.serving_dbm.append, self.tech.append
        sample_t_append = self.sample_t.append
        quality = self.quality
        fills: dict[str | None, tuple] = {}  # technology → its quality series and the others
        intervals = self._intervals
        segments = self.segments
        seg = segments[-1] if segments else None
        series_of = self.neighbours
        appends: dict[tuple, tuple] = {}  # neighbour key → (t.append, dbm.append), this batch
        present = self._present
        tech_changes = self.tech_changes
        current_tech = self.current_tech
        gap_pending = self._gap_pending
        last_t = self.t.last()
        last = self.last_sample
        first_plottable = self.first_plottable
        # The level and technology positions are coloured by: the last sample's.
        if last is not None:
            pos_level, pos_tech = self._colour_of(last)
        else:
            pos_level = pos_tech = None
        last_position = self.last_position
        pos_filed_append, pos_t_append = self.pos_filed_t.append, self.pos_t.append
        pos_dbm_append, pos_tech_append = self.pos_dbm.append, self.pos_tech.append
        lons: list[float] = []
        lats: list[float] = []
        try:
            for rec in records:
                if isinstance(rec, Sample):
                    has_samples = True
                    ts = rec.ts_utc
                    # A silence much longer than the poll period, or a gap event since the last
                    # sample: a NaN row between them. No gap can be shorter than GAP_MIN_S, so
                    # the period (a median) is only needed past it or with a gap event pending.
                    gap = gap_pending
                    if last_t is not None:
                        dt = ts - last_t
                        if dt > 0:
                            intervals.append(dt)
                            if len(intervals) > 50:
                                del intervals[:-50]
                        if gap or dt > GAP_MIN_S:
                            period = _median_period(intervals) or 1.0
                            gap = gap or dt > max(GAP_MIN_S, GAP_FACTOR * period)
                            if gap:
                                gap_t = last_t + min(dt / 2, period) if dt > 0 else ts
                                t_append(gap_t)
                                level_append(None)
                                tech_append(None)
                                for series in quality.values():
                                    series.append(None)
                                for key in present:
                                    ap = appends.get(key) or self._appends(appends, key)
                                    ap[0](gap_t)
                                    ap[1](None)
                                present = set()
                    gap_pending = False
                    sample_t_append(ts)
                    t_append(ts)
                    serving = rec.serving
                    # Sample.rxlev_dbm and sample_tech, the serving cell's case inline.
                    level = None
                    tech = rec.tech
                    if serving is not None:
                        cell_tech = serving.tech
                        if cell_tech:
                            tech = cell_tech
                        if cell_tech in (UMTS, LTE):
                            level = tech_level(cell_tech, serving.rxlev_dbm, serving.rscp_dbm, serving.rsrp_dbm)
                        else:
                            level = serving.rxlev_dbm
                    if level is None:
                        level = rec.rxlev_dbm  # the handset's +CESQ/+CSQ level, or None
                    level_append(level)
                    code = TECH_CODES.get(tech) if tech else None
                    tech_append(code)
                    pos_level, pos_tech = level, code
                    fill = fills.get(tech) or _quality_fill(fills, tech, quality)
                    for append, key in fill[0]:  # quality_values, inline
                        if key == "rxqual":
                            value = rec.rxqual
                        else:
                            value = None if serving is None else getattr(serving, key, None)
                            if value is None and rec.signal is not None:
                                value = getattr(rec.signal, key, None)
                        append(value)
                    for append in fill[1]:
                        append(None)
                    if tech is not None and tech != current_tech:
                        if current_tech is not None:
                            tech_changes.append((ts, current_tech, tech))
                        else:
                            self._first_tech = (len(self.sample_t) - 1, tech)
                        current_tech = tech
                    if first_plottable is None and serving is not None and plottable_neighbours(rec):
                        first_plottable = rec
                    # The neighbours: neighbour_key and Cell.level_dbm, inline.
                    seen = set()
                    for n in rec.neighbours:
                        n_tech = n.tech
                        if n_tech is None or n_tech == GSM:
                            key = (n.arfcn, n.bsic)
                            n_level = n.rxlev_dbm
                        else:
                            key = (n.arfcn, n.pci, n_tech)
                            n_level = tech_level(n_tech, n.rxlev_dbm, n.rscp_dbm, n.rsrp_dbm)
                        seen.add(key)
                        ap = appends.get(key) or self._appends(appends, key)
                        ap[0](ts)
                        ap[1](n_level)
                    if present:
                        for key in present - seen:
                            # Gone from the list: end its line here rather than bridge to its return.
                            ap = appends.get(key) or self._appends(appends, key)
                            ap[0](ts)
                            ap[1](None)
                    present = seen
                    # The serving stretch (_extend_trace): the plan's key once per cell identity.
                    key = None if serving is None else plan_keys.get(_identity(serving), _UNSEEN)
                    if key is _UNSEEN:
                        key = self._plan_key(serving)
                    if seg is not None and seg.key == key and not gap:
                        seg.end_utc = ts
                        seg.cell = serving or seg.cell
                    else:
                        if seg is not None and not gap:
                            seg.end_utc = ts  # segments touch: the change happened in between
                        seg = Segment(ts, ts, key, cell_label(serving, plan), serving, rec.mode)
                        segments.append(seg)
                    last_t = ts
                    last = rec
                    p = rec.position
                    if p is None:
                        continue
                elif isinstance(rec, Position):
                    p = rec
                elif isinstance(rec, Event):
                    has_events = True
                    self.events.append(rec)
                    self._event_t.append(rec.ts_utc)
                    self._event_samples.append(len(self.sample_t))
                    kind = rec.kind
                    if kind in GAP_EVENTS:
                        gap_pending = True
                    elif kind == EV_LOCK:
                        self.locked = rec.text or "locked"
                    elif kind == EV_UNLOCK:
                        self.locked = None
                    continue
                else:
                    continue
                # A position, on its own or in the sample just filed (filed at that record's time).
                has_positions = True
                lat, lon = p.lat, p.lon
                if not (math.isfinite(lat) and math.isfinite(lon)):
                    continue
                if last_position is not None and (p is last_position or p == last_position):
                    continue  # the same fix delivered in a sample and on its own
                pos_filed_append(rec.ts_utc)
                pos_t_append(p.ts_utc)
                lons.append(lon)
                lats.append(lat)
                pos_dbm_append(pos_level)
                pos_tech_append(pos_tech)
                last_position = p
        finally:
            if lons:
                x, y = lonlat_to_mercator_arrays(np.array(lons, dtype=np.float64), np.array(lats, dtype=np.float64))
                self.pos_x.extend(x)
                self.pos_y.extend(y)
            self.last_position = last_position
            self.last_sample = last
            self.first_plottable = first_plottable
            self.current_tech = current_tech
            self._gap_pending = gap_pending
            self._present = present
            # A neighbour series is present while its key is in the latest sample (a key that
            # was present and is not in the batch's appends: no sample in the batch, unchanged).
            for key in appends:
                series_of[key].present = key in present
        changed = set()
        if has_samples:
            changed.add("samples")
        if has_positions:
            changed.add("positions")
        if has_events:
            changed.add("events")
        return changed

    def _appends(self, appends: dict[tuple, tuple], key: tuple) -> tuple:
        """The appends of neighbour ``key``'s series (a new series the first time it is seen)."""
        series = self.neighbours.get(key)
        if series is None:
            series = self.neighbours[key] = NeighbourSeries()
        ap = appends[key] = (series.t.append, series.dbm.append)
        return ap

    def _plan_key(self, cell: Cell) -> tuple | None:
        """``plan.key(cell)``, remembered for the cell's identity: the fields the plan's match
        and ``cell_key`` read. The plan is a value: another plan starts afresh (``add``)."""
        key = self._plan_keys[_identity(cell)] = self.plan.key(cell)
        return key

    @staticmethod
    def _colour_of(sample: Sample) -> tuple[float | None, float | None]:
        """The level and technology code a position after ``sample`` is coloured by."""
        tech = sample_tech(sample)
        return sample.rxlev_dbm, (TECH_CODES.get(tech) if tech else None)

    def sample_period_s(self) -> float | None:
        """Median interval between samples over the last 20, the rate the status bar shows."""
        return _median_period(self._intervals)

    # ------------------------------------------------------------------ a replay jumped
    def copy_from(self, other: History) -> None:
        """Hold what ``other`` holds (copies: filing into either leaves the other alone), under
        this history's cell plan. In place: the plots, trace and map hold this object. A replay
        that read its session ahead into another history takes it over on a long jump
        forwards, then ``trim``s it to the new position."""
        plan = self.plan
        self.__dict__.update({k: v for k, v in other.__dict__.items() if k not in _COPIED})
        self.t, self.serving_dbm, self.tech = other.t.copy(), other.serving_dbm.copy(), other.tech.copy()
        self.quality = {k: v.copy() for k, v in other.quality.items()}
        self.rxqual = self.quality["rxqual"]
        self.tech_changes = list(other.tech_changes)
        self.neighbours = {k: NeighbourSeries(v.t.copy(), v.dbm.copy(), v.present) for k, v in other.neighbours.items()}
        self._present = set(other._present)
        self.segments = [replace(seg) for seg in other.segments]
        self.events, self._event_t = list(other.events), list(other._event_t)
        self._event_samples = list(other._event_samples)
        for name in ("sample_t", "pos_filed_t", "pos_t", "pos_x", "pos_y", "pos_dbm", "pos_tech"):
            setattr(self, name, getattr(other, name).copy())
        self._intervals = list(other._intervals)
        self._plan_keys = dict(other._plan_keys)
        self.plan = other.plan
        if plan is not other.plan:
            self.set_plan(plan)

    def has_sample_upto(self, ts_utc: float) -> bool:
        return _count_upto(self.sample_t, ts_utc) > 0

    # ------------------------------------------------------------------ a replay jumped back
    def trim(self, upto_utc: float, records_back: Callable[[float], Iterable[object]]) -> bool:
        """Keep what filing the same records up to ``upto_utc`` (inclusive) from an empty
        history would hold, when everything was filed in time order. ``records_back(ts)``: the
        records at or before ``ts``, newest first, read lazily: only the last sample, the last
        position (from the time it was filed) and, when that sample has no serving cell, the
        samples back to the start of its serving stretch are taken from it.

        Returns False, changing nothing, when no sample would be kept: the caller clears and
        files those few records again (the plots' terms start afresh then)."""
        n = _count_upto(self.sample_t, upto_utc)
        if n == 0:
            return False
        kept_pos = _count_upto(self.pos_filed_t, upto_utc)
        walked = _Walk(iter(records_back(upto_utc)))
        last = walked.sample()
        if last is None or last.ts_utc != float(self.sample_t.view()[n - 1]):
            return False  # not the history of these records: the caller files them again
        # The last position filed came with the record filed at pos_filed_t: read back from
        # there, not through the samples after it (hours of them when the fix was lost).
        last_pos = _Walk(iter(records_back(float(self.pos_filed_t.view()[kept_pos - 1])))).position() \
            if kept_pos else None
        last_t = last.ts_utc
        # The per-row series: rows up to the last kept sample (a gap row after it belongs to
        # the next sample, which is not kept).
        k = _count_upto(self.t, last_t)
        for series in (self.t, self.serving_dbm, self.tech, *self.quality.values()):
            series.truncate(k)
        self.sample_t.truncate(n)
        while self.tech_changes and self.tech_changes[-1][0] > last_t:
            self.tech_changes.pop()
        if self._first_tech is not None and self._first_tech[0] >= n:
            self._first_tech = None
        if self.tech_changes:
            self.current_tech = self.tech_changes[-1][2]
        else:
            self.current_tech = self._first_tech[1] if self._first_tech is not None else None
        # Neighbours: the lines cut at the last sample; those first seen later go.
        present = {neighbour_key(c) for c in last.neighbours}
        for key in list(self.neighbours):
            series = self.neighbours[key]
            cut = _count_upto(series.t, last_t)
            if cut == 0:
                del self.neighbours[key]
                continue
            series.t.truncate(cut)
            series.dbm.truncate(cut)
            series.present = key in present
        self._present = present
        # The serving stretches: the last one ends at the last sample, on its last cell.
        while self.segments and self.segments[-1].start_utc > last_t:
            self.segments.pop()
        seg = self.segments[-1]
        seg.end_utc = last_t
        seg.cell = walked.serving_since(seg.start_utc)
        # Events, and what they set: the lock, a gap drawn before the next sample.
        m = bisect_right(self._event_t, upto_utc)
        del self.events[m:], self._event_t[m:], self._event_samples[m:]
        self._gap_pending = False
        j = m - 1
        while j >= 0 and self._event_samples[j] == n:  # events filed after the last sample
            self._gap_pending = self._gap_pending or self.events[j].kind in GAP_EVENTS
            j -= 1
        self.locked = None
        for e in reversed(self.events):
            if e.kind in (EV_LOCK, EV_UNLOCK):
                self.locked = (e.text or "locked") if e.kind == EV_LOCK else None
                break
        for series in (self.pos_filed_t, self.pos_t, self.pos_x, self.pos_y, self.pos_dbm, self.pos_tech):
            series.truncate(kept_pos)
        self.last_position = last_pos
        # The poll period: the last 50 positive intervals between samples, as filed.
        steps = np.diff(self.sample_t.view())
        self._intervals = steps[steps > 0][-50:].tolist()
        self.last_sample = last
        if self.first_plottable is not None and self.first_plottable.ts_utc > last_t:
            self.first_plottable = None  # filed after the cut (records in time order)
        return True

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


_UNSEEN = object()


def _identity(cell: Cell) -> tuple:
    """What ``CellPlan.key`` reads of a reported cell: its match (technology, CI, LAC, ARFCN,
    BSIC) and, unmatched, ``cell_key`` (CI, LAC, ARFCN, BSIC); and the PSC/PCI, which a
    match of UMTS/LTE cells may come to read. (A field the plan's match reads must be here.)"""
    return (cell.tech, cell.ci, cell.lac, cell.arfcn, cell.bsic, cell.pci)


def _median_period(intervals: list[float]) -> float | None:
    """Median of the last 20 intervals (statistics.median: numpy's value, 30x cheaper on 20)."""
    return statistics.median(intervals[-20:]) if intervals else None


def _quality_fill(fills: dict, tech: str | None, quality: dict[str, GrowArray]) -> tuple:
    """For a technology: ((append, key) of each of its qualities, appends of the others)."""
    keys = [q.key for q in terms_for(tech).qualities]
    fill = fills[tech] = (tuple((quality[k].append, k) for k in keys),
                          tuple(quality[k].append for k in QUALITY_KEYS if k not in keys))
    return fill


def _count_upto(series: GrowArray, ts_utc: float) -> int:
    """How many values of a time series filed in order are at or before ``ts_utc``."""
    return int(np.searchsorted(series.view(), ts_utc, side="right"))


def _finite(p: Position) -> bool:
    return math.isfinite(p.lat) and math.isfinite(p.lon)


class _Walk:
    """Records newest first, read only as far as a question needs (each read may rebuild a
    stored sample); what was read is kept for the next question."""

    def __init__(self, records: Iterator[object]) -> None:
        self._records = records
        self._read: list[object] = []

    def _each(self) -> Iterator[object]:
        yield from self._read
        for rec in self._records:
            self._read.append(rec)
            yield rec

    def sample(self) -> Sample | None:
        return next((r for r in self._each() if isinstance(r, Sample)), None)

    def position(self) -> Position | None:
        """The last position filed: the newest finite one, on its own or in a sample."""
        for rec in self._each():
            p = rec.position if isinstance(rec, Sample) else rec if isinstance(rec, Position) else None
            if p is not None and _finite(p):
                return p
        return None

    def serving_since(self, start_utc: float) -> Cell | None:
        """The newest serving cell of the samples at or after ``start_utc`` (a stretch keeps
        the last cell it saw when a sample has none)."""
        for rec in self._each():
            if isinstance(rec, Sample):
                if rec.ts_utc < start_utc:
                    return None
                if rec.serving is not None:
                    return rec.serving
        return None
