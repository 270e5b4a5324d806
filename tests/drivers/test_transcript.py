"""Transcripts → exchanges. Each row is a snippet quoted in docs/at-commands.md (the source
it names there is given in the row id); rows built from a documented layout say "doc"."""

from __future__ import annotations

import time

import pytest

from drivers.transcript import Exchange, is_comment, read_transcript, transcript_header
from tests.support.peer import expected_protocol, pairs_from_transcript

QENG_NOCONN = ('+QENG: "servingcell","NOCONN","GSM",460,00,550A,2BB9,23,94,0,-61,5,14,4,0,0,0,'
               '-,-,-,-,-,-,-,-,-,"-"')

ROWS = [
    ("gammu #150 hex dump: CSQ with echo CR CR LF",
     "AT+CSQ\r\r\n+CSQ: 9,3\r\n\r\nOK\r\n",
     [Exchange("AT+CSQ", ["+CSQ: 9,3", "OK"])]),
    ("SIM800 capture: CENG=2 echo then OK",
     "AT+CENG=2\r\r\nOK",
     [Exchange("AT+CENG=2", ["OK"])]),
    ("Quectel EC20 log: doubled echo line is one exchange",
     f'AT+QENG="servingcell"\nAT+QENG="servingcell"\n{QENG_NOCONN}\n\nOK\n',
     [Exchange('AT+QENG="servingcell"', [QENG_NOCONN, "OK"])]),
    ("u-blox capture: UCGED multi-line, no final CRLF",
     "AT+UCGED?\r\r\n+UCGED: 2\r\n6,4,fff,fff\r\nOK",
     [Exchange("AT+UCGED?", ["+UCGED: 2", "6,4,fff,fff", "OK"])]),
    ("lower-case command, LF only",
     "at+csq\n+CSQ: 17,99\nOK\n",
     [Exchange("at+csq", ["+CSQ: 17,99", "OK"])]),
    ("Telit LE910R1 code path: +CCED (Wavecom layout) after a comment header",
     "# source: public source (Telit LE910R1 code path)\n# kind: real capture in a code comment\n"
     "AT+CCED=0,1\n+CCED: 286,01,6B2A,F271,11,50,47,47,47,0,0,0,\nOK\n",
     [Exchange("AT+CCED=0,1", ["+CCED: 286,01,6B2A,F271,11,50,47,47,47,0,0,0,", "OK"])]),
    ("Telit doc (80000ST10025a #MONI layout): '#MONI:' lines are data, '#' alone is a comment",
     "#\n# Telit #MONI, serving cell with a network name\n#\nAT#MONI\n"
     "#MONI: TR TURKCELL BSIC:45 RxQual:0 LAC:8A0B Id:5C3F ARFCN:60 PWR:-71dbm TA:0\nOK\n",
     [Exchange("AT#MONI", ["#MONI: TR TURKCELL BSIC:45 RxQual:0 LAC:8A0B Id:5C3F ARFCN:60 PWR:-71dbm TA:0",
                           "OK"])]),
    ("luci-app-3ginfo-lite #56/#111: chained Quectel commands, one OK",
     f'AT+QNWINFO;+QENG="servingcell"\r\r\n+QNWINFO: "GSM","46000","GSM 900",94\r\n{QENG_NOCONN}\r\n\r\nOK\r\n',
     [Exchange('AT+QNWINFO;+QENG="servingcell"', ['+QNWINFO: "GSM","46000","GSM 900",94', QENG_NOCONN, "OK"])]),
    ("python-gsmmodem Wavecom fixture: CPIN without OK runs to the next command",
     "AT+CPIN?\r\n+CPIN: READY\r\nAT+CFUN=1\r\n+CME ERROR: 515\r\nAT+CFUN=1\r\nOK\r\n",
     [Exchange("AT+CPIN?", ["+CPIN: READY"]), Exchange("AT+CFUN=1", ["+CME ERROR: 515"]),
      Exchange("AT+CFUN=1", ["OK"])]),
    ("ModemManager simtech fixture: CRING with two CRs, no command",
     "\r\r\n+CRING: VOICE\r\r\n",
     [Exchange(None, ["+CRING: VOICE"])]),
    ("A7670E capture (doc-shaped): call flow, URCs after the OK of ATD are unsolicited",
     "ATD0123456789;\r\r\nOK\r\n\r\n+CLCC: 1,0,2,0,0,\"0123456789\",129,\"\"\r\n\r\nVOICE CALL: BEGIN\r\n"
     "\r\nVOICE CALL: END: 000041\r\n\r\nNO CARRIER\r\nAT+CEER\r\n+CEER: Normal call clearing\r\nOK\r\n",
     [Exchange("ATD0123456789;", ["OK"]),
      Exchange(None, ['+CLCC: 1,0,2,0,0,"0123456789",129,""', "VOICE CALL: BEGIN",
                      "VOICE CALL: END: 000041", "NO CARRIER"]),
      Exchange("AT+CEER", ["+CEER: Normal call clearing", "OK"])]),
    ("TinyGSM #318: SIM808 boot URCs before any command",
     "RDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: SIM PIN\r\nAT\r\r\nOK\r\n",
     [Exchange(None, ["RDY", "+CFUN: 1", "+CPIN: SIM PIN"]), Exchange("AT", ["OK"])]),
    ("python-gsmmodem HuaweiE1752: COMMAND NOT SUPPORT is final",
     "AT+CLAC\r\r\nCOMMAND NOT SUPPORT\r\n+CREG: 1\r\n",
     [Exchange("AT+CLAC", ["COMMAND NOT SUPPORT"]), Exchange(None, ["+CREG: 1"])]),
    ("call-end code ends a dial: BUSY",
     "ATD123;\r\nBUSY\r\n",
     [Exchange("ATD123;", ["BUSY"])]),
    ("empty and comment-only text",
     "# nothing recorded\n#\n\n",
     []),
]


