"""The workspace schema: an ordered list of migrations, applied on open.

``PRAGMA user_version`` holds the number of migrations applied. A migration is never edited
once released: a change to the schema is a new entry at the end of ``MIGRATIONS``, so a
workspace written by an older fieldapp opens under a newer one (and the reverse is refused
with a clear message instead of guessing).

History:
- v1: the recording tables (sessions, samples, neighbours, events, positions, raw traffic)
  and the minimal case row a session can point at.
- v2: case attachments and the cell plan (cells and their TRXs).
- v3: the complaint case model: list columns (priority, due date, engineer, last change), the
  case history (every status change, edit and note with time and author), and per attachment a
  before/after role, a label and the sha256 of a copied file.
- v4: CQT runs and their calls (fieldapp/cqt; the SQL is in store/cqt_rows.py).
- v5: band scans and the carriers they heard (issue 17; the SQL is in store/scan_rows.py).
- v6: network statistics and alarms (issue 14; the SQL is in store/stat_rows.py): imports,
  counter objects (BSC, cell, TRX, neighbour relation), counter values per object and period
  (NULL = missing, never 0), counter units, alarms with their active interval.
- v7: cell plan versions (issue 13): every load of a plan (a cell file, a scenario, an edit)
  is kept as a numbered version with its cells as JSON; each session keeps the version it was
  recorded or imported under (``sessions.plan_version``; NULL: recorded before versions).
- v8: a sample is one row with its parts packed as JSON (``samples.record_json``, format in
  store/rows.py, field order named per row by ``record_layouts``) plus a few query columns;
  the ``neighbours`` table is folded into its samples. Every read takes a sample whole, and the
  flat ~90 columns plus one row per neighbour cost ~100 µs per sample to insert (issue 15:
  ~10,000 samples/s before, see bench/store_bench.py).
- v9: no table change. record_json cells are written in "cell forms" (store/rows.py: a form
  code, the fields a technology's cells usually carry first, trailing nulls left out; ~1/3 of
  the bytes, issue 15); their layout names the forms (``record_layouts.layout`` has
  ``cell_forms``). A v8 fieldapp would misread such rows, so the version moves and it refuses
  the workspace instead. v8 rows stay as they are and are read by their own layout.
"""

from __future__ import annotations

import sqlite3

# "FDWS" in the SQLite header (PRAGMA application_id): tells a fieldapp workspace apart from
# any other SQLite file a user might point --workspace at.
APPLICATION_ID = 0x46445753


class StoreError(Exception):
    """A workspace that cannot be used (not a workspace, newer schema, unknown session...)."""


class StoreDamaged(StoreError):
    """An SQLite workspace whose pages are broken (a disk error, a copy cut short)."""

    def __init__(self, path: object, detail: object) -> None:
        super().__init__(f"the workspace is damaged: {path} ({detail}); `fieldapp workspace check --recover "
                         f"--workspace {path}` copies what is readable into a new file")


