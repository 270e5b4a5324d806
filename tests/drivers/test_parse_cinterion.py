"""Cinterion / Siemens parsers: one row per real reply (docs/at-commands.md §3.5, §1.2)."""

from __future__ import annotations

import pytest

from drivers.families import get_family, parse_lines
from drivers.families.cinterion import parse_ciev, parse_slcc, parse_smonc, parse_smond, parse_smoni
from drivers.families.fields import Garbled
from fieldapp.model import CallState, Cell, Signal, Urc
from tests.drivers.parser_support import FIXTURES, check, fixture_lines

CINTERION = get_family("cinterion")




SMONI_ROWS = [
    pytest.param(
        "^SMONI: 2G,71,-61,262,02,0143,83BA,33,33,3,6,G,NOCONN",
        [{"tech": "GSM", "arfcn": 71, "rxlev_dbm": -61.0, "rxlev": 49, "mcc": 262, "mnc": 2,
          "lac": 0x0143, "ci": 0x83BA, "c1": 33, "c2": 33, "bsic": 3 * 8 + 6, "state": "NOCONN",
          "tch_arfcn": None}],
        id="Cinterion (ModemManager tests) ^SMONI 2G NOCONN"),
    pytest.param("^SMONI: 2G,SEARCH,SEARCH", [{"state": "SEARCH", "arfcn": None, "rxlev": None}],
                 id="Cinterion (ModemManager tests) ^SMONI 2G SEARCH"),
    pytest.param(
        "^SMONI: 2G,673,-89,262,07,4EED,A500,16,16,7,4,G,5,-107,LIMSRV",
        [{"arfcn": 673, "rxlev_dbm": -89.0, "mnc": 7, "lac": 0x4EED, "ci": 0xA500,
          "bsic": 7 * 8 + 4, "state": "LIMSRV"}],
        id="Cinterion (ModemManager tests) ^SMONI 2G LIMSRV"),
    pytest.param(
        "^SMONI: 2G,673,-80,262,07,4EED,A500,35,35,7,4,G,643,4,0,-80,0,S_FR",
        [{"arfcn": 673, "rxlev_dbm": -80.0, "tch_arfcn": 643, "timeslot": 4, "ta": 0, "rxqual": 0,
          "hopping": False, "channel_type": "TCH/F", "codec": "FR", "state": "dedicated"}],
        id="Cinterion (ModemManager tests) ^SMONI 2G dedicated"),
    pytest.param(
        "^SMONI: 2G,990,-75,262,03,0139,02C9,28,28,3,0,G,0,-104,NOCONN",
        [{"arfcn": 990, "rxlev_dbm": -75.0, "mnc": 3, "bsic": 24, "state": "NOCONN"}],
        id="Thales test suite ^SMONI 2G NOCONN with PWR/RXLev"),
    pytest.param(
        "^SMONI: 3G,10564,296,-7.5,-79,262,02,0143,00228FF,-92,-78,NOCONN",
        [{"tech": "UMTS", "arfcn": 10564, "pci": 296, "ecno_db": -7.5, "rscp_dbm": -79.0,
          "ci": 0x228FF, "state": "NOCONN"}],
        id="Cinterion (ModemManager tests) ^SMONI 3G NOCONN"),
    pytest.param(
        "^SMONI: 4G,6300,20,10,10,FDD,262,02,BF75,0345103,350,33,-94,-7,NOCONN",
        [{"tech": "LTE", "arfcn": 6300, "lac": 0xBF75, "ci": 0x345103, "pci": 350,
          "rsrp_dbm": -94.0, "rsrq_db": -7.0, "state": "NOCONN"}],
        id="Cinterion (ModemManager tests) ^SMONI 4G NOCONN"),
    pytest.param("^SMONI: 4G,SEARCH", [{"tech": "LTE", "state": "SEARCH"}],
                 id="Cinterion (ModemManager tests) ^SMONI 4G SEARCH"),
    pytest.param(
        "^SMONI: 2G,673,-80,262,07,4EED,A500,35,35,7,4,G,h,4,0,-80,0,A_HR",
        [{"tch_arfcn": None, "hopping": True, "timeslot": 4, "channel_type": "TCH/H", "codec": "AMR"}],
        id="edge: ^SMONI dedicated hopping"),
]


