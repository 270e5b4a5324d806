"""Reports never depend on system fonts: with fontconfig seeing none at all (an empty
FONTCONFIG_FILE), the PDF report still carries its text in the DejaVu Sans shipped inside
fieldapp. (Before, Qt drew every glyph as a box, embedded no font and exited 0.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from fieldapp.fonts import FILES, LICENSE, bundled_font_files

ROOT = Path(__file__).resolve().parents[2]


def test_the_fonts_and_their_licence_are_in_the_package():
    assert [p.name for p in bundled_font_files()] == list(FILES)
    for path in bundled_font_files():
        assert path.stat().st_size > 100_000 and path.read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType
    assert "Bitstream Vera" in LICENSE.read_text() and "Permission is hereby granted" in LICENSE.read_text()


def _fonts_of(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def test_a_report_without_any_system_font_has_its_text_in_dejavu(tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n')
    env = dict(os.environ, FONTCONFIG_FILE=str(conf), FIELDAPP_WORKSPACE=str(tmp_path / "ws.db"),
               XDG_DATA_HOME=str(tmp_path / "data"), HOME=str(tmp_path))
    env.pop("FONTCONFIG_PATH", None)
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"subscriber_name": "Anna Berger", "subscriber_number": "+43 660 1234567", "category": "Weak signal",
                                "description": "No signal at the hospital bus stop", "address": "Spitalgasse 23"}))
    fieldapp = [sys.executable, "-m", "fieldapp"]
    new = subprocess.run(fieldapp + ["case", "new", "--json", str(case)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert new.returncode == 0, new.stderr
    pdf = tmp_path / "case.pdf"
    run = subprocess.run(fieldapp + ["case", "report", new.stdout.strip(), "--out", str(pdf)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    reader = PdfReader(str(pdf))
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= _fonts_of(reader)
    text = " ".join((reader.pages[0].extract_text() or "").split())
    assert "Complaint case #1" in text and "Spitalgasse 23" in text
