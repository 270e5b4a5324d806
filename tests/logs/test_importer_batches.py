"""fieldapp.importer counts each batch of records as a whole (issue 15): whatever the batch size,
the import writes the same records and reports the same counts, technologies (in the order
they first appear), calls and span. Real logs (tests/fixtures/logs), real SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldapp.importer import import_file
from fieldapp.store import Store

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
NEMO = FIX / "nemo-RYG0443_R3_R002.3.nmf"  # 314 samples, 18 events, 157 positions: 489 records
GNET = FIX / "gnettrack-Yas_log.txt"  # GSM, UMTS and LTE samples; its _events file has the calls
NMEA = FIX / "nmea-bu353s4.log"  # 25 fixes, no start time in a header: the span is the records'


def imported(tmp_path: Path, log: Path, batch: int) -> tuple[dict, list]:
    with Store.open(tmp_path / f"ws-{log.stem}-{batch}.db") as store:
        result = import_file(store, log, batch=batch)
        sid = result.session_id
        stored = [list(store.samples(sid)), store.events(sid), store.positions(sid), store.scans(sid)]
    report = result.to_json()
    report["technologies"] = list(report["technologies"].items())  # the order is part of it
    del report["session"]
    return report, stored


@pytest.mark.parametrize("log", [NEMO, GNET, NMEA], ids=["nemo", "gnettrack", "nmea"])
def test_the_batch_size_changes_nothing_in_what_is_imported_or_reported(tmp_path, log):
    whole, stored = imported(tmp_path, log, 100_000)
    if log == NEMO:
        assert whole["counts"] == {"samples": 314, "events": 18, "positions": 157}
        assert whole["technologies"] == [("UMTS", 261), ("none", 13), ("LTE", 40)]
        assert whole["calls"] == {"success": 3, "failed": 1, "dropped": 0}
    elif log == GNET:
        assert whole["technologies"] == [("LTE", 1861), ("GSM", 156), ("UMTS", 702)]
        assert sum(whole["calls"].values()) > 0
    else:
        assert (whole["counts"], whole["start_utc"], whole["end_utc"]) == (
            {"samples": 0, "events": 0, "positions": 25}, stored[2][0].ts_utc, stored[2][-1].ts_utc)
    records = sum(whole["counts"].values())
    # 1: every record a batch; 7: a short last batch; records: the last batch is full
    for batch in (1, 7, records):
        assert imported(tmp_path, log, batch) == (whole, stored), batch