@pytest.mark.parametrize(("line", "expected"), SMONI_ROWS)
def test_smoni(line, expected):
    check(parse_smoni(line), expected)


@pytest.mark.parametrize("line", ["^SMONI: 2G,71,-61,262", "^SMONI: 5G,1,2", "^SMONI: 2G,7X,-61,262,02,0143,83BA,33,33,3,6,G,NOCONN"])
def test_smoni_garbled(line):
    with pytest.raises(Garbled):
        parse_smoni(line)


def test_smonc_tc35i_manual_example():
    (line,) = fixture_lines("tc35i-smonc.txt")
    cells = parse_smonc(line)
    assert [c.role for c in cells] == ["serving"] + ["neighbour"] * 6
    check(cells[:2], [
        {"mcc": 232, "mnc": 3, "lac": 0x3010, "ci": 0x4EAF, "bsic": 0o32, "arfcn": 82, "rxlev": 38,
         "rxlev_dbm": -72.0, "c1": 30, "c2": 30},
        {"ci": None, "bsic": 0o36, "arfcn": 88, "rxlev": 26},  # cell 0000 = not decoded
    ])
    assert cells[5].lac == 0x2010 and cells[5].ci == 0x00C0


SMONC_EDGE_ROWS = [
    pytest.param("^SMONC: 232,03,3010,FFFF,32,82,38,30,30,000,000,0000,0000,00,0,0,-,-",
                 [{"ci": None, "arfcn": 82}], id="edge: ^SMONC FFFF cell and a no-cell slot"),
    pytest.param("^SMONC: 232,03,3010,4EAF,32,82,38,-,-", [{"c1": None, "c2": None}],
                 id="edge: ^SMONC C1/C2 '-' in dedicated mode"),
    pytest.param("^SMONC: 000,00,0000,0000,00,0,0,0,0", [], id="edge: ^SMONC no serving cell"),
    pytest.param("^SMONC: 232,03,3010,4EAF,00,82,38,30,30", [{"bsic": None, "arfcn": 82}],
                 id="edge: ^SMONC BSIC 00 = not decoded"),
    pytest.param("^SMONC: 232,03,3010,4EAF,38,82,38,30,30", [{"bsic": None}],
                 id="edge: ^SMONC BSIC digit 8 is no NCC/BCC"),
    pytest.param("^SMONC: 232,03,3010,4EAF,32,82,99,30,30", [{"rxlev": None, "rxlev_dbm": None}],
                 id="edge: ^SMONC RSSI out of 0..63"),
]


@pytest.mark.parametrize(("line", "expected"), SMONC_EDGE_ROWS)
def test_smonc_edges(line, expected):
    check(parse_smonc(line), expected)


def test_smonc_wrong_count_is_garbled():
    with pytest.raises(Garbled):
        parse_smonc("^SMONC: 232,03,3010,4EAF,32,82,38,30")


def test_smond_ac75_manual_example():
    (line,) = fixture_lines("ac75-smond.txt")
    recs = parse_smond(line)
    cells = [r for r in recs if isinstance(r, Cell)]
    (signal,) = [r for r in recs if isinstance(r, Signal)]
    check(cells[:3], [
        {"role": "serving", "mcc": 262, "mnc": 1, "lac": 0x3008, "ci": 0x6060, "bsic": 0o32,
         "arfcn": 100, "rxlev_dbm": -66.0, "rxlev": 44, "ta": 2, "rxqual": None, "state": "idle",
         "timeslot": None},
        {"role": "neighbour", "ci": 0xDDD1, "bsic": 0o35, "arfcn": 92, "rxlev_dbm": -80.0},
        {"role": "neighbour", "ci": None, "arfcn": 96, "rxlev_dbm": -83.0},
    ])
    assert len(cells) == 7
    assert signal.rssi_raw == 23 and signal.rssi_dbm == -67.0 and signal.rxqual is None


