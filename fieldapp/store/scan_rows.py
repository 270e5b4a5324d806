"""Band scans: the SQL behind the Store's ``add_scans`` / ``scans``. One row per scan (when,
where, what was asked, how it was taken), one row per carrier heard."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from fieldapp.model import Position, Scan, ScanCarrier

CARRIER_COLUMNS = ("tech", "arfcn", "band", "rxlev_dbm", "bsic", "mcc", "mnc", "lac", "ci", "pci", "rscp_dbm",
                   "ecno_db", "rsrp_dbm", "rsrq_db", "cinr_db", "status")
_INSERT_SCAN = ("INSERT INTO scans (session_id, start_utc, end_utc, tech, band, arfcn_from, arfcn_to, source,"
                " complete, lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_CARRIER = (f"INSERT INTO scan_carriers (scan_id, seq, {', '.join(CARRIER_COLUMNS)})"
                   f" VALUES (?, ?, {', '.join('?' for _ in CARRIER_COLUMNS)})")


def add_scans(conn: sqlite3.Connection, session_id: int, scans: Iterable[Scan]) -> int:
    count = 0
    rows: list[list[Any]] = []
    for scan in scans:
        pos = scan.position
        cur = conn.execute(_INSERT_SCAN, (session_id, scan.start_utc, scan.end_utc, scan.tech, scan.band,
                                          scan.arfcn_from, scan.arfcn_to, scan.source, int(scan.complete),
                                          pos.lat if pos else None, pos.lon if pos else None))
        for seq, c in enumerate(scan.carriers):
            rows.append([cur.lastrowid, seq, *(getattr(c, name) for name in CARRIER_COLUMNS)])
        count += 1
    conn.executemany(_INSERT_CARRIER, rows)
    return count


def scans(conn: sqlite3.Connection, session_id: int) -> list[Scan]:
    heads = conn.execute(
        "SELECT id, start_utc, end_utc, tech, band, arfcn_from, arfcn_to, source, complete, lat, lon"
        " FROM scans WHERE session_id = ? ORDER BY end_utc, id", (session_id,)).fetchall()
    if not heads:
        return []
    by_scan: dict[int, list[ScanCarrier]] = {}
    for row in conn.execute(
            f"SELECT c.scan_id, {', '.join('c.' + n for n in CARRIER_COLUMNS)} FROM scan_carriers c"
            " JOIN scans s ON s.id = c.scan_id WHERE s.session_id = ? ORDER BY c.scan_id, c.seq", (session_id,)):
        by_scan.setdefault(row[0], []).append(ScanCarrier(**dict(zip(CARRIER_COLUMNS, row[1:], strict=True))))
    out = []
    for sid, start, end, tech, band, lo, hi, source, complete, lat, lon in heads:
        pos = Position(ts_utc=start, lat=lat, lon=lon) if lat is not None and lon is not None else None
        out.append(Scan(start_utc=start, end_utc=end, carriers=tuple(by_scan.get(sid, ())), tech=tech, band=band,
                        arfcn_from=lo, arfcn_to=hi, source=source or "", position=pos, complete=bool(complete)))
    return out


def count(conn: sqlite3.Connection, session_id: int) -> int:
    return int(conn.execute("SELECT count(*) FROM scans WHERE session_id = ?", (session_id,)).fetchone()[0])
