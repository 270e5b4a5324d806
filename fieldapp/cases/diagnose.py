"""Diagnosis: rules over a case's evidence that produce findings (issue 6 §4). Each finding
says what it saw in numbers, cites the samples or calls that triggered it, and gives the next
step of the operator's procedure (docs/domain.md §1).

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
- ``candidate_cells``, ``no_measurement_at_spot``, ``not_tested``, ``checked_normal``: what the
  evidence covers — the spot, the cells there, the category's needs (``evidence_rules``).
- After the fix: a finding the "after" test no longer shows is marked resolved by it.

The finding model and the input the rules read are in ``fieldapp.cases.findings`` (imported
here too, where callers have always found them).

Spot rules (coverage, dominance, interference, access, handset-only) use only the samples within
the case's spot radius (``DiagnosisInput.spot``); drops are about the calls wherever they were.
A finding whose rule cannot explain the complaint's category says so (``data.explains_category``).

Sessions marked "after" are left out: they show the spot after the fix (see ``compare``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

from fieldapp.cases.combine import attached_not_asked, merge_same_trx
from fieldapp.cases.cqt_evidence import CqtEvidence, load_cqt
from fieldapp.cases.evidence import cqt_run_ids, evidence
from fieldapp.cases.evidence_rules import (
    candidate_cells,
    checked_normal,
    explains,
    handset_only,
    no_measurement_at_spot,
    not_tested,
    with_spot,
)
from fieldapp.cases.findings import (
    ACCESS_FAILURE_SHARE,
    DOMINANCE_CELLS,
    DOMINANCE_DB,
    GOOD_LEVEL_DBM,
    INTERFERED_SHARE,
    MAX_CITES,
    POOR_RXQUAL,
    RADIO_BEFORE_S,
    SHARE_TO_FIRE,
    WEAK_DROP_DBM,
    Citation,
    DiagnosisInput,
    Finding,
    SessionData,
    by_main_technology,
    level_limits,
)
from fieldapp.cases.scan_findings import scan_findings
from fieldapp.cases.stats import (
    CallRecord,
    bearing_deg,
    cell_name,
    distance_m,
    last_level_before,
    percentile,
    samples_between,
)
from fieldapp.cases.workflow import load
from fieldapp.cellplan import CellPlan
from fieldapp.cqt.calls import BY_LOCK, NETWORK_RESULTS, SETUP_FAILED
from fieldapp.cqt.plan import BLOCK, LOCK
from fieldapp.cqt.verdict import LOCK_SETUP, MIN_BAD, MIN_CALLS
from fieldapp.model import DEDICATED, GSM, Sample
from fieldapp.store import Store


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
    # Statistics and alarms (issue 14) bring pandas (2-4 s to import): loaded when a diagnosis
    # runs, not when the window that can run one starts (tests/ui: the window starts without pandas).
    from fieldapp.netstats.data import load as load_stats

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




def diagnose(inp: DiagnosisInput) -> list[Finding]:
    found: list[Finding] = list(no_measurement_at_spot(inp))
    for rule in (weak_coverage, no_dominant_server, interference, suspect_trx, access_failure, drops):
        found.extend(rule(inp))
    found.extend(candidate_cells(inp))
    found.extend(scan_findings(inp, found))
    from fieldapp.netstats.rules import statistics_findings  # steps 3.1/3.2; pandas: see gather()

    # Before handset-only and the "checked" list: a hung BCCH in the statistics is not a handset problem.
    found.extend(statistics_findings(inp, inp.stats))
    found.extend(handset_only(inp, found))
    found = [with_spot(inp, f) for f in found]
    found = [explains(inp, f) for f in found]
    found = _after_test(inp, found)
    found.extend(not_tested(inp))
    found.extend(checked_normal(inp, found))
    # Read together: one finding per blamed TRX, no next step asking for what is attached.
    return attached_not_asked(inp, merge_same_trx(inp, found))


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
        # A statistics finding (same rule name, e.g. interference) is not judged by a drive test.
        needs = None if f.data.get("source") == "statistics" else _RESOLVABLE.get(f.rule)
        if needs is None:
            out.append(f)
            continue
        if f.rule in still:
            again = next(a for a in after_found if a.rule == f.rule)
            out.append(f)
            out.append(replace(with_spot(after, again), title=f"{again.title} (after test: not resolved)",
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


def trx_title(trx: str) -> str:
    """"Suspect TRX-69-1" for a plan's TRX id, "Suspect TRX 3" for a bare number."""
    return f"Suspect {trx}" if trx.upper().startswith("TRX") else f"Suspect TRX {trx}"


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
    spot = inp.spot_position()
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
    # One technology's level against its own limits (an RSRP of -95 dBm is not a weak RXLEV).
    tech, levelled, others = by_main_technology(levelled)
    limits = level_limits(tech)
    if len(levelled) < 3:
        return []
    levels = [s.rxlev_dbm for _sid, s in levelled]
    p10, p50, p90 = (percentile(levels, p) for p in (10, 50, 90))
    assert p50 is not None
    if p50 >= limits.weak_dbm:
        return []
    by_cell: dict[tuple, list[float]] = defaultdict(list)
    example = {}
    for _sid, s in levelled:
        by_cell[inp.plan.key(s.serving)].append(s.rxlev_dbm)
        example[inp.plan.key(s.serving)] = s.serving
    best_key = max(by_cell, key=lambda k: (len(by_cell[k]), percentile(by_cell[k], 50)))
    best = example[best_key]
    best_plan = inp.plan.match(best)
    spot = inp.spot_position()
    what = "level" if tech == GSM else f"{limits.name} ({tech})"
    over = f"{len(levels)} samples" if tech == GSM and not others else f"{len(levels)} {tech} samples"
    if others:
        over += " (" + ", ".join(f"{n} {t}" for t, n in sorted(others.items())) + " samples at the spot not mixed in)"
    parts = [f"Serving {what} at the spot: median {_fmt(p50)} dBm (10th percentile {_fmt(p10)}, 90th {_fmt(p90)}) "
             f"over {over}; best server {cell_name(inp.plan, best)}"]
    data: dict[str, Any] = {"p10_dbm": p10, "p50_dbm": p50, "p90_dbm": p90, "samples": len(levels),
                            "best_server": best_plan.name if best_plan else cell_name(inp.plan, best),
                            "tech": tech, "weak_below_dbm": limits.weak_dbm}
    data["cell"] = data["best_server"]  # the JSON contract: data.cell names the finding's cell (issue 13.5)
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
    no_coverage = p50 < limits.no_coverage_dbm
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
    unnamed: dict[str, list[CqtEvidence]] = {}  # runs whose verdict names no TRX, per cell
    for run in inp.cqt:
        trx = run.suspect
        if run.verdict.get("status") == LOCK_SETUP:  # the verdict itself says the lock cannot tell
            named = run.verdict.get("suspects") or [None]
            out.append(_unattributable(run, named[0] or "?", [Citation(None, None, "cqt", run.verdict.get("text", ""))]))
            continue
        if trx is None:
            unnamed.setdefault(run.cell, []).append(run)
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
        out.append(Finding("suspect_trx", trx_title(trx), summary, step, tuple(cites), "high",
                           {"trx": trx, "cell": run.cell, "problem": problem, "run_id": run.run_id}))
    for runs in unnamed.values():  # pooled: two runs of 5 calls per TRX are ten calls
        out.extend(_setup_failures_on_one_trx(runs))
    return out


