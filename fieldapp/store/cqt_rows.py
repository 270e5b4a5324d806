"""CQT runs and calls: the SQL behind the Store's ``cqt_*`` methods. The plan, the verdict and
each call travel as plain dicts (their shape belongs to ``fieldapp.cqt``); the columns hold
what a list or a query needs (state, TRX, result, listener verdict)."""

from __future__ import annotations

import sqlite3
from typing import Any

from fieldapp.store.rows import dumps, loads
from fieldapp.store.schema import StoreError

RUN_STATES = ("running", "paused", "fault", "done", "aborted")


class UnknownRun(StoreError):
    def __init__(self, run_id: int) -> None:
        super().__init__(f"no CQT run {run_id} in the workspace")
        self.run_id = run_id


def create_run(conn: sqlite3.Connection, plan: dict[str, Any], session_id: int | None,
               case_id: int | None, created_utc: float) -> int:
    cur = conn.execute(
        "INSERT INTO cqt_runs (session_id, case_id, created_utc, state, plan) VALUES (?, ?, ?, 'running', ?)",
        (session_id, case_id, created_utc, dumps(plan)))
    return int(cur.lastrowid)


def update_run(conn: sqlite3.Connection, run_id: int, fields: dict[str, Any]) -> None:
    allowed = {"state", "message", "ended_utc", "verdict", "session_id", "case_id"}
    bad = set(fields) - allowed
    if bad:
        raise ValueError(f"not a CQT run field: {', '.join(sorted(bad))}")
    if "state" in fields and fields["state"] not in RUN_STATES:
        raise ValueError(f"CQT run state must be one of {RUN_STATES}, not {fields['state']!r}")
    values = {k: (dumps(v) if k == "verdict" and v is not None else v) for k, v in fields.items()}
    # Column names come from ``allowed``, never from the caller's text.
    sets = ", ".join(f"{name} = ?" for name in values)
    cur = conn.execute(f"UPDATE cqt_runs SET {sets} WHERE id = ?", (*values.values(), run_id))
    if cur.rowcount == 0:
        raise UnknownRun(run_id)


def _run(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "session_id": row["session_id"], "case_id": row["case_id"],
            "created_utc": row["created_utc"], "ended_utc": row["ended_utc"], "state": row["state"],
            "message": row["message"], "plan": loads(row["plan"]), "verdict": loads(row["verdict"])}


def get_run(conn: sqlite3.Connection, run_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM cqt_runs WHERE id = ?", (run_id,)).fetchone()
    return None if row is None else _run(row)


def list_runs(conn: sqlite3.Connection, case_id: int | None = None) -> list[dict[str, Any]]:
    if case_id is None:
        rows = conn.execute("SELECT * FROM cqt_runs ORDER BY created_utc, id")
    else:
        rows = conn.execute("SELECT * FROM cqt_runs WHERE case_id = ? ORDER BY created_utc, id", (case_id,))
    return [_run(r) for r in rows]


def put_call(conn: sqlite3.Connection, run_id: int, call: dict[str, Any]) -> None:
    """Insert or replace the call ``call["seq"]`` of the run (a call is written when it starts
    and again when it ends or is marked)."""
    if conn.execute("SELECT 1 FROM cqt_runs WHERE id = ?", (run_id,)).fetchone() is None:
        raise UnknownRun(run_id)
    conn.execute(
        "INSERT INTO cqt_calls (run_id, seq, start_utc, end_utc, trx_id, trx_how, result, listener, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (run_id, seq) DO UPDATE SET start_utc = excluded.start_utc, end_utc = excluded.end_utc,"
        " trx_id = excluded.trx_id, trx_how = excluded.trx_how, result = excluded.result,"
        " listener = excluded.listener, data = excluded.data",
        (run_id, int(call["seq"]), call["start_utc"], call.get("end_utc"), call.get("trx_id"),
         call.get("trx_how") or "unknown", call.get("result"), call.get("listener"), dumps(call)))


def calls(conn: sqlite3.Connection, run_id: int) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT data FROM cqt_calls WHERE run_id = ? ORDER BY seq", (run_id,))
    return [loads(r["data"]) for r in rows]
