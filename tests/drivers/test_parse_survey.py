"""Survey (band scan) replies → ScanCarrier, one row per documented reply.

Where each row comes from:
- TELIT_GUIDE: Telit AT Commands Reference Guide 80000ST10025a Rev.5 (GM862-QUAD-PY), p.386,
  ``#CSURVC`` example: ``48,24,-52,0.00,610,1,33281,3648,0,2,30 48,5,14 19 22 48 82`` and ``14,8``.
- TELIT_GUIDE_LABELS: the same carrier in the ``#CSURV`` label layout of pp.376-379
  (``arfcn: <arfcn> bsic: <bsic> rxLev: <rxLev> ... cellStatus: <cellStatus> numArfcn: ...``,
  non-BCCH ``arfcn: <arfcn> rxLev: <rxLev>``) [doc-derived].
- XE310_FIXTURE: a public Telit XE310 driver's unit test (third-party fixture, not a capture):
  ``1018,21,-73,0,222,01,54717,14887,CELL_SUITABLE,0`` (cellStatus as text) and the summary line
  ``Network survey ended (Carrier: 10 BCCh: 3)``.
- LE910_GUIDE: Telit LE910 V2 guide 80446ST10707A p.289, 3G layout
  ``<uarfcn>,<rxLev>,<mcc>,<mnc>,<scrcode>,<cellId>,<lac>,<cellStatus>,<rscp>,<ecio>`` [doc-derived row].
- SIM800_CAPTURE: docs/at-commands.md §3.2.3, a SIM800 on T-Mobile USA (public source,
  captured with ``+CENG`` showing serving cell cf00 on ARFCN 685 the same minute):
  ``Operator:"T-Mobile USA",MCC:310,MNC:260,Rxlev:53,Cellid:CF00,Arfcn:1709``.
- SIM800_COMMENT: a public SIM800 sketch's comment quoting ``AT+CNETSCAN=1`` output:
  ``operator:"mobinil",mcc:602,mnc:01,rxlev:47,cellid:6c17,arfcn:60,lac:8184,bsic:12``.
"""

from __future__ import annotations

import pytest

from drivers.families.survey import (
    parse_cnetscan,
    parse_cnetscan_line,
    parse_csurv,
    parse_csurv_line,
    parse_qscanf_line,
    survey_summary,
)
from fieldapp.model import GSM, UMTS

# (source, line, expected fields (subset), ) ; None = not a carrier
CSURV_ROWS = [
    ("TELIT_GUIDE", "48,24,-52,0.00,610,1,33281,3648,0,2,30 48,5,14 19 22 48 82",
     dict(arfcn=48, rxlev_dbm=-52.0, bsic=24, mcc=610, mnc=1, lac=33281, ci=3648, status="CELL_SUITABLE",
          band="GSM900")),
    ("TELIT_GUIDE non-BCCH (level 8 is not dBm)", "14,8", dict(arfcn=14, rxlev_dbm=None, bsic=None)),
    ("TELIT_GUIDE_LABELS", "arfcn: 48 bsic: 24 rxLev: -52 ber: 0.00 mcc: 610 mnc: 1 lac: 33281 cellId: 3648 "
     "cellStatus: CELL_SUITABLE numArfcn: 2 arfcn: 30 48 numChannels: 5 array: 14 19 22 48 82",
     dict(arfcn=48, rxlev_dbm=-52.0, bsic=24, mcc=610, mnc=1, lac=33281, ci=3648, status="CELL_SUITABLE")),
    ("TELIT_GUIDE_LABELS non-BCCH", "arfcn: 14 rxLev: -98", dict(arfcn=14, rxlev_dbm=-98.0, bsic=None, mcc=None)),
    ("XE310_FIXTURE", "1018,21,-73,0,222,01,54717,14887,CELL_SUITABLE,0",
     dict(arfcn=1018, rxlev_dbm=-73.0, bsic=21, mcc=222, mnc=1, lac=54717, ci=14887, band="E-GSM900")),
    ("XE310_FIXTURE", "1023,50,-78,0,222,01,54717,14886,CELL_SUITABLE,0", dict(arfcn=1023, bsic=50, ci=14886)),
    ("LE910_GUIDE 3G", "10737,-69,222,10,84,12345678,1234,0,-80,-6.5",
     dict(arfcn=10737, tech=UMTS, pci=84, rscp_dbm=-80.0, ecno_db=-6.5, lac=1234, ci=12345678)),
    ("garbled: ARFCN out of every band", "1500,-70", None),
    ("garbled: BSIC 99 is not a BSIC", "60,99,-70,0.00,610,1,33281,3648,0,0", dict(arfcn=60, bsic=None, mcc=None)),
]


