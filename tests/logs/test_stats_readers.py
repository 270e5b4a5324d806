"""Counter and alarm readers on hand-written files in each documented layout
(docs/network-statistics.md §1, §4): preamble lines, composite GCELL objects,
``ID:Name (Unit)`` headers, NIL and /0 as missing, Ericsson short and OBJTYPE_COUNTER names,
DATE_ID + HOUR_ID, XLSX, 3GPP TS 32.435 XML, Huawei and X.733 alarm lists."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from logs import registry
from logs.stats_3gpp import read_xml
from logs.stats_alarms import read_alarms
from logs.stats_map import load_map, split_header
from logs.stats_tabular import read_counter_table

FIX = Path(__file__).parent.parent / "fixtures" / "stats"
T0 = 1710147600.0  # 2024-03-11 09:00 UTC


@pytest.mark.parametrize("header, expected", [
    ("K3014:Traffic Volume on TCH (Erl)", ("K3014", "Traffic Volume on TCH", "Erl")),  # MAE query [H2]
    ("K3014:Traffic Volume on TCH(Erl)", ("K3014", "Traffic Volume on TCH", "Erl")),  # report template [H5]
    ("K3001:Failed SDCCH Seizures due to Busy SDCCH (None)", ("K3001", "Failed SDCCH Seizures due to Busy SDCCH",
                                                            "count")),
    ("A330_Delivered_Paging_Messages_for_CS_Service", ("A330", "Delivered Paging Messages for CS Service", None)),
    ("CLSDCCH_CCALLS", ("CLSDCCH_CCALLS", "CLSDCCH_CCALLS", None)),
    ("attTCHSeizures", ("attTCHSeizures", "attTCHSeizures", None)),
])
def test_column_headers_split_into_counter_name_and_unit(header, expected):
    assert split_header(header) == expected


@pytest.mark.parametrize("vendor, name, canonical", [
    ("ericsson", "CCALLS", "sdcch_attempts"), ("ericsson", "CLSDCCH_CCALLS", "sdcch_attempts"),
    ("ericsson", "celtchf_tftralacc", "tch_fr_traffic_acc"), ("ericsson", "IDLEUTCHF_ITFUSIB4", "idle_tch_band4"),
    ("huawei", "K3003", "sdcch_seizures"), ("huawei", "1278087438", "tch_traffic_erl"),
    ("3gpp", "meanNbrOfIdleTCHsPerInterferenceBand_5", "idle_tch_band5"),
])
def test_the_counter_map_knows_each_vendors_names(vendor, name, canonical):
    assert load_map().canonical(vendor, name).canonical == canonical


def test_huawei_mae_query_with_preamble_composite_gcell_and_nil():
    sf = registry.pick_reader(FIX / "huawei_mae_query.csv", kinds=(registry.STATS,)).open(FIX / "huawei_mae_query.csv")
    rows = list(sf)
    assert sf.header["vendor"] == "huawei" and sf.header["preamble_lines"] == 7
    assert [(r.cell, r.cgi, r.bsc, r.period_s) for r in rows[:3]] == [
        ("STH0456A", "46000A1B2C3D4", "BSC6900_SOUTH", 3600), ("STH0456B", "46000A1B2C3D5", "BSC6900_SOUTH", 3600),
        ("STH0456C", "46000A1B2C3D6", "BSC6900_SOUTH", 3600)]
    assert rows[0].values["sdcch_attempts"] == 540 and rows[0].values["tch_traffic_erl"] == 11.42
    assert rows[1].values["sdcch_attempts"] == 0  # a real zero stays zero
    assert set(rows[2].values.values()) == {None}  # NIL is missing, never 0
    assert rows[3].start_utc == T0 + 3600 and rows[3].values["tch_drops"] is None  # "/0"
    assert sf.unknown == {"ZZ9999": 3} and rows[0].values["ZZ9999"] == 7  # unknown kept under its own name
    assert sf.units["tch_traffic_erl"] == "Erl" and sf.stats.bad_count == 0


def test_ericsson_eniq_short_names_sum_fr_and_hr_drops():
    rows = list(read_counter_table(FIX / "ericsson_eniq.csv"))
    c = next(r for r in rows if r.cell == "NTH0123C")
    assert c.bsc == "BSC_NORTH1" and c.start_utc == T0
    assert c.values["tch_drops"] == 7  # TFNDROP 6 + THNDROP 1
    assert c.values["idle_tch_band4"] == 180 and c.values["tch_fr_scans"] == 360


def test_huawei_report_with_date_and_time_columns_footer_and_slash_zero(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("Report: GSM Cell Daily\nGenerated: 2024-03-12\nTemplate: KPI\nArea: South\nFilter: none\n"
                    "Fieldapp fixture after [H5]: 6 preamble lines, 1 footer line\n"
                    "Date,Time,GBSC,Cell Name,Cell CI,Integrity,K3000:SDCCH Seizure Requests(None),"
                    "CM33:Call Drops on Traffic Channel(None),RCA313:Assignment Success Rate(%)\n"
                    "2024-03-11,09:00,BSC6900_SOUTH,STH0456A,1234,100%,540,2,99.1\n"
                    "2024-03-11,10:00,BSC6900_SOUTH,STH0456A,1234,100%,/0,NIL,/0\n"
                    "Total: 2 records\n", encoding="utf-8")
    sf = read_counter_table(path)
    rows = list(sf)
    assert [r.start_utc for r in rows] == [T0, T0 + 3600] and [r.period_s for r in rows] == [3600, 3600]
    assert rows[0].values == {"sdcch_attempts": 540, "tch_drops": 2, "RCA313": 99.1}
    assert rows[1].values == {"sdcch_attempts": None, "tch_drops": None, "RCA313": None}
    assert sf.stats.bad_count == 1 and "footer" in sf.stats.bad_lines[0].reason


def test_ericsson_objtype_counter_names_date_and_hour_id_and_semicolons(tmp_path):
    path = tmp_path / "dc_e_bss_cell_cs_raw.csv"
    path.write_text("DATE_ID;HOUR_ID;BSC;CELL_NAME;CLSDCCH_CCALLS;CLSDCCH_CCONGS;CELTCHF_TFNDROP;CELTCHH_THNDROP\n"
                    "2024-03-11;9;BSC_NORTH1;NTH0123A;812;0;3;\n"
                    "2024-03-11;10;BSC_NORTH1;NTH0123A;790;2;;\n", encoding="utf-8")
    rows = list(read_counter_table(path, "ericsson"))
    assert [r.start_utc for r in rows] == [T0, T0 + 3600] and rows[0].period_s == 3600
    assert rows[0].values == {"sdcch_attempts": 812, "sdcch_congestion": 0, "tch_drops": 3}
    assert rows[1].values["tch_drops"] is None  # both FR and HR empty: missing, not 0


def test_xlsx_export_is_read_like_the_csv(tmp_path):
    path = tmp_path / "query.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for line in (["Query Result"], ["Object Type: GCELL"], [],
                 ["Start Time", "Period", "NE Name", "GCELL", "K3000:SDCCH Seizure Requests (None)",
                  "K3014:Traffic Volume on TCH (Erl)"],
                 ["2024-03-11 09:00", 60, "BSC6900_SOUTH", "LABEL=STH0456A, CellIndex=12, CGI=46000A1B2C3D4", 540,
                  11.42],
                 ["2024-03-11 10:00", 60, "BSC6900_SOUTH", "LABEL=STH0456A, CellIndex=12, CGI=46000A1B2C3D4", "NIL",
                  None]):
        sheet.append(line)
    book.save(path)
    info = registry.pick_reader(path, kinds=(registry.STATS,))
    assert info.name == "stats-huawei"
    rows = list(info.open(path))
    assert [(r.cell, r.start_utc, r.values["sdcch_attempts"], r.values["tch_traffic_erl"]) for r in rows] == [
        ("STH0456A", T0, 540, 11.42), ("STH0456A", T0 + 3600, None, None)]


def test_3gpp_xml_cells_trx_old_and_new_value_blocks():
    info = registry.pick_reader(FIX / "ts32435_cells.xml", kinds=(registry.STATS,))
    assert info.name == "stats-3gpp"
    sf = read_xml(FIX / "ts32435_cells.xml")
    rows = list(sf)
    assert [(r.kind, r.cell, r.trx, r.start_utc) for r in rows] == [
        ("cell", "NTH0123A", None, T0), ("cell", "NTH0123B", None, T0), ("trx", "NTH0123A", "1", T0),
        ("cell", "NTH0123A", None, T0 + 3600)]
    assert rows[0].values["tch_assignments"] == 398 and rows[0].values["tch_traffic_erl"] == 12.0
    assert rows[1].values["tch_drops"] is None and rows[3].values == {"tch_attempts": 500, "tch_assignments": 490}
    assert sf.unknown == {"vendorSpecificThing": 2} and rows[0].bsc == "BSC_NORTH1"


def test_huawei_alarm_list_ties_alarms_to_site_and_board_with_intervals():
    alarms = list(read_alarms(FIX / "huawei_alarms.csv"))
    a, b = alarms
    assert (a.alarm_id, a.severity, a.bsc, a.cell, a.board, a.cleared_utc) == (
        "4122", "warning", "BSC6900_SOUTH", "STH0456", "DTRU 1", None)
    assert b.severity == "major" and b.cleared_utc - b.raised_utc == 28 * 60 + 12  # "DST" tag read


def test_x733_alarms_a_cleared_row_closes_the_open_alarm():
    alarms = list(read_alarms(FIX / "x733_alarms.csv"))
    assert [(a.trx, a.cell, a.severity) for a in alarms] == [("RXOTRX-12-1", "NTH0123B", "minor"),
                                                             ("RXOTRX-12-3", None, "major")]
    assert alarms[0].cleared_utc is None and alarms[1].cleared_utc == 1710148500.0


def test_a_counter_csv_is_never_taken_for_a_drive_test_log():
    with pytest.raises(registry.UnknownFormat):
        registry.pick_reader(FIX / "ericsson_eniq.csv")


def test_a_file_without_a_header_row_reads_nothing_and_says_why(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_text("hello,world\n1,2\n", encoding="utf-8")
    sf = read_counter_table(path, "huawei")
    assert list(sf) == [] and "no header row" in sf.stats.bad_lines[0].reason


def test_xlsx_with_a_query_on_each_sheet_rereads_the_header(tmp_path):
    """MAE splits big queries over sheets, each with its own preamble and header (columns may differ)."""
    path = tmp_path / "two_sheets.xlsx"
    book = openpyxl.Workbook()
    first = book.active
    for line in (["Query Result"], ["Start Time", "Period", "NE Name", "GCELL", "K3000:SDCCH Seizure Requests (None)"],
                 ["2024-03-11 09:00", 60, "BSC6900_SOUTH", "LABEL=STH0456A, CellIndex=12", 540]):
        first.append(line)
    second = book.create_sheet("Sheet2")
    for line in (["Query Result (continued)"],
                 ["Start Time", "Period", "NE Name", "GCELL", "CM33:Call Drops on Traffic Channel (None)",
                  "K3000:SDCCH Seizure Requests (None)"],
                 ["2024-03-11 10:00", 60, "BSC6900_SOUTH", "LABEL=STH0456A, CellIndex=12", 2, 610]):
        second.append(line)
    book.save(path)
    sf = read_counter_table(path)
    rows = list(sf)
    assert [(r.start_utc, r.values) for r in rows] == [
        (T0, {"sdcch_attempts": 540}), (T0 + 3600, {"tch_drops": 2, "sdcch_attempts": 610})]
    assert sf.stats.bad_count == 1  # the second sheet's title line


def test_neighbour_relations_and_bsc_level_rows_are_their_own_objects(tmp_path):
    ncell = tmp_path / "ncellrel.csv"  # ENIQ-style relation extract: HOVERCNT/HOVERSUC per cell pair
    ncell.write_text("DATETIME_ID,BSC,CELL_NAME,N_CELL_NAME,NCELLREL_HOVERCNT,NCELLREL_HOVERSUC\n"
                     "2024-03-11 09:00,BSC_NORTH1,NTH0123A,NTH0123B,120,118\n", encoding="utf-8")
    (row,) = list(read_counter_table(ncell, "ericsson"))
    assert (row.kind, row.cell, row.neighbour, row.object_name) == ("ncell", "NTH0123A", "NTH0123B",
                                                                    "NTH0123A->NTH0123B")
    assert row.values == {"ho_attempts": 120, "ho_success": 118}
    bsc = tmp_path / "bsc.csv"  # a BSC-level query (ZK3001-style) has no cell column
    bsc.write_text("Start Time,Period,NE Name,ZK3001:Failed SDCCH Seizures due to Busy SDCCH per BSC (None)\n"
                   "2024-03-11 09:00,60,BSC6900_SOUTH,12\n", encoding="utf-8")
    sf = read_counter_table(bsc, "huawei")
    (row,) = list(sf)
    assert (row.kind, row.bsc, row.object_name) == ("bsc", "BSC6900_SOUTH", "BSC6900_SOUTH")
    assert row.values == {"sdcch_congestion": 12} and not sf.unknown  # Z prefix: the per-BSC variant of K3001


def test_huawei_alarm_list_as_xlsx_with_preamble_rows(tmp_path):
    path = tmp_path / "alarms.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for line in (["Alarm List"], ["Exported by: admin"], [], [], [], [], [],
                 ["Severity", "Alarm ID", "Name", "NE Type", "Alarm Source", "MO Name", "Location Information",
                  "Occurred On (NT)", "Cleared On (NT)"],
                 ["Critical", 1000, "LAPD OML Fault", "BSC6900", "BSC6900_SOUTH", "GCELL:LABEL=STH0456A",
                  "Site No.=56, Site Name=STH0456", "2024-03-11 09:00:00", "2024-03-11 09:20:00"]):
        sheet.append(line)
    book.save(path)
    info = registry.pick_reader(path, kinds=(registry.ALARMS,))
    (a,) = list(info.open(path))
    assert (a.alarm_id, a.severity, a.cell, a.bsc) == ("1000", "critical", "STH0456A", "BSC6900_SOUTH")
    assert a.cleared_utc - a.raised_utc == 1200


def test_quarter_hours_of_eniq_are_summed_into_the_hour():
    from fieldapp.netstats import kpi as K

    rows = [(0, T0 + q * 900, None, c, v) for q in range(4) for c, v in (("sdcch_attempts", 100),
                                                                         ("sdcch_congestion", q))]
    agg = K.aggregate(K.counters_frame(rows, {0: "A"}), "hour")
    assert agg["sdcch_attempts"].iloc[0] == 400 and agg["sdcch_congestion"].iloc[0] == 6
    assert K.kpis(agg, ["sdcch_congestion_pct"]).iloc[0, 0] == pytest.approx(1.5)


def test_simulated_dead_trx_alarms_read_back_in_both_alarm_layouts(tmp_path):
    """A dead TRX (issue 17's fault) raises Huawei 4102 / an X.733 managed object fault on that TRX."""
    import json

    from drivers.sim.netstats import simulate
    from drivers.sim.scenario import load_scenario, parse_scenario
    from logs.stats_write import write_alarms_huawei, write_alarms_x733

    data = json.loads(Path(load_scenario("sdcch-trx").path).read_text(encoding="utf-8"))
    data["cells"][0]["trxs"][3]["faults"] = ["dead"]
    made = simulate(parse_scenario(data, "dead.json"), start_utc=T0, hours=3)
    cell = next(r for r in made.rows if r["cell"] == "RIVER-41" and r["kind"] == "cell")["values"]
    assert (cell["trx_configured"], cell["trx_available"]) == (5, 4)
    for writer in (write_alarms_huawei, write_alarms_x733):
        (a,) = list(read_alarms(writer(made.alarms, tmp_path / f"{writer.__name__}.csv")))
        assert a.cell == "RIVER-41" and a.cleared_utc is None
        assert a.board == "DTRU 3" if writer is write_alarms_huawei else a.trx == "TRX-41-3"
