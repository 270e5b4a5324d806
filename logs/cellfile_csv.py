"""The documented CSV cell plan: one row per TRX, the cell's columns repeated on each.

Comma separated, UTF-8, a header row with these names (any order, case-insensitive; only
``name`` is required). Lines starting with ``#`` are comments::

    name,site,mcc,mnc,lac,ci,lat,lon,azimuth_deg,beamwidth_deg,tilt_deg,height_m,bcch,bsic,trx_id,arfcns,timeslots,hopping,maio,hsn
    CELL-69,SITE-69,608,2,69,6901,14.66533,-17.43616,120,65,4,25,7,35,TRX-69-0,7,BCCH SDCCH/8 TCH/F TCH/F TCH/F TCH/F TCH/F TCH/F,0,,
    CELL-69,SITE-69,608,2,69,6901,14.66533,-17.43616,120,65,4,25,7,35,TRX-69-1,12,TCH/F TCH/F TCH/F TCH/F TCH/F TCH/F TCH/F TCH/F,0,,

- ``bsic``: two octal digits NCC BCC as engineers write it ("35" = NCC 3, BCC 5); a value that
  is not two octal digits is read as decimal 0..63.
- ``arfcns`` and ``timeslots``: space separated lists; ``hopping`` 1/0 (or true/false).
- Rows with the same ``name`` make one cell (its cell columns come from the first row); a row
  without ``trx_id`` describes a cell without TRX detail.
``write_cells`` writes this format (the export of the workspace plan; a round trip is exact).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from fieldapp import model
from fieldapp.radio import bsic_octal
from logs import cellfile_common as cc
from logs.registry import CELLS, ReaderInfo, head_text, register
from logs.stats import ReaderStats

COLUMNS = ("name", "site", "mcc", "mnc", "lac", "ci", "lat", "lon", "azimuth_deg", "beamwidth_deg", "tilt_deg",
           "height_m", "bcch", "bsic", "trx_id", "arfcns", "timeslots", "hopping", "maio", "hsn")


def read_cells(path: str | Path, stats: ReaderStats | None = None) -> list[model.PlanCell]:
    st = stats if stats is not None else ReaderStats()
    order: list[str] = []
    cells: dict[str, model.PlanCell] = {}
    trxs: dict[str, list[model.PlanTrx]] = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        header: list[str] | None = None
        for line_no, row in csv_rows(f, st):
            st.lines = line_no  # the physical line (comments and quoted line breaks counted)
            if not row or not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = [c.strip().lower() for c in row]
                if "name" not in header:
                    raise cc.CellFileError("no 'name' column in the CSV header")
                continue
            if len(row) != len(header):
                st.bad(st.lines, f"row has {len(row)} fields, the header {len(header)}", ",".join(row))
                continue
            rec = dict(zip(header, (c.strip() for c in row)))
            try:
                cell, trx = _row(rec)
            except cc.CellFileError as exc:
                st.bad(st.lines, str(exc), ",".join(row))
                continue
            if cell.name not in cells:
                order.append(cell.name)
                cells[cell.name] = cell
                trxs[cell.name] = []
            if trx is not None:
                trxs[cell.name].append(trx)
    out = [model.PlanCell(**{**_fields(cells[n]), "trxs": tuple(trxs[n])}) for n in order]
    st.records["cells"] = len(out)
    return out


MAX_QUOTED_LINES = 5  # a quoted cell may hold line breaks, but not a whole file's worth
MAX_FIELD_CHARS = 64 * 1024


def csv_rows(lines: Iterable[str], st: ReaderStats) -> Iterable[tuple[int, list[str]]]:
    """(first physical line number, fields) of each CSV record. A record is parsed on its own,
    so a stray quote spoils at most MAX_QUOTED_LINES lines (reported as one bad line, the
    lines after it read again), never the rest of the file as one quoted field; a field over
    MAX_FIELD_CHARS makes its line bad instead of raising (issue 16)."""
    pending: list[str] = []
    first = 0
    queue = list[tuple[int, str]]()
    source = iter(enumerate(lines, 1))

    def next_line() -> tuple[int, str] | None:
        if queue:
            return queue.pop(0)
        return next(source, None)

    while True:
        item = next_line()
        if item is None:
            if pending:  # the file ended inside a quoted field
                st.bad(first, "unbalanced quote", pending[0].rstrip("\r\n")[:200])
                queue.extend((first + i, text) for i, text in enumerate(pending[1:], 1))
                pending = []
                continue
            return
        n, text = item
        if not pending:
            first = n
        pending.append(text)
        record = "".join(pending)
        if record.count('"') % 2:
            if len(pending) < MAX_QUOTED_LINES:
                continue
            st.bad(first, "unbalanced quote", pending[0].rstrip("\r\n")[:200])
            queue[:0] = [(first + i, t) for i, t in enumerate(pending[1:], 1)]
            pending = []
            continue
        pending = []
        if len(record) > MAX_FIELD_CHARS and any(len(c) > MAX_FIELD_CHARS for c in record.split(",")):
            st.bad(first, f"a field longer than {MAX_FIELD_CHARS // 1024} KB", record[:200])
            continue
        try:
            row = next(csv.reader([record]), [])
        except csv.Error as exc:
            st.bad(first, f"not CSV ({exc})", record[:200])
            continue
        yield first, row


def _fields(cell: model.PlanCell) -> dict:
    return {f: getattr(cell, f) for f in cell.__slots__}  # type: ignore[attr-defined]


def _bool(text: str | None) -> bool:
    t = (text or "").strip().lower()
    if t in ("", "0", "false", "no"):
        return False
    if t in ("1", "true", "yes"):
        return True
    raise cc.CellFileError(f"hopping must be 0 or 1, not {text!r}")


def _row(r: dict[str, str]) -> tuple[model.PlanCell, model.PlanTrx | None]:
    name = r.get("name", "")
    if not name:
        raise cc.CellFileError("no cell name")
    cell = model.PlanCell(
        name=name, site=r.get("site") or None, mcc=cc.integer(r.get("mcc"), "mcc"),
        mnc=cc.integer(r.get("mnc"), "mnc"), lac=cc.integer(r.get("lac"), "lac"), ci=cc.integer(r.get("ci"), "ci"),
        lat=cc.coordinate(r.get("lat"), True), lon=cc.coordinate(r.get("lon"), False),
        azimuth_deg=cc.num(r.get("azimuth_deg"), "azimuth_deg"),
        beamwidth_deg=cc.num(r.get("beamwidth_deg"), "beamwidth_deg"),
        tilt_deg=cc.num(r.get("tilt_deg"), "tilt_deg"), height_m=cc.num(r.get("height_m"), "height_m"),
        bcch_arfcn=cc.arfcn(r.get("bcch"), "bcch"), bsic=cc.bsic(r.get("bsic")), tech=model.GSM)
    trx_id = r.get("trx_id")
    if not trx_id:
        return cell, None
    trx = model.PlanTrx(trx_id=trx_id, arfcns=cc.arfcn_list(r.get("arfcns")),
                        timeslots=tuple((r.get("timeslots") or "").split()), hopping=_bool(r.get("hopping")),
                        maio=cc.integer(r.get("maio"), "maio"), hsn=cc.integer(r.get("hsn"), "hsn"))
    return cell, trx


def _fmt(v: object) -> str:
    """Unknown is an empty cell; numbers as Python prints them (floats round-trip exactly)."""
    return "" if v is None else str(v)


def write_cells(path: str | Path, cells: Iterable[model.PlanCell]) -> int:
    """Write a plan in this format; returns the number of rows."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for c in cells:
            base = [c.name, c.site, c.mcc, c.mnc, c.lac, c.ci, c.lat, c.lon, c.azimuth_deg, c.beamwidth_deg,
                    c.tilt_deg, c.height_m, c.bcch_arfcn, bsic_octal(c.bsic)]
            for t in c.trxs or (None,):
                tail = ["", "", "", "", "", ""] if t is None else [
                    t.trx_id, " ".join(map(str, t.arfcns)), " ".join(t.timeslots), int(t.hopping), t.maio, t.hsn]
                w.writerow([_fmt(v) for v in base + tail])
                n += 1
    return n


def can_read(path: Path) -> bool:
    lines = [ln for ln in head_text(path, 2048).splitlines() if ln.strip() and not ln.startswith("#")]
    if not lines:
        return False
    header = [c.strip().lower() for c in lines[0].split(",")]
    return "name" in header and ("bcch" in header or "trx_id" in header or "ci" in header)


register(ReaderInfo("cells-csv", "fieldapp CSV cell plan (logs/cellfile_csv.py)", CELLS, can_read,
                    read_cells, priority=20))
