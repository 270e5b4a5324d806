"""The handset source over a real pseudo-terminal (pyserial's real port path), against a
table-driven device that answers like an EC21 (Quectel) module.

Replies follow docs/at-commands.md §3.1.1 (Quectel manual layout, captures' spacing).
"""

from __future__ import annotations

import threading
import time

import pytest

from drivers.handset import SKIP_EVENTS_PER_REASON, HandsetSource, NoAtResponse, Unsupported
from drivers.transport import PortError
from fieldapp.model import Event, Sample
from tests.support.fake_clock import FakeClock
from tests.support.peer import AtPeer

# EC21-style identity and engineering-mode replies (layout: docs/at-commands.md §3.1.1; the serving
# line's spacing follows the EC20 capture quoted there).
SERVING_IDLE = ('+QENG: "servingcell","NOCONN","GSM",460,00,550A,2BB9,23,94,0,-61,255,255,5,40,40,1,'
                '-,-,-,-,-,-,-,-,-,"-"')
SERVING_CALL = ('+QENG: "servingcell","CONNECT","GSM",460,00,550A,2BB9,23,94,0,-63,5,14,4,0,0,0,'
                '7,3,2,-,-,33,50,2,1,"EFR"')
NEIGHBOURS = ('+QENG: "neighbourcell","GSM",460,00,550A,2BBA,21,80,-75,30,30,0,0\r\n'
              '+QENG: "neighbourcell","GSM",460,00,550A,2BBB,12,86,-88,17,17,0,0')


def quectel_table(state: dict | None = None) -> dict:
    state = state if state is not None else {}

    def serving(cmd):
        return (SERVING_CALL if state.get("call") == "active" else SERVING_IDLE) + "\r\n\r\nOK"

    def clcc(cmd):
        if state.get("call") == "active":
            return '+CLCC: 1,0,0,0,0,"112233",129\r\n\r\nOK'
        if state.get("call") == "alerting":
            state["call"] = "active"  # next poll: answered
            return '+CLCC: 1,0,3,0,0,"112233",129\r\n\r\nOK'
        return "OK"

    def dial(cmd):
        state["call"] = "alerting"
        return "OK"

    def hangup(cmd):
        state["call"] = None
        return "OK"

    return {
        "AT": "OK", "ATE1": "OK", "AT+CMEE=1": "OK",
        "ATI": "Quectel\r\nEC21\r\nRevision: EC21EFAR06A01M4G\r\n\r\nOK",
        "AT+CGMI": "Quectel\r\n\r\nOK", "AT+CGMM": "EC21\r\n\r\nOK",
        "AT+CGMR": "EC21EFAR06A01M4G\r\n\r\nOK", "AT+CGSN": "867962040000000\r\n\r\nOK",
        "AT+CLIP=1": "OK", "AT+CRC=1": "OK", "AT+CREG=2": "OK",
        "AT+CSQ": "+CSQ: 26,99\r\n\r\nOK",
        "AT+CREG?": '+CREG: 2,1,"550A","2BB9",0\r\n\r\nOK',
        'AT+QENG="SERVINGCELL"': serving,
        'AT+QENG="NEIGHBOURCELL"': lambda cmd: NEIGHBOURS + "\r\n\r\nOK",
        "AT+CLCC": clcc, "ATD112233;": dial, "ATH": hangup,
        "AT+CEER": '+CEER: "Normal call clearing"\r\n\r\nOK',
    }