def as_store_error(exc: BaseException, where: object) -> StoreError | None:
    """An SQLite error met in the middle of some work, as the StoreError to tell the user
    (a damaged file, a read-only one); None when it is not about the workspace file."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return StoreDamaged(where, exc)
    if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
        return StoreError(f"the workspace {where} is read-only ({exc}): it can be listed and exported")
    return None


# How a writer tells errors apart without importing sqlite3 itself:
# - the database cannot take writes for now (disk full, locked by another program, I/O error):
#   keep the records and try again later;
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (sqlite3.OperationalError,)
# - the database refuses these records (a value it cannot store, a broken constraint): retrying
#   the same records cannot help.
RECORD_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, TypeError, ValueError, OverflowError)


_V1 = (
    """CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        created_utc REAL NOT NULL,
        status TEXT NOT NULL DEFAULT 'open',
        category TEXT,
        title TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}'          -- JSON: the rest of the case model
    )""",
    """CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        start_utc REAL NOT NULL,
        end_utc REAL,                            -- NULL: still recording, or the recorder died
        source TEXT NOT NULL,                    -- "handset:/dev/ttyUSB0", "simulator:...", "import:x.nmf"
        device TEXT,                             -- JSON: family, model, firmware, capabilities
        case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
        interrupted INTEGER NOT NULL DEFAULT 0,
        note TEXT
    )""",
    # One row per Sample. The serving Cell, its Channel, the Signal, the Registration and the
    # Position are flattened into columns; has_* says whether the part was there at all, so
    # "no Signal" and "a Signal with every value unknown" stay different.
    """CREATE TABLE samples (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        ts_utc REAL NOT NULL,
        tech TEXT,
        mode TEXT,
        has_serving INTEGER NOT NULL DEFAULT 0,
        role TEXT, cell_tech TEXT,
        mcc INTEGER, mnc INTEGER, lac INTEGER, ci INTEGER,
        arfcn INTEGER, bsic INTEGER,
        rxlev INTEGER, rxlev_dbm REAL, rxlev_full INTEGER, rxlev_sub INTEGER,
        rxqual INTEGER, rxqual_sub INTEGER,
        c1 INTEGER, c2 INTEGER, ta INTEGER,
        pci INTEGER, rscp_dbm REAL, ecno_db REAL, rsrp_dbm REAL, rsrq_db REAL, sinr_db REAL,
        operator TEXT, cell_state TEXT,
        has_channel INTEGER NOT NULL DEFAULT 0,
        tch_arfcn INTEGER, timeslot INTEGER, hopping INTEGER, maio INTEGER, hsn INTEGER,
        channel_type TEXT, codec TEXT,
        has_signal INTEGER NOT NULL DEFAULT 0,
        rssi_dbm REAL, sig_rxqual INTEGER, rssi_raw INTEGER, sig_rxlev INTEGER,
        sig_rscp_dbm REAL, sig_ecno_db REAL, sig_rsrq_db REAL, sig_rsrp_dbm REAL,
        has_registration INTEGER NOT NULL DEFAULT 0,
        reg_domain TEXT, reg_stat INTEGER, reg_lac INTEGER, reg_ci INTEGER, reg_act INTEGER,
        reg_tech TEXT, reg_operator TEXT, reg_mcc INTEGER, reg_mnc INTEGER,
        has_position INTEGER NOT NULL DEFAULT 0,
        pos_ts_utc REAL, lat REAL, lon REAL, alt_m REAL, speed_mps REAL, course_deg REAL,
        hdop REAL, sats INTEGER, fix_quality INTEGER
    )""",
    """CREATE TABLE neighbours (
        id INTEGER PRIMARY KEY,
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,                    -- position in Sample.neighbours
        role TEXT, tech TEXT,
        mcc INTEGER, mnc INTEGER, lac INTEGER, ci INTEGER,
        arfcn INTEGER, bsic INTEGER,
        rxlev INTEGER, rxlev_dbm REAL, rxlev_full INTEGER, rxlev_sub INTEGER,
        rxqual INTEGER, rxqual_sub INTEGER,
        c1 INTEGER, c2 INTEGER, ta INTEGER,
        pci INTEGER, rscp_dbm REAL, ecno_db REAL, rsrp_dbm REAL, rsrq_db REAL, sinr_db REAL,
        operator TEXT, state TEXT,
        has_channel INTEGER NOT NULL DEFAULT 0,
        tch_arfcn INTEGER, timeslot INTEGER, hopping INTEGER, maio INTEGER, hsn INTEGER,
        channel_type TEXT, codec TEXT
    )""",
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        ts_utc REAL NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        data TEXT NOT NULL DEFAULT '{}'          -- JSON
    )""",
    """CREATE TABLE positions (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        ts_utc REAL NOT NULL,
        lat REAL, lon REAL, alt_m REAL, speed_mps REAL, course_deg REAL,
        hdop REAL, sats INTEGER, fix_quality INTEGER
    )""",
    """CREATE TABLE raw_traffic (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        ts_utc REAL NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('tx', 'rx')),
        data BLOB NOT NULL
    )""",
    "CREATE INDEX samples_by_session ON samples(session_id, ts_utc)",
    "CREATE INDEX neighbours_by_sample ON neighbours(sample_id, idx)",
    "CREATE INDEX events_by_session ON events(session_id, ts_utc)",
    "CREATE INDEX positions_by_session ON positions(session_id, ts_utc)",
    "CREATE INDEX raw_by_session ON raw_traffic(session_id, ts_utc)",
    "CREATE INDEX sessions_by_case ON sessions(case_id)",
    f"PRAGMA application_id = {APPLICATION_ID}",
)

