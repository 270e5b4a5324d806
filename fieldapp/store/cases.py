"""Cases, their history, their attachments and the cell plan: the SQL behind the Store methods
of the same names. A case row has the columns a list filters and sorts on (status, category,
title, priority, due date, engineer, last change) and keeps every other field of the case model
(``fieldapp.cases.model``) in its JSON ``data``. The history is append-only: one row per status
change, edit or note, written in the same transaction as the change it records.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from fieldapp.model import PlanCell, PlanTrx
from fieldapp.store.rows import dumps, loads
from fieldapp.store.schema import StoreError

CASE_COLUMNS = ("created_utc", "status", "category", "title", "priority", "due_date", "engineer",
                "updated_utc")


class UnknownCase(StoreError):
    def __init__(self, case_id: int) -> None:
        super().__init__(f"no case {case_id} in the workspace")
        self.case_id = case_id


@dataclass(frozen=True, slots=True)
class Attachment:
    id: int
    case_id: int
    kind: str  # "session", "cqt", "file", "note", "photo", "report", ...
    ref: str  # a session id, a CQT run id, a path, a URL
    added_utc: float
    role: str | None = None  # "before" / "after": the two tests of the same spot
    label: str | None = None  # a note's text, a file's original name
    sha256: str | None = None  # hex digest of a file copied into the workspace


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of a case's history: a status change, an edit, a note, evidence added."""

    id: int
    case_id: int
    ts_utc: float
    author: str
    kind: str  # "created", "status", "reopen", "edit", "note", "evidence"
    from_status: str | None
    to_status: str | None
    text: str
    data: dict[str, Any]


def _split(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    columns = {k: v for k, v in fields.items() if k in CASE_COLUMNS}
    data = {k: v for k, v in fields.items() if k not in CASE_COLUMNS and k != "id"}
    return columns, data


def create_case(conn: sqlite3.Connection, title: str, fields: dict[str, Any]) -> int:
    columns, data = _split(fields)
    cur = conn.execute(
        "INSERT INTO cases (created_utc, status, category, title, priority, due_date, engineer,"
        " updated_utc, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (columns.get("created_utc", time.time()), columns.get("status") or "open",
         columns.get("category"), title, columns.get("priority"), columns.get("due_date"),
         columns.get("engineer"), columns.get("updated_utc"), dumps(data)))
    return int(cur.lastrowid)


def _case(row: sqlite3.Row) -> dict[str, Any]:
    # The JSON fields first, so a column always wins over a stale copy in the data.
    return {**(loads(row["data"]) or {}), "id": row["id"],
            **{name: row[name] for name in CASE_COLUMNS}}


def get_case(conn: sqlite3.Connection, case_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
    return None if row is None else _case(row)


def list_cases(conn: sqlite3.Connection, *, statuses: tuple[str, ...] = (), category: str | None = None,
               due_before: str | None = None, text: str | None = None) -> list[dict[str, Any]]:
    """Cases oldest first, filtered: any of ``statuses``, one ``category``, a due date on or
    before ``due_before`` (ISO date), ``text`` anywhere in the title or the fields (case-blind)."""
    where, args = [], []
    if statuses:
        where.append(f"status IN ({', '.join('?' for _ in statuses)})")
        args.extend(statuses)
    if category is not None:
        where.append("lower(category) = lower(?)")
        args.append(category)
    if due_before is not None:
        where.append("due_date IS NOT NULL AND due_date <= ?")
        args.append(due_before)
    sql = "SELECT * FROM cases" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY created_utc, id"
    rows = conn.execute(sql, args)
    if text:
        # Matched in Python: SQLite's lower() folds ASCII only ("Brücke" vs "BRÜCKE"), and the
        # user's text is never a LIKE pattern.
        needle = text.casefold()
        rows = (r for r in rows
                if needle in " ".join((r["title"] or "", r["data"] or "", r["engineer"] or "")).casefold())
    return [_case(r) for r in rows]


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


def attach(conn: sqlite3.Connection, case_id: int, kind: str, ref: str, added_utc: float, *,
           role: str | None = None, label: str | None = None, sha256: str | None = None) -> int:
    if conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
        raise UnknownCase(case_id)
    cur = conn.execute("INSERT INTO attachments (case_id, kind, ref, added_utc, role, label, sha256)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)", (case_id, kind, str(ref), added_utc, role, label, sha256))
    return int(cur.lastrowid)


_ATTACHMENT = "SELECT id, case_id, kind, ref, added_utc, role, label, sha256 FROM attachments"


def attachments(conn: sqlite3.Connection, case_id: int) -> list[Attachment]:
    rows = conn.execute(_ATTACHMENT + " WHERE case_id = ? ORDER BY added_utc, id", (case_id,))
    return [Attachment(*r) for r in rows]


def attachment(conn: sqlite3.Connection, attachment_id: int) -> Attachment | None:
    row = conn.execute(_ATTACHMENT + " WHERE id = ?", (attachment_id,)).fetchone()
    return None if row is None else Attachment(*row)


def set_attachment_role(conn: sqlite3.Connection, attachment_id: int, role: str | None) -> None:
    if conn.execute("UPDATE attachments SET role = ? WHERE id = ?", (role, attachment_id)).rowcount == 0:
        raise StoreError(f"no attachment {attachment_id} in the workspace")


def add_history(conn: sqlite3.Connection, case_id: int, ts_utc: float, author: str, kind: str, *,
                from_status: str | None = None, to_status: str | None = None, text: str = "",
                data: dict[str, Any] | None = None) -> int:
    if conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
        raise UnknownCase(case_id)
    cur = conn.execute(
        "INSERT INTO case_history (case_id, ts_utc, author, kind, from_status, to_status, text, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (case_id, ts_utc, author, kind, from_status, to_status, text, dumps(data or {})))
    return int(cur.lastrowid)


def history(conn: sqlite3.Connection, case_id: int) -> list[HistoryEntry]:
    rows = conn.execute("SELECT id, case_id, ts_utc, author, kind, from_status, to_status, text, data"
                        " FROM case_history WHERE case_id = ? ORDER BY ts_utc, id", (case_id,))
    return [HistoryEntry(*r[:8], data=loads(r[8]) or {}) for r in rows]


def detach(conn: sqlite3.Connection, attachment_id: int) -> None:
    if conn.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,)).rowcount == 0:
        raise StoreError(f"no attachment {attachment_id} in the workspace")


