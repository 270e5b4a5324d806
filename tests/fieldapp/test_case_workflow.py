"""The case workflow on a real workspace: the straight line and the side moves, the guards,
reopen, notes at any point, edits, and a history entry (time, author) for every change."""

from __future__ import annotations

import pytest

from fieldapp.cases import workflow
from fieldapp.cases.validate import CaseInvalid
from fieldapp.cases.workflow import STATUSES, WorkflowError, status_key
from fieldapp.store import Store, UnknownCase

INTAKE = {"subscriber_name": "Anna Berger", "subscriber_number": "+43 660 1234567", "category": "weak signal",
          "description": "no signal at the bus stop", "landmark": "hospital bus stop", "occurs": "always",
          "handset": "Nokia 105"}


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "ws.db") as s:
        yield s


def test_the_whole_line_from_new_to_closed_writes_one_entry_per_change(store):
    case_id = workflow.create(store, INTAKE, author="desk")
    steps = [("facts collected", {}), ("analysing", {}), ("field test", {}),
             ("fix pending", {"action": "antenna tilt/azimuth", "cause": "HOSP-2 tilted 13°"}),
             ("verifying", {}), ("subscriber called back", {"callback_result": "signal fine now"}), ("closed", {})]
    for to, facts in steps:
        case = workflow.transition(store, case_id, to, author="mhuber", facts=facts, note=f"to {to}")
    assert case.status == "closed" and case.callback_result == "signal fine now" and case.action == "antenna tilt/azimuth"
    entries = workflow.history(store, case_id)
    assert [e.kind for e in entries] == ["created"] + ["status"] * 7
    assert [e.to_status for e in entries] == list(STATUSES)
    assert [e.from_status for e in entries[1:]] == list(STATUSES[:-1])
    assert entries[0].author == "desk" and {e.author for e in entries[1:]} == {"mhuber"}
    assert all(b.ts_utc >= a.ts_utc for a, b in zip(entries, entries[1:]))
    assert entries[4].data == {"facts": {"action": "antenna tilt/azimuth", "cause": "HOSP-2 tilted 13°"}}
    assert "to fix pending" in entries[4].text


def test_skipping_steps_is_refused_with_the_allowed_next_steps(store):
    case_id = workflow.create(store, INTAKE)
    with pytest.raises(WorkflowError, match="cannot go to closed; next: facts collected"):
        workflow.transition(store, case_id, "closed")
    assert workflow.load(store, case_id).status == "new"
    assert len(workflow.history(store, case_id)) == 1  # a refused change writes nothing


def test_facts_collected_needs_the_intake_facts(store):
    case_id = workflow.create(store, {"subscriber_number": "0660 1234567", "category": "echo"})
    with pytest.raises(WorkflowError, match="still missing subscriber_name, description, place"):
        workflow.transition(store, case_id, "facts_collected")
    workflow.edit(store, case_id, {"subscriber_name": "B", "description": "echo on calls", "address": "Main St 1",
                                   "occurs": "sometimes", "handset": "iPhone 12"}, author="desk")
    assert workflow.transition(store, case_id, "FACTS-COLLECTED").status == "facts_collected"


def test_fix_pending_needs_a_cause_or_action_and_called_back_needs_the_result(store):
    case_id = workflow.create(store, INTAKE)
    for to in ("facts collected", "analysing"):
        workflow.transition(store, case_id, to)
    with pytest.raises(WorkflowError, match="root cause or the action"):
        workflow.transition(store, case_id, "fix pending")
    workflow.transition(store, case_id, "fix pending", facts={"cause": "BCCH TRX hung"})  # statistics found it
    workflow.transition(store, case_id, "verifying")
    with pytest.raises(WorkflowError, match="callback result"):
        workflow.transition(store, case_id, "called back")
    with pytest.raises(CaseInvalid, match="^action: 'reboot'"):
        workflow.transition(store, case_id, "fix pending", facts={"action": "reboot"})


def test_reopen_a_closed_case_with_a_reason(store):
    case_id = workflow.create(store, INTAKE)
    with pytest.raises(WorkflowError, match="only a closed case"):
        workflow.reopen(store, case_id, "still bad")
    store.update_case(case_id, status="closed")
    with pytest.raises(WorkflowError, match="say why"):
        workflow.reopen(store, case_id, "  ")
    case = workflow.reopen(store, case_id, "subscriber called again: drops are back", author="mhuber")
    assert case.status == "analysing"
    last = workflow.history(store, case_id)[-1]
    assert (last.kind, last.from_status, last.to_status, last.author) == ("reopen", "closed", "analysing", "mhuber")
    assert "drops are back" in last.text


def test_notes_at_any_point_and_edits_keep_old_and_new(store):
    case_id = workflow.create(store, INTAKE)
    workflow.add_note(store, case_id, "called the subscriber: it is worst at 17 h", author="desk")
    store.update_case(case_id, status="closed")
    workflow.add_note(store, case_id, "a note on a closed case", author="desk")
    with pytest.raises(CaseInvalid):
        workflow.add_note(store, case_id, "   ")
    workflow.edit(store, case_id, {"priority": "urgent", "landmark": "hospital main gate"}, author="lead")
    entries = workflow.history(store, case_id)
    assert [e.kind for e in entries] == ["created", "note", "note", "edit"]
    assert entries[-1].data["changes"] == {"priority": ["normal", "urgent"],
                                           "landmark": ["hospital bus stop", "hospital main gate"]}
    assert store.get_case(case_id)["title"] == "Weak signal — hospital main gate"  # the list title follows
    assert workflow.edit(store, case_id, {"priority": "urgent"}) .priority == "urgent"
    assert len(workflow.history(store, case_id)) == 4  # no change, no entry
    with pytest.raises(WorkflowError):
        workflow.edit(store, case_id, {"status": "new"})


def test_status_names_and_unknown_cases(store):
    assert status_key("Subscriber called back") == "called_back"
    assert status_key("analysing (statistics/alarms)") == "analysing" and status_key("open") == "new"
    with pytest.raises(WorkflowError, match="status 'done' is not one of"):
        status_key("done")
    with pytest.raises(UnknownCase):
        workflow.transition(store, 99, "analysing")
