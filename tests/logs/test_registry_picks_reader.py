"""The registry picks the reader by content (can_read + priority), not by file name alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from logs.registry import UnknownFormat, get_reader, pick_reader, readers

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"


@pytest.mark.parametrize("fixture,expected", [
    ("nemo-RYG0443_R3_R002.3.nmf", "nemo"),
    ("gnettrack-Yas_log.txt", "gnettrack"),
    ("gnettrack-Yas_log_events.txt", "gnettrack-events"),
    ("nmea-bu353s4.log", "nmea"),
    ("tems-cells.cel", "tems-cel"),
    ("tems-cells.xml", "tems-xml"),
    ("gmon-cells.clf", "clf"),
    ("cells-plan.csv", "cells-csv"),
])
def test_each_fixture_gets_its_reader(fixture, expected):
    assert pick_reader(FIX / fixture).name == expected


def test_content_wins_over_the_file_name(tmp_path):
    # A Nemo file saved as .txt and a G-NetTrack log saved as .log are still recognised.
    shutil.copy(FIX / "nemo-RYG0443_R3_R002.3.nmf", tmp_path / "drive.txt")
    raw = (FIX / "nemo-RYG0443_R3_R002.3.nmf").read_bytes()
    (tmp_path / "plain.log").write_bytes(raw[raw.index(b"#PRODUCT"):])  # without the comment header
    shutil.copy(FIX / "gnettrack-Yas_log.txt", tmp_path / "phone.log")
    assert pick_reader(tmp_path / "plain.log").name == "nemo"
    assert pick_reader(tmp_path / "phone.log").name == "gnettrack"


def test_native_export_is_recognised_first(tmp_path):
    p = tmp_path / "x.csv"  # a misleading suffix
    p.write_text('{"type":"header","format":"fieldapp-session","version":"1.0"}\n')
    assert pick_reader(p).name == "native"


def test_format_override_and_unknown_names(tmp_path):
    p = tmp_path / "x.dat"
    p.write_text("nothing we know\n")
    with pytest.raises(UnknownFormat, match="not a log or cell file format"):
        pick_reader(p)
    assert pick_reader(p, "nemo").name == "nemo"
    with pytest.raises(UnknownFormat, match="unknown format 'tems-trp'"):
        get_reader("tems-trp")


def test_readers_are_ordered_by_priority():
    prios = [r.priority for r in readers()]
    assert prios == sorted(prios, reverse=True)
    assert {r.produces for r in readers()} == {"timeline", "cells", "stats", "alarms"}
