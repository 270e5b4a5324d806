"""Telit parsers: one row per real reply (docs/at-commands.md §3.3), named after the device."""

from __future__ import annotations

import pytest

from drivers.families import get_family, parse_lines
from drivers.families.fields import Garbled
from drivers.families.telit import bsic_digits, parse_bcchlock, parse_moni, parse_servinfo
from drivers.families.wavecom import parse_cced
from tests.drivers.parser_support import FIXTURES, check, fixture_lines

TELIT = get_family("telit")




MONI_ROWS = [
    pytest.param(
        "#MONI: Cingular BSIC:51 RxQual:0 LAC:8AD3 Id:6014 ARFCN:148 PWR:-99dbm TA:0",
        [{"role": "serving", "operator": "Cingular", "bsic": 0o51, "rxqual": 0, "lac": 0x8AD3,
          "ci": 0x6014, "arfcn": 148, "rxlev_dbm": -99.0, "rxlev": 11, "ta": 0}],
        id="Telit on an Arduino GSMbase shield #MONI label (Cingular, PWR no space)"),
    pytest.param(
        "#MONI: TR TURKCELL BSIC:73 RxQual:0 LAC:6B2A Id:F26C ARFCN:60 PWR:-70dbm TA:0",
        [{"operator": "TR TURKCELL", "bsic": 0o73, "lac": 0x6B2A, "ci": 0xF26C, "arfcn": 60,
          "rxlev_dbm": -70.0, "rxlev": 40}],
        id="LE910R1 #MONI label (name with a space)"),
    pytest.param(
        "#MONI: I TIM BSIC:23 RxQual:7 LAC:AEAD Id:5265 ARFCN: 59 PWR: -80 dBm TA:0",
        [{"operator": "I TIM", "bsic": 0o23, "rxqual": 7, "lac": 0xAEAD, "ci": 0x5265, "arfcn": 59,
          "rxlev_dbm": -80.0, "ta": 0}],
        id="GM862 user guide #MONI label (spaces after colons)"),
    pytest.param(
        "#MONI: Cc:222 Nc:01 BSIC:23 RxQual:7 LAC:AEAD Id:5265 ARFCN:59 PWR:-80 dBmTA:3",
        [{"mcc": 222, "mnc": 1, "operator": None, "bsic": 0o23, "rxlev_dbm": -80.0, "ta": 3}],
        id="Telit guide #MONI name unknown (Cc: Nc:, dBmTA fused)"),
    pytest.param(
        "#MONI: Adj Cell1 LAC:AEAD Id:5266 ARFCN:61 PWR:-90 dBm",
        [{"role": "neighbour", "lac": 0xAEAD, "ci": 0x5266, "arfcn": 61, "rxlev_dbm": -90.0,
          "bsic": None, "operator": None}],
        id="Telit guide #MONI Adj Cell"),
    pytest.param(
        "#MONI: Adj Cell3 ARFCN:61 PWR:-90 dBm",
        [{"role": "neighbour", "lac": None, "ci": None, "arfcn": 61}],
        id="Telit guide #MONI Adj Cell without LAC/Id"),
    pytest.param(
        "#MONI: S 74 E720 9976 1022 -60dbm 45 0 1 0 E-Plus;",
        [{"role": "serving", "bsic": 0o74, "lac": 0xE720, "ci": 0x9976, "arfcn": 1022,
          "rxlev_dbm": -60.0, "c1": 45, "c2": 0, "ta": 1, "rxqual": 0, "operator": "E-Plus"}],
        id="Telit tracker #MONI table serving row"),
    pytest.param(
        "#MONI: S: 74 E720 9976 1022 -60dbm 45 0 1 0 E-Plus",
        [{"role": "serving", "bsic": 0o74, "arfcn": 1022}],
        id="Telit guide #MONI table 'S:' serving row"),
    pytest.param(
        "#MONI: N2 70 E720 98A4 685 -75dbm 30 24;",
        [{"role": "neighbour", "bsic": 0o70, "lac": 0xE720, "ci": 0x98A4, "arfcn": 685,
          "rxlev_dbm": -75.0, "c1": 30, "c2": 24}],
        id="Telit tracker #MONI table neighbour row"),
    pytest.param(
        "#MONI: N1 FF FFFF 0000 980 -76dbm -1 -1;",
        [{"role": "neighbour", "arfcn": 980, "rxlev_dbm": -76.0, "bsic": None, "lac": None,
          "ci": None, "c1": None, "c2": None}],
        id="Telit tracker #MONI table undecoded neighbour"),
    pytest.param("#MONI: N3 FF FFFF 0000 1024 -111dbm -1 -1;", [],
                 id="Telit tracker #MONI table empty slot (ARFCN 1024)"),
    pytest.param("#MONI: Cell BSIC LAC CellId ARFCN Power C1 C2 TA RxQual PLMN", [],
                 id="Telit guide #MONI table header"),
    pytest.param("#MONI: (0-7)", [], id="Telit guide AT#MONI=? range reply"),
    pytest.param("#MONI: 7", [], id="Telit guide AT#MONI? setting reply"),
    pytest.param(
        "#MONI: S 71 03EB 0045 3 -55dbm 49 49 - - FieldNet",
        [{"role": "serving", "bsic": 0o71, "arfcn": 3, "ta": None, "rxqual": None, "operator": "FieldNet"}],
        id="edge: #MONI table serving row in idle with TA/RxQual '-' (simulator dialect)"),
    pytest.param(
        "#MONI: S 70 55FA 1234 20 -78 dbm 32 32 1 0 I WIND",
        [{"role": "serving", "bsic": 0o70, "arfcn": 20, "rxlev_dbm": -78.0, "c1": 32, "c2": 32, "ta": 1,
          "rxqual": 0, "operator": "I WIND"}],
        id="edge: #MONI table row with the dBm unit as its own column"),
    pytest.param(
        "#MONI: Vodafone BSIC:FF RxQual:99 LAC:FFFF Id:0000 ARFCN:1024 PWR:-999dbm TA:255",
        [{"bsic": None, "rxqual": None, "lac": None, "ci": None, "arfcn": None, "rxlev": None,
          "rxlev_dbm": None, "ta": None}],
        id="edge: #MONI label all markers out of range"),
]


