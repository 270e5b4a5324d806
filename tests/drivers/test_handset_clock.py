"""The handset source's timing in simulated time (issue 11 point 5): the poll period, the
stamps, the silence limit and the hang-up read the clock the source is given
(``fieldapp.clock``), so a 10 s poll period or a 5 s silence passes in a fraction of a second.

The device is real: the EC21 table of test_handset_source (AtPeer) on a real pseudo-terminal. Only time
is simulated (tests/support/fake_clock.py: every wait of the source advances it at once); the
AT channel's reply timeout stays real (it waits on bytes), shortened here for the mute device.
"""

from __future__ import annotations

import time

import pytest

from drivers.handset import DIAL_LIST_GRACE_S, SILENCE_LIMIT_S, HandsetSource
from fieldapp.model import EV_CALL_RELEASED, EV_GAP
from tests.drivers.test_handset_source import Collector, quectel_table
from tests.support.fake_clock import FakeClock
from tests.support.peer import AtPeer

EPOCH_UTC = 1_700_000_000.0  # the simulated clock's start: stamps far from the real time


def mutable_table(state: dict) -> dict:
    """The EC21 table with a mute switch: while ``state["mute"]`` the device echoes each command
    and answers nothing (a hung firmware on a port that stays open)."""
    def muted(reply):
        def answer(cmd):
            if state.get("mute"):
                return b""
            return reply(cmd) if callable(reply) else reply
        return answer
    return {cmd: muted(reply) for cmd, reply in quectel_table(state).items()}


def test_the_poll_period_and_the_stamps_follow_the_clock():
    clock = FakeClock(start_utc=EPOCH_UTC)
    sink = Collector()
    with AtPeer(quectel_table()) as modem:
        source = HandsetSource(modem.port, rate_s=10.0, clock=clock)
        started = time.monotonic()
        source.start(sink)
        try:
            assert sink.wait_for(lambda r: len([x for x in r if type(x).__name__ == "Sample"]) >= 4)
        finally:
            source.stop()
    real_s = time.monotonic() - started
    stamps = [s.ts_utc for s in sink.samples()[:4]]
    # one sample per 10 simulated seconds, stamped on the simulated clock
    assert all(EPOCH_UTC <= ts < EPOCH_UTC + 60 for ts in stamps)
    assert [round(b - a, 6) for a, b in zip(stamps, stamps[1:])] == [10.0, 10.0, 10.0]
    assert real_s < 10.0  # 30 simulated seconds of polling, without waiting for them


def test_a_mute_handset_is_one_gap_event_after_the_silence_limit_in_simulated_time():
    """The simulated twin of test_cli_record_faults' stopped simulator: polls unanswered for
    SILENCE_LIMIT_S are one `gap` event; when the handset answers again, an event says so, and
    no command is dropped from polling for a silence that was nobody's fault."""
    state: dict = {}
    clock = FakeClock(start_utc=EPOCH_UTC)
    sink = Collector()
    with AtPeer(mutable_table(state)) as modem:
        source = HandsetSource(modem.port, rate_s=2.5, clock=clock)
        source.poll_timeout_s = 0.2  # real seconds: the mute device's commands time out fast
        source.start(sink)
        try:
            assert sink.wait_for(lambda r: len(sink.samples()) >= 1)
            state["mute"] = True
            muted_at = clock.monotonic()
            assert sink.wait_for(lambda r: sink.events(EV_GAP), timeout=20)
            silent_s = clock.monotonic() - muted_at
            state["mute"] = False
            assert sink.wait_for(lambda r: any("answers again" in e.text for e in sink.events()), timeout=20)
            n = len(sink.samples())
            assert sink.wait_for(lambda r: len(sink.samples()) > n)  # polling goes on
        finally:
            source.stop()
    (gap,) = sink.events(EV_GAP)
    assert gap.data["reason"] == "no answer" and gap.data["limit_s"] == SILENCE_LIMIT_S
    assert SILENCE_LIMIT_S <= silent_s <= SILENCE_LIMIT_S + 2 * 2.5  # said once the limit passed, not later
    assert EPOCH_UTC < gap.ts_utc < EPOCH_UTC + 120
    back = next(e for e in sink.events() if "answers again" in e.text)
    assert back.data["from_utc"] == gap.data["from_utc"] and back.data["to_utc"] >= gap.ts_utc
    assert source.stats["silences"] == 1
    assert not [e for e in sink.events() if "dropped from polling" in e.text]


@pytest.mark.parametrize("clock", [None, FakeClock()], ids=["real clock", "simulated clock"])
def test_our_own_hang_up_ends_the_call_without_waiting_out_the_dial_guard(clock):
    """After ATD an empty +CLCC may be a poll that raced the dial, so for DIAL_LIST_GRACE_S it
    does not end the call. After our own ATH it is the answer expected: a CQT call held for
    less than the guard is released at once, not 1.5 s later (every short CQT call waited)."""
    state: dict = {}
    sink = Collector()
    with AtPeer(quectel_table(state)) as modem:
        source = HandsetSource(modem.port, rate_s=0.05, **({"clock": clock} if clock else {}))
        source.start(sink)
        try:
            source.dial("112233")
            assert sink.wait_for(lambda r: sink.events("call_connected"))
            hung_up = (clock or source.clock).monotonic()
            source.hangup()
            # the hang-up's own call-list poll sees no call: released before hangup() returns
            assert sink.events(EV_CALL_RELEASED)
            assert (clock or source.clock).monotonic() - hung_up < DIAL_LIST_GRACE_S
        finally:
            source.stop()
    assert not sink.events("call_failed") and not sink.events("call_dropped")
