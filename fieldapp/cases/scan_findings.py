"""What band scans reveal (issue 17 §5): diagnosis rules over the GSM scans of a case's
sessions, giving the same ``Finding`` (with cites and the procedure's next step) as the other
rules of ``fieldapp.cases.diagnose``.

- ``scan_interference``: energy with no decodable BSIC on a run of ``RUN_MIN`` or more adjacent
  ARFCNs (an external transmitter: which ARFCNs, how strong, against the serving level; the
  planned carriers that sit in it) — DOMAIN case 6.
- ``co_channel``: one ARFCN decoded as two different cells in the scans (they reach the spot at
  similar levels, so the scanner decodes one or the other); same BSIC too → co-BSIC. Also a
  BCCH ARFCN the plan gives to two or more cells, heard strong and never decoded (they jam
  each other's BSIC).
- ``missing_neighbour``: a strong decoded cell that never shows among the handset's neighbours
  while it was served by a cell (its neighbour list lacks it).
- ``planned_not_heard``: a planned cell at the spot (within ``NEAR_M``, or sharing the site of
  a cell the scans decoded at ``STRONG_DBM`` or more) whose BCCH ARFCN was scanned and never heard: a carrier off the air
  (dead BCCH TRX, site down).
- ``scan_on_air``: a cell whose calls fail at access (the ``access_failure`` finding) is heard
  with its BSIC decoded: its BCCH transmits, so the BCCH TRX is hung, not dead — cases 1 and 5.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from fieldapp.cases.findings import Citation, Finding
from fieldapp.cases.stats import distance_m, percentile
from fieldapp.model import GSM, PlanCell, Scan, ScanCarrier
from fieldapp.scans import cell_name, plan_cell_for

RUN_MIN = 3  # adjacent undecoded ARFCNs that make a "run" of energy
UNDECODED_MIN_DBM = -95.0  # energy weaker than this is not worth calling interference
UNDECODED_SHARE = 0.5  # undecoded in at least this share of the scans that heard the ARFCN
STRONG_DBM = -85.0  # a decoded cell this strong belongs in the neighbour list
NEAR_M = 1000.0
MAX_CITES = 8


def _finding(rule, title, summary, step, cites, severity, data):
    return Finding(rule, title, summary, step, tuple(cites), severity, data)


def _cite(session_id, ts, text):
    return Citation(session_id, ts, "scan", text)


def _gsm_scans(inp) -> list[tuple[int, Scan]]:
    return [(s.session_id, sc) for s in inp.sessions for sc in getattr(s, "scans", ()) if sc.tech == GSM]


def _name(plan: Sequence[PlanCell], carrier: ScanCarrier) -> str:
    name = cell_name(carrier, plan)
    if name:
        return name
    if carrier.ci is not None:
        return f"CI {carrier.ci}"
    return f"ARFCN {carrier.arfcn}/BSIC {carrier.bsic // 8}{carrier.bsic % 8}" if carrier.bsic is not None \
        else f"ARFCN {carrier.arfcn}"


def _serving_level(inp, scans: list[tuple[int, Scan]]) -> tuple[float | None, str]:
    levels = [s.rxlev_dbm for _sid, s in inp.samples() if s.serving is not None and s.rxlev_dbm is not None]
    if levels:
        return percentile(levels, 50), "median serving level"
    decoded = [c.rxlev_dbm for _sid, sc in scans for c in sc.carriers if c.decoded and c.rxlev_dbm is not None]
    if decoded:
        return max(decoded), "strongest decoded cell in the scans"
    return None, ""


def _runs(arfcns: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for a in sorted(arfcns):
        if out and a == out[-1][-1] + 1:
            out[-1].append(a)
        else:
            out.append([a])
    return [r for r in out if len(r) >= RUN_MIN]


def scan_interference(inp) -> list:
    scans = _gsm_scans(inp)
    if not scans:
        return []
    heard: dict[int, list[tuple[int, Scan, ScanCarrier]]] = defaultdict(list)
    for sid, sc in scans:
        for c in sc.carriers:
            if c.arfcn is not None and c.rxlev_dbm is not None:
                heard[c.arfcn].append((sid, sc, c))
    undecoded = [a for a, hits in heard.items()
                 if sum(1 for _s, _sc, c in hits if not c.decoded) / len(hits) >= UNDECODED_SHARE
                 and percentile([c.rxlev_dbm for _s, _sc, c in hits if not c.decoded], 50) >= UNDECODED_MIN_DBM]
    runs = _runs(undecoded)
    if not runs:
        return []
    serving, serving_how = _serving_level(inp, scans)
    out = []
    for run in runs:
        levels = [c.rxlev_dbm for a in run for _s, _sc, c in heard[a] if not c.decoded]
        med, peak = percentile(levels, 50), max(levels)
        planned = sorted({(p.name, a) for p in inp.plan for t in p.trxs for a in t.arfcns if a in run}
                         | {(p.name, p.bcch_arfcn) for p in inp.plan if p.bcch_arfcn in run})
        by_cell: dict[str, list[int]] = defaultdict(list)
        for name, a in planned:
            if a not in by_cell[name]:
                by_cell[name].append(a)
        summary = (f"Energy with no decodable BSIC on ARFCN {run[0]}-{run[-1]} ({len(run)} adjacent carriers) "
                   f"in {len(scans)} scan(s): median {med:.0f} dBm, up to {peak:.0f} dBm")
        data: dict[str, Any] = {"arfcns": run, "median_dbm": med, "peak_dbm": peak, "scans": len(scans)}
        if serving is not None and serving_how.startswith("median serving"):
            summary += f"; {serving_how} {serving:.0f} dBm, so C/I about {serving - med:.0f} dB"
            data["serving_dbm"] = serving
            data["ci_db"] = serving - med
        elif serving is not None:  # no handset measurement at the spot: compare with what was decoded
            summary += (f"; the strongest cell the scans could decode is at {serving:.0f} dBm, "
                        f"{med - serving:.0f} dB under this energy (record the serving cell to get its C/I)")
            data["strongest_decoded_dbm"] = serving
        if by_cell:
            summary += ("; the plan puts " + ", ".join(f"{n} (ARFCN {', '.join(map(str, sorted(a)))})"
                                                       for n, a in sorted(by_cell.items())) + " in it")
            data["planned"] = {n: sorted(a) for n, a in by_cell.items()}
        if run[0] <= 20:
            summary += ". The run is at the low end of the band: an external transmitter just below it?"
        else:
            summary += "."
        cites = []
        for sid, sc in scans[:MAX_CITES]:
            lv = [c.rxlev_dbm for c in sc.carriers if c.arfcn in run and not c.decoded and c.rxlev_dbm is not None]
            if lv:
                cites.append(_cite(sid, sc.end_utc, f"scan {sc.source or ''}: {len(lv)} undecoded carriers on ARFCN "
                                                    f"{run[0]}-{run[-1]}, {min(lv):.0f} to {max(lv):.0f} dBm"))
        step = (f"External interference on ARFCN {run[0]}-{run[-1]}: check the idle-channel interference bands and "
                "uplink bad-quality drops of the cells on them, look for the source (another network's site nearby), "
                "and move the cells' carriers off these ARFCNs (frequency change); re-scan and re-test after.")
        out.append(_finding("scan_interference", f"Interference: energy without BSIC on ARFCN {run[0]}-{run[-1]}",
                            summary, step, cites, "high", data))
    return out


def co_channel(inp) -> list:
    scans = _gsm_scans(inp)
    seen: dict[int, dict[tuple, list[tuple[int, Scan, ScanCarrier]]]] = defaultdict(lambda: defaultdict(list))
    for sid, sc in scans:
        for c in sc.carriers:
            if c.arfcn is None or not c.decoded:
                continue
            ident = ("ci", c.lac, c.ci) if c.ci is not None else ("bsic", c.bsic)
            seen[c.arfcn][ident].append((sid, sc, c))
    out = []
    for arfcn, idents in sorted(seen.items()):
        if len(idents) < 2:
            continue
        groups = sorted(idents.values(), key=len, reverse=True)[:2]
        (a_hits, b_hits) = groups
        a, b = a_hits[0][2], b_hits[0][2]
        la = percentile([h[2].rxlev_dbm for h in a_hits if h[2].rxlev_dbm is not None], 50)
        lb = percentile([h[2].rxlev_dbm for h in b_hits if h[2].rxlev_dbm is not None], 50)
        co_bsic = a.bsic is not None and a.bsic == b.bsic
        what = "co-channel and co-BSIC" if co_bsic else "co-channel"
        names = (_name(inp.plan, a), _name(inp.plan, b))
        summary = (f"ARFCN {arfcn} was decoded as {names[0]} in {len(a_hits)} scan(s) and as {names[1]} in "
                   f"{len(b_hits)}" + (f" (median {la:.0f} and {lb:.0f} dBm)" if la is not None and lb is not None
                                       else "") + f": two cells reach the spot on one carrier ({what}).")
        step = (f"Frequency plan: {names[0]} and {names[1]} share ARFCN {arfcn}"
                + (" and the BSIC (the handset cannot tell them apart: wrong handovers)" if co_bsic else "")
                + "; change the BCCH frequency" + (" or the BSIC" if co_bsic else "") + " of one of them, or cut "
                "the overshooting one's coverage (tilt, power).")
        cites = [_cite(sid, sc.end_utc, f"ARFCN {arfcn} decoded as {_name(inp.plan, c)} at {c.rxlev_dbm:.0f} dBm")
                 for hits in groups for sid, sc, c in hits[:MAX_CITES // 2] if c.rxlev_dbm is not None]
        out.append(_finding("co_channel", f"{what.capitalize()} on ARFCN {arfcn}", summary, step, cites, "high",
                            {"arfcn": arfcn, "cells": list(names), "co_bsic": co_bsic}))
    return out


def co_channel_jammed(inp) -> list:
    """A planned BCCH ARFCN of two or more cells heard with energy but never decoded: the cells
    reach the spot at similar levels and jam each other's BSIC (a scanner decodes a BCCH only
    some 9 dB above everything else on its ARFCN)."""
    scans = _gsm_scans(inp)
    if not scans or not inp.plan:
        return []
    by_bcch: dict[int, list[PlanCell]] = defaultdict(list)
    for cell in inp.plan:
        if cell.tech == GSM and cell.bcch_arfcn is not None:
            by_bcch[cell.bcch_arfcn].append(cell)
    out = []
    for arfcn, cells in sorted(by_bcch.items()):
        if len(cells) < 2:
            continue
        hits = [(sid, sc, c) for sid, sc in scans for c in sc.carriers if c.arfcn == arfcn]
        if not hits or any(c.decoded for _s, _sc, c in hits):
            continue  # not heard, or one of them decodes (the other rule compares decodes)
        levels = [c.rxlev_dbm for _s, _sc, c in hits if c.rxlev_dbm is not None]
        med = percentile(levels, 50)
        if med is None or med < UNDECODED_MIN_DBM:
            continue
        names = [c.name for c in cells]
        co_bsic = len({c.bsic for c in cells}) == 1 and cells[0].bsic is not None
        summary = (f"ARFCN {arfcn}, the BCCH of {', '.join(names)} in the plan, was heard at a median {med:.0f} dBm "
                   f"in {len(hits)} scan(s) without a decodable BSIC: the cells reach the spot at similar levels "
                   "and jam each other (co-channel" + (", same BSIC too" if co_bsic else "") + ").")
        step = (f"Frequency plan: give {' or '.join(names[:2])} another BCCH frequency (their reuse distance is too "
                "short here), or cut the overshooting cell's coverage (tilt, power); re-scan: each BCCH should then "
                "decode.")
        cites = [_cite(sid, sc.end_utc, f"ARFCN {arfcn}: {c.rxlev_dbm:.0f} dBm, no BSIC decoded")
                 for sid, sc, c in hits[:MAX_CITES] if c.rxlev_dbm is not None]
        out.append(_finding("co_channel", f"Co-channel on ARFCN {arfcn}: {' and '.join(names[:2])} jam each other",
                            summary, step, cites, "high",
                            {"arfcn": arfcn, "cells": names, "co_bsic": co_bsic, "median_dbm": med}))
    return out


def missing_neighbour(inp) -> list:
    scans = _gsm_scans(inp)
    served = [(sid, s) for sid, s in inp.samples() if s.serving is not None and s.serving.arfcn is not None]
    if not scans or not served:
        return []
    serving_keys = Counter((s.serving.arfcn, s.serving.bsic) for _sid, s in served)
    (s_arfcn, s_bsic), _n = serving_keys.most_common(1)[0]
    listed = {n.arfcn for _sid, s in served for n in s.neighbours if n.arfcn is not None}
    listed |= {s.serving.arfcn for _sid, s in served}
    strongest: dict[int, tuple[int, Scan, ScanCarrier]] = {}
    for sid, sc in scans:
        for c in sc.carriers:
            if c.decoded and c.arfcn is not None and c.rxlev_dbm is not None and c.rxlev_dbm >= STRONG_DBM:
                old = strongest.get(c.arfcn)
                if old is None or c.rxlev_dbm > old[2].rxlev_dbm:
                    strongest[c.arfcn] = (sid, sc, c)
    missing = [v for a, v in sorted(strongest.items()) if a not in listed]
    if not missing:
        return []
    serving_name = next((_name(inp.plan, ScanCarrier(arfcn=s.serving.arfcn, bsic=s.serving.bsic, ci=s.serving.ci,
                                                       lac=s.serving.lac)) for _sid, s in served
                         if (s.serving.arfcn, s.serving.bsic) == (s_arfcn, s_bsic)), f"ARFCN {s_arfcn}")
    names = [_name(inp.plan, c) for _sid, _sc, c in missing]
    summary = (f"The scans decoded {', '.join(f'{n} at {c.rxlev_dbm:.0f} dBm' for n, (_s, _sc, c) in zip(names, missing, strict=True))}, "
               f"but the handset never reported {'it' if len(missing) == 1 else 'them'} among the neighbours of "
               f"{serving_name} ({len(served)} samples): missing from its neighbour list.")
    step = (f"Add {', '.join(names)} to {serving_name}'s neighbour list (BA list, handover relations) and check the "
            "handover statistics between them; re-test for drops and weak-signal handovers.")
    cites = [_cite(sid, sc.end_utc, f"{_name(inp.plan, c)} decoded at {c.rxlev_dbm:.0f} dBm")
             for sid, sc, c in missing[:MAX_CITES]]
    return [_finding("missing_neighbour", f"Strong cell missing from {serving_name}'s neighbours", summary, step,
                     cites, "medium", {"cells": names, "serving": serving_name})]


def _spot(inp) -> tuple[float, float] | None:
    spot = inp.spot_position()
    if spot is not None:
        return spot
    pos = [(sc.position.lat, sc.position.lon) for _sid, sc in _gsm_scans(inp) if sc.position is not None]
    if pos:
        return percentile([p[0] for p in pos], 50), percentile([p[1] for p in pos], 50)
    return None


def planned_not_heard(inp) -> list:
    scans = _gsm_scans(inp)
    if not scans or not inp.plan:
        return []
    heard = {c.arfcn for _sid, sc in scans for c in sc.carriers if c.arfcn is not None}
    # Sites close enough that all their sectors should be heard: one of their cells was decoded
    # strong (a sector aimed elsewhere is still heard through its back lobe, 25 dB down, near it).
    decoded_sites = {p.site for _sid, sc in scans for c in sc.carriers
                     if c.rxlev_dbm is not None and c.rxlev_dbm >= STRONG_DBM
                     and (p := plan_cell_for(c, inp.plan)) is not None and p.site}

    def scanned(arfcn: int) -> bool:
        return any((sc.arfcn_from is None or sc.arfcn_from <= arfcn) and (sc.arfcn_to is None or arfcn <= sc.arfcn_to)
                   and _in_band(sc.band, arfcn) for _sid, sc in scans)

    spot = _spot(inp)
    out = []
    for cell in inp.plan:
        if cell.tech != GSM or cell.bcch_arfcn is None or not scanned(cell.bcch_arfcn) or cell.bcch_arfcn in heard:
            continue
        why = None
        if spot is not None and cell.lat is not None and cell.lon is not None:
            d = distance_m(cell.lat, cell.lon, *spot)
            if d <= NEAR_M:
                why = f"{d:.0f} m from the spot"
        if why is None and cell.site and cell.site in decoded_sites:
            why = f"its site {cell.site}'s other cells were decoded at {STRONG_DBM:.0f} dBm or more"
        if why is None:
            continue
        summary = (f"{cell.name} (BCCH ARFCN {cell.bcch_arfcn}) is planned at the spot ({why}), yet none of "
                   f"{len(scans)} scan(s) heard any energy on ARFCN {cell.bcch_arfcn}: its BCCH carrier is off the "
                   "air (a hung BCCH would still be heard; a dead TRX or a site down is not).")
        step = (f"Check {cell.name}'s alarms and its BCCH TRX (TRX state, VSWR, transmission, site power); a dead BCCH "
                "TRX needs replacing or the BCCH moved to a working TRX; re-scan to confirm the carrier is back.")
        cites = [_cite(sid, sc.end_utc, f"scan {sc.source}: nothing on ARFCN {cell.bcch_arfcn}; "
                                        f"{len(sc.carriers)} carriers heard") for sid, sc in scans[:MAX_CITES // 2]]
        out.append(_finding("planned_not_heard", f"{cell.name} not heard at the spot", summary, step, cites, "high",
                            {"cell": cell.name, "arfcn": cell.bcch_arfcn, "why": why}))
    return out


def _in_band(band: str | None, arfcn: int) -> bool:
    ranges = {"GSM850": ((128, 251),), "GSM900": ((0, 124), (975, 1023)), "DCS1800": ((512, 885),),
              "PCS1900": ((512, 810),)}.get(band or "all")
    return ranges is None or any(a <= arfcn <= b for a, b in ranges)


def scan_on_air(inp, found: list) -> list:
    scans = _gsm_scans(inp)
    access = [f for f in found if f.rule == "access_failure"]
    if not scans or not access:
        return []
    out = []
    for f in access:
        name = str(f.data.get("cell", ""))
        cell = next((p for p in inp.plan if p.name == name), None)
        if cell is None:
            continue
        hits = [(sid, sc, c) for sid, sc in scans for c in sc.carriers
                if c.decoded and c.arfcn == cell.bcch_arfcn and _name(inp.plan, c) == cell.name]
        if not hits:
            continue
        levels = [c.rxlev_dbm for _s, _sc, c in hits if c.rxlev_dbm is not None]
        med = percentile(levels, 50)
        summary = (f"{cell.name}'s BCCH (ARFCN {cell.bcch_arfcn}) is on the air: decoded with its BSIC in "
                   f"{len(hits)} of {len(scans)} scan(s)" + (f" at a median {med:.0f} dBm" if med is not None else "")
                   + ", while call setups there fail. The carrier transmits but the cell takes no access: a hung "
                   "BCCH TRX, not a dead one (a dead TRX is not heard at all).")
        step = (f"Check {cell.name}'s random access and SDCCH seizure counters (zero since the fault, handover-in "
                "traffic still arriving); block and de-block (or restart) its BCCH TRX, then repeat the test calls.")
        cites = [_cite(sid, sc.end_utc, f"{cell.name} decoded on ARFCN {c.arfcn} at {c.rxlev_dbm:.0f} dBm")
                 for sid, sc, c in hits[:MAX_CITES] if c.rxlev_dbm is not None]
        out.append(_finding("scan_on_air", f"{cell.name}: BCCH heard on the air, access fails (hung BCCH)",
                            summary, step, cites, "high", {"cell": cell.name, "arfcn": cell.bcch_arfcn,
                                                           "median_dbm": med, "scans_decoded": len(hits)}))
    return out


def scan_findings(inp, found: list) -> list:
    """Every scan rule; ``found`` are the findings of the other rules (``scan_on_air`` builds on
    the access-failure finding)."""
    out: list = []
    for rule in (scan_interference, co_channel, co_channel_jammed, missing_neighbour, planned_not_heard):
        out.extend(rule(inp))
    out.extend(scan_on_air(inp, found))
    return out