_CELL_FIELDS = ("name", "mcc", "mnc", "lac", "ci", "lat", "lon", "azimuth_deg", "beamwidth_deg",
                "tilt_deg", "height_m", "bcch_arfcn", "bsic", "tech", "site")


def _plan_json(cells: list[PlanCell]) -> str:
    return dumps([asdict(c) for c in cells])


def _plan_cells(text: str) -> list[PlanCell]:
    out = []
    for d in loads(text):
        trxs = tuple(PlanTrx(**{**t, "arfcns": tuple(t["arfcns"]), "timeslots": tuple(t["timeslots"])})
                     for t in d.pop("trxs", []))
        out.append(PlanCell(**d, trxs=trxs))
    return out


def latest_plan_version(conn: sqlite3.Connection) -> int | None:
    """The newest stored version (read only); None when none is stored yet."""
    row = conn.execute("SELECT max(version) AS v FROM plan_versions").fetchone()
    return None if row["v"] is None else int(row["v"])


def plan_version(conn: sqlite3.Connection) -> int | None:
    """The current plan's version (inside a write transaction): the plan of a workspace made
    before versions becomes version 1 the first time one is needed."""
    latest = latest_plan_version(conn)
    if latest is not None:
        return latest
    cells = cell_plan(conn)
    if not cells:
        return None
    loaded = conn.execute("SELECT min(loaded_utc) AS t FROM cells").fetchone()["t"]
    cur = conn.execute("INSERT INTO plan_versions (loaded_utc, source, cells) VALUES (?, ?, ?)",
                       (loaded, cell_plan_source(conn), _plan_json(cells)))
    return int(cur.lastrowid)


def plan_at(conn: sqlite3.Connection, version: int) -> tuple[list[PlanCell], str | None, float] | None:
    """(cells, source, loaded_utc) of a stored plan version, or None."""
    row = conn.execute("SELECT cells, source, loaded_utc FROM plan_versions WHERE version = ?",
                       (version,)).fetchone()
    return None if row is None else (_plan_cells(row["cells"]), row["source"], row["loaded_utc"])


def plan_versions(conn: sqlite3.Connection) -> list[tuple[int, float, str | None, int]]:
    """(version, loaded_utc, source, number of cells) of every version, oldest first."""
    return [(r["version"], r["loaded_utc"], r["source"], len(loads(r["cells"])))
            for r in conn.execute("SELECT * FROM plan_versions ORDER BY version")]


def put_cell_plan(conn: sqlite3.Connection, cells: list[PlanCell], source: str | None,
                  loaded_utc: float) -> int:
    """Replace the current plan; the load is a new version unless it is the current one again
    (the same scenario brought by every connect of the simulator is not a change)."""
    current = plan_version(conn)
    text = _plan_json(cells)
    same = current is not None and conn.execute(
        "SELECT 1 FROM plan_versions WHERE version = ? AND cells = ? AND source IS ?",
        (current, text, source)).fetchone() is not None
    if not same:
        conn.execute("INSERT INTO plan_versions (loaded_utc, source, cells) VALUES (?, ?, ?)",
                     (loaded_utc, source, text))
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


def adopt_cell_plan(conn: sqlite3.Connection, cells: list[PlanCell], source: str, loaded_utc: float,
                    allow: Callable[[str | None], bool]) -> tuple[bool, int | None]:
    """Make ``cells`` the current plan when ``allow(current source)`` says so, and say which
    version the caller now works under: its own (adopted, or equal to the current one), else
    the current one it may not replace. Inside one write transaction, so another program that
    adopts its own plan a moment later cannot slip between the load and the version read
    (two recorders starting together each keep their own scenario's plan)."""
    if cells and allow(cell_plan_source(conn)):
        put_cell_plan(conn, cells, source, loaded_utc)
        return True, latest_plan_version(conn)
    return False, plan_version(conn)


def set_session_plan_version(conn: sqlite3.Connection, session_id: int, version: int | None) -> bool:
    """False when there is no such session."""
    if version is not None and not has_plan_version(conn, version):
        raise StoreError(f"no cell plan version {version} in the workspace")
    return conn.execute("UPDATE sessions SET plan_version = ? WHERE id = ?",
                        (version, session_id)).rowcount > 0


def has_plan_version(conn: sqlite3.Connection, version: int) -> bool:
    return conn.execute("SELECT 1 FROM plan_versions WHERE version = ?", (version,)).fetchone() is not None


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