@pytest.mark.parametrize("source,line,want", CSURV_ROWS, ids=[r[0] for r in CSURV_ROWS])
def test_telit_csurv_rows(source, line, want):
    got = parse_csurv_line(line)
    if want is None:
        assert got is None
        return
    assert got is not None
    for key, value in want.items():
        assert getattr(got, key) == value, (key, got)


def test_telit_hex_format_reads_octal_bsic_and_hex_ids():
    # #CSURVF=1: BSIC two octal digits, LAC/cell id 4-digit hex (guide p.379)
    got = parse_csurv_line("48,30,-52,0.00,610,1,8201,0E40,0,0", numbers="hex")
    assert (got.bsic, got.lac, got.ci) == (24, 0x8201, 0x0E40)


def test_whole_telit_reply_with_frame_lines_and_summary():
    lines = ["Network survey started ...", "1018,21,-73,0,222,01,54717,14887,CELL_SUITABLE,0", "",
             "14,-99", "this is not a carrier line", "Network survey ended (Carrier: 10 BCCh: 3)"]
    carriers, skipped = parse_csurv(lines)
    assert [c.arfcn for c in carriers] == [1018, 14]
    assert skipped == 1
    assert survey_summary(lines) == (10, 3)
    assert carriers[1].decoded is False and carriers[0].decoded is True


CNETSCAN_ROWS = [
    ("SIM800_CAPTURE", 'Operator:"T-Mobile USA",MCC:310,MNC:260,Rxlev:53,Cellid:CF00,Arfcn:1709',
     dict(arfcn=685, band="PCS1900", rxlev_dbm=-57.0, mcc=310, mnc=260, ci=0xCF00, bsic=None, lac=None)),
    ("SIM800_COMMENT", 'Operator:"mobinil",MCC:602,MNC:01,Rxlev:47,Cellid:6c17,Arfcn:60,Lac:8184,Bsic:12',
     dict(arfcn=60, band="GSM900", rxlev_dbm=-63.0, mcc=602, mnc=1, ci=0x6C17, lac=0x8184, bsic=0x12)),
    ("garbled", 'Operator:"x",MCC:310,MNC', None),
]


@pytest.mark.parametrize("source,line,want", CNETSCAN_ROWS, ids=[r[0] for r in CNETSCAN_ROWS])
def test_simcom_cnetscan_rows(source, line, want):
    got = parse_cnetscan_line(line)
    if want is None:
        assert got is None
        return
    for key, value in want.items():
        assert getattr(got, key) == value, (key, got)


def test_cnetscan_reply_counts_what_it_cannot_read():
    carriers, skipped = parse_cnetscan([CNETSCAN_ROWS[0][1], "+CNETSCAN: 1", "noise#%", CNETSCAN_ROWS[1][1]])
    assert len(carriers) == 2 and skipped == 1


@pytest.mark.parametrize("line,dbm", [("+QSCANF: 62,-71", -71.0), ("+QSCANF: 62,39", -71.0), ("+QSCANF: 62,x", None)])
def test_quectel_qscanf_level_in_dbm_or_rxlev(line, dbm):
    got = parse_qscanf_line(line)
    assert got.arfcn == 62 and got.tech == GSM and got.rxlev_dbm == dbm and got.bsic is None


def test_parse_at_reads_survey_transcripts(tmp_path):
    """`fieldapp parse-at` on survey transcripts: the carriers come out as "carrier" records."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    fixtures = Path(__file__).parents[1] / "fixtures" / "at"
    for name, family, want in (("telit-CSURVC-guide.txt", "telit", [(48, 24), (14, None)]),
                               ("simcom-CNETSCAN-capture.txt", "simcom", [(685, None)])):
        for args in ([], ["--family", family]):
            res = subprocess.run([sys.executable, "-m", "fieldapp", "parse-at", str(fixtures / name), *args],
                                 capture_output=True, text=True, timeout=60)
            assert res.returncode == 0, res.stderr
            recs = [json.loads(line) for line in res.stdout.splitlines()]
            carriers = [(r["arfcn"], r["bsic"]) for r in recs if r["kind"] == "carrier"]
            assert carriers == want, (name, args, recs)