def _setup_failures_on_one_trx(runs: list[CqtEvidence]) -> list[Finding]:
    """Setup failures that all fall on one TRX although the verdict names nobody (too few calls
    for the test): not "normal" — reference case 4 with 5 calls per TRX gives 2 IMMEDIATE
    ASSIGNMENT REJECTs on the SDCCH TRX and 0 elsewhere. A finding naming the TRX, saying the
    numbers are too small to be sure, with block mode and more calls as the next step."""
    run = runs[0]
    calls = [c for r in runs for c in r.calls]
    failed = [c for c in calls if c.result == SETUP_FAILED and c.trx_id is not None]
    on = Counter(c.trx_id for c in failed)
    if len(on) != 1 or len(failed) < 2:
        return []
    trx = next(iter(on))
    counted = [c for c in calls if c.trx_id is not None and c.result in NETWORK_RESULTS]
    here = sum(1 for c in counted if c.trx_id == trx)
    others = len(counted) - here
    causes = Counter((c.cause_text or "no cause given") for c in failed)
    cause_text = ", ".join(f"{k} ×{n}" for k, n in causes.most_common())
    sdcch = any("assignment" in k.lower() or "sdcch" in k.lower() for k in causes)
    cites = [Citation(None, c.start_utc, "call", f"CQT call {c.summary()}") for c in failed[:MAX_CITES]]
    for i, r in enumerate(runs):
        cites.insert(i, Citation(None, None, "cqt", f"CQT run {r.run_id} verdict: {r.verdict.get('text', '')}"))
    if all(c.trx_how == BY_LOCK for c in failed):
        return [_unattributable(run, trx, cites)]
    modes = {m for r in runs for m in (r.mode.split("+") if r.mode else ())}
    mode = "+".join(sorted(modes))
    ids = [r.run_id for r in runs]
    named = (f"CQT run {ids[0]}" if len(ids) == 1 else "CQT runs " + ", ".join(map(str, ids)))
    what = f"{trx}'s SDCCH" if sdcch else trx
    summary = (f"{named} on {run.cell} ({mode} mode): {len(failed)} of {here} calls on {trx} failed "
               f"at setup ({cause_text}), 0 of {others} on the other TRXs. "
               + ("An IMMEDIATE ASSIGNMENT REJECT is the SDCCH refused: this points at " + what + ". "
                  if sdcch else "")
               + (f"With {here} calls on {trx} the verdict cannot name it yet (it needs ≥ {MIN_BAD} failures and a "
                  "significant difference)." if len(runs) == 1 else
                  f"No run's verdict names it (each judges its own calls: ≥ {MIN_CALLS} per TRX, ≥ {MIN_BAD} failures "
                  "and a significant difference); together the runs point at it."))
    more = max(2 * MIN_CALLS, 2 * here) if len(runs) == 1 else 2 * MIN_CALLS
    if BLOCK in modes:
        step = (f"Repeat the block-mode run on {run.cell} with {more} or more calls per TRX to confirm {trx}; ask for "
                f"{trx}'s CHANNEL ACTIVATION NACK and IMMEDIATE ASSIGNMENT REJECT counts per TRX.")
    else:
        step = (f"Repeat the test in block mode (the other TRXs of {run.cell} blocked, so the SDCCH and the TCH are "
                f"both on the TRX under test) with {more} or more calls per TRX; ask for CHANNEL ACTIVATION NACK and "
                f"IMMEDIATE ASSIGNMENT REJECT counts per TRX of {run.cell}.")
    return [Finding("trx_setup_failures", f"Setup failures on {trx}" + (" (SDCCH)" if sdcch else "")
                    + ": too few calls to confirm", summary, step, tuple(cites), "medium",
                    {"trx": trx, "cell": run.cell, "problem": "setup_failed", "run_id": run.run_id, "run_ids": ids,
                     "failed": len(failed), "calls": here, "other_calls": others, "other_failed": 0,
                     "sdcch": sdcch, "mode": mode})]


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
            # A drop was a connected call even when the log has no "connected" event (G-NetTrack).
            connected += int(c.connected or c.outcome == "dropped")
            if c.outcome != "dropped":
                continue
            before = [s for s in samples_between(session.samples, c.end_utc - RADIO_BEFORE_S, c.end_utc)
                      if s.rxlev_dbm is not None]
            levels = [s.rxlev_dbm for s in before]
            quals = [s.rxqual for s in before if s.rxqual is not None]
            low = min(levels) if levels else None
            worst_q = max(quals) if quals else None
            # Weak by the technology's own limit (RXLEV -100, RSCP -105, RSRP -110 dBm).
            tech = (before[-1].tech or GSM) if before else GSM
            weak_dbm = WEAK_DROP_DBM if tech in (None, GSM) else level_limits(tech).no_coverage_dbm
            if low is not None and low < weak_dbm:
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
    gsm = any(sv is None or (sv.tech or GSM) == GSM for *_r, sv in rows)
    steps = {
        "bad quality under good level": "Interference is the likely cause: check the interference bands and "
        "bad-quality drop counters (UL/DL) and the frequency plan; a frequency change if confirmed.",
        "weak level": "Coverage is the likely cause: check the best server's antenna and parameters "
        "(see the coverage finding) and handover neighbours.",
        "sudden (good radio)": "Drops with good radio point at hardware: per-TRX timeslot drop counts, alarms and "
        "transmission; a TRX-by-TRX CQT on the serving cell." if gsm else
        "Drops with good radio point at the network side: the cells' drop counters and causes, alarms and "
        "transmission; repeat the calls with a network-side trace.",
        "no radio recorded before it": "Record the level and quality during the calls to tell the cause.",
    }
    summary = (f"{len(rows)} drop(s) in {connected} connected call(s): "
               + ", ".join(f"{k} ×{n}" for k, n in kinds.most_common()) + ".")
    cites = tuple(Citation(sid, c.end_utc, "call",
                           f"dropped ({c.cause_text or 'no cause'}); in the {RADIO_BEFORE_S:.0f} s before: lowest "
                           f"{_fmt(low)} dBm"
                           # RXQUAL is GSM's: a UMTS/LTE drop is not given an unknown one.
                           + (f", worst RXQUAL {'?' if q is None else q}" if q is not None or sv is None
                              or (sv.tech or GSM) == GSM else "")
                           + f" on {cell_name(inp.plan, sv)} → {kind}") for sid, c, kind, low, q, sv in rows[:MAX_CITES])
    return [Finding("drops", "Dropped calls", summary, steps[main], cites, "high",
                    {"drops": len(rows), "connected": connected, "kinds": dict(kinds)})]




def diagnose_case(store: Store, case_id: int) -> list[Finding]:
    return diagnose(gather(store, case_id))
