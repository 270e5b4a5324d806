"""``History.add`` files a batch in one pass (issue 15: a replay's jump files hours at once):
what it files must be what filing one record at a time did, whatever the batch sizes.

``PerRecordHistory`` below is the filing as it was before the bulk pass (ui/history.py up to
issue 15's jump work), one method per record, kept here as the reference: every series, every
stretch, the neighbours' lines, the positions and the state the next record is filed against.
The records: the awkward synthetic session of the jump tests (a silence, a gap event, a lock,
UMTS and LTE stretches, samples without a serving cell, fixes apart), samples that carry only
the handset's +CSQ/+CESQ level, fixes that are not finite or come twice, a neighbour listed
twice in one sample, the cell plan replaced midway; and the two real logs of the fixtures.
Only the map coordinates may differ from the reference, by rounding (numpy over a batch
against math point by point); between batch sizes they are the same to the bit.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fieldapp.cellplan import CellPlan
from fieldapp.model import (
    EV_GAP,
    EV_LOCK,
    EV_UNLOCK,
    LTE,
    UMTS,
    Cell,
    Event,
    Position,
    Sample,
    Signal,
)
from fieldapp.tech_terms import TECH_CODES, quality_values, sample_tech
from tests.ui import synthetic
from tests.ui.test_replay_jumps import session_records
from ui.geo import lonlat_to_mercator
from ui.history import (
    GAP_FACTOR,
    GAP_MIN_S,
    GrowArray,
    History,
    NeighbourSeries,
    Segment,
    cell_label,
    neighbour_key,
    plottable_neighbours,
)

T0 = synthetic.T0_UTC
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"


class PerRecordHistory(History):
    """The former filing, record by record (the reference)."""

    def add(self, records):
        changed = set()
        for rec in records:
            if isinstance(rec, Sample):
                self._add_sample(rec)
                changed.add("samples")
                if rec.position is not None:
                    self._add_position(rec.position, rec.ts_utc)
                    changed.add("positions")
            elif isinstance(rec, Position):
                self._add_position(rec, rec.ts_utc)
                changed.add("positions")
            elif isinstance(rec, Event):
                self._add_event(rec)
                changed.add("events")
        return changed

    def _add_sample(self, s):
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
        self.sample_t.append(s.ts_utc)
        self.t.append(s.ts_utc)
        self.serving_dbm.append(s.rxlev_dbm)
        tech = sample_tech(s)
        self.tech.append(TECH_CODES.get(tech) if tech else None)
        for key, value in quality_values(s, tech).items():
            self.quality[key].append(value)
        if tech is not None and tech != self.current_tech:
            if self.current_tech is not None:
                self.tech_changes.append((s.ts_utc, self.current_tech, tech))
            else:
                self._first_tech = (len(self.sample_t) - 1, tech)
            self.current_tech = tech
        seen = set()
        for n in s.neighbours:
            key = neighbour_key(n)
            seen.add(key)
            series = self.neighbours.get(key)
            if series is None:
                series = self.neighbours[key] = NeighbourSeries()
            series.t.append(s.ts_utc)
            series.dbm.append(n.level_dbm)
            series.present = True
        for key in self._present - seen:
            series = self.neighbours[key]
            series.t.append(s.ts_utc)
            series.dbm.append(None)
            series.present = False
        self._present = seen
        self._extend_trace(s, gap)
        self.last_sample = s
        if self.first_plottable is None and plottable_neighbours(s):
            self.first_plottable = s  # what a replay window auto-plots the neighbours of

    def _append_gap(self, ts):
        self.t.append(ts)
        self.serving_dbm.append(None)
        self.tech.append(None)
        for series in self.quality.values():
            series.append(None)
        for key in self._present:
            series = self.neighbours[key]
            series.t.append(ts)
            series.dbm.append(None)
            series.present = False
        self._present = set()

    def _extend_trace(self, s, gap):
        cell = s.serving
        key = self.plan.key(cell)
        if self.segments:
            seg = self.segments[-1]
            if seg.key == key and not gap:
                seg.end_utc = s.ts_utc
                seg.cell = cell or seg.cell
                return
            if not gap:
                seg.end_utc = s.ts_utc
        self.segments.append(Segment(s.ts_utc, s.ts_utc, key, cell_label(cell, self.plan), cell, s.mode))

    def _add_position(self, p, filed_utc):
        if not (math.isfinite(p.lat) and math.isfinite(p.lon)):
            return
        if self.last_position is not None and p == self.last_position:
            return
        x, y = lonlat_to_mercator(p.lon, p.lat)
        self.pos_filed_t.append(filed_utc)
        self.pos_t.append(p.ts_utc)
        self.pos_x.append(x)
        self.pos_y.append(y)
        level = self.last_sample.rxlev_dbm if self.last_sample is not None else None
        self.pos_dbm.append(level)
        tech = sample_tech(self.last_sample) if self.last_sample is not None else None
        self.pos_tech.append(TECH_CODES.get(tech) if tech else None)
        self.last_position = p

    def _add_event(self, e):
        self.events.append(e)
        self._event_t.append(e.ts_utc)
        self._event_samples.append(len(self.sample_t))
        if e.kind in (EV_GAP, "disconnected"):
            self._gap_pending = True
        elif e.kind == EV_LOCK:
            self.locked = e.text or "locked"
        elif e.kind == EV_UNLOCK:
            self.locked = None


def _a(series: GrowArray) -> list:
    return np.nan_to_num(series.view(), nan=-999.0).tolist()


def state(h: History, *, exact_xy: bool = True) -> dict:
    """Everything a history holds: what the views draw and what the next record is filed against."""
    out = {
        "t": _a(h.t), "level": _a(h.serving_dbm), "tech": _a(h.tech), "sample_t": _a(h.sample_t),
        "quality": {k: _a(v) for k, v in h.quality.items()},
        "neighbours": [(k, _a(v.t), _a(v.dbm), v.present) for k, v in h.neighbours.items()],
        "present": h._present, "segments": [(s.start_utc, s.end_utc, s.key, s.label, s.cell, s.mode)
                                            for s in h.segments],
        "tech_changes": h.tech_changes, "current_tech": h.current_tech, "first_tech": h._first_tech,
        "events": h.events, "event_t": h._event_t, "event_samples": h._event_samples,
        "pos": [_a(s) for s in (h.pos_filed_t, h.pos_t, h.pos_dbm, h.pos_tech)],
        "last_sample": h.last_sample, "first_plottable": h.first_plottable, "last_position": h.last_position,
        "locked": h.locked, "intervals": h._intervals, "gap_pending": h._gap_pending, "period": h.sample_period_s(),
    }
    if exact_xy:
        out["xy"] = (_a(h.pos_x), _a(h.pos_y))
    return out


def assert_files_as_reference(records: list, *, plan=None, sizes=(1, 37, 100_000)) -> None:
    """The reference filed one record at a time; the bulk pass in batches of each size: the
    same state (map coordinates within rounding of the reference, and the same to the bit
    whatever the batch size)."""
    want = PerRecordHistory(plan or ())
    for rec in records:
        want.add([rec])
    first = None
    for size in sizes:
        got = History(plan or ())
        for i in range(0, len(records), size):
            got.add(records[i:i + size])
        assert state(got, exact_xy=False) == state(want, exact_xy=False), size
        np.testing.assert_allclose(got.pos_x.view(), want.pos_x.view(), rtol=1e-12, atol=1e-6)
        np.testing.assert_allclose(got.pos_y.view(), want.pos_y.view(), rtol=1e-12, atol=1e-6)
        if first is None:
            first = state(got)
        assert state(got) == first, size


def awkward_records() -> list:
    """The jump tests' session, and what it lacks: signal-only samples (GSM +CSQ, UMTS/LTE
    +CESQ, UMTS with only +CSQ: no level), fixes not finite or delivered twice, a neighbour
    listed twice, a sample with neither technology nor cells, a disconnection."""
    out = session_records()
    extra = []
    base = T0 + 1300
    extra.append(Sample(base + 0, tech=None, signal=Signal(rssi_dbm=-71.0, rxqual=3)))
    extra.append(Sample(base + 1, tech=UMTS, signal=Signal(rscp_dbm=-88.0, ecno_db=-9.5)))
    extra.append(Sample(base + 2, tech=LTE, signal=Signal(rsrp_dbm=-101.0, rsrq_db=-12.0)))
    extra.append(Sample(base + 3, tech=UMTS, signal=Signal(rssi_dbm=-60.0)))
    fix = Position(base + 3.5, synthetic.LAT0, synthetic.LON0, sats=7)
    extra.append(replace(synthetic.sample(1304, synthetic.plan()), position=fix))
    extra.append(fix)  # the same fix on its own
    extra.append(Position(base + 5, math.nan, synthetic.LON0))
    extra.append(Position(base + 5.2, synthetic.LAT0, math.inf))
    twice = synthetic.sample(1306, synthetic.plan())
    extra.append(replace(twice, neighbours=twice.neighbours + twice.neighbours[:1]))
    extra.append(Sample(base + 7))
    extra.append(Event(base + 7.5, "disconnected", "the handset went away"))
    extra.append(Sample(base + 8, tech=LTE, serving=Cell(tech=LTE, arfcn=1850, pci=77, rsrp_dbm=None,
                                                         rsrq_db=-9.0, sinr_db=4.0)))
    extra.append(synthetic.sample(1400, synthetic.plan()))  # after a long silence
    return out + extra


def test_the_bulk_pass_files_what_filing_record_by_record_did():
    assert_files_as_reference(awkward_records())


def test_the_bulk_pass_names_the_cells_by_the_plan_of_each_batch():
    """The serving stretches are keyed by the plan (its keys remembered per cell identity):
    with a plan, and with the plan replaced between two batches: the keys remembered under
    the old plan must not be used under the new one. The serving cells are reported without
    their LAC, so the plan's LAC is in the key (('ci', 101, 1001) under the first plan,
    ('ci', 202, 1001) under the second)."""
    records = [replace(r, serving=replace(r.serving, lac=None)) if isinstance(r, Sample) and r.serving else r
               for r in awkward_records()]
    plan = synthetic.plan()
    assert_files_as_reference(records, plan=plan)
    half = len(records) // 2
    want, got = PerRecordHistory(plan), History(plan)
    for rec in records[:half]:
        want.add([rec])
    got.add(records[:half])
    moved = [replace(c, name=f"new-{c.name}", lac=202) for c in plan]
    for h in (want, got):
        h.set_plan(moved)
    for rec in records[half:]:
        want.add([rec])
    got.add(records[half:])
    assert state(got, exact_xy=False) == state(want, exact_xy=False)
    keys = {s.key for s in got.segments if s.key is not None}
    assert ("ci", 202, 1001) in keys and ("ci", 101, 1001) not in keys  # set_plan re-keyed the first half


def test_a_copied_history_files_on_as_the_one_it_copied():
    """copy_from then more records: as if they had been filed straight (the plan keys remembered
    are the copy's own)."""
    records = awkward_records()
    plan = CellPlan(synthetic.plan())  # (the read-ahead's history shares the window's plan)
    a, b = History(plan), History(plan)
    a.add(records[:700])
    b.copy_from(a)
    b.add(records[700:])
    a.add(records[700:])
    assert state(b) == state(a)
    assert b._plan_keys is not a._plan_keys


@pytest.mark.parametrize("name", ["nemo-RYG0443_R3_R002.3.nmf", "gnettrack-Yas_log.txt"])
def test_real_logs_are_filed_as_record_by_record(name):
    from logs.registry import pick_reader

    records = list(pick_reader(FIX / name, None).open(FIX / name))
    assert sum(isinstance(r, Sample) for r in records) > 100
    assert_files_as_reference(records, sizes=(1, 512, 1_000_000))


def test_grow_array_extend_follows_what_waits_in_the_list():
    g = GrowArray(2)
    g.append(1.0)
    g.append(None)
    g.extend(np.array([3.0, 4.0, 5.0]))
    g.append(6.0)
    assert np.nan_to_num(g.view(), nan=-1).tolist() == [1.0, -1.0, 3.0, 4.0, 5.0, 6.0]
    assert len(g) == 6 and g.last() == 6.0


def test_the_remembered_plan_key_reads_every_field_the_plans_match_reads():
    """History remembers ``plan.key(cell)`` per cell identity (ui.history._identity): any other
    field of a reported cell must leave the plan's match and key unchanged, or the memory
    would name a cell by another's key. Changed one at a time, on cells the plan knows by CI,
    by ARFCN/BSIC only, and not at all."""
    from dataclasses import fields

    from fieldapp.cellplan import CellPlan
    from ui.history import _identity

    plan = CellPlan(synthetic.plan())
    gsm = synthetic.sample(5, synthetic.plan()).serving
    reported = [gsm, replace(gsm, arfcn=None, bsic=None), replace(gsm, ci=None, lac=None), replace(gsm, ci=None, lac=None, arfcn=999),
                replace(gsm, lac=None), replace(gsm, tech=UMTS, pci=77), *synthetic.sample(5, synthetic.plan()).neighbours]
    shown = set(_identity(Cell(tech="x", ci=-1, lac=-2, arfcn=-3, bsic=-4, pci=-5)))
    other_fields = [f.name for f in fields(Cell) if getattr(Cell(tech="x", ci=-1, lac=-2, arfcn=-3, bsic=-4, pci=-5),
                                                                f.name) not in shown]
    assert {"mcc", "mnc", "rxlev_dbm", "role", "state"} <= set(other_fields)
    for cell in reported:
        for name in other_fields:
            value = getattr(cell, name)
            other = ("other" if isinstance(value, str) else 7 if value is None else value + 1000
                     if isinstance(value, (int, float)) else None)
            changed = replace(cell, **{name: other})
            assert plan.match(changed) == plan.match(cell) and plan.key(changed) == plan.key(cell), (cell, name)