SMOND_EDGE_ROWS = [
    pytest.param(
        "^SMOND:262,01,3008,6060,32,100,,70,72,,2,3,5,,,,,,,0,,,,,,,0,,,,,,,0,,,,,,,0,,,,,,,0,,,,,,,0,4,20,2",
        [{"role": "serving", "state": "dedicated", "rxlev_full": 40, "rxlev_sub": 38, "rxqual": 2,
          "rxqual_sub": 3, "timeslot": 5, "ta": 4, "rxlev_dbm": -70.0, "rxlev": 40}, {"kind": "signal", "rxqual": 2}],
        id="edge: ^SMOND dedicated Full/Sub filled, empty neighbours"),
    pytest.param(
        "^SMOND: ,,,,,,90,,,0,,,0,,,,,,,0,,,,,,,0,,,,,,,0,,,,,,,0,,,,,,,0,,,,,,,0,,99,99",
        [], id="edge: ^SMOND no serving cell, RSSI/BER unknown"),
]


@pytest.mark.parametrize(("line", "expected"), SMOND_EDGE_ROWS)
def test_smond_edges(line, expected):
    check(parse_smond(line), expected)


def test_smond_wrong_count_is_garbled():
    with pytest.raises(Garbled):
        parse_smond("^SMOND:262,01,3008,6060,32,100,66,,,0,,,0,2,23,99,4")


def test_smond_periodic_formats_select_classes():
    # AT^SMOND=<period>,<format>: 1 <sci>, 4 <TA>, 8 <rssiber> (TC35i manual p.209).
    check(parse_smond("^SMOND: 262,01,3008,6060,32,100,66,,,0,,,0,23,99"),
          [{"role": "serving", "arfcn": 100, "ta": None}, {"kind": "signal", "rssi_raw": 23}])
    check(parse_smond("^SMOND: 3"), [{"role": "serving", "ta": 3, "arfcn": None}])
    check(parse_smond("^SMOND: 262,01,3008,6060,32,100,66,,,0,,,0,2"), [{"arfcn": 100, "ta": 2}])


def test_moni_dedicated_tc35i():
    result = parse_lines(fixture_lines("tc35i-moni-dedicated.txt"), CINTERION, "AT^MONI")
    assert result.skipped == 0
    check(result.records, [{
        "arfcn": 1013, "rxlev": 34, "rxlev_dbm": -76.0, "mcc": 1, "mnc": 1, "lac": 0x1001,
        "ci": 0x0103, "bsic": 0o77, "c1": 33, "tch_arfcn": 1015, "timeslot": 1, "ta": 0,
        "rxqual": 0, "hopping": False, "channel_type": "TCH/H", "codec": "HR", "state": "dedicated"}])


def test_moni_states_tc35i_and_mc35():
    result = parse_lines(fixture_lines("tc35i-moni-states.txt"), CINTERION, "AT^MONI=5")
    check(result.records, [
        {"arfcn": 1013, "rxlev": 39, "rxlev_dbm": -71.0, "ci": 0x2468, "state": "No connection",
         "tch_arfcn": None},
        {"arfcn": 1013, "rxlev": 4, "rxlev_dbm": -106.0, "mcc": 1, "mnc": 1, "c1": -1,
         "state": "in Reselecting"},  # MC35: PLMN 00101 and an en-dash minus
        {"arfcn": None, "state": "Searching"},
    ])


