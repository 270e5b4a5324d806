"""The report's pictures, drawn with QPainter on offscreen QImages (no window, no pyqtgraph):
level and quality over time per session, the route map with the cells of the plan and the
complaint spot, and the before/after level distribution. Colours follow the RXLEV legend of
``fieldapp.radio`` (docs/domain.md §3); unknown values are gaps, never drawn as numbers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timezone

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPolygonF

from fieldapp.cases.compare import Comparison
from fieldapp.cases.findings import SessionData
from fieldapp.cases.stats import calls_of, distance_m
from fieldapp.model import DEDICATED, PlanCell
from fieldapp.radio import RXLEV_BINS_DBM, rxlev_colour

LEVEL_RANGE_DBM = (-110.0, -40.0)
QUALITY_COLOURS = {0: "#1a9641", 1: "#1a9641", 2: "#1a9641", 3: "#1a9641", 4: "#e6c200", 5: "#e6c200",
                   6: "#d7191c", 7: "#d7191c"}
CALL_MARK_COLOURS = {"failed": "#d7191c", "dropped": "#7b3294", "released": "#2c7bb6", "open": "#888888"}
GRID = QColor("#d0d0d0")
INK = QColor("#202020")


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def _canvas(width: int, height: int) -> tuple[QImage, QPainter]:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(12)
    painter.setFont(font)
    return image, painter


def _clock(ts_utc: float, span_s: float) -> str:
    """The clock time (UTC) of an axis tick, as the findings cite times: "15:40:12"; with the
    tenths when the whole plot spans less than 10 s."""
    text = datetime.fromtimestamp(ts_utc, timezone.utc).strftime("%H:%M:%S")
    if span_s < 10:
        text += f".{int(ts_utc * 10) % 10}"
    return text


class LabelRows:
    """Places short labels along a time axis in a few rows so that none overlaps another; a
    label that finds no free row is left out (its mark is still drawn)."""

    def __init__(self, rows: int) -> None:
        self._ends = [float("-inf")] * rows

    def place(self, x: float, width: float) -> int | None:
        for row, end in enumerate(self._ends):
            if x >= end + 4:
                self._ends[row] = x + width
                return row
        return None


def level_quality_plot(session: SessionData, width: int = 900, height: int = 340, title: str = "") -> QImage:
    """Serving level (dBm, legend-coloured points on a line) over the session's time, RXQUAL
    bars below (calls only), and the calls marked: attempt to end, coloured by outcome."""
    image, p = _canvas(width, height)
    left, right, top = 56, 36, 26  # room for the last clock label
    level_h = int((height - top - 40) * 0.68)
    qual_top = top + level_h + 14
    qual_h = height - qual_top - 26
    samples = [s for s in session.samples]
    t0 = samples[0].ts_utc if samples else 0.0
    t1 = max(samples[-1].ts_utc if samples else 1.0, t0 + 1.0)
    span = t1 - t0
    plot_w = width - left - right

    def x_of(ts: float) -> float:
        return left + (ts - t0) / span * plot_w

    lo, hi = LEVEL_RANGE_DBM

    def y_of(dbm: float) -> float:
        v = min(max(dbm, lo), hi)
        return top + (hi - v) / (hi - lo) * level_h

    p.setPen(INK)
    p.drawText(QRectF(left, 2, plot_w, 20), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
               title or f"Session {session.session_id}: serving level (dBm) and RXQUAL, time UTC")
    # legend bands
    edges = [low for low, _label, _c in RXLEV_BINS_DBM]
    upper = hi
    for low, _label, colour in RXLEV_BINS_DBM:
        band_low = max(low, lo)
        c = QColor(colour)
        c.setAlpha(40)
        p.fillRect(QRectF(left, y_of(upper), plot_w, y_of(band_low) - y_of(upper)), c)
        upper = band_low
    p.setPen(QPen(GRID, 1))
    for dbm in range(int(lo), int(hi) + 1, 10):
        y = y_of(dbm)
        p.drawLine(QPointF(left, y), QPointF(left + plot_w, y))
    p.setPen(INK)
    for dbm in range(int(lo), int(hi) + 1, 10):
        p.drawText(QRectF(0, y_of(dbm) - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   str(dbm))
    del edges
    # calls: shaded from attempt to end; labels in rows that never overlap
    labels = LabelRows(3)
    metrics = p.fontMetrics()
    for call in calls_of(session.session_id, session.events):
        end = call.end_utc if call.end_utc is not None else t1
        colour = QColor(CALL_MARK_COLOURS.get(call.outcome, "#888888"))
        shade = QColor(colour)
        shade.setAlpha(28)
        p.fillRect(QRectF(x_of(call.attempt_utc), top, max(2.0, x_of(end) - x_of(call.attempt_utc)), level_h), shade)
        p.setPen(QPen(colour, 2))
        p.drawLine(QPointF(x_of(end), top), QPointF(x_of(end), top + level_h))
        if x_of(end) - x_of(call.attempt_utc) > 60 or call.outcome != "released":  # label when it fits or matters
            x = x_of(call.attempt_utc) + 2
            row = labels.place(x, metrics.horizontalAdvance(call.outcome))
            if row is not None:
                p.drawText(QPointF(x, top + 12 + 14 * row), call.outcome)
    # level line with gaps for unknown values
    path = QPainterPath()
    pen_down = False
    points = []
    for s in samples:
        v = s.rxlev_dbm
        if v is None:
            pen_down = False
            continue
        pt = QPointF(x_of(s.ts_utc), y_of(v))
        if pen_down:
            path.lineTo(pt)
        else:
            path.moveTo(pt)
            pen_down = True
        points.append((pt, v))
    p.setPen(QPen(QColor("#404040"), 1.2))
    p.drawPath(path)
    p.setPen(QPen(QColor("#606060"), 0.6))
    for pt, v in points:
        p.setBrush(QBrush(QColor(rxlev_colour(v) or "#888888")))
        p.drawEllipse(pt, 3.2, 3.2)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(INK, 1))
    p.drawRect(QRectF(left, top, plot_w, level_h))
    # quality bars (dedicated mode only: idle RXQUAL is unknown)
    p.save()
    p.translate(12, qual_top + qual_h / 2 + 24)
    p.rotate(-90)
    p.drawText(QPointF(0, 0), "RXQUAL")
    p.restore()
    bar_w = max(2.0, plot_w / max(1, len(samples)) * 0.8)
    for s in samples:
        if s.mode != DEDICATED or s.rxqual is None:
            continue
        h = (s.rxqual + 0.5) / 7.5 * qual_h
        p.fillRect(QRectF(x_of(s.ts_utc) - bar_w / 2, qual_top + qual_h - h, bar_w, h),
                   QColor(QUALITY_COLOURS.get(s.rxqual, "#888888")))
    p.setPen(QPen(INK, 1))
    p.drawRect(QRectF(left, qual_top, plot_w, qual_h))
    for q in (0, 4, 7):
        y = qual_top + qual_h - (q + 0.5) / 7.5 * qual_h
        p.drawText(QRectF(left - 20, y - 7, 16, 14), Qt.AlignmentFlag.AlignRight, str(q))
    # time axis: clock times (UTC), as the findings and the timeline cite them
    for i in range(6):
        ts = t0 + span * i / 5
        p.drawText(QRectF(x_of(ts) - 40, height - 22, 80, 18), Qt.AlignmentFlag.AlignCenter, _clock(ts, span))
    p.end()
    return image


def route_map(sessions: Sequence[SessionData], plan: Sequence[PlanCell], spot: tuple[float, float] | None,
              width: int = 900, height: int = 560, serving_names: Sequence[str] = ()) -> QImage:
    """The route (samples with a position, legend-coloured), the complaint spot and the cells of
    the plan near them (sector wedges at their azimuth), on a flat projection with a scale bar."""
    image, p = _canvas(width, height)
    pts = [(s.position.lat, s.position.lon, s.rxlev_dbm) for sd in sessions for s in sd.samples
           if s.position is not None]
    focus = [(la, lo) for la, lo, _v in pts] + ([spot] if spot else [])
    near = []
    for c in plan:
        if c.lat is None or c.lon is None:
            continue
        if c.name in serving_names or any(distance_m(c.lat, c.lon, la, lo) < 2500 for la, lo in focus) or not focus:
            near.append(c)
    allpts = focus + [(c.lat, c.lon) for c in near]
    if not allpts:
        p.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, "no positions and no cell plan to map")
        p.end()
        return image
    lat_lo, lat_hi = min(a for a, _ in allpts), max(a for a, _ in allpts)
    lon_lo, lon_hi = min(b for _, b in allpts), max(b for _, b in allpts)
    kx = math.cos(math.radians((lat_lo + lat_hi) / 2))
    span_x = max((lon_hi - lon_lo) * kx, 0.002)
    span_y = max(lat_hi - lat_lo, 0.002)
    margin = 90  # room for the sector wedges and their labels at the edges
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    cx, cy = (lon_lo + lon_hi) / 2, (lat_lo + lat_hi) / 2

    def xy(lat: float, lon: float) -> QPointF:
        return QPointF(width / 2 + (lon - cx) * kx * scale, height / 2 - (lat - cy) * scale)

    p.fillRect(QRectF(0, 0, width, height), QColor("#f4f4ef"))
    # cells: wedge per sector, dot per site
    wedge_r = 46.0
    for c in near:
        centre = xy(c.lat, c.lon)
        serving = c.name in serving_names
        if c.azimuth_deg is not None:
            bw = c.beamwidth_deg or 65.0
            poly = QPolygonF([centre])
            for k in range(13):
                ang = math.radians(c.azimuth_deg - bw / 2 + bw * k / 12)
                poly.append(QPointF(centre.x() + wedge_r * math.sin(ang), centre.y() - wedge_r * math.cos(ang)))
            fill = QColor("#2c7bb6" if serving else "#9ab")
            fill.setAlpha(110 if serving else 60)
            p.setBrush(QBrush(fill))
            p.setPen(QPen(QColor("#2c5f8a"), 1))
            p.drawPolygon(poly)
            tip = math.radians(c.azimuth_deg)
            label_at = QPointF(centre.x() + (wedge_r + 10) * math.sin(tip) - 24,
                               centre.y() - (wedge_r + 10) * math.cos(tip) + 4)
        else:  # an omni cell: a circle
            fill = QColor("#2c7bb6" if serving else "#9ab")
            fill.setAlpha(70 if serving else 40)
            p.setBrush(QBrush(fill))
            p.setPen(QPen(QColor("#2c5f8a"), 1))
            p.drawEllipse(centre, wedge_r * 0.6, wedge_r * 0.6)
            label_at = QPointF(centre.x() + 6, centre.y() - wedge_r * 0.6 - 4)
        p.setBrush(QBrush(QColor("#202020")))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(centre, 3.5, 3.5)
        p.setPen(QPen(QColor("#1d3c5a") if serving else QColor("#555555")))
        label = c.name + (f" {c.tilt_deg:.0f}°" if serving and c.tilt_deg is not None else "")
        p.drawText(label_at, label)
    # route
    p.setPen(Qt.PenStyle.NoPen)
    for la, lo, v in pts:
        p.setBrush(QBrush(QColor(rxlev_colour(v) or "#999999")))
        p.drawEllipse(xy(la, lo), 4, 4)
    # complaint spot
    if spot is not None:
        s = xy(*spot)
        p.setPen(QPen(QColor("#d7191c"), 3))
        p.drawLine(QPointF(s.x() - 9, s.y() - 9), QPointF(s.x() + 9, s.y() + 9))
        p.drawLine(QPointF(s.x() - 9, s.y() + 9), QPointF(s.x() + 9, s.y() - 9))
        p.drawText(QPointF(s.x() - 40, s.y() + 24), "complaint spot")
    # scale bar: a round number of metres near a fifth of the width
    metres_per_px = (math.pi / 180) * 6_371_000.0 / scale
    target = metres_per_px * width / 5
    nice = 10 ** math.floor(math.log10(target))
    for step in (5, 2, 1):
        if step * nice <= target:
            nice *= step
            break
    bar_px = nice / metres_per_px
    p.setPen(QPen(INK, 2))
    p.drawLine(QPointF(20, height - 20), QPointF(20 + bar_px, height - 20))
    p.drawText(QPointF(24, height - 26), f"{nice:.0f} m" if nice < 1000 else f"{nice / 1000:.0f} km")
    p.drawText(QPointF(width - 36, 24), "N ↑")
    if not pts:
        p.drawText(QRectF(0, height - 44, width - 16, 18), Qt.AlignmentFlag.AlignRight,
                   "no GPS positions recorded: the spot is the case's map position")
    p.setPen(QPen(INK, 1))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(QRectF(0, 0, width - 1, height - 1))
    p.end()
    return image


def before_after_bars(comparison: Comparison, width: int = 900, height: int = 300) -> QImage:
    """Share of samples per level bin, before (hatched grey) next to after (the bin's colour)."""
    image, p = _canvas(width, height)
    left, top, bottom = 50, 48, 40
    plot_h = height - top - bottom
    bins = [(label, colour) for _low, label, colour in RXLEV_BINS_DBM]
    groups = len(bins)
    group_w = (width - left - 20) / groups
    b_total = max(1, comparison.before.samples)
    a_total = max(1, comparison.after.samples)
    p.setPen(INK)
    p.drawText(QPointF(left, 18), "Share of samples per level bin — before (grey, left) and after (legend colour, right)")
    for i, (label, colour) in enumerate(bins):
        x = left + i * group_w
        for j, (count, total, fill) in enumerate(((comparison.before.level_bins[i][1], b_total, QColor("#9a9a9a")),
                                                  (comparison.after.level_bins[i][1], a_total, QColor(colour)))):
            share = count / total
            h = share * plot_h
            rect = QRectF(x + 10 + j * (group_w - 20) / 2, top + plot_h - h, (group_w - 24) / 2, h)
            p.fillRect(rect, fill)
            p.setPen(QPen(INK, 1))
            p.drawRect(rect)
            p.drawText(QRectF(rect.x(), rect.y() - 16, rect.width(), 14), Qt.AlignmentFlag.AlignCenter, f"{share:.0%}")
        p.drawText(QRectF(x, top + plot_h + 6, group_w, 16), Qt.AlignmentFlag.AlignCenter, f"{label} dBm")
    p.drawLine(QPointF(left, top + plot_h), QPointF(width - 20, top + plot_h))
    p.end()
    return image
