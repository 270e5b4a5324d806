"""The serving-cell trace: one coloured bar per stretch on a serving cell, labelled with its
name from the cell plan (else CI, else ARFCN/BSIC), a marker at every reselection or handover,
and a tooltip with the details under the mouse. Under the bars a thin band says the serving
technology (2G/3G/4G, coloured), so a CSFB or an IRAT change shows where it happened.
Shares the time axis of the level plot.
"""

from __future__ import annotations

import bisect
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from fieldapp.model import DEDICATED, EV_CELL_CHANGE, EV_HANDOVER, Event
from fieldapp.tech_terms import terms_for
from ui.history import History, Segment
from ui.level_plot import AXIS_WIDTH_PX
from ui.theme import cell_colour, plot_colours

_COLOURS: dict[str, QColor] = {}


def _colour(name: str) -> QColor:
    """A QColor per colour name, parsed once: "All" over 8 hours paints hundreds of bars a tick."""
    colour = _COLOURS.get(name)
    if colour is None:
        colour = _COLOURS[name] = QColor(name)
    return colour

BAR_TOP, BAR_BOTTOM = 0.34, 0.96  # the cell bars (y grows upwards)
TECH_TOP, TECH_BOTTOM = 0.02, 0.28  # the technology band under them
HOVER_PX = 6  # how close (pixels) the mouse must be to a marker for its tooltip
EVENT_MATCH_S = 5.0  # a source's cell-change event within this of a boundary describes it


class SegmentsItem(pg.GraphicsObject):
    """Draws bars and markers in data coordinates but text and marker heads in pixels, so
    labels stay readable at any zoom and are elided to the bar's width."""

    def __init__(self) -> None:
        super().__init__()
        self.bars: list[tuple[float, float, str, str]] = []  # x0, x1, colour, label
        self.markers: list[float] = []
        self._marker_arr = np.empty(0)
        self.tech_bands: list[tuple[float, float, str, str]] = []  # x0, x1, colour, "4G"
        self._starts: list[float] = []
        self._bounds = QRectF(0, 0, 1, 1)

    def set_data(self, bars: list[tuple[float, float, str, str]], markers: list[float]) -> None:
        """``bars`` in time order (segments never overlap), ``markers`` ascending."""
        self.prepareGeometryChange()
        self.bars = bars
        self.markers = markers
        self._marker_arr = np.asarray(markers, dtype=float)
        self._starts = [b[0] for b in bars]
        if bars:
            x0 = bars[0][0]
            x1 = max(bars[-1][1], bars[0][1])
            self._bounds = QRectF(x0, 0, max(x1 - x0, 1e-3), 1)
        self.update()

    def set_tech_bands(self, bands: list[tuple[float, float, str, str]]) -> None:
        self.tech_bands = bands
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, p: QPainter, *args) -> None:
        tr = p.transform()
        p.resetTransform()
        device = p.device()
        right = float(device.width()) if device is not None else 1e9
        fm = QFontMetrics(p.font())
        # The view maps time to pixels by scale and offset only (no rotation): x = sx·t + dx.
        sx, dx = tr.m11(), tr.dx()
        if sx == 0:
            return
        t_lo, t_hi = (0.0 - dx) / sx, (right - dx) / sx
        if t_lo > t_hi:
            t_lo, t_hi = t_hi, t_lo
        # Only the bars and markers inside the visible time range (bisect: 8 hours hold
        # hundreds of bars and a view shows a few), and at most one per pixel column.
        first = max(0, bisect.bisect_right(self._starts, t_lo) - 1)
        last = bisect.bisect_right(self._starts, t_hi)
        y_top = tr.map(QPointF(0.0, BAR_BOTTOM)).y()
        y_bottom = tr.map(QPointF(0.0, BAR_TOP)).y()
        top, height = min(y_top, y_bottom), abs(y_bottom - y_top)
        last_x = -1e9
        for x0, x1, colour, label in self.bars[first:last]:
            left, width = sx * x0 + dx, sx * max(x1 - x0, 0.0)
            if left + width < 0 or left > right:
                continue  # off screen
            if width < 1:
                if left - last_x < 1:
                    continue  # several sub-pixel bars in one pixel column: draw one
                width = 1.0
            last_x = left
            r = QRectF(left, top, width, height)
            p.fillRect(r, _colour(colour))
            if width > 24:
                p.setPen(QColor("#101010"))
                room = int(width) - 6
                text = label if fm.horizontalAdvance(label) <= room else \
                    fm.elidedText(label, Qt.TextElideMode.ElideRight, room)
                p.drawText(r.adjusted(4, 0, -2, 0), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                           text)
        small = QFont(p.font())
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.75))
        p.setFont(small)
        for x0, x1, colour, label in self.tech_bands:
            if x1 < t_lo or x0 > t_hi:
                continue
            r = tr.mapRect(QRectF(x0, TECH_TOP, max(x1 - x0, 0.0), TECH_BOTTOM - TECH_TOP))
            r.setWidth(max(r.width(), 1.0))
            p.fillRect(r, _colour(colour))
            if r.width() > 18:
                p.setPen(QColor("#ffffff"))
                p.drawText(r.adjusted(3, 0, 0, 0), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), label)
        lo_i = bisect.bisect_left(self.markers, t_lo)
        hi_i = bisect.bisect_right(self.markers, t_hi)
        if hi_i <= lo_i:
            return
        # One line per pixel column: "All" over 8 hours holds hundreds of changes.
        columns = pixel_columns(self._marker_arr[lo_i:hi_i] * sx + dx)
        heads = len(columns) < 2 or float(np.min(np.diff(columns))) >= 8
        top = tr.map(QPointF(0.0, 0.0)).y()
        bottom = tr.map(QPointF(0.0, 1.0)).y()
        y = min(top, bottom)
        ink = QColor(plot_colours().text)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, heads)
        p.setPen(QPen(ink, 1.5 if heads else 1.0))
        p.setBrush(ink)
        p.drawLines([QLineF(x, top, x, bottom) for x in columns.tolist()])
        if heads:  # a head on each marker while they are far enough apart to tell
            for x in columns.tolist():
                p.drawPolygon(QPolygonF([QPointF(x - 4, y), QPointF(x + 4, y), QPointF(x, y + 6)]))


