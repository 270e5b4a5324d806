"""u-blox parsers: +UCGED mode 2 blocks and +CGED label:value (docs/at-commands.md §3.4)."""

from __future__ import annotations

import pytest

from drivers.families import get_family, parse_lines
from drivers.families.fields import Garbled
from drivers.families.ublox import parse_cged, parse_ucged, parse_ucged_block
from fieldapp.model import Cell, Info
from tests.drivers.parser_support import FIXTURES, check, fixture_lines

UBLOX = get_family("ublox")




def test_ucged_sara_r5_capture_through_parse_lines():
    result = parse_lines(fixture_lines("sara-r5-ucged-lte.txt"), UBLOX, "AT+UCGED?")
    assert result.skipped == 0
    check(result.records, [
        {"kind": "info", "key": "service", "value": "registered"},
        {"kind": "cell", "tech": "LTE", "mcc": None, "mnc": None, "arfcn": 5110, "lac": None,
         "ci": None, "pci": 254, "rsrp_dbm": -114.0, "rsrq_db": -12.5, "sinr_db": 0.5}])


UCGED_BLOCKS = [
    pytest.param(["6,4,001,01",
                  "2525,5,50,50,e8fe,1a2d001,1,d60814d1,8001,01,28,31,13.75,3,1,10,28,-50,-6,0,255,255,0"],
                 [{"key": "service"},
                  {"tech": "LTE", "mcc": 1, "mnc": 1, "arfcn": 2525, "lac": 0xE8FE, "ci": 0x1A2D001,
                   "pci": 1, "rsrp_dbm": -113.0, "rsrq_db": -4.5, "sinr_db": 13.75}],
                 id="SARA-R5 +UCGED LTE (ubxlib comment)"),
    pytest.param(["6,2,fff,fff",
                  "65535,255,255,255,ffff,0000000,65535,00000000,ffff,ff,255,255,255,1,255,255,255,255,255,0,255,255,0"],
                 [{"key": "service", "value": "searching"}],
                 id="SARA-R510 +UCGED LTE nothing known (Particle comment)"),
    pytest.param(["2,4,222,01", "20,0,5e3c,3b,2a1f,ff,40,255,255,1"],
                 [{"key": "service"}, {"tech": "GSM", "mcc": 222, "mnc": 1, "rxlev": 40, "rxlev_dbm": -70.0,
                                       "arfcn": None, "lac": None, "ci": None}],
                 id="edge: +UCGED GSM line: only the documented RXLEV is read"),
    pytest.param(["2,4,222,01", "20,0,5e3c,3b,2a1f,ff,255,255,255,1"],
                 [{"key": "service"}, {"tech": "GSM", "rxlev": None}], id="edge: +UCGED GSM RXLEV 255"),
    pytest.param(["5110,13,50,50"], [], id="edge: +UCGED body line without its rat line"),
]


@pytest.mark.parametrize(("lines", "expected"), UCGED_BLOCKS)
def test_ucged_block(lines, expected):
    check(parse_ucged_block(lines), expected)


def test_ucged_final_code_after_a_rat_line_is_not_a_body():
    result = parse_lines(["+UCGED: 2", "6,2,fff,fff", "OK"], UBLOX, "AT+UCGED?")
    assert result.skipped == 0
    check(result.records, [{"key": "service", "value": "searching"}])


def test_ucged_block_short_lte_line_is_garbled_and_counted():
    result = parse_lines(["+UCGED: 2", "6,4,001,01", "2525,5,50"], UBLOX, "AT+UCGED?")
    assert result.skipped == 2 and result.records == []


def test_ucged_prefixed_line():
    assert parse_ucged("+UCGED: 2") == []
    with pytest.raises(Garbled):
        parse_ucged("+UCGED: two")


CGED_ROWS = [
    pytest.param("+CGED: MCC:230, MNC:  3, LAC:878c, CI:2a95,",
                 [{"mcc": 230, "mnc": 3, "lac": 0x878C, "ci": 0x2A95, "arfcn": None}],
                 id="LEON-G100 +CGED (space-padded MNC)"),
    pytest.param("+CGED: MCC:000, MNC:  0, LAC:0000, CI:ffff,",
                 [{"mcc": None, "mnc": None, "lac": None, "ci": None}], id="edge: +CGED nothing decoded"),
]


@pytest.mark.parametrize(("line", "expected"), CGED_ROWS)
def test_cged(line, expected):
    check(parse_cged(line), expected)


def test_cged_other_layout_not_claimed():
    assert parse_cged("+CGED: 0,1,2") is None


def test_family_table():
    assert UBLOX.block_parsers["AT+UCGED"] is parse_ucged_block
    assert "AT+UCGED?" in UBLOX.poll_commands and "AT+UCGED=2" in UBLOX.init_commands
    assert UBLOX.lock_command is None
    recs = parse_lines(["+UCGED: 2", "6,4,001,01"], UBLOX, "AT+UCGED?").records
    assert [type(r) for r in recs] == [Info] and not any(isinstance(r, Cell) for r in recs)


def test_cged_fixture_leon_g100():
    from drivers.transcript import read_transcript

    (ex,) = read_transcript((FIXTURES / "leon-g100-cged.txt").read_text(encoding="utf-8"))
    result = parse_lines(ex.lines, UBLOX, ex.command)
    check(result.records, [{"mcc": 230, "mnc": 3, "lac": 0x878C, "ci": 0x2A95}])
