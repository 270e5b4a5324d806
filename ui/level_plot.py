"""RXLEV (dBm) and RXQUAL over wall-clock time, with the engineers' colour bands.

Two plots share one time axis: serving level plus the neighbours ticked in the neighbour
table on top, RXQUAL (0 at the top, 7 at the bottom, as drive-test tools draw it) below.
Unknown values are NaN and drawn as gaps (``connect="finite"``). ``refresh()`` is called once
per bridge tick and only slices the history's arrays; pyqtgraph's clip-to-view and automatic
peak downsampling keep an 8-hour history cheap to draw.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp.radio import RXLEV_BINS_DBM, bsic_octal
from ui.history import History
from ui.theme import NEIGHBOUR_PALETTE, RXQUAL_BANDS, SERVING_COLOUR

# Time windows offered (label, seconds; None = everything recorded so far).
WINDOWS = (("1 min", 60.0), ("5 min", 300.0), ("15 min", 900.0), ("60 min", 3600.0), ("All", None))
DEFAULT_WINDOW = "5 min"
LEVEL_RANGE_DBM = (-120.0, -40.0)
AXIS_WIDTH_PX = 56  # fixed so the trace strip below lines up with these plots
BAND_ALPHA = 70


def band_edges(bins=RXLEV_BINS_DBM) -> list[tuple[float, float, str]]:
    """(low, high, colour) dBm bands for drawing; the open ends are closed at the plot range."""
    out = []
    high = LEVEL_RANGE_DBM[1]
    for low, _label, colour in bins:
        lo = max(low, LEVEL_RANGE_DBM[0])
        out.append((lo, high, colour))
        high = lo
    return out


def _brush(colour: str, alpha: int) -> QColor:
    """The colour as it looks at ``alpha`` over white, but opaque: the raster engine fills
    opaque areas several times faster than translucent ones, and bands repaint every tick."""
    c = QColor(colour)
    a = alpha / 255.0
    return QColor(round(255 + (c.red() - 255) * a), round(255 + (c.green() - 255) * a),
                  round(255 + (c.blue() - 255) * a))


def _fast(curve: pg.PlotDataItem) -> None:
    """Draw only the visible part, at about one min/max pair per pixel column ("peak" keeps
    every dip and spike visible). pyqtgraph's default factor keeps ~5 points per pixel, which
    makes an 8-hour curve several times dearer to draw for no visible difference."""
    curve.opts["autoDownsampleFactor"] = 1.0
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)


class BandsItem(pg.GraphicsObject):
    """Horizontal colour bands across the whole time axis, painted as plain rectangles
    (LinearRegionItem brings two line items per band and their hover logic, every tick)."""

    def __init__(self, bands: list[tuple[float, float, str]], alpha: int) -> None:
        super().__init__()
        self.bands = [(lo, hi, _brush(colour, alpha)) for lo, hi, colour in bands]
        self.setZValue(-10)

    def boundingRect(self) -> QRectF:
        vb = self.getViewBox()
        x0, x1 = vb.viewRange()[0] if vb is not None else (0.0, 1.0)
        lo = min(b[0] for b in self.bands)
        hi = max(b[1] for b in self.bands)
        return QRectF(x0, lo, x1 - x0, hi - lo)

    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange=None):
        return None  # the bands never widen the auto range

    def viewRangeChanged(self) -> None:
        self.prepareGeometryChange()

    def paint(self, p, *args) -> None:
        r = self.boundingRect()
        p.setPen(Qt.PenStyle.NoPen)
        for lo, hi, colour in self.bands:
            p.fillRect(QRectF(r.left(), lo, r.width(), hi - lo), colour)


class LevelPlot(QWidget):
    """Level and quality plots with window choice and pause/follow."""

    follow_changed = Signal(bool)

    def __init__(self, history: History, bins=RXLEV_BINS_DBM, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.window_s: float | None = dict(WINDOWS)[DEFAULT_WINDOW]
        self.follow = True
        self._plotted: list[tuple] = []
        # The window points this at the neighbour table, which knows names from the cell plan.
        self.neighbour_name: Callable[[tuple], str | None] = lambda key: None

        self.window_combo = QComboBox()
        self.window_combo.addItems([label for label, _ in WINDOWS])
        self.window_combo.setCurrentText(DEFAULT_WINDOW)
        self.window_combo.currentTextChanged.connect(self._window_chosen)
        self.follow_button = QToolButton()
        self.follow_button.setText("Follow")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        self.follow_button.setToolTip("Follow the newest sample; pan or zoom to pause")
        self.follow_button.toggled.connect(self.set_follow)
        self.bands_check = QCheckBox("Colour bands")
        self.bands_check.setChecked(True)
        self.bands_check.toggled.connect(self._show_bands)
        self.readout = QLabel("")
        self.readout.setObjectName("valueLabel")
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        bar.addWidget(QLabel("Window"))
        bar.addWidget(self.window_combo)
        bar.addWidget(self.follow_button)
        bar.addWidget(self.bands_check)
        bar.addStretch(1)
        bar.addWidget(self.readout)

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.level = self.graphics.addPlot(row=0, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.quality = self.graphics.addPlot(row=1, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)
        self.quality.setXLink(self.level)
        for plot, label in ((self.level, "RXLEV dBm"), (self.quality, "RXQUAL")):
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            # No grid: the colour bands already mark the levels, and translucent grid lines
            # across the plot cost more to paint than the curves.
            plot.setLabel("left", label)
            plot.getAxis("left").setWidth(AXIS_WIDTH_PX)
            plot.setMenuEnabled(False)
            plot.getViewBox().setMouseEnabled(x=True, y=False)
            plot.getViewBox().sigRangeChangedManually.connect(self._panned)
        self.level.hideAxis("bottom")  # the quality plot below carries the time axis
        self.level.setYRange(*LEVEL_RANGE_DBM, padding=0)
        self.quality.setYRange(-0.5, 7.5, padding=0)
        self.quality.getViewBox().invertY(True)
        self.quality.getAxis("left").setTicks([[(q, str(q)) for q in range(8)]])
        quality_bands = BandsItem(list(RXQUAL_BANDS), BAND_ALPHA)
        self.quality.addItem(quality_bands, ignoreBounds=True)
        self._bands: list[BandsItem] = [quality_bands]
        self._level_bands: BandsItem | None = None
        self.set_bins(bins)

        self.legend = self.level.addLegend(offset=(-8, 8), labelTextSize="8pt", brush=QColor("#ffffff"))
        # Painted once into a pixmap and reused: its rich-text labels are dear to draw every tick.
        self.legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.serving_curve = self.level.plot([], [], pen=pg.mkPen(SERVING_COLOUR, width=2),
                                             connect="finite", name="Serving")
        # No symbols: a scatter re-prepares every spot on each update (too slow for 8 hours).
        self.rxqual_curve = self.quality.plot([], [], pen=pg.mkPen("#333333", width=2), connect="finite")
        for curve in (self.serving_curve, self.rxqual_curve):
            _fast(curve)
        self.neighbour_curves: dict[tuple, pg.PlotDataItem] = {}
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#6a1b9a", width=1,
                                                                            style=Qt.PenStyle.DashLine))
        self.cursor.setVisible(False)
        self.level.addItem(self.cursor, ignoreBounds=True)

        self._hover_utc: float | None = None
        self.graphics.scene().sigMouseMoved.connect(self._mouse_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)

    # ------------------------------------------------------------------ configuration
    def set_bins(self, bins) -> None:
        """Redraw the level colour bands for a legend (configurable, DOMAIN.md §3)."""
        self.bins = bins
        if self._level_bands is not None:
            self.level.removeItem(self._level_bands)
            self._bands.remove(self._level_bands)
        self._level_bands = BandsItem(band_edges(bins), BAND_ALPHA)
        self._level_bands.setVisible(self.bands_check.isChecked())
        self.level.addItem(self._level_bands, ignoreBounds=True)
        self._bands.append(self._level_bands)

    def _show_bands(self, on: bool) -> None:
        for region in self._bands:
            region.setVisible(on)

    def set_window(self, label: str) -> None:
        if label in dict(WINDOWS):
            self.window_combo.setCurrentText(label)

    def window_label(self) -> str:
        return self.window_combo.currentText()

    def _window_chosen(self, label: str) -> None:
        self.window_s = dict(WINDOWS).get(label, self.window_s)
        self.set_follow(True)

    def set_follow(self, on: bool) -> None:
        changed = on != self.follow
        self.follow = on
        if self.follow_button.isChecked() != on:
            self.follow_button.setChecked(on)
        if changed:
            self.follow_changed.emit(on)
        if on:
            self.cursor.setVisible(False)
            self._follow_range()

    def _panned(self, *args) -> None:
        self.set_follow(False)

    def set_plotted_neighbours(self, keys: list[tuple]) -> None:
        """Which neighbours (ARFCN, BSIC) to draw besides the serving cell."""
        self._plotted = list(keys)
        for key in list(self.neighbour_curves):
            if key not in self._plotted:
                curve = self.neighbour_curves.pop(key)
                self.level.removeItem(curve)
                self.legend.removeItem(curve)
        for i, key in enumerate(self._plotted):
            if key not in self.neighbour_curves:
                colour = NEIGHBOUR_PALETTE[i % len(NEIGHBOUR_PALETTE)]
                name = html.escape(self.neighbour_name(key) or f"{key[0]}/{bsic_octal(key[1]) or '-'}")
                # Solid 1-px lines: Qt's raster engine draws dashed or wide pens many times slower.
                curve = self.level.plot([], [], pen=pg.mkPen(colour, width=1), connect="finite", name=name)
                _fast(curve)
                self.neighbour_curves[key] = curve
        self.refresh()

    # ------------------------------------------------------------------ drawing
    def refresh(self) -> None:
        """Redraw from the history: once per bridge tick."""
        h = self.history
        t = h.t.view()
        self.serving_curve.setData(t, h.serving_dbm.view(), connect="finite")
        q = h.rxqual.view()
        if np.isfinite(q).any():
            self.rxqual_curve.setData(t, q, connect="finite")
        else:  # idle all along: nothing to draw (and no all-NaN symbol bounds for pyqtgraph)
            self.rxqual_curve.setData([], [])
        for key, curve in self.neighbour_curves.items():
            series = h.neighbours.get(key)
            if series is None:
                curve.setData([], [])
            else:
                curve.setData(series.t.view(), series.dbm.view(), connect="finite")
        self._update_readout()
        if self.follow:
            self._follow_range()

    def _update_readout(self) -> None:
        """The values under the mouse (with their time), else the latest sample's."""
        h = self.history
        t = h.t.view()
        if len(t) == 0 or h.last_sample is None:
            self.readout.setText("")
            return
        if self._hover_utc is None:
            i, prefix = len(t) - 1, ""
        else:
            i = int(np.clip(np.searchsorted(t, self._hover_utc), 0, len(t) - 1))
            if i > 0 and abs(t[i - 1] - self._hover_utc) < abs(t[i] - self._hover_utc):
                i -= 1
            prefix = time.strftime("%H:%M:%S   ", time.localtime(float(t[i])))
        level, qual = h.serving_dbm.view()[i], h.rxqual.view()[i]
        level_text = "–" if np.isnan(level) else f"{level:.0f} dBm"
        qual_text = "–" if np.isnan(qual) else f"{qual:.0f}"
        self.readout.setText(f"{prefix}RXLEV {level_text}   RXQUAL {qual_text}")

    def _mouse_moved(self, scene_pos) -> None:
        inside = any(p.getViewBox().sceneBoundingRect().contains(scene_pos) for p in (self.level, self.quality))
        self._hover_utc = self.level.getViewBox().mapSceneToView(scene_pos).x() if inside else None
        self._update_readout()

    def hover_at(self, ts_utc: float | None) -> str:
        """Show the readout for a time as the mouse would (None: the latest); returns it."""
        self._hover_utc = ts_utc
        self._update_readout()
        return self.readout.text()

    def _follow_range(self) -> None:
        span = self.history.span_utc()
        if span is None:
            return
        first, last = span
        if self.window_s is None:
            lo, hi = first, max(last, first + 10)
        elif last - first < self.window_s:
            lo, hi = first, first + self.window_s  # a young session fills the window from the left
        else:
            lo, hi = last - self.window_s, last
        pad = 0.02 * (hi - lo)
        self.level.setXRange(lo, hi + pad, padding=0)

    def show_time(self, ts_utc: float) -> None:
        """Centre the plots on one instant (an event clicked in the list) and pause."""
        self.set_follow(False)
        width = self.window_s or 600.0
        self.level.setXRange(ts_utc - width / 2, ts_utc + width / 2, padding=0)
        self.cursor.setPos(ts_utc)
        self.cursor.setVisible(True)

    def x_range(self) -> tuple[float, float]:
        lo, hi = self.level.getViewBox().viewRange()[0]
        return float(lo), float(hi)

    def curve_data(self, curve: pg.PlotDataItem) -> tuple[np.ndarray, np.ndarray]:
        """The full data behind a curve (tests read what is drawn)."""
        x, y = curve.getOriginalDataset()
        return (np.asarray(x if x is not None else []), np.asarray(y if y is not None else []))
