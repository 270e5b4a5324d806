"""The AT channel against recorded exchanges (tests/support/peer.py).

Replies are the bytes devices really sent, as quoted in docs/at-commands.md §1-2 (source in
each row); where a row is built from a documented format rather than a capture it says so.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.at import AtTimeout
from drivers.at_lines import final_error, is_call_command, is_final, reply_prefixes, split_chain, split_lines
from fieldapp.model import DeviceError
from tests.support.peer import expected_protocol


def _collector():
    got: list[str] = []
    event = threading.Event()

    def cb(line: str) -> None:
        got.append(line)
        event.set()

    return got, event, cb


# ----------------------------------------------------------------------------- echo and framing

ECHO_ROWS = [
    # (device, command, reply bytes, expected lines)
    ("gammu issue #150 hex dump: echo ended by CR CR LF", "AT+CSQ",
     b"AT+CSQ\r\r\n+CSQ: 9,3\r\n\r\nOK\r\n", ["+CSQ: 9,3"]),
    ("ModemManager gsm-port.conf: echo off", "AT+CSQ",
     b"\r\n+CSQ: 17,99\r\n\r\nOK\r\n", ["+CSQ: 17,99"]),
    ("SIM800 capture: echo then OK only", "AT+CENG=2", b"AT+CENG=2\r\r\nOK\r\n", []),
    ("Quectel EC20 log: doubled echo", 'AT+QENG="servingcell"',
     b'AT+QENG="servingcell"\r\r\nAT+QENG="servingcell"\r\r\n'
     b'+QENG: "servingcell","NOCONN","GSM",460,00,550A,2BB9,23,94,0,-61,5,14,4,0,0,0,-,-,-,-,-,-,-,-,-,"-"'
     b"\r\n\r\nOK\r\n",
     ['+QENG: "servingcell","NOCONN","GSM",460,00,550A,2BB9,23,94,0,-61,5,14,4,0,0,0,-,-,-,-,-,-,-,-,-,"-"']),
    ("lower-case echo of a lower-case command", "at+csq", b"at+csq\r\r\n+CSQ: 9,3\r\n\r\nOK\r\n",
     ["+CSQ: 9,3"]),
    ("bare LF line ends (terminal logs)", "AT+CSQ", b"AT+CSQ\n+CSQ: 9,3\n\nOK\n", ["+CSQ: 9,3"]),
    ("u-blox UCGED capture: no CRLF after the final OK", "AT+UCGED?",
     b"AT+UCGED?\r\r\n+UCGED: 2\r\n6,4,fff,fff\r\nOK", ["+UCGED: 2", "6,4,fff,fff"]),
]


@pytest.mark.parametrize("device,cmd,reply,lines", ECHO_ROWS, ids=[r[0] for r in ECHO_ROWS])
def test_echo_is_stripped_and_info_lines_kept(device, cmd, reply, lines):
    with expected_protocol([(cmd + "\r", reply)]) as ch:
        resp = ch.command(cmd, timeout_s=2)
    assert resp.lines == lines
    assert resp.final == "OK" and resp.ok and resp.error is None
    assert resp.command == cmd


@pytest.mark.parametrize("device,cmd,reply,lines", ECHO_ROWS, ids=[r[0] for r in ECHO_ROWS])
def test_replies_arriving_one_byte_at_a_time(device, cmd, reply, lines):
    with expected_protocol([(cmd + "\r", reply)], byte_by_byte=True) as ch:
        resp = ch.command(cmd, timeout_s=2)
    assert resp.lines == lines and resp.ok


def test_reply_split_into_delayed_chunks():
    # The same gammu bytes, cut mid-line and mid-terminator, 30 ms apart (a slow USB bridge).
    reply = [b"AT+CSQ\r", 0.03, b"\r\n+CS", 0.03, b"Q: 9,3\r", 0.03, b"\n\r\nO", 0.03, b"K\r\n"]
    with expected_protocol([("AT+CSQ\r", reply)]) as ch:
        resp = ch.command("AT+CSQ", timeout_s=2)
    assert resp.lines == ["+CSQ: 9,3"] and resp.final == "OK"


# ----------------------------------------------------------------------------- final codes

FINAL_ROWS = [
    # (source, command, final line, ok, DeviceError)
    ("V.250 OK", "AT", "OK", True, None),
    ("V.250 CONNECT with rate", "ATD*99#", "CONNECT 9600", True, None),
    ("27.007 GPRS data mode", 'AT+CGDATA="PPP",1', "CONNECT", True, None),
    ("V.250 plain ERROR; u-blox SARA-U201 to AT+CPIN? during SIM init (MKRGSM #81)", "AT+CPIN?",
     "ERROR", False, DeviceError(None, "ERROR", None)),
    ("27.007 numeric +CME (CMEE=1)", "AT+CPIN?", "+CME ERROR: 10", False,
     DeviceError(10, "SIM not inserted", "CME")),
    ("SIMCom A7670G text +CME (CMEE=2, LilyGo #79)", "AT+CPIN?", "+CME ERROR: SIM failure", False,
     DeviceError(13, "SIM failure", "CME")),
    ("Quectel vendor +CME 603 (not in the table)", "AT+QFTPGET", "+CME ERROR: 603", False,
     DeviceError(603, "+CME ERROR: 603", "CME")),
    ("27.005 +CMS numeric", "AT+CMGS=20", "+CMS ERROR: 500", False,
     DeviceError(500, "+CMS ERROR: 500", "CMS")),
    ("Motorola EZX MODEM ERROR (ModemManager parser v1)", "AT+CGMI", "MODEM ERROR: 3", False,
     DeviceError(3, "MODEM ERROR: 3", "MODEM")),
    ("Huawei E1752 (python-gsmmodem fakemodems.py)", "AT+CLAC", "COMMAND NOT SUPPORT", False,
     DeviceError(None, "COMMAND NOT SUPPORT", None)),
    ("Samsung Z810 NA (ModemManager parser v1)", "AT+CGMM", "NA", False, DeviceError(None, "NA", None)),
    ("call refused: NO CARRIER ends ATD", "ATD0123456789;", "NO CARRIER", False,
     DeviceError(None, "NO CARRIER", None)),
    ("called party busy", "ATD0123456789;", "BUSY", False, DeviceError(None, "BUSY", None)),
    ("no answer", "ATD0123456789;", "NO ANSWER", False, DeviceError(None, "NO ANSWER", None)),
    ("no dial tone", "ATD0123456789;", "NO DIALTONE", False, DeviceError(None, "NO DIALTONE", None)),
    ("NO CARRIER to ATA (call gone before answer)", "ATA", "NO CARRIER", False,
     DeviceError(None, "NO CARRIER", None)),
]


@pytest.mark.parametrize("source,cmd,final,ok,error", FINAL_ROWS, ids=[r[0] for r in FINAL_ROWS])
def test_every_final_result_code_ends_the_command(source, cmd, final, ok, error):
    with expected_protocol([(cmd + "\r", f"\r\n{final}\r\n")], busy_backoff_s=0.01) as ch:
        resp = ch.command(cmd, timeout_s=2)
    assert resp.final == final
    assert resp.ok is ok
    assert resp.error == error
    assert resp.lines == []


def test_sierra_call_end_without_leading_cr_ends_the_dial():
    # ModemManager mm_call_end_regex_get: "Some Sierra devices omit the leading <CR>".
    with expected_protocol([("ATD123;\r", b"\nNO CARRIER\r\n")]) as ch:
        resp = ch.command("ATD123;", timeout_s=2)
    assert resp.final == "NO CARRIER" and not resp.ok


# ----------------------------------------------------------------------------- URCs


def test_cring_between_info_line_and_ok_goes_to_its_handler():
    got, _, cb = _collector()
    reply = b"\r\n+CLCC: 1,1,4,0,0,\"0123456789\",129\r\n\r\n+CRING: VOICE\r\n\r\nOK\r\n"
    with expected_protocol([("AT+CLCC\r", reply)]) as ch:
        ch.add_urc_handler("+CRING:", cb)
        resp = ch.command("AT+CLCC", timeout_s=2)
    assert resp.lines == ['+CLCC: 1,1,4,0,0,"0123456789",129']
    assert got == ["+CRING: VOICE"]


def test_cring_with_doubled_crs_and_no_handler_is_unsolicited():
    # ModemManager simtech test_cring_urc_two_crs: "\r\r\n+CRING: VOICE\r\r\n", here mid-response.
    unsolicited, _, cb = _collector()
    reply = b"AT+CSQ\r\r\n+CSQ: 20,99\r\r\n\r\r\n+CRING: VOICE\r\r\n\r\nOK\r\n"
    with expected_protocol([("AT+CSQ\r", reply)], on_unsolicited=cb) as ch:
        resp = ch.command("AT+CSQ", timeout_s=2)
    assert resp.lines == ["+CSQ: 20,99"]
    assert unsolicited == ["+CRING: VOICE"]


def test_urc_with_nothing_pending_reaches_the_handler():
    got, event, cb = _collector()
    with expected_protocol([(None, [0.05, b"\r\r\n+CRING: VOICE\r\r\n"])]) as ch:
        ch.add_urc_handler(re.compile(r"\+CRING: (\w+)"), cb)
        assert event.wait(2)
    assert got == ["+CRING: VOICE"]


def test_no_carrier_during_a_poll_is_a_urc_not_the_polls_result():
    # A call drops while AT+CSQ is being answered: the poll must still get its OK, and the call
    # tracker must still hear NO CARRIER.
    got, _, cb = _collector()
    reply = b"\r\n+CSQ: 18,0\r\n\r\nNO CARRIER\r\n\r\nOK\r\n"
    with expected_protocol([("AT+CSQ\r", reply)]) as ch:
        ch.add_urc_handler("NO CARRIER", cb)
        resp = ch.command("AT+CSQ", timeout_s=2)
    assert resp.final == "OK" and resp.lines == ["+CSQ: 18,0"]
    assert got == ["NO CARRIER"]


def test_zte_connect_urc_during_a_poll_does_not_complete_it():
    # python-gsmmodem ZTE table: the far end answering is reported as a bare CONNECT URC.
    got, _, cb = _collector()
    reply = b"\r\n+CSQ: 18,0\r\n\r\nCONNECT\r\n\r\nOK\r\n"
    with expected_protocol([("AT+CSQ\r", reply)]) as ch:
        ch.add_urc_handler("CONNECT", cb)
        resp = ch.command("AT+CSQ", timeout_s=2)
    assert resp.final == "OK" and resp.lines == ["+CSQ: 18,0"]
    assert got == ["CONNECT"]


def test_ring_and_no_carrier_with_no_command_pending_are_unsolicited():
    unsolicited, _, cb = _collector()
    urcs = b"\r\nRING\r\n\r\nRING\r\n\r\nNO CARRIER\r\n"
    with expected_protocol([(None, urcs)], on_unsolicited=cb) as ch:
        deadline = time.monotonic() + 2
        while len(unsolicited) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ch.stats["unsolicited"] == 3
    assert unsolicited == ["RING", "RING", "NO CARRIER"]


def test_a_reply_prefix_handler_does_not_steal_the_pending_commands_reply():
    # ModemManager gsm-port.conf reply; the +CREG handler is there for the URC form.
    got, _, cb = _collector()
    pairs = [
        ("AT+CREG?\r", b'\r\n+CREG: 2,1,"1234","001122BB"\r\n\r\nOK\r\n'),
        ("AT+CSQ\r", b'\r\n+CSQ: 17,99\r\n\r\n+CREG: 1,"1234","001122BC"\r\n\r\nOK\r\n'),
    ]
    with expected_protocol(pairs) as ch:
        ch.add_urc_handler("+CREG:", cb)
        creg = ch.command("AT+CREG?", timeout_s=2)
        csq = ch.command("AT+CSQ", timeout_s=2)
    assert creg.lines == ['+CREG: 2,1,"1234","001122BB"']
    assert csq.lines == ["+CSQ: 17,99"]
    assert got == ['+CREG: 1,"1234","001122BC"']


def test_chained_command_keeps_the_replies_of_every_part():
    # luci-app-3ginfo-lite issues #56/#111: chained Quectel commands, one OK at the end.
    got, _, cb = _collector()
    reply = (b'\r\n+QNWINFO: "GSM","46000","GSM 900",94\r\n'
             b'+QENG: "servingcell","NOCONN","GSM",460,00,550A,2BB9,23,94,0,-61,5,14,4,0,0,0,-,-,-,-,-,-,-,-,-,"-"'
             b"\r\n\r\nOK\r\n")
    with expected_protocol([('AT+QNWINFO;+QENG="servingcell"\r', reply)]) as ch:
        ch.add_urc_handler("+QENG:", cb)
        ch.add_urc_handler("+QNWINFO:", cb)
        resp = ch.command('AT+QNWINFO;+QENG="servingcell"', timeout_s=2)
    assert [ln.split(":")[0] for ln in resp.lines] == ["+QNWINFO", "+QENG"]
    assert got == []


def test_sim808_boot_urcs_inside_an_exchange_go_to_handlers():
    # TinyGSM issue #318: after a reset SIM808 emits RDY, +CFUN: 1, +CPIN: SIM PIN mid-exchange.
    got, _, cb = _collector()
    reply = b"AT\r\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n"
    with expected_protocol([("AT\r", reply)]) as ch:
        for prefix in ("RDY", "+CFUN:", "+CPIN:"):
            ch.add_urc_handler(prefix, cb)
        resp = ch.command("AT", timeout_s=2)
    assert resp.ok and resp.lines == []
    assert got == ["RDY", "+CFUN: 1", "+CPIN: SIM PIN"]


def test_urcs_after_the_final_code_are_unsolicited():
    # LilyGo-Modem-Series #79 (A7670G): text error, then the SIM comes up with URCs.
    unsolicited, _, cb = _collector()
    reply = b"\r\n+CME ERROR: SIM failure\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n\r\nPB DONE\r\n"
    with expected_protocol([("AT+CPIN?\r", reply)], on_unsolicited=cb) as ch:
        resp = ch.command("AT+CPIN?", timeout_s=2)
        deadline = time.monotonic() + 2
        while len(unsolicited) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert resp.error == DeviceError(13, "SIM failure", "CME")
    assert unsolicited == ["+CPIN: READY", "SMS DONE", "PB DONE"]


def test_creg_urc_right_after_the_ok_of_creg_set():
    # gammu issue #91: Wavecom-based GenPro E10 sends +CREG right after the OK of AT+CREG=2.
    got, event, cb = _collector()
    with expected_protocol([("AT+CREG=2\r", b"\r\nOK\r\n\r\n+CREG: 1,\"0FA3\",\"2B1C\"\r\n")]) as ch:
        ch.add_urc_handler("+CREG:", cb)
        resp = ch.command("AT+CREG=2", timeout_s=2)
        assert event.wait(2)
    assert resp.ok and resp.lines == []
    assert got == ['+CREG: 1,"0FA3","2B1C"']


# ----------------------------------------------------------------------------- busy, missing OK, timeout


def test_busy_515_is_retried_with_backoff():
    # python-gsmmodem WavecomMultiband900E1800: +CME ERROR: 515 for a while after AT+CFUN=1.
    pairs = [("AT+CFUN=1\r", b"\r\n+CME ERROR: 515\r\n"),
             ("AT+CFUN=1\r", b"\r\n+CME ERROR: 515\r\n"),
             ("AT+CFUN=1\r", b"\r\nOK\r\n")]
    with expected_protocol(pairs, busy_backoff_s=0.05) as ch:
        resp = ch.command("AT+CFUN=1", timeout_s=2)
        assert ch.stats["busy_retries"] == 2
    assert resp.ok and resp.final == "OK"
    assert resp.elapsed_s >= 0.05 + 0.1  # 0.05 then 0.1 s of backoff


def test_sim_busy_14_is_retried_then_given_up():
    pairs = [("AT+CPIN?\r", b"\r\n+CME ERROR: 14\r\n")] * 3
    with expected_protocol(pairs, busy_backoff_s=0.01) as ch:
        resp = ch.command("AT+CPIN?", timeout_s=2, busy_retries=2)
    assert not resp.ok
    assert resp.error == DeviceError(14, "SIM busy", "CME")


def test_busy_retries_zero_returns_the_busy_answer():
    with expected_protocol([("AT+CFUN=1\r", b"\r\n+CME ERROR: 515\r\n")]) as ch:
        resp = ch.command("AT+CFUN=1", timeout_s=2, busy_retries=0)
    assert resp.error is not None and resp.error.code == 515


def test_wavecom_cpin_without_ok_completes_after_grace():
    # python-gsmmodem WavecomMultiband900E1800: "+CPIN: READY" and no OK.
    with expected_protocol([("AT+CPIN?\r", b"\r\n+CPIN: READY\r\n")]) as ch:
        t0 = time.monotonic()
        resp = ch.command("AT+CPIN?", timeout_s=3, final_optional_after="+CPIN:")
        took = time.monotonic() - t0
    assert resp.lines == ["+CPIN: READY"] and resp.final is None and resp.ok
    assert 0.25 <= took < 1.0


def test_final_optional_still_takes_the_ok_when_it_comes():
    with expected_protocol([("AT+CPIN?\r", b"\r\n+CPIN: READY\r\n\r\nOK\r\n")]) as ch:
        resp = ch.command("AT+CPIN?", timeout_s=3, final_optional_after="+CPIN:")
    assert resp.final == "OK" and resp.lines == ["+CPIN: READY"]


def test_missing_ok_without_final_optional_times_out():
    with expected_protocol([("AT+CPIN?\r", b"\r\n+CPIN: READY\r\n")]) as ch, \
            pytest.raises(AtTimeout, match=r"AT\+CPIN\?.*0\.4 s.*\+CPIN: READY"):
        ch.command("AT+CPIN?", timeout_s=0.4)


def test_silence_times_out_with_a_clear_message_and_the_channel_stays_usable():
    pairs = [("AT\r", b""), ("AT+CSQ\r", b"\r\n+CSQ: 9,3\r\n\r\nOK\r\n")]
    with expected_protocol(pairs) as ch:
        t0 = time.monotonic()
        with pytest.raises(AtTimeout, match="no final result code within 0.3 s .*wrong port or baud"):
            ch.command("AT", timeout_s=0.3)
        assert 0.3 <= time.monotonic() - t0 < 1.5
        assert ch.stats["timeouts"] == 1
        assert ch.command("AT+CSQ", timeout_s=2).lines == ["+CSQ: 9,3"]


def test_late_ok_of_a_timed_out_command_is_dropped_not_given_to_the_next():
    pairs = [("AT+COPS=?\r", [0.4, b"\r\nOK\r\n"]), ("AT+CSQ\r", b"\r\n+CSQ: 9,3\r\n\r\nOK\r\n")]
    with expected_protocol(pairs) as ch:
        with pytest.raises(AtTimeout):
            ch.command("AT+COPS=?", timeout_s=0.2)
        deadline = time.monotonic() + 3
        while ch.stats["stray_finals"] == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ch.stats["stray_finals"] == 1
        assert ch.command("AT+CSQ", timeout_s=2).lines == ["+CSQ: 9,3"]


# ----------------------------------------------------------------------------- garbage


def test_garbage_bytes_are_passed_on_and_counted():
    reply = b"\r\n\xff\xfe\x80\r\n+CSQ: 9,3\r\n\x00\x00OK\r\n"
    with expected_protocol([("AT+CSQ\r", reply)]) as ch:
        resp = ch.command("AT+CSQ", timeout_s=2)
        stats = ch.stats
    assert resp.final == "OK"  # NUL noise before OK (power-up) does not hide the final code
    assert resp.lines == ["\ufffd\ufffd\ufffd", "+CSQ: 9,3"]
    assert stats["garbled_lines"] == 2


def test_power_up_noise_with_nothing_pending_is_unsolicited():
    unsolicited, event, cb = _collector()
    with expected_protocol([(None, b"\x00\xff\r\n")], on_unsolicited=cb) as ch:
        assert event.wait(2)
        assert ch.stats["garbled_lines"] == 1
    assert unsolicited == ["\ufffd"]


# ----------------------------------------------------------------------------- the harness itself


def test_harness_fails_on_an_unexpected_write():
    with pytest.raises(AssertionError, match=r"expected b'AT\+CSQ\\r', got b'AT\+CREG\?\\r'"), \
            expected_protocol([("AT+CSQ\r", b"\r\nOK\r\n")]) as ch, pytest.raises(AtTimeout):
        ch.command("AT+CREG?", timeout_s=0.2)


def test_harness_fails_on_an_unused_pair():
    with pytest.raises(AssertionError, match="1 pair\\(s\\) never used"), \
            expected_protocol([("AT\r", b"\r\nOK\r\n"), ("AT+CSQ\r", b"\r\nOK\r\n")]) as ch:
        ch.command("AT", timeout_s=2)


# ----------------------------------------------------------------------------- the line rules (pure)

# Every framing quirk of §1.1 in one stream: echo CR CR LF, doubled CRs, bare LF, a blank line.
STREAM = (b"AT+CSQ\r\r\n+CSQ: 9,3\r\n\r\nOK\r\n\r\r\n+CRING: VOICE\r\r\n"
          b"AT+CENG=2\r\r\nOK\n+UCGED: 2\r\n6,4,fff,fff\r\nOK")


def _cut(stream: bytes, cuts: list[int]) -> list[bytes]:
    buf = bytearray()
    lines: list[bytes] = []
    last = 0
    for cut in [*sorted(cuts), len(stream)]:
        buf.extend(stream[last:cut])
        last = cut
        lines.extend(split_lines(buf))
    return lines + ([bytes(buf)] if buf else [])


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=30))
def test_any_split_of_the_stream_gives_the_same_lines(cuts):
    assert _cut(STREAM, cuts) == [b"AT+CSQ", b"+CSQ: 9,3", b"OK", b"+CRING: VOICE", b"AT+CENG=2", b"OK",
                                  b"+UCGED: 2", b"6,4,fff,fff", b"OK"]


@given(st.binary(max_size=200))
def test_split_lines_never_raises_and_loses_no_text(data):
    buf = bytearray(data)
    lines = split_lines(buf)
    kept = b"".join(lines) + bytes(buf)
    assert kept == data.replace(b"\r", b"").replace(b"\n", b"")


@pytest.mark.parametrize("cmd,prefixes", [
    ("AT+CREG?", ("+CREG:",)),
    ("AT+CSQ", ("+CSQ:",)),
    ('AT+QENG="servingcell"', ("+QENG:",)),
    ("AT^SMONI", ("^SMONI:",)),
    ("AT#MONI=7", ("#MONI:",)),
    ("AT!GSMINFO?", ("!GSMINFO:",)),
    ('AT+QNWINFO;+QENG="servingcell";+QSPN', ("+QNWINFO:", "+QENG:", "+QSPN:")),
    ("ATI", ()),
    ("ATD0123456789;", ()),
    ("at+creg?", ("+CREG:",)),
])
def test_reply_prefixes(cmd, prefixes):
    assert reply_prefixes(cmd) == prefixes


def test_split_chain_keeps_quoted_semicolons_and_dial_modifier():
    assert split_chain('AT+CMGS="a;b";+CSQ') == ['AT+CMGS="a;b"', "AT+CSQ"]
    assert split_chain("ATD123;") == ["ATD123;"]
    assert split_chain("AT+CSQ;") == ["AT+CSQ"]


@pytest.mark.parametrize("cmd,is_call", [
    ("ATD0123456789;", True), ("ATD*99#", True), ("ATA", True), ("ATH", True), ("ATH0", True),
    ("ATO", True), ("AT+CHUP", True), ("AT+CHLD=1", True), ('AT+CGDATA="PPP",1', True),
    ("AT+CSQ", False), ("ATI", False), ("AT+CLCC", False), ("AT&V", False), ("AT", False),
])
def test_call_commands(cmd, is_call):
    assert is_call_command(cmd) is is_call


def test_final_codes_need_the_whole_line():
    assert not is_final("OKAY")
    assert not is_final('+QENG: "servingcell","CONNECT","GSM",460,00')  # Quectel state word
    assert not is_final("ERRORS: 0")
    assert is_final("  OK  ")
    assert is_final("+cme error: 10")
    assert final_error("+cme error: 10").code == 10
    assert final_error("OK") is None and final_error(None) is None
