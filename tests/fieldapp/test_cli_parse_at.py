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


def test_skipped_lines_are_counted_with_their_reasons(tmp_path):
    # SIM800L reply (sitch-io/sensor fixture) with one damaged line and one line no parser reads
    f = tmp_path / "t.txt"
    f.write_text('AT+CENG?\n+CENG: 1,1\n+CENG: 0,"0666,21,00,310,260,08,4e72,04,03,0113,255"\n'
                 '+CENG: 9,"0666,21,00"\nSIM800 R14.18\nOK\n')
    res, recs = parse_at(f)
    assert res.returncode == 0
    assert [r["kind"] for r in recs] == ["info", "cell"]
    lines = res.stderr.splitlines()
    assert lines[0] == "2 lines skipped"
    assert any(x.strip().startswith("1 known reply, damaged layout") for x in lines[1:])
    assert any(x.strip().startswith("1 reply no parser reads") for x in lines[1:])


def test_nothing_skipped_says_zero(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("AT+CSQ\r\r\n+CSQ: 9,3\r\n\r\nOK\r\n")  # gammu issue #150, raw bytes
    res, recs = parse_at(f)
    assert res.stderr.strip() == "0 lines skipped" and len(recs) == 1


def test_prefixless_tables_follow_the_outstanding_command_with_echo_off(tmp_path):
    """Siemens TC35i ^MONI (manual example, tests/fixtures/at/tc35i-moni-dedicated.txt) sent
    twice with echo off: the "# sent:" comment names the command, the second reply (after OK)
    belongs to the same command sent again."""
    src = (Path(__file__).parents[1] / "fixtures" / "at" / "tc35i-moni-dedicated.txt").read_text()
    body = [ln for ln in src.splitlines() if not ln.startswith("#")]
    f = tmp_path / "moni.txt"
    f.write_text("# sent: AT^MONI\n" + "\n".join(body + ["OK"] + body + ["OK"]) + "\n")
    res, recs = parse_at(f)
    cells = [r for r in recs if r["kind"] == "cell"]
    assert len(cells) == 2 and all(c["arfcn"] == 1013 and c["tch_arfcn"] == 1015 for c in cells)
    assert res.stderr.startswith("0 lines skipped"), res.stderr
    # a "# sent:" comment in the middle of a transcript switches the outstanding command
    f.write_text("AT+CSQ\n+CSQ: 9,3\nOK\n# sent: AT^MONI\n" + "\n".join(body) + "\nOK\n")
    res, recs = parse_at(f)
    assert [r["kind"] for r in recs] == ["signal", "cell"], res.stderr


def test_a_table_row_the_block_parser_cannot_read_is_counted(tmp_path):
    """A ^MONI data row cut before its dedicated part (TC35i manual layout, "I ..." missing):
    the table gives no record, and the row is counted with its reason; the header is not."""
    f = tmp_path / "moni.txt"
    f.write_text("AT^MONI\nchann rs  dBm  MCC MNC  LAC cell NCC BCC PWR RXLev  C1\n"
                 "1013  19  -76 001  01  1001 0103   7   7  33  -105  33\nOK\n")
    res, recs = parse_at(f)
    assert recs == []
    lines = res.stderr.splitlines()
    assert lines[0] == "1 lines skipped" and "table reply in an unknown layout: '1013" in lines[1]
