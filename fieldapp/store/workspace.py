"""The Store: one SQLite connection to a workspace, used from one thread.

Threading: SQLite connections are not shared between threads here. The recorder opens its
own Store in its writer thread; the GUI and the CLI open theirs. WAL mode lets those readers
see every committed write without blocking the writer.

Transactions: ``add_*`` calls join one open write transaction (each call all-or-nothing) that
``commit()`` ends; the metadata calls (create/end/reopen a session, cases, the plan) commit
at once, together with anything pending.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, starmap
from pathlib import Path
from typing import Any

from fieldapp.model import EV_GAP, EV_INFO, Event, Position, RawTraffic, Sample, Scan
from fieldapp.store import cases as _cases
from fieldapp.store import cqt_rows as _cqt
from fieldapp.store import liveness
from fieldapp.store import scan_rows as _scan_rows
from fieldapp.store import stat_rows as _stat
from fieldapp.store.rows import LAYOUT_JSON, SAMPLE_COLUMNS, SampleReader, dumps, loads, sample_row
from fieldapp.store.schema import SCHEMA_VERSION, StoreDamaged, StoreError, configure, migrate, schema_version
from fieldapp.store.stored_records import StoredRecords, reader_connection, session_header


class UnknownSession(StoreError):
    def __init__(self, session_id: int) -> None:
        super().__init__(f"no session {session_id} in the workspace")
        self.session_id = session_id


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One recording, as listed. ``end_utc`` None: still recording, or the recorder died."""

    id: int
    start_utc: float
    end_utc: float | None
    source: str
    case_id: int | None
    samples: int
    events: int
    interrupted: bool
    device: dict[str, Any] | None
    note: str | None = None
    plan_version: int | None = None  # the cell plan version it was recorded or imported under


def _placeholders(columns: Iterable[str]) -> str:
    return ", ".join("?" for _ in columns)


# Binding None: CPython's sqlite3 (3.11) looks for an adapter for every parameter that is not an
# int, float, str or bytearray; for None that search ends in two failed attribute lookups whose
# AttributeError messages are formatted and thrown away (~0.25 µs a None, and a Nemo sample
# row binds ~5 of them: a third of SQLite's part of an import). An adapter registered for
# NoneType is found first, in the registry; it returns None, which binds as NULL: the same
# NULL at a fifth of the cost (issue 15). Process-wide and harmless: None was NULL and stays
# NULL for every connection. ``{}.get`` is a C function returning None for None (no Python
# frame per value).
sqlite3.register_adapter(type(None), {}.get)

# Rows per multi-row INSERT in bulk writes (an import's batches): SQLite runs one statement for
# 50 rows instead of 50, and CPython's sqlite3 resets and steps it once (~20 % of the SQLite
# part of an import, issue 15). 17 columns x 50 rows = 850 parameters, under the 999 that the
# oldest SQLite builds allow (newer ones 32,766).
BULK_ROWS = 50


class _Insert:
    """An INSERT of one row, and the same for BULK_ROWS rows in one statement."""

    def __init__(self, sql: str) -> None:
        head, _, row = sql.partition(" VALUES ")
        self.one = sql
        self.bulk = f"{head} VALUES {', '.join([row] * BULK_ROWS)}"
        self.width = row.count("?") * BULK_ROWS  # parameters of one bulk statement


def _insert_rows(conn: sqlite3.Connection, insert: _Insert, rows: list[tuple[Any, ...]]) -> None:
    """``conn.executemany(insert.one, rows)``, as fast as SQLite allows: whole groups of
    BULK_ROWS rows go in multi-row INSERTs (in order: the same rowids), the rest one by one.

    Whatever the bulk statement refuses (a value SQLite cannot store, a constraint, an SQLite
    built with fewer parameters) is undone and the rows go in one at a time, as before: what
    fails fails with the very error and message of a one-row insert, at the same row."""
    full = len(rows) - len(rows) % BULK_ROWS
    if full:
        flat = list(chain.from_iterable(rows[:full]))
        width = insert.width
        conn.execute("SAVEPOINT bulk")
        try:
            conn.executemany(insert.bulk, [flat[i:i + width] for i in range(0, len(flat), width)])
        except Exception:
            if not conn.in_transaction:  # SQLite rolled the whole transaction back (disk full, I/O)
                raise
            conn.execute("ROLLBACK TO bulk")
            conn.execute("RELEASE bulk")
            conn.executemany(insert.one, rows)
            return
        conn.execute("RELEASE bulk")
    if full < len(rows):
        conn.executemany(insert.one, rows[full:])


