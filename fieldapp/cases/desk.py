"""One Qt-free facade over the case modules for the CLI and the UI: each call opens the
workspace, does one thing and closes it again (the GUI thread and the recorder's writer thread
never share a connection).

    desk = CaseDesk(workspace_path, author="mhuber")
    case_id = desk.create({"subscriber_number": "+43 660 1234567", "category": "weak signal", ...})
    desk.attach_session(case_id, 3, role="before")
    desk.transition(case_id, "facts collected")
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fieldapp.cases import evidence as _evidence
from fieldapp.cases import workflow
from fieldapp.cases.compare import Comparison, compare_case
from fieldapp.cases.diagnose import Finding, diagnose_case
from fieldapp.cases.evidence import EvidenceItem
from fieldapp.cases.model import Case
from fieldapp.cases.workflow import status_key
from fieldapp.store import HistoryEntry, SessionInfo, Store


class CaseDesk:
    def __init__(self, workspace: str | Path, *, author: str | None = None) -> None:
        self.workspace = Path(workspace)
        self.author = author or workflow.default_author()

    @contextmanager
    def store(self, *, create: bool = True) -> Iterator[Store]:
        store = Store.open(self.workspace, create=create)
        try:
            yield store
        finally:
            store.close()

    # ------------------------------------------------------------------ reading
    def cases(self, *, statuses: tuple[str, ...] = (), category: str | None = None, due_before: str | None = None,
              text: str | None = None) -> list[Case]:
        if not self.workspace.exists():
            return []
        keys = tuple(status_key(s) for s in statuses)
        if "new" in keys:
            keys += ("open",)  # rows written before the workflow existed
        with self.store() as st:
            return [Case.from_store(r) for r in st.cases(statuses=keys, category=category, due_before=due_before,
                                                         text=text)]

    def get(self, case_id: int) -> Case:
        with self.store(create=False) as st:
            return workflow.load(st, case_id)

    def history(self, case_id: int) -> list[HistoryEntry]:
        with self.store(create=False) as st:
            return workflow.history(st, case_id)

    def evidence(self, case_id: int) -> list[EvidenceItem]:
        with self.store(create=False) as st:
            return _evidence.evidence(st, case_id)

    def cqt_runs(self) -> list[dict[str, Any]]:
        """Every CQT run of the workspace (id, created_utc, state, case_id …), oldest first:
        the window offers them by name instead of asking for a typed id."""
        if not self.workspace.exists():
            return []
        with self.store() as st:
            return st.cqt_runs()

    def sessions(self) -> list[SessionInfo]:
        if not self.workspace.exists():
            return []
        with self.store() as st:
            return st.sessions()

    def findings(self, case_id: int) -> list[Finding]:
        with self.store(create=False) as st:
            return diagnose_case(st, case_id)

    def statistics(self, case_id: int):
        """The case's network statistics and alarms (fieldapp.netstats.data.StatsData)."""
        from fieldapp.netstats.data import load as load_stats  # pandas on first use: see diagnose.gather

        with self.store(create=False) as st:
            return load_stats(st, case_id=case_id)

    def stat_imports(self, case_id: int) -> list[dict[str, Any]]:
        """The statistics and alarm exports imported into the case (``fieldapp stats import --case``)."""
        with self.store(create=False) as st:
            return st.stat_imports(case_id=case_id)

    def comparison(self, case_id: int) -> Comparison | None:
        with self.store(create=False) as st:
            return compare_case(st, case_id)

    # ------------------------------------------------------------------ changes
    def create(self, raw: dict[str, Any] | Case) -> int:
        with self.store() as st:
            return workflow.create(st, raw, author=self.author)

    def edit(self, case_id: int, changes: dict[str, Any]) -> Case:
        with self.store(create=False) as st:
            return workflow.edit(st, case_id, changes, author=self.author)

    def transition(self, case_id: int, to: str, *, note: str = "", facts: dict[str, Any] | None = None) -> Case:
        with self.store(create=False) as st:
            return workflow.transition(st, case_id, to, author=self.author, note=note, facts=facts)

    def reopen(self, case_id: int, reason: str, *, to: str = "analysing") -> Case:
        with self.store(create=False) as st:
            return workflow.reopen(st, case_id, reason, author=self.author, to=to)

    def note(self, case_id: int, text: str) -> int:
        with self.store(create=False) as st:
            return workflow.add_note(st, case_id, text, author=self.author)

    def attach_session(self, case_id: int, session_id: int, *, role: str | None = None) -> int:
        with self.store(create=False) as st:
            return _evidence.attach_session(st, case_id, session_id, role=role, author=self.author)

    def attach_cqt(self, case_id: int, run_id: int) -> int:
        with self.store(create=False) as st:
            return _evidence.attach_cqt(st, case_id, run_id, author=self.author)

    def attach_file(self, case_id: int, path: str | Path, *, role: str | None = None) -> int:
        with self.store(create=False) as st:
            return _evidence.attach_file(st, case_id, path, role=role, author=self.author)

    def attach_note(self, case_id: int, text: str) -> int:
        with self.store(create=False) as st:
            return _evidence.attach_note(st, case_id, text, author=self.author)

    def mark(self, attachment_id: int, role: str | None) -> None:
        with self.store(create=False) as st:
            _evidence.mark(st, attachment_id, role, author=self.author)

    def detach(self, attachment_id: int) -> None:
        with self.store(create=False) as st:
            att = st.attachment(attachment_id)
            st.detach(attachment_id)
            if att is not None:
                st.add_case_history(att.case_id, self.author, "evidence",
                                    text=f"removed {att.label or att.kind + ' ' + att.ref}")
