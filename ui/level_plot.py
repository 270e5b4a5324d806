"""The serving level and quality over wall-clock time, in the serving technology's own terms,
with the engineers' colour bands.

Two plots share one time axis: serving level plus the neighbours ticked in the neighbour
table on top (RXLEV dBm in GSM, RSCP in UMTS, RSRP in LTE), the quality below (RXQUAL with 0 at
the top and 7 at the bottom as drive-test tools draw it; Ec/No; RSRQ or SINR). Labels, ranges
and bands follow the serving technology of the latest sample (``fieldapp.tech_terms``); a
technology change (CSFB, an IRAT reselection) is marked on the plot with "4G→3G".
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
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp.radio import RXLEV_BINS_DBM
from fieldapp.tech_terms import (
    TECH_CODES,
    TECH_OF_CODE,
    TERMS,
    TechTerms,
    headline,
    terms_for,
    with_level_bins,
)
from ui.history import History, neighbour_label
from ui.theme import NEIGHBOUR_PALETTE, SERVING_COLOUR, plot_colours

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
    br, bg, bb = plot_colours().band_base  # white, or the dark theme's background
    if plot_colours().dark:
        a = min(1.0, a * 1.6)  # a little stronger on black, or the steps are hard to tell apart
    return QColor(round(br + (c.red() - br) * a), round(bg + (c.green() - bg) * a),
                  round(bb + (c.blue() - bb) * a))


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


class TechMarksItem(pg.GraphicsObject):
    """A vertical line and a "4G→3G" tag at every change of serving technology, drawn only
    inside the view (a long IRAT-heavy log holds hundreds of them)."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[tuple[float, str, str]] = []  # time, text, colour
        self.setZValue(5)

    def set_marks(self, marks: list[tuple[float, str, str]]) -> None:
        self.marks = marks
        self.update()

    def boundingRect(self) -> QRectF:
        vb = self.getViewBox()
        if vb is None:
            return QRectF(0, 0, 1, 1)
        (x0, x1), (y0, y1) = vb.viewRange()
        return QRectF(x0, y0, x1 - x0, y1 - y0)

    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange=None):
        return None

    def viewRangeChanged(self) -> None:
        self.prepareGeometryChange()

    def paint(self, p, *args) -> None:
        if not self.marks:
            return
        r = self.boundingRect()
        tr = p.transform()
        p.resetTransform()
        last_px = -1e9
        fm = QFontMetrics(p.font())
        for t, text, colour in self.marks:
            if t < r.left() or t > r.right():
                continue
            top = tr.map(QPointF(t, r.bottom()))
            bottom = tr.map(QPointF(t, r.top()))
            x = top.x()
            p.setPen(QPen(QColor(colour), 1))
            p.drawLine(QPointF(x, min(top.y(), bottom.y())), QPointF(x, max(top.y(), bottom.y())))
            if x > last_px:  # a tag only where the previous one has ended
                p.drawText(QPointF(x + 3, min(top.y(), bottom.y()) + 12), text)
                last_px = x + fm.horizontalAdvance(text) + 6


RXQUAL_STEPS = tuple(range(8))


def fitting_steps(steps: tuple[int, ...], height_px: float, label_px: float) -> list[int]:
    """The steps whose labels fit a scale ``height_px`` tall without touching: all of 0..7 on
    a tall plot, every second (0, 2, 4, 6) on a short one, the ends and the middle (0, 4, 7)
    on a very short one (1366×768 leaves the RXQUAL plot ~60 px: eight labels overprint)."""
    span = max(1, steps[-1] - steps[0])
    for stride in (1, 2, 4):
        chosen = list(steps[::stride])
        if stride == 4 and chosen[-1] != steps[-1]:
            chosen.append(steps[-1])  # 0, 4, 7: the worst quality stays labelled
        gap_px = min(abs(b - a) for a, b in zip(chosen, chosen[1:])) * height_px / span
        if gap_px >= label_px:
            return chosen
    return [steps[0], steps[-1]]


