"""The street map under the route: tiles from a ``fieldapp.tile_sources`` source (an XYZ URL
with a disk cache, a local z/x/y folder, or an MBTiles package), loaded in the background.

``update()`` (on every view change) only decides which tiles the view needs: those already
loaded are shown at once, the others go to two loader threads, whose bytes come back through
a queue that a GUI timer drains (a QPixmap is made on the GUI thread only). The redraw never
waits for a tile. Loaded tiles are kept (up to ``MAX_CACHED``), so when the network or the
tile server goes away the map keeps what it has; a tile that failed is asked again after a
minute. Without a source, or where a tile is missing, the plain map shows through.
"""

from __future__ import annotations

import queue
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsPixmapItem

from fieldapp.tile_sources import FolderSource, TileSource
from ui.geo import tile_bounds, tiles_covering, zoom_for_span

TILE_PX = 256
MAX_CACHED = 512  # loaded tiles kept in memory (256×256 RGBA: ~256 KiB each)
MAX_WANTED = 96  # a view never asks for more than this many tiles at once
DRAIN_MS = 60
RETRY_S = 60.0
LOADER_THREADS = 2  # the OSM tile usage policy: at most two connections


class TileLayer:
    """Keeps the tiles that cover the current view inside a pyqtgraph ViewBox."""

    def __init__(self, viewbox, folder: str | Path | None = None) -> None:
        self.viewbox = viewbox
        self.source: TileSource | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._generation = 0
        self._loaded: OrderedDict[tuple[int, int, int], QGraphicsPixmapItem] = OrderedDict()
        self._shown: dict[tuple[int, int, int], QGraphicsPixmapItem] = {}
        self._pending: set[tuple[int, int, int]] = set()
        self._failed: dict[tuple[int, int, int], float] = {}
        self._wanted: set[tuple[int, int, int]] = set()
        self._timer = QTimer()
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self._drain)
        self.loaded_count = 0
        if folder:
            self.set_folder(folder)

    # ------------------------------------------------------------------ source
    def set_source(self, source: TileSource | None) -> None:
        """Another source: forget the tiles of the old one (its late results are dropped)."""
        self.clear()
        self._stop_loader()
        if self.source is not None:
            self.source.close()
        self.source = source
        self._generation += 1
        self._loaded.clear()
        self._failed.clear()
        self._pending.clear()

    def set_folder(self, folder: str | Path | None) -> None:
        """A local z/x/y folder (the older setting), or none."""
        source = None
        if folder and Path(folder).is_dir():
            source = FolderSource(folder)
        self.set_source(source)

    @property
    def folder(self) -> Path | None:
        return self.source.folder if isinstance(self.source, FolderSource) else None

    @property
    def attribution(self) -> str | None:
        return getattr(self.source, "attribution", None) if self.source is not None else None

    def clear(self) -> None:
        for item in self._shown.values():
            self.viewbox.removeItem(item)
        self._shown.clear()

    def close(self) -> None:
        self.set_source(None)
        self._timer.stop()

    def _stop_loader(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def shown_tiles(self) -> list[tuple[int, int, int]]:
        return sorted(self._shown)

    def pending(self) -> int:
        return len(self._pending)

    # ------------------------------------------------------------------ view
    def update(self) -> None:
        """Show the loaded tiles of the zoom that suits the view; ask for the missing ones."""
        if self.source is None:
            return
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        z = zoom_for_span(x1 - x0, max(1, int(self.viewbox.width())))
        wanted = list(tiles_covering(x0, y0, x1, y1, z))[:MAX_WANTED]
        self._wanted = set(wanted)
        for key in list(self._shown):
            if key not in self._wanted:
                self.viewbox.removeItem(self._shown.pop(key))
        now = time.monotonic()
        for key in wanted:
            if key in self._shown:
                continue
            item = self._loaded.get(key)
            if item is not None:
                self._loaded.move_to_end(key)
                self._show(key, item)
            elif key not in self._pending and now - self._failed.get(key, -1e9) >= RETRY_S:
                self._request(key)

    def _request(self, key: tuple[int, int, int]) -> None:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=LOADER_THREADS)
        self._pending.add(key)
        source, generation, results = self.source, self._generation, self._results

        def load() -> None:  # on a loader thread: bytes only, no Qt
            try:
                data = source.tile(*key) if source is not None else None
            except Exception:  # noqa: BLE001 (a broken tile never reaches the GUI as an exception)
                data = None
            results.put((generation, key, data))

        self._executor.submit(load)
        if not self._timer.isActive():
            self._timer.start()

    def _drain(self) -> None:
        """GUI thread: turn the loaded bytes into tiles on the map."""
        while True:
            try:
                generation, key, data = self._results.get_nowait()
            except queue.Empty:
                break
            if generation != self._generation:
                continue
            self._pending.discard(key)
            item = self._item(key, data) if data else None
            if item is None:
                self._failed[key] = time.monotonic()
                continue
            self._failed.pop(key, None)
            self._loaded[key] = item
            self.loaded_count += 1
            while len(self._loaded) > MAX_CACHED:
                old, old_item = self._loaded.popitem(last=False)
                if old in self._shown:
                    self.viewbox.removeItem(self._shown.pop(old))
            if key in self._wanted:
                self._show(key, item)
        if not self._pending:
            self._timer.stop()

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """Tests and screenshots: drain until nothing is pending (or the timeout)."""
        from PySide6.QtCore import QCoreApplication

        deadline = time.monotonic() + timeout_s
        while self._pending and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            self._drain()
            time.sleep(0.01)
        return not self._pending

    def _show(self, key: tuple[int, int, int], item: QGraphicsPixmapItem) -> None:
        self.viewbox.addItem(item, ignoreBounds=True)
        self._shown[key] = item

    @staticmethod
    def _item(key: tuple[int, int, int], data: bytes) -> QGraphicsPixmapItem | None:
        pixmap = QPixmap()
        if not pixmap.loadFromData(data) or pixmap.isNull():
            return None
        z, tx, ty = key
        bx0, by0, bx1, by1 = tile_bounds(z, tx, ty)
        item = QGraphicsPixmapItem(pixmap)
        # Pixel (0, 0) is the tile's north-west corner; the view's y axis points north.
        scale_x = (bx1 - bx0) / pixmap.width()
        scale_y = (by1 - by0) / pixmap.height()
        item.setTransform(QTransform(scale_x, 0, 0, -scale_y, bx0, by1))
        item.setZValue(-100)
        return item