class Collector:
    def __init__(self):
        self.records = []
        self.cond = threading.Condition()

    def __call__(self, record):
        with self.cond:
            self.records.append(record)
            self.cond.notify_all()

    def wait_for(self, pred, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not pred(self.records):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return True

    def samples(self):
        return [r for r in self.records if isinstance(r, Sample)]

    def events(self, kind=None):
        return [r for r in self.records if isinstance(r, Event) and (kind is None or r.kind == kind)]


def test_probe_identifies_quectel_and_reports_capabilities():
    with AtPeer(quectel_table()) as modem:
        src = HandsetSource(modem.port)
        try:
            caps = src.open()
        finally:
            src.stop()
    assert caps.family == "quectel"
    assert caps.manufacturer == "Quectel" and caps.model == "EC21"
    assert caps.firmware == "EC21EFAR06A01M4G"
    assert caps.fields["rxlev"] is True
    assert caps.fields["cell_lock"] is False and caps.can_lock_arfcn is False
    assert src.simulator is None  # a real module answers ERROR to AT+FASIM?


def test_records_samples_with_serving_cell_and_neighbours():
    sink = Collector()
    with AtPeer(quectel_table()) as modem:
        src = HandsetSource(modem.port, rate_s=0.2)
        src.start(sink)
        try:
            assert sink.wait_for(lambda r: len([x for x in r if isinstance(x, Sample)]) >= 2)
        finally:
            src.stop()
    s = sink.samples()[0]
    assert s.serving.arfcn == 94 and s.serving.bsic == 23
    assert s.serving.lac == 0x550A and s.serving.ci == 0x2BB9
    assert s.serving.rxlev_dbm == -61.0
    assert s.mode == "idle" and s.rxqual is None  # idle: quality unknown, never 0
    assert {n.arfcn for n in s.neighbours} == {80, 86}
    assert s.signal.rssi_dbm == -61.0
    # Raw traffic of both directions was handed to the sink too.
    raw = [r for r in sink.records if type(r).__name__ == "RawTraffic"]
    assert {r.direction for r in raw} == {"tx", "rx"}


def test_garbage_on_the_line_is_skipped_and_counted_not_crashing():
    sink = Collector()
    with AtPeer(quectel_table(), garbage=b"\xff\xfe\x00#@!\r\n+QENG: \"servingcell\",\x01zz\r\n") as modem:
        src = HandsetSource(modem.port, rate_s=0.2)
        src.start(sink)
        try:
            assert sink.wait_for(lambda r: len([x for x in r if isinstance(x, Sample)]) >= 2)
        finally:
            src.stop()
    assert src.stats["skipped_lines"] >= 1
    assert all(s.serving is None or s.serving.arfcn in (94, None) for s in sink.samples())


def test_wrong_port_is_a_clear_port_error():
    src = HandsetSource("/dev/does-not-exist-ttyUSB9")
    with pytest.raises(PortError) as err:
        src.open()
    assert "/dev/does-not-exist-ttyUSB9" in str(err.value)


def test_silent_device_gives_no_at_response_within_five_seconds():
    with AtPeer(silent=True) as modem:
        src = HandsetSource(modem.port, baud=9600)
        t0 = time.monotonic()
        with pytest.raises(NoAtResponse) as err:
            src.open()
        elapsed = time.monotonic() - t0
    assert str(err.value) == f"no AT response from {modem.port} at 9600 baud"
    assert elapsed < 6.0


def test_call_events_from_clcc_polling():
    state: dict = {}
    sink = Collector()
    with AtPeer(quectel_table(state)) as modem:
        src = HandsetSource(modem.port, rate_s=0.2)
        src.start(sink)
        try:
            src.dial("112233")
            assert sink.wait_for(lambda r: any(isinstance(x, Event) and x.kind == "call_connected" for x in r))
            assert sink.wait_for(lambda r: any(isinstance(x, Sample) and x.mode == "dedicated" for x in r))
            src.hangup()
            assert sink.wait_for(lambda r: any(isinstance(x, Event) and x.kind == "call_released" for x in r))
        finally:
            src.stop()
    kinds = [e.kind for e in sink.events() if e.kind.startswith("call_")]
    assert kinds == ["call_attempt", "call_alerting", "call_connected", "call_released"]
    ded = [s for s in sink.samples() if s.mode == "dedicated"][0]
    assert ded.channel.tch_arfcn == 7 and ded.channel.timeslot == 3


def test_lock_is_reported_unsupported_on_a_family_without_a_documented_lock():
    with AtPeer(quectel_table()) as modem:
        src = HandsetSource(modem.port)
        src.open()
        try:
            with pytest.raises(Unsupported, match="no documented GSM ARFCN lock"):
                src.lock(7)
        finally:
            src.stop()


def test_unplug_is_reported_and_reconnect_continues_with_a_gap(tmp_path):
    sink = Collector()
    link = tmp_path / "ttyHANDSET"
    modem = AtPeer(quectel_table(), link_path=str(link)).start()
    src = HandsetSource(str(link), rate_s=0.2, reconnect=True)
    try:
        src.start(sink)
        assert sink.wait_for(lambda r: len([x for x in r if isinstance(x, Sample)]) >= 2)
        modem.vanish()
        assert sink.wait_for(lambda r: any(isinstance(x, Event) and x.kind == "disconnected" for x in r))
        n_before = len(sink.samples())
        modem.reappear()
        assert sink.wait_for(lambda r: any(isinstance(x, Event) and x.kind == "gap" for x in r), timeout=15)
        assert sink.wait_for(lambda r: len([x for x in r if isinstance(x, Sample)]) >= n_before + 2)
    finally:
        src.stop()
        modem.stop()
    gap = sink.events("gap")[0]
    assert gap.data["to_utc"] > gap.data["from_utc"]
    assert sink.events("reconnected")


def test_unplug_without_reconnect_finishes_the_source(tmp_path):
    sink = Collector()
    modem = AtPeer(quectel_table()).start()
    src = HandsetSource(modem.port, rate_s=0.2)
    try:
        src.start(sink)
        assert sink.wait_for(lambda r: len([x for x in r if isinstance(x, Sample)]) >= 1)
        modem.vanish()
        assert src.finished.wait(5.0), "the source must notice the loss, never hang"
    finally:
        src.stop()
        modem.stop()
    assert sink.events("disconnected")


def test_an_empty_call_list_answered_just_before_the_dial_does_not_end_the_call():
    """Race seen in CQT runs: a +CLCC poll sent just before ATD answers "no calls"; that must
    not end the new call as a setup failure."""
    state: dict = {}
    table = quectel_table(state)
    plain_clcc = table["AT+CLCC"]

    def slow_clcc(cmd):
        time.sleep(0.3)  # the dial is issued while this poll is in flight
        return plain_clcc(cmd)

    table["AT+CLCC"] = slow_clcc
    sink = Collector()
    with AtPeer(table) as modem:
        src = HandsetSource(modem.port, rate_s=0.05)
        src.start(sink)
        try:
            src.tracker.call = None
            # Put a call in progress so the poll thread polls +CLCC, then end it and dial anew.
            src.dial("112233")
            assert sink.wait_for(lambda r: any(getattr(x, "kind", "") == "call_connected" for x in r))
            src.hangup()
            assert sink.wait_for(lambda r: any(getattr(x, "kind", "") == "call_released" for x in r))
            for n in range(2, 5):
                src.dial("112233")
                assert sink.wait_for(lambda r, n=n: sum(getattr(x, "kind", "") == "call_connected" for x in r)
                                     >= n, timeout=10)
                src.hangup()
        finally:
            src.stop()
    assert not sink.events("call_failed")


def test_the_probe_and_startup_exchange_reach_the_sink_on_the_first_connect():
    """Issue 12 point 7: open() probes and sends the start-up commands before start() names the
    sink; that raw traffic and a start-up command's error are kept for the session, as after a
    reconnect."""
    from fieldapp.model import RawTraffic

    table = quectel_table()
    table["AT+CLIP=1"] = "+CME ERROR: 3"  # a start-up command the module refuses
    with AtPeer(table) as modem:
        source = HandsetSource(modem.port, rate_s=0.2)
        source.open()
        sink = Collector()
        source.start(sink)
        try:
            assert sink.wait_for(lambda r: any(isinstance(x, Sample) for x in r))  # a poll after the start-up
        finally:
            source.stop()
        got = sink.records
    tx = b"".join(r.data for r in got if isinstance(r, RawTraffic) and r.direction == "tx")
    rx = b"".join(r.data for r in got if isinstance(r, RawTraffic) and r.direction == "rx")
    assert b"ATI\r" in tx and b"AT+CLIP=1\r" in tx  # the probe and the start-up commands
    assert b"EC21" in rx and b"+CME ERROR: 3" in rx
    errors = [e for e in got if isinstance(e, Event) and "AT+CLIP=1" in e.text]
    assert errors and "+CME ERROR: 3" in errors[0].text
    # the early records come first, before the polls of start()
    first_sample = next(i for i, r in enumerate(got) if isinstance(r, Sample))
    assert got.index(errors[0]) < first_sample


def test_capabilities_after_the_first_polls_say_what_the_device_answered():
    """Issue 12 point 6: a plain 27.007 answer set (+CSQ level, +CREG: 0,1 without LAC/CI;
    ModemManager's CREG=1 row) on a family whose table promises more: after the first polls
    the level is RSSI from +CSQ (not RXLEV) and LAC/CI are not available."""
    from fieldapp.model import Capabilities

    table = quectel_table()
    table["AT+CREG?"] = "+CREG: 0,1\r\n\r\nOK"
    table['AT+QENG="SERVINGCELL"'] = "ERROR"
    table['AT+QENG="NEIGHBOURCELL"'] = "ERROR"
    with AtPeer(table) as modem:
        source = HandsetSource(modem.port, rate_s=0.1)
        caps0 = source.open()
        assert caps0.fields["rxlev"] and caps0.fields["lac"]  # what the Quectel table promises
        got: list = []
        source.start(got.append)
        try:
            deadline = time.monotonic() + 10
            while not source.capabilities_learnt and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            source.stop()
    caps = source.capabilities
    assert caps.fields["rxlev"] is False and caps.fields["rssi"] is True and caps.fields["level"] is True
    assert caps.fields["lac"] is False and caps.fields["ci"] is False
    assert any("RSSI from +CSQ" in n for n in caps.notes)
    assert any(isinstance(r, Capabilities) and r == caps for r in got)  # the window's list follows
    assert any(isinstance(r, Event) and r.text.startswith("capabilities from the first polls") for r in got)


def test_capabilities_keep_what_the_engineering_mode_gives():
    with AtPeer(quectel_table()) as modem:
        source = HandsetSource(modem.port, rate_s=0.1)
        source.open()
        source.start(lambda r: None)
        try:
            deadline = time.monotonic() + 10
            while not source.capabilities_learnt and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            source.stop()
    f = source.capabilities.fields
    assert f["rxlev"] and f["lac"] and f["ci"] and f["bsic"] and f["neighbours"]


def test_a_reply_line_that_gives_no_record_is_a_session_event_with_its_reason():
    """Issue 12 point 5 on the live path: the raw line is in the raw traffic, the reason is an
    event (a damaged +QENG serving line of the EC20 capture: a field cut to "-5x2")."""
    from fieldapp.model import RawTraffic

    table = quectel_table()
    table['AT+QENG="SERVINGCELL"'] = '+QENG: "servingcell"\r\n\r\nOK'  # no state: damaged layout
    with AtPeer(table) as modem:
        # simulated time: a 1 s poll period, as fast as the device answers
        source = HandsetSource(modem.port, rate_s=1.0, clock=FakeClock())
        sink = Collector()
        source.start(sink)
        try:  # more damaged lines than are said as events (SKIP_EVENTS_PER_REASON)
            assert sink.wait_for(lambda r: source.stats["skipped_lines"] > SKIP_EVENTS_PER_REASON + 1)
        finally:
            source.stop()
        got = sink.records
    events = [e for e in got if isinstance(e, Event) and e.text.startswith("reply line not read")]
    assert events and events[0].data["reason"] == "known reply, damaged layout"
    assert events[0].data["command"] == 'AT+QENG="servingcell"'
    assert len(events) <= 5  # the same reason is said a few times, then counted
    assert source.stats["skipped_lines"] >= len(events)
    assert any(b'+QENG: "servingcell"' in r.data for r in got if isinstance(r, RawTraffic))
