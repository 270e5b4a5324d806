"""Diagnosis: rules over a case's evidence that produce findings (issue 6 §4). Each finding
says what it saw in numbers, cites the samples or calls that triggered it, and gives the next
step of the operator's procedure (DOMAIN.md §1).

Rules, and the reference case each reproduces on the simulator:
- ``weak_coverage``: median serving level below -80 dBm at the spot (level percentiles, the best
  server, its distance, azimuth and downtilt from the cell plan) — case 2, the bus stop;
  ``no_coverage`` when most samples have no serving cell at all (the nearest planned cell).
- ``no_dominant_server``: in most samples three or more cells within 6 dB of the strongest.
- ``interference``: poor RXQUAL (5-7) while RXLEV is good (≥ -85 dBm), per ARFCN, saying where
  it concentrates — case 6, the village on the low ARFCNs.
- ``suspect_trx``: a CQT run whose verdict names one TRX — cases 3 and 4.
- ``access_failure``: call setups failing while the level is good: the network side (BCCH /
  RACH when nothing gets through, SDCCH when setups fail and work on retry) — cases 1, 4, 5.
- ``drops``: each drop with the radio in the seconds before it, classified.
- ``handset_only``: other handsets are fine (a case fact) and the test handset, measured at the
  spot on the cell the spot is served by, shows nothing wrong.
- ``candidate_cells``: "only some handsets fail" where more than one cell is receivable at the
  spot: a subscriber's handset may camp on another cell than the test handset — test each one
  locked (reference case 5).
- ``no_measurement_at_spot``: the case gives a position and nothing was measured within its
  radius (``fieldapp.cases.spot``); no spot rule concludes anything then.
- ``not_tested``: what the complaint's category needs and the evidence does not hold
  (``fieldapp.cases.category``); ``checked_normal``: with evidence and no problem found, the
  list of what was checked and found normal.

Spot rules (coverage, dominance, interference, access, handset-only) use only the samples within
the case's spot radius (``DiagnosisInput.spot``); drops are about the calls wherever they were.
A finding whose rule cannot explain the complaint's category says so (``data.explains_category``).

Sessions marked "after" are left out: they show the spot after the fix (see ``compare``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from fieldapp.cases import category as cat
from fieldapp.cases.cqt_evidence import CqtEvidence, load_cqt
from fieldapp.cases.evidence import cqt_run_ids, evidence
from fieldapp.cases.model import Case
from fieldapp.cases.scan_findings import scan_findings
from fieldapp.cases.spot import SpotSession, SpotView, distance_text, select
from fieldapp.cases.stats import (
    CallRecord,
    bearing_deg,
    calls_of,
    cell_name,
    distance_m,
    last_level_before,
    percentile,
    samples_between,
)
from fieldapp.cases.workflow import load
from fieldapp.cellplan import CellPlan
from fieldapp.cqt.plan import BLOCK, LOCK
from fieldapp.cqt.verdict import LOCK_SETUP
from fieldapp.export_csv import iso_utc
from fieldapp.model import DEDICATED, Event, Position, Sample, Scan
from fieldapp.store import Store

WEAK_MEDIAN_DBM = -80.0  # below the legend's light green: "weak" for a subscriber's spot
NO_COVERAGE_MEDIAN_DBM = -100.0  # red: no usable coverage
GOOD_LEVEL_DBM = -85.0  # "full bars": a setup failure here is not the radio's fault
POOR_RXQUAL = 5  # BER > 3.2 %: audible
DOMINANCE_DB = 6.0
DOMINANCE_CELLS = 3
SHARE_TO_FIRE = 0.5  # share of samples that must show a condition
INTERFERED_SHARE = 0.3
ACCESS_FAILURE_SHARE = 0.2
WEAK_DROP_DBM = -100.0
RADIO_BEFORE_S = 10.0
MAX_CITES = 8
RECEIVABLE_DBM = -95.0  # a neighbour this strong at the spot could serve a subscriber's handset
RECEIVABLE_SHARE = 0.3  # ... in at least this share of the spot's samples


@dataclass(frozen=True)
class Citation:
    session_id: int | None
    ts_utc: float | None
    what: str  # "sample", "call", "cqt", "fact"
    text: str

    def line(self) -> str:
        when = (iso_utc(self.ts_utc, "seconds") or "").replace("T", " ").replace("Z", "")
        where = f"session {self.session_id}" if self.session_id is not None else ""
        head = " ".join(p for p in (where, when) if p)
        return f"{head}: {self.text}" if head else self.text


@dataclass(frozen=True)
class Finding:
    rule: str
    title: str
    summary: str
    next_step: str
    cites: tuple[Citation, ...] = ()
    severity: str = "high"  # "high", "medium", "info"
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class SessionData:
    session_id: int
    role: str | None
    samples: list[Sample]
    events: list[Event]
    source: str = ""
    positions: list[Position] = field(default_factory=list)
    plan_version: int | None = None  # the cell plan version it was recorded or imported under
    scans: list[Scan] = field(default_factory=list)

    @property
    def calls(self) -> list[CallRecord]:
        return calls_of(self.session_id, self.events)


@dataclass
class DiagnosisInput:
    case: Case
    sessions: list[SessionData]
    plan: CellPlan  # the plan as it was when the sessions were recorded (their version), else the current one
    cqt: list[CqtEvidence] = field(default_factory=list)
    after: DiagnosisInput | None = None  # the "after" test of the same spot, with its own plan version
    _spot: SpotView | None = field(default=None, repr=False)
    stats: Any = None  # fieldapp.netstats.data.StatsData: counters and alarms imported into the case

    def samples(self) -> list[tuple[int, Sample]]:
        """Every sample of the evidence (route context included)."""
        return [(s.session_id, x) for s in self.sessions for x in s.samples]

    @property
    def spot(self) -> SpotView:
        """Which samples were taken at the complaint spot (``fieldapp.cases.spot``)."""
        if self._spot is None:
            self._spot = select(self.case.position, self.case.spot_radius_m,
                                [SpotSession(s.session_id, s.samples, s.positions) for s in self.sessions],
                                self.case.hours)
        return self._spot

    def spot_samples(self) -> list[tuple[int, Sample]]:
        return self.spot.at_spot


def gather(store: Store, case_id: int, *, roles: tuple[str | None, ...] = (None, "before")) -> DiagnosisInput:
    """The case's evidence, read from the store (sessions with the given roles)."""
    case = load(store, case_id)
    sessions = _sessions(store, case_id, roles)
    cqt = [c for c in (load_cqt(store, r) for r in cqt_run_ids(store, case_id)) if c is not None]
    after = None
    if "after" not in roles:
        after_sessions = _sessions(store, case_id, ("after",))
        if after_sessions:
            after = DiagnosisInput(case, after_sessions, plan_of(store, after_sessions))
    from fieldapp.netstats.data import load as load_stats  # statistics and alarms (issue 14)

    return DiagnosisInput(case, sessions, plan_of(store, sessions), cqt, after,
                          stats=load_stats(store, case_id=case_id))