MONI_ROW_EDGES = [
    pytest.param("1013 19 -76 001 01 1001 0103 7 7 33 -105 33 I h 1 0 5 -76 0 S_EFR",
                 [{"tch_arfcn": None, "hopping": True, "codec": "EFR", "timeslot": 1}],
                 id="edge: ^MONI dedicated hopping 'h' (AC75 manual note)"),
    pytest.param("1013 19 -76 001 01 1001 0103 7 7 33 -105 33 I 0 1 0 5 -76 0 S_FR",
                 [{"tch_arfcn": None, "hopping": True}], id="edge: ^MONI dedicated chann 0 = hopping (TC35 manual note)"),
    pytest.param("1013 19 -76 001 01 1001 0000 - - - - - I 1015 1 3 5 -76 2 S_FR",
                 [{"ci": None, "bsic": None, "c1": None, "tch_arfcn": 1015, "ta": 3, "rxqual": 2}],
                 id="edge: ^MONI after handover: cell 0000, NCC/BCC/PWR/RXLev/C1 '-' (TC35i manual note)"),
    pytest.param("1013 19 -76 001 01 1001 0103 7 7 I 1015 1 3 5 -76 2 S_FR",
                 [{"c1": None, "tch_arfcn": 1015}], id="edge: ^MONI PWR/RXLev/C1 left blank (MC35 manual note)"),
    pytest.param("477 21 -71 123 456 A123 2468 7 3 33 -105 33 I Limited Service",
                 [{"arfcn": 477, "lac": 0xA123, "state": "Limited Service"}],
                 id="TC35i manual ^MONI Limited Service (ARFCN 477: a GSM 750 channel)"),
    pytest.param("900 21 -71 123 456 A123 2468 7 3 33 -105 33 I Limited Service",
                 [{"arfcn": 900, "lac": 0xA123, "state": "Limited Service"}],
                 id="edge: ^MONI on ARFCN 900 (no band holds it): kept, band unknown"),
]


@pytest.mark.parametrize(("row", "expected"), MONI_ROW_EDGES)
def test_moni_rows(row, expected):
    check(parse_lines([row], CINTERION, "AT^MONI").records, expected)


def test_moni_garbled_row_skipped_other_rows_kept():
    result = parse_lines(["1013 19 -76 001 I No connection"], CINTERION, "AT^MONI")
    assert result.records == [] and result.skipped == 1


def test_monp_mc55():
    result = parse_lines(fixture_lines("mc55-monp.txt"), CINTERION, "AT^MONP")
    assert [c.arfcn for c in result.records] == [653, 660, 687, 678, 671, 643]
    check(result.records[:1], [{"role": "neighbour", "rxlev": 26, "rxlev_dbm": -84.0, "mcc": 262,
                                "mnc": 7, "c1": 22, "c2": 22, "bsic": None}])


def test_monp_tc35_plmn_column_and_dashes():
    lines = ["Chann rs dBm PLMN BCC C1 C2", "29 22 -70 26201 2 33 33", "31 21 -72 26201 2 - -"]
    result = parse_lines(lines, CINTERION, "AT^MONP")
    # TC35 "rs" 22 is on the +CSQ-like scale; the level comes from the dBm column (-70 → RXLEV 40).
    check(result.records, [{"arfcn": 29, "rxlev": 40, "rxlev_dbm": -70.0, "mcc": 262, "mnc": 1},
                           {"arfcn": 31, "c1": None, "c2": None}])


def test_slcc_urc_report_with_terminator_and_other_indicators():
    result = parse_lines(fixture_lines("cinterion-slcc-urc.txt"), CINTERION)
    calls = [r for r in result.records if isinstance(r, CallState)]
    check(calls, [{"index": 1, "direction": "mt", "state": "active", "number": "123456789"},
                  {"index": 2, "direction": "mt", "state": "waiting", "number": "987654321"}])
    assert result.skipped == 0
    assert [r.text for r in result.records if isinstance(r, Urc)] == ["1,0", "1,0"]


SLCC_ROWS = [
    pytest.param("^SLCC: 1,1,0,0,1,0", [{"index": 1, "direction": "mt", "state": "active", "number": None}],
                 id="Cinterion ^SLCC number unknown"),
    pytest.param('^SLCC: 3,1,0,0,1,0,"987654321",161,"Alice"', [{"index": 3, "number": "987654321"}],
                 id="Cinterion ^SLCC with alpha"),
    pytest.param("^SLCC: ", [], id="Cinterion ^SLCC empty terminator"),
    pytest.param('^SLCC: 1,0,3,0,0,1,"0123456",129', [{"direction": "mo", "state": "alerting"}],
                 id="edge: ^SLCC outgoing alerting"),
]


