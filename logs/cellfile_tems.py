"""TEMS cell files: the tab-separated ``.cel`` and the XML cell export.

``.cel`` (TEMS Investigation Technical Reference, "Format of CEL File"; docs/log-formats.md §3.2): ASCII,
TAB separated, CR LF. Line 1 is ``<rev> TEMS_-_Cell_names``, line 2 the column names in any
order, then one row per cell; lines starting with ``//`` or ``;`` are comments::

    55 TEMS_-_Cell_names
    Cell	Lat	Lon	MCC	MNC	LAC	CI	ARFCN	BSIC	ANT_DIRECTION	ANT_BEAM_WIDTH	ANT_TILT	TCH_ARFCN_1
    HOSP-1	N 14* 39.92'	W 17* 26.17'	608	2	43	10593	7	35	120	65	13	12

GSM columns read: Cell, Lat, Lon, MCC, MNC, LAC, CI, ARFCN (BCCH), BSIC, ANT_DIRECTION,
ANT_BEAM_WIDTH, ANT_TILT, ANT_HEIGHT, CELL_TYPE, SITE (not in the reference: an extra column
some exports carry) and TCH_ARFCN_n. The .cel has no TRX ids: the BCCH carrier becomes TRX
``<cell>-0`` and each TCH_ARFCN_n becomes TRX ``<cell>-n`` (one carrier per TRX, no hopping).

XML (TEMS Pocket manual, "subset of the XML cell file format used in TEMS Investigation";
docs/log-formats.md §3.3)::

    <TEMS_CELL_EXPORT><GSM><CELL_LIST><GSM_CELL><CELLNAME>A-1</CELLNAME>
      <CGI><MCC>240</MCC><MNC_LENGTH>2</MNC_LENGTH><MNC>1</MNC><LAC>5028</LAC><CI>4362</CI></CGI>
      <BSIC><NCC>2</NCC><BCC>2</BCC></BSIC><CHANNEL_INFO><BCCH><ARFCN>19</ARFCN></BCCH></CHANNEL_INFO>
      <POSITION><GEODETIC_DATUM>WGS84</GEODETIC_DATUM><LATITUDE>..</LATITUDE><LONGITUDE>..</LONGITUDE></POSITION>
    </GSM_CELL>...

Only GSM cells are read from the XML (WCDMA/LTE lists are counted as skipped). Antenna and
TCH elements are not in the documented subset; ``ANTENNA/{DIRECTION,BEAM_WIDTH,TILT,HEIGHT}``
and ``CHANNEL_INFO/TCH/ARFCN`` are read when present [G].
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from fieldapp import model
from fieldapp.radio import bsic_join
from logs import cellfile_common as cc
from logs.registry import CELLS, ReaderInfo, head_text, register
from logs.stats import ReaderStats

CEL_MAGIC = "TEMS_-_Cell_names"


def read_cel(path: str | Path, stats: ReaderStats | None = None) -> list[model.PlanCell]:
    st = stats if stats is not None else ReaderStats()
    cells: list[model.PlanCell] = []
    header: list[str] | None = None
    with open(path, "rb") as f:
        for line_no, raw in enumerate(f, 1):
            st.lines = line_no
            st.bytes_read += len(raw)
            line = raw.decode("latin-1").rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith(("//", ";")):
                continue
            if header is None and CEL_MAGIC in line:
                continue
            cols = [c.strip() for c in line.split("\t")]
            if header is None:
                header = [c.upper() for c in cols]
                if "CELL" not in header:
                    raise cc.CellFileError("no 'Cell' column in the .cel header")
                continue
            row = dict(zip(header, cols))
            try:
                cells.append(_cel_row(row))
            except cc.CellFileError as exc:
                st.bad(line_no, str(exc), line)
    st.records["cells"] = len(cells)
    return cells


def _cel_row(row: dict[str, str]) -> model.PlanCell:
    name = row.get("CELL", "").strip()
    if not name:
        raise cc.CellFileError("no cell name")
    bcch = cc.arfcn(row.get("ARFCN"), "ARFCN")
    trxs = []
    if bcch is not None:
        trxs.append(model.PlanTrx(trx_id=f"{name}-0", arfcns=(bcch,), timeslots=("BCCH",)))
    tch_cols = sorted((k for k in row if k.startswith("TCH_ARFCN_")), key=lambda k: int(k[10:] or 0))
    for k in tch_cols:
        a = cc.arfcn(row[k], k)
        if a is not None:
            trxs.append(model.PlanTrx(trx_id=f"{name}-{k[10:]}", arfcns=(a,)))
    return model.PlanCell(
        name=name, mcc=cc.integer(row.get("MCC"), "MCC"), mnc=cc.integer(row.get("MNC"), "MNC"),
        lac=cc.integer(row.get("LAC"), "LAC"), ci=cc.integer(row.get("CI"), "CI"),
        lat=cc.coordinate(row.get("LAT"), True), lon=cc.coordinate(row.get("LON"), False),
        azimuth_deg=cc.num(row.get("ANT_DIRECTION"), "ANT_DIRECTION"),
        beamwidth_deg=cc.num(row.get("ANT_BEAM_WIDTH"), "ANT_BEAM_WIDTH"),
        tilt_deg=cc.num(row.get("ANT_TILT"), "ANT_TILT"), height_m=cc.num(row.get("ANT_HEIGHT"), "ANT_HEIGHT"),
        bcch_arfcn=bcch, bsic=cc.bsic(row.get("BSIC")), tech=model.GSM,
        site=(row.get("SITE") or "").strip() or None, trxs=tuple(trxs))


def _text(el: ET.Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    return None if found is None or found.text is None else found.text.strip()


def read_xml(path: str | Path, stats: ReaderStats | None = None) -> list[model.PlanCell]:
    """Stream the XML (iterparse; each cell element is dropped once read)."""
    st = stats if stats is not None else ReaderStats()
    cells: list[model.PlanCell] = []
    n = 0
    try:
        for _event, el in ET.iterparse(str(path), events=("end",)):
            tag = el.tag
            if tag == "GSM_CELL":
                n += 1
                try:
                    cells.append(_xml_cell(el))
                except cc.CellFileError as exc:
                    st.bad(n, f"GSM_CELL #{n}: {exc}", _text(el, "CELLNAME") or "")
                el.clear()
            elif tag in ("WCDMA_CELL", "LTE_CELL", "CDMA_CELL", "TD_SCDMA_CELL"):
                st.unknown[tag] += 1
                el.clear()
    except ET.ParseError as exc:
        # A truncated or corrupt XML keeps the cells read before the break.
        line = exc.position[0] if exc.position else 0
        st.bad(line, f"XML error: {exc}", "")
    st.lines = n
    st.records["cells"] = len(cells)
    return cells


def _xml_cell(el: ET.Element) -> model.PlanCell:
    name = _text(el, "CELLNAME")
    if not name:
        raise cc.CellFileError("no CELLNAME")
    bcch = cc.arfcn(_text(el, "CHANNEL_INFO/BCCH/ARFCN"))
    trxs = []
    if bcch is not None:
        trxs.append(model.PlanTrx(trx_id=f"{name}-0", arfcns=(bcch,), timeslots=("BCCH",)))
    for i, tch in enumerate(el.findall("CHANNEL_INFO/TCH"), 1):
        a = cc.arfcn(_text(tch, "ARFCN"))
        if a is not None:
            trxs.append(model.PlanTrx(trx_id=f"{name}-{i}", arfcns=(a,)))
    ncc, bcc = cc.integer(_text(el, "BSIC/NCC"), "NCC"), cc.integer(_text(el, "BSIC/BCC"), "BCC")
    bsic = bsic_join(ncc, bcc)
    if bsic is None and (ncc is not None or bcc is not None):
        raise cc.CellFileError(f"bad BSIC NCC={ncc} BCC={bcc}")
    return model.PlanCell(
        name=name, mcc=cc.integer(_text(el, "CGI/MCC"), "MCC"), mnc=cc.integer(_text(el, "CGI/MNC"), "MNC"),
        lac=cc.integer(_text(el, "CGI/LAC"), "LAC"), ci=cc.integer(_text(el, "CGI/CI"), "CI"),
        lat=cc.coordinate(_text(el, "POSITION/LATITUDE"), True),
        lon=cc.coordinate(_text(el, "POSITION/LONGITUDE"), False),
        azimuth_deg=cc.num(_text(el, "ANTENNA/DIRECTION"), "DIRECTION"),
        beamwidth_deg=cc.num(_text(el, "ANTENNA/BEAM_WIDTH"), "BEAM_WIDTH"),
        tilt_deg=cc.num(_text(el, "ANTENNA/TILT"), "TILT"), height_m=cc.num(_text(el, "ANTENNA/HEIGHT"), "HEIGHT"),
        bcch_arfcn=bcch, bsic=bsic, tech=model.GSM, site=_text(el, "SITE_NAME"), trxs=tuple(trxs))


def can_read_cel(path: Path) -> bool:
    return CEL_MAGIC in head_text(path, 2048) or (path.suffix.lower() == ".cel" and "\t" in head_text(path, 512))


def can_read_xml(path: Path) -> bool:
    return "<TEMS_CELL_EXPORT" in head_text(path, 2048)


register(ReaderInfo("tems-cel", "TEMS cell file (.cel, tab separated)", CELLS, can_read_cel,
                    read_cel, priority=60))
register(ReaderInfo("tems-xml", "TEMS XML cell export", CELLS, can_read_xml, read_xml, priority=60))
