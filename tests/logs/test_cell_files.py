"""Cell files into the workspace's cell plan: TEMS .cel and XML, CLF v3, the documented CSV.
The fixtures are synthetic (no real GSM cell file is public) and follow the documented formats."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fieldapp import model
from fieldapp.store import Store
from logs.cellfile_clf import read_clf
from logs.cellfile_common import CellFileError, coordinate
from logs.cellfile_csv import read_cells, write_cells
from logs.cellfile_tems import read_cel, read_xml
from logs.stats import ReaderStats

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "logs"


@pytest.mark.parametrize("text,is_lat,expected", [
    ("14.66533", True, 14.66533),
    ("-17.43616", False, -17.43616),
    ("N 1439.9198", True, 14 + 39.9198 / 60),
    ("W 01725.8514", False, -(17 + 25.8514 / 60)),
    ("N 14* 39.9198'", True, 14 + 39.9198 / 60),
    ("W 17* 25' 51.08\"", False, -(17 + 25 / 60 + 51.08 / 3600)),
    ("", True, None),
])
def test_tems_coordinate_notations(text, is_lat, expected):
    assert coordinate(text, is_lat) == pytest.approx(expected) if expected is not None else coordinate(text, is_lat) is None


def test_bad_coordinates_are_refused():
    for text in ("N 95* 00'", "somewhere", "200.0"):
        with pytest.raises(CellFileError):
            coordinate(text, text != "200.0")


def test_tems_cel_reads_cells_with_bcch_and_tch_trxs():
    cells = read_cel(FIX / "tems-cells.cel")
    assert [c.name for c in cells] == ["HOSP-1", "HOSP-2", "HOSP-3", "MARKET-1", "MARKET-2"]
    h1 = cells[0]
    assert (h1.mcc, h1.mnc, h1.lac, h1.ci, h1.bcch_arfcn, h1.bsic, h1.azimuth_deg, h1.tilt_deg, h1.site) == \
        (608, 2, 43, 10591, 7, 29, 0.0, 13.0, "HOSP")
    assert [(t.trx_id, t.arfcns, t.is_bcch) for t in h1.trxs] == [
        ("HOSP-1-0", (7,), True), ("HOSP-1-1", (12,), False), ("HOSP-1-2", (17,), False)]
    # the three notations of the same mast agree to a metre
    assert cells[2].lat == pytest.approx(cells[0].lat, abs=1e-5)
    assert cells[4].lat == pytest.approx(cells[3].lat, abs=1e-5)


def test_tems_xml_reads_gsm_cells_and_counts_other_technologies():
    st = ReaderStats()
    cells = read_xml(FIX / "tems-cells.xml", st)
    assert [(c.name, c.bsic, c.bcch_arfcn, c.beamwidth_deg) for c in cells] == [
        ("HOSP-1", 29, 7, 65.0), ("HOSP-2", 30, 22, None)]
    assert st.unknown["WCDMA_CELL"] == 1


def test_truncated_xml_keeps_the_cells_before_the_cut(tmp_path):
    data = (FIX / "tems-cells.xml").read_text()
    p = tmp_path / "cut.xml"
    p.write_text(data[: data.index("<CELLNAME>HOSP-2")])
    st = ReaderStats()
    cells = read_xml(p, st)
    assert [c.name for c in cells] == ["HOSP-1"] and st.bad_count == 1 and "XML" in st.bad_lines[0].reason


def test_clf_v3():
    cells = read_clf(FIX / "gmon-cells.clf")
    assert [(c.name, c.tech, c.ci) for c in cells] == [
        ("HOSP-1", "GSM", 10591), ("HOSP-2", "GSM", 10592), ("MARKET-1", "GSM", 20011),
        ("UMTS NodeB 4321", "UMTS", 363 * 65536 + 4321), ("608-2-44-20012", "GSM", 20012)]
    assert (cells[-1].lat, cells[-1].lon) == (None, None)  # 0;0 = no position


def test_csv_plan_with_trx_ids_and_hopping():
    cells = read_cells(FIX / "cells-plan.csv")
    micro = cells[0]
    assert (micro.name, micro.bsic, [t.trx_id for t in micro.trxs]) == ("MICRO-69", 29, ["TRX-69-0", "TRX-69-1"])
    assert micro.trx_for_channel(model.Channel(tch_arfcn=7, timeslot=2)).trx_id == "TRX-69-1"
    hop = cells[1].trxs[1]
    assert (hop.arfcns, hop.hopping, hop.maio, hop.hsn) == ((66, 70, 74), True, 2, 17)
    assert cells[2].trxs == ()


def test_bad_rows_are_reported_with_line_numbers(tmp_path):
    text = (FIX / "cells-plan.csv").read_text().splitlines()
    text[3] = text[3].replace(",3,35,", ",3,99,")  # BSIC 99: neither octal nor 0..63
    text[4] = text[4].replace(",7,TCH", ",2000,TCH")  # not a GSM ARFCN
    p = tmp_path / "bad.csv"
    p.write_text("\n".join(text) + "\n")
    st = ReaderStats()
    cells = read_cells(p, st)
    assert [b.line_no for b in st.bad_lines] == [4, 5]
    assert "BSIC" in st.bad_lines[0].reason and "2000" in st.bad_lines[1].reason
    assert [c.name for c in cells] == ["VILLAGE-1", "VILLAGE-2"]


@pytest.mark.parametrize("fixture,reader", [
    ("tems-cells.cel", read_cel), ("tems-cells.xml", read_xml), ("gmon-cells.clf", read_clf),
    ("cells-plan.csv", read_cells)])
def test_cell_file_round_trips_into_the_store_cell_plan(tmp_path, fixture, reader):
    cells = reader(FIX / fixture)
    with Store.open(tmp_path / "ws.db") as store:
        store.put_cell_plan(cells, fixture)
    with Store.open(tmp_path / "ws.db") as store:
        assert store.cell_plan() == cells
        assert store.cell_plan_source() == fixture


def test_csv_writer_round_trip(tmp_path):
    cells = read_cells(FIX / "cells-plan.csv") + read_cel(FIX / "tems-cells.cel")
    write_cells(tmp_path / "out.csv", cells)
    assert read_cells(tmp_path / "out.csv") == cells


def test_a_coordinate_with_a_long_run_of_blanks_is_refused_quickly():
    # Issue 16: three adjacent optional "\s*" in the degrees/minutes pattern took cubic time
    # (0.13 s for 400 blanks, minutes for a 4 KB cell). Now linear.
    t0 = time.perf_counter()
    with pytest.raises(CellFileError):
        coordinate("1" + " " * 100_000 + "x", True)
    assert time.perf_counter() - t0 < 1.0
    assert coordinate("N 14*   39'   55.2\"", True) == pytest.approx(14.66533, abs=1e-4)