def _sessions(store: Store, case_id: int, roles: tuple[str | None, ...]) -> list[SessionData]:
    out = []
    for item in evidence(store, case_id):
        if item.kind != "session" or item.role not in roles:
            continue
        sid = int(item.ref)
        info = store.session(sid)
        if info is None:  # deleted since it was attached
            continue
        out.append(SessionData(sid, item.role, list(store.samples(sid)), store.events(sid), info.source,
                               store.positions(sid), info.plan_version, store.scans(sid)))
    return out


def plan_of(store: Store, sessions: list[SessionData]) -> CellPlan:
    """The cell plan as it was when the sessions were recorded: the version most of their
    samples were recorded under; the current plan for sessions from before plan versions."""
    weight: Counter = Counter()
    for s in sessions:
        if s.plan_version is not None:
            weight[s.plan_version] += max(1, len(s.samples))
    if weight:
        version = weight.most_common(1)[0][0]
        stored = store.plan_at(version)
        if stored is not None:
            cells, source, _loaded = stored
            return CellPlan(cells, source=source, version=version)
    return CellPlan(store.cell_plan(), source=store.cell_plan_source(), version=store.plan_version())


SPOT_RULES = ("weak_coverage", "no_coverage", "no_dominant_server", "interference", "access_failure",
              "handset_only", "candidate_cells")


def diagnose(inp: DiagnosisInput) -> list[Finding]:
    found: list[Finding] = list(no_measurement_at_spot(inp))
    for rule in (weak_coverage, no_dominant_server, interference, suspect_trx, access_failure, drops):
        found.extend(rule(inp))
    found.extend(candidate_cells(inp))
    found.extend(scan_findings(inp, found))
    from fieldapp.netstats.rules import statistics_findings  # procedure steps 3.1/3.2 (issue 14)

    # Before handset-only and the "checked" list: a hung BCCH in the statistics is not a handset problem.
    found.extend(statistics_findings(inp, inp.stats))
    found.extend(handset_only(inp, found))
    found = [_with_spot(inp, f) for f in found]
    found = [_explains(inp, f) for f in found]
    found = _after_test(inp, found)
    found.extend(not_tested(inp))
    found.extend(checked_normal(inp, found))
    return found


# The spot rules an "after" test can show resolved, and what the after test must hold to say so.
_RESOLVABLE = {"weak_coverage": "levels", "no_coverage": "levels", "no_dominant_server": "levels",
               "interference": "calls", "access_failure": "calls", "drops": "calls"}


def _after_test(inp: DiagnosisInput, found: list[Finding]) -> list[Finding]:
    """Each finding the "after" test no longer shows is marked resolved by it (with the level
    before → after at the spot); one it still shows is repeated for the after test, citing the
    plan version the after test was recorded under."""
    after = inp.after
    if after is None:
        return found
    after_found: list[Finding] = []
    for rule in (weak_coverage, no_dominant_server, interference, access_failure, drops):
        after_found.extend(rule(after))
    still = {f.rule for f in after_found}
    levels_before = [s.rxlev_dbm for _sid, s in inp.spot_samples() if s.rxlev_dbm is not None]
    levels_after = [s.rxlev_dbm for _sid, s in after.spot_samples() if s.rxlev_dbm is not None]
    calls_after = sum(1 for s in after.sessions for c in s.calls if c.outcome != "open")
    change = ""
    if levels_before and levels_after:
        change = f"{_fmt(percentile(levels_before, 50))} → {_fmt(percentile(levels_after, 50))} dBm at the spot"
    sids = [s.session_id for s in after.sessions]
    out = []
    for f in found:
        needs = _RESOLVABLE.get(f.rule)
        if needs is None:
            out.append(f)
            continue
        if f.rule in still:
            again = next(a for a in after_found if a.rule == f.rule)
            out.append(f)
            out.append(replace(_with_spot(after, again), title=f"{again.title} (after test: not resolved)",
                               data={**again.data, "role": "after", "sessions": sids}))
            continue
        if (needs == "levels" and not levels_after) or (needs == "calls" and not calls_after):
            out.append(f)  # the after test does not test this: nothing to say
            continue
        cell = f.data.get("best_server")
        after_cell = next((c for c in after.plan if c.name == cell), None) if cell else None
        how = f"session {', '.join(map(str, sids))}"
        if after.plan.version is not None:
            how += f", cell plan version {after.plan.version}"
        if after_cell is not None and after_cell.tilt_deg is not None:
            how += f": {after_cell.name} downtilt {after_cell.tilt_deg:.0f}°"
        text = f"Resolved by the after test ({how})" + (f": {change}" if change else "") + "."
        data = {**f.data, "resolved_by": {"sessions": sids, "plan_version": after.plan.version, "change": change}}
        out.append(replace(f, title=f"{f.title} — resolved", summary=f"{f.summary} {text}", severity="info",
                           data=data))
    return out


