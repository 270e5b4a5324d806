"""MBTiles map packages (https://github.com/mapbox/mbtiles-spec, 1.3): one SQLite file of
map tiles, the usual way a desktop GIS or a tile downloader exports an area for offline use.

    CREATE TABLE metadata (name TEXT, value TEXT);             -- name, format, attribution, ...
    CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);

Rows count from the south (TMS): ``tile_row = 2**z - 1 - y`` for the XYZ ``y`` the map asks
for. Read-only for the map; ``write_tiles`` makes one (tests, preparing an area). The SQL of
fieldapp lives in this package, hence here and not beside the map.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path


class MbtilesError(Exception):
    """Not an MBTiles file (one line for the user)."""


class MbtilesReader:
    """Tiles of one MBTiles file. One connection per reading thread (``check_same_thread``
    off, guarded by the caller's single loader thread per source)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise MbtilesError(f"{self.path}: no such file")
        try:
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self.metadata = dict(self._db.execute("SELECT name, value FROM metadata").fetchall())
            self._db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            raise MbtilesError(f"{self.path}: not an MBTiles file ({exc})") from None

    @property
    def attribution(self) -> str | None:
        return self.metadata.get("attribution")

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ (z, x, y), or None when the package does not hold it."""
        row = (1 << z) - 1 - y
        try:
            hit = self._db.execute("SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                                   (z, x, row)).fetchone()
        except sqlite3.Error:
            return None
        return bytes(hit[0]) if hit else None

    def close(self) -> None:
        self._db.close()


def write_tiles(path: str | Path, tiles: Iterable[tuple[int, int, int, bytes]], *, name: str = "area",
                attribution: str | None = None, fmt: str = "png") -> None:
    """An MBTiles file of XYZ tiles (z, x, y, data)."""
    db = sqlite3.connect(str(path))
    try:
        db.execute("CREATE TABLE IF NOT EXISTS metadata (name TEXT, value TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
                   "tile_data BLOB)")
        db.execute("CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row)")
        meta = {"name": name, "format": fmt, "version": "1.3"}
        if attribution:
            meta["attribution"] = attribution
        db.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
        db.executemany("INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?)",
                       [(z, x, (1 << z) - 1 - y, sqlite3.Binary(data)) for z, x, y, data in tiles])
        db.commit()
    finally:
        db.close()
