"""The report's KPI chart (issue 14): one KPI or counter per cell over time, alarm intervals
shaded, the case's action date marked; missing periods are gaps (never drawn as 0)."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainterPath, QPen

from fieldapp.netstats.data import StatsData, alarm_cell_match, series, series_title
from fieldapp.report.plots import GRID, INK, _canvas

# Time-axis steps, s, and the room one label needs: "06.12 18:00" is about 70 px in the chart's
# font, so a step is kept only when its labels are at least LABEL_PX apart (a 6 h step over four
# days of hourly counters put 16 labels of 80 px on 690 px: unreadable).
TIME_STEPS_S = (3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400)
LABEL_PX = 90


def time_step_s(span_s: float, plot_px: float) -> int:
    """The smallest step of TIME_STEPS_S whose labels stay LABEL_PX apart on plot_px pixels."""
    for step in TIME_STEPS_S:
        if step * plot_px / max(span_s, 1.0) >= LABEL_PX:
            return step
    return TIME_STEPS_S[-1]


LINE_COLOURS = ("#2c7bb6", "#d7191c", "#1a9641", "#7b3294", "#fdae61", "#4d4d4d", "#abd9e9", "#a6611a")
MAX_CELLS = 8


def kpi_chart(stats: StatsData, name: str, *, cells: list[str] | None = None, action_date: str | None = None,
              by: str = "hour", width: int = 900, height: int = 300) -> QImage:
    title, unit = series_title(name)
    data = series(stats, name, by, cells)
    names = sorted(data)[:MAX_CELLS]
    image, p = _canvas(width, height)
    left, right, top, bottom = 60, width - 150, 30, height - 40
    p.setPen(INK)
    p.drawText(QRectF(left, 4, right - left + 140, 20), Qt.AlignmentFlag.AlignLeft,
               f"{title} ({unit}) per {by}, time UTC" + (f"; action on {action_date}" if action_date else ""))
    xs = [t for n in names for t, _v in data[n]]
    ys = [v for n in names for _t, v in data[n] if v is not None]
    if not xs:
        p.drawText(QRectF(left, top, right - left, bottom - top), Qt.AlignmentFlag.AlignCenter, "no data")
        p.end()
        return image
    t0, t1 = min(xs), max(xs) + (3600 if by == "hour" else 86400 if by == "day" else 0)
    lo, hi = (min(ys), max(ys)) if ys else (0.0, 1.0)
    if unit.startswith("%"):
        lo, hi = min(lo, 90.0) if lo > 50 else 0.0, 100.0
    lo = min(lo, 0.0) if unit in ("Erl", "count") else lo
    if hi <= lo:
        hi = lo + 1.0

    def x(t: float) -> float:
        return left + (t - t0) / max(t1 - t0, 1.0) * (right - left)

    def y(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    # alarm intervals of the plotted cells, shaded
    for a in stats.alarms:
        if not alarm_cell_match(a, set(names)):
            continue
        a0, a1 = max(a["raised_utc"], t0), min(a["cleared_utc"] or t1, t1)
        if a1 > a0:
            p.fillRect(QRectF(x(a0), top, x(a1) - x(a0), bottom - top), QColor(215, 25, 28, 40))
    p.setPen(QPen(GRID, 1))
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        p.drawLine(QPointF(left, y(v)), QPointF(right, y(v)))
        p.setPen(INK)
        p.drawText(QRectF(0, y(v) - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight, f"{v:.4g}")
        p.setPen(QPen(GRID, 1))
    span = t1 - t0
    step = time_step_s(span, right - left)
    t = t0 - t0 % step + step
    while t < t1:
        p.setPen(QPen(GRID, 1))
        p.drawLine(QPointF(x(t), top), QPointF(x(t), bottom))
        p.setPen(INK)
        stamp = datetime.fromtimestamp(t, timezone.utc).strftime("%d.%m %H:%M" if step < 86400 else "%d.%m")
        p.drawText(QRectF(x(t) - 40, bottom + 4, 80, 16), Qt.AlignmentFlag.AlignCenter, stamp)
        t += step
    if action_date:
        try:
            ta = datetime.strptime(action_date, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            ta = None
        if ta is not None and t0 <= ta <= t1:
            p.setPen(QPen(QColor("#000000"), 2, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(x(ta), top), QPointF(x(ta), bottom))
            p.drawText(QRectF(x(ta) + 4, top, 120, 16), Qt.AlignmentFlag.AlignLeft, "action")
    for i, n in enumerate(names):
        colour = QColor(LINE_COLOURS[i % len(LINE_COLOURS)])
        p.setPen(QPen(colour, 2))
        path, pen_down = QPainterPath(), False
        for t, v in data[n]:
            if v is None:
                pen_down = False
                continue
            if pen_down:
                path.lineTo(x(t), y(v))
            else:
                path.moveTo(x(t), y(v))
                pen_down = True
        p.drawPath(path)
        p.fillRect(QRectF(right + 12, top + 18 * i + 4, 14, 4), colour)
        p.setPen(INK)
        p.drawText(QRectF(right + 30, top + 18 * i - 4, 120, 16), Qt.AlignmentFlag.AlignLeft, n)
    p.setPen(QPen(INK, 1))
    p.drawRect(QRectF(left, top, right - left, bottom - top))
    p.end()
    return image


def charts_for(findings: list, stats: StatsData) -> list[str]:
    """Which series the report charts: the ones the statistics findings rest on, then traffic."""
    rules = {f.rule for f in findings}
    out = []
    if "hung_bcch" in rules:
        out += ["access_attempts", "ho_in_success"]
    if "packet_channel_fault" in rules:
        out.append("ul_tbf_success_pct")
    if "interference" in rules and any(f.data.get("source") == "statistics" for f in findings if f.rule == "interference"):
        out += ["interference_band45_pct", "tch_drop_pct"]
    if "trx_fault" in rules:
        out.append("random_access_success_pct")
    out.append("traffic_erl")
    if "call_setup_success_pct" not in out and len(out) < 3:
        out.append("call_setup_success_pct")
    return list(dict.fromkeys(out))[:4]
