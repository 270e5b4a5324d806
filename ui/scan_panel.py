"""The scan panel (a dock): band scans as the engineer reads them at a complaint spot.

- Bars: the level of every carrier of the latest scan across the band, green where the BCCH
  was decoded (labelled with the planned cell's name, or CI/BSIC), red where there is energy
  with no decodable BSIC (interference, or a traffic carrier).
- Waterfall: repeated scans over time (newest at the top), level as colour.
- Table: the latest scan's carriers (ARFCN, band, level, BSIC, cell, LAC, CI).
- Controls: band, ARFCN range, repeat, Scan / Cancel with progress; "not available" with the
  reason when the device has no survey command (its capabilities say so).

The panel only shows records and emits requests (``scan_requested``, ``cancel_requested``);
the composition root starts the scan (``fieldapp.scan_job``). A replay feeds it the Scan
records at their time like any other view; ``clear`` follows a backward jump.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldapp import radio
from fieldapp.model import GSM, Capabilities, Scan, ScanCarrier
from fieldapp.scan_job import ScanState
from fieldapp.scans import cell_name
from ui.table_model import ROOT, FlatTableModel, Index

BANDS = ("all", "GSM900", "DCS1800", "GSM850", "PCS1900")
DECODED_COLOUR = "#2e7d32"
UNDECODED_COLOUR = "#d7191c"
FLOOR_DBM = -115.0  # bars start here; the waterfall's "nothing heard"
TOP_DBM = -40.0
BARS_TOP_DBM = -25.0  # room above the strongest bars for the cell names
WATERFALL_ROWS = 60


class ScanTableModel(FlatTableModel):
    columns = ("ARFCN", "Band", "Level dBm", "BSIC", "Cell", "LAC", "CI", "Decoded")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[ScanCarrier, str | None]] = []

    def row_items(self):
        return self.rows

    def set_rows(self, rows: list[tuple[ScanCarrier, str | None]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent() != ROOT:
            return None
        c, name = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            bsic = None if c.bsic is None else f"{c.bsic // 8}{c.bsic % 8}"
            arfcn = c.arfcn if c.tech == GSM else f"{c.arfcn} / {c.pci}"
            level = c.level_dbm
            band = c.band or (radio.arfcn_band(c.arfcn) if c.tech == GSM else None) or c.tech
            values = (arfcn, band, None if level is None else f"{level:.0f}", bsic, name,
                      c.lac, c.ci, "yes" if c.decoded else "no")
            v = values[col]
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.ForegroundRole and col == 7:
            return pg.mkColor(DECODED_COLOUR if c.decoded else UNDECODED_COLOUR)
        return None


class ScanPanel(QWidget):
    scan_requested = Signal(str, object, int)  # band, (lo, hi) or None, repeat
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan: Any = ()
        self.scans: list[Scan] = []
        self._labels: list[pg.TextItem] = []
        # controls
        self.band = QComboBox()
        self.band.addItems(BANDS)
        self.arfcn = QLineEdit()
        self.arfcn.setPlaceholderText("ARFCN A-B")
        self.arfcn.setMinimumWidth(64)
        self.arfcn.setMaximumWidth(80)
        self.repeat = QSpinBox()
        self.repeat.setRange(1, 50)
        self.repeat.setPrefix("×")
        self.scan_button = QPushButton("Scan")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(90)
        self.progress.setMinimumWidth(30)
        self.status = QLabel("no scan yet")
        self.scan_button.clicked.connect(self._request)
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        row = QHBoxLayout()
        self.band.setToolTip("band to scan")
        self.repeat.setToolTip("how many scans in a row (the waterfall)")
        for w in (self.band, self.arfcn, self.repeat, self.scan_button, self.cancel_button, self.progress):
            row.addWidget(w)
        # The colour key in the control row: a legend inside the plot would hide the labels.
        self.key = QLabel(f'<span style="color:{DECODED_COLOUR}">■</span> decoded &nbsp; '
                          f'<span style="color:{UNDECODED_COLOUR}">■</span> no BSIC')
        row.addStretch(1)
        # bars
        self.bars_plot = pg.PlotWidget()
        self.bars_plot.setBackground("w")
        self.bars_plot.setLabel("left", "level", units="dBm")
        self.bars_plot.setLabel("bottom", "ARFCN")
        self.bars_plot.setYRange(FLOOR_DBM, BARS_TOP_DBM, padding=0)
        self.bars_plot.getViewBox().setMouseEnabled(y=False)
        self.bars_plot.showGrid(x=False, y=True, alpha=0.3)
        self.decoded_bars = pg.BarGraphItem(x=[], height=[], width=0.8, y0=FLOOR_DBM, brush=DECODED_COLOUR, pen=None)
        self.undecoded_bars = pg.BarGraphItem(x=[], height=[], width=0.8, y0=FLOOR_DBM, brush=UNDECODED_COLOUR,
                                              pen=None)
        self.bars_plot.addItem(self.undecoded_bars)
        self.bars_plot.addItem(self.decoded_bars)
        # waterfall
        self.waterfall_plot = pg.PlotWidget()
        self.waterfall_plot.setBackground("w")
        self.waterfall_plot.setLabel("left", "scan (UTC)")
        self.waterfall_plot.setLabel("bottom", "ARFCN")
        self.waterfall = pg.ImageItem(axisOrder="row-major")
        self.waterfall.setLookupTable(pg.colormap.get("viridis").getLookupTable(0.0, 1.0, 256))
        self.waterfall.setLevels((FLOOR_DBM, TOP_DBM))
        self.waterfall_plot.addItem(self.waterfall)
        self.waterfall_plot.setXLink(self.bars_plot)
        for plot in (self.bars_plot, self.waterfall_plot):  # same axis width: ARFCN columns line up
            plot.getAxis("left").setWidth(64)
        # table
        self.model = ScanTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        split = QSplitter(Qt.Orientation.Vertical)
        for w, least in ((self.bars_plot, 120), (self.waterfall_plot, 70), (self.table, 70)):
            w.setMinimumHeight(least)
            split.addWidget(w)
        split.setSizes([220, 140, 160])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        second = QHBoxLayout()
        second.addWidget(self.status, 1)
        second.addWidget(self.key)
        layout.addLayout(second)
        layout.addWidget(split, 1)
        self.set_capabilities(None)

    # ------------------------------------------------------------------ inputs
    def set_plan(self, plan: Any) -> None:
        self.plan = plan
        if self.scans:
            self._draw_latest()

    def set_capabilities(self, caps: Capabilities | None) -> None:
        """Scan enabled when the device can; otherwise the reason, never a silent dead button."""
        scan = caps.scan if caps is not None else {}
        available = bool(scan.get("available"))
        self.scan_button.setEnabled(available)
        if caps is None:
            self.scan_button.setToolTip("connect a device to scan")
        else:
            self.scan_button.setToolTip(scan.get("text", ""))
            if not available and not self.scans:
                self.status.setText(scan.get("text") or "band scan not available on this device")
        self.arfcn.setEnabled(available and bool(scan.get("arfcn_range")))

    def set_replay(self, on: bool) -> None:
        """In replay the scans come from the log: no device to ask."""
        for w in (self.band, self.arfcn, self.repeat, self.scan_button, self.cancel_button, self.progress):
            w.setVisible(not on)

    def set_state(self, state: ScanState) -> None:
        running = state.state == "running"
        self.cancel_button.setEnabled(running)
        self.scan_button.setEnabled(not running and self.scan_button.toolTip() != "connect a device to scan")
        self.progress.setValue(int(1000 * state.fraction))
        self.status.setText(state.text)

    def observe(self, batch: list) -> None:
        """Take the Scan (and ScanState) records of one bridge tick; redraw once."""
        new = [r for r in batch if isinstance(r, Scan)]
        if new:
            self.scans.extend(new)
            del self.scans[:-WATERFALL_ROWS]
            self._draw_latest()
            self._draw_waterfall()
        states = [r for r in batch if isinstance(r, ScanState)]
        if states:  # after the scans: "done" is the last word of a finished job
            self.set_state(states[-1])

    def clear(self) -> None:
        self.scans.clear()
        self.decoded_bars.setOpts(x=[], height=[])
        self.undecoded_bars.setOpts(x=[], height=[])
        for item in self._labels:
            self.bars_plot.removeItem(item)
        self._labels.clear()
        self.waterfall.clear()
        self.model.set_rows([])
        self.status.setText("no scan yet")

    # ------------------------------------------------------------------ drawing
    @staticmethod
    def _x(c: ScanCarrier) -> int | None:
        return c.arfcn if c.tech == GSM else c.pci

    def _draw_latest(self) -> None:
        scan = self.scans[-1]
        # GSM by ARFCN across the band; UMTS/LTE pilots strongest first (as the scanner lists them).
        carriers = sorted(scan.carriers, key=lambda c: c.arfcn if c.arfcn is not None else -1) \
            if scan.tech == GSM else list(scan.carriers)
        rows = [(c, cell_name(c, self.plan)) for c in carriers]
        self.model.set_rows(rows)
        dec = [(self._x(c), c.level_dbm) for c, _n in rows if c.decoded and c.level_dbm is not None]
        und = [(self._x(c), c.level_dbm) for c, _n in rows if not c.decoded and c.level_dbm is not None]
        for item, pts in ((self.decoded_bars, dec), (self.undecoded_bars, und)):
            pts = [(x, y) for x, y in pts if x is not None]
            item.setOpts(x=[p[0] for p in pts], height=[max(0.0, p[1] - FLOOR_DBM) for p in pts], y0=FLOOR_DBM)
        for item in self._labels:
            self.bars_plot.removeItem(item)
        self._labels = []
        for c, name in rows:
            if not c.decoded or c.level_dbm is None or self._x(c) is None:
                continue
            text = name or (f"CI {c.ci}" if c.ci is not None else
                            f"BSIC {c.bsic // 8}{c.bsic % 8}" if c.bsic is not None else f"PCI {c.pci}")
            label = pg.TextItem(text, color=DECODED_COLOUR, anchor=(0.5, 1.0))
            label.setPos(self._x(c), c.level_dbm + 1.0)
            self.bars_plot.addItem(label)
            self._labels.append(label)
        self.bars_plot.setLabel("bottom", "ARFCN" if scan.tech == GSM else ("PSC" if scan.tech == "UMTS" else "PCI"))
        xs = [self._x(c) for c in scan.carriers if self._x(c) is not None]
        if xs:
            self.bars_plot.setXRange(min(xs) - 2, max(xs) + 2, padding=0)
        decoded = sum(1 for c, _n in rows if c.decoded)
        when = _clock(scan.end_utc)
        self.status.setText(f"{when} {scan.source}: {len(rows)} carriers, {decoded} decoded"
                            + ("" if scan.complete else " (cut short)") + f"; {len(self.scans)} scan(s)")

    def _draw_waterfall(self) -> None:
        gsm = [s for s in self.scans if s.tech == GSM]
        xs = [c.arfcn for s in gsm for c in s.carriers if c.arfcn is not None]
        if not xs:
            self.waterfall.clear()
            return
        lo, hi = min(xs), max(xs)
        img = np.full((len(gsm), hi - lo + 1), FLOOR_DBM, dtype=float)
        for row, s in enumerate(reversed(gsm)):  # newest on top
            for c in s.carriers:
                if c.arfcn is not None and c.rxlev_dbm is not None and not math.isnan(c.rxlev_dbm):
                    img[len(gsm) - 1 - row, c.arfcn - lo] = c.rxlev_dbm
        self.waterfall.setImage(img, levels=(FLOOR_DBM, TOP_DBM), autoLevels=False)
        self.waterfall.setRect(lo - 0.5, 0, hi - lo + 1, len(gsm))
        self.waterfall_plot.setYRange(0, len(gsm), padding=0)
        # Rows are scans, oldest at the bottom: label a few with their time.
        rows = sorted({0, len(gsm) // 2, len(gsm) - 1})  # the oldest, one between, the newest
        ticks = [(row + 0.5, _clock(gsm[row].end_utc)) for row in rows]
        self.waterfall_plot.getAxis("left").setTicks([ticks, []])

    # ------------------------------------------------------------------ requests
    def _request(self) -> None:
        text = self.arfcn.text().strip()
        rng = None
        if text and self.arfcn.isEnabled():
            parts = text.replace(" ", "").split("-")
            try:
                lo, hi = int(parts[0]), int(parts[-1])
            except ValueError:
                self.status.setText(f"bad ARFCN range {text!r}: write A-B")
                return
            if not 0 <= lo <= hi <= 1023:
                self.status.setText(f"bad ARFCN range {text!r}: 0 <= A <= B <= 1023")
                return
            rng = (lo, hi)
        self.scan_requested.emit(self.band.currentText(), rng, self.repeat.value())


def _clock(ts_utc: float) -> str:
    import time

    return time.strftime("%H:%M:%S", time.gmtime(ts_utc))


def install_scan_panel(window) -> ScanPanel:
    """The hook: the panel as the window's "scan" dock, tabbed with the events list. The
    composition root feeds it (``observe``) and connects its requests."""
    panel = ScanPanel(window)
    window.add_dock("scan", "Band scan", panel, Qt.DockWidgetArea.BottomDockWidgetArea, tab_with="events")
    window.scan_panel = panel
    return panel


def feed(panel: ScanPanel, window, batch: list) -> None:
    """After the window filed a batch: the panel takes its scans, the plan the window now uses
    and the device's capabilities from a link status."""
    plan = getattr(getattr(window, "history", None), "plan", None)
    if plan is not None and plan is not panel.plan:
        panel.set_plan(plan)
    for rec in batch:
        if isinstance(rec, Capabilities):
            panel.set_capabilities(rec)
        elif hasattr(rec, "capabilities") and hasattr(rec, "state") and not isinstance(rec, ScanState) \
                and (rec.capabilities is not None or rec.state in ("disconnected", "error")):
            panel.set_capabilities(rec.capabilities)  # a link status (fieldapp.live.LinkStatus)
    panel.observe(batch)