@pytest.mark.parametrize(("line", "expected"), MONI_ROWS)
def test_moni(line, expected):
    check(parse_moni(line), expected)


SERVINFO_ROWS = [
    pytest.param(
        '#SERVINFO: 841,-95,"T-Mobile NL","20416",43,03F8,01,1,,"I",01,6',
        [{"tech": "GSM", "arfcn": 841, "rxlev_dbm": -95.0, "rxlev": 15, "operator": "T-Mobile NL",
          "mcc": 204, "mnc": 16, "bsic": 0o43, "lac": 0x03F8, "ta": 1}],
        id="Telit (atcommander tests) #SERVINFO T-Mobile NL"),
    pytest.param(
        '#SERVINFO: 1020,-55,"Vodafone NL(","20404",61,00DE,00,0',
        [{"arfcn": 1020, "rxlev_dbm": -55.0, "operator": "Vodafone NL(", "bsic": 0o61, "lac": 0xDE,
          "ta": 0}],
        id="GE910 (atcommander tests) #SERVINFO 8 fields (no GPRS part)"),
    pytest.param(
        '#SERVINFO: 42,-93,"Turkcell","28601",63,855E,03,1,,"II",01,6',
        [{"arfcn": 42, "mcc": 286, "mnc": 1, "bsic": 0o63, "lac": 0x855E, "ta": 3}],
        id="GE910 (Arduino library) #SERVINFO Turkcell"),
    pytest.param(
        '#SERVINFO: ,,"vodafone NL","20404",,00DE,64,3,,"II"',
        [{"arfcn": None, "rxlev_dbm": None, "bsic": None, "lac": 0xDE, "ta": None}],
        id="Telit (atcommander tests) #SERVINFO empty fields, TA 64"),
    pytest.param(
        '#SERVINFO: ,,"vodafone NL","20404",,,256,1',
        [{"arfcn": None, "lac": None, "ta": None, "mcc": 204, "mnc": 4}],
        id="Telit (atcommander tests) #SERVINFO TA 256"),
    pytest.param(
        '#SERVINFO: ,,"vodafone NL","20404",,03X02D3,64,1,,"II"',
        [{"lac": None, "arfcn": None, "bsic": None}],
        id="Telit (atcommander tests) #SERVINFO corrupt LAC 03X02D3"),
    pytest.param(
        '#SERVINFO: 1001,-91,"vodafone NL","20404",FFFF7,00DE,00,1,,"II",03,6',
        [{"arfcn": 1001, "rxlev_dbm": -91.0, "bsic": None, "lac": 0xDE}],
        id="Telit (atcommander tests) #SERVINFO corrupt BSIC FFFF7"),
    pytest.param(
        '#SERVINFO: 65535,-0,"vodafone NL(","20404",65535,00DE,64,3,-255,"II",FF',
        [{"tech": "GSM", "arfcn": None, "rxlev_dbm": None, "rxlev": None, "bsic": None,
          "lac": 0xDE, "ta": None}],
        id="Telit (atcommander tests) #SERVINFO 65535 and -0"),
    pytest.param(
        '#SERVINFO: 0,,"NL KPN","20408",0,0000,0,1,-0,,00',
        [{"arfcn": None, "bsic": None, "lac": None, "ta": None, "operator": "NL KPN"}],
        id="Telit (atcommander tests) #SERVINFO not camped (zeros)"),
    pytest.param(
        '#SERVINFO: 3011,-79,"NL KPN","20408",90,00DE,64,1,-87',
        [{"tech": "UMTS", "arfcn": 3011, "pci": 90, "rscp_dbm": -87.0, "lac": 0xDE,
          "rxlev": None}],
        id="Telit 3G (atcommander tests) #SERVINFO UMTS"),
    pytest.param(
        '#SERVINFO: 6400,-43,"T-Mobile A","23203",00000AF,36EE,32,3,-60',
        [{"tech": "LTE", "arfcn": 6400, "ci": 0xAF, "lac": 0x36EE, "rsrp_dbm": -60.0}],
        id="Telit LTE module (public README) #SERVINFO LTE"),
]