_INSERT_SAMPLE = (f"INSERT INTO samples ({', '.join(SAMPLE_COLUMNS)}) "
                  f"VALUES ({_placeholders(SAMPLE_COLUMNS)})")
# One query, served by the samples_by_session index (session_id, ts_utc); a sample comes
# whole from its own row (rows.py).
_SELECT_SAMPLES = (
    "SELECT " + ", ".join(SampleReader.COLUMNS) + " FROM samples WHERE session_id = ? ORDER BY ts_utc, id"
)
_INSERT_EVENT = "INSERT INTO events (session_id, ts_utc, kind, text, data) VALUES (?, ?, ?, ?, ?)"
_INSERT_POSITION = ("INSERT INTO positions (session_id, ts_utc, lat, lon, alt_m, speed_mps, course_deg,"
                    " hdop, sats, fix_quality) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_SAMPLES, _EVENTS, _POSITIONS = _Insert(_INSERT_SAMPLE), _Insert(_INSERT_EVENT), _Insert(_INSERT_POSITION)
_INSERT_RAW = "INSERT INTO raw_traffic (session_id, ts_utc, direction, data) VALUES (?, ?, ?, ?)"
_SELECT_SESSIONS = (
    "SELECT s.id, s.start_utc, s.end_utc, s.source, s.case_id, s.interrupted, s.device, s.note, s.plan_version,"
    " (SELECT count(*) FROM samples WHERE session_id = s.id) AS samples,"
    " (SELECT count(*) FROM events WHERE session_id = s.id) AS events"
    " FROM sessions s"
)


def _writable(path: Path) -> bool:
    """Can this process write the workspace (file and folder: SQLite's WAL files go beside)?"""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == b"SQLite format 3\0"
    except OSError:
        return False


def _private_file(path: Path) -> None:
    """Create the workspace file 0600 before SQLite does (it would follow the umask, and its
    -wal/-shm files take the main file's mode); an existing workspace of ours readable by
    others is made private too."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        os.close(fd)
        return
    except FileExistsError:
        pass
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            st = os.stat(p)
            if st.st_uid == os.geteuid() and st.st_mode & 0o077 and os.access(p, os.W_OK):
                os.chmod(p, st.st_mode & 0o700)
        except OSError:
            pass


class Store:
    """A workspace database. Create with ``Store.open(path)``; use from one thread."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self._conn = conn
        self.path = path
        self.read_only = read_only  # opened from a read-only file or medium: list and export only
        self._layout_id: int | None = None  # this code's record layout in record_layouts
        self._uri_flags: str | None = None  # how a read-only workspace was opened (mode=ro, immutable=1)
        self._busy_timeout_s = 5.0

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, busy_timeout_s: float = 5.0) -> Store:
        """Open (and create or migrate) the workspace at ``path``.

        ``create=False`` refuses a missing file instead of creating an empty workspace (for
        read-only commands). Raises StoreError for a file that is not a usable workspace.
        """
        path = Path(path)
        if not create and not path.exists():
            raise StoreError(f"no workspace at {path}")
        if path.exists() and not _writable(path):
            return cls._open_read_only(path, busy_timeout_s)
        try:
            # 0700 / 0600: the workspace holds names, numbers, IMSI and IMEI (issue 16). A
            # folder we create is ours; an existing one (the user's) keeps its mode.
            if not path.parent.exists():
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _private_file(path)
        except OSError as exc:
            raise StoreError(f"cannot create the workspace directory {path.parent}: {exc}") from exc
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, timeout=busy_timeout_s)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {path}: {exc}") from exc
        conn.row_factory = sqlite3.Row
        try:
            configure(conn, busy_timeout_s)
            migrate(conn, name=str(path))
        except sqlite3.OperationalError as exc:
            conn.close()
            raise StoreError(f"cannot open the workspace {path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            conn.close()
            if _is_sqlite(path):
                raise StoreDamaged(path, exc) from exc
            raise StoreError(f"{path} is not a usable fieldapp workspace: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        store = cls(conn, path)
        store._busy_timeout_s = busy_timeout_s
        liveness.claim_orphans(path, store.mark_orphaned)
        return store

    @classmethod
    def _open_read_only(cls, path: Path, busy_timeout_s: float) -> Store:
        """A workspace on a read-only file or medium (a colleague's USB stick, a CD, a share):
        listed and exported, never changed. WAL needs its -shm beside the file, so when that
        cannot be made the file is read as immutable."""
        from urllib.parse import quote

        last: Exception | None = None
        for flags in ("mode=ro", "immutable=1"):
            try:
                conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?{flags}", uri=True,
                                       isolation_level=None, timeout=busy_timeout_s)
                conn.row_factory = sqlite3.Row
                conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
                version = schema_version(conn)
                conn.execute("SELECT count(*) FROM sessions").fetchone()
            except sqlite3.OperationalError as exc:
                last = exc
                continue
            except sqlite3.DatabaseError as exc:
                if _is_sqlite(path):
                    raise StoreDamaged(path, exc) from exc
                raise StoreError(f"{path} is not a usable fieldapp workspace: {exc}") from exc
            if version != SCHEMA_VERSION:
                conn.close()
                raise StoreError(f"{path} is read-only and has schema v{version}; this fieldapp needs "
                                 f"v{SCHEMA_VERSION} (copy it somewhere writable to upgrade it)")
            store = cls(conn, path, read_only=True)
            store._uri_flags, store._busy_timeout_s = flags, busy_timeout_s
            return store
        raise StoreError(f"cannot open the read-only workspace {path}: {last}")

    def quick_check(self) -> str:
        """SQLite's quick check (structure, not index contents): "ok" or the problems."""
        try:
            rows = self._conn.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return "; ".join(str(r[0]) for r in rows)

    def hold_session(self, session_id: int) -> liveness.SessionLock | None:
        """For a recorder: the mark that this session's recorder is alive (``release()`` it
        after ``end_session``). A session whose mark is gone unreleased is an orphan."""
        return liveness.SessionLock.acquire(self.path, session_id)

    def mark_orphaned(self, session_id: int) -> None:
        """A session whose recorder died without ending it (``kill -9``, a crash): ended at
        its last record, interrupted, with an event saying so."""
        with self._committed() as conn:
            row = conn.execute("SELECT start_utc, end_utc, interrupted FROM sessions WHERE id = ?",
                               (session_id,)).fetchone()
            if row is None or row["end_utc"] is not None:
                return  # deleted, or ended after all
            last = conn.execute(
                "SELECT max(t) FROM (SELECT max(ts_utc) AS t FROM samples WHERE session_id = ?1"
                " UNION ALL SELECT max(ts_utc) FROM events WHERE session_id = ?1"
                " UNION ALL SELECT max(ts_utc) FROM positions WHERE session_id = ?1)",
                (session_id,)).fetchone()[0]
            end = row["start_utc"] if last is None else max(last, row["start_utc"])
            conn.execute("INSERT INTO events (session_id, ts_utc, kind, text, data) VALUES (?, ?, ?, ?, ?)",
                         (session_id, end, EV_INFO, "the recorder stopped without ending the session "
                          "(killed or crashed); marked interrupted at its last record",
                          dumps({"reason": "recorder gone", "last_utc": last})))
            conn.execute("UPDATE sessions SET end_utc = ?, interrupted = 1 WHERE id = ?", (end, session_id))

    def close(self) -> None:
        """Close the connection; anything not committed is rolled back."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.commit()
            else:
                self.rollback()
        finally:
            self.close()

    @property
    def schema_version(self) -> int:
        return schema_version(self._conn)

    def pragmas(self) -> dict[str, object]:
        """The connection settings that matter for safety, for diagnostics and tests."""
        conn = self._conn
        return {name: conn.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("journal_mode", "synchronous", "foreign_keys", "user_version",
                             "application_id", "busy_timeout")}

    def integrity_check(self) -> str:
        """SQLite's own check of the file: "ok" or the first problems it found."""
        rows = self._conn.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(str(r[0]) for r in rows)

    # ------------------------------------------------------------------ transactions

    def commit(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("COMMIT")

    def rollback(self) -> None:
        self._layout_id = None  # it may have been added by the transaction rolled back
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    @contextmanager
    def _atomic(self) -> Iterator[sqlite3.Connection]:
        """A savepoint inside the open write transaction: the block is all-or-nothing.

        BEGIN IMMEDIATE takes the write lock up front: a deferred read that later wants to
        write can fail at once with SQLITE_BUSY in WAL mode, whatever the busy timeout.
        """
        conn = self._conn
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        conn.execute("SAVEPOINT atomic")
        try:
            yield conn
        except BaseException:
            self._layout_id = None  # it may have been added in the block rolled back
            # Some errors (SQLITE_FULL, I/O) already rolled the whole transaction back.
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK TO atomic")
                    conn.execute("RELEASE atomic")
                except sqlite3.Error:
                    pass
            raise
        conn.execute("RELEASE atomic")

    @contextmanager
    def _committed(self) -> Iterator[sqlite3.Connection]:
        with self._atomic() as conn:
            yield conn
        self.commit()

    # ------------------------------------------------------------------ sessions

    def create_session(self, source: str, *, device: dict[str, Any] | None = None,
                       case_id: int | None = None, start_utc: float | None = None,
                       plan_version: int | None = None) -> int:
        """A new session, committed at once (with anything pending). ``plan_version``: the
        cell plan version the recording works under (the one its own start adopted,
        ``adopt_cell_plan``); None: the workspace's current version."""
        session_id = self.add_session(source, start_utc=time.time() if start_utc is None else start_utc,
                                      device=device, case_id=case_id, plan_version=plan_version)
        self.commit()
        return session_id

    def end_session(self, session_id: int, end_utc: float, *, interrupted: bool = False) -> None:
        with self._committed() as conn:
            cur = conn.execute("UPDATE sessions SET end_utc = ?, interrupted = ? WHERE id = ?",
                               (end_utc, int(interrupted), session_id))
            if cur.rowcount == 0:
                raise UnknownSession(session_id)

    def reopen_session(self, session_id: int, *, now_utc: float | None = None) -> None:
        """Continue recording into a session (``record --reconnect``).

        The end time and interrupted flag are cleared; what they said is kept as an EV_GAP
        event spanning from the old end (or the last record, when the recorder died without
        ending) to now, so the gap shows on the timeline and in exports.
        """
        now = time.time() if now_utc is None else now_utc
        with self._committed() as conn:
            row = conn.execute("SELECT end_utc, interrupted FROM sessions WHERE id = ?",
                               (session_id,)).fetchone()
            if row is None:
                raise UnknownSession(session_id)
            end, interrupted = row["end_utc"], bool(row["interrupted"])
            if end is None:
                end = conn.execute(
                    "SELECT max(t) FROM (SELECT max(ts_utc) AS t FROM samples WHERE session_id = ?1"
                    " UNION ALL SELECT max(ts_utc) FROM events WHERE session_id = ?1"
                    " UNION ALL SELECT max(ts_utc) FROM positions WHERE session_id = ?1)",
                    (session_id,)).fetchone()[0]
            how = "interrupted" if interrupted else ("ended" if row["end_utc"] is not None
                                                     else "left open")
            text = f"session resumed; the previous recording was {how}"
            data = {"from_utc": end, "to_utc": now, "interrupted": interrupted,
                    "ended": row["end_utc"] is not None, "reason": "resumed"}
            conn.execute("INSERT INTO events (session_id, ts_utc, kind, text, data) VALUES (?, ?, ?, ?, ?)",
                         (session_id, now, EV_GAP, text, dumps(data)))
            conn.execute("UPDATE sessions SET end_utc = NULL, interrupted = 0 WHERE id = ?",
                         (session_id,))

    def set_session_case(self, session_id: int, case_id: int | None) -> None:
        with self._committed() as conn:
            cur = conn.execute("UPDATE sessions SET case_id = ? WHERE id = ?", (case_id, session_id))
            if cur.rowcount == 0:
                raise UnknownSession(session_id)

    def set_session_note(self, session_id: int, note: str | None) -> None:
        with self._committed() as conn:
            cur = conn.execute("UPDATE sessions SET note = ? WHERE id = ?", (note, session_id))
            if cur.rowcount == 0:
                raise UnknownSession(session_id)

    def delete_session(self, session_id: int) -> None:
        """Delete a session and everything recorded in it (samples, events, raw...)."""
        with self._committed() as conn:
            cur = conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            if cur.rowcount == 0:
                raise UnknownSession(session_id)

    @staticmethod
    def _session_info(row: sqlite3.Row) -> SessionInfo:
        return SessionInfo(
            id=row["id"], start_utc=row["start_utc"], end_utc=row["end_utc"], source=row["source"],
            case_id=row["case_id"], samples=row["samples"], events=row["events"],
            interrupted=bool(row["interrupted"]), device=loads(row["device"]), note=row["note"],
            plan_version=row["plan_version"])

    def sessions(self, *, case_id: int | None = None) -> list[SessionInfo]:
        """All sessions (or those of one case), oldest first."""
        if case_id is None:
            rows = self._conn.execute(_SELECT_SESSIONS + " ORDER BY s.start_utc, s.id")
        else:
            rows = self._conn.execute(_SELECT_SESSIONS + " WHERE s.case_id = ? ORDER BY s.start_utc, s.id",
                                      (case_id,))
        return [self._session_info(r) for r in rows]

    def session(self, session_id: int) -> SessionInfo | None:
        row = self._conn.execute(_SELECT_SESSIONS + " WHERE s.id = ?", (session_id,)).fetchone()
        return None if row is None else self._session_info(row)

    # ------------------------------------------------------------------ timeline records

    # Each add_* makes plain tuples and inserts them with prepared statements (sqlite3 keeps
    # them in its cache; an import's batches go BULK_ROWS rows a statement, ``_insert_rows``)
    # inside the open transaction; the caller commits (the recorder once a second, an import
    # once at the end).

    def add_samples(self, session_id: int, samples: Iterable[Sample]) -> int:
        """Add samples (with their neighbours) to the open transaction; returns how many."""
        with self._atomic() as conn:
            layout = self._layout_id
            if layout is None:
                layout = self._layout_id = self._record_layout(conn)
            rows = [sample_row(session_id, layout, s) for s in samples]
            _insert_rows(conn, _SAMPLES, rows)
        return len(rows)

    @staticmethod
    def _record_layout(conn: sqlite3.Connection) -> int:
        """The id of this code's record layout, added on the first write that needs it."""
        conn.execute("INSERT OR IGNORE INTO record_layouts (layout) VALUES (?)", (LAYOUT_JSON,))
        return int(conn.execute("SELECT id FROM record_layouts WHERE layout = ?", (LAYOUT_JSON,)).fetchone()[0])

    def add_events(self, session_id: int, events: Iterable[Event]) -> int:
        rows = [(session_id, e.ts_utc, e.kind, e.text, dumps(e.data) if e.data else "{}") for e in events]
        with self._atomic() as conn:
            _insert_rows(conn, _EVENTS, rows)
        return len(rows)

    def add_positions(self, session_id: int, positions: Iterable[Position]) -> int:
        rows = [(session_id, p.ts_utc, p.lat, p.lon, p.alt_m, p.speed_mps, p.course_deg, p.hdop, p.sats,
                 p.fix_quality) for p in positions]
        with self._atomic() as conn:
            _insert_rows(conn, _POSITIONS, rows)
        return len(rows)

    def add_raw(self, session_id: int, raw: Iterable[RawTraffic]) -> int:
        rows = [(session_id, r.ts_utc, r.direction, bytes(r.data)) for r in raw]
        with self._atomic() as conn:
            conn.executemany(_INSERT_RAW, rows)
        return len(rows)

    def samples(self, session_id: int) -> Iterator[Sample]:
        """The session's samples in time order, rebuilt whole (serving cell with its channel,
        neighbours in their order, signal, registration, position)."""
        layouts = {int(r[0]): loads(r[1]) for r in self._conn.execute("SELECT id, layout FROM record_layouts")}
        cur = self._conn.cursor()
        cur.row_factory = None  # plain tuples, read by position (see SampleReader)
        cur.arraysize = 2048
        cur.execute(_SELECT_SAMPLES, (session_id,))
        build = SampleReader(layouts).sample
        while rows := cur.fetchmany():
            yield from map(build, rows)

    def replay_records(self, session_id: int, **cache: int) -> StoredRecords:
        """The session's records in ``export_logs.session_records`` order, for replay: times,
        kinds, route, events, positions and scans read now in bulk, each Sample rebuilt from its
        row only when it is read (``store/stored_records.py``; ``cache``: its block and
        cache_blocks). It reads its samples on a connection of its own, so it outlives this Store
        and serves any thread."""
        info = self.session(session_id)
        if info is None:
            raise UnknownSession(session_id)
        path, flags, timeout_s = self.path, self._uri_flags, self._busy_timeout_s
        records = StoredRecords(self._conn, lambda: reader_connection(path, flags, timeout_s), session_id,
                                self.events(session_id), self._position_rows(session_id), self.scans(session_id),
                                **cache)
        records.header = session_header(info.source, info.device)
        return records

    def events(self, session_id: int) -> list[Event]:
        rows = self._conn.execute(
            "SELECT ts_utc, kind, text, data FROM events WHERE session_id = ? ORDER BY ts_utc, id",
            (session_id,))
        return [Event(ts_utc=r["ts_utc"], kind=r["kind"], text=r["text"], data=loads(r["data"]) or {})
                for r in rows]

    def positions(self, session_id: int) -> list[Position]:
        return list(starmap(Position, self._position_rows(session_id)))

    def _position_rows(self, session_id: int) -> list[tuple]:
        """The session's positions as tuples of Position's fields, in time order."""
        cur = self._conn.cursor()
        cur.row_factory = None  # plain tuples (sqlite3.Row is ~4x slower to build and unpack)
        return cur.execute(
            "SELECT ts_utc, lat, lon, alt_m, speed_mps, course_deg, hdop, sats, fix_quality"
            " FROM positions WHERE session_id = ? ORDER BY ts_utc, id", (session_id,)).fetchall()

    def raw(self, session_id: int) -> list[RawTraffic]:
        rows = self._conn.execute(
            "SELECT ts_utc, direction, data FROM raw_traffic WHERE session_id = ? ORDER BY ts_utc, id",
            (session_id,))
        return [RawTraffic(ts_utc=r[0], direction=r[1], data=bytes(r[2])) for r in rows]

    def counts(self, session_id: int) -> dict[str, int]:
        """How many records of each kind a session holds (committed ones, as this connection sees)."""
        row = self._conn.execute(
            "SELECT (SELECT count(*) FROM samples WHERE session_id = ?1),"
            " (SELECT coalesce(sum(neighbours_n), 0) FROM samples WHERE session_id = ?1),"
            " (SELECT count(*) FROM events WHERE session_id = ?1),"
            " (SELECT count(*) FROM positions WHERE session_id = ?1),"
            " (SELECT count(*) FROM raw_traffic WHERE session_id = ?1)", (session_id,)).fetchone()
        return dict(zip(("samples", "neighbours", "events", "positions", "raw"), row))

    def max_neighbours(self, session_id: int) -> int:
        """The most neighbours any one sample of the session has (0 when none)."""
        row = self._conn.execute(
            "SELECT max(neighbours_n) FROM samples WHERE session_id = ?",
            (session_id,)).fetchone()
        return 0 if row[0] is None else int(row[0])

    # ------------------------------------------------------------------ cases, attachments, plan

    def create_case(self, title: str, **fields: Any) -> int:
        with self._committed() as conn:
            return _cases.create_case(conn, title, fields)

    def create_case_logged(self, title: str, fields: dict[str, Any], *, author: str, text: str = "case created",
                           ts_utc: float | None = None) -> int:
        """A new case and its first history entry ("created"), in one transaction."""
        now = time.time() if ts_utc is None else ts_utc
        with self._committed() as conn:
            case_id = _cases.create_case(conn, title, {"created_utc": now, "updated_utc": now, **fields})
            _cases.add_history(conn, case_id, now, author, "created", to_status=fields.get("status"), text=text)
            return case_id

    def get_case(self, case_id: int) -> dict[str, Any] | None:
        return _cases.get_case(self._conn, case_id)

    def cases(self, *, statuses: tuple[str, ...] = (), category: str | None = None,
              due_before: str | None = None, text: str | None = None) -> list[dict[str, Any]]:
        """Cases oldest first; the filters combine (see ``store.cases.list_cases``)."""
        return _cases.list_cases(self._conn, statuses=tuple(statuses), category=category,
                                 due_before=due_before, text=text)

    def update_case(self, case_id: int, **fields: Any) -> None:
        with self._committed() as conn:
            _cases.update_case(conn, case_id, fields)

    def update_case_logged(self, case_id: int, fields: dict[str, Any], entries: list[dict[str, Any]], *,
                           ts_utc: float | None = None) -> None:
        """Change a case and write its history entries in one transaction. Each entry is the
        keyword arguments of ``add_case_history`` (author, kind, from_status, to_status, text, data)."""
        now = time.time() if ts_utc is None else ts_utc
        with self._committed() as conn:
            _cases.update_case(conn, case_id, {**fields, "updated_utc": now})
            for entry in entries:
                _cases.add_history(conn, case_id, entry.get("ts_utc", now), **{k: v for k, v in entry.items()
                                                                                 if k != "ts_utc"})

    def add_case_history(self, case_id: int, author: str, kind: str, *, from_status: str | None = None,
                         to_status: str | None = None, text: str = "", data: dict[str, Any] | None = None,
                         ts_utc: float | None = None) -> int:
        with self._committed() as conn:
            return _cases.add_history(conn, case_id, time.time() if ts_utc is None else ts_utc, author, kind,
                                      from_status=from_status, to_status=to_status, text=text, data=data)

    def case_history(self, case_id: int) -> list[_cases.HistoryEntry]:
        return _cases.history(self._conn, case_id)

    def attach(self, case_id: int, kind: str, ref: str, *, added_utc: float | None = None,
               role: str | None = None, label: str | None = None, sha256: str | None = None,
               author: str | None = None) -> int:
        """Attach evidence to a case; with ``author`` an "evidence" history entry is written in
        the same transaction."""
        now = time.time() if added_utc is None else added_utc
        with self._committed() as conn:
            attachment_id = _cases.attach(conn, case_id, kind, ref, now, role=role, label=label, sha256=sha256)
            if author is not None:
                what = label or ref
                what = (what if what.lower().startswith(kind) else f"{kind} {what}") + (f" ({role})" if role else "")
                _cases.add_history(conn, case_id, now, author, "evidence", text=f"attached {what}",
                                   data={"attachment": attachment_id, "kind": kind, "ref": str(ref)})
            return attachment_id

    def attachments(self, case_id: int) -> list[_cases.Attachment]:
        return _cases.attachments(self._conn, case_id)

    def attachment(self, attachment_id: int) -> _cases.Attachment | None:
        return _cases.attachment(self._conn, attachment_id)

    def set_attachment_role(self, attachment_id: int, role: str | None) -> None:
        with self._committed() as conn:
            _cases.set_attachment_role(conn, attachment_id, role)

    def detach(self, attachment_id: int) -> None:
        with self._committed() as conn:
            _cases.detach(conn, attachment_id)

    def put_cell_plan(self, cells: Iterable[Any], source: str | None) -> int:
        """Replace the workspace's cell plan (model.PlanCell records); returns the cell count."""
        with self._committed() as conn:
            return _cases.put_cell_plan(conn, list(cells), source, time.time())

    def adopt_cell_plan(self, cells: Iterable[Any], source: str,
                        allow: Callable[[str | None], bool]) -> tuple[bool, int | None]:
        """Make ``cells`` the plan when ``allow(current plan's source)``; returns (adopted, the
        version the caller works under), both decided in one write transaction: a recording
        keeps the version of the plan it loaded, whatever another program loads after it."""
        with self._committed() as conn:
            return _cases.adopt_cell_plan(conn, list(cells), source, time.time(), allow)

    def set_session_plan_version(self, session_id: int, version: int | None) -> None:
        """The cell plan version a session was recorded under (a plan imported afterwards that
        is the one the network had at the time). Raises StoreError for an unknown version."""
        with self._committed() as conn:
            if not _cases.set_session_plan_version(conn, session_id, version):
                raise UnknownSession(session_id)

    def cell_plan(self) -> list[Any]:
        return _cases.cell_plan(self._conn)

    def cell_plan_source(self) -> str | None:
        return _cases.cell_plan_source(self._conn)

    def plan_version(self) -> int | None:
        """The current cell plan's version (None: no plan loaded)."""
        latest = _cases.latest_plan_version(self._conn)
        if latest is not None or not _cases.cell_plan_source(self._conn) and not self.cell_plan():
            return latest
        with self._committed() as conn:  # a plan from before versions: it becomes version 1
            return _cases.plan_version(conn)

    def plan_at(self, version: int) -> tuple[list[Any], str | None, float] | None:
        """(cells, source, loaded_utc) of a plan version, or None."""
        return _cases.plan_at(self._conn, version)

    def plan_versions(self) -> list[tuple[int, float, str | None, int]]:
        return _cases.plan_versions(self._conn)

    # ------------------------------------------------------------------ bulk import (fieldapp/importer.py)
    # An import is ONE write transaction: the session row and every record commit together or
    # not at all, so a failed, cancelled or killed import leaves the workspace untouched.
    # Nothing here commits; the importer calls commit() or rollback().

    def add_session(self, source: str, *, start_utc: float, end_utc: float | None = None,
                    device: dict[str, Any] | None = None, case_id: int | None = None,
                    plan_version: int | None = None) -> int:
        """Like ``create_session`` but inside the open write transaction (no commit)."""
        with self._atomic() as conn:
            if plan_version is None:
                plan_version = _cases.plan_version(conn)  # the plan as it is while this session is recorded
            elif not _cases.has_plan_version(conn, plan_version):
                raise StoreError(f"no cell plan version {plan_version} in the workspace")
            cur = conn.execute(
                "INSERT INTO sessions (start_utc, end_utc, source, device, case_id, plan_version)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (start_utc, end_utc, source, None if device is None else dumps(device), case_id, plan_version))
        return int(cur.lastrowid)

    def set_session_span(self, session_id: int, start_utc: float, end_utc: float | None) -> None:
        """Set a session's start and end inside the open write transaction (no commit)."""
        with self._atomic() as conn:
            cur = conn.execute("UPDATE sessions SET start_utc = ?, end_utc = ? WHERE id = ?",
                               (start_utc, end_utc, session_id))
            if cur.rowcount == 0:
                raise UnknownSession(session_id)

    # ------------------------------------------------------------------ band scans (store/scan_rows.py)

    def add_scans(self, session_id: int, scans: Iterable[Scan]) -> int:
        """Add scans (with their carriers) to the open transaction; returns how many."""
        with self._atomic() as conn:
            return _scan_rows.add_scans(conn, session_id, scans)

    def scans(self, session_id: int) -> list[Scan]:
        """The session's scans in time order, carriers in the order they were heard."""
        return _scan_rows.scans(self._conn, session_id)

    # ------------------------------------------------------------------ CQT runs (fieldapp/cqt)
    # A run and its calls as plain dicts; the SQL is in store/cqt_rows.py. Each call commits.

    def create_cqt_run(self, plan: dict[str, Any], *, session_id: int | None = None,
                       case_id: int | None = None, created_utc: float | None = None) -> int:
        with self._committed() as conn:
            return _cqt.create_run(conn, plan, session_id, case_id,
                                   time.time() if created_utc is None else created_utc)

    def update_cqt_run(self, run_id: int, **fields: Any) -> None:
        """Set state, message, ended_utc, verdict (a dict), session_id or case_id."""
        with self._committed() as conn:
            _cqt.update_run(conn, run_id, fields)

    def cqt_run(self, run_id: int) -> dict[str, Any] | None:
        return _cqt.get_run(self._conn, run_id)

    def cqt_runs(self, *, case_id: int | None = None) -> list[dict[str, Any]]:
        return _cqt.list_runs(self._conn, case_id)

    def put_cqt_call(self, run_id: int, call: dict[str, Any]) -> None:
        with self._committed() as conn:
            _cqt.put_call(conn, run_id, call)

    def cqt_calls(self, run_id: int) -> list[dict[str, Any]]:
        return _cqt.calls(self._conn, run_id)

    # ------------------------------------------------------------------ network statistics (issue 14)
    # Counter rows and alarms of an export; the SQL is in store/stat_rows.py. An import is one
    # write transaction: ``create_stat_import`` ... ``put_*`` ... ``finish_stat_import`` commits,
    # ``rollback()`` leaves the workspace as it was.

    def create_stat_import(self, kind: str, source: str, *, vendor: str | None = None, layout: str | None = None,
                           case_id: int | None = None, imported_utc: float | None = None) -> int:
        self._stat_cache: dict[tuple, int] = {}
        with self._atomic() as conn:
            return _stat.create_import(conn, kind, source, vendor, layout, case_id,
                                       time.time() if imported_utc is None else imported_utc)

    def put_counter_rows(self, import_id: int, rows: Iterable[Any]) -> int:
        with self._atomic() as conn:
            return _stat.put_counter_rows(conn, import_id, rows, self.__dict__.setdefault("_stat_cache", {}))

    def put_alarms(self, import_id: int, alarms: Iterable[Any]) -> int:
        with self._atomic() as conn:
            return _stat.put_alarms(conn, import_id, alarms)

    def finish_stat_import(self, import_id: int, summary: dict[str, Any], units: dict[str, str | None]) -> None:
        with self._committed() as conn:
            _stat.set_summary(conn, import_id, summary)
            _stat.put_units(conn, units)
        self._stat_cache = {}

    def stat_imports(self, *, case_id: int | None = None) -> list[dict[str, Any]]:
        return _stat.imports(self._conn, case_id)

    def set_stat_import_case(self, import_id: int, case_id: int | None) -> None:
        with self._committed() as conn:
            _stat.set_import_case(conn, import_id, case_id)

    def stat_objects(self, *, case_id: int | None = None, cells: Iterable[str] | None = None) -> list[dict[str, Any]]:
        return _stat.objects(self._conn, case_id, cells)

    def stat_values(self, object_ids: list[int], *, from_utc: float | None = None,
                    to_utc: float | None = None) -> list[tuple]:
        return _stat.values(self._conn, object_ids, from_utc, to_utc)

    def stat_units(self) -> dict[str, str | None]:
        return _stat.units(self._conn)

    def alarms(self, *, case_id: int | None = None) -> list[dict[str, Any]]:
        return _stat.alarms(self._conn, case_id)