class QualityAxis(pg.AxisItem):
    """The quality plot's left axis: fixed integer steps for RXQUAL (0..7), as many of them as
    fit the plot's height; pyqtgraph's own ticks for the others (Ec/No, RSRQ, SINR)."""

    steps: tuple[int, ...] | None = None

    def set_steps(self, steps: tuple[int, ...] | None) -> None:
        self.steps = steps
        self.picture = None
        self.update()

    def shown_steps(self) -> list[int]:
        if self.steps is None:
            return []
        label_px = QFontMetrics(self.style.get("tickFont") or self.font()).height() + 1
        return fitting_steps(self.steps, self.geometry().height(), label_px)

    def tickValues(self, minVal, maxVal, size):  # noqa: N802,N803 (pyqtgraph's names)
        if self.steps is None:
            return super().tickValues(minVal, maxVal, size)
        return [(1.0, [float(v) for v in self.shown_steps()])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        if self.steps is None:
            return super().tickStrings(values, scale, spacing)
        return [str(int(round(v))) for v in values]

    def resizeEvent(self, ev=None):  # noqa: N802 (Qt's name)
        super().resizeEvent(ev)
        self.picture = None  # a new height may fit more or fewer labels


class ReadoutLabel(QLabel):
    """The values line over the plots. When the bar is narrower than the line (a 1366-pixel
    screen with the source panel open, an LTE line with its SINR) it is cut at its end with
    "…", so the technology and the level's name stay in view; ``text()`` stays whole."""

    def shown_text(self) -> str:
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                             max(0, self.contentsRect().width()))

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown_text())
        painter.end()


