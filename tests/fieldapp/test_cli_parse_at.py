"""`fieldapp parse-at`: a transcript in, one JSON object per record out (the contract keys)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parents[1] / "fixtures" / "transcripts" / "mixed-families.txt"


def parse_at(path, *extra):
    res = subprocess.run([sys.executable, "-m", "fieldapp", "parse-at", str(path), *extra],
                         capture_output=True, text=True, timeout=60)
    return res, [json.loads(line) for line in res.stdout.splitlines() if line.strip()]


def test_transcript_records_carry_the_contract_keys():
    res, recs = parse_at(FIXTURE)
    assert res.returncode == 0, res.stderr
    by_kind = {}
    for r in recs:
        by_kind.setdefault(r["kind"], []).append(r)
    sig = by_kind["signal"][0]
    assert sig["rssi_dbm"] == -95.0 and sig["rxqual"] == 3
    cells = by_kind["cell"]
    serving = [c for c in cells if c["role"] == "serving"]
    assert serving[0]["arfcn"] == 666 and serving[0]["rxlev"] == 21 and serving[0]["rxlev_dbm"] == -89.0
    assert serving[0]["lac"] == 0x0113 and serving[0]["ci"] == 0x4E72 and serving[0]["bsic"] == 8
    assert serving[0]["ta"] is None  # 255 = unknown, never a number
    for key in ("kind", "role", "tech", "mcc", "mnc", "lac", "ci", "arfcn", "bsic", "rxlev", "rxlev_dbm",
                "rxqual", "ta", "tch_arfcn", "timeslot"):
        assert key in serving[0]
    telit = [c for c in serving if c["arfcn"] == 29][0]
    assert telit["rxlev_dbm"] == -83.0 and telit["bsic"] == 0o70 and telit["ci"] == 0x2D3A
    assert any(c["role"] == "neighbour" for c in cells)
    err = by_kind["error"][0]
    assert err["code"] == 3 and err["text"]
    call = by_kind["call"][0]
    assert call["index"] == 1 and call["direction"] == "mo" and call["state"] == "alerting"
    assert call["number"] == "0171234567"
    assert "skipped" in res.stderr and int(res.stderr.split()[0]) >= 1


def test_comment_lines_are_not_data_but_telit_hash_replies_are(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("# a comment\n#\nAT#SERVINFO\n#SERVINFO: 29,-83,\"TIM\",\"22201\",70,5213,1,1\nOK\n")
    res, recs = parse_at(f, "--family", "telit")
    assert res.returncode == 0
    assert [r["kind"] for r in recs] == ["cell"] and recs[0]["arfcn"] == 29


def test_unknown_family_and_missing_file_exit_2(tmp_path):
    res, _ = parse_at(FIXTURE, "--family", "nokia3310")
    assert res.returncode == 2 and "unknown family" in res.stderr
    res, _ = parse_at(tmp_path / "missing.txt")
    assert res.returncode == 2 and "cannot read" in res.stderr
