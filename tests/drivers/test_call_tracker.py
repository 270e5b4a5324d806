"""Call state reports → one clean event sequence per call."""

from __future__ import annotations

from drivers.call_tracker import CallTracker
from fieldapp.model import CallState


def kinds(events):
    return [e.kind for e in events]


def test_normal_call_with_our_hangup():
    t = CallTracker()
    ev = t.dialled("123", 0.0)
    ev += t.feed(CallState(index=1, direction="mo", state="dialing"), 0.5)
    ev += t.feed(CallState(index=1, direction="mo", state="alerting"), 2.0)
    ev += t.feed(CallState(index=1, direction="mo", state="alerting"), 3.0)  # repeat of a poll
    ev += t.feed(CallState(index=1, direction="mo", state="active"), 6.0)
    t.hangup_requested()
    ev += t.feed(CallState(state="released", cause_text="NO CARRIER"), 26.0)
    assert kinds(ev) == ["call_attempt", "call_alerting", "call_connected", "call_released"]
    assert ev[2].data["setup_s"] == 6.0
    assert ev[3].data["held_s"] == 20.0
    assert t.last.outcome == "released" and not t.in_call


def test_never_connected_is_a_setup_failure():
    t = CallTracker()
    ev = t.dialled("123", 0.0) + t.feed(CallState(state="released", cause=17, cause_text="user busy"), 3.0)
    assert kinds(ev) == ["call_attempt", "call_failed"]
    assert "user busy" in ev[1].text and ev[1].data["cause"] == 17


def test_connected_call_ending_without_our_hangup_is_a_drop():
    t = CallTracker()
    t.dialled("1", 0.0)
    t.feed(CallState(state="active"), 5.0)
    ev = t.feed(CallState(state="released", cause=102), 9.0)
    assert kinds(ev) == ["call_dropped"]


def test_far_end_normal_clearing_is_a_release():
    t = CallTracker()
    t.dialled("1", 0.0)
    t.feed(CallState(state="active"), 5.0)
    t.set_cause(16, "Normal call clearing")
    ev = t.no_call_listed(9.0)
    assert kinds(ev) == ["call_released"]


def test_states_without_a_call_are_ignored_and_incoming_opens_one():
    t = CallTracker()
    assert t.feed(CallState(state="active"), 1.0) == []
    ev = t.feed(CallState(state="incoming", number="+4912"), 2.0)
    assert kinds(ev) == ["call_incoming"] and t.in_call
