"""The 3GPP generic parsers (drivers/families/threegpp.py), one row per real reply.

Rows are named after the device that printed the line; "edge:" rows are built from the
documented format to pin a decision (docs/at-commands.md §1-2)."""

from __future__ import annotations

import pytest

from drivers.families import get_family, parse_lines
from drivers.families.base import SKIP_UNKNOWN
from drivers.families.fields import Garbled, split_fields
from drivers.families.threegpp import (
    CME_ERRORS,
    level_from_dbm,
    level_from_rxlev,
    parse_cereg,
    parse_creg,
)
from fieldapp.model import CallState, DeviceError, Info, Registration, Signal, Urc
from tests.drivers.parser_support import parse_with

GENERIC = get_family("generic")


parse_one = parse_with(GENERIC)


def check(records: list, expected: list[tuple[type, dict]]) -> None:
    assert len(records) == len(expected), records
    for rec, (kind, values) in zip(records, expected):
        assert isinstance(rec, kind), rec
        got = {k: getattr(rec, k) for k in values}
        assert got == values, rec


SIGNAL_ROWS = [
    # name, line, expected Signal fields
    ("gammu issue 150 CSQ hex dump", "+CSQ: 9,3", {"rssi_dbm": -95.0, "rxqual": 3, "rssi_raw": 9}),
    ("ModemManager gsm-port.conf CSQ", "+CSQ: 17,99", {"rssi_dbm": -79.0, "rxqual": None, "rssi_raw": 17}),
    ("python-gsmmodem unknown CSQ", "+CSQ: 99,99", {"rssi_dbm": None, "rxqual": None, "rssi_raw": None}),
    ("SIM7670G CSQ", "+CSQ: 25,0", {"rssi_dbm": -63.0, "rxqual": 0}),
    ("edge: CSQ 0 is -113 or less", "+CSQ: 0,7", {"rssi_dbm": -113.0, "rxqual": 7}),
    ("edge: CSQ 1 is -111", "+CSQ: 1,0", {"rssi_dbm": -111.0}),
    ("edge: CSQ 31 is -51 or more", "+CSQ: 31,99", {"rssi_dbm": -51.0}),
    ("edge: TD-SCDMA 100..199 is not a GSM rssi", "+CSQ: 150,99", {"rssi_dbm": None, "rssi_raw": None}),
    ("edge: BER 8 is out of the RXQUAL scale", "+CSQ: 20,8", {"rxqual": None}),
    ("ModemManager CESQ GSM", "+CESQ: 10,6,255,255,255,255",
     {"rxlev": 10, "rxqual": 6, "rssi_dbm": -100.0, "rscp_dbm": None, "rsrp_dbm": None}),
    ("ModemManager CESQ GSM no space", "+CESQ:10,6,255,255,255,255", {"rxlev": 10, "rxqual": 6}),
    ("edge: CESQ LTE only", "+CESQ: 99,99,255,255,20,40",
     {"rxlev": None, "rssi_dbm": None, "rsrq_db": -10.0, "rsrp_dbm": -101.0}),
    ("edge: CESQ UMTS only", "+CESQ: 99,99,40,30,255,255", {"rscp_dbm": -81.0, "ecno_db": -9.5}),
    ("edge: CESQ RXLEV 63 saturates on the CSQ scale", "+CESQ: 63,0,255,255,255,255",
     {"rxlev": 63, "rssi_dbm": -51.0}),
]


@pytest.mark.parametrize("name,line,expected", SIGNAL_ROWS, ids=[r[0] for r in SIGNAL_ROWS])
def test_signal_replies(name, line, expected):
    check(parse_one(line), [(Signal, expected)])


