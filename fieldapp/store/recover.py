"""Checking a workspace file and copying what is readable out of a damaged one (issue 16).

    fieldapp workspace check [--recover [--out NEW.db]]

``check`` runs SQLite's integrity check on the file opened read-only. ``recover`` makes a new,
empty workspace and copies every table row by row in rowid order; where the old file's pages
are broken the read fails, and the copy skips ahead (1, 2, 4 ... rowids) until rows read again,
so one bad page costs the rows on it, not the table. Foreign keys are off during the copy (a
sample whose session row was on a lost page is kept: it can still be exported by session id).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fieldapp.store.schema import StoreError

MAX_SKIPS = 200  # per table: give up after this many failed reads


@dataclass
class TableCopy:
    table: str
    copied: int = 0
    failed_reads: int = 0
    error: str | None = None


def _open_ro(path: Path) -> sqlite3.Connection:
    for flags in ("mode=ro", "immutable=1"):
        try:
            conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?{flags}", uri=True)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            continue
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} cannot be read as an SQLite file: {exc}") from exc
    raise StoreError(f"cannot open {path} for reading")


def check(path: str | Path) -> list[str]:
    """The problems SQLite's integrity check finds ([] when the file is sound)."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"no workspace at {path}")
    conn = _open_ro(path)
    try:
        rows = conn.execute("PRAGMA integrity_check(100)").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    found = [str(r[0]) for r in rows]
    return [] if found == ["ok"] else found


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def recover(path: str | Path, out: str | Path) -> list[TableCopy]:
    """Copy what is readable of the workspace ``path`` into a new workspace ``out``."""
    from fieldapp.store.workspace import Store

    path, out = Path(path), Path(out)
    if out.exists():
        raise StoreError(f"{out} exists: name a new file with --out")
    Store.open(out).close()  # the current schema, empty
    src = _open_ro(path)
    dst = sqlite3.connect(str(out), isolation_level=None)
    dst.execute("PRAGMA foreign_keys = OFF")
    results: list[TableCopy] = []
    try:
        tables = [r[0] for r in dst.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            result = TableCopy(table)
            results.append(result)
            try:
                have = set(_columns(src, table))
            except sqlite3.DatabaseError as exc:
                result.error = str(exc)
                continue
            cols = [c for c in _columns(dst, table) if c in have]
            if not cols:
                continue
            names = ", ".join(f'"{c}"' for c in cols)
            insert = f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})'
            dst.execute("BEGIN")
            if table in ("record_layouts",) or "layout" in table:
                dst.execute(f'DELETE FROM "{table}"')  # the old file's rows win: its samples refer to them
            next_id, jump = -(2 ** 63), 1
            while result.failed_reads <= MAX_SKIPS:
                try:
                    cur = src.execute(f'SELECT rowid, {names} FROM "{table}" WHERE rowid >= ? ORDER BY rowid',
                                      (next_id,))
                    for row in cur:
                        dst.execute(insert, row[1:])
                        result.copied += 1
                        next_id, jump = row[0] + 1, 1
                    break
                except sqlite3.DatabaseError as exc:
                    result.failed_reads += 1
                    result.error = str(exc)
                    if next_id == -(2 ** 63):
                        # broken before the first row: try where the table's rows usually are
                        next_id = 0
                    next_id += jump
                    jump *= 2
            dst.execute("COMMIT")
    finally:
        src.close()
        dst.close()
    return results
