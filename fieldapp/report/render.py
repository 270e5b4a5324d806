"""Writing the report: HTML (one file, pictures embedded) and PDF (Qt's QTextDocument printed
on a QPdfWriter, A4), and the Qt application both need to draw text offscreen."""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QFont, QGuiApplication, QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from fieldapp.cases.stats import percentile
from fieldapp.fonts import FAMILY
from fieldapp.report.data import MAX_PLOTTED_SESSIONS, ReportData
from fieldapp.report.fonts import use_bundled_fonts
from fieldapp.report.html import build_html
from fieldapp.report.mask import POSITION_DECIMALS, Masker
from fieldapp.report.plots import before_after_bars, level_quality_plot, png_bytes, route_map
from fieldapp.safe_write import replacing

_APP: list[QGuiApplication] = []  # keeps the application alive when the report created it


def ensure_qt() -> None:
    """Fonts and painting need a Qt application; without a display, use the offscreen platform.
    The shipped DejaVu Sans is registered and made the default (no system fonts needed)."""
    if QGuiApplication.instance() is not None:
        use_bundled_fonts()
        return
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:  # a QApplication, so that widgets made later in the same process still work
        from PySide6.QtWidgets import QApplication

        _APP.append(QApplication(sys.argv[:1]))
    except ImportError:
        _APP.append(QGuiApplication(sys.argv[:1]))
    use_bundled_fonts()


def _spot(data: ReportData, masked: bool = False) -> tuple[float, float] | None:
    """The complaint spot on the map; a masked report rounds the case's position (~100 m), as
    its text does."""
    if data.case.position is not None:
        lat, lon = data.case.position
        return (round(lat, POSITION_DECIMALS), round(lon, POSITION_DECIMALS)) if masked else (lat, lon)
    pos = [(s.position.lat, s.position.lon) for sd in data.sessions for s in sd.samples if s.position]
    if not pos:
        return None
    return (percentile([p[0] for p in pos], 50), percentile([p[1] for p in pos], 50))


def render_images(data: ReportData, *, masked: bool = False) -> dict[str, QImage]:
    """The pictures of the report by name: level-<session>.png, map.png, before-after.png."""
    ensure_qt()
    images: dict[str, QImage] = {}
    for s in data.sessions[:MAX_PLOTTED_SESSIONS]:
        if s.samples:
            role = f" ({s.role})" if s.role else ""
            images[f"level-{s.session_id}.png"] = level_quality_plot(
                s, title=f"Session {s.session_id}{role}: serving level (dBm) above, RXQUAL in calls below; time UTC")
    serving = {f.data.get("best_server") for f in data.findings if f.data.get("best_server")}
    serving |= set(data.case.cells)
    if data.sessions or data.case.position is not None:
        images["map.png"] = route_map(data.sessions, data.plan, _spot(data, masked), serving_names=sorted(serving))
    if data.comparison is not None:
        images["before-after.png"] = before_after_bars(data.comparison)
    if data.stats is not None and not data.stats.counters.empty:  # network statistics (issue 14)
        from fieldapp.report.stats_plot import charts_for, kpi_chart

        cells = list(data.case.cells) or None
        for name in charts_for(data.findings, data.stats):
            images[f"stats-{name}.png"] = kpi_chart(data.stats, name, cells=cells, action_date=data.case.action_date)
    return images


def report_html(data: ReportData, *, include_personal: bool = False) -> str:
    """The report as one self-contained HTML text (pictures as data: URIs)."""
    images = render_images(data, masked=not include_personal)
    encoded = {name: "data:image/png;base64," + base64.b64encode(png_bytes(img)).decode("ascii")
               for name, img in images.items()}
    return build_html(data, Masker(data.case, include_personal), encoded.__getitem__, list(images))


def write_html(data: ReportData, path: str | Path, *, include_personal: bool = False) -> Path:
    path = Path(path)
    _write_atomic(path, report_html(data, include_personal=include_personal).encode("utf-8"))
    return path


def write_pdf(data: ReportData, path: str | Path, *, include_personal: bool = False) -> Path:
    """The report on A4 pages (page numbers at the foot), text selectable and searchable."""
    ensure_qt()
    path = Path(path)
    images = render_images(data, masked=not include_personal)
    doc = QTextDocument()
    font = QFont(FAMILY)
    font.setPointSizeF(10)
    for tag in ("liga", "clig"):  # no "ﬁ" ligatures: the ticket system's search and copy/paste see plain "fi"
        font.setFeature(QFont.Tag(tag), 0)
    doc.setDefaultFont(font)
    for name, img in images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), img)
    doc.setHtml(build_html(data, Masker(data.case, include_personal), lambda name: name, list(images)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as partial:  # never through a link or over a device (safe_write)
        writer = QPdfWriter(str(partial))
        writer.setTitle(f"fieldapp case {data.case.id}")
        writer.setCreator("fieldapp")
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
        writer.setResolution(96)
        layout = writer.pageLayout()
        rect = layout.paintRectPixels(writer.resolution())
        doc.setPageSize(QSizeF(rect.width(), rect.height()))
        doc.print_(writer)
        del writer  # finishes the file
    return path


def write_report(data: ReportData, path: str | Path, *, include_personal: bool = False) -> Path:
    """By the file's suffix: .pdf or .html/.htm."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return write_pdf(data, path, include_personal=include_personal)
    if suffix in (".html", ".htm"):
        return write_html(data, path, include_personal=include_personal)
    raise ValueError(f"report file {path}: use a .pdf or .html name")


def _write_atomic(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as partial:
        partial.write_bytes(payload)
