"""Wavecom / Sierra parsers: +CCED dumps and +WIND call indications (docs/at-commands.md §3.6, §1.2)."""

from __future__ import annotations

import pytest

from drivers.families import get_family, parse_lines
from drivers.families.fields import Garbled
from drivers.families.wavecom import parse_cced, parse_wind
from fieldapp.model import CallState, Cell
from tests.drivers.parser_support import check, fixture_lines

WAVECOM = get_family("wavecom")




NEIGHBOURS_6 = ("208,20,0006,989b,37,835,20,208,20,0002,02a9,37,831,12,208,20,0101,7966,34,818,8,"
                "208,20,0006,9899,39,713,9,208,20,0002,0a72,33,711,12,208,20,0101,03fb,36,824,10")

CCED_ROWS = [
    pytest.param(
        "+CCED: 286,01,6B2A,F271,11,50,47,47,47,0,0,0,",
        [{"role": "serving", "mcc": 286, "mnc": 1, "lac": 0x6B2A, "ci": 0xF271, "bsic": 11,
          "arfcn": 50, "rxlev": 47, "rxlev_dbm": -63.0, "rxlev_full": 47, "rxlev_sub": 47,
          "rxqual": None, "state": None}],
        id="LE910R1 +CCED (Wavecom layout, every level filled)"),
    pytest.param(
        "+CCED:208,20,0002,0418,37,706,24,,,0,,,0," + NEIGHBOURS_6 + ",1",
        [{"role": "serving", "mcc": 208, "mnc": 20, "lac": 2, "ci": 0x418, "bsic": 37, "arfcn": 706,
          "rxlev": 24, "rxlev_dbm": -86.0, "rxqual": None, "state": "idle", "ta": 1},
         {"role": "neighbour", "ci": 0x989B, "arfcn": 835, "rxlev": 20},
         {"ci": 0x2A9, "arfcn": 831}, {"arfcn": 818, "rxlev": 8}, {"arfcn": 713},
         {"arfcn": 711}, {"ci": 0x3FB, "arfcn": 824, "rxlev": 10}],
        id="Fargo Maestro / Multi-Tech manual +CCED dump 7 (text repaired: 208,20 neighbours)"),
    pytest.param(
        "+CCED: 208,20,0002,0418,37,706,,30,28,3,3,2,0",
        [{"state": "dedicated", "rxlev": 30, "rxlev_full": 30, "rxlev_sub": 28, "rxqual": 3,
          "rxqual_sub": 2, "rxlev_dbm": -80.0}],
        id="edge: +CCED dedicated (RxLev empty, Full/Sub filled)"),
    pytest.param(
        "+CCED: 208,20,0002,,37,706,24,,,0,,,0",
        [{"ci": None, "arfcn": 706, "rxlev": 24}], id="edge: +CCED CI not known (empty field)"),
    pytest.param(
        "+CCED: 0,0,,,,,,,,,,,",
        [], id="edge: +CCED no service, nothing measured"),
    pytest.param(
        "+CCED: 0,0,0002,0418,37,706,24,,,0,,,0",
        [{"mcc": None, "mnc": None, "arfcn": 706, "rxlev": 24}], id="edge: +CCED MCC/MNC 0 = no service"),
    pytest.param(
        "+CCED: 208,20,0002,0418,37,706,70,,,0,,,0",
        [{"rxlev": None, "rxlev_dbm": None, "arfcn": 706}], id="edge: +CCED RxLev out of 0..63"),
    pytest.param(
        "+CCED:GSM current cell info:460,00,18be,5045,13,63,63,6",
        [{"mcc": 460, "mnc": 0, "lac": 0x18BE, "ci": 0x5045, "bsic": 13, "rxlev": 63,
          "rxlev_dbm": -47.0, "rxlev_sub": 63, "arfcn": 6}],
        id="Luat Air780 +CCED current cell info (openluat docs)"),
    pytest.param(
        "+CCED:208,20,0002,0418,37,706,24,,,0,,,0," + NEIGHBOURS_6 + ",1,3,4,5,6,7,70",
        [{"role": "serving", "ta": 1}, {"arfcn": 835, "ta": 3}, {"ta": 4}, {"ta": 5}, {"ta": 6},
         {"ta": 7}, {"arfcn": 824, "ta": None}],
        id="edge: +CCED dump 16 (neighbour TAs, one out of range)"),
    pytest.param(
        "+CCED:208,20,0002,0418,37,706,24,,,0,,,0,1,208,20,0006,989b,37,835,20,3,"
        "208,20,0002,02a9,37,831,12,4",
        [{"role": "serving", "ta": 1, "arfcn": 706}, {"arfcn": 835, "ta": 3}, {"arfcn": 831, "ta": 4}],
        id="edge: +CCED Westermo GDW-11 dump 7 order (each TA after its cell)"),
    pytest.param(
        "+CCED: 208,20,0002,37,706,24,,,0,,,0,1",
        [{"role": "serving", "ci": None, "bsic": 37, "arfcn": 706, "rxlev": 24, "ta": 1}],
        id="edge: +CCED main cell without CI (Multi-Tech: omitted when unknown) + TA"),
    pytest.param("+CCED: 460,00,1806,5045,13,6,40,0,0,0,0,0,0,0,0,0,0,0,0,0",
                 [{"role": "serving", "mcc": 460, "mnc": 0, "arfcn": 6, "rxlev": 40}],
                 id="edge: +CCED ZTE ME3000 style, unavailable neighbour as zeros"),
    pytest.param("+CCED: 2", [{"role": "serving", "ta": 2, "arfcn": None}],
                 id="edge: +CCED dump 4 (main cell TA only)"),
    pytest.param(
        "+CCED: " + NEIGHBOURS_6,
        [{"role": "neighbour", "arfcn": 835}, {"arfcn": 831}, {"arfcn": 818}, {"arfcn": 713},
         {"arfcn": 711}, {"arfcn": 824}],
        id="edge: +CCED dump 2 (neighbours only)"),
]