class LevelPlot(QWidget):
    """Level and quality plots with window choice and pause/follow."""

    follow_changed = Signal(bool)
    tech_changed = Signal(str)  # the serving technology the plots now speak

    def __init__(self, history: History, bins=RXLEV_BINS_DBM, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.window_s: float | None = dict(WINDOWS)[DEFAULT_WINDOW]
        self.follow = True
        self._plotted: list[tuple] = []
        # The window points this at the neighbour table, which knows names from the cell plan.
        self.neighbour_name: Callable[[tuple], str | None] = lambda key: None
        self.gsm_bins = tuple(bins)
        self.terms: TechTerms = with_level_bins(TERMS["GSM"], self.gsm_bins)
        self.quality_key: dict[str, str] = {}  # technology → the quality the user chose to plot

        self.window_combo = QComboBox()
        self.window_combo.addItems([label for label, _ in WINDOWS])
        self.window_combo.setCurrentText(DEFAULT_WINDOW)
        self.window_combo.setToolTip("How much time the plots show; \"All\" shows the whole session")
        self.window_combo.currentTextChanged.connect(self._window_chosen)
        self.follow_button = QToolButton()
        self.follow_button.setText("Follow")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        self.follow_button.setToolTip("Follow the newest sample; pan or zoom to pause")
        self.follow_button.toggled.connect(self.set_follow)
        self.bands_check = QCheckBox("Colour bands")
        self.bands_check.setChecked(True)
        self.bands_check.setToolTip("The colour steps of the serving technology (View → Thresholds)")
        self.bands_check.toggled.connect(self._show_bands)
        self.quality_combo = QComboBox()
        self.quality_combo.setToolTip("Which quality the lower plot shows (LTE: RSRQ or SINR)")
        self.quality_combo.currentIndexChanged.connect(self._quality_chosen)
        self.readout = ReadoutLabel("")
        self.readout.setObjectName("valueLabel")
        self.readout.setToolTip("The values under the mouse, else the latest sample's")
        # Takes the room left on the bar and never widens the window (a hover adds the time).
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        bar.addWidget(QLabel("Window"))
        bar.addWidget(self.window_combo)
        bar.addWidget(self.follow_button)
        bar.addWidget(self.bands_check)
        bar.addWidget(self.quality_combo)
        bar.addWidget(self.readout, 1)

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.level = self.graphics.addPlot(row=0, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.quality = self.graphics.addPlot(row=1, col=0, axisItems={"bottom": pg.DateAxisItem(),
                                                                     "left": QualityAxis("left")})
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)
        self.quality.setXLink(self.level)
        for plot in (self.level, self.quality):
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            # No grid: the colour bands already mark the levels, and translucent grid lines
            # across the plot cost more to paint than the curves.
            plot.getAxis("left").setWidth(AXIS_WIDTH_PX)
            plot.setMenuEnabled(False)
            plot.getViewBox().setMouseEnabled(x=True, y=False)
            plot.getViewBox().sigRangeChangedManually.connect(self._panned)
        self.level.hideAxis("bottom")  # the quality plot below carries the time axis
        for plot in (self.level, self.quality):
            # Time needs no SI prefix; its check re-renders the axis label (HTML) on every
            # range change, also on the hidden top axis.
            for name in ("top", "bottom"):
                plot.getAxis(name).enableAutoSIPrefix(False)
        self._bands: list[BandsItem] = []
        self._level_bands: BandsItem | None = None
        self._quality_bands: BandsItem | None = None

        self.legend = self.level.addLegend(offset=(-8, 8), labelTextSize="8pt", brush=QColor("#ffffff"))
        # Painted once into a pixmap and reused: its rich-text labels are dear to draw every tick.
        self.legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.serving_curve = self.level.plot([], [], pen=pg.mkPen(SERVING_COLOUR, width=2),
                                             connect="finite", name="Serving")
        # No symbols: a scatter re-prepares every spot on each update (too slow for 8 hours).
        # The quality curve of the serving technology (RXQUAL, Ec/No, RSRQ or SINR).
        self.rxqual_curve = self.quality.plot([], [], pen=pg.mkPen("#333333", width=2), connect="finite")
        self.quality_curve = self.rxqual_curve
        # The serving level of the other technologies of the history, in their own dBm (see refresh).
        self.other_tech_curve = self.level.plot([], [], pen=pg.mkPen("#8c8c8c", width=1, style=Qt.PenStyle.DashLine),
                                                connect="finite")
        self._other_names: list[str] = []
        for curve in (self.serving_curve, self.rxqual_curve, self.other_tech_curve):
            _fast(curve)
        self.neighbour_curves: dict[tuple, pg.PlotDataItem] = {}
        self.tech_marks = TechMarksItem()
        self.level.addItem(self.tech_marks, ignoreBounds=True)
        self._marks_drawn = -1
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#6a1b9a", width=1,
                                                                            style=Qt.PenStyle.DashLine))
        self.cursor.setVisible(False)
        self.level.addItem(self.cursor, ignoreBounds=True)
        self._apply_terms()

        # The hover keeps the mouse's place on screen, not a time: as the plot scrolls under a
        # still mouse the readout follows the data that passes under it.
        self._hover_scene: QPointF | None = None
        self._hover_utc_fixed: float | None = None
        self.graphics.scene().sigMouseMoved.connect(self._mouse_moved)
        self._leave_filter = _LeaveFilter(self._mouse_left)
        self.graphics.viewport().installEventFilter(self._leave_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)
        self._sync_legend()

    # ------------------------------------------------------------------ configuration
    def set_bins(self, bins) -> None:
        """The user's RXLEV legend (configurable, docs/domain.md §3) for GSM's level bands."""
        self.gsm_bins = tuple(bins)
        if self.terms.tech == "GSM":
            self.terms = with_level_bins(self.terms, self.gsm_bins)
            self._apply_terms()

    @property
    def bins(self):
        return self.gsm_bins

    def set_tech(self, tech: str | None) -> None:
        """Speak another technology: axis labels, ranges, colour bands, the quality curve."""
        terms = terms_for(tech)
        if terms.tech == "GSM":
            terms = with_level_bins(terms, self.gsm_bins)
        if terms == self.terms:
            return
        self.terms = terms
        self._apply_terms()
        self.refresh()
        self.tech_changed.emit(terms.tech)

    def apply_theme(self) -> None:
        """The plot colours of the current theme (light or dark)."""
        c = plot_colours()
        self.graphics.setBackground(c.background)
        for plot in (self.level, self.quality):
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(c.foreground)
                axis.setTextPen(c.foreground)
        self.serving_curve.setPen(pg.mkPen(c.serving, width=2))
        self.quality_curve.setPen(pg.mkPen(c.quality, width=2))
        self.legend.setBrush(QColor(c.background))
        self.legend.setLabelTextColor(c.text)
        self.legend.update()
        self._apply_terms()

    def quality_quantity(self):
        key = self.quality_key.get(self.terms.tech)
        for q in self.terms.qualities:
            if q.key == key:
                return q
        return self.terms.qualities[0]

    def _apply_terms(self) -> None:
        terms = self.terms
        level_q = terms.level
        self.level.setLabel("left", level_q.label)
        self.level.setYRange(level_q.lo, level_q.hi, padding=0)
        q = self.quality_quantity()
        self.quality.setLabel("left", q.label)
        self.quality.setYRange(q.lo, q.hi, padding=0)
        self.quality.getViewBox().invertY(q.lower_is_better)
        axis = self.quality.getAxis("left")
        axis.set_steps(RXQUAL_STEPS if q.key == "rxqual" else None)
        if self._level_bands is not None:
            self.level.removeItem(self._level_bands)
        if self._quality_bands is not None:
            self.quality.removeItem(self._quality_bands)
        self._level_bands = BandsItem(level_q.bands(), BAND_ALPHA)
        self._quality_bands = BandsItem(q.bands(), BAND_ALPHA)
        self._bands = [self._quality_bands, self._level_bands]
        for plot, item in ((self.level, self._level_bands), (self.quality, self._quality_bands)):
            item.setVisible(self.bands_check.isChecked())
            plot.addItem(item, ignoreBounds=True)
        self.quality_combo.blockSignals(True)
        self.quality_combo.clear()
        self.quality_combo.addItems([x.name for x in terms.qualities])
        self.quality_combo.setCurrentText(q.name)
        self.quality_combo.setVisible(len(terms.qualities) > 1)
        self.quality_combo.blockSignals(False)

    def _quality_chosen(self, index: int) -> None:
        if 0 <= index < len(self.terms.qualities):
            self.quality_key[self.terms.tech] = self.terms.qualities[index].key
            self._apply_terms()
            self.refresh()

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
        """Which neighbours (``history.neighbour_key``) to draw besides the serving cell."""
        self._plotted = list(keys)
        for key in list(self.neighbour_curves):
            if key not in self._plotted:
                curve = self.neighbour_curves.pop(key)
                self.level.removeItem(curve)
                self.legend.removeItem(curve)
        for i, key in enumerate(self._plotted):
            if key not in self.neighbour_curves:
                colour = NEIGHBOUR_PALETTE[i % len(NEIGHBOUR_PALETTE)]
                name = html.escape(self.neighbour_name(key) or neighbour_label(key))
                # Solid 1-px lines: Qt's raster engine draws dashed or wide pens many times slower.
                curve = self.level.plot([], [], pen=pg.mkPen(colour, width=1), connect="finite", name=name)
                _fast(curve)
                self.neighbour_curves[key] = curve
        self.refresh()

    def legend_labels(self) -> list[str]:
        """What the legend lists (tests: only what is plotted)."""
        return [label.text for _sample, label in self.legend.items]

    # ------------------------------------------------------------------ drawing
    def refresh(self) -> None:
        """Redraw from the history: once per bridge tick."""
        h = self.history
        if h.current_tech is not None and h.current_tech != self.terms.tech:
            self.set_tech(h.current_tech)  # calls refresh again in the new terms
            return
        t = h.t.view()
        level = h.serving_dbm.view()
        other = None
        if h.tech_changes:
            # One axis speaks one quantity: the serving curve is the current technology's
            # stretches only; the others' (an RSCP beside an RSRP) are a separate, dashed grey
            # curve that the legend names, never drawn as if they were the axis's quantity.
            codes = h.tech.view()
            mine = np.isnan(codes) | (codes == TECH_CODES.get(self.terms.tech, -1))
            if not mine.all():
                other = np.where(mine, np.nan, level)
                level = np.where(mine, level, np.nan)
                self._other_names = sorted({terms_for(TECH_OF_CODE.get(int(c))).level.name
                                            for c in np.unique(codes[~mine])})
        self.serving_curve.setData(t, level, connect="finite")
        if other is None:
            self.other_tech_curve.setData([], [])
        else:
            self.other_tech_curve.setData(t, other, connect="finite")
        q = h.quality[self.quality_quantity().key].view()
        if np.isfinite(q).any():
            self.quality_curve.setData(t, q, connect="finite")
        else:  # idle all along: nothing to draw (and no all-NaN symbol bounds for pyqtgraph)
            self.quality_curve.setData([], [])
        for key, curve in self.neighbour_curves.items():
            series = h.neighbours.get(key)
            if series is None:
                curve.setData([], [])
            else:
                curve.setData(series.t.view(), series.dbm.view(), connect="finite")
        if len(h.tech_changes) != self._marks_drawn:
            self._marks_drawn = len(h.tech_changes)
            self.tech_marks.set_marks([(t0, f"{terms_for(a).short}→{terms_for(b).short}", terms_for(b).colour)
                                       for t0, a, b in h.tech_changes])
        self._sync_legend()
        if self.follow:
            self._follow_range()
        self._update_readout()

    def _sync_legend(self) -> None:
        """The legend lists only curves that draw something now (a neighbour ticked but gone
        from the history after a replay seek, or a serving level never reported, is not listed)."""
        h = self.history
        want = []
        if np.isfinite(h.serving_dbm.view()[-64:]).any() or np.isfinite(h.serving_dbm.view()).any():
            want.append((self.serving_curve, "Serving"))
        # The curve's whole data, not getData()'s part inside the view: a replay jump files
        # hours at once while the view still shows where it was.
        other = self.curve_data(self.other_tech_curve)[1]
        if len(other) and np.isfinite(other).any():
            names = " / ".join(self._other_names)
            want.append((self.other_tech_curve, html.escape(f"Serving, other technology ({names} dBm)")))
        for key, curve in self.neighbour_curves.items():
            series = h.neighbours.get(key)
            if series is not None and len(series.t):
                want.append((curve, html.escape(self.neighbour_name(key) or neighbour_label(key))))
        listed = [(sample.item, label.text) for sample, label in self.legend.items]
        if want == listed:  # the names too: the other technologies change as a replay plays
            return
        self.legend.clear()
        for curve, name in want:
            self.legend.addItem(curve, name)

    def _hover_utc(self) -> float | None:
        if self._hover_utc_fixed is not None:
            return self._hover_utc_fixed
        if self._hover_scene is None:
            return None
        return self.level.getViewBox().mapSceneToView(self._hover_scene).x()

    def _update_readout(self) -> None:
        """The values under the mouse (with their time), else the latest sample's."""
        h = self.history
        t = h.t.view()
        if len(t) == 0 or h.last_sample is None:
            self.readout.setText("")
            return
        hover = self._hover_utc()
        if hover is None:
            i, prefix = len(t) - 1, ""
            while i > 0 and np.isnan(h.tech.view()[i]) and np.isnan(h.serving_dbm.view()[i]):
                i -= 1  # a gap row: read the last real sample
        else:
            i = int(np.clip(np.searchsorted(t, hover), 0, len(t) - 1))
            if i > 0 and abs(t[i - 1] - hover) < abs(t[i] - hover):
                i -= 1
            prefix = time.strftime("%H:%M:%S  ", time.localtime(float(t[i])))
        tech = h.tech_at(i) or self.terms.tech
        terms = terms_for(tech)
        tag = f"{tech}  " if tech != "GSM" or h.tech_changes else ""
        if hover is None:
            last = h.last_sample
            if last is not None and last.serving is None and last.signal is None:
                tag = ""  # "no serving cell": not the previous technology's name over it
            # The latest sample as the channel panel says it: a level from a plain handset is
            # named by its source ("RSRP (+CESQ)", "RSSI (+CSQ)"), a lone UMTS/LTE RSSI shown as one.
            self.readout.setText(tag + headline(h.last_sample))
            return
        level = float(h.serving_dbm.view()[i])
        parts = [f"{terms.level.name} {terms.level.text(level)}"]
        for q in terms.qualities:
            parts.append(f"{q.name} {q.text(float(h.quality[q.key].view()[i]))}")
        self.readout.setText(prefix + tag + "  ".join(parts))

    def _mouse_moved(self, scene_pos) -> None:
        inside = any(p.getViewBox().sceneBoundingRect().contains(scene_pos) for p in (self.level, self.quality))
        self._hover_scene = QPointF(scene_pos) if inside else None
        self._hover_utc_fixed = None
        self._update_readout()

    def _mouse_left(self) -> None:
        self._hover_scene = None
        self._hover_utc_fixed = None
        self._update_readout()

    def hover_at(self, ts_utc: float | None) -> str:
        """Show the readout for a time as the mouse would (None: the latest); returns it."""
        self._hover_scene = None
        self._hover_utc_fixed = ts_utc
        self._update_readout()
        return self.readout.text()

    def hover_scene_at(self, ts_utc: float) -> str:
        """Put the mouse (its scene position) over a time as it is drawn now; returns the readout.
        The position stays when the plot scrolls on (tests of the hover while following)."""
        vb = self.level.getViewBox()
        y = (self.terms.level.lo + self.terms.level.hi) / 2
        self._mouse_moved(vb.mapViewToScene(QPointF(ts_utc, y)))
        return self.readout.text()

    def leave(self) -> str:
        """The mouse left the plots: the readout returns to the live value."""
        self._mouse_left()
        return self.readout.text()

    def _follow_range(self) -> None:
        span = self.history.span_utc()
        if span is None:
            return
        first, last = span
        if self.window_s is None:
            lo, hi = first, max(last, first + 10)
            pad = 0.02 * (hi - lo)
            (x0, x1), _y = self.level.getViewBox().viewRange()
            # "All": the new sample is still inside the headroom; no re-layout this tick. A range
            # wider than the session's (a wider window chosen before, a replay jump back) is not
            # headroom: it is laid out again.
            if abs(x0 - lo) < 1e-6 and last <= x1 <= hi + pad + 1e-6:
                return
            self.level.setXRange(lo, hi + pad, padding=0)
            return
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


class _LeaveFilter(QObject):
    """Calls back when the mouse leaves the plots' viewport (no scene move event says so)."""

    def __init__(self, on_leave: Callable[[], None]) -> None:
        super().__init__()
        self._on_leave = on_leave

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Leave:
            self._on_leave()
        return False
