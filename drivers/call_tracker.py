"""Call state → call events, whatever way the device reports it.

Devices tell call progress in three ways (docs/at-commands.md §1.2): URCs (SIMCom +CLCC
URCs, Huawei ^ORIG/^CONN/^CEND, Cinterion ^SLCC), a polled +CLCC list, or only a final
``NO CARRIER``/``BUSY`` line. All of them become ``CallState`` records in the parsers; this
tracker turns that stream into one clean sequence of events per call:

    call_attempt → [call_alerting] → call_connected → call_released | call_dropped
    call_attempt → call_failed                    (never connected)

A release after our own hang-up, or with CC cause 16 (normal clearing), is a normal release;
a connected call that ends otherwise is a drop. Pure logic, no I/O: feed it records and times.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldapp.model import (
    CALL_ACTIVE,
    CALL_ALERTING,
    CALL_DIALING,
    CALL_INCOMING,
    CALL_RELEASED,
    EV_CALL_ALERTING,
    EV_CALL_ATTEMPT,
    EV_CALL_CONNECTED,
    EV_CALL_DROPPED,
    EV_CALL_FAILED,
    EV_CALL_INCOMING,
    EV_CALL_RELEASED,
    CallState,
    Event,
)

NORMAL_CLEARING = 16


@dataclass
class CallProgress:
    """What we know about the call in progress (one at a time: a test handset makes one)."""

    number: str | None = None
    direction: str = "mo"
    attempt_utc: float | None = None
    alerting_utc: float | None = None
    connected_utc: float | None = None
    ended_utc: float | None = None
    hangup_requested: bool = False
    cause: int | None = None
    cause_text: str | None = None
    outcome: str | None = None  # "released", "failed", "dropped"
    data: dict = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.attempt_utc is not None and self.ended_utc is None

    @property
    def setup_s(self) -> float | None:
        if self.connected_utc is None or self.attempt_utc is None:
            return None
        return self.connected_utc - self.attempt_utc


class CallTracker:
    def __init__(self) -> None:
        self.call: CallProgress | None = None
        self.last: CallProgress | None = None

    @property
    def in_call(self) -> bool:
        return self.call is not None and self.call.active

    def dialled(self, number: str, ts_utc: float) -> list[Event]:
        self.call = CallProgress(number=number, direction="mo", attempt_utc=ts_utc)
        return [Event(ts_utc, EV_CALL_ATTEMPT, f"dialling {number}", {"number": number})]

    def hangup_requested(self) -> None:
        if self.call is not None:
            self.call.hangup_requested = True

    def feed(self, state: CallState, ts_utc: float) -> list[Event]:
        """One reported call state. Returns the events it causes (often none: repeats of a
        polled +CLCC state are not news)."""
        call = self.call
        if state.state == CALL_INCOMING and (call is None or not call.active):
            self.call = CallProgress(number=state.number, direction="mt", attempt_utc=ts_utc)
            return [Event(ts_utc, EV_CALL_INCOMING, f"incoming call {state.number or ''}".strip(),
                          {"number": state.number})]
        if call is None or not call.active:
            return []
        if state.state == CALL_DIALING:
            return []
        if state.state == CALL_ALERTING:
            if call.alerting_utc is None:
                call.alerting_utc = ts_utc
                return [Event(ts_utc, EV_CALL_ALERTING, "alerting", {"number": call.number})]
            return []
        if state.state == CALL_ACTIVE:
            if call.connected_utc is None:
                call.connected_utc = ts_utc
                setup = call.setup_s
                text = "connected" + (f" after {setup:.1f} s" if setup is not None else "")
                return [Event(ts_utc, EV_CALL_CONNECTED, text,
                              {"number": call.number, "setup_s": setup})]
            return []
        if state.state == CALL_RELEASED:
            if state.cause is not None:
                call.cause = state.cause
            if state.cause_text:
                call.cause_text = state.cause_text
            return self.ended(ts_utc)
        return []

    def no_call_listed(self, ts_utc: float) -> list[Event]:
        """A polled +CLCC came back empty: the call, if any, is over."""
        if self.in_call:
            return self.ended(ts_utc)
        return []

    def set_cause(self, cause: int | None, text: str | None) -> None:
        """Cause learnt after the end (+CEER): completes the last call's record."""
        target = self.call if self.call is not None else self.last
        if target is None:
            return
        if cause is not None:
            target.cause = cause
        if text:
            target.cause_text = text

    def ended(self, ts_utc: float) -> list[Event]:
        call = self.call
        if call is None or not call.active:
            return []
        call.ended_utc = ts_utc
        data = {"number": call.number, "cause": call.cause, "cause_text": call.cause_text,
                "setup_s": call.setup_s,
                "held_s": None if call.connected_utc is None else ts_utc - call.connected_utc}
        parts = [p for p in (call.cause_text, None if call.cause is None else f"cause {call.cause}") if p]
        why = f" ({', '.join(parts)})" if parts else ""
        if call.connected_utc is None:
            call.outcome = "failed"
            event = Event(ts_utc, EV_CALL_FAILED, f"setup failed{why}", data)
        elif call.hangup_requested:
            call.outcome = "released"
            event = Event(ts_utc, EV_CALL_RELEASED, f"released{why}", data)
        elif call.cause == NORMAL_CLEARING:
            # The far end hung up normally.
            call.outcome = "released"
            event = Event(ts_utc, EV_CALL_RELEASED, f"released by far end{why}", data)
        else:
            call.outcome = "dropped"
            event = Event(ts_utc, EV_CALL_DROPPED, f"dropped{why}", data)
        self.last = call
        self.call = None
        return [event]
