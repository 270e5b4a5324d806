"""Properties every family's line parsers must keep, whatever the line (hypothesis):

- nothing but ``Garbled`` leaves a parser, and ``parse_lines`` swallows it (counted as skipped);
- every record serialises to JSON (``fieldapp parse-at`` prints ``record.to_json()``);
- every Cell / Signal / Registration / CallState value is physically possible or None: a broken
  line may lose values, never turn into a wrong number.

Inputs: random text after each registered prefix, token soup in the shapes devices print, and
mutations (byte flips, truncation, field deletion/duplication) of real lines: the reply tables
of the parser tests and every fixture under tests/fixtures/at (all families' files).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.families import FAMILIES, parse_lines
from drivers.families.base import find_parser
from drivers.families.fields import Garbled
from drivers.transcript import read_transcript
from fieldapp import radio
from fieldapp.model import CLCC_STAT, GSM, CallState, Cell, Registration, Signal
from tests.drivers import test_parse_3gpp, test_parse_quectel, test_parse_simcom

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "at"
MY_FAMILIES = ("generic", "quectel", "quectel-2g", "simcom", "simcom-lte")
SETTINGS = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _real_lines() -> list[str]:
    lines: set[str] = set()
    for module in (test_parse_3gpp, test_parse_quectel, test_parse_simcom):
        for name, value in vars(module).items():
            if name.endswith("_ROWS"):
                lines.update(row[1] for row in value if isinstance(row[1], str))
    for path in sorted(FIXTURES.glob("*.txt")):
        for exchange in read_transcript(path.read_text(encoding="utf-8", errors="replace")):
            lines.update(line.strip() for line in exchange.lines if line.strip())
    return sorted(lines)


REAL_LINES = _real_lines()
FAMILY_NAMES = sorted(FAMILIES)
# The real lines each family claims (its own prefixes and the generic ones), for mutation.
CLAIMED = {name: [line for line in REAL_LINES if find_parser(line, fam) is not None]
           for name, fam in FAMILIES.items()}

# Tokens devices print: numbers, hex, unknown markers, quoted words, units.
TOKENS = st.one_of(
    st.integers(-400, 70000).map(str),
    st.integers(0, 0xFFFFFFF).map(lambda v: f"{v:X}"),
    st.sampled_from(["-", "x", "", "h", "ffff", "FFFF", "255", "99", "127", "0000", "65535", "-0",
                     '"GSM"', '"LTE"', '"WCDMA"', '"servingcell"', '"neighbourcell"', '"NOCONN"',
                     '"CONNECT"', '"SEARCH"', "0x1A2B", "-78dbm", "PWR:-99dbm", "(8,-71,32)",
                     "EFR", '"-"', "Online", "262-01", "79 EGSM 900", "24-24", "[SCELL]", "ARFCN:34",
                     "BEGIN", "END: 000041", '"', "S", "N1", "TA:", "h1"]),
    st.text(alphabet="0123456789abcdefxX-+:\"(). ;", max_size=6),
)


def _mutate(line: str, kind: str, pos: int, char: str) -> str:
    if not line:
        return line
    i = pos % len(line)
    if kind == "flip":
        return line[:i] + char + line[i + 1:]
    if kind == "truncate":
        return line[:i]
    if kind == "insert":
        return line[:i] + char + line[i:]
    parts = line.split(",")
    j = pos % len(parts)
    if kind == "delete_field" and len(parts) > 1:
        return ",".join(parts[:j] + parts[j + 1:])
    if kind == "duplicate_field":
        return ",".join(parts[:j + 1] + parts[j:])
    return line


def _in(value, lo, hi) -> bool:
    return value is None or lo <= value <= hi


def assert_physical(rec) -> None:
    """Ranges from radio.py and 27.007; RXLEV 63 is -47 dBm in our convention (RXLEV - 110)."""
    json.dumps(rec.to_json())
    if isinstance(rec, Cell):
        assert _in(rec.rxlev, 0, 63) and _in(rec.rxlev_full, 0, 63) and _in(rec.rxlev_sub, 0, 63), rec
        assert _in(rec.rxlev_dbm, -110, -47), rec
        if rec.rxlev is not None and rec.rxlev_dbm is not None:
            assert abs(rec.rxlev_dbm - (rec.rxlev - 110)) <= 1, rec
        assert _in(rec.rxqual, 0, 7) and _in(rec.rxqual_sub, 0, 7), rec
        assert _in(rec.bsic, 0, 63) and _in(rec.ta, 0, 63), rec
        assert _in(rec.mcc, 0, 999) and _in(rec.mnc, 0, 999), rec
        assert _in(rec.lac, 0, 0xFFFFFF) and _in(rec.ci, 0, 0xFFFFFFFFF), rec
        if rec.tech == GSM:
            assert rec.arfcn is None or radio.valid_arfcn(rec.arfcn) == rec.arfcn, rec
        assert _in(rec.rsrp_dbm, -156, -31) and _in(rec.rsrq_db, -35, 20), rec
        assert _in(rec.rscp_dbm, -125, -20) and _in(rec.ecno_db, -30, 0), rec
        assert _in(rec.pci, 0, 1007), rec
        ch = rec.channel
        if ch is not None:
            assert ch.tch_arfcn is None or radio.valid_arfcn(ch.tch_arfcn) == ch.tch_arfcn, rec
            assert _in(ch.timeslot, 0, 7) and _in(ch.maio, 0, 63) and _in(ch.hsn, 0, 63), rec
            assert not (ch.hopping and ch.tch_arfcn is not None), rec
    elif isinstance(rec, Signal):
        assert _in(rec.rssi_dbm, -113, -51) and _in(rec.rssi_raw, 0, 31), rec
        assert _in(rec.rxqual, 0, 7) and _in(rec.rxlev, 0, 63), rec
        assert _in(rec.rsrp_dbm, -141, -44) and _in(rec.rsrq_db, -20, -3), rec
        assert _in(rec.rscp_dbm, -121, -25) and _in(rec.ecno_db, -24.5, 0), rec
    elif isinstance(rec, Registration):
        assert _in(rec.stat, 0, 11) and _in(rec.act, 0, 13), rec
        assert _in(rec.lac, 0, 0xFFFFFF) and _in(rec.ci, 0, 0xFFFFFFFFF), rec
    elif isinstance(rec, CallState):
        assert rec.state is None or rec.state in CLCC_STAT.values(), rec
        assert rec.direction in (None, "mo", "mt"), rec
        assert rec.duration_s is None or rec.duration_s >= 0, rec


def _check_line(line: str, family) -> None:
    result = parse_lines([line], family)  # must not raise
    assert result.skipped in (0, 1)
    for rec in result.records:
        assert_physical(rec)


def test_the_corpus_has_real_lines_of_every_kind():
    prefixes = {"+CENG:", "+QENG:", "+CREG:", "+CPSI:", "+CLCC:", "+CEER:", "+CCINFO:"}
    assert all(any(line.upper().startswith(p) for line in REAL_LINES) for p in prefixes)
    # every corpus line (some are deliberately damaged captures) goes through the dispatcher
    # with every family's parsers at once, and what comes out is physically possible
    for line in REAL_LINES:
        _check_line(line, None)


@pytest.mark.parametrize("family_name", FAMILY_NAMES)
@SETTINGS
@given(data=st.data())
def test_random_text_and_token_soup_after_each_prefix(family_name, data):
    family = FAMILIES[family_name]
    if data.draw(st.booleans()):  # free text after any prefix the family answers to
        prefixes = sorted(family.line_parsers) + sorted(FAMILIES["generic"].line_parsers)
        prefix = data.draw(st.sampled_from(prefixes))
        rest = data.draw(st.sampled_from(["", " "])) + data.draw(st.text(max_size=120))
    else:  # the tokens devices print, in random order and number
        prefix = data.draw(st.sampled_from(sorted(family.line_parsers)))
        sep = data.draw(st.sampled_from([",", " ", ", ", ";"]))
        rest = " " + sep.join(data.draw(st.lists(TOKENS, max_size=32)))
    _check_line(prefix + rest, family)


@pytest.mark.parametrize("family_name", FAMILY_NAMES)
@SETTINGS
@given(data=st.data(),
       mutations=st.lists(st.tuples(
           st.sampled_from(["flip", "truncate", "insert", "delete_field", "duplicate_field"]),
           st.integers(0, 10_000), st.characters(codec="utf-8")), min_size=1, max_size=3))
def test_mutated_real_lines(family_name, data, mutations):
    line = data.draw(st.sampled_from(CLAIMED[family_name]))
    for kind, pos, char in mutations:
        line = _mutate(line, kind, pos, char)
    _check_line(line, FAMILIES[family_name])


@pytest.mark.parametrize("family_name", MY_FAMILIES)
@SETTINGS
@given(data=st.data())
def test_my_parsers_raise_only_garbled(family_name, data):
    """Stricter than parse_lines needs: these parsers raise Garbled, never a bare
    ValueError/IndexError that would hide a bug."""
    family = FAMILIES[family_name]
    prefix = data.draw(st.sampled_from(sorted(family.line_parsers)))
    if data.draw(st.booleans()):
        rest = " " + data.draw(st.sampled_from([",", " ", ", "])).join(data.draw(st.lists(TOKENS, max_size=30)))
    else:
        real = [x for x in CLAIMED[family_name] if x.upper().startswith(prefix.upper())] or [prefix]
        rest = _mutate(data.draw(st.sampled_from(real)), data.draw(st.sampled_from(
            ["flip", "truncate", "delete_field", "duplicate_field"])), data.draw(st.integers(0, 500)),
            data.draw(st.characters(codec="utf-8")))[len(prefix):]
    try:
        records = family.line_parsers[prefix]((prefix + rest).strip())
    except Garbled:
        return
    for rec in records or []:
        assert_physical(rec)
