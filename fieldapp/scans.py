"""Band scans in the domain: naming the carriers heard from the cell plan, and the JSON a
scan prints (``fieldapp scan --json``).

A carrier is named only when its identity was decoded: by (LAC, CI) when the scan read them,
else by (BCCH ARFCN, BSIC). Energy without a BSIC is never given a cell's name (a scan cannot
tell whose it is: that is the point of reporting it as undecoded).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fieldapp.model import PlanCell, Scan, ScanCarrier

# The keys of ``fieldapp scan --json`` (issue 17: a contract other checks run exactly).
JSON_KEYS = ("arfcn", "rxlev_dbm", "bsic", "mcc", "mnc", "lac", "ci", "cell")


def plan_cell_for(carrier: ScanCarrier, plan: Sequence[PlanCell]) -> PlanCell | None:
    if not carrier.decoded:
        return None
    if carrier.ci is not None:
        hits = [c for c in plan if c.ci == carrier.ci and (carrier.lac is None or c.lac in (None, carrier.lac))]
        if len(hits) == 1:
            return hits[0]
    if carrier.bsic is not None:
        hits = [c for c in plan if c.bcch_arfcn == carrier.arfcn and c.bsic == carrier.bsic]
        if len(hits) == 1:
            return hits[0]
    return None


def cell_name(carrier: ScanCarrier, plan: Sequence[PlanCell]) -> str | None:
    cell = plan_cell_for(carrier, plan)
    return cell.name if cell is not None else None


def carrier_json(carrier: ScanCarrier, plan: Sequence[PlanCell]) -> dict[str, Any]:
    return {"arfcn": carrier.arfcn, "rxlev_dbm": carrier.rxlev_dbm, "bsic": carrier.bsic, "mcc": carrier.mcc,
            "mnc": carrier.mnc, "lac": carrier.lac, "ci": carrier.ci, "cell": cell_name(carrier, plan)}


def scans_json(scans: Iterable[Scan], plan: Sequence[PlanCell]) -> list[dict[str, Any]]:
    """Every carrier of every scan, scan after scan, in the order each scan heard them."""
    return [carrier_json(c, plan) for scan in scans for c in scan.carriers]