@pytest.mark.parametrize("source,text,expected", ROWS, ids=[r[0] for r in ROWS])
def test_transcript_rows(source, text, expected):
    assert read_transcript(text) == expected


def test_final_info_lines_and_chained_parts():
    ex = read_transcript('AT+QNWINFO;+QENG="servingcell"\n+QNWINFO: "GSM","46000","GSM 900",94\nOK\n')[0]
    assert ex.final == "OK"
    assert ex.info_lines == ['+QNWINFO: "GSM","46000","GSM 900",94']
    assert ex.commands == ["AT+QNWINFO", 'AT+QENG="servingcell"']
    wavecom = read_transcript("AT+CPIN?\n+CPIN: READY\n")[0]
    assert wavecom.final is None and wavecom.info_lines == ["+CPIN: READY"]


def test_no_carrier_inside_a_poll_reply_is_not_its_final():
    ex = read_transcript("AT+CSQ\n+CSQ: 18,0\nNO CARRIER\nOK\n")
    assert ex == [Exchange("AT+CSQ", ["+CSQ: 18,0", "NO CARRIER", "OK"])]


def test_echo_off_file_takes_the_command_from_the_sent_header():
    text = ("# source: ModemManager src/plugins/tests/gsm-port.conf\n# sent: AT+CREG?\n# echo: off\n"
            '+CREG: 2,1,"1234","001122BB"\n\nOK\n')
    assert transcript_header(text) == {"source": "ModemManager src/plugins/tests/gsm-port.conf",
                                       "sent": "AT+CREG?", "echo": "off"}
    assert read_transcript(text) == [Exchange("AT+CREG?", ['+CREG: 2,1,"1234","001122BB"', "OK"])]


def test_header_keys_without_space_are_comments_but_telit_lines_are_data():
    assert is_comment("#source: gammu tests/at-creg/01.dump")
    assert is_comment("# anything")
    assert is_comment("#")
    assert not is_comment("#MONI: Cc:286 Nc:01 BSIC:30")
    assert not is_comment("#SERVINFO: 60,-71,\"TR TURKCELL\",\"28601\",45,8A0B,00,1,,\"II\",01,6")


def test_garbage_does_not_raise():
    text = "\x00\xff\ufffd\r\nAT+CSQ\r\n\x00+CSQ: 9,3\r\n\x00OK\x00\r\n"
    assert read_transcript(text) == [Exchange(None, ["\xff\ufffd"]), Exchange("AT+CSQ", ["+CSQ: 9,3", "OK"])]


ROUND_TRIP = [r for r in ROWS if all(ex.command is None or ex.final for ex in r[2]) and r[2]]


@pytest.mark.parametrize("echo", [True, False], ids=["echo on", "echo off"])
@pytest.mark.parametrize("source,text,expected", ROUND_TRIP, ids=[r[0] for r in ROUND_TRIP])
def test_replaying_a_transcript_through_the_channel_gives_the_same_replies(source, text, expected, echo):
    unsolicited: list[str] = []
    want: list[str] = []
    with expected_protocol(pairs_from_transcript(text, echo=echo), on_unsolicited=unsolicited.append) as ch:
        for ex in expected:
            if ex.command is not None:
                resp = ch.command(ex.command, timeout_s=2)
                assert (resp.lines, resp.final) == (ex.info_lines, ex.final)
            else:
                # Wait for the URCs before the next command, as the recording shows them there.
                want += ex.lines
                deadline = time.monotonic() + 2
                while len(unsolicited) < len(want) and time.monotonic() < deadline:
                    time.sleep(0.01)
    assert unsolicited == want