_V2 = (
    """CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,                      -- "session", "file", "photo", "report", ...
        ref TEXT NOT NULL,                       -- a session id, a path, a URL
        added_utc REAL NOT NULL
    )""",
    "CREATE INDEX attachments_by_case ON attachments(case_id)",
    """CREATE TABLE cells (
        id INTEGER PRIMARY KEY,
        idx INTEGER NOT NULL,                    -- order of the plan as loaded
        name TEXT NOT NULL,
        mcc INTEGER, mnc INTEGER, lac INTEGER, ci INTEGER,
        lat REAL, lon REAL, azimuth_deg REAL, beamwidth_deg REAL, tilt_deg REAL, height_m REAL,
        bcch_arfcn INTEGER, bsic INTEGER,
        tech TEXT NOT NULL,
        site TEXT,
        source TEXT,                             -- the cell file or scenario it came from
        loaded_utc REAL NOT NULL
    )""",
    """CREATE TABLE trxs (
        id INTEGER PRIMARY KEY,
        cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        trx_id TEXT NOT NULL,
        arfcns TEXT NOT NULL DEFAULT '[]',       -- JSON list of ARFCNs
        timeslots TEXT NOT NULL DEFAULT '[]',    -- JSON list: "BCCH", "SDCCH/8", "TCH/F", ...
        hopping INTEGER NOT NULL DEFAULT 0,
        maio INTEGER, hsn INTEGER
    )""",
    "CREATE INDEX trxs_by_cell ON trxs(cell_id, idx)",
    "CREATE INDEX cells_by_id ON cells(mcc, mnc, lac, ci)",
)

_V3 = (
    "ALTER TABLE cases ADD COLUMN priority TEXT",
    "ALTER TABLE cases ADD COLUMN due_date TEXT",         # ISO date "2026-12-01"
    "ALTER TABLE cases ADD COLUMN engineer TEXT",
    "ALTER TABLE cases ADD COLUMN updated_utc REAL",
    "ALTER TABLE attachments ADD COLUMN role TEXT",       # "before", "after" or NULL
    "ALTER TABLE attachments ADD COLUMN label TEXT",      # a note's text, a file's original name
    "ALTER TABLE attachments ADD COLUMN sha256 TEXT",     # hex digest of a copied file
    """CREATE TABLE case_history (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        ts_utc REAL NOT NULL,
        author TEXT NOT NULL,
        kind TEXT NOT NULL,                      -- "created", "status", "reopen", "edit", "note", "evidence"
        from_status TEXT,
        to_status TEXT,
        text TEXT NOT NULL DEFAULT '',
        data TEXT NOT NULL DEFAULT '{}'          -- JSON: the fields an edit changed, old and new
    )""",
    "CREATE INDEX case_history_by_case ON case_history(case_id, ts_utc)",
    "CREATE INDEX cases_by_status ON cases(status, due_date)",
)

# CQT runs (fieldapp/cqt): a run records its calls in a recording session; the plan and the
# verdict are JSON (their shape belongs to fieldapp.cqt), each call one row.
_V4 = (
    """CREATE TABLE cqt_runs (
        id INTEGER PRIMARY KEY,
        session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
        case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
        created_utc REAL NOT NULL,
        ended_utc REAL,                          -- NULL: not finished (running, paused, fault)
        state TEXT NOT NULL,                     -- running, paused, fault, done, aborted
        message TEXT,                            -- why it stopped (fault), for resume
        plan TEXT NOT NULL,                      -- JSON: the CQT plan
        verdict TEXT                             -- JSON: the last verdict
    )""",
    """CREATE TABLE cqt_calls (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES cqt_runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        start_utc REAL NOT NULL,
        end_utc REAL,
        trx_id TEXT,                             -- NULL: not counted on a TRX
        trx_how TEXT NOT NULL,                   -- lock, block, attribute, unknown, conflict
        result TEXT,                             -- released, setup_failed, dropped, error
        listener TEXT,                           -- normal, one-way-ul, ... NULL: not marked
        data TEXT NOT NULL DEFAULT '{}',         -- JSON: the whole call record
        UNIQUE (run_id, seq)
    )""",
    "CREATE INDEX cqt_runs_by_case ON cqt_runs(case_id)",
)

