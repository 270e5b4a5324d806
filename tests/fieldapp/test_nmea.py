"""fieldapp.nmea: checksum, GGA/RMC parsing from any talker, formatting, GGA+RMC → Position.

Real sentences: GlobalSat BU-353-S4 (SiRF IV) from gpsd's test log test/daemon/bu353s4.log
(ntpsec/gpsd @ 3652a3178afde8029f078bebb96d6c7b500d3b52, BSD-2-Clause), Hamilton NZ, 2014-12-31.
"""

from __future__ import annotations

import calendar

import pytest

from fieldapp import nmea
from fieldapp.model import Position

TS_030719 = calendar.timegm((2014, 12, 31, 3, 7, 19))

# (device, line, expected fields) — one row per real sentence
REAL_GGA = [
    ("GlobalSat BU-353-S4", "$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D",
     dict(time_s=3 * 3600 + 7 * 60 + 19, lat=-(37 + 47.0873 / 60), lon=175 + 18.8938 / 60, quality=1,
          sats=8, hdop=1.1, alt_m=59.9)),
    ("GlobalSat BU-353-S4", "$GPGGA,030720.000,3747.0875,S,17518.8938,E,1,08,1.1,59.8,M,23.7,M,,0000*70",
     dict(time_s=3 * 3600 + 7 * 60 + 20, lat=-(37 + 47.0875 / 60), alt_m=59.8)),
]
REAL_RMC = [
    ("GlobalSat BU-353-S4", "$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D",
     dict(ts_utc=TS_030719, valid=True, lat=-(37 + 47.0873 / 60), course_deg=181.39,
          speed_mps=0.69 * 0.514444)),
    ("GlobalSat BU-353-S4", "$GPRMC,030721.000,A,3747.0876,S,17518.8934,E,0.89,181.39,311214,,,A*71",
     dict(ts_utc=TS_030719 + 2, lon=175 + 18.8934 / 60, speed_mps=0.89 * 0.514444)),
]


@pytest.mark.parametrize(("device", "line", "expected"), REAL_GGA, ids=[r[0] + " GGA" for r in REAL_GGA])
def test_gga_from_real_receivers(device, line, expected):
    gga = nmea.parse_sentence(line)
    assert isinstance(gga, nmea.Gga)
    assert gga.talker == "GP"
    for key, value in expected.items():
        assert getattr(gga, key) == pytest.approx(value), key


@pytest.mark.parametrize(("device", "line", "expected"), REAL_RMC, ids=[r[0] + " RMC" for r in REAL_RMC])
def test_rmc_from_real_receivers(device, line, expected):
    rmc = nmea.parse_sentence(line)
    assert isinstance(rmc, nmea.Rmc)
    for key, value in expected.items():
        assert getattr(rmc, key) == pytest.approx(value), key


def test_two_digit_year_2014_is_not_2034():
    rmc = nmea.parse_sentence(REAL_RMC[0][1])
    assert rmc.ts_utc == TS_030719  # 2014-12-31, the trap gpsd once fell into


def test_checksum_of_a_real_sentence():
    line = REAL_GGA[0][1]
    assert nmea.checksum(line[1:line.index("*")]) == "7D"


def test_a_wrong_checksum_is_refused():
    with pytest.raises(nmea.NmeaError, match="checksum"):
        nmea.parse_sentence("$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7E")


@pytest.mark.parametrize("talker", ["GN", "GL", "GA", "BD"])
def test_any_talker_is_read_by_sentence_type(talker):
    body = REAL_GGA[0][1][3:REAL_GGA[0][1].index("*")]  # "GGA,030719.000,..."
    line = nmea.format_sentence(talker + body)
    gga = nmea.parse_sentence(line)
    assert isinstance(gga, nmea.Gga) and gga.talker == talker
    assert gga.lat == pytest.approx(-(37 + 47.0873 / 60))


@pytest.mark.parametrize("line", [
    "$GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5*33",  # BU-353-S4: not a position sentence
    "# Name: GlobalSat BU-353-S4",  # gpsd log header
    "",
])
def test_other_lines_are_not_positions(line):
    assert nmea.parse_sentence(line) is None


@pytest.mark.parametrize(("line", "why"), [
    ("$GPGGA,0307,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000", "bad time"),
    ("$GPGGA,030719.000,3747.0873,Q,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000", "hemisphere"),
    ("$GPGGA,030719.000,3799.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000", "coordinate"),
    ("$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311314,,,A", "bad date"),
    ("$GPGGA,030719.000,3747.0873,S", "fields"),
])
def test_broken_sentences_say_why(line, why):
    with pytest.raises(nmea.NmeaError, match=why):
        nmea.parse_sentence(line)


def test_format_then_parse_round_trip_is_centimetre_exact():
    ts = calendar.timegm((2026, 11, 28, 10, 15, 0)) + 0.0
    lat, lon = 48.2012345, -16.3754321
    gga = nmea.parse_sentence(nmea.format_gga(ts, lat, lon, alt_m=123.4, sats=9, hdop=0.8))
    rmc = nmea.parse_sentence(nmea.format_rmc(ts, lat, lon, speed_mps=11.1, course_deg=271.5))
    assert gga.lat == pytest.approx(lat, abs=2e-7) and gga.lon == pytest.approx(lon, abs=2e-7)
    assert gga.alt_m == pytest.approx(123.4) and gga.sats == 9
    assert rmc.ts_utc == ts and rmc.speed_mps == pytest.approx(11.1, abs=0.01)
    assert rmc.course_deg == pytest.approx(271.5)


def test_format_handles_minutes_that_round_up_to_sixty():
    line = nmea.format_gga(0.0, 10.9999999999, 20.0)
    assert nmea.parse_sentence(line).lat == pytest.approx(11.0, abs=1e-6)


def test_assembler_joins_gga_and_rmc_of_one_second():
    asm = nmea.PositionAssembler()
    out = [asm.feed(nmea.parse_sentence(line)) for line in (REAL_GGA[0][1], REAL_RMC[0][1])]
    assert out[0] is None
    pos = out[1]
    assert isinstance(pos, Position)
    assert pos.ts_utc == TS_030719 and pos.alt_m == pytest.approx(59.9) and pos.sats == 8
    assert pos.speed_mps == pytest.approx(0.69 * 0.514444) and pos.fix_quality == 1


def test_assembler_uses_gga_alone_once_the_date_is_known():
    asm = nmea.PositionAssembler()
    asm.feed(nmea.parse_sentence(REAL_RMC[0][1]))  # date from RMC
    asm.feed(nmea.parse_sentence(REAL_GGA[1][1]))  # 03:07:20 GGA, no RMC for it
    nxt = nmea.format_gga(TS_030719 + 2, -37.78, 175.31)
    pos = asm.feed(nmea.parse_sentence(nxt))
    assert pos is not None and pos.ts_utc == TS_030719 + 1 and pos.alt_m == pytest.approx(59.8)


def test_no_fix_is_no_position():
    asm = nmea.PositionAssembler()
    void = nmea.format_rmc(TS_030719, 0.0, 0.0, valid=False)
    assert asm.feed(nmea.parse_sentence(void)) is None
    gga0 = nmea.format_gga(TS_030719 + 1, 0.0, 0.0, quality=0)
    asm.feed(nmea.parse_sentence(gga0))
    assert asm.feed(nmea.parse_sentence(nmea.format_gga(TS_030719 + 2, 1.0, 1.0, quality=0))) is None
