"""Quectel +QENG parsers (drivers/families/quectel.py), one row per real reply.

Sources: Quectel manual §6.17 examples (Chinese edition, public copy), EC20/EC25/BG96 captures
quoted in public code, 2G Quectel captures (docs/at-commands.md §3.1). "edge:" rows follow
the documented layout to pin a decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.families import get_family, identify_family, parse_lines
from drivers.families.fields import Garbled
from drivers.families.quectel import parse_qeng
from drivers.transcript import read_transcript
from fieldapp.model import Cell, Channel, Info
from tests.drivers.parser_support import fields_of, parse_with

QUECTEL = get_family("quectel")
QUECTEL_2G = get_family("quectel-2g")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "at"


parse_one = parse_with(QUECTEL)



SERVING_ROWS = [
    ("EC20 NOCONN (public Quectel demo)",
     '+QENG: "servingcell","NOCONN","GSM",460,00,247C,1327,35,82,-,-52,255,255,0,53,179,1,-,-,-,-,-,-,-,-,-,"-"',
     {"state": "NOCONN", "mcc": 460, "mnc": 0, "lac": 0x247C, "ci": 0x1327, "bsic": 35, "arfcn": 82,
      "rxlev": 58, "rxlev_dbm": -52.0, "c1": 53, "c2": 179, "ta": None, "rxqual": None, "channel": None}),
    ("EC2x NOCONN MCC 250 (Electric Imp library)",
     '+QENG: "servingcell","NOCONN","GSM",250,99,DC51,B919,26,50,-,-73,255,255,0,38,38,1,-,-,-,-,-,-,-,-,-,"-"',
     {"mcc": 250, "mnc": 99, "lac": 0xDC51, "ci": 0xB919, "bsic": 26, "arfcn": 50, "rxlev": 37,
      "rxlev_dbm": -73.0, "c1": 38, "c2": 38}),
    ("EC2x negative C2 (public driver comment)",
     '+QENG: "servingcell","NOCONN","GSM",515,03,2BC6,162C,58,40,-,-81,255,255,0,22,-28,1,-,-,-,-,-,-,-,-,-,"-"',
     {"mcc": 515, "mnc": 3, "bsic": 58, "arfcn": 40, "rxlev_dbm": -81.0, "c1": 22, "c2": -28}),
    ("Quectel manual LIMSRV",
     '+QENG:"servingcell","LIMSRV","GSM",460,01,5504,2B55,52,123,0,-67,5,14,64,30,28,0,-,-,-,-,-,-,-,-,-,"-"',
     {"state": "LIMSRV", "mcc": 460, "mnc": 1, "lac": 0x5504, "ci": 0x2B55, "bsic": 52, "arfcn": 123,
      "rxlev": 43, "rxlev_dbm": -67.0, "c1": 30, "c2": 28}),
    ("Quectel manual NOCONN -111 dBm",
     '+QENG:"servingcell","NOCONN","GSM",460,01,5504,2B55,52,123,0,-111,5,14,64,0,0,0,-,-,-,-,-,-,-,-,-,"-"',
     {"state": "NOCONN", "rxlev": 0, "rxlev_dbm": -110.0}),
    ("Quectel manual CONNECT hopping EFR",
     '+QENG:"servingcell","CONNECT","GSM",460,00,550A,2BB9,23,94,0,-61,5,14,4,0,0,0,h,1,0,0,33,50,52,0,0,"EFR"',
     {"state": "CONNECT", "mcc": 460, "mnc": 0, "lac": 0x550A, "ci": 0x2BB9, "bsic": 23, "arfcn": 94,
      "rxlev": 49, "rxlev_dbm": -61.0, "ta": 0, "rxlev_sub": 50, "rxlev_full": 52, "rxqual": 0,
      "rxqual_sub": 0, "channel": Channel(tch_arfcn=None, timeslot=1, hopping=True, maio=0, hsn=33,
                                          channel_type="TCH/F", codec="EFR")}),
    ("edge: CONNECT on one TCH ARFCN, half rate",
     '+QENG: "servingcell","CONNECT","GSM",460,00,550A,2BB9,23,94,0,-70,5,14,4,0,0,0,96,3,5,-,-,40,41,2,3,"AMRHR"',
     {"ta": 5, "rxqual": 3, "rxqual_sub": 2, "channel": Channel(
         tch_arfcn=96, timeslot=3, hopping=False, maio=None, hsn=None, channel_type="TCH/H", codec="AMRHR")}),
    ("edge: rxlev printed as RXLEV 0..63 (manual text)",
     '+QENG: "servingcell","NOCONN","GSM",460,00,247C,1327,35,82,-,40,255,255,0,53,179,1,-,-,-,-,-,-,-,-,-,"-"',
     {"rxlev": 40, "rxlev_dbm": -70.0}),
    ("edge: trailing semicolon",
     '+QENG: "servingcell","NOCONN","GSM",460,00,587,FCB,35,82,-,-52,255,255,0,53,179,1,-,-,-,-,-,-,-,-,-,"-";',
     {"lac": 0x587, "ci": 0xFCB, "rxlev_dbm": -52.0}),
    ("edge: out-of-range BSIC, ARFCN and TA are unknown",
     '+QENG: "servingcell","CONNECT","GSM",-,-,0,FFFF,99,1500,-,-52,255,255,0,53,179,1,-,-,64,-,-,-,-,9,9,"-"',
     {"mcc": None, "mnc": None, "lac": None, "ci": None, "bsic": None, "arfcn": None, "ta": None,
      "rxqual": None, "channel": None}),
    ("EC25 LTE NOCONN (openqti cell.h)",
     '+QENG: "servingcell","NOCONN","LTE","FDD",214,01,7676A09,188,6300,20,3,3,603,-104,-9,-78,11,23',
     {"tech": "LTE", "mcc": 214, "mnc": 1, "ci": 0x7676A09, "pci": 188, "arfcn": 6300, "lac": 0x603,
      "rsrp_dbm": -104.0, "rsrq_db": -9.0, "rxlev": None}),
    ("EC20 LTE TDD NOCONN (tracker firmware comment)",
     '+QENG: "servingcell","NOCONN","LTE","TDD",460,00,C412C83,401,38950,40,5,5,247C,-90,-7,-62,24,37',
     {"tech": "LTE", "mcc": 460, "mnc": 0, "ci": 0xC412C83, "pci": 401, "arfcn": 38950, "lac": 0x247C,
      "rsrp_dbm": -90.0, "rsrq_db": -7.0}),
    ("BG96 CAT-M CONNECT (Electric Imp library)",
     '+QENG: "servingcell","CONNECT","CAT-M","FDD",262,03,2FAA03,187,6200,20,3,3,2AFB,-105,-11,-76,10,-',
     {"tech": "LTE", "state": "CONNECT", "mcc": 262, "mnc": 3, "ci": 0x2FAA03, "pci": 187, "arfcn": 6200,
      "lac": 0x2AFB, "rsrp_dbm": -105.0, "rsrq_db": -11.0}),
    ("EC2x WCDMA NOCONN (public driver comment)",
     '+QENG: "servingcell","NOCONN","WCDMA",515,03,3AB2,B55EEFF,3037,352,1,-94,-15,-,-,-,-,-',
     {"tech": "UMTS", "mcc": 515, "mnc": 3, "lac": 0x3AB2, "ci": 0xB55EEFF, "arfcn": 3037, "pci": 352,
      "rscp_dbm": -94.0, "ecno_db": -15.0}),
    ("EC2x WCDMA short LAC (public Go test)",
     '+QENG: "servingcell","NOCONN","WCDMA",440,10,75,6FE0090,10736,58,0,-78,-3,-,-,-,-,-',
     {"tech": "UMTS", "lac": 0x75, "ci": 0x6FE0090, "arfcn": 10736, "pci": 58, "rscp_dbm": -78.0}),
]


@pytest.mark.parametrize("name,line,expected", SERVING_ROWS, ids=[r[0] for r in SERVING_ROWS])
def test_serving_cell(name, line, expected):
    (cell,) = parse_one(line)
    assert isinstance(cell, Cell) and cell.role == "serving"
    assert fields_of(cell, expected) == expected


def test_manual_search_has_no_cell_only_a_state():
    # +QENG: "servingcell","SEARCH"   (manual: the line has no more fields while searching)
    assert parse_one('+QENG: "servingcell","SEARCH"') == [Info(key="serving_state", value="SEARCH")]


def test_en_dc_detail_line_is_read_as_the_lte_serving_cell():
    # RM500Q-style EN-DC: +QENG: "servingcell","NOCONN","EN-DC" then +QENG: "LTE","FDD",...
    assert parse_one('+QENG: "servingcell","NOCONN","EN-DC"') == [Info(key="serving_state", value="NOCONN")]
    (cell,) = parse_one('+QENG: "LTE","FDD",214,01,7676A09,188,6300,20,3,3,603,-104,-9,-78,11,23')
    assert (cell.tech, cell.pci, cell.rsrp_dbm) == ("LTE", 188, -104.0)


NEIGHBOUR_ROWS = [
    ("EC20 GSM neighbour (public Quectel demo)",
     '+QENG: "neighbourcell","GSM",460,00,24A5,1241,33,33,-83,22,146,0,0',
     {"tech": "GSM", "mcc": 460, "mnc": 0, "lac": 0x24A5, "ci": 0x1241, "bsic": 33, "arfcn": 33,
      "rxlev": 27, "rxlev_dbm": -83.0, "c1": 22, "c2": 146}),
    ("EC20 GSM neighbour on DCS (public Quectel demo)",
     '+QENG: "neighbourcell","GSM",460,00,2495,11C8,60,614,-87,12,128,0,0',
     {"lac": 0x2495, "ci": 0x11C8, "bsic": 60, "arfcn": 614, "rxlev": 23, "rxlev_dbm": -87.0}),
    ("EC25 LTE intra neighbour (openqti cell.h)",
     '+QENG: "neighbourcell intra","LTE",6300,188,-12,-105,-75,-20,23,4,12,10,62',
     {"tech": "LTE", "arfcn": 6300, "pci": 188, "rsrq_db": -12.0, "rsrp_dbm": -105.0}),
    ("EC20 LTE intra neighbour (tracker firmware comment)",
     '+QENG: "neighbourcell intra","LTE",38950,401,-7,-90,-62,-20,37,6,22,6,46',
     {"tech": "LTE", "arfcn": 38950, "pci": 401, "rsrq_db": -7.0, "rsrp_dbm": -90.0}),
    ("EC25 LTE inter neighbour unmeasured (openqti cell.h)",
     '+QENG: "neighbourcell inter","LTE",1501,-,-,-,-,-,-,0,10,7',
     {"tech": "LTE", "arfcn": 1501, "pci": None, "rsrp_dbm": None}),
    ("EC25 WCDMA neighbour unmeasured (openqti cell.h)",
     '+QENG: "neighbourcell","WCDMA",3062,3,16,2,-,-,-,-',
     {"tech": "UMTS", "arfcn": 3062, "pci": None, "rscp_dbm": None}),
    ("edge: GSM neighbour seen from LTE (manual layout)",
     '+QENG: "neighbourcell","GSM",94,2,16,2,255,0,23,-85,20',
     {"tech": "GSM", "arfcn": 94, "bsic": 23, "rxlev": 25, "rxlev_dbm": -85.0, "mcc": None}),
    ("edge: GSM neighbour seen from WCDMA (manual layout)",
     '+QENG: "neighbourcell","GSM",23,-90,20,1',
     {"tech": "GSM", "bsic": 23, "rxlev": 20, "rxlev_dbm": -90.0, "arfcn": None}),
]


@pytest.mark.parametrize("name,line,expected", NEIGHBOUR_ROWS, ids=[r[0] for r in NEIGHBOUR_ROWS])
def test_neighbour_cell(name, line, expected):
    (cell,) = parse_one(line)
    assert isinstance(cell, Cell) and cell.role == "neighbour"
    assert fields_of(cell, expected) == expected


# Older 2G Quectel (M95 class), captures in a public source (docs/at-commands.md §3.1.2).
def test_2g_mode_header():
    assert parse_one("+QENG: 1,4", QUECTEL_2G) == [Info(key="qeng_mode", value={"mode": 1, "dump": 4})]


def test_2g_serving_cell_with_x_markers():
    (cell,) = parse_one("+QENG: 0,404,20,3a9a,1429,1,63,-68,147,147,5,5,x,x,x,x,x,x,x", QUECTEL_2G)
    assert fields_of(cell, ["mcc", "mnc", "lac", "ci", "arfcn", "bsic", "rxlev", "rxlev_dbm", "c1", "c2",
                            "ta", "rxqual", "channel"]) == {
        "mcc": 404, "mnc": 20, "lac": 0x3A9A, "ci": 0x1429, "arfcn": 1, "bsic": 63, "rxlev": 42,
        "rxlev_dbm": -68.0, "c1": 147, "c2": 147, "ta": None, "rxqual": None, "channel": None}


def test_2g_concatenated_neighbours():
    # The capture's first group and the start of the second (completed with the BA list values).
    line = "+QENG: 1,1,8,-71,32,134,134,404,20,3a9a,142a,2,12,-77,19,120,120,404,20,3a9a,142b"
    cells = parse_one(line, QUECTEL_2G)
    assert [(c.arfcn, c.rxlev_dbm, c.bsic, c.ci, c.role) for c in cells] == [
        (8, -71.0, 32, 0x142A, "neighbour"), (12, -77.0, 19, 0x142B, "neighbour")]


def test_2g_ba_list():
    (info,) = parse_one("+QENG: 4,12,(8,-71,32),(12,-77,19),(13,-94,x)", QUECTEL_2G)
    assert info.key == "ba_list"
    assert [(c["arfcn"], c["rxlev_dbm"], c["bsic"]) for c in info.value] == [
        (8, -71.0, 32), (12, -77.0, 19), (13, -94.0, None)]


def test_2g_undocumented_mode_2_is_claimed_without_records():
    assert parse_one("+QENG: 2,21,88", QUECTEL_2G) == []


@pytest.mark.parametrize("line", [
    "+QENG:",
    '+QENG: "servingcell"',
    '+QENG: "neighbourcell","GSM",460,00,24A5,1241,33,33',  # fits no neighbour layout
    "+QENG: 1,1,8,-71,32,134,134,404,20,3a9a,142a,2,12",  # neighbour group cut short
    "+QENG: x,1",
])
def test_broken_qeng_lines_raise_garbled(line):
    with pytest.raises(Garbled):
        parse_qeng(line)


def test_ec20_fixture_serving_and_five_neighbours():
    cells = []
    for exchange in read_transcript((FIXTURES / "quectel-EC20-qeng-gsm.txt").read_text()):
        result = parse_lines(exchange.lines, QUECTEL, command=exchange.command)
        assert result.skipped == 0
        cells.extend(result.records)
    assert [c.role for c in cells] == ["serving"] + ["neighbour"] * 5
    assert [(c.arfcn, c.bsic, c.ci, c.rxlev_dbm) for c in cells[1:]] == [
        (33, 33, 0x1241, -83.0), (614, 60, 0x11C8, -87.0), (16, 58, 0x1326, -92.0),
        (616, 3, 0xFCB, -90.0), (622, 24, 0x14B7, -93.0)]


def test_doubled_echo_exchange_parses_once():
    # EC20 log: the echo shows twice, then the reply (docs/at-commands.md §6, quectel-QENG_servingcell-1)
    lines = ['AT+QENG="servingcell"', 'AT+QENG="servingcell"',
             '+QENG: "servingcell","NOCONN","GSM",460,00,247C,1327,35,82,-,-52,255,255,0,53,179,1,-,-,-,-,-,-,-,-,-,"-"',
             "", "OK"]
    result = parse_lines(lines, QUECTEL, command='AT+QENG="servingcell"')
    assert result.skipped == 0 and len(result.records) == 1


def test_quectel_family_tables():
    assert identify_family("Quectel\nEC25\nRevision: EC25EFAR06A03M4G").name == "quectel"
    assert identify_family("Quectel_Ltd\nQuectel_M95\nRevision: M95FAR02A08").name == "quectel-2g"
    assert QUECTEL.lock_command is None and any("QNWLOCK" in n for n in QUECTEL.notes)
    assert QUECTEL_2G.lock_command is None and any("QLOCKF" in n for n in QUECTEL_2G.notes)
    assert 'AT+QENG="servingcell"' in QUECTEL.poll_commands
    assert 'AT+QENG="neighbourcell"' in QUECTEL.poll_commands
    assert "AT+QENG?" in QUECTEL_2G.poll_commands
    assert QUECTEL.call_state_by == "clcc-poll"
    assert {"tch_arfcn", "timeslot", "maio", "hsn", "bsic", "rxlev", "neighbours"} <= QUECTEL.fields
    # the generic parsers still apply under the Quectel family
    assert parse_lines(["+CSQ: 20,0"], QUECTEL).records[0].rssi_dbm == -73.0


# Damaged EC20 / M95 lines (captures above, one damage each): fields before the damage are kept.
@pytest.mark.parametrize("line,family,expected", [
    # one field deleted: 23 instead of 24 after "GSM" (trailing codec missing)
    ('+QENG: "servingcell","NOCONN","GSM",460,00,247C,1327,35,82,-,-52,255,255,0,53,179,1,-,-,-,-,-,-,-,-,"-"',
     QUECTEL, {"arfcn": 82, "mcc": 460, "lac": 0x247C, "ci": 0x1327, "bsic": 35, "rxlev_dbm": -52.0}),
    # the level field is not a number: from there on nothing is certain
    ('+QENG: "servingcell","NOCONN","GSM",460,00,247C,1327,35,82,-,-5x2,255,255,0,53,179,1,-,-,-,-,-,-,-,-,-,"-"',
     QUECTEL, {"arfcn": 82, "ci": 0x1327, "rxlev": None, "c1": None}),
    # EC20 neighbour missing its last field (c32)
    ('+QENG: "neighbourcell","GSM",460,00,24A5,1241,33,33,-83,22,146,0', QUECTEL,
     {"arfcn": 33, "bsic": 33, "lac": 0x24A5, "ci": 0x1241}),
    # M95 serving cut after the level
    ("+QENG: 0,404,20,3a9a,1429,1,63,-68", QUECTEL_2G,
     {"mcc": 404, "mnc": 20, "lac": 0x3A9A, "ci": 0x1429, "arfcn": 1, "bsic": 63, "ta": None}),
])
def test_damaged_qeng_lines_keep_what_is_certain(line, family, expected):
    (cell,) = parse_one(line, family)
    assert fields_of(cell, expected) == expected
