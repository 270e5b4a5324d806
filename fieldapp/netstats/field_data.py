"""``packet_data_failed``: data tests recorded in the case's sessions (``fieldapp record
--data-test``) that mostly failed point at the packet side (reference case 7 from the field)."""

from __future__ import annotations

from fieldapp.cases.findings import Citation, DiagnosisInput, Finding
from fieldapp.netstats.rule_support import MAX_CITES

DATA_FAIL_SHARE = 0.8  # share of failed data-test attempts that says "packet data does not work here"


def data_test_failures(inp: DiagnosisInput) -> list[Finding]:
    """Packet data from the field (``fieldapp record --data-test``): GPRS attach / PDP activation
    attempts that fail where voice has service point at the packet side of the serving cells."""
    attempts = []
    for session in inp.sessions:
        for ev in session.events:
            d = (ev.data or {}).get("data_test")
            if isinstance(d, dict) and d.get("result"):
                attempts.append((session.session_id, ev.ts_utc, d))
    if len(attempts) < 2:
        return []
    failed = [a for a in attempts if a[2]["result"] != "ok"]
    if len(failed) / len(attempts) < DATA_FAIL_SHARE:
        return []
    errors = sorted({str(d.get("error")) for _s, _t, d in failed if d.get("error")})
    where = sorted({str(d.get("cell")) for _s, _t, d in failed if d.get("cell")})
    names = []
    for w in where:  # "LAC 1026 CI 91" -> the plan's cell
        parts = w.split()
        if len(parts) == 4 and parts[1].isdigit() and parts[3].isdigit():
            pc = next((c for c in inp.plan if c.lac == int(parts[1]) and c.ci == int(parts[3])), None)
            names.append(f"{pc.name} ({w})" if pc else w)
    summary = (f"{len(failed)} of {len(attempts)} data test attempts failed (GPRS attach or PDP context activation"
               + (f": {', '.join(errors)}" if errors else "") + ")"
               + (f" on {', '.join(names)}" if names else "") + ". With service for voice, this points at the "
               "packet side of the cell: packet channel allocation (PCU / packet processors of its BSC), not the "
               "handset's settings if other handsets fail too.")
    step = ("Check the packet statistics of the serving cells and of the other cells of their BSC (packet channel "
            "allocation attempts without allocations, TBF establishment): import them into the case "
            "(`fieldapp stats import FILE --case ID`); if many cells of one BSC fail, check its packet processors.")
    cites = tuple(Citation(sid, ts, "call", f"data attempt {d.get('seq')}: {d['result']}"
                           + (f" ({d['error']})" if d.get("error") else "")) for sid, ts, d in failed[:MAX_CITES])
    return [Finding("packet_data_failed", "Packet data fails from the field", summary, step, cites, "high",
                    {"attempts": len(attempts), "failed": len(failed), "cells": names, "source": "field"})]