REG_ROWS = [
    # name, line, domain, stat, lac, ci, act, tech
    ("ModemManager CREG=1 solicited", "+CREG: 1,3", "cs", 3, None, None, None, None),
    ("ModemManager CREG=1 URC", "+CREG: 3", "cs", 3, None, None, None, None),
    ("Sierra Mercury n=1 with location", "+CREG: 1,1,84CD,00D30173", "cs", 1, 0x84CD, 0xD30173, None, None),
    ("Sierra Mercury URC", "+CREG: 1,84CD,00D30156", "cs", 1, 0x84CD, 0xD30156, None, None),
    ("Sony Ericsson K850i read", '+CREG: 2,1,"CE00","01CEAD8F"', "cs", 1, 0xCE00, 0x01CEAD8F, None, None),
    ("Sony Ericsson K850i URC", '+CREG: 1,"CE00","00005449"', "cs", 1, 0xCE00, 0x5449, None, None),
    ("Huawei E160G unregistered", "+CREG: 2,0,00,0", "cs", 0, None, None, None, None),
    ("Huawei E160G read", "+CREG: 2,1,8BE3,2BAF", "cs", 1, 0x8BE3, 0x2BAF, None, None),
    ("Huawei E160G URC", "+CREG: 1,8BE3,2BAF", "cs", 1, 0x8BE3, 0x2BAF, None, None),
    ("Huawei CREG unquoted unpadded", "+CREG: 2,1,4CA,81DE445", "cs", 1, 0x4CA, 0x81DE445, None, None),
    ("Sony Ericsson TM-506 leading zeros", '+CREG: 2,1,"8BE3","00002BAF"', "cs", 1, 0x8BE3, 0x2BAF, None, None),
    ("Novatel XU870 unregistered URC", "+CREG: 2,,", "cs", 2, None, None, None, None),
    ("Iridium padded n and stat", '+CREG:002,001,"18d8","ffff"', "cs", 1, 0x18D8, None, None, None),
    ("ModemManager no leading zeros read", "+CREG:2,1,0001,0010", "cs", 1, 0x0001, 0x0010, None, None),
    ("ModemManager leading zeros read", '+CREG:002,001,"0001","0010"', "cs", 1, 0x0001, 0x0010, None, None),
    ("ModemManager no leading zeros URC with AcT", "+CREG: 1,0001,0010,0", "cs", 1, 1, 0x10, 0, "GSM"),
    ("ModemManager leading zeros URC with AcT", '+CREG: 001,"0001","0010",000', "cs", 1, 1, 0x10, 0, "GSM"),
    ("u-blox TOBY-L2 read on LTE", '+CREG: 2,6,"8B37","0A265185",7', "cs", 6, 0x8B37, 0x0A265185, 7, "LTE"),
    ("u-blox TOBY-L2 URC on LTE", '+CREG: 6,"8B37","0A265185",7', "cs", 6, 0x8B37, 0x0A265185, 7, "LTE"),
    ("ModemManager CGREG=1", "+CGREG: 1,3", "ps", 3, None, None, None, None),
    ("Ericsson F3607gw CGREG read", '+CGREG: 2,1,"8BE3","00002B5D",3', "ps", 1, 0x8BE3, 0x2B5D, 3, "GSM"),
    ("Ericsson F3607gw CGREG URC", '+CGREG: 1,"8BE3","00002B5D",3', "ps", 1, 0x8BE3, 0x2B5D, 3, "GSM"),
    ("Sony Ericsson MD400 CREG roaming", '+CREG: 2,5,"0502","0404736D"', "cs", 5, 0x0502, 0x0404736D, None, None),
    ("Sony Ericsson MD400 CGREG URC", '+CGREG: 5,"0502","0404736D",2', "ps", 5, 0x0502, 0x0404736D, 2, "UMTS"),
    ("Alcatel X220D random spaces", "+CGREG: 2,1, 81ED, 1A9CEB", "ps", 1, 0x81ED, 0x1A9CEB, None, None),
    ("Samsung Wave S8500 extra fields", "+CREG: 2,1,000B,2816, B, C2816", "cs", 1, 0x000B, 0x2816, None, None),
    ("Gobi1000 space padded", "+CREG: 2,1,  0 5, 2715", "cs", 1, 0x05, 0x2715, None, None),
    ("ModemManager CGREG URC with RAC", '+CGREG: 1,"1422","00000142",3,"00"', "ps", 1, 0x1422, 0x142, 3, "GSM"),
    ("ModemManager CEREG read", "+CEREG: 2,1, 1F00, 79D903 ,7", "eps", 1, 0x1F00, 0x79D903, 7, "LTE"),
    ("ModemManager CEREG URC", "+CEREG: 1, 1F00, 79D903 ,7", "eps", 1, 0x1F00, 0x79D903, 7, "LTE"),
    ("Altair LTE CEREG read", "+CEREG: 1, 2, 0001, 00000100, 7", "eps", 2, 0x0001, 0x100, 7, "LTE"),
    ("Altair LTE CEREG URC", "+CEREG: 2, 0001, 00000100, 7", "eps", 2, 0x0001, 0x100, 7, "LTE"),
    ("Novatel E362 CEREG extra field", "+CEREG: 2,1, 1F00, 20 ,79D903 ,7", "eps", 1, 0x1F00, 0x79D903, 7, "LTE"),
    ("Novatel E362 CEREG URC extra field", "+CEREG: 1, 1F00, 20 ,79D903 ,7", "eps", 1, 0x1F00, 0x79D903, 7, "LTE"),
    ("Thuraya CGREG read", '+CGREG: 2, 1, "0426", "F00F"', "ps", 1, 0x0426, 0xF00F, None, None),
    ("Thuraya CGREG URC", '+CGREG: 1, "0426", "F00F"', "ps", 1, 0x0426, 0xF00F, None, None),
    ("Sierra MC7455 LAC FFFE", '+CREG: 2,1,"FFFE","76340C",7', "cs", 1, None, 0x76340C, 7, "LTE"),
    ("SIM7670G CEREG n=0", "+CEREG: 0,1", "eps", 1, None, None, None, None),
    ("ModemManager C5GREG read", "+C5GREG: 2,1,1F00,79D903,11,6,ABCDEF", "5gs", 1, 0x1F00, 0x79D903, 11, None),
    ("edge: mismatched quotes", '+CREG: 2,1,"1234,"5678"', "cs", 1, 0x1234, 0x5678, None, None),
]


