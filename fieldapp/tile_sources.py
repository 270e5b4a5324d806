"""Where the street map under the route comes from: a tile source gives the PNG/JPEG bytes of
one slippy-map tile (z, x, y — the OpenStreetMap numbering) or None. No Qt here: the map's
loader thread calls ``tile`` and hands the bytes to the GUI thread.

Three kinds, chosen in View → Map tiles… (settings key ``map/tiles``):

- ``xyz``: a URL template such as ``https://tile.openstreetmap.org/{z}/{x}/{y}.png`` (``{s}``
  takes a, b, c), with the provider's attribution shown on the map. Every tile fetched is kept
  in a disk cache (``<cache>/<provider>/z/x/y``), so an area looked at once at the office
  works offline in the car; the cache is read first. Requests carry a user agent that names
  the application (the OSM tile usage policy asks for one), at most two at a time (the
  loader's two threads), and a failed tile is not asked again for a minute.
- ``folder``: a local ``<folder>/<z>/<x>/<y>.png`` tree (exported from a desktop GIS).
- ``mbtiles``: an MBTiles package (``fieldapp.store.mbtiles``).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import platformdirs

from fieldapp import __version__
from fieldapp.paths import APP_NAME
from fieldapp.store.mbtiles import MbtilesError, MbtilesReader

USER_AGENT = f"fieldapp/{__version__} (radio field-test companion; tiles cached on disk)"
OSM_TEMPLATE = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
TIMEOUT_S = 8.0
RETRY_AFTER_S = 60.0
MAX_TILE_BYTES = 4 << 20


class TileSourceError(Exception):
    """A tile source that cannot be used as set (one line for the user)."""


class TileSource(Protocol):
    attribution: str | None

    def tile(self, z: int, x: int, y: int) -> bytes | None: ...

    def close(self) -> None: ...


def default_cache_dir() -> Path:
    env = os.environ.get("FIELDAPP_TILE_CACHE")
    if env:
        return Path(env)
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "tiles"


class XyzSource:
    """Tiles over HTTP(S) from a URL template, through a disk cache."""

    def __init__(self, template: str, *, attribution: str | None = None, cache_dir: str | Path | None = None,
                 user_agent: str = USER_AGENT, timeout_s: float = TIMEOUT_S) -> None:
        if not re.match(r"^https?://", template) or not all(k in template for k in ("{z}", "{x}", "{y}")):
            raise TileSourceError(f"not a tile URL template (http(s)://…/{{z}}/{{x}}/{{y}}.png): {template}")
        self.template = template
        self.attribution = attribution or (OSM_ATTRIBUTION if "openstreetmap" in template else None)
        provider = re.sub(r"[^A-Za-z0-9.-]+", "_", template.split("/")[2])[:60]
        digest = hashlib.sha1(template.encode()).hexdigest()[:8]
        self.cache_dir = Path(cache_dir or default_cache_dir()) / f"{provider}-{digest}"
        self.user_agent = user_agent
        self.timeout_s = timeout_s
        self._failed: dict[tuple[int, int, int], float] = {}
        self._lock = threading.Lock()
        self.fetched = 0  # tiles that came over the network (tests, the status line)

    def url(self, z: int, x: int, y: int) -> str:
        return self.template.replace("{s}", "abc"[(x + y) % 3]).replace("{z}", str(z)) \
            .replace("{x}", str(x)).replace("{y}", str(y))

    def cache_path(self, z: int, x: int, y: int) -> Path:
        return self.cache_dir / str(z) / str(x) / f"{y}.tile"

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        cached = self.cache_path(z, x, y)
        if cached.is_file():
            try:
                return cached.read_bytes()
            except OSError:
                pass
        key = (z, x, y)
        with self._lock:
            if time.monotonic() - self._failed.get(key, -1e9) < RETRY_AFTER_S:
                return None
        data = self._fetch(z, x, y)
        if data is None:
            with self._lock:
                self._failed[key] = time.monotonic()
            return None
        try:  # write then rename: a half-written tile never reads as a tile
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{threading.get_ident()}.part")
            tmp.write_bytes(data)
            tmp.replace(cached)
        except OSError:
            pass  # a read-only or full disk: the map still shows it this run
        return data

    def _fetch(self, z: int, x: int, y: int) -> bytes | None:
        request = urllib.request.Request(self.url(z, x, y), headers={"User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as reply:  # noqa: S310 (http(s) only)
                if reply.status != 200:
                    return None
                data = reply.read(MAX_TILE_BYTES + 1)
        except (urllib.error.URLError, OSError, ValueError):
            return None
        if not data or len(data) > MAX_TILE_BYTES:
            return None
        self.fetched += 1
        return data

    def close(self) -> None:
        pass


class FolderSource:
    """A local z/x/y tile tree."""

    def __init__(self, folder: str | Path, attribution: str | None = None) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise TileSourceError(f"{self.folder}: no such folder")
        self.attribution = attribution

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        for ext in ("png", "jpg", "jpeg", "webp"):
            path = self.folder / str(z) / str(x) / f"{y}.{ext}"
            if path.is_file():
                try:
                    return path.read_bytes()
                except OSError:
                    return None
        return None

    def close(self) -> None:
        pass


class MbtilesSource:
    def __init__(self, path: str | Path) -> None:
        try:
            self.reader = MbtilesReader(path)
        except MbtilesError as exc:
            raise TileSourceError(str(exc)) from None
        self.attribution = self.reader.attribution
        self._lock = threading.Lock()

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        with self._lock:  # one SQLite connection, shared by the loader's threads
            return self.reader.tile(z, x, y)

    def close(self) -> None:
        self.reader.close()


@dataclass(frozen=True)
class TileSetting:
    """What the user chose: ``kind`` none/xyz/folder/mbtiles and its value."""

    kind: str = "none"
    value: str = ""
    attribution: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "value": self.value, "attribution": self.attribution}

    @classmethod
    def from_json(cls, raw: Any) -> TileSetting:
        if not isinstance(raw, dict):
            return cls()
        return cls(str(raw.get("kind", "none")), str(raw.get("value", "")), str(raw.get("attribution", "")))


def open_source(setting: TileSetting, cache_dir: str | Path | None = None) -> TileSource | None:
    """The source a setting names (None for "none"); TileSourceError when it cannot be used."""
    if setting.kind == "xyz":
        return XyzSource(setting.value, attribution=setting.attribution or None, cache_dir=cache_dir)
    if setting.kind == "folder":
        return FolderSource(setting.value, setting.attribution or None)
    if setting.kind == "mbtiles":
        return MbtilesSource(setting.value)
    return None
