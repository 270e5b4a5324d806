"""NMEA logs (GGA/RMC of any talker) as a position track, and the join of a track to samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldapp import model
from fieldapp.nmea import format_gga, format_rmc
from logs.nmea_log import NmeaLogReader
from logs.track import attach_positions

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"


def test_bu353s4_log_gives_one_fix_per_second_with_date_from_rmc():
    r = NmeaLogReader(FIX / "nmea-bu353s4.log")
    fixes = list(r)
    assert len(fixes) == 25
    # $GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214 -> 2014-12-31 03:07:19 UTC
    assert fixes[0].ts_utc == 1419995239.0
    assert fixes[0].lat == pytest.approx(-(37 + 47.0873 / 60))
    assert fixes[0].alt_m == 59.9  # from the GGA of the same second
    assert [b - a for a, b in zip([f.ts_utc for f in fixes], [f.ts_utc for f in fixes[1:]])] == [1.0] * 24
    assert r.stats.unknown["GSA"] == 25 and r.stats.bad_count == 0


def test_any_talker_and_bad_checksums_are_reported(tmp_path):
    ts = 1752876668.0
    lines = [format_rmc(ts, 14.6, -17.4).replace("$GP", "$GN", 1),
             format_gga(ts + 1, 14.6, -17.4), format_rmc(ts + 1, 14.6, -17.4),
             "$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*00"]
    # re-checksum the GN line
    from fieldapp.nmea import format_sentence
    body = lines[0][1:lines[0].index("*")]
    lines[0] = format_sentence(body)
    p = tmp_path / "gn.nmea"
    p.write_text("\r\n".join(lines) + "\r\n")
    r = NmeaLogReader(p)
    fixes = list(r)
    assert [f.ts_utc for f in fixes] == [ts, ts + 1]
    assert [b.line_no for b in r.stats.bad_lines] == [4]


def test_track_is_joined_to_samples_by_time_never_from_the_future():
    samples = [model.Sample(ts_utc=t) for t in (10.0, 11.5, 20.0, 40.0)]
    fixes = [model.Position(ts_utc=t, lat=1.0 + t, lon=2.0) for t in (9.0, 11.0, 12.0, 30.0)]
    out = list(attach_positions(samples, fixes, max_age_s=5.0))
    got = [(r.ts_utc, r.position.ts_utc if r.position else None) for r in out if isinstance(r, model.Sample)]
    # 10 <- fix 9; 11.5 <- fix 11 (not 12, later); 20 <- fix 12 is 8 s old: none; 40 <- fix 30 too old
    assert got == [(10.0, 9.0), (11.5, 11.0), (20.0, None), (40.0, None)]
    assert sum(isinstance(r, model.Position) for r in out) == 4


def test_truncated_and_corrupted_copies_of_the_bu353s4_log(tmp_path):
    lines = (FIX / "nmea-bu353s4.log").read_bytes().split(b"\n")
    rmc = [i for i, ln in enumerate(lines) if ln.startswith(b"$GPRMC")]
    lines[rmc[3]] = lines[rmc[3]].replace(b",A,3747", b",A,3747.9")  # checksum no longer matches
    lines[rmc[5]] = b"$GP\xff\x00 noise"
    data = b"\n".join(lines)
    cut = data.index(lines[rmc[10]]) + 40  # inside the 11th RMC, before its checksum
    p = tmp_path / "cut.log"
    p.write_bytes(data[:cut])
    r = NmeaLogReader(p)
    fixes = list(r)
    assert [b.line_no for b in r.stats.bad_lines] == [rmc[3] + 1, rmc[5] + 1, rmc[10] + 1]
    assert "cut short" in r.stats.bad_lines[-1].reason
    # 10 complete seconds before the cut, two of them without their RMC: their GGA alone gives
    # the fix once the next second starts (the date is known from earlier RMCs).
    assert len(fixes) == 10 and all(f.lat < -37.7 for f in fixes)