@pytest.mark.parametrize("name,line,domain,stat,lac,ci,act,tech", REG_ROWS, ids=[r[0] for r in REG_ROWS])
def test_registration_replies(name, line, domain, stat, lac, ci, act, tech):
    check(parse_one(line), [(Registration, {"domain": domain, "stat": stat, "lac": lac, "ci": ci,
                                            "act": act, "tech": tech})])


@pytest.mark.parametrize("line", ["+CREG: ", "+CREG: x,1", "+CREG: 2,1x,00C3,1234", "+CEREG: 2,1,zz,1"])
def test_registration_refuses_broken_shapes(line):
    fn = parse_cereg if line.startswith("+CEREG") else parse_creg
    with pytest.raises(Garbled):
        fn(line)


OPERATOR_ROWS = [
    ("Sierra MC7455 COPS long name", '+COPS: 0,0,"T-Mobile",7',
     {"mode": 0, "format": 0, "name": "T-Mobile", "mcc": None, "mnc": None, "act": 7, "tech": "LTE"}),
    ("Sierra MC7455 COPS numeric", '+COPS: 0,2,"310260",7',
     {"mode": 0, "format": 2, "name": None, "mcc": 310, "mnc": 260, "act": 7, "tech": "LTE"}),
    ("ModemManager COPS numeric 2-digit MNC", '+COPS: 1,2,"46000"',
     {"mode": 1, "format": 2, "name": None, "mcc": 460, "mnc": 0, "act": None, "tech": None}),
    ("SIM5320A COPS manual UMTS", '+COPS: 1,0,"Telstra Mobile",2',
     {"mode": 1, "format": 0, "name": "Telstra Mobile", "act": 2, "tech": "UMTS"}),
    ("edge: COPS without operator", "+COPS: 0",
     {"mode": 0, "format": None, "name": None, "mcc": None, "act": None}),
]


@pytest.mark.parametrize("name,line,value", OPERATOR_ROWS, ids=[r[0] for r in OPERATOR_ROWS])
def test_operator_replies(name, line, value):
    (rec,) = parse_one(line)
    assert isinstance(rec, Info) and rec.key == "operator"
    assert {k: rec.value[k] for k in value} == value


def test_operator_list_keeps_every_operator_and_drops_the_mode_lists():
    line = '+COPS: (2,"T-Mobile","TMO","310260",7),(1,"AT&T","AT&T","310410",7),,(0-4),(0-2)'
    (rec,) = parse_one(line)
    assert rec.key == "operator_list"
    assert [(o["stat"], o["name"], o["mcc"], o["mnc"], o["tech"]) for o in rec.value] == [
        (2, "T-Mobile", 310, 260, "LTE"), (1, "AT&T", 310, 410, "LTE")]


