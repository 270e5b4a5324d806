"""Every text import survives encodings and line endings (issue 16 point 8): UTF-8 with a BOM,
UTF-16 (with and without a BOM), CR-only line ends import exactly as the plain file does;
Latin-1 bytes in a CSV cell plan are read as Windows-1252; a stray quote spoils one line, not
the file; a 200 KB field and a 50 MB line give one line naming the file, line and cause (or
import what they can), with memory bounded per line; never a traceback.

The variants are made from the real fixtures under tests/fixtures/logs (their provenance is in
their headers) by re-encoding them here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fieldapp.importer import import_file
from fieldapp.store import Store

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
FIXTURES = ["nemo-RYG0443_R3_R002.3.nmf", "nmea-bu353s4.log", "cells-plan.csv", "tems-cells.cel",
            "tems-cells.xml", "gmon-cells.clf", "gnettrack-Yas_log.txt"]
COMPANION = "gnettrack-Yas_log_events.txt"
FIELDAPP = [sys.executable, "-m", "fieldapp"]


def bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def utf16(data: bytes) -> bytes:
    return data.decode("utf-8").encode("utf-16")


def utf16le_no_bom(data: bytes) -> bytes:
    return data.decode("utf-8").encode("utf-16-le")


def cr_only(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


def crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


SAME = [bom, utf16, utf16le_no_bom, cr_only, crlf]


def _variant(tmp_path: Path, name: str, make) -> Path:
    folder = tmp_path / make.__name__
    folder.mkdir(exist_ok=True)
    out = folder / name
    out.write_bytes(make((FIX / name).read_bytes()))
    if name.startswith("gnettrack"):
        (folder / COMPANION).write_bytes(make((FIX / COMPANION).read_bytes()))
    return out


def _import(tmp_path: Path, path: Path, ws_name: str):
    with Store.open(tmp_path / ws_name) as store:
        result = import_file(store, path)
        store.commit()
    return result


@pytest.mark.parametrize("name", FIXTURES)
def test_bom_utf16_and_line_ends_import_as_the_plain_file(tmp_path, name):
    plain = _import(tmp_path, FIX / name, "plain.db")
    for make in SAME:
        got = _import(tmp_path, _variant(tmp_path, name, make), f"{make.__name__}.db")
        assert (got.format, got.counts, got.bad_count) == (plain.format, plain.counts, plain.bad_count), make.__name__
        assert got.path.endswith(name)
        if make in (utf16, utf16le_no_bom):
            assert any("UTF-16" in n for n in got.notes)


def test_latin1_bytes_in_a_csv_cell_plan_are_read_as_windows_1252(tmp_path):
    lines = (FIX / "cells-plan.csv").read_bytes().split(b"\n")
    row = next(i for i, line in enumerate(lines) if line and not line.startswith(b"#") and i > 0
               and b"name" not in line.lower()[:10])
    first = lines[row].split(b",")[0]
    lines[row] = lines[row].replace(first, b"M\xfcnchen-S\xfcd", 1)
    path = tmp_path / "cells-plan.csv"
    path.write_bytes(b"\n".join(lines))
    result = _import(tmp_path, path, "ws.db")
    assert any("Windows-1252" in n for n in result.notes)
    with Store.open(tmp_path / "ws.db") as store:
        assert "München-Süd" in {c.name for c in store.cell_plan()}


def test_a_stray_quote_spoils_one_line_of_a_csv_cell_plan_not_the_rest(tmp_path):
    plain = _import(tmp_path, FIX / "cells-plan.csv", "plain.db")
    lines = (FIX / "cells-plan.csv").read_bytes().split(b"\n")
    data_rows = [i for i, line in enumerate(lines) if line.strip() and not line.startswith(b"#")][1:]
    spoiled = data_rows[0]
    lines[spoiled] = b'"' + lines[spoiled]
    path = tmp_path / "cells-plan.csv"
    path.write_bytes(b"\n".join(lines))
    result = _import(tmp_path, path, "ws.db")
    assert result.bad_count == 1 and result.bad_lines[0].line_no == spoiled + 1
    assert "quote" in result.bad_lines[0].reason
    assert result.counts["trxs"] >= plain.counts["trxs"] - 1


def _cli_import(path: Path, ws: Path):
    return subprocess.run(FIELDAPP + ["import", str(path), "--workspace", str(ws)], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("name", FIXTURES)
def test_a_200_kb_field_or_line_is_one_line_naming_file_line_and_cause(tmp_path, name):
    lines = (FIX / name).read_bytes().split(b"\n")
    for how, changed in (("header", [lines[0] + b"," + b"H" * 200_000] + lines[1:]),
                         ("line", lines[:3] + [b"x" * 200_000] + lines[3:])):
        folder = tmp_path / how
        folder.mkdir()
        path = folder / name
        path.write_bytes(b"\n".join(changed))
        if name.startswith("gnettrack"):
            (folder / COMPANION).write_bytes((FIX / COMPANION).read_bytes())
        res = _cli_import(path, tmp_path / f"{how}.db")
        assert "Traceback" not in res.stderr, res.stderr
        assert res.returncode in (0, 1, 2)
        if res.returncode != 0:
            last = res.stderr.strip().splitlines()[-1]
            assert name in last and ("line" in last or "bad lines" in last or "column" in last), last


@pytest.mark.slow
def test_a_50_mb_line_keeps_memory_bounded_and_is_reported(tmp_path):
    lines = (FIX / "nemo-RYG0443_R3_R002.3.nmf").read_bytes().split(b"\n")
    path = tmp_path / "big.nmf"
    path.write_bytes(b"\n".join(lines[:30] + [b"GPS," + b"1" * 50_000_000] + lines[30:]))
    # The CLI's main() in a fresh interpreter that reports its own peak memory: VmHWM, which
    # starts afresh at exec (ru_maxrss would carry the forking pytest worker's size).
    code = ("from fieldapp.cli import main\n"
            f"rc = main(['import', {str(path)!r}, '--workspace', {str(tmp_path / 'ws.db')!r}])\n"
            "hwm = [line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM')][0]\n"
            "print('peak', hwm, rc)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in res.stderr, res.stderr
    peak_kb, rc = res.stdout.split("peak")[-1].split()
    assert rc == "0", res.stderr
    assert "line 31: longer than 1 MB, skipped" in res.stderr
    assert int(peak_kb) / 1024 < 200, f"{int(peak_kb) / 1024:.0f} MB for a 50 MB line (834 MB before issue 16)"


def test_a_prepared_log_names_its_own_companion_not_the_temporary_copy(tmp_path):
    """QA of issue 15: a G-NetTrack log that had to be prepared (here UTF-16) is read from a
    temporary copy with its _events file; the session's device header kept that copy's path
    (a folder deleted after the import, shown in every native export of the session)."""
    log = _variant(tmp_path, "gnettrack-Yas_log.txt", utf16)
    result = _import(tmp_path, log, "w.db")
    with Store.open(tmp_path / "w.db") as store:
        device = store.session(result.session_id).device
    assert device["events_path"] == str(log.parent / COMPANION)
