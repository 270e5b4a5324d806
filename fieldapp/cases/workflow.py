"""The case workflow (issue 6 §2): every change is a history entry with its time and author.

    new → facts collected → analysing (statistics/alarms) → field test → fix pending
        → verifying → subscriber called back → closed          (and reopen from closed)

Besides the straight line, the moves the procedure makes in practice are allowed: statistics
alone can find the fault (analysing → fix pending, case 1), a field test can send the case
back to analysis or end it with an explanation (handset problem explained on site → called
back), a failed verification goes back to fix pending or field test. Guards keep the steps
honest: "facts collected" needs the intake facts (testing blind is wasteful), "fix pending"
needs a cause or an action, "called back" needs the callback result.
"""

from __future__ import annotations

import getpass
from typing import Any

from fieldapp.cases.model import FIELD_BY_NAME, Case
from fieldapp.cases.validate import CaseInvalid, clean, new_case
from fieldapp.store import HistoryEntry, Store, UnknownCase

STATUSES = ("new", "facts_collected", "analysing", "field_test", "fix_pending", "verifying", "called_back",
            "closed")
STATUS_LABELS = {
    "new": "new",
    "facts_collected": "facts collected",
    "analysing": "analysing (statistics/alarms)",
    "field_test": "field test",
    "fix_pending": "fix pending",
    "verifying": "verifying",
    "called_back": "subscriber called back",
    "closed": "closed",
}
NEXT: dict[str, tuple[str, ...]] = {
    "new": ("facts_collected",),
    "facts_collected": ("analysing",),
    "analysing": ("field_test", "fix_pending"),
    "field_test": ("fix_pending", "analysing", "called_back"),
    "fix_pending": ("verifying", "analysing"),
    "verifying": ("called_back", "fix_pending", "field_test"),
    "called_back": ("closed",),
    "closed": (),  # reopen()
}
OPEN_STATUSES = tuple(s for s in STATUSES if s != "closed")


class WorkflowError(ValueError):
    """A status change the workflow refuses, with the reason."""


def status_key(text: str) -> str:
    """"Field test", "field_test", "FIELD-TEST", "subscriber called back" → the status key."""
    norm = " ".join(str(text).lower().replace("_", " ").replace("-", " ").split())
    for key, label in STATUS_LABELS.items():
        if norm in (key.replace("_", " "), label, label.split(" (")[0]):
            return key
    if norm == "open":  # the store's status before the workflow existed
        return "new"
    raise WorkflowError(f"status {text!r} is not one of: {', '.join(STATUSES)}")


def default_author() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (containers, services)
        return "unknown"


# ---------------------------------------------------------------------- reading


def load(store: Store, case_id: int) -> Case:
    row = store.get_case(case_id)
    if row is None:
        raise UnknownCase(case_id)
    return Case.from_store(row)


def history(store: Store, case_id: int) -> list[HistoryEntry]:
    if store.get_case(case_id) is None:
        raise UnknownCase(case_id)
    return store.case_history(case_id)


# ---------------------------------------------------------------------- changes


def create(store: Store, raw: dict[str, Any] | Case, *, author: str | None = None) -> int:
    """Validate the intake (CaseInvalid names the field) and store a new case; returns its id."""
    case = raw if isinstance(raw, Case) else new_case(raw)
    if isinstance(raw, Case):
        new_case({n: getattr(case, n) for n in FIELD_BY_NAME})
    fields = case.to_store() | {"status": "new"}
    return store.create_case_logged(case.display_title(), fields, author=author or default_author(),
                                    text=f"case created: {case.category}")


