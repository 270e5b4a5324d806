"""A CQT run as case evidence: the plan's cell, the TRX × outcome matrix, the verdict and its
calls, read through the CQT package's store methods (``Store.cqt_run`` / ``Store.cqt_calls``).

The diagnosis and the report only need this small record, so they do not depend on how the
CQT runner keeps its state; ``from_calls`` builds the same record from calls in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fieldapp.cqt.calls import CqtCall
from fieldapp.cqt.matrix import build_matrix, matrix_json
from fieldapp.cqt.plan import CqtPlan
from fieldapp.cqt.verdict import judge
from fieldapp.store import Store


@dataclass(frozen=True)
class CqtEvidence:
    run_id: int | None
    cell: str  # the cell under test
    trx_ids: tuple[str, ...]
    matrix: dict[str, dict[str, Any]]  # TRX → counts (fieldapp.cqt.matrix TrxCounts.to_json())
    verdict: dict[str, Any]  # fieldapp.cqt.verdict Verdict.to_json()
    calls: tuple[CqtCall, ...] = ()
    mode: str = ""
    state: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def suspect(self) -> str | None:
        return self.verdict.get("suspect") if self.verdict.get("status") == "suspect" else None


def from_calls(run_id: int | None, plan: CqtPlan, calls: list[CqtCall], *, state: str = "done") -> CqtEvidence:
    trx_ids = tuple(plan.trx_ids)
    return CqtEvidence(run_id, plan.cell.name, trx_ids, matrix_json(build_matrix(calls, trx_ids)),
                       judge(calls, trx_ids).to_json(), tuple(calls), plan.mode_text, state)


def load_cqt(store: Store, run_id: int) -> CqtEvidence | None:
    """The stored run, or None when the workspace has no such run (or no CQT tables yet)."""
    read_run = getattr(store, "cqt_run", None)
    read_calls = getattr(store, "cqt_calls", None)
    if read_run is None or read_calls is None:
        return None
    row = read_run(run_id)
    if row is None:
        return None
    plan = CqtPlan.from_json(row["plan"])
    calls = [CqtCall.from_json(c) for c in read_calls(run_id)]
    evidence = from_calls(run_id, plan, calls, state=row["state"] or "")
    stored = dict(row).get("verdict")
    if stored:  # the verdict the engineer saw, as stored by the runner
        evidence = CqtEvidence(run_id, evidence.cell, evidence.trx_ids, evidence.matrix, dict(stored),
                               evidence.calls, evidence.mode, evidence.state)
    return evidence