CALL_ROWS = [
    ("SIMCom URC single (ModemManager)", '+CLCC: 1,1,0,0,0,"123456789",161',
     [(CallState, {"index": 1, "direction": "mt", "state": "active", "number": "123456789", "mode": "voice"})]),
    ("SIMCom URC number unknown (ModemManager)", "+CLCC: 1,1,0,0,0",
     [(CallState, {"index": 1, "direction": "mt", "state": "active", "number": None})]),
    ("SIMCom URC with alpha (ModemManager)", '+CLCC: 3,1,0,0,0,"987654321",161,"Alice"',
     [(CallState, {"index": 3, "state": "active", "number": "987654321"})]),
    ("SIMCom URC waiting call (ModemManager)", '+CLCC: 2,1,5,0,0,"987654321",161',
     [(CallState, {"index": 2, "direction": "mt", "state": "waiting"})]),
    ("A7670E stat 6 released", '+CLCC: 1,0,6,0,0,"+441234567890",145',
     [(CallState, {"direction": "mo", "state": "released", "number": "+441234567890"})]),
    ("SIM800C trailing empty alpha", '+CLCC: 1,0,2,0,0,"0123456789",129,""',
     [(CallState, {"direction": "mo", "state": "dialing", "number": "0123456789"})]),
    ("edge: dialing then alerting", '+CLCC: 1,0,3,0,0,"0123456789",129',
     [(CallState, {"state": "alerting"})]),
    ("edge: data call", "+CLCC: 1,1,4,1,0", [(CallState, {"state": "incoming", "mode": "data"})]),
    ("ModemManager NO CARRIER", "NO CARRIER", [(CallState, {"state": "released", "cause_text": "NO CARRIER"})]),
    ("ModemManager BUSY", "BUSY", [(CallState, {"state": "released", "cause_text": "BUSY"})]),
    ("ModemManager NO ANSWER", "NO ANSWER", [(CallState, {"state": "released", "cause_text": "NO ANSWER"})]),
    ("ModemManager NO DIALTONE", "NO DIALTONE",
     [(CallState, {"state": "released", "cause_text": "NO DIALTONE"})]),
    ("27.007 RING", "RING", [(Urc, {"name": "RING"})]),
    ("SIMCom CRING (ModemManager)", "+CRING: VOICE", [(Urc, {"name": "CRING", "text": "VOICE"})]),
    ("edge: CLIP caller id", '+CLIP: "+441234567890",145,"",,"",0',
     [(Urc, {"name": "CLIP", "number": "+441234567890"})]),
    ("edge: CLIP withheld", '+CLIP: "",128,"",,"",1', [(Urc, {"name": "CLIP", "number": None})]),
    ("Quectel CPAS in call", "+CPAS: 4", [(Info, {"key": "cpas", "value": {"pas": 4, "text": "call in progress"}})]),
    ("Option GTM601 CEER text", "+CEER: Normal call clearing",
     [(Info, {"key": "ceer", "value": "Normal call clearing"}), (Info, {"key": "ceer_cause", "value": 16}),
      (Info, {"key": "ceer_cause_text", "value": "Normal call clearing"})]),
    ("Sierra Wireless CEER vendor", '+CEER: "CC setup error",288,"MM no service"',
     [(Info, {"key": "ceer"}),
      (Info, {"key": "ceer_vendor", "value": {"code": 288, "text": "CC setup error, MM no service"}})]),
    ("Arduino sketch CEER Cause:17", "+CEER: Cause:17",
     [(Info, {"key": "ceer", "value": "Cause:17"}), (Info, {"key": "ceer_cause", "value": 17}),
      (Info, {"key": "ceer_cause_text", "value": "user busy"})]),
    ("edge: CEER text that is no cause name", "+CEER: No cause information available",
     [(Info, {"key": "ceer", "value": "No cause information available"})]),
]


@pytest.mark.parametrize("name,line,expected", CALL_ROWS, ids=[r[0] for r in CALL_ROWS])
def test_call_replies(name, line, expected):
    check(parse_one(line), expected)