def pixel_columns(xs: np.ndarray) -> np.ndarray:
    """The distinct pixel columns of ``xs`` (finite), rounded, in order: ``np.unique(np.round(xs))``
    without np.unique, whose first call imports numpy.ma (numpy 2: ~40 ms of a window's first
    jump, when the strip first paints markers)."""
    columns = np.sort(np.round(xs))
    if len(columns) > 1:
        columns = columns[np.concatenate(([True], columns[1:] != columns[:-1]))]
    return columns


def describe_cell(seg: Segment) -> str:
    c = seg.cell
    lines = [seg.label]
    if c is not None:
        ids = []
        if c.mcc is not None:
            ids.append(f"MCC {c.mcc} MNC {c.mnc}")
        if c.lac is not None:
            ids.append(f"LAC {c.lac}")
        if c.ci is not None:
            ids.append(f"CI {c.ci}")
        if c.ci is not None and c.tech != "GSM":
            ids[-1] = f"{terms_for(c.tech).cell_id} {terms_for(c.tech).split_cell_id(c.ci)}"
        if ids:
            lines.append("  ".join(ids))
        rf = []
        terms = terms_for(c.tech)
        if c.arfcn is not None:
            rf.append(f"{terms.channel} {c.arfcn}")
        code = terms.code_text(c)
        if code is not None:
            rf.append(f"{terms.code} {code}")
        if rf:
            lines.append("  ".join(rf))
        lines.insert(1, c.tech)
    minutes, seconds = divmod(int(round(seg.end_utc - seg.start_utc)), 60)
    lines.append(f"served {minutes} min {seconds:02d} s")
    return "\n".join(lines)


