"""fieldapp.importer: streaming import into a real SQLite workspace, progress, cancel, and
"a failed import touches nothing"."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from fieldapp import model
from fieldapp.export_logs import export_session_native
from fieldapp.importer import ImportCancelled, ImportFailed, import_file
from fieldapp.store import Store
from logs.nemo import NemoReader

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
NEMO = FIX / "nemo-RYG0443_R3_R002.3.nmf"
ROOT = Path(__file__).resolve().parents[2]


def snapshot(store: Store):
    """Everything an import could touch, as comparable values."""
    return ([(s.id, s.start_utc, s.end_utc, s.samples, s.events) for s in store.sessions()],
            [store.counts(s.id) for s in store.sessions()], store.cell_plan())


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "ws.db") as st:
        yield st


def test_nemo_import_counts_calls_and_span(store):
    case = store.create_case("calls fail at the bus stop")
    result = import_file(store, NEMO, case_id=case)
    assert result.counts == {"samples": 314, "events": 18, "positions": 157}
    assert result.calls == {"success": 3, "failed": 1, "dropped": 0}
    assert result.skipped == 4928 and result.bad_lines == []
    info = store.session(result.session_id)
    assert (info.start_utc, info.end_utc, info.case_id, info.source) == (
        pytest.approx(1535274118.536), pytest.approx(1535274277.1), case, "import:nemo-RYG0443_R3_R002.3.nmf")
    assert info.device["device"] == "Qualcomm" and info.device["format"] == "nemo"
    records = list(NemoReader(NEMO))
    assert list(store.samples(result.session_id)) == [r for r in records if isinstance(r, model.Sample)]
    assert store.events(result.session_id) == [r for r in records if isinstance(r, model.Event)]


def test_native_export_of_an_imported_session_imports_back_identically(store, tmp_path):
    first = import_file(store, FIX / "gnettrack-Yas_log.txt").session_id
    out = tmp_path / "s.fieldapp.jsonl"
    export_session_native(store, first, out)
    second = import_file(store, out).session_id
    assert list(store.samples(second)) == list(store.samples(first))
    assert store.events(second) == store.events(first)
    assert store.positions(second) == store.positions(first)
    assert store.session(second).start_utc == store.session(first).start_utc


def test_progress_is_reported_up_to_the_file_size(store):
    seen = []
    import_file(store, NEMO, progress=lambda done, total: seen.append((done, total)), batch=50)
    assert len(seen) > 3
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1] == (NEMO.stat().st_size, NEMO.stat().st_size)


def test_cancel_rolls_back_everything(store):
    import_file(store, FIX / "gnettrack-Yas_log_events.txt")
    before = snapshot(store)
    cancel = threading.Event()
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) == 3:
            cancel.set()  # after three batches were already handed to the store

    with pytest.raises(ImportCancelled):
        import_file(store, NEMO, progress=progress, cancel=cancel, batch=40)
    assert snapshot(store) == before


def test_a_file_with_nothing_readable_fails_and_touches_nothing(store, tmp_path):
    import_file(store, FIX / "cells-plan.csv")
    import_file(store, NEMO)
    before = snapshot(store)
    junk = tmp_path / "junk.nmf"
    junk.write_bytes(b"#FF,,,\"2.27\"\n\x00\x01\x02 not a record\nCELLMEAS,99:99:99,,5\n")
    with pytest.raises(ImportFailed) as err:
        import_file(store, junk, format="nemo")
    assert [b.line_no for b in err.value.result.bad_lines] == [2, 3]
    bad_cells = tmp_path / "bad.csv"
    bad_cells.write_text("name,bcch,bsic\nX,5000,35\n")
    with pytest.raises(ImportFailed):
        import_file(store, bad_cells, format="cells-csv")
    assert snapshot(store) == before


def test_a_killed_import_leaves_no_session_behind(tmp_path):
    """The import is one transaction: a process killed in the middle (after several batches
    went to SQLite) leaves the workspace as it was."""
    ws = tmp_path / "ws.db"
    with Store.open(ws) as st:
        import_file(st, FIX / "nmea-bu353s4.log")
    code = (
        "import os, sys\n"
        "from fieldapp.store import Store\n"
        "from fieldapp.importer import import_file\n"
        "n = []\n"
        "def progress(done, total):\n"
        "    n.append(done)\n"
        "    if len(n) == 4:\n"
        "        os._exit(9)\n"
        f"import_file(Store.open({str(ws)!r}), {str(NEMO)!r}, progress=progress, batch=40)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60)
    assert proc.returncode == 9
    with Store.open(ws) as st:
        assert [s.source for s in st.sessions()] == ["import:nmea-bu353s4.log"]
        assert st.integrity_check() == "ok"


def test_cell_file_import_replaces_the_plan(store):
    result = import_file(store, FIX / "tems-cells.cel")
    assert result.session_id is None and result.counts == {"cells": 5, "trxs": 10}
    assert [c.name for c in store.cell_plan()][:2] == ["HOSP-1", "HOSP-2"]


def test_track_option_puts_positions_on_samples(store, tmp_path):
    # A G-NetTrack log without positions, on the day and time of the NMEA sample.
    header = "Timestamp\tNetworkTech\tLevel\tOperator"
    rows = [f"2014.12.31_03.07.{s:02d}\t2G\t-80\t60802" for s in (20, 25, 30)]
    log = tmp_path / "nopos.txt"
    log.write_text("\n".join([header, *rows]) + "\n")
    result = import_file(store, log, track=FIX / "nmea-bu353s4.log")
    samples = list(store.samples(result.session_id))
    assert [s.position.ts_utc if s.position else None for s in samples] == [1419995240.0, 1419995245.0,
                                                                            1419995250.0]
    assert result.counts["positions"] == 25


def test_background_job_reports_progress_and_result(tmp_path):
    from fieldapp.importer import ImportJob

    done = threading.Event()
    seen = {}
    progress = []
    job = ImportJob(tmp_path / "ws.db", NEMO, on_progress=lambda d, t: progress.append(d),
                    on_done=lambda r, e: (seen.update(result=r, error=e), done.set()), batch=100)
    job.start()
    assert done.wait(30)
    job.join()
    assert seen["error"] is None and seen["result"].counts["samples"] == 314
    assert progress[-1] == NEMO.stat().st_size


def test_background_job_cancel_leaves_the_workspace_as_it_was(tmp_path):
    from fieldapp.importer import ImportJob

    ws = tmp_path / "ws.db"
    with Store.open(ws) as st:
        import_file(st, FIX / "nmea-bu353s4.log")
    started = threading.Event()
    job = ImportJob(ws, FIX / "gnettrack-Yas_log.txt", on_progress=lambda d, t: started.set(), batch=20)
    job.start()
    assert started.wait(30)
    job.cancel()
    job.join()
    assert isinstance(job.error, ImportCancelled) and job.result is None
    with Store.open(ws) as st:
        assert len(st.sessions()) == 1
