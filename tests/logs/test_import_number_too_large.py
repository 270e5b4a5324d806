"""A log with a garbled whole number beyond 64 bits (a 20-digit cell id, LAC or satellite count).
Found by QA of issue 15: the import died with a traceback ("OverflowError: Python int too large
to convert to SQLite INTEGER"), before and after the bulk inserts; a first fix made it fail the
whole import cleanly. A day of driving must not be lost to one garbled field: the line is a bad
line with its reason, as any unreadable number is, and the rest imports. And where such a
number still reaches the store (a device's garbled reply, a reader that keeps it), the sample is
stored whole: record_json holds any number; the query column, a copy for SQL, is NULL."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from fieldapp.cli import main
from fieldapp.importer import import_file
from fieldapp.model import Cell, Registration, Sample
from fieldapp.nmea import NmeaError, parse_gga
from fieldapp.store import Store, rows

LOGS = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
NEMO = LOGS / "nemo-RYG0443_R3_R002.3.nmf"  # real capture (see the file's comment lines)
GNET = LOGS / "gnettrack-Yas_log.txt"  # real capture (see the file's comment lines)


def _nemo_with_a_huge_cell_id(tmp_path: Path) -> Path:
    # CHI,16:01:59.972,,5,50001,4,10588,23823345,3122,...: the UMTS cell id, 20 digits instead
    text, n = re.subn(r"^(CHI,[^,]*,,5,[^,]*,[^,]*,[^,]*,)23823345,", r"\g<1>99999999999999999999,",
                      NEMO.read_text(encoding="utf-8"), flags=re.M)
    assert n > 0
    out = tmp_path / "huge-ci.nmf"
    out.write_text(text, encoding="utf-8")
    return out


def _gnettrack_with_a_huge_lac(tmp_path: Path) -> Path:
    lines = GNET.read_text(encoding="utf-8").split("\n")
    head = next(i for i, line in enumerate(lines) if line.startswith("Timestamp"))
    lac = lines[head].split("\t").index("LAC")
    fields = lines[head + 5].split("\t")
    fields[lac] = "18446744073709551616"  # 2**64
    lines[head + 5] = "\t".join(fields)
    out = tmp_path / "huge-lac.txt"
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


@pytest.mark.parametrize("make", [_nemo_with_a_huge_cell_id, _gnettrack_with_a_huge_lac])
def test_a_number_beyond_64_bits_is_a_bad_line_and_the_rest_imports(tmp_path, make):
    path = make(tmp_path)
    with Store.open(tmp_path / "w.db") as store:
        clean = import_file(store, NEMO if path.suffix == ".nmf" else GNET)
        result = import_file(store, path)
        bad = [b for b in result.bad_lines if "beyond 64 bits" in b.reason]
        # the lines that read the number are bad lines, with the number; nothing else is lost
        # (a Nemo CHI is held and read by the CELLMEAS lines it serves, as a CHI's "abc" is)
        assert bad and result.bad_count == clean.bad_count + len(bad)
        assert all("99999999999999999999" in b.reason or "18446744073709551616" in b.reason for b in bad)
        assert result.counts["samples"] == clean.counts["samples"] - len(bad)
        assert all(s.serving is None or s.serving.ci is None or s.serving.ci < 2**63
                   for s in store.samples(len(store.sessions())))


def test_the_command_reports_the_line(tmp_path, capsys):
    path = _nemo_with_a_huge_cell_id(tmp_path)
    assert main(["import", str(path), "--workspace", str(tmp_path / "w.db")]) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "OverflowError" not in out.err
    assert "beyond 64 bits" in out.out + out.err


# the GGA of the NMEA 0183 reference (a 20-digit satellite count put in below)
GGA = "GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"


def test_a_gga_with_a_garbled_count_is_refused():
    with pytest.raises(NmeaError, match="not a count"):
        parse_gga(GGA.replace(",08,", ",99999999999999999999,").split(",", -1))


@pytest.mark.parametrize("compiled", [True, False])
def test_the_store_keeps_such_a_sample_whole(tmp_path, monkeypatch, compiled):
    if not compiled:
        monkeypatch.setattr(rows, "sample_row_compiled", None)
        monkeypatch.setattr(rows, "record_text_compiled", None)
    sample = Sample(ts_utc=5.0, serving=Cell(ci=2**64, lac=5, rxqual=-(2**70)),
                    registration=Registration(lac=2**63))
    with Store.open(tmp_path / "w.db") as store:
        sid = store.create_session("garbled")
        store.add_samples(sid, [sample])
        store.commit()
        assert list(store.samples(sid)) == [sample]
    with sqlite3.connect(tmp_path / "w.db") as conn:
        assert conn.execute("SELECT lac, ci, rxqual FROM samples").fetchall() == [(5, None, None)]
