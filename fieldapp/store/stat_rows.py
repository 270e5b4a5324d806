"""Network statistics and alarms (issue 14): the SQL behind the Store's ``stat_*`` and
``alarm*`` methods. Counter rows and alarms arrive as the reader's records (``CounterRow``,
``AlarmRecord`` of logs/stats_records.py, duck-typed here: the store imports no reader); they
leave as plain tuples and dicts for the domain (fieldapp/netstats).

A counter value is one row per object, period start and counter; importing the same export
again replaces its values (and adds nothing), NULL stays NULL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from fieldapp.store.rows import dumps, loads

OBJECT_KEYS = ("kind", "bsc", "cell", "trx", "neighbour")


def create_import(conn: sqlite3.Connection, kind: str, source: str, vendor: str | None, layout: str | None,
                  case_id: int | None, imported_utc: float) -> int:
    cur = conn.execute("INSERT INTO stat_imports (imported_utc, kind, source, vendor, layout, case_id) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (imported_utc, kind, source, vendor, layout, case_id))
    return int(cur.lastrowid)


def set_summary(conn: sqlite3.Connection, import_id: int, summary: dict[str, Any]) -> None:
    conn.execute("UPDATE stat_imports SET summary = ? WHERE id = ?", (dumps(summary), import_id))


def _object_id(conn: sqlite3.Connection, cache: dict[tuple, int], row: Any) -> int:
    key = (row.kind, row.bsc or "", row.cell or "", row.trx or "", row.neighbour or "")
    hit = cache.get(key)
    if hit is not None:
        return hit
    found = conn.execute("SELECT id, cgi FROM stat_objects WHERE kind = ? AND bsc = ? AND cell = ? AND trx = ? "
                         "AND neighbour = ?", key).fetchone()
    if found is None:
        oid = int(conn.execute("INSERT INTO stat_objects (kind, bsc, cell, trx, neighbour, cgi) "
                               "VALUES (?, ?, ?, ?, ?, ?)", (*key, row.cgi)).lastrowid)
    else:
        oid = int(found[0])
        if row.cgi and not found[1]:
            conn.execute("UPDATE stat_objects SET cgi = ? WHERE id = ?", (row.cgi, oid))
    cache[key] = oid
    return oid


def put_counter_rows(conn: sqlite3.Connection, import_id: int, rows: Iterable[Any], cache: dict[tuple, int]) -> int:
    """Values of the rows (one batch); returns how many values were written."""
    values = []
    for row in rows:
        oid = _object_id(conn, cache, row)
        values.extend((oid, row.start_utc, row.period_s, name, v) for name, v in row.values.items())
    new_objects = {(import_id, oid) for oid in cache.values()}
    conn.executemany("INSERT OR IGNORE INTO stat_import_objects (import_id, object_id) VALUES (?, ?)",
                     sorted(new_objects))
    conn.executemany("INSERT OR REPLACE INTO stat_values (object_id, start_utc, period_s, counter, value) "
                     "VALUES (?, ?, ?, ?, ?)", values)
    return len(values)


def put_units(conn: sqlite3.Connection, units: dict[str, str | None]) -> None:
    conn.executemany("INSERT INTO stat_units (counter, unit) VALUES (?, ?) "
                     "ON CONFLICT (counter) DO UPDATE SET unit = coalesce(excluded.unit, stat_units.unit)",
                     sorted(units.items()))


ALARM_COLUMNS = ("raised_utc", "cleared_utc", "severity", "alarm_id", "name", "bsc", "cell", "trx", "board",
                 "managed_object", "probable_cause", "specific_problem", "text")


def put_alarms(conn: sqlite3.Connection, import_id: int, alarms: Iterable[Any]) -> int:
    """The alarms; one already in the workspace (same object, name, raise time, board and TRX) is
    kept once and gains a clearing time it did not have."""
    n = 0
    for a in alarms:
        found = conn.execute("SELECT id FROM alarms WHERE managed_object = ? AND name = ? AND raised_utc = ? "
                             "AND board IS ? AND trx IS ?",
                             (a.managed_object, a.name, a.raised_utc, a.board, a.trx)).fetchone()
        if found is None:
            vals = tuple(getattr(a, c) for c in ALARM_COLUMNS)
            aid = int(conn.execute(f"INSERT INTO alarms (import_id, {', '.join(ALARM_COLUMNS)}) VALUES (?, "
                                   f"{', '.join('?' * len(ALARM_COLUMNS))})", (import_id, *vals)).lastrowid)
        else:
            aid = int(found[0])
            conn.execute("UPDATE alarms SET cleared_utc = coalesce(?, cleared_utc) WHERE id = ?",
                         (a.cleared_utc, aid))
        conn.execute("INSERT OR IGNORE INTO stat_import_alarms (import_id, alarm_id) VALUES (?, ?)", (import_id, aid))
        n += 1
    return n


def imports(conn: sqlite3.Connection, case_id: int | None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM stat_imports" + (" WHERE case_id = ?" if case_id is not None else "") + " ORDER BY id"
    rows = conn.execute(sql, (case_id,) if case_id is not None else ()).fetchall()
    return [{**dict(r), "summary": loads(r["summary"]) or {}} for r in rows]


def set_import_case(conn: sqlite3.Connection, import_id: int, case_id: int | None) -> None:
    conn.execute("UPDATE stat_imports SET case_id = ? WHERE id = ?", (case_id, import_id))


def _obj(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["id"], "kind": r["kind"], "bsc": r["bsc"] or None, "cell": r["cell"] or None,
            "trx": r["trx"] or None, "neighbour": r["neighbour"] or None, "cgi": r["cgi"]}


def objects(conn: sqlite3.Connection, case_id: int | None, cells: Iterable[str] | None) -> list[dict[str, Any]]:
    """Counter objects: all, those of a case's imports, and/or those of the named cells."""
    where, args = [], []
    if case_id is not None:
        where.append("id IN (SELECT object_id FROM stat_import_objects JOIN stat_imports i ON i.id = import_id "
                     "WHERE i.case_id = ?)")
        args.append(case_id)
    names = list(cells) if cells is not None else None
    if names is not None:
        where.append(f"cell IN ({', '.join('?' * len(names))})" if names else "0")
        args.extend(names)
    sql = "SELECT * FROM stat_objects" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
    return [_obj(r) for r in conn.execute(sql, args)]


