"""Everything a case report shows, gathered from the workspace in one go (no Qt here): the
case, its history, its evidence, the sessions' samples for the plots and the map, the CQT runs,
the findings and the before/after comparison."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from fieldapp.cases.compare import Comparison, compare_case
from fieldapp.cases.cqt_evidence import CqtEvidence
from fieldapp.cases.diagnose import Finding, SessionData, diagnose, gather
from fieldapp.cases.evidence import EvidenceItem, evidence
from fieldapp.cases.model import Case
from fieldapp.cases.workflow import load
from fieldapp.cellplan import CellPlan
from fieldapp.store import HistoryEntry, SessionInfo, Store

MAX_PLOTTED_SESSIONS = 4


@dataclass
class ReportData:
    case: Case
    history: list[HistoryEntry]
    evidence: list[EvidenceItem]
    sessions: list[SessionData]  # every session of the case (before, after, untagged), oldest first
    session_info: dict[int, SessionInfo]
    plan: CellPlan
    cqt: list[CqtEvidence]
    findings: list[Finding]
    comparison: Comparison | None
    generated_utc: float = field(default_factory=time.time)
    workspace: str = ""
    stats: Any = None  # fieldapp.netstats.data.StatsData: the case's counters and alarms (issue 14)


def gather_report(store: Store, case_id: int) -> ReportData:
    case = load(store, case_id)
    diag_input = gather(store, case_id)  # untagged and "before" sessions: the fault
    findings = diagnose(diag_input)
    every = gather(store, case_id, roles=(None, "before", "after"))
    infos = {s.session_id: store.session(s.session_id) for s in every.sessions}
    return ReportData(case, store.case_history(case_id), evidence(store, case_id), every.sessions,
                      {k: v for k, v in infos.items() if v is not None}, every.plan, every.cqt, findings,
                      compare_case(store, case_id), workspace=str(store.path), stats=diag_input.stats)