ERROR_ROWS = [
    ("u-blox SARA-U201 plain ERROR", "ERROR", {"code": None, "text": "ERROR", "source": None}),
    ("Wavecom busy after CFUN", "+CME ERROR: 515",
     {"code": 515, "text": "please wait, initialisation or command processing in progress", "source": "CME"}),
    ("A7670G text CME", "+CME ERROR: SIM failure", {"code": 13, "text": "SIM failure", "source": "CME"}),
    ("python-gsmmodem PIN lock", "+CME ERROR: 11", {"code": 11, "text": "SIM PIN required", "source": "CME"}),
    ("python-gsmmodem SIM busy", "+CME ERROR: 14", {"code": 14, "text": "SIM busy"}),
    ("Quectel vendor 603", "+CME ERROR: 603", {"code": 603, "text": None, "source": "CME"}),
    ("edge: unknown text CME", "+CME ERROR: invalid input value", {"code": None, "text": "invalid input value"}),
    ("edge: CMS numeric", "+CMS ERROR: 500", {"code": 500, "text": "unknown error", "source": "CMS"}),
    ("Motorola EZX MODEM ERROR", "MODEM ERROR: 3", {"code": 3, "source": "MODEM"}),
    ("Huawei E1752 COMMAND NOT SUPPORT", "COMMAND NOT SUPPORT", {"text": "COMMAND NOT SUPPORT"}),
    ("Samsung Z810 NA", "NA", {"text": "NA"}),
]


@pytest.mark.parametrize("name,line,expected", ERROR_ROWS, ids=[r[0] for r in ERROR_ROWS])
def test_error_replies(name, line, expected):
    check(parse_one(line), [(DeviceError, expected)])


IDENTITY_ROWS = [
    ("SIM7670G CGMR", "+CGMR: 2374B01SIM767XM5A_M_CUS_WEIXUE", "firmware", "2374B01SIM767XM5A_M_CUS_WEIXUE"),
    ("edge: quoted CGMI", '+CGMI: "Quectel"', "manufacturer", "Quectel"),
    ("Huawei E1550 ATI manufacturer", "Manufacturer: huawei", "manufacturer", "huawei"),
    ("Huawei E1550 ATI model", "Model: E1550", "model", "E1550"),
    ("Sierra C885 ATI revision", "Revision: J1_0_1_26AP C:/WS/FW/J1_0_1_26AP/MSM7200A/SRC/AMSS 2009/01/30 07:58:06",
     "firmware", "J1_0_1_26AP C:/WS/FW/J1_0_1_26AP/MSM7200A/SRC/AMSS 2009/01/30 07:58:06"),
    ("LG LX265 GMR", "+GMR: LX265V05, 50571", "firmware", "LX265V05, 50571"),
    ("A7670G CPIN", "+CPIN: READY", "sim", "READY"),
    ("python-gsmmodem CPIN locked", "+CPIN: SIM PIN", "sim", "SIM PIN"),
]


@pytest.mark.parametrize("name,line,key,value", IDENTITY_ROWS, ids=[r[0] for r in IDENTITY_ROWS])
def test_identity_replies(name, line, key, value):
    check(parse_one(line), [(Info, {"key": key, "value": value})])


def test_cme_text_table():
    assert CME_ERRORS[11] == "SIM PIN required"
    assert CME_ERRORS[32] == "network not allowed - emergency calls only"
    assert CME_ERRORS[100] == "unknown"
    assert 9999 not in CME_ERRORS


def test_gammu_exchange_with_echo_and_ok_gives_one_record():
    # AT+CSQ\r\r\n+CSQ: 9,3\r\n\r\nOK\r\n  (gammu issue #150), split into lines
    result = parse_lines(["AT+CSQ", "", "+CSQ: 9,3", "", "OK"], GENERIC, command="AT+CSQ")
    assert result.skipped == 0
    check(result.records, [(Signal, {"rssi_dbm": -95.0, "rxqual": 3})])


@pytest.mark.parametrize("line", ["+CSQ: 9", "+CSQ: a,b", "+CSQ: 9,3,4", "+CESQ: 1,2,3", "+CLCC: 1,0",
                                  "+CLCC: x,0,0,0,0", "+CPAS: ready", "+CME ERROR:", "+COPS: auto",
                                  "+CEER:", "+CGMI:"])
def test_broken_shapes_are_counted_as_skipped(line):
    result = parse_lines([line], GENERIC)
    assert result.records == [] and result.skipped == 1 and result.skipped_lines == [line]