@pytest.mark.parametrize(("line", "expected"), SERVINFO_ROWS)
def test_servinfo(line, expected):
    check(parse_servinfo(line), expected)


def test_servinfo_too_short_is_garbled():
    with pytest.raises(Garbled):
        parse_servinfo('#SERVINFO: 841,-95,"T-Mobile NL"')


def test_cced_le910r1():
    # LE910R1 firmware code path (docs/at-commands.md §3.3): Wavecom layout, idle, all levels filled.
    check(parse_cced("+CCED: 286,01,6B2A,F271,11,50,47,47,47,0,0,0,"),
          [{"mcc": 286, "mnc": 1, "lac": 0x6B2A, "ci": 0xF271, "bsic": 11, "arfcn": 50,
            "rxlev": 47, "rxlev_dbm": -63.0, "rxqual": None}])


def test_bcchlock_read_reply_unlocked_and_locked():
    (info,) = parse_bcchlock("#BCCHLOCK: 1024,0,65535,0,0")
    assert info.key == "bcch_lock" and info.value["locked"] is False
    assert info.value["bcch_arfcn"] is None
    (info,) = parse_bcchlock("#BCCHLOCK: 7,0,65535,0,0")
    assert info.value == {"bcch_arfcn": 7, "locked": True, "raw": [7, 0, 65535, 0, 0]}
    assert parse_bcchlock("#BCCHLOCK: (0-1024),(0-16383),(0-511,65535),(0-262143),(0-503,65535)") == []
    with pytest.raises(Garbled):
        parse_bcchlock("#BCCHLOCK: 7a,0")
    with pytest.raises(Garbled):
        parse_bcchlock("#BCCHLOCK: ")


@pytest.mark.parametrize(("token", "bsic"), [("70", 56), ("07", 7), ("7", 7), ("0", 0),
                                              ("FF", None), ("FFFF7", None), ("8", None),
                                              ("78", None), ("", None)])
def test_bsic_digits(token, bsic):
    assert bsic_digits(token) == bsic


def test_moni_table_fixture_serving_and_one_neighbour():
    result = parse_lines(fixture_lines("telit-moni-table-eplus.txt"), TELIT, "AT#MONI")
    assert result.skipped == 0
    roles = [(c.role, c.arfcn) for c in result.records]
    assert roles == [("serving", 1022), ("neighbour", 980), ("neighbour", 685)]


def test_moni_table_fixture_header_and_six_neighbours():
    result = parse_lines(fixture_lines("telit-moni-table-neighbours.txt"), TELIT, "AT#MONI")
    assert [c.bsic for c in result.records] == [0o77, 0o70, 0o74, 0o36, 0o75, 0o31]
    assert all(c.lac == 0xE720 for c in result.records)


def test_moni_table_rows_without_prefix_go_through_the_block_parser():
    lines = ["Cell BSIC LAC CellId ARFCN Power C1 C2 TA RxQual PLMN",
             "S 74 E720 9976 1022 -60dbm 45 0 1 0 E-Plus",
             "N2 70 E720 98A4 685 -75dbm 30 24"]
    result = parse_lines(lines, TELIT, "AT#MONI")
    check(result.records, [{"role": "serving", "arfcn": 1022, "operator": "E-Plus"},
                           {"role": "neighbour", "arfcn": 685, "bsic": 0o70}])


def test_garbled_table_row_is_skipped_and_counted():
    result = parse_lines(["#MONI: S 74 E720", "#MONI: N2 70 E720 98A4 6X5 -75dbm 30 24"], TELIT)
    assert result.records == [] and result.skipped == 2


def test_family_table():
    assert TELIT.lock_command.format(arfcn=62) == "AT#BCCHLOCK=62,0,65535,0,0"
    assert TELIT.unlock_command == "AT#BCCHLOCK=1024,0,65535,0,0"
    assert "AT#MONI=7" in TELIT.init_commands and "AT#MONI" in TELIT.poll_commands
    assert any("BCCHLOCK" in note for note in TELIT.notes)
    assert "cell_lock" in TELIT.fields and "tch_arfcn" not in TELIT.fields


def _exchanges(name: str):
    from drivers.transcript import read_transcript

    return read_transcript((FIXTURES / name).read_text(encoding="utf-8"))


def test_servinfo_fixture_every_reply_parses_without_a_wrong_number():
    results = [parse_lines(ex.lines, TELIT, ex.command) for ex in _exchanges("telit-servinfo-atcommander.txt")]
    assert all(r.skipped == 0 and len(r.records) == 1 for r in results)
    arfcns = [r.records[0].arfcn for r in results]
    assert arfcns == [1020, 841, None, 1001, None, None]


def test_moni_label_fixture():
    results = [parse_lines(ex.lines, TELIT, ex.command) for ex in _exchanges("telit-moni-label.txt")]
    assert [r.records[0].operator for r in results] == ["Cingular", "TR TURKCELL", "I TIM"]
