"""Findings read together (trial problem 6): the rules each look at one piece of evidence, so
three CQT runs and a statistics export that all blame TRX-69-1 gave four findings, two of them
advising "Confirm by blocking" beside the block-mode run that did just that, and next steps
asked for work already attached ("run a TRX-by-TRX CQT" with CQT run 4 in the case, "import
them into the case" with the statistics imported).

- ``merge_same_trx``: findings that blame the same cell and TRX become one finding citing all
  its evidence (the CQT runs, the counters); its next step is the block-mode run's when one of
  the runs was in block mode.
- ``attached_not_asked``: a next step never asks for evidence of a kind the case holds: the
  request is taken out and the step says what the attached evidence showed instead.
"""

from __future__ import annotations

import re
from dataclasses import replace

from fieldapp.cases.findings import MAX_CITES, DiagnosisInput, Finding

# Rules that blame one TRX (data.cell + data.trx).
TRX_RULES = ("suspect_trx", "trx_setup_failures", "trx_fault")
_PRIMARY = {"suspect_trx": 0, "trx_setup_failures": 1, "trx_fault": 2}
_SEVERITY = {"high": 0, "medium": 1, "info": 2}


def _is_block(inp: DiagnosisInput, run_id) -> bool:
    run = next((r for r in inp.cqt if r.run_id == run_id), None)
    return run is not None and "block" in (run.mode or "").split("+")


def _evidence_name(f: Finding) -> str:
    if f.data.get("run_ids"):
        return ", ".join(f"CQT run {r}" for r in f.data["run_ids"])
    if f.data.get("run_id") is not None:
        return f"CQT run {f.data['run_id']}"
    if f.data.get("source") == "statistics":
        return "statistics (" + str(f.data.get("via") or "counters") + ")"
    return f.rule


def merge_same_trx(inp: DiagnosisInput, found: list[Finding]) -> list[Finding]:
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in found:
        if f.rule in TRX_RULES and f.data.get("trx") and f.data.get("cell"):
            groups.setdefault((str(f.data["cell"]), str(f.data["trx"])), []).append(f)
    merged: dict[int, Finding] = {}
    drop: set[int] = set()
    for (cell, trx), members in groups.items():
        if len(members) < 2:
            continue
        members = sorted(members, key=lambda f: _PRIMARY[f.rule])  # stable: the rules' order within a rule
        primary = members[0]
        block = next((f for f in members if f.rule == "suspect_trx" and _is_block(inp, f.data.get("run_id"))), None)
        counters = next((f for f in members if f.rule == "trx_fault"), None)
        step = (block or primary).next_step
        if block is None and primary.rule == "trx_setup_failures" and counters is not None:
            # The counters confirm what the run's few failures only suggested: their step (the
            # CQT they ask for is attached; ``attached_not_asked`` says so).
            step = counters.next_step
        names = list(dict.fromkeys(_evidence_name(f) for f in members))
        cites = tuple(dict.fromkeys(c for f in members for c in f.cites))[:2 * MAX_CITES]
        summary = " ".join(f.summary for f in members)
        if block is not None:
            summary += (f" The block-mode run (CQT run {block.data['run_id']}) is the blocking confirmation: "
                        f"with the other TRXs of {cell} blocked the fault stays on {trx}.")
        run_ids = list(dict.fromkeys(r for f in members
                                     for r in (f.data.get("run_ids") or [f.data.get("run_id")]) if r is not None))
        data = {**primary.data, "run_ids": run_ids, "evidence": names,
                "merged": [{"rule": f.rule, "title": f.title, "run_id": f.data.get("run_id"),
                            "source": f.data.get("source")} for f in members]}
        severity = min((f.severity for f in members), key=lambda s: _SEVERITY.get(s, 1))
        title = f"{primary.title} ({', '.join(names)})" if primary.rule != "trx_fault" else primary.title
        if primary.rule == "trx_setup_failures" and any(f.rule == "trx_fault" for f in members):
            # The counters corroborate the runs' few failures: no longer "too few calls to confirm".
            title = f"Setup failures on {trx} ({', '.join(names)})"
        merged[id(primary)] = replace(primary, title=title, summary=summary, next_step=step, cites=cites,
                                      severity=severity, data=data)
        drop.update(id(f) for f in members[1:])
    return [merged.get(id(f), f) for f in found if id(f) not in drop]


# ---------------------------------------------------------------------- next steps


def _cqt_shown(inp: DiagnosisInput, cell: str | None, own: set) -> str:
    """The attached runs of the finding's cell, each with its verdict in short; a run that is
    this finding's own evidence is named so (its verdict may be "no TRX stands out" while its
    calls, read with the counters, are the finding)."""
    runs = [r for r in inp.cqt if cell is None or r.cell == cell] or list(inp.cqt)
    shown = "; ".join(f"run {r.run_id} on {r.cell} ({r.mode} mode): "
                      + ("its calls are in this finding" if r.run_id in own else
                         str(r.verdict.get("text") or r.verdict.get("status") or "no verdict").split(": ")[0])
                      for r in runs)
    return f"Attached CQT {shown}."


def _stats_shown(found: list[Finding], cell: str | None) -> str:
    stat = [f for f in found if f.data.get("source") == "statistics" and f.rule != "statistics_before_after"
            and (cell is None or f.data.get("cell") in (None, cell) or cell in (f.data.get("cells") or []))]
    if not stat:
        where = f" on {cell}" if cell else ""
        return f"The imported statistics show no fault signature{where}."
    return "The imported statistics show: " + "; ".join(f.title for f in stat) + "."


