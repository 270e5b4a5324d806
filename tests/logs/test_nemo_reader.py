"""Nemo .nmf reader: one row per real line (from the shared sample RYG0443_R3_R002.3.nmf,
Nemo Outdoor 7.8, Qualcomm handset) plus GSM lines written to the documented layout (no real
GSM Nemo line is public), midnight rollover, truncated and corrupted files."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldapp import model
from logs.nemo import NemoReader

HEADER = ('#PRODUCT,,,"NEMO OUTDOOR","7.8.0.8"\n#FF,,,"2.27"\n#DN,,,"Qualcomm"\n#UT,,,420,420\n'
          '#START,{start},,"{date}"\n')


def nmf(tmp_path: Path, body: str, start="16:01:58.536", date="26.8.2018", name="t.1.nmf") -> Path:
    p = tmp_path / name
    p.write_text(HEADER.format(start=start, date=date) + body, encoding="ascii")
    return p


def read(path: Path):
    r = NemoReader(path)
    return list(r), r


# (device, real line) -> what the record must say
REAL_LINES = [
    ("Qualcomm UMTS CELLMEAS",
     "CELLMEAS,16:01:59.005,,5,0,1,3,10588,-57.4,50001,2,17,0,50001,10588,303,-12.4,,-69.8,0,,,,,-13.0,-65.0,0,"
     "34421.0,,1,50001,10588,159,-9.7,,-66.8,0,,,,,-16.0,-66.0,0,33397.0,",
     lambda s: (s.tech, s.serving.pci, s.serving.rscp_dbm, s.serving.ecno_db, s.neighbours[0].pci,
                s.neighbours[0].rscp_dbm) == ("UMTS", 303, -69.8, -12.4, 159, -66.8)),
    ("Qualcomm LTE CELLMEAS",
     "CELLMEAS,16:03:34.254,,7,0,1,9,0,70001,125,400,-56.4,-84.4,-10.8,236680,111.0",
     lambda s: (s.tech, s.serving.arfcn, s.serving.pci, s.serving.rsrp_dbm, s.serving.rsrq_db)
     == ("LTE", 125, 400, -84.4, -10.8)),
    ("Qualcomm LTE CELLMEAS, detected cells only",
     "CELLMEAS,16:02:04.213,,7,0,2,9,2,70001,125,364,,-80.0,-8.0,,,2,70001,125,279,,-94.0,-20.0,,",
     lambda s: s.serving is None and [c.pci for c in s.neighbours] == [364, 279]
     and s.neighbours[1].rsrq_db == -20.0),
    ("Qualcomm GPS (longitude first)",
     "GPS,16:01:59.777,,101.267143,12.659351,10,0,1,9,0,1.90,1.10,1.60,1",
     lambda p: (p.lat, p.lon, p.alt_m, p.sats, p.hdop, p.fix_quality) == (12.659351, 101.267143, 10.0, 9, 1.1, 1)),
    ("Qualcomm CAA (context 44)",
     'CAA,16:02:04.424,1,44,5,1,1,"0800000000",,15000,,',
     lambda e: (e.kind, e.data["call_id"], e.data["direction"], e.data["number"]) ==
     (model.EV_CALL_ATTEMPT, "44", "mo", "0800000000")),
    ("Qualcomm CAC connected",
     "CAC,16:02:16.467,1,44,5,1,3,0", lambda e: (e.kind, e.data["call_id"]) == (model.EV_CALL_CONNECTED, "44")),
    ("Qualcomm CAD normal clearing",
     "CAD,16:02:40.706,1,44,5,1,1,16", lambda e: (e.kind, e.data["cause"]) == (model.EV_CALL_RELEASED, 16)),
    ("Qualcomm CAF released before connection",
     "CAF,16:04:34.351,1,47,5,1,2,",
     lambda e: (e.kind, e.data["status"], e.data["cause"]) == (model.EV_CALL_FAILED, 2, None)),
    ("Qualcomm LOCK",
     "LOCK,16:01:58.567,,2,3,1,5,4,1,70001",
     lambda e: e.kind == model.EV_LOCK and e.data["locks"] == [{"type": 3, "values": [5]},
                                                               {"type": 4, "values": [70001]}]),
    ("Qualcomm CAD dropped (TDD sample, reference 1.5)",
     "CAD,10:03:43.746,1,35,5,1,2,", lambda e: e.kind == model.EV_CALL_DROPPED),
]


@pytest.mark.parametrize("device,line,check", REAL_LINES, ids=[r[0] for r in REAL_LINES])
def test_real_nemo_line(tmp_path, device, line, check):
    records, reader = read(nmf(tmp_path, line + "\n", start="09:00:00.000"))
    assert reader.stats.bad_lines == []
    assert len(records) == 1
    assert check(records[0])


def test_gsm_cellmeas_with_rxq_tad_and_chi_fill_the_serving_cell(tmp_path):
    # Synthetic, to the layout in reference 1.4 (no public GSM Nemo line exists): serving
    # (type 1) ARFCN 7 BSIC 35 at -75 dBm, one neighbour (type 0) ARFCN 12 at -88 dBm.
    body = ("CHI,16:02:00.000,,1,10900,2,12,10593,43,0,64,,3,7,35,10900\n"
            "RXQ,16:02:00.100,,1,4,3\n"
            "TAD,16:02:00.200,,1,2\n"
            "CELLMEAS,16:02:00.480,,1,0,2,16,1,10900,7,29,-75.0,-76.0,30,32,,,,,10593,43,,,"
            "0,10900,12,30,-88.0,-88.0,17,19,,,,,,,,\n")
    records, reader = read(nmf(tmp_path, body))
    assert reader.stats.bad_lines == []
    (s,) = records
    c = s.serving
    assert (s.tech, c.arfcn, c.bsic, c.rxlev_dbm, c.rxlev, c.rxqual, c.rxqual_sub, c.ta) == \
        ("GSM", 7, 29, -75.0, 35, 4, 3, 2)
    assert (c.ci, c.lac, c.channel, s.mode) == (10593, 43, model.Channel(tch_arfcn=12, timeslot=3), model.DEDICATED)
    assert (s.neighbours[0].arfcn, s.neighbours[0].rxlev_dbm) == (12, -88.0)


def test_stale_rxqual_is_not_put_on_a_later_sample(tmp_path):
    body = ("RXQ,16:02:00.100,,1,4,3\n"
            "CELLMEAS,16:02:09.000,,1,0,1,16,1,10900,7,29,-75.0,-76.0,30,32,,,,,10593,43,,\n")
    (s,), _ = read(nmf(tmp_path, body))
    assert s.serving.rxqual is None


def test_midnight_rollover_moves_to_the_next_day(tmp_path):
    body = ("GPS,23:59:59.500,,101.0,12.0,10,0,1,9,0\n"
            "GPS,00:00:00.500,,101.0,12.0,10,0,1,9,0\n"
            "GPS,00:00:01.500,,101.0,12.0,10,0,1,9,0\n")
    records, _ = read(nmf(tmp_path, body, start="23:59:58.000", date="31.12.2018"))
    # 31.12.2018 23:59:59.5 at UTC+7 = 16:59:59.5 UTC; then +1 s and +2 s: no jump back a day.
    assert [r.ts_utc for r in records] == [1546275599.5, 1546275600.5, 1546275601.5]


def test_unknown_record_types_are_counted_and_skipped(tmp_path):
    body = ('RRCSM,16:02:00.000,,5,2,"SYSTEM_INFORMATION_BCH","BCCH_BCH",,,"D02E"\n'
            "MACRATE,16:02:00.100,,7,1,2\nMACRATE,16:02:00.200,,7,1,2\nFOOBAR,16:02:01.000,,1\n")
    records, reader = read(nmf(tmp_path, body))
    assert records == []
    assert dict(reader.stats.unknown) == {"RRCSM": 1, "MACRATE": 2, "FOOBAR": 1}
    assert reader.stats.bad_count == 0


def test_data_before_start_has_no_date_and_is_reported(tmp_path):
    p = tmp_path / "nostart.1.nmf"
    p.write_text('#FF,,,"2.27"\nGPS,16:01:59.777,,101.2,12.6,10,0,1,9,0\n', encoding="ascii")
    records, reader = read(p)
    assert records == []
    assert reader.stats.bad_lines[0].line_no == 2 and "no date" in reader.stats.bad_lines[0].reason
    # --date supplies it
    r = NemoReader(p, date="26.8.2018", utc_offset_min=420)
    assert [x.ts_utc for x in r] == [pytest.approx(1535274119.777)]


FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "logs" / "nemo-RYG0443_R3_R002.3.nmf"


def test_truncated_copy_reads_what_is_there_and_reports_the_cut_line(tmp_path):
    data = FIXTURE.read_bytes()
    cut = data.index(b"\nCELLMEAS,16:03:0") + 60
    p = tmp_path / "cut.3.nmf"
    p.write_bytes(data[:cut])
    records, reader = read(p)
    full, _ = read(FIXTURE)
    assert records == full[:len(records)] and 0 < len(records) < len(full)
    (bad,) = reader.stats.bad_lines
    assert bad.line_no == data[:cut].count(b"\n") + 1 and "cut short" in bad.reason


def test_corrupted_copy_reports_bad_lines_with_their_numbers(tmp_path):
    lines = FIXTURE.read_bytes().split(b"\n")
    cm = [i for i, ln in enumerate(lines) if ln.startswith(b"CELLMEAS")]
    gps = [i for i, ln in enumerate(lines) if ln.startswith(b"GPS")]
    lines[cm[10]] = b"\x00\x17\xff garbage from a bad sector \xfe"
    lines[cm[20]] = lines[cm[20]].replace(b"CELLMEAS,16:", b"CELLMEAS,1x:")
    lines[gps[5]] = b"GPS,16:02:10.000,,101.2,not-a-latitude,10,0,1,9,0"
    p = tmp_path / "corrupt.3.nmf"
    p.write_bytes(b"\n".join(lines))
    records, reader = read(p)
    full, _ = read(FIXTURE)
    got = sorted(b.line_no for b in reader.stats.bad_lines)
    assert got == sorted([cm[10] + 1, cm[20] + 1, gps[5] + 1])
    assert len(records) == len(full) - 3


def test_crlf_line_ends_read_the_same(tmp_path):
    p = tmp_path / "crlf.3.nmf"
    p.write_bytes(FIXTURE.read_bytes().replace(b"\n", b"\r\n"))
    records, reader = read(p)
    assert records == read(FIXTURE)[0] and reader.stats.bad_count == 0


def test_a_file_started_before_midnight_puts_its_first_data_on_the_next_day(tmp_path):
    body = "GPS,00:00:00.500,,101.0,12.0,10,0,1,9,0\n"
    (fix,), _ = read(nmf(tmp_path, body, start="23:59:58.000", date="31.12.2018"))
    assert fix.ts_utc == 1546275600.5  # 1.1.2019 00:00:00.5 at UTC+7


def test_gsm_chi_without_bcch_is_not_put_on_another_cell(tmp_path):
    # CHI without its BCCH field names no cell: after a reselection (serving ARFCN 7 -> 22)
    # the old cell id must not be put on the new serving cell.
    body = ("CHI,16:02:00.000,,1,10900,2,7,10593,43\n"
            "CELLMEAS,16:02:00.480,,1,0,1,16,1,10900,7,29,-75.0,-76.0,30,32,,,,,,,,\n"
            "CELLMEAS,16:02:05.480,,1,0,1,16,1,10900,22,30,-71.0,-72.0,30,32,,,,,,,,\n")
    (a, b), reader = read(nmf(tmp_path, body))
    assert reader.stats.bad_lines == []
    assert (a.serving.ci, a.serving.lac) == (10593, 43)
    assert (b.serving.arfcn, b.serving.ci, b.serving.lac) == (22, None, None)


def test_a_missing_final_line_end_on_a_header_line_is_not_an_error(tmp_path):
    p = tmp_path / "nonl.3.nmf"
    p.write_bytes(FIXTURE.read_bytes().rstrip(b"\n"))  # ends with '#HASH,...' and no line end
    records, reader = read(p)
    assert records == read(FIXTURE)[0]
    assert reader.stats.bad_count == 0 and reader.stats.lines == 5517


# The reader's fast paths (logs/chunks.py block scan, the in-place cell groups, the usual GPS
# line) must give exactly what the general code gives: these tests feed both the same lines.

def test_block_boundaries_change_nothing_records_unknown_types_or_bad_line_numbers(tmp_path):
    lines = FIXTURE.read_bytes().split(b"\n")
    cm = [i for i, ln in enumerate(lines) if ln.startswith(b"CELLMEAS")]
    umts = [i for i in cm if lines[i].split(b",")[3:7] == [b"5", b"0", b"1", b"3"]]
    f = lines[umts[3]].split(b",")
    f[12] = b"x"  # the first cell's type: not a number
    lines[umts[3]] = b",".join(f)
    lines[cm[40]] = b"\xfe\xff garbage"  # not a record
    lines[cm[41]] = b"GPS"  # a wanted record id without its comma: an unknown line, not a bad one
    lines[cm[42]] = b"CELLMEAS\r"
    p = tmp_path / "blocks.3.nmf"
    p.write_bytes(b"\n".join(lines))
    whole = NemoReader(p)
    records = list(whole)
    for chunk_bytes in (97, 4096):
        small = NemoReader(p)
        small.chunk_bytes = chunk_bytes
        assert list(small) == records
        # (a block's "not a record" lines are reported before its records are read)
        assert sorted(small.stats.bad_lines, key=str) == sorted(whole.stats.bad_lines, key=str)
        assert small.stats.unknown == whole.stats.unknown and small.stats.lines == whole.stats.lines
    assert sorted(b.line_no for b in whole.stats.bad_lines) == sorted([umts[3] + 1, cm[40] + 1])
    assert whole.stats.unknown["GPS"] == 1 and whole.stats.unknown["CELLMEAS"] == 1


def test_older_cell_groups_with_fewer_fields_read_like_full_ones(tmp_path):
    # The same two UMTS cells with 17 params per cell (Nemo 7.8), with 7 (an older layout: the
    # group is copied and padded) and with the last cell's trailing empty field cut.
    full = ("CELLMEAS,16:02:00.000,,5,0,1,3,10588,-56.1,50001,2,17,"
            "0,50001,10588,303,-11.4,,-67.5,0,,,,,-10.0,-63.0,0,34421.0,,"
            "1,50001,10588,159,-11.0,,-67.7,0,,,,,-17.0,-67.0,0,33396.0,\n")
    short = ("CELLMEAS,16:02:01.000,,5,0,1,3,10588,-56.1,50001,2,7,"
             "0,50001,10588,303,-11.4,,-67.5,1,50001,10588,159,-11.0,,-67.7\n")
    cut = full.replace("16:02:00.000", "16:02:02.000").rstrip(",\n") + "\n"
    a, b, c = read(nmf(tmp_path, full + short + cut))[0]
    assert (a.serving, a.neighbours) == (b.serving, b.neighbours) == (c.serving, c.neighbours)
    assert (a.serving.pci, a.serving.rscp_dbm, a.neighbours[0].ecno_db) == (303, -67.5, -11.0)


@pytest.mark.parametrize("line", [
    "GPS,16:01:59.777,,101.267143,12.659351,10,0,1,9,0,1.90,1.10,1.60,1",  # real (the fast path)
    "GPS,16:01:59.777,,101.267143,12.659351,,0,1,9,,1.90,,1.60,1",  # blanks
    "GPS,16:01:59.777,,101.267143,12.659351, 10 ,0,1,9,0,1.90,1.10,1.60,1",
    "GPS,16:01:59.777,,101.267143,12.659351,10,0,0,9,0,1.90,1.10,1.60,1",  # no fix
    "GPS,16:01:59.777,,101.267143,95.0,10,0,1,9,0,1.90,1.10,1.60,1",  # out of range
    "GPS,16:01:59.777,,101.267143,nan,10,0,1,9,0,1.90,1.10,1.60,1",
    "GPS,16:01:59.777,,101.267143,12.659351,10,0,1.0,9,0,1.90,1.10,1.60,1",
    "GPS,16:01:59.777,,101.267143,12.659351,10,0,1,9,x,1.90,1.10,1.60,1",
])
def test_the_usual_gps_line_reads_as_the_general_path_reads_it(tmp_path, line):
    def outcome(method):
        r = NemoReader(nmf(tmp_path, ""))
        list(r)  # sets the reader's state
        try:
            return method(r)(1.0, line.split(",")[3:]), dict(r.stats.unknown)
        except ValueError as exc:
            return str(exc)
    assert outcome(lambda r: r._gps) == outcome(lambda r: r._gps_general)


def test_number_caches_give_what_the_converters_give_and_stay_bounded():
    from logs.nemo_fields import Numbers

    floats, ints = Numbers(float, size=3), Numbers(int, size=3)
    for text in ("-67.5", "-0.0", " 5 ", "1e3", "-67.5", "7", "8", "9"):
        assert repr(floats[text]) == repr(float(text))
    assert len(floats) == 3 and ints["0010"] == 10 and ints["-3"] == -3
    for _ in range(2):  # a bad text raises each time, never remembered
        with pytest.raises(ValueError, match="could not convert"):
            floats["x"]
        with pytest.raises(ValueError, match="invalid literal"):
            ints["5.0"]
    assert "x" not in floats and "5.0" not in ints


# QA of issue 15 (damaged copies of the shared sample, old and new readers compared): an 'inf'
# in a GSM level or a FREQSCAN BSIC field raised OverflowError out of the reader (a traceback
# from `fieldapp import`), and a #START date the header could not read crashed the first line.
@pytest.mark.parametrize("line", [
    # GSM CELLMEAS (layout of nemo-scanner-written.1.nmf line 19) with RxLev Sub "-inf"
    "CELLMEAS,16:02:00.000,,1,0,1,16,1,10900,100,23,-60.0,-inf,30,30,,,,,1,65,1009,0,50",
    # FREQSCAN (same fixture, line 13) with the BSIC of ARFCN 100 "-inf"
    "FREQSCAN,16:02:00.000,,1,1,10900,2,5,100,-inf,-93.0,14.0,-94.0,104,,-96.0,,",
])
def test_an_infinite_value_makes_a_bad_line_not_a_crash(tmp_path, line):
    good = "GPS,16:02:01.000,,101.267143,12.659351,10,0,1,9,0,1.90,1.10,1.60,1"
    records, reader = read(nmf(tmp_path, line + "\n" + good + "\n"))
    assert [type(r) for r in records] == [model.Position]
    (bad,) = reader.stats.bad_lines
    assert bad.line_no == 6 and "bad value" in bad.reason and bad.text == line


def test_an_unreadable_start_date_is_one_clear_error_and_date_overrides_it(tmp_path):
    p = nmf(tmp_path, "GPS,16:02:01.000,,101.267143,12.659351,10,0,1,9,0\n", date="6.12x.2026")
    with pytest.raises(ValueError, match=r"#START date '6\.12.\.2026' is not D\.M\.YYYY; give the file's date "
                                         r"with --date"):
        NemoReader(p)
    (fix,) = NemoReader(p, date="6.12.2026")
    assert fix.lat == 12.659351
    with pytest.raises(ValueError, match="date '6-12-2026' is not D.M.YYYY"):
        NemoReader(p, date="6-12-2026")


def test_the_import_bench_times_each_record_type_through_the_reader():
    # bench/import_bench.py drives the reader's internals (per record type, out of time order):
    # it must keep working with them (`make bench` is how the figures of issue 15 are taken).
    from bench.import_bench import parse_cost_per_record_type

    cost = parse_cost_per_record_type(FIXTURE)
    assert {"CELLMEAS", "GPS", "CHI", "CAA"} <= set(cost) and all(v > 0 for v in cost.values())


# The UMTS lines of a drive are read in place (logs.nemo_fields.umts_line_cells): the same cells,
# or the same error, as the general group reader (_umts_cells) for every layout, usual or not.
_UMTS_USUAL = ("CELLMEAS,16:01:58.567,,5,0,1,3,10588,-56.1,50001,3,17,"
               "0,50001,10588,303,-11.4,,-67.5,0,,,,,-10.0,-63.0,0,34421.0,,"
               "1,50001,10588,159,-11.0,,-67.7,0,,,,,-17.0,-67.0,0,33396.0,,"
               "2,50001,10588,,,,,0,,,,,,,0,,")


@pytest.mark.parametrize("line", [
    _UMTS_USUAL,  # real (the sample's first UMTS line, shape kept): in place
    _UMTS_USUAL.rstrip(","),  # the last cell's trailing empty fields cut: the general reader pads
    _UMTS_USUAL + ",9,9",  # fields after the group (a newer version): ignored either way
    _UMTS_USUAL.replace(",3,17,", ",4,17,"),  # a count beyond the line
    _UMTS_USUAL.replace(",3,17,", ",0,17,"),  # no cells
    _UMTS_USUAL.replace(",3,17,", ",3,6,"),  # fewer params per cell than read
    _UMTS_USUAL.replace(",3,17,", ",3,0,"),
    _UMTS_USUAL.replace(",3,17,", ", 3,17,"),  # counts not plain digits
    _UMTS_USUAL.replace(",3,17,", ",3.0,17,"),
    _UMTS_USUAL.replace(",3,17,", ",-1,17,"),
    _UMTS_USUAL.replace(",5,0,1,3,", ",5,1,7,1,3,"),  # a header param
    _UMTS_USUAL.replace(",5,0,1,3,10588,-56.1,50001,", ",5,0,2,3,10588,-56.1,50001,10563,-70.0,50001,"),
    _UMTS_USUAL.replace(",303,", ",x,"),  # a bad number: the same reason
    _UMTS_USUAL.replace("-67.5", "-67.5.1"),
    _UMTS_USUAL.replace("0,50001,10588,303", ",50001,10588,303"),  # no cell type
    _UMTS_USUAL.replace("1,50001,10588,159", "7,50001,10588,159"),  # an unknown cell type
    "CELLMEAS,16:01:58.567,,5,0,1,3,10588,-56.1,50001,3",  # cut before the group
    "CELLMEAS,16:01:58.567,,5,0,1,3,10588,-56.1,50001,3,17",
])
def test_the_usual_umts_line_read_in_place_reads_as_the_group_reader(line):
    from logs.nemo_fields import Numbers, _umts_cells, umts_line_cells

    def outcome(read, fields):
        try:
            return read(fields, Numbers(int), Numbers(float))
        except (ValueError, IndexError) as exc:
            return type(exc), str(exc)
    f = line.split(",")
    assert outcome(umts_line_cells, f) == outcome(_umts_cells, f[3:])


def test_a_umts_drive_reads_the_same_in_place_and_through_the_group_reader(tmp_path, monkeypatch):
    # The whole sample through the reader, with the in-place path and with it sending every
    # line to the group reader: the same records, held CHI and fix included.
    import logs.nemo as nemo
    from logs.nemo_fields import _umts_cells

    fast, _r = read(FIXTURE)
    monkeypatch.setattr(nemo, "umts_line_cells", lambda f, ints, floats: _umts_cells(f[3:], ints, floats))
    assert read(FIXTURE)[0] == fast and sum(s.tech == "UMTS" for s in fast if isinstance(s, model.Sample)) > 200
