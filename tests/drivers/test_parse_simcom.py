"""SIMCom parsers (drivers/families/simcom.py): +CENG, +CPSI, +CCINFO and the call URCs, one row
per real reply. Fixtures: tests/fixtures/at/simcom-*-ceng.txt (sitch-io/sensor, Apache-2.0).
"edge:" rows follow the documented layout (SIM800 manual V1.09 §6.2.21) to pin a decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.families import get_family, identify_family, parse_lines
from drivers.families.fields import Garbled
from drivers.families.simcom import ceng_arfcn, parse_ceng
from drivers.transcript import read_transcript
from fieldapp.model import CallState, Cell, Channel, Info, Urc
from tests.drivers.parser_support import fields_of, parse_with

SIMCOM = get_family("simcom")
SIMCOM_LTE = get_family("simcom-lte")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "at"


parse_one = parse_with(SIMCOM)



def fixture_lines(name: str) -> list[str]:
    return [line for ex in read_transcript((FIXTURES / name).read_text()) for line in ex.lines]


CENG_ROWS = [
    ("SIM800L idle serving", '+CENG: 0,"0666,21,00,310,260,08,4e72,04,03,0113,255"',
     {"role": "serving", "arfcn": 666, "rxlev": 21, "rxlev_dbm": -89.0, "rxqual": None, "mcc": 310, "mnc": 260,
      "bsic": 8, "ci": 0x4E72, "lac": 0x0113, "ta": None, "state": "idle", "channel": None}),
    ("SIM800L neighbour ARFCN above 1023", '+CENG: 1,"1688,16,25,a53f,310,260,0113"',
     {"role": "neighbour", "arfcn": 664, "rxlev": 16, "rxlev_dbm": -94.0, "bsic": 25, "ci": 0xA53F,
      "mcc": 310, "mnc": 260, "lac": 0x0113, "rxqual": None}),
    ("SIM808 idle serving", '+CENG: 0,"0154,28,00,310,411,12,000f,00,05,178d,255"',
     {"arfcn": 154, "rxlev": 28, "mnc": 411, "bsic": 12, "ci": 0x000F, "lac": 0x178D, "ta": None}),
    ("SIM808 neighbour without cell id", '+CENG: 1,"0128,15,30,310,411,178d"',
     {"arfcn": 128, "rxlev": 15, "bsic": 30, "ci": None, "mcc": 310, "mnc": 411, "lac": 0x178D}),
    ("SIM808 neighbour BSIC 00 with MCC is real", '+CENG: 1,"0179,16,00,310,411,178d"',
     {"arfcn": 179, "bsic": 0, "mcc": 310}),
    ("SIM808 empty neighbour slot", '+CENG: 3,"0233,26,00,,,0000"',
     {"arfcn": 233, "rxlev": 26, "bsic": None, "mcc": None, "mnc": None, "lac": None, "ci": None}),
    ("SIM900 no space serving", '+CENG:0,"0668,13,99,310,260,59,5431,05,03,fd,0"',
     {"arfcn": 668, "rxlev": 13, "rxlev_dbm": -97.0, "rxqual": None, "bsic": 59, "ci": 0x5431, "lac": 0xFD,
      "ta": None, "state": "idle"}),
    ("SIM900 neighbour short LAC", '+CENG:1,"0672,19,30,a53e,310,260,113"',
     {"arfcn": 672, "rxlev": 19, "bsic": 30, "ci": 0xA53E, "lac": 0x113}),
    ("SIM900 neighbour BSIC 156", '+CENG:5,"0663,01,156,542f,310,260,fd"',
     {"arfcn": 663, "rxlev": 1, "bsic": None, "ci": 0x542F}),
    ("SIM900 nothing decoded", '+CENG:6,"0727,06,127,ffff,000,00,0"',
     {"arfcn": 727, "rxlev": 6, "bsic": None, "ci": None, "mcc": None, "mnc": None, "lac": None}),
    ("edge: SIM900 manual V1.01 serving order (lac before rla,txp)",
     '+CENG: 0,"0668,13,99,310,260,59,5431,0113,05,03,0"',
     {"arfcn": 668, "lac": 0x0113, "ci": 0x5431, "bsic": 59, "ta": None, "state": "idle"}),
    ("edge: SIM900 manual V1.01 neighbour (arfcn,rxl,bsic,lac)", '+CENG: 2,"0672,19,30,0113"',
     {"arfcn": 672, "rxlev": 19, "bsic": 30, "lac": 0x0113, "mcc": None, "ci": None}),
    ("edge: documented dedicated tail",
     '+CENG: 0,"0062,40,02,460,00,23,2bb9,05,03,550a,4,-70,30,30,0066,3,0,0,2,3,EFR"',
     {"arfcn": 62, "rxlev": 40, "rxqual": 3, "rxqual_sub": 2, "ta": 4, "c1": 30, "c2": 30,
      "state": "dedicated", "channel": Channel(tch_arfcn=66, timeslot=3, hopping=None, maio=0, hsn=0,
                                               codec="EFR")}),
    ("edge: SIM800 in a call without the tail (TA and quality known)",
     '+CENG: 0,"0062,40,03,460,00,23,2bb9,05,03,550a,4"',
     {"rxqual": 3, "ta": 4, "state": "dedicated", "channel": None}),
    ("edge: mode 3 layout", "+CENG: 0,310,260,0113,4e72,08,21",
     {"role": "serving", "mcc": 310, "mnc": 260, "lac": 0x0113, "ci": 0x4E72, "bsic": 8, "rxlev": 21}),
]


@pytest.mark.parametrize("name,line,expected", CENG_ROWS, ids=[r[0] for r in CENG_ROWS])
def test_ceng(name, line, expected):
    (cell,) = parse_one(line)
    assert isinstance(cell, Cell) and cell.tech == "GSM"
    assert fields_of(cell, expected) == expected


def test_ceng_header_line_is_info():
    assert parse_one("+CENG: 1,1") == [Info(key="ceng_mode", value={"mode": 1, "ncell": 1})]


def test_ceng_zero_neighbour_slot_is_claimed_without_a_cell():
    assert parse_one('+CENG: 6,"0000,00,00,0000,000,00,0000"') == []


# Damaged lines keep every field whose position is certain (issue 12 point 1): the fields
# before the damage. Rows are sitch-io/sensor SIM800L lines with one damage each.
@pytest.mark.parametrize("line,expected", [
    ('+CENG: 1,"0593,1312,8a02,310,260,0113"',  # fused fields (public source): rxl 1312
     {"arfcn": 593, "rxlev": None, "bsic": None, "mcc": None, "lac": None}),
    ('+CENG: 0,"0666,21,00,310,260,08,4e72,04,03,0113',  # cut: no closing quote
     {"arfcn": 666, "rxlev": 21, "ci": 0x4E72, "mcc": 310, "lac": None, "state": None}),
    ('+CENG: 0,"0666,21,00,310,260,08,4e72,04,03"',  # serving with 9 fields
     {"arfcn": 666, "ci": 0x4E72, "lac": None, "ta": None}),
    ('+CENG: 0,"0666,21,00,310,260,08,zz72,04,03,0113,255"',  # CI not hex: shifted from there
     {"arfcn": 666, "rxlev": 21, "bsic": 8, "mcc": 310, "mnc": 260, "ci": None, "lac": None}),
    ('+CENG: 0,"0666,99,00,310,260,77,4e72,04,03,0113,300"',  # RXLEV 99, BSIC 77, TA 300
     {"arfcn": 666, "rxlev": None, "bsic": None, "ci": 0x4E72, "lac": 0x113, "ta": None}),
    ('+CENG: 1,"1688,16,25,a53f,310,260,0113,99,1"',  # two extra trailing fields
     {"arfcn": 664, "ci": 0xA53F, "lac": 0x113}),
    ('+CENG: 1,"1688,16,25,a53f,310"',  # 5 fields: only what every layout shares
     {"arfcn": 664, "rxlev": 16, "bsic": 25, "ci": None, "mcc": None}),
])
def test_damaged_ceng_lines_keep_what_is_certain(line, expected):
    (cell,) = parse_one(line)
    assert fields_of(cell, expected) == expected


@pytest.mark.parametrize("line", [
    '+CENG: 0,"0666,21,00,310,260,08,4e72,04,03,0113,255"+CENG: 1,"1688,16,25"',  # two lines fused
    '+CENG: 9,"0666,21,00,310,260,0113"',            # no cell 9
    "+CENG: 1",
    "+CENG: x,1",
])
def test_broken_ceng_lines_raise_garbled(line):
    with pytest.raises(Garbled):
        parse_ceng(line)


@pytest.mark.parametrize("name,serving,neighbours", [
    ("simcom-SIM800L-ceng.txt", 4, 24),
    ("simcom-SIM808-ceng.txt", 4, 24),
    ("simcom-SIM900-ceng.txt", 4, 24),
])
def test_ceng_fixtures_parse_without_skips(name, serving, neighbours):
    result = parse_lines(fixture_lines(name), SIMCOM)
    # The SIM900 file names its firmware on a line of its own: not a reply, but counted.
    assert all(line == "SIM900 R11.0" for line in result.skipped_lines)
    cells = [r for r in result.records if isinstance(r, Cell)]
    assert sum(c.role == "serving" for c in cells) == serving
    assert sum(c.role == "neighbour" for c in cells) == neighbours
    assert all(c.arfcn is None or c.arfcn <= 1023 for c in cells)


def test_sim800l_pcs_neighbours_match_the_sim900_at_the_same_site():
    """The +1024 decision: same CI on the SIM800L (1688) and the SIM900 (0664) at MCC 310."""
    sim800 = {c.ci: c.arfcn for c in parse_lines(fixture_lines("simcom-SIM800L-ceng.txt"), SIMCOM).records}
    sim900 = {c.ci: c.arfcn for c in parse_lines(fixture_lines("simcom-SIM900-ceng.txt"), SIMCOM).records}
    shared = {ci for ci in sim800.keys() & sim900.keys() if ci is not None}
    assert shared == {0xA53F, 0xA53E}
    assert all(sim800[ci] == sim900[ci] for ci in shared)


@pytest.mark.parametrize("raw,arfcn", [(0, 0), (666, 666), (1023, 1023), (1688, 664), (1536, 512),
                                       (1834, 810), (1024, None), (1535, None), (1835, None), (None, None)])
def test_ceng_arfcn_pcs_offset(raw, arfcn):
    assert ceng_arfcn(raw) == arfcn


CPSI_ROWS = [
    ("SIM7000G GSM (1NCE doc)", "+CPSI: GSM,Online,262-01,0x972d,5559,79 EGSM 900,-83,0,24-24",
     {"tech": "GSM", "mcc": 262, "mnc": 1, "lac": 0x972D, "ci": 5559, "arfcn": 79, "rxlev": 27,
      "rxlev_dbm": -83.0, "c1": 24, "c2": 24}),
    ("SIM5360 GSM (OVMS comment)", "+CPSI: GSM,Online,262-02,0x011f,14822,4 EGSM 900,-67,0,40-40",
     {"mcc": 262, "mnc": 2, "lac": 0x011F, "ci": 14822, "arfcn": 4, "rxlev_dbm": -67.0, "c1": 40}),
    ("SIM7000C GSM DCS", "+CPSI: GSM,Online,502-12,0x1054,62168,512 DCS 1800,-71,0,32-32",
     {"mcc": 502, "mnc": 12, "ci": 62168, "arfcn": 512, "rxlev": 39}),
    ("SIM7000 GSM (Rust test)", "+CPSI: GSM,Online,240-24,0x28a0,50183,61 EGSM 900,-53,0,58-58",
     {"lac": 0x28A0, "ci": 50183, "arfcn": 61, "rxlev_dbm": -53.0, "c2": 58}),
    ("SIM8200 manual GSM", "+CPSI: GSM,Online,460-00,0x182d,12401,27 EGSM 900,-64,2110,42-42",
     {"mcc": 460, "mnc": 0, "ci": 12401, "arfcn": 27, "rxlev_dbm": -64.0, "c1": 42}),
    ("edge: GSM without band text (public C test)", "+CPSI: GSM,Online,286-01,0x2B5C,12401,27,-64,2110,42-42",
     {"arfcn": 27, "rxlev_dbm": -64.0}),
    ("edge: space instead of comma after MNC", "+CPSI: GSM,Online,460-01 0x25b1,4281,96 EGSM 900,-75,0,35-35",
     {"mcc": 460, "mnc": 1, "lac": 0x25B1, "ci": 4281, "arfcn": 96, "rxlev_dbm": -75.0}),
    ("SIM7600 LTE tenths", "+CPSI: LTE,Online,250-20,0x4D07,200468759,468,EUTRAN-BAND7,3400,3,3,-69,-900,-661,20",
     {"tech": "LTE", "mcc": 250, "mnc": 20, "lac": 0x4D07, "ci": 200468759, "pci": 468, "arfcn": 3400,
      "rsrp_dbm": -90.0, "rsrq_db": -6.9}),
    ("SIM7600 EN-DC LTE tenths", "+CPSI: LTE,Online,460-01,0x7496,251941991,203,EUTRAN-BAND8,3740,3,3,-92,-672,-418,14",
     {"pci": 203, "arfcn": 3740, "rsrp_dbm": -67.2, "rsrq_db": -9.2}),
    ("SIM7000 LTE CAT-M1 whole units", "+CPSI: LTE CAT-M1,Online,240-07,0x2AFE,34564631,149,EUTRAN-BAND20,6400,3,3,-12,-81,-52,10",
     {"tech": "LTE", "mcc": 240, "mnc": 7, "pci": 149, "arfcn": 6400, "rsrp_dbm": -81.0, "rsrq_db": -12.0}),
    ("A76XX manual LTE positive values", "+CPSI: LTE,Online,460-11,0x774B,126375687,303,EUTRAN-BAND1,100,5,0,12,36,42,5",
     {"tech": "LTE", "pci": 303, "arfcn": 100, "rsrp_dbm": None, "rsrq_db": None}),
    ("SIM5320A WCDMA", "+CPSI: WCDMA,Online,505-01,0x0152,14302219,WCDMA 850,214,4436,0,12.5,83,23,36,500",
     {"tech": "UMTS", "mcc": 505, "mnc": 1, "lac": 0x0152, "ci": 14302219, "pci": 214, "arfcn": 4436,
      "ecno_db": -12.5, "rscp_dbm": -83.0}),
    ("SIM5360 WCDMA (public code comment)", "+CPSI: WCDMA,Online,310-410,0xDE8B,3846084,WCDMA 850,355,4385,0,4.5,78,39,37,500",
     {"mnc": 410, "lac": 0xDE8B, "pci": 355, "arfcn": 4385, "ecno_db": -4.5, "rscp_dbm": -78.0}),
]


@pytest.mark.parametrize("name,line,expected", CPSI_ROWS, ids=[r[0] for r in CPSI_ROWS])
def test_cpsi(name, line, expected):
    (cell,) = parse_one(line, SIMCOM_LTE)
    assert isinstance(cell, Cell) and cell.role == "serving"
    assert fields_of(cell, expected) == expected


def test_cpsi_no_service():
    # SIM7000C: +CPSI: NO SERVICE,Online
    assert parse_one("+CPSI: NO SERVICE,Online", SIMCOM_LTE) == [Info(key="serving_state", value="NO SERVICE")]


@pytest.mark.parametrize("line", ["+CPSI:", "+CPSI: GSM,Online,Online,0x972d,5559,79 EGSM 900,-83",
                                  "+CPSI: GSM,Online,262-01,0x972d,5559,EGSM,-83,0,24-24",
                                  "+CPSI: LTE,Online,250-20,0x4D07"])
def test_broken_cpsi_lines_are_skipped(line):
    result = parse_lines([line], SIMCOM_LTE)
    assert result.records == [] and result.skipped == 1


CCINFO_ROWS = [
    ("SIM5xxx GSM serving (pastebin VfE7YiwG)",
     "+CCINFO:[SCELL],ARFCN:34,MCC:240,MNC:24,LAC:10001,ID:31,BSIC:18,RXLev:-78dbm,C1:33,C2:33,TA:0,TXPWR:0",
     {"role": "serving", "tech": "GSM", "arfcn": 34, "mcc": 240, "mnc": 24, "lac": 10001, "ci": 31, "bsic": 18,
      "rxlev": 32, "rxlev_dbm": -78.0, "c1": 33, "c2": 33, "ta": 0}),
    ("SIM5320A WCDMA serving",
     "+CCINFO:[SCELL],UARFCN:4436,MCC:505,MNC:001,LAC:338,ID:14302219,PSC:214,SSC:0,RSCP:88,ECIO:8.0,RXLev:-88dbm,TXPWR:0",
     {"role": "serving", "tech": "UMTS", "arfcn": 4436, "mcc": 505, "mnc": 1, "lac": 338, "ci": 14302219,
      "pci": 214, "rscp_dbm": -88.0, "ecno_db": -8.0}),
    ("SIM5320A WCDMA neighbour", "+CCINFO:[NCell1],UARFCN:4436,PSC:230,SSC:0,RSCP:97,ECIO:15.5,RXLev:-97dbm",
     {"role": "neighbour", "tech": "UMTS", "pci": 230, "rscp_dbm": -97.0, "ecno_db": -15.5, "mcc": None}),
    ("edge: GSM neighbour", "+CCINFO:[NCell2],ARFCN:37,MCC:240,MNC:24,LAC:10001,ID:32,BSIC:21,RXLev:-91dbm,C1:20,C2:20",
     {"role": "neighbour", "arfcn": 37, "ci": 32, "bsic": 21, "rxlev": 19, "rxlev_dbm": -91.0}),
]


@pytest.mark.parametrize("name,line,expected", CCINFO_ROWS, ids=[r[0] for r in CCINFO_ROWS])
def test_ccinfo(name, line, expected):
    (cell,) = parse_one(line, SIMCOM_LTE)
    assert fields_of(cell, expected) == expected


CALL_ROWS = [
    ("SIMCom VOICE CALL BEGIN (ModemManager)", "VOICE CALL: BEGIN",
     [(CallState, {"state": "active", "duration_s": None})]),
    ("SIMCom VOICE CALL END (ModemManager)", "VOICE CALL: END",
     [(CallState, {"state": "released", "duration_s": None})]),
    ("SIMCom VOICE CALL END with duration (ModemManager)", "VOICE CALL: END: 000041",
     [(CallState, {"state": "released", "duration_s": 41})]),
    ("edge: VOICE CALL END over an hour", "VOICE CALL: END: 012005",
     [(CallState, {"state": "released", "duration_s": 4805})]),
    ("SIMCom MISSED_CALL (ModemManager)", "MISSED_CALL: 11:01AM 07712345678",
     [(Urc, {"name": "MISSED_CALL", "text": "11:01AM 07712345678", "number": "07712345678"})]),
    ("A7670E CLCC URC released", '+CLCC: 1,0,6,0,0,"+441234567890",145',
     [(CallState, {"direction": "mo", "state": "released"})]),
    ("SIMCom CRING two CRs (ModemManager)", "+CRING: VOICE", [(Urc, {"name": "CRING", "text": "VOICE"})]),
]


@pytest.mark.parametrize("name,line,expected", CALL_ROWS, ids=[r[0] for r in CALL_ROWS])
def test_call_urcs(name, line, expected):
    records = parse_one(line)
    assert len(records) == len(expected)
    for rec, (kind, values) in zip(records, expected):
        assert isinstance(rec, kind) and fields_of(rec, values) == values


@pytest.mark.parametrize("line", ["VOICE CALL: MAYBE", "VOICE CALL: END: 0099", "VOICE CALL: END: 006100",
                                  "MISSED_CALL:"])
def test_broken_call_urcs_are_skipped(line):
    result = parse_lines([line], SIMCOM)
    assert result.records == [] and result.skipped == 1


def test_simcom_family_tables():
    assert identify_family("SIM800 R14.18").name == "simcom"
    assert identify_family("SIM900 R11.0").name == "simcom"
    assert identify_family("SIMCOM INCORPORATED SIMCOM_SIM7600G-H").name == "simcom-lte"
    assert identify_family("SIMCOM INCORPORATED A7670E-LASE").name == "simcom-lte"
    for fam in (SIMCOM, SIMCOM_LTE):
        assert fam.lock_command is None and any("lock" in n.lower() for n in fam.notes)
        assert fam.call_state_by == "urc" and "AT+CLCC=1" in fam.init_commands
        assert "VOICE CALL:" in fam.urc_prefixes and "+CLCC:" in fam.urc_prefixes
    assert "AT+CENG=1,1" in SIMCOM.init_commands and "AT+CENG?" in SIMCOM.poll_commands
    assert "AT+CPSI?" in SIMCOM_LTE.poll_commands
    assert {"tch_arfcn", "timeslot", "bsic", "neighbours"} <= SIMCOM.fields


# AT+CSCHN / AT+CSRP (docs/at-commands.md §3.2.3: field lists from a capture, pastebin 66nQcd68). The rows
# are doc-derived: the labels of that capture in AT+CCINFO's LABEL:value layout, plus the
# simulator's own lines and a bare-value line in the documented order.
CSCHN_ROWS = [
    ("doc-derived: TCH on ARFCN 66, timeslot 3, no hopping",
     "+CSCHN: ARFCN:66,BSIC:23,HSN:0,MAIO:0,TN:3,HF:0,TSC:7,TCH:TCH/F",
     {"bsic": 23, "state": "dedicated",
      "channel": Channel(tch_arfcn=66, timeslot=3, hopping=False, maio=0, hsn=0, channel_type="TCH/F")}),
    ("doc-derived: hopping (HF 1): no single ARFCN, MAIO/HSN kept",
     "+CSCHN: ARFCN:66,BSIC:23,HSN:5,MAIO:2,TN:1,HF:1,TSC:7,TCH:TCH/F",
     {"channel": Channel(tch_arfcn=None, timeslot=1, hopping=True, maio=2, hsn=5, channel_type="TCH/F")}),
    ("doc-derived: [tag] and lower-case labels, spaces",
     "+CSCHN: [DCH], arfcn: 512 , bsic:7, tn:6, hf:0",
     {"bsic": 7, "channel": Channel(tch_arfcn=512, timeslot=6, hopping=False)}),
    ("edge: bare values in the documented order", "+CSCHN: 1015,33,0,0,2,0,1,",
     {"bsic": 33, "channel": Channel(tch_arfcn=1015, timeslot=2, hopping=False, maio=0, hsn=0)}),
    ("edge: out-of-range timeslot and ARFCN: unknown, the rest kept",
     "+CSCHN: ARFCN:4000,BSIC:99,HSN:0,MAIO:0,TN:9,HF:0,TSC:7,TCH:TCH/F",
     {"bsic": None, "channel": Channel(tch_arfcn=None, timeslot=None, hopping=False, maio=0, hsn=0,
                                       channel_type="TCH/F")}),
]


@pytest.mark.parametrize("name,line,expected", CSCHN_ROWS, ids=[r[0] for r in CSCHN_ROWS])
def test_cschn(name, line, expected):
    (cell,) = parse_one(line)
    assert cell.role == "serving" and fields_of(cell, expected) == expected


@pytest.mark.parametrize("line,expected", [
    ("+CSRP: RXLevFull:-70dbm,RXLevSub:-71dbm,RXQualFull:0,RXQualSub:1,PWRC:1,DTX:0,RLT:32",
     {"rxlev_full": 40, "rxlev_sub": 39, "rxqual": 0, "rxqual_sub": 1}),
    ("+CSRP: -95,-96,5,6,1,1,20", {"rxlev_full": 15, "rxlev_sub": 14, "rxqual": 5, "rxqual_sub": 6}),
    ("+CSRP: RXLevFull:-70dbm,RXLevSub:-71dbm,RXQualFull:9,RXQualSub:99", {"rxlev_full": 40, "rxqual": None}),
])
def test_csrp(line, expected):
    (cell,) = parse_one(line)
    assert fields_of(cell, expected) == expected


def test_cschn_and_csrp_without_a_call_give_nothing():
    assert parse_one("+CSCHN:") == [] and parse_one("+CSCHN: ARFCN:,TN:,HF:") == []
    assert parse_one("+CSRP:") == []


def test_simcom_polls_the_dedicated_channel_only_in_calls():
    assert SIMCOM.dedicated_poll_commands == ("AT+CSCHN", "AT+CSRP")
    assert "AT+CSCHN" not in SIMCOM.poll_commands
