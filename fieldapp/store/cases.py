"""Cases, their attachments and the cell plan: the SQL behind the Store methods of the same
names. The full case model comes later; a case row already has the columns a list needs
(status, category, title) and keeps every other field in its JSON ``data``.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from fieldapp.model import PlanCell, PlanTrx
from fieldapp.store.rows import dumps, loads
from fieldapp.store.schema import StoreError

CASE_COLUMNS = ("created_utc", "status", "category", "title")


class UnknownCase(StoreError):
    def __init__(self, case_id: int) -> None:
        super().__init__(f"no case {case_id} in the workspace")
        self.case_id = case_id


@dataclass(frozen=True, slots=True)
class Attachment:
    id: int
    case_id: int
    kind: str  # "session", "file", "photo", "report", ...
    ref: str  # a session id, a path, a URL
    added_utc: float


def _split(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    columns = {k: v for k, v in fields.items() if k in CASE_COLUMNS}
    data = {k: v for k, v in fields.items() if k not in CASE_COLUMNS and k != "id"}
    return columns, data


def create_case(conn: sqlite3.Connection, title: str, fields: dict[str, Any]) -> int:
    columns, data = _split(fields)
    cur = conn.execute(
        "INSERT INTO cases (created_utc, status, category, title, data) VALUES (?, ?, ?, ?, ?)",
        (columns.get("created_utc", time.time()), columns.get("status") or "open",
         columns.get("category"), title, dumps(data)))
    return int(cur.lastrowid)


def _case(row: sqlite3.Row) -> dict[str, Any]:
    # The JSON fields first, so a column always wins over a stale copy in the data.
    return {**(loads(row["data"]) or {}), "id": row["id"], "created_utc": row["created_utc"],
            "status": row["status"], "category": row["category"], "title": row["title"]}


def get_case(conn: sqlite3.Connection, case_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
    return None if row is None else _case(row)


def list_cases(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [_case(r) for r in conn.execute("SELECT * FROM cases ORDER BY created_utc, id")]


def update_case(conn: sqlite3.Connection, case_id: int, fields: dict[str, Any]) -> None:
    """Change some fields; a field set to None in the JSON part is removed."""
    row = conn.execute("SELECT data FROM cases WHERE id = ?", (case_id,)).fetchone()
    if row is None:
        raise UnknownCase(case_id)
    columns, changes = _split(fields)
    data = loads(row["data"]) or {}
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    if columns.get("title", "") is None or ("status" in columns and columns["status"] is None):
        raise ValueError("a case keeps a title and a status")
    # Column names come from CASE_COLUMNS, never from the caller's text.
    sets = ", ".join(f"{name} = ?" for name in columns)
    conn.execute(f"UPDATE cases SET {sets + ', ' if sets else ''}data = ? WHERE id = ?",
                 (*columns.values(), dumps(data), case_id))


def attach(conn: sqlite3.Connection, case_id: int, kind: str, ref: str, added_utc: float) -> int:
    if conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
        raise UnknownCase(case_id)
    cur = conn.execute("INSERT INTO attachments (case_id, kind, ref, added_utc) VALUES (?, ?, ?, ?)",
                       (case_id, kind, str(ref), added_utc))
    return int(cur.lastrowid)


def attachments(conn: sqlite3.Connection, case_id: int) -> list[Attachment]:
    rows = conn.execute("SELECT id, case_id, kind, ref, added_utc FROM attachments WHERE case_id = ?"
                        " ORDER BY added_utc, id", (case_id,))
    return [Attachment(*r) for r in rows]


def detach(conn: sqlite3.Connection, attachment_id: int) -> None:
    if conn.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,)).rowcount == 0:
        raise StoreError(f"no attachment {attachment_id} in the workspace")


_CELL_FIELDS = ("name", "mcc", "mnc", "lac", "ci", "lat", "lon", "azimuth_deg", "beamwidth_deg",
                "tilt_deg", "height_m", "bcch_arfcn", "bsic", "tech", "site")


def put_cell_plan(conn: sqlite3.Connection, cells: list[PlanCell], source: str | None,
                  loaded_utc: float) -> int:
    conn.execute("DELETE FROM cells")  # trxs go with them (ON DELETE CASCADE)
    for idx, cell in enumerate(cells):
        cur = conn.execute(
            f"INSERT INTO cells (idx, {', '.join(_CELL_FIELDS)}, source, loaded_utc)"
            f" VALUES (?, {', '.join('?' for _ in _CELL_FIELDS)}, ?, ?)",
            (idx, *(getattr(cell, f) for f in _CELL_FIELDS), source, loaded_utc))
        conn.executemany(
            "INSERT INTO trxs (cell_id, idx, trx_id, arfcns, timeslots, hopping, maio, hsn)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(cur.lastrowid, i, t.trx_id, dumps(list(t.arfcns)), dumps(list(t.timeslots)),
              int(bool(t.hopping)), t.maio, t.hsn) for i, t in enumerate(cell.trxs)])
    return len(cells)


def cell_plan(conn: sqlite3.Connection) -> list[PlanCell]:
    trxs: dict[int, list[PlanTrx]] = {}
    for r in conn.execute("SELECT * FROM trxs ORDER BY cell_id, idx"):
        trxs.setdefault(r["cell_id"], []).append(PlanTrx(
            trx_id=r["trx_id"], arfcns=tuple(loads(r["arfcns"])), timeslots=tuple(loads(r["timeslots"])),
            hopping=bool(r["hopping"]), maio=r["maio"], hsn=r["hsn"]))
    return [PlanCell(**{f: r[f] for f in _CELL_FIELDS}, trxs=tuple(trxs.get(r["id"], ())))
            for r in conn.execute("SELECT * FROM cells ORDER BY idx")]


def cell_plan_source(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT source FROM cells ORDER BY idx LIMIT 1").fetchone()
    return None if row is None else row["source"]
