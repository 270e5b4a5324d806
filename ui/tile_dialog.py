"""View → Map tiles…: where the street map comes from (``fieldapp.tile_sources``): none, a web
tile URL template with its attribution (cached on disk for offline use), a local z/x/y tile
folder, or an MBTiles package."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from fieldapp.tile_sources import OSM_ATTRIBUTION, OSM_TEMPLATE, TileSetting, default_cache_dir

KINDS = (("none", "No street map (plain background)"), ("xyz", "Web tiles (XYZ URL template)"),
         ("folder", "Local tile folder (z/x/y.png)"), ("mbtiles", "MBTiles file"))


class TileDialog(QDialog):
    def __init__(self, setting: TileSetting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Map tiles")
        self.kind = QComboBox()
        for key, label in KINDS:
            self.kind.addItem(label, key)
        self.value = QLineEdit(setting.value)
        self.value.setToolTip("XYZ: e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; "
                              "folder: a z/x/y tree; MBTiles: a .mbtiles file")
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._browse)
        self.attribution = QLineEdit(setting.attribution)
        self.attribution.setToolTip("Shown under the map, as the tile provider's licence asks")
        row = QHBoxLayout()
        row.addWidget(self.value, 1)
        row.addWidget(self.browse)
        note = QLabel(f"Web tiles are kept in {default_cache_dir()} so an area seen once works offline. "
                      "Respect the provider's usage policy (OpenStreetMap's servers are for light use).")
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Source", self.kind)
        form.addRow("URL / path", row)
        form.addRow("Attribution", self.attribution)
        form.addRow(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.kind.setCurrentIndex(max(0, [k for k, _ in KINDS].index(setting.kind) if setting.kind in
                                      [k for k, _ in KINDS] else 0))
        self._kind_changed()

    def _kind_changed(self, *_args) -> None:
        kind = self.kind.currentData()
        self.value.setEnabled(kind != "none")
        self.browse.setEnabled(kind in ("folder", "mbtiles"))
        self.attribution.setEnabled(kind != "none")
        if kind == "xyz" and not self.value.text().startswith("http"):
            self.value.setText(OSM_TEMPLATE)
            if not self.attribution.text():
                self.attribution.setText(OSM_ATTRIBUTION)

    def _browse(self) -> None:
        if self.kind.currentData() == "folder":
            path = QFileDialog.getExistingDirectory(self, "Folder of z/x/y.png map tiles")
        else:
            path, _ = QFileDialog.getOpenFileName(self, "MBTiles file", "", "MBTiles (*.mbtiles);;All files (*)")
        if path:
            self.value.setText(path)

    def setting(self) -> TileSetting:
        return TileSetting(str(self.kind.currentData()), self.value.text().strip(), self.attribution.text().strip())
