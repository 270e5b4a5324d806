"""The native session format: export → import gives the same records; versions; damage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldapp import model
from logs.gnettrack import GNetTrackReader
from logs.native import NativeFormatError, NativeReader, write_session
from logs.nemo import NemoReader

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"


def rich_records():
    ch = model.Channel(tch_arfcn=7, timeslot=3, hopping=False, channel_type="TCH/F", codec="EFR")
    serving = model.Cell(role=model.SERVING, tech=model.GSM, mcc=608, mnc=2, lac=69, ci=6901, arfcn=3, bsic=29,
                         rxlev=35, rxlev_dbm=-75.0, rxqual=4, ta=2, channel=ch, state="dedicated")
    nb = model.Cell(role=model.NEIGHBOUR, tech=model.GSM, arfcn=12, bsic=30, rxlev=22, rxlev_dbm=-88.0)
    pos = model.Position(ts_utc=99.9, lat=14.1234567, lon=-17.7654321, alt_m=12.5, speed_mps=3.3, sats=9)
    return [
        model.Event(100.0, model.EV_LOCK, "lock ARFCN 7", {"arfcn": 7}),
        pos,
        model.Sample(ts_utc=100.48, tech=model.GSM, serving=serving, neighbours=(nb,), position=pos,
                     mode=model.DEDICATED, signal=model.Signal(rssi_dbm=-75.0, rxqual=4, rssi_raw=19),
                     registration=model.Registration(stat=1, lac=69, ci=6901, tech="GSM")),
        model.Event(101.0, model.EV_CALL_ATTEMPT, "call 1", {"call_id": "1", "number": "0800000000"}),
        model.Event(108.2, model.EV_CALL_CONNECTED, "call 1 connected", {"call_id": "1"}),
        model.Event(129.9, model.EV_CALL_DROPPED, "call 1 dropped", {"call_id": "1", "cause": 41}),
        model.Event(130.0, model.EV_NOTE, "far end heard nothing", {}),
    ]


@pytest.mark.parametrize("source", ["rich", "nemo", "gnettrack"])
def test_export_then_import_gives_the_same_records(tmp_path, source):
    records = {"rich": rich_records,
               "nemo": lambda: list(NemoReader(FIX / "nemo-RYG0443_R3_R002.3.nmf")),
               "gnettrack": lambda: list(GNetTrackReader(FIX / "gnettrack-Yas_log.txt"))}[source]()
    out = tmp_path / "s.fieldapp.jsonl"
    counts = write_session(out, {"source": "test", "device": {"model": "X"}}, records)
    reader = NativeReader(out)
    assert list(reader) == records
    assert reader.stats.bad_count == 0 and reader.trailer["counts"] == counts
    assert reader.header["device"] == {"model": "X"}


def test_unknown_values_are_absent_not_null(tmp_path):
    out = tmp_path / "s.fieldapp.jsonl"
    write_session(out, {}, [model.Sample(ts_utc=1.0, serving=model.Cell(arfcn=7))])
    sample_line = json.loads(out.read_text().splitlines()[1])
    assert sample_line == {"type": "sample", "ts_utc": 1.0, "serving": {"role": "serving", "tech": "GSM", "arfcn": 7}}


def test_calls_are_summarised_after_the_records(tmp_path):
    out = tmp_path / "s.fieldapp.jsonl"
    write_session(out, {}, rich_records())
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    calls = [x for x in lines if x["type"] == "call"]
    assert calls == [{"type": "call", "call_id": "1", "start_utc": 101.0, "number": "0800000000",
                      "outcome": "dropped", "connected_utc": 108.2, "end_utc": 129.9, "cause": 41}]
    assert lines[-1]["type"] == "end"


def test_newer_major_version_is_refused_and_minor_extras_are_ignored(tmp_path):
    p = tmp_path / "v2.fieldapp.jsonl"
    p.write_text('{"type":"header","format":"fieldapp-session","version":"2.0"}\n')
    with pytest.raises(NativeFormatError, match="2.0"):
        NativeReader(p)
    p.write_text('{"type":"header","format":"fieldapp-session","version":"1.7"}\n'
                 '{"type":"sample","ts_utc":1.0,"future_field":3}\n{"type":"hologram","ts_utc":2}\n'
                 '{"type":"end","counts":{}}\n')
    r = NativeReader(p)
    assert list(r) == [model.Sample(ts_utc=1.0)]
    assert dict(r.stats.unknown) == {"hologram": 1}


def test_truncated_and_corrupted_exports(tmp_path):
    out = tmp_path / "s.fieldapp.jsonl"
    write_session(out, {}, rich_records())
    lines = out.read_text().splitlines()
    lines[2] = lines[2][:40]  # a record cut in the middle
    p = tmp_path / "cut.fieldapp.jsonl"
    p.write_text("\n".join(lines[:6]) + "\n")  # and no end line
    r = NativeReader(p)
    got = list(r)
    assert got == [rec for i, rec in enumerate(rich_records()[:5]) if i != 1]
    assert [b.line_no for b in r.stats.bad_lines] == [3, 6]
    assert "truncated" in r.stats.bad_lines[-1].reason
