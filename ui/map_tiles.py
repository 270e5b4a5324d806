"""An optional background from a local slippy-map tile folder (``<folder>/<z>/<x>/<y>.png``),
for sites without internet: tiles exported beforehand (e.g. from a desktop GIS). Missing
tiles are simply not drawn; the map works without any.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsPixmapItem

from ui.geo import tile_bounds, tiles_covering, zoom_for_span

TILE_PX = 256
MAX_CACHED = 256


class TileLayer:
    """Keeps the tiles that cover the current view inside a pyqtgraph ViewBox."""

    def __init__(self, viewbox, folder: str | Path | None = None) -> None:
        self.viewbox = viewbox
        self.folder = Path(folder) if folder else None
        self._shown: dict[tuple[int, int, int], QGraphicsPixmapItem] = {}
        self._missing: set[tuple[int, int, int]] = set()

    def set_folder(self, folder: str | Path | None) -> None:
        self.clear()
        self.folder = Path(folder) if folder else None
        self._missing.clear()

    def clear(self) -> None:
        for item in self._shown.values():
            self.viewbox.removeItem(item)
        self._shown.clear()

    def shown_tiles(self) -> list[tuple[int, int, int]]:
        return sorted(self._shown)

    def update(self) -> None:
        """Load the tiles of the zoom that suits the view; drop the rest."""
        if self.folder is None or not self.folder.is_dir():
            return
        (x0, x1), (y0, y1) = self.viewbox.viewRange()
        z = zoom_for_span(x1 - x0, max(1, int(self.viewbox.width())))
        wanted = set(tiles_covering(x0, y0, x1, y1, z))
        for key in list(self._shown):
            if key not in wanted:
                self.viewbox.removeItem(self._shown.pop(key))
        for key in wanted - set(self._shown) - self._missing:
            item = self._load(*key)
            if item is None:
                self._missing.add(key)
                continue
            self.viewbox.addItem(item, ignoreBounds=True)
            self._shown[key] = item
            if len(self._shown) > MAX_CACHED:
                break

    def _load(self, z: int, tx: int, ty: int) -> QGraphicsPixmapItem | None:
        path = self.folder / str(z) / str(tx) / f"{ty}.png" if self.folder else None
        if path is None or not path.is_file():
            return None
        pixmap = QPixmap(str(path))
        if pixmap.isNull():
            return None
        bx0, by0, bx1, by1 = tile_bounds(z, tx, ty)
        item = QGraphicsPixmapItem(pixmap)
        # Pixel (0, 0) is the tile's north-west corner; the view's y axis points north.
        scale_x = (bx1 - bx0) / pixmap.width()
        scale_y = (by1 - by0) / pixmap.height()
        item.setTransform(QTransform(scale_x, 0, 0, -scale_y, bx0, by1))
        item.setZValue(-100)
        return item