class TraceStrip(QWidget):
    def __init__(self, history: History, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.plot_widget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        self.plot_widget.setBackground("w")
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setYRange(0, 1, padding=0)
        self.plot.getViewBox().setMouseEnabled(x=True, y=False)
        left = self.plot.getAxis("left")
        left.setWidth(AXIS_WIDTH_PX)
        left.setTicks([[(0.65, "Serving")]])
        self.plot.hideAxis("bottom")  # the quality plot above shows the same time axis
        for name in ("top", "bottom"):  # no axis-label re-render on every range change
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        self.items = SegmentsItem()
        self.plot.addItem(self.items)
        self.plot_widget.setFixedHeight(48)
        self.plot_widget.scene().sigMouseMoved.connect(self._mouse_moved)
        self._boundaries: list[tuple[float, Segment, Segment]] = []
        self._drawn = (0, None)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)

    def apply_theme(self) -> None:
        c = plot_colours()
        self.plot_widget.setBackground(c.background)
        left = self.plot.getAxis("left")
        left.setPen(c.foreground)
        left.setTextPen(c.foreground)
        self.items.update()

    def link_x(self, plot: pg.PlotItem) -> None:
        self.plot.setXLink(plot)

    def refresh(self) -> None:
        """Once per tick: only the last bar grows and new ones are appended (the earlier bars
        of a long session do not change), so the cost does not grow with the history."""
        segs = self.history.segments
        state = (len(segs), segs[-1].end_utc if segs else None)
        if state == self._drawn and (segs or not self.items.bars):
            return  # (an emptied history, a replay jumped back before its first sample: the bars go)
        bars = self.items.bars
        start = max(0, min(len(bars), len(segs)) - 1) if self._drawn[0] else 0
        if start == 0:
            bars, self._boundaries = [], []
        del bars[start:]
        for s in segs[start:]:
            bars.append((s.start_utc, max(s.end_utc, s.start_utc + 1.0), cell_colour(s.key), s.label))
        known = len(self._boundaries)
        first = self._boundaries[-1][0] if known else -math.inf
        for prev, seg in zip(segs[max(0, start - 1):], segs[max(1, start):]):
            touching = abs(prev.end_utc - seg.start_utc) < 1e-6
            if touching and prev.key is not None and seg.key is not None and prev.key != seg.key \
                    and seg.start_utc > first:
                self._boundaries.append((seg.start_utc, prev, seg))
        self._drawn = state
        self.items.set_data(bars, [b[0] for b in self._boundaries])
        self.items.set_tech_bands(self.tech_bands())

    def tech_bands(self) -> list[tuple[float, float, str, str]]:
        """(start, end, colour, "4G") per stretch on one serving technology."""
        h = self.history
        span = h.span_utc()
        if span is None or h.current_tech is None:
            return []
        out = []
        start, tech = span[0], (h.tech_changes[0][1] if h.tech_changes else h.current_tech)
        for t, _old, new in h.tech_changes:
            terms = terms_for(tech)
            out.append((start, t, terms.colour, terms.short))
            start, tech = t, new
        terms = terms_for(tech)
        out.append((start, max(span[1], start + 1.0), terms.colour, terms.short))
        return out

    def redraw_all(self) -> None:
        """Labels changed (a new cell plan): rebuild every bar."""
        self._drawn = (0, None)
        self.refresh()

    def marker_times(self) -> list[float]:
        return [b[0] for b in self._boundaries]

    def describe(self, ts_utc: float, tolerance_s: float = 0.0) -> str | None:
        """Tooltip text at a time: the cell change there (within ``tolerance_s``), else the
        serving cell's details."""
        near = [b for b in self._boundaries if abs(b[0] - ts_utc) <= tolerance_s]
        if near:
            t, prev, seg = min(near, key=lambda b: abs(b[0] - ts_utc))
            return self._describe_change(t, prev, seg)
        seg = self.history.segment_at(ts_utc)
        return describe_cell(seg) if seg is not None else None

    def _describe_change(self, t: float, prev: Segment, seg: Segment) -> str:
        event = self._event_near(t)
        if event is not None:
            kind = "Handover" if event.kind == EV_HANDOVER else "Reselection"
        else:
            kind = "Handover" if seg.mode == DEDICATED else "Reselection"
        text = f"{kind}: {prev.label} → {seg.label}"
        if event is not None and event.text:
            text += f"\n{event.text}"
        return text

    def _event_near(self, t: float) -> Event | None:
        best = None
        for e in self.history.events:
            if e.kind in (EV_CELL_CHANGE, EV_HANDOVER) and abs(e.ts_utc - t) <= EVENT_MATCH_S and (
                    best is None or abs(e.ts_utc - t) < abs(best.ts_utc - t)):
                best = e
        return best

    def _mouse_moved(self, scene_pos) -> None:
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return
        point = vb.mapSceneToView(scene_pos)
        px_per_s = vb.width() / max(1e-9, vb.viewRange()[0][1] - vb.viewRange()[0][0])
        text = self.describe(point.x(), HOVER_PX / max(px_per_s, 1e-9))
        if text:
            global_pos = self.plot_widget.mapToGlobal(self.plot_widget.mapFromScene(scene_pos))
            QToolTip.showText(global_pos, text, self.plot_widget)