def values(conn: sqlite3.Connection, object_ids: list[int], from_utc: float | None,
           to_utc: float | None) -> list[tuple]:
    """(object_id, start_utc, period_s, counter, value) of the objects, start in [from, to)."""
    if not object_ids:
        return []
    out: list[tuple] = []
    for i in range(0, len(object_ids), 500):
        chunk = object_ids[i:i + 500]
        sql = (f"SELECT object_id, start_utc, period_s, counter, value FROM stat_values WHERE object_id IN "
               f"({', '.join('?' * len(chunk))})")
        args: list[Any] = list(chunk)
        if from_utc is not None:
            sql += " AND start_utc >= ?"
            args.append(from_utc)
        if to_utc is not None:
            sql += " AND start_utc < ?"
            args.append(to_utc)
        out.extend(tuple(r) for r in conn.execute(sql, args))
    return out


def units(conn: sqlite3.Connection) -> dict[str, str | None]:
    return {r[0]: r[1] for r in conn.execute("SELECT counter, unit FROM stat_units")}


def alarms(conn: sqlite3.Connection, case_id: int | None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM alarms"
    args: tuple = ()
    if case_id is not None:
        sql += (" WHERE id IN (SELECT alarm_id FROM stat_import_alarms JOIN stat_imports i ON i.id = import_id "
                "WHERE i.case_id = ?)")
        args = (case_id,)
    return [dict(r) for r in conn.execute(sql + " ORDER BY raised_utc, id", args)]