@pytest.mark.parametrize("line", ["RINGING", "ERRORS", "NAME: x", "BUSYBOX"])
def test_lines_that_only_share_a_prefix_are_not_claimed_and_are_counted(line):
    """Not read as RING/ERROR/NA/BUSY; but a line that gives no record is never silent."""
    result = parse_lines([line], GENERIC)
    assert result.records == [] and result.skipped == 1
    assert result.reasons == {SKIP_UNKNOWN: 1} and result.skips == [(line, SKIP_UNKNOWN)]


@pytest.mark.parametrize("lines,command", [
    (["OK"], "AT+CSQ"), (["AT+CSQ", "OK"], "AT+CSQ"), (["CONNECT 9600"], "ATD123"), ([">"], None),
])
def test_final_codes_and_echo_are_nothing_to_count(lines, command):
    result = parse_lines(lines, GENERIC, command=command)
    assert result.records == [] and result.skipped == 0


def test_bare_identity_replies_are_kept_not_skipped():
    # ATI on a Quectel EC25 (ModemManager quectel tests print the same three lines)
    result = parse_lines(["Quectel", "EC25", "Revision: EC25EFAR06A06M4G", "OK"], GENERIC, "ATI")
    assert result.skipped == 0
    assert sorted((r.key, r.value) for r in result.records) == [
        ("firmware", "EC25EFAR06A06M4G"), ("ident", "EC25"), ("ident", "Quectel")]


def test_split_fields_keeps_quoted_commas_and_survives_an_open_quote():
    assert split_fields('1,"a,b",2') == ["1", '"a,b"', "2"]
    assert split_fields("1,2,,3") == ["1", "2", "", "3"]
    assert split_fields('1,"open,2') == ["1", '"open,2']


def test_level_helpers_saturate_at_the_rxlev_scale_and_refuse_garbage():
    assert level_from_rxlev(21) == (21, -89.0)
    assert level_from_rxlev(64) == (None, None)
    assert level_from_dbm(-52) == (58, -52.0)
    assert level_from_dbm(-111) == (0, -110.0)  # RXLEV 0 = below -110 dBm
    assert level_from_dbm(-40) == (63, -47.0)   # RXLEV 63 = above -48 dBm
    assert level_from_dbm(5) == (None, None)
    assert level_from_dbm(-200) == (None, None)


def test_generic_family_table():
    assert GENERIC.name == "generic"
    assert "AT+CSQ" in GENERIC.poll_commands and "AT+CREG?" in GENERIC.poll_commands
    assert GENERIC.lock_command is None
    assert {"RING", "+CRING:", "NO CARRIER"} <= set(GENERIC.urc_prefixes)


# Call-state URCs: Telit #ECAM (Telit manual example; the status table as public Telit driver
# code maps it) and Ericsson/MediaTek *ECAV (doc-derived from the same status numbering).
ECAV_ROWS = [
    ('#ECAM: 0,1,1,,,"0YYYYYYYYY",129', {"index": 0, "state": "dialing", "direction": "mo", "mode": "voice",
                                         "number": "0YYYYYYYYY"}),
    ("#ECAM: 0,2,1,,,", {"state": "alerting", "direction": "mo"}),
    ("#ECAM: 0,3,1,,,", {"state": "active"}),
    ("#ECAM: 0,7,1,,,", {"state": "released", "cause": 17, "cause_text": "BUSY"}),
    ("#ECAM: 0,0,1,,,", {"state": "released", "cause": None}),
    ("*ECAV: 1,3,1", {"index": 1, "state": "active", "mode": "voice"}),
    ("*ECAV: 1,0,1,8,16", {"state": "released", "cause": 16, "cause_text": "normal call clearing"}),
    ("*ECAV: 1,6,1,,,\"5551234\",129", {"state": "incoming", "direction": "mt", "number": "5551234"}),
]


@pytest.mark.parametrize("line,expected", ECAV_ROWS)
def test_call_state_urcs_ecam_and_ecav(line, expected):
    (state,) = parse_lines([line], GENERIC).records
    got = state.to_json()
    assert {k: got[k] for k in expected} == expected


@pytest.mark.parametrize("line", ["#ECAM: 1", "#ECAM: 0,10,1,,,", "*ECAV: x,3,1"])
def test_broken_call_state_urcs_are_skipped(line):
    result = parse_lines([line], GENERIC)
    assert result.records == [] and result.skipped == 1