# (pattern, what it asks for): the request is cut out of the step when the case has that kind.
_CQT_ASKS = (
    re.compile(r"Run a TRX-by-TRX CQT on [\w.-]+ \([^)]*\) and (?P<keep>look at|ask for)", re.I),
    re.compile(r"(?P<semi>;)? ?(run )?a TRX-by-TRX CQT (on [\w.-]+|at the spot|on the serving cell)( shows whether calls "
               r"on it fail)?(?P<and> and)?", re.I),
    re.compile(r",? and a CQT per TRX for audio or access complaints", re.I),
)
# Asks that only counters of one kind answer (pattern → the counter name prefix the import must
# hold): the interference findings (cases/diagnose.py "interference" and "drops",
# cases/scan_findings.py) ask for the interference bands; the SDCCH access finding for per-TRX
# SDCCH assignments.
_INTERFERENCE_ASKS = (
    re.compile(r"(?P<keep>check )(the|[\w.-]+'s) interference statistics \([^)]*\) and ", re.I),
    re.compile(r"(?P<keep>check )the interference bands and bad-quality drop counters \(UL/DL\) and ", re.I),
    re.compile(r"check the idle-channel interference bands and uplink bad-quality drops of the cells on them, ", re.I),
)
_SDCCH_ASKS = (
    re.compile(r"check SDCCH assignment success and CHANNEL ACTIVATION NACKs per TRX \(setups that fail and work "
               r"on retry point at one TRX's SDCCH\)(; )?", re.I),
)
_NEEDS_COUNTERS = {**{p: "idle_tch_band" for p in _INTERFERENCE_ASKS}, **{p: "trx_imm_ass_sdcch" for p in _SDCCH_ASKS}}
_STATS_ASKS = (
    re.compile(r"check (its|each cell's|[\w.-]+'s) random access and SDCCH seizure counters( since the complaint "
               r"window)? \([^)]*\)( and the site's alarms)?[;,.]? ?", re.I),
    re.compile(r": import them into the case \(`fieldapp stats import FILE --case ID`\)", re.I),
    # The packet data finding (netstats/field_data.py): the imported statistics' findings answer it.
    re.compile(r"Check the packet statistics of the serving cells and of the other cells of their BSC "
               r"\([^)]*\)(: import them into the case \(`[^`]*`\))?;? ?", re.I),
    *_INTERFERENCE_ASKS,
    *_SDCCH_ASKS,
)


def _cut(step: str, pattern: re.Pattern) -> str:
    def repl(m: re.Match) -> str:
        if m.groupdict().get("semi") and m.groupdict().get("and"):
            return "; "  # "…SDCCH); run a TRX-by-TRX CQT on X and ask for a trace" → "…SDCCH); ask for a trace"
        kept = m.groupdict().get("keep") or ""
        # Kept words start with a capital where the cut text did ("Check …" / "…: check …").
        return kept[:1].upper() + kept[1:] if kept and m.group(0)[:1].isupper() else kept

    out = pattern.sub(repl, step)
    out = re.sub(r"\s+([;,.])", r"\1", out)
    out = re.sub(r"([;:,])\s*([;.])", r"\2", out)
    out = re.sub(r"\s{2,}", " ", out).strip()
    return out[:1].upper() + out[1:] if out else out


def attached_not_asked(inp: DiagnosisInput, found: list[Finding]) -> list[Finding]:
    has_cqt = bool(inp.cqt)
    counters = getattr(inp.stats, "counters", None)
    has_stats = counters is not None and not counters.empty
    held = {prefix for prefix in set(_NEEDS_COUNTERS.values())
            if has_stats and any(str(c).startswith(prefix) and counters[c].notna().any() for c in counters.columns)}
    out = []
    for f in found:
        step, told = f.next_step, []
        cell = f.data.get("cell") if isinstance(f.data.get("cell"), str) else None
        if has_cqt:
            for pattern in _CQT_ASKS:
                if pattern.search(step):
                    step = _cut(step, pattern)
                    own = set(f.data.get("run_ids") or [f.data.get("run_id")])
                    told.append(_cqt_shown(inp, cell, own))
            if "Confirm by blocking" in step and f.rule == "suspect_trx":
                block = [r for r in inp.cqt if r.cell == cell and "block" in (r.mode or "").split("+")
                         and r.run_id != f.data.get("run_id")]
                if block:  # a block-mode run of the cell is attached (naming nobody, else merged): say so
                    trx = f.data.get("trx")
                    step = (f"Repeat the block-mode run with more calls on {trx} (and note the time and handset of "
                            f"each run) before replacing {trx}.")
                    told.append(" ".join(f"The block-mode CQT run {r.run_id} on {r.cell} does not confirm {trx}: "
                                         f"{r.verdict.get('text') or r.verdict.get('status')}." for r in block))
        if has_stats and f.data.get("source") != "statistics":
            for pattern in _STATS_ASKS:
                if pattern in _NEEDS_COUNTERS and _NEEDS_COUNTERS[pattern] not in held:
                    continue  # the imported counters cannot answer it: the ask stands
                if pattern.search(step):
                    step = _cut(step, pattern)
                    told.append(_stats_shown(found, cell))
        if told:
            told = list(dict.fromkeys(told))
            out.append(replace(f, next_step=(" ".join(told) + " " + step).strip(),
                               data={**f.data, "attached_shown": told}))
        else:
            out.append(f)
    return out
