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
- ``handset_only``: other handsets are fine (a case fact) and the test handset shows nothing
  wrong at the spot.

Sessions marked "after" are left out: they show the spot after the fix (see ``compare``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from fieldapp.cases.cqt_evidence import CqtEvidence, load_cqt
from fieldapp.cases.evidence import cqt_run_ids, evidence
from fieldapp.cases.model import Case
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
from fieldapp.export_csv import iso_utc
from fieldapp.model import DEDICATED, Event, Sample
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

    @property
    def calls(self) -> list[CallRecord]:
        return calls_of(self.session_id, self.events)


@dataclass
class DiagnosisInput:
    case: Case
    sessions: list[SessionData]
    plan: CellPlan  # the workspace's plan when gathered (a value: the version the diagnosis used)
    cqt: list[CqtEvidence] = field(default_factory=list)

    def samples(self) -> list[tuple[int, Sample]]:
        return [(s.session_id, x) for s in self.sessions for x in s.samples]


def gather(store: Store, case_id: int, *, roles: tuple[str | None, ...] = (None, "before")) -> DiagnosisInput:
    """The case's evidence, read from the store (sessions with the given roles)."""
    case = load(store, case_id)
    sessions = []
    for item in evidence(store, case_id):
        if item.kind != "session" or item.role not in roles:
            continue
        sid = int(item.ref)
        info = store.session(sid)
        if info is None:  # deleted since it was attached
            continue
        sessions.append(SessionData(sid, item.role, list(store.samples(sid)), store.events(sid), info.source))
    cqt = [c for c in (load_cqt(store, r) for r in cqt_run_ids(store, case_id)) if c is not None]
    plan = CellPlan(store.cell_plan(), source=store.cell_plan_source())
    return DiagnosisInput(case, sessions, plan, cqt)


def diagnose(inp: DiagnosisInput) -> list[Finding]:
    found: list[Finding] = []
    for rule in (weak_coverage, no_dominant_server, interference, suspect_trx, access_failure, drops):
        found.extend(rule(inp))
    found.extend(handset_only(inp, found))
    return found


# ---------------------------------------------------------------------- helpers


def _spot(inp: DiagnosisInput) -> tuple[float, float] | None:
    """Where the complaint is: the case's map position, else the median GPS position tested."""
    if inp.case.position is not None:
        return inp.case.position
    pos = [(s.position.lat, s.position.lon) for _sid, s in inp.samples() if s.position is not None]
    if not pos:
        return None
    return (percentile([p[0] for p in pos], 50), percentile([p[1] for p in pos], 50))


def _fmt(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}"


# ---------------------------------------------------------------------- rules


def no_service(inp: DiagnosisInput) -> list[Finding]:
    """Most samples without a serving cell and not registered: no coverage at all."""
    rows = inp.samples()
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
        summary += f"; the nearest cell of the plan, {nearest.name}, is {dist / 1000:.1f} km away"
    step = ("No coverage: survey the area around the spot (where does service start?) and request a new site or "
            "an indoor system; check first that the nearest cells transmit (alarms, outages in the complaint window).")
    cites = tuple(Citation(sid, s.ts_utc, "sample", "no serving cell"
                           + (f", {s.registration.STAT_TEXT.get(s.registration.stat, '?')}"
                              if s.registration is not None and s.registration.stat is not None else ""))
                  for sid, s in lost[:MAX_CITES // 2])
    return [Finding("no_coverage", "No coverage at the spot", summary + ".", step, cites, "high", data)]


def weak_coverage(inp: DiagnosisInput) -> list[Finding]:
    levelled = [(sid, s) for sid, s in inp.samples() if s.rxlev_dbm is not None and s.serving is not None]
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
    for sid, s in inp.samples():
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
    good = [(sid, s) for sid, s in inp.samples()
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
        if trx is None:
            continue
        row = run.matrix.get(trx, {})
        problem = run.verdict.get("problem") or ""
        cites = [Citation(None, None, "cqt", line) for line in run.verdict.get("support", [])[:MAX_CITES // 2]]
        bad_calls = [c for c in run.calls if c.trx_id == trx and (c.result != "released" or
                                                                     (c.listener not in (None, "normal")))]
        cites += [Citation(None, c.start_utc, "call", f"CQT call {c.summary()}")
                  for c in bad_calls[:MAX_CITES // 2]]
        if problem == "setup_failed":
            step = (f"Look at {trx}'s SDCCH (CHANNEL ACTIVATION NACK, IMMEDIATE ASSIGNMENT REJECT per TRX); block "
                    f"its SDCCH/TRX to confirm setups then succeed, then repair or replace {trx} (TRX block or "
                    "replacement).")
        else:
            step = (f"Confirm by blocking: with the other TRXs of {run.cell} blocked every call lands on {trx} and "
                    f"should reproduce the fault; with {trx} blocked all calls should be normal. Then replace or "
                    f"repair {trx} (TRX block or replacement).")
        summary = (f"CQT run {run.run_id if run.run_id is not None else ''} on {run.cell}: {run.verdict.get('text', '')} "
                   f"({trx}: {row.get('calls', '?')} calls).").replace("run  on", "run on")
        out.append(Finding("suspect_trx", f"Suspect TRX {trx}", summary, step, tuple(cites), "high",
                           {"trx": trx, "cell": run.cell, "problem": problem, "run_id": run.run_id}))
    return out


def _call_radio(inp: DiagnosisInput, call: CallRecord) -> Sample | None:
    session = next(s for s in inp.sessions if s.session_id == call.session_id)
    return last_level_before(session.samples, call.attempt_utc, RADIO_BEFORE_S)


def access_failure(inp: DiagnosisInput) -> list[Finding]:
    calls = [c for s in inp.sessions for c in s.calls if c.outcome in ("released", "failed", "dropped")]
    failed = [c for c in calls if c.outcome == "failed"]
    good_fail = []
    for c in failed:
        radio = _call_radio(inp, c)
        if radio is not None and radio.rxlev_dbm >= GOOD_LEVEL_DBM:
            good_fail.append((c, radio))
    if not good_fail or len(good_fail) / len(calls) < ACCESS_FAILURE_SHARE:
        return []
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
               + f". The radio is fine: this points at the network side ({side}).")
    cites = tuple(Citation(c.session_id, c.attempt_utc, "call",
                           f"setup failed ({c.cause_text or 'no cause'}) on {cell_name(inp.plan, r.serving)} "
                           f"at {r.rxlev_dbm:.0f} dBm") for c, r in good_fail[:MAX_CITES])
    return [Finding("access_failure", f"Access failures under good radio ({side})", summary, step, cites, "high",
                    {"side": side, "cell": cell, "failed": len(good_fail), "attempts": len(calls)})]


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


def handset_only(inp: DiagnosisInput, other_findings: list[Finding]) -> list[Finding]:
    case = inp.case
    if case.other_handsets_ok is not True:
        return []
    if other_findings:
        return []  # the test handset reproduces a fault: not the subscriber's handset alone
    tested = [s for s in inp.sessions if s.samples]
    calls = [c for s in inp.sessions for c in s.calls]
    ok_calls = sum(1 for c in calls if c.outcome == "released")
    if tested:
        seen = (f"The test handset saw nothing wrong at the spot ({sum(len(s.samples) for s in tested)} samples"
                + (f", {ok_calls} of {len(calls)} calls normal" if calls else "") + ").")
    else:
        seen = "No test at the spot yet: record one to rule out the network."
    summary = f"Other handsets work at the spot (case fact). {seen} The subscriber's handset: {case.handset or '?'}."
    step = ("A handset problem is explained to the subscriber on site: check the handset's settings (network mode, "
            "band), software version and SIM (try the SIM in another handset, another SIM in this one).")
    cites = (Citation(None, None, "fact", "other handsets fine: yes"),)
    return [Finding("handset_only", "Handset-only problem", summary, step, cites, "medium" if tested else "info")]


def diagnose_case(store: Store, case_id: int) -> list[Finding]:
    return diagnose(gather(store, case_id))