@pytest.mark.parametrize(("line", "expected"), CCED_ROWS)
def test_cced(line, expected):
    check(parse_cced(line), expected)


# Multi-Tech S000293I main cell with one damage each: what comes before the damage is kept.
@pytest.mark.parametrize("line,expected", [
    ("+CCED: 208,20,0002,0418,37,706,24,,,0",  # three trailing fields missing
     {"mcc": 208, "arfcn": 706, "rxlev": 24, "ci": 0x418}),
    ("+CCED: 208,20,0002,0418,37,7O6,24,,,0,,,0",  # letter O inside the BCCH: shifted from there
     {"mcc": 208, "mnc": 20, "lac": 2, "ci": 0x418, "bsic": 37, "arfcn": None, "rxlev": None}),
    ("+CCED: 2080,20,0002,0418,37,706,24,,,0,,,0",  # MCC out of range: that field only
     {"mcc": None, "mnc": None, "lac": 2, "ci": 0x418, "arfcn": 706, "rxlev": 24}),
])
def test_cced_damaged_main_cell_keeps_what_is_certain(line, expected):
    result = parse_lines([line], WAVECOM)
    assert result.skipped == 0
    check(result.records[:1], [expected])


def test_cced_damaged_manual_text_keeps_what_is_before_the_damage():
    # The manual's own example lost and gained commas in the PDF wrap ("208,,20" in the second
    # neighbour); its field count still fits "main + 6 neighbours + TA", so only the field
    # shapes can tell. The main cell and the first neighbour come before the damage: certain.
    result = parse_lines(fixture_lines("wavecom-cced-multitech-damaged.txt"), WAVECOM, "AT+CCED=0")
    assert result.skipped == 0
    check(result.records, [
        {"role": "serving", "mcc": 208, "mnc": 20, "lac": 2, "ci": 0x418, "bsic": 37, "arfcn": 706,
         "rxlev": 24},
        {"role": "neighbour", "mcc": 208, "mnc": 20, "lac": 6, "ci": 0x989B, "arfcn": 835, "rxlev": 20}])


WIND_ROWS = [
    pytest.param("+WIND: 5,1", [{"kind": "call", "index": 1, "state": "dialing"}],
                 id="Wavecom MULTIBAND +WIND: 5 call created (python-gsmmodem)"),
    pytest.param("+WIND: 2", [{"kind": "call", "state": "alerting", "direction": "mo"}],
                 id="Wavecom MULTIBAND +WIND: 2 remote ringing (python-gsmmodem)"),
    pytest.param("+WIND: 6,1", [{"kind": "call", "index": 1, "state": "released"}],
                 id="Wavecom MULTIBAND +WIND: 6 call released (python-gsmmodem)"),
    pytest.param("+WIND: 4", [{"kind": "urc", "name": "+WIND", "text": "4"}], id="edge: +WIND: 4 ready"),
]


@pytest.mark.parametrize(("line", "expected"), WIND_ROWS)
def test_wind(line, expected):
    check(parse_wind(line), expected)


def test_wind_garbled():
    with pytest.raises(Garbled):
        parse_wind("+WIND: five")


def test_wind_call_sequence_fixture():
    # NO CARRIER between them is the generic parser's; only the +WIND lines are read here.
    lines = [x for x in fixture_lines("wavecom-multiband-call.txt") if x.startswith("+WIND")]
    result = parse_lines(lines, WAVECOM)
    states = [r.state for r in result.records if isinstance(r, CallState)]
    assert states == ["dialing", "alerting", "released"]


def test_gsminfo_block_reads_the_decimal_cell_id():
    lines = ["!GSMINFO: ", "Cell ID:\t12345", "LAC:\t1234", "RAC:\t1"]
    result = parse_lines(lines, WAVECOM, "AT!GSMINFO?")
    (cell,) = [r for r in result.records if isinstance(r, Cell)]
    assert cell.ci == 12345 and cell.lac is None


def test_family_table():
    fam = WAVECOM
    assert fam.call_state_by == "urc" and "AT+WIND=50" in fam.init_commands
    assert "AT+CPIN?" in fam.no_final_ok
    assert fam.lock_command is None
    assert "+WIND:" in fam.urc_prefixes


def test_sierra_family_is_selectable_by_name_only():
    from drivers.families import identify_family

    sierra = get_family("sierra")
    assert sierra is not None and sierra.match == ()
    assert identify_family("Sierra Wireless, Incorporated\nMC7710").name == "wavecom"
    result = parse_lines(["!GSMINFO: ", "Cell ID:\t4711", "LAC:\t0x12"], sierra, "AT!GSMINFO?")
    assert [c.ci for c in result.records] == [4711]


def test_the_token_layers_fast_paths_agree_with_its_careful_paths():
    """tokens() is split_fields+clean by string operations; dec/hexnum take bare digits by a
    shortcut (a leading space sends the same token down the careful path)."""
    import random

    from drivers.families.fields import clean, dec, hexnum, split_fields, tokens

    rnd = random.Random(11)
    for _ in range(5000):
        text = "".join(rnd.choice('ab ,"1-F0x') for _ in range(rnd.randint(0, 16)))
        assert tokens(text) == [clean(x) for x in split_fields(text)], text
        for tok in tokens(text) + split_fields(text):
            assert dec(tok, lo=0, hi=99) == dec(" " + tok, lo=0, hi=99), tok
            assert hexnum(tok, lo=1, hi=0xFFFE) == hexnum(" " + tok, lo=1, hi=0xFFFE), tok