# Band scans (a handset's survey command or a scanner log): one row per scan, one per carrier.
_V5 = (
    """CREATE TABLE scans (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        start_utc REAL NOT NULL,
        end_utc REAL NOT NULL,
        tech TEXT NOT NULL,                      -- GSM, UMTS, LTE
        band TEXT,                               -- the band asked for: GSM900, DCS1800, all...
        arfcn_from INTEGER, arfcn_to INTEGER,    -- the ARFCN range asked for, NULL: the whole band
        source TEXT NOT NULL DEFAULT '',         -- AT#CSURVC, AT+CNETSCAN, nemo FREQSCAN...
        complete INTEGER NOT NULL DEFAULT 1,     -- 0: cancelled or cut short
        lat REAL, lon REAL                       -- where, when known
    )""",
    """CREATE TABLE scan_carriers (
        scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        tech TEXT NOT NULL,
        arfcn INTEGER, band TEXT, rxlev_dbm REAL,
        bsic INTEGER,                            -- NULL: no BSIC decoded on this carrier
        mcc INTEGER, mnc INTEGER, lac INTEGER, ci INTEGER,
        pci INTEGER, rscp_dbm REAL, ecno_db REAL, rsrp_dbm REAL, rsrq_db REAL, cinr_db REAL,
        status TEXT,
        PRIMARY KEY (scan_id, seq)
    )""",
    "CREATE INDEX scans_by_session ON scans(session_id, end_utc)",
)

