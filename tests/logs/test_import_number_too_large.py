"""A log with a garbled whole number beyond 64 bits (a 20-digit cell id): the readers keep it
(Python ints have no limit; the record's JSON holds it), but SQLite cannot store it in the
samples' query columns or the positions table. Found by QA of issue 15: the import died with a
traceback ("OverflowError: Python int too large to convert to SQLite INTEGER"), before and after
the bulk inserts. It must fail as a bad file does: one line, nothing written, the workspace
usable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fieldapp.cli import main
from fieldapp.importer import ImportFailed, import_file
from fieldapp.store import Store

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
def test_a_number_beyond_64_bits_fails_the_import_cleanly(tmp_path, make):
    path = make(tmp_path)
    with Store.open(tmp_path / "w.db") as store:
        with pytest.raises(ImportFailed, match=r"too large to store .*nothing was imported") as failed:
            import_file(store, path)
        assert path.name in str(failed.value) and "\n" not in str(failed.value)
        assert failed.value.result is not None  # what the reader saw is still reported
        assert store.sessions() == []
        # the store goes on: the clean log imports beside it
        assert import_file(store, NEMO).counts["samples"] == 314


def test_the_command_says_it_in_one_line(tmp_path, capsys):
    path = _nemo_with_a_huge_cell_id(tmp_path)
    assert main(["import", str(path), "--workspace", str(tmp_path / "w.db")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "OverflowError" not in err
    assert f"fieldapp: {path.name}: a number in the log is too large to store" in err
