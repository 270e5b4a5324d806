"""A CQT run in the workspace: the run row (plan, state, verdict) and one row per call, each
write committed at once so that a crash or a pulled cable loses no call. A short-lived Store
connection per write: the runner's thread, the GUI (marks) and the CLI all write safely."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldapp.cqt.calls import CqtCall
from fieldapp.store import Store

ATTACHMENT_KIND = "cqt"  # a case attachment whose ref is the run id


class RunStore:
    def __init__(self, workspace: str | Path) -> None:
        self.workspace = Path(workspace)

    def create(self, plan: dict[str, Any], *, session_id: int | None, case_id: int | None) -> int:
        with Store.open(self.workspace) as store:
            return store.create_cqt_run(plan, session_id=session_id, case_id=case_id)

    def save_call(self, run_id: int, call: dict[str, Any]) -> None:
        with Store.open(self.workspace) as store:
            store.put_cqt_call(run_id, call)

    def save_run(self, run_id: int, **fields: Any) -> None:
        with Store.open(self.workspace) as store:
            store.update_cqt_run(run_id, **fields)

    def attach(self, case_id: int, run_id: int, label: str | None = None) -> None:
        """Attach the run to the complaint case (once); the case history says so."""
        with Store.open(self.workspace) as store:
            ref = str(run_id)
            if not any(a.kind == ATTACHMENT_KIND and a.ref == ref for a in store.attachments(case_id)):
                store.attach(case_id, ATTACHMENT_KIND, ref, label=label, author="fieldapp cqt")

    def load(self, run_id: int) -> tuple[dict[str, Any] | None, list[CqtCall]]:
        with Store.open(self.workspace, create=False) as store:
            row = store.cqt_run(run_id)
            calls = [CqtCall.from_json(c) for c in store.cqt_calls(run_id)] if row else []
        return row, calls