def edit(store: Store, case_id: int, changes: dict[str, Any], *, author: str | None = None) -> Case:
    """Change some facts (raw values, cleaned here); one "edit" entry lists old → new."""
    if "status" in changes:
        raise WorkflowError("the status changes through transition() or reopen(), not an edit")
    before = load(store, case_id)
    cleaned = clean(changes)
    after = before.changed(**{k: ("normal" if k == "priority" and v is None else v) for k, v in cleaned.items()})
    new_case({n: getattr(after, n) for n in FIELD_BY_NAME})  # the whole case stays valid
    diff = {k: [_plain(getattr(before, k)), _plain(getattr(after, k))] for k in cleaned
            if getattr(before, k) != getattr(after, k)}
    if not diff:
        return before
    fields: dict[str, Any] = {k: _plain(getattr(after, k)) for k in diff if k != "title"}
    if "title" in diff:
        fields["custom_title"] = after.title  # None removes it: the title is derived again
    if any(k in diff for k in ("title", "category", "landmark", "address")):
        fields["title"] = after.display_title()  # the list column follows the facts it is made of
    text = "edited " + ", ".join(FIELD_BY_NAME[k].label.lower() for k in diff)
    store.update_case_logged(case_id, fields, [{"author": author or default_author(), "kind": "edit",
                                                "text": text, "data": {"changes": diff}}])
    return load(store, case_id)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _guard(case: Case, to: str) -> None:
    if to == "facts_collected":
        missing = case.missing_intake()
        if missing:
            raise WorkflowError(f"cannot mark facts collected: still missing {', '.join(missing)}")
    elif to == "fix_pending" and not (case.cause or case.action):
        raise WorkflowError("cannot mark fix pending: set the root cause or the action first")
    elif to == "called_back" and not case.callback_result:
        raise WorkflowError("cannot mark subscriber called back: write the callback result first")


def transition(store: Store, case_id: int, to: str, *, author: str | None = None, note: str = "",
               facts: dict[str, Any] | None = None) -> Case:
    """Move the case to status ``to``; ``facts`` (raw values) are set in the same change, so
    e.g. the callback result and "called back" go together. Raises WorkflowError."""
    target = status_key(to)
    case = load(store, case_id)
    if target not in NEXT[case.status]:
        allowed = ", ".join(STATUS_LABELS[s] for s in NEXT[case.status]) or "none (reopen it)"
        raise WorkflowError(f"a case {STATUS_LABELS[case.status]} cannot go to {STATUS_LABELS[target]}; "
                            f"next: {allowed}")
    cleaned = clean(facts or {})
    updated = case.changed(**cleaned) if cleaned else case
    _guard(updated, target)
    who = author or default_author()
    entries = [{"author": who, "kind": "status", "from_status": case.status, "to_status": target,
                "text": f"{STATUS_LABELS[case.status]} → {STATUS_LABELS[target]}" + (f": {note}" if note else ""),
                "data": {"facts": {k: _plain(v) for k, v in cleaned.items()}} if cleaned else {}}]
    store.update_case_logged(case_id, {**{k: _plain(v) for k, v in cleaned.items()}, "status": target}, entries)
    return load(store, case_id)


def reopen(store: Store, case_id: int, reason: str, *, author: str | None = None, to: str = "analysing") -> Case:
    """A closed case back to work (default: analysing); the reason is required."""
    case = load(store, case_id)
    if case.status != "closed":
        raise WorkflowError(f"only a closed case can be reopened (this one is {STATUS_LABELS[case.status]})")
    if not reason.strip():
        raise WorkflowError("say why the case is reopened")
    target = status_key(to)
    if target == "closed":
        raise WorkflowError("a reopened case cannot stay closed")
    store.update_case_logged(case_id, {"status": target}, [{
        "author": author or default_author(), "kind": "reopen", "from_status": "closed", "to_status": target,
        "text": f"reopened → {STATUS_LABELS[target]}: {reason.strip()}"}])
    return load(store, case_id)


def add_note(store: Store, case_id: int, text: str, *, author: str | None = None) -> int:
    """A note at any point of the workflow (also on a closed case)."""
    if not text.strip():
        raise CaseInvalid("note", "empty note")
    case = load(store, case_id)
    return store.add_case_history(case_id, author or default_author(), "note", text=text.strip(),
                                  from_status=case.status, to_status=case.status)
