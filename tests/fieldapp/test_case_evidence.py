"""Evidence on a real workspace: sessions (attached or recorded into the case), CQT runs from
the CQT store, notes, files copied beside the workspace with their sha256, before/after marks,
and the before/after comparison."""

from __future__ import annotations

import hashlib

import pytest

from fieldapp.cases import compare, evidence, workflow
from fieldapp.cases.evidence import EvidenceError
from fieldapp.model import (
    DEDICATED,
    EV_CALL_ATTEMPT,
    EV_CALL_CONNECTED,
    EV_CALL_DROPPED,
    EV_CALL_FAILED,
    EV_CALL_RELEASED,
    IDLE,
    Cell,
    Event,
    Sample,
)
from fieldapp.store import Store, StoreError, UnknownSession

T0 = 1_764_325_637.0


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "ws.db") as s:
        yield s


def _case(store):
    return workflow.create(store, {"subscriber_number": "+43 660 1234567", "category": "weak signal"}, author="t")


def _session(store, levels, quals=(), calls=()):
    """A session: idle samples at ``levels`` dBm, then dedicated samples with ``quals``; calls as
    (outcome, t) pairs."""
    sid = store.create_session("test", start_utc=T0)
    samples = [Sample(T0 + i, serving=Cell(arfcn=66, rxlev=int(v) + 110, rxlev_dbm=v), mode=IDLE)
               for i, v in enumerate(levels)]
    samples += [Sample(T0 + 100 + i, serving=Cell(arfcn=66, rxlev=60, rxlev_dbm=-50.0, rxqual=q), mode=DEDICATED)
                for i, q in enumerate(quals)]
    store.add_samples(sid, samples)
    events = []
    for outcome, t in calls:
        events.append(Event(T0 + t, EV_CALL_ATTEMPT))
        if outcome != "failed":
            events.append(Event(T0 + t + 1, EV_CALL_CONNECTED))
        kind = {"released": EV_CALL_RELEASED, "failed": EV_CALL_FAILED, "dropped": EV_CALL_DROPPED}[outcome]
        events.append(Event(T0 + t + 5, kind, data={"cause_text": "x"}))
    store.add_events(sid, events)
    store.commit()
    return sid


def test_a_session_attached_once_with_its_role_and_recorded_sessions_count_too(store):
    case_id = _case(store)
    a = _session(store, [-85.0] * 3)
    b = _session(store, [-75.0] * 3)
    recorded_into = store.create_session("handset:/dev/ttyUSB0", case_id=case_id, start_utc=T0 + 50)
    att = evidence.attach_session(store, case_id, a, role="before", author="mhuber")
    assert evidence.attach_session(store, case_id, a) == att  # no second row
    evidence.attach_session(store, case_id, b, role="after", author="mhuber")
    assert store.session(a).case_id == case_id  # the session now belongs to the case
    items = evidence.evidence(store, case_id)
    # oldest first: the session recorded into the case (its start) before the two attached now
    assert [(i.kind, i.ref, i.role) for i in items] == [
        ("session", str(recorded_into), None), ("session", str(a), "before"), ("session", str(b), "after")]
    assert items[0].attachment_id is None and "handset:/dev/ttyUSB0" in items[0].label
    assert evidence.session_ids(store, case_id, "before") == [a]
    history = store.case_history(case_id)
    assert [h.kind for h in history] == ["created", "evidence", "evidence"]
    assert "(before)" in history[1].text and history[1].author == "mhuber"
    with pytest.raises(UnknownSession):
        evidence.attach_session(store, case_id, 999)


def test_files_are_copied_beside_the_workspace_with_their_sha256(store, tmp_path):
    case_id = _case(store)
    photo = tmp_path / "antenna.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    att = evidence.attach_file(store, case_id, photo, role="before", author="mhuber")
    photo.write_bytes(b"changed later")  # the case keeps what was attached
    item = [i for i in evidence.evidence(store, case_id) if i.attachment_id == att][0]
    copied = evidence.file_path(store, item)
    assert copied.parent == tmp_path / "ws-attachments" / f"case-{case_id}"
    assert copied.read_bytes() == b"\xff\xd8\xff\xe0 not really a jpeg"
    assert item.sha256 == hashlib.sha256(copied.read_bytes()).hexdigest()
    assert (item.label, item.role) == ("antenna.jpg", "before")
    with pytest.raises(EvidenceError, match="^file: .* is not a readable file"):
        evidence.attach_file(store, case_id, tmp_path / "missing.png")


def test_notes_cqt_runs_and_marks(store):
    case_id = _case(store)
    note = evidence.attach_note(store, case_id, "BSC confirmed TRX-69-0 blocked at 14:02")
    run = store.create_cqt_run({"number": "5551234"}, case_id=case_id)
    cqt = evidence.attach_cqt(store, case_id, run)
    assert evidence.attach_cqt(store, case_id, run) == cqt
    with pytest.raises(EvidenceError, match="no CQT run 77"):
        evidence.attach_cqt(store, case_id, 77)
    assert evidence.cqt_run_ids(store, case_id) == [run]
    evidence.mark(store, note, "after")
    assert store.attachment(note).role == "after"
    evidence.mark(store, note, None)
    assert store.attachment(note).role is None
    with pytest.raises(EvidenceError, match="use before or after"):
        evidence.mark(store, note, "during")
    with pytest.raises(StoreError):
        evidence.mark(store, 999, "before")
    assert "marked neither" in store.case_history(case_id)[-1].text


def test_before_after_comparison_of_levels_quality_and_calls(store):
    case_id = _case(store)
    before = _session(store, [-85.0, -86.0, -84.0, -95.0], quals=[6, 7, 2, 2],
                      calls=[("failed", 200), ("dropped", 210), ("released", 220), ("released", 230)])
    after = _session(store, [-75.0, -76.0, -74.0, -69.0], quals=[0, 0, 1, 4], calls=[("released", 200), ("released", 230)])
    assert compare.compare_case(store, case_id) is None
    evidence.attach_session(store, case_id, before, role="before")
    evidence.attach_session(store, case_id, after, role="after")
    cmp = compare.compare_case(store, case_id)
    b, a = cmp.before, cmp.after
    # 4 idle levels + 4 in-call samples at -50 dBm
    assert b.samples == a.samples == 8
    assert dict(b.level_bins) == {"≥ -70 dBm": 4, "-80 to -70 dBm": 0, "-90 to -80 dBm": 3, "-100 to -90 dBm": 1,
                                  "< -100 dBm": 0}
    assert dict(a.level_bins)["-80 to -70 dBm"] == 3 and dict(a.level_bins)["≥ -70 dBm"] == 5
    assert dict(b.quality_classes) == {"good (0-3)": 2, "fair (4-5)": 0, "bad (6-7)": 2}
    assert (b.attempts, b.connected, b.failed, b.dropped) == (4, 3, 1, 1)
    assert b.call_success == 0.5 and a.call_success == 1.0
    assert "call success 50% → 100%" in cmp.verdict() and "bad quality 50% → 0%" in cmp.verdict()
