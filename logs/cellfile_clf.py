"""G-MoN / Netmonitor cell list files, CLF version 3 (semicolon separated, 9 fields).

Layout (docs/log-formats.md §3.4, from the G-MoN CLF description; no public sample was found, so the
test fixture is synthetic)::

    MCCMNC;CID;LAC;RNC;LAT;LON;POS-RAT;description;0
    60802;10593;43;-1;14.66533;-17.43616;-1;HOSP-1 hospital roof;0

``RNC`` -1 marks a GSM cell; a UMTS cell carries its RNC id (the cell is then read as UMTS
with ``ci`` = RNC * 65536 + CID, as Nemo and G-NetTrack write it). ``POS-RAT`` (position
accuracy) is not kept. The description names the cell; without one the CGI does. CLF has no
BCCH, BSIC, antenna or TRX columns.
"""

from __future__ import annotations

from pathlib import Path

from fieldapp import model
from logs import cellfile_common as cc
from logs.registry import CELLS, ReaderInfo, head_text, register
from logs.stats import ReaderStats


def read_clf(path: str | Path, stats: ReaderStats | None = None) -> list[model.PlanCell]:
    st = stats if stats is not None else ReaderStats()
    cells: list[model.PlanCell] = []
    with open(path, "rb") as f:
        for line_no, raw in enumerate(f, 1):
            st.lines = line_no
            st.bytes_read += len(raw)
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith(("//", "#", ";")):
                continue
            fields = line.split(";")
            if line_no == 1 and not fields[0].strip().isdigit():
                continue  # a header line
            try:
                cells.append(parse_row(fields))
            except cc.CellFileError as exc:
                st.bad(line_no, str(exc), line)
    st.records["cells"] = len(cells)
    return cells


def parse_row(fields: list[str]) -> model.PlanCell:
    if len(fields) < 6:
        raise cc.CellFileError(f"{len(fields)} fields, CLF v3 has 9")
    mccmnc = fields[0].strip()
    if not (mccmnc.isdigit() and len(mccmnc) in (5, 6)):
        raise cc.CellFileError(f"bad MCCMNC {mccmnc!r}")
    mcc, mnc = int(mccmnc[:3]), int(mccmnc[3:])
    cid, lac = cc.integer(fields[1], "CID"), cc.integer(fields[2], "LAC")
    rnc = cc.integer(fields[3], "RNC")
    tech = model.GSM if rnc is None or rnc < 0 else model.UMTS
    ci = cid if tech == model.GSM or cid is None else rnc * 65536 + cid  # type: ignore[operator]
    lat, lon = cc.coordinate(fields[4], True), cc.coordinate(fields[5], False)
    if (lat, lon) == (0.0, 0.0):
        lat = lon = None  # "no position" in G-MoN exports
    desc = fields[7].strip() if len(fields) > 7 else ""
    return model.PlanCell(name=desc or f"{mcc}-{mnc}-{lac}-{ci}", mcc=mcc, mnc=mnc, lac=lac, ci=ci,
                          lat=lat, lon=lon, tech=tech)


def can_read(path: Path) -> bool:
    if path.suffix.lower() == ".clf":
        return True
    lines = [ln for ln in head_text(path, 1024).splitlines() if ln.strip()][:3]
    return bool(lines) and all(ln.count(";") >= 8 and ln.split(";")[0].strip().isdigit() for ln in lines[1:] or lines)


register(ReaderInfo("clf", "G-MoN cell list file (CLF v3)", CELLS, can_read, read_clf, priority=30))