# ---------------------------------------------------------------------- helpers


def _spot(inp: DiagnosisInput) -> tuple[float, float] | None:
    """Where the complaint is: the case's map position, else the median GPS position tested."""
    if inp.case.position is not None:
        return inp.case.position
    pos = [(s.position.lat, s.position.lon) for _sid, s in inp.spot_samples() if s.position is not None]
    if not pos:
        return None
    return (percentile([p[0] for p in pos], 50), percentile([p[1] for p in pos], 50))


def _fmt(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}"


# ---------------------------------------------------------------------- rules


def no_service(inp: DiagnosisInput) -> list[Finding]:
    """Most samples without a serving cell and not registered: no coverage at all."""
    rows = inp.spot_samples()
    lost = [(sid, s) for sid, s in rows if s.rxlev_dbm is None
            and (s.registration is None or s.registration.registered is not True)]
    if len(lost) < 3 or len(lost) / len(rows) < SHARE_TO_FIRE:
        return []
    summary = f"In {len(lost)} of {len(rows)} samples ({len(lost) / len(rows):.0%}) the handset had no serving cell"
    states = Counter(s.registration.STAT_TEXT.get(s.registration.stat, "?") for _sid, s in lost
                     if s.registration is not None and s.registration.stat is not None)
    if states:
        summary += " (registration: " + ", ".join(f"{k} ×{n}" for k, n in states.most_common()) + ")"
    data: dict[str, Any] = {"samples": len(rows), "no_service": len(lost)}
    spot = _spot(inp)
    sited = [c for c in inp.plan if c.lat is not None and c.lon is not None]
    if spot is not None and sited:
        nearest = min(sited, key=lambda c: distance_m(c.lat, c.lon, *spot))
        dist = distance_m(nearest.lat, nearest.lon, *spot)
        data.update(nearest_cell=nearest.name, nearest_m=round(dist))
        if inp.plan.version is not None:
            data["plan_version"] = inp.plan.version
        summary += f"; the nearest cell of the plan, {nearest.name}, is {dist / 1000:.1f} km away"
    step = ("No coverage: survey the area around the spot (where does service start?) and request a new site or "
            "an indoor system; check first that the nearest cells transmit (alarms, outages in the complaint window).")
    cites = tuple(Citation(sid, s.ts_utc, "sample", "no serving cell"
                           + (f", {s.registration.STAT_TEXT.get(s.registration.stat, '?')}"
                              if s.registration is not None and s.registration.stat is not None else ""))
                  for sid, s in lost[:MAX_CITES // 2])
    return [Finding("no_coverage", "No coverage at the spot", summary + ".", step, cites, "high", data)]


def weak_coverage(inp: DiagnosisInput) -> list[Finding]:
    levelled = [(sid, s) for sid, s in inp.spot_samples() if s.rxlev_dbm is not None and s.serving is not None]
    if len(levelled) < 3:
        return no_service(inp)
    levels = [s.rxlev_dbm for _sid, s in levelled]
    p10, p50, p90 = (percentile(levels, p) for p in (10, 50, 90))
    assert p50 is not None
    if p50 >= WEAK_MEDIAN_DBM:
        return []
    by_cell: dict[tuple, list[float]] = defaultdict(list)
    example = {}
    for _sid, s in levelled:
        by_cell[inp.plan.key(s.serving)].append(s.rxlev_dbm)
        example[inp.plan.key(s.serving)] = s.serving
    best_key = max(by_cell, key=lambda k: (len(by_cell[k]), percentile(by_cell[k], 50)))
    best = example[best_key]
    best_plan = inp.plan.match(best)
    spot = _spot(inp)
    parts = [f"Serving level at the spot: median {_fmt(p50)} dBm (10th percentile {_fmt(p10)}, 90th {_fmt(p90)}) "
             f"over {len(levels)} samples; best server {cell_name(inp.plan, best)}"]
    data: dict[str, Any] = {"p10_dbm": p10, "p50_dbm": p50, "p90_dbm": p90, "samples": len(levels),
                            "best_server": best_plan.name if best_plan else cell_name(inp.plan, best)}
    geometry = ""
    if best_plan is not None and spot is not None and best_plan.lat is not None and best_plan.lon is not None:
        dist = distance_m(best_plan.lat, best_plan.lon, *spot)
        data["distance_m"] = round(dist)
        parts.append(f"{dist:.0f} m from the spot")
        if best_plan.azimuth_deg is not None:
            off = abs((bearing_deg(best_plan.lat, best_plan.lon, *spot) - best_plan.azimuth_deg + 180) % 360 - 180)
            data["off_azimuth_deg"] = round(off)
            parts.append(f"the spot {off:.0f}° off its azimuth {best_plan.azimuth_deg:.0f}°")
        if best_plan.tilt_deg and best_plan.height_m:
            reach = best_plan.height_m / math.tan(math.radians(best_plan.tilt_deg))
            data["tilt_deg"] = best_plan.tilt_deg
            data["main_beam_ground_m"] = round(reach)
            parts.append(f"downtilt {best_plan.tilt_deg:.0f}° at {best_plan.height_m:.0f} m puts the main beam "
                         f"on the ground at about {reach:.0f} m")
            if reach < 0.6 * dist:
                geometry = (f" The main beam lands well short of the spot ({reach:.0f} m vs {dist:.0f} m): "
                            f"less downtilt on {best_plan.name} should raise the level there.")
    if best_plan is not None:
        if best_plan.trxs:
            data["trxs"] = [t.trx_id for t in best_plan.trxs]
            parts.append(f"TRXs {', '.join(data['trxs'])}")
        if inp.plan.version is not None:
            data["plan_version"] = inp.plan.version
            parts.append(f"as in cell plan version {inp.plan.version} (the plan when measured)")
    no_coverage = p50 < NO_COVERAGE_MEDIAN_DBM
    name = best_plan.name if best_plan else cell_name(inp.plan, best)
    if no_coverage:
        step = ("No usable coverage: survey the area and request a new site or an indoor system; check first "
                f"that {name} transmits at full power and has no alarm.")
    else:
        step = (f"Check {name}'s parameters (BS power, minimum access level) and antenna (tilt, azimuth); an "
                "antenna or parameter change, then re-test the same spot at the same hours (mark it \"after\")."
                + geometry)
    weakest = sorted(levelled, key=lambda x: x[1].rxlev_dbm)[:MAX_CITES // 2]
    cites = tuple(Citation(sid, s.ts_utc, "sample", f"{s.rxlev_dbm:.0f} dBm on {cell_name(inp.plan, s.serving)}")
                  for sid, s in sorted(weakest, key=lambda x: x[1].ts_utc))
    title = "No usable coverage at the spot" if no_coverage else "Weak coverage at the spot"
    return [Finding("weak_coverage", title, ", ".join(parts) + ".", step, cites, "high", data)]


def no_dominant_server(inp: DiagnosisInput) -> list[Finding]:
    rows = []
    for sid, s in inp.spot_samples():
        if s.serving is None or s.serving.level_dbm is None or not s.neighbours:
            continue
        cells = [s.serving] + [n for n in s.neighbours if n.level_dbm is not None]
        top = max(c.level_dbm for c in cells)
        close = sorted((c for c in cells if c.level_dbm >= top - DOMINANCE_DB), key=lambda c: -c.level_dbm)
        rows.append((sid, s, close))
    if len(rows) < 3:
        return []
    crowded = [r for r in rows if len(r[2]) >= DOMINANCE_CELLS]
    share = len(crowded) / len(rows)
    if share < SHARE_TO_FIRE:
        return []
    names = Counter(cell_name(inp.plan, c).split(" (")[0] for _sid, _s, close in crowded for c in close)
    competing = [n for n, _k in names.most_common(5)]
    cites = tuple(Citation(sid, s.ts_utc, "sample", ", ".join(f"{cell_name(inp.plan, c)} {c.level_dbm:.0f} dBm"
                                                              for c in close))
                  for sid, s, close in crowded[:MAX_CITES // 2])
    summary = (f"In {len(crowded)} of {len(rows)} samples ({share:.0%}) {DOMINANCE_CELLS} or more cells were within "
               f"{DOMINANCE_DB:.0f} dB of the strongest; competing: {', '.join(competing)}.")
    step = ("Make one cell dominate the spot: antenna (tilt/azimuth) and parameter changes (BS power, handover "
            f"margins) on {', '.join(competing[:3])}; check the handover statistics between them.")
    return [Finding("no_dominant_server", "No dominant server", summary, step, cites, "high",
                    {"share": share, "competing": competing})]


def _arfcn(s: Sample) -> int | None:
    ch = s.channel
    if ch is not None and ch.tch_arfcn is not None and not ch.hopping:
        return ch.tch_arfcn
    return s.serving.arfcn if s.serving is not None else None


def interference(inp: DiagnosisInput) -> list[Finding]:
    good = [(sid, s) for sid, s in inp.spot_samples()
            if s.mode == DEDICATED and s.rxqual is not None and s.rxlev_dbm is not None
            and s.rxlev_dbm >= GOOD_LEVEL_DBM]
    poor = [(sid, s) for sid, s in good if s.rxqual >= POOR_RXQUAL]
    if len(poor) < 3 or len(poor) / len(good) < INTERFERED_SHARE:
        return []
    per: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for _sid, s in good:
        row = per[_arfcn(s)]
        row[1] += 1
        row[0] += int(s.rxqual >= POOR_RXQUAL)
    hit = sorted(a for a, (bad, n) in per.items() if a is not None and bad / n >= INTERFERED_SHARE)
    clean = sorted(a for a, (bad, n) in per.items() if a is not None and bad / n < 0.1)
    table = "; ".join(f"ARFCN {a}: {per[a][0]}/{per[a][1]} poor" for a in sorted(x for x in per if x is not None))
    summary = (f"{len(poor)} of {len(good)} samples in calls ({len(poor) / len(good):.0%}) had RXQUAL "
               f"{POOR_RXQUAL}-7 while the level was {GOOD_LEVEL_DBM:.0f} dBm or better: {table}.")
    where = f"ARFCN {', '.join(map(str, hit))}" if hit else "the ARFCNs used"
    if hit and clean:
        summary += f" Concentrated on {where}; clean on ARFCN {', '.join(map(str, clean))}."
    if hit and max(hit) <= 20:
        summary += " All affected ARFCNs are at the low end of the band (an external transmitter below it?)."
    step = (f"Check the interference statistics (idle-channel interference bands, uplink bad-quality drops) and "
            f"the frequency plan for {where}; look for co-/adjacent-channel reuse or an external source, then "
            "move the cell off the affected frequencies (frequency change) and re-test.")
    worst = sorted(poor, key=lambda x: (-x[1].rxqual, x[1].ts_utc))[:MAX_CITES // 2]
    cites = tuple(Citation(sid, s.ts_utc, "sample", f"RXQUAL {s.rxqual} at {s.rxlev_dbm:.0f} dBm on ARFCN {_arfcn(s)}")
                  for sid, s in sorted(worst, key=lambda x: x[1].ts_utc))
    return [Finding("interference", "Interference: bad quality under good level", summary, step, cites, "high",
                    {"arfcns": hit, "clean_arfcns": clean, "per_arfcn": {str(k): v for k, v in per.items()}})]


def suspect_trx(inp: DiagnosisInput) -> list[Finding]:
    out = []
    for run in inp.cqt:
        trx = run.suspect
        if run.verdict.get("status") == LOCK_SETUP:  # the verdict itself says the lock cannot tell
            named = run.verdict.get("suspects") or [None]
            out.append(_unattributable(run, named[0] or "?", [Citation(None, None, "cqt", run.verdict.get("text", ""))]))
            continue
        if trx is None:
            continue
        row = run.matrix.get(trx, {})
        problem = run.verdict.get("problem") or ""
        cites = [Citation(None, None, "cqt", line) for line in run.verdict.get("support", [])[:MAX_CITES // 2]]
        bad_calls = [c for c in run.calls if c.trx_id == trx and (c.result != "released" or
                                                                     (c.listener not in (None, "normal")))]
        cites += [Citation(None, c.start_utc, "call", f"CQT call {c.summary()}")
                  for c in bad_calls[:MAX_CITES // 2]]
        modes = set(run.mode.split("+")) if run.mode else set()
        blocked = BLOCK in modes
        if problem == "setup_failed" and LOCK in modes and not blocked:
            out.append(_unattributable(run, trx, cites))
            continue
        if problem == "setup_failed" and blocked:
            step = (f"Look at {trx}'s SDCCH (CHANNEL ACTIVATION NACK, IMMEDIATE ASSIGNMENT REJECT per TRX); then "
                    f"repair or replace {trx} (TRX block or replacement).")
        elif problem == "setup_failed":
            step = (f"Look at {trx}'s SDCCH (CHANNEL ACTIVATION NACK, IMMEDIATE ASSIGNMENT REJECT per TRX); block "
                    f"its SDCCH/TRX to confirm setups then succeed, then repair or replace {trx} (TRX block or "
                    "replacement).")
        elif blocked:  # the run already forced every call onto one TRX: blocking is what was done
            step = (f"The block-mode run pins the fault on {trx} (the other TRXs of {run.cell} were blocked while "
                    f"its calls were made). Repair or replace {trx} (TRX block or replacement), then re-test.")
        else:
            step = (f"Confirm by blocking: with the other TRXs of {run.cell} blocked every call lands on {trx} and "
                    f"should reproduce the fault; with {trx} blocked all calls should be normal. Then replace or "
                    f"repair {trx} (TRX block or replacement).")
        summary = (f"CQT run {run.run_id if run.run_id is not None else ''} on {run.cell}: {run.verdict.get('text', '')} "
                   f"({trx}: {row.get('calls', '?')} calls).").replace("run  on", "run on")
        out.append(Finding("suspect_trx", f"Suspect TRX {trx}", summary, step, tuple(cites), "high",
                           {"trx": trx, "cell": run.cell, "problem": problem, "run_id": run.run_id}))
    return out


def _unattributable(run: CqtEvidence, trx: str, cites: list[Citation]) -> Finding:
    """Setup failures of a lock-mode run: the lock pins the traffic channel at best, but the
    SDCCH the setup fails on is assigned separately, on any TRX (reference case 4)."""
    failed = sum(1 for c in run.calls if c.result not in (None, "released") and c.connected_utc is None)
    summary = (f"CQT run {run.run_id} on {run.cell} ({run.mode} mode): {failed} setup failure(s), counted on {trx} "
               "by the lock. In lock mode setup failures cannot be attributed to the traffic TRX: the SDCCH the "
               "setup runs on is assigned separately, on whichever TRX carries a free SDCCH.")
    step = (f"Repeat the test in block mode: ask the BSC team to block all TRXs of {run.cell} but one, in turn, so "
            "the SDCCH and the TCH are both on the TRX under test; check CHANNEL ACTIVATION NACK and IMMEDIATE "
            f"ASSIGNMENT REJECT counts per TRX of {run.cell}.")
    return Finding("cqt_unattributable", f"Setup failures on {run.cell}: TRX not identified in lock mode", summary,
                   step, tuple(cites), "medium",
                   {"trx": None, "cell": run.cell, "problem": "setup_failed", "run_id": run.run_id,
                    "counted_on": trx, "mode": run.mode})


def _call_radio(inp: DiagnosisInput, call: CallRecord) -> Sample | None:
    session = next(s for s in inp.sessions if s.session_id == call.session_id)
    return last_level_before(session.samples, call.attempt_utc, RADIO_BEFORE_S)


def _worst_quality(inp: DiagnosisInput, call: CallRecord) -> int | None:
    """The worst RXQUAL during the setup, else the last one known in the ``RADIO_BEFORE_S`` before
    the attempt (idle reports have none: quality is known on the SDCCH or in a call)."""
    session = next(s for s in inp.sessions if s.session_id == call.session_id)
    end = call.end_utc if call.end_utc is not None else call.attempt_utc + RADIO_BEFORE_S
    during = [x.rxqual for x in samples_between(session.samples, call.attempt_utc, end) if x.rxqual is not None]
    if during:
        return max(during)
    before = [x.rxqual for x in samples_between(session.samples, call.attempt_utc - RADIO_BEFORE_S,
                                                call.attempt_utc) if x.rxqual is not None]
    return before[-1] if before else None


def access_failure(inp: DiagnosisInput) -> list[Finding]:
    """Setups failing under good radio: good level AND no bad quality (a failure under bad
    quality is interference, not the network side). Only calls made at the spot count."""
    at_spot = {id(x) for _sid, x in inp.spot_samples()}
    calls, radios = [], {}
    for s in inp.sessions:
        for c in s.calls:
            if c.outcome not in ("released", "failed", "dropped"):
                continue
            radio = _call_radio(inp, c)
            if radio is None or id(radio) not in at_spot:
                continue  # not measured at the spot (or no level before it): route context
            calls.append(c)
            radios[id(c)] = radio
    failed = [c for c in calls if c.outcome == "failed"]
    good_fail, bad_quality = [], []
    for c in failed:
        radio = radios[id(c)]
        if radio.rxlev_dbm < GOOD_LEVEL_DBM:
            continue
        worst = _worst_quality(inp, c)
        if worst is not None and worst >= POOR_RXQUAL:
            bad_quality.append((c, radio, worst))
        else:
            good_fail.append((c, radio))
    out = []
    if bad_quality and len(bad_quality) / len(calls) >= ACCESS_FAILURE_SHARE:
        out.append(_access_interference(inp, calls, bad_quality))
    if not good_fail or len(good_fail) / len(calls) < ACCESS_FAILURE_SHARE:
        return out
    causes = Counter((c.cause_text or "no cause given").split(" (")[0] for c, _r in good_fail)
    cells = Counter(cell_name(inp.plan, r.serving).split(" (")[0] for _c, r in good_fail)
    cell = cells.most_common(1)[0][0]
    cause_texts = " ".join(causes).lower()
    all_failed = len(failed) == len(calls)
    if "random access" in cause_texts or (all_failed and "assignment" not in cause_texts):
        side = "BCCH / random access"
        step = (f"Network side, BCCH TRX of {cell}: check its random access and SDCCH seizure counters since the "
                "complaint window (zero, with handover-in traffic still arriving, means a hung BCCH TRX) and the "
                "site's alarms; block and de-block the BCCH TRX, then repeat the test calls.")
    elif "assignment" in cause_texts or not all_failed:
        side = "SDCCH"
        step = (f"Network side, SDCCH of {cell}: check SDCCH assignment success and CHANNEL ACTIVATION NACKs per "
                "TRX (setups that fail and work on retry point at one TRX's SDCCH); run a TRX-by-TRX CQT on "
                f"{cell} and ask for a network-side trace while repeating the calls.")
    else:
        side = "network"
        step = (f"Check {cell}'s random access success, SDCCH/TCH assignment success and congestion; repeat the calls "
                "at the same place and time with a network-side trace.")
    summary = (f"{len(good_fail)} of {len(calls)} call setups failed while the level was {GOOD_LEVEL_DBM:.0f} dBm or "
               f"better ({', '.join(f'{k} ×{n}' for k, n in causes.most_common())}) on {cell}"
               + ("; every attempt failed" if all_failed else "; the other attempts worked (a retry succeeds)")
               + f". Level and quality were fine: this points at the network side ({side}).")
    cites = tuple(Citation(c.session_id, c.attempt_utc, "call",
                           f"setup failed ({c.cause_text or 'no cause'}) on {cell_name(inp.plan, r.serving)} "
                           f"at {r.rxlev_dbm:.0f} dBm") for c, r in good_fail[:MAX_CITES])
    out.append(Finding("access_failure", f"Access failures under good radio ({side})", summary, step, cites, "high",
                       {"side": side, "cell": cell, "failed": len(good_fail), "attempts": len(calls)}))
    return out


def _access_interference(inp: DiagnosisInput, calls: list[CallRecord],
                         bad: list[tuple[CallRecord, Sample, int]]) -> Finding:
    cells = Counter(cell_name(inp.plan, r.serving).split(" (")[0] for _c, r, _q in bad)
    cell = cells.most_common(1)[0][0]
    summary = (f"{len(bad)} of {len(calls)} call setups failed under bad quality (RXQUAL {POOR_RXQUAL}-7) while the "
               f"level was {GOOD_LEVEL_DBM:.0f} dBm or better, on {cell}: the setups fail on interference, not on a "
               "network-side fault.")
    step = (f"Check {cell}'s interference statistics (idle-channel interference bands, uplink bad-quality counters) "
            "and the frequency plan of its BCCH and SDCCH carriers (co-/adjacent-channel reuse, an external source); "
            "a frequency change if confirmed, then repeat the calls.")
    cites = tuple(Citation(c.session_id, c.attempt_utc, "call",
                           f"setup failed ({c.cause_text or 'no cause'}) on {cell_name(inp.plan, r.serving)} at "
                           f"{r.rxlev_dbm:.0f} dBm, RXQUAL {q}") for c, r, q in bad[:MAX_CITES])
    return Finding("interference", "Call setups failing under bad quality (interference)", summary, step, cites,
                   "high", {"cell": cell, "failed": len(bad), "attempts": len(calls), "access": True})


def drops(inp: DiagnosisInput) -> list[Finding]:
    rows = []
    connected = 0
    for session in inp.sessions:
        for c in session.calls:
            connected += int(c.connected)
            if c.outcome != "dropped":
                continue
            before = [s for s in samples_between(session.samples, c.end_utc - RADIO_BEFORE_S, c.end_utc)
                      if s.rxlev_dbm is not None]
            levels = [s.rxlev_dbm for s in before]
            quals = [s.rxqual for s in before if s.rxqual is not None]
            low = min(levels) if levels else None
            worst_q = max(quals) if quals else None
            if low is not None and low < WEAK_DROP_DBM:
                kind = "weak level"
            elif worst_q is not None and worst_q >= POOR_RXQUAL:
                kind = "bad quality under good level"
            elif levels:
                kind = "sudden (good radio)"
            else:
                kind = "no radio recorded before it"
            serving = before[-1].serving if before else None
            rows.append((session.session_id, c, kind, low, worst_q, serving))
    if not rows:
        return []
    kinds = Counter(r[2] for r in rows)
    main = kinds.most_common(1)[0][0]
    steps = {
        "bad quality under good level": "Interference is the likely cause: check the interference bands and "
        "bad-quality drop counters (UL/DL) and the frequency plan; a frequency change if confirmed.",
        "weak level": "Coverage is the likely cause: check the best server's antenna and parameters "
        "(see the coverage finding) and handover neighbours.",
        "sudden (good radio)": "Drops with good radio point at hardware: per-TRX timeslot drop counts, alarms and "
        "transmission; a TRX-by-TRX CQT on the serving cell.",
        "no radio recorded before it": "Record the level and quality during the calls to tell the cause.",
    }
    summary = (f"{len(rows)} drop(s) in {connected} connected call(s): "
               + ", ".join(f"{k} ×{n}" for k, n in kinds.most_common()) + ".")
    cites = tuple(Citation(sid, c.end_utc, "call",
                           f"dropped ({c.cause_text or 'no cause'}); in the {RADIO_BEFORE_S:.0f} s before: lowest "
                           f"{_fmt(low)} dBm, worst RXQUAL {'?' if q is None else q} on {cell_name(inp.plan, sv)} "
                           f"→ {kind}") for sid, c, kind, low, q, sv in rows[:MAX_CITES])
    return [Finding("drops", "Dropped calls", summary, steps[main], cites, "high",
                    {"drops": len(rows), "connected": connected, "kinds": dict(kinds)})]


def _spot_cell(inp: DiagnosisInput) -> str | None:
    """The cell the spot is served by: the one serving most of the spot's samples."""
    names = Counter(cell_name(inp.plan, s.serving).split(" (")[0] for _sid, s in inp.spot_samples()
                    if s.serving is not None)
    return names.most_common(1)[0][0] if names else None


@dataclass(frozen=True)
class Candidate:
    name: str
    median_dbm: float
    seen: int  # spot samples showing it (serving or neighbour)
    served: int  # spot samples in which it served the test handset
    bcch_arfcn: int | None


def receivable_cells(inp: DiagnosisInput) -> list[Candidate]:
    """Cells a handset at the spot could camp on: median level ≥ RECEIVABLE_DBM in at least
    RECEIVABLE_SHARE of the spot's samples, strongest first."""
    spot = [s for _sid, s in inp.spot_samples() if s.serving is not None]
    if not spot:
        return []
    levels: dict[str, list[float]] = defaultdict(list)
    served: Counter = Counter()
    arfcn: dict[str, int | None] = {}
    for s in spot:
        for i, c in enumerate((s.serving, *s.neighbours)):
            if c.level_dbm is None and i:
                continue
            name = cell_name(inp.plan, c).split(" (")[0]
            level = c.level_dbm if c.level_dbm is not None else s.rxlev_dbm
            if level is not None:
                levels[name].append(level)
            served[name] += int(i == 0)
            found = inp.plan.match(c)
            arfcn.setdefault(name, found.bcch_arfcn if found is not None else c.arfcn)
    out = []
    for name, values in levels.items():
        median = percentile(values, 50)
        if median is not None and median >= RECEIVABLE_DBM and len(values) >= RECEIVABLE_SHARE * len(spot):
            out.append(Candidate(name, median, len(values), served[name], arfcn.get(name)))
    return sorted(out, key=lambda c: -c.median_dbm)


def candidate_cells(inp: DiagnosisInput) -> list[Finding]:
    """"Only some handsets fail" where several cells reach the spot: the test handset on one cell
    says nothing about a subscriber's handset camped on another (reference case 5)."""
    case = inp.case
    if not (case.category == cat.SOME_HANDSETS or case.other_handsets_ok is True):
        return []
    cands = receivable_cells(inp)
    if len(cands) < 2:
        return []
    untested = [c for c in cands if not c.served]
    if not untested:
        return []  # the test handset was measured on each of them: the other rules judge
    listed = "; ".join(f"{c.name} median {c.median_dbm:.0f} dBm"
                       + (f" (BCCH ARFCN {c.bcch_arfcn})" if c.bcch_arfcn is not None else "")
                       + (f", tested: served the test handset in {c.served} samples" if c.served else ", not tested")
                       for c in cands)
    summary = (f"{len(cands)} cells are receivable at the spot: {listed}. The test handset was served by "
               f"{', '.join(c.name for c in cands if c.served) or 'none of them'} only; a subscriber's handset "
               "may camp on another (other reselection parameters, another band): \"handset-only\" cannot be "
               "concluded from one handset on one cell.")
    step = ("Lock the test handset to each candidate cell in turn (CQT lock mode, or the handset's lock to the "
            f"cell's BCCH ARFCN) and repeat the calls: {', '.join(c.name for c in untested)} not tested yet. Check "
            "each cell's random access and SDCCH seizure counters (zero with handover-in traffic only = a hung "
            "BCCH TRX).")
    cites = tuple(Citation(None, None, "sample", f"{c.name}: median {c.median_dbm:.0f} dBm in {c.seen} spot samples, "
                           f"serving in {c.served}") for c in cands[:MAX_CITES])
    return [Finding("candidate_cells", "Several cells reach the spot: test each one", summary, step, cites, "medium",
                    {"cell": untested[0].name, "trx": None,
                     "candidates": [{"cell": c.name, "median_dbm": round(c.median_dbm, 1), "served": c.served,
                                     "bcch_arfcn": c.bcch_arfcn} for c in cands],
                     "untested": [c.name for c in untested]})]


def handset_only(inp: DiagnosisInput, other_findings: list[Finding]) -> list[Finding]:
    """Needs the test handset measured at the spot, on the cell the spot is served by, and no
    other finding (nor a candidate cell left untested)."""
    case = inp.case
    if case.other_handsets_ok is not True:
        return []
    if any(f.severity != "info" for f in other_findings):
        return []  # the test handset reproduces a fault, or the spot was not measured properly
    spot = inp.spot_samples()
    cell = _spot_cell(inp)
    if not spot or cell is None:
        return []  # nothing measured at the spot: "not tested" says so
    calls = [c for s in inp.sessions for c in s.calls]
    ok_calls = sum(1 for c in calls if c.outcome == "released")
    seen = (f"The test handset, measured at the spot on {cell} (the cell that serves it), saw nothing wrong "
            f"({len(spot)} samples" + (f", {ok_calls} of {len(calls)} calls normal" if calls else "") + ").")
    summary = f"Other handsets work at the spot (case fact). {seen} The subscriber's handset: {case.handset or '?'}."
    step = ("A handset problem is explained to the subscriber on site: check the handset's settings (network mode, "
            "band), software version and SIM (try the SIM in another handset, another SIM in this one).")
    cites = (Citation(None, None, "fact", "other handsets fine: yes"),)
    return [Finding("handset_only", "Handset-only problem", summary, step, cites, "medium", {"cell": cell})]


def no_measurement_at_spot(inp: DiagnosisInput) -> list[Finding]:
    spot = inp.spot
    if not spot.nothing_near or spot.nearest_m is None:
        return []
    summary = (f"No measurement within {spot.radius_m:.0f} m of the spot; nearest {distance_text(spot.nearest_m)} "
               f"({spot.elsewhere} samples, all elsewhere on the route). Nothing is concluded about the spot: its "
               "coverage, dominance, interference and access are unknown.")
    step = ("Measure at the spot itself (the case's position), at the complaint hours, and attach that session; "
            "the route's measurements are context only.")
    return [Finding("no_measurement_at_spot", "No measurement at the spot", summary, step, (), "high",
                    {"radius_m": spot.radius_m, "nearest_m": round(spot.nearest_m), "samples_elsewhere":
                     spot.elsewhere})]


def _with_spot(inp: DiagnosisInput, f: Finding) -> Finding:
    """A spot finding says which samples it used and whether they were in the complaint hours."""
    if f.rule not in SPOT_RULES:
        return f
    spot = inp.spot
    notes = [t for t in (spot.where_text(), spot.hours_text()) if t]
    if not notes:
        return f
    text = "; ".join(notes)
    return replace(f, summary=f"{f.summary} Spot: {text[0].upper()}{text[1:]}.", data={**f.data, "spot": spot.data()})


def _explains(inp: DiagnosisInput, f: Finding) -> Finding:
    if cat.explains(f.rule, inp.case.category) is not False:
        return f
    return replace(f, summary=f"{f.summary} This does not explain the complaint ({inp.case.category}).",
                   data={**f.data, "explains_category": False})


def tested(inp: DiagnosisInput) -> cat.Tested:
    """What the evidence holds, counted for the category's needs."""
    out = cat.Tested(cqt_runs=len(inp.cqt))
    out.level_at_spot = len(inp.spot_samples())  # "no service" is a measured level too
    for s in inp.sessions:
        for c in s.calls:
            out.outgoing += 1
            out.held += int(c.connected)
        out.incoming += sum(1 for e in s.events if cat.is_incoming_event(e))
        out.packet += sum(1 for e in s.events if cat.is_packet_event(e))
    for run in inp.cqt:
        for call in run.calls:
            direction = getattr(call, "direction", None) or call.extra.get("direction")
            if direction == "incoming":
                out.incoming += 1
            elif not inp.sessions:  # the run's calls are in its session too when that is attached
                out.outgoing += 1
                out.held += int(call.connected_utc is not None)
            out.judged += int(call.listener is not None)
            out.packet += int(call.extra.get("service") == "packet")
    return out


def not_tested(inp: DiagnosisInput) -> list[Finding]:
    """For the complaint's category: each kind of test it needs that the evidence lacks."""
    have = tested(inp)
    if not have.any() and not inp.sessions:
        return []  # no evidence yet: nothing to say beyond "attach some"
    category = inp.case.category
    out = []
    for what in cat.missing(category, have):
        summary = (f"The complaint is \"{category}\"; the evidence holds {have.describe()}: {what} not tested. "
                   "Findings on the other evidence do not answer this complaint by themselves.")
        out.append(Finding("not_tested", f"{what[0].upper()}{what[1:]} not tested", summary, cat.NEXT_STEP[what], (),
                           "medium", {"what": what, "category": category}))
    return out


def checked_normal(inp: DiagnosisInput, found: list[Finding]) -> list[Finding]:
    """With evidence and no problem found: what was checked and found normal."""
    if any((f.severity != "info" and f.rule != "not_tested") or "resolved_by" in f.data for f in found):
        return []  # a problem was found: that is the answer, not a "normal" list
    have = tested(inp)
    if not have.any():
        return []
    checked = []
    spot = inp.spot_samples()
    levels = [s.rxlev_dbm for _sid, s in spot if s.rxlev_dbm is not None]
    if levels:
        where = "at the spot" if inp.spot.known else "in the tests"
        checked.append(f"level {where}: median {percentile(levels, 50):.0f} dBm over {len(levels)} samples "
                       f"(not below {WEAK_MEDIAN_DBM:.0f} dBm)")
        cell = _spot_cell(inp)
        if cell:
            checked.append(f"serving cell {cell}; no three cells within {DOMINANCE_DB:.0f} dB in most samples")
    quals = [s.rxqual for _sid, s in spot if s.mode == DEDICATED and s.rxqual is not None]
    if quals:
        good = sum(1 for q in quals if q < POOR_RXQUAL)
        checked.append(f"quality in calls: RXQUAL 0-{POOR_RXQUAL - 1} in {good} of {len(quals)} samples")
    calls = [c for s in inp.sessions for c in s.calls if c.outcome != "open"]
    if calls:
        ok = sum(1 for c in calls if c.connected)
        dropped = sum(1 for c in calls if c.outcome == "dropped")
        checked.append(f"call setups: {ok} of {len(calls)} connected; drops: {dropped}")
    for run in inp.cqt:
        checked.append(f"CQT run {run.run_id} on {run.cell}: {run.verdict.get('text') or run.verdict.get('status')}")
    hours = inp.spot.hours_text()
    if hours:
        checked.append(hours)
    if not checked:
        return []
    summary = "Checked and found normal: " + "; ".join(checked) + "."
    step = ("Nothing in this evidence explains the complaint: test what is listed as not tested, at the complaint "
            "hours and at the spot; check the cells' statistics and alarms for the complaint window.")
    return [Finding("checked_normal", "Checked and found normal", summary, step, (), "info", {"checked": checked})]


def diagnose_case(store: Store, case_id: int) -> list[Finding]:
    return diagnose(gather(store, case_id))
