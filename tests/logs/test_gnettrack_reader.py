"""G-NetTrack text logs: rows from the shared sample (Yas_log.txt / Yas_log_events.txt,
G-NetTrack Pro, Dakar 2025), columns by header name, sentinels as unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldapp import model
from logs.gnettrack import GNetTrackEventsReader, GNetTrackReader, parse_cell_string

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
MAIN_HEADER = ("Timestamp\tLongitude\tLatitude\tOperatorname\tOperator\tCellname\tNode\tCellID\tLAC\tNetworkTech\t"
               "Level\tQual\tSNR\tCQI\tLTERSSI\tARFCN\tPSC\tAltitude\tDistance\tTA\tBAND")

# (what, real row) -> check on the Sample
REAL_ROWS = [
    ("G-NetTrack Pro 4G row",
     "2025.07.18_22.11.08\t-17.436165\t14.665338\tYas\t60802\t\t1032\t1\t701\t4G\t-96\t-15\t0.0\t-\t-85\t1850\t132\t59\t-1\t\tL3\t",
     lambda s: (s.tech, s.serving.rsrp_dbm, s.serving.rsrq_db, s.serving.pci, s.serving.arfcn, s.serving.lac,
                s.serving.ci, s.serving.mcc, s.serving.mnc, s.serving.sinr_db)
     == ("LTE", -96.0, -15.0, 132, 1850, 701, 1032 * 256 + 1, 608, 2, None)),
    ("G-NetTrack Pro 2G row: level in dBm, quality '-'",
     "2025.07.18_22.15.03\t-17.43523\t14.665197\tYas\t60802\t\t5\t10593\t43\t2G\t-73\t-\t-\t-\t-\t3060\t429\t59\t-1\t\t\t",
     lambda s: (s.tech, s.serving.rxlev_dbm, s.serving.rxlev, s.serving.rxqual, s.serving.ci, s.serving.lac,
                s.serving.arfcn, s.serving.bsic) == ("GSM", -73.0, 37, None, 10593, 43, None, None)),
    ("G-NetTrack Pro 2G row with nothing measured (-113, ids 0)",
     "2025.07.18_22.11.34\t-17.436165\t14.665338\tYas\t60802\t\t\t0\t0\t2G\t-113\t-\t-\t-\t-\t0\t0\t59\t-1\t\tEGSM\t",
     lambda s: (s.serving.rxlev_dbm, s.serving.ci, s.serving.lac, s.serving.arfcn) == (None, None, None, None)),
    ("G-NetTrack Pro 3G row with -113",
     "2025.07.18_22.12.41\t-17.435885\t14.665333\tYas\t60802\t\t4\t8961\t701\t3G\t-113\t-\t-\t-\t-\t1850\t459\t62\t-1\t5\t\t",
     lambda s: (s.tech, s.serving.rscp_dbm, s.serving.ci, s.serving.pci) == ("UMTS", None, 4 * 65536 + 8961, 459)),
]


def write(tmp_path, rows, header=MAIN_HEADER, name="t.txt"):
    p = tmp_path / name
    p.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode())
    return p


@pytest.mark.parametrize("what,row,check", REAL_ROWS, ids=[r[0] for r in REAL_ROWS])
def test_real_gnettrack_row(tmp_path, what, row, check):
    r = GNetTrackReader(write(tmp_path, [row]))
    records = list(r)
    assert r.stats.bad_lines == []
    sample = [x for x in records if isinstance(x, model.Sample)][0]
    assert check(sample)
    assert sample.position.lat == pytest.approx(float(row.split("\t")[2]))


def test_columns_are_mapped_by_name_not_position(tmp_path):
    header = "Timestamp\tLevel\tNetworkTech\tLatitude\tLongitude\tOperator"
    r = GNetTrackReader(write(tmp_path, ["2025.07.18_22.15.03\t-81\t2G\t14.6\t-17.4\t60802"], header))
    (pos, s) = list(r)
    assert (s.serving.rxlev_dbm, pos.lat, pos.lon) == (-81.0, 14.6, -17.4)


def test_no_coverage_row_has_no_technology_and_no_level(tmp_path):
    row = "2025.07.18_22.30.00\t-17.4\t14.6\tNO_COVERAGE\t\t\t\t-1\t0\t--\t-200\t-\t-\t-\t-\t0\t0\t0\t-1\t\t\t"
    (_pos, s) = list(GNetTrackReader(write(tmp_path, [row])))
    assert (s.tech, s.serving, s.rxlev_dbm) == (None, None, None)


def test_utc_offset_is_applied_and_recorded(tmp_path):
    row = REAL_ROWS[0][1]
    r = GNetTrackReader(write(tmp_path, [row]), utc_offset_min=60)
    records = list(r)
    assert records[0].ts_utc == 1752876668.0 - 3600
    assert r.header["utc_offset_assumed"] is False
    assert GNetTrackReader(write(tmp_path, [row])).header["utc_offset_assumed"] is True


EVENT_ROWS = [
    ("CALL_START", "2025.07.18_22.12.39\t-17.435885\t14.665333\tYas\t1059\t1\t701\t4G\t-92\t-10\t0.0\t-\t-87\t"
     "CALL_START\t608-02-701-1059-1 VOICE SEQUENCE:1\tD", (model.EV_CALL_ATTEMPT, "1")),
    ("CALL_END", "2025.07.18_22.13.24\t-17.435715\t14.665237\tYas\t5\t10593\t43\t3G\t-75\t-5\t-\t-\t-\t"
     "CALL_END\t608-02-43-5-10593 VOICE SEQUENCE:1\tV", (model.EV_CALL_RELEASED, "1")),
    ("CALL_END repeat without sequence", "2025.07.18_22.13.49\t-17.435542\t14.665195\tYas\t5\t10593\t43\t3G\t-81\t"
     "-7\t-\t-\t-\tCALL_END\t608-02-43-5-10593\tI", (model.EV_INFO, None)),
    ("CALL_DROP", "2025.07.18_22.42.31\t-17.4\t14.6\tYas\t\t0\t0\t2G\t-90\t-\t-\t-\t-\tCALL_DROP\t"
     "608-02-0-0-0 VOICE SEQUENCE:14\tD", (model.EV_CALL_DROPPED, "14")),
    ("IRAT handover", "2025.07.18_22.11.36\t-17.436165\t14.665338\tYas\t1032\t1\t701\t4G\t-99\t-9\t0.0\t-\t-89\t"
     "IRAT_HANDOVER_DATA_2G4G\t608-02-0--0-0-0:608-02-701-1032-1-1850-132\tD", (model.EV_HANDOVER, None)),
    ("reselection", "2025.07.18_22.11.34\t-17.436165\t14.665338\tYas\t\t0\t0\t2G\t-113\t-\t-\t-\t-\t"
     "IRAT_CELL_RESELECTION_4G2G\t608-02-701-1032-1-1850-132:608-02-0--0-0-0\tD", (model.EV_CELL_CHANGE, None)),
]
EVENTS_HEADER = ("Timestamp\tLongitude\tLatitude\tOperatorname\tNode\tCellID\tLAC\tNetworkTech\tLevel\tQual\tSNR\t"
                 "CQI\tLTERSSI\tEventType\tEventDetails\tState")


@pytest.mark.parametrize("what,row,expected", EVENT_ROWS, ids=[r[0] for r in EVENT_ROWS])
def test_real_gnettrack_event(tmp_path, what, row, expected):
    (ev,) = list(GNetTrackEventsReader(write(tmp_path, [row], EVENTS_HEADER)))
    assert (ev.kind, ev.data.get("call_id")) == expected


def test_handover_details_name_both_cells():
    assert parse_cell_string("608-02-701-1032-1-1850-132") == {
        "mcc": 608, "mnc": 2, "lac": 701, "node": 1032, "cellid": 1, "arfcn": 1850, "psc": 132}


def test_main_log_merges_its_events_file_in_time_order():
    r = GNetTrackReader(FIX / "gnettrack-Yas_log.txt")
    records = list(r)
    times = [x.ts_utc for x in records]
    assert times == sorted(times)
    assert r.events_path.name == "gnettrack-Yas_log_events.txt"


def test_truncated_and_corrupted_copies(tmp_path):
    lines = (FIX / "gnettrack-Yas_log.txt").read_bytes().split(b"\r\n")
    lines[100] = lines[100].replace(b"2025.07.18_", b"2025.13.18_")  # month 13
    lines[200] = b"\xff\xfe\x00garbage"
    lines[300] = lines[300].split(b"\t", 5)[0]  # a row cut to one field
    data = b"\r\n".join(lines)
    p = tmp_path / "cut.txt"
    p.write_bytes(data[: data.index(lines[1000]) + 25])  # stops inside row 1001
    r = GNetTrackReader(p, with_events=False)
    records = list(r)
    assert [b.line_no for b in r.stats.bad_lines] == [101, 201, 301, 1001]
    assert "cut short" in r.stats.bad_lines[-1].reason
    # rows are lines 5..1000 (3 provenance comments and the header first), 3 of them bad
    assert sum(isinstance(x, model.Sample) for x in records) == 996 - 3


def test_truncated_and_corrupted_events_log(tmp_path):
    lines = (FIX / "gnettrack-Yas_log_events.txt").read_bytes().split(b"\r\n")
    lines[10] = lines[10].replace(b"2025.07.18_", b"2025.07.18-")
    data = b"\r\n".join(lines)
    p = tmp_path / "ev.txt"
    p.write_bytes(data[: data.index(lines[300]) + 30])
    r = GNetTrackEventsReader(p)
    events = list(r)
    assert [b.line_no for b in r.stats.bad_lines] == [11, 301]
    assert len(events) == 300 - 4 - 1  # rows are lines 5..300, one bad


# G-NetTrack Pro export with neighbour columns. Column names: the Pro export's own (Speed, CGI,
# NetworkMode, ... and one NTech/NCellName/NCellid/NLAC/NCell/NARFCN/NRxLev/NQual/NDistance/NBearing
# group per neighbour), as a public import schema for Pro exports lists them; the shared sample has
# no neighbour columns. Values: the sample's cells (Yas, Dakar: LAC 43, CI 10593/10594, eNB 1032),
# with Android's "unknown" cell id 2147483647 and out-of-range codes where real exports have them.
PRO_HEADER = "\t".join(
    ["Timestamp", "Longitude", "Latitude", "Speed", "Operatorname", "Operator", "CGI", "Cellname", "Node",
     "CellID", "LAC", "NetworkTech", "NetworkMode", "Level", "Qual", "SNR", "CQI", "LTERSSI", "ARFCN",
     "DL_bitrate", "UL_bitrate", "PSC", "Altitude", "Height", "Accuracy", "Location", "State"]
    + [f"{name}{n}" for n in (1, 2, 3) for name in
       ("NTech", "NCellName", "NCellid", "NLAC", "NCell", "NARFCN", "NRxLev", "NQual", "NDistance", "NBearing")])
PRO_ROWS = [
    # 2G serving; N1 a GSM neighbour with BSIC 27 (octal 33); N2 with the unknown cell id and a
    # BSIC out of range; N3 empty (two neighbours heard).
    ("2025.07.18_22.15.03\t-17.43523\t14.665197\t36\tYas\t60802\t6080204310593\t\t5\t10593\t43\t2G\tGSM\t-73\t-"
     "\t-\t-\t-\t62\t0\t0\t-\t59\t0\t5\tG\tV"
     "\t2G\t\t10594\t43\t27\t70\t-81\t-\t0.4\t211"
     "\t2G\t\t2147483647\t43\t99\t66\t-95\t-\t-\t-"
     "\t\t\t\t\t\t\t\t\t\t"),
    # 4G serving; N1 an LTE neighbour (PCI 133, EARFCN 1850); N2 a 2G neighbour; N3 zeros only.
    ("2025.07.18_22.11.08\t-17.436165\t14.665338\t0\tYas\t60802\t\t\t1032\t1\t701\t4G\tLTE\t-96\t-15\t0.0\t-"
     "\t-85\t1850\t0\t0\t132\t59\t0\t5\tG\tD"
     "\t4G\t\t264193\t701\t133\t1850\t-101\t-12\t0.9\t80"
     "\t2G\t\t10593\t43\t\t62\t-75\t-\t-\t-"
     "\t4G\t\t0\t0\t0\t0\t0\t0\t0\t0"),
    # 3G serving; N1 a UMTS neighbour measured at the -113 sentinel (level unknown, cell kept).
    ("2025.07.18_22.12.41\t-17.435885\t14.665333\t12\tYas\t60802\t\t\t4\t8961\t701\t3G\tWCDMA\t-85\t-9\t-\t-"
     "\t-\t10588\t0\t0\t459\t62\t0\t5\tG\tI"
     "\t3G\t\t270337\t701\t460\t10588\t-113\t-24\t-\t-"
     "\t\t\t\t\t\t\t\t\t\t"
     "\t\t\t\t\t\t\t\t\t\t"),
]


def test_pro_export_neighbours_are_read_in_each_technology(tmp_path):
    r = GNetTrackReader(write(tmp_path, PRO_ROWS, PRO_HEADER))
    samples = [x for x in r if isinstance(x, model.Sample)]
    assert r.stats.bad_lines == []
    gsm, lte, umts = sorted(samples, key=lambda s: ("GSM", "LTE", "UMTS").index(s.tech))
    assert [(c.tech, c.role, c.ci, c.lac, c.arfcn, c.bsic, c.rxlev_dbm, c.rxlev) for c in gsm.neighbours] == [
        ("GSM", "neighbour", 10594, 43, 70, 27, -81.0, 29),
        ("GSM", "neighbour", None, 43, 66, None, -95.0, 15),  # Android's unknown id, BSIC 99: unknown
    ]
    assert [(c.tech, c.ci, c.pci, c.arfcn, c.rsrp_dbm, c.rsrq_db, c.rxlev_dbm) for c in lte.neighbours] == [
        ("LTE", 264193, 133, 1850, -101.0, -12.0, None),
        ("GSM", 10593, None, 62, None, None, -75.0),  # a 2G neighbour of a 4G cell, in its own terms
    ]  # the zeroed third group is no neighbour
    assert [(c.tech, c.ci, c.pci, c.arfcn, c.rscp_dbm, c.ecno_db) for c in umts.neighbours] == [
        ("UMTS", 270337, 460, 10588, None, None)]  # -113 and -24 are the sentinels: unknown
    assert (gsm.serving.rxlev_dbm, lte.serving.rsrp_dbm, umts.serving.rscp_dbm) == (-73.0, -96.0, -85.0)


def test_a_log_without_neighbour_columns_has_no_neighbours(tmp_path):
    samples = [x for x in GNetTrackReader(write(tmp_path, [REAL_ROWS[0][1]])) if isinstance(x, model.Sample)]
    assert samples[0].neighbours == ()


def test_pro_export_neighbours_reach_the_workspace(tmp_path):
    from fieldapp.importer import import_file
    from fieldapp.store import Store

    path = write(tmp_path, PRO_ROWS, PRO_HEADER)
    with Store.open(tmp_path / "ws.db") as store:
        result = import_file(store, path)
        stored = list(store.samples(result.session_id))
    assert sorted(len(s.neighbours) for s in stored) == [1, 2, 2]


def test_rows_of_a_technology_not_read_are_counted_not_shown_as_no_service(tmp_path):
    # A 5G NR row as newer G-NetTrack versions write it (NetworkTech "5G"; the values are the real
    # 4G row's): the model has no NR, so the row must not become a sample without service.
    nr = REAL_ROWS[0][1].replace("\t4G\t", "\t5G\t").replace("22.11.08", "22.11.09")
    r = GNetTrackReader(write(tmp_path, [REAL_ROWS[0][1], nr]))
    records = list(r)
    samples = [x for x in records if isinstance(x, model.Sample)]
    assert [s.tech for s in samples] == ["LTE"]
    assert len([x for x in records if isinstance(x, model.Position)]) == 2  # the 5G row's position kept
    assert r.stats.unknown == {"5G rows (technology not read)": 1}

    from fieldapp.importer import import_file
    from fieldapp.store import Store

    with Store.open(tmp_path / "ws.db") as store:
        result = import_file(store, tmp_path / "t.txt")
    assert result.skipped == 1
    assert any("(5G: 1 row)" in note and "GSM, UMTS, LTE" in note for note in result.notes), result.notes


# Columns are found by name once per file (logs/gnettrack.py _row_parser): the same answers as a
# dict of each row gave, the last of a repeated name included.
def test_a_repeated_column_name_reads_its_last_column_and_a_missing_one_reads_unknown(tmp_path):
    header = "Timestamp\tLevel\tNetworkTech\tLatitude\tLongitude\tLevel"
    (pos, s) = list(GNetTrackReader(write(tmp_path, ["2025.07.18_22.15.03\t-99\t2G\t14.6\t-17.4\t-81"], header)))
    assert (s.serving.rxlev_dbm, s.serving.ci, s.serving.mcc, pos.alt_m, pos.speed_mps) == (-81.0, None, None, None, None)


def test_infinite_values_are_unknown_not_a_crash(tmp_path):
    # "inf" in an id column used to stop the import with a traceback (int(inf)); in a level
    # column it is out of range. Either way: unknown, the row kept.
    row = REAL_ROWS[0][1].replace("\t1032\t1\t701\t", "\tinf\t1\t701\t").replace("\t-96\t", "\t-inf\t")
    r = GNetTrackReader(write(tmp_path, [row]))
    (_pos, s) = list(r)
    assert r.stats.bad_count == 0
    assert (s.serving.ci, s.serving.lac, s.serving.rsrp_dbm, s.serving.pci) == (None, 701, None, 132)


def test_a_bad_serving_value_is_reported_on_every_row_that_has_it(tmp_path):
    # The serving columns' conversions are remembered from row to row; a bad value must still
    # make each of its rows a bad line, with the first bad column named.
    rows = [REAL_ROWS[0][1].replace("22.11.08", f"22.11.{s:02d}").replace("\t701\t", "\tx01\t") for s in (8, 9)]
    r = GNetTrackReader(write(tmp_path, rows))
    list(r)
    assert [(b.line_no, b.reason) for b in r.stats.bad_lines] == [(2, "not a number: 'x01'"), (3, "not a number: 'x01'")]