# Network statistics and alarms (issue 14). Object key columns hold '' rather than NULL so the
# UNIQUE constraint holds (SQLite treats NULLs as distinct); the store turns '' back into None.
_V6 = (
    """CREATE TABLE stat_imports (
        id INTEGER PRIMARY KEY,
        imported_utc REAL NOT NULL,
        kind TEXT NOT NULL,                      -- "stats" or "alarms"
        source TEXT NOT NULL,                    -- the file name
        vendor TEXT, layout TEXT,
        case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
        summary TEXT NOT NULL DEFAULT '{}'       -- JSON: objects, periods, counters, unknown, skipped
    )""",
    """CREATE TABLE stat_objects (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,                      -- bsc, cell, trx, ncell
        bsc TEXT NOT NULL DEFAULT '', cell TEXT NOT NULL DEFAULT '',
        trx TEXT NOT NULL DEFAULT '', neighbour TEXT NOT NULL DEFAULT '',
        cgi TEXT,
        UNIQUE (kind, bsc, cell, trx, neighbour)
    )""",
    """CREATE TABLE stat_import_objects (
        import_id INTEGER NOT NULL REFERENCES stat_imports(id) ON DELETE CASCADE,
        object_id INTEGER NOT NULL REFERENCES stat_objects(id) ON DELETE CASCADE,
        PRIMARY KEY (import_id, object_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE stat_values (
        object_id INTEGER NOT NULL REFERENCES stat_objects(id) ON DELETE CASCADE,
        start_utc REAL NOT NULL,
        period_s INTEGER,
        counter TEXT NOT NULL,                   -- canonical name (logs/stats_counters.csv) or the vendor's
        value REAL,                              -- NULL: missing in the export (NIL, /0, empty)
        PRIMARY KEY (object_id, start_utc, counter)
    ) WITHOUT ROWID""",
    """CREATE TABLE stat_units (
        counter TEXT PRIMARY KEY,
        unit TEXT
    )""",
    """CREATE TABLE alarms (
        id INTEGER PRIMARY KEY,
        import_id INTEGER REFERENCES stat_imports(id) ON DELETE SET NULL,
        raised_utc REAL NOT NULL,
        cleared_utc REAL,                        -- NULL: active when exported
        severity TEXT, alarm_id TEXT, name TEXT NOT NULL,
        bsc TEXT, cell TEXT, trx TEXT, board TEXT,
        managed_object TEXT NOT NULL DEFAULT '',
        probable_cause TEXT, specific_problem TEXT, text TEXT
    )""",
    """CREATE TABLE stat_import_alarms (
        import_id INTEGER NOT NULL REFERENCES stat_imports(id) ON DELETE CASCADE,
        alarm_id INTEGER NOT NULL REFERENCES alarms(id) ON DELETE CASCADE,
        PRIMARY KEY (import_id, alarm_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX stat_imports_by_case ON stat_imports(case_id)",
    "CREATE INDEX stat_objects_by_cell ON stat_objects(cell)",
    "CREATE INDEX alarms_by_object ON alarms(managed_object, raised_utc)",
)

_V7 = (
    """CREATE TABLE plan_versions (
        version INTEGER PRIMARY KEY,             -- 1, 2, 3... in load order
        loaded_utc REAL NOT NULL,
        source TEXT,                             -- the cell file, scenario:<name>, or an edit
        cells TEXT NOT NULL                      -- JSON: the plan's cells with their TRXs
    )""",
    "ALTER TABLE sessions ADD COLUMN plan_version INTEGER",
)

_CELL_V4 = ("role, cell_tech, mcc, mnc, lac, ci, arfcn, bsic, rxlev, rxlev_dbm, rxlev_full, rxlev_sub,"
            " rxqual, rxqual_sub, c1, c2, ta, pci, rscp_dbm, ecno_db, rsrp_dbm, rsrq_db, sinr_db, operator,"
            " cell_state")
_NEIGHBOUR_V4 = _CELL_V4.replace("cell_tech", "tech").replace("cell_state", "state")
# A v4 channel as a JSON array (hopping was stored as 0/1), or NULL without one.
_CHANNEL_V4 = ("json(CASE WHEN has_channel THEN json_array(tch_arfcn, timeslot,"
               " json(CASE hopping WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END),"
               " maio, hsn, channel_type, codec) END)")
# The field order of v1-v7's flat sample columns: the layout of every converted row (store/rows.py).
_LAYOUT_V4 = ('{"cell":["role","tech","mcc","mnc","lac","ci","arfcn","bsic","rxlev","rxlev_dbm",'
              '"rxlev_full","rxlev_sub","rxqual","rxqual_sub","c1","c2","ta","pci","rscp_dbm","ecno_db",'
              '"rsrp_dbm","rsrq_db","sinr_db","operator","state"],'
              '"channel":["tch_arfcn","timeslot","hopping","maio","hsn","channel_type","codec"],'
              '"position":["ts_utc","lat","lon","alt_m","speed_mps","course_deg","hdop","sats","fix_quality"],'
              '"registration":["domain","stat","lac","ci","act","tech","operator","mcc","mnc"],'
              '"signal":["rssi_dbm","rxqual","rssi_raw","rxlev","rscp_dbm","ecno_db","rsrq_db","rsrp_dbm"]}')
_V8 = (
    """CREATE TABLE record_layouts (
        id INTEGER PRIMARY KEY,
        layout TEXT NOT NULL UNIQUE              -- JSON: part -> field names, in packed order
    )""",
    f"INSERT INTO record_layouts (id, layout) VALUES (1, '{_LAYOUT_V4}')",
    """CREATE TABLE samples_v5 (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        ts_utc REAL NOT NULL,
        tech TEXT,
        mode TEXT,
        layout INTEGER NOT NULL REFERENCES record_layouts(id),
        record_json TEXT NOT NULL,               -- [serving, signal, registration, position, neighbours]
        neighbours_n INTEGER NOT NULL DEFAULT 0,
        -- query columns: copies from record_json for SQL users (serving cell, position)
        mcc INTEGER, mnc INTEGER, lac INTEGER, ci INTEGER, arfcn INTEGER, pci INTEGER,
        level_dbm REAL, rxqual INTEGER, lat REAL, lon REAL
    )""",
    f"""INSERT INTO samples_v5 (id, session_id, ts_utc, tech, mode, layout, record_json, neighbours_n,
            mcc, mnc, lac, ci, arfcn, pci, level_dbm, rxqual, lat, lon)
        SELECT id, session_id, ts_utc, tech, mode, 1,
            json_array(
                json(CASE WHEN has_serving THEN json_array({_CELL_V4}, {_CHANNEL_V4}) END),
                json(CASE WHEN has_signal THEN json_array(rssi_dbm, sig_rxqual, rssi_raw, sig_rxlev,
                    sig_rscp_dbm, sig_ecno_db, sig_rsrq_db, sig_rsrp_dbm) END),
                json(CASE WHEN has_registration THEN json_array(reg_domain, reg_stat, reg_lac, reg_ci,
                    reg_act, reg_tech, reg_operator, reg_mcc, reg_mnc) END),
                json(CASE WHEN has_position THEN json_array(pos_ts_utc, lat, lon, alt_m, speed_mps,
                    course_deg, hdop, sats, fix_quality) END),
                json(coalesce((SELECT json_group_array(json(packed)) FROM (
                    SELECT json_array({_NEIGHBOUR_V4}, {_CHANNEL_V4}) AS packed FROM neighbours n
                    WHERE n.sample_id = samples.id ORDER BY idx)), '[]'))),
            (SELECT count(*) FROM neighbours n WHERE n.sample_id = samples.id),
            coalesce(mcc, reg_mcc), coalesce(mnc, reg_mnc),
            CASE WHEN lac IS NULL AND ci IS NULL THEN reg_lac ELSE lac END,
            CASE WHEN lac IS NULL AND ci IS NULL THEN reg_ci ELSE ci END, arfcn, pci,
            coalesce(CASE WHEN cell_tech = 'UMTS' AND rscp_dbm IS NOT NULL THEN rscp_dbm
                          WHEN cell_tech = 'LTE' AND rsrp_dbm IS NOT NULL THEN rsrp_dbm
                          ELSE rxlev_dbm END, CASE WHEN has_signal THEN rssi_dbm END),
            coalesce(CASE WHEN has_serving THEN rxqual END, CASE WHEN has_signal THEN sig_rxqual END),
            lat, lon
        FROM samples""",
    "DROP TABLE neighbours",
    "DROP TABLE samples",
    "ALTER TABLE samples_v5 RENAME TO samples",
    "CREATE INDEX samples_by_session ON samples(session_id, ts_utc)",
)

# Nothing to change in the tables: the version alone tells a v8 fieldapp to keep its hands off.
_V9: tuple[str, ...] = ()

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9)
SCHEMA_VERSION = len(MIGRATIONS)


def configure(conn: sqlite3.Connection, busy_timeout_s: float) -> None:
    """Connection settings: WAL (readers never block the recorder), NORMAL sync (in WAL a
    crash of the app loses nothing committed; only a power cut can lose the last commits),
    foreign keys enforced."""
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _check_is_workspace(conn: sqlite3.Connection, name: str) -> None:
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    if app_id == APPLICATION_ID:
        return
    if app_id != 0:
        raise StoreError(f"{name} is an SQLite file of another program (application id {app_id:#x})")
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if tables and schema_version(conn) == 0:
        raise StoreError(f"{name} is an SQLite file but not a fieldapp workspace")


def migrate(conn: sqlite3.Connection, *, upto: int = SCHEMA_VERSION, name: str = "workspace") -> int:
    """Apply the missing migrations, one transaction each; returns the version reached.

    The version is read again under the write lock, so two programs opening a new workspace at
    the same time do not both create it. ``upto`` exists for tests that build an old workspace.
    """
    _check_is_workspace(conn, name)
    version = schema_version(conn)
    if SCHEMA_VERSION >= version >= upto:
        return version  # up to date: no write lock, so readers open while the recorder writes
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = schema_version(conn)
            if version > SCHEMA_VERSION:
                raise StoreError(f"{name} has schema v{version}, written by a newer fieldapp "
                                 f"(this one knows up to v{SCHEMA_VERSION})")
            if version >= upto:
                conn.execute("COMMIT")
                return version
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