@pytest.mark.parametrize(("line", "expected"), SLCC_ROWS)
def test_slcc(line, expected):
    check(parse_slcc(line), expected)


@pytest.mark.parametrize("line", ["^SLCC: 1,2,0,0,0,0", "^SLCC: 1,0,9,0,0,0", "^SLCC: 1,0"])
def test_slcc_garbled(line):
    with pytest.raises(Garbled):
        parse_slcc(line)


CIEV_ROWS = [
    pytest.param('+CIEV: ceer,2,"Unassigned/unallocated number"',
                 [{"key": "ceer", "value": "Unassigned/unallocated number"},
                  {"key": "ceer_cause", "value": 1}, {"key": "ceer_cause_text"}],
                 id="Thales test suite +CIEV ceer group 2"),
    pytest.param('+CIEV: ceer,2,"Normal call clearing"',
                 [{"key": "ceer", "value": "Normal call clearing"}, {"key": "ceer_cause", "value": 16},
                  {"key": "ceer_cause_text", "value": "Normal call clearing"}],
                 id="Thales test suite +CIEV ceer normal clearing"),
    pytest.param('+CIEV: ceer,1,"Client ended call"', [{"key": "ceer", "value": "Client ended call"}],
                 id="Thales test suite +CIEV ceer group 1"),
]


@pytest.mark.parametrize(("line", "expected"), CIEV_ROWS)
def test_ciev_ceer(line, expected):
    check(parse_ciev(line), expected)


def test_ciev_other_indicators_are_kept_as_urcs():
    assert parse_ciev("+CIEV: 1,0") == [Urc(name="+CIEV", text="1,0")]
    with pytest.raises(Garbled):
        parse_ciev("+CIEV: ceer,2")


def test_family_table():
    fam = CINTERION
    assert fam.call_state_by == "urc" and "^SLCC:" in fam.urc_prefixes
    assert fam.lock_command is None
    assert {"tch_arfcn", "timeslot", "bsic", "neighbours"} <= fam.fields
    assert "AT^MONI" in fam.block_parsers and "AT^MONP" in fam.block_parsers


MC35_BROKEN = """Serving Cell
I Dedicated channel
chann rs
dBm
PLMN
LAC cell NCC BCC PWR RXLev
C1 I chann TS timAdv PWR
dBm Q ChMod
1013
21
-71 00101 1001 0103
7
7
33
-105
33 I
No connection""".splitlines()


def test_moni_row_broken_over_lines_mc35_manual_mirror():
    # MC35_ATC_01_V04.00 p.176 as the manualsbrain mirror prints it: one value per line.
    result = parse_lines(MC35_BROKEN, CINTERION, "AT^MONI")
    check(result.records, [{"arfcn": 1013, "rxlev_dbm": -71.0, "mcc": 1, "mnc": 1, "lac": 0x1001,
                            "ci": 0x0103, "bsic": 0o77, "c1": 33, "state": "No connection"}])


def test_moni_periodic_rows_keep_the_good_ones():
    rows = ["1013 21 -71 001 01 1001 2468 7 7 33 -105 33 I No connection",
            "1013 2X -71 001 01 1001 2468 7 7 33 -105 33 I No connection",
            "1013 19 -76 001 01 1001 0103 7 7 33 -105 33 I 1015 1 0 5 -76 0 S_HR"]
    result = parse_lines(rows, CINTERION, "AT^MONI=1")
    assert [c.state for c in result.records] == ["No connection", "dedicated"]


def test_smoni_fixture_states():
    from drivers.transcript import read_transcript

    text = (FIXTURES / "cinterion-smoni-mm.txt").read_text(encoding="utf-8")
    states = [r.state for ex in read_transcript(text)
              for r in parse_lines(ex.lines, CINTERION, ex.command).records]
    assert states == ["NOCONN", "SEARCH", "LIMSRV", "dedicated"]
