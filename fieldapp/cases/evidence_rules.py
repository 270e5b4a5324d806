"""Rules about what the evidence covers (issue 13 §1, §3, §4): the complaint spot, the cells a
handset there could use, what the category needs and was not tested, and — with evidence and
no problem found — what was checked and found normal.

- ``no_measurement_at_spot``: the case gives a position and nothing was measured within its
  radius: no spot rule concludes anything then.
- ``candidate_cells``: "only some handsets fail" where more than one cell is receivable at the
  spot: test each one locked (reference case 5).
- ``handset_only``: other handsets are fine (a case fact) and the test handset, measured at the
  spot on the cell the spot is served by, shows nothing wrong.
- ``not_tested`` (``data.what``) and ``explains`` (``data.explains_category``): the category's
  needs (``fieldapp.cases.category``); ``checked_normal``: the list of what was checked.
- ``with_spot``: a spot finding says which samples it used and whether they were in the hours.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from fieldapp.cases import category as cat
from fieldapp.cases.findings import (
    DOMINANCE_DB,
    MAX_CITES,
    POOR_RXQUAL,
    Citation,
    DiagnosisInput,
    Finding,
    by_main_technology,
    level_limits,
)
from fieldapp.cases.spot import distance_text
from fieldapp.cases.stats import cell_name, percentile
from fieldapp.model import DEDICATED, GSM

RECEIVABLE_DBM = -95.0  # a neighbour this strong at the spot could serve a subscriber's handset
RECEIVABLE_SHARE = 0.3  # ... in at least this share of the spot's samples

SPOT_RULES = ("weak_coverage", "no_coverage", "no_dominant_server", "interference", "access_failure",
              "handset_only", "candidate_cells")


def spot_cell(inp: DiagnosisInput) -> str | None:
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
    cell = spot_cell(inp)
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


def with_spot(inp: DiagnosisInput, f: Finding) -> Finding:
    """A spot finding says which samples it used and whether they were in the complaint hours."""
    if f.rule not in SPOT_RULES or f.data.get("source") == "statistics":  # counters are per cell, not at a spot
        return f
    spot = inp.spot
    notes = [t for t in (spot.where_text(), spot.hours_text()) if t]
    if not notes:
        return f
    text = "; ".join(notes)
    return replace(f, summary=f"{f.summary} Spot: {text[0].upper()}{text[1:]}.", data={**f.data, "spot": spot.data()})


def explains(inp: DiagnosisInput, f: Finding) -> Finding:
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
    tech, levelled, _others = by_main_technology([(sid, s) for sid, s in spot if s.rxlev_dbm is not None])
    levels = [s.rxlev_dbm for _sid, s in levelled]
    if levels:
        where = "at the spot" if inp.spot.known else "in the tests"
        limits = level_limits(tech)
        what = "level" if tech == GSM else f"{limits.name} ({tech})"
        checked.append(f"{what} {where}: median {percentile(levels, 50):.0f} dBm over {len(levels)} samples "
                       f"(not below {limits.weak_dbm:.0f} dBm)")
        cell = spot_cell(inp)
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
