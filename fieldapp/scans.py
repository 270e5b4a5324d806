"""Band scans in the domain: naming the carriers heard from the cell plan, and the JSON a
scan prints (``fieldapp scan --json``).

A carrier is named only when its identity was decoded, by the plan's one matching rule
(``CellPlan.match``: LAC/CI when the scan read them, else BCCH ARFCN + BSIC). Energy without a
BSIC is never given a cell's name (a scan cannot tell whose it is: that is the point of
reporting it as undecoded).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fieldapp.cellplan import CellPlan
from fieldapp.model import Cell, PlanCell, Scan, ScanCarrier

# The keys of ``fieldapp scan --json`` (issue 17: a contract other checks run exactly).
JSON_KEYS = ("arfcn", "rxlev_dbm", "bsic", "mcc", "mnc", "lac", "ci", "cell")


def plan_cell_for(carrier: ScanCarrier, plan: CellPlan | Sequence[PlanCell]) -> PlanCell | None:
    if not carrier.decoded or carrier.tech != "GSM":
        return None
    return CellPlan.of(plan).match(Cell(arfcn=carrier.arfcn, bsic=carrier.bsic, lac=carrier.lac, ci=carrier.ci,
                                        mcc=carrier.mcc, mnc=carrier.mnc))


def cell_name(carrier: ScanCarrier, plan: CellPlan | Sequence[PlanCell]) -> str | None:
    cell = plan_cell_for(carrier, plan)
    return cell.name if cell is not None else None


def carrier_json(carrier: ScanCarrier, plan: CellPlan | Sequence[PlanCell]) -> dict[str, Any]:
    return {"arfcn": carrier.arfcn, "rxlev_dbm": carrier.rxlev_dbm, "bsic": carrier.bsic, "mcc": carrier.mcc,
            "mnc": carrier.mnc, "lac": carrier.lac, "ci": carrier.ci, "cell": cell_name(carrier, plan)}


def scans_json(scans: Iterable[Scan], plan: CellPlan | Sequence[PlanCell]) -> list[dict[str, Any]]:
    """Every carrier of every scan, scan after scan, in the order each scan heard them."""
    plan = CellPlan.of(plan)
    return [carrier_json(c, plan) for scan in scans for c in scan.carriers]
